//! Bulk conversion: many inputs → one JSON each, isolated, resumable, with progress.
//!
//! # Design
//!
//! The parent process (`baogao extract`) never parses a document itself. It starts `--jobs`
//! long-lived worker processes (the same binary, hidden subcommand `baogao worker`) and
//! hands each one file at a time over a pipe: one JSON request line on the worker's stdin,
//! one JSON response line (the summary row) back. The worker writes `<stem>.json` itself
//! (atomically) before it answers. Each worker runs in its own process group with
//! `RLIMIT_AS` set to `--max-memory`, so a single huge allocation fails at once (the
//! allocation failure aborts the worker); the parent additionally polls the worker's RSS in
//! `/proc/<pid>/status` every 50 ms and kills the whole group when it exceeds
//! `--max-memory` or when a file takes longer than `--timeout`. A worker that is killed or
//! dies (stack overflow, abort, segfault in a C library) costs only the file it was
//! working on: that file gets a typed error row (`timeout`, `too_large`, `crash`) and the
//! next file goes to a fresh worker. Workers are recycled every [`FILES_PER_WORKER`] files
//! so that heap growth from one file cannot be blamed on a later one, and die with the
//! parent (`PR_SET_PDEATHSIG`).
//!
//! One process per file was measured against this model (see `scripts/bench.sh`): starting
//! a process and compiling the pattern set costs more than converting a typical text report,
//! so workers are reused.
//!
//! The parent's main thread is the only writer of `summary.jsonl` (one line appended and
//! flushed per finished file, so a killed batch keeps every finished file) and of stdout
//! (`--json`). At the end [`crate::emit::finish_summaries`] compacts `summary.jsonl` (last
//! line per input wins, sorted by file) and rebuilds `summary.csv`, so a batch that was
//! interrupted and resumed ends byte-identical to one that ran through.
//!
//! Inputs are discovered lazily (directories are walked one at a time, sorted per
//! directory, symlinked directories are not followed) while the workers already convert.

use crate::emit::{SummaryLog, SummaryRow, finish_summaries, read_summary, write_report};
use crate::pipeline::{Config, convert, sha256_hex};
use crate::report::ErrorKind;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::ffi::OsString;
use std::fs;
use std::io::{BufRead, BufReader, IsTerminal, Write};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// A worker is replaced by a fresh process after this many files.
pub const FILES_PER_WORKER: usize = 200;

/// How often the parent checks a busy worker's clock and memory.
const POLL: Duration = Duration::from_millis(50);

/// How long a worker may take to start (build its configuration) before it counts as broken.
const STARTUP: Duration = Duration::from_secs(60);

/// Environment variable for fault injection in tests: `KIND:SUBSTRING[,KIND:SUBSTRING…]`
/// makes the conversion of every input whose path contains SUBSTRING `sleep` (an hour),
/// `alloc` (4 GiB, or until the memory limit), `abort`, `panic` or `overflow` (the stack).
pub const FAULT_ENV: &str = "BAOGAO_TEST_FAULT";

/// Everything `baogao extract` decided from its arguments.
#[derive(Debug, Clone)]
pub struct BatchOptions {
    /// Files and directories from the command line (checked to exist by the caller).
    pub inputs: Vec<PathBuf>,
    /// `--files-from`: a file with one path per line, or `-` for stdin.
    pub files_from: Option<PathBuf>,
    pub out: PathBuf,
    /// Worker processes (or threads with `in_process`); at least 1.
    pub jobs: usize,
    /// Per-file wall-clock limit; `None` = no limit.
    pub timeout: Option<Duration>,
    /// Per-worker memory limit in MiB; `None` = no limit.
    pub max_memory_mb: Option<u64>,
    /// Convert in threads of this process (no timeout or memory enforcement; debugging).
    pub in_process: bool,
    pub resume: bool,
    /// Stream each finished file's summary line to stdout.
    pub json: bool,
    /// Write review.csv with the values below this confidence.
    pub review: Option<f64>,
    pub shard: Option<Shard>,
    /// Arguments after `baogao worker` that rebuild the same [`Config`] in a worker
    /// (`--patterns DIR`, `--ocr MODE`, …).
    pub config_args: Vec<OsString>,
}

/// `--shard K/N`: this run converts the inputs whose path hashes to K-1 modulo N.
///
/// The hash is 64-bit FNV-1a of the path as displayed (as given on the command line or in
/// the list, joined with the names found while walking). Hashing (rather than taking every
/// N-th input) keeps a file in the same shard when other files are added or removed, so
/// shards can be re-run with `--resume` as a collection grows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 1-based.
    pub index: u64,
    pub count: u64,
}

impl std::str::FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Shard, String> {
        let err = || format!("expected K/N with 1 <= K <= N, got {s:?}");
        let (k, n) = s.split_once('/').ok_or_else(err)?;
        let index: u64 = k.trim().parse().map_err(|_| err())?;
        let count: u64 = n.trim().parse().map_err(|_| err())?;
        if index == 0 || index > count {
            return Err(err());
        }
        Ok(Shard { index, count })
    }
}

impl Shard {
    pub fn contains(&self, display: &str) -> bool {
        fnv1a(display.as_bytes()) % self.count == self.index - 1
    }
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

// ---------------------------------------------------------------------------------------
// Inputs

/// Whether a file name is a convertible input: an extension of an input format (any case),
/// restricted by `--formats` ([`crate::load::format::walk_accepts`]).
pub fn is_input_name(p: &Path) -> bool {
    crate::load::format::walk_accepts(p)
}

/// Lazy walk over roots: a root that is a directory yields its .pdf/.txt files (depth
/// first, each directory's entries sorted by name); any other root is yielded as is, so a
/// missing file becomes an `io` row instead of stopping the batch. An unreadable directory
/// yields `Err((dir, reason))`.
pub struct Inputs {
    roots: Box<dyn Iterator<Item = PathBuf> + Send>,
    stack: Vec<std::vec::IntoIter<PathBuf>>,
}

impl Inputs {
    pub fn new(roots: impl Iterator<Item = PathBuf> + Send + 'static) -> Inputs {
        Inputs {
            roots: Box::new(roots),
            stack: vec![],
        }
    }
}

fn sorted_entries(dir: &Path) -> std::io::Result<std::vec::IntoIter<PathBuf>> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    v.sort();
    Ok(v.into_iter())
}

impl Iterator for Inputs {
    type Item = Result<PathBuf, (PathBuf, String)>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(top) = self.stack.last_mut() {
                let Some(p) = top.next() else {
                    self.stack.pop();
                    continue;
                };
                let Ok(meta) = fs::symlink_metadata(&p) else {
                    continue; // vanished since the directory was listed
                };
                if meta.is_dir() {
                    match sorted_entries(&p) {
                        Ok(it) => self.stack.push(it),
                        Err(e) => return Some(Err((p, e.to_string()))),
                    }
                } else if is_input_name(&p) && (meta.is_file() || p.is_file()) {
                    return Some(Ok(p));
                }
                continue;
            }
            let root = self.roots.next()?;
            if root.is_dir() {
                match sorted_entries(&root) {
                    Ok(it) => self.stack.push(it),
                    Err(e) => return Some(Err((root, e.to_string()))),
                }
            } else {
                return Some(Ok(root));
            }
        }
    }
}

/// Paths listed one per line (blank lines skipped; bytes kept as they are, so non-UTF-8
/// names work); reads lazily.
pub fn list_lines(r: impl BufRead + Send + 'static) -> impl Iterator<Item = PathBuf> + Send {
    r.split(b'\n').map_while(Result::ok).filter_map(|mut l| {
        if l.last() == Some(&b'\r') {
            l.pop();
        }
        (!l.iter().all(u8::is_ascii_whitespace)).then(|| PathBuf::from(OsString::from_vec(l)))
    })
}

/// Output stems, unique within a batch: the file stem, then `-2`, `-3` … for repeats in
/// input order. Stems are assigned before sharding, so every shard names a file the same.
#[derive(Default)]
pub struct StemNamer {
    seen: HashMap<String, usize>,
}

impl StemNamer {
    pub fn name(&mut self, f: &Path) -> String {
        let stem = f
            .file_stem()
            .map_or_else(|| "input".into(), |s| s.to_string_lossy().into_owned());
        let n = self.seen.entry(stem.clone()).or_default();
        *n += 1;
        if *n == 1 { stem } else { format!("{stem}-{n}") }
    }
}

fn file_sha(p: &Path) -> Option<String> {
    fs::read(p).ok().map(|b| sha256_hex(&b))
}

// ---------------------------------------------------------------------------------------
// One conversion (in a worker or in process)

/// Convert one file and write `<out>/<stem>.json`; never panics: a panic becomes a
/// `crash` row. The row records the input's sha256 and the pattern-set version.
pub fn convert_one(f: &Path, display: &str, stem: &str, out: &Path, cfg: &Config) -> SummaryRow {
    let res = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        inject_fault(display);
        convert(f, display, cfg)
    }));
    let version = &cfg.rules.version;
    match res {
        Ok(Ok(report)) => match write_report(out, stem, &report) {
            Ok(_) => SummaryRow::ok(display, stem, &report).with_source(None, version),
            Err(e) => SummaryRow::error(
                display,
                stem,
                ErrorKind::Io,
                &format!("writing output: {e}"),
            )
            .with_source(Some(report.source.sha256.clone()), version),
        },
        Ok(Err(e)) => {
            SummaryRow::error(display, stem, e.kind, &e.message).with_source(file_sha(f), version)
        }
        Err(p) => {
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".into());
            SummaryRow::error(
                display,
                stem,
                ErrorKind::Crash,
                &format!("internal error: {msg}"),
            )
            .with_source(file_sha(f), version)
        }
    }
}

fn inject_fault(display: &str) {
    let Ok(spec) = std::env::var(FAULT_ENV) else {
        return;
    };
    let Some(kind) = spec.split(',').find_map(|one| {
        let (kind, needle) = one.split_once(':')?;
        (!needle.is_empty() && display.contains(needle)).then_some(kind)
    }) else {
        return;
    };
    match kind {
        "sleep" => thread::sleep(Duration::from_secs(3600)),
        "alloc" => {
            let mut hold = Vec::new();
            for _ in 0..256 {
                hold.push(vec![1u8; 16 << 20]);
            }
            std::hint::black_box(&hold);
        }
        "abort" => std::process::abort(),
        "panic" => panic!("injected panic"),
        "overflow" => {
            fn deep(n: u64) -> u64 {
                let buf = std::hint::black_box([n; 512]);
                if buf[7] == u64::MAX {
                    return 0;
                }
                buf[7] + deep(n + 1)
            }
            std::hint::black_box(deep(0));
        }
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------
// Worker side

/// `baogao worker`: read requests from stdin, answer on stdout, until stdin closes.
pub fn worker_main(out: &Path, max_memory_mb: Option<u64>, cfg: &Config) -> i32 {
    die_with_parent();
    if let Some(mb) = max_memory_mb {
        let bytes = mb.saturating_mul(1 << 20);
        let lim = libc::rlimit {
            rlim_cur: bytes as libc::rlim_t,
            rlim_max: bytes as libc::rlim_t,
        };
        // SAFETY: plain syscall on a valid struct.
        if unsafe { libc::setrlimit(libc::RLIMIT_AS, &lim) } != 0 {
            eprintln!(
                "baogao worker: setrlimit: {}",
                std::io::Error::last_os_error()
            );
        }
    }
    let mut proto = match protocol_channel() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("baogao worker: {e}");
            return 2;
        }
    };
    if proto
        .write_all(b"{\"ready\":true}\n")
        .and_then(|_| proto.flush())
        .is_err()
    {
        return 0;
    }
    let stdin = std::io::stdin().lock();
    for line in stdin.split(b'\n') {
        let Ok(line) = line else { break };
        let Ok(req) = serde_json::from_slice::<Value>(&line) else {
            continue;
        };
        let Some((id, path, display, stem)) = parse_request(&req) else {
            continue;
        };
        let row = convert_one(&path, &display, &stem, out, cfg);
        let mut resp = serde_json::to_string(&json!({"id": id, "row": row.to_json()}))
            .expect("row serializes");
        resp.push('\n');
        if proto
            .write_all(resp.as_bytes())
            .and_then(|_| proto.flush())
            .is_err()
        {
            break;
        }
    }
    0
}

/// Keep the real stdout for the protocol and point fd 1 at stderr, so that a library that
/// prints cannot corrupt the response stream.
fn protocol_channel() -> std::io::Result<fs::File> {
    use std::os::fd::FromRawFd;
    std::io::stdout().flush()?;
    // SAFETY: dup/dup2 on the process's own standard descriptors.
    let fd = unsafe { libc::dup(1) };
    if fd < 0 || unsafe { libc::dup2(2, 1) } < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: `fd` is a fresh descriptor owned by nobody else.
    Ok(unsafe { fs::File::from_raw_fd(fd) })
}

#[cfg(target_os = "linux")]
fn die_with_parent() {
    // SAFETY: prctl with integer arguments.
    unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) };
    // The parent may have died before prctl: then we were re-parented already.
    let expected = std::env::var("BAOGAO_PARENT_PID")
        .ok()
        .and_then(|p| p.parse::<i32>().ok());
    if expected.is_some_and(|p| p != unsafe { libc::getppid() }) {
        std::process::exit(3);
    }
}

#[cfg(not(target_os = "linux"))]
fn die_with_parent() {}

fn request(id: u64, path: &Path, display: &str, stem: &str) -> String {
    let mut v = json!({"id": id, "display": display, "stem": stem});
    match path.to_str() {
        Some(s) => v["path"] = json!(s),
        None => v["path_bytes"] = json!(path.as_os_str().as_bytes()),
    }
    let mut s = serde_json::to_string(&v).expect("request serializes");
    s.push('\n');
    s
}

fn parse_request(v: &Value) -> Option<(u64, PathBuf, String, String)> {
    let id = v.get("id")?.as_u64()?;
    let path = match v.get("path").and_then(Value::as_str) {
        Some(s) => PathBuf::from(s),
        None => {
            let bytes: Vec<u8> = serde_json::from_value(v.get("path_bytes")?.clone()).ok()?;
            PathBuf::from(OsString::from_vec(bytes))
        }
    };
    Some((
        id,
        path,
        v.get("display")?.as_str()?.to_string(),
        v.get("stem")?.as_str()?.to_string(),
    ))
}

// ---------------------------------------------------------------------------------------
// Parent side: one slot = one worker process, restarted as needed

struct Task {
    id: u64,
    path: PathBuf,
    display: String,
    stem: String,
}

#[derive(Clone)]
struct WorkerSpec {
    exe: PathBuf,
    out: PathBuf,
    timeout: Option<Duration>,
    max_memory_mb: Option<u64>,
    config_args: Vec<OsString>,
    patterns_version: String,
}

struct Worker {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
    stderr_tail: Arc<Mutex<VecDeque<String>>>,
    stderr_reader: JoinHandle<()>,
    served: usize,
}

impl Worker {
    fn spawn(spec: &WorkerSpec) -> std::io::Result<Worker> {
        let mut cmd = Command::new(&spec.exe);
        cmd.arg("worker").arg("--out").arg(&spec.out);
        if let Some(mb) = spec.max_memory_mb {
            cmd.arg("--max-memory").arg(mb.to_string());
        }
        cmd.args(&spec.config_args)
            .env("BAOGAO_PARENT_PID", std::process::id().to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0);
        let mut child = cmd.spawn()?;
        let stdin = child.stdin.take().expect("piped");
        let stdout = child.stdout.take().expect("piped");
        let stderr = child.stderr.take().expect("piped");
        let (tx, lines) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).split(b'\n') {
                let Ok(line) = line else { break };
                if tx
                    .send(String::from_utf8_lossy(&line).into_owned())
                    .is_err()
                {
                    break;
                }
            }
        });
        let stderr_tail = Arc::new(Mutex::new(VecDeque::new()));
        let tail = Arc::clone(&stderr_tail);
        let stderr_reader = thread::spawn(move || {
            for line in BufReader::new(stderr).split(b'\n') {
                let Ok(line) = line else { break };
                let line = String::from_utf8_lossy(&line).trim().to_string();
                if line.is_empty() || is_noise(&line) {
                    continue;
                }
                let line = without_thread_ids(&line);
                let mut t = tail.lock().unwrap_or_else(|e| e.into_inner());
                t.push_back(line);
                if t.len() > 8 {
                    t.pop_front();
                }
            }
        });
        let mut w = Worker {
            child,
            stdin,
            lines,
            stderr_tail,
            stderr_reader,
            served: 0,
        };
        // The per-file clock starts only once the worker is ready (pattern set compiled).
        match w.lines.recv_timeout(STARTUP) {
            Ok(l) if l.contains("\"ready\"") => Ok(w),
            _ => {
                w.kill();
                Err(std::io::Error::other("the worker did not start"))
            }
        }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Kill the worker's whole process group and reap it.
    fn kill(&mut self) -> Option<ExitStatus> {
        // SAFETY: signalling the process group we created for this worker.
        unsafe { libc::killpg(self.pid() as libc::pid_t, libc::SIGKILL) };
        self.child.wait().ok()
    }

    /// Close stdin and let the worker exit; kill it if it does not within a second.
    fn shutdown(mut self) {
        drop(self.stdin);
        let deadline = Instant::now() + Duration::from_secs(1);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            thread::sleep(Duration::from_millis(10));
        }
        // SAFETY: as in `kill`.
        unsafe { libc::killpg(self.child.id() as libc::pid_t, libc::SIGKILL) };
        let _ = self.child.wait();
    }

    fn stderr_summary(self) -> String {
        // The reader ends when every process holding the pipe is gone; do not wait long
        // for a grandchild that escaped the group.
        let deadline = Instant::now() + Duration::from_millis(500);
        while !self.stderr_reader.is_finished() && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(10));
        }
        let t = self.stderr_tail.lock().unwrap_or_else(|e| e.into_inner());
        let s = t.iter().cloned().collect::<Vec<_>>().join(" | ");
        let mut s: String = s.chars().rev().take(400).collect();
        s = s.chars().rev().collect();
        s
    }
}

/// Stderr lines that say nothing about why a worker died.
fn is_noise(line: &str) -> bool {
    line.starts_with("note: ")
        || line.starts_with("stack backtrace:")
        || line.starts_with("skipping backtrace")
        || line.starts_with("at ")
        || line
            .split_once(':')
            .is_some_and(|(n, _)| n.trim().parse::<u32>().is_ok())
}

/// `thread 'main' (12345) has overflowed` → `thread 'main' has overflowed`: error messages
/// must not change from run to run.
fn without_thread_ids(line: &str) -> String {
    match (line.find("' ("), line.find(") ")) {
        (Some(a), Some(b)) if a < b && line[a + 3..b].bytes().all(|c| c.is_ascii_digit()) => {
            format!("{}'{}", &line[..a], &line[b + 1..])
        }
        _ => line.to_string(),
    }
}

/// Resident set size in MiB of a process and every process it started (helpers such as
/// `pdftotext` or `tesseract` that the load stage may run), from `/proc` (Linux); `None` if
/// the process is gone.
fn tree_rss_mb(pid: u32) -> Option<u64> {
    fn rss_kb(pid: u32) -> Option<u64> {
        let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }
    fn children(pid: u32) -> Vec<u32> {
        let Ok(tasks) = fs::read_dir(format!("/proc/{pid}/task")) else {
            return vec![];
        };
        tasks
            .filter_map(Result::ok)
            .filter_map(|t| fs::read_to_string(t.path().join("children")).ok())
            .flat_map(|c| {
                c.split_whitespace()
                    .filter_map(|p| p.parse().ok())
                    .collect::<Vec<u32>>()
            })
            .collect()
    }
    let mut total = rss_kb(pid)?;
    let mut todo = children(pid);
    let mut seen = 0;
    while let Some(c) = todo.pop() {
        seen += 1;
        if seen > 1000 {
            break;
        }
        total += rss_kb(c).unwrap_or(0);
        todo.extend(children(c));
    }
    Some(total / 1024)
}

fn signal_name(sig: i32) -> &'static str {
    match sig {
        libc::SIGABRT => "SIGABRT",
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGBUS => "SIGBUS",
        libc::SIGKILL => "SIGKILL",
        libc::SIGILL => "SIGILL",
        libc::SIGFPE => "SIGFPE",
        libc::SIGTERM => "SIGTERM",
        _ => "signal",
    }
}

/// The error row for a worker that died on its own while converting a file.
fn death_row(t: &Task, spec: &WorkerSpec, status: Option<ExitStatus>, tail: &str) -> SummaryRow {
    let detail = if tail.is_empty() {
        String::new()
    } else {
        format!(": {tail}")
    };
    let (kind, msg) = if let Some(oom) = tail
        .split(" | ")
        .find(|l| l.contains("memory allocation of"))
    {
        let limit = spec
            .max_memory_mb
            .map_or_else(String::new, |m| format!(" (--max-memory {m} MB)"));
        (ErrorKind::TooLarge, format!("out of memory{limit}: {oom}"))
    } else {
        let how = match status {
            Some(s) if s.signal().is_some() => {
                let sig = s.signal().unwrap_or_default();
                format!("killed by {} ({sig})", signal_name(sig))
            }
            Some(s) => format!("exited with status {}", s.code().unwrap_or(-1)),
            None => "vanished".into(),
        };
        (ErrorKind::Crash, format!("worker {how}{detail}"))
    };
    SummaryRow::error(&t.display, &t.stem, kind, &msg)
        .with_source(file_sha(&t.path), &spec.patterns_version)
}

/// Converts tasks one at a time in a worker process, replacing the worker when it dies,
/// hangs or grows too large.
struct Slot {
    spec: WorkerSpec,
    worker: Option<Worker>,
}

impl Slot {
    fn run(&mut self, t: &Task) -> SummaryRow {
        for _attempt in 0..2 {
            let mut w = match self.worker.take() {
                Some(w) => w,
                None => match Worker::spawn(&self.spec) {
                    Ok(w) => w,
                    Err(e) => {
                        return SummaryRow::error(
                            &t.display,
                            &t.stem,
                            ErrorKind::Crash,
                            &format!("cannot start a worker process: {e}"),
                        )
                        .with_source(file_sha(&t.path), &self.spec.patterns_version);
                    }
                },
            };
            let req = request(t.id, &t.path, &t.display, &t.stem);
            if w.stdin
                .write_all(req.as_bytes())
                .and_then(|_| w.stdin.flush())
                .is_err()
            {
                // The idle worker is gone; the file has not been tried yet: use a new one.
                w.kill();
                continue;
            }
            return self.wait(w, t);
        }
        SummaryRow::error(
            &t.display,
            &t.stem,
            ErrorKind::Crash,
            "worker processes die at start",
        )
        .with_source(file_sha(&t.path), &self.spec.patterns_version)
    }

    fn wait(&mut self, mut w: Worker, t: &Task) -> SummaryRow {
        let start = Instant::now();
        loop {
            match w.lines.recv_timeout(POLL) {
                Ok(line) => {
                    let Ok(v) = serde_json::from_str::<Value>(&line) else {
                        continue;
                    };
                    if v.get("id").and_then(Value::as_u64) != Some(t.id) {
                        continue;
                    }
                    let Some(row) = v.get("row").and_then(SummaryRow::from_json) else {
                        continue;
                    };
                    w.served += 1;
                    if w.served >= FILES_PER_WORKER {
                        w.shutdown();
                    } else {
                        self.worker = Some(w);
                    }
                    return row;
                }
                Err(RecvTimeoutError::Timeout) => {
                    if let Some(limit) = self.spec.timeout
                        && start.elapsed() > limit
                    {
                        self.discard(w, t);
                        return SummaryRow::error(
                            &t.display,
                            &t.stem,
                            ErrorKind::Timeout,
                            &format!("not finished after {} s (--timeout)", limit.as_secs_f64()),
                        )
                        .with_source(file_sha(&t.path), &self.spec.patterns_version);
                    }
                    if let Some(mb) = self.spec.max_memory_mb
                        && tree_rss_mb(w.pid()).is_some_and(|rss| rss > mb)
                    {
                        self.discard(w, t);
                        return SummaryRow::error(
                            &t.display,
                            &t.stem,
                            ErrorKind::TooLarge,
                            &format!("needs more than --max-memory {mb} MB"),
                        )
                        .with_source(file_sha(&t.path), &self.spec.patterns_version);
                    }
                }
                Err(RecvTimeoutError::Disconnected) => {
                    let pid = w.pid();
                    let status = w.child.wait().ok();
                    // SAFETY: as in `Worker::kill`; reaps helpers the worker started.
                    unsafe { libc::killpg(pid as libc::pid_t, libc::SIGKILL) };
                    let tail = w.stderr_summary();
                    remove_temp(&self.spec.out, &t.stem, pid);
                    return death_row(t, &self.spec, status, &tail);
                }
            }
        }
    }

    fn discard(&mut self, mut w: Worker, t: &Task) {
        let pid = w.pid();
        w.kill();
        remove_temp(&self.spec.out, &t.stem, pid);
    }
}

/// Remove the temporary file a killed worker may have left (see `emit::write_atomic`).
fn remove_temp(out: &Path, stem: &str, pid: u32) {
    let _ = fs::remove_file(out.join(format!(".{stem}.json.tmp{pid}")));
}

// ---------------------------------------------------------------------------------------
// The batch

enum Event {
    /// An input was found and queued (progress bar length).
    Queued,
    /// A file finished in this run.
    Done(SummaryRow),
    /// `--resume`: an earlier result is still current.
    Skipped,
}

/// Run a batch; returns the exit code (0 all converted, 1 some failed, 2 nothing to do or
/// the output directory is unusable).
pub fn run(opts: BatchOptions, cfg: Config) -> i32 {
    let started = Instant::now();
    let earlier: HashMap<String, SummaryRow> = if opts.resume {
        match read_summary(&opts.out) {
            Ok(rows) => rows.into_iter().map(|r| (r.file.clone(), r)).collect(),
            Err(e) => {
                eprintln!("baogao: {}: {e}", opts.out.join("summary.jsonl").display());
                return 2;
            }
        }
    } else {
        HashMap::new()
    };
    let mut log = match SummaryLog::open(&opts.out, opts.resume) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("baogao: {}: {e}", opts.out.display());
            return 2;
        }
    };
    let roots: Box<dyn Iterator<Item = PathBuf> + Send> = match &opts.files_from {
        None => Box::new(opts.inputs.clone().into_iter()),
        Some(list) => {
            let reader: Box<dyn BufRead + Send> = if list.as_os_str() == "-" {
                Box::new(BufReader::new(std::io::stdin()))
            } else {
                match fs::File::open(list) {
                    Ok(f) => Box::new(BufReader::new(f)),
                    Err(e) => {
                        eprintln!("baogao: {}: {e}", list.display());
                        return 2;
                    }
                }
            };
            Box::new(opts.inputs.clone().into_iter().chain(list_lines(reader)))
        }
    };

    let cfg = Arc::new(cfg);
    let jobs = opts.jobs.max(1);
    let (ev_tx, ev_rx) = mpsc::channel::<Event>();
    let (task_tx, task_rx) = mpsc::sync_channel::<Task>(jobs * 2);
    let task_rx = Arc::new(Mutex::new(task_rx));
    let discovered = Arc::new(std::sync::atomic::AtomicU64::new(0));

    let producer = {
        let ev_tx = ev_tx.clone();
        let out = opts.out.clone();
        let shard = opts.shard;
        let version = cfg.rules.version.clone();
        let discovered = Arc::clone(&discovered);
        thread::spawn(move || {
            produce(
                Inputs::new(roots),
                shard,
                &earlier,
                &out,
                &version,
                &discovered,
                &task_tx,
                &ev_tx,
            )
        })
    };

    let spec = WorkerSpec {
        exe: std::env::current_exe().unwrap_or_else(|_| PathBuf::from("baogao")),
        out: opts.out.clone(),
        timeout: opts.timeout,
        max_memory_mb: opts.max_memory_mb,
        config_args: opts.config_args.clone(),
        patterns_version: cfg.rules.version.clone(),
    };
    let mut slots = Vec::new();
    for _ in 0..jobs {
        let task_rx = Arc::clone(&task_rx);
        let ev_tx = ev_tx.clone();
        let cfg = Arc::clone(&cfg);
        let spec = spec.clone();
        let in_process = opts.in_process;
        slots.push(thread::spawn(move || {
            let mut slot = Slot { spec, worker: None };
            loop {
                let task = task_rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
                let Ok(t) = task else { break };
                let row = if in_process {
                    convert_one(&t.path, &t.display, &t.stem, &slot.spec.out, &cfg)
                } else {
                    slot.run(&t)
                };
                if ev_tx.send(Event::Done(row)).is_err() {
                    break;
                }
            }
            if let Some(w) = slot.worker.take() {
                w.shutdown();
            }
        }));
    }
    drop(ev_tx);

    let pb = progress_bar();
    let mut stats = Stats::default();
    let mut stdout = std::io::stdout().lock();
    for ev in ev_rx {
        match ev {
            Event::Queued => pb.inc_length(1),
            Event::Skipped => {
                stats.skipped += 1;
                pb.inc_length(1);
                pb.inc(1);
            }
            Event::Done(row) => {
                if let Err(e) = log.append(&row) {
                    pb.suspend(|| eprintln!("baogao: summary.jsonl: {e}"));
                    stats.log_failed = true;
                }
                if opts.json {
                    let line = serde_json::to_string(&row.to_json()).expect("row serializes");
                    let _ = writeln!(stdout, "{line}").and_then(|_| stdout.flush());
                }
                match &row.error_kind {
                    None => stats.ok += 1,
                    Some(kind) => {
                        *stats.failed.entry(kind.clone()).or_default() += 1;
                        pb.suspend(|| {
                            eprintln!(
                                "baogao: {}: {}",
                                row.file,
                                row.error.as_deref().unwrap_or(kind)
                            )
                        });
                        pb.set_message(format!("{} failed", stats.failed_total()));
                    }
                }
                pb.inc(1);
            }
        }
    }
    pb.finish_and_clear();
    let _ = producer.join();
    for s in slots {
        let _ = s.join();
    }
    drop(log);

    match finish_summaries(&opts.out) {
        Ok(rows) => {
            if let Err(e) = crate::emit::write_row_csvs(&opts.out, &rows, opts.review) {
                eprintln!("baogao: table/review CSVs in {}: {e}", opts.out.display());
                stats.log_failed = true;
            }
        }
        Err(e) => {
            eprintln!("baogao: summary files in {}: {e}", opts.out.display());
            stats.log_failed = true;
        }
    }
    let total = discovered.load(std::sync::atomic::Ordering::Relaxed);
    if total == 0 {
        eprintln!("baogao: no .pdf or .txt input found");
        return 2;
    }
    eprintln!(
        "baogao: {}; {:.1} s; output in {}",
        stats.line(),
        started.elapsed().as_secs_f64(),
        opts.out.display()
    );
    if stats.failed_total() > 0 || stats.log_failed {
        1
    } else {
        0
    }
}

#[allow(clippy::too_many_arguments)]
fn produce(
    inputs: Inputs,
    shard: Option<Shard>,
    earlier: &HashMap<String, SummaryRow>,
    out: &Path,
    version: &str,
    discovered: &std::sync::atomic::AtomicU64,
    task_tx: &SyncSender<Task>,
    ev_tx: &Sender<Event>,
) {
    let mut namer = StemNamer::default();
    for (id, item) in (0u64..).zip(inputs) {
        discovered.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = match &item {
            Ok(p) => p,
            Err((p, _)) => p,
        };
        let display = path.display().to_string();
        let stem = namer.name(path);
        if shard.is_some_and(|s| !s.contains(&display)) {
            continue;
        }
        let path = match item {
            Ok(p) => p,
            Err((_, reason)) => {
                let row = SummaryRow::error(&display, &stem, ErrorKind::Io, &reason)
                    .with_source(None, version);
                let _ = ev_tx.send(Event::Queued);
                let _ = ev_tx.send(Event::Done(row));
                continue;
            }
        };
        if let Some(prev) = earlier.get(&display)
            && prev.status == "ok"
            && prev.stem == stem
            && prev.patterns_version.as_deref() == Some(version)
            && out.join(format!("{stem}.json")).is_file()
            && prev.sha256.is_some()
            && prev.sha256 == file_sha(&path)
        {
            let _ = ev_tx.send(Event::Skipped);
            continue;
        }
        let _ = ev_tx.send(Event::Queued);
        let task = Task {
            id,
            path,
            display,
            stem,
        };
        if task_tx.send(task).is_err() {
            break;
        }
    }
}

#[derive(Default)]
struct Stats {
    ok: u64,
    skipped: u64,
    failed: BTreeMap<String, u64>,
    log_failed: bool,
}

impl Stats {
    fn failed_total(&self) -> u64 {
        self.failed.values().sum()
    }

    fn line(&self) -> String {
        let mut s = format!("{} converted", self.ok + self.skipped);
        if self.skipped > 0 {
            s.push_str(&format!(" ({} already done)", self.skipped));
        }
        s.push_str(&format!(", {} failed", self.failed_total()));
        if !self.failed.is_empty() {
            let kinds: Vec<String> = self
                .failed
                .iter()
                .map(|(k, n)| format!("{k} {n}"))
                .collect();
            s.push_str(&format!(" ({})", kinds.join(", ")));
        }
        s
    }
}

fn progress_bar() -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    pb.set_style(
        ProgressStyle::with_template(
            "{elapsed_precise} [{bar:30}] {pos}/{len} files, {per_sec}, ETA {eta} {msg}",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    pb.enable_steady_tick(Duration::from_millis(200));
    pb
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_parses_and_partitions() {
        assert_eq!("2/3".parse::<Shard>(), Ok(Shard { index: 2, count: 3 }));
        assert!("0/3".parse::<Shard>().is_err());
        assert!("4/3".parse::<Shard>().is_err());
        assert!("x".parse::<Shard>().is_err());
        let names: Vec<String> = (0..100).map(|i| format!("dir/{i}.pdf")).collect();
        let shards: Vec<Shard> = (1..=3).map(|k| Shard { index: k, count: 3 }).collect();
        for n in &names {
            assert_eq!(shards.iter().filter(|s| s.contains(n)).count(), 1, "{n}");
        }
        assert!(shards.iter().all(|s| names.iter().any(|n| s.contains(n))));
    }

    #[test]
    fn stems_are_unique_in_input_order() {
        let mut n = StemNamer::default();
        let got: Vec<String> = ["a/x.pdf", "b/x.txt", "y.pdf", "c/x.pdf"]
            .iter()
            .map(|p| n.name(Path::new(p)))
            .collect();
        assert_eq!(got, ["x", "x-2", "y", "x-3"]);
    }

    #[test]
    fn walk_is_sorted_recursive_and_filters_extensions() {
        let dir = std::env::temp_dir().join(format!("baogao-walk-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("sub")).unwrap();
        for f in ["b.pdf", "a.TXT", "c.json", "sub/d.pdf"] {
            fs::write(dir.join(f), "x").unwrap();
        }
        let got: Vec<PathBuf> = Inputs::new(vec![dir.clone(), dir.join("missing.pdf")].into_iter())
            .map(|r| r.unwrap())
            .collect();
        let want: Vec<PathBuf> = ["a.TXT", "b.pdf", "sub/d.pdf", "missing.pdf"]
            .iter()
            .map(|f| dir.join(f))
            .collect();
        assert_eq!(got, want);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn worker_stderr_is_made_stable() {
        assert_eq!(
            without_thread_ids("thread 'main' (32492) has overflowed its stack"),
            "thread 'main' has overflowed its stack"
        );
        assert_eq!(without_thread_ids("a (b) c"), "a (b) c");
        assert!(is_noise("  12: rayon_core::registry"));
        assert!(!is_noise("fatal runtime error: stack overflow, aborting"));
    }

    #[test]
    fn tree_rss_counts_child_processes() {
        let me = std::process::id();
        let alone = tree_rss_mb(me).unwrap();
        // A grandchild shell holding a 64 MB string.
        let mut child = Command::new("sh")
            .args([
                "-c",
                "x=$(head -c 64000000 /dev/zero | tr '\\0' a); sleep 10; echo ${#x}",
            ])
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(8);
        let mut with = alone;
        while Instant::now() < deadline && with < alone + 48 {
            thread::sleep(Duration::from_millis(50));
            with = tree_rss_mb(me).unwrap();
        }
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(
            with >= alone + 48,
            "{alone} MiB alone, {with} MiB with the child"
        );
        assert_eq!(tree_rss_mb(u32::MAX), None);
    }

    #[test]
    fn list_lines_skips_blanks_and_crlf() {
        let got: Vec<PathBuf> =
            list_lines(std::io::Cursor::new(b"a.pdf\r\n\n  \nb c.txt\n".to_vec())).collect();
        assert_eq!(got, [PathBuf::from("a.pdf"), PathBuf::from("b c.txt")]);
    }

    #[test]
    fn requests_round_trip_non_utf8_paths() {
        let p = PathBuf::from(OsString::from_vec(b"bad\xff.pdf".to_vec()));
        let r = request(7, &p, "bad?.pdf", "bad");
        let v: Value = serde_json::from_str(&r).unwrap();
        assert_eq!(
            parse_request(&v),
            Some((7, p, "bad?.pdf".into(), "bad".into()))
        );
    }
}
