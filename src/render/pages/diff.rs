//! The comparison page (`diff.html`): what changed since `diff_base`.

use super::{Deferrals, Page, Site};
use anyhow::Result;
use serde::Serialize;

impl Site<'_> {
    /// The view of `diff.html`, when a comparison was asked for.
    pub(super) fn diff_view(&self) -> Option<DiffView<'_>> {
        let diff = self.diff?;
        Some(DiffView { diff, from_short: diff.from.commit.chars().take(12).collect() })
    }

    /// `diff.html`: what changed since `diff_base` ([`crate::revdiff::Diff`]).
    pub(super) fn diff_page(&self) -> Result<Page> {
        let Some(view) = self.diff_view() else { anyhow::bail!("no comparison to render") };
        let title = format!("Changes since {}", view.diff.from.spec);
        self.render_view("diff.html".into(), "diff.html", &title, &view, Deferrals::default())
    }
}

/// The comparison page.
#[derive(Serialize)]
pub(super) struct DiffView<'a> {
    pub(super) diff: &'a crate::revdiff::Diff,
    /// The first 12 characters of the base commit.
    pub(super) from_short: String,
}

#[cfg(test)]
mod tests {
    use super::super::testing::{FILES, html, with_site, with_site_diff};
    use crate::model::testing::project;
    use crate::revdiff::{Revision, compare};

    #[test]
    fn diff_view_shows_what_changed_since_the_base() {
        let before: Vec<(&str, &str)> =
            FILES.iter().copied().filter(|(p, _)| !p.starts_with("src/")).collect();
        let rev = |spec: &str, commit: &str| Revision { spec: spec.into(), commit: commit.into() };
        let diff = compare(
            &project(&before),
            &project(FILES),
            rev("v1", "0123456789abcdef0123456789abcdef01234567"),
            rev("HEAD", "fedcba9876543210fedcba9876543210fedcba98"),
        );
        with_site_diff(FILES, Some(&diff), |site| {
            let view = site.diff_view().expect("a comparison was asked for");
            assert_eq!(view.from_short, "0123456789ab");
            let gained: Vec<&str> = view.diff.coverage_gained.iter().map(|r| r.id.as_str()).collect();
            assert_eq!(gained, ["REQ-001"]);
            assert!(html(site.diff_page()).contains("0123456789ab"));
        });
        with_site(FILES, |site| {
            assert!(site.diff_view().is_none());
            assert!(site.diff_page().is_err(), "no comparison, no page");
        });
    }
}
