//! OCR of scanned pages: page image → text.
//!
//! The load stage decides which pages have no usable text layer (its per-page quality
//! verdict) and hands exactly those page numbers to [`ocr_pdf_pages`]. That function gets
//! one image per page ([`raster`]), runs an [`OcrEngine`] on the images in parallel and
//! cleans the text ([`postprocess`]) so that the later regex stages see `4925.78万元`, not
//! `4925,78 万 元`.
//!
//! Engines are behind a trait so that the rest of the pipeline can be tested with a fake
//! one and so that a second engine (PP-OCR through ONNX, see `docs/ocr-measurements.md`)
//! can be added without touching the callers. The one shipped engine is [`Tesseract`], run
//! as a subprocess: it is an `apt-get install` away on every CI image and needs no model
//! download at run time.

pub mod postprocess;
pub mod raster;
pub mod tesseract;
pub mod words;

use std::path::Path;

pub use tesseract::Tesseract;

/// Make a helper program (tesseract, pdftoppm, pdftotext) die with the process that
/// starts it: it inherits the worker's process group (which the batch runner kills as a
/// whole on a timeout or memory limit), and gets SIGKILL when the worker itself dies —
/// also when the worker is SIGKILLed with its parent (the worker's own
/// `PR_SET_PDEATHSIG`), which no process group kill covers.
pub fn dies_with_parent(cmd: &mut std::process::Command) -> &mut std::process::Command {
    use std::os::unix::process::CommandExt;
    let parent = std::process::id() as libc::pid_t;
    // SAFETY: between fork and exec only async-signal-safe calls (prctl, getppid, _exit).
    unsafe {
        cmd.pre_exec(move || {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            // The parent died before prctl took effect: nobody would kill us later.
            if libc::getppid() != parent {
                libc::_exit(137);
            }
            Ok(())
        })
    }
}

/// The install line every "missing tool" error repeats, so a user can copy it.
pub const INSTALL_HINT: &str = "apt-get install tesseract-ocr tesseract-ocr-chi-sim poppler-utils";

/// Text recognized on one page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OcrPage {
    /// The page's text, lines separated by `\n`, paragraphs by a blank line.
    pub text: String,
    /// Mean word confidence in `0.0..=1.0`, weighted by characters; `None` when the engine
    /// found no words (a blank page) or does not report confidences.
    pub mean_confidence: Option<f64>,
    /// Each text line with its mean confidence in `0.0..=1.0`.
    pub lines: Vec<(String, f64)>,
}

/// Why a page could not be OCRed. `kind` strings are stable (warnings and tests key on
/// them): `missing_tool`, `missing_language`, `rasterize`, `engine`, `page_range`, `io`,
/// `budget`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct OcrError {
    pub kind: &'static str,
    pub message: String,
}

impl OcrError {
    pub fn new(kind: &'static str, message: impl Into<String>) -> Self {
        OcrError {
            kind,
            message: message.into(),
        }
    }

    /// A required program is not on `PATH`.
    pub fn missing_tool(tool: &str, err: &std::io::Error) -> Self {
        OcrError::new(
            "missing_tool",
            format!("cannot run `{tool}` ({err}); OCR needs: {INSTALL_HINT}"),
        )
    }

    fn io(what: &str, err: &std::io::Error) -> Self {
        OcrError::new("io", format!("{what}: {err}"))
    }
}

/// [`OcrError::kind`] of a page left out because the OCR time budget was spent.
pub const BUDGET: &str = "budget";

/// An OCR engine: one page image in, its text out.
///
/// `recognize_page` returns the engine's text as it comes (no [`postprocess`]);
/// [`ocr_pdf_pages`] cleans it. Implementations must be callable from several threads at
/// once.
pub trait OcrEngine: Send + Sync {
    /// Short name for the page's `backend` field, e.g. `tesseract`.
    fn name(&self) -> &str;
    /// Recognize one page image (JPEG, TIFF, PNG or PNM).
    fn recognize_page(&self, image: &Path) -> Result<OcrPage, OcrError>;
}

/// OCR the given 1-based `pages` of `pdf` with `engine`, at most `jobs` pages at a time.
///
/// Returns one entry per requested page, in the order given, each with the page number.
/// Errors are per page (one unreadable page does not stop the others); when a tool is
/// missing every page carries the same `missing_tool` error. Text and lines are cleaned
/// with [`postprocess::clean_ocr_text`].
///
/// Page images come from [`raster::PageSources::image`]: a scanned page's embedded JPEG is used
/// as is, other pages are rendered with `pdftoppm -r 200 -gray`.
pub fn ocr_pdf_pages(
    pdf: &Path,
    pages: &[usize],
    engine: &dyn OcrEngine,
    jobs: usize,
) -> Vec<(usize, Result<OcrPage, OcrError>)> {
    ocr_pdf_pages_until(pdf, pages, engine, jobs, None)
}

/// [`ocr_pdf_pages`] within a time budget: a page whose turn comes after `deadline` is not
/// rasterized or recognized and gets an error of kind `budget` (a page already started
/// finishes).
pub fn ocr_pdf_pages_until(
    pdf: &Path,
    pages: &[usize],
    engine: &dyn OcrEngine,
    jobs: usize,
    deadline: Option<std::time::Instant>,
) -> Vec<(usize, Result<OcrPage, OcrError>)> {
    if pages.is_empty() {
        return Vec::new();
    }
    let dir = match raster::TempDir::new() {
        Ok(d) => d,
        Err(e) => return pages.iter().map(|&p| (p, Err(e.clone()))).collect(),
    };
    let sources = raster::PageSources::open(pdf);
    let work = |page: usize| -> Result<OcrPage, OcrError> {
        if deadline.is_some_and(|d| std::time::Instant::now() >= d) {
            return Err(OcrError::new(BUDGET, "OCR time budget spent"));
        }
        let image = sources.image(pdf, page, dir.path())?;
        let result = engine.recognize_page(&image);
        // Page images are 0.4–4 MB each; do not keep them until the whole document is done.
        let _ = std::fs::remove_file(&image);
        result.map(|p| postprocess::clean_page(&p))
    };
    run_parallel(pages, jobs, work)
}

/// Map `work` over `pages` on a pool of `jobs` threads, keeping the input order.
fn run_parallel<T: Send>(
    pages: &[usize],
    jobs: usize,
    work: impl Fn(usize) -> T + Sync,
) -> Vec<(usize, T)> {
    use rayon::prelude::*;
    let jobs = jobs.clamp(1, pages.len().max(1));
    if jobs == 1 {
        return pages.iter().map(|&p| (p, work(p))).collect();
    }
    match rayon::ThreadPoolBuilder::new().num_threads(jobs).build() {
        Ok(pool) => pool.install(|| pages.par_iter().map(|&p| (p, work(p))).collect()),
        // No threads available: still do the work, one page after the other.
        Err(_) => pages.iter().map(|&p| (p, work(p))).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// An engine that echoes the image's file name, so tests can check the page plumbing
    /// without tesseract.
    struct Echo(AtomicUsize);

    impl OcrEngine for Echo {
        fn name(&self) -> &str {
            "echo"
        }
        fn recognize_page(&self, image: &Path) -> Result<OcrPage, OcrError> {
            self.0.fetch_add(1, Ordering::SeqCst);
            assert!(image.exists(), "engine got a missing image {image:?}");
            Ok(OcrPage {
                text: "金 额 4925,78 万元".into(),
                mean_confidence: Some(0.9),
                lines: vec![("金 额 4925,78 万元".into(), 0.9)],
            })
        }
    }

    #[test]
    fn parallel_map_keeps_order() {
        let out = run_parallel(&[5, 1, 3, 2], 2, |p| p * 10);
        assert_eq!(out, vec![(5, 50), (1, 10), (3, 30), (2, 20)]);
        assert!(run_parallel(&[], 4, |p| p).is_empty());
    }

    #[test]
    fn missing_pdf_gives_an_error_per_page_not_success() {
        let engine = Echo(AtomicUsize::new(0));
        let out = ocr_pdf_pages(Path::new("/nonexistent/x.pdf"), &[1, 2], &engine, 2);
        assert_eq!(out.len(), 2);
        for (_, r) in &out {
            assert!(r.is_err());
        }
        assert_eq!(engine.0.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn pages_after_the_deadline_are_not_recognized() {
        let engine = Echo(AtomicUsize::new(0));
        let past = std::time::Instant::now();
        let out = ocr_pdf_pages_until(
            Path::new("/nonexistent/x.pdf"),
            &[1, 2, 3],
            &engine,
            1,
            Some(past),
        );
        assert_eq!(out.len(), 3);
        for (_, r) in &out {
            assert_eq!(r.as_ref().unwrap_err().kind, BUDGET);
        }
        assert_eq!(engine.0.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn missing_tool_message_names_the_packages() {
        let e = OcrError::missing_tool(
            "tesseract",
            &std::io::Error::from(std::io::ErrorKind::NotFound),
        );
        assert_eq!(e.kind, "missing_tool");
        assert!(e.to_string().contains("tesseract-ocr-chi-sim"), "{e}");
        assert!(e.to_string().contains("poppler-utils"), "{e}");
    }
}
