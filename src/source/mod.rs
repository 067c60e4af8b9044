//! Code markers: finding every `@plan` / `@requirement` occurrence in a text file,
//! deciding which occurrences are traces, grouping them into traces and computing each
//! trace's excerpt range. Pure: [`scan`] takes a path and its text and does no I/O.
//!
//! How an occurrence is classified (see [`Placement`]):
//! - in a comment of the file's language (line, block, doc, `#`, HTML comments in
//!   markdown): a trace;
//! - in the title string of a test (`it('… @requirement:REQ-X …')`, `describe`,
//!   `test`, …): a deliberate verification trace;
//! - in any other string literal (`const PLAN_TAG = '@plan:…'`): counted, not a trace;
//! - in markdown outside HTML comments (prose, inline code, fences, quoted
//!   transcripts): counted as a mention, not a trace;
//! - in a file whose language tracemark does not know (logs, XML, JSON): counted as an
//!   artifact occurrence, not a trace.

pub mod excerpt;
pub mod lexer;
pub mod marker;
pub mod mention;

use crate::grammar::Grammar;
use serde::Serialize;

/// The comment and string syntax family of a file, chosen from its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Language {
    /// `//` and `/* */` comments; `'`, `"` and `` ` `` strings (TS, JS, Rust, Go, Java, C, …).
    CLike,
    /// `#` comments; `'`, `"` and triple-quoted strings (Python, shell, TOML, YAML, Ruby).
    Hash,
    /// Markdown: HTML comments, fences, inline code.
    Markdown,
    /// HTML / XML-like with `<!-- -->` comments used as source (`.html`, `.vue`, `.svelte`).
    Html,
    /// Any other text: logs, JSON, XML reports, extensionless files.
    Other,
}

impl Language {
    /// The language family for a path, by extension (case-insensitive).
    pub fn from_path(path: &str) -> Language {
        let name = path.rsplit('/').next().unwrap_or(path);
        let ext = match name.rsplit_once('.') {
            Some((stem, ext)) if !stem.is_empty() => ext.to_ascii_lowercase(),
            _ => return Language::Other,
        };
        match ext.as_str() {
            "ts" | "tsx" | "mts" | "cts" | "js" | "jsx" | "mjs" | "cjs" | "rs" | "go" | "java" | "kt"
            | "kts" | "scala" | "swift" | "c" | "h" | "cc" | "cpp" | "cxx" | "hpp" | "hh" | "cs" | "dart"
            | "groovy" | "gradle" | "php" | "css" | "scss" | "less" | "proto" | "zig" | "sol" | "jsonc" => {
                Language::CLike
            }
            "py" | "pyi" | "sh" | "bash" | "zsh" | "fish" | "toml" | "yaml" | "yml" | "rb" | "pl" | "pm"
            | "r" | "cmake" | "mk" | "ps1" | "nix" | "tf" | "hcl" | "ini" | "cfg" | "conf" | "properties" => {
                Language::Hash
            }
            "md" | "markdown" | "mdx" => Language::Markdown,
            "html" | "htm" | "vue" | "svelte" => Language::Html,
            _ => Language::Other,
        }
    }
}

/// Which tag a marker occurrence carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Tag {
    /// `@plan` (`@plan:PLAN-X.P05`, `@plan PLAN-X`).
    Plan,
    /// `@requirement` / `@requirements` (`@requirement:REQ-SP4-003`), and any extra
    /// requirement tags of `[kinds.requirement]`.
    Requirement,
    /// A tag of an item kind (`@task:T-001`, `@risk R-001`; `[kinds.<name>] tags`).
    Item,
}

/// Where a marker occurrence sits in its file; decides whether it is part of a trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Placement {
    /// In a comment of a source file (line, block, JSDoc, doc comment, `#`): a trace.
    Comment,
    /// In the title string of a test call (`it('…')`, `describe`, `test`): a trace.
    TestTitle,
    /// In an HTML comment of a markdown document (`<!-- @plan:… -->`): a trace.
    MarkdownComment,
    /// In another string literal (`const PLAN_TAG = '@plan:…'`): not a trace.
    StringLiteral,
    /// In markdown outside HTML comments (prose, inline code, fences, transcripts):
    /// a mention, not a trace.
    MarkdownText,
    /// In code outside comments and strings (rare: generated text): not a trace.
    Code,
    /// In a file of unknown kind (log, XML report, JSON): not a trace.
    Artifact,
}

impl Placement {
    /// Whether occurrences with this placement form traces.
    pub fn is_trace(self) -> bool {
        matches!(self, Placement::Comment | Placement::TestTitle | Placement::MarkdownComment)
    }
}

/// A reference to a plan, possibly with a phase: `PLAN-X.P05a` → plan `PLAN-X`,
/// phase `Some("P05a")` as written (ranges and lists such as `.P02-P05` or
/// `.P15,P16` are expanded into one `PlanRef` per phase).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct PlanRef {
    /// The plan ID as written (`PLAN-20251023-STATELESS-HARDENING`).
    pub plan: String,
    /// The phase as written (`P08`, `P04A`, `R9.P01`), if any.
    pub phase: Option<String>,
}

/// A reference to an item of a kind other than requirement and phase: `@task:T-001`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ItemRef {
    /// The kind's name (`task`).
    pub kind: String,
    /// The ID as written (`T-001`).
    pub id: String,
}

/// One value of a marker, read by the grammar of `docs/grammar.md` §6.2.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Value {
    /// A plan reference from an `@plan` tag.
    Plan(PlanRef),
    /// A requirement ID from an `@requirement` tag (ranges and suffix-only
    /// continuations already expanded: `REQ-1598-FL01, CL01` gives `REQ-1598-CL01`).
    Requirement {
        /// The requirement ID.
        id: String,
    },
    /// An item ID from an item kind's tag (`@task:T-001` gives kind `task`, ID
    /// `T-001`).
    Item(ItemRef),
    /// A value that is not an ID (`@plan:ISSUE-2376`, `@requirement Phase 3 - …`),
    /// kept verbatim so that nothing is dropped.
    Unresolved {
        /// The value as written, trimmed.
        text: String,
    },
}

/// One occurrence of `@plan` or `@requirement` in a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Marker {
    /// Which tag.
    pub tag: Tag,
    /// 1-based line of the `@`.
    pub line: u32,
    /// 1-based column (in bytes) of the `@`.
    pub column: u32,
    /// Where it sits.
    pub placement: Placement,
    /// The values the tag carries (at least one; a tag with nothing after it carries
    /// one `Unresolved` with empty text).
    pub values: Vec<Value>,
}

/// A trace: adjacent markers in one comment block (or one test title, or one HTML
/// comment) that together say "the code here implements / verifies plan + phase +
/// requirements".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trace {
    /// 1-based line of the first marker of the trace.
    pub line: u32,
    /// 1-based line of the last marker of the trace.
    pub end_line: u32,
    /// Comment, test title or markdown comment.
    pub placement: Placement,
    /// Plan references, in order of appearance, without duplicates.
    pub plans: Vec<PlanRef>,
    /// Requirement IDs, in order of appearance, without duplicates.
    pub requirements: Vec<String>,
    /// Item references (`@task:T-001`), in order of appearance, without duplicates.
    pub items: Vec<ItemRef>,
    /// Values that are not IDs, with their tag.
    pub unresolved: Vec<(Tag, String)>,
    /// The line of the marker that gave each reference, so that a finding about one
    /// reference points at its own marker rather than at the trace's first line.
    pub lines: ValueLines,
    /// The excerpt: the comment and the item it documents (see [`excerpt`]), at most
    /// the configured cap of shown lines.
    pub excerpt: Excerpt,
    /// The 1-based inclusive lines in which the trace's `@plan` names the plan of
    /// requirement references that name none: the whole item it documents, however
    /// long (not cut at the excerpt's cap), or the whole file for a comment at the head
    /// of a module (one followed by imports). Only set for traces that name a plan;
    /// otherwise the excerpt's span.
    pub scope: (u32, u32),
}

/// The lines of a file shown with a trace: one or more 1-based inclusive line ranges in
/// file order. Lines between two ranges are elided (a gap, shown as "⋯ N lines"); a
/// long doc comment between the marker lines and the item gives one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Excerpt {
    /// The ranges shown, ascending, neither overlapping nor adjacent; never empty.
    pub ranges: Vec<(u32, u32)>,
    /// Whether the item goes on after the last range: the cap (`excerpt_lines`) cut it.
    pub cut: bool,
}

impl Excerpt {
    /// One range `a..=b`, not cut.
    pub fn lines(a: u32, b: u32) -> Excerpt {
        Excerpt { ranges: vec![(a, b.max(a))], cut: false }
    }

    /// Ranges sorted, overlapping and adjacent ones joined (one line `(1, 1)` when
    /// empty).
    pub fn merged(mut ranges: Vec<(u32, u32)>, cut: bool) -> Excerpt {
        ranges.retain(|r| r.0 <= r.1);
        ranges.sort_unstable();
        let mut out: Vec<(u32, u32)> = Vec::with_capacity(ranges.len());
        for (a, b) in ranges {
            match out.last_mut() {
                Some(last) if a <= last.1.saturating_add(1) => last.1 = last.1.max(b),
                _ => out.push((a, b)),
            }
        }
        if out.is_empty() {
            out.push((1, 1));
        }
        Excerpt { ranges: out, cut }
    }

    /// The first and the last line shown.
    pub fn span(&self) -> (u32, u32) {
        let a = self.ranges.first().map_or(1, |r| r.0);
        (a, self.ranges.last().map_or(a, |r| r.1))
    }

    /// How many lines are shown.
    pub fn shown(&self) -> u32 {
        self.ranges.iter().map(|r| r.1 - r.0 + 1).sum()
    }
}

/// 1-based marker lines of a trace's references, parallel to [`Trace::plans`],
/// [`Trace::requirements`], [`Trace::items`] and [`Trace::unresolved`] (a reference
/// named twice keeps its first marker's line).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ValueLines {
    /// One line per plan reference.
    pub plans: Vec<u32>,
    /// One line per requirement ID.
    pub requirements: Vec<u32>,
    /// One line per item reference.
    pub items: Vec<u32>,
    /// One line per unresolved value.
    pub unresolved: Vec<u32>,
}

impl ValueLines {
    /// The line at `i` of `lines`, or `fallback` (the trace's first line) if absent.
    pub fn at(lines: &[u32], i: usize, fallback: u32) -> u32 {
        lines.get(i).copied().unwrap_or(fallback)
    }
}

/// Everything [`scan`] finds in one file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Scan {
    /// Every marker occurrence, in file order.
    pub markers: Vec<Marker>,
    /// The traces formed from the occurrences whose placement is a trace, in file order.
    pub traces: Vec<Trace>,
}

/// Scans one file's text for markers and traces. `path` is relative to the project root
/// and only chooses the language (see [`Language::from_path`]); `excerpt_cap` is the
/// largest excerpt in lines (default 40); `grammar` gives the item tags (`@task`) and
/// the requirement pattern. Never panics, whatever the input.
pub fn scan(path: &str, text: &str, excerpt_cap: u32, grammar: &Grammar) -> Scan {
    marker::scan(Language::from_path(path), text, excerpt_cap, grammar)
}

/// Whether a file's bytes can hold a marker at all: a fast pre-filter (`@plan`,
/// `@requirement` or a tag of the grammar, case-sensitive) so that only candidate files
/// are fully scanned.
pub fn may_contain_markers(text: &str, grammar: &Grammar) -> bool {
    let b = text.as_bytes();
    memchr::memmem::find(b, crate::grammar::tags::PLAN.as_bytes()).is_some()
        || memchr::memmem::find(b, crate::grammar::tags::REQUIREMENT.as_bytes()).is_some()
        || grammar.requirement_tags.iter().any(|t| memchr::memmem::find(b, t.as_bytes()).is_some())
        || grammar.item_tags().any(|(t, _)| memchr::memmem::find(b, t.as_bytes()).is_some())
}
