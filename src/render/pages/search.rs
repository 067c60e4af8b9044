//! The search page (`search.html`) and the entries of the search index.

use super::*;

impl Site<'_> {
    /// The search page: the results of the query in its URL (`search.html?q=…`), listed
    /// by `static/search.js`.
    pub(super) fn search(&self) -> Result<Page> {
        self.page("search.html".into(), "search.html", "Search", PageCtx::default())
    }

    /// Everything the search finds, in a stable order (each plan with its requirements,
    /// phases and items; then documents; then source files), with root-relative URLs.
    pub(super) fn search_entries(&self) -> Vec<crate::render::search::Entry> {
        let project = self.project;
        let url = |to: &str| urls::relative("search.html", to);
        let entry = |kind: &str, id: &str, title: &str, text: &str, to: &str, context: &str| {
            crate::render::search::Entry {
                kind: kind.to_string(),
                id: id.to_string(),
                title: title.to_string(),
                text: text.to_string(),
                url: url(to),
                context: context.to_string(),
            }
        };
        let mut entries = Vec::new();
        for (p, plan) in project.plans.iter().enumerate() {
            entries.push(entry("plan", &plan.id, &plan.title, "", &urls::plan(&plan.id), ""));
            for (r, req) in plan.requirements.iter().enumerate() {
                let to = self.requirement_path(ReqKey { plan: p, req: r });
                entries.push(entry("requirement", &req.id, &req.title, &req.text, &to, &plan.id));
            }
            for (ph, phase) in plan.phases.iter().enumerate() {
                entries.push(entry(
                    "phase",
                    &phase.id,
                    &phase.title,
                    "",
                    &self.phase_url_path(p, ph),
                    &plan.id,
                ));
            }
            for (i, it) in plan.items.iter().enumerate() {
                let to = self.item_path(ItemKey { plan: p, item: i });
                entries.push(entry(&it.kind, &it.id, &it.title, &it.text, &to, &plan.id));
            }
        }
        for d in &project.documents {
            if let Some(to) = self.file_location(&d.path, 0) {
                entries.push(entry("document", &d.path, &d.title, "", &to, d.plan.as_deref().unwrap_or("")));
            }
        }
        for (f, file) in project.files.iter().enumerate() {
            if self.has_source_page[f] {
                entries.push(entry("file", &file.path, "", "", &urls::source(&file.path), ""));
            }
        }
        entries
    }
}
