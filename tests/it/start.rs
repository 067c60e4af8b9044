//! The start page (`start.html`): linked from every page's header, it explains each
//! term of the site and lists every finding code.

use crate::{build, fixture, read};

#[test]
fn the_start_page_explains_each_term_and_every_finding_code() {
    let (out, _) = build(&fixture("excerpts"));
    let index = read(out.path(), "index.html");
    assert!(index.contains(r#"href="start.html">Start</a>"#), "{index}");
    let page = read(out.path(), "start.html");
    for term in [
        "plan",
        "phase",
        "verification-phase",
        "completion-record",
        "tracker",
        "requirement",
        "marker",
        "trace",
        "mention",
        "covered",
        "claim",
        "finding",
    ] {
        assert!(page.contains(&format!(r#"<dt id="{term}">"#)), "{term} is explained");
    }
    for status in ["done", "in-progress", "pending", "failed", "unknown"] {
        assert!(page.contains(&format!("status-{status}")), "{status} is in the legend");
    }
    for code in tracemark::diagnostic::Code::ALL {
        assert!(page.contains(&format!(r#"<tr id="{}">"#, code.name())), "{} is listed", code.name());
    }
    assert!(page.contains("1 plan,") && page.contains("9 requirements (9 covered)"), "{page}");
}

/// The index's charts: inline SVG (no script), every count written as text, a label
/// for screen readers; the phase-status fixture has done, pending and unknown phases.
#[test]
fn the_index_charts_plans_by_coverage_and_phases_by_status() {
    let (out, _) = build(&fixture("phase-status"));
    let index = read(out.path(), "index.html");
    let charts =
        index.split(r#"<section class="charts""#).nth(1).expect("charts").split("</section>").next().unwrap();
    assert_eq!(charts.matches("<svg class=\"chart\"").count(), 3, "{charts}");
    assert!(charts.contains("aria-label=\"Plans by requirements covered in code. none: "), "{charts}");
    assert!(charts.contains("<title>Every phase by status</title>"), "{charts}");
    let label =
        charts.split("aria-label=\"Every phase by status. ").nth(1).unwrap().split('"').next().unwrap();
    let counts: Vec<usize> =
        label.split("; ").map(|p| p.rsplit(' ').next().unwrap().parse().unwrap()).collect();
    assert_eq!(counts.len(), 5, "{label}");
    assert!(counts[0] > 0, "some phase is done: {label}");
    assert!(
        charts.contains(&format!(">done {}</text>", counts[0])),
        "the legend writes the number: {charts}"
    );
    assert!(!charts.contains("<script"), "{charts}");
}
