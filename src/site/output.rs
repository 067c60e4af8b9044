//! Writing the output folder: pages are written in parallel, a file whose bytes are
//! unchanged is left alone (its modification time too), and files an earlier build
//! wrote that this build no longer produces are removed.
//!
//! The manifest, `.tracemark-manifest`, lists every file the last build wrote, so a
//! build never deletes files it did not write. It is part of the site, so it holds
//! nothing but the sorted paths (the site stays byte-identical to a clean build). The
//! **records** file, kept in the project's cache folder per output folder, records for
//! each of those files the page key (see `render::incremental`), the blake3 hash of the
//! bytes, the size and the modification time (nanoseconds) the file had once written,
//! and the output folder itself. A file is **intact** when
//! it exists with exactly that size and modification time; its content is not read.
//! An intact file with the same key is not rendered again; an intact file with the
//! same content hash is not written again. Anything else — a page deleted or edited by
//! hand, a records file that is missing, corrupt, from another version or for another
//! folder — is rendered and compared by reading the file. The records end with a blake3
//! checksum of their lines; they are only trusted when that matches.

use super::super::render::incremental::Key;
use super::super::render::pages::Page;
use anyhow::{Context, Result};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::UNIX_EPOCH;

/// The manifest's file name inside the output folder.
pub const MANIFEST: &str = ".tracemark-manifest";

const HEADER: &str = "# tracemark output records 1";

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

/// What the previous build left: its manifest and records.
#[derive(Debug, Default)]
pub struct Manifest {
    /// Every path of the manifest (only used to remove stale files).
    paths: Vec<String>,
    /// The records, when they are valid for this version and folder.
    entries: HashMap<String, Entry>,
}

impl Manifest {
    /// Reads `out/.tracemark-manifest` and the records file `records`; missing or
    /// unreadable files give empty ones.
    pub fn read(out: &Path, records: &Path) -> Manifest {
        let mut m = Manifest::default();
        if let Ok(text) = std::fs::read_to_string(out.join(MANIFEST)) {
            m.paths = text.lines().filter(|l| !l.is_empty()).map(str::to_string).collect();
        }
        if let Ok(text) = std::fs::read_to_string(records) {
            m.entries = parse_records(&text, out);
        }
        m
    }

    /// Page path → key for the pages whose file is intact
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

fn header(out: &Path) -> String {
    format!("{HEADER} {} {}", env!("CARGO_PKG_VERSION"), out.display())
}

fn parse_records(text: &str, out: &Path) -> HashMap<String, Entry> {
    let mut entries = HashMap::new();
    let lines: Vec<&str> = text.lines().collect();
    let trusted = lines.len() >= 2
        && lines[0] == header(out)
        && lines[lines.len() - 1]
            .strip_prefix("# checksum ")
            .is_some_and(|sum| sum == checksum(&lines[1..lines.len() - 1]));
    if !trusted {
        return entries;
    }
    for line in &lines[1..lines.len() - 1] {
        let mut f = line.split('\t');
        let (Some(path), Some(key), Some(hash), Some(size), Some(mtime)) =
            (f.next(), f.next(), f.next(), f.next(), f.next())
        else {
            continue;
        };
        let key = if key == "-" { None } else { unhex(key) };
        if let (Some(hash), Ok(size), Ok(mtime)) = (unhex(hash), size.parse(), mtime.parse()) {
            entries.insert(path.to_string(), Entry { key, hash, size, mtime });
        }
    }
    entries
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

/// Writes `pages` under `out` (created if missing), given what the previous build left,
/// then the manifest and the records file `records`. Errors name the file that could
/// not be written; a records file that cannot be written only costs the next build time.
pub fn write(out: &Path, pages: &[Page], old: &Manifest, records: &Path) -> Result<WriteStats> {
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
                std::fs::write(&path, &p.bytes)
                    .with_context(|| format!("cannot write `{}`", path.display()))?;
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

    let mut paths: Vec<&str> = current.into_iter().collect();
    paths.sort_unstable();
    let mut text = paths.join("\n");
    text.push('\n');
    let manifest = out.join(MANIFEST);
    std::fs::write(&manifest, text).with_context(|| format!("cannot write `{}`", manifest.display()))?;

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
    let text = format!("{}\n{}\n# checksum {}\n", header(out), body.join("\n"), checksum(&body));
    if let Some(dir) = records.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let tmp = records.with_extension("tmp");
    if std::fs::write(&tmp, text).is_ok() {
        let _ = std::fs::rename(&tmp, records);
    }
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
        let state = tempfile::tempdir().unwrap();
        let rec = &state.path().join("records");
        let out = dir.path();
        std::fs::write(out.join("keep-me.txt"), "not ours").unwrap();
        let first = write(out, &[page("a.html", "1"), page("x/b.html", "2")], &Manifest::read(out, rec), rec)
            .unwrap();
        assert_eq!(first, WriteStats { written: 2, removed: 0 });
        let second =
            write(out, &[page("a.html", "1"), page("c.html", "3")], &Manifest::read(out, rec), rec).unwrap();
        assert_eq!(second, WriteStats { written: 1, removed: 1 });
        assert!(!out.join("x").exists(), "empty folder of a stale page is removed");
        assert!(out.join("keep-me.txt").exists(), "files tracemark did not write stay");
        assert_eq!(std::fs::read_to_string(out.join("c.html")).unwrap(), "3");
    }

    #[test]
    fn intact_files_are_known_by_key_and_edited_ones_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let state = tempfile::tempdir().unwrap();
        let rec = &state.path().join("records");
        let out = dir.path();
        let pages = [keyed("a.html", "1", 1), keyed("b.html", "2", 2), page("s.css", "x")];
        write(out, &pages, &Manifest::default(), rec).unwrap();
        assert_eq!(std::fs::read_to_string(out.join(MANIFEST)).unwrap(), "a.html\nb.html\ns.css\n");
        let m = Manifest::read(out, rec);
        let keys = m.intact_keys(out);
        assert_eq!(keys.len(), 2, "pages without a key are compared by content");
        assert_eq!(keys["a.html"], [1; 32]);
        std::fs::write(out.join("a.html"), "edited by hand").unwrap();
        std::fs::remove_file(out.join("b.html")).unwrap();
        assert!(m.intact_keys(out).is_empty(), "edited and deleted files are not intact");
        // Corrupt records are not trusted; the manifest still names the files to remove.
        write(out, &pages, &Manifest::default(), rec).unwrap();
        assert_eq!(Manifest::read(out, rec).intact_keys(out).len(), 2);
        let text = std::fs::read_to_string(rec).unwrap().replace("a.html", "z.html");
        std::fs::write(rec, text).unwrap();
        let m = Manifest::read(out, rec);
        assert!(m.intact_keys(out).is_empty());
        assert_eq!(m.paths.len(), 3);
        assert!(Manifest::read(out.join("x").as_path(), rec).entries.is_empty(), "records of another folder");
        let unchanged = Page { unchanged: true, ..keyed("b.html", "", 2) };
        assert!(write(out, &[unchanged], &m, rec).is_err(), "an unchanged page needs a trusted entry");
    }
}
