//! Emit stage: reports → files. One pretty JSON per input, plus the batch summaries
//! `summary.jsonl` (one line per input, appended as each input finishes so a killed run
//! keeps what it did; compacted at the end of a run, see [`finish_summaries`]) and
//! `summary.csv` (one column per canonical key, rebuilt from `summary.jsonl` at the end).
//!
//! Every file is written to a temporary name and renamed into place, so a reader never sees
//! half a file.

use crate::report::{ErrorKind, Report, keys};
use serde_json::{Map, Value, json};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Serialize a report exactly as it is written to disk (pretty, stable key order, newline).
pub fn report_json(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(report).expect("report serializes");
    s.push('\n');
    s
}

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

/// Write one report as `<out>/<stem>.json`.
pub fn write_report(out_dir: &Path, stem: &str, report: &Report) -> std::io::Result<PathBuf> {
    let path = out_dir.join(format!("{stem}.json"));
    write_atomic(&path, report_json(report).as_bytes())?;
    Ok(path)
}

/// One line of the batch summary.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryRow {
    pub file: String,
    /// Output file stem (`<stem>.json`), for joining.
    pub stem: String,
    pub status: String,
    /// Lower-case hex SHA-256 of the input bytes (`None` when the file could not be read).
    pub sha256: Option<String>,
    /// [`crate::patterns::PatternSet::version`] the input was converted with; together
    /// with `sha256` it tells `--resume` whether an earlier result is still current.
    pub patterns_version: Option<String>,
    pub error_kind: Option<String>,
    pub error: Option<String>,
    /// Canonical key → value, for the keys found.
    pub fields: Map<String, Value>,
}

impl SummaryRow {
    pub fn ok(file: &str, stem: &str, report: &Report) -> SummaryRow {
        SummaryRow {
            file: file.into(),
            stem: stem.into(),
            status: "ok".into(),
            sha256: Some(report.source.sha256.clone()),
            patterns_version: None,
            error_kind: None,
            error: None,
            fields: report
                .fields
                .iter()
                .map(|(k, f)| (k.clone(), f.value.clone()))
                .collect(),
        }
    }

    pub fn error(file: &str, stem: &str, kind: ErrorKind, message: &str) -> SummaryRow {
        SummaryRow {
            file: file.into(),
            stem: stem.into(),
            status: "error".into(),
            sha256: None,
            patterns_version: None,
            error_kind: Some(kind.as_str().into()),
            error: Some(message.into()),
            fields: Map::new(),
        }
    }

    /// Record what the row was computed from (input hash, pattern-set version).
    pub fn with_source(mut self, sha256: Option<String>, patterns_version: &str) -> SummaryRow {
        if sha256.is_some() {
            self.sha256 = sha256;
        }
        self.patterns_version = Some(patterns_version.to_string());
        self
    }

    /// The JSON line: file, status, then the canonical fields flat, then error details.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("file".into(), json!(self.file));
        m.insert("output".into(), json!(format!("{}.json", self.stem)));
        m.insert("status".into(), json!(self.status));
        if let Some(h) = &self.sha256 {
            m.insert("sha256".into(), json!(h));
        }
        if let Some(v) = &self.patterns_version {
            m.insert("patterns_version".into(), json!(v));
        }
        for k in keys() {
            if let Some(v) = self.fields.get(k) {
                m.insert(k.into(), v.clone());
            }
        }
        if let Some(k) = &self.error_kind {
            m.insert("error_kind".into(), json!(k));
        }
        if let Some(e) = &self.error {
            m.insert("error".into(), json!(e));
        }
        Value::Object(m)
    }

    pub fn from_json(v: &Value) -> Option<SummaryRow> {
        let o = v.as_object()?;
        let s = |k: &str| o.get(k).and_then(Value::as_str).map(str::to_string);
        Some(SummaryRow {
            file: s("file")?,
            stem: s("output")?.trim_end_matches(".json").to_string(),
            status: s("status")?,
            sha256: s("sha256"),
            patterns_version: s("patterns_version"),
            error_kind: s("error_kind"),
            error: s("error"),
            fields: keys()
                .filter_map(|k| o.get(k).map(|v| (k.to_string(), v.clone())))
                .collect(),
        })
    }
}

/// Appends summary lines as inputs finish.
pub struct SummaryLog {
    file: fs::File,
}

impl SummaryLog {
    /// Open `<out>/summary.jsonl`; `append` keeps earlier lines (for `--resume`).
    pub fn open(out_dir: &Path, append: bool) -> std::io::Result<SummaryLog> {
        fs::create_dir_all(out_dir)?;
        let file = fs::OpenOptions::new()
            .create(true)
            .append(append)
            .write(true)
            .truncate(!append)
            .open(out_dir.join("summary.jsonl"))?;
        Ok(SummaryLog { file })
    }

    pub fn append(&mut self, row: &SummaryRow) -> std::io::Result<()> {
        let mut line = serde_json::to_string(&row.to_json()).expect("row serializes");
        line.push('\n');
        self.file.write_all(line.as_bytes())?;
        self.file.flush()
    }
}

/// Read `<out>/summary.jsonl`. Lines that do not parse (a line cut short by a crash) are
/// skipped; a missing file reads as empty.
pub fn read_summary(out_dir: &Path) -> std::io::Result<Vec<SummaryRow>> {
    let text = match fs::read(out_dir.join("summary.jsonl")) {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(vec![]),
        Err(e) => return Err(e),
    };
    Ok(text
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|v| SummaryRow::from_json(&v))
        .collect())
}

/// The current row of every input: the last line per (file, output) wins; sorted by file,
/// then output, so the result does not depend on the order in which inputs finished.
pub fn latest_rows(rows: Vec<SummaryRow>) -> Vec<SummaryRow> {
    let mut by_key: std::collections::BTreeMap<(String, String), SummaryRow> =
        std::collections::BTreeMap::new();
    for r in rows {
        by_key.insert((r.file.clone(), r.stem.clone()), r);
    }
    by_key.into_values().collect()
}

/// End of a batch: rewrite `summary.jsonl` with only the current row of each input (sorted,
/// see [`latest_rows`]) and rebuild `summary.csv` from it, both atomically. An interrupted
/// and resumed batch therefore ends with the same bytes as an uninterrupted one.
pub fn finish_summaries(out_dir: &Path) -> std::io::Result<Vec<SummaryRow>> {
    let rows = latest_rows(read_summary(out_dir)?);
    let mut jsonl = String::new();
    for r in &rows {
        jsonl.push_str(&serde_json::to_string(&r.to_json()).expect("row serializes"));
        jsonl.push('\n');
    }
    write_atomic(&out_dir.join("summary.jsonl"), jsonl.as_bytes())?;
    write_atomic(&out_dir.join("summary.csv"), summary_csv(&rows).as_bytes())?;
    Ok(rows)
}

/// Write `targets.csv`, `indicators.csv` and (with a threshold) `review.csv` for the
/// converted inputs of a batch, reading each `<stem>.json` once and streaming the rows, so
/// memory stays flat however many files the batch has.
pub fn write_row_csvs(
    out_dir: &Path,
    rows: &[SummaryRow],
    review: Option<f64>,
) -> std::io::Result<()> {
    use std::io::BufWriter;
    let tmp = |name: &str| out_dir.join(format!(".{name}.tmp{}", std::process::id()));
    let mut targets = BufWriter::new(fs::File::create(tmp("targets.csv"))?);
    let mut indicators = BufWriter::new(fs::File::create(tmp("indicators.csv"))?);
    let mut reviews = match review {
        Some(_) => Some(BufWriter::new(fs::File::create(tmp("review.csv"))?)),
        None => None,
    };
    let mut first = true;
    let mut ok: Vec<&SummaryRow> = rows.iter().filter(|r| r.status == "ok").collect();
    ok.sort_by(|a, b| a.file.cmp(&b.file));
    for row in ok {
        let path = out_dir.join(format!("{}.json", row.stem));
        let Ok(text) = fs::read_to_string(&path) else {
            continue;
        };
        let Ok(report) = serde_json::from_str::<Report>(&text) else {
            continue;
        };
        let one = [(row.file.clone(), report)];
        let parts = [
            (crate::tables::csv::targets_csv(&one), &mut targets),
            (crate::tables::csv::indicators_csv(&one), &mut indicators),
        ];
        for (csv, w) in parts {
            write_csv_part(w, &csv, first)?;
        }
        if let (Some(t), Some(w)) = (review, reviews.as_mut()) {
            write_csv_part(w, &crate::eval::review_csv(&one, t), first)?;
        }
        first = false;
    }
    if first {
        // No converted input: still write the headers.
        let none: [(String, Report); 0] = [];
        write_csv_part(&mut targets, &crate::tables::csv::targets_csv(&none), true)?;
        write_csv_part(
            &mut indicators,
            &crate::tables::csv::indicators_csv(&none),
            true,
        )?;
        if let (Some(t), Some(w)) = (review, reviews.as_mut()) {
            write_csv_part(w, &crate::eval::review_csv(&none, t), true)?;
        }
    }
    let mut done = vec![(targets, "targets.csv"), (indicators, "indicators.csv")];
    if let Some(w) = reviews {
        done.push((w, "review.csv"));
    }
    for (w, name) in done {
        let f = w.into_inner().map_err(|e| e.into_error())?;
        f.sync_all()?;
        fs::rename(tmp(name), out_dir.join(name))?;
    }
    Ok(())
}

/// Write one CSV chunk, dropping its header line unless it is the first chunk.
fn write_csv_part(w: &mut impl Write, csv: &str, with_header: bool) -> std::io::Result<()> {
    let body = if with_header {
        csv
    } else {
        csv.split_once('\n').map_or("", |(_, rest)| rest)
    };
    w.write_all(body.as_bytes())
}

/// One CSV cell, quoted when it holds a comma, a quote or a line break (RFC 4180).
pub fn csv_cell(v: &str) -> String {
    if v.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v.to_string()
    }
}

/// The CSV summary: one row per input, one column per canonical key, sorted by file.
pub fn summary_csv(rows: &[SummaryRow]) -> String {
    let mut rows: Vec<&SummaryRow> = rows.iter().collect();
    rows.sort_by(|a, b| a.file.cmp(&b.file));
    let mut out = String::from("file,output,status");
    for k in keys() {
        out.push(',');
        out.push_str(k);
    }
    out.push_str(",error_kind,error\n");
    for r in rows {
        let mut cells = vec![
            csv_cell(&r.file),
            csv_cell(&format!("{}.json", r.stem)),
            r.status.clone(),
        ];
        for k in keys() {
            cells.push(match r.fields.get(k) {
                Some(Value::String(s)) => csv_cell(s),
                Some(v) => v.to_string(),
                None => String::new(),
            });
        }
        cells.push(csv_cell(r.error_kind.as_deref().unwrap_or("")));
        cells.push(csv_cell(r.error.as_deref().unwrap_or("")));
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

/// The JSON Schema of the report (printed by `baogao schema`).
pub fn schema() -> Value {
    let field = json!({
        "type": "object",
        "required": ["value", "unit", "raw", "page", "confidence", "flags"],
        "properties": {
            "value": {"type": ["number", "string"]},
            "unit": {"type": ["string", "null"], "enum": ["yuan", "percent", "persons", "points", null]},
            "raw": {"type": "string", "description": "source snippet after text clean-up"},
            "page": {"type": "integer", "minimum": 1},
            "confidence": {"type": "number", "minimum": 0, "maximum": 1},
            "flags": {"type": "array", "items": {"type": "string", "enum": crate::report::Flag::ALL.iter().map(|f| f.as_str()).collect::<Vec<_>>()}},
            "pattern": {"type": "string", "description": "pattern file stem / id that produced the value"}
        }
    });
    let mut props = Map::new();
    for k in keys() {
        props.insert(k.into(), json!({"$ref": "#/$defs/field"}));
    }
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "baogao report",
        "type": "object",
        "required": ["schema_version", "source", "fields", "sections", "targets", "lists", "checks", "warnings"],
        "$defs": {"field": field},
        "properties": {
            "schema_version": {"const": crate::report::SCHEMA_VERSION},
            "source": {
                "type": "object",
                "required": ["file", "sha256", "pages", "text_layer"],
                "properties": {
                    "file": {"type": "string"},
                    "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                    "pages": {"type": "integer"},
                    "text_layer": {"enum": ["pdf", "ocr", "mixed", "plain"]},
                    "page_info": {"type": "array", "items": {"type": "object", "properties": {
                        "page": {"type": "integer"}, "backend": {"type": "string"},
                        "verdict": {"type": "string"}, "chars": {"type": "integer"}}}}
                }
            },
            "fields": {"type": "object", "properties": props, "additionalProperties": false},
            "sections": {"type": "array", "items": {"type": "object", "required": ["name", "max", "score", "level", "page", "raw", "flags"], "properties": {
                "name": {"type": "string"}, "max": {"type": ["number", "null"]}, "score": {"type": ["number", "null"]},
                "level": {"type": "integer"}, "page": {"type": "integer"}, "raw": {"type": "string"},
                "flags": {"type": "array", "items": {"type": "string"}}}}},
            "targets": {"type": "array"},
            "lists": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "object", "properties": {"text": {"type": "string"}, "page": {"type": "integer"}}}}},
            "checks": {"type": "array", "items": {"type": "object", "required": ["name", "inputs", "result", "detail"], "properties": {
                "name": {"type": "string"}, "inputs": {"type": "array", "items": {"type": "string"}},
                "result": {"enum": ["pass", "fail", "skipped"]}, "detail": {"type": "string"}}}},
            "warnings": {"type": "array", "items": {"type": "string"}}
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_quoting_and_keeps_column_order() {
        let mut f = Map::new();
        f.insert("year".into(), json!(2020));
        f.insert("department".into(), json!("某局,办公室"));
        let rows = vec![
            SummaryRow {
                file: "b.pdf".into(),
                stem: "b".into(),
                status: "ok".into(),
                sha256: None,
                patterns_version: None,
                error_kind: None,
                error: None,
                fields: f,
            },
            SummaryRow::error("a.pdf", "a", ErrorKind::Encrypted, "needs a \"password\""),
        ];
        let csv = summary_csv(&rows);
        let lines: Vec<&str> = csv.lines().collect();
        assert!(lines[0].starts_with("file,output,status,department,year,report_family"));
        assert!(lines[1].starts_with("a.pdf,a.json,error,"));
        assert!(lines[1].ends_with("encrypted,\"needs a \"\"password\"\"\""));
        assert!(lines[2].starts_with("b.pdf,b.json,ok,\"某局,办公室\",2020,"));
    }

    #[test]
    fn summary_rows_round_trip_through_json() {
        let r = SummaryRow::error("x.pdf", "x", ErrorKind::Timeout, "took too long");
        assert_eq!(SummaryRow::from_json(&r.to_json()), Some(r.clone()));
        let r = r.with_source(Some("ab".repeat(32)), "0123456789ab");
        assert_eq!(SummaryRow::from_json(&r.to_json()), Some(r));
    }

    #[test]
    fn finishing_keeps_the_last_row_per_input_sorted_and_skips_torn_lines() {
        let dir = std::env::temp_dir().join(format!("baogao-finish-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let mut log = SummaryLog::open(&dir, false).unwrap();
        log.append(&SummaryRow::error("b.pdf", "b", ErrorKind::Timeout, "slow"))
            .unwrap();
        log.append(&SummaryRow::error("a.pdf", "a", ErrorKind::Io, "gone"))
            .unwrap();
        log.append(&SummaryRow::error(
            "b.pdf",
            "b",
            ErrorKind::Encrypted,
            "password",
        ))
        .unwrap();
        drop(log);
        let mut f = fs::OpenOptions::new()
            .append(true)
            .open(dir.join("summary.jsonl"))
            .unwrap();
        f.write_all(b"{\"file\": \"c.pd").unwrap();
        let rows = finish_summaries(&dir).unwrap();
        let files: Vec<_> = rows
            .iter()
            .map(|r| (r.file.as_str(), r.error_kind.as_deref()))
            .collect();
        assert_eq!(files, [("a.pdf", Some("io")), ("b.pdf", Some("encrypted"))]);
        assert_eq!(read_summary(&dir).unwrap(), rows);
        assert_eq!(
            fs::read_to_string(dir.join("summary.csv"))
                .unwrap()
                .lines()
                .count(),
            3
        );
        fs::remove_dir_all(&dir).unwrap();
    }

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
}
