//! The review list (`review.csv`): every field below a confidence threshold, with file,
//! page, snippet and a one-sentence reason built from its flags, the failed checks that used
//! it and its warnings — the list a person checks by hand.

use super::{BatchTable, Cell, Input};
use crate::report::{FIELDS, Flag, Report};
use serde::Serialize;
use serde_json::Value;

fn short(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
// ---------------------------------------------------------------------------------------
// Review list

/// One field a person should check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewRow {
    pub file: String,
    pub key: String,
    /// The value as text (strings unquoted, numbers as in the JSON).
    pub value: String,
    /// The value when it is a number (the workbook writes it as a number cell).
    #[serde(skip)]
    pub number: Option<f64>,
    pub confidence: f64,
    pub page: usize,
    pub raw: String,
    pub flags: Vec<String>,
    pub pattern: String,
    /// Why the confidence is low, in one sentence, from the flags, failed checks and pattern.
    pub reason: String,
}

/// A short clause per flag, for the review list.
fn flag_clause(flag: &str) -> String {
    let Some(f) = Flag::from_name(flag) else {
        return format!("flag `{flag}`");
    };
    match f {
        Flag::Conflict => "the document states this key elsewhere with a different value",
        Flag::SumMismatch => "a sum check with this value failed",
        Flag::GradeBandMismatch => "the grade is not the usual band of the total score",
        Flag::Implausible => "the value is outside what such reports contain",
        Flag::Ocr => "the text came from OCR",
        Flag::Derived => "the value was computed, not read from the document",
        other => other.description(),
    }
    .to_string()
}

fn reason(report: &Report, key: &str, f: &crate::report::Field) -> String {
    let mut parts: Vec<String> = f.flags.iter().map(|fl| flag_clause(fl)).collect();
    for c in &report.checks {
        if c.result == "fail" && c.inputs.iter().any(|i| i == key) {
            parts.push(format!("check {} failed ({})", c.name, c.detail));
        }
    }
    let prefix = format!("{key}:");
    for w in &report.warnings {
        if let Some(rest) = w.strip_prefix(&prefix) {
            parts.push(format!("warning:{rest}"));
        }
    }
    if parts.is_empty() {
        parts.push("no flag or failed check: the pattern's own trust is low and no cross-check confirmed the value".into());
    }
    let pat = if f.pattern.is_empty() {
        String::new()
    } else {
        format!(" (pattern {})", f.pattern)
    };
    format!("confidence {:.2}{pat}: {}.", f.confidence, parts.join("; "))
}

fn key_rank(k: &str) -> usize {
    FIELDS
        .iter()
        .position(|f| f.key == k)
        .unwrap_or(FIELDS.len())
}

/// Every field with confidence below `threshold`, in input order, then canonical key order
/// (keys outside the contract last, by name).
pub fn review_rows(reports: &[(String, Report)], threshold: f64) -> Vec<ReviewRow> {
    reports
        .iter()
        .flat_map(|(file, r)| review_report(file, r, threshold))
        .collect()
}

/// The review rows of one report, in canonical key order.
pub fn review_report(file: &str, r: &Report, threshold: f64) -> Vec<ReviewRow> {
    let mut rows = Vec::new();
    {
        let mut keys: Vec<&String> = r
            .fields
            .iter()
            .filter(|(_, f)| f.confidence < threshold)
            .map(|(k, _)| k)
            .collect();
        keys.sort_by(|a, b| key_rank(a).cmp(&key_rank(b)).then(a.cmp(b)));
        for k in keys {
            let f = &r.fields[k];
            rows.push(ReviewRow {
                file: file.to_string(),
                key: k.clone(),
                value: short(&f.value),
                number: f.value.as_f64(),
                confidence: f.confidence,
                page: f.page,
                raw: f.raw.clone(),
                flags: f.flags.clone(),
                pattern: f.pattern.clone(),
                reason: reason(r, k, f),
            });
        }
    }
    rows
}

/// The review list as CSV: `file,key,value,confidence,page,pattern,flags,raw,reason`
/// (flags joined by `;`), one row per [`review_rows`] row.
pub fn review_csv(reports: &[(String, Report)], threshold: f64) -> String {
    let mut out = super::csv_line(&HEADER.iter().map(|h| Cell::text(*h)).collect::<Vec<_>>());
    for r in review_rows(reports, threshold) {
        out.push_str(&super::csv_line(&r.cells()));
    }
    out
}

const HEADER: [&str; 9] = [
    "file",
    "key",
    "value",
    "confidence",
    "page",
    "pattern",
    "flags",
    "raw",
    "reason",
];

impl ReviewRow {
    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::text(self.file.clone()),
            Cell::text(self.key.clone()),
            match self.number {
                Some(x) => Cell::Shown(x, self.value.clone()),
                None => Cell::text(self.value.clone()),
            },
            Cell::conf(self.confidence),
            Cell::Num(self.page as f64),
            Cell::text(self.pattern.clone()),
            Cell::text(self.flags.join(";")),
            Cell::text(self.raw.clone()),
            Cell::text(self.reason.clone()),
        ]
    }
}

/// The review list as a batch table (`review.csv` only with `--review`; always a sheet of
/// the workbook).
pub struct Review {
    pub threshold: f64,
    pub csv: bool,
}

impl BatchTable for Review {
    fn name(&self) -> &'static str {
        "review"
    }
    fn csv(&self) -> bool {
        self.csv
    }
    fn header(&self) -> Vec<String> {
        HEADER.iter().map(|s| s.to_string()).collect()
    }
    fn rows(&self, input: &Input) -> Vec<Vec<Cell>> {
        let Some(r) = input.report else {
            return vec![];
        };
        review_report(&input.row.file, r, self.threshold)
            .iter()
            .map(ReviewRow::cells)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn report(fields: Value, checks: Value, warnings: Value) -> Report {
        serde_json::from_value(json!({
            "schema_version": "1",
            "source": {"file": "x.txt", "sha256": "", "pages": 1, "text_layer": "plain"},
            "fields": fields,
            "sections": [], "targets": [], "lists": {},
            "checks": checks,
            "warnings": warnings,
        }))
        .unwrap()
    }

    #[test]
    fn review_lists_low_confidence_fields_with_reasons() {
        let f = |v: Value, c: f64, flags: Value, pat: &str| {
            json!({"value": v, "unit": null, "raw": "原文, \"引号\"", "page": 2,
                   "confidence": c, "flags": flags, "pattern": pat})
        };
        let r1 = report(
            json!({
                "year": f(json!(2024), 0.95, json!([]), "title/year"),
                "expenditure.actual": f(json!(100.0), 0.6, json!(["conflict", "sum_mismatch"]), "money/actual"),
                "budget.initial": f(json!(5.0), 0.75, json!([]), "money/loose"),
            }),
            json!([{"name": "basic_plus_project_equals_actual",
                    "inputs": ["expenditure.basic", "expenditure.project", "expenditure.actual"],
                    "result": "fail", "detail": "1 + 2 = 3 vs 100"}]),
            json!(["expenditure.actual: 100 (page 2) chosen over 90 (page 3)"]),
        );
        let r2 = report(
            json!({"grade": f(json!("良"), 0.5, json!(["ocr"]), "")}),
            json!([]),
            json!([]),
        );
        let reports = vec![("b.pdf".to_string(), r1), ("a.pdf".to_string(), r2)];
        let rows = review_rows(&reports, 0.9);
        let keys: Vec<(&str, &str)> = rows
            .iter()
            .map(|r| (r.file.as_str(), r.key.as_str()))
            .collect();
        // input order, then canonical key order; the 0.95 year is not listed
        assert_eq!(
            keys,
            [
                ("b.pdf", "budget.initial"),
                ("b.pdf", "expenditure.actual"),
                ("a.pdf", "grade")
            ]
        );
        let r = &rows[1];
        assert!(
            r.reason
                .starts_with("confidence 0.60 (pattern money/actual): "),
            "{}",
            r.reason
        );
        assert!(r.reason.contains("different value"), "{}", r.reason);
        assert!(
            r.reason
                .contains("basic_plus_project_equals_actual failed (1 + 2 = 3 vs 100)")
        );
        assert!(r.reason.contains("chosen over 90 (page 3)"));
        assert!(rows[0].reason.contains("no cross-check confirmed"));
        assert!(rows[2].reason.contains("OCR"));
        let csv = review_csv(&reports, 0.9);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 4);
        assert_eq!(
            lines[0],
            "file,key,value,confidence,page,pattern,flags,raw,reason"
        );
        assert!(lines[2].starts_with(
            "b.pdf,expenditure.actual,100.0,0.60,2,money/actual,conflict;sum_mismatch,\"原文, \"\"引号\"\"\","
        ), "{}", lines[2]);
        assert!(review_rows(&reports, 0.5).is_empty());
    }
}
