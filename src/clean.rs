//! Clean stage: page texts → one matchable string with a way back to each page.
//!
//! Text from PDFs (and from web pages saved as text) carries noise that defeats patterns:
//! spaces between CJK characters (`汉中街道 办事处`), numbers broken by spaces, lines wrapped
//! mid-sentence, page numbers and running headers, full-width digits and punctuation,
//! traditional characters on mirror sites (with pinyin glosses such as `現(xiàn)`). This stage
//! removes that noise once, so patterns can be written for the words alone.
//!
//! What it deliberately keeps: the clause comma `，` and enumeration comma `、` (a blanket NFKC
//! would turn `，` into `,`, which collides with thousands separators), circled numbers `①`
//! (list markers), tabs and `|` (table cell separators) and line breaks between paragraphs.

use crate::load::LoadedDocument;
use std::collections::HashMap;

/// Output of the clean stage: one string for all pages and where each page starts.
#[derive(Debug, Clone, Default)]
pub struct CleanText {
    pub text: String,
    /// Byte offset where each page starts, with its 1-based number, ascending.
    pub page_starts: Vec<(usize, usize)>,
    /// What the stage changed that a user may want to know (e.g. traditional → simplified).
    pub notes: Vec<String>,
}

impl CleanText {
    /// The 1-based page number of the byte at `offset`.
    pub fn page_at(&self, offset: usize) -> usize {
        match self.page_starts.binary_search_by(|(o, _)| o.cmp(&offset)) {
            Ok(i) => self.page_starts[i].1,
            Err(0) => self.page_starts.first().map_or(1, |p| p.1),
            Err(i) => self.page_starts[i - 1].1,
        }
    }

    /// Build directly from one string (one page); used by tests and `inspect`.
    pub fn from_single(text: &str) -> CleanText {
        let mut c = CleanText::default();
        c.text = clean_page(text, &mut c.notes);
        c.page_starts.push((0, 1));
        c
    }
}

/// Run the clean stage on a loaded document.
pub fn clean(doc: &LoadedDocument) -> CleanText {
    let mut notes = Vec::new();
    let mut pages: Vec<(usize, Vec<String>)> = doc
        .pages
        .iter()
        .map(|p| {
            let t = clean_chars(&p.text, &mut notes, false);
            (p.number, t.lines().map(str::to_string).collect())
        })
        .collect();
    drop_running_lines(&mut pages);
    let mut out = CleanText {
        notes,
        ..Default::default()
    };
    for (number, lines) in pages {
        if !out.text.is_empty() && !out.text.ends_with('\n') {
            out.text.push('\n');
        }
        out.page_starts.push((out.text.len(), number));
        let joined = join_wrapped_lines(&lines);
        let stripped = strip_pinyin_glosses(&joined);
        if stripped.len() == joined.len() {
            out.text.push_str(&joined);
        } else {
            // a gloss that split a label word kept it from being folded
            out.text.push_str(&fold_traditional_labels(&stripped));
        }
    }
    out.notes.sort();
    out.notes.dedup();
    out
}

/// Character-level clean-up of one page, before line handling.
pub fn clean_page(text: &str, notes: &mut Vec<String>) -> String {
    clean_chars(text, notes, true)
}

/// [`clean_page`], optionally keeping pinyin glosses: [`clean`] strips them only after the
/// wrapped lines are joined, since a PDF text layer wrapped the line with its glosses and the
/// line widths that tell a wrapped line from a short one are the widths with the glosses.
fn clean_chars(text: &str, notes: &mut Vec<String>, strip_glosses: bool) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let text = if strip_glosses {
        strip_pinyin_glosses(&text)
    } else {
        text
    };
    let text = to_simplified_if_traditional(&text, notes);
    let text = fold_traditional_labels(&text);
    let mut s = String::with_capacity(text.len());
    for c in text.chars() {
        s.push(fold_char(c));
    }
    let s = fold_thousands_commas(&s);
    let s = remove_spurious_spaces(&s);
    // after the spaces go, so that a spaced `万 兀` is caught too
    let s = fix_ocr_confusions(&s);
    let s = split_glued_figures(&s);
    s.lines()
        .map(|l| l.trim_end())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Map full-width ASCII forms and odd spaces to their plain forms, except the ones that
/// carry meaning in Chinese typography (`，` `、` `。` `；` and circled numbers stay).
pub fn fold_char(c: char) -> char {
    match c {
        '\u{FF10}'..='\u{FF19}' | '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}' => {
            char::from_u32(c as u32 - 0xFF10 + 0x30).unwrap_or(c)
        }
        '（' => '(',
        '）' => ')',
        '：' | '︰' | '∶' => ':',
        '％' => '%',
        '．' => '.',
        '＋' => '+',
        '－' => '-',
        '＝' => '=',
        '／' => '/',
        '＜' => '<',
        '＞' => '>',
        '｜' | '│' => '|',
        '\u{3000}' | '\u{00A0}' | '\u{2002}' | '\u{2003}' | '\u{2009}' | '\u{200B}' => ' ',
        '\u{FEFF}' => ' ',
        // Kangxi radicals that some producers emit instead of unified ideographs.
        '⼀' => '一',
        '⼆' => '二',
        '⼈' => '人',
        '⼊' => '入',
        '⼋' => '八',
        '⼗' => '十',
        '⼤' => '大',
        '⼩' => '小',
        '⼯' => '工',
        '⽉' => '月',
        '⽇' => '日',
        '⽬' => '目',
        '⾏' => '行',
        _ => c,
    }
}

/// Confusions of OCR'd web copies that are unambiguous in this domain (`万兀` is never a
/// word; `万元` is).
fn fix_ocr_confusions(s: &str) -> String {
    s.replace("万兀", "万元").replace("(万兀)", "(万元)")
}

use crate::text::is_cjk;

/// Characters next to which a single space carries no meaning in Chinese text.
fn joins_tightly(c: char) -> bool {
    is_cjk(c) || matches!(c, '(' | ')' | ':' | '%' | ',' | ';' | '[' | ']' | '/')
}

/// Remove runs of spaces between CJK characters and between CJK and digits
/// (`汉中街道 办事处` → `汉中街道办事处`, `预算为 3229.07 万元` → `预算为3229.07万元`), join a
/// thousands group split by a space (`1 517.39` → `1517.39`), but keep one space between two
/// numbers (table cells) and between Latin words. Tabs are kept as cell separators.
pub fn remove_spurious_spaces(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c != ' ' {
            out.push(c);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i] == ' ' {
            i += 1;
        }
        let prev = out.chars().last();
        let next = chars.get(i).copied();
        let (Some(p), Some(n)) = (prev, next) else {
            // Leading or trailing spaces of a line: keep the line shape for trimming later.
            if prev.is_some() && next.is_none() {
                continue;
            }
            if prev.is_none() {
                continue;
            }
            out.push(' ');
            continue;
        };
        if p == '\n' || n == '\n' {
            if n == '\n' {
                continue;
            }
            // Indentation at line start: dropped.
            continue;
        }
        let run = i - start;
        let p_tight = joins_tightly(p);
        let n_tight = joins_tightly(n);
        let drop = (p_tight && (n_tight || (n.is_ascii_digit() && p != '%')))
            || (n_tight && p.is_ascii_digit())
            || (p_tight && n.is_ascii_alphabetic() && run == 1 && is_cjk(p))
            || (n_tight && p.is_ascii_alphabetic() && run == 1 && is_cjk(n));
        if drop {
            // Two or more spaces between CJK text and a number often separate a label from
            // its value in flattened tables; a tab keeps that boundary visible.
            if run >= 2 && (p.is_ascii_digit() || n.is_ascii_digit()) {
                out.push('\t');
            }
            continue;
        }
        if p.is_ascii_digit()
            && n.is_ascii_digit()
            && run == 1
            && is_thousands_split(&out, &chars[i..])
        {
            continue;
        }
        out.push(if run >= 2 { '\t' } else { ' ' });
    }
    out
}

/// A clause comma typed as a thousands separator (`52，316.48万元`, `1，329，120元`, as Chinese
/// input methods write it) becomes `,`. Only an unmistakable number is touched: a head of
/// 1–3 digits, groups of exactly three, and then a decimal part, a second group, or `元`
/// right after; `100，200万元` (two figures, or one?) stays as it is.
pub fn fold_thousands_commas(s: &str) -> String {
    if !s.contains('，') {
        return s.to_string();
    }
    let chars: Vec<char> = s.chars().collect();
    let digits_at = |i: usize| {
        chars[i.min(chars.len())..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count()
    };
    let mut out: Vec<char> = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let head_start = i;
        let head = if c.is_ascii_digit()
            && (i == 0 || !(chars[i - 1].is_ascii_digit() || matches!(chars[i - 1], '.' | ',')))
        {
            digits_at(i)
        } else {
            0
        };
        if !(1..=3).contains(&head) {
            out.push(c);
            i += 1;
            continue;
        }
        // the chain of `，ddd` groups after the head
        let mut j = i + head;
        let mut groups = 0;
        while j < chars.len() && chars[j] == '，' && digits_at(j + 1) == 3 {
            groups += 1;
            j += 4;
        }
        let decimal = j + 1 < chars.len() && chars[j] == '.' && chars[j + 1].is_ascii_digit();
        let yuan = chars.get(j) == Some(&'元');
        if groups >= 1 && (decimal || groups >= 2 || yuan) {
            out.extend(
                chars[head_start..j]
                    .iter()
                    .map(|&c| if c == '，' { ',' } else { c }),
            );
        } else {
            out.extend(&chars[head_start..j]);
        }
        i = j;
    }
    out.into_iter().collect()
}

/// Form cells glued without a separator (`年度资金总额7.297.297.2910.00100%10.00`, a text layer
/// without cell gaps) get a space between their figures where the split is unmistakable. A
/// run of digits with two dots or more is several figures; it is cut so that every figure
/// has the same number of decimals (two where two fit, the money amounts of the forms; else
/// the one count that fits), no figure but `0` starts with `0`, and only a figure before `%`
/// may be a whole number at the end. Dates, versions and addresses (`2024.05.30`,
/// `11.1.0.11691`) fit no count and stay; so does a run of whole numbers (`10001000100`),
/// which has no such cut, and so does what follows a `%` (`100%10.00`): the form reader reads
/// a glued rate and score itself.
pub fn split_glued_figures(s: &str) -> String {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| regex::Regex::new(r"[0-9][0-9.]*[0-9]%?").expect("static regex"));
    if !s.contains('.') {
        return s.to_string();
    }
    let joins = |c: Option<char>| {
        c.is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | ',' | '-' | '/'))
    };
    let mut out = String::with_capacity(s.len() + 16);
    let mut last = 0;
    for m in re.find_iter(s) {
        let before = s[..m.start()].chars().next_back();
        let after = s[m.end()..].chars().next();
        out.push_str(&s[last..m.start()]);
        last = m.end();
        let run = m.as_str();
        let bounded = !joins(before) && (run.ends_with('%') || !joins(after));
        let (digits, pct) = match run.strip_suffix('%') {
            Some(d) => (d, true),
            None => (run, false),
        };
        let split = if bounded && digits.matches('.').count() >= 2 {
            let fits: Vec<Vec<&str>> = (1..=4)
                .filter_map(|d| cut_figures(digits, d, pct))
                .collect();
            match cut_figures(digits, 2, pct) {
                Some(two) => Some(two),
                None if fits.len() == 1 => fits.into_iter().next(),
                None => None,
            }
        } else {
            None
        };
        match split {
            Some(figures) => {
                out.push_str(&figures.join(" "));
                if pct {
                    out.push('%');
                }
            }
            None => out.push_str(run),
        }
    }
    out.push_str(&s[last..]);
    out
}

/// `run` cut into figures of `decimals` decimals each (a whole number last only when `pct`);
/// `None` when no such cut exists.
fn cut_figures(run: &str, decimals: usize, pct: bool) -> Option<Vec<&str>> {
    let whole_ok = |w: &str| !w.is_empty() && (w == "0" || !w.starts_with('0'));
    let mut figures = Vec::new();
    let mut pos = 0;
    while pos < run.len() {
        let Some(dot) = run[pos..].find('.').map(|i| pos + i) else {
            let tail = &run[pos..];
            if !pct || !whole_ok(tail) {
                return None;
            }
            figures.push(tail);
            break;
        };
        let end = dot + 1 + decimals;
        if !whole_ok(&run[pos..dot])
            || end > run.len()
            || !run[dot + 1..end].bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        figures.push(&run[pos..end]);
        pos = end;
    }
    (figures.len() >= 2).then_some(figures)
}

/// `1 517.39`: 1–3 digits (not preceded by a digit, dot or comma), one space, exactly three
/// digits and a decimal part. Only this shape is joined; `10 100` stays two numbers.
fn is_thousands_split(before: &str, after: &[char]) -> bool {
    let head: Vec<char> = before
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    if head.is_empty() || head.len() > 3 {
        return false;
    }
    let prior = before.chars().rev().nth(head.len());
    if prior.is_some_and(|c| c.is_ascii_digit() || c == '.' || c == ',') {
        return false;
    }
    after.len() >= 5
        && after[..3].iter().all(char::is_ascii_digit)
        && after[3] == '.'
        && after[4].is_ascii_digit()
}

/// Remove pinyin glosses that mirror sites insert after characters: `現(xiàn)`, `區(qū)`,
/// also when a hard wrap cut the gloss (`轉(zhu` / `ǎn)`, `結構(` / `gòu)`): the line break
/// inside it goes with it.
pub fn strip_pinyin_glosses(s: &str) -> String {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| {
        regex::Regex::new(
            r"(\p{Han})\n?[(（]\n?((?:[a-zü]\n?)*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]\n?(?:[a-zü]\n?)*)[)）]",
        )
        .expect("static regex")
    });
    re.replace_all(s, "$1").into_owned()
}

/// Convert traditional characters to simplified when the page is clearly traditional
/// (patterns are written in simplified Chinese). Mainland text is left untouched, so a
/// department name is never altered by a phrase rule.
fn to_simplified_if_traditional(s: &str, notes: &mut Vec<String>) -> String {
    let han = s
        .chars()
        .filter(|c| ('\u{4E00}'..='\u{9FFF}').contains(c))
        .count();
    if han < 20 {
        return s.to_string();
    }
    let converted = zhconv::zhconv(s, zhconv::Variant::ZhHans);
    let changed = s
        .chars()
        .zip(converted.chars())
        .filter(|(a, b)| a != b)
        .count();
    if changed * 100 >= han * 4 && changed >= 5 {
        notes.push("traditional characters converted to simplified for matching".into());
        converted
    } else {
        s.to_string()
    }
}

/// The label words the rules read money, staff, scores and grades by. A page that is not
/// traditional as a whole may still print these in traditional characters (a form filled in
/// on a Hong Kong or Taiwan system, a mirror that converts only some cells): each word's
/// traditional spellings are folded to the simplified one, and nothing else on the page is
/// touched (names stay as printed unless the whole page is traditional).
const LABEL_WORDS: &[&str] = &[
    "为",
    "预算数",
    "预算",
    "决算",
    "执行率",
    "执行数",
    "执行",
    "调整",
    "总分",
    "得分",
    "评分",
    "分值",
    "评价",
    "等级",
    "等次",
    "优秀",
    "良好",
    "合格",
    "绩效",
    "自评",
    "综合",
    "结果",
    "编制",
    "实有",
    "人数",
    "人员",
    "离退休",
    "退休",
    "在职",
    "万元",
    "亿元",
    "资金",
    "经费",
    "支出",
    "收入",
    "拨款",
    "拨付",
    "支付",
    "项目",
    "财政",
    "实际",
    "全年",
    "年初",
    "年度",
    "总额",
    "合计",
    "基本",
    "公用",
    "数额",
    "分数",
    "总数",
    "单位",
    "部门",
    "报告",
    "下达",
    "安排",
    "投入",
    "筹集",
];

/// The traditional characters of [`LABEL_WORDS`]; their simplified forms come from the
/// converter the page-level fold uses (`zhconv`, simplified target), so the table cannot
/// pair a character with the wrong form.
const TRADITIONAL_LABEL_CHARS: &str =
    "為預執數調總評價級優結績實編員離職萬億資經費決撥項財際額計單門報達籌務";

/// Traditional spellings of [`LABEL_WORDS`] and their simplified form, longest first.
fn traditional_labels() -> &'static [(String, &'static str)] {
    static T: std::sync::OnceLock<Vec<(String, &'static str)>> = std::sync::OnceLock::new();
    T.get_or_init(|| {
        let back: HashMap<char, char> = TRADITIONAL_LABEL_CHARS
            .chars()
            .filter_map(|t| {
                let s = zhconv::zhconv(&t.to_string(), zhconv::Variant::ZhHans);
                let mut cs = s.chars();
                match (cs.next(), cs.next()) {
                    (Some(c), None) if c != t => Some((c, t)),
                    _ => None,
                }
            })
            .collect();
        let mut v: Vec<(String, &'static str)> = LABEL_WORDS
            .iter()
            .map(|w| (w.chars().map(|c| *back.get(&c).unwrap_or(&c)).collect(), *w))
            .filter(|(t, w): &(String, &str)| t != w)
            .collect();
        v.sort_by_key(|(t, _)| std::cmp::Reverse(t.chars().count()));
        v
    })
}

/// Fold traditional spellings of the label vocabulary to simplified ([`LABEL_WORDS`]).
fn fold_traditional_labels(s: &str) -> String {
    let mut out = s.to_string();
    for (t, w) in traditional_labels() {
        if out.contains(t.as_str()) {
            out = out.replace(t.as_str(), w);
        }
    }
    out
}

/// Drop page numbers and running headers/footers: a line at the top or bottom of a page that
/// is a bare page number (`- 3 -`, `第3页 共10页`, `3/10`), or whose digit-blind form repeats
/// at the same edge on at least half of the pages (three pages at least).
fn drop_running_lines(pages: &mut [(usize, Vec<String>)]) {
    let edge = |lines: &Vec<String>| -> Vec<usize> {
        let idx: Vec<usize> = (0..lines.len())
            .filter(|&i| !lines[i].trim().is_empty())
            .collect();
        let mut e: Vec<usize> = idx.iter().take(2).copied().collect();
        e.extend(idx.iter().rev().take(2).copied());
        e.sort_unstable();
        e.dedup();
        e
    };
    let key = |l: &str| -> String {
        l.chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| if c.is_ascii_digit() { '#' } else { c })
            .collect()
    };
    let mut counts: HashMap<String, usize> = HashMap::new();
    for (_, lines) in pages.iter() {
        let mut seen: Vec<String> = edge(lines).iter().map(|&i| key(&lines[i])).collect();
        seen.sort();
        seen.dedup();
        for k in seen {
            *counts.entry(k).or_default() += 1;
        }
    }
    let n = pages.len();
    for (_, lines) in pages.iter_mut() {
        let mut drop: Vec<usize> = edge(lines)
            .into_iter()
            .filter(|&i| {
                let l = lines[i].trim();
                is_page_number(l)
                    || (n >= 3
                        && l.chars().count() <= 60
                        && !ends_sentence(l)
                        && counts[&key(l)] * 2 >= n)
            })
            .collect();
        drop.sort_unstable();
        for i in drop.into_iter().rev() {
            lines.remove(i);
        }
    }
}

/// A line that is nothing but a page number.
pub fn is_page_number(l: &str) -> bool {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| {
        regex::Regex::new(
            r"^(?:[-—–－]\s*\d{1,4}\s*[-—–－]|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}\s*/\s*\d{1,4}|(?:page|Page|PAGE)\s*\d{1,4}(?:\s*of\s*\d{1,4})?)$",
        )
        .expect("static regex")
    });
    re.is_match(l.trim())
}

/// Characters that end a sentence or a table cell: a line ending with one is not wrapped.
fn ends_sentence(l: &str) -> bool {
    l.ends_with(['。', '；', ';', ':', '！', '？', '!', '?', '|', '\t'])
}

/// Join lines wrapped mid-sentence. A line is joined to the next when it is about as long as
/// the longest lines of its page (it ran into the right margin), does not end a sentence, and
/// the next line does not start a heading or list item. Short lines (titles, table cells,
/// label/value lines) are left alone.
pub fn join_wrapped_lines(lines: &[String]) -> String {
    // Table rows (cells joined by tabs) can be wider than the text block: leave them out.
    let mut widths: Vec<usize> = lines
        .iter()
        .filter(|l| !l.contains('\t') && mostly_cjk(l))
        .map(|l| display_width(l))
        .filter(|&w| w > 0)
        .collect();
    widths.sort_unstable();
    let full = widths
        .get((widths.len() * 9 / 10).min(widths.len().saturating_sub(1)))
        .copied()
        .unwrap_or(0);
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        out.push_str(line);
        if i + 1 == lines.len() {
            break;
        }
        let next = lines[i + 1].trim_start();
        let w = display_width(line);
        let end = line.trim_end();
        // A label's colon at the very margin ends the line only by chance: the value went on
        // to the next line (`…年度资金总额:` / `620.82万元`), so a full line joins there too.
        let stops = ends_sentence(end) && !(end.ends_with(':') && w * 100 >= full * 95);
        let wrapped = full >= 30
            && w * 100 >= full * 85
            && !stops
            && !next.is_empty()
            && !crate::text::starts_with_marker(next)
            // A table row (tab-separated cells) is never part of a wrapped sentence, neither
            // as the wrapped line nor as its continuation.
            && !line.contains('\t')
            && !next.contains('\t');
        if !wrapped {
            out.push('\n');
        } else if end.ends_with(|c: char| c.is_ascii_alphanumeric())
            && next.starts_with(|c: char| c.is_ascii_alphanumeric())
        {
            // The wrap fell on the space between two figures or words (`202.64` /
            // `132.912`): they stay two.
            out.push(' ');
        }
    }
    out
}

/// At least half of the line's non-space characters are CJK (body text, not a URL or a
/// data line whose width says nothing about the text block).
fn mostly_cjk(l: &str) -> bool {
    let total = l.chars().filter(|c| !c.is_whitespace()).count();
    let cjk = l.chars().filter(|&c| is_cjk(c)).count();
    total > 0 && cjk * 2 >= total
}

/// Width in half-width units (a CJK character counts two), for comparing line lengths.
fn display_width(s: &str) -> usize {
    s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_thousands_commas_fold_only_in_unmistakable_numbers() {
        for (raw, want) in [
            ("年初预算52，316.48万元", "年初预算52,316.48万元"),
            ("支出1，329，120元。", "支出1,329,120元。"),
            ("资金123，456元", "资金123,456元"),
            // two figures or one? left alone
            ("分别为100，200万元", "分别为100，200万元"),
            // a clause comma after a number
            ("完成3项，100%达标", "完成3项，100%达标"),
            (
                "2023年，全年支出1，000.5万元",
                "2023年，全年支出1,000.5万元",
            ),
            ("编号12345，678.9", "编号12345，678.9"),
        ] {
            assert_eq!(fold_thousands_commas(raw), want, "{raw}");
        }
    }
    use crate::load::{LoadedDocument, PageText, TextLayer};

    fn doc(pages: &[&str]) -> LoadedDocument {
        LoadedDocument {
            pages: pages
                .iter()
                .enumerate()
                .map(|(i, t)| PageText {
                    number: i + 1,
                    text: t.to_string(),
                    backend: crate::load::PageBackend::Plain,
                    verdict: crate::load::quality::Verdict::Good,
                })
                .collect(),
            text_layer: TextLayer::Pdf,
            warnings: vec![],
        }
    }

    #[test]
    fn spaces_between_cjk_and_around_numbers_go() {
        assert_eq!(remove_spurious_spaces("汉中街道 办事处"), "汉中街道办事处");
        assert_eq!(
            remove_spurious_spaces("年初预算为 3229.07 万元"),
            "年初预算为3229.07万元"
        );
        assert_eq!(
            remove_spurious_spaces("基本支出 1 517.39 万元"),
            "基本支出1517.39万元"
        );
        assert_eq!(remove_spurious_spaces("执行率为 152.5 %"), "执行率为152.5%");
    }

    #[test]
    fn spaces_between_numbers_and_latin_words_stay() {
        assert_eq!(remove_spurious_spaces("7165.32 6992.95"), "7165.32 6992.95");
        assert_eq!(remove_spurious_spaces("10 100"), "10 100");
        assert_eq!(remove_spurious_spaces("100.00% 30.8"), "100.00% 30.8");
        assert_eq!(remove_spurious_spaces("Hello world"), "Hello world");
        assert_eq!(remove_spurious_spaces("名称  湘阴县"), "名称湘阴县");
        assert_eq!(remove_spurious_spaces("总额  238.93"), "总额\t238.93");
    }

    #[test]
    fn full_width_forms_fold_but_clause_commas_and_circled_numbers_stay() {
        let mut n = vec![];
        assert_eq!(
            clean_page("（一）预算：１２３．５％，①项目", &mut n),
            "(一)预算:123.5%，①项目"
        );
    }

    #[test]
    fn traditional_pages_become_simplified_and_glosses_go() {
        let mut n = vec![];
        let t = "根據(jù)績效管理相關文件要求,對2023年城鄉(xiāng)義務教育補助經(jīng)費項目實施情況開展了自評,現(xiàn)將自評情況報告如下";
        let c = clean_page(t, &mut n);
        assert!(c.starts_with("根据绩效管理相关文件要求"), "{c}");
        assert!(c.contains("补助经费项目"), "{c}");
        assert_eq!(n.len(), 1);
        // Simplified text is left alone.
        let mut n = vec![];
        let s = "汉中街道办事处2020年度总收入为4925.78万元，均系财政拨款收入。";
        assert_eq!(clean_page(s, &mut n), s);
        assert!(n.is_empty());
    }

    #[test]
    fn traditional_label_words_fold_on_a_simplified_page() {
        let f = fold_traditional_labels(
            "本单位總分92分,評價等級為优;年初預算數为150萬元,實有人數26人,臺北路",
        );
        assert_eq!(
            f,
            "本单位总分92分,评价等级为优;年初预算数为150万元,实有人数26人,臺北路"
        );
        // on a page that is simplified as a whole, the label is folded and nothing else
        let mut n = vec![];
        let t = "某某县教育局2023年度部门整体支出绩效自评报告。根据县财政局的通知要求,我局对全年部门预算资金的使用和管理情况进行了全面梳理,现将有关情况报告如下:本单位總分92分。";
        let c = clean_page(t, &mut n);
        assert!(c.ends_with("本单位总分92分。"), "{c}");
        assert!(n.is_empty(), "{n:?}");
    }

    #[test]
    fn page_numbers_and_running_headers_are_dropped() {
        let p = |body: &str, n: usize| format!("某某局2020年度绩效报告\n{body}\n- {n} -");
        let pages: Vec<String> = (1..=4).map(|i| p(&format!("正文第{i}页。"), i)).collect();
        let refs: Vec<&str> = pages.iter().map(String::as_str).collect();
        let c = clean(&doc(&refs));
        assert!(!c.text.contains("- 2 -"), "{}", c.text);
        assert!(!c.text.contains("某某局2020年度绩效报告"), "{}", c.text);
        assert!(c.text.contains("正文第3页。"));
        assert_eq!(c.page_at(c.text.find("正文第3页").unwrap()), 3);
    }

    #[test]
    fn wrapped_lines_join_but_short_lines_and_headings_do_not() {
        let lines: Vec<String> = [
            "部门年初预算为3229.07万元，实际支出4925.78万元，其中：基本支出1517",
            ".39万元，项目支出3408.39万元。执行率为152.5%。",
            "二、绩效评价分析",
            "短行",
            "下一行",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let j = join_wrapped_lines(&lines);
        assert!(j.contains("基本支出1517.39万元"), "{j}");
        assert!(j.contains("。\n二、绩效评价分析\n短行\n下一行"), "{j}");
    }

    #[test]
    fn a_wrap_inside_a_gloss_or_after_a_label_colon_or_between_figures_is_undone() {
        // widths with the glosses tell wrapped lines; the cut gloss goes with its line break
        let c = clean(&doc(&[concat!(
            "一、基本情况\n",
            "二〇二四年农(nóng)机购置补贴项目预算资金合计二千零八十九万元,\n",
            "其中省内安排农(nóng)机购置与应用补贴资金三百一十二万元,中央\n",
            "安排农机购置补贴资金一千七百七十七万元,全年执行数合计结(jié\n",
            ")算完成,通过实施农机购置补贴项目改善了农机装备结构和农户的\n",
            "购机能力。项目资金年初预算数全年预算数全年执行数年度资金总额:\n",
            "620.82万元620.82万元620.82万元,其中本年财政拨款合计为202.64\n",
            "132.912万元,上年结转资金和其他资金均为零,项目运行情况良好。\n",
            "短行",
        )]));
        let t = &c.text;
        assert!(t.contains("农机购置与应用"), "{t}");
        assert!(t.contains("结算完成"), "{t}");
        assert!(t.contains("年度资金总额:620.82万元"), "{t}");
        assert!(t.contains("202.64 132.912万元"), "{t}");
        assert!(t.ends_with("良好。\n短行"), "{t}");
        // a gloss in a cell of its own line is stripped as before
        assert_eq!(strip_pinyin_glosses("結(jié)論"), "結論");
        // a spaced OCR confusion is caught after the spaces go
        let mut n = vec![];
        assert_eq!(clean_page("资金(万 兀)", &mut n), "资金(万元)");
    }

    #[test]
    fn glued_form_figures_are_split_only_where_the_cut_is_unmistakable() {
        for (raw, want) in [
            (
                "年度资金总额7.297.297.2910.00100%10.00",
                "年度资金总额7.29 7.29 7.29 10.00 100%10.00",
            ),
            ("合计329.77329.77338.31万元", "合计329.77 329.77 338.31万元"),
            ("执行率12.5%", "执行率12.5%"),
            ("共1.5万元", "共1.5万元"),
            // one decimal fits and two do not
            ("数额12.345.6", "数额12.3 45.6"),
            // dates, versions, addresses, whole numbers: no cut
            ("日期2024.05.30发布", "日期2024.05.30发布"),
            ("版本11.1.0.11691", "版本11.1.0.11691"),
            ("V1.2.3", "V1.2.3"),
            ("地址192.168.1.1", "地址192.168.1.1"),
            ("合计10001000100%20", "合计10001000100%20"),
        ] {
            assert_eq!(split_glued_figures(raw), want, "{raw}");
        }
    }

    #[test]
    fn table_rows_are_never_joined_to_wrapped_lines() {
        let long =
            "绩效评价得分36分，主要从固定资产投资、招商引资到位资金、服务业小进规等方面进行评价";
        let lines: Vec<String> = [
            long,
            long,
            "序号\t年初目标值\t实际完成情况",
            "\t设等统计工作",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let j = join_wrapped_lines(&lines);
        assert!(
            j.ends_with("评价\n序号\t年初目标值\t实际完成情况\n\t设等统计工作"),
            "{j}"
        );
    }
}
