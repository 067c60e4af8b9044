//! Excerpt ranges: which lines of a file to show with a trace, without knowing the
//! language's grammar.
//!
//! A comment trace's excerpt starts at the first line of its comment block and covers
//! the code the comment annotates:
//! 1. the code line is the comment's own line when code stands before the comment
//!    (`x: T; // @plan …`), else the line when code follows the comment's end, else
//!    the next line with code after the block (blank and comment-only lines skipped);
//! 2. from there brackets are counted in code regions only (`{` `(` `[` against their
//!    closers): once depth is back to zero at a line end, the statement ends there if a
//!    `{` was opened, or the line ends in `;` or `,`; a line ending in an operator
//!    (`=`, `=>`, `+`, `.`, `&&`, …), a decorator line, or a next line starting with
//!    `{` or `.` continues the statement, and so does a next line indented deeper
//!    unless the line ends in `:`;
//! 3. otherwise (Python, YAML, an interface field) the statement extends over the
//!    following lines indented deeper than its first line, blank lines allowed inside;
//! 4. everything is capped at `cap` lines from the start; a comment with no code after
//!    it gives the comment alone.
//!
//! A test title's excerpt is the call's statement from the line of the call. A markdown
//! HTML comment's excerpt is the comment's lines.

use super::lexer::{Kind, Lexed};

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
            if continues || next_opens || next_deeper {
                l += 1;
                continue;
            }
            return self.indented_end(first, l, max);
        }
        max
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

fn cap_end(start: u32, cap: u32) -> u32 {
    start.saturating_add(cap.max(1) - 1)
}

/// The excerpt of a trace in the comment block `[s, e)` (byte range).
pub fn for_comment(ctx: &Ctx<'_>, s: usize, e: usize, cap: u32) -> (u32, u32) {
    let start = ctx.line_of(s);
    let last = ctx.line_of(e.saturating_sub(1).max(s));
    let max = cap_end(start, cap).min(ctx.lines().max(start));
    let (ls, _) = ctx.line_range(start);
    let (_, le) = ctx.line_range(last);
    let code_line = if ctx.has_code(ls, s) {
        Some(start)
    } else if e < le && ctx.has_code(e, le) {
        Some(last)
    } else {
        (last + 1..=max).find(|&l| ctx.line_has_code(l))
    };
    let end = match code_line {
        Some(l) => ctx.statement_end(l, max).max(last),
        None => last,
    };
    (start, end.min(max).max(start))
}

/// The excerpt of a test title: the call's statement from the call's line.
pub fn for_call(ctx: &Ctx<'_>, call: usize, cap: u32) -> (u32, u32) {
    let start = ctx.line_of(call);
    let max = cap_end(start, cap).min(ctx.lines().max(start));
    (start, ctx.statement_end(start, max).max(start))
}

/// The excerpt of a markdown HTML comment `[s, e)`: its own lines.
pub fn for_markdown_comment(ctx: &Ctx<'_>, s: usize, e: usize, cap: u32) -> (u32, u32) {
    let start = ctx.line_of(s);
    let last = ctx.line_of(e.saturating_sub(1).max(s));
    (start, last.min(cap_end(start, cap)).max(start))
}

#[cfg(test)]
mod tests {
    /// The excerpt of every trace of a scan.
    fn excerpts(path: &str, text: &str, cap: u32) -> Vec<(u32, u32)> {
        crate::source::scan(path, text, cap, &crate::grammar::Grammar::default())
            .traces
            .iter()
            .map(|t| t.excerpt)
            .collect()
    }

    #[test]
    fn braced_function() {
        let text = "import x from 'y';\n\n/**\n * Does it.\n * @plan PLAN-A.P05\n * @requirement REQ-1\n */\nexport async function f(\n  a: string,\n  b: number,\n): Promise<void> {\n  if (a) {\n    return;\n  }\n  const s = '}'; // }\n}\n\nconst after = 1;\n";
        assert_eq!(excerpts("a.ts", text, 40), vec![(3, 16)]);
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
        assert_eq!(excerpts("a.ts", &text, 40), vec![(1, 40)]);
        assert_eq!(excerpts("a.ts", &text, 5), vec![(1, 5)]);
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
}
