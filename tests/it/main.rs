//! Integration tests: tracemark run as a process on fixture projects, with assertions
//! on its exit status, output, pages and `trace.json`. One test binary, one module per
//! feature; fixtures live in `tests/fixtures/` and `content-example/`.

mod browser;
mod bundle;
mod cache;
mod check;
mod cli;
mod diff;
mod edge;
mod encodings;
mod example;
mod excerpts;
mod gate;
mod history;
mod hostile;
mod hostile_fs;
mod ids;
mod items;
mod layouts;
mod links;
mod onboarding;
mod plan_page;
mod properties;
mod provenance;
mod results;
mod search;
#[cfg(feature = "serve")]
mod serve;
mod source_tree;
mod start;
mod suspect;
mod trace_schema;

use std::path::{Path, PathBuf};
use std::process::Output;

/// The repository root.
pub(crate) fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture folder under `tests/fixtures/`.
pub(crate) fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures").join(name)
}

/// The `tracemark` binary as a command, in an environment that does not depend on
/// where the tests run: git stops looking for a repository at this repository's root
/// (`GIT_CEILING_DIRECTORIES`), so a fixture inside it is not read as part of its
/// checkout and its pages do not name this repository's commit; `SOURCE_DATE_EPOCH` is
/// unset.
pub(crate) fn command() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("tracemark").unwrap();
    cmd.env("GIT_CEILING_DIRECTORIES", repo()).env_remove("SOURCE_DATE_EPOCH");
    cmd
}

/// Runs `tracemark` with arguments; returns its output.
pub(crate) fn tracemark(args: &[&str]) -> Output {
    command().args(args).output().expect("tracemark runs")
}

/// Builds `root` into a fresh temporary folder; panics with stderr if it fails.
pub(crate) fn build(root: &Path) -> (tempfile::TempDir, Output) {
    let out = tempfile::tempdir().unwrap();
    let o = tracemark(&["build", root.to_str().unwrap(), "--out", out.path().to_str().unwrap()]);
    assert!(o.status.success(), "build failed: {}", String::from_utf8_lossy(&o.stderr));
    (out, o)
}

/// Reads a built file as text.
pub(crate) fn read(out: &Path, rel: &str) -> String {
    std::fs::read_to_string(out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// One finding of `check --format json`: (code, path, line, message).
pub(crate) type Finding = (String, String, u64, String);

/// `check --format json` on a project: the exit code and the findings in report order.
pub(crate) fn check_findings(root: &Path) -> (Option<i32>, Vec<Finding>) {
    let o = tracemark(&["check", root.to_str().unwrap(), "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("check prints JSON");
    let findings = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (o.status.code(), findings)
}

/// The diagnostics of `trace.json` with one finding code.
pub(crate) fn diagnostics_with_code<'a>(
    json: &'a serde_json::Value,
    code: &str,
) -> Vec<&'a serde_json::Value> {
    json["diagnostics"].as_array().unwrap().iter().filter(|d| d["code"] == code).collect()
}

/// Reads `trace.json` of a built site.
pub(crate) fn trace_json(out: &Path) -> serde_json::Value {
    serde_json::from_str(&read(out, "trace.json")).expect("trace.json is JSON")
}

/// Copies a folder tree (every file, hidden or ignored ones too, but no `.tracemark-cache`).
pub(crate) fn copy_dir(from: &Path, to: &Path) {
    for e in ignore::WalkBuilder::new(from).standard_filters(false).build() {
        let e = e.unwrap();
        let rel = e.path().strip_prefix(from).unwrap();
        // A highlight cache left by an earlier test binary may hold another engine
        // revision's lines under the same key: copies start without one.
        if rel.starts_with(".tracemark-cache") {
            continue;
        }
        let dest = to.join(rel);
        if e.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
}

/// The build cache's database of the project at `root`.
pub fn cache_db(root: &Path) -> PathBuf {
    root.join(".tracemark-cache/cache.redb")
}

/// The tables of the build cache whose values are content (not the `meta` table).
pub const CACHE_TABLES: [&str; 3] = ["highlight", "markdown", "git"];

/// Every entry of the build cache of `root`: (table, key) → stored value (checksum and
/// value, as the database holds it).
pub fn cache_entries(root: &Path) -> std::collections::BTreeMap<(String, Vec<u8>), Vec<u8>> {
    use redb::{ReadableDatabase, ReadableTable, TableDefinition};
    let db = redb::Database::open(cache_db(root)).expect("the cache is a redb database");
    let txn = db.begin_read().unwrap();
    let mut out = std::collections::BTreeMap::new();
    for name in CACHE_TABLES {
        let Ok(t) = txn.open_table(TableDefinition::<&[u8], &[u8]>::new(name)) else { continue };
        for e in t.iter().unwrap() {
            let (k, v) = e.unwrap();
            out.insert((name.to_string(), k.value().to_vec()), v.value().to_vec());
        }
    }
    out
}

/// Flips one bit in the middle of every value of the highlight and markdown tables,
/// leaving the stored checksums (the first 16 bytes) as they were: bit rot the database
/// itself does not see. Returns how many values were flipped.
pub fn corrupt_cache_values(root: &Path) -> usize {
    use redb::{ReadableTable, TableDefinition};
    let db = redb::Database::open(cache_db(root)).expect("the cache is a redb database");
    let txn = db.begin_write().unwrap();
    let mut n = 0;
    for name in ["highlight", "markdown"] {
        let mut t = txn.open_table(TableDefinition::<&[u8], &[u8]>::new(name)).unwrap();
        let entries: Vec<(Vec<u8>, Vec<u8>)> = t
            .iter()
            .unwrap()
            .map(|e| e.unwrap())
            .map(|(k, v)| (k.value().to_vec(), v.value().to_vec()))
            .collect();
        for (k, mut v) in entries {
            if v.len() > 16 {
                let at = 16 + (v.len() - 16) / 2;
                v[at] ^= 1;
                t.insert(k.as_slice(), v.as_slice()).unwrap();
                n += 1;
            }
        }
    }
    txn.commit().unwrap();
    n
}

/// The value under `key` in `table` of the build cache of `root`, as tracemark reads it
/// (checksum stripped, decompressed); `None` when missing or damaged.
pub fn cache_value(root: &Path, table: &str, key: &[u8]) -> Option<Vec<u8>> {
    let stored = cache_entries(root).remove(&(table.to_string(), key.to_vec()))?;
    lz4_flex::decompress_size_prepended(stored.get(16..)?).ok()
}

/// Stores `value` under `key` in `table` of the build cache of `root`: compressed behind
/// a valid checksum as tracemark stores it when `sealed`, else as it is (so its checksum
/// fails).
pub fn put_cache_value(root: &Path, table: &str, key: &[u8], value: &[u8], sealed: bool) {
    let stored = if sealed {
        let compressed = lz4_flex::compress_prepend_size(value);
        let mut h = blake3::Hasher::new();
        for part in [table.as_bytes(), key] {
            h.update(&(part.len() as u64).to_le_bytes());
            h.update(part);
        }
        h.update(&compressed);
        let mut stored = h.finalize().as_bytes()[..16].to_vec();
        stored.extend_from_slice(&compressed);
        stored
    } else {
        value.to_vec()
    };
    let db = redb::Database::open(cache_db(root)).unwrap();
    let txn = db.begin_write().unwrap();
    txn.open_table(redb::TableDefinition::<&[u8], &[u8]>::new(table))
        .unwrap()
        .insert(key, stored.as_slice())
        .unwrap();
    txn.commit().unwrap();
}
