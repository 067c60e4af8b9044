//! (in progress)
use super::{InputFile, PlanFolder};
use crate::diagnostic::Diagnostic;

/// See [`super::parse_folder`].
pub fn parse_folder(folder: &str, _files: &[InputFile<'_>]) -> (PlanFolder, Vec<Diagnostic>) {
    (PlanFolder { path: folder.to_string(), plans: vec![], documents: vec![] }, vec![])
}
