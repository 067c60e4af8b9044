//! A persistent cache of highlighted source, so a rebuild highlights only what changed.
//!
//! Entries are keyed by a blake3 hash of (tracemark version, engine name, language,
//! text): a change to the text, the language, the engine or tracemark itself gives a new
//! key, so nothing stale is ever served; config and theme changes do not affect
//! highlighted lines (classes, not colours). The file holds a header (magic, format
//! version, tracemark version) and the entries (postcard), each with a checksum; a file
//! that is truncated or written by another version is ignored and rebuilt, and an entry
//! whose checksum fails is a miss: nothing corrupt is trusted. Only entries used by a build are saved (or kept: see
//! [`Highlighter::keep`]), so the cache never grows with deleted files. `site` stores
//! it in shards (see `incremental::ShardStore`) and saves only those that changed;
//! loading indexes the entries, and an entry is decoded only when asked for.

use super::highlight::Highlighter;
use super::incremental::{self, ShardStore};
use std::sync::atomic::{AtomicUsize, Ordering};

const MAGIC: &[u8; 8] = b"TMHLCACH";
const FORMAT: u32 = 3;

/// A [`Highlighter`] that answers from the cache and remembers what it computed.
/// Loading only indexes the cache files; an entry is decoded when it is asked for.
pub struct CachedHighlighter<'h> {
    inner: &'h dyn Highlighter,
    /// Values: the lines, postcard-encoded.
    store: ShardStore,
    hits: AtomicUsize,
    misses: AtomicUsize,
}

/// What loading a cache file found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadOutcome {
    /// No file (first build, or the cache was removed).
    Missing,
    /// The file was read; this many entries.
    Loaded(usize),
    /// The file was unreadable, corrupt, or from another version/engine: ignored.
    Discarded,
}

impl<'h> CachedHighlighter<'h> {
    /// An empty cache in front of `inner`.
    pub fn new(inner: &'h dyn Highlighter) -> Self {
        CachedHighlighter {
            inner,
            store: ShardStore::new(header(inner)),
            hits: AtomicUsize::new(0),
            misses: AtomicUsize::new(0),
        }
    }

    /// A cache in front of `inner`, filled from `bytes` (the content of a cache file)
    /// when they are valid for this version and engine.
    pub fn from_bytes(inner: &'h dyn Highlighter, bytes: Option<&[u8]>) -> (Self, LoadOutcome) {
        Self::from_shards(inner, vec![bytes.map(<[u8]>::to_vec)])
    }

    /// A cache in front of `inner`, filled from the shard files' bytes (see
    /// `incremental::SHARDS`; `None` when a file is missing). Invalid shards are
    /// ignored; the outcome is `Discarded` when any was.
    pub fn from_shards(inner: &'h dyn Highlighter, shards: Vec<Option<Vec<u8>>>) -> (Self, LoadOutcome) {
        let (store, outcome) = ShardStore::load(header(inner), shards);
        let outcome = match outcome {
            incremental::LoadOutcome::Missing => LoadOutcome::Missing,
            incremental::LoadOutcome::Loaded(n) => LoadOutcome::Loaded(n),
            incremental::LoadOutcome::Discarded => LoadOutcome::Discarded,
        };
        (CachedHighlighter { store, ..CachedHighlighter::new(inner) }, outcome)
    }

    /// The shards to save (index, bytes): those whose entries changed in this build,
    /// each with its entries used by this build.
    pub fn dirty_shards(&self) -> Vec<(usize, Vec<u8>)> {
        self.store.dirty_shards()
    }

    /// The bytes to save: the entries used by this build.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.store.to_bytes()
    }

    /// Entries highlighted anew in this build.
    pub fn misses(&self) -> usize {
        self.misses.load(Ordering::Relaxed)
    }

    /// Cache entries found corrupt in this build (dropped; highlighted anew when needed).
    pub fn corrupt(&self) -> usize {
        self.store.corrupt()
    }

    /// Entries answered from the cache in this build.
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::Relaxed)
    }

    fn key(&self, text: &str, lang: &str) -> [u8; 32] {
        let mut h = blake3::Hasher::new();
        h.update(crate::BUILD.as_bytes());
        h.update(&[0]);
        h.update(self.inner.fingerprint().as_bytes());
        h.update(&[0]);
        h.update(lang.as_bytes());
        h.update(&[0]);
        h.update(text.as_bytes());
        *h.finalize().as_bytes()
    }
}

impl Highlighter for CachedHighlighter<'_> {
    fn highlight_lines(&self, text: &str, lang: &str) -> Vec<String> {
        let key = self.key(text, lang);
        if let Some(lines) = self.store.get(&key).and_then(|v| postcard::from_bytes::<Vec<String>>(&v).ok()) {
            self.hits.fetch_add(1, Ordering::Relaxed);
            self.store.keep(&key);
            return lines;
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        let lines = self.inner.highlight_lines(text, lang);
        self.store.put(key, postcard::to_stdvec(&lines).unwrap_or_default());
        lines
    }

    fn keep(&self, text: &str, lang: &str) {
        self.store.keep(&self.key(text, lang));
    }

    fn name(&self) -> &'static str {
        self.inner.name()
    }

    fn fingerprint(&self) -> &'static str {
        self.inner.fingerprint()
    }
}

fn header(inner: &dyn Highlighter) -> Vec<u8> {
    let mut h = Vec::with_capacity(64);
    h.extend_from_slice(MAGIC);
    h.extend_from_slice(&FORMAT.to_le_bytes());
    let tag = format!("{}/{}", crate::BUILD, inner.fingerprint());
    h.extend_from_slice(&(tag.len() as u32).to_le_bytes());
    h.extend_from_slice(tag.as_bytes());
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::highlight::Syntect;

    #[test]
    fn round_trip_answers_from_the_cache() {
        let s = Syntect::new();
        let c = CachedHighlighter::new(&s);
        let a = c.highlight_lines("const a = 1;\n", "ts");
        let bytes = c.to_bytes();
        let (warm, outcome) = CachedHighlighter::from_bytes(&s, Some(&bytes));
        assert_eq!(outcome, LoadOutcome::Loaded(1));
        assert_eq!(warm.highlight_lines("const a = 1;\n", "ts"), a);
        assert_eq!(warm.hits(), 1);
        assert!(warm.dirty_shards().is_empty(), "every entry used, nothing new");
        assert_eq!(warm.highlight_lines("const a = 2;\n", "ts").len(), 1);
        assert_eq!(warm.hits(), 1, "changed text is a miss");
        assert_eq!(warm.dirty_shards().len(), 1);
        assert_eq!(
            warm.highlight_lines("const a = 1;\n", "js"),
            warm.inner.highlight_lines("const a = 1;\n", "js")
        );
        assert_eq!(warm.hits(), 1, "another language is a miss");
    }

    #[test]
    fn corrupt_truncated_or_foreign_files_are_discarded() {
        let s = Syntect::new();
        let c = CachedHighlighter::new(&s);
        c.highlight_lines("x", "ts");
        let good = c.to_bytes();
        let mut flipped = good.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 0xff;
        let (c2, _) = CachedHighlighter::from_bytes(&s, Some(&flipped));
        c2.highlight_lines("x", "ts");
        assert_eq!((c2.hits(), c2.misses()), (0, 1), "a corrupt entry is not served");
        for bad in [good[..good.len() / 2].to_vec(), b"garbage".to_vec(), {
            let mut foreign = good.clone();
            foreign[8] = 99; // another format version
            foreign
        }] {
            let (c2, outcome) = CachedHighlighter::from_bytes(&s, Some(&bad));
            assert_eq!(outcome, LoadOutcome::Discarded);
            assert_eq!(c2.hits(), 0);
        }
        assert_eq!(CachedHighlighter::from_bytes(&s, None).1, LoadOutcome::Missing);
    }

    #[test]
    fn switching_engines_discards_the_cache() {
        let (s, t) = (Syntect::new(), crate::render::highlight::TreeSitter::new());
        let c = CachedHighlighter::new(&s);
        c.highlight_lines("const a = 1;\n", "ts");
        let (warm, outcome) = CachedHighlighter::from_bytes(&t, Some(&c.to_bytes()));
        assert_eq!(outcome, LoadOutcome::Discarded);
        assert_ne!(
            warm.key("const a = 1;\n", "ts"),
            c.key("const a = 1;\n", "ts"),
            "the engine is part of the key"
        );
    }

    #[test]
    fn only_used_entries_are_saved() {
        let s = Syntect::new();
        let c = CachedHighlighter::new(&s);
        c.highlight_lines("a", "ts");
        c.highlight_lines("b", "ts");
        let (warm, _) = CachedHighlighter::from_bytes(&s, Some(&c.to_bytes()));
        warm.highlight_lines("a", "ts");
        let (next, outcome) = CachedHighlighter::from_bytes(&s, Some(&warm.to_bytes()));
        assert_eq!(outcome, LoadOutcome::Loaded(1), "the entry for `b` was not used, so it is gone");
        drop(next);
    }

    #[test]
    fn the_cache_forwards_the_engine_fingerprint() {
        let engine = crate::render::highlight::Syntect::new();
        let cached = CachedHighlighter::new(&engine);
        assert_eq!(cached.fingerprint(), engine.fingerprint());
        assert_ne!(engine.fingerprint(), engine.name(), "the revision is part of it");
    }
}
