//! Incremental rendering, with no I/O: what lets a rebuild skip work whose inputs did
//! not change. `site` loads the bytes of the previous build's state and saves the new
//! state; this module only decides what can be reused.
//!
//! - **Page keys.** Every templated page gets a key: a blake3 hash of tracemark's
//!   version, the theme (every template's name and text), the template name and the
//!   whole context the template receives (every value, postcard-encoded, with large
//!   content replaced by a fingerprint of its inputs: see `pages`). A template sees
//!   nothing else, so equal keys mean equal bytes. When the key equals the one recorded
//!   for the same path by the previous build and that file is still intact on disk
//!   (which `site::output` decides), tera is not run and nothing is written.
//! - **Rendered markdown.** [`MarkdownCache`] keeps each document's HTML under a key of
//!   (version, highlight engine, page, document path, text), together with every
//!   question the document asked the [`Linker`] and the answer it got. An entry is
//!   reused only when every question gets the same answer from this build's linker,
//!   so a renamed page, a new requirement or a removed file re-renders exactly the
//!   documents that refer to them, and nothing else.
//!
//! Each cache is split into [`SHARDS`] files by the first byte of the key, and a build
//! saves only the shards whose content changed (an entry added or dropped), so editing
//! one file rewrites a few kilobytes, not the whole cache. Each shard carries a header
//! (magic, format version, tracemark version) and each entry a checksum ([`ShardStore`]);
//! a shard that is truncated or foreign is ignored and rebuilt, an entry whose checksum
//! fails is a miss: nothing corrupt is trusted. Loading only indexes the entries; a
//! value is read when asked for. Only entries used (or kept) by a build are saved.

use super::highlight::Highlighter;
use super::markdown::{self, Linker};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// A 32-byte blake3 hash.
pub type Key = [u8; 32];

/// How many files each cache is split into.
pub const SHARDS: usize = 32;

/// The shard holding `key`.
pub fn shard_of(key: &Key) -> usize {
    key[0] as usize % SHARDS
}

/// What the renderer may reuse from the previous build.
#[derive(Default)]
pub struct RenderCache {
    /// Page path → key of the page the previous build wrote there, for the pages whose
    /// file is still intact (see `site::output`). Pages whose key matches are skipped.
    pub intact: HashMap<String, Key>,
    /// Rendered markdown documents.
    pub markdown: MarkdownCache,
}

/// The key of a templated page: blake3 of version, theme, template and `context`, the
/// page's context encoded unambiguously (see `pages::PageCtx`: each value's name and
/// its postcard encoding, in insertion order).
pub fn page_key(theme_hash: &Key, template: &str, context: &[u8]) -> Key {
    let mut h = blake3::Hasher::new();
    h.update(crate::BUILD.as_bytes());
    h.update(&[0]);
    h.update(theme_hash);
    h.update(template.as_bytes());
    h.update(&[0]);
    h.update(context);
    *h.finalize().as_bytes()
}

/// One question a document asked its linker.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
enum Query {
    Id(String),
    Path(String),
}

fn ask(linker: &dyn Linker, q: &Query) -> Option<String> {
    match q {
        Query::Id(id) => linker.id_url(id),
        Query::Path(p) => linker.path_url(p),
    }
}

/// A linker that answers through another and writes down every distinct question.
struct Recording<'l> {
    inner: &'l dyn Linker,
    answers: RefCell<HashMap<Query, Option<String>>>,
}

impl Recording<'_> {
    fn answer(&self, q: Query) -> Option<String> {
        if let Some(a) = self.answers.borrow().get(&q) {
            return a.clone();
        }
        let a = ask(self.inner, &q);
        self.answers.borrow_mut().insert(q, a.clone());
        a
    }
}

impl Linker for Recording<'_> {
    fn id_url(&self, id: &str) -> Option<String> {
        self.answer(Query::Id(id.to_string()))
    }

    fn path_url(&self, path: &str) -> Option<String> {
        self.answer(Query::Path(path.to_string()))
    }
}

/// Rendered markdown, reused while the text and every linker answer are unchanged.
///
/// An entry's value is the length of its answers (u32, little endian), the answers
/// (postcard) and the HTML, so the answers are checked without reading the HTML.
pub struct MarkdownCache {
    store: ShardStore,
    hits: AtomicUsize,
    misses: AtomicUsize,
}

impl Default for MarkdownCache {
    fn default() -> Self {
        MarkdownCache {
            store: ShardStore::new(header(MD_MAGIC, MD_FORMAT)),
            hits: AtomicUsize::new(0),
            misses: AtomicUsize::new(0),
        }
    }
}

const MD_MAGIC: &[u8; 8] = b"TMMDCACH";
/// Bumped when the rendered HTML of the same text changes (4: tables in a scroll box,
/// focusable `pre`, labelled checkboxes), so entries of an older renderer are not reused.
const MD_FORMAT: u32 = 4;

/// What loading a cache file found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadOutcome {
    /// No file (first build, or the cache was removed).
    Missing,
    /// The file was read; this many entries.
    Loaded(usize),
    /// The file was unreadable, corrupt, or from another version: ignored.
    Discarded,
}

/// A document rendered through a [`MarkdownCache`]: where its HTML is, and a
/// fingerprint of that HTML's inputs (the cache key and the linker answers), which
/// equal fingerprints mean equal HTML. [`MarkdownCache::html`] gives the HTML.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rendered {
    key: Key,
    /// Hash of the cache key and the linker answers.
    pub fingerprint: Key,
}

/// The questions a document asked its linker, with the answers, sorted.
type Answers = Vec<(Query, Option<String>)>;

/// Splits a markdown entry's value into (answers bytes, answers, HTML bytes).
fn split_entry(v: &[u8]) -> Option<(&[u8], Answers, &[u8])> {
    let n = u32::from_le_bytes(v.get(..4)?.try_into().ok()?) as usize;
    let answers_bytes = v.get(4..4 + n)?;
    let answers = postcard::from_bytes(answers_bytes).ok()?;
    Some((answers_bytes, answers, &v[4 + n..]))
}

fn fingerprint(key: &Key, answers: &[u8]) -> Key {
    let mut h = blake3::Hasher::new();
    h.update(key);
    h.update(answers);
    *h.finalize().as_bytes()
}

impl MarkdownCache {
    /// A cache filled from the shard files' bytes (index = shard; `None` when that
    /// file is missing); shards not valid for this version are ignored. Entries are
    /// indexed, not decoded.
    pub fn from_shards(shards: Vec<Option<Vec<u8>>>) -> (Self, LoadOutcome) {
        let (store, outcome) = ShardStore::load(header(MD_MAGIC, MD_FORMAT), shards);
        (MarkdownCache { store, ..MarkdownCache::default() }, outcome)
    }

    /// The shards to save (index, bytes): those whose entries changed in this build.
    /// Each holds the entries of that shard used by this build.
    pub fn dirty_shards(&self) -> Vec<(usize, Vec<u8>)> {
        self.store.dirty_shards()
    }

    /// Cache entries found corrupt in this build (dropped; rendered anew when needed).
    pub fn corrupt(&self) -> usize {
        self.store.corrupt()
    }

    /// Documents answered from the cache in this build.
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::Relaxed)
    }

    /// Documents rendered in this build.
    pub fn misses(&self) -> usize {
        self.misses.load(Ordering::Relaxed)
    }

    /// [`markdown::render`] through the cache. `page` is the path of the page the HTML
    /// goes into (links in it are relative to that page).
    pub fn render(
        &self,
        md: &str,
        doc_path: &str,
        page: &str,
        linker: &dyn Linker,
        highlighter: &dyn Highlighter,
    ) -> String {
        let r = self.prepare(md, doc_path, page, linker, highlighter);
        self.html(&r)
    }

    /// Makes sure the cache holds the document's HTML for this build, rendering it
    /// when the cached entry is missing or its linker answers changed, and returns
    /// where it is. A reused entry's HTML is not read.
    pub fn prepare(
        &self,
        md: &str,
        doc_path: &str,
        page: &str,
        linker: &dyn Linker,
        highlighter: &dyn Highlighter,
    ) -> Rendered {
        let mut h = blake3::Hasher::new();
        for part in [crate::BUILD, highlighter.fingerprint(), page, doc_path] {
            h.update(&(part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
        h.update(md.as_bytes());
        let key = *h.finalize().as_bytes();
        if let Some(v) = self.store.get(&key)
            && let Some((bytes, answers, _)) = split_entry(&v)
            && answers.iter().all(|(q, a)| ask(linker, q) == *a)
        {
            self.hits.fetch_add(1, Ordering::Relaxed);
            self.store.keep(&key);
            return Rendered { key, fingerprint: fingerprint(&key, bytes) };
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        let recording = Recording { inner: linker, answers: RefCell::new(HashMap::new()) };
        let html = markdown::render(md, doc_path, &recording, highlighter);
        let mut answers: Vec<(Query, Option<String>)> = recording.answers.into_inner().into_iter().collect();
        answers.sort();
        let answers = postcard::to_stdvec(&answers).unwrap_or_default();
        let mut value = Vec::with_capacity(4 + answers.len() + html.len());
        value.extend_from_slice(&(answers.len() as u32).to_le_bytes());
        value.extend_from_slice(&answers);
        value.extend_from_slice(html.as_bytes());
        self.store.put(key, value);
        Rendered { key, fingerprint: fingerprint(&key, &answers) }
    }

    /// The HTML of a document [`prepare`](Self::prepare)d in this build.
    pub fn html(&self, r: &Rendered) -> String {
        self.store
            .get(&r.key)
            .and_then(|v| split_entry(&v).map(|(_, _, html)| String::from_utf8_lossy(html).into_owned()))
            .unwrap_or_default()
    }
}
/// A sharded key → bytes store, loaded lazily: loading checks each shard file (header,
/// checksum) and indexes its entries without decoding them; a value is read when asked
/// for. A build marks the entries it still needs (`get` of an old entry does not, so
/// callers `keep` what they use) and adds new ones; saving writes the shards whose set
/// of entries changed, old entries copied as they were.
///
/// A shard file is a header, then entries: key (32 bytes), value length (u32, little
/// endian), a checksum of key and value (the first 16 bytes of their blake3), value.
/// Loading checks the header and the framing; an entry's checksum is checked when it
/// is read, so a corrupt entry is never served (it is a miss), and loading does not
/// hash the whole file.
pub struct ShardStore {
    /// The header every shard file starts with.
    header: Vec<u8>,
    /// The valid shard files' bytes.
    files: Vec<Vec<u8>>,
    /// Key → (file, start, end) of its value in `files`.
    index: HashMap<Key, (u32, u32, u32)>,
    /// Entries this build needs: `None` for an old entry kept as it was, `Some` for a
    /// new value.
    used: Mutex<HashMap<Key, Option<Arc<[u8]>>>>,
    /// Entries whose checksum failed, when read or when about to be saved again.
    corrupt: AtomicUsize,
}

/// An entry's key and where its value is in a shard file (start, end).
type Located = (Key, u32, u32);

/// An entry used by a build: its key and its new value (`None`: the loaded one).
type UsedEntry<'u> = (&'u Key, &'u Option<Arc<[u8]>>);

/// A value of a [`ShardStore`]: borrowed from a loaded file, or new in this build.
pub enum Value<'s> {
    /// From the file loaded.
    Old(&'s [u8]),
    /// Added in this build.
    New(Arc<[u8]>),
}

impl std::ops::Deref for Value<'_> {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Value::Old(b) => b,
            Value::New(b) => b,
        }
    }
}

impl ShardStore {
    /// An empty store whose files start with `header`.
    pub fn new(header: Vec<u8>) -> ShardStore {
        ShardStore {
            header,
            files: Vec::new(),
            index: HashMap::new(),
            used: Mutex::new(HashMap::new()),
            corrupt: AtomicUsize::new(0),
        }
    }

    /// A store filled from the shard files' bytes (`None` for a missing file). Files
    /// whose header, checksum or entry framing is wrong are ignored; the outcome is
    /// `Discarded` when any was.
    pub fn load(header: Vec<u8>, shards: Vec<Option<Vec<u8>>>) -> (ShardStore, LoadOutcome) {
        let mut s = ShardStore::new(header);
        let mut outcome = LoadOutcome::Missing;
        let checked: Vec<(Option<Vec<Located>>, Vec<u8>)> =
            shards.into_par_iter().flatten().map(|bytes| (index_of(&s.header, &bytes), bytes)).collect();
        for (entries, bytes) in checked {
            match entries {
                Some(entries) => {
                    let file = s.files.len() as u32;
                    s.index.extend(entries.into_iter().map(|(k, a, b)| (k, (file, a, b))));
                    s.files.push(bytes);
                    if outcome == LoadOutcome::Missing {
                        outcome = LoadOutcome::Loaded(0);
                    }
                }
                None => outcome = LoadOutcome::Discarded,
            }
        }
        if let LoadOutcome::Loaded(_) = outcome {
            outcome = LoadOutcome::Loaded(s.index.len());
        }
        (s, outcome)
    }

    /// Entries loaded.
    pub fn loaded(&self) -> usize {
        self.index.len()
    }

    /// The value under `key`: one added in this build, else the loaded one when its
    /// checksum matches (a corrupt one is counted, see [`corrupt`](Self::corrupt), and
    /// is a miss). Does not mark it as used.
    pub fn get(&self, key: &Key) -> Option<Value<'_>> {
        if let Some(Some(v)) = self.used.lock().expect("cache lock").get(key) {
            return Some(Value::New(v.clone()));
        }
        let value = self.old_value(key)?;
        if value.is_none() {
            self.corrupt.fetch_add(1, Ordering::Relaxed);
        }
        value.map(Value::Old)
    }

    /// The loaded value under `key`: `Some(None)` when its checksum fails.
    fn old_value(&self, key: &Key) -> Option<Option<&[u8]>> {
        let &(f, a, b) = self.index.get(key)?;
        let file = &self.files[f as usize];
        let value = file.get(a as usize..b as usize)?;
        let sum = file.get((a as usize).checked_sub(16)?..a as usize)?;
        Some((sum == entry_sum(key, value)).then_some(value))
    }

    /// Loaded entries found corrupt in this build (checksum failed): each was a miss,
    /// and none is saved again.
    pub fn corrupt(&self) -> usize {
        self.corrupt.load(Ordering::Relaxed)
    }

    /// Marks the loaded entry under `key` as used (saved again if it is intact); no-op
    /// when there is none or the build replaced it.
    pub fn keep(&self, key: &Key) {
        if self.index.contains_key(key) {
            self.used.lock().expect("cache lock").entry(*key).or_insert(None);
        }
    }

    /// Adds (or replaces) the value under `key`, used by this build.
    pub fn put(&self, key: Key, value: Vec<u8>) {
        self.used.lock().expect("cache lock").insert(key, Some(value.into()));
    }

    /// The shards to save (index, bytes): those that would change, each with the
    /// entries of that shard used by this build.
    pub fn dirty_shards(&self) -> Vec<(usize, Vec<u8>)> {
        let used = self.used.lock().expect("cache lock");
        let mut dirty = [false; SHARDS];
        let mut old_n = vec![0usize; SHARDS];
        let mut used_n = vec![0usize; SHARDS];
        for k in self.index.keys() {
            old_n[shard_of(k)] += 1;
        }
        for (k, v) in used.iter() {
            used_n[shard_of(k)] += 1;
            if v.is_some() {
                dirty[shard_of(k)] = true;
            }
        }
        let mut shards: Vec<Vec<UsedEntry<'_>>> = vec![Vec::new(); SHARDS];
        for (k, v) in used.iter() {
            shards[shard_of(k)].push((k, v));
        }
        shards
            .into_iter()
            .enumerate()
            .filter(|(i, _)| dirty[*i] || old_n[*i] != used_n[*i])
            .map(|(i, entries)| (i, self.file(entries)))
            .collect()
    }

    /// One file holding every entry used by this build.
    pub fn to_bytes(&self) -> Vec<u8> {
        let used = self.used.lock().expect("cache lock");
        self.file(used.iter().collect())
    }

    /// A file (header, body) holding `entries`, sorted by key. A kept entry is copied
    /// only when its checksum still matches: a corrupt entry is dropped (and counted),
    /// never sealed again with a fresh checksum.
    fn file(&self, mut entries: Vec<UsedEntry<'_>>) -> Vec<u8> {
        entries.sort_by(|a, b| a.0.cmp(b.0));
        let mut body = Vec::new();
        for (k, v) in entries {
            let value: &[u8] = match v {
                Some(v) => v,
                None => match self.old_value(k) {
                    Some(Some(value)) => value,
                    Some(None) => {
                        self.corrupt.fetch_add(1, Ordering::Relaxed);
                        continue;
                    }
                    None => continue,
                },
            };
            body.extend_from_slice(k);
            body.extend_from_slice(&(value.len() as u32).to_le_bytes());
            body.extend_from_slice(&entry_sum(k, value));
            body.extend_from_slice(value);
        }
        let mut out = self.header.clone();
        out.extend_from_slice(&body);
        out
    }
}

/// The checksum of an entry: the first 16 bytes of blake3 of its key and value.
fn entry_sum(key: &Key, value: &[u8]) -> [u8; 16] {
    let mut h = blake3::Hasher::new();
    h.update(key);
    h.update(value);
    h.finalize().as_bytes()[..16].try_into().expect("16 bytes")
}

/// The entries of a shard file (key, start, end of the value in `bytes`), or `None`
/// when the header or the framing is wrong. Checksums are checked on use.
fn index_of(header: &[u8], bytes: &[u8]) -> Option<Vec<Located>> {
    let body = bytes.strip_prefix(header)?;
    if bytes.len() > u32::MAX as usize {
        return None;
    }
    let mut at = bytes.len() - body.len();
    let mut out = Vec::new();
    while at < bytes.len() {
        let key: Key = bytes.get(at..at + 32)?.try_into().ok()?;
        let len = u32::from_le_bytes(bytes.get(at + 32..at + 36)?.try_into().ok()?) as usize;
        let start = at + 52;
        let end = start.checked_add(len).filter(|&e| e <= bytes.len())?;
        out.push((key, start as u32, end as u32));
        at = end;
    }
    Some(out)
}

/// Wraps a cache body: magic, format, version tag, blake3 checksum, body.
pub fn seal(magic: &[u8; 8], format: u32, body: &[u8]) -> Vec<u8> {
    let mut out = header(magic, format);
    out.extend_from_slice(blake3::hash(body).as_bytes());
    out.extend_from_slice(body);
    out
}

/// The body of a sealed cache file, or `None` when it is not one of ours for this
/// version and format, or its checksum does not match.
pub fn open<'b>(magic: &[u8; 8], format: u32, bytes: &'b [u8]) -> Option<&'b [u8]> {
    let rest = bytes.strip_prefix(header(magic, format).as_slice())?;
    let (sum, body) = rest.split_at_checked(32)?;
    (blake3::hash(body).as_bytes() == sum).then_some(body)
}

fn header(magic: &[u8; 8], format: u32) -> Vec<u8> {
    let mut h = Vec::with_capacity(32);
    h.extend_from_slice(magic);
    h.extend_from_slice(&format.to_le_bytes());
    let tag = crate::BUILD;
    h.extend_from_slice(&(tag.len() as u32).to_le_bytes());
    h.extend_from_slice(tag.as_bytes());
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::highlight::Syntect;

    struct L(&'static str);
    impl Linker for L {
        fn id_url(&self, id: &str) -> Option<String> {
            (id == "REQ-A-1").then(|| self.0.to_string())
        }
        fn path_url(&self, _: &str) -> Option<String> {
            None
        }
    }

    #[test]
    fn reuses_html_only_while_the_linker_answers_the_same() {
        let s = Syntect::new();
        let md = "See REQ-A-1 and [x](other.md).";
        let c = MarkdownCache::default();
        let first = c.render(md, "d/doc.md", "p.html", &L("a.html"), &s);
        let warm = MarkdownCache::from_shards(files(&c)).0;
        assert_eq!(warm.render(md, "d/doc.md", "p.html", &L("a.html"), &s), first);
        assert_eq!((warm.hits(), warm.misses()), (1, 0));
        assert!(warm.dirty_shards().is_empty(), "nothing to save");
        let moved = warm.render(md, "d/doc.md", "p.html", &L("b.html"), &s);
        assert!(moved.contains("b.html"), "{moved}");
        assert_eq!(warm.misses(), 1, "another answer re-renders");
        assert_eq!(warm.dirty_shards().len(), 1);
    }

    fn files(c: &MarkdownCache) -> Vec<Option<Vec<u8>>> {
        let mut files = vec![None; SHARDS];
        for (i, b) in c.dirty_shards() {
            files[i] = Some(b);
        }
        files
    }

    #[test]
    fn corrupt_or_foreign_files_are_discarded() {
        let c = MarkdownCache::default();
        c.render("# hi", "a.md", "a.html", &L(""), &Syntect::new());
        let loaded = MarkdownCache::from_shards(files(&c)).1;
        assert_eq!(loaded, LoadOutcome::Loaded(1));
        let good = c.dirty_shards().remove(0).1;
        let mut flipped = good.clone();
        let n = flipped.len();
        flipped[n - 1] ^= 1;
        let c = MarkdownCache::from_shards(vec![Some(flipped)]).0;
        c.render("# hi", "a.md", "a.html", &L(""), &Syntect::new());
        assert_eq!((c.hits(), c.misses()), (0, 1), "a corrupt entry is not served");
        let mut foreign = good.clone();
        foreign[8] = 77;
        for bad in [foreign, good[..good.len() / 2].to_vec(), b"junk".to_vec()] {
            let (c, outcome) = MarkdownCache::from_shards(vec![Some(bad)]);
            assert_eq!((outcome, c.store.loaded()), (LoadOutcome::Discarded, 0));
        }
    }

    #[test]
    fn a_shard_store_keeps_copies_and_adds_entries_without_decoding() {
        let header = b"TESTHEAD".to_vec();
        let s = ShardStore::new(header.clone());
        let (a, b) = ([0u8; 32], [1u8; 32]);
        s.put(a, b"alpha".to_vec());
        s.put(b, b"beta".to_vec());
        let one = s.to_bytes();
        let (warm, outcome) = ShardStore::load(header.clone(), vec![Some(one.clone())]);
        assert_eq!((outcome, warm.loaded()), (LoadOutcome::Loaded(2), 2));
        assert_eq!(&*warm.get(&a).unwrap(), b"alpha");
        assert!(warm.get(&[9u8; 32]).is_none());
        warm.keep(&a);
        warm.keep(&b);
        assert!(warm.dirty_shards().is_empty(), "both kept, nothing to save");
        warm.put(b, b"beta 2".to_vec());
        assert_eq!(&*warm.get(&b).unwrap(), b"beta 2", "the new value wins");
        assert_eq!(warm.dirty_shards().len(), 1);
        let next = ShardStore::load(header.clone(), vec![Some(warm.to_bytes())]).0;
        assert_eq!(&*next.get(&a).unwrap(), b"alpha", "kept entries are copied as they were");
        // Only `a` used: `b`'s shard loses an entry and is saved.
        let (only_a, _) = ShardStore::load(header.clone(), vec![Some(one.clone())]);
        only_a.keep(&a);
        assert_eq!(only_a.dirty_shards().len(), 1);
        // A length running past the end is refused.
        let mut bad = header.clone();
        bad.extend_from_slice(&b);
        bad.extend_from_slice(&100u32.to_le_bytes());
        bad.extend_from_slice(&[0; 16]);
        bad.extend_from_slice(b"short");
        let (c, outcome) = ShardStore::load(header.clone(), vec![Some(bad), Some(b"junk".to_vec())]);
        assert_eq!((outcome, c.loaded()), (LoadOutcome::Discarded, 0));
        assert_eq!(ShardStore::load(header.clone(), vec![None]).1, LoadOutcome::Missing);
        // A flipped byte in a value: loaded, but the entry is never served.
        let mut flipped = one.clone();
        let n = flipped.len();
        flipped[n - 1] ^= 1;
        let c = ShardStore::load(header, vec![Some(flipped)]).0;
        assert!(c.get(&b).is_none() && c.get(&a).is_some());
    }

    #[test]
    fn a_corrupt_entry_kept_unread_is_dropped_not_sealed_again() {
        let header = b"TESTHEAD".to_vec();
        let s = ShardStore::new(header.clone());
        let (a, b) = ([0u8; 32], [32u8; 32]);
        assert_eq!(shard_of(&a), shard_of(&b));
        s.put(a, b"alpha".to_vec());
        let mut bytes = s.to_bytes();
        let n = bytes.len();
        bytes[n - 1] ^= 1;
        let warm = ShardStore::load(header.clone(), vec![Some(bytes)]).0;
        warm.keep(&a); // kept without being read: its page was intact
        warm.put(b, b"beta".to_vec()); // the shard changes, so it is saved
        let saved = warm.dirty_shards();
        assert_eq!((saved.len(), warm.corrupt()), (1, 1));
        let next = ShardStore::load(header, vec![Some(saved[0].1.clone())]).0;
        assert!(next.get(&a).is_none(), "the corrupt entry is not saved with a fresh checksum");
        assert_eq!((next.loaded(), &*next.get(&b).unwrap()), (1, b"beta".as_slice()));
    }

    #[test]
    fn page_keys_follow_every_value() {
        let t = [1u8; 32];
        let (a, b) = (b"a:x;b:1,2".as_slice(), b"a:x;b:1,3".as_slice());
        assert_eq!(page_key(&t, "p.html", a), page_key(&t, "p.html", a));
        assert_ne!(page_key(&t, "p.html", a), page_key(&t, "p.html", b));
        assert_ne!(page_key(&t, "p.html", a), page_key(&t, "q.html", a));
        assert_ne!(page_key(&t, "p.html", a), page_key(&[2u8; 32], "p.html", a));
    }
}
