//! A small lexer per language family: it splits a file into contiguous regions (code,
//! comment, string) so that a marker's offset can be classified and braces can be
//! counted in code only.
//!
//! It is deliberately approximate and robust rather than exact:
//! - `'` and `"` strings end at an unescaped newline, so an apostrophe in code or an
//!   unrecognised regex literal cannot turn the rest of the file into a string;
//! - template literals (`` ` ``) may span lines; `${…}` interpolations are lexed as code,
//!   with nested templates and braces tracked on a stack;
//! - a `/` where an operand is expected starts a regex literal (ending at a newline at
//!   the latest), so `/\/*/` does not open a block comment;
//! - Rust lifetimes after `&` or `<` (`&'a str`, `<'a>`) are not strings;
//! - in `#`-comment languages, triple-quoted strings are docstrings and count as
//!   comments;
//! - in markdown only HTML comments outside fences and inline code are comments.
//!
//! One pass over the bytes, linear in the input; it never panics.

use super::Language;

/// What a region of the text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Code (or, in markdown and unknown files, plain text).
    Code,
    /// A comment; `block` indexes [`Lexed::blocks`]: consecutive own-line `//` or `#`
    /// comments share one block, every other comment is a block of its own.
    Comment {
        /// The comment block this region belongs to.
        block: u32,
    },
    /// A string literal (quotes included); `open` is the offset of the literal's
    /// opening quote (for template literals split by `${…}`, the first backtick).
    Str {
        /// Offset of the opening quote.
        open: usize,
    },
}

/// A byte range of the text with its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// What the bytes are.
    pub kind: Kind,
}

/// The result of [`lex`]: regions covering the whole text in order, and comment blocks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lexed {
    /// Contiguous, non-empty, in order; adjacent code regions are merged.
    pub regions: Vec<Region>,
    /// Comment blocks as byte ranges (start of the first comment, end of the last).
    pub blocks: Vec<(usize, usize)>,
}

impl Lexed {
    /// The index of the region containing byte `offset`, if any.
    pub fn index_at(&self, offset: usize) -> Option<usize> {
        let i = self.regions.partition_point(|r| r.start <= offset);
        let i = i.checked_sub(1)?;
        (offset < self.regions[i].end).then_some(i)
    }

    /// The kind of the byte at `offset` (code past the end).
    pub fn kind_at(&self, offset: usize) -> Kind {
        self.index_at(offset).map_or(Kind::Code, |i| self.regions[i].kind)
    }
}

/// Splits `text` into regions according to the language family.
pub fn lex(lang: Language, text: &str) -> Lexed {
    let mut b = Builder { text: text.as_bytes(), out: Lexed::default(), code_start: 0, last_line: None };
    match lang {
        Language::CLike => b.clike(),
        Language::Hash => b.hash(),
        Language::Markdown => b.markdown(),
        Language::Html => b.html(),
        Language::Other => {}
    }
    let n = text.len();
    b.flush_code(n);
    b.out
}

struct Builder<'a> {
    text: &'a [u8],
    out: Lexed,
    /// Start of the pending code region.
    code_start: usize,
    /// The last own-line line comment: (block, end offset).
    last_line: Option<(u32, usize)>,
}

enum Frame {
    /// Inside a template literal opened at the offset.
    Template(usize),
    /// Inside `${…}` with this many unclosed `{`.
    Interp(u32),
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$'
}

impl Builder<'_> {
    fn flush_code(&mut self, upto: usize) {
        if upto > self.code_start {
            self.push(self.code_start, upto, Kind::Code);
        }
        self.code_start = upto;
    }

    fn push(&mut self, start: usize, end: usize, kind: Kind) {
        if end <= start {
            return;
        }
        if let Some(last) = self.out.regions.last_mut()
            && last.kind == Kind::Code
            && kind == Kind::Code
            && last.end == start
        {
            last.end = end;
            return;
        }
        self.out.regions.push(Region { start, end, kind });
    }

    /// Pushes a non-code region `[start, end)` after flushing pending code.
    fn push_special(&mut self, start: usize, end: usize, kind: Kind) {
        self.flush_code(start);
        self.push(start, end, kind);
        self.code_start = end;
    }

    fn new_block(&mut self, start: usize, end: usize) -> u32 {
        self.out.blocks.push((start, end));
        (self.out.blocks.len() - 1) as u32
    }

    fn line_end(&self, from: usize) -> usize {
        let e = memchr::memchr(b'\n', &self.text[from..]).map_or(self.text.len(), |p| from + p);
        if e > from && self.text[e - 1] == b'\r' { e - 1 } else { e }
    }

    /// A line comment `[start, end)`: joins the previous own-line comment's block when
    /// both stand on their own lines and only one line break separates them.
    fn line_comment(&mut self, start: usize, end: usize) {
        let line_begin = memchr::memrchr(b'\n', &self.text[..start]).map_or(0, |p| p + 1);
        let own_line = self.text[line_begin..start].iter().all(|c| c.is_ascii_whitespace());
        let mut block = None;
        if own_line && let Some((blk, prev_end)) = self.last_line {
            let gap = &self.text[prev_end..start];
            if gap.iter().all(|c| c.is_ascii_whitespace()) && gap.iter().filter(|&&c| c == b'\n').count() == 1
            {
                block = Some(blk);
                self.out.blocks[blk as usize].1 = end;
            }
        }
        let block = block.unwrap_or_else(|| self.new_block(start, end));
        self.last_line = own_line.then_some((block, end));
        self.push_special(start, end, Kind::Comment { block });
    }

    fn block_comment(&mut self, start: usize, end: usize) {
        let block = self.new_block(start, end);
        self.last_line = None;
        self.push_special(start, end, Kind::Comment { block });
    }

    /// End of a `'`/`"` string starting at `start` (the quote): after the closing quote,
    /// or at the end of the line when unterminated.
    fn quoted_end(&self, start: usize, q: u8) -> usize {
        let t = self.text;
        let mut j = start + 1;
        while j < t.len() {
            match t[j] {
                b'\\' => j += 2,
                b'\n' => return if t[j - 1] == b'\r' { j - 1 } else { j },
                c if c == q => return j + 1,
                _ => j += 1,
            }
        }
        t.len()
    }

    fn clike(&mut self) {
        let t = self.text;
        let n = t.len();
        let mut stack: Vec<Frame> = Vec::new();
        let mut i = 0;
        // Last significant code byte, to tell a regex literal from a division.
        let mut last_sig: u8 = 0;
        while i < n {
            if let Some(Frame::Template(open)) = stack.last() {
                let open = *open;
                // `i` is at the start of a template segment.
                let seg = i;
                let mut j = if i == open { i + 1 } else { i };
                let mut done = false;
                while j < n {
                    match t[j] {
                        b'\\' => j += 2,
                        b'`' => {
                            self.push_special(seg, j + 1, Kind::Str { open });
                            stack.pop();
                            i = j + 1;
                            done = true;
                            break;
                        }
                        b'$' if t.get(j + 1) == Some(&b'{') => {
                            self.push_special(seg, j + 2, Kind::Str { open });
                            stack.push(Frame::Interp(0));
                            i = j + 2;
                            last_sig = b'{';
                            done = true;
                            break;
                        }
                        _ => j += 1,
                    }
                }
                if !done {
                    self.push_special(seg, n, Kind::Str { open });
                    i = n;
                }
                last_sig = if matches!(stack.last(), Some(Frame::Interp(_))) { last_sig } else { b'"' };
                continue;
            }
            let c = t[i];
            match c {
                b'/' if t.get(i + 1) == Some(&b'/') => {
                    let e = self.line_end(i);
                    self.line_comment(i, e);
                    i = e;
                }
                b'/' if t.get(i + 1) == Some(&b'*') => {
                    let e = memchr::memmem::find(&t[i + 2..], b"*/").map_or(n, |p| i + 2 + p + 2);
                    self.block_comment(i, e);
                    i = e;
                }
                b'/' if regex_allowed(t, i, last_sig) => {
                    // A regex literal: skip it as code; give up at a line end.
                    let mut j = i + 1;
                    let mut class = false;
                    let mut end = None;
                    while j < n {
                        match t[j] {
                            b'\\' => j += 2,
                            b'\n' => break,
                            b'[' => {
                                class = true;
                                j += 1
                            }
                            b']' => {
                                class = false;
                                j += 1
                            }
                            b'/' if !class => {
                                end = Some(j + 1);
                                break;
                            }
                            _ => j += 1,
                        }
                    }
                    i = end.unwrap_or(i + 1);
                    last_sig = b'/';
                }
                b'\''
                    if i > 0
                        && (t[i - 1] == b'&' || t[i - 1] == b'<')
                        && t.get(i + 1).is_some_and(|&c| c.is_ascii_alphabetic() || c == b'_')
                        && t.get(i + 2) != Some(&b'\'') =>
                {
                    // A Rust lifetime (`&'a`, `<'a>`), not a string.
                    i += 1;
                }
                b'\'' | b'"' => {
                    let e = self.quoted_end(i, c);
                    self.push_special(i, e, Kind::Str { open: i });
                    i = e;
                    last_sig = b'"';
                }
                b'`' => {
                    // The template branch above lexes the literal from its backtick.
                    stack.push(Frame::Template(i));
                }
                b'{' => {
                    if let Some(Frame::Interp(d)) = stack.last_mut() {
                        *d += 1;
                    }
                    last_sig = c;
                    i += 1;
                }
                b'}' => {
                    match stack.last_mut() {
                        Some(Frame::Interp(0)) => {
                            stack.pop();
                            // Back in the template: its next segment starts at this `}`.
                            self.flush_code(i);
                            continue;
                        }
                        Some(Frame::Interp(d)) => *d -= 1,
                        _ => {}
                    }
                    last_sig = c;
                    i += 1;
                }
                _ => {
                    if !c.is_ascii_whitespace() {
                        last_sig = c;
                    }
                    i += 1;
                }
            }
        }
    }

    fn hash(&mut self) {
        let t = self.text;
        let n = t.len();
        let mut i = 0;
        while i < n {
            let c = t[i];
            match c {
                b'#' if i == 0 || !matches!(t[i - 1], b'$' | b'{' | b'\\') => {
                    let e = self.line_end(i);
                    self.line_comment(i, e);
                    i = e;
                }
                b'\'' | b'"' if t.get(i + 1) == Some(&c) && t.get(i + 2) == Some(&c) => {
                    let delim = [c, c, c];
                    let e = memchr::memmem::find(&t[i + 3..], &delim).map_or(n, |p| i + 3 + p + 3);
                    self.block_comment(i, e);
                    i = e;
                }
                b'\'' | b'"' => {
                    let e = self.quoted_end(i, c);
                    self.push_special(i, e, Kind::Str { open: i });
                    i = e;
                }
                _ => i += 1,
            }
        }
    }

    fn html(&mut self) {
        let t = self.text;
        let mut i = 0;
        while let Some(p) = memchr::memmem::find(&t[i..], b"<!--") {
            let s = i + p;
            let e = memchr::memmem::find(&t[s + 4..], b"-->").map_or(t.len(), |q| s + 4 + q + 3);
            self.block_comment(s, e);
            i = e;
        }
    }

    fn markdown(&mut self) {
        let t = self.text;
        let n = t.len();
        let text = std::str::from_utf8(t).unwrap_or("");
        let lines = crate::text::lines(text);
        let fenced = crate::text::fenced_lines(&lines);
        let starts = crate::text::line_starts(text);
        let mut li = 0usize;
        let mut i = 0usize;
        while i < n && li < starts.len() {
            // Move `li` to the line containing `i`.
            while li + 1 < starts.len() && starts[li + 1] <= i {
                li += 1;
            }
            let line_end = starts.get(li + 1).copied().unwrap_or(n);
            if fenced.get(li).copied().unwrap_or(false) {
                i = line_end;
                continue;
            }
            match t[i] {
                b'`' => {
                    // An inline code span closes with a run of the same length on the line.
                    let run = t[i..line_end].iter().take_while(|&&c| c == b'`').count();
                    let mut j = i + run;
                    let mut close = None;
                    while j < line_end {
                        if t[j] == b'`' {
                            let r = t[j..line_end].iter().take_while(|&&c| c == b'`').count();
                            if r == run {
                                close = Some(j + r);
                                break;
                            }
                            j += r;
                        } else {
                            j += 1;
                        }
                    }
                    i = close.unwrap_or(i + run);
                }
                b'<' if t[i..].starts_with(b"<!--") => {
                    let e = memchr::memmem::find(&t[i + 4..], b"-->").map_or(n, |q| i + 4 + q + 3);
                    self.block_comment(i, e);
                    i = e;
                }
                _ => i += 1,
            }
        }
    }
}

/// Whether a `/` at `i` (not `//` or `/*`) starts a regex literal: an operand is
/// expected after the previous significant byte.
fn regex_allowed(t: &[u8], i: usize, last_sig: u8) -> bool {
    if last_sig == 0 || b"(,=:[!&|?{};~+-*%<>^".contains(&last_sig) {
        return true;
    }
    if !is_ident(last_sig) {
        return false;
    }
    // `return /x/`, `typeof /x/`: look at the previous word.
    let mut e = i;
    while e > 0 && t[e - 1].is_ascii_whitespace() {
        e -= 1;
    }
    let mut s = e;
    while s > 0 && is_ident(t[s - 1]) {
        s -= 1;
    }
    matches!(
        &t[s..e],
        b"return" | b"typeof" | b"case" | b"in" | b"of" | b"yield" | b"await" | b"void" | b"delete"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The regions as (kind letter, text) pairs, code regions that are only
    /// whitespace left out.
    fn show(lang: Language, text: &str) -> Vec<(char, String)> {
        lex(lang, text)
            .regions
            .iter()
            .filter(|r| !(r.kind == Kind::Code && text[r.start..r.end].trim().is_empty()))
            .map(|r| {
                let k = match r.kind {
                    Kind::Code => 'c',
                    Kind::Comment { .. } => '#',
                    Kind::Str { .. } => 's',
                };
                (k, text[r.start..r.end].to_string())
            })
            .collect()
    }

    fn s(k: char, t: &str) -> (char, String) {
        (k, t.to_string())
    }

    #[test]
    fn clike_comments_and_strings() {
        let text = "a = 'x // y'; // c1\n/* b */ \"q\\\"\"";
        assert_eq!(
            show(Language::CLike, text),
            vec![
                s('c', "a = "),
                s('s', "'x // y'"),
                s('c', "; "),
                s('#', "// c1"),
                s('#', "/* b */"),
                s('s', "\"q\\\"\"")
            ]
        );
    }

    #[test]
    fn strings_end_at_newline() {
        let text = "x = don't\ny = 1; // @plan X\n";
        let r = show(Language::CLike, text);
        assert_eq!(r, vec![s('c', "x = don"), s('s', "'t"), s('c', "\ny = 1; "), s('#', "// @plan X")]);
    }

    #[test]
    fn template_literals_nest() {
        let text = "t = `a ${f(`b ${c}`)} // d\ne`; // real";
        assert_eq!(
            show(Language::CLike, text),
            vec![
                s('c', "t = "),
                s('s', "`a ${"),
                s('c', "f("),
                s('s', "`b ${"),
                s('c', "c"),
                s('s', "}`"),
                s('c', ")"),
                s('s', "} // d\ne`"),
                s('c', "; "),
                s('#', "// real"),
            ]
        );
        let l = lex(Language::CLike, text);
        assert!(l.regions.iter().all(|r| match r.kind {
            Kind::Str { open } => open == 4 || open == 11,
            _ => true,
        }));
    }

    #[test]
    fn regex_literals_do_not_open_comments() {
        let text = "s.replace(/\\/*/g, '');\n// @plan X";
        assert_eq!(
            show(Language::CLike, text),
            vec![s('c', "s.replace(/\\/*/g, "), s('s', "''"), s('c', ");\n"), s('#', "// @plan X")]
        );
        // A division is not a regex.
        let text = "a = b / c; /* k */";
        assert_eq!(show(Language::CLike, text), vec![s('c', "a = b / c; "), s('#', "/* k */")]);
    }

    #[test]
    fn rust_lifetimes_are_not_strings() {
        let text = "fn f<'a>(x: &'a str) -> char { 'x' } // c";
        assert_eq!(
            show(Language::CLike, text),
            vec![s('c', "fn f<'a>(x: &'a str) -> char { "), s('s', "'x'"), s('c', " } "), s('#', "// c")]
        );
    }

    #[test]
    fn line_comments_form_blocks() {
        let text = "// a\n  // b\n\n// c\nx(); // d\n// e\n";
        let l = lex(Language::CLike, text);
        let blocks: Vec<u32> = l
            .regions
            .iter()
            .filter_map(|r| match r.kind {
                Kind::Comment { block } => Some(block),
                _ => None,
            })
            .collect();
        assert_eq!(blocks, vec![0, 0, 1, 2, 3]);
        assert_eq!(l.blocks[0], (0, 11));
    }

    #[test]
    fn hash_comments_and_docstrings() {
        let text = "# a\nx = '#no' # b\ndef f():\n    \"\"\"doc\n    @plan X\"\"\"\n    y = \"${#z}\"\n";
        assert_eq!(
            show(Language::Hash, text),
            vec![
                s('#', "# a"),
                s('c', "\nx = "),
                s('s', "'#no'"),
                s('#', "# b"),
                s('c', "\ndef f():\n    "),
                s('#', "\"\"\"doc\n    @plan X\"\"\""),
                s('c', "\n    y = "),
                s('s', "\"${#z}\""),
            ]
        );
    }

    #[test]
    fn markdown_comments_outside_fences_and_code_spans() {
        let text = "a `<!-- no -->` b <!-- yes\n-->\n```\n<!-- fenced -->\n```\n<!-- x -->";
        let r: Vec<_> = show(Language::Markdown, text).into_iter().filter(|(k, _)| *k == '#').collect();
        assert_eq!(r, vec![s('#', "<!-- yes\n-->"), s('#', "<!-- x -->")]);
    }

    #[test]
    fn crlf_line_comments() {
        let text = "// a\r\n// b\r\nx();\r\n";
        let l = lex(Language::CLike, text);
        assert_eq!(l.blocks, vec![(0, 10)]);
        assert_eq!(l.regions[0], Region { start: 0, end: 4, kind: Kind::Comment { block: 0 } });
    }

    #[test]
    fn regions_cover_the_text() {
        for text in ["", "'", "`${", "/*", "\"\\", "`${`${}}", "x /", "<!--", "'''", "a\r\n'b\r\n"] {
            for lang in [Language::CLike, Language::Hash, Language::Markdown, Language::Html, Language::Other]
            {
                let l = lex(lang, text);
                let mut at = 0;
                for r in &l.regions {
                    assert_eq!(r.start, at, "{lang:?} {text:?}");
                    assert!(r.end > r.start);
                    at = r.end;
                }
                assert_eq!(at, text.len(), "{lang:?} {text:?}");
            }
        }
    }
}
