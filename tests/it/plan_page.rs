//! A plan page made to be read when the plan is big: a contents list of its sections,
//! and a trace matrix of the requirements and phases that hold a mark, with a link to
//! the full matrix (`plans/<plan>/matrix.html`) when it leaves anything out.

use crate::{build, fixture, read, repo};

const PLAN: &str = "plans/PLAN-20260401-WIDEMATRIX";

/// The phase IDs heading the columns of the first trace matrix of `page`.
fn matrix_columns(page: &str) -> Vec<String> {
    let table = page.split(r#"<table class="matrix"#).nth(1).expect("a trace matrix");
    let head = table.split("</thead>").next().unwrap();
    head.split("<th><a href=\"")
        .skip(1)
        .map(|c| c.split('>').nth(1).unwrap().split('<').next().unwrap().to_string())
        .collect()
}

/// The requirement IDs heading the rows of the first trace matrix of `page`.
fn matrix_rows(page: &str) -> Vec<String> {
    let table = page.split(r#"<table class="matrix"#).nth(1).expect("a trace matrix");
    let body = table.split("<tbody>").nth(1).unwrap().split("</tbody>").next().unwrap();
    body.split("<tr><th><a href=\"")
        .skip(1)
        .map(|c| c.split('>').nth(1).unwrap().split('<').next().unwrap().to_string())
        .collect()
}

#[test]
fn the_plan_page_lists_its_sections() {
    let (out, _) = build(&fixture("browser"));
    let page = read(out.path(), &format!("{PLAN}/index.html"));
    let nav = page.split(r#"<nav class="toc contents" aria-label="Contents">"#).nth(1).expect(&page);
    let nav = nav.split("</nav>").next().unwrap();
    for (anchor, count) in [
        ("requirements", Some(5)),
        ("phases", Some(81)),
        ("matrix", None),
        ("findings", Some(8)),
        ("documents", Some(5)),
    ] {
        assert!(page.contains(&format!(r#"<h2 id="{anchor}">"#)), "{anchor}");
        let link = nav
            .split(&format!(r##"<a href="#{anchor}">"##))
            .nth(1)
            .unwrap_or_else(|| panic!("{anchor}: {nav}"));
        if let Some(n) = count {
            let shown = link.split(r#"<span class="count">"#).nth(1).unwrap().split('<').next().unwrap();
            assert_eq!(shown, n.to_string(), "{anchor}: {nav}");
        }
    }
}

#[test]
fn the_matrix_leaves_out_empty_rows_and_columns_and_links_the_full_one() {
    let (out, _) = build(&fixture("browser"));
    let page = read(out.path(), &format!("{PLAN}/index.html"));
    // P00 (the overview) and the verification phases but P11a hold no mark; REQ-005 none.
    let mut expected: Vec<String> = (1..=40).map(|i| format!("P{i:02}")).collect();
    expected.insert(11, "P11a".into());
    assert_eq!(matrix_columns(&page), expected);
    assert_eq!(matrix_rows(&page), ["REQ-001", "REQ-002", "REQ-003", "REQ-004"]);
    assert!(
        page.contains(
            "Shown: 4 of 5 requirements and 41 of 81 phases; left out: 1 requirement and 40 phases \
             with no mark. <a href=\"matrix.html\">The full matrix</a>"
        ),
        "{page}"
    );
    // The full matrix: every requirement and phase, linked back to the plan.
    let full = read(out.path(), &format!("{PLAN}/matrix.html"));
    assert_eq!(matrix_columns(&full).len(), 81);
    assert_eq!(matrix_columns(&full)[0], "P00");
    assert_eq!(matrix_rows(&full).len(), 5);
    assert!(full.contains(r#"<a href="index.html">PLAN-20260401-WIDEMATRIX</a> / Trace matrix"#), "{full}");
    assert!(full.contains(r#"<a href="phases/P03a.html">P03a</a>"#));
    // Printed, a wider matrix is set smaller (the browser tests measure it on paper).
    assert!(page.contains(r#"<table class="matrix dense">"#), "41 columns");
    assert!(full.contains(r#"<table class="matrix densest">"#), "81 columns");
}

#[test]
fn a_matrix_shown_whole_has_no_full_page() {
    let (out, _) = build(&repo().join("content-example"));
    let plan = "plans/PLAN-20260112-TENANTQUOTA";
    let page = read(out.path(), &format!("{plan}/index.html"));
    assert!(page.contains(r#"<table class="matrix">"#));
    assert!(!page.contains("matrix-note") && !page.contains("matrix.html"), "{page}");
    assert!(!out.path().join(plan).join("matrix.html").exists());
}

/// A project of one plan folder per `(folder, plan ID)`, each defining `REQ-001`.
fn plans_sharing_req_001(plans: &[(String, String)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (folder, plan) in plans {
        let folder = dir.path().join("project-plans").join(folder);
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(
            folder.join("specification.md"),
            format!("# {plan} — A plan\n\n### REQ-001: Of {plan}\n"),
        )
        .unwrap();
    }
    dir
}

/// An ID that many plans define (`REQ-001`) is listed on each requirement page only for
/// the nearest plans, with a search for the rest: the pages stay bounded instead of
/// growing with the square of the number of plans.
#[test]
fn a_requirement_page_lists_the_nearest_plans_with_the_same_id_and_searches_for_the_rest() {
    let dir = plans_sharing_req_001(
        &(1..=20).map(|n| (format!("p{n:02}"), format!("PLAN-202601{n:02}-SHARED"))).collect::<Vec<_>>(),
    );
    let (out, _) = build(dir.path());
    let page = read(out.path(), "plans/PLAN-20260110-SHARED/requirements/REQ-001.html");
    let section = page.split("Same ID in other plans").nth(1).expect("the section");
    assert!(section.contains(r#"<span class="count">19</span>"#), "{section}");
    let listed: Vec<&str> =
        section.split("REQ-001 in PLAN-").skip(1).map(|s| s.split('<').next().unwrap()).collect();
    // The twelve nearest plans (4..16 without 10 itself, ties to the earlier), in order.
    let expected: Vec<String> =
        [4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16].iter().map(|n| format!("202601{n:02}-SHARED")).collect();
    assert_eq!(listed, expected, "{section}");
    assert!(
        section.contains(r#"<a href="../../../search.html?q=REQ-001">search for REQ-001</a> for all 19"#),
        "{section}"
    );
    // A plan whose ID few others share lists them all, without a search.
    let dir2 = plans_sharing_req_001(
        &(1..=3).map(|n| (format!("p{n}"), format!("PLAN-2026010{n}-FEW"))).collect::<Vec<_>>(),
    );
    let (out2, _) = build(dir2.path());
    let page = read(out2.path(), "plans/PLAN-20260101-FEW/requirements/REQ-001.html");
    assert!(
        page.contains("REQ-001 in PLAN-20260102-FEW") && page.contains("REQ-001 in PLAN-20260103-FEW"),
        "{page}"
    );
    assert!(!page.contains("search.html?q="), "{page}");
}
