//! The project index (`index.html`): a row per plan with its counts, folders of
//! plan documents that declare no plan, the findings by code and the charts.

use super::*;

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

    pub(super) fn index(&self) -> Result<Page> {
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
        let mut by_code: BTreeMap<&str, usize> = BTreeMap::new();
        for d in &self.project.diagnostics {
            *by_code.entry(d.code.name()).or_default() += 1;
        }
        let mut ctx = PageCtx::default();
        ctx.insert("summary", &self.project.summary);
        ctx.insert("plans", &plans);
        ctx.insert("undeclared", &undeclared);
        ctx.insert("diagnostics_by_code", &by_code);
        ctx.insert("diff_base", self.diff.map(|d| &d.from.spec));
        ctx.insert("charts", self.index_charts(&plans));
        self.page(from.into(), "index.html", &self.project.title, ctx)
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
