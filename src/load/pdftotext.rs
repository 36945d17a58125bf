//! Backend `pdftotext`: poppler's `pdftotext -layout` as a subprocess, when installed.
//!
//! With the `poppler-data` package poppler decodes the predefined CJK CMaps (GBK-EUC-H,
//! UniGB-UCS2-H, …) and it repairs many damaged files. `-layout` keeps one visual line per
//! text line and pads table columns with spaces; runs of 2+ spaces inside a line become a
//! tab (the clean stage's cell separator).

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Give up on one document after this long.
const TIMEOUT: Duration = Duration::from_secs(60);

/// Whether `pdftotext` runs on this machine (checked once).
pub fn available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(|| {
        Command::new("pdftotext")
            .arg("-v")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok()
    })
}

struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn temp_path(ext: &str) -> TempFile {
    static N: AtomicUsize = AtomicUsize::new(0);
    TempFile(std::env::temp_dir().join(format!(
        "baogao-{}-{}.{ext}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )))
}

/// Text of every page (split at form feeds), or why pdftotext failed.
pub fn pages_text(bytes: &[u8]) -> Result<Vec<String>, String> {
    if !available() {
        return Err("pdftotext not installed (apt-get install poppler-utils poppler-data)".into());
    }
    let input = temp_path("pdf");
    let output = temp_path("txt");
    std::fs::File::create(&input.0)
        .and_then(|mut f| f.write_all(bytes))
        .map_err(|e| format!("temp file: {e}"))?;
    let mut child = crate::ocr::dies_with_parent(&mut Command::new("pdftotext"))
        .args(["-layout", "-enc", "UTF-8", "-q"])
        .arg(&input.0)
        .arg(&output.0)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("spawn: {e}"))?;
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(st)) => break st,
            Ok(None) if start.elapsed() > TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("timed out after {} s", TIMEOUT.as_secs()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(format!("wait: {e}")),
        }
    };
    if !status.success() {
        return Err(format!("failed ({status})"));
    }
    let text = std::fs::read(&output.0).map_err(|e| format!("output: {e}"))?;
    let text = String::from_utf8_lossy(&text);
    let mut pages: Vec<String> = text.split('\x0c').map(cells_to_tabs).collect();
    // pdftotext ends every page with a form feed: drop the empty tail.
    if pages.len() > 1 && pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    Ok(pages)
}

/// `-layout` output → lines without indentation, 2+ inner spaces → one tab.
fn cells_to_tabs(page: &str) -> String {
    let mut out = String::with_capacity(page.len());
    for line in page.lines() {
        let line = line.trim();
        let mut spaces = 0;
        for c in line.chars() {
            if c == ' ' {
                spaces += 1;
                continue;
            }
            match spaces {
                0 => {}
                1 => out.push(' '),
                _ => out.push('\t'),
            }
            spaces = 0;
            out.push(c);
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_columns_become_tabs() {
        assert_eq!(
            cells_to_tabs("   1      目标值   完成\n  a b\n"),
            "1\t目标值\t完成\na b\n"
        );
    }
}
