//! The suspect traces of a requirement on its page ([`crate::suspect`]): each rewording
//! commit with the word diff of the old and new text, the traces it made suspect, and
//! those a review cleared.

use super::{LinkView, Site};
use crate::model::ReqKey;
use crate::suspect::DiffTag;
use serde::Serialize;

/// One rewording of a requirement and the traces it made suspect.
#[derive(Debug, Serialize)]
pub(super) struct SuspectView {
    /// The first 12 characters of the commit ID.
    short: String,
    /// The commit's page on the forge.
    url: Option<String>,
    /// `YYYY-MM-DD`.
    date: String,
    subject: String,
    /// The word diff: `equal`, `delete` or `insert` pieces, escaped by the template.
    diff: Vec<(DiffTag, String)>,
    /// Suspect traces no review clears.
    open: Vec<LinkView>,
    /// Traces a review cleared, with who and when.
    reviewed: Vec<ReviewedView>,
}

/// A suspect trace cleared by a review.
#[derive(Debug, Serialize)]
pub(super) struct ReviewedView {
    trace: LinkView,
    reviewer: String,
    date: String,
}

impl Site<'_> {
    /// The rewordings of requirement `k` that made traces suspect, oldest first, for its
    /// page at `from`.
    pub(super) fn suspect_views(&self, from: &str, k: ReqKey) -> Vec<SuspectView> {
        let Some(facts) = &self.project.suspects else { return Vec::new() };
        let mut changes: Vec<usize> =
            facts.suspects.iter().filter(|s| s.key == k).map(|s| s.change).collect();
        changes.sort_by_key(|&c| (facts.changes[c].time, c));
        changes.dedup();
        changes
            .into_iter()
            .map(|c| {
                let change = &facts.changes[c];
                let mut open = Vec::new();
                let mut reviewed = Vec::new();
                for s in facts.suspects.iter().filter(|s| s.key == k && s.change == c) {
                    let tr = &self.project.traces[s.trace];
                    let path = &self.project.files[tr.file].path;
                    let link = self.location_link(from, path, tr.trace.line);
                    match s.reviewed.and_then(|r| facts.reviews.get(r)) {
                        Some(r) => reviewed.push(ReviewedView {
                            trace: link,
                            reviewer: r.reviewer.clone(),
                            date: r.date.clone(),
                        }),
                        None => open.push(link),
                    }
                }
                SuspectView {
                    short: change.commit.chars().take(12).collect(),
                    url: self.provenance.commit_url_of(&change.commit),
                    date: change.date.clone(),
                    subject: change.subject.clone(),
                    diff: change.diff.clone(),
                    open,
                    reviewed,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{FILES, html, with_project};
    use crate::model::ReqKey;
    use crate::suspect::{Change, DiffTag, Facts, Review, Suspect};

    #[test]
    fn suspect_views_split_open_and_reviewed_traces_per_rewording() {
        let mut project = crate::model::testing::project(FILES);
        let key = ReqKey { plan: 0, req: 0 };
        let traces = project.requirement_traces[&key].clone();
        assert_eq!(traces.len(), 2);
        let change = Change {
            commit: "0123456789abcdef0123456789abcdef01234567".into(),
            time: 1_767_225_600,
            date: "2026-01-01".into(),
            subject: "Reword REQ-001".into(),
            old: "The lamp turns on.".into(),
            new: "The lamp turns on when switched.".into(),
            diff: vec![
                (DiffTag::Equal, "The lamp turns on".into()),
                (DiffTag::Insert, " when switched".into()),
            ],
        };
        let review = Review {
            requirement: "REQ-001".into(),
            plan: "PLAN-20260101-DEMO".into(),
            text_sha256: String::new(),
            reviewer: "ana".into(),
            date: "2026-01-02".into(),
        };
        project.suspects = Some(Facts {
            changes: vec![change],
            suspects: vec![
                Suspect { trace: traces[0], key, change: 0, reviewed: None },
                Suspect { trace: traces[1], key, change: 0, reviewed: Some(0) },
            ],
            reviews: vec![review],
            ..Facts::default()
        });
        with_project(&project, None, |site| {
            let views = site.suspect_views("plans/PLAN-20260101-DEMO/requirements/REQ-001.html", key);
            assert_eq!(views.len(), 1, "one rewording");
            let v = &views[0];
            assert_eq!((v.short.as_str(), v.date.as_str()), ("0123456789ab", "2026-01-01"));
            assert_eq!(v.open.len(), 1);
            assert_eq!(v.reviewed.len(), 1);
            assert_eq!(v.reviewed[0].reviewer, "ana");
            assert!(site.suspect_views("x.html", ReqKey { plan: 0, req: 1 }).is_empty());
            assert!(html(site.requirement(key)).contains("Reword REQ-001"));
        });
    }
}
