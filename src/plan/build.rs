//! Putting a folder together: which plans it declares, which plan each document
//! belongs to, and each plan's requirements, phases, claims and status.
//!
//! - A document belongs to the plan of its first declaration. An undeclared file
//!   belongs to the plan declared by the best document in its nearest directory (its
//!   own, then each parent) that holds a declaration; "best" is by role first
//!   (specification, overview, phase file, other, tracker, record), then shallowest,
//!   then path.
//! - The primary plan (listed first) is the one of the best declaring document.
//! - Requirement definitions are taken in order specification, overview, other
//!   documents (prose before table rows), then phase files, then path and line; header
//!   lists only define IDs nothing else defines. A second definition outside phase files is a
//!   [`Code::DuplicateDefinition`]; a phase file's restatement is a claim of its phase.
//! - Reports, reviews, evidence, trackers and completion records define nothing.

use super::declare::{Decl, Form, declarations};
use super::doc::{Doc, is_markdown};
use super::item::{FoundItem, items, section_details};
use super::phase::{Found, bare_phase_decls, heading_phases, strip_title_prefix, table_claims, table_phases};
use super::requirement::{
    Candidate, candidates, is_id, requirement_tags, tokens, under_requirements_heading,
};
use super::table::{Table, tables};
use super::tracker::{normalise_status, record_phase, record_rank, tracker_rows};
use super::{
    Attribute, Claim, DefinitionShape, Document, DocumentRole, InputFile, Item, Link, Location, Phase, Plan,
    PlanFolder, Requirement, TrackerEntry,
};
use crate::diagnostic::{Code, Diagnostic};
use crate::grammar::Grammar;
use regex::Regex;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::LazyLock;

/// Sort key of a document for choosing primary plans and titles.
type DocKey<'a> = (usize, usize, &'a str);

fn role_rank(role: &DocumentRole) -> u8 {
    match role {
        DocumentRole::Specification => 0,
        DocumentRole::Overview => 1,
        DocumentRole::Phase(_) => 2,
        DocumentRole::Other => 3,
        DocumentRole::Tracker => 4,
        DocumentRole::CompletionRecord(_) => 5,
    }
}

fn doc_key<'a>(d: &'a Doc<'_>) -> DocKey<'a> {
    (role_rank(&d.role) as usize, d.dirs().len(), d.rel.as_str())
}

/// The definition class of a document: specification, overview, other, phase file.
fn class(d: &Doc<'_>) -> u8 {
    match d.role {
        DocumentRole::Specification => 0,
        DocumentRole::Overview => 1,
        DocumentRole::Phase(_) => 3,
        _ => 2,
    }
}

/// Sort key of a phase ID: round, then kind (`P` numbers first), number, fraction,
/// suffix.
fn phase_key(id: &str) -> (u64, u8, u64, u64, String, String) {
    let (round, rest) = match id.split_once('.') {
        Some((r, rest)) if rest.starts_with('P') && (r.starts_with('R') || r.starts_with("SKIP")) => {
            (r.trim_start_matches(|c: char| c.is_ascii_alphabetic()).parse().unwrap_or(0), rest)
        }
        _ => (0, id),
    };
    let Some(body) = rest.strip_prefix('P').filter(|b| b.starts_with(|c: char| c.is_ascii_digit())) else {
        return (round, 1, 0, 0, String::new(), id.to_string());
    };
    let digits: String = body.chars().take_while(char::is_ascii_digit).collect();
    let after = &body[digits.len()..];
    let (frac, suffix) = match after.strip_prefix('.') {
        Some(f) => {
            let d: String = f.chars().take_while(char::is_ascii_digit).collect();
            (d.parse().unwrap_or(0), f[d.len()..].to_string())
        }
        None => (0, after.to_string()),
    };
    (round, 0, digits.parse().unwrap_or(0), frac, suffix, id.to_string())
}

#[derive(Default)]
struct PhaseAcc {
    title: Option<(u8, String)>,
    location: Option<(u8, Location)>,
    document: Option<String>,
    section: Option<(u32, u32)>,
    claims: Vec<Claim>,
    tracker: Option<TrackerEntry>,
    completion: Option<(u8, String)>,
    details: (Vec<Attribute>, Vec<Link>),
}

impl PhaseAcc {
    fn define(&mut self, rank: u8, title: &str, location: Location) {
        if !title.is_empty() && self.title.as_ref().is_none_or(|(r, _)| rank < *r) {
            self.title = Some((rank, title.to_string()));
        }
        if self.location.as_ref().is_none_or(|(r, l)| (rank, &location) < (*r, l)) {
            self.location = Some((rank, location));
        }
    }
}

/// Claims written in lines `from..to` (0-based) of a phase file or a phase heading's
/// section: `@requirement` tags, IDs inside "Requirements Implemented" sections, and
/// the requirement candidates restated there (header lists excepted).
fn phase_doc_claims(
    doc: &Doc<'_>,
    (from, to): (usize, usize),
    cands: &[Candidate],
    known: &HashMap<String, usize>,
) -> Vec<(String, u32)> {
    static SECTION: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)requirements?\s+(?:implemented|addressed|covered|satisfied|fulfilled)")
            .expect("valid regex")
    });
    let accept = |id: &str| id.starts_with("REQ-") || known.contains_key(id);
    let mut out = Vec::new();
    for i in from..to.min(doc.lines.len()) {
        if !doc.fenced[i] {
            out.extend(requirement_tags(doc.lines[i]).into_iter().map(|id| (id, i as u32 + 1)));
        }
    }
    for (at, level, text) in &doc.headings {
        if *at < from || *at >= to || !SECTION.is_match(text) {
            continue;
        }
        for i in *at + 1..doc.section_end(*at, *level).min(to) {
            if !doc.fenced[i] {
                out.extend(tokens(doc.lines[i]).into_iter().filter(|t| accept(t)).map(|t| (t, i as u32 + 1)));
            }
        }
    }
    out.extend(
        cands
            .iter()
            .filter(|c| c.shape != DefinitionShape::HeaderList)
            .filter(|c| {
                (from..to).contains(&(c.line as usize - 1))
                    && if c.listed { known.contains_key(&c.id) } else { accept(&c.id) }
            })
            .map(|c| (c.id.clone(), c.line)),
    );
    out
}

/// Whether a document is a work log (spec-dev's `active-implementation.md`, a
/// `*-log.md`, `progress.md`, `journal.md`): by its file name's stem.
fn is_log(d: &Doc<'_>) -> bool {
    let name = d.name().to_ascii_lowercase();
    let stem = name.rsplit_once('.').map_or(name.as_str(), |(s, _)| s);
    stem.ends_with("implementation")
        || (stem.ends_with("log") && !stem.ends_with("backlog"))
        || stem.ends_with("progress")
        || stem.ends_with("journal")
}

/// How near its top (1-based line) a document of another name must declare its one
/// phase to be that phase's file.
const PHASE_DECL_TOP: u32 = 20;

/// The phases a multi-phase document declares without a phase heading of their own
/// (`found` holds those with one): each from its declaration to the line before the
/// next declaration of another phase, titled by the nearest heading above that is not
/// `Phase ID`.
fn declared_sections(doc: &Doc<'_>, declared: &[(String, u32)], found: &[Found]) -> Vec<Found> {
    let mut out: Vec<Found> = Vec::new();
    for (k, (id, line)) in declared.iter().enumerate() {
        if found.iter().chain(&out).any(|f| f.id == *id) {
            continue;
        }
        let end = declared[k + 1..]
            .iter()
            .find(|x| x.0 != *id)
            .map(|x| x.1.saturating_sub(1))
            .unwrap_or(doc.lines.len() as u32)
            .max(*line);
        let title = doc
            .headings
            .iter()
            .rev()
            .find(|h| h.0 < *line as usize && !h.2.trim_matches(['*', ' ']).eq_ignore_ascii_case("phase id"))
            .map(|h| strip_title_prefix(&h.2))
            .unwrap_or_default();
        out.push(Found { id: id.clone(), title, line: *line, section: Some((*line, end)) });
    }
    out
}

/// Whether a document defines a requirement the way the requirement reader reads one
/// (a heading, bracket line, bold bullet or bold span naming an ID of the configured
/// grammar, or a requirement table row — see [`candidates`]): an overview that defines
/// requirements makes an undeclared folder a plan; one with only notes does not.
fn has_definitions(d: &Doc<'_>, tables: &[Table], grammar: &Grammar) -> bool {
    candidates(d, tables, true, grammar).iter().any(|c| grammar.allows_requirement(&c.id))
}

/// See [`super::parse_folder`]. Plan titles come from the first H1 naming the plan
/// (`# Plan: …`, `# PLAN-X: …`), else the first H1, of: the specification/overview
/// documents declaring the plan, the best declaring document (unless a completion
/// record or tracker), then the plan's other specification/overview documents; else
/// the ID.
pub(crate) fn parse_folder(
    folder: &str,
    files: &[InputFile<'_>],
    grammar: &Grammar,
) -> (PlanFolder, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let single = files.iter().any(|f| f.path == folder);
    let mut files: Vec<&InputFile<'_>> = files.iter().collect();
    files.sort_by(|a, b| a.path.cmp(b.path).then(a.text.is_none().cmp(&b.text.is_none())));
    files.dedup_by(|a, b| a.path == b.path);

    let docs: Vec<Doc<'_>> =
        files.iter().filter_map(|f| f.text.map(|t| Doc::new(folder, f.path, t, single))).collect();
    let mut decls: Vec<Vec<Decl>> = docs.iter().map(declarations).collect();
    let tabs: Vec<Vec<Table>> =
        docs.iter().map(|d| if d.markdown { tables(&d.lines, &d.fenced) } else { Vec::new() }).collect();
    let found_items: Vec<Vec<FoundItem>> = docs
        .iter()
        .zip(&tabs)
        .map(|(d, t)| {
            if d.is_evidence() {
                return Vec::new();
            }
            let mut found = items(d, t, grammar);
            // A log restates the board's items: its cards are mentions, which define
            // an item only when nothing else does.
            if is_log(d) {
                for f in found.iter_mut().filter(|f| !f.item.id.is_empty()) {
                    f.implicit = true;
                }
            }
            found
        })
        .collect();

    // A folder that declares no plan ID but holds a specification or phase files is
    // still a plan: it is named after its folder, so its requirements get pages.
    let synthetic_id = folder.rsplit('/').next().unwrap_or(folder).trim_end_matches(".md").to_string();
    let mut synthetic = false;
    if decls.iter().all(Vec::is_empty)
        && let Some(i) = (0..docs.len())
            .filter(|&i| {
                docs[i].markdown
                    && matches!(
                        docs[i].role,
                        DocumentRole::Specification | DocumentRole::Overview | DocumentRole::Phase(_)
                    )
            })
            .filter(|&i| {
                !matches!(docs[i].role, DocumentRole::Overview)
                    || has_definitions(&docs[i], &tabs[i], grammar)
                    || found_items[i].iter().any(|f| single || f.item.kind != "checklist")
            })
            .chain(
                // A plan document of another name (`Final_Implementation_Plan.md`) that
                // defines tasks or risks by ID (`T-001`, `R-001`; a risk register
                // alone does not count), or lettered phases.
                (0..docs.len()).filter(|&i| {
                    docs[i].markdown
                        && docs[i].role == DocumentRole::Other
                        && !docs[i].is_evidence()
                        && (found_items[i].iter().any(|f| {
                            !f.implicit
                                && !f.item.id.is_empty()
                                && matches!(f.item.kind.as_str(), "task" | "risk")
                        }) || heading_phases(&docs[i]).iter().any(|f| !f.id.starts_with('P')))
                }),
            )
            .min_by(|&a, &b| doc_key(&docs[a]).cmp(&doc_key(&docs[b])))
    {
        decls[i].push(Decl { plan: synthetic_id.clone(), phase: None, line: 0, form: Form::PlanId });
        synthetic = true;
    }

    // Plans and their best declaring documents.
    let mut best: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, ds) in decls.iter().enumerate() {
        if let Some(d) = ds.first() {
            let e = best.entry(d.plan.as_str()).or_insert(i);
            if doc_key(&docs[i]) < doc_key(&docs[*e]) {
                *e = i;
            }
        }
    }
    let mut plan_order: Vec<(&str, usize)> = best.iter().map(|(p, i)| (*p, *i)).collect();
    plan_order.sort_by(|a, b| doc_key(&docs[a.1]).cmp(&doc_key(&docs[b.1])).then(a.0.cmp(b.0)));

    // The best declared plan of each directory subtree.
    let mut by_dir: HashMap<String, (DocKey<'_>, &str)> = HashMap::new();
    for (i, ds) in decls.iter().enumerate() {
        let Some(d) = ds.first() else { continue };
        let dirs = docs[i].dirs();
        for k in 0..=dirs.len() {
            let prefix = dirs[..k].join("/");
            let key = doc_key(&docs[i]);
            let e = by_dir.entry(prefix).or_insert((key, d.plan.as_str()));
            if key < e.0 {
                *e = (key, d.plan.as_str());
            }
        }
    }
    let plan_of_rel = |rel: &str| -> Option<String> {
        let mut dirs: Vec<&str> = rel.split('/').collect();
        dirs.pop();
        (0..=dirs.len()).rev().find_map(|k| by_dir.get(&dirs[..k].join("/")).map(|e| e.1.to_string()))
    };
    let doc_plan: Vec<Option<String>> = docs
        .iter()
        .zip(&decls)
        .map(|(d, ds)| ds.first().map(|x| x.plan.clone()).or_else(|| plan_of_rel(&d.rel)))
        .collect();

    // The phases each markdown document declares for its own plan (`Phase ID:
    // PLAN-X.P01`, `## Phase ID` + `` `PLAN-X.P01` ``, bare `**Phase ID:** P01`), in
    // line order.
    let declared_phases: Vec<Vec<(String, u32)>> = docs
        .iter()
        .zip(&decls)
        .enumerate()
        .map(|(i, (d, ds))| {
            if !d.markdown || d.is_evidence() {
                return Vec::new();
            }
            let mut v: Vec<(String, u32)> = ds
                .iter()
                .filter(|x| {
                    matches!(x.form, Form::PhaseIdHeading | Form::PhaseIdInline)
                        && Some(&x.plan) == doc_plan[i].as_ref()
                })
                .filter_map(|x| x.phase.clone().map(|p| (p, x.line)))
                .collect();
            v.extend(bare_phase_decls(d));
            v.sort_by_key(|x| x.1);
            v
        })
        .collect();
    let distinct = |i: usize| declared_phases[i].iter().map(|x| &x.0).collect::<BTreeSet<_>>().len();

    // Phase files: the declared phase of their own plan, else the file name's. A
    // document of another name that declares one phase near its top is that phase's
    // file (`**Phase ID:** P01`), unless a phase file of that phase exists.
    let mut roles: Vec<DocumentRole> = docs
        .iter()
        .zip(&decls)
        .enumerate()
        .map(|(i, (d, ds))| match &d.role {
            DocumentRole::Phase(p) => {
                let declared = ds.iter().find(|x| {
                    matches!(x.form, Form::PhaseIdHeading | Form::PhaseIdInline)
                        && x.phase.is_some()
                        && Some(&x.plan) == doc_plan[i].as_ref()
                });
                // A `00-overview.md` that carries the plan header (`Plan ID: PLAN-X`,
                // no phase) and declares no phase is the plan's overview (`docs/grammar.md` §3.2), not
                // a phase P00.
                let plan_header = ds.iter().any(|x| x.form == Form::PlanId && x.phase.is_none());
                let any_phase_decl =
                    ds.iter().any(|x| matches!(x.form, Form::PhaseIdHeading | Form::PhaseIdInline));
                if declared.is_none() && plan_header && !any_phase_decl && declared_phases[i].is_empty() {
                    DocumentRole::Overview
                } else {
                    DocumentRole::Phase(
                        declared
                            .and_then(|x| x.phase.clone())
                            .or_else(|| declared_phases[i].first().map(|x| x.0.clone()))
                            .unwrap_or_else(|| p.clone()),
                    )
                }
            }
            r => r.clone(),
        })
        .collect();
    let phase_files: BTreeSet<(Option<&String>, String)> = roles
        .iter()
        .enumerate()
        .filter_map(|(i, r)| match r {
            DocumentRole::Phase(p) => Some((doc_plan[i].as_ref(), p.clone())),
            _ => None,
        })
        .collect();
    let promoted: Vec<Option<String>> = (0..docs.len())
        .map(|i| {
            let (p, line) = declared_phases[i].first()?;
            (roles[i] == DocumentRole::Other
                && distinct(i) == 1
                && *line <= PHASE_DECL_TOP
                && !phase_files.contains(&(doc_plan[i].as_ref(), p.clone())))
            .then(|| p.clone())
        })
        .collect();
    for (role, p) in roles.iter_mut().zip(promoted) {
        if let Some(p) = p {
            *role = DocumentRole::Phase(p);
        }
    }

    let mut plans = Vec::new();
    for (plan_id, best_doc) in &plan_order {
        let mine: Vec<usize> =
            (0..docs.len()).filter(|&i| doc_plan[i].as_deref() == Some(*plan_id)).collect();
        let decl = &decls[*best_doc][0];
        let declared = Location { path: docs[*best_doc].path.to_string(), line: decl.line };

        // Title: a specification/overview H1, else the declaring document's H1.
        let mut title_docs: Vec<usize> = mine
            .iter()
            .copied()
            .filter(|&i| {
                matches!(roles[i], DocumentRole::Specification | DocumentRole::Overview) && docs[i].markdown
            })
            .collect();
        let declares = |i: usize| decls[i].first().is_some_and(|d| d.plan == *plan_id);
        title_docs
            .sort_by(|a, b| (!declares(*a), doc_key(&docs[*a])).cmp(&(!declares(*b), doc_key(&docs[*b]))));
        // The declaring document comes right after the declaring specifications/overviews.
        let at = title_docs.iter().position(|&i| !declares(i)).unwrap_or(title_docs.len());
        if !matches!(roles[*best_doc], DocumentRole::CompletionRecord(_) | DocumentRole::Tracker) {
            title_docs.insert(at, *best_doc);
        }
        // An H1 that names the plan (`# Plan: …`, `# PLAN-X: …`) wins over other H1s.
        let h1s: Vec<&str> = title_docs.iter().filter_map(|&i| docs[i].h1()).collect();
        let names_plan = |h: &&&str| {
            let t = h.trim_start_matches(['*', '`', ' ']);
            t.get(..5).is_some_and(|p| p.eq_ignore_ascii_case("plan:")) || t.starts_with(*plan_id)
        };
        let title = h1s
            .iter()
            .filter(names_plan)
            .chain(h1s.iter().filter(|h| !names_plan(h)))
            .map(|h| strip_title_prefix(h))
            .find(|t| !t.is_empty())
            .unwrap_or_else(|| plan_id.to_string());

        // Phases written as sections of one document: headings of one-file plans,
        // overviews, the plan's declaring document (`### Phase A — …`) and documents
        // that declare several phases (`## Phase ID` sections of an
        // `implementation-plan.md`), whose declarations without a phase heading
        // define the phase from their line to the next declaration.
        let heading_sections: HashMap<usize, Vec<Found>> = mine
            .iter()
            .filter(|&&i| {
                docs[i].markdown
                    && (roles[i] == DocumentRole::Overview
                        || (roles[i] == DocumentRole::Other
                            && !docs[i].is_evidence()
                            && (i == *best_doc || distinct(i) >= 2)))
            })
            .map(|&i| {
                let mut found = heading_phases(&docs[i]);
                if roles[i] == DocumentRole::Other && distinct(i) >= 2 {
                    // A phase heading whose section declares the phase names it as
                    // declared (`# Phase P00: …` over `` `PLAN-X.R14.P00` ``).
                    for f in &mut found {
                        let Some((a, b)) = f.section else { continue };
                        if let Some((p, _)) = declared_phases[i].iter().find(|(_, l)| (a..=b).contains(l)) {
                            f.id.clone_from(p);
                        }
                    }
                    found.extend(declared_sections(&docs[i], &declared_phases[i], &found));
                }
                (i, found)
            })
            .collect();

        // Requirements.
        let mut cands: Vec<(u8, usize, Candidate)> = Vec::new();
        let mut doc_cands: HashMap<usize, Vec<Candidate>> = HashMap::new();
        for &i in &mine {
            let d = &docs[i];
            if !d.markdown || d.is_evidence() {
                continue;
            }
            // Requirement tables are read in specifications, overviews and analysis
            // documents (`| REQ-ANA-001 | … |`).
            let tables_define = matches!(roles[i], DocumentRole::Specification | DocumentRole::Overview)
                || d.rel.to_ascii_lowercase().contains("analysis");
            let mut cs = candidates(d, &tabs[i], tables_define, grammar);
            cs.retain(|c| grammar.allows_requirement(&c.id));
            let sections: Vec<(u32, u32)> = heading_sections
                .get(&i)
                .map(|v| v.iter().filter_map(|f| f.section).collect())
                .unwrap_or_default();
            for c in &cs {
                // Inside a one-file plan's phase section, a definition is a restatement.
                let in_phase = sections.iter().any(|&(a, b)| (a..=b).contains(&c.line));
                cands.push((if in_phase { 3 } else { class(d) }, i, c.clone()));
            }
            doc_cands.insert(i, cs);
        }
        // Definitions outside phase files first (prose, then table rows), then phase
        // files' restatements (a requirement restated in a phase keeps its
        // specification's text and location), then header lists; within each:
        // specification, overview, other, phase file; shallower, path, line.
        let pass = |c: &Candidate| match c.shape {
            DefinitionShape::TableRow => 1u8,
            DefinitionShape::HeaderList => 2,
            _ => 0,
        };
        let group = |cls: u8, c: &Candidate| match (pass(c), cls) {
            (2, _) => 2u8,
            (_, 3) => 1,
            _ => 0,
        };
        cands.sort_by(|a, b| {
            (group(a.0, &a.2), pass(&a.2), a.0, docs[a.1].dirs().len(), docs[a.1].path, a.2.line).cmp(&(
                group(b.0, &b.2),
                pass(&b.2),
                b.0,
                docs[b.1].dirs().len(),
                docs[b.1].path,
                b.2.line,
            ))
        });
        let mut requirements: Vec<Requirement> = Vec::new();
        let mut known: HashMap<String, usize> = HashMap::new();
        // Whether each requirement's definition sits under a requirements heading.
        let mut headed: Vec<bool> = Vec::new();
        for (cls, i, c) in &cands {
            let location = Location { path: docs[*i].path.to_string(), line: c.line };
            let under = under_requirements_heading(&docs[*i], c.line as usize - 1);
            if *cls == 3 && c.listed && !known.contains_key(&c.id) {
                // `### REQ-A-010 through REQ-A-090` in a phase file names the
                // requirements of that range defined elsewhere, not every number in it.
                continue;
            }
            if let Some(&first) = known.get(&c.id) {
                // Restatements (phase files, analysis, tables, header lists, a mention
                // in a test list of an ID defined under a requirements heading) are
                // silent; two prose definitions in specification/overview documents
                // are not.
                let f: &Requirement = &requirements[first];
                if pass(c) == 0 && *cls <= 1 && f.location != location && (under || !headed[first]) {
                    diags.push(
                        Diagnostic::warning(
                            Code::DuplicateDefinition,
                            &location.path,
                            location.line,
                            format!(
                                "requirement `{}` of plan `{}` is already defined at {}:{}",
                                c.id, plan_id, f.location.path, f.location.line
                            ),
                        )
                        .with_help("keep one definition and refer to it elsewhere"),
                    );
                }
                continue;
            }
            known.insert(c.id.clone(), requirements.len());
            headed.push(under);
            requirements.push(Requirement {
                id: c.id.clone(),
                title: c.title.clone(),
                text: c.text.clone(),
                location,
                shape: c.shape,
                strong: c.id.starts_with("REQ-")
                    || *cls == 0
                    || c.shape == DefinitionShape::HeaderList
                    || under,
                pattern: c.pattern.clone(),
            });
        }

        // Document order, specification first.
        let order: HashMap<&str, (u8, usize)> =
            mine.iter().map(|&i| (docs[i].path, (class(&docs[i]), docs[i].dirs().len()))).collect();
        requirements.sort_by_cached_key(|r| {
            let (c, d) = order.get(r.location.path.as_str()).copied().unwrap_or((9, 0));
            (c, d, r.location.path.clone(), r.location.line)
        });
        let known: HashMap<String, usize> =
            requirements.iter().enumerate().map(|(i, r)| (r.id.clone(), i)).collect();

        // Phases.
        let mut acc: BTreeMap<String, PhaseAcc> = BTreeMap::new();
        let mut claims: Vec<(String, String, Location)> = Vec::new();
        for &i in &mine {
            let d = &docs[i];
            if !d.markdown {
                continue;
            }
            let path = d.path.to_string();
            if let DocumentRole::Phase(p) = &roles[i] {
                let line = decls[i]
                    .iter()
                    .find(|x| matches!(x.form, Form::PhaseIdHeading | Form::PhaseIdInline))
                    .map(|x| x.line)
                    .or_else(|| declared_phases[i].first().map(|x| x.1))
                    .unwrap_or(1);
                let title = d.h1().map(strip_title_prefix).unwrap_or_default();
                let a = acc.entry(p.clone()).or_default();
                a.define(0, &title, Location { path: path.clone(), line });
                if a.document.as_ref().is_none_or(|x| path < *x) {
                    a.document = Some(path.clone());
                }
                let cs = doc_cands.get(&i).map(Vec::as_slice).unwrap_or(&[]);
                for (id, line) in phase_doc_claims(d, (0, d.lines.len()), cs, &known) {
                    claims.push((p.clone(), id, Location { path: path.clone(), line }));
                }
            }
            if let Some(found) = heading_sections.get(&i) {
                let cs = doc_cands.get(&i).map(Vec::as_slice).unwrap_or(&[]);
                for f in found.iter().cloned() {
                    if let Some((a, b)) = f.section {
                        for (id, line) in phase_doc_claims(d, (a as usize - 1, b as usize), cs, &known) {
                            claims.push((f.id.clone(), id, Location { path: path.clone(), line }));
                        }
                    }
                    let a = acc.entry(f.id).or_default();
                    a.define(1, &f.title, Location { path: path.clone(), line: f.line });
                    if let Some((from, to)) = f.section
                        && a.details.0.is_empty()
                        && a.details.1.is_empty()
                    {
                        a.details = section_details(d, (from as usize, to as usize), grammar);
                    }
                    if a.section.is_none() {
                        a.section = f.section;
                    }
                }
            }
            if matches!(
                roles[i],
                DocumentRole::Overview | DocumentRole::Specification | DocumentRole::Phase(_)
            ) {
                for f in table_phases(&tabs[i]) {
                    acc.entry(f.id).or_default().define(
                        2,
                        &f.title,
                        Location { path: path.clone(), line: f.line },
                    );
                }
                for tc in table_claims(&tabs[i]) {
                    let location = Location { path: path.clone(), line: tc.line };
                    for tok in &tc.tokens {
                        for id in resolve(tok, &requirements, &known) {
                            claims.push((tc.phase.clone(), id, location.clone()));
                        }
                    }
                }
            }
            if roles[i] == DocumentRole::Tracker {
                for row in tracker_rows(&tabs[i]) {
                    let a = acc.entry(row.phase).or_default();
                    // A tracker's title column names phases nothing else defines.
                    if a.title.is_none() && !row.title.is_empty() {
                        a.title = Some((4, row.title.clone()));
                    }
                    if a.tracker.is_none() {
                        a.tracker = Some(TrackerEntry {
                            status: normalise_status(&row.raw),
                            raw: row.raw,
                            location: Location { path: path.clone(), line: row.line },
                        });
                    }
                }
            }
        }
        // Completion records, text or not.
        for f in &files {
            let rel = if single {
                f.path.to_string()
            } else {
                f.path.strip_prefix(folder).unwrap_or(f.path).trim_start_matches('/').to_string()
            };
            let mut parts: Vec<&str> = rel.split('/').collect();
            let Some(name) = parts.pop() else { continue };
            if !parts.contains(&".completed") {
                continue;
            }
            let Some(phase) = record_phase(name) else { continue };
            let owner = match docs.iter().position(|d| d.path == f.path) {
                Some(i) => doc_plan[i].clone(),
                None => plan_of_rel(&rel),
            };
            if owner.as_deref() != Some(*plan_id) {
                continue;
            }
            let a = acc.entry(phase).or_default();
            let rank = record_rank(name);
            if a.completion.as_ref().is_none_or(|(r, p)| (rank, f.path) < (*r, p.as_str())) {
                a.completion = Some((rank, f.path.to_string()));
            }
        }
        for (phase, id, location) in claims {
            acc.entry(phase).or_default().claims.push(Claim { requirement: id, location });
        }
        let mut phases: Vec<Phase> = acc
            .into_iter()
            .map(|(id, a)| {
                let mut claims = a.claims;
                claims.sort_by(|x, y| (&x.requirement, &x.location).cmp(&(&y.requirement, &y.location)));
                claims.dedup_by(|x, y| x.requirement == y.requirement);
                claims.sort_by(|x, y| (&x.location, &x.requirement).cmp(&(&y.location, &y.requirement)));
                let location = a
                    .location
                    .map(|l| l.1)
                    .or_else(|| a.tracker.as_ref().map(|t| t.location.clone()))
                    .or_else(|| a.completion.as_ref().map(|c| Location { path: c.1.clone(), line: 0 }))
                    .or_else(|| claims.first().map(|c| c.location.clone()))
                    .unwrap_or(Location { path: folder.to_string(), line: 0 });
                // A section only stands for phases without a document of their own.
                let section = if a.document.is_some() { None } else { a.section };
                Phase {
                    id,
                    title: a.title.map(|t| t.1).unwrap_or_default(),
                    location,
                    document: a.document,
                    section,
                    claims,
                    tracker: a.tracker,
                    completion: a.completion.map(|c| c.1),
                    attributes: a.details.0,
                    links: a.details.1,
                }
            })
            .collect();
        phases.sort_by_cached_key(|p| phase_key(&p.id));

        let items = plan_items(&mine, &found_items, grammar, plan_id, &mut diags);

        plans.push(Plan {
            id: plan_id.to_string(),
            title,
            declared,
            folder: folder.to_string(),
            requirements,
            phases,
            items,
            synthetic: synthetic && *plan_id == synthetic_id,
        });
    }

    let documents = docs
        .iter()
        .enumerate()
        .filter(|(_, d)| is_markdown(d.path))
        .map(|(i, d)| Document {
            path: d.path.to_string(),
            title: d
                .headings
                .first()
                .map(|h| h.2.trim().to_string())
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| d.name().to_string()),
            plan: doc_plan[i].clone(),
            role: roles[i].clone(),
        })
        .collect();
    diags.sort();
    (PlanFolder { path: folder.to_string(), plans, documents }, diags)
}

/// The items of one plan from its documents' findings: explicit definitions win over
/// mapping-line mentions; a second explicit definition of one (kind, ID) is a
/// `duplicate-definition` finding; mentions merge their links into the definition.
/// Items without IDs are numbered `<kind>-<n>` in document order. Sorted by kind (the
/// grammar's kinds first, then gate, checklist, gap) and document order.
fn plan_items(
    mine: &[usize],
    found: &[Vec<FoundItem>],
    grammar: &Grammar,
    plan_id: &str,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Item> {
    let mut all: Vec<&FoundItem> = mine.iter().flat_map(|&i| found[i].iter()).collect();
    all.sort_by(|a, b| (a.implicit, &a.item.location).cmp(&(b.implicit, &b.item.location)));
    let mut out: Vec<Item> = Vec::new();
    let mut index: HashMap<(String, String), usize> = HashMap::new();
    let mut counters: HashMap<String, usize> = HashMap::new();
    for f in all {
        let mut item = f.item.clone();
        if item.id.is_empty() {
            let n = counters.entry(item.kind.clone()).or_insert(0);
            *n += 1;
            item.id = format!("{}-{n}", item.kind);
        }
        let key = (item.kind.clone(), item.id.clone());
        match index.get(&key) {
            Some(&at) => {
                let first = &mut out[at];
                if !f.implicit {
                    diags.push(
                        Diagnostic::warning(
                            Code::DuplicateDefinition,
                            &item.location.path,
                            item.location.line,
                            format!(
                                "{} `{}` of plan `{plan_id}` is already defined at {}:{}",
                                item.kind, item.id, first.location.path, first.location.line
                            ),
                        )
                        .with_help("keep one definition and refer to it elsewhere"),
                    );
                }
                for l in item.links {
                    if !first.links.iter().any(|x| x.kind == l.kind && x.target == l.target) {
                        first.links.push(l);
                    }
                }
            }
            None => {
                index.insert(key, out.len());
                out.push(item);
            }
        }
    }
    let rank = |kind: &str| match grammar.kinds.iter().position(|k| k.name == kind) {
        Some(i) => i,
        None => {
            grammar.kinds.len() + ["gate", "checklist", "gap"].iter().position(|k| *k == kind).unwrap_or(3)
        }
    };
    out.sort_by_cached_key(|i| (rank(&i.kind), i.location.clone()));
    out
}

/// Resolves one requirement token of a mapping cell: `all` → every requirement of the
/// plan; a bare number → the one requirement whose ID ends in `-<number>`; an ID →
/// itself when it starts with `REQ-` or the plan defines it.
fn resolve(tok: &str, reqs: &[Requirement], known: &HashMap<String, usize>) -> Vec<String> {
    if tok.eq_ignore_ascii_case("all") {
        return reqs.iter().map(|r| r.id.clone()).collect();
    }
    if tok.chars().all(|c| c.is_ascii_digit() || c == '.') && tok.starts_with(|c: char| c.is_ascii_digit()) {
        let suffix = format!("-{tok}");
        let hits: Vec<&Requirement> = reqs.iter().filter(|r| r.id.ends_with(&suffix)).collect();
        return if hits.len() == 1 { vec![hits[0].id.clone()] } else { Vec::new() };
    }
    if is_id(tok) && (tok.starts_with("REQ-") || known.contains_key(tok)) {
        return vec![tok.to_string()];
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::PhaseStatus;

    fn parse(folder: &str, files: &[(&str, &str)]) -> (PlanFolder, Vec<Diagnostic>) {
        let inputs: Vec<InputFile<'_>> =
            files.iter().map(|(p, t)| InputFile { path: p, text: Some(t) }).collect();
        parse_folder(folder, &inputs, &Grammar::default())
    }

    const SPEC: &str = "# Plan: Stateless Hardening\n\nPlan ID: PLAN-20251023-STATELESS-HARDENING\nRequirements: REQ-SP4-001, REQ-SP4-002\n\n## Requirements\n- **REQ-SP4-001**: BaseProvider must require context.\n- **REQ-SP4-002**: Providers drop caches.\n";
    const OVERVIEW: &str = "# Phase 00: Plan Overview\n\n## Phase ID\n`PLAN-20251023-STATELESS-HARDENING.P00`\n\n## Phase Sequencing\n| Phase | Focus | Verification |\n|-------|-------|--------------|\n| P00 | Plan overview | P00a – Overview verification |\n| P01 | Analysis | P01a – Analysis verification |\n\n## Requirement Mapping\n| Requirement | Covered Phases | Notes |\n|---|---|---|\n| REQ-SP4-001 | P01, P01a | x |\n\n```\n@requirement:REQ-SP4-00X\n### REQ-FENCED-001: not a definition\n```\n";
    const PHASE01: &str = "# Phase 01: Deep Analysis\n\n## Phase ID\n`PLAN-20251023-STATELESS-HARDENING.P01`\n\n## Requirements Implemented (Expanded)\n### REQ-SP4-002: Providers drop caches\n**Full Text**: restated.\n";
    const TRACKER: &str = "| Phase | ID | Status | Notes |\n|---|---|---|---|\n| 00 | P00 | ✅ | done |\n| 01 | P01 | ⬜ | - |\n| 02 | P02 | [ ] | later |\n";

    fn folder() -> Vec<(&'static str, &'static str)> {
        vec![
            ("pp/s4/plan/01-analysis.md", PHASE01),
            ("pp/s4/specification.md", SPEC),
            ("pp/s4/execution-tracker.md", TRACKER),
            ("pp/s4/plan/00-overview.md", OVERVIEW),
            ("pp/s4/.completed/P00a.md", "Phase: P00a\n"),
            ("pp/s4/.completed/P03.md", "done\n"),
            ("pp/s4/.completed/README.md", "# Markers\n"),
        ]
    }

    #[test]
    fn phase_files_with_spec_tracker_and_records() {
        let (pf, diags) = parse("pp/s4", &folder());
        assert_eq!(diags, vec![]);
        assert_eq!(pf.plans.len(), 1);
        let plan = &pf.plans[0];
        assert_eq!(plan.id, "PLAN-20251023-STATELESS-HARDENING");
        assert_eq!(plan.title, "Stateless Hardening");
        assert_eq!(plan.declared, Location { path: "pp/s4/specification.md".into(), line: 3 });
        let reqs: Vec<(&str, DefinitionShape, u32, bool)> =
            plan.requirements.iter().map(|r| (r.id.as_str(), r.shape, r.location.line, r.strong)).collect();
        assert_eq!(
            reqs,
            vec![
                ("REQ-SP4-001", DefinitionShape::BoldBullet, 7, true),
                ("REQ-SP4-002", DefinitionShape::BoldBullet, 8, true)
            ]
        );
        let phases: Vec<(&str, &str, PhaseStatus, Vec<&str>)> = plan
            .phases
            .iter()
            .map(|p| {
                (
                    p.id.as_str(),
                    p.title.as_str(),
                    p.status(),
                    p.claims.iter().map(|c| c.requirement.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(
            phases,
            vec![
                ("P00", "Plan Overview", PhaseStatus::Done, vec![]),
                ("P00a", "Overview verification", PhaseStatus::Done, vec![]),
                ("P01", "Deep Analysis", PhaseStatus::Pending, vec!["REQ-SP4-001", "REQ-SP4-002"]),
                ("P01a", "Analysis verification", PhaseStatus::Unknown, vec!["REQ-SP4-001"]),
                ("P02", "", PhaseStatus::Pending, vec![]),
                ("P03", "", PhaseStatus::Done, vec![]),
            ]
        );
        let p00 = &plan.phases[0];
        assert_eq!(p00.location, Location { path: "pp/s4/plan/00-overview.md".into(), line: 3 });
        assert_eq!(p00.document.as_deref(), Some("pp/s4/plan/00-overview.md"));
        assert_eq!(p00.tracker.as_ref().map(|t| (t.raw.as_str(), t.location.line)), Some(("✅", 3)));
        assert_eq!(plan.phases[1].completion.as_deref(), Some("pp/s4/.completed/P00a.md"));
        assert_eq!(plan.phases[5].completion.as_deref(), Some("pp/s4/.completed/P03.md"));
        assert_eq!(
            plan.phases[2].claims[0].location,
            Location { path: "pp/s4/plan/00-overview.md".into(), line: 15 }
        );
        assert_eq!(
            plan.phases[2].claims[1].location,
            Location { path: "pp/s4/plan/01-analysis.md".into(), line: 7 }
        );
        let docs: Vec<(&str, &str, DocumentRole)> =
            pf.documents.iter().map(|d| (d.path.as_str(), d.title.as_str(), d.role.clone())).collect();
        assert_eq!(
            docs,
            vec![
                ("pp/s4/.completed/P00a.md", "P00a.md", DocumentRole::CompletionRecord("P00a".into())),
                ("pp/s4/.completed/P03.md", "P03.md", DocumentRole::CompletionRecord("P03".into())),
                ("pp/s4/.completed/README.md", "Markers", DocumentRole::Other),
                ("pp/s4/execution-tracker.md", "execution-tracker.md", DocumentRole::Tracker),
                ("pp/s4/plan/00-overview.md", "Phase 00: Plan Overview", DocumentRole::Phase("P00".into())),
                ("pp/s4/plan/01-analysis.md", "Phase 01: Deep Analysis", DocumentRole::Phase("P01".into())),
                ("pp/s4/specification.md", "Plan: Stateless Hardening", DocumentRole::Specification),
            ]
        );
        assert!(pf.documents.iter().all(|d| d.plan.as_deref() == Some("PLAN-20251023-STATELESS-HARDENING")));
    }

    #[test]
    fn input_order_does_not_matter_and_crlf_reads_the_same() {
        let mut files = folder();
        let a = parse("pp/s4", &files);
        files.reverse();
        assert_eq!(parse("pp/s4", &files), a);
        let crlf: Vec<(String, String)> =
            folder().iter().map(|(p, t)| (p.to_string(), t.replace('\n', "\r\n"))).collect();
        let crlf: Vec<(&str, &str)> = crlf.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
        let b = parse("pp/s4", &crlf);
        let strip = |pf: &PlanFolder| {
            pf.plans[0]
                .phases
                .iter()
                .map(|p| (p.id.clone(), p.title.clone(), p.location.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(strip(&b.0), strip(&a.0));
        assert_eq!(b.0.plans[0].requirements[0].title, "BaseProvider must require context.");
    }

    #[test]
    fn restatement_defines_when_nothing_else_does() {
        let (pf, diags) = parse(
            "pp/x",
            &[
                (
                    "pp/x/plan/02-impl.md",
                    "## Phase ID\n`PLAN-A1.P02`\n## Requirements Implemented\n### REQ-A-001: Title two\n",
                ),
                (
                    "pp/x/plan/01-stub.md",
                    "## Phase ID\n`PLAN-A1.P01`\n## Requirements Implemented\n### REQ-A-001: Title one\nbody\n",
                ),
            ],
        );
        assert_eq!(diags, vec![]);
        let r = &pf.plans[0].requirements;
        assert_eq!(r.len(), 1);
        assert_eq!(
            (r[0].title.as_str(), r[0].location.path.as_str(), r[0].text.as_str()),
            ("Title one", "pp/x/plan/01-stub.md", "body")
        );
        let claims: Vec<Vec<&str>> = pf.plans[0]
            .phases
            .iter()
            .map(|p| p.claims.iter().map(|c| c.requirement.as_str()).collect())
            .collect();
        assert_eq!(claims, vec![vec!["REQ-A-001"], vec!["REQ-A-001"]]);
        assert_eq!(pf.plans[0].title, "PLAN-A1");
    }

    #[test]
    fn duplicate_definitions_are_reported() {
        let (pf, diags) = parse(
            "pp/d",
            &[
                ("pp/d/PLAN.md", "Plan ID: PLAN-D1\n[REQ-D-001] From plan\n"),
                (
                    "pp/d/specification.md",
                    "# Spec\n### REQ-D-001: From spec\n| REQ-D-001 | table restates |\n",
                ),
            ],
        );
        assert_eq!(pf.plans[0].requirements.len(), 1);
        assert_eq!(pf.plans[0].requirements[0].title, "From spec");
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, Code::DuplicateDefinition);
        assert_eq!((diags[0].path.as_str(), diags[0].line), ("pp/d/PLAN.md", 2));
        assert_eq!(
            diags[0].message,
            "requirement `REQ-D-001` of plan `PLAN-D1` is already defined at pp/d/specification.md:2"
        );
    }

    #[test]
    fn two_plans_in_one_folder() {
        let (pf, _) = parse(
            "pp/924",
            &[
                ("pp/924/plan.md", "# Issue 924: TODO Persistence\n\nPlan ID: PLAN-20260129-TODOPERSIST\n"),
                (
                    "pp/924/phase17-enhancements.md",
                    "# Phase 17-20: Enhancements\n\n## Plan ID: PLAN-20260129-TODOPERSIST-EXT\n",
                ),
                ("pp/924/phase18-completed.md", "**Plan ID**: PLAN-20260129-TODOPERSIST-EXT.P18\n"),
                ("pp/924/overview.md", "# Overview\nno id here\n"),
            ],
        );
        let plans: Vec<(&str, &str, u32)> =
            pf.plans.iter().map(|p| (p.id.as_str(), p.title.as_str(), p.declared.line)).collect();
        assert_eq!(
            plans,
            vec![
                ("PLAN-20260129-TODOPERSIST", "Issue 924: TODO Persistence", 3),
                ("PLAN-20260129-TODOPERSIST-EXT", "Enhancements", 3)
            ]
        );
        let owners: Vec<(&str, Option<&str>)> =
            pf.documents.iter().map(|d| (d.path.as_str(), d.plan.as_deref())).collect();
        assert_eq!(
            owners,
            vec![
                ("pp/924/overview.md", Some("PLAN-20260129-TODOPERSIST")),
                ("pp/924/phase17-enhancements.md", Some("PLAN-20260129-TODOPERSIST-EXT")),
                ("pp/924/phase18-completed.md", Some("PLAN-20260129-TODOPERSIST-EXT")),
                ("pp/924/plan.md", Some("PLAN-20260129-TODOPERSIST")),
            ]
        );
    }

    #[test]
    fn single_file_plan_with_heading_phases_and_phase_index() {
        let text = "# Plan: GitHub broker\n\nPlan ID: `PLAN-20260731-GHBROKER`\n\n## Requirements\n\n### REQ-001: Credential stays out\n\n### REQ-006: Frames fit\n\n## Phase Index\n\n| Phase | Title | Requirements |\n|---|---|---|\n| P01 | Preflight | all |\n| P02 | Frames | 006 |\n\n## P01: Preflight verification\n\nCheck things.\n\n## P02: Frame capacity\n\n### REQ-006: Frames fit\n@requirement:REQ-001\n";
        let (pf, diags) = parse("pp/p.md", &[("pp/p.md", text)]);
        assert_eq!(diags, vec![]);
        let plan = &pf.plans[0];
        assert_eq!(
            (plan.id.as_str(), plan.title.as_str(), plan.folder.as_str()),
            ("PLAN-20260731-GHBROKER", "GitHub broker", "pp/p.md")
        );
        assert_eq!(
            plan.requirements.iter().map(|r| (r.id.as_str(), r.location.line)).collect::<Vec<_>>(),
            vec![("REQ-001", 7), ("REQ-006", 9)]
        );
        type Row<'a> = (&'a str, &'a str, Option<(u32, u32)>, Vec<(&'a str, u32)>);
        let phases: Vec<Row<'_>> = plan
            .phases
            .iter()
            .map(|p| {
                (
                    p.id.as_str(),
                    p.title.as_str(),
                    p.section,
                    p.claims.iter().map(|c| (c.requirement.as_str(), c.location.line)).collect(),
                )
            })
            .collect();
        assert_eq!(
            phases,
            vec![
                ("P01", "Preflight verification", Some((18, 20)), vec![("REQ-001", 15), ("REQ-006", 15)]),
                ("P02", "Frame capacity", Some((22, 25)), vec![("REQ-006", 16), ("REQ-001", 25)]),
            ]
        );
        assert_eq!(pf.documents[0].role, DocumentRole::Overview);
    }

    #[test]
    fn folder_without_id_lists_documents_only() {
        let (pf, diags) = parse(
            "pp/notes",
            &[
                ("pp/notes/NOTES.md", "Some notes\nPlan ID: PLAN-YYYYMMDD-[FEATURE]\n"),
                ("pp/notes/a.json", "{}"),
            ],
        );
        assert_eq!(diags, vec![]);
        assert_eq!(pf.plans, vec![]);
        assert_eq!(
            pf.documents,
            vec![Document {
                path: "pp/notes/NOTES.md".into(),
                title: "NOTES.md".into(),
                plan: None,
                role: DocumentRole::Other
            }]
        );
    }

    #[test]
    fn dotted_ids_and_free_text_tracker() {
        let (pf, _) = parse(
            "pp/m",
            &[
                ("pp/m/README.md", "# Merge\n\nPlan ID: PLAN-20260725-MERGE-0.11-FROM-0.10\n"),
                (
                    "pp/m/execution-tracker.md",
                    "| Phase | Name | Status |\n|---|---|---|\n| P4 | Verify | `[x]` **PASS** — G2–G9 |\n| P5 | Review | FAIL then remediated |\n| P8 | Land | `[~]` partial |\n",
                ),
                ("pp/m/.completed/R20-P01.md", "x"),
                ("pp/m/.completed/P0.5.md", "x"),
            ],
        );
        let plan = &pf.plans[0];
        assert_eq!(plan.id, "PLAN-20260725-MERGE-0.11-FROM-0.10");
        let phases: Vec<(&str, PhaseStatus)> =
            plan.phases.iter().map(|p| (p.id.as_str(), p.status())).collect();
        assert_eq!(
            phases,
            vec![
                ("P00.5", PhaseStatus::Done),
                ("P04", PhaseStatus::Done),
                ("P05", PhaseStatus::Done),
                ("P08", PhaseStatus::InProgress),
                ("R20.P01", PhaseStatus::Done),
            ]
        );
    }

    #[test]
    fn a_multi_phase_document_names_its_phases_as_declared() {
        let text = "# Merge plan\n\n# Phase P00: Preflight\n\n## Phase ID\n\n`PLAN-20250219-M.R14.P00`\n\nCheck.\n\n# Phase P01: Port\n\n## Phase ID\n\n`PLAN-20250219-M.R14.P01`\n";
        let (pf, _) = parse("pp/m", &[("pp/m/abc-plan.md", text)]);
        let phases: Vec<(&str, &str)> =
            pf.plans[0].phases.iter().map(|p| (p.id.as_str(), p.title.as_str())).collect();
        assert_eq!(phases, [("R14.P00", "Preflight"), ("R14.P01", "Port")]);
        let sections: Vec<Option<(u32, u32)>> = pf.plans[0].phases.iter().map(|p| p.section).collect();
        assert_eq!(sections, [Some((3, 9)), Some((11, 15))]);
    }

    #[test]
    fn a_final_implementation_plan_makes_its_folder_a_plan() {
        let tasks = "# Final Implementation Plan\n\n| Task ID | Description | Prereqs | Source |\n|---|---|---|---|\n| T-001 | Pin toolchain | None | SR B-003; NEW-RISK-003 |\n\n## 4. Execution Phases\n\n### Phase A — Planning & Controls\n- Tasks: T-001, T-002.\n";
        let gate = "# Plan Phase — Instructions (v1.1)\n\n**Guardrail:** stop for review.\n\n6. **Gate**\n   - Append `Gate: PASS`; otherwise `Gate: FAIL — <reason>`.\n";
        let (pf, diags) = parse("pp/o", &[("pp/o/Final.md", tasks), ("pp/o/Plan.md", gate)]);
        assert_eq!(diags, vec![]);
        // Tasks and lettered phases in a document of another name: a plan named after
        // its folder; the instructions that quote a gate define nothing.
        assert_eq!(pf.plans.len(), 1);
        let plan = &pf.plans[0];
        assert_eq!((plan.id.as_str(), plan.synthetic), ("o", true));
        assert_eq!(plan.declared, Location { path: "pp/o/Final.md".into(), line: 0 });
        assert_eq!(plan.phases.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(), ["A"]);
        assert_eq!(plan.items.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(), ["T-001"]);
        let docs: Vec<(&str, &str)> =
            pf.documents.iter().map(|d| (d.path.as_str(), d.title.as_str())).collect();
        assert_eq!(
            docs,
            vec![
                ("pp/o/Final.md", "Final Implementation Plan"),
                ("pp/o/Plan.md", "Plan Phase — Instructions (v1.1)")
            ]
        );
    }

    #[test]
    fn json_declaration_and_record_fields() {
        let (pf, _) = parse(
            "pp/j",
            &[
                ("pp/j/compliance-report.json", "{\"plan_id\": \"PLAN-20251028-STATELESS6\"}"),
                ("pp/j/.completed/P14a.md", "# Done\n- Phase ID: PLAN-20251028-STATELESS6.P14a\n"),
                ("pp/j/.completed/P03a-V.md", "x"),
                ("pp/j/.completed/P05.txt", "log"),
                ("pp/j/.completed/P05.md", "x"),
                ("pp/j/.completed/PLAN-COMPLETE.md", "# All done\n"),
            ],
        );
        let plan = &pf.plans[0];
        assert_eq!(plan.id, "PLAN-20251028-STATELESS6");
        assert_eq!(plan.title, "PLAN-20251028-STATELESS6");
        assert_eq!(plan.declared, Location { path: "pp/j/compliance-report.json".into(), line: 1 });
        let phases: Vec<(&str, Option<&str>)> =
            plan.phases.iter().map(|p| (p.id.as_str(), p.completion.as_deref())).collect();
        assert_eq!(
            phases,
            vec![
                ("P03a-V", Some("pp/j/.completed/P03a-V.md")),
                ("P05", Some("pp/j/.completed/P05.md")),
                ("P14a", Some("pp/j/.completed/P14a.md")),
            ]
        );
        assert_eq!(pf.documents.len(), 4);
        assert_eq!(pf.documents[3].role, DocumentRole::Other);
    }

    #[test]
    fn phase_file_wins_over_overview_heading() {
        let (pf, _) = parse(
            "pp/h",
            &[
                ("pp/h/PLAN.md", "Plan ID: PLAN-H1\n\n## P01: From heading\nbody\n"),
                ("pp/h/plan/01-stub.md", "# Phase 01: From file\n"),
            ],
        );
        let p = &pf.plans[0].phases[0];
        assert_eq!((p.id.as_str(), p.title.as_str()), ("P01", "From file"));
        assert_eq!(p.location, Location { path: "pp/h/plan/01-stub.md".into(), line: 1 });
        assert_eq!((p.document.as_deref(), p.section), (Some("pp/h/plan/01-stub.md"), None));
    }
}
