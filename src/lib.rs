//! tracemark: a static-site generator for requirements traceability.
//!
//! The pipeline, one module a stage: `config` (tracemark.toml) → `plan` (plan folders:
//! plans, requirements, phases) and `source` (code markers → traces) → `model` (the
//! cross-reference) → `render` (pages, no I/O) → `site` (walk, timed stages, write).

pub mod config;
pub mod diagnostic;
pub mod grammar;
pub mod model;
pub mod plan;
pub mod render;
pub mod source;
pub mod text;
