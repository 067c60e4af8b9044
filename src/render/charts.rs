//! Charts as inline SVG, made here with no library and no script: a histogram (how many
//! plans fall in each coverage band) and a stacked bar (phases by status). Every bar
//! carries its number as text and every chart a `<title>` and an `aria-label`, so a chart
//! reads without colour; colours come from classes in the theme's stylesheet (light and
//! dark). All text is escaped.

use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use std::fmt::Write as _;

/// Bar height and gap of a histogram row, in SVG units (px at 1×).
const ROW: u32 = 22;

/// A horizontal histogram: one row per bucket (`label`, count), bar length proportional
/// to the count, the count written after the bar; `class` names each bar's colour
/// (`chart-0` … in the stylesheet). Width 420 units.
pub fn histogram(title: &str, buckets: &[(String, usize)]) -> String {
    let max = buckets.iter().map(|b| b.1).max().unwrap_or(0).max(1);
    let (label_w, bar_w) = (130u32, 230u32);
    let height = ROW * buckets.len() as u32 + 4;
    let summary: Vec<String> = buckets.iter().map(|(l, n)| format!("{l}: {n}")).collect();
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" viewBox="0 0 420 {height}" width="420" height="{height}" role="img" aria-label="{}"><title>{}</title>"#,
        attr(&format!("{title}. {}", summary.join("; "))),
        text(title)
    );
    for (i, (label, n)) in buckets.iter().enumerate() {
        let y = ROW * i as u32 + 2;
        let w = if *n == 0 { 0 } else { ((*n as u64 * bar_w as u64) / max as u64).max(2) as u32 };
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" class="chart-label" text-anchor="end">{}</text><rect x="{label_w}" y="{y}" width="{w}" height="{}" class="chart-{}"/><text x="{}" y="{}" class="chart-value">{n}</text>"#,
            label_w - 6,
            y + 14,
            text(label),
            ROW - 6,
            i.min(9),
            label_w + w + 5,
            y + 14,
        );
    }
    s.push_str("</svg>");
    s
}

/// A stacked bar of parts (`label`, count, `class`) with a legend under it naming each
/// part and its count (wrapped to more rows when it does not fit). Width 420 units.
pub fn stacked(title: &str, parts: &[(&str, usize, &str)]) -> String {
    let total: usize = parts.iter().map(|p| p.1).sum();
    let summary: Vec<String> = parts.iter().map(|(l, n, _)| format!("{l}: {n}")).collect();
    let mut bars = String::new();
    let mut legend = String::new();
    let (mut x, mut lx, mut row) = (0u64, 0u32, 0u32);
    for (label, n, class) in parts {
        let w = if total == 0 { 0 } else { (*n as u64 * 420) / total as u64 };
        if w > 0 {
            let _ = write!(bars, r#"<rect x="{x}" y="0" width="{w}" height="16" class="{}"/>"#, attr(class));
        }
        x += w;
        let item = format!("{label} {n}");
        // About 7 units a character at the chart's 12 px font.
        let item_w = 14 + 7 * item.chars().count() as u32 + 12;
        if lx > 0 && lx + item_w > 420 {
            lx = 0;
            row += 1;
        }
        let y = 26 + 18 * row;
        let _ = write!(
            legend,
            r#"<rect x="{lx}" y="{y}" width="10" height="10" class="{}"/><text x="{}" y="{}" class="chart-label">{}</text>"#,
            attr(class),
            lx + 14,
            y + 9,
            text(&item)
        );
        lx += item_w;
    }
    let height = 26 + 18 * (row + 1);
    format!(
        r#"<svg class="chart" viewBox="0 0 420 {height}" width="420" height="{height}" role="img" aria-label="{}"><title>{}</title>{bars}{legend}</svg>"#,
        attr(&format!("{title}. {}", summary.join("; "))),
        text(title)
    )
}

/// The coverage band of `covered` of `total` requirements: `none`, `1–49 %`,
/// `50–99 %`, `all`; `None` without requirements.
pub fn band(covered: usize, total: usize) -> Option<usize> {
    if total == 0 {
        return None;
    }
    Some(match covered * 100 / total {
        _ if covered == 0 => 0,
        _ if covered == total => 3,
        p if p < 50 => 1,
        _ => 2,
    })
}

/// The labels of [`band`]'s values.
pub const BANDS: [&str; 4] = ["none", "1–49 %", "50–99 %", "all"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histograms_write_each_count_and_escape_labels() {
        let svg =
            histogram("Plans <by> coverage", &[("none".into(), 3), ("a&b".into(), 0), ("all".into(), 6)]);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("<title>Plans &lt;by&gt; coverage</title>"), "{svg}");
        assert!(svg.contains(">a&amp;b</text>"), "{svg}");
        assert!(
            svg.contains(r#"class="chart-value">6</text>"#)
                && svg.contains(r#"class="chart-value">0</text>"#)
        );
        assert!(svg.contains(r#"width="230""#), "the largest bucket fills the width: {svg}");
        assert!(svg.contains(r#"width="0""#), "an empty bucket has no bar");
        assert!(
            svg.contains("aria-label=\"Plans &lt;by&gt; coverage. none: 3; a&amp;b: 0; all: 6\""),
            "{svg}"
        );
    }

    #[test]
    fn stacked_bars_split_the_width_and_name_every_part() {
        let svg = stacked("Phases", &[("done", 3, "st-done"), ("pending", 1, "st-pending")]);
        assert!(svg.contains(r#"width="315" height="16" class="st-done""#), "{svg}");
        assert!(svg.contains(r#"x="315" y="0" width="105""#), "{svg}");
        assert!(svg.contains(">done 3</text>") && svg.contains(">pending 1</text>"));
        let empty = stacked("Phases", &[("done", 0, "st-done")]);
        assert!(!empty.contains("height=\"16\""), "no bar without phases: {empty}");
    }

    #[test]
    fn bands() {
        assert_eq!(band(0, 0), None);
        assert_eq!(band(0, 4), Some(0));
        assert_eq!(band(1, 4), Some(1));
        assert_eq!(band(2, 4), Some(2));
        assert_eq!(band(4, 4), Some(3));
    }
}
