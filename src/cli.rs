//! The command line: `tracemark build [ROOT]`. Doc comments here become `--help`.

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
    /// Print how long each stage took.
    #[arg(long)]
    pub timings: bool,
    /// Print every diagnostic, not only the count per code.
    #[arg(long, short)]
    pub verbose: bool,
    /// Print nothing but errors.
    #[arg(long, short, conflicts_with = "verbose")]
    pub quiet: bool,
}
