//! Command-line interface: argument parsing. The batch machinery is in [`crate::batch`].
//!
//! Kept in the library (not `main.rs`) so the integration tests can drive the exact code
//! the binary runs. Exit codes: [`crate::batch::exit`] (also in `--help`).

use crate::batch::{BatchOptions, Shard, exit};
use crate::load::OcrMode;
use crate::pipeline::{Config, analyze};
use crate::rules::Rules;
use clap::{Parser, Subcommand, ValueEnum};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Shown under `--help` of `baogao` and `baogao extract`.
const EXIT_CODES: &str = "\
Exit codes:
  0    every input converted (with --errors-ok: or recorded with an error kind)
  1    some input failed; its error row is in summary.jsonl / summary.csv
  2    usage: bad arguments, broken pattern file, unusable -o, no input, merge refused
  3    the run itself failed: summaries not written, an input lost
  130  interrupted (Ctrl-C): what finished is recorded; rerun with --resume

Examples:
  baogao extract reports/ -o out --review 0.8      # a folder; review.csv of doubtful values
  find /archive -name '*.pdf' | sort > all.txt
  baogao extract --files-from all.txt --relative-to /archive --shard 2/4 -o out/2 --resume --errors-ok
  baogao merge out/1 out/2 out/3 out/4 -o out/all   # the shards' folders into one
  baogao extract report.pdf -o - | jq .fields       # one report to stdout";

#[derive(Parser, Debug)]
#[command(
    name = "baogao",
    version,
    about = "Turn Chinese performance-evaluation reports (PDF, text, web pages, Word, spreadsheets, images, OFD) into checked JSON",
    after_help = EXIT_CODES
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Convert files (or every input file under directories: see --formats) into one JSON
    /// per input.
    #[command(after_help = EXIT_CODES)]
    Extract(ExtractArgs),
    /// Combine the output folders of shards into one (one summary, the table CSVs, the
    /// review list); refuses an input found in two folders with different results.
    #[command(after_help = EXIT_CODES)]
    Merge {
        /// Output folders of `baogao extract` (shards).
        #[arg(required = true, value_name = "DIRS")]
        dirs: Vec<PathBuf>,
        /// The merged folder (new or empty).
        #[arg(short, long)]
        out: PathBuf,
        /// Also write review.csv of the merged batch (as `extract --review`).
        #[arg(long, value_name = "THRESHOLD", value_parser = unit_interval)]
        review: Option<f64>,
        /// Start every CSV with a UTF-8 byte-order mark (as `extract --csv-bom`).
        #[arg(long)]
        csv_bom: bool,
        /// Also write batch.xlsx (as `extract --xlsx`).
        #[arg(long)]
        xlsx: bool,
    },
    /// Show the cleaned text, the heading tree and every pattern match of one file.
    Inspect(InspectArgs),
    /// Print the JSON Schema of the report (or of one summary.jsonl line).
    Schema {
        #[arg(value_enum, default_value_t = SchemaArg::Report)]
        which: SchemaArg,
    },
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
    /// Internal: convert the files named on stdin for a parent `extract` (the first line is
    /// the configuration, then one JSON request line in, one JSON result line out per file).
    #[command(hide = true)]
    Worker,
}

/// `--review` takes a confidence, 0 to 1.
fn unit_interval(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .parse()
        .map_err(|_| format!("expected a number from 0 to 1, got {s:?}"))?;
    if (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("a confidence is from 0 to 1, got {v}"))
    }
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

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaArg {
    Report,
    Summary,
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
    /// Output directory; `-` prints the JSON of the one input to stdout instead (no summaries).
    #[arg(short, long, default_value = "output")]
    pub out: PathBuf,
    /// Name each output by the input's path relative to DIR, mirrored under -o
    /// (`DIR/a/report.pdf` → `a/report.json`), so names depend on the input alone. Inputs
    /// found under a directory given as input are always named relative to it.
    #[arg(long, value_name = "DIR")]
    pub relative_to: Option<PathBuf>,
    /// Files converted in parallel, each in its own worker process (default: number of CPUs).
    #[arg(short, long)]
    pub jobs: Option<usize>,
    /// Give up on a file after SECS seconds (error kind `timeout`); 0 = no limit. A text
    /// PDF takes well under a second; OCR takes 2–5 s per scanned page.
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    pub timeout: u64,
    /// Memory limit per worker process in MiB (error kind `too_large`); 0 = no limit. No
    /// report measured here needs more than about 110 MiB, OCR included.
    #[arg(long, value_name = "MB", default_value_t = 1024)]
    pub max_memory: u64,
    /// Skip inputs whose output exists and whose summary line has the same content
    /// sha256 and pattern-set version; keep the existing summary lines.
    #[arg(long)]
    pub resume: bool,
    /// Print every input's summary line (JSON) to stdout as it finishes, including the
    /// lines of the inputs --resume skips.
    #[arg(long)]
    pub json: bool,
    /// Exit 0 when every input was converted or recorded with an error kind (for schedulers
    /// that retry failed tasks); non-zero only when the run itself failed.
    #[arg(long)]
    pub errors_ok: bool,
    /// Also write review.csv: every value with confidence below THRESHOLD, with file, page,
    /// snippet and reason — the list a person checks by hand.
    #[arg(long, value_name = "THRESHOLD", value_parser = unit_interval)]
    pub review: Option<f64>,
    /// Start every CSV with a UTF-8 byte-order mark, so Excel opens it with Chinese intact.
    #[arg(long)]
    pub csv_bom: bool,
    /// Also write batch.xlsx: reports, fields, targets, indicators, findings, checks and
    /// review as sheets, numbers as numbers.
    #[arg(long)]
    pub xlsx: bool,
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
pub struct InspectArgs {
    pub file: PathBuf,
    #[command(flatten)]
    pub pat: PatternArgs,
}

/// Run the CLI with the given arguments; returns the process exit code.
pub fn run(args: Vec<OsString>) -> i32 {
    let resume_command = crate::batch::resume_command(&args);
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    match cli.command {
        Command::Schema { which } => {
            let s = match which {
                SchemaArg::Report => crate::emit::schema(),
                SchemaArg::Summary => crate::emit::summary_schema(),
            };
            println!(
                "{}",
                serde_json::to_string_pretty(&s).expect("schema serializes")
            );
            0
        }
        Command::Extract(a) => match config(&a.pat) {
            Ok(cfg) if a.out.as_os_str() == "-" => to_stdout(&a, &cfg),
            Ok(cfg) => extract(a, cfg, resume_command),
            Err(code) => code,
        },
        Command::Merge {
            dirs,
            out,
            review,
            csv_bom,
            xlsx,
        } => crate::batch::merge::run(
            &dirs,
            &out,
            &crate::emit::EmitOptions {
                review,
                csv_bom,
                xlsx,
            },
        ),
        Command::Worker => crate::batch::worker_main(),
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
        exit::USAGE
    })?;
    cfg.load.ocr = match p.ocr {
        OcrArg::Auto => OcrMode::Auto,
        OcrArg::Always => OcrMode::Always,
        OcrArg::Never => OcrMode::Never,
    };
    cfg.load.ocr_jobs = p.ocr_jobs;
    Ok(cfg)
}

/// `extract FILE -o -`: convert one file in this process and print its JSON.
fn to_stdout(a: &ExtractArgs, cfg: &Config) -> i32 {
    let [file] = a.inputs.as_slice() else {
        eprintln!("baogao: -o - prints one report: give exactly one file");
        return exit::USAGE;
    };
    if a.files_from.is_some() || file.is_dir() {
        eprintln!("baogao: -o - prints one report: give exactly one file, not a folder or list");
        return exit::USAGE;
    }
    let display = file.display().to_string();
    match crate::pipeline::convert(file, &display, cfg) {
        Ok(report) => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            match out
                .write_all(crate::emit::report_json(&report).as_bytes())
                .and_then(|_| out.flush())
            {
                Ok(()) => exit::OK,
                Err(e) => {
                    eprintln!("baogao: stdout: {e}");
                    exit::RUN_FAILED
                }
            }
        }
        Err(e) => {
            eprintln!("baogao: {display}: {} ({})", e.message, e.kind);
            if a.errors_ok {
                exit::OK
            } else {
                exit::SOME_FAILED
            }
        }
    }
}

fn extract(a: ExtractArgs, cfg: Config, resume_command: String) -> i32 {
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
        emit: crate::emit::EmitOptions {
            review: a.review,
            csv_bom: a.csv_bom,
            xlsx: a.xlsx,
        },
        shard: a.shard,
        relative_to: a.relative_to,
        errors_ok: a.errors_ok,
        resume_command,
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
