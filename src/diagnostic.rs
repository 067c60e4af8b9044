//! Diagnostics: every problem tracemark finds in its input, with a stable code and a
//! `path:line` location, shown on the console and on the site's diagnostics page.

use serde::Serialize;
use std::fmt;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
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
    /// A file that could not be read, or was skipped (binary, too large).
    Unreadable,
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
}

impl Code {
    /// Every code, in declaration order.
    pub const ALL: [Code; 13] = [
        Code::DanglingReference,
        Code::UnresolvedMarker,
        Code::AmbiguousReference,
        Code::UncoveredRequirement,
        Code::DuplicateDefinition,
        Code::Encoding,
        Code::Unreadable,
        Code::UndeclaredPlan,
        Code::MissingCompletionRecord,
        Code::UnexpectedCompletionRecord,
        Code::TraceForUnfinishedPhase,
        Code::PrerequisiteCycle,
        Code::FailedGate,
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
            Code::UndeclaredPlan => "undeclared-plan",
            Code::MissingCompletionRecord => "missing-completion-record",
            Code::UnexpectedCompletionRecord => "unexpected-completion-record",
            Code::TraceForUnfinishedPhase => "trace-for-unfinished-phase",
            Code::PrerequisiteCycle => "prerequisite-cycle",
            Code::FailedGate => "failed-gate",
        }
    }

    /// The severity findings of this code get unless the `[severity]` table says
    /// otherwise (an oversized file skipped is a note although `unreadable` is a warning).
    pub fn default_severity(self) -> Severity {
        match self {
            Code::Encoding | Code::UndeclaredPlan | Code::TraceForUnfinishedPhase => Severity::Note,
            Code::PrerequisiteCycle | Code::FailedGate => Severity::Error,
            _ => Severity::Warning,
        }
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
            Code::Encoding => "File is not UTF-8; decoded as Windows-1252",
            Code::Unreadable => "File could not be read or was skipped",
            Code::UndeclaredPlan => "Plan folder declares no plan ID",
            Code::MissingCompletionRecord => "Tracker marks a phase done but it has no completion record",
            Code::UnexpectedCompletionRecord => {
                "Completion record for a phase the tracker marks as not started"
            }
            Code::TraceForUnfinishedPhase => "Code names a phase that is not done",
            Code::PrerequisiteCycle => "Task prerequisites form a cycle",
            Code::FailedGate => "A gate of a plan is marked FAIL",
        }
    }
}

/// One finding: a code, a severity, where (`path` relative to the project root, with
/// `/` separators; `line` 1-based, 0 when the finding concerns a whole file), what is
/// wrong and, when known, what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
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
        }
    }

    /// The same finding with another severity.
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// The same finding with a hint on what to do.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
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
