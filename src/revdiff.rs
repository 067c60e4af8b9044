//! `tracemark diff A..B`: what changed between two revisions — requirements added,
//! removed and reworded, coverage gained and lost, phases completed and reopened,
//! findings new and resolved. Each revision's files are taken from git (`git archive`
//! of its tree into a temporary folder; the user's work tree is never touched) and
//! analysed like `tracemark check` would, with the revision's own `tracemark.toml`.

use crate::baseline::fingerprint;
use crate::model::{Project, ReqKey};
use crate::plan::PhaseStatus;
use crate::provenance::git_command;
use crate::suspect::{DiffTag, text_hash};
use anyhow::{Context as _, Result, bail};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The version of the JSON shape ([`Diff`]), in its `tracemark_diff` field.
pub const FORMAT: u32 = 1;

/// One side of the comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Revision {
    /// As given (`HEAD~1`, `v1.2`).
    pub spec: String,
    /// The full commit ID.
    pub commit: String,
}

/// A requirement, by plan and ID.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct RequirementRef {
    /// The plan ID.
    pub plan: String,
    /// The requirement ID.
    pub id: String,
    /// Its title (at the newer revision when it exists there).
    pub title: String,
}

/// A requirement whose text changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reworded {
    /// Which.
    pub requirement: RequirementRef,
    /// The text at A.
    pub old: String,
    /// The text at B.
    pub new: String,
    /// The word diff of the two.
    pub diff: Vec<(DiffTag, String)>,
}

/// A phase, by plan and ID.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct PhaseRef {
    /// The plan ID.
    pub plan: String,
    /// The phase ID (`P05`).
    pub id: String,
    /// Its title.
    pub title: String,
}

/// A finding, as `check --format json` names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct FindingRef {
    /// The code (`dangling-reference`).
    pub code: String,
    /// `path` relative to the project root.
    pub path: String,
    /// 1-based line (0: the whole file).
    pub line: u32,
    /// The message.
    pub message: String,
}

/// What changed from A to B. Lists are sorted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diff {
    /// [`FORMAT`].
    pub tracemark_diff: u32,
    /// The older revision.
    pub from: Revision,
    /// The newer revision.
    pub to: Revision,
    /// Plans declared at B and not at A, by ID.
    pub plans_added: Vec<String>,
    /// Plans declared at A and not at B.
    pub plans_removed: Vec<String>,
    /// Requirements defined at B and not at A.
    pub requirements_added: Vec<RequirementRef>,
    /// Requirements defined at A and not at B.
    pub requirements_removed: Vec<RequirementRef>,
    /// Requirements at both whose text differs (white space aside).
    pub requirements_reworded: Vec<Reworded>,
    /// Requirements at both, uncovered at A and covered by a code trace at B.
    pub coverage_gained: Vec<RequirementRef>,
    /// Requirements at both, covered at A and uncovered at B.
    pub coverage_lost: Vec<RequirementRef>,
    /// Phases at both, not done at A and done at B.
    pub phases_completed: Vec<PhaseRef>,
    /// Phases at both, done at A and not done at B.
    pub phases_reopened: Vec<PhaseRef>,
    /// Findings at B with no finding of the same fingerprint (code, path, line text) at A.
    pub findings_new: Vec<FindingRef>,
    /// Findings at A with none of the same fingerprint at B.
    pub findings_resolved: Vec<FindingRef>,
}

/// Splits `A..B` (`B` empty: `HEAD`).
///
/// Errors: no `..` in the range, or `A` empty.
pub fn parse_range(range: &str) -> Result<(String, String)> {
    let Some((a, b)) = range.split_once("..") else {
        bail!("`{range}` is not a range: write it as A..B (e.g. `HEAD~1..HEAD` or `v1.0..main`)");
    };
    let b = b.strip_prefix('.').unwrap_or(b);
    if a.is_empty() {
        bail!("`{range}`: the older revision is missing (write A..B)");
    }
    Ok((a.to_string(), if b.is_empty() { "HEAD".into() } else { b.to_string() }))
}

/// The full commit ID of `spec` in the repository holding `root`.
fn resolve(root: &Path, spec: &str) -> Result<String> {
    if spec.starts_with('-') {
        bail!("`{spec}` is not a revision");
    }
    let out = git_command(root)
        .args(["rev-parse", "--verify", "-q", &format!("{spec}^{{commit}}")])
        .output()
        .context("git could not be started")?;
    if !out.status.success() {
        bail!("`{spec}` names no commit of the repository at {}", root.display());
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Writes the files of `commit` under the project root (the root's path inside the
/// repository) into `dest`, from git; nothing in the work tree is read or written.
fn export(root: &Path, commit: &str, dest: &Path) -> Result<()> {
    let prefix = git_command(root)
        .args(["rev-parse", "--show-prefix"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let tree = if prefix.is_empty() { format!("{commit}^{{tree}}") } else { format!("{commit}:{prefix}") };
    let mut child = git_command(root)
        .args(["archive", "--format=tar", &tree])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .context("git could not be started")?;
    let stdout = child.stdout.take().context("no output from git archive")?;
    let mut archive = tar::Archive::new(stdout);
    archive.set_preserve_permissions(false);
    archive.set_overwrite(false);
    // `unpack` refuses entries that would land outside `dest` (`..`, absolute paths).
    let unpacked = archive.unpack(dest);
    let status = child.wait_with_output().context("git archive did not finish")?;
    if !status.status.success() {
        bail!("git archive of {tree} failed: {}", String::from_utf8_lossy(&status.stderr).trim());
    }
    unpacked.with_context(|| format!("cannot unpack {tree} into {}", dest.display()))
}

/// Analyses the project at `root` as it is at `commit`.
fn analyse_at(root: &Path, commit: &str) -> Result<Project> {
    let tmp = tempfile::tempdir().context("cannot create a temporary folder")?;
    let dir = tmp.path().join("tree");
    std::fs::create_dir(&dir)?;
    export(root, commit, &dir)?;
    let config = crate::config::Config::load(&dir, None)
        .with_context(|| format!("the tracemark.toml of {commit} cannot be used"))?;
    crate::site::analyse(&config, &mut crate::site::Timings::default())
}

/// Compares the project at `root` between revisions `a` and `b`.
///
/// Errors: a revision names no commit, git fails, or a revision's configuration is
/// invalid.
pub fn diff(root: &Path, a: &str, b: &str) -> Result<Diff> {
    let (ca, cb) = (resolve(root, a)?, resolve(root, b)?);
    let (pa, pb) = rayon::join(|| analyse_at(root, &ca), || analyse_at(root, &cb));
    let (pa, pb) = (pa?, pb?);
    Ok(compare(&pa, &pb, Revision { spec: a.into(), commit: ca }, Revision { spec: b.into(), commit: cb }))
}

fn requirements(p: &Project) -> BTreeMap<(String, String), ReqKey> {
    let mut out = BTreeMap::new();
    for (pi, plan) in p.plans.iter().enumerate() {
        for (ri, r) in plan.requirements.iter().enumerate() {
            out.entry((plan.id.clone(), r.id.clone())).or_insert(ReqKey { plan: pi, req: ri });
        }
    }
    out
}

fn req_ref(p: &Project, k: ReqKey) -> RequirementRef {
    let plan = &p.plans[k.plan];
    RequirementRef {
        plan: plan.id.clone(),
        id: plan.requirements[k.req].id.clone(),
        title: plan.requirements[k.req].title.clone(),
    }
}

fn findings(p: &Project) -> BTreeMap<String, Vec<FindingRef>> {
    let mut out: BTreeMap<String, Vec<FindingRef>> = BTreeMap::new();
    for d in &p.diagnostics {
        out.entry(fingerprint(d)).or_default().push(FindingRef {
            code: d.code.name().into(),
            path: d.path.clone(),
            line: d.line,
            message: d.message.clone(),
        });
    }
    out
}

/// Compares the project at `root` as it is at revision `base` with `project` (the work
/// tree as analysed for the site, at commit `head` when known).
///
/// Errors: `base` names no commit, git fails, or its configuration is invalid.
pub fn against(root: &Path, base: &str, project: &Project, head: Option<&str>) -> Result<Diff> {
    let commit = resolve(root, base)?;
    let old = analyse_at(root, &commit)?;
    let to = Revision { spec: "the work tree".into(), commit: head.unwrap_or_default().to_string() };
    Ok(compare(&old, project, Revision { spec: base.into(), commit }, to))
}

/// The differences between two analysed projects.
pub fn compare(a: &Project, b: &Project, from: Revision, to: Revision) -> Diff {
    let plans_a: BTreeSet<&str> = a.plans.iter().map(|p| p.id.as_str()).collect();
    let plans_b: BTreeSet<&str> = b.plans.iter().map(|p| p.id.as_str()).collect();
    let (ra, rb) = (requirements(a), requirements(b));
    let mut d = Diff {
        tracemark_diff: FORMAT,
        from,
        to,
        plans_added: plans_b.difference(&plans_a).map(|s| s.to_string()).collect(),
        plans_removed: plans_a.difference(&plans_b).map(|s| s.to_string()).collect(),
        requirements_added: rb
            .iter()
            .filter(|(k, _)| !ra.contains_key(*k))
            .map(|(_, &k)| req_ref(b, k))
            .collect(),
        requirements_removed: ra
            .iter()
            .filter(|(k, _)| !rb.contains_key(*k))
            .map(|(_, &k)| req_ref(a, k))
            .collect(),
        requirements_reworded: Vec::new(),
        coverage_gained: Vec::new(),
        coverage_lost: Vec::new(),
        phases_completed: Vec::new(),
        phases_reopened: Vec::new(),
        findings_new: Vec::new(),
        findings_resolved: Vec::new(),
    };
    for (key, &kb) in &rb {
        let Some(&ka) = ra.get(key) else { continue };
        let (ta, tb) =
            (&a.plans[ka.plan].requirements[ka.req].text, &b.plans[kb.plan].requirements[kb.req].text);
        if text_hash(ta) != text_hash(tb) {
            d.requirements_reworded.push(Reworded {
                requirement: req_ref(b, kb),
                old: ta.clone(),
                new: tb.clone(),
                diff: crate::suspect::word_diff(ta, tb),
            });
        }
        match (a.is_covered(ka), b.is_covered(kb)) {
            (false, true) => d.coverage_gained.push(req_ref(b, kb)),
            (true, false) => d.coverage_lost.push(req_ref(b, kb)),
            _ => {}
        }
    }
    for (pb, plan_b) in b.plans.iter().enumerate() {
        let Some(pa) = a.plans.iter().position(|p| p.id == plan_b.id) else { continue };
        let plan_a = &a.plans[pa];
        for (i, ph) in plan_b.phases.iter().enumerate() {
            let Some(j) = plan_a.phases.iter().position(|x| x.id == ph.id) else { continue };
            let r = PhaseRef { plan: plan_b.id.clone(), id: ph.id.clone(), title: ph.title.clone() };
            match (
                plan_a.phase_status(j) == PhaseStatus::Done,
                b.plans[pb].phase_status(i) == PhaseStatus::Done,
            ) {
                (false, true) => d.phases_completed.push(r),
                (true, false) => d.phases_reopened.push(r),
                _ => {}
            }
        }
    }
    let (fa, fb) = (findings(a), findings(b));
    for (fp, list) in &fb {
        let before = fa.get(fp).map_or(0, Vec::len);
        d.findings_new.extend(list.iter().skip(before).cloned());
    }
    for (fp, list) in &fa {
        let after = fb.get(fp).map_or(0, Vec::len);
        d.findings_resolved.extend(list.iter().skip(after).cloned());
    }
    d.phases_completed.sort();
    d.phases_reopened.sort();
    d.findings_new.sort();
    d.findings_resolved.sort();
    d
}

impl Diff {
    /// The plain-text report: one heading per non-empty list, one line per entry.
    pub fn to_text(&self) -> String {
        use std::fmt::Write as _;
        let mut s = String::new();
        let short = |c: &str| c.chars().take(12).collect::<String>();
        let _ = writeln!(
            s,
            "{} ({}) .. {} ({})",
            self.from.spec,
            short(&self.from.commit),
            self.to.spec,
            short(&self.to.commit)
        );
        let req = |r: &RequirementRef| {
            if r.title.is_empty() {
                format!("{} {}", r.plan, r.id)
            } else {
                format!("{} {}: {}", r.plan, r.id, r.title)
            }
        };
        let mut section = |title: &str, lines: Vec<String>| {
            if !lines.is_empty() {
                let _ = writeln!(s, "\n{title} ({}):", lines.len());
                for l in lines {
                    let _ = writeln!(s, "  {l}");
                }
            }
        };
        section("plans added", self.plans_added.clone());
        section("plans removed", self.plans_removed.clone());
        section("requirements added", self.requirements_added.iter().map(req).collect());
        section("requirements removed", self.requirements_removed.iter().map(req).collect());
        section(
            "requirements reworded",
            self.requirements_reworded
                .iter()
                .map(|r| {
                    let words: String = r
                        .diff
                        .iter()
                        .map(|(t, w)| match t {
                            DiffTag::Equal => w.clone(),
                            DiffTag::Delete => format!("[-{w}-]"),
                            DiffTag::Insert => format!("{{+{w}+}}"),
                        })
                        .collect();
                    format!(
                        "{}\n    {}",
                        req(&r.requirement),
                        words.split_whitespace().collect::<Vec<_>>().join(" ")
                    )
                })
                .collect(),
        );
        section("coverage gained", self.coverage_gained.iter().map(req).collect());
        section("coverage lost", self.coverage_lost.iter().map(req).collect());
        let phase = |p: &PhaseRef| format!("{}.{} {}", p.plan, p.id, p.title).trim_end().to_string();
        section("phases completed", self.phases_completed.iter().map(phase).collect());
        section("phases reopened", self.phases_reopened.iter().map(phase).collect());
        let finding = |f: &FindingRef| format!("{}:{}: {}: {}", f.path, f.line, f.code, f.message);
        section("findings new", self.findings_new.iter().map(finding).collect());
        section("findings resolved", self.findings_resolved.iter().map(finding).collect());
        if self.is_empty() {
            s.push_str("\nno change in plans, requirements, coverage, phases or findings\n");
        }
        s
    }

    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.plans_added.is_empty()
            && self.plans_removed.is_empty()
            && self.requirements_added.is_empty()
            && self.requirements_removed.is_empty()
            && self.requirements_reworded.is_empty()
            && self.coverage_gained.is_empty()
            && self.coverage_lost.is_empty()
            && self.phases_completed.is_empty()
            && self.phases_reopened.is_empty()
            && self.findings_new.is_empty()
            && self.findings_resolved.is_empty()
    }
}

/// The comparison as a standalone HTML page (its stylesheet `static/style.css` beside
/// it, as in a built site). Every text is escaped.
pub fn to_html(d: &Diff) -> String {
    use html_escape::encode_text as e;
    use std::fmt::Write as _;
    let short = |c: &str| c.chars().take(12).collect::<String>();
    let mut s = String::new();
    let title = format!("Changes {} .. {}", d.from.spec, d.to.spec);
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'self'\">\n\
         <title>{t}</title>\n<link rel=\"stylesheet\" href=\"static/style.css\">\n</head>\n<body>\n<main>\n<h1>{t}</h1>\n\
         <p class=\"meta\">From commit <code>{a}</code> to commit <code>{b}</code>.</p>\n",
        t = e(&title),
        a = e(&short(&d.from.commit)),
        b = e(&short(&d.to.commit)),
    );
    let req = |r: &RequirementRef| {
        format!("<code>{}</code> {} <span class=\"muted\">{}</span>", e(&r.id), e(&r.title), e(&r.plan))
    };
    let list = |s: &mut String, title: &str, items: Vec<String>| {
        if items.is_empty() {
            return;
        }
        let _ = write!(s, "<h2>{} <span class=\"count\">{}</span></h2>\n<ul>\n", e(title), items.len());
        for i in items {
            let _ = writeln!(s, "<li>{i}</li>");
        }
        s.push_str("</ul>\n");
    };
    list(&mut s, "Plans added", d.plans_added.iter().map(|p| format!("<code>{}</code>", e(p))).collect());
    list(&mut s, "Plans removed", d.plans_removed.iter().map(|p| format!("<code>{}</code>", e(p))).collect());
    list(&mut s, "Requirements added", d.requirements_added.iter().map(req).collect());
    list(&mut s, "Requirements removed", d.requirements_removed.iter().map(req).collect());
    list(
        &mut s,
        "Requirements reworded",
        d.requirements_reworded
            .iter()
            .map(|r| {
                let words: String = r
                    .diff
                    .iter()
                    .map(|(t, w)| match t {
                        DiffTag::Equal => e(w).into_owned(),
                        DiffTag::Delete => format!("<del>{}</del>", e(w)),
                        DiffTag::Insert => format!("<ins>{}</ins>", e(w)),
                    })
                    .collect();
                format!("{}<p class=\"word-diff\">{words}</p>", req(&r.requirement))
            })
            .collect(),
    );
    list(&mut s, "Coverage gained", d.coverage_gained.iter().map(req).collect());
    list(&mut s, "Coverage lost", d.coverage_lost.iter().map(req).collect());
    let phase = |p: &PhaseRef| {
        format!("<code>{}</code> {} <span class=\"muted\">{}</span>", e(&p.id), e(&p.title), e(&p.plan))
    };
    list(&mut s, "Phases completed", d.phases_completed.iter().map(phase).collect());
    list(&mut s, "Phases reopened", d.phases_reopened.iter().map(phase).collect());
    let finding = |f: &FindingRef| {
        format!("<code>{}:{}</code> <b>{}</b> {}", e(&f.path), f.line, e(&f.code), e(&f.message))
    };
    list(&mut s, "Findings new", d.findings_new.iter().map(finding).collect());
    list(&mut s, "Findings resolved", d.findings_resolved.iter().map(finding).collect());
    if d.is_empty() {
        s.push_str("<p>No change in plans, requirements, coverage, phases or findings.</p>\n");
    }
    s.push_str("</main>\n</body>\n</html>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_split_and_checked() {
        assert_eq!(parse_range("HEAD~1..HEAD").unwrap(), ("HEAD~1".into(), "HEAD".into()));
        assert_eq!(parse_range("v1..").unwrap(), ("v1".into(), "HEAD".into()));
        assert_eq!(parse_range("a...b").unwrap(), ("a".into(), "b".into()));
        assert!(parse_range("HEAD").is_err());
        assert!(parse_range("..HEAD").is_err());
    }
}
