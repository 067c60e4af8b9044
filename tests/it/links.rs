//! Every internal link of a built site resolves: each relative `href`/`src` names a
//! file that exists, and each `#fragment` names an `id` in the target page.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// The `href`/`src` values and `id`s of one HTML page.
struct PageLinks {
    targets: Vec<String>,
    ids: HashSet<String>,
}

fn scan_page(html: &str) -> PageLinks {
    use lol_html::{RewriteStrSettings, element, rewrite_str};
    let targets = std::cell::RefCell::new(Vec::new());
    let ids = std::cell::RefCell::new(HashSet::new());
    rewrite_str(
        html,
        RewriteStrSettings::new()
            .append_element_content_handler(element!("[href], [src]", |el| {
                for a in ["href", "src"] {
                    if let Some(v) = el.get_attribute(a) {
                        targets.borrow_mut().push(html_escape::decode_html_entities(&v).into_owned());
                    }
                }
                Ok(())
            }))
            .append_element_content_handler(element!("[id]", |el| {
                ids.borrow_mut()
                    .insert(html_escape::decode_html_entities(&el.get_attribute("id").unwrap()).into_owned());
                Ok(())
            })),
    )
    .unwrap();
    PageLinks { targets: targets.into_inner(), ids: ids.into_inner() }
}

/// Checks every internal link under `out`; returns the number of links checked, and
/// panics listing every broken one.
fn check_site(out: &Path) -> usize {
    let mut pages: HashMap<PathBuf, PageLinks> = HashMap::new();
    for e in ignore::WalkBuilder::new(out).standard_filters(false).build() {
        let e = e.unwrap();
        if e.path().extension().is_some_and(|x| x == "html") {
            let html = std::fs::read_to_string(e.path()).unwrap();
            pages.insert(e.path().to_path_buf(), scan_page(&html));
        }
    }
    assert!(!pages.is_empty(), "no pages under {}", out.display());
    let mut broken = Vec::new();
    let mut checked = 0;
    for (page, links) in &pages {
        for t in &links.targets {
            if t.contains("://") || t.starts_with("mailto:") || t.starts_with("data:") {
                continue;
            }
            assert!(!t.starts_with('/'), "{}: absolute link `{t}` breaks under a subpath", page.display());
            checked += 1;
            let (path, frag) = t.split_once('#').map_or((t.as_str(), None), |(p, f)| (p, Some(f)));
            let target = if path.is_empty() {
                page.clone()
            } else {
                let decoded = percent_encoding::percent_decode_str(path).decode_utf8().unwrap();
                normalise(&page.parent().unwrap().join(decoded.as_ref()))
            };
            if !target.starts_with(out) || !target.is_file() {
                broken.push(format!("{}: `{t}` → missing {}", page.display(), target.display()));
                continue;
            }
            if let Some(f) = frag.filter(|f| !f.is_empty())
                && let Some(tp) = pages.get(&target)
                && !tp.ids.contains(f)
            {
                broken.push(format!("{}: `{t}` → no id `{f}`", page.display()));
            }
        }
    }
    assert!(broken.is_empty(), "{} broken links:\n{}", broken.len(), broken.join("\n"));
    checked
}

fn normalise(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            c => out.push(c),
        }
    }
    out
}

#[test]
fn every_link_of_the_example_site_resolves() {
    let (out, _) = crate::build(&crate::repo().join("content-example"));
    let checked = check_site(out.path());
    assert!(checked > 100, "only {checked} links checked");
}

#[test]
fn every_link_of_the_edge_case_site_resolves() {
    let (out, _) = crate::build(&crate::fixture("edge"));
    check_site(out.path());
}

/// The full link scan of any built site, e.g. a real repository's:
/// `TRACEMARK_LINK_SCAN=SITE cargo test --test it links::every_link_of_a_named_site_resolves -- --nocapture`.
/// Without the variable it says so and checks nothing.
#[test]
fn every_link_of_a_named_site_resolves() {
    let Some(site) = std::env::var_os("TRACEMARK_LINK_SCAN") else {
        eprintln!("note: TRACEMARK_LINK_SCAN is not set; the scan of a named site is skipped");
        return;
    };
    let site = std::fs::canonicalize(&site).expect("TRACEMARK_LINK_SCAN names a folder");
    let checked = check_site(&site);
    eprintln!("{checked} links checked in {}", site.display());
}
