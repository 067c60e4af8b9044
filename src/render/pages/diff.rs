//! The comparison page (`diff.html`): what changed since `diff_base`.

use super::*;

impl Site<'_> {
    /// `diff.html`: what changed since `diff_base` ([`crate::revdiff::Diff`]).
    pub(super) fn diff_page(&self) -> Result<Page> {
        let Some(diff) = self.diff else { anyhow::bail!("no comparison to render") };
        let mut ctx = PageCtx::default();
        ctx.insert("diff", diff);
        ctx.insert("from_short", diff.from.commit.chars().take(12).collect::<String>());
        let title = format!("Changes since {}", diff.from.spec);
        self.page("diff.html".into(), "diff.html", &title, ctx)
    }
}
