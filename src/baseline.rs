//! Baselines: the findings a repository already has, recorded by a stable fingerprint
//! so that `tracemark check --baseline FILE` fails only on new ones.
//!
//! A finding's fingerprint is blake3 of its code, its path and the normalized text of
//! its offending line (the marker's or the definition's; the message for a finding
//! about a whole file or folder), never its line number: inserting lines above an old
//! finding keeps it baselined. Several findings may share a fingerprint (two dangling
//! IDs on one marker line); the baseline keeps how many there were.
//!
//! The file is JSON, written sorted and byte-for-byte deterministic:
//!
//! ```json
//! {
//!   "tracemark_baseline": 1,
//!   "findings": [
//!     {
//!       "fingerprint": "9f2c…",
//!       "code": "dangling-reference",
//!       "path": "src/a.ts",
//!       "text": "// @requirement:REQ-9",
//!       "count": 1
//!     }
//!   ]
//! }
//! ```
//!
//! Only `fingerprint` and `count` are used to match; `code`, `path` and `text` are there
//! for a reader reviewing the file.

use crate::diagnostic::{Code, Diagnostic};
use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// The format version written in `tracemark_baseline`.
pub const FORMAT: u32 = 1;

/// The stable fingerprint of a finding: 32 hex digits of blake3 over the code name, the
/// path and the offending line's text (or the message when there is no line text),
/// separated by NUL bytes.
pub fn fingerprint(d: &Diagnostic) -> String {
    let mut hasher = blake3::Hasher::new();
    hasher.update(d.code.name().as_bytes());
    hasher.update(b"\0");
    hasher.update(d.path.as_bytes());
    hasher.update(b"\0");
    hasher.update(subject(d).as_bytes());
    hasher.finalize().to_hex()[..32].to_string()
}

/// What a fingerprint hashes besides code and path: the line's text, else the message.
fn subject(d: &Diagnostic) -> &str {
    d.text.as_deref().unwrap_or(&d.message)
}

/// One fingerprint of a baseline file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Entry {
    /// [`fingerprint`] of the findings.
    pub fingerprint: String,
    /// Their code's name (for readers; not matched).
    pub code: String,
    /// Their path (for readers; not matched).
    pub path: String,
    /// The offending line's text or the message (for readers; not matched).
    pub text: String,
    /// How many findings had this fingerprint.
    pub count: usize,
}

/// A baseline: today's findings by fingerprint.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// Format version, [`FORMAT`].
    pub tracemark_baseline: u32,
    /// One entry per fingerprint, sorted by path, code, text and fingerprint.
    pub findings: Vec<Entry>,
}

/// Whether a finding was in the baseline (SARIF's `baselineState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Not in the baseline: it counts for the exit status.
    New,
    /// In the baseline: shown in SARIF and the site, but it does not fail the gate.
    Unchanged,
}

/// The findings of a run compared with a baseline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    /// The state of each finding, in the order of the findings compared.
    pub states: Vec<State>,
    /// Findings found in the baseline.
    pub baselined: usize,
    /// Findings not in the baseline.
    pub new: usize,
    /// Baseline findings that no finding matched any more (fixed, or changed).
    pub gone: usize,
}

impl Baseline {
    /// The baseline of `diagnostics`: one entry per fingerprint, sorted.
    pub fn of(diagnostics: &[Diagnostic]) -> Baseline {
        let mut by_fp: BTreeMap<String, Entry> = BTreeMap::new();
        for d in diagnostics {
            let fp = fingerprint(d);
            by_fp
                .entry(fp.clone())
                .or_insert_with(|| Entry {
                    fingerprint: fp,
                    code: d.code.name().to_string(),
                    path: d.path.clone(),
                    text: subject(d).to_string(),
                    count: 0,
                })
                .count += 1;
        }
        let mut findings: Vec<Entry> = by_fp.into_values().collect();
        findings.sort_by(|a, b| {
            (&a.path, &a.code, &a.text, &a.fingerprint).cmp(&(&b.path, &b.code, &b.text, &b.fingerprint))
        });
        Baseline { tracemark_baseline: FORMAT, findings }
    }

    /// The file's text: pretty JSON ending with a newline.
    pub fn to_json(&self) -> String {
        let mut out = serde_json::to_string_pretty(self).expect("a baseline serialises");
        out.push('\n');
        out
    }

    /// Reads a baseline file. Errors (naming the file, and the line and column of a
    /// syntax error) when it cannot be read, is not a baseline, or has another format
    /// version.
    pub fn read(path: &Path) -> Result<Baseline> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read baseline `{}`", path.display()))?;
        Baseline::parse(&text).with_context(|| format!("`{}` is not a tracemark baseline", path.display()))
    }

    /// Parses a baseline's text (see [`Baseline::read`]).
    pub fn parse(text: &str) -> Result<Baseline> {
        let baseline: Baseline = serde_json::from_str(text)?;
        if baseline.tracemark_baseline != FORMAT {
            bail!(
                "format {} is not supported (this tracemark writes format {FORMAT}); write it again with `--write-baseline`",
                baseline.tracemark_baseline
            );
        }
        for e in &baseline.findings {
            if Code::from_name(&e.code).is_none() {
                bail!("unknown finding code `{}`", e.code);
            }
        }
        Ok(baseline)
    }

    /// Compares `diagnostics` with the baseline: for each fingerprint the first `count`
    /// findings (in the given order) are baselined, any more are new.
    pub fn compare(&self, diagnostics: &[Diagnostic]) -> Comparison {
        let mut left: BTreeMap<&str, usize> = BTreeMap::new();
        for e in &self.findings {
            *left.entry(e.fingerprint.as_str()).or_default() += e.count;
        }
        let mut states = Vec::with_capacity(diagnostics.len());
        for d in diagnostics {
            let fp = fingerprint(d);
            match left.get_mut(fp.as_str()) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    states.push(State::Unchanged);
                }
                _ => states.push(State::New),
            }
        }
        let baselined = states.iter().filter(|s| **s == State::Unchanged).count();
        Comparison { new: states.len() - baselined, baselined, gone: left.values().sum(), states }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dangling(path: &str, line: u32, text: &str) -> Diagnostic {
        Diagnostic::new(Code::DanglingReference, path, line, "requirement `REQ-9` is defined by no plan")
            .with_text(text)
    }

    #[test]
    fn fingerprint_ignores_the_line_and_whitespace_but_not_code_path_or_text() {
        let a = dangling("src/a.ts", 3, "  // @requirement:REQ-9");
        assert_eq!(fingerprint(&a), fingerprint(&dangling("src/a.ts", 40, "//   @requirement:REQ-9 ")));
        assert_ne!(fingerprint(&a), fingerprint(&dangling("src/b.ts", 3, "// @requirement:REQ-9")));
        assert_ne!(fingerprint(&a), fingerprint(&dangling("src/a.ts", 3, "// @requirement:REQ-8")));
        let mut other = a.clone();
        other.code = Code::AmbiguousReference;
        assert_ne!(fingerprint(&a), fingerprint(&other));
        assert_eq!(fingerprint(&a).len(), 32);
    }

    #[test]
    fn without_line_text_the_message_is_the_subject() {
        let a = Diagnostic::new(Code::Encoding, "x.md", 0, "not UTF-8");
        let b = Diagnostic::new(Code::Encoding, "x.md", 0, "binary");
        assert_ne!(fingerprint(&a), fingerprint(&b));
    }

    #[test]
    fn written_sorted_with_counts_and_read_back() {
        let v = vec![
            dangling("src/b.ts", 1, "// @requirement:REQ-9"),
            dangling("src/a.ts", 9, "// @requirement:REQ-9"),
            dangling("src/a.ts", 9, "// @requirement:REQ-9"),
        ];
        let b = Baseline::of(&v);
        assert_eq!(b.findings.len(), 2);
        assert_eq!((b.findings[0].path.as_str(), b.findings[0].count), ("src/a.ts", 2));
        let text = b.to_json();
        assert_eq!(text, Baseline::of(&[v[2].clone(), v[0].clone(), v[1].clone()]).to_json(), "order-free");
        assert_eq!(Baseline::parse(&text).unwrap(), b);
    }

    #[test]
    fn compare_counts_new_baselined_and_gone() {
        let old = vec![
            dangling("src/a.ts", 9, "// @requirement:REQ-9"),
            dangling("src/a.ts", 9, "// @requirement:REQ-9"),
            dangling("src/c.ts", 2, "// @requirement:REQ-7"),
        ];
        let b = Baseline::of(&old);
        let now = vec![
            dangling("src/a.ts", 20, "// @requirement:REQ-9"),
            dangling("src/a.ts", 20, "// @requirement:REQ-9"),
            dangling("src/a.ts", 21, "// @requirement:REQ-9"),
        ];
        let c = b.compare(&now);
        assert_eq!(c.states, vec![State::Unchanged, State::Unchanged, State::New]);
        assert_eq!((c.baselined, c.new, c.gone), (2, 1, 1));
    }

    #[test]
    fn rejects_other_formats_codes_and_fields() {
        assert!(Baseline::parse("{\"tracemark_baseline\": 2, \"findings\": []}").is_err());
        assert!(Baseline::parse("{\"tracemark_baseline\": 1, \"findings\": [], \"x\": 1}").is_err());
        let bad = r#"{"tracemark_baseline": 1, "findings": [{"fingerprint": "00", "code": "nope", "path": "a", "text": "t", "count": 1}]}"#;
        assert!(Baseline::parse(bad).unwrap_err().to_string().contains("nope"));
        assert!(Baseline::parse("[]").is_err());
        assert!(Baseline::parse("").is_err());
    }
}
