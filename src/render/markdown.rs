//! Markdown documents → HTML: comrak with GitHub-flavoured extensions (tables, task
//! lists, strikethrough, autolinks, footnotes), fenced code highlighted through
//! [`Highlighter`], IDs in text turned into links, the whole result sanitised when it
//! holds raw HTML or a URL with a colon (the one URL policy of the site, see
//! [`sanitise`]: a plan cannot inject script), and relative
//! links rewritten to the site's pages by lol_html.

use super::highlight::Highlighter;
use comrak::adapters::SyntaxHighlighterAdapter;
use comrak::nodes::{NodeLink, NodeValue};
use comrak::{Arena, Options, options::Plugins};
use regex::Regex;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::LazyLock;

/// Resolves what a rendered document refers to, into URLs relative to the page being
/// rendered. Implemented by the site renderer, which knows every page.
pub trait Linker {
    /// The URL of the page for an ID written in text (`PLAN-X`, `PLAN-X.P05`,
    /// `REQ-SP4-003`), or `None` when the ID has no page (it then stays text).
    fn id_url(&self, id: &str) -> Option<String>;
    /// The URL of the page for a project-relative path (`project-plans/x/plan/05.md`,
    /// `src/a.ts`), or another URL showing the file (its permalink on the forge), or
    /// `None` when nothing shows it (the link then keeps its text and loses its target).
    fn path_url(&self, path: &str) -> Option<String>;
}

/// Tokens that may be IDs: plan references (with phase) and requirement-shaped words.
static ID_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"\b(?:{plan}(?:\.{phase})?|[A-Z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)+)",
        plan = crate::grammar::PLAN_ID,
        phase = crate::grammar::PHASE
    ))
    .expect("valid regex")
});

struct Adapter<'h>(&'h dyn Highlighter);

impl SyntaxHighlighterAdapter for Adapter<'_> {
    fn write_highlighted(&self, out: &mut dyn fmt::Write, lang: Option<&str>, code: &str) -> fmt::Result {
        let lang = lang.and_then(|l| l.split_whitespace().next()).unwrap_or("");
        for line in self.0.highlight_lines(code, lang) {
            out.write_str(&line)?;
            out.write_char('\n')?;
        }
        Ok(())
    }

    fn write_pre_tag(
        &self,
        out: &mut dyn fmt::Write,
        attrs: HashMap<&'static str, Cow<'_, str>>,
    ) -> fmt::Result {
        write_tag(out, "pre", attrs)
    }

    fn write_code_tag(
        &self,
        out: &mut dyn fmt::Write,
        attrs: HashMap<&'static str, Cow<'_, str>>,
    ) -> fmt::Result {
        write_tag(out, "code", attrs)
    }
}

fn write_tag(out: &mut dyn fmt::Write, tag: &str, attrs: HashMap<&'static str, Cow<'_, str>>) -> fmt::Result {
    let mut attrs: Vec<_> = attrs.into_iter().collect();
    attrs.sort();
    write!(out, "<{tag}")?;
    for (k, v) in attrs {
        write!(out, " {k}=\"{}\"", html_escape::encode_double_quoted_attribute(&v))?;
    }
    out.write_char('>')
}

fn options() -> Options<'static> {
    let mut o = Options::default();
    o.extension.table = true;
    o.extension.tasklist = true;
    o.extension.strikethrough = true;
    o.extension.autolink = true;
    o.extension.footnotes = true;
    o.extension.header_id_prefix = Some(String::new());
    o.render.r#unsafe = true; // raw HTML is sanitised by `ammonia` below.
    o.render.github_pre_lang = false;
    o
}

/// Renders one markdown document. `doc_path` is its project-relative path (relative
/// links are resolved against its folder); `linker` gives URLs relative to the page.
pub fn render(md: &str, doc_path: &str, linker: &dyn Linker, highlighter: &dyn Highlighter) -> String {
    let options = options();
    let arena = Arena::new();
    let root = comrak::parse_document(&arena, md, &options);

    let mut to_detach = Vec::new();
    // Whether the document holds anything the sanitiser could change: raw HTML (other
    // than comments, which are dropped), or a link or image URL with a colon (entities
    // are already decoded here, so `&#58;` and `&colon;` count). Without either, the
    // HTML is comrak's own markup, every attribute escaped, every URL relative: no
    // scheme can form without a colon, so the sanitiser would let everything through.
    let mut needs_sanitiser = false;
    // The page URLs of the links made here from IDs: left as they are by `rewrite_links`
    // (a link the document wrote itself to some `.html` file is resolved like any other).
    let mut generated: HashSet<String> = HashSet::new();
    for node in root.descendants() {
        let replacement = {
            let data = node.data.borrow();
            match &data.value {
                NodeValue::HtmlBlock(b) => {
                    if is_only_comment(&b.literal) {
                        to_detach.push(node);
                    } else {
                        needs_sanitiser = true;
                    }
                    None
                }
                NodeValue::HtmlInline(h) => {
                    if is_only_comment(h) {
                        to_detach.push(node);
                    } else {
                        needs_sanitiser = true;
                    }
                    None
                }
                NodeValue::Link(l) | NodeValue::Image(l) => {
                    needs_sanitiser |= l.url.contains(':');
                    None
                }
                NodeValue::Text(t) if !inside_link(node) => link_ids_in_text(t, linker),
                NodeValue::Code(c) if !inside_link(node) => {
                    linker.id_url(c.literal.trim()).map(|url| vec![Piece::CodeLink(c.literal.clone(), url)])
                }
                _ => None,
            }
        };
        if let Some(pieces) = replacement {
            for piece in &pieces {
                if let Piece::Link(_, url) | Piece::CodeLink(_, url) = piece {
                    generated.insert(url.clone());
                }
            }
            for piece in pieces {
                let new: &comrak::nodes::AstNode<'_> = match piece {
                    Piece::Text(t) => &*arena.alloc(NodeValue::Text(Cow::Owned(t)).into()),
                    Piece::Link(text, url) => {
                        let link: &comrak::nodes::AstNode<'_> = arena
                            .alloc(NodeValue::Link(Box::new(NodeLink { url, title: String::new() })).into());
                        link.append(arena.alloc(NodeValue::Text(Cow::Owned(text)).into()));
                        link
                    }
                    Piece::CodeLink(code, url) => {
                        let link: &comrak::nodes::AstNode<'_> = arena
                            .alloc(NodeValue::Link(Box::new(NodeLink { url, title: String::new() })).into());
                        link.append(
                            arena.alloc(
                                NodeValue::Code(comrak::nodes::NodeCode { num_backticks: 1, literal: code })
                                    .into(),
                            ),
                        );
                        link
                    }
                };
                node.insert_before(new);
            }
            to_detach.push(node);
        }
    }
    for n in to_detach {
        n.detach();
    }

    let adapter = Adapter(highlighter);
    let mut plugins = Plugins::default();
    plugins.render.codefence_syntax_highlighter = Some(&adapter);
    let mut html = String::with_capacity(md.len() * 2);
    if comrak::format_html_with_plugins(root, &options, &mut html, &plugins).is_err() {
        html = format!("<pre>{}</pre>", html_escape::encode_text(md));
    }
    // Links, images, reference definitions and autolinks carry their URL as written,
    // raw HTML its markup: every document that has either goes through the one
    // sanitiser (comrak's own markup of the others passes it unchanged, and parsing it
    // would cost about a fifth of a cold build's markdown time).
    let html = if needs_sanitiser { sanitise(&html) } else { html };
    rewrite_links(&html, doc_path, linker, &generated)
}

enum Piece {
    Text(String),
    Link(String, String),
    CodeLink(String, String),
}

fn inside_link<'a>(node: &'a comrak::nodes::AstNode<'a>) -> bool {
    node.ancestors()
        .skip(1)
        .any(|a| matches!(a.data.borrow().value, NodeValue::Link(_) | NodeValue::Image(_)))
}

/// Splits a text node at the IDs the linker knows; `None` when there is none.
fn link_ids_in_text(text: &str, linker: &dyn Linker) -> Option<Vec<Piece>> {
    let mut pieces = Vec::new();
    let mut last = 0;
    for m in ID_RE.find_iter(text) {
        let id = m.as_str().trim_end_matches('.');
        let Some(url) = linker.id_url(id) else { continue };
        if m.start() > last {
            pieces.push(Piece::Text(text[last..m.start()].to_string()));
        }
        pieces.push(Piece::Link(id.to_string(), url));
        last = m.start() + id.len();
    }
    if pieces.is_empty() {
        return None;
    }
    if last < text.len() {
        pieces.push(Piece::Text(text[last..].to_string()));
    }
    Some(pieces)
}

fn is_only_comment(html: &str) -> bool {
    let t = html.trim();
    t.starts_with("<!--") && t.ends_with("-->") && t.matches("-->").count() == 1
}

/// A title written in markdown (a requirement's, a plan's, a phase's: ``Decompose `ast-edit.ts` ``)
/// as inline HTML: code spans, emphasis, strong and strike-through kept; links and images
/// reduced to their text (a title often sits inside a link); raw HTML and everything else
/// shown as text, every character escaped. At most `max` characters of text are kept; the
/// second value says whether some were cut (an ellipsis then ends the HTML).
pub fn inline_title(md: &str, max: usize) -> (String, bool) {
    let arena = Arena::new();
    let mut options = Options::default();
    options.extension.strikethrough = true;
    let root = comrak::parse_document(&arena, md, &options);
    let mut out = String::with_capacity(md.len() + 16);
    let mut left = max;
    let cut = inline_node(root, &mut out, &mut left);
    if cut {
        out.push('…');
    }
    (out, cut)
}

/// The plain text of a markdown title (for `<title>` and a cut title's hover text).
pub fn plain_title(md: &str) -> String {
    let (html, _) = inline_title(md, usize::MAX);
    let text = html.replace(['\n'], " ");
    let mut plain = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => plain.push(c),
            _ => {}
        }
    }
    html_escape::decode_html_entities(&plain).into_owned()
}

/// Writes `node`'s inline HTML into `out` within `left` characters; true when text was cut.
fn inline_node<'a>(node: &'a comrak::nodes::AstNode<'a>, out: &mut String, left: &mut usize) -> bool {
    let text = |t: &str, out: &mut String, left: &mut usize| -> bool {
        let n = t.chars().count();
        let take = n.min(*left);
        let part: String = t.chars().take(take).collect();
        out.push_str(&html_escape::encode_text(&part));
        *left -= take;
        take < n
    };
    let wrap =
        |tag: &str, node: &'a comrak::nodes::AstNode<'a>, out: &mut String, left: &mut usize| -> bool {
            out.push_str(&format!("<{tag}>"));
            let mut cut = false;
            for c in node.children() {
                if inline_node(c, out, left) {
                    cut = true;
                    break;
                }
            }
            out.push_str(&format!("</{tag}>"));
            cut
        };
    let value = node.data.borrow().value.clone();
    match value {
        NodeValue::Text(t) => text(&t, out, left),
        NodeValue::Code(c) => {
            out.push_str("<code>");
            let cut = text(&c.literal, out, left);
            out.push_str("</code>");
            cut
        }
        NodeValue::HtmlInline(h) => text(&h, out, left),
        NodeValue::HtmlBlock(h) => text(h.literal.trim_end(), out, left),
        NodeValue::SoftBreak | NodeValue::LineBreak => text(" ", out, left),
        NodeValue::Emph => wrap("em", node, out, left),
        NodeValue::Strong => wrap("strong", node, out, left),
        NodeValue::Strikethrough => wrap("del", node, out, left),
        _ => {
            let mut first = true;
            for c in node.children() {
                // Blocks (a title that reads as a list item or a heading) join with a space.
                if !first && c.data.borrow().value.block() && text(" ", out, left) {
                    return true;
                }
                first = false;
                if inline_node(c, out, left) {
                    return true;
                }
            }
            false
        }
    }
}

/// The URL schemes a page may link to; relative URLs (and `#fragment`s) are kept too.
/// Anything else (`javascript:`, `vbscript:`, `data:`, `file:`, …) loses its URL.
pub const ALLOWED_SCHEMES: [&str; 3] = ["http", "https", "mailto"];

/// The site's one URL policy, applied to every rendered document: removes anything
/// unsafe from HTML (scripts, styles, event handlers, forms, embedded content) and
/// every URL, in any attribute that takes one (`href`, `src`, `action`, `formaction`,
/// `xlink:href`, …), whose scheme is not in [`ALLOWED_SCHEMES`], while keeping the
/// markup documents use (details, tables, code classes, heading ids). Case,
/// whitespace and character-reference tricks (`JaVaScRiPt:`, ` javascript:`,
/// `java&#x09;script:`) are resolved by `ammonia` (html5ever and the `url` crate) as
/// a browser would. A link that loses its URL keeps its text.
pub fn sanitise(html: &str) -> String {
    static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
        let mut b = ammonia::Builder::default();
        b.add_generic_attributes(["class", "id", "align"]);
        b.add_tags(["details", "summary", "input", "kbd", "sup", "sub"]);
        b.add_tag_attributes("input", ["type", "checked", "disabled"]);
        b.add_tag_attributes("a", ["name"]);
        b.url_schemes(ALLOWED_SCHEMES.into_iter().collect());
        b.link_rel(None);
        b.url_relative(ammonia::UrlRelative::PassThrough);
        b
    });
    CLEANER.clean(html).to_string()
}

/// Rewrites relative `href`/`src` targets: a document or source file with a page goes
/// to that page (keeping `#fragment`); anything else loses its link but keeps its text,
/// so the site never holds a broken internal link. Also makes wide blocks readable on a
/// phone: a table scrolls inside its own box (`div.scroll`), and a `pre` (which scrolls
/// sideways) takes keyboard focus (`tabindex="0"`, WCAG 2.1.1); heading anchors leave
/// the tab order; task-list checkboxes get a label.
fn rewrite_links(html: &str, doc_path: &str, linker: &dyn Linker, generated: &HashSet<String>) -> String {
    use lol_html::{RewriteStrSettings, element, html_content::ContentType, rewrite_str};
    let dir = doc_path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    let settings = RewriteStrSettings::new()
        .append_element_content_handler(element!("a[href]", |el| {
            let href = el.get_attribute("href").unwrap_or_default();
            if generated.contains(&href) {
                return Ok(());
            }
            if let Some(target) = rewrite_target(&href, dir, linker) {
                match target {
                    Some(url) => el.set_attribute("href", &url)?,
                    None => el.remove_and_keep_content(),
                }
            }
            Ok(())
        }))
        // An HTML anchor the document places itself (`<a name="summary"></a>`, which a
        // table of contents links to) becomes an `id`, which every browser follows.
        .append_element_content_handler(element!("a[name]", |el| {
            let name = el.get_attribute("name").unwrap_or_default();
            el.remove_attribute("name");
            if !el.has_attribute("id") && !name.is_empty() {
                el.set_attribute("id", &name)?;
            }
            Ok(())
        }))
        // comrak's heading anchors are empty links: hidden from assistive technology
        // and out of the tab order (the heading's `id` is the permalink), shown as `#`
        // on hover by the theme. The label and the copy of the heading's text comrak
        // gives them are dropped: a hidden link is never read out, and the two came to
        // a twentieth of the site.
        .append_element_content_handler(element!("a.anchor", |el| {
            el.remove_attribute("aria-label");
            el.remove_attribute("data-heading-content");
            el.set_attribute("aria-hidden", "true")?;
            el.set_attribute("tabindex", "-1")?;
            Ok(())
        }))
        // A task list's checkboxes have no label of their own (the item's text follows
        // them): they get one that says the state, which assistive technology reads.
        .append_element_content_handler(element!("input[type=checkbox]", |el| {
            let label = if el.has_attribute("checked") { "task done" } else { "task not done" };
            el.set_attribute("aria-label", label)?;
            Ok(())
        }))
        .append_element_content_handler(element!("pre", |el| {
            el.set_attribute("tabindex", "0")?;
            Ok(())
        }))
        .append_element_content_handler(element!("table", |el| {
            el.before("<div class=\"scroll\">", ContentType::Html);
            el.after("</div>", ContentType::Html);
            Ok(())
        }))
        .append_element_content_handler(element!("img[src]", |el| {
            let src = el.get_attribute("src").unwrap_or_default();
            if is_relative(&src) {
                let alt = el.get_attribute("alt").unwrap_or_default();
                el.replace(&format!("[image: {alt}]"), ContentType::Text);
            }
            Ok(())
        }));
    rewrite_str(html, settings).unwrap_or_else(|_| html.to_string())
}

fn is_relative(url: &str) -> bool {
    !(url.is_empty() || url.starts_with('#') || url.starts_with("//") || url.contains(':'))
}

/// `None`: leave the link as it is; `Some(None)`: drop the link; `Some(Some(url))`:
/// point it at `url`.
fn rewrite_target(href: &str, dir: &str, linker: &dyn Linker) -> Option<Option<String>> {
    if !is_relative(href) {
        return None;
    }
    let (path, fragment) = match href.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (href, None),
    };
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    let joined =
        if let Some(abs) = decoded.strip_prefix('/') { abs.to_string() } else { join(dir, &decoded) };
    let Some(url) = linker.path_url(&joined) else { return Some(None) };
    Some(Some(match fragment {
        Some(f) if !f.is_empty() => format!("{url}#{f}"),
        _ => url,
    }))
}

/// Joins a relative path onto a folder, resolving `.` and `..`.
pub fn join(dir: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::highlight::Syntect;

    struct TestLinker;
    impl Linker for TestLinker {
        fn id_url(&self, id: &str) -> Option<String> {
            match id {
                "REQ-SP4-003" => Some("../req/REQ-SP4-003.html".into()),
                "PLAN-20251023-X.P05" => Some("../phase/P05.html".into()),
                _ => None,
            }
        }
        fn path_url(&self, path: &str) -> Option<String> {
            (path == "project-plans/x/specification.md").then(|| "../spec.md.html".into())
        }
    }

    fn r(md: &str) -> String {
        render(md, "project-plans/x/plan/05-impl.md", &TestLinker, &Syntect::new())
    }

    #[test]
    fn links_ids_in_text_and_code_spans() {
        let html = r("Implements REQ-SP4-003 in `PLAN-20251023-X.P05`, not REQ-UNKNOWN-1.");
        assert!(html.contains(r#"<a href="../req/REQ-SP4-003.html">REQ-SP4-003</a>"#), "{html}");
        assert!(
            html.contains(r#"<a href="../phase/P05.html"><code>PLAN-20251023-X.P05</code></a>"#),
            "{html}"
        );
        assert!(html.contains("REQ-UNKNOWN-1"), "{html}");
    }

    #[test]
    fn titles_render_inline_markdown_escape_the_rest_and_cut_by_text() {
        let (html, cut) = inline_title("Decompose `ast-edit.ts` into *focused* modules", 100);
        assert_eq!(html, "Decompose <code>ast-edit.ts</code> into <em>focused</em> modules");
        assert!(!cut);
        let (html, _) = inline_title("A [link](javascript:alert(1)) <b onclick=x>and</b> & more", 100);
        assert_eq!(html, "A link &lt;b onclick=x&gt;and&lt;/b&gt; &amp; more");
        let (html, cut) = inline_title("Use `Config` for all", 6);
        assert_eq!(html, "Use <code>Co</code>…");
        assert!(cut);
        assert_eq!(plain_title("Decompose `ast-edit.ts` & **more**"), "Decompose ast-edit.ts & more");
        assert_eq!(inline_title("- item title", 50).0, "item title", "a title is never a list");
    }

    #[test]
    fn links_to_html_files_without_a_page_are_dropped_and_id_links_kept() {
        let html = r("See [design](./design.html), [spec](../specification.md), REQ-SP4-003.");
        assert!(!html.contains("design.html"), "{html}");
        assert!(html.contains("design"), "{html}");
        assert!(html.contains(r#"<a href="../spec.md.html">spec</a>"#), "{html}");
        assert!(html.contains(r#"<a href="../req/REQ-SP4-003.html">REQ-SP4-003</a>"#), "{html}");
    }

    #[test]
    fn html_anchors_by_name_become_ids() {
        let html = r("1. [Summary](#summary)\n\n## Summary <a name=\"summary\"></a>\n\ntext\n");
        assert!(html.contains(r#"<a id="summary"></a>"#), "{html}");
        assert!(html.contains(r##"<a href="#summary">Summary</a>"##), "{html}");
        assert!(!html.contains("name="), "{html}");
    }

    #[test]
    fn rewrites_relative_links_and_drops_unknown_ones() {
        let html =
            r("[spec](../specification.md#req) and [gone](../nothing.md) and [web](https://x.org/a.md)");
        assert!(html.contains(r#"<a href="../spec.md.html#req">spec</a>"#), "{html}");
        assert!(html.contains("and gone and"), "{html}");
        assert!(html.contains(r#"<a href="https://x.org/a.md">web</a>"#), "{html}");
    }

    #[test]
    fn raw_script_is_removed_and_comments_dropped() {
        let html = r(
            "hello\n\n<script>alert(1)</script>\n\n<div onclick=\"x()\">d</div>\n\n<!-- @plan:PLAN-X.P01 -->\n",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onclick"), "{html}");
        assert!(!html.contains("@plan"), "{html}");
        assert!(html.contains("d</div>"), "{html}");
    }

    #[test]
    fn script_urls_lose_their_url_without_raw_html() {
        let html = r(concat!(
            "[a](javascript:alert(1)) [b](JaVaScRiPt:alert(2)) ![c](javascript:alert(3))\n",
            "[d][1] <javascript:alert(4)> [e](vbscript:msgbox(5))\n",
            "[f](data:text/html;base64,PHNjcmlwdD4=) [g](java&#x09;script:alert(6))\n",
            "[h](<  javascript:alert(7)>) [i](javascript:alert(8) \"title\")\n\n",
            "[1]: javascript:alert(9)\n",
        ));
        for bad in ["javascript", "JaVaScRiPt", "vbscript", "data:", "java\tscript", "java&#x09;script"] {
            assert!(!html.contains(&format!("=\"{bad}")), "{bad}: {html}");
            assert!(!html.contains(&format!("=\"  {bad}")), "{bad}: {html}");
        }
        for text in ["a", "b", "d", "e", "f", "g", "h", "i"] {
            assert!(html.contains(&format!(">{text}</a>")), "the link text `{text}` is kept: {html}");
        }
    }

    #[test]
    fn script_urls_in_raw_html_are_removed() {
        let html = r(concat!(
            "<a href=\"&#106;avascript:alert(1)\">x</a> <img src=\"javascript:alert(2)\" alt=\"i\">\n",
            "<img srcset=\"javascript:alert(3) 1x\">\n",
            "<form action=\"javascript:alert(4)\"><button formaction=\"javascript:alert(5)\">b</button></form>\n",
            "<svg><a xlink:href=\"javascript:alert(6)\">s</a></svg>\n",
        ));
        assert!(!html.to_ascii_lowercase().contains("javascript"), "{html}");
        assert!(!html.contains("<form") && !html.contains("formaction"), "{html}");
    }

    #[test]
    fn allowed_urls_are_kept() {
        let html = r("[w](https://x.org/a) [m](mailto:a@x.org) [f](#top) [p](HTTP://X.ORG/b)");
        assert!(html.contains(r#"href="https://x.org/a""#), "{html}");
        assert!(html.contains(r#"href="mailto:a@x.org""#), "{html}");
        assert!(html.contains(r##"href="#top""##), "{html}");
        assert!(html.contains(r#"href="HTTP://X.ORG/b""#), "{html}");
    }

    #[test]
    fn wide_blocks_scroll_and_controls_are_labelled() {
        let html = r("# T\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] one\n- [ ] two\n\n```\nx\n```\n");
        assert!(html.contains("<div class=\"scroll\"><table>"), "{html}");
        assert!(html.contains("</table></div>"), "{html}");
        assert!(html.contains("<pre tabindex=\"0\">"), "{html}");
        assert!(html.contains(r#"checked="" disabled="" aria-label="task done""#), "{html}");
        assert!(html.contains(r#"aria-label="task not done""#), "{html}");
        assert!(html.contains(r#"class="anchor" aria-hidden="true" tabindex="-1">"#), "{html}");
        // The anchor carries no label or copy of the heading: it is hidden from readers.
        assert!(
            html.contains(
                r##"<h1 id="t">T<a href="#t" class="anchor" aria-hidden="true" tabindex="-1"></a></h1>"##
            ),
            "{html}"
        );
        assert!(!html.contains("data-heading-content") && !html.contains("Link to heading"), "{html}");
    }

    #[test]
    fn renders_tables_tasklists_and_highlighted_fences() {
        let html =
            r("| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n- [ ] open\n\n```ts\nconst a = 1;\n```\n");
        assert!(html.contains("<table>"), "{html}");
        assert!(html.contains("checked"), "{html}");
        assert!(html.contains("<span class=\"k\">const</span>"), "{html}");
    }

    #[test]
    fn joins_paths() {
        assert_eq!(join("a/b/plan", "../spec.md"), "a/b/spec.md");
        assert_eq!(join("a", "./x/../y.md"), "a/y.md");
        assert_eq!(join("", "../../x"), "x");
    }
}
