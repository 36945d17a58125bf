//! Calibration study for the confidence constants of `src/check.rs` (writes nothing; the
//! findings are in docs/calibration.md).
//!
//! `cargo run --release --example calibrate [-- CORPUS_DIR...]` (default: the txt inputs of
//! ../shared/corpus/dev and ../shared/corpus/dev-complete).
//!
//! The check stage's choice of value does not depend on its constants, only the confidence
//! does; so this runs the pipeline once per document (`pipeline::analyze`), keeps the
//! candidates, and re-derives every field's confidence with [`Params`], a copy of
//! `check::check`'s arithmetic with the constants as parameters. With the current constants
//! the copy must reproduce the reports' confidences exactly (checked first; the study stops
//! if check.rs has drifted from this copy).
//!
//! It prints: the values per pattern; the effect of moving one constant at a time; and a
//! leave-one-document-out estimate: for each document, the constants are chosen on the
//! other documents (most correct values rated ≥ 0.9 while ≥ 0.9 stays ≥ 99 % right) and
//! applied to the held-out one.

use baogao::eval::{Judged, score_reports};
use baogao::extract::Candidate;
use baogao::pipeline::{Analysis, Config, analyze};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The constants of check.rs.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Params {
    /// CONFLICT_MARGIN
    margin: f64,
    /// agreement: + step per agreeing mention, at most cap
    agree_step: f64,
    agree_cap: f64,
    /// a conflict caps confidence at this
    conflict_cap: f64,
    /// FIRST_WINS keys with a close rival
    first_wins_penalty: f64,
    /// a rival further than the margin below
    weak_rival_penalty: f64,
    /// per cross-check that holds / fails
    check_pass: f64,
    check_fail: f64,
    /// (not in check.rs) skip the section-sum check when the sections' maxima do not add
    /// up to 100, i.e. when sections were missed
    section_guard: bool,
}

const DEFAULT: Params = Params {
    margin: 0.1,
    agree_step: 0.03,
    agree_cap: 0.05,
    conflict_cap: 0.6,
    first_wins_penalty: 0.12,
    weak_rival_penalty: 0.04,
    check_pass: 0.04,
    check_fail: 0.3,
    section_guard: false,
};

const FIRST_WINS: &[&str] = &["year", "report_family", "department"];
const FIELD_CHECKS: &[&str] = &[
    "basic_plus_project_equals_actual",
    "personnel_plus_public_equals_basic",
    "actual_over_budget_equals_rate",
    "section_scores_sum_to_total",
    "grade_matches_score_band",
];

/// What one document contributes: per key the candidates, plus the checks that ran.
struct Doc {
    id: String,
    cands: BTreeMap<String, Vec<Candidate>>,
    /// (name, inputs, passed) of the field checks, in order.
    checks: Vec<(String, Vec<String>, bool)>,
    /// Sum of the maxima of the sections the section-sum check uses.
    section_max_sum: f64,
    ocr_share: f64,
    /// The reported execution rate (rates above 300 % are capped at 0.5).
    rate: Option<f64>,
    /// The report's confidence per key (to verify the copy).
    reported: BTreeMap<String, f64>,
    /// score.py's verdict per mapped key with a value.
    judged: Vec<Judged>,
}

/// check::check's confidence arithmetic with `p` in place of the constants.
fn confidences(p: &Params, d: &Doc) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    for (key, group) in &d.cands {
        let mut order: Vec<&Candidate> = group.iter().collect();
        order.sort_by(|a, b| {
            b.confidence
                .partial_cmp(&a.confidence)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(a.start.cmp(&b.start))
        });
        let best = order[0];
        let mut conf = best.confidence;
        let agreeing = order
            .iter()
            .filter(|c| c.value == best.value && c.start != best.start)
            .count();
        let rivals = order
            .iter()
            .filter(|c| c.value != best.value && c.confidence >= best.confidence - p.margin)
            .count();
        let weak = order
            .iter()
            .filter(|c| c.value != best.value && c.confidence < best.confidence - p.margin)
            .count();
        conf += (p.agree_step * agreeing as f64).min(p.agree_cap);
        if rivals > 0 {
            if FIRST_WINS.contains(&key.as_str()) {
                conf -= p.first_wins_penalty;
            } else {
                conf = conf.min(p.conflict_cap);
            }
        } else if weak > 0 {
            conf -= p.weak_rival_penalty;
        }
        if best.flags.iter().any(|f| f == "implausible") {
            conf = conf.min(0.5);
        }
        if d.ocr_share > 0.0 {
            conf -= 0.15 * d.ocr_share.min(1.0) + 0.05;
        }
        out.insert(key.clone(), conf);
    }
    for (name, inputs, ok) in &d.checks {
        if p.section_guard
            && name == "section_scores_sum_to_total"
            && (d.section_max_sum - 100.0).abs() > 0.5
        {
            continue;
        }
        for k in inputs {
            if let Some(c) = out.get_mut(k) {
                *c += if *ok { p.check_pass } else { -p.check_fail };
            }
        }
    }
    if let Some(r) = d.rate
        && r > 300.0
        && let Some(c) = out.get_mut("expenditure.execution_rate")
    {
        *c = c.min(0.5);
    }
    for c in out.values_mut() {
        *c = (c.clamp(0.05, 0.99) * 100.0).round() / 100.0;
    }
    out
}

impl Doc {
    fn load(id: &str, a: Analysis, truth: serde_json::Value) -> Doc {
        let mut cands: BTreeMap<String, Vec<Candidate>> = BTreeMap::new();
        for c in a.candidates {
            cands.entry(c.key.clone()).or_default().push(c);
        }
        let ocr: usize = a
            .loaded
            .pages
            .iter()
            .filter(|p| p.backend.is_ocr())
            .map(|p| p.text.chars().count())
            .sum();
        let all: usize = a.loaded.pages.iter().map(|p| p.text.chars().count()).sum();
        let checks = a
            .report
            .checks
            .iter()
            .filter(|c| FIELD_CHECKS.contains(&c.name.as_str()))
            .map(|c| (c.name.clone(), c.inputs.clone(), c.result == "pass"))
            .collect();
        let min_level = a
            .report
            .sections
            .iter()
            .filter(|s| s.score.is_some())
            .map(|s| s.level)
            .min();
        let section_max_sum = a
            .report
            .sections
            .iter()
            .filter(|s| Some(s.level) == min_level && s.score.is_some())
            .filter_map(|s| s.max)
            .sum();
        let reported = a
            .report
            .fields
            .iter()
            .map(|(k, f)| (k.clone(), f.confidence))
            .collect();
        let rate = a
            .report
            .fields
            .get("expenditure.execution_rate")
            .and_then(|f| f.value.as_f64());
        let judged = score_reports(&[(id.to_string(), truth, Some(a.report))]).values;
        Doc {
            id: id.to_string(),
            cands,
            checks,
            section_max_sum,
            ocr_share: if all == 0 {
                0.0
            } else {
                ocr as f64 / all as f64
            },
            rate,
            reported,
            judged,
        }
    }
}

/// Per-document tallies under one parameter set.
#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    /// values rated >= 0.9, and how many of them are right
    hi_n: usize,
    hi_ok: usize,
    /// right values overall
    ok: usize,
    /// values rated < 0.9
    lo_n: usize,
}

impl Tally {
    fn add(&mut self, o: &Tally) {
        self.hi_n += o.hi_n;
        self.hi_ok += o.hi_ok;
        self.ok += o.ok;
        self.lo_n += o.lo_n;
    }
    fn sub(&self, o: &Tally) -> Tally {
        Tally {
            hi_n: self.hi_n - o.hi_n,
            hi_ok: self.hi_ok - o.hi_ok,
            ok: self.ok - o.ok,
            lo_n: self.lo_n - o.lo_n,
        }
    }
    fn acc(&self) -> f64 {
        if self.hi_n == 0 {
            1.0
        } else {
            self.hi_ok as f64 / self.hi_n as f64
        }
    }
    fn coverage(&self) -> f64 {
        if self.ok == 0 {
            0.0
        } else {
            self.hi_ok as f64 / self.ok as f64
        }
    }
    fn show(&self) -> String {
        format!(
            ">=0.9: {}/{} right ({:.3}), holds {}/{} of the right values ({:.3})",
            self.hi_ok,
            self.hi_n,
            self.acc(),
            self.hi_ok,
            self.ok,
            self.coverage()
        )
    }
}

fn tally(p: &Params, d: &Doc) -> Tally {
    let conf = confidences(p, d);
    let mut t = Tally::default();
    for j in &d.judged {
        let c = conf.get(&j.key).copied().unwrap_or(0.0);
        if j.correct {
            t.ok += 1;
        }
        if c >= 0.9 {
            t.hi_n += 1;
            if j.correct {
                t.hi_ok += 1;
            }
        } else {
            t.lo_n += 1;
        }
    }
    t
}

fn grid() -> Vec<Params> {
    let mut g = Vec::new();
    for check_pass in [0.02, 0.04, 0.06, 0.08, 0.1] {
        for check_fail in [0.2, 0.3, 0.4] {
            for agree_step in [0.02, 0.03, 0.05] {
                for agree_cap in [0.05, 0.08, 0.1] {
                    for margin in [0.05, 0.1, 0.15, 0.2] {
                        for weak_rival_penalty in [0.0, 0.04, 0.08] {
                            for first_wins_penalty in [0.08, 0.12, 0.16] {
                                for conflict_cap in [0.6, 0.7] {
                                    g.push(Params {
                                        margin,
                                        agree_step,
                                        agree_cap,
                                        conflict_cap,
                                        first_wins_penalty,
                                        weak_rival_penalty,
                                        check_pass,
                                        check_fail,
                                        section_guard: false,
                                    });
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    g
}

/// How far a parameter set is from today's (relative), to prefer small changes.
fn distance(p: &Params) -> f64 {
    let d = DEFAULT;
    let r = |a: f64, b: f64| ((a - b) / b.max(0.01)).abs();
    r(p.margin, d.margin)
        + r(p.agree_step, d.agree_step)
        + r(p.agree_cap, d.agree_cap)
        + r(p.conflict_cap, d.conflict_cap)
        + r(p.first_wins_penalty, d.first_wins_penalty)
        + r(p.weak_rival_penalty, d.weak_rival_penalty)
        + r(p.check_pass, d.check_pass)
        + r(p.check_fail, d.check_fail)
}

fn main() {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let dirs = if args.is_empty() {
        vec![root.join("dev"), root.join("dev-complete")]
    } else {
        args
    };
    let cfg = Config::builtin();
    let mut docs = Vec::new();
    for dir in &dirs {
        for id in baogao::eval::truth_ids(dir).expect("truth dir") {
            let truth = baogao::eval::read_truth(dir, &id).expect("truth");
            let txt = dir.join(format!("{id}.txt"));
            match analyze(&txt, &format!("{id}.txt"), &cfg) {
                Ok(a) => docs.push(Doc::load(&id, a, truth)),
                Err(e) => eprintln!("{id}: {e}"),
            }
        }
    }

    // 1. the copy reproduces check.rs
    let mut drift = 0;
    for d in &docs {
        let c = confidences(&DEFAULT, d);
        for (k, v) in &d.reported {
            if c.get(k) != Some(v) {
                drift += 1;
                eprintln!("drift: {} {k}: report {v}, copy {:?}", d.id, c.get(k));
            }
        }
    }
    assert_eq!(
        drift, 0,
        "check.rs no longer matches the copy in this study"
    );
    let nvals: usize = docs.iter().map(|d| d.judged.len()).sum();
    println!(
        "{} documents, {nvals} scored values; copy of check.rs reproduces every confidence",
        docs.len()
    );

    // 2. per pattern
    let mut by_pat: BTreeMap<String, (usize, usize, usize, f64)> = BTreeMap::new();
    for d in &docs {
        for j in &d.judged {
            let e = by_pat.entry(j.pattern.clone()).or_default();
            e.0 += 1;
            e.1 += j.correct as usize;
            e.2 += (j.confidence < 0.9) as usize;
            e.3 += j.confidence;
        }
    }
    println!("\n| pattern | values | right | rated <0.9 | mean conf |\n|---|---|---|---|---|");
    for (p, (n, ok, lo, sum)) in &by_pat {
        println!("| {p} | {n} | {ok} | {lo} | {:.2} |", sum / *n as f64);
    }
    println!("\nvalues rated < 0.9 (doc key value conf right pattern flags):");
    for d in &docs {
        for j in d.judged.iter().filter(|j| j.confidence < 0.9) {
            println!(
                "  {} {} {} {:.2} {} {} {:?}",
                d.id, j.key, j.predicted, j.confidence, j.correct, j.pattern, j.flags
            );
        }
    }

    // 3. one constant at a time
    let total = |p: &Params| {
        let mut t = Tally::default();
        for d in &docs {
            t.add(&tally(p, d));
        }
        t
    };
    println!("\ntoday: {}", total(&DEFAULT).show());
    let one: Vec<(&str, Params)> = vec![
        (
            "check_pass 0.06",
            Params {
                check_pass: 0.06,
                ..DEFAULT
            },
        ),
        (
            "check_pass 0.08",
            Params {
                check_pass: 0.08,
                ..DEFAULT
            },
        ),
        (
            "check_pass 0.10",
            Params {
                check_pass: 0.10,
                ..DEFAULT
            },
        ),
        (
            "check_fail 0.2",
            Params {
                check_fail: 0.2,
                ..DEFAULT
            },
        ),
        (
            "check_fail 0.4",
            Params {
                check_fail: 0.4,
                ..DEFAULT
            },
        ),
        (
            "agree_cap 0.08",
            Params {
                agree_cap: 0.08,
                ..DEFAULT
            },
        ),
        (
            "agree_step 0.05 cap 0.10",
            Params {
                agree_step: 0.05,
                agree_cap: 0.1,
                ..DEFAULT
            },
        ),
        (
            "margin 0.05",
            Params {
                margin: 0.05,
                ..DEFAULT
            },
        ),
        (
            "margin 0.2",
            Params {
                margin: 0.2,
                ..DEFAULT
            },
        ),
        (
            "weak_rival 0",
            Params {
                weak_rival_penalty: 0.0,
                ..DEFAULT
            },
        ),
        (
            "weak_rival 0.08",
            Params {
                weak_rival_penalty: 0.08,
                ..DEFAULT
            },
        ),
        (
            "first_wins 0.08",
            Params {
                first_wins_penalty: 0.08,
                ..DEFAULT
            },
        ),
        (
            "conflict_cap 0.7",
            Params {
                conflict_cap: 0.7,
                ..DEFAULT
            },
        ),
        (
            "section-sum guard",
            Params {
                section_guard: true,
                ..DEFAULT
            },
        ),
        (
            "guard + check_pass 0.06 + first_wins 0.08",
            Params {
                section_guard: true,
                check_pass: 0.06,
                first_wins_penalty: 0.08,
                ..DEFAULT
            },
        ),
    ];
    println!(
        "\n| change (rest as today) | >=0.9 right/n | right values rated >=0.9 |\n|---|---|---|"
    );
    let mut moved = Vec::new();
    for (name, p) in &one {
        let t = total(p);
        println!(
            "| {name} | {}/{} ({:.3}) | {}/{} ({:.3}) |",
            t.hi_ok,
            t.hi_n,
            t.acc(),
            t.hi_ok,
            t.ok,
            t.coverage()
        );
        for d in &docs {
            let before = confidences(&DEFAULT, d);
            let after = confidences(p, d);
            for j in &d.judged {
                let (b, a) = (before[&j.key], after[&j.key]);
                if (b >= 0.9) != (a >= 0.9) {
                    moved.push(format!(
                        "  {name}: {} {} {b:.2} -> {a:.2} (right: {})",
                        d.id, j.key, j.correct
                    ));
                }
            }
        }
    }
    println!("values that cross 0.9:\n{}", moved.join("\n"));

    // 4. leave one document out
    let g = grid();
    let per: Vec<Vec<Tally>> = g
        .iter()
        .map(|p| docs.iter().map(|d| tally(p, d)).collect())
        .collect();
    let sums: Vec<Tally> = per
        .iter()
        .map(|ts| {
            let mut t = Tally::default();
            ts.iter().for_each(|x| t.add(x));
            t
        })
        .collect();
    let mut held = Tally::default();
    let mut chosen: BTreeMap<String, usize> = BTreeMap::new();
    for (i, _d) in docs.iter().enumerate() {
        let best = (0..g.len())
            .filter(|&k| sums[k].sub(&per[k][i]).acc() >= 0.99)
            .max_by(|&a, &b| {
                let ta = sums[a].sub(&per[a][i]);
                let tb = sums[b].sub(&per[b][i]);
                ta.hi_ok
                    .cmp(&tb.hi_ok)
                    .then(distance(&g[b]).partial_cmp(&distance(&g[a])).unwrap())
            })
            .expect("some parameter set keeps >=0.9 at 99 %");
        held.add(&per[best][i]);
        *chosen.entry(format!("{:?}", g[best])).or_default() += 1;
    }
    println!(
        "\nleave-one-document-out over {} parameter sets:\n  today's constants: {}\n  tuned per fold:    {}",
        g.len(),
        total(&DEFAULT).show(),
        held.show()
    );
    println!("  constants chosen (folds):");
    for (p, n) in &chosen {
        println!("    {n:2} × {p}");
    }
    // 5. leave one document out, per-pattern trust: a pattern that gave >= m values on the
    //    other documents, all right and none flagged, lifts its unflagged values to 0.9.
    for m in [2usize, 3, 5] {
        let mut t = Tally::default();
        let mut lifted = Vec::new();
        for (i, d) in docs.iter().enumerate() {
            let mut stats: BTreeMap<&str, (usize, bool)> = BTreeMap::new();
            for (k, o) in docs.iter().enumerate() {
                if k == i {
                    continue;
                }
                for j in &o.judged {
                    let e = stats.entry(j.pattern.as_str()).or_insert((0, true));
                    e.0 += 1;
                    e.1 &= j.correct && j.flags.is_empty();
                }
            }
            for j in &d.judged {
                let trusted = stats
                    .get(j.pattern.as_str())
                    .is_some_and(|(n, clean)| *n >= m && *clean);
                let mut c = j.confidence;
                if trusted && j.flags.is_empty() && (0.7..0.9).contains(&c) {
                    c = 0.9;
                    lifted.push(format!("{} {} ({})", d.id, j.key, j.pattern));
                }
                t.ok += j.correct as usize;
                if c >= 0.9 {
                    t.hi_n += 1;
                    t.hi_ok += j.correct as usize;
                } else {
                    t.lo_n += 1;
                }
            }
        }
        println!(
            "  pattern trust, m = {m}: {} (lifted: {})",
            t.show(),
            lifted.join(", ")
        );
    }
    // how many parameter sets tie with the in-sample best
    let best_all = sums
        .iter()
        .filter(|t| t.acc() >= 0.99)
        .map(|t| t.hi_ok)
        .max()
        .unwrap_or(0);
    let ties = sums
        .iter()
        .filter(|t| t.acc() >= 0.99 && t.hi_ok == best_all)
        .count();
    println!(
        "  in-sample best: {best_all} right values at >=0.9, reached by {ties} of {} sets",
        g.len()
    );
}
