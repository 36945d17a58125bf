//! Command-line interface: argument parsing and the batch loop.
//!
//! Kept in the library (not `main.rs`) so the integration tests can drive the exact code
//! the binary runs. Exit codes: 0 every input converted, 1 some input failed, 2 usage or
//! pattern-file error.

use crate::emit::{SummaryLog, SummaryRow, summary_csv, write_atomic, write_report};
use crate::load::OcrMode;
use crate::patterns::PatternSet;
use crate::pipeline::{Config, analyze, convert};
use clap::{Parser, Subcommand, ValueEnum};
use rayon::prelude::*;
use std::collections::HashMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

#[derive(Parser, Debug)]
#[command(
    name = "baogao",
    version,
    about = "Turn Chinese performance-evaluation reports (PDF or text) into checked JSON"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Convert files (or every .pdf/.txt under directories) into one JSON per input.
    Extract(ExtractArgs),
    /// Show the cleaned text, the heading tree and every pattern match of one file.
    Inspect(InspectArgs),
    /// Print the JSON Schema of the report.
    Schema,
    /// Score report JSON (OUTPUT_DIR/<id>.json) against truth files (DIR/<id>.truth.json).
    Eval {
        #[arg(long, value_name = "DIR")]
        truth: PathBuf,
        output_dir: PathBuf,
        /// Only these ids (comma-separated), as score.py --ids.
        #[arg(long, value_delimiter = ',')]
        ids: Option<Vec<String>>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(clap::Args, Debug, Clone)]
pub struct PatternArgs {
    /// Directory of pattern files (*.toml) that replace built-in patterns with the same id
    /// and add new ones.
    #[arg(long, value_name = "DIR")]
    pub patterns: Option<PathBuf>,
    /// Use only the patterns in --patterns, not the built-in set.
    #[arg(long, requires = "patterns")]
    pub patterns_only: bool,
    /// OCR scanned or garbled pages: auto (when the text layer is unusable), always, never.
    #[arg(long, value_enum, default_value_t = OcrArg::Auto)]
    pub ocr: OcrArg,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum OcrArg {
    Auto,
    Always,
    Never,
}

#[derive(clap::Args, Debug, Clone)]
pub struct ExtractArgs {
    /// Input files or directories (walked for .pdf and .txt).
    #[arg(required = true, value_name = "FILES_OR_DIRS")]
    pub inputs: Vec<PathBuf>,
    /// Output directory.
    #[arg(short, long, default_value = "output")]
    pub out: PathBuf,
    /// Files converted in parallel (default: number of CPUs).
    #[arg(short, long)]
    pub jobs: Option<usize>,
    #[command(flatten)]
    pub pat: PatternArgs,
}

#[derive(clap::Args, Debug, Clone)]
pub struct InspectArgs {
    pub file: PathBuf,
    #[command(flatten)]
    pub pat: PatternArgs,
}

/// Run the CLI with the given arguments; returns the process exit code.
pub fn run(args: Vec<OsString>) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    match cli.command {
        Command::Schema => {
            println!(
                "{}",
                serde_json::to_string_pretty(&crate::emit::schema()).expect("schema serializes")
            );
            0
        }
        Command::Extract(a) => match config(&a.pat) {
            Ok(cfg) => extract(&a, &cfg),
            Err(code) => code,
        },
        Command::Inspect(a) => match config(&a.pat) {
            Ok(cfg) => inspect(&a.file, &cfg),
            Err(code) => code,
        },
        Command::Eval {
            truth,
            output_dir,
            ids,
            json,
        } => eval_cmd(&truth, &output_dir, ids.as_deref(), json),
    }
}

fn eval_cmd(truth: &Path, out: &Path, ids: Option<&[String]>, json: bool) -> i32 {
    crate::eval::run_eval(truth, out, ids, json)
}

fn config(p: &PatternArgs) -> Result<Config, i32> {
    let patterns = match &p.patterns {
        Some(dir) => PatternSet::with_dir(dir, p.patterns_only),
        None => PatternSet::builtin(),
    };
    let patterns = patterns.map_err(|e| {
        eprintln!("baogao: {e}");
        2
    })?;
    let mut cfg = Config::builtin();
    cfg.patterns = patterns;
    cfg.load.ocr = match p.ocr {
        OcrArg::Auto => OcrMode::Auto,
        OcrArg::Always => OcrMode::Always,
        OcrArg::Never => OcrMode::Never,
    };
    Ok(cfg)
}

/// Expand directories into their .pdf/.txt files (sorted); keep files as given.
pub fn collect_inputs(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for i in inputs {
        if i.is_dir() {
            walk(i, &mut out).map_err(|e| format!("{}: {e}", i.display()))?;
        } else if i.exists() {
            out.push(i.clone());
        } else {
            return Err(format!("{}: no such file or directory", i.display()));
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out)?;
        } else if p
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("pdf") || e.eq_ignore_ascii_case("txt"))
        {
            out.push(p);
        }
    }
    Ok(())
}

/// Output stems, unique within the batch: the file stem, then `-2`, `-3` … for repeats
/// in input order (so the same input list always gives the same names).
pub fn output_stems(files: &[PathBuf]) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    files
        .iter()
        .map(|f| {
            let stem = f
                .file_stem()
                .map_or_else(|| "input".into(), |s| s.to_string_lossy().into_owned());
            let n = seen.entry(stem.clone()).or_default();
            *n += 1;
            if *n == 1 { stem } else { format!("{stem}-{n}") }
        })
        .collect()
}

fn extract(a: &ExtractArgs, cfg: &Config) -> i32 {
    let files = match collect_inputs(&a.inputs) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("baogao: {e}");
            return 2;
        }
    };
    if files.is_empty() {
        eprintln!("baogao: no .pdf or .txt input found");
        return 2;
    }
    let stems = output_stems(&files);
    let log = match SummaryLog::open(&a.out, false) {
        Ok(l) => Mutex::new(l),
        Err(e) => {
            eprintln!("baogao: {}: {e}", a.out.display());
            return 2;
        }
    };
    let pool = match rayon::ThreadPoolBuilder::new()
        .num_threads(a.jobs.unwrap_or(0))
        .build()
    {
        Ok(p) => p,
        Err(e) => {
            eprintln!("baogao: {e}");
            return 2;
        }
    };
    let rows: Vec<SummaryRow> = pool.install(|| {
        files
            .par_iter()
            .zip(stems.par_iter())
            .map(|(f, stem)| {
                let display = f.display().to_string();
                let row = convert_one(f, &display, stem, &a.out, cfg);
                if let Some(e) = &row.error {
                    eprintln!("baogao: {display}: {e}");
                }
                if let Err(e) = log.lock().map(|mut l| l.append(&row)) {
                    eprintln!("baogao: summary.jsonl: {e:?}");
                }
                row
            })
            .collect()
    });
    if let Err(e) = write_atomic(&a.out.join("summary.csv"), summary_csv(&rows).as_bytes()) {
        eprintln!("baogao: summary.csv: {e}");
        return 1;
    }
    let failed = rows.iter().filter(|r| r.status != "ok").count();
    eprintln!(
        "baogao: {} converted, {failed} failed, output in {}",
        rows.len() - failed,
        a.out.display()
    );
    if failed > 0 { 1 } else { 0 }
}

/// Convert one file, never letting a panic escape: a panic becomes an error row.
fn convert_one(f: &Path, display: &str, stem: &str, out: &Path, cfg: &Config) -> SummaryRow {
    let res = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| convert(f, display, cfg)));
    match res {
        Ok(Ok(report)) => match write_report(out, stem, &report) {
            Ok(_) => SummaryRow::ok(display, stem, &report),
            Err(e) => SummaryRow::error(display, stem, "io", &format!("writing output: {e}")),
        },
        Ok(Err(e)) => SummaryRow::error(display, stem, e.kind, &e.message),
        Err(p) => {
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".into());
            SummaryRow::error(display, stem, "internal", &format!("internal error: {msg}"))
        }
    }
}

fn inspect(file: &Path, cfg: &Config) -> i32 {
    let display = file.display().to_string();
    let a = match analyze(file, &display, cfg) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("baogao: {display}: {e}");
            return 1;
        }
    };
    println!(
        "== {display}: {} page(s), text layer {}",
        a.report.source.pages, a.report.source.text_layer
    );
    for p in &a.loaded.pages {
        println!(
            "   page {}: backend {}, verdict {}, {} chars",
            p.number,
            p.backend,
            p.verdict,
            p.text.chars().count()
        );
    }
    println!("\n== outline (level, page, marker, title)");
    for n in &a.outline.nodes {
        println!(
            "{}{} p{} {} {}",
            "  ".repeat(n.level),
            n.level,
            a.clean.page_at(n.start),
            n.marker,
            n.title.chars().take(50).collect::<String>()
        );
    }
    println!("\n== cleaned text (line: text)");
    for (i, l) in a.clean.text.lines().enumerate() {
        println!("{:5}: {l}", i + 1);
    }
    println!("\n== pattern matches (key = value  pattern  page  raw)");
    for c in &a.candidates {
        let chosen = a
            .report
            .fields
            .get(&c.key)
            .is_some_and(|f| f.pattern == c.pattern && f.raw == c.raw);
        println!(
            "{} {} = {}  {}  p{}  {:?}",
            if chosen { "*" } else { " " },
            c.key,
            c.value,
            c.pattern,
            c.page,
            c.raw
        );
    }
    println!("\n== report");
    print!("{}", crate::emit::report_json(&a.report));
    0
}
