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
//! The result of the git work is cached per commit and inputs ([`cache_key`]), so a
//! rebuild with nothing changed runs no git command.

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

/// The layout version of a cache entry.
const CACHE_VERSION: &str = "tracemark-suspect-1";

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

/// One suspect as cached: by stable identity, not by index.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Cached {
    file: String,
    line: u32,
    plan: String,
    requirement: String,
    change: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct CacheBody {
    changes: Vec<Change>,
    suspects: Vec<Cached>,
    uncommitted: usize,
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

/// The cache key of the analysis: the commit, and every input it reads — the pairs
/// (`all`, as [`pairs`] gives them), the lines of each trace and definition, and the text
/// of each file involved.
fn cache_key(project: &Project, all: &[(usize, ReqKey)], head: &str) -> String {
    let mut h = blake3::Hasher::new();
    h.update(CACHE_VERSION.as_bytes());
    h.update(head.as_bytes());
    let mut files: BTreeMap<&str, Option<&str>> = BTreeMap::new();
    for &(t, key) in all {
        let f = project.traces[t].file;
        let file = &project.files[f];
        let req = &project.plans[key.plan].requirements[key.req];
        let (a, b) = trace_lines(project, t);
        let (c, d) = definition_lines(project, key);
        for part in [file.path.as_str(), &project.plans[key.plan].id, &req.id, &req.location.path] {
            h.update(&(part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
        for n in [a, b, c, d] {
            h.update(&n.to_le_bytes());
        }
        files.insert(&file.path, Some(&file.text));
        files.insert(&req.location.path, project.document_text.get(&req.location.path).map(String::as_str));
    }
    for (path, text) in files {
        h.update(path.as_bytes());
        h.update(blake3::hash(text.unwrap_or("").as_bytes()).as_bytes());
    }
    h.finalize().to_hex().to_string()
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
#[derive(Debug, Clone, Default, PartialEq, Eq)]
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

/// Runs git in `root`; standard output, or `None` when git fails.
fn git(root: &Path, args: &[&str]) -> Option<String> {
    let out = git_command(root).args(["-c", "core.quotePath=false"]).args(args).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
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

/// Runs the analysis with git for the project at `root` at commit `head`, or takes it
/// from `cached` (an entry written by an earlier run with the same [`cache_key`]).
/// Returns the facts (reviews not applied yet) and the entry to cache when git ran.
pub fn analyse(
    root: &Path,
    project: &Project,
    head: &str,
    cached: Option<&[u8]>,
) -> (Facts, Option<Vec<u8>>) {
    let all = pairs(project);
    let key = cache_key(project, &all, head);
    let from_cache = cached.and_then(|c| {
        let text = std::str::from_utf8(c).ok()?;
        let (k, body) = text.split_once('\n')?;
        (k == key).then(|| serde_json::from_str::<CacheBody>(body).ok()).flatten()
    });
    let (body, entry) = match from_cache {
        Some(body) => (body, None),
        None => {
            let body = run_git(root, project, &all);
            let entry = serde_json::to_string(&body).ok().map(|json| format!("{key}\n{json}").into_bytes());
            (body, entry)
        }
    };
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
    (facts, entry)
}

/// A requirement and the commit that last changed its definition, with that commit's
/// facts; `None` when no line of it is committed or some line holds uncommitted changes.
type Newest = (ReqKey, Option<(String, CommitInfo)>);

/// The git work of [`analyse`].
fn run_git(root: &Path, project: &Project, all: &[(usize, ReqKey)]) -> CacheBody {
    // 1. Blame each requirement document on the definitions cited by code.
    let mut by_doc: BTreeMap<&str, Vec<ReqKey>> = BTreeMap::new();
    for &(_, k) in all {
        let path = project.plans[k.plan].requirements[k.req].location.path.as_str();
        let keys = by_doc.entry(path).or_default();
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    let blamed: Vec<(Vec<Newest>, usize)> = by_doc
        .par_iter()
        .map(|(path, keys)| {
            let mut args: Vec<String> = vec!["blame".into(), "-w".into(), "--porcelain".into()];
            for &k in keys {
                let (a, b) = definition_lines(project, k);
                args.push(format!("-L{a},{b}"));
            }
            args.push("--".into());
            args.push((*path).to_string());
            let refs: Vec<&str> = args.iter().map(String::as_str).collect();
            let Some(out) = git(root, &refs) else { return (Vec::new(), 0) };
            let (lines, infos) = parse_blame(&out);
            let mut uncommitted = 0;
            let newest = keys
                .iter()
                .map(|&k| {
                    let (a, b) = definition_lines(project, k);
                    let mut best: Option<(String, CommitInfo)> = None;
                    let mut dirty = false;
                    for n in a..=b {
                        match lines.get(&n).map(|l| &l.commit) {
                            Some(Some(c)) => {
                                let info = infos.get(c).cloned().unwrap_or_default();
                                if best.as_ref().is_none_or(|(_, i)| info.time > i.time) {
                                    best = Some((c.clone(), info));
                                }
                            }
                            Some(None) => dirty = true,
                            None => {}
                        }
                    }
                    if dirty {
                        uncommitted += 1;
                        return (k, None);
                    }
                    (k, best)
                })
                .collect();
            (newest, uncommitted)
        })
        .collect();
    let mut changed_in: HashMap<ReqKey, (String, CommitInfo)> = HashMap::new();
    let mut uncommitted = 0;
    for (list, n) in blamed {
        uncommitted += n;
        for (k, best) in list {
            if let Some(b) = best {
                changed_in.insert(k, b);
            }
        }
    }
    // 2. Per rewording commit: did the traced lines change from just before it to now?
    let mut by_commit: BTreeMap<&str, Vec<(usize, ReqKey)>> = BTreeMap::new();
    for &(t, k) in all {
        if let Some((c, _)) = changed_in.get(&k) {
            by_commit.entry(c.as_str()).or_default().push((t, k));
        }
    }
    let results: Vec<Vec<(usize, ReqKey, Change)>> = by_commit
        .par_iter()
        .map(|(commit, list)| {
            let parent = format!("{commit}^");
            if git(root, &["rev-parse", "--verify", "-q", &format!("{parent}^{{commit}}")]).is_none() {
                // The root commit wrote everything: nothing was reworded.
                return Vec::new();
            }
            let mut files: Vec<&str> =
                list.iter().map(|&(t, _)| project.files[project.traces[t].file].path.as_str()).collect();
            files.sort_unstable();
            files.dedup();
            let mut touched: HashMap<String, Vec<Hunk>> = HashMap::new();
            for chunk in files.chunks(400) {
                let mut args =
                    vec!["diff", "-U0", "--no-color", "--no-ext-diff", "--relative", &parent, "--"];
                args.extend(chunk.iter().copied());
                match git(root, &args) {
                    Some(out) => touched.extend(parse_diff(&out)),
                    None => return Vec::new(),
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
            let mut args =
                vec!["diff", "-U0", "--no-color", "--no-ext-diff", "--relative", &parent, commit, "--"];
            args.extend(docs.iter().copied());
            let Some(own) = git(root, &args).map(|o| parse_diff(&o)) else { return Vec::new() };
            let info =
                changed_in.values().find(|(c, _)| c == commit).map(|(_, i)| i.clone()).unwrap_or_default();
            let mut out = Vec::new();
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
                    out.push((t, k, c));
                }
            }
            out
        })
        .collect();
    let mut changes: Vec<Change> = Vec::new();
    let mut index: HashMap<(String, ReqKey), usize> = HashMap::new();
    let mut suspects = Vec::new();
    for (t, k, c) in results.into_iter().flatten() {
        let i = *index.entry((c.commit.clone(), k)).or_insert_with(|| {
            changes.push(c.clone());
            changes.len() - 1
        });
        let tr = &project.traces[t];
        let plan = &project.plans[k.plan];
        suspects.push(Cached {
            file: project.files[tr.file].path.clone(),
            line: tr.trace.line,
            plan: plan.id.clone(),
            requirement: plan.requirements[k.req].id.clone(),
            change: i,
        });
    }
    CacheBody { changes, suspects, uncommitted }
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
