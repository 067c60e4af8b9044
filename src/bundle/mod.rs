//! Evidence bundles: `tracemark bundle` writes the site with its provenance as one
//! deterministic `tar.gz`, and `tracemark verify` checks one ([`verify`]).
//!
//! A bundle is a single folder (named after the archive: `evidence.tar.gz` holds
//! `evidence/`) with the site as `tracemark build` writes it (`index.html`,
//! `trace.json`, `trace.csv`, `requirements.csv`, …), `evidence.html` (a printable
//! report: [`report`]), `evidence.json` (the commit, its
//! date, whether the work tree was dirty and which files were modified, tracemark's
//! version, the SHA-256 of `tracemark.toml` and of every input file read) and
//! `MANIFEST.sha256`, the SHA-256 of every other file in `sha256sum` format
//! ([`sums`]).
//!
//! **Determinism.** The same commit gives the same bytes, whatever the clone's path,
//! the time zone or the locale: the site is rendered in memory (no output folder is
//! involved), entries are sorted by path, every entry's modification time is the
//! commit time (`SOURCE_DATE_EPOCH` when set, 0 outside git), owner and group are 0
//! with no names, modes are 0644 for files and 0755 for folders, paths are relative
//! (GNU long names past 100 bytes), and the gzip header holds neither a file name nor
//! a time. The site's title defaults to the project folder's name, so two clones in
//! folders of different names differ in it unless `title` is set in `tracemark.toml`.

pub mod report;
pub mod sums;
pub mod verify;

use crate::config::Config;
use crate::render::pages::Page;
use crate::site::{self, InputDigest, Timings, output};
use anyhow::{Context, Result, bail};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::Path;
use sums::Sum;

/// The provenance file of a bundle.
pub const EVIDENCE: &str = "evidence.json";

/// The checksum file of a bundle.
pub const MANIFEST: &str = "MANIFEST.sha256";

/// The format number of `evidence.json`.
pub const FORMAT: u32 = 1;

/// `evidence.json`: where a bundle comes from.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Evidence {
    /// The format of this file ([`FORMAT`]).
    pub format: u32,
    /// tracemark's version (`0.1.0`).
    pub tracemark: String,
    /// tracemark's build identity ([`crate::BUILD`]: version and a hash of its sources).
    pub build: String,
    /// The commit checked out (`HEAD`, 40 hex digits); `None` outside a git work tree.
    pub commit: Option<String>,
    /// The commit's committer date, ISO 8601 with its offset.
    pub commit_date: Option<String>,
    /// Whether a tracked file under the root differed from the commit (modified, staged,
    /// deleted; untracked files do not count, see [`crate::provenance`]); `None` outside
    /// git.
    pub dirty: Option<bool>,
    /// The files that made it dirty, relative to the project root, sorted.
    pub modified: Vec<String>,
    /// The modification time of every entry of the archive (seconds since 1970):
    /// `SOURCE_DATE_EPOCH` when set, else the commit time, else 0.
    pub mtime: u64,
    /// SHA-256 of `tracemark.toml`, lower-case hex; `None` without one.
    pub config_sha256: Option<String>,
    /// Every file the build read (plans, specifications, sources, `tracemark.toml`),
    /// with its SHA-256 and size, sorted by path.
    pub inputs: Vec<InputDigest>,
}

/// What `tracemark bundle` did.
#[derive(Debug)]
pub struct Written {
    /// The archive's folder name.
    pub folder: String,
    /// Files in the archive.
    pub files: usize,
    /// Size of the archive in bytes.
    pub bytes: u64,
    /// Where it came from.
    pub evidence: Evidence,
    /// Notices of the build (cache, …).
    pub notices: Vec<output::Notice>,
    /// How long each stage took: `provenance`, the build's stages, `sha256` (the
    /// manifest) and `archive` (tar, gzip, write).
    pub timings: Timings,
}

/// Builds the site of `config`'s project in memory and writes it with `evidence.json`
/// and `MANIFEST.sha256` as a deterministic `tar.gz` at `archive` (written to a
/// temporary file beside it, then renamed over it).
///
/// Errors: the site cannot be built (a template, …); `archive` is a folder or cannot
/// be written.
pub fn bundle(config: &Config, archive: &Path) -> Result<Written> {
    if std::fs::symlink_metadata(archive).is_ok_and(|m| m.is_dir()) {
        bail!(
            "`{}` is a folder; name the archive to write, e.g. `-o {}`",
            archive.display(),
            archive.join("evidence.tar.gz").display()
        );
    }
    let folder = folder_name(archive);
    let rendered = site::render_in_memory(config)?;
    let git = &rendered.provenance;
    let mut timings = rendered.built.timings.clone();
    let mtime = git.build_date.as_ref().map_or(0, |d| u64::try_from(d.unix).unwrap_or(0));
    let in_git = git.commit.is_some();
    let evidence = Evidence {
        format: FORMAT,
        tracemark: env!("CARGO_PKG_VERSION").into(),
        build: crate::BUILD.into(),
        commit: git.commit.clone(),
        commit_date: git.commit_date.as_ref().map(|d| d.iso.clone()),
        dirty: in_git.then_some(git.dirty),
        modified: git.modified.clone(),
        mtime,
        config_sha256: config.sha256.clone(),
        inputs: rendered.inputs,
    };
    let mut evidence_json = serde_json::to_vec_pretty(&evidence)?;
    evidence_json.push(b'\n');
    let theme = site::load_theme(config)?;
    let report = timings.time("report", || report::render(&theme, &rendered.built.project, &evidence))?;
    let mut files: Vec<(&str, &[u8])> = rendered
        .pages
        .iter()
        .filter(|p| ![EVIDENCE, MANIFEST, report::REPORT].contains(&p.path.as_str()))
        .map(|p: &Page| (p.path.as_str(), p.bytes.as_slice()))
        .collect();
    files.push((EVIDENCE, &evidence_json));
    files.push((report::REPORT, &report));
    files.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let sums: Vec<Sum> = timings.time("sha256", || {
        files
            .par_iter()
            .map(|(path, bytes)| Sum { path: (*path).to_string(), sha256: site::sha256_hex(bytes) })
            .collect()
    });
    let manifest = sums::render(&sums);
    files.push((MANIFEST, manifest.as_bytes()));
    files.sort_unstable_by(|a, b| a.0.cmp(b.0));
    timings
        .time("archive", || output::write_file(archive, |out| write_archive(out, &folder, mtime, &files)))?;
    let bytes = std::fs::metadata(archive).map(|m| m.len()).unwrap_or(0);
    Ok(Written { folder, files: files.len(), bytes, evidence, notices: rendered.built.notices, timings })
}

/// The bundle's folder: the archive's file name without `.tar.gz` / `.tgz`
/// (`evidence` when that leaves nothing usable).
fn folder_name(archive: &Path) -> String {
    let name = archive.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let stem = name.strip_suffix(".tar.gz").or_else(|| name.strip_suffix(".tgz")).unwrap_or(name);
    if stem.is_empty() || stem.starts_with('.') || stem.contains(['/', '\\', '\0']) {
        "evidence".into()
    } else {
        stem.into()
    }
}

/// Writes the tar.gz: folders then files in path order (a folder right before what
/// it holds), each with the fixed time, owner 0 and a fixed mode.
fn write_archive(out: &mut dyn Write, folder: &str, mtime: u64, files: &[(&str, &[u8])]) -> Result<()> {
    let gz = flate2::GzBuilder::new().write(out, flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    let mut entries: Vec<(String, Option<&[u8]>)> = Vec::with_capacity(files.len() * 2);
    let mut dirs = std::collections::BTreeSet::new();
    for (path, bytes) in files {
        if !output::safe_rel(path) {
            bail!("`{path}`: a page path that would leave the bundle's folder; not written");
        }
        let mut at = 0;
        while let Some(i) = path[at..].find('/') {
            dirs.insert(&path[..at + i]);
            at += i + 1;
        }
        entries.push((format!("{folder}/{path}"), Some(bytes)));
    }
    entries.push((format!("{folder}/"), None));
    entries.extend(dirs.into_iter().map(|d| (format!("{folder}/{d}/"), None)));
    entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    for (path, bytes) in entries {
        let mut header = tar::Header::new_gnu();
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(mtime);
        match bytes {
            Some(bytes) => {
                header.set_entry_type(tar::EntryType::Regular);
                header.set_mode(0o644);
                header.set_size(bytes.len() as u64);
                tar.append_data(&mut header, &path, bytes)
            }
            None => {
                header.set_entry_type(tar::EntryType::Directory);
                header.set_mode(0o755);
                header.set_size(0);
                tar.append_data(&mut header, &path, std::io::empty())
            }
        }
        .with_context(|| format!("cannot add `{path}` to the archive"))?;
    }
    tar.into_inner()?.finish()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::folder_name;
    use std::path::Path;

    #[test]
    fn the_folder_is_the_archive_name_without_its_extension() {
        assert_eq!(folder_name(Path::new("/tmp/release-1.2.tar.gz")), "release-1.2");
        assert_eq!(folder_name(Path::new("x.tgz")), "x");
        assert_eq!(folder_name(Path::new(".tar.gz")), "evidence");
        assert_eq!(folder_name(Path::new("..")), "evidence");
        assert_eq!(folder_name(Path::new("plain")), "plain");
    }
}
