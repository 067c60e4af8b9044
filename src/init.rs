//! `tracemark init`: writes a commented `tracemark.toml` that shows every key with its
//! default, so a project can see at a glance what it may change.

use crate::config::FILE_NAME;
use crate::diagnostic::Code;
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};

/// The commented configuration: every key of `tracemark.toml`, commented out, set to its
/// default. The `[severity]` table lists every finding code with its default severity.
pub fn template() -> String {
    let mut s = String::from(
        "# tracemark configuration. Every key is optional; the values shown are the defaults.\n\
         # Uncomment a line to change it. Unknown keys are an error.\n\
         \n\
         # Site title (default: the project folder's name).\n\
         # title = \"My project\"\n\
         \n\
         # Output folder, relative to this file's folder.\n\
         # out = \"public\"\n\
         \n\
         # Plan roots: each folder under a root is a plan folder; each .md file directly in a\n\
         # root is a one-file plan.\n\
         # plans = [\"project-plans\"]\n\
         \n\
         # Globs of files to scan for markers (default: every file; plan roots are always read).\n\
         # include = [\"**\"]\n\
         \n\
         # Globs of files never read, on top of .gitignore, .git, node_modules and target.\n\
         # exclude = []\n\
         \n\
         # Theme: templates in themes/<name>/templates/ and files in themes/<name>/static/\n\
         # override the built-in ones.\n\
         # theme = \"default\"\n\
         \n\
         # Longest code excerpt on a requirement page, in lines.\n\
         # excerpt_lines = 40\n\
         \n\
         # Files larger than this many bytes are skipped with a diagnostic.\n\
         # max_file_size = 8388608\n\
         \n\
         # The repository's process guides (markdown), rendered as pages and linked from the\n\
         # start page (default: the .md files directly in dev-docs/ and docs/ whose name has\n\
         # the word plan, process, workflow, guide, convention, rules, contributing,\n\
         # coordinating, methodology or runbook).\n\
         # guides = [\"dev-docs/PLAN.md\"]\n\
         \n\
         # Syntax highlighter: \"tree-sitter\" (tree-sitter grammars for the common languages,\n\
         # syntect for the rest) or \"syntect\" (syntect for every language).\n\
         # highlighter = \"tree-sitter\"\n\
         \n\
         # The repository's web address: every page's footer links to the commit the site\n\
         # shows, and every excerpt and source line to that commit on the forge (default:\n\
         # read from the `origin` remote; credentials in it are dropped).\n\
         # repo_url = \"https://github.com/OWNER/REPO\"\n\
         \n\
         # The forge of repo_url: \"github\", \"gitlab\", \"gitea\" (also Forgejo) or \"bitbucket\"\n\
         # (default: known from the host: github.com, gitlab.*, codeberg.org, gitea.*,\n\
         # bitbucket.org; another host gets no permalinks unless this is set).\n\
         # forge = \"github\"\n\
         \n\
         # JUnit XML test reports (default: none; vitest/jest, pytest, cargo-nextest, Surefire,\n\
         # go-junit-report), globs relative to this file's folder: each test case is matched to\n\
         # the traces of its test, and requirements show as verified, failing or unverified.\n\
         # `--test-results GLOB` (repeatable) replaces this list for one run.\n\
         # test_results = [\"reports/**/*.xml\"]\n\
         \n\
         # A git revision to compare the site with (default: none): the site gets a page,\n\
         # diff.html, linked from the index, listing requirements added, removed and reworded,\n\
         # coverage gained and lost, phases completed and findings new and resolved since it.\n\
         # `--diff-base REV` sets it for one build; `tracemark diff A..B` compares any two.\n\
         # diff_base = \"origin/main\"\n\
         \n\
         # Item kinds besides requirements and phases: an ID pattern (a regex matched against\n\
         # whole tokens) and the marker tags that trace code to items of the kind. `task` and\n\
         # `risk` are built in; declare your own the same way (a `scenario` kind with the\n\
         # pattern 'SC-\\d+' and the tag \"@scenario\"). Gates, checklists and spec gaps are read\n\
         # from fixed shapes.\n\
         # [kinds.task]\n\
         # pattern = 'T-[0-9]{3,}'\n\
         # tags = [\"@task\"]\n\
         \n\
         # [kinds.risk]\n\
         # pattern = '(?:NEW-)?RISK-[0-9]{3,}|R-[0-9]{3,}'\n\
         # tags = [\"@risk\"]\n\
         \n\
         # Requirements: by default any REQ-… or ID-shaped token with a digit is a requirement\n\
         # ID; a pattern restricts them (others become unresolved-marker findings), and tags\n\
         # adds marker tags meaning @requirement.\n\
         # [kinds.requirement]\n\
         # pattern = 'REQ-[A-Z0-9]+-[0-9]{3}(?:\\.[0-9]+)?'\n\
         # tags = []\n\
         \n\
         # Severity of each finding code: \"error\", \"warning\", \"note\" or \"off\". A code shown\n\
         # as \"off\" is opt-in: give it a level to list its findings.\n\
         # `tracemark check` (and `build --fail-on-error`) exits 1 when a finding is an error;\n\
         # with `--baseline FILE`, only when a finding that is not in the baseline is.\n\
         # Each code is shown with its default and why (docs/findings.md has more).\n\
         # [severity]\n",
    );
    for code in Code::ALL {
        s.push_str(&format!(
            "# {}\n#   default {}\n# {} = \"{}\"\n",
            code.summary(),
            code.why_default(),
            code.name(),
            code.default_label()
        ));
    }
    s
}

/// Writes the template to `<root>/tracemark.toml`. Errors when the root is not a folder,
/// or when the file exists and `force` is false (the message says how to overwrite).
pub fn write(root: &Path, force: bool) -> Result<PathBuf> {
    if !root.is_dir() {
        bail!("project root `{}` is not a folder", root.display());
    }
    let path = root.join(FILE_NAME);
    if path.exists() && !force {
        bail!("`{}` already exists; pass `--force` to overwrite it", path.display());
    }
    std::fs::write(&path, template()).with_context(|| format!("cannot write `{}`", path.display()))?;
    Ok(path)
}

/// Where `init --github-pages` writes its workflow, relative to the project root.
pub const PAGES_WORKFLOW: &str = ".github/workflows/tracemark.yml";

/// What to switch on in the repository after `init --github-pages`, printed after it.
pub const PAGES_STEPS: &str = "next: commit the workflow, then in the repository's Settings → Pages set \"Source\" to \"GitHub Actions\"; every push to the default branch checks the project, builds the site and publishes it";

/// The GitHub Pages workflow: on a push to the default branch (or by hand), check out
/// the full history (provenance reads the commit and its date), install this version of
/// tracemark, run `tracemark check` (the CI gate: error findings fail the run), build
/// the site into `_site` and publish it with `actions/upload-pages-artifact` and
/// `actions/deploy-pages`.
pub fn pages_workflow() -> String {
    format!(
        r#"# Publishes the tracemark site of this repository to GitHub Pages.
# Written by `tracemark init --github-pages`; edit freely.
# In the repository's Settings -> Pages, set "Source" to "GitHub Actions".
name: tracemark

on:
  push:
    branches: [$default-branch]
  workflow_dispatch:

permissions:
  contents: read
  pages: write
  id-token: write

concurrency:
  group: pages
  cancel-in-progress: false

jobs:
  site:
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{{{ steps.deployment.outputs.page_url }}}}
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0 # the full history: the footer names the commit and its date
      - uses: actions/cache@v4
        with:
          path: ~/.cargo/bin/tracemark
          key: tracemark-{version}-${{{{ runner.os }}}}
      - name: Install tracemark
        run: command -v tracemark || cargo install --locked tracemark --version {version}
      - name: Check
        run: tracemark check . --format github
      - name: Build the site
        run: tracemark build . --out _site
      - name: Publish the site only
        # tracemark's marker of the folders it owns is not part of the site
        run: rm -f _site/.tracemark-output
      - uses: actions/configure-pages@v5
      - uses: actions/upload-pages-artifact@v3
        with:
          path: _site
      - id: deployment
        uses: actions/deploy-pages@v4
"#,
        version = env!("CARGO_PKG_VERSION")
    )
}

/// Writes [`pages_workflow`] to `<root>/.github/workflows/tracemark.yml`, creating the
/// folders. Errors when the root is not a folder, or when the file exists and `force`
/// is false; a symlink in its place is never written through.
pub fn write_pages_workflow(root: &Path, force: bool) -> Result<PathBuf> {
    if !root.is_dir() {
        bail!("project root `{}` is not a folder", root.display());
    }
    let path = root.join(PAGES_WORKFLOW);
    if std::fs::symlink_metadata(&path).is_ok() && !force {
        bail!("`{}` already exists; pass `--force` to overwrite it", path.display());
    }
    crate::site::output::write_file(&path, |w| Ok(w.write_all(pages_workflow().as_bytes())?))
        .with_context(|| format!("cannot write `{}`", path.display()))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The template with every commented `key = value` line uncommented.
    fn uncommented() -> String {
        template()
            .lines()
            .map(|l| match l.strip_prefix("# ") {
                Some(rest) if rest.starts_with('[') || rest.contains(" = ") => {
                    rest.split("    #").next().unwrap().to_string()
                }
                _ => l.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn template_parses_as_is_and_uncommented() {
        crate::config::parse(&template()).expect("the commented template is valid");
        let raw = crate::config::parse(&uncommented()).expect("every key shown is a real key");
        assert_eq!(raw.excerpt_lines, Some(40));
        assert_eq!(raw.max_file_size, Some(8 << 20));
        assert_eq!(raw.highlighter, Some(crate::config::HighlighterChoice::TreeSitter));
        assert_eq!(raw.plans, Some(vec!["project-plans".to_string()]));
        assert_eq!(raw.forge, Some(crate::provenance::Forge::GitHub));
        assert!(raw.repo_url.is_some());
        assert_eq!(raw.test_results, Some(vec!["reports/**/*.xml".to_string()]));
        assert!(uncommented().contains("\nuntested-requirement = \"off\"\n"), "opt-in is shown as off");
        assert_eq!(raw.severity.as_ref().map(|s| s.len()), Some(Code::ALL.len()), "every code is listed");
        assert_eq!(raw.kinds.as_ref().map(|k| k.len()), Some(3), "task, risk and requirement are shown");
        assert!(
            uncommented().contains("\ndangling-reference = \"error\"\n"),
            "a broken trace fails by default"
        );
        let uncommented = crate::config::Config::from_raw(std::env::temp_dir(), raw, None).expect("valid");
        let defaults = crate::grammar::Grammar::default();
        for (shown, default) in uncommented.grammar.kinds.iter().zip(&defaults.kinds) {
            assert_eq!(
                (&shown.name, &shown.pattern, &shown.tags),
                (&default.name, &default.pattern, &default.tags)
            );
        }
    }

    #[test]
    fn shows_every_key() {
        let t = template();
        for key in [
            "title",
            "out",
            "plans",
            "include",
            "exclude",
            "theme",
            "excerpt_lines",
            "max_file_size",
            "highlighter",
            "guides",
            "repo_url",
            "forge",
            "test_results",
            "diff_base",
            "[severity]",
            "[kinds.task]",
            "[kinds.risk]",
            "[kinds.requirement]",
            "pattern",
            "tags",
        ] {
            assert!(t.contains(&format!("# {key}")), "{key} missing");
        }
    }
}
