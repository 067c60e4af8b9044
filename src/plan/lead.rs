//! A document's lead: the first paragraph of prose, shown as a plan's abstract.
//!
//! Skipped: front matter, headings, fences, HTML comments, tables, rules, block
//! quotes that hold only metadata, and metadata lines (`Plan ID: …`, `**Generated**:
//! …`, `Total Phases: 11`: a short label and a colon). The first paragraph is the
//! first run of other lines; when the document has none before its first list, the
//! first list (a `Purpose` section written as bullets) is the lead instead.

use regex::Regex;
use std::sync::LazyLock;

/// The longest abstract shown whole, in characters; a longer one is cut at a word
/// boundary with `…` ([`cut`]).
pub const ABSTRACT_CHARS: usize = 600;

/// A lead found in a document: its markdown and its 1-based first line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lead {
    /// The paragraph (or list) as markdown, lines joined by `\n`.
    pub markdown: String,
    /// 1-based line where it starts.
    pub line: u32,
}

fn is_metadata(line: &str) -> bool {
    static RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(?:[-*+]\s+)?\*{0,2}[A-Za-z][A-Za-z0-9 /()_-]{0,40}(?::\*{0,2}|\*{0,2}:)(?:\s|$)")
            .expect("valid regex")
    });
    RE.is_match(line.trim())
}

fn is_list(line: &str) -> bool {
    static RE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^\s*(?:[-*+]|[0-9]+[.)])\s+\S").expect("valid regex"));
    RE.is_match(line)
}

/// The lead of a markdown document (see the module docs), or `None` when it has no
/// prose.
pub fn lead(text: &str) -> Option<Lead> {
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    // Front matter.
    if lines.first().is_some_and(|l| l.trim() == "---")
        && let Some(end) = lines.iter().skip(1).position(|l| l.trim() == "---")
    {
        i = end + 2;
    }
    let mut first_list: Option<Lead> = None;
    let mut in_fence: Option<&str> = None;
    let mut in_comment = false;
    while i < lines.len() {
        let line = lines[i];
        let t = line.trim();
        if let Some(f) = in_fence {
            if t.starts_with(f) {
                in_fence = None;
            }
            i += 1;
            continue;
        }
        if in_comment {
            in_comment = !t.contains("-->");
            i += 1;
            continue;
        }
        if t.starts_with("```") || t.starts_with("~~~") {
            in_fence = Some(&t[..3]);
            i += 1;
            continue;
        }
        if t.starts_with("<!--") {
            in_comment = !t.contains("-->");
            i += 1;
            continue;
        }
        let skip = t.is_empty()
            || t.starts_with('#')
            || t.starts_with('|')
            || t.starts_with('<')
            || t.chars().all(|c| matches!(c, '-' | '*' | '_' | '=' | ' '))
            || is_metadata(t);
        if skip {
            i += 1;
            continue;
        }
        // A run of lines up to a blank line or another block.
        let start = i;
        let list = is_list(line);
        let mut end = i;
        while end + 1 < lines.len() {
            let n = lines[end + 1].trim();
            let breaks = n.is_empty()
                || n.starts_with('#')
                || n.starts_with('|')
                || n.starts_with("```")
                || n.starts_with("~~~")
                || (!list && is_list(lines[end + 1]));
            if breaks {
                break;
            }
            end += 1;
        }
        let block: Vec<&str> = lines[start..=end].iter().copied().filter(|l| !is_metadata(l)).collect();
        let found = Lead { markdown: block.join("\n").trim().to_string(), line: start as u32 + 1 };
        i = end + 1;
        if found.markdown.is_empty() {
            continue;
        }
        if !list {
            return Some(found);
        }
        first_list.get_or_insert(found);
    }
    first_list
}

/// `text` cut to at most `max` characters at a word boundary, with `…` appended;
/// `None` when it is short enough already.
pub fn cut(text: &str, max: usize) -> Option<String> {
    if text.chars().count() <= max {
        return None;
    }
    let end = text.char_indices().nth(max).map_or(text.len(), |(i, _)| i);
    let head = &text[..end];
    let at = head.rfind(char::is_whitespace).filter(|&i| i > 0).unwrap_or(end);
    Some(format!("{}…", head[..at].trim_end()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lead_skips_headings_metadata_and_fences() {
        let text = "# Plan: X\n\nPlan ID: PLAN-1\nGenerated: 2025-10-23\n\n```\ncode\n```\n<!-- c -->\n| a | b |\n\nThis plan makes\nproviders stateless.\n\nSecond.\n";
        assert_eq!(
            lead(text),
            Some(Lead { markdown: "This plan makes\nproviders stateless.".into(), line: 12 })
        );
    }

    #[test]
    fn a_list_is_the_lead_only_when_no_paragraph_follows() {
        let text = "## Purpose\n- Harden providers.\n- Remove caches.\n\n## Next\n| t |\n";
        assert_eq!(lead(text).unwrap().markdown, "- Harden providers.\n- Remove caches.");
        let text = "- a list\n\nThen prose.\n";
        assert_eq!(lead(text).unwrap().markdown, "Then prose.");
        assert_eq!(lead("# Only\nPlan ID: X\n"), None);
    }

    #[test]
    fn long_text_is_cut_at_a_word() {
        assert_eq!(cut("short", 10), None);
        assert_eq!(cut("alpha beta gamma", 12).as_deref(), Some("alpha beta…"));
        assert_eq!(cut("éééééééééé", 4).as_deref(), Some("éééé…"));
    }
}
