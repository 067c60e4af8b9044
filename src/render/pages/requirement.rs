//! A requirement's page: its definition, its traces (implementation, tests, plan
//! documents) with excerpts, its tests, mentions, suspect traces and the same ID in other plans.

use super::{
    Deferrals, ForgeLink, LinkView, MAX_EXCERPTS, MAX_SAME_ID, Page, PageLinker, Site, TraceView,
    placement_label,
};
use crate::model::ReqKey;
use crate::render::urls;
use anyhow::Result;
use serde::Serialize;

impl Site<'_> {
    pub(super) fn requirement_row(&self, from: &str, k: ReqKey) -> RequirementRow {
        let r = &self.project.plans[k.plan].requirements[k.req];
        let traces = self.project.requirement_traces.get(&k).map_or(&[][..], Vec::as_slice);
        RequirementRow {
            link: self.link(from, r.id.clone(), Some(self.requirement_path(k))),
            title: r.title.clone(),
            code_traces: traces.iter().filter(|&&t| self.project.traces[t].in_code()).count(),
            document_traces: traces.iter().filter(|&&t| !self.project.traces[t].in_code()).count(),
            verification: self.project.verification.as_ref().map(|v| v.status(k).label()),
            phases: self
                .project
                .requirement_phases
                .get(&k)
                .map(|v| {
                    v.iter()
                        .map(|&ph| {
                            self.link(
                                from,
                                self.project.plans[k.plan].phases[ph].id.clone(),
                                Some(self.phase_url_path(k.plan, ph)),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    /// The tests of a requirement: each test case matched to one of its code traces
    /// (`traces`), with its outcome, then each test trace with no case (not run).
    pub(super) fn test_rows(&self, from: &str, traces: &[usize]) -> Vec<TestRow> {
        let Some(v) = &self.project.verification else { return Vec::new() };
        let mut rows = Vec::new();
        for &t in traces {
            let tr = &self.project.traces[t];
            let at = self.location_link(from, &self.project.files[tr.file].path, tr.trace.line);
            for &c in &v.trace_cases[t] {
                let case = &v.cases[c];
                rows.push(TestRow {
                    outcome: case.outcome.label(),
                    name: case.display_name(),
                    message: case.message.clone(),
                    report: format!("{}:{}", case.report, case.line),
                    trace: at.clone(),
                });
            }
            if v.not_run(t) {
                let title = v.trace_tests[t].as_ref().map(|s| s.title.clone()).unwrap_or_default();
                rows.push(TestRow {
                    outcome: "not-run",
                    name: title,
                    message: None,
                    report: String::new(),
                    trace: at,
                });
            }
        }
        rows
    }

    /// The view of requirement `k`'s page; definition and excerpts deferred into `d`.
    pub(super) fn requirement_view(&self, k: ReqKey, d: &Deferrals) -> RequirementView<'_> {
        let plan = &self.project.plans[k.plan];
        let r = &plan.requirements[k.req];
        let from = self.requirement_path(k);
        let linker = PageLinker { site: self, from: &from, plan: Some(k.plan) };
        let definition = self.definition(d, &r.text, &r.location.path, &from, &linker);
        let traces = self.project.requirement_traces.get(&k).map_or(&[][..], Vec::as_slice);
        let code: Vec<usize> = traces.iter().copied().filter(|&t| self.project.traces[t].in_code()).collect();
        let docs: Vec<usize> =
            traces.iter().copied().filter(|&t| !self.project.traces[t].in_code()).collect();
        // Implementation first, then tests; excerpts for the first traces of each.
        let (tests, implementation): (Vec<usize>, Vec<usize>) =
            code.iter().copied().partition(|&t| self.project.is_test_trace(t));
        let views = |ts: &[usize]| -> Vec<TraceView> {
            ts.iter()
                .enumerate()
                .map(|(i, &t)| self.trace_view(&from, t, (i < MAX_EXCERPTS).then_some(d)))
                .collect()
        };
        // The other plans' requirements with this ID: the nearest plans in the site's
        // order, at most `MAX_SAME_ID` (an ID every plan uses, `REQ-001`, would make
        // the pages of all of them grow with the square of the number of plans); the
        // rest are one search away.
        let mut others: Vec<ReqKey> = self
            .project
            .requirement_index
            .get(&r.id)
            .into_iter()
            .flatten()
            .copied()
            .filter(|o| *o != k)
            .collect();
        let same_id_total = others.len();
        others.sort_by_key(|o| (o.plan.abs_diff(k.plan), o.plan));
        others.truncate(MAX_SAME_ID);
        others.sort();
        let same_id_elsewhere: Vec<LinkView> = others
            .iter()
            .map(|&o| {
                let op = &self.project.plans[o.plan];
                self.link(&from, format!("{} in {}", r.id, op.id), Some(self.requirement_path(o)))
            })
            .collect();
        let same_id_search = (same_id_total > same_id_elsewhere.len()).then(|| urls::search(&from, &r.id));
        let mentions: Vec<MentionView> = self
            .project
            .requirement_mentions
            .get(&k)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(|&i| {
                let m = &self.project.mentions[i];
                MentionView {
                    at: self.location_link(&from, &m.path, m.mention.line),
                    forge: self.forge_link(&m.path, Some((m.mention.line, m.mention.line))),
                    kind: placement_label(m.mention.placement),
                    text: m.mention.text.clone(),
                    ambiguous: m.requirements.len() > 1,
                }
            })
            .collect();
        RequirementView {
            plan: self.link(&from, plan.id.clone(), Some(urls::plan(&plan.id))),
            plan_title: &plan.title,
            id: &r.id,
            title: &r.title,
            shape: r.shape,
            pattern: &r.pattern,
            defined_at: self.location_link(&from, &r.location.path, r.location.line),
            defined_at_forge: self.forge_link(&r.location.path, Some((r.location.line, r.location.line))),
            definition,
            row: self.requirement_row(&from, k),
            covered: !code.is_empty(),
            code_traces: code.len(),
            implementation_traces: views(&implementation),
            test_traces: views(&tests),
            document_traces: docs.iter().map(|&t| self.trace_view(&from, t, None)).collect(),
            max_excerpts: MAX_EXCERPTS,
            same_id_elsewhere,
            same_id_total,
            same_id_search,
            suspects: self.suspect_views(&from, k),
            mentions,
            tests: self.project.verification.is_some().then(|| self.test_rows(&from, &code)),
        }
    }

    /// Requirement `k`'s page.
    pub(super) fn requirement(&self, k: ReqKey) -> Result<Page> {
        let r = &self.project.plans[k.plan].requirements[k.req];
        let d = Deferrals::default();
        let view = self.requirement_view(k, &d);
        let title = if r.title.is_empty() { r.id.clone() } else { format!("{} — {}", r.id, r.title) };
        self.render_view(self.requirement_path(k), "requirement.html", &title, &view, d)
    }
}

/// A requirement's page.
#[derive(Serialize)]
pub(super) struct RequirementView<'a> {
    pub(super) plan: LinkView,
    pub(super) plan_title: &'a str,
    pub(super) id: &'a str,
    pub(super) title: &'a str,
    /// How the definition is written (heading, list item, table row, …).
    pub(super) shape: crate::plan::DefinitionShape,
    /// The pattern the definition matched, when one was configured.
    pub(super) pattern: &'a Option<String>,
    pub(super) defined_at: LinkView,
    pub(super) defined_at_forge: Option<ForgeLink>,
    /// The definition's text, rendered (deferred), or empty.
    pub(super) definition: String,
    /// The requirement's counts, as in the plan's table.
    pub(super) row: RequirementRow,
    /// Whether a trace in code cites it.
    pub(super) covered: bool,
    pub(super) code_traces: usize,
    /// Traces in code that are not tests, then the tests, then plan documents' traces.
    pub(super) implementation_traces: Vec<TraceView>,
    pub(super) test_traces: Vec<TraceView>,
    pub(super) document_traces: Vec<TraceView>,
    pub(super) max_excerpts: usize,
    /// The requirements of other plans with the same ID: those of the nearest plans,
    /// at most [`MAX_SAME_ID`].
    pub(super) same_id_elsewhere: Vec<LinkView>,
    /// How many other plans define the ID (all of them, shown or not).
    pub(super) same_id_total: usize,
    /// The search for the ID (relative URL), when not all of them are shown.
    pub(super) same_id_search: Option<String>,
    pub(super) suspects: Vec<super::suspects::SuspectView>,
    pub(super) mentions: Vec<MentionView>,
    /// The test cases of its traces; `None` when no test report is read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) tests: Option<Vec<TestRow>>,
}

/// A mention of a requirement on its page.
#[derive(Serialize)]
pub(super) struct MentionView {
    pub(super) at: LinkView,
    pub(super) forge: Option<ForgeLink>,
    /// `comment` or `string literal`.
    pub(super) kind: &'static str,
    /// The line's text.
    pub(super) text: String,
    /// Several plans define the ID: the mention may mean another plan's requirement.
    pub(super) ambiguous: bool,
}

#[derive(Serialize)]
pub(super) struct RequirementRow {
    pub(super) link: LinkView,
    pub(super) title: String,
    pub(super) code_traces: usize,
    pub(super) document_traces: usize,
    /// `verified`, `failing` or `unverified`; `None` when no test report is read.
    pub(super) verification: Option<&'static str>,
    pub(super) phases: Vec<LinkView>,
}

/// One test of a requirement page: a test case matched to a trace, or a test trace
/// with no case in the reports (`not-run`).
#[derive(Serialize)]
pub(super) struct TestRow {
    /// `passed`, `failed`, `skipped` or `not-run`.
    pub(super) outcome: &'static str,
    /// The case (`classname › name`) or, not run, the test's title.
    pub(super) name: String,
    /// The first line of the failure or skip message.
    pub(super) message: Option<String>,
    /// `report.xml:line` of the case (empty when not run).
    pub(super) report: String,
    /// The trace the case matched.
    pub(super) trace: LinkView,
}

#[cfg(test)]
mod tests {
    use super::super::testing::{FILES, html, with_site};
    use crate::model::ReqKey;

    #[test]
    fn requirement_view_splits_its_traces_into_implementation_tests_and_documents() {
        with_site(FILES, |site| {
            let d = Default::default();
            let view = site.requirement_view(ReqKey { plan: 0, req: 0 }, &d);
            assert_eq!((view.id, view.title), ("REQ-001", "Lamps turn on"));
            assert!(view.covered);
            assert_eq!(view.code_traces, 2);
            let at = |ts: &[super::TraceView]| ts.iter().map(|t| t.location.text.clone()).collect::<Vec<_>>();
            assert_eq!(at(&view.implementation_traces), ["src/lamp.ts:2"]);
            assert_eq!(at(&view.test_traces), ["src/__tests__/lamp.test.ts:2"]);
            assert!(view.document_traces.is_empty());
            assert!(view.implementation_traces[0].excerpt.is_some(), "the first traces carry an excerpt");
            assert!(view.tests.is_none(), "no test report was read");
            assert_eq!(view.plan.url.as_deref(), Some("../index.html"));
            assert_eq!(view.row.phases.iter().map(|l| l.text.as_str()).collect::<Vec<_>>(), ["P01"]);

            let view = site.requirement_view(ReqKey { plan: 0, req: 1 }, &d);
            assert!(!view.covered, "a plan document's trace covers nothing");
            assert_eq!(at(&view.document_traces), ["project-plans/demo/plan/02-dimming.md:10"]);

            let page = html(site.requirement(ReqKey { plan: 0, req: 0 }));
            assert!(page.contains("export function on"), "the excerpt is filled in");
        });
    }
}
