//! Bulk conversion: many inputs → one JSON each, isolated, resumable, shareable, with
//! progress. One file per concern:
//!
//! | file | concern |
//! |---|---|
//! | [`inputs`] | the walk, `--files-from`, `--shard`, output names |
//! | [`protocol`] | the serde messages between supervisor and worker, the worker's configuration |
//! | [`supervisor`] | worker processes: start, feed, time out, kill, turn deaths into rows |
//! | [`worker`] | the `baogao worker` side: convert one input, write its JSON |
//! | [`folder`] | several runs on one output folder: locks, who compacts, stale temp files |
//! | [`merge`] | `baogao merge`: shard folders → one folder |
//! | this file | one batch run: inputs → slots → summary lines, progress, Ctrl-C, exit code |
//!
//! # Design
//!
//! The parent process (`baogao extract`) never parses a document itself. It starts `--jobs`
//! long-lived worker processes (the same binary, hidden subcommand `baogao worker`); the
//! first line each worker reads is its configuration, built from the parent's
//! [`Config`], then it gets one file at a time over a pipe and answers with the summary
//! row, after writing `<name>.json` itself (atomically). Each worker runs in its own
//! process group with `RLIMIT_AS` set to `--max-memory`, so a single huge allocation fails
//! at once (the allocation failure aborts the worker); the parent additionally polls the
//! worker's RSS every 50 ms and kills the whole group when it exceeds `--max-memory` or
//! when a file takes longer than `--timeout`. A worker that is killed or dies (stack
//! overflow, abort, segfault in a C library) costs only the file it was working on: that
//! file gets a typed error row (`timeout`, `too_large`, `crash`) and the next file goes to
//! a fresh worker. Workers are recycled every [`supervisor::FILES_PER_WORKER`] files and
//! die with the parent (`PR_SET_PDEATHSIG`).
//!
//! One process per file was measured against this model (see `scripts/bench.sh`): starting
//! a process and compiling the pattern set costs more than converting a typical text report,
//! so workers are reused.
//!
//! The parent's main thread is the only writer of this run's summary lines (appended and
//! flushed per finished file, so a killed batch keeps every finished file) and of stdout
//! (`--json`). Other runs may append to the same `summary.jsonl` at the same time (see
//! [`folder`]); the last run to finish compacts it ([`crate::emit::finish_summaries`]:
//! last line per input wins, sorted by file) and rebuilds `summary.csv` and the table CSVs,
//! so a batch that was interrupted and resumed, or split into concurrent runs, ends
//! byte-identical to one that ran through.

pub mod folder;
pub mod inputs;
pub mod merge;
pub mod protocol;
pub mod supervisor;
pub mod worker;

mod fault;

pub use fault::{FAULT_ENV, GATE_ENV};
pub use inputs::{Shard, is_input_name};
pub use worker::{convert_one, worker_main};

use crate::emit::{EmitOptions, SummaryLog, SummaryRow, finish_batch, read_summary};
use crate::pipeline::Config;
use crate::report::ErrorKind;
use folder::FolderLock;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use inputs::{Found, Inputs, Item, Namer, file_sha, list_lines};
use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::{BufRead, BufReader, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Sender, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};
use supervisor::{Slot, Task, WorkerSpec};

/// Exit codes of `baogao extract` and `baogao merge` (also in `--help` and the README).
pub mod exit {
    /// Every input converted (or, with `--errors-ok`, recorded with an error kind).
    pub const OK: i32 = 0;
    /// Some input failed; its error row is in the summaries.
    pub const SOME_FAILED: i32 = 1;
    /// Usage: bad arguments, a broken pattern file, an unusable output folder, no input.
    pub const USAGE: i32 = 2;
    /// The run itself failed: summaries not written, an input lost.
    pub const RUN_FAILED: i32 = 3;
    /// Interrupted (Ctrl-C); what finished is recorded, `--resume` does the rest.
    pub const INTERRUPTED: i32 = 130;
}

/// Set by SIGINT.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_sigint(_: libc::c_int) {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// First Ctrl-C: stop cleanly; a second one kills at once (`SA_RESETHAND`).
fn catch_sigint() {
    // SAFETY: installing an async-signal-safe handler (one atomic store).
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = on_sigint as *const () as usize;
        sa.sa_flags = libc::SA_RESETHAND;
        libc::sigemptyset(&mut sa.sa_mask);
        libc::sigaction(libc::SIGINT, &sa, std::ptr::null_mut());
    }
}

/// Everything `baogao extract` decided from its arguments.
#[derive(Debug, Clone)]
pub struct BatchOptions {
    /// Files and directories from the command line (a missing one becomes an error row).
    pub inputs: Vec<PathBuf>,
    /// `--files-from`: a file with one path per line, or `-` for stdin.
    pub files_from: Option<PathBuf>,
    pub out: PathBuf,
    /// `--relative-to DIR`: name the outputs of inputs under DIR by their path relative to it.
    pub relative_to: Option<PathBuf>,
    /// Worker processes (or threads with `in_process`); at least 1.
    pub jobs: usize,
    /// Per-file wall-clock limit; `None` = no limit.
    pub timeout: Option<Duration>,
    /// Per-worker memory limit in MiB; `None` = no limit.
    pub max_memory_mb: Option<u64>,
    /// Convert in threads of this process (no timeout or memory enforcement; debugging).
    pub in_process: bool,
    pub resume: bool,
    /// Stream every input's summary line to stdout (including those `--resume` skipped).
    pub json: bool,
    /// The batch tables to write at the end (review list, BOM, workbook).
    pub emit: EmitOptions,
    pub shard: Option<Shard>,
    /// Exit 0 when every input was converted or recorded with an error kind.
    pub errors_ok: bool,
    /// The command that finishes an interrupted run (printed on Ctrl-C).
    pub resume_command: String,
}

enum Event {
    /// The number of inputs of this run, counted before any is converted.
    Total(u64),
    /// An input was found and queued (when the list streams in on stdin: no total).
    Queued,
    /// A file finished in this run.
    Done(SummaryRow),
    /// `--resume`: an earlier result is still current (its recorded row).
    Skipped(SummaryRow),
    /// A directory given as input held no input file.
    EmptyRoot(PathBuf),
}

/// Run a batch; returns the exit code (see [`exit`]).
pub fn run(opts: BatchOptions, cfg: Config) -> i32 {
    let started = Instant::now();
    // OCR stops starting pages a tenth of the timeout before it (the later stages and the
    // write need the rest), so a long scan comes back partial with a warning, not `timeout`.
    let mut cfg = cfg;
    if let Some(t) = opts.timeout {
        cfg.load.ocr_budget = Some(t - t / 10);
    }
    let lock = match FolderLock::acquire(&opts.out) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("baogao: {}: {e}", opts.out.display());
            return exit::USAGE;
        }
    };
    // OCR scratch folders and pdftotext temp files of killed workers (issue 12).
    crate::ocr::raster::sweep_stale(&std::env::temp_dir());
    if lock.alone {
        let n = folder::remove_stale_temps(&opts.out);
        if n > 0 {
            eprintln!(
                "baogao: removed {n} temporary file(s) a killed run left in {}",
                opts.out.display()
            );
        }
    }
    let earlier: HashMap<String, SummaryRow> = if opts.resume {
        match read_summary(&opts.out) {
            Ok(rows) => rows.into_iter().map(|r| (r.file.clone(), r)).collect(),
            Err(e) => {
                eprintln!("baogao: {}: {e}", opts.out.join("summary.jsonl").display());
                return exit::USAGE;
            }
        }
    } else {
        HashMap::new()
    };
    // Start afresh only when alone: a run in progress keeps its lines.
    let mut log = match SummaryLog::open(&opts.out, opts.resume || !lock.alone) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("baogao: {}: {e}", opts.out.display());
            return exit::USAGE;
        }
    };
    lock.share();
    let streaming = opts.files_from.as_deref() == Some(Path::new("-"));
    let roots: Box<dyn Iterator<Item = PathBuf> + Send> = match &opts.files_from {
        None => Box::new(opts.inputs.clone().into_iter()),
        Some(list) => {
            let reader: Box<dyn BufRead + Send> = if streaming {
                Box::new(BufReader::new(std::io::stdin()))
            } else {
                match fs::File::open(list) {
                    Ok(f) => Box::new(BufReader::new(f)),
                    Err(e) => {
                        eprintln!("baogao: {}: {e}", list.display());
                        return exit::USAGE;
                    }
                }
            };
            Box::new(opts.inputs.clone().into_iter().chain(list_lines(reader)))
        }
    };
    catch_sigint();

    let cfg = Arc::new(cfg);
    let jobs = opts.jobs.max(1);
    let (ev_tx, ev_rx) = mpsc::channel::<Event>();
    let (task_tx, task_rx) = mpsc::sync_channel::<Task>(jobs * 2);
    let task_rx = Arc::new(Mutex::new(task_rx));
    let discovered = Arc::new(std::sync::atomic::AtomicU64::new(0));

    let producer = {
        let ev_tx = ev_tx.clone();
        let ctx = Producer {
            out: opts.out.clone(),
            shard: opts.shard,
            version: cfg.rules.version.clone(),
            namer: Namer::new(opts.relative_to.clone()),
            earlier,
            discovered: Arc::clone(&discovered),
        };
        thread::spawn(move || ctx.run(Inputs::new(roots), streaming, &task_tx, &ev_tx))
    };

    let spec = WorkerSpec {
        exe: std::env::current_exe().unwrap_or_else(|_| PathBuf::from("baogao")),
        config: protocol::WorkerConfig::new(&cfg, &opts.out, opts.max_memory_mb),
        out: opts.out.clone(),
        timeout: opts.timeout,
        max_memory_mb: opts.max_memory_mb,
        patterns_version: cfg.rules.version.clone(),
        interrupted: &INTERRUPTED,
    };
    let mut slots = Vec::new();
    for _ in 0..jobs {
        let task_rx = Arc::clone(&task_rx);
        let ev_tx = ev_tx.clone();
        let cfg = Arc::clone(&cfg);
        let spec = spec.clone();
        let in_process = opts.in_process;
        slots.push(thread::spawn(move || {
            let mut slot = Slot::new(spec);
            loop {
                if INTERRUPTED.load(Ordering::Relaxed) {
                    break;
                }
                let task = task_rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
                let Ok(t) = task else { break };
                let row = if in_process {
                    Some(convert_one(
                        &t.path,
                        &t.display,
                        &t.output,
                        &slot.spec.out,
                        &cfg,
                    ))
                } else {
                    slot.run(&t)
                };
                let Some(row) = row else { break };
                if ev_tx.send(Event::Done(row)).is_err() {
                    break;
                }
            }
            slot.close();
        }));
    }
    // Once every slot has stopped, the producer's sends fail and it stops too.
    drop(task_rx);
    drop(ev_tx);

    let mut pb: Option<ProgressBar> = None;
    let mut stats = Stats::default();
    let mut stdout = std::io::stdout().lock();
    let say = |pb: &Option<ProgressBar>, msg: String| match pb {
        Some(pb) => pb.suspend(|| eprintln!("{msg}")),
        None => eprintln!("{msg}"),
    };
    for ev in ev_rx {
        match ev {
            Event::Total(n) => {
                stats.expected = n;
                pb = Some(progress_bar(Some(n)));
            }
            Event::Queued => {
                stats.expected += 1;
                pb.get_or_insert_with(|| progress_bar(None));
            }
            Event::EmptyRoot(dir) => {
                say(&pb, format!("baogao: no input file in {}", dir.display()))
            }
            Event::Skipped(row) => {
                stats.skipped += 1;
                if opts.json {
                    let line = serde_json::to_string(&row.to_json()).expect("row serializes");
                    let _ = writeln!(stdout, "{line}").and_then(|_| stdout.flush());
                }
                if let Some(pb) = &pb {
                    pb.inc(1);
                }
            }
            Event::Done(row) => {
                stats.done += 1;
                if let Err(e) = log.append(&row) {
                    say(&pb, format!("baogao: summary.jsonl: {e}"));
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
                        let msg = format!(
                            "baogao: {}: {}",
                            row.file,
                            row.error.as_deref().unwrap_or(kind)
                        );
                        say(&pb, msg);
                        if let Some(pb) = &pb {
                            pb.set_message(format!("{} failed", stats.failed_total()));
                        }
                    }
                }
                if let Some(pb) = &pb {
                    pb.inc(1);
                }
            }
        }
    }
    if let Some(pb) = &pb {
        pb.finish_and_clear();
    }
    let _ = producer.join();
    for s in slots {
        let _ = s.join();
    }
    drop(log);
    let interrupted = INTERRUPTED.load(Ordering::Relaxed);

    let out = &opts.out;
    let emit = &opts.emit;
    let finished = lock.finish(|| -> std::io::Result<()> {
        // The last run in the folder: no temporary file under it belongs to a live writer.
        folder::remove_stale_temps(out);
        finish_batch(out, emit).map(|_| ())
    });
    match finished {
        Ok(Some(Ok(()))) => {}
        Ok(None) => eprintln!(
            "baogao: other runs still write to {}; the last one to finish writes summary.csv and the table CSVs",
            out.display()
        ),
        Ok(Some(Err(e))) | Err(e) => {
            eprintln!("baogao: summary files in {}: {e}", out.display());
            stats.log_failed = true;
        }
    }
    let total = discovered.load(Ordering::Relaxed);
    if total == 0 && !interrupted {
        eprintln!("baogao: no input file found");
        return exit::USAGE;
    }
    eprintln!(
        "baogao: {}; {:.1} s; output in {}",
        stats.line(),
        started.elapsed().as_secs_f64(),
        out.display()
    );
    if interrupted {
        eprintln!(
            "baogao: interrupted; {} input(s) not done. To finish the batch, run:\n  {}",
            stats.expected.saturating_sub(stats.done + stats.skipped),
            opts.resume_command
        );
        return exit::INTERRUPTED;
    }
    let lost = stats.expected.saturating_sub(stats.done + stats.skipped);
    if lost > 0 {
        eprintln!("baogao: {lost} input(s) got no result (internal error)");
    }
    if stats.log_failed || lost > 0 {
        exit::RUN_FAILED
    } else if stats.failed_total() > 0 && !opts.errors_ok {
        exit::SOME_FAILED
    } else {
        exit::OK
    }
}

/// The producer thread: walks the inputs, names them, keeps this shard's, and queues them
/// (or reports them done when `--resume` finds a current result).
struct Producer {
    out: PathBuf,
    shard: Option<Shard>,
    version: String,
    namer: Namer,
    earlier: HashMap<String, SummaryRow>,
    /// Inputs found, in every shard (0 = nothing to do).
    discovered: Arc<std::sync::atomic::AtomicU64>,
}

/// One input of this run, named.
struct Named {
    item: Item,
    display: String,
    output: String,
}

impl Producer {
    fn run(
        mut self,
        inputs: Inputs,
        streaming: bool,
        task_tx: &SyncSender<Task>,
        ev_tx: &Sender<Event>,
    ) {
        if streaming {
            // The list arrives on stdin, maybe slowly (a queue): convert while it comes.
            let mut id = 0u64;
            for item in inputs {
                let Some(n) = self.name(item, ev_tx) else {
                    continue;
                };
                let _ = ev_tx.send(Event::Queued);
                if !self.dispatch(id, n, task_tx, ev_tx) {
                    break;
                }
                id += 1;
            }
        } else {
            // Count first, so the progress bar's total and ETA are right from the start.
            let mut all: Vec<Named> = Vec::new();
            for item in inputs {
                if INTERRUPTED.load(Ordering::Relaxed) {
                    break;
                }
                all.extend(self.name(item, ev_tx));
            }
            let _ = ev_tx.send(Event::Total(all.len() as u64));
            for (id, n) in (0u64..).zip(all) {
                if !self.dispatch(id, n, task_tx, ev_tx) {
                    break;
                }
            }
        }
    }

    /// Name an input (names come from the whole list, before sharding) and keep it if it
    /// is in this shard.
    fn name(&mut self, item: Item, ev_tx: &Sender<Event>) -> Option<Named> {
        let (display, output) = match &item {
            Item::EmptyRoot(dir) => {
                let _ = ev_tx.send(Event::EmptyRoot(dir.clone()));
                return None;
            }
            Item::Input(f) => {
                let display = f.path.display().to_string();
                let output = self.namer.name(f, &display);
                (display, output)
            }
            Item::Unreadable(p, _) => {
                let display = p.display().to_string();
                let f = Found {
                    path: p.clone(),
                    rel: None,
                };
                (display.clone(), self.namer.name(&f, &display))
            }
        };
        self.discovered.fetch_add(1, Ordering::Relaxed);
        if self.shard.is_some_and(|s| !s.contains(&display)) {
            return None;
        }
        Some(Named {
            item,
            display,
            output,
        })
    }

    /// Queue one input or report it; false when the batch is stopping.
    fn dispatch(
        &self,
        id: u64,
        n: Named,
        task_tx: &SyncSender<Task>,
        ev_tx: &Sender<Event>,
    ) -> bool {
        if INTERRUPTED.load(Ordering::Relaxed) {
            return false;
        }
        let Named {
            item,
            display,
            output,
        } = n;
        let row = |kind: ErrorKind, msg: &str| {
            SummaryRow::error(&display, &output, kind, msg).with_source(None, &self.version)
        };
        let path = match item {
            Item::Input(f) if fs::symlink_metadata(&f.path).is_err() => {
                return ev_tx
                    .send(Event::Done(row(ErrorKind::Io, "no such file or directory")))
                    .is_ok();
            }
            Item::Input(f) => f.path,
            Item::Unreadable(_, reason) => {
                return ev_tx.send(Event::Done(row(ErrorKind::Io, &reason))).is_ok();
            }
            Item::EmptyRoot(_) => return true,
        };
        if let Some(prev) = self.earlier.get(&display)
            && prev.status == "ok"
            && prev.stem == output
            && prev.patterns_version.as_deref() == Some(self.version.as_str())
            && self.out.join(format!("{output}.json")).is_file()
            && prev.sha256.is_some()
            && prev.sha256 == file_sha(&path)
        {
            return ev_tx.send(Event::Skipped(prev.clone())).is_ok();
        }
        task_tx
            .send(Task {
                id,
                path,
                display,
                output,
            })
            .is_ok()
    }
}

#[derive(Default)]
struct Stats {
    /// Inputs of this run (this shard).
    expected: u64,
    /// Rows received (ok or error).
    done: u64,
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

/// The bar on stderr (hidden when it is not a terminal): with a known total, done/total,
/// rate and ETA; for a streamed list, the count and rate only.
fn progress_bar(total: Option<u64>) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let template = if total.is_some() {
        "{elapsed_precise} [{bar:30}] {pos}/{len} files, {per_sec}, ETA {eta} {msg}"
    } else {
        "{elapsed_precise} {pos} files, {per_sec} {msg}"
    };
    let pb = ProgressBar::with_draw_target(total, ProgressDrawTarget::stderr());
    pb.set_style(
        ProgressStyle::with_template(template)
            .expect("valid template")
            .progress_chars("=> "),
    );
    pb.enable_steady_tick(Duration::from_millis(200));
    pb
}

/// `--resume` appended to the command line, shell-quoted, for the Ctrl-C message.
pub fn resume_command(args: &[std::ffi::OsString]) -> String {
    let mut words: Vec<String> = args
        .iter()
        .map(|a| shell_quote(&a.to_string_lossy()))
        .collect();
    if !args.iter().any(|a| a == "--resume") {
        words.push("--resume".into());
    }
    words.join(" ")
}

fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./=:,+@%".contains(&b))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_resume_command_is_the_same_command_with_resume() {
        let args: Vec<std::ffi::OsString> = ["baogao", "extract", "my dir", "-o", "out"]
            .iter()
            .map(Into::into)
            .collect();
        assert_eq!(
            resume_command(&args),
            "baogao extract 'my dir' -o out --resume"
        );
        let args: Vec<std::ffi::OsString> = ["baogao", "extract", "--resume", "it's"]
            .iter()
            .map(Into::into)
            .collect();
        assert_eq!(resume_command(&args), "baogao extract --resume 'it'\\''s'");
    }
}
