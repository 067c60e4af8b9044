//! Putting a folder together: which plans it declares, which plan each document
//! belongs to, and each plan's requirements, phases, claims and status.
//!
//! - A document belongs to the plan of its first declaration. An undeclared file
//!   belongs to the plan declared by the best document in its nearest directory (its
//!   own, then each parent) that holds a declaration; "best" is shallowest first, then
//!   specification, overview, phase file, other, tracker, record, then path.
//! - The primary plan (listed first) is the one of the best declaring document.
//! - Requirement definitions are taken in order specification, overview, other
//!   documents, phase files, then path and line; header lists only define IDs nothing
//!   else defines. A second definition outside phase files is a
//!   [`Code::DuplicateDefinition`]; a phase file's restatement is a claim of its phase.
//! - Reports, reviews, evidence, trackers and completion records define nothing.

use super::declare::{Decl, Form, declarations};
use super::doc::{Doc, is_markdown};
use super::phase::{heading_phases, strip_title_prefix, table_claims, table_phases};
use super::requirement::{Candidate, candidates, is_id, requirement_tags, tokens};
use super::table::{Table, tables};
use super::tracker::{normalise_status, record_phase, record_rank, tracker_rows};
use super::{
    Claim, DefinitionShape, Document, DocumentRole, InputFile, Location, Phase, Plan, PlanFolder, Requirement,
    TrackerEntry,
};
use crate::diagnostic::{Code, Diagnostic};
use regex::Regex;
use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

/// Sort key of a document for choosing primary plans and titles.
type DocKey<'a> = (usize, u8, &'a str);

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
    (d.dirs().len(), role_rank(&d.role), d.rel.as_str())
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

/// Claims of a phase-file line range: `@requirement` tags, IDs inside
/// "Requirements Implemented" sections, and the file's own requirement candidates.
fn phase_doc_claims(doc: &Doc<'_>, cands: &[Candidate], known: &HashMap<String, usize>) -> Vec<(String, u32)> {
    static SECTION: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)requirements?\s+(?:implemented|addressed|covered|satisfied|fulfilled)").expect("valid regex")
    });
    let accept = |id: &str| id.starts_with("REQ-") || known.contains_key(id);
    let mut out = Vec::new();
    for (i, line) in doc.lines.iter().enumerate() {
        if !doc.fenced[i] {
            out.extend(requirement_tags(line).into_iter().map(|id| (id, i as u32 + 1)));
        }
    }
    for (at, level, text) in &doc.headings {
        if !SECTION.is_match(text) {
            continue;
        }
        for i in *at + 1..doc.section_end(*at, *level) {
            if !doc.fenced[i] {
                out.extend(tokens(doc.lines[i]).into_iter().filter(|t| accept(t)).map(|t| (t, i as u32 + 1)));
            }
        }
    }
    out.extend(cands.iter().filter(|c| accept(&c.id)).map(|c| (c.id.clone(), c.line)));
    out
}

/// See [`super::parse_folder`].
pub(crate) fn parse_folder(folder: &str, files: &[InputFile<'_>]) -> (PlanFolder, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let single = files.iter().any(|f| f.path == folder);
    let mut files: Vec<&InputFile<'_>> = files.iter().collect();
    files.sort_by(|a, b| a.path.cmp(b.path).then(a.text.is_none().cmp(&b.text.is_none())));
    files.dedup_by(|a, b| a.path == b.path);

    let docs: Vec<Doc<'_>> =
        files.iter().filter_map(|f| f.text.map(|t| Doc::new(folder, f.path, t, single))).collect();
    let decls: Vec<Vec<Decl>> = docs.iter().map(declarations).collect();
    let tabs: Vec<Vec<Table>> =
        docs.iter().map(|d| if d.markdown { tables(&d.lines, &d.fenced) } else { Vec::new() }).collect();

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

    // Phase files: the declared phase of their own plan, else the file name's.
    let roles: Vec<DocumentRole> = docs
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
                DocumentRole::Phase(declared.and_then(|x| x.phase.clone()).unwrap_or_else(|| p.clone()))
            }
            r => r.clone(),
        })
        .collect();

    let mut plans = Vec::new();
    for (plan_id, best_doc) in &plan_order {
        let mine: Vec<usize> = (0..docs.len()).filter(|&i| doc_plan[i].as_deref() == Some(*plan_id)).collect();
        let decl = &decls[*best_doc][0];
        let declared = Location { path: docs[*best_doc].path.to_string(), line: decl.line };

        // Title: a specification/overview H1, else the declaring document's H1.
        let mut title_docs: Vec<usize> = mine
            .iter()
            .copied()
            .filter(|&i| matches!(roles[i], DocumentRole::Specification | DocumentRole::Overview) && docs[i].markdown)
            .collect();
        title_docs.sort_by(|a, b| doc_key(&docs[*a]).cmp(&doc_key(&docs[*b])));
        title_docs.push(*best_doc);
        let title = title_docs
            .iter()
            .filter_map(|&i| docs[i].h1())
            .map(strip_title_prefix)
            .find(|t| !t.is_empty())
            .unwrap_or_else(|| plan_id.to_string());

        // Requirements.
        let mut cands: Vec<(u8, usize, Candidate)> = Vec::new();
        let mut doc_cands: HashMap<usize, Vec<Candidate>> = HashMap::new();
        for &i in &mine {
            let d = &docs[i];
            if !d.markdown || d.is_evidence() {
                continue;
            }
            let spec = roles[i] == DocumentRole::Specification;
            let cs = candidates(d, &tabs[i], spec);
            for c in &cs {
                cands.push((class(d), i, c.clone()));
            }
            doc_cands.insert(i, cs);
        }
        cands.sort_by(|a, b| (a.0, docs[a.1].path, a.2.line).cmp(&(b.0, docs[b.1].path, b.2.line)));
        let mut requirements: Vec<Requirement> = Vec::new();
        let mut known: HashMap<String, usize> = HashMap::new();
        for header_pass in [false, true] {
            for (cls, i, c) in &cands {
                if (c.shape == DefinitionShape::HeaderList) != header_pass {
                    continue;
                }
                let location = Location { path: docs[*i].path.to_string(), line: c.line };
                if let Some(&first) = known.get(&c.id) {
                    let f: &Requirement = &requirements[first];
                    if !header_pass && *cls != 3 && f.location != location {
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
                requirements.push(Requirement {
                    id: c.id.clone(),
                    title: c.title.clone(),
                    text: c.text.clone(),
                    location,
                    shape: c.shape,
                    strong: c.id.starts_with("REQ-") || *cls == 0 || c.shape == DefinitionShape::HeaderList,
                });
            }
        }

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
                    .unwrap_or(1);
                let title = d.h1().map(strip_title_prefix).unwrap_or_default();
                let a = acc.entry(p.clone()).or_default();
                a.define(0, &title, Location { path: path.clone(), line });
                if a.document.as_ref().is_none_or(|x| path < *x) {
                    a.document = Some(path.clone());
                }
                let cs = doc_cands.get(&i).map(Vec::as_slice).unwrap_or(&[]);
                for (id, line) in phase_doc_claims(d, cs, &known) {
                    claims.push((p.clone(), id, Location { path: path.clone(), line }));
                }
            }
            if roles[i] == DocumentRole::Overview {
                for f in heading_phases(d) {
                    let a = acc.entry(f.id).or_default();
                    a.define(1, &f.title, Location { path: path.clone(), line: f.line });
                    if a.section.is_none() && a.document.is_none() {
                        a.section = f.section;
                    }
                }
            }
            if matches!(roles[i], DocumentRole::Overview | DocumentRole::Specification | DocumentRole::Phase(_)) {
                for f in table_phases(&tabs[i]) {
                    acc.entry(f.id).or_default().define(2, &f.title, Location { path: path.clone(), line: f.line });
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
            let rel = if single { f.path.to_string() } else { f.path.strip_prefix(folder).unwrap_or(f.path).trim_start_matches('/').to_string() };
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
                Phase {
                    id,
                    title: a.title.map(|t| t.1).unwrap_or_default(),
                    location,
                    document: a.document,
                    section: a.section,
                    claims,
                    tracker: a.tracker,
                    completion: a.completion.map(|c| c.1),
                }
            })
            .collect();
        phases.sort_by_cached_key(|p| phase_key(&p.id));

        plans.push(Plan {
            id: plan_id.to_string(),
            title,
            declared,
            folder: folder.to_string(),
            requirements,
            phases,
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
