//! (in progress)
use super::{Language, Scan};

/// Scans text of the given language; see [`super::scan`].
pub fn scan(_lang: Language, _text: &str, _excerpt_cap: u32) -> Scan {
    Scan::default()
}
