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
    let mut p = pos;
    let mut words = Vec::new();
    while let Some((w, _)) = t.headers.iter().find(|(w, _)| starts(s, p, w)) {
        words.push(w.clone());
        p += w.chars().count();
        if let Some(e) = note_end(s, p) {
            p = e;
        }
    }
    (words.len() >= 4).then_some((words, p))
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
}
