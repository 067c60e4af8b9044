//! Reports of findings for the console and for CI: human text, JSON, SARIF 2.1.0 and
//! GitHub Actions workflow commands, plus the one rule that turns findings into an exit
//! status (used by `check` and by `build --fail-on-error`).
//!
//! Every format reads the same list, `Project::diagnostics`, after the `[severity]`
//! overrides were applied, so all of them agree with the site and `trace.json`.

use crate::diagnostic::{Code, Diagnostic, Severity};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// An output format of `tracemark check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// `path:line: severity[code]: message` lines grouped by code, then a summary line.
    #[default]
    Human,
    /// One JSON object: version, counts by severity and by code, and every finding.
    Json,
    /// A SARIF 2.1.0 log, for code-scanning services (GitHub's upload-sarif).
    Sarif,
    /// GitHub Actions workflow commands (`::error file=…,line=…::…`), shown as
    /// annotations on the run and the pull request.
    Github,
}

/// The exit status a gate derives from findings: 1 when at least one has severity
/// error, else 0. (2, "tracemark could not run", is decided by the binary.)
pub fn exit_status(diagnostics: &[Diagnostic]) -> u8 {
    u8::from(diagnostics.iter().any(|d| d.severity == Severity::Error))
}

/// Counts of a list of findings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// All findings.
    pub total: usize,
    /// Findings of severity error.
    pub errors: usize,
    /// Findings of severity warning.
    pub warnings: usize,
    /// Findings of severity note.
    pub notes: usize,
    /// Distinct files (paths) with at least one finding.
    pub files: usize,
    /// Findings per code name.
    pub by_code: BTreeMap<&'static str, usize>,
}

impl Counts {
    /// Counts `diagnostics`.
    pub fn of(diagnostics: &[Diagnostic]) -> Counts {
        let mut c = Counts { total: diagnostics.len(), ..Counts::default() };
        let mut files = BTreeSet::new();
        for d in diagnostics {
            match d.severity {
                Severity::Error => c.errors += 1,
                Severity::Warning => c.warnings += 1,
                Severity::Note => c.notes += 1,
            }
            *c.by_code.entry(d.code.name()).or_default() += 1;
            files.insert(d.path.as_str());
        }
        c.files = files.len();
        c
    }

    /// `N errors, M warnings, K notes in F files` (singular for 1).
    pub fn line(&self) -> String {
        fn n(count: usize, one: &str) -> String {
            if count == 1 { format!("1 {one}") } else { format!("{count} {one}s") }
        }
        format!(
            "{}, {}, {} in {}",
            n(self.errors, "error"),
            n(self.warnings, "warning"),
            n(self.notes, "note"),
            n(self.files, "file")
        )
    }
}

/// Renders `diagnostics` (sorted, as in `Project::diagnostics`) in `format`. The text
/// ends with a newline.
pub fn render(format: Format, diagnostics: &[Diagnostic]) -> String {
    match format {
        Format::Human => human(diagnostics),
        Format::Json => json(diagnostics),
        Format::Sarif => sarif(diagnostics),
        Format::Github => github(diagnostics),
    }
}

/// Human text: one group per code (the groups with errors first, then by name), each
/// under a heading `code (count): summary`, each finding in its `Display` form
/// (`path:line: severity[code]: message` and a `  help:` line); then the summary line.
pub fn human(diagnostics: &[Diagnostic]) -> String {
    let mut groups: BTreeMap<Code, Vec<&Diagnostic>> = BTreeMap::new();
    for d in diagnostics {
        groups.entry(d.code).or_default().push(d);
    }
    let mut groups: Vec<(Code, Vec<&Diagnostic>)> = groups.into_iter().collect();
    groups.sort_by_key(|(code, items)| {
        let worst = items.iter().map(|d| d.severity).max().unwrap_or(Severity::Note);
        (std::cmp::Reverse(worst), code.name())
    });
    let mut out = String::new();
    for (code, items) in &groups {
        let _ = writeln!(out, "{} ({}): {}", code.name(), items.len(), code.summary());
        for d in items {
            let _ = writeln!(out, "{d}");
        }
        out.push('\n');
    }
    out.push_str(&Counts::of(diagnostics).line());
    out.push('\n');
    out
}

/// JSON: `{"tracemark": version, "summary": {total, errors, warnings, notes, files,
/// by_severity, by_code}, "findings": [{path, line, code, severity, message, help}]}`.
pub fn json(diagnostics: &[Diagnostic]) -> String {
    let c = Counts::of(diagnostics);
    let value = json!({
        "tracemark": env!("CARGO_PKG_VERSION"),
        "summary": {
            "total": c.total,
            "errors": c.errors,
            "warnings": c.warnings,
            "notes": c.notes,
            "files": c.files,
            "by_severity": { "error": c.errors, "warning": c.warnings, "note": c.notes },
            "by_code": c.by_code,
        },
        "findings": diagnostics,
    });
    let mut out = serde_json::to_string_pretty(&value).expect("findings serialise");
    out.push('\n');
    out
}

/// Characters of a root-relative path that are percent-encoded in a SARIF URI: all but
/// the unreserved ones and `/`.
const URI_PATH: &AsciiSet =
    &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~').remove(b'/');

/// SARIF 2.1.0: one run of the driver `tracemark` with one rule per finding code (id =
/// code name, shortDescription = [`Code::summary`]) and one result per finding (level,
/// message, location relative to `%SRCROOT%`, start line when the line is known).
pub fn sarif(diagnostics: &[Diagnostic]) -> String {
    let rules: Vec<_> = Code::ALL
        .iter()
        .map(|c| {
            json!({
                "id": c.name(),
                "name": c.name(),
                "shortDescription": { "text": c.summary() },
            })
        })
        .collect();
    let results: Vec<_> = diagnostics
        .iter()
        .map(|d| {
            let text = match &d.help {
                Some(help) => format!("{}\nhelp: {help}", d.message),
                None => d.message.clone(),
            };
            let mut result = json!({
                "ruleId": d.code.name(),
                "ruleIndex": Code::ALL.iter().position(|c| *c == d.code).unwrap_or(0),
                "level": d.severity.to_string(),
                "message": { "text": text },
            });
            if !d.path.is_empty() {
                let mut physical = json!({
                    "artifactLocation": {
                        "uri": utf8_percent_encode(&d.path, URI_PATH).to_string(),
                        "uriBaseId": "%SRCROOT%",
                    },
                });
                if d.line > 0 {
                    physical["region"] = json!({ "startLine": d.line });
                }
                result["locations"] = json!([{ "physicalLocation": physical }]);
            }
            result
        })
        .collect();
    let value = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "tracemark",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                },
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut out = serde_json::to_string_pretty(&value).expect("SARIF serialises");
    out.push('\n');
    out
}

/// GitHub Actions workflow commands, one line per finding:
/// `::error file=PATH,line=N,title=CODE::MESSAGE` (`warning` and `notice` for the other
/// severities; no `line` for whole-file findings). The help, when there is one, is a
/// second line of the message.
pub fn github(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let mut props = format!("file={}", escape_property(&d.path));
        if d.line > 0 {
            let _ = write!(props, ",line={}", d.line);
        }
        let _ = write!(props, ",title={}", escape_property(d.code.name()));
        let message = match &d.help {
            Some(help) => format!("{}\nhelp: {help}", d.message),
            None => d.message.clone(),
        };
        let _ = writeln!(out, "::{command} {props}::{}", escape_data(&message));
    }
    out
}

/// Escapes a workflow command's message: `%`, CR and LF.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a workflow command's property value: as a message, plus `:` and `,`.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Diagnostic> {
        let mut v = vec![
            Diagnostic::warning(Code::DanglingReference, "src/a.ts", 12, "plan `PLAN-X` is declared nowhere")
                .with_help("declare it"),
            Diagnostic::warning(
                Code::DanglingReference,
                "src/b.ts",
                3,
                "requirement `REQ-9` is defined by no plan",
            )
            .with_severity(Severity::Error),
            Diagnostic::warning(Code::Encoding, "docs/x.md", 0, "not valid UTF-8")
                .with_severity(Severity::Note),
            Diagnostic::warning(
                Code::UncoveredRequirement,
                "plans/spec.md",
                7,
                "requirement `REQ-1` uncovered",
            ),
        ];
        v.sort();
        v
    }

    #[test]
    fn exit_status_is_1_only_with_an_error() {
        let mut v = sample();
        assert_eq!(exit_status(&v), 1);
        v.retain(|d| d.severity != Severity::Error);
        assert_eq!(exit_status(&v), 0);
        assert_eq!(exit_status(&[]), 0);
    }

    #[test]
    fn counts_by_severity_code_and_file() {
        let c = Counts::of(&sample());
        assert_eq!((c.total, c.errors, c.warnings, c.notes, c.files), (4, 1, 2, 1, 4));
        assert_eq!(c.by_code["dangling-reference"], 2);
        assert_eq!(c.line(), "1 error, 2 warnings, 1 note in 4 files");
        assert_eq!(Counts::of(&[]).line(), "0 errors, 0 warnings, 0 notes in 0 files");
    }

    #[test]
    fn human_groups_by_code_with_errors_first() {
        let text = human(&sample());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "dangling-reference (2): Marker or link names a plan, phase, requirement or item that is declared nowhere"
        );
        assert_eq!(lines[1], "src/a.ts:12: warning[dangling-reference]: plan `PLAN-X` is declared nowhere");
        assert_eq!(lines[2], "  help: declare it");
        assert_eq!(
            lines[3],
            "src/b.ts:3: error[dangling-reference]: requirement `REQ-9` is defined by no plan"
        );
        assert!(text.contains("\nencoding (1): "), "{text}");
        assert!(text.contains("docs/x.md: note[encoding]: not valid UTF-8\n"), "{text}");
        assert_eq!(*lines.last().unwrap(), "1 error, 2 warnings, 1 note in 4 files");
    }

    #[test]
    fn json_has_summary_and_findings() {
        let v: serde_json::Value = serde_json::from_str(&json(&sample())).unwrap();
        assert_eq!(v["tracemark"], env!("CARGO_PKG_VERSION"));
        assert_eq!(v["summary"]["by_severity"]["warning"], 2);
        assert_eq!(v["summary"]["by_code"]["encoding"], 1);
        assert_eq!(v["findings"].as_array().unwrap().len(), 4);
        assert_eq!(v["findings"][0]["code"], "encoding");
        assert_eq!(v["findings"][0]["severity"], "note");
        assert_eq!(v["findings"][2]["help"], "declare it");
    }

    #[test]
    fn sarif_results_carry_rule_level_and_location() {
        let mut d = sample();
        d.push(Diagnostic::warning(Code::Unreadable, "a b/c#d.bin", 0, "binary"));
        let v: serde_json::Value = serde_json::from_str(&sarif(&d)).unwrap();
        assert_eq!(v["version"], "2.1.0");
        let run = &v["runs"][0];
        assert_eq!(run["tool"]["driver"]["name"], "tracemark");
        assert_eq!(run["tool"]["driver"]["rules"].as_array().unwrap().len(), Code::ALL.len());
        let r = &run["results"][0];
        assert_eq!(r["ruleId"], "encoding");
        assert_eq!(r["level"], "note");
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "docs/x.md");
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert!(loc.get("region").is_none(), "no region for line 0");
        let last = &run["results"][4];
        assert_eq!(last["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "a%20b/c%23d.bin");
        let a = run["results"].as_array().unwrap().iter().find(|r| r["level"] == "error").unwrap();
        assert_eq!(a["locations"][0]["physicalLocation"]["region"]["startLine"], 3);
        let rule = &run["tool"]["driver"]["rules"][a["ruleIndex"].as_u64().unwrap() as usize];
        assert_eq!(rule["id"], "dangling-reference");
    }

    #[test]
    fn github_lines_are_escaped_workflow_commands() {
        let text = github(&sample());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[0], "::notice file=docs/x.md,title=encoding::not valid UTF-8");
        assert!(
            text.contains(
                "::warning file=src/a.ts,line=12,title=dangling-reference::plan `PLAN-X` is declared nowhere%0Ahelp: declare it\n"
            ),
            "{text}"
        );
        assert!(text.contains("::error file=src/b.ts,line=3,title=dangling-reference::"), "{text}");
        let d = Diagnostic::warning(Code::Unreadable, "a,b:c%.txt", 0, "100% bad\r\nreally");
        assert_eq!(
            github(&[d]),
            "::warning file=a%2Cb%3Ac%25.txt,title=unreadable::100%25 bad%0D%0Areally\n"
        );
    }
}
