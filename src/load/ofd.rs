//! OFD (GB/T 33190, China's fixed-layout document format) → pages of text in reading order.
//!
//! An OFD is a zip of XML: `OFD.xml` names the document root (`DocRoot`), whose
//! `Document.xml` lists the pages (`Page BaseLoc=…`) and the public resources (fonts);
//! each page's `Content.xml` holds layers of `TextObject`s (a `Boundary="x y w h"` box in
//! millimetres, a font and size) whose `TextCode`s place Unicode text at `X`/`Y` (baseline)
//! with per-glyph advances `DeltaX` (`g N d` repeats `d` N times). There is no Rust crate
//! for it, so this reader is small: it gathers every text piece of a page with its
//! position, groups pieces on one baseline into a line, orders lines top to bottom and
//! pieces left to right, and writes a tab where a line has a wide gap (table columns), a
//! blank line where the gap between lines is wide (paragraphs).
//!
//! Fonts: the text is Unicode already; font names from the resources are not needed to
//! read it. Not read: text drawn through `CGTransform` glyph indices without Unicode,
//! templates (`Template` pages), annotations, and rotated text (a `CTM` other than a
//! translation is read as if unrotated).

use super::docx::{attr, open_zip, read_part, resolve_ref};
use super::quality::Verdict;
use super::{ErrorKind, LoadError, LoadedDocument, PageBackend, PageText, TextLayer};
use quick_xml::events::Event;

/// Load an `.ofd` file.
pub fn load_ofd(bytes: &[u8]) -> Result<LoadedDocument, LoadError> {
    let mut zip = open_zip(bytes, "OFD file")?;
    let ofd_name = zip
        .file_names()
        .filter_map(|n| n.ok().map(|n| n.into_owned()))
        .find(|n| n.eq_ignore_ascii_case("OFD.xml"))
        .ok_or_else(|| {
            LoadError::new(ErrorKind::Backend, "a zip without OFD.xml: not an OFD file")
        })?;
    let entry = part(&mut zip, &ofd_name)?;
    let root = first_text(&entry, "DocRoot")?
        .ok_or_else(|| LoadError::new(ErrorKind::Backend, "OFD.xml names no DocRoot"))?;
    let root = join("", &root);
    let document = part(&mut zip, &root)?;
    let base = root.rsplit_once('/').map_or("", |(d, _)| d).to_string();
    let page_locs = page_locations(&document)?;
    if page_locs.is_empty() {
        return Err(LoadError::new(
            ErrorKind::NoText,
            "the OFD document has no pages",
        ));
    }
    let mut pages = Vec::new();
    let mut warnings = Vec::new();
    for (i, loc) in page_locs.iter().enumerate() {
        let name = join(&base, loc);
        let text = match part(&mut zip, &name).and_then(|xml| page_pieces(&xml, &name)) {
            Ok(pieces) => layout(pieces),
            Err(e) => {
                warnings.push(format!("page {}: {e}", i + 1));
                String::new()
            }
        };
        pages.push(PageText {
            number: i + 1,
            verdict: if text.trim().is_empty() {
                Verdict::Empty
            } else {
                Verdict::Good
            },
            text,
            backend: PageBackend::Ofd,
        });
    }
    let doc = LoadedDocument {
        pages,
        text_layer: TextLayer::Pdf,
        warnings,
    };
    if !doc.has_text() {
        return Err(LoadError::new(
            ErrorKind::NoText,
            "the OFD pages carry no text (a scan inside OFD is not OCRed)",
        ));
    }
    Ok(doc)
}

fn part(
    zip: &mut zip::ZipArchive<std::io::Cursor<&[u8]>>,
    name: &str,
) -> Result<String, LoadError> {
    read_part(zip, name)?
        .ok_or_else(|| LoadError::new(ErrorKind::Backend, format!("the OFD has no part {name}")))
}

/// A location relative to `base` (`/Doc_0/x` is from the package root).
fn join(base: &str, loc: &str) -> String {
    let loc = loc.trim().replace('\\', "/");
    let mut parts: Vec<&str> = if loc.starts_with('/') || base.is_empty() {
        vec![]
    } else {
        base.split('/').filter(|s| !s.is_empty()).collect()
    };
    for p in loc.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

fn xml_error(name: &str, e: impl std::fmt::Display) -> LoadError {
    LoadError::new(ErrorKind::Backend, format!("{name}: {e}"))
}

/// The text of the first element with this local name.
fn first_text(xml: &str, local: &str) -> Result<Option<String>, LoadError> {
    let mut r = quick_xml::Reader::from_str(xml);
    let mut inside = false;
    let mut text = String::new();
    loop {
        match r.read_event().map_err(|e| xml_error("OFD.xml", e))? {
            Event::Start(e) if e.local_name().as_ref() == local => inside = true,
            Event::Text(t) if inside => text.push_str(&t.xml10_content()),
            Event::GeneralRef(g) if inside => text.push_str(&resolve_ref(&g)),
            Event::End(e) if inside && e.local_name().as_ref() == local => {
                return Ok(Some(text.trim().to_string()));
            }
            Event::Eof => return Ok(None),
            _ => {}
        }
    }
}

/// `BaseLoc` of every `Page` in `Document.xml`, in order.
fn page_locations(xml: &str) -> Result<Vec<String>, LoadError> {
    let mut r = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    loop {
        match r.read_event().map_err(|e| xml_error("Document.xml", e))? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "Page" => {
                if let Some(loc) = attr(&e, "BaseLoc") {
                    out.push(loc);
                }
            }
            Event::Eof => return Ok(out),
            _ => {}
        }
    }
}

/// A run of text at a position (millimetres, y down, `y` the baseline).
#[derive(Debug, Clone, PartialEq)]
pub struct Piece {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub size: f64,
    pub text: String,
}

fn numbers(s: &str) -> Vec<f64> {
    s.split_whitespace()
        .filter_map(|n| n.parse().ok())
        .collect()
}

/// Sum of the advances in a `DeltaX` list (`g N d` repeats `d` N times).
fn advance(delta: &str) -> (f64, usize) {
    let mut sum = 0.0;
    let mut count = 0;
    let mut it = delta.split_whitespace();
    while let Some(tok) = it.next() {
        if tok == "g" {
            let n: usize = it
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(0)
                .min(100_000);
            let d: f64 = it.next().and_then(|d| d.parse().ok()).unwrap_or(0.0);
            sum += d * n as f64;
            count += n;
        } else if let Ok(d) = tok.parse::<f64>() {
            sum += d;
            count += 1;
        }
    }
    (sum, count)
}

/// Every text piece of a page's `Content.xml`.
pub fn page_pieces(xml: &str, name: &str) -> Result<Vec<Piece>, LoadError> {
    let mut r = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    // The current TextObject's origin and font size; the current TextCode being read.
    let mut object: Option<(f64, f64, f64)> = None;
    let mut code: Option<Piece> = None;
    let mut delta = String::new();
    loop {
        match r.read_event().map_err(|e| xml_error(name, e))? {
            Event::Start(e) => match e.local_name().as_ref() {
                "TextObject" => {
                    let b = numbers(&attr(&e, "Boundary").unwrap_or_default());
                    let size = attr(&e, "Size")
                        .and_then(|s| s.trim().parse().ok())
                        .unwrap_or(3.5);
                    object = Some((
                        b.first().copied().unwrap_or(0.0),
                        b.get(1).copied().unwrap_or(0.0),
                        size,
                    ));
                }
                "TextCode" => {
                    let (ox, oy, size) = object.unwrap_or((0.0, 0.0, 3.5));
                    let num = |k: &str| {
                        attr(&e, k)
                            .and_then(|v| v.trim().parse::<f64>().ok())
                            .unwrap_or(0.0)
                    };
                    delta = attr(&e, "DeltaX").unwrap_or_default();
                    code = Some(Piece {
                        x: ox + num("X"),
                        y: oy + num("Y"),
                        width: 0.0,
                        size,
                        text: String::new(),
                    });
                }
                _ => {}
            },
            Event::Text(t) => {
                if let Some(c) = code.as_mut() {
                    c.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(g) => {
                if let Some(c) = code.as_mut() {
                    c.text.push_str(&resolve_ref(&g));
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                "TextCode" => {
                    if let Some(mut c) = code.take() {
                        let n = c.text.chars().count();
                        let (sum, count) = advance(&delta);
                        // Glyphs past the DeltaX list advance by the font size.
                        c.width = sum + (n.saturating_sub(count)) as f64 * c.size;
                        if !c.text.trim().is_empty() {
                            out.push(c);
                        }
                    }
                }
                "TextObject" => object = None,
                _ => {}
            },
            Event::Eof => return Ok(out),
            _ => {}
        }
    }
}

/// Pieces → text: lines by baseline, top to bottom; a tab at a gap wider than two
/// characters; a blank line where lines are further apart than 1.8 line heights.
pub fn layout(mut pieces: Vec<Piece>) -> String {
    pieces.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x)));
    let mut lines: Vec<Vec<Piece>> = Vec::new();
    for p in pieces {
        match lines.last_mut() {
            Some(line) if (p.y - line[0].y).abs() <= line[0].size.max(p.size) * 0.4 => line.push(p),
            _ => lines.push(vec![p]),
        }
    }
    let mut out = String::new();
    let mut prev: Option<(f64, f64)> = None;
    for mut line in lines {
        line.sort_by(|a, b| a.x.total_cmp(&b.x));
        let (y, size) = (line[0].y, line[0].size);
        if let Some((py, psize)) = prev
            && y - py > 1.8 * psize.max(size) * 1.2
        {
            out.push('\n');
        }
        let mut end: Option<f64> = None;
        for p in &line {
            if let Some(e) = end {
                let gap = p.x - e;
                if gap > 2.0 * p.size {
                    out.push('\t');
                } else if gap > 0.25 * p.size {
                    out.push(' ');
                }
            }
            out.push_str(&p.text);
            end = Some(p.x + p.width);
        }
        out.push('\n');
        prev = Some((y, size));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delta_x_repeats_and_paths_join() {
        assert_eq!(advance("g 3 4 2.5"), (14.5, 4));
        assert_eq!(
            join("Doc_0", "Pages/Page_0/Content.xml"),
            "Doc_0/Pages/Page_0/Content.xml"
        );
        assert_eq!(join("Doc_0", "/Doc_0/Pages/P.xml"), "Doc_0/Pages/P.xml");
        assert_eq!(join("Doc_0/a", "../b.xml"), "Doc_0/b.xml");
    }

    #[test]
    fn text_objects_come_out_in_reading_order_with_columns() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<ofd:Page xmlns:ofd="http://www.ofdspec.org/2016"><ofd:Content><ofd:Layer ID="1">
 <ofd:TextObject ID="4" Boundary="60 30 20 5" Font="2" Size="4"><ofd:TextCode X="0" Y="4" DeltaX="g 3 4">实际值</ofd:TextCode></ofd:TextObject>
 <ofd:TextObject ID="3" Boundary="20 30 20 5" Font="2" Size="4"><ofd:TextCode X="0" Y="4" DeltaX="4">序号</ofd:TextCode></ofd:TextObject>
 <ofd:TextObject ID="2" Boundary="20 10 100 5" Font="2" Size="4"><ofd:TextCode X="0" Y="4">一、部门</ofd:TextCode><ofd:TextCode X="16" Y="4">概况&amp;</ofd:TextCode></ofd:TextObject>
 <ofd:TextObject ID="5" Boundary="20 36 100 5" Font="2" Size="4"><ofd:TextCode X="0" Y="4">下一行</ofd:TextCode></ofd:TextObject>
</ofd:Layer></ofd:Content></ofd:Page>"#;
        let pieces = page_pieces(xml, "Content.xml").unwrap();
        assert_eq!(pieces.len(), 5);
        assert_eq!(layout(pieces), "一、部门概况&\n\n序号\t实际值\n下一行\n");
    }

    #[test]
    fn not_an_ofd_is_a_typed_error() {
        assert_eq!(
            load_ofd(b"PK\x03\x04junk").unwrap_err().kind,
            ErrorKind::Backend
        );
    }
}
