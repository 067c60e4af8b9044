//! Accessibility, phone width, print layout and printed PDFs (their text read back with
//! `pdftotext`) of one page of each kind, checked in headless Chromium by `tests/browser/check.mjs` (axe-core and puppeteer-core, installed
//! by `npm ci` in `tests/browser/`, which `.ci/run` does). The site is the evidence
//! bundle of `tests/fixtures/browser` (a plan with 81 phases, long paths, long code
//! lines, a wide document table, findings), so `evidence.html` is checked with the rest.
//! Without Chromium, Node or `tests/browser/node_modules` the browser tests print a note
//! and pass; the checks of the markup run everywhere.

use crate::{command, fixture, read, repo};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const PLAN: &str = "plans/PLAN-20260401-WIDEMATRIX";

/// One page of each kind, as paths inside the site.
fn pages() -> Vec<String> {
    [
        "index.html",
        &format!("{PLAN}/index.html"),
        &format!("{PLAN}/matrix.html"),
        &format!("{PLAN}/phases/P01.html"),
        &format!("{PLAN}/requirements/REQ-001.html"),
        "files/src/services/telemetry-pipeline/exporters/batching-span-exporter-with-retry.ts.html",
        "docs/project-plans/wide-matrix/specification.md.html",
        "diagnostics.html",
        "files/index.html",
        "search.html?q=REQ-001",
        "start.html",
        "timeline.html",
        "evidence.html",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// The fixture's evidence bundle, extracted: the site plus `evidence.html`.
fn site() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join("evidence.tar.gz");
    let o = command()
        .args(["bundle", fixture("browser").to_str().unwrap(), "--out", archive.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "bundle: {}", String::from_utf8_lossy(&o.stderr));
    let o = Command::new("tar").arg("xzf").arg(&archive).arg("-C").arg(tmp.path()).output().unwrap();
    assert!(o.status.success(), "tar: {}", String::from_utf8_lossy(&o.stderr));
    let dir = tmp.path().join("evidence");
    (tmp, dir)
}

/// Whether `program --version` runs.
fn runs(program: &str) -> bool {
    Command::new(program).arg("--version").output().is_ok_and(|o| o.status.success())
}

/// The report of `check.mjs` on every page kind, made once for the tests of this module;
/// `None` (with a note) when Chromium, Node or the npm packages are missing.
fn report() -> Option<&'static Value> {
    static REPORT: OnceLock<Option<Value>> = OnceLock::new();
    REPORT
        .get_or_init(|| {
            let dir = repo().join("tests/browser");
            if !runs("chromium") {
                eprintln!(
                    "note: chromium is not installed; the accessibility, phone and print checks are skipped"
                );
                return None;
            }
            if !runs("node") {
                eprintln!(
                    "note: node is not installed; the accessibility, phone and print checks are skipped"
                );
                return None;
            }
            if !dir.join("node_modules/axe-core").is_dir()
                || !dir.join("node_modules/puppeteer-core").is_dir()
            {
                eprintln!(
                    "NOTE: tests/browser/node_modules is missing (run `npm ci` in tests/browser): \
                     the accessibility, phone and print checks are SKIPPED"
                );
                return None;
            }
            let (tmp, site) = site();
            let pdf = tmp.path().join("pdf");
            std::fs::create_dir_all(&pdf).unwrap();
            let o = Command::new("timeout")
                .args(["600", "node"])
                .arg(dir.join("check.mjs"))
                .arg("--site")
                .arg(&site)
                .arg("--pdf")
                .arg(&pdf)
                .args(pages())
                .output()
                .expect("node runs");
            assert!(o.status.success(), "check.mjs failed: {}", String::from_utf8_lossy(&o.stderr));
            Some(serde_json::from_slice(&o.stdout).expect("check.mjs prints JSON"))
        })
        .as_ref()
}

/// The report's entry for each page, in the order of [`pages`].
fn entries(report: &Value) -> &[Value] {
    let list = report["pages"].as_array().unwrap();
    assert_eq!(list.len(), pages().len(), "every page is checked");
    list
}

#[test]
fn no_page_kind_has_a_serious_accessibility_violation_in_light_or_dark() {
    let Some(report) = report() else { return };
    let mut failures = Vec::new();
    for p in entries(report) {
        for scheme in ["light", "dark"] {
            for v in p["axe"][scheme].as_array().expect("axe ran") {
                if matches!(v["impact"].as_str(), Some("serious" | "critical")) {
                    failures.push(format!("{} ({scheme}): {v}", p["page"]));
                }
            }
        }
    }
    assert!(failures.is_empty(), "axe-core violations:\n{}", failures.join("\n"));
}

#[test]
fn no_page_kind_is_wider_than_a_phone() {
    let Some(report) = report() else { return };
    for p in entries(report) {
        let phone = &p["phone"];
        assert_eq!(phone["width"], 375);
        let width = phone["scrollWidth"].as_u64().unwrap();
        assert!(width <= 375, "{} is {width} px wide at 375 px: {}", p["page"], phone["offenders"]);
    }
}

#[test]
fn printed_pages_show_every_code_line_and_every_matrix_column() {
    let Some(report) = report() else { return };
    let by_page = |name: &str| {
        entries(report).iter().find(|p| p["page"] == name).unwrap_or_else(|| panic!("{name} checked"))
    };
    for p in entries(report) {
        let print = &p["print"];
        assert_eq!(print["nav_hidden"], true, "{}: the header and navigation print", p["page"]);
        assert!(print["cut_pre"].as_array().unwrap().is_empty(), "{}: code cut in print: {print}", p["page"]);
        assert!(
            print["wide_tables"].as_array().unwrap().is_empty(),
            "{}: tables past the page: {print}",
            p["page"]
        );
        let width = print["scrollWidth"].as_u64().unwrap();
        assert!(width <= print["width"].as_u64().unwrap(), "{}: {width} px wide in print", p["page"]);
    }
    // The pages that hold the long lines: the checks above had code to look at.
    let req = &by_page(&format!("{PLAN}/requirements/REQ-001.html"))["print"];
    assert!(req["pre"].as_u64().unwrap() >= 2, "{req}");
    let source =
        &by_page("files/src/services/telemetry-pipeline/exporters/batching-span-exporter-with-retry.ts.html")
            ["print"];
    assert_eq!(source["pre"], 1, "{source}");
    // The matrices: the requirement column and the 41 phases with a mark on the plan
    // page, all 81 on the full matrix's page; every column on paper.
    let plan = &by_page(&format!("{PLAN}/index.html"))["print"];
    assert_eq!(plan["matrices"][0]["columns"], 42, "{plan}");
    assert_eq!(plan["matrices"][0]["columns_inside"], 42, "{plan}");
    let full = &by_page(&format!("{PLAN}/matrix.html"))["print"];
    assert_eq!(full["matrices"][0]["columns"], 82, "{full}");
    assert_eq!(full["matrices"][0]["columns_inside"], 82, "{full}");
    // Links to other sites print their address; the document has two.
    let doc = &by_page("docs/project-plans/wide-matrix/specification.md.html")["print"];
    assert_eq!(doc["links_with_address"], 2, "{doc}");
}

#[test]
fn real_pdfs_hold_every_code_line_and_every_matrix_column() {
    let Some(report) = report() else { return };
    let list = entries(report);
    if list.iter().any(|p| p["pdf"].is_null()) {
        eprintln!("NOTE: pdftotext (poppler-utils) is not installed: the PDF checks are SKIPPED");
        return;
    }
    for p in list {
        let pdf = &p["pdf"];
        assert!(pdf["pages"].as_u64().unwrap() >= 1, "{}: {pdf}", p["page"]);
        assert_eq!(pdf["code_lines_missing"], 0, "{}: code lines not on paper: {pdf}", p["page"]);
        for m in pdf["matrices"].as_array().unwrap() {
            assert_eq!(m["in_pdf"], m["phase_columns"], "{}: matrix columns not on paper: {m}", p["page"]);
        }
    }
    let by_page = |name: &str| &list.iter().find(|p| p["page"] == name).unwrap()["pdf"];
    // The pages with the long lines and the wide matrices had something to lose.
    let req = by_page(&format!("{PLAN}/requirements/REQ-001.html"));
    assert!(req["code_lines"].as_u64().unwrap() >= 10, "{req}");
    assert_eq!(by_page(&format!("{PLAN}/matrix.html"))["matrices"][0]["phase_columns"], 81);
    assert_eq!(by_page(&format!("{PLAN}/index.html"))["matrices"][0]["phase_columns"], 41);
}

/// Every page of the site: its path inside `out`.
fn html_files(out: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for e in ignore::WalkBuilder::new(out).standard_filters(false).build() {
        let e = e.unwrap();
        if e.path().extension().is_some_and(|x| x == "html") {
            found.push(e.path().to_path_buf());
        }
    }
    found
}

#[test]
fn every_page_has_a_language_landmarks_and_a_skip_link() {
    let (_tmp, site) = site();
    let files = html_files(&site);
    assert!(files.len() > 30, "{}", files.len());
    for f in &files {
        let page = std::fs::read_to_string(f).unwrap();
        let rel = f.strip_prefix(&site).unwrap().display();
        assert!(page.contains("<html lang=\"en\">"), "{rel}");
        // The skip link comes first in the body and leads to `main`.
        let body = page.split("<body>").nth(1).unwrap_or_else(|| panic!("{rel}: no body"));
        assert!(body.trim_start().starts_with(r##"<a class="skip" href="#main">"##), "{rel}");
        for landmark in
            [r#"<header class="top">"#, r#"<nav aria-label="Site">"#, r#"<main id="main">"#, "<footer>"]
        {
            assert_eq!(page.matches(landmark).count(), 1, "{rel}: {landmark}");
        }
    }
}

#[test]
fn wide_blocks_scroll_in_their_own_box_and_take_focus() {
    let (_tmp, site) = site();
    // Code scrolls sideways: a keyboard can reach it.
    let req = read(&site, &format!("{PLAN}/requirements/REQ-001.html"));
    assert!(req.contains(r#"<pre class="code excerpt" tabindex="0">"#), "{req}");
    let src = read(
        &site,
        "files/src/services/telemetry-pipeline/exporters/batching-span-exporter-with-retry.ts.html",
    );
    assert!(src.contains(r#"<pre class="code src" tabindex="0">"#));
    // A document's table and code block; its heading anchors leave the tab order.
    let doc = read(&site, "docs/project-plans/wide-matrix/specification.md.html");
    assert!(doc.contains(r#"<div class="scroll"><table>"#), "{doc}");
    assert!(doc.contains(r#"</table></div>"#), "{doc}");
    assert!(doc.contains(r#"<pre tabindex="0">"#), "{doc}");
    assert!(doc.contains(r#"class="anchor" aria-hidden="true" tabindex="-1""#), "{doc}");
    // The plan's tables; the matrix corner names its rows.
    let plan = read(&site, &format!("{PLAN}/index.html"));
    assert!(plan.contains(r#"<div class="scroll"><table class="grid">"#), "{plan}");
    assert!(plan.contains(r#"<th><span class="sr-only">Requirement</span></th>"#), "{plan}");
}
