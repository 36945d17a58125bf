//! The supervisor side: one slot per `--jobs`, each driving one worker process at a time
//! and replacing it when it dies, hangs or grows past the memory limit. This is where a
//! file's `timeout`, `too_large` and `crash` rows come from.

use super::inputs::file_sha;
use super::protocol::{FromWorker, Request, ToWorker, WorkerConfig, line};
use crate::emit::SummaryRow;
use crate::report::ErrorKind;
use std::collections::VecDeque;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// A worker is replaced by a fresh process after this many files.
pub const FILES_PER_WORKER: usize = 200;

/// How often the parent checks a busy worker's clock and memory.
const POLL: Duration = Duration::from_millis(50);

/// How long a worker may take to start (build its configuration) before it counts as broken.
const STARTUP: Duration = Duration::from_secs(60);

/// One input handed to a slot.
pub struct Task {
    pub id: u64,
    pub path: PathBuf,
    pub display: String,
    /// Output name (`<output>.json`).
    pub output: String,
}

/// How every worker of a batch is started.
#[derive(Clone)]
pub struct WorkerSpec {
    pub exe: PathBuf,
    pub config: WorkerConfig,
    pub out: PathBuf,
    pub timeout: Option<Duration>,
    pub max_memory_mb: Option<u64>,
    pub patterns_version: String,
    /// Set on Ctrl-C: a busy worker is killed and its file left for `--resume`.
    pub interrupted: &'static AtomicBool,
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
        cmd.arg("worker")
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
        // The configuration is the first message; the per-file clock starts only once the
        // worker is ready (pattern set compiled).
        let hello = line(&ToWorker::Config(spec.config.clone()));
        let _ = w
            .stdin
            .write_all(hello.as_bytes())
            .and_then(|_| w.stdin.flush());
        let reply = w
            .lines
            .recv_timeout(STARTUP)
            .ok()
            .and_then(|l| serde_json::from_str::<FromWorker>(&l).ok());
        let err = match reply {
            Some(FromWorker::Ready { patterns_version })
                if patterns_version == spec.patterns_version =>
            {
                return Ok(w);
            }
            Some(FromWorker::Ready { patterns_version }) => format!(
                "the worker runs pattern set {patterns_version}, the batch {}",
                spec.patterns_version
            ),
            Some(FromWorker::Failed { message }) => message,
            _ => "the worker did not start".into(),
        };
        w.kill();
        Err(std::io::Error::other(err))
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
pub(crate) fn is_noise(line: &str) -> bool {
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
pub(crate) fn without_thread_ids(line: &str) -> String {
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
pub(crate) fn tree_rss_mb(pid: u32) -> Option<u64> {
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
    SummaryRow::error(&t.display, &t.output, kind, &msg)
        .with_source(file_sha(&t.path), &spec.patterns_version)
}

/// Converts tasks one at a time in a worker process, replacing the worker when it dies,
/// hangs or grows too large.
pub struct Slot {
    pub spec: WorkerSpec,
    worker: Option<Worker>,
}

impl Slot {
    pub fn new(spec: WorkerSpec) -> Slot {
        Slot { spec, worker: None }
    }

    /// Let the current worker exit.
    pub fn close(mut self) {
        if let Some(w) = self.worker.take() {
            w.shutdown();
        }
    }

    /// Convert one task; `None` when the batch was interrupted before it finished (the
    /// file is then neither converted nor recorded, and `--resume` does it).
    pub fn run(&mut self, t: &Task) -> Option<SummaryRow> {
        for _attempt in 0..2 {
            let mut w = match self.worker.take() {
                Some(w) => w,
                None => match Worker::spawn(&self.spec) {
                    Ok(w) => w,
                    Err(e) => {
                        return Some(
                            SummaryRow::error(
                                &t.display,
                                &t.output,
                                ErrorKind::Crash,
                                &format!("cannot start a worker process: {e}"),
                            )
                            .with_source(file_sha(&t.path), &self.spec.patterns_version),
                        );
                    }
                },
            };
            let req = line(&ToWorker::Convert(Request {
                id: t.id,
                path: t.path.as_path().into(),
                display: t.display.clone(),
                output: t.output.clone(),
            }));
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
        Some(
            SummaryRow::error(
                &t.display,
                &t.output,
                ErrorKind::Crash,
                "worker processes die at start",
            )
            .with_source(file_sha(&t.path), &self.spec.patterns_version),
        )
    }

    fn wait(&mut self, mut w: Worker, t: &Task) -> Option<SummaryRow> {
        let start = Instant::now();
        loop {
            if self.spec.interrupted.load(Ordering::Relaxed) {
                self.discard(w, t);
                return None;
            }
            match w.lines.recv_timeout(POLL) {
                Ok(line) => {
                    let Ok(FromWorker::Done { id, row }) = serde_json::from_str(&line) else {
                        continue;
                    };
                    if id != t.id {
                        continue;
                    }
                    let Some(row) = SummaryRow::from_json(&row) else {
                        continue;
                    };
                    w.served += 1;
                    if w.served >= FILES_PER_WORKER {
                        w.shutdown();
                    } else {
                        self.worker = Some(w);
                    }
                    return Some(row);
                }
                Err(RecvTimeoutError::Timeout) => {
                    if let Some(limit) = self.spec.timeout
                        && start.elapsed() > limit
                    {
                        // A worker that already died (it aborted while the clock ran out)
                        // gets the row of its death, not `timeout`.
                        if let Ok(Some(status)) = w.child.try_wait() {
                            return Some(self.died(w, t, Some(status)));
                        }
                        self.discard(w, t);
                        return Some(
                            SummaryRow::error(
                                &t.display,
                                &t.output,
                                ErrorKind::Timeout,
                                &format!(
                                    "not finished after {} s (--timeout)",
                                    limit.as_secs_f64()
                                ),
                            )
                            .with_source(file_sha(&t.path), &self.spec.patterns_version),
                        );
                    }
                    if let Some(mb) = self.spec.max_memory_mb
                        && tree_rss_mb(w.pid()).is_some_and(|rss| rss > mb)
                    {
                        self.discard(w, t);
                        return Some(
                            SummaryRow::error(
                                &t.display,
                                &t.output,
                                ErrorKind::TooLarge,
                                &format!("needs more than --max-memory {mb} MB"),
                            )
                            .with_source(file_sha(&t.path), &self.spec.patterns_version),
                        );
                    }
                }
                Err(RecvTimeoutError::Disconnected) => {
                    let status = w.child.wait().ok();
                    return Some(self.died(w, t, status));
                }
            }
        }
    }

    fn died(&mut self, w: Worker, t: &Task, status: Option<ExitStatus>) -> SummaryRow {
        let pid = w.pid();
        // SAFETY: as in `Worker::kill`; reaps helpers the worker started.
        unsafe { libc::killpg(pid as libc::pid_t, libc::SIGKILL) };
        let tail = w.stderr_summary();
        remove_temp(&self.spec.out, &t.output, pid);
        death_row(t, &self.spec, status, &tail)
    }

    fn discard(&mut self, mut w: Worker, t: &Task) {
        let pid = w.pid();
        w.kill();
        remove_temp(&self.spec.out, &t.output, pid);
    }
}

/// Remove the temporary file a killed worker may have left (see `emit::write_atomic`).
fn remove_temp(out: &Path, output: &str, pid: u32) {
    let path = out.join(format!("{output}.json"));
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return;
    };
    let _ = fs::remove_file(dir.join(format!(".{}.tmp{pid}", name.to_string_lossy())));
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
