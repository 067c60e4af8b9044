//! `MANIFEST.sha256`: one line per file in the format of GNU `sha256sum`, so
//! `sha256sum -c MANIFEST.sha256` checks a bundle with no tracemark at hand.
//!
//! A line is the hash in lower-case hex, two spaces and the path. A path holding a
//! backslash or a newline is escaped as `sha256sum` does: the line starts with `\`,
//! and in the path `\` becomes `\\` and a newline `\n` (a carriage return `\r` is
//! read back too, as newer versions of `sha256sum` write it).

use std::fmt::Write as _;

/// One line of the manifest: a path relative to the bundle's folder and its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sum {
    /// Path relative to the bundle's folder, `/`-separated.
    pub path: String,
    /// SHA-256, lower-case hex (64 characters).
    pub sha256: String,
}

/// The manifest's text for `sums`, one line each in the order given.
pub fn render(sums: &[Sum]) -> String {
    let mut out = String::new();
    for s in sums {
        if s.path.contains(['\\', '\n', '\r']) {
            let escaped = s.path.replace('\\', "\\\\").replace('\n', "\\n").replace('\r', "\\r");
            let _ = writeln!(out, "\\{}  {escaped}", s.sha256);
        } else {
            let _ = writeln!(out, "{}  {}", s.sha256, s.path);
        }
    }
    out
}

/// Reads a manifest. Errors name the 1-based line that is not `HASH  PATH` (or
/// `HASH *PATH`, binary mode) with a 64-digit hex hash and a path.
pub fn parse(text: &str) -> Result<Vec<Sum>, (usize, String)> {
    let mut sums = Vec::new();
    for (i, line) in text.split_terminator('\n').enumerate() {
        let n = i + 1;
        let (escaped, line) = match line.strip_prefix('\\') {
            Some(rest) => (true, rest),
            None => (false, line),
        };
        let bad = || (n, format!("not a `sha256sum` line (`HASH  PATH`): `{}`", line.escape_debug()));
        let (hash, rest) = line.split_at_checked(64).ok_or_else(bad)?;
        if !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        let path = rest.strip_prefix("  ").or_else(|| rest.strip_prefix(" *")).ok_or_else(bad)?;
        if path.is_empty() {
            return Err(bad());
        }
        let path = if escaped {
            unescape(path).ok_or_else(|| (n, format!("bad escape in the path `{}`", path.escape_debug())))?
        } else {
            path.to_string()
        };
        sums.push(Sum { path, sha256: hash.to_ascii_lowercase() });
    }
    Ok(sums)
}

/// `\\` → `\`, `\n` → newline, `\r` → carriage return; any other escape is an error.
fn unescape(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            '\\' => out.push('\\'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            _ => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sum(path: &str) -> Sum {
        Sum { path: path.into(), sha256: "ab".repeat(32) }
    }

    #[test]
    fn lines_are_sha256sum_lines_and_read_back() {
        let sums = vec![sum("index.html"), sum("files/a b.ts.html"), sum("odd\\name\nx")];
        let text = render(&sums);
        assert_eq!(text.lines().next(), Some(format!("{}  index.html", "ab".repeat(32)).as_str()));
        assert!(text.contains(&format!("\\{}  odd\\\\name\\nx\n", "ab".repeat(32))), "{text}");
        assert_eq!(parse(&text), Ok(sums));
    }

    #[test]
    fn malformed_lines_are_named() {
        assert_eq!(parse("zz  a\n").unwrap_err().0, 1);
        let good = render(&[sum("a")]);
        assert_eq!(parse(&format!("{good}{}x\n", "0".repeat(64))).unwrap_err().0, 2);
        assert_eq!(parse(&format!("\\{}  a\\q\n", "0".repeat(64))).unwrap_err().0, 1);
        assert_eq!(parse(&format!("{} *bin\n", "0".repeat(64))).unwrap()[0].path, "bin");
    }
}
