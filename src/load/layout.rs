//! Positioned glyphs → text lines: one visual baseline = one line, table cells on a line
//! separated by a tab.
//!
//! Both position-aware backends (the lopdf content walker and the pdf-extract output device)
//! produce [`Glyph`]s in PDF user space (y grows upwards); [`lines`] turns them into text.
//! When the backend also saw the drawn ruling lines ([`Rule`]s, the lopdf walker does),
//! [`lines_with_rules`] rebuilds bordered table cells first: a cell whose text wraps over
//! several lines stays one cell, and a table row becomes one line of tab-separated cells.

use super::columns::{Line as TextLine, Run};

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
/// Lines of a borderless table come out one per row, its cells in columns
/// ([`super::columns`]).
pub fn lines(glyphs: &[Glyph]) -> String {
    let gs: Vec<&Glyph> = glyphs.iter().collect();
    super::columns::lay_out(&baseline_runs(gs))
        .into_iter()
        .map(|(_, l)| l + "\n")
        .collect()
}

/// A drawn straight line (or rectangle edge), axis-aligned, in the glyphs' coordinates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rule {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
}

impl Rule {
    fn horizontal(&self) -> bool {
        (self.y1 - self.y0).abs() < 2.0 && (self.x1 - self.x0).abs() > 4.0
    }
    fn vertical(&self) -> bool {
        (self.x1 - self.x0).abs() < 2.0 && (self.y1 - self.y0).abs() > 4.0
    }
}

/// Rule pieces this close (pt) across are one line, and pieces of one line that touch or
/// overlap within it along are merged.
const RULE_EPS: f64 = 1.0;

/// An empty cell is at least this wide (pt); narrower gaps between side rules are double
/// borders.
const MIN_EMPTY_CELL: f64 = 5.0;

/// A cell open at the top or bottom (a row cut by a page break) needs this many ems free of
/// text beyond the end of its side rules.
const PAGE_CUT_EM: f64 = 2.5;

/// An axis-aligned ruling line: (position across, start along, end along).
type Line = (f64, f64, f64);

/// Merge collinear pieces into whole lines: producers draw borders one cell edge at a time,
/// so a column's side rule is a stack of pieces, one per row.
fn merge_lines(mut pieces: Vec<Line>) -> Vec<Line> {
    pieces.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let mut out: Vec<Line> = Vec::new();
    for p in pieces {
        let joined = out
            .iter_mut()
            .rev()
            .take_while(|m| (p.0 - m.0).abs() <= RULE_EPS)
            .find(|m| p.1 <= m.2 + RULE_EPS && m.1 <= p.2 + RULE_EPS);
        match joined {
            Some(m) => {
                m.1 = m.1.min(p.1);
                m.2 = m.2.max(p.2);
            }
            None => out.push(p),
        }
    }
    out
}

/// As [`lines`], but glyphs enclosed by ruling lines are grouped into cells; cells sharing
/// top and bottom rules form a row, written as one line with a tab between cells, empty
/// cells included (`\t设等统计工作\t`: a row continued from the previous page keeps its
/// empty first cell). Rows with a single cell (a framed paragraph, a page border) stay
/// plain lines.
///
/// A cell needs rules on its left and right and at least one across. A row cut by a page
/// break has no bottom rule on the first page and no top rule on the next; when no rule at
/// all lies on that side and no text follows closely (the page ends there), such a cell
/// ends where its side rules end.
pub fn lines_with_rules(glyphs: &[Glyph], rules: &[Rule]) -> String {
    let h_pieces: Vec<Line> = rules
        .iter()
        .filter(|r| r.horizontal())
        .map(|r| ((r.y0 + r.y1) / 2.0, r.x0.min(r.x1), r.x0.max(r.x1)))
        .collect();
    let v_pieces: Vec<Line> = rules
        .iter()
        .filter(|r| r.vertical())
        .map(|r| ((r.x0 + r.x1) / 2.0, r.y0.min(r.y1), r.y0.max(r.y1)))
        .collect();
    if h_pieces.len() < 2 || v_pieces.len() < 3 {
        return lines(glyphs);
    }
    // Whole lines, for where a side rule ends and which rules span a row.
    let h = merge_lines(h_pieces.clone());
    let v = merge_lines(v_pieces.clone());
    const EPS: f64 = RULE_EPS;
    // Cell key: (top, bottom, left, right) rule positions, rounded to 0.1 pt.
    type Key = (i64, i64, i64, i64);
    let q = |x: f64| (x * 10.0).round() as i64;
    let covers = |l: &Line, at: f64| l.1 - EPS <= at && at <= l.2 + EPS;
    // The whole side rule through (x, y): its lowest and highest point.
    let side_ends = |x: f64, y: f64| {
        v.iter()
            .find(|l| (l.0 - x).abs() <= EPS && covers(l, y))
            .map_or((y, y), |l| (l.1, l.2))
    };
    // Baselines of all visible glyphs, ascending: is there text between two heights?
    let mut ys: Vec<f64> = glyphs
        .iter()
        .filter(|g| !g.text.trim().is_empty() && g.y.is_finite())
        .map(|g| g.y)
        .collect();
    ys.sort_by(f64::total_cmp);
    let text_within = |lo: f64, hi: f64| {
        let i = ys.partition_point(|&y| y <= lo);
        ys.get(i).is_some_and(|&y| y < hi)
    };
    let keys: Vec<Option<Key>> = glyphs
        .iter()
        .map(|g| {
            let (cx, cy) = (g.x + g.w / 2.0, g.y + g.size.abs() / 3.0);
            let nearest = |ls: &[Line], at: f64, along: f64, above: bool| {
                ls.iter()
                    .filter(|r| covers(r, along) && if above { r.0 > at } else { r.0 < at })
                    .map(|r| r.0)
                    .reduce(if above { f64::min } else { f64::max })
            };
            let left = nearest(&v_pieces, cx, cy, false)?;
            let right = nearest(&v_pieces, cx, cy, true)?;
            let top = nearest(&h_pieces, cy, cx, true);
            let bottom = nearest(&h_pieces, cy, cx, false);
            // No rule at all above (or below) but side rules on both hands: a row cut by a
            // page break, closed where its side rules end - if the page ends there: text
            // right past that end means a table whose rows are not ruled, and its open part
            // is not one cell. Side rules alone make no cell.
            let (lo, hi) = {
                let ((l0, l1), (r0, r1)) = (side_ends(left, cy), side_ends(right, cy));
                (l0.max(r0), l1.min(r1))
            };
            let gap = PAGE_CUT_EM * g.size.abs().max(1.0);
            let (top, bottom) = match (top, bottom) {
                (Some(t), Some(b)) => (t, b),
                (Some(t), None) if !text_within(lo - gap, lo) => (t, lo),
                (None, Some(b)) if !text_within(hi, hi + gap) => (hi, b),
                _ => return None,
            };
            Some((q(top), q(bottom), q(left), q(right)))
        })
        .collect();
    let mut cells: std::collections::BTreeMap<Key, Vec<&Glyph>> = Default::default();
    for (g, k) in glyphs.iter().zip(&keys) {
        if let Some(k) = k {
            cells.entry(*k).or_default().push(g);
        }
    }
    // Rows: cells with the same top and bottom rule, as (left, right, text).
    type Cell = (i64, i64, String);
    let mut rows: std::collections::BTreeMap<(i64, i64), Vec<Cell>> = Default::default();
    for ((t, b, l, r), gs) in cells {
        let mut text = String::new();
        for (_, line) in baseline_lines(gs) {
            join_wrapped(&mut text, &line);
        }
        // A cell of blanks only is left to the empty-cell test below.
        if !text.is_empty() {
            rows.entry((t, b))
                .or_default()
                .push((l, r, text.replace('\t', " ")));
        }
    }
    // Empty cells: gaps between side rules that span the row, closed at the row's top and at
    // its bottom by a rule across the gap, or by nothing at all where the row is open (cut
    // by a page break). A gap ruled on one edge only is padding (a cell's shading inside
    // its borders), a gap beside the table is margin.
    for (&(t, b), row) in rows.iter_mut() {
        let (top, bottom) = (t as f64 / 10.0, b as f64 / 10.0);
        let closed = |y: f64, m: f64| {
            let at: Vec<&Line> = h.iter().filter(|r| (r.0 - y).abs() <= EPS).collect();
            at.is_empty() || at.iter().any(|r| r.1 < m && m < r.2)
        };
        let mut xs: Vec<f64> = v
            .iter()
            .filter(|r| covers(r, top) && covers(r, bottom))
            .map(|r| r.0)
            .collect();
        xs.sort_by(f64::total_cmp);
        for w in xs.windows(2) {
            let (a, z) = (q(w[0]), q(w[1]));
            let m = (w[0] + w[1]) / 2.0;
            if w[1] - w[0] >= MIN_EMPTY_CELL
                && closed(top, m)
                && closed(bottom, m)
                && !row.iter().any(|&(l, r, _)| l < z && a < r)
            {
                row.push((a, z, String::new()));
            }
        }
        row.sort_by_key(|c| c.0);
    }
    rows.retain(|_, cells| cells.len() >= 2 && cells.iter().any(|c| !c.2.is_empty()));
    let mut items: Vec<(f64, String)> = rows
        .iter()
        .map(|(&(t, _), cells)| {
            let texts: Vec<&str> = cells.iter().map(|c| c.2.as_str()).collect();
            (t as f64 / 10.0, texts.join("\t"))
        })
        .collect();
    // Everything outside multi-cell rows: plain baseline grouping.
    let rest: Vec<&Glyph> = glyphs
        .iter()
        .zip(&keys)
        .filter(|(_, k)| !k.is_some_and(|(t, b, _, _)| rows.contains_key(&(t, b))))
        .map(|(g, _)| g)
        .collect();
    items.extend(baseline_lines(rest));
    items.sort_by(|a, b| b.0.total_cmp(&a.0));
    items.into_iter().map(|(_, l)| l + "\n").collect()
}

/// Append a wrapped line of a cell: no space between CJK characters, one between words.
pub(super) fn join_wrapped(text: &mut String, line: &str) {
    let line = line.trim();
    if line.is_empty() {
        return;
    }
    let cjk = |c: char| c as u32 >= 0x2E80;
    if let (Some(a), Some(b)) = (text.chars().last(), line.chars().next())
        && !cjk(a)
        && !cjk(b)
    {
        text.push(' ');
    }
    text.push_str(line);
}

/// Baseline grouping: (baseline y, line text) from top to bottom.
fn baseline_lines(gs: Vec<&Glyph>) -> Vec<(f64, String)> {
    baseline_runs(gs)
        .into_iter()
        .map(|l| {
            let texts: Vec<&str> = l.runs.iter().map(|r| r.text.as_str()).collect();
            (l.y, texts.join("\t"))
        })
        .collect()
}

/// Baseline grouping into runs: top to bottom, each line's runs split at column gaps.
fn baseline_runs(gs: Vec<&Glyph>) -> Vec<TextLine> {
    let mut gs: Vec<&Glyph> = gs
        .into_iter()
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
    let mut out = Vec::new();
    for mut row in rows {
        let y = row[0].y;
        let em = row[0].size.abs();
        row.sort_by(|a, b| a.x.total_cmp(&b.x));
        let mut runs: Vec<Run> = Vec::new();
        let mut prev: Option<&Glyph> = None;
        for g in row {
            let end = g.x + g.w.max(0.0);
            match prev {
                Some(p) => {
                    let em = p.size.abs().max(g.size.abs()).max(1.0);
                    // Drawn twice (fake bold / shadow): the copy is offset by a fraction of
                    // the glyph's own advance, where the next of two narrow letters (`ll`,
                    // `..`) starts one advance on.
                    let dx = (g.x - p.x).abs();
                    if p.text == g.text
                        && dx < 0.3 * em
                        && dx < 0.5 * p.w.max(0.05 * em)
                        && (g.y - p.y).abs() < 0.3 * em
                    {
                        continue;
                    }
                    let gap = g.x - (p.x + p.w);
                    let run = runs.last_mut().expect("a run per earlier glyph");
                    if gap >= TAB_GAP_EM * em {
                        runs.push(Run {
                            x0: g.x,
                            x1: end,
                            text: g.text.clone(),
                            breaks: Vec::new(),
                        });
                    } else {
                        if gap >= SPACE_GAP_EM * em {
                            run.text.push(' ');
                            run.breaks.push((run.text.len(), run.x1, g.x));
                        }
                        run.text.push_str(&g.text);
                        run.x1 = run.x1.max(end);
                    }
                }
                None => runs.push(Run {
                    x0: g.x,
                    x1: end,
                    text: g.text.clone(),
                    breaks: Vec::new(),
                }),
            }
            prev = Some(g);
        }
        for r in &mut runs {
            r.text = r.text.trim_end().to_string();
        }
        out.push(TextLine { y, em, runs });
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
    fn ruled_cells_keep_wrapped_text_together() {
        // Two columns, x 0..50 and 50..100, one row y 600..700; a framed paragraph below.
        let r = |x0, y0, x1, y1| Rule { x0, y0, x1, y1 };
        let rules = vec![
            r(0.0, 700.0, 100.0, 700.0),
            r(0.0, 600.0, 100.0, 600.0),
            r(0.0, 600.0, 0.0, 700.0),
            r(50.0, 600.0, 50.0, 700.0),
            r(100.0, 600.0, 100.0, 700.0),
            // frame around a paragraph: a single cell, not a table row
            r(0.0, 500.0, 100.0, 500.0),
            r(0.0, 400.0, 100.0, 400.0),
            r(0.0, 400.0, 0.0, 500.0),
            r(100.0, 400.0, 100.0, 500.0),
        ];
        let glyphs = vec![
            g(5.0, 680.0, "甲"),
            g(15.0, 680.0, "乙"),
            g(5.0, 665.0, "丙"),
            g(55.0, 680.0, "丁"),
            g(5.0, 480.0, "戊"),
            g(5.0, 465.0, "己"),
            g(5.0, 300.0, "庚"),
        ];
        assert_eq!(
            lines_with_rules(&glyphs, &rules),
            "甲乙丙\t丁\n戊\n己\n庚\n"
        );
    }

    /// A three-column grid x 0..30..60..100, its horizontal rules at `ys`, its side rules
    /// from `bottom` to `top`, drawn one row at a time as office suites do.
    fn grid(ys: &[f64], bottom: f64, top: f64) -> Vec<Rule> {
        let r = |x0, y0, x1, y1| Rule { x0, y0, x1, y1 };
        let mut rules: Vec<Rule> = ys.iter().map(|&y| r(0.0, y, 100.0, y)).collect();
        let mut cuts: Vec<f64> = ys
            .iter()
            .copied()
            .filter(|&y| y > bottom && y < top)
            .collect();
        cuts.extend([bottom, top]);
        cuts.sort_by(f64::total_cmp);
        for w in cuts.windows(2) {
            for x in [0.0, 30.0, 60.0, 100.0] {
                rules.push(r(x, w[0], x, w[1]));
            }
        }
        rules
    }

    #[test]
    fn empty_cells_of_a_ruled_row_stay_cells() {
        // Row 700..650 has text in the middle cell only (a row continued from the page
        // before); row 650..600 is full. A page frame around everything adds no cells.
        let mut rules = grid(&[700.0, 650.0, 600.0], 600.0, 700.0);
        let r = |x0, y0, x1, y1| Rule { x0, y0, x1, y1 };
        rules.extend([
            r(-50.0, 0.0, -50.0, 800.0),
            r(150.0, 0.0, 150.0, 800.0),
            r(-50.0, 800.0, 150.0, 800.0),
            r(-50.0, 0.0, 150.0, 0.0),
        ]);
        let glyphs = vec![
            g(35.0, 680.0, "设"),
            g(5.0, 630.0, "1"),
            g(35.0, 630.0, "甲"),
            g(65.0, 630.0, "乙"),
        ];
        assert_eq!(lines_with_rules(&glyphs, &rules), "\t设\t\n1\t甲\t乙\n");
    }

    #[test]
    fn a_row_cut_by_the_page_end_closes_at_its_side_rules() {
        // Top of a page: the first row has no top rule (it began on the previous page),
        // only side rules up to y 760; the last row has no bottom rule (side rules to 80).
        let rules = grid(&[700.0, 650.0], 80.0, 760.0);
        let glyphs = vec![
            g(65.0, 730.0, "续"),
            g(65.0, 715.0, "完"),
            g(5.0, 680.0, "2"),
            g(35.0, 680.0, "甲"),
            g(65.0, 680.0, "乙"),
            g(5.0, 630.0, "3"),
            g(35.0, 630.0, "丙"),
            g(5.0, 50.0, "正"),
        ];
        assert_eq!(
            lines_with_rules(&glyphs, &rules),
            "\t\t续完\n2\t甲\t乙\n3\t丙\t\n正\n"
        );
    }

    #[test]
    fn an_unruled_table_body_followed_by_text_is_not_one_cell() {
        // Header row 700..650, body rows without rules down to the side rules' end at 600,
        // and a paragraph right below: the body is not a cell cut by the page end.
        let rules = grid(&[700.0, 650.0], 600.0, 700.0);
        let glyphs = vec![
            g(5.0, 680.0, "序"),
            g(35.0, 680.0, "甲"),
            g(65.0, 680.0, "乙"),
            g(5.0, 630.0, "1"),
            g(35.0, 630.0, "丙"),
            g(5.0, 610.0, "2"),
            g(35.0, 610.0, "丁"),
            g(5.0, 585.0, "正"),
        ];
        assert_eq!(
            lines_with_rules(&glyphs, &rules),
            "序\t甲\t乙\n1\t丙\n2\t丁\n正\n"
        );
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

    #[test]
    fn two_narrow_letters_in_a_row_are_not_fake_bold() {
        let narrow = |x: f64| Glyph {
            w: 2.2,
            ..g(x, 0.0, "l")
        };
        // `l` is 0.22 em wide: the second starts 2.2 pt on, under the 0.3 em of fake bold.
        assert_eq!(lines(&[narrow(0.0), narrow(2.2)]), "ll\n");
        assert_eq!(lines(&[narrow(0.0), narrow(0.4)]), "l\n");
    }
}
