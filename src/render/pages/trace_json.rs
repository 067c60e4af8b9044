//! `trace.json`: the whole cross-reference, machine-readable, written from the typed
//! structs below; their JSON Schema ([`schema`], made by `schemars` from the same
//! structs and their doc comments) is published beside it as `trace.schema.json` and
//! kept in the repository as `docs/trace.schema.json`.
//!
//! Every object under `plans`, `files`, `traces`, `mentions` and `verification` has its
//! keys in alphabetical order, as `trace.json` always had ([`sorted`]); the top level,
//! `source`, `summary` and `diagnostics` keep the order of their fields.

use crate::diagnostic::Diagnostic;
use crate::model::{ItemKey, Node, Project, ReqKey, Resolution, Summary};
use crate::plan::{Attribute, DefinitionShape, Link, LinkKind, Location, PhaseStatus};
use crate::provenance::Provenance;
use crate::results::{Status, TestCase, TestSite};
use crate::source::Placement;
use anyhow::Result;
use schemars::JsonSchema;
use serde::{Serialize, Serializer};
use std::collections::BTreeMap;

/// The file name of the schema, beside `trace.json` (the value of its `$schema`).
pub(super) const SCHEMA_FILE: &str = "trace.schema.json";

/// `trace.json`: the whole cross-reference of a project, machine-readable: its plans
/// (requirements, phases, items), the files with markers, every trace and mention, the
/// findings and the commit it was built from. Deterministic and compact (one line; `jq .`
/// pretty-prints it). Indices (`traces`, `mentions` of a requirement, …) are positions in
/// the top-level arrays. The keys that come from test reports (`test_results`) appear only
/// when reports are configured.
#[derive(Serialize, JsonSchema)]
#[schemars(title = "tracemark trace.json")]
struct TraceJson<'a> {
    /// This schema, relative to `trace.json`.
    #[serde(rename = "$schema")]
    schema: &'static str,
    /// The version of tracemark that wrote the file.
    tracemark: &'static str,
    /// The commit the site shows.
    source: SourceJson<'a>,
    /// The build date, ISO 8601 (`SOURCE_DATE_EPOCH`, else the commit date, else now).
    build_date: Option<&'a str>,
    /// Counts of the whole project.
    summary: &'a Summary,
    /// Every plan, in the order of the site.
    #[serde(serialize_with = "sorted_items")]
    plans: Vec<PlanJson<'a>>,
    /// Every file with markers.
    #[serde(serialize_with = "sorted_items")]
    files: Vec<FileJson<'a>>,
    /// Every trace: a group of markers in one comment block, test title or HTML comment.
    #[serde(serialize_with = "sorted_items")]
    traces: Vec<TraceJsonEntry<'a>>,
    /// Every mention of a requirement ID without a tag (not a trace, not coverage).
    #[serde(serialize_with = "sorted_items")]
    mentions: Vec<MentionJson<'a>>,
    /// The test reports read and the cases that matched no trace (with reports only).
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "sorted")]
    verification: Option<VerificationJson<'a>>,
    /// Every finding, as `tracemark check` reports it.
    diagnostics: &'a [Diagnostic],
}

/// `source` of `trace.json`: the commit the site shows (all `null` and `dirty: false`
/// when it was not built from a git checkout).
#[derive(Serialize, JsonSchema)]
struct SourceJson<'a> {
    /// The full commit ID of `HEAD`.
    commit: Option<&'a str>,
    /// Its committer date, ISO 8601.
    date: Option<&'a str>,
    /// Tracked files differ from the commit.
    dirty: bool,
    /// The repository's web address, without credentials.
    repo_url: Option<&'a str>,
}

/// A plan.
#[derive(Serialize, JsonSchema)]
struct PlanJson<'a> {
    /// Phases whose evidence disagrees (the tracker and the code or a completion record).
    conflicts: Vec<ConflictJson<'a>>,
    /// Where the plan ID is declared.
    declared: &'a Location,
    /// The plan's folder, relative to the project root.
    folder: &'a str,
    /// The plan ID (`PLAN-20250101-EXAMPLE`).
    id: &'a str,
    /// Tasks, risks, gates, checklists, spec gaps, … in document order.
    items: Vec<ItemJson<'a>>,
    phases: Vec<PhaseJson<'a>>,
    requirements: Vec<RequirementJson<'a>>,
    /// The plan's status from all evidence.
    status: crate::model::status::PlanStatus,
    /// The plan has no ID of its own: it is named after its folder.
    synthetic: bool,
    title: &'a str,
}

/// A phase whose evidence disagrees.
#[derive(Serialize, JsonSchema)]
struct ConflictJson<'a> {
    kind: crate::model::status::ConflictKind,
    /// What the other evidence says, and where.
    other: crate::model::status::Evidence,
    /// The phase ID.
    phase: &'a str,
    /// What the execution tracker says, and where.
    tracker: crate::model::status::Evidence,
}

/// A requirement of a plan.
#[derive(Serialize, JsonSchema)]
struct RequirementJson<'a> {
    /// Whether a trace in code cites it.
    covered: bool,
    id: &'a str,
    /// Where it is defined.
    location: &'a Location,
    /// The mentions of its ID (indices into `mentions`).
    mentions: Vec<usize>,
    /// The configured requirement pattern its ID matched, if any.
    pattern: &'a Option<String>,
    /// How the definition is written.
    shape: DefinitionShape,
    title: &'a str,
    /// The traces that cite it (indices into `traces`).
    traces: Vec<usize>,
    /// Its verification status from the test reports (with reports only).
    #[serde(skip_serializing_if = "Option::is_none")]
    verification: Option<Status>,
}

/// A phase of a plan.
#[derive(Serialize, JsonSchema)]
struct PhaseJson<'a> {
    /// Attributes written with the phase (`Entrance`, `Exit`, …).
    attributes: &'a [Attribute],
    /// The requirement IDs the phase claims.
    claims: Vec<&'a str>,
    /// The phase's completion record, if any.
    completion: Option<&'a str>,
    /// The phase's own file, if any.
    document: Option<&'a str>,
    /// The phase ID (`P04`).
    id: &'a str,
    /// Typed links to other phases and items.
    links: &'a [Link],
    /// Where the phase is defined.
    location: &'a Location,
    status: PhaseStatus,
    title: &'a str,
    /// The phase's status cell in the execution tracker, as written.
    tracker: Option<&'a str>,
}

/// A requirement, phase or item that a link resolved to.
#[derive(Serialize, JsonSchema)]
struct NodeRef<'a> {
    id: &'a str,
    /// `requirement`, `phase`, or the item's kind (`task`).
    kind: &'a str,
}

/// An item of a plan.
#[derive(Serialize, JsonSchema)]
struct ItemJson<'a> {
    attributes: &'a [Attribute],
    id: &'a str,
    /// The links that name this item.
    incoming: Vec<IncomingJson<'a>>,
    /// `task`, `risk`, `gate`, `checklist`, `gap` or a configured kind.
    kind: &'a str,
    links: Vec<ItemLinkJson<'a>>,
    location: &'a Location,
    title: &'a str,
    /// The traces that name it (indices into `traces`).
    traces: Vec<usize>,
}

/// A link from an item, with what it resolved to.
#[derive(Serialize, JsonSchema)]
struct ItemLinkJson<'a> {
    kind: LinkKind,
    location: &'a Location,
    /// `null` when the target is not defined in the plan.
    resolved: Option<NodeRef<'a>>,
    /// The target as written.
    target: &'a str,
}

/// A link to an item from another node.
#[derive(Serialize, JsonSchema)]
struct IncomingJson<'a> {
    from: NodeRef<'a>,
    kind: LinkKind,
}

/// A file with markers.
#[derive(Serialize, JsonSchema)]
struct FileJson<'a> {
    /// Its markers by placement.
    by_placement: BTreeMap<Placement, usize>,
    /// How many markers.
    markers: usize,
    path: &'a str,
    /// How many traces.
    traces: usize,
}

/// A trace.
#[derive(Serialize, JsonSchema)]
struct TraceJsonEntry<'a> {
    /// The last line of its markers.
    end_line: u32,
    /// The first and the last line of the excerpt.
    excerpt: (u32, u32),
    /// The cap (`excerpt_lines`) cut the excerpt.
    excerpt_cut: bool,
    /// Item references (`@task:T-001`).
    items: Vec<TraceItemJson<'a>>,
    /// The first line of its markers.
    line: u32,
    path: &'a str,
    placement: Placement,
    /// Plan references (`@plan:PLAN-X.P02`).
    plans: Vec<TracePlanJson<'a>>,
    /// The lines shown, ascending; a gap between two.
    ranges: &'a [(u32, u32)],
    /// Requirement references (`@requirement:REQ-001`).
    requirements: Vec<TraceRequirementJson<'a>>,
    /// The test cases matched to the trace, or one `not-run` entry for a test with no
    /// case in the reports (with reports only).
    #[serde(skip_serializing_if = "Option::is_none")]
    results: Option<Vec<ResultJson<'a>>>,
    /// The test the trace marks, or `null` (with reports only).
    #[serde(skip_serializing_if = "Option::is_none")]
    test: Option<Option<&'a TestSite>>,
    /// Values of its markers that name nothing tracemark knows.
    unresolved: Vec<&'a str>,
}

/// A plan reference of a trace.
#[derive(Serialize, JsonSchema)]
struct TracePlanJson<'a> {
    /// The phase ID, when the reference names one.
    phase: Option<&'a str>,
    /// The plan ID as written.
    plan: &'a str,
    /// The plan (and the phase, when named) exist.
    resolved: bool,
}

/// A requirement reference of a trace, by how it resolved.
#[derive(Serialize, JsonSchema)]
#[serde(tag = "status", rename_all = "lowercase")]
enum TraceRequirementJson<'a> {
    /// One requirement has the ID (in the plan the trace names, or the only one).
    Resolved {
        id: &'a str,
        /// The plan that defines it.
        plan: &'a str,
    },
    /// Several plans define the ID and the trace names none of them.
    Ambiguous {
        id: &'a str,
        /// The plans that define it.
        candidates: Vec<&'a str>,
    },
    /// No plan defines the ID.
    Dangling { id: &'a str },
}

/// Whether an item reference of a trace names a defined item.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
enum ItemStatus {
    Resolved,
    Unresolved,
}

/// An item reference of a trace.
#[derive(Serialize, JsonSchema)]
struct TraceItemJson<'a> {
    id: &'a str,
    kind: &'a str,
    /// The plan that defines the item, when resolved.
    plan: Option<&'a str>,
    status: ItemStatus,
}

/// A test result of a trace: a matched case, or a test with no case.
#[derive(Serialize, JsonSchema)]
#[serde(untagged)]
enum ResultJson<'a> {
    Case(&'a TestCase),
    NotRun(NotRun),
}

/// A test trace with no case in the reports.
#[derive(Serialize, JsonSchema)]
struct NotRun {
    outcome: NotRunOutcome,
}

/// `not-run`.
#[derive(Serialize, JsonSchema)]
enum NotRunOutcome {
    #[serde(rename = "not-run")]
    NotRun,
}

/// A mention of a requirement ID.
#[derive(Serialize, JsonSchema)]
struct MentionJson<'a> {
    /// The ID as found.
    id: &'a str,
    line: u32,
    path: &'a str,
    placement: Placement,
    /// The plans that define the ID.
    plans: Vec<&'a str>,
}

/// The test reports read.
#[derive(Serialize, JsonSchema)]
struct VerificationJson<'a> {
    /// The reports' paths.
    reports: &'a [String],
    /// The cases that matched no trace.
    unmatched: Vec<&'a TestCase>,
}

/// Serializes `value` with the keys of every object in alphabetical order.
fn sorted<T: Serialize, S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
    serde_json::to_value(value).map_err(serde::ser::Error::custom)?.serialize(s)
}

/// Serializes a list like [`sorted`], one element at a time: only one element is ever
/// held as a `serde_json::Value` (the whole list as values took several times the
/// size of `trace.json` itself).
fn sorted_items<T: Serialize, S: Serializer>(items: &[T], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    struct Sorted<'v, T>(&'v T);
    impl<T: Serialize> Serialize for Sorted<'_, T> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            sorted(self.0, s)
        }
    }
    let mut seq = s.serialize_seq(Some(items.len()))?;
    for item in items {
        seq.serialize_element(&Sorted(item))?;
    }
    seq.end()
}

/// `trace.json` of `project` (see [`TraceJson`]), one line and a newline.
pub fn trace_json(project: &Project, provenance: &Provenance) -> Result<Vec<u8>> {
    let mut out = serde_json::to_vec(&trace(project, provenance))?;
    out.push(b'\n');
    Ok(out)
}

/// The JSON Schema of `trace.json` (draft 2020-12, describing the JSON as written: a key
/// that is always written is required, even when its value may be `null`),
/// pretty-printed, with a final newline.
pub fn schema() -> Vec<u8> {
    let schema = schemars::generate::SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<TraceJson<'static>>();
    let mut out = serde_json::to_vec_pretty(&schema).unwrap_or_default();
    out.push(b'\n');
    out
}

/// The typed `trace.json` of `project`.
fn trace<'a>(project: &'a Project, provenance: &'a Provenance) -> TraceJson<'a> {
    let verification = project.verification.as_ref();
    let node_ref = |n: &Node| match *n {
        Node::Requirement { key } => {
            NodeRef { kind: "requirement", id: &project.plans[key.plan].requirements[key.req].id }
        }
        Node::Phase { plan, phase } => NodeRef { kind: "phase", id: &project.plans[plan].phases[phase].id },
        Node::Item { key } => {
            let it = &project.plans[key.plan].items[key.item];
            NodeRef { kind: &it.kind, id: &it.id }
        }
    };
    let plans = project
        .plans
        .iter()
        .enumerate()
        .map(|(pi, p)| {
            let requirements = p
                .requirements
                .iter()
                .enumerate()
                .map(|(ri, r)| {
                    let key = ReqKey { plan: pi, req: ri };
                    RequirementJson {
                        covered: project.is_covered(key),
                        id: &r.id,
                        location: &r.location,
                        mentions: project.requirement_mentions.get(&key).cloned().unwrap_or_default(),
                        pattern: &r.pattern,
                        shape: r.shape,
                        title: &r.title,
                        traces: project.requirement_traces.get(&key).cloned().unwrap_or_default(),
                        verification: verification.map(|v| v.status(key)),
                    }
                })
                .collect();
            let phases = p
                .phases
                .iter()
                .enumerate()
                .map(|(i, ph)| PhaseJson {
                    attributes: &ph.attributes,
                    claims: ph.claims.iter().map(|c| c.requirement.as_str()).collect(),
                    completion: ph.completion.as_deref(),
                    document: ph.document.as_deref(),
                    id: &ph.id,
                    links: &ph.links,
                    location: &ph.location,
                    status: p.phase_status(i),
                    title: &ph.title,
                    tracker: ph.tracker.as_ref().map(|t| t.raw.as_str()),
                })
                .collect();
            let items = p
                .items
                .iter()
                .enumerate()
                .map(|(ii, it)| {
                    let key = ItemKey { plan: pi, item: ii };
                    let targets = project.item_link_targets.get(&key);
                    let links = it
                        .links
                        .iter()
                        .enumerate()
                        .map(|(li, l)| ItemLinkJson {
                            kind: l.kind,
                            location: &l.location,
                            resolved: targets
                                .and_then(|t| t.get(li).copied().flatten())
                                .as_ref()
                                .map(node_ref),
                            target: &l.target,
                        })
                        .collect();
                    let incoming = project
                        .incoming
                        .get(&Node::Item { key })
                        .map(|v| {
                            v.iter().map(|(k, n)| IncomingJson { from: node_ref(n), kind: *k }).collect()
                        })
                        .unwrap_or_default();
                    ItemJson {
                        attributes: &it.attributes,
                        id: &it.id,
                        incoming,
                        kind: &it.kind,
                        links,
                        location: &it.location,
                        title: &it.title,
                        traces: project.item_traces.get(&key).cloned().unwrap_or_default(),
                    }
                })
                .collect();
            PlanJson {
                conflicts: crate::model::status::phase_conflicts(project, pi)
                    .into_iter()
                    .map(|c| ConflictJson {
                        kind: c.kind,
                        other: c.other,
                        phase: &p.phases[c.phase].id,
                        tracker: c.tracker,
                    })
                    .collect(),
                declared: &p.declared,
                folder: &p.folder,
                id: &p.id,
                items,
                phases,
                requirements,
                status: crate::model::status::plan_status(project, pi),
                synthetic: p.synthetic,
                title: &p.title,
            }
        })
        .collect();
    let traces = project
        .traces
        .iter()
        .enumerate()
        .map(|(ti, t)| TraceJsonEntry {
            end_line: t.trace.end_line,
            excerpt: t.trace.excerpt.span(),
            excerpt_cut: t.trace.excerpt.cut,
            items: t
                .items
                .iter()
                .map(|it| TraceItemJson {
                    id: &it.id,
                    kind: &it.kind,
                    plan: it.item.map(|k| project.plans[k.plan].id.as_str()),
                    status: if it.item.is_some() { ItemStatus::Resolved } else { ItemStatus::Unresolved },
                })
                .collect(),
            line: t.trace.line,
            path: &project.files[t.file].path,
            placement: t.trace.placement,
            plans: t
                .plans
                .iter()
                .map(|pt| TracePlanJson {
                    phase: pt.phase_id.as_deref(),
                    plan: &pt.plan_id,
                    resolved: pt.plan.is_some() && (pt.phase_id.is_none() || pt.phase.is_some()),
                })
                .collect(),
            ranges: &t.trace.excerpt.ranges,
            requirements: t
                .requirements
                .iter()
                .map(|r| match &r.resolution {
                    Resolution::Resolved { key } => {
                        TraceRequirementJson::Resolved { id: &r.id, plan: &project.plans[key.plan].id }
                    }
                    Resolution::Ambiguous { plans } => TraceRequirementJson::Ambiguous {
                        id: &r.id,
                        candidates: plans.iter().map(|&p| project.plans[p].id.as_str()).collect(),
                    },
                    Resolution::Dangling => TraceRequirementJson::Dangling { id: &r.id },
                })
                .collect(),
            results: verification.map(|v| {
                if v.not_run(ti) {
                    vec![ResultJson::NotRun(NotRun { outcome: NotRunOutcome::NotRun })]
                } else {
                    v.trace_cases[ti].iter().map(|&c| ResultJson::Case(&v.cases[c])).collect()
                }
            }),
            test: verification.map(|v| v.trace_tests[ti].as_ref()),
            unresolved: t.trace.unresolved.iter().map(|(_, v)| v.as_str()).collect(),
        })
        .collect();
    let files = project
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let mut by_placement: BTreeMap<Placement, usize> = BTreeMap::new();
            for m in &f.markers {
                *by_placement.entry(m.placement).or_default() += 1;
            }
            FileJson {
                by_placement,
                markers: f.markers.len(),
                path: &f.path,
                traces: project.file_traces[i].len(),
            }
        })
        .collect();
    let mentions = project
        .mentions
        .iter()
        .map(|m| MentionJson {
            id: &m.mention.id,
            line: m.mention.line,
            path: &m.path,
            placement: m.mention.placement,
            plans: m.requirements.iter().map(|k| project.plans[k.plan].id.as_str()).collect(),
        })
        .collect();
    TraceJson {
        schema: SCHEMA_FILE,
        tracemark: env!("CARGO_PKG_VERSION"),
        source: SourceJson {
            commit: provenance.commit.as_deref(),
            date: provenance.commit_date.as_ref().map(|d| d.iso.as_str()),
            dirty: provenance.dirty,
            repo_url: provenance.repo_url.as_deref(),
        },
        build_date: provenance.build_date.as_ref().map(|d| d.iso.as_str()),
        summary: &project.summary,
        plans,
        files,
        traces,
        mentions,
        verification: verification.map(|v| VerificationJson {
            reports: &v.reports,
            unmatched: v.cases.iter().zip(&v.case_matched).filter(|(_, m)| !**m).map(|(c, _)| c).collect(),
        }),
        diagnostics: &project.diagnostics,
    }
}

#[cfg(test)]
mod tests {
    use super::{schema, trace_json};
    use crate::provenance::Provenance;
    use serde_json::Value;

    /// `docs/trace.schema.json` must be the schema of the structs above: a change to them
    /// changes the published format, so the file changes with them, in the same commit.
    #[test]
    fn committed_schema_is_the_generated_one() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/trace.schema.json");
        let generated = schema();
        if std::env::var_os("TRACEMARK_UPDATE_SCHEMA").is_some() {
            std::fs::write(&path, &generated).expect("docs/trace.schema.json written");
        }
        let committed = std::fs::read(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "docs/trace.schema.json is not the schema of trace.json's structs; regenerate it with\n\
             TRACEMARK_UPDATE_SCHEMA=1 cargo test --lib committed_schema_is_the_generated_one\n\
             and commit it with the change"
        );
    }

    #[test]
    fn trace_json_resolves_references_and_sorts_keys() {
        let project = crate::model::testing::project(super::super::testing::FILES);
        let bytes = trace_json(&project, &Provenance::default()).expect("serialises");
        assert_eq!(bytes.last(), Some(&b'\n'));
        assert_eq!(bytes.iter().filter(|&&b| b == b'\n').count(), 1, "one line");
        let json: Value = serde_json::from_slice(&bytes).expect("JSON");
        let top: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(top[0], "$schema", "{top:?}");
        assert_eq!(json["$schema"], "trace.schema.json");
        assert!(json.get("verification").is_none(), "no reports, no verification");
        let plan = &json["plans"][0];
        assert_eq!(plan["id"], "PLAN-20260101-DEMO");
        let covered: Vec<bool> = plan["requirements"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["covered"].as_bool().unwrap())
            .collect();
        assert_eq!(covered, [true, false, false]);
        assert!(plan["requirements"][0].get("verification").is_none());
        let lamp: Vec<&Value> =
            json["traces"].as_array().unwrap().iter().filter(|t| t["path"] == "src/lamp.ts").collect();
        assert_eq!(
            lamp[0]["requirements"][0],
            serde_json::json!({"id": "REQ-001", "plan": "PLAN-20260101-DEMO", "status": "resolved"})
        );
        assert_eq!(
            lamp[1]["plans"][0],
            serde_json::json!({"phase": null, "plan": "PLAN-20990101-NOPE", "resolved": false})
        );
        // Nested objects keep the alphabetical key order trace.json always had.
        let text = String::from_utf8(bytes).unwrap();
        assert!(
            text.contains(r#""declared":{"line":3,"path":"project-plans/demo/specification.md"}"#),
            "{text}"
        );
    }
}
