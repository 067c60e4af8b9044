//! The command line: `tracemark build [ROOT]`, `check [ROOT]`, `bundle [ROOT]`,
//! `verify BUNDLE`, `init [ROOT]` and `serve [ROOT]`. Doc comments here become `--help`.

use crate::report::Format;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// tracemark: plans, specifications and code markers → a linked traceability site.
#[derive(Debug, Parser)]
#[command(name = "tracemark", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site: read plans and markers under ROOT and write pages to the output
    /// folder (`public/` under ROOT unless `--out` or `out` in tracemark.toml says otherwise).
    Build(BuildArgs),
    /// Check the project as a CI gate: read plans and markers under ROOT, write no site,
    /// and report every finding. Exit status 0 when no finding is an error, 1 when at
    /// least one is (severities can be raised in the `[severity]` table of
    /// tracemark.toml), 2 when tracemark could not run.
    Check(CheckArgs),
    /// Write an evidence bundle: the site, trace.json, the CSVs, evidence.json (commit,
    /// dirty state, tracemark version, SHA-256 of every input file), evidence.html (the
    /// same as a printable report) and MANIFEST.sha256
    /// (`sha256sum -c` checks it) as one deterministic tar.gz: the same commit gives the
    /// same bytes.
    Bundle(BundleArgs),
    /// Verify an evidence bundle (a tar.gz or the folder it was extracted to): recompute
    /// every hash of MANIFEST.sha256. Exit status 0 when intact, 1 naming each changed,
    /// missing, extra or refused file (or a damaged archive), 2 when tracemark could not
    /// run.
    Verify(VerifyArgs),
    /// Record a review of a reworded requirement: its suspect traces (code last changed
    /// before the requirement's text) are cleared while the text stays as it is now.
    /// Writes `.tracemark/reviews.toml` under ROOT, to be committed.
    Review(ReviewArgs),
    /// Compare two revisions: requirements added, removed and reworded, coverage gained
    /// and lost, phases completed and reopened, findings new and resolved. Both
    /// revisions are read from git (the work tree is not touched).
    Diff(DiffArgs),
    /// Write a commented tracemark.toml into ROOT showing every key with its default.
    Init(InitArgs),
    /// Live preview: build the site, serve the output folder on 127.0.0.1, rebuild when a
    /// file under ROOT changes and reload open pages. A failed build keeps the last good
    /// site and shows the error in the browser. Ctrl-C stops.
    #[cfg(feature = "serve")]
    Serve(ServeArgs),
}

/// Arguments of `tracemark serve`.
#[cfg(feature = "serve")]
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Project root: the folder holding `tracemark.toml` (optional) and `project-plans/`.
    #[arg(default_value = ".")]
    pub root: PathBuf,
    /// Output folder (default: `out` from tracemark.toml, else ROOT/public).
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Build into a non-empty output folder that tracemark did not create (files it does
    /// not write are kept; files named like its pages are replaced, and reported).
    #[arg(long)]
    pub force: bool,
    /// Port on 127.0.0.1; 0 picks a free one (the URL is printed).
    #[arg(long, default_value_t = 1111)]
    pub port: u16,
}

/// Arguments of `tracemark bundle`.
#[derive(Debug, clap::Args)]
pub struct BundleArgs {
    /// Project root: the folder holding `tracemark.toml` (optional) and `project-plans/`.
    #[arg(default_value = ".")]
    pub root: PathBuf,
    /// The archive to write (`evidence.tar.gz`); its name without `.tar.gz` is the
    /// folder it holds. Replaced if it exists.
    #[arg(long, short, value_name = "FILE")]
    pub out: PathBuf,
    /// Print how long each stage took (the build's, then `sha256` and `archive`).
    #[arg(long)]
    pub timings: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Arguments of `tracemark verify`.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The bundle: a `.tar.gz` written by `tracemark bundle`, or the folder it was
    /// extracted to.
    pub bundle: PathBuf,
    /// Also compare the bundle's input manifest with the files of this checkout, and
    /// name each input changed, missing or new.
    #[arg(long, value_name = "ROOT")]
    pub against: Option<PathBuf>,
}

/// Arguments of `tracemark diff`.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// `[ROOT] A..B`: the project root (default `.`) and the revisions to compare
    /// (`HEAD~1..HEAD`, `v1.0..main`; `A..` compares A with HEAD).
    #[arg(value_name = "[ROOT] A..B", num_args = 1..=2, required = true)]
    pub args: Vec<String>,
    /// Output format on standard output.
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
    /// Also write `diff.html` and `diff.json` into this folder (for instance the built
    /// site's folder, whose stylesheet the page uses).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// The output formats of `tracemark diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// One heading per kind of change, one line per change.
    Text,
    /// The whole comparison as JSON (`tracemark_diff`: 1).
    Json,
    /// An HTML page.
    Html,
}

/// Arguments of `tracemark review`.
#[derive(Debug, clap::Args)]
pub struct ReviewArgs {
    /// The requirement ID (`REQ-SP4-003`).
    pub requirement: String,
    /// The plan that defines it, when several plans define the ID.
    #[arg(long)]
    pub plan: Option<String>,
    /// Project root: the folder holding `tracemark.toml` (optional) and `project-plans/`.
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// The reviewer's name (default: `git config user.name`, else `$USER`).
    #[arg(long)]
    pub reviewer: Option<String>,
}

/// Arguments of `tracemark init`.
#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Project root, where tracemark.toml is written.
    #[arg(default_value = ".")]
    pub root: PathBuf,
    /// Overwrite an existing tracemark.toml (or, with `--github-pages`, workflow).
    #[arg(long)]
    pub force: bool,
    /// Write `.github/workflows/tracemark.yml` instead: a GitHub Actions workflow that
    /// checks the project, builds the site and publishes it to GitHub Pages.
    #[arg(long)]
    pub github_pages: bool,
}

/// Arguments of `tracemark build`.
#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    /// Project root: the folder holding `tracemark.toml` (optional) and `project-plans/`.
    #[arg(default_value = ".")]
    pub root: PathBuf,
    /// Output folder (default: `out` from tracemark.toml, else ROOT/public).
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Build into a non-empty output folder that tracemark did not create (files it does
    /// not write are kept; files named like its pages are replaced, and reported).
    #[arg(long)]
    pub force: bool,
    /// Print how long each stage took.
    #[arg(long)]
    pub timings: bool,
    /// Print every diagnostic, not only the count per code.
    #[arg(long, short)]
    pub verbose: bool,
    /// Print nothing but errors.
    #[arg(long, short, conflicts_with = "verbose")]
    pub quiet: bool,
    /// A JUnit XML report glob, relative to ROOT (repeatable): replaces `test_results` of
    /// tracemark.toml for this run. Test cases are matched to the traces of their tests.
    #[arg(long = "test-results", value_name = "GLOB")]
    pub test_results: Vec<String>,
    /// Exit with status 1 (after writing the site) when a finding has severity error,
    /// as `tracemark check` does.
    #[arg(long)]
    pub fail_on_error: bool,
    /// Compare the site with this git revision (`origin/main`): adds `diff.html`, linked
    /// from the index. Replaces `diff_base` of tracemark.toml.
    #[arg(long, value_name = "REV")]
    pub diff_base: Option<String>,
}

/// Arguments of `tracemark check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Project root: the folder holding `tracemark.toml` (optional) and `project-plans/`.
    #[arg(default_value = ".")]
    pub root: PathBuf,
    /// Output format of the report, written to standard output. With `--format github`
    /// and `$GITHUB_STEP_SUMMARY` set, a markdown job summary is appended to that file.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// A JUnit XML report glob, relative to ROOT (repeatable): replaces `test_results` of
    /// tracemark.toml for this run. Test cases are matched to the traces of their tests.
    #[arg(long = "test-results", value_name = "GLOB")]
    pub test_results: Vec<String>,
    /// Fail only on findings that are not in this baseline file (written by
    /// `--write-baseline`); baselined findings are counted, shown in SARIF and JSON with
    /// their state, and do not fail. Says how many baseline findings are gone.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record today's findings in FILE (JSON, sorted, one entry per fingerprint: code,
    /// path and the offending line's text, not its line number), print nothing else and
    /// exit 0.
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    pub write_baseline: Option<PathBuf>,
}
