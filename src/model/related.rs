//! Related plans: plans of one series, and plans whose documents name each other.
//!
//! **Series.** A plan belongs to the series `stem` when its folder's name, or the
//! name part of its ID, is a stem followed by a one- or two-digit series number:
//! `20251023stateless4`, `20251028-stateless6` and `PLAN-20251027-STATELESS5` are all
//! in the series `stateless`. The folder name loses a leading date (`YYYYMMDD`, with an
//! optional `-` or `_`), the ID its `PLAN-` and date; the first `-` word of the ID's
//! name part is read (`STATELESS5` of `PLAN-X-STATELESS5-FIX`). A plan whose folder
//! name, without its date, is the stem itself (`stateless`) also joins the series.
//! Stems are compared without case, have at least four letters, and are not generic
//! words (`issue`, `plan`, `phase`, `part`, `step`, `round`, `merge`, `version`,
//! `draft`, `fix`; a `-v` before the number is part of it, `auth-v2`): `issue1588` and `issue1594` are not a series (a number of three or
//! more digits is an issue number, not a series number).
//!
//! **Naming.** Plan A names plan B when one of A's documents contains B's ID (as a
//! plan ID, compared without case); B's page lists A as "names this plan", A's page
//! lists B as "named by this plan", each with the first place it is written.

use super::Project;
use crate::plan::Location;
use regex::Regex;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::LazyLock;

/// Why two plans are related.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Relation {
    /// Both are in the series `stem`.
    Series {
        /// The shared stem, lower-case (`stateless`).
        stem: String,
    },
    /// The other plan's documents name this plan's ID (first at `at`).
    NamesThis {
        /// Where.
        at: Location,
    },
    /// This plan's documents name the other plan's ID (first at `at`).
    NamedByThis {
        /// Where.
        at: Location,
    },
}

/// A plan related to another, and why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Related {
    /// Index into `Project::plans`.
    pub plan: usize,
    /// Why.
    pub relation: Relation,
}

const GENERIC: &[&str] =
    &["issue", "plan", "phase", "part", "step", "round", "merge", "version", "draft", "fix"];

/// The series stem of a name (a folder name or an ID's name part), lower-case, if it
/// ends with a one- or two-digit series number (see the module docs).
pub fn series_stem(name: &str) -> Option<String> {
    static RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(?:[0-9]{8}[-_]?)?([a-z][a-z-]*?[a-z])[-_]?[0-9]{1,2}$").expect("valid regex")
    });
    let lower = name.to_ascii_lowercase();
    let stem = RE.captures(&lower)?.get(1)?.as_str();
    // `auth-v2`: the `v` is part of the number.
    let stem = stem.strip_suffix("-v").unwrap_or(stem).trim_end_matches('-').to_string();
    (stem.len() >= 4 && !GENERIC.contains(&stem.as_str())).then_some(stem)
}

/// The folder name of a plan, without a leading date and `.md`, lower-case.
fn bare_folder(folder: &str) -> String {
    static DATE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[0-9]{8}[-_]?").expect("valid regex"));
    let last = folder.rsplit('/').next().unwrap_or(folder).trim_end_matches(".md").to_ascii_lowercase();
    DATE.replace(&last, "").into_owned()
}

/// The stems of a plan: from its folder's last segment and from its ID's first name
/// word.
fn stems(folder: &str, id: &str) -> Vec<String> {
    static ID: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^(?i:plan)-(?:[0-9]{8}-)?([A-Za-z0-9]+)").expect("valid regex"));
    let last = folder.rsplit('/').next().unwrap_or(folder).trim_end_matches(".md");
    let mut out: Vec<String> = series_stem(last).into_iter().collect();
    if let Some(word) = ID.captures(id).and_then(|c| c.get(1)) {
        out.extend(series_stem(word.as_str()));
    }
    out.sort();
    out.dedup();
    out
}

/// For each plan (same index as `project.plans`), its related plans, sorted by
/// relation then plan; one entry per (plan, kind of relation).
pub fn related_plans(project: &Project) -> Vec<Vec<Related>> {
    let n = project.plans.len();
    let mut out: Vec<BTreeSet<Related>> = vec![BTreeSet::new(); n];

    // Series.
    let mut series: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, p) in project.plans.iter().enumerate() {
        for s in stems(&p.folder, &p.id) {
            series.entry(s).or_default().push(i);
        }
    }
    for (i, p) in project.plans.iter().enumerate() {
        if let Some(members) = series.get_mut(&bare_folder(&p.folder))
            && !members.contains(&i)
        {
            members.push(i);
        }
    }
    for (stem, members) in &series {
        for &a in members {
            for &b in
                members.iter().filter(|&&b| b != a && project.plans[b].folder != project.plans[a].folder)
            {
                out[a].insert(Related { plan: b, relation: Relation::Series { stem: stem.clone() } });
            }
        }
    }

    // Naming: the first place each plan's documents name another plan.
    let by_upper: HashMap<String, usize> =
        project.plans.iter().enumerate().map(|(i, p)| (p.id.to_ascii_uppercase(), i)).collect();
    let mut names: BTreeMap<(usize, usize), Location> = BTreeMap::new();
    for doc in &project.documents {
        let Some(a) = doc.plan.as_ref().and_then(|id| project.plan_index.get(id).copied()) else { continue };
        let Some(text) = project.document_text.get(&doc.path) else { continue };
        if memchr::memmem::find(text.as_bytes(), b"PLAN-").is_none()
            && memchr::memmem::find(text.as_bytes(), b"plan-").is_none()
        {
            continue;
        }
        for (ln, line) in text.lines().enumerate() {
            for m in crate::grammar::ids::PLAN_ID_RE.find_iter(line) {
                let Some(&b) = by_upper.get(&m.as_str().to_ascii_uppercase()) else { continue };
                if b != a {
                    names
                        .entry((a, b))
                        .or_insert_with(|| Location { path: doc.path.clone(), line: ln as u32 + 1 });
                }
            }
        }
    }
    for ((a, b), at) in names {
        out[a].insert(Related { plan: b, relation: Relation::NamedByThis { at: at.clone() } });
        out[b].insert(Related { plan: a, relation: Relation::NamesThis { at } });
    }
    out.into_iter().map(|s| s.into_iter().collect()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_series_is_a_stem_and_a_small_number() {
        assert_eq!(series_stem("20251023stateless4").as_deref(), Some("stateless"));
        assert_eq!(series_stem("20251028-stateless6").as_deref(), Some("stateless"));
        assert_eq!(series_stem("STATELESS5").as_deref(), Some("stateless"));
        assert_eq!(series_stem("statelessprovider2").as_deref(), Some("statelessprovider"));
        assert_eq!(series_stem("auth-v2").as_deref(), Some("auth"));
        assert_eq!(series_stem("ui2"), None, "too short");
        assert_eq!(series_stem("issue1588"), None, "an issue number");
        assert_eq!(series_stem("issue15"), None, "a generic word");
        assert_eq!(series_stem("gmerge-0.24.5"), None);
        assert_eq!(series_stem("stateless"), None, "no number");
        assert_eq!(series_stem("STATELESS-HARDENING"), None);
    }

    #[test]
    fn stems_come_from_the_folder_and_the_id() {
        assert_eq!(
            stems("project-plans/20251023stateless4", "PLAN-20251023-STATELESS-HARDENING"),
            ["stateless"]
        );
        assert_eq!(stems("project-plans/x", "PLAN-20251027-STATELESS5"), ["stateless"]);
        assert_eq!(stems("project-plans/issue1594", "PLAN-20260617-COREAPI"), Vec::<String>::new());
        assert_eq!(bare_folder("project-plans/20251001-stateless"), "stateless");
    }
}
