//! tracemark: a static-site generator for requirements traceability.
//!
//! The pipeline, one module a stage: `config` (tracemark.toml) → `plan` (plan folders:
//! plans, requirements, phases) and `source` (code markers → traces) → `model` (the
//! cross-reference) → `render` (pages, no I/O) → `site` (walk, timed stages, write);
//! `report` turns the findings into `tracemark check`'s output formats.

/// The build identity: the package version and a hash of the sources, templates and
/// `Cargo.lock` this binary was built from (`build.rs`), e.g. `0.1.0+3f2a…`. Every cache
/// key and cache header carries it, so a changed renderer never reuses what an older
/// binary of the same version cached.
pub const BUILD: &str = env!("TRACEMARK_BUILD");

pub mod baseline;
pub mod bundle;
pub mod cache;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod grammar;
pub mod history;
pub mod init;
pub mod model;
pub mod plan;
pub mod provenance;
pub mod render;
pub mod report;
pub mod results;
pub mod revdiff;
pub mod site;
pub mod source;
pub mod suspect;
pub mod text;

use anyhow::Result;
use cli::{BuildArgs, BundleArgs, CheckArgs, Cli, Command, DiffArgs, InitArgs, ReviewArgs, VerifyArgs};
use std::collections::BTreeMap;
use std::process::ExitCode;

/// Runs one command line. Returns the exit status for a run that completed; an error
/// means tracemark itself could not run (the binary exits 2).
pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Build(args) => build(&args),
        Command::Check(args) => check(&args),
        Command::Init(args) => init(&args),
        Command::Bundle(args) => bundle(&args),
        Command::Verify(args) => verify(&args),
        Command::Review(args) => review(&args),
        Command::Diff(args) => diff(&args),
        #[cfg(feature = "serve")]
        Command::Serve(args) => serve(&args),
    }
}

/// `tracemark serve`: build, serve on 127.0.0.1, rebuild on change; runs until Ctrl-C.
#[cfg(feature = "serve")]
fn serve(args: &cli::ServeArgs) -> Result<ExitCode> {
    let opts = site::serve::Options {
        root: args.root.clone(),
        out: args.out.clone(),
        port: args.port,
        force: args.force,
    };
    site::serve::serve(&opts, |config, built| {
        for n in &built.notices {
            eprintln!("{n}");
        }
        println!("built: {}", summary(config, built));
    })?;
    Ok(ExitCode::SUCCESS)
}

/// The one-line summary of a build.
fn summary(config: &config::Config, built: &site::Built) -> String {
    let s = &built.project.summary;
    format!(
        "{} plans, {} requirements ({} covered), {} phases ({} done), {} traces ({} in code) from {} markers in {} files, {} diagnostics; {} pages ({} written, {} removed) in {} [{:.2} s]",
        s.plans,
        s.requirements,
        s.covered_requirements,
        s.phases,
        s.phases_done,
        s.traces,
        s.code_traces,
        s.markers,
        s.marked_files,
        s.diagnostics,
        built.pages,
        built.written,
        built.removed,
        config.out.display(),
        built.timings.total().as_secs_f64()
    )
}

/// `tracemark bundle`: build in memory and write the evidence archive.
fn bundle(args: &BundleArgs) -> Result<ExitCode> {
    let config = config::Config::load(&args.root, None)?;
    let w = bundle::bundle(&config, &args.out)?;
    if !args.quiet {
        for n in &w.notices {
            eprintln!("{n}");
        }
        let e = &w.evidence;
        if e.dirty == Some(true) {
            eprintln!(
                "warning: the work tree differs from commit {} in {} tracked files (listed in {}); the bundle shows the files as they are",
                e.commit.as_deref().unwrap_or("?"),
                e.modified.len(),
                bundle::EVIDENCE
            );
        }
        let commit = match (&e.commit, e.dirty) {
            (Some(c), Some(true)) => format!("commit {c} + {} modified files", e.modified.len()),
            (Some(c), _) => format!("commit {c}"),
            _ => "no git commit".into(),
        };
        if args.timings {
            print_timings(&w.timings);
        }
        let secs = w.timings.total().as_secs_f64();
        println!(
            "wrote {}: {}/ with {} files ({} inputs hashed), {:.1} MiB, {commit} [{secs:.2} s]",
            args.out.display(),
            w.folder,
            w.files,
            e.inputs.len(),
            w.bytes as f64 / (1024.0 * 1024.0)
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `tracemark verify`: each problem on its own line, then a summary; exit 1 when any.
fn verify(args: &VerifyArgs) -> Result<ExitCode> {
    let report = bundle::verify::verify(&args.bundle, args.against.as_deref())?;
    let name = args.bundle.display();
    for p in &report.problems {
        println!("{name}: {p}");
    }
    let commit = report
        .evidence
        .as_ref()
        .and_then(|e| {
            e.commit
                .as_deref()
                .map(|c| format!(" (commit {c}{})", if e.dirty == Some(true) { ", dirty" } else { "" }))
        })
        .unwrap_or_default();
    let against = match &args.against {
        Some(root) => format!("; {} inputs compared with {}", report.inputs_compared, root.display()),
        None => String::new(),
    };
    if report.ok() {
        println!("{name}: intact: {} files match {}{commit}{against}", report.checked, bundle::MANIFEST);
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("error: {name}: {} problems{commit}{against}", report.problems.len());
        Ok(ExitCode::from(1))
    }
}

/// Each stage's time and the peak memory after it, one line each on standard error.
fn print_timings(t: &site::Timings) {
    for (i, (stage, d)) in t.stages.iter().enumerate() {
        match t.peaks.get(i).copied().flatten() {
            Some(kib) => eprintln!("  {stage:<11} {:>8.3} s  peak {:>5} MiB", d.as_secs_f64(), kib / 1024),
            None => eprintln!("  {stage:<11} {:>8.3} s", d.as_secs_f64()),
        }
    }
}

/// `tracemark diff`: compare two revisions and print (and with `--out`, write) the result.
fn diff(args: &DiffArgs) -> Result<ExitCode> {
    use anyhow::{Context as _, bail};
    let (root, range) = match args.args.as_slice() {
        [range] => (std::path::PathBuf::from("."), range.as_str()),
        [root, range] => (std::path::PathBuf::from(root), range.as_str()),
        _ => bail!("give a range A..B, optionally after the project root"),
    };
    let (a, b) = revdiff::parse_range(range)?;
    let d = revdiff::diff(&root, &a, &b)?;
    let json = serde_json::to_string_pretty(&d)?;
    let html = revdiff::to_html(&d);
    match args.format {
        cli::DiffFormat::Text => print!("{}", d.to_text()),
        cli::DiffFormat::Json => println!("{json}"),
        cli::DiffFormat::Html => print!("{html}"),
    }
    if let Some(out) = &args.out {
        if std::fs::symlink_metadata(out).is_ok_and(|m| !m.is_dir()) {
            bail!("`{}` is not a folder (a symlink?); nothing is written through it", out.display());
        }
        std::fs::create_dir_all(out).with_context(|| format!("cannot create `{}`", out.display()))?;
        for (name, bytes) in [("diff.html", html.as_bytes()), ("diff.json", json.as_bytes())] {
            site::output::replace(&out.join(name), bytes)
                .with_context(|| format!("cannot write `{}`", out.join(name).display()))?;
        }
        eprintln!("wrote {0}/diff.html and {0}/diff.json", out.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// `tracemark review`: record that a requirement's current text was reviewed against
/// its traces ([`suspect::Reviews`]), and say how many suspect traces that clears.
///
/// Errors: no plan defines the ID, several do and `--plan` names none of them, or the
/// review record cannot be read or written.
fn review(args: &ReviewArgs) -> Result<ExitCode> {
    use anyhow::{Context as _, bail};
    let config = config::Config::load(&args.root, None)?;
    let project = site::analyse(&config, &mut site::Timings::default())?;
    let keys: Vec<model::ReqKey> = project
        .requirement_index
        .get(&args.requirement)
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|k| args.plan.as_ref().is_none_or(|p| project.plans[k.plan].id.eq_ignore_ascii_case(p)))
        .collect();
    let key = match keys.as_slice() {
        [k] => *k,
        [] => match &args.plan {
            Some(p) => bail!("plan {p} defines no requirement {}", args.requirement),
            None => bail!("no plan defines a requirement {}", args.requirement),
        },
        many => {
            let plans: Vec<&str> = many.iter().map(|k| project.plans[k.plan].id.as_str()).collect();
            bail!(
                "{} is defined by {} plans ({}); name one with --plan",
                args.requirement,
                many.len(),
                plans.join(", ")
            )
        }
    };
    let plan = &project.plans[key.plan];
    let req = &plan.requirements[key.req];
    let reviewer = args
        .reviewer
        .clone()
        .or_else(|| {
            let o = provenance::git_command(&config.root).args(["config", "user.name"]).output().ok()?;
            Some(String::from_utf8_lossy(&o.stdout).trim().to_string()).filter(|s| !s.is_empty())
        })
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_else(|| "unknown".into());
    let now = match std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|s| s.trim().parse::<i64>().ok()) {
        Some(secs) => secs,
        None => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64),
    };
    let date = suspect::utc_date(now);
    let path = config.root.join(suspect::REVIEWS);
    let mut reviews = match suspect::Reviews::read(&config.root) {
        Ok(r) => r.unwrap_or_default(),
        Err((line, message)) => bail!("{}:{line}: {message}; fix or delete it first", path.display()),
    };
    reviews.record(suspect::Review {
        requirement: req.id.clone(),
        plan: plan.id.clone(),
        text_sha256: suspect::text_hash(&req.text),
        reviewer: reviewer.clone(),
        date,
    });
    let dir = path.parent().expect("REVIEWS has a folder");
    if std::fs::symlink_metadata(dir).is_ok_and(|m| !m.is_dir()) {
        bail!("`{}` is not a folder (a symlink?); nothing is written through it", dir.display());
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create `{}`", dir.display()))?;
    if std::fs::symlink_metadata(&path).is_ok_and(|m| !m.is_file()) {
        bail!("`{}` is not a regular file (a symlink?); it is not written through", path.display());
    }
    std::fs::write(&path, reviews.to_toml()).with_context(|| format!("cannot write `{}`", path.display()))?;
    let cleared = project
        .suspects
        .as_ref()
        .map_or(0, |f| f.suspects.iter().filter(|s| s.key == key && s.reviewed.is_none()).count());
    println!(
        "recorded in {}: {} ({}) reviewed by {reviewer}; {cleared} suspect trace{} cleared (commit the file to keep it)",
        suspect::REVIEWS,
        req.id,
        plan.id,
        if cleared == 1 { "" } else { "s" }
    );
    Ok(ExitCode::SUCCESS)
}

/// `tracemark init`: write the commented default configuration.
fn init(args: &InitArgs) -> Result<ExitCode> {
    if args.github_pages {
        let path = init::write_pages_workflow(&args.root, args.force)?;
        println!("wrote {}", path.display());
        println!("{}", init::PAGES_STEPS);
        return Ok(ExitCode::SUCCESS);
    }
    let path = init::write(&args.root, args.force)?;
    println!("wrote {}: every key is shown, commented, with its default", path.display());
    Ok(ExitCode::SUCCESS)
}

/// `tracemark check`: analyse only (no rendering, no writing), then either write the
/// baseline (`--write-baseline`) or print the report (compared with `--baseline` when
/// given; the baseline lines go to standard error for the machine formats), append
/// the job summary to `$GITHUB_STEP_SUMMARY` for `--format github`, and exit with
/// [`report::Context::exit_status`].
fn check(args: &CheckArgs) -> Result<ExitCode> {
    use anyhow::Context as _;
    let mut config = config::Config::load(&args.root, None)?;
    if !args.test_results.is_empty() {
        config.test_results = config::TestResults::new(&args.test_results)?;
    }
    let project = site::analyse(&config, &mut site::Timings::default())?;
    let diagnostics = &project.diagnostics;
    if let Some(path) = &args.write_baseline {
        let b = baseline::Baseline::of(diagnostics);
        std::fs::write(path, b.to_json())
            .with_context(|| format!("cannot write baseline `{}`", path.display()))?;
        eprintln!(
            "wrote baseline {}: {} findings ({} fingerprints)",
            path.display(),
            diagnostics.len(),
            b.findings.len()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let comparison = match &args.baseline {
        Some(path) => Some(baseline::Baseline::read(path)?.compare(diagnostics)),
        None => None,
    };
    let name = args.baseline.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
    let mut ctx = report::Context {
        baseline: comparison.as_ref().map(|c| (name.as_str(), c)),
        ..report::Context::default()
    };
    for d in diagnostics {
        let file = match project.first_document_under(&d.path) {
            Some(doc) => Some(doc.to_string()),
            None => first_file_in(&config.root, &d.path),
        };
        if let Some(file) = file {
            ctx.folder_documents.insert(d.path.clone(), file);
        }
    }
    print!("{}", report::render(args.format, diagnostics, &ctx));
    if args.format != report::Format::Human {
        eprint!("{}", ctx.baseline_lines());
    }
    if args.format == report::Format::Github
        && let Some(file) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|f| !f.is_empty())
    {
        let links = match (std::env::var("GITHUB_REPOSITORY"), std::env::var("GITHUB_SHA")) {
            (Ok(repo), Ok(sha)) if !repo.is_empty() && !sha.is_empty() => {
                let server =
                    std::env::var("GITHUB_SERVER_URL").unwrap_or_else(|_| "https://github.com".into());
                Some(format!("{server}/{repo}/blob/{sha}"))
            }
            _ => None,
        };
        let summary = report::step_summary(diagnostics, &ctx, links.as_deref());
        use std::io::Write as _;
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&file)
            .and_then(|mut f| f.write_all(summary.as_bytes()))
            .with_context(|| format!("cannot write the job summary to `{}`", file.display()))?;
    }
    Ok(ExitCode::from(ctx.exit_status(diagnostics)))
}

/// The first file (by name) directly in the folder `rel` under `root`, as a path
/// relative to `root`; `None` when `rel` is not a folder or holds no file with a UTF-8
/// name. For findings about a plan folder without plan documents.
fn first_file_in(root: &std::path::Path, rel: &str) -> Option<String> {
    let entries = std::fs::read_dir(root.join(rel)).ok()?;
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    names.sort();
    names.into_iter().next().map(|name| format!("{}/{name}", rel.trim_end_matches('/')))
}

fn build(args: &BuildArgs) -> Result<ExitCode> {
    let mut config = config::Config::load(&args.root, args.out.as_deref())?;
    config.force = args.force;
    if !args.test_results.is_empty() {
        config.test_results = config::TestResults::new(&args.test_results)?;
    }
    if let Some(base) = &args.diff_base {
        config.diff_base = Some(base.clone());
    }
    let built = site::build(&config)?;
    if !args.quiet {
        for n in &built.notices {
            eprintln!("{n}");
        }
    }
    let p = &built.project;
    let s = &p.summary;
    if args.verbose {
        for d in &p.diagnostics {
            eprintln!("{d}");
        }
    }
    if !args.quiet {
        if !p.diagnostics.is_empty() {
            let mut by_code: BTreeMap<&str, usize> = BTreeMap::new();
            for d in &p.diagnostics {
                *by_code.entry(d.code.name()).or_default() += 1;
            }
            let list: Vec<String> = by_code.iter().map(|(c, n)| format!("{n} {c}")).collect();
            eprintln!(
                "{} diagnostics: {} (all on {}; `--verbose` prints them)",
                s.diagnostics,
                list.join(", "),
                config.out.join("diagnostics.html").display()
            );
        }
        if args.timings {
            print_timings(&built.timings);
        }
        println!("{}", summary(&config, &built));
    }
    if args.fail_on_error {
        let status = report::exit_status(&p.diagnostics);
        if status != 0 {
            if !args.verbose {
                for d in p.diagnostics.iter().filter(|d| d.severity == diagnostic::Severity::Error) {
                    eprintln!("{d}");
                }
            }
            eprintln!("error: {} (--fail-on-error)", report::Counts::of(&p.diagnostics).line());
        }
        return Ok(ExitCode::from(status));
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod build_tests {
    #[test]
    fn the_build_identity_is_the_version_and_a_source_hash() {
        let (version, hash) = super::BUILD.split_once('+').expect("version+hash");
        assert_eq!(version, env!("CARGO_PKG_VERSION"));
        assert_eq!(hash.len(), 16);
        assert!(hash.bytes().all(|b| b.is_ascii_hexdigit()));
    }
}
