//! `baogao merge DIR… -o DIR`: the output folders of several shards (or machines) → one
//! folder, as if one run had converted every input: every `<name>.json`, one
//! `summary.jsonl`/`summary.csv` with one header, and the table CSVs and review list
//! rebuilt from the merged rows.
//!
//! An input that appears in two folders is refused, unless both hold the same result (same
//! summary line and the same JSON bytes: a task that was retried on another machine), which
//! is merged once and counted. Two different inputs with the same output name are refused.

use super::exit;
use super::folder::FolderLock;
use crate::emit::{
    EmitOptions, SummaryLog, SummaryRow, finish_batch, latest_rows, read_summary, write_atomic,
};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// Merge `dirs` into `out`; returns the exit code (see [`exit`]).
pub fn run(dirs: &[PathBuf], out: &Path, emit: &EmitOptions) -> i32 {
    match merge(dirs, out, emit) {
        Ok(msg) => {
            eprintln!("{msg}");
            exit::OK
        }
        Err((code, msgs)) => {
            for m in msgs {
                eprintln!("baogao: {m}");
            }
            code
        }
    }
}

type Failure = (i32, Vec<String>);

fn usage(msg: String) -> Failure {
    (exit::USAGE, vec![msg])
}

fn merge(dirs: &[PathBuf], out: &Path, emit: &EmitOptions) -> Result<String, Failure> {
    let dest_real = out.canonicalize().ok();
    for d in dirs {
        if !d.join("summary.jsonl").is_file() {
            return Err(usage(format!(
                "{}: not a baogao output folder (no summary.jsonl)",
                d.display()
            )));
        }
        if dest_real.is_some() && d.canonicalize().ok() == dest_real {
            return Err(usage(format!(
                "{}: cannot merge a folder into itself",
                d.display()
            )));
        }
    }
    let lock = FolderLock::exclusive(out).map_err(|e| usage(format!("{}: {e}", out.display())))?;
    if fs::metadata(out.join("summary.jsonl")).is_ok_and(|m| m.len() > 0) {
        return Err(usage(format!(
            "{}: already holds a batch; merge into a new folder",
            out.display()
        )));
    }

    // file → (row, folder); output name → file.
    let mut rows: BTreeMap<String, (SummaryRow, &Path)> = BTreeMap::new();
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    let mut per_dir = Vec::new();
    let mut identical = 0usize;
    let mut refused = Vec::new();
    for d in dirs {
        let these =
            latest_rows(read_summary(d).map_err(|e| usage(format!("{}: {e}", d.display())))?);
        per_dir.push((d, these.len()));
        for r in these {
            let json = |dir: &Path| fs::read(dir.join(format!("{}.json", r.stem))).ok();
            if r.status == "ok" && json(d).is_none() {
                refused.push(format!(
                    "{}: {} is recorded as converted but {}.json is missing",
                    d.display(),
                    r.file,
                    r.stem
                ));
                continue;
            }
            if let Some((prev, pd)) = rows.get(&r.file) {
                if prev.to_json() == r.to_json() && (r.status != "ok" || json(pd) == json(d)) {
                    identical += 1;
                } else {
                    refused.push(format!(
                        "{} is in {} and in {} with different results",
                        r.file,
                        pd.display(),
                        d.display()
                    ));
                }
                continue;
            }
            if let Some(owner) = names.get(&r.stem) {
                refused.push(format!(
                    "{} and {} both have the output name {}.json",
                    owner, r.file, r.stem
                ));
                continue;
            }
            names.insert(r.stem.clone(), r.file.clone());
            rows.insert(r.file.clone(), (r, d.as_path()));
        }
    }
    if !refused.is_empty() {
        refused.push(format!("nothing merged into {}", out.display()));
        return Err((exit::USAGE, refused));
    }

    let io = |what: &str, e: std::io::Error| (exit::RUN_FAILED, vec![format!("{what}: {e}")]);
    let mut log = SummaryLog::open(out, false).map_err(|e| io(&out.display().to_string(), e))?;
    for (row, dir) in rows.values() {
        if row.status == "ok" {
            let name = format!("{}.json", row.stem);
            let bytes = fs::read(dir.join(&name))
                .map_err(|e| io(&dir.join(&name).display().to_string(), e))?;
            write_atomic(&out.join(&name), &bytes)
                .map_err(|e| io(&out.join(&name).display().to_string(), e))?;
        }
        log.append(row).map_err(|e| io("summary.jsonl", e))?;
    }
    drop(log);
    let merged = finish_batch(out, emit).map_err(|e| io("summary and table files", e))?;
    drop(lock);

    let mut msg = format!(
        "baogao: merged {} input(s) from {} folder(s) (",
        merged.len(),
        dirs.len()
    );
    msg.push_str(
        &per_dir
            .iter()
            .map(|(d, n)| format!("{} {n}", d.display()))
            .collect::<Vec<_>>()
            .join(", "),
    );
    msg.push(')');
    if identical > 0 {
        msg.push_str(&format!("; {identical} identical duplicate(s) merged once"));
    }
    if emit.review.is_none() && dirs.iter().any(|d| d.join("review.csv").is_file()) {
        msg.push_str("; the folders have review.csv: pass --review THRESHOLD to rebuild it");
    }
    msg.push_str(&format!("; output in {}", out.display()));
    Ok(msg)
}
