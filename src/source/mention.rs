//! Mentions: a requirement ID named in a code comment or string literal without a
//! marker tag (`// see REQ-SP4-003 for the rule`). A mention is weaker evidence than a
//! trace: it is listed apart on the requirement's page and counted apart, and never
//! covers a requirement.
//!
//! Only IDs that plans define are looked for ([`MentionIds`]), all at once with one
//! Aho-Corasick automaton per build; a file is lexed only when one of them occurs in
//! it. An occurrence counts when:
//! - it stands alone: the characters around it cannot continue an ID (a letter, a
//!   digit, `_`, `-`, or a `.` followed by a letter or digit);
//! - it lies in a comment or a string literal (by [`super::lexer`]);
//! - no marker of the same comment block, string or line carries the same ID (then it
//!   is part of a trace, or restates one).
//!
//! IDs searched are those with a `-`, a digit and at least five characters
//! (`REQ-SP4-003`, `HOOK-017`): short IDs such as `A1` or `R1.2` would match too much
//! ordinary text.

use super::lexer::{Kind, lex};
use super::{Language, Marker, Placement, Value};
use aho_corasick::{AhoCorasick, MatchKind};
use serde::Serialize;

/// The requirement IDs a build looks for, as one automaton.
#[derive(Debug, Clone)]
pub struct MentionIds {
    ac: Option<AhoCorasick>,
    ids: Vec<String>,
}

/// Whether an ID is specific enough to be looked for in code (see the module docs).
pub fn is_mentionable(id: &str) -> bool {
    id.len() >= 5 && id.contains('-') && id.bytes().any(|b| b.is_ascii_digit())
}

impl MentionIds {
    /// The automaton of the mentionable IDs among `ids` (duplicates dropped).
    pub fn new<'a>(ids: impl IntoIterator<Item = &'a str>) -> MentionIds {
        let mut ids: Vec<String> =
            ids.into_iter().filter(|i| is_mentionable(i)).map(str::to_string).collect();
        ids.sort();
        ids.dedup();
        let ac = (!ids.is_empty())
            .then(|| AhoCorasick::builder().match_kind(MatchKind::LeftmostLongest).build(&ids).ok())
            .flatten();
        MentionIds { ac, ids }
    }

    /// Whether no ID is looked for.
    pub fn is_empty(&self) -> bool {
        self.ac.is_none()
    }
}

/// One mention in a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mention {
    /// The requirement ID.
    pub id: String,
    /// 1-based line.
    pub line: u32,
    /// Comment or string literal.
    pub placement: Placement,
    /// The line's text, trimmed, at most 200 characters.
    pub text: String,
}

/// The mentions in one file's text (see the module docs); `markers` are the file's
/// marker occurrences. Markdown and files of unknown kind have none.
pub fn find(lang: Language, text: &str, ids: &MentionIds, markers: &[Marker]) -> Vec<Mention> {
    let Some(ac) = &ids.ac else { return Vec::new() };
    if !matches!(lang, Language::CLike | Language::Hash | Language::Html) {
        return Vec::new();
    }
    let b = text.as_bytes();
    let continues = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b'-';
    let hits: Vec<(usize, usize, usize)> = ac
        .find_iter(text)
        .filter(|m| {
            let before = m.start().checked_sub(1).map(|i| b[i]);
            let after = b.get(m.end()).copied();
            let after2 = b.get(m.end() + 1).copied();
            let glued_before = before.is_some_and(|c| continues(c) || c == b'.');
            let glued_after = after.is_some_and(continues)
                || (after == Some(b'.') && after2.is_some_and(|c| c.is_ascii_alphanumeric()));
            !glued_before && !glued_after
        })
        .map(|m| (m.start(), m.end(), m.pattern().as_usize()))
        .collect();
    if hits.is_empty() {
        return Vec::new();
    }
    let lexed = lex(lang, text);
    let line_starts: Vec<usize> =
        std::iter::once(0).chain(memchr::memchr_iter(b'\n', b).map(|i| i + 1)).collect();
    let line_of = |off: usize| line_starts.partition_point(|&s| s <= off) as u32;
    // The region identity of an offset: its comment block, or its string's opening quote.
    let region = |off: usize| match lexed.kind_at(off) {
        Kind::Comment { block } => Some((0u8, block as usize)),
        Kind::Str { open } => Some((1u8, open)),
        Kind::Code => None,
    };
    // (region, line, ID) of every marker value.
    type Tagged<'t> = (Option<(u8, usize)>, u32, &'t str);
    let tagged: Vec<Tagged<'_>> = markers
        .iter()
        .flat_map(|m| {
            let off = line_starts
                .get((m.line as usize).saturating_sub(1))
                .map_or(0, |s| s + (m.column as usize).saturating_sub(1));
            let r = region(off);
            m.values.iter().filter_map(move |v| match v {
                Value::Requirement { id } => Some((r, m.line, id.as_str())),
                _ => None,
            })
        })
        .collect();
    let mut out = Vec::new();
    for (start, _end, pat) in hits {
        let Some(r) = region(start) else { continue };
        let id = ids.ids[pat].as_str();
        let line = line_of(start);
        if tagged.iter().any(|&(tr, tl, tid)| tid == id && (tr == Some(r) || tl == line)) {
            continue;
        }
        if out.last().is_some_and(|m: &Mention| m.line == line && m.id == id) {
            continue;
        }
        let ls = line_starts[line as usize - 1];
        let le = memchr::memchr(b'\n', &b[ls..]).map_or(b.len(), |i| ls + i);
        let full = text[ls..le].trim();
        let cut = full.char_indices().nth(200).map_or(full.len(), |(i, _)| i);
        out.push(Mention {
            id: id.to_string(),
            line,
            placement: if r.0 == 0 { Placement::Comment } else { Placement::StringLiteral },
            text: full[..cut].to_string(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grammar::Grammar;

    fn mentions(path: &str, text: &str, ids: &[&str]) -> Vec<(String, u32, Placement)> {
        let ids = MentionIds::new(ids.iter().copied());
        let scan = crate::source::scan(path, text, 40, &Grammar::default());
        find(Language::from_path(path), text, &ids, &scan.markers)
            .into_iter()
            .map(|m| (m.id, m.line, m.placement))
            .collect()
    }

    #[test]
    fn an_untagged_id_in_a_comment_or_string_is_a_mention() {
        let text = "// see REQ-SP4-003 for the rule\nconst x = 'REQ-SP4-003';\nREQ-SP4-003();\n";
        assert_eq!(
            mentions("a.ts", text, &["REQ-SP4-003"]),
            [
                ("REQ-SP4-003".into(), 1, Placement::Comment),
                ("REQ-SP4-003".into(), 2, Placement::StringLiteral)
            ]
        );
    }

    #[test]
    fn a_tagged_id_and_longer_ids_are_not_mentions() {
        let text = "/**\n * @requirement REQ-SP4-003\n * REQ-SP4-003 is the rule\n */\n// REQ-SP4-003.1 and REQ-SP4-0031 and XREQ-SP4-003\n";
        assert_eq!(mentions("a.ts", text, &["REQ-SP4-003"]), []);
        // The longest known ID wins.
        assert_eq!(
            mentions("a.py", "# REQ-SP4-003.1 applies\n", &["REQ-SP4-003", "REQ-SP4-003.1"])[0].0,
            "REQ-SP4-003.1"
        );
    }

    #[test]
    fn short_ids_and_markdown_are_not_looked_at() {
        assert!(!is_mentionable("A1") && !is_mentionable("R1.2") && is_mentionable("HOOK-017"));
        assert_eq!(mentions("a.ts", "// A1 and R1.2\n", &["A1", "R1.2"]), []);
        assert_eq!(mentions("a.md", "see REQ-SP4-003\n", &["REQ-SP4-003"]), []);
        assert_eq!(
            mentions("a.ts", "// see REQ-SP4-003.\n", &["REQ-SP4-003"]).len(),
            1,
            "a full stop ends it"
        );
    }
}
