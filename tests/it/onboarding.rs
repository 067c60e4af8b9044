//! Onboarding pages: a plan's abstract, related plans and open items; a requirement's
//! implementation and test traces apart, and its mentions; the repository's process
//! guides linked from the start page.

use crate::{build, fixture, read};

const PLAN: &str = "plans/PLAN-20250301-WIDGET-CORE/index.html";

/// The part of `page` from the element with `id` to the next heading of its level or
/// above (`<h3 id=…>` ends at the next `<h3` or `<h2`).
fn section<'a>(page: &'a str, id: &str) -> &'a str {
    let start = page.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no #{id} in {page}"));
    let rest = &page[start..];
    let h3 = page[..start].ends_with("<h3 ");
    let ends: &[&str] = if h3 { &["<h2", "<h3"] } else { &["<h2"] };
    let end = ends.iter().filter_map(|e| rest[1..].find(e)).min().map_or(rest.len(), |i| i + 1);
    &rest[..end]
}

#[test]
fn a_plan_page_shows_its_abstract_status_and_related_plans() {
    let (out, _) = build(&fixture("onboarding"));
    let page = read(out.path(), PLAN);
    let abs = section(&page, "abstract");
    assert!(
        abs.contains("<p>The widget plan makes every widget render from <em>one registry</em>"),
        "the first paragraph, rendered: {abs}"
    );
    assert!(!abs.contains("It replaces"), "only the first paragraph: {abs}");
    assert!(abs.contains("specification.md:8"), "{abs}");
    assert!(page.contains(r#"<span class="status plan-status-in-progress">in progress</span>"#));

    let related = section(&page, "related");
    assert!(
        related.contains(r#"<a href="../PLAN-20250401-WIDGET2/index.html">PLAN-20250401-WIDGET2</a>"#)
            && related.contains("same series: widget"),
        "a series by stem (folders 20250301widget1 and 20250401widget2): {related}"
    );
    assert!(related.contains("PLAN-20250310-GADGETS") && related.contains("named by this plan"), "{related}");
    // The other direction, on the named plan's page.
    let gadgets = read(out.path(), "plans/PLAN-20250310-GADGETS/index.html");
    let back = section(&gadgets, "related");
    assert!(back.contains("PLAN-20250301-WIDGET-CORE") && back.contains("names this plan"), "{back}");
    assert!(!back.contains("same series"), "gadgets is in no series: {back}");
}

#[test]
fn open_items_list_pending_and_conflicting_phases_uncovered_requirements_boxes_and_risks() {
    let (out, _) = build(&fixture("onboarding"));
    let page = read(out.path(), PLAN);
    assert!(
        page.contains(r##"<a href="#open-items"><b>3</b><span>findings</span></a>"##),
        "the findings card leads to the open items"
    );
    let open = section(&page, "open-items");
    let conflicts = section(open, "open-conflicts");
    assert!(
        conflicts.contains(r#"<a href="phases/P02.html">P02</a>"#)
            && conflicts.contains("tracker: not started (⬜)")
            && conflicts.contains("execution-tracker.md:6</a>")
            && conflicts
                .contains(r#"href="../../docs/project-plans/20250301widget1/.completed/P02.md.html""#),
        "the tracker row and the completion record, both linked: {conflicts}"
    );
    let pending = section(open, "open-phases");
    assert!(pending.contains("P03") && !pending.contains("P02") && !pending.contains("P01"), "{pending}");
    let uncovered = section(open, "open-uncovered");
    assert!(uncovered.contains("REQ-WG-002") && uncovered.contains("REQ-WG-003"), "{uncovered}");
    assert!(!uncovered.contains("REQ-WG-001"), "{uncovered}");
    let boxes = section(open, "open-unchecked");
    assert!(
        boxes.contains(r#"<summary>Phase P02 <span class="count">1</span></summary>"#)
            && boxes.contains(r#"On the phase's page: <a href="phases/P02.html">P02</a>"#)
            && boxes.contains("☐ Document the error codes")
            && !boxes.contains("Write the error type"),
        "{boxes}"
    );
    let risks = section(open, "open-risks");
    assert!(risks.contains("Registry lookups grow slow") && !risks.contains("Old factories"), "{risks}");
    assert!(open.contains(r##"<a href="#findings">3 findings</a>"##), "{open}");
}

#[test]
fn requirement_pages_split_implementation_from_tests_and_list_mentions_apart() {
    let (out, _) = build(&fixture("onboarding"));
    let req = read(out.path(), "plans/PLAN-20250301-WIDGET-CORE/requirements/REQ-WG-001.html");
    let implementation = section(&req, "implementation");
    let tests = section(&req, "test-code");
    assert!(implementation.contains("src/registry.ts:2") && !implementation.contains("registry.test.ts"));
    assert!(tests.contains("src/__tests__/registry.test.ts:3") && !tests.contains("src/registry.ts:2"));

    let mentioned = read(out.path(), "plans/PLAN-20250301-WIDGET-CORE/requirements/REQ-WG-003.html");
    let mentions = section(&mentioned, "mentions");
    assert!(
        mentions.contains("src/rules.ts:1")
            && mentions.contains("<code>// The naming rules: see REQ-WG-003 for why they live here.</code>"),
        "{mentions}"
    );
    assert!(mentioned.contains(r#"<span class="badge warn">uncovered</span>"#), "a mention does not cover");

    let json: serde_json::Value = serde_json::from_str(&read(out.path(), "trace.json")).unwrap();
    assert_eq!(json["summary"]["mentions"], 1);
    assert_eq!(json["summary"]["covered_requirements"], 1);
    assert_eq!(json["mentions"][0]["path"], "src/rules.ts");
    assert_eq!(json["mentions"][0]["id"], "REQ-WG-003");
    let plan =
        json["plans"].as_array().unwrap().iter().find(|p| p["id"] == "PLAN-20250301-WIDGET-CORE").unwrap();
    let r3 = plan["requirements"].as_array().unwrap().iter().find(|r| r["id"] == "REQ-WG-003").unwrap();
    assert_eq!((r3["covered"].as_bool(), r3["mentions"].as_array().map(Vec::len)), (Some(false), Some(1)));
    assert_eq!(plan["status"], "in-progress");
    assert_eq!(plan["conflicts"][0]["phase"], "P02");
}

#[test]
fn process_guides_are_rendered_and_linked_from_the_start_page() {
    let (out, _) = build(&fixture("onboarding"));
    let start = read(out.path(), "start.html");
    let guides = section(&start, "guides");
    assert!(
        guides.contains(r#"<a href="guides/dev-docs/PLAN.html">dev-docs/PLAN.md</a> How we plan"#),
        "{guides}"
    );
    assert!(guides.contains("docs/CONTRIBUTING.md"), "{guides}");
    assert!(!guides.contains("notes.md"), "a file whose name says nothing of the process: {guides}");
    for status in ["delivered", "in-progress", "not-started", "unknown"] {
        assert!(start.contains(&format!("plan-status-{status}")), "the legend explains plan status {status}");
    }
    let guide = read(out.path(), "guides/dev-docs/PLAN.html");
    assert!(guide.contains("<code>@plan</code> and <code>@requirement</code> markers"), "{guide}");
    assert!(!guide.contains("<script>alert"), "sanitised like a document");
    assert!(guide.contains("Content-Security-Policy"), "same CSP as every page");
}

#[test]
fn configured_guides_replace_the_default_ones() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("dev-docs")).unwrap();
    std::fs::create_dir_all(root.join("handbook")).unwrap();
    std::fs::write(root.join("dev-docs/PLAN.md"), "# Plan guide\n").unwrap();
    std::fs::write(root.join("handbook/how.md"), "# How we work\n").unwrap();
    std::fs::write(root.join("tracemark.toml"), "guides = [\"handbook/how.md\", \"missing.md\"]\n").unwrap();
    let (out, _) = build(root);
    let start = read(out.path(), "start.html");
    assert!(start.contains(r#"href="guides/handbook/how.html""#), "{start}");
    assert!(!start.contains("dev-docs/PLAN.md"), "the list replaces the default");
    let diagnostics = read(out.path(), "diagnostics.html");
    assert!(diagnostics.contains("process guide could not be read"), "a missing guide is a finding");
}

#[test]
fn a_rebuild_keeps_mentions_right_with_and_without_changes() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("p");
    crate::copy_dir(&fixture("onboarding"), &root);
    let out = tmp.path().join("site");
    let run = || {
        let o = crate::tracemark(&["build", root.to_str().unwrap(), "--out", out.to_str().unwrap()]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr)
    };
    let page = "plans/PLAN-20250301-WIDGET-CORE/requirements/REQ-WG-003.html";
    run();
    assert!(read(&out, page).contains("id=\"mentions\""));
    let again = run();
    assert!(again.contains("(0 written, 0 removed)"), "nothing changed: {again}");
    assert!(read(&out, page).contains("src/rules.ts:1"));
    // The mention removed: the page loses it, though no marker changed.
    std::fs::write(root.join("src/rules.ts"), "export const RULES = ['lower-case'];\n").unwrap();
    run();
    assert!(!read(&out, page).contains("id=\"mentions\""), "{}", read(&out, page));
    assert_eq!(crate::trace_json(&out)["summary"]["mentions"], 0);
}

#[test]
fn a_long_checklist_lists_its_first_fifty_boxes_and_counts_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("project-plans/long/plan");
    std::fs::create_dir_all(&plan).unwrap();
    std::fs::write(
        dir.path().join("project-plans/long/specification.md"),
        "# Plan: Long\n\nPlan ID: PLAN-20250101-LONG\n",
    )
    .unwrap();
    let boxes: String = (1..=52).map(|i| format!("- [ ] Box {i}\n")).collect();
    std::fs::write(
        plan.join("01-one.md"),
        format!("# Phase 01: One\n\n## Phase ID\n`PLAN-20250101-LONG.P01`\n\n## Checks\n{boxes}"),
    )
    .unwrap();
    let (out, _) = build(dir.path());
    let page = read(out.path(), "plans/PLAN-20250101-LONG/index.html");
    let boxes = section(&page, "open-unchecked");
    assert!(boxes.contains("☐ Box 50") && !boxes.contains("☐ Box 51"), "{boxes}");
    assert!(boxes.contains("… and 2 more on the phase's page"), "{boxes}");
    assert!(boxes.contains(r#"<span class="count">52</span>"#), "{boxes}");
}
