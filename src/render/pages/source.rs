//! A marked source file's page (highlighted code, a line anchor each, references at
//! trace lines, its history) and the source tree (`files/index.html`).

use super::{Deferrals, Deferred, ForgeLink, Page, Site, TraceView};
use crate::render::{tree, urls};
use anyhow::Result;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

impl Site<'_> {
    /// The view of file `f`'s page; its code deferred into `d`.
    pub(super) fn source_view(&self, f: usize, d: &Deferrals) -> SourceView<'_> {
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
        let code = d.add(h.finalize().as_bytes(), Deferred::Source(f, refs));
        SourceView {
            path: &file.path,
            forge: self.forge_link(&file.path, None),
            modified: self.provenance.is_modified(&file.path),
            lines: file.text.lines(),
            markers: file.markers.len(),
            history: self.file_history(&from, f),
            history_source: self.history_source(),
            traces,
            code,
        }
    }

    /// File `f`'s page (`files/<path>.html`).
    pub(super) fn source(&self, f: usize) -> Result<Page> {
        let path = &self.project.files[f].path;
        let d = Deferrals::default();
        let view = self.source_view(f, &d);
        self.render_view(urls::source(path), "source.html", path, &view, d)
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

    /// The view of the source tree (`files/index.html`): every scanned folder with its
    /// traced and total files and its traces; traced files linked to their pages.
    pub(super) fn source_tree_view(&self) -> SourceTreeView {
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
        SourceTreeView { tree: tree::folder_tree(&self.project.scanned, &traced) }
    }

    /// The source tree (`files/index.html`).
    pub(super) fn source_tree(&self) -> Result<Page> {
        let view = self.source_tree_view();
        self.render_view(urls::SOURCE_TREE.into(), "files.html", "Source files", &view, Deferrals::default())
    }
}

/// A source file's page.
#[derive(Serialize)]
pub(super) struct SourceView<'a> {
    pub(super) path: &'a str,
    pub(super) forge: Option<ForgeLink>,
    /// The file differs from the commit in the working tree.
    pub(super) modified: bool,
    pub(super) lines: usize,
    pub(super) markers: usize,
    /// The plans that shaped the file, from git history.
    pub(super) history: Vec<super::timeline::ShapingView>,
    pub(super) history_source: super::timeline::HistorySource,
    /// Its traces, each located by line on this page.
    pub(super) traces: Vec<TraceView>,
    /// The highlighted code (deferred).
    pub(super) code: String,
}

/// The source tree.
#[derive(Serialize)]
pub(super) struct SourceTreeView {
    pub(super) tree: tree::FolderView,
}

#[cfg(test)]
mod tests {
    use super::super::testing::{FILES, html, with_site};

    #[test]
    fn source_view_locates_its_traces_by_line() {
        with_site(FILES, |site| {
            let f = site.project.file_index["src/lamp.ts"];
            let view = site.source_view(f, &Default::default());
            assert_eq!(view.path, "src/lamp.ts");
            assert_eq!((view.lines, view.markers), (8, 3));
            let at: Vec<_> =
                view.traces.iter().map(|t| (t.location.text.as_str(), t.location.url.as_deref())).collect();
            assert_eq!(at, [("line 2", Some("#L2")), ("line 7", Some("#L7"))]);
            assert_eq!(view.traces[1].plans[0].class, "dangling", "PLAN-20990101-NOPE does not exist");
            let page = html(site.source(f));
            assert!(page.contains("<span id=\"L2\" class=\"m\">"), "marked lines are marked");
            assert!(page.contains("<span id=\"L5\">export function on"));
        });
    }

    #[test]
    fn source_tree_counts_traced_files_per_folder() {
        with_site(FILES, |site| {
            let root = site.source_tree_view().tree;
            let src = root.folders.iter().find(|f| f.name == "src").expect("src is a folder");
            assert_eq!(src.files_traced, 3);
            assert_eq!(src.traces, 4);
            let lamp = src.files.iter().find(|f| f.name == "lamp.ts").expect("lamp.ts listed");
            assert_eq!(lamp.url.as_deref(), Some("src/lamp.ts.html"));
            assert!(html(site.source_tree()).contains("lamp.ts"));
        });
    }
}
