//! `findings.csv` (and the workbook's `findings` sheet): what an auditor reads first — every
//! failed cross-check, grade/score-band mismatch, heading/body disagreement in a section's
//! score, section scored above its maximum, and unmet target or indicator row with its ratio,
//! one row each with file, page and the figures. Also the workbook's `checks` sheet: the
//! failed checks alone with their inputs.
//!
//! Findings are read from the report as written; nothing here re-judges a value.

use super::{BatchTable, Cell, Input};
use crate::report::{Report, TableRow};

/// `kind` values of `findings.csv`.
pub const KINDS: &[(&str, &str)] = &[
    (
        "check_failed",
        "a cross-check failed (subject: the check; values: its inputs; detail: the arithmetic)",
    ),
    (
        "grade_score_mismatch",
        "the stated grade is not the band of the total score",
    ),
    (
        "heading_body_disagree",
        "a section heading's figure differs from the score in its body (expected: heading, actual: body)",
    ),
    ("score_above_max", "a section's score is above its maximum"),
    (
        "target_not_met",
        "a target-table row whose actual figure falls short of its target (ratio: actual / target %)",
    ),
    (
        "indicator_not_met",
        "an indicator-table row whose actual figure falls short of its target",
    ),
];

pub struct Findings;

const HEADER: [&str; 9] = [
    "file", "page", "kind", "subject", "expected", "actual", "ratio", "values", "detail",
];

fn num_or_empty(v: Option<f64>) -> Cell {
    Cell::opt(v)
}

fn row_subject(r: &TableRow) -> String {
    ["indicator", "level2", "level1", "category"]
        .iter()
        .find_map(|c| r.columns.get(*c).filter(|s| !s.is_empty()).cloned())
        .unwrap_or_else(|| format!("table {} row {}", r.table, r.number))
}

/// The findings of one report, in order: checks, sections, targets, indicators.
pub fn report_findings(file: &str, rep: &Report) -> Vec<Vec<Cell>> {
    let mut out = Vec::new();
    let f = Cell::text(file);
    for c in rep.checks.iter().filter(|c| c.result == "fail") {
        let page = c
            .inputs
            .iter()
            .filter_map(|k| rep.fields.get(k).map(|f| f.page))
            .min();
        let values: Vec<String> = c
            .inputs
            .iter()
            .filter_map(|k| {
                rep.fields.get(k).map(|f| match &f.value {
                    serde_json::Value::String(s) => format!("{k}={s}"),
                    v => format!("{k}={v}"),
                })
            })
            .collect();
        let kind = if c.name == "grade_matches_score_band" {
            "grade_score_mismatch"
        } else {
            "check_failed"
        };
        out.push(vec![
            f.clone(),
            Cell::opt(page.map(|p| p as f64)),
            Cell::text(kind),
            Cell::text(c.name.clone()),
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::text(values.join("; ")),
            Cell::text(c.detail.clone()),
        ]);
    }
    for s in &rep.sections {
        for kind in ["heading_body_disagree", "score_above_max"] {
            if s.flags.iter().any(|fl| fl == kind) {
                out.push(vec![
                    f.clone(),
                    Cell::Num(s.page as f64),
                    Cell::text(kind),
                    Cell::text(s.name.clone()),
                    num_or_empty(s.max),
                    num_or_empty(s.score),
                    Cell::Empty,
                    Cell::Empty,
                    Cell::text(s.raw.clone()),
                ]);
            }
        }
    }
    for (kind, rows) in [
        ("target_not_met", &rep.targets),
        ("indicator_not_met", &rep.indicators),
    ] {
        for r in rows
            .iter()
            .filter(|r| r.status.as_deref() == Some("not_met"))
        {
            let col = |c: &str| Cell::text(r.columns.get(c).cloned().unwrap_or_default());
            out.push(vec![
                f.clone(),
                Cell::Num(r.page as f64),
                Cell::text(kind),
                Cell::text(row_subject(r)),
                col("target"),
                col("actual"),
                Cell::opt(r.ratio),
                Cell::Empty,
                Cell::text(format!(
                    "table {} row {} ({})",
                    r.table, r.number, r.template
                )),
            ]);
        }
    }
    out
}

impl BatchTable for Findings {
    fn name(&self) -> &'static str {
        "findings"
    }
    fn header(&self) -> Vec<String> {
        HEADER.iter().map(|s| s.to_string()).collect()
    }
    fn rows(&self, input: &Input) -> Vec<Vec<Cell>> {
        input
            .report
            .map(|r| report_findings(&input.row.file, r))
            .unwrap_or_default()
    }
}

/// The workbook's `checks` sheet: every failed check with its inputs (no CSV: the same rows
/// are in `findings.csv`).
pub struct FailedChecks;

impl BatchTable for FailedChecks {
    fn name(&self) -> &'static str {
        "checks"
    }
    fn csv(&self) -> bool {
        false
    }
    fn header(&self) -> Vec<String> {
        ["file", "check", "result", "inputs", "detail"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }
    fn rows(&self, input: &Input) -> Vec<Vec<Cell>> {
        let Some(r) = input.report else {
            return vec![];
        };
        r.checks
            .iter()
            .filter(|c| c.result == "fail")
            .map(|c| {
                vec![
                    Cell::text(input.row.file.clone()),
                    Cell::text(c.name.clone()),
                    Cell::text(c.result.clone()),
                    Cell::text(c.inputs.join(";")),
                    Cell::text(c.detail.clone()),
                ]
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::{SummaryRow, table_csv};
    use serde_json::json;

    #[test]
    fn one_row_per_failed_check_disagreement_and_unmet_row() {
        let rep: Report = serde_json::from_value(json!({
            "schema_version": "1",
            "source": {"file": "x.txt", "sha256": "", "pages": 4, "text_layer": "plain"},
            "fields": {
                "score.total": {"value": 85, "unit": "points", "raw": "", "page": 3, "confidence": 0.5, "flags": []},
                "grade": {"value": "优", "unit": null, "raw": "", "page": 4, "confidence": 0.5, "flags": []}
            },
            "sections": [
                {"name": "产出指标", "max": 30.0, "score": 28.0, "level": 0, "page": 2, "raw": "产出指标（30分）得28分", "flags": ["heading_body_disagree"]},
                {"name": "效益指标", "max": 20.0, "score": 20.0, "level": 0, "page": 2, "raw": "", "flags": []}
            ],
            "targets": [
                {"table": 0, "template": "target-actual", "number": 1, "page": 3,
                 "columns": {"indicator": "户厕改造", "target": "500户", "actual": "450户"},
                 "cells": [], "status": "not_met", "ratio": 90.0},
                {"table": 0, "template": "target-actual", "number": 2, "page": 3,
                 "columns": {"indicator": "道路", "target": "5公里", "actual": "5公里"},
                 "cells": [], "status": "met", "ratio": 100.0}
            ],
            "lists": {},
            "checks": [
                {"name": "grade_matches_score_band", "inputs": ["grade", "score.total"], "result": "fail", "detail": "score 85 is in band 良"},
                {"name": "basic_plus_project_equals_actual", "inputs": [], "result": "pass", "detail": ""}
            ],
            "warnings": []
        }))
        .unwrap();
        let row = SummaryRow::ok("r.pdf", "r", &rep);
        let csv = table_csv(
            &Findings,
            &[Input {
                row: &row,
                report: Some(&rep),
            }],
        );
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 4, "{csv}");
        assert_eq!(lines[0], HEADER.join(","));
        assert!(
            lines[1].starts_with(
                "r.pdf,3,grade_score_mismatch,grade_matches_score_band,,,,grade=优; score.total=85,"
            ),
            "{}",
            lines[1]
        );
        assert_eq!(
            lines[2],
            "r.pdf,2,heading_body_disagree,产出指标,30,28,,,产出指标（30分）得28分"
        );
        assert_eq!(
            lines[3],
            "r.pdf,3,target_not_met,户厕改造,500户,450户,90,,table 0 row 1 (target-actual)"
        );
        let checks = table_csv(
            &FailedChecks,
            &[Input {
                row: &row,
                report: Some(&rep),
            }],
        );
        assert_eq!(checks.lines().count(), 2);
    }
}
