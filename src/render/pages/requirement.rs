//! A requirement's page: its definition, its traces (implementation, tests, plan
//! documents) with excerpts, its tests, mentions, suspect traces and the same ID in other plans.

use super::*;

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

    pub(super) fn requirement(&self, k: ReqKey) -> Result<Page> {
        let plan = &self.project.plans[k.plan];
        let r = &plan.requirements[k.req];
        let from = self.requirement_path(k);
        let linker = PageLinker { site: self, from: &from, plan: Some(k.plan) };
        let d = Deferrals::default();
        let definition = self.definition(&d, &r.text, &r.location.path, &from, &linker);
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
                .map(|(i, &t)| self.trace_view(&from, t, (i < MAX_EXCERPTS).then_some(&d)))
                .collect()
        };
        let implementation_views = views(&implementation);
        let test_views = views(&tests);
        let doc_views: Vec<TraceView> = docs.iter().map(|&t| self.trace_view(&from, t, None)).collect();
        let others: Vec<LinkView> = self
            .project
            .requirement_index
            .get(&r.id)
            .map(|v| {
                v.iter()
                    .filter(|o| **o != k)
                    .map(|&o| {
                        let op = &self.project.plans[o.plan];
                        self.link(&from, format!("{} in {}", r.id, op.id), Some(self.requirement_path(o)))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut ctx = PageCtx::default();
        ctx.insert("plan", self.link(&from, plan.id.clone(), Some(urls::plan(&plan.id))));
        ctx.insert("plan_title", &plan.title);
        ctx.insert("id", &r.id);
        ctx.insert("title", &r.title);
        ctx.insert("shape", r.shape);
        ctx.insert("pattern", &r.pattern);
        ctx.insert("defined_at", self.location_link(&from, &r.location.path, r.location.line));
        ctx.insert(
            "defined_at_forge",
            self.forge_link(&r.location.path, Some((r.location.line, r.location.line))),
        );
        ctx.insert("definition", &definition);
        ctx.insert("row", self.requirement_row(&from, k));
        ctx.insert("covered", !code.is_empty());
        ctx.insert("code_traces", code.len());
        ctx.insert("implementation_traces", &implementation_views);
        ctx.insert("test_traces", &test_views);
        ctx.insert("document_traces", &doc_views);
        ctx.insert("max_excerpts", MAX_EXCERPTS);
        ctx.insert("same_id_elsewhere", &others);
        ctx.insert("suspects", self.suspect_views(&from, k));
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
        ctx.insert("mentions", mentions);
        if self.project.verification.is_some() {
            ctx.insert("tests", self.test_rows(&from, &code));
        }
        let title = if r.title.is_empty() { r.id.clone() } else { format!("{} — {}", r.id, r.title) };
        self.page_deferred(from, "requirement.html", &title, ctx, d)
    }
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
