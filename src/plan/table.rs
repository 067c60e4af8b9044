//! A small reader for GitHub-flavoured markdown tables: a header row, a delimiter row
//! (`|---|:--:|`), then body rows up to the first line that is not a table row. Lines
//! inside fenced code blocks never start or continue a table.
//!
//! Authors split long tables (trackers above all) with a blank line or a note line
//! (`> P04 was split`, `**Note:** …`) and go on writing rows without repeating the
//! header. Such rows continue the table when they have as many cells as its header,
//! the gap holds at most [`MAX_GAP_TEXT`] non-blank lines and no heading, and the rows
//! do not start a table of their own (no delimiter row under the first).

/// One markdown table of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Table {
    /// The header cells, trimmed, as written.
    pub(crate) header: Vec<String>,
    /// Body rows: the 1-based line number and the trimmed cells.
    pub(crate) rows: Vec<(u32, Vec<String>)>,
}

impl Table {
    /// The index of the first header cell whose normalised name (see [`header_key`])
    /// satisfies `pred`.
    pub(crate) fn column(&self, pred: impl Fn(&str) -> bool) -> Option<usize> {
        self.header.iter().position(|h| pred(&header_key(h)))
    }
}

/// A header cell reduced for matching: lower case, without `*`, `_` and backticks,
/// trimmed (`**Phase ID**` → `phase id`).
pub(crate) fn header_key(h: &str) -> String {
    h.chars().filter(|c| !matches!(c, '*' | '`')).collect::<String>().trim().to_lowercase()
}

/// A cell without emphasis, code ticks and surrounding brackets, for ID matching
/// (`` **`P05`** `` → `P05`).
pub(crate) fn plain_cell(c: &str) -> &str {
    c.trim().trim_matches(|ch: char| matches!(ch, '*' | '`' | '_' | '[' | ']') || ch.is_whitespace())
}

fn is_row(line: &str) -> bool {
    line.trim_start().starts_with('|')
}

fn is_delimiter(line: &str) -> bool {
    let t = line.trim();
    t.starts_with('|') && t.contains('-') && t.chars().all(|c| matches!(c, '|' | '-' | ':' | ' ' | '\t'))
}

/// Splits a row into trimmed cells, honouring `\|` escapes and `|` inside code spans.
pub(crate) fn split_row(line: &str) -> Vec<String> {
    let t = line.trim();
    let t = t.strip_prefix('|').unwrap_or(t);
    let mut cells = Vec::new();
    let mut cur = String::new();
    let mut in_code = false;
    let mut chars = t.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                cur.push('|');
                chars.next();
            }
            '`' => {
                in_code = !in_code;
                cur.push(c);
            }
            '|' if !in_code => cells.push(std::mem::take(&mut cur).trim().to_string()),
            _ => cur.push(c),
        }
    }
    // An unclosed code span: fall back to a plain split so a stray tick loses no cells.
    if in_code {
        let mut v: Vec<String> = t.split('|').map(|c| c.trim().to_string()).collect();
        if v.last().is_some_and(|c| c.is_empty()) {
            v.pop();
        }
        return v;
    }
    let last = cur.trim();
    if !last.is_empty() {
        cells.push(last.to_string());
    }
    cells
}

/// The most non-blank lines (notes) a gap between a table and its continuation rows
/// may hold.
pub(crate) const MAX_GAP_TEXT: usize = 2;

/// Where the rows continuing a table of `width` cells start, if the lines from `j` on
/// are a gap (blank lines and at most [`MAX_GAP_TEXT`] note lines; no heading, fence
/// or delimiter) followed by a row of `width` cells that heads no table of its own.
fn continuation(lines: &[&str], fenced: &[bool], j: usize, width: usize) -> Option<usize> {
    let mut text = 0;
    let mut k = j;
    while k < lines.len() && !fenced[k] && !is_row(lines[k]) {
        let t = lines[k].trim();
        if !t.is_empty() {
            text += 1;
            if text > MAX_GAP_TEXT || super::doc::heading(lines[k]).is_some() {
                return None;
            }
        }
        k += 1;
    }
    let starts_table = lines.get(k + 1).is_some_and(|l| is_delimiter(l));
    (k > j && k < lines.len() && !fenced[k] && !starts_table && split_row(lines[k]).len() == width)
        .then_some(k)
}

/// Every table of a document, given its lines and the fence mask of
/// [`crate::text::fenced_lines`]. Rows continuing a table after a blank or note line
/// (see the module docs) are its rows.
pub(crate) fn tables(lines: &[&str], fenced: &[bool]) -> Vec<Table> {
    let mut out = Vec::new();
    let mut i = 0;
    while i + 1 < lines.len() {
        if fenced[i] || fenced[i + 1] || !is_row(lines[i]) || !is_delimiter(lines[i + 1]) {
            i += 1;
            continue;
        }
        let header = split_row(lines[i]);
        let mut rows = Vec::new();
        let mut j = i + 2;
        loop {
            while j < lines.len() && !fenced[j] && is_row(lines[j]) {
                rows.push((j as u32 + 1, split_row(lines[j])));
                j += 1;
            }
            match continuation(lines, fenced, j, header.len()) {
                Some(k) => j = k,
                None => break,
            }
        }
        out.push(Table { header, rows });
        i = j;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_tables_outside_fences() {
        let doc = [
            "intro",
            "| Phase | Title |",
            "|---|---|",
            "| P01 | A `x|y` b |",
            "| P02 | B \\| C |",
            "",
            "```",
            "| P | Q |",
            "|---|---|",
            "```",
        ];
        let fenced = crate::text::fenced_lines(&doc);
        let t = tables(&doc, &fenced);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].header, vec!["Phase", "Title"]);
        assert_eq!(
            t[0].rows,
            vec![
                (4, vec!["P01".to_string(), "A `x|y` b".to_string()]),
                (5, vec!["P02".to_string(), "B | C".to_string()])
            ]
        );
    }

    #[test]
    fn rows_continue_after_a_blank_or_note_line() {
        let doc = [
            "| Phase | Status |",
            "|---|---|",
            "| P01 | ✅ |",
            "",
            "| P02 | ✅ |",
            "> Note: P03 was split.",
            "| P03 | [ ] |",
            "",
            "**Note:** one",
            "two",
            "| P04 | ✅ |",
            "## Next",
            "| P05 | ✅ |",
            "",
            "| Other | Table |",
            "|---|---|",
            "| x | y |",
            "",
            "| three | cells | here |",
        ];
        let t = tables(&doc, &crate::text::fenced_lines(&doc));
        let lines: Vec<Vec<u32>> = t.iter().map(|t| t.rows.iter().map(|r| r.0).collect()).collect();
        assert_eq!(lines, vec![vec![3, 5, 7, 11], vec![17]]);
        let three = ["| A | B |", "|---|---|", "| 1 | 2 |", "", "x", "y", "z", "| 3 | 4 |"];
        let t = tables(&three, &crate::text::fenced_lines(&three));
        assert_eq!(t[0].rows.len(), 1, "three note lines end the table");
    }

    #[test]
    fn keeps_empty_cells_and_normalises() {
        assert_eq!(split_row("| a || c |"), vec!["a", "", "c"]);
        assert_eq!(split_row("| a | ``b"), vec!["a", "``b"]);
        assert_eq!(header_key("**Phase ID**"), "phase id");
        assert_eq!(plain_cell(" **`P05`** "), "P05");
    }
}
