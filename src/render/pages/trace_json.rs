//! `trace.json`: the whole cross-reference, machine-readable.

use super::*;

/// `source` of `trace.json`: the commit the site shows (all `null` and `dirty: false`
/// when it was not built from a git checkout).
#[derive(Serialize)]
pub(super) struct SourceJson<'a> {
    /// The full commit ID of `HEAD`.
    pub(super) commit: Option<&'a str>,
    /// Its committer date, ISO 8601.
    pub(super) date: Option<&'a str>,
    /// Tracked files differ from the commit.
    pub(super) dirty: bool,
    /// The repository's web address, without credentials.
    pub(super) repo_url: Option<&'a str>,
}

/// `trace.json`: the whole cross-reference, machine-readable. Shape: `{ "tracemark":
/// version, "summary": {counts}, "files": [{path, markers, by_placement, traces}],
/// "plans": [{id, title, folder, declared, requirements:
/// [{id, title, location, shape, covered, traces: [trace index]}], phases: [{id, title,
/// status, location, document, completion, claims, attributes, links}], items: [{kind,
/// id, title, location, attributes: [{name, value}], links: [{kind, target, location,
/// resolved: {kind, id} | null}], incoming: [{kind, from: {kind, id}}], traces}]}],
/// "traces": [{path, line, end_line, placement, excerpt: [first, last], ranges:
/// [[start, end], …] (the lines shown; a gap between two), excerpt_cut, plans: [{plan, phase,
/// resolved}], requirements: [{id, status, plan}], items: [{kind, id, status, plan}],
/// unresolved}], "diagnostics": [...], "source": {commit, date, dirty, repo_url},
/// "build_date" }`. With test reports (`test_results`): each requirement's
/// `verification` (`verified`, `failing`, `unverified`), each trace's `test` (`{title,
/// group}` or null) and `results` (its matched cases `{report, line, suite, classname,
/// name, file?, outcome, message?}`, or `[{outcome: "not-run"}]` for a test with no
/// case), `summary.verification` (counts) and a top-level `verification` (`{reports,
/// unmatched: [case]}`); none of these keys appear without reports. Deterministic and
/// compact (one line; `jq .` pretty-prints it).
pub fn trace_json(project: &Project, provenance: &Provenance) -> Result<Vec<u8>> {
    #[derive(Serialize)]
    struct Json<'a> {
        tracemark: &'static str,
        source: SourceJson<'a>,
        build_date: Option<&'a str>,
        summary: &'a crate::model::Summary,
        plans: Vec<serde_json::Value>,
        files: Vec<serde_json::Value>,
        traces: Vec<serde_json::Value>,
        mentions: Vec<serde_json::Value>,
        #[serde(skip_serializing_if = "Option::is_none")]
        verification: Option<serde_json::Value>,
        diagnostics: &'a [Diagnostic],
    }
    let verification = project.verification.as_ref();
    let plans = project
        .plans
        .iter()
        .enumerate()
        .map(|(pi, p)| {
            let requirements: Vec<_> = p
                .requirements
                .iter()
                .enumerate()
                .map(|(ri, r)| {
                    let key = ReqKey { plan: pi, req: ri };
                    let traces = project.requirement_traces.get(&key).cloned().unwrap_or_default();
                    let covered = project.is_covered(key);
                    let mut json = serde_json::json!({
                        "id": r.id, "title": r.title, "pattern": r.pattern, "location": r.location, "shape": r.shape,
                        "covered": covered, "traces": traces,
                        "mentions": project.requirement_mentions.get(&key).cloned().unwrap_or_default(),
                    });
                    if let Some(v) = verification {
                        json["verification"] = serde_json::json!(v.status(key));
                    }
                    json
                })
                .collect();
            let phases: Vec<_> = p
                .phases
                .iter()
                .enumerate()
                .map(|(i, ph)| {
                    serde_json::json!({
                        "id": ph.id, "title": ph.title, "status": p.phase_status(i), "location": ph.location,
                        "document": ph.document, "completion": ph.completion,
                        "tracker": ph.tracker.as_ref().map(|t| &t.raw),
                        "claims": ph.claims.iter().map(|c| &c.requirement).collect::<Vec<_>>(),
                        "attributes": ph.attributes, "links": ph.links,
                    })
                })
                .collect();
            let node_ref = |n: &Node| match *n {
                Node::Requirement { key } => serde_json::json!({
                    "kind": "requirement", "id": project.plans[key.plan].requirements[key.req].id,
                }),
                Node::Phase { plan, phase } => serde_json::json!({
                    "kind": "phase", "id": project.plans[plan].phases[phase].id,
                }),
                Node::Item { key } => {
                    let it = &project.plans[key.plan].items[key.item];
                    serde_json::json!({ "kind": it.kind, "id": it.id })
                }
            };
            let items: Vec<_> = p
                .items
                .iter()
                .enumerate()
                .map(|(ii, it)| {
                    let key = ItemKey { plan: pi, item: ii };
                    let targets = project.item_link_targets.get(&key);
                    let links: Vec<_> = it
                        .links
                        .iter()
                        .enumerate()
                        .map(|(li, l)| {
                            let target = targets.and_then(|t| t.get(li).copied().flatten());
                            serde_json::json!({
                                "kind": l.kind, "target": l.target, "location": l.location,
                                "resolved": target.as_ref().map(node_ref),
                            })
                        })
                        .collect();
                    let incoming: Vec<_> = project
                        .incoming
                        .get(&Node::Item { key })
                        .map(|v| {
                            v.iter()
                                .map(|(k, n)| serde_json::json!({ "kind": k, "from": node_ref(n) }))
                                .collect()
                        })
                        .unwrap_or_default();
                    serde_json::json!({
                        "kind": it.kind, "id": it.id, "title": it.title, "location": it.location,
                        "attributes": it.attributes, "links": links, "incoming": incoming,
                        "traces": project.item_traces.get(&key).cloned().unwrap_or_default(),
                    })
                })
                .collect();
            serde_json::json!({
                "id": p.id, "title": p.title, "folder": p.folder, "declared": p.declared,
                "synthetic": p.synthetic, "requirements": requirements, "phases": phases,
                "items": items, "status": crate::model::status::plan_status(project, pi),
                "conflicts": crate::model::status::phase_conflicts(project, pi).into_iter().map(|c| serde_json::json!({
                    "phase": p.phases[c.phase].id, "kind": c.kind, "tracker": c.tracker, "other": c.other,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let traces = project
        .traces
        .iter()
        .enumerate()
        .map(|(ti, t)| {
            let file = &project.files[t.file];
            let mut json = serde_json::json!({
                "path": file.path, "line": t.trace.line, "end_line": t.trace.end_line,
                "placement": t.trace.placement, "excerpt": t.trace.excerpt.span(),
                "ranges": t.trace.excerpt.ranges, "excerpt_cut": t.trace.excerpt.cut,
                "plans": t.plans.iter().map(|pt| serde_json::json!({
                    "plan": pt.plan_id, "phase": pt.phase_id,
                    "resolved": pt.plan.is_some() && (pt.phase_id.is_none() || pt.phase.is_some()),
                })).collect::<Vec<_>>(),
                "requirements": t.requirements.iter().map(|r| match &r.resolution {
                    Resolution::Resolved { key } => serde_json::json!({
                        "id": r.id, "status": "resolved", "plan": project.plans[key.plan].id,
                    }),
                    Resolution::Ambiguous { plans } => serde_json::json!({
                        "id": r.id, "status": "ambiguous",
                        "candidates": plans.iter().map(|&p| &project.plans[p].id).collect::<Vec<_>>(),
                    }),
                    Resolution::Dangling => serde_json::json!({ "id": r.id, "status": "dangling" }),
                }).collect::<Vec<_>>(),
                "items": t.items.iter().map(|it| serde_json::json!({
                    "kind": it.kind, "id": it.id,
                    "status": if it.item.is_some() { "resolved" } else { "unresolved" },
                    "plan": it.item.map(|k| &project.plans[k.plan].id),
                })).collect::<Vec<_>>(),
                "unresolved": t.trace.unresolved.iter().map(|(_, v)| v).collect::<Vec<_>>(),
            });
            if let Some(v) = verification {
                json["test"] = serde_json::json!(v.trace_tests[ti]);
                json["results"] = if v.not_run(ti) {
                    serde_json::json!([{ "outcome": "not-run" }])
                } else {
                    serde_json::json!(v.trace_cases[ti].iter().map(|&c| &v.cases[c]).collect::<Vec<_>>())
                };
            }
            json
        })
        .collect();
    let files = project
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let mut by: BTreeMap<Placement, usize> = BTreeMap::new();
            for m in &f.markers {
                *by.entry(m.placement).or_default() += 1;
            }
            serde_json::json!({
                "path": f.path, "markers": f.markers.len(), "by_placement": by,
                "traces": project.file_traces[i].len(),
            })
        })
        .collect();
    let mentions = project
        .mentions
        .iter()
        .map(|m| {
            serde_json::json!({
                "path": m.path, "line": m.mention.line, "id": m.mention.id, "placement": m.mention.placement,
                "plans": m.requirements.iter().map(|k| &project.plans[k.plan].id).collect::<Vec<_>>(),
            })
        })
        .collect();
    let json = Json {
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
        verification: verification.map(|v| {
            serde_json::json!({
                "reports": v.reports,
                "unmatched": v.cases.iter().zip(&v.case_matched).filter(|(_, m)| !**m).map(|(c, _)| c).collect::<Vec<_>>(),
            })
        }),
        diagnostics: &project.diagnostics,
    };
    let mut out = serde_json::to_vec(&json)?;
    out.push(b'\n');
    Ok(out)
}
