//! Writing the output folder: pages are written in parallel, a file whose bytes are
//! unchanged is left alone (its modification time too), and files an earlier build
//! wrote that this build no longer produces are removed. The list of written files is
//! kept in `.tracemark-manifest`, so a build never deletes files it did not write.

use super::super::render::pages::Page;
use anyhow::{Context, Result};
use rayon::prelude::*;
use std::collections::HashSet;
use std::path::Path;

/// The manifest's file name inside the output folder.
pub const MANIFEST: &str = ".tracemark-manifest";

/// What [`write`] did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct WriteStats {
    /// Files written because they were new or their bytes changed.
    pub written: usize,
    /// Stale files removed.
    pub removed: usize,
}

/// Writes `pages` under `out` (created if missing). Errors name the file that could
/// not be written.
pub fn write(out: &Path, pages: &[Page]) -> Result<WriteStats> {
    std::fs::create_dir_all(out)
        .with_context(|| format!("cannot create output folder `{}`", out.display()))?;
    let written: usize = pages
        .par_iter()
        .map(|p| -> Result<usize> {
            let path = out.join(&p.path);
            if let Ok(existing) = std::fs::read(&path)
                && existing == p.bytes
            {
                return Ok(0);
            }
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).with_context(|| format!("cannot create `{}`", dir.display()))?;
            }
            std::fs::write(&path, &p.bytes).with_context(|| format!("cannot write `{}`", path.display()))?;
            Ok(1)
        })
        .sum::<Result<usize>>()?;

    // Remove what the previous build wrote and this one did not.
    let manifest = out.join(MANIFEST);
    let current: HashSet<&str> = pages.iter().map(|p| p.path.as_str()).collect();
    let mut removed = 0;
    if let Ok(old) = std::fs::read_to_string(&manifest) {
        for rel in old.lines().filter(|l| !l.is_empty() && !current.contains(l)) {
            if rel.split('/').any(|seg| seg == ".." || seg.is_empty()) {
                continue; // never follow a tampered manifest outside the folder
            }
            let path = out.join(rel);
            if std::fs::remove_file(&path).is_ok() {
                removed += 1;
                remove_empty_parents(out, &path);
            }
        }
    }
    let mut list: Vec<&str> = current.into_iter().collect();
    list.sort_unstable();
    let mut text = list.join("\n");
    text.push('\n');
    std::fs::write(&manifest, text).with_context(|| format!("cannot write `{}`", manifest.display()))?;
    Ok(WriteStats { written, removed })
}

fn remove_empty_parents(out: &Path, file: &Path) {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d == out || std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(path: &str, s: &str) -> Page {
        Page { path: path.into(), bytes: s.as_bytes().to_vec() }
    }

    #[test]
    fn skips_unchanged_and_removes_stale_files() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        std::fs::write(out.join("keep-me.txt"), "not ours").unwrap();
        let first = write(out, &[page("a.html", "1"), page("x/b.html", "2")]).unwrap();
        assert_eq!(first, WriteStats { written: 2, removed: 0 });
        let second = write(out, &[page("a.html", "1"), page("c.html", "3")]).unwrap();
        assert_eq!(second, WriteStats { written: 1, removed: 1 });
        assert!(!out.join("x").exists(), "empty folder of a stale page is removed");
        assert!(out.join("keep-me.txt").exists(), "files tracemark did not write stay");
        assert_eq!(std::fs::read_to_string(out.join("c.html")).unwrap(), "3");
    }
}
