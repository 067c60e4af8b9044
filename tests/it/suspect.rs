//! Suspect traces from git history: a repository made in the test; rewording a
//! requirement in a later commit makes the traces whose code did not change since
//! suspect (a finding, the requirement page with the word diff); touching the code or
//! `tracemark review` clears it; rewording again brings it back; a requirement written
//! after its code makes nothing suspect.

use crate::history::{commit, git_at, text, write};
use crate::{command, read};
use std::path::Path;

const SPEC: &str = "project-plans/lamp/specification.md";

fn spec(glow: &str) -> String {
    format!(
        "# Lamp\n\nPlan ID: PLAN-20250101-LAMP\n\n## Requirements\n\n- **REQ-L-001**: {glow}\n- **REQ-L-002**: The lamp shall dim.\n- **REQ-L-003**: The lamp shall blink.\n"
    )
}

/// REQ-L-001 and REQ-L-002 are written with their code on 2025-01-01; REQ-L-001 is
/// reworded on 2025-02-01; REQ-L-003's code comes first and its text later.
pub(crate) fn repository() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("repo");
    std::fs::create_dir_all(&root).unwrap();
    git_at(&root, "2025-01-01T00:00:00Z", &["init", "-q", "-b", "main"]);
    write(&root, SPEC, &spec("The lamp shall glow.").replace("- **REQ-L-003**: The lamp shall blink.\n", ""));
    write(
        &root,
        "src/glow.ts",
        "// @plan:PLAN-20250101-LAMP @requirement:REQ-L-001\nexport function glow() {\n  return 1;\n}\n",
    );
    write(
        &root,
        "src/dim.ts",
        "// @plan:PLAN-20250101-LAMP @requirement:REQ-L-002\nexport function dim() {\n  return 0;\n}\n",
    );
    write(
        &root,
        "src/blink.ts",
        "// @plan:PLAN-20250101-LAMP @requirement:REQ-L-003\nexport function blink() {\n  return 2;\n}\n",
    );
    commit(&root, "2025-01-01T09:00:00Z", "Lamp");
    write(&root, SPEC, &spec("The lamp shall glow brightly at night."));
    commit(&root, "2025-02-01T09:00:00Z", "Reword the glow");
    tmp
}

fn build(root: &Path) -> (tempfile::TempDir, String) {
    let out = tempfile::tempdir().unwrap();
    let o = command()
        .args(["build", root.to_str().unwrap(), "--out", out.path().to_str().unwrap(), "--verbose"])
        .output()
        .unwrap();
    assert!(o.status.success(), "build failed: {}", String::from_utf8_lossy(&o.stderr));
    (out, String::from_utf8_lossy(&o.stderr).into_owned())
}

fn suspect_findings(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| l.contains("[suspect-trace]")).collect()
}

#[test]
fn a_reworded_requirement_makes_its_unchanged_traces_suspect() {
    let repo = repository();
    let root = repo.path().join("repo");
    let (out, stderr) = build(&root);
    let found = suspect_findings(&stderr);
    assert_eq!(found.len(), 1, "only the reworded requirement's trace: {stderr}");
    assert!(found[0].contains("src/glow.ts:1"), "{}", found[0]);
    assert!(found[0].contains("REQ-L-001") && found[0].contains("Reword the glow"), "{}", found[0]);
    // The requirement page shows the commit, the word diff and the suspect trace.
    let page = read(out.path(), "plans/PLAN-20250101-LAMP/requirements/REQ-L-001.html");
    assert!(page.contains(r#"id="suspect""#), "{page}");
    assert!(page.contains("<ins>"), "the new words are marked: {page}");
    let t = text(&page);
    assert!(t.contains("Reword the glow"), "{t}");
    assert!(t.contains("src/glow.ts:1 suspect"), "{t}");
    assert!(t.contains("brightly at night"), "{t}");
    let dim = read(out.path(), "plans/PLAN-20250101-LAMP/requirements/REQ-L-002.html");
    assert!(!dim.contains(r#"id="suspect""#), "not reworded");
    let blink = read(out.path(), "plans/PLAN-20250101-LAMP/requirements/REQ-L-003.html");
    assert!(!blink.contains(r#"id="suspect""#), "written after its code, not reworded");
    // `check` reports it too (a warning: exit status 0).
    let o = command().args(["check", root.to_str().unwrap()]).output().unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("suspect-trace"), "{stdout}");
    assert_eq!(o.status.code(), Some(0), "{stdout}");
}

#[test]
fn touching_the_code_clears_the_suspicion() {
    let repo = repository();
    let root = repo.path().join("repo");
    write(
        &root,
        "src/glow.ts",
        "// @plan:PLAN-20250101-LAMP @requirement:REQ-L-001\nexport function glow() {\n  return 3; // brightly\n}\n",
    );
    commit(&root, "2025-03-01T09:00:00Z", "Glow brighter");
    let (_, stderr) = build(&root);
    assert!(suspect_findings(&stderr).is_empty(), "{stderr}");
}

#[test]
fn a_review_clears_it_until_the_text_changes_again() {
    let repo = repository();
    let root = repo.path().join("repo");
    let o = command()
        .args(["review", "REQ-L-001", "--root", root.to_str().unwrap(), "--reviewer", "Grace"])
        .env("SOURCE_DATE_EPOCH", "1767225600")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let said = String::from_utf8_lossy(&o.stdout);
    assert!(said.contains("1 suspect trace cleared"), "{said}");
    let record = std::fs::read_to_string(root.join(".tracemark/reviews.toml")).unwrap();
    assert!(
        record.contains("requirement = \"REQ-L-001\"") && record.contains("reviewer = \"Grace\""),
        "{record}"
    );
    assert!(record.contains("date = \"2026-01-01\""), "{record}");
    let (out, stderr) = build(&root);
    assert!(suspect_findings(&stderr).is_empty(), "{stderr}");
    let t = text(&read(out.path(), "plans/PLAN-20250101-LAMP/requirements/REQ-L-001.html"));
    assert!(t.contains("src/glow.ts:1 reviewed by Grace on 2026-01-01"), "{t}");
    // Reworded again: the review no longer holds.
    write(&root, SPEC, &spec("The lamp shall glow softly."));
    commit(&root, "2025-04-01T09:00:00Z", "Soften the glow");
    let (_, stderr) = build(&root);
    let found = suspect_findings(&stderr);
    assert_eq!(found.len(), 1, "{stderr}");
    assert!(found[0].contains("Soften the glow"), "{}", found[0]);
    // An unknown ID is refused with a message.
    let o = command().args(["review", "REQ-NOPE", "--root", root.to_str().unwrap()]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no plan defines a requirement REQ-NOPE"));
}

#[test]
fn a_damaged_review_record_is_a_finding_not_a_failure() {
    let repo = repository();
    let root = repo.path().join("repo");
    write(&root, ".tracemark/reviews.toml", "[[review]]\nrequirement = \n");
    let (_, stderr) = build(&root);
    assert!(stderr.contains(".tracemark/reviews.toml:2: warning[invalid-reviews]"), "{stderr}");
    assert_eq!(suspect_findings(&stderr).len(), 1, "the suspicion stays: {stderr}");
}
