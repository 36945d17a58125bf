//! Extraction on probe openings (tests/fixtures/probe/dev): synthetic report openings whose
//! truth was written before baogao ran on them, in phrasings the corpus rules were not
//! written from (see the fixture README). Unlike tests/eval_dev.rs this needs no `../shared`,
//! so every clone checks that the families of wording keep being read.
//!
//! Floors sit a little under what was measured when they were set; the failure message lists
//! every value that is missed or wrong.

use baogao::eval::{Keys, render, score_reports_on};
use baogao::pipeline::{Config, convert};
use std::path::Path;

/// Measured when set (34 openings, all keys): precision 1.000, recall 0.983, 221 values
/// ≥ 0.9 all right.
const PRECISION_FLOOR: f64 = 0.97;
const RECALL_FLOOR: f64 = 0.97;
const MIN_CONFIDENT: usize = 200;

#[test]
fn probe_openings_are_read() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/probe/dev");
    let cfg = Config::builtin();
    let ids = baogao::eval::truth_ids(&dir).expect("probe truth readable");
    assert!(ids.len() >= 34, "probe set lost files: {ids:?}");
    let docs: Vec<_> = ids
        .into_iter()
        .map(|id| {
            let truth = baogao::eval::read_truth(&dir, &id).expect("truth parses");
            let report = convert(&dir.join(format!("{id}.txt")), &format!("{id}.txt"), &cfg).ok();
            (id, truth, report)
        })
        .collect();
    let s = score_reports_on(&docs, Keys::All);
    let table = render(&s);
    println!("{table}");
    let top = s.reliability.last().expect(">=0.9 band");
    let mut failures = Vec::new();
    if s.precision < PRECISION_FLOOR {
        failures.push(format!("precision {:.3} < {PRECISION_FLOOR}", s.precision));
    }
    if s.recall < RECALL_FLOOR {
        failures.push(format!("recall {:.3} < {RECALL_FLOOR}", s.recall));
    }
    if top.n < MIN_CONFIDENT || top.accuracy.unwrap_or(0.0) < 0.99 {
        failures.push(format!(
            ">= 0.9 band: {}/{} right (need >= {MIN_CONFIDENT} values, 99 %)",
            top.correct, top.n
        ));
    }
    assert!(failures.is_empty(), "{}\n{table}", failures.join("\n"));
}
