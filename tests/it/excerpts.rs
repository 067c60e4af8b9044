//! What a trace shows and where its findings point: the excerpt of the item a marker
//! documents (through doc lines, attributes and decorators to the item's end, long doc
//! comments elided with a gap), in `trace.json` and on the requirement page; findings
//! at the offending marker's own line.

use crate::{Finding, check_findings, fixture};
use serde_json::Value;

/// `check --format json` of a fixture: its findings as (code, path, line, message).
fn findings(name: &str) -> Vec<Finding> {
    check_findings(&fixture(name)).1
}

/// A comment block with two stacked traces: each finding names the line of the marker
/// it is about, not the first marker of its trace nor the first line of the block.
#[test]
fn findings_point_at_the_offending_markers_line() {
    let mut got: Vec<(String, u64, String)> = findings("finding-lines")
        .into_iter()
        .filter(|f| f.1 == "src/ledger.ts")
        .map(|(code, _, line, msg)| (code, line, msg))
        .collect();
    got.sort();
    let lines: Vec<(&str, u64)> = got.iter().map(|(c, l, _)| (c.as_str(), *l)).collect();
    assert_eq!(
        lines,
        [("dangling-reference", 10), ("dangling-reference", 11), ("unresolved-marker", 12)],
        "{got:?}"
    );
    assert!(got[0].2.contains("REQ-LG-404"), "{got:?}");
    assert!(got[1].2.contains("PLAN-20250301-NOWHERE"), "{got:?}");
}

/// A trace's first marker line, its excerpt's ranges and whether the excerpt is cut.
type Shown = (u64, Vec<(u64, u64)>, bool);

/// `trace.json` traces of one file.
fn traces_of(json: &Value, path: &str) -> Vec<Shown> {
    json["traces"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["path"] == path)
        .map(|t| {
            let ranges = t["ranges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| (r[0].as_u64().unwrap(), r[1].as_u64().unwrap()))
                .collect::<Vec<_>>();
            // The span stays where it was for older readers.
            let span = (ranges[0].0, ranges[ranges.len() - 1].1);
            assert_eq!(t["excerpt"], serde_json::json!([span.0, span.1]), "{t}");
            (t["line"].as_u64().unwrap(), ranges, t["excerpt_cut"].as_bool().unwrap())
        })
        .collect()
}

/// A requirement page's text, tags removed and the usual entities decoded.
fn page_text(out: &std::path::Path, req: &str) -> String {
    let html = crate::read(out, &format!("plans/PLAN-20250401-PARSER/requirements/{req}.html"));
    let text = regex::Regex::new("<[^>]*>").unwrap().replace_all(&html, "");
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// One file per shape (`tests/fixtures/excerpts/src/`): the excerpt runs from the
/// marker's comment through doc lines, attributes and decorators to the end of the item
/// it documents; a long doc comment is elided between the markers and the item.
#[test]
fn excerpts_are_the_documented_items() {
    let (out, _) = crate::build(&fixture("excerpts"));
    let json = crate::trace_json(out.path());
    let one = |a, b| vec![(a, b)];
    // Rust: 45 story lines in the doc comment, `#[must_use]`, a multi-line
    // `#[cfg_attr(…)]`, then the fn; a derive before a struct.
    assert_eq!(
        traces_of(&json, "src/config.rs"),
        [(4, vec![(3, 28), (52, 65)], false), (67, one(67, 71), false)]
    );
    assert_eq!(traces_of(&json, "src/reader.c"), [(5, vec![(3, 35), (54, 60)], false)]);
    assert_eq!(traces_of(&json, "src/panel.ts"), [(3, one(3, 11), false)]);
    assert_eq!(traces_of(&json, "src/test_config.py"), [(6, one(6, 13), false), (20, one(16, 25), false)]);
    assert_eq!(traces_of(&json, "src/ConfigParserTest.java"), [(8, one(7, 18), false)]);
    assert_eq!(traces_of(&json, "src/ConfigParser.kt"), [(4, one(4, 13), false)]);
    // TypeScript: a file's comment after its imports, standing apart, is shown alone;
    // markers at the top of a test's body give the whole test; a comment above a test
    // at the top of a `describe` gives that test.
    assert_eq!(
        traces_of(&json, "src/session.test.ts"),
        [(9, one(7, 11), false), (15, one(14, 19), false), (21, one(21, 24), false)]
    );

    // The requirement pages show the item's signature, and a gap where lines are elided.
    let rust = page_text(out.path(), "REQ-PRS-001");
    assert!(rust.contains("pub fn parse_config(text: &str)"), "{rust}");
    assert!(rust.contains("#[cfg_attr("), "{rust}");
    assert!(rust.contains("⋯ 23 lines"), "{rust}");
    assert!(rust.contains("pub struct Section"), "{rust}");
    let c = page_text(out.path(), "REQ-PRS-007");
    assert!(c.contains("int read_key(FILE *in, char *key, size_t len)"), "{c}");
    assert!(c.contains("⋯ 18 lines"), "{c}");
    for (req, signature) in [
        ("REQ-PRS-002", "export class ConfigPanelComponent {"),
        ("REQ-PRS-003", "def test_load(text, expected):"),
        ("REQ-PRS-004", "def config_path(tmp_path):"),
        ("REQ-PRS-005", "void parsesOneKey(String text, String value) {"),
        ("REQ-PRS-006", "fun parseLine(line: String)"),
    ] {
        let text = page_text(out.path(), req);
        assert!(text.contains(signature), "{req}: {text}");
        assert!(!text.contains('⋯'), "{req}: no gap in a short excerpt: {text}");
    }
    // The next item is never part of an excerpt.
    for req in [
        "REQ-PRS-001",
        "REQ-PRS-002",
        "REQ-PRS-003",
        "REQ-PRS-005",
        "REQ-PRS-006",
        "REQ-PRS-007",
        "REQ-PRS-008",
        "REQ-PRS-009",
    ] {
        assert!(!page_text(out.path(), req).contains("unrelated"), "{req}");
    }
}

/// A small cap (`excerpt_lines`) keeps the marker lines and the item's start, and the
/// excerpt says it was cut.
#[test]
fn a_cut_excerpt_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    crate::copy_dir(&fixture("excerpts"), tmp.path());
    std::fs::write(tmp.path().join("tracemark.toml"), "excerpt_lines = 8\n").unwrap();
    let (out, _) = crate::build(tmp.path());
    let json = crate::trace_json(out.path());
    // Lines 3–5: `/**` … the markers; 54–57: the function's first lines.
    assert_eq!(traces_of(&json, "src/reader.c"), [(5, vec![(3, 6), (54, 57)], true)]);
    let c = page_text(out.path(), "REQ-PRS-007");
    assert!(c.contains("int read_key("), "{c}");
    assert!(c.contains("⋯ 47 lines"), "{c}");
    assert!(c.contains("cut at 8 lines"), "{c}");
}

/// A plan page lists its findings: those in its folder and those on the markers that
/// name it (here the dangling requirement in the trace that names
/// `PLAN-20250301-LEDGER`, not the findings of the next trace in the same comment, which
/// names another plan), grouped by code; the findings card links to the open items,
/// which link there.
#[test]
fn a_plan_page_lists_the_findings_of_its_folder_and_its_markers() {
    let (out, _) = crate::build(&fixture("finding-lines"));
    let page = crate::read(out.path(), "plans/PLAN-20250301-LEDGER/index.html");
    let findings = page.split(r#"<h2 id="findings">"#).nth(1).expect("a findings section");
    let findings = findings.split(r#"<h2 id="documents">"#).next().unwrap();
    assert!(page.contains(r##"<a href="#open-items"><b>1</b><span>findings</span></a>"##), "{page}");
    assert!(page.contains(r##"<a href="#findings">1 finding</a> on this plan"##), "{page}");
    assert!(findings.contains("<code>dangling-reference</code>"), "{findings}");
    assert!(findings.contains("REQ-LG-404"), "{findings}");
    assert!(findings.contains(r#"href="../../files/src/ledger.ts.html#L10""#), "{findings}");
    assert!(!findings.contains("PLAN-20250301-NOWHERE"), "another trace's finding: {findings}");
    assert!(!findings.contains("unresolved-marker"), "{findings}");
}
