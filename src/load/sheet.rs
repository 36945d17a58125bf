//! Spreadsheets (`.xlsx`, `.xlsm`, `.xls`, `.ods`) → one page per sheet, rows of cells.
//!
//! A self-evaluation form published as a workbook is a grid with merged ranges
//! (`项目名称` over five columns, `产出指标` down eight rows). [`calamine`] reads the cell
//! values and, for `.xlsx`/`.xls`, the merged ranges; each range's value is repeated over
//! every position it covers and the sheet goes through [`super::cells`] like any source
//! table, so the table reader and the form's field patterns see `| 部门名称 | … |` rows.
//!
//! Limits: values are the stored ones, not the displayed ones (a cell shown as `95%` holds
//! `0.95`, a date is its ISO form); merged ranges of `.ods` files are not read (calamine
//! does not expose them), so a merged value appears once, at its first position; hidden
//! sheets are read like the others.

use super::cells::{Grid, GridCell, render_grid};
use super::{ErrorKind, LoadError, LoadedDocument, PageBackend};
use calamine::{Data, Dimensions, Range, Reader, Sheets, open_workbook_auto_from_rs};
use std::io::Cursor;

/// Sheets larger than this (rows × columns of the used range) are cut, with a warning.
const MAX_CELLS: u64 = 1_000_000;

/// Load a workbook.
pub fn load_sheet(bytes: &[u8]) -> Result<LoadedDocument, LoadError> {
    let mut book = open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| {
        LoadError::new(
            ErrorKind::Backend,
            format!("not a readable spreadsheet: {e}"),
        )
    })?;
    let mut pages = Vec::new();
    let mut warnings = Vec::new();
    for name in book.sheet_names() {
        let range = match book.worksheet_range(&name) {
            Ok(r) => r,
            Err(e) => {
                warnings.push(format!("sheet {name}: cannot read it: {e}"));
                continue;
            }
        };
        let merges = merges(&mut book, &name);
        let (grid, cut) = sheet_grid(&range, &merges);
        if cut {
            warnings.push(format!(
                "sheet {name}: more than {MAX_CELLS} cells, the rest is not read"
            ));
        }
        pages.push(render_grid(&grid));
    }
    LoadedDocument::from_text_pages(
        pages,
        PageBackend::Sheet,
        warnings,
        "the spreadsheet has no text",
    )
}

fn merges(book: &mut Sheets<Cursor<&[u8]>>, name: &str) -> Vec<Dimensions> {
    match book {
        // A sheet whose merges cannot be read still gives its values.
        Sheets::Xlsx(x) => x.merge_cells_by_sheet_name(name).unwrap_or_default(),
        Sheets::Xls(x) => x.merge_cells_by_sheet_name(name).unwrap_or_default(),
        _ => vec![],
    }
}

/// A cell's value as text: numbers without a trailing `.0`, errors and empties as nothing.
fn value(d: &Data) -> String {
    match d {
        Data::Empty | Data::Error(_) => String::new(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        other => other.to_string(),
    }
}

/// The used range as a grid with merged ranges filled in. Returns whether it was cut.
fn sheet_grid(range: &Range<Data>, merges: &[Dimensions]) -> (Grid, bool) {
    let Some((r0, c0)) = range.start() else {
        return (Vec::new(), false);
    };
    let (h, w) = range.get_size();
    let cut = (h as u64) * (w as u64) > MAX_CELLS;
    let h = if cut {
        (MAX_CELLS / w.max(1) as u64) as usize
    } else {
        h
    };
    let mut origin = 0;
    let mut grid: Grid = range
        .rows()
        .take(h)
        .map(|row| {
            row.iter()
                .map(|d| {
                    origin += 1;
                    GridCell {
                        text: value(d),
                        origin,
                    }
                })
                .collect()
        })
        .collect();
    for m in merges {
        let (Some(top), Some(left)) = (m.start.0.checked_sub(r0), m.start.1.checked_sub(c0)) else {
            continue;
        };
        let (top, left) = (top as usize, left as usize);
        let Some(first) = grid.get(top).and_then(|r| r.get(left)).cloned() else {
            continue;
        };
        let bottom = ((m.end.0 - r0) as usize).min(grid.len().saturating_sub(1));
        for row in &mut grid[top..=bottom] {
            let right = ((m.end.1 - c0) as usize).min(row.len().saturating_sub(1));
            for cell in row.iter_mut().take(right + 1).skip(left) {
                *cell = first.clone();
            }
        }
    }
    (grid, cut)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_ranges_repeat_their_value() {
        let mut r: Range<Data> = Range::new((2, 1), (4, 3));
        r.set_value((2, 1), Data::String("项目名称".into()));
        r.set_value((2, 2), Data::String("道路维修".into()));
        r.set_value((3, 1), Data::String("产出指标".into()));
        r.set_value((3, 2), Data::String("数量".into()));
        r.set_value((3, 3), Data::Float(10.0));
        r.set_value((4, 2), Data::String("质量".into()));
        r.set_value((4, 3), Data::Float(9.5));
        let merges = [
            Dimensions {
                start: (2, 2),
                end: (2, 3),
            },
            Dimensions {
                start: (3, 1),
                end: (4, 1),
            },
        ];
        let (g, cut) = sheet_grid(&r, &merges);
        assert!(!cut);
        assert_eq!(
            render_grid(&g),
            "| 项目名称 | 道路维修 | 道路维修 |\n| 产出指标 | 数量 | 10 |\n| 产出指标 | 质量 | 9.5 |\n"
        );
    }

    #[test]
    fn garbage_is_a_typed_error() {
        assert_eq!(
            load_sheet(b"PK\x03\x04junk").unwrap_err().kind,
            ErrorKind::Backend
        );
    }
}
