//! Reading input text: decoding (UTF-8, UTF-16 with a byte-order mark, else UTF-8
//! with its invalid sequences read as Windows-1252), binary detection, line splitting
//! that is right for LF, CRLF and lone-CR files, and markdown fence detection shared
//! by the plan parser and the marker scanner.

use std::borrow::Cow;

/// How a file's bytes were turned into text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Valid UTF-8 (a leading byte-order mark is dropped).
    Utf8,
    /// UTF-16, little-endian, announced by its byte-order mark (`FF FE`).
    Utf16Le,
    /// UTF-16, big-endian, announced by its byte-order mark (`FE FF`).
    Utf16Be,
    /// Not valid UTF-8 and no multi-byte UTF-8 character in it: decoded byte for byte
    /// as Windows-1252, which never fails.
    Windows1252,
    /// Mostly UTF-8 with a few invalid sequences: the UTF-8 text is kept as it is and
    /// only the invalid bytes are decoded as Windows-1252.
    MixedWindows1252,
}

/// The result of [`decode`]: the text, and how it was decoded.
#[derive(Debug)]
pub struct Decoded<'a> {
    /// The file's text, BOM removed.
    pub text: Cow<'a, str>,
    /// Which decoding produced `text`.
    pub encoding: Encoding,
    /// For [`Encoding::Windows1252`] and [`Encoding::MixedWindows1252`]: the 1-based
    /// lines holding bytes that are not valid UTF-8, in order; empty otherwise.
    pub cp1252_lines: Vec<u32>,
}

/// True when `bytes` look binary: a NUL byte in the first 8 KiB (what git and
/// ripgrep use). UTF-16 text holds NUL bytes too: see [`utf16_bom`] first.
pub fn is_binary(bytes: &[u8]) -> bool {
    memchr::memchr(0, &bytes[..bytes.len().min(8192)]).is_some()
}

/// The UTF-16 encoding announced by a leading byte-order mark, if any.
pub fn utf16_bom(bytes: &[u8]) -> Option<Encoding> {
    if bytes.starts_with(b"\xFF\xFE") {
        Some(Encoding::Utf16Le)
    } else if bytes.starts_with(b"\xFE\xFF") {
        Some(Encoding::Utf16Be)
    } else {
        None
    }
}

/// Decodes file bytes. Never fails, never drops a byte:
/// - a UTF-16 byte-order mark selects UTF-16 (LE or BE; unpaired surrogates become
///   U+FFFD);
/// - valid UTF-8 is taken as it is (a UTF-8 BOM dropped);
/// - otherwise each invalid UTF-8 sequence is decoded as Windows-1252 and the valid
///   UTF-8 around it is kept (`—` stays `—` in a file with one stray `0x97` byte); a file
///   with no multi-byte UTF-8 character at all is plain Windows-1252.
pub fn decode(bytes: &[u8]) -> Decoded<'_> {
    if let Some(encoding) = utf16_bom(bytes) {
        let codec = if encoding == Encoding::Utf16Le { encoding_rs::UTF_16LE } else { encoding_rs::UTF_16BE };
        let (text, _) = codec.decode_without_bom_handling(&bytes[2..]);
        return Decoded { text, encoding, cp1252_lines: Vec::new() };
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Decoded { text: Cow::Borrowed(s), encoding: Encoding::Utf8, cp1252_lines: Vec::new() };
    }
    let mut text = String::with_capacity(bytes.len() + bytes.len() / 8);
    let mut cp1252_lines = Vec::new();
    let mut multibyte = false;
    let mut line = 1u32;
    let mut rest = bytes;
    while !rest.is_empty() {
        let (valid, bad) = match std::str::from_utf8(rest) {
            Ok(s) => (s, &[][..]),
            Err(e) => {
                let (ok, tail) = rest.split_at(e.valid_up_to());
                let n = e.error_len().unwrap_or(tail.len());
                // `valid_up_to` marks a valid UTF-8 prefix, so this never falls back.
                (std::str::from_utf8(ok).unwrap_or_default(), &tail[..n])
            }
        };
        multibyte |= !valid.is_ascii();
        line += memchr::memchr_iter(b'\n', valid.as_bytes()).count() as u32;
        text.push_str(valid);
        if !bad.is_empty() {
            if cp1252_lines.last() != Some(&line) {
                cp1252_lines.push(line);
            }
            let (decoded, _, _) = encoding_rs::WINDOWS_1252.decode(bad);
            line += decoded.matches('\n').count() as u32;
            text.push_str(&decoded);
        }
        rest = &rest[valid.len() + bad.len()..];
    }
    let encoding = if multibyte { Encoding::MixedWindows1252 } else { Encoding::Windows1252 };
    Decoded { text: Cow::Owned(text), encoding, cp1252_lines }
}

/// Turns every lone CR (a `\r` not followed by `\n`, the line break of classic Mac
/// files) into `\n`, so every reader splits lines alike; CRLF is left alone.
pub fn normalise_lone_cr(text: &mut String) {
    let b = text.as_bytes();
    if !memchr::memchr_iter(b'\r', b).any(|i| b.get(i + 1) != Some(&b'\n')) {
        return;
    }
    let mut bytes = std::mem::take(text).into_bytes();
    for i in 0..bytes.len() {
        if bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n') {
            bytes[i] = b'\n';
        }
    }
    // Replacing one ASCII byte by another keeps the text valid UTF-8.
    *text = String::from_utf8(bytes).unwrap_or_default();
}

/// A text held LZ4-compressed in memory: the text of a source file with markers, kept
/// from scanning until its pages are rendered, at a third to a quarter of its size
/// (code compresses well). [`Packed::unpack`] gives the text back, exactly.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Packed {
    /// The LZ4 block (`lz4_flex::block`) of the text's UTF-8 bytes.
    block: Box<[u8]>,
    /// The text's length in bytes.
    len: usize,
    /// Its number of lines, as `str::lines` counts them.
    lines: usize,
}

impl Packed {
    /// Compresses `text`.
    pub fn new(text: &str) -> Packed {
        let breaks = memchr::memchr_iter(b'\n', text.as_bytes()).count();
        let lines = breaks + usize::from(!text.is_empty() && !text.ends_with('\n'));
        Packed {
            block: lz4_flex::block::compress(text.as_bytes()).into_boxed_slice(),
            len: text.len(),
            lines,
        }
    }

    /// The text, decompressed (a fresh copy each time).
    pub fn unpack(&self) -> String {
        // The block was made by `new` from valid UTF-8 and never changed: both steps
        // succeed. Were they ever to fail, the text would read as empty, not panic.
        let bytes = lz4_flex::block::decompress(&self.block, self.len).unwrap_or_default();
        String::from_utf8(bytes).unwrap_or_default()
    }

    /// The text's length in bytes (not the compressed size).
    pub fn len(&self) -> usize {
        self.len
    }

    /// The number of lines, as `str::lines` counts them (a final newline does not add
    /// an empty line).
    pub fn lines(&self) -> usize {
        self.lines
    }

    /// Whether the text is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl From<&str> for Packed {
    fn from(text: &str) -> Packed {
        Packed::new(text)
    }
}

impl std::fmt::Debug for Packed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Packed({} bytes in {})", self.len, self.block.len())
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
    fn packed_text_unpacks_to_itself_and_counts_lines_like_str_lines() {
        let long = "const a = 1; // @plan:PLAN-20260101-X.P01\n".repeat(200);
        for text in ["", "\n", "a", "a\n", "a\r\nb", "a\rb\r", "é\n\n€ ✓", long.as_str()] {
            let p = Packed::new(text);
            assert_eq!(p.unpack(), text);
            assert_eq!(p.len(), text.len());
            assert_eq!(p.is_empty(), text.is_empty());
            assert_eq!(p.lines(), text.lines().count(), "{text:?}");
        }
        // Repetitive code is held in a fraction of its size.
        assert!(Packed::new(&long).block.len() * 4 < long.len());
    }

    proptest::proptest! {
        #[test]
        fn any_text_survives_packing(text in "(?s).{0,300}") {
            let p = Packed::new(&text);
            proptest::prop_assert_eq!(p.unpack(), text.clone());
            proptest::prop_assert_eq!(p.lines(), text.lines().count());
        }
    }

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
    fn decodes_utf16_with_a_bom() {
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("// @plan:PLAN-A1 —\n".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let d = decode(&le);
        assert_eq!((d.text.as_ref(), d.encoding), ("// @plan:PLAN-A1 —\n", Encoding::Utf16Le));
        let be: Vec<u8> =
            [0xFE, 0xFF].into_iter().chain("x\ny".encode_utf16().flat_map(u16::to_be_bytes)).collect();
        let d = decode(&be);
        assert_eq!((d.text.as_ref(), d.encoding), ("x\ny", Encoding::Utf16Be));
        assert!(is_binary(&le), "UTF-16 holds NUL bytes: the BOM must be checked first");
        assert_eq!(utf16_bom(b"plain"), None);
    }

    #[test]
    fn mixed_file_keeps_its_utf8_and_names_the_cp1252_lines() {
        let mut bytes = "a — b\nplain\nc ".as_bytes().to_vec();
        bytes.extend_from_slice(b"\x97 d \x93q\x94\ne ");
        bytes.extend_from_slice("—".as_bytes());
        bytes.extend_from_slice(b" \x96\n");
        let d = decode(&bytes);
        assert_eq!(d.text, "a — b\nplain\nc — d “q”\ne — –\n");
        assert_eq!(d.encoding, Encoding::MixedWindows1252);
        assert_eq!(d.cp1252_lines, vec![3, 4]);
        let d = decode(b"caf\xe9\nok\n");
        assert_eq!(
            (d.text.as_ref(), d.encoding, d.cp1252_lines),
            ("café\nok\n", Encoding::Windows1252, vec![1])
        );
    }

    #[test]
    fn lone_cr_becomes_a_line_break() {
        let mut t = "a\rb\r\nc\r".to_string();
        normalise_lone_cr(&mut t);
        assert_eq!(t, "a\nb\r\nc\n");
        assert_eq!(lines(&t), vec!["a", "b", "c"]);
        let mut t = "x\r\ny".to_string();
        normalise_lone_cr(&mut t);
        assert_eq!(t, "x\r\ny");
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
