//! pdf-extract on its own, for the benchmark script: reads PDF paths from stdin and
//! extracts every page with `pdf_extract::extract_text_from_mem_by_pages` (under
//! `catch_unwind`, since it panics on predefined Chinese CMaps). Prints pages extracted
//! and files that failed, so `scripts/bench.sh` can report its pages/s next to baogao's.

use std::io::BufRead;

fn main() {
    let mut pages = 0usize;
    let mut failed = 0usize;
    for line in std::io::stdin().lock().lines() {
        let Ok(path) = line else { break };
        let Ok(bytes) = std::fs::read(path.trim()) else {
            failed += 1;
            continue;
        };
        // The default panic hook would print every panic; keep stderr quiet.
        std::panic::set_hook(Box::new(|_| {}));
        match std::panic::catch_unwind(|| pdf_extract::extract_text_from_mem_by_pages(&bytes)) {
            Ok(Ok(p)) => pages += p.len(),
            _ => failed += 1,
        }
    }
    println!("pages {pages} failed_files {failed}");
}
