//! `tracemark verify`: recomputes the SHA-256 of every file of a bundle (a `tar.gz`
//! or the folder it was extracted to) and compares them with its `MANIFEST.sha256`;
//! with `--against ROOT`, also compares the input manifest of its `evidence.json` with
//! the files of a checkout.
//!
//! A bundle is hostile input. The archive is read as a stream, nothing is extracted:
//! each file is hashed as it is read; only `MANIFEST.sha256` and `evidence.json` are
//! kept in memory (at most [`MAX_KEPT`] bytes each). An entry whose path is absolute or
//! holds `..` or `.`, a link or device, a name that is not UTF-8 and a path that
//! appears twice are refused and reported; a damaged gzip stream or tar header
//! (including a wrong gzip checksum or data after the end) ends the check with the
//! reason. A folder is walked without following symlinks (a symlink is refused);
//! only the files found are read, never a path named by the manifest.

use super::sums::{self, Sum};
use super::{EVIDENCE, Evidence, MANIFEST};
use crate::config::Config;
use crate::site::{self, InputDigest};
use anyhow::{Context, Result};
use sha2::Digest as _;
use std::collections::BTreeMap;
use std::io::{self, BufRead, Read};
use std::path::{Path, PathBuf};

/// The most bytes of `MANIFEST.sha256` or `evidence.json` read into memory.
pub const MAX_KEPT: u64 = 256 << 20;

/// Something wrong with a bundle, or an input that differs from the checkout.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Problem {
    /// A file whose bytes differ from its line in `MANIFEST.sha256`.
    Changed(String),
    /// A file listed in `MANIFEST.sha256` and absent.
    Missing(String),
    /// A file present and not listed.
    Extra(String),
    /// An entry that is not read: (its name, why).
    Refused(String, String),
    /// `MANIFEST.sha256` or `evidence.json` is absent or unreadable: (file, message).
    Unreadable(String, String),
    /// The archive cannot be read on: why (what was read before is not reported).
    Corrupt(String),
    /// `--against`: an input whose bytes in the checkout differ from the bundle's.
    InputChanged(String),
    /// `--against`: an input of the bundle absent from the checkout.
    InputMissing(String),
    /// `--against`: a file the build would read now that the bundle's build did not.
    InputNew(String),
}

impl std::fmt::Display for Problem {
    /// `changed: index.html`, `refused: ../x: a path outside the bundle's folder`, …
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::Changed(p) => write!(f, "changed: {p}"),
            Problem::Missing(p) => write!(f, "missing: {p}"),
            Problem::Extra(p) => write!(f, "extra: {p}"),
            Problem::Refused(p, why) => write!(f, "refused: {p}: {why}"),
            Problem::Unreadable(p, why) => write!(f, "unreadable: {p}: {why}"),
            Problem::Corrupt(why) => write!(f, "corrupt: {why}"),
            Problem::InputChanged(p) => write!(f, "input changed: {p}"),
            Problem::InputMissing(p) => write!(f, "input missing: {p}"),
            Problem::InputNew(p) => write!(f, "input new: {p}"),
        }
    }
}

/// What `verify` found.
#[derive(Debug, Default)]
pub struct Report {
    /// Files whose hash was compared with the manifest.
    pub checked: usize,
    /// Everything that is not as the manifest says, in the order above, by path.
    pub problems: Vec<Problem>,
    /// The bundle's `evidence.json`, when it could be read.
    pub evidence: Option<Evidence>,
    /// `--against`: inputs compared.
    pub inputs_compared: usize,
}

impl Report {
    /// Whether the bundle is intact (and, with `--against`, its inputs are those of the
    /// checkout).
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// What was found in a bundle: the SHA-256 of each file by path relative to the
/// bundle's folder, the two files kept, and the entries refused.
#[derive(Default)]
struct Contents {
    found: BTreeMap<String, String>,
    manifest: Option<Vec<u8>>,
    evidence: Option<Vec<u8>>,
    problems: Vec<Problem>,
}

impl Contents {
    /// Records one file; a second file of the same path is refused.
    fn add(&mut self, rel: String, sha256: String) {
        match self.found.entry(rel) {
            std::collections::btree_map::Entry::Occupied(e) => {
                self.problems.push(Problem::Refused(e.key().clone(), "appears twice in the archive".into()))
            }
            std::collections::btree_map::Entry::Vacant(e) => {
                e.insert(sha256);
            }
        }
    }
}

/// Verifies the bundle at `path` (a `.tar.gz` file or a folder), and with `against`
/// its inputs against that checkout.
///
/// Errors (tracemark could not run, exit 2): `path` cannot be opened; `against` is
/// not a readable project. A damaged bundle is not an error but a [`Problem`].
pub fn verify(path: &Path, against: Option<&Path>) -> Result<Report> {
    let meta = std::fs::metadata(path).with_context(|| format!("cannot open `{}`", path.display()))?;
    let contents = if meta.is_dir() {
        read_folder(path)?
    } else {
        let file = std::fs::File::open(path).with_context(|| format!("cannot open `{}`", path.display()))?;
        read_archive(file)
    };
    let mut report = compare(contents);
    if let Some(root) = against {
        match report.evidence.as_ref() {
            Some(e) => {
                let config = Config::load(root, None)?;
                let now = site::input_digests(&config);
                report.inputs_compared = now.len();
                report.problems.extend(compare_inputs(&e.inputs, &now));
            }
            None if !report
                .problems
                .iter()
                .any(|p| matches!(p, Problem::Unreadable(f, _) if f == EVIDENCE)) =>
            {
                report
                    .problems
                    .push(Problem::Unreadable(EVIDENCE.into(), "absent; inputs not compared".into()))
            }
            None => {}
        }
    }
    report.problems.sort();
    report.problems.dedup();
    Ok(report)
}

/// Compares what was found with the manifest; reads `evidence.json`.
fn compare(c: Contents) -> Report {
    let mut report = Report { problems: c.problems, ..Report::default() };
    if report.problems.iter().any(|p| matches!(p, Problem::Corrupt(_))) {
        return report;
    }
    match c.evidence.as_deref().map(serde_json::from_slice::<Evidence>) {
        Some(Ok(e)) => report.evidence = Some(e),
        Some(Err(e)) => report.problems.push(Problem::Unreadable(EVIDENCE.into(), format!("not valid: {e}"))),
        None => {}
    }
    let Some(text) = c.manifest else {
        report.problems.push(Problem::Unreadable(MANIFEST.into(), "absent: nothing to check against".into()));
        return report;
    };
    let sums = match std::str::from_utf8(&text).map_err(|e| (0, e.to_string())).and_then(sums::parse) {
        Ok(s) => s,
        Err((line, message)) => {
            report.problems.push(Problem::Unreadable(format!("{MANIFEST}:{line}"), message));
            return report;
        }
    };
    let mut listed: BTreeMap<&str, &str> = BTreeMap::new();
    for Sum { path, sha256 } in &sums {
        if listed.insert(path, sha256).is_some() {
            report.problems.push(Problem::Unreadable(MANIFEST.into(), format!("lists `{path}` twice")));
        }
    }
    for (path, sha256) in &listed {
        match c.found.get(*path) {
            None => report.problems.push(Problem::Missing((*path).into())),
            Some(h) => {
                report.checked += 1;
                if h != sha256 {
                    report.problems.push(Problem::Changed((*path).into()));
                }
            }
        }
    }
    for path in c.found.keys().filter(|p| !listed.contains_key(p.as_str()) && *p != MANIFEST) {
        report.problems.push(Problem::Extra(path.clone()));
    }
    report
}

/// The inputs that differ between the bundle's manifest and the checkout's files.
fn compare_inputs(then: &[InputDigest], now: &[InputDigest]) -> Vec<Problem> {
    let then: BTreeMap<&str, &str> = then.iter().map(|i| (i.path.as_str(), i.sha256.as_str())).collect();
    let now: BTreeMap<&str, &str> = now.iter().map(|i| (i.path.as_str(), i.sha256.as_str())).collect();
    let mut problems = Vec::new();
    for (path, sha) in &then {
        match now.get(path) {
            None => problems.push(Problem::InputMissing((*path).into())),
            Some(s) if s != sha => problems.push(Problem::InputChanged((*path).into())),
            Some(_) => {}
        }
    }
    problems.extend(now.keys().filter(|p| !then.contains_key(*p)).map(|p| Problem::InputNew((*p).into())));
    problems
}

/// Reads a `tar.gz` as a stream (nothing is written anywhere).
fn read_archive(file: std::fs::File) -> Contents {
    let mut c = Contents::default();
    let mut gz = flate2::bufread::GzDecoder::new(io::BufReader::with_capacity(1 << 20, file));
    if let Err(why) = read_entries(&mut gz, &mut c) {
        c.problems.push(Problem::Corrupt(why));
        return c;
    }
    // The tar stream ends before the gzip stream: read the rest, so its checksum is
    // checked, and refuse data after it.
    if let Err(e) = io::copy(&mut gz, &mut io::sink()) {
        c.problems.push(Problem::Corrupt(format!("the gzip stream is damaged: {e}")));
        return c;
    }
    match gz.into_inner().fill_buf() {
        Ok([]) => {}
        Ok(_) => c.problems.push(Problem::Corrupt("data after the end of the gzip stream".into())),
        Err(e) => c.problems.push(Problem::Corrupt(format!("cannot be read: {e}"))),
    }
    c
}

fn read_entries(gz: &mut impl Read, c: &mut Contents) -> Result<(), String> {
    let damaged = |e: io::Error| format!("not a readable tar.gz archive: {e}");
    let mut archive = tar::Archive::new(gz);
    let mut top: Option<String> = None;
    for entry in archive.entries().map_err(damaged)? {
        let mut entry = entry.map_err(damaged)?;
        let raw = entry.path_bytes().into_owned();
        let Ok(name) = String::from_utf8(raw) else {
            let shown = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            c.problems.push(Problem::Refused(shown, "the name is not UTF-8".into()));
            continue;
        };
        let kind = entry.header().entry_type();
        let trimmed = name.trim_end_matches('/');
        if name.starts_with('/')
            || trimmed.is_empty()
            || trimmed.split('/').any(|s| matches!(s, "" | "." | ".."))
        {
            c.problems.push(Problem::Refused(
                name,
                "a path outside the bundle's folder (absolute, or with `..`, `.` or an empty segment)".into(),
            ));
            continue;
        }
        if !(kind.is_file() || kind.is_dir()) {
            c.problems.push(Problem::Refused(name, "a link or special file".into()));
            continue;
        }
        let (first, rest) = trimmed.split_once('/').unwrap_or((trimmed, ""));
        let top = top.get_or_insert_with(|| first.to_string());
        if first != top.as_str() {
            if kind.is_file() {
                c.problems.push(Problem::Extra(name));
            }
            continue;
        }
        if kind.is_dir() || rest.is_empty() {
            continue;
        }
        let rel = rest.to_string();
        let kept = (rel == MANIFEST || rel == EVIDENCE).then_some(&rel);
        let size = entry.header().size().unwrap_or(u64::MAX);
        let sha256 = match kept {
            Some(which) if size > MAX_KEPT => {
                c.problems.push(Problem::Unreadable(
                    which.clone(),
                    format!("{size} bytes; larger than any bundle's"),
                ));
                hash_reader(&mut entry).map_err(damaged)?
            }
            Some(which) => {
                let mut bytes = Vec::new();
                entry.read_to_end(&mut bytes).map_err(damaged)?;
                let sha = site::sha256_hex(&bytes);
                if which == MANIFEST {
                    c.manifest = Some(bytes);
                } else {
                    c.evidence = Some(bytes);
                }
                sha
            }
            None => hash_reader(&mut entry).map_err(damaged)?,
        };
        c.add(rel, sha256);
    }
    Ok(())
}

/// The SHA-256 of everything `r` yields, read in chunks.
fn hash_reader(r: &mut impl Read) -> io::Result<String> {
    let mut hasher = sha2::Sha256::new();
    io::copy(r, &mut hasher)?;
    Ok(format!("{:x}", hasher.finalize()))
}

/// Reads an extracted bundle: `dir` holding `MANIFEST.sha256`, or a folder whose only
/// entry is such a folder (where `tar xzf` was run).
fn read_folder(dir: &Path) -> Result<Contents> {
    let mut base = dir.to_path_buf();
    if !is_file(&dir.join(MANIFEST)) {
        let entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .with_context(|| format!("cannot read `{}`", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        if let [only] = entries.as_slice()
            && std::fs::symlink_metadata(only).is_ok_and(|m| m.is_dir())
            && is_file(&only.join(MANIFEST))
        {
            base = only.clone();
        }
    }
    let mut c = Contents::default();
    walk(&base, "", &mut c)?;
    Ok(c)
}

fn is_file(p: &Path) -> bool {
    std::fs::symlink_metadata(p).is_ok_and(|m| m.is_file())
}

/// Hashes every file under `dir` (`rel` its path in the bundle), refusing symlinks
/// and special files.
fn walk(dir: &Path, rel: &str, c: &mut Contents) -> Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read `{}`", dir.display()))?
        .collect::<io::Result<_>>()
        .with_context(|| format!("cannot read `{}`", dir.display()))?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name();
        let Some(name) = name.to_str() else {
            let shown = format!("{rel}{}", name.to_string_lossy());
            c.problems.push(Problem::Refused(shown, "the name is not UTF-8".into()));
            continue;
        };
        let path = format!("{rel}{name}");
        let meta = std::fs::symlink_metadata(e.path())
            .with_context(|| format!("cannot read `{}`", e.path().display()))?;
        if meta.is_dir() {
            walk(&e.path(), &format!("{path}/"), c)?;
        } else if meta.is_file() {
            let cannot = || format!("cannot read `{}`", e.path().display());
            let sha = if (path == MANIFEST || path == EVIDENCE) && meta.len() <= MAX_KEPT {
                let bytes = site::output::read_file(&e.path()).with_context(cannot)?;
                let sha = site::sha256_hex(&bytes);
                if path == MANIFEST {
                    c.manifest = Some(bytes)
                } else {
                    c.evidence = Some(bytes)
                }
                sha
            } else {
                let mut file = std::fs::File::open(e.path()).with_context(cannot)?;
                hash_reader(&mut file).with_context(cannot)?
            };
            c.add(path, sha);
        } else {
            c.problems.push(Problem::Refused(path, "a symlink or special file; not followed".into()));
        }
    }
    Ok(())
}
