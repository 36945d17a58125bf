//! Command-line interface: argument parsing. The batch machinery is in [`crate::batch`].
//!
//! Kept in the library (not `main.rs`) so the integration tests can drive the exact code
//! the binary runs. Exit codes: 0 every input converted, 1 some input failed, 2 usage or
//! pattern-file error.

use crate::batch::{BatchOptions, Shard};
use crate::load::OcrMode;
use crate::pipeline::{Config, analyze};
use crate::rules::Rules;
use clap::{Parser, Subcommand, ValueEnum};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

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
    /// Convert files (or every input file under directories: see --formats) into one JSON
    /// per input.
    Extract(ExtractArgs),
    /// Show the cleaned text, the heading tree and every pattern match of one file.
    Inspect(InspectArgs),
    /// Print the JSON Schema of the report.
    Schema,
    /// Score report JSON (`OUTPUT_DIR/<id>.json`) against truth files (`DIR/<id>.truth.json`).
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
    /// Internal: convert the files named on stdin for a parent `extract` (one JSON request
    /// line in, one JSON result line out per file).
    #[command(hide = true)]
    Worker(WorkerArgs),
}

#[derive(clap::Args, Debug, Clone)]
pub struct PatternArgs {
    /// Directory of rule files (*.toml) layered over the built-in rules: a file named like a
    /// built-in one (money.toml, grids.toml, tables.toml, …) replaces it; any other file adds
    /// field patterns (one with an existing id replaces it). Every file is validated and its
    /// examples are run before any input is read.
    #[arg(long, value_name = "DIR")]
    pub patterns: Option<PathBuf>,
    /// Use only the patterns in --patterns, not the built-in set.
    #[arg(long, requires = "patterns")]
    pub patterns_only: bool,
    /// OCR scanned or garbled pages: auto (when the text layer is unusable), always, never.
    #[arg(long, value_enum, default_value_t = OcrArg::Auto)]
    pub ocr: OcrArg,
    /// Pages of one scanned file OCRed at once (files already run in parallel with
    /// --jobs; raise this for a few large scans).
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub ocr_jobs: usize,
}

impl PatternArgs {
    /// The same options as command-line arguments, for a worker process.
    pub fn to_args(&self) -> Vec<OsString> {
        let mut a = Vec::new();
        if let Some(dir) = &self.patterns {
            a.push("--patterns".into());
            a.push(dir.clone().into_os_string());
        }
        if self.patterns_only {
            a.push("--patterns-only".into());
        }
        a.push("--ocr".into());
        a.push(
            match self.ocr {
                OcrArg::Auto => "auto",
                OcrArg::Always => "always",
                OcrArg::Never => "never",
            }
            .into(),
        );
        a.push("--ocr-jobs".into());
        a.push(self.ocr_jobs.to_string().into());
        a
    }
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum OcrArg {
    Auto,
    Always,
    Never,
}

#[derive(clap::Args, Debug, Clone)]
pub struct ExtractArgs {
    /// Input files or directories (walked for the files of every format, or of --formats).
    #[arg(required_unless_present = "files_from", value_name = "FILES_OR_DIRS")]
    pub inputs: Vec<PathBuf>,
    /// Also convert the files or directories listed in LIST, one per line (`-`: stdin).
    #[arg(long, value_name = "LIST")]
    pub files_from: Option<PathBuf>,
    /// Output directory.
    #[arg(short, long, default_value = "output")]
    pub out: PathBuf,
    /// Files converted in parallel, each in its own worker process (default: number of CPUs).
    #[arg(short, long)]
    pub jobs: Option<usize>,
    /// Give up on a file after SECS seconds (error kind `timeout`); 0 = no limit. A text
    /// PDF takes well under a second; OCR takes 2–5 s per scanned page.
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    pub timeout: u64,
    /// Memory limit per worker process in MiB (error kind `too_large`); 0 = no limit.
    #[arg(long, value_name = "MB", default_value_t = 2048)]
    pub max_memory: u64,
    /// Skip inputs whose output exists and whose summary line has the same content
    /// sha256 and pattern-set version; keep the existing summary lines.
    #[arg(long)]
    pub resume: bool,
    /// Print each finished file's summary line (JSON) to stdout as it finishes.
    #[arg(long)]
    pub json: bool,
    /// Also write review.csv: every value with confidence below THRESHOLD, with file, page,
    /// snippet and reason — the list a person checks by hand.
    #[arg(long, value_name = "THRESHOLD")]
    pub review: Option<f64>,
    /// Convert only shard K of N (1-based): inputs whose path hashes (FNV-1a) to K-1 mod N.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
    /// Debugging: convert in threads of this process; no timeout or memory limit, and a
    /// crash in a parser takes the whole batch down.
    #[arg(long)]
    pub in_process: bool,
    /// Directory walks take only these formats (comma-separated: pdf, txt, html, docx,
    /// doc, sheet, image, ofd, or an extension such as xlsx). Default: all.
    #[arg(long, value_delimiter = ',', value_parser = crate::load::format::Format::parse)]
    pub formats: Option<Vec<crate::load::format::Format>>,
    #[command(flatten)]
    pub pat: PatternArgs,
}

#[derive(clap::Args, Debug, Clone)]
pub struct WorkerArgs {
    #[arg(long)]
    pub out: PathBuf,
    #[arg(long, value_name = "MB")]
    pub max_memory: Option<u64>,
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
            Ok(cfg) => extract(a, cfg),
            Err(code) => code,
        },
        Command::Worker(a) => match config(&a.pat) {
            Ok(cfg) => crate::batch::worker_main(&a.out, a.max_memory.filter(|m| *m > 0), &cfg),
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
    let rules = match &p.patterns {
        Some(dir) => Rules::with_dir(dir, p.patterns_only),
        None => Rules::builtin(),
    };
    let mut cfg = rules.and_then(Config::with_rules).map_err(|e| {
        eprintln!("baogao: {e}");
        2
    })?;
    cfg.load.ocr = match p.ocr {
        OcrArg::Auto => OcrMode::Auto,
        OcrArg::Always => OcrMode::Always,
        OcrArg::Never => OcrMode::Never,
    };
    cfg.load.ocr_jobs = p.ocr_jobs;
    Ok(cfg)
}

fn extract(a: ExtractArgs, cfg: Config) -> i32 {
    if let Some(missing) = a.inputs.iter().find(|i| !i.exists()) {
        eprintln!("baogao: {}: no such file or directory", missing.display());
        return 2;
    }
    let jobs = a
        .jobs
        .filter(|j| *j > 0)
        .or_else(|| std::thread::available_parallelism().ok().map(|n| n.get()))
        .unwrap_or(1);
    if let Some(f) = a.formats {
        crate::load::format::set_walk_formats(f);
    }
    let opts = BatchOptions {
        inputs: a.inputs,
        files_from: a.files_from,
        out: a.out,
        jobs,
        timeout: (a.timeout > 0).then(|| Duration::from_secs(a.timeout)),
        max_memory_mb: (a.max_memory > 0).then_some(a.max_memory),
        in_process: a.in_process,
        resume: a.resume,
        json: a.json,
        review: a.review,
        shard: a.shard,
        config_args: a.pat.to_args(),
    };
    crate::batch::run(opts, cfg)
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
