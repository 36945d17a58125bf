//! The report JSON: the output contract of `../shared/spec/fields.md` as Rust types.
//!
//! Everything a user's tool reads is defined here and nowhere else, so the JSON Schema that
//! `baogao schema` prints (see [`crate::emit::schema`]) and the serialized reports can be
//! checked against one place. Maps are `BTreeMap` so keys come out in a stable order and the
//! same input always gives byte-identical output.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Version of the output contract. Changes only when a key, unit or meaning changes.
pub const SCHEMA_VERSION: &str = "1";

/// The canonical field keys of the contract, in the order the CSV summary lists them.
pub const CANONICAL_KEYS: &[&str] = &[
    "department",
    "year",
    "report_family",
    "staff.authorized",
    "staff.actual",
    "staff.retired",
    "budget.initial",
    "budget.adjusted",
    "income.total",
    "expenditure.actual",
    "expenditure.execution_rate",
    "expenditure.basic",
    "expenditure.project",
    "expenditure.personnel",
    "expenditure.public",
    "score.total",
    "grade",
];

/// The canonical unit of each key (None for strings and plain integers such as the year).
pub fn canonical_unit(key: &str) -> Option<&'static str> {
    match key {
        "staff.authorized" | "staff.actual" | "staff.retired" => Some("persons"),
        "expenditure.execution_rate" => Some("percent"),
        "score.total" => Some("points"),
        k if k.starts_with("budget.")
            || k.starts_with("income.")
            || (k.starts_with("expenditure.") && k != "expenditure.execution_rate") =>
        {
            Some("yuan")
        }
        _ => None,
    }
}

/// One report JSON, as written to `<out>/<stem>.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Report {
    pub schema_version: String,
    pub source: Source,
    pub fields: BTreeMap<String, Field>,
    /// Scored sections (name, maximum, score) in document order.
    pub sections: Vec<SectionScore>,
    /// Rows of target-vs-actual tables (年初目标值 / 实际完成情况); see [`TableRow`].
    pub targets: Vec<TableRow>,
    /// Rows of indicator tables (一级/二级/三级指标, 指标值, 实际完成值, 分值, 得分).
    #[serde(default)]
    pub indicators: Vec<TableRow>,
    /// Numbered lists by kind: `problems`, `suggestions`, `experience`.
    pub lists: BTreeMap<String, Vec<ListItem>>,
    pub checks: Vec<Check>,
    pub warnings: Vec<String>,
}

/// Where the report came from.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Source {
    /// The path as given on the command line (never made absolute).
    pub file: String,
    pub sha256: String,
    pub pages: usize,
    /// `pdf`, `ocr`, `mixed` or `plain`.
    pub text_layer: String,
    /// Per page: which backend produced the text, and the text-layer verdict.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub page_info: Vec<PageInfo>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PageInfo {
    pub page: usize,
    pub backend: String,
    pub verdict: String,
    pub chars: usize,
}

/// One extracted value.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Field {
    pub value: serde_json::Value,
    pub unit: Option<String>,
    pub raw: String,
    pub page: usize,
    pub confidence: f64,
    pub flags: Vec<String>,
    /// Which pattern (file:id) produced the value; not part of the stable contract.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub pattern: String,
}

/// A scored part of the evaluation (e.g. 预算执行情况 20 points, scored 19).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SectionScore {
    pub name: String,
    pub max: Option<f64>,
    pub score: Option<f64>,
    /// Depth in the heading tree (0 = top level); only the shallowest scored level is
    /// checked against the total.
    pub level: usize,
    pub page: usize,
    pub raw: String,
    pub flags: Vec<String>,
}

/// One row of a target or indicator table (read by [`crate::tables`]).
///
/// `columns` maps canonical column names (`seq`, `level1`, `level2`, `indicator`,
/// `category`, `target`, `actual`, `unit`, `nature`, `max_points`, `weight`, `score`,
/// `completion`, `reason`; see `patterns/tables.toml`) to the cell text; a column whose header
/// is not in that file is kept under its header text. `cells` are the row's cells in document
/// order (a row continued after a page break has its pieces joined).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TableRow {
    /// Which table of the document the row belongs to (0-based, document order, counted
    /// over targets and indicators together).
    pub table: usize,
    /// The table template (`patterns/tables.toml`) that recognised the table's header.
    pub template: String,
    /// The printed 序号 when there is one, else the row's position in its table (1-based).
    pub number: usize,
    /// Page of the row's first line.
    pub page: usize,
    pub columns: BTreeMap<String, String>,
    pub cells: Vec<String>,
    /// Figures (number + unit) read from the `target` cell, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub target_figures: Vec<Figure>,
    /// Figures read from the `actual` cell, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actual_figures: Vec<Figure>,
    /// `met`, `not_met` or `unknown`; present when the table has both a target and an actual
    /// column. Computed only from comparable figures (same unit family), never from words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// actual / target in percent for the compared pair that decided the status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ratio: Option<f64>,
    /// The `max_points` (分值), `weight` (权重) and `score` (得分) cells as numbers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_points: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// `continued_after_page_break` (pieces of the row were joined), `extra_cells_merged`,
    /// `cells_glued` (cut from text without separators by the form's grammar).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<String>,
}

/// A number with its unit as printed in a table cell (`30亿元`, `≥90%`, `前75名`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Figure {
    pub value: f64,
    /// The unit as printed (`亿元`, `%`, `万亩`, `个百分点`).
    pub unit: String,
    /// `at_least` or `at_most` when the cell says so (≥, 不低于, 不超过, 以内, 前…名).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<String>,
    pub raw: String,
}

/// One numbered item under 存在的问题 / 建议 / 主要经验及做法.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ListItem {
    pub text: String,
    pub page: usize,
}

/// One cross-check: its name, the keys it used, and whether it held.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Check {
    pub name: String,
    pub inputs: Vec<String>,
    /// `pass`, `fail` or `skipped`.
    pub result: String,
    pub detail: String,
}

/// The flag vocabulary: every flag a field can carry, with what it tells a user.
pub const FLAGS: &[(&str, &str)] = &[
    (
        "conflict",
        "the document states this key more than once with different values; the most trusted mention was kept (see warnings)",
    ),
    (
        "sum_mismatch",
        "a sum check with this value failed (basic + project ≠ actual, personnel + public ≠ basic, section scores ≠ total)",
    ),
    (
        "rate_mismatch",
        "actual / budget does not give the stated execution rate",
    ),
    (
        "grade_band_mismatch",
        "the grade is not the usual band of the total score (≥90 优, 80–90 良, 60–80 中, <60 差)",
    ),
    (
        "implausible",
        "the value is outside what such reports contain (e.g. an execution rate above 300 %)",
    ),
    (
        "ocr",
        "the text came from OCR, not from the PDF's text layer",
    ),
    (
        "derived",
        "computed by baogao from other values, not read from the document",
    ),
    (
        "heading_body_disagree",
        "(sections) the heading's figure differs from the score stated in the body; the heading's is taken as the maximum",
    ),
    (
        "score_above_max",
        "(sections) the score is higher than the section's maximum",
    ),
];
