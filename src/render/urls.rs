//! Where each page lives in the output folder, and relative URLs between pages, so the
//! site works from `file://` and under any web server subpath.
//!
//! Layout: `index.html`; `plans/<plan>/index.html`; `plans/<plan>/matrix.html`;
//! `plans/<plan>/requirements/<requirement>.html`; `plans/<plan>/phases/<phase>.html`;
//! `plans/<plan>/items/<kind>/<item>.html` (tasks, risks, gates, checklists, gaps);
//! `docs/<project path>.html` (plan documents); `guides/<project path without .md>.html`
//! (process guides); `files/<project path>.html` (source
//! files with markers); `files/index.html` (the source tree); `diagnostics.html`;
//! `trace.json`, `trace.csv`, `requirements.csv`; `static/…`.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Characters escaped in URL path segments: everything but unreserved ones.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// Replaces characters that cannot appear in a file name on common file systems, and
/// keeps page names injective: a name that needed a replacement gets a short hash of
/// the original (`TK:1` → `TK_1-<8 hex digits>`), so it never lands on the page of an ID
/// that is written with the replacement character (`TK_1`).
fn file_safe(s: &str) -> std::borrow::Cow<'_, str> {
    let bad = |c: char| matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|');
    if !s.contains(bad) {
        return s.into();
    }
    let mapped: String = s.chars().map(|c| if bad(c) { '_' } else { c }).collect();
    let hash = blake3::hash(s.as_bytes()).to_hex();
    format!("{mapped}-{}", &hash[..8]).into()
}

/// Whether a byte is left as it is in a path segment (see [`SEGMENT`]).
fn unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

/// A plan's page.
pub fn plan(plan_id: &str) -> String {
    format!("plans/{}/index.html", file_safe(plan_id))
}

/// The full trace matrix of a plan (written when its page shows part of it).
pub fn plan_matrix(plan_id: &str) -> String {
    format!("plans/{}/matrix.html", file_safe(plan_id))
}

/// A requirement's page (requirements are identified by plan and ID).
pub fn requirement(plan_id: &str, req_id: &str) -> String {
    format!("plans/{}/requirements/{}.html", file_safe(plan_id), file_safe(req_id))
}

/// An item's page (`plans/<plan>/items/<kind>/<id>.html`).
pub fn item(plan_id: &str, kind: &str, item_id: &str) -> String {
    format!("plans/{}/items/{}/{}.html", file_safe(plan_id), file_safe(kind), file_safe(item_id))
}

/// A phase's page.
pub fn phase(plan_id: &str, phase_id: &str) -> String {
    format!("plans/{}/phases/{}.html", file_safe(plan_id), file_safe(phase_id))
}

/// A plan document's rendered page.
pub fn document(path: &str) -> String {
    format!("docs/{path}.html")
}

/// A process guide's page (`guides/dev-docs/PLAN.html` for `dev-docs/PLAN.md`).
pub fn guide(path: &str) -> String {
    let stem = path.strip_suffix(".md").or_else(|| path.strip_suffix(".MD")).unwrap_or(path);
    format!("guides/{stem}.html")
}

/// A source file's highlighted page.
///
/// `files/index.html` is the source tree page: a file named `index` at the root gets
/// a short hash of its name instead (`files/index-<8 hex digits>.html`).
pub fn source(path: &str) -> String {
    if path == "index" {
        let hash = blake3::hash(path.as_bytes()).to_hex();
        return format!("files/index-{}.html", &hash[..8]);
    }
    format!("files/{path}.html")
}

/// The source tree page.
pub const SOURCE_TREE: &str = "files/index.html";

/// The shortest URL of page `to` as seen from page `from` (both site-relative file
/// paths; `to` may end in a line anchor `#L<n>`), percent-encoded: `../phases/P05.html`
/// between two pages of one plan. Any other `#` is part of a file name and is encoded.
pub fn relative(from: &str, to: &str) -> String {
    let (to, fragment) = match to.rsplit_once("#L") {
        Some((p, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
            (p, Some(&to[p.len() + 1..]))
        }
        _ => (to, None),
    };
    // The shortest path: climb out of the folders `from` does not share with `to`.
    let from_dirs: Vec<&str> = from.split('/').collect();
    let from_dirs = &from_dirs[..from_dirs.len() - 1];
    let to_segs: Vec<&str> = to.split('/').collect();
    let to_dirs = &to_segs[..to_segs.len() - 1];
    let common = from_dirs.iter().zip(to_dirs).take_while(|(a, b)| a == b).count();
    let ups = from_dirs.len() - common;
    let mut out = String::with_capacity(3 * ups + to.len() + 8);
    for _ in 0..ups {
        out.push_str("../");
    }
    let mut first = true;
    for seg in &to_segs[common..] {
        if !first {
            out.push('/');
        }
        first = false;
        if seg.bytes().all(unreserved) {
            out.push_str(seg);
        } else {
            out.extend(utf8_percent_encode(seg, SEGMENT));
        }
    }
    if let Some(f) = fragment {
        out.push('#');
        out.extend(utf8_percent_encode(f, SEGMENT));
    }
    out
}

/// The search page, relative to page `from`, opened on the query `q` (escaped like a
/// path segment: `search.html?q=REQ-001`).
pub fn search(from: &str, q: &str) -> String {
    format!("{}?q={}", relative(from, "search.html"), utf8_percent_encode(q, SEGMENT))
}

/// The prefix from page `from` to the site root (`""`, `"../"`, `"../../"`, …).
pub fn root(from: &str) -> String {
    "../".repeat(from.matches('/').count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_urls_escape_the_query() {
        assert_eq!(search("plans/P/requirements/R.html", "REQ-001"), "../../../search.html?q=REQ-001");
        assert_eq!(search("index.html", "A&B #1"), "search.html?q=A%26B%20%231");
    }

    #[test]
    fn relative_urls_are_shortest_and_encoded() {
        assert_eq!(relative("index.html", "plans/P/index.html"), "plans/P/index.html");
        assert_eq!(
            relative("plans/P/requirements/R.html", "files/src/a b#.ts.html"),
            "../../../files/src/a%20b%23.ts.html"
        );
        assert_eq!(root("plans/P/index.html"), "../../");
        assert_eq!(relative("diagnostics.html", "files/a.ts.html#L15"), "files/a.ts.html#L15");
        assert_eq!(relative("plans/P/requirements/R.html", "plans/P/phases/P05.html"), "../phases/P05.html");
        assert_eq!(relative("plans/P/requirements/R.html", "plans/P/requirements/S.html"), "S.html");
        assert_eq!(relative("plans/P/requirements/R.html", "plans/Q/index.html"), "../../Q/index.html");
        assert_eq!(relative("files/src/a.ts.html", "files/src/a.ts.html#L3"), "a.ts.html#L3");
        assert_eq!(relative("files/src/x/a.ts.html", "files/src/b.ts.html"), "../b.ts.html");
    }

    #[test]
    fn a_hostile_file_name_never_becomes_a_url_scheme() {
        // Page URLs are template values made from file paths and IDs: `:` is always
        // percent-encoded, so a link can never be read as `javascript:` and the like.
        for name in
            ["javascript:alert(1)", "JaVaScRiPt:x", "data:text/html,x", "vbscript:x", "a/javascript:x"]
        {
            for (from, to) in [
                ("index.html", source(name)),
                ("files/b.ts.html", source(name)),
                ("docs/x.md.html", document(name)),
                ("plans/P/index.html", requirement("P", name)),
                ("plans/P/requirements/R.html", requirement("P", name)),
            ] {
                let url = relative(from, &to);
                let first = url.split(['/', '#', '?']).next().unwrap();
                assert!(!first.contains(':'), "{from} -> {to}: {url}");
            }
        }
    }

    #[test]
    fn ids_become_file_names() {
        assert_eq!(requirement("PLAN-1", "REQ-1.2"), "plans/PLAN-1/requirements/REQ-1.2.html");
        assert_eq!(phase("PLAN-X", "R9.P01"), "plans/PLAN-X/phases/R9.P01.html");
    }

    #[test]
    fn page_names_are_injective() {
        let (colon, underscore) = (item("PLAN-1", "task", "TK:1"), item("PLAN-1", "task", "TK_1"));
        assert_eq!(underscore, "plans/PLAN-1/items/task/TK_1.html");
        assert!(colon.starts_with("plans/PLAN-1/items/task/TK_1-") && colon.ends_with(".html"), "{colon}");
        assert_ne!(colon, underscore);
        assert_ne!(requirement("P", "A:1"), requirement("P", "A?1"));
        assert_eq!(requirement("P", "A:1"), requirement("P", "A:1"), "deterministic");
    }
}
