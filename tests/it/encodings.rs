//! Hostile input that once crashed or lost data (`tests/fixtures/encodings/`): plan
//! titles whose trailing spaces or closing `#` run shifted the declaration reader (a
//! panic inside a multi-byte character, or a lost plan ID).

use crate::{build, fixture, trace_json};

#[test]
fn hostile_plan_titles_keep_their_plan_ids_and_titles() {
    let (out, o) = build(&fixture("encodings"));
    assert!(!String::from_utf8_lossy(&o.stderr).contains("panicked"));
    let json = trace_json(out.path());
    let plans: Vec<(&str, &str)> = json["plans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p["title"].as_str().unwrap()))
        .collect();
    for (id, title) in [
        ("PLAN-20250101-ABC", "Title"),
        ("PLAN-20250102-UML", "Überblick"),
        ("PLAN-20250103-ASC", "Title"),
        ("PLAN-20250104-HSH", "Overview"),
        ("PLAN-20250101-COMM", "(Revised)"),
    ] {
        assert!(plans.contains(&(id, title)), "{id} {title:?} in {plans:?}");
    }
}
