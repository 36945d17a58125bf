//! `reports.csv` (and the workbook's `reports` sheet): one row per input with, per canonical
//! key, the value and the trust in it — confidence, flags, page — under SQL-safe column names
//! with the unit in the value column's name (`budget_initial_yuan`, `budget_initial_conf`,
//! `budget_initial_flags`, `budget_initial_page`).
//!
//! `summary.csv` keeps the contract of `fields.md` (dotted key columns, status `ok`/`error`);
//! this table is a new file beside it rather than a change to it. Its columns are the same
//! for every batch, and its `status` tells apart an input converted with at least one field
//! (`ok`), one converted with none (`empty`: usually not a performance report) and one that
//! failed (`error`).

use super::{BatchTable, Cell, Input};
use crate::report::{field_def, keys};

/// The SQL-safe stem of a key: `budget.initial` → `budget_initial`.
pub fn column_stem(key: &str) -> String {
    key.replace('.', "_")
}

/// The value column of a key: its stem, plus `_<unit>` when the key has a unit
/// (`budget_initial_yuan`, `expenditure_execution_rate_percent`, `year`, `department`).
pub fn value_column(key: &str) -> String {
    match field_def(key).and_then(|f| f.kind.unit()) {
        Some(u) => format!("{}_{u}", column_stem(key)),
        None => column_stem(key),
    }
}

/// `ok`, `empty` or `error` for one input (see the module doc).
pub fn status(input: &Input) -> &'static str {
    if input.row.status != "ok" {
        return "error";
    }
    let found = match input.report {
        Some(r) => !r.fields.is_empty(),
        None => !input.row.fields.is_empty(),
    };
    if found { "ok" } else { "empty" }
}

/// The wide table.
pub struct Reports;

const LEAD: [&str; 10] = [
    "file",
    "output",
    "status",
    "fields_found",
    "sha256",
    "pages",
    "text_layer",
    "warnings",
    "checks_failed",
    "patterns_version",
];

impl BatchTable for Reports {
    fn name(&self) -> &'static str {
        "reports"
    }
    fn header(&self) -> Vec<String> {
        let mut h: Vec<String> = LEAD.iter().map(|s| s.to_string()).collect();
        for k in keys() {
            let stem = column_stem(k);
            h.push(value_column(k));
            h.push(format!("{stem}_conf"));
            h.push(format!("{stem}_flags"));
            h.push(format!("{stem}_page"));
        }
        h.push("error_kind".into());
        h.push("error".into());
        h
    }
    fn rows(&self, input: &Input) -> Vec<Vec<Cell>> {
        let row = input.row;
        let rep = input.report;
        let found = rep.map_or(row.fields.len(), |r| r.fields.len());
        let mut cells = vec![
            Cell::text(row.file.clone()),
            Cell::text(format!("{}.json", row.stem)),
            Cell::text(status(input)),
            if row.status == "ok" {
                Cell::Num(found as f64)
            } else {
                Cell::Empty
            },
            Cell::text(row.sha256.clone().unwrap_or_default()),
            Cell::opt(rep.map(|r| r.source.pages as f64)),
            Cell::text(rep.map_or(String::new(), |r| r.source.text_layer.clone())),
            Cell::opt(rep.map(|r| r.warnings.len() as f64)),
            Cell::opt(rep.map(|r| r.checks.iter().filter(|c| c.result == "fail").count() as f64)),
            Cell::text(row.patterns_version.clone().unwrap_or_default()),
        ];
        for k in keys() {
            match rep.and_then(|r| r.fields.get(k)) {
                Some(f) => {
                    cells.push(Cell::json(&f.value));
                    cells.push(Cell::conf(f.confidence));
                    cells.push(Cell::text(f.flags.join(";")));
                    cells.push(Cell::Num(f.page as f64));
                }
                None => {
                    // No report to read back: the summary's value, without trust columns.
                    cells.push(row.fields.get(k).map_or(Cell::Empty, Cell::json));
                    cells.extend([Cell::Empty, Cell::Empty, Cell::Empty]);
                }
            }
        }
        cells.push(Cell::text(row.error_kind.clone().unwrap_or_default()));
        cells.push(Cell::text(row.error.clone().unwrap_or_default()));
        vec![cells]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::{SummaryRow, table_csv};
    use crate::report::Report;
    use serde_json::json;

    fn report(fields: serde_json::Value) -> Report {
        serde_json::from_value(json!({
            "schema_version": "1",
            "source": {"file": "x.txt", "sha256": "ab", "pages": 3, "text_layer": "plain"},
            "fields": fields,
            "sections": [], "targets": [], "lists": {},
            "checks": [{"name": "c", "inputs": [], "result": "fail", "detail": ""}],
            "warnings": ["w1", "w2"],
        }))
        .unwrap()
    }

    #[test]
    fn names_are_sql_safe_with_units() {
        assert_eq!(value_column("budget.initial"), "budget_initial_yuan");
        assert_eq!(
            value_column("expenditure.execution_rate"),
            "expenditure_execution_rate_percent"
        );
        assert_eq!(value_column("year"), "year");
        for h in Reports.header() {
            assert!(
                h.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "{h}"
            );
        }
    }

    #[test]
    fn ok_empty_and_error_rows_have_the_same_columns() {
        let full = report(json!({"budget.initial": {"value": 32290700, "unit": "yuan",
            "raw": "年初预算3229.07万元", "page": 2, "confidence": 0.93, "flags": ["conflict", "ocr"]}}));
        let empty = report(json!({}));
        let ok = SummaryRow::ok("a.pdf", "a", &full);
        let none = SummaryRow::ok("b.pdf", "b", &empty);
        let err = SummaryRow::error(
            "c.pdf",
            "c",
            crate::report::ErrorKind::Encrypted,
            "needs a password",
        );
        let inputs = [
            Input {
                row: &ok,
                report: Some(&full),
            },
            Input {
                row: &none,
                report: Some(&empty),
            },
            Input {
                row: &err,
                report: None,
            },
        ];
        let csv = table_csv(&Reports, &inputs);
        let lines: Vec<&str> = csv.lines().collect();
        let width = lines[0].split(',').count();
        assert!(lines.iter().all(|l| l.split(',').count() == width), "{csv}");
        let col = |name: &str| lines[0].split(',').position(|h| h == name).unwrap();
        let cell = |line: usize, name: &str| lines[line].split(',').nth(col(name)).unwrap();
        assert_eq!(cell(1, "status"), "ok");
        assert_eq!(cell(1, "budget_initial_yuan"), "32290700");
        assert_eq!(cell(1, "budget_initial_conf"), "0.93");
        assert_eq!(cell(1, "budget_initial_flags"), "conflict;ocr");
        assert_eq!(cell(1, "budget_initial_page"), "2");
        assert_eq!(cell(1, "warnings"), "2");
        assert_eq!(cell(1, "checks_failed"), "1");
        assert_eq!(cell(2, "status"), "empty");
        assert_eq!(cell(2, "fields_found"), "0");
        assert_eq!(cell(3, "status"), "error");
        assert_eq!(cell(3, "error_kind"), "encrypted");
    }
}
