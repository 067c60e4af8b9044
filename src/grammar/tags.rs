//! Marker tags: the literal tags that trace code to plans, requirements and items, and
//! where a tag occurrence is a marker.
//!
//! A tag is a marker when it is not glued to a word before it (a letter, digit, `.`,
//! `_`, `-` or `+` right before the `@`; an escape such as `\n@plan:` in a string is
//! allowed) and is followed by `:` (spaces allowed after it), `**:` (bold markdown
//! labels) or one or more spaces or tabs with a value on the same line. A tag followed
//! by nothing but spaces up to the end of its line (`@plan   `) names nothing and is no
//! marker; `@plan:` with no value is a marker whose value is empty.

/// The plan tag (`@plan:PLAN-X.P05`).
pub const PLAN: &str = "@plan";

/// The requirement tag (`@requirement:REQ-X`); `@requirements` is accepted too.
pub const REQUIREMENT: &str = "@requirement";

/// If a tag of `len` bytes at byte offset `at` of `b` is a marker, the offset where its
/// value starts (after the separator and any spaces); `None` when it is not a marker.
pub fn value_start(b: &[u8], at: usize, len: usize) -> Option<usize> {
    if at > 0 {
        let p = *b.get(at - 1)?;
        let escaped = at >= 2 && b[at - 2] == b'\\' && matches!(p, b'n' | b't' | b'r');
        if (p.is_ascii_alphanumeric() || matches!(p, b'.' | b'_' | b'-' | b'+')) && !escaped {
            return None;
        }
    }
    let mut i = at.checked_add(len)?;
    let spaced = match b.get(i) {
        Some(b':') => {
            i += 1;
            false
        }
        Some(b'*') if b.get(i + 1) == Some(&b'*') && b.get(i + 2) == Some(&b':') => {
            i += 3;
            false
        }
        Some(b' ' | b'\t') => true,
        _ => return None,
    };
    while matches!(b.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    if spaced && matches!(b.get(i), None | Some(b'\n' | b'\r')) {
        return None;
    }
    Some(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start(text: &str) -> Option<usize> {
        let at = text.find('@')?;
        let len = if text[at..].starts_with(REQUIREMENT) { REQUIREMENT.len() } else { PLAN.len() };
        value_start(text.as_bytes(), at, len)
    }

    #[test]
    fn separators() {
        assert_eq!(start("// @plan:PLAN-X"), Some(9));
        assert_eq!(start("// @plan:  PLAN-X"), Some(11));
        assert_eq!(start("- @plan**: PLAN-X"), Some(11));
        assert_eq!(start("// @plan PLAN-X"), Some(9));
        assert_eq!(start("// @plan\tPLAN-X"), Some(9));
        assert_eq!(start("\\n@plan:PLAN-X"), Some(8));
        // An explicit `:` with no value is a marker (its empty value is reported).
        assert_eq!(start("// @plan:"), Some(9));
    }

    #[test]
    fn not_markers() {
        for text in [
            "user@plan: x",
            "@planned x",
            "@plan-foo x",
            "x.@plan: y",
            "@plan",
            "// @plan   ",
            "@plan \r\nx",
            "@plan\t\nPLAN-X",
            "@requirement  ",
        ] {
            assert_eq!(start(text), None, "{text:?}");
        }
    }
}
