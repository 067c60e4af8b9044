//! The source tree page (`files/index.html`): every folder of the scanned files, with
//! how many of its files carry traces and how many traces they hold, and the traced
//! files themselves linked to their pages. Built with no I/O from the scanned paths and
//! per-file trace counts; the template shows it as nested `<details>` elements.

use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// A folder of the tree. Counts include every folder below it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FolderView {
    /// The folder's own name (`src`); empty for the project root.
    pub name: String,
    /// Its path from the project root, `/`-separated (`packages/core/src`); empty for
    /// the root.
    pub path: String,
    /// Scanned files in it and below.
    pub files_total: usize,
    /// Of those, files with at least one trace.
    pub files_traced: usize,
    /// Traces in those files.
    pub traces: usize,
    /// Whether the folder starts open (the root and its direct sub-folders).
    pub open: bool,
    /// Sub-folders, by name.
    pub folders: Vec<FolderView>,
    /// The folder's own traced files, by name (untraced files are counted, not listed).
    pub files: Vec<FileView>,
}

/// A traced file of a folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileView {
    /// The file's name (`main.rs`).
    pub name: String,
    /// Its traces.
    pub traces: usize,
    /// The URL of its page, relative to the tree page, when it has one.
    pub url: Option<String>,
}

/// The traces of one file and the URL of its page.
pub struct Traced {
    /// How many traces the file holds (at least one).
    pub traces: usize,
    /// Its page's URL relative to the tree page.
    pub url: Option<String>,
}

#[derive(Default)]
struct Node {
    folders: BTreeMap<String, Node>,
    files: Vec<FileView>,
    total: usize,
    traced: usize,
    traces: usize,
}

/// The tree of `scanned` (file paths from the project root, `/`-separated, each once),
/// with `traced` giving the files that hold traces. A file in `traced` but not in
/// `scanned` (a plan document with a trace) is added to the tree.
pub fn folder_tree(scanned: &[String], traced: &HashMap<&str, Traced>) -> FolderView {
    let mut root = Node::default();
    let mut add = |path: &str| {
        let mut parts: Vec<&str> = path.split('/').collect();
        let name = parts.pop().unwrap_or(path);
        let t = traced.get(path);
        let mut node = &mut root;
        for dir in std::iter::once(None).chain(parts.iter().map(Some)) {
            if let Some(dir) = dir {
                node = node.folders.entry((*dir).to_string()).or_default();
            }
            node.total += 1;
            if let Some(t) = t {
                node.traced += 1;
                node.traces += t.traces;
            }
        }
        if let Some(t) = t {
            node.files.push(FileView { name: name.to_string(), traces: t.traces, url: t.url.clone() });
        }
    };
    for path in scanned {
        add(path);
    }
    let scanned_set: std::collections::HashSet<&str> = scanned.iter().map(String::as_str).collect();
    let mut extra: Vec<&&str> = traced.keys().filter(|p| !scanned_set.contains(**p)).collect();
    extra.sort();
    for path in extra {
        add(path);
    }
    view(String::new(), String::new(), root, 0)
}

fn view(name: String, path: String, node: Node, depth: usize) -> FolderView {
    let Node { folders, mut files, total, traced, traces } = node;
    files.sort_by(|a, b| a.name.cmp(&b.name));
    let folders = folders
        .into_iter()
        .map(|(n, child)| {
            let p = if path.is_empty() { n.clone() } else { format!("{path}/{n}") };
            view(n, p, child, depth + 1)
        })
        .collect();
    FolderView {
        name,
        path,
        files_total: total,
        files_traced: traced,
        traces,
        open: depth <= 1,
        folders,
        files,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_roll_up_and_untraced_folders_stay_in_the_tree() {
        let scanned: Vec<String> =
            ["README.md", "a/x.ts", "a/b/y.ts", "a/b/z.ts", "c/w.ts"].iter().map(|s| s.to_string()).collect();
        let mut traced = HashMap::new();
        traced.insert("a/b/y.ts", Traced { traces: 3, url: Some("a/b/y.ts.html".into()) });
        traced.insert("a/x.ts", Traced { traces: 1, url: None });
        traced.insert("project-plans/p/plan.md", Traced { traces: 2, url: Some("../docs/p.html".into()) });
        let tree = folder_tree(&scanned, &traced);
        assert_eq!((tree.files_total, tree.files_traced, tree.traces), (6, 3, 6));
        let names: Vec<&str> = tree.folders.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["a", "c", "project-plans"]);
        let a = &tree.folders[0];
        assert_eq!((a.path.as_str(), a.files_total, a.files_traced, a.traces, a.open), ("a", 3, 2, 4, true));
        assert_eq!(a.files, [FileView { name: "x.ts".into(), traces: 1, url: None }]);
        let b = &a.folders[0];
        assert_eq!(
            (b.path.as_str(), b.files_total, b.files_traced, b.traces, b.open),
            ("a/b", 2, 1, 3, false)
        );
        assert_eq!(b.files[0].url.as_deref(), Some("a/b/y.ts.html"));
        let c = &tree.folders[1];
        assert_eq!((c.files_total, c.files_traced, c.traces), (1, 0, 0), "an untraced folder is kept");
        assert!(c.files.is_empty());
        assert_eq!(tree.folders[2].folders[0].path, "project-plans/p");
    }
}
