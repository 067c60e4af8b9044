//! The cross-reference: plans, requirements, phases, documents, source files and
//! traces, linked in every direction. [`Project::build`] is the only place where
//! references are resolved; everything after it (render, write) reads the result.
//!
//! Identity: a requirement is identified by (plan, requirement ID), because IDs such as
//! `REQ-001` are defined by many plans with unrelated meanings. A trace's requirement
//! is resolved through the plans named in the same trace, else through the nearest
//! `@plan` of an enclosing trace in the same file (a class-level JSDoc above a method's
//! `@requirement`), else through the one plan defining that ID; when several plans
//! define it and none is named, the reference is ambiguous.

pub mod related;
pub mod status;
#[cfg(test)]
pub(crate) mod testing;

use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::grammar::canonical_phase;
use crate::grammar::ids::change_request_base;
use crate::plan::{Document, DocumentRole, Link, LinkKind, Plan, PlanFolder};
use crate::source::{Language, Marker, Placement, PlanRef, Tag, Trace, Value, ValueLines};
use petgraph::algo::tarjan_scc;
use petgraph::graphmap::DiGraphMap;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// A source file that carries at least one marker.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to the project root.
    pub path: String,
    /// Its comment-syntax family.
    pub language: Language,
    /// Its decoded text, compressed until a page needs it (`text.unpack()`).
    pub text: crate::text::Packed,
    /// Every marker occurrence in it, in file order.
    pub markers: Vec<Marker>,
    /// Its traces (scanner output), in file order. [`Project::build`] moves them into
    /// [`Project::traces`] (this file's are `Project::file_traces[i]`) and leaves this
    /// empty.
    pub traces: Vec<Trace>,
}

/// A (plan index, requirement index) pair into [`Project::plans`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ReqKey {
    /// Index into `Project::plans`.
    pub plan: usize,
    /// Index into that plan's `requirements`.
    pub req: usize,
}

/// A (plan index, item index) pair into [`Project::plans`] and that plan's `items`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ItemKey {
    /// Index into `Project::plans`.
    pub plan: usize,
    /// Index into that plan's `items`.
    pub item: usize,
}

/// Anything a link can join: a requirement, a phase or an item of a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Node {
    /// A requirement.
    Requirement {
        /// The requirement.
        key: ReqKey,
    },
    /// A phase: plan index and phase index.
    Phase {
        /// Index into `Project::plans`.
        plan: usize,
        /// Index into that plan's `phases`.
        phase: usize,
    },
    /// An item (task, risk, gate, …).
    Item {
        /// The item.
        key: ItemKey,
    },
}

/// What an item reference of a trace (`@task:T-001`) resolved to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemTarget {
    /// The kind (`task`).
    pub kind: String,
    /// The ID as written.
    pub id: String,
    /// The item, when exactly one plan in context (or in the project) defines it.
    pub item: Option<ItemKey>,
}

/// What a plan reference of a trace resolved to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanTarget {
    /// The plan ID as written.
    pub plan_id: String,
    /// The phase as written.
    pub phase_id: Option<String>,
    /// Index into `Project::plans`, when the plan is declared.
    pub plan: Option<usize>,
    /// Index into that plan's `phases`, when the phase is known.
    pub phase: Option<usize>,
}

/// What a requirement reference of a trace resolved to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum Resolution {
    /// Found in this plan.
    Resolved {
        /// The requirement.
        key: ReqKey,
    },
    /// Defined by several plans, none named.
    Ambiguous {
        /// The candidate plans (indices).
        plans: Vec<usize>,
    },
    /// Defined nowhere.
    Dangling,
}

/// A requirement reference of a trace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequirementTarget {
    /// The ID as written.
    pub id: String,
    /// What it resolved to.
    pub resolution: Resolution,
}

/// A trace with its references resolved.
#[derive(Debug, Clone)]
pub struct TraceRecord {
    /// Index into `Project::files`.
    pub file: usize,
    /// The trace as scanned.
    pub trace: Trace,
    /// Its plan references, resolved.
    pub plans: Vec<PlanTarget>,
    /// Its requirement references, resolved.
    pub requirements: Vec<RequirementTarget>,
    /// Its item references (`@task`, `@risk`, configured tags), resolved.
    pub items: Vec<ItemTarget>,
}

impl TraceRecord {
    /// True for traces in code (comments and test titles), false for HTML comments in
    /// markdown documents. Only code traces cover a requirement.
    pub fn in_code(&self) -> bool {
        self.trace.placement != Placement::MarkdownComment
    }
}

/// Counts of the whole project, as in `trace.json`'s `summary`.
#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub struct Summary {
    /// Plans declared.
    pub plans: usize,
    /// Plan folders and one-file plans read.
    pub plan_folders: usize,
    /// Markdown documents in plan folders.
    pub documents: usize,
    /// Phases of all plans.
    pub phases: usize,
    /// Phases whose status is done.
    pub phases_done: usize,
    /// Requirements of all plans.
    pub requirements: usize,
    /// Requirements with at least one trace in code.
    pub covered_requirements: usize,
    /// Traces (code and document).
    pub traces: usize,
    /// Traces in code (comments and test titles).
    pub code_traces: usize,
    /// `@plan` and `@requirement` occurrences in every scanned file.
    pub markers: usize,
    /// Occurrences by placement (`comment`, `test-title`, `string-literal`, …).
    pub markers_by_placement: BTreeMap<Placement, usize>,
    /// Occurrences by tag (`plan`, `requirement`).
    pub markers_by_tag: BTreeMap<Tag, usize>,
    /// Items by kind (`task` → 25); requirements and phases are counted above.
    pub items: BTreeMap<String, usize>,
    /// Files with at least one marker occurrence.
    pub marked_files: usize,
    /// Files scanned for markers.
    pub scanned_files: usize,
    /// Findings.
    pub diagnostics: usize,
    /// Mentions of requirement IDs without a tag (not traces, not coverage).
    pub mentions: usize,
    /// Verification results (`test_results`): absent when no report is configured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verification: Option<crate::results::Counts>,
}

/// The whole cross-reference of a project.
#[derive(Debug, Default)]
pub struct Project {
    /// Site title.
    pub title: String,
    /// Plan folders' paths, with the indices of the plans each declares.
    pub folders: Vec<(String, Vec<usize>)>,
    /// Plans, sorted by ID.
    pub plans: Vec<Plan>,
    /// Every markdown document of every plan folder, sorted by path.
    pub documents: Vec<Document>,
    /// The text of each document, by path.
    pub document_text: HashMap<String, String>,
    /// Files with markers, sorted by path.
    pub files: Vec<SourceFile>,
    /// Every file scanned for markers, by path from the project root, sorted.
    pub scanned: Vec<String>,
    /// Every trace, sorted by (file path, line).
    pub traces: Vec<TraceRecord>,
    /// For each file (same index as `files`), the range of its traces in `traces`.
    pub file_traces: Vec<std::ops::Range<usize>>,
    /// Backlinks: requirement → traces (indices into `traces`), in trace order.
    pub requirement_traces: HashMap<ReqKey, Vec<usize>>,
    /// Coverage, computed once: for each plan (same index as `plans`) and each of its
    /// requirements (same index as its `requirements`), whether a trace in code cites
    /// it. Read through [`Project::is_covered`].
    pub covered: Vec<Vec<bool>>,
    /// Backlinks: (plan, phase) → traces.
    pub phase_traces: HashMap<(usize, usize), Vec<usize>>,
    /// Backlinks: plan → traces naming it.
    pub plan_traces: Vec<Vec<usize>>,
    /// Requirement → phases that claim it (plan tables and phase files) or whose traces
    /// cite it, sorted.
    pub requirement_phases: HashMap<ReqKey, Vec<usize>>,
    /// Every finding, sorted by (path, line, code).
    pub diagnostics: Vec<Diagnostic>,
    /// Plan ID → index, exact.
    pub plan_index: HashMap<String, usize>,
    /// Document path → index into `documents`.
    pub document_index: HashMap<String, usize>,
    /// File path → index into `files`.
    pub file_index: HashMap<String, usize>,
    /// Requirement ID → every (plan, requirement) defining it.
    pub requirement_index: HashMap<String, Vec<ReqKey>>,
    /// (kind, ID) → every (plan, item) defining it.
    pub item_index: HashMap<(String, String), Vec<ItemKey>>,
    /// Backlinks: item → traces naming it.
    pub item_traces: HashMap<ItemKey, Vec<usize>>,
    /// The resolved target of each link of each item (same order as `Item::links`;
    /// `None` for a dangling link).
    pub item_link_targets: HashMap<ItemKey, Vec<Option<Node>>>,
    /// The resolved target of each link of each phase (same order as `Phase::links`).
    pub phase_link_targets: HashMap<(usize, usize), Vec<Option<Node>>>,
    /// Incoming links: target → (link kind, source), sorted.
    pub incoming: HashMap<Node, Vec<(LinkKind, Node)>>,
    /// Mentions of defined requirement IDs, sorted by (path, line); not traces.
    pub mentions: Vec<MentionRecord>,
    /// Backlinks: requirement → mentions (indices into `mentions`).
    pub requirement_mentions: HashMap<ReqKey, Vec<usize>>,
    /// The repository's process guides, sorted by path.
    pub guides: Vec<Guide>,
    /// Counts.
    pub summary: Summary,
    /// Test outcomes matched to traces, when `test_results` names reports
    /// ([`crate::results::apply`]).
    pub verification: Option<crate::results::Verification>,
    /// Suspect traces ([`crate::suspect`]); `None` until the analysis ran.
    pub suspects: Option<crate::suspect::Facts>,
}

/// Inputs of [`Project::build`], gathered by the site's load stage.
#[derive(Debug, Default)]
pub struct Inputs {
    /// Site title.
    pub title: String,
    /// Parsed plan folders.
    pub folders: Vec<PlanFolder>,
    /// The text of each plan document, by path.
    pub document_text: HashMap<String, String>,
    /// Files carrying markers.
    pub files: Vec<SourceFile>,
    /// Files scanned for markers (all readable text files): paths from the project
    /// root, `/`-separated, sorted.
    pub scanned: Vec<String>,
    /// Findings of earlier stages (encoding, unreadable files, plan parsing).
    pub diagnostics: Vec<Diagnostic>,
    /// Mentions of requirement IDs in source files, by file path
    /// ([`crate::source::mention`]).
    pub mentions: Vec<(String, Vec<crate::source::mention::Mention>)>,
    /// The repository's process guides, sorted by path.
    pub guides: Vec<Guide>,
}

/// A process guide of the repository (`dev-docs/PLAN.md`), shown as a page.
#[derive(Debug, Clone, Serialize)]
pub struct Guide {
    /// Path relative to the project root.
    pub path: String,
    /// The first heading's text, else the file name.
    pub title: String,
    /// Its markdown.
    pub text: String,
}

/// A mention of a requirement ID in a source file, with the requirements it may mean.
#[derive(Debug, Clone, Serialize)]
pub struct MentionRecord {
    /// Path relative to the project root.
    pub path: String,
    /// The mention as found.
    pub mention: crate::source::mention::Mention,
    /// Every requirement with that ID (several: the mention is ambiguous).
    pub requirements: Vec<ReqKey>,
}

impl Project {
    /// Cross-references plans and traces: resolves every reference, fills every
    /// backlink, finds dangling, ambiguous and unresolved references and uncovered
    /// requirements, and counts. Deterministic: inputs are sorted first.
    pub fn build(inputs: Inputs) -> Project {
        let Inputs {
            title,
            mut folders,
            document_text,
            mut files,
            scanned,
            mut diagnostics,
            mentions: found,
            guides,
        } = inputs;
        folders.sort_by(|a, b| a.path.cmp(&b.path));
        files.sort_by(|a, b| a.path.cmp(&b.path));

        // Requirement IDs cited anywhere: weak definitions survive only if cited.
        let mut cited: std::collections::HashSet<&str> = std::collections::HashSet::new();
        for f in &files {
            for t in &f.traces {
                cited.extend(t.requirements.iter().map(String::as_str));
            }
        }

        let mut plans = Vec::new();
        let mut documents = Vec::new();
        let mut folder_plans: Vec<(String, Vec<String>)> = Vec::new();
        for folder in folders {
            let ids = folder.plans.iter().map(|p| p.id.clone()).collect();
            folder_plans.push((folder.path.clone(), ids));
            if folder.plans.is_empty() {
                diagnostics.push(
                    Diagnostic::warning(
                        Code::UndeclaredPlan,
                        &folder.path,
                        0,
                        "plan folder declares no plan ID",
                    )
                    .with_severity(Severity::Note)
                    .with_help("add a `Plan ID: PLAN-YYYYMMDD-NAME` line to its main document"),
                );
            }
            for mut plan in folder.plans {
                plan.requirements.retain(|r| r.strong || cited.contains(r.id.as_str()));
                plans.push(plan);
            }
            documents.extend(folder.documents);
        }
        plans.sort_by(|a, b| a.id.cmp(&b.id));
        plans.dedup_by(|b, a| {
            if a.id == b.id {
                diagnostics.push(Diagnostic::warning(
                    Code::DuplicateDefinition,
                    &b.declared.path,
                    b.declared.line,
                    format!("plan `{}` is also declared at {}:{}", b.id, a.declared.path, a.declared.line),
                ));
                true
            } else {
                false
            }
        });
        documents.sort_by(|a, b| a.path.cmp(&b.path));
        documents.dedup_by(|b, a| a.path == b.path);

        let plan_index: HashMap<String, usize> =
            plans.iter().enumerate().map(|(i, p)| (p.id.clone(), i)).collect();
        let plan_index_ci: HashMap<String, usize> =
            plans.iter().enumerate().map(|(i, p)| (p.id.to_ascii_uppercase(), i)).collect();
        let folders: Vec<(String, Vec<usize>)> = folder_plans
            .into_iter()
            .map(|(path, ids)| {
                let mut idx: Vec<usize> = ids.iter().filter_map(|id| plan_index.get(id).copied()).collect();
                idx.dedup();
                (path, idx)
            })
            .collect();
        let mut requirement_index: HashMap<String, Vec<ReqKey>> = HashMap::new();
        for (pi, p) in plans.iter().enumerate() {
            for (ri, r) in p.requirements.iter().enumerate() {
                requirement_index.entry(r.id.clone()).or_default().push(ReqKey { plan: pi, req: ri });
            }
        }
        let mut item_index: HashMap<(String, String), Vec<ItemKey>> = HashMap::new();
        for (pi, p) in plans.iter().enumerate() {
            for (ii, it) in p.items.iter().enumerate() {
                item_index
                    .entry((it.kind.clone(), it.id.clone()))
                    .or_default()
                    .push(ItemKey { plan: pi, item: ii });
            }
        }
        let phase_index: Vec<HashMap<String, usize>> = plans
            .iter()
            .map(|p| p.phases.iter().enumerate().map(|(i, ph)| (canonical_phase(&ph.id), i)).collect())
            .collect();
        let find_plan = |id: &str| -> Option<usize> {
            plan_index.get(id).or_else(|| plan_index_ci.get(&id.to_ascii_uppercase())).copied()
        };
        let folder_names = FolderNames::new(&folders, &plans);

        // Resolve every trace.
        let mut traces = Vec::new();
        let mut file_traces = Vec::with_capacity(files.len());
        for (fi, file) in files.iter_mut().enumerate() {
            let start = traces.len();
            let file_text = file.text.unpack();
            // The scanner's traces move into their records (below), never copied: each
            // is held once for the whole build.
            let scanned = std::mem::take(&mut file.traces);
            let mut resolved = Vec::with_capacity(scanned.len());
            for (ti, t) in scanned.iter().enumerate() {
                // `@plan issue-3019-fix` names a plan by its folder: that plan.
                let named = folder_names.resolve(t);
                let t = named.as_ref().unwrap_or(t);
                // The text of the marker line in this trace that carries a value `is`
                // accepts (the finding's fingerprint), else of the trace's first line.
                let marker_text = |is: &dyn Fn(&Value) -> bool| -> &str {
                    let line = file
                        .markers
                        .iter()
                        .find(|m| (t.line..=t.end_line).contains(&m.line) && m.values.iter().any(is))
                        .map_or(t.line, |m| m.line);
                    line_text(&file_text, line)
                };
                let plans_t: Vec<PlanTarget> = t
                    .plans
                    .iter()
                    .map(|r| {
                        let plan = find_plan(&r.plan);
                        let phase = match (plan, &r.phase) {
                            (Some(p), Some(ph)) => phase_index[p]
                                .get(&canonical_phase(ph))
                                .or_else(|| {
                                    // A change request not declared as a phase is part of its phase.
                                    change_request_base(ph)
                                        .and_then(|b| phase_index[p].get(&canonical_phase(b)))
                                })
                                .copied(),
                            _ => None,
                        };
                        PlanTarget { plan_id: r.plan.clone(), phase_id: r.phase.clone(), plan, phase }
                    })
                    .collect();
                for (pi, pt) in plans_t.iter().enumerate() {
                    let line = ValueLines::at(&t.lines.plans, pi, t.line);
                    match (pt.plan, &pt.phase_id, pt.phase) {
                        (None, _, _) => diagnostics.push(
                            Diagnostic::new(
                                Code::DanglingReference,
                                &file.path,
                                line,
                                format!("plan `{}` is declared nowhere", pt.plan_id),
                            )
                            .with_help("declare it in a plan folder (`Plan ID: …`) or correct the marker")
                            .with_text(marker_text(&|v| matches!(v, Value::Plan(r) if r.plan == pt.plan_id))),
                        ),
                        (Some(p), Some(ph), None) => diagnostics.push(
                            Diagnostic::new(
                                Code::DanglingReference,
                                &file.path,
                                line,
                                format!("phase `{ph}` is not a phase of plan `{}`", plans[p].id),
                            )
                            .with_help(phase_help(&plans[p]))
                            .with_text(marker_text(&|v| {
                                matches!(v, Value::Plan(r) if r.plan == pt.plan_id && r.phase.as_ref() == Some(ph))
                            })),
                        ),
                        _ => {}
                    }
                }
                // The plans that give requirements their context.
                let mut context: Vec<usize> = plans_t.iter().filter_map(|p| p.plan).collect();
                if plans_t.is_empty() {
                    context = enclosing_plans(&scanned, ti, &|id| find_plan(id));
                }
                context.sort_unstable();
                context.dedup();
                let requirements = t
                    .requirements
                    .iter()
                    .enumerate()
                    .map(|(ri, id)| {
                        let line = ValueLines::at(&t.lines.requirements, ri, t.line);
                        let resolution = resolve_requirement(id, &context, &plans, &requirement_index);
                        let text = || marker_text(&|v| matches!(v, Value::Requirement { id: r } if r == id));
                        match &resolution {
                            Resolution::Dangling => {
                                let named = context.iter().map(|&p| format!("`{}`", plans[p].id)).collect::<Vec<_>>();
                                let msg = if named.is_empty() {
                                    format!("requirement `{id}` is defined by no plan")
                                } else {
                                    format!("requirement `{id}` is defined neither by {} nor by any other plan", named.join(", "))
                                };
                                diagnostics.push(
                                    Diagnostic::new(Code::DanglingReference, &file.path, line, msg)
                                        .with_help("define it in the plan's specification or correct the marker")
                                        .with_text(text()),
                                );
                            }
                            Resolution::Ambiguous { plans: cands } => {
                                let names: Vec<String> =
                                    cands.iter().take(5).map(|&p| format!("`{}`", plans[p].id)).collect();
                                let more = if cands.len() > 5 { format!(" and {} more", cands.len() - 5) } else { String::new() };
                                diagnostics.push(
                                    Diagnostic::warning(
                                        Code::AmbiguousReference,
                                        &file.path,
                                        line,
                                        format!(
                                            "requirement `{id}` is defined by {} plans ({}{more}) and no `@plan` names one",
                                            cands.len(),
                                            names.join(", ")
                                        ),
                                    )
                                    .with_help("add `@plan:PLAN-…` to the same comment block")
                                    .with_text(text()),
                                );
                            }
                            Resolution::Resolved { .. } => {}
                        }
                        RequirementTarget { id: id.clone(), resolution }
                    })
                    .collect();
                let items = t
                    .items
                    .iter()
                    .enumerate()
                    .map(|(ii, r)| {
                        let line = ValueLines::at(&t.lines.items, ii, t.line);
                        let key = (r.kind.clone(), r.id.clone());
                        let cands = item_index.get(&key).map(Vec::as_slice).unwrap_or(&[]);
                        let in_context: Vec<ItemKey> =
                            cands.iter().filter(|k| context.contains(&k.plan)).copied().collect();
                        let item = match (in_context.as_slice(), cands) {
                            ([one], _) => Some(*one),
                            ([], [one]) => Some(*one),
                            _ => None,
                        };
                        if item.is_none() {
                            let (code, msg, help) = if cands.len() > 1 {
                                (
                                    Code::AmbiguousReference,
                                    format!("{} `{}` is defined by {} plans and no `@plan` names one", r.kind, r.id, cands.len()),
                                    "add `@plan:PLAN-…` to the same comment block",
                                )
                            } else {
                                (
                                    Code::DanglingReference,
                                    format!("{} `{}` is defined by no plan", r.kind, r.id),
                                    "define it in a plan document (a table row or heading with its ID) or correct the marker",
                                )
                            };
                            diagnostics.push(
                                Diagnostic::new(code, &file.path, line, msg)
                                    .with_help(help)
                                    .with_text(marker_text(&|v| matches!(v, Value::Item(i) if *i == *r))),
                            );
                        }
                        ItemTarget { kind: r.kind.clone(), id: r.id.clone(), item }
                    })
                    .collect();
                for (ui, (tag, value)) in t.unresolved.iter().enumerate() {
                    let line = ValueLines::at(&t.lines.unresolved, ui, t.line);
                    let text = marker_text(&|v| matches!(v, Value::Unresolved { text } if text == value));
                    let tag = match tag {
                        Tag::Plan => "@plan",
                        Tag::Requirement => "@requirement",
                        Tag::Item => "item tag",
                    };
                    diagnostics.push(
                        Diagnostic::warning(
                            Code::UnresolvedMarker,
                            &file.path,
                            line,
                            format!("`{tag}` value `{value}` is not an ID"),
                        )
                        .with_help(
                            "use a plan ID (`PLAN-YYYYMMDD-NAME.P05`) or a requirement ID (`REQ-X-001`)",
                        )
                        .with_text(text),
                    );
                }
                resolved.push((named, plans_t, requirements, items));
            }
            for (t, (named, plans, requirements, items)) in scanned.into_iter().zip(resolved) {
                traces.push(TraceRecord { file: fi, trace: named.unwrap_or(t), plans, requirements, items });
            }
            file_traces.push(start..traces.len());
        }

        // Backlinks.
        let mut requirement_traces: HashMap<ReqKey, Vec<usize>> = HashMap::new();
        let mut phase_traces: HashMap<(usize, usize), Vec<usize>> = HashMap::new();
        let mut plan_traces: Vec<Vec<usize>> = vec![Vec::new(); plans.len()];
        let mut requirement_phases: HashMap<ReqKey, Vec<usize>> = HashMap::new();
        for (i, tr) in traces.iter().enumerate() {
            for pt in &tr.plans {
                if let Some(p) = pt.plan {
                    if plan_traces[p].last() != Some(&i) {
                        plan_traces[p].push(i);
                    }
                    if let Some(ph) = pt.phase {
                        let v = phase_traces.entry((p, ph)).or_default();
                        if v.last() != Some(&i) {
                            v.push(i);
                        }
                    }
                }
            }
            for rt in &tr.requirements {
                if let Resolution::Resolved { key } = rt.resolution {
                    let v = requirement_traces.entry(key).or_default();
                    if v.last() != Some(&i) {
                        v.push(i);
                    }
                    for pt in &tr.plans {
                        if pt.plan == Some(key.plan)
                            && let Some(ph) = pt.phase
                        {
                            requirement_phases.entry(key).or_default().push(ph);
                        }
                    }
                }
            }
        }
        for (pi, plan) in plans.iter().enumerate() {
            let by_id: HashMap<&str, usize> =
                plan.requirements.iter().enumerate().map(|(i, r)| (r.id.as_str(), i)).collect();
            for (phi, phase) in plan.phases.iter().enumerate() {
                for claim in &phase.claims {
                    if let Some(&ri) = by_id.get(claim.requirement.as_str()) {
                        requirement_phases.entry(ReqKey { plan: pi, req: ri }).or_default().push(phi);
                    }
                }
            }
        }
        for v in requirement_phases.values_mut() {
            v.sort_unstable();
            v.dedup();
        }

        let mut item_traces: HashMap<ItemKey, Vec<usize>> = HashMap::new();
        for (i, tr) in traces.iter().enumerate() {
            for it in &tr.items {
                if let Some(k) = it.item {
                    let v = item_traces.entry(k).or_default();
                    if v.last() != Some(&i) {
                        v.push(i);
                    }
                }
            }
        }

        phase_findings(&plans, &traces, &files, &mut diagnostics);
        let links = resolve_links(&plans, &phase_index, &mut diagnostics);
        item_findings(&plans, &links, &mut diagnostics);

        // Code traces that name a requirement without settling its plan: (plan, ID) →
        // (how many, the first one), for the uncovered findings' messages.
        let mut ambiguous_in_code: HashMap<(usize, &str), (usize, usize)> = HashMap::new();
        for (i, tr) in traces.iter().enumerate().filter(|(_, t)| t.in_code()) {
            for r in &tr.requirements {
                if let Resolution::Ambiguous { plans: cands } = &r.resolution {
                    for &p in cands {
                        ambiguous_in_code.entry((p, r.id.as_str())).or_insert((0, i)).0 += 1;
                    }
                }
            }
        }

        // Coverage.
        let mut covered = 0;
        let mut requirements = 0;
        let mut coverage: Vec<Vec<bool>> = Vec::with_capacity(plans.len());
        for (pi, plan) in plans.iter().enumerate() {
            let mut of_plan = Vec::with_capacity(plan.requirements.len());
            for (ri, r) in plan.requirements.iter().enumerate() {
                requirements += 1;
                let key = ReqKey { plan: pi, req: ri };
                let in_code =
                    requirement_traces.get(&key).is_some_and(|v| v.iter().any(|&t| traces[t].in_code()));
                of_plan.push(in_code);
                if in_code {
                    covered += 1;
                } else {
                    // The parent of a part (`REQ-001` of `REQ-001.5`), when this plan
                    // defines it and code traces cite it.
                    let parent = r.id.rsplit_once('.').and_then(|(parent, _)| {
                        let pr = plan.requirements.iter().position(|q| q.id == parent)?;
                        let n = requirement_traces
                            .get(&ReqKey { plan: pi, req: pr })
                            .map_or(0, |v| v.iter().filter(|&&t| traces[t].in_code()).count());
                        (n > 0).then_some((parent, n))
                    });
                    let (message, help) = match (ambiguous_in_code.get(&(pi, r.id.as_str())), parent) {
                        (Some(&(n, first)), _) => {
                            let t = &traces[first];
                            (
                                format!(
                                    "requirement `{}` of `{}` has no resolved trace in code: {n} trace{} name{} it without settling the plan (first at {}:{})",
                                    r.id,
                                    plan.id,
                                    if n == 1 { "" } else { "s" },
                                    if n == 1 { "s" } else { "" },
                                    files[t.file].path,
                                    t.trace.line
                                ),
                                format!("add `@plan:{}` to those markers' comment blocks", plan.id),
                            )
                        }
                        (None, Some((parent, n))) => (
                            format!(
                                "requirement `{}` of `{}` has no trace in code of its own; its parent `{parent}` has {n}",
                                r.id, plan.id
                            ),
                            format!("mark the code for this part with `@requirement:{}`", r.id),
                        ),
                        (None, None) => (
                            format!("requirement `{}` of `{}` has no trace in code", r.id, plan.id),
                            format!(
                                "mark the implementing code with `@plan:{}.PNN @requirement:{}`",
                                plan.id, r.id
                            ),
                        ),
                    };
                    diagnostics.push(
                        Diagnostic::warning(
                            Code::UncoveredRequirement,
                            &r.location.path,
                            r.location.line,
                            message,
                        )
                        .with_help(help),
                    );
                }
            }
            coverage.push(of_plan);
        }

        // Every other finding with a line carries that line's text (a source file's text
        // unpacked once for the findings in a row on it).
        let mut unpacked: Option<(usize, String)> = None;
        for d in diagnostics.iter_mut().filter(|d| d.text.is_none() && d.line > 0) {
            let text = match files.binary_search_by(|f| f.path.as_str().cmp(&d.path)) {
                Ok(i) => {
                    if unpacked.as_ref().is_none_or(|(at, _)| *at != i) {
                        unpacked = Some((i, files[i].text.unpack()));
                    }
                    unpacked.as_ref().map(|(_, t)| t.as_str())
                }
                Err(_) => document_text.get(&d.path).map(String::as_str),
            };
            if let Some(text) = text {
                let line = crate::diagnostic::normalize_text(line_text(text, d.line));
                d.text = (!line.is_empty()).then_some(line);
            }
        }
        diagnostics.sort();
        diagnostics.dedup();

        let mut summary = Summary {
            plans: plans.len(),
            plan_folders: folders.len(),
            documents: documents.len(),
            phases: plans.iter().map(|p| p.phases.len()).sum(),
            phases_done: plans
                .iter()
                .map(|p| {
                    (0..p.phases.len())
                        .filter(|&i| p.phase_status(i) == crate::plan::PhaseStatus::Done)
                        .count()
                })
                .sum(),
            requirements,
            covered_requirements: covered,
            traces: traces.len(),
            code_traces: traces.iter().filter(|t| t.in_code()).count(),
            marked_files: files.iter().filter(|f| !f.markers.is_empty()).count(),
            scanned_files: scanned.len(),
            diagnostics: diagnostics.len(),
            ..Summary::default()
        };
        for p in &plans {
            for it in &p.items {
                *summary.items.entry(it.kind.clone()).or_default() += 1;
            }
        }
        for f in &files {
            for m in &f.markers {
                summary.markers += 1;
                *summary.markers_by_placement.entry(m.placement).or_default() += 1;
                *summary.markers_by_tag.entry(m.tag).or_default() += 1;
            }
        }

        // Mentions of IDs that some plan defines (after weak definitions were dropped).
        let mut mentions: Vec<MentionRecord> = found
            .into_iter()
            .flat_map(|(path, ms)| ms.into_iter().map(move |m| (path.clone(), m)))
            .filter_map(|(path, mention)| {
                let requirements = requirement_index.get(&mention.id)?.clone();
                Some(MentionRecord { path, mention, requirements })
            })
            .collect();
        mentions.sort_by(|a, b| {
            (&a.path, a.mention.line, &a.mention.id).cmp(&(&b.path, b.mention.line, &b.mention.id))
        });
        let mut requirement_mentions: HashMap<ReqKey, Vec<usize>> = HashMap::new();
        for (i, m) in mentions.iter().enumerate() {
            for &k in &m.requirements {
                requirement_mentions.entry(k).or_default().push(i);
            }
        }
        summary.mentions = mentions.len();

        let document_index = documents.iter().enumerate().map(|(i, d)| (d.path.clone(), i)).collect();
        let file_index = files.iter().enumerate().map(|(i, f)| (f.path.clone(), i)).collect();
        Project {
            title,
            folders,
            plans,
            documents,
            document_text,
            files,
            scanned,
            traces,
            file_traces,
            requirement_traces,
            covered: coverage,
            phase_traces,
            plan_traces,
            requirement_phases,
            diagnostics,
            plan_index,
            document_index,
            file_index,
            requirement_index,
            item_index,
            item_traces,
            item_link_targets: links.items,
            phase_link_targets: links.phases,
            incoming: links.incoming,
            mentions,
            requirement_mentions,
            guides,
            summary,
            verification: None,
            suspects: None,
        }
    }

    /// Applies the `[severity]` overrides of the configuration: each finding whose code
    /// is listed gets that severity, or is removed when the code is `off` (`None`). The
    /// findings stay sorted and `summary.diagnostics` counts what is left. This is the
    /// one place severities are overridden, so the console, the site and `trace.json`
    /// agree.
    pub fn apply_severity(&mut self, overrides: &BTreeMap<Code, Option<Severity>>) {
        if overrides.is_empty() && self.diagnostics.iter().all(|d| d.code.on_by_default()) {
            return;
        }
        self.diagnostics = std::mem::take(&mut self.diagnostics)
            .into_iter()
            .filter_map(|d| match overrides.get(&d.code) {
                None if !d.code.on_by_default() => None,
                None => Some(d),
                Some(None) => None,
                Some(Some(severity)) => Some(d.with_severity(*severity)),
            })
            .collect();
        self.diagnostics.sort();
        self.diagnostics.dedup();
        self.summary.diagnostics = self.diagnostics.len();
    }

    /// The first plan document (in path order) under `folder`, when `folder` is a
    /// folder that holds one: where a finding about a folder is shown in SARIF.
    pub fn first_document_under(&self, folder: &str) -> Option<&str> {
        let prefix = format!("{}/", folder.trim_end_matches('/'));
        let start = self.documents.partition_point(|d| d.path.as_str() < prefix.as_str());
        self.documents.get(start).map(|d| d.path.as_str()).filter(|p| p.starts_with(&prefix))
    }

    /// Reports a project in which no plan root is configured and none was found: one
    /// [`Code::NoPlans`] finding, with `candidates` (folders that look like plans and
    /// their markdown document counts) in its hint, stands for the dangling-reference
    /// findings of the markers, which it counts, since none of them can resolve.
    ///
    /// The finding points at the first marker whose reference is withheld (so SARIF and
    /// GitHub annotations land on a real file and line), or at the project root (`.`)
    /// when no marker names a plan.
    pub fn report_no_plans(&mut self, candidates: &[(String, usize)]) {
        let before = self.diagnostics.len();
        let first = self
            .diagnostics
            .iter()
            .filter(|d| d.code == Code::DanglingReference)
            .min_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)))
            .map(|d| (d.path.clone(), d.line));
        self.diagnostics.retain(|d| d.code != Code::DanglingReference);
        let withheld = before - self.diagnostics.len();
        let (path, line) = first.unwrap_or_else(|| (".".into(), 0));
        let help = if candidates.is_empty() {
            "keep plans in `project-plans/`, or name the plan roots in tracemark.toml: `plans = [\"docs/plans\"]`"
                .to_string()
        } else {
            let list: Vec<String> =
                candidates.iter().map(|(f, n)| format!("`{f}` ({n} documents)")).collect();
            format!(
                "name the plan roots in tracemark.toml, e.g. `plans = [\"{}\"]`; folders that look like plans: {}",
                candidates[0].0,
                list.join(", ")
            )
        };
        self.diagnostics.push(
            Diagnostic::warning(
                Code::NoPlans,
                &path,
                line,
                format!(
                    "no plan folder found (looked for `project-plans/` up to three folders deep and `.spec-dev/active-dev/`); {withheld} dangling-reference findings of markers are withheld"
                ),
            )
            .with_help(help),
        );
        self.diagnostics.sort();
        self.summary.diagnostics = self.diagnostics.len();
    }

    /// Whether requirement `key` is covered: a trace in code cites it (see `covered`).
    pub fn is_covered(&self, key: ReqKey) -> bool {
        self.covered.get(key.plan).and_then(|p| p.get(key.req)).copied().unwrap_or(false)
    }

    /// Whether trace `t` is in test code: a marker in a test title, or any trace in a
    /// test file ([`crate::results::is_test_file`]).
    pub fn is_test_trace(&self, t: usize) -> bool {
        self.traces.get(t).is_some_and(|tr| {
            tr.trace.placement == Placement::TestTitle
                || self.files.get(tr.file).is_some_and(|f| crate::results::is_test_file(&f.path))
        })
    }

    /// The documents of a plan (indices into `documents`), in path order.
    pub fn plan_documents(&self, plan: usize) -> Vec<usize> {
        let id = &self.plans[plan].id;
        self.documents
            .iter()
            .enumerate()
            .filter(|(_, d)| d.plan.as_deref() == Some(id))
            .map(|(i, _)| i)
            .collect()
    }

    /// The document of a phase's completion record, if it is a document of the site.
    pub fn completion_document(&self, plan: usize, phase: usize) -> Option<usize> {
        let path = self.plans[plan].phases[phase].completion.as_ref()?;
        self.document_index.get(path).copied()
    }

    /// Whether a document is a completion record.
    pub fn is_completion_record(doc: &Document) -> bool {
        matches!(doc.role, DocumentRole::CompletionRecord(_))
    }
}

/// Findings about phase status: a phase the tracker marks done with no completion
/// record (only in plans that keep records), a record for a phase the tracker marks as
/// not started, and traces in code naming a phase that is not done (a note: code often
/// runs ahead of the records).
/// Every link of every item and phase, resolved within its plan.
struct Links {
    items: HashMap<ItemKey, Vec<Option<Node>>>,
    phases: HashMap<(usize, usize), Vec<Option<Node>>>,
    incoming: HashMap<Node, Vec<(LinkKind, Node)>>,
}

/// Resolves links by ID within their plan: an item of any kind, else a requirement,
/// else a phase. A link to nothing is a `dangling-reference` at the line that writes it.
fn resolve_links(
    plans: &[Plan],
    phase_index: &[HashMap<String, usize>],
    diagnostics: &mut Vec<Diagnostic>,
) -> Links {
    let mut out = Links { items: HashMap::new(), phases: HashMap::new(), incoming: HashMap::new() };
    for (pi, plan) in plans.iter().enumerate() {
        let items: HashMap<&str, usize> =
            plan.items.iter().enumerate().rev().map(|(i, it)| (it.id.as_str(), i)).collect();
        let reqs: HashMap<&str, usize> =
            plan.requirements.iter().enumerate().map(|(i, r)| (r.id.as_str(), i)).collect();
        let mut resolve = |source: Node, what: &str, link: &Link, out: &mut Links| -> Option<Node> {
            let target = items
                .get(link.target.as_str())
                .map(|&i| Node::Item { key: ItemKey { plan: pi, item: i } })
                .or_else(|| {
                    reqs.get(link.target.as_str())
                        .map(|&r| Node::Requirement { key: ReqKey { plan: pi, req: r } })
                })
                .or_else(|| {
                    phase_index[pi]
                        .get(&canonical_phase(&link.target))
                        .map(|&ph| Node::Phase { plan: pi, phase: ph })
                });
            match target {
                Some(t) => out.incoming.entry(t).or_default().push((link.kind, source)),
                None => diagnostics.push(
                    Diagnostic::new(
                        Code::DanglingReference,
                        &link.location.path,
                        link.location.line,
                        format!(
                            "{what} {} `{}`, which plan `{}` does not define",
                            link.kind.label(),
                            link.target,
                            plan.id
                        ),
                    )
                    .with_help("define the target in this plan or correct the ID"),
                ),
            }
            target
        };
        for (ii, it) in plan.items.iter().enumerate() {
            let key = ItemKey { plan: pi, item: ii };
            let what = format!("{} `{}`", it.kind, it.id);
            let targets = it.links.iter().map(|l| resolve(Node::Item { key }, &what, l, &mut out)).collect();
            out.items.insert(key, targets);
        }
        for (phi, ph) in plan.phases.iter().enumerate() {
            if ph.links.is_empty() {
                continue;
            }
            let what = format!("phase `{}`", ph.id);
            let source = Node::Phase { plan: pi, phase: phi };
            let targets = ph.links.iter().map(|l| resolve(source, &what, l, &mut out)).collect();
            out.phases.insert((pi, phi), targets);
        }
    }
    for v in out.incoming.values_mut() {
        v.sort();
        v.dedup();
    }
    out
}

/// Findings about items: prerequisite cycles among `depends-on` links (one finding per
/// cycle, at its first item), and gates whose result is FAIL.
fn item_findings(plans: &[Plan], links: &Links, diagnostics: &mut Vec<Diagnostic>) {
    // The depends-on graph over items.
    let mut graph: BTreeMap<ItemKey, Vec<ItemKey>> = BTreeMap::new();
    for (&key, targets) in &links.items {
        let item = &plans[key.plan].items[key.item];
        for (l, t) in item.links.iter().zip(targets) {
            if let (LinkKind::DependsOn, Some(Node::Item { key: to })) = (l.kind, t) {
                graph.entry(key).or_default().push(*to);
            }
        }
    }
    for cycle in cycles(&graph) {
        let first = cycle[0];
        let item = &plans[first.plan].items[first.item];
        let mut path: Vec<&str> = cycle.iter().map(|k| plans[k.plan].items[k.item].id.as_str()).collect();
        path.push(item.id.as_str());
        diagnostics.push(
            Diagnostic::new(
                Code::PrerequisiteCycle,
                &item.location.path,
                item.location.line,
                format!("prerequisite cycle in plan `{}`: {}", plans[first.plan].id, path.join(" → ")),
            )
            .with_help("remove one of these prerequisites so the tasks can be ordered"),
        );
    }
    for plan in plans {
        for it in plan.items.iter().filter(|i| i.kind == "gate" && i.attribute("result") == Some("FAIL")) {
            let reason = it.attribute("reason").map(|r| format!(": {r}")).unwrap_or_default();
            let title = if it.title.is_empty() { String::new() } else { format!(" ({})", it.title) };
            diagnostics.push(
                Diagnostic::new(
                    Code::FailedGate,
                    &it.location.path,
                    it.location.line,
                    format!("gate `{}`{title} of plan `{}` failed{reason}", it.id, plan.id),
                )
                .with_help("resolve what the gate names and mark it `Gate: PASS`"),
            );
        }
    }
}

/// The cycles of a directed graph: each strongly connected component with more than
/// one node, or a node with an edge to itself (petgraph's Tarjan), as a cycle path
/// through it starting at its smallest node.
fn cycles(graph: &BTreeMap<ItemKey, Vec<ItemKey>>) -> Vec<Vec<ItemKey>> {
    let g: DiGraphMap<ItemKey, ()> =
        graph.iter().flat_map(|(&from, tos)| tos.iter().map(move |&to| (from, to))).collect();
    let sccs = tarjan_scc(&g)
        .into_iter()
        .filter(|scc| scc.len() > 1 || g.contains_edge(scc[0], scc[0]))
        .collect::<Vec<_>>();
    // A readable cycle through each component: from its smallest node, follow edges
    // inside the component until a node repeats.
    let mut out = Vec::new();
    for scc in sccs {
        let set: std::collections::HashSet<ItemKey> = scc.iter().copied().collect();
        let start = *scc.iter().min().expect("non-empty");
        let mut path = vec![start];
        let mut cur = start;
        loop {
            let next = graph.get(&cur).and_then(|s| s.iter().filter(|w| set.contains(w)).min().copied());
            match next {
                Some(n) if n == start => break,
                Some(n) if path.contains(&n) => {
                    let at = path.iter().position(|p| *p == n).unwrap_or(0);
                    path.drain(..at);
                    break;
                }
                Some(n) => {
                    path.push(n);
                    cur = n;
                }
                None => break,
            }
        }
        out.push(path);
    }
    out.sort();
    out
}

fn phase_findings(
    plans: &[Plan],
    traces: &[TraceRecord],
    files: &[SourceFile],
    diagnostics: &mut Vec<Diagnostic>,
) {
    use crate::plan::PhaseStatus;
    for plan in plans {
        let keeps_records = plan.phases.iter().any(|p| p.completion.is_some());
        for phase in &plan.phases {
            match (&phase.tracker, &phase.completion) {
                (Some(t), None) if keeps_records && t.status == PhaseStatus::Done => diagnostics.push(
                    Diagnostic::warning(
                        Code::MissingCompletionRecord,
                        &t.location.path,
                        t.location.line,
                        format!(
                            "phase `{}` of `{}` is marked done (`{}`) but has no completion record",
                            phase.id, plan.id, t.raw
                        ),
                    )
                    .with_help(format!("add `.completed/{}.md`, or correct the tracker", phase.id)),
                ),
                (Some(t), Some(record)) if t.status == PhaseStatus::Pending => diagnostics.push(
                    Diagnostic::warning(
                        Code::UnexpectedCompletionRecord,
                        record,
                        0,
                        format!(
                            "completion record for phase `{}` of `{}`, which the tracker marks as not started (`{}` at {}:{})",
                            phase.id, plan.id, t.raw, t.location.path, t.location.line
                        ),
                    )
                    .with_help("update the tracker row, or remove the record if the phase was not completed"),
                ),
                _ => {}
            }
        }
    }
    for tr in traces.iter().filter(|t| t.in_code()) {
        for (pi, pt) in tr.plans.iter().enumerate() {
            let line = ValueLines::at(&tr.trace.lines.plans, pi, tr.trace.line);
            let (Some(p), Some(ph)) = (pt.plan, pt.phase) else { continue };
            let status = plans[p].phase_status(ph);
            if matches!(status, PhaseStatus::Pending | PhaseStatus::InProgress | PhaseStatus::Failed) {
                let label = match status {
                    PhaseStatus::InProgress => "in progress",
                    PhaseStatus::Failed => "failed",
                    _ => "pending",
                };
                diagnostics.push(
                    Diagnostic::warning(
                        Code::TraceForUnfinishedPhase,
                        &files[tr.file].path,
                        line,
                        format!(
                            "names phase `{}` of `{}`, which is {label}",
                            plans[p].phases[ph].id, plans[p].id
                        ),
                    )
                    .with_severity(Severity::Note)
                    .with_help("finish the phase (tracker row, completion record) or correct the marker"),
                );
            }
        }
    }
}

fn phase_help(plan: &Plan) -> String {
    if plan.phases.is_empty() {
        format!("plan `{}` defines no phases", plan.id)
    } else {
        let ids: Vec<&str> = plan.phases.iter().take(12).map(|p| p.id.as_str()).collect();
        let more = if plan.phases.len() > 12 { ", …" } else { "" };
        format!("its phases are {}{more}", ids.join(", "))
    }
}

/// Line `line` (1-based) of `text`, without its terminator; empty past the end.
fn line_text(text: &str, line: u32) -> &str {
    text.lines().nth((line as usize).saturating_sub(1)).unwrap_or("")
}

/// The plans named by the nearest earlier trace of the same file whose scope
/// ([`Trace::scope`]: its item's whole extent, or the file for a module's head comment)
/// encloses trace `ti` (a class-level `@plan` above a method's `@requirement`).
fn enclosing_plans(traces: &[Trace], ti: usize, find: &dyn Fn(&str) -> Option<usize>) -> Vec<usize> {
    let line = traces[ti].line;
    traces[..ti]
        .iter()
        .rev()
        .filter(|t| {
            let (a, b) = t.scope;
            !t.plans.is_empty() && a <= line && line <= b
        })
        .map(|t| t.plans.iter().filter_map(|p| find(&p.plan)).collect::<Vec<_>>())
        .find(|v| !v.is_empty())
        .unwrap_or_default()
}

fn resolve_requirement(
    id: &str,
    context: &[usize],
    plans: &[Plan],
    index: &HashMap<String, Vec<ReqKey>>,
) -> Resolution {
    let Some(cands) = index.get(id) else { return Resolution::Dangling };
    let in_context: Vec<ReqKey> = cands.iter().copied().filter(|k| context.contains(&k.plan)).collect();
    if let Some(&key) = in_context.first() {
        return Resolution::Resolved { key };
    }
    match cands.as_slice() {
        [key] => Resolution::Resolved { key: *key },
        _ => {
            let mut ps: Vec<usize> = cands.iter().map(|k| k.plan).collect();
            ps.sort_by(|a, b| plans[*a].id.cmp(&plans[*b].id));
            ps.dedup();
            Resolution::Ambiguous { plans: ps }
        }
    }
}

/// Plan folders by the names a marker may give them instead of a plan ID (`@plan
/// issue3111`, `@plan project-plans/issue-1954.md`): the folder's path from the
/// project root, or its last segment (`.md` dropped), compared without case. A name
/// shared by two folders, or a folder that declares several plans, names none.
struct FolderNames(HashMap<String, Option<String>>);

impl FolderNames {
    fn new(folders: &[(String, Vec<usize>)], plans: &[Plan]) -> Self {
        let mut names: HashMap<String, Option<String>> = HashMap::new();
        for (path, idx) in folders {
            let plan = match idx.as_slice() {
                [p] => Some(plans[*p].id.clone()),
                _ => None,
            };
            let path = path.to_lowercase();
            let last = path.rsplit('/').next().unwrap_or(&path).trim_end_matches(".md").to_string();
            for key in [path.clone(), last] {
                names.entry(key).and_modify(|e| *e = None).or_insert_with(|| plan.clone());
            }
        }
        FolderNames(names)
    }

    /// The ID of the plan a name gives, if exactly one.
    fn plan(&self, name: &str) -> Option<&str> {
        let n = name.trim().trim_start_matches("./").trim_end_matches('/').to_lowercase();
        self.0.get(&n).or_else(|| self.0.get(n.trim_end_matches(".md")))?.as_deref()
    }

    /// `t` with its unresolved `@plan` values that name a plan folder turned into plan
    /// references (no phase), or `None` when it has none.
    fn resolve(&self, t: &Trace) -> Option<Trace> {
        if !t.unresolved.iter().any(|(tag, v)| *tag == Tag::Plan && self.plan(v).is_some()) {
            return None;
        }
        let mut out = t.clone();
        out.unresolved.clear();
        out.lines.unresolved.clear();
        for (i, (tag, v)) in t.unresolved.iter().enumerate() {
            let line = ValueLines::at(&t.lines.unresolved, i, t.line);
            match self.plan(v).filter(|_| *tag == Tag::Plan) {
                Some(p) => {
                    if !out.plans.iter().any(|r| r.plan == p && r.phase.is_none()) {
                        out.plans.push(PlanRef { plan: p.to_string(), phase: None });
                        out.lines.plans.push(line);
                    }
                }
                None => {
                    out.unresolved.push((*tag, v.clone()));
                    out.lines.unresolved.push(line);
                }
            }
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_overrides_change_or_remove_findings_and_the_count() {
        let diagnostics = vec![
            Diagnostic::warning(Code::DanglingReference, "a.ts", 1, "x"),
            Diagnostic::warning(Code::UncoveredRequirement, "p/spec.md", 3, "y"),
            Diagnostic::warning(Code::Encoding, "z.md", 0, "z").with_severity(Severity::Note),
        ];
        let summary = Summary { diagnostics: 3, ..Summary::default() };
        let mut p = Project { diagnostics, summary, ..Project::default() };
        let overrides = BTreeMap::from([
            (Code::DanglingReference, Some(Severity::Error)),
            (Code::UncoveredRequirement, None),
        ]);
        p.apply_severity(&overrides);
        assert_eq!(p.diagnostics.len(), 2);
        assert_eq!(p.summary.diagnostics, 2);
        assert_eq!(
            (p.diagnostics[0].code, p.diagnostics[0].severity),
            (Code::DanglingReference, Severity::Error)
        );
        assert_eq!((p.diagnostics[1].code, p.diagnostics[1].severity), (Code::Encoding, Severity::Note));
    }
}
