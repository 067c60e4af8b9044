//! The diagnostics page (`diagnostics.html`): every finding grouped by code, and the
//! findings per plan by severity.

use super::*;

impl Site<'_> {
    pub(super) fn diagnostics(&self) -> Result<Page> {
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
        #[derive(Serialize)]
        struct PlanCount {
            link: LinkView,
            total: usize,
            errors: usize,
            warnings: usize,
            notes: usize,
        }
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
        let mut ctx = PageCtx::default();
        ctx.insert("groups", groups.into_values().collect::<Vec<_>>());
        ctx.insert("total", self.project.diagnostics.len());
        ctx.insert("by_plan", by_plan);
        ctx.insert("outside_plans", in_a_plan.iter().filter(|b| !**b).count());
        self.page(from.into(), "diagnostics.html", "Diagnostics", ctx)
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
