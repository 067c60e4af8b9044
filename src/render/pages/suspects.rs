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
