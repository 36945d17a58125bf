//! Tables whose cell separators were all lost: a form converted to text with every cell
//! glued to the next, often the whole table on one line
//! (`一级指标二级指标三级指标分值年度指标值全年实际值得分…产出指标(70分)数量指标安装坡面水标尺10≥266米≥266米10水标尺宽度…总分100100`).
//!
//! Position cannot cut such text; the form's grammar can. The header is a run of header
//! words (each may carry a note such as `(分)`), which gives the column order; each column
//! then has a cell grammar: a level column is one of the form's level words or nothing (the
//! merged cell above), an indicator is text, a points column a number no greater than 100,
//! a target or actual a figure (`≥266米`, `100%`) or a short phrase, a score no greater than
//! its row's 分值. A row is the first way to read cells in header order that ends where the
//! next row, a level word or the total row can begin. Nothing is guessed: text that reads no
//! row ends the table.

use super::template::{Templates, normalize_header};
use regex::Regex;
use std::sync::OnceLock;

/// A glued table as found: header words, their columns, rows of cells with the char index
/// (into the text given to [`find`]) where each row starts, and the total row if it splits.
#[derive(Debug, Clone, PartialEq)]
pub struct Glued {
    /// Char index of the header run's first word.
    pub start: usize,
    /// Char index just past the last row read (or the total row).
    pub end: usize,
    pub header: Vec<String>,
    pub columns: Vec<Option<String>>,
    pub rows: Vec<(usize, Vec<String>)>,
    pub total: Option<Vec<String>>,
}

/// Upper bound on an indicator cell, in chars.
const MAX_TEXT: usize = 60;

struct Parser<'a> {
    t: &'a Templates,
    s: Vec<char>,
    cols: Vec<Option<String>>,
}

fn starts(s: &[char], pos: usize, w: &str) -> bool {
    (pos..).zip(w.chars()).all(|(k, c)| s.get(k) == Some(&c))
}

/// A parenthesised note of up to 10 chars at `pos`: its end.
fn note_end(s: &[char], pos: usize) -> Option<usize> {
    if !matches!(s.get(pos), Some('(' | '（')) {
        return None;
    }
    (pos + 1..(pos + 12).min(s.len()))
        .find(|&k| matches!(s[k], ')' | '）'))
        .map(|k| k + 1)
}

/// Ends of a plain number at `pos` (`10`, `9.5`, `100`), longest first; no leading zero
/// unless the number is below one.
fn number_ends(s: &[char], pos: usize) -> Vec<usize> {
    let mut k = pos;
    while k < s.len() && s[k].is_ascii_digit() && k - pos < 6 {
        k += 1;
    }
    if k == pos || (s[pos] == '0' && k > pos + 1) {
        return Vec::new();
    }
    let mut out = Vec::new();
    if s.get(k) == Some(&'.') && s.get(k + 1).is_some_and(char::is_ascii_digit) {
        let mut d = k + 1;
        while d < s.len() && s[d].is_ascii_digit() && d - k <= 3 {
            d += 1;
        }
        out.push(d);
    }
    out.extend((pos + 1..=k).rev());
    out
}

fn value_of(s: &[char], a: usize, b: usize) -> f64 {
    s[a..b]
        .iter()
        .collect::<String>()
        .parse()
        .unwrap_or(f64::NAN)
}

impl Parser<'_> {
    fn level_words(&self, col: &str) -> &[String] {
        match col {
            "level1" => &self.t.level1,
            _ => &self.t.level2,
        }
    }

    /// A level cell at `pos`: (start of its last level word, end), or None when no level
    /// word starts there. Several words in a row are level cells of groups without rows
    /// (`经济效益指标社会效益指标…`); the last one is this row's.
    fn level_cell(&self, col: &str, pos: usize) -> Option<(usize, usize)> {
        let words = self.level_words(col);
        let mut p = pos;
        let mut last = None;
        while let Some(w) = words.iter().find(|w| starts(&self.s, p, w)) {
            last = Some(p);
            p += w.chars().count();
            if let Some(e) = note_end(&self.s, p) {
                p = e;
            }
        }
        last.map(|l| (l, p))
    }

    /// The start of a level word of any level at `pos`.
    fn any_level_at(&self, pos: usize) -> bool {
        self.t
            .level1
            .iter()
            .chain(&self.t.level2)
            .any(|w| starts(&self.s, pos, w))
    }

    fn total_at(&self, pos: usize) -> Option<usize> {
        self.t
            .total_words
            .iter()
            .find(|w| starts(&self.s, pos, w))
            .map(|w| pos + w.chars().count())
    }

    /// Ends of a figure (`≥266米`, `100%`, `20万元`) at `pos`, longest first.
    fn figure_ends(&self, pos: usize) -> Vec<usize> {
        let s = &self.s;
        let mut p = pos;
        for d in ["≥", "≤", ">=", "<=", ">", "<", "=", "＝", "≧", "≦"] {
            if starts(s, p, d) {
                p += d.chars().count();
                break;
            }
        }
        let mut out = Vec::new();
        for e in number_ends(s, p) {
            let mut units: Vec<usize> = self
                .t
                .units
                .iter()
                .flat_map(|u| {
                    let with_scale = self
                        .t
                        .scale
                        .iter()
                        .map(|(pre, _)| format!("{pre}{u}"))
                        .collect::<Vec<_>>();
                    std::iter::once(u.clone()).chain(with_scale)
                })
                .filter(|u| starts(s, e, u))
                .map(|u| e + u.chars().count())
                .collect();
            units.sort_unstable_by(|a, b| b.cmp(a));
            units.dedup();
            out.extend(units);
            out.push(e);
        }
        out
    }

    /// Ends of a text value at `pos` (no digits): the whole run, or its first half when the
    /// run is two equal halves and another value column follows (`显著提升显著提升`).
    fn text_value_ends(&self, pos: usize, next_is_value: bool) -> Vec<usize> {
        let s = &self.s;
        let mut k = pos;
        while k < s.len()
            && !s[k].is_ascii_digit()
            && !matches!(s[k], '…' | '≥' | '≤')
            && k - pos < 20
        {
            k += 1;
        }
        let n = k - pos;
        if n == 0 || s[pos..k].iter().any(|c| !is_cjk(*c)) {
            return Vec::new();
        }
        if next_is_value && n.is_multiple_of(2) && s[pos..pos + n / 2] == s[pos + n / 2..k] {
            return vec![pos + n / 2];
        }
        if next_is_value {
            return Vec::new();
        }
        vec![k]
    }

    /// Where a row may end: the end of the text, the next row's first cell (not a digit),
    /// a level word, the total row or an ellipsis.
    fn row_may_end(&self, pos: usize) -> bool {
        match self.s.get(pos) {
            None => true,
            Some(c) => !c.is_ascii_digit() && !matches!(c, '.' | '%' | '‰'),
        }
    }

    /// Read one row from `pos`: the cells and the end.
    fn row(&self, pos: usize, above: &[String]) -> Option<(Vec<String>, usize)> {
        if self.total_at(pos).is_some() || matches!(self.s.get(pos), None | Some('…')) {
            return None;
        }
        let mut cells = vec![String::new(); self.cols.len()];
        let end = self.cell(0, pos, &mut cells, above)?;
        Some((cells, end))
    }

    fn cell(&self, k: usize, pos: usize, cells: &mut [String], above: &[String]) -> Option<usize> {
        if k == self.cols.len() {
            return self.row_may_end(pos).then_some(pos);
        }
        let col = self.cols[k].as_deref().unwrap_or("");
        let next_is_value = matches!(
            self.cols.get(k + 1).and_then(|c| c.as_deref()),
            Some("target" | "actual")
        );
        let mut from = pos;
        let ends: Vec<usize> = match col {
            "level1" | "level2" | "category" => match self.level_cell(col, pos) {
                Some((l, e)) => {
                    from = l;
                    vec![e]
                }
                // A merged cell: printed once, on the first row of its group.
                None if !above.get(k).is_none_or(String::is_empty) => vec![pos],
                None => Vec::new(),
            },
            "indicator" => {
                if self.any_level_at(pos) || self.s.get(pos).is_none_or(char::is_ascii_digit) {
                    Vec::new()
                } else {
                    (pos + 2..=(pos + MAX_TEXT).min(self.s.len())).collect()
                }
            }
            "max_points" | "weight" | "score" | "seq" => number_ends(&self.s, pos)
                .into_iter()
                .filter(|&e| {
                    let v = value_of(&self.s, pos, e);
                    v <= 100.0 && (col == "score" || v > 0.0)
                })
                .collect(),
            "target" | "actual" => {
                let mut e = self.figure_ends(pos);
                e.extend(self.text_value_ends(pos, next_is_value));
                e
            }
            // Reasons, completion notes, units, natures: nothing to cut them by; empty.
            _ => vec![pos],
        };
        for e in ends {
            let text: String = self.s[from..e].iter().collect();
            if col == "score"
                && let Some(m) = self
                    .cols
                    .iter()
                    .position(|c| c.as_deref() == Some("max_points"))
                && m < k
                && !cells[m].is_empty()
                && text.parse::<f64>().ok() > cells[m].parse::<f64>().ok()
            {
                continue;
            }
            let carried = text.is_empty() && matches!(col, "level1" | "level2" | "category");
            cells[k] = if carried {
                above.get(k).cloned().unwrap_or_default()
            } else {
                text
            };
            if let Some(end) = self.cell(k + 1, e, cells, above) {
                return Some(end);
            }
        }
        cells[k].clear();
        None
    }

    /// `总分100100`: the total word and its numbers, split evenly over the points columns.
    fn total(&self, pos: usize) -> Option<(Vec<String>, usize)> {
        let p = self.total_at(pos)?;
        let mut k = p;
        while k < self.s.len() && (self.s[k].is_ascii_digit() || self.s[k] == '.') {
            k += 1;
        }
        let digits: String = self.s[p..k].iter().collect();
        let pts: Vec<usize> = (0..self.cols.len())
            .filter(|&i| {
                matches!(
                    self.cols[i].as_deref(),
                    Some("max_points" | "weight" | "score")
                )
            })
            .collect();
        let mut cells = vec![String::new(); self.cols.len()];
        cells[0] = self.s[pos..p].iter().collect();
        let n = digits.chars().count();
        match pts.len() {
            1 => cells[pts[0]] = digits,
            2 if n.is_multiple_of(2) && digits[..n / 2] == digits[n / 2..] => {
                cells[pts[0]] = digits[..n / 2].to_string();
                cells[pts[1]] = digits[n / 2..].to_string();
            }
            _ => return Some((Vec::new(), k)),
        }
        Some((cells, k))
    }
}

fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || matches!(c, '（' | '）' | '(' | ')')
}

/// The header run at char `pos`: its words, their columns and its end.
fn header_at(t: &Templates, s: &[char], pos: usize) -> Option<(Vec<String>, usize)> {
    header_at_min(t, s, pos, 4)
}

fn header_at_min(
    t: &Templates,
    s: &[char],
    pos: usize,
    min: usize,
) -> Option<(Vec<String>, usize)> {
    let mut p = pos;
    let mut words = Vec::new();
    while let Some((w, _)) = t.headers.iter().find(|(w, _)| starts(s, p, w)) {
        words.push(w.clone());
        p += w.chars().count();
        if let Some(e) = note_end(s, p) {
            p = e;
        }
    }
    (words.len() >= min).then_some((words, p))
}

/// The first glued table in `text` (usually one cleaned line, or a paragraph with its line
/// breaks removed), if any: a header run of at least four header words a template accepts,
/// followed by at least two rows.
pub fn find(t: &Templates, text: &str) -> Option<Glued> {
    let s: Vec<char> = text.chars().collect();
    let mut pos = 0;
    while pos < s.len() {
        if let Some(g) = table_at(t, &s, pos) {
            return Some(g);
        }
        pos += 1;
    }
    None
}

fn table_at(t: &Templates, s: &[char], pos: usize) -> Option<Glued> {
    let (mut words, body) = header_at(t, s, pos)?;
    let mut cols: Vec<Option<String>> = words
        .iter()
        .map(|w| t.column_of(&normalize_header(w)).map(str::to_string))
        .collect();
    // A row-group label before the header (`绩效指标` before 一级指标…三级指标) names a
    // column that comes again: the header starts after it.
    let mut start = pos;
    while (1..cols.len()).any(|a| cols[..a].contains(&cols[a])) {
        start += words[0].chars().count();
        words.remove(0);
        cols.remove(0);
    }
    if words.len() < 4 {
        return None;
    }
    let has = |c: &str| cols.iter().flatten().any(|x| x == c);
    if !(has("indicator") && (has("max_points") || has("score") || has("target"))) {
        return None;
    }
    t.template_for(&cols)?;
    let p = Parser {
        t,
        s: s.to_vec(),
        cols: cols.clone(),
    };
    let mut rows = Vec::new();
    let mut at = body;
    let mut above = vec![String::new(); cols.len()];
    let mut total = None;
    while at < s.len() {
        if let Some((cells, e)) = p.row(at, &above) {
            above = cells.clone();
            rows.push((at, cells));
            at = e;
            continue;
        }
        // An ellipsis row (`……`) stands for rows left out of the form.
        while matches!(s.get(at), Some('…' | '.')) {
            at += 1;
        }
        if let Some((cells, e)) = p.total(at) {
            total = (!cells.is_empty()).then_some(cells);
            at = e;
        }
        break;
    }
    (rows.len() >= 2).then_some(Glued {
        start,
        end: at,
        header: words,
        columns: cols,
        rows,
        total,
    })
}

// ---------------------------------------------------------------------------------------
// Glued rows, one per line: a converter or OCR that lost every cell separator but kept the
// row breaks (`产出指标数量指标采购商品有机肥数量≥8000吨7600吨109全年预算追加后…`,
// `2招商引资实际到位资金30亿元招商引资实际到位资金18.75亿元`).

/// A glued table whose rows are lines: the header line's index, its words and columns,
/// the rows (line index, cells, whether some cells were left out as ambiguous), the total
/// row if it splits, and the index of the first line after the table.
#[derive(Debug, Clone, PartialEq)]
pub struct GluedLines {
    pub header_line: usize,
    pub header: Vec<String>,
    pub columns: Vec<Option<String>>,
    pub rows: Vec<(usize, Vec<String>, bool)>,
    pub total: Option<Vec<String>>,
    pub end: usize,
}

/// Upper bound on the readings of one line; a line with more is not read.
const MAX_READINGS: usize = 32;

/// Indicator natures (指标性质 cells) a glued row may carry before its target.
const NATURES: &[&str] = &[
    "正向", "反向", "定量", "定性", "≥", "≤", "=", "＝", ">", "<", "＞", "＜", "≧", "≦",
];

/// Words that open an actual cell reporting an outcome (`完成改造老旧小区12个`), longest
/// first.
const OUTCOME_OPENERS: &[&str] = &[
    "全面完成",
    "顺利完成",
    "基本完成",
    "超额完成",
    "实际完成",
    "累计完成",
    "已完成",
    "完成",
];

/// After 完成, these make it the target's wording (`完成区下达目标任务`, `完成上级下达的任务`).
const ASSIGNED: &[&str] = &["区下达", "市下达", "县下达", "省下达", "上级下达", "下达"];

fn is_cjk_char(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

fn is_point_col(c: &str) -> bool {
    matches!(c, "max_points" | "weight" | "score")
}

struct LineParser<'a> {
    t: &'a Templates,
    s: Vec<char>,
    cols: &'a [Option<String>],
}

impl LineParser<'_> {
    fn col(&self, k: usize) -> &str {
        self.cols.get(k).and_then(|c| c.as_deref()).unwrap_or("")
    }

    fn starts_any<'w>(
        &self,
        pos: usize,
        words: impl IntoIterator<Item = &'w str>,
    ) -> Option<usize> {
        words
            .into_iter()
            .filter(|w| starts(&self.s, pos, w))
            .map(|w| pos + w.chars().count())
            .max()
    }

    /// The end of a number at `pos` (`1,368`, `9.5`, `100`), the longest one; no leading
    /// zero unless below one.
    fn number_end(&self, pos: usize) -> Option<usize> {
        let s = &self.s;
        let mut k = pos;
        while k < s.len() && s[k].is_ascii_digit() {
            k += 1;
        }
        if k == pos || (s[pos] == '0' && k > pos + 1) {
            return None;
        }
        // Thousands groups.
        while s.get(k) == Some(&',')
            && (k + 1..k + 4).all(|j| s.get(j).is_some_and(char::is_ascii_digit))
            && !s.get(k + 4).is_some_and(char::is_ascii_digit)
        {
            k += 4;
        }
        if s.get(k) == Some(&'.') && s.get(k + 1).is_some_and(char::is_ascii_digit) {
            k += 1;
            while k < s.len() && s[k].is_ascii_digit() {
                k += 1;
            }
        }
        Some(k)
    }

    /// The unit (with its scale prefix) at `pos`: its end.
    fn unit_end(&self, pos: usize) -> Option<usize> {
        let mut best = None;
        for u in &self.t.units {
            for pre in std::iter::once("").chain(self.t.scale.iter().map(|(p, _)| p.as_str())) {
                if starts(&self.s, pos, pre) && starts(&self.s, pos + pre.chars().count(), u) {
                    let e = pos + pre.chars().count() + u.chars().count();
                    best = best.max(Some(e));
                }
            }
        }
        best
    }

    /// A date or deadline at `pos` (`2022年12月前`, `2023年9月`, `12月底前`): its end.
    fn date_end(&self, pos: usize) -> Option<usize> {
        static RE: OnceLock<Regex> = OnceLock::new();
        let re = RE.get_or_init(|| {
            Regex::new(r"^(?:\d{4}年(?:\d{1,2}月(?:\d{1,2}日)?)?|\d{1,2}月(?:\d{1,2}日)?)(?:底|末)?(?:之前|以前|前)?")
                .expect("static regex")
        });
        let rest: String = self.s[pos..].iter().take(20).collect();
        re.find(&rest)
            .filter(|m| !m.is_empty())
            .map(|m| pos + m.as_str().chars().count())
    }

    /// A figure cell at `pos`: a direction word (unless `bare`), a number, its unit unless
    /// a unit column follows (a unit is never cut off otherwise), a direction word after;
    /// or a date. One reading: the longest.
    fn figure_end(&self, pos: usize, bare: bool, unit_follows: bool) -> Option<usize> {
        if let Some(e) = self.date_end(pos) {
            return Some(e);
        }
        let mut p = pos;
        if !bare {
            let before = self
                .t
                .before
                .iter()
                .map(|(w, _)| w.as_str())
                .chain(["=", "＝", "≧", "≦"]);
            if let Some(e) = self.starts_any(p, before) {
                p = e;
            }
        }
        let mut e = self.number_end(p)?;
        if matches!(self.s.get(e), Some('年' | '月' | '日')) {
            return None;
        }
        if !unit_follows && let Some(u) = self.unit_end(e) {
            e = u;
        }
        if let Some(a) = self.starts_any(e, self.t.after.iter().map(|(w, _)| w.as_str())) {
            e = a;
        }
        Some(e)
    }

    /// Ends of a text value at `pos` (`显著提升`, `达标`): a run of CJK chars without digits.
    /// Before the actual column only two equal halves cut (`显著提升显著提升`); otherwise
    /// the whole run, and only before a points or unit column or at the line's end (a text
    /// before a free note would have no end).
    fn text_ends(
        &self,
        pos: usize,
        next: &str,
        last: bool,
        target_before_actual: bool,
    ) -> Vec<usize> {
        let s = &self.s;
        if !s.get(pos).copied().is_some_and(is_cjk_char) {
            return Vec::new();
        }
        let mut k = pos;
        while k < s.len() && is_cjk(s[k]) && k - pos < 20 {
            k += 1;
        }
        let n = k - pos;
        if next == "actual" {
            if n.is_multiple_of(2) && s[pos..pos + n / 2] == s[pos + n / 2..k] {
                return vec![pos + n / 2];
            }
            return Vec::new();
        }
        if !target_before_actual && (last || is_point_col(next) || next == "unit") {
            return vec![k];
        }
        Vec::new()
    }

    /// May a cell end at `e` and the next one (column `next`) start there? Never inside a
    /// number, except between glued points cells.
    fn boundary_ok(&self, e: usize, next: &str) -> bool {
        // A number's unit is never cut off, except into a unit column.
        if next != "unit" && e > 0 && self.s[e - 1].is_ascii_digit() && self.unit_end(e).is_some() {
            return false;
        }
        match (e.checked_sub(1).and_then(|b| self.s.get(b)), self.s.get(e)) {
            (Some(a), Some(b)) if a.is_ascii_digit() && (b.is_ascii_digit() || *b == '.') => {
                // Glued points cells, or a note opening with a year (`82023年…`).
                is_point_col(next)
                    || (matches!(next, "reason" | "completion")
                        && self.date_end(e).is_some_and(|d| d >= e + 5))
            }
            (Some('.'), Some(b)) if b.is_ascii_digit() => false,
            _ => true,
        }
    }

    /// The rest of the line as a free last cell (reason, completion note): it must not
    /// start like a number, unless with a year (`2023年复合肥市场价格回落`).
    fn free_rest_ok(&self, pos: usize) -> bool {
        match self.s.get(pos) {
            None => true,
            Some(c) if c.is_ascii_digit() => self.date_end(pos).is_some_and(|e| e >= pos + 5),
            Some(c) => !matches!(c, '.' | '%' | '‰' | ',' | '，' | '、'),
        }
    }

    fn readings(&self, above: &[String]) -> Option<Vec<Vec<String>>> {
        let mut out = Vec::new();
        let mut cur = vec![String::new(); self.cols.len()];
        let mut budget = 20_000usize;
        self.cell(0, 0, &mut cur, above, &mut out, &mut budget);
        (budget > 0 && out.len() <= MAX_READINGS && !out.is_empty()).then_some(out)
    }

    #[allow(clippy::too_many_arguments)]
    fn cell(
        &self,
        k: usize,
        pos: usize,
        cur: &mut Vec<String>,
        above: &[String],
        out: &mut Vec<Vec<String>>,
        budget: &mut usize,
    ) {
        if *budget == 0 || out.len() > MAX_READINGS {
            return;
        }
        *budget -= 1;
        let n = self.s.len();
        if k == self.cols.len() {
            if pos == n && !out.contains(cur) {
                out.push(cur.clone());
            }
            return;
        }
        let col = self.col(k);
        let next = self.col(k + 1);
        let last = k + 1 == self.cols.len();
        let mut from = pos;
        let mut ends: Vec<usize> = Vec::new();
        match col {
            "level1" | "level2" | "category" => {
                let words: Vec<&String> = match col {
                    "level1" => self.t.level1.iter().collect(),
                    "level2" => self.t.level2.iter().collect(),
                    _ => self.t.level1.iter().chain(&self.t.level2).collect(),
                };
                let mut p = pos;
                let mut lastw = None;
                while let Some(w) = words.iter().find(|w| starts(&self.s, p, w)) {
                    lastw = Some(p);
                    p += w.chars().count();
                    if let Some(e) = note_end(&self.s, p) {
                        p = e;
                    }
                }
                match lastw {
                    Some(l) => {
                        from = l;
                        ends.push(p);
                    }
                    None if !above.get(k).is_none_or(String::is_empty) => ends.push(pos),
                    None => {}
                }
            }
            "indicator" => {
                let any_level = self
                    .t
                    .level1
                    .iter()
                    .chain(&self.t.level2)
                    .any(|w| starts(&self.s, pos, w));
                if !any_level {
                    let mut e = pos;
                    while e < n
                        && e - pos < MAX_TEXT
                        && !matches!(self.s[e], '≥' | '≤' | '≧' | '≦' | '=' | '＝')
                    {
                        e += 1;
                        if e - pos >= 2 {
                            ends.push(e);
                        }
                    }
                    // An indicator does not end in a figure: that is the target's.
                    ends.retain(|&e| {
                        let text: String = self.s[pos..e].iter().collect();
                        !text.ends_with(|c: char| c.is_ascii_digit())
                            && !text.contains(['%', '‰'])
                            && self.t.figure_re.find(&text).is_none()
                    });
                }
            }
            "nature" => {
                if let Some(e) = self.starts_any(pos, NATURES.iter().copied()) {
                    ends.push(e);
                }
                ends.push(pos);
            }
            "unit" => {
                if let Some(e) = self.unit_end(pos) {
                    ends.push(e);
                }
                ends.push(pos);
            }
            "target" | "actual" => {
                // With a 指标性质 column, a sign after an empty nature cell is the nature's.
                let bare = col == "target"
                    && self.cols[..k]
                        .iter()
                        .position(|c| c.as_deref() == Some("nature"))
                        .is_some_and(|i| cur[i].is_empty());
                if let Some(e) = self.figure_end(pos, bare, next == "unit") {
                    ends.push(e);
                }
                let before_actual = col == "target"
                    && self.cols[k + 1..]
                        .iter()
                        .any(|c| c.as_deref() == Some("actual"));
                ends.extend(self.text_ends(pos, next, last, before_actual));
                if col == "actual" && (is_point_col(next) || last || next == "unit") {
                    ends.push(pos);
                }
            }
            "max_points" | "weight" | "score" | "seq" => {
                let max = (col == "score")
                    .then(|| {
                        self.cols
                            .iter()
                            .position(|c| matches!(c.as_deref(), Some("max_points" | "weight")))
                            .filter(|&m| m < k)
                            .and_then(|m| cur[m].parse::<f64>().ok())
                    })
                    .flatten();
                for e in number_ends(&self.s, pos) {
                    let v = value_of(&self.s, pos, e);
                    let ok = match col {
                        "score" => v <= max.unwrap_or(100.0),
                        "seq" => v >= 1.0 && e - pos <= 3,
                        _ => v > 0.0 && v <= 100.0,
                    };
                    if ok {
                        ends.push(e);
                    }
                }
                // A row is scored once it has an actual: an empty 得分 only without one.
                let actual_empty = self.cols[..k]
                    .iter()
                    .position(|c| c.as_deref() == Some("actual"))
                    .is_none_or(|i| cur[i].is_empty());
                if col == "score" && actual_empty {
                    ends.push(pos);
                }
            }
            // Reasons, completion notes, other columns: the rest of the line when last,
            // else empty.
            _ => {
                if last {
                    if self.free_rest_ok(pos) {
                        ends.push(n);
                    }
                } else {
                    ends.push(pos);
                }
            }
        }
        for e in ends {
            if e > n || (!last && !self.boundary_ok(e, next)) {
                continue;
            }
            if last && !col.is_empty() && !matches!(col, "reason" | "completion") && e != n {
                continue;
            }
            let text: String = self.s[from..e].iter().collect();
            let carried = text.is_empty() && matches!(col, "level1" | "level2" | "category");
            cur[k] = if carried {
                above.get(k).cloned().unwrap_or_default()
            } else {
                text
            };
            self.cell(k + 1, e, cur, above, out, budget);
        }
        cur[k].clear();
    }
}

/// Where a glued target-and-actual text (`改造供水、排水管网9.6公里完成供水、排水管网改造9.6公里`)
/// divides, by the family's grammar: two equal halves; a phrase repeated back to back; an
/// actual that restates the target's opening; a target ending in a figure before the
/// actual's first word; an actual opening with an outcome verb (完成, 全面完成, 顺利完成…);
/// a target ending in 任务/目标. Each cut is scored by the signs that point at it; the one
/// best cut is taken, none when two tie or nothing points anywhere.
pub fn split_pair(t: &Templates, text: &str) -> Option<usize> {
    let s: Vec<char> = text.chars().collect();
    let n = s.len();
    if n < 5 {
        return None;
    }
    if n.is_multiple_of(2) && s[..n / 2] == s[n / 2..] {
        return Some(n / 2);
    }
    let closing = |c: char| "，、；。：:;,）)”》%‰".contains(c);
    let opening = |c: char| "，、；：:;,（(“《".contains(c);
    let cut_ok = |k: usize| {
        k >= 3
            && k + 2 <= n
            && !opening(s[k - 1])
            && !closing(s[k])
            && !(s[k - 1].is_ascii_digit() && (s[k].is_ascii_digit() || s[k] == '.'))
    };
    let mut score = vec![0u32; n + 1];
    // A phrase of four or more chars repeated back to back: the actual restates it.
    let mut best_rep = (0usize, Vec::new());
    for k in 4..=n - 4 {
        let l = (4..=k.min(n - k))
            .rev()
            .find(|&l| s[k - l..k] == s[k..k + l]);
        if let Some(l) = l {
            if l > best_rep.0 {
                best_rep = (l, vec![k]);
            } else if l == best_rep.0 {
                best_rep.1.push(k);
            }
        }
    }
    if best_rep.1.len() == 1 && cut_ok(best_rep.1[0]) {
        score[best_rep.1[0]] += 3;
    }
    // The target's opening restated by the actual: the cut lies between the opening's end
    // and its second start.
    let lcp = |k: usize| (0..n - k).take_while(|&i| s[i] == s[k + i]).count();
    let mut restated: Option<(usize, usize)> = None;
    let mut tie = false;
    for k in 3..n {
        let m = lcp(k).min(k);
        if m >= 3 {
            match restated {
                Some((bm, _)) if m == bm => tie = true,
                Some((bm, _)) if m < bm => {}
                _ => {
                    restated = Some((m, k));
                    tie = false;
                }
            }
        }
    }
    let range = match restated {
        Some((m, k2)) if !tie => {
            if m >= 4 && cut_ok(k2) {
                score[k2] += 1;
            }
            m..=k2
        }
        _ => 0..=n,
    };
    // A figure ends the target and a word starts the actual (not inside brackets).
    let text_s: String = s.iter().collect();
    let char_at: Vec<usize> = text_s.char_indices().map(|(b, _)| b).collect();
    let to_char = |b: usize| char_at.partition_point(|&x| x < b);
    let depth_at = {
        let mut d = vec![0i32; n + 1];
        let mut cur = 0;
        for (i, c) in s.iter().enumerate() {
            d[i] = cur;
            match c {
                '(' | '（' | '“' | '《' => cur += 1,
                ')' | '）' | '”' | '》' => cur = (cur - 1).max(0),
                _ => {}
            }
        }
        d[n] = cur;
        d
    };
    for m in t.figure_re.find_iter(&text_s) {
        let mut e = to_char(m.end());
        let after = t.after.iter().map(|(w, _)| w.as_str());
        if let Some(a) = after
            .filter(|w| starts(&s, e, w))
            .map(|w| e + w.chars().count())
            .max()
        {
            e = a;
        }
        if e < n && (is_cjk_char(s[e]) || s[e] == '“') && depth_at[e] == 0 && cut_ok(e) {
            score[e] += 1;
        }
    }
    // An outcome verb opens the actual (not 完成区下达…, the target's wording; not after a
    // full stop inside the actual).
    let mut k = 0;
    while k < n {
        if let Some(w) = OUTCOME_OPENERS.iter().find(|w| starts(&s, k, w)) {
            let e = k + w.chars().count();
            let assigned = ASSIGNED
                .iter()
                .any(|a| starts(&s, e, a) || starts(&s, e + 1, a));
            if !assigned && cut_ok(k) && !"。；;！!".contains(s[k - 1]) {
                score[k] += 1;
            }
            k = e;
        } else {
            k += 1;
        }
    }
    // A target ends in 任务 / 目标 where another sign points.
    for (k, sc) in score.iter_mut().enumerate() {
        if *sc > 0 && k >= 2 && matches!(s[k - 2..k], ['任', '务'] | ['目', '标']) {
            *sc += 1;
        }
    }
    let best = range
        .clone()
        .filter(|&k| k <= n)
        .map(|k| score[k])
        .max()
        .filter(|&b| b > 0)?;
    let at: Vec<usize> = range.filter(|&k| k <= n && score[k] == best).collect();
    (at.len() == 1).then(|| at[0])
}

/// The glued table whose header is line `at` of `lines` (cleaned lines), read one row per
/// line: a header line made only of header words (at least three, a template accepting
/// them), then rows each cut by the form's grammar so that the cells use the whole line.
/// A line with several readings keeps the cells they agree on; a 序号 table's rows must
/// count up; the table ends at a blank line, a form line, a total row or a line no
/// reading covers. At least two rows.
pub fn find_lines(t: &Templates, lines: &[&str], at: usize) -> Option<GluedLines> {
    let hs: Vec<char> = lines.get(at)?.trim().chars().collect();
    let (mut words, end) = header_at_min(t, &hs, 0, 3)?;
    if end != hs.len() {
        return None;
    }
    let mut cols: Vec<Option<String>> = words
        .iter()
        .map(|w| t.column_of(&normalize_header(w)).map(str::to_string))
        .collect();
    while (1..cols.len()).any(|a| cols[..a].contains(&cols[a])) {
        words.remove(0);
        cols.remove(0);
    }
    let has = |c: &str| cols.iter().flatten().any(|x| x == c);
    let fits = (has("target") && has("actual"))
        || (has("indicator") && (has("max_points") || has("score") || has("target")));
    if words.len() < 3 || !fits {
        return None;
    }
    t.template_for(&cols)?;
    let pair = !has("indicator")
        && cols.len() >= 2
        && cols[cols.len() - 2].as_deref() == Some("target")
        && cols[cols.len() - 1].as_deref() == Some("actual")
        && cols[..cols.len() - 2]
            .iter()
            .all(|c| c.as_deref() == Some("seq"));
    let header_text: String = hs.iter().collect();
    let mut rows = Vec::new();
    let mut above = vec![String::new(); cols.len()];
    let mut total = None;
    let mut j = at + 1;
    let mut seq_next: Option<usize> = None;
    while j < lines.len() {
        let line: String = lines[j].trim().to_string();
        if line.is_empty() || super::align::is_form_word(t, &line) {
            break;
        }
        if line == header_text {
            j += 1;
            continue;
        }
        let s: Vec<char> = line.chars().collect();
        let lp = LineParser {
            t,
            s: s.clone(),
            cols: &cols,
        };
        if t.total_words.iter().any(|w| starts(&s, 0, w)) {
            total = line_total(t, &cols, &s);
            j += 1;
            break;
        }
        if pair {
            let mut p = 0;
            let mut seq = String::new();
            if cols.len() == 3 {
                let want = seq_next.unwrap_or(1).to_string();
                if !starts(&s, 0, &want) {
                    break;
                }
                p = want.chars().count();
                seq = want;
            }
            let rest: String = s[p..].iter().collect();
            seq_next = seq.parse::<usize>().ok().map(|v| v + 1);
            if let Some(k) = split_pair(t, &rest) {
                let r: Vec<char> = rest.chars().collect();
                let mut cells = Vec::new();
                if cols.len() == 3 {
                    cells.push(seq);
                }
                cells.push(r[..k].iter().collect());
                cells.push(r[k..].iter().collect());
                rows.push((j, cells, false));
            }
            j += 1;
            continue;
        }
        let Some(readings) = lp.readings(&above) else {
            break;
        };
        let mut cells = readings[0].clone();
        let mut ambiguous = false;
        for r in &readings[1..] {
            for (c, o) in cells.iter_mut().zip(r) {
                if c != o {
                    c.clear();
                    ambiguous = true;
                }
            }
        }
        above = cells.clone();
        rows.push((j, cells, ambiguous));
        j += 1;
    }
    (rows.len() >= 2).then_some(GluedLines {
        header_line: at,
        header: words,
        columns: cols,
        rows,
        total,
        end: j,
    })
}

/// `总分10094.5`: the total word and its numbers cut over the points columns, when exactly
/// one cut makes them points (the score no greater than the maximum).
fn line_total(t: &Templates, cols: &[Option<String>], s: &[char]) -> Option<Vec<String>> {
    let w = t
        .total_words
        .iter()
        .filter(|w| starts(s, 0, w))
        .max_by_key(|w| w.len())?;
    let p = w.chars().count();
    let digits: String = s[p..].iter().collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    let pts: Vec<usize> = (0..cols.len())
        .filter(|&i| cols[i].as_deref().is_some_and(is_point_col))
        .collect();
    let mut cells = vec![String::new(); cols.len()];
    cells[0] = w.clone();
    let num = |x: &str| {
        (!(x.is_empty() || x.starts_with('0') && x.len() > 1 && !x.starts_with("0.")))
            .then(|| x.parse::<f64>().ok())
            .flatten()
    };
    match pts.len() {
        1 => cells[pts[0]] = digits,
        2 => {
            let cuts: Vec<usize> = (1..digits.len())
                .filter(|&c| {
                    matches!((num(&digits[..c]), num(&digits[c..])), (Some(a), Some(b)) if a > 0.0 && a <= 100.0 && b <= a)
                })
                .collect();
            let [c] = cuts[..] else { return None };
            cells[pts[0]] = digits[..c].to_string();
            cells[pts[1]] = digits[c..].to_string();
        }
        _ => return None,
    }
    Some(cells)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(g: &Glued, col: &str) -> Vec<String> {
        let k = g
            .columns
            .iter()
            .position(|c| c.as_deref() == Some(col))
            .unwrap();
        g.rows.iter().map(|(_, c)| c[k].clone()).collect()
    }

    #[test]
    fn a_whole_form_on_one_line() {
        let line = "资金情况年度总体目标对项目区农业用水计量,绩效指标一级指标二级指标三级指标分值年度指标值全年实际值得分未完成原因及拟采取的改进措施\
            产出指标(70分)数量指标安装坡面水标尺10≥266米≥266米10水标尺宽度10≥50厘米≥50厘米10\
            质量指标项目(工程)验收合格率20100%100%20成本指标项目计划总投资1020万元20万元10\
            效益指标(20分)经济效益指标社会效益指标群众生产生活条件改善状况10显著提升显著提升9……总分5049注:1.一级指标";
        let g = find(Templates::builtin(), line).expect("a table");
        assert_eq!(
            g.header[0], "一级指标",
            "the 绩效指标 label is not a column"
        );
        assert_eq!(
            cells(&g, "indicator"),
            [
                "安装坡面水标尺",
                "水标尺宽度",
                "项目(工程)验收合格率",
                "项目计划总投资",
                "群众生产生活条件改善状况"
            ]
        );
        assert_eq!(cells(&g, "max_points"), ["10", "10", "20", "10", "10"]);
        assert_eq!(
            cells(&g, "target"),
            ["≥266米", "≥50厘米", "100%", "20万元", "显著提升"]
        );
        assert_eq!(
            cells(&g, "actual"),
            ["≥266米", "≥50厘米", "100%", "20万元", "显著提升"]
        );
        assert_eq!(cells(&g, "score"), ["10", "10", "20", "10", "9"]);
        assert_eq!(
            cells(&g, "level1"),
            [
                "产出指标(70分)",
                "产出指标(70分)",
                "产出指标(70分)",
                "产出指标(70分)",
                "效益指标(20分)"
            ]
        );
        assert_eq!(
            cells(&g, "level2"),
            [
                "数量指标",
                "数量指标",
                "质量指标",
                "成本指标",
                "社会效益指标"
            ]
        );
        assert!(
            g.total.is_none(),
            "5049 does not split evenly: {:?}",
            g.total
        );
    }

    #[test]
    fn a_glued_total_splits_evenly() {
        let line = "一级指标二级指标三级指标分值年度指标值全年实际值得分产出指标数量指标培训人数10≥200人210人10\
            满意度指标服务对象满意度指标群众满意度10≥90%95%10总分2020";
        let g = find(Templates::builtin(), line).unwrap();
        assert_eq!(g.rows.len(), 2);
        let total = g.total.as_ref().unwrap();
        assert_eq!((total[3].as_str(), total[6].as_str()), ("20", "20"));
    }

    #[test]
    fn prose_with_header_words_is_no_table() {
        let t = Templates::builtin();
        assert!(
            find(
                t,
                "本项目一级指标二级指标三级指标分值均按规定设置，得分情况见附表。"
            )
            .is_none()
        );
        assert!(find(t, "一级指标二级指标三级指标分值得分").is_none());
    }

    #[test]
    fn glued_rows_one_per_line_are_cut_by_the_form_grammar() {
        let t = Templates::builtin();
        let lines = [
            "一级指标二级指标三级指标年度指标值实际完成值分值得分偏差原因",
            "产出指标数量指标培训农民人数≥500人480人109受天气影响",
            "产出指标质量指标验收合格率100%100%88",
            "满意度指标服务对象满意度指标群众满意度≥90%93%1513.5",
            "总分3330.5",
        ];
        let g = find_lines(t, &lines, 0).expect("a table");
        let row = |k: usize| &g.rows[k].1;
        assert_eq!(
            row(0)[2..],
            ["培训农民人数", "≥500人", "480人", "10", "9", "受天气影响"]
        );
        assert_eq!(row(1)[5..7], ["8", "8"]);
        assert_eq!(row(2)[2..7], ["群众满意度", "≥90%", "93%", "15", "13.5"]);
        assert!(g.rows.iter().all(|r| !r.2), "no row is ambiguous");
        let total = g.total.as_ref().unwrap();
        assert_eq!((total[5].as_str(), total[6].as_str()), ("33", "30.5"));
        // 权重 60 and no 得分, or 权重 6 and 得分 0: the points are left out, not guessed.
        let lines = [
            "一级指标二级指标三级指标指标性质指标值度量单位完成值权重得分",
            "产出指标数量指标某项覆盖率=100%60",
            "效益指标社会效益指标某项保障率=100%30",
        ];
        let g = find_lines(t, &lines, 0).expect("a table");
        assert_eq!(g.rows[0].1[2..7], ["某项覆盖率", "=", "100", "%", ""]);
        assert!(g.rows[0].2 && g.rows[0].1[7].is_empty());
    }

    #[test]
    fn a_glued_target_and_actual_divide_by_their_grammar() {
        let t = Templates::builtin();
        let cut = |s: &str| split_pair(t, s).map(|k| s.chars().take(k).collect::<String>());
        assert_eq!(
            cut("新建道路5公里新建道路5公里").as_deref(),
            Some("新建道路5公里")
        );
        assert_eq!(
            cut("修缮校舍8栋完成修缮校舍8栋").as_deref(),
            Some("修缮校舍8栋")
        );
        assert_eq!(
            cut("培训人数200人次培训人数215人次").as_deref(),
            Some("培训人数200人次")
        );
        assert_eq!(
            cut("开展宣传活动完成区下达目标任务全面完成宣传活动").as_deref(),
            Some("开展宣传活动完成区下达目标任务")
        );
        // Two figures before words and no other sign: no cut.
        assert_eq!(cut("全部项目于年底前完工3个项目按期完工2个项目延期"), None);
    }
}
