//! Source tables (HTML `<table>`, Word tables, spreadsheet ranges) → text lines of cells.
//!
//! Formats that carry a table's structure hand it to the rest of the pipeline as
//! `| a | b | c |` lines, one per row, with merged cells resolved: a cell spanning rows or
//! columns is repeated in every grid position it covers, so each line has the table's full
//! width and the table reader ([`crate::tables`]) gets real cells instead of guessing
//! columns. Rows that are one merged cell across the table (a title, a `年度总体目标`
//! paragraph) become plain lines, so the field patterns see them as text.

/// One cell as the source gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct SpanCell {
    pub text: String,
    pub rowspan: usize,
    pub colspan: usize,
}

impl SpanCell {
    pub fn new(text: impl Into<String>, rowspan: usize, colspan: usize) -> SpanCell {
        SpanCell {
            text: text.into(),
            rowspan: rowspan.max(1),
            colspan: colspan.max(1),
        }
    }
}

/// Largest grid a source table may spread to (rows × columns): a `rowspan="65535"` or a
/// sheet's stray cell at XFD1048576 must not allocate gigabytes.
const MAX_CELLS: usize = 2_000_000;
const MAX_SPAN: usize = 1000;

/// One position of a resolved grid: the text of the cell covering it, and which source cell
/// that is (equal `origin`s in a row are one merged cell).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GridCell {
    pub text: String,
    pub origin: usize,
}

/// A table laid out on a grid: every row as wide as the table's widest.
pub type Grid = Vec<Vec<GridCell>>;

/// Lay out rows of spanning cells (HTML-style: a row lists only the cells that start in
/// it) on a grid, each covered position holding the cell's text.
pub fn resolve_spans(rows: &[Vec<SpanCell>]) -> Grid {
    let mut grid: Vec<Vec<Option<GridCell>>> = Vec::new();
    let mut origin = 0;
    for (r, row) in rows.iter().enumerate() {
        if grid.len() <= r {
            grid.resize(r + 1, Vec::new());
        }
        let mut c = 0;
        for cell in row {
            while grid[r].get(c).is_some_and(Option::is_some) {
                c += 1;
            }
            let (rs, cs) = (cell.rowspan.min(MAX_SPAN), cell.colspan.min(MAX_SPAN));
            origin += 1;
            // A rowspan past the table's last row covers only the rows that exist.
            let last = (r + rs).min(rows.len().max(r + 1));
            for rr in r..last {
                if grid.len() <= rr {
                    grid.resize(rr + 1, Vec::new());
                }
                let line = &mut grid[rr];
                if line.len() < c + cs {
                    if (rr + 1) * (c + cs) > MAX_CELLS {
                        break;
                    }
                    line.resize(c + cs, None);
                }
                for slot in &mut line[c..c + cs] {
                    *slot = Some(GridCell {
                        text: cell.text.clone(),
                        origin,
                    });
                }
            }
            c += cs;
        }
    }
    let width = grid.iter().map(Vec::len).max().unwrap_or(0);
    grid.into_iter()
        .map(|mut l| {
            l.resize(width, None);
            l.into_iter()
                .map(|c| {
                    c.unwrap_or_else(|| {
                        origin += 1;
                        GridCell {
                            text: String::new(),
                            origin,
                        }
                    })
                })
                .collect()
        })
        .collect()
}

/// One cell's text on one line: whitespace runs (line breaks included) become one space,
/// and a `|` inside a cell is written `/` so that it cannot split the cell.
pub fn cell_text(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace(['|', '｜'], "/")
}

/// Render a resolved grid as text lines. Empty rows, columns that are empty in every row
/// and columns that every row merges with their left neighbour are dropped; a row whose non-empty positions are all one merged cell, and a row with a
/// single non-empty cell, are written as that text alone.
pub fn render_grid(grid: &[Vec<GridCell>]) -> String {
    let width = grid.iter().map(Vec::len).max().unwrap_or(0);
    let text: Vec<Vec<String>> = grid
        .iter()
        .map(|r| r.iter().map(|c| cell_text(&c.text)).collect())
        .collect();
    // A column is kept when some row has text in it, and not when in every row it is the
    // same merged cell as the column to its left (a layout grid finer than the table).
    let used: Vec<bool> = (0..width)
        .map(|c| {
            text.iter().any(|r| r.get(c).is_some_and(|s| !s.is_empty()))
                && (c == 0
                    || !grid
                        .iter()
                        .all(|r| r.get(c).map(|x| x.origin) == r.get(c - 1).map(|x| x.origin)))
        })
        .collect();
    let mut out = String::new();
    for (row, texts) in grid.iter().zip(&text) {
        let cols: Vec<usize> = (0..width).filter(|&c| used[c]).collect();
        let cells: Vec<&str> = cols
            .iter()
            .map(|&c| texts.get(c).map_or("", String::as_str))
            .collect();
        let filled: Vec<usize> = cols
            .iter()
            .copied()
            .filter(|&c| texts.get(c).is_some_and(|s| !s.is_empty()))
            .collect();
        match filled.as_slice() {
            [] => continue,
            [first, rest @ ..] if rest.iter().all(|&c| row[c].origin == row[*first].origin) => {
                out.push_str(&texts[*first]);
            }
            _ => {
                out.push_str("| ");
                out.push_str(&cells.join(" | "));
                out.push_str(" |");
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(t: &str, rs: usize, cs: usize) -> SpanCell {
        SpanCell::new(t, rs, cs)
    }

    #[test]
    fn rowspan_and_colspan_fill_every_covered_position() {
        // 一级指标 spans two rows; the title spans three columns.
        let rows = vec![
            vec![c("表", 1, 3)],
            vec![c("产出", 2, 1), c("数量", 1, 1), c("10", 1, 1)],
            vec![c("质量", 1, 1), c("9", 1, 1)],
        ];
        let g = resolve_spans(&rows);
        let t = |r: usize| g[r].iter().map(|c| c.text.as_str()).collect::<Vec<_>>();
        assert_eq!(t(0), vec!["表", "表", "表"]);
        assert_eq!(t(1), vec!["产出", "数量", "10"]);
        assert_eq!(t(2), vec!["产出", "质量", "9"]);
        assert_eq!(g[1][0].origin, g[2][0].origin);
        assert_eq!(
            render_grid(&g),
            "表\n| 产出 | 数量 | 10 |\n| 产出 | 质量 | 9 |\n"
        );
    }

    #[test]
    fn huge_spans_are_bounded() {
        let rows = vec![vec![c("x", 65535, 65535)], vec![c("y", 1, 1)]];
        let g = resolve_spans(&rows);
        assert_eq!(g.len(), 2);
        assert!(g[0].len() <= MAX_SPAN + 1);
    }

    #[test]
    fn empty_columns_go_and_pipes_in_cells_cannot_split_them() {
        let rows = vec![
            vec![c("序号", 1, 1), c("", 1, 1), c("目标|值", 1, 1)],
            vec![c("1", 1, 1), c("", 1, 1), c("a\n b", 1, 1)],
        ];
        assert_eq!(
            render_grid(&resolve_spans(&rows)),
            "| 序号 | 目标/值 |\n| 1 | a b |\n"
        );
    }

    #[test]
    fn a_column_every_row_merges_leftwards_is_one_column() {
        // A spreadsheet whose grid is twice as fine as the table: each cell spans 2 columns.
        let rows = vec![
            vec![c("序号", 1, 2), c("目标", 1, 2)],
            vec![c("1", 1, 2), c("道路", 1, 1), c("桥梁", 1, 1)],
        ];
        assert_eq!(
            render_grid(&resolve_spans(&rows)),
            "| 序号 | 目标 | 目标 |\n| 1 | 道路 | 桥梁 |\n"
        );
    }

    #[test]
    fn equal_texts_of_different_cells_stay_cells() {
        let rows = vec![vec![c("固定资产投资", 1, 1), c("固定资产投资", 1, 1)]];
        assert_eq!(
            render_grid(&resolve_spans(&rows)),
            "| 固定资产投资 | 固定资产投资 |\n"
        );
    }
}
