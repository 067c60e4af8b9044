//! Walking the project tree: every file under the root, honouring `.gitignore` (and
//! `.ignore`, `.git/info/exclude`) through the `ignore` crate, skipping `.git`,
//! `node_modules`, `target`, the output folder, any folder holding tracemark's output
//! marker (an earlier build's output) and tracemark's staging folders (a site being
//! built), then the config's include/exclude globs. Files git tracks are read even when
//! a `.gitignore` pattern matches them (git ignores only untracked files).
//! Hidden files are kept: `.completed/` records live in hidden folders.
//!
//! Where the plans are ([`PlanRoots`]): the configured `plans` roots, else the roots
//! found in the tree — every `project-plans/` folder at most [`MAX_ROOT_DEPTH`]
//! folders deep (`project-plans/`, `workflow/project-plans/`, `docs/project-plans/`)
//! and spec-dev's `.spec-dev/active-dev/`, one plan folder of its own.

use crate::config::Config;
use ignore::{WalkBuilder, WalkState};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Folder names never descended into.
pub const SKIPPED_DIRS: &[&str] = &[".git", "node_modules", "target", super::CACHE_DIR];

/// One file found by the walk.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct WalkedFile {
    /// Path relative to the root, `/`-separated.
    pub rel: String,
    /// Absolute path.
    pub abs: PathBuf,
    /// Size in bytes (from the directory entry's metadata; 0 if unknown).
    pub size: u64,
    /// What `lstat` said when the file was walked (`None` where unknown): whether it
    /// changed since an earlier build ([`super::fresh`]).
    pub stat: Option<Stat>,
}

/// A file's `lstat` fields that change when its content may have: size, modification
/// and change time (nanoseconds), inode and device. As in git's index, the change time
/// and inode catch a content change that keeps the size and sets the modification time
/// back (`touch -d`), at the price of treating a file as changed after a `chmod`, a new
/// hard link or a checkout that rewrote it unchanged (which costs time, not correctness).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Stat {
    /// Size in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the epoch.
    pub mtime: i128,
    /// Status change time, nanoseconds since the epoch.
    pub ctime: i128,
    /// Inode number.
    pub ino: u64,
    /// Device number.
    pub dev: u64,
}

impl Stat {
    /// The fields of `meta` (`None` off Unix, where they are not all known).
    pub fn of(meta: &std::fs::Metadata) -> Option<Stat> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let ns = |s: i64, n: i64| i128::from(s) * 1_000_000_000 + i128::from(n);
            Some(Stat {
                size: meta.len(),
                mtime: ns(meta.mtime(), meta.mtime_nsec()),
                ctime: ns(meta.ctime(), meta.ctime_nsec()),
                ino: meta.ino(),
                dev: meta.dev(),
            })
        }
        #[cfg(not(unix))]
        {
            let _ = meta;
            None
        }
    }
}

/// A folder or file the walk could not read: its path relative to the root (`.` for
/// the root itself) and the reason.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct WalkError {
    /// Path relative to the root, `/`-separated.
    pub rel: String,
    /// What went wrong (the operating system's message, without the path).
    pub message: String,
}

/// How many folders may enclose a `project-plans/` root found without configuration
/// (`a/b/project-plans/` is the deepest).
pub const MAX_ROOT_DEPTH: usize = 2;

/// The folder name of plan roots found without configuration.
pub const PLANS_DIR: &str = "project-plans";

/// spec-dev's working folder: one plan (`active-spec.md`, `active-plan.md`,
/// `active-tasks.md`, `active-implementation.md`).
pub const SPEC_DEV_DIR: &str = ".spec-dev/active-dev";

/// Where the plans of a project live, `/`-separated paths relative to the root.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanRoots {
    /// Plan roots: each folder under one is a plan folder, each `.md` file directly in
    /// one a one-file plan.
    pub roots: Vec<String>,
    /// Folders that are one plan folder each (spec-dev's `.spec-dev/active-dev`).
    pub folders: Vec<String>,
    /// True when the roots come from the configuration's `plans`.
    pub configured: bool,
}

impl PlanRoots {
    /// Whether no plan root or folder was configured or found.
    pub fn is_empty(&self) -> bool {
        self.roots.is_empty() && self.folders.is_empty()
    }
}

/// The plan roots: the configured `plans`, else those found among `files` (see the
/// module docs); shallower roots first, nested roots dropped.
pub fn plan_roots(config: &Config, files: &[WalkedFile]) -> PlanRoots {
    if config.plans_configured {
        return PlanRoots { roots: config.plans.clone(), folders: Vec::new(), configured: true };
    }
    let mut roots = std::collections::BTreeSet::new();
    let mut folders = std::collections::BTreeSet::new();
    for f in files {
        let mut dirs: Vec<&str> = f.rel.split('/').collect();
        dirs.pop();
        if let Some(i) = dirs.iter().take(MAX_ROOT_DEPTH + 1).position(|d| *d == PLANS_DIR) {
            roots.insert(dirs[..=i].join("/"));
        }
        let spec_dev: Vec<&str> = SPEC_DEV_DIR.split('/').collect();
        if let Some(i) =
            (0..=MAX_ROOT_DEPTH).find(|&i| dirs.get(i..i + spec_dev.len()) == Some(&spec_dev[..]))
        {
            folders.insert(dirs[..i + spec_dev.len()].join("/"));
        }
    }
    let roots: Vec<String> = roots.iter().filter(|r| !roots.iter().any(|o| under(r, o))).cloned().collect();
    let folders: Vec<String> = folders.into_iter().filter(|f| !roots.iter().any(|r| under(f, r))).collect();
    PlanRoots { roots, folders, configured: false }
}

/// Whether `path` lies strictly inside folder `dir`.
fn under(path: &str, dir: &str) -> bool {
    path.strip_prefix(dir).is_some_and(|r| r.starts_with('/'))
}

/// Folders that look like they hold plans, for the hint when no plan root is found:
/// folders at most three deep whose name mentions `plan` and that hold markdown
/// documents, with their document counts, most documents first (at most five).
pub fn plan_like_folders(files: &[WalkedFile]) -> Vec<(String, usize)> {
    let mut counts: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for f in files.iter().filter(|f| f.rel.to_ascii_lowercase().ends_with(".md")) {
        let mut dirs: Vec<&str> = f.rel.split('/').collect();
        dirs.pop();
        if let Some(i) =
            dirs.iter().take(MAX_ROOT_DEPTH + 1).position(|d| d.to_ascii_lowercase().contains("plan"))
        {
            *counts.entry(dirs[..=i].join("/")).or_default() += 1;
        }
    }
    let mut v: Vec<(String, usize)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v.truncate(5);
    v
}

/// Lists the project's files, sorted by relative path, with the plan roots. Unreadable
/// folders are skipped and returned as [`WalkError`]s, sorted, with paths relative to
/// the root. Files under the plan roots are kept whatever the `include` globs.
pub fn walk(config: &Config) -> (Vec<WalkedFile>, PlanRoots, Vec<WalkError>) {
    let root = config.root.clone();
    let out = config.out.clone();
    let files = Mutex::new(Vec::new());
    let errors = Mutex::new(Vec::new());
    let mut builder = WalkBuilder::new(&root);
    builder
        .hidden(false)
        .parents(false)
        .git_global(false)
        .require_git(false)
        .follow_links(false)
        .filter_entry(move |e| {
            let is_dir = e.file_type().is_some_and(|t| t.is_dir());
            // Skip the output folder, and any folder an earlier build wrote (it holds
            // the marker): its pages quote markers and must not be read as sources.
            !(is_dir
                && (SKIPPED_DIRS.iter().any(|s| e.file_name() == *s)
                    || e.path() == out
                    || super::output::is_staging(e.file_name())
                    || [super::output::MARKER, super::output::LEGACY_MANIFEST]
                        .iter()
                        .any(|m| e.path().join(m).is_file())))
        });
    builder.build_parallel().run(|| {
        let root = &root;
        let files = &files;
        let errors = &errors;
        Box::new(move |entry| {
            match entry {
                Ok(e) if e.file_type().is_some_and(|t| t.is_file()) => {
                    if let Some(rel) = relative(root, e.path()) {
                        let meta = e.metadata().ok();
                        let size = meta.as_ref().map_or(0, |m| m.len());
                        let stat = meta.as_ref().and_then(Stat::of);
                        files.lock().expect("walk lock").push(WalkedFile {
                            rel,
                            abs: e.into_path(),
                            size,
                            stat,
                        });
                    }
                }
                Ok(_) => {}
                Err(err) => errors.lock().expect("walk lock").push(walk_error(root, &err)),
            }
            WalkState::Continue
        })
    });
    let mut files = files.into_inner().expect("walk lock");
    files.extend(tracked_but_ignored(&root, &config.out));
    files.retain(|f| !config.exclude.is_match(&f.rel));
    files.sort();
    files.dedup_by(|a, b| a.rel == b.rel);
    let roots = plan_roots(config, &files);
    files.retain(|f| {
        config.include.as_ref().is_none_or(|g| g.is_match(&f.rel)) || plan_folder_of(&roots, &f.rel).is_some()
    });
    let mut errors = errors.into_inner().expect("walk lock");
    errors.sort();
    (files, roots, errors)
}

/// Files git tracks although a `.gitignore` pattern matches them (git ignores only
/// untracked files, so these are part of the project): `git ls-files --cached --ignored
/// --exclude-standard` run in the root. Paths in a skipped folder (see
/// [`SKIPPED_DIRS`], the output folder, a staging folder, an earlier build's output),
/// symlinks and paths that leave the root are left out. Nothing when the root is not in
/// a git work tree or git is not installed.
fn tracked_but_ignored(root: &Path, out: &Path) -> Vec<WalkedFile> {
    let Ok(output) = crate::provenance::git_command(root)
        .args(["ls-files", "-z", "--cached", "--ignored", "--exclude-standard"])
        .stderr(std::process::Stdio::null())
        .output()
    else {
        return Vec::new();
    };
    if !output.status.success() {
        return Vec::new();
    }
    let Ok(canonical_root) = root.canonicalize() else { return Vec::new() };
    let mut found = Vec::new();
    for raw in output.stdout.split(|&b| b == 0).filter(|r| !r.is_empty()) {
        let Some(rel_path) = path_from_bytes(raw) else { continue };
        if rel_path.components().any(|c| !matches!(c, std::path::Component::Normal(_))) {
            continue;
        }
        let abs = root.join(&rel_path);
        let skipped = rel_path.ancestors().skip(1).any(|dir| {
            let name = dir.file_name().unwrap_or_default();
            let full = root.join(dir);
            SKIPPED_DIRS.iter().any(|s| name == *s)
                || full == out
                || super::output::is_staging(name)
                || [super::output::MARKER, super::output::LEGACY_MANIFEST]
                    .iter()
                    .any(|m| full.join(m).is_file())
        });
        let Ok(meta) = std::fs::symlink_metadata(&abs) else { continue };
        let inside = abs.canonicalize().is_ok_and(|c| c.starts_with(&canonical_root));
        if skipped || !meta.is_file() || !inside {
            continue;
        }
        if let Some(rel) = relative(root, &abs) {
            found.push(WalkedFile { rel, abs, size: meta.len(), stat: Stat::of(&meta) });
        }
    }
    found
}

#[cfg(unix)]
fn path_from_bytes(raw: &[u8]) -> Option<PathBuf> {
    use std::os::unix::ffi::OsStrExt;
    Some(PathBuf::from(std::ffi::OsStr::from_bytes(raw)))
}

#[cfg(not(unix))]
fn path_from_bytes(raw: &[u8]) -> Option<PathBuf> {
    std::str::from_utf8(raw).ok().map(PathBuf::from)
}

/// The plan folder a file belongs to: a plan folder of `roots.folders` holding it;
/// else `<plan root>/<first component>` for files in a sub-folder of a plan root, or
/// the file itself for a `.md` file directly in a plan root (a one-file plan). `None`
/// for files outside the plan roots.
pub fn plan_folder_of(roots: &PlanRoots, rel: &str) -> Option<String> {
    if let Some(f) = roots.folders.iter().find(|f| under(rel, f)) {
        return Some(f.clone());
    }
    for root in &roots.roots {
        let rest = if root.is_empty() {
            Some(rel)
        } else {
            rel.strip_prefix(root.as_str()).and_then(|r| r.strip_prefix('/'))
        };
        let Some(rest) = rest else { continue };
        return match rest.split_once('/') {
            Some((first, _)) => Some(join(root, first)),
            None if rest.ends_with(".md") => Some(join(root, rest)),
            None => None,
        };
    }
    None
}

fn join(a: &str, b: &str) -> String {
    if a.is_empty() { b.to_string() } else { format!("{a}/{b}") }
}

/// The relative path and the bare message of a walk error (the `ignore` crate wraps
/// the I/O error with the absolute path, which must not reach the findings).
fn walk_error(root: &Path, err: &ignore::Error) -> WalkError {
    let mut path = None;
    let mut err = err;
    loop {
        match err {
            ignore::Error::WithPath { path: p, err: inner } => {
                path = Some(p.clone());
                err = inner;
            }
            ignore::Error::WithDepth { err: inner, .. }
            | ignore::Error::WithLineNumber { err: inner, .. } => {
                err = inner;
            }
            ignore::Error::Partial(errs) if errs.len() == 1 => err = &errs[0],
            _ => break,
        }
    }
    let message = match err {
        ignore::Error::Loop { ancestor, child } => {
            path = Some(child.clone());
            let to = relative(root, ancestor).unwrap_or_else(|| ".".into());
            format!("symbolic link loop back to `{to}`")
        }
        other => other.to_string(),
    };
    let rel = match path {
        Some(p) => relative(root, &p).map(|r| if r.is_empty() { ".".into() } else { r }),
        None => None,
    };
    WalkError { rel: rel.unwrap_or_else(|| ".".into()), message }
}

/// The `/`-separated path of `path` relative to `root`. A component that is not valid
/// UTF-8 is decoded lossily and given a short hash of its bytes before its extension
/// (`caf\u{FFFD}~1a2b3c4d.md`), so two names that decode alike stay two files.
fn relative(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let parts: Vec<String> = rel.components().map(|c| component(c.as_os_str())).collect();
    Some(parts.join("/"))
}

fn component(name: &std::ffi::OsStr) -> String {
    if let Some(s) = name.to_str() {
        return s.to_string();
    }
    let lossy = name.to_string_lossy();
    let hash = blake3::hash(name.as_encoded_bytes()).to_hex();
    let tag = &hash[..8];
    match lossy.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => format!("{stem}~{tag}.{ext}"),
        _ => format!("{lossy}~{tag}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RawConfig;

    #[cfg(unix)]
    #[test]
    fn names_that_decode_alike_stay_distinct() {
        use std::os::unix::ffi::OsStrExt;
        let (a, b) = (std::ffi::OsStr::from_bytes(b"caf\xe9.md"), std::ffi::OsStr::from_bytes(b"caf\xff.md"));
        let (a, b) = (component(a), component(b));
        assert_ne!(a, b);
        assert!(a.starts_with("caf\u{FFFD}~") && a.ends_with(".md"), "{a}");
        assert_eq!(component(std::ffi::OsStr::new("plain.md")), "plain.md");
    }

    fn files(paths: &[&str]) -> Vec<WalkedFile> {
        paths
            .iter()
            .map(|p| WalkedFile { rel: p.to_string(), abs: PathBuf::from(p), size: 0, stat: None })
            .collect()
    }

    fn config(plans: Option<Vec<String>>) -> Config {
        Config::from_raw(PathBuf::from("/p"), RawConfig { plans, ..Default::default() }, None).unwrap()
    }

    #[test]
    fn roots_are_found_up_to_three_deep_and_spec_dev_is_one_plan() {
        let fs = files(&[
            "workflow/project-plans/a/plan.md",
            "workflow/project-plans/a/project-plans/x.md",
            "docs/project-plans/one.md",
            "a/b/c/project-plans/too-deep/plan.md",
            ".spec-dev/active-dev/active-plan.md",
            ".spec-dev/Plan.md",
            "src/main.rs",
        ]);
        let roots = plan_roots(&config(None), &fs);
        assert_eq!(roots.roots, ["docs/project-plans", "workflow/project-plans"]);
        assert_eq!(roots.folders, [".spec-dev/active-dev"]);
        assert!(!roots.configured);
        let of = |rel: &str| plan_folder_of(&roots, rel);
        assert_eq!(
            of("workflow/project-plans/a/project-plans/x.md").as_deref(),
            Some("workflow/project-plans/a")
        );
        assert_eq!(of("docs/project-plans/one.md").as_deref(), Some("docs/project-plans/one.md"));
        assert_eq!(of(".spec-dev/active-dev/active-plan.md").as_deref(), Some(".spec-dev/active-dev"));
        assert_eq!(of(".spec-dev/Plan.md"), None, "instruction files are not plans");
        assert_eq!(of("a/b/c/project-plans/too-deep/plan.md"), None);
    }

    #[test]
    fn configured_roots_win_and_nothing_found_is_empty() {
        let fs = files(&["workflow/project-plans/a/plan.md"]);
        let roots = plan_roots(&config(Some(vec!["plans".into()])), &fs);
        assert_eq!((roots.roots.as_slice(), roots.configured), (&["plans".to_string()][..], true));
        let none = plan_roots(&config(None), &files(&["docs/plans/a.md", "docs/plans/b.md", "src/x.rs"]));
        assert!(none.is_empty());
        assert_eq!(
            plan_like_folders(&files(&["docs/plans/a.md", "docs/plans/b.md", "x/planning/c.md"])),
            [("docs/plans".to_string(), 2), ("x/planning".to_string(), 1)]
        );
    }
}
