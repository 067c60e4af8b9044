//! The ID grammar on whole projects (`tests/fixtures/ids/`): requirement lists and
//! ranges in headings, bullets, tables and markers; shapes that only look like
//! requirement IDs; restated and tabled requirements; marker phase suffixes and
//! ranges, lower-case item IDs and bare tags.

use crate::{build, copy_dir, diagnostics_with_code, fixture, read, trace_json};
use serde_json::Value;

fn plan<'a>(json: &'a Value, id: &str) -> &'a Value {
    json["plans"].as_array().unwrap().iter().find(|p| p["id"] == id).unwrap_or_else(|| panic!("plan {id}"))
}

fn requirement_ids(plan: &Value) -> Vec<String> {
    plan["requirements"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_string()).collect()
}

fn requirement<'a>(plan: &'a Value, id: &str) -> &'a Value {
    plan["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("requirement {id}"))
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// A trace as (line, [(plan, phase, resolved)], requirements).
type TraceBrief = (u64, Vec<(String, String, bool)>, Vec<String>);

/// The traces of one file.
fn traces_of(json: &Value, path: &str) -> Vec<TraceBrief> {
    json["traces"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["path"] == path)
        .map(|t| {
            let plans = t["plans"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    (
                        p["plan"].as_str().unwrap().to_string(),
                        p["phase"].as_str().unwrap_or("").to_string(),
                        p["resolved"].as_bool().unwrap_or(false),
                    )
                })
                .collect();
            let reqs = t["requirements"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_str().or(r.as_str()).unwrap().to_string())
                .collect();
            (t["line"].as_u64().unwrap(), plans, reqs)
        })
        .collect()
}

#[test]
fn lists_and_ranges_define_one_requirement_each() {
    let (out, _) = build(&fixture("ids/lists"));
    let json = trace_json(out.path());
    let p = plan(&json, "PLAN-20250501-LISTS");
    assert_eq!(
        sorted(requirement_ids(p)),
        sorted(strings(&[
            "REQ-BUL-001",
            "REQ-BUL-002",
            "REQ-FP-1",
            "REQ-FP-2",
            "REQ-FP-3",
            "REQ-RNG-001",
            "REQ-RNG-002",
            "REQ-RNG-003",
            "REQ-TAB-001",
            "REQ-TAB-002",
            "REQ-TAB-010",
            "REQ-TEC-001",
            "REQ-TEC-002",
            "REQ-TEC-003",
            "REQ-EXP-001",
            "REQ-EXP-002",
            "REQ-EXP-003",
            "REQ-EXP-004",
        ]))
    );
    let tec = requirement(p, "REQ-TEC-002");
    assert_eq!(tec["title"], "Shared transport settings");
    assert_eq!(tec["location"]["line"], 7);
    assert_eq!(requirement(p, "REQ-EXP-003")["title"], "Export formats");
    // Markers expand the same ranges, and every ID resolves.
    let t = traces_of(&json, "src/transport.ts");
    assert_eq!(t[0].2, strings(&["REQ-FP-1", "REQ-FP-2", "REQ-FP-3"]));
    assert_eq!(
        t[1].2,
        strings(&[
            "REQ-RNG-001",
            "REQ-RNG-002",
            "REQ-RNG-003",
            "REQ-EXP-001",
            "REQ-EXP-002",
            "REQ-EXP-003",
            "REQ-EXP-004"
        ])
    );
    let dangling: Vec<&Value> = diagnostics_with_code(&json, "dangling-reference");
    assert!(dangling.is_empty(), "{dangling:?}");
}

#[test]
fn prose_appendices_test_cases_and_review_findings_are_not_requirements() {
    let (out, _) = build(&fixture("ids/not-requirements"));
    let json = trace_json(out.path());
    let p = plan(&json, "PLAN-20250502-NOTREQ");
    assert_eq!(requirement_ids(p), strings(&["REQ-NR-001", "REQ-NR-06a", "REQ-NR-007.1"]));
}

#[test]
fn a_requirement_pattern_widens_the_default_shape() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("ids/not-requirements"), dir.path());
    std::fs::write(
        dir.path().join("tracemark.toml"),
        "[kinds.requirement]\npattern = 'REQ-[A-Z]+-[0-9a-z.]+|PRF-T[0-9]+'\n",
    )
    .unwrap();
    let (out, _) = build(dir.path());
    let json = trace_json(out.path());
    let p = plan(&json, "PLAN-20250502-NOTREQ");
    assert_eq!(
        requirement_ids(p),
        strings(&["REQ-NR-001", "REQ-NR-06a", "REQ-NR-007.1", "PRF-T1", "PRF-T2"])
    );
}

#[test]
fn a_restated_requirement_keeps_its_specification_definition() {
    let (out, _) = build(&fixture("ids/restated"));
    let json = trace_json(out.path());
    let p = plan(&json, "PLAN-20250503-RESTATE");
    // A range in a phase file restates; it defines no `REQ-RS-003`/`004`.
    assert_eq!(requirement_ids(p), strings(&["REQ-RS-001", "REQ-RS-002"]));
    let r = requirement(p, "REQ-RS-001");
    assert_eq!(r["location"]["path"], "project-plans/restated/specification.md");
    assert_eq!(r["location"]["line"], 9);
    assert_eq!(r["title"], "Sessions expire after idle time");
    // The phase still claims it.
    let phase = p["phases"].as_array().unwrap().iter().find(|ph| ph["id"] == "P01").unwrap();
    assert!(phase.to_string().contains("REQ-RS-001"), "{phase}");
}

#[test]
fn requirement_tables_in_analysis_documents_are_read() {
    let (out, _) = build(&fixture("ids/analysis-table"));
    let json = trace_json(out.path());
    let p = plan(&json, "PLAN-20250504-ANALYSIS");
    assert_eq!(requirement_ids(p), strings(&["REQ-ANA-001", "REQ-ANA-002"]));
    let r = requirement(p, "REQ-ANA-002");
    assert_eq!(r["title"], "Keys rotate every 90 days");
    assert_eq!(r["location"]["path"], "project-plans/ana/analysis/domain-model.md");
}

#[test]
fn marker_phase_suffixes_ranges_item_case_and_bare_tags() {
    let (out, _) = build(&fixture("ids/marker-values"));
    let json = trace_json(out.path());
    let plan_id = "PLAN-20250505-MARKERS";
    let t = traces_of(&json, "src/sync.ts");
    let phases = |i: usize| t[i].1.iter().map(|(_, ph, ok)| (ph.clone(), *ok)).collect::<Vec<_>>();
    // `.P13-15` is the range P13..P15.
    assert_eq!(phases(0), vec![("P13".into(), true), ("P14".into(), true), ("P15".into(), true)]);
    // A declared change request resolves to itself, an undeclared one to its phase.
    assert_eq!(phases(1), vec![("P14-CR3".into(), true)]);
    assert_eq!(phases(2), vec![("P14-CR2".into(), true)]);
    assert!(t.iter().all(|x| x.1.iter().all(|p| p.0 == plan_id)));
    // The undeclared `P14-CR2` trace (line 14) is listed on P14's page with the range's
    // trace (line 2); the declared change request's page lists its own (line 8).
    let page = |ph: &str| read(out.path(), &format!("plans/{plan_id}/phases/{ph}.html"));
    let (p14, cr3) = (page("P14"), page("P14-CR3"));
    assert!(p14.contains("sync.ts.html#L14") && p14.contains("sync.ts.html#L2\""), "P14 page");
    assert!(cr3.contains("sync.ts.html#L8") && !cr3.contains("sync.ts.html#L14"), "P14-CR3 page");
    // `@risk:risk-2` names the second risk of the register.
    let traces = json["traces"].as_array().unwrap();
    let resume = traces.iter().find(|t| t["path"] == "src/sync.ts" && t["line"] == 20).unwrap();
    let item = &resume["items"][0];
    assert_eq!((item["kind"].as_str(), item["id"].as_str()), (Some("risk"), Some("risk-2")));
    assert_eq!(item["status"], "resolved", "{item}");
    // `@plan` followed by spaces only is no marker: four `@plan`, three
    // `@requirement`, one `@risk`.
    let file = json["files"].as_array().unwrap().iter().find(|f| f["path"] == "src/sync.ts").unwrap();
    assert_eq!(file["markers"], 8);
    let findings: Vec<String> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["path"] == "src/sync.ts")
        .map(|d| d["message"].as_str().unwrap().to_string())
        .collect();
    assert!(findings.is_empty(), "{findings:?}");
}

#[test]
fn ears_titles_keep_their_text_and_show_the_pattern_as_a_tag() {
    let (out, _) = build(&fixture("ids/ears"));
    let json = trace_json(out.path());
    let p = plan(&json, "PLAN-20250506-EARS");
    assert_eq!(requirement(p, "R1.1")["title"], "The system shall keep one session per user.");
    assert_eq!(requirement(p, "R1.2")["title"], "Expired tokens are renewed");
    assert_eq!(requirement(p, "R1.1")["pattern"], "Ubiquitous");
    assert_eq!(requirement(p, "R1.2")["pattern"], "Event-driven");
    let page = read(out.path(), "plans/PLAN-20250506-EARS/requirements/R1.1.html");
    assert!(page.contains("<span class=\"badge\">Ubiquitous</span>"), "{page}");
    let page = read(out.path(), "plans/PLAN-20250506-EARS/requirements/R1.2.html");
    assert!(page.contains("<span class=\"badge\">Event-driven</span>"), "{page}");
}

/// The resolution of each requirement reference of a file: (line, id, status, plan).
fn resolutions(json: &Value, path: &str) -> Vec<(u64, String, String, String)> {
    let mut out = Vec::new();
    for t in json["traces"].as_array().unwrap().iter().filter(|t| t["path"] == path) {
        for r in t["requirements"].as_array().unwrap() {
            out.push((
                t["line"].as_u64().unwrap(),
                r["id"].as_str().unwrap().to_string(),
                r["status"].as_str().unwrap().to_string(),
                r["plan"].as_str().unwrap_or("").to_string(),
            ));
        }
    }
    out
}

/// An enclosing `@plan` names the plan of the requirement references inside its item
/// however long the item is (not only within the excerpt's cap), and a module's head
/// comment names it for the whole file; bold-span and round-shaped definitions are read.
#[test]
fn an_enclosing_plan_covers_its_whole_item_and_a_head_comment_its_file() {
    let root = fixture("plan-scope");
    let (out, _) = build(&root);
    let json = trace_json(out.path());
    let demo = |line: u64, id: &str| {
        (line, id.to_string(), "resolved".to_string(), "PLAN-20250101-DEMO".to_string())
    };
    assert_eq!(resolutions(&json, "src/size.test.ts"), vec![demo(4, "REQ-001"), demo(56, "REQ-001")]);
    assert_eq!(
        resolutions(&json, "src/widget.ts"),
        vec![demo(12, "REQ-001"), demo(16, "R3"), demo(19, "AB2")]
    );
    assert_eq!(
        sorted(requirement_ids(plan(&json, "PLAN-20250101-DEMO"))),
        strings(&["AB2", "R3", "REQ-001"])
    );
    // The head comment is shown alone, not with the first import.
    let head = json["traces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["path"] == "src/widget.ts" && t["line"] == 5)
        .expect("the head comment's trace");
    assert_eq!(head["ranges"], serde_json::json!([[3, 6]]));
    let (_, findings) = crate::check_findings(&root);
    let wrong: Vec<_> = findings
        .iter()
        .filter(|f| {
            f.1.starts_with("src/") && matches!(f.0.as_str(), "ambiguous-reference" | "dangling-reference")
        })
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// A plan folder with no plan ID whose document defines requirements is a plan named
/// after its folder; a marker naming that folder (`@plan issue-3019-schema-fix`)
/// resolves to it, not to a plan elsewhere that defines the same short ID; a
/// specification's test-case tables (an output column, a "Test cases" heading) define
/// no requirements.
#[test]
fn a_marker_naming_a_plan_folder_resolves_there_and_test_case_tables_are_not_requirements() {
    let root = fixture("folder-plans");
    let (out, _) = build(&root);
    let json = trace_json(out.path());
    assert_eq!(
        resolutions(&json, "src/github.test.ts"),
        vec![(4, "AB2".to_string(), "resolved".to_string(), "issue-3019-schema-fix".to_string())]
    );
    assert_eq!(sorted(requirement_ids(plan(&json, "issue-3019-schema-fix"))), strings(&["AB1", "AB2"]));
    assert_eq!(sorted(requirement_ids(plan(&json, "PLAN-20260801-IMPORTER"))), strings(&["IMP-1"]));
    let (_, findings) = crate::check_findings(&root);
    let about_src: Vec<_> = findings.iter().filter(|f| f.1.starts_with("src/")).collect();
    assert!(about_src.is_empty(), "{about_src:#?}");
    assert!(
        !findings.iter().any(|f| ["PY-3", "GO-1", "RB-1"].iter().any(|id| f.3.contains(id))),
        "{findings:#?}"
    );
    // The test list restates the acceptance criteria: mentions, not second definitions.
    assert!(!findings.iter().any(|f| f.0 == "duplicate-definition"), "{findings:#?}");
}

/// An uncovered finding says why when it can: code names the requirement without
/// settling its plan (ambiguous traces), or code cites its parent (`REQ-PT-001` of
/// `REQ-PT-001.1`).
#[test]
fn uncovered_findings_name_ambiguous_traces_and_a_covered_parent() {
    let (_, findings) = crate::check_findings(&fixture("uncovered"));
    let uncovered: Vec<(&str, &str)> = findings
        .iter()
        .filter(|f| f.0 == "uncovered-requirement")
        .map(|f| (f.1.as_str(), f.3.as_str()))
        .collect();
    let about = |id: &str, plan: &str| {
        uncovered
            .iter()
            .find(|(_, m)| m.contains(&format!("`{id}` of `{plan}`")))
            .unwrap_or_else(|| panic!("{id} of {plan}: {uncovered:#?}"))
            .1
    };
    for plan in ["PLAN-20250101-ALPHA", "PLAN-20250101-BETA"] {
        let m = about("REQ-AM-001", plan);
        assert!(
            m.contains("has no resolved trace in code: 1 trace names it") && m.contains("src/store.ts:2"),
            "{m}"
        );
    }
    assert!(about("REQ-PT-001.2", "PLAN-20250101-ALPHA").contains("its parent `REQ-PT-001` has 1"));
    assert!(!uncovered.iter().any(|(_, m)| m.contains("`REQ-PT-001` of")), "the parent is covered");
}

/// A title written with inline markdown reads as text with code, not with backticks: on
/// the plan's page, on the index and in the page's `<title>`.
#[test]
fn titles_show_their_inline_markdown_not_its_marks() {
    let (out, _) = build(&fixture("folder-plans"));
    let plan = crate::read(out.path(), "plans/issue-3019-schema-fix/index.html");
    assert!(
        plan.contains("the tool schema stops implying <code>number</code> is universal</h1>"),
        "{}",
        plan.lines().find(|l| l.contains("<h1>")).unwrap_or_default()
    );
    assert!(
        plan.contains("implying number is universal ·")
            || plan.contains("implying number is universal</title>")
    );
    assert!(!plan.contains("`number`"), "no raw backticks on the page");
    let index = crate::read(out.path(), "index.html");
    assert!(index.contains("implying <code>number</code> is universal</td>"), "the index's plan row");
}
