//! Sharing one output folder between processes without losing a line.
//!
//! Any number of `baogao extract` runs may write into the same `-o` at once (two shards,
//! the same shard twice, every partition of a Spark job): each holds a *shared* `flock` on
//! `<out>/.baogao.lock` while it converts, and appends its summary lines with `O_APPEND`
//! (one `write` per line, so lines of different processes never interleave or overwrite
//! each other). Only a run that is alone in the folder may start it afresh (truncate
//! `summary.jsonl`, remove stale temporary files), and only the *last* run to finish
//! compacts `summary.jsonl` and rebuilds `summary.csv` and the table CSVs from every
//! process's lines; the others leave that to it. Finishing is serialised by a second lock
//! (`.baogao.finish.lock`), so two runs ending together cannot both leave it to the other.
//! `flock` locks vanish with their process, so a killed run never blocks the folder.
//!
//! Appends are atomic on local file systems; on NFS give every job its own `-o` and use
//! `baogao merge`.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub const LOCK: &str = ".baogao.lock";
pub const FINISH_LOCK: &str = ".baogao.finish.lock";

/// This process's hold on an output folder.
pub struct FolderLock {
    run: File,
    out: PathBuf,
    /// Whether no other run was in the folder when this one started.
    pub alone: bool,
}

fn flock(f: &File, op: libc::c_int) -> bool {
    // SAFETY: flock on a descriptor we own.
    unsafe { libc::flock(f.as_raw_fd(), op) == 0 }
}

fn open_lock(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(path)
}

impl FolderLock {
    /// Join the folder (creating it): exclusively when no other run is in it, shared
    /// otherwise. Waits only while another run is starting or finishing (a moment).
    pub fn acquire(out: &Path) -> io::Result<FolderLock> {
        fs::create_dir_all(out)?;
        let run = open_lock(&out.join(LOCK))?;
        let started = Instant::now();
        let mut told = false;
        loop {
            if flock(&run, libc::LOCK_EX | libc::LOCK_NB) {
                return Ok(FolderLock {
                    run,
                    out: out.to_path_buf(),
                    alone: true,
                });
            }
            if flock(&run, libc::LOCK_SH | libc::LOCK_NB) {
                return Ok(FolderLock {
                    run,
                    out: out.to_path_buf(),
                    alone: false,
                });
            }
            if !told && started.elapsed() > Duration::from_secs(2) {
                eprintln!(
                    "baogao: waiting for {} ({})",
                    out.display(),
                    holders(&out.join(LOCK))
                );
                told = true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// After the start-up of a run that was alone: let other runs join.
    pub fn share(&self) {
        if self.alone {
            flock(&self.run, libc::LOCK_SH);
        }
    }

    /// End of a run: call `last` if no other run is still in the folder, and return
    /// whether it was called.
    pub fn finish<T>(self, last: impl FnOnce() -> T) -> io::Result<Option<T>> {
        let fin = open_lock(&self.out.join(FINISH_LOCK))?;
        if !flock(&fin, libc::LOCK_EX) {
            return Err(io::Error::last_os_error());
        }
        // Converting shared to exclusive; if it fails, our shared lock may be gone, which
        // is fine: this run is done.
        let result = flock(&self.run, libc::LOCK_EX | libc::LOCK_NB).then(last);
        drop(self.run);
        drop(fin);
        Ok(result)
    }

    /// For `baogao merge`: the folder alone or an error naming who holds it.
    pub fn exclusive(out: &Path) -> io::Result<FolderLock> {
        fs::create_dir_all(out)?;
        let run = open_lock(&out.join(LOCK))?;
        if flock(&run, libc::LOCK_EX | libc::LOCK_NB) {
            return Ok(FolderLock {
                run,
                out: out.to_path_buf(),
                alone: true,
            });
        }
        Err(io::Error::other(format!(
            "in use by another baogao run ({})",
            holders(&out.join(LOCK))
        )))
    }
}

/// `pid 123 on host h, …`: the processes of this host holding the lock, from
/// `/proc/locks` (runs on other hosts of a shared file system are not visible there).
pub fn holders(lock: &Path) -> String {
    use std::os::unix::fs::MetadataExt;
    let host = hostname();
    let Ok(meta) = fs::metadata(lock) else {
        return format!("lock {}", lock.display());
    };
    let ino = meta.ino().to_string();
    let pids: Vec<String> = fs::read_to_string("/proc/locks")
        .unwrap_or_default()
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            // `1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF` (`->` marks a waiter).
            let f: Vec<&str> = f.into_iter().filter(|x| *x != "->").collect();
            (f.get(1) == Some(&"FLOCK")
                && f.get(5).and_then(|d| d.rsplit(':').next()) == Some(&ino))
            .then(|| f[4].to_string())
        })
        .filter(|p| *p != std::process::id().to_string())
        .collect();
    if pids.is_empty() {
        format!("lock {} held from another host", lock.display())
    } else {
        format!("pid {} on {host}", pids.join(", "))
    }
}

pub fn hostname() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: the buffer is valid for its length.
    if unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) } != 0 {
        return "?".into();
    }
    let end = buf.iter().position(|b| *b == 0).unwrap_or(buf.len());
    String::from_utf8_lossy(&buf[..end]).into_owned()
}

/// Remove the temporary files (`.NAME.tmpPID`, see [`crate::emit::write_atomic`]) that a
/// killed run left anywhere under `out`; only called by a run that is alone in the folder.
/// Returns how many were removed.
pub fn remove_stale_temps(out: &Path) -> usize {
    let mut removed = 0;
    let mut todo = vec![out.to_path_buf()];
    while let Some(dir) = todo.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.filter_map(Result::ok) {
            let p = e.path();
            let Ok(ft) = e.file_type() else { continue };
            if ft.is_dir() {
                todo.push(p);
            } else if is_temp_name(&e.file_name().to_string_lossy()) && fs::remove_file(&p).is_ok()
            {
                removed += 1;
            }
        }
    }
    removed
}

fn is_temp_name(n: &str) -> bool {
    n.starts_with('.')
        && n.rsplit_once(".tmp")
            .is_some_and(|(_, pid)| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_names_are_recognised() {
        assert!(is_temp_name(".report.json.tmp1234"));
        assert!(is_temp_name(".targets.csv.tmp9"));
        assert!(!is_temp_name("report.json"));
        assert!(!is_temp_name(".baogao.lock"));
        assert!(!is_temp_name(".x.tmp"));
    }

    #[test]
    fn the_second_run_shares_and_only_the_last_finishes() {
        let dir = std::env::temp_dir().join(format!("baogao-lock-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let a = FolderLock::acquire(&dir).unwrap();
        assert!(a.alone);
        a.share();
        let b = FolderLock::acquire(&dir).unwrap();
        assert!(!b.alone, "a second run joins a folder in use");
        assert!(
            FolderLock::exclusive(&dir).is_err(),
            "merge is refused meanwhile"
        );
        assert_eq!(a.finish(|| 1).unwrap(), None, "b is still running");
        assert_eq!(b.finish(|| 2).unwrap(), Some(2), "b is the last");
        assert!(FolderLock::exclusive(&dir).is_ok());
        fs::create_dir_all(dir.join("sub")).unwrap();
        fs::write(dir.join("sub/.x.json.tmp42"), "").unwrap();
        fs::write(dir.join("x.json"), "").unwrap();
        assert_eq!(remove_stale_temps(&dir), 1);
        assert!(dir.join("x.json").exists());
        fs::remove_dir_all(&dir).unwrap();
    }
}
