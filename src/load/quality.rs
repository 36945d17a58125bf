//! Is a page's text layer usable? A pure verdict on a string, no PDF involved.
//!
//! Text from a PDF can be wrong in ways no backend reports: a Type0 font without ToUnicode
//! yields glyph ids (control characters, private-use or random rare CJK characters), an
//! 8-bit font with a guessed encoding yields Latin-1 mojibake of GBK bytes (`¹ØÓÚ` for 关于).
//! [`judge`] tells these apart from real text so the chain can try the next backend.

use crate::text::{is_han, is_rare_han};
use std::fmt;

/// Verdict on one page's text. `as_str` values are stable (they appear in the JSON output).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Plausible text.
    Good,
    /// No non-whitespace character.
    Empty,
    /// Replacement / private-use / control characters, or character statistics that no
    /// real Chinese or Latin-script text has.
    Garbled,
    /// Latin-1 reading of GBK bytes; [`repair_mojibake`] recovers it.
    Mojibake,
    /// No backend gave usable text for the page (set by the chain, never by [`judge`]).
    NeedsOcr,
    /// The page's content is gone or undecodable (missing objects in a truncated file, an
    /// unsupported filter): OCR of the same file cannot help (set by the chain).
    Damaged,
    /// The page's text came from OCR (set by the OCR step, never by [`judge`]).
    Ocr,
    /// Plausible text that is known to be incomplete: a content stream broke off, or a
    /// font's ToUnicode map is damaged and some glyphs have no Unicode; no other backend
    /// read more (set by the chain; the warnings say which).
    Incomplete,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Good => "good",
            Verdict::Empty => "empty",
            Verdict::Garbled => "garbled",
            Verdict::Mojibake => "mojibake",
            Verdict::NeedsOcr => "needs_ocr",
            Verdict::Damaged => "damaged",
            Verdict::Ocr => "ocr",
            Verdict::Incomplete => "incomplete",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Characters nearly every Chinese report page of some length contains.
const COMMON_HANZI: &str =
    "的和年为是在了与对一中不有等及人工作年度目标完成情况资金项目绩效部门国家";

fn is_bad(c: char) -> bool {
    let u = c as u32;
    c == '\u{FFFD}'
        || (0xE000..=0xF8FF).contains(&u)
        || u >= 0xF0000
        || (c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0c'))
}

fn is_soup(c: char) -> bool {
    "!\"#$&'*+;<>?@[\\]^_`{}~€‚ƒ„†‡ˆ‰Š‹ŒŽ˜™š›œžŸ".contains(c)
        || (('\u{A0}'..='\u{FF}').contains(&c) && !c.is_alphanumeric())
}

/// Judge one page's text.
pub fn judge(text: &str) -> Verdict {
    let chars: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
    let n = chars.len();
    if n == 0 {
        return Verdict::Empty;
    }
    // Punctuation only (a text layer of dots and dashes whose letters did not map) is no
    // text, whatever else it passes.
    if n >= 5 && !chars.iter().any(|c| c.is_alphanumeric()) {
        return Verdict::Garbled;
    }
    let bad = chars.iter().filter(|&&c| is_bad(c)).count();
    // A stray control or PUA glyph (a bullet from a symbol font) is tolerated.
    if bad * 20 > n || (bad >= 3 && bad * 50 > n) {
        return Verdict::Garbled;
    }
    // Glyph codes read through a wrong 8-bit encoding are symbol soup (`{³"Û&@€Ÿ#$<>`):
    // symbols real text rarely uses. Table punctuation (| / - = % : , . ( )) and CJK
    // punctuation do not count, so a ruled form rendered as text stays good.
    // A run of one symbol (`______` rules of a form, `~~~~`) counts once.
    let soup = chars
        .iter()
        .enumerate()
        .filter(|&(i, &c)| is_soup(c) && (i == 0 || chars[i - 1] != c))
        .count();
    if n >= 20 && soup * 100 > n * 15 {
        return Verdict::Garbled;
    }
    let latin1 = chars
        .iter()
        .filter(|&&c| ('\u{A0}'..='\u{FF}').contains(&c))
        .count();
    let cjk = chars.iter().filter(|&&c| is_han(c)).count();
    if latin1 * 4 > n && latin1 > cjk {
        return if repair_mojibake(text).is_some() {
            Verdict::Mojibake
        } else {
            Verdict::Garbled
        };
    }
    // Extension-B and compatibility ideographs are a sign of a wrong ToUnicode map even in a
    // short text (a title of four characters).
    let rare = chars.iter().filter(|&&c| is_rare_han(c)).count();
    if cjk >= 4 && rare * 10 > cjk {
        return Verdict::Garbled;
    }
    if cjk >= 20 {
        if cjk >= 60 {
            let common = chars.iter().filter(|&&c| COMMON_HANZI.contains(c)).count();
            // Real report text: ~10 % of its characters are in COMMON_HANZI.
            if common * 100 < cjk {
                return Verdict::Garbled;
            }
        }
    } else {
        // Mostly non-CJK: glyph ids read as ASCII give letter soup without vowels.
        let letters: Vec<char> = chars
            .iter()
            .copied()
            .filter(char::is_ascii_alphabetic)
            .collect();
        if letters.len() >= 40 {
            let vowels = letters
                .iter()
                .filter(|c| "aeiouyAEIOUY".contains(**c))
                .count();
            if vowels * 10 < letters.len() {
                return Verdict::Garbled;
            }
        }
    }
    Verdict::Good
}

/// Undo a Latin-1 (or Windows-1252) reading of GBK bytes: `¹ØÓÚºì¾ü` → `关于红军`. Returns
/// `None` unless the result is clearly better Chinese (decodes without errors and contains
/// common characters).
pub fn repair_mojibake(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut run: Vec<u8> = Vec::new();
    let flush = |run: &mut Vec<u8>, out: &mut String| -> bool {
        if run.is_empty() {
            return true;
        }
        let (s, _, had_errors) = encoding_rs::GBK.decode(run);
        out.push_str(&s);
        run.clear();
        !had_errors
    };
    for c in text.chars() {
        let byte = if (c as u32) <= 0xFF {
            Some(c as u32 as u8)
        } else {
            // Windows-1252 puts some bytes 0x80..0x9F at other code points (€ ‚ ƒ „ …).
            let mut buf = [0u8; 4];
            let (b, _, err) = encoding_rs::WINDOWS_1252.encode(c.encode_utf8(&mut buf));
            if !err && b.len() == 1 {
                Some(b[0])
            } else {
                None
            }
        };
        match byte {
            Some(b) if !(b as char).is_ascii_whitespace() => run.push(b),
            _ => {
                if !flush(&mut run, &mut out) {
                    return None;
                }
                out.push(c);
            }
        }
    }
    if !flush(&mut run, &mut out) {
        return None;
    }
    let cjk = out.chars().filter(|&c| is_han(c)).count();
    let common = out.chars().filter(|&c| COMMON_HANZI.contains(c)).count();
    let rare = out.chars().filter(|&c| is_rare_han(c)).count();
    (cjk >= 2 && rare * 10 <= cjk && (common > 0 || cjk < 20)).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "一、部门基本情况\n汉中街道办事处2020年度整体支出绩效自评报告。\
        根据区财政局的要求，我们对本年度部门预算资金的使用情况和项目完成情况进行了自评，\
        现将有关情况报告如下。";

    #[test]
    fn real_text_is_good() {
        assert_eq!(judge(REPORT), Verdict::Good);
        assert_eq!(judge("- 3 -"), Verdict::Good);
        assert_eq!(
            judge("The quick brown fox jumps over the lazy dog, twice over again."),
            Verdict::Good
        );
        // A single bullet from a symbol font does not spoil a page.
        assert_eq!(judge(&format!("\u{F0B7}{REPORT}")), Verdict::Good);
    }

    #[test]
    fn punctuation_only_is_not_good() {
        assert_eq!(judge("．，。、（）．．．—— ．．，，。"), Verdict::Garbled);
        assert_eq!(judge("- 3 -"), Verdict::Good);
        assert_eq!(judge("……"), Verdict::Good);
    }

    #[test]
    fn whitespace_only_is_empty() {
        assert_eq!(judge(""), Verdict::Empty);
        assert_eq!(judge(" \n\t\x0c "), Verdict::Empty);
    }

    #[test]
    fn replacement_private_use_and_control_chars_are_garbled() {
        assert_eq!(
            judge("\u{FFFD}\u{FFFD}\u{FFFD}年度\u{FFFD}"),
            Verdict::Garbled
        );
        assert_eq!(
            judge("\u{E001}\u{E002}\u{E003}\u{E004}的"),
            Verdict::Garbled
        );
        assert_eq!(judge("\x01\x02\x03\x04\x05\x06\x07\x08"), Verdict::Garbled);
    }

    #[test]
    fn rare_cjk_soup_is_garbled() {
        // Glyph ids read as code points land in extension B.
        let soup: String = (0x20100u32..0x20140).filter_map(char::from_u32).collect();
        assert_eq!(judge(&soup), Verdict::Garbled);
        // Common-range characters, but none of the function words of real text.
        let soup: String = (0x5500u32..0x5560).filter_map(char::from_u32).collect();
        assert_eq!(judge(&soup), Verdict::Garbled);
    }

    #[test]
    fn a_short_title_of_extension_b_characters_is_garbled() {
        assert_eq!(judge("4.6 𨉷趯軺糫𦥑𧶛/𦥑𧶛𨉷趯"), Verdict::Garbled);
        assert_eq!(judge("目录"), Verdict::Good);
    }

    #[test]
    fn punctuation_soup_is_garbled() {
        assert_eq!(
            judge("{\t³\t1\t\"\tÛ\n&\t@\t•€\t1\nŸ#$%\n<=\t!\t>?\n&\t8\t1:;"),
            Verdict::Garbled
        );
        // Chinese punctuation in normal amounts is fine, and so is a ruled form as text.
        assert_eq!(
            judge("目标 |\n/|\n/|\n其他资金 |\n|\n|\n|\n/|\n/|\n= |\n100 |\n% |\n|"),
            Verdict::Good
        );
        assert_eq!(
            judge("（一）目标：完成“十三五”规划，资金1.83亿元；项目、部门、年度。"),
            Verdict::Good
        );
        // Underscore rules of a form (an invoice from pdfminer.six's samples) are one
        // symbol each, not soup.
        let rule = "_".repeat(120);
        assert_eq!(
            judge(&format!(
                "Factuurnr. Datum 98559514\n{rule}\nBetalingsvoorwaarden 30 dagen\n{rule}\n"
            )),
            Verdict::Good
        );
    }

    #[test]
    fn ascii_letter_soup_is_garbled() {
        assert_eq!(
            judge("BCDFGHJKLMNPQRSTVWXZbcdfghjklmnpqrstvwxzBCDFGHJKLMNPQRSTVWXZ"),
            Verdict::Garbled
        );
    }

    #[test]
    fn latin1_mojibake_of_gbk_is_detected_and_repaired() {
        // "关于红军的报告" encoded as GBK, read as Latin-1.
        let (bytes, _, _) = encoding_rs::GBK.encode("关于红军的报告");
        let moji: String = bytes.iter().map(|&b| b as char).collect();
        assert_eq!(moji, "¹ØÓÚºì¾üµÄ±¨¸æ");
        assert_eq!(judge(&moji), Verdict::Mojibake);
        assert_eq!(repair_mojibake(&moji).as_deref(), Some("关于红军的报告"));
        // ASCII and line breaks survive the repair.
        let (bytes, _, _) = encoding_rs::GBK.encode("2020年\n的目标");
        let moji: String = bytes.iter().map(|&b| b as char).collect();
        assert_eq!(repair_mojibake(&moji).as_deref(), Some("2020年\n的目标"));
    }

    #[test]
    fn real_latin1_text_is_not_mojibake() {
        assert_eq!(judge("Straße, Café, naïve façade — déjà vu"), Verdict::Good);
        assert_eq!(repair_mojibake("àéîõü"), None);
    }
}
