//! Extraction quality as a tested property: run the pipeline in-process over the text
//! corpora in `../shared/corpus` (dev: 20 real report openings; dev2: the 53 development
//! openings of 79, the blind third is left out, see docs/blind-dev2.md; dev-complete: 6
//! complete synthetic reports), score with `baogao::eval` (the port of
//! `../shared/tools/score.py`), print the aggregate tables, and hold precision, recall and
//! the ≥ 0.9 band to floors. The ≥ 0.9 floor needs a minimum number of values in the band:
//! an empty or tiny band fails instead of passing vacuously.
//!
//! The floors sit a little under the figures measured when they were set (see `FLOORS`), so
//! a change that loses a value or two fails here and shows which ones in the printed list.
//! Raise them when extraction improves. Run with `--nocapture` to see the tables.

use baogao::emit::review::review_rows;
use baogao::eval::{Keys, Score, render, score_reports_on};
use baogao::pipeline::{Config, convert};
use baogao::report::Report;
use std::path::{Path, PathBuf};

/// One corpus's floors.
struct Floor {
    corpus: &'static str,
    precision: f64,
    recall: f64,
    /// The ≥ 0.9 band must hold at least this many values…
    min_confident: usize,
    /// …and be right this often.
    confident: f64,
}

/// Measured when the floors were set (txt inputs, first fifteen keys, score.py --core;
/// issue 10 amounts work): dev 0.969 / 0.959, ≥ 0.9: 68 values all right; dev-complete
/// 1.000 / 0.986, 64 all right; dev2 (53 development ids) 0.982 / 0.912, 169 all right
/// (after merging main with the identity half of issue 10). Raised after the money/staff/score
/// families (branch s3-money): dev 0.969 / 0.969, dev2 0.986 / 0.956 with 170 values ≥ 0.9.
const FLOORS: &[Floor] = &[
    Floor {
        corpus: "dev",
        precision: 0.965,
        recall: 0.96,
        min_confident: 60,
        confident: CONFIDENT_FLOOR,
    },
    Floor {
        corpus: "dev-complete",
        precision: 0.98,
        recall: 0.97,
        min_confident: 58,
        confident: CONFIDENT_FLOOR,
    },
    // dev2 (53 development ids): the ≥ 0.9 band now holds the spec's 99 % here too.
    Floor {
        corpus: "dev2",
        precision: 0.98,
        recall: 0.945,
        min_confident: 165,
        confident: CONFIDENT_FLOOR,
    },
];

/// Values rated ≥ 0.9 must be right this often (the spec's promise, fields.md "Confidence").
const CONFIDENT_FLOOR: f64 = 0.99;

mod common;

fn shared() -> Option<PathBuf> {
    common::shared_dir().map(|s| s.join("corpus"))
}

/// Convert every `<id>.txt` that has an `<id>.truth.json`; returns (id, truth, report).
fn run_corpus(dir: &Path, cfg: &Config) -> Vec<(String, serde_json::Value, Option<Report>)> {
    let ids = baogao::eval::truth_ids(dir).expect("truth dir readable");
    let dev2 = dir.file_name().is_some_and(|n| n == "dev2");
    ids.into_iter()
        .filter(|id| !(dev2 && common::DEV2_BLIND.contains(&id.as_str())))
        .map(|id| {
            let truth = baogao::eval::read_truth(dir, &id).expect("truth parses");
            let txt = dir.join(format!("{id}.txt"));
            let report = convert(&txt, &format!("{id}.txt"), cfg).ok();
            (id, truth, report)
        })
        .collect()
}

type Doc = (String, serde_json::Value, Option<Report>);

fn corpus_score(name: &str, cfg: &Config) -> Option<(Score, Vec<Doc>)> {
    let dir = shared()?.join(name);
    let docs = run_corpus(&dir, cfg);
    // The floors below were set on the first fifteen keys; the `project.*` keys the truth
    // files gained are scored once extraction reads them (issue 10).
    Some((score_reports_on(&docs, Keys::Core), docs))
}

#[test]
fn txt_corpora_meet_quality_floors() {
    if shared().is_none() {
        return;
    }
    let cfg = Config::builtin();
    let mut failures = Vec::new();
    let mut all: Vec<Doc> = Vec::new();
    for f in FLOORS {
        let (name, p_floor, r_floor) = (f.corpus, &f.precision, &f.recall);
        let (s, docs) = corpus_score(name, &cfg).expect("corpus present");
        println!("==== {name} ({} docs)\n{}", s.docs, render(&s));
        let reports: Vec<(String, Report)> = docs
            .iter()
            .filter_map(|(id, _, r)| r.clone().map(|r| (id.clone(), r)))
            .collect();
        all.extend(docs);
        let review = review_rows(&reports, 0.7);
        println!("below 0.7 ({} fields):", review.len());
        for r in &review {
            println!("  {} {} = {}: {}", r.file, r.key, r.value, r.reason);
        }
        println!();
        if !s.missing_outputs.is_empty() {
            failures.push(format!(
                "{name}: conversion failed for {:?}",
                s.missing_outputs
            ));
        }
        if s.precision < *p_floor {
            failures.push(format!(
                "{name}: precision {:.3} < floor {p_floor}",
                s.precision
            ));
        }
        if s.recall < *r_floor {
            failures.push(format!("{name}: recall {:.3} < floor {r_floor}", s.recall));
        }
        let top = s.reliability.last().expect(">=0.9 band");
        if top.n < f.min_confident {
            failures.push(format!(
                "{name}: only {} values rated >= 0.9 (need {} for the band to mean anything)",
                top.n, f.min_confident
            ));
        }
        let acc = top.accuracy.unwrap_or(0.0);
        if acc < f.confident {
            failures.push(format!(
                "{name}: values rated >= 0.9 right {}/{} = {acc:.3} < {}",
                top.correct, top.n, f.confident
            ));
        }
    }
    let s = score_reports_on(&all, Keys::Core);
    println!(
        "==== both ({} docs): precision={:.3} recall={:.3}",
        s.docs, s.precision, s.recall
    );
    for b in &s.reliability {
        println!("{:10} n={:3} correct={:3}", b.label, b.n, b.correct);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
