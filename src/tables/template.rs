//! Table templates: the header words, column names and figure units of
//! `patterns/tables.toml`, compiled once.
//!
//! A table is found by its header row, so everything that names a column is data: a report
//! template whose table says 全年实际值 instead of 实际完成值 needs one word in the TOML file,
//! not a code change. Each template carries examples that `cargo test` runs through the whole
//! table reader.

use crate::patterns::PatternError;
use regex::Regex;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The built-in table file, embedded at build time.
pub const DEFAULT_FILE: (&str, &str) = (
    "patterns/tables.toml",
    include_str!("../../patterns/tables.toml"),
);

/// A table file with no columns and no templates: the table rules when a
/// `--patterns-only` directory has no `tables.toml` (no table is read).
pub const EMPTY_FILE: &str = "column = []\ntable = []\n[rows]\ntotal = []\n[figures]\nunits = []\nscale = {}\n[direction]\nat_least_before = []\nat_least_after = []\nat_most_before = []\nat_most_after = []\n";

/// Canonical column names a template's `require` may use and the code knows about, in
/// the order the batch CSVs list them.
pub const COLUMN_NAMES: &[&str] = &[
    "seq",
    "category",
    "level1",
    "level2",
    "indicator",
    "nature",
    "target",
    "actual",
    "unit",
    "max_points",
    "weight",
    "score",
    "completion",
    "reason",
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDe {
    column: Vec<toml::Spanned<ColumnDe>>,
    table: Vec<toml::Spanned<TableDe>>,
    rows: RowsDe,
    figures: FiguresDe,
    direction: DirectionDe,
    #[serde(default)]
    levels: LevelsDe,
    #[serde(default)]
    headers: HeadersDe,
    #[serde(default)]
    status: StatusDe,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusDe {
    #[serde(default)]
    met: Vec<String>,
    #[serde(default)]
    not_met: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct HeadersDe {
    /// Header words of columns without a canonical name (是否核心指标): they make a line a
    /// header and keep their printed text as the column's key.
    #[serde(default)]
    other: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct LevelsDe {
    level1: Vec<String>,
    level2: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ColumnDe {
    name: String,
    headers: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TableDe {
    id: String,
    into: String,
    #[serde(default)]
    note: Option<String>,
    require: Vec<Vec<String>>,
    #[serde(default)]
    forbid: Vec<String>,
    #[serde(default)]
    example: Vec<ExampleDe>,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct ExampleDe {
    text: String,
    rows: usize,
    #[serde(default)]
    first: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RowsDe {
    total: Vec<String>,
    #[serde(default)]
    form: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FiguresDe {
    units: Vec<String>,
    scale: BTreeMap<String, f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DirectionDe {
    at_least_before: Vec<String>,
    at_least_after: Vec<String>,
    at_most_before: Vec<String>,
    at_most_after: Vec<String>,
}

/// Where a template's rows go in the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dest {
    Targets,
    Indicators,
}

/// One table template.
#[derive(Debug, Clone)]
pub struct Template {
    pub id: String,
    pub into: Dest,
    /// Every group needs one of its column names in the header.
    pub require: Vec<Vec<String>>,
    /// The template does not fit a header with any of these columns.
    pub forbid: Vec<String>,
    pub examples: Vec<Example>,
    /// `file:line` where the template is defined, for messages.
    pub origin: String,
}

/// A documented example: a small table text, how many data rows it has, and some cells of
/// its first row by column name.
#[derive(Debug, Clone)]
pub struct Example {
    pub text: String,
    pub rows: usize,
    pub first: BTreeMap<String, String>,
}

/// The compiled table rules.
#[derive(Debug, Clone)]
pub struct Templates {
    /// (header word, column name), longest word first; the name is empty for the `other`
    /// header words (a header cell without a canonical column).
    pub headers: Vec<(String, String)>,
    pub tables: Vec<Template>,
    pub total_words: Vec<String>,
    /// First cells of form rows that are not data (评价结论, 项目负责人): a table ends there.
    pub form_words: Vec<String>,
    /// Actual cells that state the outcome in words (`达成预期指标`, `未完成`).
    pub met_words: Vec<String>,
    pub not_met_words: Vec<String>,
    /// Matches a number and its unit; groups `num`, `unit`.
    pub figure_re: Regex,
    /// Unit scale prefixes (`万` → 1e4).
    pub scale: Vec<(String, f64)>,
    pub units: Vec<String>,
    /// (word, direction), longest first: `at_least` / `at_most`.
    pub before: Vec<(String, &'static str)>,
    pub after: Vec<(String, &'static str)>,
    /// The national form's 一级 / 二级 indicator names, longest first: they tell which cells
    /// of a glued or short row are the merged level cells.
    pub level1: Vec<String>,
    pub level2: Vec<String>,
}

/// A header cell is matched after removing spaces and parenthesised notes: `金额(万元)`,
/// `分值(10分)`.
pub fn normalize_header(cell: &str) -> String {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| Regex::new(r"[(（][^)）]*[)）]").expect("static regex"));
    let s: String = cell.chars().filter(|c| !c.is_whitespace()).collect();
    re.replace_all(&s, "")
        .trim_end_matches([':', '：'])
        .to_string()
}

impl Templates {
    /// The built-in rules (compiled once; the file is tested).
    pub fn builtin() -> &'static Templates {
        static T: OnceLock<Templates> = OnceLock::new();
        T.get_or_init(|| {
            Templates::parse(DEFAULT_FILE.0, DEFAULT_FILE.1)
                .expect("patterns/tables.toml is tested")
        })
    }

    /// Parse and check a table file.
    pub fn parse(file: &str, src: &str) -> Result<Templates, PatternError> {
        let line_of = |byte: usize| crate::patterns::line_of(src, byte);
        let err = |line: usize, reason: String| PatternError {
            file: file.to_string(),
            line,
            reason,
        };
        let de: FileDe = crate::patterns::from_toml(file, src)?;
        let mut headers = Vec::new();
        for c in &de.column {
            let line = line_of(c.span().start);
            let c = c.get_ref();
            if !COLUMN_NAMES.contains(&c.name.as_str()) {
                return Err(err(line, format!("unknown column name `{}`", c.name)));
            }
            for h in &c.headers {
                let h = normalize_header(h);
                if let Some((_, other)) = headers.iter().find(|(w, _)| *w == h) {
                    return Err(err(
                        line,
                        format!("header word `{h}` is already a `{other}` word"),
                    ));
                }
                headers.push((h, c.name.clone()));
            }
        }
        for h in &de.headers.other {
            let h = normalize_header(h);
            if let Some((_, other)) = headers.iter().find(|(w, _)| *w == h) {
                return Err(err(
                    1,
                    format!("other header word `{h}` is already a `{other}` word"),
                ));
            }
            headers.push((h, String::new()));
        }
        headers.sort_by_key(|h| std::cmp::Reverse(h.0.chars().count()));
        let mut tables = Vec::new();
        for t in &de.table {
            let line = line_of(t.span().start);
            let t = t.get_ref();
            let into = match t.into.as_str() {
                "targets" => Dest::Targets,
                "indicators" => Dest::Indicators,
                other => {
                    return Err(err(
                        line,
                        format!(
                            "table `{}`: into must be `targets` or `indicators`, not `{other}`",
                            t.id
                        ),
                    ));
                }
            };
            for name in t.require.iter().flatten().chain(&t.forbid) {
                if !COLUMN_NAMES.contains(&name.as_str()) {
                    return Err(err(
                        line,
                        format!("table `{}`: unknown column `{name}`", t.id),
                    ));
                }
            }
            let _ = &t.note;
            tables.push(Template {
                id: t.id.clone(),
                into,
                require: t.require.clone(),
                forbid: t.forbid.clone(),
                examples: t
                    .example
                    .iter()
                    .map(|e| Example {
                        text: e.text.clone(),
                        rows: e.rows,
                        first: e.first.clone(),
                    })
                    .collect(),
                origin: format!("{file}:{line}"),
            });
        }
        let mut units = de.figures.units.clone();
        units.sort_by_key(|u| std::cmp::Reverse(u.chars().count()));
        let alt = |ws: &[String]| {
            ws.iter()
                .map(|w| regex::escape(w))
                .collect::<Vec<_>>()
                .join("|")
        };
        let scale: Vec<(String, f64)> = de.figures.scale.clone().into_iter().collect();
        let prefixes: Vec<String> = scale.iter().map(|(p, _)| p.clone()).collect();
        let figure_re = Regex::new(&format!(
            r"(?P<num>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(?P<unit>(?:{})?(?:{}))",
            alt(&prefixes),
            alt(&units)
        ))
        .map_err(|e| err(1, format!("figure units do not make a regex: {e}")))?;
        let dir = |words: &[String], d: &'static str| -> Vec<(String, &'static str)> {
            words.iter().map(|w| (w.clone(), d)).collect()
        };
        let mut before = dir(&de.direction.at_least_before, "at_least");
        before.extend(dir(&de.direction.at_most_before, "at_most"));
        before.sort_by_key(|w| std::cmp::Reverse(w.0.chars().count()));
        let mut after = dir(&de.direction.at_least_after, "at_least");
        after.extend(dir(&de.direction.at_most_after, "at_most"));
        after.sort_by_key(|w| std::cmp::Reverse(w.0.chars().count()));
        let longest_first = |v: &[String]| {
            let mut v = v.to_vec();
            v.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
            v
        };
        Ok(Templates {
            level1: longest_first(&de.levels.level1),
            level2: longest_first(&de.levels.level2),
            headers,
            tables,
            total_words: de.rows.total,
            form_words: de.rows.form,
            met_words: de.status.met,
            not_met_words: de.status.not_met,
            figure_re,
            scale,
            units,
            before,
            after,
        })
    }

    /// The canonical column of a header cell: the longest header word the cell equals,
    /// starts with or ends with (a cell at most six characters longer than the word).
    pub fn column_of(&self, cell: &str) -> Option<&str> {
        self.header_word(cell).filter(|c| !c.is_empty())
    }

    /// Like [`Self::column_of`], but an `other` header word (是否核心指标) gives `""`: the
    /// cell is a header cell whose column keeps its printed name.
    pub fn header_word(&self, cell: &str) -> Option<&str> {
        let h = normalize_header(cell);
        if h.is_empty() || crate::text::starts_with_marker(&h) {
            return None;
        }
        let n = h.chars().count();
        self.headers
            .iter()
            .find(|(w, _)| {
                h == *w
                    || ((h.starts_with(w.as_str()) || h.ends_with(w.as_str()))
                        && n <= w.chars().count() + 6)
            })
            .map(|(_, c)| c.as_str())
    }

    /// The level of a cell of the national form's level columns: 1 for 产出指标 (also
    /// `产出指标(50分)`), 2 for 数量指标 (also `数量`, the word without its 指标).
    pub fn level_of(&self, cell: &str) -> Option<u8> {
        let h = normalize_header(cell);
        if h.is_empty() {
            return None;
        }
        let is = |w: &String| {
            *w == h
                || w.strip_suffix("指标")
                    .is_some_and(|b| b.chars().count() >= 2 && b == h)
        };
        if self.level1.iter().any(is) {
            Some(1)
        } else if self.level2.iter().any(is) {
            Some(2)
        } else {
            None
        }
    }

    /// The first template whose requirements the columns meet.
    pub fn template_for(&self, columns: &[Option<String>]) -> Option<&Template> {
        let has = |g: &String| columns.iter().flatten().any(|c| c == g);
        self.tables.iter().find(|t| {
            t.require.iter().all(|group| group.iter().any(has)) && !t.forbid.iter().any(has)
        })
    }

    /// Split a header row whose cells were glued together (`一级指标二级指标三级指标分值得分`,
    /// a space-separated row after clean-up) into header words; None unless the whole line is
    /// made of them.
    pub fn split_glued_header(&self, line: &str) -> Option<Vec<String>> {
        let s: String = line.chars().filter(|c| !c.is_whitespace()).collect();
        let mut rest = s.as_str();
        let mut out = Vec::new();
        while !rest.is_empty() {
            let (w, _) = self
                .headers
                .iter()
                .find(|(w, _)| rest.starts_with(w.as_str()))?;
            out.push(w.clone());
            rest = &rest[w.len()..];
        }
        (out.len() >= 3).then_some(out)
    }

    /// The scale of a unit's prefix and the unit without it (`万亩` → 1e4, `亩`).
    pub fn split_unit<'a>(&self, unit: &'a str) -> (f64, &'a str) {
        for (p, m) in &self.scale {
            if let Some(base) = unit.strip_prefix(p.as_str())
                && self.units.iter().any(|u| u == base)
            {
                return (*m, base);
            }
        }
        (1.0, unit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_file_parses() {
        let t = Templates::builtin();
        assert!(t.tables.len() >= 2);
        assert_eq!(t.column_of("实际完成情况"), Some("actual"));
        assert_eq!(t.column_of("完成情况"), Some("completion"));
        assert_eq!(t.column_of("自评得分"), Some("score"));
        assert_eq!(t.column_of("偏差原因分析及改进措施"), Some("reason"));
        assert_eq!(t.column_of("未完成原因分析"), Some("reason"));
        assert_eq!(t.column_of("分值(10分)"), Some("max_points"));
        assert_eq!(t.column_of("年初预算数"), None);
        assert_eq!(t.column_of("三、部门整体支出绩效目标完成情况"), None);
        assert_eq!(t.split_unit("万亩"), (1e4, "亩"));
        assert_eq!(t.split_unit("亿元"), (1e8, "元"));
        assert_eq!(t.split_unit("%"), (1.0, "%"));
    }

    #[test]
    fn glued_header_splits_only_when_made_of_header_words() {
        let t = Templates::builtin();
        let h = t
            .split_glued_header("一级指标二级指标三级指标年度指标值实际完成值分值得分")
            .unwrap();
        assert_eq!(h.len(), 7);
        assert_eq!(h[3], "年度指标值");
        assert!(t.split_glued_header("一级指标二级指标及其他说明").is_none());
    }

    #[test]
    fn errors_name_file_and_line() {
        let src = DEFAULT_FILE
            .1
            .replace("name = \"reason\"", "name = \"wieght\"");
        let e = Templates::parse("t.toml", &src).unwrap_err();
        assert!(e.reason.contains("unknown column name `wieght`"), "{e}");
        let line = src.lines().position(|l| l.contains("wieght")).unwrap();
        assert_eq!(e.line, line, "{e}");
        let src = DEFAULT_FILE
            .1
            .replace("into = \"targets\"", "into = \"target\"");
        let e = Templates::parse("t.toml", &src).unwrap_err();
        assert!(e.reason.contains("into must be"), "{e}");
    }
}
