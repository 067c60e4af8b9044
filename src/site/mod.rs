//! The build: a flat list of timed stages — walk, read and scan the plan folders, parse
//! plans, read and scan the other files (markers and mentions), guides, model, results
//! (JUnit reports, when `test_results` names some), provenance (git), theme,
//! cache-load, highlight, render, write, cache-save — from a [`Config`] to a site
//! on disk. This is the only module that touches the file system (besides `config`):
//! it loads and saves the caches of `.tracemark-cache/` (highlighted files, rendered
//! markdown) and the output folder's manifest, which `render` only reads as bytes and
//! maps.

pub mod fresh;
pub mod output;
#[cfg(feature = "serve")]
pub mod serve;
pub mod walk;

use crate::cache::Cache;
use crate::config::Config;
use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::model::{Inputs, Project, SourceFile};
use crate::plan::{self, InputFile};
use crate::provenance::Provenance;
use crate::render::cache::CachedHighlighter;
use crate::render::highlight::{self, Highlighter};
use crate::render::incremental::{Key, MarkdownCache, RenderCache};
use crate::render::pages::{self, Page};
use crate::render::templates::Theme;
use crate::source::{self, Language};
use crate::text::{self, Encoding};
use anyhow::{Context, Result};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

/// How long each stage took, in order, and the process's peak memory after it.
#[derive(Debug, Default, Clone)]
pub struct Timings {
    /// (stage name, wall time).
    pub stages: Vec<(&'static str, Duration)>,
    /// For each stage (same index as `stages`), the peak resident set size of the
    /// process so far, in KiB (`VmHWM` of `/proc/self/status`); `None` where the
    /// platform does not say.
    pub peaks: Vec<Option<u64>>,
}

impl Timings {
    /// Runs `f` as the stage `name`: its wall time and the peak memory after it are
    /// recorded.
    pub fn time<T>(&mut self, name: &'static str, f: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let out = f();
        self.stages.push((name, start.elapsed()));
        self.peaks.push(peak_rss_kib());
        out
    }

    /// Total wall time of all stages.
    pub fn total(&self) -> Duration {
        self.stages.iter().map(|(_, d)| *d).sum()
    }
}

/// The peak resident set size of this process so far, in KiB (Linux: `VmHWM` of
/// `/proc/self/status`); `None` elsewhere or when it cannot be read.
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
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
    /// What the user should know about the output folder and the cache (symlinks
    /// replaced, user files overwritten, corrupt cache entries dropped).
    pub notices: Vec<output::Notice>,
    /// Per-stage timings.
    pub timings: Timings,
    /// The output folder was up to date and no input changed since the build that
    /// wrote it, as the files' `lstat`s tell ([`fresh`]): nothing was read, and
    /// `project` holds only the counts of its summary that the command line prints
    /// and the findings, as that build recorded them.
    pub reused: bool,
}

/// One file the build read (a plan document, a source scanned for markers,
/// `tracemark.toml`, a theme file under the root; binary files too): its path relative
/// to the root, the SHA-256 of its bytes (lower-case hex) and its size. The hash is
/// taken from the bytes the build read, before they are decoded.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct InputDigest {
    /// Path relative to the project root, `/`-separated.
    pub path: String,
    /// SHA-256 of the bytes read, lower-case hex.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
}

/// The SHA-256 of `bytes` as lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    format!("{:x}", sha2::Sha256::digest(bytes))
}

/// Every file a build of `config`'s project would read now, with its SHA-256, sorted
/// by path: the walk's files within `max_file_size` that can be read and the test
/// reports of `test_results` (what [`analyse_inputs`] records, without scanning
/// anything).
pub fn input_digests(config: &Config) -> Vec<InputDigest> {
    let (files, _, _) = walk::walk(config);
    let mut digests: Vec<InputDigest> = files
        .par_iter()
        .filter(|f| f.size <= config.max_file_size)
        .filter_map(|f| {
            let bytes = std::fs::read(&f.abs).ok()?;
            Some(InputDigest { path: f.rel.clone(), sha256: sha256_hex(&bytes), bytes: bytes.len() as u64 })
        })
        .collect();
    if !config.test_results.is_empty() {
        // The test reports, read as the build reads them (often ignored files).
        digests.extend(read_test_reports(config, true).2);
        digests.sort();
        digests.dedup_by(|a, b| a.path == b.path);
    }
    digests
}

/// Reads the project and computes the cross-reference, without rendering. The
/// `[severity]` overrides of the configuration are applied here, so every consumer of
/// the result (`build`, `check`) sees the same findings.
pub fn analyse(config: &Config, timings: &mut Timings) -> Result<Project> {
    Ok(analyse_inputs(config, timings, false)?.0)
}

/// [`analyse`], also returning, when `hash` is set, every file read with its SHA-256
/// ([`InputDigest`]), sorted by path: the input manifest of an evidence bundle. Each
/// file is hashed from the bytes the read stage holds anyway, before they are decoded;
/// without `hash` (a site build, `check`) nothing is hashed and the list is empty.
pub fn analyse_inputs(
    config: &Config,
    timings: &mut Timings,
    hash: bool,
) -> Result<(Project, Vec<InputDigest>)> {
    let walked = timings.time("walk", || walk::walk(config));
    let cache = Cache::open(&config.root);
    let (project, inputs, _) = analyse_all(config, timings, hash, walked, &cache)?;
    // Nothing to report: a cache that could not be saved costs the next run time.
    let _ = timings.time("cache-save", || cache.commit(false));
    Ok((project, inputs))
}

/// What the walk found: the files, the plan roots and the folders it could not read.
type Walked = (Vec<walk::WalkedFile>, walk::PlanRoots, Vec<walk::WalkError>);

/// [`analyse_inputs`] of the files `walked`, also returning the fingerprint of everything the project was
/// made from (see [`fresh`]): the configuration, the walk, every file's bytes (blake3),
/// the guides, the test reports and the suspect facts.
fn analyse_all(
    config: &Config,
    timings: &mut Timings,
    hash: bool,
    walked: Walked,
    cache: &Cache,
) -> Result<(Project, Vec<InputDigest>, crate::render::incremental::Key)> {
    let mut fingerprint = fresh::Fingerprint::new("analysis");
    config_fingerprint(config, &mut fingerprint);
    let (files, roots, walk_errors) = walked;
    fingerprint.debug(&roots);
    for e in &walk_errors {
        fingerprint.str(&e.rel);
        fingerprint.str(&e.message);
    }
    // Plan folders first: their requirement IDs are what the other files' mentions
    // are looked for.
    let (plan_files, other_files): (Vec<&walk::WalkedFile>, Vec<&walk::WalkedFile>) =
        files.iter().partition(|f| walk::plan_folder_of(&roots, &f.rel).is_some());
    let loaded = timings.time("read+scan plans", || load(config, &roots, &plan_files, hash, None));
    let Loaded { plan_inputs, mut sources, mut scanned, mut diagnostics, mut inputs, content, .. } = loaded;
    fingerprint.bytes(&content);
    for e in walk_errors {
        diagnostics.push(
            Diagnostic::warning(Code::Unreadable, &e.rel, 0, format!("could not be read: {}", e.message))
                .with_help("fix its permissions, or exclude it in tracemark.toml"),
        );
    }
    let no_plans = !roots.configured && plan_inputs.is_empty();
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
    let ids = source::mention::MentionIds::new(
        folders
            .iter()
            .flat_map(|(f, _)| f.plans.iter())
            .flat_map(|p| p.requirements.iter())
            .map(|r| r.id.as_str()),
    );
    let rest = timings.time("read+scan", || load(config, &roots, &other_files, hash, Some(&ids)));
    fingerprint.bytes(&rest.content);
    sources.extend(rest.sources);
    scanned.extend(rest.scanned);
    scanned.sort();
    diagnostics.extend(rest.diagnostics);
    inputs.extend(rest.inputs);
    inputs.sort();
    let mentions = rest.mentions;
    let document_text: HashMap<String, String> = plan_inputs
        .into_values()
        .flatten()
        .filter_map(|(path, text)| Some((path.clone(), text?)).filter(|_| path.ends_with(".md")))
        .collect();
    let guides = timings.time("guides", || read_guides(config, &files, &mut diagnostics));
    fingerprint.json(&guides);
    let mut plan_folders = Vec::with_capacity(folders.len());
    for (f, d) in folders {
        plan_folders.push(f);
        diagnostics.extend(d);
    }
    let mut project = timings.time("model", || {
        let mut project = Project::build(Inputs {
            title: config.title.clone(),
            folders: plan_folders,
            document_text,
            files: sources,
            scanned,
            diagnostics,
            mentions,
            guides,
        });
        if no_plans {
            project.report_no_plans(&walk::plan_like_folders(&files));
        }
        project
    });
    if !config.test_results.is_empty() {
        let (reports, unmatched, digests) = timings.time("results", || read_test_reports(config, hash));
        fingerprint.debug(&(&reports, &unmatched));
        crate::results::apply(&mut project, reports, &unmatched);
        // The reports are inputs too (some may be scanned files already).
        inputs.extend(digests);
        inputs.sort();
        inputs.dedup_by(|a, b| a.path == b.path);
    }
    timings.time("suspect", || suspect_links(config, &mut project, cache));
    fingerprint.json(&project.suspects);
    project.apply_severity(&config.severity);
    Ok((project, inputs, fingerprint.finish()))
}

/// Adds what the configuration says about the site to a fingerprint: every setting
/// (the include and exclude globs through the `tracemark.toml` hash, the only place
/// they come from) and the root and output folders.
fn config_fingerprint(config: &Config, f: &mut fresh::Fingerprint) {
    let Config {
        root,
        title,
        out,
        force: _,
        plans,
        plans_configured,
        include: _,
        exclude: _,
        theme_dir,
        excerpt_lines,
        max_file_size,
        highlighter,
        guides,
        test_results,
        diff_base,
        severity,
        grammar,
        repo_url,
        forge,
        sha256,
    } = config;
    f.debug(&(
        root,
        title,
        out,
        plans,
        plans_configured,
        theme_dir,
        excerpt_lines,
        max_file_size,
        highlighter,
    ));
    f.debug(&(guides, &test_results.globs, diff_base, severity, grammar, repo_url, forge, sha256));
}

/// Reads the JUnit reports named by `test_results`: every regular file under the globs'
/// base folders whose root-relative path a glob matches, sorted by path. Symbolic links
/// are not followed (a symlinked report is refused with a finding), `.git` is skipped,
/// and a file over [`crate::results::MAX_REPORT_BYTES`] is not read. Also returns the
/// globs that matched no file and, when `hash` is set, each report read with its
/// SHA-256 ([`InputDigest`]).
fn read_test_reports(
    config: &Config,
    hash: bool,
) -> (Vec<crate::results::ReportInput>, Vec<String>, Vec<InputDigest>) {
    use crate::results::MAX_REPORT_BYTES;
    let t = &config.test_results;
    let mut paths: Vec<(String, std::path::PathBuf, bool)> = Vec::new();
    for base in t.bases() {
        let dir = if base.is_empty() { config.root.clone() } else { config.root.join(&base) };
        if !std::fs::symlink_metadata(&dir).is_ok_and(|m| m.is_dir()) {
            continue;
        }
        let out = config.out.clone();
        let walker = ignore::WalkBuilder::new(&dir)
            .standard_filters(false)
            .follow_links(false)
            .filter_entry(move |e| e.file_name() != ".git" && e.file_name() != CACHE_DIR && e.path() != out)
            .build();
        for e in walker.flatten() {
            let Some(ft) = e.file_type() else { continue };
            if ft.is_dir() {
                continue;
            }
            let Ok(rel) = e.path().strip_prefix(&config.root) else { continue };
            let Some(rel) = rel.to_str().map(|r| r.replace('\\', "/")) else { continue };
            if e.path().starts_with(&config.out) || !t.set.is_match(&rel) {
                continue;
            }
            paths.push((rel, e.path().to_path_buf(), ft.is_symlink()));
        }
    }
    paths.sort();
    paths.dedup_by(|a, b| a.0 == b.0);
    let unmatched: Vec<String> = t
        .globs
        .iter()
        .filter(|g| {
            let one = globset::Glob::new(g).map(|g| g.compile_matcher());
            !one.is_ok_and(|m| paths.iter().any(|(rel, _, _)| m.is_match(rel)))
        })
        .cloned()
        .collect();
    let reports: Vec<(crate::results::ReportInput, Option<InputDigest>)> = paths
        .into_par_iter()
        .map(|(rel, path, symlink)| {
            let mut digest = None;
            let refuse = |why: String| {
                Err(Diagnostic::new(Code::InvalidTestReport, &rel, 0, why)
                    .with_help("point `test_results` at the report itself, inside the project root"))
            };
            let text = if symlink {
                refuse("is a symbolic link; a report is not read through a link".into())
            } else {
                match std::fs::symlink_metadata(&path) {
                    Ok(m) if m.len() > MAX_REPORT_BYTES => refuse(format!(
                        "is {} MiB, over the {} MiB cap for a test report; not read",
                        m.len() >> 20,
                        MAX_REPORT_BYTES >> 20
                    )),
                    _ => match output::read_file(&path) {
                        Ok(bytes) => {
                            if hash {
                                digest = Some(InputDigest {
                                    path: rel.clone(),
                                    sha256: sha256_hex(&bytes),
                                    bytes: bytes.len() as u64,
                                });
                            }
                            Ok(text::decode(&bytes).text.into_owned())
                        }
                        Err(e) => refuse(format!("could not be read: {e}")),
                    },
                }
            };
            ((rel, text), digest)
        })
        .collect();
    let (reports, digests): (Vec<_>, Vec<_>) = reports.into_iter().unzip();
    (reports, unmatched, digests.into_iter().flatten().collect())
}

/// Builds the site: analyse, render every page, write the output folder (only files
/// whose bytes changed; stale files of an earlier build removed; see [`output`]).
///
/// Errors: the output folder is refused (see [`output::Folder::open`]; before anything
/// is read), a template fails, a file cannot be written.
pub fn build(config: &Config) -> Result<Built> {
    let folder = output::Folder::open(&config.root, &config.out, config.force)?;
    Ok(produce(config, Some(&folder), false)?.0)
}

/// The site rendered in memory, written nowhere (an evidence bundle's content).
pub struct Rendered {
    /// What the build produced (`written` and `removed` are 0).
    pub built: Built,
    /// Every file of the site with its bytes, sorted by path.
    pub pages: Vec<Page>,
    /// Every file read, sorted by path ([`analyse_inputs`]).
    pub inputs: Vec<InputDigest>,
    /// The commit the pages show (its notes are among the build's notices).
    pub provenance: Provenance,
}

/// Builds the site in memory: every page rendered (none reused from an output folder),
/// nothing written but the caches of `.tracemark-cache/`, which make it as fast as a
/// rebuild and give the same bytes as a clean build.
pub fn render_in_memory(config: &Config) -> Result<Rendered> {
    let (built, pages, inputs, provenance) = produce(config, None, true)?;
    Ok(Rendered { built, pages, inputs, provenance })
}

/// The stages of a build; with an output folder, the pages are written into it
/// (pages unchanged since the build that wrote it are not even rendered), without
/// one every page is rendered and returned.
fn produce(
    config: &Config,
    folder: Option<&output::Folder>,
    hash: bool,
) -> Result<(Built, Vec<Page>, Vec<InputDigest>, Provenance)> {
    let mut timings = Timings::default();
    let walk_start = std::time::SystemTime::now();
    let walked = timings.time("walk", || walk::walk(config));
    let provenance =
        timings.time("provenance", || Provenance::read(&config.root, &config.provenance_settings()));
    let theme = timings.time("theme", || load_theme(config))?;
    let engine = highlight::engine(config.highlighter);
    let cache = Cache::open(&config.root);
    let mut notices = Vec::new();
    notices.extend(provenance.notes.iter().map(|n| output::Notice {
        path: n.subject.into(),
        message: n.message.clone(),
        help: n.help.into(),
    }));
    let manifest_path = folder.and_then(|f| cache.manifest_path(&f.path));
    let record_path = manifest_path.as_ref().map(|p| p.with_extension("fresh"));
    // Nothing changed since the last build, as the files' `lstat`s tell: nothing is read.
    let stats = folder.and_then(|_| {
        timings.time("stat-check", || {
            let stats = stat_fingerprint(config, &walked, &provenance, &theme, engine.name(), walk_start)?;
            let (Some(folder), Some(manifest), Some(record)) = (folder, &manifest_path, &record_path) else {
                return Some((stats, None));
            };
            let reused = up_to_date(folder, manifest, record, |r| r.stats == Some(stats))
                .and_then(|r| Some((usize::try_from(r.pages).ok()?, outcome_project(&r.outcome)?)));
            Some((stats, reused))
        })
    });
    let (stats, reused) = stats.map_or((None, None), |(s, r)| (Some(s), r));
    if let Some((pages, project)) = reused {
        let built = Built { project, pages, written: 0, removed: 0, reused: true, notices, timings };
        return Ok((built, Vec::new(), Vec::new(), provenance));
    }
    let (project, inputs, analysis) = analyse_all(config, &mut timings, hash, walked, &cache)?;
    let (history, history_entry) =
        timings.time("history", || read_history(config, &project, &provenance, &cache));
    let diff = config.diff_base.as_deref().and_then(|base| {
        timings.time("diff", || {
            match crate::revdiff::against(&config.root, base, &project, provenance.commit.as_deref()) {
                Ok(d) => Some(d),
                Err(e) => {
                    notices.push(output::Notice {
                        path: "diff_base".into(),
                        message: format!("no comparison with `{base}`: {e:#}"),
                        help: "name a revision of the repository (`origin/main`, a tag, a commit), or fetch it first".into(),
                    });
                    None
                }
            }
        })
    });
    let (fingerprint, fresh) = timings.time("up-to-date", || {
        // The site's fingerprint: what the analysis read, and what the pages show besides.
        let mut f = fresh::Fingerprint::new("site");
        f.bytes(&analysis);
        f.debug(&provenance);
        f.json(&history);
        f.json(&diff);
        f.bytes(&theme.hash);
        f.str(engine.name());
        let fingerprint = f.finish();
        let fresh = match (folder, &manifest_path, &record_path) {
            (Some(folder), Some(manifest), Some(record)) => {
                up_to_date(folder, manifest, record, |r| r.fingerprint == fingerprint)
            }
            _ => None,
        };
        (fingerprint, fresh)
    });
    if let Some(record) = fresh {
        timings.time("cache-save", || {
            if let Some(entry) = &history_entry {
                cache.set_git_output(crate::cache::HISTORY, entry);
            }
            notices.extend(cache.commit(false));
            // The same site, but the files' `lstat`s changed (touched, a racy build
            // before): recorded anew so that the next build can tell from them.
            if let (Some(path), Some(stats)) = (&record_path, stats)
                && record.stats != Some(stats)
            {
                let _ =
                    output::replace(path, &fresh::Record { stats: Some(stats), ..record.clone() }.to_bytes());
            }
        });
        let pages = usize::try_from(record.pages).unwrap_or(0);
        let built = Built { project, pages, written: 0, removed: 0, reused: false, notices, timings };
        return Ok((built, Vec::new(), inputs, provenance));
    }
    let (manifest, intact) = timings.time("cache-load", || match folder {
        Some(folder) => {
            let manifest = output::Manifest::read(folder, manifest_path.as_deref());
            let intact = manifest.intact_keys(folder);
            (Some(manifest), intact)
        }
        None => (None, HashMap::new()),
    });
    let highlighter = CachedHighlighter::new(engine.as_ref(), &cache);
    let render_cache = RenderCache { intact, markdown: MarkdownCache::new(&cache) };
    let highlighted = timings.time("highlight", || pages::highlight_sources(&project, &highlighter));
    // A new or empty output folder gets each page as it is rendered (nothing to compare
    // with or keep: the site is never held in memory); any other, the whole site at once.
    let mut stream = match folder {
        Some(folder) => {
            cache.create_dir();
            output::Stream::open(folder, manifest_path.as_deref())?
        }
        None => None,
    };
    let put = |page: Page| match &stream {
        Some(s) => s.put(page),
        None => Ok(page),
    };
    let pages: Vec<Page> = timings.time("render", || {
        pages::render_site(
            &project,
            &provenance,
            pages::GitFacts { history: &history, diff: diff.as_ref() },
            &theme,
            &highlighter,
            &highlighted,
            pages::Output { cache: &render_cache, put: &put },
        )
    })?;
    let stats = match (folder, &manifest) {
        (Some(folder), Some(manifest)) => timings.time("write", || -> Result<output::WriteStats> {
            cache.create_dir();
            // Only a build that wrote its folder completely leaves a record.
            if let Some(record) = &record_path {
                let _ = std::fs::remove_file(record);
            }
            let written = match stream.take() {
                Some(stream) => stream.finish(manifest_path.as_deref())?,
                None => output::write(folder, &pages, manifest, manifest_path.as_deref())?,
            };
            if let (Some(record), Some(digest)) = (&record_path, written.manifest) {
                let r = fresh::Record {
                    fingerprint,
                    manifest: digest,
                    pages: pages.len() as u64,
                    stats,
                    outcome: outcome_of(&project),
                };
                let _ = output::replace(record, &r.to_bytes());
            }
            Ok(written)
        })?,
        _ => output::WriteStats::default(),
    };
    notices.extend(stats.notices);
    drop(render_cache);
    timings.time("cache-save", || {
        if let Some(entry) = &history_entry {
            cache.set_git_output(crate::cache::HISTORY, entry);
        }
        notices.extend(cache.commit(true));
    });
    let built = Built {
        project,
        pages: pages.len(),
        written: stats.written,
        removed: stats.removed,
        reused: false,
        notices,
        timings,
    };
    Ok((built, pages, inputs, provenance))
}

/// Whether the output folder already holds the site the record of the build that wrote
/// it describes, when `matches` accepts that record: the manifest now in the cache is
/// the one it recorded, every file it lists is intact, and no staging folder of a killed
/// build is pending. Returns the record.
fn up_to_date(
    folder: &output::Folder,
    manifest_path: &std::path::Path,
    record_path: &std::path::Path,
    matches: impl FnOnce(&fresh::Record) -> bool,
) -> Option<fresh::Record> {
    let record = fresh::Record::parse(&output::read_file(record_path).ok()?)?;
    if !matches(&record) || std::fs::symlink_metadata(manifest_path.with_extension("staging")).is_ok() {
        return None;
    }
    let manifest = output::Manifest::read(folder, Some(manifest_path));
    (manifest.digest() == Some(record.manifest) && manifest.all_intact(folder)).then_some(record)
}

/// The stat fingerprint of a build ([`fresh`]): the configuration, the walk with each
/// file's `lstat` fields, the `lstat` of the review record and of configured guides, the
/// git facts (commit, work tree state, dates; a shallow clone), the theme and the
/// highlighter. `None` when a file's times are within [`fresh::RACY_NS`] of the walk,
/// a file's `lstat` is unknown, or the build reads what a walk does not show (test
/// reports, a comparison with `diff_base`).
fn stat_fingerprint(
    config: &Config,
    walked: &Walked,
    provenance: &Provenance,
    theme: &Theme,
    engine: &str,
    walk_start: std::time::SystemTime,
) -> Option<Key> {
    if !config.test_results.is_empty() || config.diff_base.is_some() {
        return None;
    }
    let start = i128::try_from(walk_start.duration_since(std::time::UNIX_EPOCH).ok()?.as_nanos()).ok()?;
    let (files, roots, errors) = walked;
    let mut f = fresh::Fingerprint::new("stats");
    config_fingerprint(config, &mut f);
    f.debug(roots);
    f.debug(errors);
    for file in files {
        let stat = file.stat?;
        if stat.mtime > start - fresh::RACY_NS || stat.ctime > start - fresh::RACY_NS {
            return None;
        }
        f.str(&file.rel);
        f.debug(&stat);
    }
    let lstat = |rel: &str| std::fs::symlink_metadata(config.root.join(rel)).ok().map(|m| walk::Stat::of(&m));
    f.debug(&lstat(crate::suspect::REVIEWS));
    for guide in config.guides.iter().flatten() {
        f.debug(&lstat(guide));
    }
    f.debug(provenance);
    if provenance.commit.is_some() {
        let shallow = crate::provenance::git_command(&config.root)
            .args(["rev-parse", "--is-shallow-repository"])
            .output()
            .ok()?;
        f.bytes(&shallow.stdout);
    }
    f.bytes(&theme.hash);
    f.str(engine);
    Some(f.finish())
}

/// What a build reports, as its record keeps it.
fn outcome_of(project: &Project) -> fresh::Outcome {
    let s = &project.summary;
    fresh::Outcome {
        counts: [
            s.plans,
            s.requirements,
            s.covered_requirements,
            s.phases,
            s.phases_done,
            s.traces,
            s.code_traces,
            s.markers,
            s.marked_files,
            s.diagnostics,
        ],
        findings: project
            .diagnostics
            .iter()
            .map(|d| fresh::Finding {
                path: d.path.clone(),
                line: d.line,
                code: d.code.name().into(),
                severity: d.severity.to_string(),
                message: d.message.clone(),
                help: d.help.clone(),
                text: d.text.clone(),
            })
            .collect(),
    }
}

/// A project holding only what a recorded outcome keeps (see [`Built::reused`]);
/// `None` when a code or severity is not known to this version.
fn outcome_project(outcome: &fresh::Outcome) -> Option<Project> {
    let [
        plans,
        requirements,
        covered_requirements,
        phases,
        phases_done,
        traces,
        code_traces,
        markers,
        marked_files,
        diagnostics,
    ] = outcome.counts;
    let summary = crate::model::Summary {
        plans,
        requirements,
        covered_requirements,
        phases,
        phases_done,
        traces,
        code_traces,
        markers,
        marked_files,
        diagnostics,
        ..Default::default()
    };
    let diagnostics = outcome
        .findings
        .iter()
        .map(|f| {
            Some(Diagnostic {
                path: f.path.clone(),
                line: f.line,
                code: Code::from_name(&f.code)?,
                severity: Severity::ALL.into_iter().find(|s| s.to_string() == f.severity)?,
                message: f.message.clone(),
                help: f.help.clone(),
                text: f.text.clone(),
            })
        })
        .collect::<Option<Vec<_>>>()?;
    Some(Project { summary, diagnostics, ..Default::default() })
}

pub use crate::cache::CACHE_DIR;

/// The history facts of the project: from the cached log when it is the log of the
/// commit the site shows, else from `git log`; without a commit, only the markers'
/// plans. Returns the cache entry to save when git was asked.
fn read_history(
    config: &Config,
    project: &Project,
    provenance: &Provenance,
    cache: &Cache,
) -> (crate::history::Facts, Option<Vec<u8>>) {
    use crate::history::{Facts, Source, derive, read_log};
    let Some(head) = provenance.commit.as_deref() else {
        let reason = "the project is not in a git checkout (or git cannot read it)".to_string();
        return (Facts::without_history(project, reason), None);
    };
    let cached = cache.git_output(crate::cache::HISTORY);
    match read_log(&config.root, head, cached.as_deref()) {
        Ok(log) => {
            let source = Source::Read { commits: log.commits.len(), shallow: log.shallow };
            (derive(project, &log.commits, source), log.entry)
        }
        Err(reason) => (Facts::without_history(project, reason), None),
    }
}

/// Runs the suspect-link analysis ([`crate::suspect`]) unless `suspect-trace` is turned
/// off, git gives no commit, or the clone is shallow (then `Project::suspects` says why),
/// and applies the review record.
fn suspect_links(config: &Config, project: &mut Project, cache: &Cache) {
    use crate::suspect::{Facts, Reviews, analyse, apply};
    let unavailable = |project: &mut Project, why: &str| {
        project.suspects = Some(Facts { unavailable: Some(why.into()), ..Facts::default() });
    };
    if config.severity.get(&Code::SuspectTrace).is_some_and(|s| s.is_none()) {
        return unavailable(project, "turned off (`suspect-trace = \"off\"` in [severity])");
    }
    let git = |args: &[&str]| {
        crate::provenance::git_command(&config.root)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let Some(head) = git(&["rev-parse", "--verify", "-q", "HEAD"]) else {
        return unavailable(project, "no git history (not a git checkout, or no commit yet)");
    };
    if git(&["rev-parse", "--is-shallow-repository"]).as_deref() == Some("true") {
        return unavailable(
            project,
            "the clone is shallow: older commits are missing (fetch them with `git fetch --unshallow`)",
        );
    }
    let reviews = match Reviews::read(&config.root) {
        Ok(r) => r.unwrap_or_default(),
        Err((line, message)) => {
            project.diagnostics.push(
                Diagnostic::warning(Code::InvalidReviews, crate::suspect::REVIEWS, line, message).with_help(
                    "fix it (`tracemark review` writes it), or delete it and record the reviews again",
                ),
            );
            Reviews::default()
        }
    };
    let cached = cache.git_output(crate::cache::SUSPECT);
    let analysis = analyse(&config.root, project, &head, cached.as_deref());
    if let Some(bytes) = &analysis.save {
        cache.set_git_output(crate::cache::SUSPECT, bytes);
    }
    apply(project, analysis.facts, reviews);
}

/// Renders every page of the site in memory, from scratch (no cache).
pub fn render(
    project: &Project,
    provenance: &Provenance,
    theme: &Theme,
    highlighter: &dyn Highlighter,
) -> Result<Vec<Page>> {
    let cache = crate::cache::Cache::in_memory();
    let highlighter = CachedHighlighter::new(highlighter, &cache);
    let highlighted = pages::highlight_sources(project, &highlighter);
    let history = crate::history::Facts::without_history(project, "not read for this rendering".into());
    pages::render_site(
        project,
        provenance,
        pages::GitFacts { history: &history, diff: None },
        theme,
        &highlighter,
        &highlighted,
        pages::Output { cache: &RenderCache::new(&cache), put: &Ok },
    )
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
    /// Text files scanned, by path from the root, in walk (path) order.
    scanned: Vec<String>,
    diagnostics: Vec<Diagnostic>,
    /// Every file read, sorted by path.
    inputs: Vec<InputDigest>,
    /// Mentions of known requirement IDs, by file (only files that have some).
    mentions: Vec<(String, Vec<source::mention::Mention>)>,
    /// The files' part of the build's fingerprint: each path with the blake3 of its
    /// bytes (or of why it was not read), in walk order.
    content: Key,
}

enum Read {
    Text { text: String, encoding: Encoding, cp1252_lines: Vec<u32> },
    Skipped(Diagnostic),
    Binary { has_marker_bytes: bool },
}

/// The process guides: those `guides` names, else the markdown files directly in
/// `dev-docs/` and `docs/` whose name says so ([`crate::config::is_guide_name`]).
/// A configured guide the walk did not find is read only when it is a regular file
/// (not a symbolic link) inside the root; one that cannot be read gives a finding.
fn read_guides(
    config: &Config,
    files: &[walk::WalkedFile],
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<crate::model::Guide> {
    let wanted: Vec<(String, Option<&walk::WalkedFile>)> = match &config.guides {
        Some(list) => list.iter().map(|g| (g.clone(), files.iter().find(|f| f.rel == *g))).collect(),
        None => files
            .iter()
            .filter(|f| {
                let (dir, name) = f.rel.rsplit_once('/').unwrap_or(("", &f.rel));
                matches!(dir, "dev-docs" | "docs") && crate::config::is_guide_name(name)
            })
            .map(|f| (f.rel.clone(), Some(f)))
            .collect(),
    };
    let mut out = Vec::new();
    for (rel, walked) in wanted {
        let abs = config.root.join(&rel);
        let inside = || {
            let meta = std::fs::symlink_metadata(&abs).ok()?;
            let root = config.root.canonicalize().ok()?;
            let real = abs.canonicalize().ok()?;
            (meta.is_file() && real.starts_with(root) && meta.len() <= config.max_file_size).then_some(())
        };
        let bytes = match walked {
            Some(f) if f.size <= config.max_file_size => std::fs::read(&f.abs).ok(),
            Some(_) => None,
            None => inside().and_then(|()| std::fs::read(&abs).ok()),
        };
        match bytes.map(decode) {
            Some(Read::Text { text, .. }) => {
                let title = text
                    .lines()
                    .find_map(|l| l.trim_start().strip_prefix('#').map(|h| h.trim_start_matches('#').trim().to_string()))
                    .filter(|t| !t.is_empty())
                    .unwrap_or_else(|| rel.rsplit('/').next().unwrap_or(&rel).to_string());
                out.push(crate::model::Guide { path: rel, title, text });
            }
            _ => diagnostics.push(
                Diagnostic::warning(Code::Unreadable, &rel, 0, "process guide could not be read")
                    .with_help("name a markdown file inside the project (not a symbolic link, within max_file_size) in tracemark.toml"),
            ),
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out.dedup_by(|a, b| a.path == b.path);
    out
}

/// A `skipped-file` finding for a file that was not read.
fn skipped(rel: &str, reason: String, help: &str) -> Diagnostic {
    Diagnostic::new(Code::SkippedFile, rel, 0, format!("skipped: {reason}")).with_help(help)
}

/// Reads one walked file; with `hash`, the SHA-256 of the bytes read, when they were
/// read. Also the file's part of the build's fingerprint: blake3 of the bytes, or of
/// the finding saying why it was not read.
fn read(config: &Config, f: &walk::WalkedFile, hash: bool) -> (Read, Option<InputDigest>, Key) {
    let (read, digest, content) = read_bytes(config, f, hash);
    let content = content.unwrap_or_else(|| match &read {
        Read::Skipped(d) => *blake3::hash(format!("{d:?}").as_bytes()).as_bytes(),
        _ => [0; 32],
    });
    (read, digest, content)
}

fn read_bytes(config: &Config, f: &walk::WalkedFile, hash: bool) -> (Read, Option<InputDigest>, Option<Key>) {
    if f.size > config.max_file_size {
        let reason = format!("{} bytes is over the limit of {} bytes", f.size, config.max_file_size);
        return (
            Read::Skipped(skipped(
                &f.rel,
                reason,
                "raise `max_file_size` in tracemark.toml, or exclude the file",
            )),
            None,
            None,
        );
    }
    let bytes = match std::fs::read(&f.abs) {
        Ok(b) => b,
        Err(e) => {
            let d = skipped(
                &f.rel,
                format!("cannot be read: {}", io_reason(&e)),
                "fix its permissions, or exclude it",
            )
            .with_severity(Severity::Warning);
            return (Read::Skipped(d), None, None);
        }
    };
    let digest = hash.then(|| InputDigest {
        path: f.rel.clone(),
        sha256: sha256_hex(&bytes),
        bytes: bytes.len() as u64,
    });
    let content = *blake3::hash(&bytes).as_bytes();
    (decode(bytes), digest, Some(content))
}

/// The bytes of a file read: binary, or text decoded (see [`text::decode`]).
fn decode(bytes: Vec<u8>) -> Read {
    // UTF-16 holds NUL bytes: its byte-order mark is looked at before binary detection.
    if text::utf16_bom(&bytes).is_none() && text::is_binary(&bytes) {
        let has = memchr::memmem::find(&bytes, b"@plan").is_some()
            || memchr::memmem::find(&bytes, b"@requirement").is_some();
        return Read::Binary { has_marker_bytes: has };
    }
    // Valid UTF-8 (the usual case) becomes the text without a copy; otherwise as
    // `text::decode` says.
    let (mut text, encoding, cp1252_lines) = match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with('\u{feff}') {
                text.drain(..3);
            }
            (text, Encoding::Utf8, Vec::new())
        }
        Err(e) => {
            let d = text::decode(e.as_bytes());
            (d.text.into_owned(), d.encoding, d.cp1252_lines)
        }
    };
    text::normalise_lone_cr(&mut text);
    Read::Text { text, encoding, cp1252_lines }
}

/// An I/O error's message without the path (the finding carries the relative one).
fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::NotFound => "not found (removed during the build?)".into(),
        _ => e.to_string(),
    }
}

/// Whether a binary file is worth a `skipped-file` note: one whose name says text
/// (a source language, markdown, plain text or JSON) or that lies in a plan folder.
/// Images and archives are not text and skipping them loses nothing.
fn looks_like_text(rel: &str, in_plan_folder: bool) -> bool {
    let lower = rel.to_ascii_lowercase();
    in_plan_folder
        || Language::from_path(rel) != Language::Other
        || [".txt", ".json", ".log", ".xml", ".csv"].iter().any(|e| lower.ends_with(e))
}

/// The 1-based lines as a short list for a message: `3, 7, 12` (at most ten, then `…`).
fn line_list(lines: &[u32]) -> String {
    let mut s: Vec<String> = lines.iter().take(10).map(u32::to_string).collect();
    if lines.len() > 10 {
        s.push(format!("… ({} lines in all)", lines.len()));
    }
    s.join(", ")
}

/// Reads and scans `files`; with `mention_ids`, also finds the mentions of those
/// requirement IDs in source files ([`source::mention`]).
fn load(
    config: &Config,
    roots: &walk::PlanRoots,
    files: &[&walk::WalkedFile],
    hash: bool,
    mention_ids: Option<&source::mention::MentionIds>,
) -> Loaded {
    struct One {
        plan_folder: Option<String>,
        plan_text: Option<String>,
        source: Option<SourceFile>,
        mentions: Vec<source::mention::Mention>,
        scanned: bool,
        diagnostics: Vec<Diagnostic>,
        digest: Option<InputDigest>,
        content: Key,
    }
    let ones: Vec<One> = files
        .par_iter()
        .map(|f| {
            let plan_folder = walk::plan_folder_of(roots, &f.rel);
            let (read, digest, content) = read(config, f, hash);
            let mut one = One {
                plan_folder,
                plan_text: None,
                source: None,
                mentions: Vec::new(),
                scanned: false,
                diagnostics: Vec::new(),
                digest,
                content,
            };
            match read {
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
                    } else if looks_like_text(&f.rel, one.plan_folder.is_some()) {
                        one.diagnostics.push(skipped(
                            &f.rel,
                            "binary: it holds a NUL byte".into(),
                            "remove the NUL bytes (or re-save it as UTF-8 text), or exclude the file",
                        ));
                    }
                }
                Read::Text { text, encoding, cp1252_lines } => {
                    let lines = line_list(&cp1252_lines);
                    let note = match encoding {
                        Encoding::Utf8 | Encoding::Utf16Le | Encoding::Utf16Be => None,
                        Encoding::Windows1252 => {
                            Some(format!("not valid UTF-8; read as Windows-1252 (lines {lines})"))
                        }
                        Encoding::MixedWindows1252 => Some(format!(
                            "not valid UTF-8 on lines {lines}; those bytes were read as Windows-1252, the rest as UTF-8"
                        )),
                    };
                    if let Some(message) = note {
                        let line = cp1252_lines.first().copied().unwrap_or(0);
                        one.diagnostics.push(
                            Diagnostic::new(Code::Encoding, &f.rel, line, message).with_help("re-save the file as UTF-8"),
                        );
                    }
                    one.scanned = true;
                    let is_plan_text =
                        one.plan_folder.is_some() && (f.rel.ends_with(".md") || f.rel.ends_with(".json"));
                    let mut markers: &[source::Marker] = &[];
                    let scan = source::may_contain_markers(&text, &config.grammar)
                        .then(|| source::scan(&f.rel, &text, config.excerpt_lines, &config.grammar));
                    if let Some(scan) = &scan {
                        markers = &scan.markers;
                    }
                    if let Some(ids) = mention_ids.filter(|_| !is_plan_text) {
                        one.mentions = source::mention::find(Language::from_path(&f.rel), &text, ids, markers);
                    }
                    if let Some(scan) = scan.filter(|s| !s.markers.is_empty()) {
                        one.source = Some(SourceFile {
                            path: f.rel.clone(),
                            language: Language::from_path(&f.rel),
                            text: if is_plan_text { Default::default() } else { text.as_str().into() },
                            markers: scan.markers,
                            traces: scan.traces,
                        });
                    }
                    if is_plan_text {
                        if let Some(s) = one.source.as_mut() {
                            s.text = text.as_str().into();
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
    let mut scanned = Vec::new();
    let mut diagnostics = Vec::new();
    let mut inputs = Vec::with_capacity(files.len());
    let mut mentions = Vec::new();
    let mut content = fresh::Fingerprint::new("files");
    for (f, one) in files.iter().zip(ones) {
        content.str(&f.rel);
        content.bytes(&one.content);
        if !one.mentions.is_empty() {
            mentions.push((f.rel.clone(), one.mentions));
        }
        if one.scanned {
            scanned.push(f.rel.clone());
        }
        inputs.extend(one.digest);
        diagnostics.extend(one.diagnostics);
        if let Some(s) = one.source {
            sources.push(s);
        }
        if let Some(folder) = one.plan_folder {
            plan_inputs.entry(folder).or_default().push((f.rel.clone(), one.plan_text));
        }
    }
    Loaded { plan_inputs, sources, scanned, diagnostics, inputs, mentions, content: content.finish() }
}
