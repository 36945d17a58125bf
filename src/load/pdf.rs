//! PDF text backends. Placeholder chain (pdf-extract under `catch_unwind`); the real chain
//! (lopdf, pdf-extract with a baseline-grouping output device, pdftotext) lands with the
//! load-stage work.

use super::{LoadError, LoadOptions, LoadedDocument, PageText, TextLayer};
use std::path::Path;

pub fn load_pdf(
    _path: &Path,
    bytes: &[u8],
    _opts: &LoadOptions,
) -> Result<LoadedDocument, LoadError> {
    let owned = bytes.to_vec();
    let res = std::panic::catch_unwind(move || pdf_extract::extract_text_from_mem_by_pages(&owned));
    let pages = match res {
        Ok(Ok(p)) => p,
        Ok(Err(e)) => return Err(LoadError::new("backend", format!("pdf-extract: {e}"))),
        Err(_) => return Err(LoadError::new("backend", "pdf-extract panicked")),
    };
    let pages: Vec<PageText> = pages
        .into_iter()
        .enumerate()
        .map(|(i, text)| PageText {
            number: i + 1,
            text,
            backend: "pdf-extract".into(),
            verdict: "good".into(),
        })
        .collect();
    let doc = LoadedDocument {
        pages,
        text_layer: TextLayer::Pdf,
        warnings: vec![],
    };
    if !doc.has_text() {
        return Err(LoadError::new("no_text", "no text layer found"));
    }
    Ok(doc)
}
