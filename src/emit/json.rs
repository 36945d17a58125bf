//! The report JSON (`<out>/<stem>.json`) and the JSON Schemas `baogao schema` prints: the
//! report's, and the summary line's (`baogao schema summary`).

use super::write_atomic;
use crate::report::{FIELDS, FieldKind, Report, keys};
use serde_json::{Map, Value, json};
use std::path::{Path, PathBuf};

/// Serialize a report exactly as it is written to disk (pretty, stable key order, newline).
pub fn report_json(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(report).expect("report serializes");
    s.push('\n');
    s
}

/// Write one report as `<out>/<stem>.json`.
pub fn write_report(out_dir: &Path, stem: &str, report: &Report) -> std::io::Result<PathBuf> {
    let path = out_dir.join(format!("{stem}.json"));
    write_atomic(&path, report_json(report).as_bytes())?;
    Ok(path)
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
        "$defs": {"field": field, "table_row": table_row()},
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
            "targets": {"type": "array", "items": {"$ref": "#/$defs/table_row"}},
            "indicators": {"type": "array", "items": {"$ref": "#/$defs/table_row"}},
            "lists": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "object", "properties": {"text": {"type": "string"}, "page": {"type": "integer"}}}}},
            "checks": {"type": "array", "items": {"type": "object", "required": ["name", "inputs", "result", "detail"], "properties": {
                "name": {"type": "string"}, "inputs": {"type": "array", "items": {"type": "string"}},
                "result": {"enum": ["pass", "fail", "skipped"]}, "detail": {"type": "string"}}}},
            "warnings": {"type": "array", "items": {"type": "string"}}
        }
    })
}

fn table_row() -> Value {
    let num = json!({"type": "number"});
    let figure = json!({"type": "object", "required": ["value", "unit", "raw"], "properties": {
        "value": num, "unit": {"type": "string"}, "raw": {"type": "string"},
        "direction": {"enum": ["at_least", "at_most"]}}});
    json!({
        "type": "object",
        "required": ["table", "template", "number", "page", "columns", "cells"],
        "properties": {
            "table": {"type": "integer", "minimum": 0},
            "template": {"type": "string", "description": "patterns/tables.toml template that recognised the header"},
            "number": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1},
            "columns": {"type": "object", "additionalProperties": {"type": "string"},
                "description": "canonical column name (seq, level1, level2, indicator, category, target, actual, unit, nature, max_points, score, completion, reason) or the printed header → cell text"},
            "cells": {"type": "array", "items": {"type": "string"}},
            "target_figures": {"type": "array", "items": figure},
            "actual_figures": {"type": "array", "items": figure},
            "status": {"enum": ["met", "not_met", "unknown"]},
            "ratio": {"type": "number", "description": "actual / target in percent"},
            "max_points": num, "score": num,
            "flags": {"type": "array", "items": {"type": "string"}}
        }
    })
}

/// The JSON Schema of one `summary.jsonl` line (printed by `baogao schema summary`). Every
/// canonical key is present on every line (null when not found or the input failed), so the
/// columns do not depend on what a batch holds.
pub fn summary_schema() -> Value {
    let mut props = Map::new();
    props.insert(
        "file".into(),
        json!({"type": "string", "description": "the input path as given"}),
    );
    props.insert(
        "output".into(),
        json!({"type": "string", "description": "<stem>.json in the output directory"}),
    );
    props.insert("status".into(), json!({"enum": ["ok", "error"]}));
    props.insert(
        "sha256".into(),
        json!({"type": "string", "pattern": "^[0-9a-f]{64}$"}),
    );
    props.insert("patterns_version".into(), json!({"type": "string"}));
    for f in FIELDS {
        let ty = match f.kind {
            FieldKind::Year | FieldKind::Count => json!(["integer", "null"]),
            FieldKind::Money | FieldKind::Percent | FieldKind::Points => json!(["number", "null"]),
            FieldKind::Text | FieldKind::Family | FieldKind::Grade => json!(["string", "null"]),
        };
        let mut p = Map::new();
        p.insert("type".into(), ty);
        if let Some(u) = f.kind.unit() {
            p.insert("description".into(), json!(format!("value in {u}")));
        }
        props.insert(f.key.into(), Value::Object(p));
    }
    props.insert("error_kind".into(), json!({"type": "string"}));
    props.insert("error".into(), json!({"type": "string"}));
    let mut required = vec![json!("file"), json!("output"), json!("status")];
    required.extend(keys().map(|k| json!(k)));
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "baogao summary.jsonl line",
        "type": "object",
        "required": required,
        "properties": props,
        "additionalProperties": false
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemas_cover_indicators_and_every_summary_key() {
        let s = schema();
        assert_eq!(
            s["properties"]["indicators"]["items"]["$ref"],
            "#/$defs/table_row"
        );
        assert!(s["$defs"]["table_row"]["properties"]["ratio"].is_object());
        let line = summary_schema();
        for k in keys() {
            assert!(line["properties"][k].is_object(), "{k}");
            assert!(line["required"].as_array().unwrap().contains(&json!(k)));
        }
        assert_eq!(
            line["properties"]["year"]["type"],
            json!(["integer", "null"])
        );
    }
}
