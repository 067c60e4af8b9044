//! A plan document's page and a process guide's page, both rendered by the document
//! renderer.

use super::*;

impl Site<'_> {
    pub(super) fn document(&self, d: usize) -> Result<Page> {
        let doc = &self.project.documents[d];
        let from = urls::document(&doc.path);
        let plan = doc.plan.as_ref().and_then(|id| self.project.plan_index.get(id).copied());
        let linker = PageLinker { site: self, from: &from, plan };
        let d = Deferrals::default();
        let body = self
            .project
            .document_text
            .get(&doc.path)
            .map(|text| self.markdown(&d, text, &doc.path, &from, &linker))
            .unwrap_or_default();
        let traces: Vec<TraceView> = self
            .project
            .file_index
            .get(&doc.path)
            .map(|&f| self.project.file_traces[f].clone().map(|t| self.trace_view(&from, t, None)).collect())
            .unwrap_or_default();
        let mut ctx = PageCtx::default();
        ctx.insert(
            "plan",
            plan.map(|p| {
                self.link(
                    &from,
                    self.project.plans[p].id.clone(),
                    Some(urls::plan(&self.project.plans[p].id)),
                )
            }),
        );
        ctx.insert("path", &doc.path);
        ctx.insert("forge", self.forge_link(&doc.path, None));
        ctx.insert("modified", self.provenance.is_modified(&doc.path));
        ctx.insert("role", role_label(&doc.role));
        ctx.insert("body", &body);
        ctx.insert("traces", &traces);
        self.page_deferred(from, "document.html", &doc.title, ctx, d)
    }

    /// A process guide (`guides = [...]`), rendered by the document renderer.
    pub(super) fn guide(&self, g: usize) -> Result<Page> {
        let guide = &self.project.guides[g];
        let from = urls::guide(&guide.path);
        let linker = PageLinker { site: self, from: &from, plan: None };
        let d = Deferrals::default();
        let body = self.markdown(&d, &guide.text, &guide.path, &from, &linker);
        let mut ctx = PageCtx::default();
        ctx.insert("path", &guide.path);
        ctx.insert("forge", self.forge_link(&guide.path, None));
        ctx.insert("body", &body);
        self.page_deferred(from, "guide.html", &guide.title, ctx, d)
    }
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
