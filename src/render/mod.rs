//! Rendering: the project model → pages, with no I/O.
//!
//! 1. markdown documents → HTML (comrak, GFM), fenced code highlighted, IDs in text
//!    turned into links, the result sanitised (`markdown::sanitise`, the one URL policy:
//!    http, https, mailto and relative URLs only);
//! 2. source files → highlighted lines (once per file); excerpts are cut from them;
//! 3. view structs (borrowed from the model) → tera templates;
//! 4. links in rendered markdown rewritten (lol_html) to the site's pages;
//! 5. every URL relative to the page, so the site works from `file://` and any subpath
//!    (`urls::relative` percent-encodes every segment, so no scheme can form), and every
//!    page carries `pages::CONTENT_SECURITY_POLICY`;
//! 6. `incremental`: pages and documents whose inputs are unchanged are reused.

pub mod cache;
pub mod charts;
pub mod csv;
pub mod highlight;
pub mod incremental;
pub mod markdown;
pub mod pages;
pub mod search;
pub mod templates;
pub mod tree;
pub mod urls;
