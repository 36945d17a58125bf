//! Positioned glyphs → text lines: one visual baseline = one line, table cells on a line
//! separated by a tab.
//!
//! Both position-aware backends (the lopdf content walker and the pdf-extract output device)
//! produce [`Glyph`]s in PDF user space (y grows upwards); [`lines`] turns them into text.

/// One shown character (or ligature) with its origin, advance and rendered size.
#[derive(Debug, Clone, PartialEq)]
pub struct Glyph {
    pub x: f64,
    pub y: f64,
    /// Advance width in the same units as `x`.
    pub w: f64,
    /// Rendered font size (height of 1 em).
    pub size: f64,
    pub text: String,
}

/// A gap of at least this many ems between two glyphs on one baseline is a cell boundary.
const TAB_GAP_EM: f64 = 1.0;
/// A gap of at least this many ems is a word space.
const SPACE_GAP_EM: f64 = 0.2;
/// Baselines closer than this many ems are the same line.
const SAME_LINE_EM: f64 = 0.4;

/// Group glyphs into lines by baseline (top to bottom), order each line by x, and join:
/// nothing between touching glyphs, a space for a word gap, a tab for a column gap.
/// Identical glyphs drawn twice at (almost) the same place — fake bold — are kept once.
pub fn lines(glyphs: &[Glyph]) -> String {
    let mut gs: Vec<&Glyph> = glyphs
        .iter()
        .filter(|g| !g.text.trim().is_empty() && g.x.is_finite() && g.y.is_finite())
        .collect();
    // Top of the page first; on one baseline left to right.
    gs.sort_by(|a, b| b.y.total_cmp(&a.y).then(a.x.total_cmp(&b.x)));
    let mut rows: Vec<Vec<&Glyph>> = Vec::new();
    for g in gs {
        let tol = SAME_LINE_EM * g.size.abs().max(1.0);
        match rows.last_mut() {
            Some(row) if (row[0].y - g.y).abs() <= tol => row.push(g),
            _ => rows.push(vec![g]),
        }
    }
    let mut out = String::new();
    for mut row in rows {
        row.sort_by(|a, b| a.x.total_cmp(&b.x));
        let mut line = String::new();
        let mut prev: Option<&Glyph> = None;
        for g in row {
            if let Some(p) = prev {
                let em = p.size.abs().max(g.size.abs()).max(1.0);
                if p.text == g.text && (g.x - p.x).abs() < 0.3 * em && (g.y - p.y).abs() < 0.3 * em
                {
                    continue; // drawn twice (fake bold / shadow)
                }
                let gap = g.x - (p.x + p.w);
                if gap >= TAB_GAP_EM * em {
                    line.push('\t');
                } else if gap >= SPACE_GAP_EM * em {
                    line.push(' ');
                }
            }
            line.push_str(&g.text);
            prev = Some(g);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(x: f64, y: f64, t: &str) -> Glyph {
        Glyph {
            x,
            y,
            w: 10.0,
            size: 10.0,
            text: t.into(),
        }
    }

    #[test]
    fn one_line_per_baseline_and_tabs_between_cells() {
        // Drawn out of order: second row first, cells right to left.
        let glyphs = vec![
            g(200.0, 680.0, "乙"),
            g(10.0, 680.0, "2"),
            g(100.0, 700.5, "甲"),
            g(110.0, 700.0, "方"),
            g(10.0, 700.0, "1"),
        ];
        assert_eq!(lines(&glyphs), "1\t甲方\n2\t乙\n");
    }

    #[test]
    fn word_gaps_are_spaces_and_duplicates_dropped() {
        let glyphs = vec![
            g(0.0, 0.0, "A"),
            g(0.5, 0.0, "A"),
            g(13.0, 0.0, "B"),
            g(23.0, 0.0, " "),
        ];
        assert_eq!(lines(&glyphs), "A B\n");
    }
}
