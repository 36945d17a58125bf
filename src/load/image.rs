//! Page images (`.jpg`, `.png`, `.tif`, multi-page TIFF) → OCR text, one page per image
//! page.
//!
//! A scan sent as an image has no text layer, so it goes straight to the OCR engine the PDF
//! path uses for scanned pages ([`crate::ocr`]: tesseract, cleaned by
//! [`crate::ocr::postprocess`]). A TIFF may hold several pages; tesseract reads them all in
//! one run and numbers them in its TSV (`page_num`), which is split back into pages here.
//! (An injected engine, [`super::LoadOptions::ocr_engine`], gets a TIFF as one image.)
//! `--ocr never` turns an image into a `needs_ocr` error instead.

use super::quality::Verdict;
use super::{
    ErrorKind, LoadError, LoadOptions, LoadedDocument, OcrMode, PageBackend, PageText, TextLayer,
};
use crate::ocr::{OcrEngine, OcrError, OcrPage, Tesseract, postprocess, tesseract};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Load an image file by OCR.
pub fn load_image(
    path: &Path,
    bytes: &[u8],
    opts: &LoadOptions,
) -> Result<LoadedDocument, LoadError> {
    if opts.ocr == OcrMode::Never {
        return Err(LoadError::new(
            ErrorKind::NeedsOcr,
            "an image has no text layer and --ocr never forbids OCR",
        ));
    }
    // The injected engine when there is one (tests, other engines), else tesseract.
    let shipped;
    let engine: &dyn OcrEngine = match &opts.ocr_engine {
        Some(h) => h.0.as_ref(),
        None => {
            shipped = Tesseract::new().map_err(|e| {
                LoadError::new(
                    ErrorKind::NeedsOcr,
                    format!("an image needs OCR, which cannot run: {e}"),
                )
            })?;
            &shipped
        }
    };
    // The engine reads a file: the input itself, or a copy when it came as bytes only.
    let tmp;
    let file: PathBuf = if path.is_file() {
        path.to_path_buf()
    } else {
        tmp = crate::ocr::raster::TempDir::new().map_err(ocr_error)?;
        let f = tmp.path().join(format!("image.{}", extension(bytes)));
        std::fs::write(&f, bytes).map_err(|e| LoadError::new(ErrorKind::Io, e.to_string()))?;
        f
    };
    // Tesseract reads every page of a TIFF in one run; another engine gets the file as is.
    let results: Vec<OcrPage> = if tiff_page_count(bytes) > 1 && opts.ocr_engine.is_none() {
        multipage_tiff(&file)
            .map_err(ocr_error)?
            .iter()
            .map(postprocess::clean_page)
            .collect()
    } else {
        vec![postprocess::clean_page(
            &engine.recognize_page(&file).map_err(ocr_error)?,
        )]
    };
    let mut warnings = Vec::new();
    let pages: Vec<PageText> = results
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            if let Some(c) = p.mean_confidence {
                warnings.push(format!("page {}: OCR mean confidence {c:.2}", i + 1));
            }
            PageText {
                number: i + 1,
                verdict: if p.text.trim().is_empty() {
                    Verdict::Empty
                } else {
                    Verdict::Ocr
                },
                text: p.text,
                backend: PageBackend::Ocr(engine.name().to_string()),
            }
        })
        .collect();
    let doc = LoadedDocument {
        pages,
        text_layer: TextLayer::Ocr,
        warnings,
    };
    if !doc.has_text() {
        return Err(LoadError::new(
            ErrorKind::NoText,
            "OCR found no text in the image",
        ));
    }
    Ok(doc)
}

fn ocr_error(e: OcrError) -> LoadError {
    let kind = match e.kind {
        "missing_tool" | "missing_language" => ErrorKind::NeedsOcr,
        "io" => ErrorKind::Io,
        _ => ErrorKind::Backend,
    };
    LoadError::new(kind, format!("OCR of the image failed: {e}"))
}

fn extension(bytes: &[u8]) -> &'static str {
    if bytes.starts_with(b"\x89PNG") {
        "png"
    } else if bytes.starts_with(&[0xFF, 0xD8]) {
        "jpg"
    } else {
        "tif"
    }
}

/// Pages (image file directories) of a TIFF; 0 when `bytes` is not a TIFF. Counting stops
/// at 10 000 or at a loop in the chain of directories.
pub fn tiff_page_count(bytes: &[u8]) -> usize {
    let le = match bytes.get(..4) {
        Some(b"II*\0") => true,
        Some(b"MM\0*") => false,
        _ => return 0,
    };
    let u16_at = |o: usize| {
        bytes.get(o..o + 2).map(|b| {
            if le {
                u16::from_le_bytes([b[0], b[1]])
            } else {
                u16::from_be_bytes([b[0], b[1]])
            }
        })
    };
    let u32_at = |o: usize| {
        bytes.get(o..o + 4).map(|b| {
            let a = [b[0], b[1], b[2], b[3]];
            if le {
                u32::from_le_bytes(a)
            } else {
                u32::from_be_bytes(a)
            }
        })
    };
    let mut seen = std::collections::HashSet::new();
    let mut next = u32_at(4).unwrap_or(0) as usize;
    while next != 0 && seen.len() < 10_000 && seen.insert(next) {
        let Some(entries) = u16_at(next) else { break };
        next = u32_at(next + 2 + 12 * entries as usize).unwrap_or(0) as usize;
    }
    seen.len()
}

/// OCR every page of a multi-page TIFF in one tesseract run, split by TSV `page_num`.
fn multipage_tiff(file: &Path) -> Result<Vec<OcrPage>, OcrError> {
    let out = crate::ocr::dies_with_parent(&mut Command::new("tesseract"))
        .arg(file)
        .arg("stdout")
        .args(["-l", Tesseract::DEFAULT_LANGUAGES, "--psm", "3", "tsv"])
        .env("OMP_THREAD_LIMIT", "1")
        .output()
        .map_err(|e| OcrError::missing_tool("tesseract", &e))?;
    if !out.status.success() {
        return Err(OcrError::new(
            "engine",
            format!(
                "tesseract failed on {} ({}): {}",
                file.display(),
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ),
        ));
    }
    split_tsv_pages(&String::from_utf8_lossy(&out.stdout))
}

/// One TSV per `page_num` (column 2), each parsed by [`tesseract::parse_tsv`].
pub fn split_tsv_pages(tsv: &str) -> Result<Vec<OcrPage>, OcrError> {
    let mut lines = tsv.lines();
    let header = lines.next().unwrap_or("");
    let mut pages: Vec<String> = Vec::new();
    for row in lines {
        if row.starts_with("level\t") {
            continue;
        }
        let Some(n) = row.split('\t').nth(1).and_then(|n| n.parse::<usize>().ok()) else {
            continue;
        };
        if n == 0 || n > 10_000 {
            continue;
        }
        while pages.len() < n {
            pages.push(format!("{header}\n"));
        }
        pages[n - 1].push_str(row);
        pages[n - 1].push('\n');
    }
    if pages.is_empty() {
        pages.push(format!("{header}\n"));
    }
    pages.iter().map(|p| tesseract::parse_tsv(p)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiff_pages_are_counted_from_the_directory_chain() {
        // Little-endian TIFF: header → IFD at 8 (0 entries) → IFD at 14 (0 entries) → end.
        let mut t = b"II*\0".to_vec();
        t.extend(8u32.to_le_bytes());
        t.extend(0u16.to_le_bytes());
        t.extend(14u32.to_le_bytes());
        t.extend(0u16.to_le_bytes());
        t.extend(0u32.to_le_bytes());
        assert_eq!(tiff_page_count(&t), 2);
        // A directory pointing at itself is one page, not a hang.
        let mut l = b"II*\0".to_vec();
        l.extend(8u32.to_le_bytes());
        l.extend(0u16.to_le_bytes());
        l.extend(8u32.to_le_bytes());
        assert_eq!(tiff_page_count(&l), 1);
        assert_eq!(tiff_page_count(b"\x89PNG"), 0);
    }

    #[test]
    fn tsv_splits_by_page_number() {
        let h = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext";
        let tsv = format!(
            "{h}\n5\t1\t1\t1\t1\t1\t0\t0\t1\t1\t90\t第一页\n1\t2\t0\t0\t0\t0\t0\t0\t1\t1\t-1\t\n5\t2\t1\t1\t1\t1\t0\t0\t1\t1\t80\t第二页\n"
        );
        let pages = split_tsv_pages(&tsv).unwrap();
        assert_eq!(pages.len(), 2);
        assert_eq!(pages[0].text.trim(), "第一页");
        assert_eq!(pages[1].text.trim(), "第二页");
    }

    #[test]
    fn ocr_never_is_a_needs_ocr_error() {
        let opts = LoadOptions {
            ocr: OcrMode::Never,
            ..LoadOptions::default()
        };
        let e = load_image(Path::new("x.png"), b"\x89PNG", &opts).unwrap_err();
        assert_eq!(e.kind, ErrorKind::NeedsOcr);
    }
}
