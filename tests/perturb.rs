//! The same report flattened another way gives the same fields (metamorphic test).
//!
//! Unseen reports reach baogao through other converters: PDF text layers hard-wrap prose at
//! the margin, some publishers type thousands separators as the clause comma `，`, pdftotext
//! cuts pages with running headers and page numbers, some converters space out every CJK
//! character, forms come one cell a line or with their cells glued. A rule that depends on
//! how the development documents happen to be laid out fails there although every word is
//! the same. This test rewrites every text of dev, dev2 (without its blind third) and
//! dev-complete in those ways — no word changed — and holds the share of the original's
//! fields that each variant keeps (same key, same value) to a floor. `scripts/perturb.py` is
//! the same check for any binary and any texts, with a harsher variant (the whole text on one
//! line) that is measured but not held, and gentler ones (cells separated by spaces or pipes,
//! traditional characters). A second test swaps a label for another of its family
//! (`年初预算数` → `年初批复预算`, `全年执行数` → `实际支出`, …; the vocabulary of the national and
//! provincial forms and of report prose, as in `scripts/synonyms.py`) and holds the share of
//! values kept. Needs `../shared` (skips without it, fails under CI).

use baogao::pipeline::{Config, analyze_bytes};
use std::collections::BTreeMap;
use std::path::Path;

mod common;

fn width(c: char) -> usize {
    if c.is_ascii() { 1 } else { 2 }
}

fn latin(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | ',' | '%')
}

/// Hard-wrap prose lines at `n` full-width characters, never inside a run of Latin letters
/// and digits (typesetters keep `1,234.56` together); table rows (tabs, `|`) are left alone.
fn wrap(text: &str, n: usize) -> String {
    let mut out = Vec::new();
    for line in text.split('\n') {
        if line.contains('\t') || line.contains('|') {
            out.push(line.to_string());
            continue;
        }
        let mut rest: Vec<char> = line.chars().collect();
        while rest.iter().map(|&c| width(c)).sum::<usize>() > 2 * n {
            let (mut cut, mut w) = (0, 0);
            while cut < rest.len() && w + width(rest[cut]) <= 2 * n {
                w += width(rest[cut]);
                cut += 1;
            }
            let mut back = cut;
            while back > 0 && back < rest.len() && latin(rest[back]) && latin(rest[back - 1]) {
                back -= 1;
            }
            let cut = if back == 0 { cut } else { back };
            out.push(rest[..cut].iter().collect());
            rest.drain(..cut);
        }
        out.push(rest.into_iter().collect());
    }
    out.join("\n")
}

/// ASCII digits and `.,:%()` as their full-width forms (`，` for the comma).
fn fullwidth(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_digit() || ".,:%()".contains(c) {
                char::from_u32(c as u32 + 0xFEE0).unwrap_or(c)
            } else {
                c
            }
        })
        .collect()
}

/// Pages of 25 lines with a page number at the foot and a running header, form feeds between.
fn pages(text: &str) -> String {
    let mut out = Vec::new();
    for (i, line) in text.split('\n').enumerate() {
        if i % 25 == 0 && i > 0 {
            out.push(format!("- {} -\x0c绩效自评报告", i / 25));
        }
        out.push(line.to_string());
    }
    out.join("\n")
}

/// A space between every two CJK characters (`汉 中 街 道`), as some converters space text out.
fn cjk_spaced(text: &str) -> String {
    let cjk = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c);
    let mut out = String::with_capacity(text.len() * 2);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if cjk(c) && chars.peek().is_some_and(|&n| cjk(n)) {
            out.push(' ');
        }
    }
    out
}

/// The cells of a table row (tabs or `|`), or `None` for a line that is not one.
fn table_cells(line: &str) -> Option<Vec<&str>> {
    (line.contains('\t') || line.contains('|')).then(|| {
        line.split(['\t', '|'])
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect()
    })
}

/// Every table row rewritten with its cells joined by `sep`.
fn cells_joined(text: &str, sep: &str) -> String {
    text.split('\n')
        .map(|l| table_cells(l).map_or_else(|| l.to_string(), |c| c.join(sep)))
        .collect::<Vec<_>>()
        .join("\n")
}

fn fields(text: &str, cfg: &Config) -> BTreeMap<String, serde_json::Value> {
    analyze_bytes(Path::new("t.txt"), text.as_bytes(), "t.txt", cfg)
        .map(|a| {
            a.report
                .fields
                .into_iter()
                .map(|(k, f)| (k, f.value))
                .collect()
        })
        .unwrap_or_default()
}

type Variant = (&'static str, fn(&str) -> String, f64);

/// Floors set a little under what was measured (2 Dec, 79 texts, 530 fields; in brackets
/// before the clean stage learned to undo a wrap inside a gloss, after a label's colon at the
/// margin and between two figures, and to split glued decimal figures): wrap at 37 → 100 %
/// (98.7), wrap at 24 → 99.4 % (97.7), full-width → 100 %, pages → 99.8 %, spaces between
/// CJK characters → 100 % (99.2), one form cell a line → 99.8 %, cells glued → 99.1 % (98.9).
const VARIANTS: &[Variant] = &[
    ("wrapped at 37", |t| wrap(t, 37), 0.995),
    ("wrapped at 24", |t| wrap(t, 24), 0.985),
    ("full-width digits and punctuation", fullwidth, 0.99),
    ("pages with running header and number", pages, 0.99),
    ("spaces between CJK characters", cjk_spaced, 0.995),
    (
        "one form cell a line, blank lines between",
        |t| cells_joined(t, "\n\n"),
        0.99,
    ),
    ("form cells glued", |t| cells_joined(t, ""), 0.985),
];

/// Every development text (dev, dev2 without its blind third, dev-complete), with its id.
fn development_texts(shared: &Path) -> Vec<(String, String)> {
    let mut texts = Vec::new();
    for corpus in ["dev", "dev2", "dev-complete"] {
        let dir = shared.join("corpus").join(corpus);
        for id in baogao::eval::truth_ids(&dir).expect("truth dir readable") {
            if corpus == "dev2" && common::DEV2_BLIND.contains(&id.as_str()) {
                continue;
            }
            let t = std::fs::read_to_string(dir.join(format!("{id}.txt"))).expect("text");
            texts.push((id, t));
        }
    }
    texts
}

#[test]
fn fields_survive_other_flattenings_of_the_same_text() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let cfg = Config::builtin();
    let texts = development_texts(&shared);
    let originals: Vec<_> = texts.iter().map(|(_, t)| fields(t, &cfg)).collect();
    let total: usize = originals.iter().map(BTreeMap::len).sum();
    assert!(total > 400, "only {total} fields in the originals");
    let mut failures = Vec::new();
    for (name, f, floor) in VARIANTS {
        let mut kept = 0;
        let mut notes = Vec::new();
        for ((id, t), orig) in texts.iter().zip(&originals) {
            let got = fields(&f(t), &cfg);
            for (k, v) in orig {
                match got.get(k) {
                    Some(g) if g == v => kept += 1,
                    Some(g) => notes.push(format!("  {id} {k}: {v} -> {g}")),
                    None => notes.push(format!("  {id} {k}: {v} lost")),
                }
            }
        }
        let share = kept as f64 / total as f64;
        println!(
            "{name}: kept {kept}/{total} = {share:.3}\n{}",
            notes.join("\n")
        );
        if share < *floor {
            failures.push(format!("{name}: kept {share:.3} < {floor}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Label families: a key and the labels that name it in forms and prose.
const FAMILIES: &[(&str, &[&str])] = &[
    (
        "budget.initial",
        &["年初预算数", "年初预算", "年初批复预算", "年初部门预算"],
    ),
    (
        "budget.adjusted",
        &["全年预算数", "调整后预算", "调整预算", "全年预算"],
    ),
    (
        "expenditure.actual",
        &["全年执行数", "实际支出", "全年实际支出", "实际执行"],
    ),
    (
        "expenditure.execution_rate",
        &["预算执行率", "资金执行率", "执行率"],
    ),
    (
        "score.total",
        &["自评得分", "评价得分", "综合得分", "考评得分"],
    ),
    ("grade", &["评价等级", "自评等级", "评价结果", "绩效等级"]),
    ("staff.authorized", &["编制数", "核定编制", "编制人数"]),
    ("staff.actual", &["实有人数", "实有人员", "在职人员"]),
];

/// Measured when the test was written (2 Dec): 238 of 261 swaps kept (91.2 %; 76.2 % before
/// the form reader learned the provincial column labels).
const FAMILY_FLOOR: f64 = 0.88;

#[test]
fn a_value_is_read_under_every_label_of_its_family() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let cfg = Config::builtin();
    let (mut kept, mut n) = (0, 0);
    let mut notes = Vec::new();
    for (id, text) in development_texts(&shared) {
        let orig = fields(&text, &cfg);
        for (key, labels) in FAMILIES {
            let Some(want) = orig.get(*key) else {
                continue;
            };
            // the longest label the text uses, so 年初预算数 is not also taken as 年初预算
            let mut by_len: Vec<&str> = labels.to_vec();
            by_len.sort_by_key(|l| std::cmp::Reverse(l.chars().count()));
            let present: Vec<&str> = by_len.into_iter().filter(|l| text.contains(l)).collect();
            let Some(src) = present.first() else {
                continue;
            };
            for dst in labels.iter().filter(|l| !present.contains(l)) {
                n += 1;
                match fields(&text.replace(src, dst), &cfg).get(*key) {
                    Some(g) if g == want => kept += 1,
                    got => notes.push(format!("  {id} {key}: {src} -> {dst}: {want} -> {got:?}")),
                }
            }
        }
    }
    let share = kept as f64 / n.max(1) as f64;
    println!(
        "label swaps: kept {kept}/{n} = {share:.3}\n{}",
        notes.join("\n")
    );
    assert!(n > 200, "only {n} swaps");
    assert!(share >= FAMILY_FLOOR, "kept {share:.3} < {FAMILY_FLOOR}");
}
