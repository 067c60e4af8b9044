//! Phases (`docs/grammar.md` §3.1–§3.3): phase file names
//! (`plan/05a-impl-verification.md`, `P03-x.md`, `P00.5-preflight.md`), phase tables
//! (a `Phase`/`ID` column with `P01`/`P01a`/bare `01` cells, a title column and an
//! optional `Verification` column), `## P03: …` / `### Phase 3: …` headings of one-file
//! plans, and the requirement→phase mapping tables of both orientations.

use super::doc::Doc;
use super::table::{Table, header_key, plain_cell};
use crate::grammar::canonical_phase;
use regex::Regex;
use std::sync::LazyLock;

/// The canonical phase a file name stands for: `05a-impl.md` → `P05a`,
/// `P03-stub.md` → `P03`, `P00.5-preflight.md` → `P00.5`. Bare numbers take one to
/// three digits (so dated notes are not phases).
pub(crate) fn phase_from_file_name(name: &str) -> Option<String> {
    static RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(?:P([0-9]{1,3}(?:\.[0-9]+)?)|([0-9]{1,3}(?:\.[0-9]+)?))([a-eA-E]?)(?:-[^/]*)?\.(?:md|markdown)$")
            .expect("valid regex")
    });
    let c = RE.captures(name)?;
    let num = c.get(1).or(c.get(2))?.as_str();
    // A bare-number file needs a slug (`01-x.md`), a `P` file may stand alone (`P05.md`).
    if c.get(2).is_some()
        && !name[num.len()..].trim_start_matches(|ch: char| ch.is_ascii_alphabetic()).starts_with('-')
    {
        return None;
    }
    Some(canonical_phase(&format!("P{num}{}", &c[3])))
}

/// Parses one cell naming a single phase: `P05`, `P05a`, `P0.5`, `P03a-V`, and bare
/// `05`/`05a`/`0.5` when `bare` is allowed. Emphasis and ticks are ignored.
pub(crate) fn parse_phase_cell(cell: &str, bare: bool) -> Option<String> {
    static RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(?:(R[0-9]+)[.-])?(P?)([0-9]{1,3}(?:\.[0-9]+)?)([A-Za-z]{0,2})(-V)?$")
            .expect("valid regex")
    });
    let c = RE.captures(plain_cell(cell))?;
    if c[2].is_empty() && !bare {
        return None;
    }
    let suffix = &c[4];
    if !suffix.is_empty() && !suffix.chars().all(|ch| matches!(ch.to_ascii_lowercase(), 'a'..='e')) {
        return None;
    }
    let mut id = String::new();
    if let Some(r) = c.get(1) {
        id.push_str(r.as_str());
        id.push('.');
    }
    id.push_str(&format!("P{}{}", &c[3], suffix));
    if c.get(5).is_some() {
        id.push_str("-V");
    }
    Some(canonical_phase(&id))
}

/// Every phase named in a mapping cell: `P04, P05`, `P07–P08`, `Phase 06-08 (size
/// limits)`, `P05a`, bare `06, 07` (when `bare`). Parenthesised remarks are ignored;
/// ranges expand over whole numbers (at most 60 phases).
pub(crate) fn parse_phase_list(cell: &str, bare: bool) -> Vec<String> {
    static PAREN: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\([^)]*\)").expect("valid regex"));
    static RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?i:\bphases?\s+)?\b(P?)([0-9]{1,3}(?:\.[0-9]+)?)([a-e]?)\b(?:\s*(?:[-–—]|\.\.|\bto\b|\bthrough\b)\s*P?([0-9]{1,3})([a-e]?)\b)?",
        )
        .expect("valid regex")
    });
    let cleaned = PAREN.replace_all(cell, " ");
    let cleaned: String = cleaned.chars().filter(|c| !matches!(c, '*' | '`')).collect();
    let mut out = Vec::new();
    for c in RE.captures_iter(&cleaned) {
        let whole = c.get(0).map(|m| m.as_str()).unwrap_or("");
        let prefixed = !c[1].is_empty() || whole.to_ascii_lowercase().starts_with("phase");
        if !prefixed && !bare {
            continue;
        }
        // Not part of a larger token such as `REQ-006` or a date.
        let start = c.get(0).map(|m| m.start()).unwrap_or(0);
        if cleaned[..start].ends_with(['-', '.', '/', ':']) {
            continue;
        }
        let from = &c[2];
        match c.get(4) {
            Some(to) if !from.contains('.') => {
                let (a, b) = (from.parse::<u32>().unwrap_or(0), to.as_str().parse::<u32>().unwrap_or(0));
                if b >= a && b - a <= 60 {
                    for n in a..=b {
                        let suffix = if n == a {
                            &c[3]
                        } else if n == b {
                            &c[5]
                        } else {
                            ""
                        };
                        out.push(canonical_phase(&format!("P{n}{suffix}")));
                    }
                } else {
                    out.push(canonical_phase(&format!("P{from}{}", &c[3])));
                }
            }
            _ => out.push(canonical_phase(&format!("P{from}{}", &c[3]))),
        }
    }
    out.dedup();
    out
}

/// Removes a phase prefix from a title: `Phase 05a: Impl` → `Impl`, `P03: Stub` →
/// `Stub`, `PLAN-X.P03 — Stub` → `Stub`, `PLAN-X (Revised)` → `(Revised)`, `Plan: Foo` → `Foo`.
pub(crate) fn strip_title_prefix(title: &str) -> String {
    static RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(&format!(
            r"^(?:(?i:plan)\s*:\s*)?(?:{}(?:\.{})?(?:\s*[:—–·-]\s*|\s+|$))?(?:(?:(?i:phase)\s+P?|P)[0-9]+(?:\.[0-9]+)?[A-Za-z]?(?:\s*[-–]\s*P?[0-9]+[A-Za-z]?)?\s*(?:[:—–.-]\s*|$))?",
            crate::grammar::PLAN_ID,
            crate::grammar::PHASE
        ))
        .expect("valid regex")
    });
    let t = title.trim().trim_matches('*').trim();
    let end = RE.find(t).map(|m| m.end()).unwrap_or(0);
    t[end..].trim().trim_matches('*').trim().to_string()
}

/// A phase defined by a table row or a heading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    /// Canonical phase ID.
    pub(crate) id: String,
    /// Title, possibly empty.
    pub(crate) title: String,
    /// 1-based line.
    pub(crate) line: u32,
    /// Section range for headings.
    pub(crate) section: Option<(u32, u32)>,
}

const TITLE_COLUMNS: [&str; 5] = ["title", "name", "focus", "purpose", "description"];
const NON_TITLE_COLUMNS: [&str; 12] = [
    "phase",
    "id",
    "phase id",
    "status",
    "started",
    "completed",
    "verified",
    "requirements",
    "requirement",
    "verification",
    "notes",
    "semantic?",
];

/// The column holding phase IDs of a phase-major table, and whether it allows bare
/// numbers: a `Phase`/`Phase ID` column (bare allowed), else an `ID` column (`P`
/// required).
fn phase_columns(t: &Table) -> Vec<(usize, bool)> {
    let mut cols = Vec::new();
    if let Some(i) = t.column(|h| h == "id" || h == "phase id") {
        cols.push((i, false));
    }
    if let Some(i) = t.column(|h| h == "phase" || h == "phase #" || h == "#") {
        cols.push((i, true));
    }
    cols
}

/// The phase a phase-major row names, trying the `ID` column before the `Phase` one.
pub(crate) fn row_phase(cols: &[(usize, bool)], cells: &[String]) -> Option<String> {
    cols.iter().find_map(|&(i, bare)| cells.get(i).and_then(|c| parse_phase_cell(c, bare)))
}

/// Whether a table is requirement-major: a `Requirement…` column before any column
/// whose name mentions `phase`.
fn requirement_major(t: &Table) -> Option<(usize, Vec<usize>)> {
    let req = t.column(|h| h.starts_with("req"))?;
    let phases: Vec<usize> =
        (0..t.header.len()).filter(|&i| i != req && header_key(&t.header[i]).contains("phase")).collect();
    (!phases.is_empty() && phases[0] > req).then_some((req, phases))
}

/// The phases a document's tables define: phase-major tables' rows (title from a
/// Title/Name/Focus/Purpose/Description column or the first other column) and their
/// `Verification` cells (`P00a – Overview verification`).
pub(crate) fn table_phases(tables: &[Table]) -> Vec<Found> {
    static VERIF: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^\s*\**`?(P[0-9]{1,3}(?:\.[0-9]+)?[A-Za-z]?)`?\**\s*(?:[–—:-]\s*(.*))?$")
            .expect("valid regex")
    });
    let mut out = Vec::new();
    for t in tables {
        if requirement_major(t).is_some() {
            continue;
        }
        let cols = phase_columns(t);
        if cols.is_empty() {
            continue;
        }
        let title_col = TITLE_COLUMNS.iter().find_map(|name| t.column(|h| h == *name)).or_else(|| {
            (0..t.header.len()).find(|&i| {
                let k = header_key(&t.header[i]);
                !cols.iter().any(|c| c.0 == i)
                    && !NON_TITLE_COLUMNS.contains(&k.as_str())
                    && !k.contains("req")
            })
        });
        let verif_col = t.column(|h| h == "verification");
        for (line, cells) in &t.rows {
            let Some(id) = row_phase(&cols, cells) else { continue };
            let title =
                title_col.and_then(|i| cells.get(i)).map(|c| c.trim().to_string()).unwrap_or_default();
            out.push(Found { id, title, line: *line, section: None });
            if let Some(v) = verif_col.and_then(|i| cells.get(i))
                && let Some(c) = VERIF.captures(v)
            {
                let id = canonical_phase(&c[1]);
                let title = c.get(2).map(|m| m.as_str().trim().to_string()).unwrap_or_default();
                out.push(Found { id, title, line: *line, section: None });
            }
        }
    }
    out
}

/// The phases defined as headings in a one-file plan: `## P03: Title`,
/// `### Phase 3: Title`, `## Phase 03a — Title`, `# Phase P01: Title` (plans that
/// concatenate phase documents), each with its section's line range. A range heading
/// (`## Phase 17-20: Title`, `## P05–P07: Title`) defines each phase of the range (at
/// most 60) with the same title and section.
pub(crate) fn heading_phases(doc: &Doc<'_>) -> Vec<Found> {
    static RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(?:\*\*)?(?:P|(?i:phase)\s+P?)([0-9]{1,3}(?:\.[0-9]+)?)([a-eA-E]?)(?:\s*[-–]\s*P?([0-9]{1,3})\b)?(?:\*\*)?\s*(?:[:—–.-]\s*(.*)|$)")
            .expect("valid regex")
    });
    // Lettered execution phases: `### Phase A — Planning & Controls` (`docs/grammar.md` §5).
    static LETTER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(?:\*\*)?(?i:phase)\s+([A-Z])(?:\*\*)?\s*[:—–.-]\s*(.+)$").expect("valid regex")
    });
    let mut out = Vec::new();
    for (at, level, text) in &doc.headings {
        let (ids, title) = if let Some(c) = RE.captures(text) {
            let title =
                c.get(4).map(|m| m.as_str().trim().trim_matches('*').trim().to_string()).unwrap_or_default();
            let first = canonical_phase(&format!("P{}{}", &c[1], &c[2]));
            let range = match (c[1].parse::<u32>(), c.get(3).map(|m| m.as_str().parse::<u32>())) {
                (Ok(a), Some(Ok(b))) if c[2].is_empty() && b > a && b - a <= 60 => {
                    (a..=b).map(|n| canonical_phase(&format!("P{n}"))).collect()
                }
                _ => vec![first],
            };
            (range, title)
        } else if let Some(c) = LETTER.captures(text) {
            (vec![c[1].to_string()], c[2].trim().trim_matches('*').trim().to_string())
        } else {
            continue;
        };
        let mut end = doc.section_end(*at, *level);
        while end > at + 1 && doc.lines[end - 1].trim().is_empty() {
            end -= 1;
        }
        for id in ids {
            out.push(Found {
                id,
                title: title.clone(),
                line: *at as u32 + 1,
                section: Some((*at as u32 + 1, end as u32)),
            });
        }
    }
    out
}

/// Phases declared without their plan, with their 1-based lines, outside fences:
/// `**Phase ID:** P01`, `- Phase ID: P05a`, or a `## Phase ID` heading whose next
/// non-empty line is `` `P01` ``. (Declarations naming the plan, `PLAN-X.P01`, are
/// read by [`super::declare`].)
pub(crate) fn bare_phase_decls(doc: &Doc<'_>) -> Vec<(String, u32)> {
    static INLINE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^\s*(?:[-*+]\s+)?(?:\*\*|__)?(?i:phase\s+id)\s*(?:\*\*|__)?\s*:\s*(?:\*\*|__)?\s*`?(P[0-9]{1,3}(?:\.[0-9]+)?[a-eA-E]?)`?(?:\*\*|__)?(?:\s.*)?$")
            .expect("valid regex")
    });
    static VALUE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^\s*(?:\*\*)?`?(P[0-9]{1,3}(?:\.[0-9]+)?[a-eA-E]?)`?(?:\*\*)?\s*$").expect("valid regex")
    });
    let mut out = Vec::new();
    for (i, line) in doc.lines.iter().enumerate() {
        if doc.fenced[i] {
            continue;
        }
        if let Some(c) = INLINE.captures(line) {
            out.push((canonical_phase(&c[1]), i as u32 + 1));
        }
    }
    for (at, _, text) in &doc.headings {
        if !text.trim_matches(['*', ' ']).eq_ignore_ascii_case("phase id") {
            continue;
        }
        let next = (at + 1..doc.lines.len()).find(|&j| !doc.lines[j].trim().is_empty());
        if let Some(j) = next
            && !doc.fenced[j]
            && let Some(c) = VALUE.captures(doc.lines[j])
        {
            out.push((canonical_phase(&c[1]), *at as u32 + 1));
        }
    }
    out.sort_by_key(|x| x.1);
    out
}

/// One claim read from a mapping table: a phase, the requirement cell's tokens as
/// written, and the row's line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TableClaim {
    /// Canonical phase.
    pub(crate) phase: String,
    /// The requirement tokens (IDs, bare numbers or `all`), unresolved.
    pub(crate) tokens: Vec<String>,
    /// 1-based line of the row.
    pub(crate) line: u32,
}

/// Splits a requirement cell into tokens: IDs as written, bare numbers, or `all`.
/// Ranges between IDs that differ only in their last number expand
/// (`REQ-SP4-001 through REQ-SP4-003`, `REQ-A-01–REQ-A-03`, `005-007`; at most [`crate::grammar::ids::MAX_RANGE`]).
pub(crate) fn requirement_tokens(cell: &str) -> Vec<String> {
    let plain: String =
        cell.chars().map(|c| if matches!(c, '*' | '`' | '[' | ']' | '(' | ')') { ' ' } else { c }).collect();
    if plain.trim().eq_ignore_ascii_case("all") {
        return vec!["all".to_string()];
    }
    let spaced = plain.replace(['–', '—'], " – ");
    let raw: Vec<&str> = spaced
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '/' | '&' | '+'))
        .map(|t| t.trim_matches(|c: char| matches!(c, '.' | ':')))
        .filter(|t| !t.is_empty())
        .collect();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < raw.len() {
        let t = raw[i];
        let is_range_word =
            |w: &str| matches!(w.to_ascii_lowercase().as_str(), "through" | "to" | "–" | "..");
        if is_range_word(t) {
            if let (Some(from), Some(to)) = (out.last().cloned(), raw.get(i + 1))
                && let Some(expanded) = expand_range(&from, to)
            {
                out.pop();
                out.extend(expanded);
                i += 2;
                continue;
            }
            i += 1;
            continue;
        }
        // `005-007` written as one token.
        if let Some((a, b)) = t.split_once('-')
            && a.chars().all(|c| c.is_ascii_digit())
            && !a.is_empty()
            && let Some(expanded) = expand_range(a, b)
        {
            out.extend(expanded);
        } else {
            out.push(t.to_string());
        }
        i += 1;
    }
    out
}

/// Expands `REQ-A-001` .. `REQ-A-004`, or `005` .. `007`, with the ID grammar's range
/// expander ([`crate::grammar::ids::expand_range`]).
fn expand_range(from: &str, to: &str) -> Option<Vec<String>> {
    crate::grammar::ids::expand_range(from, to)
}

/// The claims of a document's mapping tables, in both orientations.
pub(crate) fn table_claims(tables: &[Table]) -> Vec<TableClaim> {
    let mut out = Vec::new();
    for t in tables {
        if let Some((req, phase_cols)) = requirement_major(t) {
            for (line, cells) in &t.rows {
                let Some(rc) = cells.get(req) else { continue };
                let tokens = requirement_tokens(rc);
                if tokens.is_empty() {
                    continue;
                }
                for &pc in &phase_cols {
                    for phase in cells.get(pc).map(|c| parse_phase_list(c, true)).unwrap_or_default() {
                        out.push(TableClaim { phase, tokens: tokens.clone(), line: *line });
                    }
                }
            }
            continue;
        }
        let cols = phase_columns(t);
        let Some(req) = t.column(|h| h.starts_with("req")) else { continue };
        if cols.is_empty() {
            continue;
        }
        for (line, cells) in &t.rows {
            let Some(phase) = row_phase(&cols, cells) else { continue };
            let tokens = cells.get(req).map(|c| requirement_tokens(c)).unwrap_or_default();
            if !tokens.is_empty() {
                out.push(TableClaim { phase, tokens, line: *line });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::table::tables;

    fn tabs(doc: &[&str]) -> Vec<Table> {
        tables(doc, &crate::text::fenced_lines(doc))
    }

    #[test]
    fn phase_ids_without_their_plan() {
        let text = "# Phase one\n**Phase ID:** P01\n- Phase ID: `P02a` (verification)\nPhase ID: PLAN-X.P03\n\n## Phase ID\n\n`P04`\n```\nPhase ID: P05\n```\n";
        let doc = Doc::new("f", "f/x.md", text, false);
        assert_eq!(
            bare_phase_decls(&doc),
            vec![("P01".to_string(), 2), ("P02a".to_string(), 3), ("P04".to_string(), 6)]
        );
    }

    #[test]
    fn phase_file_names() {
        assert_eq!(phase_from_file_name("00-overview.md").as_deref(), Some("P00"));
        assert_eq!(phase_from_file_name("05a-impl-verification.md").as_deref(), Some("P05a"));
        assert_eq!(phase_from_file_name("12c-extra.md").as_deref(), Some("P12c"));
        assert_eq!(phase_from_file_name("P03-stub.md").as_deref(), Some("P03"));
        assert_eq!(phase_from_file_name("P03a-stub-verification.md").as_deref(), Some("P03a"));
        assert_eq!(phase_from_file_name("P00.5-preflight.md").as_deref(), Some("P00.5"));
        assert_eq!(phase_from_file_name("P05.md").as_deref(), Some("P05"));
        assert_eq!(phase_from_file_name("01.md"), None);
        assert_eq!(phase_from_file_name("20251023-notes.md"), None);
        assert_eq!(phase_from_file_name("overview.md"), None);
    }

    #[test]
    fn phase_cells_and_lists() {
        assert_eq!(parse_phase_cell("P03a", false).as_deref(), Some("P03a"));
        assert_eq!(parse_phase_cell("03a", true).as_deref(), Some("P03a"));
        assert_eq!(parse_phase_cell("03a", false), None);
        assert_eq!(parse_phase_cell("0.5", true).as_deref(), Some("P00.5"));
        assert_eq!(parse_phase_cell("**P04A**", false).as_deref(), Some("P04a"));
        assert_eq!(parse_phase_cell("P03a-V", false).as_deref(), Some("P03a-V"));
        assert_eq!(parse_phase_cell("R20-P01", false).as_deref(), Some("R20.P01"));
        assert_eq!(parse_phase_cell("Phase A", true), None);
        assert_eq!(parse_phase_list("P04, P05", true), vec!["P04", "P05"]);
        assert_eq!(parse_phase_list("P07–P08", true), vec!["P07", "P08"]);
        assert_eq!(parse_phase_list("Phase 06-08 (size limits)", true), vec!["P06", "P07", "P08"]);
        assert_eq!(parse_phase_list("P07a, P09a", true), vec!["P07a", "P09a"]);
        assert_eq!(parse_phase_list("05, 06", true), vec!["P05", "P06"]);
        assert_eq!(parse_phase_list("05, 06", false), Vec::<String>::new());
        assert_eq!(parse_phase_list("N/A", true), Vec::<String>::new());
    }

    #[test]
    fn titles_lose_phase_prefixes() {
        assert_eq!(
            strip_title_prefix("Phase 05a: Implementation Verification"),
            "Implementation Verification"
        );
        assert_eq!(
            strip_title_prefix("Plan: Stateless Provider Hardening Phase 4"),
            "Stateless Provider Hardening Phase 4"
        );
        assert_eq!(strip_title_prefix("PLAN-20251211issue486c: LB fix"), "LB fix");
        assert_eq!(strip_title_prefix("PLAN-A1.P03 — Stub"), "Stub");
        assert_eq!(strip_title_prefix("P03: Stub"), "Stub");
        assert_eq!(
            strip_title_prefix("Phase 17-20: /todo Command Enhancements"),
            "/todo Command Enhancements"
        );
        assert_eq!(strip_title_prefix("Phase 05 - Wiring"), "Wiring");
        assert_eq!(strip_title_prefix("Phase Completion - PLAN-A1.P01"), "Phase Completion - PLAN-A1.P01");
        assert_eq!(strip_title_prefix("Provider stubs"), "Provider stubs");
        // The words after a plan ID are the title, whatever separates them.
        assert_eq!(strip_title_prefix("PLAN-20250101-COMM (Revised)"), "(Revised)");
        assert_eq!(strip_title_prefix("PLAN-20250101-COMM Execution Tracker"), "Execution Tracker");
        assert_eq!(strip_title_prefix("PLAN-A1 · Phase P06a Completion"), "Phase P06a Completion");
    }

    #[test]
    fn phase_table_with_verification_column() {
        let t = tabs(&[
            "| Phase | Focus | Verification |",
            "|-------|-------|--------------|",
            "| P00 | Plan overview | P00a – Overview verification |",
            "| P01 | Deep-dive analysis | P01a – Analysis verification |",
        ]);
        let f = table_phases(&t);
        let got: Vec<(&str, &str, u32)> =
            f.iter().map(|f| (f.id.as_str(), f.title.as_str(), f.line)).collect();
        assert_eq!(
            got,
            vec![
                ("P00", "Plan overview", 3),
                ("P00a", "Overview verification", 3),
                ("P01", "Deep-dive analysis", 4),
                ("P01a", "Analysis verification", 4)
            ]
        );
    }

    #[test]
    fn phase_table_title_purpose_and_tracker_shape() {
        let t = tabs(&[
            "| Phase | Title | Purpose |",
            "| ----- | ----- | ------- |",
            "| P01 | Guardrail Stub | Introduce scaffolding |",
            "| P01a | Guardrail Stub Verification | Record outputs |",
            "",
            "| Phase | ID | Status | Notes |",
            "|---|---|---|---|",
            "| 0.5 | P00a | [ ] | Preflight |",
            "",
            "| ID | Risk |",
            "|---|---|",
            "| 01 | Something |",
        ]);
        let f = table_phases(&t);
        let got: Vec<(&str, &str, u32)> =
            f.iter().map(|f| (f.id.as_str(), f.title.as_str(), f.line)).collect();
        assert_eq!(
            got,
            vec![("P01", "Guardrail Stub", 3), ("P01a", "Guardrail Stub Verification", 4), ("P00a", "", 8)]
        );
    }

    #[test]
    fn heading_phases_with_sections() {
        let text = "# Plan\n\n## P01: Preflight verification\n\nbody\n\n## P02: Analysis — transport\n### Detail\nx\n\n## Phase 3: Later\n# Phase P04: Top level\n";
        let doc = Doc::new("p", "p/PLAN.md", text, false);
        let f = heading_phases(&doc);
        assert_eq!(
            f,
            vec![
                Found {
                    id: "P01".into(),
                    title: "Preflight verification".into(),
                    line: 3,
                    section: Some((3, 5))
                },
                Found {
                    id: "P02".into(),
                    title: "Analysis — transport".into(),
                    line: 7,
                    section: Some((7, 9))
                },
                Found { id: "P03".into(), title: "Later".into(), line: 11, section: Some((11, 11)) },
                Found { id: "P04".into(), title: "Top level".into(), line: 12, section: Some((12, 12)) },
            ]
        );
    }

    #[test]
    fn a_range_heading_defines_each_phase_of_the_range() {
        let text = "# Plan\n\n## Phase 17-20: Persistence rounds\n\nbody\n\n## P21 – P22: Cleanup\n";
        let doc = Doc::new("p", "p/PLAN.md", text, false);
        let f: Vec<(String, String, u32)> =
            heading_phases(&doc).into_iter().map(|f| (f.id, f.title, f.line)).collect();
        let want = |ids: &[&str], title: &str, line| {
            ids.iter().map(|i| (i.to_string(), title.to_string(), line)).collect::<Vec<_>>()
        };
        let mut expected = want(&["P17", "P18", "P19", "P20"], "Persistence rounds", 3);
        expected.extend(want(&["P21", "P22"], "Cleanup", 7));
        assert_eq!(f, expected);
    }

    #[test]
    fn mapping_tables_both_orientations() {
        let t = tabs(&[
            "| Requirement | Covered Phases | Notes |",
            "|---|---|---|",
            "| REQ-SP4-001 | P04, P05 | guards (P04) |",
            "| REQ-SP4-003 | P07–P08 | x |",
            "",
            "| Requirement ID | Requirement Summary | Phase(s) | Status |",
            "|---|---|---|---|",
            "| REQ-A-001 | sum | Phase 06-07 (limits) | done |",
            "",
            "| Phase | Title | Requirements |",
            "|---|---|---|",
            "| P05 | Frame capacity | 006, 007 |",
            "| P18 | Docs | all |",
        ]);
        let c = table_claims(&t);
        let got: Vec<(&str, Vec<&str>, u32)> = c
            .iter()
            .map(|c| (c.phase.as_str(), c.tokens.iter().map(String::as_str).collect(), c.line))
            .collect();
        assert_eq!(
            got,
            vec![
                ("P04", vec!["REQ-SP4-001"], 3),
                ("P05", vec!["REQ-SP4-001"], 3),
                ("P07", vec!["REQ-SP4-003"], 4),
                ("P08", vec!["REQ-SP4-003"], 4),
                ("P06", vec!["REQ-A-001"], 8),
                ("P07", vec!["REQ-A-001"], 8),
                ("P05", vec!["006", "007"], 12),
                ("P18", vec!["all"], 13),
            ]
        );
        // A requirement-major table defines no phases.
        assert_eq!(table_phases(&t).iter().map(|f| f.id.as_str()).collect::<Vec<_>>(), vec!["P05", "P18"]);
    }

    #[test]
    fn requirement_cells_expand_ranges() {
        assert_eq!(
            requirement_tokens("REQ-SP4-001 through REQ-SP4-003"),
            vec!["REQ-SP4-001", "REQ-SP4-002", "REQ-SP4-003"]
        );
        assert_eq!(requirement_tokens("REQ-A-01–REQ-A-02, REQ-B-1"), vec!["REQ-A-01", "REQ-A-02", "REQ-B-1"]);
        assert_eq!(requirement_tokens("005-007"), vec!["005", "006", "007"]);
        assert_eq!(requirement_tokens("**All**"), vec!["all"]);
        assert_eq!(requirement_tokens("REQ-A-1 to REQ-B-2"), vec!["REQ-A-1", "REQ-B-2"]);
    }

    #[test]
    fn tdd_and_impl_phase_columns() {
        let t = tabs(&[
            "| Requirement | Description | TDD Phase | Impl Phase | Pseudocode Lines |",
            "|---|---|---|---|---|",
            "| REQ-001 | d | P04 | P05 | 10-20 |",
        ]);
        let c = table_claims(&t);
        assert_eq!(c.iter().map(|c| c.phase.as_str()).collect::<Vec<_>>(), vec!["P04", "P05"]);
    }
}
