//! The demo project `content-example/`: the pages and `trace.json` hold what its
//! `EXPECTED.md` inventory says (four plans, colliding `REQ-001`, a dangling plan, an
//! unresolved value, an ambiguous reference, uncovered requirements, markers in strings
//! and fences that are not traces).

use crate::{build, read, repo, trace_json};
use serde_json::Value;
use std::sync::OnceLock;

/// The example site, built once for this module's tests.
fn site() -> &'static (tempfile::TempDir, Value) {
    static SITE: OnceLock<(tempfile::TempDir, Value)> = OnceLock::new();
    SITE.get_or_init(|| {
        let (out, _) = build(&repo().join("content-example"));
        let json = trace_json(out.path());
        (out, json)
    })
}

fn plan<'a>(json: &'a Value, id: &str) -> &'a Value {
    json["plans"].as_array().unwrap().iter().find(|p| p["id"] == id).unwrap_or_else(|| panic!("plan {id}"))
}

/// A plan's phases as (ID, status) pairs.
fn statuses(plan: &Value) -> Vec<(&str, &str)> {
    plan["phases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p["status"].as_str().unwrap()))
        .collect()
}

fn ids(v: &Value) -> Vec<&str> {
    v.as_array().unwrap().iter().map(|x| x["id"].as_str().unwrap()).collect()
}

const A: &str = "PLAN-20251104-INGRESS-HARDENING";
const B: &str = "PLAN-20251119-DLQREPLAY";
const C: &str = "PLAN-20260112-TENANTQUOTA";
const D: &str = "PLAN-20260203-ISSUE87";

#[test]
fn declares_the_four_plans_by_id_not_folder() {
    let (_, json) = site();
    let plans: Vec<&str> =
        json["plans"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(plans, vec![A, B, C, D]);
    assert_eq!(plan(json, A)["folder"], "project-plans/20251104ingress");
    assert_eq!(plan(json, A)["title"], "Ingress Hardening");
    assert_eq!(plan(json, C)["title"], "Per-Tenant Delivery Quotas");
}

#[test]
fn reads_requirements_in_every_definition_shape() {
    let (_, json) = site();
    let a = plan(json, A);
    assert_eq!(
        ids(&a["requirements"]),
        vec![
            "REQ-ING-001",
            "REQ-ING-002",
            "REQ-ING-002.1",
            "REQ-ING-003",
            "REQ-ING-004",
            "REQ-ING-005",
            "REQ-ING-006"
        ]
    );
    let r1 = &a["requirements"][0];
    assert_eq!(r1["title"], "Signature verification precedes enqueue");
    assert_eq!(r1["shape"], "heading");
    assert_eq!(
        r1["location"],
        serde_json::json!({"path": "project-plans/20251104ingress/specification.md", "line": 46})
    );
    assert_eq!(a["requirements"][4]["shape"], "bold-bullet");
    let b = plan(json, B);
    assert_eq!(ids(&b["requirements"]), vec!["REQ-DLQ-001", "REQ-DLQ-002", "REQ-DLQ-003"]);
    assert_eq!(b["requirements"][0]["shape"], "header-list");
    assert_eq!(ids(&plan(json, C)["requirements"]), vec!["REQ-001", "REQ-002", "REQ-003", "REQ-004"]);
    assert_eq!(ids(&plan(json, D)["requirements"]), vec!["REQ-001", "REQ-002"]);
    assert_eq!(json["summary"]["requirements"], 16);
}

#[test]
fn reads_phases_and_their_status() {
    let (_, json) = site();
    let a = plan(json, A);
    assert_eq!(
        statuses(a),
        vec![
            ("P00", "done"),
            ("P00a", "done"),
            ("P01", "done"),
            ("P01a", "done"),
            ("P02", "done"),
            ("P02a", "done"),
            ("P03", "done"),
            ("P03a", "done"),
            ("P04", "done"),
            ("P04a", "done"),
            ("P05", "pending"),
            ("P05a", "pending"),
            ("P06", "pending"),
            ("P06a", "pending"),
        ]
    );
    let p04a = &a["phases"][9];
    assert_eq!(p04a["completion"], Value::Null, "P04a has no record (the deliberate mismatch)");
    assert_eq!(a["phases"][2]["completion"], "project-plans/20251104ingress/.completed/P01.md");
    assert_eq!(a["phases"][2]["title"], "Analysis");
    let b = plan(json, B);
    assert_eq!(
        statuses(b),
        vec![
            ("P01", "done"),
            ("P01a", "done"),
            ("P02", "done"),
            ("P02a", "pending"),
            ("P03", "pending"),
            ("P03a", "pending"),
            ("P04", "pending"),
            ("P04a", "pending"),
        ],
        "a plan with records but no tracker: phases without a record are pending"
    );
    let c = plan(json, C);
    let c_phases: Vec<&str> =
        c["phases"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(c_phases, vec!["P01", "P02", "P03", "P04"]);
    assert!(c["phases"].as_array().unwrap().iter().all(|p| p["status"] == "unknown"));
    assert_eq!(json["summary"]["phases"], 26);
}

#[test]
fn reads_claims_from_mapping_tables_and_phase_index() {
    let (_, json) = site();
    let a = plan(json, A);
    let p06 = a["phases"].as_array().unwrap().iter().find(|p| p["id"] == "P06").unwrap();
    assert!(p06["claims"].as_array().unwrap().iter().any(|c| c == "REQ-ING-006"), "{p06}");
    let c = plan(json, C);
    let p04 = &c["phases"][3];
    for r in ["REQ-001", "REQ-002", "REQ-003", "REQ-004"] {
        assert!(p04["claims"].as_array().unwrap().iter().any(|c| c == r), "P04 claims `all`: {p04}");
    }
    let p03 = &c["phases"][2];
    let claims: Vec<&str> = p03["claims"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
    assert!(
        claims.contains(&"REQ-003") && claims.contains(&"REQ-004") && !claims.contains(&"REQ-001"),
        "{claims:?}"
    );
}

#[test]
fn counts_markers_by_placement() {
    let (_, json) = site();
    let s = &json["summary"];
    let by = &s["markers_by_placement"];
    assert_eq!(by["string-literal"], 3, "the three constants in errors.ts");
    assert_eq!(by["test-title"], 13);
    assert_eq!(by["markdown-comment"], 49);
    // EXPECTED.md counts 127 occurrences in project-plans by the loosest reading
    // (`@plan` + word boundary); three of them carry no value at all (the regex
    // `@plan[: ]`, `@requirement[: ]` and the grep argument `"@plan"`), so they are not
    // markers.
    assert_eq!(s["markers"], 79 + 127 - 3);
    let code_traces =
        json["traces"].as_array().unwrap().iter().filter(|t| t["placement"] != "markdown-comment").count();
    // Stacked `@plan`/`@requirement` pairs in one JSDoc block are two traces.
    assert_eq!(code_traces, 50);
    assert_eq!(s["code_traces"], 50);
    assert_eq!(s["traces"], 50 + 14);
}

#[test]
fn markers_in_strings_and_fences_are_not_traces() {
    let (_, json) = site();
    let traces = json["traces"].as_array().unwrap();
    assert!(traces.iter().all(|t| t["path"] != "src/gateway/errors.ts"), "string constants are not traces");
    assert!(
        !traces
            .iter()
            .any(|t| t["path"] == "project-plans/20251104ingress/.completed/P01.md" && t["line"] != 21),
        "the HTML comments quoted inside a fence are not traces"
    );
}

#[test]
fn resolves_colliding_ids_through_the_plan_of_the_trace() {
    let (_, json) = site();
    let traces = json["traces"].as_array().unwrap();
    let go: Vec<&Value> = traces.iter().filter(|t| t["path"] == "src/quota/quota.go").collect();
    assert!(!go.is_empty());
    for t in go {
        for r in t["requirements"].as_array().unwrap() {
            assert_eq!(r["status"], "resolved", "{t}");
            assert_eq!(r["plan"], C, "{t}");
        }
    }
}

#[test]
fn reports_the_deliberate_problems() {
    let (_, json) = site();
    let diags = json["diagnostics"].as_array().unwrap();
    let has = |code: &str, path: &str, line: u64, text: &str| {
        diags.iter().any(|d| {
            d["code"] == code
                && d["path"] == path
                && d["line"] == line
                && d["message"].as_str().unwrap().contains(text)
        })
    };
    assert!(has("dangling-reference", "src/gateway/server.ts", 18, "PLAN-20990101-GHOST"), "dangling plan");
    assert!(
        has("dangling-reference", "src/gateway/__tests__/dedupe.test.ts", 25, "REQ-ING-099"),
        "dangling requirement"
    );
    assert!(has("unresolved-marker", "src/gateway/server.ts", 45, "ISSUE-42"), "unresolved value");
    assert!(has("ambiguous-reference", "src/gateway/quotaHeaders.ts", 15, "REQ-001"), "ambiguous REQ-001");
    let uncovered: Vec<&str> = diags
        .iter()
        .filter(|d| d["code"] == "uncovered-requirement")
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert_eq!(uncovered.len(), 4, "{uncovered:?}");
    assert!(uncovered.iter().any(|m| m.contains("REQ-ING-006")));
    assert!(uncovered.iter().any(|m| m.contains("REQ-004") && m.contains(C)));
    assert_eq!(json["summary"]["covered_requirements"], 12);
}

#[test]
fn requirement_page_shows_definition_phases_and_excerpts() {
    let (out, _) = site();
    let page = read(out.path(), &format!("plans/{A}/requirements/REQ-ING-003.html"));
    assert!(page.contains("Inbound payload size cap"), "title");
    assert!(page.contains("GIVEN"), "the definition's text");
    assert!(page.contains("class=\"code excerpt\""), "highlighted excerpts");
    assert!(page.contains("files/src/gateway/payloadLimits.ts.html#L"), "links to the source line");
    assert!(page.contains("phases/P02.html"), "links to a claiming phase");
}

#[test]
fn requirement_page_snapshot() {
    let (out, _) = site();
    let page = read(out.path(), &format!("plans/{C}/requirements/REQ-001.html"))
        .replace(concat!("tracemark ", env!("CARGO_PKG_VERSION")), "tracemark [VERSION]");
    insta::assert_snapshot!("requirement_page_c_req_001", page);
}

#[test]
fn same_id_in_two_plans_gets_two_pages() {
    let (out, _) = site();
    let c = read(out.path(), &format!("plans/{C}/requirements/REQ-001.html"));
    let d = read(out.path(), &format!("plans/{D}/requirements/REQ-001.html"));
    assert!(c.contains("Monthly delivery quota per tenant"));
    assert!(d.contains("Two active secrets during a rotation window"));
    assert!(c.contains(&format!("REQ-001 in {D}")), "points at the other plan's REQ-001");
}

#[test]
fn source_page_has_line_anchors_marked_lines_and_backlinks() {
    let (out, _) = site();
    let page = read(out.path(), "files/src/quota/quota.go.html");
    assert!(page.contains("id=\"L5\" class=\"m\""), "marked line 5 is tagged");
    assert!(page.contains(&format!("plans/{C}/requirements/REQ-001.html")), "back to the requirement");
}

#[test]
fn index_lists_plans_with_counts() {
    let (out, _) = site();
    let index = read(out.path(), "index.html");
    for id in [A, B, C, D] {
        assert!(index.contains(&format!("plans/{id}/index.html")), "{id}");
    }
    assert!(index.contains("12/16") || index.contains(">12<"), "covered count shown");
}
