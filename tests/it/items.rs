//! The plan shapes of `docs/grammar.md` §1–§5 modelled in `tests/fixtures/seeds/`,
//! read into plans, requirements, phases and items with their links; item pages; the
//! item findings (`prerequisite-cycle`, `failed-gate`, dangling links and item markers);
//! the configurable grammar (`[kinds]` in `tracemark.toml`).

use crate::{build, copy_dir, diagnostics_with_code, fixture, read, repo, trace_json, tracemark};
use serde_json::Value;
use std::path::Path;

fn plan<'a>(json: &'a Value, id: &str) -> &'a Value {
    json["plans"].as_array().unwrap().iter().find(|p| p["id"] == id).unwrap_or_else(|| panic!("plan {id}"))
}

fn items<'a>(plan: &'a Value, kind: &str) -> Vec<&'a Value> {
    plan["items"].as_array().unwrap().iter().filter(|i| i["kind"] == kind).collect()
}

fn ids(v: &[&Value]) -> Vec<String> {
    v.iter().map(|i| i["id"].as_str().unwrap().to_string()).collect()
}

fn attr<'a>(item: &'a Value, name: &str) -> Option<&'a str> {
    item["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == name)
        .and_then(|a| a["value"].as_str())
}

fn links(item: &Value) -> Vec<(String, String, bool)> {
    item["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["kind"].as_str().unwrap().to_string(),
                l["target"].as_str().unwrap().to_string(),
                !l["resolved"].is_null(),
            )
        })
        .collect()
}

fn seeds() -> (tempfile::TempDir, Value) {
    let (out, _) = build(&fixture("seeds"));
    let json = trace_json(out.path());
    (out, json)
}

/// Seed 000: a phase document with a phase-sequencing table (verification phases) and a
/// requirement-mapping table.
#[test]
fn seed_000_phase_document_gives_phases_with_verification_and_claims() {
    let (_, json) = seeds();
    let p = plan(&json, "PLAN-20251101-SHAPEZERO");
    let phases: Vec<&str> =
        p["phases"].as_array().unwrap().iter().map(|ph| ph["id"].as_str().unwrap()).collect();
    assert_eq!(phases, ["P00", "P00a", "P01", "P01a", "P02", "P02a"]);
    let claims = |id: &str| -> Vec<String> {
        let ph = p["phases"].as_array().unwrap().iter().find(|ph| ph["id"] == id).unwrap();
        ph["claims"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect()
    };
    assert_eq!(claims("P01"), ["REQ-SZ-001"]);
    assert_eq!(claims("P02"), ["REQ-SZ-001", "REQ-SZ-002", "REQ-SZ-003"]);
    let reqs: Vec<&str> =
        p["requirements"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(reqs, ["REQ-SZ-001", "REQ-SZ-002", "REQ-SZ-003"]);
    // The "required code markers" block is a fenced example: no trace from it.
    let from_overview = json["traces"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["path"].as_str().unwrap().ends_with("plan/00-overview.md"));
    assert_eq!(from_overview.count(), 0);
}

/// Seed 001: a plan header with `Requirements: [..]` and a phase table of `P01`/`P01a`
/// pairs.
#[test]
fn seed_001_plan_header_and_phase_pairs() {
    let (_, json) = seeds();
    let p = plan(&json, "PLAN-20251102-SHAPEONE");
    assert_eq!(p["title"], "Shape One Provider Split");
    let reqs: Vec<(&str, &str)> = p["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["id"].as_str().unwrap(), r["shape"].as_str().unwrap()))
        .collect();
    assert_eq!(reqs, [("REQ-SO-001", "header-list"), ("REQ-SO-002", "header-list")]);
    let phases: Vec<&str> =
        p["phases"].as_array().unwrap().iter().map(|ph| ph["id"].as_str().unwrap()).collect();
    assert_eq!(phases, ["P01", "P01a", "P02", "P02a", "P03", "P03a"]);
    assert!(p["items"].as_array().unwrap().is_empty());
}

/// Seed 002: a completion record marks its phase done; its HTML comment is a document
/// trace naming the plan and requirements; the captured output quoting markers inside
/// a fence gives no traces.
#[test]
fn seed_002_completion_record_is_evidence_and_its_quotes_are_not_traces() {
    let (_, json) = seeds();
    let p = plan(&json, "PLAN-20251101-SHAPEZERO");
    let p01 = p["phases"].as_array().unwrap().iter().find(|ph| ph["id"] == "P01").unwrap();
    assert_eq!(p01["status"], "done");
    assert_eq!(p01["completion"], "project-plans/20251101shapezero/.completed/P01.md");
    let record: Vec<&Value> = json["traces"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["path"] == "project-plans/20251101shapezero/.completed/P01.md")
        .collect();
    assert_eq!(record.len(), 1, "one HTML-comment trace, none from the quoted output");
    assert_eq!(record[0]["placement"], "markdown-comment");
    assert_eq!(record[0]["line"], 20);
    let req_ids: Vec<&str> =
        record[0]["requirements"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(req_ids, ["REQ-SZ-001", "REQ-SZ-002"]);
    let file = json["files"].as_array().unwrap().iter().find(|f| f["path"] == record[0]["path"]).unwrap();
    assert_eq!(file["by_placement"]["markdown-text"], 3, "the quotes are counted as mentions");
    // Only code traces cover: REQ-SZ-002 is cited by the record alone.
    let r2 = p["requirements"].as_array().unwrap().iter().find(|r| r["id"] == "REQ-SZ-002").unwrap();
    assert_eq!(r2["covered"], false);
}

/// Seed 003: a work-breakdown table of tasks with prerequisites and source references,
/// lettered execution phases with entrance/exit criteria and task lists, a
/// risk-to-task mapping, and a trailing empty template section that defines nothing.
#[test]
fn seed_003_tasks_phases_and_risk_mapping() {
    let (_, json) = seeds();
    let p = plan(&json, "Final_Implementation_Plan");
    assert_eq!(p["synthetic"], true, "no plan ID: named after its file");
    let tasks = items(p, "task");
    assert_eq!(ids(&tasks), ["T-001", "T-002", "T-003", "T-004"]);
    let t1 = tasks[0];
    assert_eq!(t1["title"], "Pin toolchain versions via lockfiles");
    assert_eq!(attr(t1, "Owner/Role"), Some("Platform Eng"));
    assert_eq!(attr(t1, "Priority"), Some("P0"));
    assert_eq!(attr(t1, "Prereqs"), Some("None"));
    assert_eq!(links(t1), [("references".to_string(), "NEW-RISK-002".to_string(), true)]);
    assert_eq!(
        links(tasks[3]),
        [
            ("depends-on".to_string(), "T-002".to_string(), true),
            ("depends-on".to_string(), "T-003".to_string(), true),
            ("references".to_string(), "R-002".to_string(), true),
        ]
    );
    // T-001 is required by T-002 and T-003, included in phase A, mitigates NEW-RISK-002.
    let incoming: Vec<(String, String)> = t1["incoming"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["kind"].as_str().unwrap().to_string(), i["from"]["id"].as_str().unwrap().to_string()))
        .collect();
    for expected in [
        ("depends-on", "T-002"),
        ("depends-on", "T-003"),
        ("includes", "A"),
        ("mitigated-by", "NEW-RISK-002"),
    ] {
        assert!(
            incoming.contains(&(expected.0.to_string(), expected.1.to_string())),
            "{expected:?} in {incoming:?}"
        );
    }
    let risks = items(p, "risk");
    assert_eq!(ids(&risks), ["R-001", "R-002", "NEW-RISK-001", "NEW-RISK-002"]);
    assert_eq!(links(risks[0]), [("mitigated-by".to_string(), "T-003".to_string(), true)]);
    assert_eq!(risks[0]["location"]["line"], 28);
    let phases: Vec<(&str, &str)> = p["phases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|ph| (ph["id"].as_str().unwrap(), ph["title"].as_str().unwrap()))
        .collect();
    assert_eq!(phases, [("A", "Planning & Controls"), ("B", "Reliability")]);
    let a = &p["phases"][0];
    let attrs: Vec<&str> =
        a["attributes"].as_array().unwrap().iter().map(|x| x["name"].as_str().unwrap()).collect();
    assert_eq!(attrs, ["Entrance", "Tasks", "Exit"]);
    let included: Vec<&str> =
        a["links"].as_array().unwrap().iter().map(|l| l["target"].as_str().unwrap()).collect();
    assert_eq!(included, ["T-001", "T-002"]);
    // The empty template (`R-### → [Task-IDs]`, the task-table description) adds nothing.
    assert_eq!(p["items"].as_array().unwrap().len(), 8);
    assert_eq!(json["summary"]["items"]["task"], 4);
    // A marker naming a task and a risk resolves to their pages.
    let t = json["traces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["path"] == "src/cache.ts" && t["line"] == 10)
        .unwrap();
    let refs: Vec<(&str, &str, &str)> = t["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["kind"].as_str().unwrap(), i["id"].as_str().unwrap(), i["status"].as_str().unwrap()))
        .collect();
    assert_eq!(refs, [("task", "T-002", "resolved"), ("risk", "NEW-RISK-001", "resolved")]);
}

/// Seed 004: spec-driven-development plan: spec-gap table, risks register without IDs,
/// a readiness checklist with progress, a gate; the instructions that quote
/// `` `Gate: PASS` `` define no gate.
#[test]
fn seed_004_gate_checklist_gaps_and_risks_register() {
    let (_, json) = seeds();
    let p = plan(&json, "spec-dev-ready");
    let gates = items(p, "gate");
    assert_eq!(gates.len(), 1, "quoted instructions are no gate");
    assert_eq!(attr(gates[0], "result"), Some("PASS"));
    assert_eq!(gates[0]["location"]["path"], "project-plans/spec-dev-ready/plan.md");
    let checklists = items(p, "checklist");
    let progress: Vec<(Option<&str>, Option<&str>, &str)> = checklists
        .iter()
        .map(|c| (attr(c, "checked"), attr(c, "total"), c["location"]["path"].as_str().unwrap()))
        .collect();
    assert_eq!(
        progress,
        [
            (Some("0"), Some("2"), "project-plans/spec-dev-ready/Plan-instructions.md"),
            (Some("7"), Some("7"), "project-plans/spec-dev-ready/plan.md"),
        ]
    );
    let gaps = items(p, "gap");
    assert_eq!(ids(&gaps), ["gap-1", "gap-2"]);
    assert_eq!(gaps[0]["title"], "Retry budget per tenant undefined");
    assert_eq!(attr(gaps[0], "Status"), Some("resolved"));
    let risks = items(p, "risk");
    assert_eq!(ids(&risks), ["risk-1", "risk-2"]);
    assert_eq!(attr(risks[0], "Impact"), Some("High"));
    assert_eq!(attr(risks[0], "Owner"), Some("Platform"));
}

#[test]
fn item_pages_show_state_attributes_links_and_traces() {
    let (out, _) = seeds();
    let task = read(out.path(), "plans/Final_Implementation_Plan/items/task/T-002.html");
    assert!(task.contains("Define the permissions model"), "{task}");
    assert!(task.contains("Security + Platform"));
    assert!(task.contains(r#"<a href="T-001.html">T-001</a>"#), "depends on T-001 is a link");
    assert!(task.contains("Required by"), "incoming prerequisites are listed");
    assert!(task.contains(r#"<a href="T-004.html">T-004</a>"#));
    assert!(task.contains("src/cache.ts:10"), "the marker's trace is on the page");
    assert!(task.contains(r#"<pre class="code excerpt""#), "with its excerpt");
    let gate = read(out.path(), "plans/spec-dev-ready/items/gate/gate-1.html");
    assert!(gate.contains(r#"<span class="state state-pass">PASS</span>"#), "{gate}");
    assert!(!out.path().join("plans/spec-dev-ready/items/checklist").exists(), "checklists have no page");
    let with_checklist = read(out.path(), "plans/spec-dev-ready/index.html");
    assert!(
        with_checklist.contains(r#"<span class="state state-done">7 of 7 checked</span>"#),
        "{with_checklist}"
    );
    assert!(with_checklist.contains(r#"<span class="state state-partial">0 of 2 checked</span>"#));
    assert!(with_checklist.contains(r#"docs/project-plans/spec-dev-ready/plan.md.html">checklist-2</a>"#));
    let plan = read(out.path(), "plans/Final_Implementation_Plan/index.html");
    assert!(plan.contains(r#"<h2 id="task">Tasks <span class="count">4</span></h2>"#), "{plan}");
    assert!(plan.contains(r#"<h2 id="risk">Risks <span class="count">4</span></h2>"#));
    let phase = read(out.path(), "plans/Final_Implementation_Plan/phases/A.html");
    assert!(phase.contains("Repo available; stakeholders assigned."));
    assert!(phase.contains("<dt>Includes</dt>"));
}

fn check_json(root: &Path) -> (std::process::Output, Value) {
    let o = tracemark(&["check", root.to_str().unwrap(), "--format", "json"]);
    let json = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)));
    (o, json)
}

fn findings(json: &Value, code: &str) -> Vec<(String, u64, String)> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == code)
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn item_findings_trigger_where_due_and_exit_1() {
    let (o, json) = check_json(&fixture("item-findings"));
    assert_eq!(o.status.code(), Some(1), "cycles and failed gates are errors");
    let cycles = findings(&json, "prerequisite-cycle");
    assert_eq!(cycles.len(), 2);
    assert_eq!(cycles[0].1, 9);
    assert!(cycles[0].2.ends_with("T-001 → T-003 → T-002 → T-001"), "{}", cycles[0].2);
    assert!(cycles[1].2.ends_with("T-005 → T-005"), "a task that requires itself");
    let gates = findings(&json, "failed-gate");
    assert_eq!(gates.len(), 1);
    assert!(gates[0].2.ends_with("failed: rollback not rehearsed"), "{}", gates[0].2);
    let dangling = findings(&json, "dangling-reference");
    let at: Vec<(&str, u64)> = dangling.iter().map(|d| (d.0.as_str(), d.1)).collect();
    assert_eq!(
        at,
        [("project-plans/rollout/plan.md", 12), ("project-plans/rollout/plan.md", 17), ("src/flag.ts", 4)]
    );
    assert!(dangling[2].2.contains("task `T-777`"));
}

#[test]
fn item_findings_are_absent_from_the_seed_shapes() {
    let (o, json) = check_json(&fixture("seeds"));
    assert_eq!(o.status.code(), Some(0), "only warnings: {}", String::from_utf8_lossy(&o.stdout));
    for code in ["prerequisite-cycle", "failed-gate", "dangling-reference", "duplicate-definition"] {
        assert!(findings(&json, code).is_empty(), "{code}");
    }
}

/// Every finding code is triggered by at least one fixture, and none by the clean one.
#[test]
fn every_finding_code_has_a_triggering_fixture_and_none_fires_on_the_clean_one() {
    let mut seen = std::collections::BTreeSet::new();
    for root in [
        repo().join("content-example"),
        fixture("edge"),
        fixture("encodings"),
        fixture("phase-status"),
        fixture("item-findings"),
        fixture("seeds"),
        fixture("no-plans"),
    ] {
        let (_, json) = check_json(&root);
        for f in json["findings"].as_array().unwrap() {
            seen.insert(f["code"].as_str().unwrap().to_string());
        }
    }
    // Git history: a reworded requirement (suspect trace) and a damaged review record.
    let suspect = crate::suspect::repository();
    let root = suspect.path().join("repo");
    crate::history::write(&root, ".tracemark/reviews.toml", "[[review]]\nrequirement = \n");
    let (_, json) = check_json(&root);
    for f in json["findings"].as_array().unwrap() {
        seen.insert(f["code"].as_str().unwrap().to_string());
    }
    // Test reports: a failing test, a malformed report, and the opt-in code turned on.
    let results = tempfile::tempdir().unwrap();
    crate::copy_dir(&fixture("results"), results.path());
    std::fs::write(
        results.path().join("tracemark.toml"),
        "test_results = [\"reports/*.xml\", \"broken/*.xml\"]\n[severity]\nuntested-requirement = \"note\"\n",
    )
    .unwrap();
    let (_, json) = check_json(results.path());
    for f in json["findings"].as_array().unwrap() {
        seen.insert(f["code"].as_str().unwrap().to_string());
    }
    let tmp = tempfile::tempdir().unwrap();
    let o = tracemark(&["init", tmp.path().to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let config = std::fs::read_to_string(tmp.path().join("tracemark.toml")).unwrap();
    let all: Vec<String> = config
        .lines()
        .skip_while(|l| *l != "# [severity]")
        .skip(1)
        .filter(|l| l.contains(" = "))
        .filter_map(|l| l.strip_prefix("# ")?.split(" = ").next())
        .map(str::to_string)
        .collect();
    assert_eq!(all.len(), 20, "init lists every code: {config}");
    for code in &all {
        assert!(seen.contains(code), "no fixture triggers `{code}`; seen {seen:?}");
    }
    let (o, clean) = check_json(&fixture("check-clean"));
    assert_eq!(o.status.code(), Some(0));
    assert!(clean["findings"].as_array().unwrap().is_empty(), "{clean}");
}

/// A project copy with a `tracemark.toml`.
fn with_config(fixture_name: &str, config: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&fixture(fixture_name), tmp.path());
    std::fs::write(tmp.path().join("tracemark.toml"), config).unwrap();
    tmp
}

#[test]
fn configured_kind_with_its_own_tag_gets_items_pages_and_traces() {
    let tmp = with_config(
        "seeds",
        "title = \"Seeds\"\n\n[kinds.scenario]\npattern = 'SC-\\d{2}'\ntags = [\"@scenario\"]\n",
    );
    std::fs::write(
        tmp.path().join("project-plans/spec-dev-ready/scenarios.md"),
        "# Scenarios\n\n### SC-01 — Retry after outage\nGiven an outage, when it ends, then retries drain in order.\n",
    )
    .unwrap();
    std::fs::write(
        tmp.path().join("src/retry.ts"),
        "// @scenario:SC-01\nexport const retry = 1;\n// @scenario:SC-02\n",
    )
    .unwrap();
    let (out, _) = build(tmp.path());
    let json = trace_json(out.path());
    let p = plan(&json, "spec-dev-ready");
    let sc = items(p, "scenario");
    assert_eq!(ids(&sc), ["SC-01"]);
    assert_eq!(sc[0]["title"], "Retry after outage");
    assert_eq!(sc[0]["traces"].as_array().unwrap().len(), 1);
    let page = read(out.path(), "plans/spec-dev-ready/items/scenario/SC-01.html");
    assert!(page.contains("src/retry.ts:1"));
    let dangling: Vec<&Value> = diagnostics_with_code(&json, "dangling-reference");
    assert_eq!(dangling.len(), 1);
    assert!(dangling[0]["message"].as_str().unwrap().contains("scenario `SC-02`"));
}

#[test]
fn requirement_pattern_restricts_ids_and_reports_typos() {
    let tmp = with_config("seeds", "[kinds.requirement]\npattern = 'REQ-[A-Z]{2}-\\d{3}'\n");
    std::fs::write(
        tmp.path().join("src/typo.ts"),
        "// @plan:PLAN-20251101-SHAPEZERO.P02 @requirement:REQ-SZ-02\n",
    )
    .unwrap();
    let (_, json) = check_json(tmp.path());
    let unresolved = findings(&json, "unresolved-marker");
    assert_eq!(unresolved.len(), 1, "{json}");
    assert_eq!((unresolved[0].0.as_str(), unresolved[0].1), ("src/typo.ts", 1));
    assert!(unresolved[0].2.contains("REQ-SZ-02"));
}

#[test]
fn bad_kind_regex_exits_2_naming_file_line_and_key() {
    let tmp = with_config("seeds", "title = \"x\"\n\n[kinds.task]\npattern = 'T-(\\d{3}'\n");
    let o = tracemark(&["check", tmp.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("tracemark.toml:4:"), "{err}");
    assert!(err.contains("kinds.task.pattern is not a valid regex"), "{err}");
}

#[test]
fn built_in_kinds_and_kinds_without_pattern_are_rejected() {
    for (config, needle) in [
        ("[kinds.gate]\npattern = 'G-\\d+'\n", "`gate` is built in"),
        ("[kinds.scenario]\ntags = [\"@scenario\"]\n", "[kinds.scenario] needs a `pattern`"),
        ("[kinds.task]\ntags = [\"task\"]\n", "kinds.task.tags"),
        ("[kinds.task]\npatern = 'T-\\d+'\n", "unknown field `patern`"),
    ] {
        let tmp = with_config("seeds", config);
        let o = tracemark(&["check", tmp.path().to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{config}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("tracemark.toml:"), "{err}");
        assert!(err.contains(needle), "{config}: {err}");
    }
}

/// The seed files themselves (`../shared/seeds/`, beside the repository in CI, not part
/// of it) read as the shapes they are: 003 gives 25 tasks and 20 risks, 004 a 7-item
/// checklist and no gate (its `Gate:` lines are quoted instructions). Ignored by a plain
/// `cargo test` (the summary counts it); `.ci/run` runs it with `--ignored`, and then
/// missing seeds fail it.
#[test]
#[ignore = "reads ../shared/seeds beside the repository; run with --ignored"]
fn the_seed_files_themselves() {
    let seeds = repo().join("../shared/seeds");
    let entries = std::fs::read_dir(&seeds).unwrap_or_else(|e| panic!("{}: {e}", seeds.display()));
    let tmp = tempfile::tempdir().unwrap();
    let plans = tmp.path().join("project-plans");
    for e in entries {
        let path = e.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let dest = match &name[..3] {
            "000" => plans.join("s000/plan/00-overview.md"),
            "001" => plans.join("s001/plan/00-overview.md"),
            "002" => plans.join("s000/.completed/P01.md"),
            "003" => plans.join("Final_Implementation_Plan.md"),
            "004" => plans.join("Plan.md"),
            _ => continue,
        };
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(&path, &dest).unwrap();
    }
    let (out, _) = build(tmp.path());
    let json = trace_json(out.path());
    let f = plan(&json, "Final_Implementation_Plan");
    assert_eq!(items(f, "task").len(), 25);
    assert_eq!(items(f, "risk").len(), 20);
    let phases: Vec<&str> =
        f["phases"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(phases, ["A", "B", "C", "D", "E"]);
    let p = plan(&json, "Plan");
    assert!(items(p, "gate").is_empty());
    let checklists = items(p, "checklist");
    assert_eq!(checklists.len(), 1);
    assert_eq!((attr(checklists[0], "checked"), attr(checklists[0], "total")), (Some("0"), Some("7")));
    assert!(json["plans"].as_array().unwrap().iter().any(|p| p["id"] == "PLAN-20251023-STATELESS-HARDENING"));
    assert!(json["plans"].as_array().unwrap().iter().any(|p| p["id"] == "PLAN-20251018-STATELESSPROVIDER2"));
    let cycles: Vec<&Value> = diagnostics_with_code(&json, "prerequisite-cycle");
    assert!(cycles.is_empty(), "{cycles:?}");
}

/// The layout of a plan with tasks, risks, lettered phases and link matrices (seed 003),
/// and of a task page with its dependency lists and trace.
#[test]
fn plan_and_task_page_snapshots() {
    let (out, _) = seeds();
    let version = concat!("tracemark ", env!("CARGO_PKG_VERSION"));
    let plan = read(out.path(), "plans/Final_Implementation_Plan/index.html")
        .replace(version, "tracemark [VERSION]");
    insta::assert_snapshot!("seed_003_plan_page", plan);
    let task = read(out.path(), "plans/Final_Implementation_Plan/items/task/T-002.html")
        .replace(version, "tracemark [VERSION]");
    insta::assert_snapshot!("seed_003_task_page", task);
}
