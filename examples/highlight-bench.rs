//! Measures the highlighting engines on a project's own inputs: the marked source files
//! that get a page, and the code blocks of its plan documents, exactly as the renderer
//! hands them to the highlighter. One thread, so the figures are per core.
//!
//! ```sh
//! cargo run --release --example highlight-bench -- /work/llxprt [--runs 3]
//! ```
//!
//! Prints, per engine and input set, bytes in, MB/s (10^6 bytes of input per second,
//! median of the runs), HTML bytes out per input byte, and the five biggest languages.

use anyhow::{Context, Result};
use std::collections::BTreeMap;
use std::time::Instant;
use tracemark::config::Config;
use tracemark::render::highlight::{Highlighter, Syntect, TreeSitter};
use tracemark::site::{self, Timings};
use tracemark::source::Language;

/// One text to highlight, with the language word the renderer would pass.
struct Input {
    lang: String,
    text: String,
}

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let root = args.next().context("usage: highlight-bench ROOT [--runs N]")?;
    let mut runs = 3;
    while let Some(a) = args.next() {
        if a == "--runs" {
            runs = args.next().context("--runs N")?.parse()?;
        }
    }
    let config = Config::load(std::path::Path::new(&root), None)?;
    let project = site::analyse(&config, &mut Timings::default())?;

    let files: Vec<Input> = project
        .files
        .iter()
        .filter(|f| !project.document_index.contains_key(&f.path) && f.text.len() <= 2 << 20)
        .map(|f| {
            let ext = f.path.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
            let lang = if f.language == Language::Markdown { "md" } else { ext };
            Input { lang: lang.to_string(), text: f.text.unpack() }
        })
        .collect();
    let mut fences = Vec::new();
    let mut docs: Vec<_> = project.document_text.iter().collect();
    docs.sort();
    for (_, md) in docs {
        code_blocks(md, &mut fences);
    }

    let engines: [(&str, Box<dyn Highlighter>); 2] =
        [("tree-sitter", Box::new(TreeSitter::new())), ("syntect", Box::new(Syntect::new()))];
    println!("{root}: {} source files, {} code blocks; {runs} runs, one thread\n", files.len(), fences.len());
    println!("| engine | inputs | MB in | MB/s (median) | runs (s) | bytes out / byte in |");
    println!("|---|---|---:|---:|---|---:|");
    let mut by_lang_report = String::new();
    for (name, engine) in &engines {
        // Load grammars and syntax sets outside the timed runs.
        for input in files.iter().chain(&fences).take(200) {
            let head = input.text.char_indices().nth(64).map_or(&input.text[..], |(i, _)| &input.text[..i]);
            engine.highlight_lines(head, &input.lang);
        }
        for (set, inputs) in [("files", &files), ("fences", &fences)] {
            let bytes_in: usize = inputs.iter().map(|i| i.text.len()).sum();
            let mut times = Vec::new();
            let mut bytes_out = 0;
            let mut by_lang: BTreeMap<&str, (usize, f64)> = BTreeMap::new();
            for _ in 0..runs {
                bytes_out = 0;
                let start = Instant::now();
                for input in inputs.iter() {
                    let t = Instant::now();
                    let lines = engine.highlight_lines(&input.text, &input.lang);
                    let e = by_lang.entry(&input.lang).or_default();
                    e.0 += input.text.len();
                    e.1 += t.elapsed().as_secs_f64();
                    bytes_out += lines.iter().map(|l| l.len() + 1).sum::<usize>();
                }
                times.push(start.elapsed().as_secs_f64());
            }
            times.sort_by(f64::total_cmp);
            let median = times[times.len() / 2];
            println!(
                "| {name} | {set} | {:.2} | {:.2} | {} | {:.2} |",
                bytes_in as f64 / 1e6,
                bytes_in as f64 / 1e6 / median,
                times.iter().map(|t| format!("{t:.2}")).collect::<Vec<_>>().join(" "),
                bytes_out as f64 / bytes_in.max(1) as f64
            );
            let mut langs: Vec<_> = by_lang.into_iter().collect();
            langs.sort_by_key(|l| std::cmp::Reverse(l.1.0));
            let top: Vec<String> = langs
                .iter()
                .take(6)
                .map(|(l, (b, s))| {
                    format!("{l} {:.2} MB at {:.2} MB/s", *b as f64 / runs as f64 / 1e6, *b as f64 / 1e6 / s)
                })
                .collect();
            by_lang_report.push_str(&format!("{name} {set}: {}\n", top.join(", ")));
        }
    }
    println!("\n{by_lang_report}");
    Ok(())
}

/// Every code block of a markdown document, with the first word of its info string.
fn code_blocks(md: &str, out: &mut Vec<Input>) {
    let arena = comrak::Arena::new();
    let mut options = comrak::Options::default();
    options.extension.table = true;
    options.extension.footnotes = true;
    let root = comrak::parse_document(&arena, md, &options);
    for node in root.descendants() {
        if let comrak::nodes::NodeValue::CodeBlock(cb) = &node.data.borrow().value {
            let lang = cb.info.split_whitespace().next().unwrap_or("").to_string();
            out.push(Input { lang, text: cb.literal.clone() });
        }
    }
}
