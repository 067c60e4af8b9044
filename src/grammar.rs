//! The ID grammar of plan-driven projects (`../shared/conventions.md` §2): plan IDs,
//! phase IDs and requirement IDs, as regex fragments and small helpers shared by the
//! plan parser, the marker scanner and the model.

use regex::Regex;
use std::sync::LazyLock;

/// A plan ID: `PLAN-20251023-STATELESS-HARDENING`, mixed case `PLAN-20251213issue490`,
/// no date `PLAN-ANTHROPIC-THINKING`, dotted versions `PLAN-20260725-MERGE-0.11-FROM-0.10`
/// (a dot continues the ID only when a digit follows, so `.P05` is a phase).
pub const PLAN_ID: &str = r"PLAN-[A-Za-z0-9]+(?:-[A-Za-z0-9]+|\.[0-9][A-Za-z0-9]*)*";

/// A phase ID after the plan's dot: `P05`, `P05a`, `P0.5`, `P03a-V`, rounds `R9.P01`,
/// `B2`, `R9`, `SKIP1.P01`, `EVAL`.
pub const PHASE: &str =
    r"(?:(?:R[0-9]+|SKIP[0-9]+)\.)?(?:P[0-9]+(?:\.[0-9]+)?[A-Za-z]{0,2}(?:-V)?|B[0-9]+|R[0-9]+|EVAL)";

/// A requirement-shaped ID: `REQ-SP4-003`, `REQ-001.1`, `HOOK-017`, `E2E.API.1`, `R1.2`.
/// Whether such a token is a requirement is decided by [`is_requirement_id`].
pub const REQ_ID: &str = r"[A-Z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*";

/// `^PLAN_ID(?:\.PHASE)?$`, with the plan in group 1 and the phase in group 2.
pub static PLAN_REF_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"^({PLAN_ID})(?:\.({PHASE}))?$")).expect("valid regex"));

/// Any plan ID anywhere in a text.
pub static PLAN_ID_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"\b{PLAN_ID}")).expect("valid regex"));

/// Splits `PLAN-X.P05a` into (`PLAN-X`, `Some("P05a")`); `None` when the text is not a
/// plan reference.
pub fn split_plan_ref(s: &str) -> Option<(&str, Option<&str>)> {
    let c = PLAN_REF_RE.captures(s)?;
    Some((c.get(1)?.as_str(), c.get(2).map(|m| m.as_str())))
}

/// Whether a token reads as a requirement ID: it starts with `REQ-`, or it has the
/// ID shape and contains a digit (`HOOK-017`, `R1.2`, `E2E.API.1`), and it is not a
/// plan ID or a bare phase (`P05`).
pub fn is_requirement_id(s: &str) -> bool {
    static RE: LazyLock<Regex> = LazyLock::new(|| Regex::new(&format!("^{REQ_ID}$")).expect("valid regex"));
    static PHASE_RE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(&format!("^{PHASE}$")).expect("valid regex"));
    if s.starts_with("PLAN-") || !RE.is_match(s) || PHASE_RE.is_match(s) {
        return false;
    }
    s.starts_with("REQ-") || s.bytes().any(|b| b.is_ascii_digit())
}

/// The canonical form of a phase ID used to match references to definitions:
/// numbers lose their padding differences (`P5`, `P05` → `P05`), suffix letters are
/// lower-cased (`P04A` → `P04a`); rounds and other forms are kept as written.
pub fn canonical_phase(p: &str) -> String {
    let (round, rest) = match p.rsplit_once('.') {
        Some((r, rest)) if rest.starts_with('P') && (r.starts_with('R') || r.starts_with("SKIP")) => {
            (Some(r), rest)
        }
        _ => (None, p),
    };
    let mut out = String::new();
    if let Some(r) = round {
        out.push_str(r);
        out.push('.');
    }
    let Some(body) = rest.strip_prefix('P') else {
        out.push_str(rest);
        return out;
    };
    let digits: String = body.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.is_empty() {
        out.push_str(rest);
        return out;
    }
    let after = &body[digits.len()..];
    let n: u64 = digits.parse().unwrap_or(0);
    out.push_str(&format!("P{n:02}"));
    // Keep a decimal part (`P0.5`) and a `-V` tail as written; lower-case letters.
    let (frac, tail) = match after.strip_prefix('.') {
        Some(f) => {
            let d: String = f.chars().take_while(|c| c.is_ascii_digit()).collect();
            (format!(".{d}"), &f[d.len()..])
        }
        None => (String::new(), after),
    };
    out.push_str(&frac);
    match tail.strip_suffix("-V") {
        Some(letters) => {
            out.push_str(&letters.to_ascii_lowercase());
            out.push_str("-V");
        }
        None => out.push_str(&tail.to_ascii_lowercase()),
    }
    out
}

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
/// conventions (`task` and `risk` kinds, `@task` and `@risk` tags).
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
    fn splits_plan_refs() {
        assert_eq!(
            split_plan_ref("PLAN-20251023-STATELESS-HARDENING.P08"),
            Some(("PLAN-20251023-STATELESS-HARDENING", Some("P08")))
        );
        assert_eq!(
            split_plan_ref("PLAN-20260725-MERGE-0.11-FROM-0.10"),
            Some(("PLAN-20260725-MERGE-0.11-FROM-0.10", None))
        );
        assert_eq!(
            split_plan_ref("PLAN-20250219-GMERGE021.R9.P01"),
            Some(("PLAN-20250219-GMERGE021", Some("R9.P01")))
        );
        assert_eq!(split_plan_ref("PLAN-20251213issue490"), Some(("PLAN-20251213issue490", None)));
        assert_eq!(split_plan_ref("ISSUE-2376"), None);
    }

    #[test]
    fn recognises_requirement_ids() {
        for id in ["REQ-SP4-003", "REQ-001.1", "HOOK-017", "E2E.API.1", "R1.2", "REQ-1598-FL03", "REQ-X"] {
            assert!(is_requirement_id(id), "{id}");
        }
        for id in ["PLAN-2025-X", "P05", "P05a", "build-order", "Phase", "TODO"] {
            assert!(!is_requirement_id(id), "{id}");
        }
    }

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

    #[test]
    fn canonicalises_phases() {
        assert_eq!(canonical_phase("P5"), "P05");
        assert_eq!(canonical_phase("P04A"), "P04a");
        assert_eq!(canonical_phase("P05a"), "P05a");
        assert_eq!(canonical_phase("P0.5"), "P00.5");
        assert_eq!(canonical_phase("P03a-V"), "P03a-V");
        assert_eq!(canonical_phase("R9.P1"), "R9.P01");
        assert_eq!(canonical_phase("B2"), "B2");
        assert_eq!(canonical_phase("P123"), "P123");
    }
}
