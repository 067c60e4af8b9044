//! Walking the project tree: every file under the root, honouring `.gitignore` (and
//! `.ignore`, `.git/info/exclude`) through the `ignore` crate, skipping `.git`,
//! `node_modules`, `target`, the output folder, any folder holding tracemark's output
//! marker (an earlier build's output) and tracemark's staging folders (a site being
//! built), then the config's include/exclude globs.
//! Hidden files are kept: `.completed/` records live in hidden folders.

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

/// Lists the project's files, sorted by relative path. Unreadable folders are skipped
/// and returned as [`WalkError`]s, sorted, with paths relative to the root.
pub fn walk(config: &Config) -> (Vec<WalkedFile>, Vec<WalkError>) {
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
                        let size = e.metadata().map(|m| m.len()).unwrap_or(0);
                        files.lock().expect("walk lock").push(WalkedFile { rel, abs: e.into_path(), size });
                    }
                }
                Ok(_) => {}
                Err(err) => errors.lock().expect("walk lock").push(walk_error(root, &err)),
            }
            WalkState::Continue
        })
    });
    let mut files = files.into_inner().expect("walk lock");
    files.retain(|f| {
        !config.exclude.is_match(&f.rel)
            && (config.include.as_ref().is_none_or(|g| g.is_match(&f.rel)) || is_plan_file(config, &f.rel))
    });
    files.sort();
    let mut errors = errors.into_inner().expect("walk lock");
    errors.sort();
    (files, errors)
}

/// Whether a relative path lies under one of the plan roots.
pub fn is_plan_file(config: &Config, rel: &str) -> bool {
    plan_folder_of(config, rel).is_some()
}

/// The plan folder a file belongs to: `<plan root>/<first component>` for files in a
/// sub-folder of a plan root, or the file itself for a `.md` file directly in a plan
/// root (a one-file plan). `None` for files outside the plan roots.
pub fn plan_folder_of(config: &Config, rel: &str) -> Option<String> {
    for root in &config.plans {
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
}
