//! Every page of the site, rendered from the [`Project`] with no I/O: the project index,
//! a page per plan, requirement, phase, plan document and marked source file, the
//! diagnostics page, `trace.json` and the CSVs (`trace.csv`, `requirements.csv`).
//! Source files are highlighted once, on first need; excerpts are cut from their
//! highlighted lines.
//!
//! One module per page kind, each an `impl Site` block: `index`, `plan` (with the full
//! trace matrix), `requirement`, `phase`, `item`, `document` (plan documents and guides),
//! `source` (source pages and the source tree), `diagnostics`, `start`, `search`, `diff`,
//! `timeline` and `suspects` (a requirement page's suspect traces); `trace_json` writes
//! `trace.json`. This module holds what they share: the [`Page`], the job list of
//! [`render_site`], the links and URLs between pages, and the trace view.
//!
//! Large content (a source page's code, excerpts, rendered markdown) is *deferred*: the
//! context a page key is computed from holds a token with a fingerprint of that
//! content's inputs instead of the content, and the content is made only when the
//! page is rendered. So a page whose key is unchanged costs neither highlighting nor
//! reading the caches' HTML.

use super::csv;
use super::highlight::{Highlighter, plain_lines};
use super::incremental::{self, Key, RenderCache};
use super::markdown::Linker;
use super::templates::Theme;
use super::urls;
use crate::grammar::{canonical_phase, split_plan_ref};
use crate::model::{ItemKey, Node, Project, ReqKey, Resolution, TraceRecord};
use crate::provenance::Provenance;
use crate::source::{Language, Placement};
use anyhow::{Context as _, Result};
use rayon::prelude::*;
use serde::Serialize;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use tera::Context;

mod diagnostics;
mod diff;
mod document;
mod index;
mod item;
mod phase;
mod plan;
mod requirement;
mod search;
mod source;
mod start;
mod suspects;
mod timeline;
mod trace_json;

pub use trace_json::{schema as trace_schema, trace_json};

use item::has_page;

/// One output file: its path relative to the output folder and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// Site-relative path (`plans/PLAN-X/index.html`).
    pub path: String,
    /// The file's content (empty when `unchanged`).
    pub bytes: Vec<u8>,
    /// The page's key (see [`incremental::page_key`]) for templated pages.
    pub key: Option<Key>,
    /// The previous build wrote this same page (same key) and its file is intact, so
    /// it was not rendered: `bytes` is empty and there is nothing to write.
    pub unchanged: bool,
}

impl Page {
    /// A page with its bytes and no key (compared by content when written).
    pub fn new(path: impl Into<String>, bytes: Vec<u8>) -> Page {
        Page { path: path.into(), bytes, key: None, unchanged: false }
    }
}

/// The Content-Security-Policy of every page (`csp` in the templates; the default
/// theme puts it in a `<meta http-equiv>`): script and styles only from the site's own
/// files (`static/`, and the live-reload script `tracemark serve` adds), no inline
/// script, style attribute or event handler, images from the site or the web, no
/// plugins, frames or form submissions. Pages hold no inline script or style, so a
/// page that works without the policy works with it.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
img-src 'self' https: http:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'";

/// The most excerpts shown on one requirement page; further traces are listed as
/// links, so pages stay bounded whatever the number of traces.
pub const MAX_EXCERPTS: usize = 25;

/// The most requirements of other plans with the same ID listed on a requirement page
/// (the nearest plans); the page links to a search for the ID for the rest.
pub const MAX_SAME_ID: usize = 12;

/// Source files larger than this are shown without highlighting (bytes).
const MAX_HIGHLIGHT: usize = 2 << 20;

/// The highlighting of every file that gets a source page (same index as
/// `project.files`): a fingerprint of each, a hash of everything its lines are made
/// from (version, engine, language, text), which pages are keyed with instead of the
/// lines. The lines are asked of the highlighter each time a page needs them and
/// dropped after: the build cache (`render::cache`) answers every request after the
/// first, so a build never holds the highlighted lines of the whole project.
pub struct Highlighted<'h> {
    highlighter: &'h dyn Highlighter,
    fingerprints: Vec<Key>,
}

/// How a file is highlighted: `None` for a file without a source page (a plan
/// document), `Some(None)` for one too large to highlight (plain lines), else the
/// language given to the highlighter.
fn highlight_lang<'f>(project: &Project, f: &'f crate::model::SourceFile) -> Option<Option<&'f str>> {
    if project.document_index.contains_key(&f.path) {
        return None;
    }
    if f.text.len() > MAX_HIGHLIGHT {
        return Some(None);
    }
    let ext = f.path.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    Some(Some(if f.language == Language::Markdown { "md" } else { ext }))
}

/// Prepares the highlighting of every file that gets a source page: computes the
/// fingerprints (in parallel) and tells `highlighter` that their lines are still in
/// use, so a cache keeps them. Lines are highlighted later, on first need.
pub fn highlight_sources<'h>(project: &Project, highlighter: &'h dyn Highlighter) -> Highlighted<'h> {
    let fingerprints = project
        .files
        .par_iter()
        .map(|f| {
            let Some(lang) = highlight_lang(project, f) else { return [0; 32] };
            let text = f.text.unpack();
            if let Some(lang) = lang {
                highlighter.keep(&text, lang);
            }
            let mut h = blake3::Hasher::new();
            for part in [crate::BUILD, highlighter.fingerprint(), lang.unwrap_or("\0plain")] {
                h.update(&(part.len() as u64).to_le_bytes());
                h.update(part.as_bytes());
            }
            h.update(text.as_bytes());
            *h.finalize().as_bytes()
        })
        .collect();
    Highlighted { highlighter, fingerprints }
}

impl Highlighted<'_> {
    /// The highlighted lines of file `f` (empty for a file without a source page).
    fn lines(&self, project: &Project, f: usize) -> Vec<String> {
        let file = &project.files[f];
        match highlight_lang(project, file) {
            None => Vec::new(),
            Some(None) => plain_lines(&file.text.unpack()),
            Some(Some(lang)) => self.highlighter.highlight_lines(&file.text.unpack(), lang),
        }
    }
}

/// Content of a page made only if the page is rendered (see the module comment).
enum Deferred {
    /// The highlighted excerpt of a trace (index into `project.traces`).
    Excerpt(usize),
    /// A source page's code: the file, and the reference links shown at trace lines.
    Source(usize, BTreeMap<u32, String>),
    /// A rendered markdown document.
    Markdown(incremental::Rendered),
}

/// A page's context as it is built: each value is encoded into the page key's input
/// as it is inserted (its name, then postcard; JSON if postcard cannot encode it), and
/// kept to fill the tera context only if the page is rendered.
#[derive(Default)]
struct PageCtx<'v> {
    encoded: Vec<u8>,
    #[allow(clippy::type_complexity)]
    values: Vec<Box<dyn FnOnce(&mut Context) -> tera::Result<()> + 'v>>,
}

impl<'v> PageCtx<'v> {
    /// The context of a page's view: every field of `view` (a struct) is a variable of
    /// the template; the key's input is the whole view, encoded under the name `view`.
    fn from_view<V: Serialize>(view: &'v V) -> PageCtx<'v> {
        let mut ctx = PageCtx::default();
        ctx.encode("view", view);
        ctx.values.push(Box::new(move |c: &mut Context| {
            c.extend(Context::from_serialize(view)?);
            Ok(())
        }));
        ctx
    }

    fn insert<T: Serialize + 'v>(&mut self, name: &'static str, value: T) {
        self.encode(name, &value);
        self.values.push(Box::new(move |ctx: &mut Context| {
            ctx.insert(name, &value);
            Ok(())
        }));
    }

    /// Appends `name` and `value`'s encoding to the key's input.
    fn encode<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) {
        self.encoded.extend_from_slice(&(name.len() as u32).to_le_bytes());
        self.encoded.extend_from_slice(name.as_bytes());
        match postcard::to_extend(value, Vec::new()) {
            Ok(bytes) => {
                self.encoded.push(b'p');
                self.encoded.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
                self.encoded.extend_from_slice(&bytes);
            }
            Err(_) => {
                let bytes = serde_json::to_vec(value).unwrap_or_default();
                self.encoded.push(b'j');
                self.encoded.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
                self.encoded.extend_from_slice(&bytes);
            }
        }
    }
}

/// The deferred content of one page, each with the token standing for it.
#[derive(Default)]
struct Deferrals(RefCell<Vec<(String, Deferred)>>);

/// How a token starts. A value of the context is replaced only when it equals, whole,
/// a token registered for that page (index and fingerprint included), which no project
/// text can be made to match without knowing the fingerprint.
const DEFERRED: &str = "\0tracemark-deferred:";

impl Deferrals {
    /// A token for `what`, unique in the page, holding `fingerprint` (a hash of
    /// everything the content is made from).
    fn add(&self, fingerprint: &Key, what: Deferred) -> String {
        let mut v = self.0.borrow_mut();
        let token = format!("{DEFERRED}{}:{}", v.len(), blake3::Hash::from(*fingerprint).to_hex());
        v.push((token.clone(), what));
        token
    }
}

/// What git says besides the commit: the history of plans and files, and the
/// comparison with `diff_base` when one was asked for.
#[derive(Clone, Copy)]
pub struct GitFacts<'a> {
    /// Plans by first commit, the plans that shaped each file.
    pub history: &'a crate::history::Facts,
    /// The comparison shown on `diff.html`.
    pub diff: Option<&'a crate::revdiff::Diff>,
}

/// Where the rendered pages go, and what the previous build left.
pub struct Output<'a> {
    /// What the previous build left intact (page keys, rendered markdown).
    pub cache: &'a RenderCache<'a>,
    /// Called with each page as soon as it is rendered (from any thread); returns what
    /// the site keeps of it: the page itself, or the page without its bytes once it is
    /// on disk (see `site::output::Stream`), so the site need not be held in memory.
    pub put: &'a (dyn Fn(Page) -> Result<Page> + Sync),
}

/// Renders the whole site from the highlighted sources, reusing from `out.cache` what
/// the previous build left intact, and hands each page to `out.put` as it is done.
/// Returns the pages as `put` gave them back, sorted by path. Errors come from
/// templates (a theme's template that fails to render names itself) and from `put`.
pub fn render_site(
    project: &Project,
    provenance: &Provenance,
    git: GitFacts<'_>,
    theme: &Theme,
    highlighter: &dyn Highlighter,
    highlighted: &Highlighted<'_>,
    out: Output<'_>,
) -> Result<Vec<Page>> {
    let diff = git.diff;
    let put = out.put;
    let site = Site::new(project, provenance, git, theme, highlighter, highlighted, out.cache);
    let mut jobs =
        vec![Job::Index, Job::Start, Job::Diagnostics, Job::Search, Job::SourceTree, Job::Timeline];
    if diff.is_some() {
        jobs.push(Job::Diff);
    }
    for (pi, plan) in project.plans.iter().enumerate() {
        jobs.push(Job::Plan(pi));
        if site.matrix_reduced(pi) {
            jobs.push(Job::PlanMatrix(pi));
        }
        jobs.extend((0..plan.requirements.len()).map(|ri| Job::Requirement(ReqKey { plan: pi, req: ri })));
        jobs.extend((0..plan.phases.len()).map(|ph| Job::Phase(pi, ph)));
        jobs.extend(
            (0..plan.items.len())
                .filter(|&ii| has_page(&plan.items[ii]))
                .map(|ii| Job::Item(ItemKey { plan: pi, item: ii })),
        );
    }
    jobs.extend(
        (0..project.documents.len()).filter(|&d| !site.phase_of_document.contains_key(&d)).map(Job::Document),
    );
    jobs.extend((0..project.files.len()).filter(|&f| site.has_source_page[f]).map(Job::Source));
    jobs.extend((0..project.guides.len()).map(Job::Guide));

    // `trace.json`, the CSVs and the search index are long sequential jobs: they run
    // beside the pages, and each is handed to `put` as soon as it is made (so that a
    // streaming build does not hold them until the last page is done).
    let put_all = |made: Result<Vec<Page>>| -> Result<Vec<Page>> { made?.into_iter().map(put).collect() };
    let (pages, ((trace, csvs), index)) = rayon::join(
        || jobs.par_iter().map(|job| site.render(job).and_then(put)).collect::<Result<Vec<_>>>(),
        || {
            rayon::join(
                || {
                    rayon::join(
                        || put_all(trace_json(project, provenance).map(|b| vec![Page::new("trace.json", b)])),
                        || put_all(csv_pages(project)),
                    )
                },
                || put_all(Ok(crate::render::search::build(&site.search_entries()))),
            )
        },
    );
    let mut pages = pages?;
    pages.extend(trace?);
    pages.extend(csvs?);
    pages.extend(index?);
    let mut rest = vec![
        Page::new(trace_json::SCHEMA_FILE, trace_schema()),
        // GitHub Pages runs Jekyll unless the site holds `.nojekyll`; Jekyll drops every
        // file under a folder whose name starts with `_` (`__tests__`).
        Page::new(".nojekyll", Vec::new()),
    ];
    for (name, bytes) in &theme.static_files {
        rest.push(Page::new(format!("static/{name}"), bytes.clone()));
    }
    for page in rest {
        pages.push(put(page)?);
    }
    pages.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(pages)
}

/// `trace.csv` and `requirements.csv`.
fn csv_pages(project: &Project) -> Result<Vec<Page>> {
    Ok(vec![
        Page::new("trace.csv", csv::trace_csv(project)?),
        Page::new("requirements.csv", csv::requirements_csv(project)?),
    ])
}

/// The findings of each plan (indices into `Project::diagnostics`, in their order):
/// those in its folder (its documents, its requirements' definitions) and those on the
/// traces that name it or resolve a requirement to it (the marker's `path:line` lies in
/// the trace's lines).
fn plan_findings(project: &Project) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); project.plans.len()];
    let folders: Vec<String> = project.plans.iter().map(|p| format!("{}/", p.folder)).collect();
    for (di, d) in project.diagnostics.iter().enumerate() {
        let mut of: Vec<usize> = Vec::new();
        for (pi, p) in project.plans.iter().enumerate() {
            if d.path == p.folder || d.path.starts_with(&folders[pi]) {
                of.push(pi);
            }
        }
        if let Some(&f) = project.file_index.get(&d.path) {
            for t in project.file_traces[f].clone() {
                let tr = &project.traces[t];
                if !(tr.trace.line..=tr.trace.end_line).contains(&d.line) {
                    continue;
                }
                of.extend(tr.plans.iter().filter_map(|pt| pt.plan));
                for r in &tr.requirements {
                    match &r.resolution {
                        crate::model::Resolution::Resolved { key } => of.push(key.plan),
                        crate::model::Resolution::Ambiguous { plans } => of.extend(plans),
                        crate::model::Resolution::Dangling => {}
                    }
                }
            }
        }
        of.sort_unstable();
        of.dedup();
        for pi in of {
            out[pi].push(di);
        }
    }
    out
}

enum Job {
    Index,
    Start,
    Diagnostics,
    Search,
    SourceTree,
    Timeline,
    Diff,
    Plan(usize),
    /// The full trace matrix of a plan whose page shows part of it.
    PlanMatrix(usize),
    Requirement(ReqKey),
    Phase(usize, usize),
    Item(ItemKey),
    Document(usize),
    Source(usize),
    Guide(usize),
}

struct Site<'a> {
    project: &'a Project,
    /// The commit the site shows, for the footer and the forge permalinks.
    provenance: &'a Provenance,
    /// What git history says of plans and files.
    history: &'a crate::history::Facts,
    /// The comparison with `diff_base`, when one was asked for.
    diff: Option<&'a crate::revdiff::Diff>,
    /// The footer's view of `provenance`, the same on every page.
    footer: ProvenanceView,
    theme: &'a Theme,
    highlighter: &'a dyn Highlighter,
    /// What the previous build left that may be reused.
    cache: &'a RenderCache<'a>,
    /// Highlighted lines of each file (same index as `project.files`).
    highlighted: &'a Highlighted<'a>,
    /// Whether a file gets a source page (plan documents get a document page instead).
    has_source_page: Vec<bool>,
    /// Document index → (plan, phase) when the document is that phase's own file: the
    /// phase page shows it, so it gets no page of its own.
    phase_of_document: HashMap<usize, (usize, usize)>,
    /// Plan index by upper-cased ID, for case-insensitive links.
    plan_ci: HashMap<String, usize>,
    /// Findings per plan (by plan folder prefix).
    plan_diagnostics: Vec<Vec<usize>>,
    /// Related plans per plan ([`crate::model::related::related_plans`]).
    related: Vec<Vec<crate::model::related::Related>>,
}

impl<'a> Site<'a> {
    fn new(
        project: &'a Project,
        provenance: &'a Provenance,
        git: GitFacts<'a>,
        theme: &'a Theme,
        highlighter: &'a dyn Highlighter,
        highlighted: &'a Highlighted<'a>,
        cache: &'a RenderCache,
    ) -> Site<'a> {
        let has_source_page: Vec<bool> =
            project.files.iter().map(|f| !project.document_index.contains_key(&f.path)).collect();
        let mut phase_of_document = HashMap::new();
        for (pi, plan) in project.plans.iter().enumerate() {
            for (phi, ph) in plan.phases.iter().enumerate() {
                if let Some(d) = ph.document.as_ref().and_then(|p| project.document_index.get(p)) {
                    phase_of_document.entry(*d).or_insert((pi, phi));
                }
            }
        }
        let plan_ci = project.plans.iter().enumerate().map(|(i, p)| (p.id.to_ascii_uppercase(), i)).collect();
        let plan_diagnostics = plan_findings(project);
        let related = crate::model::related::related_plans(project);
        Site {
            project,
            provenance,
            history: git.history,
            diff: git.diff,
            footer: ProvenanceView::new(provenance),
            theme,
            highlighter,
            cache,
            highlighted,
            has_source_page,
            phase_of_document,
            plan_ci,
            plan_diagnostics,
            related,
        }
    }

    fn render(&self, job: &Job) -> Result<Page> {
        match *job {
            Job::Index => self.index(),
            Job::Start => self.start(),
            Job::Diagnostics => self.diagnostics(),
            Job::Search => self.search(),
            Job::SourceTree => self.source_tree(),
            Job::Timeline => self.timeline(),
            Job::Diff => self.diff_page(),
            Job::Plan(p) => self.plan(p),
            Job::PlanMatrix(p) => self.plan_matrix(p),
            Job::Requirement(k) => self.requirement(k),
            Job::Phase(p, ph) => self.phase(p, ph),
            Job::Item(k) => self.item(k),
            Job::Document(d) => self.document(d),
            Job::Source(f) => self.source(f),
            Job::Guide(g) => self.guide(g),
        }
    }

    /// Renders a page from its view (see [`PageCtx::from_view`]) through `template`;
    /// `deferred` holds the content the view's tokens stand for.
    fn render_view<V: Serialize>(
        &self,
        path: String,
        template: &str,
        title: &str,
        view: &V,
        deferred: Deferrals,
    ) -> Result<Page> {
        self.page_deferred(path, template, title, PageCtx::from_view(view), deferred)
    }

    /// Renders a page from its template and context, unless the previous build wrote
    /// the same page (same key) and its file is intact. The context may hold tokens of
    /// deferred content: the key is computed with the tokens, which are replaced by
    /// their content only if the page is rendered.
    fn page_deferred(
        &self,
        path: String,
        template: &str,
        title: &str,
        mut ctx: PageCtx<'_>,
        deferred: Deferrals,
    ) -> Result<Page> {
        ctx.insert("site_title", self.project.title.clone());
        ctx.insert("page_title", title.to_string());
        ctx.insert("root", urls::root(&path));
        ctx.insert("version", env!("CARGO_PKG_VERSION"));
        ctx.insert("csp", CONTENT_SECURITY_POLICY);
        // In every page's key: a new commit (or a tree turning dirty) renders every page.
        ctx.insert("provenance", self.footer.clone());
        let key = incremental::page_key(&self.theme.hash, template, &ctx.encoded);
        if self.cache.intact.get(&path) == Some(&key) {
            return Ok(Page { path, bytes: Vec::new(), key: Some(key), unchanged: true });
        }
        let mut tera_ctx = Context::new();
        for fill in ctx.values {
            fill(&mut tera_ctx).with_context(|| format!("context of {path}"))?;
        }
        let deferred = deferred.0.into_inner();
        if !deferred.is_empty() {
            let mut json = tera_ctx.into_json();
            self.fill(&mut json, &deferred);
            tera_ctx = Context::from_value(json).context("page context")?;
        }
        let ctx = tera_ctx;
        let html = self
            .theme
            .tera
            .render(template, &ctx)
            .with_context(|| format!("rendering `{template}` for {path}"))?;
        Ok(Page { path, bytes: html.into_bytes(), key: Some(key), unchanged: false })
    }

    /// Replaces every token of `deferred` in `v` by its content.
    fn fill(&self, v: &mut serde_json::Value, deferred: &[(String, Deferred)]) {
        use serde_json::Value;
        match v {
            Value::String(s) => {
                let Some(rest) = s.strip_prefix(DEFERRED) else { return };
                let i = rest.split_once(':').and_then(|(i, _)| i.parse::<usize>().ok());
                if let Some((token, what)) = i.and_then(|i| deferred.get(i))
                    && token == s
                {
                    *s = self.produce(what);
                }
            }
            Value::Array(a) => a.iter_mut().for_each(|x| self.fill(x, deferred)),
            Value::Object(o) => o.values_mut().for_each(|x| self.fill(x, deferred)),
            _ => {}
        }
    }

    /// The content a token stands for.
    fn produce(&self, what: &Deferred) -> String {
        match what {
            Deferred::Excerpt(t) => self.excerpt_html(&self.project.traces[*t]),
            Deferred::Source(f, refs) => self.source_code(*f, refs),
            Deferred::Markdown(r) => self.cache.markdown.html(r),
        }
    }

    /// Markdown rendered through the cache, deferred.
    fn markdown(&self, d: &Deferrals, md: &str, doc_path: &str, from: &str, linker: &dyn Linker) -> String {
        let r = self.cache.markdown.prepare(md, doc_path, from, linker, self.highlighter);
        d.add(&r.fingerprint, Deferred::Markdown(r))
    }

    /// A definition's text as markdown; empty for a text of only whitespace.
    fn definition(
        &self,
        d: &Deferrals,
        text: &str,
        doc_path: &str,
        from: &str,
        linker: &dyn Linker,
    ) -> String {
        if text.trim().is_empty() { String::new() } else { self.markdown(d, text, doc_path, from, linker) }
    }

    /// The highlighted lines of file `f`.
    fn lines(&self, f: usize) -> Vec<String> {
        self.highlighted.lines(self.project, f)
    }

    // ---- URLs -------------------------------------------------------------------

    fn find_plan(&self, id: &str) -> Option<usize> {
        self.project.plan_index.get(id).or_else(|| self.plan_ci.get(&id.to_ascii_uppercase())).copied()
    }

    fn phase_url_path(&self, p: usize, ph: usize) -> String {
        let plan = &self.project.plans[p];
        urls::phase(&plan.id, &plan.phases[ph].id)
    }

    fn requirement_path(&self, k: ReqKey) -> String {
        let plan = &self.project.plans[k.plan];
        urls::requirement(&plan.id, &plan.requirements[k.req].id)
    }

    /// An item's page; for a checklist, the page of the document that holds it.
    fn item_path(&self, k: ItemKey) -> String {
        let plan = &self.project.plans[k.plan];
        let it = &plan.items[k.item];
        if has_page(it) {
            urls::item(&plan.id, &it.kind, &it.id)
        } else {
            self.file_location(&it.location.path, it.location.line).unwrap_or_else(|| urls::plan(&plan.id))
        }
    }

    /// A link to a requirement, phase or item, labelled with its ID (and kind for items).
    fn node_link(&self, from: &str, node: Node) -> LinkView {
        match node {
            Node::Requirement { key } => {
                let r = &self.project.plans[key.plan].requirements[key.req];
                self.link(from, r.id.clone(), Some(self.requirement_path(key)))
            }
            Node::Phase { plan, phase } => {
                let ph = &self.project.plans[plan].phases[phase];
                self.link(from, format!("phase {}", ph.id), Some(self.phase_url_path(plan, phase)))
            }
            Node::Item { key } => {
                let it = &self.project.plans[key.plan].items[key.item];
                self.link(from, it.id.clone(), Some(self.item_path(key)))
            }
        }
    }

    /// Outgoing links (`depends on T-001`) and incoming ones (`required by T-002`) of a
    /// node, grouped by their label in first-seen order.
    fn link_groups(
        &self,
        from: &str,
        node: Node,
        links: &[crate::plan::Link],
        targets: Option<&Vec<Option<Node>>>,
    ) -> Vec<LinkGroup> {
        let mut groups: Vec<LinkGroup> = Vec::new();
        let mut push =
            |label: &'static str, link: LinkView| match groups.iter_mut().find(|g| g.label == label) {
                Some(g) => {
                    if !g.links.iter().any(|l| l.text == link.text) {
                        g.links.push(link);
                    }
                }
                None => groups.push(LinkGroup { label, links: vec![link] }),
            };
        for (i, l) in links.iter().enumerate() {
            let target = targets.and_then(|t| t.get(i).copied().flatten());
            let view = match target {
                Some(n) => self.node_link(from, n),
                None => LinkView { text: l.target.clone(), url: None, class: "dangling" },
            };
            push(l.kind.label(), view);
        }
        for (kind, source) in self.project.incoming.get(&node).map_or(&[][..], Vec::as_slice) {
            push(kind.reverse_label(), self.node_link(from, *source));
        }
        groups
    }

    /// The page showing a project file, with `#L<line>` when it has line anchors.
    fn file_location(&self, path: &str, line: u32) -> Option<String> {
        if let Some(&d) = self.project.document_index.get(path) {
            return Some(match self.phase_of_document.get(&d) {
                Some(&(p, ph)) => self.phase_url_path(p, ph),
                None => urls::document(path),
            });
        }
        let &f = self.project.file_index.get(path)?;
        self.has_source_page[f]
            .then(|| if line > 0 { format!("{}#L{line}", urls::source(path)) } else { urls::source(path) })
    }

    fn link(&self, from: &str, text: impl Into<String>, to: Option<String>) -> LinkView {
        LinkView { text: text.into(), url: to.map(|t| urls::relative(from, &t)), class: "" }
    }

    fn location_link(&self, from: &str, path: &str, line: u32) -> LinkView {
        let text = if line > 0 { format!("{path}:{line}") } else { path.to_string() };
        self.link(from, text, self.file_location(path, line))
    }

    /// The permalink of `path` (lines `first..=last`, or the whole file) at the commit on
    /// the forge, when the forge is known (see [`Provenance::permalink`]).
    fn forge_link(&self, path: &str, lines: Option<(u32, u32)>) -> Option<ForgeLink> {
        let lines = lines.filter(|&(a, _)| a > 0);
        let url = self.provenance.permalink(path, lines)?;
        let forge = self.provenance.forge?.label();
        let short = self.provenance.short_commit().unwrap_or_default();
        let what = match lines {
            Some((a, b)) if a == b => format!("{path}:{a}"),
            Some((a, b)) => format!("{path}:{a}–{b}"),
            None => path.to_string(),
        };
        Some(ForgeLink {
            url,
            text: format!("view on {forge}"),
            title: format!("{what} at commit {short} on {forge}"),
            modified: self.provenance.is_modified(path),
        })
    }

    // ---- traces -----------------------------------------------------------------

    /// The view of trace `t`, with its excerpt (deferred into `excerpt`) when given.
    fn trace_view(&self, from: &str, t: usize, excerpt: Option<&Deferrals>) -> TraceView {
        let tr = &self.project.traces[t];
        let file = &self.project.files[tr.file];
        let plans = tr
            .plans
            .iter()
            .map(|pt| {
                let text = match &pt.phase_id {
                    Some(ph) => format!("{}.{ph}", pt.plan_id),
                    None => pt.plan_id.clone(),
                };
                let to = match (pt.plan, pt.phase) {
                    (Some(p), Some(ph)) => Some(self.phase_url_path(p, ph)),
                    (Some(p), None) => Some(urls::plan(&self.project.plans[p].id)),
                    _ => None,
                };
                let mut l = self.link(from, text, to);
                l.class = if pt.plan.is_none() || (pt.phase_id.is_some() && pt.phase.is_none()) {
                    "dangling"
                } else {
                    ""
                };
                l
            })
            .collect();
        let requirements = tr
            .requirements
            .iter()
            .map(|rt| match &rt.resolution {
                Resolution::Resolved { key } => {
                    self.link(from, rt.id.clone(), Some(self.requirement_path(*key)))
                }
                Resolution::Ambiguous { .. } => {
                    LinkView { text: rt.id.clone(), url: None, class: "ambiguous" }
                }
                Resolution::Dangling => LinkView { text: rt.id.clone(), url: None, class: "dangling" },
            })
            .collect();
        let items = tr
            .items
            .iter()
            .map(|it| match it.item {
                Some(k) => self.link(from, format!("{} {}", it.kind, it.id), Some(self.item_path(k))),
                None => LinkView { text: format!("{} {}", it.kind, it.id), url: None, class: "dangling" },
            })
            .collect();
        let excerpt = excerpt.filter(|_| self.has_source_page[tr.file]).map(|d| {
            let mut h = blake3::Hasher::new();
            h.update(b"excerpt");
            h.update(&self.highlighted.fingerprints[tr.file]);
            for n in tr.trace.excerpt.ranges.iter().flat_map(|r| [r.0, r.1]) {
                h.update(&n.to_le_bytes());
            }
            for n in [u32::from(tr.trace.excerpt.cut), tr.trace.line, tr.trace.end_line] {
                h.update(&n.to_le_bytes());
            }
            d.add(h.finalize().as_bytes(), Deferred::Excerpt(t))
        });
        TraceView {
            items,
            forge: self.forge_link(&file.path, Some(tr.trace.excerpt.span())),
            location: self.location_link(from, &file.path, tr.trace.line),
            kind: placement_label(tr.trace.placement),
            plans,
            requirements,
            unresolved: tr.trace.unresolved.iter().map(|(_, v)| v.clone()).collect(),
            excerpt,
        }
    }

    /// The excerpt's lines, highlighted, each with its number (`data-ln`); a gap row
    /// ("⋯ N lines") between two ranges and a last row when the cap cut the item.
    fn excerpt_html(&self, tr: &TraceRecord) -> String {
        let lines = self.lines(tr.file);
        let ex = &tr.trace.excerpt;
        // Each line carries its number (no inline style: the pages' Content-Security-Policy
        // allows none), so a gap row needs no counter.
        // `tabindex`: a keyboard reaches a block that scrolls sideways (WCAG 2.1.1).
        let mut html = String::from("<pre class=\"code excerpt\" tabindex=\"0\"><code>");
        let mut prev: Option<u32> = None;
        for &(a, b) in &ex.ranges {
            let a = a.max(1) as usize;
            let b = (b as usize).min(lines.len());
            if let Some(p) = prev {
                let n = (a as u32).saturating_sub(p + 1);
                let s = if n == 1 { "" } else { "s" };
                html.push_str(&format!("<span class=\"gap\">⋯ {n} line{s}</span>"));
            }
            for n in a..=b {
                let marked = (tr.trace.line as usize..=tr.trace.end_line as usize).contains(&n);
                html.push_str(if marked { "<span class=\"m\" data-ln=\"" } else { "<span data-ln=\"" });
                html.push_str(&n.to_string());
                html.push_str("\">");
                html.push_str(&lines[n - 1]);
                html.push_str("</span>");
            }
            prev = Some(b as u32);
        }
        if ex.cut {
            html.push_str(&format!(
                "<span class=\"gap cut\">⋯ cut at {} lines (excerpt_lines)</span>",
                ex.shown()
            ));
        }
        html.push_str("</code></pre>");
        html
    }

    // ---- pages --------------------------------------------------------------------

    fn is_covered(&self, k: ReqKey) -> bool {
        self.project.is_covered(k)
    }

    /// Whether a test case matched to trace `t` failed.
    fn trace_failed(&self, t: usize) -> bool {
        self.project.verification.as_ref().is_some_and(|v| {
            v.trace_cases[t].iter().any(|&c| v.cases[c].outcome == crate::results::Outcome::Failed)
        })
    }
}

/// Resolves IDs and paths in a rendered document to URLs relative to one page.
struct PageLinker<'s, 'a> {
    site: &'s Site<'a>,
    from: &'s str,
    plan: Option<usize>,
}

impl Linker for PageLinker<'_, '_> {
    fn id_url(&self, id: &str) -> Option<String> {
        let project = self.site.project;
        if let Some((plan_id, phase)) = split_plan_ref(id) {
            let p = self.site.find_plan(plan_id)?;
            let to = phase
                .and_then(|ph| {
                    let c = canonical_phase(ph);
                    project.plans[p].phases.iter().position(|x| canonical_phase(&x.id) == c)
                })
                .map(|ph| self.site.phase_url_path(p, ph))
                .unwrap_or_else(|| urls::plan(&project.plans[p].id));
            return Some(urls::relative(self.from, &to));
        }
        let cands = project.requirement_index.get(id)?;
        let key = match self.plan.and_then(|p| cands.iter().find(|k| k.plan == p)) {
            Some(k) => *k,
            None if cands.len() == 1 => cands[0],
            None => return None,
        };
        Some(urls::relative(self.from, &self.site.requirement_path(key)))
    }

    /// The file's page; for a file the site has no page of (a `design.html` or an image
    /// beside a plan), its permalink on the forge when the forge is known.
    fn path_url(&self, path: &str) -> Option<String> {
        match self.site.file_location(path, 0) {
            Some(to) => Some(urls::relative(self.from, &to)),
            None => self.site.provenance.permalink(path, None),
        }
    }
}

// ---- views handed to templates ------------------------------------------------------

/// A link: text and a relative URL (none when the target has no page), with a CSS
/// class (`dangling`, `ambiguous`) for references that did not resolve.
#[derive(Debug, Clone, Serialize)]
struct LinkView {
    text: String,
    url: Option<String>,
    class: &'static str,
}

impl LinkView {
    fn html(&self) -> String {
        let text = html_escape::encode_text(&self.text);
        match &self.url {
            Some(u) => format!("<a href=\"{}\">{text}</a>", html_escape::encode_double_quoted_attribute(u)),
            None => format!(
                "<span class=\"{}\">{text}</span>",
                if self.class.is_empty() { "ref" } else { self.class }
            ),
        }
    }
}

#[derive(Serialize)]
struct TraceView {
    location: LinkView,
    /// The excerpt's lines at the commit on the forge.
    forge: Option<ForgeLink>,
    kind: &'static str,
    plans: Vec<LinkView>,
    requirements: Vec<LinkView>,
    /// Item references (`task T-001`).
    items: Vec<LinkView>,
    unresolved: Vec<String>,
    excerpt: Option<String>,
}

/// A permalink to a file (or lines of it) at the commit on the forge.
#[derive(Debug, Clone, Serialize)]
struct ForgeLink {
    /// An absolute `https://` (or `http://`) URL, made by the `url` crate.
    url: String,
    /// `view on GitHub`.
    text: String,
    /// `src/a.ts:10–24 at commit 0123456789ab on GitHub`.
    title: String,
    /// The file differs from the commit in the working tree: the lines linked may not
    /// be the lines shown.
    modified: bool,
}

/// The page footer: the commit the site shows, its date, the dirty flag and the build
/// date; every field empty when the site was not built from a git checkout.
#[derive(Debug, Clone, Serialize)]
struct ProvenanceView {
    /// The full commit ID.
    commit: Option<String>,
    /// Its first 12 characters.
    short: Option<String>,
    /// The commit's page on the forge.
    commit_url: Option<String>,
    /// The forge's name (`GitHub`).
    forge: Option<&'static str>,
    /// The committer date, ISO 8601.
    date: Option<String>,
    /// Tracked files differ from the commit (how many is on the start page only, so
    /// that editing one more file does not change every page).
    dirty: bool,
    /// The build date, ISO 8601.
    build_date: Option<String>,
}

impl ProvenanceView {
    fn new(p: &Provenance) -> ProvenanceView {
        ProvenanceView {
            commit: p.commit.clone(),
            short: p.short_commit().map(str::to_string),
            commit_url: p.commit_url(),
            forge: p.forge.map(|f| f.label()).filter(|_| p.commit_url().is_some()),
            date: p.commit_date.as_ref().map(|d| d.iso.clone()),
            dirty: p.dirty,
            build_date: p.build_date.as_ref().map(|d| d.iso.clone()),
        }
    }
}

#[derive(Serialize)]
struct LinkGroup {
    /// How the links read from this page's node (`depends on`, `required by`).
    label: &'static str,
    links: Vec<LinkView>,
}

fn placement_label(p: Placement) -> &'static str {
    match p {
        Placement::Comment => "comment",
        Placement::TestTitle => "test title",
        Placement::MarkdownComment => "document comment",
        Placement::StringLiteral => "string literal",
        Placement::MarkdownText => "mention",
        Placement::Code => "code",
        Placement::Artifact => "artifact",
    }
}

#[cfg(test)]
mod testing {
    //! The site of a small project held in memory, for the pages' unit tests.

    use super::*;

    /// A highlighter that escapes each line and colours nothing.
    struct Plain;

    impl Highlighter for Plain {
        fn highlight_lines(&self, text: &str, _lang: &str) -> Vec<String> {
            plain_lines(text)
        }
        fn name(&self) -> &'static str {
            "plain"
        }
    }

    /// One plan (`PLAN-20260101-DEMO`): three requirements, two phases (P01 done, P02
    /// pending, from the tracker), a risk register, a checklist with an unchecked box;
    /// REQ-001 traced by an implementation and a test, REQ-002 by a plan document only,
    /// REQ-003 by nothing; risk R-001 by a marker; a marker naming a plan that does not
    /// exist.
    pub(super) const FILES: &[(&str, &str)] = &[
        (
            "project-plans/demo/specification.md",
            "# Demo lamps\n\nPlan ID: PLAN-20260101-DEMO\n\n## Requirements\n\n\
             ### REQ-001: Lamps turn on\n\nThe lamp turns on when switched.\n\n\
             ### REQ-002: Lamps dim\n\nDimming is smooth.\n\n\
             ### REQ-003: Lamps report their state\n\nThe state is readable.\n\n\
             ## Risks\n\n| ID | Risk | Status |\n|---|---|---|\n\
             | R-001 | Bulbs burn out | open |\n| R-002 | Wiring is wrong | mitigated |\n",
        ),
        (
            "project-plans/demo/plan/01-wiring.md",
            "# Phase 01: Wiring\n\n## Phase ID\n`PLAN-20260101-DEMO.P01`\n\n\
             ## Requirements Implemented\n\n### REQ-001: Lamps turn on\n\n\
             ## Verification\n\n- [x] Wire the lamp\n- [ ] Check the fuse\n",
        ),
        (
            "project-plans/demo/plan/02-dimming.md",
            "# Phase 02: Dimming\n\n## Phase ID\n`PLAN-20260101-DEMO.P02`\n\n\
             ## Requirements Implemented\n\n### REQ-002: Lamps dim\n\n\
             <!-- @plan:PLAN-20260101-DEMO.P02 @requirement:REQ-002 -->\n",
        ),
        (
            "project-plans/demo/execution-tracker.md",
            "# Execution Tracker\n\n| Phase | ID | Status |\n|---|---|---|\n\
             | 01 | P01 | ✅ |\n| 02 | P02 | ⬜ |\n",
        ),
        (
            "src/lamp.ts",
            "/**\n * @plan:PLAN-20260101-DEMO.P01\n * @requirement:REQ-001\n */\n\
             export function on(): void {}\n\n\
             // @plan:PLAN-20990101-NOPE\nexport function off(): void {}\n",
        ),
        ("src/fuse.ts", "// @risk:R-001\nexport function fuse(): void {}\n"),
        (
            "src/__tests__/lamp.test.ts",
            "/**\n * @plan:PLAN-20260101-DEMO.P01\n * @requirement:REQ-001\n */\n\
             it('turns on', () => {});\n",
        ),
    ];

    /// Calls `f` with the site of `files` ([`crate::model::testing::project`]), built
    /// without git, cache or highlighting.
    pub(super) fn with_site<R>(files: &[(&str, &str)], f: impl FnOnce(&Site<'_>) -> R) -> R {
        with_site_diff(files, None, f)
    }

    /// [`with_site`] with the comparison `diff.html` shows.
    pub(super) fn with_site_diff<R>(
        files: &[(&str, &str)],
        diff: Option<&crate::revdiff::Diff>,
        f: impl FnOnce(&Site<'_>) -> R,
    ) -> R {
        with_project(&crate::model::testing::project(files), diff, f)
    }

    /// Calls `f` with the site of `project`, built without git, cache or highlighting.
    pub(super) fn with_project<R>(
        project: &Project,
        diff: Option<&crate::revdiff::Diff>,
        f: impl FnOnce(&Site<'_>) -> R,
    ) -> R {
        let provenance = Provenance::default();
        let history = crate::history::Facts::without_history(project, "not read in tests".into());
        let theme = Theme::new(&[], &[]).expect("the built-in theme compiles");
        let highlighted = highlight_sources(project, &Plain);
        let store = crate::cache::Cache::in_memory();
        let cache = RenderCache::new(&store);
        let git = GitFacts { history: &history, diff };
        let site = Site::new(project, &provenance, git, &theme, &Plain, &highlighted, &cache);
        f(&site)
    }

    /// The HTML of a rendered page.
    pub(super) fn html(page: Result<Page>) -> String {
        String::from_utf8(page.expect("the page renders").bytes).expect("pages are UTF-8")
    }
}
