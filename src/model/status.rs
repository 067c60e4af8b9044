//! A plan's status derived from all its evidence, and the phases whose evidence
//! disagrees. The one place where the tracker, the completion records and the code
//! are weighed against each other; plan pages and the timeline read it.
//!
//! **Status** ([`plan_status`]):
//! - when the plan tracks progress (some phase has a tracker row or a completion
//!   record): every phase done → delivered; any phase done or in progress → in
//!   progress; else not started;
//! - otherwise: every requirement covered by a trace in code (and at least one
//!   requirement) → delivered; any trace in code naming the plan or one of its
//!   requirements → in progress; else unknown.
//!
//! **Conflicts** ([`phase_conflicts`]) are never resolved silently; each carries both
//! pieces of evidence:
//! - the tracker marks a phase not started, in progress or failed while a completion
//!   record exists ([`ConflictKind::RecordButNotDone`]);
//! - the tracker marks a phase done but it has no completion record, in a plan that
//!   keeps records ([`ConflictKind::DoneWithoutRecord`]);
//! - the tracker marks a phase done, the phase claims requirements, and none of them
//!   has a trace in code, nor does any trace in code name the phase
//!   ([`ConflictKind::DoneWithoutCode`]);
//! - the tracker marks a phase pending while traces in code name it
//!   ([`ConflictKind::PendingWithCode`]).

use super::{Project, ReqKey};
use crate::plan::{Location, PhaseStatus, Plan};
use serde::Serialize;

/// A plan's overall status (see the module docs for the rule).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum PlanStatus {
    /// Every phase done, or (untracked) every requirement covered.
    Delivered,
    /// Some phase done or in progress, or (untracked) some trace in code.
    InProgress,
    /// Tracked, and no phase done or in progress.
    NotStarted,
    /// Untracked and no trace in code: nothing says.
    Unknown,
}

impl PlanStatus {
    /// The label shown to readers (`in progress`).
    pub fn label(self) -> &'static str {
        match self {
            PlanStatus::Delivered => "delivered",
            PlanStatus::InProgress => "in progress",
            PlanStatus::NotStarted => "not started",
            PlanStatus::Unknown => "unknown",
        }
    }
}

/// What two pieces of evidence about one phase disagree on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ConflictKind {
    /// The tracker marks the phase not done; a completion record exists.
    RecordButNotDone,
    /// The tracker marks the phase done; the plan keeps completion records but has none
    /// for it.
    DoneWithoutRecord,
    /// The tracker marks the phase done; none of the requirements it claims has a trace
    /// in code, and no trace in code names the phase.
    DoneWithoutCode,
    /// The tracker marks the phase pending; traces in code name it.
    PendingWithCode,
}

impl ConflictKind {
    /// A sentence describing the disagreement.
    pub fn label(self) -> &'static str {
        match self {
            ConflictKind::RecordButNotDone => "the tracker says not done, but a completion record exists",
            ConflictKind::DoneWithoutRecord => "the tracker says done, but there is no completion record",
            ConflictKind::DoneWithoutCode => {
                "the tracker says done, but none of its claimed requirements has a trace in code"
            }
            ConflictKind::PendingWithCode => "the tracker says not started, but code names the phase",
        }
    }
}

/// One piece of evidence about a phase: what it says and where it is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Evidence {
    /// What it says (`tracker: ⬜ not started`, `completion record`, `3 traces in code`).
    pub says: String,
    /// Where (a tracker row, a record file with line 0, the first trace, the first claim).
    pub location: Location,
}

/// A phase whose evidence disagrees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PhaseConflict {
    /// Index into the plan's `phases`.
    pub phase: usize,
    /// The disagreement.
    pub kind: ConflictKind,
    /// The tracker's side.
    pub tracker: Evidence,
    /// The other side (record, code, claims).
    pub other: Evidence,
}

/// True when some phase of `plan` has a tracker row or a completion record.
fn tracks_progress(plan: &Plan) -> bool {
    plan.phases.iter().any(|p| p.tracker.is_some() || p.completion.is_some())
}

/// The status of plan `plan_idx` (an index into `project.plans`), from its phases'
/// tracker rows and completion records, else from the code's traces. Out-of-range
/// indices are unknown.
pub fn plan_status(project: &Project, plan_idx: usize) -> PlanStatus {
    let Some(plan) = project.plans.get(plan_idx) else { return PlanStatus::Unknown };
    if tracks_progress(plan) {
        let statuses: Vec<PhaseStatus> = (0..plan.phases.len()).map(|i| plan.phase_status(i)).collect();
        return if statuses.iter().all(|s| *s == PhaseStatus::Done) {
            PlanStatus::Delivered
        } else if statuses.iter().any(|s| matches!(s, PhaseStatus::Done | PhaseStatus::InProgress)) {
            PlanStatus::InProgress
        } else {
            PlanStatus::NotStarted
        };
    }
    let reqs = plan.requirements.len();
    let covered = (0..reqs).filter(|&req| project.is_covered(ReqKey { plan: plan_idx, req })).count();
    if reqs > 0 && covered == reqs {
        return PlanStatus::Delivered;
    }
    let named_in_code = project
        .plan_traces
        .get(plan_idx)
        .is_some_and(|v| v.iter().any(|&t| project.traces.get(t).is_some_and(|t| t.in_code())));
    if covered > 0 || named_in_code { PlanStatus::InProgress } else { PlanStatus::Unknown }
}

/// The phases of plan `plan_idx` whose tracker row disagrees with their completion
/// record or with the code (see the module docs), in phase order. Out-of-range
/// indices have none.
pub fn phase_conflicts(project: &Project, plan_idx: usize) -> Vec<PhaseConflict> {
    let Some(plan) = project.plans.get(plan_idx) else { return Vec::new() };
    let keeps_records = plan.phases.iter().any(|p| p.completion.is_some());
    let mut out = Vec::new();
    for (phi, phase) in plan.phases.iter().enumerate() {
        let Some(t) = &phase.tracker else { continue };
        let tracker = Evidence {
            says: format!("tracker: {} ({})", status_word(t.status), t.raw.trim()),
            location: t.location.clone(),
        };
        let code_traces: Vec<usize> = project
            .phase_traces
            .get(&(plan_idx, phi))
            .map(|v| v.iter().copied().filter(|&i| project.traces[i].in_code()).collect())
            .unwrap_or_default();
        match (t.status, &phase.completion) {
            (PhaseStatus::Pending | PhaseStatus::InProgress | PhaseStatus::Failed, Some(record)) => {
                out.push(PhaseConflict {
                    phase: phi,
                    kind: ConflictKind::RecordButNotDone,
                    tracker: tracker.clone(),
                    other: Evidence {
                        says: "completion record: done".into(),
                        location: Location { path: record.clone(), line: 0 },
                    },
                });
            }
            (PhaseStatus::Done, None) if keeps_records => out.push(PhaseConflict {
                phase: phi,
                kind: ConflictKind::DoneWithoutRecord,
                tracker: tracker.clone(),
                other: Evidence {
                    says: format!("no .completed/{}.md record", phase.id),
                    location: Location { path: completed_folder(plan, &t.location.path), line: 0 },
                },
            }),
            _ => {}
        }
        if t.status == PhaseStatus::Done && code_traces.is_empty() {
            let claimed: Vec<&crate::plan::Claim> = phase
                .claims
                .iter()
                .filter(|c| plan.requirements.iter().any(|r| r.id == c.requirement))
                .collect();
            let any_covered = claimed.iter().any(|c| {
                plan.requirements.iter().enumerate().any(|(ri, r)| {
                    r.id == c.requirement && project.is_covered(ReqKey { plan: plan_idx, req: ri })
                })
            });
            if let (Some(first), false) = (claimed.first(), any_covered) {
                out.push(PhaseConflict {
                    phase: phi,
                    kind: ConflictKind::DoneWithoutCode,
                    tracker: tracker.clone(),
                    other: Evidence {
                        says: format!(
                            "no trace in code for {} claimed requirement{} ({})",
                            claimed.len(),
                            if claimed.len() == 1 { "" } else { "s" },
                            claimed
                                .iter()
                                .take(4)
                                .map(|c| c.requirement.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                        location: first.location.clone(),
                    },
                });
            }
        }
        if t.status == PhaseStatus::Pending
            && let Some(&first) = code_traces.first()
        {
            let tr = &project.traces[first];
            out.push(PhaseConflict {
                phase: phi,
                kind: ConflictKind::PendingWithCode,
                tracker,
                other: Evidence {
                    says: format!(
                        "{} trace{} in code name{} the phase",
                        code_traces.len(),
                        if code_traces.len() == 1 { "" } else { "s" },
                        if code_traces.len() == 1 { "s" } else { "" }
                    ),
                    location: Location { path: project.files[tr.file].path.clone(), line: tr.trace.line },
                },
            });
        }
    }
    out
}

/// The plan's `.completed/` folder beside its tracker (where the missing record would be).
fn completed_folder(plan: &Plan, tracker: &str) -> String {
    let record = plan.phases.iter().find_map(|p| p.completion.as_deref());
    match record.and_then(|r| r.rsplit_once('/')) {
        Some((dir, _)) => dir.to_string(),
        None => match tracker.rsplit_once('/') {
            Some((dir, _)) => format!("{dir}/.completed"),
            None => ".completed".into(),
        },
    }
}

/// The reader's word for a phase status.
fn status_word(s: PhaseStatus) -> &'static str {
    match s {
        PhaseStatus::Done => "done",
        PhaseStatus::InProgress => "in progress",
        PhaseStatus::Pending => "not started",
        PhaseStatus::Failed => "failed",
        PhaseStatus::Unknown => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{PlanTarget, TraceRecord};
    use crate::plan::{Claim, Phase, Requirement, TrackerEntry};
    use crate::source::Trace;

    fn loc(path: &str, line: u32) -> Location {
        Location { path: path.into(), line }
    }

    fn phase(id: &str, tracker: Option<PhaseStatus>, record: bool, claims: &[&str]) -> Phase {
        Phase {
            id: id.into(),
            title: String::new(),
            location: loc("p/plan/x.md", 1),
            document: None,
            section: None,
            claims: claims
                .iter()
                .map(|c| Claim { requirement: (*c).into(), location: loc("p/spec.md", 9) })
                .collect(),
            tracker: tracker.map(|status| TrackerEntry {
                status,
                raw: format!("{status:?}"),
                location: loc("p/execution-tracker.md", 5),
            }),
            completion: record.then(|| format!("p/.completed/{id}.md")),
            attributes: Vec::new(),
            links: Vec::new(),
        }
    }

    fn requirement(id: &str) -> Requirement {
        Requirement {
            id: id.into(),
            title: String::new(),
            text: String::new(),
            location: loc("p/spec.md", 3),
            shape: crate::plan::DefinitionShape::Heading,
            strong: true,
            pattern: None,
        }
    }

    fn project(phases: Vec<Phase>, reqs: &[&str], covered: &[bool]) -> Project {
        let plan = Plan {
            id: "PLAN-1".into(),
            title: String::new(),
            declared: loc("p/spec.md", 1),
            folder: "p".into(),
            requirements: reqs.iter().map(|r| requirement(r)).collect(),
            phases,
            items: Vec::new(),
            synthetic: false,
        };
        Project {
            plans: vec![plan],
            covered: vec![covered.to_vec()],
            plan_traces: vec![Vec::new()],
            ..Project::default()
        }
    }

    /// Adds one trace in code in `a.ts` naming phase `phase` of plan 0.
    fn with_phase_trace(mut p: Project, phase: usize) -> Project {
        p.files.push(super::super::SourceFile {
            path: "a.ts".into(),
            language: crate::source::Language::CLike,
            text: Default::default(),
            markers: Vec::new(),
            traces: Vec::new(),
        });
        let trace = Trace {
            line: 7,
            end_line: 7,
            placement: crate::source::Placement::Comment,
            plans: Vec::new(),
            requirements: Vec::new(),
            items: Vec::new(),
            unresolved: Vec::new(),
            lines: crate::source::ValueLines::default(),
            excerpt: crate::source::Excerpt::lines(7, 7),
            scope: (7, 7),
        };
        p.traces.push(TraceRecord {
            file: 0,
            trace,
            plans: vec![PlanTarget {
                plan_id: "PLAN-1".into(),
                phase_id: None,
                plan: Some(0),
                phase: Some(phase),
            }],
            requirements: Vec::new(),
            items: Vec::new(),
        });
        p.phase_traces.insert((0, phase), vec![0]);
        p.plan_traces[0].push(0);
        p
    }

    #[test]
    fn tracked_plans_take_their_status_from_phases() {
        let done = project(vec![phase("P01", Some(PhaseStatus::Done), true, &[])], &[], &[]);
        assert_eq!(plan_status(&done, 0), PlanStatus::Delivered);
        let half = project(
            vec![phase("P01", None, true, &[]), phase("P02", Some(PhaseStatus::Pending), false, &[])],
            &[],
            &[],
        );
        assert_eq!(plan_status(&half, 0), PlanStatus::InProgress);
        let none = project(
            vec![phase("P01", Some(PhaseStatus::Pending), false, &[]), phase("P02", None, false, &[])],
            &[],
            &[],
        );
        assert_eq!(plan_status(&none, 0), PlanStatus::NotStarted);
    }

    #[test]
    fn untracked_plans_take_their_status_from_code() {
        let all = project(vec![phase("P01", None, false, &[])], &["REQ-1", "REQ-2"], &[true, true]);
        assert_eq!(plan_status(&all, 0), PlanStatus::Delivered);
        let some = project(vec![], &["REQ-1", "REQ-2"], &[true, false]);
        assert_eq!(plan_status(&some, 0), PlanStatus::InProgress);
        let nothing = project(vec![], &["REQ-1"], &[false]);
        assert_eq!(plan_status(&nothing, 0), PlanStatus::Unknown);
        let no_reqs = project(vec![], &[], &[]);
        assert_eq!(plan_status(&no_reqs, 0), PlanStatus::Unknown);
        assert_eq!(
            plan_status(&with_phase_trace(project(vec![phase("P01", None, false, &[])], &[], &[]), 0), 0),
            PlanStatus::InProgress
        );
        assert_eq!(plan_status(&no_reqs, 9), PlanStatus::Unknown);
    }

    #[test]
    fn a_record_for_a_phase_the_tracker_calls_not_started_is_a_conflict() {
        let p = project(
            vec![
                phase("P05", Some(PhaseStatus::Done), true, &[]),
                phase("P06", Some(PhaseStatus::Pending), true, &[]),
            ],
            &[],
            &[],
        );
        let c = phase_conflicts(&p, 0);
        assert_eq!(c.len(), 1);
        assert_eq!((c[0].phase, c[0].kind), (1, ConflictKind::RecordButNotDone));
        assert_eq!(c[0].other.location.path, "p/.completed/P06.md");
        assert_eq!(c[0].tracker.location, loc("p/execution-tracker.md", 5));
        // The status still counts the record: the conflict is shown, not resolved.
        assert_eq!(plan_status(&p, 0), PlanStatus::Delivered);
    }

    #[test]
    fn done_without_a_record_is_a_conflict_only_where_records_are_kept() {
        let keeps = project(
            vec![
                phase("P01", Some(PhaseStatus::Done), true, &[]),
                phase("P02", Some(PhaseStatus::Done), false, &[]),
            ],
            &[],
            &[],
        );
        let c = phase_conflicts(&keeps, 0);
        assert_eq!(
            c.iter().map(|c| (c.phase, c.kind)).collect::<Vec<_>>(),
            [(1, ConflictKind::DoneWithoutRecord)]
        );
        assert_eq!(c[0].other.location.path, "p/.completed");
        let none = project(vec![phase("P02", Some(PhaseStatus::Done), false, &[])], &[], &[]);
        assert!(phase_conflicts(&none, 0).is_empty());
    }

    #[test]
    fn done_with_no_code_for_its_claims_is_a_conflict_unless_code_names_it() {
        let p = project(
            vec![phase("P03", Some(PhaseStatus::Done), false, &["REQ-1", "REQ-9"])],
            &["REQ-1"],
            &[false],
        );
        let c = phase_conflicts(&p, 0);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].kind, ConflictKind::DoneWithoutCode);
        assert!(c[0].other.says.contains("1 claimed requirement (REQ-1)"), "{}", c[0].other.says);
        let covered =
            project(vec![phase("P03", Some(PhaseStatus::Done), false, &["REQ-1"])], &["REQ-1"], &[true]);
        assert!(phase_conflicts(&covered, 0).is_empty());
        let named = with_phase_trace(
            project(vec![phase("P03", Some(PhaseStatus::Done), false, &["REQ-1"])], &["REQ-1"], &[false]),
            0,
        );
        assert!(phase_conflicts(&named, 0).is_empty());
        // No claims: nothing to contradict.
        let bare = project(vec![phase("P03", Some(PhaseStatus::Done), false, &[])], &[], &[]);
        assert!(phase_conflicts(&bare, 0).is_empty());
    }

    #[test]
    fn pending_with_code_naming_it_is_a_conflict() {
        let p = with_phase_trace(
            project(vec![phase("P04", Some(PhaseStatus::Pending), false, &[])], &[], &[]),
            0,
        );
        let c = phase_conflicts(&p, 0);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].kind, ConflictKind::PendingWithCode);
        assert_eq!(c[0].other.location, loc("a.ts", 7));
        assert_eq!(c[0].other.says, "1 trace in code names the phase");
        assert!(phase_conflicts(&p, 3).is_empty());
    }
}
