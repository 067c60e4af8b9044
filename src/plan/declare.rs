//! Plan-ID declarations (`docs/grammar.md` §2.2): `Plan ID: PLAN-X` and its
//! emphasis/code/heading/bullet variants, a `## Phase ID` heading followed by
//! `` `PLAN-X.P05` ``, inline `Phase ID: PLAN-X.P05`, H1/H2 titles starting with the
//! ID, `Plan: PLAN-X` fields and `"plan_id": "PLAN-X"` in JSON. Phase-level and
//! sub-plan declarations (`PLAN-X.P03`, `PLAN-X.R9`) declare plan `PLAN-X`.
//! Placeholders (`PLAN-YYYYMMDD-[FEATURE]`) and fenced lines declare nothing.

use super::doc::{Doc, heading};
use crate::grammar::{PHASE, PLAN_ID, split_plan_ref};
use regex::Regex;
use std::sync::LazyLock;

/// The form a declaration takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    /// `Plan ID: PLAN-X` and variants.
    PlanId,
    /// `## Phase ID` heading, then `` `PLAN-X.PNN` ``.
    PhaseIdHeading,
    /// `Phase ID: PLAN-X.PNN`.
    PhaseIdInline,
    /// `# PLAN-X: title`.
    Title,
    /// `Plan: PLAN-X` / `**Plan:** PLAN-X`.
    PlanField,
    /// `"plan_id": "PLAN-X"`.
    Json,
}

/// One declaration found in a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Decl {
    /// The plan ID declared.
    pub(crate) plan: String,
    /// The phase named after the plan's dot, canonical, if any.
    pub(crate) phase: Option<String>,
    /// 1-based line (of the `## Phase ID` heading for that form).
    pub(crate) line: u32,
    /// How it was written.
    pub(crate) form: Form,
}

static LABEL_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^\s*(?:[-*+]\s+)?(?:#{{1,6}}\s+)?(?:\*\*|__)?(?i:(plan\s+id|phase\s+id|plan))(?:\*\*|__)?\s*:\s*(?:\*\*|__)?\s*`?({PLAN_ID})(?:\.({PHASE}))?"
    ))
    .expect("valid regex")
});

static VALUE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"^\s*(?:[-*+]\s+)?(?:\*\*)?`?({PLAN_ID})(?:\.({PHASE}))?")).expect("valid regex")
});

static JSON_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r#""plan_?id"\s*:\s*"({PLAN_ID})(?:\.({PHASE}))?"#)).expect("valid regex")
});

/// Whether a matched ID is a template placeholder rather than an ID: followed by
/// `[`/`<`/`{` (`PLAN-YYYYMMDD-[FEATURE]`) or spelled with `YYYY`/`XXXX`.
fn is_placeholder(id: &str, after: &str) -> bool {
    let after = after.strip_prefix('-').unwrap_or(after);
    after.starts_with(['[', '<', '{'])
        || id.contains("YYYY")
        || id.contains("XXXX")
        || id.contains("yyyy")
        || id.split('-').skip(1).all(|seg| seg.chars().all(|c| c == 'X' || c == 'N'))
}

/// Validates a captured plan (group 1) and phase (group 2) and returns the pair.
fn capture(c: &regex::Captures<'_>, text: &str, plan_group: usize) -> Option<(String, Option<String>)> {
    let plan = c.get(plan_group)?;
    let phase = c.get(plan_group + 1);
    let end = phase.map(|p| p.end()).unwrap_or(plan.end());
    if is_placeholder(plan.as_str(), &text[end..]) {
        return None;
    }
    // The plan ID must not run on into other ID characters or a file extension
    // (`PLAN-TEMPLATE.md`).
    let rest = &text[end..];
    if rest.starts_with(|ch: char| ch.is_ascii_alphanumeric() || ch == '_')
        || rest.strip_prefix('.').is_some_and(|r| r.starts_with(|ch: char| ch.is_ascii_alphabetic()))
    {
        return None;
    }
    let full = &text[plan.start()..end];
    let (p, ph) = split_plan_ref(full)?;
    Some((p.to_string(), ph.map(crate::grammar::canonical_phase)))
}

/// Every declaration in a document, in line order.
pub(crate) fn declarations(doc: &Doc<'_>) -> Vec<Decl> {
    let mut out = Vec::new();
    if !doc.markdown {
        if doc.path.to_ascii_lowercase().ends_with(".json") {
            for (i, line) in doc.lines.iter().enumerate() {
                for c in JSON_RE.captures_iter(line) {
                    if let Some((plan, phase)) = capture(&c, line, 1) {
                        out.push(Decl { plan, phase, line: i as u32 + 1, form: Form::Json });
                    }
                }
            }
        }
        return out;
    }
    for (i, line) in doc.lines.iter().enumerate() {
        if doc.fenced[i] {
            continue;
        }
        let lineno = i as u32 + 1;
        if let Some(c) = LABEL_RE.captures(line) {
            let label = c.get(1).map(|m| m.as_str().to_ascii_lowercase()).unwrap_or_default();
            let label: String = label.split_whitespace().collect::<Vec<_>>().join(" ");
            if let Some((plan, phase)) = capture(&c, line, 2) {
                let form = match label.as_str() {
                    "plan id" => Form::PlanId,
                    "phase id" => Form::PhaseIdInline,
                    _ => Form::PlanField,
                };
                out.push(Decl { plan, phase, line: lineno, form });
                continue;
            }
        }
        let Some((level, text)) = heading(line) else { continue };
        let bare: String = text.chars().filter(|c| !matches!(c, '*' | '`')).collect();
        if bare.trim().eq_ignore_ascii_case("phase id") {
            // The value sits on one of the next non-blank lines (fence markers skipped).
            let mut seen = 0;
            for (j, next) in doc.lines.iter().enumerate().skip(i + 1) {
                let t = next.trim();
                if t.is_empty() || t.starts_with("```") || t.starts_with("~~~") {
                    continue;
                }
                if heading(next).is_some() && !doc.fenced[j] {
                    break;
                }
                if let Some(c) = VALUE_RE.captures(next)
                    && let Some((plan, phase)) = capture(&c, next, 1)
                {
                    out.push(Decl { plan, phase, line: lineno, form: Form::PhaseIdHeading });
                    break;
                }
                seen += 1;
                if seen >= 2 {
                    break;
                }
            }
        } else if level <= 2 {
            // The captures index `t` itself: the heading text is trimmed at both ends
            // (trailing spaces, a closing `##` run), so an offset into `line` would not
            // line up with them.
            let t = text.trim_start_matches(['*', '`', ' ']);
            if t.starts_with("PLAN-")
                && let Some(c) = VALUE_RE.captures(t)
                && let Some((plan, phase)) = capture(&c, t, 1)
            {
                out.push(Decl { plan, phase, line: lineno, form: Form::Title });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decls(text: &str) -> Vec<(String, Option<String>, u32, Form)> {
        let doc = Doc::new("p", "p/x.md", text, false);
        declarations(&doc).into_iter().map(|d| (d.plan, d.phase, d.line, d.form)).collect()
    }

    fn one(
        plan: &str,
        phase: Option<&str>,
        line: u32,
        form: Form,
    ) -> Vec<(String, Option<String>, u32, Form)> {
        vec![(plan.to_string(), phase.map(str::to_string), line, form)]
    }

    #[test]
    fn plan_id_line_variants() {
        assert_eq!(
            decls("# T\n\nPlan ID: PLAN-20251018-STATELESSPROVIDER2  \n"),
            one("PLAN-20251018-STATELESSPROVIDER2", None, 3, Form::PlanId)
        );
        assert_eq!(
            decls("**Plan ID**: PLAN-20260129-TODOPERSIST-EXT.P18"),
            one("PLAN-20260129-TODOPERSIST-EXT", Some("P18"), 1, Form::PlanId)
        );
        assert_eq!(
            decls("**Plan ID:** PLAN-20260129-TODOPERSIST"),
            one("PLAN-20260129-TODOPERSIST", None, 1, Form::PlanId)
        );
        assert_eq!(
            decls("Plan ID: `PLAN-20260731-GHBROKER`"),
            one("PLAN-20260731-GHBROKER", None, 1, Form::PlanId)
        );
        assert_eq!(
            decls("## Plan ID: PLAN-20260129-TODOPERSIST-EXT"),
            one("PLAN-20260129-TODOPERSIST-EXT", None, 1, Form::PlanId)
        );
        assert_eq!(decls("- Plan ID: PLAN-ISSUE-623"), one("PLAN-ISSUE-623", None, 1, Form::PlanId));
        assert_eq!(
            decls("Plan ID: PLAN-20250219-GMERGE021.R9"),
            one("PLAN-20250219-GMERGE021", Some("R9"), 1, Form::PlanId)
        );
    }

    #[test]
    fn phase_id_heading_and_inline() {
        assert_eq!(
            decls("# Phase 00: Plan Overview\n\n## Phase ID\n`PLAN-20251023-STATELESS-HARDENING.P00`\n"),
            one("PLAN-20251023-STATELESS-HARDENING", Some("P00"), 3, Form::PhaseIdHeading)
        );
        assert_eq!(
            decls("## Phase ID\n\n```\nPLAN-X1.P05a\n```\n"),
            one("PLAN-X1", Some("P05a"), 1, Form::PhaseIdHeading)
        );
        assert_eq!(
            decls("- Phase ID: PLAN-20251018-STATELESSPROVIDER2.P14a"),
            one("PLAN-20251018-STATELESSPROVIDER2", Some("P14a"), 1, Form::PhaseIdInline)
        );
        assert_eq!(
            decls("**Phase ID**: `PLAN-A1.P0.5`"),
            one("PLAN-A1", Some("P00.5"), 1, Form::PhaseIdInline)
        );
    }

    #[test]
    fn titles_fields_and_json() {
        assert_eq!(
            decls("# PLAN-20251211issue486c: LB fix"),
            one("PLAN-20251211issue486c", None, 1, Form::Title)
        );
        assert_eq!(
            decls("## PLAN-2207-LB-TOKEN-ACCOUNTING — Title"),
            one("PLAN-2207-LB-TOKEN-ACCOUNTING", None, 1, Form::Title)
        );
        assert_eq!(decls("### PLAN-A1: deep"), vec![]);
        // Regression (issue 9): trailing spaces and a closing `#` run once shifted the
        // captures (a panic inside `Ü`/`—`, a lost ID for ASCII titles).
        for title in [
            "# PLAN-20250101-ABC — Title  ",
            "# PLAN-20250101-ABC - Title  ",
            "## PLAN-20250101-ABC: Überblick ##",
            "## PLAN-20250101-ABC: Overview ##",
            "# PLAN-20250101-ABC (Revised)",
            "# PLAN-20250101-ABC\t",
        ] {
            assert_eq!(decls(title), one("PLAN-20250101-ABC", None, 1, Form::Title), "{title:?}");
        }
        assert_eq!(decls("## PLAN-TEMPLATE.md Compliance"), vec![]);
        assert_eq!(
            decls("Phase: P01\nPlan: PLAN-20251023-STATELESS-HARDENING\n"),
            one("PLAN-20251023-STATELESS-HARDENING", None, 2, Form::PlanField)
        );
        assert_eq!(decls("**Plan:** PLAN-A1.P03"), one("PLAN-A1", Some("P03"), 1, Form::PlanField));
        assert_eq!(decls("# Plan: Stateless Provider Completion"), vec![]);
        let doc = Doc::new("p", "p/r.json", "{\n  \"plan_id\": \"PLAN-20251028-STATELESS6\"\n}", false);
        let d = declarations(&doc);
        assert_eq!(d.len(), 1);
        assert_eq!((d[0].plan.as_str(), d[0].line, d[0].form), ("PLAN-20251028-STATELESS6", 2, Form::Json));
    }

    #[test]
    fn dotted_ids_and_placeholders() {
        assert_eq!(
            decls("Plan ID: PLAN-20260725-MERGE-0.11-FROM-0.10"),
            one("PLAN-20260725-MERGE-0.11-FROM-0.10", None, 1, Form::PlanId)
        );
        assert_eq!(decls("Plan ID: PLAN-YYYYMMDD-[FEATURE]"), vec![]);
        assert_eq!(decls("Plan ID: PLAN-[DATE]-X"), vec![]);
        assert_eq!(decls("```\nPlan ID: PLAN-20250101-REAL\n```\n"), vec![]);
        assert_eq!(decls("Plan ID: PLAN-20250101-REAL\r\nPlan: PLAN-B2\r\n").len(), 2);
    }
}
