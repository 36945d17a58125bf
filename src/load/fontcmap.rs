//! Unicode from the embedded font itself, for a composite font (Type0 over a CIDFontType2
//! with a `FontFile2`, or a CIDFontType0 with a CFF `FontFile3`, bare or OpenType-wrapped)
//! whose ToUnicode map is damaged or absent.
//!
//! Why: a ToUnicode stream cut off in transfer, or a producer that never wrote one, leaves
//! glyph ids without text; the font program usually still carries a `cmap` table
//! (Unicode → glyph id). Inverting it gives glyph id → Unicode, and the font's
//! `CIDToGIDMap` (Identity, or a stream of 2-byte glyph ids) gives code → glyph id for the
//! Identity-H/V encodings. MuPDF and poppler fall back on the same table. The caller uses it
//! only for codes the ToUnicode map does not cover: where both exist, ToUnicode wins.

use lopdf::{Dictionary, Document, Object};
use std::collections::HashMap;

use super::decode;

/// Decoded size allowed for one embedded font program (CJK TrueType fonts run to tens of MiB).
const FONT_CAP: usize = 48 << 20;

fn deref<'a>(doc: &'a Document, o: &'a Object) -> &'a Object {
    match o {
        Object::Reference(id) => doc.get_object(*id).unwrap_or(o),
        _ => o,
    }
}

fn dict<'a>(doc: &'a Document, d: &'a Dictionary, key: &[u8]) -> Option<&'a Dictionary> {
    deref(doc, d.get(key).ok()?).as_dict().ok()
}

/// Code → text for a Type0 font with an Identity CMap over an embedded TrueType font, from
/// the font's Unicode `cmap` subtables; `None` when the font is not of that kind, the
/// program does not read, or it has no Unicode `cmap`.
pub fn identity_map(doc: &Document, font: &Dictionary) -> Option<HashMap<u32, String>> {
    let encoding = deref(doc, font.get(b"Encoding").ok()?).as_name().ok()?;
    if encoding != b"Identity-H" && encoding != b"Identity-V" {
        return None;
    }
    let desc = deref(
        doc,
        deref(doc, font.get(b"DescendantFonts").ok()?)
            .as_array()
            .ok()?
            .first()?,
    )
    .as_dict()
    .ok()?;
    let subtype = desc.get(b"Subtype").and_then(Object::as_name).ok()?;
    let descriptor = dict(doc, desc, b"FontDescriptor")?;
    if subtype == b"CIDFontType0" {
        // CFF: bare (`/FontFile3 /Subtype /CIDFontType0C`) or inside an OpenType wrapper.
        let program = match deref(doc, descriptor.get(b"FontFile3").ok()?) {
            Object::Stream(s) => decode::decode(doc, s, FONT_CAP).ok()?,
            _ => return None,
        };
        let map: HashMap<u32, String> = cff_code_unicode(&program)?
            .into_iter()
            .map(|(code, c)| (code, c.to_string()))
            .collect();
        return (!map.is_empty()).then_some(map);
    }
    if subtype != b"CIDFontType2" {
        return None;
    }
    let program = match deref(doc, descriptor.get(b"FontFile2").ok()?) {
        Object::Stream(s) => decode::decode(doc, s, FONT_CAP).ok()?,
        _ => return None,
    };
    let by_glyph = glyph_unicode(&program)?;
    // CID → glyph id: Identity (also the default), or a stream of big-endian 2-byte ids.
    let cid_to_gid: Option<Vec<u16>> = match desc.get(b"CIDToGIDMap").map(|o| deref(doc, o)) {
        Ok(Object::Stream(s)) => {
            let data = decode::decode(doc, s, 2 << 17).ok()?;
            Some(
                data.chunks_exact(2)
                    .map(|p| u16::from_be_bytes([p[0], p[1]]))
                    .collect(),
            )
        }
        _ => None,
    };
    let map: HashMap<u32, String> = match cid_to_gid {
        None => by_glyph
            .into_iter()
            .map(|(g, c)| (u32::from(g), c.to_string()))
            .collect(),
        Some(gids) => gids
            .iter()
            .enumerate()
            .filter_map(|(cid, g)| Some((cid as u32, by_glyph.get(g)?.to_string())))
            .collect(),
    };
    (!map.is_empty()).then_some(map)
}

/// Glyph id → Unicode from a TrueType/OpenType program's Unicode `cmap` subtables. A glyph
/// several code points map to keeps the first that is not a private-use or compatibility
/// ideograph (CJK fonts map U+F900… to the same glyphs as the unified ideographs).
pub fn glyph_unicode(program: &[u8]) -> Option<HashMap<u16, char>> {
    let face = ttf_parser::RawFace::parse(program, 0).ok()?;
    let table = ttf_parser::cmap::Table::parse(face.table(ttf_parser::Tag::from_bytes(b"cmap"))?)?;
    let mut out: HashMap<u16, char> = HashMap::new();
    for sub in table.subtables {
        if !sub.is_unicode() {
            continue;
        }
        sub.codepoints(|cp| {
            let (Some(c), Some(g)) = (char::from_u32(cp), sub.glyph_index(cp)) else {
                return;
            };
            if g.0 == 0 || c.is_control() || second_choice(c) {
                // Taken only when nothing better maps to the glyph.
                if g.0 != 0 && !c.is_control() {
                    out.entry(g.0).or_insert(c);
                }
                return;
            }
            match out.get(&g.0) {
                Some(&old) if !second_choice(old) => {}
                _ => {
                    out.insert(g.0, c);
                }
            }
        });
    }
    (!out.is_empty()).then_some(out)
}

/// CID (the code under Identity-H/V) → Unicode for a CFF font program, bare or wrapped in
/// OpenType (`OTTO`). Unicode per glyph comes from the wrapper's `cmap` if there is one, else
/// from the glyph's name (`uni4E2D`, `u20BB7`, `A`, `one` …; ttf-parser's `glyph-names`).
/// Glyph → CID is the CFF charset for a CID-keyed font; for a name-keyed font the CID is the
/// glyph id (PDF 32000 9.7.4.2).
pub fn cff_code_unicode(program: &[u8]) -> Option<HashMap<u32, char>> {
    let (cff_data, by_cmap) = if program.starts_with(b"OTTO") {
        let face = ttf_parser::RawFace::parse(program, 0).ok()?;
        (
            face.table(ttf_parser::Tag::from_bytes(b"CFF "))?,
            glyph_unicode(program).unwrap_or_default(),
        )
    } else {
        (program, HashMap::new())
    };
    let cff = ttf_parser::cff::Table::parse(cff_data)?;
    let mut out = HashMap::new();
    for g in 1..cff.number_of_glyphs() {
        let gid = ttf_parser::GlyphId(g);
        let Some(c) = by_cmap
            .get(&g)
            .copied()
            .or_else(|| cff.glyph_name(gid).and_then(name_unicode))
        else {
            continue;
        };
        let code = cff.glyph_cid(gid).map_or(u32::from(g), u32::from);
        out.insert(code, c);
    }
    (!out.is_empty()).then_some(out)
}

/// Unicode of a glyph name by the Adobe Glyph List's rules for `uniXXXX` / `uXXXX[XX]` and the
/// names of the printable ASCII characters (CFF standard strings); a suffix after `.` is
/// dropped (`one.tf`). `None` for names that say nothing (`g123`, `cid00042`, `.notdef`).
pub fn name_unicode(name: &str) -> Option<char> {
    const ASCII: [&str; 95] = [
        "space",
        "exclam",
        "quotedbl",
        "numbersign",
        "dollar",
        "percent",
        "ampersand",
        "quotesingle",
        "parenleft",
        "parenright",
        "asterisk",
        "plus",
        "comma",
        "hyphen",
        "period",
        "slash",
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "colon",
        "semicolon",
        "less",
        "equal",
        "greater",
        "question",
        "at",
        "A",
        "B",
        "C",
        "D",
        "E",
        "F",
        "G",
        "H",
        "I",
        "J",
        "K",
        "L",
        "M",
        "N",
        "O",
        "P",
        "Q",
        "R",
        "S",
        "T",
        "U",
        "V",
        "W",
        "X",
        "Y",
        "Z",
        "bracketleft",
        "backslash",
        "bracketright",
        "asciicircum",
        "underscore",
        "grave",
        "a",
        "b",
        "c",
        "d",
        "e",
        "f",
        "g",
        "h",
        "i",
        "j",
        "k",
        "l",
        "m",
        "n",
        "o",
        "p",
        "q",
        "r",
        "s",
        "t",
        "u",
        "v",
        "w",
        "x",
        "y",
        "z",
        "braceleft",
        "bar",
        "braceright",
        "asciitilde",
    ];
    let base = name.split('.').next().filter(|b| !b.is_empty())?;
    if let Some(i) = ASCII.iter().position(|n| *n == base) {
        return char::from_u32(0x20 + i as u32);
    }
    let hex = |h: &str| {
        (h.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| u32::from_str_radix(h, 16).ok())
            .flatten()
            .and_then(char::from_u32)
            .filter(|c| !c.is_control())
    };
    if let Some(h) = base.strip_prefix("uni").filter(|h| h.len() == 4) {
        return hex(h);
    }
    match base.strip_prefix('u') {
        Some(h) if (4..=6).contains(&h.len()) => hex(h),
        _ => None,
    }
}

/// Radicals, private use and CJK compatibility ideographs: a code point a font maps to a glyph
/// that also has a regular one.
fn second_choice(c: char) -> bool {
    matches!(c as u32, 0x2E80..=0x2FDF | 0xE000..=0xF8FF | 0xF900..=0xFAFF | 0x2F800..=0x2FA1F | 0xF0000..)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ttf-parser's own test font (MIT/Apache-2.0): its Unicode cmap inverted gives each
    /// mapped glyph its character back, and a glyph of a letter is that letter.
    #[test]
    fn inverts_the_unicode_cmap() {
        let data = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/load/ttf-parser-demo.ttf"
        ))
        .unwrap();
        let map = glyph_unicode(&data).expect("demo font has a Unicode cmap");
        let face = ttf_parser::Face::parse(&data, 0).unwrap();
        let mut checked = 0;
        for c in ['A', 'B', 'a', '1', ' '] {
            if let Some(g) = face.glyph_index(c) {
                assert_eq!(map.get(&g.0), Some(&c), "glyph of {c:?}");
                checked += 1;
            }
        }
        assert!(checked > 0, "no test character in the demo font");
        assert!(!map.contains_key(&0), ".notdef has no Unicode");
    }

    #[test]
    fn glyph_names_give_their_characters() {
        assert_eq!(name_unicode("uni4E2D"), Some('中'));
        assert_eq!(name_unicode("u20BB7"), Some('\u{20BB7}'));
        assert_eq!(name_unicode("one.tf"), Some('1'));
        assert_eq!(name_unicode("A"), Some('A'));
        assert_eq!(name_unicode("space"), Some(' '));
        assert_eq!(name_unicode("asciitilde"), Some('~'));
        for say_nothing in [
            "g123", "cid00042", ".notdef", "uni4E2", "uniZZZZ", "u0007", "",
        ] {
            assert_eq!(name_unicode(say_nothing), None, "{say_nothing:?}");
        }
        // Not a CFF program, bare or wrapped.
        assert!(cff_code_unicode(b"OTTO not a font").is_none());
        assert!(cff_code_unicode(&[1, 0, 4, 4, 0, 0]).is_none());
    }

    #[test]
    fn not_a_font_gives_nothing() {
        assert!(glyph_unicode(b"%PDF-1.4 not a font").is_none());
        assert!(second_choice('\u{F900}') && !second_choice('\u{4E00}'));
    }
}
