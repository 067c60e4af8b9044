//! The pages made from git history ([`crate::history::Facts`]): the plan timeline
//! (`timeline.html`, every plan ordered by the first commit of its folder) and the
//! history section of a source page (the plans that shaped the file, oldest first).

use super::{Deferrals, LinkView, Page, Site, urls};
use crate::history::{Evidence, Source};
use anyhow::Result;
use serde::Serialize;

/// The timeline page's path.
pub(super) const TIMELINE: &str = "timeline.html";

/// A commit as a page shows it.
#[derive(Debug, Clone, Serialize)]
pub(super) struct CommitView {
    /// The first 12 characters of the ID.
    short: String,
    /// The author date, `YYYY-MM-DD`.
    date: String,
    /// The message's first line.
    subject: String,
    /// The commit's page on the forge.
    url: Option<String>,
}

/// What the history section and the timeline say about the source of their dates.
#[derive(Debug, Clone, Serialize)]
pub(super) struct HistorySource {
    /// Whether a log was read.
    read: bool,
    /// Commits read.
    commits: usize,
    /// The clone is shallow.
    shallow: bool,
    /// Why no log was read.
    reason: Option<String>,
    /// Commits too broad to link files to plans.
    broad_commits: usize,
}

/// The timeline page.
#[derive(Debug, Serialize)]
pub(super) struct TimelineView {
    /// Every plan, oldest first.
    rows: Vec<TimelineRow>,
    /// Whether and how much history was read.
    history: HistorySource,
    /// [`crate::history::ID_DATE_TOLERANCE_DAYS`].
    tolerance_days: i64,
    /// [`crate::history::MAX_PLANS_PER_COMMIT`].
    max_plans: usize,
    /// [`crate::history::MAX_FILES_PER_COMMIT`].
    max_files: usize,
}

/// One plan on the timeline.
#[derive(Debug, Serialize)]
struct TimelineRow {
    link: LinkView,
    title: String,
    folder: String,
    synthetic: bool,
    first: Option<CommitView>,
    last: Option<CommitView>,
    commits: usize,
    /// Commits that changed code with the plan's documents or naming it, and the files
    /// they changed ([`crate::history::PlanHistory`]).
    code_commits: usize,
    code_files: usize,
    /// Code traces naming the plan or its requirements.
    traces: usize,
    /// The date written in the ID or folder name, `YYYY-MM-DD`.
    id_date: Option<String>,
    /// How far the ID date is from the first commit, when further than the tolerance
    /// (`312 days before the first commit`).
    id_date_off: Option<String>,
    requirements: usize,
    covered: usize,
    phases: usize,
    phases_done: usize,
    /// The year and month of the first commit (`2025-10`), for the group headings.
    month: Option<String>,
    /// `delivered`, `in progress`, `not started`, `unknown` ([`crate::model::status`]).
    status: &'static str,
    /// Phases whose tracker, completion record and code disagree.
    conflicts: usize,
    /// The plan page's open items.
    open_url: String,
}

/// A plan that shaped a file, on the file's page.
#[derive(Debug, Serialize)]
pub(super) struct ShapingView {
    plan: LinkView,
    title: String,
    /// When it first shaped the file (`YYYY-MM-DD`).
    date: Option<String>,
    /// `marker`, `same commit as the plan`, `commit message`.
    evidence: Vec<&'static str>,
    /// The oldest commit that changed the file for the plan.
    first: Option<CommitView>,
    /// The newest one, when there are several.
    last: Option<CommitView>,
    /// How many commits changed the file for the plan.
    commits: usize,
}

/// The label of an evidence kind, as the pages and the start page's legend say it.
pub(super) fn evidence_label(e: Evidence) -> &'static str {
    match e {
        Evidence::Marker => "marker",
        Evidence::SameCommit => "same commit as the plan",
        Evidence::CommitMessage => "commit message",
    }
}

impl Site<'_> {
    fn commit_view(&self, i: usize) -> CommitView {
        let c = self.history.commit(i);
        CommitView {
            short: c.id.chars().take(12).collect(),
            date: c.date.clone(),
            subject: c.subject.clone(),
            url: self.provenance.commit_url_of(&c.id),
        }
    }

    pub(super) fn history_source(&self) -> HistorySource {
        let h = self.history;
        let (read, commits, shallow, reason) = match &h.source {
            Source::Read { commits, shallow } => (true, *commits, *shallow, None),
            Source::Unavailable { reason } => (false, 0, false, Some(reason.clone())),
        };
        HistorySource { read, commits, shallow, reason, broad_commits: h.broad_commits }
    }

    /// The plans that shaped source file `f`, oldest first, for its page at `from`.
    pub(super) fn file_history(&self, from: &str, f: usize) -> Vec<ShapingView> {
        self.history.files[f]
            .iter()
            .map(|s| {
                let plan = &self.project.plans[s.plan];
                ShapingView {
                    plan: self.link(from, plan.id.clone(), Some(urls::plan(&plan.id))),
                    title: plan.title.clone(),
                    date: s
                        .commits
                        .first()
                        .copied()
                        .or(self.history.plans[s.plan].first)
                        .map(|c| self.history.commit(c).date.clone()),
                    evidence: s.evidence.iter().map(|&e| evidence_label(e)).collect(),
                    first: s.commits.first().map(|&c| self.commit_view(c)),
                    last: s.commits.last().filter(|_| s.commits.len() > 1).map(|&c| self.commit_view(c)),
                    commits: s.commits.len(),
                }
            })
            .collect()
    }

    /// The view of `timeline.html`: every plan, ordered by the first commit of its
    /// folder (plans git knows nothing of last, by ID).
    pub(super) fn timeline_view(&self) -> TimelineView {
        let from = TIMELINE;
        let h = self.history;
        let mut order: Vec<usize> = (0..self.project.plans.len()).collect();
        let time = |p: usize| h.plans[p].first.map(|c| h.commit(c).time);
        order.sort_by(|&a, &b| {
            let (ta, tb) = (time(a), time(b));
            (ta.is_none(), ta, &self.project.plans[a].id).cmp(&(tb.is_none(), tb, &self.project.plans[b].id))
        });
        let rows: Vec<TimelineRow> = order
            .into_iter()
            .map(|p| {
                let plan = &self.project.plans[p];
                let ph = &h.plans[p];
                let first_time = ph.first.map(|c| h.commit(c).time);
                let id_date = crate::history::id_date(&plan.id, &plan.folder);
                let id_date_off = match (&id_date, first_time) {
                    (Some((secs, _)), Some(first)) => {
                        let days = (first - secs).div_euclid(86_400);
                        (days.abs() > crate::history::ID_DATE_TOLERANCE_DAYS).then(|| {
                            let n = days.abs();
                            let s = if n == 1 { "" } else { "s" };
                            if days > 0 {
                                format!("{n} day{s} before the first commit")
                            } else {
                                format!("{n} day{s} after the first commit")
                            }
                        })
                    }
                    _ => None,
                };
                // The counts the index shows for the plan.
                let counts = self.plan_row(from, p);
                TimelineRow {
                    link: counts.link,
                    title: counts.title,
                    folder: counts.folder,
                    synthetic: counts.synthetic,
                    first: ph.first.map(|c| self.commit_view(c)),
                    last: ph.last.filter(|&l| Some(l) != ph.first).map(|c| self.commit_view(c)),
                    commits: ph.commits,
                    code_commits: ph.code_commits,
                    code_files: ph.code_files,
                    traces: counts.traces,
                    id_date: id_date.map(|d| d.1),
                    id_date_off,
                    requirements: counts.requirements,
                    covered: counts.covered,
                    phases: counts.phases,
                    phases_done: counts.phases_done,
                    month: ph.first.map(|c| h.commit(c).date.chars().take(7).collect()),
                    status: crate::model::status::plan_status(self.project, p).label(),
                    conflicts: crate::model::status::phase_conflicts(self.project, p).len(),
                    open_url: format!("{}#open-items", urls::relative(from, &urls::plan(&plan.id))),
                }
            })
            .collect();
        TimelineView {
            rows,
            history: self.history_source(),
            tolerance_days: crate::history::ID_DATE_TOLERANCE_DAYS,
            max_plans: crate::history::MAX_PLANS_PER_COMMIT,
            max_files: crate::history::MAX_FILES_PER_COMMIT,
        }
    }

    /// `timeline.html`.
    pub(super) fn timeline(&self) -> Result<Page> {
        let view = self.timeline_view();
        self.render_view(TIMELINE.into(), "timeline.html", "Plan timeline", &view, Deferrals::default())
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{FILES, html, with_site};

    #[test]
    fn timeline_without_history_lists_every_plan_and_says_why() {
        with_site(FILES, |site| {
            let view = site.timeline_view();
            assert_eq!(view.rows.len(), 1);
            let row = &view.rows[0];
            assert_eq!(row.link.text, "PLAN-20260101-DEMO");
            assert!(row.first.is_none(), "no commit is known");
            assert_eq!(row.id_date.as_deref(), Some("2026-01-01"));
            assert_eq!((row.requirements, row.covered, row.phases, row.phases_done), (3, 1, 2, 1));
            assert!(!view.history.read);
            assert_eq!(view.history.reason.as_deref(), Some("not read in tests"));
            assert!(html(site.timeline()).contains("not read in tests"));
        });
    }
}
