//! Provenance: which commit a site shows, and where that commit can be read on the web.
//!
//! [`Provenance::read`] asks the `git` command line about the project root — the commit
//! (`git log -1`), its committer date, whether tracked files differ from it (`git status`)
//! and the `origin` remote — and never fails: without git, outside a repository or in a
//! repository without a commit, every field is empty and the pages say the site was not
//! built from a git checkout.
//!
//! Choices, each tested:
//!
//! - **The enclosing repository counts.** The root may be a folder inside a repository
//!   (a project in a monorepo): the commit is the repository's, and a permalink's path is
//!   prefixed with the root's place in it (`git rev-parse --show-prefix`). Git's own
//!   `GIT_CEILING_DIRECTORIES` stops the search upwards; the tests set it so that their
//!   fixtures are never read as part of the repository they sit in. `GIT_DIR` and
//!   `GIT_WORK_TREE` are ignored, so a build run from a git hook reads the root's own
//!   repository.
//! - **Dirty means a tracked file differs** from the commit under the root, in the index
//!   or the working tree (the rule of `git describe --dirty`). Untracked files do not
//!   count, nor does the output folder, so building a site into the checkout does not
//!   make the next build dirty.
//! - **A modified file keeps its permalink.** The link still names the commit (the only
//!   thing a forge can show); its page says the working tree differs from that commit.
//! - **Markup links to its source.** A forge renders markdown (and reStructuredText,
//!   AsciiDoc, …), where line anchors do nothing: a permalink to lines of such a file
//!   asks for the source view (`?plain=1`, Gitea's `?display=source`).
//! - **The build date** is `SOURCE_DATE_EPOCH` when set, otherwise the commit date,
//!   otherwise absent; never the clock, so two builds of one commit are byte-identical.
//! - **Credentials never reach a page.** The user name and password of a remote URL
//!   (`https://user:token@host/…`) are dropped, as are its query and fragment.
//! - **Forges.** `forge` in `tracemark.toml` names one; otherwise the host decides:
//!   `github.com`, `gitlab.com` and `gitlab.*`, `codeberg.org` and `gitea.*`,
//!   `bitbucket.org`. Another host gets no permalinks unless `forge` is set.

use serde::{Deserialize, Serialize};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime};
use url::Url;

/// The web forge hosting a repository: it decides the shape of a permalink.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Forge {
    /// GitHub: `…/blob/<sha>/<path>#L10-L24`.
    GitHub,
    /// GitLab: `…/-/blob/<sha>/<path>#L10-24`.
    GitLab,
    /// Gitea and Forgejo (Codeberg): `…/src/commit/<sha>/<path>#L10-L24`.
    Gitea,
    /// Bitbucket Cloud: `…/src/<sha>/<path>#lines-10:24`.
    Bitbucket,
}

impl Forge {
    /// The forge's name as a reader knows it ("GitHub"), for link text such as
    /// "view on GitHub".
    pub fn label(self) -> &'static str {
        match self {
            Forge::GitHub => "GitHub",
            Forge::GitLab => "GitLab",
            Forge::Gitea => "Gitea",
            Forge::Bitbucket => "Bitbucket",
        }
    }

    /// The forge a host is known to be, from its name alone: `github.com`,
    /// `gitlab.com` or `gitlab.*`, `codeberg.org` or `gitea.*`, `bitbucket.org`.
    pub fn from_host(host: &str) -> Option<Forge> {
        let host = host.to_ascii_lowercase();
        let host = host.strip_prefix("www.").unwrap_or(&host);
        match host {
            "github.com" => Some(Forge::GitHub),
            "bitbucket.org" => Some(Forge::Bitbucket),
            "codeberg.org" => Some(Forge::Gitea),
            h if h.starts_with("gitlab.") => Some(Forge::GitLab),
            h if h.starts_with("gitea.") => Some(Forge::Gitea),
            _ => None,
        }
    }
}

/// A point in time: seconds since the Unix epoch and the same instant in ISO 8601.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Date {
    /// Seconds since 1970-01-01T00:00:00Z.
    pub unix: i64,
    /// ISO 8601: the committer's own offset for a commit date (`2026-03-01T10:00:00+01:00`),
    /// UTC for a build date taken from `SOURCE_DATE_EPOCH` (`2026-03-01T09:00:00Z`).
    pub iso: String,
}

/// What the configuration says about the repository (`repo_url` and `forge` in
/// `tracemark.toml`), and which folder to leave out of the dirty check.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// The repository's web address, as configured (used instead of the `origin`
    /// remote); credentials, query and fragment are dropped, as is a trailing `.git`.
    pub repo_url: Option<String>,
    /// The forge, as configured (otherwise inferred from the host).
    pub forge: Option<Forge>,
    /// The output folder, relative to the root, `/`-separated: its files never make the
    /// tree dirty. `None` when it lies outside the root.
    pub out: Option<String>,
}

/// Which commit the site shows and where it lives. Every field is empty (and `dirty`
/// false) when the root is not in a git checkout.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Provenance {
    /// The full commit ID of `HEAD` (40 hex digits, 64 in a SHA-256 repository).
    pub commit: Option<String>,
    /// The committer date of `HEAD`.
    pub commit_date: Option<Date>,
    /// A tracked file under the root differs from `HEAD` (staged or not); untracked
    /// files and the output folder do not count.
    pub dirty: bool,
    /// The root-relative, `/`-separated paths of those files, sorted.
    pub modified: Vec<String>,
    /// The repository's web address (`https://github.com/acme/widgets`): from the
    /// configuration, else from the `origin` remote; without credentials or `.git`.
    pub repo_url: Option<String>,
    /// The forge of `repo_url`: configured, else known from its host; `None` means no
    /// permalinks.
    pub forge: Option<Forge>,
    /// The build date: `SOURCE_DATE_EPOCH` when set, else the commit date.
    pub build_date: Option<Date>,
    /// The root's folder inside the repository, `/`-separated with a trailing `/`
    /// (`""` at the top), prefixed to paths in permalinks.
    pub prefix: String,
    /// Things the user should know: a malformed `SOURCE_DATE_EPOCH`, a configured
    /// `repo_url` that is not a web address, a checkout git refuses to read.
    pub notes: Vec<Note>,
}

/// Something [`Provenance::read`] ignored, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// What it concerns: `SOURCE_DATE_EPOCH`, `repo_url` or `git`.
    pub subject: &'static str,
    /// What was ignored and what is used instead.
    pub message: String,
    /// What to do.
    pub help: &'static str,
}

impl Provenance {
    /// Reads the provenance of the project at `root` from git and the environment
    /// (`SOURCE_DATE_EPOCH`). Never fails: what cannot be read is left empty.
    pub fn read(root: &Path, settings: &Settings) -> Provenance {
        let epoch = std::env::var("SOURCE_DATE_EPOCH").ok();
        let mut p = Provenance::default();
        let top = git_run(root, &["rev-parse", "--show-toplevel", "--show-prefix"]);
        if let Err(message) = &top
            && message.contains("safe.directory")
        {
            // Git refuses a checkout owned by another user (common in CI containers).
            p.notes.push(Note {
                subject: "git",
                message:
                    "git refuses to read this checkout (it belongs to another user); the site names no commit"
                        .into(),
                help: "mark it safe: `git config --global --add safe.directory <the project root>`",
            });
        }
        if let Ok(top) = top {
            let mut lines = top.lines();
            let _toplevel = lines.next();
            p.prefix = lines.next().unwrap_or("").trim().to_string();
            if let Some(head) = git(root, &["log", "-1", "--format=%H%n%cI%n%ct"]) {
                let mut lines = head.lines();
                p.commit = lines.next().map(str::to_string).filter(|s| is_commit_id(s));
                let iso = lines.next().unwrap_or("").to_string();
                p.commit_date =
                    lines.next().and_then(|s| s.trim().parse().ok()).map(|unix| Date { unix, iso });
            }
            if p.commit.is_some() {
                let mut args =
                    vec!["status", "--porcelain", "-z", "--untracked-files=no", "--no-renames", "--", "."];
                let exclude = settings.out.as_ref().map(|o| format!(":(exclude,literal){o}"));
                if let Some(e) = &exclude {
                    args.push(e);
                }
                if let Some(status) = git(root, &args) {
                    p.modified = parse_status(&status, &p.prefix);
                    p.dirty = !p.modified.is_empty();
                }
            }
        }
        let remote = match &settings.repo_url {
            Some(url) => Some(url.clone()),
            None if p.commit.is_some() => {
                git(root, &["remote", "get-url", "origin"]).map(|s| s.trim().to_string())
            }
            None => None,
        };
        if let Some(remote) = remote.filter(|r| !r.is_empty()) {
            match web_url(&remote) {
                Some(url) => {
                    p.forge = settings.forge.or_else(|| url.host_str().and_then(Forge::from_host));
                    p.repo_url = Some(url.into());
                }
                None if settings.repo_url.is_some() => p.notes.push(Note {
                    subject: "repo_url",
                    message: format!(
                        "`{}` is not a repository's web address; no permalinks",
                        strip_userinfo(&remote)
                    ),
                    help: "write it as `https://github.com/OWNER/REPO`",
                }),
                None => {}
            }
        }
        p.build_date = build_date(epoch.as_deref(), p.commit_date.as_ref(), &mut p.notes);
        p
    }

    /// The first 12 characters of the commit ID.
    pub fn short_commit(&self) -> Option<&str> {
        self.commit.as_deref().map(|c| &c[..c.len().min(12)])
    }

    /// Whether the file at `path` (root-relative) differs from the commit.
    pub fn is_modified(&self, path: &str) -> bool {
        self.modified.binary_search_by(|m| m.as_str().cmp(path)).is_ok()
    }

    /// The forge's page of the commit, when the commit, the repository and its forge are
    /// known.
    pub fn commit_url(&self) -> Option<String> {
        self.commit_url_of(self.commit.as_deref()?)
    }

    /// The forge's page of `commit` (any commit of the repository, a full ID), when the
    /// repository and its forge are known.
    pub fn commit_url_of(&self, commit: &str) -> Option<String> {
        let (mut url, forge, _) = self.base()?;
        let tail: &[&str] = match forge {
            Forge::GitHub => &["commit", commit],
            Forge::GitLab => &["-", "commit", commit],
            Forge::Gitea => &["commit", commit],
            Forge::Bitbucket => &["commits", commit],
        };
        url.path_segments_mut().ok()?.pop_if_empty().extend(tail);
        Some(url.into())
    }

    /// The permalink of `path` (root-relative, `/`-separated) at the commit, to lines
    /// `first..=last` when given (one line when equal), or `None` when the commit, the
    /// repository or its forge is unknown. Each path segment is percent-encoded.
    pub fn permalink(&self, path: &str, lines: Option<(u32, u32)>) -> Option<String> {
        let (mut url, forge, commit) = self.base()?;
        {
            let mut segments = url.path_segments_mut().ok()?;
            segments.pop_if_empty();
            match forge {
                Forge::GitHub => segments.extend(["blob", commit]),
                Forge::GitLab => segments.extend(["-", "blob", commit]),
                Forge::Gitea => segments.extend(["src", "commit", commit]),
                Forge::Bitbucket => segments.extend(["src", commit]),
            };
            let full = format!("{}{}", self.prefix, path);
            segments.extend(full.split('/').filter(|s| !s.is_empty()));
        }
        if let Some((first, last)) = lines {
            // A forge shows markup (markdown, …) rendered, where line anchors do not
            // work: ask for the source view.
            if is_markup(path) {
                match forge {
                    Forge::GitHub | Forge::GitLab => url.set_query(Some("plain=1")),
                    Forge::Gitea => url.set_query(Some("display=source")),
                    Forge::Bitbucket => {}
                }
            }
            let (first, last) = (first.max(1), last.max(first.max(1)));
            let fragment = match (forge, first == last) {
                (Forge::Bitbucket, true) => format!("lines-{first}"),
                (Forge::Bitbucket, false) => format!("lines-{first}:{last}"),
                (Forge::GitLab, false) => format!("L{first}-{last}"),
                (_, true) => format!("L{first}"),
                (_, false) => format!("L{first}-L{last}"),
            };
            url.set_fragment(Some(&fragment));
        }
        Some(url.into())
    }

    /// The repository URL, forge and commit, when all three are known.
    fn base(&self) -> Option<(Url, Forge, &str)> {
        let url = Url::parse(self.repo_url.as_deref()?).ok()?;
        Some((url, self.forge?, self.commit.as_deref()?))
    }
}

/// Whether a forge renders the file at `path` as a document (markdown, reStructuredText,
/// AsciiDoc, Org, notebooks) instead of showing its lines.
fn is_markup(path: &str) -> bool {
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e).to_ascii_lowercase();
    matches!(
        ext.as_str(),
        "md" | "markdown" | "mdx" | "mdown" | "mkd" | "rst" | "adoc" | "asciidoc" | "org" | "ipynb"
    )
}

/// Runs `git -C root ARGS` and returns its standard output (bytes that are not UTF-8
/// replaced), or `None` when git is missing or fails.
fn git(root: &Path, args: &[&str]) -> Option<String> {
    git_run(root, args).ok()
}

/// `git -C root` with the settings every git run of tracemark uses: no file-system
/// monitor hook configured in the repository runs, the index lock is never taken (a
/// concurrent `git` command must not fail because of us), `GIT_DIR`, `GIT_WORK_TREE`
/// and `GIT_INDEX_FILE` of the environment are ignored, and stdin is closed. Add the
/// subcommand's arguments.
pub(crate) fn git_command(root: &Path) -> Command {
    let mut c = Command::new("git");
    c.arg("-C")
        .arg(root)
        .args(["-c", "core.fsmonitor=false"])
        .env("GIT_OPTIONAL_LOCKS", "0")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .stdin(Stdio::null());
    c
}

/// [`git`], with git's error message (empty when git could not be started).
fn git_run(root: &Path, args: &[&str]) -> Result<String, String> {
    let out = git_command(root).args(args).output().map_err(|_| String::new())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    // A path that is not UTF-8 keeps the rest of the answer (it matches no page's path).
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Whether `s` is a full commit ID (SHA-1 or SHA-256, lower-case hex).
fn is_commit_id(s: &str) -> bool {
    matches!(s.len(), 40 | 64) && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The paths of `git status --porcelain -z --no-renames` output (`XY path\0` entries,
/// repository-relative), made relative to the root (`prefix` removed), sorted.
fn parse_status(status: &str, prefix: &str) -> Vec<String> {
    let mut paths: Vec<String> = status
        .split('\0')
        .filter_map(|entry| entry.get(3..))
        .filter(|p| !p.is_empty())
        .map(|p| p.strip_prefix(prefix).unwrap_or(p).to_string())
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

/// The web address of a repository from a remote URL or a configured `repo_url`:
/// `git@host:o/r.git` and `ssh://git@host[:port]/o/r.git` become `https://host/o/r`;
/// `http(s)://` keeps its scheme and port; `git://` becomes `https://`. Credentials,
/// query, fragment, a trailing `/` and `.git` are dropped. `None` for a local path, a
/// `file://` URL or anything without a host.
pub fn web_url(remote: &str) -> Option<Url> {
    let remote = remote.trim();
    let mut url = if let Some((scheme, _)) = remote.split_once("://") {
        let parsed = Url::parse(remote).ok()?;
        match scheme.to_ascii_lowercase().as_str() {
            "http" | "https" => parsed,
            "ssh" | "git" | "git+ssh" | "ssh+git" => {
                let mut web = Url::parse("https://host/").ok()?;
                web.set_host(Some(parsed.host_str()?)).ok()?;
                web.set_path(parsed.path());
                web
            }
            _ => return None,
        }
    } else {
        // scp-like: `[user@]host:path`, the colon before any slash.
        let (host, path) = remote.split_once(':')?;
        if host.contains('/') || path.starts_with("//") {
            return None;
        }
        let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
        // A one-letter "host" is a Windows drive (`C:\…`), not a remote.
        if host.len() < 2 {
            return None;
        }
        let mut web = Url::parse("https://host/").ok()?;
        web.set_host(Some(host)).ok()?;
        web.path_segments_mut().ok()?.clear().extend(path.split('/').filter(|s| !s.is_empty()));
        web
    };
    url.host_str().filter(|h| !h.is_empty())?;
    url.set_username("").ok()?;
    url.set_password(None).ok()?;
    url.set_query(None);
    url.set_fragment(None);
    let path = url.path().trim_end_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path).trim_end_matches('/').to_string();
    url.set_path(&path);
    Some(url)
}

/// `remote` with any `user:password@` of a URL removed, for messages.
fn strip_userinfo(remote: &str) -> String {
    match Url::parse(remote) {
        Ok(mut url) => {
            let _ = url.set_username("");
            let _ = url.set_password(None);
            url.into()
        }
        Err(_) => remote.rsplit_once('@').map_or(remote, |(_, rest)| rest).to_string(),
    }
}

/// The build date: `SOURCE_DATE_EPOCH` (a non-negative integer of seconds) when set, else
/// the commit date. A malformed value is ignored with a note.
pub fn build_date(
    source_date_epoch: Option<&str>,
    commit_date: Option<&Date>,
    notes: &mut Vec<Note>,
) -> Option<Date> {
    if let Some(value) = source_date_epoch.map(str::trim).filter(|v| !v.is_empty()) {
        match value.parse::<u64>().ok().and_then(utc) {
            Some(date) => return Some(date),
            None => notes.push(Note {
                subject: "SOURCE_DATE_EPOCH",
                message: format!(
                    "`{value}` is not a number of seconds since 1970; the commit date is used instead"
                ),
                help: "unset it, or set it to a whole number of seconds (`git log -1 --format=%ct`)",
            }),
        }
    }
    commit_date.cloned()
}

/// `secs` after the epoch as a [`Date`] in UTC (`None` past year 9999).
fn utc(secs: u64) -> Option<Date> {
    let time = SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(secs))?;
    if secs > 253_402_300_799 {
        return None;
    }
    Some(Date { unix: i64::try_from(secs).ok()?, iso: humantime::format_rfc3339_seconds(time).to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(repo: &str, forge: Forge) -> Provenance {
        Provenance {
            commit: Some("0123456789abcdef0123456789abcdef01234567".into()),
            repo_url: Some(repo.into()),
            forge: Some(forge),
            ..Provenance::default()
        }
    }

    #[test]
    fn remote_forms_become_web_addresses() {
        let cases = [
            ("git@github.com:acme/widgets.git", "https://github.com/acme/widgets"),
            ("github.com:acme/widgets", "https://github.com/acme/widgets"),
            (
                "ssh://git@gitlab.example.com:2222/group/sub/proj.git",
                "https://gitlab.example.com/group/sub/proj",
            ),
            ("https://github.com/acme/widgets.git", "https://github.com/acme/widgets"),
            ("https://github.com/acme/widgets/", "https://github.com/acme/widgets"),
            ("https://user:ghp_secret@github.com/acme/widgets.git", "https://github.com/acme/widgets"),
            ("https://oauth2:tok@gitlab.com/a/b?x=1#frag", "https://gitlab.com/a/b"),
            ("http://gitea.local:3000/o/r.git", "http://gitea.local:3000/o/r"),
            ("git://codeberg.org/o/r.git", "https://codeberg.org/o/r"),
            ("git@bitbucket.org:team/repo.git", "https://bitbucket.org/team/repo"),
        ];
        for (remote, want) in cases {
            assert_eq!(web_url(remote).map(String::from).as_deref(), Some(want), "{remote}");
        }
    }

    #[test]
    fn local_and_odd_remotes_have_no_web_address() {
        for remote in
            ["/srv/git/widgets.git", "../widgets", "file:///srv/widgets.git", "C:\\repos\\w", "", "ftp://h/x"]
        {
            assert_eq!(web_url(remote), None, "{remote}");
        }
    }

    #[test]
    fn credentials_never_survive() {
        let url = web_url("https://alice:s3cr3t@example.com/o/r.git").unwrap();
        assert!(!String::from(url.clone()).contains("s3cr3t"));
        assert!(!String::from(url).contains("alice"));
        assert!(!strip_userinfo("https://alice:s3cr3t@example.com/o/r").contains("s3cr3t"));
    }

    #[test]
    fn forge_from_host() {
        assert_eq!(Forge::from_host("github.com"), Some(Forge::GitHub));
        assert_eq!(Forge::from_host("GitLab.com"), Some(Forge::GitLab));
        assert_eq!(Forge::from_host("gitlab.example.org"), Some(Forge::GitLab));
        assert_eq!(Forge::from_host("codeberg.org"), Some(Forge::Gitea));
        assert_eq!(Forge::from_host("gitea.example.org"), Some(Forge::Gitea));
        assert_eq!(Forge::from_host("bitbucket.org"), Some(Forge::Bitbucket));
        assert_eq!(Forge::from_host("git.example.org"), None);
        assert_eq!(Forge::from_host("github.example.org"), None);
    }

    #[test]
    fn permalink_per_forge() {
        let sha = "0123456789abcdef0123456789abcdef01234567";
        let cases = [
            (
                Forge::GitHub,
                "https://github.com/acme/widgets",
                format!("https://github.com/acme/widgets/blob/{sha}/src/a.ts#L10-L24"),
                "#L7",
            ),
            (
                Forge::GitLab,
                "https://gitlab.com/g/s/p",
                format!("https://gitlab.com/g/s/p/-/blob/{sha}/src/a.ts#L10-24"),
                "#L7",
            ),
            (
                Forge::Gitea,
                "https://codeberg.org/o/r",
                format!("https://codeberg.org/o/r/src/commit/{sha}/src/a.ts#L10-L24"),
                "#L7",
            ),
            (
                Forge::Bitbucket,
                "https://bitbucket.org/t/r",
                format!("https://bitbucket.org/t/r/src/{sha}/src/a.ts#lines-10:24"),
                "#lines-7",
            ),
        ];
        for (forge, repo, want, one) in cases {
            let p = at(repo, forge);
            assert_eq!(p.permalink("src/a.ts", Some((10, 24))).unwrap(), want);
            assert!(p.permalink("src/a.ts", Some((7, 7))).unwrap().ends_with(one), "{forge:?}");
            assert!(!p.permalink("src/a.ts", None).unwrap().contains('#'));
        }
    }

    #[test]
    fn markup_lines_link_to_the_source_view() {
        let sha = "0123456789abcdef0123456789abcdef01234567";
        let gh = at("https://github.com/a/b", Forge::GitHub);
        assert_eq!(
            gh.permalink("plan/spec.md", Some((12, 12))).unwrap(),
            format!("https://github.com/a/b/blob/{sha}/plan/spec.md?plain=1#L12")
        );
        assert!(
            !gh.permalink("plan/spec.md", None).unwrap().contains('?'),
            "a whole document stays rendered"
        );
        let gl = at("https://gitlab.com/a/b", Forge::GitLab).permalink("README.MD", Some((3, 4))).unwrap();
        assert!(gl.ends_with("/README.MD?plain=1#L3-4"), "{gl}");
        let gt = at("https://codeberg.org/a/b", Forge::Gitea).permalink("x.rst", Some((3, 3))).unwrap();
        assert!(gt.ends_with("/x.rst?display=source#L3"), "{gt}");
        let bb = at("https://bitbucket.org/a/b", Forge::Bitbucket).permalink("x.md", Some((3, 3))).unwrap();
        assert!(bb.ends_with("/x.md#lines-3"), "{bb}");
    }

    #[test]
    fn commit_url_per_forge() {
        let sha = "0123456789abcdef0123456789abcdef01234567";
        assert_eq!(
            at("https://github.com/a/b", Forge::GitHub).commit_url().unwrap(),
            format!("https://github.com/a/b/commit/{sha}")
        );
        assert_eq!(
            at("https://gitlab.com/a/b", Forge::GitLab).commit_url().unwrap(),
            format!("https://gitlab.com/a/b/-/commit/{sha}")
        );
        assert_eq!(
            at("https://codeberg.org/a/b", Forge::Gitea).commit_url().unwrap(),
            format!("https://codeberg.org/a/b/commit/{sha}")
        );
        assert_eq!(
            at("https://bitbucket.org/a/b", Forge::Bitbucket).commit_url().unwrap(),
            format!("https://bitbucket.org/a/b/commits/{sha}")
        );
    }

    #[test]
    fn permalink_paths_are_encoded_per_segment() {
        let p = at("https://github.com/acme/widgets", Forge::GitHub);
        let link = p.permalink("src/a b/#x?.ts", Some((1, 1))).unwrap();
        assert!(link.contains("/src/a%20b/%23x%3F.ts#L1"), "{link}");
        let link = p.permalink("../../etc/passwd", None).unwrap();
        assert!(link.starts_with("https://github.com/acme/widgets/blob/"), "{link}");
        assert!(!link.contains(".."), "{link}");
    }

    #[test]
    fn permalink_under_a_prefix_and_without_forge() {
        let mut p = at("https://github.com/acme/mono", Forge::GitHub);
        p.prefix = "tools/tm/".into();
        assert!(p.permalink("src/a.rs", None).unwrap().ends_with("/tools/tm/src/a.rs"));
        p.forge = None;
        assert_eq!(p.permalink("src/a.rs", None), None);
        assert_eq!(p.commit_url(), None);
        assert_eq!(Provenance::default().permalink("a", None), None);
    }

    #[test]
    fn status_paths_are_root_relative_and_sorted() {
        let status = " M sub/z.ts\0M  sub/a b.ts\0MM sub/a b.ts\0";
        assert_eq!(parse_status(status, "sub/"), vec!["a b.ts".to_string(), "z.ts".to_string()]);
        assert!(parse_status("", "").is_empty());
    }

    #[test]
    fn build_date_prefers_source_date_epoch() {
        let commit = Date { unix: 1_700_000_000, iso: "2023-11-14T23:13:20+01:00".into() };
        let mut notes = Vec::new();
        let d = build_date(Some("1767225600"), Some(&commit), &mut notes).unwrap();
        assert_eq!(d, Date { unix: 1_767_225_600, iso: "2026-01-01T00:00:00Z".into() });
        assert_eq!(build_date(None, Some(&commit), &mut notes), Some(commit.clone()));
        assert_eq!(build_date(None, None, &mut notes), None);
        assert!(notes.is_empty());
        assert_eq!(build_date(Some("yesterday"), Some(&commit), &mut notes), Some(commit));
        assert_eq!(notes.len(), 1);
        assert_eq!(build_date(Some("-5"), None, &mut notes), None);
        assert_eq!(build_date(Some("99999999999999"), None, &mut notes), None);
    }

    #[test]
    fn short_commit_and_modified() {
        let mut p = at("https://github.com/a/b", Forge::GitHub);
        assert_eq!(p.short_commit(), Some("0123456789ab"));
        p.modified = vec!["a.ts".into(), "src/b.ts".into()];
        assert!(p.is_modified("src/b.ts"));
        assert!(!p.is_modified("src/c.ts"));
    }
}
