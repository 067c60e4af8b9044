//! The trace matrix as CSV for spreadsheets: `trace.csv` (one row per requirement and
//! trace) and `requirements.csv` (one row per requirement with its coverage), written
//! with the `csv` crate (RFC 4180: quoted where needed, CRLF line ends), no I/O.
//!
//! Both open in a spreadsheet as they are: they start with a UTF-8 byte-order mark (so
//! a spreadsheet reads titles such as `Retry — backoff` as UTF-8, not as a legacy code
//! page), line numbers are columns of their own (a range such as `12-20` would be read
//! as a date), and every text cell that a spreadsheet would run as a formula (one
//! starting with `=`, `+`, `-`, `@`, a tab or a carriage return; plans and code come
//! from pull requests) gets a leading `'`, which spreadsheets show as text
//! ([`guard`]).

use crate::model::{Project, ReqKey, Resolution};
use anyhow::Result;
use std::borrow::Cow;

/// The UTF-8 byte-order mark each file starts with.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The columns of `trace.csv`.
pub const TRACE_COLUMNS: [&str; 8] =
    ["plan", "requirement", "title", "phase", "path", "line", "end_line", "status"];

/// The columns of `requirements.csv`.
pub const REQUIREMENT_COLUMNS: [&str; 9] =
    ["plan", "requirement", "title", "path", "line", "covered", "code_traces", "document_traces", "phases"];

/// A cell as a spreadsheet should show it: text that would start a formula (`=`, `+`,
/// `-`, `@`, tab, carriage return) gets a leading `'`; anything else is unchanged.
pub fn guard(cell: &str) -> Cow<'_, str> {
    match cell.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(BOM.to_vec())
}

fn finish(w: csv::Writer<Vec<u8>>) -> Result<Vec<u8>> {
    w.into_inner().map_err(|e| anyhow::anyhow!("cannot write CSV: {}", e.error()))
}

/// `trace.csv`: for each plan (in ID order) and each of its requirements (in definition
/// order), one row per trace citing it (in path and line order) — `status` `covers` for
/// a trace in code, `document` for one in a markdown comment (which does not cover) —
/// or one row with `status` `uncovered` and no path when none does; then one row per
/// reference that resolves to no requirement (`dangling`, plan empty) or to several
/// (`ambiguous`, `plan` lists the candidates). `phase` is the phase the trace names in
/// that plan (several separated by spaces); `line` is the trace's first marker and
/// `end_line` the last line of the code shown with it.
pub fn trace_csv(project: &Project) -> Result<Vec<u8>> {
    let mut w = writer();
    w.write_record(TRACE_COLUMNS)?;
    for (pi, plan) in project.plans.iter().enumerate() {
        for (ri, r) in plan.requirements.iter().enumerate() {
            let key = ReqKey { plan: pi, req: ri };
            let traces = project.requirement_traces.get(&key).map(Vec::as_slice).unwrap_or_default();
            if traces.is_empty() {
                let row = [&plan.id, &r.id, &r.title, "", "", "", "", "uncovered"];
                w.write_record(row.iter().map(|c| guard(c).into_owned()))?;
            }
            for &t in traces {
                let tr = &project.traces[t];
                let mut phases: Vec<&str> = tr
                    .plans
                    .iter()
                    .filter(|pt| pt.plan == Some(pi))
                    .filter_map(|pt| pt.phase_id.as_deref())
                    .collect();
                phases.dedup();
                let status = if tr.in_code() { "covers" } else { "document" };
                let (line, end) = lines(tr);
                let row = [
                    plan.id.as_str(),
                    &r.id,
                    &r.title,
                    &phases.join(" "),
                    &project.files[tr.file].path,
                    &line.to_string(),
                    &end.to_string(),
                    status,
                ];
                w.write_record(row.iter().map(|c| guard(c).into_owned()))?;
            }
        }
    }
    for tr in &project.traces {
        for r in &tr.requirements {
            let (plan, status) = match &r.resolution {
                Resolution::Resolved { .. } => continue,
                Resolution::Ambiguous { plans } => (
                    plans.iter().map(|&p| project.plans[p].id.as_str()).collect::<Vec<_>>().join(" "),
                    "ambiguous",
                ),
                Resolution::Dangling => (String::new(), "dangling"),
            };
            let (line, end) = lines(tr);
            let row = [
                plan.as_str(),
                &r.id,
                "",
                "",
                &project.files[tr.file].path,
                &line.to_string(),
                &end.to_string(),
                status,
            ];
            w.write_record(row.iter().map(|c| guard(c).into_owned()))?;
        }
    }
    finish(w)
}

/// A trace's first marker line and the last line of the code shown with it.
fn lines(tr: &crate::model::TraceRecord) -> (u32, u32) {
    (tr.trace.line, tr.trace.excerpt.span().1.max(tr.trace.end_line))
}

/// `requirements.csv`: one row per requirement, for each plan (in ID order) in
/// definition order: where it is defined, whether it is covered (`yes`/`no`, from
/// [`Project::is_covered`]), its traces in code and in documents, and the phases that
/// claim it (separated by spaces).
pub fn requirements_csv(project: &Project) -> Result<Vec<u8>> {
    let mut w = writer();
    w.write_record(REQUIREMENT_COLUMNS)?;
    for (pi, plan) in project.plans.iter().enumerate() {
        for (ri, r) in plan.requirements.iter().enumerate() {
            let key = ReqKey { plan: pi, req: ri };
            let traces = project.requirement_traces.get(&key).map(Vec::as_slice).unwrap_or_default();
            let code = traces.iter().filter(|&&t| project.traces[t].in_code()).count();
            let phases: Vec<&str> = project
                .requirement_phases
                .get(&key)
                .map(|v| v.iter().filter_map(|&ph| plan.phases.get(ph)).map(|ph| ph.id.as_str()).collect())
                .unwrap_or_default();
            let row = [
                plan.id.as_str(),
                &r.id,
                &r.title,
                &r.location.path,
                &r.location.line.to_string(),
                if project.is_covered(key) { "yes" } else { "no" },
                &code.to_string(),
                &(traces.len() - code).to_string(),
                &phases.join(" "),
            ];
            w.write_record(row.iter().map(|c| guard(c).into_owned()))?;
        }
    }
    finish(w)
}

#[cfg(test)]
mod tests {
    use super::guard;

    #[test]
    fn cells_that_start_a_formula_are_quoted_as_text() {
        for bad in ["=1+1", "+SUM(A1)", "-2", "@cmd", "\tx", "\rx", "=HYPERLINK(\"http://x\")"] {
            assert_eq!(guard(bad), format!("'{bad}"), "{bad:?}");
        }
        for fine in ["", "REQ-001", "a = b", "Retry — backoff", "'quoted", " =x"] {
            assert_eq!(guard(fine), fine, "{fine:?}");
        }
    }
}
