//! Load stage: a file on disk → its text, page by page.
//!
//! Plain `.txt` input is one page (form feeds `\x0c`, if present, split pages). PDFs go
//! through a chain of text backends (see [`pdf`]); the first whose text passes the quality
//! check wins for each page, and the page records which backend produced it, so a user can
//! see where a wrong character came from.
//!
//! The other formats reports are published in each have a backend giving the same
//! [`LoadedDocument`] ([`format`] decides which): web pages ([`html`]), Word ([`docx`],
//! and [`doc`] through LibreOffice), spreadsheets ([`sheet`]), page images straight to OCR
//! ([`image`]) and OFD ([`ofd`]). Source tables reach the text as `| … |` rows
//! ([`cells`]).

pub mod cells;
pub mod cmap;
pub mod columns;
pub mod content;
pub mod decode;
pub mod doc;
pub mod docx;
pub mod fontcmap;
pub mod format;
pub mod html;
pub mod image;
pub mod layout;
pub mod lopdf_text;
pub mod ofd;
pub mod pagetree;
pub mod pdf;
pub mod pdf_extract_text;
pub mod pdftotext;
pub mod quality;
pub mod repair;
pub mod sheet;

pub use crate::report::ErrorKind;
use std::path::Path;

/// Text of one page and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct PageText {
    /// 1-based page number.
    pub number: usize,
    pub text: String,
    /// Which backend produced the text.
    pub backend: PageBackend,
    /// Quality verdict of the text layer for this page.
    pub verdict: quality::Verdict,
}

/// Which backend produced a page's text; its [`name`](PageBackend::name) is the page's
/// `backend` in `source.page_info`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageBackend {
    /// A text file's own text.
    Plain,
    /// A PDF text backend of the chain ([`pdf::CHAIN`]).
    Pdf(pdf::Backend),
    /// OCR, with the engine's name.
    Ocr(String),
    /// A web page ([`html`]).
    Html,
    /// A Word 2007+ body ([`docx`]).
    Docx,
    /// A spreadsheet ([`sheet`]).
    Sheet,
    /// OFD text objects ([`ofd`]).
    Ofd,
    /// A `.doc`/`.wps` through an external converter ([`doc`]): its program name, and
    /// whether the docx reader read the converted file (`soffice+docx`) or the tool's text.
    Converted { tool: String, via_docx: bool },
    /// No backend gave text (an empty page, or one OCR could not read).
    None,
}

impl PageBackend {
    /// `plain`, `lopdf`, `pdf-extract`, `pdftotext`, `ocr:tesseract`, `html`, `docx`,
    /// `sheet`, `ofd`, `soffice+docx`, `antiword`, `none`.
    pub fn name(&self) -> String {
        match self {
            PageBackend::Plain => "plain".into(),
            PageBackend::Pdf(b) => b.name().into(),
            PageBackend::Ocr(engine) => format!("ocr:{engine}"),
            PageBackend::Html => "html".into(),
            PageBackend::Docx => "docx".into(),
            PageBackend::Sheet => "sheet".into(),
            PageBackend::Ofd => "ofd".into(),
            PageBackend::Converted { tool, via_docx } => {
                if *via_docx {
                    format!("{tool}+docx")
                } else {
                    tool.clone()
                }
            }
            PageBackend::None => "none".into(),
        }
    }

    pub fn is_ocr(&self) -> bool {
        matches!(self, PageBackend::Ocr(_))
    }
}

impl std::fmt::Display for PageBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}

/// How the document's text was obtained, as `source.text_layer` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextLayer {
    Plain,
    Pdf,
    Ocr,
    Mixed,
}

impl TextLayer {
    pub fn as_str(self) -> &'static str {
        match self {
            TextLayer::Plain => "plain",
            TextLayer::Pdf => "pdf",
            TextLayer::Ocr => "ocr",
            TextLayer::Mixed => "mixed",
        }
    }
}

/// Output of the load stage.
#[derive(Debug, Clone)]
pub struct LoadedDocument {
    pub pages: Vec<PageText>,
    pub text_layer: TextLayer,
    /// Notes for the report's `warnings` (a backend that failed, a page left empty, …).
    pub warnings: Vec<String>,
}

impl LoadedDocument {
    /// A document whose pages are text as given (text files, Word, web pages, spreadsheets:
    /// nothing to judge, so every page is `good`); page `i + 1` is `texts[i]`. `NoText` with
    /// `empty` as the message when no page has text.
    pub fn from_text_pages(
        texts: impl IntoIterator<Item = String>,
        backend: PageBackend,
        warnings: Vec<String>,
        empty: &str,
    ) -> Result<LoadedDocument, LoadError> {
        let pages = texts
            .into_iter()
            .enumerate()
            .map(|(i, text)| PageText {
                number: i + 1,
                text,
                backend: backend.clone(),
                verdict: quality::Verdict::Good,
            })
            .collect();
        let doc = LoadedDocument {
            pages,
            text_layer: TextLayer::Plain,
            warnings,
        };
        if !doc.has_text() {
            return Err(LoadError::new(ErrorKind::NoText, empty));
        }
        Ok(doc)
    }

    /// Whether any page carries text at all.
    pub fn has_text(&self) -> bool {
        self.pages.iter().any(|p| !p.text.trim().is_empty())
    }

    /// Pages no text backend could read (verdict `needs_ocr`), 1-based: the OCR stage's
    /// work list. Their `text` is empty until OCR fills it in.
    pub fn ocr_pages(&self) -> Vec<usize> {
        self.pages
            .iter()
            .filter(|p| p.verdict == quality::Verdict::NeedsOcr)
            .map(|p| p.number)
            .collect()
    }
}

/// Why a file could not be loaded: a stable [`ErrorKind`] (batch summaries and the
/// robustness tests key on it) and a message for a person.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct LoadError {
    pub kind: ErrorKind,
    pub message: String,
}

impl LoadError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        LoadError {
            kind,
            message: message.into(),
        }
    }
}

/// Options of the load stage.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// `auto` (default: OCR pages without a usable text layer), `always` or `never`.
    pub ocr: OcrMode,
    /// Pages of one document OCRed at once (0 or 1: one after the other).
    pub ocr_jobs: usize,
    /// The OCR engine; `None` means the shipped one ([`crate::ocr::Tesseract`]), started
    /// when a page first needs it (so a machine without tesseract converts text PDFs).
    pub ocr_engine: Option<OcrEngineHandle>,
    /// Time for OCR, counted from the start of a PDF's load: pages whose OCR would start
    /// later are left empty and named in a warning, so a long scan comes back partial (with
    /// the warning) instead of being killed whole by `--timeout`. `None`: no limit. The
    /// batch sets it to the timeout less a tenth (for the stages after OCR).
    pub ocr_budget: Option<std::time::Duration>,
}

/// An injected OCR engine (any [`crate::ocr::OcrEngine`]), shared by the pages of a batch.
#[derive(Clone)]
pub struct OcrEngineHandle(pub std::sync::Arc<dyn crate::ocr::OcrEngine>);

impl std::fmt::Debug for OcrEngineHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OcrEngine({})", self.0.name())
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OcrMode {
    #[default]
    Auto,
    Always,
    Never,
}

/// Load one file by its content (PDF magic, zip parts, image magic) or extension.
pub fn load(path: &Path, bytes: &[u8], opts: &LoadOptions) -> Result<LoadedDocument, LoadError> {
    match format::Format::detect(path, bytes) {
        format::Format::Html => return html::load_html(bytes),
        format::Format::Docx => return docx::load_docx(bytes),
        format::Format::Doc => return doc::load_doc(path, bytes),
        format::Format::Sheet => return sheet::load_sheet(bytes),
        format::Format::Image => return image::load_image(path, bytes, opts),
        format::Format::Ofd => return ofd::load_ofd(bytes),
        format::Format::Pdf | format::Format::Txt => {}
    }
    // Readers find the header after junk too (MuPDF and poppler search the first KiBs).
    let is_pdf = bytes.starts_with(b"%PDF")
        || bytes.windows(5).take(64 << 10).any(|w| w == b"%PDF-")
        || path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("pdf"));
    if is_pdf {
        pdf::load_pdf(path, bytes, opts)
    } else {
        load_plain(bytes)
    }
}

/// A text file: UTF-8 (with or without BOM), or GB18030 as archived Chinese text often is.
pub fn load_plain(bytes: &[u8]) -> Result<LoadedDocument, LoadError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => match decode_gb18030(bytes) {
            Some(s) => s,
            None => {
                return Err(LoadError::new(
                    ErrorKind::NotText,
                    "not a PDF, and neither UTF-8 nor GBK/GB18030 text",
                ));
            }
        },
    };
    LoadedDocument::from_text_pages(
        text.split('\x0c').map(str::to_string),
        PageBackend::Plain,
        vec![],
        "the file is empty",
    )
}

/// Text that is not UTF-8 is tried as GB18030 (a superset of GBK and GB2312, the usual
/// encodings of Chinese text exports). Accepted only when every byte sequence is valid and
/// no control character other than tab, line breaks and form feed comes out, so binary
/// data is still refused.
fn decode_gb18030(bytes: &[u8]) -> Option<String> {
    let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    let clean = !had_errors
        && !text
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0c'));
    clean.then(|| text.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_one_page_and_form_feeds_split() {
        let d = load_plain("一、概况\n内容".as_bytes()).unwrap();
        assert_eq!(d.pages.len(), 1);
        assert_eq!(d.text_layer, TextLayer::Plain);
        let d = load_plain("第一页\x0c第二页".as_bytes()).unwrap();
        assert_eq!(d.pages.len(), 2);
        assert_eq!(d.pages[1].number, 2);
    }

    #[test]
    fn gbk_text_reads_as_its_utf8_twin() {
        let utf8 = "一、部门概况\n年初预算3229.07万元\x0c第二页";
        let (gbk, _, unmappable) = encoding_rs::GBK.encode(utf8);
        assert!(!unmappable);
        assert!(std::str::from_utf8(&gbk).is_err());
        let d = load_plain(&gbk).unwrap();
        assert_eq!(d.pages.len(), 2);
        assert_eq!(d.pages[0].text, "一、部门概况\n年初预算3229.07万元");
        // binary that is not valid GB18030, or decodes to control characters, is refused
        let e = load_plain(&[0xb2, 0xbf, 0x00, 0x01, 0x02, 0x81]).unwrap_err();
        assert_eq!(e.kind, "not_text");
    }

    #[test]
    fn non_utf8_text_is_a_typed_error() {
        let e = load_plain(&[0xb2, 0xbf, 0xc3, 0xc5, 0xff]).unwrap_err();
        assert_eq!(e.kind, ErrorKind::NotText);
        let e = load_plain(b"  \n").unwrap_err();
        assert_eq!(e.kind, ErrorKind::NoText);
    }
}
