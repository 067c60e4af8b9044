//! Syntax highlighting behind one small interface, [`Highlighter`], so engines can be
//! measured against each other. Output is one HTML fragment per source line, made of
//! flat `<span class="…">` runs that never cross a line, so excerpts are cut from the
//! highlighted lines of a file without highlighting it again. Classes are short
//! (`c` comment, `s` string, `k` keyword, …) and styled by the theme's CSS; no inline
//! styles.
//!
//! Two engines: [`TreeSitter`] (the default: tree-sitter grammars from `arborium` for the
//! common languages, syntect for the others) and [`Syntect`] (bat's syntax set for
//! everything). [`crate::config::HighlighterChoice`] names them for the configuration.

use std::cell::RefCell;
use std::sync::{Arc, LazyLock};
use syntect::parsing::{ParseState, Scope, ScopeStack, SyntaxReference, SyntaxSet};

/// A syntax highlighter.
pub trait Highlighter: Send + Sync {
    /// Highlights `text` as the language named by `lang` (a file extension such as
    /// `ts`, or a fence info word such as `typescript`; unknown or empty means plain).
    /// Returns one HTML fragment per line of `text` (as [`crate::text::lines`] splits
    /// it), escaped, with balanced spans.
    fn highlight_lines(&self, text: &str, lang: &str) -> Vec<String>;

    /// Says that the lines of `text` in `lang` are still shown by the site although
    /// this build does not need them (their pages are unchanged), so a cache in front
    /// of an engine keeps them. Engines ignore it.
    fn keep(&self, _text: &str, _lang: &str) {}

    /// The engine's name, for timings and the site footer.
    fn name(&self) -> &'static str;

    /// The engine's name and output revision (`syntect/5.3/two-face-0.5/1`), part of
    /// every cache key: a change of an engine's output (its mapping of captures to
    /// classes, or an upgrade of its grammar crates) bumps the revision, so cached lines
    /// of the old output are never reused. Defaults to [`Highlighter::name`].
    fn fingerprint(&self) -> &'static str {
        self.name()
    }
}

/// Lines longer than this many bytes are not parsed (syntect's regexes can take
/// seconds on minified lines); they are shown escaped without colour.
const MAX_LINE: usize = 16 * 1024;

/// The syntect engine with bat's syntax set (`two-face`, which adds TypeScript, TSX
/// and many more to syntect's defaults), loaded once per process.
pub struct Syntect {
    syntaxes: &'static SyntaxSet,
}

static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(two_face::syntax::extra_newlines);

/// (scope prefix, class) pairs, most specific first; the innermost scope of the stack
/// that matches one of them gives the class of a run.
static CLASSES: LazyLock<Vec<(Scope, &'static str)>> = LazyLock::new(|| {
    [
        ("comment", "c"),
        ("punctuation.definition.comment", "c"),
        ("string", "s"),
        ("constant.character.escape", "s"),
        ("constant.numeric", "n"),
        ("constant.language", "n"),
        ("constant", "n"),
        ("keyword.operator", "o"),
        ("keyword", "k"),
        ("storage.type.function", "k"),
        ("storage.modifier", "k"),
        ("storage.type", "k"),
        ("storage", "k"),
        ("entity.name.function", "f"),
        ("support.function", "f"),
        ("variable.function", "f"),
        ("meta.function-call", "f"),
        ("entity.name.type", "t"),
        ("entity.name.class", "t"),
        ("entity.other.inherited-class", "t"),
        ("support.type", "t"),
        ("support.class", "t"),
        ("entity.name.tag", "g"),
        ("entity.other.attribute-name", "a"),
        ("variable.parameter", "v"),
        ("variable.language", "n"),
        ("markup.heading", "k"),
        ("markup.bold", "k"),
        ("markup.inserted", "s"),
        ("markup.deleted", "o"),
        ("markup.raw", "s"),
        ("entity.name", "f"),
    ]
    .into_iter()
    .map(|(s, c)| (Scope::new(s).expect("valid scope"), c))
    .collect()
});

impl Syntect {
    /// The engine; the syntax set is deserialised on first use and shared.
    pub fn new() -> Syntect {
        Syntect { syntaxes: &SYNTAXES }
    }

    fn syntax(&self, lang: &str) -> Option<&SyntaxReference> {
        let lang = lang.trim().to_ascii_lowercase();
        let lang = match lang.as_str() {
            "" | "text" | "txt" | "plaintext" | "plain" | "console" | "output" | "log" => return None,
            "ts" | "typescript" | "mts" | "cts" => "ts",
            "tsx" => "tsx",
            "js" | "javascript" | "mjs" | "cjs" | "jsx" => "js",
            "sh" | "bash" | "shell" | "zsh" => "sh",
            "py" | "python" => "py",
            "rs" | "rust" => "rs",
            "yml" | "yaml" => "yaml",
            "md" | "markdown" => "md",
            "jsonc" | "json5" => "json",
            other => other,
        };
        self.syntaxes.find_syntax_by_extension(lang).or_else(|| self.syntaxes.find_syntax_by_token(lang))
    }
}

impl Default for Syntect {
    fn default() -> Self {
        Syntect::new()
    }
}

fn class_of(stack: &ScopeStack) -> Option<&'static str> {
    for scope in stack.as_slice().iter().rev() {
        for (prefix, class) in CLASSES.iter() {
            if prefix.is_prefix_of(*scope) {
                return Some(class);
            }
        }
    }
    None
}

/// Appends `text` with class `class` to `out`, escaped.
fn push_run(out: &mut String, class: Option<&str>, text: &str) {
    if text.is_empty() {
        return;
    }
    match class {
        Some(c) => {
            out.push_str("<span class=\"");
            out.push_str(c);
            out.push_str("\">");
            html_escape::encode_text_to_string(text, out);
            out.push_str("</span>");
        }
        None => {
            html_escape::encode_text_to_string(text, out);
        }
    }
}

/// Plain lines: escaped, no spans.
pub fn plain_lines(text: &str) -> Vec<String> {
    crate::text::lines(text).into_iter().map(|l| html_escape::encode_text(l).into_owned()).collect()
}

impl Highlighter for Syntect {
    fn highlight_lines(&self, text: &str, lang: &str) -> Vec<String> {
        let Some(syntax) = self.syntax(lang) else { return plain_lines(text) };
        let mut state = ParseState::new(syntax);
        let mut stack = ScopeStack::new();
        let mut out = Vec::with_capacity(text.len() / 32 + 1);
        let mut broken = false;
        let mut line_buf = String::new();
        for line in crate::text::lines(text) {
            if broken || line.len() > MAX_LINE {
                out.push(html_escape::encode_text(line).into_owned());
                continue;
            }
            // syntect's `newlines` syntaxes expect the terminator.
            line_buf.clear();
            line_buf.push_str(line);
            line_buf.push('\n');
            let ops = match state.parse_line(&line_buf, self.syntaxes) {
                Ok(ops) => ops,
                Err(_) => {
                    broken = true;
                    out.push(html_escape::encode_text(line).into_owned());
                    continue;
                }
            };
            let mut html = String::with_capacity(line.len() * 2);
            let mut class = class_of(&stack);
            let mut run_start = 0;
            let mut pending = String::new();
            let mut pending_class = class;
            for (pos, op) in ops {
                let pos = pos.min(line.len());
                if pos > run_start {
                    if class != pending_class {
                        push_run(&mut html, pending_class, &pending);
                        pending.clear();
                        pending_class = class;
                    }
                    pending.push_str(&line[run_start..pos]);
                    run_start = pos;
                }
                if stack.apply(&op).is_err() {
                    broken = true;
                    break;
                }
                class = class_of(&stack);
            }
            if run_start < line.len() {
                if class != pending_class {
                    push_run(&mut html, pending_class, &pending);
                    pending.clear();
                    pending_class = class;
                }
                pending.push_str(&line[run_start..]);
            }
            push_run(&mut html, pending_class, &pending);
            out.push(html);
        }
        out
    }

    fn name(&self) -> &'static str {
        "syntect"
    }

    fn fingerprint(&self) -> &'static str {
        // Bump with the syntect or two-face versions in Cargo.toml, or the class table.
        "syntect/5.3/two-face-0.5/1"
    }
}

/// The tree-sitter engine: `arborium`'s grammars for TypeScript, TSX, JavaScript, Rust,
/// Python, Go, Bash, JSON, YAML, TOML and diffs, and [`Syntect`] for every other
/// language (markdown, PowerShell, Dockerfile, …). Parsers are made once per thread;
/// grammars are compiled on first use and shared by all threads.
///
/// Tree-sitter captures nest (an identifier inside a template string's `${…}` inside the
/// string); the innermost capture decides the class of each byte, captures that carry no
/// colour (variables, properties, punctuation) show their bytes plain, and a whitespace
/// gap between two runs of one class joins them. Injected languages (JSDoc in comments)
/// are not parsed: a comment stays one comment run.
pub struct TreeSitter {
    fallback: Syntect,
}

/// Grammars, compiled on first use, shared by every thread.
static GRAMMARS: LazyLock<Arc<arborium::GrammarStore>> =
    LazyLock::new(|| Arc::new(arborium::GrammarStore::new()));

thread_local! {
    /// This thread's parser (it holds tree-sitter's mutable parse state).
    static PARSER: RefCell<arborium::Highlighter> = RefCell::new(arborium::Highlighter::with_store_and_config(
        GRAMMARS.clone(),
        arborium::Config { max_injection_depth: 0, ..arborium::Config::default() },
    ));
}

/// Class names by paint code; code 0 is plain text.
const PAINT_CLASSES: [&str; 11] = ["", "c", "s", "n", "o", "k", "f", "t", "g", "a", "v"];
const PLAIN: u8 = 0;
const COMMENT: u8 = 1;
const STRING: u8 = 2;
const NUMBER: u8 = 3;
const OPERATOR: u8 = 4;
const KEYWORD: u8 = 5;
const FUNCTION: u8 = 6;
const TYPE: u8 = 7;
const TAG: u8 = 8;
const ATTRIBUTE: u8 = 9;
const PARAMETER: u8 = 10;

impl TreeSitter {
    /// The engine; grammars and the syntect fallback load on first use.
    pub fn new() -> TreeSitter {
        TreeSitter { fallback: Syntect::new() }
    }

    /// The arborium grammar for `lang` (an extension or fence word, as in
    /// [`Highlighter::highlight_lines`]), or `None` when syntect handles it.
    fn grammar(lang: &str) -> Option<&'static str> {
        Some(match lang.trim().to_ascii_lowercase().as_str() {
            "ts" | "typescript" | "mts" | "cts" => "typescript",
            "tsx" => "tsx",
            "js" | "javascript" | "mjs" | "cjs" | "jsx" => "javascript",
            "rs" | "rust" => "rust",
            "py" | "python" | "pyi" => "python",
            "go" | "golang" => "go",
            "sh" | "bash" | "shell" | "zsh" => "bash",
            "json" | "jsonc" => "json",
            "yml" | "yaml" => "yaml",
            "toml" => "toml",
            "diff" | "patch" => "diff",
            _ => return None,
        })
    }
}

impl Default for TreeSitter {
    fn default() -> Self {
        TreeSitter::new()
    }
}

/// The paint code of a tree-sitter capture name in `grammar`: `None` for captures that
/// do not colour (`spell`, `none`), `Some(PLAIN)` for those shown plain.
fn paint_of(capture: &str, grammar: &str) -> Option<u8> {
    let c = capture.strip_prefix('@').unwrap_or(capture);
    let head = c.split('.').next().unwrap_or(c);
    Some(match (grammar, c, head) {
        (_, "none" | "spell" | "nospell" | "conceal", _) => return None,
        // Like syntect's `markup.deleted`.
        ("diff", "keyword", _) => OPERATOR,
        // Command options (`--force`): orange, as syntect's `variable.parameter.option`.
        ("bash", "constant", _) => PARAMETER,
        // Mapping keys: green as syntect's `entity.name.tag`; JSON keys blue.
        ("yaml" | "toml", "property", _) => TAG,
        (_, "string.special.key", _) => ATTRIBUTE,
        (_, "keyword.operator" | "operator", _) => OPERATOR,
        (_, "variable.parameter" | "parameter", _) => PARAMETER,
        (_, "variable.builtin", _) => NUMBER,
        (_, "tag.attribute", _) => ATTRIBUTE,
        (_, "escape", _) => STRING,
        (_, "markup.raw" | "markup.raw.block" | "markup.raw.inline" | "text.literal", _) => STRING,
        (_, "diff.plus" | "diff.addition", _) => STRING,
        (_, "diff.minus" | "diff.deletion", _) => OPERATOR,
        (_, "text.title" | "text.strong", _) => KEYWORD,
        (_, _, "comment") => COMMENT,
        (_, _, "string" | "character") => STRING,
        (_, _, "number" | "float" | "boolean" | "constant") => NUMBER,
        (
            _,
            _,
            "keyword" | "include" | "conditional" | "repeat" | "exception" | "storageclass" | "preproc"
            | "define" | "structure",
        ) => KEYWORD,
        (_, _, "function" | "method" | "macro") => FUNCTION,
        (_, _, "type" | "constructor") => TYPE,
        (_, _, "tag") => TAG,
        (_, _, "attribute") => ATTRIBUTE,
        (_, c, "markup") if c.starts_with("markup.heading") || c == "markup.bold" => KEYWORD,
        _ => PLAIN,
    })
}

/// One paint code per byte of `text`: spans are painted outermost first, so the
/// innermost capture wins; of two captures of one range, a coloured one beats a plain
/// one and then the later query pattern wins (arborium's convention). JSDoc block tags
/// in JavaScript and TypeScript doc comments are painted as keywords.
fn paint(text: &str, spans: &[arborium::advanced::Span], grammar: &str) -> Vec<u8> {
    let len = text.len();
    let mut order: Vec<(u32, u32, bool, u32, u8)> = spans
        .iter()
        .filter_map(|s| {
            let code = paint_of(&s.capture, grammar)?;
            let (start, end) = (s.start.min(len as u32), s.end.min(len as u32));
            (start < end).then_some((start, end, code != PLAIN, s.pattern_index, code))
        })
        .collect();
    order.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)).then(a.3.cmp(&b.3)));
    let mut codes = vec![PLAIN; len];
    for (start, end, _, _, code) in order {
        codes[start as usize..end as usize].fill(code);
    }
    if matches!(grammar, "typescript" | "tsx" | "javascript") {
        for s in spans.iter().filter(|s| s.capture.starts_with("comment")) {
            let range = s.start as usize..(s.end as usize).min(len);
            if text.get(range.clone()).is_some_and(|c| c.starts_with("/**")) {
                jsdoc_tags(text.as_bytes(), range, &mut codes);
            }
        }
    }
    codes
}

/// Paints the block tags of a JSDoc comment (`@param`, `@plan`, `@requirement`: an `@`
/// after a space or `*`, a word, then a space or the line's end) as keywords, as
/// syntect's JSDoc syntax does.
fn jsdoc_tags(text: &[u8], range: std::ops::Range<usize>, codes: &mut [u8]) {
    let mut i = range.start;
    while i < range.end {
        if text[i] == b'@' && i > range.start && matches!(text[i - 1], b' ' | b'\t' | b'*') {
            let end = text[i + 1..range.end]
                .iter()
                .position(|b| !b.is_ascii_alphanumeric())
                .map_or(range.end, |n| i + 1 + n);
            let after = text.get(end).copied();
            if end > i + 1 && (end == range.end || matches!(after, Some(b' ' | b'\t' | b'\r' | b'\n'))) {
                codes[i..end].fill(KEYWORD);
            }
            i = end;
        } else {
            i += 1;
        }
    }
}

/// Gives a plain gap of spaces and tabs the class of the runs on both sides when they
/// agree (`import type`, `} else {` become one run), which saves markup.
fn join_gaps(text: &[u8], codes: &mut [u8]) {
    let mut i = 0;
    while i < codes.len() {
        if codes[i] != PLAIN || i == 0 || codes[i - 1] == PLAIN {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < codes.len() && codes[j] == PLAIN && matches!(text[j], b' ' | b'\t') {
            j += 1;
        }
        if j < codes.len() && j > i && codes[j] == codes[i - 1] {
            let code = codes[i - 1];
            codes[i..j].fill(code);
        }
        i = j.max(i + 1);
    }
}

/// Cuts painted text into lines ([`crate::text::lines`]) of escaped HTML runs.
fn paint_lines(text: &str, codes: &[u8]) -> Vec<String> {
    let base = text.as_ptr() as usize;
    crate::text::lines(text)
        .into_iter()
        .map(|line| {
            let start = line.as_ptr() as usize - base;
            let codes = &codes[start..start + line.len()];
            let mut html = String::with_capacity(line.len() + line.len() / 2);
            let mut i = 0;
            while i < line.len() {
                let code = codes[i];
                let mut j = i + 1;
                while j < line.len() && (codes[j] == code || !line.is_char_boundary(j)) {
                    j += 1;
                }
                let class = PAINT_CLASSES.get(code as usize).filter(|c| !c.is_empty()).copied();
                push_run(&mut html, class, &line[i..j]);
                i = j;
            }
            html
        })
        .collect()
}

impl Highlighter for TreeSitter {
    fn highlight_lines(&self, text: &str, lang: &str) -> Vec<String> {
        let Some(grammar) = TreeSitter::grammar(lang) else {
            return self.fallback.highlight_lines(text, lang);
        };
        let spans = PARSER.with(|p| p.borrow_mut().highlight_spans(grammar, text));
        let Ok(spans) = spans else { return self.fallback.highlight_lines(text, lang) };
        let mut codes = paint(text, &spans, grammar);
        join_gaps(text.as_bytes(), &mut codes);
        paint_lines(text, &codes)
    }

    fn name(&self) -> &'static str {
        "tree-sitter"
    }

    fn fingerprint(&self) -> &'static str {
        // Bump with the arborium version in Cargo.toml, or the capture → class mapping;
        // the syntect part is the fallback's.
        "tree-sitter/arborium-2.18/1+syntect/5.3/two-face-0.5/1"
    }
}

/// The engine named by the configuration's `highlighter` key.
pub fn engine(choice: crate::config::HighlighterChoice) -> Box<dyn Highlighter> {
    match choice {
        crate::config::HighlighterChoice::TreeSitter => Box::new(TreeSitter::new()),
        crate::config::HighlighterChoice::Syntect => Box::new(Syntect::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlights_typescript_with_classes_per_line() {
        let h = Syntect::new();
        let lines = h.highlight_lines("/** @plan:X */\nconst a = 'x<y';\n", "ts");
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0], "<span class=\"c\">/** @plan:X */</span>");
        assert!(lines[1].contains("<span class=\"s\">'x&lt;y'</span>"), "{}", lines[1]);
        assert!(lines[1].contains("<span class=\"k\">const</span>"), "{}", lines[1]);
    }

    #[test]
    fn block_comment_spanning_lines_is_balanced_per_line() {
        let h = Syntect::new();
        let lines = h.highlight_lines("/**\n * @requirement REQ-1\n */\nfn x() {}", "rs");
        assert_eq!(lines.len(), 4);
        for l in &lines[..3] {
            assert!(l.starts_with("<span class=\"c\">") && l.ends_with("</span>"), "{l}");
        }
    }

    #[test]
    fn unknown_language_is_plain_and_escaped() {
        let h = Syntect::new();
        assert_eq!(h.highlight_lines("a <b> & c\r\nd", "nope-lang"), vec!["a &lt;b&gt; &amp; c", "d"]);
    }

    #[test]
    fn knows_tsx_and_fence_words() {
        let h = Syntect::new();
        assert!(h.syntax("tsx").is_some());
        assert!(h.syntax("typescript").is_some());
        assert!(h.syntax("bash").is_some());
        assert!(h.syntax("").is_none());
    }
}

#[cfg(test)]
mod tree_sitter_tests {
    use super::*;

    /// Checks that `html` is flat, balanced runs of known classes, and returns its text
    /// (tags removed, entities decoded) to compare with the source line.
    fn text_of(html: &str) -> String {
        let mut text = String::new();
        let mut rest = html;
        let mut open = false;
        while let Some(i) = rest.find('<') {
            text.push_str(&rest[..i]);
            rest = &rest[i..];
            if let Some(r) = rest.strip_prefix("</span>") {
                assert!(open, "close without open in {html}");
                open = false;
                rest = r;
            } else {
                let r = rest.strip_prefix("<span class=\"").unwrap_or_else(|| panic!("raw `<` in {html}"));
                let (class, r) = r.split_once("\">").expect("class attribute closed");
                assert!(PAINT_CLASSES[1..].contains(&class), "unknown class {class} in {html}");
                assert!(!open, "nested span in {html}");
                open = true;
                rest = r;
            }
        }
        text.push_str(rest);
        assert!(!open, "unclosed span in {html}");
        assert!(!text.contains('>'), "raw `>` in {html}");
        html_escape::decode_html_entities(&text).into_owned()
    }

    fn check(text: &str, lang: &str) -> Vec<String> {
        let lines = TreeSitter::new().highlight_lines(text, lang);
        let source = crate::text::lines(text);
        assert_eq!(lines.len(), source.len(), "{lang}: one fragment per line");
        for (html, src) in lines.iter().zip(source) {
            assert_eq!(text_of(html), src, "{lang}: the line's text survives");
        }
        lines
    }

    #[test]
    fn highlights_typescript_like_syntect_does() {
        let lines = check("/** @plan:X */\nconst a: string = 'x<y';\nfunction f() {}\n", "ts");
        assert_eq!(lines[0], "<span class=\"c\">/** @plan:X */</span>");
        assert!(lines[1].starts_with("<span class=\"k\">const</span>"), "{}", lines[1]);
        assert!(lines[1].contains("<span class=\"t\">string</span>"), "{}", lines[1]);
        assert!(lines[1].contains("<span class=\"s\">'x&lt;y'</span>"), "{}", lines[1]);
        assert!(lines[2].contains("<span class=\"f\">f</span>"), "{}", lines[2]);
    }

    #[test]
    fn block_comments_are_split_into_balanced_lines() {
        let lines = check("/**\n * @requirement REQ-1\n */\nexport function x() {}\n", "ts");
        for l in &lines[..3] {
            assert!(l.starts_with("<span class=\"c\">") && l.ends_with("</span>"), "{l}");
        }
        let lines = check("fn a() {}\n/* one\n   two */ fn b() {}\n", "rs");
        assert_eq!(lines[1], "<span class=\"c\">/* one</span>");
        assert!(
            lines[2].starts_with("<span class=\"c\">   two */</span> <span class=\"k\">fn</span>"),
            "{}",
            lines[2]
        );
    }

    #[test]
    fn template_strings_are_split_and_substitutions_are_not_strings() {
        let lines = check("const q = `select\n  ${name} <b>\n  end`;\n", "ts");
        assert!(lines[0].ends_with("<span class=\"s\">`select</span>"), "{}", lines[0]);
        assert!(lines[1].contains("name") && !lines[1].contains("<span class=\"s\">${name"), "{}", lines[1]);
        assert!(lines[1].contains("<span class=\"s\"> &lt;b&gt;</span>"), "{}", lines[1]);
        assert_eq!(lines[2], "<span class=\"s\">  end`</span>;");
    }

    #[test]
    fn escapes_markup_characters_everywhere() {
        let src = "// <b> & \"q\"\nconst s = \"<a href='x'>&amp;</a>\" && a < b > c;\n";
        let lines = check(src, "typescript");
        assert!(lines[0].contains("&lt;b&gt; &amp; \"q\""), "{}", lines[0]);
        assert!(lines[1].contains("&lt;a href='x'&gt;&amp;amp;&lt;/a&gt;"), "{}", lines[1]);
        assert!(lines[1].contains("&amp;&amp;"), "{}", lines[1]);
    }

    #[test]
    fn crlf_and_trailing_text_without_newline() {
        let lines = check("let a = 1;\r\n// end", "js");
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1], "<span class=\"c\">// end</span>");
    }

    #[test]
    fn every_grammar_is_compiled_in() {
        for (lang, text, class) in [
            ("ts", "const a = 1;", "k"),
            ("tsx", "const a = <div className=\"x\">y</div>;", "g"),
            ("mjs", "import x from 'y';", "s"),
            ("rs", "fn main() { let x = 1; }", "k"),
            ("py", "def f(x):\n    return 'a'", "k"),
            ("go", "package main\nfunc main() {}", "k"),
            ("bash", "if [ -n \"$X\" ]; then echo hi; fi", "k"),
            ("sh", "git log --oneline", "v"),
            ("json", "{\"a\": [1, true, null]}", "n"),
            ("yaml", "a: b # c", "c"),
            ("toml", "[t]\na = \"b\"", "s"),
            ("diff", "--- a\n+++ b\n@@ -1 +1 @@\n-x\n+y", "s"),
        ] {
            assert!(TreeSitter::grammar(lang).is_some(), "{lang}");
            let html = check(text, lang).concat();
            assert!(html.contains(&format!("<span class=\"{class}\">")), "{lang}: {html}");
        }
    }

    #[test]
    fn other_languages_fall_back_to_syntect() {
        let (ts, syn) = (TreeSitter::new(), Syntect::new());
        for (lang, text) in [
            ("md", "# Title\n\n*a* `b`\n"),
            ("powershell", "Get-ChildItem -Path $x # c\n"),
            ("dockerfile", "FROM rust:1\nRUN cargo build\n"),
            ("nope-lang", "a <b> & c\r\nd"),
            ("", "plain <text>"),
        ] {
            assert!(TreeSitter::grammar(lang).is_none(), "{lang}");
            assert_eq!(ts.highlight_lines(text, lang), syn.highlight_lines(text, lang), "{lang}");
        }
        assert_eq!(ts.highlight_lines("a <b> & c\r\nd", "nope-lang"), vec!["a &lt;b&gt; &amp; c", "d"]);
    }

    #[test]
    fn broken_or_odd_input_still_gives_balanced_lines() {
        check("function (((( {\n  'unterminated\n}}}}\n", "ts");
        check("", "ts");
        check("\n\n\n", "rs");
        check("const s = 'é—ü 日本';\n// ✓ done\n", "ts");
        check("x = \"\"\"doc\nstring\"\"\"\n", "py");
    }

    #[test]
    fn jsdoc_block_tags_are_keywords_like_in_syntect() {
        let lines = check(
            "/**\n * @plan PLAN-1.P05\n * @requirement:REQ-1\n * mail a@b.c\n */\nconst a = 1; // @x y\n",
            "ts",
        );
        assert_eq!(
            lines[1],
            "<span class=\"c\"> * </span><span class=\"k\">@plan</span><span class=\"c\"> PLAN-1.P05</span>"
        );
        assert_eq!(lines[2], "<span class=\"c\"> * @requirement:REQ-1</span>");
        assert_eq!(lines[3], "<span class=\"c\"> * mail a@b.c</span>");
        assert!(lines[5].ends_with("<span class=\"c\">// @x y</span>"), "{}", lines[5]);
    }

    #[test]
    fn gaps_between_runs_of_one_class_are_joined() {
        let lines = check("import type { A } from 'a';\n", "ts");
        assert!(lines[0].starts_with("<span class=\"k\">import type</span>"), "{}", lines[0]);
    }
}
