//! A phase's page: its status and tracker row, its document (when the phase has a file
//! of its own), its claims, traces and links.

use super::{Deferrals, ForgeLink, LinkGroup, LinkView, Page, PageLinker, Site, TraceView};
use crate::model::{Node, ReqKey};
use crate::plan::PhaseStatus;
use crate::render::urls;
use anyhow::Result;
use serde::Serialize;
use std::collections::HashMap;

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

    /// The view of phase `ph` of plan `p`; its document's markdown deferred into `d`.
    pub(super) fn phase_view(&self, p: usize, ph: usize, d: &Deferrals) -> PhaseView<'_> {
        let plan = &self.project.plans[p];
        let phase = &plan.phases[ph];
        let from = self.phase_url_path(p, ph);
        let linker = PageLinker { site: self, from: &from, plan: Some(p) };
        let body = phase
            .document
            .as_ref()
            .filter(|d| self.phase_of_document.get(&self.project.document_index[*d]) == Some(&(p, ph)))
            .and_then(|d| self.project.document_text.get(d).map(|text| (d, text)))
            .map(|(doc, text)| self.markdown(d, text, doc, &from, &linker))
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
        PhaseView {
            plan: self.link(&from, plan.id.clone(), Some(urls::plan(&plan.id))),
            plan_title: &plan.title,
            id: &phase.id,
            title: &phase.title,
            status: status_label(plan.phase_status(ph)),
            tracker: phase.tracker.as_ref().map(|t| TrackerView {
                raw: t.raw.clone(),
                location: self.location_link(&from, &t.location.path, t.location.line),
            }),
            completion: phase
                .completion
                .as_ref()
                .map(|c| self.link(&from, c.clone(), self.file_location(c, 0))),
            defined_at: self.location_link(&from, &phase.location.path, phase.location.line),
            defined_at_forge: self
                .forge_link(&phase.location.path, Some((phase.location.line, phase.location.line))),
            document: phase.document.as_deref(),
            body,
            claims,
            traces,
            attributes: &phase.attributes,
            links: self.link_groups(
                &from,
                Node::Phase { plan: p, phase: ph },
                &phase.links,
                self.project.phase_link_targets.get(&(p, ph)),
            ),
        }
    }

    /// The page of phase `ph` of plan `p`.
    pub(super) fn phase(&self, p: usize, ph: usize) -> Result<Page> {
        let plan = &self.project.plans[p];
        let phase = &plan.phases[ph];
        let d = Deferrals::default();
        let view = self.phase_view(p, ph, &d);
        let title = if phase.title.is_empty() {
            format!("{}.{}", plan.id, phase.id)
        } else {
            format!("{}.{} — {}", plan.id, phase.id, phase.title)
        };
        self.render_view(self.phase_url_path(p, ph), "phase.html", &title, &view, d)
    }
}

/// A phase's page.
#[derive(Serialize)]
pub(super) struct PhaseView<'a> {
    pub(super) plan: LinkView,
    pub(super) plan_title: &'a str,
    pub(super) id: &'a str,
    pub(super) title: &'a str,
    pub(super) status: &'static str,
    /// The phase's row of the execution tracker.
    pub(super) tracker: Option<TrackerView>,
    /// Its completion record.
    pub(super) completion: Option<LinkView>,
    pub(super) defined_at: LinkView,
    pub(super) defined_at_forge: Option<ForgeLink>,
    /// The phase's own file, when it has one.
    pub(super) document: Option<&'a str>,
    /// That file rendered (deferred), or empty.
    pub(super) body: String,
    /// The requirements the phase claims.
    pub(super) claims: Vec<ClaimView>,
    pub(super) traces: Vec<TraceView>,
    pub(super) attributes: &'a [crate::plan::Attribute],
    pub(super) links: Vec<LinkGroup>,
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

#[cfg(test)]
mod tests {
    use super::super::testing::{FILES, html, with_site};

    #[test]
    fn phase_view_has_its_status_claims_traces_and_document() {
        with_site(FILES, |site| {
            let d = Default::default();
            let view = site.phase_view(0, 0, &d);
            assert_eq!((view.id, view.title), ("P01", "Wiring"));
            assert_eq!(view.status, "done");
            let tracker = view.tracker.as_ref().expect("the tracker has a row for P01");
            assert!(tracker.location.text.starts_with("project-plans/demo/execution-tracker.md:"));
            assert_eq!(
                view.claims.iter().map(|c| c.requirement.text.as_str()).collect::<Vec<_>>(),
                ["REQ-001"]
            );
            assert_eq!(view.traces.len(), 2);
            assert_eq!(view.document, Some("project-plans/demo/plan/01-wiring.md"));
            assert!(!view.body.is_empty(), "the phase's own file is shown on its page");
            assert_eq!(site.phase_view(0, 1, &d).status, "pending");
            let page = html(site.phase(0, 0));
            assert!(page.contains("Check the fuse"), "the document is rendered into the page");
        });
    }
}
