//! The start page (`start.html`): how to read the site, a glossary, the legend and the
//! finding codes.

use super::{Deferrals, LinkView, Page, Site};
use crate::render::urls;
use anyhow::Result;
use serde::Serialize;

impl Site<'_> {
    /// The view of the start page.
    pub(super) fn start_view(&self) -> StartView<'_> {
        let codes: Vec<CodeRow> = crate::diagnostic::Code::ALL
            .iter()
            .map(|c| CodeRow {
                code: c.name(),
                severity: c.default_label().to_string(),
                summary: c.summary(),
            })
            .collect();
        let guides: Vec<(LinkView, String)> = self
            .project
            .guides
            .iter()
            .map(|g| (self.link("start.html", g.path.clone(), Some(urls::guide(&g.path))), g.title.clone()))
            .collect();
        StartView { codes, summary: &self.project.summary, guides, modified: self.provenance.modified.len() }
    }

    /// The start page (`start.html`): what the site shows, how to read it, a glossary
    /// and the legend of every status, badge and symbol, with the finding codes.
    pub(super) fn start(&self) -> Result<Page> {
        let view = self.start_view();
        self.render_view(
            "start.html".into(),
            "start.html",
            "How to read this site",
            &view,
            Deferrals::default(),
        )
    }
}

/// The start page.
#[derive(Serialize)]
pub(super) struct StartView<'a> {
    /// Every finding code with its default severity.
    pub(super) codes: Vec<CodeRow>,
    pub(super) summary: &'a crate::model::Summary,
    /// The process guides, each with its title.
    pub(super) guides: Vec<(LinkView, String)>,
    /// How many tracked files differ from the commit in the working tree (only this
    /// page says how many: the footer of every page would change with the count).
    pub(super) modified: usize,
}

/// A finding code of the legend.
#[derive(Serialize)]
pub(super) struct CodeRow {
    pub(super) code: &'static str,
    pub(super) severity: String,
    pub(super) summary: &'static str,
}

#[cfg(test)]
mod tests {
    use super::super::testing::{FILES, html, with_site};

    #[test]
    fn start_view_lists_every_finding_code() {
        with_site(FILES, |site| {
            let view = site.start_view();
            assert_eq!(view.codes.len(), crate::diagnostic::Code::ALL.len());
            let dangling = view.codes.iter().find(|c| c.code == "dangling-reference").expect("listed");
            assert!(!dangling.summary.is_empty());
            assert!(!dangling.severity.is_empty());
            assert!(view.guides.is_empty(), "the project has no guides");
            assert_eq!(view.summary.requirements, 3);
            assert!(html(site.start()).contains("dangling-reference"));
        });
    }
}
