//! Emit stage: reports → files. Every writer of the crate lives under this module, one file
//! per output, so a new output format or table is one new file:
//!
//! | file | writes |
//! |---|---|
//! | [`json`] | `<stem>.json` (one report) and the JSON Schemas `baogao schema` prints |
//! | [`summary`] | `summary.jsonl`, `summary.csv` (the contract of `fields.md`) |
//! | [`wide`] | `reports.csv`: one row per input, value + confidence + flags + page per key |
//! | [`fields`] | `fields.csv`: every found field, one row each (long form) |
//! | [`tables`] | `targets.csv`, `indicators.csv`: table rows of the whole batch |
//! | [`findings`] | `findings.csv`: failed checks, unmet targets, disagreements; the failed-checks sheet |
//! | [`review`] | `review.csv` (`--review T`): values below a confidence threshold, with reasons |
//! | [`xlsx`] | `batch.xlsx` (`--xlsx`): all of the tables above as sheets, numbers as numbers |
//!
//! The tabular outputs are [`BatchTable`]s: a header and, per input, rows of typed [`Cell`]s.
//! [`finish_batch`] reads each converted report once and hands its rows to every sink (a CSV
//! file per table, and the workbook), so memory stays flat however many inputs a batch has
//! (except the workbook, which `rust_xlsxwriter` keeps in memory until it is saved).
//!
//! Every file is written to a temporary name and renamed into place, so a reader never sees
//! half a file.

pub mod fields;
pub mod findings;
pub mod json;
pub mod review;
pub mod summary;
pub mod tables;
pub mod wide;
pub mod xlsx;

pub use json::{report_json, schema, summary_schema, write_report};
pub use summary::{
    SummaryLog, SummaryRow, finish_summaries, latest_rows, read_summary, summary_csv,
};

use crate::report::Report;
use std::fs;
use std::io::{BufWriter, Write};
use std::path::Path;

/// Write `contents` to `path` atomically (temp file in the same directory, then rename).
pub fn write_atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(
        ".{}.tmp{}",
        path.file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default(),
        std::process::id()
    ));
    {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(contents)?;
        f.sync_all()?;
    }
    fs::rename(&tmp, path)
}

/// One CSV cell, quoted when it holds a comma, a quote or a line break (RFC 4180).
pub fn csv_cell(v: &str) -> String {
    if v.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v.to_string()
    }
}

/// The UTF-8 byte-order mark `--csv-bom` puts first in every CSV, so that Excel (which
/// otherwise reads a CSV in the system code page, GBK on Chinese Windows) shows Chinese text.
pub const BOM: &str = "\u{feff}";

/// One typed cell of a tabular output: text in a CSV, a string or number cell in a workbook.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    /// A number; in CSV as Rust prints an `f64` (`2`, `62.5`).
    Num(f64),
    /// A number with the exact text the CSV shows for it (`0.60` for a confidence, `100.0`
    /// for a JSON float).
    Shown(f64, String),
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        let s = s.into();
        if s.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(s)
        }
    }

    /// A confidence: a number, two decimals in CSV.
    pub fn conf(x: f64) -> Cell {
        Cell::Shown(x, format!("{x:.2}"))
    }

    pub fn opt(v: Option<f64>) -> Cell {
        v.map_or(Cell::Empty, Cell::Num)
    }

    /// A JSON value: numbers as numbers, strings as text, null as empty.
    pub fn json(v: &serde_json::Value) -> Cell {
        match v {
            serde_json::Value::Null => Cell::Empty,
            serde_json::Value::Number(n) => n
                .as_f64()
                .map_or(Cell::Empty, |x| Cell::Shown(x, n.to_string())),
            serde_json::Value::String(s) => Cell::text(s.clone()),
            other => Cell::Text(other.to_string()),
        }
    }

    /// The cell as CSV text (quoted when needed).
    pub fn to_csv(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => csv_cell(s),
            Cell::Num(x) => x.to_string(),
            Cell::Shown(_, s) => csv_cell(s),
        }
    }
}

/// One input as the tabular writers see it: its summary row and, when it was converted and
/// its JSON reads back, its report.
pub struct Input<'a> {
    pub row: &'a SummaryRow,
    pub report: Option<&'a Report>,
}

/// A table of the batch: one CSV file and/or one workbook sheet.
pub trait BatchTable {
    /// File stem and sheet name (`targets` → `targets.csv`, sheet `targets`).
    fn name(&self) -> &'static str;
    /// Whether the table is also written as `<name>.csv` (else only as a workbook sheet).
    fn csv(&self) -> bool {
        true
    }
    fn header(&self) -> Vec<String>;
    /// The rows one input contributes, in order.
    fn rows(&self, input: &Input) -> Vec<Vec<Cell>>;
}

/// A whole table as CSV text (header line, then rows), for tests and single reports.
pub fn table_csv(t: &dyn BatchTable, inputs: &[Input]) -> String {
    let mut out = csv_line(&t.header().into_iter().map(Cell::Text).collect::<Vec<_>>());
    for i in inputs {
        for r in t.rows(i) {
            out.push_str(&csv_line(&r));
        }
    }
    out
}

fn csv_line(cells: &[Cell]) -> String {
    let mut s = cells.iter().map(Cell::to_csv).collect::<Vec<_>>().join(",");
    s.push('\n');
    s
}

/// What the batch writes besides the per-input JSON and the summaries.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EmitOptions {
    /// Write review.csv with the values below this confidence.
    pub review: Option<f64>,
    /// Start every CSV with a UTF-8 byte-order mark ([`BOM`]).
    pub csv_bom: bool,
    /// Also write `batch.xlsx`.
    pub xlsx: bool,
}

/// The review threshold of the workbook's review sheet when `--review` is not given: the
/// confidence level `fields.md` makes its promise for.
pub const DEFAULT_REVIEW: f64 = 0.9;

/// The tables of a batch, in file and sheet order.
pub fn batch_tables(opts: &EmitOptions) -> Vec<Box<dyn BatchTable>> {
    vec![
        Box::new(wide::Reports),
        Box::new(fields::Fields),
        Box::new(tables::Rows::Targets),
        Box::new(tables::Rows::Indicators),
        Box::new(findings::Findings),
        Box::new(findings::FailedChecks),
        Box::new(review::Review {
            threshold: opts.review.unwrap_or(DEFAULT_REVIEW),
            csv: opts.review.is_some(),
        }),
    ]
}

/// End of a batch: compact the summaries ([`finish_summaries`]), then write every table of
/// [`batch_tables`] as CSV and, with `xlsx`, as `batch.xlsx`. Returns the summary rows.
pub fn finish_batch(out_dir: &Path, opts: &EmitOptions) -> std::io::Result<Vec<SummaryRow>> {
    let rows = finish_summaries(out_dir, opts.csv_bom)?;
    write_tables(out_dir, &rows, opts)?;
    Ok(rows)
}

/// Write the tables of [`batch_tables`] for the inputs of `rows` (reading each converted
/// `<stem>.json` once, in file order).
pub fn write_tables(
    out_dir: &Path,
    rows: &[SummaryRow],
    opts: &EmitOptions,
) -> std::io::Result<()> {
    let tables = batch_tables(opts);
    let tmp = |name: &str| out_dir.join(format!(".{name}.csv.tmp{}", std::process::id()));
    let mut csvs: Vec<Option<BufWriter<fs::File>>> = Vec::new();
    for t in &tables {
        csvs.push(if t.csv() {
            let mut w = BufWriter::new(fs::File::create(tmp(t.name()))?);
            if opts.csv_bom {
                w.write_all(BOM.as_bytes())?;
            }
            let header: Vec<Cell> = t.header().into_iter().map(Cell::Text).collect();
            w.write_all(csv_line(&header).as_bytes())?;
            Some(w)
        } else {
            None
        });
    }
    let mut book = if opts.xlsx {
        Some(xlsx::Book::new(&tables).map_err(std::io::Error::other)?)
    } else {
        None
    };
    let mut sorted: Vec<&SummaryRow> = rows.iter().collect();
    sorted.sort_by(|a, b| a.file.cmp(&b.file).then(a.stem.cmp(&b.stem)));
    for row in sorted {
        let report = if row.status == "ok" {
            fs::read_to_string(out_dir.join(format!("{}.json", row.stem)))
                .ok()
                .and_then(|t| serde_json::from_str::<Report>(&t).ok())
        } else {
            None
        };
        let input = Input {
            row,
            report: report.as_ref(),
        };
        for (i, t) in tables.iter().enumerate() {
            let cells = t.rows(&input);
            if let Some(w) = csvs[i].as_mut() {
                for r in &cells {
                    w.write_all(csv_line(r).as_bytes())?;
                }
            }
            if let Some(b) = book.as_mut() {
                b.push(i, &cells).map_err(std::io::Error::other)?;
            }
        }
    }
    for (t, w) in tables.iter().zip(csvs) {
        if let Some(w) = w {
            let f = w.into_inner().map_err(|e| e.into_error())?;
            f.sync_all()?;
            fs::rename(tmp(t.name()), out_dir.join(format!("{}.csv", t.name())))?;
        }
    }
    if let Some(b) = book {
        let bytes = b.finish().map_err(std::io::Error::other)?;
        write_atomic(&out_dir.join(xlsx::FILE_NAME), &bytes)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_leaves_no_temp_file() {
        let dir = std::env::temp_dir().join(format!("baogao-emit-{}", std::process::id()));
        let p = dir.join("a.json");
        write_atomic(&p, b"{}\n").unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), "{}\n");
        let names: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn cells_render_as_csv_text() {
        assert_eq!(Cell::Num(2.0).to_csv(), "2");
        assert_eq!(Cell::Num(62.5).to_csv(), "62.5");
        assert_eq!(Cell::conf(0.6).to_csv(), "0.60");
        assert_eq!(Cell::json(&serde_json::json!(100.0)).to_csv(), "100.0");
        assert_eq!(Cell::text("a,b").to_csv(), "\"a,b\"");
        assert_eq!(Cell::text(""), Cell::Empty);
        assert_eq!(
            Cell::json(&serde_json::json!(32290700)).to_csv(),
            "32290700"
        );
    }
}
