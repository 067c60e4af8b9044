//! A phase's page: its status and tracker row, its document (when the phase has a file
//! of its own), its claims, traces and links.

use super::*;

impl Site<'_> {
    pub(super) fn phase_row(&self, from: &str, p: usize, ph: usize) -> PhaseRow {
        let phase = &self.project.plans[p].phases[ph];
        let by_id: HashMap<&str, usize> =
            self.project.plans[p].requirements.iter().enumerate().map(|(i, r)| (r.id.as_str(), i)).collect();
        let mut claims: Vec<LinkView> = phase
            .claims
            .iter()
            .map(|c| {
                let to = by_id
                    .get(c.requirement.as_str())
                    .map(|&r| self.requirement_path(ReqKey { plan: p, req: r }));
                self.link(from, c.requirement.clone(), to)
            })
            .collect();
        claims.dedup_by(|a, b| a.text == b.text);
        PhaseRow {
            link: self.link(from, phase.id.clone(), Some(self.phase_url_path(p, ph))),
            title: phase.title.clone(),
            status: status_label(self.project.plans[p].phase_status(ph)),
            claims,
            traces: self.project.phase_traces.get(&(p, ph)).map_or(0, Vec::len),
        }
    }

    pub(super) fn phase(&self, p: usize, ph: usize) -> Result<Page> {
        let plan = &self.project.plans[p];
        let phase = &plan.phases[ph];
        let from = self.phase_url_path(p, ph);
        let linker = PageLinker { site: self, from: &from, plan: Some(p) };
        let d = Deferrals::default();
        let body = phase
            .document
            .as_ref()
            .filter(|d| self.phase_of_document.get(&self.project.document_index[*d]) == Some(&(p, ph)))
            .and_then(|d| self.project.document_text.get(d).map(|text| (d, text)))
            .map(|(doc, text)| self.markdown(&d, text, doc, &from, &linker))
            .unwrap_or_default();
        let traces: Vec<TraceView> = self
            .project
            .phase_traces
            .get(&(p, ph))
            .map(|v| v.iter().map(|&t| self.trace_view(&from, t, None)).collect())
            .unwrap_or_default();
        let claims: Vec<ClaimView> = phase
            .claims
            .iter()
            .map(|c| {
                let to = plan
                    .requirements
                    .iter()
                    .position(|r| r.id == c.requirement)
                    .map(|r| self.requirement_path(ReqKey { plan: p, req: r }));
                ClaimView {
                    requirement: self.link(&from, c.requirement.clone(), to),
                    location: self.location_link(&from, &c.location.path, c.location.line),
                }
            })
            .collect();
        let mut ctx = PageCtx::default();
        ctx.insert("plan", self.link(&from, plan.id.clone(), Some(urls::plan(&plan.id))));
        ctx.insert("plan_title", &plan.title);
        ctx.insert("id", &phase.id);
        ctx.insert("title", &phase.title);
        ctx.insert("status", status_label(plan.phase_status(ph)));
        ctx.insert(
            "tracker",
            phase.tracker.as_ref().map(|t| TrackerView {
                raw: t.raw.clone(),
                location: self.location_link(&from, &t.location.path, t.location.line),
            }),
        );
        ctx.insert(
            "completion",
            phase.completion.as_ref().map(|c| self.link(&from, c.clone(), self.file_location(c, 0))),
        );
        ctx.insert("defined_at", self.location_link(&from, &phase.location.path, phase.location.line));
        ctx.insert(
            "defined_at_forge",
            self.forge_link(&phase.location.path, Some((phase.location.line, phase.location.line))),
        );
        ctx.insert("document", phase.document.as_ref().map(|d| d.to_string()));
        ctx.insert("body", &body);
        ctx.insert("claims", &claims);
        ctx.insert("traces", &traces);
        ctx.insert("attributes", &phase.attributes);
        ctx.insert(
            "links",
            self.link_groups(
                &from,
                Node::Phase { plan: p, phase: ph },
                &phase.links,
                self.project.phase_link_targets.get(&(p, ph)),
            ),
        );
        let title = if phase.title.is_empty() {
            format!("{}.{}", plan.id, phase.id)
        } else {
            format!("{}.{} — {}", plan.id, phase.id, phase.title)
        };
        self.page_deferred(from, "phase.html", &title, ctx, d)
    }
}

#[derive(Serialize)]
pub(super) struct PhaseRow {
    pub(super) link: LinkView,
    pub(super) title: String,
    pub(super) status: &'static str,
    pub(super) claims: Vec<LinkView>,
    pub(super) traces: usize,
}

#[derive(Serialize)]
pub(super) struct ClaimView {
    pub(super) requirement: LinkView,
    pub(super) location: LinkView,
}

#[derive(Serialize)]
pub(super) struct TrackerView {
    pub(super) raw: String,
    pub(super) location: LinkView,
}

pub(super) fn status_label(s: PhaseStatus) -> &'static str {
    match s {
        PhaseStatus::Done => "done",
        PhaseStatus::InProgress => "in progress",
        PhaseStatus::Pending => "pending",
        PhaseStatus::Failed => "failed",
        PhaseStatus::Unknown => "unknown",
    }
}
