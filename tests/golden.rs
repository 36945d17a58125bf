//! Golden outputs: every file in `samples/` converts to exactly the JSON in `tests/golden/`.
//!
//! A change that alters any output shows up here as a diff to review. When the change is
//! intended, regenerate with `BAOGAO_BLESS=1 cargo test --test golden` and commit the new
//! golden files with the change.

use baogao::emit::report_json;
use baogao::pipeline::{Config, convert};
use std::path::Path;

#[test]
fn samples_match_golden_json() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cfg = Config::builtin();
    let bless = std::env::var_os("BAOGAO_BLESS").is_some();
    let mut names: Vec<String> = std::fs::read_dir(root.join("samples"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".pdf") || n.ends_with(".txt"))
        .collect();
    names.sort();
    assert!(names.len() >= 4, "samples/ should hold at least 4 inputs");
    let mut diffs = Vec::new();
    for name in &names {
        let display = format!("samples/{name}");
        let report = convert(&root.join(&display), &display, &cfg)
            .unwrap_or_else(|e| panic!("{display}: {e}"));
        let got = report_json(&report);
        let stem = Path::new(name).file_stem().unwrap().to_string_lossy();
        let golden = root.join("tests/golden").join(format!("{stem}.json"));
        if bless {
            std::fs::write(&golden, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&golden)
            .unwrap_or_else(|e| panic!("{}: {e} (run with BAOGAO_BLESS=1)", golden.display()));
        if got != want {
            let line = got
                .lines()
                .zip(want.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(0);
            diffs.push(format!(
                "{display}: differs from {} at line {}:\n  got:  {}\n  want: {}",
                golden.display(),
                line + 1,
                got.lines().nth(line).unwrap_or(""),
                want.lines().nth(line).unwrap_or("")
            ));
        }
    }
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}

#[test]
fn seed_sample_gives_every_seed_field() {
    // The seed report's stated figures, independent of the golden files.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cfg = Config::builtin();
    for name in [
        "hanzhong-2020-dept-overall.txt",
        "hanzhong-2020-stsong-cid.pdf",
    ] {
        let r = convert(&root.join("samples").join(name), name, &cfg).unwrap();
        let v = |k: &str| {
            r.fields
                .get(k)
                .map(|f| f.value.to_string())
                .unwrap_or_default()
        };
        let want = [
            ("department", "\"武汉市硚口区人民政府汉中街道办事处\""),
            ("year", "2020"),
            ("report_family", "\"dept-overall\""),
            ("staff.authorized", "69"),
            ("staff.actual", "51"),
            ("staff.retired", "75"),
            ("budget.initial", "32290700"),
            ("expenditure.actual", "49257800"),
            ("expenditure.execution_rate", "152.5"),
            ("expenditure.basic", "15173900"),
            ("expenditure.project", "34083900"),
            ("expenditure.personnel", "14376100"),
            ("expenditure.public", "797800"),
            ("income.total", "49257800"),
            ("score.total", "97"),
            ("grade", "\"优\""),
        ];
        for (k, w) in want {
            assert_eq!(v(k), w, "{name}: {k}");
        }
        let sec: Vec<_> = r
            .sections
            .iter()
            .filter(|s| s.level == 1)
            .map(|s| (s.name.as_str(), s.max, s.score, s.flags.clone()))
            .collect();
        assert_eq!(
            sec[0],
            (
                "预算执行情况",
                Some(20.0),
                Some(19.0),
                vec!["heading_body_disagree".to_string()]
            ),
            "{name}"
        );
        assert_eq!(
            (sec[1].0, sec[1].1, sec[1].2),
            ("产出指标", Some(40.0), Some(38.0)),
            "{name}"
        );
        assert_eq!(
            (sec[2].0, sec[2].1, sec[2].2),
            ("效果指标", Some(40.0), Some(40.0)),
            "{name}"
        );
        assert_eq!(r.lists["problems"].len(), 3, "{name}");
        assert!(
            r.checks.iter().all(|c| c.result == "pass"),
            "{name}: {:?}",
            r.checks
        );
    }
}
