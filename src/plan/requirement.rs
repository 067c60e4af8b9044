//! Requirement definitions (`../shared/conventions.md` §2.3), outside fences:
//! headings `### REQ-X: Title` (also `### [REQ-X] Title`, `### REQ-X — Title [EARS]`,
//! `### DELTA-X-001 (Ubiquitous)`), bracket lines `[REQ-X] …` (indented or bulleted),
//! bold bullets and paragraphs `- **REQ-X**: text`, first cells of
//! specification/requirements table rows, and plan-header lists
//! `Requirements: [REQ-A, REQ-B]`. Which candidate becomes the definition is decided by
//! the folder builder.

use super::DefinitionShape;
use super::doc::{Doc, heading};
use super::table::{Table, plain_cell};
use crate::grammar::{REQ_ID, is_requirement_id};
use regex::Regex;
use std::sync::LazyLock;

/// The most lines a heading's section contributes to a requirement's text.
const MAX_SECTION_LINES: usize = 200;

/// A definition candidate found in one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Candidate {
    /// The ID as written.
    pub(crate) id: String,
    /// The title (text after the ID on its line).
    pub(crate) title: String,
    /// The definition's text.
    pub(crate) text: String,
    /// 1-based line.
    pub(crate) line: u32,
    /// How it is written.
    pub(crate) shape: DefinitionShape,
}

/// Whether an ID is a template placeholder: a segment made of `X`s, `N`s or `#`s,
/// possibly after digits (`REQ-XXX`, `REQ-00X`, `REQ-SP4-00X`, `REQ-NNN`).
pub(crate) fn is_placeholder(id: &str) -> bool {
    id.split(['-', '.']).skip(1).any(|seg| {
        let t = seg.trim_start_matches(|c: char| c.is_ascii_digit());
        !t.is_empty()
            && (t.chars().all(|c| c == 'X' || c == 'x') || (seg.len() >= 2 && seg.chars().all(|c| c == 'N')))
    })
}

/// Whether a token is a requirement ID worth defining: a requirement-shaped ID that
/// is not a placeholder and, when it has no `-`/`.` separator, is short (`A1`, `R12`,
/// `E2E`), so words with a digit (`STATELESS6`, `OAuth2`) are not taken for IDs.
pub(crate) fn is_id(id: &str) -> bool {
    is_requirement_id(id) && !is_placeholder(id) && (id.contains(['-', '.']) || id.len() <= 4)
}

/// Strips separators and emphasis around a title (`: Title`, `— Title`, `**` …).
fn clean_title(s: &str) -> String {
    s.trim()
        .trim_start_matches(|c: char| matches!(c, ':' | '-' | '–' | '—' | '.' | '|') || c.is_whitespace())
        .trim_start_matches("**")
        .trim_start_matches(|c: char| matches!(c, ':' | '-' | '–' | '—') || c.is_whitespace())
        .trim_end_matches("**")
        .trim()
        .to_string()
}

/// Lines `from..to` joined, blank lines trimmed at both ends.
fn join(lines: &[&str], from: usize, to: usize) -> String {
    let mut a = from;
    let mut b = to.min(lines.len());
    while a < b && lines[a].trim().is_empty() {
        a += 1;
    }
    while b > a && lines[b - 1].trim().is_empty() {
        b -= 1;
    }
    lines[a..b].join("\n")
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

fn starts_item(t: &str) -> bool {
    t.starts_with("- ")
        || t.starts_with("* ")
        || t.starts_with("+ ")
        || t.starts_with('[')
        || t.starts_with('|')
        || t.starts_with("**")
        || t.split_once(". ").is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

/// The end (exclusive) of a list item or paragraph starting at `i`: indented lines and
/// lazy continuation lines, up to a blank line not followed by an indented one, a
/// heading, a fence or a new item at the same or a lower indent.
fn item_end(doc: &Doc<'_>, i: usize) -> usize {
    let own = indent_of(doc.lines[i]);
    let mut j = i + 1;
    let mut last = i + 1;
    while j < doc.lines.len() && j - i <= MAX_SECTION_LINES {
        let line = doc.lines[j];
        if doc.fenced[j] || heading(line).is_some() {
            break;
        }
        if line.trim().is_empty() {
            j += 1;
            continue;
        }
        let blank_before = doc.lines[j - 1].trim().is_empty();
        if indent_of(line) > own {
            j += 1;
            last = j;
            continue;
        }
        if blank_before || starts_item(line.trim_start()) {
            break;
        }
        j += 1;
        last = j;
    }
    last
}

static HEADING_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"^(?:\*\*)?(?:`)?\[?({REQ_ID})\]?(?:`)?(?:\*\*)?(?:$|[\s:(\[—–-])"))
        .expect("valid regex")
});
static BRACKET_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"^\s*(?:[-*+]\s+)?\[({REQ_ID})\](.*)$")).expect("valid regex"));
static BOLD_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"^\s*(?:[-*+]\s+|[0-9]+\.\s+)?\*\*\[?({REQ_ID})\]?(:?)\*\*(.*)$"))
        .expect("valid regex")
});
static HEADER_LIST_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^\s*(?:[-*+]\s+)?(?:\*\*)?Requirements(?:\*\*)?\s*:\s*(?:\*\*)?\s*\[?\s*((?:`?{REQ_ID}`?)(?:\s*,\s*`?{REQ_ID}`?)*)\s*\]?\s*$"
    ))
    .expect("valid regex")
});

/// Every definition candidate of a document, in line order. Table rows count only when
/// `spec` (a `specification*`/`requirements*` file).
pub(crate) fn candidates(doc: &Doc<'_>, tables: &[Table], spec: bool) -> Vec<Candidate> {
    let mut out = Vec::new();
    for (at, level, text) in &doc.headings {
        let Some(c) = HEADING_RE.captures(text) else { continue };
        let id = &c[1];
        if !is_id(id) {
            continue;
        }
        let rest = &text[c.get(1).map(|g| g.end()).unwrap_or(0)..];
        let title = clean_title(rest.trim_start_matches(['`', ']', '*']));
        let end = doc.section_end(*at, *level).min(at + 1 + MAX_SECTION_LINES);
        out.push(Candidate {
            id: id.to_string(),
            title,
            text: join(&doc.lines, at + 1, end),
            line: *at as u32 + 1,
            shape: DefinitionShape::Heading,
        });
    }
    for (i, line) in doc.lines.iter().enumerate() {
        if doc.fenced[i] || heading(line).is_some() {
            continue;
        }
        if let Some(c) = BRACKET_RE.captures(line) {
            let rest = &c[2];
            if is_id(&c[1]) && !rest.starts_with('(') && !rest.starts_with(':') {
                out.push(Candidate {
                    id: c[1].to_string(),
                    title: clean_title(rest),
                    text: join(&doc.lines, i, item_end(doc, i)),
                    line: i as u32 + 1,
                    shape: DefinitionShape::Bracket,
                });
                continue;
            }
        }
        if let Some(c) = BOLD_RE.captures(line)
            && is_id(&c[1])
        {
            out.push(Candidate {
                id: c[1].to_string(),
                title: clean_title(&c[3]),
                text: join(&doc.lines, i, item_end(doc, i)),
                line: i as u32 + 1,
                shape: DefinitionShape::BoldBullet,
            });
            continue;
        }
        if let Some(c) = HEADER_LIST_RE.captures(line) {
            for id in c[1].split(',').map(|s| s.trim().trim_matches('`')) {
                if is_id(id) {
                    out.push(Candidate {
                        id: id.to_string(),
                        title: String::new(),
                        text: String::new(),
                        line: i as u32 + 1,
                        shape: DefinitionShape::HeaderList,
                    });
                }
            }
        }
    }
    if spec {
        for t in tables {
            // A requirements table: its first column is named like one (`ID`,
            // `Requirement`), else only `REQ-` IDs count (not test or task tables).
            let first_key = t.header.first().map(|h| super::table::header_key(h)).unwrap_or_default();
            let req_table = first_key == "id" || first_key.contains("req");
            for (line, cells) in &t.rows {
                let Some(first) = cells.first() else { continue };
                let id = plain_cell(first);
                if !is_id(id) || !(req_table || id.starts_with("REQ-")) {
                    continue;
                }
                let title = cells.get(1).map(|c| plain_cell(c).to_string()).unwrap_or_default();
                out.push(Candidate {
                    id: id.to_string(),
                    title,
                    text: doc.lines.get(*line as usize - 1).map(|l| l.trim().to_string()).unwrap_or_default(),
                    line: *line,
                    shape: DefinitionShape::TableRow,
                });
            }
        }
    }
    out.sort_by_key(|c| c.line);
    out
}

/// The requirement IDs a line's `@requirement` tags name: `@requirement:REQ-A`,
/// `@requirement REQ-A, REQ-B`, `@requirements REQ-A/REQ-B`; a list stops at the first
/// token that is not an ID.
pub(crate) fn requirement_tags(line: &str) -> Vec<String> {
    static RE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"@requirements?(?::[ \t]*|[ \t]+|\*\*:[ \t]*)").expect("valid regex"));
    let mut out = Vec::new();
    for m in RE.find_iter(line) {
        let rest = &line[m.end()..];
        for tok in rest.split(|c: char| c.is_whitespace() || matches!(c, ',' | '/' | '&')) {
            if tok.is_empty() {
                continue;
            }
            let t =
                tok.trim_matches(|c: char| matches!(c, '`' | '*' | '\'' | '"' | ')' | '(' | ';' | '.' | ':'));
            if is_id(t) {
                out.push(t.to_string());
            } else {
                break;
            }
        }
    }
    out
}

/// Every requirement-shaped token of a line (used inside "Requirements Implemented"
/// sections).
pub(crate) fn tokens(line: &str) -> Vec<String> {
    static RE: LazyLock<Regex> = LazyLock::new(|| Regex::new(&format!(r"\b{REQ_ID}")).expect("valid regex"));
    RE.find_iter(line).map(|m| m.as_str().trim_end_matches('.').to_string()).filter(|t| is_id(t)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::table::tables;

    fn cands(path: &str, text: &str, spec: bool) -> Vec<Candidate> {
        let doc = Doc::new("p", path, text, false);
        let t = tables(&doc.lines, &doc.fenced);
        candidates(&doc, &t, spec)
    }

    fn brief(c: &[Candidate]) -> Vec<(&str, &str, u32, DefinitionShape)> {
        c.iter().map(|c| (c.id.as_str(), c.title.as_str(), c.line, c.shape)).collect()
    }

    #[test]
    fn heading_shapes() {
        let c = cands(
            "p/specification.md",
            "## Reqs\n### REQ-STAT6-001.1: AgentRuntimeContext Construction\nbody line\n\n### [REQ-PROF-001] CLI Argument Parsing\n### REQ-211-S01 — Hook fires [Ubiquitous]\n### DELTA-HSYS-001 (Ubiquitous)\ntext\n## Next\n### Step one\n### P05: not a req\n",
            true,
        );
        assert_eq!(
            brief(&c),
            vec![
                ("REQ-STAT6-001.1", "AgentRuntimeContext Construction", 2, DefinitionShape::Heading),
                ("REQ-PROF-001", "CLI Argument Parsing", 5, DefinitionShape::Heading),
                ("REQ-211-S01", "Hook fires [Ubiquitous]", 6, DefinitionShape::Heading),
                ("DELTA-HSYS-001", "(Ubiquitous)", 7, DefinitionShape::Heading),
            ]
        );
        assert_eq!(c[0].text, "body line");
        assert_eq!(c[3].text, "text");
    }

    #[test]
    fn bracket_and_bold_shapes() {
        let c = cands(
            "p/PLAN.md",
            "## Formal Requirements\n[REQ-SP3-001] Correct CLI bootstrap ordering\n  [REQ-SP3-001.1] Parse flags first\n    more detail\n- [REQ-STAT5-001.1] Bulleted\n\n- **REQ-SP4-001**: BaseProvider must require context.\n  continued here\n- **REQ-001.1** Plain bold\n**REQ-DIAG-010**\n\nSee [REQ-9](link) and [x] done\n",
            false,
        );
        assert_eq!(
            brief(&c),
            vec![
                ("REQ-SP3-001", "Correct CLI bootstrap ordering", 2, DefinitionShape::Bracket),
                ("REQ-SP3-001.1", "Parse flags first", 3, DefinitionShape::Bracket),
                ("REQ-STAT5-001.1", "Bulleted", 5, DefinitionShape::Bracket),
                ("REQ-SP4-001", "BaseProvider must require context.", 7, DefinitionShape::BoldBullet),
                ("REQ-001.1", "Plain bold", 9, DefinitionShape::BoldBullet),
                ("REQ-DIAG-010", "", 10, DefinitionShape::BoldBullet),
            ]
        );
        assert_eq!(
            c[0].text,
            "[REQ-SP3-001] Correct CLI bootstrap ordering\n  [REQ-SP3-001.1] Parse flags first\n    more detail"
        );
        assert_eq!(c[1].text, "  [REQ-SP3-001.1] Parse flags first\n    more detail");
        assert_eq!(c[3].text, "- **REQ-SP4-001**: BaseProvider must require context.\n  continued here");
    }

    #[test]
    fn table_rows_only_in_specifications() {
        let text = "| ID | Title | Phases |\n|---|---|---|\n| REQ-STAT6-001.1 | Context | P06, P07 |\n| Note | x | y |\n\n| Test | Covers |\n|---|---|\n| T2 | REQ-006 |\n";
        let c = cands("p/specification.md", text, true);
        assert_eq!(brief(&c), vec![("REQ-STAT6-001.1", "Context", 3, DefinitionShape::TableRow)]);
        assert_eq!(c[0].text, "| REQ-STAT6-001.1 | Context | P06, P07 |");
        assert_eq!(cands("p/notes.md", text, false), vec![]);
    }

    #[test]
    fn header_lists_and_placeholders() {
        let c = cands(
            "p/plan/00-overview.md",
            "Plan ID: PLAN-A1\nRequirements: [REQ-SP2-001, REQ-SP2-002]\nRequirements: REQ-A-1, `REQ-A-2`\n### REQ-XXX: Title\n- **REQ-00X**: x\n```\n### REQ-IN-FENCE-1: no\n```\n",
            false,
        );
        assert_eq!(
            brief(&c),
            vec![
                ("REQ-SP2-001", "", 2, DefinitionShape::HeaderList),
                ("REQ-SP2-002", "", 2, DefinitionShape::HeaderList),
                ("REQ-A-1", "", 3, DefinitionShape::HeaderList),
                ("REQ-A-2", "", 3, DefinitionShape::HeaderList),
            ]
        );
        assert!(is_placeholder("REQ-SP4-00X"));
        assert!(is_placeholder("REQ-NNN"));
        assert!(!is_placeholder("REQ-SP4-001"));
        assert!(!is_placeholder("REQ-1598-FL03"));
        assert!(is_id("A1") && is_id("E2E") && is_id("HOOK-017"));
        assert!(!is_id("STATELESS6") && !is_id("OAuth2"));
    }

    #[test]
    fn tags_and_tokens() {
        assert_eq!(requirement_tags("MUST include: @requirement:REQ-SP4-002"), vec!["REQ-SP4-002"]);
        assert_eq!(requirement_tags("@requirement REQ-A-1, REQ-A-2 — text"), vec!["REQ-A-1", "REQ-A-2"]);
        assert_eq!(requirement_tags("@requirement:REQ-SP4-00X"), Vec::<String>::new());
        assert_eq!(tokens("### REQ-SP4-001: Title (see HOOK-017.)"), vec!["REQ-SP4-001", "HOOK-017"]);
    }
}
