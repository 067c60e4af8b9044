//! The start page (`start.html`): how to read the site, a glossary, the legend and the
//! finding codes.

use super::*;

impl Site<'_> {
    /// The start page (`start.html`): what the site shows, how to read it, a glossary
    /// and the legend of every status, badge and symbol, with the finding codes.
    pub(super) fn start(&self) -> Result<Page> {
        #[derive(Serialize)]
        struct CodeRow {
            code: &'static str,
            severity: String,
            summary: &'static str,
        }
        let codes: Vec<CodeRow> = crate::diagnostic::Code::ALL
            .iter()
            .map(|c| CodeRow {
                code: c.name(),
                severity: c.default_label().to_string(),
                summary: c.summary(),
            })
            .collect();
        let mut ctx = PageCtx::default();
        ctx.insert("codes", codes);
        ctx.insert("summary", &self.project.summary);
        let guides: Vec<(LinkView, String)> = self
            .project
            .guides
            .iter()
            .map(|g| (self.link("start.html", g.path.clone(), Some(urls::guide(&g.path))), g.title.clone()))
            .collect();
        ctx.insert("guides", guides);
        self.page("start.html".into(), "start.html", "How to read this site", ctx)
    }
}
