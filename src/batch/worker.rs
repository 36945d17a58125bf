//! The worker side (`baogao worker`): read the configuration, then convert one input per
//! request and write its JSON, answering with the summary line. Runs under the limits the
//! supervisor set up (own process group) plus its own: `RLIMIT_AS` from the configuration,
//! no core dumps, death with the parent.

use super::fault;
use super::inputs::file_sha;
use super::protocol::{FromWorker, ToWorker, line};
use crate::emit::{SummaryRow, write_report};
use crate::pipeline::{Config, catch_crash, convert};
use crate::report::ErrorKind;
use std::fs;
use std::io::{BufRead, Write};
use std::path::Path;

/// Convert one file and write `<out>/<output>.json`; never panics: a panic becomes a
/// `crash` row. The row records the input's sha256 and the pattern-set version.
pub fn convert_one(f: &Path, display: &str, output: &str, out: &Path, cfg: &Config) -> SummaryRow {
    let res = catch_crash(|| {
        fault::inject(display);
        convert(f, display, cfg)
    });
    let version = &cfg.rules.version;
    match res {
        Ok(report) => match write_report(out, output, &report) {
            Ok(_) => SummaryRow::ok(display, output, &report).with_source(None, version),
            Err(e) => SummaryRow::error(
                display,
                output,
                ErrorKind::Io,
                &format!("writing output: {e}"),
            )
            .with_source(Some(report.source.sha256.clone()), version),
        },
        Err(e) => {
            SummaryRow::error(display, output, e.kind, &e.message).with_source(file_sha(f), version)
        }
    }
}

fn set_limit(resource: libc::__rlimit_resource_t, bytes: u64) {
    let lim = libc::rlimit {
        rlim_cur: bytes as libc::rlim_t,
        rlim_max: bytes as libc::rlim_t,
    };
    // SAFETY: plain syscall on a valid struct.
    if unsafe { libc::setrlimit(resource, &lim) } != 0 {
        eprintln!(
            "baogao worker: setrlimit: {}",
            std::io::Error::last_os_error()
        );
    }
}

/// `baogao worker`: the first stdin line is the configuration, then requests until stdin
/// closes. Exit code 2 when the configuration cannot be built.
pub fn worker_main() -> i32 {
    die_with_parent();
    // A panic becomes a `crash` row with its message (see `convert_one`); printing a
    // backtrace (RUST_BACKTRACE) would only spend the file's time limit on symbolizing.
    std::panic::set_hook(Box::new(|info| eprintln!("baogao worker: {info}")));
    // An aborting worker must not spend seconds writing a core file of up to --max-memory.
    set_limit(libc::RLIMIT_CORE, 0);
    let mut proto = match protocol_channel() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("baogao worker: {e}");
            return 2;
        }
    };
    let mut send = |msg: &FromWorker| {
        proto
            .write_all(line(msg).as_bytes())
            .and_then(|_| proto.flush())
            .is_ok()
    };
    let mut lines = std::io::stdin().lock().split(b'\n');
    let first = lines
        .next()
        .and_then(Result::ok)
        .map(|l| serde_json::from_slice::<ToWorker>(&l));
    let wc = match first {
        Some(Ok(ToWorker::Config(wc))) => wc,
        Some(Ok(_)) | Some(Err(_)) => {
            send(&FromWorker::Failed {
                message: "the first message must be the configuration".into(),
            });
            return 2;
        }
        None => return 0,
    };
    let cfg = match wc.to_config() {
        Ok(c) => c,
        Err(message) => {
            send(&FromWorker::Failed { message });
            return 2;
        }
    };
    if let Some(mb) = wc.max_memory_mb {
        set_limit(libc::RLIMIT_AS, mb.saturating_mul(1 << 20));
    }
    let out = wc.out.to_path();
    if !send(&FromWorker::Ready {
        patterns_version: cfg.rules.version.clone(),
    }) {
        return 0;
    }
    for l in lines {
        let Ok(l) = l else { break };
        let Ok(ToWorker::Convert(req)) = serde_json::from_slice::<ToWorker>(&l) else {
            continue;
        };
        let row = convert_one(&req.path.to_path(), &req.display, &req.output, &out, &cfg);
        if !send(&FromWorker::Done {
            id: req.id,
            row: row.to_json(),
        }) {
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
