//! Verification results: JUnit XML test reports read and matched to the traces of the
//! tests that produced them. Pure: `site` reads the report files (`test_results` in
//! `tracemark.toml`, or `--test-results`); [`parse`] reads one report's text and
//! [`apply`] matches every test case to the project's traces, records the outcomes and
//! adds the findings.
//!
//! # Reading
//!
//! A streaming `quick-xml` reader: no DTD is read and no entity other than the five
//! predefined ones and character references is expanded, so a hostile report cannot
//! grow. A report larger than [`MAX_REPORT_BYTES`], a symbolic link or malformed XML
//! gives an `invalid-test-report` finding at `path:line` and none of its cases are used.
//! Every `<testcase>` under any `<testsuite>` is read (the dialects of vitest/jest,
//! pytest, cargo-nextest, Maven Surefire and go-junit-report all share this shape): a
//! `<failure>` or `<error>` child makes it *failed* (the `message` attribute's first
//! line, else the first line of the element's text, is kept), a `<skipped>` child
//! *skipped*, anything else *passed*. A trace of a test with no case in the reports is
//! *not run*.
//!
//! # Matching a test case to traces
//!
//! A case is matched in two steps: which files it can come from, then which traces in
//! those files are its test.
//!
//! **Files.** The hints, in this order:
//! 1. a path: the case's `file` attribute, else its suite's, else a `classname` or suite
//!    name that looks like a path (it holds a `/` and its last part has a source file
//!    extension: vitest's `classname="src/ingest.test.ts"`). A marked file matches when
//!    its root-relative path equals the hint or one is a `/`-suffix of the other
//!    (`/ci/work/repo/tests/a.test.ts` ↔ `tests/a.test.ts`);
//! 2. a module: the `classname` mapped to path segments — split at `::` (Rust), at `/`
//!    (a Go import path) or at `.` (Java, Kotlin, Python; a nested class's `$Inner`
//!    dropped). For cargo-nextest (a `name` holding `::`) the segments are the test
//!    binary of `classname="crate::binary"` (not the crate) followed by the modules of
//!    the name, without `tests`/`test` (`name="ingest::tests::parses"` → `ingest`). A
//!    file's *key* is its path without extension (and without a trailing `/mod`, `/main`
//!    or `/lib` for Rust); for a Go `_test.go` file it is the file's folder. A run of
//!    consecutive segments `S[i..j]` matches a key equal to it or ending in `/` + it; the
//!    scanned files with the longest matching run are the case's files
//!    (`com.acme.FooTest` ↔ `src/test/java/com/acme/FooTest.java`, `tests.test_mod.TestX`
//!    ↔ `tests/test_mod.py`, `github.com/acme/repo/pkg` ↔ `pkg/x_test.go`). Every scanned
//!    file competes, so a better-matching file without markers wins over a worse one
//!    with markers.
//!
//! When no hint names a file (jest-junit without `file`), every marked file is a
//! candidate, and the case matches only if all its matched traces are in one file.
//!
//! **Traces.** A trace is a *test* when the test it marks can be found:
//! - a marker in a test title (`it('… @requirement:REQ-X', …)`): the title string of
//!   that line; a `describe`/`context`/`suite` title is a *group*;
//! - a marker comment: the first line after the comment that is not blank, a comment,
//!   an attribute (`#[test]`) or an annotation/decorator (`@Test`), read by the file's
//!   language: `it/test/describe('title'` (TS/JS; `describe` is a group), `fn name`
//!   after a `#[…test…]` attribute (Rust), `def test_name` or `class TestX` (a group)
//!   (Python), `void name(` after an `@…Test` annotation or `class X` (a group) (Java,
//!   Kotlin `fun`), `func TestName(` (Go).
//!
//! A case's name `N` matches a test titled `T` when `N == T`, or `N` ends with ` > T`
//! (vitest's `describe > it`) or ` T` (jest's `describe it`), or `N` without a pytest
//! parameter suffix (`test_x[1]`), a JUnit 5 argument list (`parses()`), a Rust module
//! path (`ingest::tests::parses`) or a Go subtest (`TestFoo/sub`) is `T`. It matches a
//! group titled `G` when `N` (or the `classname`) starts with `G > ` or `G `, or the last
//! part of the `classname` is `G` (pytest's and Surefire's test classes). When no test
//! or group of the case's files matches, a case whose name holds the marker text of a
//! test-title trace (from its first `@`) matches that trace. A case may match several
//! traces (its own test and a group around it); one that matches none is *unmatched*:
//! counted in the summary and listed in `trace.json`, never dropped.
//!
//! # Outcomes
//!
//! A requirement is *verified* when its code traces match at least one passed case and
//! no failed one, *failing* when any matched case failed, and *unverified* otherwise (no
//! matched case, or only skipped ones). Findings: `failing-test` (error) at the trace of
//! each failed case, naming the case and the first line of its message;
//! `untested-requirement` (off unless `[severity]` names it) at each unverified
//! requirement's definition.

use crate::diagnostic::{Code, Diagnostic};
use crate::model::{Project, ReqKey, Resolution};
use crate::source::Placement;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;
use regex::Regex;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::LazyLock;

/// The largest report read, in bytes (64 MiB); a larger one is an
/// `invalid-test-report` finding.
pub const MAX_REPORT_BYTES: u64 = 64 << 20;

/// The outcome of one test case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// No `<failure>`, `<error>` or `<skipped>`.
    Passed,
    /// A `<failure>` or `<error>`.
    Failed,
    /// A `<skipped>`.
    Skipped,
}

impl Outcome {
    /// The lower-case name (`passed`).
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Failed => "failed",
            Outcome::Skipped => "skipped",
        }
    }
}

/// One `<testcase>` of a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct TestCase {
    /// The report's path, relative to the root.
    pub report: String,
    /// The 1-based line of the `<testcase>` element in the report.
    pub line: u32,
    /// The enclosing `<testsuite>`'s `name` (innermost), or empty.
    pub suite: String,
    /// The `classname` attribute, or empty.
    pub classname: String,
    /// The `name` attribute.
    pub name: String,
    /// The `file` attribute of the case, else of its suite.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Passed, failed or skipped.
    pub outcome: Outcome,
    /// The first line of the failure (or skip) message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl TestCase {
    /// How a case is named to a reader: `classname › name`, or the name alone.
    pub fn display_name(&self) -> String {
        if self.classname.is_empty() || self.classname == self.name {
            self.name.clone()
        } else {
            format!("{} › {}", self.classname, self.name)
        }
    }
}

/// Reads one JUnit XML report. On malformed XML the finding names the line of the error
/// and no case of the report is returned (a truncated report would hide its failures).
pub fn parse(path: &str, text: &str) -> Result<Vec<TestCase>, Diagnostic> {
    let mut reader = Reader::from_str(text);
    let config = reader.config_mut();
    config.trim_text(true);
    config.check_end_names = true;
    let starts = crate::text::line_starts(text);
    let line_at = |pos: u64| crate::text::line_of(&starts, (pos as usize).saturating_sub(1));
    let mut cases = Vec::new();
    let mut suites: Vec<(String, Option<String>)> = Vec::new();
    let mut current: Option<TestCase> = None;
    // Inside `<failure>`/`<error>`/`<skipped>` without a message attribute: its text.
    let mut collecting: Option<String> = None;
    let mut depth_in_result = 0usize;
    loop {
        let event = match reader.read_event() {
            Ok(e) => e,
            Err(e) => {
                let line = line_at(reader.error_position() + 1);
                return Err(Diagnostic::new(
                    Code::InvalidTestReport,
                    path,
                    line,
                    format!("not a well-formed JUnit XML report: {e}; none of its test cases were read"),
                )
                .with_help("regenerate the report (a cancelled job can leave it truncated)"));
            }
        };
        let pos = reader.buffer_position();
        let (start, empty) = match &event {
            Event::Start(e) => (Some(e), false),
            Event::Empty(e) => (Some(e), true),
            _ => (None, false),
        };
        if let Some(e) = start {
            let Some(case) = current.as_mut() else {
                match e.local_name().as_ref() {
                    "testsuite" if !empty => {
                        suites.push((attr(e, "name").unwrap_or_default(), attr(e, "file")));
                    }
                    "testcase" => {
                        let (suite, suite_file) = suites.last().cloned().unwrap_or_default();
                        let case = TestCase {
                            report: path.to_string(),
                            line: line_at(pos),
                            suite,
                            classname: attr(e, "classname").unwrap_or_default(),
                            name: attr(e, "name").unwrap_or_default(),
                            file: attr(e, "file").or(suite_file).filter(|f| !f.is_empty()),
                            outcome: Outcome::Passed,
                            message: None,
                        };
                        if empty {
                            cases.push(case);
                        } else {
                            current = Some(case);
                        }
                    }
                    _ => {}
                }
                continue;
            };
            if depth_in_result > 0 {
                depth_in_result += usize::from(!empty);
                continue;
            }
            let outcome = match e.local_name().as_ref() {
                "failure" | "error" => Some(Outcome::Failed),
                "skipped" => Some(Outcome::Skipped),
                _ => None,
            };
            if let Some(outcome) = outcome {
                // A failure outranks a skip (`<skipped/>` then `<error>` in one case).
                if case.outcome != Outcome::Failed {
                    case.outcome = outcome;
                    case.message = attr(e, "message").and_then(|m| first_line(&m));
                    if !empty && case.message.is_none() {
                        collecting = Some(String::new());
                    }
                }
                if !empty {
                    depth_in_result = 1;
                }
            }
            continue;
        }
        match event {
            Event::Eof => break,
            Event::Text(t) if depth_in_result == 1 => {
                if let Some(c) = collecting.as_mut().filter(|c| c.len() < 4096) {
                    c.push_str(&t);
                }
            }
            Event::CData(t) if depth_in_result == 1 => {
                if let Some(c) = collecting.as_mut().filter(|c| c.len() < 4096) {
                    c.push_str(&t);
                }
            }
            Event::GeneralRef(r) if depth_in_result == 1 => {
                if let Some(c) = collecting.as_mut().filter(|c| c.len() < 4096) {
                    if let Ok(Some(ch)) = r.resolve_char_ref() {
                        c.push(ch);
                    } else if let Some(s) = quick_xml::escape::resolve_predefined_entity(&r) {
                        c.push_str(s);
                    }
                }
            }
            Event::End(e) => {
                if depth_in_result > 0 {
                    depth_in_result -= 1;
                    if depth_in_result == 0
                        && let (Some(case), Some(text)) = (current.as_mut(), collecting.take())
                    {
                        case.message = first_line(&text);
                    }
                } else if current.is_some() {
                    if e.local_name().as_ref() == "testcase"
                        && let Some(case) = current.take()
                    {
                        cases.push(case);
                    }
                } else if e.local_name().as_ref() == "testsuite" {
                    suites.pop();
                }
            }
            _ => {}
        }
    }
    Ok(cases)
}

/// An attribute's value, with the predefined entities and character references
/// resolved (the raw text when it holds another entity).
fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    let a = e.attributes().flatten().find(|a| a.key.local_name().as_ref() == name)?;
    Some(match a.normalized_value(quick_xml::XmlVersion::Implicit1_0) {
        Ok(v) => v.into_owned(),
        Err(_) => a.value.clone().into_owned(),
    })
}

/// The first non-blank line of a message, trimmed, at most 300 characters.
fn first_line(text: &str) -> Option<String> {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    Some(match line.char_indices().nth(300) {
        Some((end, _)) => format!("{}…", &line[..end]),
        None => line.to_string(),
    })
}

// ---- the model ---------------------------------------------------------------------

/// A requirement's verification status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// At least one matched case passed and none failed.
    Verified,
    /// A matched case failed.
    Failing,
    /// No matched case, or only skipped ones.
    Unverified,
}

impl Status {
    /// The lower-case name (`verified`).
    pub fn label(self) -> &'static str {
        match self {
            Status::Verified => "verified",
            Status::Failing => "failing",
            Status::Unverified => "unverified",
        }
    }
}

/// Counts of the verification results: `trace.json`'s `summary.verification`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Counts {
    /// Reports read.
    pub reports: usize,
    /// Test cases read.
    pub cases: usize,
    /// Cases matched to at least one trace.
    pub matched: usize,
    /// Cases matched to no trace.
    pub unmatched: usize,
    /// Cases passed.
    pub passed: usize,
    /// Cases failed.
    pub failed: usize,
    /// Cases skipped.
    pub skipped: usize,
    /// Traces of tests with no case in the reports.
    pub not_run: usize,
    /// Requirements verified.
    pub verified: usize,
    /// Requirements failing.
    pub failing: usize,
    /// Requirements unverified.
    pub unverified: usize,
}

/// The verification results of a project, when reports are configured.
#[derive(Debug, Clone, Default)]
pub struct Verification {
    /// The reports read (root-relative paths, sorted).
    pub reports: Vec<String>,
    /// Every case of every report, in report order.
    pub cases: Vec<TestCase>,
    /// For each trace (same index as `Project::traces`), the cases matched to it.
    pub trace_cases: Vec<Vec<usize>>,
    /// For each trace, the test it marks (`None`: not a test).
    pub trace_tests: Vec<Option<TestSite>>,
    /// For each case, whether a trace matched it.
    pub case_matched: Vec<bool>,
    /// Each requirement's status.
    pub requirements: HashMap<ReqKey, Status>,
    /// Counts.
    pub counts: Counts,
}

impl Verification {
    /// The status of a requirement (unverified when it has none).
    pub fn status(&self, k: ReqKey) -> Status {
        self.requirements.get(&k).copied().unwrap_or(Status::Unverified)
    }

    /// Whether a trace marks a test that has no case in the reports.
    pub fn not_run(&self, t: usize) -> bool {
        self.trace_tests.get(t).is_some_and(Option::is_some) && self.trace_cases[t].is_empty()
    }
}

/// The test a trace marks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct TestSite {
    /// The test's title (`parses a file`, `test_parse`, `TestParse`).
    pub title: String,
    /// Whether it is a group of tests (`describe`, a test class).
    pub group: bool,
}

/// One report as `site` read it: its path and text, or the finding that says why it was
/// not read.
pub type ReportInput = (String, Result<String, Diagnostic>);

/// Reads every report, matches its cases to the traces of `project`, stores the result
/// in `project.verification` and adds the findings (`failing-test`,
/// `untested-requirement`, `invalid-test-report`).
pub fn apply(project: &mut Project, reports: Vec<ReportInput>, unmatched_globs: &[String]) {
    let mut v = Verification::default();
    for g in unmatched_globs {
        project.diagnostics.push(
            Diagnostic::new(
                Code::InvalidTestReport,
                crate::config::FILE_NAME,
                0,
                format!("the `test_results` glob `{g}` matches no file"),
            )
            .with_help("run the tests first, or correct the glob (it is relative to the project root)"),
        );
    }
    for (path, text) in reports {
        match text.and_then(|t| parse(&path, &t)) {
            Ok(cases) => {
                v.reports.push(path);
                v.cases.extend(cases);
            }
            Err(d) => project.diagnostics.push(d),
        }
    }
    v.trace_tests = vec![None; project.traces.len()];
    for (f, range) in project.file_traces.iter().enumerate() {
        if range.is_empty() || lang_of(&project.files[f].path).is_none() {
            continue;
        }
        let text = project.files[f].text.unpack();
        let lines: Vec<&str> = text.lines().collect();
        for t in range.clone() {
            v.trace_tests[t] = test_site(project, t, &lines);
        }
    }
    v.trace_cases = vec![Vec::new(); project.traces.len()];
    v.case_matched = vec![false; v.cases.len()];
    let index = FileIndex::new(&project.scanned);
    for (c, case) in v.cases.iter().enumerate() {
        let traces = match_case(project, &index, &v.trace_tests, case);
        v.case_matched[c] = !traces.is_empty();
        for t in traces {
            v.trace_cases[t].push(c);
        }
    }
    // Requirement status and findings.
    let mut per_req: BTreeMap<ReqKey, Vec<usize>> = BTreeMap::new();
    for (t, tr) in project.traces.iter().enumerate() {
        if !tr.in_code() {
            continue;
        }
        for rt in &tr.requirements {
            if let Resolution::Resolved { key } = rt.resolution {
                per_req.entry(key).or_default().extend(v.trace_cases[t].iter().copied());
            }
        }
        for &c in &v.trace_cases[t] {
            let case = &v.cases[c];
            if case.outcome == Outcome::Failed {
                let file = &project.files[tr.file];
                let file_text = file.text.unpack();
                let text = file_text.lines().nth(tr.trace.line.saturating_sub(1) as usize).unwrap_or("");
                let message = match &case.message {
                    Some(m) => format!("test `{}` failed: {m}", case.display_name()),
                    None => format!("test `{}` failed", case.display_name()),
                };
                project.diagnostics.push(
                    Diagnostic::new(Code::FailingTest, &file.path, tr.trace.line, message)
                        .with_help(format!(
                            "reported at {}:{}; fix the code or the test",
                            case.report, case.line
                        ))
                        .with_text(text),
                );
            }
        }
    }
    for (p, plan) in project.plans.iter().enumerate() {
        for (r, req) in plan.requirements.iter().enumerate() {
            let key = ReqKey { plan: p, req: r };
            let cases = per_req.get(&key).map_or(&[][..], Vec::as_slice);
            let failed = cases.iter().any(|&c| v.cases[c].outcome == Outcome::Failed);
            let passed = cases.iter().any(|&c| v.cases[c].outcome == Outcome::Passed);
            let status = if failed {
                Status::Failing
            } else if passed {
                Status::Verified
            } else {
                Status::Unverified
            };
            v.requirements.insert(key, status);
            match status {
                Status::Verified => v.counts.verified += 1,
                Status::Failing => v.counts.failing += 1,
                Status::Unverified => {
                    v.counts.unverified += 1;
                    let why = if cases.is_empty() {
                        "no test case matches its traces"
                    } else {
                        "every test case matched to it was skipped"
                    };
                    project.diagnostics.push(
                        Diagnostic::new(
                            Code::UntestedRequirement,
                            &req.location.path,
                            req.location.line,
                            format!("requirement `{}` is not verified by a passed test: {why}", req.id),
                        )
                        .with_help(
                            "mark a test with `@requirement:` and include its report in `test_results`",
                        ),
                    );
                }
            }
        }
    }
    let not_run = (0..project.traces.len()).filter(|&t| v.not_run(t)).count();
    let c = &mut v.counts;
    c.not_run = not_run;
    c.reports = v.reports.len();
    c.cases = v.cases.len();
    c.matched = v.case_matched.iter().filter(|m| **m).count();
    c.unmatched = c.cases - c.matched;
    c.passed = v.cases.iter().filter(|k| k.outcome == Outcome::Passed).count();
    c.failed = v.cases.iter().filter(|k| k.outcome == Outcome::Failed).count();
    c.skipped = v.cases.iter().filter(|k| k.outcome == Outcome::Skipped).count();
    project.diagnostics.sort();
    project.diagnostics.dedup();
    project.summary.diagnostics = project.diagnostics.len();
    project.summary.verification = Some(v.counts.clone());
    project.verification = Some(v);
}

// ---- which test a trace marks --------------------------------------------------------

/// A string literal in `'`, `"` or `` ` `` quotes (its text is one of three groups).
const QUOTED: &str = r#"(?:'((?:\\.|[^\\'])*)'|"((?:\\.|[^\\"])*)"|`((?:\\.|[^\\`])*)`)"#;
static TITLE_CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^\s*(?:export\s+)?(describe|context|suite|it|test|specify)(?:\.\w+)*\s*\(\s*{QUOTED}"
    ))
    .expect("valid regex")
});
static ANY_TITLE_CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"\b(describe|context|suite|it|test|specify)(?:\.\w+)*\s*\(\s*{QUOTED}"))
        .expect("valid regex")
});
static STRING: LazyLock<Regex> = LazyLock::new(|| Regex::new(QUOTED).expect("valid regex"));

/// The text of the quoted string among a match's groups from `first` on.
fn quoted(c: &regex::Captures<'_>, first: usize) -> String {
    (first..first + 3).find_map(|i| c.get(i)).map_or(String::new(), |m| m.as_str().to_string())
}

static RUST_FN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:pub(?:\([^)]*\))?\s+)?(?:async\s+)?(?:unsafe\s+)?fn\s+(\w+)").expect("valid regex")
});
static PY_DEF: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(?:async\s+)?def\s+(test\w*)").expect("valid regex"));
static PY_CLASS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*class\s+(Test\w*)").expect("valid regex"));
static JAVA_METHOD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:\bvoid|\bfun)\s+`?(\w[^`(]*?)`?\s*\(").expect("valid regex"));
static JAVA_CLASS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:(?:public|internal|abstract|final|open|private|protected|static)\s+)*class\s+(\w+)")
        .expect("valid regex")
});
static GO_FUNC: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^func\s+(Test\w*)\s*\(").expect("valid regex"));

#[derive(Clone, Copy, PartialEq, Eq)]
enum Lang {
    Js,
    Rust,
    Python,
    Java,
    Go,
}

fn lang_of(path: &str) -> Option<Lang> {
    let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match ext.as_str() {
        "ts" | "tsx" | "mts" | "cts" | "js" | "jsx" | "mjs" | "cjs" => Lang::Js,
        "rs" => Lang::Rust,
        "py" => Lang::Python,
        "java" | "kt" | "kts" | "scala" | "groovy" => Lang::Java,
        "go" => Lang::Go,
        _ => return None,
    })
}

/// The test trace `t` marks, if any (see the module doc); `lines` are its file's lines.
fn test_site(project: &Project, t: usize, lines: &[&str]) -> Option<TestSite> {
    let tr = &project.traces[t];
    let lang = lang_of(&project.files[tr.file].path)?;
    match tr.trace.placement {
        Placement::TestTitle => {
            let line = lines.get(tr.trace.line.checked_sub(1)? as usize)?;
            if let Some(c) = ANY_TITLE_CALL.captures(line) {
                return Some(TestSite {
                    title: quoted(&c, 2),
                    group: matches!(&c[1], "describe" | "context" | "suite"),
                });
            }
            // The title on its own line below `it(`.
            let s = STRING.captures(line)?;
            let before = lines[..tr.trace.line as usize - 1].iter().rev().find(|l| !l.trim().is_empty());
            let group = before.is_some_and(|l| {
                let l = l.trim_start();
                l.starts_with("describe") || l.starts_with("context") || l.starts_with("suite")
            });
            Some(TestSite { title: quoted(&s, 1), group })
        }
        Placement::Comment => {
            let mut test_attr = false;
            let start = tr.trace.end_line as usize;
            for raw in lines.iter().skip(start).take(40) {
                let l = raw.trim();
                if l.is_empty() {
                    continue;
                }
                let comment = l.starts_with("//")
                    || l.starts_with("/*")
                    || l.starts_with('*')
                    || (l.starts_with('#') && !l.starts_with("#["))
                    || l.starts_with("\"\"\"");
                if comment {
                    continue;
                }
                if l.starts_with("#[") || l.starts_with('@') {
                    test_attr |= l.contains("test") || l.contains("Test");
                    continue;
                }
                return match lang {
                    Lang::Js => TITLE_CALL.captures(raw).map(|c| TestSite {
                        title: quoted(&c, 2),
                        group: matches!(&c[1], "describe" | "context" | "suite"),
                    }),
                    Lang::Rust => RUST_FN
                        .captures(raw)
                        .filter(|_| test_attr)
                        .map(|c| TestSite { title: c[1].to_string(), group: false }),
                    Lang::Python => PY_DEF
                        .captures(raw)
                        .map(|c| TestSite { title: c[1].to_string(), group: false })
                        .or_else(|| {
                            PY_CLASS.captures(raw).map(|c| TestSite { title: c[1].to_string(), group: true })
                        }),
                    Lang::Java => JAVA_CLASS
                        .captures(raw)
                        .map(|c| TestSite { title: c[1].to_string(), group: true })
                        .or_else(|| {
                            JAVA_METHOD
                                .captures(raw)
                                .filter(|_| test_attr)
                                .map(|c| TestSite { title: c[1].trim().to_string(), group: false })
                        }),
                    Lang::Go => {
                        GO_FUNC.captures(raw).map(|c| TestSite { title: c[1].to_string(), group: false })
                    }
                };
            }
            None
        }
        _ => None,
    }
}

// ---- which files a case can come from ------------------------------------------------

/// The scanned files by the last part of their key (see the module doc).
struct FileIndex<'p> {
    by_last: HashMap<String, Vec<(String, &'p str)>>,
}

/// Whether a path is a test file: it lies under a `__tests__`, `tests`, `test` or
/// `spec` folder, or its name says so (`*.test.ts`, `*.spec.js`, `test_*.py`,
/// `*_test.py`, `*_test.go`, `*Test.java`, `*Tests.kt`, `*_spec.rb`). The one rule
/// for "test code" of the site (requirement pages split traces by it) and of test
/// matching.
pub fn is_test_file(path: &str) -> bool {
    let mut parts = path.split('/');
    let name = parts.next_back().unwrap_or(path);
    if parts.any(|d| matches!(d, "__tests__" | "tests" | "test" | "spec" | "__test__")) {
        return true;
    }
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
    if ext.is_empty() {
        return false;
    }
    stem.ends_with(".test")
        || stem.ends_with(".spec")
        || stem.ends_with("_test")
        || stem.ends_with("_spec")
        || (stem.starts_with("test_") && ext == "py")
        || (matches!(ext, "java" | "kt" | "kts" | "scala" | "groovy" | "cs")
            && (stem.ends_with("Test") || stem.ends_with("Tests") || stem.ends_with("IT")))
}

/// A scanned file's key: its path without extension (Rust: without `/mod`, `/main`,
/// `/lib`), or for a Go test file its folder.
pub fn file_key(path: &str) -> String {
    if path.ends_with("_test.go") {
        return path.rsplit_once('/').map_or(String::new(), |(dir, _)| dir.to_string());
    }
    let name_start = path.rfind('/').map_or(0, |i| i + 1);
    let stem = match path[name_start..].rfind('.') {
        Some(i) if i > 0 => &path[..name_start + i],
        _ => path,
    };
    if path.ends_with(".rs") {
        for tail in ["/mod", "/main", "/lib"] {
            if let Some(s) = stem.strip_suffix(tail) {
                return s.to_string();
            }
        }
    }
    stem.to_string()
}

impl<'p> FileIndex<'p> {
    fn new(scanned: &'p [String]) -> FileIndex<'p> {
        let mut by_last: HashMap<String, Vec<(String, &'p str)>> = HashMap::new();
        for p in scanned {
            let key = file_key(p);
            let last = key.rsplit('/').next().unwrap_or_default().to_string();
            if !last.is_empty() {
                by_last.entry(last).or_default().push((key, p.as_str()));
            }
        }
        FileIndex { by_last }
    }

    /// The scanned files whose key matches the longest run of `segments`.
    fn best(&self, segments: &[String]) -> Vec<&'p str> {
        let mut best = 0usize;
        let mut out: Vec<&'p str> = Vec::new();
        for j in (1..=segments.len()).rev() {
            let Some(cands) = self.by_last.get(segments[j - 1].as_str()) else { continue };
            for (key, path) in cands {
                for i in 0..j {
                    let run = segments[i..j].join("/");
                    let hit = key == &run || key.ends_with(&format!("/{run}"));
                    if hit {
                        let len = j - i;
                        if len > best {
                            best = len;
                            out.clear();
                        }
                        if len == best && !out.contains(path) {
                            out.push(path);
                        }
                        break;
                    }
                }
            }
        }
        out
    }
}

/// Whether a hint looks like a file path (a `/` or `\`, and a source extension).
fn looks_like_path(s: &str) -> bool {
    (s.contains('/') || s.contains('\\')) && lang_of(s.rsplit(['/', '\\']).next().unwrap_or(s)).is_some()
}

/// The path of a file hint as tracemark writes paths: `/`-separated, no leading `./`.
fn normal_path(s: &str) -> String {
    let s = s.replace('\\', "/");
    s.trim_start_matches("./").to_string()
}

/// Whether the root-relative `path` is the file the hint names.
fn path_matches(path: &str, hint: &str) -> bool {
    path == hint || hint.ends_with(&format!("/{path}")) || path.ends_with(&format!("/{hint}"))
}

/// The module segments of a case's `classname` (and, for cargo-nextest, its name); see
/// the module doc. Public for its unit tests' sake.
pub fn module_segments(classname: &str, name: &str) -> Vec<String> {
    let drop_test = |s: &&str| !matches!(*s, "tests" | "test" | "");
    if name.contains("::") {
        let mut segs: Vec<String> =
            classname.split("::").skip(1).filter(drop_test).map(str::to_string).collect();
        let parts: Vec<&str> = name.split("::").collect();
        segs.extend(parts[..parts.len() - 1].iter().copied().filter(drop_test).map(str::to_string));
        return segs;
    }
    if classname.contains("::") {
        return classname.split("::").skip(1).filter(drop_test).map(str::to_string).collect();
    }
    if classname.contains('/') {
        return classname.split('/').filter(|s| !s.is_empty()).map(str::to_string).collect();
    }
    classname
        .split('.')
        .map(|s| s.split('$').next().unwrap_or(s))
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// The marked files (indices into `project.files`) a case can come from; `None` when no
/// hint names a file.
fn case_files(project: &Project, index: &FileIndex<'_>, case: &TestCase) -> Option<Vec<usize>> {
    let mut hints: Vec<String> = Vec::new();
    if let Some(f) = &case.file {
        hints.push(normal_path(f));
    }
    for s in [&case.classname, &case.suite] {
        if looks_like_path(s) {
            hints.push(normal_path(s));
        }
    }
    for h in &hints {
        let files: Vec<usize> = project
            .files
            .iter()
            .enumerate()
            .filter(|(_, f)| path_matches(&f.path, h))
            .map(|(i, _)| i)
            .collect();
        if !files.is_empty() {
            return Some(files);
        }
        if project.scanned.iter().any(|p| path_matches(p, h)) {
            return Some(Vec::new());
        }
    }
    let segments = if hints.is_empty() || case.name.contains("::") {
        module_segments(&case.classname, &case.name)
    } else {
        Vec::new()
    };
    if segments.is_empty() {
        return None;
    }
    let paths = index.best(&segments);
    if paths.is_empty() {
        return None;
    }
    Some(paths.iter().filter_map(|p| project.file_index.get(*p).copied()).collect())
}

// ---- which traces of those files -----------------------------------------------------

/// The names a case's test could have been written with (see the module doc).
fn name_forms(name: &str) -> Vec<&str> {
    let mut out = vec![name];
    if let Some((_, last)) = name.rsplit_once(" > ") {
        out.push(last);
    }
    if let Some((head, _)) = name.split_once('[') {
        out.push(head);
    }
    if let Some((head, _)) = name.split_once('(') {
        out.push(head);
    }
    if let Some((_, last)) = name.rsplit_once("::") {
        out.push(last);
    }
    if let Some((head, _)) = name.split_once('/') {
        out.push(head);
    }
    out
}

fn title_matches(case: &TestCase, title: &str) -> bool {
    let n = case.name.as_str();
    name_forms(n).contains(&title) || n.ends_with(&format!(" > {title}")) || n.ends_with(&format!(" {title}"))
}

fn group_matches(case: &TestCase, group: &str) -> bool {
    let starts = |s: &str| s.starts_with(&format!("{group} > ")) || s.starts_with(&format!("{group} "));
    let last_class = case.classname.rsplit(['.', '$']).next().unwrap_or("");
    starts(&case.name) || starts(&case.classname) || last_class == group
}

/// The traces a case matches (indices into `project.traces`).
fn match_case(
    project: &Project,
    index: &FileIndex<'_>,
    tests: &[Option<TestSite>],
    case: &TestCase,
) -> Vec<usize> {
    let files = case_files(project, index, case);
    let candidates: Vec<usize> = match &files {
        Some(fs) => fs.iter().flat_map(|&f| project.file_traces[f].clone()).collect(),
        None => (0..project.traces.len()).collect(),
    };
    let mut out: Vec<usize> = candidates
        .iter()
        .copied()
        .filter(|&t| match &tests[t] {
            Some(s) if s.group => group_matches(case, &s.title),
            Some(s) => title_matches(case, &s.title),
            None => false,
        })
        .collect();
    let only_groups = out.iter().all(|&t| tests[t].as_ref().is_some_and(|s| s.group));
    if out.is_empty() || only_groups {
        // A marker in a test title that the reporter wrote differently.
        for &t in &candidates {
            if project.traces[t].trace.placement != Placement::TestTitle || out.contains(&t) {
                continue;
            }
            let Some(site) = &tests[t] else { continue };
            if let Some(at) = site.title.find('@') {
                let marker = site.title[at..].trim();
                if !marker.is_empty() && case.name.contains(marker) {
                    out.push(t);
                }
            }
        }
    }
    if files.is_none() {
        let in_files: HashSet<usize> = out.iter().map(|&t| project.traces[t].file).collect();
        if in_files.len() > 1 {
            return Vec::new();
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segs(classname: &str, name: &str) -> Vec<String> {
        module_segments(classname, name)
    }

    #[test]
    fn classnames_map_to_module_segments() {
        assert_eq!(segs("com.acme.FooTest", "parses"), ["com", "acme", "FooTest"]);
        assert_eq!(segs("com.acme.FooTest$WhenEmpty", "parses()"), ["com", "acme", "FooTest"]);
        assert_eq!(segs("tests.test_mod", "test_x[1]"), ["tests", "test_mod"]);
        assert_eq!(segs("github.com/acme/repo/pkg", "TestFoo/sub"), ["github.com", "acme", "repo", "pkg"]);
        assert_eq!(segs("ingest::it", "results::tests::parses"), ["it", "results"]);
        assert_eq!(segs("ingest", "parser::tests::parses"), ["parser"]);
        assert_eq!(segs("ingest", "tests::parses"), Vec::<String>::new());
    }

    #[test]
    fn file_keys_drop_extensions_rust_module_files_and_go_file_names() {
        assert_eq!(file_key("src/test/java/com/acme/FooTest.java"), "src/test/java/com/acme/FooTest");
        assert_eq!(file_key("tests/test_mod.py"), "tests/test_mod");
        assert_eq!(file_key("tests/it/main.rs"), "tests/it");
        assert_eq!(file_key("src/parser/mod.rs"), "src/parser");
        assert_eq!(file_key("pkg/ingest/ingest_test.go"), "pkg/ingest");
        for test in [
            "src/__tests__/a.ts",
            "tests/it/main.rs",
            "pkg/x_test.go",
            "a/b.test.ts",
            "a/b.spec.js",
            "test_mod.py",
            "lib/mod_test.py",
            "src/main/java/FooTest.java",
        ] {
            assert!(is_test_file(test), "{test}");
        }
        for code in
            ["src/test-utils.ts", "src/testing.ts", "src/latest.go", "src/Contest.java", "spec.md", "Tests"]
        {
            assert!(!is_test_file(code), "{code}");
        }
        assert_eq!(file_key("ingest_test.go"), "");
        assert_eq!(file_key("Makefile"), "Makefile");
    }

    fn best(files: &[&str], classname: &str, name: &str) -> Vec<String> {
        let scanned: Vec<String> = files.iter().map(|s| s.to_string()).collect();
        let index = FileIndex::new(&scanned);
        index.best(&module_segments(classname, name)).into_iter().map(str::to_string).collect()
    }

    #[test]
    fn the_longest_matching_run_of_segments_picks_the_file() {
        let files = [
            "src/test/java/com/acme/FooTest.java",
            "src/test/java/com/other/FooTest.java",
            "tests/test_mod.py",
            "lib/tests/test_mod.py",
            "vendor/test_mod.py",
            "pkg/ingest/ingest_test.go",
            "pkg/ingest/ingest.go",
            "tests/it/results.rs",
            "tests/it/main.rs",
            "src/parser.rs",
        ];
        assert_eq!(best(&files, "com.acme.FooTest", "parses"), ["src/test/java/com/acme/FooTest.java"]);
        assert_eq!(
            best(&files, "tests.test_mod.TestParse", "test_x"),
            ["tests/test_mod.py", "lib/tests/test_mod.py"]
        );
        assert_eq!(best(&files, "lib.tests.test_mod", "test_x"), ["lib/tests/test_mod.py"]);
        assert_eq!(best(&files, "github.com/acme/repo/pkg/ingest", "TestX"), ["pkg/ingest/ingest_test.go"]);
        assert_eq!(best(&files, "repo::it", "results::reads"), ["tests/it/results.rs"]);
        assert_eq!(best(&files, "repo::it", "top_level"), ["tests/it/main.rs"]);
        assert_eq!(best(&files, "repo", "parser::tests::parses"), ["src/parser.rs"]);
        assert!(best(&files, "com.acme.BarTest", "x").is_empty());
    }

    #[test]
    fn case_names_match_titles_in_each_dialect() {
        let case = |classname: &str, name: &str| TestCase {
            report: "r.xml".into(),
            line: 1,
            suite: String::new(),
            classname: classname.into(),
            name: name.into(),
            file: None,
            outcome: Outcome::Passed,
            message: None,
        };
        assert!(title_matches(&case("a.test.ts", "ingest > parses a file"), "parses a file"));
        assert!(title_matches(&case("ingest parses a file", "ingest parses a file"), "parses a file"));
        assert!(title_matches(&case("tests.test_mod", "test_parse[utf8]"), "test_parse"));
        assert!(title_matches(&case("com.acme.FooTest", "parses()"), "parses"));
        assert!(title_matches(&case("repo::it", "results::parses"), "parses"));
        assert!(title_matches(&case("github.com/acme/pkg", "TestParse/empty"), "TestParse"));
        assert!(!title_matches(&case("a.test.ts", "parses a file twice"), "parses a file"));
        assert!(group_matches(&case("a.test.ts", "ingest > parses"), "ingest"));
        assert!(group_matches(&case("tests.test_mod.TestParse", "test_x"), "TestParse"));
        assert!(group_matches(&case("com.acme.FooTest", "parses"), "FooTest"));
        assert!(!group_matches(&case("a.test.ts", "ingestion > parses"), "ingest"));
    }

    #[test]
    fn reads_outcomes_and_first_message_lines() {
        let xml = r#"<?xml version="1.0"?>
<testsuites>
  <testsuite name="src/a.test.ts" file="src/a.test.ts">
    <testcase classname="src/a.test.ts" name="a &gt; passes" time="0.1"/>
    <testcase classname="src/a.test.ts" name="a > fails">
      <failure message="expected 2&#10;to be 3" type="AssertionError">stack</failure>
    </testcase>
    <testcase classname="src/a.test.ts" name="a > errs"><error>boom
at x</error></testcase>
    <testcase classname="src/a.test.ts" name="a > skips"><skipped/></testcase>
  </testsuite>
</testsuites>
"#;
        let cases = parse("r.xml", xml).unwrap();
        let got: Vec<(&str, Outcome, Option<&str>, u32)> =
            cases.iter().map(|c| (c.name.as_str(), c.outcome, c.message.as_deref(), c.line)).collect();
        assert_eq!(
            got,
            [
                ("a > passes", Outcome::Passed, None, 4),
                ("a > fails", Outcome::Failed, Some("expected 2"), 5),
                ("a > errs", Outcome::Failed, Some("boom"), 8),
                ("a > skips", Outcome::Skipped, None, 10),
            ]
        );
        assert_eq!(cases[0].suite, "src/a.test.ts");
        assert_eq!(cases[0].file.as_deref(), Some("src/a.test.ts"));
    }

    #[test]
    fn malformed_xml_names_the_line_and_reads_nothing() {
        let xml = "<testsuites>\n<testsuite name=\"s\">\n<testcase name=\"a\"/>\n</testsuites>\n";
        let d = parse("reports/bad.xml", xml).unwrap_err();
        assert_eq!(d.code, Code::InvalidTestReport);
        assert_eq!((d.path.as_str(), d.line), ("reports/bad.xml", 4));
        assert!(d.to_string().starts_with("reports/bad.xml:4: warning[invalid-test-report]: "), "{d}");
    }

    #[test]
    fn entities_beyond_the_predefined_ones_are_not_expanded() {
        let xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]>\n\
                   <testsuite><testcase name=\"&b;\"><failure>&b;&amp;x</failure></testcase></testsuite>\n";
        let cases = parse("r.xml", xml).unwrap();
        assert_eq!(cases.len(), 1);
        assert_eq!(cases[0].name, "&b;");
        assert_eq!(cases[0].message.as_deref(), Some("&x"));
    }

    #[test]
    fn garbage_never_panics() {
        for text in ["", "<", "<testcase", "<testcase name='x'><failure", "\u{0}\u{1}<<>>", "<a></b>", "&&&"]
        {
            let _ = parse("r.xml", text);
        }
    }
}
