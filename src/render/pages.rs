//! Every page of the site, rendered from the [`Project`] with no I/O: the project index,
//! a page per plan, requirement, phase, plan document and marked source file, the
//! diagnostics page, `trace.json` and the CSVs (`trace.csv`, `requirements.csv`).
//! Source files are highlighted once, on first need; excerpts are cut from their
//! highlighted lines.
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
use super::search;
use super::templates::Theme;
use super::tree;
use super::urls;
use crate::diagnostic::{Diagnostic, Severity};
use crate::grammar::{canonical_phase, split_plan_ref};
use crate::model::{ItemKey, Node, Project, ReqKey, Resolution, TraceRecord};
use crate::plan::{DocumentRole, PhaseStatus};
use crate::provenance::Provenance;
use crate::source::{Language, Placement};
use anyhow::{Context as _, Result};
use rayon::prelude::*;
use serde::Serialize;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;
use tera::Context;

#[path = "suspects.rs"]
mod suspects;
#[path = "timeline.rs"]
mod timeline;

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

/// Source files larger than this are shown without highlighting (bytes).
const MAX_HIGHLIGHT: usize = 2 << 20;

/// The highlighted lines of every file that gets a source page (same index as
/// `project.files`; empty for the others), each made on first need, and a fingerprint
/// of each: a hash of everything its lines are made from (version, engine, language,
/// text), which pages are keyed with instead of the lines.
pub struct Highlighted<'h> {
    highlighter: &'h dyn Highlighter,
    lines: Vec<OnceLock<Vec<String>>>,
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
            if let Some(lang) = lang {
                highlighter.keep(&f.text, lang);
            }
            let mut h = blake3::Hasher::new();
            for part in [crate::BUILD, highlighter.fingerprint(), lang.unwrap_or("\0plain")] {
                h.update(&(part.len() as u64).to_le_bytes());
                h.update(part.as_bytes());
            }
            h.update(f.text.as_bytes());
            *h.finalize().as_bytes()
        })
        .collect();
    Highlighted { highlighter, lines: project.files.iter().map(|_| OnceLock::new()).collect(), fingerprints }
}

impl Highlighted<'_> {
    /// The highlighted lines of file `f`, highlighted now if not yet.
    fn lines(&self, project: &Project, f: usize) -> &[String] {
        self.lines[f].get_or_init(|| {
            let file = &project.files[f];
            match highlight_lang(project, file) {
                None => Vec::new(),
                Some(None) => plain_lines(&file.text),
                Some(Some(lang)) => self.highlighter.highlight_lines(&file.text, lang),
            }
        })
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
    values: Vec<Box<dyn FnOnce(&mut Context) + 'v>>,
}

impl<'v> PageCtx<'v> {
    fn insert<T: Serialize + 'v>(&mut self, name: &'static str, value: T) {
        self.encoded.extend_from_slice(&(name.len() as u32).to_le_bytes());
        self.encoded.extend_from_slice(name.as_bytes());
        match postcard::to_extend(&value, Vec::new()) {
            Ok(bytes) => {
                self.encoded.push(b'p');
                self.encoded.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
                self.encoded.extend_from_slice(&bytes);
            }
            Err(_) => {
                let bytes = serde_json::to_vec(&value).unwrap_or_default();
                self.encoded.push(b'j');
                self.encoded.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
                self.encoded.extend_from_slice(&bytes);
            }
        }
        self.values.push(Box::new(move |ctx: &mut Context| ctx.insert(name, &value)));
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

/// Renders the whole site from the highlighted sources, reusing from `cache` what the
/// previous build left intact. Errors come from templates (a theme's template that
/// fails to render names itself).
pub fn render_site(
    project: &Project,
    provenance: &Provenance,
    git: GitFacts<'_>,
    theme: &Theme,
    highlighter: &dyn Highlighter,
    highlighted: &Highlighted<'_>,
    cache: &RenderCache,
) -> Result<Vec<Page>> {
    let diff = git.diff;
    let site = Site::new(project, provenance, git, theme, highlighter, highlighted, cache);
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
    // beside the pages.
    let (pages, ((trace, csvs), index)) = rayon::join(
        || jobs.par_iter().map(|job| site.render(job)).collect::<Result<Vec<_>>>(),
        || {
            rayon::join(
                || {
                    rayon::join(
                        || trace_json(project, provenance),
                        || (csv::trace_csv(project), csv::requirements_csv(project)),
                    )
                },
                || search::build(&site.search_entries()),
            )
        },
    );
    let mut pages = pages?;
    pages.push(Page::new("trace.json", trace?));
    pages.push(Page::new("trace.csv", csvs.0?));
    pages.push(Page::new("requirements.csv", csvs.1?));
    pages.extend(index);
    // GitHub Pages runs Jekyll unless the site holds `.nojekyll`; Jekyll drops every
    // file under a folder whose name starts with `_` (`__tests__`).
    pages.push(Page::new(".nojekyll", Vec::new()));
    for (name, bytes) in &theme.static_files {
        pages.push(Page::new(format!("static/{name}"), bytes.clone()));
    }
    pages.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(pages)
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
    cache: &'a RenderCache,
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

    /// Renders a page from its template and context, unless the previous build wrote
    /// the same page (same key) and its file is intact.
    fn page(&self, path: String, template: &str, title: &str, ctx: PageCtx<'_>) -> Result<Page> {
        self.page_deferred(path, template, title, ctx, Deferrals::default())
    }

    /// [`Self::page`] for a context holding tokens of deferred content: the key is
    /// computed with the tokens, which are replaced by their content only if the page
    /// is rendered.
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
            fill(&mut tera_ctx);
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
    fn lines(&self, f: usize) -> &[String] {
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

    fn plan_row(&self, from: &str, p: usize) -> PlanRow {
        let plan = &self.project.plans[p];
        let covered =
            (0..plan.requirements.len()).filter(|&r| self.is_covered(ReqKey { plan: p, req: r })).count();
        PlanRow {
            synthetic: plan.synthetic,
            link: self.link(from, plan.id.clone(), Some(urls::plan(&plan.id))),
            title: plan.title.clone(),
            folder: plan.folder.clone(),
            requirements: plan.requirements.len(),
            covered,
            phases: plan.phases.len(),
            phases_done: (0..plan.phases.len())
                .filter(|&i| plan.phase_status(i) == PhaseStatus::Done)
                .count(),
            traces: self.project.plan_traces[p].len(),
            diagnostics: self.plan_diagnostics[p].len(),
        }
    }

    fn is_covered(&self, k: ReqKey) -> bool {
        self.project.is_covered(k)
    }

    fn index(&self) -> Result<Page> {
        let from = "index.html";
        let plans: Vec<PlanRow> = (0..self.project.plans.len()).map(|p| self.plan_row(from, p)).collect();
        let undeclared: Vec<FolderView> = self
            .project
            .folders
            .iter()
            .filter(|(_, ps)| ps.is_empty())
            .map(|(path, _)| {
                let prefix = format!("{path}/");
                let documents = self
                    .project
                    .documents
                    .iter()
                    .filter(|d| d.path == *path || d.path.starts_with(&prefix))
                    .map(|d| self.link(from, d.path.clone(), self.file_location(&d.path, 0)))
                    .collect();
                FolderView { path: path.clone(), documents }
            })
            .collect();
        let mut by_code: BTreeMap<&str, usize> = BTreeMap::new();
        for d in &self.project.diagnostics {
            *by_code.entry(d.code.name()).or_default() += 1;
        }
        let mut ctx = PageCtx::default();
        ctx.insert("summary", &self.project.summary);
        ctx.insert("plans", &plans);
        ctx.insert("undeclared", &undeclared);
        ctx.insert("diagnostics_by_code", &by_code);
        ctx.insert("diff_base", self.diff.map(|d| &d.from.spec));
        ctx.insert("charts", self.index_charts(&plans));
        self.page(from.into(), "index.html", &self.project.title, ctx)
    }

    fn plan(&self, p: usize) -> Result<Page> {
        let plan = &self.project.plans[p];
        let from = urls::plan(&plan.id);
        let requirements: Vec<RequirementRow> = (0..plan.requirements.len())
            .map(|r| self.requirement_row(&from, ReqKey { plan: p, req: r }))
            .collect();
        let phases: Vec<PhaseRow> = (0..plan.phases.len()).map(|ph| self.phase_row(&from, p, ph)).collect();
        let documents: Vec<DocumentRow> = self
            .project
            .plan_documents(p)
            .into_iter()
            .map(|d| {
                let doc = &self.project.documents[d];
                DocumentRow {
                    link: self.link(&from, doc.path.clone(), self.file_location(&doc.path, 0)),
                    title: doc.title.clone(),
                    role: role_label(&doc.role),
                }
            })
            .collect();
        let mut ctx = PageCtx::default();
        ctx.insert(
            "plan",
            PlanHeader {
                synthetic: plan.synthetic,
                id: plan.id.clone(),
                title: plan.title.clone(),
                folder: plan.folder.clone(),
                declared: self.location_link(&from, &plan.declared.path, plan.declared.line),
                declared_forge: self
                    .forge_link(&plan.declared.path, Some((plan.declared.line, plan.declared.line))),
            },
        );
        ctx.insert("row", self.plan_row(&from, p));
        ctx.insert("requirements", &requirements);
        ctx.insert("phases", &phases);
        ctx.insert("matrix", self.matrix_view(&from, p, false));
        ctx.insert("documents", &documents);
        ctx.insert("item_groups", self.item_groups(&from, p));
        ctx.insert("link_matrices", self.link_matrices(&from, p));
        ctx.insert("traces", self.project.plan_traces[p].len());
        let mut groups: BTreeMap<&str, DiagnosticGroup> = BTreeMap::new();
        for &d in &self.plan_diagnostics[p] {
            let d = &self.project.diagnostics[d];
            let g = groups.entry(d.code.name()).or_insert_with(|| DiagnosticGroup {
                code: d.code.name(),
                summary: d.code.summary(),
                items: Vec::new(),
            });
            g.items.push(self.diagnostic_view(&from, d));
        }
        ctx.insert("finding_groups", groups.into_values().collect::<Vec<_>>());
        let linker = PageLinker { site: self, from: &from, plan: Some(p) };
        let d = Deferrals::default();
        ctx.insert("abstract", self.plan_abstract(&d, p, &from, &linker));
        ctx.insert("related", self.related_views(&from, p));
        ctx.insert("status", crate::model::status::plan_status(self.project, p).label());
        ctx.insert("open", self.open_items(&from, p));
        self.page_deferred(from, "plan.html", &format!("{} — {}", plan.id, plan.title), ctx, d)
    }

    /// The plan's abstract: the lead of its overview, else of its specification
    /// ([`crate::plan::lead`]), rendered by the document renderer; a long one is cut,
    /// with the whole text kept.
    fn plan_abstract(
        &self,
        d: &Deferrals,
        p: usize,
        from: &str,
        linker: &dyn Linker,
    ) -> Option<AbstractView> {
        let docs = self.project.plan_documents(p);
        let by_role = |want: fn(&DocumentRole) -> bool| {
            docs.iter().map(|&i| &self.project.documents[i]).filter(move |doc| want(&doc.role))
        };
        let overview = by_role(|r| matches!(r, DocumentRole::Overview));
        let spec = by_role(|r| matches!(r, DocumentRole::Specification));
        let p00 = by_role(|r| matches!(r, DocumentRole::Phase(ph) if ph == "P00"));
        for doc in overview.chain(p00).chain(spec) {
            let Some(text) = self.project.document_text.get(&doc.path) else { continue };
            let Some(lead) = crate::plan::lead::lead(text) else { continue };
            let short = crate::plan::lead::cut(&lead.markdown, crate::plan::lead::ABSTRACT_CHARS);
            let full = self.markdown(d, &lead.markdown, &doc.path, from, linker);
            return Some(AbstractView {
                html: match &short {
                    Some(s) => self.markdown(d, s, &doc.path, from, linker),
                    None => full.clone(),
                },
                full: short.is_some().then_some(full),
                source: self.location_link(from, &doc.path, lead.line),
            });
        }
        None
    }

    /// The plans related to plan `p`, each with its link and reason.
    fn related_views(&self, from: &str, p: usize) -> Vec<RelatedView> {
        use crate::model::related::Relation;
        self.related[p]
            .iter()
            .map(|r| {
                let other = &self.project.plans[r.plan];
                let (reason, at) = match &r.relation {
                    Relation::Series { stem } => (format!("same series: {stem}"), None),
                    Relation::NamesThis { at } => {
                        ("names this plan".to_string(), Some(self.location_link(from, &at.path, at.line)))
                    }
                    Relation::NamedByThis { at } => {
                        ("named by this plan".to_string(), Some(self.location_link(from, &at.path, at.line)))
                    }
                };
                RelatedView {
                    link: self.link(from, other.id.clone(), Some(urls::plan(&other.id))),
                    title: other.title.clone(),
                    folder: other.folder.clone(),
                    reason,
                    at,
                }
            })
            .collect()
    }

    /// The plan's open items: pending and conflicting phases, uncovered requirements,
    /// unchecked checklist items by phase, open risks and spec gaps (findings are the
    /// page's findings section, which the count includes).
    fn open_items(&self, from: &str, p: usize) -> OpenItems {
        let plan = &self.project.plans[p];
        let pending: Vec<PhaseRow> = (0..plan.phases.len())
            .filter(|&ph| {
                matches!(
                    plan.phase_status(ph),
                    PhaseStatus::Pending | PhaseStatus::InProgress | PhaseStatus::Failed
                )
            })
            .map(|ph| self.phase_row(from, p, ph))
            .collect();
        let conflicts: Vec<ConflictView> = crate::model::status::phase_conflicts(self.project, p)
            .into_iter()
            .map(|c| ConflictView {
                phase: self.link(
                    from,
                    plan.phases[c.phase].id.clone(),
                    Some(self.phase_url_path(p, c.phase)),
                ),
                kind: c.kind.label(),
                tracker: c.tracker.says,
                tracker_at: self.location_link(from, &c.tracker.location.path, c.tracker.location.line),
                other: c.other.says,
                other_at: self.location_link(from, &c.other.location.path, c.other.location.line),
            })
            .collect();
        let uncovered: Vec<RequirementRow> = (0..plan.requirements.len())
            .filter(|&r| !self.is_covered(ReqKey { plan: p, req: r }))
            .map(|r| self.requirement_row(from, ReqKey { plan: p, req: r }))
            .collect();
        // Unchecked boxes of the plan's checklists, grouped by the phase whose document
        // or section holds them.
        let mut unchecked: BTreeMap<usize, UncheckedGroup> = BTreeMap::new();
        for it in plan.items.iter().filter(|i| i.kind == "checklist") {
            let phase = plan.phases.iter().position(|ph| {
                ph.document.as_deref() == Some(it.location.path.as_str())
                    || (ph.location.path == it.location.path
                        && ph.section.is_some_and(|(a, b)| (a..=b).contains(&it.location.line)))
            });
            for (off, line) in it.text.lines().enumerate() {
                let Some(label) = unchecked_box(line) else { continue };
                let at = it.location.line + off as u32;
                let key = phase.unwrap_or(usize::MAX);
                let g = unchecked.entry(key).or_insert_with(|| UncheckedGroup {
                    phase: phase.map(|ph| {
                        self.link(from, plan.phases[ph].id.clone(), Some(self.phase_url_path(p, ph)))
                    }),
                    items: Vec::new(),
                    total: 0,
                    more: 0,
                });
                g.items.push(UncheckedView {
                    text: label.to_string(),
                    list: it.title.clone(),
                    at: self.location_link(from, &it.location.path, at),
                });
            }
        }
        let risks: Vec<ItemRow> = plan
            .items
            .iter()
            .enumerate()
            .filter(|(_, it)| matches!(it.kind.as_str(), "risk" | "gap") && !is_closed(it))
            .map(|(i, _)| self.item_row(from, ItemKey { plan: p, item: i }))
            .collect();
        let mut unchecked: Vec<UncheckedGroup> = unchecked.into_values().collect();
        let unchecked_total: usize = unchecked.iter().map(|g| g.items.len()).sum();
        for g in &mut unchecked {
            g.total = g.items.len();
            g.items.truncate(MAX_UNCHECKED);
            g.more = g.total - g.items.len();
        }
        let total = pending.len()
            + conflicts.len()
            + uncovered.len()
            + unchecked_total
            + risks.len()
            + self.plan_diagnostics[p].len();
        OpenItems {
            total,
            pending,
            conflicts,
            uncovered,
            unchecked,
            risks,
            findings: self.plan_diagnostics[p].len(),
        }
    }

    /// The trace matrix of plan `p`: one row per requirement, one cell per phase, each
    /// saying whether the plan claims the pair and how many traces cite it.
    fn trace_matrix(&self, p: usize) -> Vec<Vec<MatrixCell>> {
        let plan = &self.project.plans[p];
        let mut matrix = Vec::new();
        for r in 0..plan.requirements.len() {
            let key = ReqKey { plan: p, req: r };
            let claimed = self.project.requirement_phases.get(&key);
            let traces = self.project.requirement_traces.get(&key);
            let cells: Vec<MatrixCell> = (0..plan.phases.len())
                .map(|ph| {
                    let names_phase = |t: &usize| {
                        self.project.traces[*t]
                            .plans
                            .iter()
                            .any(|pt| pt.plan == Some(p) && pt.phase == Some(ph))
                    };
                    let (traced, documented) = traces.map_or((0, false), |ts| {
                        let code = ts
                            .iter()
                            .filter(|t| names_phase(t) && self.project.traces[**t].in_code())
                            .count();
                        let docs = ts.iter().any(|t| names_phase(t) && !self.project.traces[*t].in_code());
                        (code, docs)
                    });
                    let claimed = claimed.is_some_and(|c| c.contains(&ph));
                    let failing =
                        traces.is_some_and(|ts| ts.iter().any(|&t| names_phase(&t) && self.trace_failed(t)));
                    MatrixCell { traced, documented, claimed, failing }
                })
                .collect();
            matrix.push(cells);
        }
        matrix
    }

    /// The trace matrix as page `from` shows it. The plan page (`full` false) leaves out
    /// the requirements and phases whose row or column holds no mark, and shows at most
    /// [`MATRIX_ROWS`] rows and [`MATRIX_COLUMNS`] columns; when that leaves anything
    /// out it links to the full matrix (`plans/<plan>/matrix.html`, every row and
    /// column: `full` true).
    fn matrix_view(&self, from: &str, p: usize, full: bool) -> MatrixView {
        let plan = &self.project.plans[p];
        let cells = self.trace_matrix(p);
        let (rows, columns) = if full {
            ((0..plan.requirements.len()).collect(), (0..plan.phases.len()).collect())
        } else {
            matrix_shown(&cells, plan.phases.len())
        };
        let mut view = MatrixView {
            total_rows: plan.requirements.len(),
            total_columns: plan.phases.len(),
            empty_rows: 0,
            empty_columns: 0,
            columns: Vec::new(),
            rows: Vec::new(),
            cut_rows: false,
            cut_columns: false,
            max_rows: MATRIX_ROWS,
            max_columns: MATRIX_COLUMNS,
            full: None,
            density: matrix_density(columns.len()),
        };
        if !full {
            view.empty_rows = cells.iter().filter(|row| row.iter().all(MatrixCell::is_empty)).count();
            view.empty_columns =
                (0..plan.phases.len()).filter(|&c| cells.iter().all(|row| row[c].is_empty())).count();
            view.cut_rows = rows.len() + view.empty_rows < plan.requirements.len();
            view.cut_columns = columns.len() + view.empty_columns < plan.phases.len();
            if rows.len() < plan.requirements.len() || columns.len() < plan.phases.len() {
                view.full = Some(urls::relative(from, &urls::plan_matrix(&plan.id)));
            }
        }
        view.columns = columns
            .iter()
            .map(|&ph| self.link(from, plan.phases[ph].id.clone(), Some(self.phase_url_path(p, ph))))
            .collect();
        view.rows = rows
            .iter()
            .map(|&r| MatrixRow {
                link: self.link(
                    from,
                    plan.requirements[r].id.clone(),
                    Some(self.requirement_path(ReqKey { plan: p, req: r })),
                ),
                cells: columns.iter().map(|&c| cells[r][c]).collect(),
            })
            .collect();
        view
    }

    /// Whether the plan page's trace matrix leaves rows or columns out (so the plan has
    /// a full matrix page).
    fn matrix_reduced(&self, p: usize) -> bool {
        let plan = &self.project.plans[p];
        if plan.requirements.is_empty() || plan.phases.is_empty() {
            return false;
        }
        let (rows, columns) = matrix_shown(&self.trace_matrix(p), plan.phases.len());
        rows.len() < plan.requirements.len() || columns.len() < plan.phases.len()
    }

    /// The full trace matrix of plan `p` (`plans/<plan>/matrix.html`).
    fn plan_matrix(&self, p: usize) -> Result<Page> {
        let plan = &self.project.plans[p];
        let from = urls::plan_matrix(&plan.id);
        let mut ctx = PageCtx::default();
        ctx.insert("plan", self.link(&from, plan.id.clone(), Some(urls::plan(&plan.id))));
        ctx.insert("plan_title", plan.title.clone());
        ctx.insert("matrix", self.matrix_view(&from, p, true));
        self.page(from, "matrix.html", &format!("Trace matrix — {}", plan.id), ctx)
    }

    fn requirement_row(&self, from: &str, k: ReqKey) -> RequirementRow {
        let r = &self.project.plans[k.plan].requirements[k.req];
        let traces = self.project.requirement_traces.get(&k).map_or(&[][..], Vec::as_slice);
        RequirementRow {
            link: self.link(from, r.id.clone(), Some(self.requirement_path(k))),
            title: r.title.clone(),
            code_traces: traces.iter().filter(|&&t| self.project.traces[t].in_code()).count(),
            document_traces: traces.iter().filter(|&&t| !self.project.traces[t].in_code()).count(),
            verification: self.project.verification.as_ref().map(|v| v.status(k).label()),
            phases: self
                .project
                .requirement_phases
                .get(&k)
                .map(|v| {
                    v.iter()
                        .map(|&ph| {
                            self.link(
                                from,
                                self.project.plans[k.plan].phases[ph].id.clone(),
                                Some(self.phase_url_path(k.plan, ph)),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    /// Whether a test case matched to trace `t` failed.
    fn trace_failed(&self, t: usize) -> bool {
        self.project.verification.as_ref().is_some_and(|v| {
            v.trace_cases[t].iter().any(|&c| v.cases[c].outcome == crate::results::Outcome::Failed)
        })
    }

    /// The tests of a requirement: each test case matched to one of its code traces
    /// (`traces`), with its outcome, then each test trace with no case (not run).
    fn test_rows(&self, from: &str, traces: &[usize]) -> Vec<TestRow> {
        let Some(v) = &self.project.verification else { return Vec::new() };
        let mut rows = Vec::new();
        for &t in traces {
            let tr = &self.project.traces[t];
            let at = self.location_link(from, &self.project.files[tr.file].path, tr.trace.line);
            for &c in &v.trace_cases[t] {
                let case = &v.cases[c];
                rows.push(TestRow {
                    outcome: case.outcome.label(),
                    name: case.display_name(),
                    message: case.message.clone(),
                    report: format!("{}:{}", case.report, case.line),
                    trace: at.clone(),
                });
            }
            if v.not_run(t) {
                let title = v.trace_tests[t].as_ref().map(|s| s.title.clone()).unwrap_or_default();
                rows.push(TestRow {
                    outcome: "not-run",
                    name: title,
                    message: None,
                    report: String::new(),
                    trace: at,
                });
            }
        }
        rows
    }

    fn phase_row(&self, from: &str, p: usize, ph: usize) -> PhaseRow {
        let phase = &self.project.plans[p].phases[ph];
        let by_id: HashMap<&str, usize> =
            self.project.plans[p].requirements.iter().enumerate().map(|(i, r)| (r.id.as_str(), i)).collect();
        let mut claims: Vec<LinkView> = phase
            .claims
            .iter()
            .map(|c| {
                let to = by_id
                    .get(c.requirement.as_str())
                    .map(|&r| self.requirement_path(ReqKey { plan: p, req: r }));
                self.link(from, c.requirement.clone(), to)
            })
            .collect();
        claims.dedup_by(|a, b| a.text == b.text);
        PhaseRow {
            link: self.link(from, phase.id.clone(), Some(self.phase_url_path(p, ph))),
            title: phase.title.clone(),
            status: status_label(self.project.plans[p].phase_status(ph)),
            claims,
            traces: self.project.phase_traces.get(&(p, ph)).map_or(0, Vec::len),
        }
    }

    fn requirement(&self, k: ReqKey) -> Result<Page> {
        let plan = &self.project.plans[k.plan];
        let r = &plan.requirements[k.req];
        let from = self.requirement_path(k);
        let linker = PageLinker { site: self, from: &from, plan: Some(k.plan) };
        let d = Deferrals::default();
        let definition = self.definition(&d, &r.text, &r.location.path, &from, &linker);
        let traces = self.project.requirement_traces.get(&k).map_or(&[][..], Vec::as_slice);
        let code: Vec<usize> = traces.iter().copied().filter(|&t| self.project.traces[t].in_code()).collect();
        let docs: Vec<usize> =
            traces.iter().copied().filter(|&t| !self.project.traces[t].in_code()).collect();
        // Implementation first, then tests; excerpts for the first traces of each.
        let (tests, implementation): (Vec<usize>, Vec<usize>) =
            code.iter().copied().partition(|&t| self.project.is_test_trace(t));
        let views = |ts: &[usize]| -> Vec<TraceView> {
            ts.iter()
                .enumerate()
                .map(|(i, &t)| self.trace_view(&from, t, (i < MAX_EXCERPTS).then_some(&d)))
                .collect()
        };
        let implementation_views = views(&implementation);
        let test_views = views(&tests);
        let doc_views: Vec<TraceView> = docs.iter().map(|&t| self.trace_view(&from, t, None)).collect();
        let others: Vec<LinkView> = self
            .project
            .requirement_index
            .get(&r.id)
            .map(|v| {
                v.iter()
                    .filter(|o| **o != k)
                    .map(|&o| {
                        let op = &self.project.plans[o.plan];
                        self.link(&from, format!("{} in {}", r.id, op.id), Some(self.requirement_path(o)))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut ctx = PageCtx::default();
        ctx.insert("plan", self.link(&from, plan.id.clone(), Some(urls::plan(&plan.id))));
        ctx.insert("plan_title", &plan.title);
        ctx.insert("id", &r.id);
        ctx.insert("title", &r.title);
        ctx.insert("shape", r.shape);
        ctx.insert("pattern", &r.pattern);
        ctx.insert("defined_at", self.location_link(&from, &r.location.path, r.location.line));
        ctx.insert(
            "defined_at_forge",
            self.forge_link(&r.location.path, Some((r.location.line, r.location.line))),
        );
        ctx.insert("definition", &definition);
        ctx.insert("row", self.requirement_row(&from, k));
        ctx.insert("covered", !code.is_empty());
        ctx.insert("code_traces", code.len());
        ctx.insert("implementation_traces", &implementation_views);
        ctx.insert("test_traces", &test_views);
        ctx.insert("document_traces", &doc_views);
        ctx.insert("max_excerpts", MAX_EXCERPTS);
        ctx.insert("same_id_elsewhere", &others);
        ctx.insert("suspects", self.suspect_views(&from, k));
        let mentions: Vec<MentionView> = self
            .project
            .requirement_mentions
            .get(&k)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(|&i| {
                let m = &self.project.mentions[i];
                MentionView {
                    at: self.location_link(&from, &m.path, m.mention.line),
                    forge: self.forge_link(&m.path, Some((m.mention.line, m.mention.line))),
                    kind: placement_label(m.mention.placement),
                    text: m.mention.text.clone(),
                    ambiguous: m.requirements.len() > 1,
                }
            })
            .collect();
        ctx.insert("mentions", mentions);
        if self.project.verification.is_some() {
            ctx.insert("tests", self.test_rows(&from, &code));
        }
        let title = if r.title.is_empty() { r.id.clone() } else { format!("{} — {}", r.id, r.title) };
        self.page_deferred(from, "requirement.html", &title, ctx, d)
    }

    fn phase(&self, p: usize, ph: usize) -> Result<Page> {
        let plan = &self.project.plans[p];
        let phase = &plan.phases[ph];
        let from = self.phase_url_path(p, ph);
        let linker = PageLinker { site: self, from: &from, plan: Some(p) };
        let d = Deferrals::default();
        let body = phase
            .document
            .as_ref()
            .filter(|d| self.phase_of_document.get(&self.project.document_index[*d]) == Some(&(p, ph)))
            .and_then(|d| self.project.document_text.get(d).map(|text| (d, text)))
            .map(|(doc, text)| self.markdown(&d, text, doc, &from, &linker))
            .unwrap_or_default();
        let traces: Vec<TraceView> = self
            .project
            .phase_traces
            .get(&(p, ph))
            .map(|v| v.iter().map(|&t| self.trace_view(&from, t, None)).collect())
            .unwrap_or_default();
        let claims: Vec<ClaimView> = phase
            .claims
            .iter()
            .map(|c| {
                let to = plan
                    .requirements
                    .iter()
                    .position(|r| r.id == c.requirement)
                    .map(|r| self.requirement_path(ReqKey { plan: p, req: r }));
                ClaimView {
                    requirement: self.link(&from, c.requirement.clone(), to),
                    location: self.location_link(&from, &c.location.path, c.location.line),
                }
            })
            .collect();
        let mut ctx = PageCtx::default();
        ctx.insert("plan", self.link(&from, plan.id.clone(), Some(urls::plan(&plan.id))));
        ctx.insert("plan_title", &plan.title);
        ctx.insert("id", &phase.id);
        ctx.insert("title", &phase.title);
        ctx.insert("status", status_label(plan.phase_status(ph)));
        ctx.insert(
            "tracker",
            phase.tracker.as_ref().map(|t| TrackerView {
                raw: t.raw.clone(),
                location: self.location_link(&from, &t.location.path, t.location.line),
            }),
        );
        ctx.insert(
            "completion",
            phase.completion.as_ref().map(|c| self.link(&from, c.clone(), self.file_location(c, 0))),
        );
        ctx.insert("defined_at", self.location_link(&from, &phase.location.path, phase.location.line));
        ctx.insert(
            "defined_at_forge",
            self.forge_link(&phase.location.path, Some((phase.location.line, phase.location.line))),
        );
        ctx.insert("document", phase.document.as_ref().map(|d| d.to_string()));
        ctx.insert("body", &body);
        ctx.insert("claims", &claims);
        ctx.insert("traces", &traces);
        ctx.insert("attributes", &phase.attributes);
        ctx.insert(
            "links",
            self.link_groups(
                &from,
                Node::Phase { plan: p, phase: ph },
                &phase.links,
                self.project.phase_link_targets.get(&(p, ph)),
            ),
        );
        let title = if phase.title.is_empty() {
            format!("{}.{}", plan.id, phase.id)
        } else {
            format!("{}.{} — {}", plan.id, phase.id, phase.title)
        };
        self.page_deferred(from, "phase.html", &title, ctx, d)
    }

    /// The kind name of a node (`task`, `phase`, `requirement`).
    fn node_kind(&self, n: Node) -> &str {
        match n {
            Node::Requirement { .. } => "requirement",
            Node::Phase { .. } => "phase",
            Node::Item { key } => &self.project.plans[key.plan].items[key.item].kind,
        }
    }

    /// One matrix per (source kind, target kind) pair linked in the plan: phases × tasks
    /// (includes), tasks × tasks (depends on), risks × tasks (mitigated by), … Rows are
    /// the sources with such links, columns their targets, in plan order; a cell names
    /// the link. Pairs with more than [`MAX_MATRIX`] rows or columns are left out (the
    /// item tables list the same links).
    fn link_matrices(&self, from: &str, p: usize) -> Vec<LinkMatrix> {
        let plan = &self.project.plans[p];
        let mut edges: Vec<(Node, Node, &'static str)> = Vec::new();
        for ii in 0..plan.items.len() {
            let key = ItemKey { plan: p, item: ii };
            let targets = self.project.item_link_targets.get(&key).map_or(&[][..], Vec::as_slice);
            for (l, t) in plan.items[ii].links.iter().zip(targets) {
                if let Some(t) = t {
                    edges.push((Node::Item { key }, *t, l.kind.label()));
                }
            }
        }
        for ph in 0..plan.phases.len() {
            let targets = self.project.phase_link_targets.get(&(p, ph)).map_or(&[][..], Vec::as_slice);
            for (l, t) in plan.phases[ph].links.iter().zip(targets) {
                if let Some(t) = t {
                    edges.push((Node::Phase { plan: p, phase: ph }, *t, l.kind.label()));
                }
            }
        }
        let mut pairs: Vec<(String, String)> = edges
            .iter()
            .map(|(a, b, _)| (self.node_kind(*a).to_string(), self.node_kind(*b).to_string()))
            .collect();
        pairs.sort();
        pairs.dedup();
        let mut out = Vec::new();
        for (sk, tk) in pairs {
            let group: Vec<&(Node, Node, &str)> = edges
                .iter()
                .filter(|(a, b, _)| self.node_kind(*a) == sk && self.node_kind(*b) == tk)
                .collect();
            let mut rows: Vec<Node> = group.iter().map(|e| e.0).collect();
            let mut cols: Vec<Node> = group.iter().map(|e| e.1).collect();
            rows.sort();
            rows.dedup();
            cols.sort();
            cols.dedup();
            if rows.len() > MAX_MATRIX || cols.len() > MAX_MATRIX {
                continue;
            }
            let cells = rows
                .iter()
                .map(|r| {
                    let cells = cols
                        .iter()
                        .map(|c| group.iter().find(|e| e.0 == *r && e.1 == *c).map_or("", |e| e.2))
                        .collect();
                    (self.node_link(from, *r), cells)
                })
                .collect();
            out.push(LinkMatrix {
                title: format!("{} × {}", kind_heading(&sk), kind_heading(&tk).to_lowercase()),
                columns: cols.iter().map(|c| self.node_link(from, *c)).collect(),
                rows: cells,
            });
        }
        out
    }

    /// The plan's items as one table per kind, in grammar order.
    fn item_groups(&self, from: &str, p: usize) -> Vec<ItemGroup> {
        let plan = &self.project.plans[p];
        let mut groups: Vec<ItemGroup> = Vec::new();
        for (ii, it) in plan.items.iter().enumerate() {
            let key = ItemKey { plan: p, item: ii };
            let row = self.item_row(from, key);
            match groups.last_mut() {
                Some(g) if g.kind == it.kind => g.rows.push(row),
                _ => groups.push(ItemGroup {
                    kind: it.kind.clone(),
                    heading: kind_heading(&it.kind),
                    rows: vec![row],
                }),
            }
        }
        groups
    }

    fn item_row(&self, from: &str, key: ItemKey) -> ItemRow {
        let it = &self.project.plans[key.plan].items[key.item];
        let state = item_state(it);
        ItemRow {
            link: self.link(from, it.id.clone(), Some(self.item_path(key))),
            title: it.title.clone(),
            state,
            owner: ["owner", "owner/role", "role"]
                .iter()
                .find_map(|n| it.attribute(n))
                .unwrap_or("")
                .to_string(),
            links: self.link_groups(
                from,
                Node::Item { key },
                &it.links,
                self.project.item_link_targets.get(&key),
            ),
            traces: self.project.item_traces.get(&key).map_or(0, Vec::len),
        }
    }

    fn item(&self, key: ItemKey) -> Result<Page> {
        let plan = &self.project.plans[key.plan];
        let it = &plan.items[key.item];
        let from = self.item_path(key);
        let linker = PageLinker { site: self, from: &from, plan: Some(key.plan) };
        let d = Deferrals::default();
        let definition = self.definition(&d, &it.text, &it.location.path, &from, &linker);
        let traces = self.project.item_traces.get(&key).map_or(&[][..], Vec::as_slice);
        let trace_views: Vec<TraceView> = traces
            .iter()
            .enumerate()
            .map(|(i, &t)| {
                let excerpt = i < MAX_EXCERPTS && self.project.traces[t].in_code();
                self.trace_view(&from, t, excerpt.then_some(&d))
            })
            .collect();
        let attributes: Vec<&crate::plan::Attribute> = it
            .attributes
            .iter()
            .filter(|a| !(it.kind == "gate" && a.name == "result"))
            .filter(|a| !(it.kind == "checklist" && matches!(a.name.as_str(), "checked" | "total")))
            .collect();
        let mut ctx = PageCtx::default();
        ctx.insert("plan", self.link(&from, plan.id.clone(), Some(urls::plan(&plan.id))));
        ctx.insert("plan_title", &plan.title);
        ctx.insert("kind", &it.kind);
        ctx.insert("kind_heading", kind_heading(&it.kind));
        ctx.insert("id", &it.id);
        ctx.insert("title", &it.title);
        ctx.insert("state", item_state(it));
        ctx.insert("defined_at", self.location_link(&from, &it.location.path, it.location.line));
        ctx.insert(
            "defined_at_forge",
            self.forge_link(&it.location.path, Some((it.location.line, it.location.line))),
        );
        ctx.insert("definition", &definition);
        ctx.insert("attributes", &attributes);
        ctx.insert(
            "links",
            self.link_groups(&from, Node::Item { key }, &it.links, self.project.item_link_targets.get(&key)),
        );
        ctx.insert("traces", &trace_views);
        let title = if it.title.is_empty() { it.id.clone() } else { format!("{} — {}", it.id, it.title) };
        self.page_deferred(from, "item.html", &title, ctx, d)
    }

    fn document(&self, d: usize) -> Result<Page> {
        let doc = &self.project.documents[d];
        let from = urls::document(&doc.path);
        let plan = doc.plan.as_ref().and_then(|id| self.project.plan_index.get(id).copied());
        let linker = PageLinker { site: self, from: &from, plan };
        let d = Deferrals::default();
        let body = self
            .project
            .document_text
            .get(&doc.path)
            .map(|text| self.markdown(&d, text, &doc.path, &from, &linker))
            .unwrap_or_default();
        let traces: Vec<TraceView> = self
            .project
            .file_index
            .get(&doc.path)
            .map(|&f| self.project.file_traces[f].clone().map(|t| self.trace_view(&from, t, None)).collect())
            .unwrap_or_default();
        let mut ctx = PageCtx::default();
        ctx.insert(
            "plan",
            plan.map(|p| {
                self.link(
                    &from,
                    self.project.plans[p].id.clone(),
                    Some(urls::plan(&self.project.plans[p].id)),
                )
            }),
        );
        ctx.insert("path", &doc.path);
        ctx.insert("forge", self.forge_link(&doc.path, None));
        ctx.insert("modified", self.provenance.is_modified(&doc.path));
        ctx.insert("role", role_label(&doc.role));
        ctx.insert("body", &body);
        ctx.insert("traces", &traces);
        self.page_deferred(from, "document.html", &doc.title, ctx, d)
    }

    /// A process guide (`guides = [...]`), rendered by the document renderer.
    fn guide(&self, g: usize) -> Result<Page> {
        let guide = &self.project.guides[g];
        let from = urls::guide(&guide.path);
        let linker = PageLinker { site: self, from: &from, plan: None };
        let d = Deferrals::default();
        let body = self.markdown(&d, &guide.text, &guide.path, &from, &linker);
        let mut ctx = PageCtx::default();
        ctx.insert("path", &guide.path);
        ctx.insert("forge", self.forge_link(&guide.path, None));
        ctx.insert("body", &body);
        self.page_deferred(from, "guide.html", &guide.title, ctx, d)
    }

    fn source(&self, f: usize) -> Result<Page> {
        let file = &self.project.files[f];
        let from = urls::source(&file.path);
        let range = self.project.file_traces[f].clone();
        let mut traces: Vec<TraceView> = range.clone().map(|t| self.trace_view(&from, t, None)).collect();
        for (t, view) in range.clone().zip(traces.iter_mut()) {
            view.location.text = format!("line {}", self.project.traces[t].trace.line);
            view.location.url = Some(format!("#L{}", self.project.traces[t].trace.line));
        }
        // The references to show at each trace's first line.
        let mut refs: BTreeMap<u32, String> = BTreeMap::new();
        for (t, view) in range.zip(&traces) {
            let line = self.project.traces[t].trace.line;
            let entry = refs.entry(line).or_default();
            for l in view.requirements.iter().chain(view.plans.iter()) {
                entry.push_str(&l.html());
            }
        }
        // The code is made from the highlighted lines, the marked lines and the refs.
        let mut h = blake3::Hasher::new();
        h.update(b"source");
        h.update(&self.highlighted.fingerprints[f]);
        h.update(&(file.markers.len() as u64).to_le_bytes());
        for m in &file.markers {
            h.update(&m.line.to_le_bytes());
        }
        for (line, html) in &refs {
            h.update(&line.to_le_bytes());
            h.update(&(html.len() as u64).to_le_bytes());
            h.update(html.as_bytes());
        }
        let d = Deferrals::default();
        let code = d.add(h.finalize().as_bytes(), Deferred::Source(f, refs));
        let mut ctx = PageCtx::default();
        ctx.insert("path", &file.path);
        ctx.insert("forge", self.forge_link(&file.path, None));
        ctx.insert("modified", self.provenance.is_modified(&file.path));
        ctx.insert("lines", file.text.lines().count());
        ctx.insert("markers", file.markers.len());
        ctx.insert("history", self.file_history(&from, f));
        ctx.insert("history_source", self.history_source());
        ctx.insert("traces", &traces);
        ctx.insert("code", &code);
        self.page_deferred(from, "source.html", &file.path, ctx, d)
    }

    /// A source page's code: every highlighted line with its anchor, marked lines, and
    /// `refs` (the links shown at each trace's first line).
    fn source_code(&self, f: usize, refs: &BTreeMap<u32, String>) -> String {
        let file = &self.project.files[f];
        let lines = self.lines(f);
        let mut marked: Vec<bool> = vec![false; lines.len() + 1];
        for m in &file.markers {
            if let Some(slot) = marked.get_mut(m.line as usize) {
                *slot = true;
            }
        }
        let mut code = String::with_capacity(file.text.len() * 3);
        code.push_str("<pre class=\"code src\" tabindex=\"0\"><code>");
        for (i, line) in lines.iter().enumerate() {
            let n = i + 1;
            code.push_str(&format!("<span id=\"L{n}\"{}>", if marked[n] { " class=\"m\"" } else { "" }));
            code.push_str(line);
            if let Some(r) = refs.get(&(n as u32)) {
                code.push_str("<span class=\"refs\">");
                code.push_str(r);
                code.push_str("</span>");
            }
            code.push_str("</span>");
        }
        code.push_str("</code></pre>");
        code
    }

    fn diagnostics(&self) -> Result<Page> {
        let from = "diagnostics.html";
        let mut groups: BTreeMap<&str, DiagnosticGroup> = BTreeMap::new();
        for d in &self.project.diagnostics {
            let g = groups.entry(d.code.name()).or_insert_with(|| DiagnosticGroup {
                code: d.code.name(),
                summary: d.code.summary(),
                items: Vec::new(),
            });
            g.items.push(self.diagnostic_view(from, d));
        }
        // Per plan: its findings by severity (a finding may concern several plans).
        #[derive(Serialize)]
        struct PlanCount {
            link: LinkView,
            total: usize,
            errors: usize,
            warnings: usize,
            notes: usize,
        }
        let mut in_a_plan = vec![false; self.project.diagnostics.len()];
        let by_plan: Vec<PlanCount> = self
            .plan_diagnostics
            .iter()
            .enumerate()
            .filter(|(_, ds)| !ds.is_empty())
            .map(|(p, ds)| {
                let id = &self.project.plans[p].id;
                let count = |sev: Severity| {
                    ds.iter().filter(|&&d| self.project.diagnostics[d].severity == sev).count()
                };
                for &d in ds {
                    in_a_plan[d] = true;
                }
                PlanCount {
                    link: LinkView {
                        text: id.clone(),
                        url: Some(format!("{}#findings", urls::relative(from, &urls::plan(id)))),
                        class: "",
                    },
                    total: ds.len(),
                    errors: count(Severity::Error),
                    warnings: count(Severity::Warning),
                    notes: count(Severity::Note),
                }
            })
            .collect();
        let mut ctx = PageCtx::default();
        ctx.insert("groups", groups.into_values().collect::<Vec<_>>());
        ctx.insert("total", self.project.diagnostics.len());
        ctx.insert("by_plan", by_plan);
        ctx.insert("outside_plans", in_a_plan.iter().filter(|b| !**b).count());
        self.page(from.into(), "diagnostics.html", "Diagnostics", ctx)
    }

    /// The start page (`start.html`): what the site shows, how to read it, a glossary
    /// and the legend of every status, badge and symbol, with the finding codes.
    fn start(&self) -> Result<Page> {
        #[derive(Serialize)]
        struct CodeRow {
            code: &'static str,
            severity: String,
            summary: &'static str,
        }
        let codes: Vec<CodeRow> = crate::diagnostic::Code::ALL
            .iter()
            .map(|c| CodeRow {
                code: c.name(),
                severity: c.default_label().to_string(),
                summary: c.summary(),
            })
            .collect();
        let mut ctx = PageCtx::default();
        ctx.insert("codes", codes);
        ctx.insert("summary", &self.project.summary);
        let guides: Vec<(LinkView, String)> = self
            .project
            .guides
            .iter()
            .map(|g| (self.link("start.html", g.path.clone(), Some(urls::guide(&g.path))), g.title.clone()))
            .collect();
        ctx.insert("guides", guides);
        self.page("start.html".into(), "start.html", "How to read this site", ctx)
    }

    /// The index's charts: plans by requirement coverage, plans by phases done, and
    /// every phase by status.
    fn index_charts(&self, plans: &[PlanRow]) -> Vec<ChartView> {
        use super::charts::{BANDS, band, histogram, stacked};
        let mut coverage = [0usize; 5];
        let mut phases_done_counts = [0usize; 5];
        for p in plans {
            coverage[band(p.covered, p.requirements).unwrap_or(4)] += 1;
            phases_done_counts[band(p.phases_done, p.phases).unwrap_or(4)] += 1;
        }
        let buckets = |counts: &[usize; 5], none: &str| -> Vec<(String, usize)> {
            let mut v: Vec<(String, usize)> =
                BANDS.iter().zip(counts).map(|(l, &n)| (l.to_string(), n)).collect();
            v.push((none.to_string(), counts[4]));
            v
        };
        let mut by_status = [0usize; 5];
        for plan in &self.project.plans {
            for i in 0..plan.phases.len() {
                by_status[match plan.phase_status(i) {
                    PhaseStatus::Done => 0,
                    PhaseStatus::InProgress => 1,
                    PhaseStatus::Pending => 2,
                    PhaseStatus::Failed => 3,
                    PhaseStatus::Unknown => 4,
                }] += 1;
            }
        }
        let plans_cov = "Plans by requirements covered in code";
        let plans_done = "Plans by phases done";
        let phases = [
            ("done", by_status[0], "st-done"),
            ("in progress", by_status[1], "st-in-progress"),
            ("pending", by_status[2], "st-pending"),
            ("failed", by_status[3], "st-failed"),
            ("unknown", by_status[4], "st-unknown"),
        ];
        vec![
            ChartView { title: plans_cov, svg: histogram(plans_cov, &buckets(&coverage, "no requirements")) },
            ChartView {
                title: plans_done,
                svg: histogram(plans_done, &buckets(&phases_done_counts, "no phases")),
            },
            ChartView { title: "Every phase by status", svg: stacked("Every phase by status", &phases) },
        ]
    }

    /// `diff.html`: what changed since `diff_base` ([`crate::revdiff::Diff`]).
    fn diff_page(&self) -> Result<Page> {
        let Some(diff) = self.diff else { anyhow::bail!("no comparison to render") };
        let mut ctx = PageCtx::default();
        ctx.insert("diff", diff);
        ctx.insert("from_short", diff.from.commit.chars().take(12).collect::<String>());
        let title = format!("Changes since {}", diff.from.spec);
        self.page("diff.html".into(), "diff.html", &title, ctx)
    }

    /// The source tree (`files/index.html`): every scanned folder with its traced and
    /// total files and its traces; traced files linked to their pages.
    fn source_tree(&self) -> Result<Page> {
        let from = urls::SOURCE_TREE;
        let traced: HashMap<&str, tree::Traced> = self
            .project
            .files
            .iter()
            .enumerate()
            .filter(|(f, _)| !self.project.file_traces[*f].is_empty())
            .map(|(f, file)| {
                let url = self.file_location(&file.path, 0).map(|to| urls::relative(from, &to));
                (file.path.as_str(), tree::Traced { traces: self.project.file_traces[f].len(), url })
            })
            .collect();
        let root = tree::folder_tree(&self.project.scanned, &traced);
        let mut ctx = PageCtx::default();
        ctx.insert("tree", &root);
        self.page(from.into(), "files.html", "Source files", ctx)
    }

    /// The search page: the results of the query in its URL (`search.html?q=…`), listed
    /// by `static/search.js`.
    fn search(&self) -> Result<Page> {
        self.page("search.html".into(), "search.html", "Search", PageCtx::default())
    }

    /// Everything the search finds, in a stable order (each plan with its requirements,
    /// phases and items; then documents; then source files), with root-relative URLs.
    fn search_entries(&self) -> Vec<search::Entry> {
        let project = self.project;
        let url = |to: &str| urls::relative("search.html", to);
        let entry = |kind: &str, id: &str, title: &str, text: &str, to: &str, context: &str| search::Entry {
            kind: kind.to_string(),
            id: id.to_string(),
            title: title.to_string(),
            text: text.to_string(),
            url: url(to),
            context: context.to_string(),
        };
        let mut entries = Vec::new();
        for (p, plan) in project.plans.iter().enumerate() {
            entries.push(entry("plan", &plan.id, &plan.title, "", &urls::plan(&plan.id), ""));
            for (r, req) in plan.requirements.iter().enumerate() {
                let to = self.requirement_path(ReqKey { plan: p, req: r });
                entries.push(entry("requirement", &req.id, &req.title, &req.text, &to, &plan.id));
            }
            for (ph, phase) in plan.phases.iter().enumerate() {
                entries.push(entry(
                    "phase",
                    &phase.id,
                    &phase.title,
                    "",
                    &self.phase_url_path(p, ph),
                    &plan.id,
                ));
            }
            for (i, it) in plan.items.iter().enumerate() {
                let to = self.item_path(ItemKey { plan: p, item: i });
                entries.push(entry(&it.kind, &it.id, &it.title, &it.text, &to, &plan.id));
            }
        }
        for d in &project.documents {
            if let Some(to) = self.file_location(&d.path, 0) {
                entries.push(entry("document", &d.path, &d.title, "", &to, d.plan.as_deref().unwrap_or("")));
            }
        }
        for (f, file) in project.files.iter().enumerate() {
            if self.has_source_page[f] {
                entries.push(entry("file", &file.path, "", "", &urls::source(&file.path), ""));
            }
        }
        entries
    }

    fn diagnostic_view(&self, from: &str, d: &Diagnostic) -> DiagnosticView {
        DiagnosticView {
            location: self.location_link(from, &d.path, d.line),
            severity: d.severity.to_string(),
            message: d.message.clone(),
            help: d.help.clone(),
        }
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
    /// Tracked files differ from the commit.
    dirty: bool,
    /// How many.
    modified: usize,
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
            modified: p.modified.len(),
            build_date: p.build_date.as_ref().map(|d| d.iso.clone()),
        }
    }
}

/// A chart and its caption.
#[derive(Serialize)]
struct ChartView {
    title: &'static str,
    /// Inline SVG from [`super::charts`] (every text in it escaped).
    svg: String,
}

#[derive(Serialize)]
struct PlanRow {
    synthetic: bool,
    link: LinkView,
    title: String,
    folder: String,
    requirements: usize,
    covered: usize,
    phases: usize,
    phases_done: usize,
    traces: usize,
    diagnostics: usize,
}

#[derive(Serialize)]
struct PlanHeader {
    synthetic: bool,
    id: String,
    title: String,
    folder: String,
    declared: LinkView,
    declared_forge: Option<ForgeLink>,
}

/// A plan's abstract: its HTML (cut when long), the whole text when cut, and where
/// it is written.
#[derive(Serialize)]
struct AbstractView {
    html: String,
    full: Option<String>,
    source: LinkView,
}

/// A mention of a requirement on its page.
#[derive(Serialize)]
struct MentionView {
    at: LinkView,
    forge: Option<ForgeLink>,
    /// `comment` or `string literal`.
    kind: &'static str,
    /// The line's text.
    text: String,
    /// Several plans define the ID: the mention may mean another plan's requirement.
    ambiguous: bool,
}

/// A related plan and why.
#[derive(Serialize)]
struct RelatedView {
    link: LinkView,
    title: String,
    folder: String,
    /// `same series \`stateless\``, `names this plan`, `named by this plan`.
    reason: String,
    /// Where the naming is written.
    at: Option<LinkView>,
}

/// A phase whose evidence disagrees, with both sides.
#[derive(Serialize)]
struct ConflictView {
    phase: LinkView,
    kind: &'static str,
    tracker: String,
    tracker_at: LinkView,
    other: String,
    other_at: LinkView,
}

/// The most unchecked boxes listed per phase on a plan page; the rest are counted (the
/// phase's page shows its document whole).
const MAX_UNCHECKED: usize = 50;

/// The unchecked boxes of one phase (or of the plan, `phase` none): the first
/// [`MAX_UNCHECKED`], and how many there are.
#[derive(Serialize)]
struct UncheckedGroup {
    phase: Option<LinkView>,
    items: Vec<UncheckedView>,
    total: usize,
    /// How many are not listed.
    more: usize,
}

#[derive(Serialize)]
struct UncheckedView {
    text: String,
    /// The checklist's label.
    list: String,
    at: LinkView,
}

/// The open items section of a plan page.
#[derive(Serialize)]
struct OpenItems {
    /// Everything below, findings included.
    total: usize,
    pending: Vec<PhaseRow>,
    conflicts: Vec<ConflictView>,
    uncovered: Vec<RequirementRow>,
    unchecked: Vec<UncheckedGroup>,
    risks: Vec<ItemRow>,
    findings: usize,
}

#[derive(Serialize)]
struct RequirementRow {
    link: LinkView,
    title: String,
    code_traces: usize,
    document_traces: usize,
    /// `verified`, `failing` or `unverified`; `None` when no test report is read.
    verification: Option<&'static str>,
    phases: Vec<LinkView>,
}

/// One test of a requirement page: a test case matched to a trace, or a test trace
/// with no case in the reports (`not-run`).
#[derive(Serialize)]
struct TestRow {
    /// `passed`, `failed`, `skipped` or `not-run`.
    outcome: &'static str,
    /// The case (`classname › name`) or, not run, the test's title.
    name: String,
    /// The first line of the failure or skip message.
    message: Option<String>,
    /// `report.xml:line` of the case (empty when not run).
    report: String,
    /// The trace the case matched.
    trace: LinkView,
}

#[derive(Serialize)]
struct PhaseRow {
    link: LinkView,
    title: String,
    status: &'static str,
    claims: Vec<LinkView>,
    traces: usize,
}

#[derive(Serialize)]
struct LinkGroup {
    /// How the links read from this page's node (`depends on`, `required by`).
    label: &'static str,
    links: Vec<LinkView>,
}

/// The most rows or columns a link matrix of a plan page shows.
const MAX_MATRIX: usize = 150;

#[derive(Serialize)]
struct LinkMatrix {
    /// `Tasks × tasks`.
    title: String,
    columns: Vec<LinkView>,
    /// Each row: its source and, per column, the link's label or "".
    rows: Vec<(LinkView, Vec<&'static str>)>,
}

#[derive(Serialize)]
struct ItemGroup {
    kind: String,
    heading: String,
    rows: Vec<ItemRow>,
}

#[derive(Serialize)]
struct ItemRow {
    link: LinkView,
    title: String,
    state: Option<ItemState>,
    owner: String,
    links: Vec<LinkGroup>,
    traces: usize,
}

/// The badge of an item: a gate's result, a checklist's progress, or a status
/// attribute as written.
#[derive(Serialize)]
struct ItemState {
    /// The badge text (`PASS`, `7 of 7 checked`, `open`).
    text: String,
    /// CSS class: `pass`, `fail`, `done`, `partial` or `other`.
    class: &'static str,
}

fn item_state(it: &crate::plan::Item) -> Option<ItemState> {
    match it.kind.as_str() {
        "gate" => it
            .attribute("result")
            .map(|r| ItemState { text: r.to_string(), class: if r == "PASS" { "pass" } else { "fail" } }),
        "checklist" => {
            let n = |name| it.attribute(name).and_then(|v| v.parse::<usize>().ok()).unwrap_or(0);
            let (checked, total) = (n("checked"), n("total"));
            Some(ItemState {
                text: format!("{checked} of {total} checked"),
                class: if checked == total { "done" } else { "partial" },
            })
        }
        _ => it
            .attribute("status")
            .filter(|s| !s.is_empty())
            .map(|s| ItemState { text: s.to_string(), class: "other" }),
    }
}

/// The label of an unchecked task-list line (`- [ ] Run the tests` → `Run the tests`).
fn unchecked_box(line: &str) -> Option<&str> {
    let t = line.trim_start();
    let rest = t.strip_prefix(['-', '*', '+']).or_else(|| {
        let digits = t.find(|c: char| !c.is_ascii_digit()).filter(|&i| i > 0)?;
        t[digits..].strip_prefix(['.', ')'])
    })?;
    rest.trim_start().strip_prefix("[ ]").map(str::trim).filter(|s| !s.is_empty())
}

/// Whether a risk or spec gap is closed: its `status` attribute reads as done
/// ([`crate::plan::normalise_status`]) or says closed, mitigated, fixed, accepted or
/// retired. One without a status is open.
fn is_closed(it: &crate::plan::Item) -> bool {
    let Some(s) = it.attribute("status") else { return false };
    let lower = s.to_lowercase();
    crate::plan::normalise_status(s) == PhaseStatus::Done
        || ["closed", "mitigated", "fixed", "accepted", "retired", "addressed"]
            .iter()
            .any(|w| lower.contains(w))
}

/// Whether an item gets a page of its own. Checklists do not: they are many (every
/// verification list of every phase file) and their page would restate their document;
/// they link to the document, and the plan's checklist table shows their progress.
fn has_page(it: &crate::plan::Item) -> bool {
    it.kind != "checklist"
}

/// A kind's plural heading (`task` → `Tasks`, `gap` → `Spec gaps`).
fn kind_heading(kind: &str) -> String {
    match kind {
        "gap" => "Spec gaps".into(),
        k => {
            let mut c = k.chars();
            let first = c.next().map(|f| f.to_uppercase().collect::<String>()).unwrap_or_default();
            format!("{first}{}s", c.as_str())
        }
    }
}

/// The most requirements (rows) the trace matrix of a plan page shows.
const MATRIX_ROWS: usize = 150;
/// The most phases (columns) the trace matrix of a plan page shows.
const MATRIX_COLUMNS: usize = 60;

/// The rows and columns of a plan page's trace matrix: those with at least one mark,
/// the first [`MATRIX_ROWS`] and [`MATRIX_COLUMNS`] of them.
fn matrix_shown(cells: &[Vec<MatrixCell>], phases: usize) -> (Vec<usize>, Vec<usize>) {
    let rows: Vec<usize> =
        (0..cells.len()).filter(|&r| !cells[r].iter().all(MatrixCell::is_empty)).take(MATRIX_ROWS).collect();
    let columns: Vec<usize> =
        (0..phases).filter(|&c| !cells.iter().all(|row| row[c].is_empty())).take(MATRIX_COLUMNS).collect();
    (rows, columns)
}

/// The class that sizes a printed matrix of `columns` phases to the page width: none
/// up to 30 columns, then `dense`, `denser` and (over 80) `densest`.
fn matrix_density(columns: usize) -> &'static str {
    match columns {
        0..=30 => "",
        31..=50 => "dense",
        51..=80 => "denser",
        _ => "densest",
    }
}

/// A trace matrix as a page shows it.
#[derive(Serialize)]
struct MatrixView {
    /// The plan's requirements and phases, shown or not.
    total_rows: usize,
    total_columns: usize,
    /// Requirements and phases left out because their row or column holds no mark.
    empty_rows: usize,
    empty_columns: usize,
    /// The phases shown.
    columns: Vec<LinkView>,
    rows: Vec<MatrixRow>,
    /// Whether the rows (columns) with marks are more than a plan page shows.
    cut_rows: bool,
    cut_columns: bool,
    /// The caps ([`MATRIX_ROWS`], [`MATRIX_COLUMNS`]).
    max_rows: usize,
    max_columns: usize,
    /// The full matrix's page, when this one leaves rows or columns out.
    full: Option<String>,
    /// How small the print style sets the matrix so its columns fit a page:
    /// [`matrix_density`].
    density: &'static str,
}

#[derive(Serialize)]
struct MatrixRow {
    link: LinkView,
    cells: Vec<MatrixCell>,
}

#[derive(Clone, Copy, Serialize)]
struct MatrixCell {
    /// Traces in code citing the requirement for this phase.
    traced: usize,
    /// Whether a plan document's HTML comment cites it for this phase.
    documented: bool,
    /// Whether the plan maps the requirement to this phase.
    claimed: bool,
    /// Whether a test case matched to one of the traces failed.
    failing: bool,
}

impl MatrixCell {
    /// Whether the cell holds no mark: no trace, no citation, no claim.
    fn is_empty(&self) -> bool {
        self.traced == 0 && !self.documented && !self.claimed && !self.failing
    }
}

#[derive(Serialize)]
struct DocumentRow {
    link: LinkView,
    title: String,
    role: String,
}

#[derive(Serialize)]
struct FolderView {
    path: String,
    documents: Vec<LinkView>,
}

#[derive(Serialize)]
struct ClaimView {
    requirement: LinkView,
    location: LinkView,
}

#[derive(Serialize)]
struct TrackerView {
    raw: String,
    location: LinkView,
}

#[derive(Serialize)]
struct DiagnosticGroup {
    code: &'static str,
    summary: &'static str,
    items: Vec<DiagnosticView>,
}

#[derive(Serialize)]
struct DiagnosticView {
    location: LinkView,
    severity: String,
    message: String,
    help: Option<String>,
}

fn status_label(s: PhaseStatus) -> &'static str {
    match s {
        PhaseStatus::Done => "done",
        PhaseStatus::InProgress => "in progress",
        PhaseStatus::Pending => "pending",
        PhaseStatus::Failed => "failed",
        PhaseStatus::Unknown => "unknown",
    }
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

fn role_label(r: &DocumentRole) -> String {
    match r {
        DocumentRole::Specification => "specification".into(),
        DocumentRole::Overview => "overview".into(),
        DocumentRole::Phase(p) => format!("phase {p}"),
        DocumentRole::CompletionRecord(p) => format!("completion record {p}"),
        DocumentRole::Tracker => "execution tracker".into(),
        DocumentRole::Other => "document".into(),
    }
}

// ---- trace.json -----------------------------------------------------------------------

/// `source` of `trace.json`: the commit the site shows (all `null` and `dirty: false`
/// when it was not built from a git checkout).
#[derive(Serialize)]
struct SourceJson<'a> {
    /// The full commit ID of `HEAD`.
    commit: Option<&'a str>,
    /// Its committer date, ISO 8601.
    date: Option<&'a str>,
    /// Tracked files differ from the commit.
    dirty: bool,
    /// The repository's web address, without credentials.
    repo_url: Option<&'a str>,
}

/// `trace.json`: the whole cross-reference, machine-readable. Shape: `{ "tracemark":
/// version, "summary": {counts}, "files": [{path, markers, by_placement, traces}],
/// "plans": [{id, title, folder, declared, requirements:
/// [{id, title, location, shape, covered, traces: [trace index]}], phases: [{id, title,
/// status, location, document, completion, claims, attributes, links}], items: [{kind,
/// id, title, location, attributes: [{name, value}], links: [{kind, target, location,
/// resolved: {kind, id} | null}], incoming: [{kind, from: {kind, id}}], traces}]}],
/// "traces": [{path, line, end_line, placement, excerpt: [first, last], ranges:
/// [[start, end], …] (the lines shown; a gap between two), excerpt_cut, plans: [{plan, phase,
/// resolved}], requirements: [{id, status, plan}], items: [{kind, id, status, plan}],
/// unresolved}], "diagnostics": [...], "source": {commit, date, dirty, repo_url},
/// "build_date" }`. With test reports (`test_results`): each requirement's
/// `verification` (`verified`, `failing`, `unverified`), each trace's `test` (`{title,
/// group}` or null) and `results` (its matched cases `{report, line, suite, classname,
/// name, file?, outcome, message?}`, or `[{outcome: "not-run"}]` for a test with no
/// case), `summary.verification` (counts) and a top-level `verification` (`{reports,
/// unmatched: [case]}`); none of these keys appear without reports. Deterministic and
/// compact (one line; `jq .` pretty-prints it).
pub fn trace_json(project: &Project, provenance: &Provenance) -> Result<Vec<u8>> {
    #[derive(Serialize)]
    struct Json<'a> {
        tracemark: &'static str,
        source: SourceJson<'a>,
        build_date: Option<&'a str>,
        summary: &'a crate::model::Summary,
        plans: Vec<serde_json::Value>,
        files: Vec<serde_json::Value>,
        traces: Vec<serde_json::Value>,
        mentions: Vec<serde_json::Value>,
        #[serde(skip_serializing_if = "Option::is_none")]
        verification: Option<serde_json::Value>,
        diagnostics: &'a [Diagnostic],
    }
    let verification = project.verification.as_ref();
    let plans = project
        .plans
        .iter()
        .enumerate()
        .map(|(pi, p)| {
            let requirements: Vec<_> = p
                .requirements
                .iter()
                .enumerate()
                .map(|(ri, r)| {
                    let key = ReqKey { plan: pi, req: ri };
                    let traces = project.requirement_traces.get(&key).cloned().unwrap_or_default();
                    let covered = project.is_covered(key);
                    let mut json = serde_json::json!({
                        "id": r.id, "title": r.title, "pattern": r.pattern, "location": r.location, "shape": r.shape,
                        "covered": covered, "traces": traces,
                        "mentions": project.requirement_mentions.get(&key).cloned().unwrap_or_default(),
                    });
                    if let Some(v) = verification {
                        json["verification"] = serde_json::json!(v.status(key));
                    }
                    json
                })
                .collect();
            let phases: Vec<_> = p
                .phases
                .iter()
                .enumerate()
                .map(|(i, ph)| {
                    serde_json::json!({
                        "id": ph.id, "title": ph.title, "status": p.phase_status(i), "location": ph.location,
                        "document": ph.document, "completion": ph.completion,
                        "tracker": ph.tracker.as_ref().map(|t| &t.raw),
                        "claims": ph.claims.iter().map(|c| &c.requirement).collect::<Vec<_>>(),
                        "attributes": ph.attributes, "links": ph.links,
                    })
                })
                .collect();
            let node_ref = |n: &Node| match *n {
                Node::Requirement { key } => serde_json::json!({
                    "kind": "requirement", "id": project.plans[key.plan].requirements[key.req].id,
                }),
                Node::Phase { plan, phase } => serde_json::json!({
                    "kind": "phase", "id": project.plans[plan].phases[phase].id,
                }),
                Node::Item { key } => {
                    let it = &project.plans[key.plan].items[key.item];
                    serde_json::json!({ "kind": it.kind, "id": it.id })
                }
            };
            let items: Vec<_> = p
                .items
                .iter()
                .enumerate()
                .map(|(ii, it)| {
                    let key = ItemKey { plan: pi, item: ii };
                    let targets = project.item_link_targets.get(&key);
                    let links: Vec<_> = it
                        .links
                        .iter()
                        .enumerate()
                        .map(|(li, l)| {
                            let target = targets.and_then(|t| t.get(li).copied().flatten());
                            serde_json::json!({
                                "kind": l.kind, "target": l.target, "location": l.location,
                                "resolved": target.as_ref().map(node_ref),
                            })
                        })
                        .collect();
                    let incoming: Vec<_> = project
                        .incoming
                        .get(&Node::Item { key })
                        .map(|v| {
                            v.iter()
                                .map(|(k, n)| serde_json::json!({ "kind": k, "from": node_ref(n) }))
                                .collect()
                        })
                        .unwrap_or_default();
                    serde_json::json!({
                        "kind": it.kind, "id": it.id, "title": it.title, "location": it.location,
                        "attributes": it.attributes, "links": links, "incoming": incoming,
                        "traces": project.item_traces.get(&key).cloned().unwrap_or_default(),
                    })
                })
                .collect();
            serde_json::json!({
                "id": p.id, "title": p.title, "folder": p.folder, "declared": p.declared,
                "synthetic": p.synthetic, "requirements": requirements, "phases": phases,
                "items": items, "status": crate::model::status::plan_status(project, pi),
                "conflicts": crate::model::status::phase_conflicts(project, pi).into_iter().map(|c| serde_json::json!({
                    "phase": p.phases[c.phase].id, "kind": c.kind, "tracker": c.tracker, "other": c.other,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let traces = project
        .traces
        .iter()
        .enumerate()
        .map(|(ti, t)| {
            let file = &project.files[t.file];
            let mut json = serde_json::json!({
                "path": file.path, "line": t.trace.line, "end_line": t.trace.end_line,
                "placement": t.trace.placement, "excerpt": t.trace.excerpt.span(),
                "ranges": t.trace.excerpt.ranges, "excerpt_cut": t.trace.excerpt.cut,
                "plans": t.plans.iter().map(|pt| serde_json::json!({
                    "plan": pt.plan_id, "phase": pt.phase_id,
                    "resolved": pt.plan.is_some() && (pt.phase_id.is_none() || pt.phase.is_some()),
                })).collect::<Vec<_>>(),
                "requirements": t.requirements.iter().map(|r| match &r.resolution {
                    Resolution::Resolved { key } => serde_json::json!({
                        "id": r.id, "status": "resolved", "plan": project.plans[key.plan].id,
                    }),
                    Resolution::Ambiguous { plans } => serde_json::json!({
                        "id": r.id, "status": "ambiguous",
                        "candidates": plans.iter().map(|&p| &project.plans[p].id).collect::<Vec<_>>(),
                    }),
                    Resolution::Dangling => serde_json::json!({ "id": r.id, "status": "dangling" }),
                }).collect::<Vec<_>>(),
                "items": t.items.iter().map(|it| serde_json::json!({
                    "kind": it.kind, "id": it.id,
                    "status": if it.item.is_some() { "resolved" } else { "unresolved" },
                    "plan": it.item.map(|k| &project.plans[k.plan].id),
                })).collect::<Vec<_>>(),
                "unresolved": t.trace.unresolved.iter().map(|(_, v)| v).collect::<Vec<_>>(),
            });
            if let Some(v) = verification {
                json["test"] = serde_json::json!(v.trace_tests[ti]);
                json["results"] = if v.not_run(ti) {
                    serde_json::json!([{ "outcome": "not-run" }])
                } else {
                    serde_json::json!(v.trace_cases[ti].iter().map(|&c| &v.cases[c]).collect::<Vec<_>>())
                };
            }
            json
        })
        .collect();
    let files = project
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let mut by: BTreeMap<Placement, usize> = BTreeMap::new();
            for m in &f.markers {
                *by.entry(m.placement).or_default() += 1;
            }
            serde_json::json!({
                "path": f.path, "markers": f.markers.len(), "by_placement": by,
                "traces": project.file_traces[i].len(),
            })
        })
        .collect();
    let mentions = project
        .mentions
        .iter()
        .map(|m| {
            serde_json::json!({
                "path": m.path, "line": m.mention.line, "id": m.mention.id, "placement": m.mention.placement,
                "plans": m.requirements.iter().map(|k| &project.plans[k.plan].id).collect::<Vec<_>>(),
            })
        })
        .collect();
    let json = Json {
        tracemark: env!("CARGO_PKG_VERSION"),
        source: SourceJson {
            commit: provenance.commit.as_deref(),
            date: provenance.commit_date.as_ref().map(|d| d.iso.as_str()),
            dirty: provenance.dirty,
            repo_url: provenance.repo_url.as_deref(),
        },
        build_date: provenance.build_date.as_ref().map(|d| d.iso.as_str()),
        summary: &project.summary,
        plans,
        files,
        traces,
        mentions,
        verification: verification.map(|v| {
            serde_json::json!({
                "reports": v.reports,
                "unmatched": v.cases.iter().zip(&v.case_matched).filter(|(_, m)| !**m).map(|(c, _)| c).collect::<Vec<_>>(),
            })
        }),
        diagnostics: &project.diagnostics,
    };
    let mut out = serde_json::to_vec(&json)?;
    out.push(b'\n');
    Ok(out)
}
