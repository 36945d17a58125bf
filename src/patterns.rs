//! Pattern sets: extraction rules kept as data (TOML files in `patterns/`).
//!
//! A new phrasing should be a data change, reviewed with its examples, not a code change.
//! Each file holds `[[pattern]]` tables; each pattern names the canonical key, the kind of
//! value, a regex (with shared building blocks such as `{MONEY}`), optional section anchors,
//! a trust level, and examples that the test suite runs (`cargo test` fails when an example
//! stops matching). Which files exist, how `--patterns DIR` layers over the built-in ones and
//! how the set is versioned is [`crate::rules`]'s job; this module compiles one file.
//!
//! A broken file is reported as `file:line: reason` before any input is read.

use crate::report::{FieldKind, field_def};
use regex::Regex;
use serde::Deserialize;
use std::path::Path;

/// Building blocks usable as `{NAME}` inside a pattern's regex.
pub const MACROS: &[(&str, &str)] = &[
    // A decimal number, with optional thousands separators.
    ("NUM", r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"),
    // An amount of money with its unit; groups `num` and `unit`.
    (
        "MONEY",
        r"(?P<num>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)\s*(?P<unit>亿元|万元|千元|元|亿|万)",
    ),
    // A percentage; group `num`.
    ("PCT", r"(?P<num>\d+(?:\.\d+)?)\s*%"),
    // Points; group `num`.
    ("PTS", r"(?P<num>\d+(?:\.\d+)?)\s*分"),
    // A count of persons in digits or Chinese numerals; group `num`.
    (
        "COUNT",
        r"(?P<num>\d+|[一二三四五六七八九十百千两零]+)\s*(?:人|名)",
    ),
    // Filler words between a label and its value: 为 / 是 / 共计 / : and similar.
    (
        "IS",
        r"(?:\s|:|\||为|是|达|达到|共|共计|合计|总计|总额|金额|数|累计)*",
    ),
    // A short stretch within one clause (no sentence break, no digits).
    ("GAP", r"[^。；;\n\d]{0,12}?"),
    // A reporting unit's name: Han characters ending in an organisational suffix.
    (
        "ORG",
        r"(?P<value>[\p{Han}()]{2,40}?(?:局|委员会|委|办公室|办事处|中心|厅|院|学校|中学|小学|幼儿园|大学|学院|联合会|联社|政府|街道|管委会|管理处|所|站|队|馆|协会|部|处|室|公司|社|团|会|园))",
    ),
    // The organisational suffix that ends a reporting unit's name.
    (
        "ORG_END",
        r"(?:局|委员会|委|办公室|办事处|办|中心|厅|院|学校|中学|小学|幼儿园|大学|党校|联合会|联社|社|工会|红十字会|人民政府|政府|管委会|管理处|处|站|所|馆|协会|队|部|公司|集团|台|监狱)",
    ),
    // A grade word; group `value`.
    (
        "GRADE",
        r"[“”\x22']?(?P<value>优秀|良好|合格|不合格|及格|较差|一般|较好|优|良|中|差|好)[“”\x22']?",
    ),
];

/// What a pattern's match means and how to turn it into a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ValueKind {
    /// `num` + `unit` groups → yuan.
    Money,
    /// `num` group → percent.
    Percent,
    /// `num` group → persons.
    Count,
    /// `num` group → points.
    Points,
    /// `value` (or `num`) group → a year.
    Year,
    /// `value` group → text.
    Text,
    /// `value` group → 优/良/中/差.
    Grade,
    /// The pattern's fixed `value`.
    Fixed,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDe {
    #[serde(default)]
    pattern: Vec<toml::Spanned<PatternDe>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PatternDe {
    id: String,
    key: String,
    kind: ValueKind,
    regex: toml::Spanned<String>,
    confidence: f64,
    #[serde(default)]
    value: Option<String>,
    #[serde(default)]
    within: Vec<String>,
    #[serde(default)]
    avoid: Vec<String>,
    #[serde(default)]
    not_after: Vec<String>,
    #[serde(default)]
    clause_avoid: Vec<String>,
    #[serde(default)]
    not_before: Vec<String>,
    #[serde(default)]
    unit: Option<String>,
    /// Free text for the reader of the pattern file; not used by the code.
    #[serde(default)]
    #[allow(dead_code)]
    note: Option<String>,
    #[serde(default)]
    example: Vec<ExampleDe>,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct ExampleDe {
    text: String,
    /// Expected value; absent means the pattern must *not* match the text.
    #[serde(default)]
    value: Option<toml::Value>,
}

/// One compiled pattern.
#[derive(Debug, Clone)]
pub struct Pattern {
    /// `file-stem/id`, unique in a set.
    pub id: String,
    pub key: String,
    pub kind: ValueKind,
    pub regex: Regex,
    /// How much a match of this pattern alone is trusted (0–1).
    pub confidence: f64,
    pub fixed_value: Option<String>,
    /// Section title words: the match must lie inside such a section (any ancestor title).
    pub within: Vec<String>,
    /// Section title words: a match inside such a section is ignored.
    pub avoid: Vec<String>,
    /// Text that must not stand right before the match (e.g. `项目` before `支出`).
    pub not_after: Vec<String>,
    /// Words that must not stand earlier in the match's sentence (from the last 。；; or line
    /// break up to the match), e.g. `其中` before a sub-item's 年初预算数; a word standing right
    /// before the match (其中年初预算X万元) does not count.
    pub clause_avoid: Vec<String>,
    /// Text that must not follow the match (after spaces and ,，:：), e.g. `其中在职` after a
    /// head count that includes retirees.
    pub not_before: Vec<String>,
    /// Default unit for money when the regex has no `unit` group (e.g. a table in 万元).
    pub unit: Option<String>,
    pub examples: Vec<Example>,
    /// `file:line` where the pattern is defined, for messages.
    pub origin: String,
}

/// A documented example of a pattern: text, and the value it must give (None: no match).
#[derive(Debug, Clone)]
pub struct Example {
    pub text: String,
    pub value: Option<serde_json::Value>,
}

/// A compiled set of patterns.
#[derive(Debug, Clone, Default)]
pub struct PatternSet {
    pub patterns: Vec<Pattern>,
    /// A short hash of all pattern sources: a changed set means old outputs are stale.
    pub version: String,
}

/// An error in a pattern file, with its location.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file}:{line}: {reason}")]
pub struct PatternError {
    pub file: String,
    pub line: usize,
    pub reason: String,
}

/// 1-based line number of byte offset `byte` in `src` (for `file:line` errors).
pub fn line_of(src: &str, byte: usize) -> usize {
    src[..byte.min(src.len())].matches('\n').count() + 1
}

/// Expand `{NAME}` building blocks.
pub fn expand_macros(re: &str) -> String {
    let mut out = re.to_string();
    for (name, body) in MACROS {
        out = out.replace(&format!("{{{name}}}"), body);
    }
    out
}

/// The pattern kind that produces a field of kind `k` (from the field list).
fn value_kind_for(k: FieldKind) -> ValueKind {
    match k {
        FieldKind::Text => ValueKind::Text,
        FieldKind::Year => ValueKind::Year,
        FieldKind::Family => ValueKind::Fixed,
        FieldKind::Count => ValueKind::Count,
        FieldKind::Money => ValueKind::Money,
        FieldKind::Percent => ValueKind::Percent,
        FieldKind::Points => ValueKind::Points,
        FieldKind::Grade => ValueKind::Grade,
    }
}

/// Deserialize a rule file's TOML; a syntax error or an unknown or missing setting is a
/// `file:line: reason` error (every rule kind's parser starts here).
pub fn from_toml<T: serde::de::DeserializeOwned>(file: &str, src: &str) -> Result<T, PatternError> {
    toml::from_str(src).map_err(|e| PatternError {
        file: file.to_string(),
        line: e.span().map_or(1, |s| line_of(src, s.start)),
        reason: e.message().to_string(),
    })
}

/// Parse and compile one pattern file's source.
pub fn parse_file(file: &str, src: &str) -> Result<Vec<Pattern>, PatternError> {
    let err = |line: usize, reason: String| PatternError {
        file: file.to_string(),
        line,
        reason,
    };
    let de: FileDe = crate::patterns::from_toml(file, src)?;
    let stem = Path::new(file)
        .file_stem()
        .map_or_else(|| file.to_string(), |s| s.to_string_lossy().into_owned());
    let mut out = Vec::new();
    for sp in de.pattern {
        let line = line_of(src, sp.span().start);
        let p = sp.into_inner();
        let Some(def) = field_def(&p.key) else {
            return Err(err(
                line,
                format!("pattern `{}`: unknown key `{}`", p.id, p.key),
            ));
        };
        if value_kind_for(def.kind) != p.kind {
            return Err(err(
                line,
                format!(
                    "pattern `{}`: kind {:?} does not fit key `{}`",
                    p.id, p.kind, p.key
                ),
            ));
        }
        if !(0.0..=1.0).contains(&p.confidence) {
            return Err(err(
                line,
                format!("pattern `{}`: confidence must be 0–1", p.id),
            ));
        }
        if p.kind == ValueKind::Fixed && p.value.is_none() {
            return Err(err(
                line,
                format!("pattern `{}`: kind fixed needs `value`", p.id),
            ));
        }
        let re_line = line_of(src, p.regex.span().start);
        let expanded = expand_macros(p.regex.get_ref());
        if let Some(name) = unknown_block(&expanded) {
            return Err(err(
                re_line,
                format!("pattern `{}`: unknown building block {{{name}}}", p.id),
            ));
        }
        let regex = Regex::new(&expanded)
            .map_err(|e| err(re_line, format!("pattern `{}`: bad regex: {e}", p.id)))?;
        let names: Vec<&str> = regex.capture_names().flatten().collect();
        let needs = match p.kind {
            ValueKind::Money | ValueKind::Percent | ValueKind::Count | ValueKind::Points => "num",
            ValueKind::Text | ValueKind::Grade => "value",
            ValueKind::Year => "value",
            ValueKind::Fixed => "",
        };
        if !needs.is_empty() && !names.contains(&needs) {
            return Err(err(
                re_line,
                format!("pattern `{}`: regex needs a named group `{needs}`", p.id),
            ));
        }
        if p.kind == ValueKind::Money && !names.contains(&"unit") && p.unit.is_none() {
            return Err(err(
                re_line,
                format!(
                    "pattern `{}`: money needs a `unit` group or a `unit` setting",
                    p.id
                ),
            ));
        }
        let examples = p
            .example
            .iter()
            .map(|e| Example {
                text: e.text.clone(),
                value: e.value.as_ref().map(toml_to_json),
            })
            .collect();
        out.push(Pattern {
            id: format!("{stem}/{}", p.id),
            key: p.key,
            kind: p.kind,
            regex,
            confidence: p.confidence,
            fixed_value: p.value,
            within: p.within,
            avoid: p.avoid,
            not_after: p.not_after,
            clause_avoid: p.clause_avoid,
            not_before: p.not_before,
            unit: p.unit,
            examples,
            origin: format!("{file}:{line}"),
        });
    }
    Ok(out)
}

/// A `{NAME}` (upper-case) left after expansion: a misspelt building block.
fn unknown_block(re: &str) -> Option<String> {
    static RE: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    let r = RE.get_or_init(|| Regex::new(r"\{([A-Z][A-Z_]+)\}").expect("static regex"));
    r.captures(re).map(|c| c[1].to_string())
}

fn toml_to_json(v: &toml::Value) -> serde_json::Value {
    match v {
        toml::Value::String(s) => serde_json::Value::from(s.clone()),
        toml::Value::Integer(i) => serde_json::Value::from(*i),
        toml::Value::Float(f) => crate::normalize::json_number(*f),
        toml::Value::Boolean(b) => serde_json::Value::from(*b),
        other => serde_json::Value::from(other.to_string()),
    }
}

impl PatternSet {
    /// Add compiled patterns: one with the id of a pattern already in the set replaces it.
    pub fn add(&mut self, pats: Vec<Pattern>) {
        for p in pats {
            if let Some(old) = self.patterns.iter_mut().find(|o| o.id == p.id) {
                *old = p;
            } else {
                self.patterns.push(p);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_file_and_line() {
        let src = "[[pattern]]\nid = \"a\"\nkey = \"year\"\nkind = \"year\"\nconfidence = 0.5\nregex = '''(?P<value>20\\d\\d'''\n";
        let e = parse_file("x.toml", src).unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("x.toml", 6), "{e}");
        assert!(
            e.to_string()
                .starts_with("x.toml:6: pattern `a`: bad regex"),
            "{e}"
        );

        let e = parse_file("y.toml", "[[pattern]]\nid = 3\n").unwrap_err();
        assert_eq!(e.line, 2, "{e}");

        let src = "\n[[pattern]]\nid = \"a\"\nkey = \"budget.nope\"\nkind = \"money\"\nconfidence = 0.5\nregex = '{MONEY}'\n";
        let e = parse_file("z.toml", src).unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.reason.contains("unknown key"), "{e}");

        let src = "[[pattern]]\nid = \"a\"\nkey = \"year\"\nkind = \"year\"\nconfidence = 0.5\nregex = '{YEARS}'\n";
        let e = parse_file("w.toml", src).unwrap_err();
        assert!(e.reason.contains("unknown building block {YEARS}"), "{e}");
    }
}
