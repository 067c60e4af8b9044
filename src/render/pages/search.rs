//! The search page (`search.html`) and the entries of the search index.

use super::{Deferrals, Page, Site};
use crate::model::{ItemKey, ReqKey};
use crate::render::urls;
use anyhow::Result;
use serde::Serialize;

impl Site<'_> {
    /// The search page: the results of the query in its URL (`search.html?q=…`), listed
    /// by `static/search.js`.
    pub(super) fn search(&self) -> Result<Page> {
        self.render_view("search.html".into(), "search.html", "Search", &SearchView {}, Deferrals::default())
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
        for g in &project.guides {
            entries.push(entry("guide", &g.path, &g.title, "", &urls::guide(&g.path), ""));
        }
        for (f, file) in project.files.iter().enumerate() {
            if self.has_source_page[f] {
                entries.push(entry("file", &file.path, "", "", &urls::source(&file.path), ""));
            }
        }
        entries
    }
}

/// The search page: the same for every project (the index is loaded by its script).
#[derive(Serialize)]
pub(super) struct SearchView {}

#[cfg(test)]
mod tests {
    use super::super::testing::{FILES, html, with_site};

    #[test]
    fn search_entries_list_every_page_in_a_stable_order() {
        with_site(FILES, |site| {
            let entries = site.search_entries();
            let kinds: Vec<(&str, &str)> = entries.iter().map(|e| (e.kind.as_str(), e.id.as_str())).collect();
            assert_eq!(kinds[0], ("plan", "PLAN-20260101-DEMO"));
            assert_eq!(
                &kinds[1..4],
                [("requirement", "REQ-001"), ("requirement", "REQ-002"), ("requirement", "REQ-003")]
            );
            assert_eq!(&kinds[4..6], [("phase", "P01"), ("phase", "P02")]);
            let req = &entries[1];
            assert_eq!(req.title, "Lamps turn on");
            assert_eq!(req.context, "PLAN-20260101-DEMO");
            assert_eq!(req.url, "plans/PLAN-20260101-DEMO/requirements/REQ-001.html");
            assert!(req.text.contains("turns on when switched"), "the definition is searched");
            let files: Vec<&str> =
                entries.iter().filter(|e| e.kind == "file").map(|e| e.id.as_str()).collect();
            assert_eq!(files, ["src/__tests__/lamp.test.ts", "src/fuse.ts", "src/lamp.ts"]);
            // A checklist has no page: its entry leads to its document's page.
            let checklist = entries.iter().find(|e| e.kind == "checklist").expect("listed");
            assert!(
                checklist.url.starts_with("plans/PLAN-20260101-DEMO/phases/P01.html"),
                "{}",
                checklist.url
            );
            assert!(html(site.search()).contains("search"));
        });
    }

    #[test]
    fn guides_are_searched_by_title_and_path() {
        let mut project = crate::model::testing::project(FILES);
        project.guides.push(crate::model::Guide {
            path: "dev-docs/PLAN.md".into(),
            title: "How we plan".into(),
            text: "# How we plan\n".into(),
        });
        super::super::testing::with_project(&project, None, |site| {
            let entries = site.search_entries();
            let guide = entries.iter().find(|e| e.kind == "guide").expect("the guide is indexed");
            assert_eq!((guide.id.as_str(), guide.title.as_str()), ("dev-docs/PLAN.md", "How we plan"));
            assert_eq!(guide.url, "guides/dev-docs/PLAN.html");
        });
    }
}
