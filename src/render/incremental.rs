//! Incremental rendering: what lets a rebuild skip work whose inputs did not change.
//! This module decides what can be reused; the build cache ([`crate::cache`]) keeps it
//! between builds.
//!
//! - **Page keys.** Every templated page gets a key: a blake3 hash of tracemark's
//!   version, the theme (every template's name and text), the template name and the
//!   whole context the template receives (every value, postcard-encoded, with large
//!   content replaced by a fingerprint of its inputs: see `pages`). A template sees
//!   nothing else, so equal keys mean equal bytes. When the key equals the one recorded
//!   for the same path by the previous build and that file is still intact on disk
//!   (which `site::output` decides), tera is not run and nothing is written.
//! - **Rendered markdown.** [`MarkdownCache`] keeps each document's HTML in the build
//!   cache ([`crate::cache::Table::Markdown`]) under a key of (version, highlight engine,
//!   page, document path, text), together with every question the document asked the
//!   [`Linker`] and the answer it got. An entry is reused only when every question gets
//!   the same answer from this build's linker, so a renamed page, a new requirement or a
//!   removed file re-renders exactly the documents that refer to them, and nothing else.

use super::highlight::Highlighter;
use super::markdown::{self, Linker};
use crate::cache::{Cache, Table};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A 32-byte blake3 hash.
pub type Key = [u8; 32];

/// What the renderer may reuse from the previous build.
pub struct RenderCache<'c> {
    /// Page path → key of the page the previous build wrote there, for the pages whose
    /// file is still intact (see `site::output`). Pages whose key matches are skipped.
    pub intact: HashMap<String, Key>,
    /// Rendered markdown documents.
    pub markdown: MarkdownCache<'c>,
}

impl<'c> RenderCache<'c> {
    /// Nothing intact, markdown kept in `cache`.
    pub fn new(cache: &'c Cache) -> Self {
        RenderCache { intact: HashMap::new(), markdown: MarkdownCache::new(cache) }
    }
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

/// Rendered markdown in the build cache, reused while the text and every linker answer
/// are unchanged.
///
/// A document has two entries: under its key, the questions it asked the linker with
/// their answers (postcard); under the fingerprint of key and answers, its HTML. So the
/// answers are checked without reading the HTML, which is read only when a page that
/// shows it is rendered.
pub struct MarkdownCache<'c> {
    cache: &'c Cache,
    hits: AtomicUsize,
    misses: AtomicUsize,
}

/// Bumped when the rendered HTML of the same text changes (4: tables in a scroll box,
/// focusable `pre`, labelled checkboxes), so entries of an older renderer are not reused.
const MD_FORMAT: u32 = 4;

/// A document rendered through a [`MarkdownCache`]: where its HTML is, and a
/// fingerprint of that HTML's inputs (the cache key and the linker answers), which
/// equal fingerprints mean equal HTML. [`MarkdownCache::html`] gives the HTML.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rendered {
    /// Hash of the cache key and the linker answers: the key of the HTML in the cache.
    pub fingerprint: Key,
}

/// The questions a document asked its linker, with the answers, sorted.
type Answers = Vec<(Query, Option<String>)>;

fn fingerprint(key: &Key, answers: &[u8]) -> Key {
    let mut h = blake3::Hasher::new();
    h.update(key);
    h.update(answers);
    *h.finalize().as_bytes()
}

impl<'c> MarkdownCache<'c> {
    /// Rendered markdown kept in `cache`.
    pub fn new(cache: &'c Cache) -> Self {
        MarkdownCache { cache, hits: AtomicUsize::new(0), misses: AtomicUsize::new(0) }
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
        h.update(&MD_FORMAT.to_le_bytes());
        for part in [crate::BUILD, highlighter.fingerprint(), page, doc_path] {
            h.update(&(part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
        h.update(md.as_bytes());
        let key = *h.finalize().as_bytes();
        if let Some(bytes) = self.cache.get(Table::Markdown, &key)
            && let Ok(answers) = postcard::from_bytes::<Answers>(&bytes)
            && answers.iter().all(|(q, a)| ask(linker, q) == *a)
        {
            let fingerprint = fingerprint(&key, &bytes);
            if self.cache.check(Table::Markdown, &fingerprint) {
                self.hits.fetch_add(1, Ordering::Relaxed);
                return Rendered { fingerprint };
            }
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        let recording = Recording { inner: linker, answers: RefCell::new(HashMap::new()) };
        let html = markdown::render(md, doc_path, &recording, highlighter);
        let mut answers: Vec<(Query, Option<String>)> = recording.answers.into_inner().into_iter().collect();
        answers.sort();
        let answers = postcard::to_stdvec(&answers).unwrap_or_default();
        let fingerprint = fingerprint(&key, &answers);
        self.cache.put(Table::Markdown, &key, &answers);
        self.cache.put(Table::Markdown, &fingerprint, html.as_bytes());
        Rendered { fingerprint }
    }

    /// The HTML of a document [`prepare`](Self::prepare)d in this build.
    pub fn html(&self, r: &Rendered) -> String {
        self.cache
            .get(Table::Markdown, &r.fingerprint)
            .map(|html| {
                String::from_utf8(html).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
            })
            .unwrap_or_default()
    }
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
        let tmp = tempfile::tempdir().unwrap();
        let s = Syntect::new();
        let md = "See REQ-A-1 and [x](other.md).";
        let cache = Cache::open(tmp.path());
        let first = MarkdownCache::new(&cache).render(md, "d/doc.md", "p.html", &L("a.html"), &s);
        cache.commit(true);
        let cache = Cache::open(tmp.path());
        let warm = MarkdownCache::new(&cache);
        assert_eq!(warm.render(md, "d/doc.md", "p.html", &L("a.html"), &s), first);
        assert_eq!((warm.hits(), warm.misses()), (1, 0));
        let moved = warm.render(md, "d/doc.md", "p.html", &L("b.html"), &s);
        assert!(moved.contains("b.html"), "{moved}");
        assert_eq!(warm.misses(), 1, "another answer re-renders");
        let other_page = warm.render(md, "d/doc.md", "q.html", &L("b.html"), &s);
        assert_eq!((warm.misses(), other_page), (2, moved), "another page is another entry");
        cache.commit(true);
        // Two documents' answers, and the three HTML this build read or made.
        assert_eq!(Cache::open(tmp.path()).len(Table::Markdown), 5);
    }

    #[test]
    fn fingerprints_follow_the_answers() {
        let cache = Cache::in_memory();
        let s = Syntect::new();
        let c = MarkdownCache::new(&cache);
        let a = c.prepare("REQ-A-1", "d.md", "p.html", &L("a.html"), &s);
        let a2 = c.prepare("REQ-A-1", "d.md", "p.html", &L("a.html"), &s);
        let b = c.prepare("REQ-A-1", "d.md", "p.html", &L("b.html"), &s);
        assert_eq!(a.fingerprint, a2.fingerprint);
        assert_ne!(a.fingerprint, b.fingerprint);
        assert!(c.html(&b).contains("b.html"));
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
