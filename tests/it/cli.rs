//! The command line as a user meets it: help, exit statuses, error messages, the
//! summary line, determinism and incremental writes.

use crate::{build, fixture, repo, tracemark};

#[test]
fn help_lists_build() {
    let o = tracemark(&["--help"]);
    assert!(o.status.success());
    let s = String::from_utf8_lossy(&o.stdout);
    assert!(s.contains("build"), "{s}");
}

#[test]
fn missing_root_exits_2_with_a_message() {
    let o = tracemark(&["build", "/nonexistent/tracemark-root"]);
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("cannot open project root `/nonexistent/tracemark-root`"), "{e}");
}

#[test]
fn unknown_config_key_exits_2_naming_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tracemark.toml"), "title = \"x\"\nplan_roots = [\"p\"]\n").unwrap();
    let o = tracemark(&["build", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("tracemark.toml:2:1:"), "{e}");
    assert!(e.contains("unknown field `plan_roots`"), "{e}");
}

#[test]
fn summary_line_reports_counts_and_output() {
    let (out, o) = build(&fixture("edge"));
    let s = String::from_utf8_lossy(&o.stdout);
    assert!(s.contains("1 plans, 3 requirements (2 covered)"), "{s}");
    assert!(s.contains(&out.path().display().to_string()), "{s}");
}

#[test]
fn builds_are_byte_for_byte_deterministic() {
    let root = repo().join("content-example");
    let (a, _) = build(&root);
    let (b, _) = build(&root);
    let list = |d: &std::path::Path| {
        let mut v: Vec<_> = ignore::WalkBuilder::new(d)
            .standard_filters(false)
            .build()
            .map(|e| e.unwrap().into_path())
            .filter(|p| p.is_file())
            .map(|p| p.strip_prefix(d).unwrap().to_path_buf())
            .collect();
        v.sort();
        v
    };
    let (la, lb) = (list(a.path()), list(b.path()));
    assert_eq!(la, lb);
    assert!(la.len() > 20, "{} files", la.len());
    for rel in la {
        assert!(
            std::fs::read(a.path().join(&rel)).unwrap() == std::fs::read(b.path().join(&rel)).unwrap(),
            "{} differs",
            rel.display()
        );
    }
}

#[test]
fn rebuild_writes_nothing_new_and_removes_stale_pages() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("p");
    std::fs::create_dir_all(src.join("project-plans/a")).unwrap();
    std::fs::write(
        src.join("project-plans/a/spec.md"),
        "Plan ID: PLAN-20250101-A\n\n### REQ-A-001: One\n\n### REQ-A-002: Two\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    let args = ["build", src.to_str().unwrap(), "--out", out.to_str().unwrap()];
    assert!(tracemark(&args).status.success());
    assert!(out.join("plans/PLAN-20250101-A/requirements/REQ-A-002.html").is_file());
    let again = tracemark(&args);
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("(0 written, 0 removed)"),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );
    std::fs::write(src.join("project-plans/a/spec.md"), "Plan ID: PLAN-20250101-A\n\n### REQ-A-001: One\n")
        .unwrap();
    let third = tracemark(&args);
    assert!(
        // The requirement's page and the search shard of its title's only word (`two`).
        String::from_utf8_lossy(&third.stdout).contains("2 removed)"),
        "{}",
        String::from_utf8_lossy(&third.stdout)
    );
    assert!(!out.join("plans/PLAN-20250101-A/requirements/REQ-A-002.html").exists());
}

#[test]
fn an_earlier_site_inside_the_root_is_not_scanned() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::create_dir_all(root.join("project-plans/a")).unwrap();
    std::fs::write(root.join("project-plans/a/spec.md"), "Plan ID: PLAN-20250101-A\n\n### REQ-A-001: One\n")
        .unwrap();
    std::fs::write(
        root.join("a.ts"),
        "// @plan:PLAN-20250101-A @requirement:REQ-A-001\nexport const a = 1;\n",
    )
    .unwrap();
    let r = root.to_str().unwrap();
    assert!(tracemark(&["build", r, "--out", root.join("site").to_str().unwrap()]).status.success());
    let o = tracemark(&["build", r]);
    assert!(o.status.success());
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("public/trace.json")).unwrap()).unwrap();
    let files: Vec<&str> =
        json["files"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert_eq!(files, vec!["a.ts"], "the first site's pages quote the marker but are not sources");
}

#[test]
fn init_writes_a_config_that_builds_and_refuses_to_overwrite() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().to_str().unwrap();
    let o = tracemark(&["init", root]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(tmp.path().join("tracemark.toml")).unwrap();
    assert!(text.contains("# excerpt_lines = 40"), "{text}");
    assert!(text.contains("# dangling-reference = \"error\"\n"), "{text}");
    assert!(text.contains("#   default error: a broken trace"), "each code says why: {text}");
    let again = tracemark(&["init", root]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists; pass `--force`"));
    assert!(tracemark(&["init", root, "--force"]).status.success());
    let (_, built) = build(tmp.path());
    assert!(String::from_utf8_lossy(&built.stdout).contains("0 plans"));
}

/// `init --github-pages` writes a Pages workflow (full history for provenance, this
/// version of tracemark, check, build, upload, deploy), says what to switch on, and
/// does not overwrite it without `--force`.
#[test]
fn init_github_pages_writes_the_workflow_and_says_what_to_switch_on() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().to_str().unwrap();
    let o = tracemark(&["init", root, "--github-pages"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("Settings → Pages"), "what to switch on");
    let wf = std::fs::read_to_string(tmp.path().join(".github/workflows/tracemark.yml")).unwrap();
    let version = env!("CARGO_PKG_VERSION");
    for needle in [
        "fetch-depth: 0",
        &format!("cargo install --locked tracemark --version {version}"),
        "run: tracemark check . --format github",
        "run: tracemark build . --out _site",
        "run: rm -f _site/.tracemark-output",
        "uses: actions/upload-pages-artifact@v3\n        with:\n          path: _site",
        "uses: actions/deploy-pages@v4",
        "url: ${{ steps.deployment.outputs.page_url }}",
        "pages: write\n  id-token: write",
    ] {
        assert!(wf.contains(needle), "{needle:?} in\n{wf}");
    }
    assert!(!wf.contains('\t'), "YAML is indented with spaces");
    assert!(!tmp.path().join("tracemark.toml").exists(), "only the workflow is written");
    let again = tracemark(&["init", root, "--github-pages"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists; pass `--force`"));
    assert!(tracemark(&["init", root, "--github-pages", "--force"]).status.success());
}

/// `--timings` names every stage with its time and, on Linux, the peak memory so far.
#[test]
fn timings_name_each_stage_with_its_peak_memory() {
    let out = tempfile::tempdir().unwrap();
    let root = fixture("plan-scope");
    let o = tracemark(&["build", root.to_str().unwrap(), "--out", out.path().to_str().unwrap(), "--timings"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let err = String::from_utf8_lossy(&o.stderr);
    for stage in ["walk", "read+scan", "parse", "model", "provenance", "render", "write", "cache-save"] {
        let line = err
            .lines()
            .find(|l| l.trim_start().starts_with(stage))
            .unwrap_or_else(|| panic!("{stage}: {err}"));
        assert!(line.contains(" s"), "{line}");
        if cfg!(target_os = "linux") {
            assert!(line.contains("peak") && line.trim_end().ends_with("MiB"), "{line}");
        }
    }
}
