//! The build: a flat list of timed stages — walk, read and scan, parse plans, model,
//! theme, cache-load, highlight, render, write, cache-save — from a [`Config`] to a site
//! on disk. This is the only module that touches the file system (besides `config`):
//! it loads and saves the caches of `.tracemark-cache/` (highlighted files, rendered
//! markdown) and the output folder's manifest, which `render` only reads as bytes and
//! maps.

pub mod output;
#[cfg(feature = "serve")]
pub mod serve;
pub mod walk;

use crate::config::Config;
use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::model::{Inputs, Project, SourceFile};
use crate::plan::{self, InputFile};
use crate::render::cache::CachedHighlighter;
use crate::render::highlight::{self, Highlighter};
use crate::render::incremental::{MarkdownCache, RenderCache};
use crate::render::pages::{self, Page};
use crate::render::templates::Theme;
use crate::source::{self, Language};
use crate::text::{self, Encoding};
use anyhow::{Context, Result};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

/// How long each stage took, in order.
#[derive(Debug, Default, Clone)]
pub struct Timings {
    /// (stage name, wall time).
    pub stages: Vec<(&'static str, Duration)>,
}

impl Timings {
    fn time<T>(&mut self, name: &'static str, f: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let out = f();
        self.stages.push((name, start.elapsed()));
        out
    }

    /// Total wall time of all stages.
    pub fn total(&self) -> Duration {
        self.stages.iter().map(|(_, d)| *d).sum()
    }
}

/// What a build produced.
pub struct Built {
    /// The cross-reference (with diagnostics and summary).
    pub project: Project,
    /// Pages written (count).
    pub pages: usize,
    /// Files whose bytes changed on disk (the others were left untouched).
    pub written: usize,
    /// Stale files removed from the output folder.
    pub removed: usize,
    /// Per-stage timings.
    pub timings: Timings,
}

/// Reads the project and computes the cross-reference, without rendering. The
/// `[severity]` overrides of the configuration are applied here, so every consumer of
/// the result (`build`, `check`) sees the same findings.
pub fn analyse(config: &Config, timings: &mut Timings) -> Result<Project> {
    let (files, walk_errors) = timings.time("walk", || walk::walk(config));
    let loaded = timings.time("read+scan", || load(config, &files));
    let Loaded { plan_inputs, sources, scanned, mut diagnostics } = loaded;
    for e in walk_errors {
        diagnostics.push(Diagnostic::warning(Code::Unreadable, &e, 0, "folder could not be read"));
    }
    let folders = timings.time("parse", || {
        let results: Vec<_> = plan_inputs
            .par_iter()
            .map(|(folder, inputs)| {
                let files: Vec<InputFile<'_>> =
                    inputs.iter().map(|(p, t)| InputFile { path: p, text: t.as_deref() }).collect();
                plan::parse_folder(folder, &files, &config.grammar)
            })
            .collect();
        results
    });
    let document_text: HashMap<String, String> = plan_inputs
        .into_values()
        .flatten()
        .filter_map(|(path, text)| Some((path.clone(), text?)).filter(|_| path.ends_with(".md")))
        .collect();
    let mut plan_folders = Vec::with_capacity(folders.len());
    for (f, d) in folders {
        plan_folders.push(f);
        diagnostics.extend(d);
    }
    Ok(timings.time("model", || {
        let mut project = Project::build(Inputs {
            title: config.title.clone(),
            folders: plan_folders,
            document_text,
            files: sources,
            scanned_files: scanned,
            diagnostics,
        });
        project.apply_severity(&config.severity);
        project
    }))
}

/// Builds the site: analyse, render every page, write the output folder (only files
/// whose bytes changed; stale files of an earlier build removed).
pub fn build(config: &Config) -> Result<Built> {
    let mut timings = Timings::default();
    let project = analyse(config, &mut timings)?;
    let theme = timings.time("theme", || load_theme(config))?;
    let engine = highlight::engine(config.highlighter);
    let cache_dir = config.root.join(CACHE_DIR);
    let (hl_dir, md_dir) = (cache_dir.join(HIGHLIGHT_CACHE), cache_dir.join(MARKDOWN_CACHE));
    let records = records_path(&cache_dir, &config.out);
    let ((highlighter, markdown), (manifest, intact)) = timings.time("cache-load", || {
        rayon::join(
            || {
                rayon::join(
                    || CachedHighlighter::from_shards(engine.as_ref(), read_shards(&hl_dir)).0,
                    || MarkdownCache::from_shards(read_shards(&md_dir)).0,
                )
            },
            || {
                let manifest = output::Manifest::read(&config.out, &records);
                let intact = manifest.intact_keys(&config.out);
                (manifest, intact)
            },
        )
    });
    let cache = RenderCache { intact, markdown };
    let highlighted = timings.time("highlight", || pages::highlight_sources(&project, &highlighter));
    let pages: Vec<Page> = timings
        .time("render", || pages::render_site(&project, &theme, &highlighter, &highlighted, &cache))?;
    let stats = timings.time("write", || output::write(&config.out, &pages, &manifest, &records))?;
    timings.time("cache-save", || {
        // Only the shards whose entries changed are written.
        for (i, bytes) in highlighter.dirty_shards() {
            save_cache(&shard_path(&hl_dir, i), &bytes);
        }
        for (i, bytes) in cache.markdown.dirty_shards() {
            save_cache(&shard_path(&md_dir, i), &bytes);
        }
        // The single-file cache of earlier versions.
        let _ = std::fs::remove_file(cache_dir.join("highlight.bin"));
    });
    Ok(Built { project, pages: pages.len(), written: stats.written, removed: stats.removed, timings })
}

/// The cache folder at the project root (it holds a `.gitignore` ignoring itself).
pub const CACHE_DIR: &str = ".tracemark-cache";

/// The highlight cache's folder inside [`CACHE_DIR`] (one file per shard).
pub const HIGHLIGHT_CACHE: &str = "highlight";

/// The rendered-markdown cache's folder inside [`CACHE_DIR`] (one file per shard).
pub const MARKDOWN_CACHE: &str = "markdown";

/// The records of one output folder (see `output`): `pages-<hash of its path>.txt`.
fn records_path(cache_dir: &std::path::Path, out: &std::path::Path) -> std::path::PathBuf {
    let hash = blake3::hash(out.to_string_lossy().as_bytes()).to_hex();
    cache_dir.join(format!("pages-{}.txt", &hash[..16]))
}

fn shard_path(dir: &std::path::Path, i: usize) -> std::path::PathBuf {
    dir.join(format!("{i:02x}.bin"))
}

/// The bytes of every shard file of a cache folder (`None` for a missing one).
fn read_shards(dir: &std::path::Path) -> Vec<Option<Vec<u8>>> {
    (0..crate::render::incremental::SHARDS)
        .into_par_iter()
        .map(|i| std::fs::read(shard_path(dir, i)).ok())
        .collect()
}

/// Saves one cache file: written to a temporary file then renamed, so a build that
/// is interrupted leaves the old cache or the new one, never half of one. A cache that
/// cannot be written costs the next build time, not correctness, so failures are ignored.
fn save_cache(path: &std::path::Path, bytes: &[u8]) {
    let Some(dir) = path.parent() else { return };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let Some(dir) = dir.parent() else { return };
    let ignore = dir.join(".gitignore");
    if !ignore.exists() {
        let _ = std::fs::write(&ignore, "# tracemark's build cache; safe to delete.\n*\n");
    }
    let tmp = path.with_extension("tmp");
    if std::fs::write(&tmp, bytes).is_ok() {
        let _ = std::fs::rename(&tmp, path);
    }
}

/// Renders every page of the site in memory, from scratch (no cache).
pub fn render(project: &Project, theme: &Theme, highlighter: &dyn Highlighter) -> Result<Vec<Page>> {
    let highlighted = pages::highlight_sources(project, highlighter);
    pages::render_site(project, theme, highlighter, &highlighted, &RenderCache::default())
}

/// Loads the theme: built-in templates, overridden by `themes/<name>/templates/*.html`
/// and `themes/<name>/static/*` when the config names a theme.
pub fn load_theme(config: &Config) -> Result<Theme> {
    let mut templates = Vec::new();
    let mut statics = Vec::new();
    if let Some(dir) = &config.theme_dir {
        let tdir = dir.join("templates");
        if tdir.is_dir() {
            for e in std::fs::read_dir(&tdir).with_context(|| format!("cannot read `{}`", tdir.display()))? {
                let e = e?;
                let name = e.file_name().to_string_lossy().into_owned();
                if name.ends_with(".html") {
                    let text = std::fs::read_to_string(e.path())
                        .with_context(|| format!("cannot read template `{}`", e.path().display()))?;
                    templates.push((name, text));
                }
            }
        }
        let sdir = dir.join("static");
        if sdir.is_dir() {
            for e in walkdir_files(&sdir)? {
                let bytes = std::fs::read(&e).with_context(|| format!("cannot read `{}`", e.display()))?;
                let rel = e.strip_prefix(&sdir).unwrap_or(&e).to_string_lossy().replace('\\', "/");
                statics.push((rel, bytes));
            }
        }
    }
    templates.sort();
    Theme::new(&templates, &statics)
}

fn walkdir_files(dir: &std::path::Path) -> Result<Vec<std::path::PathBuf>> {
    let mut out = Vec::new();
    for e in ignore::WalkBuilder::new(dir).standard_filters(false).build() {
        let e = e?;
        if e.file_type().is_some_and(|t| t.is_file()) {
            out.push(e.into_path());
        }
    }
    out.sort();
    Ok(out)
}

/// What the read stage gathered.
struct Loaded {
    /// Plan folder → its files (path, text for markdown/json).
    plan_inputs: BTreeMap<String, Vec<(String, Option<String>)>>,
    /// Files with markers.
    sources: Vec<SourceFile>,
    /// Text files scanned.
    scanned: usize,
    diagnostics: Vec<Diagnostic>,
}

enum Read {
    Text { text: String, encoding: Encoding },
    Skipped(Diagnostic),
    Binary { has_marker_bytes: bool },
}

fn read(config: &Config, f: &walk::WalkedFile) -> Read {
    if f.size > config.max_file_size {
        return Read::Skipped(
            Diagnostic::warning(
                Code::Unreadable,
                &f.rel,
                0,
                format!("skipped: {} bytes is over the limit of {} bytes", f.size, config.max_file_size),
            )
            .with_help("raise `max_file_size` in tracemark.toml, or exclude the file")
            .with_severity(Severity::Note),
        );
    }
    let bytes = match std::fs::read(&f.abs) {
        Ok(b) => b,
        Err(e) => {
            return Read::Skipped(Diagnostic::warning(
                Code::Unreadable,
                &f.rel,
                0,
                format!("cannot read: {e}"),
            ));
        }
    };
    if text::is_binary(&bytes) {
        let has = memchr::memmem::find(&bytes, b"@plan").is_some()
            || memchr::memmem::find(&bytes, b"@requirement").is_some();
        return Read::Binary { has_marker_bytes: has };
    }
    // Valid UTF-8 (the usual case) becomes the text without a copy; otherwise as
    // `text::decode` says.
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with('\u{feff}') {
                text.drain(..3);
            }
            Read::Text { text, encoding: Encoding::Utf8 }
        }
        Err(e) => {
            let d = text::decode(e.as_bytes());
            Read::Text { text: d.text.into_owned(), encoding: d.encoding }
        }
    }
}

fn load(config: &Config, files: &[walk::WalkedFile]) -> Loaded {
    struct One {
        plan_folder: Option<String>,
        plan_text: Option<String>,
        source: Option<SourceFile>,
        scanned: bool,
        diagnostics: Vec<Diagnostic>,
    }
    let ones: Vec<One> = files
        .par_iter()
        .map(|f| {
            let plan_folder = walk::plan_folder_of(config, &f.rel);
            let mut one =
                One { plan_folder, plan_text: None, source: None, scanned: false, diagnostics: Vec::new() };
            match read(config, f) {
                Read::Skipped(d) => one.diagnostics.push(d),
                Read::Binary { has_marker_bytes } => {
                    if has_marker_bytes {
                        one.diagnostics.push(
                            Diagnostic::warning(
                                Code::Unreadable,
                                &f.rel,
                                0,
                                "binary file contains marker text; not scanned",
                            )
                            .with_help("exclude it in tracemark.toml if it is a build artifact"),
                        );
                    }
                }
                Read::Text { text, encoding } => {
                    if encoding == Encoding::Windows1252 {
                        one.diagnostics.push(
                            Diagnostic::warning(
                                Code::Encoding,
                                &f.rel,
                                0,
                                "not valid UTF-8; read as Windows-1252",
                            )
                            .with_severity(Severity::Note)
                            .with_help("re-save the file as UTF-8"),
                        );
                    }
                    one.scanned = true;
                    let is_plan_text =
                        one.plan_folder.is_some() && (f.rel.ends_with(".md") || f.rel.ends_with(".json"));
                    if source::may_contain_markers(&text, &config.grammar) {
                        let scan = source::scan(&f.rel, &text, config.excerpt_lines, &config.grammar);
                        if !scan.markers.is_empty() {
                            one.source = Some(SourceFile {
                                path: f.rel.clone(),
                                language: Language::from_path(&f.rel),
                                text: if is_plan_text { String::new() } else { text.clone() },
                                markers: scan.markers,
                                traces: scan.traces,
                            });
                        }
                    }
                    if is_plan_text {
                        if let Some(s) = one.source.as_mut() {
                            s.text = text.clone();
                        }
                        one.plan_text = Some(text);
                    }
                }
            }
            one
        })
        .collect();
    let mut plan_inputs: BTreeMap<String, Vec<(String, Option<String>)>> = BTreeMap::new();
    let mut sources = Vec::new();
    let mut scanned = 0;
    let mut diagnostics = Vec::new();
    for (f, one) in files.iter().zip(ones) {
        scanned += usize::from(one.scanned);
        diagnostics.extend(one.diagnostics);
        if let Some(s) = one.source {
            sources.push(s);
        }
        if let Some(folder) = one.plan_folder {
            plan_inputs.entry(folder).or_default().push((f.rel.clone(), one.plan_text));
        }
    }
    Loaded { plan_inputs, sources, scanned, diagnostics }
}
