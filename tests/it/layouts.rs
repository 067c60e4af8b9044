//! Plan layouts as repositories keep them: tracker tables split by blank and note
//! lines, several phases in one `implementation-plan.md`, phase files that name their
//! phase without the plan, extensionless and nested completion records, a Final
//! Implementation Plan in a folder of its own (with and without a plan ID), spec-dev's
//! `.spec-dev/active-dev/`, plan roots below `workflow/`, and a project whose plans are
//! nowhere to be found (`tests/fixtures/layouts`, `spec-dev`, `workflow-plans`,
//! `no-plans`).

use crate::{build, check_findings as check, fixture, repo, trace_json, tracemark};
use serde_json::Value;

fn plan<'a>(json: &'a Value, id: &str) -> &'a Value {
    json["plans"].as_array().unwrap().iter().find(|p| p["id"] == id).unwrap_or_else(|| panic!("plan {id}"))
}

/// (id, status, title) of each phase of a plan.
fn phases(plan: &Value) -> Vec<(String, String, String)> {
    plan["phases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["id"].as_str().unwrap().to_string(),
                p["status"].as_str().unwrap().to_string(),
                p["title"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn phase<'a>(plan: &'a Value, id: &str) -> &'a Value {
    plan["phases"].as_array().unwrap().iter().find(|p| p["id"] == id).unwrap_or_else(|| panic!("phase {id}"))
}

fn items<'a>(plan: &'a Value, kind: &str) -> Vec<&'a Value> {
    plan["items"].as_array().unwrap().iter().filter(|i| i["kind"] == kind).collect()
}

fn attr<'a>(item: &'a Value, name: &str) -> Option<&'a str> {
    item["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == name)
        .and_then(|a| a["value"].as_str())
}

fn s(v: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    v.iter().map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string())).collect()
}

/// Tracker rows after a blank line and after a note line are read like the first run.
#[test]
fn split_tracker_rows_are_all_read() {
    let (out, _) = build(&fixture("layouts"));
    let json = trace_json(out.path());
    let p = plan(&json, "PLAN-20260301-SPLIT");
    let got: Vec<(String, String)> = phases(p).into_iter().map(|(id, st, _)| (id, st)).collect();
    let want: Vec<(String, String)> =
        [("P01", "done"), ("P02", "done"), ("P03", "done"), ("P04", "done"), ("P05", "pending")]
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
    assert_eq!(got, want);
    assert_eq!(phase(p, "P04")["tracker"], "✅");
    assert_eq!(phase(p, "P04")["location"]["line"], 10);
}

/// An `implementation-plan.md` holding several phases: `## Phase P01: …` headings with
/// `Phase ID:` lines, and a `## Phase ID` section without a phase heading.
#[test]
fn phases_of_one_implementation_plan_are_its_sections() {
    let (out, _) = build(&fixture("layouts"));
    let json = trace_json(out.path());
    let p = plan(&json, "PLAN-20260302-MULTI");
    assert_eq!(
        phases(p),
        s(&[
            ("P01", "done", "Extract the metrics"),
            ("P01a", "done", "Verify the extraction"),
            ("P02", "pending", "Wiring into the logger")
        ])
    );
    let doc = "project-plans/multi-phase/plan/implementation-plan.md";
    assert_eq!(phase(p, "P01")["location"]["path"], doc);
    assert_eq!(phase(p, "P01")["location"]["line"], 7);
    assert_eq!(phase(p, "P02")["location"]["line"], 22);
    let claims: Vec<&str> =
        phase(p, "P01")["claims"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
    assert_eq!(claims, ["REQ-MUL-001"]);
}

/// Phase files that name their phase without the plan (`**Phase ID:** P01`, a
/// `## Phase ID` heading over `` `P02` ``) are those phases' documents.
#[test]
fn phase_files_with_bare_phase_ids_carry_their_documents() {
    let (out, _) = build(&fixture("layouts"));
    let json = trace_json(out.path());
    let p = plan(&json, "PLAN-20260303-BARE");
    assert_eq!(phases(p), s(&[("P01", "unknown", "Analysis"), ("P02", "unknown", "Build the thing")]));
    assert_eq!(phase(p, "P01")["document"], "project-plans/bare-phase/phases/analysis.md");
    assert_eq!(phase(p, "P02")["document"], "project-plans/bare-phase/phases/build.md");
}

/// Extensionless records, records under `plan/.completed/`, and `P0.5.md` (phase
/// `P00.5`).
#[test]
fn completion_records_of_every_shape() {
    let (out, _) = build(&fixture("layouts"));
    let json = trace_json(out.path());
    let p = plan(&json, "PLAN-20260304-RECORDS");
    let got: Vec<(String, String, String)> = p["phases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|ph| {
            (
                ph["id"].as_str().unwrap().to_string(),
                ph["status"].as_str().unwrap().to_string(),
                ph["completion"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        s(&[
            ("P00.5", "done", "project-plans/records/.completed/P0.5.md"),
            ("P01", "done", "project-plans/records/plan/.completed/P01"),
            ("P02", "done", "project-plans/records/.completed/P02"),
        ])
    );
}

/// A Final Implementation Plan in a folder of its own, with and without a plan ID:
/// tasks, risks from the mapping, lettered phases with their criteria and tasks.
#[test]
fn final_implementation_plan_in_a_folder() {
    let (out, _) = build(&fixture("layouts"));
    let json = trace_json(out.path());
    for id in ["final", "PLAN-20260305-FINAL"] {
        let p = plan(&json, id);
        assert_eq!(items(p, "task").len(), 4, "{id}");
        let risks: Vec<&str> = items(p, "risk").iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(risks, ["R-001", "R-002", "R-003", "NEW-RISK-001"], "{id}");
        assert_eq!(
            phases(p),
            s(&[("A", "unknown", "Controls"), ("B", "unknown", "Load"), ("C", "unknown", "Staging")]),
            "{id}"
        );
        let a = phase(p, "A");
        assert_eq!(
            a["attributes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x["name"].as_str().unwrap())
                .collect::<Vec<_>>(),
            ["Entrance", "Tasks", "Exit"]
        );
    }
    assert_eq!(plan(&json, "final")["synthetic"], true);
}

/// The layouts project's only findings are true ones: the phase a marker names that
/// the tracker has not finished.
#[test]
fn layouts_give_no_false_findings() {
    let (code, findings) = check(&fixture("layouts"));
    assert_eq!(code, Some(0));
    let mut got: Vec<(&str, &str, u64)> =
        findings.iter().map(|f| (f.0.as_str(), f.1.as_str(), f.2)).collect();
    got.sort();
    assert_eq!(got, [("trace-for-unfinished-phase", "src/phases.ts", 10)], "{findings:#?}");
}

/// spec-dev's working folder is found without configuration and read as one plan: the
/// spec's requirements, the plan's gaps, risks, checklist and gate, the task cards with
/// their fields (once, though the log restates them); the instructions are no plan.
#[test]
fn spec_dev_layout_is_one_plan() {
    let (out, _) = build(&fixture("spec-dev"));
    let json = trace_json(out.path());
    let plans: Vec<&str> =
        json["plans"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(plans, ["active-dev"]);
    let p = plan(&json, "active-dev");
    assert_eq!(p["title"], "Tenant retry budget");
    let reqs: Vec<&str> =
        p["requirements"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(reqs, ["REQ-RB-001", "REQ-RB-002"]);
    let tasks = items(p, "task");
    assert_eq!(tasks.len(), 2, "board and log give each task once");
    assert_eq!(tasks[0]["location"]["path"], ".spec-dev/active-dev/active-tasks.md");
    assert_eq!(attr(tasks[0], "Why"), Some("Budgets must not be shared."));
    assert_eq!(attr(tasks[0], "Estimate"), Some("3h"));
    assert_eq!(attr(tasks[0], "Risk"), Some("risk-1"));
    assert_eq!(attr(tasks[0], "Owner"), Some("Platform"));
    assert_eq!(
        attr(tasks[0], "Acceptance (Given/When/Then)"),
        Some("- Given a tenant with a budget of 3\n- When a fourth retry is attempted\n- Then it is refused")
    );
    assert_eq!(tasks[1]["links"][0]["target"], "T-001");
    assert_eq!(items(p, "gap").len(), 1);
    assert_eq!(items(p, "risk").len(), 1);
    assert_eq!(items(p, "checklist").len(), 1);
    let gates = items(p, "gate");
    assert_eq!(gates.len(), 1);
    assert_eq!(attr(gates[0], "result"), Some("FAIL"));
    let (code, findings) = check(&fixture("spec-dev"));
    assert_eq!(code, Some(1), "a FAIL gate is an error");
    let got: Vec<(&str, &str, u64)> = findings.iter().map(|f| (f.0.as_str(), f.1.as_str(), f.2)).collect();
    assert!(got.contains(&("failed-gate", ".spec-dev/active-dev/active-plan.md", 19)), "{findings:#?}");
    assert!(
        !got.iter().any(|f| f.0 == "dangling-reference" || f.0 == "duplicate-definition"),
        "{findings:#?}"
    );
}

/// `project-plans/` below another folder is found without configuration.
#[test]
fn nested_plan_root_is_found() {
    let (code, findings) = check(&fixture("workflow-plans"));
    assert_eq!((code, findings), (Some(0), vec![]));
}

/// No plan root anywhere: one `no-plans` finding with a hint naming the folders that
/// look like plans, instead of a dangling reference per marker.
#[test]
fn no_plans_found_says_so_with_a_hint() {
    let (code, findings) = check(&fixture("no-plans"));
    assert_eq!(code, Some(0));
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0].0, "no-plans");
    assert_eq!(
        (findings[0].1.as_str(), findings[0].2),
        ("src/rollout.py", 1),
        "points at the first marker that cannot resolve, a real file and line"
    );
    assert!(findings[0].3.contains("4 dangling-reference findings"), "{}", findings[0].3);
    let o = tracemark(&["check", fixture("no-plans").to_str().unwrap()]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("`docs/plans` (1 documents)"), "{text}");
    assert!(text.contains("plans = [\"docs/plans\"]"), "{text}");
    // With the root configured, the plan is read and the markers resolve.
    let tmp = tempfile::tempdir().unwrap();
    crate::copy_dir(&fixture("no-plans"), tmp.path());
    std::fs::write(tmp.path().join("tracemark.toml"), "plans = [\"docs/plans\"]\n").unwrap();
    let (_, findings) = check(tmp.path());
    assert!(!findings.is_empty());
    assert!(
        findings.iter().all(|f| f.0 == "dangling-reference" && !f.3.contains("declared nowhere")),
        "only the phases and the requirement the plan lacks: {findings:#?}"
    );
}

/// Seed 003 itself in a plan folder of its own, with and without a `Plan ID:` line.
/// The seeds live beside the repository (`../shared/seeds`), not in it: ignored by a
/// plain `cargo test` (the summary counts it); `.ci/run` runs it with `--ignored`, and
/// then missing seeds fail it.
#[test]
#[ignore = "reads ../shared/seeds beside the repository; run with --ignored"]
fn seed_003_in_a_folder() {
    let seeds = repo().join("../shared/seeds");
    let seed = std::fs::read_dir(&seeds)
        .unwrap_or_else(|e| panic!("{}: {e}", seeds.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.to_string_lossy().contains("/003"))
        .unwrap_or_else(|| panic!("{}: no seed 003", seeds.display()));
    let text = std::fs::read_to_string(seed).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let plain = tmp.path().join("project-plans/final-plain");
    let declared = tmp.path().join("project-plans/final-declared");
    std::fs::create_dir_all(&plain).unwrap();
    std::fs::create_dir_all(&declared).unwrap();
    std::fs::write(plain.join("Final_Implementation_Plan.md"), &text).unwrap();
    std::fs::write(
        declared.join("Final_Implementation_Plan.md"),
        format!("Plan ID: PLAN-20260101-SEED3\n\n{text}"),
    )
    .unwrap();
    let (out, _) = build(tmp.path());
    let json = trace_json(out.path());
    for id in ["final-plain", "PLAN-20260101-SEED3"] {
        let p = plan(&json, id);
        assert_eq!(items(p, "task").len(), 25, "{id}");
        assert_eq!(items(p, "risk").len(), 20, "{id}");
        let ids: Vec<String> = phases(p).into_iter().map(|x| x.0).collect();
        assert_eq!(ids, ["A", "B", "C", "D", "E"], "{id}");
    }
    let (_, findings) = check(tmp.path());
    let warnings: Vec<_> = findings.iter().filter(|f| f.0 != "undeclared-plan").collect();
    assert!(warnings.is_empty(), "{warnings:#?}");
}
