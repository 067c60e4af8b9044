//! Site search: the index files under `search/` (shard list, shards, chunks of entries),
//! every result URL naming a page of the site, `.nojekyll` at the root, and, when
//! Chromium is installed, a query run in the browser from `file://`.

use crate::{build, fixture, read};
use serde_json::Value;
use std::path::Path;

/// The JSON of an index file (`(window.tracemarkSearch=…).push(<JSON>);`).
fn index_file(out: &Path, rel: &str) -> Value {
    let text = read(out, rel);
    let body = text
        .strip_prefix("(window.tracemarkSearch=window.tracemarkSearch||[]).push(")
        .and_then(|t| t.strip_suffix(");\n"))
        .unwrap_or_else(|| panic!("{rel}: not one push statement"));
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Every entry of the index, in entry order: [kind, ID, title, URL, snippet, context].
fn entries(out: &Path, list: &Value) -> Vec<Value> {
    let chunk = list["chunk"].as_u64().unwrap() as usize;
    let total = list["entries"].as_u64().unwrap() as usize;
    let mut all = Vec::new();
    for c in 0..total.div_ceil(chunk) {
        let file = index_file(out, &format!("search/d-{c}.js"));
        assert_eq!(file["chunk"], c);
        all.extend(file["entries"].as_array().unwrap().iter().cloned());
    }
    assert_eq!(all.len(), total);
    all
}

#[test]
fn the_index_finds_every_kind_and_every_url_names_a_page() {
    let (out, _) = build(&fixture("search"));
    let out = out.path();
    let list = index_file(out, "search/index.js");
    let all = entries(out, &list);
    for e in &all {
        let url = e[3].as_str().unwrap();
        assert!(!url.starts_with('/') && !url.contains("://"), "relative: {url}");
        let path = url.split('#').next().unwrap();
        let path = percent_encoding::percent_decode_str(path).decode_utf8().unwrap();
        assert!(out.join(path.as_ref()).is_file(), "{e}: no page {path}");
    }
    let find = |kind: &str, id: &str| {
        all.iter()
            .filter(|e| e[0] == kind && e[1] == id)
            .map(|e| (e[3].as_str().unwrap().to_string(), e[5].as_str().unwrap().to_string()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        find("requirement", "REQ-001"),
        [
            (
                "plans/PLAN-20260301-LANTERN/requirements/REQ-001.html".to_string(),
                "PLAN-20260301-LANTERN".to_string()
            ),
            ("plans/PLAN-20260302-BEACON/requirements/REQ-001.html".into(), "PLAN-20260302-BEACON".into()),
        ]
    );
    assert_eq!(find("plan", "PLAN-20260302-BEACON").len(), 1);
    assert_eq!(
        find("phase", "P01"),
        [("plans/PLAN-20260301-LANTERN/phases/P01.html".into(), "PLAN-20260301-LANTERN".into())]
    );
    assert_eq!(
        find("file", "src/__tests__/dimmer.test.ts"),
        [("files/src/__tests__/dimmer.test.ts.html".into(), String::new())]
    );
    assert_eq!(find("document", "project-plans/beacon/specification.md").len(), 1);
    let req = all.iter().find(|e| e[1] == "REQ-002").unwrap();
    assert_eq!(req[2], "Night mode");
    assert!(req[4].as_str().unwrap().contains("lowers its glow"), "snippet: {}", req[4]);

    // Every listed shard exists and holds only tokens of its key; REQ-001 is an ID token
    // of both requirements, `glow` a text word of both of the lantern's.
    let mut shard_of = std::collections::HashMap::new();
    for s in list["shards"].as_array().unwrap() {
        let (key, file) = (s[0].as_str().unwrap(), s[1].as_str().unwrap());
        let shard = index_file(out, &format!("search/s-{file}.js"));
        assert_eq!(shard["key"], key);
        for token in shard["tokens"].as_object().unwrap().keys() {
            assert_eq!(token.chars().take(2).collect::<String>(), key, "{token} in shard {key}");
        }
        shard_of.insert(key.to_string(), shard);
    }
    let postings = |token: &str| -> Vec<(String, u64)> {
        let key: String = token.chars().take(2).collect();
        let p = shard_of[&key]["tokens"][token].as_array().cloned().unwrap_or_default();
        p.chunks(2)
            .map(|c| {
                (all[c[0].as_u64().unwrap() as usize][1].as_str().unwrap().into(), c[1].as_u64().unwrap())
            })
            .collect()
    };
    let ids: Vec<_> = postings("req-001").into_iter().filter(|(_, f)| f & 4 != 0).map(|(id, _)| id).collect();
    assert_eq!(ids, ["REQ-001", "REQ-001"]);
    let glow: Vec<_> = postings("glow").into_iter().map(|(id, f)| (id, f & 1)).collect();
    assert_eq!(glow, [("REQ-001".to_string(), 1), ("REQ-002".to_string(), 1)]);

    // The page, the script, and the header box on every page.
    assert!(read(out, "search.html").contains("id=\"search-results\""));
    assert!(read(out, "static/search.js").contains("tracemarkSearch"));
    let page = read(out, "plans/PLAN-20260301-LANTERN/requirements/REQ-001.html");
    assert!(page.contains("<script src=\"../../../static/search.js\" defer></script>"));
    assert!(page.contains("action=\"../../../search.html\""));
}

#[test]
fn the_site_root_holds_nojekyll() {
    let (out, _) = build(&fixture("search"));
    let meta = std::fs::metadata(out.path().join(".nojekyll")).expect(".nojekyll is written");
    assert!(meta.is_file() && meta.len() == 0);
    // The reason for it: Jekyll drops folders that start with `_`.
    assert!(out.path().join("files/src/__tests__/dimmer.test.ts.html").is_file());
}

/// The DOM of `page` (a path in `out` with a query) after its scripts ran in headless
/// Chromium from `file://`; `None` (with a note) when Chromium is not installed.
fn chromium_dom(out: &Path, page: &str) -> Option<String> {
    browser_dom(&format!("file://{}/{page}", out.display()))
}

/// The DOM of the page at `url` after its scripts ran in headless Chromium; `None`
/// (with a note) when Chromium is not installed.
fn browser_dom(url: &str) -> Option<String> {
    let found = std::process::Command::new("chromium").arg("--version").output();
    if !found.is_ok_and(|o| o.status.success()) {
        eprintln!("note: chromium is not installed; the browser search test is skipped");
        return None;
    }
    let profile = tempfile::tempdir().unwrap();
    let o = std::process::Command::new("timeout")
        .args([
            "120",
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(["--virtual-time-budget=3000", "--dump-dom", url])
        .output()
        .expect("chromium runs");
    assert!(o.status.success(), "chromium failed: {}", String::from_utf8_lossy(&o.stderr));
    Some(String::from_utf8(o.stdout).unwrap())
}

#[test]
fn search_works_in_a_browser_from_file_urls() {
    let (out, _) = build(&fixture("search"));
    let Some(dom) = chromium_dom(out.path(), "search.html?q=REQ-001") else { return };
    let results = dom.split("id=\"search-results\"").nth(1).expect("the results list");
    let lantern = results.find("plans/PLAN-20260301-LANTERN/requirements/REQ-001.html").expect(&dom);
    let beacon = results.find("plans/PLAN-20260302-BEACON/requirements/REQ-001.html").expect(&dom);
    assert!(lantern < beacon, "entry order breaks the tie");

    let Some(dom) = chromium_dom(out.path(), "search.html?q=brightness") else { return };
    let results = dom.split("id=\"search-results\"").nth(1).expect("the results list");
    let first = results.split("href=\"").nth(1).expect(&dom);
    assert!(first.contains("plans/PLAN-20260301-LANTERN/requirements/REQ-001.html\""), "{results}");
    assert!(!results.contains("REQ-002.html"), "not a match: {results}");
    // A word of the last term may be the start of a word; every term must match.
    let Some(dom) = chromium_dom(out.path(), "search.html?q=lantern%20gl") else { return };
    let results = dom.split("id=\"search-results\"").nth(1).expect("the results list");
    assert!(results.contains("requirements/REQ-002.html"), "{results}");
    assert!(!results.contains("BEACON"), "{results}");
}

/// The same search over HTTP, from `tracemark serve`: the index shards load as scripts
/// there too, and the query in the URL gives the same ranked results.
#[test]
fn search_works_in_a_browser_over_serve() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("project");
    crate::copy_dir(&fixture("search"), &root);
    let out = tmp.path().join("site");
    let server = crate::serve::Server::start(&root, &out);
    let Some(dom) = browser_dom(&format!("{}/search.html?q=REQ-001", server.url)) else { return };
    let results = dom.split("id=\"search-results\"").nth(1).expect("the results list");
    let lantern = results.find("plans/PLAN-20260301-LANTERN/requirements/REQ-001.html").expect(&dom);
    let beacon = results.find("plans/PLAN-20260302-BEACON/requirements/REQ-001.html").expect(&dom);
    assert!(lantern < beacon, "entry order breaks the tie");
    let Some(dom) = browser_dom(&format!("{}/search.html?q=brightness", server.url)) else { return };
    let results = dom.split("id=\"search-results\"").nth(1).expect("the results list");
    let first = results.split("href=\"").nth(1).expect(&dom);
    assert!(first.contains("plans/PLAN-20260301-LANTERN/requirements/REQ-001.html\""), "{results}");
}

/// The diagnostics page's filter, in a browser from `file://`: `?severity=error` hides
/// the warnings and their section; `?q=` keeps the findings whose text holds every word.
#[test]
fn the_diagnostics_filter_works_in_a_browser() {
    let (out, _) = build(&fixture("finding-lines"));
    let page = std::fs::read_to_string(out.path().join("diagnostics.html")).unwrap();
    assert!(page.contains(r#"<script src="static/diagnostics.js" defer></script>"#), "{page}");
    assert!(out.path().join("static/diagnostics.js").is_file());
    // The findings per plan, each linking to the plan page's list.
    let by_plan =
        page.split(r#"class="by-plan""#).nth(1).expect("a by-plan table").split("</details>").next().unwrap();
    assert!(by_plan.contains("index.html#findings\">"), "{by_plan}");
    assert!(by_plan.contains(r#"<td class="num">"#), "{by_plan}");
    let Some(dom) = chromium_dom(out.path(), "diagnostics.html?severity=error") else { return };
    assert!(dom.contains(r#"<section id="unresolved-marker" class="diagnostic-group" hidden="">"#), "{dom}");
    assert!(dom.contains(r#"<section id="dangling-reference" class="diagnostic-group">"#), "{dom}");
    assert!(dom.contains(r#"id="diag-shown">2<"#), "{dom}");
    let Some(dom) = chromium_dom(out.path(), "diagnostics.html?q=NOWHERE") else { return };
    assert!(dom.contains(r#"id="diag-shown">1<"#), "{dom}");
}
