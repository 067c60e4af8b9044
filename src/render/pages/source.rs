//! A marked source file's page (highlighted code, a line anchor each, references at
//! trace lines, its history) and the source tree (`files/index.html`).

use super::*;

impl Site<'_> {
    pub(super) fn source(&self, f: usize) -> Result<Page> {
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
    pub(super) fn source_code(&self, f: usize, refs: &BTreeMap<u32, String>) -> String {
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

    /// The source tree (`files/index.html`): every scanned folder with its traced and
    /// total files and its traces; traced files linked to their pages.
    pub(super) fn source_tree(&self) -> Result<Page> {
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
}
