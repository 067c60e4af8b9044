//! Excerpt ranges: which lines of a file to show with a trace, without knowing the
//! language's grammar.
//!
//! A comment trace's excerpt is the comment and the item it documents:
//! 1. the code line is the comment's own line when code stands before the comment
//!    (`x: T; // @plan …`), else the line when code follows the comment's end, else
//!    the next line with code after the block (blank and comment-only lines skipped);
//! 2. from a code line after the comment, attribute and decorator lines (`#[…]`,
//!    `@name`, `@a.b(…)`, brackets balanced over lines), blank lines and further comment
//!    lines lead to the item's line (a line with code after its attribute, such as
//!    `#[test] fn f()`, is the item's line); inner attributes (`#![…]`) are not the item's;
//! 3. from the item's line brackets are counted in code regions only (`{` `(` `[`
//!    against their closers): once depth is back to zero at a line end, the statement
//!    ends there if a `{` was opened, or the line ends in `;` or `,`; a line ending in
//!    an operator (`=`, `=>`, `+`, `.`, `&&`, …), a decorator line, or a next line
//!    starting with `{` or `.` continues the statement, and so does a next line indented
//!    deeper unless the line ends in `:`; otherwise (Python, YAML, an interface field)
//!    the statement extends over the following lines indented deeper than its first
//!    line, blank lines allowed inside;
//! 4. a comment that is the first thing in the body of a function, a test callback or
//!    a control-flow block (`): T {`, `() => {`, `} else {`, a Python `def …:`) gives
//!    that whole block, from its signature (and attributes) to its end, unless the code
//!    after the comment is an item with a body of its own (a test at the top of a
//!    `describe`), which it then documents; a comment at the head of a module (before
//!    the imports, or after them with a blank line below it) gives the comment alone;
//! 5. a marker in a Python docstring that is the first statement of a `def` or `class`
//!    gives that item, from its first decorator to the end of its indented body;
//! 6. at most `cap` lines are shown. A longer excerpt keeps the marker lines, the
//!    item's start (the comment's first line, or the `def` and its decorators), short
//!    stretches of comment (up to three lines), the rest of the comment up to half the
//!    cap, then the item's code from its first attribute (cut at the cap, and marked
//!    cut), then more of the comment while lines remain; what is left out of a long doc comment becomes a gap ("⋯ N lines"), so an
//!    excerpt may have several ranges. A comment with no code after it gives the
//!    comment alone.
//!
//! A test title's excerpt is the call's statement from the line of the call. A markdown
//! HTML comment's excerpt is the comment's lines.

use super::lexer::{Kind, Lexed};
use super::{Excerpt, Language};

/// The text, its line starts and its regions, shared by the excerpt functions.
pub struct Ctx<'a> {
    /// The whole text.
    pub text: &'a str,
    /// [`crate::text::line_starts`] of the text.
    pub starts: &'a [usize],
    /// The lexed regions.
    pub lexed: &'a Lexed,
}

impl Ctx<'_> {
    fn lines(&self) -> u32 {
        self.starts.len() as u32
    }

    /// 1-based line of a byte offset.
    pub fn line_of(&self, offset: usize) -> u32 {
        crate::text::line_of(self.starts, offset).max(1)
    }

    /// Byte range of 1-based line `l`, without its terminator.
    fn line_range(&self, l: u32) -> (usize, usize) {
        let i = (l as usize).saturating_sub(1);
        let s = self.starts.get(i).copied().unwrap_or(self.text.len());
        let mut e = self.starts.get(i + 1).map_or(self.text.len(), |&n| n - 1);
        let b = self.text.as_bytes();
        if e > s && b[e - 1] == b'\r' {
            e -= 1;
        }
        (s, e.max(s))
    }

    fn line_text(&self, l: u32) -> &str {
        let (s, e) = self.line_range(l);
        &self.text[s..e]
    }

    fn is_blank(&self, l: u32) -> bool {
        self.line_text(l).trim().is_empty()
    }

    fn indent(&self, l: u32) -> usize {
        let t = self.line_text(l);
        t.len() - t.trim_start_matches([' ', '\t']).len()
    }

    /// Calls `f` with every byte of `[s, e)` that is in a region of kind `want`.
    fn each_byte(&self, s: usize, e: usize, want: impl Fn(Kind) -> bool, mut f: impl FnMut(u8)) {
        let b = self.text.as_bytes();
        let regions = &self.lexed.regions;
        let mut i = self.lexed.index_at(s).unwrap_or(regions.len());
        let mut at = s;
        if regions.is_empty() {
            b[s..e].iter().for_each(|&c| f(c));
            return;
        }
        while at < e && i < regions.len() {
            let r = regions[i];
            let to = r.end.min(e);
            if want(r.kind) {
                b[at..to].iter().for_each(|&c| f(c));
            }
            at = to;
            i += 1;
        }
    }

    /// Whether `[s, e)` holds a non-whitespace byte outside comments.
    fn has_code(&self, s: usize, e: usize) -> bool {
        let mut found = false;
        self.each_byte(s, e, |k| !matches!(k, Kind::Comment { .. }), |c| found |= !c.is_ascii_whitespace());
        found
    }

    fn line_has_code(&self, l: u32) -> bool {
        let (s, e) = self.line_range(l);
        self.has_code(s, e)
    }

    /// The last line of the statement starting on line `first`, at most `max`.
    fn statement_end(&self, first: u32, max: u32) -> u32 {
        let mut depth: i64 = 0;
        let mut braced = false;
        let mut l = first;
        while l <= max {
            let (s, e) = self.line_range(l);
            let mut last = [0u8; 2];
            let mut closed_outer = false;
            self.each_byte(
                s,
                e,
                |k| k == Kind::Code,
                |c| {
                    if closed_outer {
                        return;
                    }
                    match c {
                        b'{' => {
                            depth += 1;
                            braced = true;
                        }
                        b'(' | b'[' => depth += 1,
                        b'}' | b')' | b']' => {
                            depth -= 1;
                            if depth < 0 {
                                closed_outer = true;
                            }
                        }
                        _ => {}
                    }
                    if !c.is_ascii_whitespace() {
                        last = [last[1], c];
                    }
                },
            );
            if closed_outer {
                return l;
            }
            if depth > 0 || last == [0, 0] {
                l += 1;
                continue;
            }
            if braced || matches!(last[1], b';' | b',') {
                return l;
            }
            let continues = matches!(last[1], b'=' | b'+' | b'-' | b'*' | b'/' | b'&' | b'|' | b'?' | b'.')
                || last == *b"=>"
                || self.line_text(l).trim_start().starts_with('@');
            let next = (l + 1..=max.min(self.lines())).find(|&n| !self.is_blank(n));
            let next_opens = next.is_some_and(|n| {
                let t = self.line_text(n).trim_start();
                t.starts_with('{') || (t.starts_with('.') && !t.starts_with(".."))
            });
            // A header continued on deeper-indented lines (`class A\n  extends B\n{`);
            // a line ending in `:` opens an indented block instead (Python, YAML).
            let next_deeper = last[1] != b':' && next.is_some_and(|n| self.indent(n) > self.indent(l));
            // A C return type on a line of its own (GNU style: `static int` over
            // `name (int a)` over `{`): the function's name and body follow.
            let return_type = next.is_some_and(|n| {
                n == l + 1
                    && self.indent(n) == self.indent(l)
                    && is_type_words(self.line_text(l).trim())
                    && starts_like_a_call(self.line_text(n).trim_start())
            });
            if continues || next_opens || next_deeper || return_type {
                l += 1;
                continue;
            }
            return self.indented_end(first, l, max);
        }
        max
    }

    /// Whether the comment on lines `start..=last` heads its module: before it only
    /// comments, blank lines, imports and directives (`'use strict'`, a shebang), and
    /// the first code after it an import.
    ///
    /// A comment after the imports that stands apart from the code below it (a blank
    /// line follows it) heads the module too: it documents the file, not the
    /// declaration further down; one directly above a further import documents that
    /// import.
    fn is_module_head(&self, start: u32, last: u32) -> bool {
        let directive = |l: u32| {
            let t = self.line_text(l).trim();
            t.starts_with("#!")
                || matches!(
                    t.trim_end_matches(';'),
                    "'use strict'" | "\"use strict\"" | "'use client'" | "\"use client\""
                )
        };
        // Every code line before the comment belongs to an import (one spread over
        // lines, `import {\n  a,\n} from 'x';`, included) or is a directive.
        let mut imports = false;
        let mut l = 1;
        while l < start {
            if !self.line_has_code(l) || directive(l) {
                l += 1;
                continue;
            }
            if !self.is_import(l) {
                return false;
            }
            imports = true;
            l = self.statement_end(l, start - 1).max(l) + 1;
        }
        let next = (last + 1..=self.lines()).find(|&l| self.line_has_code(l));
        // Among the imports, a comment directly above an import documents that import.
        next.is_some_and(
            |l| if imports { l > last + 1 && self.is_blank(last + 1) } else { self.is_import(l) },
        )
    }

    /// When the comment on lines `start..=last` is the first thing in the body of a
    /// function, a test callback or a control-flow block (the code line before it opens
    /// that body: `): void {`, `() => {`, `} else {`; in Python a `def …:`), the lines of
    /// that whole block: its first line (attributes and decorators above it included)
    /// and its last. `None` otherwise, and when the code after the comment is itself an
    /// item with a body (a test in a `describe`, a method at the top of a class): the
    /// comment documents that item.
    fn enclosing_block(
        &self,
        lang: Language,
        start: u32,
        last: u32,
        item: u32,
        n: u32,
    ) -> Option<(u32, u32)> {
        let prev = (1..start).rev().find(|&l| self.line_has_code(l))?;
        let (ps, pe) = self.line_range(prev);
        let mut code = Vec::new();
        self.each_byte(ps, pe, |k| k == Kind::Code, |c| code.push(c));
        let code = String::from_utf8_lossy(&code);
        let code = code.trim();
        if lang == Language::Hash {
            let (first, def) = self.docstring_owner(start)?;
            let t = self.line_text(def).trim_start();
            let item_text = self.line_text(item).trim_start();
            if !(t.starts_with("def ") || t.starts_with("async def "))
                || ["def ", "async def ", "class ", "@"].iter().any(|w| item_text.starts_with(w))
            {
                return None;
            }
            return Some((first, self.indented_end(def, last, n)));
        }
        let head = code.strip_suffix('{')?.trim_end();
        let word = head.rsplit(|c: char| !c.is_ascii_alphanumeric() && c != '_').next().unwrap_or("");
        let return_type = head.rfind(')').is_some_and(|i| {
            let after = head[i + 1..].trim_start();
            after.starts_with("->") || after.starts_with(':')
        });
        let opens_body = head.ends_with(')')
            || head.ends_with("=>")
            || return_type
            || matches!(word, "else" | "try" | "finally" | "do" | "loop" | "unsafe" | "defer");
        if !opens_body {
            return None;
        }
        // The documented statement is an item with a body of its own (a test, a
        // nested function or class): the comment is its. A plain statement that opens
        // braces (`await run({ … })`, `const x = {`) is part of the block.
        if self.declares_item(item) {
            return None;
        }
        // A signature spread over lines (`export function f(\n  a,\n): T {`) starts at
        // the line above at the same indent that does not start with a closer.
        let base = self.indent(prev);
        let mut first = prev;
        if self.line_text(prev).trim_start().starts_with([')', ']', '}'])
            && let Some(l) = (prev.saturating_sub(200).max(1)..prev).rev().find(|&l| {
                let t = self.line_text(l).trim_start();
                !t.is_empty() && self.indent(l) == base && !t.starts_with([')', ']', '}'])
            })
        {
            first = l;
        }
        let end = self.statement_end(first, first.saturating_add(UNCAPPED).min(n)).max(last);
        while first > 1 {
            let t = self.line_text(first - 1).trim_start();
            if self.indent(first - 1) == base && (t.starts_with("#[") || t.starts_with('@')) {
                first -= 1;
            } else {
                break;
            }
        }
        Some((first, end))
    }

    /// Whether line `l` starts an import of a module: `import …` (TypeScript, Java,
    /// Python, Go), `from x import y`, `use …;` (Rust, PHP), `package x`, `#include`,
    /// `require(…)` / `const x = require(…)`, `using X;`, `extern crate`.
    fn is_import(&self, l: u32) -> bool {
        let t = self.line_text(l).trim_start();
        let word =
            |w: &str| t.strip_prefix(w).is_some_and(|r| r.starts_with([' ', '\t', '{', '*', '(', '"', '\'']));
        [
            "import",
            "from",
            "use",
            "pub use",
            "package",
            "using",
            "extern crate",
            "#include",
            "#import",
            "require",
        ]
        .iter()
        .any(|w| word(w))
            || (t.starts_with("const ") || t.starts_with("var ") || t.starts_with("let "))
                && t.contains("= require(")
    }

    /// Whether line `l` starts an item with a body of its own: a test or suite call
    /// (`it(`, `test.each(`, `describe(`, `beforeEach(`), a function, class, method or
    /// type declaration (`function`, `class`, `fn`, `def`, `func`, `impl`, `interface`,
    /// with their modifiers), an attribute or decorator, or a named arrow function
    /// (`const f = async (a) => {`).
    fn declares_item(&self, l: u32) -> bool {
        const CALLS: [&str; 9] = [
            "it",
            "test",
            "describe",
            "suite",
            "context",
            "beforeEach",
            "afterEach",
            "beforeAll",
            "afterAll",
        ];
        const WORDS: [&str; 23] = [
            "function",
            "class",
            "fn",
            "def",
            "func",
            "impl",
            "interface",
            "struct",
            "enum",
            "trait",
            "type",
            "export",
            "pub",
            "public",
            "private",
            "protected",
            "static",
            "async",
            "abstract",
            "override",
            "mod",
            "namespace",
            "module",
        ];
        let t = self.line_text(l).trim_start();
        if t.starts_with('@') || t.starts_with("#[") {
            return true;
        }
        let word_end =
            t.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$')).unwrap_or(t.len());
        let (word, rest) = t.split_at(word_end);
        if CALLS.contains(&word) && (rest.starts_with('(') || rest.starts_with('.')) {
            return true;
        }
        if WORDS.contains(&word) && rest.starts_with([' ', '\t', '*', '<', '(']) {
            return true;
        }
        // `const f = (a) => {`, `let g = async function (`.
        matches!(word, "const" | "let" | "var")
            && t.split_once('=').is_some_and(|(_, v)| {
                let v = v.trim_start().trim_start_matches("async").trim_start();
                v.starts_with("function") || (v.starts_with('(') && t.contains("=>"))
            })
    }

    /// Extends from line `l` over following lines indented deeper than line `first`.
    fn indented_end(&self, first: u32, l: u32, max: u32) -> u32 {
        let base = self.indent(first);
        let mut end = l;
        let mut n = l + 1;
        while n <= max.min(self.lines()) {
            if self.is_blank(n) {
                n += 1;
                continue;
            }
            if self.indent(n) <= base {
                break;
            }
            end = n;
            n += 1;
        }
        end
    }
}

impl Ctx<'_> {
    /// The first line of the item a comment documents: from the comment's code line
    /// `from`, attribute and decorator lines (`#[derive(…)]`, a multi-line
    /// `#[cfg_attr(…)]`, `@Injectable()`, `@pytest.mark.x(…)`, `@Test`), blank lines and
    /// comment-only lines are stepped over, at most up to line `max`. The item line is
    /// the first line that is none of those, or an attribute line with code after the
    /// attribute (`#[test] fn f()`, `@Test fun f()`); `None` when nothing follows.
    fn item_line(&self, from: u32, max: u32) -> Option<u32> {
        let max = max.min(self.lines());
        let mut l = from;
        while l <= max {
            if self.is_blank(l) || !self.line_has_code(l) {
                l += 1;
                continue;
            }
            let (s, e) = self.line_range(l);
            let t = &self.text[s..e];
            let p = s + (t.len() - t.trim_start().len());
            let Some(after) = self.attribute_end(p, max) else { return Some(l) };
            let end_line = self.line_of(after.saturating_sub(1).max(p));
            let (_, le) = self.line_range(end_line);
            if after < le && self.has_code(after, le) {
                return Some(end_line);
            }
            l = end_line + 1;
        }
        None
    }

    /// If an attribute or decorator starts at byte `p` (`#[…]`, `@name`, `@a.b(…)`),
    /// the offset just past it (brackets balanced in code, at most up to line `max`).
    fn attribute_end(&self, p: usize, max: u32) -> Option<usize> {
        let b = self.text.as_bytes();
        let limit = self.line_range(max).1.max(p);
        let open = if b[p..].starts_with(b"#[") {
            p + 1
        } else if b.get(p) == Some(&b'@')
            && b.get(p + 1).is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
        {
            let mut i = p + 1;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'_' | b'.' | b'$')) {
                i += 1;
            }
            let mut j = i;
            while j < b.len() && matches!(b[j], b' ' | b'\t') {
                j += 1;
            }
            if b.get(j) != Some(&b'(') {
                return Some(i);
            }
            j
        } else {
            return None;
        };
        // Balance brackets from `open`, counting only those in code.
        let mut depth = 0i64;
        let mut at = open;
        let mut end = None;
        while at < limit && end.is_none() {
            let (to, code) = match self.lexed.index_at(at) {
                Some(ri) => {
                    let r = self.lexed.regions[ri];
                    (r.end.min(limit), r.kind == Kind::Code)
                }
                None => (limit, true),
            };
            if code {
                for (k, &c) in b[at..to].iter().enumerate() {
                    match c {
                        b'(' | b'[' | b'{' => depth += 1,
                        b')' | b']' | b'}' => {
                            depth -= 1;
                            if depth <= 0 {
                                end = Some(at + k + 1);
                                break;
                            }
                        }
                        _ => {}
                    }
                }
            }
            at = to.max(at + 1);
        }
        Some(end.unwrap_or(limit))
    }

    /// For a docstring on line `doc` (Python), the `def` or `class` it documents (the
    /// docstring is the body's first statement): (its first line, decorators included;
    /// the `def` / `class` line).
    fn docstring_owner(&self, doc: u32) -> Option<(u32, u32)> {
        let doc_indent = self.indent(doc);
        let prev = (1..doc).rev().take(40).find(|&l| !self.is_blank(l))?;
        let (s, e) = self.line_range(prev);
        let mut last = 0u8;
        self.each_byte(
            s,
            e,
            |k| k == Kind::Code,
            |c| {
                if !c.is_ascii_whitespace() {
                    last = c;
                }
            },
        );
        if last != b':' {
            return None;
        }
        let def = (1..=prev)
            .rev()
            .take(40)
            .find(|&l| {
                // Over a multi-line signature: its parameter lines and its `):` line.
                let t = self.line_text(l).trim_start();
                !t.is_empty() && self.indent(l) < doc_indent && !t.starts_with([')', ']'])
            })
            .filter(|&l| {
                let t = self.line_text(l).trim_start();
                t.starts_with("def ") || t.starts_with("async def ") || t.starts_with("class ")
            })?;
        let base = self.indent(def);
        let mut first = def;
        while first > 1 {
            let p = first - 1;
            if self.is_blank(p) || self.indent(p) != base {
                break;
            }
            let t = self.line_text(p).trim_start();
            if t.starts_with('@') {
                first = p;
                continue;
            }
            if !(t.starts_with(')') || t.starts_with(']')) {
                break;
            }
            // The last line of a multi-line decorator: its `@` line above.
            match (p.saturating_sub(40).max(1)..p)
                .rev()
                .find(|&q| !self.is_blank(q) && self.indent(q) == base)
                .filter(|&q| self.line_text(q).trim_start().starts_with('@'))
            {
                Some(q) => first = q,
                None => break,
            }
        }
        Some((first, def))
    }
}

/// A stretch of comment this short (in lines) is never elided before the code.
const SHORT: u32 = 3;

/// Lays out an excerpt spanning lines `lo..=hi` within `cap` shown lines. When the span
/// is longer, the marker lines `m0..=m1` are kept first, then the item's start
/// `lo..=sig` (the comment's first line, or a `def` with its decorators), short
/// stretches of comment, the comment's other lines up to half the cap, then the code
/// from line `code` on (cut at the cap), then the rest of the comment while lines
/// remain; the lines left out become gaps.
/// Whether a line holds only the words of a type (`static int`, `const char *`,
/// `struct node *`, `unsigned long long`): identifiers, `*`, `&`, `::` and spaces.
fn is_type_words(t: &str) -> bool {
    t.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && t.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | ' ' | '\t' | '*' | '&' | ':'))
}

/// Whether a line starts with a name and its opening parenthesis (`compute (int a)`,
/// `*make_node(void)`, `ns::f(`).
fn starts_like_a_call(t: &str) -> bool {
    let t = t.trim_start_matches(['*', '&']);
    let name =
        t.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | ':' | '~'))).unwrap_or(t.len());
    name > 0
        && t[..name].starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && !matches!(
            &t[..name],
            "import" | "if" | "for" | "while" | "switch" | "return" | "sizeof" | "var" | "const"
        )
        && t[name..].trim_start().starts_with('(')
}

fn layout(lo: u32, sig: u32, (m0, m1): (u32, u32), code: u32, hi: u32, cap: u32) -> Excerpt {
    let cap = cap.max(1);
    let hi = hi.max(lo);
    let m0 = m0.clamp(lo, hi);
    let m1 = m1.clamp(m0, hi);
    if hi - lo < cap {
        return Excerpt { ranges: vec![(lo, hi)], cut: false };
    }
    let code = code.max(m1 + 1);
    let mut kept: Vec<(u32, u32)> = Vec::new();
    let mut budget = cap;
    // Keeps up to the budget of `a..=b`; returns the last line kept.
    fn take(a: u32, b: u32, budget: &mut u32, kept: &mut Vec<(u32, u32)>) -> Option<u32> {
        if *budget == 0 || a > b {
            return None;
        }
        let e = b.min(a + *budget - 1);
        *budget -= e - a + 1;
        kept.push((a, e));
        Some(e)
    }
    // Short stretches of comment (a summary line, a closing `*/`) are kept before the
    // code: eliding them would save nothing.
    let short = |a: u32, b: u32| b < a || b - a < SHORT;
    let (before, after) = ((sig.max(lo) + 1, m0 - 1), (m1 + 1, code - 1));
    take(m0, m1, &mut budget, &mut kept);
    take(lo, sig.min(m0 - 1), &mut budget, &mut kept);
    for (a, b) in [before, after] {
        if short(a, b) {
            take(a, b, &mut budget, &mut kept);
        }
    }
    // The comment keeps up to half the cap (a comment that short is kept whole), so
    // that a long item does not push out the description above it.
    let mut comment = (cap / 2).saturating_sub(cap - budget);
    let mut rest: Vec<(u32, u32)> = [before, after].into_iter().filter(|&(a, b)| !short(a, b)).collect();
    for r in &mut rest {
        let n = comment.min(r.1.saturating_add(1).saturating_sub(r.0));
        if n > 0 {
            take(r.0, r.0 + n - 1, &mut budget, &mut kept);
            comment -= n;
            r.0 += n;
        }
    }
    let code_end = take(code, hi, &mut budget, &mut kept);
    for (a, b) in rest {
        take(a, b, &mut budget, &mut kept);
    }
    let cut = code <= hi && code_end.is_none_or(|e| e < hi);
    Excerpt::merged(kept, cut)
}

/// The excerpt of a trace whose markers stand on lines `m0..=m1` of the comment block
/// `[s, e)` (byte range) in a file of language `lang`: the comment and the item it
/// documents (see the module docs).
pub fn for_comment(
    ctx: &Ctx<'_>,
    lang: Language,
    (s, e): (usize, usize),
    markers: (u32, u32),
    cap: u32,
) -> Excerpt {
    let cap = cap.max(1);
    let start = ctx.line_of(s);
    let last = ctx.line_of(e.saturating_sub(1).max(s)).max(start);
    let n = ctx.lines().max(last);
    let (ls, _) = ctx.line_range(start);
    let docstring = ctx.text.get(s..).is_some_and(|t| t.starts_with("\"\"\"") || t.starts_with("'''"));
    if lang == Language::Hash
        && docstring
        && !ctx.has_code(ls, s)
        && let Some((first, def)) = ctx.docstring_owner(start)
    {
        let hi = ctx.indented_end(def, last, last.saturating_add(cap).min(n));
        return layout(first, start.saturating_sub(1).max(first), markers, last + 1, hi, cap);
    }
    let (_, le) = ctx.line_range(last);
    let search = last.saturating_add(cap).min(n);
    let code_line = if ctx.has_code(ls, s) {
        Some(start)
    } else if e < le && ctx.has_code(e, le) {
        Some(last)
    } else {
        (last + 1..=search).find(|&l| ctx.line_has_code(l))
    };
    let (code, hi) = match code_line {
        // A comment at the head of a module, followed by its imports, documents the
        // file: it is shown alone.
        Some(l) if l > last && ctx.is_module_head(start, last) => (last + 1, last),
        Some(l) => {
            let item = if l > last { ctx.item_line(l, search) } else { Some(l) };
            // A comment at the top of a body documents the whole block.
            if l > last
                && let Some(i) = item
                && let Some((lo, hi)) = ctx.enclosing_block(lang, start, last, i, n)
            {
                return layout(lo, lo, markers, last + 1, hi, cap);
            }
            let hi = match item {
                Some(i) => ctx.statement_end(i, i.saturating_add(cap).min(n)),
                // Attributes with nothing after them.
                None => (l..=search).rev().find(|&x| ctx.line_has_code(x)).unwrap_or(l),
            };
            (l, hi.max(last))
        }
        None => (last + 1, last),
    };
    layout(start, start, markers, code, hi, cap)
}

/// A cap larger than any file: with it an excerpt is the item's whole extent.
pub const UNCAPPED: u32 = 1 << 24;

/// The lines the `@plan` of a comment covers for references that name no plan (see
/// [`super::Trace::scope`]): the whole file when the comment heads a module (the code
/// after it is an import), or when it names only plans (`plan_only`: no requirement or
/// item) and stands apart at the top level (unindented, a blank line after it), else
/// the comment and its item's whole extent.
pub fn comment_scope(
    ctx: &Ctx<'_>,
    lang: Language,
    (s, e): (usize, usize),
    markers: (u32, u32),
    plan_only: bool,
) -> (u32, u32) {
    let start = ctx.line_of(s);
    let last = ctx.line_of(e.saturating_sub(1).max(s)).max(start);
    let (ls, _) = ctx.line_range(start);
    let apart = plan_only && ctx.indent(start) == 0 && last < ctx.lines() && ctx.is_blank(last + 1);
    if !ctx.has_code(ls, s) && (apart || ctx.is_module_head(start, last)) {
        return (1, ctx.lines().max(1));
    }
    for_comment(ctx, lang, (s, e), markers, UNCAPPED).span()
}

/// The excerpt of a test title: the call's statement from the call's line.
pub fn for_call(ctx: &Ctx<'_>, call: usize, cap: u32) -> Excerpt {
    let start = ctx.line_of(call);
    let cap = cap.max(1);
    let bound = start.saturating_add(cap).min(ctx.lines().max(start));
    let end = ctx.statement_end(start, bound).max(start);
    layout(start, start, (start, start), start + 1, end, cap)
}

/// The excerpt of a markdown HTML comment `[s, e)`: its own lines.
pub fn for_markdown_comment(ctx: &Ctx<'_>, s: usize, e: usize, cap: u32) -> Excerpt {
    let start = ctx.line_of(s);
    let last = ctx.line_of(e.saturating_sub(1).max(s)).max(start);
    let shown = last.min(start.saturating_add(cap.max(1) - 1));
    Excerpt { ranges: vec![(start, shown)], cut: shown < last }
}

#[cfg(test)]
mod tests {
    use crate::source::Excerpt;

    /// The excerpt of every trace of a scan.
    fn scan(path: &str, text: &str, cap: u32) -> Vec<Excerpt> {
        crate::source::scan(path, text, cap, &crate::grammar::Grammar::default())
            .traces
            .into_iter()
            .map(|t| t.excerpt)
            .collect()
    }

    /// The span of every trace's excerpt, for excerpts of one range (asserted).
    fn excerpts(path: &str, text: &str, cap: u32) -> Vec<(u32, u32)> {
        scan(path, text, cap)
            .iter()
            .map(|e| {
                assert_eq!(e.ranges.len(), 1, "{e:?}");
                e.span()
            })
            .collect()
    }

    #[test]
    fn braced_function() {
        let text = "import x from 'y';\n\n/**\n * Does it.\n * @plan PLAN-A.P05\n * @requirement REQ-1\n */\nexport async function f(\n  a: string,\n  b: number,\n): Promise<void> {\n  if (a) {\n    return;\n  }\n  const s = '}'; // }\n}\n\nconst after = 1;\n";
        assert_eq!(excerpts("a.ts", text, 40), vec![(3, 16)]);
    }

    #[test]
    fn c_return_type_on_its_own_line() {
        let text = "/*\n * @plan PLAN-A.P01\n */\nstatic struct node *\nmake_node (int key,\n           int value)\n{\n  return 0;\n}\n\nint other;\n";
        assert_eq!(excerpts("a.c", text, 40), vec![(1, 9)]);
        // A plain statement followed by a call is not a function.
        let text = "// @plan PLAN-A.P02\nint counter = 0;\nreset(counter);\n";
        assert_eq!(excerpts("a.c", text, 40), vec![(1, 2)]);
        // Nor a Go package clause: its comment heads the module and is shown alone.
        let text = "// @plan PLAN-A.P03\npackage quota\nimport (\n\t\"time\"\n)\n";
        assert_eq!(excerpts("a.go", text, 40), vec![(1, 1)]);
    }

    #[test]
    fn a_module_head_comment_is_shown_alone() {
        let text = "// Copyright 2026\n\n/**\n * Widget sizing.\n * @plan PLAN-A.P01\n */\n\nimport { a } from './a';\nimport { b } from './b';\n\nexport function size(): number {\n  return a + b;\n}\n";
        assert_eq!(excerpts("a.ts", text, 40), vec![(3, 6)]);
        // A comment above an import further down documents that import.
        let text =
            "import { a } from './a';\nexport const x = 1;\n// @plan PLAN-A.P01\nimport { b } from './b';\n";
        assert_eq!(excerpts("a.ts", text, 40), vec![(3, 4)]);
    }

    #[test]
    fn a_comment_at_the_top_of_a_body_documents_the_block() {
        // A function whose body opens with the markers: the whole function, its
        // multi-line signature included.
        let text = "export function register(\n  host: Host,\n): void {\n  // @plan PLAN-A.P03\n  // @requirement REQ-1\n  const r = host.get();\n\n  if (r === undefined) {\n    return;\n  }\n  use(r);\n}\n\nconst after = 1;\n";
        assert_eq!(excerpts("a.ts", text, 40), vec![(1, 12)]);
        // A test callback; a control-flow block.
        let text = "describe('x', () => {\n  it('works', async () => {\n    // @plan PLAN-A.P01\n    const a = f();\n    expect(a).toBe(1);\n  });\n});\n";
        assert_eq!(excerpts("a.test.ts", text, 40), vec![(2, 6)]);
        let text = "function f() {\n  x();\n  if (entry) {\n    // @plan PLAN-A.P01\n    const s = entry.s;\n    use(s);\n  }\n}\n";
        assert_eq!(excerpts("a.ts", text, 40), vec![(3, 7)]);
        // Rust: the attributes above the function come with it.
        let text =
            "#[test]\nfn parses() {\n    // @plan PLAN-A.P01\n    let x = parse();\n    assert!(x);\n}\n";
        assert_eq!(excerpts("a.rs", text, 40), vec![(1, 6)]);
        // Python: the def and its decorators.
        let text = "@fixture\ndef test_a():\n    # @plan PLAN-A.P01\n    x = 1\n    assert x\n\n\ndef other():\n    pass\n";
        assert_eq!(excerpts("a.py", text, 40), vec![(1, 5)]);
    }

    #[test]
    fn a_statement_opening_braces_stays_part_of_the_block() {
        let text = "it('returns the token', async () => {\n  // @requirement R10.1\n  await withServer({\n    a: 1,\n  }, async () => {\n    check();\n  });\n});\n";
        assert_eq!(excerpts("a.test.ts", text, 40), vec![(1, 8)]);
        // A named arrow function or a nested function is an item of its own.
        let text = "function f() {\n  // @plan PLAN-A.P01\n  const g = async (a) => {\n    return a;\n  };\n  g(1);\n}\n";
        assert_eq!(excerpts("a.ts", text, 40), vec![(2, 5)]);
    }

    #[test]
    fn a_plan_only_comment_standing_apart_at_the_top_level_scopes_the_file() {
        let text = "import { a } from './a';\n\nconst isWindows = false;\n\n/** @plan:PLAN-A.P31 */\n\nclass Store {\n  x = 1;\n}\n\nit('works', () => {\n  // @requirement R10.1\n  run();\n});\n";
        let scan = crate::source::scan("a.test.ts", text, 40, &crate::grammar::Grammar::default());
        let scopes: Vec<(u32, (u32, u32))> = scan.traces.iter().map(|t| (t.line, t.scope)).collect();
        assert_eq!(scopes[0], (5, (1, 14)), "{scopes:?}");
        // With a requirement, or set in a block, it covers its item only.
        let text = "const x = 1;\n\n/** @plan:PLAN-A.P31 @requirement R1 */\n\nclass Store {\n  x = 1;\n}\nconst y = 2;\n";
        let scan = crate::source::scan("a.ts", text, 40, &crate::grammar::Grammar::default());
        assert_eq!(scan.traces[0].scope, (3, 7));
    }

    #[test]
    fn a_comment_at_the_top_of_a_body_before_an_item_documents_the_item() {
        // A test at the top of a `describe`: the test, not the `describe`.
        let text = "describe('x', () => {\n  /** @plan PLAN-A.P01 */\n  it('works', () => {\n    expect(1).toBe(1);\n  });\n\n  it('other', () => {});\n});\n";
        assert_eq!(excerpts("a.test.ts", text, 40), vec![(2, 5)]);
        // A field at the top of a class or an interface; an entry of an object.
        let text = "class A {\n  // @plan PLAN-A.P01\n  private x = 1;\n  y = 2;\n}\n";
        assert_eq!(excerpts("a.ts", text, 40), vec![(2, 3)]);
        let text = "const handlers = {\n  // @plan PLAN-A.P01\n  a: () => 1,\n  b: () => 2,\n};\n";
        assert_eq!(excerpts("a.ts", text, 40), vec![(2, 3)]);
        // Python: a comment at the top of a class body documents the first member.
        let text = "class A:\n    # @plan PLAN-A.P01\n    x = 1\n    y = 2\n";
        assert_eq!(excerpts("a.py", text, 40), vec![(2, 3)]);
    }

    #[test]
    fn a_comment_after_the_imports_standing_apart_documents_the_file() {
        // After an import spread over lines, followed by a blank line: the file's.
        let text = "import {\n  a,\n  b,\n} from './types.js';\n\n/**\n * The bridge.\n * @plan PLAN-A.P15\n */\n\nconst fns = {\n  a,\n};\n";
        assert_eq!(excerpts("a.ts", text, 40), vec![(6, 9)]);
        // Between two groups of imports.
        let text = "import { a } from './a.js';\n/**\n * @plan PLAN-A.P33\n */\n\nimport { b } from './b.js';\nexport const c = a + b;\n";
        assert_eq!(excerpts("a.ts", text, 40), vec![(2, 4)]);
        // Directly above a further import: that import's.
        let text = "import {\n  a,\n} from './a.js';\n// @plan PLAN-A.P04\nimport {\n  b,\n} from './b.js';\n\nexport const c = a + b;\n";
        assert_eq!(excerpts("a.ts", text, 40), vec![(4, 7)]);
        // Directly above a declaration, it documents the declaration.
        let text = "import {\n  a,\n} from './a.js';\n\n/** @plan PLAN-A.P01 */\nexport const c = a;\nexport const d = 1;\n";
        assert_eq!(excerpts("a.ts", text, 40), vec![(5, 6)]);
    }

    #[test]
    fn class_with_decorator_and_blank_line() {
        let text = "// @plan PLAN-A.P01\n\n@Injectable()\nexport class A\n  extends B\n{\n  x = `${1}}`;\n}\nfoo();\n";
        assert_eq!(excerpts("a.ts", text, 40), vec![(1, 8)]);
    }

    #[test]
    fn python_def_by_indentation() {
        let text = "# @plan PLAN-A.P01\n# @requirement REQ-1\ndef f(\n    a,\n):\n    x = {\n        'a': 1,\n    }\n\n    return x\n\n\ndef g():\n    pass\n";
        assert_eq!(excerpts("a.py", text, 40), vec![(1, 10)]);
    }

    #[test]
    fn one_line_declarations() {
        let text = "interface A {\n  /** @plan PLAN-A.P01 */\n  x: string;\n  // @plan PLAN-A.P02\n  y?: number\n  z: T;\n  w: T; // @plan PLAN-A.P03: trailing\n}\n";
        assert_eq!(excerpts("a.ts", text, 40), vec![(2, 3), (4, 5), (7, 7)]);
        // A Rust item.
        let text = "/// @plan PLAN-A.P01\npub const N: usize = 3;\n/// @plan PLAN-A.P02\nfn f<'a>(x: &'a str) -> &'a str {\n    x\n}\n";
        assert_eq!(excerpts("a.rs", text, 40), vec![(1, 2), (3, 6)]);
    }

    #[test]
    fn statement_continues_over_operators_and_chains() {
        let text = "// @plan PLAN-A.P01\nconst x =\n  a +\n  b;\n// @plan PLAN-A.P02\nconst y = z\n  .map(f)\n  .filter(g);\nnext();\n";
        assert_eq!(excerpts("a.ts", text, 40), vec![(1, 4), (5, 8)]);
    }

    #[test]
    fn capped_at_the_limit() {
        let body = "  x();\n".repeat(60);
        let text = format!("/**\n * @plan PLAN-A.P01\n */\nfunction f() {{\n{body}}}\n");
        assert_eq!(scan("a.ts", &text, 40), vec![Excerpt { ranges: vec![(1, 40)], cut: true }]);
        assert_eq!(scan("a.ts", &text, 5), vec![Excerpt { ranges: vec![(1, 5)], cut: true }]);
    }

    #[test]
    fn comment_at_end_of_file() {
        assert_eq!(excerpts("a.ts", "x();\n/**\n * @plan PLAN-A.P01\n */\n\n// other\n", 40), vec![(2, 4)]);
        assert_eq!(excerpts("a.ts", "// @plan PLAN-A.P01", 40), vec![(1, 1)]);
    }

    #[test]
    fn code_after_a_block_comment_on_its_line() {
        assert_eq!(
            excerpts("a.ts", "/* @plan PLAN-A.P01 */ foo({\n  a: 1,\n});\nbar();\n", 40),
            vec![(1, 3)]
        );
    }

    #[test]
    fn markdown_comment_lines_only() {
        let text = "# T\n<!--\n@plan:PLAN-A.P01\n@requirement:REQ-1\n-->\nText.\n";
        assert_eq!(excerpts("a.md", text, 40), vec![(2, 5)]);
    }

    #[test]
    fn crlf_excerpts() {
        let text = "x();\r\n// @plan PLAN-A.P01\r\nfunction f() {\r\n  return 1;\r\n}\r\n\r\ny();\r\n";
        assert_eq!(excerpts("a.ts", text, 40), vec![(2, 5)]);
    }

    #[test]
    fn rust_doc_lines_and_attributes_lead_to_the_item() {
        let text = "use x;\n\n/// Parses the configuration.\n/// @plan PLAN-A.P01\n/// @requirement REQ-1\n///\n/// More text.\n#[must_use]\n#[cfg_attr(\n    feature = \"serde\",\n    derive(Serialize)\n)]\n/// After the attributes.\npub fn parse_config(text: &str) -> Config {\n    Config::default()\n}\n\nfn other() {}\n";
        assert_eq!(excerpts("a.rs", text, 40), vec![(3, 16)]);
        // An attribute and the item on one line; a derive before a unit struct.
        let text = "// @plan PLAN-A.P01\n#[test] fn works() {\n    assert!(true);\n}\n/// @plan PLAN-A.P02\n#[derive(Debug, Clone)]\npub struct Marker;\nfn next() {}\n";
        assert_eq!(excerpts("a.rs", text, 40), vec![(1, 4), (5, 7)]);
        // An inner attribute is not the item's: the excerpt stops at it.
        assert_eq!(
            excerpts("a.rs", "//! @plan PLAN-A.P01\n#![allow(dead_code)]\n\nuse x;\n", 40),
            vec![(1, 2)]
        );
    }

    #[test]
    fn typescript_multi_line_decorators() {
        let text = "/**\n * @plan PLAN-A.P01\n */\n@Component({\n  selector: 'app-x',\n  template: '<p>{{ x }}</p>',\n})\nexport class XComponent {\n  @Input() x = 1;\n}\nconst y = 2;\n";
        assert_eq!(excerpts("a.ts", text, 40), vec![(1, 10)]);
    }

    #[test]
    fn python_decorators_and_docstrings() {
        let text = "# @plan PLAN-A.P01\n@pytest.mark.parametrize(\n    \"a\",\n    [1, 2],\n)\ndef test_a(a):\n    assert a\n\n\ndef other():\n    pass\n";
        assert_eq!(excerpts("a.py", text, 40), vec![(1, 7)]);
        // A marker in a docstring: the def it documents, decorators included.
        let text = "import x\n\n\n@app.route(\"/\")\ndef index(\n    request,\n):\n    \"\"\"Serves the index.\n\n    @plan PLAN-A.P01\n    @requirement REQ-1\n    \"\"\"\n    return render(request)\n\n\nclass Other:\n    pass\n";
        assert_eq!(excerpts("a.py", text, 40), vec![(4, 13)]);
        // A module docstring is no def's: above the imports it is shown alone.
        let text = "\"\"\"Module.\n@plan PLAN-A.P01\n\"\"\"\nimport x\n";
        assert_eq!(excerpts("a.py", text, 40), vec![(1, 3)]);
    }

    #[test]
    fn java_and_kotlin_annotations() {
        let text = "class T {\n  /** @plan PLAN-A.P01 */\n  @ParameterizedTest\n  @CsvSource({\n    \"a, 1\",\n    \"b, 2\"\n  })\n  void parses(String s, int n) {\n    assertEquals(n, parse(s));\n  }\n\n  void other() {}\n}\n";
        assert_eq!(excerpts("T.java", text, 40), vec![(2, 10)]);
        let text = "// @plan PLAN-A.P01\n@Test fun `parses the config`() {\n    check(parse(\"x\"))\n}\n// @plan PLAN-A.P02\n@Suppress(\"UNCHECKED_CAST\")\n@JvmStatic\nfun cast(x: Any): Int =\n    x as Int\nval z = 1\n";
        assert_eq!(excerpts("T.kt", text, 40), vec![(1, 4), (5, 9)]);
    }

    #[test]
    fn long_doc_comment_is_elided_between_markers_and_item() {
        let doc: String = (0..45).map(|i| format!(" * Line {i} of the story.\n")).collect();
        let text = format!(
            "/**\n * Parses a configuration.\n * @plan PLAN-A.P01\n * @requirement REQ-1\n{doc} */\nint parse_config(const char *path)\n{{\n    return 0;\n}}\n"
        );
        // Lines: 1 `/**`, 2 summary, 3–4 markers, 5–49 story, 50 `*/`, 51–54 the function.
        let got = scan("a.c", &text, 40);
        assert_eq!(got, vec![Excerpt { ranges: vec![(1, 36), (51, 54)], cut: false }]);
        assert_eq!(got[0].shown(), 40);
        // A small cap keeps the markers and the item's start, cut.
        let got = scan("a.c", &text, 6);
        assert_eq!(got, vec![Excerpt { ranges: vec![(1, 4), (51, 52)], cut: true }]);
    }

    #[test]
    fn markers_deep_in_a_long_comment() {
        let doc: String = (0..30).map(|i| format!("/// Line {i}.\n")).collect();
        let text = format!("{doc}/// @plan PLAN-A.P01\n///\n/// End.\npub fn f() {{}}\n");
        // Lines 1–30 the story, 31 the marker, 32–33 the rest, 34 the item.
        assert_eq!(scan("a.rs", &text, 10), vec![Excerpt { ranges: vec![(1, 6), (31, 34)], cut: false }]);
    }

    #[test]
    fn a_short_comment_stays_whole_above_a_long_item() {
        let body = "  x();\n".repeat(60);
        let text = format!(
            "/**\n * Runs it.\n *\n * Twice over, with care,\n * and then once more.\n * @plan PLAN-A.P01\n */\nfunction f() {{\n{body}}}\n"
        );
        assert_eq!(scan("a.ts", &text, 40), vec![Excerpt { ranges: vec![(1, 40)], cut: true }]);
    }
}
