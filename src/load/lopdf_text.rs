//! Backend `lopdf`: our own content-stream walker on lopdf (the version pdf-extract uses, so
//! one parsed [`Document`] serves both backends).
//!
//! lopdf's `extract_text` decodes fonts well (ToUnicode, UniGB-UCS2-H) but ignores positions,
//! so table cells come out one per line. This walker tracks the text and graphics matrices
//! and glyph widths, emits positioned [`Glyph`]s and lets [`layout::lines`] build one line
//! per baseline. It also decodes the predefined GB CMaps lopdf lacks (GBK-EUC-H, GB-EUC-H,
//! GBKp-EUC-H) with encoding_rs.
//!
//! Content streams are decoded with a size cap ([`decode`]) and parsed forgivingly
//! ([`content::parse`]): a bomb is [`PageError::TooLarge`], garbage operators are skipped
//! and counted in [`PageRead::junk`] instead of ending the page.

use super::cmap::{self, CMap};
use super::content;
use super::decode::{self, DecodeError};
use super::fontcmap;
use super::layout::{self, Glyph, Rule};
use lopdf::{Dictionary, Document, Encoding, Object, ObjectId};
use std::collections::{HashMap, HashSet};

/// One page read by the walker.
#[derive(Debug, Clone, Default)]
pub struct PageRead {
    pub text: String,
    /// Text-showing operators met (`Tj`, `TJ`, `'`, `"`): 0 means the page draws no text
    /// at all, so no other text backend can find any either.
    pub shows: usize,
    /// Unreadable tokens skipped in the page's content streams.
    pub junk: usize,
    /// Content streams whose compressed data ended early or broke off (their text so far
    /// is kept): the page's text may be incomplete.
    pub cut_short: usize,
    /// Glyphs drawn in fonts whose ToUnicode map is damaged (cut off, unreadable), and how
    /// many of those the part of the map that was read does not cover (shown as U+FFFD).
    pub damaged_map_glyphs: usize,
    pub unmapped: usize,
}

/// Why a page could not be read.
#[derive(Debug, Clone, PartialEq)]
pub enum PageError {
    /// Decoded content over the per-stream or per-page cap (a decompression bomb).
    TooLarge(String),
    /// A stream filter we cannot decode, by name.
    Unsupported(String),
    /// The page's content stream object is not in the file (truncated or damaged).
    Missing(String),
    Other(String),
}

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PageError::TooLarge(m)
            | PageError::Unsupported(m)
            | PageError::Missing(m)
            | PageError::Other(m) => f.write_str(m),
        }
    }
}

/// A form's decoded content and the resources it is run with (its own first).
type FormContent<'a> = (Vec<u8>, Vec<&'a Dictionary>);

fn decode_error(e: DecodeError) -> PageError {
    match e {
        DecodeError::TooLarge(_) => PageError::TooLarge(e.to_string()),
        DecodeError::Unsupported(_) => PageError::Unsupported(e.to_string()),
        DecodeError::Corrupt(_) => PageError::Other(e.to_string()),
    }
}

/// The page's content streams decoded and joined, within `budget` bytes.
fn page_content(
    doc: &Document,
    page_id: ObjectId,
    budget: &mut usize,
    cut_short: &mut usize,
) -> Result<Vec<u8>, PageError> {
    if doc.get_dictionary(page_id).is_err() {
        return Err(PageError::Missing(format!(
            "page object {} is missing",
            page_id.0
        )));
    }
    let mut out = Vec::new();
    for id in doc.get_page_contents(page_id) {
        match doc.get_object(id) {
            Ok(Object::Stream(s)) => {
                let (data, cut) = decode::decode_checked(doc, s, decode::STREAM_CAP.min(*budget))
                    .map_err(decode_error)?;
                *cut_short += usize::from(cut);
                *budget = budget.saturating_sub(data.len());
                out.extend_from_slice(&data);
                out.push(b'\n');
            }
            Ok(_) => {}
            Err(_) => {
                return Err(PageError::Missing(format!(
                    "content stream {} {} R is missing",
                    id.0, id.1
                )));
            }
        }
    }
    Ok(out)
}

/// Text of page `page_id` (1-based page numbers come from `Document::get_pages`).
pub fn page_text(doc: &Document, page_id: ObjectId) -> Result<String, String> {
    read_page(doc, page_id)
        .map(|r| r.text)
        .map_err(|e| e.to_string())
}

/// Text of page `page_id` and what the walker saw.
pub fn read_page(doc: &Document, page_id: ObjectId) -> Result<PageRead, PageError> {
    let mut budget = decode::PAGE_CAP;
    let mut cut_short = 0;
    let content = page_content(doc, page_id, &mut budget, &mut cut_short)?;
    let resources = page_resources(doc, page_id);
    let mut walker = Walker {
        doc,
        glyphs: Vec::new(),
        rules: Vec::new(),
        point: (0.0, 0.0),
        forms_seen: HashSet::new(),
        ops: 0,
        shows: 0,
        junk: 0,
        budget,
        damaged_map_glyphs: 0,
        unmapped: 0,
    };
    walker.run(&content, &resources, IDENTITY, 0)?;
    if let Ok(page) = doc.get_dictionary(page_id) {
        walker.run_annotations(page, &resources)?;
    }
    let text = if walker.rules.len() > MAX_RULES {
        // A drawing, not a table: cell lookup would be slow and pointless.
        layout::lines(&walker.glyphs)
    } else {
        layout::lines_with_rules(&walker.glyphs, &walker.rules)
    };
    Ok(PageRead {
        text,
        shows: walker.shows,
        junk: walker.junk,
        cut_short,
        damaged_map_glyphs: walker.damaged_map_glyphs,
        unmapped: walker.unmapped,
    })
}

/// Whether the page draws any image (directly or in a form), i.e. might be a scan.
pub fn page_has_images(doc: &Document, page_id: ObjectId) -> bool {
    fn has_images(doc: &Document, res: &Dictionary, depth: usize) -> bool {
        let Some(xobjects) = deref_dict(doc, res.get(b"XObject").ok()) else {
            return false;
        };
        xobjects.iter().any(|(_, o)| {
            let Ok(stream) = deref(doc, o).as_stream() else {
                return false;
            };
            match stream.dict.get(b"Subtype").and_then(Object::as_name) {
                Ok(b"Image") => true,
                Ok(b"Form") if depth < 4 => deref_dict(doc, stream.dict.get(b"Resources").ok())
                    .is_some_and(|r| has_images(doc, r, depth + 1)),
                _ => false,
            }
        })
    }
    page_resources(doc, page_id)
        .iter()
        .any(|r| has_images(doc, r, 0))
}

/// Whether a font the page uses (its resources or its forms') is gone from the file: the
/// font, its descendant, its descriptor or its embedded program is a reference to an object
/// that does not load, or the program's stream is cut short (a truncated or damaged file).
/// Such a page reads garbled because of the damage, not because it is a scan or its
/// producer wrote no Unicode. `cut` caches the verdict per font program across pages.
pub fn page_fonts_missing(
    doc: &Document,
    page_id: ObjectId,
    cut: &mut HashMap<ObjectId, bool>,
) -> bool {
    fn gone(doc: &Document, o: Option<&Object>) -> bool {
        matches!(o, Some(Object::Reference(id)) if doc.get_object(*id).is_err())
    }
    fn program_cut(doc: &Document, o: Option<&Object>, cut: &mut HashMap<ObjectId, bool>) -> bool {
        let Some(&Object::Reference(id)) = o else {
            return false;
        };
        *cut.entry(id).or_insert_with(|| match doc.get_object(id) {
            Err(_) => true,
            Ok(Object::Stream(s)) => !matches!(
                super::decode::decode_checked(doc, s, 48 << 20),
                Ok((_, false))
            ),
            Ok(_) => false,
        })
    }
    fn font_gone(doc: &Document, font: &Object, cut: &mut HashMap<ObjectId, bool>) -> bool {
        if gone(doc, Some(font)) {
            return true;
        }
        let Ok(f) = deref(doc, font).as_dict() else {
            return false;
        };
        let mut fonts = vec![f];
        if let Ok(Object::Array(d)) = f.get(b"DescendantFonts").map(|o| deref(doc, o)) {
            if d.first().is_some_and(|o| gone(doc, Some(o))) {
                return true;
            }
            fonts.extend(d.first().and_then(|o| deref(doc, o).as_dict().ok()));
        }
        fonts.iter().any(|f| {
            let desc = f.get(b"FontDescriptor").ok();
            if gone(doc, desc) {
                return true;
            }
            let Some(d) = desc.and_then(|d| deref(doc, d).as_dict().ok()) else {
                return false;
            };
            [&b"FontFile"[..], b"FontFile2", b"FontFile3"]
                .iter()
                .any(|k| program_cut(doc, d.get(k).ok(), cut))
        })
    }
    fn in_resources(
        doc: &Document,
        res: &Dictionary,
        depth: usize,
        cut: &mut HashMap<ObjectId, bool>,
    ) -> bool {
        if gone(doc, res.get(b"Font").ok()) {
            return true;
        }
        if deref_dict(doc, res.get(b"Font").ok())
            .is_some_and(|fs| fs.iter().any(|(_, f)| font_gone(doc, f, cut)))
        {
            return true;
        }
        if depth >= 4 {
            return false;
        }
        let Some(xs) = deref_dict(doc, res.get(b"XObject").ok()) else {
            return false;
        };
        xs.iter().any(|(_, o)| {
            deref(doc, o).as_stream().is_ok_and(|s| {
                deref_dict(doc, s.dict.get(b"Resources").ok())
                    .is_some_and(|r| in_resources(doc, r, depth + 1, cut))
            })
        })
    }
    let res_gone = doc
        .get_dictionary(page_id)
        .is_ok_and(|p| gone(doc, p.get(b"Resources").ok()));
    res_gone
        || page_resources(doc, page_id)
            .iter()
            .any(|r| in_resources(doc, r, 0, cut))
}

type Matrix = [f64; 6];
const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

fn mul(m1: &Matrix, m2: &Matrix) -> Matrix {
    [
        m1[0] * m2[0] + m1[1] * m2[2],
        m1[0] * m2[1] + m1[1] * m2[3],
        m1[2] * m2[0] + m1[3] * m2[2],
        m1[2] * m2[1] + m1[3] * m2[3],
        m1[4] * m2[0] + m1[5] * m2[2] + m2[4],
        m1[4] * m2[1] + m1[5] * m2[3] + m2[5],
    ]
}

fn deref<'a>(doc: &'a Document, o: &'a Object) -> &'a Object {
    let mut o = o;
    for _ in 0..8 {
        match o {
            Object::Reference(id) => match doc.get_object(*id) {
                Ok(t) => o = t,
                Err(_) => return o,
            },
            _ => return o,
        }
    }
    o
}

fn deref_dict<'a>(doc: &'a Document, o: Option<&'a Object>) -> Option<&'a Dictionary> {
    deref(doc, o?).as_dict().ok()
}

fn num(o: &Object) -> Option<f64> {
    match o {
        Object::Integer(i) => Some(*i as f64),
        Object::Real(r) => Some(*r as f64),
        _ => None,
    }
}

/// Resource dictionaries of a page, innermost (the page's own) first, then inherited.
fn page_resources(doc: &Document, page_id: ObjectId) -> Vec<&Dictionary> {
    let mut out = Vec::new();
    let mut node = doc.get_dictionary(page_id).ok();
    let mut seen = HashSet::new();
    while let Some(dict) = node {
        if let Some(r) = deref_dict(doc, dict.get(b"Resources").ok()) {
            out.push(r);
            break; // Resources is inherited whole, not merged.
        }
        node = match dict.get(b"Parent").and_then(Object::as_reference) {
            Ok(id) if seen.insert(id) => doc.get_dictionary(id).ok(),
            _ => None,
        };
    }
    out
}

/// How a font's string bytes split into codes and codes into text.
enum Decoder<'a> {
    /// lopdf's decoder (ToUnicode, UniGB-UCS2-H/UTF16-H, simple encodings), code by code.
    Lopdf(Encoding<'a>),
    /// Predefined GB EUC CMaps: the codes are GBK bytes.
    Gbk,
    /// What could be read of a damaged ToUnicode map ([`cmap::parse`]); codes it does not
    /// cover are U+FFFD.
    Recovered(CMap),
    /// No way from codes to Unicode: every glyph is U+FFFD.
    Unmapped,
}

struct Font<'a> {
    decoder: Decoder<'a>,
    /// Bytes per code for composite fonts with a fixed-width CMap (Identity-H, UCS2): 2.
    two_byte: bool,
    /// Widths are keyed by the code itself (simple fonts, Identity CMaps).
    cid_is_code: bool,
    widths: HashMap<u32, f64>,
    default_width: f64,
    /// The font's ToUnicode map is damaged (see [`Decoder::Recovered`]).
    damaged_map: bool,
    /// Code → text from the embedded TrueType font's own `cmap` ([`fontcmap`]), for the
    /// codes a damaged or absent ToUnicode map leaves without text. Empty otherwise.
    font_cmap: HashMap<u32, String>,
}

/// Decoded size allowed for one ToUnicode map (real ones are a few hundred KiB at most).
const MAP_CAP: usize = 16 << 20;

/// What can be read of a ToUnicode map lopdf cannot read whole, or `None` when the map is
/// fine (or a name, which lopdf handles): a map that is not a stream (lopdf keeps one with
/// a lying `/Length` as a bare dictionary), a stream without its data, or data that does
/// not decode in full (a truncated or corrupt Flate stream). lopdf would fall back to the
/// standard encoding for all of these, silently.
fn damaged_map(doc: &Document, to_unicode: &Object) -> Option<CMap> {
    match deref(doc, to_unicode) {
        Object::Name(_) => None,
        Object::Stream(s) if !(s.content.is_empty() && s.start_position.is_some()) => {
            match decode::decode_checked(doc, s, MAP_CAP) {
                Ok((_, false)) => None,
                Ok((data, true)) => Some(cmap::parse(&data)),
                Err(_) => Some(CMap::default()),
            }
        }
        _ => Some(CMap::default()),
    }
}

impl<'a> Font<'a> {
    fn load(doc: &'a Document, dict: &'a Dictionary, owned: &'a Dictionary) -> Font<'a> {
        let subtype = dict
            .get(b"Subtype")
            .and_then(Object::as_name)
            .unwrap_or(b"");
        let enc_name = dict
            .get(b"Encoding")
            .map(|o| deref(doc, o))
            .and_then(Object::as_name)
            .unwrap_or(b"");
        let composite = subtype == b"Type0";
        let has_to_unicode = dict.get(b"ToUnicode").is_ok();
        // Glyph ids without a Unicode mapping: Identity-H without ToUnicode, or an 8-bit
        // TrueType subset (`ABCDEF+Name`) with neither ToUnicode nor /Encoding. Show each
        // glyph as U+FFFD so the page is judged garbled instead of read as ASCII soup.
        let base_font = dict
            .get(b"BaseFont")
            .and_then(Object::as_name)
            .unwrap_or(b"");
        let subset = base_font.len() > 7
            && base_font[6] == b'+'
            && base_font[..6].iter().all(u8::is_ascii_uppercase);
        let unmapped = !has_to_unicode
            && ((composite && enc_name.starts_with(b"Identity"))
                || (subtype == b"TrueType" && subset && dict.get(b"Encoding").is_err()));
        let gbk = !has_to_unicode
            && composite
            && (enc_name.starts_with(b"GBK")
                || enc_name.starts_with(b"GB-")
                || enc_name.starts_with(b"GBpc"));
        let recovered = dict
            .get(b"ToUnicode")
            .ok()
            .and_then(|o| damaged_map(doc, o));
        let damaged_map = recovered.is_some();
        let font_cmap = if composite && (damaged_map || unmapped) {
            fontcmap::identity_map(doc, dict).unwrap_or_default()
        } else {
            HashMap::new()
        };
        let decoder = if let Some(map) = recovered {
            Decoder::Recovered(map)
        } else if unmapped {
            Decoder::Unmapped
        } else if gbk {
            Decoder::Gbk
        } else {
            // ToUnicode beats /Encoding (lopdf tries /Encoding first); `owned` is the font
            // dictionary without /Encoding when a ToUnicode map exists.
            let d = if has_to_unicode && !composite {
                owned
            } else {
                dict
            };
            Decoder::Lopdf(
                d.get_font_encoding(doc)
                    .unwrap_or(Encoding::SimpleEncoding(b"")),
            )
        };
        let mut widths = HashMap::new();
        let default_width;
        if composite {
            let desc = dict
                .get(b"DescendantFonts")
                .map(|o| deref(doc, o))
                .and_then(Object::as_array)
                .ok()
                .and_then(|a| a.first())
                .and_then(|o| deref(doc, o).as_dict().ok());
            default_width = desc
                .and_then(|d| d.get(b"DW").ok())
                .and_then(num)
                .unwrap_or(1000.0);
            if let Some(w) = desc
                .and_then(|d| d.get(b"W").ok())
                .and_then(|o| deref(doc, o).as_array().ok())
            {
                let mut i = 0;
                while i + 1 < w.len() {
                    let Some(first) = num(&w[i]) else { break };
                    match deref(doc, &w[i + 1]) {
                        Object::Array(ws) => {
                            for (k, x) in ws.iter().enumerate() {
                                if let Some(x) = num(x) {
                                    widths.insert(first as u32 + k as u32, x);
                                }
                            }
                            i += 2;
                        }
                        o => {
                            let (Some(last), Some(x)) = (num(o), w.get(i + 2).and_then(num)) else {
                                break;
                            };
                            let (first, last) =
                                (first as u32, (last as u32).min(first as u32 + 65535));
                            for c in first..=last {
                                widths.insert(c, x);
                            }
                            i += 3;
                        }
                    }
                }
            }
        } else {
            default_width = 500.0;
            let first = dict.get(b"FirstChar").ok().and_then(num).unwrap_or(0.0) as u32;
            if let Ok(ws) = dict
                .get(b"Widths")
                .map(|o| deref(doc, o))
                .and_then(Object::as_array)
            {
                for (k, x) in ws.iter().enumerate() {
                    if let Some(x) = num(deref(doc, x)) {
                        widths.insert(first + k as u32, x);
                    }
                }
            }
        }
        Font {
            two_byte: composite && !gbk,
            cid_is_code: !composite || enc_name.starts_with(b"Identity"),
            decoder,
            widths,
            default_width,
            damaged_map,
            font_cmap,
        }
    }

    /// Split a shown string into (code, text) pairs. For Identity-H the width key is the CID
    /// (= code); for UCS2 CMaps widths are keyed by CID we do not know, so the default applies.
    fn codes(&self, bytes: &[u8]) -> Vec<(u32, String)> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            let len = match self.decoder {
                Decoder::Gbk if bytes[i] >= 0x81 && i + 1 < bytes.len() => 2,
                Decoder::Gbk => 1,
                _ if self.two_byte && i + 1 < bytes.len() => 2,
                _ => 1,
            };
            let chunk = &bytes[i..i + len];
            let code = chunk.iter().fold(0u32, |a, &b| a * 256 + b as u32);
            let text = match &self.decoder {
                Decoder::Gbk => encoding_rs::GBK
                    .decode_without_bom_handling(chunk)
                    .0
                    .into_owned(),
                Decoder::Lopdf(enc) => enc.bytes_to_string(chunk).unwrap_or_default(),
                Decoder::Recovered(map) => map
                    .get(len, code)
                    .or_else(|| self.font_cmap.get(&code).map(String::as_str))
                    .unwrap_or("\u{FFFD}")
                    .to_string(),
                Decoder::Unmapped => self
                    .font_cmap
                    .get(&code)
                    .map_or("\u{FFFD}", String::as_str)
                    .to_string(),
            };
            out.push((code, text));
            i += len;
        }
        out
    }

    fn width(&self, code: u32, text: &str) -> f64 {
        if self.cid_is_code {
            return self
                .widths
                .get(&code)
                .copied()
                .unwrap_or(self.default_width);
        }
        // Predefined CMaps (UniGB-UCS2-H, GBK-EUC-H) map codes to Adobe-GB1 CIDs we do not
        // have tables for, except that Adobe-GB1 puts printable ASCII at CIDs 1..=95.
        let mut chars = text.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) if (' '..='~').contains(&c) => {
                self.widths.get(&(c as u32 - 31)).copied().unwrap_or(500.0)
            }
            _ => self.default_width,
        }
    }
}

#[derive(Clone)]
struct GState {
    ctm: Matrix,
    font: Option<Vec<u8>>,
    size: f64,
    char_spacing: f64,
    word_spacing: f64,
    hscale: f64,
    leading: f64,
    rise: f64,
}

struct Walker<'a> {
    doc: &'a Document,
    glyphs: Vec<Glyph>,
    /// Straight path segments (table borders), in device space.
    rules: Vec<Rule>,
    /// Current path point, user space.
    point: (f64, f64),
    forms_seen: HashSet<ObjectId>,
    ops: usize,
    shows: usize,
    junk: usize,
    /// Decoded bytes the page may still use (forms count too).
    budget: usize,
    /// See [`PageRead::damaged_map_glyphs`] and [`PageRead::unmapped`].
    damaged_map_glyphs: usize,
    unmapped: usize,
}

/// Give up on a page after this many operators (content bombs).
const MAX_OPS: usize = 2_000_000;
/// Pages with more path segments than this are drawings; no table reconstruction.
const MAX_RULES: usize = 4000;
/// Annotations read per page (a page with more is a generated mess, not a report).
const MAX_ANNOTS: usize = 2000;

/// The four numbers of a rectangle (`/Rect`, `/BBox`), normalized so x0 ≤ x1, y0 ≤ y1.
fn rect(doc: &Document, o: Option<&Object>) -> Option<[f64; 4]> {
    let a = deref(doc, o?).as_array().ok()?;
    let v: Vec<f64> = a.iter().filter_map(|o| num(deref(doc, o))).collect();
    (v.len() == 4).then(|| {
        [
            v[0].min(v[2]),
            v[1].min(v[3]),
            v[0].max(v[2]),
            v[1].max(v[3]),
        ]
    })
}

fn matrix_of(dict: &Dictionary) -> Matrix {
    match dict.get(b"Matrix").and_then(Object::as_array) {
        Ok(v) if v.len() == 6 => {
            let v: Vec<f64> = v.iter().map(|o| num(o).unwrap_or(0.0)).collect();
            [v[0], v[1], v[2], v[3], v[4], v[5]]
        }
        _ => IDENTITY,
    }
}

/// Where an annotation's appearance form is drawn (PDF 32000-1, 12.5.5): its `/BBox`
/// transformed by its `/Matrix`, then scaled and moved onto the annotation's `/Rect`.
fn appearance_matrix(form: &Matrix, bbox: [f64; 4], rect: [f64; 4]) -> Matrix {
    let corners = [
        (bbox[0], bbox[1]),
        (bbox[2], bbox[1]),
        (bbox[0], bbox[3]),
        (bbox[2], bbox[3]),
    ]
    .map(|(x, y)| {
        (
            x * form[0] + y * form[2] + form[4],
            x * form[1] + y * form[3] + form[5],
        )
    });
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for (x, y) in corners {
        (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
    }
    let sx = if x1 - x0 > 1e-6 {
        (rect[2] - rect[0]) / (x1 - x0)
    } else {
        1.0
    };
    let sy = if y1 - y0 > 1e-6 {
        (rect[3] - rect[1]) / (y1 - y0)
    } else {
        1.0
    };
    let fit = [sx, 0.0, 0.0, sy, rect[0] - x0 * sx, rect[1] - y0 * sy];
    mul(form, &fit)
}

impl<'a> Walker<'a> {
    fn run(
        &mut self,
        content: &[u8],
        resources: &[&'a Dictionary],
        ctm: Matrix,
        depth: usize,
    ) -> Result<(), PageError> {
        let content = content::parse(content);
        self.junk += content.junk;
        let font_dicts: Vec<(Vec<u8>, &'a Dictionary)> = resources
            .iter()
            .filter_map(|r| deref_dict(self.doc, r.get(b"Font").ok()))
            .flat_map(|fonts| fonts.iter())
            .filter_map(|(name, o)| Some((name.clone(), deref(self.doc, o).as_dict().ok()?)))
            .collect();
        // Font dictionaries minus /Encoding, so lopdf uses their ToUnicode map.
        let owned: Vec<Dictionary> = font_dicts
            .iter()
            .map(|(_, d)| {
                let mut d = (*d).clone();
                d.remove(b"Encoding");
                d
            })
            .collect();
        let mut fonts: HashMap<Vec<u8>, Font<'_>> = HashMap::new();
        for ((name, d), o) in font_dicts.iter().zip(&owned) {
            fonts.insert(name.clone(), Font::load(self.doc, d, o));
        }

        let mut gs = GState {
            ctm,
            font: None,
            size: 0.0,
            char_spacing: 0.0,
            word_spacing: 0.0,
            hscale: 1.0,
            leading: 0.0,
            rise: 0.0,
        };
        let mut stack: Vec<GState> = Vec::new();
        let mut tm = IDENTITY;
        let mut tlm = IDENTITY;
        for op in &content.operations {
            self.ops += 1;
            if self.ops > MAX_OPS {
                return Err(PageError::TooLarge(format!(
                    "more than {MAX_OPS} operators on the page"
                )));
            }
            let a = &op.operands;
            let n = |i: usize| a.get(i).and_then(num).unwrap_or(0.0);
            match op.operator.as_str() {
                "q" if stack.len() < 256 => stack.push(gs.clone()),
                "Q" => {
                    if let Some(s) = stack.pop() {
                        gs = s;
                    }
                }
                "cm" if a.len() == 6 => {
                    gs.ctm = mul(&[n(0), n(1), n(2), n(3), n(4), n(5)], &gs.ctm);
                }
                "m" => self.point = (n(0), n(1)),
                "l" => {
                    let to = (n(0), n(1));
                    self.segment(&gs.ctm, self.point, to);
                    self.point = to;
                }
                "re" if a.len() == 4 => {
                    let (x, y, w, h) = (n(0), n(1), n(2), n(3));
                    self.segment(&gs.ctm, (x, y), (x + w, y));
                    self.segment(&gs.ctm, (x, y + h), (x + w, y + h));
                    self.segment(&gs.ctm, (x, y), (x, y + h));
                    self.segment(&gs.ctm, (x + w, y), (x + w, y + h));
                    self.point = (x, y);
                }
                "BT" => {
                    tm = IDENTITY;
                    tlm = IDENTITY;
                }
                "Tf" => {
                    gs.font = a.first().and_then(|o| o.as_name().ok()).map(<[u8]>::to_vec);
                    gs.size = n(1);
                }
                "Tc" => gs.char_spacing = n(0),
                "Tw" => gs.word_spacing = n(0),
                "Tz" => gs.hscale = n(0) / 100.0,
                "TL" => gs.leading = n(0),
                "Ts" => gs.rise = n(0),
                "Td" | "TD" => {
                    if op.operator == "TD" {
                        gs.leading = -n(1);
                    }
                    tlm = mul(&[1.0, 0.0, 0.0, 1.0, n(0), n(1)], &tlm);
                    tm = tlm;
                }
                "Tm" if a.len() == 6 => {
                    tlm = [n(0), n(1), n(2), n(3), n(4), n(5)];
                    tm = tlm;
                }
                "T*" => {
                    tlm = mul(&[1.0, 0.0, 0.0, 1.0, 0.0, -gs.leading], &tlm);
                    tm = tlm;
                }
                "Tj" | "TJ" | "'" | "\"" => {
                    if op.operator != "Tj" && op.operator != "TJ" {
                        tlm = mul(&[1.0, 0.0, 0.0, 1.0, 0.0, -gs.leading], &tlm);
                        tm = tlm;
                    }
                    if op.operator == "\"" {
                        gs.word_spacing = n(0);
                        gs.char_spacing = n(1);
                    }
                    self.shows += 1;
                    let Some(font) = gs.font.as_ref().and_then(|f| fonts.get(f)) else {
                        continue;
                    };
                    let items: &[Object] = match (op.operator.as_str(), a.last()) {
                        ("TJ", Some(Object::Array(arr))) => arr,
                        (_, Some(o)) => std::slice::from_ref(o),
                        _ => &[],
                    };
                    for item in items {
                        match item {
                            Object::String(bytes, _) => {
                                self.show(font, &gs, &mut tm, bytes);
                            }
                            o => {
                                if let Some(adj) = num(o) {
                                    let tx = -adj / 1000.0 * gs.size * gs.hscale;
                                    tm = mul(&[1.0, 0.0, 0.0, 1.0, tx, 0.0], &tm);
                                }
                            }
                        }
                    }
                }
                "Do" if depth < 8 => {
                    let Some(name) = a.first().and_then(|o| o.as_name().ok()) else {
                        continue;
                    };
                    let Some((id, stream)) = resources.iter().find_map(|r| {
                        let x = deref_dict(self.doc, r.get(b"XObject").ok())?;
                        let id = x.get(name).ok()?.as_reference().ok()?;
                        Some((id, self.doc.get_object(id).ok()?.as_stream().ok()?))
                    }) else {
                        continue;
                    };
                    if stream.dict.get(b"Subtype").and_then(Object::as_name).ok() != Some(b"Form")
                        || !self.forms_seen.insert(id)
                    {
                        continue;
                    }
                    let m = matrix_of(&stream.dict);
                    let Some((data, res)) = self.form_content(stream, resources)? else {
                        continue;
                    };
                    self.run(&data, &res, mul(&m, &gs.ctm), depth + 1)?;
                    self.forms_seen.remove(&id);
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// A form XObject's (or annotation appearance's) decoded content, charged to the decode
    /// budget, with its resources looked up before the caller's. `None` (counted as junk)
    /// when it cannot be decoded; a decompression bomb is an error.
    fn form_content(
        &mut self,
        form: &'a lopdf::Stream,
        outer: &[&'a Dictionary],
    ) -> Result<Option<FormContent<'a>>, PageError> {
        let data = match decode::decode(self.doc, form, self.budget) {
            Ok(d) => d,
            Err(e @ DecodeError::TooLarge(_)) => return Err(decode_error(e)),
            Err(_) => {
                self.junk += 1;
                return Ok(None);
            }
        };
        self.budget = self.budget.saturating_sub(data.len());
        let mut res: Vec<&'a Dictionary> = Vec::new();
        if let Some(r) = deref_dict(self.doc, form.dict.get(b"Resources").ok()) {
            res.push(r);
        }
        res.extend_from_slice(outer);
        Ok(Some((data, res)))
    }

    /// The page's annotation appearances (`/Annots` → `/AP /N`, the state `/AS` picks
    /// when there are several), drawn over the page as MuPDF and poppler draw them: text
    /// typed into a form field or a text box lives only there. Hidden (`/F` bit 2) and
    /// non-viewable (bit 6) annotations and pop-ups are skipped.
    fn run_annotations(
        &mut self,
        page: &'a Dictionary,
        resources: &[&'a Dictionary],
    ) -> Result<(), PageError> {
        let doc = self.doc;
        let Ok(annots) = page
            .get(b"Annots")
            .map(|o| deref(doc, o))
            .and_then(Object::as_array)
        else {
            return Ok(());
        };
        for a in annots.iter().take(MAX_ANNOTS) {
            let Ok(annot) = deref(doc, a).as_dict() else {
                continue;
            };
            let flags = annot.get(b"F").and_then(Object::as_i64).unwrap_or(0);
            if flags & (2 | 32) != 0
                || annot.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Popup")
            {
                continue;
            }
            let Some(normal) = deref_dict(doc, annot.get(b"AP").ok())
                .and_then(|ap| ap.get(b"N").ok())
                .map(|o| deref(doc, o))
            else {
                continue;
            };
            let form = match normal {
                Object::Stream(s) => s,
                Object::Dictionary(states) => {
                    let Some(s) = annot
                        .get(b"AS")
                        .and_then(Object::as_name)
                        .ok()
                        .and_then(|st| states.get(st).ok())
                        .and_then(|o| deref(doc, o).as_stream().ok())
                    else {
                        continue;
                    };
                    s
                }
                _ => continue,
            };
            let (Some(r), Some(bbox)) = (
                rect(doc, annot.get(b"Rect").ok()),
                rect(doc, form.dict.get(b"BBox").ok()),
            ) else {
                continue;
            };
            let Some((data, res)) = self.form_content(form, resources)? else {
                continue;
            };
            let m = appearance_matrix(&matrix_of(&form.dict), bbox, r);
            self.run(&data, &res, m, 1)?;
        }
        Ok(())
    }

    fn segment(&mut self, ctm: &Matrix, a: (f64, f64), b: (f64, f64)) {
        if self.rules.len() > MAX_RULES {
            return;
        }
        let t = |(x, y): (f64, f64)| {
            (
                x * ctm[0] + y * ctm[2] + ctm[4],
                x * ctm[1] + y * ctm[3] + ctm[5],
            )
        };
        let ((x0, y0), (x1, y1)) = (t(a), t(b));
        if (x0 - x1).abs() < 2.0 || (y0 - y1).abs() < 2.0 {
            self.rules.push(Rule { x0, y0, x1, y1 });
        }
    }

    fn show(&mut self, font: &Font<'_>, gs: &GState, tm: &mut Matrix, bytes: &[u8]) {
        for (code, text) in font.codes(bytes) {
            if font.damaged_map {
                self.damaged_map_glyphs += 1;
                self.unmapped += usize::from(text == "\u{FFFD}");
            }
            let w0 = font.width(code, &text) / 1000.0;
            let trm = mul(
                &[gs.size * gs.hscale, 0.0, 0.0, gs.size, 0.0, gs.rise],
                &mul(tm, &gs.ctm),
            );
            // Word spacing applies to the single-byte code 32 only.
            let word = if code == 32 && !font.two_byte {
                gs.word_spacing
            } else {
                0.0
            };
            let tx = (w0 * gs.size + gs.char_spacing + word) * gs.hscale;
            let next = mul(&[1.0, 0.0, 0.0, 1.0, tx, 0.0], tm);
            let end = mul(&next, &gs.ctm);
            let size = (trm[2] * trm[2] + trm[3] * trm[3]).sqrt();
            self.glyphs.push(Glyph {
                x: trm[4],
                y: trm[5],
                w: (end[4] - trm[4]).abs(),
                size,
                text,
            });
            *tm = next;
        }
    }
}
