//! `batch.xlsx` (`--xlsx`): every table of the batch as one sheet of an Excel workbook
//! (reports, fields, targets, indicators, findings, checks, review), written with
//! `rust_xlsxwriter`. Numbers are number cells (sums and filters work without "convert to
//! number"), text is stored as Unicode so Chinese needs no code page, the header row is bold
//! and frozen, and units are in the header names (`budget_initial_yuan`) or a `unit` column.

use super::{BatchTable, Cell};
use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// The workbook's file name in the output directory.
pub const FILE_NAME: &str = "batch.xlsx";

/// Excel's limit on the characters of one cell; longer text is cut (and marked with `…`).
const MAX_CELL: usize = 32767;

/// A workbook being filled, one sheet per [`BatchTable`], rows appended in order.
pub struct Book {
    wb: Workbook,
    next_row: Vec<u32>,
}

impl Book {
    pub fn new(tables: &[Box<dyn BatchTable>]) -> Result<Book, XlsxError> {
        let mut wb = Workbook::new();
        let bold = Format::new().set_bold();
        for t in tables {
            let ws = wb.add_worksheet();
            ws.set_name(t.name())?;
            for (c, h) in t.header().iter().enumerate() {
                ws.write_string_with_format(0, c as u16, h, &bold)?;
            }
            ws.set_freeze_panes(1, 0)?;
        }
        Ok(Book {
            wb,
            next_row: vec![1; tables.len()],
        })
    }

    /// Append rows to sheet `sheet` (the table's index).
    pub fn push(&mut self, sheet: usize, rows: &[Vec<Cell>]) -> Result<(), XlsxError> {
        let ws = self.wb.worksheet_from_index(sheet)?;
        for r in rows {
            let row = self.next_row[sheet];
            for (c, cell) in r.iter().enumerate() {
                let c = c as u16;
                match cell {
                    Cell::Empty => {}
                    Cell::Text(s) => {
                        if s.chars().count() > MAX_CELL {
                            let cut: String = s.chars().take(MAX_CELL - 1).collect();
                            ws.write_string(row, c, format!("{cut}…"))?;
                        } else {
                            ws.write_string(row, c, s)?;
                        }
                    }
                    Cell::Num(x) | Cell::Shown(x, _) => {
                        ws.write_number(row, c, *x)?;
                    }
                }
            }
            self.next_row[sheet] += 1;
        }
        Ok(())
    }

    /// The finished workbook's bytes.
    pub fn finish(mut self) -> Result<Vec<u8>, XlsxError> {
        self.wb.save_to_buffer()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct T;
    impl BatchTable for T {
        fn name(&self) -> &'static str {
            "reports"
        }
        fn header(&self) -> Vec<String> {
            vec!["department".into(), "budget_initial_yuan".into()]
        }
        fn rows(&self, _: &super::super::Input) -> Vec<Vec<Cell>> {
            vec![]
        }
    }

    #[test]
    fn a_workbook_is_a_zip_with_the_sheet_and_its_strings() {
        let tables: Vec<Box<dyn BatchTable>> = vec![Box::new(T)];
        let mut b = Book::new(&tables).unwrap();
        b.push(
            0,
            &[vec![Cell::text("汉中市财政局"), Cell::Num(32290700.0)]],
        )
        .unwrap();
        let bytes = b.finish().unwrap();
        assert_eq!(&bytes[..2], b"PK");
    }
}
