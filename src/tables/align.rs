//! Rows that lost cells, put back in their columns by the form's grammar.
//!
//! A flattened table loses what was never printed or what left no trace: a merged 一级/二级
//! cell appears only on the first row of its group, an empty cell leaves nothing between two
//! spaces, a long cell wraps onto the next line (`7 7` under the row it belongs to), and some
//! converters put a whole table on one line. Position alone cannot seat such cells; the
//! national indicator form's grammar can:
//!
//! * level cells are words of the level vocabulary (`产出指标`, `产出指标(50分)`, `数量指标`,
//!   `数量`; `patterns/tables.toml` `[levels]`), and a row without one inherits the cell above;
//! * the indicator is text, never a bare number or a level word;
//! * 分值 / 权重 / 得分 cells are numbers up to 100;
//! * cells come in column order; reasons, units and other notes may be empty.
//!
//! [`shift_levels`] re-seats a delimited row whose merged level cells are missing (the row
//! starts with its indicator or its 二级 cell). [`parse_stream`] cuts a stream of
//! space-separated tokens into rows: of all the ways to read it, the one that reads the most
//! tokens, with the fewest empty cells and rows starting at line starts (dynamic programming
//! over token positions).

use super::template::Templates;
use crate::normalize::parse_number;

/// What a column's cell may hold.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    /// A level word of this level (0: of any level, a 指标类别 column that mixes 数量指标
    /// with 效益指标), or empty (merged, inherited from above).
    Level(u8),
    /// Required text: the indicator (or a score table's 一级指标 when it has no indicator).
    Text,
    /// A target or actual value: any cell that is not a level word.
    Value,
    /// 分值 / 权重 / 得分: a number up to 100.
    Points,
    Seq,
    /// A unit column (`%`, `人`): a unit word or empty.
    Unit,
    /// Reasons, notes, other columns: anything or empty.
    Optional,
}

/// The grammar of one table's columns.
pub struct Grammar<'a> {
    t: &'a Templates,
    kinds: Vec<Kind>,
}

/// The cells of a form row that is not data: the table ends there.
/// A word of four or more characters opens the cell (`评价结论：优`); a shorter one is the
/// whole cell or is followed by a colon (`说明`, `注：`), so `注册企业数` is no form row.
pub fn is_form_word(t: &Templates, cell: &str) -> bool {
    let c: String = cell.chars().filter(|c| !c.is_whitespace()).collect();
    t.form_words
        .iter()
        .any(|w| match c.strip_prefix(w.as_str()) {
            None => false,
            Some(rest) => {
                rest.is_empty() || w.chars().count() >= 4 || rest.starts_with([':', '：'])
            }
        })
}

fn is_total(t: &Templates, cell: &str) -> bool {
    let c: String = cell.chars().filter(|c| !c.is_whitespace()).collect();
    t.total_words.contains(&c)
}

/// A cell that is a number (`10`, `9.5分`, `100%`).
fn number_like(s: &str) -> Option<f64> {
    parse_number(s.trim().trim_end_matches(['分', '%']).trim())
}

fn points_like(s: &str) -> bool {
    number_like(s).is_some_and(|v| (0.0..=100.0).contains(&v))
}

impl<'a> Grammar<'a> {
    /// The grammar of a table with these canonical columns, or None when it has neither a
    /// level nor an indicator column (nothing to align by).
    pub fn new(t: &'a Templates, cols: &[Option<String>]) -> Option<Grammar<'a>> {
        let has = |c: &str| cols.iter().flatten().any(|x| x == c);
        if !(has("level1") || has("level2") || has("indicator")) {
            return None;
        }
        let text_col = if has("indicator") {
            "indicator"
        } else if has("level1") {
            "level1"
        } else {
            "level2"
        };
        let kinds = cols
            .iter()
            .map(|c| match c.as_deref() {
                Some(c) if c == text_col => Kind::Text,
                Some("level1") => Kind::Level(1),
                Some("level2") => Kind::Level(2),
                Some("category") => Kind::Level(0),
                Some("indicator") => Kind::Text,
                Some("target" | "actual") => Kind::Value,
                Some("max_points" | "weight" | "score") => Kind::Points,
                Some("seq") => Kind::Seq,
                Some("unit") => Kind::Unit,
                _ => Kind::Optional,
            })
            .collect();
        Some(Grammar { t, kinds })
    }

    fn level(&self, s: &str) -> Option<u8> {
        self.t.level_of(s)
    }

    fn text_ok(&self, s: &str) -> bool {
        s.chars().count() >= 2
            && !super::layout::is_heading(s)
            && self.level(s).is_none()
            && number_like(s).is_none()
            && !is_total(self.t, s)
            && !is_form_word(self.t, s)
            && !self.unit_ok(s)
    }

    /// A value holds a digit or a word: a bare `≥` or `—` is no target.
    fn value_ok(&self, s: &str) -> bool {
        s.chars().any(|c| c.is_alphanumeric())
            && self.level(s).is_none()
            && !is_total(self.t, s)
            && !is_form_word(self.t, s)
            && !super::layout::is_heading(s)
    }

    fn optional_ok(&self, s: &str) -> bool {
        !s.is_empty()
            && self.level(s).is_none()
            && !is_total(self.t, s)
            && !is_form_word(self.t, s)
            && !super::layout::is_heading(s)
    }

    fn unit_ok(&self, s: &str) -> bool {
        let (_, base) = self.t.split_unit(s);
        self.t.units.iter().any(|u| u == base)
    }

    /// Every way to read one row from `toks[p..]`: (tokens read, cells, cost).
    fn rows_at(&self, toks: &[&str], p: usize) -> Vec<(usize, Vec<String>, f64)> {
        let mut out = Vec::new();
        let mut cells = vec![String::new(); self.kinds.len()];
        self.rec(toks, p, 0, p, &mut cells, 0.0, &mut out);
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn rec(
        &self,
        toks: &[&str],
        p: usize,
        k: usize,
        q: usize,
        cells: &mut Vec<String>,
        cost: f64,
        out: &mut Vec<(usize, Vec<String>, f64)>,
    ) {
        if out.len() >= 64 {
            return;
        }
        if k == self.kinds.len() {
            // Beside its text, a row needs two target, actual or points cells (one where the
            // table has only one such column), and a points cell where the table has points:
            // prose split at its spaces has fewer.
            let count = |f: &dyn Fn(Kind) -> bool, filled: bool| {
                (0..k)
                    .filter(|&x| f(self.kinds[x]) && (!filled || !cells[x].is_empty()))
                    .count()
            };
            let values = |k: Kind| matches!(k, Kind::Value | Kind::Points);
            let points = |k: Kind| k == Kind::Points;
            if count(&values, true) >= count(&values, false).min(2)
                && count(&points, true) >= count(&points, false).min(1)
            {
                out.push((q - p, cells.clone(), cost));
            }
            return;
        }
        let tok = toks.get(q).copied();
        let take = |cells: &mut Vec<String>, out: &mut Vec<_>, c: f64| {
            cells[k] = tok.unwrap_or_default().to_string();
            self.rec(toks, p, k + 1, q + 1, cells, cost + c, out);
            cells[k].clear();
        };
        match self.kinds[k] {
            Kind::Level(l) => match tok.and_then(|s| self.level(s)) {
                Some(x) if x == l || l == 0 => take(cells, out, 0.0),
                // A deeper level word or anything else: this level's cell is merged.
                _ => self.rec(toks, p, k + 1, q, cells, cost + 0.5, out),
            },
            Kind::Text => {
                if tok.is_some_and(|s| self.text_ok(s)) {
                    take(cells, out, 0.0);
                }
            }
            Kind::Value => {
                if tok.is_some_and(|s| self.value_ok(s)) {
                    take(cells, out, 0.0);
                }
                self.rec(toks, p, k + 1, q, cells, cost + 2.0, out);
            }
            Kind::Points => {
                if tok.is_some_and(points_like) {
                    take(cells, out, 0.0);
                }
                self.rec(toks, p, k + 1, q, cells, cost + 2.0, out);
            }
            Kind::Seq => {
                if tok.is_some_and(|s| {
                    s.trim_end_matches(['.', '、'])
                        .parse::<u32>()
                        .is_ok_and(|n| n < 1000)
                }) {
                    take(cells, out, 0.0);
                }
                self.rec(toks, p, k + 1, q, cells, cost + 1.0, out);
            }
            Kind::Unit => {
                if tok.is_some_and(|s| self.unit_ok(s)) {
                    take(cells, out, 0.0);
                }
                self.rec(toks, p, k + 1, q, cells, cost, out);
            }
            Kind::Optional => {
                self.rec(toks, p, k + 1, q, cells, cost, out);
                if tok.is_some_and(|s| self.optional_ok(s)) {
                    take(cells, out, 0.25);
                }
            }
        }
    }

    /// A total row (`合计 100 95`) at `p`: its cells (the numbers in the points columns, in
    /// order) and the tokens it reads.
    fn total_at(&self, toks: &[&str], p: usize) -> Option<(Vec<String>, usize)> {
        if !is_total(self.t, toks.get(p)?) {
            return None;
        }
        let mut cells = vec![String::new(); self.kinds.len()];
        cells[0] = toks[p].to_string();
        let mut q = p + 1;
        for (k, kind) in self.kinds.iter().enumerate() {
            if *kind == Kind::Points && toks.get(q).is_some_and(|s| points_like(s)) {
                cells[k] = toks[q].to_string();
                q += 1;
            }
        }
        Some((cells, q - p))
    }
}

/// Rows read from a token stream.
#[derive(Debug, Default, PartialEq)]
pub struct Parsed {
    /// (index of the row's first token, cells aligned with the columns).
    pub rows: Vec<(usize, Vec<String>)>,
    pub total: Option<Vec<String>>,
    /// Index of the first token not read.
    pub end: usize,
}

/// Cut `toks` (with `line_start[i]`: token `i` begins a line) into rows of `g`'s columns.
/// The table ends where no row can be read, at a total row (kept apart) or at a form row
/// (评价结论, 项目负责人, …).
pub fn parse_stream(g: &Grammar, toks: &[&str], line_start: &[bool]) -> Parsed {
    let n = toks.len();
    let multiline = line_start.iter().filter(|b| **b).count() > 1;
    // best[p] = (tokens read from p, cost, chosen row) for the table's rest from p.
    type Choice = Option<(usize, Vec<String>)>;
    let mut best: Vec<(usize, f64, Choice)> = vec![(0, 0.0, None); n + 1];
    for p in (0..n).rev() {
        let mut here: (usize, f64, Choice) = (0, 0.0, None);
        let start_cost = if multiline && !line_start[p] {
            1.0
        } else {
            0.0
        };
        let mut options = g.rows_at(toks, p);
        // A last cell (a reason) wrapped onto a line of its own: `… 10 8 部分路段延至` +
        // `次年`, the next row on the line after.
        let last = g.kinds.len() - 1;
        if g.kinds[last] == Kind::Optional {
            let wrapped: Vec<_> = options
                .iter()
                .filter(|(len, cells, _)| {
                    let q = p + len;
                    !cells[last].is_empty()
                        && q < n
                        && line_start[q]
                        && (q + 1 == n || line_start[q + 1])
                        && g.optional_ok(toks[q])
                })
                .map(|(len, cells, cost)| {
                    let mut cells = cells.clone();
                    cells[last].push_str(toks[p + len]);
                    (len + 1, cells, cost + 0.5)
                })
                .collect();
            options.extend(wrapped);
        }
        for (len, cells, cost) in options {
            let (rest, rest_cost, _) = &best[p + len];
            let cand = (len + rest, cost + start_cost + rest_cost);
            if cand.0 > here.0 || (cand.0 == here.0 && cand.1 < here.1 - 1e-9) {
                here = (cand.0, cand.1, Some((len, cells)));
            }
        }
        best[p] = here;
    }
    let mut out = Parsed::default();
    let mut p = 0;
    while let Some((len, cells)) = best[p].2.clone() {
        out.rows.push((p, cells));
        p += len;
    }
    // An ellipsis row stands for rows the form left out.
    while toks
        .get(p)
        .is_some_and(|s| s.chars().all(|c| matches!(c, '…' | '.')))
    {
        p += 1;
    }
    if let Some((cells, len)) = g.total_at(toks, p) {
        out.total = Some(cells);
        p += len;
    }
    out.end = p;
    out
}

/// A delimited row of a level-vocabulary table whose merged level cells were not printed
/// (`指标2:建设数量 | ≥200 | 202 | 10 | 10`, or `质量指标 | 指标1:… | …` without its 一级
/// cell): empty cells are inserted so that its first cells land in their columns. `vocab`
/// says the table's level cells are vocabulary words (an earlier row had one); a row is
/// shifted only when its cells still fit the header after the shift.
pub fn shift_levels(t: &Templates, cols: &[Option<String>], cells: &mut Vec<String>, vocab: bool) {
    let pos = |c: &str| cols.iter().position(|x| x.as_deref() == Some(c));
    let (Some(l1), Some(ind)) = (pos("level1"), pos("indicator")) else {
        return;
    };
    let l2 = pos("level2").filter(|&l2| l2 > l1 && l2 < ind);
    let fits = |cells: &Vec<String>, shift: usize| {
        let last = cells.iter().rposition(|c| !c.is_empty()).unwrap_or(0);
        last + shift < cols.len()
    };
    let Some(first) = cells.get(l1).filter(|c| !c.is_empty()) else {
        return;
    };
    let dest = match t.level_of(first) {
        Some(1) => {
            // 一级 printed, 二级 merged: `效益指标 | 指标1:… | …`.
            if let Some(l2) = l2
                && vocab
                && cells
                    .get(l2)
                    .is_some_and(|c| !c.is_empty() && t.level_of(c).is_none())
                && fits(cells, 1)
            {
                cells.insert(l2, String::new());
            }
            return;
        }
        Some(_) => l2.unwrap_or(ind),
        None if vocab => ind,
        None => return,
    };
    if dest > l1 && fits(cells, dest - l1) {
        for _ in l1..dest {
            cells.insert(l1, String::new());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols(names: &[&str]) -> Vec<Option<String>> {
        names
            .iter()
            .map(|n| (!n.is_empty()).then(|| n.to_string()))
            .collect()
    }

    const FORM: &[&str] = &[
        "level1",
        "level2",
        "indicator",
        "target",
        "actual",
        "max_points",
        "score",
        "reason",
    ];

    fn parse(text: &str) -> Parsed {
        let t = Templates::builtin();
        let c = cols(FORM);
        let g = Grammar::new(t, &c).unwrap();
        let mut toks = Vec::new();
        let mut starts = Vec::new();
        for l in text.lines() {
            for (k, w) in l.split_whitespace().enumerate() {
                toks.push(w);
                starts.push(k == 0);
            }
        }
        parse_stream(&g, &toks, &starts)
    }

    #[test]
    fn a_whole_table_on_one_line() {
        let p = parse(
            "产出指标(60分) 数量指标 某某村道路硬化里程 ≥3公里 3.2公里 20 20 培训人次 =150人次 150 10 10 \
             质量指标 工程验收合格率 100% 100% 20 20 效益指标(30分) 社会效益指标 受益群众人数 ≥800人 860人 30 28 \
             总分 80 78 注:本表",
        );
        assert_eq!(p.rows.len(), 4, "{p:?}");
        assert_eq!(p.rows[1].1[2], "培训人次");
        assert_eq!(
            p.rows[1].1[0], "",
            "the merged 一级 cell is left for carry-down"
        );
        assert_eq!(p.rows[2].1[1], "质量指标");
        assert_eq!(p.rows[3].1[0], "效益指标(30分)");
        assert_eq!(
            (p.rows[3].1[5].as_str(), p.rows[3].1[6].as_str()),
            ("30", "28")
        );
        let total = p.total.unwrap();
        assert_eq!((total[5].as_str(), total[6].as_str()), ("80", "78"));
    }

    #[test]
    fn short_rows_and_a_wrapped_points_line() {
        let p = parse(
            "产出指标 数量指标 指标1:某某站点改造数量 完成某某站点、某某驿站改造 完成某某站点、某某驿站改造\n\
             9 8\n\
             指标2:改造面积 1200平方米 1150平方米 9 8\n\
             质量指标 指标1:验收合格率 100% 98% 6 5 验收整改\n\
             效益指标 社会效益指标 群众出行条件 明显改善 改善 15 15\n\
             一、下一步工作",
        );
        let got: Vec<(&str, &str, &str, &str)> = p
            .rows
            .iter()
            .map(|(_, c)| (c[1].as_str(), c[2].as_str(), c[5].as_str(), c[7].as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("数量指标", "指标1:某某站点改造数量", "9", ""),
                ("", "指标2:改造面积", "9", ""),
                ("质量指标", "指标1:验收合格率", "6", "验收整改"),
                ("社会效益指标", "群众出行条件", "15", ""),
            ]
        );
    }

    #[test]
    fn a_reason_wrapped_onto_its_own_line() {
        let p = parse(
            "产出指标 数量指标 某某道路里程 ≥3公里 2.6公里 20 16 部分路段延至\n次年\n\
             质量指标 工程合格率 100% 100% 20 20",
        );
        assert_eq!(p.rows.len(), 2, "{p:?}");
        assert_eq!(p.rows[0].1[7], "部分路段延至次年");
        assert_eq!(p.rows[1].1[2], "工程合格率");
    }

    #[test]
    fn prose_is_not_a_row() {
        assert!(
            parse("本项目共设置绩效指标12个 其中产出指标8个")
                .rows
                .is_empty()
        );
        assert!(parse("评价结论 优").rows.is_empty());
    }

    #[test]
    fn merged_level_cells_shift_delimited_rows() {
        let t = Templates::builtin();
        let c = cols(FORM);
        let row = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let mut r = row(&["指标2:某某宜居村庄数量", "≥200", "202", "10", "10", "", ""]);
        shift_levels(t, &c, &mut r, true);
        assert_eq!(r[2], "指标2:某某宜居村庄数量");
        assert_eq!(r[6], "10");
        let mut r = row(&["质量指标", "指标1:验收通过率", "≥95%", "100%", "5", "5"]);
        shift_levels(t, &c, &mut r, true);
        assert_eq!(
            (r[1].as_str(), r[2].as_str()),
            ("质量指标", "指标1:验收通过率")
        );
        // A table whose 一级 cells are not level words (决策, 过程) is left as it is.
        let mut r = row(&["决策", "项目立项", "立项依据充分性", "", "", "3", "3"]);
        shift_levels(t, &c, &mut r, false);
        assert_eq!(r[0], "决策");
        // A full row is never shifted.
        let mut r = row(&["某某", "b", "c", "d", "e", "f", "g", "h"]);
        shift_levels(t, &c, &mut r, true);
        assert_eq!(r[0], "某某");
    }
}
