//! `tracemark diff A..B` on a repository made in the test: a requirement added and one
//! reworded in the last commit, a dangling marker resolved by it; text, JSON and HTML;
//! the work tree is neither read nor changed.

use crate::command;
use crate::history::write;

#[test]
fn diff_lists_added_and_reworded_requirements_and_resolved_findings() {
    let repo = crate::suspect::repository();
    let root = repo.path().join("repo");
    // An uncommitted change in the work tree is not part of HEAD.
    write(
        &root,
        "project-plans/lamp/specification.md",
        "# Lamp\n\nPlan ID: PLAN-20250101-LAMP\n\n- **REQ-L-999**: Not committed.\n",
    );
    let o = command()
        .args(["diff", root.to_str().unwrap(), "HEAD~1..HEAD", "--format", "json"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json["tracemark_diff"], 1);
    let ids = |key: &str| -> Vec<String> {
        json[key].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(ids("requirements_added"), ["REQ-L-003"]);
    assert!(ids("requirements_removed").is_empty(), "the work tree's change is not read: {json}");
    let reworded = json["requirements_reworded"].as_array().unwrap();
    assert_eq!(reworded.len(), 1);
    assert_eq!(reworded[0]["requirement"]["id"], "REQ-L-001");
    assert!(reworded[0]["new"].as_str().unwrap().contains("brightly at night"));
    assert!(ids("coverage_gained").is_empty(), "a new requirement is added, not a coverage gain");
    let resolved = json["findings_resolved"].as_array().unwrap();
    assert!(
        resolved.iter().any(|f| f["code"] == "dangling-reference" && f["path"] == "src/blink.ts"),
        "{resolved:?}"
    );
    assert_eq!(json["to"]["spec"], "HEAD");
    assert_eq!(json["from"]["commit"].as_str().unwrap().len(), 40);

    let o = command().args(["diff", root.to_str().unwrap(), "HEAD~1.."]).output().unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("requirements added (1):\n  PLAN-20250101-LAMP REQ-L-003"), "{text}");
    assert!(text.contains("shall [-glow.-]{+glow brightly at night.+}"), "{text}");

    let out = tempfile::tempdir().unwrap();
    let o = command()
        .args(["diff", root.to_str().unwrap(), "HEAD~1..HEAD", "--format", "html", "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    assert!(o.status.success());
    let page = std::fs::read_to_string(out.path().join("diff.html")).unwrap();
    assert!(page.contains("<ins>") && page.contains("REQ-L-003"), "{page}");
    assert!(out.path().join("diff.json").is_file());
    // The work tree still holds the uncommitted change.
    let spec = std::fs::read_to_string(root.join("project-plans/lamp/specification.md")).unwrap();
    assert!(spec.contains("REQ-L-999"));

    let o = command().args(["diff", root.to_str().unwrap(), "nope..HEAD"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("`nope` names no commit"));
}

#[test]
fn a_build_with_a_diff_base_gets_a_changes_page_linked_from_the_index() {
    let repo = crate::suspect::repository();
    let root = repo.path().join("repo");
    let out = tempfile::tempdir().unwrap();
    let o = command()
        .args([
            "build",
            root.to_str().unwrap(),
            "--out",
            out.path().to_str().unwrap(),
            "--diff-base",
            "HEAD~1",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let index = crate::read(out.path(), "index.html");
    assert!(index.contains(r#"<a href="diff.html">Changes since HEAD~1</a>"#), "{index}");
    let page = crate::read(out.path(), "diff.html");
    let t = crate::history::text(&page);
    assert!(t.contains("Requirements added 1 REQ-L-003 The lamp shall blink."), "{t}");
    assert!(t.contains("Requirements reworded 1 REQ-L-001"), "{t}");
    assert!(page.contains("<ins>glow brightly at night.</ins>"), "{page}");
    assert!(t.contains("Findings resolved 1 src/blink.ts:1 dangling-reference"), "{t}");

    // A base that names nothing: a notice, and the site without the page.
    let out = tempfile::tempdir().unwrap();
    let o = command()
        .args([
            "build",
            root.to_str().unwrap(),
            "--out",
            out.path().to_str().unwrap(),
            "--diff-base",
            "no-such-branch",
        ])
        .output()
        .unwrap();
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("no comparison with `no-such-branch`"));
    assert!(!out.path().join("diff.html").exists());
    assert!(!crate::read(out.path(), "index.html").contains("diff.html"));
}
