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
//!
//! Damaged files (issue 12): [`open`] rebuilds the xref by scanning when lopdf cannot parse
//! the file or its xref leaves objects unloaded ([`super::repair`]), walks the page tree
//! with loop detection ([`super::pagetree`]) and reports both in `warnings`. The lopdf
//! walker runs first on every page: a page that draws no text at all is final (blank or an
//! image) without asking the other backends, which keeps the work linear in the page
//! count; a content stream over the decode cap fails the file as `too_large` before any
//! backend inflates it. Pages whose objects are gone are `damaged` (never `needs_ocr`) and
//! counted in a `recovered: N of M pages` warning.

use super::quality::{self, Verdict};
use super::{
    ErrorKind, LoadError, LoadOptions, LoadedDocument, OcrMode, PageBackend, PageText, TextLayer,
};
use super::{lopdf_text, pagetree, pdf_extract_text, pdftotext, repair};
use lopdf::{Document, Object, ObjectId};
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
    /// Page numbers whose page object is missing (a truncated or damaged file).
    missing: Vec<u32>,
    /// Pages the file says it has (`/Count`), when more than were found.
    pub expected_pages: Option<usize>,
    /// What recovery did, for the warnings (`xref rebuilt …`, page-tree loops, …).
    pub notes: Vec<String>,
    /// The bytes lopdf parsed: the file's, or the rebuilt ones (pdftotext reads these too).
    rebuilt: Option<Vec<u8>>,
    /// Why the file as parsed is not whole (objects that did not load, …), even when the
    /// rebuild did not do better and was dropped.
    pub damage: Option<String>,
}

/// Objects the xref lists that lopdf could not load (wrong offsets, bad `/Length`, a
/// broken object stream).
fn unloaded_objects(doc: &Document) -> usize {
    doc.reference_table
        .entries
        .iter()
        .filter(|(id, e)| match e {
            lopdf::xref::XrefEntry::Normal { generation, .. } => {
                !doc.objects.contains_key(&(**id, *generation))
            }
            // In an object stream (generation 0): a broken stream loses all of them.
            lopdf::xref::XrefEntry::Compressed { .. } => !doc.objects.contains_key(&(**id, 0)),
            _ => false,
        })
        .count()
}

/// A stream lopdf could not read the data of: it had no usable `/Length`, so lopdf kept
/// only where the data starts (and gave it no content).
fn unread_stream(s: &lopdf::Stream) -> bool {
    s.content.is_empty() && s.start_position.is_some()
}

/// Whether some page's `/Contents` points at something that is not a readable stream:
/// lopdf keeps a stream whose `/Length` is wrong as a bare dictionary, dropping its data,
/// and one without `/Length` as an empty stream.
fn contents_broken(doc: &Document) -> bool {
    let is_stream = |o: &Object| match o {
        Object::Reference(id) => {
            matches!(doc.get_object(*id), Ok(Object::Stream(s)) if !unread_stream(s))
        }
        _ => false,
    };
    doc.page_iter().any(|page| {
        let Ok(d) = doc.get_dictionary(page) else {
            return false;
        };
        match d.get(b"Contents") {
            Ok(Object::Reference(id)) => match doc.get_object(*id) {
                Ok(Object::Stream(s)) => unread_stream(s),
                Ok(Object::Array(a)) => !a.iter().all(is_stream),
                _ => true,
            },
            Ok(Object::Array(a)) => !a.iter().all(is_stream),
            _ => false,
        }
    })
}

/// Streams anywhere in the file (fonts' ToUnicode maps, forms, images) whose `/Length`
/// lopdf could not use: kept as a bare dictionary (the `/Length` a stream must have, none
/// of the keys of an encryption or crypt-filter dictionary, which also have one), or as a
/// stream without data. A font whose map is such a dictionary would decode by the standard
/// encoding, i.e. wrongly and silently.
fn broken_streams(doc: &Document) -> usize {
    doc.objects
        .values()
        .filter(|o| match o {
            Object::Dictionary(d) => {
                d.get(b"Length").and_then(Object::as_i64).is_ok()
                    && !(d.has(b"CFM")
                        || (d.has(b"O") && d.has(b"U"))
                        || d.get(b"Filter").and_then(Object::as_name).ok() == Some(b"Standard"))
            }
            Object::Stream(s) => unread_stream(s),
            _ => false,
        })
        .count()
}

/// How usable a parsed document is, best last: pages found, contents readable, every
/// listed object loaded, fewest unreadable streams, objects loaded.
fn health(doc: &Document) -> (bool, bool, bool, std::cmp::Reverse<usize>, usize) {
    (
        !doc.get_pages().is_empty(),
        !contents_broken(doc),
        unloaded_objects(doc) == 0,
        std::cmp::Reverse(broken_streams(doc)),
        doc.objects.len(),
    )
}

fn parse_error(e: &lopdf::Error) -> String {
    let s = e.to_string();
    // lopdf asks users to report missing features upstream; ours should not.
    match s.find("open an issue") {
        Some(i) => s[..s[..i].rfind(';').unwrap_or(i)].trim_end().to_string(),
        None => s,
    }
}

fn encrypted() -> LoadError {
    LoadError::new(
        ErrorKind::Encrypted,
        "the PDF is password-protected (the empty user password does not open it)",
    )
}

/// Parse `bytes`; decrypt with the empty user password if needed. A file lopdf cannot
/// parse, or whose xref leaves objects unloaded or pages missing, is rebuilt by scanning
/// ([`repair::rebuild`]) and the better of the two kept.
pub fn open(bytes: &[u8]) -> Result<Pdf, LoadError> {
    let has_header = bytes.windows(5).any(|w| w == b"%PDF-");
    let direct = Document::load_mem(bytes);
    let direct_ok = match &direct {
        Ok(doc) => {
            unloaded_objects(doc) == 0
                && !doc.get_pages().is_empty()
                && !contents_broken(doc)
                && broken_streams(doc) == 0
        }
        Err(_) => false,
    };
    // lopdf decrypts with the empty user password while loading and then drops /Encrypt
    // from the trailer; a trailer that still has it needs a password we do not have (its
    // objects then look broken, but rebuilding cannot help).
    if direct
        .as_ref()
        .is_ok_and(|d| d.trailer.get(b"Encrypt").is_ok())
    {
        return Err(encrypted());
    }
    let damage = match &direct {
        _ if direct_ok => None,
        Ok(d) if unloaded_objects(d) > 0 => Some(format!(
            "{} objects the xref lists did not load",
            unloaded_objects(d)
        )),
        Ok(d) if contents_broken(d) => Some("a page's content stream could not be read".into()),
        Ok(d) if broken_streams(d) > 0 => Some(format!(
            "{} stream(s) could not be read (bad /Length)",
            broken_streams(d)
        )),
        Ok(_) => None,
        Err(e) => Some(parse_error(e)),
    };
    let (doc, rebuilt, mut notes) = if direct_ok {
        (direct.unwrap(), None, vec![])
    } else {
        let rebuilt = repair::rebuild(bytes);
        let reparsed = rebuilt
            .as_ref()
            .map(|r| Document::load_mem(&r.bytes).map_err(|e| parse_error(&e)));
        match (direct, rebuilt, reparsed) {
            (direct, Some(r), Some(Ok(doc)))
                if direct.as_ref().map_or(true, |d| health(&doc) > health(d)) =>
            {
                let mut what = vec![format!("{} objects found by scanning", r.objects)];
                if let Some(j) = r.junk_before_header.filter(|&j| j > 0) {
                    what.push(format!("{j} bytes of junk before the header skipped"));
                }
                if r.junk_before_header.is_none() {
                    what.push("no %PDF- header".into());
                }
                if r.lengths_fixed > 0 {
                    what.push(format!(
                        "{} stream(s) cut at endstream, not at /Length",
                        r.lengths_fixed
                    ));
                }
                if r.truncated > 0 {
                    what.push("the file ends inside an object (truncated)".into());
                }
                if !r.trailer_found {
                    what.push("no trailer naming the catalog".into());
                }
                let why = match &direct {
                    Ok(d) if unloaded_objects(d) == 0 && contents_broken(d) => {
                        "a page's content stream could not be read: bad or missing /Length"
                            .to_string()
                    }
                    Ok(d) if unloaded_objects(d) == 0 => format!(
                        "{} stream(s) could not be read: bad or missing /Length",
                        broken_streams(d)
                    ),
                    Ok(d) => format!(
                        "{} objects the xref lists did not load",
                        unloaded_objects(d)
                    ),
                    Err(e) => parse_error(e),
                };
                let note = format!("xref rebuilt ({why}): {}", what.join(", "));
                (doc, Some(r.bytes), vec![note])
            }
            (Ok(doc), _, _) => (doc, None, vec![]),
            (Err(e), r, reparsed) => {
                if !has_header && r.is_none() {
                    return Err(LoadError::new(
                        ErrorKind::NotPdf,
                        "not a PDF (no %PDF- header)",
                    ));
                }
                let rebuild = match (r, reparsed) {
                    (None, _) => "no object found by scanning".to_string(),
                    (_, Some(Err(e2))) => format!("the rebuilt file does not parse either: {e2}"),
                    _ => "rebuilt nothing usable".to_string(),
                };
                return Err(LoadError::new(
                    ErrorKind::Damaged,
                    format!(
                        "cannot parse the PDF ({}); tried: lopdf, xref rebuild by scanning ({rebuild})",
                        parse_error(&e)
                    ),
                ));
            }
        }
    };
    if doc.trailer.get(b"Encrypt").is_ok() {
        return Err(encrypted());
    }
    let mut doc = doc;
    let list = pagetree::walk(&mut doc);
    notes.extend(list.notes.iter().cloned());
    if list.needs_flatten {
        pagetree::flatten(&mut doc, &list.pages);
    }
    let pages: BTreeMap<u32, ObjectId> = list
        .pages
        .iter()
        .enumerate()
        .map(|(i, &id)| (i as u32 + 1, id))
        .collect();
    let missing = list.missing.iter().map(|&i| i as u32 + 1).collect();
    let expected_pages = list.count.filter(|&c| c > list.pages.len());
    Ok(Pdf {
        doc,
        pages,
        missing,
        expected_pages,
        notes,
        rebuilt,
        damage,
    })
}

impl Pdf {
    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    /// Raw text of every page from one backend (no quality check), for measurements and
    /// for the chain. `bytes` are the file's bytes (pdftotext reads them, or the rebuilt
    /// ones when the xref was rebuilt).
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
        let bytes = self.rebuilt.as_deref().unwrap_or(bytes);
        match backend {
            Backend::Lopdf => numbers
                .iter()
                .map(|n| match self.pages.get(n) {
                    Some(&id) => lopdf_text::page_text(&self.doc, id),
                    None => Err("no such page".into()),
                })
                .collect(),
            Backend::PdfExtract => {
                // pdf-extract numbers pages as lopdf does; missing pages are not in lopdf's list.
                let ids: std::collections::HashMap<ObjectId, u32> = self
                    .doc
                    .get_pages()
                    .into_iter()
                    .map(|(n, id)| (id, n))
                    .collect();
                let theirs: Vec<Option<u32>> = numbers
                    .iter()
                    .map(|n| self.pages.get(n).and_then(|id| ids.get(id).copied()))
                    .collect();
                let want: Vec<u32> = theirs.iter().flatten().copied().collect();
                let mut got = pdf_extract_text::pages_text(&self.doc, &want).into_iter();
                theirs
                    .iter()
                    .map(|t| match t {
                        Some(_) => got.next().unwrap_or_else(|| Err("no result".into())),
                        None => Err("page object missing".into()),
                    })
                    .collect()
            }
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

fn nonspace(text: &str) -> usize {
    text.chars().filter(|c| !c.is_whitespace()).count()
}

/// Page numbers as a short list: `3, 7–10`.
fn ranges(pages: &[usize]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < pages.len() {
        let mut j = i;
        while j + 1 < pages.len() && pages[j + 1] == pages[j] + 1 {
            j += 1;
        }
        out.push(if j == i {
            pages[i].to_string()
        } else {
            format!("{}–{}", pages[i], pages[j])
        });
        i = j + 1;
    }
    out.join(", ")
}

pub fn load_pdf(
    path: &Path,
    bytes: &[u8],
    opts: &LoadOptions,
) -> Result<LoadedDocument, LoadError> {
    let deadline = opts.ocr_budget.map(|b| std::time::Instant::now() + b);
    let pdf = match open(bytes) {
        Ok(pdf) => pdf,
        // Neither lopdf nor our rebuild can parse it: poppler repairs in other ways.
        Err(e) if e.kind == ErrorKind::Damaged && pdftotext::available() => {
            return pdftotext_only(path, opts, deadline, bytes, e)
                .map_err(|e| unknown_filter_error(bytes, e));
        }
        Err(e) => return Err(unknown_filter_error(bytes, e)),
    };
    if pdf.pages.is_empty() {
        let (kind, why) = match (&pdf.damage, pdf.notes.is_empty()) {
            (None, true) => (
                ErrorKind::NoText,
                "the PDF has no pages (its page tree is empty)".to_string(),
            ),
            (Some(d), true) => (
                ErrorKind::Damaged,
                format!(
                    "no page found: {d}; tried: lopdf, xref rebuild by scanning (found no page either)"
                ),
            ),
            (_, false) => (
                ErrorKind::Damaged,
                format!("no page found; tried: {}", pdf.notes.join("; ")),
            ),
        };
        return Err(unknown_filter_error(bytes, LoadError::new(kind, why)));
    }
    let numbers: Vec<u32> = pdf.pages.keys().copied().collect();
    // Per page: accepted (text, backend, verdict), or the best failure so far.
    let mut done: Vec<Option<(String, PageBackend, Verdict)>> = vec![None; numbers.len()];
    let mut worst: Vec<Verdict> = vec![Verdict::Empty; numbers.len()];
    let mut warnings = pdf.notes.clone();
    // Pages whose content is gone (missing objects), and pages with an unsupported filter.
    let mut lost: Vec<usize> = pdf.missing.iter().map(|&n| n as usize).collect();
    let mut unsupported: Vec<(usize, String)> = Vec::new();
    let mut junk_pages: Vec<usize> = Vec::new();
    // Pages that draw images and no text: straight to OCR, no other text backend asked.
    let mut images_only: Vec<bool> = vec![false; numbers.len()];
    // Glyphs the lopdf walker saw drawn on each page (unmapped ones included): a later
    // backend whose text is far shorter dropped the glyphs it could not map.
    let mut drawn: Vec<usize> = vec![0; numbers.len()];
    let mut short: Vec<(usize, String)> = Vec::new();
    // lopdf's text of pages whose content stream broke off: kept unless another backend
    // reads more.
    let mut cut: Vec<Option<String>> = vec![None; numbers.len()];
    // Pages drawn partly in fonts whose ToUnicode map is damaged: (page, glyphs left
    // without Unicode, glyphs in such fonts).
    let mut map_damaged: Vec<(usize, usize, usize)> = Vec::new();
    let mut stream_cut: Vec<usize> = Vec::new();
    // The lopdf walker first, page by page: it says which pages draw no text at all (no
    // other backend can find any there) and catches bombs before anything else decodes them.
    for (i, &n) in numbers.iter().enumerate() {
        let id = pdf.pages[&n];
        if pdf.missing.contains(&n) {
            done[i] = Some((String::new(), PageBackend::None, Verdict::Damaged));
            continue;
        }
        match lopdf_text::read_page(&pdf.doc, id) {
            Ok(r) => {
                if r.junk > 0 {
                    junk_pages.push(n as usize);
                }
                drawn[i] = nonspace(&r.text);
                if r.unmapped > 0 {
                    map_damaged.push((n as usize, r.unmapped, r.damaged_map_glyphs));
                }
                if r.cut_short > 0 {
                    stream_cut.push(n as usize);
                }
                // A few glyphs lost to a damaged ToUnicode map (their U+FFFD kept, so no
                // figure is glued together across one) leave the page readable, and
                // incomplete; many make it garbled, for the other backends and OCR.
                let verdict = if r.unmapped > 0 && r.unmapped * 10 <= drawn[i] {
                    quality::judge(&r.text.replace('\u{FFFD}', ""))
                } else {
                    quality::judge(&r.text)
                };
                match verdict {
                    Verdict::Good if r.cut_short > 0 || r.unmapped > 0 => cut[i] = Some(r.text),
                    Verdict::Good => {
                        done[i] = Some((r.text, PageBackend::Pdf(Backend::Lopdf), Verdict::Good))
                    }
                    Verdict::Mojibake => {
                        if let Some(fixed) = quality::repair_mojibake(&r.text) {
                            done[i] =
                                Some((fixed, PageBackend::Pdf(Backend::Lopdf), Verdict::Mojibake));
                        }
                    }
                    // No text drawn at all: no other backend finds any either. A page
                    // that draws images is a scan (OCR's), one that draws nothing is blank.
                    Verdict::Empty if r.shows == 0 => {
                        if lopdf_text::page_has_images(&pdf.doc, id) {
                            images_only[i] = true;
                        } else {
                            done[i] = Some((
                                String::new(),
                                PageBackend::Pdf(Backend::Lopdf),
                                Verdict::Empty,
                            ));
                        }
                    }
                    Verdict::Garbled => worst[i] = Verdict::Garbled,
                    _ => {}
                }
            }
            Err(lopdf_text::PageError::TooLarge(m)) => {
                return Err(LoadError::new(
                    ErrorKind::TooLarge,
                    format!("page {n}: {m} (a decompression bomb?); nothing else decoded"),
                ));
            }
            Err(lopdf_text::PageError::Missing(m)) => {
                lost.push(n as usize);
                warnings.push(format!("page {n}: {m}"));
                done[i] = Some((String::new(), PageBackend::None, Verdict::Damaged));
            }
            Err(lopdf_text::PageError::Unsupported(m)) => unsupported.push((n as usize, m)),
            Err(lopdf_text::PageError::Other(m)) => {
                warnings.push(format!("lopdf failed on page {n}: {m}"));
            }
        }
    }
    if !junk_pages.is_empty() {
        warnings.push(format!(
            "content stream damaged on page {}: unreadable tokens skipped",
            ranges(&junk_pages)
        ));
    }
    for backend in &CHAIN[1..] {
        let backend = *backend;
        let todo: Vec<usize> = (0..numbers.len())
            .filter(|&i| done[i].is_none() && !images_only[i])
            .collect();
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
                    Verdict::Good
                        if cut[i]
                            .as_ref()
                            .is_some_and(|c| nonspace(&text) < nonspace(c)) => {}
                    Verdict::Good if drawn[i] >= 20 && nonspace(&text) * 2 < drawn[i] => {
                        short.push((
                            i,
                            format!(
                                "page {}: {}'s text is much shorter than the page draws ({} of \
                                 {} glyphs), not used",
                                numbers[i],
                                backend.name(),
                                nonspace(&text),
                                drawn[i]
                            ),
                        ));
                        worst[i] = Verdict::Garbled;
                    }
                    Verdict::Good => {
                        done[i] = Some((text, PageBackend::Pdf(backend), Verdict::Good))
                    }
                    Verdict::Mojibake => {
                        if let Some(fixed) = quality::repair_mojibake(&text) {
                            done[i] = Some((fixed, PageBackend::Pdf(backend), Verdict::Mojibake));
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
    for (i, c) in cut.into_iter().enumerate() {
        if let (None, Some(text)) = (&done[i], c) {
            done[i] = Some((text, PageBackend::Pdf(Backend::Lopdf), Verdict::Incomplete));
        }
    }
    // A content stream that breaks off is the same for every backend (pdftotext reads
    // the rebuilt file too): whichever read the page, its text is incomplete.
    let mut cut_pages = Vec::new();
    for (i, slot) in done.iter_mut().enumerate() {
        if let Some((_, PageBackend::Pdf(_), verdict)) = slot
            && stream_cut.contains(&(numbers[i] as usize))
        {
            *verdict = Verdict::Incomplete;
            cut_pages.push(numbers[i] as usize);
        }
    }
    for &(n, unmapped, of) in &map_damaged {
        let i = numbers.iter().position(|&m| m as usize == n).unwrap_or(0);
        let used = match &mut done[i] {
            Some((text, PageBackend::Pdf(b), verdict)) if *b != Backend::Lopdf => {
                // Another backend found its own way to the glyphs' Unicode (poppler reads
                // the embedded font's cmap); short of the glyphs drawn, it is incomplete too.
                let whole = nonspace(text) * 100 >= drawn[i] * 95;
                if !whole {
                    *verdict = Verdict::Incomplete;
                }
                format!(
                    "; {}'s text is used instead{}",
                    b.name(),
                    if whole {
                        ""
                    } else {
                        ", also short of the glyphs drawn"
                    }
                )
            }
            _ => String::new(),
        };
        warnings.push(format!(
            "page {n}: a font's ToUnicode map is damaged (cut off or unreadable): {unmapped} of \
             {of} glyphs drawn in it are lost (no Unicode){used}"
        ));
    }
    if !cut_pages.is_empty() {
        warnings.push(format!(
            "page {}: a content stream breaks off (corrupt or truncated data); the text \
             after the break is lost",
            ranges(&cut_pages)
        ));
    }
    // Only for the pages no backend then read in full.
    warnings.extend(
        short
            .into_iter()
            .filter(|(i, _)| done[*i].is_none())
            .map(|(_, w)| w),
    );
    let mut pages: Vec<PageText> = Vec::with_capacity(numbers.len());
    let mut unreadable = Vec::new();
    // Unreadable pages that use a font gone from the file: text lost to the damage.
    let mut font_lost: Vec<usize> = Vec::new();
    let mut fonts_cut = std::collections::HashMap::new();
    for (i, slot) in done.into_iter().enumerate() {
        let number = i + 1;
        pages.push(match slot {
            Some((text, backend, verdict)) => PageText {
                number,
                text,
                backend,
                verdict,
            },
            None => {
                let id = pdf.pages[&numbers[i]];
                let bad_filter = unsupported.iter().any(|(n, _)| *n == number);
                // A page with no text and no image is blank, not a scan.
                let blank =
                    worst[i] == Verdict::Empty && !lopdf_text::page_has_images(&pdf.doc, id);
                let verdict = if bad_filter {
                    Verdict::Damaged
                } else if blank {
                    Verdict::Empty
                } else {
                    unreadable.push((number, worst[i]));
                    if lopdf_text::page_fonts_missing(&pdf.doc, id, &mut fonts_cut) {
                        font_lost.push(number);
                    }
                    Verdict::NeedsOcr
                };
                PageText {
                    number,
                    text: String::new(),
                    backend: PageBackend::None,
                    verdict,
                }
            }
        });
    }
    if !unsupported.is_empty() {
        let ps: Vec<usize> = unsupported.iter().map(|(n, _)| *n).collect();
        warnings.push(format!(
            "page {}: {}; its text is not read",
            ranges(&ps),
            unsupported[0].1
        ));
    }
    // What was lost: pages whose objects are gone, and pages the tree promised but lacks.
    let total = pdf
        .expected_pages
        .unwrap_or(numbers.len())
        .max(numbers.len());
    lost.sort_unstable();
    lost.dedup();
    if !lost.is_empty() || total > numbers.len() {
        let readable = numbers.len() - lost.len();
        let mut what = Vec::new();
        if !lost.is_empty() {
            what.push(format!("page {} lost", ranges(&lost)));
        }
        if total > numbers.len() {
            what.push(format!(
                "{} page(s) the page tree counts are not in the file",
                total - numbers.len()
            ));
        }
        warnings.push(format!(
            "recovered: {readable} of {total} pages ({}; the file is truncated or damaged)",
            what.join("; ")
        ));
    }
    if !lost.is_empty() {
        let filters = super::decode::unknown_filters(bytes);
        if !filters.is_empty() {
            warnings.push(format!(
                "the file uses stream filter(s) baogao cannot decode: {}",
                filters.join(", ")
            ));
        }
    }
    let ocr_error = ocr_into(path, opts, deadline, &mut pages, &mut warnings);
    let ocred = pages.iter().filter(|p| p.backend.is_ocr()).count();
    let text_layer = match ocred {
        0 => TextLayer::Pdf,
        n if n == pages.len() => TextLayer::Ocr,
        _ => TextLayer::Mixed,
    };
    unreadable.retain(|(n, _)| !pages[n - 1].backend.is_ocr());
    font_lost.retain(|n| !pages[n - 1].backend.is_ocr());
    if !font_lost.is_empty() {
        warnings.push(format!(
            "page {}: text lost: a font the page uses is missing or cut off in the file (truncated or \
             damaged); {} of {} page(s) read",
            ranges(&font_lost),
            pages.iter().filter(|p| !p.text.trim().is_empty()).count(),
            pages.len()
        ));
    }
    let doc = LoadedDocument {
        pages,
        text_layer,
        warnings,
    };
    if !doc.has_text() {
        if !unreadable.is_empty() {
            if let Some(e) = ocr_error {
                return Err(LoadError::new(
                    ErrorKind::NeedsOcr,
                    format!("no usable text layer on any page, and OCR failed: {e}"),
                ));
            }
            // What the damaged-file errors below say was tried after the text readers.
            let ocr = match opts.ocr {
                OcrMode::Never => "; OCR of the rendered pages may read them (--ocr auto)",
                _ => ", OCR",
            };
            if !font_lost.is_empty() {
                return Err(LoadError::new(
                    ErrorKind::Damaged,
                    format!(
                        "no usable text: fonts of page {} are missing or cut off in the file (truncated \
                         or damaged); tried: lopdf, pdf-extract, pdftotext{ocr}",
                        ranges(&font_lost)
                    ),
                ));
            }
            if !map_damaged.is_empty() {
                // The file is damaged, not a scan: its fonts' maps to Unicode are cut off
                // or gone (and with a truncation often the font programs too, so OCR of
                // the rendered page finds nothing either).
                let ps: Vec<usize> = map_damaged.iter().map(|d| d.0).collect();
                return Err(LoadError::new(
                    ErrorKind::Damaged,
                    format!(
                        "no usable text: the fonts' ToUnicode maps are damaged (cut off or \
                         missing) on page {}; tried: lopdf with what is left of the maps, \
                         pdf-extract, pdftotext{ocr}",
                        ranges(&ps)
                    ),
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
        if !unsupported.is_empty() {
            return Err(LoadError::new(
                ErrorKind::Unsupported,
                format!("{} on every page with content", unsupported[0].1),
            ));
        }
        if !lost.is_empty() || !doc.warnings.is_empty() {
            return Err(unknown_filter_error(
                bytes,
                LoadError::new(
                    ErrorKind::Damaged,
                    format!("no text recovered; {}", doc.warnings.join("; ")),
                ),
            ));
        }
        return Err(LoadError::new(
            ErrorKind::NoText,
            format!("none of the {} page(s) draws any text", doc.pages.len()),
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
/// Pages left out because OCR would start after `deadline` are named in one warning.
fn ocr_into(
    path: &Path,
    opts: &LoadOptions,
    deadline: Option<std::time::Instant>,
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
    let mut not_reached = Vec::new();
    let results =
        crate::ocr::ocr_pdf_pages_until(path, &want, engine, opts.ocr_jobs.max(1), deadline);
    for (n, res) in results {
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
            Err(e) if e.kind == crate::ocr::BUDGET => not_reached.push(n),
            Err(e) => warnings.push(format!("page {n}: OCR failed: {e}")),
        }
    }
    if !not_reached.is_empty() {
        not_reached.sort_unstable();
        warnings.push(format!(
            "OCR time budget ({} s, from --timeout) spent: page(s) {} not OCRed, left empty ({} of {} page(s) OCRed)",
            opts.ocr_budget.map_or(0, |b| b.as_secs()),
            ranges(&not_reached),
            want.len() - not_reached.len(),
            want.len()
        ));
    }
    None
}

/// A file that could not be read and whose streams use a filter nothing here decodes is
/// `unsupported`, with the filter named, rather than `damaged`.
fn unknown_filter_error(bytes: &[u8], e: LoadError) -> LoadError {
    if e.kind != ErrorKind::Damaged {
        return e;
    }
    let filters = super::decode::unknown_filters(bytes);
    if filters.is_empty() {
        return e;
    }
    LoadError::new(
        ErrorKind::Unsupported,
        format!(
            "unsupported stream filter {} (the pages' objects are in such streams); {}",
            filters.join(", "),
            e.message
        ),
    )
}

/// The whole document from pdftotext alone, for files lopdf cannot parse.
/// Pages pdftotext reads garbled are OCRed like any others (`--ocr` permitting; poppler
/// renders what it parses); empty ones stay empty (nothing says they hold images).
fn pdftotext_only(
    path: &Path,
    opts: &LoadOptions,
    deadline: Option<std::time::Instant>,
    bytes: &[u8],
    parse_error: LoadError,
) -> Result<LoadedDocument, LoadError> {
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
                Verdict::Empty => (String::new(), Verdict::Empty),
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
    let mut pages = pages;
    let mut warnings = vec![format!("{}; text from pdftotext only", parse_error.message)];
    let _ = ocr_into(path, opts, deadline, &mut pages, &mut warnings);
    let text_layer = match pages.iter().filter(|p| p.backend.is_ocr()).count() {
        0 => TextLayer::Pdf,
        n if n == pages.len() => TextLayer::Ocr,
        _ => TextLayer::Mixed,
    };
    for p in pages.iter().filter(|p| p.verdict == Verdict::NeedsOcr) {
        warnings.push(format!(
            "page {}: garbled text layer, left empty (needs OCR)",
            p.number
        ));
    }
    let doc = LoadedDocument {
        pages,
        text_layer,
        warnings,
    };
    if !doc.has_text() {
        return Err(parse_error);
    }
    Ok(doc)
}
