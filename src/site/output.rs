//! The output folder, with one writer: every write, delete and read of it goes through
//! this module, and none follows a symbolic link.
//!
//! - **Which folder.** [`Folder::open`] refuses (exit 2) an output folder that is the
//!   project root or one of its ancestors, lies inside a `.git` folder or the cache
//!   folder, is itself a symlink, or is a non-empty folder tracemark did not create (no
//!   [`MARKER`] in it) unless `--force`.
//! - **Ownership.** The manifest of what a build wrote is kept in the project's cache
//!   folder, one per output folder (`.tracemark-cache/manifest-<hash of the folder>.jsonl`),
//!   so the published site holds only the small [`MARKER`] file. It is JSON lines (a file
//!   name with a newline or tab cannot forge an entry): a header line (format, version,
//!   output folder), one line per file (`path`, page `key`, blake3 `hash` of the bytes,
//!   `size`, modification time `mtime` in nanoseconds) and a blake3 checksum of the lines
//!   before it; it is only trusted when that matches. An entry whose path is absolute,
//!   holds `..`, `.` or an empty segment is ignored. A file is **intact** when it is a
//!   regular file (not a symlink, nor under one) with exactly the recorded size and
//!   modification time; its content is not read. An intact page with the same key is not
//!   rendered again; an intact file with the same content hash is not written again.
//!   Only files the manifest lists, and that are still as written (intact, or with the
//!   recorded hash), are ever removed; everything else in the folder is the user's
//!   (`CNAME`, …) and is kept, unless a page of the same name replaces it (reported).
//! - **First builds** ([`Stream`]): into a new or empty folder, each page is written to
//!   the staging folder as it is rendered and the folder moved into place at the end.
//! - **Interrupted builds.** When anything changed, the new site is built in a sibling
//!   temporary folder (`.<name>.tracemark-staging-XXXXXX`): changed pages written,
//!   unchanged ones hard-linked from the old site, the user's files and symlinks carried
//!   over (links recreated, never followed), then swapped in with one `renameat2
//!   (RENAME_EXCHANGE)` where the system has it (two renames otherwise) and the old site
//!   removed. A build killed at any point leaves the last good site in place; the
//!   staging folder it leaves is removed by the next build (it is named in the cache
//!   before it is created, so nothing else is ever removed). When nothing changed,
//!   nothing is written. A **small change** (at most 64 files, or 1/16 of the site,
//!   written or removed, each a file the manifest lists or a new file in a real folder
//!   of the site) is applied in place instead, each file atomically (temporary file and
//!   rename), since staging costs a hard link per unchanged file (11,000 on a large
//!   site): a build killed then leaves every file whole, some old and some new, and the
//!   next build completes the site.
//! - A symlink found where tracemark writes (a page path, or a folder on the way to
//!   one) is reported ([`Notice`]) and replaced by the real file, never written through.

use super::super::render::incremental::Key;
use super::super::render::pages::Page;
use anyhow::{Context, Result, bail};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::ffi::OsStr;
use std::fmt;
use std::fs;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};
use std::time::UNIX_EPOCH;

/// The ownership marker in every output folder tracemark writes (a few bytes, published
/// with the site; the manifest itself stays in the cache folder).
pub const MARKER: &str = ".tracemark-output";

/// The manifest file of earlier versions, inside the output folder: it still marks a
/// folder as tracemark's, but its paths are not trusted (a file name could forge them).
pub const LEGACY_MANIFEST: &str = ".tracemark-manifest";

const MARKER_TEXT: &str = "This folder is written by tracemark; files it did not write are kept.\n";

/// What the name of a staging folder holds (after `.<output folder name>`).
const STAGING_TAG: &str = ".tracemark-staging-";

const FORMAT: u32 = 1;

/// Whether a file name is one of tracemark's staging folders (a site being built).
pub fn is_staging(name: &OsStr) -> bool {
    name.to_str().is_some_and(|n| n.starts_with('.') && n.contains(STAGING_TAG))
}

/// Something about the output folder or the cache that the user should know: a symlink
/// replaced, a user file overwritten by a page, a corrupt cache entry dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The file or folder concerned, as given to the user (relative to the project root
    /// when inside it).
    pub path: String,
    /// What happened.
    pub message: String,
    /// What to do about it.
    pub help: String,
}

impl fmt::Display for Notice {
    /// `warning: path: message`, then `  help: …` on its own line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "warning: {}: {}\n  help: {}", self.path, self.message, self.help)
    }
}

/// What [`write()`] did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WriteStats {
    /// Files written because they were new or their bytes changed.
    pub written: usize,
    /// Stale files removed.
    pub removed: usize,
    /// Symlinks replaced, user files overwritten, files that could not be carried over.
    pub notices: Vec<Notice>,
    /// blake3 of the manifest now in the cache, when it is the one this write made
    /// (`None` without a cache or when it could not be written).
    pub manifest: Option<Key>,
}

/// A checked output folder (see [`Folder::open`]).
#[derive(Debug, Clone)]
pub struct Folder {
    /// Its absolute path, `..` resolved, symlinks above it resolved (it is not one).
    pub path: PathBuf,
    /// How messages name it: relative to the project root when inside it.
    label: String,
    /// The project root (canonical).
    root: PathBuf,
}

impl Folder {
    /// Checks that `out` may be written by a build of the project at `root` (canonical).
    ///
    /// Errors (tracemark exits 2): `out` is the root or an ancestor of it; it is inside a
    /// `.git` folder or the cache folder; it is a symlink or a file; it is a non-empty
    /// folder without [`MARKER`] (nor [`LEGACY_MANIFEST`]) and `force` is false.
    pub fn open(root: &Path, out: &Path, force: bool) -> Result<Folder> {
        let path = resolve(out)?;
        let label = label_of(root, &path);
        if root.starts_with(&path) {
            bail!(
                "output folder `{}` is the project root or contains it: a build would write among the project's \
                 files and read its own pages back; choose a folder of its own, e.g. `--out {}`",
                path.display(),
                root.join("public").display()
            );
        }
        if path.components().any(|c| c.as_os_str() == ".git") {
            bail!(
                "output folder `{}` is inside a `.git` folder; choose another with `--out`",
                path.display()
            );
        }
        if path.starts_with(root.join(super::CACHE_DIR)) {
            bail!(
                "output folder `{}` is inside tracemark's cache folder; choose another with `--out`",
                path.display()
            );
        }
        match fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_symlink() => bail!(
                "output folder `{label}` is a symlink; tracemark never writes through one: remove the link, \
                 or pass `--out` with the folder it points to"
            ),
            Ok(m) if !m.is_dir() => {
                bail!("output folder `{label}` is a file; remove it or choose another folder with `--out`")
            }
            Ok(_) => {
                let not_empty = fs::read_dir(&path)
                    .with_context(|| format!("cannot read output folder `{}`", path.display()))?
                    .next()
                    .is_some();
                if not_empty && !owned(&path) && !force {
                    bail!(
                        "output folder `{label}` is not empty and was not written by tracemark (it has no `{MARKER}`): \
                         choose an empty or new folder with `--out`, or pass `--force` to build into it \
                         (files tracemark does not write are kept; files named like its pages are replaced)"
                    );
                }
            }
            Err(_) => {}
        }
        Ok(Folder { path, label, root: root.to_path_buf() })
    }

    /// How messages name the file `rel` of this folder.
    fn name(&self, rel: &str) -> String {
        if rel.is_empty() { self.label.clone() } else { format!("{}/{rel}", self.label) }
    }

    /// Staging folders of this output folder: `(parent, prefix of their names)`.
    fn staging_prefix(&self) -> Option<(PathBuf, String)> {
        let parent = self.path.parent()?.to_path_buf();
        let name = self.path.file_name()?.to_string_lossy().into_owned();
        Some((parent, format!(".{name}{STAGING_TAG}")))
    }
}

/// Whether `dir` holds tracemark's ownership marker (a regular file, not a link).
fn owned(dir: &Path) -> bool {
    [MARKER, LEGACY_MANIFEST].iter().any(|m| fs::symlink_metadata(dir.join(m)).is_ok_and(|m| m.is_file()))
}

/// `out` made absolute with `..` and `.` resolved, and the nearest existing folder above
/// it canonicalised (symlinks the user has on the way are theirs to have); the last
/// component is kept as it is, so a symlinked output folder is seen as one.
fn resolve(out: &Path) -> Result<PathBuf> {
    let abs = if out.is_absolute() { out.to_path_buf() } else { std::env::current_dir()?.join(out) };
    let mut norm = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::ParentDir => {
                norm.pop();
            }
            Component::CurDir => {}
            c => norm.push(c),
        }
    }
    let Some(name) = norm.file_name().map(OsStr::to_os_string) else {
        bail!("output folder `{}` is a file-system root; choose a folder of its own", out.display());
    };
    let mut existing = norm.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut rest = Vec::new();
    let parent = loop {
        if let Ok(c) = existing.canonicalize() {
            break c;
        }
        match (existing.file_name().map(OsStr::to_os_string), existing.parent()) {
            (Some(n), Some(p)) => {
                rest.push(n);
                existing = p.to_path_buf();
            }
            _ => break existing,
        }
    };
    let mut path = parent;
    path.extend(rest.iter().rev());
    path.push(name);
    Ok(path)
}

fn label_of(root: &Path, path: &Path) -> String {
    match path.strip_prefix(root) {
        Ok(rel) => rel.to_string_lossy().replace('\\', "/"),
        Err(_) => path.display().to_string(),
    }
}

/// Whether a manifest or page path stays inside the folder: relative, `/`-separated, no
/// empty, `.` or `..` segment, no backslash or NUL.
pub fn safe_rel(rel: &str) -> bool {
    !rel.is_empty()
        && !rel.contains(['\\', '\0'])
        && !rel.starts_with('/')
        && rel.split('/').all(|s| !s.is_empty() && s != "." && s != "..")
        && !Path::new(rel).components().any(|c| matches!(c, Component::Prefix(_) | Component::RootDir))
}

/// What the previous build recorded about one file it wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    key: Option<Key>,
    hash: Key,
    size: u64,
    mtime: u128,
}

/// One line of the manifest.
#[derive(Serialize, Deserialize)]
struct Line {
    path: String,
    key: Option<String>,
    hash: String,
    size: u64,
    mtime: u128,
}

/// The manifest's first line.
#[derive(Serialize, Deserialize, PartialEq, Eq)]
struct Header {
    tracemark: String,
    format: u32,
    version: String,
    out: String,
}

impl Header {
    fn of(folder: &Folder) -> Header {
        Header {
            tracemark: "manifest".into(),
            format: FORMAT,
            version: env!("CARGO_PKG_VERSION").into(),
            out: folder.path.to_string_lossy().into_owned(),
        }
    }
}

/// The manifest's last line.
#[derive(Serialize, Deserialize)]
struct Checksum {
    checksum: String,
}

/// What the previous build left: its manifest, when it is valid for this version and
/// folder, and whether the folder carries the ownership marker.
#[derive(Debug, Default)]
pub struct Manifest {
    entries: HashMap<String, Entry>,
    /// blake3 of the manifest file's bytes, when it was valid.
    digest: Option<Key>,
}

impl Manifest {
    /// Reads the manifest at `path` (in the cache folder; `None` when the cache is not
    /// used) for `folder`; a missing, corrupt, tampered or foreign one gives an empty one.
    pub fn read(folder: &Folder, path: Option<&Path>) -> Manifest {
        let Some(text) = path.and_then(|p| read_file(p).ok()).and_then(|bytes| String::from_utf8(bytes).ok())
        else {
            return Manifest::default();
        };
        let entries = parse_manifest(&text, folder);
        let digest = (!entries.is_empty()).then(|| *blake3::hash(text.as_bytes()).as_bytes());
        Manifest { entries, digest }
    }

    /// blake3 of the manifest file read, when it was valid and listed files.
    pub fn digest(&self) -> Option<Key> {
        self.digest
    }

    /// The number of files listed.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no file is listed.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether the folder holds exactly what the manifest says tracemark wrote: every
    /// file listed intact (a regular file, not under a symlink, with the recorded size
    /// and modification time; one `lstat` each, in parallel), the ownership marker
    /// present and no manifest of an older version in it.
    pub fn all_intact(&self, folder: &Folder) -> bool {
        let out = &folder.path;
        if self.entries.is_empty()
            || !fs::symlink_metadata(out.join(MARKER)).is_ok_and(|m| m.is_file())
            || fs::symlink_metadata(out.join(LEGACY_MANIFEST)).is_ok()
        {
            return false;
        }
        let dirs = real_dirs(out, self.entries.keys().map(String::as_str));
        self.entries.par_iter().all(|(path, e)| parent_ok(&dirs, path) && intact(&out.join(path), e))
    }

    /// Page path → key for the pages whose file is intact (one `lstat` each, in
    /// parallel, and one per folder on the way): the renderer may skip them when their
    /// key is unchanged.
    pub fn intact_keys(&self, folder: &Folder) -> HashMap<String, Key> {
        let dirs = real_dirs(&folder.path, self.entries.keys().map(String::as_str));
        self.entries
            .par_iter()
            .filter_map(|(path, e)| {
                let key = e.key?;
                (parent_ok(&dirs, path) && intact(&folder.path.join(path), e)).then(|| (path.clone(), key))
            })
            .collect()
    }
}

fn parse_manifest(text: &str, folder: &Folder) -> HashMap<String, Entry> {
    let mut entries = HashMap::new();
    let lines: Vec<&str> = text.lines().collect();
    let [first, body @ .., last] = lines.as_slice() else { return entries };
    let header_ok = serde_json::from_str::<Header>(first).is_ok_and(|h| h == Header::of(folder));
    let sum_ok = serde_json::from_str::<Checksum>(last)
        .is_ok_and(|c| c.checksum == checksum(std::iter::once(*first).chain(body.iter().copied())));
    if !header_ok || !sum_ok {
        return entries;
    }
    for line in body {
        let Ok(l) = serde_json::from_str::<Line>(line) else { continue };
        if !safe_rel(&l.path) {
            continue;
        }
        let key = match l.key.as_deref() {
            None => None,
            Some(k) => match unhex(k) {
                Some(k) => Some(k),
                None => continue,
            },
        };
        if let Some(hash) = unhex(&l.hash) {
            entries.insert(l.path, Entry { key, hash, size: l.size, mtime: l.mtime });
        }
    }
    entries
}

fn checksum<'l>(lines: impl Iterator<Item = &'l str>) -> String {
    let mut h = blake3::Hasher::new();
    for l in lines {
        h.update(l.as_bytes());
        h.update(b"\n");
    }
    h.finalize().to_hex().to_string()
}

fn unhex(s: &str) -> Option<Key> {
    let mut k = [0u8; 32];
    if s.len() != 64 || !s.is_ascii() {
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

fn manifest_text(folder: &Folder, entries: &[(&str, &Entry)]) -> String {
    // One string grown line by line: a manifest of a large site is megabytes, and is
    // not held twice (as a list of lines, then joined).
    let mut text = String::with_capacity(entries.len() * 200 + 256);
    let mut push = |line: String| {
        text.push_str(&line);
        text.push('\n');
    };
    push(serde_json::to_string(&Header::of(folder)).unwrap_or_default());
    for (path, e) in entries {
        let line = Line {
            path: path.to_string(),
            key: e.key.as_ref().map(hex),
            hash: hex(&e.hash),
            size: e.size,
            mtime: e.mtime,
        };
        push(serde_json::to_string(&line).unwrap_or_default());
    }
    // JSON lines hold no raw line break: `lines` gives back exactly the lines pushed.
    let sum = checksum(text.lines());
    text.push_str(&serde_json::to_string(&Checksum { checksum: sum }).unwrap_or_default());
    text.push('\n');
    text
}

/// (size, modification time in nanoseconds) of a regular file, `None` when it is missing
/// or not a regular file (a symlink is not followed).
fn stat(path: &Path) -> Option<(u64, u128)> {
    let m = fs::symlink_metadata(path).ok()?;
    let mtime = m.modified().ok()?.duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    m.is_file().then_some((m.len(), mtime))
}

fn intact(path: &Path, e: &Entry) -> bool {
    stat(path) == Some((e.size, e.mtime))
}

/// The folders (relative, `""` for the folder itself) on the way to `paths` that are
/// real folders: neither symlinks nor files, and under real folders only.
fn real_dirs<'p>(out: &Path, paths: impl Iterator<Item = &'p str>) -> HashSet<String> {
    let mut all = BTreeSet::new();
    for p in paths {
        let mut at = 0;
        while let Some(i) = p[at..].find('/') {
            all.insert(&p[..at + i]);
            at += i + 1;
        }
    }
    let mut ok = HashSet::with_capacity(all.len() + 1);
    ok.insert(String::new());
    // Sorted, so a folder comes after its parent.
    for d in all {
        let parent = d.rfind('/').map_or("", |i| &d[..i]);
        if ok.contains(parent) && fs::symlink_metadata(out.join(d)).is_ok_and(|m| m.is_dir()) {
            ok.insert(d.to_string());
        }
    }
    ok
}

fn parent_ok(dirs: &HashSet<String>, rel: &str) -> bool {
    dirs.contains(rel.rfind('/').map_or("", |i| &rel[..i]))
}

/// Reads a file without following a symlink at its last component (`O_NOFOLLOW`
/// where the platform has it; a symlink is an error).
pub fn read_file(path: &Path) -> io::Result<Vec<u8>> {
    use std::io::Read;
    let mut f = open_nofollow(path, fs::OpenOptions::new().read(true))?;
    if !f.metadata()?.is_file() {
        return Err(io::Error::other("not a regular file"));
    }
    let mut bytes = Vec::new();
    f.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Creates `path` (which must not exist: never through a symlink) and writes `bytes`.
pub fn write_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut f = open_nofollow(path, fs::OpenOptions::new().write(true).create_new(true))?;
    f.write_all(bytes)
}

/// Replaces `path` with a file holding `bytes`: written to a temporary file next to it
/// (created anew, never through a symlink), then renamed over it (a symlink at `path`
/// is replaced, not followed). A reader sees the old file or the new one.
pub fn replace(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = path.with_extension("tmp");
    let _ = fs::remove_file(&tmp);
    write_new(&tmp, bytes)?;
    fs::rename(&tmp, path)
}

/// Writes one file the user named on the command line (an evidence bundle) through
/// `write`: into a new temporary file beside it, renamed over it once complete, so the
/// file is never seen half written and a symlink at `path` is replaced, not written
/// through. Missing folders above it are created. The file gets mode 0644.
///
/// Errors name the file: its folder cannot be written, `write` fails (the temporary
/// file is removed), the rename fails.
pub fn write_file(path: &Path, write: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    fs::create_dir_all(parent).with_context(|| format!("cannot create the folder `{}`", parent.display()))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(parent)
        .with_context(|| format!("cannot create a file in `{}`", parent.display()))?;
    {
        let mut buffered = io::BufWriter::with_capacity(1 << 20, tmp.as_file_mut());
        write(&mut buffered).with_context(|| format!("cannot write `{}`", path.display()))?;
        buffered.flush().with_context(|| format!("cannot write `{}`", path.display()))?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = tmp.as_file().set_permissions(fs::Permissions::from_mode(0o644));
    }
    tmp.persist(path).map_err(|e| anyhow::anyhow!("cannot write `{}`: {}", path.display(), e.error))?;
    Ok(())
}

/// Opens `path` with `options`, never through a symlink at its last component
/// (`O_NOFOLLOW`; elsewhere a symlink is refused).
pub(crate) fn open_nofollow(path: &Path, options: &mut fs::OpenOptions) -> io::Result<fs::File> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW);
    }
    #[cfg(not(unix))]
    if fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(io::Error::other("a symlink"));
    }
    options.open(path)
}

/// What to do with one page.
enum Plan {
    /// Already in the old site as it should be: hard-linked into the new one.
    Keep(Entry),
    /// Written anew.
    Write(Key),
}

/// Writes `pages` into `folder`, given what the previous build left, and saves the new
/// manifest at `manifest_path` (in the cache folder; `None`: not saved). When nothing
/// changed, nothing is written. Errors name the file that could not be written; a
/// manifest that cannot be saved only costs the next build time.
pub fn write(
    folder: &Folder,
    pages: &[Page],
    old: &Manifest,
    manifest_path: Option<&Path>,
) -> Result<WriteStats> {
    let out = &folder.path;
    let mut notices = Vec::new();
    let mut seen = HashSet::with_capacity(pages.len());
    let pages: Vec<&Page> = pages
        .iter()
        .filter(|p| {
            let ok = safe_rel(&p.path)
                && p.path != MARKER
                && p.path != LEGACY_MANIFEST
                && !is_staging(OsStr::new(&p.path));
            if !ok {
                notices.push(Notice {
                    path: folder.name(&p.path),
                    message: "a page with this path would not stay inside the output folder; not written"
                        .into(),
                    help: "rename the input file this page comes from".into(),
                });
            }
            ok && seen.insert(p.path.as_str())
        })
        .collect();
    let exists = fs::symlink_metadata(out).is_ok_and(|m| m.is_dir());
    let dirs = if exists {
        real_dirs(out, pages.iter().map(|p| p.path.as_str()).chain(old.entries.keys().map(String::as_str)))
    } else {
        HashSet::new()
    };
    // Which pages change: pass one, reading nothing but `lstat`s (and the bytes of a
    // file without a manifest entry, to compare).
    let plans: Vec<Plan> = pages
        .par_iter()
        .map(|p| -> Result<Plan> {
            let path = out.join(&p.path);
            let previous = old.entries.get(&p.path).filter(|_| exists && parent_ok(&dirs, &p.path));
            if p.unchanged {
                let e = previous.context("an unchanged page has a manifest entry")?;
                return Ok(Plan::Keep(e.clone()));
            }
            let hash = *blake3::hash(&p.bytes).as_bytes();
            let keep = match previous {
                Some(e) if e.hash == hash && intact(&path, e) => Some(Entry { key: p.key, ..e.clone() }),
                Some(_) => None,
                None if exists && parent_ok(&dirs, &p.path) => read_file(&path)
                    .ok()
                    .filter(|b| *b == p.bytes)
                    .and_then(|_| stat(&path))
                    .map(|(size, mtime)| Entry { key: p.key, hash, size, mtime }),
                None => None,
            };
            Ok(keep.map_or(Plan::Write(hash), Plan::Keep))
        })
        .collect::<Result<_>>()?;
    let current: HashSet<&str> = pages.iter().map(|p| p.path.as_str()).collect();
    // Stale files: in the old manifest, not produced now, still as written.
    let stale: HashSet<&str> = old
        .entries
        .iter()
        .filter(|(p, e)| {
            !current.contains(p.as_str())
                && parent_ok(&dirs, p)
                && (intact(&out.join(p.as_str()), e)
                    || read_file(&out.join(p.as_str())).is_ok_and(|b| *blake3::hash(&b).as_bytes() == e.hash))
        })
        .map(|(p, _)| p.as_str())
        .collect();
    let written = plans.iter().filter(|p| matches!(p, Plan::Write(_))).count();
    let marked = exists && fs::symlink_metadata(out.join(MARKER)).is_ok_and(|m| m.is_file());
    let legacy = fs::symlink_metadata(out.join(LEGACY_MANIFEST)).is_ok();
    let entries: Vec<(&str, Entry)> = if written == 0 && stale.is_empty() && marked && !legacy {
        pages
            .iter()
            .zip(plans)
            .filter_map(|(p, plan)| match plan {
                Plan::Keep(e) => Some((p.path.as_str(), e)),
                Plan::Write(_) => None,
            })
            .collect()
    } else if marked
        && !legacy
        && written + stale.len() <= (pages.len() / 16).max(64)
        && pages.iter().zip(&plans).all(|(p, plan)| {
            matches!(plan, Plan::Keep(_))
                || (parent_ok(&dirs, &p.path)
                    && match fs::symlink_metadata(out.join(&p.path)) {
                        Ok(m) => m.is_file() && old.entries.contains_key(&p.path),
                        Err(_) => true,
                    })
        })
    {
        patch(folder, &pages, plans, &stale)?
    } else {
        // Paths where a file of the old site is tracemark's: listed in the manifest, or
        // holding this build's bytes already.
        let ours: HashSet<&str> = pages
            .iter()
            .zip(&plans)
            .filter(|(p, plan)| matches!(plan, Plan::Keep(_)) || old.entries.contains_key(&p.path))
            .map(|(p, _)| p.path.as_str())
            .collect();
        stage(folder, &pages, plans, (&stale, &ours), manifest_path, &mut notices)?
    };
    let manifest =
        manifest_path.and_then(|path| save_manifest(folder, entries.iter().map(|(p, e)| (*p, e)), path));
    Ok(WriteStats { written, removed: stale.len(), notices, manifest })
}

/// Saves the manifest of `entries` at `path` (unless the file already holds it); the
/// blake3 of its text when it is on disk.
fn save_manifest<'e>(
    folder: &Folder,
    entries: impl Iterator<Item = (&'e str, &'e Entry)>,
    path: &Path,
) -> Option<Key> {
    let mut sorted: Vec<(&str, &Entry)> = entries.collect();
    sorted.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let text = manifest_text(folder, &sorted);
    let on_disk = read_file(path).ok().is_some_and(|old| old == text.as_bytes())
        || replace(path, text.as_bytes()).is_ok();
    on_disk.then(|| *blake3::hash(text.as_bytes()).as_bytes())
}

/// Creates the staging folder beside the output folder, after removing the one a killed
/// build left (named in the cache, at `manifest_path` with the extension `staging`, so
/// nothing else is ever removed), and puts the ownership marker in it. Returns it with
/// that record's path.
fn open_staging(folder: &Folder, manifest_path: Option<&Path>) -> Result<(Staging, Option<PathBuf>)> {
    let (parent, prefix) = folder.staging_prefix().context("the output folder has no parent")?;
    fs::create_dir_all(&parent).with_context(|| format!("cannot create `{}`", parent.display()))?;
    let record = manifest_path.map(|p| p.with_extension("staging"));
    remove_killed_staging(&parent, &prefix, record.as_deref());
    let staging = Staging::create(&parent, &prefix, record.as_deref())
        .with_context(|| format!("cannot create a staging folder in `{}`", parent.display()))?;
    write_new(&staging.path.join(MARKER), MARKER_TEXT.as_bytes())
        .with_context(|| format!("cannot write `{}`", staging.path.join(MARKER).display()))?;
    Ok((staging, record))
}

/// A first build's writer: pages go to disk as they are rendered, so the site is never
/// held in memory. Used only when the output folder is new or empty (nothing in it but
/// tracemark's [`MARKER`]): there is no old site to compare with, keep or carry over.
/// Pages are written into a staging folder (named in the cache first, as
/// [`write`]'s) that is moved into place by [`Stream::finish`], so a build killed
/// half-way leaves no half-written site behind. Every other build goes through
/// [`write`].
pub struct Stream {
    folder: Folder,
    staging: Staging,
    record: Option<PathBuf>,
    state: std::sync::Mutex<StreamState>,
}

#[derive(Default)]
struct StreamState {
    /// Folders created in the staging folder (relative).
    dirs: HashSet<String>,
    /// What was written: path and manifest entry.
    entries: Vec<(String, Entry)>,
    notices: Vec<Notice>,
}

impl Stream {
    /// The writer for `folder` when it is new or empty, `None` otherwise (the caller then
    /// renders the pages and hands them to [`write`]). Errors: the staging folder cannot
    /// be created next to the output folder.
    pub fn open(folder: &Folder, manifest_path: Option<&Path>) -> Result<Option<Stream>> {
        let out = &folder.path;
        match fs::symlink_metadata(out) {
            Err(_) => {}
            Ok(m) if m.is_dir() => {
                let mut names =
                    fs::read_dir(out).with_context(|| format!("cannot read `{}`", out.display()))?;
                if names.any(|e| e.map_or(true, |e| e.file_name() != MARKER)) {
                    return Ok(None);
                }
            }
            Ok(_) => return Ok(None),
        }
        let (staging, record) = open_staging(folder, manifest_path)?;
        Ok(Some(Stream { folder: folder.clone(), staging, record, state: Default::default() }))
    }

    /// Writes one page (from any thread) and gives it back without its bytes. A page
    /// whose path would leave the output folder, or that repeats an earlier page's
    /// path, is not written (a notice says so for the former).
    pub fn put(&self, mut page: Page) -> Result<Page> {
        let ok = safe_rel(&page.path)
            && page.path != MARKER
            && page.path != LEGACY_MANIFEST
            && !is_staging(OsStr::new(&page.path));
        let new = self.staging.path.as_path();
        {
            let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
            if !ok {
                state.notices.push(Notice {
                    path: self.folder.name(&page.path),
                    message: "a page with this path would not stay inside the output folder; not written"
                        .into(),
                    help: "rename the input file this page comes from".into(),
                });
                page.bytes = Vec::new();
                return Ok(page);
            }
            if let Some(i) = page.path.rfind('/') {
                let dir = &page.path[..i];
                if !state.dirs.contains(dir) {
                    // The staging folder is new and holds only what is put here: no symlink.
                    fs::create_dir_all(new.join(dir))
                        .with_context(|| format!("cannot create `{}`", new.join(dir).display()))?;
                    state.dirs.insert(dir.to_string());
                }
            }
        }
        let to = new.join(&page.path);
        match write_new(&to, &page.bytes) {
            Ok(()) => {}
            // The same path twice: the first page wins, as in [`write`].
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                page.bytes = Vec::new();
                return Ok(page);
            }
            Err(e) => return Err(e).with_context(|| format!("cannot write `{}`", to.display())),
        }
        let hash = *blake3::hash(&page.bytes).as_bytes();
        let (size, mtime) = stat(&to).with_context(|| format!("cannot read `{}`", to.display()))?;
        let entry = Entry { key: page.key, hash, size, mtime };
        self.state.lock().unwrap_or_else(|e| e.into_inner()).entries.push((page.path.clone(), entry));
        page.bytes = Vec::new();
        Ok(page)
    }

    /// Moves the written site into place (the empty output folder, if there was one,
    /// is swapped out and removed) and saves the manifest at `manifest_path`.
    pub fn finish(self, manifest_path: Option<&Path>) -> Result<WriteStats> {
        let out = self.folder.path.clone();
        let state = self.state.into_inner().unwrap_or_else(|e| e.into_inner());
        let staging = self.staging.keep();
        swap(&staging, &out).with_context(|| format!("cannot move the new site into `{}`", out.display()))?;
        // `staging` now holds the empty old folder, or nothing.
        let _ = fs::remove_dir_all(&staging);
        if let Some(record) = &self.record {
            let _ = fs::remove_file(record);
        }
        let manifest = manifest_path.and_then(|path| {
            save_manifest(&self.folder, state.entries.iter().map(|(p, e)| (p.as_str(), e)), path)
        });
        Ok(WriteStats { written: state.entries.len(), removed: 0, notices: state.notices, manifest })
    }
}

/// Removes the staging folder a killed build left, when the cache names it (`record`)
/// and the name is one of ours.
fn remove_killed_staging(parent: &Path, prefix: &str, record: Option<&Path>) {
    if let Some(record) = record
        && let Ok(name) = read_file(record)
    {
        let name = String::from_utf8_lossy(&name).into_owned();
        if name.starts_with(prefix) && !name.contains(['/', '\\']) {
            let _ = fs::remove_dir_all(parent.join(name));
        }
    }
}

/// Replaces the few changed files of the site in place, each atomically (a temporary
/// file written next to it, then renamed over it), and removes the stale ones. Only
/// used when every file written is new in a real folder of the site, or a regular file
/// the manifest lists (so no symlink or user file is met), and the change is small: a
/// staged build would have to link every unchanged file. Returns the manifest entries.
fn patch<'p>(
    folder: &Folder,
    pages: &[&'p Page],
    plans: Vec<Plan>,
    stale: &HashSet<&str>,
) -> Result<Vec<(&'p str, Entry)>> {
    let out = &folder.path;
    let mut entries = Vec::with_capacity(pages.len());
    for (p, plan) in pages.iter().zip(plans) {
        match plan {
            Plan::Keep(e) => entries.push((p.path.as_str(), e)),
            Plan::Write(hash) => {
                let path = out.join(&p.path);
                let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                let tmp = path.with_file_name(format!(".{name}.tracemark-tmp"));
                let _ = fs::remove_file(&tmp);
                write_new(&tmp, &p.bytes).with_context(|| format!("cannot write `{}`", tmp.display()))?;
                fs::rename(&tmp, &path).with_context(|| format!("cannot write `{}`", path.display()))?;
                let (size, mtime) =
                    stat(&path).with_context(|| format!("cannot read `{}`", path.display()))?;
                entries.push((p.path.as_str(), Entry { key: p.key, hash, size, mtime }));
            }
        }
    }
    for rel in stale {
        let path = out.join(rel);
        if fs::remove_file(&path).is_ok() {
            // Folders left empty by it go too (never the output folder itself).
            let mut dir = path.parent();
            while let Some(d) = dir {
                if d == out.as_path() || fs::remove_dir(d).is_err() {
                    break;
                }
                dir = d.parent();
            }
        }
    }
    Ok(entries)
}

/// Builds the new site in a staging folder next to the old one and swaps it in.
/// Returns the manifest entries of the new site.
fn stage<'p>(
    folder: &Folder,
    pages: &[&'p Page],
    plans: Vec<Plan>,
    (stale, ours): (&HashSet<&str>, &HashSet<&str>),
    manifest_path: Option<&Path>,
    notices: &mut Vec<Notice>,
) -> Result<Vec<(&'p str, Entry)>> {
    let out = &folder.path;
    let (staging, record) = open_staging(folder, manifest_path)?;
    let new = staging.path.as_path();
    // Folders first, once each, then every page in parallel: written, or hard-linked
    // from the old site. The staging folder is new and holds nothing but what is put
    // here, so no write can meet a symlink.
    let mut dirs = BTreeSet::new();
    for p in pages {
        if let Some(i) = p.path.rfind('/') {
            dirs.insert(&p.path[..i]);
        }
    }
    for d in dirs {
        fs::create_dir_all(new.join(d))
            .with_context(|| format!("cannot create `{}`", new.join(d).display()))?;
    }
    let entries: Vec<(&'p str, Entry)> = pages
        .par_iter()
        .zip(plans)
        .map(|(p, plan)| -> Result<(&'p str, Entry)> {
            let to = new.join(&p.path);
            match plan {
                Plan::Keep(e) => {
                    let from = out.join(&p.path);
                    if fs::hard_link(&from, &to).is_err() {
                        let bytes =
                            read_file(&from).with_context(|| format!("cannot read `{}`", from.display()))?;
                        write_new(&to, &bytes).with_context(|| format!("cannot write `{}`", to.display()))?;
                    }
                    let (size, mtime) =
                        stat(&to).with_context(|| format!("cannot read `{}`", to.display()))?;
                    Ok((p.path.as_str(), Entry { size, mtime, ..e }))
                }
                Plan::Write(hash) => {
                    write_new(&to, &p.bytes).with_context(|| format!("cannot write `{}`", to.display()))?;
                    let (size, mtime) =
                        stat(&to).with_context(|| format!("cannot read `{}`", to.display()))?;
                    Ok((p.path.as_str(), Entry { key: p.key, hash, size, mtime }))
                }
            }
        })
        .collect::<Result<_>>()?;
    // Everything else in the old site is the user's: carried over.
    let current: HashSet<&str> = pages.iter().map(|p| p.path.as_str()).collect();
    let mut complete = true;
    if fs::symlink_metadata(out).is_ok_and(|m| m.is_dir()) {
        let mut carry = Carry { folder, new, current: &current, stale, ours, notices, complete: true };
        carry.dir(out, "");
        complete = carry.complete;
    }
    let staging = staging.keep();
    swap(&staging, out).with_context(|| format!("cannot move the new site into `{}`", out.display()))?;
    // `staging` now holds the old site (or nothing, on a first build).
    if complete {
        let _ = fs::remove_dir_all(&staging);
        if let Some(record) = &record {
            let _ = fs::remove_file(record);
        }
    } else {
        if let Some(record) = &record {
            let _ = fs::remove_file(record);
        }
        notices.push(Notice {
            path: label_of(&folder.root, &staging),
            message: "the previous site is kept here: some of its files could not be carried over".into(),
            help: "copy what you need from it, then delete it".into(),
        });
    }
    Ok(entries)
}

/// A staging folder: removed when dropped unless [`keep`](Staging::keep) was called.
struct Staging {
    path: PathBuf,
    kept: bool,
}

impl Staging {
    /// Creates `<parent>/<prefix><random>`, after writing its name to `record` (so the
    /// next build can remove it if this one is killed).
    fn create(parent: &Path, prefix: &str, record: Option<&Path>) -> io::Result<Staging> {
        use std::hash::BuildHasher;
        let seed = std::time::SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        for attempt in 0..16u32 {
            let n =
                std::collections::hash_map::RandomState::new().hash_one((seed, std::process::id(), attempt));
            let name = format!("{prefix}{:012x}", n & 0xffff_ffff_ffff);
            if let Some(record) = record {
                let _ = replace(record, name.as_bytes());
            }
            let path = parent.join(&name);
            match fs::create_dir(&path) {
                Ok(()) => return Ok(Staging { path, kept: false }),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
        Err(io::Error::other("no free name"))
    }

    fn keep(mut self) -> PathBuf {
        self.kept = true;
        std::mem::take(&mut self.path)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.kept {
            let _ = fs::remove_dir_all(&self.path);
        }
    }
}

/// Carrying the user's files of the old site into the staging folder.
struct Carry<'a> {
    folder: &'a Folder,
    new: &'a Path,
    current: &'a HashSet<&'a str>,
    stale: &'a HashSet<&'a str>,
    ours: &'a HashSet<&'a str>,
    notices: &'a mut Vec<Notice>,
    complete: bool,
}

impl Carry<'_> {
    /// Carries the entries of the old site's folder `dir` (`rel` in the site) over;
    /// whether anything was.
    fn dir(&mut self, dir: &Path, rel: &str) -> bool {
        let Ok(list) = fs::read_dir(dir) else {
            self.not_carried(rel, "cannot be read");
            return true;
        };
        let mut carried = false;
        let mut names: Vec<_> = list.flatten().collect();
        names.sort_by_key(fs::DirEntry::file_name);
        for e in names {
            let name = e.file_name().to_string_lossy().into_owned();
            let r = if rel.is_empty() { name.clone() } else { format!("{rel}/{name}") };
            if rel.is_empty() && (name == MARKER || name == LEGACY_MANIFEST) {
                continue;
            }
            if name.starts_with('.') && name.ends_with(".tracemark-tmp") {
                continue; // a page half-written by a killed build (see `patch`)
            }
            let Ok(t) = e.file_type() else {
                self.not_carried(&r, "cannot be read");
                continue;
            };
            let to = self.new.join(&r);
            if self.current.contains(r.as_str()) {
                if t.is_symlink() {
                    self.notice(&r, "was a symlink; replaced by tracemark's page of that name, the link's target was not touched", "nothing to do; do not commit symlinks into the output folder");
                } else if t.is_dir() {
                    self.not_carried(&r, "is a folder where tracemark writes a page");
                } else if !self.ours.contains(r.as_str()) {
                    self.notice(
                        &r,
                        "was not written by tracemark and is replaced by its page of that name",
                        "rename your file if you need it (it is not kept)",
                    );
                }
                continue; // a page: stale bookkeeping aside, ours now
            }
            if self.stale.contains(r.as_str()) {
                continue; // written by an earlier build, not by this one: removed
            }
            if t.is_dir() {
                match fs::symlink_metadata(&to) {
                    Ok(m) if m.is_dir() => {
                        carried |= self.dir(&e.path(), &r);
                    }
                    Ok(_) => self.not_carried(&r, "is a folder where tracemark writes a page"),
                    Err(_) => {
                        if fs::create_dir(&to).is_ok() {
                            // A folder that held only stale pages goes with them.
                            let had = fs::read_dir(e.path()).is_ok_and(|mut d| d.next().is_some());
                            if self.dir(&e.path(), &r) || !had {
                                carried = true;
                            } else {
                                let _ = fs::remove_dir(&to);
                            }
                        } else {
                            self.not_carried(&r, "cannot be created in the new site");
                        }
                    }
                }
            } else if fs::symlink_metadata(&to).is_ok() {
                if t.is_symlink() {
                    self.notice(&r, "was a symlink where tracemark writes a folder; replaced by the folder, the link's target was not touched", "nothing to do; do not commit symlinks into the output folder");
                } else {
                    self.not_carried(&r, "is a file where tracemark writes a folder");
                }
            } else if t.is_symlink() {
                match fs::read_link(e.path()) {
                    Ok(target) if symlink(&target, &to).is_ok() => carried = true,
                    _ => self.not_carried(&r, "is a symlink that cannot be recreated"),
                }
            } else if t.is_file() {
                if fs::hard_link(e.path(), &to).is_ok()
                    || read_file(&e.path()).and_then(|b| write_new(&to, &b)).is_ok()
                {
                    carried = true;
                } else {
                    self.not_carried(&r, "cannot be copied");
                }
            } else {
                self.not_carried(&r, "is not a regular file, folder or symlink");
            }
        }
        carried
    }

    fn notice(&mut self, rel: &str, message: &str, help: &str) {
        self.notices.push(Notice { path: self.folder.name(rel), message: message.into(), help: help.into() });
    }

    fn not_carried(&mut self, rel: &str, why: &str) {
        self.complete = false;
        self.notice(
            rel,
            &format!("{why}; not carried into the new site"),
            "rename or move it out of the output folder",
        );
    }
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(not(unix))]
fn symlink(_: &Path, _: &Path) -> io::Result<()> {
    Err(io::Error::other("symlinks are not recreated on this platform"))
}

/// Puts the folder `new` at `out`; afterwards `new` holds the old `out` (if there was
/// one). One atomic exchange where the system has it, else two renames.
fn swap(new: &Path, out: &Path) -> io::Result<()> {
    if fs::symlink_metadata(out).is_err() {
        return fs::rename(new, out);
    }
    #[cfg(any(target_os = "linux", target_os = "android", target_vendor = "apple"))]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        if renameat_with(CWD, new, CWD, out, RenameFlags::EXCHANGE).is_ok() {
            return Ok(());
        }
    }
    let mut old = new.as_os_str().to_owned();
    old.push("-old");
    let old = PathBuf::from(old);
    fs::rename(out, &old)?;
    if let Err(e) = fs::rename(new, out) {
        let _ = fs::rename(&old, out);
        return Err(e);
    }
    fs::rename(&old, new)
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

    fn folder(tmp: &Path) -> Folder {
        let root = tmp.join("project");
        fs::create_dir_all(&root).unwrap();
        Folder::open(&root.canonicalize().unwrap(), &tmp.join("out"), false).unwrap()
    }

    #[test]
    fn skips_unchanged_removes_stale_and_keeps_user_files() {
        let tmp = tempfile::tempdir().unwrap();
        let f = folder(tmp.path());
        let rec = &tmp.path().join("manifest.jsonl");
        let out = &f.path;
        let first = write(
            &f,
            &[page("a.html", "1"), page("x/b.html", "2")],
            &Manifest::read(&f, Some(rec)),
            Some(rec),
        )
        .unwrap();
        assert_eq!((first.written, first.removed), (2, 0));
        fs::write(out.join("keep-me.txt"), "not ours").unwrap();
        let second =
            write(&f, &[page("a.html", "1"), page("c.html", "3")], &Manifest::read(&f, Some(rec)), Some(rec))
                .unwrap();
        assert_eq!((second.written, second.removed), (1, 1));
        assert!(!out.join("x").exists(), "the folder of a stale page is gone");
        assert_eq!(
            fs::read_to_string(out.join("keep-me.txt")).unwrap(),
            "not ours",
            "files tracemark did not write stay"
        );
        assert_eq!(fs::read_to_string(out.join("c.html")).unwrap(), "3");
        let third =
            write(&f, &[page("a.html", "1"), page("c.html", "3")], &Manifest::read(&f, Some(rec)), Some(rec))
                .unwrap();
        assert_eq!((third.written, third.removed), (0, 0));
        let leftovers: Vec<_> =
            fs::read_dir(tmp.path()).unwrap().flatten().filter(|e| is_staging(&e.file_name())).collect();
        assert!(leftovers.is_empty(), "no staging folder is left");
    }

    #[test]
    fn intact_files_are_known_by_key_and_edited_ones_are_not() {
        let tmp = tempfile::tempdir().unwrap();
        let f = folder(tmp.path());
        let rec = &tmp.path().join("manifest.jsonl");
        let out = &f.path;
        let pages = [keyed("a.html", "1", 1), keyed("b.html", "2", 2), page("s.css", "x")];
        write(&f, &pages, &Manifest::default(), Some(rec)).unwrap();
        let m = Manifest::read(&f, Some(rec));
        let keys = m.intact_keys(&f);
        assert_eq!(keys.len(), 2, "pages without a key are compared by content");
        assert_eq!(keys["a.html"], [1; 32]);
        fs::write(out.join("a.html"), "edited by hand").unwrap();
        fs::remove_file(out.join("b.html")).unwrap();
        assert!(m.intact_keys(&f).is_empty(), "edited and deleted files are not intact");
        write(&f, &pages, &m, Some(rec)).unwrap();
        assert_eq!(Manifest::read(&f, Some(rec)).intact_keys(&f).len(), 2);
        // A tampered manifest is not trusted.
        let text = fs::read_to_string(rec).unwrap().replace("a.html", "z.html");
        fs::write(rec, text).unwrap();
        let m = Manifest::read(&f, Some(rec));
        assert!(m.entries.is_empty());
        let unchanged = Page { unchanged: true, ..keyed("b.html", "", 2) };
        assert!(write(&f, &[unchanged], &m, Some(rec)).is_err(), "an unchanged page needs a trusted entry");
    }

    #[test]
    fn manifest_paths_outside_the_folder_are_ignored() {
        let tmp = tempfile::tempdir().unwrap();
        let f = folder(tmp.path());
        let entry = Entry { key: None, hash: [0; 32], size: 1, mtime: 1 };
        let text = manifest_text(
            &f,
            &[
                ("../x", &entry),
                ("/etc/passwd", &entry),
                ("a//b", &entry),
                ("a/./b", &entry),
                ("ok\nCNAME", &entry),
            ],
        );
        let parsed = parse_manifest(&text, &f);
        assert_eq!(parsed.keys().collect::<Vec<_>>(), ["ok\nCNAME"], "a newline stays inside one entry");
    }

    #[test]
    fn folders_that_are_not_the_sites_own_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("p");
        fs::create_dir_all(root.join(".git")).unwrap();
        let root = root.canonicalize().unwrap();
        for bad in [root.clone(), root.join(".."), root.join(".git/site"), root.join(".tracemark-cache/x")] {
            assert!(Folder::open(&root, &bad, true).is_err(), "{}", bad.display());
        }
        let foreign = tmp.path().join("foreign");
        fs::create_dir_all(&foreign).unwrap();
        fs::write(foreign.join("CNAME"), "x").unwrap();
        let err = Folder::open(&root, &foreign, false).unwrap_err().to_string();
        assert!(err.contains("--force"), "{err}");
        assert!(Folder::open(&root, &foreign, true).is_ok());
        assert!(Folder::open(&root, &root.join("public"), false).is_ok());
        assert_eq!(Folder::open(&root, &root.join("a/../public"), false).unwrap().path, root.join("public"));
    }
}
