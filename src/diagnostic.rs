//! Diagnostics: every problem tracemark finds in its input, with a stable code and a
//! `path:line` location, shown on the console and on the site's diagnostics page.

use serde::Serialize;
use std::fmt;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Something worth knowing that needs no action (e.g. a file decoded as cp1252).
    Note,
    /// A problem in the trace (dangling reference, uncovered requirement).
    Warning,
    /// Input tracemark could not read or a configuration it cannot use.
    Error,
}

impl Severity {
    /// Every severity, most serious first.
    pub const ALL: [Severity; 3] = [Severity::Error, Severity::Warning, Severity::Note];
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// The stable code of a finding: one per kind of problem. The kebab-case name
/// (`Code::name`) is what the console, the site and `trace.json` show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Code {
    /// A marker names a plan, phase or requirement that no plan declares.
    DanglingReference,
    /// A marker's value is not an ID at all (`@plan:ISSUE-2376`).
    UnresolvedMarker,
    /// A requirement ID that several plans define, with no plan named to choose one.
    AmbiguousReference,
    /// A requirement defined in a plan that no trace in code covers.
    UncoveredRequirement,
    /// One ID defined twice within one plan.
    DuplicateDefinition,
    /// A file that is not valid UTF-8 and was decoded as Windows-1252.
    Encoding,
    /// A folder that could not be read, or a binary file holding marker text.
    Unreadable,
    /// A file that was not read: too large, binary (a NUL byte in a text or markdown
    /// file), or unreadable. The finding names the file and the reason.
    SkippedFile,
    /// A plan folder that declares no plan ID.
    UndeclaredPlan,
    /// The tracker marks a phase done, the plan keeps completion records, and this
    /// phase has none.
    MissingCompletionRecord,
    /// A completion record exists for a phase the tracker marks as not started.
    UnexpectedCompletionRecord,
    /// A trace in code names a phase that is not done yet.
    TraceForUnfinishedPhase,
    /// Tasks whose prerequisites (`depends-on` links) form a cycle.
    PrerequisiteCycle,
    /// A gate whose result is FAIL (`Gate: FAIL — reason`).
    FailedGate,
    /// No plan root is configured and none was found: nothing is cross-referenced.
    NoPlans,
    /// A test case of a JUnit report that a trace matches failed (or errored).
    FailingTest,
    /// A requirement that no passed test case verifies (opt-in: off unless the
    /// `[severity]` table gives it a level).
    UntestedRequirement,
    /// A JUnit report that could not be read: malformed XML, too large, a symbolic
    /// link, or a `test_results` glob that matches no file.
    InvalidTestReport,
    /// A trace in code whose requirement was reworded (in git) after the traced lines
    /// last changed, and no review clears it.
    SuspectTrace,
    /// The review record `.tracemark/reviews.toml` could not be read.
    InvalidReviews,
}

impl Code {
    /// Every code, in declaration order.
    pub const ALL: [Code; 20] = [
        Code::DanglingReference,
        Code::UnresolvedMarker,
        Code::AmbiguousReference,
        Code::UncoveredRequirement,
        Code::DuplicateDefinition,
        Code::Encoding,
        Code::Unreadable,
        Code::SkippedFile,
        Code::UndeclaredPlan,
        Code::MissingCompletionRecord,
        Code::UnexpectedCompletionRecord,
        Code::TraceForUnfinishedPhase,
        Code::PrerequisiteCycle,
        Code::FailedGate,
        Code::NoPlans,
        Code::FailingTest,
        Code::UntestedRequirement,
        Code::InvalidTestReport,
        Code::SuspectTrace,
        Code::InvalidReviews,
    ];

    /// The code with this kebab-case name (`dangling-reference`), if there is one.
    pub fn from_name(name: &str) -> Option<Code> {
        Code::ALL.into_iter().find(|c| c.name() == name)
    }

    /// The kebab-case name used in every output (`dangling-reference`).
    pub fn name(self) -> &'static str {
        match self {
            Code::DanglingReference => "dangling-reference",
            Code::UnresolvedMarker => "unresolved-marker",
            Code::AmbiguousReference => "ambiguous-reference",
            Code::UncoveredRequirement => "uncovered-requirement",
            Code::DuplicateDefinition => "duplicate-definition",
            Code::Encoding => "encoding",
            Code::Unreadable => "unreadable",
            Code::SkippedFile => "skipped-file",
            Code::UndeclaredPlan => "undeclared-plan",
            Code::MissingCompletionRecord => "missing-completion-record",
            Code::UnexpectedCompletionRecord => "unexpected-completion-record",
            Code::TraceForUnfinishedPhase => "trace-for-unfinished-phase",
            Code::PrerequisiteCycle => "prerequisite-cycle",
            Code::FailedGate => "failed-gate",
            Code::NoPlans => "no-plans",
            Code::FailingTest => "failing-test",
            Code::UntestedRequirement => "untested-requirement",
            Code::InvalidTestReport => "invalid-test-report",
            Code::SuspectTrace => "suspect-trace",
            Code::InvalidReviews => "invalid-reviews",
        }
    }

    /// The severity findings of this code get unless the `[severity]` table says
    /// otherwise (an oversized file skipped is a note although `unreadable` is a warning).
    /// Errors fail `tracemark check`: a broken trace (`dangling-reference`), tasks that
    /// can never start and a failed gate. [`Code::why_default`] says why for each code.
    pub fn default_severity(self) -> Severity {
        match self {
            Code::Encoding | Code::SkippedFile | Code::UndeclaredPlan | Code::TraceForUnfinishedPhase => {
                Severity::Note
            }
            Code::DanglingReference | Code::PrerequisiteCycle | Code::FailedGate | Code::FailingTest => {
                Severity::Error
            }
            _ => Severity::Warning,
        }
    }

    /// Whether findings of this code are listed when the `[severity]` table does not
    /// name the code. Only `untested-requirement` is off by default (opt-in): with it
    /// listed at a level (`untested-requirement = "warning"`), its findings appear with
    /// that level; [`Code::default_severity`] is then the level it is documented with.
    pub fn on_by_default(self) -> bool {
        self != Code::UntestedRequirement
    }

    /// The default as documentation shows it: the severity's name, or `off` for a code
    /// that is off by default.
    pub fn default_label(self) -> &'static str {
        if !self.on_by_default() {
            return "off";
        }
        match self.default_severity() {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// The documentation of the code: a readable name, what a finding means, how to fix
    /// it, an example and why it has its default severity. SARIF rules
    /// (`fullDescription`, `help`) and `docs/findings.md` are made from it.
    pub fn doc(self) -> CodeDoc {
        let (title, meaning, fix, example, why) = match self {
            Code::DanglingReference => (
                "DanglingReference",
                "A marker or an item link names a plan, phase, requirement or item that no plan declares: a broken trace. The code claims to implement or verify something that exists nowhere, usually because of a typo or because the requirement was renamed or removed.",
                "Correct the ID in the marker, or declare the plan (`Plan ID: …`), phase or requirement it names. If the requirement was removed on purpose, remove the marker.",
                "// @plan:PLAN-20250101-LOGIN.P02\n// @requirement:REQ-LOGIN-009   <- no plan defines REQ-LOGIN-009",
                "error: a broken trace is always a mistake, and the change that introduced it can fix it",
            ),
            Code::UnresolvedMarker => (
                "UnresolvedMarker",
                "A marker's value is not an ID at all, so the marker traces nothing. It is kept and shown so that nothing is dropped silently.",
                "Write a plan ID (`PLAN-YYYYMMDD-NAME.P05`) or a requirement ID (`REQ-X-001`) after the tag, or move the free text out of the marker.",
                "// @plan:ISSUE-2376   <- an issue number, not a plan ID",
                "warning: nothing is traced, but the text may be a deliberate note; review it",
            ),
            Code::AmbiguousReference => (
                "AmbiguousReference",
                "A marker names a requirement (or item) ID that several plans define, and no `@plan` in the same comment block says which one. tracemark does not guess: the trace is kept but linked to no requirement.",
                "Add `@plan:PLAN-…` naming the intended plan to the same comment block, or give the requirements distinct IDs.",
                "// @requirement:REQ-001   <- REQ-001 is defined by PLAN-A and PLAN-B",
                "warning: choosing the plan is a decision, often about old code; it does not break a trace",
            ),
            Code::UncoveredRequirement => (
                "UncoveredRequirement",
                "A requirement defined in a plan has no trace in code: no marker names it.",
                "Mark the code that implements or verifies it with `@plan:PLAN-….PNN @requirement:REQ-…`, or remove the requirement from the plan.",
                "REQ-LOGIN-003 in project-plans/login/specification.md, cited by no marker",
                "warning: plans are written before code, so an uncovered requirement is the normal state of work in progress",
            ),
            Code::DuplicateDefinition => (
                "DuplicateDefinition",
                "One ID (a plan ID, or a requirement ID within one plan) is declared twice; the first declaration is used.",
                "Remove or rename one of the two declarations.",
                "`Plan ID: PLAN-20250101-LOGIN` in two plan folders",
                "warning: the site still links to the first declaration; worth fixing, not worth failing",
            ),
            Code::Encoding => (
                "FileNotUtf8",
                "A file is not valid UTF-8. Its valid UTF-8 text is kept and only the invalid bytes are decoded as Windows-1252; the finding names the lines that hold them.",
                "Save the file as UTF-8.",
                "a source file saved as Latin-1 with `café` in a comment",
                "note: the file was read and nothing is lost",
            ),
            Code::Unreadable => (
                "UnreadablePath",
                "A folder could not be read, or a binary file holds marker text. Markers in it are not seen.",
                "Fix the folder's permissions, or exclude the path (`exclude` in tracemark.toml) if it is a build artifact.",
                "a folder without read permission under the project root",
                "warning: markers in it may be missed",
            ),
            Code::SkippedFile => (
                "SkippedFile",
                "A file was not read: it is larger than `max_file_size`, binary (a NUL byte in a text or markdown file), or could not be read. The finding names the file and why.",
                "Raise `max_file_size`, re-save the file as UTF-8 text (without NUL bytes), fix its permissions, or exclude it in tracemark.toml.",
                "a markdown plan document with a stray NUL byte",
                "note: the skip is reported so nothing is lost in silence; a file that could not be read is a warning",
            ),
            Code::UndeclaredPlan => (
                "UndeclaredPlan",
                "A folder under a plan root declares no plan ID, so markers cannot name it. Its documents are still shown.",
                "Add a `Plan ID: PLAN-YYYYMMDD-NAME` line to its main document, or move the folder out of the plan root.",
                "project-plans/notes/ with a README.md and no `Plan ID:` line",
                "note: folders of notes beside plans are common and harmless",
            ),
            Code::MissingCompletionRecord => (
                "MissingCompletionRecord",
                "The tracker marks a phase done, the plan keeps completion records for its phases, and this phase has none: the evidence that it is done is missing.",
                "Add the phase's completion record (as the plan's other phases have), or correct the tracker.",
                "tracker: `| P03 | DONE |`, and `.completed/P03.md` missing while `P01.md` and `P02.md` exist",
                "warning: the status and the evidence disagree; someone should look, but the code is not broken",
            ),
            Code::UnexpectedCompletionRecord => (
                "UnexpectedCompletionRecord",
                "A completion record exists for a phase the tracker marks as not started: the tracker is probably out of date.",
                "Update the tracker's status of the phase, or remove the record if the phase is not done.",
                "`.completed/P04.md` while the tracker says `| P04 | TODO |`",
                "warning: the status and the evidence disagree",
            ),
            Code::TraceForUnfinishedPhase => (
                "TraceForUnfinishedPhase",
                "A trace in code names a phase that the tracker does not mark as done.",
                "Nothing while the phase is in progress; when it is finished, mark it done in the tracker.",
                "// @plan:PLAN-20250101-LOGIN.P04   <- tracker: `| P04 | IN PROGRESS |`",
                "note: code for a phase in progress is the normal state of work",
            ),
            Code::PrerequisiteCycle => (
                "PrerequisiteCycle",
                "Tasks whose prerequisites (`depends-on` links) form a cycle: none of them can ever start.",
                "Remove one `depends-on` link of the cycle.",
                "T-001 depends on T-002, and T-002 depends on T-001",
                "error: the plan cannot be carried out as written",
            ),
            Code::FailedGate => (
                "FailedGate",
                "A gate of a plan is recorded as failed (`Gate: FAIL — reason`).",
                "Do what the gate asks and record it as passed, or lower `failed-gate` in `[severity]` if failed gates are tracked elsewhere.",
                "`Gate: FAIL — coverage below 80 %` in a phase document",
                "error: the plan itself says that a condition to go on is not met",
            ),
            Code::FailingTest => (
                "FailingTest",
                "A test case of a JUnit report read through `test_results` failed or errored, and a trace matches it: the test that verifies a requirement does not pass. The finding sits at the trace and names the test case and the first line of its failure message.",
                "Fix the code or the test, then run the tests again so the report is fresh. If the report is stale, regenerate it before running tracemark.",
                "// @requirement:REQ-ING-001\nit('parses a file', …)   <- reports/vitest.xml: <failure message=\"expected 2 to be 3\">",
                "error: a requirement whose test fails is not met, and that is what an assessor asks first",
            ),
            Code::UntestedRequirement => (
                "UntestedRequirement",
                "A requirement that no passed test case verifies when test reports are read: no trace of it matches a test case, or every matched case was skipped. Off unless the `[severity]` table names it.",
                "Write a test for the requirement and mark it (`it('… @requirement:REQ-X', …)` or a marker comment above the test), and make sure its report is among `test_results`.",
                "REQ-ING-003 traced only in src/ingest.ts, no test names it",
                "off: most projects verify some requirements by review or analysis; give it a level in `[severity]` where every requirement needs a test",
            ),
            Code::InvalidTestReport => (
                "InvalidTestReport",
                "A JUnit report named by `test_results` could not be read: it is not well-formed XML, larger than 64 MiB, a symbolic link, or a glob matched no file. Its test cases are missing, so traces that it would verify show as not run.",
                "Regenerate the report, fix the glob in `test_results` (or `--test-results`), or remove it.",
                "reports/junit.xml truncated by a cancelled CI job: `</testsuite>` missing",
                "warning: verification results are incomplete, but what was read is still right",
            ),
            Code::SuspectTrace => (
                "SuspectTrace",
                "A trace in code cites a requirement whose text was reworded (a commit changed its definition lines) after the last change to the traced lines: the code may no longer meet what the requirement now says. Found with `git blame` on the definition and `git diff` since the rewording; a requirement written after the code (not reworded) makes nothing suspect. The requirement's page shows the old and new text.",
                "Check the code against the new text; then change the code, or record that it still holds with `tracemark review REQ-ID --plan PLAN-ID` (written to `.tracemark/reviews.toml`, to be committed). The suspicion returns if the text changes again.",
                "// @requirement:REQ-ING-001   <- specification.md reworded REQ-ING-001 in a commit after this code last changed",
                "warning: a reworded requirement asks for a review, not for a failed build; raise it in `[severity]` where reviews are mandatory",
            ),
            Code::InvalidReviews => (
                "InvalidReviews",
                "The review record `.tracemark/reviews.toml` is not valid TOML of `[[review]]` tables (requirement, plan, text_sha256, reviewer, date), or is not a regular file: its reviews are not applied, so traces they cleared show as suspect again.",
                "Fix the file (it is written by `tracemark review`), or delete it and record the reviews again.",
                "`text_sha256 = ` with no value in .tracemark/reviews.toml",
                "warning: reviews are lost until it is fixed, but nothing else is wrong",
            ),
            Code::NoPlans => (
                "NoPlans",
                "No plan root is configured and none was found (`project-plans/` up to three folders deep, `.spec-dev/active-dev/`): nothing is cross-referenced. The finding names the folders that look like plans, and stands for the dangling references each marker would otherwise give.",
                "Name the plan roots in tracemark.toml (`plans = [\"docs/plans\"]`), or keep the plans in `project-plans/`.",
                "markers naming `PLAN-20250101-LOGIN`, and the plan kept in docs/plans/login.md",
                "warning: the configuration is missing, not the traces; one finding says so instead of one per marker",
            ),
        };
        CodeDoc { title, meaning, fix, example, why }
    }

    /// Why the code has its default severity, in one line (for `tracemark init`).
    pub fn why_default(self) -> &'static str {
        self.doc().why
    }

    /// A one-line description of the code, for group headings.
    pub fn summary(self) -> &'static str {
        match self {
            Code::DanglingReference => {
                "Marker or link names a plan, phase, requirement or item that is declared nowhere"
            }
            Code::UnresolvedMarker => "Marker value is not a plan or requirement ID",
            Code::AmbiguousReference => "Requirement ID defined by several plans; no plan named to choose",
            Code::UncoveredRequirement => "Requirement with no trace in code",
            Code::DuplicateDefinition => "ID defined more than once in one plan",
            Code::Encoding => "File is not UTF-8; invalid bytes decoded as Windows-1252",
            Code::Unreadable => "Folder could not be read, or binary file holds marker text",
            Code::SkippedFile => "File was not read (too large, binary, unreadable)",
            Code::UndeclaredPlan => "Plan folder declares no plan ID",
            Code::MissingCompletionRecord => "Tracker marks a phase done but it has no completion record",
            Code::UnexpectedCompletionRecord => {
                "Completion record for a phase the tracker marks as not started"
            }
            Code::TraceForUnfinishedPhase => "Code names a phase that is not done",
            Code::PrerequisiteCycle => "Task prerequisites form a cycle",
            Code::FailedGate => "A gate of a plan is marked FAIL",
            Code::NoPlans => "No plan folder found; markers are not cross-referenced",
            Code::FailingTest => "A test case matched to a trace failed",
            Code::UntestedRequirement => "Requirement that no passed test case verifies (opt-in)",
            Code::InvalidTestReport => "Test report could not be read",
            Code::SuspectTrace => "Requirement reworded after the traced code last changed",
            Code::InvalidReviews => "The review record could not be read",
        }
    }
}

/// The documentation of one [`Code`] (see [`Code::doc`]). Plain text with markdown
/// code spans; the example is one or more lines of input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeDoc {
    /// A readable PascalCase name (`DanglingReference`): SARIF's rule `name`.
    pub title: &'static str,
    /// What a finding means, in full sentences.
    pub meaning: &'static str,
    /// How to fix it, in full sentences.
    pub fix: &'static str,
    /// An example of input that gives the finding.
    pub example: &'static str,
    /// The default severity's name, a colon, and why it is the default.
    pub why: &'static str,
}

/// One finding: a code, a severity, where (`path` relative to the project root, with
/// `/` separators; `line` 1-based, 0 when the finding concerns a whole file), what is
/// wrong and, when known, what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
pub struct Diagnostic {
    /// Path relative to the project root (`packages/core/src/a.ts`).
    pub path: String,
    /// 1-based line; 0 for the whole file.
    pub line: u32,
    /// The kind of problem.
    pub code: Code,
    /// How serious it is.
    pub severity: Severity,
    /// What is wrong, in one sentence.
    pub message: String,
    /// What to do about it, if there is something to say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// The text of the offending marker's or definition's line, normalized
    /// ([`normalize_text`]); `None` for a finding about a whole file or folder. With the
    /// code and the path it makes the finding's fingerprint (`crate::baseline`), which
    /// does not change when lines are inserted above.
    #[serde(skip)]
    pub text: Option<String>,
}

impl Diagnostic {
    /// A finding at `path:line` with its code's default severity
    /// ([`Code::default_severity`]).
    pub fn new(code: Code, path: &str, line: u32, message: impl Into<String>) -> Self {
        Diagnostic::warning(code, path, line, message).with_severity(code.default_severity())
    }

    /// A warning-level finding at `path:line`.
    pub fn warning(code: Code, path: &str, line: u32, message: impl Into<String>) -> Self {
        Diagnostic {
            path: path.to_string(),
            line,
            code,
            severity: Severity::Warning,
            message: message.into(),
            help: None,
            text: None,
        }
    }

    /// The same finding with another severity.
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// The same finding carrying the text of its offending line (normalized with
    /// [`normalize_text`]; an empty line gives `None`).
    pub fn with_text(mut self, line: &str) -> Self {
        let text = normalize_text(line);
        self.text = (!text.is_empty()).then_some(text);
        self
    }

    /// The same finding with a hint on what to do.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// A line's text as fingerprints use it: trimmed, each run of whitespace one space, at
/// most 500 characters (so re-indenting or re-wrapping spaces does not change it).
pub fn normalize_text(line: &str) -> String {
    let mut out = String::new();
    for word in line.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    match out.char_indices().nth(500) {
        Some((end, _)) => out[..end].to_string(),
        None => out,
    }
}

impl fmt::Display for Diagnostic {
    /// `path:line: severity[code]: message` (the line is omitted when 0), then
    /// `  help: …` on its own line when there is help.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "{}:{}: ", self.path, self.line)?;
        } else {
            write!(f, "{}: ", self.path)?;
        }
        write!(f, "{}[{}]: {}", self.severity, self.code.name(), self.message)?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_path_line_severity_code_and_help() {
        let d = Diagnostic::warning(Code::DanglingReference, "src/a.ts", 12, "unknown plan `PLAN-X`")
            .with_help("declare it with `Plan ID: PLAN-X`");
        assert_eq!(
            d.to_string(),
            "src/a.ts:12: warning[dangling-reference]: unknown plan `PLAN-X`\n  help: declare it with `Plan ID: PLAN-X`"
        );
    }

    #[test]
    fn every_code_is_found_by_its_name() {
        for c in Code::ALL {
            assert_eq!(Code::from_name(c.name()), Some(c));
        }
        assert_eq!(Code::from_name("dangling"), None);
    }

    #[test]
    fn omits_line_zero() {
        let d = Diagnostic::warning(Code::Encoding, "p/x.md", 0, "not UTF-8").with_severity(Severity::Note);
        assert_eq!(d.to_string(), "p/x.md: note[encoding]: not UTF-8");
    }
}
