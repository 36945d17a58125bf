//! Evaluation: score report JSON against hand-written truth. (The review list, what a person
//! should check by hand, is a writer: [`crate::emit::review`].)
//!
//! [`score_dir`] / [`score_values`] are a port of `../shared/tools/score.py` (the project's
//! reference scorer): the same truth-key → canonical-key mapping ([`keys`]), the same
//! matching rules per kind ([`same`]), the same counting of ok / wrong / miss / spurious and
//! the same precision / recall / F1. Values are compared with Python's semantics (`float()`
//! of a numeric string, `int()` truncation, `round()` to even, `str.split()` whitespace),
//! so both scorers print the same numbers on the same files; the unit tests hold the two
//! side by side. On top of score.py this adds a reliability table ([`BUCKETS`]): how often
//! the values the tool rated in each confidence band are right.

use crate::report::{FIELDS, FieldKind, Report};
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use serde_json::Value;
use std::fmt::Write as _;
use std::path::Path;

/// How a truth value is compared with a predicted value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Equal after removing all whitespace.
    Str,
    /// `int(truth) == round(pred)`.
    Int,
    /// Truth in 万元, prediction in yuan; within 0.5 yuan (plus 1e-9 relative).
    Wan,
    /// Percent, within 0.051.
    Pct,
    /// Points, within 0.051.
    Pts,
    /// Equal after mapping synonyms (优秀 → 优, 合格 → 中, …).
    Grade,
}

/// How a field kind is compared with truth (score.py's kinds).
pub fn kind_of(k: FieldKind) -> Kind {
    match k {
        FieldKind::Text | FieldKind::Family => Kind::Str,
        FieldKind::Year | FieldKind::Count => Kind::Int,
        FieldKind::Money => Kind::Wan,
        FieldKind::Percent => Kind::Pct,
        FieldKind::Points => Kind::Pts,
        FieldKind::Grade => Kind::Grade,
    }
}

/// Truth key → (canonical key, kind), in score.py's order: the keys of the field list that
/// truth files carry ([`crate::report::FieldDef::truth_key`]).
pub fn keys() -> Vec<(&'static str, &'static str, Kind)> {
    FIELDS
        .iter()
        .filter(|f| !f.truth_key.is_empty())
        .map(|f| (f.truth_key, f.key, kind_of(f.kind)))
        .collect()
}

/// Grade synonyms, as score.py's `GRADES`.
const GRADES: &[(&str, &str)] = &[
    ("优", "优"),
    ("优秀", "优"),
    ("良", "良"),
    ("良好", "良"),
    ("中", "中"),
    ("合格", "中"),
    ("及格", "中"),
    ("一般", "中"),
    ("差", "差"),
    ("不合格", "差"),
    ("较差", "差"),
];

/// Confidence bands of the reliability table: (label, lower bound inclusive, upper bound
/// exclusive).
pub const BUCKETS: &[(&str, f64, f64)] = &[
    ("<0.5", f64::NEG_INFINITY, 0.5),
    ("0.5-0.7", 0.5, 0.7),
    ("0.7-0.9", 0.7, 0.9),
    (">=0.9", 0.9, f64::INFINITY),
];

// ---------------------------------------------------------------------------------------
// Python semantics

/// Python's `str.isspace()` for one character: Rust's White_Space plus U+001C–U+001F.
fn py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python's `repr()` of a float (shortest round-trip digits; exponent form below 1e-4 and
/// from 1e16).
fn py_float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf" } else { "-inf" }.into();
    }
    let sci = format!("{f:e}"); // e.g. "1.5e-5", "-2e16"
    let (mant, exp) = sci.split_once('e').expect("{:e} has an exponent");
    let exp: i32 = exp.parse().expect("{:e} exponent is an integer");
    if f != 0.0 && !(-4..16).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{mant}e{sign}{:02}", exp.abs());
    }
    let s = format!("{f}");
    if s.contains('.') { s } else { format!("{s}.0") }
}

/// Python's `str()` of a JSON value as `json.load` gives it.
fn py_str(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(b) => if *b { "True" } else { "False" }.into(),
        Value::Null => "None".into(),
        Value::Number(n) => {
            if n.is_i64() || n.is_u64() {
                n.to_string()
            } else {
                py_float_repr(n.as_f64().unwrap_or(f64::NAN))
            }
        }
        // lists and dicts never equal a scalar truth; any stable text will do
        other => other.to_string(),
    }
}

/// The text Python's `float()` / `int()` parse: whitespace trimmed, full-width digits read
/// as digits, `_` allowed only between two digits (and then dropped). `None` if a `_` is
/// misplaced.
fn py_numeric_text(s: &str) -> Option<String> {
    let chars: Vec<char> = s
        .trim_matches(py_space)
        .chars()
        .map(|c| match c {
            '\u{ff10}'..='\u{ff19}' => char::from(b'0' + (c as u32 - 0xff10) as u8),
            c => c,
        })
        .collect();
    let mut out = String::with_capacity(chars.len());
    for (i, c) in chars.iter().enumerate() {
        if *c == '_' {
            let before = i > 0 && chars[i - 1].is_ascii_digit();
            let after = chars.get(i + 1).is_some_and(char::is_ascii_digit);
            if !(before && after) {
                return None;
            }
        } else {
            out.push(*c);
        }
    }
    Some(out)
}

/// Python's `float()`; `None` where it raises.
fn py_float(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
        Value::String(s) => {
            let t = py_numeric_text(s)?;
            let l = t.to_ascii_lowercase();
            let neg = l.starts_with('-');
            let body = l.strip_prefix(['+', '-']).unwrap_or(&l);
            match body {
                "inf" | "infinity" => Some(if neg {
                    f64::NEG_INFINITY
                } else {
                    f64::INFINITY
                }),
                "nan" => Some(f64::NAN),
                _ if !body.is_empty()
                    && body
                        .chars()
                        .all(|c| c.is_ascii_digit() || ".e+-".contains(c)) =>
                {
                    t.parse::<f64>().ok()
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// Python's `int()` of a JSON value; `None` where it raises.
fn py_int(v: &Value) -> Option<i128> {
    match v {
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Some(i as i128)
            } else if let Some(u) = n.as_u64() {
                Some(u as i128)
            } else {
                let f = n.as_f64()?;
                f.is_finite().then(|| f.trunc() as i128)
            }
        }
        Value::Bool(b) => Some(*b as i128),
        Value::String(s) => {
            let t = py_numeric_text(s)?;
            let digits = t.strip_prefix(['+', '-']).unwrap_or(&t);
            if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
                return None;
            }
            t.parse::<i128>().ok()
        }
        _ => None,
    }
}

/// score.py's `norm_str`: the value's text with all whitespace removed.
fn norm_str(v: &Value) -> String {
    py_str(v).chars().filter(|c| !py_space(*c)).collect()
}

fn grade_of(s: String) -> String {
    GRADES
        .iter()
        .find(|(k, _)| *k == s)
        .map_or(s, |(_, g)| (*g).to_string())
}

/// Whether a predicted value matches the truth, by score.py's rules for `kind`.
pub fn same(kind: Kind, truth: &Value, pred: &Value) -> bool {
    match kind {
        Kind::Str => norm_str(truth) == norm_str(pred),
        Kind::Grade => grade_of(norm_str(truth)) == grade_of(norm_str(pred)),
        Kind::Int => match (py_int(truth), py_float(pred)) {
            (Some(t), Some(p)) if p.is_finite() => t == p.round_ties_even() as i128,
            _ => false,
        },
        Kind::Wan => match (py_float(truth), py_float(pred)) {
            (Some(t), Some(p)) => (t * 10000.0 - p).abs() <= 0.5 + 1e-9 * p.abs(),
            _ => false,
        },
        Kind::Pct | Kind::Pts => match (py_float(truth), py_float(pred)) {
            (Some(t), Some(p)) => (t - p).abs() <= 0.051,
            _ => false,
        },
    }
}

// ---------------------------------------------------------------------------------------
// Scoring

/// Counts for one key (or all keys together).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub ok: usize,
    pub wrong: usize,
    pub miss: usize,
    pub spurious: usize,
}

impl Counts {
    /// ok / (ok + wrong + spurious), as score.py computes it overall (0 when nothing was
    /// predicted).
    pub fn precision(&self) -> f64 {
        self.ok as f64 / (self.ok + self.wrong + self.spurious).max(1) as f64
    }

    /// ok / (ok + wrong + miss) (0 when the truth states nothing).
    pub fn recall(&self) -> f64 {
        self.ok as f64 / (self.ok + self.wrong + self.miss).max(1) as f64
    }

    fn add(&mut self, o: &Counts) {
        self.ok += o.ok;
        self.wrong += o.wrong;
        self.miss += o.miss;
        self.spurious += o.spurious;
    }
}

/// One predicted value (a key that score.py maps, with a non-null value) and its verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Judged {
    pub doc: String,
    pub key: String,
    /// `null` when the truth says the document does not state the key.
    pub truth: Value,
    pub predicted: Value,
    /// score.py's reading: `float(field["confidence"])`, 0 when absent or not a number.
    pub confidence: f64,
    pub pattern: String,
    pub flags: Vec<String>,
    pub correct: bool,
}

/// One row of the reliability table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bucket {
    pub label: String,
    pub n: usize,
    pub correct: usize,
    /// correct / n; `None` when the band is empty.
    pub accuracy: Option<f64>,
}

/// Per-key counts in [`keys`] order (serialized as a JSON object in that order).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PerKey(pub Vec<(String, Counts)>);

impl Serialize for PerKey {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, c) in &self.0 {
            m.serialize_entry(k, c)?;
        }
        m.end()
    }
}

/// The result of scoring a set of documents.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    pub docs: usize,
    /// Documents whose output is absent or not readable JSON (scored as having no fields).
    pub missing_outputs: Vec<String>,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub total: Counts,
    pub per_key: PerKey,
    /// Predicted values with confidence ≥ 0.9, and how many of them are right.
    pub confident_n: usize,
    pub confident_ok: usize,
    pub confident_accuracy: Option<f64>,
    pub reliability: Vec<Bucket>,
    /// Wrong and spurious values in document then key order (score.py's `wrong` list).
    pub wrong: Vec<Judged>,
    /// Every predicted value with its verdict (for calibration studies).
    #[serde(skip)]
    pub values: Vec<Judged>,
}

/// Score already-parsed documents: `(id, truth JSON, output JSON or None when missing)`.
///
/// The output JSON is read as score.py reads it (`fields` → key → `value`, `confidence`),
/// so it works on report JSON from any version of the tool; a [`Report`] can be passed
/// through `serde_json::to_value`.
pub fn score_values(docs: &[(String, Value, Option<Value>)]) -> Score {
    score_values_on(docs, Keys::All)
}

/// Which keys a score counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keys {
    /// Every key of the field list that truth files carry.
    All,
    /// The first fifteen (the contract before `project.*`; score.py's `--core`).
    Core,
}

/// As [`score_values`], on the given keys.
pub fn score_values_on(docs: &[(String, Value, Option<Value>)], on: Keys) -> Score {
    let mut keys = keys();
    if on == Keys::Core {
        keys.retain(|(_, c, _)| crate::report::field_def(c).is_some_and(|f| f.core));
    }
    let mut per_key: Vec<(String, Counts)> = keys
        .iter()
        .map(|(_, c, _)| ((*c).to_string(), Counts::default()))
        .collect();
    let mut missing_outputs = Vec::new();
    let mut values = Vec::new();
    let empty = serde_json::Map::new();
    for (doc, truth, out) in docs {
        let fields = match out {
            None => {
                missing_outputs.push(doc.clone());
                &empty
            }
            // `.get("fields", {}) or {}`: a falsy or non-object `fields` reads as no fields
            Some(o) => o.get("fields").and_then(Value::as_object).unwrap_or(&empty),
        };
        for (i, (tkey, ckey, kind)) in keys.iter().enumerate() {
            // score.py: a key missing from a truth file (not null: missing) is not scored
            let Some(t) = truth.get(*tkey) else { continue };
            let t = Some(t).filter(|v| !v.is_null());
            let p = fields.get(*ckey).and_then(Value::as_object);
            let pv = p.and_then(|p| p.get("value")).filter(|v| !v.is_null());
            let s = &mut per_key[i].1;
            let correct = match (t, pv) {
                (None, None) => continue,
                (None, Some(_)) => {
                    s.spurious += 1;
                    false
                }
                (Some(_), None) => {
                    s.miss += 1;
                    false
                }
                (Some(t), Some(pv)) => {
                    let ok = same(*kind, t, pv);
                    if ok {
                        s.ok += 1;
                    } else {
                        s.wrong += 1;
                    }
                    ok
                }
            };
            if let (Some(p), Some(pv)) = (p, pv) {
                let confidence = p.get("confidence").and_then(py_float).unwrap_or(0.0);
                let text = |k: &str| p.get(k).and_then(Value::as_str).unwrap_or("").to_string();
                values.push(Judged {
                    doc: doc.clone(),
                    key: (*ckey).to_string(),
                    truth: t.cloned().unwrap_or(Value::Null),
                    predicted: pv.clone(),
                    confidence,
                    pattern: text("pattern"),
                    flags: p
                        .get("flags")
                        .and_then(Value::as_array)
                        .map(|a| {
                            a.iter()
                                .filter_map(|f| f.as_str().map(str::to_string))
                                .collect()
                        })
                        .unwrap_or_default(),
                    correct,
                });
            }
        }
    }
    let mut total = Counts::default();
    for (_, c) in &per_key {
        total.add(c);
    }
    let precision = total.precision();
    let recall = total.recall();
    let f1 = 2.0 * precision * recall / (precision + recall).max(1e-9);
    let confident: Vec<&Judged> = values.iter().filter(|v| v.confidence >= 0.9).collect();
    let confident_ok = confident.iter().filter(|v| v.correct).count();
    Score {
        docs: docs.len(),
        missing_outputs,
        precision,
        recall,
        f1,
        total,
        per_key: PerKey(per_key),
        confident_n: confident.len(),
        confident_ok,
        confident_accuracy: ratio(confident_ok, confident.len()),
        reliability: reliability(&values),
        wrong: values.iter().filter(|v| !v.correct).cloned().collect(),
        values,
    }
}

fn ratio(a: usize, b: usize) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

/// The reliability table of a set of judged values (truth null counts as wrong).
pub fn reliability(values: &[Judged]) -> Vec<Bucket> {
    BUCKETS
        .iter()
        .map(|(label, lo, hi)| {
            let inb: Vec<&Judged> = values
                .iter()
                .filter(|v| v.confidence >= *lo && v.confidence < *hi)
                .collect();
            let correct = inb.iter().filter(|v| v.correct).count();
            Bucket {
                label: (*label).to_string(),
                n: inb.len(),
                correct,
                accuracy: ratio(correct, inb.len()),
            }
        })
        .collect()
}

/// Errors reading the truth directory.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
    #[error("{0}: not a JSON object: {1}")]
    Truth(String, String),
    #[error("{0}: no *.truth.json files")]
    NoTruth(String),
}

/// The document ids of a truth directory (`<id>.truth.json`), sorted.
pub fn truth_ids(truth_dir: &Path) -> Result<Vec<String>, EvalError> {
    let rd = std::fs::read_dir(truth_dir)
        .map_err(|e| EvalError::Io(truth_dir.display().to_string(), e))?;
    let mut ids: Vec<String> = rd
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            e.file_name()
                .to_str()
                .and_then(|n| n.strip_suffix(".truth.json"))
                .map(str::to_string)
        })
        .collect();
    ids.sort();
    Ok(ids)
}

/// Read `<truth_dir>/<id>.truth.json`.
pub fn read_truth(truth_dir: &Path, id: &str) -> Result<Value, EvalError> {
    let p = truth_dir.join(format!("{id}.truth.json"));
    let d = p.display().to_string();
    let text = std::fs::read_to_string(&p).map_err(|e| EvalError::Io(d.clone(), e))?;
    match serde_json::from_str::<Value>(&text) {
        Ok(v) if v.is_object() => Ok(v),
        Ok(_) => Err(EvalError::Truth(d, "not an object".into())),
        Err(e) => Err(EvalError::Truth(d, e.to_string())),
    }
}

/// Score `<out_dir>/<id>.json` against `<truth_dir>/<id>.truth.json` for `ids` (all truth
/// files when `None`), as `score.py TRUTH_DIR OUT_DIR [--ids …]` does.
pub fn score_dir(
    truth_dir: &Path,
    out_dir: &Path,
    ids: Option<&[String]>,
) -> Result<Score, EvalError> {
    let ids = match ids {
        Some(i) => i.to_vec(),
        None => truth_ids(truth_dir)?,
    };
    if ids.is_empty() {
        return Err(EvalError::NoTruth(truth_dir.display().to_string()));
    }
    let mut docs = Vec::new();
    for id in ids {
        let truth = read_truth(truth_dir, &id)?;
        let out = std::fs::read_to_string(out_dir.join(format!("{id}.json")))
            .ok()
            .and_then(|t| serde_json::from_str::<Value>(&t).ok())
            .filter(Value::is_object);
        docs.push((id, truth, out));
    }
    Ok(score_values(&docs))
}

/// Score in-process reports: `(id, truth, report or None when conversion failed)`.
pub fn score_reports(docs: &[(String, Value, Option<Report>)]) -> Score {
    score_reports_on(docs, Keys::All)
}

/// As [`score_reports`], on the given keys.
pub fn score_reports_on(docs: &[(String, Value, Option<Report>)], on: Keys) -> Score {
    let docs: Vec<(String, Value, Option<Value>)> = docs
        .iter()
        .map(|(id, t, r)| {
            (
                id.clone(),
                t.clone(),
                r.as_ref()
                    .map(|r| serde_json::to_value(r).expect("a report serializes")),
            )
        })
        .collect();
    score_values_on(&docs, on)
}

fn fmt_opt(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), |a| format!("{a:.3}"))
}

fn short(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The score as text: per-key counts, overall figures, reliability table, wrong values.
pub fn render(score: &Score) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{:28} {:>4} {:>5} {:>4} {:>4} {:>9} {:>6}",
        "key", "ok", "wrong", "miss", "spur", "precision", "recall"
    );
    // precision / recall per key; `-` where the key was never predicted / never stated
    let pr = |c: &Counts| {
        let p = if c.ok + c.wrong + c.spurious == 0 {
            "-".to_string()
        } else {
            format!("{:.3}", c.precision())
        };
        let r = if c.ok + c.wrong + c.miss == 0 {
            "-".to_string()
        } else {
            format!("{:.3}", c.recall())
        };
        (p, r)
    };
    for (k, c) in &score.per_key.0 {
        let (p, r) = pr(c);
        let _ = writeln!(
            o,
            "{k:28} {:4} {:5} {:4} {:4} {p:>9} {r:>6}",
            c.ok, c.wrong, c.miss, c.spurious
        );
    }
    let t = &score.total;
    let (p, r) = pr(t);
    let _ = writeln!(
        o,
        "{:28} {:4} {:5} {:4} {:4} {p:>9} {r:>6}",
        "(all)", t.ok, t.wrong, t.miss, t.spurious
    );
    let _ = writeln!(
        o,
        "\ndocs={} precision={:.3} recall={:.3} f1={:.3} confident(>=0.9) n={} accuracy={}",
        score.docs,
        score.precision,
        score.recall,
        score.f1,
        score.confident_n,
        fmt_opt(score.confident_accuracy)
    );
    if !score.missing_outputs.is_empty() {
        let _ = writeln!(o, "no output for: {}", score.missing_outputs.join(","));
    }
    let _ = writeln!(
        o,
        "\nreliability (truth null counts as wrong)\n{:10} {:>5} {:>7} {:>8}",
        "confidence", "n", "correct", "share"
    );
    for b in &score.reliability {
        let _ = writeln!(
            o,
            "{:10} {:5} {:7} {:>8}",
            b.label,
            b.n,
            b.correct,
            fmt_opt(b.accuracy)
        );
    }
    if !score.wrong.is_empty() {
        let _ = writeln!(
            o,
            "\nwrong values (doc key truth predicted confidence pattern)"
        );
        for w in &score.wrong {
            let _ = writeln!(
                o,
                "{} {} {} {} {:.2} {}",
                w.doc,
                w.key,
                short(&w.truth),
                short(&w.predicted),
                w.confidence,
                if w.pattern.is_empty() {
                    "-"
                } else {
                    &w.pattern
                }
            );
        }
    }
    o
}

/// `baogao eval`: score `out_dir` against `truth_dir`, print text or JSON; returns the exit
/// code (0, or 2 when the truth directory cannot be read).
pub fn run_eval(truth_dir: &Path, out_dir: &Path, ids: Option<&[String]>, json: bool) -> i32 {
    match score_dir(truth_dir, out_dir, ids) {
        Ok(s) => {
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&s).expect("score serializes")
                );
            } else {
                print!("{}", render(&s));
            }
            0
        }
        Err(e) => {
            eprintln!("baogao: {e}");
            2
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::path::PathBuf;

    fn fixtures() -> (PathBuf, PathBuf) {
        let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/eval");
        (d.join("truth"), d.join("out"))
    }

    fn round4(x: f64) -> f64 {
        format!("{x:.4}").parse().unwrap()
    }

    /// The pieces of score.py's `--json` result, from a Rust score.
    fn as_score_py(s: &Score) -> Value {
        json!({
            "docs": s.docs,
            "missing_outputs": s.missing_outputs,
            "precision": round4(s.precision),
            "recall": round4(s.recall),
            "f1": round4(s.f1),
            "confident_n": s.confident_n,
            "confident_accuracy": s.confident_accuracy.map(round4),
            "per_key": serde_json::to_value(&s.per_key).unwrap(),
            "wrong": s.wrong.iter().take(60)
                .map(|w| json!([w.doc, w.key, w.truth, w.predicted]))
                .collect::<Vec<_>>(),
        })
    }

    #[test]
    fn synthetic_pair_scores_as_score_py_printed() {
        let (t, o) = fixtures();
        let s = score_dir(&t, &o, None).unwrap();
        // printed by score.py on these files (see tests/fixtures/eval/README.md)
        assert_eq!(s.docs, 6);
        assert_eq!(s.missing_outputs, ["b", "c"]);
        assert_eq!(
            (round4(s.precision), round4(s.recall), round4(s.f1)),
            (0.72, 0.5806, 0.6429)
        );
        assert_eq!(
            (s.confident_n, s.confident_accuracy.map(round4)),
            (13, Some(0.6923))
        );
        let counts: Vec<(&str, [usize; 4])> = s
            .per_key
            .0
            .iter()
            .map(|(k, c)| (k.as_str(), [c.ok, c.wrong, c.miss, c.spurious]))
            .collect();
        assert_eq!(
            counts,
            [
                ("department", [2, 0, 1, 0]),
                ("year", [3, 0, 3, 0]),
                ("report_family", [1, 0, 1, 0]),
                ("staff.authorized", [1, 1, 0, 0]),
                ("staff.actual", [2, 0, 0, 0]),
                ("budget.initial", [2, 0, 1, 0]),
                ("budget.adjusted", [0, 2, 0, 0]),
                ("expenditure.actual", [1, 0, 0, 1]),
                ("expenditure.execution_rate", [2, 0, 0, 0]),
                ("expenditure.basic", [0, 0, 0, 0]),
                ("expenditure.project", [0, 0, 1, 0]),
                ("expenditure.personnel", [0, 0, 0, 0]),
                ("expenditure.public", [0, 0, 0, 0]),
                ("score.total", [1, 1, 0, 0]),
                ("grade", [2, 0, 1, 0]),
                // f: no `department` key in its truth, so its department is not scored
                ("project.name", [1, 0, 0, 0]),
                ("project.supervisor", [0, 0, 0, 1]),
                ("project.implementer", [0, 1, 0, 0]),
            ]
        );
        let wrong: Vec<(&str, &str)> = s
            .wrong
            .iter()
            .map(|w| (w.doc.as_str(), w.key.as_str()))
            .collect();
        assert_eq!(
            wrong,
            [
                ("a", "budget.adjusted"),
                ("a", "expenditure.actual"),
                ("a", "score.total"),
                ("e", "staff.authorized"),
                ("e", "budget.adjusted"),
                ("f", "project.supervisor"),
                ("f", "project.implementer"),
            ]
        );
        let rel: Vec<(usize, usize)> = s.reliability.iter().map(|b| (b.n, b.correct)).collect();
        assert_eq!(rel, [(5, 5), (4, 2), (3, 2), (13, 9)]);
    }

    #[test]
    fn synthetic_pair_matches_score_py_when_python_is_present() {
        let (t, o) = fixtures();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/tools/score.py");
        if !script.exists() {
            eprintln!("skip: {} not found", script.display());
            return;
        }
        let out = match std::process::Command::new("python3")
            .arg(&script)
            .arg(&t)
            .arg(&o)
            .arg("--json")
            .output()
        {
            Ok(out) if out.status.success() => out,
            _ => {
                eprintln!("skip: python3 not available");
                return;
            }
        };
        let py: Value = serde_json::from_slice(&out.stdout).unwrap();
        let rust = as_score_py(&score_dir(&t, &o, None).unwrap());
        assert_eq!(rust, py);
        // and with --ids
        let ids: Vec<String> = vec!["e".into(), "a".into()];
        let out = std::process::Command::new("python3")
            .arg(&script)
            .arg(&t)
            .arg(&o)
            .args(["--ids", "e,a", "--json"])
            .output()
            .unwrap();
        let py: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(as_score_py(&score_dir(&t, &o, Some(&ids)).unwrap()), py);
    }

    #[test]
    fn python_semantics_of_values() {
        assert_eq!(py_float_repr(2024.0), "2024.0");
        assert_eq!(py_float_repr(1.5e-5), "1.5e-05");
        assert_eq!(py_float_repr(1e16), "1e+16");
        assert_eq!(py_float_repr(1e15), "1000000000000000.0");
        assert_eq!(py_float_repr(0.1), "0.1");
        assert_eq!(py_float(&json!(" 1_000.5 ")), Some(1000.5));
        assert_eq!(py_float(&json!("1__0")), None);
        assert_eq!(py_float(&json!("98.6%")), None);
        assert_eq!(py_int(&json!("１２")), Some(12));
        assert_eq!(py_int(&json!("12.0")), None);
        assert_eq!(py_int(&json!(12.9)), Some(12));
        assert!(same(Kind::Int, &json!(2), &json!(2.5)));
        assert!(same(Kind::Int, &json!(4), &json!(3.5)));
        assert!(same(Kind::Wan, &json!(1), &json!(10000.5)));
        assert!(!same(Kind::Wan, &json!(1), &json!(10000.51)));
        assert!(same(Kind::Grade, &json!("优秀"), &json!(" 优 ")));
        assert!(same(Kind::Str, &json!("a\u{1f}b"), &json!("ab")));
    }
}
