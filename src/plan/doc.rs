//! One input file prepared for parsing: its path relative to the plan folder, its
//! lines (LF or CRLF), the fence mask, its headings and its role in the plan.

use super::DocumentRole;
use super::phase::phase_from_file_name;
use super::tracker::record_phase;
use crate::text::{fenced_lines, lines};

/// A file of the folder with its text split for parsing.
#[derive(Debug)]
pub(crate) struct Doc<'a> {
    /// Path relative to the project root.
    pub(crate) path: &'a str,
    /// Path relative to the plan folder (the file name for a one-file plan).
    pub(crate) rel: String,
    /// The lines, without terminators.
    pub(crate) lines: Vec<&'a str>,
    /// For each line, whether it sits in a fenced code block.
    pub(crate) fenced: Vec<bool>,
    /// Whether the file is markdown (only markdown files are documents).
    pub(crate) markdown: bool,
    /// What the document is to its plan.
    pub(crate) role: DocumentRole,
    /// ATX headings outside fences: 0-based line index, level, text.
    pub(crate) headings: Vec<(usize, usize, String)>,
}

impl<'a> Doc<'a> {
    /// Prepares one file. `single` is true for a one-file plan.
    pub(crate) fn new(folder: &str, path: &'a str, text: &'a str, single: bool) -> Self {
        let rel = if single || path == folder {
            path.rsplit('/').next().unwrap_or(path).to_string()
        } else {
            path.strip_prefix(folder).map(|r| r.trim_start_matches('/')).unwrap_or(path).to_string()
        };
        let lines = lines(text);
        let markdown = is_markdown(path);
        let fenced = if markdown { fenced_lines(&lines) } else { vec![false; lines.len()] };
        let headings = if markdown { headings(&lines, &fenced) } else { Vec::new() };
        let role = role_of(&rel, single);
        Doc { path, rel, lines, fenced, markdown, role, headings }
    }

    /// The file name.
    pub(crate) fn name(&self) -> &str {
        self.rel.rsplit('/').next().unwrap_or(&self.rel)
    }

    /// The directory components of `rel` (empty at the folder root).
    pub(crate) fn dirs(&self) -> Vec<&str> {
        let mut parts: Vec<&str> = self.rel.split('/').collect();
        parts.pop();
        parts
    }

    /// The first H1's text (outside fences).
    pub(crate) fn h1(&self) -> Option<&str> {
        self.headings.iter().find(|h| h.1 == 1).map(|h| h.2.as_str())
    }

    /// The last line (0-based, exclusive) of the section opened by the heading at
    /// line index `at` of level `level`: the next heading of the same or higher level,
    /// else the end of the document.
    pub(crate) fn section_end(&self, at: usize, level: usize) -> usize {
        self.headings.iter().find(|h| h.0 > at && h.1 <= level).map(|h| h.0).unwrap_or(self.lines.len())
    }

    /// Whether the document lies in a directory of evidence (reports, reviews,
    /// completion records), whose content restates rather than defines.
    pub(crate) fn is_evidence(&self) -> bool {
        matches!(self.role, DocumentRole::CompletionRecord(_) | DocumentRole::Tracker)
            || self.dirs().iter().any(|d| {
                matches!(
                    d.to_ascii_lowercase().as_str(),
                    ".completed"
                        | "reports"
                        | "report"
                        | "reviews"
                        | "review"
                        | ".review-bundles"
                        | "evidence"
                )
            })
    }
}

/// Whether a path names a markdown file.
pub(crate) fn is_markdown(path: &str) -> bool {
    let p = path.to_ascii_lowercase();
    p.ends_with(".md") || p.ends_with(".markdown")
}

/// ATX headings (`## Title`, at most three spaces of indent) outside fences, with the
/// closing `#` run and surrounding emphasis-free whitespace removed.
pub(crate) fn headings(lines: &[&str], fenced: &[bool]) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if fenced[i] {
            continue;
        }
        if let Some((level, text)) = heading(line) {
            out.push((i, level, text.to_string()));
        }
    }
    out
}

/// Parses one ATX heading line into its level and text.
pub(crate) fn heading(line: &str) -> Option<(usize, &str)> {
    let t = line.trim_start_matches(' ');
    if line.len() - t.len() > 3 {
        return None;
    }
    let level = t.bytes().take_while(|&b| b == b'#').count();
    if level == 0 || level > 6 {
        return None;
    }
    let rest = &t[level..];
    if !rest.is_empty() && !rest.starts_with([' ', '\t']) {
        return None;
    }
    let mut text = rest.trim();
    // A closing sequence of `#` preceded by a space.
    let stripped = text.trim_end_matches('#');
    if stripped.len() < text.len() && (stripped.is_empty() || stripped.ends_with([' ', '\t'])) {
        text = stripped.trim_end();
    }
    Some((level, text))
}

/// The role of a file from its path relative to the plan folder.
pub(crate) fn role_of(rel: &str, single: bool) -> DocumentRole {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let lower = name.to_ascii_lowercase();
    let dirs: Vec<&str> = {
        let mut d: Vec<&str> = rel.split('/').collect();
        d.pop();
        d
    };
    if single {
        return DocumentRole::Overview;
    }
    if dirs.contains(&".completed") {
        return match record_phase(name) {
            Some(p) if is_markdown(name) => DocumentRole::CompletionRecord(p),
            _ => DocumentRole::Other,
        };
    }
    if lower == "execution-tracker.md" {
        return DocumentRole::Tracker;
    }
    if !is_markdown(name) {
        return DocumentRole::Other;
    }
    // spec-dev's working files (`.spec-dev/active-dev/`): the spec and the plan.
    if lower.starts_with("specification") || lower.starts_with("requirements") || lower == "active-spec.md" {
        return DocumentRole::Specification;
    }
    if lower == "active-plan.md" && dirs.is_empty() {
        return DocumentRole::Overview;
    }
    let parent = dirs.last().map(|d| d.to_ascii_lowercase());
    let phase_dir = matches!(parent.as_deref(), None | Some("plan") | Some("plans"));
    if phase_dir && let Some(p) = phase_from_file_name(name) {
        return DocumentRole::Phase(p);
    }
    if matches!(lower.as_str(), "plan.md" | "overview.md") && dirs.len() <= 1 {
        return DocumentRole::Overview;
    }
    DocumentRole::Other
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_roles() {
        assert_eq!(role_of("specification.md", false), DocumentRole::Specification);
        assert_eq!(role_of("requirements-v2.md", false), DocumentRole::Specification);
        assert_eq!(role_of("PLAN.md", false), DocumentRole::Overview);
        assert_eq!(role_of("overview.md", false), DocumentRole::Overview);
        assert_eq!(role_of("plan/00-overview.md", false), DocumentRole::Phase("P00".into()));
        assert_eq!(role_of("plan/05a-impl-verification.md", false), DocumentRole::Phase("P05a".into()));
        assert_eq!(role_of("sub/plan/P03-x.md", false), DocumentRole::Phase("P03".into()));
        assert_eq!(role_of("P00.5-preflight.md", false), DocumentRole::Phase("P00.5".into()));
        assert_eq!(role_of("analysis/pseudocode/001-x.md", false), DocumentRole::Other);
        assert_eq!(role_of(".completed/P05a.md", false), DocumentRole::CompletionRecord("P05a".into()));
        assert_eq!(role_of(".completed/README.md", false), DocumentRole::Other);
        assert_eq!(role_of("plan/execution-tracker.md", false), DocumentRole::Tracker);
        assert_eq!(role_of("issue-x.md", true), DocumentRole::Overview);
        assert_eq!(role_of("active-spec.md", false), DocumentRole::Specification);
        assert_eq!(role_of("active-plan.md", false), DocumentRole::Overview);
        assert_eq!(role_of("active-tasks.md", false), DocumentRole::Other);
    }

    #[test]
    fn reads_headings() {
        assert_eq!(heading("## Phase ID"), Some((2, "Phase ID")));
        assert_eq!(heading("### Title ###"), Some((3, "Title")));
        assert_eq!(heading("#hashtag"), None);
        assert_eq!(heading("    # code"), None);
        assert_eq!(heading("#"), Some((1, "")));
    }
}
