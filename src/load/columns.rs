//! Tables drawn without borders: text lines → rows of column cells, from glyph positions.
//!
//! A PDF table without ruling lines is just text placed in columns. Read line by line, its
//! cells come out as runs separated by wide gaps, but a cell that wraps puts its second line
//! on a line of its own, where nothing says which column it belongs to or that it belongs to
//! the row above. This module does what pdfplumber's text strategy does — columns are the
//! x-ranges that the runs of consecutive lines occupy — and then keeps wrapped lines
//! together: a line continues the row above when every run it has sits in a column whose
//! previous line reached that column's right edge (the text had to wrap), it leaves a column
//! empty, and it is no further below than the tightest line pitch of the block (rows are
//! usually set apart by cell padding, wrapped lines are not). Each row becomes one line of
//! tab-separated cells, empty cells included, as the ruled-cell reader
//! ([`super::layout::lines_with_rules`]) writes a bordered table.

/// A run of glyphs on one baseline with no column gap inside.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub x0: f64,
    pub x1: f64,
    pub text: String,
    /// Word starts inside the run: (byte offset in `text`, end of the word before, x of the
    /// word). A run that
    /// crosses into the next column is cut at the one where that column starts (a cell
    /// that filled its column up to a narrow gap).
    pub breaks: Vec<(usize, f64, f64)>,
}

impl Run {
    /// The run cut at word starts lying on a column start other than its own.
    fn split_at_columns(&self, cols: &[(f64, f64)], tol: f64) -> Vec<Run> {
        let cut = self
            .breaks
            .iter()
            .find(|&&(_, _, x)| x > self.x0 + tol && cols.iter().any(|c| (c.0 - x).abs() <= tol));
        let Some(&(at, end, x)) = cut else {
            return vec![self.clone()];
        };
        let head = Run {
            x0: self.x0,
            x1: end,
            text: self.text[..at].trim_end().to_string(),
            breaks: self.breaks.iter().copied().filter(|b| b.0 < at).collect(),
        };
        let tail = Run {
            x0: x,
            x1: self.x1,
            text: self.text[at..].to_string(),
            breaks: self
                .breaks
                .iter()
                .filter(|b| b.0 > at)
                .map(|&(i, e, x)| (i - at, e, x))
                .collect(),
        };
        let mut out = vec![head];
        out.extend(tail.split_at_columns(cols, tol));
        out
    }
}

/// One baseline: its height, the font size (1 em) and its runs, left to right.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub y: f64,
    pub em: f64,
    pub runs: Vec<Run>,
}

impl Line {
    /// The line as text: runs separated by a tab.
    fn joined(&self) -> String {
        let texts: Vec<&str> = self.runs.iter().map(|r| r.text.as_str()).collect();
        texts.join("\t")
    }
}

/// A table starts at a line of at least this many runs (a header or a full row).
const MIN_ANCHOR_RUNS: usize = 3;
/// Runs closer than this many ems to a column's x-range belong to it.
const COLUMN_TOLERANCE_EM: f64 = 0.3;
/// A line further below the previous one than this many ems ends the table.
const MAX_LINE_GAP_EM: f64 = 3.0;
/// A cell line ending within this many ems of its column's widest line filled the column.
const FULL_EM: f64 = 1.5;
/// A line further below than this times the block's tightest pitch starts a new row.
const ROW_GAP_RATIO: f64 = 1.2;

/// Lines → (baseline, text) from top to bottom, with the lines of each borderless table
/// rebuilt into one tab-separated line per row. Lines outside tables are their runs joined
/// by tabs, as before.
pub fn lay_out(lines: &[Line]) -> Vec<(f64, String)> {
    let mut out = Vec::new();
    let mut next = 0;
    for t in tables(lines) {
        out.extend(lines[next..t.lines.start].iter().map(|l| (l.y, l.joined())));
        out.extend(t.rows);
        next = t.lines.end;
    }
    out.extend(lines[next..].iter().map(|l| (l.y, l.joined())));
    out
}

/// A written row: (baseline of its first line, tab-separated cells).
pub type Row = (f64, String);
/// A column's x-range: (left, right).
type Span = (f64, f64);
/// A line's runs with the column each sits in.
type Placed = Vec<(usize, Run)>;

/// A borderless table found in a page's lines.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The lines it was read from.
    pub lines: std::ops::Range<usize>,
    /// Its rows: (baseline of the row's first line, tab-separated cells).
    pub rows: Vec<(f64, String)>,
}

/// The borderless tables among `lines` (top to bottom), in order.
pub fn tables(lines: &[Line]) -> Vec<Table> {
    let mut out = Vec::new();
    let mut i = 0;
    // Lines left as text since the last table: a table may take them back as its first row
    // (a label or header cell wrapped above the table's first full line).
    let mut plain = 0;
    while i < lines.len() {
        if lines[i].runs.len() >= MIN_ANCHOR_RUNS
            && let Some((head, end, rows)) = table_at(lines, i, plain.min(MAX_HEAD_LINES))
        {
            out.push(Table {
                lines: i - head..end,
                rows,
            });
            i = end;
            plain = 0;
            continue;
        }
        plain += 1;
        i += 1;
    }
    out
}

/// At most this many lines above a table's first full line can be its first row.
const MAX_HEAD_LINES: usize = 3;

/// The table whose first full line is `lines[start]`: how many of the `free` lines above it
/// it takes as its first row (each of their runs in one column, close above), the index
/// after its last line, and its rows; None when fewer than two rows have two cells or more.
fn table_at(lines: &[Line], start: usize, free: usize) -> Option<(usize, usize, Vec<Row>)> {
    // Pass 1: columns as x-ranges, and each line's runs by column.
    let mut cols: Vec<(f64, f64)> = lines[start].runs.iter().map(|r| (r.x0, r.x1)).collect();
    let mut placed: Vec<Placed> = vec![lines[start].runs.iter().cloned().enumerate().collect()];
    let mut end = start + 1;
    while end < lines.len() {
        let l = &lines[end];
        let em = l.em.max(1.0);
        if lines[end - 1].y - l.y > MAX_LINE_GAP_EM * em {
            break;
        }
        let Some((next, at)) = place(&cols, l, COLUMN_TOLERANCE_EM * em) else {
            break;
        };
        cols = next;
        placed.push(at);
        end += 1;
    }
    // Lines just above the first full line that are one wrapped row: each run in one
    // column, every line but the last filling its column (a label cell over two lines
    // above the header). A single short line above a table is text (a title, a unit note).
    let mut head = 0;
    while head < free {
        let (l, below) = (&lines[start - head - 1], &lines[start - head]);
        let em = l.em.max(1.0);
        let tol = COLUMN_TOLERANCE_EM * em;
        let column = |r: &Run| {
            let hits: Vec<usize> = (0..cols.len())
                .filter(|&c| r.x0 < cols[c].1 + tol && cols[c].0 - tol < r.x1)
                .collect();
            (hits.len() == 1).then(|| hits[0])
        };
        let fits = l
            .runs
            .iter()
            .all(|r| column(r).is_some_and(|c| head == 0 || r.x1 >= cols[c].1 - FULL_EM * em));
        if l.y - below.y > MAX_LINE_GAP_EM * em || !fits {
            break;
        }
        head += 1;
    }
    if head < 2 {
        head = 0;
    }
    let first = start - head;
    for j in (first..start).rev() {
        let (_, at) = place(&cols, &lines[j], COLUMN_TOLERANCE_EM * lines[j].em.max(1.0))?;
        placed.insert(0, at);
    }
    // Columns left to right (a column first met below its header sits anywhere).
    let mut order: Vec<usize> = (0..cols.len()).collect();
    order.sort_by(|&a, &b| cols[a].0.total_cmp(&cols[b].0));
    let rank: Vec<usize> = {
        let mut r = vec![0; cols.len()];
        for (k, &c) in order.iter().enumerate() {
            r[c] = k;
        }
        r
    };
    let pitch = (first + 1..end)
        .map(|j| lines[j - 1].y - lines[j].y)
        .filter(|g| *g > 0.0)
        .reduce(f64::min)
        .unwrap_or(0.0);
    // Pass 2: rows, wrapped lines joined to the row above.
    struct Row {
        y: f64,
        cells: Vec<String>,
        /// Right end of each column's last line, where the row has one.
        last: Vec<Option<f64>>,
        lines: usize,
    }
    let mut rows: Vec<Row> = Vec::new();
    for (j, at) in (first..end).zip(&placed) {
        let l = &lines[j];
        let em = l.em.max(1.0);
        let continues = rows.last().is_some_and(|row| {
            let gap = lines[j - 1].y - l.y;
            let full = |c: usize, r: &Run| {
                row.last[rank[c]].is_some_and(|x1| x1 >= cols[c].1 - FULL_EM * em)
                    && r.x0 <= cols[c].0 + FULL_EM * em
            };
            gap <= ROW_GAP_RATIO * pitch
                && at.len() < cols.len()
                && at.iter().all(|(c, r)| full(*c, r))
        });
        if !continues {
            rows.push(Row {
                y: l.y,
                cells: vec![String::new(); cols.len()],
                last: vec![None; cols.len()],
                lines: 0,
            });
        }
        let row = rows.last_mut().expect("a row was just pushed");
        for (c, r) in at {
            super::layout::join_wrapped(&mut row.cells[rank[*c]], &r.text);
            row.last[rank[*c]] = Some(r.x1);
        }
        row.lines += 1;
    }
    // Trailing one-cell rows are text after the table (a heading, a note), not rows.
    let mut line_end = end;
    while rows
        .last()
        .is_some_and(|r| r.cells.iter().filter(|c| !c.is_empty()).count() < 2)
    {
        line_end -= rows.pop().map_or(0, |r| r.lines);
    }
    let wide = rows
        .iter()
        .filter(|r| r.cells.iter().filter(|c| !c.is_empty()).count() >= 2)
        .count();
    if wide < 2 {
        return None;
    }
    let out = rows
        .into_iter()
        .map(|r| (r.y, r.cells.join("\t")))
        .collect();
    Some((head, line_end, out))
}

/// Runs of `line` placed in `cols` (a run joins the one column whose x-range it overlaps; a
/// run in a gap opens a new column when the line has other runs): the widened columns and
/// (column, run) pairs, or None when a run spans two columns or the line has a single run
/// outside every column - text, not a table line.
fn place(cols: &[(f64, f64)], line: &Line, tol: f64) -> Option<(Vec<Span>, Placed)> {
    let mut next = cols.to_vec();
    let mut at: Vec<(usize, Run)> = Vec::new();
    let runs: Vec<Run> = line
        .runs
        .iter()
        .flat_map(|r| r.split_at_columns(cols, tol))
        .collect();
    for r in &runs {
        let hits: Vec<usize> = (0..cols.len())
            .filter(|&c| r.x0 < cols[c].1 + tol && cols[c].0 - tol < r.x1)
            .collect();
        let c = match hits[..] {
            [c] => c,
            [] if runs.len() >= 2 => {
                next.push((r.x0, r.x1));
                next.len() - 1
            }
            _ => return None,
        };
        match at.last_mut() {
            // Two runs in one column: a wide gap inside a cell, kept as a space.
            Some((p, run)) if *p == c => {
                run.text.push(' ');
                run.text.push_str(&r.text);
                run.x1 = r.x1;
            }
            _ => at.push((c, r.clone())),
        }
        next[c] = (next[c].0.min(r.x0), next[c].1.max(r.x1));
    }
    // Widened columns must not run into each other.
    let mut xs = next.clone();
    xs.sort_by(|a, b| a.0.total_cmp(&b.0));
    if xs.windows(2).any(|w| w[0].1 > w[1].0) {
        return None;
    }
    Some((next, at))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A line at height `y` with runs (x0, text); each character 10 wide.
    fn line(y: f64, runs: &[(f64, &str)]) -> Line {
        Line {
            y,
            em: 10.0,
            runs: runs
                .iter()
                .map(|&(x0, t)| Run {
                    x0,
                    x1: x0 + 10.0 * t.chars().count() as f64,
                    text: t.into(),
                    breaks: Vec::new(),
                })
                .collect(),
        }
    }

    fn text(lines: &[Line]) -> Vec<String> {
        lay_out(lines).into_iter().map(|(_, t)| t).collect()
    }

    #[test]
    fn wrapped_cells_stay_in_their_row_and_column() {
        // Columns at x 0, 40 and 200 (each 150 wide at most); row pitch 20, wrap pitch 14.
        let lines = vec![
            line(800.0, &[(0.0, "前文")]),
            line(
                770.0,
                &[(0.0, "序号"), (40.0, "年初目标值"), (200.0, "实际完成情况")],
            ),
            line(
                750.0,
                &[(0.0, "1"), (40.0, "改造小区12个"), (200.0, "完成12个")],
            ),
            line(
                730.0,
                &[
                    (0.0, "2"),
                    (40.0, "改造管网九点六公里"),
                    (200.0, "完成改造九点六公里另"),
                ],
            ),
            line(716.0, &[(200.0, "有剩余")]),
            line(
                696.0,
                &[
                    (0.0, "3"),
                    (40.0, "加装电梯二十部以上"),
                    (200.0, "完成十四部"),
                ],
            ),
            line(682.0, &[(40.0, "并验收")]),
            line(662.0, &[(0.0, "4"), (200.0, "全部完成")]),
            line(630.0, &[(0.0, "后文一段")]),
        ];
        assert_eq!(
            text(&lines),
            [
                "前文",
                "序号\t年初目标值\t实际完成情况",
                "1\t改造小区12个\t完成12个",
                "2\t改造管网九点六公里\t完成改造九点六公里另有剩余",
                "3\t加装电梯二十部以上并验收\t完成十四部",
                "4\t\t全部完成",
                "后文一段",
            ]
        );
    }

    #[test]
    fn a_short_line_under_a_cell_that_did_not_fill_its_column_is_a_row() {
        // Row 1's indicator ends short of the column's widest line: the next line, though
        // close below, starts a row of its own (its first cell merged away).
        let lines = vec![
            line(
                770.0,
                &[(0.0, "序"), (40.0, "指标名称甲乙丙丁"), (200.0, "值")],
            ),
            line(756.0, &[(0.0, "1"), (40.0, "短"), (200.0, "5")]),
            line(742.0, &[(40.0, "另一指标"), (200.0, "6")]),
        ];
        assert_eq!(
            text(&lines),
            ["序\t指标名称甲乙丙丁\t值", "1\t短\t5", "\t另一指标\t6"]
        );
    }

    #[test]
    fn paragraphs_and_lines_spanning_columns_are_not_tables() {
        let lines = vec![
            line(800.0, &[(0.0, "甲"), (40.0, "乙"), (200.0, "丙")]),
            line(
                780.0,
                &[(0.0, "一行跨过所有栏目的正文文字一行跨过所有栏目的正文")],
            ),
            line(760.0, &[(0.0, "正文")]),
        ];
        assert_eq!(
            text(&lines),
            [
                "甲\t乙\t丙",
                "一行跨过所有栏目的正文文字一行跨过所有栏目的正文",
                "正文"
            ]
        );
    }
}
