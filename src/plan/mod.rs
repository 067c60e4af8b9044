//! Plans: reading a plan folder's markdown documents into plans, their requirements
//! and their phases, with phase status from `.completed/` records and the execution
//! tracker. Grammar and layouts: `docs/grammar.md` §1–§5. Pure: [`parse_folder`]
//! takes the documents' text and does no I/O.
//!
//! A plan is identified by the ID it declares (`Plan ID: PLAN-X`, `## Phase ID` +
//! `` `PLAN-X.P05` ``, `Phase ID: PLAN-X.P05`, `# PLAN-X: title`, `Plan: PLAN-X`,
//! `"plan_id": "PLAN-X"`), not by its folder name; one folder may declare two plans.

mod build;
mod declare;
mod doc;
mod item;
pub mod lead;
mod phase;
#[cfg(any(test, feature = "fuzzing"))]
pub mod readers;
mod requirement;
mod table;
mod tracker;

pub use tracker::normalise_status;

use crate::diagnostic::Diagnostic;
use crate::grammar::Grammar;
use serde::Serialize;

/// A place in the project: a path relative to the project root (`/`-separated) and a
/// 1-based line (0 = the whole file).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema)]
pub struct Location {
    /// Path relative to the project root.
    pub path: String,
    /// 1-based line; 0 for the whole file.
    pub line: u32,
}

/// How a requirement definition was written (`docs/grammar.md` §4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DefinitionShape {
    /// `### REQ-X: Title` (also `### [REQ-X] Title`, `### REQ-X (Ubiquitous)`).
    Heading,
    /// `[REQ-X] Title`, optionally indented or bulleted.
    Bracket,
    /// `- **REQ-X**: text` or `**REQ-X**` paragraph.
    BoldBullet,
    /// First cell of a specification/requirements table row.
    TableRow,
    /// Only listed in a plan header `Requirements: [REQ-X, …]`: no text written.
    HeaderList,
}

/// A requirement defined by a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Requirement {
    /// The ID as written (`REQ-SP4-003`). Unique within its plan, not across plans.
    pub id: String,
    /// The title (text after the ID on the defining line), possibly empty.
    pub title: String,
    /// The definition's full text as markdown (the heading's section, the bullet and its
    /// continuation lines, or the table row), without the ID line itself for headings.
    pub text: String,
    /// Where it is defined.
    pub location: Location,
    /// How it is written.
    pub shape: DefinitionShape,
    /// True when the ID starts with `REQ-` or the definition sits in a
    /// `specification*` / `requirements*` file, a plan header or a section headed
    /// "Requirements" / "Acceptance criteria"; false for other ID-shaped headings
    /// (`### A1 …`), which the model keeps only when a marker references them.
    pub strong: bool,
    /// The EARS pattern the definition names instead of, or after, its title
    /// (`### R1.1 — Ubiquitous`, `### REQ-X: … (Event-driven)`), shown as a tag;
    /// the title is then the requirement's own text.
    pub pattern: Option<String>,
}

/// How one item refers to another (`docs/grammar.md` §5: prerequisites, risk-to-task
/// mapping, source references; phase task lists).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum LinkKind {
    /// The source implements or addresses a requirement (`Requirements` column).
    Covers,
    /// The source needs the target first (`Prereqs` column, `Depends on:` line).
    DependsOn,
    /// The source reduces a risk (a task whose row names the risk it answers).
    Mitigates,
    /// The source (a risk) is reduced by the target (`R-001 → T-014`).
    MitigatedBy,
    /// The source checks the target (`Verifies` / `Tests` column).
    Verifies,
    /// The source (a phase) contains the target (`Tasks: T-001, T-002`).
    Includes,
    /// The source cites the target without a stated meaning (`Source` column).
    References,
}

impl LinkKind {
    /// How the link reads from its source (`depends on`).
    pub fn label(self) -> &'static str {
        match self {
            LinkKind::Covers => "covers",
            LinkKind::DependsOn => "depends on",
            LinkKind::Mitigates => "mitigates",
            LinkKind::MitigatedBy => "mitigated by",
            LinkKind::Verifies => "verifies",
            LinkKind::Includes => "includes",
            LinkKind::References => "references",
        }
    }

    /// How the link reads from its target (`required by`).
    pub fn reverse_label(self) -> &'static str {
        match self {
            LinkKind::Covers => "covered by",
            LinkKind::DependsOn => "required by",
            LinkKind::Mitigates => "mitigated by",
            LinkKind::MitigatedBy => "mitigates",
            LinkKind::Verifies => "verified by",
            LinkKind::Includes => "included in",
            LinkKind::References => "referenced by",
        }
    }
}

/// A typed link from an item (or phase) to another item, requirement or phase of the
/// same plan, by ID as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Link {
    /// What the link means.
    pub kind: LinkKind,
    /// The target ID as written (`T-001`, `NEW-RISK-003`, `REQ-SP4-003`, `A`).
    pub target: String,
    /// Where the link is written (the table row, mapping line or task list).
    pub location: Location,
}

/// A named value of an item (`Owner/Role` = `Platform Eng`), in document order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Attribute {
    /// The name as written in the table header or label (`Owner/Role`, `Entrance`).
    pub name: String,
    /// The value as written (markdown), trimmed.
    pub value: String,
}

/// An item of a plan other than a requirement or a phase: a task (`T-001`), a risk
/// (`R-001`, `NEW-RISK-001`, or a risk-register row), a gate (`Gate: PASS`), a
/// checklist (`- [x]` items), a spec gap (a `Gap` table row), or an item of a kind the
/// project declares (`[kinds.<name>]` in `tracemark.toml`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    /// The kind's name (`task`, `risk`, `gate`, `checklist`, `gap`, or a configured one).
    pub kind: String,
    /// The ID as written (`T-001`); for shapes without IDs (gates, checklists, gaps,
    /// register rows) `<kind>-<n>`, numbered per plan in document order.
    pub id: String,
    /// The title (the description cell, the heading text, the checklist's label).
    pub title: String,
    /// The defining text as markdown (the heading's section, the checklist's lines,
    /// the mapping line); empty for table rows, whose cells are the attributes.
    pub text: String,
    /// Where it is defined.
    pub location: Location,
    /// Its attributes (owner, priority, status, inputs, outputs, …; for gates
    /// `result` and `reason`; for checklists `checked` and `total`).
    pub attributes: Vec<Attribute>,
    /// Its links to other items, in document order.
    pub links: Vec<Link>,
}

impl Item {
    /// The value of the attribute named `name` (compared case-insensitively).
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.iter().find(|a| a.name.eq_ignore_ascii_case(name)).map(|a| a.value.as_str())
    }
}

/// A phase's status, normalised from the tracker's vocabulary (`docs/grammar.md` §3.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum PhaseStatus {
    /// `[x]`, `✅`, `[OK]`, `[DONE]`, `completed`, `DONE`, `COMPLETE`, `PASS`.
    Done,
    /// `⏳`, `in progress`, `WIP`.
    InProgress,
    /// `[ ]`, `⬜`, `pending`, `[_]`, `TODO`.
    Pending,
    /// `FAIL`, `❌`, `BLOCKED`.
    Failed,
    /// No tracker row and no completion record, or a status tracker could not read.
    Unknown,
}

/// A phase's row in the execution tracker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrackerEntry {
    /// The normalised status.
    pub status: PhaseStatus,
    /// The status cell as written (`✅`, `[x] **PASS** — …`).
    pub raw: String,
    /// The tracker row.
    pub location: Location,
}

/// A requirement claimed by a phase, and where the claim is written (mapping table row,
/// phase file section, phase-index row).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Claim {
    /// Requirement ID as written; bare numbers (`006`) are resolved to the plan's
    /// requirement ending in `-006` when exactly one does.
    pub requirement: String,
    /// Where the claim is written.
    pub location: Location,
}

/// A phase of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Phase {
    /// Canonical phase ID (`P05`, `P05a`, `P00.5`, `R9.P01`; see
    /// [`crate::grammar::canonical_phase`]).
    pub id: String,
    /// Title (`Base provider implementation updates`), possibly empty.
    pub title: String,
    /// Where the phase is defined: its phase file (line of the `## Phase ID` or 1), its
    /// `## P03: …` heading, or the first table row naming it.
    pub location: Location,
    /// The phase's own document, when it has one (`plan/05-implementation.md`).
    pub document: Option<String>,
    /// For phases defined as a heading inside a larger document: the 1-based inclusive
    /// line range of that section.
    pub section: Option<(u32, u32)>,
    /// The requirements the phase claims.
    pub claims: Vec<Claim>,
    /// The phase's execution-tracker row, if any.
    pub tracker: Option<TrackerEntry>,
    /// The completion record (`.completed/P05.md`), if any.
    pub completion: Option<String>,
    /// Attributes written in the phase's section (`Entrance:`, `Exit:` criteria).
    pub attributes: Vec<Attribute>,
    /// Links written in the phase's section (`Tasks: T-001, T-002` → includes).
    pub links: Vec<Link>,
}

impl Phase {
    /// The status shown to users: done when the tracker says so or a completion record
    /// exists; else the tracker's status; else unknown.
    pub fn status(&self) -> PhaseStatus {
        match (&self.tracker, &self.completion) {
            (Some(t), _) if t.status == PhaseStatus::Done => PhaseStatus::Done,
            (_, Some(_)) => PhaseStatus::Done,
            (Some(t), None) => t.status,
            (None, None) => PhaseStatus::Unknown,
        }
    }
}

/// What a document is to its plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "phase", rename_all = "kebab-case")]
pub enum DocumentRole {
    /// `specification*.md` or `requirements*.md`.
    Specification,
    /// `PLAN.md` / `plan.md` / `overview.md` / a one-file plan.
    Overview,
    /// A phase file; the canonical phase ID.
    Phase(String),
    /// A `.completed/` record; the canonical phase ID it records.
    CompletionRecord(String),
    /// `execution-tracker.md`.
    Tracker,
    /// Anything else (analysis, pseudocode, reports, notes).
    Other,
}

/// One markdown document of a plan folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Document {
    /// Path relative to the project root.
    pub path: String,
    /// The first heading's text, else the file name.
    pub title: String,
    /// The ID of the plan it belongs to (the plan it declares, else the folder's first
    /// plan); `None` when the folder declares no plan.
    pub plan: Option<String>,
    /// What it is.
    pub role: DocumentRole,
}

/// A plan: what a folder (or a one-file plan) declares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// The declared ID (`PLAN-20251023-STATELESS-HARDENING`).
    pub id: String,
    /// The title (`Stateless Provider Hardening Phase 4`): the H1 of the declaring
    /// document with `Plan:` / the ID stripped, else the ID.
    pub title: String,
    /// Where the ID is first declared (the declaration that made it this plan's).
    pub declared: Location,
    /// The plan folder (`project-plans/20251023stateless4`) or file.
    pub folder: String,
    /// The requirements it defines, in document order (specification first).
    pub requirements: Vec<Requirement>,
    /// Its phases, sorted by phase number then suffix.
    pub phases: Vec<Phase>,
    /// Its other items (tasks, risks, gates, checklists, gaps, configured kinds), by
    /// kind in grammar order then document order.
    pub items: Vec<Item>,
    /// True when the folder declares no plan ID but holds a specification, phase
    /// files or requirement definitions: the plan is then named after its folder
    /// (`emojifilter`), and `declared` points at its main document with line 0.
    pub synthetic: bool,
}

impl Plan {
    /// The status of phase `i` as shown to users: [`Phase::status`], except that in a
    /// plan that tracks progress (a tracker row or a completion record for some phase),
    /// a phase with neither is pending rather than unknown.
    pub fn phase_status(&self, i: usize) -> PhaseStatus {
        let status = self.phases[i].status();
        let tracked = self.phases.iter().any(|p| p.tracker.is_some() || p.completion.is_some());
        if status == PhaseStatus::Unknown && tracked { PhaseStatus::Pending } else { status }
    }
}

/// Everything read from one plan folder (or one top-level plan file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanFolder {
    /// The folder (or file) path relative to the project root.
    pub path: String,
    /// The plans it declares (usually one, sometimes two, none for notes-only folders).
    pub plans: Vec<Plan>,
    /// Every markdown document in it, sorted by path.
    pub documents: Vec<Document>,
}

/// One input file of a plan folder, as handed to [`parse_folder`].
#[derive(Debug, Clone)]
pub struct InputFile<'a> {
    /// Path relative to the project root.
    pub path: &'a str,
    /// The decoded text (markdown documents, and `.json` files for `plan_id`); `None`
    /// for files whose content is not needed (other `.completed/` evidence).
    pub text: Option<&'a str>,
}

/// Reads one plan folder. `folder` is its path relative to the project root; `files`
/// are every file under it (markdown with text, others with or without), in any order.
/// Returns the folder's plans and documents plus findings (duplicate definitions in one
/// plan). Never panics, whatever the input.
///
/// `grammar` gives the item kinds (task and risk IDs, configured kinds) and the
/// requirement pattern (`tracemark.toml` `[kinds]`).
pub fn parse_folder(
    folder: &str,
    files: &[InputFile<'_>],
    grammar: &Grammar,
) -> (PlanFolder, Vec<Diagnostic>) {
    build::parse_folder(folder, files, grammar)
}
