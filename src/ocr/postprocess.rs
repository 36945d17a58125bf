//! Clean-up of Chinese OCR text so that the extract stage's regexes match it.
//!
//! Each rule fixes an error seen in tesseract's output on our scans and is narrow enough
//! not to change correct text (every rule has a test that it leaves good text alone):
//!
//! * spaces tesseract puts between CJK characters (`部 门 概 况`, `为 3229.07 万元`) are
//!   removed; a space between two Latin words or numbers stays;
//! * `O`/`o` → `0` and `l`/`I` → `1` inside a number (`2O2O`, `1l5.3`);
//! * a decimal comma or `。` before exactly two digits and a money/percent unit becomes a
//!   point (`4925,78万元`, `4925。78万元`); thousands separators always have three digits
//!   after them, so `282,796.90` is untouched.
//!
//! * `,` `;` `:` next to a Chinese character become `，` `；` `：` as in born-digital text
//!   (the clean stage keeps `，` as a clause comma apart from the thousands separator `,`);
//! * `“|` (a table rule read as an opening quote plus bar) → `|`; `丶` (a radical PP-OCR
//!   reads for `、`) → `、`; `GD` at the start of a line before a Chinese character → `①`;
//!   `〈` with no `〉` after it on the line → `（`; `°` not after a digit → `。`.
//!
//! Other circled numbers (`②` `③` read as `@)`, `@`) are left alone: which number was
//! meant cannot be told from the glyph.

use super::OcrPage;

/// Clean a page: its text and each of its lines.
pub fn clean_page(page: &OcrPage) -> OcrPage {
    OcrPage {
        text: clean_ocr_text(&page.text),
        mean_confidence: page.mean_confidence,
        lines: page
            .lines
            .iter()
            .map(|(l, c)| (clean_ocr_text(l), *c))
            .collect(),
    }
}

/// Apply all rules to OCR text (line breaks are kept).
pub fn clean_ocr_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let chars: Vec<char> = line.chars().collect();
        let chars = fix_glyph_confusions(&chars);
        let chars = remove_cjk_spaces(&chars);
        let chars = fix_digit_confusions(&chars);
        let chars = fix_decimal_marks(&chars);
        let chars = widen_clause_punctuation(&chars);
        out.extend(chars);
    }
    out
}

use crate::text::is_cjk;

/// Drop runs of spaces that touch a CJK character on either side. Tabs are cell separators
/// of a table rebuilt from word boxes ([`super::words`]) and stay, without spaces around them.
fn remove_cjk_spaces(chars: &[char]) -> Vec<char> {
    let mut out: Vec<char> = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == ' ' || c == '\t' || c == '\u{3000}' {
            let start = i;
            while i < chars.len() && matches!(chars[i], ' ' | '\t' | '\u{3000}') {
                i += 1;
            }
            let left = out.last().copied();
            let right = chars.get(i).copied();
            let touches_cjk = left.is_some_and(is_cjk) || right.is_some_and(is_cjk);
            if chars[start..i].contains(&'\t') {
                out.extend(chars[start..i].iter().filter(|&&c| c == '\t'));
                continue;
            }
            // Leading and trailing spaces of a line go too.
            if !touches_cjk && left.is_some() && right.is_some() {
                out.extend_from_slice(&chars[start..i]);
            }
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

fn confusable_digit(c: char) -> Option<char> {
    match c {
        'O' | 'o' => Some('0'),
        'l' | 'I' => Some('1'),
        _ => None,
    }
}

/// `O`/`o`/`l`/`I` become digits when the run they sit in is bounded by digits on both
/// sides (a decimal point next to a digit counts as inside the number).
fn fix_digit_confusions(chars: &[char]) -> Vec<char> {
    let mut out = chars.to_vec();
    let digit_side = |i: usize, step: isize| -> bool {
        // chars[i] is the first non-confusable beyond the run, in direction `step`.
        let at = |k: isize| -> Option<char> {
            usize::try_from(k).ok().and_then(|k| chars.get(k)).copied()
        };
        let k = i as isize;
        match at(k) {
            Some(c) if c.is_ascii_digit() => true,
            Some('.') => at(k + step).is_some_and(|c| c.is_ascii_digit()),
            _ => false,
        }
    };
    let mut i = 0;
    while i < chars.len() {
        if confusable_digit(chars[i]).is_none() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && confusable_digit(chars[i]).is_some() {
            i += 1;
        }
        let left_ok = start > 0 && digit_side(start - 1, -1);
        let right_ok = i < chars.len() && digit_side(i, 1);
        if left_ok && right_ok {
            for (k, c) in out.iter_mut().enumerate().take(i).skip(start) {
                *c = confusable_digit(chars[k]).unwrap_or(*c);
            }
        }
    }
    out
}

/// Units after which `NNNN,NN` / `NNNN。NN` is a decimal number.
const DECIMAL_UNITS: &[&str] = &["万元", "亿元", "千元", "元", "%", "％", "万", "亿"];

/// `,` or `。` (or `·`) between digits, followed by exactly two digits and a unit from
/// [`DECIMAL_UNITS`], is a decimal point.
fn fix_decimal_marks(chars: &[char]) -> Vec<char> {
    let mut out = chars.to_vec();
    for i in 1..chars.len() {
        if !matches!(chars[i], ',' | '。' | '·') || !chars[i - 1].is_ascii_digit() {
            continue;
        }
        let after = &chars[i + 1..];
        let digits = after.iter().take_while(|c| c.is_ascii_digit()).count();
        if digits != 2 {
            continue;
        }
        let rest: String = after[digits..]
            .iter()
            .skip_while(|c| **c == ' ')
            .take(2)
            .collect();
        if DECIMAL_UNITS.iter().any(|u| rest.starts_with(u)) {
            out[i] = '.';
        }
    }
    out
}

/// `,` `;` `:` with a Chinese neighbour become full-width; between two digits they stay.
fn widen_clause_punctuation(chars: &[char]) -> Vec<char> {
    let hanzi = |c: Option<&char>| c.is_some_and(|&c| is_cjk(c));
    let mut out: Vec<char> = Vec::with_capacity(chars.len());
    for (i, &c) in chars.iter().enumerate() {
        let left = i.checked_sub(1).and_then(|k| chars.get(k));
        let right = chars.get(i + 1);
        let wide = match c {
            ',' => '，',
            ';' => '；',
            ':' => '：',
            _ => {
                out.push(c);
                continue;
            }
        };
        let between_digits =
            left.is_some_and(char::is_ascii_digit) && right.is_some_and(char::is_ascii_digit);
        if between_digits
            || !(hanzi(left) || hanzi(right) || (left.is_some_and(|c| *c == ')') && c == ';'))
        {
            out.push(c);
        } else if out.last() == Some(&wide) || right == Some(&wide) {
            // `,，` and `，,`: the engine read one mark twice.
        } else {
            out.push(wide);
        }
    }
    out
}

/// Glyph confusions that are unambiguous in report text.
fn fix_glyph_confusions(chars: &[char]) -> Vec<char> {
    let mut out: Vec<char> = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '“' && next == Some('|') {
            i += 1;
            continue;
        }
        let at_line_start = chars[..i].iter().all(|c| c.is_whitespace());
        let then_hanzi = || {
            chars[i + 2..]
                .iter()
                .find(|c| !c.is_whitespace())
                .is_some_and(|&c| is_cjk(c))
        };
        if at_line_start && c == 'G' && next == Some('D') && then_hanzi() {
            out.push('①');
            i += 2;
            continue;
        }
        let left_digit = out
            .iter()
            .rev()
            .find(|c| !c.is_whitespace())
            .is_some_and(char::is_ascii_digit);
        out.push(match c {
            '丶' => '、',
            '〈' if !chars[i..].contains(&'〉') => '（',
            '°' if !left_digit => '。',
            _ => c,
        });
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaces_between_cjk_are_removed() {
        assert_eq!(clean_ocr_text("部 门 概 况"), "部门概况");
        assert_eq!(
            clean_ocr_text("部门年初预算为 3229.07 万元， 实际支出"),
            "部门年初预算为3229.07万元，实际支出"
        );
        assert_eq!(clean_ocr_text("  一、 部门概况  "), "一、部门概况");
        // Cell separators of a table rebuilt from word boxes stay, empty cells included.
        assert_eq!(clean_ocr_text("\t设 施 \t 完 成\t"), "\t设施\t完成\t");
        assert_eq!(clean_ocr_text("(1) 项目的构成"), "(1)项目的构成");
    }

    #[test]
    fn spaces_between_latin_words_and_numbers_stay() {
        assert_eq!(clean_ocr_text("Word 2016 and PDF"), "Word 2016 and PDF");
        assert_eq!(clean_ocr_text("1 234"), "1 234");
        assert_eq!(clean_ocr_text("第一行\n 第二 行"), "第一行\n第二行");
    }

    #[test]
    fn letter_digit_confusions_inside_numbers() {
        assert_eq!(clean_ocr_text("2O20年"), "2020年");
        // A trailing letter is not inside a number: left alone.
        assert_eq!(clean_ocr_text("202O年"), "202O年");
        assert_eq!(clean_ocr_text("1l5.3万元"), "115.3万元");
        assert_eq!(clean_ocr_text("3229.O7万元"), "3229.07万元");
        assert_eq!(clean_ocr_text("4I0人"), "410人");
        assert_eq!(clean_ocr_text("1oo0"), "1000");
    }

    #[test]
    fn letters_outside_numbers_stay() {
        assert_eq!(clean_ocr_text("ISO 9001"), "ISO 9001");
        assert_eq!(clean_ocr_text("B2O"), "B2O");
        assert_eq!(clean_ocr_text("O2O模式"), "O2O模式");
        assert_eq!(clean_ocr_text("3 of 5"), "3 of 5");
        assert_eq!(clean_ocr_text("2 lines"), "2 lines");
    }

    #[test]
    fn decimal_comma_before_two_digits_and_a_unit() {
        assert_eq!(clean_ocr_text("实际支出4925,78万元"), "实际支出4925.78万元");
        assert_eq!(clean_ocr_text("4925,78 万元"), "4925.78万元");
        assert_eq!(clean_ocr_text("执行率为152,50%"), "执行率为152.50%");
        assert_eq!(clean_ocr_text("4925。78万元"), "4925.78万元");
        assert_eq!(clean_ocr_text("1,5亿元"), "1,5亿元");
    }

    #[test]
    fn thousands_separators_and_sentences_stay() {
        assert_eq!(clean_ocr_text("282,796.90元"), "282,796.90元");
        assert_eq!(clean_ocr_text("1,234,567元"), "1,234,567元");
        assert_eq!(clean_ocr_text("共3项。12月完成"), "共3项。12月完成");
        assert_eq!(clean_ocr_text("指标1,23个"), "指标1,23个");
        assert_eq!(clean_ocr_text("完成。"), "完成。");
    }

    #[test]
    fn clause_punctuation_next_to_hanzi_becomes_full_width() {
        assert_eq!(clean_ocr_text("其中: 基本支出"), "其中：基本支出");
        assert_eq!(clean_ocr_text("4925.78万元,其中"), "4925.78万元，其中");
        assert_eq!(clean_ocr_text("行政编制32人; 事业"), "行政编制32人；事业");
        assert_eq!(
            clean_ocr_text("(含土地款20亿元);重点"),
            "(含土地款20亿元)；重点"
        );
        assert_eq!(clean_ocr_text("挤占情况,，扣1分"), "挤占情况，扣1分");
    }

    #[test]
    fn ascii_punctuation_between_digits_or_latin_stays() {
        assert_eq!(clean_ocr_text("282,796.90元"), "282,796.90元");
        assert_eq!(clean_ocr_text("10:30开会"), "10:30开会");
        assert_eq!(clean_ocr_text("a, b; c: d"), "a, b; c: d");
    }

    #[test]
    fn glyph_confusions() {
        assert_eq!(clean_ocr_text("12“|落实疫情"), "12|落实疫情");
        assert_eq!(clean_ocr_text("他说“好”|"), "他说“好”|");
        assert_eq!(clean_ocr_text("投资丶招商"), "投资、招商");
        assert_eq!(clean_ocr_text("GD人员支出"), "①人员支出");
        assert_eq!(clean_ocr_text("GDP增长"), "GDP增长");
        assert_eq!(clean_ocr_text(" GD 人员"), "①人员");
        assert_eq!(clean_ocr_text("全省GD人员"), "全省GD人员");
        assert_eq!(clean_ocr_text("〈其中: 参公"), "（其中：参公");
        assert_eq!(clean_ocr_text("〈a〉"), "〈a〉");
        assert_eq!(clean_ocr_text("执行率为152.5% °"), "执行率为152.5%。");
        assert_eq!(clean_ocr_text("气温30°"), "气温30°");
        assert_eq!(clean_ocr_text("气温30 °"), "气温30 °");
    }

    #[test]
    fn clean_page_cleans_lines_too() {
        let p = OcrPage {
            text: "金 额 4925,78 万元\n".into(),
            mean_confidence: Some(0.8),
            lines: vec![("金 额 4925,78 万元".into(), 0.8)],
        };
        let c = clean_page(&p);
        assert_eq!(c.text, "金额4925.78万元\n");
        assert_eq!(c.lines[0].0, "金额4925.78万元");
        assert_eq!(c.mean_confidence, Some(0.8));
    }
}
