//! Text helpers every stage shares: which characters are Chinese, and the heading and list
//! markers (一、 （一） 1. （1） ① 第X部分) of Chinese reports.
//!
//! A leaf module (it uses no other module of the crate), so load, clean, segment, tables
//! and OCR post-processing can all use one definition instead of keeping their own copies,
//! and no two stages import each other for a helper.

use regex::Regex;
use std::sync::OnceLock;

/// A Han ideograph (unified, extension A and beyond, compatibility, radicals).
pub fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F | 0x2E80..=0x2FDF)
}

/// Han characters that ordinary modern Chinese text almost never uses: extension A/B+,
/// compatibility ideographs, radicals (a text layer full of them is mis-mapped).
pub fn is_rare_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0xF900..=0xFAFF | 0x20000..=0x3134F | 0x2E80..=0x2FDF)
}

/// Chinese characters and the punctuation set in Chinese text, next to which a space is
/// never wanted (for spacing decisions in clean-up and OCR post-processing).
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x2FDF      // radicals
        | 0x3000..=0x303F    // CJK symbols and punctuation 、。《》「」【】
        | 0x3400..=0x4DBF    // extension A
        | 0x4E00..=0x9FFF    // unified ideographs
        | 0xF900..=0xFAFF    // compatibility ideographs
        | 0xFF00..=0xFFEF    // full-width forms ，：；（）％
        | 0x2018..=0x201F    // ‘’“”
        | 0x2026 | 0x2014 | 0x00B7 | 0x2460..=0x24FF // … — · ①②③
    )
}

/// The numbering style of a heading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkerKind {
    /// 第一部分 / 第一章 / 第一节
    Part,
    /// 一、
    CnComma,
    /// （一）
    CnParen,
    /// 1. / 1、
    Arabic,
    /// （1）
    ArabicParen,
    /// ①
    Circled,
}

fn marker_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(concat!(
            r"^[ \t]*(?:",
            r"(?P<part>第[一二三四五六七八九十]{1,3}(?:部分|章|节))",
            r"|(?P<cncomma>[一二三四五六七八九十]{1,3}[、.．])",
            r"|(?P<cnparen>[(（][一二三四五六七八九十]{1,3}[)）])",
            r"|(?P<arabicparen>[(（]\d{1,2}[)）])",
            r"|(?P<arabic>\d{1,2}(?:[、]|[.．](?:[^\d]|$)))",
            r"|(?P<circled>[①-⑳])",
            r")"
        ))
        .expect("static regex")
    })
}

/// Whether a line starts with a heading or list marker.
pub fn starts_with_marker(line: &str) -> bool {
    parse_marker(line).is_some()
}

/// The marker kind and the marker text at the start of `line`.
pub fn parse_marker(line: &str) -> Option<(MarkerKind, String)> {
    let c = marker_re().captures(line)?;
    let (kind, m) = if let Some(m) = c.name("part") {
        (MarkerKind::Part, m)
    } else if let Some(m) = c.name("cncomma") {
        (MarkerKind::CnComma, m)
    } else if let Some(m) = c.name("cnparen") {
        (MarkerKind::CnParen, m)
    } else if let Some(m) = c.name("arabicparen") {
        (MarkerKind::ArabicParen, m)
    } else if let Some(m) = c.name("arabic") {
        (MarkerKind::Arabic, m)
    } else {
        (MarkerKind::Circled, c.name("circled")?)
    };
    let mut marker = m.as_str().to_string();
    if kind == MarkerKind::Arabic {
        // The regex consumed one character after the dot to rule out decimals; give it back.
        let keep = marker
            .char_indices()
            .find(|&(_, ch)| matches!(ch, '.' | '．' | '、'))
            .map(|(i, ch)| i + ch.len_utf8())
            .unwrap_or(marker.len());
        marker.truncate(keep);
    }
    Some((kind, marker))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn character_classes() {
        assert!(is_han('汉') && is_cjk('汉') && !is_rare_han('汉'));
        assert!(is_cjk('，') && !is_han('，'));
        assert!(is_rare_han('\u{3400}'));
        assert!(!is_cjk('a') && !is_han('1'));
    }

    #[test]
    fn markers() {
        assert_eq!(
            parse_marker("一、总体情况"),
            Some((MarkerKind::CnComma, "一、".into()))
        );
        assert_eq!(
            parse_marker("(二)预算执行"),
            Some((MarkerKind::CnParen, "(二)".into()))
        );
        assert_eq!(
            parse_marker("3.绩效目标"),
            Some((MarkerKind::Arabic, "3.".into()))
        );
        assert!(!starts_with_marker("3.5万元"));
        assert!(starts_with_marker("①资金"));
    }
}
