//! The site search index: what `static/search.js` loads to answer a query, built with no
//! I/O from a list of [`Entry`] (requirements, plans, phases, items, documents, source
//! files).
//!
//! The index is a set of script files under `search/`, each one statement
//! `(window.tracemarkSearch=window.tracemarkSearch||[]).push(<JSON>);`, so a page loads
//! them with `<script>` elements: that works from `file://`, where a page may not
//! `fetch` a JSON file, as well as over HTTP, and keeps within the pages'
//! Content-Security-Policy (`script-src 'self'`). A query loads only what it needs:
//!
//! - `search/index.js`: the shard list (`[key, file]` pairs), the number of entries and
//!   the entries per chunk;
//! - `search/s-<file>.js`: one **shard** per token key (the token's first
//!   [`KEY_CHARS`] characters): every token with that key and its postings, a flat list
//!   of `entry number, fields` pairs (fields: [`ID`] | [`TITLE`] | [`TEXT`], the fields
//!   of the entry the token occurs in);
//! - `search/d-<n>.js`: **chunk** `n` of the entries (each `[kind, ID, title, URL,
//!   snippet, context]`, [`CHUNK`] per file), loaded only for the results shown.
//!
//! Tokens are lowercase: an entry's whole ID (and a path's file name) is an ID token;
//! the words of its ID and title are title tokens and the words of its text are text
//! tokens. A word is a run of letters and digits ([`words`]), at least two characters
//! long and at most [`MAX_WORD`]. The script ranks an exact ID first, then an ID that
//! starts with the query, then title words, then text words (a word of the query's last
//! term may be a prefix). The same entries give the same bytes.

use super::pages::Page;
use serde::Serialize;
use std::collections::BTreeMap;

/// Flag of a posting: the token is the entry's ID (or a path's file name).
pub const ID: u8 = 4;
/// Flag of a posting: the token is a word of the entry's ID or title.
pub const TITLE: u8 = 2;
/// Flag of a posting: the token is a word of the entry's text.
pub const TEXT: u8 = 1;

/// Entries per chunk file (`search/d-<n>.js`).
pub const CHUNK: usize = 128;

/// Characters of a token that name its shard.
pub const KEY_CHARS: usize = 2;

/// Longer words (hashes, encoded data) are not indexed (characters).
pub const MAX_WORD: usize = 40;

/// The most characters of an entry's text shown as its snippet.
pub const SNIPPET: usize = 160;

/// The folder of the index in the site.
pub const FOLDER: &str = "search";

/// One thing a search can find.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// What it is, as shown (`requirement`, `plan`, `phase`, `task`, `document`, `file`, …).
    pub kind: String,
    /// Its ID (a path for documents and files).
    pub id: String,
    /// Its title (may be empty).
    pub title: String,
    /// Its text as markdown (may be empty): indexed by word, and the start of it shown.
    pub text: String,
    /// The URL of its page relative to the site root (percent-encoded, as
    /// `urls::relative` from a page at the root makes it).
    pub url: String,
    /// Where it belongs, shown beside it (the plan's ID; may be empty).
    pub context: String,
}

/// The lowercase words of `text`: runs of letters and digits of 2 to [`MAX_WORD`]
/// characters (shorter and longer runs are skipped).
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric()).filter_map(|w| {
        let n = w.chars().count();
        (2..=MAX_WORD).contains(&n).then(|| w.to_lowercase())
    })
}

/// The shard key of a token: its first [`KEY_CHARS`] characters.
pub fn shard_key(token: &str) -> &str {
    let end = token.char_indices().nth(KEY_CHARS).map_or(token.len(), |(i, _)| i);
    &token[..end]
}

/// The file name part of a shard key: the key itself when it is lowercase ASCII letters
/// and digits, otherwise `_` and the hex digits of its UTF-8 bytes (so any key gives a
/// safe, distinct file name).
fn shard_file(key: &str) -> String {
    if key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()) {
        key.to_string()
    } else {
        let mut s = String::from("_");
        for b in key.bytes() {
            s.push_str(&format!("{b:02x}"));
        }
        s
    }
}

/// Plain text of the start of a markdown text: markup characters dropped, whitespace
/// collapsed, cut at [`SNIPPET`] characters with `…`.
pub fn snippet(text: &str) -> String {
    let mut out = String::new();
    let mut chars = 0;
    for w in text.split_whitespace() {
        let w: String = w.chars().filter(|c| !matches!(c, '*' | '`' | '#' | '>' | '|' | '_')).collect();
        if w.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
            chars += 1;
        }
        for c in w.chars() {
            if chars == SNIPPET {
                out.push('…');
                return out;
            }
            out.push(c);
            chars += 1;
        }
    }
    out
}

/// Every token of an entry with its fields.
pub fn tokens(e: &Entry) -> BTreeMap<String, u8> {
    let mut t: BTreeMap<String, u8> = BTreeMap::new();
    let id = e.id.trim().to_lowercase();
    if !id.is_empty() {
        *t.entry(id.clone()).or_default() |= ID;
        if let Some((_, name)) = id.rsplit_once('/')
            && !name.is_empty()
        {
            *t.entry(name.to_string()).or_default() |= ID;
        }
    }
    for w in words(&e.id).chain(words(&e.title)) {
        *t.entry(w).or_default() |= TITLE;
    }
    for w in words(&e.text) {
        *t.entry(w).or_default() |= TEXT;
    }
    t
}

/// The JavaScript statement a file of the index holds.
fn script(json: &impl Serialize) -> Vec<u8> {
    let mut out = b"(window.tracemarkSearch=window.tracemarkSearch||[]).push(".to_vec();
    // Serializing maps with string keys, strings and numbers cannot fail.
    serde_json::to_writer(&mut out, json).expect("search index serializes");
    out.extend_from_slice(b");\n");
    out
}

#[derive(Serialize)]
struct ListFile<'a> {
    kind: &'static str,
    entries: usize,
    chunk: usize,
    shards: Vec<(&'a str, String)>,
}

#[derive(Serialize)]
struct ShardFile<'a> {
    kind: &'static str,
    key: &'a str,
    tokens: &'a BTreeMap<String, Vec<u32>>,
}

#[derive(Serialize)]
struct ChunkFile<'a> {
    kind: &'static str,
    chunk: usize,
    entries: Vec<[&'a str; 6]>,
}

/// The index files of `entries` (entry number = position), sorted by path: the shard
/// list, one file per shard and one per chunk of entries.
pub fn build(entries: &[Entry]) -> Vec<Page> {
    // key → token → postings (entry, fields, entry, fields, …), entries ascending.
    let mut shards: BTreeMap<String, BTreeMap<String, Vec<u32>>> = BTreeMap::new();
    for (n, e) in entries.iter().enumerate() {
        for (token, fields) in tokens(e) {
            let postings = shards.entry(shard_key(&token).to_string()).or_default().entry(token).or_default();
            postings.extend([n as u32, u32::from(fields)]);
        }
    }
    let snippets: Vec<String> = entries.iter().map(|e| snippet(&e.text)).collect();
    let mut pages = Vec::with_capacity(shards.len() + entries.len() / CHUNK + 2);
    let list = ListFile {
        kind: "list",
        entries: entries.len(),
        chunk: CHUNK,
        shards: shards.keys().map(|k| (k.as_str(), shard_file(k))).collect(),
    };
    pages.push(Page::new(format!("{FOLDER}/index.js"), script(&list)));
    for (key, tokens) in &shards {
        let file = ShardFile { kind: "shard", key, tokens };
        pages.push(Page::new(format!("{FOLDER}/s-{}.js", shard_file(key)), script(&file)));
    }
    for (c, chunk) in entries.chunks(CHUNK).enumerate() {
        let rows = chunk
            .iter()
            .zip(&snippets[c * CHUNK..])
            .map(|(e, s)| [e.kind.as_str(), &e.id, &e.title, &e.url, s, &e.context])
            .collect();
        let file = ChunkFile { kind: "chunk", chunk: c, entries: rows };
        pages.push(Page::new(format!("{FOLDER}/d-{c}.js"), script(&file)));
    }
    pages.sort_by(|a, b| a.path.cmp(&b.path));
    pages
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(kind: &str, id: &str, title: &str, text: &str) -> Entry {
        Entry {
            kind: kind.into(),
            id: id.into(),
            title: title.into(),
            text: text.into(),
            url: format!("x/{id}.html"),
            context: String::new(),
        }
    }

    /// The JSON of an index file.
    fn json(page: &Page) -> serde_json::Value {
        let text = std::str::from_utf8(&page.bytes).unwrap();
        let body = text
            .strip_prefix("(window.tracemarkSearch=window.tracemarkSearch||[]).push(")
            .and_then(|t| t.strip_suffix(");\n"))
            .unwrap_or_else(|| panic!("{}: not one push statement", page.path));
        serde_json::from_str(body).unwrap()
    }

    fn file<'p>(pages: &'p [Page], path: &str) -> &'p Page {
        pages.iter().find(|p| p.path == path).unwrap_or_else(|| panic!("no {path}"))
    }

    #[test]
    fn words_are_lowercase_runs_of_letters_and_digits() {
        let w: Vec<String> = words("The REQ-001 handles `Übergrößen`, a_b x 42 café/naïve").collect();
        assert_eq!(w, ["the", "req", "001", "handles", "übergrößen", "42", "café", "naïve"]);
        let long = "a".repeat(MAX_WORD + 1);
        assert_eq!(words(&format!("ok {long}")).collect::<Vec<_>>(), ["ok"]);
    }

    #[test]
    fn tokens_carry_the_fields_they_occur_in() {
        let e = entry("file", "src/Auth/Login.ts", "", "login flow");
        let t = tokens(&e);
        assert_eq!(t["src/auth/login.ts"], ID);
        assert_eq!(t["login.ts"], ID);
        assert_eq!(t["login"], TITLE | TEXT);
        assert_eq!(t["auth"], TITLE);
        assert_eq!(t["flow"], TEXT);
        let r = tokens(&entry("requirement", "REQ-001", "Token refresh", "Refresh tokens early."));
        assert_eq!(r["req-001"], ID);
        assert_eq!(r["refresh"], TITLE | TEXT);
        assert_eq!(r["early"], TEXT);
        assert!(!r.contains_key("req-001/"));
    }

    #[test]
    fn shard_keys_and_files_are_safe_and_distinct() {
        assert_eq!(shard_key("req-001"), "re");
        assert_eq!(shard_key("é"), "é");
        assert_eq!(shard_key("日本語"), "日本");
        assert_eq!(shard_file("re"), "re");
        assert_eq!(shard_file("r-"), "_722d");
        assert_eq!(shard_file("日本"), "_e697a5e69cac");
        assert_ne!(shard_file("_7"), shard_file("7"));
    }

    #[test]
    fn snippets_are_plain_and_bounded() {
        assert_eq!(snippet("**REQ-1**: the `api`\n\n> must   work"), "REQ-1: the api must work");
        let long = snippet(&"word ".repeat(100));
        assert_eq!(long.chars().count(), SNIPPET + 1);
        assert!(long.ends_with('…'));
        assert_eq!(snippet(""), "");
    }

    #[test]
    fn postings_name_every_entry_a_token_occurs_in() {
        let entries = [
            entry("requirement", "REQ-001", "Login", "The user logs in."),
            entry("requirement", "REQ-002", "Logout", "The user logs out."),
            entry("plan", "PLAN-A", "Accounts", ""),
        ];
        let pages = build(&entries);
        let re = json(file(&pages, "search/s-re.js"));
        assert_eq!(re["key"], "re");
        assert_eq!(re["tokens"]["req-001"], serde_json::json!([0, ID]));
        assert_eq!(re["tokens"]["req-002"], serde_json::json!([1, ID]));
        let us = json(file(&pages, "search/s-us.js"));
        assert_eq!(us["tokens"]["user"], serde_json::json!([0, TEXT, 1, TEXT]));
        let lo = json(file(&pages, "search/s-lo.js"));
        assert_eq!(lo["tokens"]["login"], serde_json::json!([0, TITLE]));
        assert_eq!(lo["tokens"]["logs"], serde_json::json!([0, TEXT, 1, TEXT]));
        let list = json(file(&pages, "search/index.js"));
        assert_eq!(list["entries"], 3);
        assert_eq!(list["chunk"], CHUNK);
        let keys: Vec<&str> =
            list["shards"].as_array().unwrap().iter().map(|s| s[0].as_str().unwrap()).collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]), "sorted: {keys:?}");
        for s in list["shards"].as_array().unwrap() {
            file(&pages, &format!("search/s-{}.js", s[1].as_str().unwrap()));
        }
        let chunk = json(file(&pages, "search/d-0.js"));
        assert_eq!(
            chunk["entries"][1],
            serde_json::json!([
                "requirement",
                "REQ-002",
                "Logout",
                "x/REQ-002.html",
                "The user logs out.",
                ""
            ])
        );
    }

    #[test]
    fn entries_are_split_into_chunks() {
        let entries: Vec<Entry> =
            (0..CHUNK * 2 + 1).map(|i| entry("task", &format!("T-{i}"), "", "")).collect();
        let pages = build(&entries);
        assert_eq!(json(file(&pages, "search/d-0.js"))["entries"].as_array().unwrap().len(), CHUNK);
        assert_eq!(json(file(&pages, "search/d-1.js"))["entries"][0][1], format!("T-{CHUNK}"));
        assert_eq!(json(file(&pages, "search/d-2.js"))["entries"].as_array().unwrap().len(), 1);
        assert!(!pages.iter().any(|p| p.path == "search/d-3.js"));
    }

    #[test]
    fn hostile_text_stays_inside_its_json_string() {
        let e = entry("requirement", "R-1", "\");alert(1);//</script>\u{2028}", "x");
        let pages = build(&[e]);
        let chunk = file(&pages, "search/d-0.js");
        let row = &json(chunk)["entries"][0];
        assert_eq!(row[2], "\");alert(1);//</script>\u{2028}");
    }

    #[test]
    fn the_same_entries_give_the_same_bytes() {
        let entries =
            [entry("requirement", "REQ-9", "Zeta alpha", "beta gamma"), entry("file", "src/a.rs", "", "")];
        assert_eq!(build(&entries), build(&entries.clone()));
        let pages = build(&entries);
        assert!(pages.windows(2).all(|w| w[0].path < w[1].path), "sorted by path");
    }
}
