//! The theme: tera templates and static files. The default theme is embedded in the
//! binary (`themes/default/`); a project theme (`themes/<name>/templates/*.html`,
//! `themes/<name>/static/*`) overrides any file it provides.

use anyhow::{Context, Result};
use std::collections::HashMap;
use tera::Tera;

/// The built-in templates: (name, text).
pub const DEFAULT_TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../themes/default/templates/base.html")),
    ("macros.html", include_str!("../../themes/default/templates/macros.html")),
    ("index.html", include_str!("../../themes/default/templates/index.html")),
    ("plan.html", include_str!("../../themes/default/templates/plan.html")),
    ("matrix.html", include_str!("../../themes/default/templates/matrix.html")),
    ("requirement.html", include_str!("../../themes/default/templates/requirement.html")),
    ("phase.html", include_str!("../../themes/default/templates/phase.html")),
    ("item.html", include_str!("../../themes/default/templates/item.html")),
    ("document.html", include_str!("../../themes/default/templates/document.html")),
    ("guide.html", include_str!("../../themes/default/templates/guide.html")),
    ("source.html", include_str!("../../themes/default/templates/source.html")),
    ("diagnostics.html", include_str!("../../themes/default/templates/diagnostics.html")),
    ("search.html", include_str!("../../themes/default/templates/search.html")),
    ("evidence.html", include_str!("../../themes/default/templates/evidence.html")),
    ("files.html", include_str!("../../themes/default/templates/files.html")),
    ("start.html", include_str!("../../themes/default/templates/start.html")),
    ("timeline.html", include_str!("../../themes/default/templates/timeline.html")),
    ("diff.html", include_str!("../../themes/default/templates/diff.html")),
];

/// The built-in static files: (path under `static/`, bytes).
pub const DEFAULT_STATIC: &[(&str, &[u8])] = &[
    ("search.js", include_bytes!("../../themes/default/static/search.js")),
    ("diagnostics.js", include_bytes!("../../themes/default/static/diagnostics.js")),
    ("style.css", include_bytes!("../../themes/default/static/style.css")),
];

fn escape(s: &str) -> String {
    html_escape::encode_quoted_attribute(s).into_owned()
}

/// `{{ x.title | title(length=120) | safe }}`: a markdown title as inline HTML
/// ([`super::markdown::inline_title`]), cut after `length` characters of text (none
/// when not given); a cut title keeps its whole text as the hover text of a `span`.
fn title_filter(value: &tera::Value, args: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
    let md = tera::try_get_value!("title", "value", String, value);
    let max = match args.get("length") {
        Some(n) => tera::try_get_value!("title", "length", usize, n),
        None => usize::MAX,
    };
    let (html, cut) = super::markdown::inline_title(&md, max);
    Ok(tera::Value::String(if cut {
        format!("<span title=\"{}\">{html}</span>", escape(&super::markdown::plain_title(&md)))
    } else {
        html
    }))
}

/// `{{ page_title | plain_title }}`: a markdown title as plain text (backticks and
/// emphasis marks dropped), for `<title>`.
fn plain_title_filter(value: &tera::Value, _: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
    let md = tera::try_get_value!("plain_title", "value", String, value);
    Ok(tera::Value::String(super::markdown::plain_title(&md)))
}

/// A loaded theme.
pub struct Theme {
    /// The compiled templates.
    pub tera: Tera,
    /// Static files to write under `static/`: (relative path, bytes), sorted.
    pub static_files: Vec<(String, Vec<u8>)>,
    /// blake3 of every template's name and text (in name order): part of each page's
    /// key, so a changed template re-renders the pages, and nothing else does.
    pub hash: [u8; 32],
}

impl Theme {
    /// Compiles the built-in templates, replaced by `template_overrides` (name, text)
    /// where names match, plus `static_overrides` (path, bytes) over the built-in static
    /// files. Errors name the template that does not compile.
    pub fn new(
        template_overrides: &[(String, String)],
        static_overrides: &[(String, Vec<u8>)],
    ) -> Result<Theme> {
        let mut tera = Tera::default();
        let mut templates: Vec<(String, String)> =
            DEFAULT_TEMPLATES.iter().map(|(n, t)| (n.to_string(), t.to_string())).collect();
        for (name, text) in template_overrides {
            match templates.iter_mut().find(|(n, _)| n == name) {
                Some(slot) => slot.1 = text.clone(),
                None => templates.push((name.clone(), text.clone())),
            }
        }
        let mut sorted: Vec<&(String, String)> = templates.iter().collect();
        sorted.sort();
        let mut h = blake3::Hasher::new();
        for (name, text) in sorted {
            for part in [name, text] {
                h.update(&(part.len() as u64).to_le_bytes());
                h.update(part.as_bytes());
            }
        }
        let hash = *h.finalize().as_bytes();
        tera.add_raw_templates(templates).context("a theme template does not compile")?;
        tera.autoescape_on(vec![".html"]);
        // Escape what HTML needs (`& < > " '`), not `/`: tera's default turns every path
        // and URL into `&#x2F;` soup.
        tera.set_escape_fn(escape);
        tera.register_filter("title", title_filter);
        tera.register_filter("plain_title", plain_title_filter);
        let mut static_files: Vec<(String, Vec<u8>)> =
            DEFAULT_STATIC.iter().map(|(n, b)| (n.to_string(), b.to_vec())).collect();
        for (name, bytes) in static_overrides {
            match static_files.iter_mut().find(|(n, _)| n == name) {
                Some(slot) => slot.1 = bytes.clone(),
                None => static_files.push((name.clone(), bytes.clone())),
            }
        }
        static_files.sort();
        Ok(Theme { tera, static_files, hash })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_title_keeps_its_whole_text_on_hover() {
        let args = HashMap::from([("length".to_string(), tera::Value::from(10))]);
        let v = title_filter(&tera::Value::from("Use `Config` \"always\""), &args).unwrap();
        assert_eq!(v, "<span title=\"Use Config &quot;always&quot;\">Use <code>Config</code>…</span>");
        let whole = title_filter(&tera::Value::from("Use `Config`"), &HashMap::new()).unwrap();
        assert_eq!(whole, "Use <code>Config</code>");
        let plain = plain_title_filter(&tera::Value::from("Use `Config`"), &HashMap::new()).unwrap();
        assert_eq!(plain, "Use Config");
    }
}
