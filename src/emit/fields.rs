//! `fields.csv` (and the workbook's `fields` sheet): every field found, one row each (long
//! form: file, key, value, unit, confidence, page, flags, pattern, raw), for pivoting or
//! filtering on confidence without knowing the key list.

use super::{BatchTable, Cell, Input};
use crate::report::FIELDS;

pub struct Fields;

fn rank(k: &str) -> usize {
    FIELDS
        .iter()
        .position(|f| f.key == k)
        .unwrap_or(FIELDS.len())
}

impl BatchTable for Fields {
    fn name(&self) -> &'static str {
        "fields"
    }
    fn header(&self) -> Vec<String> {
        [
            "file",
            "key",
            "value",
            "unit",
            "confidence",
            "page",
            "flags",
            "pattern",
            "raw",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    }
    fn rows(&self, input: &Input) -> Vec<Vec<Cell>> {
        let Some(r) = input.report else {
            return vec![];
        };
        let mut keys: Vec<&String> = r.fields.keys().collect();
        keys.sort_by(|a, b| rank(a).cmp(&rank(b)).then(a.cmp(b)));
        keys.into_iter()
            .map(|k| {
                let f = &r.fields[k];
                vec![
                    Cell::text(input.row.file.clone()),
                    Cell::text(k.clone()),
                    Cell::json(&f.value),
                    Cell::text(f.unit.clone().unwrap_or_default()),
                    Cell::conf(f.confidence),
                    Cell::Num(f.page as f64),
                    Cell::text(f.flags.join(";")),
                    Cell::text(f.pattern.clone()),
                    Cell::text(f.raw.clone()),
                ]
            })
            .collect()
    }
}
