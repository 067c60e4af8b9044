//! `tracemark check`, the CI gate: exit statuses (0 clean or warnings only, 1 with an
//! error finding, 2 when tracemark cannot run), each output format, the `[severity]`
//! table, and `build --fail-on-error`.

use crate::{copy_dir, fixture, repo, trace_json, tracemark};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn example() -> PathBuf {
    repo().join("content-example")
}

/// A temporary copy of `content-example` with `severity` appended to its tracemark.toml
/// as a `[severity]` table.
fn example_with_severity(severity: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&example(), tmp.path());
    let _ = std::fs::remove_dir_all(tmp.path().join("public"));
    let toml = tmp.path().join("tracemark.toml");
    let mut text = std::fs::read_to_string(&toml).unwrap();
    text.push_str("\n[severity]\n");
    text.push_str(severity);
    std::fs::write(&toml, text).unwrap();
    tmp
}

fn check(root: &Path, format: &str) -> Output {
    tracemark(&["check", root.to_str().unwrap(), "--format", format])
}

fn check_json(root: &Path) -> (Output, Value) {
    let o = check(root, "json");
    let v = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}: {}", stdout(&o)));
    (o, v)
}

/// The official SARIF 2.1.0 schema (`tests/fixtures/sarif/`), compiled without any
/// network access: every `$ref` in it is local (`#/definitions/…`).
fn sarif_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(fixture("sarif/sarif-schema-2.1.0.json")).unwrap();
    let mut schema: Value = serde_json::from_str(&text).unwrap();
    // The published schema's `language` patterns (of `run` and `toolComponent`) have a
    // stray `]`, which ECMAScript reads as a literal but the validator's meta-schema
    // check (format `regex`) rejects. Escaping it keeps the meaning; tracemark emits no
    // `language`.
    let definitions = schema["definitions"].as_object_mut().unwrap();
    let mut fixed = 0;
    for definition in definitions.values_mut() {
        if let Some(pattern) = definition.pointer_mut("/properties/language/pattern") {
            assert_eq!(*pattern, "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$", "schema file changed");
            *pattern = Value::from("^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\\]?$");
            fixed += 1;
        }
    }
    assert_eq!(fixed, 2, "schema file changed");
    jsonschema::validator_for(&schema).expect("the SARIF schema compiles")
}

pub(crate) fn assert_valid_sarif(text: &str) -> Value {
    let log: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"));
    let validator = sarif_validator();
    let errors: Vec<String> =
        validator.iter_errors(&log).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "SARIF does not validate:\n{}", errors.join("\n"));
    log
}

#[test]
fn help_lists_check_and_its_formats() {
    let o = tracemark(&["--help"]);
    assert!(stdout(&o).contains("check"), "{}", stdout(&o));
    let o = tracemark(&["check", "--help"]);
    assert!(o.status.success());
    let help = stdout(&o);
    for format in ["human", "json", "sarif", "github"] {
        assert!(help.contains(format), "{help}");
    }
    let o = tracemark(&["build", "--help"]);
    assert!(stdout(&o).contains("--fail-on-error"), "{}", stdout(&o));
}

#[test]
fn clean_project_exits_0_with_an_empty_summary() {
    let o = check(&fixture("check-clean"), "human");
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert_eq!(stdout(&o), "0 errors, 0 warnings, 0 notes in 0 files\n");
}

#[test]
fn check_writes_no_site() {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&fixture("check-clean"), tmp.path());
    let o = check(tmp.path(), "human");
    assert_eq!(o.status.code(), Some(0));
    assert!(!tmp.path().join("public").exists(), "check must not render or write");
}

/// The example's two deliberate broken traces are errors by default; its other
/// findings (warnings and notes) alone would not fail.
#[test]
fn example_with_default_severities_fails_on_its_broken_traces_and_prints_grouped_findings() {
    let o = check(&example(), "human");
    assert_eq!(o.status.code(), Some(1), "dangling references fail: {}", stdout(&o));
    let out = stdout(&o);
    let finding = regex::Regex::new(r"(?m)^[^\s:][^:]*:\d+: error\[dangling-reference\]: ").unwrap();
    assert!(finding.is_match(&out), "{out}");
    assert!(out.contains("\n  help: "), "{out}");
    assert!(
        out.lines().any(|l| l.starts_with("dangling-reference (") && l.contains("declared nowhere")),
        "a heading per code: {out}"
    );
    let summary = regex::Regex::new(r"^2 errors, \d+ warnings?, \d+ notes? in \d+ files?$").unwrap();
    assert!(summary.is_match(out.lines().last().unwrap()), "{out}");
}

#[test]
fn dangling_reference_lowered_to_warning_exits_0() {
    let tmp = example_with_severity("dangling-reference = \"warning\"\n");
    let o = check(tmp.path(), "human");
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(out.contains(": warning[dangling-reference]: "), "{out}");
    assert!(!out.contains(": error[dangling-reference]: "), "{out}");
    let summary = out.lines().last().unwrap();
    assert!(summary.starts_with("0 errors"), "{summary}");
}

#[test]
fn missing_root_exits_2() {
    let o = tracemark(&["check", "/nonexistent/tracemark-root"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot open project root"), "{}", stderr(&o));
}

#[test]
fn unknown_severity_code_exits_2_naming_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tracemark.toml"), "title = \"x\"\n\n[severity]\ndangling = \"error\"\n")
        .unwrap();
    let o = tracemark(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("tracemark.toml:4:1:"), "{e}");
    assert!(e.contains("unknown finding code `dangling`"), "{e}");
}

#[test]
fn unknown_severity_level_exits_2_naming_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tracemark.toml"), "[severity]\nencoding = \"fatal\"\n").unwrap();
    for command in ["check", "build"] {
        let o = tracemark(&[command, dir.path().to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{command}");
        let e = stderr(&o);
        assert!(e.contains("tracemark.toml:2:12:"), "{e}");
        assert!(e.contains("`encoding` = `fatal`"), "{e}");
    }
}

#[test]
fn json_parses_and_its_counts_match_the_findings() {
    let (o, v) = check_json(&example());
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(v["tracemark"], env!("CARGO_PKG_VERSION"));
    let findings = v["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    let s = &v["summary"];
    assert_eq!(s["total"], findings.len());
    for (key, severity) in [("error", "error"), ("warning", "warning"), ("note", "note")] {
        let n = findings.iter().filter(|f| f["severity"] == severity).count();
        assert_eq!(s["by_severity"][key], n, "{key}");
    }
    let by_code = s["by_code"].as_object().unwrap();
    assert_eq!(by_code.values().map(|n| n.as_u64().unwrap()).sum::<u64>(), findings.len() as u64);
    for (code, n) in by_code {
        assert_eq!(
            findings.iter().filter(|f| f["code"] == code.as_str()).count() as u64,
            n.as_u64().unwrap()
        );
    }
    let f = &findings[0];
    for key in ["path", "line", "code", "severity", "message"] {
        assert!(f.get(key).is_some(), "finding has `{key}`: {f}");
    }
}

#[test]
fn github_format_prints_one_workflow_command_per_finding() {
    let o = check(&example(), "github");
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    let (_, v) = check_json(&example());
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines.len(),
        v["findings"].as_array().unwrap().len() + 1,
        "one line each and the totals: {out}"
    );
    assert!(lines.iter().any(|l| l.starts_with("::warning file=")), "{out}");
    let command =
        regex::Regex::new(r"^::(error|warning|notice) file=[^,:]+(,line=\d+)?,title=[a-z-]+::.+$").unwrap();
    let totals = regex::Regex::new(
        r"^::notice title=tracemark::\d+ errors?, \d+ warnings?, \d+ notes? in \d+ files?$",
    )
    .unwrap();
    assert_eq!(lines.iter().filter(|l| totals.is_match(l)).count(), 1, "{out}");
    for l in lines.iter().filter(|l| !totals.is_match(l)) {
        assert!(command.is_match(l), "{l}");
    }
    assert!(out.contains(",title=dangling-reference::"), "{out}");
}

#[test]
fn sarif_validates_against_the_sarif_2_1_0_schema() {
    let o = check(&example(), "sarif");
    assert_eq!(o.status.code(), Some(1));
    let log = assert_valid_sarif(&stdout(&o));
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "tracemark");
    assert_eq!(run["tool"]["driver"]["version"], env!("CARGO_PKG_VERSION"));
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"dangling-reference"), "{rules:?}");
    let results = run["results"].as_array().unwrap();
    let (_, v) = check_json(&example());
    assert_eq!(results.len(), v["findings"].as_array().unwrap().len());
    for (r, f) in results.iter().zip(v["findings"].as_array().unwrap()) {
        assert_eq!(r["ruleId"], f["code"]);
        assert_eq!(r["level"], f["severity"]);
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        if f["line"].as_u64().unwrap() > 0 {
            assert_eq!(loc["region"]["startLine"], f["line"]);
        } else {
            assert_eq!(loc["region"]["startLine"], 1, "whole files and folders point at line 1");
        }
    }
}

#[test]
fn sarif_with_errors_and_of_a_clean_project_validates_too() {
    let tmp = example_with_severity("dangling-reference = \"error\"\nencoding = \"note\"\n");
    let o = check(tmp.path(), "sarif");
    assert_eq!(o.status.code(), Some(1));
    let log = assert_valid_sarif(&stdout(&o));
    assert!(log["runs"][0]["results"].as_array().unwrap().iter().any(|r| r["level"] == "error"));
    let o = check(&fixture("check-clean"), "sarif");
    assert_eq!(o.status.code(), Some(0));
    let log = assert_valid_sarif(&stdout(&o));
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
}

#[test]
fn the_schema_rejects_a_broken_log() {
    let validator = sarif_validator();
    let broken = serde_json::json!({ "version": "2.1.0", "runs": [{ "results": [] }] });
    assert!(!validator.is_valid(&broken), "a run without a tool is not SARIF");
}

#[test]
fn build_fail_on_error_exits_1_and_still_writes_the_site() {
    let tmp = example_with_severity("dangling-reference = \"error\"\n");
    let out = tempfile::tempdir().unwrap();
    let root = tmp.path().to_str().unwrap();
    let o = tracemark(&["build", root, "--out", out.path().to_str().unwrap(), "--fail-on-error"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("error[dangling-reference]"), "{}", stderr(&o));
    assert!(out.path().join("index.html").is_file());
    assert!(out.path().join("diagnostics.html").is_file());
    let json = trace_json(out.path());
    assert!(json["diagnostics"].as_array().unwrap().iter().any(|d| d["severity"] == "error"));
    let page = std::fs::read_to_string(out.path().join("diagnostics.html")).unwrap();
    assert!(page.contains("<li class=\"sev-error\">"), "the diagnostics page shows the raised severity");
    // Without the flag the same build succeeds; with it and no errors too.
    let o = tracemark(&["build", root, "--out", out.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    let lowered = example_with_severity("dangling-reference = \"warning\"\n");
    let o = tracemark(&[
        "build",
        lowered.path().to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
        "--fail-on-error",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn severity_off_removes_findings_from_check_and_trace_json() {
    let (_, before) = check_json(&example());
    let uncovered = before["summary"]["by_code"]["uncovered-requirement"].as_u64().unwrap();
    assert!(uncovered > 0);
    let tmp = example_with_severity("uncovered-requirement = \"off\"\n");
    let (o, after) = check_json(tmp.path());
    assert_eq!(o.status.code(), Some(1), "the example's broken traces still fail");
    assert!(after["summary"]["by_code"].get("uncovered-requirement").is_none(), "{after}");
    assert_eq!(
        after["summary"]["total"].as_u64().unwrap(),
        before["summary"]["total"].as_u64().unwrap() - uncovered
    );
    let out = tempfile::tempdir().unwrap();
    let o = tracemark(&["build", tmp.path().to_str().unwrap(), "--out", out.path().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let json = trace_json(out.path());
    let diags = json["diagnostics"].as_array().unwrap();
    assert!(diags.iter().all(|d| d["code"] != "uncovered-requirement"));
    assert_eq!(json["summary"]["diagnostics"], after["summary"]["total"]);
    assert_eq!(diags, after["findings"].as_array().unwrap(), "build and check show the same findings");
}

#[test]
fn build_and_check_show_identical_findings() {
    let tmp = example_with_severity("dangling-reference = \"error\"\nunresolved-marker = \"note\"\n");
    let (_, checked) = check_json(tmp.path());
    let out = tempfile::tempdir().unwrap();
    let o = tracemark(&["build", tmp.path().to_str().unwrap(), "--out", out.path().to_str().unwrap()]);
    assert!(o.status.success());
    let json = trace_json(out.path());
    assert_eq!(json["diagnostics"], checked["findings"]);
    assert!(
        json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "unresolved-marker" && d["severity"] == "note")
    );
}

/// `tests/fixtures/phase-status/`: P01 done with a record (clean), P02 done without one,
/// P03 pending with a record, P04 pending but named by code.
#[test]
fn phase_status_findings_each_trigger_once_and_only_where_due() {
    let (o, json) = check_json(&fixture("phase-status"));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let findings = json["findings"].as_array().unwrap();
    let of = |code: &str| -> Vec<(String, u64)> {
        findings
            .iter()
            .filter(|f| f["code"] == code)
            .map(|f| (f["path"].as_str().unwrap().to_string(), f["line"].as_u64().unwrap()))
            .collect()
    };
    assert_eq!(
        of("missing-completion-record"),
        vec![("project-plans/p/execution-tracker.md".to_string(), 6)]
    );
    assert_eq!(
        of("unexpected-completion-record"),
        vec![("project-plans/p/.completed/P03.md".to_string(), 0)]
    );
    assert_eq!(of("trace-for-unfinished-phase"), vec![("src/status.ts".to_string(), 10)]);
    let unexpected = findings.iter().find(|f| f["code"] == "unexpected-completion-record").unwrap();
    let message = unexpected["message"].as_str().unwrap();
    assert!(
        message.contains("at project-plans/p/execution-tracker.md:"),
        "the tracker row is named: {message}"
    );
    let severity = |code: &str| findings.iter().find(|f| f["code"] == code).unwrap()["severity"].clone();
    assert_eq!(severity("missing-completion-record"), "warning");
    assert_eq!(severity("trace-for-unfinished-phase"), "note");
}

#[test]
fn phase_status_findings_are_absent_from_a_clean_project() {
    let (_, json) = check_json(&fixture("check-clean"));
    let codes: Vec<&str> =
        json["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    for code in ["missing-completion-record", "unexpected-completion-record", "trace-for-unfinished-phase"] {
        assert!(!codes.contains(&code), "{code} in {codes:?}");
    }
}

/// The item findings in every format: exit 1 (cycles, failed gates and dangling item
/// links are errors by default), valid SARIF with `error` results, one workflow command each, and grouped
/// human output; `[severity]` can lower them so the same project passes.
#[test]
fn item_findings_in_every_format_and_their_severity_can_be_lowered() {
    let root = fixture("item-findings");
    let o = check(&root, "sarif");
    assert_eq!(o.status.code(), Some(1));
    let log = assert_valid_sarif(&stdout(&o));
    let results = log["runs"][0]["results"].as_array().unwrap();
    let levels: Vec<(&str, &str)> =
        results.iter().map(|r| (r["ruleId"].as_str().unwrap(), r["level"].as_str().unwrap())).collect();
    assert!(levels.contains(&("prerequisite-cycle", "error")), "{levels:?}");
    assert!(levels.contains(&("failed-gate", "error")), "{levels:?}");
    let o = check(&root, "github");
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("::error file=project-plans/rollout/plan.md,line=23,"), "{out}");
    let o = check(&root, "human");
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("prerequisite-cycle (2): Task prerequisites form a cycle"), "{out}");
    assert!(out.contains("project-plans/rollout/plan.md:23: error[failed-gate]: gate `gate-1`"), "{out}");

    let tmp = tempfile::tempdir().unwrap();
    crate::copy_dir(&root, tmp.path());
    std::fs::write(
        tmp.path().join("tracemark.toml"),
        "[severity]\nprerequisite-cycle = \"warning\"\nfailed-gate = \"note\"\ndangling-reference = \"warning\"\n",
    )
    .unwrap();
    let (o, json) = check_json(tmp.path());
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert_eq!(json["summary"]["errors"], 0);
}
