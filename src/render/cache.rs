//! Highlighted source in the build cache ([`crate::cache::Table::Highlight`]), so a
//! rebuild highlights only what changed.
//!
//! Entries are keyed by a blake3 hash of (tracemark version, engine fingerprint,
//! language, text): a change to the text, the language, the engine or tracemark itself
//! gives a new key, so nothing stale is ever served; config and theme changes do not
//! affect highlighted lines (classes, not colours). Values are the lines, postcard.
//! Only entries used by a build are saved (or kept: see [`Highlighter::keep`]), so the
//! cache never grows with deleted files.

use super::highlight::Highlighter;
use crate::cache::{Cache, Table};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Bumped when the encoding of the lines changes.
const FORMAT: u32 = 3;

/// A [`Highlighter`] that answers from the build cache and stores what it computed.
pub struct CachedHighlighter<'h> {
    inner: &'h dyn Highlighter,
    cache: &'h Cache,
    hits: AtomicUsize,
    misses: AtomicUsize,
}

impl<'h> CachedHighlighter<'h> {
    /// `inner` in front of `cache`.
    pub fn new(inner: &'h dyn Highlighter, cache: &'h Cache) -> Self {
        CachedHighlighter { inner, cache, hits: AtomicUsize::new(0), misses: AtomicUsize::new(0) }
    }

    /// Entries highlighted anew in this build.
    pub fn misses(&self) -> usize {
        self.misses.load(Ordering::Relaxed)
    }

    /// Entries answered from the cache in this build.
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::Relaxed)
    }

    fn key(&self, text: &str, lang: &str) -> [u8; 32] {
        let mut h = blake3::Hasher::new();
        h.update(&FORMAT.to_le_bytes());
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
        if let Some(lines) =
            self.cache.get(Table::Highlight, &key).and_then(|v| postcard::from_bytes::<Vec<String>>(&v).ok())
        {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return lines;
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        let lines = self.inner.highlight_lines(text, lang);
        self.cache.put(Table::Highlight, &key, &postcard::to_stdvec(&lines).unwrap_or_default());
        lines
    }

    fn keep(&self, text: &str, lang: &str) {
        self.cache.keep(Table::Highlight, &self.key(text, lang));
    }

    fn name(&self) -> &'static str {
        self.inner.name()
    }

    fn fingerprint(&self) -> &'static str {
        self.inner.fingerprint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::highlight::Syntect;

    #[test]
    fn round_trip_answers_from_the_cache() {
        let tmp = tempfile::tempdir().unwrap();
        let s = Syntect::new();
        let cache = Cache::open(tmp.path());
        let a = CachedHighlighter::new(&s, &cache).highlight_lines("const a = 1;\n", "ts");
        cache.commit(true);
        let cache = Cache::open(tmp.path());
        let warm = CachedHighlighter::new(&s, &cache);
        assert_eq!(warm.highlight_lines("const a = 1;\n", "ts"), a);
        assert_eq!(warm.hits(), 1);
        assert_eq!(warm.highlight_lines("const a = 2;\n", "ts").len(), 1);
        assert_eq!(warm.hits(), 1, "changed text is a miss");
        assert_eq!(
            warm.highlight_lines("const a = 1;\n", "js"),
            warm.inner.highlight_lines("const a = 1;\n", "js")
        );
        assert_eq!(warm.hits(), 1, "another language is a miss");
    }

    #[test]
    fn the_engine_is_part_of_the_key() {
        let (s, t) = (Syntect::new(), crate::render::highlight::TreeSitter::new());
        let cache = Cache::in_memory();
        let (cs, ct) = (CachedHighlighter::new(&s, &cache), CachedHighlighter::new(&t, &cache));
        cs.highlight_lines("const a = 1;\n", "ts");
        ct.highlight_lines("const a = 1;\n", "ts");
        assert_eq!((ct.hits(), ct.misses()), (0, 1), "another engine's entry is not served");
        assert_ne!(ct.key("const a = 1;\n", "ts"), cs.key("const a = 1;\n", "ts"));
    }

    #[test]
    fn only_used_or_kept_entries_are_saved() {
        let tmp = tempfile::tempdir().unwrap();
        let s = Syntect::new();
        let cache = Cache::open(tmp.path());
        let c = CachedHighlighter::new(&s, &cache);
        for text in ["a", "b", "c"] {
            c.highlight_lines(text, "ts");
        }
        cache.commit(true);
        let cache = Cache::open(tmp.path());
        let warm = CachedHighlighter::new(&s, &cache);
        warm.highlight_lines("a", "ts");
        warm.keep("c", "ts");
        cache.commit(true);
        let cache = Cache::open(tmp.path());
        assert_eq!(cache.len(Table::Highlight), 2, "the entry for `b` was not used, so it is gone");
        let next = CachedHighlighter::new(&s, &cache);
        next.highlight_lines("c", "ts");
        assert_eq!(next.hits(), 1, "a kept entry is still there");
    }

    #[test]
    fn the_cache_forwards_the_engine_fingerprint() {
        let engine = crate::render::highlight::Syntect::new();
        let cache = Cache::in_memory();
        let cached = CachedHighlighter::new(&engine, &cache);
        assert_eq!(cached.fingerprint(), engine.fingerprint());
        assert_ne!(engine.fingerprint(), engine.name(), "the revision is part of it");
    }
}
