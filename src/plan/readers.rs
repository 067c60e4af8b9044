//! One entry point per plan reader, each taking a document's whole text, for the fuzz
//! targets under `fuzz/` (cargo feature `fuzzing`) and the property tests below (any
//! text in, no panic out). Each runs the reader the way `parse_folder` does: the text
//! split into lines with its fence mask, tables read first where the reader uses them.
//! The results are dropped; only panics matter here.

use super::declare::declarations as read_declarations;
use super::doc::Doc;
use super::item::{items as read_items, section_details};
use super::phase::{heading_phases, parse_phase_list, strip_title_prefix, table_claims, table_phases};
use super::requirement::{candidates, requirement_tags, tokens};
use super::table::tables as read_tables;
use super::tracker::{record_phase, record_rank, tracker_rows};
use super::{InputFile, normalise_status, parse_folder};
use crate::grammar::Grammar;

/// Plan-ID declarations, in a markdown document and in a `.json` file.
pub fn declarations(text: &str) {
    for path in ["p/x.md", "p/x.json"] {
        let doc = Doc::new("p", path, text, false);
        let _ = read_declarations(&doc);
    }
}

/// ATX headings, phase headings (with their sections) and title prefixes.
pub fn headings(text: &str) {
    let doc = Doc::new("p", "p/plan.md", text, false);
    let _ = heading_phases(&doc);
    for (_, _, h) in &doc.headings {
        let _ = strip_title_prefix(h);
        let _ = parse_phase_list(h, true);
    }
}

/// Requirement definitions (in a specification and elsewhere), tags and tokens.
pub fn requirements(text: &str) {
    let doc = Doc::new("p", "p/specification.md", text, false);
    let tables = read_tables(&doc.lines, &doc.fenced);
    let grammar = crate::grammar::Grammar::default();
    let _ = candidates(&doc, &tables, true, &grammar);
    let _ = candidates(&doc, &tables, false, &grammar);
    for line in &doc.lines {
        let _ = requirement_tags(line);
        let _ = tokens(line);
    }
}

/// Markdown tables, the phases and requirement claims read from them.
pub fn tables(text: &str) {
    let doc = Doc::new("p", "p/plan.md", text, false);
    let tables = read_tables(&doc.lines, &doc.fenced);
    let _ = table_phases(&tables);
    let _ = table_claims(&tables);
}

/// An execution tracker's rows and their status words.
pub fn trackers(text: &str) {
    let doc = Doc::new("p", "p/execution-tracker.md", text, false);
    let tables = read_tables(&doc.lines, &doc.fenced);
    for row in tracker_rows(&tables) {
        let _ = normalise_status(&row.raw);
    }
}

/// Completion records: each line of `text` as a record's file name, then `text` as a
/// record's content in a whole plan folder.
pub fn completion_records(text: &str) {
    for name in text.lines() {
        let _ = record_phase(name);
        let _ = record_rank(name);
    }
    let files = [
        InputFile { path: "p/plan/01-x.md", text: Some("## Phase ID\n`PLAN-A1.P01`\n") },
        InputFile { path: "p/.completed/P01.md", text: Some(text) },
        InputFile { path: "p/plan/execution-tracker.md", text: Some(text) },
    ];
    let _ = parse_folder("p", &files, &Grammar::default());
}

/// Items (tasks, risks, checklists, gates) and the labelled lines of sections.
pub fn items(text: &str) {
    let grammar = Grammar::default();
    let doc = Doc::new("p", "p/plan.md", text, false);
    let tables = read_tables(&doc.lines, &doc.fenced);
    let _ = read_items(&doc, &tables, &grammar);
    let _ = section_details(&doc, (0, doc.lines.len()), &grammar);
}

/// A whole plan folder whose documents are `text` in every role.
pub fn folder(text: &str) {
    let files = [
        InputFile { path: "p/specification.md", text: Some(text) },
        InputFile { path: "p/plan/01-x.md", text: Some(text) },
        InputFile { path: "p/overview.md", text: Some(text) },
        InputFile { path: "p/analysis/x.md", text: Some(text) },
    ];
    let _ = parse_folder("p", &files, &Grammar::default());
    let _ = parse_folder("one.md", &[InputFile { path: "one.md", text: Some(text) }], &Grammar::default());
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Text made of the pieces plan documents are built from (headings, table pipes,
    /// IDs, fences, multi-byte characters, CR/LF) so that random cases reach the
    /// readers' deeper paths, not only their first `if`.
    fn plan_text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("# ".to_string()),
            Just("## ".to_string()),
            Just("### ".to_string()),
            Just(" ##".to_string()),
            Just("| ".to_string()),
            Just("|---|---|".to_string()),
            Just("PLAN-20250101-ABC".to_string()),
            Just(".P05a".to_string()),
            Just("REQ-X-001".to_string()),
            Just("T-001".to_string()),
            Just("R-001".to_string()),
            Just("Phase ID".to_string()),
            Just("Plan ID: ".to_string()),
            Just("Status".to_string()),
            Just("- [x] ".to_string()),
            Just("**".to_string()),
            Just("`".to_string()),
            Just("```".to_string()),
            Just(": ".to_string()),
            Just("—".to_string()),
            Just("Ü".to_string()),
            Just("😀".to_string()),
            Just("\r".to_string()),
            Just("\n".to_string()),
            Just("\r\n".to_string()),
            Just("  ".to_string()),
            Just("..".to_string()),
            Just("-".to_string()),
            "[a-z0-9 ]{0,6}".prop_map(|s| s),
            any::<char>().prop_map(|c| c.to_string()),
        ];
        prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn declarations_never_panic(text in plan_text()) { declarations(&text) }

        #[test]
        fn headings_never_panic(text in plan_text()) { headings(&text) }

        #[test]
        fn requirements_never_panic(text in plan_text()) { requirements(&text) }

        #[test]
        fn tables_never_panic(text in plan_text()) { tables(&text) }

        #[test]
        fn trackers_never_panic(text in plan_text()) { trackers(&text) }

        #[test]
        fn completion_records_never_panic(text in plan_text()) { completion_records(&text) }

        #[test]
        fn items_never_panic(text in plan_text()) { items(&text) }

        #[test]
        fn folders_never_panic(text in plan_text()) { folder(&text) }

        #[test]
        fn any_string_never_panics(text in any::<String>()) {
            declarations(&text);
            headings(&text);
            requirements(&text);
            tables(&text);
            items(&text);
        }
    }
}
