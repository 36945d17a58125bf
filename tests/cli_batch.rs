//! The built binary on small batches: exit codes, error rows, isolation of hanging and
//! crashing files, resume after a kill, sharding, concurrent runs on one folder, merging
//! shards, output names, Ctrl-C and the stdout stream.
//!
//! The faults (`BAOGAO_TEST_FAULT`) exist because the tests build the crate with its
//! `fault-injection` feature (see Cargo.toml). Nothing here depends on how fast the machine
//! is: where two runs must overlap, a `wait` fault holds one until the test opens a gate file.

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
    c.args(args)
        .env_remove("BAOGAO_TEST_FAULT")
        .env_remove("RUST_BACKTRACE");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

/// `baogao extract OPTS… -o OUT INPUTS…` without the fault hook.
fn extract(opts: &[&str], out: &Path, inputs: &[&Path]) -> Output {
    let mut args = vec!["extract"];
    args.extend_from_slice(opts);
    args.extend(["-o", out.to_str().unwrap()]);
    args.extend(inputs.iter().map(|p| p.to_str().unwrap()));
    baogao(&args, &[])
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

/// Every file under a directory (relative path → bytes), without the folder's lock files.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut all = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p);
                continue;
            }
            let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            if !rel.ends_with(".baogao.lock") && !rel.ends_with(".baogao.finish.lock") {
                all.insert(rel, fs::read(&p).unwrap());
            }
        }
    }
    all
}

/// The summary lines of a folder by file.
fn rows_by_file(out: &Path) -> BTreeMap<String, Value> {
    summary(out)
        .into_iter()
        .map(|r| (r["file"].as_str().unwrap().to_string(), r))
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
    let o = extract(&[], &out, &[&input]);
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
    let o = baogao(
        &[
            "extract",
            "--jobs",
            "2",
            "--timeout",
            "8",
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
        stderr.contains("hang.txt: not finished after 8 s"),
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
    let o = extract(&["-j", "1"], &reference, &[&input]);
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

    let o = extract(&["--resume", "-j", "1"], &out, &[&input]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("20 converted (12 already done), 1 failed"),
        "{stderr}"
    );
    assert_eq!(tree(&out), tree(&reference));

    // A changed input is converted again; an unchanged complete output is left alone.
    fs::write(input.join("r03.txt"), report_text(99)).unwrap();
    let o = extract(&["--resume"], &out, &[&input]);
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
fn usage_errors_exit_2_and_a_missing_path_is_an_error_row() {
    let d = scratch("usage");
    let out = d.join("out");
    let good = d.join("good.txt");
    fs::write(&good, report_text(1)).unwrap();
    // A missing path is bad input like any other: an error row, the batch goes on.
    let o = baogao(
        &[
            "extract",
            "-o",
            out.to_str().unwrap(),
            "/nonexistent/x.pdf",
            good.to_str().unwrap(),
        ],
        &[],
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("baogao: /nonexistent/x.pdf: no such file or directory"),
        "{stderr}"
    );
    assert_eq!(statuses(&out)["x.pdf"], s("error", Some("io")));
    assert_eq!(statuses(&out)["good.txt"], s("ok", None));
    let o = baogao(&["extract", "--shard", "3/2", d.to_str().unwrap()], &[]);
    assert_eq!(o.status.code(), Some(2));
    for bad in ["1.5", "-0.1", "x"] {
        let o = baogao(&["extract", "--review", bad, good.to_str().unwrap()], &[]);
        assert_eq!(o.status.code(), Some(2), "--review {bad}");
    }
    let empty = d.join("empty");
    fs::create_dir_all(empty.join("sub")).unwrap();
    let o = extract(&[], &out, &[&empty]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "empty directory: nothing to do");
    assert!(
        stderr.contains(&format!("no input file in {}", empty.display())),
        "{stderr}"
    );
    fs::remove_dir_all(&d).unwrap();
}

#[test]
fn help_shows_exit_codes_and_examples() {
    for args in [&["--help"][..], &["extract", "--help"]] {
        let o = baogao(args, &[]);
        let out = String::from_utf8_lossy(&o.stdout);
        assert_eq!(o.status.code(), Some(0));
        assert!(out.contains("Exit codes:") && out.contains("130"), "{out}");
        assert!(
            out.contains("Examples:") && out.contains("baogao merge"),
            "{out}"
        );
    }
}

#[test]
fn one_report_to_stdout_with_dash() {
    let d = scratch("stdout");
    let f = d.join("one.txt");
    fs::write(&f, report_text(7)).unwrap();
    let o = baogao(&["extract", f.to_str().unwrap(), "-o", "-"], &[]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["source"]["file"], f.to_str().unwrap());
    assert_eq!(v["fields"]["budget.initial"]["value"], 30070700);
    // Byte-identical to the file a batch writes.
    let out = d.join("out");
    baogao(
        &["extract", f.to_str().unwrap(), "-o", out.to_str().unwrap()],
        &[],
    );
    assert_eq!(fs::read(out.join("one.json")).unwrap(), o.stdout);
    let o = baogao(&["extract", d.to_str().unwrap(), "-o", "-"], &[]);
    assert_eq!(o.status.code(), Some(2), "a folder to stdout is refused");
    let o = baogao(&["extract", "/nonexistent/q.pdf", "-o", "-"], &[]);
    assert_eq!(o.status.code(), Some(1));
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

/// Wait until `out/summary.jsonl` has at least `n` lines while `child` runs.
fn wait_for_lines(out: &Path, n: usize, child: &mut std::process::Child) {
    let deadline = Instant::now() + Duration::from_secs(120);
    let lines =
        |p: &Path| fs::read_to_string(p.join("summary.jsonl")).map_or(0, |s| s.lines().count());
    while lines(out) < n {
        assert!(
            Instant::now() < deadline,
            "the run did not record {n} lines"
        );
        assert!(child.try_wait().unwrap().is_none(), "the run ended early");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn two_runs_on_one_folder_at_once_lose_no_line() {
    let d = scratch("concurrent");
    let (a, b) = (d.join("a"), d.join("b"));
    fs::create_dir_all(&a).unwrap();
    fs::create_dir_all(&b).unwrap();
    for i in 0..6 {
        fs::write(a.join(format!("a{i}.txt")), report_text(i)).unwrap();
        fs::write(b.join(format!("b{i}.txt")), report_text(10 + i)).unwrap();
    }
    // A holds on a5 until the gate opens, so B runs start to end while A is running.
    let gate = d.join("gate");
    let out = d.join("out");
    let mut first = Command::new(BIN)
        .args([
            "extract",
            "-j",
            "1",
            "-o",
            out.to_str().unwrap(),
            a.to_str().unwrap(),
        ])
        .env("BAOGAO_TEST_FAULT", "wait:a5")
        .env("BAOGAO_TEST_GATE", &gate)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_lines(&out, 5, &mut first);
    // The second run: the other folder, plus two of A's files again (the same shard twice).
    let o = extract(
        &["-j", "2"],
        &out,
        &[&b, &a.join("a0.txt"), &a.join("a1.txt")],
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("other runs still write to"), "{stderr}");
    assert!(
        first.try_wait().unwrap().is_none(),
        "A must still be running"
    );
    fs::write(&gate, "").unwrap();
    let o = first.wait_with_output().unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );

    // Every input of both runs is in the summaries, once, and in the table CSV.
    let rows = rows_by_file(&out);
    assert_eq!(summary(&out).len(), 12, "{:?}", rows.keys());
    assert_eq!(rows.len(), 12);
    assert!(rows.values().all(|r| r["status"] == "ok"));
    let csv = fs::read_to_string(out.join("summary.csv")).unwrap();
    assert_eq!(csv.lines().count(), 13, "{csv}");
    // And the folder equals one run over both.
    let single = d.join("single");
    let o = extract(&[], &single, &[&a, &b]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(tree(&out), tree(&single));
    fs::remove_dir_all(&d).unwrap();
}

#[test]
fn resume_cleans_temp_files_and_json_streams_every_input() {
    let d = scratch("resume-json");
    let input = d.join("in");
    fs::create_dir_all(&input).unwrap();
    for i in 0..4 {
        fs::write(input.join(format!("j{i}.txt")), report_text(i)).unwrap();
    }
    fs::write(input.join("bad.pdf"), b"not a pdf").unwrap();
    let out = d.join("out");
    let args = [
        "extract",
        "-o",
        out.to_str().unwrap(),
        input.to_str().unwrap(),
    ];
    assert_eq!(baogao(&args, &[]).status.code(), Some(1));
    // What a SIGKILLed worker leaves behind.
    fs::write(out.join(".j1.json.tmp99999"), "{").unwrap();
    fs::write(out.join(".summary.csv.tmp12"), "x").unwrap();
    let o = baogao(
        &[&args[..], &["--json", "--resume", "--errors-ok"]].concat(),
        &[],
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "--errors-ok: {stderr}");
    assert!(
        stderr.contains("4 converted (4 already done), 1 failed"),
        "{stderr}"
    );
    assert!(stderr.contains("removed 2 temporary file(s)"), "{stderr}");
    assert!(
        tree(&out).keys().all(|n| !n.starts_with('.')),
        "{:?}",
        tree(&out).keys()
    );
    let mut streamed: Vec<Value> = String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    streamed.sort_by(|x, y| x["file"].as_str().cmp(&y["file"].as_str()));
    assert_eq!(
        streamed,
        summary(&out),
        "every input's line, skipped ones included"
    );
    fs::remove_dir_all(&d).unwrap();
}

#[test]
fn output_names_do_not_depend_on_the_batch() {
    let d = scratch("names");
    let root = d.join("archive");
    for (dir, i) in [("a", 1), ("b", 2), ("b/c", 3)] {
        fs::create_dir_all(root.join(dir)).unwrap();
        fs::write(root.join(dir).join("report.txt"), report_text(i)).unwrap();
    }
    // Two inputs that mirror to the same name cannot share it.
    fs::create_dir_all(root.join("d")).unwrap();
    fs::write(root.join("d/report.pdf"), b"not a pdf").unwrap();
    fs::write(root.join("d/report.txt"), report_text(4)).unwrap();
    // The whole folder at once.
    let whole = d.join("whole");
    extract(&[], &whole, &[&root]);
    let names: BTreeMap<String, String> = summary(&whole)
        .iter()
        .map(|r| {
            (
                r["file"].as_str().unwrap().to_string(),
                r["output"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let f = |p: &str| root.join(p).display().to_string();
    assert_eq!(names[&f("a/report.txt")], "a/report.json");
    assert_eq!(names[&f("b/report.txt")], "b/report.json");
    assert_eq!(names[&f("b/c/report.txt")], "b/c/report.json");
    assert_eq!(names[&f("d/report.pdf")], "d/report.json");
    assert!(
        names[&f("d/report.txt")].starts_with("d/report-"),
        "{names:?}"
    );
    assert!(whole.join("b/c/report.json").is_file());
    // Each file alone, by list, into one folder: the same names with --relative-to.
    let alone = d.join("alone");
    for p in ["b/c/report.txt", "a/report.txt", "b/report.txt"] {
        let o = baogao(
            &[
                "extract",
                "--relative-to",
                root.to_str().unwrap(),
                "-o",
                alone.to_str().unwrap(),
                "--resume",
                &f(p),
            ],
            &[],
        );
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    for p in ["a/report.txt", "b/report.txt", "b/c/report.txt"] {
        let name = &names[&f(p)];
        assert_eq!(
            fs::read(alone.join(name)).unwrap(),
            fs::read(whole.join(name)).unwrap(),
            "{name}"
        );
    }
    assert_eq!(rows_by_file(&alone).len(), 3);
    fs::remove_dir_all(&d).unwrap();
}

#[test]
fn merging_four_shards_equals_one_run() {
    let d = scratch("merge");
    let input = d.join("in");
    fs::create_dir_all(input.join("sub")).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    fs::copy(
        root.join("samples/hanzhong-2020-dept-overall.txt"),
        input.join("sub/seed.txt"),
    )
    .unwrap();
    for i in 0..11 {
        fs::write(input.join(format!("m{i:02}.txt")), report_text(i)).unwrap();
    }
    fs::write(input.join("broken.pdf"), b"%PDF-1.4 broken").unwrap();
    let common = ["--review", "0.9"];
    let single = d.join("single");
    let o = baogao(
        &[
            &[
                "extract",
                "-o",
                single.to_str().unwrap(),
                input.to_str().unwrap(),
            ][..],
            &common,
        ]
        .concat(),
        &[],
    );
    assert_eq!(o.status.code(), Some(1));
    let mut shards = Vec::new();
    for k in 1..=4 {
        let out = d.join(format!("shard{k}"));
        let o = baogao(
            &[
                &[
                    "extract",
                    "--errors-ok",
                    "--shard",
                    &format!("{k}/4"),
                    "-o",
                    out.to_str().unwrap(),
                    input.to_str().unwrap(),
                ][..],
                &common,
            ]
            .concat(),
            &[],
        );
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        shards.push(out.to_str().unwrap().to_string());
    }
    let merged = d.join("merged");
    let mut args: Vec<&str> = vec!["merge"];
    args.extend(shards.iter().map(String::as_str));
    args.extend(["-o", merged.to_str().unwrap(), "--review", "0.9"]);
    let o = baogao(&args, &[]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("merged 13 input(s) from 4 folder(s)"),
        "{stderr}"
    );
    assert_eq!(tree(&merged), tree(&single));
    assert!(tree(&single).contains_key("targets.csv") && tree(&single).contains_key("review.csv"));

    // Merging into a folder that holds a batch, or shards that disagree, is refused.
    assert_eq!(
        baogao(&args, &[]).status.code(),
        Some(2),
        "merged folder not empty"
    );
    let other = d.join("other");
    fs::write(input.join("m00.txt"), report_text(50)).unwrap();
    extract(&[], &other, &[&input.join("m00.txt")]);
    fs::write(
        other.join("summary.jsonl"),
        fs::read_to_string(other.join("summary.jsonl"))
            .unwrap()
            .replace("m00.json", "sub/m00.json"),
    )
    .unwrap();
    let again = d.join("again");
    let o = baogao(
        &[
            "merge",
            d.join("single").to_str().unwrap(),
            other.to_str().unwrap(),
            "-o",
            again.to_str().unwrap(),
        ],
        &[],
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("with different results") || stderr.contains("is missing"),
        "{stderr}"
    );
    assert!(!again.join("summary.jsonl").exists());
    fs::remove_dir_all(&d).unwrap();
}

#[test]
fn ctrl_c_keeps_what_finished_and_says_how_to_resume() {
    let d = scratch("sigint");
    let input = d.join("in");
    fs::create_dir_all(&input).unwrap();
    for i in 0..6 {
        fs::write(input.join(format!("c{i}.txt")), report_text(i)).unwrap();
    }
    let out = d.join("out");
    let mut child = Command::new(BIN)
        .args([
            "extract",
            "-j",
            "1",
            "-o",
            out.to_str().unwrap(),
            input.to_str().unwrap(),
        ])
        .env("BAOGAO_TEST_FAULT", "sleep:c3")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_lines(&out, 3, &mut child);
    // SAFETY: signalling our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let o = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("3 input(s) not done"), "{stderr}");
    assert!(stderr.contains(" --resume"), "{stderr}");
    let csv = fs::read_to_string(out.join("summary.csv")).unwrap();
    assert_eq!(csv.lines().count(), 4, "the three finished files: {csv}");
    assert!(
        tree(&out).keys().all(|n| !n.starts_with('.')),
        "{:?}",
        tree(&out).keys()
    );
    // The printed command finishes the batch.
    let cmd = stderr.lines().last().unwrap().trim();
    assert!(cmd.starts_with(BIN) && cmd.ends_with("--resume"), "{cmd}");
    let o = Command::new("sh").args(["-c", cmd]).output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("6 converted (3 already done)"), "{stderr}");
    fs::remove_dir_all(&d).unwrap();
}

#[test]
fn workers_get_the_parents_configuration() {
    let d = scratch("workercfg");
    let (input, pats) = (d.join("in"), d.join("patterns"));
    fs::create_dir_all(&input).unwrap();
    fs::create_dir_all(&pats).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    fs::copy(
        root.join("samples/hanzhong-2020-dept-overall.txt"),
        input.join("seed.txt"),
    )
    .unwrap();
    // Only the identity patterns: no money fields from patterns, in workers as in process.
    fs::copy(
        root.join("patterns/identity.toml"),
        pats.join("identity.toml"),
    )
    .unwrap();
    let mut got = Vec::new();
    for mode in [&[][..], &["--in-process"][..]] {
        let out = d.join(format!("out{}", mode.len()));
        let o = baogao(
            &[
                &[
                    "extract",
                    "--patterns",
                    pats.to_str().unwrap(),
                    "--patterns-only",
                    "--ocr",
                    "never",
                    "-o",
                    out.to_str().unwrap(),
                    input.to_str().unwrap(),
                ][..],
                mode,
            ]
            .concat(),
            &[],
        );
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        got.push(tree(&out));
    }
    assert_eq!(got[0], got[1]);
    let full = d.join("full");
    extract(&[], &full, &[&input]);
    assert_ne!(
        got[0]["summary.jsonl"],
        tree(&full)["summary.jsonl"],
        "the pattern set reached the workers"
    );
    fs::remove_dir_all(&d).unwrap();
}

/// Whether GNU parallel is installed (the `parallel` of moreutils has no `--retries`).
fn gnu_parallel() -> bool {
    Command::new("parallel")
        .arg("--version")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("GNU parallel"))
}

#[test]
fn the_gnu_parallel_recipe_equals_one_run() {
    if !gnu_parallel() {
        if std::env::var_os("CI").is_some() {
            panic!("GNU parallel missing in CI (.ci/run installs it)");
        }
        eprintln!("skipped: GNU parallel not installed");
        return;
    }
    let d = scratch("parallel");
    let root = d.join("archive dir");
    let mut list = String::new();
    for i in 0..10 {
        let sub = root.join(format!("y{}", i % 2));
        fs::create_dir_all(&sub).unwrap();
        // The same file name in both folders: names mirror the path below ROOT.
        let p = sub.join(format!("r{}.txt", i / 2));
        fs::write(&p, report_text(i)).unwrap();
        list.push_str(&format!("{}\n", p.display()));
    }
    fs::write(root.join("y0/bad.pdf"), b"not a pdf").unwrap();
    list.push_str(&format!("{}\n", root.join("y0/bad.pdf").display()));
    let list_file = d.join("all.txt");
    fs::write(&list_file, list).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/parallel.sh");
    let out = d.join("out");
    let o = Command::new(&script)
        .args([&list_file, &root, &out])
        .arg("3")
        .env("BAOGAO", BIN)
        .env("REVIEW", "0.9")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("merged 11 input(s) from 3 folder(s)"),
        "{stderr}"
    );
    let single = d.join("single");
    let o = baogao(
        &[
            "extract",
            "--files-from",
            list_file.to_str().unwrap(),
            "--relative-to",
            root.to_str().unwrap(),
            "--review",
            "0.9",
            "-o",
            single.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(tree(&out.join("all")), tree(&single));
    assert!(single.join("y1/r4.json").is_file());
    fs::remove_dir_all(&d).unwrap();
}
