//! Configuration: the optional `tracemark.toml` at the project root, read into
//! [`RawConfig`] (straight from TOML, unknown keys rejected) and validated into
//! [`Config`] (absolute paths, compiled globs).

use crate::diagnostic::{Code, Severity};
use crate::grammar::{Grammar, ItemKind};
use crate::provenance::{self, Forge};
use anyhow::{Context, Result, bail};
use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The config file's name, looked up at the project root.
pub const FILE_NAME: &str = "tracemark.toml";

/// `tracemark.toml` as written. Every key is optional; see [`Config`] for defaults.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawConfig {
    /// Site title (default: the root folder's name).
    pub title: Option<String>,
    /// Output folder, relative to the root (default `public`).
    pub out: Option<String>,
    /// Plan roots, relative to the root: each folder under a root is a plan folder and
    /// each `.md` file directly in it a one-file plan (default `["project-plans"]`).
    pub plans: Option<Vec<String>>,
    /// Globs of source files to scan for markers (default: every file).
    pub include: Option<Vec<String>>,
    /// Globs of files to skip, on top of `.gitignore` and the built-in skips.
    pub exclude: Option<Vec<String>>,
    /// Theme name: templates in `themes/<name>/templates/` override the built-in ones.
    pub theme: Option<String>,
    /// Longest trace excerpt, in lines (default 40).
    pub excerpt_lines: Option<u32>,
    /// Files larger than this many bytes are skipped with a diagnostic (default 8 MiB).
    pub max_file_size: Option<u64>,
    /// The repository's process guides, markdown files relative to the root, rendered as
    /// pages and linked from the start page (default: the markdown files directly in
    /// `dev-docs/` and `docs/` whose name says they describe the process, see
    /// [`is_guide_name`]).
    pub guides: Option<Vec<String>>,
    /// Syntax highlighter: `tree-sitter` (default) or `syntect`.
    pub highlighter: Option<HighlighterChoice>,
    /// The repository's web address (`https://github.com/acme/widgets`), for the
    /// commit link and source permalinks (default: inferred from the `origin` remote).
    pub repo_url: Option<Spanned<String>>,
    /// The forge of `repo_url`: `github`, `gitlab`, `gitea` (also Forgejo) or `bitbucket`
    /// (default: known from the host, else no permalinks).
    pub forge: Option<Forge>,
    /// Globs of JUnit XML test reports, relative to the root (default: none).
    pub test_results: Option<Vec<String>>,
    /// A git revision the site is compared with (`diff.html`; default: none).
    pub diff_base: Option<String>,
    /// The `[severity]` table: finding code name (`dangling-reference`) → `error`,
    /// `warning`, `note` or `off`. Spans are kept so that errors can name the line.
    pub severity: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
    /// The `[kinds.<name>]` tables: item kinds and their ID patterns and marker tags
    /// (`[kinds.task] pattern = 'T-\d{3}'`, `tags = ["@task"]`); `[kinds.requirement]`
    /// restricts requirement IDs and adds requirement tags.
    pub kinds: Option<BTreeMap<Spanned<String>, Spanned<RawKind>>>,
}

/// One `[kinds.<name>]` table of `tracemark.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawKind {
    /// The ID pattern, a regex (Rust `regex` syntax) matched against whole tokens.
    pub pattern: Option<Spanned<String>>,
    /// Marker tags that trace code to this kind, with the `@` (`["@task"]`).
    pub tags: Option<Spanned<Vec<String>>>,
}

/// The syntax highlighter, `highlighter` in `tracemark.toml`. Highlighted lines are
/// cached per engine, so switching re-highlights everything once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HighlighterChoice {
    /// `tree-sitter`: tree-sitter grammars for TypeScript, TSX, JavaScript, Rust, Python,
    /// Go, shell, JSON, YAML, TOML and diffs, syntect for other languages. Several
    /// times faster than syntect on those languages, with about the same markup.
    #[default]
    TreeSitter,
    /// `syntect`: syntect with bat's syntax set for every language.
    Syntect,
}

/// The validated configuration of one run.
#[derive(Debug)]
pub struct Config {
    /// The project root (absolute).
    pub root: PathBuf,
    /// Site title.
    pub title: String,
    /// Output folder (absolute).
    pub out: PathBuf,
    /// Build into a non-empty output folder tracemark did not create (`--force`; not a
    /// key of tracemark.toml, which comes with the project). False unless set.
    pub force: bool,
    /// Plan roots relative to `root`, `/`-separated, without trailing slash.
    pub plans: Vec<String>,
    /// Whether `plans` was written in `tracemark.toml`. When it was not, the build
    /// looks for the plan roots itself ([`crate::site::walk::plan_roots`]).
    pub plans_configured: bool,
    /// Compiled include globs, matched against root-relative paths; `None` = all.
    pub include: Option<GlobSet>,
    /// Compiled exclude globs, matched against root-relative paths.
    pub exclude: GlobSet,
    /// Theme folder (absolute) when a theme other than the built-in one is named.
    pub theme_dir: Option<PathBuf>,
    /// Longest trace excerpt in lines.
    pub excerpt_lines: u32,
    /// Largest file read, in bytes.
    pub max_file_size: u64,
    /// The syntax highlighter.
    pub highlighter: HighlighterChoice,
    /// The configured process guides (`guides`), root-relative and `/`-separated;
    /// `None` to find them by name ([`is_guide_name`]).
    pub guides: Option<Vec<String>>,
    /// JUnit XML reports to read: the globs as written (root-relative, `/`-separated)
    /// and compiled; empty when no report is configured, and then nothing about tests
    /// is shown or checked.
    pub test_results: TestResults,
    /// The git revision the site is compared with (`diff_base`, or `--diff-base`): the
    /// site gets `diff.html` ([`crate::revdiff`]); `None`: no comparison.
    pub diff_base: Option<String>,
    /// Severity overrides from `[severity]`, by code; `None` means `off` (findings of
    /// that code are removed). Codes not listed keep their built-in severity.
    pub severity: BTreeMap<Code, Option<Severity>>,
    /// The trace grammar: item kinds, requirement pattern and tags.
    pub grammar: Grammar,
    /// `repo_url` and `forge` (the output folder is filled in by
    /// [`Config::provenance_settings`]).
    pub repo_url: Option<String>,
    /// The configured forge, if any.
    pub forge: Option<Forge>,
    /// SHA-256 (lower-case hex) of the `tracemark.toml` read; `None` without one.
    pub sha256: Option<String>,
}

impl Config {
    /// Loads `<root>/tracemark.toml` if present (defaults otherwise) and validates it.
    /// `out_override` (the `--out` flag) wins over the file's `out`.
    ///
    /// Errors: the root is not a readable folder; the file is not valid TOML or has an
    /// unknown key, or a `[severity]` entry names an unknown code or level (the message
    /// names the file, line and key); a glob does not compile; the theme folder does not
    /// exist.
    pub fn load(root: &Path, out_override: Option<&Path>) -> Result<Config> {
        let root =
            root.canonicalize().with_context(|| format!("cannot open project root `{}`", root.display()))?;
        if !root.is_dir() {
            bail!("project root `{}` is not a folder", root.display());
        }
        let file = root.join(FILE_NAME);
        let (raw, sha256) = if file.is_file() {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read `{}`", file.display()))?;
            let raw = parse(&text).map_err(|e| anyhow::anyhow!("{}:{e}", file.display()))?;
            (raw, Some(format!("{:x}", <sha2::Sha256 as sha2::Digest>::digest(text.as_bytes()))))
        } else {
            (RawConfig::default(), None)
        };
        Ok(Config { sha256, ..Config::from_raw(root, raw, out_override)? })
    }

    /// Validates a [`RawConfig`] for the project at `root` (absolute).
    pub fn from_raw(root: PathBuf, raw: RawConfig, out_override: Option<&Path>) -> Result<Config> {
        let severity = match &raw.severity {
            Some(table) => severity_table(table).map_err(|(_, msg)| anyhow::anyhow!("{FILE_NAME}: {msg}"))?,
            None => BTreeMap::new(),
        };
        let grammar = match &raw.kinds {
            Some(table) => grammar(table).map_err(|(_, msg)| anyhow::anyhow!("{FILE_NAME}: {msg}"))?,
            None => Grammar::default(),
        };
        if let Some(url) = &raw.repo_url {
            check_repo_url(url).map_err(|(_, msg)| anyhow::anyhow!("{FILE_NAME}: {msg}"))?;
        }
        let title = raw.title.unwrap_or_else(|| {
            root.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "tracemark".into())
        });
        let out = match out_override {
            Some(o) => std::env::current_dir().map(|d| d.join(o)).unwrap_or_else(|_| o.to_path_buf()),
            None => root.join(raw.out.as_deref().unwrap_or("public")),
        };
        let plans_configured = raw.plans.is_some();
        let plans = raw
            .plans
            .unwrap_or_else(|| vec!["project-plans".into()])
            .into_iter()
            .map(|p| p.trim_matches('/').to_string())
            .collect();
        let include = match raw.include {
            Some(globs) if !globs.is_empty() => Some(globset(&globs, "include")?),
            _ => None,
        };
        let exclude = globset(&raw.exclude.unwrap_or_default(), "exclude")?;
        if let Some(g) = raw.guides.iter().flatten().find(|g| leaves_root(g)) {
            bail!(
                "{FILE_NAME}: `guides` entry `{g}` leaves the project root; write it relative to the root \
                 (`dev-docs/PLAN.md`)"
            );
        }
        let guides = raw.guides.map(|gs| gs.iter().map(|g| g.trim_start_matches("./").to_string()).collect());
        let theme_dir = match raw.theme.as_deref() {
            None | Some("default") => None,
            Some(name) => {
                let dir = root.join("themes").join(name);
                if !dir.is_dir() {
                    bail!("{}: theme `{name}` not found: expected the folder `{}`", FILE_NAME, dir.display());
                }
                Some(dir)
            }
        };
        Ok(Config {
            root,
            title,
            out,
            force: false,
            plans,
            plans_configured,
            include,
            exclude,
            theme_dir,
            excerpt_lines: raw.excerpt_lines.unwrap_or(40).max(1),
            max_file_size: raw.max_file_size.unwrap_or(8 << 20),
            highlighter: raw.highlighter.unwrap_or_default(),
            guides,
            test_results: TestResults::new(raw.test_results.as_deref().unwrap_or_default())?,
            diff_base: raw.diff_base.filter(|b| !b.trim().is_empty()),
            severity,
            grammar,
            repo_url: raw.repo_url.map(Spanned::into_inner),
            forge: raw.forge,
            sha256: None,
        })
    }

    /// What [`provenance::Provenance::read`] needs: `repo_url`, `forge`, and the output
    /// folder relative to the root (left out of the dirty check).
    pub fn provenance_settings(&self) -> provenance::Settings {
        let out = self.out.strip_prefix(&self.root).ok().and_then(|rel| {
            let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
            parts.map(|p| p.join("/")).filter(|p| !p.is_empty())
        });
        provenance::Settings { repo_url: self.repo_url.clone(), forge: self.forge, out }
    }
}

/// Whether a root-relative path written in the configuration leaves the root: absolute,
/// with a drive (`C:`) or a `..` component.
fn leaves_root(p: &str) -> bool {
    p.starts_with('/') || p.contains(':') || p.split(['/', '\\']).any(|c| c == "..")
}

/// Whether a markdown file's name says it describes the process: one of its words
/// (split at `-`, `_`, `.` and spaces, compared without case) is `plan`, `process`,
/// `workflow`, `guide`, `convention(s)`, `rules`, `contributing`, `coordinating`,
/// `methodology` or `runbook` (`PLAN.md`, `PLAN-TEMPLATE.md`, `RULES.md`,
/// `documentation-style-guide.md`). These files directly in `dev-docs/` and `docs/` are
/// the default guides.
pub fn is_guide_name(name: &str) -> bool {
    const WORDS: &[&str] = &[
        "plan",
        "process",
        "workflow",
        "guide",
        "convention",
        "conventions",
        "rules",
        "contributing",
        "coordinating",
        "methodology",
        "runbook",
    ];
    let Some(stem) = name.strip_suffix(".md").or_else(|| name.strip_suffix(".MD")) else { return false };
    stem.split(['-', '_', '.', ' ']).any(|w| WORDS.contains(&w.to_ascii_lowercase().as_str()))
}

/// Checks `repo_url`: a web address (or a remote URL naming a host) that
/// [`provenance::web_url`] can read.
fn check_repo_url(url: &Spanned<String>) -> Result<(), (Range<usize>, String)> {
    match provenance::web_url(url.get_ref()) {
        Some(_) => Ok(()),
        None => Err((
            url.span(),
            "repo_url is not a repository's web address; write it as `https://github.com/OWNER/REPO`".into(),
        )),
    }
}

/// The `test_results` globs: where the JUnit XML reports are.
#[derive(Debug, Default)]
pub struct TestResults {
    /// The globs as written.
    pub globs: Vec<String>,
    /// The globs compiled, matched against root-relative `/`-separated paths.
    pub set: GlobSet,
}

impl TestResults {
    /// Compiles `globs`. Errors: a glob that does not compile, or one that is absolute
    /// or climbs out of the root (`..`): reports are read only under the root.
    pub fn new(globs: &[String]) -> Result<TestResults> {
        for g in globs {
            if g.starts_with('/') || g.split(['/', '\\']).any(|c| c == "..") || g.contains(':') {
                bail!(
                    "{FILE_NAME}: `test_results` glob `{g}` leaves the project root; write it relative to \
                     the root (`reports/**/*.xml`)"
                );
            }
        }
        Ok(TestResults { globs: globs.to_vec(), set: globset(globs, "test_results")? })
    }

    /// Whether any report is configured.
    pub fn is_empty(&self) -> bool {
        self.globs.is_empty()
    }

    /// The folders (root-relative, `/`-separated, `""` for the root) to walk for
    /// reports: each glob's leading components without a glob character, deduplicated.
    pub fn bases(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .globs
            .iter()
            .map(|g| {
                let parts: Vec<&str> = g.split('/').collect();
                let literal = parts[..parts.len().saturating_sub(1)]
                    .iter()
                    .take_while(|c| !c.contains(['*', '?', '[', '{', '\\']))
                    .copied()
                    .filter(|c| !c.is_empty() && *c != ".")
                    .collect::<Vec<_>>();
                literal.join("/")
            })
            .collect();
        out.sort();
        out.dedup();
        // A base under another base is walked with it.
        let all = out.clone();
        out.retain(|b| !all.iter().any(|a| a != b && (a.is_empty() || b.starts_with(&format!("{a}/")))));
        out
    }
}

/// Parses `tracemark.toml` text. The error reads `line:column: message` (toml's
/// message names an unknown key and lists the valid ones; a bad `[severity]` entry
/// names its key).
pub fn parse(text: &str) -> Result<RawConfig, String> {
    let raw = toml::from_str::<RawConfig>(text).map_err(|e| at(text, e.span(), e.message()))?;
    if let Some(table) = &raw.severity {
        severity_table(table).map_err(|(span, msg)| at(text, Some(span), &msg))?;
    }
    if let Some(table) = &raw.kinds {
        grammar(table).map_err(|(span, msg)| at(text, Some(span), &msg))?;
    }
    if let Some(url) = &raw.repo_url {
        check_repo_url(url).map_err(|(span, msg)| at(text, Some(span), &msg))?;
    }
    Ok(raw)
}

/// `line:column: message` for a byte span of `text` (1:1 when there is none).
fn at(text: &str, span: Option<Range<usize>>, message: &str) -> String {
    let (line, col) = span
        .map(|s| {
            let before = &text[..s.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let col = before.len() - before.rfind('\n').map(|i| i + 1).unwrap_or(0) + 1;
            (line, col)
        })
        .unwrap_or((1, 1));
    format!("{line}:{col}: {}", message.trim())
}

/// Validates the `[severity]` table. An error carries the span of the offending key or
/// value and a message naming the key.
fn severity_table(
    table: &BTreeMap<Spanned<String>, Spanned<String>>,
) -> Result<BTreeMap<Code, Option<Severity>>, (Range<usize>, String)> {
    let mut out = BTreeMap::new();
    for (key, value) in table {
        let name = key.get_ref();
        let Some(code) = Code::from_name(name) else {
            let known: Vec<String> = Code::ALL.iter().map(|c| format!("`{}`", c.name())).collect();
            return Err((
                key.span(),
                format!("unknown finding code `{name}` in [severity]; expected one of {}", known.join(", ")),
            ));
        };
        let level = match value.get_ref().as_str() {
            "error" => Some(Severity::Error),
            "warning" => Some(Severity::Warning),
            "note" => Some(Severity::Note),
            "off" => None,
            other => {
                return Err((
                    value.span(),
                    format!("[severity] `{name}` = `{other}`: expected `error`, `warning`, `note` or `off`"),
                ));
            }
        };
        out.insert(code, level);
    }
    Ok(out)
}

/// Kind names that tracemark reads from fixed shapes and that a project cannot
/// redefine.
const FIXED_KINDS: [&str; 5] = ["plan", "phase", "checklist", "gate", "gap"];

/// Validates the `[kinds]` tables into a [`Grammar`] (the built-in `task` and `risk`
/// kinds, overridden or extended). An error carries the span of the offending key or
/// value and a message naming it (`kinds.task.pattern`).
fn grammar(table: &BTreeMap<Spanned<String>, Spanned<RawKind>>) -> Result<Grammar, (Range<usize>, String)> {
    let mut g = Grammar::default();
    for (key, value) in table {
        let name = key.get_ref();
        let kind = value.get_ref();
        if FIXED_KINDS.contains(&name.as_str()) {
            return Err((
                key.span(),
                format!("[kinds.{name}]: `{name}` is built in and cannot be configured"),
            ));
        }
        let valid_name = name.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
            && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !valid_name {
            return Err((
                key.span(),
                format!("[kinds.{name}]: a kind name is lower-case letters, digits and `-` (`scenario`)"),
            ));
        }
        let tags = match &kind.tags {
            Some(tags) => {
                for t in tags.get_ref() {
                    let ok = t.len() > 1
                        && t.starts_with('@')
                        && t[1..].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
                    if !ok || t == "@plan" || t.starts_with("@requirement") && name != "requirement" {
                        return Err((
                            tags.span(),
                            format!(
                                "kinds.{name}.tags: `{t}` is not a usable marker tag; write `@` and a word \
                                 (`@{name}`), other than `@plan` and `@requirement`"
                            ),
                        ));
                    }
                }
                Some(tags.get_ref().clone())
            }
            None => None,
        };
        let bad_regex = |e: String| {
            let span = kind.pattern.as_ref().map_or_else(|| key.span(), |p| p.span());
            (span, format!("kinds.{name}.pattern is not a valid regex: {e}"))
        };
        let pattern = kind.pattern.as_ref().map(|p| p.get_ref().clone());
        if name == "requirement" {
            if let Some(p) = pattern {
                let re = regex::Regex::new(&format!("^(?:{p})$")).map_err(|e| bad_regex(e.to_string()))?;
                g.requirement = Some(re);
            }
            g.requirement_tags = tags.unwrap_or_default();
            continue;
        }
        let existing = g.kinds.iter().position(|k| k.name == *name);
        let Some(pattern) = pattern.or_else(|| existing.map(|i| g.kinds[i].pattern.clone())) else {
            return Err((
                key.span(),
                format!("[kinds.{name}] needs a `pattern`, a regex for its IDs (`pattern = 'SC-\\d+'`)"),
            ));
        };
        let compiled = ItemKind::new(name, &pattern, tags.unwrap_or_else(|| vec![format!("@{name}")]))
            .map_err(bad_regex)?;
        match existing {
            Some(i) => g.kinds[i] = compiled,
            None => g.kinds.push(compiled),
        }
    }
    Ok(g)
}

fn globset(globs: &[String], key: &str) -> Result<GlobSet> {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        let glob = Glob::new(g).with_context(|| format!("{FILE_NAME}: invalid `{key}` glob `{g}`"))?;
        b.add(glob);
    }
    b.build().with_context(|| format!("{FILE_NAME}: invalid `{key}` globs"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_names_the_key_and_line() {
        let err = parse("title = \"x\"\ntitel = \"y\"\n").unwrap_err();
        assert!(err.starts_with("2:1: "), "{err}");
        assert!(err.contains("unknown field `titel`"), "{err}");
    }

    #[test]
    fn severity_table_maps_codes_to_levels() {
        let text = "[severity]\ndangling-reference = \"error\"\nuncovered-requirement = \"off\"\n";
        let raw = parse(text).unwrap();
        let c = Config::from_raw(PathBuf::from("/p"), raw, None).unwrap();
        assert_eq!(c.severity.get(&Code::DanglingReference), Some(&Some(Severity::Error)));
        assert_eq!(c.severity.get(&Code::UncoveredRequirement), Some(&None));
        assert_eq!(c.severity.len(), 2);
    }

    #[test]
    fn unknown_severity_code_names_the_line_and_key() {
        let err = parse("title = \"x\"\n[severity]\ndangling-refs = \"error\"\n").unwrap_err();
        assert!(err.starts_with("3:1: "), "{err}");
        assert!(err.contains("unknown finding code `dangling-refs`"), "{err}");
        assert!(err.contains("`dangling-reference`"), "{err}");
    }

    #[test]
    fn unknown_severity_level_names_the_line_and_key() {
        let err = parse("[severity]\nencoding = \"note\"\nunreadable = \"fatal\"\n").unwrap_err();
        assert!(err.starts_with("3:14: "), "{err}");
        assert!(err.contains("`unreadable` = `fatal`"), "{err}");
    }

    #[test]
    fn defaults_fit_the_convention() {
        let c = Config::from_raw(PathBuf::from("/p/demo"), RawConfig::default(), None).unwrap();
        assert_eq!(c.title, "demo");
        assert_eq!(c.out, PathBuf::from("/p/demo/public"));
        assert_eq!(c.plans, vec!["project-plans".to_string()]);
        assert!(!c.plans_configured);
        assert!(c.include.is_none());
        assert_eq!(c.excerpt_lines, 40);
        assert_eq!(c.highlighter, HighlighterChoice::TreeSitter);
    }

    #[test]
    fn highlighter_is_chosen_by_name() {
        assert_eq!(
            parse("highlighter = \"syntect\"\n").unwrap().highlighter,
            Some(HighlighterChoice::Syntect)
        );
        assert_eq!(
            parse("highlighter = \"tree-sitter\"\n").unwrap().highlighter,
            Some(HighlighterChoice::TreeSitter)
        );
        let err = parse("highlighter = \"pygments\"\n").unwrap_err();
        assert!(err.starts_with("1:15: ") && err.contains("tree-sitter") && err.contains("syntect"), "{err}");
    }

    #[test]
    fn repo_url_and_forge() {
        let raw = parse("repo_url = \"https://git.example.org/acme/widgets\"\nforge = \"gitea\"\n").unwrap();
        let c = Config::from_raw(PathBuf::from("/p"), raw, None).unwrap();
        assert_eq!(c.repo_url.as_deref(), Some("https://git.example.org/acme/widgets"));
        assert_eq!(c.forge, Some(Forge::Gitea));
        let s = c.provenance_settings();
        assert_eq!(s.out.as_deref(), Some("public"));
        let err = parse("title = \"x\"\nrepo_url = \"/srv/git/widgets\"\n").unwrap_err();
        assert!(err.starts_with("2:12: ") && err.contains("repo_url"), "{err}");
        let err = parse("forge = \"sourcehut\"\n").unwrap_err();
        assert!(err.starts_with("1:9: ") && err.contains("github") && err.contains("bitbucket"), "{err}");
        let c = Config::from_raw(PathBuf::from("/p"), RawConfig::default(), Some(Path::new("/elsewhere")))
            .unwrap();
        assert_eq!(c.provenance_settings().out, None);
    }

    #[test]
    fn test_results_globs_compile_and_name_their_base_folders() {
        let raw =
            parse("test_results = [\"reports/**/*.xml\", \"reports/unit/*.xml\", \"junit.xml\"]\n").unwrap();
        let c = Config::from_raw(PathBuf::from("/p"), raw, None).unwrap();
        assert!(c.test_results.set.is_match("reports/a/b.xml"));
        assert!(c.test_results.set.is_match("junit.xml"));
        assert!(!c.test_results.set.is_match("src/a.xml"));
        assert_eq!(c.test_results.bases(), vec![String::new()]);
        let t = TestResults::new(&["reports/**/*.xml".into(), "target/nextest/ci/junit.xml".into()]).unwrap();
        assert_eq!(t.bases(), vec!["reports".to_string(), "target/nextest/ci".to_string()]);
        assert!(TestResults::new(&[]).unwrap().is_empty());
    }

    #[test]
    fn test_results_outside_the_root_are_refused() {
        for g in ["../other/*.xml", "/etc/*.xml", "a/../../b.xml"] {
            let err = TestResults::new(&[g.to_string()]).unwrap_err();
            assert!(format!("{err:#}").contains("leaves the project root"), "{g}: {err:#}");
        }
    }

    #[test]
    fn test_results_is_a_known_key_and_typos_name_their_line() {
        let err = parse("title = \"x\"\ntest_result = [\"a.xml\"]\n").unwrap_err();
        assert!(err.starts_with("2:1: ") && err.contains("test_results"), "{err}");
    }

    #[test]
    fn guides_are_found_by_name_and_kept_in_the_root() {
        for g in
            ["PLAN.md", "PLAN-TEMPLATE.md", "RULES.md", "documentation-style-guide.md", "CONTRIBUTING.md"]
        {
            assert!(is_guide_name(g), "{g}");
        }
        for n in ["explanation.md", "planner.md", "PLAN.txt", "index.md"] {
            assert!(!is_guide_name(n), "{n}");
        }
        let raw = parse("guides = [\"dev-docs/PLAN.md\"]\n").unwrap();
        let c = Config::from_raw(PathBuf::from("/r"), raw, None).unwrap();
        assert_eq!(c.guides, Some(vec!["dev-docs/PLAN.md".to_string()]));
        let raw = parse("guides = [\"../x.md\"]\n").unwrap();
        let err = Config::from_raw(PathBuf::from("/r"), raw, None).unwrap_err().to_string();
        assert!(err.contains("`guides` entry `../x.md` leaves the project root"), "{err}");
    }

    #[test]
    fn bad_glob_is_an_error_naming_the_key() {
        let raw = RawConfig { exclude: Some(vec!["a/[".into()]), ..Default::default() };
        let err = Config::from_raw(PathBuf::from("/p"), raw, None).unwrap_err();
        assert!(format!("{err:#}").contains("invalid `exclude` glob `a/[`"), "{err:#}");
    }
}
