//! The batch summaries: `summary.jsonl` (one line per input, appended as each input finishes
//! so a killed run keeps what it did; compacted at the end of a run, see
//! [`finish_summaries`]) and `summary.csv` (one column per canonical key, rebuilt from
//! `summary.jsonl` at the end). Both keep the contract of `fields.md` (file, status
//! `ok`/`error`, canonical fields); the wide table with confidence is [`super::wide`].

use super::{csv_cell, write_atomic};
use crate::report::{ErrorKind, Report, keys};
use serde_json::{Map, Value, json};
use std::fs;
use std::io::Write;
use std::path::Path;

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

    /// The JSON line: file, status, then every canonical field flat (null when absent, so
    /// every line has the same keys), then error details.
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
            m.insert(k.into(), self.fields.get(k).cloned().unwrap_or(Value::Null));
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
                .filter_map(|k| {
                    o.get(k)
                        .filter(|v| !v.is_null())
                        .map(|v| (k.to_string(), v.clone()))
                })
                .collect(),
        })
    }
}

/// Appends summary lines as inputs finish.
pub struct SummaryLog {
    file: fs::File,
}

impl SummaryLog {
    /// Open `<out>/summary.jsonl`; `append` keeps earlier lines (for `--resume`, or a
    /// folder other runs write to). Always opened `O_APPEND`, one `write` per line, so the
    /// lines of several processes appending at once never overwrite each other.
    pub fn open(out_dir: &Path, append: bool) -> std::io::Result<SummaryLog> {
        fs::create_dir_all(out_dir)?;
        let file = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(out_dir.join("summary.jsonl"))?;
        if !append {
            file.set_len(0)?;
        }
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
pub fn finish_summaries(out_dir: &Path, csv_bom: bool) -> std::io::Result<Vec<SummaryRow>> {
    let rows = latest_rows(read_summary(out_dir)?);
    let mut jsonl = String::new();
    for r in &rows {
        jsonl.push_str(&serde_json::to_string(&r.to_json()).expect("row serializes"));
        jsonl.push('\n');
    }
    write_atomic(&out_dir.join("summary.jsonl"), jsonl.as_bytes())?;
    let mut csv = String::new();
    if csv_bom {
        csv.push('\u{feff}');
    }
    csv.push_str(&summary_csv(&rows));
    write_atomic(&out_dir.join("summary.csv"), csv.as_bytes())?;
    Ok(rows)
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
        let rows = finish_summaries(&dir, false).unwrap();
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
}
