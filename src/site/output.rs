//! Writing the output folder: pages are written in parallel, a file whose bytes are
//! unchanged is left alone (its modification time too), and files an earlier build
//! wrote that this build no longer produces are removed.
//!
//! The manifest, `.tracemark-manifest`, lists every file the last build wrote, so a
//! build never deletes files it did not write. For each it also records the page key
//! (see `render::incremental`), the blake3 hash of the bytes, the size and the
//! modification time (nanoseconds) the file had once written. A file is **intact** when
//! it exists with exactly that size and modification time; its content is not read.
//! An intact file with the same key is not rendered again; an intact file with the
//! same content hash is not written again. Anything else — a page deleted or edited by
//! hand, a manifest that is corrupt, from another version or of the old format — is
//! rendered and compared by reading the file, as if there were no manifest. The
//! manifest ends with a blake3 checksum of its lines; it is only trusted when that
//! matches.

use super::super::render::incremental::Key;
use super::super::render::pages::Page;
use anyhow::{Context, Result};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::UNIX_EPOCH;

/// The manifest's file name inside the output folder.
pub const MANIFEST: &str = ".tracemark-manifest";

const HEADER: &str = "# tracemark manifest 2";

/// What [`write`] did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct WriteStats {
    /// Files written because they were new or their bytes changed.
    pub written: usize,
    /// Stale files removed.
    pub removed: usize,
}

/// What the previous build recorded about one file it wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    key: Option<Key>,
    hash: Key,
    size: u64,
    mtime: u128,
}

/// The previous build's manifest.
#[derive(Debug, Default)]
pub struct Manifest {
    /// Every path listed (trusted or not: only used to remove stale files).
    paths: Vec<String>,
    /// The records, when the manifest is valid for this version.
    entries: HashMap<String, Entry>,
}

impl Manifest {
    /// Reads `out/.tracemark-manifest`; missing or unreadable gives an empty one.
    pub fn read(out: &Path) -> Manifest {
        std::fs::read_to_string(out.join(MANIFEST)).map(|t| Manifest::parse(&t)).unwrap_or_default()
    }

    fn parse(text: &str) -> Manifest {
        let mut m = Manifest::default();
        let mut lines: Vec<&str> = text.lines().collect();
        let trusted = lines.first() == Some(&header().as_str())
            && lines.last().and_then(|l| l.strip_prefix("# checksum ")).is_some_and(|sum| {
                let body = &lines[1..lines.len() - 1];
                sum == checksum(body)
            });
        if lines.first().is_some_and(|l| l.starts_with('#')) {
            lines.remove(0);
        }
        for line in lines.into_iter().filter(|l| !l.is_empty() && !l.starts_with('#')) {
            let mut f = line.split('\t');
            let path = f.next().unwrap_or_default();
            m.paths.push(path.to_string());
            if !trusted {
                continue;
            }
            let (Some(key), Some(hash), Some(size), Some(mtime)) = (f.next(), f.next(), f.next(), f.next())
            else {
                continue;
            };
            let key = if key == "-" { None } else { unhex(key) };
            if let (Some(hash), Ok(size), Ok(mtime)) = (unhex(hash), size.parse(), mtime.parse()) {
                m.entries.insert(path.to_string(), Entry { key, hash, size, mtime });
            }
        }
        m
    }

    /// Page path → key for the pages whose file is intact (checked with one `stat`
    /// each, in parallel): the renderer may skip them when their key is unchanged.
    pub fn intact_keys(&self, out: &Path) -> HashMap<String, Key> {
        self.entries
            .par_iter()
            .filter_map(|(path, e)| {
                let key = e.key?;
                intact(&out.join(path), e).then(|| (path.clone(), key))
            })
            .collect()
    }
}

fn header() -> String {
    format!("{HEADER} {}", env!("CARGO_PKG_VERSION"))
}

fn checksum(lines: &[&str]) -> String {
    let mut h = blake3::Hasher::new();
    for l in lines {
        h.update(l.as_bytes());
        h.update(b"\n");
    }
    h.finalize().to_hex().to_string()
}

fn unhex(s: &str) -> Option<Key> {
    let mut k = [0u8; 32];
    if s.len() != 64 {
        return None;
    }
    for (i, b) in k.iter_mut().enumerate() {
        *b = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(k)
}

fn hex(k: &Key) -> String {
    k.iter().map(|b| format!("{b:02x}")).collect()
}

/// (size, modification time in nanoseconds) of a file, `None` when it is missing.
fn stat(path: &Path) -> Option<(u64, u128)> {
    let m = std::fs::metadata(path).ok()?;
    let mtime = m.modified().ok()?.duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    m.is_file().then_some((m.len(), mtime))
}

fn intact(path: &Path, e: &Entry) -> bool {
    stat(path) == Some((e.size, e.mtime))
}

/// Writes `pages` under `out` (created if missing), given the previous build's
/// manifest. Errors name the file that could not be written.
pub fn write(out: &Path, pages: &[Page], old: &Manifest) -> Result<WriteStats> {
    std::fs::create_dir_all(out)
        .with_context(|| format!("cannot create output folder `{}`", out.display()))?;
    let results: Vec<(Entry, bool)> = pages
        .par_iter()
        .map(|p| -> Result<(Entry, bool)> {
            let path = out.join(&p.path);
            let previous = old.entries.get(&p.path);
            if p.unchanged {
                let e = previous.context("an unchanged page has a manifest entry")?;
                return Ok((e.clone(), false));
            }
            let hash = *blake3::hash(&p.bytes).as_bytes();
            let same = match previous {
                Some(e) => e.hash == hash && intact(&path, e),
                None => std::fs::read(&path).is_ok_and(|existing| existing == p.bytes),
            };
            if !same {
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir)
                        .with_context(|| format!("cannot create `{}`", dir.display()))?;
                }
                std::fs::write(&path, &p.bytes).with_context(|| format!("cannot write `{}`", path.display()))?;
            }
            let (size, mtime) = stat(&path).with_context(|| format!("cannot read `{}`", path.display()))?;
            Ok((Entry { key: p.key, hash, size, mtime }, !same))
        })
        .collect::<Result<_>>()?;
    let written = results.iter().filter(|(_, w)| *w).count();

    // Remove what the previous build wrote and this one did not.
    let current: HashSet<&str> = pages.iter().map(|p| p.path.as_str()).collect();
    let mut removed = 0;
    for rel in old.paths.iter().filter(|l| !current.contains(l.as_str())) {
        if rel.split('/').any(|seg| seg == ".." || seg.is_empty()) {
            continue; // never follow a tampered manifest outside the folder
        }
        let path = out.join(rel);
        if std::fs::remove_file(&path).is_ok() {
            removed += 1;
            remove_empty_parents(out, &path);
        }
    }

    let mut lines: Vec<String> = pages
        .iter()
        .zip(&results)
        .map(|(p, (e, _))| {
            format!(
                "{}\t{}\t{}\t{}\t{}",
                p.path,
                e.key.as_ref().map_or_else(|| "-".to_string(), hex),
                hex(&e.hash),
                e.size,
                e.mtime
            )
        })
        .collect();
    lines.sort_unstable();
    let body: Vec<&str> = lines.iter().map(String::as_str).collect();
    let text = format!("{}\n{}\n# checksum {}\n", header(), body.join("\n"), checksum(&body));
    let manifest = out.join(MANIFEST);
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
        Page::new(path, s.as_bytes().to_vec())
    }

    fn keyed(path: &str, s: &str, key: u8) -> Page {
        Page { key: Some([key; 32]), ..page(path, s) }
    }

    #[test]
    fn skips_unchanged_and_removes_stale_files() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        std::fs::write(out.join("keep-me.txt"), "not ours").unwrap();
        let first = write(out, &[page("a.html", "1"), page("x/b.html", "2")], &Manifest::read(out)).unwrap();
        assert_eq!(first, WriteStats { written: 2, removed: 0 });
        let second = write(out, &[page("a.html", "1"), page("c.html", "3")], &Manifest::read(out)).unwrap();
        assert_eq!(second, WriteStats { written: 1, removed: 1 });
        assert!(!out.join("x").exists(), "empty folder of a stale page is removed");
        assert!(out.join("keep-me.txt").exists(), "files tracemark did not write stay");
        assert_eq!(std::fs::read_to_string(out.join("c.html")).unwrap(), "3");
    }

    #[test]
    fn intact_files_are_known_by_key_and_edited_ones_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        write(out, &[keyed("a.html", "1", 1), keyed("b.html", "2", 2), page("s.css", "x")], &Manifest::default())
            .unwrap();
        let m = Manifest::read(out);
        let keys = m.intact_keys(out);
        assert_eq!(keys.len(), 2, "pages without a key are compared by content");
        assert_eq!(keys["a.html"], [1; 32]);
        std::fs::write(out.join("a.html"), "edited by hand").unwrap();
        std::fs::remove_file(out.join("b.html")).unwrap();
        assert!(m.intact_keys(out).is_empty(), "edited and deleted files are not intact");
        // A corrupt manifest is not trusted, but still names the files to remove.
        let text = std::fs::read_to_string(out.join(MANIFEST)).unwrap().replace("a.html", "z.html");
        std::fs::write(out.join(MANIFEST), text).unwrap();
        let m = Manifest::read(out);
        assert!(m.intact_keys(out).is_empty());
        assert_eq!(m.paths.len(), 3);
        let unchanged = Page { unchanged: true, ..keyed("b.html", "", 2) };
        assert!(write(out, &[unchanged], &m).is_err(), "an unchanged page needs a trusted entry");
    }
}
