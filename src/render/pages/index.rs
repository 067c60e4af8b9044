//! The project index (`index.html`): a row per plan with its counts, folders of
//! plan documents that declare no plan, the findings by code and the charts.

use super::{Deferrals, LinkView, Page, Site};
use crate::model::ReqKey;
use crate::plan::PhaseStatus;
use crate::render::urls;
use anyhow::Result;
use serde::Serialize;
use std::collections::BTreeMap;

impl Site<'_> {
    pub(super) fn plan_row(&self, from: &str, p: usize) -> PlanRow {
        let plan = &self.project.plans[p];
        let covered =
            (0..plan.requirements.len()).filter(|&r| self.is_covered(ReqKey { plan: p, req: r })).count();
        PlanRow {
            synthetic: plan.synthetic,
            link: self.link(from, plan.id.clone(), Some(urls::plan(&plan.id))),
            title: plan.title.clone(),
            folder: plan.folder.clone(),
            requirements: plan.requirements.len(),
            covered,
            phases: plan.phases.len(),
            phases_done: (0..plan.phases.len())
                .filter(|&i| plan.phase_status(i) == PhaseStatus::Done)
                .count(),
            traces: self.project.plan_traces[p].len(),
            diagnostics: self.plan_diagnostics[p].len(),
        }
    }

    /// The index's view.
    pub(super) fn index_view(&self) -> IndexView<'_> {
        let from = "index.html";
        let plans: Vec<PlanRow> = (0..self.project.plans.len()).map(|p| self.plan_row(from, p)).collect();
        let undeclared: Vec<FolderView> = self
            .project
            .folders
            .iter()
            .filter(|(_, ps)| ps.is_empty())
            .map(|(path, _)| {
                let prefix = format!("{path}/");
                let documents = self
                    .project
                    .documents
                    .iter()
                    .filter(|d| d.path == *path || d.path.starts_with(&prefix))
                    .map(|d| self.link(from, d.path.clone(), self.file_location(&d.path, 0)))
                    .collect();
                FolderView { path: path.clone(), documents }
            })
            .collect();
        let mut diagnostics_by_code: BTreeMap<&str, usize> = BTreeMap::new();
        for d in &self.project.diagnostics {
            *diagnostics_by_code.entry(d.code.name()).or_default() += 1;
        }
        let charts = self.index_charts(&plans);
        IndexView {
            summary: &self.project.summary,
            plans,
            undeclared,
            diagnostics_by_code,
            diff_base: self.diff.map(|d| d.from.spec.as_str()),
            charts,
        }
    }

    /// `index.html`.
    pub(super) fn index(&self) -> Result<Page> {
        let view = self.index_view();
        self.render_view("index.html".into(), "index.html", &self.project.title, &view, Deferrals::default())
    }

    /// The index's charts: plans by requirement coverage, plans by phases done, and
    /// every phase by status.
    pub(super) fn index_charts(&self, plans: &[PlanRow]) -> Vec<ChartView> {
        use crate::render::charts::{BANDS, band, histogram, stacked};
        let mut coverage = [0usize; 5];
        let mut phases_done_counts = [0usize; 5];
        for p in plans {
            coverage[band(p.covered, p.requirements).unwrap_or(4)] += 1;
            phases_done_counts[band(p.phases_done, p.phases).unwrap_or(4)] += 1;
        }
        let buckets = |counts: &[usize; 5], none: &str| -> Vec<(String, usize)> {
            let mut v: Vec<(String, usize)> =
                BANDS.iter().zip(counts).map(|(l, &n)| (l.to_string(), n)).collect();
            v.push((none.to_string(), counts[4]));
            v
        };
        let mut by_status = [0usize; 5];
        for plan in &self.project.plans {
            for i in 0..plan.phases.len() {
                by_status[match plan.phase_status(i) {
                    PhaseStatus::Done => 0,
                    PhaseStatus::InProgress => 1,
                    PhaseStatus::Pending => 2,
                    PhaseStatus::Failed => 3,
                    PhaseStatus::Unknown => 4,
                }] += 1;
            }
        }
        let plans_cov = "Plans by requirements covered in code";
        let plans_done = "Plans by phases done";
        let phases = [
            ("done", by_status[0], "st-done"),
            ("in progress", by_status[1], "st-in-progress"),
            ("pending", by_status[2], "st-pending"),
            ("failed", by_status[3], "st-failed"),
            ("unknown", by_status[4], "st-unknown"),
        ];
        vec![
            ChartView { title: plans_cov, svg: histogram(plans_cov, &buckets(&coverage, "no requirements")) },
            ChartView {
                title: plans_done,
                svg: histogram(plans_done, &buckets(&phases_done_counts, "no phases")),
            },
            ChartView { title: "Every phase by status", svg: stacked("Every phase by status", &phases) },
        ]
    }
}

/// The project index.
#[derive(Serialize)]
pub(super) struct IndexView<'a> {
    pub(super) summary: &'a crate::model::Summary,
    /// A row per plan.
    pub(super) plans: Vec<PlanRow>,
    /// Plan folders that declare no plan, with their documents.
    pub(super) undeclared: Vec<FolderView>,
    /// How many findings of each code.
    pub(super) diagnostics_by_code: BTreeMap<&'static str, usize>,
    /// The revision `diff.html` compares with, when there is one.
    pub(super) diff_base: Option<&'a str>,
    pub(super) charts: Vec<ChartView>,
}

/// A chart and its caption.
#[derive(Serialize)]
pub(super) struct ChartView {
    pub(super) title: &'static str,
    /// Inline SVG from [`super::charts`] (every text in it escaped).
    pub(super) svg: String,
}

#[derive(Serialize)]
pub(super) struct PlanRow {
    pub(super) synthetic: bool,
    pub(super) link: LinkView,
    pub(super) title: String,
    pub(super) folder: String,
    pub(super) requirements: usize,
    pub(super) covered: usize,
    pub(super) phases: usize,
    pub(super) phases_done: usize,
    pub(super) traces: usize,
    pub(super) diagnostics: usize,
}

#[derive(Serialize)]
pub(super) struct FolderView {
    pub(super) path: String,
    pub(super) documents: Vec<LinkView>,
}

#[cfg(test)]
mod tests {
    use super::super::testing::{FILES, html, with_site};

    #[test]
    fn index_has_a_row_per_plan_with_its_counts() {
        with_site(FILES, |site| {
            let view = site.index_view();
            assert_eq!(view.plans.len(), 1);
            let row = &view.plans[0];
            assert_eq!(row.link.text, "PLAN-20260101-DEMO");
            assert_eq!(row.link.url.as_deref(), Some("plans/PLAN-20260101-DEMO/index.html"));
            assert_eq!(row.title, "Demo lamps");
            assert_eq!((row.requirements, row.covered), (3, 1));
            assert_eq!((row.phases, row.phases_done), (2, 1));
            assert_eq!(row.traces, 3);
            assert_eq!(view.summary.plans, 1);
            assert!(
                view.diagnostics_by_code.contains_key("dangling-reference"),
                "{:?}",
                view.diagnostics_by_code
            );
            assert_eq!(view.charts.len(), 3);
            assert!(html(site.index()).contains("PLAN-20260101-DEMO"));
        });
    }
}
