//! Suspect traces: a trace in code is *suspect* when the text of a requirement it cites
//! was reworded in a commit later than the last change to the traced lines — the code
//! may no longer meet what the requirement now says. Found from git: `git blame` on the
//! requirement's definition lines gives the commit that last changed them; `git diff`
//! from just before that commit to the working tree says whether the traced lines
//! changed since. A requirement *written* in that commit (its ID line added, not
//! reworded) makes nothing suspect.
//!
//! A reviewer clears a suspect trace by changing the traced code, or with
//! `tracemark review REQ-ID`, which records the requirement's text hash in
//! [`REVIEWS`]; the suspicion returns when the text changes again.
//!
//! The git work is cached piece by piece, each piece under the inputs it reads
//! (`Store`, one file saved by the site stage; a damaged or foreign file is a miss):
//!
//! - the blame of a definition document, by (layout, HEAD commit, path, blake3 of its
//!   text, the sorted definition line ranges asked for): per range the newest commit
//!   with its time and subject, or "uncommitted";
//! - whether a commit has a parent, by commit;
//! - a rewording commit's own diff of a definition document (`git diff -U0 C^ C -- doc`),
//!   by (commit, path);
//! - the work-tree diff of a traced file from just before a rewording commit, by
//!   (commit, path, blake3 of its text): where its hunks are (none when unchanged). The
//!   missing files of a commit are diffed in one git call.
//!
//! So a rebuild with nothing changed runs no git command, and editing a source file
//! runs one `git diff` per rewording commit whose requirements it traces. The pairs are
//! combined from the pieces on every run; the entries a run did not use are dropped
//! when it saves.

use crate::diagnostic::{Code, Diagnostic};
use crate::model::{Project, ReqKey, Resolution};
use crate::plan::DefinitionShape;
use crate::provenance::git_command;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// The review record, at the project root, committed with the code.
pub const REVIEWS: &str = ".tracemark/reviews.toml";

/// The first bytes of the cache file: its layout version.
const CACHE_MAGIC: &[u8] = b"tracemark-suspect-2\n";

/// One review of a requirement's text: the traces of `requirement` in `plan` are not
/// suspect while the requirement's text hashes to `text_sha256`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    /// The requirement ID (`REQ-SP4-003`).
    pub requirement: String,
    /// The plan that defines it.
    pub plan: String,
    /// [`text_hash`] of the requirement's text when it was reviewed.
    pub text_sha256: String,
    /// Who reviewed it (`git config user.name`, or `--reviewer`).
    pub reviewer: String,
    /// When, `YYYY-MM-DD` (UTC).
    pub date: String,
}

/// The contents of [`REVIEWS`]: `[[review]]` tables.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reviews {
    /// The reviews, one per (plan, requirement), sorted by plan then requirement.
    #[serde(default)]
    pub review: Vec<Review>,
}

impl Reviews {
    /// Reads [`REVIEWS`] under `root`: `Ok(None)` when there is none. A symbolic link is
    /// not followed.
    ///
    /// Errors: `(line, message)` when the file cannot be read or is not a review file.
    pub fn read(root: &Path) -> Result<Option<Reviews>, (u32, String)> {
        let path = root.join(REVIEWS);
        match std::fs::symlink_metadata(&path) {
            Err(_) => return Ok(None),
            Ok(m) if !m.is_file() => {
                return Err((0, "is not a regular file (a symlink?); it is not read".into()));
            }
            Ok(_) => {}
        }
        let text = std::fs::read_to_string(&path).map_err(|e| (0, format!("cannot be read: {e}")))?;
        toml::from_str::<Reviews>(&text).map(Some).map_err(|e| {
            let line = e.span().map_or(0, |s| text[..s.start.min(text.len())].lines().count().max(1) as u32);
            (line, e.message().to_string())
        })
    }

    /// The file's text: a comment saying what it is, then the reviews.
    pub fn to_toml(&self) -> String {
        let body = toml::to_string(self).unwrap_or_default();
        format!(
            "# Reviews of reworded requirements (`tracemark review`): a trace of a requirement is\n\
             # not suspect while the requirement's text has the hash recorded here.\n\n{body}"
        )
    }

    /// Records `review`, replacing an earlier review of the same requirement.
    pub fn record(&mut self, review: Review) {
        self.review.retain(|r| !(r.plan == review.plan && r.requirement == review.requirement));
        self.review.push(review);
        self.review.sort_by(|a, b| (&a.plan, &a.requirement).cmp(&(&b.plan, &b.requirement)));
    }

    /// The review of (`plan`, `requirement`) that holds for its text hashing to `hash`.
    pub fn find(&self, plan: &str, requirement: &str, hash: &str) -> Option<&Review> {
        self.review.iter().find(|r| r.plan == plan && r.requirement == requirement && r.text_sha256 == hash)
    }
}

/// The SHA-256 (hex) of a requirement's text with runs of white space made one space, so
/// re-wrapping a paragraph is no change.
pub fn text_hash(text: &str) -> String {
    let normal: Vec<&str> = text.split_whitespace().collect();
    crate::site::sha256_hex(normal.join(" ").as_bytes())
}

/// A piece of a word diff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DiffTag {
    /// In both texts.
    Equal,
    /// Only in the old text.
    Delete,
    /// Only in the new text.
    Insert,
}

/// The commit that last reworded a requirement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// The full commit ID.
    pub commit: String,
    /// The committer time, Unix seconds.
    pub time: i64,
    /// The committer date, `YYYY-MM-DD` (UTC).
    pub date: String,
    /// The message's first line.
    pub subject: String,
    /// The definition's lines before the commit (those the commit replaced).
    pub old: String,
    /// The definition's lines the commit wrote.
    pub new: String,
    /// The word diff of `old` and `new`.
    pub diff: Vec<(DiffTag, String)>,
}

/// A suspect trace: trace `trace` cites requirement `key`, reworded by `change` after the
/// traced lines last changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suspect {
    /// Index into `Project::traces`.
    pub trace: usize,
    /// The requirement.
    pub key: ReqKey,
    /// Index into [`Facts::changes`].
    pub change: usize,
    /// The review that clears it (index into [`Facts::reviews`]), if any.
    pub reviewed: Option<usize>,
}

/// What the suspect-link analysis found, or why it did not run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Facts {
    /// Why there is no analysis (no git, a shallow clone, `suspect-trace = "off"`), or
    /// `None` when it ran.
    pub unavailable: Option<String>,
    /// The rewording commits, one per (requirement, commit).
    pub changes: Vec<Change>,
    /// The suspect traces, reviewed ones included, by trace then requirement.
    pub suspects: Vec<Suspect>,
    /// The reviews read from [`REVIEWS`].
    pub reviews: Vec<Review>,
    /// Requirement definitions whose lines hold uncommitted changes: not analysed.
    pub uncommitted: usize,
    /// (trace, requirement) pairs looked at.
    pub pairs: usize,
}

/// One suspect found by the git work: by stable identity, not by index.
#[derive(Debug, Clone)]
struct Found {
    file: String,
    line: u32,
    plan: String,
    requirement: String,
    change: usize,
}

/// What the git work found.
#[derive(Debug, Clone)]
struct GitFacts {
    changes: Vec<Change>,
    suspects: Vec<Found>,
    uncommitted: usize,
}

/// The cache of the git work, by the inputs of each piece (see the module docs). Only
/// the entries a build used are kept when it is saved.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Store {
    /// Blame of a definition document, by [`blame_key`]: per definition line range
    /// asked for, what blame says of it.
    blames: BTreeMap<[u8; 32], DocBlame>,
    /// Whether a commit has a parent (the root commit wrote everything).
    parents: BTreeMap<String, bool>,
    /// A commit's own change of a definition document (`git diff -U0 C^ C -- doc`), by
    /// (commit, document path).
    own: BTreeMap<(String, String), Vec<Hunk>>,
    /// The work-tree change of a traced file since just before a commit, by
    /// [`work_key`]: the hunks' new lines only (empty when the file is unchanged).
    work: BTreeMap<[u8; 32], Vec<Hunk>>,
}

impl Store {
    /// Reads a saved store: `None` when it is of another layout, damaged or foreign
    /// (the checksum is checked before anything is decoded).
    fn decode(bytes: &[u8]) -> Option<Store> {
        let rest = bytes.strip_prefix(CACHE_MAGIC)?;
        let (sum, body) = rest.split_at_checked(32)?;
        (blake3::hash(body).as_bytes() == sum).then(|| postcard::from_bytes(body).ok()).flatten()
    }

    /// The bytes [`Store::decode`] reads back.
    fn encode(&self) -> Option<Vec<u8>> {
        let body = postcard::to_stdvec(self).ok()?;
        let mut out = CACHE_MAGIC.to_vec();
        out.extend_from_slice(blake3::hash(&body).as_bytes());
        out.extend_from_slice(&body);
        Some(out)
    }
}

/// What blame says of a document: per definition line range (1-based, inclusive).
type DocBlame = Vec<((u32, u32), Blamed)>;

/// What blame says of one definition's lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
enum Blamed {
    /// The newest commit that changed them, its committer time and subject.
    Commit(String, i64, String),
    /// Some line holds uncommitted changes.
    Uncommitted,
    /// Blame said nothing of them (it failed, or the lines are past the end).
    Unknown,
}

/// A blake3 key of length-prefixed parts.
fn key_of(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = blake3::Hasher::new();
    h.update(CACHE_MAGIC);
    for p in parts {
        h.update(&(p.len() as u64).to_le_bytes());
        h.update(p);
    }
    *h.finalize().as_bytes()
}

/// The key of a document's blame: the commit `head`, the document's path and text, and
/// the line ranges asked for (sorted).
fn blame_key(head: &str, path: &str, text: &str, ranges: &[(u32, u32)]) -> [u8; 32] {
    let lines: Vec<u8> =
        ranges.iter().flat_map(|&(a, b)| [a.to_le_bytes(), b.to_le_bytes()]).flatten().collect();
    key_of(&[head.as_bytes(), path.as_bytes(), blake3::hash(text.as_bytes()).as_bytes(), &lines])
}

/// The key of a traced file's change since just before `commit`: the commit, the path
/// and the file's text.
fn work_key(commit: &str, path: &str, text: &str) -> [u8; 32] {
    key_of(&[commit.as_bytes(), path.as_bytes(), blake3::hash(text.as_bytes()).as_bytes()])
}

/// The (trace, requirement) pairs the analysis looks at: traces in code citing a
/// requirement resolved to one plan, whose definition has text.
fn pairs(project: &Project) -> Vec<(usize, ReqKey)> {
    let mut out = Vec::new();
    for (t, tr) in project.traces.iter().enumerate() {
        if !tr.in_code() {
            continue;
        }
        for r in &tr.requirements {
            if let Resolution::Resolved { key } = r.resolution {
                let req = &project.plans[key.plan].requirements[key.req];
                if req.shape != DefinitionShape::HeaderList && req.location.line > 0 {
                    out.push((t, key));
                }
            }
        }
    }
    out.sort_unstable_by_key(|&(t, k)| (t, k.plan, k.req));
    out.dedup();
    out
}

/// The 1-based inclusive lines of a requirement's definition in its document.
fn definition_lines(project: &Project, key: ReqKey) -> (u32, u32) {
    let req = &project.plans[key.plan].requirements[key.req];
    let a = req.location.line;
    let n = req.text.lines().count() as u32;
    let b = match req.shape {
        // The heading's text is its section, below the heading line.
        DefinitionShape::Heading => a + n,
        _ => a + n.saturating_sub(1),
    };
    let last = project.document_text.get(&req.location.path).map_or(b, |t| t.lines().count() as u32);
    (a, b.min(last).max(a))
}

/// The lines of a trace: from its first marker to the end of its excerpt.
fn trace_lines(project: &Project, t: usize) -> (u32, u32) {
    let tr = &project.traces[t].trace;
    let (_, end) = tr.excerpt.span();
    (tr.line.min(end), end.max(tr.end_line))
}

/// What blame says of one line: the commit (`None` for an uncommitted line).
#[derive(Debug, Clone)]
struct BlameLine {
    commit: Option<String>,
}

/// A commit's facts from blame's porcelain headers.
#[derive(Debug, Clone, Default)]
struct CommitInfo {
    time: i64,
    subject: String,
}

/// Parses `git blame --porcelain` output: each final line's commit, and each commit's
/// committer time and summary.
fn parse_blame(out: &str) -> (HashMap<u32, BlameLine>, HashMap<String, CommitInfo>) {
    let mut lines = HashMap::new();
    let mut infos: HashMap<String, CommitInfo> = HashMap::new();
    let mut current: Option<String> = None;
    for l in out.lines() {
        if l.starts_with('\t') {
            continue;
        }
        let mut words = l.split(' ');
        let first = words.next().unwrap_or("");
        if first.len() >= 40 && first.bytes().all(|b| b.is_ascii_hexdigit()) {
            let _orig = words.next();
            if let Some(fin) = words.next().and_then(|n| n.parse::<u32>().ok()) {
                let commit = (!first.bytes().all(|b| b == b'0')).then(|| first.to_string());
                lines.insert(fin, BlameLine { commit: commit.clone() });
                current = commit;
            }
            continue;
        }
        let Some(c) = &current else { continue };
        if let Some(t) = l.strip_prefix("committer-time ") {
            infos.entry(c.clone()).or_default().time = t.trim().parse().unwrap_or(0);
        } else if let Some(s) = l.strip_prefix("summary ") {
            infos.entry(c.clone()).or_default().subject = s.to_string();
        }
    }
    (lines, infos)
}

/// One hunk of a `-U0` diff: the old lines removed and the new lines written, with where
/// they sit in the new file (`new_start`, `new_len`; a pure deletion has `new_len` 0 and
/// sits after line `new_start`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Hunk {
    old_len: u32,
    new_start: u32,
    new_len: u32,
    removed: Vec<String>,
    added: Vec<String>,
}

impl Hunk {
    /// Whether the hunk changes any of the lines `a..=b` of the new file (a deletion
    /// between two of them, or right before the first, counts).
    fn touches(&self, a: u32, b: u32) -> bool {
        if self.new_len == 0 {
            self.new_start + 1 >= a && self.new_start <= b
        } else {
            self.new_start <= b && self.new_start + self.new_len > a
        }
    }
}

/// Parses `git diff -U0 --relative` output into hunks per new path. A path git quotes
/// (control characters, quotes) is kept as written, so it matches no file and its
/// traces are treated as changed (nothing is made suspect by a parse gap).
fn parse_diff(out: &str) -> HashMap<String, Vec<Hunk>> {
    let mut files: HashMap<String, Vec<Hunk>> = HashMap::new();
    let mut path: Option<String> = None;
    for l in out.lines() {
        if let Some(p) = l.strip_prefix("+++ ") {
            path = p.strip_prefix("b/").map(str::to_string);
            if let Some(p) = &path {
                files.entry(p.clone()).or_default();
            }
        } else if l.starts_with("--- ") || l.starts_with("diff --git ") {
            continue;
        } else if let Some(rest) = l.strip_prefix("@@ ") {
            let Some(p) = &path else { continue };
            let mut parts = rest.split(' ');
            let old = parts.next().unwrap_or("-0");
            let new = parts.next().unwrap_or("+0");
            let range = |s: &str| -> (u32, u32) {
                let s = &s[1.min(s.len())..];
                match s.split_once(',') {
                    Some((a, n)) => (a.parse().unwrap_or(0), n.parse().unwrap_or(0)),
                    None => (s.parse().unwrap_or(0), 1),
                }
            };
            let (_, old_len) = range(old);
            let (new_start, new_len) = range(new);
            files.entry(p.clone()).or_default().push(Hunk { old_len, new_start, new_len, ..Hunk::default() });
        } else if let Some(h) = path.as_ref().and_then(|p| files.get_mut(p)).and_then(|v| v.last_mut()) {
            if let Some(x) = l.strip_prefix('-') {
                h.removed.push(x.to_string());
            } else if let Some(x) = l.strip_prefix('+') {
                h.added.push(x.to_string());
            }
        }
    }
    files
}

/// Why a git command gave no output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GitError {
    /// It could not be started (a passing condition: the answer is not cached).
    Spawn,
    /// It ran and failed (the same inputs fail the same way: the answer is cached).
    Exit,
}

/// Runs git in one project root, keeping the command lines it ran.
struct Git<'a> {
    root: &'a Path,
    runs: std::sync::Mutex<Vec<String>>,
}

impl Git<'_> {
    /// Runs git with `args`; its standard output.
    fn run(&self, args: &[&str]) -> Result<String, GitError> {
        if let Ok(mut runs) = self.runs.lock() {
            runs.push(args.join(" "));
        }
        let out = git_command(self.root)
            .args(["-c", "core.quotePath=false"])
            .args(args)
            .output()
            .map_err(|_| GitError::Spawn)?;
        if !out.status.success() {
            return Err(GitError::Exit);
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

/// The word diff of two texts: pieces in order, runs of one tag joined.
pub fn word_diff(old: &str, new: &str) -> Vec<(DiffTag, String)> {
    let diff = similar::TextDiff::from_words(old, new);
    let mut out: Vec<(DiffTag, String)> = Vec::new();
    for change in diff.iter_all_changes() {
        let tag = match change.tag() {
            similar::ChangeTag::Equal => DiffTag::Equal,
            similar::ChangeTag::Delete => DiffTag::Delete,
            similar::ChangeTag::Insert => DiffTag::Insert,
        };
        match out.last_mut() {
            Some((t, s)) if *t == tag => s.push_str(change.value()),
            _ => out.push((tag, change.value().to_string())),
        }
    }
    out
}

/// The result of [`analyse`].
#[derive(Debug, Clone)]
pub struct Analysis {
    /// The facts, reviews not applied yet.
    pub facts: Facts,
    /// The cache file to save, when it differs from the one read.
    pub save: Option<Vec<u8>>,
    /// The git command lines run (arguments after `git`), in no set order.
    pub git_runs: Vec<String>,
}

/// Runs the analysis with git for the project at `root` at commit `head`, taking from
/// `cached` (the file an earlier run saved) every piece of git work whose inputs did
/// not change; a damaged or foreign `cached` is ignored.
pub fn analyse(root: &Path, project: &Project, head: &str, cached: Option<&[u8]>) -> Analysis {
    let all = pairs(project);
    let old = cached.and_then(Store::decode).unwrap_or_default();
    let git = Git { root, runs: std::sync::Mutex::new(Vec::new()) };
    let (body, store) = run_git(&git, project, head, &all, &old);
    let save = store.encode().filter(|bytes| cached != Some(bytes.as_slice()));
    // Back from stable identities to indices.
    let mut by_identity: HashMap<(&str, u32, &str, &str), (usize, ReqKey)> = HashMap::new();
    for &(t, k) in &all {
        let tr = &project.traces[t];
        let plan = &project.plans[k.plan];
        by_identity.insert(
            (
                project.files[tr.file].path.as_str(),
                tr.trace.line,
                plan.id.as_str(),
                plan.requirements[k.req].id.as_str(),
            ),
            (t, k),
        );
    }
    let mut suspects: Vec<Suspect> = body
        .suspects
        .iter()
        .filter_map(|c| {
            let &(trace, key) =
                by_identity.get(&(c.file.as_str(), c.line, c.plan.as_str(), c.requirement.as_str()))?;
            Some(Suspect { trace, key, change: c.change, reviewed: None })
        })
        .collect();
    suspects.sort_by_key(|s| (s.trace, s.key.plan, s.key.req));
    let facts = Facts {
        unavailable: None,
        changes: body.changes,
        suspects,
        reviews: Vec::new(),
        uncommitted: body.uncommitted,
        pairs: all.len(),
    };
    let git_runs = git.runs.into_inner().unwrap_or_default();
    Analysis { facts, save, git_runs }
}

/// What blame says of each of `ranges` (1-based inclusive lines of one document): the
/// newest commit of its lines, or uncommitted when any line is.
fn blame_ranges(git: &Git, path: &str, ranges: &[(u32, u32)]) -> Result<DocBlame, GitError> {
    let mut args: Vec<String> = vec!["blame".into(), "-w".into(), "--porcelain".into()];
    args.extend(ranges.iter().map(|(a, b)| format!("-L{a},{b}")));
    args.push("--".into());
    args.push(path.to_string());
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = git.run(&refs);
    if out == Err(GitError::Spawn) {
        return Err(GitError::Spawn);
    }
    let (lines, infos) = out.as_deref().map(parse_blame).unwrap_or_default();
    Ok(ranges
        .iter()
        .map(|&(a, b)| {
            let mut best: Option<(&String, CommitInfo)> = None;
            for n in a..=b {
                match lines.get(&n).map(|l| &l.commit) {
                    Some(Some(c)) => {
                        let info = infos.get(c).cloned().unwrap_or_default();
                        if best.as_ref().is_none_or(|(_, i)| info.time > i.time) {
                            best = Some((c, info));
                        }
                    }
                    Some(None) => return ((a, b), Blamed::Uncommitted),
                    None => {}
                }
            }
            let blamed = best.map_or(Blamed::Unknown, |(c, i)| Blamed::Commit(c.clone(), i.time, i.subject));
            ((a, b), blamed)
        })
        .collect())
}

/// Runs `git diff -U0` of `from` (and `to`, or the work tree) over `paths`, 400 at a
/// time; the hunks of each path (empty when it did not change).
fn diff_paths(git: &Git, from: &str, to: Option<&str>, paths: &[&str]) -> Result<Vec<Vec<Hunk>>, GitError> {
    let mut touched: HashMap<String, Vec<Hunk>> = HashMap::new();
    for chunk in paths.chunks(400) {
        let mut args = vec!["diff", "-U0", "--no-color", "--no-ext-diff", "--relative", from];
        args.extend(to);
        args.push("--");
        args.extend(chunk.iter().copied());
        touched.extend(parse_diff(&git.run(&args)?));
    }
    Ok(paths.iter().map(|p| touched.remove(*p).unwrap_or_default()).collect())
}

/// What the git work of one rewording commit gives: the suspects it makes, and the
/// cache entries it used or made.
#[derive(Default)]
struct CommitWork {
    found: Vec<(usize, ReqKey, Change)>,
    parent: Option<bool>,
    own: Vec<((String, String), Vec<Hunk>)>,
    work: Vec<([u8; 32], Vec<Hunk>)>,
}

/// The git work of [`analyse`], taking what it can from `old`; the facts, and the
/// cache of the entries used.
fn run_git(
    git: &Git,
    project: &Project,
    head: &str,
    all: &[(usize, ReqKey)],
    old: &Store,
) -> (GitFacts, Store) {
    let mut store = Store::default();
    // 1. Blame each requirement document on the definitions cited by code.
    let mut by_doc: BTreeMap<&str, Vec<ReqKey>> = BTreeMap::new();
    for &(_, k) in all {
        let path = project.plans[k.plan].requirements[k.req].location.path.as_str();
        let keys = by_doc.entry(path).or_default();
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    let blamed: Vec<(&Vec<ReqKey>, [u8; 32], Option<DocBlame>)> = by_doc
        .par_iter()
        .map(|(path, keys)| {
            let mut ranges: Vec<(u32, u32)> = keys.iter().map(|&k| definition_lines(project, k)).collect();
            ranges.sort_unstable();
            ranges.dedup();
            let text = project.document_text.get(*path).map_or("", String::as_str);
            let key = blame_key(head, path, text, &ranges);
            let found = match old.blames.get(&key) {
                Some(hit) => Some(hit.clone()),
                None => blame_ranges(git, path, &ranges).ok(),
            };
            (keys, key, found)
        })
        .collect();
    let mut changed_in: HashMap<ReqKey, (String, CommitInfo)> = HashMap::new();
    let mut uncommitted = 0;
    for (keys, key, found) in blamed {
        let Some(found) = found else { continue };
        for &k in keys {
            let range = definition_lines(project, k);
            match found.iter().find(|(r, _)| *r == range).map(|(_, b)| b) {
                Some(Blamed::Commit(c, time, subject)) => {
                    changed_in.insert(k, (c.clone(), CommitInfo { time: *time, subject: subject.clone() }));
                }
                Some(Blamed::Uncommitted) => uncommitted += 1,
                Some(Blamed::Unknown) | None => {}
            }
        }
        store.blames.insert(key, found);
    }
    // 2. Per rewording commit: did the traced lines change from just before it to now?
    let mut by_commit: BTreeMap<&str, Vec<(usize, ReqKey)>> = BTreeMap::new();
    for &(t, k) in all {
        if let Some((c, _)) = changed_in.get(&k) {
            by_commit.entry(c.as_str()).or_default().push((t, k));
        }
    }
    let results: Vec<CommitWork> = by_commit
        .par_iter()
        .map(|(commit, list)| {
            let mut work = CommitWork::default();
            let parent = format!("{commit}^");
            let has_parent = match old.parents.get(*commit) {
                Some(&p) => Some(p),
                None => match git.run(&["rev-parse", "--verify", "-q", &format!("{parent}^{{commit}}")]) {
                    Err(GitError::Spawn) => None,
                    ran => Some(ran.is_ok()),
                },
            };
            work.parent = has_parent;
            if has_parent != Some(true) {
                // The root commit wrote everything: nothing was reworded.
                return work;
            }
            // The traced files' change since just before the commit: only those whose
            // text is not in the cache are diffed.
            let mut files: Vec<usize> = list.iter().map(|&(t, _)| project.traces[t].file).collect();
            files.sort_unstable_by(|&a, &b| project.files[a].path.cmp(&project.files[b].path));
            files.dedup();
            let mut touched: HashMap<&str, Vec<Hunk>> = HashMap::new();
            let mut missing: Vec<(&str, [u8; 32])> = Vec::new();
            for &f in &files {
                let file = &project.files[f];
                let key = work_key(commit, &file.path, &file.text.unpack());
                match old.work.get(&key) {
                    Some(hunks) => {
                        touched.insert(&file.path, hunks.clone());
                        work.work.push((key, hunks.clone()));
                    }
                    None => missing.push((&file.path, key)),
                }
            }
            if !missing.is_empty() {
                let paths: Vec<&str> = missing.iter().map(|(p, _)| *p).collect();
                let Ok(diffed) = diff_paths(git, &parent, None, &paths) else { return work };
                for ((path, key), mut hunks) in missing.into_iter().zip(diffed) {
                    // Only where the new lines are is needed.
                    for h in &mut hunks {
                        h.removed = Vec::new();
                        h.added = Vec::new();
                    }
                    touched.insert(path, hunks.clone());
                    work.work.push((key, hunks));
                }
            }
            // The commit's own change of each definition: a rewording, or the
            // requirement written there?
            let mut docs: Vec<&str> = list
                .iter()
                .map(|&(_, k)| project.plans[k.plan].requirements[k.req].location.path.as_str())
                .collect();
            docs.sort_unstable();
            docs.dedup();
            let mut own: HashMap<&str, Vec<Hunk>> = HashMap::new();
            let mut missing: Vec<&str> = Vec::new();
            for doc in docs {
                match old.own.get(&(commit.to_string(), doc.to_string())) {
                    Some(hunks) => {
                        own.insert(doc, hunks.clone());
                    }
                    None => missing.push(doc),
                }
            }
            if !missing.is_empty() {
                let Ok(diffed) = diff_paths(git, &parent, Some(commit), &missing) else { return work };
                own.extend(missing.into_iter().zip(diffed));
            }
            work.own = own
                .iter()
                .map(|(doc, hunks)| ((commit.to_string(), doc.to_string()), hunks.clone()))
                .collect();
            let info =
                changed_in.values().find(|(c, _)| c == commit).map(|(_, i)| i.clone()).unwrap_or_default();
            let mut change_of: HashMap<ReqKey, Option<Change>> = HashMap::new();
            for &(t, k) in list {
                let (a, b) = trace_lines(project, t);
                let path = &project.files[project.traces[t].file].path;
                let code_changed =
                    touched.get(path.as_str()).is_some_and(|hs| hs.iter().any(|h| h.touches(a, b)));
                if code_changed {
                    continue;
                }
                let change = change_of
                    .entry(k)
                    .or_insert_with(|| {
                        let req = &project.plans[k.plan].requirements[k.req];
                        let (da, db) = definition_lines(project, k);
                        let hunks: Vec<&Hunk> = own
                            .get(req.location.path.as_str())
                            .map(|hs| hs.iter().filter(|h| h.new_len > 0 && h.touches(da, db)).collect())
                            .unwrap_or_default();
                        // Written, not reworded: the hunk holding the ID line replaced nothing.
                        let id_hunk = hunks.iter().find(|h| h.touches(da, da));
                        if hunks.is_empty() || id_hunk.is_some_and(|h| h.old_len == 0) {
                            return None;
                        }
                        let old = hunks
                            .iter()
                            .flat_map(|h| h.removed.iter().cloned())
                            .collect::<Vec<_>>()
                            .join("\n");
                        let new =
                            hunks.iter().flat_map(|h| h.added.iter().cloned()).collect::<Vec<_>>().join("\n");
                        Some(Change {
                            commit: commit.to_string(),
                            time: info.time,
                            date: utc_date(info.time),
                            subject: info.subject.clone(),
                            diff: word_diff(&old, &new),
                            old,
                            new,
                        })
                    })
                    .clone();
                if let Some(c) = change {
                    work.found.push((t, k, c));
                }
            }
            work
        })
        .collect();
    let mut changes: Vec<Change> = Vec::new();
    let mut index: HashMap<(String, ReqKey), usize> = HashMap::new();
    let mut suspects = Vec::new();
    for (commit, work) in by_commit.keys().zip(results) {
        if let Some(p) = work.parent {
            store.parents.insert(commit.to_string(), p);
        }
        store.own.extend(work.own);
        store.work.extend(work.work);
        for (t, k, c) in work.found {
            let i = *index.entry((c.commit.clone(), k)).or_insert_with(|| {
                changes.push(c.clone());
                changes.len() - 1
            });
            let tr = &project.traces[t];
            let plan = &project.plans[k.plan];
            suspects.push(Found {
                file: project.files[tr.file].path.clone(),
                line: tr.trace.line,
                plan: plan.id.clone(),
                requirement: plan.requirements[k.req].id.clone(),
                change: i,
            });
        }
    }
    (GitFacts { changes, suspects, uncommitted }, store)
}

/// `YYYY-MM-DD` (UTC) of Unix seconds (negative: 1970-01-01).
pub fn utc_date(secs: i64) -> String {
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs.max(0) as u64);
    humantime::format_rfc3339_seconds(t).to_string().chars().take(10).collect()
}

/// Applies the reviews to `facts` and adds a `suspect-trace` finding for each suspect
/// trace no review clears (at the marker citing the requirement).
pub fn apply(project: &mut Project, mut facts: Facts, reviews: Reviews) {
    facts.reviews = reviews.review;
    let lookup = Reviews { review: facts.reviews.clone() };
    for s in &mut facts.suspects {
        let plan = &project.plans[s.key.plan];
        let req = &plan.requirements[s.key.req];
        let hash = text_hash(&req.text);
        s.reviewed =
            lookup.find(&plan.id, &req.id, &hash).and_then(|r| facts.reviews.iter().position(|x| x == r));
    }
    for s in facts.suspects.iter().filter(|s| s.reviewed.is_none()) {
        let tr = &project.traces[s.trace];
        let plan = &project.plans[s.key.plan];
        let req = &plan.requirements[s.key.req];
        let c = &facts.changes[s.change];
        let at = tr.trace.requirements.iter().position(|r| r == &req.id).map_or(tr.trace.line, |i| {
            crate::source::ValueLines::at(&tr.trace.lines.requirements, i, tr.trace.line)
        });
        let short: String = c.commit.chars().take(12).collect();
        project.diagnostics.push(
            Diagnostic::warning(
                Code::SuspectTrace,
                &project.files[tr.file].path,
                at,
                format!(
                    "suspect trace: {} ({}) was reworded in commit {short} ({}, “{}”) after these lines last changed",
                    req.id, plan.id, c.date, c.subject
                ),
            )
            .with_help(format!(
                "check that the code still meets the new text (shown on the requirement's page), then change the code or record a review: `tracemark review {} --plan {}`",
                req.id, plan.id
            )),
        );
    }
    project.diagnostics.sort();
    project.diagnostics.dedup();
    project.summary.diagnostics = project.diagnostics.len();
    project.suspects = Some(facts);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blame_porcelain_gives_each_line_its_commit() {
        let a = "a".repeat(40);
        let out = format!(
            "{a} 3 7 2\nauthor Ada\ncommitter-time 1700000000\nsummary Reword the rule\nfilename s.md\n\tline seven\n{a} 4 8\n\tline eight\n{z} 9 9 1\ncommitter-time 1800000000\nsummary Not Committed Yet\n\tdirty\n",
            z = "0".repeat(40)
        );
        let (lines, infos) = parse_blame(&out);
        assert_eq!(lines[&7].commit.as_deref(), Some(a.as_str()));
        assert_eq!(lines[&8].commit.as_deref(), Some(a.as_str()));
        assert_eq!(lines[&9].commit, None, "an uncommitted line has no commit");
        assert_eq!(infos[&a].time, 1_700_000_000);
        assert_eq!(infos[&a].subject, "Reword the rule");
    }

    #[test]
    fn diff_hunks_and_what_they_touch() {
        let out = "diff --git a/src/a.ts b/src/a.ts\n--- a/src/a.ts\n+++ b/src/a.ts\n@@ -3,2 +3,3 @@ fn\n-old one\n-old two\n+new one\n+new two\n+new three\n@@ -10 +11,0 @@\n-gone\n";
        let files = parse_diff(out);
        let hs = &files["src/a.ts"];
        assert_eq!(hs.len(), 2);
        assert_eq!((hs[0].old_len, hs[0].new_start, hs[0].new_len), (2, 3, 3));
        assert_eq!(hs[0].removed, ["old one", "old two"]);
        assert_eq!(hs[0].added, ["new one", "new two", "new three"]);
        assert!(hs[0].touches(5, 9) && hs[0].touches(1, 3) && !hs[0].touches(6, 10));
        // A deletion after line 11 touches 11..=12 but not 13 on.
        assert!(hs[1].touches(12, 20) && hs[1].touches(5, 11) && !hs[1].touches(13, 20));
        let new_file = parse_diff("--- /dev/null\n+++ b/n.ts\n@@ -0,0 +1 @@\n+x\n");
        assert!(new_file["n.ts"][0].touches(1, 1));
    }

    #[test]
    fn word_diffs_and_text_hashes() {
        let (old, new) = ("The widget shall glow.", "The widget shall glow brightly.");
        let d = word_diff(old, new);
        let side = |keep: DiffTag| {
            d.iter()
                .filter(|(t, _)| *t == DiffTag::Equal || *t == keep)
                .map(|(_, s)| s.as_str())
                .collect::<String>()
        };
        assert_eq!(side(DiffTag::Delete), old);
        assert_eq!(side(DiffTag::Insert), new);
        assert!(d.iter().any(|(t, s)| *t == DiffTag::Insert && s.contains("brightly")), "{d:?}");
        assert!(d.iter().any(|(t, s)| *t == DiffTag::Equal && s.contains("widget")), "{d:?}");
        assert_eq!(text_hash("a  b\nc"), text_hash("a b c"), "wrapping is no change");
        assert_ne!(text_hash("a b"), text_hash("a c"));
    }

    #[test]
    fn reviews_round_trip_and_replace() {
        let mut r = Reviews::default();
        let review = |plan: &str, hash: &str| Review {
            requirement: "REQ-1".into(),
            plan: plan.into(),
            text_sha256: hash.into(),
            reviewer: "Ada".into(),
            date: "2026-01-01".into(),
        };
        r.record(review("PLAN-B", "h1"));
        r.record(review("PLAN-A", "h1"));
        r.record(review("PLAN-A", "h2"));
        assert_eq!(r.review.len(), 2);
        assert_eq!(r.review[0].plan, "PLAN-A");
        let back: Reviews = toml::from_str(&r.to_toml()).unwrap();
        assert_eq!(back, r);
        assert!(back.find("PLAN-A", "REQ-1", "h2").is_some());
        assert!(back.find("PLAN-A", "REQ-1", "h1").is_none(), "replaced");
    }
}

#[cfg(test)]
mod cache_tests {
    //! The cache of the git work, on a repository made in a temporary folder.

    use super::*;
    use std::process::Command;

    const SPEC: &str = "project-plans/lamp/specification.md";

    fn spec(glow: &str, dim: &str) -> String {
        format!(
            "# Lamp\n\nPlan ID: PLAN-20250101-LAMP\n\n## Requirements\n\n- **REQ-L-001**: {glow}\n- **REQ-L-002**: {dim}\n"
        )
    }

    fn git_at(dir: &Path, date: &str, args: &[&str]) {
        let o = Command::new("git")
            .args(args)
            .current_dir(dir)
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "Ada")
            .env("GIT_AUTHOR_EMAIL", "ada@example.org")
            .env("GIT_COMMITTER_NAME", "Ada")
            .env("GIT_COMMITTER_EMAIL", "ada@example.org")
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date)
            .output()
            .expect("git runs");
        assert!(o.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&o.stderr));
    }

    fn write(root: &Path, rel: &str, text: &str) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn commit(root: &Path, date: &str, message: &str) {
        git_at(root, date, &["add", "-A"]);
        git_at(root, date, &["-c", "commit.gpgsign=false", "commit", "-q", "-m", message]);
    }

    /// REQ-L-001 and REQ-L-002 written with their code, then REQ-L-001 reworded.
    fn repository() -> (tempfile::TempDir, std::path::PathBuf) {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("repo");
        std::fs::create_dir_all(&root).unwrap();
        git_at(&root, "2025-01-01T00:00:00Z", &["init", "-q", "-b", "main"]);
        write(&root, ".gitignore", ".tracemark-cache/\n");
        write(&root, SPEC, &spec("The lamp shall glow.", "The lamp shall dim."));
        for (file, req) in [("src/glow.ts", "REQ-L-001"), ("src/dim.ts", "REQ-L-002")] {
            write(
                &root,
                file,
                &format!(
                    "// @plan:PLAN-20250101-LAMP @requirement:{req}\nexport function f() {{\n  return 1;\n}}\n"
                ),
            );
        }
        commit(&root, "2025-01-01T09:00:00Z", "Lamp");
        write(&root, SPEC, &spec("The lamp shall glow brightly.", "The lamp shall dim."));
        commit(&root, "2025-02-01T09:00:00Z", "Reword the glow");
        (tmp, root)
    }

    /// The project at `root` and its HEAD commit.
    fn project(root: &Path) -> (Project, String) {
        let out = root.parent().unwrap().join("out");
        let config = crate::config::Config::load(root, Some(&out)).unwrap();
        let project = crate::site::analyse(&config, &mut crate::site::Timings::default()).unwrap();
        let head = git_command(root).args(["rev-parse", "HEAD"]).output().unwrap();
        (project, String::from_utf8_lossy(&head.stdout).trim().to_string())
    }

    fn suspect_files(project: &Project, facts: &Facts) -> Vec<String> {
        facts.suspects.iter().map(|s| project.files[project.traces[s.trace].file].path.clone()).collect()
    }

    fn append(root: &Path, rel: &str, line: &str) {
        let mut text = std::fs::read_to_string(root.join(rel)).unwrap();
        text.push_str(line);
        write(root, rel, &text);
    }

    #[test]
    fn a_warm_cache_runs_no_git_and_an_edit_reruns_only_that_file() {
        let (_tmp, root) = repository();
        let (p, head) = project(&root);
        let cold = analyse(&root, &p, &head, None);
        assert_eq!(suspect_files(&p, &cold.facts), ["src/glow.ts"]);
        assert!(cold.git_runs.len() >= 3, "blame, parent, diffs: {:?}", cold.git_runs);
        let saved = cold.save.clone().expect("a cache to save");
        let warm = analyse(&root, &p, &head, Some(&saved));
        assert_eq!(warm.facts, cold.facts);
        assert!(warm.git_runs.is_empty(), "{:?}", warm.git_runs);
        assert_eq!(warm.save, None, "nothing new to save");
        // A traced file edited below its trace: only its diff runs again.
        append(&root, "src/glow.ts", "// a note\n");
        let (p2, _) = project(&root);
        let edited = analyse(&root, &p2, &head, Some(&saved));
        assert_eq!(edited.facts, analyse(&root, &p2, &head, None).facts);
        assert_eq!(suspect_files(&p2, &edited.facts), ["src/glow.ts"]);
        assert_eq!(edited.git_runs.len(), 1, "{:?}", edited.git_runs);
        assert!(edited.git_runs[0].starts_with("diff ") && edited.git_runs[0].ends_with("-- src/glow.ts"));
        // Touching the traced lines clears it, again with one diff.
        let text = std::fs::read_to_string(root.join("src/glow.ts")).unwrap();
        write(&root, "src/glow.ts", &text.replace("return 1", "return 2"));
        let (p3, _) = project(&root);
        let touched = analyse(&root, &p3, &head, edited.save.as_deref());
        assert!(touched.facts.suspects.is_empty(), "{:?}", touched.facts);
        assert_eq!(touched.git_runs.len(), 1, "{:?}", touched.git_runs);
        // Entries no longer used are dropped: the saved cache holds one work-tree entry.
        let store = Store::decode(touched.save.as_deref().unwrap()).unwrap();
        assert_eq!(store.work.len(), 1);
    }

    #[test]
    fn a_rewording_after_a_warm_cache_makes_its_traces_suspect() {
        let (_tmp, root) = repository();
        let (p, head) = project(&root);
        let saved = analyse(&root, &p, &head, None).save.unwrap();
        // Reworded but not committed: not analysed, counted.
        write(&root, SPEC, &spec("The lamp shall glow brightly.", "The lamp shall dim slowly."));
        let (p2, _) = project(&root);
        let dirty = analyse(&root, &p2, &head, Some(&saved));
        assert_eq!(dirty.facts.uncommitted, 1);
        assert_eq!(suspect_files(&p2, &dirty.facts), ["src/glow.ts"]);
        commit(&root, "2025-03-01T09:00:00Z", "Reword the dim");
        let (p3, head3) = project(&root);
        let warm = analyse(&root, &p3, &head3, dirty.save.as_deref());
        assert_eq!(suspect_files(&p3, &warm.facts), ["src/dim.ts", "src/glow.ts"]);
        assert_eq!(warm.facts, analyse(&root, &p3, &head3, None).facts);
        let dim =
            warm.facts.changes.iter().find(|c| c.subject == "Reword the dim").expect("the new rewording");
        assert_eq!(dim.new, "- **REQ-L-002**: The lamp shall dim slowly.");
        // The rewording commit of REQ-L-001 is unchanged: its diffs come from the cache.
        assert!(!warm.git_runs.iter().any(|r| r.contains("src/glow.ts")), "{:?}", warm.git_runs);
    }

    #[test]
    fn a_damaged_cache_is_a_miss() {
        let (_tmp, root) = repository();
        let (p, head) = project(&root);
        let cold = analyse(&root, &p, &head, None);
        let saved = cold.save.clone().unwrap();
        let mut flipped = saved.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 0x40;
        let foreign = [b"tracemark-suspect-1\n".as_slice(), &saved[CACHE_MAGIC.len()..]].concat();
        for bad in
            [flipped, saved[..saved.len() / 2].to_vec(), b"\xff\x00garbage".to_vec(), Vec::new(), foreign]
        {
            let run = analyse(&root, &p, &head, Some(&bad));
            assert_eq!(run.facts, cold.facts);
            assert_eq!(run.git_runs.len(), cold.git_runs.len(), "all of the git work again");
            assert_eq!(run.save.as_deref(), Some(saved.as_slice()), "replaced by a sound file");
        }
    }
}
