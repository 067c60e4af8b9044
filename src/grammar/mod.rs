//! The ID grammar of plan-driven projects (`docs/grammar.md` §2–§4, §6): plan IDs,
//! phase IDs and requirement IDs, as regex fragments and small helpers shared by the
//! plan parser, the marker scanner and the model.

pub mod ids;
pub mod tags;

pub use ids::{
    PHASE, PLAN_ID, PLAN_ID_RE, PLAN_REF_RE, REQ_ID, canonical_phase, is_requirement_id, split_plan_ref,
};
use regex::Regex;

/// The built-in task ID pattern (`T-001`), used when `tracemark.toml` has no
/// `[kinds.task]` pattern.
pub const DEFAULT_TASK_PATTERN: &str = r"T-[0-9]{3,}";

/// The built-in risk ID pattern (`R-001`, `RISK-001`, `NEW-RISK-001`), used when
/// `tracemark.toml` has no `[kinds.risk]` pattern.
pub const DEFAULT_RISK_PATTERN: &str = r"(?:NEW-)?RISK-[0-9]{3,}|R-[0-9]{3,}";

/// A kind of item that a plan defines by ID besides requirements and phases: `task`
/// (`T-001`), `risk` (`R-001`) or a kind the project declares in `tracemark.toml`
/// (`[kinds.scenario] pattern = 'SC-\d+'`, `tags = ["@scenario"]`).
#[derive(Debug, Clone)]
pub struct ItemKind {
    /// The kind's name, lower-case (`task`); used in URLs, `trace.json` and pages.
    pub name: String,
    /// The ID pattern as written in the config (or the built-in default).
    pub pattern: String,
    /// `^(?:pattern)$`: whether a whole token is an ID of this kind.
    whole: Regex,
    /// `\b(?:pattern)\b`: IDs of this kind anywhere in a text.
    anywhere: Regex,
    /// Marker tags that trace code to items of this kind (`@task`), with the `@`.
    pub tags: Vec<String>,
}

impl ItemKind {
    /// Compiles a kind. Errors: the pattern is not a valid regex (the message is the
    /// regex crate's, which points at the offending part).
    pub fn new(name: &str, pattern: &str, tags: Vec<String>) -> Result<ItemKind, String> {
        let whole = Regex::new(&format!("^(?:{pattern})$")).map_err(|e| e.to_string())?;
        let anywhere = Regex::new(&format!(r"\b(?:{pattern})\b")).map_err(|e| e.to_string())?;
        Ok(ItemKind { name: name.to_string(), pattern: pattern.to_string(), whole, anywhere, tags })
    }

    /// Whether the whole of `s` is an ID of this kind.
    pub fn matches(&self, s: &str) -> bool {
        self.whole.is_match(s)
    }

    /// Every ID of this kind in `text`, in order, as written, with its byte range.
    pub fn find_all<'t>(&self, text: &'t str) -> impl Iterator<Item = regex::Match<'t>> + use<'_, 't> {
        self.anywhere.find_iter(text)
    }
}

/// The project's trace grammar beyond the fixed plan/phase grammar: item kinds with
/// their ID patterns and marker tags, the requirement ID pattern if the project
/// restricts it, and extra tags for requirements. Built by [`crate::config::Config`]
/// from `tracemark.toml` (`[kinds.<name>]` tables); [`Grammar::default`] reproduces the
/// built-in grammar (`task` and `risk` kinds, `@task` and `@risk` tags; `docs/grammar.md` §5).
#[derive(Debug, Clone)]
pub struct Grammar {
    /// Item kinds, in config order (built-in `task` and `risk` first).
    pub kinds: Vec<ItemKind>,
    /// When set, only IDs matching `^(?:pattern)$` are requirement IDs (in plans and
    /// in `@requirement` values); otherwise the built-in heuristic
    /// [`is_requirement_id`] decides.
    pub requirement: Option<Regex>,
    /// Extra marker tags meaning `@requirement` (`@satisfies`), with the `@`.
    pub requirement_tags: Vec<String>,
}

impl Default for Grammar {
    fn default() -> Self {
        Grammar {
            kinds: vec![
                ItemKind::new("task", DEFAULT_TASK_PATTERN, vec!["@task".into()]).expect("valid regex"),
                ItemKind::new("risk", DEFAULT_RISK_PATTERN, vec!["@risk".into()]).expect("valid regex"),
            ],
            requirement: None,
            requirement_tags: Vec::new(),
        }
    }
}

impl Grammar {
    /// The index of the first kind whose pattern matches the whole of `id`.
    pub fn kind_of(&self, id: &str) -> Option<usize> {
        self.kinds.iter().position(|k| k.matches(id))
    }

    /// The kind named `name`.
    pub fn kind(&self, name: &str) -> Option<&ItemKind> {
        self.kinds.iter().find(|k| k.name == name)
    }

    /// Whether `id` may be a requirement ID under this grammar: it matches the
    /// configured requirement pattern when there is one, and is not an ID of an item
    /// kind (`T-001` is a task, not a requirement).
    pub fn allows_requirement(&self, id: &str) -> bool {
        match &self.requirement {
            Some(re) => re.is_match(id),
            None => self.kind_of(id).is_none(),
        }
    }

    /// Whether a token found in text is a requirement ID under this grammar: it
    /// matches the configured pattern, or, without one, [`is_requirement_id`] accepts
    /// it and it is not an ID of an item kind.
    pub fn is_requirement(&self, id: &str) -> bool {
        self.allows_requirement(id) && (self.requirement.is_some() || is_requirement_id(id))
    }

    /// Every marker tag of every item kind, with its kind index.
    pub fn item_tags(&self) -> impl Iterator<Item = (&str, usize)> {
        self.kinds.iter().enumerate().flat_map(|(i, k)| k.tags.iter().map(move |t| (t.as_str(), i)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_grammar_knows_tasks_and_risks() {
        let g = Grammar::default();
        assert_eq!(g.kind_of("T-001").map(|i| g.kinds[i].name.as_str()), Some("task"));
        for id in ["R-001", "RISK-014", "NEW-RISK-006"] {
            assert_eq!(g.kind_of(id).map(|i| g.kinds[i].name.as_str()), Some("risk"), "{id}");
        }
        assert_eq!(g.kind_of("REQ-SP4-003"), None);
        assert!(!g.allows_requirement("T-001"));
        assert!(g.allows_requirement("REQ-SP4-003"));
        let ids: Vec<&str> =
            g.kinds[1].find_all("SR §3 B-003; VR NEW-RISK-003, R-007.").map(|m| m.as_str()).collect();
        assert_eq!(ids, ["NEW-RISK-003", "R-007"]);
    }

    #[test]
    fn bad_patterns_are_errors() {
        assert!(ItemKind::new("task", "T-(", vec![]).is_err());
    }
}
