//! Per-stage timings (divan) on the bundled seed report, text and PDF: where the time of
//! one conversion goes. Whole-run throughput against pdftotext and pdf-extract is measured
//! by `scripts/bench.sh`.

use baogao::clean::clean;
use baogao::extract::extract;
use baogao::load::{LoadOptions, OcrMode, load};
use baogao::rules::Rules;
use baogao::segment::segment;
use std::path::Path;

fn main() {
    divan::main();
}

fn sample(name: &str) -> (std::path::PathBuf, Vec<u8>) {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(name);
    let b = std::fs::read(&p).unwrap();
    (p, b)
}

fn opts() -> LoadOptions {
    LoadOptions {
        ocr: OcrMode::Never,
        ..LoadOptions::default()
    }
}

#[divan::bench]
fn load_pdf_stsong(b: divan::Bencher) {
    let (p, bytes) = sample("hanzhong-2020-stsong-cid.pdf");
    b.bench(|| load(&p, &bytes, &opts()).unwrap());
}

#[divan::bench]
fn clean_seed(b: divan::Bencher) {
    let (p, bytes) = sample("hanzhong-2020-dept-overall.txt");
    let doc = load(&p, &bytes, &opts()).unwrap();
    b.bench(|| clean(&doc));
}

#[divan::bench]
fn segment_seed(b: divan::Bencher) {
    let (p, bytes) = sample("hanzhong-2020-dept-overall.txt");
    let c = clean(&load(&p, &bytes, &opts()).unwrap());
    b.bench(|| segment(&c));
}

#[divan::bench]
fn extract_seed(b: divan::Bencher) {
    let (p, bytes) = sample("hanzhong-2020-dept-overall.txt");
    let c = clean(&load(&p, &bytes, &opts()).unwrap());
    let o = segment(&c);
    let set = Rules::builtin().unwrap().fields;
    b.bench(|| extract(&c, &o, &set));
}

#[divan::bench]
fn compile_rules() -> Rules {
    Rules::builtin().unwrap()
}

#[divan::bench]
fn whole_pipeline_seed_text(b: divan::Bencher) {
    let (p, _) = sample("hanzhong-2020-dept-overall.txt");
    let cfg = baogao::pipeline::Config::builtin();
    b.bench(|| baogao::pipeline::convert(&p, "seed", &cfg).unwrap());
}
