//! Marker occurrences: finding `@plan` / `@requirement` tags, classifying where they
//! sit, parsing their values and grouping them into traces.
//!
//! **Tags.** `@plan`, `@requirement` and `@requirements`, case-sensitive, followed by
//! `:` (spaces allowed after it), `**:` (bold markdown labels) or one or more spaces or
//! tabs. Not tags: `@planned`, `@plan-foo`, `user@plan: x` (a letter, digit, `.`, `_`,
//! `-` or `+` right before the `@`; an escape such as `\n@plan:` in a string is allowed).
//!
//! **Values** are read from the rest of the line, cut at `*/`, `-->` and `${`. When the
//! marker is in a comment and that rest ends with `,`, the value continues on the next
//! line of the same comment block (comment leaders such as ` * `, `//`, `#` removed).
//! - `@plan`: one or more plan references joined by `,` (`PLAN-A.P08, PLAN-B.P02`);
//!   phase lists and ranges inside one reference (`.P15,P16`, `.P24, P25`, `.P29/P31`,
//!   `.P02-P05`, ranges expanded keeping the width); trailing punctuation is not part of
//!   the value (`.P08:`, `.P05.`). A value that is not a plan ID gives
//!   [`Value::Unresolved`] with its first token (`ISSUE-2376`, `project-plans/x.md`). A
//!   plan ID with something glued on (`PLAN-20251105-profilefixes/plan2.md`) gives both
//!   the [`PlanRef`] of the ID part and an `Unresolved` with the whole token.
//! - `@requirement`: IDs joined by `,`, `/`, `&` or spaces; ranges with `through`,
//!   `thru` or `to`, an en dash or `..` (`R2.1–R2.6`), and prefix-sharing hyphen ranges
//!   (`R16.1-R16.7`, `REQ-HD-002.1-002.9`), expanded numerically keeping zero padding
//!   (more than [`MAX_RANGE`] IDs, reversed or mismatched ends give an `Unresolved` with
//!   the range's text); suffix-only continuations (`REQ-1598-FL01, CL01`,
//!   `REQ-3048-002/003`) replace the previous ID's last `-` segment when they have its
//!   shape. Reading stops at a spaced dash (` - `, ` — `), a `:` or `(`, any other
//!   character that cannot be part of an ID, or the first word that is not an ID
//!   (`REQ-001 should …`). When the first word is not an ID, the value is one
//!   `Unresolved` with the text up to a description separator (`Phase 3` from
//!   `Phase 3 - Session bucket …`).
//!
//! **Traces.** Markers in one comment block (a `/* … */`, or consecutive own-line `//`
//! or `#` comments), in one test title, or in one markdown HTML comment are grouped in
//! order; an `@plan` starts a new trace when the current one already has both a plan
//! and a requirement tag, so stacked `@plan A @requirement R1 @plan B @requirement R2`
//! gives two traces while `@plan A @plan B @requirement R` gives one.

use super::excerpt::{self, Ctx};
use super::lexer::{self, Kind, Lexed};
use super::{Language, Marker, Placement, PlanRef, Scan, Tag, Trace, Value};
use crate::grammar::{PHASE, PLAN_ID, is_requirement_id};
use regex::Regex;
use std::sync::LazyLock;

/// The largest range expanded into single IDs; bigger ranges stay unresolved.
pub const MAX_RANGE: u64 = 200;

/// How much of a line after a tag is read, so that a huge line stays linear.
const VALUE_LIMIT: usize = 2000;

/// Scans text of the given language; see [`super::scan`].
pub fn scan(lang: Language, text: &str, excerpt_cap: u32) -> Scan {
    if !super::may_contain_markers(text) {
        return Scan::default();
    }
    let lexed = lexer::lex(lang, text);
    let starts = crate::text::line_starts(text);
    let ctx = Ctx { text, starts: &starts, lexed: &lexed };
    let mut found: Vec<(usize, Tag, usize)> = Vec::new();
    let b = text.as_bytes();
    for at in memchr::memmem::find_iter(b, b"@plan") {
        if let Some(v) = tag_end(b, at, 5) {
            found.push((at, Tag::Plan, v));
        }
    }
    for at in memchr::memmem::find_iter(b, b"@requirement") {
        let len = if b.get(at + 12) == Some(&b's') { 13 } else { 12 };
        if let Some(v) = tag_end(b, at, len) {
            found.push((at, Tag::Requirement, v));
        }
    }
    found.sort_unstable();

    let mut markers = Vec::with_capacity(found.len());
    // Per marker: the trace group and the excerpt anchor.
    let mut groups: Vec<Option<Group>> = Vec::with_capacity(found.len());
    for (at, tag, vstart) in found {
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
                Some(call) if lang == Language::CLike => (Placement::TestTitle, Some(Group::Title { open, call })),
                _ => (Placement::StringLiteral, None),
            },
            (_, Kind::Code) => (Placement::Code, None),
        };
        let value = value_text(&ctx, vstart, kind);
        let values = match tag {
            Tag::Plan => parse_plan_values(&value),
            Tag::Requirement => parse_requirement_values(&value),
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

/// If a tag of `len` bytes at `at` is a marker, the offset where its value starts.
fn tag_end(b: &[u8], at: usize, len: usize) -> Option<usize> {
    if at > 0 {
        let p = b[at - 1];
        let escaped = at >= 2 && b[at - 2] == b'\\' && matches!(p, b'n' | b't' | b'r');
        if (p.is_ascii_alphanumeric() || matches!(p, b'.' | b'_' | b'-' | b'+')) && !escaped {
            return None;
        }
    }
    let mut i = at + len;
    match b.get(i) {
        Some(b':') => i += 1,
        Some(b'*') if b.get(i + 1) == Some(&b'*') && b.get(i + 2) == Some(&b':') => i += 3,
        Some(b' ' | b'\t') => {}
        _ => return None,
    }
    while matches!(b.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    Some(i)
}

/// The text a marker's values are read from (see the module docs).
fn value_text(ctx: &Ctx<'_>, start: usize, kind: Kind) -> String {
    let text = ctx.text;
    let b = text.as_bytes();
    let mut out = String::new();
    let mut s = start;
    for _ in 0..20 {
        let nl = memchr::memchr(b'\n', &b[s..]).map_or(text.len(), |p| s + p);
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
        if piece.len() != full || !piece.trim_end().ends_with(',') || nl >= text.len() {
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

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// When the string literal opened at `open` is the first argument of a test call
/// (`it(`, `describe.only(`, `it.each([…])(`, …, on the same or the previous line),
/// the offset where the call starts.
fn test_call(b: &[u8], open: usize) -> Option<usize> {
    const FNS: &[&[u8]] = &[
        b"it", b"test", b"describe", b"suite", b"context", b"specify", b"bench", b"fit", b"fdescribe", b"xit",
        b"xdescribe", b"xtest", b"scenario", b"feature", b"itProp", b"testProp",
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

static PLAN_REF_HEAD: LazyLock<Regex> = LazyLock::new(|| {
    let tail = r"(?:[ \t]*[,/][ \t]*P[0-9]+[A-Za-z]?|-P[0-9]+[A-Za-z]?)*";
    Regex::new(&format!(r"^({PLAN_ID})(?:\.({PHASE})({tail}))?")).expect("valid regex")
});

static LIST_SEP: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[ \t]*,[ \t]*").expect("valid regex"));

static TAIL_ITEM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"([,/-])[ \t]*(P[0-9]+[A-Za-z]?)").expect("valid regex"));

/// Characters that end a non-ID token.
fn token_stop(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\'' | '"' | '`' | ',' | ')' | '*' | '<' | '>' | '\\')
}

fn trim_punct(s: &str) -> &str {
    s.trim_end_matches(['.', ':', ';', '!', '?'])
}

/// Parses the values of an `@plan` tag.
fn parse_plan_values(v: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut rest = v;
    loop {
        let Some(c) = PLAN_REF_HEAD.captures(rest) else { break };
        let whole = c.get(0).map_or("", |m| m.as_str());
        let plan = c.get(1).map_or("", |m| m.as_str()).to_string();
        match c.get(2) {
            None => out.push(Value::Plan(PlanRef { plan: plan.clone(), phase: None })),
            Some(p) => {
                let first = p.as_str();
                let tail = c.get(3).map_or("", |m| m.as_str());
                for phase in expand_phases(first, tail) {
                    out.push(Value::Plan(PlanRef { plan: plan.clone(), phase: Some(phase) }));
                }
            }
        }
        let after = &rest[whole.len()..];
        if glued(after) {
            let token_end = v.len() - rest.len() + whole.len() + after.find(token_stop).unwrap_or(after.len());
            let start = v.len() - rest.len();
            out.push(Value::Unresolved { text: trim_punct(&v[start..token_end]).to_string() });
            break;
        }
        match LIST_SEP.find(after) {
            Some(m) if PLAN_REF_HEAD.is_match(&after[m.end()..]) => rest = &after[m.end()..],
            _ => break,
        }
    }
    if out.is_empty() {
        let end = v.find(token_stop).unwrap_or(v.len());
        out.push(Value::Unresolved { text: trim_punct(&v[..end]).to_string() });
    }
    out
}

/// Whether the text right after a plan reference glues more onto it (`/plan2.md`).
fn glued(after: &str) -> bool {
    let mut chars = after.chars();
    match chars.next() {
        None => false,
        Some(c) if token_stop(c) || matches!(c, ']' | '}' | '(' | '|' | '&' | '@' | ';') => false,
        Some('.' | ':' | '!' | '?') => chars.next().is_some_and(|c| !token_stop(c) && !matches!(c, '.')),
        Some(_) => true,
    }
}

/// The phases of one reference: the first phase, then list items and ranges.
fn expand_phases(first: &str, tail: &str) -> Vec<String> {
    let (round, _) = match first.rsplit_once('.') {
        Some((r, p)) if p.starts_with('P') => (format!("{r}."), p),
        _ => (String::new(), first),
    };
    let mut out = vec![first.to_string()];
    for c in TAIL_ITEM.captures_iter(tail) {
        let item = &c[2];
        let prev = out.last().cloned().unwrap_or_default();
        let prev_bare = prev.strip_prefix(round.as_str()).unwrap_or(&prev).to_string();
        if &c[1] == "-"
            && let Some(range) = expand_numeric(&prev_bare, item)
        {
            out.extend(range.into_iter().skip(1).map(|p| format!("{round}{p}")));
            continue;
        }
        out.push(format!("{round}{item}"));
    }
    out.dedup();
    out
}

/// Splits `s` into its prefix and its trailing digits.
fn split_digits(s: &str) -> (&str, &str) {
    let n = s.len() - s.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    s.split_at(s.len() - n)
}

/// Expands `from`..=`to` when both have the same prefix and end in digits; keeps the
/// width of `from`'s number. `None` when it cannot or the range is too large.
fn expand_numeric(from: &str, to: &str) -> Option<Vec<String>> {
    let (p1, d1) = split_digits(from);
    let (p2, d2) = split_digits(to);
    if p1 != p2 || d1.is_empty() || d2.is_empty() || d1.len() > 18 || d2.len() > 18 {
        return None;
    }
    let (a, b): (u64, u64) = (d1.parse().ok()?, d2.parse().ok()?);
    if a > b || b - a >= MAX_RANGE {
        return None;
    }
    let w = d1.len();
    Some((a..=b).map(|n| format!("{p1}{n:0w$}")).collect())
}

/// The "shape" of a segment: letters → `A`, digits → `9`, runs collapsed.
fn shape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        let k = if c.is_ascii_alphabetic() {
            'A'
        } else if c.is_ascii_digit() {
            '9'
        } else {
            c
        };
        if !out.ends_with(k) || !(k == 'A' || k == '9') {
            out.push(k);
        }
    }
    out
}

/// `prev`'s ID with its last `-` segment replaced by `token`, when `token` is a
/// suffix-only continuation of it.
fn continuation(prev: &str, token: &str) -> Option<String> {
    let (head, last) = prev.rsplit_once('-')?;
    if token.contains('-') || !token.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return None;
    }
    (shape(last) == shape(token)).then(|| format!("{head}-{token}"))
}

/// The full right end of a range whose left end is `left`: `right` itself when it is
/// an ID, or `left` with its tail replaced (`REQ-HD-002.1` + `002.9`).
fn range_right(left: &str, right: &str) -> Option<String> {
    if right.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return is_requirement_token(right).then(|| right.to_string());
    }
    if right.is_empty() || !right.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    let groups = right.split('.').count();
    // The tail of `left` with as many dot-separated groups, preceded by `-`.
    let mut cut = left.len();
    for _ in 0..groups {
        let before = &left[..cut];
        let digits = before.len() - before.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        if digits == 0 {
            return None;
        }
        cut -= digits;
        if cut > 0 && left.as_bytes()[cut - 1] == b'.' && left[..cut - 1].ends_with(|c: char| c.is_ascii_digit()) {
            cut -= 1;
        }
    }
    let tail = &left[cut..];
    if tail.starts_with('.') || cut == 0 || left.as_bytes()[cut - 1] != b'-' {
        return None;
    }
    let w1 = tail.split('.').next().map_or(0, str::len);
    let w2 = right.split('.').next().map_or(0, str::len);
    if tail.split('.').count() != groups || w1 != w2 {
        return None;
    }
    Some(format!("{}{right}", &left[..cut]))
}

/// A range `left`..`right` as IDs, or an unresolved text.
fn range(left: &str, right: &str, sep: &str) -> Option<Vec<Value>> {
    let full = range_right(left, right)?;
    if !is_requirement_token(left) {
        return None;
    }
    Some(match expand_numeric(left, &full) {
        Some(ids) => ids.into_iter().map(|id| Value::Requirement { id }).collect(),
        None => vec![Value::Unresolved { text: format!("{left}{sep}{right}") }],
    })
}

/// A token with a range inside: en dash, `..`, or a hyphen between two IDs that share
/// their prefix (`R16.1-R16.7`, `REQ-HD-002.1-002.9`).
fn token_range(token: &str) -> Option<Vec<Value>> {
    for sep in ["\u{2013}", ".."] {
        if let Some((l, r)) = token.split_once(sep) {
            return Some(
                range(l, r, sep).unwrap_or_else(|| vec![Value::Unresolved { text: token.to_string() }]),
            );
        }
    }
    for (k, _) in token.match_indices('-') {
        let (l, r) = (&token[..k], &token[k + 1..]);
        if !is_requirement_token(l) {
            continue;
        }
        // A bare number after the hyphen is the ID's own last segment
        // (`REQ-722-001`), not a range end; dotted tails (`002.1-002.9`) are ranges.
        if !r.starts_with(|c: char| c.is_ascii_alphabetic()) && !r.contains('.') {
            continue;
        }
        let Some(full) = range_right(l, r) else { continue };
        if expand_numeric(l, &full).is_none() {
            continue;
        }
        // A full right end must share the left's prefix to be a range.
        if split_digits(l).0 != split_digits(&full).0 {
            continue;
        }
        if let Some(v) = range(l, r, "-") {
            return Some(v);
        }
    }
    None
}

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '\u{2013}')
}

/// Whether a token after `@requirement` is a requirement ID: what
/// [`is_requirement_id`] accepts, plus short IDs such as `R3` or `B1` that read as
/// phases elsewhere but name requirements in this position.
fn is_requirement_token(t: &str) -> bool {
    if is_requirement_id(t) {
        return true;
    }
    let mut c = t.chars();
    let first = c.next().unwrap_or('P');
    let rest = c.as_str().trim_end_matches(|c: char| c.is_ascii_lowercase());
    first.is_ascii_uppercase() && first != 'P' && !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit())
}

/// The next token of `v` from `i`: (raw token, end offset).
fn next_token(v: &str, i: usize) -> (&str, usize) {
    let rest = &v[i..];
    let len = rest.find(|c: char| !is_token_char(c)).unwrap_or(rest.len());
    (&rest[..len], i + len)
}

/// Parses the values of an `@requirement` tag.
fn parse_requirement_values(v: &str) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    let mut last_id: Option<String> = None;
    let b = v.as_bytes();
    let mut i = 0;
    loop {
        let ws_start = i;
        while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
            i += 1;
        }
        let Some(c) = v[i..].chars().next() else { break };
        if i > ws_start && matches!(c, '-' | '\u{2014}' | '\u{2013}') {
            // A spaced dash: a description follows.
            break;
        }
        if matches!(c, ',' | '/' | '&') {
            i += 1;
            continue;
        }
        if !c.is_ascii_alphanumeric() {
            break;
        }
        let (raw, end) = next_token(v, i);
        i = end;
        let token = raw.trim_end_matches(['.', '-', '\u{2013}']);
        if let Some(prev) = last_id.as_deref()
            && matches!(token, "through" | "thru" | "to")
        {
            // `A through B`: the left end is the last value pushed.
            let j = i + (v[i..].len() - v[i..].trim_start_matches([' ', '\t']).len());
            let (right_raw, right_end) = next_token(v, j);
            let right = right_raw.trim_end_matches(['.', '-']);
            let Some(vals) = range(prev, right, &format!(" {token} ")) else { break };
            out.pop();
            out.extend(vals);
            i = right_end;
        } else if let Some(vals) = token_range(token) {
            out.extend(vals);
        } else if let Some(id) = last_id.as_deref().and_then(|p| continuation(p, token)) {
            out.push(Value::Requirement { id });
        } else if is_requirement_token(token) {
            out.push(Value::Requirement { id: token.to_string() });
        } else {
            break;
        }
        last_id = match out.last() {
            Some(Value::Requirement { id }) => Some(id.clone()),
            _ => None,
        };
        // `REQ-001:` and a sentence-final `REQ-001.` end the list.
        if v[i..].starts_with(':') || (raw.len() != token.len() && raw.ends_with('.')) {
            break;
        }
    }
    if out.is_empty() {
        out.push(Value::Unresolved { text: unresolved_phrase(v) });
    }
    out
}

/// The text of a non-ID requirement value: up to a description separator or quote.
fn unresolved_phrase(v: &str) -> String {
    let mut end = v.len();
    for stop in [" - ", " \u{2014} ", " \u{2013} ", ": ", " (", "'", "\"", "`", "@", "\\"] {
        if let Some(p) = v.find(stop) {
            end = end.min(p);
        }
    }
    let mut s = trim_punct(v[..end].trim()).trim_end_matches(',');
    if s.len() > 120 {
        s = &s[..floor_char_boundary(s, 120)];
    }
    s.trim().to_string()
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
    let mut cur: Option<(Group, bool, bool)> = None; // group, has plan, has requirement
    for (m, g) in markers.iter().zip(groups) {
        let Some(g) = *g else { continue };
        let new = match cur {
            Some((cg, has_plan, has_req)) => cg != g || (m.tag == Tag::Plan && has_plan && has_req),
            None => true,
        };
        if new {
            let excerpt = excerpt_of(ctx, ctx.lexed, lang, g, cap);
            traces.push(Trace {
                line: m.line,
                end_line: m.line,
                placement: m.placement,
                plans: Vec::new(),
                requirements: Vec::new(),
                unresolved: Vec::new(),
                excerpt,
            });
            cur = Some((g, false, false));
        }
        let (Some(t), Some(c)) = (traces.last_mut(), cur.as_mut()) else { continue };
        t.end_line = m.line;
        match m.tag {
            Tag::Plan => c.1 = true,
            Tag::Requirement => c.2 = true,
        }
        for v in &m.values {
            match v {
                Value::Plan(p) => {
                    if !t.plans.contains(p) {
                        t.plans.push(p.clone());
                    }
                }
                Value::Requirement { id } => {
                    if !t.requirements.contains(id) {
                        t.requirements.push(id.clone());
                    }
                }
                Value::Unresolved { text } => {
                    let u = (m.tag, text.clone());
                    if !text.is_empty() && !t.unresolved.contains(&u) {
                        t.unresolved.push(u);
                    }
                }
            }
        }
    }
    traces
}

fn excerpt_of(ctx: &Ctx<'_>, lexed: &Lexed, lang: Language, g: Group, cap: u32) -> (u32, u32) {
    match g {
        Group::Block(b) => {
            let (s, e) = lexed.blocks.get(b as usize).copied().unwrap_or((0, 0));
            if lang == Language::Markdown {
                excerpt::for_markdown_comment(ctx, s, e, cap)
            } else {
                excerpt::for_comment(ctx, s, e, cap)
            }
        }
        Group::Title { call, .. } => excerpt::for_call(ctx, call, cap),
    }
}
