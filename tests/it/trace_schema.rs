//! `trace.schema.json`: the JSON Schema the build publishes beside `trace.json`. Every
//! built `trace.json` validates against the built schema (the demo, a project with test
//! reports, one with items and their findings), a broken copy does not, and the schema
//! is the one kept in the repository (`docs/trace.schema.json`).

use crate::{build, fixture, read, repo};
use serde_json::Value;
use std::path::Path;

/// The built `trace.json` and `trace.schema.json` of `root`.
fn built(root: &Path) -> (Value, Value) {
    let (out, _) = build(root);
    let json: Value = serde_json::from_str(&read(out.path(), "trace.json")).expect("trace.json is JSON");
    let schema: Value =
        serde_json::from_str(&read(out.path(), "trace.schema.json")).expect("trace.schema.json is JSON");
    (json, schema)
}

/// The messages of every error of `json` against `schema`.
fn errors(schema: &Value, json: &Value) -> Vec<String> {
    let validator = jsonschema::validator_for(schema).expect("the schema compiles");
    validator.iter_errors(json).map(|e| format!("{}: {e}", e.instance_path())).collect()
}

#[test]
fn built_trace_json_validates_against_the_built_schema() {
    for root in [repo().join("content-example"), fixture("results"), fixture("item-findings")] {
        let (json, schema) = built(&root);
        assert_eq!(json["$schema"], "trace.schema.json", "{}", root.display());
        assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
        let errors = errors(&schema, &json);
        assert!(errors.is_empty(), "{}: {errors:#?}", root.display());
    }
}

#[test]
fn the_schema_rejects_a_broken_trace_json() {
    let (json, schema) = built(&fixture("results"));
    assert!(json["verification"].is_object(), "the fixture has test reports");
    let broken = |f: &dyn Fn(&mut Value)| {
        let mut copy = json.clone();
        f(&mut copy);
        errors(&schema, &copy)
    };
    // A line as a string.
    let e = broken(&|j| j["traces"][0]["line"] = Value::from("7"));
    assert!(e.iter().any(|m| m.starts_with("/traces/0/line")), "{e:?}");
    // A required key missing.
    let e = broken(&|j| {
        j["plans"][0].as_object_mut().unwrap().remove("requirements");
    });
    assert!(!e.is_empty(), "a plan without requirements is rejected");
    // A key that is always written, even as `null`, left out.
    let e = broken(&|j| {
        j["source"].as_object_mut().unwrap().remove("commit");
    });
    assert!(!e.is_empty(), "`source.commit` is required (null without git)");
    // A placement tracemark does not write.
    let e = broken(&|j| j["traces"][0]["placement"] = Value::from("telepathy"));
    assert!(e.iter().any(|m| m.starts_with("/traces/0/placement")), "{e:?}");
    // A requirement reference with a status it cannot have.
    let e = broken(&|j| j["traces"][0]["requirements"][0]["status"] = Value::from("maybe"));
    assert!(!e.is_empty(), "an unknown resolution status is rejected");
}

#[test]
fn the_published_schema_is_the_one_in_the_repository() {
    let (_, schema) = built(&fixture("results"));
    let committed: Value =
        serde_json::from_str(&std::fs::read_to_string(repo().join("docs/trace.schema.json")).unwrap())
            .unwrap();
    assert_eq!(
        schema, committed,
        "docs/trace.schema.json is out of date: see src/render/pages/trace_json.rs"
    );
}
