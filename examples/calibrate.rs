//! Calibration study for the confidence constants of the check stage (writes nothing; the
//! findings are in docs/calibration.md).
//!
//! `cargo run --release --example calibrate [-- CORPUS_DIR...]` (default: the txt inputs of
//! ../shared/corpus/dev, the development ids of ../shared/corpus/dev2 — the blind third of
//! docs/blind-dev2.md is never read — and ../shared/corpus/dev-complete).
//!
//! The check stage's choice of value does not depend on its constants, only the confidence
//! does; so this runs the pipeline once per document (`pipeline::analyze`), keeps the
//! candidates and section scores, and re-runs the real [`check::check`] with other
//! [`ConfidenceParams`] (the struct the tool itself carries in its `Config`). With the default
//! parameters it must reproduce the reports' confidences exactly (checked first).
//!
//! It prints: the values per pattern; the effect of moving one constant at a time; and a
//! leave-one-document-out estimate: for each document, the constants are chosen on the
//! other documents (most correct values rated ≥ 0.9 while ≥ 0.9 stays ≥ 99 % right) and
//! applied to the held-out one; and the per-pattern evidence: how many documents confirmed
//! each pattern that gives values ≥ 0.9 (a rule never confirmed on another document should
//! not give ≥ 0.9). Last, the headline figure (`LEAVE-ONE-DOCUMENT-OUT …`): each rule's trust
//! estimated without the held-out document — a value keeps ≥ 0.9 only if its pattern was
//! right on ≥ 2 other documents and gave no wrong value ≥ 0.9 there (and a strict variant).

use baogao::check::{self, ConfidenceParams, Evidence};
use baogao::eval::{Judged, score_reports};
use baogao::extract::Candidate;
use baogao::pipeline::{Analysis, Config, analyze};
use baogao::report::SectionScore;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

type Params = ConfidenceParams;

/// The blind third of dev2 (docs/blind-dev2.md): never read here.
const DEV2_BLIND: &[&str] = &[
    "104", "109", "114", "119", "124", "129", "134", "139", "144", "204", "209", "214", "219",
    "224", "229", "234", "239", "302", "307", "312", "317", "322", "327", "332", "337", "342",
];

/// What one document contributes: the check stage's inputs, and the verdicts.
struct Doc {
    id: String,
    cands: Vec<Candidate>,
    sections: Vec<SectionScore>,
    scale: Option<Vec<(f64, &'static str)>>,
    ocr_share: f64,
    /// The report's confidence per key (to verify the replay).
    reported: BTreeMap<String, f64>,
    /// score.py's verdict per mapped key with a value.
    judged: Vec<Judged>,
}

/// The real check stage's confidences under `p`.
fn confidences(p: &Params, d: &Doc) -> BTreeMap<String, f64> {
    let ev = Evidence {
        ocr_share: d.ocr_share,
        // The calibration corpora are undamaged files: no page is incomplete.
        incomplete_pages: &[],
        grade_scale: d.scale.as_deref(),
        params: *p,
        confirmed: &baogao::confirm::OFF,
    };
    check::check(&d.cands, &d.sections, ev)
        .fields
        .into_iter()
        .map(|(k, f)| (k, f.confidence))
        .collect()
}

impl Doc {
    fn load(id: &str, a: Analysis, truth: serde_json::Value) -> Doc {
        let ocr: usize = a
            .loaded
            .pages
            .iter()
            .filter(|p| p.backend.is_ocr())
            .map(|p| p.text.chars().count())
            .sum();
        let all: usize = a.loaded.pages.iter().map(|p| p.text.chars().count()).sum();
        let reported = a
            .report
            .fields
            .iter()
            .map(|(k, f)| (k.clone(), f.confidence))
            .collect();
        let scale = baogao::normalize::grade_scale(&a.clean.text);
        let sections = a.report.sections.clone();
        let judged = score_reports(&[(id.to_string(), truth, Some(a.report))]).values;
        Doc {
            id: id.to_string(),
            cands: a.candidates,
            sections,
            scale,
            ocr_share: if all == 0 {
                0.0
            } else {
                ocr as f64 / all as f64
            },
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
    /// Count one judged value rated `confidence`.
    fn count(&mut self, confidence: f64, correct: bool) {
        self.ok += correct as usize;
        if confidence >= 0.9 {
            self.hi_n += 1;
            self.hi_ok += correct as usize;
        } else {
            self.lo_n += 1;
        }
    }
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
        t.count(c, j.correct);
    }
    t
}

fn grid() -> Vec<Params> {
    let mut g = Vec::new();
    for check_pass in [0.02, 0.04, 0.06, 0.08] {
        for check_fail in [0.2, 0.3] {
            for agree_step in [0.02, 0.03] {
                for agree_cap in [0.05, 0.08] {
                    for margin in [0.05, 0.1, 0.15] {
                        for weak_rival_penalty in [0.0, 0.04, 0.08] {
                            for first_wins_penalty in [0.08, 0.12] {
                                g.push(Params {
                                    margin,
                                    agree_step,
                                    agree_cap,
                                    first_wins_penalty,
                                    weak_rival_penalty,
                                    check_pass,
                                    check_fail,
                                    ..Params::default()
                                });
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
    let d = Params::default();
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
    let mut args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    // `--write-confirmed FILE`: write the rules' records (src/confirm.rs) and stop.
    let write_confirmed = match args.iter().position(|a| a == "--write-confirmed") {
        Some(i) if i + 1 < args.len() => {
            let f = args.remove(i + 1);
            args.remove(i);
            Some(f)
        }
        Some(_) => panic!("--write-confirmed needs a file"),
        None => None,
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let dirs = if args.is_empty() {
        vec![
            root.join("dev"),
            root.join("dev2"),
            root.join("dev-complete"),
        ]
    } else {
        args
    };
    // The study needs the rules' own confidence: the record of confirmed rules is not
    // enforced here (it is what this study measures).
    let mut cfg = Config::builtin();
    cfg.rules.confirmed = std::sync::Arc::new(baogao::confirm::Confirmed::off());
    let mut docs = Vec::new();
    for dir in &dirs {
        let dev2 = dir.file_name().is_some_and(|n| n == "dev2");
        for id in baogao::eval::truth_ids(dir).expect("truth dir") {
            if dev2 && DEV2_BLIND.contains(&id.as_str()) {
                continue;
            }
            let truth = baogao::eval::read_truth(dir, &id).expect("truth");
            let txt = dir.join(format!("{id}.txt"));
            match analyze(&txt, &format!("{id}.txt"), &cfg) {
                Ok(a) => docs.push(Doc::load(&id, a, truth)),
                Err(e) => eprintln!("{id}: {e}"),
            }
        }
    }

    if let Some(file) = write_confirmed {
        let record = baogao::confirm::Confirmed {
            rules: baogao::confirm::support(docs.iter().map(|d| d.judged.as_slice())),
            enforce: true,
        };
        let from = format!(
            "{} documents of {} (dev2 without its blind third)",
            docs.len(),
            dirs.iter()
                .filter_map(|d| d.file_name())
                .map(|n| n.to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join(", ")
        );
        std::fs::write(&file, record.to_toml(&from)).expect("write the record");
        let confirmed = record.rules.values().filter(|s| s.confirms()).count();
        println!(
            "{}: {} rules, {confirmed} confirmed",
            file.display(),
            record.rules.len()
        );
        return;
    }
    let default = Params::default();
    // 1. the replay reproduces the reports
    let mut drift = 0;
    for d in &docs {
        let c = confidences(&default, d);
        for (k, v) in &d.reported {
            if c.get(k) != Some(v) {
                drift += 1;
                eprintln!("drift: {} {k}: report {v}, copy {:?}", d.id, c.get(k));
            }
        }
    }
    assert_eq!(
        drift, 0,
        "replaying check::check does not reproduce the reports"
    );
    let nvals: usize = docs.iter().map(|d| d.judged.len()).sum();
    println!(
        "{} documents, {nvals} scored values; replaying check::check reproduces every confidence",
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
    println!("\ntoday: {}", total(&default).show());
    let one: Vec<(&str, Params)> = vec![
        (
            "check_pass 0.06",
            Params {
                check_pass: 0.06,
                ..default
            },
        ),
        (
            "check_pass 0.08",
            Params {
                check_pass: 0.08,
                ..default
            },
        ),
        (
            "check_pass 0.10",
            Params {
                check_pass: 0.10,
                ..default
            },
        ),
        (
            "check_fail 0.2",
            Params {
                check_fail: 0.2,
                ..default
            },
        ),
        (
            "check_fail 0.4",
            Params {
                check_fail: 0.4,
                ..default
            },
        ),
        (
            "agree_cap 0.08",
            Params {
                agree_cap: 0.08,
                ..default
            },
        ),
        (
            "agree_step 0.05 cap 0.10",
            Params {
                agree_step: 0.05,
                agree_cap: 0.1,
                ..default
            },
        ),
        (
            "margin 0.05",
            Params {
                margin: 0.05,
                ..default
            },
        ),
        (
            "margin 0.2",
            Params {
                margin: 0.2,
                ..default
            },
        ),
        (
            "weak_rival 0",
            Params {
                weak_rival_penalty: 0.0,
                ..default
            },
        ),
        (
            "weak_rival 0.08",
            Params {
                weak_rival_penalty: 0.08,
                ..default
            },
        ),
        (
            "first_wins 0.08",
            Params {
                first_wins_penalty: 0.08,
                ..default
            },
        ),
        (
            "conflict_cap 0.7",
            Params {
                conflict_cap: 0.7,
                ..default
            },
        ),
        (
            "check_pass 0.06 + first_wins 0.08",
            Params {
                check_pass: 0.06,
                first_wins_penalty: 0.08,
                ..default
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
            let before = confidences(&default, d);
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
    let mut short = 0;
    let mut chosen: BTreeMap<String, usize> = BTreeMap::new();
    for (i, _d) in docs.iter().enumerate() {
        let rank = |k: usize| {
            let t = sums[k].sub(&per[k][i]);
            (t.acc() >= 0.99, t.hi_ok, -distance(&g[k]))
        };
        // The set with most right values at >= 0.9 among those that keep 99 % on the other
        // documents; when none does, the one that comes closest (counted below).
        let best = (0..g.len())
            .max_by(|&a, &b| {
                let (ra, rb) = (rank(a), rank(b));
                ra.0.cmp(&rb.0)
                    .then_with(|| {
                        if ra.0 {
                            ra.1.cmp(&rb.1)
                        } else {
                            let (ta, tb) = (sums[a].sub(&per[a][i]), sums[b].sub(&per[b][i]));
                            ta.acc()
                                .partial_cmp(&tb.acc())
                                .unwrap()
                                .then(ra.1.cmp(&rb.1))
                        }
                    })
                    .then(ra.2.partial_cmp(&rb.2).unwrap())
            })
            .expect("a parameter grid");
        if !rank(best).0 {
            short += 1;
        }
        held.add(&per[best][i]);
        *chosen.entry(format!("{:?}", g[best])).or_default() += 1;
    }
    println!(
        "\nleave-one-document-out over {} parameter sets:\n  today's constants: {}\n  tuned per fold:    {}",
        g.len(),
        total(&default).show(),
        held.show()
    );
    println!("  folds where no parameter set keeps >= 0.9 at 99 % on the other documents: {short}");
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
                t.count(c, j.correct);
            }
        }
        println!(
            "  pattern trust, m = {m}: {} (lifted: {})",
            t.show(),
            lifted.join(", ")
        );
    }
    // 6. leave one document out, rule confirmation: a value rated >= 0.9 whose pattern gave
    //    no right value on any other document is capped below 0.9 (a rule never confirmed
    //    elsewhere cannot give >= 0.9).
    {
        let mut t = Tally::default();
        let mut capped = 0;
        for (i, d) in docs.iter().enumerate() {
            for j in &d.judged {
                let confirmed = docs.iter().enumerate().any(|(k, o)| {
                    k != i && o.judged.iter().any(|x| x.pattern == j.pattern && x.correct)
                });
                let mut c = j.confidence;
                if c >= 0.9 && !confirmed {
                    c = 0.89;
                    capped += 1;
                }
                t.count(c, j.correct);
            }
        }
        println!(
            "  rule confirmed on another document: {} ({capped} values capped)",
            t.show()
        );
        let mut docs_per: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
        for d in &docs {
            let mut seen: BTreeMap<&str, (bool, bool)> = BTreeMap::new();
            for j in &d.judged {
                let e = seen.entry(j.pattern.as_str()).or_default();
                e.0 |= j.correct;
                e.1 |= j.confidence >= 0.9;
            }
            for (pat, (ok, hi)) in seen {
                let e = docs_per.entry(pat).or_default();
                e.0 += ok as usize;
                e.1 += hi as usize;
            }
        }
        println!("  patterns giving >= 0.9 confirmed on fewer than 2 documents:");
        for (pat, (ok_docs, hi_docs)) in &docs_per {
            if *hi_docs > 0 && *ok_docs < 2 {
                println!("    {pat}: right on {ok_docs} document(s), >= 0.9 on {hi_docs}");
            }
        }
    }
    // 7. leave one document out, rule trust estimated without the held-out document (the
    //    headline figure of docs/calibration.md): a value rated >= 0.9 keeps it only when its
    //    pattern, on the OTHER documents, (a) gave a right value on at least 2 documents and
    //    (c) gave no wrong value rated >= 0.9; the strict variant also asks (b) that it was
    //    right on >= 95 % of all its values there (rated high or low). Otherwise the value is
    //    capped at 0.89: the rule's trust was not earned elsewhere.
    for strict in [false, true] {
        let mut t = Tally::default();
        let mut capped: BTreeMap<String, usize> = BTreeMap::new();
        for (i, d) in docs.iter().enumerate() {
            // per pattern on the other documents: documents with a right value, values, right
            // values, wrong values rated >= 0.9
            let mut rec: BTreeMap<&str, (usize, usize, usize, usize)> = BTreeMap::new();
            for (k, o) in docs.iter().enumerate() {
                if k == i {
                    continue;
                }
                let mut right_here: Vec<&str> = Vec::new();
                for j in &o.judged {
                    let e = rec.entry(j.pattern.as_str()).or_default();
                    e.1 += 1;
                    if j.correct {
                        e.2 += 1;
                        right_here.push(j.pattern.as_str());
                    } else if j.confidence >= 0.9 {
                        e.3 += 1;
                    }
                }
                right_here.sort_unstable();
                right_here.dedup();
                for pat in right_here {
                    rec.entry(pat).or_default().0 += 1;
                }
            }
            for j in &d.judged {
                let earned =
                    rec.get(j.pattern.as_str())
                        .is_some_and(|&(docs_ok, n, ok, hi_wrong)| {
                            docs_ok >= 2
                                && hi_wrong == 0
                                && (!strict || ok as f64 >= 0.95 * n as f64)
                        });
                let mut c = j.confidence;
                if c >= 0.9 && !earned {
                    c = 0.89;
                    *capped.entry(j.pattern.clone()).or_default() += 1;
                }
                t.count(c, j.correct);
            }
        }
        let n_capped: usize = capped.values().sum();
        println!(
            "\nLEAVE-ONE-DOCUMENT-OUT{}, rule trust estimated on the other documents (right on >= 2 \
             documents, no wrong value >= 0.9{}): {} ({n_capped} values capped)",
            if strict { " (strict)" } else { "" },
            if strict {
                ", right on >= 95 % of all its values"
            } else {
                ""
            },
            t.show()
        );
        for (pat, n) in &capped {
            println!("    capped: {pat} × {n}");
        }
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
