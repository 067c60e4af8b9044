//! Phase status (`docs/grammar.md` §3.4–§3.6): `execution-tracker.md` rows,
//! with the phase and status columns found by header name, and `.completed/` records,
//! whose file name names the phase.
//!
//! The status vocabulary is normalised by the earliest marker in the cell, so
//! `⬜ PENDING` is pending and `` `[x]` **PASS** — G2–G9 … `` is done:
//! - done: `[x]`, `✅`, `✔`, `☑`, `[OK]`, `[DONE]`, `done`, `complete(d)`, `pass(ed)`,
//!   `verified`, `merged`, `resolved`;
//! - in progress: `⏳`, `🔄`, `[~]`, `in progress`, `in-progress`, `wip`, `partial`,
//!   `started`, `running`;
//! - pending: `[ ]`, `⬜`, `[_]`, `pending`, `todo`, `not started`, `not run`,
//!   `incomplete`, `not complete`, `awaiting`, `planned`;
//! - failed: `❌`, `[!]`, `fail(ed)`, `blocked`;
//! - anything else (`N/A`, `-`, `skipped`, empty): unknown.
//!
//! A failure that was later fixed (`FAIL then remediated`, `failed → fixed`) reads as
//! done: the row records the final state.

use super::PhaseStatus;
use super::phase::parse_phase_cell;
use super::table::Table;
use crate::grammar::canonical_phase;
use regex::Regex;
use std::sync::LazyLock;

/// Normalises a tracker status cell (see the module docs for the vocabulary).
pub fn normalise_status(raw: &str) -> PhaseStatus {
    const MARKERS: &[(&str, PhaseStatus)] = &[
        ("[x]", PhaseStatus::Done),
        ("✅", PhaseStatus::Done),
        ("✔", PhaseStatus::Done),
        ("☑", PhaseStatus::Done),
        ("[ok]", PhaseStatus::Done),
        ("[done]", PhaseStatus::Done),
        ("⏳", PhaseStatus::InProgress),
        ("🔄", PhaseStatus::InProgress),
        ("[~]", PhaseStatus::InProgress),
        ("[-]", PhaseStatus::InProgress),
        ("[ ]", PhaseStatus::Pending),
        ("[_]", PhaseStatus::Pending),
        ("⬜", PhaseStatus::Pending),
        ("☐", PhaseStatus::Pending),
        ("❌", PhaseStatus::Failed),
        ("[!]", PhaseStatus::Failed),
        ("🚫", PhaseStatus::Failed),
    ];
    const WORDS: &[(&str, PhaseStatus)] = &[
        ("not started", PhaseStatus::Pending),
        ("not run", PhaseStatus::Pending),
        ("not complete", PhaseStatus::Pending),
        ("not done", PhaseStatus::Pending),
        ("incomplete", PhaseStatus::Pending),
        ("pending", PhaseStatus::Pending),
        ("todo", PhaseStatus::Pending),
        ("to do", PhaseStatus::Pending),
        ("awaiting", PhaseStatus::Pending),
        ("planned", PhaseStatus::Pending),
        ("in progress", PhaseStatus::InProgress),
        ("in-progress", PhaseStatus::InProgress),
        ("wip", PhaseStatus::InProgress),
        ("partial", PhaseStatus::InProgress),
        ("started", PhaseStatus::InProgress),
        ("running", PhaseStatus::InProgress),
        ("done", PhaseStatus::Done),
        ("complete", PhaseStatus::Done),
        ("pass", PhaseStatus::Done),
        ("verified", PhaseStatus::Done),
        ("merged", PhaseStatus::Done),
        ("resolved", PhaseStatus::Done),
        ("ok", PhaseStatus::Done),
        ("fail", PhaseStatus::Failed),
        ("blocked", PhaseStatus::Failed),
    ];
    let lower = raw.to_lowercase().replace(['`', '*'], "");
    let mut best: Option<(usize, usize, PhaseStatus)> = None;
    let mut consider = |pos: usize, len: usize, s: PhaseStatus| {
        // Earliest wins; at the same place, the longer marker (`not started` over `started`).
        if best.is_none_or(|(p, l, _)| pos < p || (pos == p && len > l)) {
            best = Some((pos, len, s));
        }
    };
    for (m, s) in MARKERS {
        if let Some(p) = lower.find(m) {
            consider(p, m.len(), *s);
        }
    }
    for (w, s) in WORDS {
        let mut from = 0;
        while let Some(off) = lower[from..].find(w) {
            let p = from + off;
            let before_ok = !lower[..p].chars().next_back().is_some_and(char::is_alphanumeric);
            // Word starts only; `complete` also covers `completed`, `pass` `passed`.
            if before_ok {
                consider(p, w.len(), *s);
                break;
            }
            from = p + w.len();
        }
    }
    match best {
        Some((_, _, PhaseStatus::Failed))
            if ["remediated", "fixed", "resolved", "then pass"].iter().any(|w| lower.contains(w)) =>
        {
            PhaseStatus::Done
        }
        Some((_, _, s)) => s,
        None => PhaseStatus::Unknown,
    }
}

/// One tracker row: the canonical phase, the status cell and the row's line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Row {
    /// Canonical phase ID.
    pub(crate) phase: String,
    /// The status cell as written.
    pub(crate) raw: String,
    /// 1-based line.
    pub(crate) line: u32,
    /// The row's `Title`/`Name`/`Description` cell, if the tracker has one.
    pub(crate) title: String,
}

/// The rows of a tracker's tables that have a phase column (`ID` cells such as `P03a`
/// preferred, else `Phase` cells, bare `03a` allowed) and a `Status` column.
pub(crate) fn tracker_rows(tables: &[Table]) -> Vec<Row> {
    let mut out = Vec::new();
    for t in tables {
        let Some(status) = t.column(|h| h == "status" || h.starts_with("status ")) else { continue };
        let id = t.column(|h| h == "id" || h == "phase id");
        let phase = t.column(|h| h == "phase" || h == "phase #");
        if id.is_none() && phase.is_none() {
            continue;
        }
        let title = ["title", "name", "description"].iter().find_map(|n| t.column(|h| h == *n));
        for (line, cells) in &t.rows {
            let p = id
                .and_then(|i| cells.get(i))
                .and_then(|c| parse_phase_cell(c, false))
                .or_else(|| phase.and_then(|i| cells.get(i)).and_then(|c| parse_phase_cell(c, true)));
            let Some(p) = p else { continue };
            let raw = cells.get(status).cloned().unwrap_or_default();
            let title = title.and_then(|i| cells.get(i)).cloned().unwrap_or_default();
            out.push(Row { phase: p, raw, line: *line, title });
        }
    }
    out
}

/// The phase a `.completed/` file records, from its name: `P05.md`, `P05a.md`,
/// `P04A.md`, `P0.5.md`, `R20-P01.md` (→ `R20.P01`), `P03a-V.md` (→ `P03a-V`),
/// `P05-remediation.md`, `P07-summary.txt`, `P02a-import-inventory.json`, and
/// extensionless records (`P01`, `P0.5` → `P00.5`). `None` for
/// `README.md`, `PLAN-COMPLETE.md`, `.gitkeep` and superseded `*.pre-redo.md` records.
pub(crate) fn record_phase(name: &str) -> Option<String> {
    static RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"^(?:(R[0-9]+)-)?P([0-9]{1,3}(?:\.[0-9]+)?)([A-Za-z]{0,2}?)(-V)?(?:[-_.].*)?(?:\.[A-Za-z0-9]+)?$",
        )
        .expect("valid regex")
    });
    if name.contains(".pre-redo") {
        return None;
    }
    let c = RE.captures(name)?;
    let suffix = &c[3];
    if !suffix.chars().all(|ch| matches!(ch.to_ascii_lowercase(), 'a'..='e')) {
        return None;
    }
    let mut id = String::new();
    if let Some(r) = c.get(1) {
        id.push_str(r.as_str());
        id.push('.');
    }
    id.push('P');
    id.push_str(&c[2]);
    id.push_str(suffix);
    if c.get(4).is_some() {
        id.push_str("-V");
    }
    Some(canonical_phase(&id))
}

/// How good a record file is for its phase: the plain `PNN.md` (or extensionless
/// `PNN`) first, then other markdown, then evidence files. Lower is better.
pub(crate) fn record_rank(name: &str) -> u8 {
    let lower = name.to_ascii_lowercase();
    static BARE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(?:r[0-9]+-)?p[0-9]{1,3}(?:\.[0-9]+)?[a-z]{0,2}(?:-v)?$").expect("valid regex")
    });
    let stem = lower.strip_suffix(".md").or(BARE.is_match(&lower).then_some(lower.as_str()));
    match stem {
        Some(s) if !s.contains(['-', '_']) || s.ends_with("-v") => 0,
        Some(_) => 1,
        None => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::table::tables;

    #[test]
    fn normalises_every_status_value() {
        use PhaseStatus::*;
        let cases = [
            ("[ ]", Pending),
            ("⬜", Pending),
            ("[x]", Done),
            ("✅", Done),
            ("[OK]", Done),
            ("[DONE]", Done),
            ("pending", Pending),
            ("⬜ PENDING", Pending),
            ("completed", Done),
            ("DONE", Done),
            ("[_]", Pending),
            ("Pending", Pending),
            ("COMPLETE", Done),
            ("PASS", Done),
            ("⏳", InProgress),
            ("`[x]` **PASS** — G2–G9/G11 PASS; G17 ENV-BLOCKED", Done),
            ("`[~]` **PARTIAL** — RG-2 COMPLETED", InProgress),
            ("FAIL then remediated", Done),
            ("FAIL", Failed),
            ("❌ blocked", Failed),
            ("not started", Pending),
            ("Incomplete", Pending),
            ("In Progress", InProgress),
            ("N/A", Unknown),
            ("-", Unknown),
            ("", Unknown),
        ];
        for (raw, want) in cases {
            assert_eq!(normalise_status(raw), want, "{raw}");
        }
    }

    #[test]
    fn reads_tracker_header_variants() {
        let doc = [
            "| Phase | ID | Status | Started | Completed | Verified | Notes |",
            "|-------|-----|--------|---------|-----------|----------|-------|",
            "| 00 | P00 | ✅ | - | - | - | Overview |",
            "| 0.5 | P00a | [ ] | - | - | - | Preflight |",
            "",
            "| Phase | Status | Started |",
            "|---|---|---|",
            "| P02 | ✅ | 2025-10-28 |",
            "| 03a | [x] | - |",
            "",
            "| Phase | ID | Type | Status |",
            "|---|---|---|---|",
            "| 04 | P04A | Impl | DONE |",
            "",
            "| Field | Value |",
            "|---|---|",
            "| Current phase | P3 |",
        ];
        let rows = tracker_rows(&tables(&doc, &crate::text::fenced_lines(&doc)));
        let got: Vec<(&str, &str, u32)> =
            rows.iter().map(|r| (r.phase.as_str(), r.raw.as_str(), r.line)).collect();
        assert_eq!(
            got,
            vec![
                ("P00", "✅", 3),
                ("P00a", "[ ]", 4),
                ("P02", "✅", 8),
                ("P03a", "[x]", 9),
                ("P04a", "DONE", 13)
            ]
        );
    }

    #[test]
    fn record_names() {
        assert_eq!(record_phase("P05.md").as_deref(), Some("P05"));
        assert_eq!(record_phase("P05a.md").as_deref(), Some("P05a"));
        assert_eq!(record_phase("P04A.md").as_deref(), Some("P04a"));
        assert_eq!(record_phase("P12b.md").as_deref(), Some("P12b"));
        assert_eq!(record_phase("R20-P01.md").as_deref(), Some("R20.P01"));
        assert_eq!(record_phase("P0.5.md").as_deref(), Some("P00.5"));
        assert_eq!(record_phase("P02.5.md").as_deref(), Some("P02.5"));
        assert_eq!(record_phase("P03a-V.md").as_deref(), Some("P03a-V"));
        assert_eq!(record_phase("P07-remediation.md").as_deref(), Some("P07"));
        assert_eq!(record_phase("P02a-import-inventory.json").as_deref(), Some("P02a"));
        assert_eq!(record_phase("P09-frozen-hashes.txt").as_deref(), Some("P09"));
        assert_eq!(record_phase("P01").as_deref(), Some("P01"));
        assert_eq!(record_phase("P0.5").as_deref(), Some("P00.5"));
        assert_eq!(record_phase("P05.pre-redo.md"), None);
        assert_eq!(record_phase("README.md"), None);
        assert_eq!(record_phase("PLAN-COMPLETE.md"), None);
        assert_eq!(record_phase(".gitkeep"), None);
        assert_eq!(record_rank("P05.md"), 0);
        assert_eq!(record_rank("P03a-V.md"), 0);
        assert_eq!(record_rank("P05-remediation.md"), 1);
        assert_eq!(record_rank("P05-x.txt"), 2);
        assert_eq!(record_rank("P05"), 0);
    }
}
