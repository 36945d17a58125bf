//! OCR measurement: for each scanned PDF, write page images, OCR them with tesseract and
//! record where the CPU time goes. `scripts/ocr-bench.sh` runs this, then the PP-OCR
//! script on the same images, then `scripts/ocr_score.py` for the table in
//! `docs/ocr-measurements.md`.
//!
//! Usage: `cargo bench --bench ocr -- OUT_DIR JOBS [--render] PDF...`
//!
//! Per PDF it writes `OUT_DIR/<stem>/images/page-N.{jpg,tif}`,
//! `OUT_DIR/<stem>/tesseract-raw/page-N.txt` (engine text), `OUT_DIR/<stem>/tesseract/
//! page-N.txt` (after post-processing) and `OUT_DIR/<stem>/tesseract/timing.json`.
//! `--render` forces `pdftoppm` rendering instead of the embedded JPEG.
//!
//! `cargo bench --bench ocr -- --postprocess OUT_DIR ENGINE` re-cleans
//! `OUT_DIR/*/ENGINE-raw/page-N.txt` into `OUT_DIR/*/ENGINE/` (used for the PP-OCR text,
//! so both engines get the same post-processing, and to iterate on the rules without
//! re-running OCR).
//!
//! CPU time comes from `/proc/self/stat` (own threads, and reaped children = tesseract and
//! pdftoppm), so it is meaningful on a busy machine where wall time is not.

use std::path::{Path, PathBuf};
use std::time::Instant;

use baogao::ocr::raster::{PageSources, render_page};
use baogao::ocr::{OcrEngine, Tesseract, postprocess};
use rayon::prelude::*;

/// (own user+sys, children user+sys) CPU seconds so far.
fn cpu() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let rest = stat.rsplit_once(") ").map(|(_, r)| r).unwrap_or("");
    let f: Vec<f64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0.0))
        .collect();
    let tick = 100.0; // USER_HZ on Linux
    if f.len() < 15 {
        return (0.0, 0.0);
    }
    ((f[11] + f[12]) / tick, (f[13] + f[14]) / tick)
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if args.first().is_some_and(|a| a == "--postprocess") && args.len() == 3 {
        postprocess_dirs(Path::new(&args[1]), &args[2]);
        return;
    }
    let render = args.iter().any(|a| a == "--render");
    let args: Vec<&String> = args.iter().filter(|a| *a != "--render").collect();
    if args.len() < 3 {
        eprintln!("usage: cargo bench --bench ocr -- OUT_DIR JOBS [--render] PDF...");
        std::process::exit(2);
    }
    let out = PathBuf::from(args[0]);
    let jobs: usize = args[1].parse().expect("JOBS is a number");
    let engine = match Tesseract::new() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("ocr bench: {e}");
            std::process::exit(1);
        }
    };
    rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build_global()
        .expect("thread pool");
    for pdf in &args[2..] {
        measure(Path::new(pdf), &out, render, &engine);
    }
}

fn measure(pdf: &Path, out: &Path, render: bool, engine: &Tesseract) {
    let stem = pdf.file_stem().unwrap().to_string_lossy().to_string();
    let base = out.join(&stem);
    let images_dir = base.join("images");
    let raw_dir = base.join("tesseract-raw");
    let clean_dir = base.join("tesseract");
    for d in [&images_dir, &raw_dir, &clean_dir] {
        let _ = std::fs::remove_dir_all(d);
        std::fs::create_dir_all(d).unwrap();
    }

    // 1. Page images, one after the other.
    let (s0, c0) = cpu();
    let t0 = Instant::now();
    let sources = PageSources::open(pdf);
    let n = sources.page_count().expect("lopdf reads the PDF");
    let images: Vec<PathBuf> = (1..=n)
        .map(|p| {
            if render {
                render_page(pdf, p, &images_dir)
            } else {
                sources.image(pdf, p, &images_dir)
            }
            .unwrap()
        })
        .collect();
    let raster_wall = t0.elapsed().as_secs_f64();
    let (s1, c1) = cpu();
    let raster_cpu = (s1 - s0) + (c1 - c0);

    // 2. Engine, `jobs` pages at a time (the global pool).
    let t1 = Instant::now();
    let pages: Vec<_> = images
        .par_iter()
        .map(|img| engine.recognize_page(img).unwrap())
        .collect();
    let engine_wall = t1.elapsed().as_secs_f64();
    let (s2, c2) = cpu();
    let engine_cpu = c2 - c1;
    let own_during_engine = s2 - s1; // thread pool + TSV parsing

    // 3. Post-processing, repeated so that it registers in 10 ms ticks.
    let reps = 20;
    let t2 = Instant::now();
    let mut cleaned = Vec::new();
    for _ in 0..reps {
        cleaned = pages.iter().map(postprocess::clean_page).collect();
    }
    let post_wall = t2.elapsed().as_secs_f64() / reps as f64;
    let (s3, _) = cpu();
    let post_cpu = ((s3 - s2) / reps as f64).max(post_wall);

    for (i, (raw, clean)) in pages.iter().zip(&cleaned).enumerate() {
        let name = format!("page-{}.txt", i + 1);
        std::fs::write(raw_dir.join(&name), &raw.text).unwrap();
        std::fs::write(clean_dir.join(&name), &clean.text).unwrap();
    }
    let conf: Vec<String> = pages
        .iter()
        .map(|p| format!("{:.3}", p.mean_confidence.unwrap_or(-1.0)))
        .collect();
    let outside = raster_cpu + own_during_engine + post_cpu;
    let timing = format!(
        "{{\"engine\": \"tesseract\", \"pages\": {n}, \"jobs\": {}, \"image\": \"{}\", \
         \"wall_s\": {:.3}, \"engine_cpu_s\": {engine_cpu:.3}, \"raster_cpu_s\": {raster_cpu:.3}, \
         \"raster_wall_s\": {raster_wall:.3}, \"own_cpu_during_engine_s\": {own_during_engine:.3}, \
         \"post_cpu_s\": {post_cpu:.4}, \"outside_cpu_s\": {outside:.3}, \
         \"mean_confidence\": [{}]}}\n",
        rayon::current_num_threads(),
        if render { "pdftoppm" } else { "auto" },
        raster_wall + engine_wall + post_wall,
        conf.join(", ")
    );
    std::fs::write(clean_dir.join("timing.json"), &timing).unwrap();
    std::fs::write(raw_dir.join("timing.json"), &timing).unwrap();
    eprint!("{stem}: {timing}");
}

/// Clean `OUT/*/ENGINE-raw/page-*.txt` into `OUT/*/ENGINE/`, copying `timing.json`.
fn postprocess_dirs(out: &Path, engine: &str) {
    for stem in std::fs::read_dir(out).unwrap().flatten() {
        let raw = stem.path().join(format!("{engine}-raw"));
        let Ok(files) = std::fs::read_dir(&raw) else {
            continue;
        };
        let dest = stem.path().join(engine);
        std::fs::create_dir_all(&dest).unwrap();
        for f in files.flatten() {
            let name = f.file_name();
            let text = std::fs::read_to_string(f.path()).unwrap();
            let cleaned = if name.to_string_lossy().starts_with("page-") {
                postprocess::clean_ocr_text(&text)
            } else {
                text
            };
            std::fs::write(dest.join(&name), cleaned).unwrap();
        }
    }
}
