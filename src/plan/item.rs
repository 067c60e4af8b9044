//! Items other than requirements and phases, read from one document: tasks and risks
//! by ID (table rows and headings whose first cell or word matches a kind's pattern),
//! risk-to-task mapping lines (`R-001 → T-014`), risk registers and spec-gap tables
//! without IDs, readiness checklists (`- [x]`) and gates (`Gate: PASS` /
//! `Gate: FAIL — reason`). Shapes: `docs/grammar.md` §5.

use super::doc::Doc;
use super::table::{Table, header_key, plain_cell};
use super::{Attribute, Item, Link, LinkKind, Location};
use crate::grammar::Grammar;
use regex::Regex;
use std::sync::LazyLock;

/// An item found in a document, before per-plan numbering and de-duplication.
#[derive(Debug, Clone)]
pub(crate) struct FoundItem {
    /// The item; `id` is empty for shapes without IDs (numbered per plan later).
    pub(crate) item: Item,
    /// True when only a mapping line names it (a risk in `R-001 → T-014` with no row
    /// of its own): any other definition wins, and a second mention is no duplicate.
    pub(crate) implicit: bool,
}

fn found(kind: &str, id: String, title: String, text: String, location: Location) -> FoundItem {
    FoundItem {
        item: Item {
            kind: kind.to_string(),
            id,
            title,
            text,
            location,
            attributes: Vec::new(),
            links: Vec::new(),
        },
        implicit: false,
    }
}

/// Strips list markers, numbering, emphasis and a trailing colon from a label line
/// (`5. **Readiness Checklist**` → `Readiness Checklist`).
fn label(line: &str) -> String {
    static RE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^\s*(?:#+\s+|[-*+]\s+|[0-9]+[.)]\s+)?").expect("valid regex"));
    let t = RE.replace(line, "");
    t.trim()
        .trim_matches(|c: char| matches!(c, '*' | '_' | '`'))
        .trim()
        .trim_end_matches(':')
        .trim()
        .to_string()
}

/// IDs of any item kind in `text`, in order, without duplicates.
fn kind_ids(text: &str, grammar: &Grammar) -> Vec<String> {
    let mut hits: Vec<(usize, String)> = Vec::new();
    for k in &grammar.kinds {
        for m in k.find_all(text) {
            // An ID of another kind may already cover this span (configured kinds may
            // overlap).
            if !hits.iter().any(|(a, h)| *a <= m.start() && m.start() < a + h.len()) {
                hits.push((m.start(), m.as_str().to_string()));
            }
        }
    }
    hits.sort();
    let mut out: Vec<String> = Vec::new();
    for (_, id) in hits {
        if !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

/// Requirement IDs in a cell (`REQ-001, REQ-002`), under the grammar.
fn requirement_ids(text: &str, grammar: &Grammar) -> Vec<String> {
    static RE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(&format!(r"\b{}", crate::grammar::REQ_ID)).expect("valid regex"));
    let mut out: Vec<String> = Vec::new();
    for m in RE.find_iter(text) {
        let id = m.as_str().trim_end_matches(['.', '-']);
        if grammar.is_requirement(id) && !out.iter().any(|o| o == id) {
            out.push(id.to_string());
        }
    }
    out
}

/// What a table column means for the items of its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Id,
    Title,
    Link(LinkKind),
    Attribute,
}

fn column_meaning(key: &str) -> Column {
    if key.contains("prereq") || key.contains("depend") || key.contains("blocked by") {
        Column::Link(LinkKind::DependsOn)
    } else if key.starts_with("source") || key.starts_with("ref") || key.contains("trace") {
        Column::Link(LinkKind::References)
    } else if key.starts_with("requirement") || key == "reqs" || key == "req" || key.starts_with("covers") {
        Column::Link(LinkKind::Covers)
    } else if key.starts_with("verifies") {
        Column::Link(LinkKind::Verifies)
    } else if key.starts_with("mitigates") || key.starts_with("risks") || key == "risk ids" {
        Column::Link(LinkKind::Mitigates)
    } else if matches!(key, "description" | "title" | "name" | "summary" | "task" | "what") {
        Column::Title
    } else {
        Column::Attribute
    }
}

/// Items defined by table rows: a column of IDs of one kind (the first column, or one
/// whose header names an ID), or, without IDs, a risk register (`Risk | Likelihood |
/// Impact | …`) or a spec-gap table (`Gap | Proposed Fix | Owner | Status`).
fn table_items(doc: &Doc<'_>, tables: &[Table], grammar: &Grammar) -> Vec<FoundItem> {
    let mut out = Vec::new();
    for t in tables {
        let keys: Vec<String> = t.header.iter().map(|h| header_key(h)).collect();
        let id_col =
            (0..keys.len()).filter(|&c| c == 0 || keys[c].ends_with(" id") || keys[c] == "id").find(|&c| {
                t.rows
                    .iter()
                    .any(|(_, cells)| cells.get(c).is_some_and(|x| grammar.kind_of(plain_cell(x)).is_some()))
            });
        let register = match keys.first().map(String::as_str) {
            _ if id_col.is_some() => None,
            Some(k)
                if k.starts_with("risk")
                    && keys.iter().any(|k| {
                        ["likelihood", "impact", "mitigation", "probability", "severity"]
                            .iter()
                            .any(|w| k.contains(w))
                    }) =>
            {
                Some("risk")
            }
            Some(k) if k.starts_with("gap") => Some("gap"),
            _ => None,
        };
        if id_col.is_none() && register.is_none() {
            continue;
        }
        let mut meanings: Vec<Column> = keys.iter().map(|k| column_meaning(k)).collect();
        match id_col {
            Some(c) => meanings[c] = Column::Id,
            None => meanings[0] = Column::Title,
        }
        if !meanings.contains(&Column::Title) {
            // The first free-text column after the ID titles the item.
            if let Some(c) = meanings.iter().position(|m| *m == Column::Attribute) {
                meanings[c] = Column::Title;
            }
        }
        for (line, cells) in &t.rows {
            let location = Location { path: doc.path.to_string(), line: *line };
            let (kind, id) = match (id_col, register) {
                (Some(c), _) => {
                    let Some(cell) = cells.get(c) else { continue };
                    let id = plain_cell(cell);
                    let Some(k) = grammar.kind_of(id) else { continue };
                    (grammar.kinds[k].name.as_str(), id.to_string())
                }
                (None, Some(kind)) => {
                    if cells.iter().all(|c| plain_cell(c).is_empty()) {
                        continue;
                    }
                    (kind, String::new())
                }
                (None, None) => continue,
            };
            // A row's cells are its attributes; it has no text of its own.
            let mut f = found(kind, id, String::new(), String::new(), location.clone());
            for (c, cell) in cells.iter().enumerate() {
                let name =
                    t.header.get(c).map(|h| h.trim_matches(|ch: char| ch == '*' || ch.is_whitespace()));
                let (Some(name), Some(meaning)) = (name, meanings.get(c)) else { continue };
                match meaning {
                    Column::Id => {}
                    Column::Title => f.item.title = cell.trim().to_string(),
                    Column::Link(k) => {
                        let targets = match k {
                            LinkKind::Covers | LinkKind::Verifies => requirement_ids(cell, grammar),
                            _ => kind_ids(cell, grammar),
                        };
                        for target in targets {
                            f.item.links.push(Link { kind: *k, target, location: location.clone() });
                        }
                        if !cell.trim().is_empty() {
                            f.item
                                .attributes
                                .push(Attribute { name: name.to_string(), value: cell.trim().to_string() });
                        }
                    }
                    Column::Attribute => {
                        if !cell.trim().is_empty() {
                            f.item
                                .attributes
                                .push(Attribute { name: name.to_string(), value: cell.trim().to_string() });
                        }
                    }
                }
            }
            out.push(f);
        }
    }
    out
}

/// Items defined by headings that start with an ID of a kind: task cards
/// `### T-001 — Title` (spec-dev's tasks template), `## R-003: Title`.
fn heading_items(doc: &Doc<'_>, grammar: &Grammar) -> Vec<FoundItem> {
    static RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(?:\*\*)?`?\[?([A-Za-z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*)\]?`?(?:\*\*)?(?:\s*[:—–-]\s*|\s+|$)(.*)$")
            .expect("valid regex")
    });
    let mut out = Vec::new();
    for (at, level, text) in &doc.headings {
        let Some(c) = RE.captures(text) else { continue };
        let id = &c[1];
        let Some(k) = grammar.kind_of(id) else { continue };
        let end = doc.section_end(*at, *level);
        let body = doc.lines[*at + 1..end].join("\n").trim().to_string();
        let location = Location { path: doc.path.to_string(), line: *at as u32 + 1 };
        let title = c[2].trim().trim_matches('*').trim().to_string();
        let mut f = found(&grammar.kinds[k].name, id.to_string(), title, body, location);
        let (attributes, links) = section_details(doc, (*at + 1, end), grammar);
        f.item.attributes = attributes;
        f.item.links = links;
        out.push(f);
    }
    out
}

/// Attributes and links written as labelled lines in a section (0-based, end
/// exclusive): `- Entrance: …`, `- Exit: …`, `**Owner:** …`, `Depends on: T-001`,
/// `- Tasks: T-001, T-002` (phases include tasks); the fields of spec-dev's task cards
/// (`**Why:**`, `**Acceptance (Given/When/Then):**`, `**Dependencies:**`,
/// `**Estimate:**`, `**Risk:**`). A label with nothing after it takes the list items
/// right below it as its value (one per line).
pub(crate) fn section_details(
    doc: &Doc<'_>,
    (from, to): (usize, usize),
    grammar: &Grammar,
) -> (Vec<Attribute>, Vec<Link>) {
    static RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^\s*(?:[-*+]\s+)?\*{0,2}(Entrance(?: criteria)?|Entry(?: criteria)?|Exit(?: criteria)?|Owner|Priority|Status|Tasks|Depends on|Dependencies|Prereq(?:uisite)?s?|Mitigates|Verifies|Covers|Why|Acceptance(?: criteria)?(?:\s*\([^)]*\))?|Estimate|Risk)\*{0,2}\s*:\s*\*{0,2}\s*(.*)$")
            .expect("valid regex")
    });
    let mut attributes = Vec::new();
    let mut links = Vec::new();
    for i in from..to.min(doc.lines.len()) {
        if doc.fenced[i] {
            continue;
        }
        let Some(c) = RE.captures(doc.lines[i]) else { continue };
        let name = c[1].to_string();
        let mut value = c[2].trim().to_string();
        if value.is_empty() {
            let below: Vec<&str> = (i + 1..to.min(doc.lines.len()))
                .map(|j| doc.lines[j].trim())
                .take_while(|l| ["- ", "* ", "+ "].iter().any(|m| l.starts_with(m)) && !RE.is_match(l))
                .collect();
            if below.is_empty() {
                continue;
            }
            value = below.join("\n");
        }
        let location = Location { path: doc.path.to_string(), line: i as u32 + 1 };
        let kind = match name.to_ascii_lowercase().as_str() {
            "tasks" => Some(LinkKind::Includes),
            "depends on" | "dependencies" | "prereq" | "prereqs" | "prerequisite" | "prerequisites" => {
                Some(LinkKind::DependsOn)
            }
            "mitigates" => Some(LinkKind::Mitigates),
            "verifies" => Some(LinkKind::Verifies),
            "covers" => Some(LinkKind::Covers),
            _ => None,
        };
        if let Some(k) = kind {
            let targets = match k {
                LinkKind::Covers | LinkKind::Verifies => requirement_ids(&value, grammar),
                _ => kind_ids(&value, grammar),
            };
            for target in targets {
                links.push(Link { kind: k, target, location: location.clone() });
            }
        }
        attributes.push(Attribute { name, value });
    }
    (attributes, links)
}

/// Mapping lines `- R-001 → T-014, T-025` (also `->`, `=>`): the left item (a risk,
/// defined here when nothing else defines it) is mitigated by the right ones; for other
/// kinds on the left the right ones are referenced.
fn mapping_items(doc: &Doc<'_>, grammar: &Grammar) -> Vec<FoundItem> {
    static RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^\s*(?:[-*+]\s+)?\*{0,2}`?([A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*)`?\*{0,2}\s*(?:→|->|=>)\s*(.+)$")
            .expect("valid regex")
    });
    let mut out = Vec::new();
    for (i, line) in doc.lines.iter().enumerate() {
        if doc.fenced[i] || !(line.contains("→") || line.contains("->") || line.contains("=>")) {
            continue;
        }
        let Some(c) = RE.captures(line) else { continue };
        let Some(k) = grammar.kind_of(&c[1]) else { continue };
        let targets = kind_ids(&c[2], grammar);
        if targets.is_empty() {
            continue;
        }
        let name = &grammar.kinds[k].name;
        let link_kind = if name == "risk" { LinkKind::MitigatedBy } else { LinkKind::References };
        let location = Location { path: doc.path.to_string(), line: i as u32 + 1 };
        let mut f = found(name, c[1].to_string(), String::new(), line.trim().to_string(), location.clone());
        f.implicit = true;
        f.item.links = targets
            .into_iter()
            .map(|target| Link { kind: link_kind, target, location: location.clone() })
            .collect();
        out.push(f);
    }
    out
}

/// The label of the block that starts at line index `i`: the nearest non-empty line
/// above it (a list label such as `5. **Readiness Checklist**`, or a heading).
fn label_above(doc: &Doc<'_>, i: usize) -> String {
    doc.lines[..i].iter().rev().find(|l| !l.trim().is_empty()).map(|l| label(l)).unwrap_or_default()
}

/// Checklists: runs of task-list items (`- [ ] …`, `- [x] …`) outside fences; nested
/// lines and blank lines between items stay in the run. Attributes `checked` and
/// `total`.
fn checklists(doc: &Doc<'_>) -> Vec<FoundItem> {
    static BOX: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^(\s*)(?:[-*+]|[0-9]+[.)])\s+\[([ xX])\]\s").expect("valid regex"));
    let mut out = Vec::new();
    let n = doc.lines.len();
    let mut i = 0;
    while i < n {
        let Some(c) =
            (!doc.fenced[i] && doc.lines[i].contains("] ")).then(|| BOX.captures(doc.lines[i])).flatten()
        else {
            i += 1;
            continue;
        };
        let indent = c[1].len();
        let start = i;
        let (mut checked, mut total) = (0usize, 0usize);
        let mut end = i;
        while i < n && !doc.fenced[i] {
            let line = doc.lines[i];
            if let Some(c) = BOX.captures(line) {
                total += 1;
                if &c[2] != " " {
                    checked += 1;
                }
                end = i;
            } else if line.trim().is_empty() {
                // A blank line continues the run only when another box follows.
                let next = (i + 1..n).find(|&j| !doc.lines[j].trim().is_empty());
                if !next.is_some_and(|j| BOX.is_match(doc.lines[j])) {
                    break;
                }
            } else if line.len() - line.trim_start().len() <= indent {
                break;
            }
            i += 1;
        }
        let text = doc.lines[start..=end].join("\n");
        let location = Location { path: doc.path.to_string(), line: start as u32 + 1 };
        let mut f = found("checklist", String::new(), label_above(doc, start), text, location);
        f.item.attributes = vec![
            Attribute { name: "checked".into(), value: checked.to_string() },
            Attribute { name: "total".into(), value: total.to_string() },
        ];
        out.push(f);
        i = end + 1;
    }
    out
}

/// Gates: a line `Gate: PASS` or `Gate: FAIL — reason` (also `**Gate:** FAIL (reason)`,
/// in a list item), outside fences and not inside inline code, so instructions that
/// quote `` `Gate: PASS` `` are no gate. Attributes `result` (`PASS`/`FAIL`) and
/// `reason`.
fn gates(doc: &Doc<'_>) -> Vec<FoundItem> {
    static RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^\s*(?:[-*+]\s+|[0-9]+[.)]\s+)?\*{0,2}(?i:gate)\*{0,2}\s*:\s*\*{0,2}\s*(PASS(?:ED)?|FAIL(?:ED)?)\b\*{0,2}\s*(.*)$")
            .expect("valid regex")
    });
    let mut out = Vec::new();
    for (i, line) in doc.lines.iter().enumerate() {
        let maybe = line.contains("ate:") || line.contains("ate**:") || line.contains("ATE");
        if doc.fenced[i] || !maybe {
            continue;
        }
        let Some(c) = RE.captures(line) else { continue };
        let result = if c[1].starts_with('P') { "PASS" } else { "FAIL" };
        let reason = c[2]
            .trim()
            .trim_start_matches(['—', '–', '-', ':'])
            .trim()
            .trim_start_matches('(')
            .trim_end_matches(')')
            .trim()
            .to_string();
        let heading = doc.headings.iter().rev().find(|h| h.0 < i).map(|h| label(&h.2)).unwrap_or_default();
        let location = Location { path: doc.path.to_string(), line: i as u32 + 1 };
        let mut f = found("gate", String::new(), heading, line.trim().to_string(), location);
        f.item.attributes.push(Attribute { name: "result".into(), value: result.into() });
        if !reason.is_empty() {
            f.item.attributes.push(Attribute { name: "reason".into(), value: reason });
        }
        out.push(f);
    }
    out
}

/// Every item a document defines, in document order.
pub(crate) fn items(doc: &Doc<'_>, tables: &[Table], grammar: &Grammar) -> Vec<FoundItem> {
    if !doc.markdown {
        return Vec::new();
    }
    let mut out = table_items(doc, tables, grammar);
    out.extend(heading_items(doc, grammar));
    out.extend(mapping_items(doc, grammar));
    out.extend(checklists(doc));
    out.extend(gates(doc));
    out.sort_by_key(|f| f.item.location.line);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::table::tables;

    fn parse(text: &str) -> Vec<FoundItem> {
        let doc = Doc::new("p", "p/plan.md", text, false);
        let tabs = tables(&doc.lines, &doc.fenced);
        items(&doc, &tabs, &Grammar::default())
    }

    fn attr<'a>(i: &'a Item, name: &str) -> Option<&'a str> {
        i.attribute(name)
    }

    #[test]
    fn task_table_rows_with_prerequisites_and_sources() {
        let text = "| Task ID | Description | Owner/Role | Prereqs | Priority | Source |\n|---|---|---|---|---|---|\n\
                    | T-001 | Pin toolchain | Platform Eng | None | P0 | SR §3 B-003; VR NEW-RISK-003 |\n\
                    | T-002 | Define RBAC | Security | T-001 | P0 | SR R-007 |\n";
        let f = parse(text);
        assert_eq!(f.len(), 2);
        let t1 = &f[0].item;
        assert_eq!((t1.kind.as_str(), t1.id.as_str(), t1.title.as_str()), ("task", "T-001", "Pin toolchain"));
        assert_eq!(t1.location.line, 3);
        assert_eq!(attr(t1, "Owner/Role"), Some("Platform Eng"));
        assert_eq!(attr(t1, "priority"), Some("P0"));
        assert!(t1.links.iter().all(|l| l.kind != LinkKind::DependsOn), "`None` is no prerequisite");
        assert_eq!(
            t1.links.iter().map(|l| (l.kind, l.target.as_str())).collect::<Vec<_>>(),
            [(LinkKind::References, "NEW-RISK-003")]
        );
        let t2 = &f[1].item;
        assert!(t2.links.contains(&Link {
            kind: LinkKind::DependsOn,
            target: "T-001".into(),
            location: Location { path: "p/plan.md".into(), line: 4 }
        }));
    }

    #[test]
    fn risk_mapping_lines_define_risks_mitigated_by_tasks() {
        let f = parse(
            "## 6. Risk-to-Task Mapping\n- R-004 → T-006, T-025\n- NEW-RISK-001 → T-002\n- R-9 → T-1\n",
        );
        assert_eq!(f.len(), 2);
        assert!(f.iter().all(|x| x.implicit && x.item.kind == "risk"));
        assert_eq!(f[0].item.id, "R-004");
        let targets: Vec<_> = f[0].item.links.iter().map(|l| (l.kind, l.target.as_str())).collect();
        assert_eq!(targets, [(LinkKind::MitigatedBy, "T-006"), (LinkKind::MitigatedBy, "T-025")]);
        assert_eq!(f[1].item.id, "NEW-RISK-001");
    }

    #[test]
    fn checklists_count_checked_boxes_and_take_their_label() {
        let text = "5. **Readiness Checklist**\n   - [ ] Owners assigned.\n   - [x] Dependencies identified.\n     more text\n\n   - [X] Tests.\n\nAfter.\n\n```\n- [ ] in a fence\n```\n";
        let f = parse(text);
        assert_eq!(f.len(), 1);
        let c = &f[0].item;
        assert_eq!((c.kind.as_str(), c.title.as_str()), ("checklist", "Readiness Checklist"));
        assert_eq!((attr(c, "checked"), attr(c, "total")), (Some("2"), Some("3")));
        assert_eq!(c.location.line, 2);
    }

    #[test]
    fn gates_pass_and_fail_but_not_quoted_instructions() {
        let text = "## 6. Gate\n- Append `Gate: PASS` when satisfied; otherwise `Gate: FAIL — <reason>`.\n\
                    Gate: FAIL — telemetry plan missing\n**Gate:** PASS\n- Gate: FAIL (set to READY FOR IMPLEMENTATION later)\n";
        let f = parse(text);
        let g: Vec<_> = f.iter().map(|x| (attr(&x.item, "result"), attr(&x.item, "reason"))).collect();
        assert_eq!(
            g,
            [
                (Some("FAIL"), Some("telemetry plan missing")),
                (Some("PASS"), None),
                (Some("FAIL"), Some("set to READY FOR IMPLEMENTATION later"))
            ]
        );
        assert_eq!(f[0].item.title, "Gate");
    }

    #[test]
    fn registers_without_ids_and_gap_tables() {
        let text = "| Risk | Likelihood | Impact | Mitigation | Owner |\n|---|---|---|---|---|\n| Cache stampede | Medium | High | Jitter | Ops |\n\n\
                    | Gap | Proposed Fix | Owner | Status |\n|---|---|---|---|\n| No SLO | Define one | QA | open |\n\n\
                    | Name | Value |\n|---|---|\n| a | b |\n";
        let f = parse(text);
        let kinds: Vec<_> = f.iter().map(|x| (x.item.kind.as_str(), x.item.title.as_str())).collect();
        assert_eq!(kinds, [("risk", "Cache stampede"), ("gap", "No SLO")]);
        assert_eq!(attr(&f[0].item, "Impact"), Some("High"));
        assert_eq!(attr(&f[1].item, "Status"), Some("open"));
        assert!(f.iter().all(|x| x.item.id.is_empty()));
    }

    #[test]
    fn task_cards_as_headings() {
        let f = parse("### T-001 — Add the flag\n**Why:** x\nDepends on: T-000\n\n### Notes\n");
        assert_eq!(f.len(), 1);
        let t = &f[0].item;
        assert_eq!((t.id.as_str(), t.title.as_str()), ("T-001", "Add the flag"));
        assert_eq!(t.links[0].kind, LinkKind::DependsOn);
        assert_eq!(t.links[0].target, "T-000");
    }
}
