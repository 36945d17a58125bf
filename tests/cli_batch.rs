//! The built binary on small batches: exit codes, error rows, isolation of hanging and
//! crashing files, resume after a kill, sharding and the stdout stream.

use serde_json::Value;
use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_baogao");

fn report_text(i: usize) -> String {
    format!(
        "某某{i}局2020年度部门整体支出绩效自评报告\n部门年初预算为{}.07万元，实际支出4925.78万元。\n",
        3000 + i
    )
}

/// A fresh, empty directory under the system temp dir, unique per test.
fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("baogao-cli-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&d);
    fs::create_dir_all(&d).unwrap();
    d
}

fn baogao(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(BIN);
    c.args(args).env_remove("BAOGAO_TEST_FAULT");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

fn summary(out: &Path) -> Vec<Value> {
    fs::read_to_string(out.join("summary.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// file name → (status, error_kind)
fn statuses(out: &Path) -> BTreeMap<String, (String, Option<String>)> {
    summary(out)
        .iter()
        .map(|r| {
            let file = Path::new(r["file"].as_str().unwrap())
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let kind = r
                .get("error_kind")
                .and_then(Value::as_str)
                .map(String::from);
            (file, (r["status"].as_str().unwrap().to_string(), kind))
        })
        .collect()
}

fn s(v: &str, k: Option<&str>) -> (String, Option<String>) {
    (v.to_string(), k.map(String::from))
}

/// Every file in a directory (name → bytes).
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                fs::read(&p).unwrap(),
            )
        })
        .collect()
}

#[test]
fn good_and_bad_file_give_exit_1_an_error_line_and_both_summaries() {
    let d = scratch("goodbad");
    let input = d.join("in");
    fs::create_dir_all(&input).unwrap();
    fs::write(input.join("good.txt"), report_text(1)).unwrap();
    fs::write(
        input.join("bad.pdf"),
        b"\x00\x01garbage\xff\xfe not a pdf at all",
    )
    .unwrap();
    let out = d.join("out");
    let o = baogao(
        &[
            "extract",
            "-o",
            out.to_str().unwrap(),
            input.to_str().unwrap(),
        ],
        &[],
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    let bad = input.join("bad.pdf");
    assert!(
        stderr.contains(&format!("baogao: {}: ", bad.display())),
        "{stderr}"
    );
    assert!(stderr.contains("1 converted, 1 failed"), "{stderr}");
    assert!(out.join("good.json").is_file());
    assert!(!out.join("bad.json").exists());
    let rows = summary(&out);
    assert_eq!(rows.len(), 2);
    let st = statuses(&out);
    assert_eq!(st["good.txt"], s("ok", None));
    assert_eq!(st["bad.pdf"].0, "error");
    assert!(st["bad.pdf"].1.is_some());
    for r in &rows {
        assert_eq!(r["sha256"].as_str().unwrap().len(), 64);
        assert_eq!(r["patterns_version"].as_str().unwrap().len(), 12);
    }
    let csv = fs::read_to_string(out.join("summary.csv")).unwrap();
    assert_eq!(csv.lines().count(), 3);
    fs::remove_dir_all(&d).unwrap();
}

#[test]
fn hangs_crashes_and_memory_hogs_cost_only_their_own_file() {
    let d = scratch("faults");
    let input = d.join("in");
    fs::create_dir_all(&input).unwrap();
    for name in [
        "a", "hang", "b", "abort", "c", "hog", "d", "panic", "overflow", "e",
    ] {
        fs::write(input.join(format!("{name}.txt")), report_text(name.len())).unwrap();
    }
    let out = d.join("out");
    let started = Instant::now();
    let o = baogao(
        &[
            "extract",
            "--jobs",
            "2",
            "--timeout",
            "3",
            "--max-memory",
            "300",
            "-o",
            out.to_str().unwrap(),
            input.to_str().unwrap(),
        ],
        &[(
            "BAOGAO_TEST_FAULT",
            "sleep:hang,abort:abort,alloc:hog,panic:panic,overflow:overflow",
        )],
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(started.elapsed() < Duration::from_secs(60), "{stderr}");
    let st = statuses(&out);
    assert_eq!(st.len(), 10, "{st:?}");
    assert_eq!(st["hang.txt"], s("error", Some("timeout")));
    assert_eq!(st["abort.txt"], s("error", Some("crash")));
    assert_eq!(st["hog.txt"], s("error", Some("too_large")));
    assert_eq!(st["panic.txt"], s("error", Some("crash")));
    assert_eq!(st["overflow.txt"], s("error", Some("crash")));
    for ok in ["a", "b", "c", "d", "e"] {
        assert_eq!(st[&format!("{ok}.txt")], s("ok", None), "{stderr}");
        assert!(out.join(format!("{ok}.json")).is_file());
    }
    assert!(
        stderr.contains("hang.txt: not finished after 3 s"),
        "{stderr}"
    );
    assert!(
        stderr.contains("5 converted, 5 failed (crash 3, timeout 1, too_large 1)"),
        "{stderr}"
    );
    // No temporary files left behind by killed workers.
    assert!(
        tree(&out).keys().all(|n| !n.starts_with('.')),
        "{:?}",
        tree(&out).keys()
    );
    fs::remove_dir_all(&d).unwrap();
}

/// Whether any process still runs `baogao worker --out <out>`.
fn worker_alive(out: &Path) -> bool {
    let needle = out.to_string_lossy().into_owned();
    fs::read_dir("/proc")
        .unwrap()
        .filter_map(Result::ok)
        .any(|e| {
            fs::read(e.path().join("cmdline")).is_ok_and(|c| {
                let c = String::from_utf8_lossy(&c).replace('\0', " ");
                c.contains(" worker ") && c.contains(&needle)
            })
        })
}

#[test]
fn a_killed_batch_resumes_to_byte_identical_outputs() {
    let d = scratch("resume");
    let input = d.join("in");
    fs::create_dir_all(&input).unwrap();
    for i in 0..20 {
        fs::write(input.join(format!("r{i:02}.txt")), report_text(i)).unwrap();
    }
    fs::write(input.join("r20.pdf"), b"not a pdf").unwrap();
    let (reference, out) = (d.join("reference"), d.join("out"));
    let o = baogao(
        &[
            "extract",
            "-j",
            "1",
            "-o",
            reference.to_str().unwrap(),
            input.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(1));

    // The worker hangs on r12; kill the parent (SIGKILL) once r00..r11 are recorded.
    let mut child = Command::new(BIN)
        .args([
            "extract",
            "-j",
            "1",
            "-o",
            out.to_str().unwrap(),
            input.to_str().unwrap(),
        ])
        .env("BAOGAO_TEST_FAULT", "sleep:r12")
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let lines =
        |p: &Path| fs::read_to_string(p.join("summary.jsonl")).map_or(0, |s| s.lines().count());
    while lines(&out) < 12 {
        assert!(Instant::now() < deadline, "batch did not reach r12");
        assert!(child.try_wait().unwrap().is_none(), "batch ended early");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(300));
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(lines(&out), 12);
    assert!(!out.join("summary.csv").exists());
    // The hung worker dies with its parent.
    let deadline = Instant::now() + Duration::from_secs(5);
    while worker_alive(&out) {
        assert!(Instant::now() < deadline, "orphaned worker still running");
        std::thread::sleep(Duration::from_millis(50));
    }

    let o = baogao(
        &[
            "extract",
            "--resume",
            "-j",
            "1",
            "-o",
            out.to_str().unwrap(),
            input.to_str().unwrap(),
        ],
        &[],
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("20 converted (12 already done), 1 failed"),
        "{stderr}"
    );
    assert_eq!(tree(&out), tree(&reference));

    // A changed input is converted again; an unchanged complete output is left alone.
    fs::write(input.join("r03.txt"), report_text(99)).unwrap();
    let o = baogao(
        &[
            "extract",
            "--resume",
            "-o",
            out.to_str().unwrap(),
            input.to_str().unwrap(),
        ],
        &[],
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("20 converted (19 already done), 1 failed"),
        "{stderr}"
    );
    let r03: Value = serde_json::from_slice(&fs::read(out.join("r03.json")).unwrap()).unwrap();
    assert_eq!(r03["fields"]["budget.initial"]["value"], 30990700);
    assert_eq!(summary(&out).len(), 21);
    fs::remove_dir_all(&d).unwrap();
}

#[test]
fn shards_partition_the_inputs_and_json_streams_rows() {
    let d = scratch("shard");
    let input = d.join("in");
    fs::create_dir_all(input.join("sub")).unwrap();
    let mut list = String::new();
    for i in 0..9 {
        let p = input
            .join(if i % 3 == 0 { "sub" } else { "." })
            .join(format!("s{i}.txt"));
        fs::write(&p, report_text(i)).unwrap();
        list.push_str(&format!("{}\n", p.display()));
    }
    let mut seen = BTreeMap::new();
    for k in 1..=2 {
        let out = d.join(format!("out{k}"));
        let mut child = Command::new(BIN)
            .args([
                "extract",
                "--json",
                "--shard",
                &format!("{k}/2"),
                "--files-from",
                "-",
            ])
            .args(["-o", out.to_str().unwrap()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(list.as_bytes())
            .unwrap();
        let o = child.wait_with_output().unwrap();
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let streamed: Vec<Value> = String::from_utf8(o.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let mut from_stream: Vec<String> = streamed
            .iter()
            .map(|r| r["file"].as_str().unwrap().to_string())
            .collect();
        from_stream.sort();
        let from_summary: Vec<String> = summary(&out)
            .iter()
            .map(|r| r["file"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(from_stream, from_summary);
        for f in from_summary {
            assert!(seen.insert(f, k).is_none(), "a file in two shards");
        }
    }
    assert_eq!(seen.len(), 9);
    assert!(seen.values().any(|k| *k == 1) && seen.values().any(|k| *k == 2));
    fs::remove_dir_all(&d).unwrap();
}

#[test]
fn usage_errors_exit_2() {
    let d = scratch("usage");
    let out = d.join("out");
    let o = baogao(
        &["extract", "-o", out.to_str().unwrap(), "/nonexistent/x.pdf"],
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("/nonexistent/x.pdf"));
    let o = baogao(&["extract", "--shard", "3/2", d.to_str().unwrap()], &[]);
    assert_eq!(o.status.code(), Some(2));
    let o = baogao(
        &["extract", "-o", out.to_str().unwrap(), d.to_str().unwrap()],
        &[],
    );
    assert_eq!(o.status.code(), Some(2), "empty directory: nothing to do");
    fs::remove_dir_all(&d).unwrap();
}

#[test]
fn batch_writes_table_and_review_csvs() {
    let dir = scratch("csvs");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = dir.join("out");
    let sample = root.join("samples/hanzhong-2020-dept-overall.txt");
    let o = baogao(
        &[
            "extract",
            sample.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--review",
            "0.99",
        ],
        &[],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let targets = fs::read_to_string(out.join("targets.csv")).unwrap();
    // Header plus the seed's 27 target rows.
    assert_eq!(targets.lines().count(), 28, "{targets}");
    assert!(targets.lines().nth(2).unwrap().contains("not_met"));
    let review = fs::read_to_string(out.join("review.csv")).unwrap();
    assert!(review.starts_with("file,key,value,confidence,page"));
    assert!(
        review.lines().count() > 1,
        "some seed value is below 0.99: {review}"
    );
    assert!(
        fs::read_to_string(out.join("indicators.csv"))
            .unwrap()
            .starts_with("file,")
    );
}
