//! Backend `pdf-extract`: pdf-extract's font handling (it reads Identity-H CID fonts and
//! embedded Type 1 encodings well) with our own [`OutputDev`] that collects positioned
//! glyphs, so [`layout::lines`] gives one line per baseline (pdf-extract's plain output
//! glues the cells of neighbouring table rows).
//!
//! pdf-extract 0.12 panics on predefined CMaps (UniGB-UCS2-H, GBK-EUC-H) and recurses deeply
//! on some files, so it runs on its own thread with a 64 MB stack, each page under
//! `catch_unwind`. A stack overflow still aborts the process; isolating that is the batch
//! runner's worker subprocess's job.

use super::layout::{self, Glyph};
use pdf_extract::{Document, MediaBox, OutputDev, OutputError, Transform};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;

const STACK: usize = 64 << 20;
const THREAD_NAME: &str = "baogao-pdf-extract";

#[derive(Default)]
struct Collect {
    glyphs: Vec<Glyph>,
}

impl OutputDev for Collect {
    fn begin_page(
        &mut self,
        _page_num: u32,
        _media_box: &MediaBox,
        _art_box: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        self.glyphs.clear();
        Ok(())
    }
    fn end_page(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        char: &str,
    ) -> Result<(), OutputError> {
        // As pdf-extract's PlainTextOutput: the rendered size is the side of the square
        // with the area of the transformed (font_size, font_size) vector.
        let vx = font_size * (trm.m11 + trm.m21);
        let vy = font_size * (trm.m12 + trm.m22);
        let size = (vx * vy).abs().sqrt();
        self.glyphs.push(Glyph {
            x: trm.m31,
            y: trm.m32,
            w: width * size,
            size,
            text: char.to_string(),
        });
        Ok(())
    }
    fn begin_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}

/// Keep pdf-extract's expected panics off stderr; every other thread's panics print as usual.
fn quiet_panics_on_our_thread() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if std::thread::current().name() != Some(THREAD_NAME) {
                previous(info);
            }
        }));
    });
}

/// Text of each requested page (1-based numbers), each `Err` naming the failure.
pub fn pages_text(doc: &Document, pages: &[u32]) -> Vec<Result<String, String>> {
    quiet_panics_on_our_thread();
    std::thread::scope(|s| {
        let worker = std::thread::Builder::new()
            .name(THREAD_NAME.into())
            .stack_size(STACK)
            .spawn_scoped(s, || {
                pages
                    .iter()
                    .map(|&n| {
                        let mut out = Collect::default();
                        match catch_unwind(AssertUnwindSafe(|| {
                            pdf_extract::output_doc_page(doc, &mut out, n)
                        })) {
                            Ok(Ok(())) => Ok(layout::lines(&out.glyphs)),
                            Ok(Err(e)) => Err(format!("error: {e}")),
                            Err(p) => Err(format!("panicked: {}", panic_message(&p))),
                        }
                    })
                    .collect::<Vec<_>>()
            });
        match worker {
            Ok(h) => h
                .join()
                .unwrap_or_else(|_| vec![Err("thread panicked".into()); pages.len()]),
            Err(e) => vec![Err(format!("cannot start thread: {e}")); pages.len()],
        }
    })
}

fn panic_message(p: &Box<dyn std::any::Any + Send>) -> String {
    let s = p
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "non-string panic".into());
    s.chars().take(160).collect()
}
