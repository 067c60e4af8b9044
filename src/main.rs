//! The `tracemark` binary: parses the command line and runs it; exit status 0 on
//! success, 1 when `check` (or `build --fail-on-error`) found an error, 2 when
//! tracemark could not run (bad config, unreadable root).

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = tracemark::cli::Cli::parse();
    match tracemark::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}
