//! Reading input text: decoding (UTF-8, else Windows-1252), binary detection, line
//! splitting that is right for LF and CRLF files, and markdown fence detection shared
//! by the plan parser and the marker scanner.

use std::borrow::Cow;

/// How a file's bytes were turned into text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Valid UTF-8 (a leading byte-order mark is dropped).
    Utf8,
    /// Not valid UTF-8: decoded byte for byte as Windows-1252, which never fails.
    Windows1252,
}

/// The result of [`decode`]: the text, and how it was decoded.
#[derive(Debug)]
pub struct Decoded<'a> {
    /// The file's text, BOM removed.
    pub text: Cow<'a, str>,
    /// Which decoding produced `text`.
    pub encoding: Encoding,
}

/// True when `bytes` look binary: a NUL byte in the first 8 KiB (what git and
/// ripgrep use).
pub fn is_binary(bytes: &[u8]) -> bool {
    memchr::memchr(0, &bytes[..bytes.len().min(8192)]).is_some()
}

/// Decodes file bytes: UTF-8 when valid (BOM dropped), else Windows-1252, so a plan
/// written with cp1252 dashes loses no content. Never fails.
pub fn decode(bytes: &[u8]) -> Decoded<'_> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => Decoded { text: Cow::Borrowed(s), encoding: Encoding::Utf8 },
        Err(_) => {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            Decoded { text, encoding: Encoding::Windows1252 }
        }
    }
}

/// Splits text into lines without their terminators (`\n` or `\r\n`); line `i` of the
/// result is line `i + 1` of the file. A final newline does not add an empty line.
pub fn lines(text: &str) -> Vec<&str> {
    text.lines().collect()
}

/// The byte offset where each line starts; `starts[i]` is the start of line `i + 1`.
pub fn line_starts(text: &str) -> Vec<usize> {
    let mut starts = Vec::with_capacity(text.len() / 32 + 1);
    starts.push(0);
    starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1).filter(|&i| i < text.len()));
    starts
}

/// 1-based line number of byte `offset`, given [`line_starts`].
pub fn line_of(starts: &[usize], offset: usize) -> u32 {
    (starts.partition_point(|&s| s <= offset)) as u32
}

/// For each line of a markdown document, whether it belongs to a fenced code block
/// (the fence lines included), following CommonMark: a fence is three or more
/// backticks or tildes indented by at most three spaces; it closes on a line with the
/// same character repeated at least as often and nothing else. An unclosed fence runs
/// to the end of the document.
pub fn fenced_lines(lines: &[&str]) -> Vec<bool> {
    let mut out = Vec::with_capacity(lines.len());
    let mut open: Option<(u8, usize)> = None;
    for line in lines {
        let trimmed = line.trim_start_matches(' ');
        let indent = line.len() - trimmed.len();
        let fence = if indent <= 3 { fence_of(trimmed) } else { None };
        match (open, fence) {
            (None, Some((ch, n))) => {
                // A backtick fence's info string may not contain backticks.
                if ch == b'`' && trimmed[n..].contains('`') {
                    out.push(false);
                } else {
                    open = Some((ch, n));
                    out.push(true);
                }
            }
            (None, None) => out.push(false),
            (Some((ch, n)), Some((c2, m))) if c2 == ch && m >= n && trimmed[m..].trim().is_empty() => {
                open = None;
                out.push(true);
            }
            (Some(_), _) => out.push(true),
        }
    }
    out
}

fn fence_of(s: &str) -> Option<(u8, usize)> {
    let b = s.as_bytes();
    let ch = *b.first()?;
    if ch != b'`' && ch != b'~' {
        return None;
    }
    let n = b.iter().take_while(|&&c| c == ch).count();
    (n >= 3).then_some((ch, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_utf8_and_drops_bom() {
        let d = decode(b"\xEF\xBB\xBFhello");
        assert_eq!(d.text, "hello");
        assert_eq!(d.encoding, Encoding::Utf8);
    }

    #[test]
    fn decodes_cp1252_em_dash() {
        let d = decode(b"REQ-1 \x97 title");
        assert_eq!(d.text, "REQ-1 \u{2014} title");
        assert_eq!(d.encoding, Encoding::Windows1252);
    }

    #[test]
    fn detects_binary() {
        assert!(is_binary(b"\x89PNG\r\n\x1a\n\0\0"));
        assert!(!is_binary(b"plain text"));
    }

    #[test]
    fn lines_handle_crlf() {
        assert_eq!(lines("a\r\nb\r\n"), vec!["a", "b"]);
        assert_eq!(lines("a\nb"), vec!["a", "b"]);
    }

    #[test]
    fn line_of_maps_offsets() {
        let t = "ab\ncd\n\nef";
        let s = line_starts(t);
        assert_eq!(s, vec![0, 3, 6, 7]);
        assert_eq!(line_of(&s, 0), 1);
        assert_eq!(line_of(&s, 4), 2);
        assert_eq!(line_of(&s, 6), 3);
        assert_eq!(line_of(&s, 8), 4);
    }

    #[test]
    fn finds_fences() {
        let doc = ["text", "```ts", "@plan:X", "```", "after", "~~~~", "```", "~~~~", "````", "x"];
        assert_eq!(fenced_lines(&doc), vec![false, true, true, true, false, true, true, true, true, true]);
    }

    #[test]
    fn inline_backticks_are_not_a_fence() {
        assert_eq!(fenced_lines(&["```a` b", "x"]), vec![false, false]);
    }
}
