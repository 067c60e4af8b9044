//! Hostile input that once crashed or lost data (`tests/fixtures/encodings/`): plan
//! titles whose trailing spaces or closing `#` run shifted the declaration reader (a
//! panic inside a multi-byte character, or a lost plan ID).

use crate::{build, fixture, trace_json};

#[test]
fn hostile_plan_titles_keep_their_plan_ids_and_titles() {
    let (out, o) = build(&fixture("encodings"));
    assert!(!String::from_utf8_lossy(&o.stderr).contains("panicked"));
    let json = trace_json(out.path());
    let plans: Vec<(&str, &str)> = json["plans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p["title"].as_str().unwrap()))
        .collect();
    // A plan's title comes from an H1; the H2 declarations keep their ID (as title too).
    for (id, title) in [
        ("PLAN-20250101-ABC", "Title"),
        ("PLAN-20250102-UML", "PLAN-20250102-UML"),
        ("PLAN-20250103-ASC", "Title"),
        ("PLAN-20250104-HSH", "PLAN-20250104-HSH"),
        ("PLAN-20250101-COMM", "(Revised)"),
    ] {
        assert!(plans.contains(&(id, title)), "{id} {title:?} in {plans:?}");
    }
}

fn findings_for<'a>(json: &'a serde_json::Value, path: &str) -> Vec<&'a serde_json::Value> {
    json["diagnostics"].as_array().unwrap().iter().filter(|d| d["path"] == path).collect()
}

#[test]
fn utf16_sources_with_a_bom_are_traced() {
    let (out, _) = build(&fixture("encodings"));
    let json = trace_json(out.path());
    for (path, plan) in
        [("src/enc-utf16le.ts", "PLAN-20250101-ABC"), ("src/enc-utf16be.ts", "PLAN-20250102-UML")]
    {
        let traces: Vec<_> =
            json["traces"].as_array().unwrap().iter().filter(|t| t["path"] == path).collect();
        assert!(!traces.is_empty(), "{path} traced: {}", json["traces"]);
        assert!(traces.iter().any(|t| t.to_string().contains(plan)), "{traces:?}");
    }
    let page = crate::read(out.path(), "files/src/enc-utf16le.ts.html");
    assert!(page.contains('—'), "the UTF-16 text is decoded: {page}");
}

#[test]
fn lone_cr_line_endings_keep_requirements_apart() {
    let (out, _) = build(&fixture("encodings"));
    let json = trace_json(out.path());
    let plan =
        json["plans"].as_array().unwrap().iter().find(|p| p["id"] == "PLAN-20250105-CR").expect("CR plan");
    let reqs: Vec<(&str, &str)> = plan["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["id"].as_str().unwrap(), r["title"].as_str().unwrap()))
        .collect();
    assert_eq!(reqs, vec![("REQ-CR-001", "First requirement"), ("REQ-CR-002", "Second requirement")]);
}

#[test]
fn mixed_encoding_keeps_utf8_and_names_the_cp1252_line() {
    let (out, _) = build(&fixture("encodings"));
    let json = trace_json(out.path());
    let mut notes = findings_for(&json, "project-plans/enc-mixed.md");
    notes.retain(|d| d["code"] == "encoding");
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!((&notes[0]["code"], &notes[0]["line"]), (&"encoding".into(), &6.into()), "{notes:?}");
    assert!(notes[0]["message"].as_str().unwrap().contains("lines 6"), "{notes:?}");
    let page = crate::read(out.path(), "docs/project-plans/enc-mixed.md.html");
    assert!(page.contains("A UTF-8 em dash — stays"), "{page}");
    assert!(page.contains("cp1252 dash — on line 6"), "{page}");
    assert!(!page.contains("â€"), "no UTF-8 read as cp1252: {page}");
}

#[test]
fn every_skipped_file_is_named_with_its_reason() {
    let (out, _) = build(&fixture("encodings"));
    let json = trace_json(out.path());
    for (path, reason) in [("docs/enc-nul.md", "NUL byte"), ("src/enc-oversized.ts", "over the limit")] {
        let found = findings_for(&json, path);
        assert!(
            found
                .iter()
                .any(|d| d["code"] == "skipped-file" && d["message"].as_str().unwrap().contains(reason)),
            "{path}: {found:?}"
        );
    }
}

#[cfg(unix)]
#[test]
fn unreadable_folders_and_files_are_reported_with_relative_paths() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    crate::copy_dir(&fixture("encodings"), tmp.path());
    let locked = tmp.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    std::fs::write(locked.join("a.ts"), "// @plan:PLAN-20250101-ABC\n").unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let secret = tmp.path().join("src/secret.ts");
    std::fs::write(&secret, "// @plan:PLAN-20250101-ABC\n").unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o000)).unwrap();
    // Root can read anything: then there is nothing to report.
    let readable = std::fs::read_dir(&locked).is_ok();
    let o = crate::tracemark(&["check", tmp.path().to_str().unwrap(), "--format", "json"]);
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(!stdout.contains(tmp.path().to_str().unwrap()), "no absolute path: {stdout}");
    if !readable {
        assert!(stdout.contains("\"locked\""), "{stdout}");
        assert!(stdout.contains("src/secret.ts"), "{stdout}");
    }
}

#[test]
fn ids_that_map_to_one_file_name_get_two_pages() {
    let (out, _) = build(&fixture("encodings"));
    let json = trace_json(out.path());
    let plan =
        json["plans"].as_array().unwrap().iter().find(|p| p["id"] == "PLAN-20250107-TK").expect("TK plan");
    let text = plan.to_string();
    assert!(text.contains("TK:1") && text.contains("TK_1"), "{text}");
    let dir = out.path().join("plans/PLAN-20250107-TK/items/ticket");
    let mut pages: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    assert_eq!(pages.len(), 2, "{pages:?}");
    let colon =
        std::fs::read_to_string(dir.join(pages.iter().find(|p| p.starts_with("TK_1-")).unwrap())).unwrap();
    let underscore = std::fs::read_to_string(dir.join("TK_1.html")).unwrap();
    assert!(colon.contains("Colon ticket") && underscore.contains("Underscore ticket"));
}
