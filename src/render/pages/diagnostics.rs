//! The diagnostics page (`diagnostics.html`): every finding grouped by code, and the
//! findings per plan by severity.

use super::{Deferrals, LinkView, Page, Site};
use crate::diagnostic::{Diagnostic, Severity};
use crate::render::urls;
use anyhow::Result;
use serde::Serialize;
use std::collections::BTreeMap;

impl Site<'_> {
    /// The view of the diagnostics page.
    pub(super) fn diagnostics_view(&self) -> DiagnosticsView {
        let from = "diagnostics.html";
        let mut groups: BTreeMap<&str, DiagnosticGroup> = BTreeMap::new();
        for d in &self.project.diagnostics {
            let g = groups.entry(d.code.name()).or_insert_with(|| DiagnosticGroup {
                code: d.code.name(),
                summary: d.code.summary(),
                items: Vec::new(),
            });
            g.items.push(self.diagnostic_view(from, d));
        }
        // Per plan: its findings by severity (a finding may concern several plans).
        let mut in_a_plan = vec![false; self.project.diagnostics.len()];
        let by_plan: Vec<PlanCount> = self
            .plan_diagnostics
            .iter()
            .enumerate()
            .filter(|(_, ds)| !ds.is_empty())
            .map(|(p, ds)| {
                let id = &self.project.plans[p].id;
                let count = |sev: Severity| {
                    ds.iter().filter(|&&d| self.project.diagnostics[d].severity == sev).count()
                };
                for &d in ds {
                    in_a_plan[d] = true;
                }
                PlanCount {
                    link: LinkView {
                        text: id.clone(),
                        url: Some(format!("{}#findings", urls::relative(from, &urls::plan(id)))),
                        class: "",
                    },
                    total: ds.len(),
                    errors: count(Severity::Error),
                    warnings: count(Severity::Warning),
                    notes: count(Severity::Note),
                }
            })
            .collect();
        DiagnosticsView {
            groups: groups.into_values().collect(),
            total: self.project.diagnostics.len(),
            by_plan,
            outside_plans: in_a_plan.iter().filter(|b| !**b).count(),
        }
    }

    /// The diagnostics page (`diagnostics.html`).
    pub(super) fn diagnostics(&self) -> Result<Page> {
        let view = self.diagnostics_view();
        self.render_view(
            "diagnostics.html".into(),
            "diagnostics.html",
            "Diagnostics",
            &view,
            Deferrals::default(),
        )
    }

    pub(super) fn diagnostic_view(&self, from: &str, d: &Diagnostic) -> DiagnosticView {
        DiagnosticView {
            location: self.location_link(from, &d.path, d.line),
            severity: d.severity.to_string(),
            message: d.message.clone(),
            help: d.help.clone(),
        }
    }
}

/// The diagnostics page.
#[derive(Serialize)]
pub(super) struct DiagnosticsView {
    /// Every finding, by code.
    pub(super) groups: Vec<DiagnosticGroup>,
    pub(super) total: usize,
    /// Each plan with findings, with their count by severity.
    pub(super) by_plan: Vec<PlanCount>,
    /// How many findings concern no plan.
    pub(super) outside_plans: usize,
}

/// A plan's findings by severity (a finding may concern several plans).
#[derive(Serialize)]
pub(super) struct PlanCount {
    /// The plan's findings section.
    pub(super) link: LinkView,
    pub(super) total: usize,
    pub(super) errors: usize,
    pub(super) warnings: usize,
    pub(super) notes: usize,
}

#[derive(Serialize)]
pub(super) struct DiagnosticGroup {
    pub(super) code: &'static str,
    pub(super) summary: &'static str,
    pub(super) items: Vec<DiagnosticView>,
}

#[derive(Serialize)]
pub(super) struct DiagnosticView {
    pub(super) location: LinkView,
    pub(super) severity: String,
    pub(super) message: String,
    pub(super) help: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::super::testing::{FILES, html, with_site};

    #[test]
    fn diagnostics_view_groups_findings_by_code_and_counts_them_per_plan() {
        with_site(FILES, |site| {
            let view = site.diagnostics_view();
            assert_eq!(view.total, site.project.diagnostics.len());
            assert_eq!(view.groups.iter().map(|g| g.items.len()).sum::<usize>(), view.total);
            let dangling =
                view.groups.iter().find(|g| g.code == "dangling-reference").expect("grouped by code");
            let item =
                dangling.items.iter().find(|i| i.message.contains("PLAN-20990101-NOPE")).expect("listed");
            assert_eq!(item.location.text, "src/lamp.ts:7");
            assert_eq!(item.location.url.as_deref(), Some("files/src/lamp.ts.html#L7"));
            let in_plans: usize = view.by_plan.iter().map(|p| p.total).sum();
            assert!(view.outside_plans >= 1, "the marker naming no known plan concerns no plan");
            assert!(in_plans + view.outside_plans >= view.total);
            for p in &view.by_plan {
                assert_eq!(p.total, p.errors + p.warnings + p.notes);
                assert!(p.link.url.as_deref().is_some_and(|u| u.ends_with("#findings")));
            }
            assert!(html(site.diagnostics()).contains("PLAN-20990101-NOPE"));
        });
    }
}
