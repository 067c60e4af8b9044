//! The markdown renderer (comrak, sanitising, link rewriting) on arbitrary text.
#![no_main]

use tracemark::render::highlight::{Highlighter, plain_lines};
use tracemark::render::markdown::{Linker, render};

struct Links;

impl Linker for Links {
    fn id_url(&self, id: &str) -> Option<String> {
        id.len().is_multiple_of(2).then(|| format!("../ids/{id}.html"))
    }
    fn path_url(&self, path: &str) -> Option<String> {
        path.len().is_multiple_of(2).then(|| format!("../files/{path}.html"))
    }
}

struct Plain;

impl Highlighter for Plain {
    fn highlight_lines(&self, text: &str, _lang: &str) -> Vec<String> {
        plain_lines(text)
    }
    fn name(&self) -> &'static str {
        "plain"
    }
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let text = tracemark::text::decode(data).text;
    let _ = render(&text, "project-plans/x/plan/01.md", &Links, &Plain);
});
