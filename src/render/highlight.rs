//! Syntax highlighting behind one small interface, [`Highlighter`], so engines can be
//! measured against each other. Output is one HTML fragment per source line, made of
//! flat `<span class="…">` runs that never cross a line, so excerpts are cut from the
//! highlighted lines of a file without highlighting it again. Classes are short
//! (`c` comment, `s` string, `k` keyword, …) and styled by the theme's CSS; no inline
//! styles.

use std::sync::LazyLock;
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
