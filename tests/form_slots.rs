//! The synthetic 自评表 forms of `scripts/form-slots.py` (copied under tests/fixtures/forms,
//! so this runs without ../shared): every slot of the 项目支出 and 部门整体 forms in five
//! flattenings, each form's truth beside it. A slot is right when baogao gives the truth's
//! value (or nothing, where the truth says null), wrong when it gives another value, missed
//! when it gives none. Floors hold what the form reader reads today; a wrong slot at ≥ 0.9
//! is never allowed (confident and wrong is the worst outcome for a user).

use baogao::pipeline::{Config, analyze_bytes};
use std::path::Path;

fn same(want: &serde_json::Value, got: &serde_json::Value) -> bool {
    match (want.as_f64(), got.as_f64()) {
        (Some(a), Some(b)) => (a - b).abs() <= 0.011,
        _ => want == got,
    }
}

#[test]
fn every_slot_of_the_synthetic_forms() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/forms");
    let cfg = Config::builtin();
    let mut stems: Vec<String> = std::fs::read_dir(&dir)
        .expect("tests/fixtures/forms is in the repository")
        .filter_map(|e| {
            let n = e.ok()?.file_name().into_string().ok()?;
            n.strip_suffix(".txt").map(str::to_string)
        })
        .collect();
    stems.sort();
    assert!(stems.len() >= 12, "{stems:?}");
    let (mut right, mut wrong, mut missed, mut confident_wrong) = (0, 0, 0, 0);
    let mut notes = Vec::new();
    for stem in &stems {
        let text = std::fs::read(dir.join(format!("{stem}.txt"))).unwrap();
        let truth: serde_json::Map<String, serde_json::Value> = serde_json::from_str(
            &std::fs::read_to_string(dir.join(format!("{stem}.truth.json"))).unwrap(),
        )
        .unwrap();
        let name = format!("{stem}.txt");
        let report = analyze_bytes(Path::new(&name), &text, &name, &cfg)
            .expect("a form converts")
            .report;
        for (key, want) in &truth {
            match (want.is_null(), report.fields.get(key)) {
                (true, None) => right += 1,
                (false, Some(f)) if same(want, &f.value) => right += 1,
                (false, None) => {
                    missed += 1;
                    notes.push(format!("missed {stem} {key}: want {want}"));
                }
                (_, Some(f)) => {
                    wrong += 1;
                    if f.confidence >= 0.9 {
                        confident_wrong += 1;
                    }
                    notes.push(format!(
                        "wrong  {stem} {key}: want {want}, got {} at {}",
                        f.value, f.confidence
                    ));
                }
            }
        }
    }
    let total = right + wrong + missed;
    eprintln!("form slots {total}: right {right}, wrong {wrong}, missed {missed}");
    for n in &notes {
        eprintln!("{n}");
    }
    assert!(total >= 150, "{total} slots");
    assert_eq!(confident_wrong, 0, "{notes:#?}");
    assert!(wrong <= WRONG_CEILING, "{wrong} wrong: {notes:#?}");
    assert!(right >= RIGHT_FLOOR, "{right} right of {total}: {notes:#?}");
}

/// Floors from the last measurement (README, "Form slots"); raise them when the reader
/// reads more.
const RIGHT_FLOOR: usize = 160;
const WRONG_CEILING: usize = 1;
