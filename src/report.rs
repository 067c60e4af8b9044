//! Reports of findings for the console and for CI: human text, JSON, SARIF 2.1.0 and
//! GitHub Actions workflow commands, plus the one rule that turns findings into an exit
//! status (used by `check` and by `build --fail-on-error`).
//!
//! Every format reads the same list, `Project::diagnostics`, after the `[severity]`
//! overrides were applied, so all of them agree with the site and `trace.json`.

use crate::baseline::{Comparison, State, fingerprint};
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

/// The URL of tracemark's repository (`repository` in Cargo.toml); empty when it has
/// none, and then SARIF carries no `helpUri` and no `informationUri`.
pub const REPOSITORY_URL: &str = env!("CARGO_PKG_REPOSITORY");

/// The documentation page of a finding code: `docs/findings.md#<code>` in the
/// repository, or `None` without a [`REPOSITORY_URL`].
pub fn help_uri(code: Code) -> Option<String> {
    let base = REPOSITORY_URL.trim_end_matches('/');
    (!base.is_empty()).then(|| format!("{base}/blob/main/docs/findings.md#{}", code.name()))
}

/// What a report shows besides the findings.
#[derive(Debug, Clone, Default)]
pub struct Context<'a> {
    /// With `--baseline`: the baseline file's name as given and the comparison of the
    /// findings (in the same order) with it.
    pub baseline: Option<(&'a str, &'a Comparison)>,
    /// For a finding about a folder, the folder's first plan document (path → path):
    /// SARIF and the job summary point there, since code scanning needs a file.
    pub folder_documents: BTreeMap<String, String>,
}

impl Context<'_> {
    /// The baseline state of finding `i`, when there is a baseline.
    fn state(&self, i: usize) -> Option<State> {
        self.baseline.and_then(|(_, c)| c.states.get(i).copied())
    }

    /// Whether finding `i` counts: always without a baseline, else only when new.
    pub fn is_new(&self, i: usize) -> bool {
        self.state(i) != Some(State::Unchanged)
    }

    /// The findings that count (see [`Context::is_new`]).
    pub fn new_findings<'d>(&self, diagnostics: &'d [Diagnostic]) -> Vec<&'d Diagnostic> {
        diagnostics.iter().enumerate().filter(|(i, _)| self.is_new(*i)).map(|(_, d)| d).collect()
    }

    /// The exit status: [`exit_status`] of the findings that count.
    pub fn exit_status(&self, diagnostics: &[Diagnostic]) -> u8 {
        u8::from(self.new_findings(diagnostics).iter().any(|d| d.severity == Severity::Error))
    }

    /// The baseline lines, when there is a baseline: how many findings it holds (not
    /// shown, not failing), how many are new, and, when some are gone, that the file
    /// should be written again. Each line ends with a newline.
    pub fn baseline_lines(&self) -> String {
        let Some((file, c)) = self.baseline else { return String::new() };
        let mut out = format!(
            "baseline {file}: {} findings baselined (not shown, they do not fail), {} new\n",
            c.baselined, c.new
        );
        if c.gone > 0 {
            let _ = writeln!(
                out,
                "{} baseline findings are gone: update the baseline (`tracemark check --write-baseline {file}`)",
                c.gone
            );
        }
        out
    }

    /// Where a finding's file is: its path, or for a folder its first plan document.
    fn file_of<'d>(&'d self, d: &'d Diagnostic) -> &'d str {
        self.folder_documents.get(&d.path).map_or(d.path.as_str(), String::as_str)
    }
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
    /// Counts `diagnostics` (a slice of findings, or any iterator over them).
    pub fn of<'a>(diagnostics: impl IntoIterator<Item = &'a Diagnostic>) -> Counts {
        let mut c = Counts::default();
        let mut files = BTreeSet::new();
        for d in diagnostics {
            c.total += 1;
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
/// ends with a newline. With a baseline, `human` and `github` show only the new
/// findings (then the baseline lines, for `human`); `json` and `sarif` show every
/// finding with its baseline state.
pub fn render(format: Format, diagnostics: &[Diagnostic], ctx: &Context<'_>) -> String {
    match format {
        Format::Human => {
            let shown: Vec<Diagnostic> = ctx.new_findings(diagnostics).into_iter().cloned().collect();
            let mut out = human(&shown);
            out.push_str(&ctx.baseline_lines());
            out
        }
        Format::Json => json(diagnostics, ctx),
        Format::Sarif => sarif(diagnostics, ctx),
        Format::Github => github(&ctx.new_findings(diagnostics), ctx),
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
/// by_severity, by_code}, "findings": [{path, line, code, severity, message, help}]}`
/// (the findings exactly as in `trace.json`); with a baseline, `summary.baseline` is `{file, baselined, new,
/// gone}` and each finding has `"baseline": "new"` or `"unchanged"`.
pub fn json(diagnostics: &[Diagnostic], ctx: &Context<'_>) -> String {
    let c = Counts::of(diagnostics);
    let findings: Vec<serde_json::Value> = diagnostics
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let mut v = serde_json::to_value(d).expect("a finding serialises");
            match ctx.state(i) {
                Some(State::New) => v["baseline"] = json!("new"),
                Some(State::Unchanged) => v["baseline"] = json!("unchanged"),
                None => {}
            }
            v
        })
        .collect();
    let mut value = json!({
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
        "findings": findings,
    });
    if let Some((file, b)) = ctx.baseline {
        value["summary"]["baseline"] =
            json!({ "file": file, "baselined": b.baselined, "new": b.new, "gone": b.gone });
    }
    let mut out = serde_json::to_string_pretty(&value).expect("findings serialise");
    out.push('\n');
    out
}

/// Characters of a root-relative path that are percent-encoded in a SARIF URI: all but
/// the unreserved ones and `/`.
const URI_PATH: &AsciiSet =
    &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~').remove(b'/');

/// SARIF 2.1.0 for code scanning (GitHub's upload-sarif): one run of the driver
/// `tracemark` (version, semanticVersion, informationUri when [`REPOSITORY_URL`] is
/// set) with one rule per finding code (id = code name, a PascalCase `name`,
/// shortDescription, fullDescription, `help` as text and markdown from
/// [`Code::doc`], `helpUri` to `docs/findings.md#<code>`, defaultConfiguration.level),
/// and one result per finding: level, message, a location in a file relative to
/// `%SRCROOT%` with a region (line 1 for a finding about a whole file; a finding about
/// a folder points at the folder's first plan document), `partialFingerprints`
/// (`tracemark/v1`: the baseline fingerprint) and, with a baseline, `baselineState`.
pub fn sarif(diagnostics: &[Diagnostic], ctx: &Context<'_>) -> String {
    let rules: Vec<_> = Code::ALL.iter().map(|&c| sarif_rule(c)).collect();
    let results: Vec<_> = diagnostics
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let mut text = d.message.clone();
            if let Some(help) = &d.help {
                text = format!("{text}\nhelp: {help}");
            }
            let mut result = json!({
                "ruleId": d.code.name(),
                "ruleIndex": Code::ALL.iter().position(|c| *c == d.code).unwrap_or(0),
                "level": d.severity.to_string(),
                "message": { "text": text },
                "partialFingerprints": { "tracemark/v1": fingerprint(d) },
            });
            let file = ctx.file_of(d);
            if !file.is_empty() {
                let line = if file == d.path { d.line.max(1) } else { 1 };
                result["locations"] = json!([{
                    "physicalLocation": {
                        "artifactLocation": {
                            "uri": utf8_percent_encode(file, URI_PATH).to_string(),
                            "uriBaseId": "%SRCROOT%",
                        },
                        "region": { "startLine": line },
                    },
                }]);
            }
            match ctx.state(i) {
                Some(State::New) => result["baselineState"] = json!("new"),
                Some(State::Unchanged) => result["baselineState"] = json!("unchanged"),
                None => {}
            }
            result
        })
        .collect();
    let mut driver = json!({
        "name": "tracemark",
        "version": env!("CARGO_PKG_VERSION"),
        "semanticVersion": env!("CARGO_PKG_VERSION"),
        "rules": rules,
    });
    if !REPOSITORY_URL.is_empty() {
        driver["informationUri"] = json!(REPOSITORY_URL);
    }
    let value = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": driver },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut out = serde_json::to_string_pretty(&value).expect("SARIF serialises");
    out.push('\n');
    out
}

/// The SARIF rule (`reportingDescriptor`) of a code.
fn sarif_rule(c: Code) -> serde_json::Value {
    let doc = c.doc();
    let severity = c.default_label();
    let why = doc.why.split_once(": ").map_or(doc.why, |(_, why)| why);
    let text = format!(
        "{}\n\nHow to fix: {}\n\nExample:\n{}\n\nDefault severity {severity}: {why}.",
        doc.meaning, doc.fix, doc.example
    );
    let markdown = format!(
        "**{}** (`{}`)\n\n{}\n\n**How to fix:** {}\n\n**Example:**\n\n```text\n{}\n```\n\n**Default severity** `{severity}`: {why}.",
        doc.title,
        c.name(),
        doc.meaning,
        doc.fix,
        doc.example
    );
    let mut rule = json!({
        "id": c.name(),
        "name": doc.title,
        "shortDescription": { "text": format!("{}.", c.summary()) },
        "fullDescription": { "text": doc.meaning },
        "help": { "text": text, "markdown": markdown },
        "defaultConfiguration": if c.on_by_default() {
            json!({ "level": c.default_severity().to_string() })
        } else {
            json!({ "level": c.default_severity().to_string(), "enabled": false })
        },
        "properties": { "tags": ["traceability"] },
    });
    if let Some(uri) = help_uri(c) {
        rule["helpUri"] = json!(uri);
    }
    rule
}

/// GitHub Actions workflow commands, one line per finding:
/// `::error file=PATH,line=N,title=CODE::MESSAGE` (`warning` and `notice` for the other
/// severities; no `line` for whole-file findings). The help, when there is one, is a
/// second line of the message. Errors come first, then warnings, then notes (each in
/// path order), since GitHub shows only the first few annotations of each kind; before
/// the notes a `::notice title=tracemark::` line gives the counts, so they show even
/// when the annotations do not.
/// A finding about a folder is shown on the folder's first plan document
/// ([`Context::folder_documents`]).
pub fn github(diagnostics: &[&Diagnostic], ctx: &Context<'_>) -> String {
    let mut out = String::new();
    let mut sorted: Vec<&Diagnostic> = diagnostics.to_vec();
    sorted.sort_by_key(|d| std::cmp::Reverse(d.severity));
    let counts = Counts::of(sorted.iter().copied());
    let mut totals_written = false;
    for d in sorted {
        if d.severity == Severity::Note && !totals_written {
            let _ = writeln!(out, "::notice title=tracemark::{}", escape_data(&counts.line()));
            totals_written = true;
        }
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let file = ctx.file_of(d);
        let mut props = format!("file={}", escape_property(file));
        if d.line > 0 && file == d.path {
            let _ = write!(props, ",line={}", d.line);
        }
        let _ = write!(props, ",title={}", escape_property(d.code.name()));
        let message = match &d.help {
            Some(help) => format!("{}\nhelp: {help}", d.message),
            None => d.message.clone(),
        };
        let _ = writeln!(out, "::{command} {props}::{}", escape_data(&message));
    }
    if !totals_written && counts.total > 0 {
        let _ = writeln!(out, "::notice title=tracemark::{}", escape_data(&counts.line()));
    }
    out
}

/// How many errors the job summary lists by name.
pub const SUMMARY_ERRORS: usize = 20;

/// The job summary (markdown, for `$GITHUB_STEP_SUMMARY`): the counts line and exit
/// status, a table of findings per code and severity (the findings that count: the new
/// ones with a baseline), the baseline lines, and the first [`SUMMARY_ERRORS`] errors,
/// each linked to its line when `links` gives a URL prefix (`https://github.com/OWNER/REPO/blob/SHA`).
pub fn step_summary(diagnostics: &[Diagnostic], ctx: &Context<'_>, links: Option<&str>) -> String {
    let counted = ctx.new_findings(diagnostics);
    let c = Counts::of(counted.iter().copied());
    let mut out = String::from("## tracemark check\n\n");
    let _ = writeln!(out, "**{}**; exit status {}.\n", c.line(), ctx.exit_status(diagnostics));
    if c.total > 0 {
        out.push_str("| code | error | warning | note | total |\n|---|---:|---:|---:|---:|\n");
        let mut totals = [0usize; 3];
        for code in Code::ALL {
            let n = |s: Severity| counted.iter().filter(|d| d.code == code && d.severity == s).count();
            let row = [n(Severity::Error), n(Severity::Warning), n(Severity::Note)];
            let sum: usize = row.iter().sum();
            if sum == 0 {
                continue;
            }
            for (t, n) in totals.iter_mut().zip(row) {
                *t += n;
            }
            let _ = writeln!(out, "| `{}` | {} | {} | {} | {sum} |", code.name(), row[0], row[1], row[2]);
        }
        let _ = writeln!(
            out,
            "| **total** | {} | {} | {} | {} |\n",
            totals[0],
            totals[1],
            totals[2],
            totals.iter().sum::<usize>()
        );
    }
    let baseline = ctx.baseline_lines();
    if !baseline.is_empty() {
        for line in baseline.lines() {
            let _ = writeln!(out, "{}  ", markdown_text(line));
        }
        out.push('\n');
    }
    let errors: Vec<&Diagnostic> =
        counted.iter().copied().filter(|d| d.severity == Severity::Error).collect();
    if !errors.is_empty() {
        let _ = writeln!(out, "### Errors ({} of {})\n", errors.len().min(SUMMARY_ERRORS), errors.len());
        for d in errors.iter().take(SUMMARY_ERRORS) {
            let file = ctx.file_of(d);
            let at =
                if d.line > 0 && file == d.path { format!("{file}:{}", d.line) } else { file.to_string() };
            let place = match links {
                Some(base) => {
                    let mut url = format!("{base}/{}", utf8_percent_encode(file, URI_PATH));
                    if d.line > 0 && file == d.path {
                        let _ = write!(url, "#L{}", d.line);
                    }
                    format!("[{}]({url})", markdown_text(&at))
                }
                None => markdown_text(&at),
            };
            let _ = writeln!(out, "- {place} `{}`: {}", d.code.name(), markdown_text(&d.message));
        }
        if errors.len() > SUMMARY_ERRORS {
            let _ = writeln!(out, "- … and {} more", errors.len() - SUMMARY_ERRORS);
        }
    }
    out
}

/// Text from the input made safe for markdown: one line, HTML characters as entities
/// and link brackets escaped (backticks are kept, so `` `REQ-1` `` stays code).
fn markdown_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '\n' | '\r' => out.push(' '),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '[' | ']' | '\\' => {
                out.push('\\');
                out.push(ch);
            }
            _ => out.push(ch),
        }
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

/// `docs/findings.md`: one section per finding code (heading = the code's name, so the
/// anchor is `#<code>`, the target of SARIF's `helpUri`) with its meaning, how to fix
/// it, an example and its default severity with the reason. A test keeps the file equal
/// to this text (`TRACEMARK_UPDATE_DOCS=1 cargo test --lib findings_doc` rewrites it).
pub fn findings_doc() -> String {
    let mut out = String::from(
        "# Findings\n\n\
         Every finding of `tracemark check` (and of the site's diagnostics page) has one of these\n\
         codes. The `[severity]` table of `tracemark.toml` changes a code's severity (`error`,\n\
         `warning`, `note`) or turns it `off`; `check` exits 1 when a finding is an error (with\n\
         `--baseline`, a finding that is not in the baseline). This page is generated from the\n\
         source (`Code::doc`); SARIF rules carry the same text.\n\n\
         | code | default severity |\n|---|---|\n",
    );
    for c in Code::ALL {
        let _ = writeln!(out, "| [`{0}`](#{0}) | {1} |", c.name(), c.default_label());
    }
    for c in Code::ALL {
        let doc = c.doc();
        let why = doc.why.split_once(": ").map_or(doc.why, |(_, why)| why);
        let _ = write!(
            out,
            "\n## {}\n\n{}\n\n**How to fix:** {}\n\n**Example:**\n\n```text\n{}\n```\n\n**Default severity:** `{}`: {why}.\n",
            c.name(),
            doc.meaning,
            doc.fix,
            doc.example,
            c.default_label()
        );
    }
    out
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
        let v: serde_json::Value = serde_json::from_str(&json(&sample(), &Context::default())).unwrap();
        assert_eq!(v["tracemark"], env!("CARGO_PKG_VERSION"));
        assert_eq!(v["summary"]["by_severity"]["warning"], 2);
        assert_eq!(v["summary"]["by_code"]["encoding"], 1);
        assert_eq!(v["findings"].as_array().unwrap().len(), 4);
        assert_eq!(v["findings"][0]["code"], "encoding");
        assert_eq!(v["findings"][0]["severity"], "note");
        assert_eq!(v["findings"][2]["help"], "declare it");
        assert!(v["summary"].get("baseline").is_none());
    }

    #[test]
    fn sarif_results_carry_rule_level_and_location() {
        let mut d = sample();
        d.push(Diagnostic::warning(Code::Unreadable, "a b/c#d.bin", 0, "binary"));
        let mut ctx = Context::default();
        ctx.folder_documents.insert("plans/notes".into(), "plans/notes/README.md".into());
        d.push(Diagnostic::new(Code::UndeclaredPlan, "plans/notes", 0, "plan folder declares no plan ID"));
        let v: serde_json::Value = serde_json::from_str(&sarif(&d, &ctx)).unwrap();
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
        assert_eq!(loc["region"]["startLine"], 1, "a whole-file finding points at line 1");
        let folder =
            run["results"].as_array().unwrap().iter().find(|r| r["ruleId"] == "undeclared-plan").unwrap();
        let loc = &folder["locations"][0]["physicalLocation"];
        assert_eq!(
            loc["artifactLocation"]["uri"], "plans/notes/README.md",
            "a folder points at its first document"
        );
        assert_eq!(loc["region"]["startLine"], 1);
        let last = &run["results"][4];
        assert_eq!(last["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "a%20b/c%23d.bin");
        let a = run["results"].as_array().unwrap().iter().find(|r| r["level"] == "error").unwrap();
        assert_eq!(a["locations"][0]["physicalLocation"]["region"]["startLine"], 3);
        let rule = &run["tool"]["driver"]["rules"][a["ruleIndex"].as_u64().unwrap() as usize];
        assert_eq!(rule["id"], "dangling-reference");
        assert_eq!(rule["name"], "DanglingReference");
        assert_eq!(rule["defaultConfiguration"]["level"], "error");
        assert!(rule["help"]["markdown"].as_str().unwrap().contains("**How to fix:**"), "{rule}");
        assert_eq!(a["partialFingerprints"]["tracemark/v1"], crate::baseline::fingerprint(&d[3]));
        assert!(a.get("baselineState").is_none());
        assert_eq!(run["tool"]["driver"]["semanticVersion"], env!("CARGO_PKG_VERSION"));
    }

    #[test]
    fn github_lines_are_escaped_workflow_commands() {
        let sample = sample();
        let text = github(&sample.iter().collect::<Vec<_>>(), &Context::default());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 5);
        assert!(lines[0].starts_with("::error file=src/b.ts,line=3,"), "errors first: {text}");
        assert!(lines[1].starts_with("::warning file=plans/spec.md,"), "then warnings: {text}");
        assert!(lines[2].starts_with("::warning file=src/a.ts,"), "in path order: {text}");
        assert_eq!(lines[3], "::notice title=tracemark::1 error, 2 warnings, 1 note in 4 files");
        assert_eq!(lines[4], "::notice file=docs/x.md,title=encoding::not valid UTF-8");
        assert!(
            text.contains(
                "::warning file=src/a.ts,line=12,title=dangling-reference::plan `PLAN-X` is declared nowhere%0Ahelp: declare it\n"
            ),
            "{text}"
        );
        assert!(text.contains("::error file=src/b.ts,line=3,title=dangling-reference::"), "{text}");
        let d = Diagnostic::warning(Code::Unreadable, "a,b:c%.txt", 0, "100% bad\r\nreally");
        assert_eq!(
            github(&[&d], &Context::default()),
            "::warning file=a%2Cb%3Ac%25.txt,title=unreadable::100%25 bad%0D%0Areally\n\
             ::notice title=tracemark::0 errors, 1 warning, 0 notes in 1 file\n"
        );
        assert_eq!(github(&[], &Context::default()), "");
    }

    #[test]
    fn baseline_hides_old_findings_from_human_and_github_and_the_exit_status() {
        let d = sample();
        let old: Vec<Diagnostic> = d.iter().filter(|d| d.severity == Severity::Error).cloned().collect();
        let b = crate::baseline::Baseline::of(&old);
        let mut gone = old.clone();
        gone[0].path = "src/removed.ts".into();
        let b2 = crate::baseline::Baseline::of(&[old.clone(), gone].concat());
        let c = b.compare(&d);
        let ctx = Context { baseline: Some(("base.json", &c)), ..Context::default() };
        assert_eq!(exit_status(&d), 1);
        assert_eq!(ctx.exit_status(&d), 0, "the only error is baselined");
        let text = render(Format::Human, &d, &ctx);
        assert!(!text.contains("src/b.ts"), "{text}");
        assert!(
            text.contains(
                "0 errors, 2 warnings, 1 note in 3 files\nbaseline base.json: 1 findings baselined"
            ),
            "{text}"
        );
        assert!(!text.contains("gone"), "{text}");
        assert!(!render(Format::Github, &d, &ctx).contains("::error"));
        let c2 = b2.compare(&d);
        let ctx2 = Context { baseline: Some(("base.json", &c2)), ..Context::default() };
        assert!(
            ctx2.baseline_lines().contains(
                "1 baseline findings are gone: update the baseline (`tracemark check --write-baseline base.json`)"
            ),
            "{}",
            ctx2.baseline_lines()
        );
        let v: serde_json::Value = serde_json::from_str(&render(Format::Sarif, &d, &ctx)).unwrap();
        let states: Vec<&str> = v["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["baselineState"].as_str().unwrap())
            .collect();
        assert_eq!(states.iter().filter(|s| **s == "unchanged").count(), 1, "{states:?}");
        assert_eq!(states.iter().filter(|s| **s == "new").count(), 3, "{states:?}");
        let v: serde_json::Value = serde_json::from_str(&render(Format::Json, &d, &ctx)).unwrap();
        assert_eq!(v["summary"]["baseline"]["baselined"], 1);
        assert_eq!(v["summary"]["baseline"]["gone"], 0);
    }

    #[test]
    fn step_summary_counts_per_code_and_links_the_first_errors() {
        let mut d = sample();
        d.push(Diagnostic::new(
            Code::DanglingReference,
            "src/<x>.ts",
            5,
            "plan `[a](b)` is declared nowhere",
        ));
        d.sort();
        let md = step_summary(&d, &Context::default(), Some("https://github.com/o/r/blob/abc"));
        assert!(
            md.starts_with(
                "## tracemark check\n\n**2 errors, 2 warnings, 1 note in 5 files**; exit status 1.\n"
            ),
            "{md}"
        );
        assert!(md.contains("| `dangling-reference` | 2 | 1 | 0 | 3 |\n"), "{md}");
        assert!(md.contains("| `encoding` | 0 | 0 | 1 | 1 |\n"), "{md}");
        assert!(md.contains("| **total** | 2 | 2 | 1 | 5 |\n"), "{md}");
        assert!(md.contains("### Errors (2 of 2)\n"), "{md}");
        assert!(
            md.contains("- [src/b.ts:3](https://github.com/o/r/blob/abc/src/b.ts#L3) `dangling-reference`: requirement"),
            "{md}"
        );
        assert!(
            md.contains("src/&lt;x&gt;.ts:5](https://github.com/o/r/blob/abc/src/%3Cx%3E.ts#L5)"),
            "{md}"
        );
        assert!(md.contains("plan `\\[a\\](b)` is declared nowhere"), "input cannot make a link: {md}");
        let none = step_summary(&[], &Context::default(), None);
        assert_eq!(
            none,
            "## tracemark check\n\n**0 errors, 0 warnings, 0 notes in 0 files**; exit status 0.\n\n"
        );
    }

    #[test]
    fn findings_doc_is_up_to_date() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/findings.md");
        let text = findings_doc();
        if std::env::var_os("TRACEMARK_UPDATE_DOCS").is_some() {
            std::fs::write(&path, &text).unwrap();
        }
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            on_disk == text,
            "docs/findings.md is out of date: TRACEMARK_UPDATE_DOCS=1 cargo test --lib findings_doc"
        );
        for c in Code::ALL {
            assert!(text.contains(&format!("\n## {}\n", c.name())), "{}", c.name());
            let doc = c.doc();
            assert!(doc.why.starts_with(&format!("{}: ", c.default_label())), "{}: {}", c.name(), doc.why);
            for part in [doc.meaning, doc.fix] {
                assert!(part.ends_with('.'), "{}: {part}", c.name());
            }
        }
    }
}
