//! A [`Project`] made from a few documents and source files held in memory, for unit
//! tests of the pages and of anything else that reads the model. The files go through
//! the same readers as a build: plan folders through [`crate::plan::parse_folder`],
//! other files through [`crate::source::scan`] and [`crate::source::mention::find`],
//! then [`Project::build`].

use super::{Inputs, Project, SourceFile};
use crate::grammar::Grammar;
use crate::plan::InputFile;
use crate::source::{self, Language};
use std::collections::BTreeMap;

/// The project of `files` (path from the project root, text). A file under
/// `project-plans/<name>/` belongs to the plan folder `project-plans/<name>`; every
/// other file is scanned for markers and mentions. Built with the default grammar and
/// excerpts of at most 40 lines.
pub(crate) fn project(files: &[(&str, &str)]) -> Project {
    let grammar = Grammar::default();
    let mut folders: BTreeMap<String, Vec<(&str, &str)>> = BTreeMap::new();
    for &(path, text) in files {
        let mut parts = path.splitn(3, '/');
        if let (Some("project-plans"), Some(name), Some(_)) = (parts.next(), parts.next(), parts.next()) {
            folders.entry(format!("project-plans/{name}")).or_default().push((path, text));
        }
    }
    let mut inputs = Inputs { title: "Test project".into(), ..Inputs::default() };
    for (folder, docs) in &folders {
        let input: Vec<InputFile<'_>> =
            docs.iter().map(|&(path, text)| InputFile { path, text: Some(text) }).collect();
        let (parsed, diagnostics) = crate::plan::parse_folder(folder, &input, &grammar);
        inputs.folders.push(parsed);
        inputs.diagnostics.extend(diagnostics);
        inputs.document_text.extend(
            docs.iter().filter(|(p, _)| p.ends_with(".md")).map(|&(p, t)| (p.to_string(), t.to_string())),
        );
    }
    let ids = source::mention::MentionIds::new(
        inputs
            .folders
            .iter()
            .flat_map(|f| f.plans.iter())
            .flat_map(|p| p.requirements.iter())
            .map(|r| r.id.as_str()),
    );
    for &(path, text) in files {
        inputs.scanned.push(path.to_string());
        let plan_text = folders.values().flatten().any(|&(p, _)| p == path);
        let scan = source::scan(path, text, 40, &grammar);
        if !plan_text {
            let mentions = source::mention::find(Language::from_path(path), text, &ids, &scan.markers);
            if !mentions.is_empty() {
                inputs.mentions.push((path.to_string(), mentions));
            }
        }
        if !scan.markers.is_empty() {
            inputs.files.push(SourceFile {
                path: path.to_string(),
                language: Language::from_path(path),
                text: (*text).into(),
                markers: scan.markers,
                traces: scan.traces,
            });
        }
    }
    inputs.scanned.sort();
    Project::build(inputs)
}
