//! Rendering: the project model → pages, with no I/O.
//!
//! 1. markdown documents → HTML (comrak, GFM), fenced code highlighted, raw HTML
//!    sanitised, IDs in text turned into links;
//! 2. source files → highlighted lines (once per file); excerpts are cut from them;
//! 3. view structs (borrowed from the model) → tera templates;
//! 4. links in rendered markdown rewritten (lol_html) to the site's pages;
//! 5. every URL relative to the page, so the site works from `file://` and any subpath;
//! 6. `incremental`: pages and documents whose inputs are unchanged are reused.

pub mod cache;
pub mod highlight;
pub mod incremental;
pub mod markdown;
pub mod pages;
pub mod templates;
pub mod urls;
