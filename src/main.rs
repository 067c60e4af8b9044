//! The `tracemark` binary: parses the command line and runs it; exit status 0 on
//! success, 1 when `check` (or `build --fail-on-error`) found an error, 2 when
//! tracemark could not run (bad config, unreadable root).

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    return_freed_memory();
    let cli = tracemark::cli::Cli::parse();
    match tracemark::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

/// glibc's allocator gives freed memory back to the system once more than its trim
/// threshold (128 KiB) lies free at the top of an arena, but raises that threshold, up
/// to 64 MiB, each time a large block is freed: after the first big buffers of a build
/// (a file read, `trace.json`) it keeps tens of megabytes it no longer uses. Fixing the
/// threshold at its default keeps peak memory down (a 41,000-file project: 150 MB
/// instead of 164 MB; llxprt-code: 191 MB instead of 202 MB), with build times equal
/// within the noise of the machine. Elsewhere, nothing to do.
fn return_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `mallopt` only sets a parameter of the allocator, and this runs first in
    // `main`, before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_TRIM_THRESHOLD, 128 * 1024);
    }
}
