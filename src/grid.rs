//! Budget-execution grids → candidates for the budget, actual and rate fields.
//!
//! Self-evaluation forms give the money figures only in a small grid (年初预算数 /
//! 全年预算数 / 全年执行数 / 执行率 …) that flattening turns into a header run followed by
//! a run of figures, with the separators lost in many ways. Regex patterns cannot map the
//! N-th figure to the N-th label, so this module does: it reads the header as a run of
//! column labels (data in `patterns/grids.toml`), then the figures after it, and assigns
//! figures to columns by type (money, percent, points) keeping their order. Figures fused
//! together (`64.864.864.8100%`) are split only when the split is confirmed by the
//! arithmetic (actual / budget = the stated rate). The unit comes from the form's
//! `(万元)` / `金额（元）` heading; without one the grid gives nothing.

use crate::clean::CleanText;
use crate::extract::{Candidate, context_unit};
use crate::normalize::{json_number, parse_number, to_yuan};
use crate::patterns::{PatternError, line_of};
use crate::report::{FieldKind, field_def};
use regex::Regex;
use serde::Deserialize;
use std::sync::OnceLock;

/// The built-in grid file, embedded at build time.
pub const DEFAULT_FILE: (&str, &str) = (
    "patterns/grids.toml",
    include_str!("../patterns/grids.toml"),
);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Kind {
    Money,
    Percent,
    Points,
    Index,
    Text,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ColumnDe {
    key: String,
    #[serde(default)]
    generic: bool,
    kind: Kind,
    labels: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RowDe {
    labels: Vec<String>,
}

/// A row of a form's money grid that states one part of the total (基本支出, 人员经费 …):
/// its value is the figure under the grid's 全年执行数 column.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PartDe {
    key: String,
    labels: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExampleDe {
    text: String,
    /// Canonical key → the value the grid must give (absent key: must give nothing).
    #[serde(default)]
    values: std::collections::BTreeMap<String, f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDe {
    #[serde(default)]
    column: Vec<toml::Spanned<ColumnDe>>,
    #[serde(default)]
    row: Vec<RowDe>,
    #[serde(default)]
    part: Vec<toml::Spanned<PartDe>>,
    #[serde(default)]
    example: Vec<toml::Spanned<ExampleDe>>,
}

#[derive(Debug)]
struct Column {
    key: String,
    /// A catch-all label shape (`…数(B)`): loses to any specific label at the same place.
    generic: bool,
    kind: Kind,
    /// Anchored at the current position.
    re: Regex,
    /// Anchored at the end of a string (for looking back).
    tail: Regex,
}

/// A documented example of a grid file: text, and every value the grids must read from it.
#[derive(Debug, Clone)]
pub struct GridExample {
    pub text: String,
    pub values: std::collections::BTreeMap<String, f64>,
    /// `file:line` of the example.
    pub origin: String,
}

/// The compiled grid rules of one grid file (`patterns/grids.toml` or a user's override).
#[derive(Debug)]
pub struct Grids {
    columns: Vec<Column>,
    /// Any label, unanchored: where a header may start.
    any: Regex,
    row: Regex,
    /// The 其中：本年财政拨款 row that carries the figures when the total row is blank.
    funded_row: Regex,
    annotation: Regex,
    sep: Regex,
    /// Part rows (key, label anchored and ending the row label).
    parts: Vec<(String, Regex)>,
    /// Any row label of a grid: a short run of Han characters before the row's figures.
    row_label: Regex,
    pub examples: Vec<GridExample>,
}

impl Grids {
    /// The built-in grid file.
    pub fn builtin() -> Result<Grids, PatternError> {
        Grids::parse(DEFAULT_FILE.0, DEFAULT_FILE.1)
    }

    /// Parse and check a grid file: unknown keys, labels that do not compile, a column key
    /// that is not a canonical key of the column's kind are `file:line` errors.
    pub fn parse(file: &str, src: &str) -> Result<Grids, PatternError> {
        let err = |line: usize, reason: String| PatternError {
            file: file.to_string(),
            line,
            reason,
        };
        let de: FileDe = crate::patterns::from_toml(file, src)?;
        let mut columns = Vec::new();
        for sp in &de.column {
            let line = line_of(src, sp.span().start);
            let c = sp.get_ref();
            if !c.key.is_empty() {
                let want = match c.kind {
                    Kind::Money => Some(FieldKind::Money),
                    Kind::Percent => Some(FieldKind::Percent),
                    Kind::Points => Some(FieldKind::Points),
                    Kind::Index | Kind::Text => None,
                };
                match field_def(&c.key) {
                    None => return Err(err(line, format!("unknown key `{}`", c.key))),
                    Some(d) if Some(d.kind) != want => {
                        return Err(err(
                            line,
                            format!("key `{}` does not fit a {:?} column", c.key, c.kind),
                        ));
                    }
                    Some(_) => {}
                }
            }
            if c.labels.is_empty() {
                return Err(err(line, "a column needs at least one label".into()));
            }
            let alt = c.labels.join("|");
            let compile = |re: String| {
                Regex::new(&re).map_err(|e| err(line, format!("bad label regex: {e}")))
            };
            columns.push(Column {
                key: c.key.clone(),
                generic: c.generic,
                kind: c.kind,
                re: compile(format!("^(?:{alt})"))?,
                tail: compile(format!("(?:{alt})$"))?,
            });
        }
        let keyed: Vec<String> = de
            .column
            .iter()
            .map(|c| c.get_ref())
            .filter(|c| !c.key.is_empty())
            .flat_map(|c| c.labels.clone())
            .collect();
        let rows: Vec<String> = de.row.iter().flat_map(|r| r.labels.clone()).collect();
        let any = if keyed.is_empty() {
            // no reported column: a regex that never matches
            Regex::new(r"[^\s\S]").expect("static regex")
        } else {
            Regex::new(&format!("(?:{})", keyed.join("|")))
                .map_err(|e| err(1, format!("bad label regex: {e}")))?
        };
        let examples = de
            .example
            .iter()
            .map(|sp| {
                let e = sp.get_ref();
                GridExample {
                    text: e.text.clone(),
                    values: e.values.clone(),
                    origin: format!("{file}:{}", line_of(src, sp.span().start)),
                }
            })
            .collect();
        let mut parts = Vec::new();
        for sp in &de.part {
            let line = line_of(src, sp.span().start);
            let p = sp.get_ref();
            match field_def(&p.key) {
                Some(d) if d.kind == FieldKind::Money => {}
                _ => {
                    return Err(err(
                        line,
                        format!("part key `{}` is not a money key", p.key),
                    ));
                }
            }
            let re = Regex::new(&format!(
                r"^(?:其中[:：]?\s*)?(?:{})(?:\((?:万元|元)\))?$",
                p.labels.join("|")
            ))
            .map_err(|e| err(line, format!("bad part label regex: {e}")))?;
            parts.push((p.key.clone(), re));
        }
        Ok(Grids {
            parts,
            row_label: Regex::new(r"^(?:其中[:：]?\s*)?\p{Han}[\p{Han}()（）]{1,15}[\s|:：]*")
                .expect("static regex"),
            columns,
            any,
            row: Regex::new(&format!(
                r"^(?:{})\s*(?:\((?:万元|元|亿元)\))?\s*[:：]?",
                rows.join("|")
            ))
            .map_err(|e| err(1, format!("bad row label regex: {e}")))?,
            funded_row: Regex::new(r"其中[:：]?\s*(?:本年|当年)?财政\s*拨款(?:资金)?[:：]?")
                .expect("static regex"),
            annotation: Regex::new(
                r"^(?:\s*\(\s*[A-Z]\s*(?:[/×xX*]\s*[A-Z0-9%]+\s*)*\)?|[,，]?\s*[A-Z]\s*[、,，)])",
            )
            .expect("static regex"),
            sep: Regex::new(r"^[\s|:：、,，]*").expect("static regex"),
            examples,
        })
    }

    /// Run every example of the file; the first that fails is a `file:line` error.
    pub fn verify_examples(&self) -> Result<(), PatternError> {
        for ex in &self.examples {
            let got = grid_candidates(&CleanText::from_single(&ex.text), self);
            let mut seen = std::collections::BTreeMap::new();
            for c in &got {
                seen.entry(c.key.clone()).or_insert(c.value.as_f64());
            }
            let want: std::collections::BTreeMap<String, Option<f64>> = ex
                .values
                .iter()
                .map(|(k, v)| (k.clone(), Some(*v)))
                .collect();
            if seen != want {
                let (file, line) = ex.origin.rsplit_once(':').unwrap_or((&ex.origin, "0"));
                return Err(PatternError {
                    file: file.to_string(),
                    line: line.parse().unwrap_or(0),
                    reason: format!("grid example gives {seen:?}, expected {want:?}"),
                });
            }
        }
        Ok(())
    }
}

/// A figure after the header: its text and whether it carried `%`.
#[derive(Debug, Clone)]
struct Token<'a> {
    text: &'a str,
    pct: bool,
    end: usize,
    /// A unit printed in the cell itself (`620.82万元`).
    unit: Option<&'a str>,
}

/// Read all grids of a text into candidates.
pub fn grid_candidates(text: &CleanText, g: &Grids) -> Vec<Candidate> {
    let s = text.text.as_str();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(m) = g.any.find_at(s, from) {
        match read_grid(g, s, m.start()) {
            Some((cands, end)) => {
                for mut c in cands {
                    c.page = text.page_at(c.start);
                    out.push(c);
                }
                from = end.max(m.end());
            }
            // A header that gave nothing (an ambiguous row, no unit) is skipped whole: read
            // again from its second label it would lose the first column and look certain.
            None => {
                let (cols, header_end) = read_header(g, s, m.start());
                from = if cols.len() >= 2 {
                    header_end.max(m.end())
                } else {
                    m.end()
                };
            }
        }
    }
    out
}

/// Parse the header starting at `start`; returns the columns and where the header ends.
fn read_header<'g>(g: &'g Grids, s: &str, start: usize) -> (Vec<&'g Column>, usize) {
    let mut cols = Vec::new();
    let mut pos = start;
    loop {
        let rest = &s[pos..];
        let skip = g.sep.find(rest).map_or(0, |m| m.end());
        let rest2 = &rest[skip..];
        let Some((col, len)) = g
            .columns
            .iter()
            .filter_map(|c| c.re.find(rest2).map(|m| (c, m.end())))
            // A reported column wins, then a specific label over a generic shape, then the
            // longest.
            .max_by_key(|(c, l)| (!c.key.is_empty(), !c.generic, *l))
        else {
            break;
        };
        cols.push(col);
        pos += skip + len;
        if let Some(a) = g.annotation.find(&s[pos..]) {
            pos += a.end();
        }
    }
    (cols, pos)
}

fn read_grid(g: &Grids, s: &str, start: usize) -> Option<(Vec<Candidate>, usize)> {
    let (mut cols, header_end) = read_header(g, s, start);
    // A row-number column (行次/序号) right before the first reported label.
    let back = floor_boundary(s, start.saturating_sub(12));
    let before = s[back..start].trim_end();
    if let Some(ix) = g
        .columns
        .iter()
        .find(|c| c.kind == Kind::Index && c.tail.is_match(before))
    {
        cols.insert(0, ix);
    }
    let keyed_money = cols
        .iter()
        .filter(|c| !c.key.is_empty() && c.kind == Kind::Money)
        .count();
    if cols.len() < 2 || keyed_money == 0 {
        return None;
    }
    // Skip to a total-row label when one follows within a short distance.
    let mut pos = header_end;
    let window_end = floor_boundary(s, (header_end + 300).min(s.len()));
    if let Some(i) = s[header_end..window_end]
        .char_indices()
        .map(|(i, _)| i)
        .find(|&i| g.row.is_match(&s[header_end + i..]))
    {
        let at = header_end + i;
        pos = at + g.row.find(&s[at..]).map_or(0, |m| m.end());
    }
    let mut tokens = read_tokens(s, pos);
    // A total-row label printed after its row's figures (the label cell came last in the
    // flattening: `全年预算数(A) 全年执行数(B) 7165.32 6992.95 其中:… 年度资金总额`): the
    // figures right after the header are the row, unless they are a line of column numbers.
    if tokens.is_empty() && pos != header_end {
        let first = read_tokens(s, header_end);
        let numbering = first
            .iter()
            .all(|t| t.text.bytes().all(|b| b.is_ascii_digit()) && t.text.len() <= 2);
        if !numbering {
            tokens = first;
            pos = header_end;
        }
    }
    if tokens.is_empty() {
        return None;
    }
    let values_start = tokens.first().map_or(pos, |t| t.end - t.text.len());
    let values_end = tokens.last().map_or(pos, |t| t.end);
    // The unit: printed in the cells, else the form's money header (before the figures,
    // header included), else a heading right after the row.
    let unit = tokens
        .iter()
        .find_map(|t| t.unit.map(str::to_string))
        .or_else(|| form_unit(&s[..values_start.min(pos.max(start))]))
        .or_else(|| {
            let e = floor_boundary(s, (values_end + 800).min(s.len()));
            unit_after(&s[values_end..e])
        })?;
    // A total row left at zero is a blank line of the form: the figures stand in the
    // 其中：本年财政拨款 row after it.
    let zero_row = tokens
        .iter()
        .take(keyed_money.max(2))
        .all(|t| parse_number(t.text.trim_end_matches('%')) == Some(0.0));
    let (tokens, values_end) = if zero_row {
        let e = floor_boundary(s, (values_end + 200).min(s.len()));
        let m = g.funded_row.find(&s[values_end..e])?;
        let next = read_tokens(s, values_end + m.end());
        let end = next.last().map_or(values_end, |t| t.end);
        (next, end)
    } else {
        (tokens, values_end)
    };
    let assignment = assign(&cols, &tokens)?;
    let raw_end = floor_boundary(s, values_end.min(start + 400));
    let raw: String = s[start..raw_end]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let validated = assignment.validated;
    let mut cands = Vec::new();
    for (ci, v) in assignment.values {
        let col = cols[ci];
        if col.key.is_empty() {
            continue;
        }
        let (value, unit_name) = match col.kind {
            Kind::Money => (json_number(to_yuan(v, &unit)?), "yuan"),
            // A rate printed as a fraction (0.958) only served the arithmetic: the form does
            // not state it in percent, so it is not reported.
            Kind::Percent if assignment.fraction_rate => continue,
            Kind::Percent => (json_number(crate::normalize::round_cents(v)), "percent"),
            _ => continue,
        };
        cands.push(Candidate {
            key: col.key.clone(),
            value,
            unit: Some(unit_name),
            raw: raw.clone(),
            start,
            end: values_end,
            page: 1,
            pattern: "grids/budget-grid".into(),
            confidence: if validated {
                CONF_VALIDATED
            } else if assignment.unique {
                CONF_UNIQUE
            } else {
                CONF_AMBIGUOUS
            },
            flags: vec![],
        });
    }
    let (parts, parts_end) = part_rows(g, s, values_end, &cols, &unit);
    cands.extend(parts);
    Some((cands, parts_end.max(values_end)))
}

/// The rows after a grid's total row that state parts of it (基本支出 / 其中：人员经费 /
/// 公用经费 / 项目支出 in a 部门整体 form): each part's value is its figure under the
/// 全年执行数 column. A row is read only when its figures fill the header's money columns
/// exactly (fused figures: when every split into that many agrees on the value), so a row
/// with a figure missing never has its figures guessed into place. Other rows with figures
/// (其中：财政拨款, 上年结转) are passed over; the first row without figures ends the grid.
fn part_rows(
    g: &Grids,
    s: &str,
    from: usize,
    cols: &[&Column],
    unit: &str,
) -> (Vec<Candidate>, usize) {
    static FILLER: OnceLock<Regex> = OnceLock::new();
    let filler = FILLER.get_or_init(|| Regex::new(r"^(?:[\s|/]|—|－|-)*").expect("static regex"));
    let money: Vec<usize> = (0..cols.len())
        .filter(|&i| cols[i].kind == Kind::Money)
        .collect();
    let mut out: Vec<Candidate> = Vec::new();
    let mut end = from;
    let Some(act) = money
        .iter()
        .position(|&i| cols[i].key == "expenditure.actual")
    else {
        return (out, end);
    };
    let mut pos = from;
    for _ in 0..12 {
        pos += filler.find(&s[pos..]).map_or(0, |m| m.end());
        let Some(l) = g.row_label.find(&s[pos..]) else {
            break;
        };
        let label = s[pos..pos + l.end()]
            .trim_end_matches(|c: char| c.is_whitespace() || matches!(c, '|' | ':' | '：'));
        let tokens = read_tokens(s, pos + l.end());
        let Some(last) = tokens.last() else {
            break;
        };
        let row_start = pos;
        pos = last.end;
        end = pos;
        let Some((key, _)) = g.parts.iter().find(|(_, re)| re.is_match(label)) else {
            continue;
        };
        if out.iter().any(|c| &c.key == key) {
            continue;
        }
        let options: Vec<Vec<Fig>> = figure_options(&tokens, money.len(), false)
            .into_iter()
            .map(|(f, _)| f)
            // the money figures, then at most the row's own 执行率 (a part row may print it)
            .filter(|f| {
                f.len() >= money.len()
                    && f.len() <= money.len() + 1
                    && f[..money.len()].iter().all(|x| !x.pct)
                    && f[money.len()..].iter().all(|x| x.pct)
            })
            .collect();
        let Some(first) = options.first() else {
            continue;
        };
        let v = first[act].v;
        if options.iter().any(|o| o[act].v != v) {
            continue;
        }
        let Some(yuan) = to_yuan(v, unit) else {
            continue;
        };
        out.push(Candidate {
            key: key.clone(),
            value: json_number(yuan),
            unit: Some("yuan"),
            raw: s[row_start..pos]
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
            start: row_start,
            end: pos,
            page: 1,
            pattern: PART_PATTERN.into(),
            confidence: if options.len() == 1 {
                CONF_UNIQUE
            } else {
                CONF_AMBIGUOUS
            },
            flags: vec![],
        });
    }
    (out, end)
}

/// The pattern name of a part row's value (the pipeline lets it claim its row).
pub const PART_PATTERN: &str = "grids/part-row";

/// Trust of a grid value: the row's arithmetic (actual / budget = stated rate) holds.
const CONF_VALIDATED: f64 = 0.9;
/// The figures fit the columns in exactly one way, unconfirmed by arithmetic.
const CONF_UNIQUE: f64 = 0.82;
/// Fewer figures than columns and several ways to place them: only values that every
/// placement agrees on are given, at this trust.
const CONF_AMBIGUOUS: f64 = 0.74;

/// The money unit of a form's header before the figures: `(万元)`, `（元）`, `金额单位：万元`,
/// also `(万元` whose closing parenthesis was lost at a line end. Looks back 1500 bytes.
fn form_unit(before: &str) -> Option<String> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(
            r"(?:[(（]\s*(?:金额)?(?:单位[:：]?)?\s*(亿元|万元|元)\s*(?:[)）]|
)|单位[:：]\s*(亿元|万元|元))",
        )
        .expect("static regex")
    });
    let from = floor_boundary(before, before.len().saturating_sub(1500));
    re.captures_iter(&before[from..])
        .last()
        .and_then(|c| c.get(1).or(c.get(2)))
        .map(|m| m.as_str().to_string())
        .or_else(|| context_unit(before))
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn unit_after(s: &str) -> Option<String> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| Regex::new(r"\(\s*(万元|元|亿元)\s*\)").expect("static regex"));
    re.captures(s).map(|c| c[1].to_string())
}

/// The run of figures starting at `pos`: numbers separated by spaces, tabs, newlines or
/// `|`; a small integer right after a row label (行次) is kept and matched to an index
/// column if the header has one. Stops at the first word.
fn read_tokens(s: &str, pos: usize) -> Vec<Token<'_>> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(r"^[\s|:：]*(?P<t>[0-9][0-9.,]*%?(?:[0-9][0-9.,]*%?)*)(?:\s*(?P<u>万元|元))?")
            .expect("static regex")
    });
    let mut out = Vec::new();
    let mut at = pos;
    while let Some(c) = re.captures(&s[at..]) {
        let t = c.name("t").expect("group");
        let text = t.as_str();
        let unit = c.name("u").map(|u| u.as_str());
        let end = c.name("u").map_or(t.end(), |u| u.end());
        out.push(Token {
            text,
            pct: text.ends_with('%'),
            end: at + end,
            unit,
        });
        at += c.get(0).expect("group 0").end();
        if out.len() > 16 {
            break;
        }
    }
    out
}

struct Assignment {
    /// (column index, value) for each figure.
    values: Vec<(usize, f64)>,
    /// Whether actual / budget = stated rate held.
    validated: bool,
    /// Whether the figures fit the columns in one way only.
    unique: bool,
    /// Whether the rate was printed as a fraction (0.958), not in percent.
    fraction_rate: bool,
}

/// A figure's type and value.
#[derive(Debug, Clone, Copy)]
struct Fig {
    v: f64,
    pct: bool,
    int: bool,
}

/// Split tokens into figures; a token with several numbers fused is expanded into every
/// plausible split (each then needs arithmetic confirmation).
fn figure_options(tokens: &[Token], max_parts: usize, has_index: bool) -> Vec<(Vec<Fig>, bool)> {
    let mut options: Vec<(Vec<Fig>, bool)> = vec![(Vec::new(), false)];
    for (ti, t) in tokens.iter().enumerate() {
        let plain = t.text.trim_end_matches('%');
        let simple =
            parse_number(plain).filter(|_| !plain.contains('%') && plain.matches('.').count() <= 1);
        let alts: Vec<(Vec<Fig>, bool)> = match simple {
            Some(v) if !t.text[..t.text.len() - usize::from(t.pct)].contains('%') => vec![(
                vec![Fig {
                    v,
                    pct: t.pct,
                    int: !plain.contains('.') && v < 1000.0,
                }],
                false,
            )],
            _ => splits(t.text, max_parts)
                .into_iter()
                .map(|f| (f, true))
                .collect(),
        };
        let mut alts = alts;
        // OCR often loses the space after a row number (行次 `1 52.80` → `152.80`): when the
        // header has an index column, the first figure may carry it; arithmetic decides.
        if ti == 0 && has_index && simple.is_some() && !t.pct {
            let int_len = plain.find('.').unwrap_or(plain.len());
            for k in 1..=2 {
                if int_len > k && !plain[k..].starts_with('0') {
                    let (a, b) = (&plain[..k], &plain[k..]);
                    if let (Ok(i), Ok(v)) = (a.parse::<f64>(), b.parse::<f64>()) {
                        alts.push((
                            vec![
                                Fig {
                                    v: i,
                                    pct: false,
                                    int: true,
                                },
                                Fig {
                                    v,
                                    pct: false,
                                    int: false,
                                },
                            ],
                            true,
                        ));
                    }
                }
            }
        }
        if alts.is_empty() {
            break;
        }
        let mut next = Vec::new();
        for (base, fused) in &options {
            for (a, f) in &alts {
                let mut v = base.clone();
                v.extend(a.iter().copied());
                next.push((v, *fused || *f));
            }
        }
        options = next;
        if options.len() > 2000 {
            break;
        }
    }
    options
}

/// Every way to cut a fused token (`64.864.864.8100%`) into numbers of the usual shapes
/// (no leading zero, at most two decimals), `%` ending the number before it.
fn splits(t: &str, max_parts: usize) -> Vec<Vec<Fig>> {
    fn rec(rest: &str, max_parts: usize, acc: &mut Vec<Fig>, out: &mut Vec<Vec<Fig>>) {
        if rest.is_empty() {
            out.push(acc.clone());
            return;
        }
        if out.len() > 5000 || acc.len() >= max_parts {
            return;
        }
        for end in 1..=rest.len().min(12) {
            let cand = &rest[..end];
            if !valid_number(cand) {
                continue;
            }
            let after = &rest[end..];
            let (pct, after) = match after.strip_prefix('%') {
                Some(a) => (true, a),
                None => (false, after),
            };
            let v = cand.parse::<f64>().unwrap_or(f64::NAN);
            acc.push(Fig {
                v,
                pct,
                int: !cand.contains('.') && v < 1000.0,
            });
            rec(after, max_parts, acc, out);
            acc.pop();
        }
    }
    let mut out = Vec::new();
    rec(t, max_parts, &mut Vec::new(), &mut out);
    out
}

fn valid_number(s: &str) -> bool {
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    if int.len() > 1 && int.starts_with('0') {
        return false;
    }
    match frac {
        None => true,
        Some(f) => !f.is_empty() && f.len() <= 2 && f.bytes().all(|b| b.is_ascii_digit()),
    }
}

fn fits(kind: Kind, f: &Fig) -> bool {
    match kind {
        // A rate printed as a fraction (`0.958`); kept only when the arithmetic confirms it.
        Kind::Percent => f.pct || (!f.int && f.v > 0.0 && f.v <= 1.5),
        Kind::Money => !f.pct,
        Kind::Points => !f.pct && f.v <= 100.0,
        Kind::Index => !f.pct && f.int && f.v < 100.0,
        Kind::Text => false,
    }
}

/// Order-preserving assignment of figures to columns of fitting kind. The first (leftmost)
/// assignment that passes the rate check wins. Otherwise (unfused figures, no rate among
/// them) every placement is considered: a value is given only when all placements agree on
/// it, so a row with fewer figures than columns never has its figures guessed into place.
fn assign(cols: &[&Column], tokens: &[Token]) -> Option<Assignment> {
    let mut unconfirmed: Option<Vec<Vec<(usize, f64)>>> = None;
    let has_index = cols.first().is_some_and(|c| c.kind == Kind::Index);
    for (figs, fused) in figure_options(tokens, cols.len(), has_index) {
        let mut figs = figs;
        // Ignore trailing figures that belong to the next row.
        while figs.len() > cols.len() {
            figs.pop();
        }
        let mut found: Vec<Vec<usize>> = Vec::new();
        let mut acc = Vec::new();
        combos(cols, &figs, 0, 0, &mut acc, &mut found);
        let mut plain = Vec::new();
        for cols_idx in found {
            let values: Vec<(usize, f64)> = cols_idx
                .iter()
                .copied()
                .zip(figs.iter())
                .map(|(ci, f)| {
                    let v = if cols[ci].kind == Kind::Percent && !f.pct {
                        f.v * 100.0
                    } else {
                        f.v
                    };
                    (ci, v)
                })
                .collect();
            let get = |key: &str| {
                values
                    .iter()
                    .find(|(ci, _)| cols[*ci].key == key)
                    .map(|(_, v)| *v)
            };
            let rate = get("expenditure.execution_rate");
            let actual = get("expenditure.actual");
            let budgets = [get("budget.adjusted"), get("budget.initial")];
            let validated = match (rate, actual) {
                (Some(r), Some(a)) => budgets.iter().flatten().any(|b| {
                    *b > 0.0 && (a / b * 100.0 - r).abs() <= crate::check::rate_tolerance(r)
                }),
                _ => false,
            };
            if validated {
                let fraction_rate = cols_idx
                    .iter()
                    .zip(figs.iter())
                    .any(|(ci, f)| cols[*ci].key == "expenditure.execution_rate" && !f.pct);
                return Some(Assignment {
                    values,
                    validated,
                    unique: true,
                    fraction_rate,
                });
            }
            if !fused && rate.is_none() {
                plain.push(values);
            }
        }
        if unconfirmed.is_none() && !plain.is_empty() {
            unconfirmed = Some(plain);
        }
    }
    let all = unconfirmed?;
    let unique = all.len() == 1;
    let values: Vec<(usize, f64)> = all[0]
        .iter()
        .copied()
        .filter(|(ci, v)| {
            all.iter().all(|o| {
                o.iter()
                    .any(|(cj, w)| cols[*cj].key == cols[*ci].key && w == v)
            })
        })
        .collect();
    (!values.is_empty()).then_some(Assignment {
        values,
        validated: false,
        unique,
        fraction_rate: false,
    })
}

fn combos(
    cols: &[&Column],
    figs: &[Fig],
    ci: usize,
    fi: usize,
    acc: &mut Vec<usize>,
    out: &mut Vec<Vec<usize>>,
) {
    if out.len() >= 64 {
        return;
    }
    if fi == figs.len() {
        out.push(acc.clone());
        return;
    }
    for c in ci..cols.len() {
        if cols.len() - c < figs.len() - fi {
            break;
        }
        if fits(cols[c].kind, &figs[fi]) {
            acc.push(c);
            combos(cols, figs, c + 1, fi + 1, acc, out);
            acc.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(t: &str) -> Vec<(String, serde_json::Value)> {
        let c = CleanText::from_single(t);
        grid_candidates(&c, &Grids::builtin().unwrap())
            .into_iter()
            .map(|c| (c.key, c.value))
            .collect()
    }

    fn has(v: &[(String, serde_json::Value)], k: &str, x: f64) -> bool {
        v.iter().any(|(kk, vv)| kk == k && vv.as_f64() == Some(x))
    }

    #[test]
    fn grids_file_parses_and_its_examples_hold() {
        let g = Grids::builtin().unwrap();
        assert!(g.columns.len() >= 5);
        assert!(g.examples.len() >= 2);
        g.verify_examples().unwrap();
    }

    #[test]
    fn grid_file_errors_name_file_and_line() {
        let e = Grids::parse(
            "g.toml",
            "[[column]]\nkey = \"budget.nope\"\nkind = \"money\"\nlabels = ['x']\n",
        )
        .unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("g.toml", 1), "{e}");
        assert!(e.reason.contains("unknown key"), "{e}");
        let e = Grids::parse("g.toml", "\n[[column]]\nkey = \"expenditure.execution_rate\"\nkind = \"money\"\nlabels = ['x']\n")
            .unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        let e = Grids::parse("g.toml", "[[colum]]\nkey = \"\"\n").unwrap_err();
        assert!(e.reason.contains("unknown field"), "{e}");
        let src = format!(
            "{}\n[[example]]\ntext = \"全年预算数(万元) 全年执行数 10 9\"\nvalues = {{ \"budget.adjusted\" = 5 }}\n",
            DEFAULT_FILE.1
        );
        let e = Grids::parse("g.toml", &src)
            .unwrap()
            .verify_examples()
            .unwrap_err();
        assert!(e.reason.contains("grid example"), "{e}");
    }

    #[test]
    fn one_cell_per_line_with_pipes() {
        let v = run(
            "预算执行情况(10分) |\n年度预算数(万元) |\n年初预算 |\n调整后预算数 |\n预算执行数 |\n预算执行率 |\n权重 |\n得分 |\n原因 |\n总额 |\n238.93 |\n251.89 |\n251.89 |\n100.00% |\n10 |\n|\n1.预算执行率=",
        );
        assert!(has(&v, "budget.initial", 2389300.0), "{v:?}");
        assert!(has(&v, "budget.adjusted", 2518900.0), "{v:?}");
        assert!(has(&v, "expenditure.actual", 2518900.0), "{v:?}");
        assert!(has(&v, "expenditure.execution_rate", 100.0), "{v:?}");
    }

    #[test]
    fn fused_figures_are_split_by_the_arithmetic() {
        let v = run(
            "资金情况(万元)全年预算数(A)全年执行数(B)分值执行率(B/A)得分年度资金总额:202010100.00%10其中:本年财政拨款",
        );
        assert!(has(&v, "budget.adjusted", 200000.0), "{v:?}");
        assert!(has(&v, "expenditure.actual", 200000.0), "{v:?}");
        assert!(has(&v, "expenditure.execution_rate", 100.0), "{v:?}");
        let v = run(
            "项目资金(万元)年度资金总额年初预算数调整预算数,A、全年执行数(B)执行率(B/A)64.864.864.8100%年度总体",
        );
        assert!(has(&v, "budget.initial", 648000.0), "{v:?}");
        assert!(has(&v, "expenditure.actual", 648000.0), "{v:?}");
    }

    #[test]
    fn space_separated_with_unit_after_and_skipped_columns() {
        let v = run(
            "全年预算数(A) 全年执行数(B) 7165.32 6992.95 其中:中央财政资金 3144.00 3144.00 资金投入情况 (万元)",
        );
        assert!(has(&v, "budget.adjusted", 71653200.0), "{v:?}");
        assert!(has(&v, "expenditure.actual", 69929500.0), "{v:?}");
        let v = run(
            "资金投入情况\n(万元)\n行次 全年预算数\n(A)\n统筹整合资金数\n(B)\n扣除统筹整合资金后预算金额\n(C)\n全年到位资金\n(D)\n预算到位\n(D/C×100%)\n全年执行资金\n(E)\n预算执行\n(E/C×100%)\n佐证材料\n列次 0 1 2 3 4 5 6 7 所需材料\n年度资金总额(万元): 1 52.800000\n52.800000 52.800000 100.00% 30.800000 58.33%\n其中",
        );
        assert!(has(&v, "budget.adjusted", 528000.0), "{v:?}");
        assert!(has(&v, "expenditure.actual", 308000.0), "{v:?}");
        assert!(has(&v, "expenditure.execution_rate", 58.33), "{v:?}");
    }

    #[test]
    fn ocr_glued_row_number_is_split_off_when_the_arithmetic_agrees() {
        let v = run(
            "资金投入情况\n(万元)\n行次全年预算数\n(A)\n统筹整合资金数\n(B)\n全年到位资金\n(D)\n预算到位\n(D/C x 100%)\n全年执行资金\n(E)\n预算执行\n(E/C x 100%)\n年度资金总额(万元):152.800000\n52.800000 52.800000 100.00% 30.800000 58.33%\n其中",
        );
        assert!(has(&v, "budget.adjusted", 528000.0), "{v:?}");
        assert!(has(&v, "expenditure.actual", 308000.0), "{v:?}");
    }

    #[test]
    fn part_rows_give_the_executed_figure_and_never_guess_a_short_row() {
        // one cell per line with blank lines; 公用经费 lost a figure
        let v = run(
            "年度预算执行情况(万元)\n\n年初预算数\n\n全年预算数\n\n全年执行数\n\n分值\n\n执行率\n\n得分\n\n年度资金总额\n\n500.00\n\n520.00\n\n507.00\n\n10\n\n97.50%\n\n9.75\n\n基本支出\n\n400.00\n\n410.00\n\n405.00\n\n—\n\n其中:人员经费\n\n300.00\n\n305.00\n\n304.00\n\n公用经费\n\n100.00\n\n101.00\n\n项目支出\n\n100.00\n\n110.00\n\n102.00\n\n年度总体目标",
        );
        assert!(has(&v, "expenditure.actual", 5070000.0), "{v:?}");
        assert!(has(&v, "expenditure.basic", 4050000.0), "{v:?}");
        assert!(has(&v, "expenditure.personnel", 3040000.0), "{v:?}");
        assert!(has(&v, "expenditure.project", 1020000.0), "{v:?}");
        assert!(!v.iter().any(|(k, _)| k == "expenditure.public"), "{v:?}");
        // a part row that prints its own 执行率 after the money figures
        let v = run(
            "年度预算安排(万元) | 年初预算数 | 全年预算数 | 全年执行数 | 执行率\n年度预算总额 | 215.6 | 228.4 | 226.1 | 98.99%\n其中：基本支出 | 180.2 | 186.4 | 185.3 | 99.41%\n项目支出 | 35.4 | 42.0 | 40.8 | 97.14%\n总分 | 100 | 96",
        );
        assert!(has(&v, "expenditure.basic", 1853000.0), "{v:?}");
        assert!(has(&v, "expenditure.project", 408000.0), "{v:?}");
        // a grid without a 全年执行数 column reads no part
        let v = run(
            "资金情况(万元) 年初预算数 全年预算数 年度资金总额 500.00 520.00 基本支出 400.00 410.00",
        );
        assert!(!v.iter().any(|(k, _)| k == "expenditure.basic"), "{v:?}");
    }

    #[test]
    fn no_unit_no_figures() {
        assert!(run("全年预算数(A) 全年执行数(B) 7165.32 6992.95").is_empty());
    }
}
