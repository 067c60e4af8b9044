//! Marker occurrences: finding `@plan` / `@requirement` tags, classifying where they
//! sit, parsing their values and grouping them into traces.
//!
//! **Tags** are those of [`crate::grammar::tags`] (`@plan`, `@requirement`,
//! `@requirements`, configured requirement and item tags), case-sensitive.
//!
//! **Values** are read from the rest of the line, cut at `*/`, `-->` and `${`. When the
//! marker is in a comment and that rest ends with `,`, the value continues on the next
//! line of the same comment block (comment leaders such as ` * `, `//`, `#` removed).
//! The text is then read by the ID grammar ([`crate::grammar::ids`]): plan references
//! with phase lists and ranges, requirement lists and ranges, item IDs; what names no
//! ID becomes a [`Value::Unresolved`].
//!
//! **Traces.** Markers in one comment block (a `/* … */`, or consecutive own-line `//`
//! or `#` comments), in one test title, or in one markdown HTML comment are grouped in
//! order; an `@plan` starts a new trace when the current one already has both a plan
//! and a requirement tag, so stacked `@plan A @requirement R1 @plan B @requirement R2`
//! gives two traces while `@plan A @plan B @requirement R` gives one.

use super::excerpt::{self, Ctx};
use super::lexer::{self, Kind};
use super::{Excerpt, ItemRef, Language, Marker, Placement, PlanRef, Scan, Tag, Trace, Value, ValueLines};
use crate::grammar::ids::{self, Listed, floor_char_boundary};
use crate::grammar::tags;
use crate::grammar::{Grammar, ItemKind};

/// How much of a line after a tag is read, so that a huge line stays linear.
const VALUE_LIMIT: usize = 2000;

/// Scans text of the given language; see [`super::scan`].
pub fn scan(lang: Language, text: &str, excerpt_cap: u32, grammar: &Grammar) -> Scan {
    if !super::may_contain_markers(text, grammar) {
        return Scan::default();
    }
    let lexed = lexer::lex(lang, text);
    let starts = crate::text::line_starts(text);
    let ctx = Ctx { text, starts: &starts, lexed: &lexed };
    // (offset of the `@`, tag, item kind for item tags, offset of the value)
    let mut found: Vec<(usize, Tag, usize, usize)> = Vec::new();
    let b = text.as_bytes();
    for at in memchr::memmem::find_iter(b, tags::PLAN.as_bytes()) {
        if let Some(v) = tags::value_start(b, at, tags::PLAN.len()) {
            found.push((at, Tag::Plan, 0, v));
        }
    }
    for at in memchr::memmem::find_iter(b, tags::REQUIREMENT.as_bytes()) {
        let n = tags::REQUIREMENT.len();
        let len = if b.get(at + n) == Some(&b's') { n + 1 } else { n };
        if let Some(v) = tags::value_start(b, at, len) {
            found.push((at, Tag::Requirement, 0, v));
        }
    }
    for tag in &grammar.requirement_tags {
        for at in memchr::memmem::find_iter(b, tag.as_bytes()) {
            if let Some(v) = tags::value_start(b, at, tag.len()) {
                found.push((at, Tag::Requirement, 0, v));
            }
        }
    }
    for (tag, kind) in grammar.item_tags() {
        for at in memchr::memmem::find_iter(b, tag.as_bytes()) {
            if let Some(v) = tags::value_start(b, at, tag.len()) {
                found.push((at, Tag::Item, kind, v));
            }
        }
    }
    found.sort_unstable();
    found.dedup_by_key(|f| f.0);

    let mut markers = Vec::with_capacity(found.len());
    // Per marker: the trace group and the excerpt anchor.
    let mut groups: Vec<Option<Group>> = Vec::with_capacity(found.len());
    for (at, tag, kind_index, vstart) in found {
        let line = ctx.line_of(at);
        let column = (at - starts[line as usize - 1] + 1) as u32;
        let region = lexed.index_at(at).map(|i| lexed.regions[i]);
        let kind = region.map_or(Kind::Code, |r| r.kind);
        let (placement, group) = match (lang, kind) {
            (Language::Other, _) => (Placement::Artifact, None),
            (Language::Markdown, Kind::Comment { block }) => {
                (Placement::MarkdownComment, Some(Group::Block(block)))
            }
            (Language::Markdown, _) => (Placement::MarkdownText, None),
            (_, Kind::Comment { block }) => (Placement::Comment, Some(Group::Block(block))),
            (_, Kind::Str { open }) => match test_call(b, open) {
                Some(call) if lang == Language::CLike => {
                    (Placement::TestTitle, Some(Group::Title { open, call }))
                }
                _ => (Placement::StringLiteral, None),
            },
            (_, Kind::Code) => (Placement::Code, None),
        };
        let value = value_text(&ctx, vstart, kind);
        let values = match tag {
            Tag::Plan => values_of(ids::parse_plan_refs(&value), tag, None),
            Tag::Requirement => {
                restrict_requirements(values_of(ids::parse_requirement_list(&value), tag, None), grammar)
            }
            Tag::Item => {
                let k = &grammar.kinds[kind_index];
                values_of(ids::parse_item_list(&value, k), tag, Some(k))
            }
        };
        markers.push(Marker { tag, line, column, placement, values });
        groups.push(group);
    }
    let traces = build_traces(&ctx, lang, &markers, &groups, excerpt_cap);
    Scan { markers, traces }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Group {
    Block(u32),
    Title { open: usize, call: usize },
}

/// The text a marker's values are read from (see the module docs).
fn value_text(ctx: &Ctx<'_>, start: usize, kind: Kind) -> String {
    let text = ctx.text;
    let b = text.as_bytes();
    let mut out = String::new();
    let mut s = start;
    for _ in 0..20 {
        let window = &b[s..text.len().min(s + VALUE_LIMIT + 1)];
        // Without a newline in the window, its end may fall inside a character.
        let nl = memchr::memchr(b'\n', window)
            .map_or_else(|| floor_char_boundary(text, s + window.len()), |p| s + p);
        let end = s + floor_char_boundary(&text[s..nl], VALUE_LIMIT.min(nl - s));
        let mut piece = text[s..end].trim_end_matches('\r');
        let full = piece.len();
        for stop in ["*/", "-->", "${"] {
            if let Some(p) = piece.find(stop) {
                piece = &piece[..p];
            }
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(piece.trim());
        let Kind::Comment { block } = kind else { break };
        if piece.len() != full || !piece.trim_end().ends_with(',') || nl >= text.len() || b[nl] != b'\n' {
            break;
        }
        // Continue on the next line of the same comment block, leaders removed.
        let next = nl + 1;
        let line_end = memchr::memchr(b'\n', &b[next..]).map_or(text.len(), |p| next + p);
        let line = &text[next..line_end];
        let content = next + (line.len() - line.trim_start().len());
        if content >= line_end || ctx.lexed.kind_at(content) != (Kind::Comment { block }) {
            break;
        }
        let body = text[content..line_end].trim_start_matches(['*', '/', '!', '#']);
        let body_start = line_end - body.len();
        let body_start = body_start + (body.len() - body.trim_start().len());
        if body_start >= line_end || b[body_start] == b'@' {
            break;
        }
        s = body_start;
    }
    out
}

/// When the string literal opened at `open` is the first argument of a test call
/// (`it(`, `describe.only(`, `it.each([…])(`, …, on the same or the previous line),
/// the offset where the call starts.
fn test_call(b: &[u8], open: usize) -> Option<usize> {
    const FNS: &[&[u8]] = &[
        b"it",
        b"test",
        b"describe",
        b"suite",
        b"context",
        b"specify",
        b"bench",
        b"fit",
        b"fdescribe",
        b"xit",
        b"xdescribe",
        b"xtest",
        b"scenario",
        b"feature",
        b"itProp",
        b"testProp",
    ];
    const MODS: &[&[u8]] =
        &[b"skip", b"only", b"each", b"concurrent", b"todo", b"failing", b"sequential", b"fails", b"serial"];
    const CALLED: &[&[u8]] = &[b"each", b"for", b"skipIf", b"runIf", b"todoIf", b"prop"];
    let mut j = skip_ws_back(b, open, 1)?;
    if j == 0 || b[j - 1] != b'(' {
        return None;
    }
    j = skip_ws_back(b, j - 1, 1)?;
    let mut called = false;
    if j > 0 && b[j - 1] == b')' {
        // `it.each([...])(`: find the matching `(` within a bounded window.
        let lo = j.saturating_sub(4096);
        let mut depth = 0i32;
        let mut k = j;
        loop {
            if k <= lo {
                return None;
            }
            k -= 1;
            match b[k] {
                b')' | b']' | b'}' => depth += 1,
                b'(' | b'[' | b'{' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
        }
        j = k;
        called = true;
    }
    let end = j;
    while j > 0 && (is_ident_byte(b[j - 1]) || b[j - 1] == b'.') {
        j -= 1;
    }
    let chain = &b[j..end];
    let mut parts = chain.split(|&c| c == b'.');
    let first = parts.next()?;
    if !FNS.contains(&first) {
        return None;
    }
    let rest: Vec<&[u8]> = parts.collect();
    let ok = match rest.split_last() {
        None => !called,
        Some((last, init)) => {
            init.iter().all(|m| MODS.contains(m))
                && if called { CALLED.contains(last) } else { MODS.contains(last) }
        }
    };
    ok.then_some(j)
}

fn is_ident_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$'
}

/// Steps back over whitespace from `i` (exclusive) crossing at most `newlines` line
/// breaks; the new exclusive end, or `None` when more line breaks are crossed.
fn skip_ws_back(b: &[u8], mut i: usize, newlines: usize) -> Option<usize> {
    let mut seen = 0;
    while i > 0 && b[i - 1].is_ascii_whitespace() {
        if b[i - 1] == b'\n' {
            seen += 1;
            if seen > newlines {
                return None;
            }
        }
        i -= 1;
    }
    Some(i)
}

/// The marker values of a list read by the ID grammar.
fn values_of(listed: Vec<Listed>, tag: Tag, kind: Option<&ItemKind>) -> Vec<Value> {
    listed
        .into_iter()
        .map(|l| match l {
            Listed::Plan { plan, phase } => Value::Plan(PlanRef { plan, phase }),
            Listed::Id(id) => match (tag, kind) {
                (Tag::Item, Some(k)) => Value::Item(ItemRef { kind: k.name.clone(), id }),
                _ => Value::Requirement { id },
            },
            Listed::Unresolved(text) => Value::Unresolved { text },
        })
        .collect()
}

/// Under a grammar with a requirement pattern, requirement values that do not match
/// it become unresolved values (so a typo is reported, not traced).
fn restrict_requirements(values: Vec<Value>, grammar: &Grammar) -> Vec<Value> {
    let Some(re) = &grammar.requirement else { return values };
    values
        .into_iter()
        .map(|v| match v {
            Value::Requirement { id } if !re.is_match(&id) => Value::Unresolved { text: id },
            v => v,
        })
        .collect()
}

/// Groups trace markers into traces and computes their excerpts.
fn build_traces(
    ctx: &Ctx<'_>,
    lang: Language,
    markers: &[Marker],
    groups: &[Option<Group>],
    cap: u32,
) -> Vec<Trace> {
    let mut traces: Vec<Trace> = Vec::new();
    let mut trace_groups: Vec<Group> = Vec::new();
    let mut cur: Option<(Group, bool, bool)> = None; // group, has plan, has requirement
    for (m, g) in markers.iter().zip(groups) {
        let Some(g) = *g else { continue };
        let new = match cur {
            Some((cg, has_plan, has_req)) => cg != g || (m.tag == Tag::Plan && has_plan && has_req),
            None => true,
        };
        if new {
            trace_groups.push(g);
            traces.push(Trace {
                line: m.line,
                end_line: m.line,
                placement: m.placement,
                plans: Vec::new(),
                requirements: Vec::new(),
                items: Vec::new(),
                unresolved: Vec::new(),
                lines: ValueLines::default(),
                excerpt: Excerpt::lines(m.line, m.line),
                scope: (m.line, m.line),
            });
            cur = Some((g, false, false));
        }
        let (Some(t), Some(c)) = (traces.last_mut(), cur.as_mut()) else { continue };
        t.end_line = m.line;
        match m.tag {
            Tag::Plan => c.1 = true,
            Tag::Requirement | Tag::Item => c.2 = true,
        }
        for v in &m.values {
            match v {
                Value::Plan(p) => {
                    if !t.plans.contains(p) {
                        t.plans.push(p.clone());
                        t.lines.plans.push(m.line);
                    }
                }
                Value::Requirement { id } => {
                    if !t.requirements.contains(id) {
                        t.requirements.push(id.clone());
                        t.lines.requirements.push(m.line);
                    }
                }
                Value::Item(r) => {
                    if !t.items.contains(r) {
                        t.items.push(r.clone());
                        t.lines.items.push(m.line);
                    }
                }
                Value::Unresolved { text } => {
                    let u = (m.tag, text.clone());
                    if !text.is_empty() && !t.unresolved.contains(&u) {
                        t.unresolved.push(u);
                        t.lines.unresolved.push(m.line);
                    }
                }
            }
        }
    }
    for (t, g) in traces.iter_mut().zip(trace_groups) {
        t.excerpt = excerpt_of(ctx, lang, g, (t.line, t.end_line), cap);
        let plan_only = t.requirements.is_empty() && t.items.is_empty();
        t.scope = if t.plans.is_empty() {
            t.excerpt.span()
        } else {
            scope_of(ctx, lang, g, (t.line, t.end_line), plan_only)
        };
    }
    traces
}

/// The lines a trace's `@plan` covers (see [`Trace::scope`]).
fn scope_of(ctx: &Ctx<'_>, lang: Language, g: Group, markers: (u32, u32), plan_only: bool) -> (u32, u32) {
    match g {
        Group::Block(b) if lang != Language::Markdown => {
            let block = ctx.lexed.blocks.get(b as usize).copied().unwrap_or((0, 0));
            excerpt::comment_scope(ctx, lang, block, markers, plan_only)
        }
        _ => excerpt_of(ctx, lang, g, markers, excerpt::UNCAPPED).span(),
    }
}

/// The excerpt of a trace in group `g` whose markers stand on lines `markers`.
fn excerpt_of(ctx: &Ctx<'_>, lang: Language, g: Group, markers: (u32, u32), cap: u32) -> Excerpt {
    match g {
        Group::Block(b) => {
            let (s, e) = ctx.lexed.blocks.get(b as usize).copied().unwrap_or((0, 0));
            if lang == Language::Markdown {
                excerpt::for_markdown_comment(ctx, s, e, cap)
            } else {
                excerpt::for_comment(ctx, lang, (s, e), markers, cap)
            }
        }
        Group::Title { call, .. } => excerpt::for_call(ctx, call, cap),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(p: &str, ph: Option<&str>) -> Value {
        Value::Plan(PlanRef { plan: p.to_string(), phase: ph.map(str::to_string) })
    }
    fn req(id: &str) -> Value {
        Value::Requirement { id: id.to_string() }
    }
    fn unres(t: &str) -> Value {
        Value::Unresolved { text: t.to_string() }
    }
    fn reqs(ids: &[&str]) -> Vec<Value> {
        ids.iter().map(|i| req(i)).collect()
    }
    /// Markers of a one-file scan as (tag, line, column, placement, values).
    fn markers(path: &str, text: &str) -> Vec<(Tag, u32, u32, Placement, Vec<Value>)> {
        super::super::scan(path, text, 40, &Grammar::default())
            .markers
            .into_iter()
            .map(|m| (m.tag, m.line, m.column, m.placement, m.values))
            .collect()
    }
    /// The values of the single marker in `// <text>` in a TS file.
    fn values(text: &str) -> Vec<Value> {
        let m = markers("a.ts", &format!("// {text}\n"));
        assert_eq!(m.len(), 1, "{text}");
        m.into_iter().next().map(|m| m.4).unwrap_or_default()
    }

    #[test]
    fn colon_space_and_bold_forms() {
        let p = "PLAN-20251023-STATELESS-HARDENING";
        let expect = vec![plan(p, Some("P08"))];
        assert_eq!(values("@plan:PLAN-20251023-STATELESS-HARDENING.P08"), expect);
        assert_eq!(values("@plan PLAN-20251023-STATELESS-HARDENING.P08"), expect);
        assert_eq!(values("@plan: PLAN-20251023-STATELESS-HARDENING.P08"), expect);
        assert_eq!(values("@plan  \tPLAN-20251023-STATELESS-HARDENING.P08"), expect);
        assert_eq!(values("**@plan**: PLAN-20251023-STATELESS-HARDENING.P08"), expect);
        assert_eq!(values("@requirement:REQ-SP4-003"), vec![req("REQ-SP4-003")]);
        assert_eq!(values("@requirement REQ-SP4-003"), vec![req("REQ-SP4-003")]);
        assert_eq!(values("@requirements: REQ-SP4-003"), vec![req("REQ-SP4-003")]);
    }

    /// A marker value longer than the value window with no newline in it, where the
    /// window ends inside a multi-byte character (found by the `markers` fuzz target).
    #[test]
    fn a_long_value_cut_inside_a_character() {
        for pad in 0..4 {
            let text = format!("// @plan:PLAN-A.P01 {}{}", "x".repeat(pad), "\u{3032}".repeat(1000));
            let s = super::super::scan("a.ts", &text, 40, &Grammar::default());
            assert_eq!(s.markers.len(), 1);
        }
    }

    #[test]
    fn item_tags_of_the_grammar() {
        let text = "/**\n * @plan:PLAN-A.P01\n * @task:T-001, T-002 - wire the flag\n * @risk R-007\n * @task: none yet\n */\nfn f() {}\n// @taskforce:T-009\n";
        let s = super::super::scan("a.rs", text, 40, &Grammar::default());
        let tags: Vec<Tag> = s.markers.iter().map(|m| m.tag).collect();
        assert_eq!(tags, [Tag::Plan, Tag::Item, Tag::Item, Tag::Item], "`@taskforce` is no tag");
        assert_eq!(s.traces.len(), 1);
        let t = &s.traces[0];
        let items: Vec<(&str, &str)> = t.items.iter().map(|r| (r.kind.as_str(), r.id.as_str())).collect();
        assert_eq!(items, [("task", "T-001"), ("task", "T-002"), ("risk", "R-007")]);
        assert_eq!(t.unresolved, [(Tag::Item, "none yet".to_string())]);
    }

    #[test]
    fn configured_tags_and_requirement_pattern() {
        let mut g = Grammar::default();
        g.kinds.push(crate::grammar::ItemKind::new("scenario", r"SC-\d+", vec!["@scenario".into()]).unwrap());
        g.requirement = Some(regex::Regex::new(r"^(?:REQ-[A-Z0-9]+-\d{3})$").unwrap());
        g.requirement_tags = vec!["@satisfies".into()];
        let text = "// @scenario:SC-12 @requirement:REQ-AB-001,REQ-AB-01 @satisfies REQ-CD-002\n";
        let s = super::super::scan("a.ts", text, 40, &g);
        let t = &s.traces[0];
        assert_eq!(t.items[0].kind, "scenario");
        assert_eq!(t.requirements, ["REQ-AB-001", "REQ-CD-002"]);
        assert_eq!(
            t.unresolved,
            [(Tag::Requirement, "REQ-AB-01".to_string())],
            "a typo is kept and reported"
        );
    }

    #[test]
    fn not_tags() {
        for t in [
            "@planned PLAN-X",
            "@plan-foo PLAN-X",
            "user@plan: PLAN-X",
            "a.b@plan PLAN-X",
            "@Plan:PLAN-X",
            "@plans",
        ] {
            assert_eq!(markers("a.ts", &format!("// {t}\n")), vec![], "{t}");
        }
        // A tag followed by spaces only names nothing and is no marker; `@plan:`
        // with no value still counts, with an empty unresolved value.
        assert_eq!(markers("a.ts", "// @plan \n// @plan\t  \n"), vec![]);
        assert_eq!(values("@plan:"), vec![unres("")]);
        // A `\n` escape in a fixture string is not a word character.
        let m = markers("a.ts", "const s = 'x\\n@plan:PLAN-1\\n';\n");
        assert_eq!(m, vec![(Tag::Plan, 1, 15, Placement::StringLiteral, vec![plan("PLAN-1", None)])]);
    }

    #[test]
    fn comment_styles_are_traces() {
        let cases = [
            ("a.ts", "/**\n * @plan PLAN-20250218-X.P05\n */\nfoo();\n", 2, 4),
            ("a.ts", "// @plan PLAN-20250218-X.P05\nfoo();\n", 1, 4),
            ("a.rs", "/// @plan PLAN-20250218-X.P05\nfn f() {}\n", 1, 5),
            ("a.rs", "//! @plan:PLAN-20250218-X.P05\n", 1, 5),
            ("a.c", "/*\n * @plan PLAN-20250218-X.P05\n */\nint x;\n", 2, 4),
            ("a.py", "# @plan PLAN-20250218-X.P05\nx = 1\n", 1, 3),
            ("a.sh", "  # @plan PLAN-20250218-X.P05\nx=1\n", 1, 5),
            ("a.toml", "# @plan:PLAN-20250218-X.P05\n[a]\n", 1, 3),
            ("a.py", "def f():\n    \"\"\"Doc.\n\n    @plan PLAN-20250218-X.P05\n    \"\"\"\n", 4, 5),
        ];
        for (path, text, line, col) in cases {
            let s = super::super::scan(path, text, 40, &Grammar::default());
            assert_eq!(
                s.markers.iter().map(|m| (m.line, m.column, m.placement)).collect::<Vec<_>>(),
                vec![(line, col, Placement::Comment)],
                "{path}: {text}"
            );
            assert_eq!(s.traces.len(), 1, "{path}: {text}");
            assert_eq!(
                s.traces[0].plans,
                vec![PlanRef { plan: "PLAN-20250218-X".into(), phase: Some("P05".into()) }]
            );
        }
    }

    #[test]
    fn markdown_placements() {
        let text = "Add `@plan:PLAN-A.P01` markers.\n\n<!-- @plan:PLAN-A.P01 @requirement:REQ-SP4-001 REQ-SP4-002 -->\n\n```bash\n$ rg '@plan:PLAN-A.P02'\nfile.ts:// @plan:PLAN-A.P02\n```\n\nProse @requirement:REQ-SP4-003.\n> Requirements: @requirement:REQ-SP4-002, @requirement:REQ-SP4-003\n";
        let s = super::super::scan("plan/P01.md", text, 40, &Grammar::default());
        let got: Vec<_> = s.markers.iter().map(|m| (m.line, m.placement)).collect();
        assert_eq!(
            got,
            vec![
                (1, Placement::MarkdownText),
                (3, Placement::MarkdownComment),
                (3, Placement::MarkdownComment),
                (6, Placement::MarkdownText),
                (7, Placement::MarkdownText),
                (10, Placement::MarkdownText),
                (11, Placement::MarkdownText),
                (11, Placement::MarkdownText),
            ]
        );
        assert_eq!(s.markers[4].values, vec![plan("PLAN-A", Some("P02"))]);
        assert_eq!(s.markers[5].values, vec![req("REQ-SP4-003")]);
        assert_eq!(
            s.traces,
            vec![Trace {
                line: 3,
                end_line: 3,
                placement: Placement::MarkdownComment,
                plans: vec![PlanRef { plan: "PLAN-A".into(), phase: Some("P01".into()) }],
                requirements: vec!["REQ-SP4-001".into(), "REQ-SP4-002".into()],
                items: vec![],
                unresolved: vec![],
                lines: ValueLines { plans: vec![3], requirements: vec![3, 3], ..Default::default() },
                excerpt: Excerpt::lines(3, 3),
                scope: (3, 3),
            }]
        );
    }

    #[test]
    fn several_plans_and_phase_lists() {
        assert_eq!(
            values("@plan PLAN-20260731-GHBROKER.P10, PLAN-20260731-GHBROKER.P15"),
            vec![plan("PLAN-20260731-GHBROKER", Some("P10")), plan("PLAN-20260731-GHBROKER", Some("P15"))]
        );
        let p = "PLAN-20260216-HOOKSYSTEMREWRITE";
        assert_eq!(
            values("@plan PLAN-20260216-HOOKSYSTEMREWRITE.P15,P16,P17"),
            vec![plan(p, Some("P15")), plan(p, Some("P16")), plan(p, Some("P17"))]
        );
        let h = "PLAN-20260211-HIGHDENSITY";
        assert_eq!(
            values("@plan PLAN-20260211-HIGHDENSITY.P24, P25"),
            vec![plan(h, Some("P24")), plan(h, Some("P25"))]
        );
        let a = "PLAN-20260707-AGENTNEUTRAL";
        assert_eq!(
            values("@plan PLAN-20260707-AGENTNEUTRAL.P29/P31"),
            vec![plan(a, Some("P29")), plan(a, Some("P31"))]
        );
        let r = "PLAN-20260626-RUNTIMEBOUNDARY";
        assert_eq!(
            values("@plan:PLAN-20260626-RUNTIMEBOUNDARY.P02-P05 */"),
            vec![plan(r, Some("P02")), plan(r, Some("P03")), plan(r, Some("P04")), plan(r, Some("P05"))]
        );
        let i = "PLAN-20260806-ISSUE3048";
        assert_eq!(
            values("@plan PLAN-20260806-ISSUE3048.P09 P11"),
            vec![plan(i, Some("P09")), plan(i, Some("P11"))]
        );
        assert_eq!(values("@plan PLAN-20260806-ISSUE3048.P09 Phase 2"), vec![plan(i, Some("P09"))]);
        assert_eq!(
            values("@plan PLAN-20260608-ISSUE1588.P04b, P06"),
            vec![plan("PLAN-20260608-ISSUE1588", Some("P04b")), plan("PLAN-20260608-ISSUE1588", Some("P06"))]
        );
    }

    #[test]
    fn rounds_dots_and_trailing_punctuation() {
        let g = "PLAN-20250219-GMERGE021";
        assert_eq!(values("@plan:PLAN-20250219-GMERGE021.R9.P01"), vec![plan(g, Some("R9.P01"))]);
        assert_eq!(values("@plan PLAN-20250219-GMERGE021.R4"), vec![plan(g, Some("R4"))]);
        assert_eq!(
            values("@plan PLAN-20250219-GMERGE022.B2"),
            vec![plan("PLAN-20250219-GMERGE022", Some("B2"))]
        );
        assert_eq!(
            values("@plan PLAN-20250219-X.SKIP1.P01"),
            vec![plan("PLAN-20250219-X", Some("SKIP1.P01"))]
        );
        assert_eq!(
            values("@plan:PLAN-20260725-MERGE-0.11-FROM-0.10"),
            vec![plan("PLAN-20260725-MERGE-0.11-FROM-0.10", None)]
        );
        let s = "PLAN-20251023-STATELESS-HARDENING";
        assert_eq!(
            values("@plan PLAN-20251023-STATELESS-HARDENING.P08: User memory"),
            vec![plan(s, Some("P08"))]
        );
        assert_eq!(values("see @plan PLAN-20251023-STATELESS-HARDENING.P05."), vec![plan(s, Some("P05"))]);
        assert_eq!(
            values("(@plan:PLAN-20260707-AGENTNEUTRAL.P13)."),
            vec![plan("PLAN-20260707-AGENTNEUTRAL", Some("P13"))]
        );
        assert_eq!(
            values("@plan:PLAN-20260608-ISSUE1586.P15 — auth types"),
            vec![plan("PLAN-20260608-ISSUE1586", Some("P15"))]
        );
        assert_eq!(values("@plan PLAN-20251213issue490"), vec![plan("PLAN-20251213issue490", None)]);
        assert_eq!(values("@plan PLAN-X.P5"), vec![plan("PLAN-X", Some("P5"))]);
        assert_eq!(values("@plan PLAN-X.P04A"), vec![plan("PLAN-X", Some("P04A"))]);
    }

    #[test]
    fn non_id_plan_values_are_unresolved() {
        assert_eq!(values("@plan:ISSUE-2376"), vec![unres("ISSUE-2376")]);
        assert_eq!(values("@plan issue3111"), vec![unres("issue3111")]);
        assert_eq!(values("@plan:2026-07-28-issue-2625"), vec![unres("2026-07-28-issue-2625")]);
        assert_eq!(
            values("@plan project-plans/issue-1954-sandbox-hardening.md"),
            vec![unres("project-plans/issue-1954-sandbox-hardening.md")]
        );
        assert_eq!(
            values("@plan PLAN-20251105-profilefixes/plan2.md"),
            vec![plan("PLAN-20251105-profilefixes", None), unres("PLAN-20251105-profilefixes/plan2.md")]
        );
        assert_eq!(
            values("@plan:PLAN-20251211issue486c @phase:2"),
            vec![plan("PLAN-20251211issue486c", None)]
        );
    }

    #[test]
    fn requirement_lists() {
        assert_eq!(values("@requirement:HOOK-017,HOOK-019"), reqs(&["HOOK-017", "HOOK-019"]));
        assert_eq!(
            values("@requirement REQ-THINK-005.1, REQ-THINK-005.2"),
            reqs(&["REQ-THINK-005.1", "REQ-THINK-005.2"])
        );
        assert_eq!(values("@requirement REQ-SP4-002/REQ-SP4-003"), reqs(&["REQ-SP4-002", "REQ-SP4-003"]));
        assert_eq!(values("@requirement REQ-A-1 & REQ-A-2"), reqs(&["REQ-A-1", "REQ-A-2"]));
        assert_eq!(values("@requirement REQ-3048-002 REQ-3048-003"), reqs(&["REQ-3048-002", "REQ-3048-003"]));
        assert_eq!(values("@requirement R3, R4"), reqs(&["R3", "R4"]));
        assert_eq!(values("@requirement:REQ-722-001"), reqs(&["REQ-722-001"]));
        assert_eq!(values("@requirement E2E.API.1"), reqs(&["E2E.API.1"]));
    }

    #[test]
    fn requirement_ranges() {
        let sp4 = reqs(&["REQ-SP4-001", "REQ-SP4-002", "REQ-SP4-003", "REQ-SP4-004", "REQ-SP4-005"]);
        assert_eq!(values("@requirement:REQ-SP4-001 through REQ-SP4-005"), sp4);
        assert_eq!(values("@requirement REQ-SP4-001 to REQ-SP4-005"), sp4);
        assert_eq!(
            values("@requirement TS-EXEC-001 through TS-EXEC-003"),
            reqs(&["TS-EXEC-001", "TS-EXEC-002", "TS-EXEC-003"])
        );
        assert_eq!(
            values("@requirement REQ-SB-001 through REQ-SB-003 (Listing & Display)"),
            reqs(&["REQ-SB-001", "REQ-SB-002", "REQ-SB-003"])
        );
        assert_eq!(values("@requirement R2.1\u{2013}R2.3"), reqs(&["R2.1", "R2.2", "R2.3"]));
        assert_eq!(values("@requirement R16.1-R16.3"), reqs(&["R16.1", "R16.2", "R16.3"]));
        assert_eq!(
            values("@requirement REQ-HD-002.1-002.3"),
            reqs(&["REQ-HD-002.1", "REQ-HD-002.2", "REQ-HD-002.3"])
        );
        assert_eq!(
            values("@requirement REQ-RS-001 through REQ-RS-002, REQ-RS-013"),
            reqs(&["REQ-RS-001", "REQ-RS-002", "REQ-RS-013"])
        );
        // Too large, reversed or mismatched ranges stay unresolved.
        assert_eq!(values("@requirement R1\u{2013}R900"), vec![unres("R1\u{2013}R900")]);
        assert_eq!(
            values("@requirement REQ-A-005 through REQ-A-001"),
            vec![unres("REQ-A-005 through REQ-A-001")]
        );
        // "to" followed by prose is not a range.
        assert_eq!(values("@requirement REQ-001 to be checked"), reqs(&["REQ-001"]));
    }

    #[test]
    fn suffix_only_continuations() {
        assert_eq!(
            values("@requirement REQ-1598-FL01, CL01, CL02, FL12"),
            reqs(&["REQ-1598-FL01", "REQ-1598-CL01", "REQ-1598-CL02", "REQ-1598-FL12"])
        );
        assert_eq!(
            values("@requirement REQ-3048-002/003/004"),
            reqs(&["REQ-3048-002", "REQ-3048-003", "REQ-3048-004"])
        );
        assert_eq!(values("@requirement REQ-HD-002.1, 002.4"), reqs(&["REQ-HD-002.1", "REQ-HD-002.4"]));
    }

    #[test]
    fn requirement_descriptions_stop_the_list() {
        assert_eq!(values("@requirement REQ-CS-003.1 — Interface contract"), reqs(&["REQ-CS-003.1"]));
        assert_eq!(values("@requirement HOOK-006 - Simplifies caller code"), reqs(&["HOOK-006"]));
        assert_eq!(values("@requirement REQ-001: OAuth-only menu"), reqs(&["REQ-001"]));
        assert_eq!(values("@requirement STORAGE-001: Log file rotation"), reqs(&["STORAGE-001"]));
        assert_eq!(values("@requirement REQ-002 should validate settings"), reqs(&["REQ-002"]));
        assert_eq!(values("@requirement REQ-RR-006 --co"), reqs(&["REQ-RR-006"]));
        assert_eq!(values("@requirement REQ-002 @scenario x"), reqs(&["REQ-002"]));
        assert_eq!(values("@requirement REQ-SP4-002."), reqs(&["REQ-SP4-002"]));
        assert_eq!(values("@requirement REQ-PE-001 (issue #2817)"), reqs(&["REQ-PE-001"]));
    }

    #[test]
    fn non_id_requirement_values_are_unresolved() {
        assert_eq!(values("@requirement Phase 3 - Session bucket state management"), vec![unres("Phase 3")]);
        assert_eq!(values("@requirement:build-order @given x"), vec![unres("build-order")]);
        assert_eq!(values("@requirement Issue #1317 Bug 2"), vec![unres("Issue #1317 Bug 2")]);
    }

    #[test]
    fn values_continue_after_a_trailing_comma() {
        let text = "/**\n * @requirement REQ-HD-007.1, REQ-HD-007.2,\n *   REQ-HD-007.3\n * Body text\n */\n";
        let m = markers("a.ts", text);
        assert_eq!(m[0].4, reqs(&["REQ-HD-007.1", "REQ-HD-007.2", "REQ-HD-007.3"]));
        // Not across a line that starts a new tag.
        let text = "// @requirement REQ-1,\n// @plan PLAN-X\n";
        let m = markers("a.ts", text);
        assert_eq!(m[0].4, reqs(&["REQ-1"]));
    }

    #[test]
    fn test_titles() {
        let text = "describe('@requirement REQ-001: OAuth-only authentication menu', () => {\n  it('works @plan:PLAN-X.P01 @requirement:REQ-002', async () => {\n    expect(1).toBe(1);\n  });\n  it(\n    \"multi-line @requirement REQ-003\",\n    () => {},\n  );\n  it.each([[1], [2]])('each %s @requirement:REQ-004', (n) => {});\n  test.skip(`tmpl @plan PLAN-Y`, () => {});\n  foo('not a test @requirement:REQ-005');\n});\n";
        let s = super::super::scan("a.test.ts", text, 40, &Grammar::default());
        let got: Vec<_> = s.markers.iter().map(|m| (m.line, m.placement)).collect();
        assert_eq!(
            got,
            vec![
                (1, Placement::TestTitle),
                (2, Placement::TestTitle),
                (2, Placement::TestTitle),
                (6, Placement::TestTitle),
                (9, Placement::TestTitle),
                (10, Placement::TestTitle),
                (11, Placement::StringLiteral),
            ]
        );
        let tr: Vec<_> = s
            .traces
            .iter()
            .map(|t| (t.line, t.requirements.clone(), t.plans.len(), t.excerpt.span()))
            .collect();
        assert_eq!(
            tr,
            vec![
                (1, vec!["REQ-001".to_string()], 0, (1, 12)),
                (2, vec!["REQ-002".to_string()], 1, (2, 4)),
                (6, vec!["REQ-003".to_string()], 0, (5, 8)),
                (9, vec!["REQ-004".to_string()], 0, (9, 9)),
                (10, vec![], 1, (10, 10)),
            ]
        );
    }

    #[test]
    fn string_constants_are_not_traces() {
        let text = "/**\n * @plan:PLAN-20251023-STATELESS-HARDENING.P10\n */\nconst PLAN_TAG = '@plan:PLAN-20251023-STATELESS-HARDENING.P10';\nconst R = [\n  '@requirement:REQ-SP4-001',\n];\n";
        let s = super::super::scan("messages.ts", text, 40, &Grammar::default());
        let got: Vec<_> = s.markers.iter().map(|m| (m.line, m.column, m.placement)).collect();
        assert_eq!(
            got,
            vec![
                (2, 4, Placement::Comment),
                (4, 19, Placement::StringLiteral),
                (6, 4, Placement::StringLiteral)
            ]
        );
        assert_eq!(s.traces.len(), 1);
        assert_eq!(s.traces[0].excerpt, Excerpt::lines(1, 4));
        // Unknown file kinds: artifacts.
        assert_eq!(
            markers("test-run.log", "ok @plan:PLAN-A.P01\n"),
            vec![(Tag::Plan, 1, 4, Placement::Artifact, vec![plan("PLAN-A", Some("P01"))])]
        );
    }

    #[test]
    fn stacked_pairs_in_one_block() {
        let text = "/**\n * @plan PLAN-A.P01\n * @requirement REQ-1\n * @plan PLAN-B.P02\n * @requirement REQ-2\n */\nfunction f() {\n  return 1;\n}\n";
        let s = super::super::scan("a.ts", text, 40, &Grammar::default());
        let tr: Vec<_> = s
            .traces
            .iter()
            .map(|t| (t.line, t.end_line, t.plans[0].plan.clone(), t.requirements.clone(), t.excerpt.span()))
            .collect();
        assert_eq!(
            tr,
            vec![
                (2, 3, "PLAN-A".to_string(), vec!["REQ-1".to_string()], (1, 9)),
                (4, 5, "PLAN-B".to_string(), vec!["REQ-2".to_string()], (1, 9)),
            ]
        );
        // Two plans before one requirement: one trace.
        let text =
            "// @plan PLAN-A.P01\n// @plan PLAN-B.P02\n// @requirement REQ-1\n// @requirement REQ-1\nx();\n";
        let s = super::super::scan("a.ts", text, 40, &Grammar::default());
        assert_eq!(s.traces.len(), 1);
        assert_eq!(s.traces[0].plans.len(), 2);
        assert_eq!(s.traces[0].requirements, vec!["REQ-1".to_string()]);
        assert_eq!((s.traces[0].line, s.traces[0].end_line, s.traces[0].excerpt.span()), (1, 4, (1, 5)));
        // A blank line or code line ends a `//` block.
        let text = "// @plan PLAN-A.P01\n\n// @requirement REQ-1\nx();\n// @plan PLAN-B\n";
        let s = super::super::scan("a.ts", text, 40, &Grammar::default());
        assert_eq!(s.traces.iter().map(|t| t.line).collect::<Vec<_>>(), vec![1, 3, 5]);
        assert_eq!(s.traces[1].unresolved, vec![]);
    }

    #[test]
    fn unresolved_values_stay_in_traces() {
        let s = super::super::scan(
            "a.ts",
            "// @plan:ISSUE-2376\n// @requirement Phase 3 - x\n",
            40,
            &Grammar::default(),
        );
        assert_eq!(
            s.traces[0].unresolved,
            vec![(Tag::Plan, "ISSUE-2376".to_string()), (Tag::Requirement, "Phase 3".to_string())]
        );
    }

    #[test]
    fn crlf_and_non_ascii() {
        let text = "// état — ✅\r\n/**\r\n * @plan PLAN-A.P01 — décrit\r\n * @requirement R2.1\u{2013}R2.2\r\n */\r\nfunction f() {\r\n}\r\n";
        let s = super::super::scan("a.ts", text, 40, &Grammar::default());
        let got: Vec<_> = s.markers.iter().map(|m| (m.line, m.column, m.values.clone())).collect();
        assert_eq!(got, vec![(3, 4, vec![plan("PLAN-A", Some("P01"))]), (4, 4, reqs(&["R2.1", "R2.2"]))]);
        assert_eq!(s.traces[0].excerpt, Excerpt::lines(2, 7));
    }

    #[test]
    fn html_comments_in_html_files() {
        let text =
            "<div>\n  <!-- @plan:PLAN-A.P01 @requirement:REQ-1 -->\n  <span>@plan:PLAN-B</span>\n</div>\n";
        let s = super::super::scan("index.html", text, 40, &Grammar::default());
        let got: Vec<_> = s.markers.iter().map(|m| (m.tag, m.line, m.column, m.placement)).collect();
        assert_eq!(
            got,
            vec![
                (Tag::Plan, 2, 8, Placement::Comment),
                (Tag::Requirement, 2, 25, Placement::Comment),
                (Tag::Plan, 3, 9, Placement::Code),
            ]
        );
        assert_eq!(s.traces.len(), 1);
        assert_eq!(
            (s.traces[0].requirements.clone(), s.traces[0].excerpt.span()),
            (vec!["REQ-1".to_string()], (2, 3))
        );
    }

    #[test]
    fn garbage_does_not_panic() {
        let mut bytes: Vec<u8> =
            (0..20_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        bytes.extend_from_slice(b"@plan:PLAN-");
        let lossy = String::from_utf8_lossy(&bytes).into_owned();
        let long = format!("// @requirement {}\n@plan {}", "REQ-1, ".repeat(15_000), "x".repeat(100_000));
        let inputs = [
            lossy.clone(),
            format!("{lossy}@requirement R1\u{2013}"),
            "/* @plan PLAN-A.P01".to_string(),
            "'@plan PLAN-A".to_string(),
            "`${`${'@plan:'".to_string(),
            "<!-- @plan:PLAN-A".to_string(),
            "\"\"\"@plan x".to_string(),
            "@plan".to_string(),
            "@requirement:".to_string(),
            "@requirement REQ-1 through".to_string(),
            "@requirement REQ-1-".to_string(),
            "it(\n'@plan PLAN-A'".to_string(),
            ")('@plan P'".to_string(),
            long,
        ];
        for text in &inputs {
            for path in ["a.ts", "a.py", "a.md", "a.html", "a.log"] {
                let s = super::super::scan(path, text, 40, &Grammar::default());
                for t in &s.traces {
                    let (a, b) = t.excerpt.span();
                    assert!(a <= b && t.excerpt.shown() <= 40, "{:?}", t.excerpt);
                }
            }
        }
    }
}
