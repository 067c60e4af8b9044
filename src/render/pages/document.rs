//! A plan document's page and a process guide's page, both rendered by the document
//! renderer.

use super::{Deferrals, ForgeLink, LinkView, Page, PageLinker, Site, TraceView};
use crate::plan::DocumentRole;
use crate::render::urls;
use anyhow::Result;
use serde::Serialize;

impl Site<'_> {
    /// The view of document `doc`'s page; its markdown deferred into `d`.
    pub(super) fn document_view(&self, doc: usize, d: &Deferrals) -> DocumentView<'_> {
        let doc = &self.project.documents[doc];
        let from = urls::document(&doc.path);
        let plan = doc.plan.as_ref().and_then(|id| self.project.plan_index.get(id).copied());
        let linker = PageLinker { site: self, from: &from, plan };
        let body = self
            .project
            .document_text
            .get(&doc.path)
            .map(|text| self.markdown(d, text, &doc.path, &from, &linker))
            .unwrap_or_default();
        let traces: Vec<TraceView> = self
            .project
            .file_index
            .get(&doc.path)
            .map(|&f| self.project.file_traces[f].clone().map(|t| self.trace_view(&from, t, None)).collect())
            .unwrap_or_default();
        DocumentView {
            plan: plan.map(|p| {
                self.link(
                    &from,
                    self.project.plans[p].id.clone(),
                    Some(urls::plan(&self.project.plans[p].id)),
                )
            }),
            path: &doc.path,
            forge: self.forge_link(&doc.path, None),
            modified: self.provenance.is_modified(&doc.path),
            role: role_label(&doc.role),
            body,
            traces,
        }
    }

    /// Document `d`'s page (`docs/<path>.html`).
    pub(super) fn document(&self, d: usize) -> Result<Page> {
        let doc = &self.project.documents[d];
        let deferred = Deferrals::default();
        let view = self.document_view(d, &deferred);
        self.render_view(urls::document(&doc.path), "document.html", &doc.title, &view, deferred)
    }

    /// The view of guide `g`'s page; its markdown deferred into `d`.
    pub(super) fn guide_view(&self, g: usize, d: &Deferrals) -> GuideView<'_> {
        let guide = &self.project.guides[g];
        let from = urls::guide(&guide.path);
        let linker = PageLinker { site: self, from: &from, plan: None };
        GuideView {
            path: &guide.path,
            forge: self.forge_link(&guide.path, None),
            body: self.markdown(d, &guide.text, &guide.path, &from, &linker),
        }
    }

    /// A process guide (`guides = [...]`), rendered by the document renderer.
    pub(super) fn guide(&self, g: usize) -> Result<Page> {
        let guide = &self.project.guides[g];
        let d = Deferrals::default();
        let view = self.guide_view(g, &d);
        self.render_view(urls::guide(&guide.path), "guide.html", &guide.title, &view, d)
    }
}

/// A plan document's page.
#[derive(Serialize)]
pub(super) struct DocumentView<'a> {
    /// The plan the document belongs to.
    pub(super) plan: Option<LinkView>,
    pub(super) path: &'a str,
    pub(super) forge: Option<ForgeLink>,
    /// The file differs from the commit in the working tree.
    pub(super) modified: bool,
    /// `specification`, `phase P02`, …
    pub(super) role: String,
    /// The document rendered (deferred).
    pub(super) body: String,
    /// The traces in its HTML comments.
    pub(super) traces: Vec<TraceView>,
}

/// A process guide's page.
#[derive(Serialize)]
pub(super) struct GuideView<'a> {
    pub(super) path: &'a str,
    pub(super) forge: Option<ForgeLink>,
    /// The guide rendered (deferred).
    pub(super) body: String,
}

pub(super) fn role_label(r: &DocumentRole) -> String {
    match r {
        DocumentRole::Specification => "specification".into(),
        DocumentRole::Overview => "overview".into(),
        DocumentRole::Phase(p) => format!("phase {p}"),
        DocumentRole::CompletionRecord(p) => format!("completion record {p}"),
        DocumentRole::Tracker => "execution tracker".into(),
        DocumentRole::Other => "document".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{FILES, html, with_project, with_site};

    #[test]
    fn document_view_names_its_plan_and_role() {
        with_site(FILES, |site| {
            let docs = &site.project.documents;
            let doc = |path: &str| docs.iter().position(|d| d.path == path).expect("document read");
            let spec = doc("project-plans/demo/specification.md");
            let view = site.document_view(spec, &Default::default());
            assert_eq!(view.role, "specification");
            let plan = view.plan.as_ref().expect("the document belongs to the plan");
            assert_eq!(plan.text, "PLAN-20260101-DEMO");
            assert_eq!(plan.url.as_deref(), Some("../../../plans/PLAN-20260101-DEMO/index.html"));
            assert!(!view.body.is_empty());
            assert!(html(site.document(spec)).contains("Lamps report their state"));
            // A phase's own file is shown on the phase page, not on a page of its own.
            let phase_doc = doc("project-plans/demo/plan/01-wiring.md");
            assert_eq!(site.phase_of_document.get(&phase_doc), Some(&(0, 0)));
        });
    }

    #[test]
    fn guide_view_renders_the_guide_and_links_its_ids() {
        let mut project = crate::model::testing::project(FILES);
        project.guides.push(crate::model::Guide {
            path: "dev-docs/PLAN.md".into(),
            title: "How we plan".into(),
            text: "# How we plan\n\nEvery plan starts like REQ-001.\n".into(),
        });
        with_project(&project, None, |site| {
            let view = site.guide_view(0, &Default::default());
            assert_eq!(view.path, "dev-docs/PLAN.md");
            assert!(view.forge.is_none(), "no forge without git");
            let page = html(site.guide(0));
            assert!(page.contains("Every plan starts like"));
            assert!(
                page.contains("../plans/PLAN-20260101-DEMO/requirements/REQ-001.html"),
                "IDs in a guide link to their pages"
            );
        });
    }
}
