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

/// What kind of value a canonical key holds; decides its unit, which pattern kinds may
/// produce it, and how `baogao eval` compares it with truth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// A name (department, project, unit): a string.
    Text,
    /// A budget year: an integer.
    Year,
    /// `dept-overall` or `project`.
    Family,
    /// Persons: an integer.
    Count,
    /// Money in yuan, rounded to cents.
    Money,
    /// A percentage (152.5 means 152.5 %).
    Percent,
    /// Points of a score.
    Points,
    /// 优 / 良 / 中 / 差.
    Grade,
}

impl FieldKind {
    /// The canonical unit written in `fields.<key>.unit` (None for strings and years).
    pub fn unit(self) -> Option<&'static str> {
        match self {
            FieldKind::Count => Some("persons"),
            FieldKind::Money => Some("yuan"),
            FieldKind::Percent => Some("percent"),
            FieldKind::Points => Some("points"),
            FieldKind::Text | FieldKind::Year | FieldKind::Family | FieldKind::Grade => None,
        }
    }
}

/// One canonical key of the contract (`../shared/spec/fields.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldDef {
    /// The key in `fields` (`budget.initial`).
    pub key: &'static str,
    pub kind: FieldKind,
    /// The key of the same value in the corpus truth files (`budget_initial_wan`).
    pub truth_key: &'static str,
    /// Part of the contract before the `project.*` keys were added (`score.py --core`).
    pub core: bool,
}

const fn def(key: &'static str, kind: FieldKind, truth_key: &'static str, core: bool) -> FieldDef {
    FieldDef {
        key,
        kind,
        truth_key,
        core,
    }
}

/// The field list: every canonical key, in the order summaries and the eval print them.
/// Report, patterns, eval and every writer take keys, kinds and units from here.
pub const FIELDS: &[FieldDef] = &[
    def("department", FieldKind::Text, "department", true),
    def("year", FieldKind::Year, "year", true),
    def("report_family", FieldKind::Family, "report_family", true),
    def(
        "staff.authorized",
        FieldKind::Count,
        "staff_authorized",
        true,
    ),
    def("staff.actual", FieldKind::Count, "staff_actual", true),
    def("staff.retired", FieldKind::Count, "", false),
    def(
        "budget.initial",
        FieldKind::Money,
        "budget_initial_wan",
        true,
    ),
    def(
        "budget.adjusted",
        FieldKind::Money,
        "budget_adjusted_wan",
        true,
    ),
    def("income.total", FieldKind::Money, "", false),
    def(
        "expenditure.actual",
        FieldKind::Money,
        "expenditure_actual_wan",
        true,
    ),
    def(
        "expenditure.execution_rate",
        FieldKind::Percent,
        "execution_rate_pct",
        true,
    ),
    def(
        "expenditure.basic",
        FieldKind::Money,
        "basic_expenditure_wan",
        true,
    ),
    def(
        "expenditure.project",
        FieldKind::Money,
        "project_expenditure_wan",
        true,
    ),
    def(
        "expenditure.personnel",
        FieldKind::Money,
        "personnel_expenditure_wan",
        true,
    ),
    def(
        "expenditure.public",
        FieldKind::Money,
        "public_expenditure_wan",
        true,
    ),
    def("score.total", FieldKind::Points, "score_total", true),
    def("grade", FieldKind::Grade, "grade", true),
    def("project.name", FieldKind::Text, "project_name", false),
    def(
        "project.supervisor",
        FieldKind::Text,
        "project_supervisor",
        false,
    ),
    def(
        "project.implementer",
        FieldKind::Text,
        "project_implementer",
        false,
    ),
];

/// The definition of a canonical key.
pub fn field_def(key: &str) -> Option<&'static FieldDef> {
    FIELDS.iter().find(|f| f.key == key)
}

/// The canonical keys in field-list order.
pub fn keys() -> impl Iterator<Item = &'static str> {
    FIELDS.iter().map(|f| f.key)
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
/// `category`, `target`, `actual`, `unit`, `nature`, `max_points`, `score`,
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
    /// column. Computed from comparable figures (same unit family, or dates), else from the
    /// outcome words of `patterns/tables.toml` `[status]`; `unknown` when neither decides.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// actual / target in percent for the compared pair that decided the status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ratio: Option<f64>,
    /// The points cell as a number: 分值, or 权重 / 指标权重, which is the same column named
    /// the other way (so the score-sum check reads one column in every form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_points: Option<f64>,
    /// The 得分 cell as a number.
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

/// The flag vocabulary: every flag a field or a scored section can carry. `Field::flags`
/// holds their names ([`Flag::as_str`]), so the JSON stays plain strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Flag {
    Conflict,
    SumMismatch,
    RateMismatch,
    GradeBandMismatch,
    Implausible,
    Ocr,
    IncompleteText,
    Derived,
    HeadingBodyDisagree,
    ScoreAboveMax,
    UnconfirmedRule,
}

impl Flag {
    /// Every flag, in the order the README and `baogao schema` list them.
    pub const ALL: &'static [Flag] = &[
        Flag::Conflict,
        Flag::SumMismatch,
        Flag::RateMismatch,
        Flag::GradeBandMismatch,
        Flag::Implausible,
        Flag::Ocr,
        Flag::IncompleteText,
        Flag::Derived,
        Flag::HeadingBodyDisagree,
        Flag::ScoreAboveMax,
        Flag::UnconfirmedRule,
    ];

    /// The name written in the JSON (`sum_mismatch`).
    pub fn as_str(self) -> &'static str {
        match self {
            Flag::Conflict => "conflict",
            Flag::SumMismatch => "sum_mismatch",
            Flag::RateMismatch => "rate_mismatch",
            Flag::GradeBandMismatch => "grade_band_mismatch",
            Flag::Implausible => "implausible",
            Flag::Ocr => "ocr",
            Flag::IncompleteText => "incomplete_text",
            Flag::Derived => "derived",
            Flag::HeadingBodyDisagree => "heading_body_disagree",
            Flag::ScoreAboveMax => "score_above_max",
            Flag::UnconfirmedRule => "unconfirmed_rule",
        }
    }

    /// What the flag tells a user.
    pub fn description(self) -> &'static str {
        match self {
            Flag::Conflict => {
                "the document states this key more than once with different values; the most trusted mention was kept (see warnings)"
            }
            Flag::SumMismatch => {
                "a sum check with this value failed (basic + project ≠ actual, personnel + public ≠ basic, section scores ≠ total)"
            }
            Flag::RateMismatch => "actual / budget does not give the stated execution rate",
            Flag::GradeBandMismatch => {
                "the grade is not the usual band of the total score (≥90 优, 80–90 良, 60–80 中, <60 差)"
            }
            Flag::Implausible => {
                "the value is outside what such reports contain (an execution rate above 300 %)"
            }
            Flag::Ocr => "the text came from OCR, not from the PDF's text layer",
            Flag::IncompleteText => {
                "the document's text is known to be incomplete (a damaged PDF: a content stream breaks off, or a font's Unicode map is damaged); see the pages with verdict `incomplete` and the warnings"
            }
            Flag::Derived => "computed by baogao from other values, not read from the document",
            Flag::HeadingBodyDisagree => {
                "(sections) the heading's figure differs from the score stated in the body; the heading's is taken as the maximum"
            }
            Flag::ScoreAboveMax => "(sections) the score is higher than the section's maximum",
            Flag::UnconfirmedRule => {
                "the rule that found the value has not been right on two development documents yet (patterns/confirmed.toml), so its confidence stays below 0.9"
            }
        }
    }

    /// The flag of a name, if it is one.
    pub fn from_name(name: &str) -> Option<Flag> {
        Flag::ALL.iter().copied().find(|f| f.as_str() == name)
    }
}

impl From<Flag> for String {
    fn from(f: Flag) -> String {
        f.as_str().to_string()
    }
}

impl PartialEq<Flag> for String {
    fn eq(&self, f: &Flag) -> bool {
        self == f.as_str()
    }
}

impl std::fmt::Display for Flag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why an input was not converted: the `error_kind` of its summary line. The names are
/// stable (users' scripts and the tests key on them); the README lists them (a test holds
/// the two equal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Not a PDF (and not a format baogao reads).
    NotPdf,
    /// A text file in no encoding baogao recognises.
    NotText,
    /// Encrypted and the empty password does not open it.
    Encrypted,
    /// Too little text for a report.
    NoText,
    /// Pages need OCR and OCR is off or not installed.
    NeedsOcr,
    /// Every text backend failed on the file.
    Backend,
    /// The file could not be read or the output not written.
    Io,
    /// The conversion needed more memory than allowed (`--max-memory`).
    TooLarge,
    /// The conversion took longer than `--timeout`.
    Timeout,
    /// The worker died (a panic, an abort, a signal).
    Crash,
    /// The file's format needs a converter that is not installed (LibreOffice for `.doc`).
    MissingTool,
    /// A PDF whose structure nothing could repair (the message says what was tried).
    Damaged,
    /// Content in a stream filter baogao cannot decode (the message names it).
    Unsupported,
}

impl ErrorKind {
    /// Every kind, in the order the README lists them.
    pub const ALL: &'static [ErrorKind] = &[
        ErrorKind::NotPdf,
        ErrorKind::NotText,
        ErrorKind::Encrypted,
        ErrorKind::NoText,
        ErrorKind::NeedsOcr,
        ErrorKind::Backend,
        ErrorKind::Io,
        ErrorKind::TooLarge,
        ErrorKind::Timeout,
        ErrorKind::Crash,
        ErrorKind::Damaged,
        ErrorKind::Unsupported,
        ErrorKind::MissingTool,
    ];

    /// The name written in summaries (`not_pdf`).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::NotPdf => "not_pdf",
            ErrorKind::NotText => "not_text",
            ErrorKind::Encrypted => "encrypted",
            ErrorKind::NoText => "no_text",
            ErrorKind::NeedsOcr => "needs_ocr",
            ErrorKind::Backend => "backend",
            ErrorKind::Io => "io",
            ErrorKind::TooLarge => "too_large",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Crash => "crash",
            ErrorKind::MissingTool => "missing_tool",
            ErrorKind::Damaged => "damaged",
            ErrorKind::Unsupported => "unsupported",
        }
    }

    /// The kind of a name, if it is one.
    pub fn from_name(name: &str) -> Option<ErrorKind> {
        ErrorKind::ALL.iter().copied().find(|k| k.as_str() == name)
    }
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for ErrorKind {
    fn eq(&self, s: &&str) -> bool {
        self.as_str() == *s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The README's error-kind table lists exactly the kinds of [`ErrorKind`], in order.
    #[test]
    fn readme_lists_every_error_kind() {
        let readme = include_str!("../README.md");
        let start = readme
            .find("### Error kinds")
            .expect("README has an `### Error kinds` section");
        let listed: Vec<&str> = readme[start..]
            .lines()
            .skip(1)
            .skip_while(|l| !l.starts_with('|'))
            .take_while(|l| l.starts_with('|'))
            .skip(2) // header and rule
            .filter_map(|l| l.split('`').nth(1))
            .collect();
        let kinds: Vec<&str> = ErrorKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(listed, kinds);
    }

    /// The README's flag table lists exactly [`Flag::ALL`], in order.
    #[test]
    fn readme_lists_every_flag() {
        let readme = include_str!("../README.md");
        let start = readme
            .find("### Flags")
            .expect("README has a `### Flags` section");
        let listed: Vec<&str> = readme[start..]
            .lines()
            .skip(1)
            .skip_while(|l| !l.starts_with('|'))
            .take_while(|l| l.starts_with('|'))
            .skip(2)
            .filter_map(|l| l.split('`').nth(1))
            .collect();
        let flags: Vec<&str> = Flag::ALL.iter().map(|f| f.as_str()).collect();
        assert_eq!(listed, flags);
    }

    #[test]
    fn field_list_units_and_lookup() {
        assert_eq!(
            field_def("budget.initial").unwrap().kind.unit(),
            Some("yuan")
        );
        assert_eq!(field_def("project.name").unwrap().kind.unit(), None);
        assert!(field_def("budget.nope").is_none());
        let mut seen = std::collections::BTreeSet::new();
        assert!(keys().all(|k| seen.insert(k)), "keys are unique");
        assert_eq!(FIELDS.iter().filter(|f| f.core).count(), 15);
    }
}
