//! The batch tables through the built binary: reports.csv (stable columns, ok / empty /
//! error), findings.csv, --csv-bom, --xlsx, summary.jsonl with every key, the summary-line
//! schema and the --review range check.

use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_baogao");

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("baogao-out-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&d);
    fs::create_dir_all(&d).unwrap();
    d
}

fn baogao(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_remove("BAOGAO_TEST_FAULT")
        .output()
        .unwrap()
}

/// Column `name` of every data row of a CSV (no quoted commas in the columns read here).
fn column(csv: &str, name: &str) -> Vec<String> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let i = header.iter().position(|h| *h == name).unwrap();
    lines
        .map(|l| l.split(',').nth(i).unwrap_or("").to_string())
        .collect()
}

#[test]
fn a_batch_writes_excel_ready_tables() {
    let d = scratch("tables");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let input = d.join("in");
    fs::create_dir_all(&input).unwrap();
    fs::copy(
        root.join("samples/hanzhong-2020-dept-overall.txt"),
        input.join("a-report.txt"),
    )
    .unwrap();
    // converted, but no field: a text that is not a performance report
    fs::write(
        input.join("b-notice.txt"),
        "关于召开春季运动会的通知\n各班级：请于下周一前报名参加，地点在学校操场。\n",
    )
    .unwrap();
    fs::write(input.join("c-broken.pdf"), b"%PDF-1.4 not really").unwrap();
    let out = d.join("out");
    let o = baogao(&[
        "extract",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--csv-bom",
        "--xlsx",
        "--jobs",
        "1",
    ]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );

    for name in [
        "summary.csv",
        "reports.csv",
        "fields.csv",
        "targets.csv",
        "indicators.csv",
        "findings.csv",
    ] {
        let bytes = fs::read(out.join(name)).unwrap();
        assert_eq!(
            &bytes[..3],
            b"\xEF\xBB\xBF",
            "{name} starts with the UTF-8 BOM"
        );
    }
    assert!(
        !out.join("review.csv").exists(),
        "review.csv only with --review"
    );
    let read = |n: &str| {
        fs::read_to_string(out.join(n))
            .unwrap()
            .trim_start_matches('\u{feff}')
            .to_string()
    };

    let reports = read("reports.csv");
    assert_eq!(column(&reports, "status"), ["ok", "empty", "error"]);
    assert_eq!(column(&reports, "year"), ["2020", "", ""]);
    let conf: f64 = column(&reports, "year_conf")[0].parse().unwrap();
    assert!(conf > 0.0 && conf <= 1.0);
    assert!(!column(&reports, "budget_initial_yuan")[0].is_empty());
    let width = reports.lines().next().unwrap().split(',').count();
    assert!(reports.lines().all(|l| l.split(',').count() >= width));

    let findings = read("findings.csv");
    assert!(findings.starts_with("file,page,kind,subject,expected,actual,ratio,values,detail\n"));
    assert!(
        column(&findings, "kind")
            .iter()
            .any(|k| k == "target_not_met"),
        "the seed has unmet targets: {findings}"
    );
    let fields = read("fields.csv");
    assert!(fields.lines().any(|l| l.contains(",year,2020,")));

    // summary.jsonl: every canonical key on every line, null when absent
    let lines: Vec<Value> = fs::read_to_string(out.join("summary.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(lines.len(), 3);
    assert!(lines[1]["budget.initial"].is_null());
    for l in &lines {
        for k in baogao::report::keys() {
            assert!(l.get(k).is_some(), "{k} in {l}");
        }
    }
    assert_eq!(
        keys(&lines[0]),
        keys(&lines[1]),
        "same columns, found or not"
    );

    let xlsx = fs::read(out.join("batch.xlsx")).unwrap();
    assert_eq!(&xlsx[..2], b"PK");
    fs::remove_dir_all(&d).unwrap();
}

#[test]
fn summary_schema_and_review_range() {
    let o = baogao(&["schema", "summary"]);
    assert_eq!(o.status.code(), Some(0));
    let s: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(s["title"], "baogao summary.jsonl line");
    let o = baogao(&["schema"]);
    let s: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(s["properties"]["indicators"].is_object());
    let o = baogao(&[
        "extract",
        "samples",
        "--review",
        "1.5",
        "-o",
        "/nonexistent",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("from 0 to 1"));
}
