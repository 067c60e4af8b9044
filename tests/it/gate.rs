//! The CI gate teams keep switched on: a broken trace fails `check` by default,
//! baselines (`--write-baseline`, `--baseline`) fail only on new findings, SARIF carries
//! what code scanning needs, and `--format github` orders annotations by severity and
//! writes a job summary.

use crate::check::assert_valid_sarif;
use crate::{copy_dir, fixture};
use serde_json::Value;
use std::path::Path;
use std::process::Output;

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs `tracemark` with arguments and extra environment variables (the GitHub ones
/// are removed first, so the tests behave the same inside a GitHub workflow).
fn run(args: &[&str], env: &[(&str, &Path)]) -> Output {
    let mut cmd = crate::command();
    for var in ["GITHUB_STEP_SUMMARY", "GITHUB_REPOSITORY", "GITHUB_SHA", "GITHUB_SERVER_URL"] {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.args(args).output().expect("tracemark runs")
}

/// A temporary copy of the `gate` fixture: one plan, two traces, one dangling marker
/// (`REQ-G-404`), a folder of notes that declares no plan, and a plan folder holding
/// only a JSON file.
fn project() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&fixture("gate"), tmp.path());
    tmp
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn one_dangling_marker_fails_check_by_default() {
    let o = run(&["check", s(&fixture("gate"))], &[]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains(": error[dangling-reference]: requirement `REQ-G-404` is defined neither by `PLAN-20250301-GADGET`"),
        "{out}"
    );
    assert!(out.lines().last().unwrap().starts_with("1 error, "), "{out}");
}

#[test]
fn baseline_passes_old_findings_and_fails_only_on_new_ones() {
    let root = project();
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("baseline.json");
    let o = run(&["check", s(root.path()), "--write-baseline", s(&base)], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("wrote baseline"), "{}", stderr(&o));
    let text = std::fs::read_to_string(&base).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["tracemark_baseline"], 1);
    let entries = v["findings"].as_array().unwrap();
    assert!(
        entries.iter().any(|e| e["code"] == "dangling-reference"
            && e["path"] == "src/gadget.ts"
            && e["text"] == "* @requirement:REQ-G-404"
            && e["count"] == 1),
        "the entry carries the marker's own line: {text}"
    );
    let again = run(&["check", s(root.path()), "--write-baseline", s(&base)], &[]);
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&base).unwrap(), text, "deterministic");

    let o = run(&["check", s(root.path()), "--baseline", s(&base)], &[]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(!out.contains("REQ-G-404"), "baselined findings are not listed: {out}");
    assert!(out.contains(&format!("baseline {}: 3 findings baselined", base.display())), "{out}");
    assert!(!out.contains("gone"), "{out}");

    // Lines inserted above the old finding: still baselined.
    let src = root.path().join("src/gadget.ts");
    let code = std::fs::read_to_string(&src).unwrap();
    std::fs::write(&src, format!("// a header\n// of three\n// lines\n{code}")).unwrap();
    let o = run(&["check", s(root.path()), "--baseline", s(&base)], &[]);
    assert_eq!(o.status.code(), Some(0), "moved down, still baselined: {}", stdout(&o));

    // A new dangling marker: exit 1, naming only the new finding.
    let code = std::fs::read_to_string(&src).unwrap();
    std::fs::write(
        &src,
        format!("{code}\n/**\n * @plan:PLAN-20250301-GADGET\n * @requirement:REQ-G-505\n */\nexport function pause(): void {{}}\n"),
    )
    .unwrap();
    let o = run(&["check", s(root.path()), "--baseline", s(&base)], &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let out = stdout(&o);
    assert!(out.contains("error[dangling-reference]: requirement `REQ-G-505`"), "{out}");
    assert!(!out.contains("REQ-G-404"), "{out}");
    assert!(out.contains("1 error, 0 warnings, 0 notes in 1 file\n"), "{out}");
    let o = run(&["check", s(root.path()), "--baseline", s(&base), "--format", "github"], &[]);
    assert_eq!(o.status.code(), Some(1));
    let annotations: Vec<String> =
        stdout(&o).lines().filter(|l| l.starts_with("::error")).map(String::from).collect();
    assert_eq!(annotations.len(), 1, "{annotations:?}");
    assert!(annotations[0].contains("REQ-G-505"), "{annotations:?}");

    // Fixing the old one: the baseline says it is gone.
    let code = std::fs::read_to_string(&src).unwrap();
    std::fs::write(&src, code.replace(" * @requirement:REQ-G-404\n", "").replace("REQ-G-505", "REQ-G-002"))
        .unwrap();
    let o = run(&["check", s(root.path()), "--baseline", s(&base), "--format", "json"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(
        stderr(&o)
            .contains("1 baseline findings are gone: update the baseline (`tracemark check --write-baseline"),
        "{}",
        stderr(&o)
    );
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["summary"]["baseline"]["gone"], 1);
}

#[test]
fn a_missing_or_foreign_baseline_exits_2_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("none.json");
    let o = run(&["check", s(&fixture("gate")), "--baseline", s(&missing)], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot read baseline"), "{}", stderr(&o));
    let foreign = dir.path().join("foreign.json");
    std::fs::write(&foreign, "{\"version\": \"2.1.0\"}").unwrap();
    let o = run(&["check", s(&fixture("gate")), "--baseline", s(&foreign)], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is not a tracemark baseline"), "{}", stderr(&o));
}

#[test]
fn sarif_has_rule_help_fingerprints_and_file_regions() {
    let root = fixture("gate");
    let o = run(&["check", s(&root), "--format", "sarif"], &[]);
    assert_eq!(o.status.code(), Some(1));
    let log = assert_valid_sarif(&stdout(&o));
    let run0 = &log["runs"][0];
    let driver = &run0["tool"]["driver"];
    assert_eq!(driver["semanticVersion"], env!("CARGO_PKG_VERSION"));
    let rules = driver["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 20);
    for r in rules {
        // GitHub's rules (Multitool GH2012 and friends): descriptions and help present.
        assert!(r["fullDescription"]["text"].as_str().is_some_and(|t| t.len() > 20), "{r}");
        assert!(r["help"]["text"].as_str().is_some_and(|t| t.contains("How to fix")), "{r}");
        assert!(r["help"]["markdown"].as_str().is_some_and(|t| t.contains("**Example:**")), "{r}");
        let name = r["name"].as_str().unwrap();
        // Multitool SARIF1001: the name must differ from the id, case aside.
        assert!(!name.eq_ignore_ascii_case(r["id"].as_str().unwrap()), "{r}");
        assert!(name.chars().next().unwrap().is_ascii_uppercase() && !name.contains(['-', ' ']), "{r}");
        assert!(["error", "warning", "note"].contains(&r["defaultConfiguration"]["level"].as_str().unwrap()));
        // An opt-in code is documented as disabled by default.
        let enabled = r["defaultConfiguration"]["enabled"].as_bool().unwrap_or(true);
        assert_eq!(enabled, r["id"] != "untested-requirement", "{r}");
    }
    let results = run0["results"].as_array().unwrap();
    assert!(results.len() >= 2, "{results:?}");
    for r in results {
        assert_eq!(r["partialFingerprints"]["tracemark/v1"].as_str().map(str::len), Some(32), "{r}");
        let loc = &r["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
        assert!(root.join(uri).is_file(), "a file, not a folder: {uri}");
        assert!(loc["region"]["startLine"].as_u64().is_some_and(|l| l >= 1), "{r}");
    }
    let folder = results.iter().find(|r| r["ruleId"] == "undeclared-plan").expect("the notes folder");
    assert_eq!(
        folder["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "project-plans/notes/README.md"
    );
    let uris: Vec<&str> = results
        .iter()
        .filter(|r| r["ruleId"] == "undeclared-plan")
        .map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap())
        .collect();
    assert_eq!(
        uris,
        ["project-plans/notes/README.md", "project-plans/scratch/todo.json"],
        "no plan document: its first file"
    );

    // With a baseline: every result has a baselineState.
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("b.json");
    assert_eq!(run(&["check", s(&root), "--write-baseline", s(&base)], &[]).status.code(), Some(0));
    let o = run(&["check", s(&root), "--format", "sarif", "--baseline", s(&base)], &[]);
    assert_eq!(o.status.code(), Some(0));
    let log = assert_valid_sarif(&stdout(&o));
    for r in log["runs"][0]["results"].as_array().unwrap() {
        assert_eq!(r["baselineState"], "unchanged", "{r}");
    }
}

#[test]
fn github_format_puts_errors_first_and_writes_the_job_summary() {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let o = run(&["check", s(&fixture("gate")), "--format", "github"], &[("GITHUB_STEP_SUMMARY", &summary)]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.lines().next().unwrap().starts_with("::error file=src/gadget.ts,line="), "{out}");
    assert!(out.contains("::notice title=tracemark::1 error, 0 warnings, 2 notes in 3 files\n"), "{out}");
    assert!(out.contains("::notice file=project-plans/scratch/todo.json,title=undeclared-plan::"), "{out}");
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.starts_with("earlier step\n## tracemark check\n"), "appended: {md}");
    assert!(md.contains("**1 error, 0 warnings, 2 notes in 3 files**; exit status 1."), "{md}");
    assert!(md.contains("| `dangling-reference` | 1 | 0 | 0 | 1 |"), "{md}");
    assert!(md.contains("| `undeclared-plan` | 0 | 0 | 2 | 2 |"), "{md}");
    assert!(md.contains("| **total** | 1 | 0 | 2 | 3 |"), "{md}");
    assert!(md.contains("### Errors (1 of 1)\n\n- src/gadget.ts:"), "{md}");

    // Other formats leave the summary alone.
    let before = std::fs::read_to_string(&summary).unwrap();
    run(&["check", s(&fixture("gate")), "--format", "sarif"], &[("GITHUB_STEP_SUMMARY", &summary)]);
    assert_eq!(std::fs::read_to_string(&summary).unwrap(), before);
}

#[test]
fn dangling_reference_can_be_lowered_to_pass() {
    let root = project();
    std::fs::write(root.path().join("tracemark.toml"), "[severity]\ndangling-reference = \"warning\"\n")
        .unwrap();
    let o = run(&["check", s(root.path())], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("warning[dangling-reference]"), "{}", stdout(&o));
}
