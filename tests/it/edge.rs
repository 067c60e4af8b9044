//! Awkward input (`tests/fixtures/edge/`): a Windows-1252 plan, a CRLF source, a binary
//! file holding marker bytes, a file over `max_file_size`, an empty file, markers under
//! `node_modules/` and in a `.gitignore`d folder, raw HTML in a plan, a folder that
//! declares no plan. Each gives the right pages or a clear diagnostic, never a panic.

use crate::{build, copy_dir, fixture, read, trace_json};
use serde_json::Value;

fn diagnostics_for<'a>(json: &'a Value, path: &str) -> Vec<&'a Value> {
    json["diagnostics"].as_array().unwrap().iter().filter(|d| d["path"] == path).collect()
}

#[test]
fn windows_1252_plan_is_read_with_a_note_and_nothing_lost() {
    let (out, _) = build(&fixture("edge"));
    let json = trace_json(out.path());
    let spec = "project-plans/20250301edge/specification.md";
    let notes = diagnostics_for(&json, spec);
    assert!(notes.iter().any(|d| d["code"] == "encoding" && d["severity"] == "note"), "{notes:?}");
    let page = read(out.path(), "plans/PLAN-20250301-EDGE/requirements/REQ-EDGE-001.html");
    assert!(page.contains("em dash \u{2014} stored as the byte 0x97"), "{page}");
}

#[test]
fn crlf_source_has_right_line_numbers_and_excerpt() {
    let (out, _) = build(&fixture("edge"));
    let json = trace_json(out.path());
    let t = json["traces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["path"] == "src/crlf.ts")
        .expect("trace in crlf.ts");
    assert_eq!(t["line"], 4);
    assert_eq!(t["end_line"], 5);
    assert_eq!(t["excerpt"], serde_json::json!([3, 9]));
    let page = read(out.path(), "files/src/crlf.ts.html");
    assert!(page.contains("id=\"L10\""), "line anchors up to 10 (the last line is empty)");
    assert!(!page.contains("id=\"L11\""), "no line 11 in a 10-line CRLF file");
    assert!(!page.contains('\r'), "no carriage returns in the page");
}

#[test]
fn binary_and_oversized_files_are_skipped_with_diagnostics() {
    let (out, _) = build(&fixture("edge"));
    let json = trace_json(out.path());
    let blob = diagnostics_for(&json, "assets/blob.bin");
    assert!(blob.iter().any(|d| d["code"] == "unreadable"), "{blob:?}");
    let huge = diagnostics_for(&json, "src/huge.ts");
    assert!(
        huge.iter()
            .any(|d| d["code"] == "skipped-file" && d["message"].as_str().unwrap().contains("over the limit")),
        "{huge:?}"
    );
    assert!(json["traces"].as_array().unwrap().iter().all(|t| t["path"] != "src/huge.ts"));
}

#[test]
fn node_modules_and_gitignored_files_are_not_scanned() {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&fixture("edge"), tmp.path());
    std::fs::create_dir_all(tmp.path().join("ignored")).unwrap();
    std::fs::write(
        tmp.path().join("ignored/generated.ts"),
        "// @plan:PLAN-20250301-EDGE.P01 @requirement:REQ-EDGE-003\n",
    )
    .unwrap();
    let (out, _) = build(tmp.path());
    let json = trace_json(out.path());
    let paths: Vec<&str> =
        json["traces"].as_array().unwrap().iter().map(|t| t["path"].as_str().unwrap()).collect();
    assert!(!paths.iter().any(|p| p.starts_with("node_modules/") || p.starts_with("ignored/")), "{paths:?}");
    assert!(paths.contains(&"src/decode.py"), "{paths:?}");
    let req3 = &json["plans"][0]["requirements"][2];
    assert_eq!(req3["id"], "REQ-EDGE-003");
    assert_eq!(req3["covered"], false);
}

#[test]
fn raw_html_in_a_plan_cannot_inject_script() {
    let (out, _) = build(&fixture("edge"));
    for page in [
        "plans/PLAN-20250301-EDGE/requirements/REQ-EDGE-003.html",
        "docs/project-plans/20250301edge/specification.md.html",
    ] {
        let html = read(out.path(), page);
        let own = "<script src=\"../../../static/search.js\" defer></script>";
        assert!(!html.replacen(own, "", 1).contains("<script"), "{page} carries a script");
        assert!(!html.contains("onclick"), "{page} carries an event handler");
        assert!(html.contains("A div with a handler."), "{page} lost the div's text");
    }
}

#[test]
fn folder_without_plan_id_is_listed_with_a_note() {
    let (out, _) = build(&fixture("edge"));
    let json = trace_json(out.path());
    let d = diagnostics_for(&json, "project-plans/notes-only");
    assert!(d.iter().any(|d| d["code"] == "undeclared-plan"), "{d:?}");
    let index = read(out.path(), "index.html");
    assert!(index.contains("project-plans/notes-only"), "index lists the undeclared folder");
    assert!(index.contains("docs/project-plans/notes-only/notes.md.html"), "and links its documents");
}

/// git ignores only untracked files: a file git tracks is read even when a `.gitignore`
/// pattern matches it; an untracked file under the same pattern is not.
#[test]
fn tracked_files_are_read_even_when_gitignored() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("project-plans/p")).unwrap();
    std::fs::create_dir_all(root.join("reports")).unwrap();
    std::fs::write(
        root.join("project-plans/p/specification.md"),
        "# P\n\nPlan ID: PLAN-20250101-TRACKED\n\n### REQ-TR-001: Reports are kept\n\n### REQ-TR-002: Scratch is not read\n",
    )
    .unwrap();
    std::fs::write(root.join(".gitignore"), "reports/\n").unwrap();
    std::fs::write(
        root.join("reports/blocked.ts"),
        "// @plan PLAN-20250101-TRACKED @requirement REQ-TR-001\nexport const kept = 1;\n",
    )
    .unwrap();
    std::fs::write(
        root.join("reports/scratch.ts"),
        "// @plan PLAN-20250101-TRACKED @requirement REQ-TR-002\nexport const scratch = 1;\n",
    )
    .unwrap();
    let git = |args: &[&str]| {
        let o = std::process::Command::new("git").arg("-C").arg(root).args(args).output().expect("git runs");
        assert!(o.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&o.stderr));
    };
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["add", "-f", "reports/blocked.ts"]);
    let (out, _) = build(root);
    let json = trace_json(out.path());
    let paths: Vec<&str> =
        json["traces"].as_array().unwrap().iter().map(|t| t["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["reports/blocked.ts"], "the tracked file is read, the untracked one is not");
}
