//! `evidence.html`: the bundle's printable report — provenance, summary figures,
//! coverage per plan (and, with test reports, verification results), every finding and
//! the input list with hashes — rendered from the
//! theme's `evidence.html` template (no I/O). It sits at the top of the bundle's
//! folder, beside `index.html`, and prints to paper or PDF as it is (the theme's print
//! styles drop the header and keep table headers on each page).

use super::Evidence;
use crate::model::{Project, ReqKey, Summary};
use crate::plan::PhaseStatus;
use crate::render::pages::CONTENT_SECURITY_POLICY;
use crate::render::templates::Theme;
use crate::render::urls;
use anyhow::{Context as _, Result};
use serde::Serialize;
use std::collections::BTreeMap;

/// The report's file name in the bundle.
pub const REPORT: &str = "evidence.html";

#[derive(Serialize)]
struct PlanRow<'a> {
    id: &'a str,
    title: &'a str,
    url: String,
    requirements: usize,
    covered: usize,
    phases: usize,
    phases_done: usize,
    traces: usize,
    /// Requirements verified, failing and unverified; `None` without test reports.
    verification: Option<[usize; 3]>,
}

#[derive(Serialize)]
struct Finding<'a> {
    location: String,
    severity: String,
    code: &'a str,
    message: &'a str,
}

/// One row of the trace matrix: a requirement and the places that trace it in code.
#[derive(Serialize)]
struct MatrixRow<'a> {
    plan: &'a str,
    id: &'a str,
    title: &'a str,
    covered: bool,
    /// `path:line` of each code trace, in trace order.
    traces: Vec<String>,
}

/// A suspect trace ([`crate::suspect`]).
#[derive(Serialize)]
struct SuspectRow<'a> {
    plan: &'a str,
    requirement: &'a str,
    trace: String,
    commit: String,
    date: &'a str,
    subject: &'a str,
    /// `reviewer on date` when a review clears it.
    reviewed: Option<String>,
}

#[derive(Serialize)]
struct View<'a> {
    site_title: &'a str,
    page_title: &'a str,
    root: &'a str,
    version: &'a str,
    csp: &'a str,
    e: &'a Evidence,
    /// `dirty`, `clean`, or `none` outside git.
    tree: &'static str,
    input_bytes: u64,
    summary: &'a Summary,
    plans: Vec<PlanRow<'a>>,
    by_code: BTreeMap<&'a str, usize>,
    findings: Vec<Finding<'a>>,
    matrix: Vec<MatrixRow<'a>>,
    suspects: Vec<SuspectRow<'a>>,
    /// Why the suspect-link analysis did not run, if it did not.
    suspects_unavailable: Option<&'a str>,
}

/// Renders `evidence.html` for `project` with the facts of `evidence`. Errors name
/// the template when it fails.
pub fn render(theme: &Theme, project: &Project, evidence: &Evidence) -> Result<Vec<u8>> {
    let plans = project
        .plans
        .iter()
        .enumerate()
        .map(|(pi, p)| PlanRow {
            id: &p.id,
            title: &p.title,
            url: urls::plan(&p.id),
            requirements: p.requirements.len(),
            covered: (0..p.requirements.len())
                .filter(|&r| project.is_covered(ReqKey { plan: pi, req: r }))
                .count(),
            phases: p.phases.len(),
            phases_done: (0..p.phases.len()).filter(|&i| p.phase_status(i) == PhaseStatus::Done).count(),
            traces: project.plan_traces.get(pi).map_or(0, Vec::len),
            verification: project.verification.as_ref().map(|v| {
                let mut n = [0; 3];
                for r in 0..p.requirements.len() {
                    n[v.status(ReqKey { plan: pi, req: r }) as usize] += 1;
                }
                n
            }),
        })
        .collect();
    let mut by_code = BTreeMap::new();
    for d in &project.diagnostics {
        *by_code.entry(d.code.name()).or_default() += 1;
    }
    let findings = project
        .diagnostics
        .iter()
        .map(|d| Finding {
            location: if d.line > 0 { format!("{}:{}", d.path, d.line) } else { d.path.clone() },
            severity: d.severity.to_string(),
            code: d.code.name(),
            message: &d.message,
        })
        .collect();
    let mut matrix = Vec::new();
    for (pi, p) in project.plans.iter().enumerate() {
        for (ri, r) in p.requirements.iter().enumerate() {
            let key = ReqKey { plan: pi, req: ri };
            let traces = project
                .requirement_traces
                .get(&key)
                .map(|ts| {
                    ts.iter()
                        .filter(|&&t| project.traces[t].in_code())
                        .map(|&t| {
                            let tr = &project.traces[t];
                            format!("{}:{}", project.files[tr.file].path, tr.trace.line)
                        })
                        .collect()
                })
                .unwrap_or_default();
            matrix.push(MatrixRow {
                plan: &p.id,
                id: &r.id,
                title: &r.title,
                covered: project.is_covered(key),
                traces,
            });
        }
    }
    let (suspects, suspects_unavailable) = match &project.suspects {
        Some(f) => (
            f.suspects
                .iter()
                .map(|s| {
                    let tr = &project.traces[s.trace];
                    let c = &f.changes[s.change];
                    let plan = &project.plans[s.key.plan];
                    SuspectRow {
                        plan: &plan.id,
                        requirement: &plan.requirements[s.key.req].id,
                        trace: format!("{}:{}", project.files[tr.file].path, tr.trace.line),
                        commit: c.commit.chars().take(12).collect(),
                        date: &c.date,
                        subject: &c.subject,
                        reviewed: s
                            .reviewed
                            .and_then(|r| f.reviews.get(r))
                            .map(|r| format!("{} on {}", r.reviewer, r.date)),
                    }
                })
                .collect(),
            f.unavailable.as_deref(),
        ),
        None => (Vec::new(), Some("not run")),
    };
    let view = View {
        site_title: &project.title,
        page_title: "Evidence",
        root: "",
        version: env!("CARGO_PKG_VERSION"),
        csp: CONTENT_SECURITY_POLICY,
        e: evidence,
        tree: match evidence.dirty {
            Some(true) => "dirty",
            Some(false) => "clean",
            None => "none",
        },
        input_bytes: evidence.inputs.iter().map(|i| i.bytes).sum(),
        summary: &project.summary,
        plans,
        by_code,
        findings,
        matrix,
        suspects,
        suspects_unavailable,
    };
    let ctx =
        tera::Context::from_serialize(&view).context("evidence.html: cannot build the template's context")?;
    let html = theme.tera.render(REPORT, &ctx).with_context(|| format!("template `{REPORT}` failed"))?;
    Ok(html.into_bytes())
}
