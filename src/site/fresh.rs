//! Whether the site in an output folder is already the one this build would make.
//!
//! A build's **fingerprint** is blake3 over everything the pages are made from: the
//! binary's build identity, the configuration, the walk (every file's path with the
//! blake3 of its bytes, or why it was not read; the walk's errors and the plan roots),
//! the guides, the test reports, the suspect facts (after the review record), the
//! commit and dates (`Provenance`), the history facts, the comparison with `diff_base`,
//! the theme and the highlighter. The model and the pages are pure functions of these,
//! so an equal fingerprint means equal pages.
//!
//! After a build has written its output folder it records (`Record`, beside the folder's
//! manifest in the cache) its fingerprint, the blake3 of the manifest it wrote and the
//! number of pages. The next build whose fingerprint equals the record's, whose manifest
//! is the one recorded and whose every file is intact (one `lstat` each, as
//! `output::Manifest` checks them) renders and writes nothing. The record is removed
//! before a build writes, so a build that fails or is killed leaves none.
//!
//! The record also holds the **stat fingerprint** of that build: the same settings and
//! git facts, but each walked file's `lstat` fields (`walk::Stat`: size, modification
//! and change time, inode, device) instead of its bytes, and the counts and findings
//! the build reported (`Outcome`). A rebuild whose walk gives the same stat fingerprint
//! reads no file at all: it prints the recorded outcome. Like git's index, a file whose
//! modification or change time is within [`RACY_NS`] of the recorded build's walk could
//! have changed again in the same clock tick unseen, so such a build records no stat
//! fingerprint (the next build reads everything and records one).

use crate::render::incremental::{Key, open, seal};
use serde::Serialize;
use std::fmt;

/// The magic of a record file.
const MAGIC: &[u8; 8] = b"TMFRESH\0";
/// The record's format; raise it when its layout changes.
const FORMAT: u32 = 2;

/// How close (nanoseconds) to the walk a file's modification or change time may be
/// before its `lstat` no longer proves it unchanged: two seconds, the coarsest time
/// stamps of common file systems.
pub const RACY_NS: i128 = 2_000_000_000;

/// A fingerprint being computed: each part is written with its length, so two
/// sequences of parts never give the same bytes.
pub struct Fingerprint(blake3::Hasher);

impl Fingerprint {
    /// A new fingerprint of the kind `label`.
    pub fn new(label: &str) -> Fingerprint {
        let mut f = Fingerprint(blake3::Hasher::new());
        f.str(label);
        f.str(crate::BUILD);
        f
    }

    /// Adds bytes.
    pub fn bytes(&mut self, b: &[u8]) {
        self.0.update(&(b.len() as u64).to_le_bytes());
        self.0.update(b);
    }

    /// Adds a string.
    pub fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }

    /// Adds a value as JSON (self-describing, so no two values give the same text; the
    /// value must hold no hash map, whose order changes from run to run).
    pub fn json<T: Serialize + ?Sized>(&mut self, value: &T) {
        let text = serde_json::to_vec(value).unwrap_or_else(|e| format!("unserialisable: {e}").into_bytes());
        self.bytes(&text);
    }

    /// Adds a value's `Debug` form (for types without `Serialize`; the same condition
    /// about hash maps holds).
    pub fn debug<T: fmt::Debug + ?Sized>(&mut self, value: &T) {
        struct W<'h>(&'h mut blake3::Hasher, u64);
        impl fmt::Write for W<'_> {
            fn write_str(&mut self, s: &str) -> fmt::Result {
                self.0.update(s.as_bytes());
                self.1 += s.len() as u64;
                Ok(())
            }
        }
        let mut w = W(&mut self.0, 0);
        let _ = fmt::write(&mut w, format_args!("{value:?}"));
        let n = w.1;
        self.0.update(&n.to_le_bytes());
    }

    /// The fingerprint.
    pub fn finish(&self) -> Key {
        *self.0.finalize().as_bytes()
    }
}

/// What a build that wrote its output folder recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The build's fingerprint.
    pub fingerprint: Key,
    /// blake3 of the manifest it wrote.
    pub manifest: Key,
    /// The number of pages of the site.
    pub pages: u64,
    /// The build's stat fingerprint, `None` when it had a racy file or none can be made.
    pub stats: Option<Key>,
    /// What the build reported.
    pub outcome: Outcome,
}

/// The counts and findings a build reported, as the record keeps them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Outcome {
    /// `Summary` counts: plans, requirements, covered requirements, phases, phases
    /// done, traces, traces in code, markers, marked files, findings.
    pub counts: [usize; 10],
    /// Every finding, in the model's order.
    pub findings: Vec<Finding>,
}

/// One finding as the record keeps it (`Diagnostic`'s fields, code and severity by name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Finding {
    /// Path relative to the root.
    pub path: String,
    /// 1-based line, 0 for the whole file.
    pub line: u32,
    /// The code's name.
    pub code: String,
    /// The severity's name.
    pub severity: String,
    /// What is wrong.
    pub message: String,
    /// What to do.
    pub help: Option<String>,
    /// The normalised text of the line.
    pub text: Option<String>,
}

impl Record {
    /// The record as a sealed cache file (header, version, checksum).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut body = Vec::with_capacity(105);
        body.extend_from_slice(&self.fingerprint);
        body.extend_from_slice(&self.manifest);
        body.extend_from_slice(&self.pages.to_le_bytes());
        body.push(u8::from(self.stats.is_some()));
        body.extend_from_slice(&self.stats.unwrap_or_default());
        body.extend_from_slice(&serde_json::to_vec(&self.outcome).unwrap_or_default());
        seal(MAGIC, FORMAT, &body)
    }

    /// The record in `bytes`, or `None` when they are not a record of this version or
    /// are damaged (the checksum does not match).
    pub fn parse(bytes: &[u8]) -> Option<Record> {
        let body = open(MAGIC, FORMAT, bytes)?;
        let key = |r: std::ops::Range<usize>| -> Option<Key> { body.get(r)?.try_into().ok() };
        Some(Record {
            fingerprint: key(0..32)?,
            manifest: key(32..64)?,
            pages: u64::from_le_bytes(body.get(64..72)?.try_into().ok()?),
            stats: match body.get(72)? {
                0 => None,
                1 => Some(key(73..105)?),
                _ => return None,
            },
            outcome: serde_json::from_slice(body.get(105..)?).ok()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_round_trips_and_damage_is_refused() {
        let finding = Finding {
            path: "a.md".into(),
            line: 3,
            code: "dangling-reference".into(),
            severity: "warning".into(),
            message: "m".into(),
            help: None,
            text: Some("t".into()),
        };
        let outcome = Outcome { counts: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], findings: vec![finding] };
        let r =
            Record { fingerprint: [1; 32], manifest: [2; 32], pages: 12_641, stats: Some([3; 32]), outcome };
        assert_eq!(Record::parse(&r.to_bytes()), Some(r.clone()));
        let r = Record { stats: None, ..r };
        let bytes = r.to_bytes();
        assert_eq!(Record::parse(&bytes), Some(r));
        for i in [0, 20, bytes.len() - 1] {
            let mut bad = bytes.clone();
            bad[i] ^= 1;
            assert_eq!(Record::parse(&bad), None, "byte {i} flipped");
        }
        assert_eq!(Record::parse(&bytes[..bytes.len() - 1]), None);
    }

    #[test]
    fn parts_are_delimited() {
        let of = |parts: &[&str]| {
            let mut f = Fingerprint::new("t");
            for p in parts {
                f.str(p);
            }
            f.finish()
        };
        assert_ne!(of(&["ab", "c"]), of(&["a", "bc"]));
        assert_eq!(of(&["ab", "c"]), of(&["ab", "c"]));
        let mut a = Fingerprint::new("t");
        a.debug(&("x", 1));
        let mut b = Fingerprint::new("t");
        b.debug(&("x", 2));
        assert_ne!(a.finish(), b.finish());
    }
}
