//! Verification results: a JUnit report in each dialect (vitest, pytest, cargo-nextest,
//! Maven Surefire, go-junit-report), each with a passing, a failing and a skipped case
//! and one case that matches no trace, read through `test_results` and matched to the
//! traces of the `results` fixture.

use crate::{build, check_findings, copy_dir, fixture, read, trace_json, tracemark};
use serde_json::Value;
use std::path::Path;

const PLAN: &str = "plans/PLAN-20260101-RESULTS";

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Requirement ID → verification status, from `trace.json`.
fn statuses(json: &Value) -> Vec<(String, String)> {
    json["plans"][0]["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["id"].as_str().unwrap().to_string(), r["verification"].as_str().unwrap().to_string()))
        .collect()
}

#[test]
fn each_dialect_gives_a_passed_a_failed_and_a_skipped_outcome_per_requirement() {
    let (out, _) = build(&fixture("results"));
    let json = trace_json(out.path());
    let got = statuses(&json);
    let want = [
        ("REQ-TS-001", "verified"),   // marker in the test title
        ("REQ-TS-002", "failing"),    // marker above an `it`
        ("REQ-TS-003", "unverified"), // skipped
        ("REQ-TS-004", "failing"),    // marker above the `describe`: all three cases
        ("REQ-TS-005", "unverified"), // a test with no case: not run
        ("REQ-PY-001", "verified"),   // parametrized `test_parse[utf8]`
        ("REQ-PY-002", "failing"),
        ("REQ-PY-003", "unverified"),
        ("REQ-PY-004", "verified"), // marker above `class TestUnicode`
        ("REQ-RS-001", "verified"), // `parser::tests::parses_lines` in rs/src/parser.rs
        ("REQ-RS-002", "failing"),  // integration test binary `ingest::ingest`
        ("REQ-RS-003", "unverified"),
        ("REQ-JV-001", "verified"), // `com.acme.IngestTest` ↔ src/test/java/com/acme/IngestTest.java
        ("REQ-JV-002", "failing"),
        ("REQ-JV-003", "unverified"),
        ("REQ-GO-001", "verified"), // `TestLoad` and its subtests `TestLoad/empty`
        ("REQ-GO-002", "failing"),
        ("REQ-GO-003", "unverified"),
        ("REQ-IMPL-001", "unverified"), // implementation code, no test
    ];
    let want: Vec<(String, String)> = want.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    assert_eq!(got, want);
    let v = &json["summary"]["verification"];
    assert_eq!(
        (&v["reports"], &v["cases"], &v["matched"], &v["unmatched"]),
        (&Value::from(5), &Value::from(24), &Value::from(19), &Value::from(5))
    );
    assert_eq!(
        (&v["passed"], &v["failed"], &v["skipped"]),
        (&Value::from(14), &Value::from(5), &Value::from(5))
    );
    assert_eq!(
        (&v["not_run"], &v["verified"], &v["failing"]),
        (&Value::from(1), &Value::from(6), &Value::from(6))
    );

    // Each trace carries its test and results.
    let trace = |path: &str, line: u64| {
        json["traces"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["path"] == path && t["line"] == line)
            .unwrap_or_else(|| panic!("{path}:{line}"))
            .clone()
    };
    let go = trace("go/loader/loader_test.go", 5);
    assert_eq!(go["test"]["title"], "TestLoad");
    let names: Vec<&str> =
        go["results"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["TestLoad", "TestLoad/empty", "TestLoad/one_line"]);
    let java = trace("java/src/test/java/com/acme/IngestTest.java", 16);
    assert_eq!(java["results"][0]["outcome"], "failed");
    assert_eq!(java["results"][0]["message"], "empty input accepted ==> expected: <true> but was: <false>");
    let nextest = trace("rs/tests/ingest.rs", 3);
    assert_eq!(
        nextest["results"][0]["message"],
        "thread 'rejects_empty_input' panicked at rs/tests/ingest.rs:7:5:"
    );
    let skipped = trace("py/tests/test_ingest.py", 16);
    assert_eq!(
        (&skipped["results"][0]["outcome"], &skipped["results"][0]["message"]),
        (&"skipped".into(), &"slow on CI".into())
    );
    let group = trace("web/src/ingest.test.ts", 4);
    assert_eq!((&group["test"]["title"], &group["test"]["group"]), (&"ingest".into(), &true.into()));
    assert_eq!(group["results"].as_array().unwrap().len(), 3);
    assert_eq!(trace("web/src/ingest.test.ts", 20)["results"], serde_json::json!([{ "outcome": "not-run" }]));
    let implementation = trace("web/src/ingest.ts", 1);
    assert_eq!((&implementation["test"], &implementation["results"]), (&Value::Null, &serde_json::json!([])));
}

#[test]
fn unmatched_cases_are_counted_and_listed_not_dropped() {
    let (out, _) = build(&fixture("results"));
    let json = trace_json(out.path());
    let mut unmatched: Vec<(String, String)> = json["verification"]["unmatched"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["report"].as_str().unwrap().to_string(), c["name"].as_str().unwrap().to_string()))
        .collect();
    unmatched.sort();
    assert_eq!(
        unmatched,
        [
            ("reports/TEST-com.acme.IngestTest.xml", "exports"),
            ("reports/go.xml", "TestExport"),
            ("reports/nextest.xml", "parser::tests::parses_crlf"),
            ("reports/pytest.xml", "test_export"),
            ("reports/vitest.xml", "other > works"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    assert_eq!(json["verification"]["reports"].as_array().unwrap().len(), 5);
}

#[test]
fn requirement_pages_list_tests_with_outcome_badges() {
    let (out, _) = build(&fixture("results"));
    let page = |id: &str| read(out.path(), &format!("{PLAN}/requirements/{id}.html"));
    let failing = page("REQ-TS-002");
    assert!(failing.contains(r#"<span class="badge bad">failing</span></h1>"#), "{failing}");
    assert!(failing.contains(r#"<td><span class="badge bad">failed</span></td>"#), "{failing}");
    assert!(
        failing.contains(r#"<div class="message">expected [Function] to throw an error</div>"#),
        "{failing}"
    );
    assert!(failing.contains("reports/vitest.xml:6"), "{failing}");
    let passed = page("REQ-JV-001");
    assert!(passed.contains(r#"<span class="badge ok">verified</span></h1>"#), "{passed}");
    assert!(passed.contains(r#"<td><span class="badge ok">passed</span></td>"#), "{passed}");
    assert!(passed.contains("com.acme.IngestTest › parses"), "{passed}");
    let skipped = page("REQ-GO-003");
    assert!(skipped.contains(r#"<span class="badge warn">unverified</span></h1>"#), "{skipped}");
    assert!(skipped.contains(r#"<td><span class="badge warn">skipped</span></td>"#), "{skipped}");
    let not_run = page("REQ-TS-005");
    assert!(not_run.contains(r#"<td><span class="badge muted">not run</span></td>"#), "{not_run}");
    assert!(not_run.contains("<td>handles the user&#x27;s unicode</td>"), "{not_run}");
    // A failure message is escaped: Surefire's `<true>` is text.
    let java = page("REQ-JV-002");
    assert!(java.contains("expected: &lt;true&gt; but was: &lt;false&gt;"), "{java}");

    let index = read(out.path(), "index.html");
    assert!(index.contains("<b>6</b><span>requirements verified</span>"), "{index}");
    assert!(
        index.contains("<b>14/24</b><span>test cases passed (5 failed, 5 skipped, 5 unmatched)</span>"),
        "{index}"
    );

    let plan = read(out.path(), &format!("{PLAN}/index.html"));
    assert!(plan.contains("<th>Verification</th>"), "{plan}");
    assert_eq!(plan.matches(r#"<td><span class="badge bad">failing</span></td>"#).count(), 6);
    assert_eq!(plan.matches(r#"<td><span class="badge ok">verified</span></td>"#).count(), 6);
    assert_eq!(plan.matches(r#"<td><span class="badge warn">unverified</span></td>"#).count(), 7);
    // The matrix marks the cell of the describe's trace, whose tests include a failure.
    assert!(
        plan.contains(
            r#"REQ-TS-004</a></th><td class="hit failing" title="a test of these traces failed">1✗</td>"#
        ),
        "{plan}"
    );
}

#[test]
fn check_reports_each_failing_test_at_its_trace_and_exits_1() {
    let (code, findings) = check_findings(&fixture("results"));
    assert_eq!(code, Some(1));
    let failing: Vec<(String, u64, String)> =
        findings.iter().filter(|f| f.0 == "failing-test").map(|f| (f.1.clone(), f.2, f.3.clone())).collect();
    let want = [
        ("go/loader/loader_test.go", 12, "test `github.com/acme/repo/go/loader › TestReject` failed: Failed"),
        (
            "java/src/test/java/com/acme/IngestTest.java",
            16,
            "test `com.acme.IngestTest › rejectsEmpty` failed: empty input accepted ==> expected: <true> but was: <false>",
        ),
        ("py/tests/test_ingest.py", 11, "test `tests.test_ingest › test_reject` failed: assert False"),
        (
            "rs/tests/ingest.rs",
            3,
            "test `ingest::ingest › rejects_empty_input` failed: thread 'rejects_empty_input' panicked at rs/tests/ingest.rs:7:5:",
        ),
        (
            "web/src/ingest.test.ts",
            4,
            "test `src/ingest.test.ts › ingest > rejects an empty file` failed: expected [Function] to throw an error",
        ),
        (
            "web/src/ingest.test.ts",
            11,
            "test `src/ingest.test.ts › ingest > rejects an empty file` failed: expected [Function] to throw an error",
        ),
    ];
    let want: Vec<(String, u64, String)> =
        want.iter().map(|(p, l, m)| (p.to_string(), *l, m.to_string())).collect();
    assert_eq!(failing, want);
    // Off by default: no untested-requirement finding without a `[severity]` entry.
    assert!(findings.iter().all(|f| f.0 != "untested-requirement"), "{findings:?}");
    assert_eq!(findings.len(), 6, "{findings:?}");
}

#[test]
fn untested_requirement_is_listed_once_the_severity_table_names_it() {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&fixture("results"), tmp.path());
    std::fs::write(
        tmp.path().join("tracemark.toml"),
        "test_results = [\"reports/*.xml\"]\n[severity]\nuntested-requirement = \"warning\"\nfailing-test = \"warning\"\n",
    )
    .unwrap();
    let (code, findings) = check_findings(tmp.path());
    assert_eq!(code, Some(0), "failing-test lowered to a warning: {findings:?}");
    let untested: Vec<String> = findings
        .iter()
        .filter(|f| f.0 == "untested-requirement")
        .map(|f| {
            assert_eq!(f.1, "project-plans/results/specification.md");
            f.3.split('`').nth(1).unwrap().to_string()
        })
        .collect();
    assert_eq!(
        untested,
        ["REQ-TS-003", "REQ-TS-005", "REQ-PY-003", "REQ-RS-003", "REQ-JV-003", "REQ-GO-003", "REQ-IMPL-001"]
    );
    let skipped = findings.iter().find(|f| f.3.contains("`REQ-TS-003`")).unwrap();
    assert!(skipped.3.ends_with("every test case matched to it was skipped"), "{skipped:?}");
}

#[test]
fn a_malformed_report_is_a_finding_at_its_line_and_the_others_are_still_read() {
    let root = fixture("results");
    let o =
        tracemark(&["check", s(&root), "--test-results", "reports/*.xml", "--test-results", "broken/*.xml"]);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains(
            "broken/truncated.xml:5: warning[invalid-test-report]: not a well-formed JUnit XML report: "
        ),
        "{out}"
    );
    assert!(out.contains("none of its test cases were read"), "{out}");
    assert_eq!(out.matches("error[failing-test]").count(), 6, "{out}");
}

#[test]
fn the_flag_replaces_the_configured_globs() {
    let tmp = tempfile::tempdir().unwrap();
    let o = tracemark(&[
        "build",
        s(&fixture("results")),
        "--out",
        s(tmp.path()),
        "--test-results",
        "reports/go.xml",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let json = trace_json(tmp.path());
    assert_eq!(json["summary"]["verification"]["cases"], 6);
    assert_eq!(json["verification"]["reports"], serde_json::json!(["reports/go.xml"]));
    let o = tracemark(&["check", s(&fixture("results")), "--test-results", "nothing/**/*.xml"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("tracemark.toml: warning[invalid-test-report]: the `test_results` glob `nothing/**/*.xml` matches no file"),
        "{out}"
    );
    let o = tracemark(&["check", s(&fixture("results")), "--test-results", "../*.xml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("leaves the project root"));
}

#[cfg(unix)]
#[test]
fn symlinked_and_oversized_reports_are_refused_unread() {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&fixture("results"), tmp.path());
    std::os::unix::fs::symlink("../broken/truncated.xml", tmp.path().join("reports/link.xml")).unwrap();
    // A sparse file: its size is over the cap, no disk is used.
    let big = std::fs::File::create(tmp.path().join("reports/huge.xml")).unwrap();
    big.set_len(65 << 20).unwrap();
    let o = tracemark(&["check", s(tmp.path())]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("reports/link.xml: warning[invalid-test-report]: is a symbolic link; a report is not read through a link"),
        "{out}"
    );
    assert!(
        out.contains("reports/huge.xml: warning[invalid-test-report]: is 65 MiB, over the 64 MiB cap for a test report; not read"),
        "{out}"
    );
    assert_eq!(out.matches("error[failing-test]").count(), 6, "{out}");
}

/// Removes what test results add to `trace.json`: the `verification`, `test` and
/// `results` keys and the findings they bring.
fn strip_results(mut json: Value) -> Value {
    json.as_object_mut().unwrap().remove("verification");
    json["summary"].as_object_mut().unwrap().remove("verification");
    json["summary"].as_object_mut().unwrap().remove("diagnostics");
    json.as_object_mut().unwrap().remove("diagnostics");
    for r in json["plans"][0]["requirements"].as_array_mut().unwrap() {
        r.as_object_mut().unwrap().remove("verification");
    }
    for t in json["traces"].as_array_mut().unwrap() {
        t.as_object_mut().unwrap().remove("test");
        t.as_object_mut().unwrap().remove("results");
    }
    json
}

#[test]
fn a_build_without_test_results_is_unchanged() {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&fixture("results"), tmp.path());
    std::fs::write(tmp.path().join("tracemark.toml"), "title = \"Results fixture\"\n").unwrap();
    let (plain, _) = build(tmp.path());
    std::fs::write(tmp.path().join("tracemark.toml"), "title = \"Results fixture\"\ntest_results = []\n")
        .unwrap();
    let (empty, _) = build(tmp.path());
    let (with, _) = build(&fixture("results"));

    let text = read(plain.path(), "trace.json");
    for key in ["\"verification\"", "\"results\"", "\"test\"", "failing-test"] {
        assert!(!text.contains(key), "{key} in a build without reports");
    }
    let req = read(plain.path(), &format!("{PLAN}/requirements/REQ-TS-002.html"));
    assert!(!req.contains("id=\"tests\"") && !req.contains("failing"), "{req}");
    assert!(!read(plain.path(), "index.html").contains("test cases passed"));
    let plan = read(plain.path(), &format!("{PLAN}/index.html"));
    assert!(!plan.contains("<th>Verification</th>") && !plan.contains("✗"), "{plan}");
    // An empty list is no list.
    for rel in ["trace.json", &format!("{PLAN}/index.html"), &format!("{PLAN}/requirements/REQ-TS-002.html")]
    {
        assert_eq!(read(plain.path(), rel), read(empty.path(), rel), "{rel}");
    }
    // Reports add keys and findings, and change nothing else of the cross-reference.
    let plain = strip_results(trace_json(plain.path()));
    let with = strip_results(trace_json(with.path()));
    assert_eq!(plain, with);
}

#[test]
fn requirement_page_with_tests_snapshot() {
    let (out, _) = build(&fixture("results"));
    let page = read(out.path(), &format!("{PLAN}/requirements/REQ-TS-004.html"))
        .replace(concat!("tracemark ", env!("CARGO_PKG_VERSION")), "tracemark [VERSION]");
    let main = &page[page.find("<main").unwrap()..page.find("</main>").unwrap()];
    insta::assert_snapshot!("requirement_page_with_tests", main);
}

#[test]
fn the_evidence_bundle_reports_verification_and_hashes_the_reports() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("p");
    copy_dir(&fixture("results"), &root);
    let archive = tmp.path().join("e.tar.gz");
    let o = assert_cmd::Command::cargo_bin("tracemark")
        .unwrap()
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .args(["bundle", s(&root), "-o", s(&archive)])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let x = tmp.path().join("x");
    std::fs::create_dir(&x).unwrap();
    let o = std::process::Command::new("tar").arg("xzf").arg(&archive).arg("-C").arg(&x).output().unwrap();
    assert!(o.status.success());
    let html = std::fs::read_to_string(x.join("e/evidence.html")).unwrap();
    assert!(html.contains("<h2>Verification results</h2>"), "{html}");
    assert!(html.contains("<b>6/19</b><span>requirements verified by a passed test</span>"), "{html}");
    assert!(html.contains("<td class=\"nowrap\">6 · 6 · 7</td>"), "{html}");
    let e: Value = serde_json::from_slice(&std::fs::read(x.join("e/evidence.json")).unwrap()).unwrap();
    let reports: Vec<&str> = e["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["path"].as_str().filter(|p| p.starts_with("reports/")))
        .collect();
    assert_eq!(
        reports,
        [
            "reports/TEST-com.acme.IngestTest.xml",
            "reports/go.xml",
            "reports/nextest.xml",
            "reports/pytest.xml",
            "reports/vitest.xml"
        ]
    );
    // The checkout's inputs, reports included, are those of the bundle; a changed report is named.
    let o = tracemark(&["verify", s(&archive), "--against", s(&root)]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    std::fs::write(root.join("reports/go.xml"), "<testsuites/>\n").unwrap();
    let o = tracemark(&["verify", s(&archive), "--against", s(&root)]);
    assert_eq!(o.status.code(), Some(1));
    let all = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert!(all.contains("reports/go.xml"), "{all}");
}
