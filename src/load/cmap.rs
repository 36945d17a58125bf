//! A forgiving ToUnicode CMap reader, for the maps lopdf cannot use.
//!
//! lopdf parses a font's ToUnicode stream all or nothing, and when the stream cannot be
//! read (a truncated file, data that breaks off, a `/Length` that lies) it silently falls
//! back to the standard encoding, so the page's text comes out wrong or short with nothing
//! said. [`parse`] reads whatever `bfchar` / `bfrange` entries the text still holds, as
//! MuPDF does, and stops at the first thing it cannot read; the caller knows the map was
//! damaged and reports the glyphs it leaves without Unicode.

use std::collections::HashMap;

/// Code (with its length in bytes, as CMaps key them) → Unicode text.
#[derive(Debug, Default, Clone)]
pub struct CMap {
    map: HashMap<(u8, u32), String>,
}

impl CMap {
    pub fn get(&self, len: usize, code: u32) -> Option<&str> {
        self.map.get(&(len as u8, code)).map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

#[derive(Debug, PartialEq)]
enum Token<'a> {
    Hex(Vec<u8>),
    Open,
    Close,
    Word(&'a [u8]),
}

/// Tokens of a CMap program, as far as they read: hex strings, array brackets and words
/// (numbers, names and operators, which only matter as `begin…`/`end…` markers).
fn tokens(b: &[u8]) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            c if c.is_ascii_whitespace() || c == 0 => i += 1,
            b'%' => {
                while i < b.len() && b[i] != b'\n' && b[i] != b'\r' {
                    i += 1;
                }
            }
            b'[' => {
                out.push(Token::Open);
                i += 1;
            }
            b']' => {
                out.push(Token::Close);
                i += 1;
            }
            b'<' if b.get(i + 1) == Some(&b'<') => i += 2,
            b'>' if b.get(i + 1) == Some(&b'>') => i += 2,
            b'<' => {
                let Some(end) = b[i + 1..].iter().position(|&c| c == b'>') else {
                    break; // cut off inside a hex string
                };
                let digits: Vec<u8> = b[i + 1..i + 1 + end]
                    .iter()
                    .filter_map(|&c| (c as char).to_digit(16).map(|d| d as u8))
                    .collect();
                // An odd digit count ends in an implied 0 (PDF 7.3.4.3).
                let bytes = digits
                    .chunks(2)
                    .map(|p| p[0] * 16 + p.get(1).copied().unwrap_or(0))
                    .collect();
                out.push(Token::Hex(bytes));
                i += end + 2;
            }
            b'(' => {
                // Literal strings do not occur in the mapping sections; skip them whole.
                let mut depth = 0usize;
                while i < b.len() {
                    match b[i] {
                        b'\\' => i += 1,
                        b'(' => depth += 1,
                        b')' => {
                            depth -= 1;
                            if depth == 0 {
                                i += 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
            }
            _ => {
                let start = i;
                while i < b.len()
                    && !b[i].is_ascii_whitespace()
                    && !matches!(b[i], b'[' | b']' | b'<' | b'>' | b'(' | b'%' | b'/')
                {
                    i += 1;
                }
                if i == start {
                    i += 1; // a lone `/`, `)` or `>`
                }
                out.push(Token::Word(&b[start..i]));
            }
        }
    }
    out
}

fn code(bytes: &[u8]) -> Option<(u8, u32)> {
    (1..=4).contains(&bytes.len()).then(|| {
        (
            bytes.len() as u8,
            bytes.iter().fold(0u32, |a, &c| a << 8 | c as u32),
        )
    })
}

fn utf16(bytes: &[u8]) -> String {
    let units: Vec<u16> = bytes
        .chunks(2)
        .map(|p| u16::from_be_bytes([p[0], p.get(1).copied().unwrap_or(0)]))
        .collect();
    String::from_utf16_lossy(&units)
}

/// `dst` with its last UTF-16 unit advanced by `k` (a `bfrange`'s running target).
fn advanced(dst: &[u8], k: u32) -> String {
    let mut d = dst.to_vec();
    if d.len() >= 2 {
        let n = d.len();
        let last = u16::from_be_bytes([d[n - 2], d[n - 1]]).wrapping_add(k as u16);
        d[n - 2..].copy_from_slice(&last.to_be_bytes());
    }
    utf16(&d)
}

/// Every mapping the CMap text still holds, in order, up to the first entry that does not
/// read (the rest of a cut-off map is gone anyway).
pub fn parse(text: &[u8]) -> CMap {
    let toks = tokens(text);
    let mut map = HashMap::new();
    let mut i = 0;
    let hex = |t: Option<&Token<'_>>| match t {
        Some(Token::Hex(h)) => Some(h.clone()),
        _ => None,
    };
    while i < toks.len() {
        match &toks[i] {
            Token::Word(b"beginbfchar") => {
                i += 1;
                while let (Some(src), Some(dst)) = (hex(toks.get(i)), hex(toks.get(i + 1))) {
                    if let Some(c) = code(&src) {
                        map.insert(c, utf16(&dst));
                    }
                    i += 2;
                }
            }
            Token::Word(b"beginbfrange") => {
                i += 1;
                while let (Some(lo), Some(hi)) = (hex(toks.get(i)), hex(toks.get(i + 1))) {
                    let (Some((len, lo)), Some((_, hi))) = (code(&lo), code(&hi)) else {
                        break;
                    };
                    // A range of at most 65,536 codes (a larger one is damage, not a map).
                    let hi = hi.min(lo.saturating_add(0xFFFF));
                    match toks.get(i + 2) {
                        Some(Token::Hex(dst)) => {
                            for (k, c) in (lo..=hi).enumerate() {
                                map.insert((len, c), advanced(dst, k as u32));
                            }
                            i += 3;
                        }
                        Some(Token::Open) => {
                            let mut j = i + 3;
                            let mut c = lo;
                            while let Some(Token::Hex(dst)) = toks.get(j) {
                                if c <= hi {
                                    map.insert((len, c), utf16(dst));
                                }
                                c = c.saturating_add(1);
                                j += 1;
                            }
                            if toks.get(j) != Some(&Token::Close) {
                                break; // cut off inside the array
                            }
                            i = j + 1;
                        }
                        _ => break,
                    }
                }
            }
            _ => i += 1,
        }
    }
    CMap { map }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAP: &[u8] = b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n\
/CMapName /Adobe-Identity-UCS def\n1 begincodespacerange <00> <FF> endcodespacerange\n\
3 beginbfchar\n<01> <4E2D>\n<02> <56FD>\n<03> <0041>\nendbfchar\n\
2 beginbfrange\n<10> <12> <0061>\n<20> <21> [<8D22> <653F>]\nendbfrange\n\
endcmap CMapName currentdict /CMap defineresource pop end end\n";

    #[test]
    fn reads_chars_and_ranges() {
        let m = parse(MAP);
        assert_eq!(m.get(1, 1), Some("中"));
        assert_eq!(m.get(1, 3), Some("A"));
        assert_eq!(m.get(1, 0x11), Some("b"));
        assert_eq!(m.get(1, 0x21), Some("政"));
        assert_eq!(m.get(2, 1), None, "codes are keyed by their length");
        assert_eq!(m.len(), 8);
    }

    #[test]
    fn a_cut_off_map_keeps_what_comes_before_the_cut() {
        let cut = MAP.iter().position(|&c| c == b'[').unwrap() + 4;
        let m = parse(&MAP[..cut]);
        assert_eq!(m.get(1, 2), Some("国"));
        assert_eq!(m.get(1, 0x12), Some("c"));
        assert_eq!(
            m.get(1, 0x20),
            None,
            "the array that breaks off is not trusted"
        );
        assert!(parse(b"").is_empty());
    }

    #[test]
    fn two_byte_codes_and_surrogate_pairs() {
        let m = parse(b"1 beginbfchar <0102> <D840DC00> endbfchar 1 beginbfrange <0200> <0201> <4E00> endbfrange");
        assert_eq!(m.get(2, 0x0102), Some("\u{20000}"));
        assert_eq!(m.get(2, 0x0201), Some("丁"));
    }
}
