//! Hostile plans and code (`fixtures/hostile/project-plans/`, `fixtures/hostile/src/xss*`):
//! every page of the built site is tokenised by html5ever (character references decoded
//! as a browser would) and checked for script URLs, script elements, event handlers,
//! inline styles and the Content-Security-Policy meta; `tracemark serve` is checked
//! against foreign `Host` and `Origin` values, symlinks out of the output folder and
//! over-long paths.

use crate::{build, fixture, read};
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer};
use std::cell::RefCell;
use std::path::{Path, PathBuf};

/// One start tag: its name and its attributes (name, decoded value).
#[derive(Debug)]
struct Tag {
    name: String,
    attrs: Vec<(String, String)>,
}

struct Tags(RefCell<Vec<Tag>>);

impl TokenSink for Tags {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        if let Token::TagToken(tag) = token
            && tag.kind == TagKind::StartTag
        {
            self.0.borrow_mut().push(Tag {
                name: tag.name.to_string(),
                attrs: tag.attrs.iter().map(|a| (a.name.local.to_string(), a.value.to_string())).collect(),
            });
        }
        TokenSinkResult::Continue
    }
}

/// Every start tag of a page, with attribute values decoded. The tokeniser alone does
/// not switch to raw text inside `<script>`/`<style>`, so markup there is seen as tags
/// too: stricter, never laxer.
fn start_tags(html: &str) -> Vec<Tag> {
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let tokenizer = Tokenizer::new(Tags(RefCell::new(Vec::new())), Default::default());
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    tokenizer.sink.0.take()
}

/// Attributes that hold URLs (one, or a `srcset` list).
const URL_ATTRIBUTES: &[&str] =
    &["href", "src", "action", "formaction", "xlink:href", "srcset", "data", "poster", "background", "cite"];

/// The scheme a browser would see in `url`: leading/trailing spaces and controls
/// stripped, tabs and newlines removed anywhere, lower-cased; `None` when relative.
fn scheme(url: &str) -> Option<String> {
    let cleaned: String = url
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect::<String>()
        .to_ascii_lowercase();
    let (scheme, _) = cleaned.split_once(':')?;
    let valid = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then(|| scheme.to_string())
}

/// The URLs of one attribute value (each candidate of a `srcset`).
fn urls_of(name: &str, value: &str) -> Vec<String> {
    if name == "srcset" {
        value.split(',').filter_map(|c| c.split_whitespace().next()).map(str::to_string).collect()
    } else {
        vec![value.to_string()]
    }
}

/// Every `.html` file under `dir`.
fn pages(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "html") {
                found.push(p);
            }
        }
    }
    found.sort();
    found
}

/// What is wrong with one page, as `page: problem` lines.
fn problems(rel: &str, html: &str) -> Vec<String> {
    let mut found = Vec::new();
    let tags = start_tags(html);
    for tag in &tags {
        for (name, value) in &tag.attrs {
            if URL_ATTRIBUTES.contains(&name.as_str()) {
                for url in urls_of(name, value) {
                    if let Some(s) = scheme(&url)
                        && !["http", "https", "mailto"].contains(&s.as_str())
                    {
                        found.push(format!("{rel}: <{} {name}=\"{value}\">", tag.name));
                    }
                }
            }
            if name.starts_with("on") {
                found.push(format!("{rel}: <{} {name}> (event handler)", tag.name));
            }
            if name == "style" {
                found.push(format!("{rel}: <{} style> (inline style)", tag.name));
            }
        }
        if matches!(tag.name.as_str(), "script" | "iframe" | "object" | "embed" | "form" | "base")
            && !theme_own(tag)
        {
            found.push(format!("{rel}: <{}>", tag.name));
        }
    }
    let csp = tags.iter().find(|t| {
        t.name == "meta"
            && t.attrs
                .iter()
                .any(|(n, v)| n == "http-equiv" && v.eq_ignore_ascii_case("content-security-policy"))
    });
    match csp.and_then(|t| t.attrs.iter().find(|(n, _)| n == "content")) {
        None => found.push(format!("{rel}: no Content-Security-Policy meta")),
        Some((_, policy)) => {
            if !policy.contains("script-src 'self'") || policy.contains("unsafe-inline") {
                found.push(format!("{rel}: weak policy `{policy}`"));
            }
        }
    }
    found
}

/// The theme's own script and search form: `<script src="<root>static/search.js">` and
/// `<form class="search" action="<root>search.html">` (root: `../` repeated), nothing else.
fn theme_own(tag: &Tag) -> bool {
    let attr = |n: &str| tag.attrs.iter().find(|(a, _)| a == n).map(|(_, v)| v.as_str());
    let under_root = |v: &str, file: &str| {
        v.strip_suffix(file).is_some_and(|r| r.len() % 3 == 0 && r.as_bytes().chunks(3).all(|c| c == b"../"))
    };
    match tag.name.as_str() {
        "script" => {
            tag.attrs.len() == 2
                && attr("src").is_some_and(|v| {
                    under_root(v, "static/search.js") || under_root(v, "static/diagnostics.js")
                })
                && attr("defer").is_some()
        }
        "form" => {
            (attr("class") == Some("search") && attr("action").is_some_and(|v| under_root(v, "search.html")))
                // The diagnostics filter: no action, it submits nowhere.
                || (attr("id") == Some("diag-filter") && attr("action").is_none())
        }
        _ => false,
    }
}

#[test]
fn the_checker_finds_what_it_looks_for() {
    let bad = "<html><head></head><body><a href=\" JaVa&#x09;ScRiPt:alert(1)\">x</a>\
        <img srcset=\"a.png 1x, data:image/svg+xml,x 2x\"><div onclick=\"x()\" style=\"color:red\"></div>\
        <svg><a xlink:href=\"vbscript:x\"></a></svg><script>alert(1)</script>\
        <script src=\"../static/evil.js\"></script><form class=\"search\" action=\"https://x.org/search.html\"></form></body></html>";
    let found = problems("bad.html", bad);
    for needle in
        ["JaVa\tScRiPt", "data:image", "onclick", "inline style", "vbscript", "<script>", "no Content"]
    {
        assert!(found.iter().any(|p| p.contains(needle)), "{needle}: {found:#?}");
    }
    // Only the theme's own script and search form pass, not any script or form.
    assert_eq!(found.iter().filter(|p| p.ends_with("<script>")).count(), 2, "{found:#?}");
    assert!(found.iter().any(|p| p.ends_with("<form>")), "{found:#?}");
    let good = "<head><meta http-equiv=\"Content-Security-Policy\" content=\"script-src 'self'\">\
        <script src=\"../../static/search.js\" defer></script></head><form class=\"search\" action=\"../../search.html\"></form>\
        <a href=\"../files/src/a%3Ab.ts.html#L3\">a</a><a href=\"https://x.org\">b</a><a href=\"mailto:a@x.org\">m</a>";
    assert_eq!(problems("good.html", good), Vec::<String>::new());
}

#[test]
fn hostile_plans_and_code_put_no_script_in_any_page() {
    let (out, _) = build(&fixture("hostile"));
    let all = pages(out.path());
    for page in
        ["plans/PLAN-20250301-XSS/requirements/REQ-XSS-003.html", "docs/project-plans/xss/links-only.md.html"]
    {
        assert!(all.contains(&out.path().join(page)), "{page} is built: {all:?}");
    }
    let mut found = Vec::new();
    for page in &all {
        let rel = page.strip_prefix(out.path()).unwrap().to_string_lossy().replace('\\', "/");
        found.extend(problems(&rel, &std::fs::read_to_string(page).unwrap()));
    }
    assert!(found.is_empty(), "{}", found.join("\n"));

    // The links lose their URL, not their text; allowed links stay links.
    let doc = read(out.path(), "docs/project-plans/xss/links-only.md.html");
    for text in
        ["inline", "mixed case", "entity-encoded tab", "leading spaces", "data URL", "vbscript", "titled"]
    {
        assert!(doc.contains(&format!(">{text}</a>")), "`{text}` kept: {doc}");
    }
    assert!(doc.contains(r#"<a href="https://example.org/a">web</a>"#), "{doc}");
    assert!(doc.contains(r#"<a href="mailto:team@example.org">mail</a>"#), "{doc}");
    let raw = read(out.path(), "plans/PLAN-20250301-XSS/phases/P01.html");
    assert!(raw.contains("<a>entity anchor</a>") && raw.contains("<div>handler</div>"), "{raw}");

    // Marker text with markup is shown as text.
    let source = read(out.path(), "files/src/xss.ts.html");
    assert!(source.contains("&lt;script&gt;"), "{source}");
}

#[cfg(feature = "serve")]
mod serve {
    use crate::serve::Server;
    use crate::{copy_dir, fixture};
    use std::io::{Read, Write};
    use std::time::Duration;
    use tungstenite::client::IntoClientRequest;

    /// Sends one raw HTTP/1.1 GET with the given `Host`: (status, body).
    fn get(addr: &str, path: &str, host: &str) -> (u16, String) {
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        write!(stream, "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").unwrap();
        let mut response = Vec::new();
        let _ = stream.read_to_end(&mut response);
        let response = String::from_utf8_lossy(&response).into_owned();
        let status = response.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        let body = response.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
        (status, body)
    }

    #[test]
    fn serve_answers_only_its_own_browser_and_only_inside_the_folder() {
        let root = tempfile::tempdir().unwrap();
        copy_dir(&fixture("hostile"), root.path());
        let out = tempfile::tempdir().unwrap();
        let server = Server::start(root.path(), out.path());
        let addr = server.url.trim_start_matches("http://").to_string();
        let port = addr.rsplit_once(':').unwrap().1;

        // DNS rebinding: only loopback names with the port are answered.
        for host in [addr.clone(), format!("localhost:{port}"), format!("[::1]:{port}")] {
            let (status, body) = get(&addr, "/index.html", &host);
            assert_eq!(status, 200, "{host}");
            assert!(body.contains("/__tracemark/livereload.js"), "{body}");
        }
        for host in [
            format!("evil.example:{port}"),
            "127.0.0.1".to_string(),
            format!("localhost.evil.example:{port}"),
        ] {
            let (status, body) = get(&addr, "/index.html", &host);
            assert_eq!(status, 403, "{host}: {body}");
            assert!(!body.contains("PLAN-20250301-XSS"), "{body}");
        }

        // The script the pages load is served, and the pages allow it.
        let (status, script) = get(&addr, "/__tracemark/livereload.js", &addr);
        assert_eq!(status, 200);
        assert!(script.contains("new WebSocket"), "{script}");

        // Symlinks are never followed, out of the folder or not.
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.txt"), "the secret").unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(outside.path(), out.path().join("leak")).unwrap();
            std::os::unix::fs::symlink(outside.path().join("secret.txt"), out.path().join("s.html")).unwrap();
            for path in ["/leak/secret.txt", "/s.html", "/leak/"] {
                let (status, body) = get(&addr, path, &addr);
                assert_eq!(status, 404, "{path}: {body}");
                assert!(!body.contains("the secret"), "{body}");
            }
        }

        // Over-long and impossible paths are a 404, not a 500.
        for path in
            [format!("/{}.html", "a".repeat(300)), "/index.html/x".into(), "/a%00b".into(), "/%ff".into()]
        {
            let (status, _) = get(&addr, &path, &addr);
            assert_eq!(status, 404, "{path}");
        }
        let (status, _) = get(&addr, "/../../etc/passwd", &addr);
        assert!(status == 404 || status == 400, "{status}");

        // The reload websocket refuses a foreign page, accepts the site's own.
        let ws_url = format!("ws://{addr}/__tracemark/livereload");
        // The handshake's status: 101 when the websocket is open.
        let status = |origin: &str| -> u16 {
            let mut req = ws_url.as_str().into_client_request().unwrap();
            req.headers_mut().insert("Origin", origin.parse().unwrap());
            match tungstenite::client(req, std::net::TcpStream::connect(&addr).unwrap()) {
                Ok((_, res)) => res.status().as_u16(),
                Err(tungstenite::HandshakeError::Failure(tungstenite::Error::Http(res))) => {
                    res.status().as_u16()
                }
                Err(e) => panic!("websocket handshake: {e}"),
            }
        };
        assert_eq!(status("http://evil.example"), 403, "a foreign origin");
        assert_eq!(status(&format!("http://evil.example:{port}")), 403, "a foreign origin on the port");
        assert_eq!(status(&format!("http://localhost:{port}")), 101, "the site's own origin");
    }
}
