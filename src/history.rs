//! Git history for the onboarding pages: when each plan's folder was first and last
//! changed (the plan timeline) and which plans shaped each source file (a source page's
//! history), read with one `git log` and reduced to [`Facts`].
//!
//! A plan *shaped* a file when a marker in the file names it (evidence
//! [`Evidence::Marker`]), when a commit changed the file together with documents of the
//! plan's folder ([`Evidence::SameCommit`]), or when a commit that changed the file names
//! the plan's ID in its message ([`Evidence::CommitMessage`]). Commits too broad to say
//! anything (more than [`MAX_PLANS_PER_COMMIT`] plan folders or more than
//! [`MAX_FILES_PER_COMMIT`] files) count for the plans' dates, not for files. Merge
//! commits are skipped (their branches' commits carry the changes); renames are not
//! followed, so a file's or folder's history starts where it got its current path.

use crate::model::Project;
use crate::provenance::git_command;
use serde::Serialize;
use std::collections::HashMap;
use std::path::Path;

/// A commit touching more plan folders than this says nothing about which plan shaped
/// its other files (a reorganisation of the plans, a formatting sweep).
pub const MAX_PLANS_PER_COMMIT: usize = 3;

/// A commit changing more files than this says nothing about which plan shaped them.
pub const MAX_FILES_PER_COMMIT: usize = 300;

/// A plan whose ID date is further than this from its folder's first commit gets its
/// ID date flagged on the timeline (days).
pub const ID_DATE_TOLERANCE_DAYS: i64 = 30;

/// The `git log` format: a record separator, then the commit ID, author time (Unix
/// seconds), author date (`YYYY-MM-DD`) and the message, separated by unit separators;
/// `-z --name-status` then lists the changes, each field ended by NUL (`M\0path\0`,
/// `R100\0old\0new\0`).
const FORMAT: &str = "--format=%x1e%H%x1f%at%x1f%as%x1f%B";

/// The version of the cached log's layout: a change of [`FORMAT`] or of the arguments
/// changes it, so an old cache is never parsed as a new one.
const CACHE_VERSION: &str = "tracemark-history-2";

/// One commit of the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    /// The full commit ID.
    pub id: String,
    /// The author time, Unix seconds.
    pub time: i64,
    /// The author date, `YYYY-MM-DD`.
    pub date: String,
    /// The whole message.
    pub message: String,
    /// The changed paths, relative to the project root, `/`-separated; a renamed file
    /// by its new path. After [`follow_renames`], every path is the file's path today.
    pub files: Vec<String>,
    /// The renames of the commit: (old path, new path).
    pub renames: Vec<(String, String)>,
}

impl Commit {
    /// The message's first line.
    pub fn subject(&self) -> &str {
        self.message.lines().next().unwrap_or("").trim()
    }
}

/// Parses `git log -z --name-status --format=…` output ([`FORMAT`]): commits newest
/// first, as git lists them. A record that does not have the expected fields is skipped
/// (git wrote it, so this happens only to a damaged cache, which is checked before).
pub fn parse(log: &str) -> Vec<Commit> {
    let mut commits = Vec::new();
    for record in log.split('\u{1e}').filter(|r| !r.is_empty()) {
        // The header ends at the first NUL; the changes follow after a line break.
        let (header, changes) = record.split_once('\0').unwrap_or((record, ""));
        let mut fields = header.splitn(4, '\u{1f}');
        let (Some(id), Some(time), Some(date), message) =
            (fields.next(), fields.next(), fields.next(), fields.next().unwrap_or(""))
        else {
            continue;
        };
        let Ok(time) = time.trim().parse::<i64>() else { continue };
        let mut files = Vec::new();
        let mut renames = Vec::new();
        let mut tokens = changes.split('\0').map(|t| t.trim_start_matches('\n')).filter(|t| !t.is_empty());
        while let Some(status) = tokens.next() {
            let Some(path) = tokens.next() else { break };
            match status.as_bytes().first() {
                Some(b'R') | Some(b'C') => {
                    let Some(new) = tokens.next() else { break };
                    if status.starts_with('R') {
                        renames.push((path.to_string(), new.to_string()));
                    }
                    files.push(new.to_string());
                }
                _ => files.push(path.to_string()),
            }
        }
        commits.push(Commit {
            id: id.trim().to_string(),
            time,
            date: date.trim().to_string(),
            message: message.trim_end().to_string(),
            files,
            renames,
        });
    }
    commits
}

/// Rewrites every path of `log` (newest first) to the path its file has today, following
/// renames back in time: before a commit that renamed `a` to `b`, `a` is the file known
/// today by `b`'s name (or by whatever `b` was renamed to later). A path that a later
/// file reused after a rename is told apart by the commit order.
pub fn follow_renames(log: &mut [Commit]) {
    let mut today: HashMap<String, String> = HashMap::new();
    for c in log.iter_mut() {
        for f in &mut c.files {
            if let Some(t) = today.get(f.as_str()) {
                *f = t.clone();
            }
        }
        for (old, new) in &c.renames {
            let current = today.get(new.as_str()).cloned().unwrap_or_else(|| new.clone());
            today.insert(old.clone(), current);
        }
    }
}

/// What was read from git, or why nothing was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum Source {
    /// The log of the commit the site shows.
    Read {
        /// Commits read (merges not counted).
        commits: usize,
        /// The clone is shallow: the oldest commits are missing, so first dates may be
        /// later than they were.
        shallow: bool,
    },
    /// No history: not a git checkout, git missing or failing (the reason says which).
    Unavailable {
        /// Why, for people.
        reason: String,
    },
}

/// The log of one commit as [`read_log`] gives it.
pub struct Log {
    /// The commits, newest first, paths followed through renames ([`follow_renames`]).
    pub commits: Vec<Commit>,
    /// The clone is shallow.
    pub shallow: bool,
    /// The bytes to cache, when the log was read from git (not from the cache).
    pub entry: Option<Vec<u8>>,
}

/// Reads the log of commit `head` (the commit the site shows) for the project at `root`:
/// paths relative to it, only the commits that changed something under it, from `cache`
/// when it holds an intact entry for `head`.
///
/// Errors: a sentence for people when git cannot give the log.
pub fn read_log(root: &Path, head: &str, cache: Option<&[u8]>) -> Result<Log, String> {
    if let Some(log) = cache.and_then(|c| cached_log(c, head)) {
        let mut commits = parse(&log[1..]);
        follow_renames(&mut commits);
        return Ok(Log { commits, shallow: log.starts_with('S'), entry: None });
    }
    let shallow = git_command(root)
        .args(["rev-parse", "--is-shallow-repository"])
        .output()
        .is_ok_and(|o| o.status.success() && o.stdout.starts_with(b"true"));
    let out = git_command(root)
        .args([
            "-c",
            "core.quotePath=false",
            "log",
            "-z",
            "--no-merges",
            "-M",
            "--relative",
            "--name-status",
            FORMAT,
            head,
            "--",
            ".",
        ])
        .output()
        .map_err(|e| format!("git could not be started ({e})"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(format!("`git log` failed: {}", err.lines().next().unwrap_or("").trim()));
    }
    let log = String::from_utf8_lossy(&out.stdout).into_owned();
    let body = format!("{}{log}", if shallow { 'S' } else { 'F' });
    let digest = blake3::hash(body.as_bytes()).to_hex();
    let entry = format!("{CACHE_VERSION}\n{head}\n{digest}\n{body}").into_bytes();
    let mut commits = parse(&log);
    follow_renames(&mut commits);
    Ok(Log { commits, shallow, entry: Some(entry) })
}

/// The log in a cache entry written by [`read_log`] for `head` (its first byte the shallow
/// flag), when the entry is intact; `None` for another commit, another layout or damaged
/// bytes.
fn cached_log(entry: &[u8], head: &str) -> Option<String> {
    let text = std::str::from_utf8(entry).ok()?;
    let mut parts = text.splitn(4, '\n');
    let (version, commit, digest, body) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    (version == CACHE_VERSION
        && commit == head
        && blake3::hash(body.as_bytes()).to_hex().as_str() == digest
        && !body.is_empty())
    .then(|| body.to_string())
}

/// How a plan is known to have shaped a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Evidence {
    /// A marker in the file names the plan (or a requirement it defines).
    Marker,
    /// A commit changed the file together with documents of the plan's folder.
    SameCommit,
    /// A commit that changed the file names the plan's ID in its message.
    CommitMessage,
}

/// A commit as the pages show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommitRef {
    /// The full commit ID.
    pub id: String,
    /// The author time, Unix seconds.
    pub time: i64,
    /// The author date, `YYYY-MM-DD`.
    pub date: String,
    /// The message's first line.
    pub subject: String,
}

/// When a plan's folder was changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PlanHistory {
    /// The oldest commit that changed the folder (index into [`Facts::commits`]).
    pub first: Option<usize>,
    /// The newest one.
    pub last: Option<usize>,
    /// How many commits changed it.
    pub commits: usize,
    /// Commits that changed files outside the plan folders together with the plan's
    /// documents or naming the plan in their message (broad commits not counted): work
    /// that git links to the plan, with or without markers.
    pub code_commits: usize,
    /// The distinct files (outside plan folders, by today's path) those commits changed.
    pub code_files: usize,
}

/// A plan that shaped a file, and the evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Shaping {
    /// The plan (index into `Project::plans`).
    pub plan: usize,
    /// The kinds of evidence, each once, in [`Evidence`] order.
    pub evidence: Vec<Evidence>,
    /// The commits that changed the file for the plan (same commit or message), oldest
    /// first (indices into [`Facts::commits`]).
    pub commits: Vec<usize>,
    /// When the plan first shaped the file: its oldest commit here, else the plan
    /// folder's first commit; `None` when git knows neither.
    pub time: Option<i64>,
}

/// The history facts the pages show, derived once per build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Facts {
    /// What was read.
    pub source: Source,
    /// The commits the other fields point at, oldest first.
    pub commits: Vec<CommitRef>,
    /// Per plan (same index as `Project::plans`).
    pub plans: Vec<PlanHistory>,
    /// Per source file (same index as `Project::files`): the plans that shaped it,
    /// oldest first.
    pub files: Vec<Vec<Shaping>>,
    /// Commits that changed files but were too broad to link them to plans.
    pub broad_commits: usize,
}

impl Facts {
    /// Facts without git: the plans that markers name, no dates.
    pub fn without_history(project: &Project, reason: String) -> Facts {
        derive(project, &[], Source::Unavailable { reason })
    }

    /// The commit `i`.
    pub fn commit(&self, i: usize) -> &CommitRef {
        &self.commits[i]
    }
}

/// Derives [`Facts`] from `log` (newest first, as [`parse`] gives it).
pub fn derive(project: &Project, log: &[Commit], source: Source) -> Facts {
    let mut folder_plans: HashMap<&str, Vec<usize>> = HashMap::new();
    for (pi, plan) in project.plans.iter().enumerate() {
        folder_plans.entry(plan.folder.as_str()).or_default().push(pi);
    }
    let mut upper_ids: HashMap<String, usize> = HashMap::new();
    for (pi, plan) in project.plans.iter().enumerate() {
        if !plan.synthetic {
            upper_ids.entry(plan.id.to_ascii_uppercase()).or_insert(pi);
        }
    }
    let plans_of_path = |path: &str| -> Option<&Vec<usize>> {
        let mut p = path;
        loop {
            if let Some(v) = folder_plans.get(p) {
                return Some(v);
            }
            p = &p[..p.rfind('/')?];
        }
    };
    let mut plans = vec![PlanHistory::default(); project.plans.len()];
    // (file, plan) → (evidence, commits)
    let mut shaped: HashMap<(usize, usize), (Vec<Evidence>, Vec<usize>)> = HashMap::new();
    let mut commits: Vec<CommitRef> = Vec::new();
    let mut broad_commits = 0;
    let mut code_files: Vec<std::collections::HashSet<&str>> = vec![Default::default(); project.plans.len()];
    for c in log.iter().rev() {
        let mut touched: Vec<usize> = Vec::new();
        let mut others: Vec<&str> = Vec::new();
        let mut sources: Vec<usize> = Vec::new();
        for path in &c.files {
            match plans_of_path(path) {
                Some(ps) => touched.extend(ps),
                None => {
                    others.push(path);
                    if let Some(&f) = project.file_index.get(path.as_str()) {
                        sources.push(f);
                    }
                }
            }
        }
        touched.sort_unstable();
        touched.dedup();
        let mut named: Vec<usize> = crate::grammar::ids::PLAN_ID_RE
            .find_iter(&c.message)
            .filter_map(|m| upper_ids.get(&m.as_str().to_ascii_uppercase()).copied())
            .collect();
        named.sort_unstable();
        named.dedup();
        if touched.is_empty() && (named.is_empty() || others.is_empty()) {
            continue;
        }
        let ci = commits.len();
        commits.push(CommitRef {
            id: c.id.clone(),
            time: c.time,
            date: c.date.clone(),
            subject: c.subject().to_string(),
        });
        for &pi in &touched {
            let h = &mut plans[pi];
            h.first.get_or_insert(ci);
            h.last = Some(ci);
            h.commits += 1;
        }
        if others.is_empty() {
            continue;
        }
        if touched.len() > MAX_PLANS_PER_COMMIT || c.files.len() > MAX_FILES_PER_COMMIT {
            broad_commits += 1;
            continue;
        }
        let mut linked: Vec<usize> = touched.iter().chain(&named).copied().collect();
        linked.sort_unstable();
        linked.dedup();
        for &pi in &linked {
            plans[pi].code_commits += 1;
            code_files[pi].extend(others.iter().copied());
        }
        for (plans_here, evidence) in [(&touched, Evidence::SameCommit), (&named, Evidence::CommitMessage)] {
            for &pi in plans_here {
                for &f in &sources {
                    let (ev, cs) = shaped.entry((f, pi)).or_default();
                    if !ev.contains(&evidence) {
                        ev.push(evidence);
                    }
                    if cs.last() != Some(&ci) {
                        cs.push(ci);
                    }
                }
            }
        }
    }
    for (h, files) in plans.iter_mut().zip(&code_files) {
        h.code_files = files.len();
    }
    // Markers: the plans the file's traces name or resolve requirements to.
    for (f, range) in project.file_traces.iter().enumerate() {
        for t in range.clone() {
            let tr = &project.traces[t];
            let named = tr.plans.iter().filter_map(|p| p.plan);
            let resolved = tr.requirements.iter().filter_map(|r| match &r.resolution {
                crate::model::Resolution::Resolved { key } => Some(key.plan),
                _ => None,
            });
            for pi in named.chain(resolved) {
                let (ev, _) = shaped.entry((f, pi)).or_default();
                if !ev.contains(&Evidence::Marker) {
                    ev.push(Evidence::Marker);
                }
            }
        }
    }
    let mut files: Vec<Vec<Shaping>> = vec![Vec::new(); project.files.len()];
    for ((f, plan), (mut evidence, commits_here)) in shaped {
        evidence.sort_unstable();
        let time = commits_here
            .first()
            .map(|&c| commits[c].time)
            .or_else(|| plans[plan].first.map(|c| commits[c].time));
        files[f].push(Shaping { plan, evidence, commits: commits_here, time });
    }
    for list in &mut files {
        list.sort_by(|a, b| {
            (a.time.is_none(), a.time, &project.plans[a.plan].id).cmp(&(
                b.time.is_none(),
                b.time,
                &project.plans[b.plan].id,
            ))
        });
    }
    Facts { source, commits, plans, files, broad_commits }
}

/// The date in a plan's ID (`PLAN-20251023-…`) or, failing that, at the start of its
/// folder's name (`20251023stateless4`), as Unix seconds at midnight UTC; `None` when
/// neither holds a valid `YYYYMMDD` date.
pub fn id_date(id: &str, folder: &str) -> Option<(i64, String)> {
    let name = folder.rsplit('/').next().unwrap_or(folder);
    let from_id = id.split(['-', '.']).filter(|part| part.len() == 8).find_map(date_of);
    from_id.or_else(|| {
        name.get(..8).filter(|_| name.as_bytes().get(8).is_none_or(|b| !b.is_ascii_digit())).and_then(date_of)
    })
}

/// `YYYYMMDD` (years 1990–2099) as Unix seconds at midnight UTC and `YYYY-MM-DD`.
fn date_of(s: &str) -> Option<(i64, String)> {
    if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) || !(s.starts_with("19") || s.starts_with("20"))
    {
        return None;
    }
    let iso = format!("{}-{}-{}", &s[..4], &s[4..6], &s[6..]);
    let t = humantime::parse_rfc3339(&format!("{iso}T00:00:00Z")).ok()?;
    let secs = t.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
    (secs >= 631_152_000).then_some((secs as i64, iso))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_log_with_paths_and_messages() {
        let log = "\u{1e}aaa\u{1f}1700000000\u{1f}2023-11-14\u{1f}Add plan\n\nBody names PLAN-1\0\nA\0plans/p1/PLAN.md\0M\0src/a.rs\0R087\0src/old.rs\0src/new.rs\0\
                   \u{1e}bbb\u{1f}1600000000\u{1f}2020-09-13\u{1f}Odd \u{1f} subject\0\n";
        let commits = parse(log);
        assert_eq!(commits.len(), 2);
        assert_eq!(commits[0].id, "aaa");
        assert_eq!(commits[0].time, 1_700_000_000);
        assert_eq!(commits[0].date, "2023-11-14");
        assert_eq!(commits[0].subject(), "Add plan");
        assert!(commits[0].message.contains("PLAN-1"));
        assert_eq!(commits[0].files, ["plans/p1/PLAN.md", "src/a.rs", "src/new.rs"]);
        assert_eq!(commits[0].renames, [("src/old.rs".to_string(), "src/new.rs".to_string())]);
        assert_eq!(commits[1].message, "Odd \u{1f} subject");
        assert!(commits[1].files.is_empty());
        // Damaged records are skipped, not fatal.
        assert!(parse("\u{1e}x\u{1f}notanumber\u{1f}d\u{1f}m\0").is_empty());
        assert!(parse("").is_empty());
        assert_eq!(
            parse("\u{1e}x\u{1f}1\u{1f}d\u{1f}m\0\nR100\0only-old").len(),
            1,
            "a cut record keeps its commit"
        );
    }

    #[test]
    fn paths_are_followed_through_renames_to_their_name_today() {
        let commit = |files: &[&str], renames: &[(&str, &str)]| Commit {
            id: String::new(),
            time: 0,
            date: String::new(),
            message: String::new(),
            files: files.iter().map(|f| f.to_string()).collect(),
            renames: renames.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect(),
        };
        // Newest first: c.rs → d.rs, then (earlier) a.rs → c.rs; a new a.rs after both.
        let mut log = vec![
            commit(&["a.rs"], &[]),
            commit(&["d.rs"], &[("c.rs", "d.rs")]),
            commit(&["c.rs"], &[("a.rs", "c.rs")]),
            commit(&["a.rs", "b.rs"], &[]),
        ];
        follow_renames(&mut log);
        assert_eq!(log[0].files, ["a.rs"], "the new a.rs is itself");
        assert_eq!(log[1].files, ["d.rs"]);
        assert_eq!(log[2].files, ["d.rs"]);
        assert_eq!(log[3].files, ["d.rs", "b.rs"], "the old a.rs is today's d.rs");
    }

    #[test]
    fn a_cache_entry_is_used_only_for_its_commit_and_intact() {
        let body = "F\u{1e}aaa\u{1f}1\u{1f}1970-01-01\u{1f}m\0\n";
        let digest = blake3::hash(body.as_bytes()).to_hex();
        let entry = format!("{CACHE_VERSION}\nHEAD1\n{digest}\n{body}");
        assert_eq!(cached_log(entry.as_bytes(), "HEAD1").as_deref(), Some(body));
        assert_eq!(cached_log(entry.as_bytes(), "HEAD2"), None);
        let damaged = entry.replace("1970", "1971");
        assert_eq!(cached_log(damaged.as_bytes(), "HEAD1"), None);
        assert_eq!(cached_log(b"\xff\xfe", "HEAD1"), None);
    }

    #[test]
    fn dates_come_from_the_id_else_the_folder_name() {
        assert_eq!(
            id_date("PLAN-20251023-STATELESS-HARDENING", "x").map(|d| d.1).as_deref(),
            Some("2025-10-23")
        );
        assert_eq!(
            id_date("emojifilter", "plans/20250115emojifilter").map(|d| d.1).as_deref(),
            Some("2025-01-15")
        );
        assert_eq!(id_date("PLAN-20251323-BAD", "plans/x"), None, "month 13");
        assert_eq!(id_date("PLAN-12345678-X", "plans/123456789"), None);
        assert_eq!(id_date("PLAN-19700102-X", ""), None, "before 1990 is no plan date");
        assert_eq!(id_date("PLAN-FEATURES-20250101-X", "").map(|d| d.1).as_deref(), Some("2025-01-01"));
        assert_eq!(id_date("PLAN-20000101-X", "").map(|d| d.0), Some(946_684_800));
    }
}
