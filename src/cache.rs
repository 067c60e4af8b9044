//! The build cache, `.tracemark-cache/` at the project root: the only code that reads
//! or writes that folder.
//!
//! Everything a rebuild reuses is one [redb](https://www.redb.org) database,
//! `.tracemark-cache/cache.redb`, with three tables (the files of earlier layouts are
//! removed when it is created):
//!
//! - [`Table::Highlight`]: highlighted source files (`render::cache`), keyed by blake3 of
//!   (version, engine, language, text);
//! - [`Table::Markdown`]: rendered plan documents with the linker answers they depend on
//!   (`render::incremental`), keyed by blake3 of (version, engine, page, path, text);
//! - [`Table::Git`]: what git answered, one value per name: [`HISTORY`] (the git log of one commit,
//!   `history::read_log`) and [`SUSPECT`] (the suspect-link analysis's pieces,
//!   `suspect::analyse`).
//!
//! Keys are content addresses: a changed input gives a new key, so nothing stale is
//! served. Every value is stored LZ4-compressed (`lz4_flex`, its length first) behind a
//! checksum (the first 16 bytes of blake3 of the table, the key and the compressed
//! value) checked on every read: a value that fails is a miss,
//! counted ([`Cache::corrupt`], reported as a notice), and never sealed again with a
//! fresh checksum. A database that cannot be opened as ours (damaged beyond redb's own
//! repair, another format, not a database at all) is deleted and created anew, with a
//! notice; a database of another [`FORMAT`] is emptied.
//!
//! A build works in one write transaction, begun when the cache is first used (a
//! rebuild that finds nothing changed never opens it): new entries go to the database
//! as they are made (redb spills them to the file past an 8 MiB cache, so a first build
//! never holds the whole cache in memory), and are readable by the same build at once.
//! [`Cache::commit`] deletes the content entries the build did not use (nothing grows
//! with deleted files) and commits durably; a build that fails or is killed commits
//! nothing, and the next one finds the previous cache. Two builds of the same project
//! at once: the second waits for the first to finish (up to [`LOCK_WAIT`]), then runs
//! with a cache in memory (saved nowhere) rather than fail.
//!
//! The cache folder is used only when it is a real folder (or missing): a symlinked
//! `.tracemark-cache`, or a symlink in place of the database, is neither read nor
//! written (a notice says so); the database is opened with `O_NOFOLLOW`. The manifests
//! of output folders (`manifest-<hash>.jsonl`, with the build record `.fresh` and the
//! staging name `.staging` beside it) are the output folder's records of what it owns;
//! `site::output` and `site::fresh` write them here, as files named by
//! [`Cache::manifest_path`].

use crate::site::output::{self, Notice};
use redb::{Database, ReadableTable, ReadableTableMetadata, TableDefinition, WriteTransaction};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::Duration;

/// The cache folder at the project root (it holds a `.gitignore` ignoring itself).
pub const CACHE_DIR: &str = ".tracemark-cache";

/// The database's file inside [`CACHE_DIR`].
pub const DATABASE: &str = "cache.redb";

/// The name of the git log of the commit the site shows, in [`Table::Git`].
pub const HISTORY: &str = "history";

/// The name of the suspect-link analysis's pieces (git blame and diffs), in [`Table::Git`].
pub const SUSPECT: &str = "suspect";

/// The database's layout version: bumped when a table's key or value encoding changes,
/// which empties every table of an older database.
pub const FORMAT: u32 = 1;

/// How long a build waits for another build of the same project to release the cache.
pub const LOCK_WAIT: Duration = Duration::from_secs(120);

/// redb's page cache (reads and not yet written pages), bytes. The operating system
/// caches the file too; this bounds what a build holds.
const PAGE_CACHE: usize = 8 << 20;

/// A table of the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    /// Highlighted source files; content-addressed, unused entries deleted.
    Highlight,
    /// Rendered markdown documents; content-addressed, unused entries deleted.
    Markdown,
    /// What git answered, by name ([`HISTORY`], [`SUSPECT`]): replaced when saved, never
    /// deleted.
    Git,
}

impl Table {
    const ALL: [Table; 3] = [Table::Highlight, Table::Markdown, Table::Git];

    /// The table's name in the database (and in notices).
    pub fn name(self) -> &'static str {
        match self {
            Table::Highlight => "highlight",
            Table::Markdown => "markdown",
            Table::Git => "git",
        }
    }

    fn definition(self) -> TableDefinition<'static, &'static [u8], &'static [u8]> {
        TableDefinition::new(self.name())
    }

    fn index(self) -> usize {
        self as usize
    }
}

const META: TableDefinition<'static, &'static str, u32> = TableDefinition::new("meta");

/// The build cache of one project (see the module documentation). Shared by the
/// threads of a build (`&Cache`); entries are read and added through one lock.
pub struct Cache {
    /// The cache folder; `None` when it is not used (a symlink) or the cache lives in
    /// memory only.
    dir: Option<PathBuf>,
    /// The open database and the build's write transaction, opened on first use;
    /// `None` when it could not be.
    store: OnceLock<Option<Mutex<Store>>>,
    /// Content keys of each table this build used (read, kept or added), which
    /// [`Cache::commit`] keeps.
    used: [Mutex<HashSet<Vec<u8>>>; 3],
    /// Values whose checksum failed when read, per table.
    corrupt: [AtomicUsize; 3],
    notices: Mutex<Vec<Notice>>,
}

struct Store {
    /// `None` once committed.
    txn: Option<WriteTransaction>,
    /// Whether the database is the file (else it is in memory, saved nowhere).
    on_disk: bool,
    // Dropped after the transaction.
    _db: Database,
}

impl Cache {
    /// The cache of the project at `root` (`root/.tracemark-cache`). Nothing is read or
    /// created yet; a symlinked cache folder gives a cache that keeps values for this
    /// build only, and a notice.
    pub fn open(root: &Path) -> Cache {
        let dir = root.join(CACHE_DIR);
        if std::fs::symlink_metadata(&dir).is_ok_and(|m| !m.is_dir()) {
            let cache = Cache::in_memory();
            cache.notice(
                CACHE_DIR.into(),
                "is not a folder (a symlink?); the cache is not used, nothing is read or written through it"
                    .into(),
                format!("delete `{CACHE_DIR}`; tracemark creates it as a folder"),
            );
            return cache;
        }
        Cache { dir: Some(dir), ..Cache::in_memory() }
    }

    /// A cache in memory only: values added are found again by the same build, and
    /// nothing is saved.
    pub fn in_memory() -> Cache {
        Cache {
            dir: None,
            store: OnceLock::new(),
            used: Default::default(),
            corrupt: Default::default(),
            notices: Mutex::new(Vec::new()),
        }
    }

    /// Creates the cache folder (with a `.gitignore` ignoring it) if it is missing.
    pub fn create_dir(&self) {
        let Some(top) = &self.dir else { return };
        let _ = std::fs::create_dir(top);
        // Fails when it exists (a symlink there is not followed either).
        let _ =
            output::write_new(&top.join(".gitignore"), b"# tracemark's build cache; safe to delete.\n*\n");
    }

    /// Where the manifest of the output folder `folder` is kept:
    /// `manifest-<hash of its path>.jsonl` in the cache folder (`None` without one).
    pub fn manifest_path(&self, folder: &Path) -> Option<PathBuf> {
        let hash = blake3::hash(folder.to_string_lossy().as_bytes()).to_hex();
        Some(self.dir.as_ref()?.join(format!("manifest-{}.jsonl", &hash[..16])))
    }

    /// The value under `key` in `table`, when present and intact (a value whose
    /// checksum fails is counted and is a miss). Marks the entry as used.
    pub fn get(&self, table: Table, key: &[u8]) -> Option<Vec<u8>> {
        // Copied out under the lock; checked and decompressed after it.
        let stored = self.with_table(table, |t| Some(t.get(key).ok()??.value().to_vec()))??;
        let value =
            sealed_value(table, key, &stored).and_then(|v| lz4_flex::decompress_size_prepended(v).ok());
        self.count(table, key, value.is_some());
        value
    }

    /// Whether an intact value is under `key` (its checksum is checked; it is not
    /// decompressed). Marks the entry as used; a corrupt one is counted.
    pub fn check(&self, table: Table, key: &[u8]) -> bool {
        let Some(Some(intact)) =
            self.with_table(table, |t| Some(sealed_value(table, key, t.get(key).ok()??.value()).is_some()))
        else {
            return false;
        };
        self.count(table, key, intact);
        intact
    }

    /// Marks the entry under `key` as used, so [`commit`](Self::commit) keeps it, without
    /// reading it (a page that shows it was intact and is not rendered again).
    pub fn keep(&self, table: Table, key: &[u8]) {
        if self.with_table(table, |t| t.get(key).ok().flatten().is_some()) == Some(true) {
            self.mark(table, key);
        }
    }

    /// Adds (or replaces) the value under `key`; readable by this build at once, saved
    /// by [`commit`](Self::commit). A value that cannot be stored is not (the next build
    /// makes it again).
    pub fn put(&self, table: Table, key: &[u8], value: &[u8]) {
        let compressed = lz4_flex::compress_prepend_size(value);
        let mut stored = Vec::with_capacity(16 + compressed.len());
        stored.extend_from_slice(&checksum(table, key, &compressed));
        stored.extend_from_slice(&compressed);
        drop(compressed);
        if self.with_table(table, |mut t| t.insert(key, stored.as_slice()).is_ok()) == Some(true) {
            self.mark(table, key);
        }
    }

    /// The git output saved as `name` ([`HISTORY`], [`SUSPECT`]), when present and intact.
    pub fn git_output(&self, name: &str) -> Option<Vec<u8>> {
        self.get(Table::Git, name.as_bytes())
    }

    /// Replaces the git output saved as `name`.
    pub fn set_git_output(&self, name: &str, value: &[u8]) {
        self.put(Table::Git, name.as_bytes(), value);
    }

    /// Entries of `table` in the database now.
    pub fn len(&self, table: Table) -> usize {
        self.with_table(table, |t| t.len().ok()).flatten().unwrap_or(0) as usize
    }

    /// Values of `table` found corrupt by this build (each a miss).
    pub fn corrupt(&self, table: Table) -> usize {
        self.corrupt[table.index()].load(Ordering::Relaxed)
    }

    /// Saves the build's work and commits durably. With `collect` (a build that rendered
    /// its pages, so used every entry it needs) the content entries it did not use are
    /// deleted first; without (an analysis, a build that found its site up to date) they
    /// are all kept. Returns what the user should know (a symlinked or locked cache, a
    /// damaged database rebuilt, corrupt entries dropped). A cache that cannot be saved
    /// costs the next build time, not correctness: failures become a notice.
    pub fn commit(self, collect: bool) -> Vec<Notice> {
        let mut notices = std::mem::take(&mut *self.notices.lock().expect("cache notices"));
        for table in [Table::Highlight, Table::Markdown] {
            let dropped = self.corrupt(table);
            if dropped > 0 {
                notices.push(Notice {
                    path: format!("{CACHE_DIR}/{DATABASE}"),
                    message: format!("{dropped} corrupt {} cache entries dropped and rebuilt", table.name()),
                    help: "nothing to do; if it happens again, check the disk or delete the cache folder"
                        .into(),
                });
            }
        }
        let Some(Some(store)) = self.store.into_inner() else { return notices };
        let mut store = store.into_inner().expect("cache lock");
        let Some(txn) = store.txn.take() else { return notices };
        let used = self.used.map(|u| u.into_inner().expect("cache lock"));
        let result = (|| -> Result<(), redb::Error> {
            for table in [Table::Highlight, Table::Markdown].into_iter().filter(|_| collect) {
                let mut t = txn.open_table(table.definition())?;
                let keep = &used[table.index()];
                if t.len()? as usize != keep.len() {
                    t.retain(|k, _| keep.contains(k))?;
                }
            }
            txn.commit()?;
            Ok(())
        })();
        if let (Err(e), true) = (result, store.on_disk) {
            notices.push(Notice {
                path: format!("{CACHE_DIR}/{DATABASE}"),
                message: format!("the cache could not be saved: {e}"),
                help: "the next build does more work; check the disk, or delete the cache folder".into(),
            });
        }
        notices
    }

    /// `f` on `table` of the build's transaction, under the lock; `None` without a store
    /// or when the table cannot be opened.
    fn with_table<R>(&self, table: Table, f: impl FnOnce(redb::Table<'_, &[u8], &[u8]>) -> R) -> Option<R> {
        let store = self.store()?;
        let t = store.txn.as_ref()?.open_table(table.definition()).ok()?;
        Some(f(t))
    }

    /// Counts a value read intact (marked as used) or corrupt.
    fn count(&self, table: Table, key: &[u8], intact: bool) {
        if intact {
            self.mark(table, key);
        } else {
            self.corrupt[table.index()].fetch_add(1, Ordering::Relaxed);
        }
    }

    fn mark(&self, table: Table, key: &[u8]) {
        if table != Table::Git {
            self.used[table.index()].lock().expect("cache lock").insert(key.to_vec());
        }
    }

    fn notice(&self, path: String, message: String, help: String) {
        self.notices.lock().expect("cache notices").push(Notice { path, message, help });
    }

    /// The open store, opening it on first use.
    fn store(&self) -> Option<MutexGuard<'_, Store>> {
        let store = self.store.get_or_init(|| self.open_store().map(Mutex::new));
        store.as_ref().map(|s| s.lock().expect("cache lock"))
    }

    /// The database file, or, when it cannot be used (no cache folder, a symlink, held by
    /// another build too long, unreadable), a database in memory: a build always finds
    /// again what it stored (the HTML of a document it rendered), whether or not it can be
    /// saved.
    fn open_store(&self) -> Option<Store> {
        let mut builder = Database::builder();
        builder.set_cache_size(PAGE_CACHE);
        let in_memory = |builder: &redb::Builder| {
            let db = builder.create_with_backend(redb::backends::InMemoryBackend::new()).ok()?;
            let txn = db.begin_write().ok()?;
            Some(Store { txn: Some(txn), on_disk: false, _db: db })
        };
        let Some(dir) = &self.dir else { return in_memory(&builder) };
        let Some(db) = self.open_file(&builder, dir) else { return in_memory(&builder) };
        let txn = db.begin_write().ok();
        match txn.as_ref().map(check_format) {
            Some(Ok(())) => Some(Store { txn, on_disk: true, _db: db }),
            Some(Err(e)) => {
                self.notice(
                    format!("{CACHE_DIR}/{DATABASE}"),
                    format!("could not be read ({e}); this build runs without the saved cache"),
                    "delete the cache folder; tracemark creates it again".into(),
                );
                drop(txn);
                drop(db);
                in_memory(&builder)
            }
            None => in_memory(&builder),
        }
    }

    /// Opens (or creates) the database file, waiting for another build that holds it;
    /// a file that is not a usable database is replaced by a new one.
    fn open_file(&self, builder: &redb::Builder, dir: &Path) -> Option<Database> {
        let path = dir.join(DATABASE);
        let shown = format!("{CACHE_DIR}/{DATABASE}");
        self.create_dir();
        if !std::fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir()) {
            return None;
        }
        if std::fs::symlink_metadata(&path).is_err() {
            remove_old_layout(dir);
        }
        let start = std::time::Instant::now();
        let mut replaced = false;
        loop {
            let file = match output::open_nofollow(
                &path,
                std::fs::OpenOptions::new().read(true).write(true).create(true).truncate(false),
            ) {
                Ok(f) if f.metadata().is_ok_and(|m| m.is_file()) => f,
                _ => {
                    self.notice(
                        shown.clone(),
                        "is not a regular file (a symlink?); the saved cache is not used".into(),
                        format!("delete `{shown}`; tracemark creates it"),
                    );
                    return None;
                }
            };
            match builder.create_with_backend(redb::backends::FileBackend::new(file)) {
                Ok(db) => return Some(db),
                Err(redb::DatabaseError::DatabaseAlreadyOpen | redb::DatabaseError::LockProtocolMismatch) => {
                    if start.elapsed() >= LOCK_WAIT {
                        self.notice(
                            shown.clone(),
                            format!(
                                "is in use by another tracemark build (waited {} s); this build runs without the saved cache",
                                LOCK_WAIT.as_secs()
                            ),
                            "let the other build finish; nothing to do".into(),
                        );
                        return None;
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(e) if !replaced => {
                    replaced = true;
                    self.notice(
                        shown.clone(),
                        format!("could not be opened ({e}): damaged or not ours; replaced by an empty cache"),
                        "nothing to do; if it happens again, check the disk".into(),
                    );
                    if std::fs::remove_file(&path).is_err() {
                        return None;
                    }
                }
                Err(_) => return None,
            }
        }
    }
}

/// Removes the files of the cache layouts before the database (the sharded highlight
/// and markdown caches, the history and suspect files, the page records) from the cache
/// folder `dir`, when the database is created. Only files and folders with those names,
/// never through a symlink.
fn remove_old_layout(dir: &Path) {
    for name in ["highlight", "markdown"] {
        let sub = dir.join(name);
        if std::fs::symlink_metadata(&sub).is_ok_and(|m| m.is_dir()) {
            for i in 0..32 {
                let _ = std::fs::remove_file(sub.join(format!("{i:02x}.bin")));
            }
            let _ = std::fs::remove_dir(&sub);
        }
    }
    for name in ["highlight.bin", "suspect.json", "suspect.bin", "history.log"] {
        let _ = std::fs::remove_file(dir.join(name));
    }
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let name = e.file_name();
            let name = name.to_string_lossy();
            if name.starts_with("pages-") && name.ends_with(".txt") {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

/// Empties every table of a database of another [`FORMAT`] and writes this one.
fn check_format(txn: &WriteTransaction) -> Result<(), redb::Error> {
    let current = txn.open_table(META)?.get("format")?.map(|v| v.value());
    if current != Some(FORMAT) {
        for table in Table::ALL {
            txn.delete_table(table.definition())?;
        }
        txn.open_table(META)?.insert("format", FORMAT)?;
    }
    Ok(())
}

/// The compressed value of a stored entry (checksum, then value) when its checksum
/// matches.
fn sealed_value<'v>(table: Table, key: &[u8], stored: &'v [u8]) -> Option<&'v [u8]> {
    let (sum, value) = stored.split_at_checked(16)?;
    (sum == checksum(table, key, value)).then_some(value)
}

/// A value's checksum: the first 16 bytes of blake3 of the table's name, the key and
/// the value (each length-prefixed).
fn checksum(table: Table, key: &[u8], value: &[u8]) -> [u8; 16] {
    let mut h = blake3::Hasher::new();
    for part in [table.name().as_bytes(), key] {
        h.update(&(part.len() as u64).to_le_bytes());
        h.update(part);
    }
    h.update(value);
    h.finalize().as_bytes()[..16].try_into().expect("16 bytes")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db_path(root: &Path) -> PathBuf {
        root.join(CACHE_DIR).join(DATABASE)
    }

    #[test]
    fn values_survive_a_commit_and_unused_entries_are_deleted() {
        let tmp = tempfile::tempdir().unwrap();
        let c = Cache::open(tmp.path());
        c.put(Table::Highlight, b"a", b"alpha");
        c.put(Table::Highlight, b"b", b"beta");
        c.set_git_output(HISTORY, b"log");
        assert_eq!(c.get(Table::Highlight, b"a").as_deref(), Some(b"alpha".as_slice()), "read back at once");
        assert!(c.commit(true).is_empty());
        assert!(tmp.path().join(CACHE_DIR).join(".gitignore").is_file());
        let c = Cache::open(tmp.path());
        assert_eq!(c.get(Table::Highlight, b"a").as_deref(), Some(b"alpha".as_slice()));
        assert_eq!(c.get(Table::Markdown, b"a"), None, "tables are apart");
        assert_eq!(c.len(Table::Highlight), 2);
        c.commit(true);
        let c = Cache::open(tmp.path());
        assert_eq!(c.len(Table::Highlight), 1, "`b` was not used by the last build");
        assert_eq!(c.git_output(HISTORY).as_deref(), Some(b"log".as_slice()), "git outputs stay");
        c.keep(Table::Highlight, b"a");
        c.keep(Table::Highlight, b"missing");
        c.commit(true);
        assert_eq!(Cache::open(tmp.path()).len(Table::Highlight), 1, "kept without being read");
    }

    #[test]
    fn a_commit_without_collecting_keeps_every_entry() {
        let tmp = tempfile::tempdir().unwrap();
        let c = Cache::open(tmp.path());
        c.put(Table::Highlight, b"a", b"alpha");
        c.commit(true);
        let c = Cache::open(tmp.path());
        c.set_git_output(SUSPECT, b"facts");
        c.commit(false); // an analysis: no page rendered, nothing looked up
        let c = Cache::open(tmp.path());
        assert_eq!(
            (c.len(Table::Highlight), c.git_output(SUSPECT).as_deref()),
            (1, Some(b"facts".as_slice()))
        );
    }

    #[test]
    fn a_build_that_does_not_commit_leaves_the_previous_cache() {
        let tmp = tempfile::tempdir().unwrap();
        let c = Cache::open(tmp.path());
        c.put(Table::Markdown, b"k", b"old");
        c.commit(true);
        let c = Cache::open(tmp.path());
        c.put(Table::Markdown, b"k", b"new");
        drop(c); // killed, failed
        assert_eq!(Cache::open(tmp.path()).get(Table::Markdown, b"k").as_deref(), Some(b"old".as_slice()));
    }

    #[test]
    fn a_corrupt_value_is_a_miss_and_a_damaged_file_is_replaced() {
        let tmp = tempfile::tempdir().unwrap();
        let c = Cache::open(tmp.path());
        // Bytes LZ4 cannot shorten are stored as they are (one literal run).
        let mut x = 7u32;
        let value: Vec<u8> = (0..300)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                (x >> 16) as u8
            })
            .collect();
        c.put(Table::Highlight, b"k", &value);
        c.put(Table::Highlight, b"j", b"fine");
        c.commit(true);
        // Flip a byte of the stored value in the file.
        let path = db_path(tmp.path());
        let mut bytes = std::fs::read(&path).unwrap();
        let at = bytes.windows(value.len()).position(|w| w == value.as_slice()).expect("value in the file");
        bytes[at + 3] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        let c = Cache::open(tmp.path());
        assert!(!c.check(Table::Highlight, b"k") && c.check(Table::Highlight, b"j"));
        assert_eq!(c.get(Table::Highlight, b"k"), None, "not served");
        assert_eq!(c.get(Table::Highlight, b"j").as_deref(), Some(b"fine".as_slice()));
        assert_eq!(c.corrupt(Table::Highlight), 2, "counted by `check` and by `get`");
        let notices = c.commit(true);
        assert!(
            notices.iter().any(|n| n.message.contains("2 corrupt highlight cache entries")),
            "{notices:?}"
        );
        // Not a database at all: replaced, and the build goes on with an empty cache.
        std::fs::write(&path, b"junk that is not a database").unwrap();
        let c = Cache::open(tmp.path());
        assert_eq!(c.get(Table::Highlight, b"j"), None);
        c.put(Table::Highlight, b"j", b"again");
        let notices = c.commit(true);
        assert!(notices.iter().any(|n| n.message.contains("replaced by an empty cache")), "{notices:?}");
        assert_eq!(Cache::open(tmp.path()).get(Table::Highlight, b"j").as_deref(), Some(b"again".as_slice()));
    }

    #[test]
    fn another_format_is_emptied() {
        let tmp = tempfile::tempdir().unwrap();
        let c = Cache::open(tmp.path());
        c.put(Table::Markdown, b"k", b"v");
        c.commit(true);
        {
            let db = Database::create(db_path(tmp.path())).unwrap();
            let txn = db.begin_write().unwrap();
            txn.open_table(META).unwrap().insert("format", FORMAT + 1).unwrap();
            txn.commit().unwrap();
        }
        let c = Cache::open(tmp.path());
        assert_eq!(c.get(Table::Markdown, b"k"), None);
        assert_eq!(c.len(Table::Markdown), 0);
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_not_followed() {
        let tmp = tempfile::tempdir().unwrap();
        let elsewhere = tmp.path().join("elsewhere");
        std::fs::create_dir(&elsewhere).unwrap();
        let root = tmp.path().join("p");
        std::fs::create_dir(&root).unwrap();
        std::os::unix::fs::symlink(&elsewhere, root.join(CACHE_DIR)).unwrap();
        let c = Cache::open(&root);
        c.put(Table::Highlight, b"k", b"v");
        assert_eq!(
            c.get(Table::Highlight, b"k").as_deref(),
            Some(b"v".as_slice()),
            "in memory for this build"
        );
        let notices = c.commit(true);
        assert!(notices.iter().any(|n| n.path == CACHE_DIR), "{notices:?}");
        assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0, "nothing written through the link");
        // A symlink in place of the database file.
        std::fs::remove_file(root.join(CACHE_DIR)).unwrap();
        std::fs::create_dir(root.join(CACHE_DIR)).unwrap();
        let target = elsewhere.join("target.redb");
        std::fs::write(&target, b"x").unwrap();
        std::os::unix::fs::symlink(&target, db_path(&root)).unwrap();
        let c = Cache::open(&root);
        c.put(Table::Highlight, b"k", b"v");
        assert_eq!(
            c.get(Table::Highlight, b"k").as_deref(),
            Some(b"v".as_slice()),
            "in memory for this build"
        );
        assert!(c.commit(true).iter().any(|n| n.message.contains("not a regular file")));
        assert_eq!(std::fs::read(&target).unwrap(), b"x");
    }

    #[test]
    fn a_cache_that_cannot_be_saved_still_serves_this_build() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("file"), b"").unwrap();
        let c = Cache::open(&tmp.path().join("file/project")); // no folder can be made there
        c.put(Table::Markdown, b"k", b"html");
        assert_eq!(c.get(Table::Markdown, b"k").as_deref(), Some(b"html".as_slice()));
        c.commit(true);
    }

    #[test]
    fn a_second_build_waits_for_the_first() {
        let tmp = tempfile::tempdir().unwrap();
        let first = Cache::open(tmp.path());
        first.put(Table::Markdown, b"k", b"first");
        let root = tmp.path().to_path_buf();
        let second = std::thread::spawn(move || {
            let c = Cache::open(&root);
            c.get(Table::Markdown, b"k")
        });
        std::thread::sleep(Duration::from_millis(300));
        first.commit(true);
        assert_eq!(
            second.join().unwrap().as_deref(),
            Some(b"first".as_slice()),
            "read after the first committed"
        );
    }
}
