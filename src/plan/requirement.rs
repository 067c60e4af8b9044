//! Requirement definitions (`docs/grammar.md` §4.2), outside fences:
//! headings `### REQ-X: Title` (also `### [REQ-X] Title`, `### REQ-X — Title [EARS]`,
//! `### DELTA-X-001 (Ubiquitous)`), bracket lines `[REQ-X] …` (indented or bulleted),
//! bold bullets and paragraphs `- **REQ-X**: text`, first cells of
//! specification/requirements table rows, and plan-header lists
//! `Requirements: [REQ-A, REQ-B]`. Which candidate becomes the definition is decided by
//! the folder builder.

use super::DefinitionShape;
use super::doc::{Doc, heading};
use super::table::{Table, plain_cell};
use crate::grammar::ids::{Listed, is_default_requirement_id, read_requirement_list};
use crate::grammar::{Grammar, REQ_ID, is_requirement_id};
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
    /// One of several IDs written as a list or range on one line
    /// (`REQ-A-001 through REQ-A-009`): in a phase file it restates IDs defined
    /// elsewhere and defines none of its own.
    pub(crate) listed: bool,
    /// The EARS pattern taken out of the title (`Ubiquitous`), if any.
    pub(crate) pattern: Option<String>,
}

impl Candidate {
    /// One candidate per ID of what one line defines (a single ID, or a list or range
    /// of IDs, each then `listed`), sharing title, text, line, shape and EARS pattern.
    fn each(
        ids: Vec<String>,
        title: String,
        text: String,
        line: u32,
        shape: DefinitionShape,
        pattern: Option<String>,
    ) -> impl Iterator<Item = Candidate> {
        let listed = ids.len() > 1;
        ids.into_iter().map(move |id| Candidate {
            id,
            title: title.clone(),
            text: text.clone(),
            line,
            shape,
            listed,
            pattern: pattern.clone(),
        })
    }
}

/// The EARS patterns a title may name (`docs/grammar.md` §4.4), as shown.
const EARS: &[&str] = &[
    "Ubiquitous",
    "Event-driven",
    "State-driven",
    "Unwanted behavior",
    "Unwanted behaviour",
    "Optional feature",
    "Complex",
];

/// Splits an EARS pattern off a title: a title that is only a pattern (`Ubiquitous`,
/// `(Event-Driven)`) gives the first line of the definition's text as the title; a
/// title ending in `(Ubiquitous)` or `[Ubiquitous]` loses that tail.
fn ears_title(title: &str, text: &str) -> (String, Option<String>) {
    let pattern_of = |s: &str| {
        let t = s.trim().trim_matches(|c: char| matches!(c, '(' | ')' | '[' | ']' | '*')).trim();
        EARS.iter().find(|p| p.eq_ignore_ascii_case(t)).map(|p| p.to_string())
    };
    if let Some(p) = pattern_of(title) {
        return (own_text(text), Some(p));
    }
    if title.trim().is_empty() {
        // A heading or bullet that is only the ID: its statement is the title, and a
        // `**Type:** Event-driven` field names the pattern.
        let pattern = text
            .lines()
            .find_map(|l| field(l).filter(|(k, _)| *k == "type").and_then(|(_, v)| pattern_of(v)));
        return (own_text(text), pattern);
    }
    for (open, close) in [('(', ')'), ('[', ']')] {
        if let Some(body) = title.trim_end().strip_suffix(close)
            && let Some(k) = body.rfind(open)
            && let Some(p) = pattern_of(&body[k + 1..])
        {
            return (body[..k].trim().to_string(), Some(p));
        }
    }
    (title.to_string(), None)
}

/// A `**Name:** value` or `Name: value` field line (`**Type:** Event-driven`): the name
/// lower-cased and the value.
fn field(line: &str) -> Option<(String, &str)> {
    let t = line.trim().trim_start_matches(['-', '*', ' ']).trim_start();
    let (name, rest) = t.split_once(':')?;
    let name = name.trim_end_matches('*').trim();
    let words = name.split_whitespace().count();
    (!name.is_empty() && words <= 3 && name.chars().all(|c| c.is_alphabetic() || c == ' '))
        .then(|| (name.to_lowercase(), rest.trim_start_matches('*').trim()))
}

/// A definition's own statement, for a title: the value of its `Statement:` /
/// `Requirement:` / `Description:` field, else its first line that is not a heading,
/// a table row or another field; at most 160 bytes.
fn own_text(text: &str) -> String {
    let lines = || {
        text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with('|'))
    };
    let own = lines()
        .find_map(|l| {
            field(l)
                .filter(|(k, _)| matches!(k.as_str(), "statement" | "requirement" | "description"))
                .map(|f| f.1)
        })
        .or_else(|| {
            lines().find(|l| field(l).is_none() && !["- ", "* ", "+ "].iter().any(|m| l.starts_with(m)))
        })
        .unwrap_or("");
    let own = own.trim_start_matches("**Statement:**").trim_start_matches("**Requirement:**").trim();
    if own.len() <= 160 {
        return own.to_string();
    }
    // Cut at the last word boundary within 160 bytes, and say so.
    let mut cut = 160;
    while !own.is_char_boundary(cut) {
        cut -= 1;
    }
    let head = &own[..cut];
    let head = head.rfind(' ').map_or(head, |i| &head[..i]);
    format!("{}…", head.trim_end())
}

/// Whether an ID is a template placeholder: its last segment (the number's place) is
/// made of `X`s or `N`s, possibly after digits (`REQ-XXX`, `REQ-00X`, `REQ-SP4-00X`,
/// `REQ-NNN`). A prefix segment of `X`s is a real prefix (`REQ-X-001`).
pub(crate) fn is_placeholder(id: &str) -> bool {
    id.split(['-', '.']).skip(1).last().is_some_and(|seg| {
        let t = seg.trim_start_matches(|c: char| c.is_ascii_digit());
        !t.is_empty()
            && (t.chars().all(|c| c == 'X' || c == 'x') || (seg.len() >= 2 && seg.chars().all(|c| c == 'N')))
    })
}

/// Whether a token is a requirement ID worth defining: a requirement-shaped ID of the
/// default shape ([`is_default_requirement_id`]: a prefix and a number, so prose
/// headings, appendix numbers, test cases and review findings are not taken for IDs)
/// that is not a placeholder.
pub(crate) fn is_id(id: &str) -> bool {
    is_requirement_id(id) && !is_placeholder(id) && is_default_requirement_id(id)
}

/// Whether a definition-shaped token defines a requirement under `grammar`: the
/// configured requirement pattern when there is one (it may be wider than the default
/// shape), else [`is_id`].
fn defines(id: &str, grammar: &Grammar) -> bool {
    !is_placeholder(id)
        && match &grammar.requirement {
            Some(re) => re.is_match(id),
            None => is_id(id),
        }
}

/// The IDs a definition names when its ID `first` starts `text` (`text` from the ID
/// on): the list or range written there (`REQ-TEC-001/002/003`, `REQ-RNG-001..003`,
/// `REQ-X-001 – REQ-X-004`) when every ID in it shares `first`'s prefix and defines a
/// requirement, else `first` alone; with the byte offset in `text` after the IDs.
fn id_list(first: &str, text: &str, grammar: &Grammar) -> (Vec<String>, usize) {
    let (listed, end) = read_requirement_list(text);
    let head = |id: &str| id.split(['-', '.']).next().unwrap_or_default().to_string();
    let ids: Vec<String> = listed
        .iter()
        .map_while(|l| match l {
            Listed::Id(id) => Some(id.clone()),
            _ => None,
        })
        .collect();
    let whole = ids.len() == listed.len();
    if whole
        && ids.len() > 1
        && ids.first().is_some_and(|f| f == first)
        && ids.iter().all(|id| head(id) == head(first) && defines(id, grammar))
        && end <= text.len()
    {
        return (ids, end);
    }
    (vec![first.to_string()], first.len())
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

/// The lines after line `i` (0-based) up to the next blank line or heading, joined:
/// the statement under a definition that is only its ID (`**REQ-A-090**` over
/// `**While** …, the system shall …`).
fn paragraph_after(doc: &Doc<'_>, i: usize) -> String {
    let end = (i + 1..doc.lines.len().min(i + 1 + MAX_SECTION_LINES))
        .find(|&j| doc.fenced[j] || doc.lines[j].trim().is_empty() || heading(doc.lines[j]).is_some())
        .unwrap_or(doc.lines.len().min(i + 1 + MAX_SECTION_LINES));
    doc.lines[(i + 1).min(end)..end].join("\n")
}

static HEADING_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"^(?:\*\*)?(?:`)?\[?({REQ_ID})\]?(?:`)?(?:\*\*)?(?:$|[\s:(\[—–\-/.,&])"))
        .expect("valid regex")
});
static ID_START: LazyLock<Regex> = LazyLock::new(|| Regex::new(&format!("^{REQ_ID}")).expect("valid regex"));
static BRACKET_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"^\s*(?:[-*+]\s+)?\[({REQ_ID})\](.*)$")).expect("valid regex"));
static BOLD_RE: LazyLock<Regex> = LazyLock::new(|| {
    // Group 1: the ID, group 2: a list or range after it (`/002`, `..003`, ` – REQ-X-004`).
    Regex::new(&format!(
        r"^\s*(?:[-*+]\s+|[0-9]+\.\s+)?\*\*\[?({REQ_ID})((?:\s*(?:[/,&]|\.\.|–|\bthrough\b)\s*[A-Za-z0-9][A-Za-z0-9.\-]*)*)\]?(:?)\*\*(.*)$"
    ))
    .expect("valid regex")
});
/// A bold span holding the ID and its title: `**AB2 — Title.**`, `- **REQ-005: Title**`.
static BOLD_TITLE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^\s*(?:[-*+]\s+|[0-9]+\.\s+)?\*\*({REQ_ID})(?:\s+[—–-]\s+|\s*:\s+)([^*]+)\*\*(.*)$"
    ))
    .expect("valid regex")
});
/// A round-shaped ID (`R3`): a requirement only as a bold bullet in a specification or
/// under a heading about requirements, since `R<n>` also names rounds of phases and
/// items of other lists (remediation items, test groups of a completion record).
fn round_shaped(id: &str) -> bool {
    id.strip_prefix('R').is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether line `i` (0-based) lies in a section one of whose headings (the nearest
/// and its parents) names requirements or acceptance criteria (`## Requirements`,
/// `### Functional requirements`, `## Acceptance criteria`) — unless a nearer heading
/// names something else (`### Open questions / risks`, `### Review findings`,
/// `### Test cases`, `### Notes`).
pub(crate) fn under_requirements_heading(doc: &Doc<'_>, i: usize) -> bool {
    const OTHER: [&str; 7] = ["risk", "question", "finding", "review", "test", "note", "non-goal"];
    let mut level = usize::MAX;
    for (_, l, text) in doc.headings.iter().rev().filter(|h| h.0 < i) {
        if *l < level {
            let t = text.to_ascii_lowercase();
            if t.contains("requirement") || t.contains("acceptance") {
                return true;
            }
            if OTHER.iter().any(|w| t.contains(w)) {
                return false;
            }
            level = *l;
        }
    }
    false
}
static HEADER_LIST_RE: LazyLock<Regex> = LazyLock::new(|| {
    // Group 1: the value, a list or range of IDs (`[REQ-A-001, REQ-A-002]`, `REQ-A-001..003`).
    Regex::new(
        r"^\s*(?:[-*+]\s+)?(?:\*\*)?Requirements(?:\*\*)?\s*:\s*(?:\*\*)?\s*\[?\s*([^\[\]]+?)\s*\]?\s*$",
    )
    .expect("valid regex")
});

/// Every definition candidate of a document, in line order. Table rows count only when
/// `spec` (a `specification*`/`requirements*` file).
pub(crate) fn candidates(doc: &Doc<'_>, tables: &[Table], spec: bool, grammar: &Grammar) -> Vec<Candidate> {
    let mut out = Vec::new();
    for (at, level, text) in &doc.headings {
        let Some(c) = HEADING_RE.captures(text) else { continue };
        let Some(g) = c.get(1) else { continue };
        if !defines(g.as_str(), grammar) {
            continue;
        }
        let (ids, len) = id_list(g.as_str(), &text[g.start()..], grammar);
        let rest = &text[g.start() + len..];
        let title = clean_title(rest.trim_start_matches(['`', ']', '*']));
        let end = doc.section_end(*at, *level).min(at + 1 + MAX_SECTION_LINES);
        let body = join(&doc.lines, at + 1, end);
        let (title, pattern) = ears_title(&title, &body);
        out.extend(Candidate::each(ids, title, body, *at as u32 + 1, DefinitionShape::Heading, pattern));
    }
    for (i, line) in doc.lines.iter().enumerate() {
        if doc.fenced[i] || heading(line).is_some() {
            continue;
        }
        if let Some(c) = BRACKET_RE.captures(line) {
            let rest = &c[2];
            if defines(&c[1], grammar) && !rest.starts_with('(') && !rest.starts_with(':') {
                out.push(Candidate {
                    id: c[1].to_string(),
                    title: clean_title(rest),
                    text: join(&doc.lines, i, item_end(doc, i)),
                    line: i as u32 + 1,
                    shape: DefinitionShape::Bracket,
                    listed: false,
                    pattern: None,
                });
                continue;
            }
        }
        if let Some(c) = BOLD_TITLE_RE.captures(line)
            && (defines(&c[1], grammar)
                || grammar.requirement.is_none()
                    && round_shaped(&c[1])
                    && (spec || under_requirements_heading(doc, i)))
        {
            let title = clean_title(&format!("{} {}", c[2].trim(), c[3].trim()));
            let text = join(&doc.lines, i, item_end(doc, i));
            let (title, pattern) = ears_title(&title, &paragraph_after(doc, i));
            out.extend(Candidate::each(
                vec![c[1].to_string()],
                title,
                text,
                i as u32 + 1,
                DefinitionShape::BoldBullet,
                pattern,
            ));
            continue;
        }
        if let Some(c) = BOLD_RE.captures(line)
            && (defines(&c[1], grammar)
                || grammar.requirement.is_none()
                    && round_shaped(&c[1])
                    && (spec || under_requirements_heading(doc, i)))
        {
            let written = format!("{}{}", &c[1], &c[2]);
            let ids = match id_list(&c[1], &written, grammar) {
                (ids, len) if len >= written.trim_end().len() => ids,
                _ if c[2].is_empty() => vec![c[1].to_string()],
                _ => continue,
            };
            let title = clean_title(&c[4]);
            let text = join(&doc.lines, i, item_end(doc, i));
            let (title, pattern) = ears_title(&title, &paragraph_after(doc, i));
            out.extend(Candidate::each(ids, title, text, i as u32 + 1, DefinitionShape::BoldBullet, pattern));
            continue;
        }
        if let Some(c) = HEADER_LIST_RE.captures(line) {
            // The whole value must be IDs (lists and ranges expanded), not prose.
            let value: String = c[1].chars().filter(|&ch| ch != '`').collect();
            let (listed, end) = read_requirement_list(&value);
            let ids: Vec<&str> = listed
                .iter()
                .filter_map(|l| match l {
                    Listed::Id(id) => Some(id.as_str()),
                    _ => None,
                })
                .collect();
            if ids.len() != listed.len() || end < value.trim_end().len() {
                continue;
            }
            for id in ids {
                if defines(id, grammar) {
                    out.push(Candidate {
                        id: id.to_string(),
                        title: String::new(),
                        text: String::new(),
                        line: i as u32 + 1,
                        shape: DefinitionShape::HeaderList,
                        listed: false,
                        pattern: None,
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
            // A configured requirement pattern says which IDs are requirements, test
            // tables included; without one, a test-case table defines none.
            let cases = grammar.requirement.is_none() && is_test_case_table(doc, t);
            let req_table = (first_key == "id" && !cases) || first_key.contains("req");
            for (line, cells) in &t.rows {
                let Some(first) = cells.first() else { continue };
                let cell = plain_cell(first);
                let Some(m) = ID_START.find(cell) else { continue };
                let id = m.as_str();
                if !defines(id, grammar) || !(req_table || id.starts_with("REQ-")) {
                    continue;
                }
                // The whole cell is the ID or a list or range of IDs (`REQ-A-001..003`).
                let ids = match id_list(id, cell, grammar) {
                    (ids, len) if len >= cell.len() => ids,
                    _ if id == cell => vec![id.to_string()],
                    _ => continue,
                };
                let title = cells.get(1).map(|c| plain_cell(c).to_string()).unwrap_or_default();
                let text =
                    doc.lines.get(*line as usize - 1).map(|l| l.trim().to_string()).unwrap_or_default();
                out.extend(Candidate::each(ids, title, text, *line, DefinitionShape::TableRow, None));
            }
        }
    }
    out.sort_by_key(|c| c.line);
    out
}

/// Whether a table names test cases rather than requirements: a column of expected
/// results or outputs (`Expected`, `Exact output`, `Expected result`), or a section
/// heading above it about tests, cases or scenarios (`## Test cases`, `### Test matrix`).
/// Its IDs (`PY-3`, `GO-1`) are cases of a test plan, not requirements.
fn is_test_case_table(doc: &Doc<'_>, t: &Table) -> bool {
    let columns = t.column(|k| k.contains("expected") || k.contains("output")).is_some();
    let first = t.rows.first().map_or(0, |r| r.0 as usize);
    let heading = doc
        .headings
        .iter()
        .take_while(|h| h.0 + 1 < first)
        .last()
        .map(|h| h.2.to_lowercase())
        .unwrap_or_default();
    let about_tests = ["test", "case", "scenario"].iter().any(|w| heading.contains(w));
    columns || about_tests
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
        candidates(&doc, &t, spec, &Grammar::default())
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
                ("REQ-211-S01", "Hook fires", 6, DefinitionShape::Heading),
                ("DELTA-HSYS-001", "text", 7, DefinitionShape::Heading),
            ]
        );
        assert_eq!(c[0].text, "body line");
        assert_eq!(c[3].text, "text");
        // EARS patterns become tags; a title that is only a pattern takes the text.
        let pats: Vec<Option<&str>> = c.iter().map(|c| c.pattern.as_deref()).collect();
        assert_eq!(pats, [None, None, Some("Ubiquitous"), Some("Ubiquitous")]);
        let c = cands(
            "p/requirements.md",
            "### R1.1 — Ubiquitous

The system shall keep one session per user.

### R1.2 — Event-Driven
**Statement:** When a token expires, the system shall renew it.
",
            true,
        );
        assert_eq!(
            c.iter().map(|c| (c.title.as_str(), c.pattern.as_deref())).collect::<Vec<_>>(),
            [
                ("The system shall keep one session per user.", Some("Ubiquitous")),
                ("When a token expires, the system shall renew it.", Some("Event-driven")),
            ]
        );
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
        // The ID and its title in one bold span; a round-shaped ID as a bold bullet.
        let bold = cands(
            "p/PLAN.md",
            "**AB2 — Sizes are cached.**\nRepeated calls reuse the first result.\n\n## Requirements\n\n- **R3** Given a widget, its size is reported.\n- **REQ-005: Widths add up** exactly\n### R4 - Round four\n## Remediation\n- **R5** — leftovers\n",
            false,
        );
        assert_eq!(
            brief(&bold),
            vec![
                ("AB2", "Sizes are cached.", 1, DefinitionShape::BoldBullet),
                ("R3", "Given a widget, its size is reported.", 6, DefinitionShape::BoldBullet),
                ("REQ-005", "Widths add up exactly", 7, DefinitionShape::BoldBullet),
            ],
            "a round heading (`### R4 - …`) and a round-shaped bullet outside requirements (R5) are none"
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
    fn a_definition_of_only_an_id_takes_its_statement_as_title() {
        let text = "### REQ-FL-016\n**Type:** Event-driven\n**Statement:** When it is called, the system shall not fail over.\n\n**Rationale:** futile.\n\n### REQ-RN-005\nWhile narrow, the system shall truncate previews.\n\n**REQ-LF-090**\n**While** broken, the system shall proceed.\n\n- **REQ-PT-001**\n  - **REQ-PT-001.1** Stored by name.\n";
        let c = cands("p/requirements.md", text, true);
        let got: Vec<(&str, &str, Option<&str>)> =
            c.iter().map(|c| (c.id.as_str(), c.title.as_str(), c.pattern.as_deref())).collect();
        assert_eq!(
            got,
            vec![
                ("REQ-FL-016", "When it is called, the system shall not fail over.", Some("Event-driven")),
                ("REQ-RN-005", "While narrow, the system shall truncate previews.", None),
                ("REQ-LF-090", "**While** broken, the system shall proceed.", None),
                ("REQ-PT-001", "", None),
                ("REQ-PT-001.1", "Stored by name.", None),
            ]
        );
        // A long statement is cut at a word boundary, and says so.
        let long = format!("### REQ-LN-001\n{}\n", "The system shall retry the request. ".repeat(8));
        let c = cands("p/requirements.md", &long, true);
        let words: Vec<&str> = "The system shall retry the request.".split(' ').collect();
        let last = c[0].title.strip_suffix('…').and_then(|t| t.rsplit(' ').next()).unwrap_or_default();
        assert!(words.contains(&last), "ends with a whole word and `…`: {}", c[0].title);
        assert!(
            c[0].title.len() <= 163 && c[0].title.starts_with("The system shall retry"),
            "{}",
            c[0].title
        );
    }

    #[test]
    fn test_case_tables_define_no_requirements() {
        let text = "## Behaviour\n\n| ID | Behavior | Evidence |\n|---|---|---|\n| BH-1 | Imports are listed | test |\n\n## Behavior matrix\n\n| ID | Language/input | Exact output |\n|---|---|---|\n| PY-3 | `import os, x` | `[os, x]` |\n\n## Test cases\n\n| ID | Given | Then |\n|---|---|---|\n| GO-1 | a blank line | line 2 |\n";
        let c = cands("p/specification.md", text, true);
        assert_eq!(
            brief(&c),
            vec![("BH-1", "Imports are listed", 5, DefinitionShape::TableRow)],
            "a table with an output column or under a test heading lists test cases"
        );
    }

    #[test]
    fn header_lists_and_placeholders() {
        let c = cands(
            "p/plan/00-overview.md",
            "Plan ID: PLAN-A1\nRequirements: [REQ-SP2-001, REQ-SP2-002]\nRequirements: REQ-A-1, `REQ-A-2`\n### REQ-XXX: Title\n- **REQ-00X**: x\n```\n### REQ-IN-FENCE-1: no\n```\n**Requirements**: [REQ-RG-001..003]\nRequirements: REQ-B-1 – REQ-B-2\nRequirements: REQ-C-1 and friends\n",
            false,
        );
        assert_eq!(
            brief(&c),
            vec![
                ("REQ-SP2-001", "", 2, DefinitionShape::HeaderList),
                ("REQ-SP2-002", "", 2, DefinitionShape::HeaderList),
                ("REQ-A-1", "", 3, DefinitionShape::HeaderList),
                ("REQ-A-2", "", 3, DefinitionShape::HeaderList),
                ("REQ-RG-001", "", 9, DefinitionShape::HeaderList),
                ("REQ-RG-002", "", 9, DefinitionShape::HeaderList),
                ("REQ-RG-003", "", 9, DefinitionShape::HeaderList),
                ("REQ-B-1", "", 10, DefinitionShape::HeaderList),
                ("REQ-B-2", "", 10, DefinitionShape::HeaderList),
            ],
            "ranges expand; a value that is not all IDs defines nothing"
        );
        assert!(is_placeholder("REQ-SP4-00X"));
        assert!(is_placeholder("REQ-NNN"));
        assert!(!is_placeholder("REQ-SP4-001"));
        assert!(!is_placeholder("REQ-1598-FL03"));
        assert!(!is_placeholder("REQ-X-001"), "an X prefix is a real prefix");
        assert!(is_id("REQ-X-001"));
        assert!(is_placeholder("REQ-X-XXX"));
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
