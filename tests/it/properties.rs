//! Property tests of the readers outside `plan` (the plan readers' properties sit in
//! `src/plan/readers.rs`): the marker scanner, the config parser and the markdown
//! renderer take any string without panicking. 256 cases each, so the suite stays fast;
//! the fuzz targets under `fuzz/` search much longer.

use proptest::prelude::*;
use tracemark::grammar::Grammar;
use tracemark::render::highlight::{Highlighter, plain_lines};
use tracemark::render::markdown::{Linker, render};

/// Text built from marker and markdown pieces, so cases reach the scanners' inner paths.
fn marker_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("// ".to_string()),
        Just("/* ".to_string()),
        Just(" */".to_string()),
        Just("/// ".to_string()),
        Just("# ".to_string()),
        Just("<!-- ".to_string()),
        Just(" -->".to_string()),
        Just("\"".to_string()),
        Just("'''".to_string()),
        Just("`".to_string()),
        Just("```".to_string()),
        Just("@plan:".to_string()),
        Just("@plan ".to_string()),
        Just("@requirement:".to_string()),
        Just("@requirement ".to_string()),
        Just("@task:".to_string()),
        Just("@risk:".to_string()),
        Just("@pseudocode lines ".to_string()),
        Just("PLAN-20250101-ABC".to_string()),
        Just(".P05a".to_string()),
        Just("REQ-X-001".to_string()),
        Just("..003".to_string()),
        Just(",".to_string()),
        Just("it('".to_string()),
        Just("it.each([".to_string()),
        Just("(".to_string()),
        Just(")".to_string()),
        Just("fn x() {".to_string()),
        Just("}".to_string()),
        Just("#[test]".to_string()),
        Just("[x](javascript:alert(1))".to_string()),
        Just("<script>".to_string()),
        Just("—".to_string()),
        Just("Ü".to_string()),
        Just("😀".to_string()),
        Just("\r".to_string()),
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        Just("  ".to_string()),
        "[a-z0-9 ]{0,6}".prop_map(|s| s),
        any::<char>().prop_map(|c| c.to_string()),
    ];
    prop::collection::vec(piece, 0..50).prop_map(|v| v.concat())
}

struct Links;

impl Linker for Links {
    fn id_url(&self, id: &str) -> Option<String> {
        id.len().is_multiple_of(2).then(|| format!("../ids/{id}.html"))
    }
    fn path_url(&self, path: &str) -> Option<String> {
        path.len().is_multiple_of(2).then(|| format!("../files/{path}.html"))
    }
}

struct Plain;

impl Highlighter for Plain {
    fn highlight_lines(&self, text: &str, _lang: &str) -> Vec<String> {
        plain_lines(text)
    }
    fn name(&self) -> &'static str {
        "plain"
    }
}

fn scan_all(text: &str) {
    let grammar = Grammar::default();
    for path in ["a.ts", "a.rs", "a.py", "a.md", "a.c", "a.sh", "a.txt"] {
        let scan = tracemark::source::scan(path, text, 40, &grammar);
        let lines = u32::try_from(tracemark::text::lines(text).len()).unwrap_or(u32::MAX).max(1);
        for m in &scan.markers {
            assert!(m.line >= 1 && m.line <= lines, "marker line {} of {lines}", m.line);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn marker_scanner_never_panics(text in marker_text()) { scan_all(&text) }

    #[test]
    fn marker_scanner_takes_any_string(text in any::<String>()) { scan_all(&text) }

    #[test]
    fn config_parser_never_panics(text in any::<String>()) {
        if let Ok(raw) = tracemark::config::parse(&text) {
            let _ = tracemark::config::Config::from_raw("/nonexistent-root".into(), raw, None);
        }
    }

    #[test]
    fn config_parser_takes_config_shaped_text(
        key in "(title|out|plans|include|exclude|max_file_size|excerpt_lines|highlighter|kinds\\.x|severity)",
        value in "(\"[^\"]{0,8}\"|\\[\"[*a-z/]{0,6}\"\\]|-?[0-9]{1,20}|\\{ pattern = \"[(\\[a-z*+\\\\]{0,6}\" \\})",
    ) {
        let text = format!("{key} = {value}\n");
        if let Ok(raw) = tracemark::config::parse(&text) {
            let _ = tracemark::config::Config::from_raw("/nonexistent-root".into(), raw, None);
        }
    }

    #[test]
    fn markdown_renderer_never_panics(text in marker_text()) {
        let _ = render(&text, "project-plans/x/plan/01.md", &Links, &Plain);
    }
}
