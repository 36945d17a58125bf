//! PDF → pages of text through a chain of backends.
//!
//! Each page's text comes from the first backend in [`CHAIN`] whose text for that page
//! passes [`quality::judge`]; the page records the backend. A backend that errors or panics
//! on a page is noted in `warnings` and the next one is tried. Pages no backend can read
//! keep empty text with verdict `needs_ocr` ([`LoadedDocument::ocr_pages`]); when that is
//! every page the load fails with kind `needs_ocr`.
//!
//! Chain order (measured on the 8 seed and 23 dev PDFs, see `tests/load_pdfs.rs`, test
//! `measure_backends`): `lopdf` first — our walker decodes every font scheme of the corpus,
//! including the predefined UniGB-UCS2-H/GBK-EUC-H CMaps pdf-extract panics on, rebuilds
//! ruled table cells (seed similarity 1.000 vs 0.968 for the others) and is the fastest
//! (212 ms for all 31 files vs 1133 ms pdf-extract, 1546 ms pdftotext); `pdf-extract`
//! second, for fonts lopdf cannot decode (embedded Type 1 encodings, odd CMaps);
//! `pdftotext` last, when installed, and alone for files lopdf cannot parse (it repairs
//! broken cross-reference tables).

use super::quality::{self, Verdict};
use super::{
    ErrorKind, LoadError, LoadOptions, LoadedDocument, OcrMode, PageBackend, PageText, TextLayer,
};
use super::{lopdf_text, pdf_extract_text, pdftotext};
use lopdf::{Document, ObjectId};
use std::collections::BTreeMap;
use std::path::Path;

/// One text backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Our content-stream walker on lopdf ([`lopdf_text`]).
    Lopdf,
    /// pdf-extract with a baseline-grouping output device ([`pdf_extract_text`]).
    PdfExtract,
    /// poppler's `pdftotext -layout` subprocess ([`pdftotext`]), if installed.
    Pdftotext,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Lopdf => "lopdf",
            Backend::PdfExtract => "pdf-extract",
            Backend::Pdftotext => "pdftotext",
        }
    }
}

/// The order backends are tried in for each page.
pub const CHAIN: [Backend; 3] = [Backend::Lopdf, Backend::PdfExtract, Backend::Pdftotext];

/// A parsed, decrypted PDF.
pub struct Pdf {
    doc: Document,
    /// Page number (1-based) → page object.
    pages: BTreeMap<u32, ObjectId>,
}

/// Parse `bytes`; decrypt with the empty user password if needed.
pub fn open(bytes: &[u8]) -> Result<Pdf, LoadError> {
    let head = &bytes[..bytes.len().min(1024)];
    if !head.windows(5).any(|w| w == b"%PDF-") {
        return Err(LoadError::new(
            ErrorKind::NotPdf,
            "not a PDF (no %PDF- header)",
        ));
    }
    // lopdf decrypts with the empty user password while loading and then drops /Encrypt
    // from the trailer; a trailer that still has it needs a password we do not have.
    let doc = Document::load_mem(bytes)
        .map_err(|e| LoadError::new(ErrorKind::Backend, format!("cannot parse the PDF: {e}")))?;
    if doc.trailer.get(b"Encrypt").is_ok() {
        return Err(LoadError::new(
            ErrorKind::Encrypted,
            "the PDF is password-protected (the empty user password does not open it)",
        ));
    }
    let pages = doc.get_pages();
    Ok(Pdf { doc, pages })
}

impl Pdf {
    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    /// Raw text of every page from one backend (no quality check), for measurements and
    /// for the chain. `bytes` are the file's bytes (pdftotext reads them, not `self`).
    pub fn extract(&self, backend: Backend, bytes: &[u8]) -> Vec<Result<String, String>> {
        let numbers: Vec<u32> = self.pages.keys().copied().collect();
        self.extract_pages(backend, bytes, &numbers)
    }

    fn extract_pages(
        &self,
        backend: Backend,
        bytes: &[u8],
        numbers: &[u32],
    ) -> Vec<Result<String, String>> {
        match backend {
            Backend::Lopdf => numbers
                .iter()
                .map(|n| match self.pages.get(n) {
                    Some(&id) => lopdf_text::page_text(&self.doc, id),
                    None => Err("no such page".into()),
                })
                .collect(),
            Backend::PdfExtract => pdf_extract_text::pages_text(&self.doc, numbers),
            Backend::Pdftotext => match pdftotext::pages_text(bytes) {
                Ok(all) => numbers
                    .iter()
                    .map(|&n| {
                        all.get(n as usize - 1)
                            .cloned()
                            .ok_or_else(|| format!("pdftotext gave {} pages", all.len()))
                    })
                    .collect(),
                Err(e) => vec![Err(e); numbers.len()],
            },
        }
    }
}

pub fn load_pdf(
    path: &Path,
    bytes: &[u8],
    opts: &LoadOptions,
) -> Result<LoadedDocument, LoadError> {
    let pdf = match open(bytes) {
        Ok(pdf) => pdf,
        // lopdf cannot parse it (broken xref, unsupported filter): poppler repairs more.
        Err(e) if e.kind == ErrorKind::Backend && pdftotext::available() => {
            return pdftotext_only(bytes, e);
        }
        Err(e) => return Err(e),
    };
    if pdf.pages.is_empty() {
        return Err(LoadError::new(ErrorKind::NoText, "the PDF has no pages"));
    }
    let numbers: Vec<u32> = pdf.pages.keys().copied().collect();
    // Per page: accepted (text, backend, verdict), or the best failure so far.
    let mut done: Vec<Option<(String, Backend, Verdict)>> = vec![None; numbers.len()];
    let mut worst: Vec<Verdict> = vec![Verdict::Empty; numbers.len()];
    let mut warnings = Vec::new();
    for backend in CHAIN {
        let todo: Vec<usize> = (0..numbers.len()).filter(|&i| done[i].is_none()).collect();
        if todo.is_empty() {
            break;
        }
        if backend == Backend::Pdftotext && !pdftotext::available() {
            continue;
        }
        let want: Vec<u32> = todo.iter().map(|&i| numbers[i]).collect();
        let results = pdf.extract_pages(backend, bytes, &want);
        let mut failed_pages = Vec::new();
        let mut failure = String::new();
        for (&i, res) in todo.iter().zip(results) {
            match res {
                Ok(text) => match quality::judge(&text) {
                    Verdict::Good => done[i] = Some((text, backend, Verdict::Good)),
                    Verdict::Mojibake => {
                        if let Some(fixed) = quality::repair_mojibake(&text) {
                            done[i] = Some((fixed, backend, Verdict::Mojibake));
                        }
                    }
                    v => {
                        if v == Verdict::Garbled {
                            worst[i] = Verdict::Garbled;
                        }
                    }
                },
                Err(e) => {
                    failed_pages.push(numbers[i].to_string());
                    if failure.is_empty() {
                        failure = e;
                    }
                }
            }
        }
        if !failed_pages.is_empty() {
            warnings.push(format!(
                "{} failed on page {}: {failure}",
                backend.name(),
                failed_pages.join(", ")
            ));
        }
    }
    let mut pages: Vec<PageText> = Vec::with_capacity(numbers.len());
    let mut unreadable = Vec::new();
    for (i, slot) in done.into_iter().enumerate() {
        let number = i + 1;
        pages.push(match slot {
            Some((text, backend, verdict)) => PageText {
                number,
                text,
                backend: PageBackend::Pdf(backend),
                verdict,
            },
            None => {
                let id = pdf.pages[&numbers[i]];
                // A page with no text and no image is blank, not a scan.
                let blank =
                    worst[i] == Verdict::Empty && !lopdf_text::page_has_images(&pdf.doc, id);
                if !blank {
                    unreadable.push((number, worst[i]));
                }
                PageText {
                    number,
                    text: String::new(),
                    backend: PageBackend::None,
                    verdict: if blank {
                        Verdict::Empty
                    } else {
                        Verdict::NeedsOcr
                    },
                }
            }
        });
    }
    let ocr_error = ocr_into(path, opts, &mut pages, &mut warnings);
    let ocred = pages.iter().filter(|p| p.backend.is_ocr()).count();
    let text_layer = match ocred {
        0 => TextLayer::Pdf,
        n if n == pages.len() => TextLayer::Ocr,
        _ => TextLayer::Mixed,
    };
    unreadable.retain(|(n, _)| !pages[n - 1].backend.is_ocr());
    let doc = LoadedDocument {
        pages,
        text_layer,
        warnings,
    };
    if !doc.has_text() {
        if let Some(e) = ocr_error {
            return Err(LoadError::new(
                ErrorKind::NeedsOcr,
                format!("no usable text layer on any page, and OCR failed: {e}"),
            ));
        }
        let why = if unreadable.iter().any(|(_, v)| *v == Verdict::Garbled) {
            "the text layer is garbled (fonts without a Unicode mapping?)"
        } else {
            "no text layer (scanned?)"
        };
        return Err(LoadError::new(
            ErrorKind::NeedsOcr,
            format!("no usable text layer on any page: {why}; OCR is needed"),
        ));
    }
    let mut doc = doc;
    for (n, v) in unreadable {
        doc.warnings.push(format!(
            "page {n}: {} text layer, left empty (needs OCR)",
            if v == Verdict::Garbled {
                "garbled"
            } else {
                "no"
            }
        ));
    }
    Ok(doc)
}

/// OCR the pages that need it (`--ocr auto`: pages without a usable text layer; `always`:
/// every page; `never`: none) and put their text in place, backend `ocr:<engine>`,
/// verdict `ocr`. Returns the OCR error when the engine cannot run at all (missing
/// tesseract or its Chinese data), so the caller can name the packages to install.
fn ocr_into(
    path: &Path,
    opts: &LoadOptions,
    pages: &mut [PageText],
    warnings: &mut Vec<String>,
) -> Option<crate::ocr::OcrError> {
    let want: Vec<usize> = match opts.ocr {
        OcrMode::Never => vec![],
        OcrMode::Auto => pages
            .iter()
            .filter(|p| p.verdict == Verdict::NeedsOcr)
            .map(|p| p.number)
            .collect(),
        OcrMode::Always => pages.iter().map(|p| p.number).collect(),
    };
    if want.is_empty() {
        return None;
    }
    let shipped;
    let engine: &dyn crate::ocr::OcrEngine = match &opts.ocr_engine {
        Some(h) => h.0.as_ref(),
        None => match crate::ocr::Tesseract::new() {
            Ok(e) => {
                shipped = e;
                &shipped
            }
            Err(e) => {
                warnings.push(format!(
                    "{} page(s) need OCR, but OCR cannot run: {e}",
                    want.len()
                ));
                return Some(e);
            }
        },
    };
    let name = PageBackend::Ocr(engine.name().to_string());
    for (n, res) in crate::ocr::ocr_pdf_pages(path, &want, engine, opts.ocr_jobs.max(1)) {
        match res {
            Ok(p) if !p.text.trim().is_empty() => {
                let page = &mut pages[n - 1];
                page.text = p.text;
                page.backend = name.clone();
                page.verdict = Verdict::Ocr;
                if let Some(c) = p.mean_confidence {
                    warnings.push(format!("page {n}: OCR mean confidence {c:.2}"));
                }
            }
            Ok(_) => warnings.push(format!("page {n}: OCR found no text")),
            Err(e) => warnings.push(format!("page {n}: OCR failed: {e}")),
        }
    }
    None
}

/// The whole document from pdftotext alone, for files lopdf cannot parse.
fn pdftotext_only(bytes: &[u8], parse_error: LoadError) -> Result<LoadedDocument, LoadError> {
    let texts = pdftotext::pages_text(bytes).map_err(|e| {
        LoadError::new(
            ErrorKind::Backend,
            format!("{}; pdftotext: {e}", parse_error.message),
        )
    })?;
    let pages: Vec<PageText> = texts
        .into_iter()
        .enumerate()
        .map(|(i, text)| {
            let (text, verdict) = match quality::judge(&text) {
                Verdict::Good => (text, Verdict::Good),
                Verdict::Mojibake => match quality::repair_mojibake(&text) {
                    Some(t) => (t, Verdict::Mojibake),
                    None => (String::new(), Verdict::NeedsOcr),
                },
                _ => (String::new(), Verdict::NeedsOcr),
            };
            PageText {
                number: i + 1,
                text,
                backend: PageBackend::Pdf(Backend::Pdftotext),
                verdict,
            }
        })
        .collect();
    let doc = LoadedDocument {
        pages,
        text_layer: TextLayer::Pdf,
        warnings: vec![format!("{}; text from pdftotext only", parse_error.message)],
    };
    if !doc.has_text() {
        return Err(parse_error);
    }
    Ok(doc)
}
