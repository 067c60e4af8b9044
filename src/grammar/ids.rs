//! IDs and lists of IDs: plan, phase, requirement and item IDs, and the lists and
//! ranges they are written in. Plan reading (definitions, mapping tables) and marker
//! reading use these same functions, so a list means the same in a heading, a table
//! cell and a marker.
//!
//! - **Plan references** ([`parse_plan_refs`]): one or more references joined by `,`
//!   (`PLAN-A.P08, PLAN-B.P02`); phase lists and ranges inside one reference (`.P15,P16`,
//!   `.P24, P25`, `.P29/P31`, `.P09 P11`, `.P02-P05`, `.P13-15`; ranges expanded keeping
//!   the width); change-request suffixes (`.P14-CR3`); trailing punctuation is not part
//!   of the value (`.P08:`, `.P05.`). A value that is not a plan ID is unresolved with
//!   its first token (`ISSUE-2376`, `project-plans/x.md`). A plan ID with something
//!   glued on (`PLAN-20251105-profilefixes/plan2.md`) gives both the reference of the ID
//!   part and an unresolved value with the whole token.
//! - **Requirement lists** ([`parse_requirement_list`]): IDs joined by `,`, `/`, `&` or
//!   spaces; ranges with `through`, `thru` or `to`, an en dash or `..` (`R2.1–R2.6`,
//!   `REQ-RNG-001..003`, `REQ-X-001 – REQ-X-004`), and prefix-sharing hyphen ranges
//!   (`R16.1-R16.7`, `REQ-HD-002.1-002.9`), expanded numerically keeping zero padding
//!   (more than [`MAX_RANGE`] IDs, reversed or mismatched ends give an unresolved value
//!   with the range's text); suffix-only continuations (`REQ-1598-FL01, CL01`,
//!   `REQ-TEC-001/002/003`) replace the previous ID's last `-` segment when they have
//!   its shape. Reading stops at a spaced dash (` - `, ` — `), a `:` or `(`, any other
//!   character that cannot be part of an ID, or the first word that is not an ID
//!   (`REQ-001 should …`). When the first word is not an ID, the value is one
//!   unresolved text up to a description separator (`Phase 3` from
//!   `Phase 3 - Session bucket …`).
//! - **Item lists** ([`parse_item_list`]): IDs of one kind joined by `,`, `/`, `&` or
//!   spaces up to the first other word; an ID written in lower case (`risk-002`) is read
//!   as its upper-case form when only that matches the kind.
//! - **Requirement IDs in plans** ([`is_default_requirement_id`]): a prefix and a
//!   number, with an optional letter or decimal suffix.

use super::ItemKind;
use regex::Regex;
use std::sync::LazyLock;

/// A plan ID: `PLAN-20251023-STATELESS-HARDENING`, mixed case `PLAN-20251213issue490`,
/// no date `PLAN-ANTHROPIC-THINKING`, dotted versions `PLAN-20260725-MERGE-0.11-FROM-0.10`
/// (a dot continues the ID only when a digit follows, so `.P05` is a phase).
pub const PLAN_ID: &str = r"PLAN-[A-Za-z0-9]+(?:-[A-Za-z0-9]+|\.[0-9][A-Za-z0-9]*)*";

/// A phase ID after the plan's dot: `P05`, `P05a`, `P0.5`, `P03a-V`, change requests
/// `P14-CR3`, rounds `R9.P01`, `B2`, `R9`, `SKIP1.P01`, `EVAL`.
pub const PHASE: &str = r"(?:(?:R[0-9]+|SKIP[0-9]+)\.)?(?:P[0-9]+(?:\.[0-9]+)?[A-Za-z]{0,2}(?:-V)?(?:-CR[0-9]+)?|B[0-9]+|R[0-9]+|EVAL)";

/// A requirement-shaped ID: `REQ-SP4-003`, `REQ-001.1`, `HOOK-017`, `E2E.API.1`, `R1.2`.
/// Whether such a token is a requirement is decided by [`is_requirement_id`].
pub const REQ_ID: &str = r"[A-Z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*";

/// `^PLAN_ID(?:\.PHASE)?$`, with the plan in group 1 and the phase in group 2.
pub static PLAN_REF_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"^({PLAN_ID})(?:\.({PHASE}))?$")).expect("valid regex"));

/// Any plan ID anywhere in a text.
pub static PLAN_ID_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"\b{PLAN_ID}")).expect("valid regex"));

/// Splits `PLAN-X.P05a` into (`PLAN-X`, `Some("P05a")`); `None` when the text is not a
/// plan reference.
pub fn split_plan_ref(s: &str) -> Option<(&str, Option<&str>)> {
    let c = PLAN_REF_RE.captures(s)?;
    Some((c.get(1)?.as_str(), c.get(2).map(|m| m.as_str())))
}

/// Whether a token reads as a requirement ID: it starts with `REQ-`, or it has the
/// ID shape and contains a digit (`HOOK-017`, `R1.2`, `E2E.API.1`), and it is not a
/// plan ID or a bare phase (`P05`).
pub fn is_requirement_id(s: &str) -> bool {
    static RE: LazyLock<Regex> = LazyLock::new(|| Regex::new(&format!("^{REQ_ID}$")).expect("valid regex"));
    static PHASE_RE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(&format!("^{PHASE}$")).expect("valid regex"));
    if s.starts_with("PLAN-") || !RE.is_match(s) || PHASE_RE.is_match(s) {
        return false;
    }
    s.starts_with("REQ-") || s.bytes().any(|b| b.is_ascii_digit())
}

/// Whether `s` has the default shape of a requirement ID defined in a plan: a prefix
/// and a number, with an optional letter or decimal suffix. The prefix is one or more
/// segments joined by `-` or `.`, the first at least two characters ending in a letter
/// (`REQ`, `E2E`), the others holding a letter (`SP4`, `STAT6`, `3DA4`); the number
/// follows a `-` or `.` and may carry a letter (`-06a`), `-` segments of letters and
/// digits (`REQ-1598-FL03`, `REQ-211-S01`), decimal parts (`.1`, `.1a`) and a short
/// upper-case tail (`REQ-EXT-001.CLI`): `REQ-SP4-003`, `HOOK-017`, `E2E.API.1`. A
/// one-letter prefix takes the number right after it (`A1`, `R1.2`) or after a `-`
/// (`F-001`). IDs starting with `REQ-` may also be upper-case words (`REQ-R1`,
/// `REQ-NO-SHIMS`). Not requirement IDs: prose (`REQ-to-Phase-to-Pseudocode`),
/// appendix numbers (`A.1`), test cases (`PRF-T1`), review findings (`R1-01`), words
/// with a digit (`OAuth2`, `STATELESS6`).
pub fn is_default_requirement_id(s: &str) -> bool {
    const NUM: &str =
        r"[0-9]+[A-Za-z]?(?:-[A-Za-z]*[0-9]+[A-Za-z]?)*(?:\.[0-9]+[A-Za-z]?)*(?:[.-][A-Z]{1,5})?";
    const SEG: &str = r"[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*";
    static RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(&format!(
            r"^(?:REQ-[A-Z0-9]+[a-z]?(?:[-.][A-Z0-9]+[a-z]?)*|[A-Z][A-Za-z0-9]*[A-Za-z](?:[-.]{SEG})*[-.]{NUM}|[A-Z](?:-{SEG})*-{NUM}|[A-Z]{{1,3}}[0-9]+[A-Za-z]?(?:\.[0-9]+[A-Za-z]?)*)$"
        ))
        .expect("valid regex")
    });
    RE.is_match(s) && !s.starts_with("PLAN-")
}

/// The canonical form of a phase ID used to match references to definitions:
/// numbers lose their padding differences (`P5`, `P05` → `P05`), suffix letters are
/// lower-cased (`P04A` → `P04a`), a change-request suffix is upper-cased (`P14-cr3` →
/// `P14-CR3`); rounds and other forms are kept as written.
pub fn canonical_phase(p: &str) -> String {
    let (round, rest) = match p.rsplit_once('.') {
        Some((r, rest)) if rest.starts_with('P') && (r.starts_with('R') || r.starts_with("SKIP")) => {
            (Some(r), rest)
        }
        _ => (None, p),
    };
    let mut out = String::new();
    if let Some(r) = round {
        out.push_str(r);
        out.push('.');
    }
    let Some(body) = rest.strip_prefix('P') else {
        out.push_str(rest);
        return out;
    };
    let digits: String = body.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.is_empty() {
        out.push_str(rest);
        return out;
    }
    let after = &body[digits.len()..];
    let n: u64 = digits.parse().unwrap_or(0);
    out.push_str(&format!("P{n:02}"));
    // Keep a decimal part (`P0.5`) and a `-V` tail as written; lower-case letters.
    let (frac, tail) = match after.strip_prefix('.') {
        Some(f) => {
            let d: String = f.chars().take_while(|c| c.is_ascii_digit()).collect();
            (format!(".{d}"), &f[d.len()..])
        }
        None => (String::new(), after),
    };
    out.push_str(&frac);
    let (tail, cr) = split_change_request(tail);
    match tail.strip_suffix("-V") {
        Some(letters) => {
            out.push_str(&letters.to_ascii_lowercase());
            out.push_str("-V");
        }
        None => out.push_str(&tail.to_ascii_lowercase()),
    }
    if let Some(n) = cr {
        out.push_str("-CR");
        out.push_str(n);
    }
    out
}

/// Splits a trailing change-request suffix (`-CR3`, any case) off a phase: (`P14`,
/// `Some("3")`) for `P14-CR3`.
fn split_change_request(p: &str) -> (&str, Option<&str>) {
    if let Some(k) = p.rfind('-')
        && let Some(tag) = p.get(k + 1..k + 3)
        && tag.eq_ignore_ascii_case("CR")
    {
        let n = &p[k + 3..];
        if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) {
            return (&p[..k], Some(n));
        }
    }
    (p, None)
}

/// The phase a change request belongs to: `P14` for `P14-CR3` (`R9.P14-CR3` →
/// `R9.P14`); `None` when the phase has no change-request suffix. A reference to a
/// change request that is not declared as a phase of its own resolves to this phase.
pub fn change_request_base(p: &str) -> Option<&str> {
    match split_change_request(p) {
        (base, Some(_)) if !base.is_empty() => Some(base),
        _ => None,
    }
}

/// The largest range expanded into single IDs; bigger ranges stay unresolved.
pub const MAX_RANGE: u64 = 200;

/// One value of a list read by [`parse_plan_refs`], [`parse_requirement_list`] or
/// [`parse_item_list`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Listed {
    /// A plan reference: the plan ID and the phase as written (`P05a`, `R9.P01`).
    Plan {
        /// The plan ID.
        plan: String,
        /// The phase after the plan's dot, if any.
        phase: Option<String>,
    },
    /// A requirement or item ID, expanded from lists and ranges.
    Id(String),
    /// Text that names no ID (a range too large or reversed, prose), trimmed.
    Unresolved(String),
}

/// The largest char boundary of `s` at or below `i`.
pub(crate) fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

static PLAN_REF_HEAD: LazyLock<Regex> = LazyLock::new(|| {
    // Phase lists and ranges of `docs/grammar.md` §6.2, a space-separated phase (`.P09 P11`) included.
    // A range's end may drop the `P` (`.P13-15`).
    let tail = r"(?:[ \t]*[,/][ \t]*P[0-9]+[A-Za-z]?\b|-P?[0-9]+[A-Za-z]?\b|[ \t]+P[0-9]+[A-Za-z]?\b)*";
    Regex::new(&format!(r"^({PLAN_ID})(?:\.({PHASE})({tail}))?")).expect("valid regex")
});

static LIST_SEP: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[ \t]*,[ \t]*").expect("valid regex"));

static TAIL_ITEM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"([,/-]|[ \t])[ \t]*(P?[0-9]+[A-Za-z]?)").expect("valid regex"));

/// Characters that end a non-ID token.
fn token_stop(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\'' | '"' | '`' | ',' | ')' | '*' | '<' | '>' | '\\')
}

fn trim_punct(s: &str) -> &str {
    s.trim_end_matches(['.', ':', ';', '!', '?'])
}

/// Parses the values of an `@plan` tag.
pub fn parse_plan_refs(v: &str) -> Vec<Listed> {
    let mut out = Vec::new();
    let mut rest = v;
    while let Some(c) = PLAN_REF_HEAD.captures(rest) {
        let whole = c.get(0).map_or("", |m| m.as_str());
        let plan = c.get(1).map_or("", |m| m.as_str()).to_string();
        match c.get(2) {
            None => out.push(Listed::Plan { plan: plan.clone(), phase: None }),
            Some(p) => {
                let first = p.as_str();
                let tail = c.get(3).map_or("", |m| m.as_str());
                for phase in expand_phases(first, tail) {
                    out.push(Listed::Plan { plan: plan.clone(), phase: Some(phase) });
                }
            }
        }
        let after = &rest[whole.len()..];
        if glued(after) {
            let token_end =
                v.len() - rest.len() + whole.len() + after.find(token_stop).unwrap_or(after.len());
            let start = v.len() - rest.len();
            out.push(Listed::Unresolved(trim_punct(&v[start..token_end]).to_string()));
            break;
        }
        match LIST_SEP.find(after) {
            Some(m) if PLAN_REF_HEAD.is_match(&after[m.end()..]) => rest = &after[m.end()..],
            _ => break,
        }
    }
    if out.is_empty() {
        let end = v.find(token_stop).unwrap_or(v.len());
        out.push(Listed::Unresolved(trim_punct(&v[..end]).to_string()));
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
        let written = &c[2];
        let bare = !written.starts_with('P');
        let item = if bare { format!("P{written}") } else { written.to_string() };
        let prev = out.last().cloned().unwrap_or_default();
        let prev_bare = prev.strip_prefix(round.as_str()).unwrap_or(&prev).to_string();
        if &c[1] == "-"
            && let Some(range) = expand_numeric(&prev_bare, &item)
        {
            out.extend(range.into_iter().skip(1).map(|p| format!("{round}{p}")));
            continue;
        }
        if bare {
            // `.P05-2`: a bare number that ends no range names no phase.
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

/// Expands `from`..=`to` when both have the same prefix and end in digits (`REQ-A-001`
/// .. `REQ-A-004`); keeps the width of `from`'s number. `None` when it cannot, when the
/// range is reversed or when it holds more than [`MAX_RANGE`] IDs.
pub fn expand_numeric(from: &str, to: &str) -> Option<Vec<String>> {
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

/// [`expand_numeric`], where the right end may also be a bare number standing for
/// `from` with its last number replaced (`REQ-A-005` .. `007`).
pub fn expand_range(from: &str, to: &str) -> Option<Vec<String>> {
    if !to.is_empty() && to.bytes().all(|b| b.is_ascii_digit()) {
        let (prefix, _) = split_digits(from);
        return expand_numeric(from, &format!("{prefix}{to}"));
    }
    expand_numeric(from, to)
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
        if cut > 0
            && left.as_bytes()[cut - 1] == b'.'
            && left[..cut - 1].ends_with(|c: char| c.is_ascii_digit())
        {
            cut -= 1;
        }
    }
    let tail = &left[cut..];
    if tail.starts_with('.') || cut == 0 || left.as_bytes()[cut - 1] != b'-' {
        return None;
    }
    let w1 = tail.split('.').next().map_or(0, str::len);
    let w2 = right.split('.').next().map_or(0, str::len);
    // A zero-padded left end needs a right end of its width (`002.1-002.9`); an
    // unpadded one does not (`REQ-FP-1..15`).
    if tail.split('.').count() != groups || (w1 != w2 && (tail.starts_with('0') || w2 < w1)) {
        return None;
    }
    Some(format!("{}{right}", &left[..cut]))
}

/// A range `left`..`right` as IDs, or an unresolved text.
fn range(left: &str, right: &str, sep: &str) -> Option<Vec<Listed>> {
    let full = range_right(left, right)?;
    if !is_requirement_token(left) {
        return None;
    }
    Some(match expand_numeric(left, &full) {
        Some(ids) => ids.into_iter().map(Listed::Id).collect(),
        None => vec![Listed::Unresolved(format!("{left}{sep}{right}"))],
    })
}

/// A token with a range inside: en dash, `..`, or a hyphen between two IDs that share
/// their prefix (`R16.1-R16.7`, `REQ-HD-002.1-002.9`).
fn token_range(token: &str) -> Option<Vec<Listed>> {
    for sep in ["\u{2013}", ".."] {
        if let Some((l, r)) = token.split_once(sep) {
            return Some(range(l, r, sep).unwrap_or_else(|| vec![Listed::Unresolved(token.to_string())]));
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
pub fn parse_requirement_list(v: &str) -> Vec<Listed> {
    let (mut out, _) = read_requirement_list(v);
    if out.is_empty() {
        out.push(Listed::Unresolved(unresolved_phrase(v)));
    }
    out
}

/// Reads a requirement list at the start of `v` (see the module docs): the IDs and
/// unresolved ranges read, and the byte offset where reading stopped (after the last
/// token read; 0 when `v` starts with no ID). Used for titles after a list
/// (`REQ-TEC-001/002/003: Title`).
pub fn read_requirement_list(v: &str) -> (Vec<Listed>, usize) {
    let mut out: Vec<Listed> = Vec::new();
    let mut last_id: Option<String> = None;
    let b = v.as_bytes();
    let mut i = 0;
    let mut consumed = 0;
    loop {
        let ws_start = i;
        while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
            i += 1;
        }
        let Some(c) = v[i..].chars().next() else { break };
        if i > ws_start && matches!(c, '-' | '\u{2014}' | '\u{2013}') {
            // `REQ-X-001 – REQ-X-004`: a spaced dash between two IDs of one prefix is a
            // range; any other spaced dash starts a description.
            if let Some((vals, end)) = last_id.as_deref().and_then(|prev| spaced_range(v, i, c, prev)) {
                out.pop();
                out.extend(vals);
                i = end;
                consumed = end;
                last_id = match out.last() {
                    Some(Listed::Id(id)) => Some(id.clone()),
                    _ => None,
                };
                continue;
            }
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
            out.push(Listed::Id(id));
        } else if is_requirement_token(token) {
            out.push(Listed::Id(token.to_string()));
        } else {
            break;
        }
        consumed = i - (raw.len() - token.len()).min(i);
        last_id = match out.last() {
            Some(Listed::Id(id)) => Some(id.clone()),
            _ => None,
        };
        // `REQ-001:` and a sentence-final `REQ-001.` end the list.
        if v[i..].starts_with(':') || (raw.len() != token.len() && raw.ends_with('.')) {
            break;
        }
    }
    (out, consumed)
}

/// A range written with a spaced dash (`REQ-X-001 – REQ-X-004`, `R1 - R3`) whose
/// dash `c` is at `at` and whose left end is `prev`: the IDs and the offset after the
/// right end, when the right end is a full ID of `prev`'s prefix.
fn spaced_range(v: &str, at: usize, c: char, prev: &str) -> Option<(Vec<Listed>, usize)> {
    if c == '\u{2014}' {
        return None;
    }
    let j = at + c.len_utf8();
    let j = j + (v[j..].len() - v[j..].trim_start_matches([' ', '\t']).len());
    let (right_raw, end) = next_token(v, j);
    let right = right_raw.trim_end_matches(['.', '-', '\u{2013}']);
    if !right.starts_with(|c: char| c.is_ascii_alphabetic())
        || split_digits(prev).0 != split_digits(right).0
        || expand_numeric(prev, right).is_none()
    {
        return None;
    }
    let vals = range(prev, right, &format!(" {c} "))?;
    Some((vals, end - (right_raw.len() - right.len())))
}

/// Parses the values of an item kind's tag: IDs of that kind joined by `,`, `/`, `&`
/// or spaces, up to the first token that is not one (a description). A value with no
/// ID is one unresolved value.
pub fn parse_item_list(v: &str, kind: &ItemKind) -> Vec<Listed> {
    let mut out = Vec::new();
    for raw in v.split([',', '/', '&', ' ', '\t']).filter(|t| !t.is_empty()) {
        let token = trim_punct(raw);
        let Some(id) = item_id(token, kind) else { break };
        out.push(Listed::Id(id));
        if raw.ends_with([':', '.', ';']) {
            break;
        }
    }
    if out.is_empty() {
        out.push(Listed::Unresolved(unresolved_phrase(v)));
    }
    out
}

/// `token` as an ID of `kind`: as written when the kind's pattern matches it, the
/// numbered form plans give items without an ID (`risk-2`, any case), else its
/// upper-case form when only that matches (`risk-002` → `RISK-002`).
pub fn item_id(token: &str, kind: &ItemKind) -> Option<String> {
    if kind.matches(token) {
        return Some(token.to_string());
    }
    if let Some((name, n)) = token.rsplit_once('-')
        && name.eq_ignore_ascii_case(&kind.name)
        && !n.is_empty()
        && n.len() <= 9
        && n.bytes().all(|b| b.is_ascii_digit())
        && !n.starts_with('0')
    {
        return Some(format!("{}-{n}", kind.name));
    }
    let upper = token.to_ascii_uppercase();
    (upper != token && kind.matches(&upper)).then_some(upper)
}

/// The text of a non-ID requirement value: up to a description separator or quote.
fn unresolved_phrase(v: &str) -> String {
    let mut end = v.len();
    for stop in [" - ", " \u{2014} ", " \u{2013} ", ": ", " (", ")", "'", "\"", "`", "@", "\\"] {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_plan_refs() {
        assert_eq!(
            split_plan_ref("PLAN-20251023-STATELESS-HARDENING.P08"),
            Some(("PLAN-20251023-STATELESS-HARDENING", Some("P08")))
        );
        assert_eq!(
            split_plan_ref("PLAN-20260725-MERGE-0.11-FROM-0.10"),
            Some(("PLAN-20260725-MERGE-0.11-FROM-0.10", None))
        );
        assert_eq!(
            split_plan_ref("PLAN-20250219-GMERGE021.R9.P01"),
            Some(("PLAN-20250219-GMERGE021", Some("R9.P01")))
        );
        assert_eq!(split_plan_ref("PLAN-20251213issue490"), Some(("PLAN-20251213issue490", None)));
        assert_eq!(split_plan_ref("ISSUE-2376"), None);
    }

    #[test]
    fn recognises_requirement_ids() {
        for id in ["REQ-SP4-003", "REQ-001.1", "HOOK-017", "E2E.API.1", "R1.2", "REQ-1598-FL03", "REQ-X"] {
            assert!(is_requirement_id(id), "{id}");
        }
        for id in ["PLAN-2025-X", "P05", "P05a", "build-order", "Phase", "TODO"] {
            assert!(!is_requirement_id(id), "{id}");
        }
    }

    #[test]
    fn canonicalises_phases() {
        assert_eq!(canonical_phase("P5"), "P05");
        assert_eq!(canonical_phase("P04A"), "P04a");
        assert_eq!(canonical_phase("P05a"), "P05a");
        assert_eq!(canonical_phase("P0.5"), "P00.5");
        assert_eq!(canonical_phase("P03a-V"), "P03a-V");
        assert_eq!(canonical_phase("R9.P1"), "R9.P01");
        assert_eq!(canonical_phase("B2"), "B2");
        assert_eq!(canonical_phase("P123"), "P123");
        assert_eq!(canonical_phase("P14-CR3"), "P14-CR3");
        assert_eq!(canonical_phase("P5a-cr12"), "P05a-CR12");
        assert_eq!(change_request_base("P14-CR3"), Some("P14"));
        assert_eq!(change_request_base("R9.P14-CR3"), Some("R9.P14"));
        assert_eq!(change_request_base("P14"), None);
        assert_eq!(change_request_base("-CR3"), None);
    }

    fn ids(v: &str) -> Vec<String> {
        parse_requirement_list(v)
            .into_iter()
            .map(|l| match l {
                Listed::Id(id) => id,
                other => format!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn lists_and_ranges() {
        assert_eq!(ids("REQ-TEC-001/002/003"), ["REQ-TEC-001", "REQ-TEC-002", "REQ-TEC-003"]);
        assert_eq!(ids("REQ-RNG-001..003"), ["REQ-RNG-001", "REQ-RNG-002", "REQ-RNG-003"]);
        assert_eq!(ids("REQ-FP-1..3"), ["REQ-FP-1", "REQ-FP-2", "REQ-FP-3"]);
        assert_eq!(ids("REQ-FP-9..11"), ["REQ-FP-9", "REQ-FP-10", "REQ-FP-11"]);
        assert_eq!(ids("REQ-X-001 \u{2013} REQ-X-003"), ["REQ-X-001", "REQ-X-002", "REQ-X-003"]);
        assert_eq!(ids("REQ-X-001 - REQ-X-002: text"), ["REQ-X-001", "REQ-X-002"]);
        // A spaced dash before another prefix or prose is a description.
        assert_eq!(ids("REQ-X-001 \u{2013} REQ-Y-003"), ["REQ-X-001"]);
        assert_eq!(ids("REQ-X-001 - Export"), ["REQ-X-001"]);
        // A padded left end needs a right end of its width.
        assert_eq!(ids("REQ-HD-002.1-002.3"), ["REQ-HD-002.1", "REQ-HD-002.2", "REQ-HD-002.3"]);
        let (l, end) = read_requirement_list("REQ-TEC-001/002: Title");
        assert_eq!((l.len(), end), (2, 15));
        let (l, end) = read_requirement_list("REQ-001 Title words");
        assert_eq!((l.len(), end), (1, 7));
    }

    #[test]
    fn phase_suffixes_and_ranges_in_plan_refs() {
        let phases = |v: &str| -> Vec<String> {
            parse_plan_refs(v)
                .into_iter()
                .map(|l| match l {
                    Listed::Plan { phase, .. } => phase.unwrap_or_default(),
                    other => format!("{other:?}"),
                })
                .collect()
        };
        assert_eq!(phases("PLAN-A.P14-CR3"), ["P14-CR3"]);
        assert_eq!(phases("PLAN-A.P13-15"), ["P13", "P14", "P15"]);
        assert_eq!(phases("PLAN-A.P08-10 text"), ["P08", "P09", "P10"]);
        assert_eq!(phases("PLAN-A.P02-P04"), ["P02", "P03", "P04"]);
        assert_eq!(phases("PLAN-A.P05-2"), ["P05"]);
        assert_eq!(phases("PLAN-A.P03a-V"), ["P03a-V"]);
    }

    #[test]
    fn item_ids_in_any_case() {
        let risk = ItemKind::new("risk", r"(?:NEW-)?RISK-[0-9]{3,}|R-[0-9]{3,}", vec![]).unwrap();
        assert_eq!(item_id("RISK-002", &risk).as_deref(), Some("RISK-002"));
        assert_eq!(item_id("risk-002", &risk).as_deref(), Some("RISK-002"));
        assert_eq!(item_id("risk-2", &risk).as_deref(), Some("risk-2"));
        assert_eq!(item_id("Risk-2", &risk).as_deref(), Some("risk-2"));
        assert_eq!(item_id("risky", &risk), None);
        assert_eq!(item_id("risk-02x", &risk), None);
    }

    #[test]
    fn default_requirement_shape() {
        for id in [
            "REQ-SP4-003",
            "REQ-001.1",
            "HOOK-017",
            "E2E.API.1",
            "R1.2",
            "A1",
            "REQ-06a",
            "REQ-1598-FL03",
            "REQ-211-S01",
            "DELTA-HSYS-001",
            "REQ-STAT6-001.1",
            "F-001",
            "REQ-R1",
            "REQ-NO-SHIMS",
            "REQ-3DA4-001",
            "REQ-EXT-001.CLI",
            "R3.1a",
        ] {
            assert!(is_default_requirement_id(id), "{id}");
        }
        for id in [
            "REQ-to-Phase-to-Pseudocode",
            "A.1",
            "PRF-T1",
            "R1-01",
            "P01-P03",
            "OAuth2",
            "STATELESS6",
            "PLAN-2025-1",
        ] {
            assert!(!is_default_requirement_id(id), "{id}");
        }
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        /// A requirement ID of the default shape: prefix segments and a padded number.
        fn id() -> impl Strategy<Value = (String, usize, u64)> {
            ("[A-Z]{2,5}(-[A-Z][A-Z0-9]{0,3}){0,2}", 1usize..5, 0u64..5000)
        }

        fn print(prefix: &str, width: usize, n: u64) -> String {
            format!("{prefix}-{n:0width$}")
        }

        proptest! {
            #[test]
            fn a_printed_list_reads_back((prefix, width, n) in id(), extra in proptest::collection::vec(0u64..5000, 0..5), sep in prop::sample::select(vec![", ", ",", "/", " & ", " "])) {
                let mut written = vec![print(&prefix, width, n)];
                written.extend(extra.iter().map(|&m| print(&prefix, width, m)));
                let read: Vec<Listed> = parse_requirement_list(&written.join(sep));
                let want: Vec<Listed> = written.iter().cloned().map(Listed::Id).collect();
                prop_assert_eq!(read, want);
            }

            #[test]
            fn a_printed_range_reads_back_as_its_members((prefix, width, a) in id(), len in 0u64..MAX_RANGE, sep in prop::sample::select(vec!["..", "\u{2013}", " through ", " \u{2013} "])) {
                let b = a + len;
                let width = width.max(b.to_string().len());
                let text = format!("{}{sep}{}", print(&prefix, width, a), print(&prefix, width, b));
                let want: Vec<Listed> = (a..=b).map(|n| Listed::Id(print(&prefix, width, n))).collect();
                prop_assert_eq!(parse_requirement_list(&text), want);
            }

            #[test]
            fn canonical_phases_are_fixed_points(n in 0u64..1000, letter in "[a-eA-E]?", cr in proptest::option::of(1u32..50)) {
                let p = format!("P{n}{letter}{}", cr.map(|c| format!("-CR{c}")).unwrap_or_default());
                let c = canonical_phase(&p);
                prop_assert_eq!(canonical_phase(&c), c.clone());
                let refs = parse_plan_refs(&format!("PLAN-X.{c}"));
                prop_assert_eq!(refs, vec![Listed::Plan { plan: "PLAN-X".into(), phase: Some(c) }]);
            }

            #[test]
            fn no_input_panics(s in "\\PC{0,80}") {
                let _ = parse_requirement_list(&s);
                let _ = read_requirement_list(&s);
                let _ = parse_plan_refs(&s);
                let _ = canonical_phase(&s);
                let _ = change_request_base(&s);
                let _ = is_default_requirement_id(&s);
                let _ = expand_range(&s, "12");
            }

            #[test]
            fn id_like_input_does_not_panic(s in "[A-Za-z0-9.\\-/,&: \u{2013}\u{2014}]{0,40}") {
                let _ = parse_requirement_list(&s);
                let _ = parse_plan_refs(&format!("PLAN-A.{s}"));
                let _ = canonical_phase(&s);
            }
        }
    }
}
