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
