//! Finding tables in cleaned text and cutting them into rows of cells.
//!
//! Flattened tables reach us in four shapes, each found by its header row:
//!
//! * **delimited**: one row per line, cells separated by tabs or `|` (markdown pipe tables
//!   included; their `|---|` rule is skipped). A table may run over a page break that
//!   repeats the header and continues a row in a line whose first cell is empty; such a
//!   line is joined to the row above, the repeated header is dropped.
//! * **one cell per line** (web tables saved as text): the header is a run of lines that are
//!   header words each, and the rows are the following lines taken that many at a time.
//!   004-style lines ending in ` |` (and a bare `|` for an empty cell) are the same shape.
//! * **space-separated**: clean-up joins single-spaced CJK cells (`一级指标 二级指标` becomes
//!   `一级指标二级指标`), so these tables are read from the loaded page lines, where the
//!   spaces are still there: a run of header words anywhere in a line (also mid-line, with a
//!   whole table after it on the same line), the rows cut by the form's grammar
//!   ([`super::align`]).
//!
//! Headers wrapped over several lines, two-level headers and row-group labels are joined
//! or dropped before the columns are named; delimited rows that left out merged level cells
//! are re-seated by the level vocabulary.
//!
//! A table ends at a blank line (unless the next line repeats its header), at a line that
//! is not in its shape, at a heading, or at another table's header. A row whose first cell
//! is a total word (合计, 总分) is kept apart as the table's total.

use super::template::{Templates, normalize_header};
use crate::clean::CleanText;
use crate::text::{MarkerKind, parse_marker};

/// A table as found: header, canonical columns, rows of cells.
#[derive(Debug, Clone)]
pub struct RawTable {
    pub header: Vec<String>,
    /// The canonical column of each header cell (None: not a known header word).
    pub columns: Vec<Option<String>>,
    /// Index into [`Templates::tables`].
    pub template: usize,
    /// Byte offset of the header line in the cleaned text.
    pub start: usize,
    pub rows: Vec<RawRow>,
    /// The total row's cells, aligned with the header (None when absent or not aligned).
    pub total: Option<Vec<String>>,
}

/// One data row.
#[derive(Debug, Clone)]
pub struct RawRow {
    /// Exactly as many cells as the header.
    pub cells: Vec<String>,
    /// Byte offset of the row's first line in the cleaned text.
    pub start: usize,
    pub flags: Vec<&'static str>,
}

/// A line of cleaned text, by shape.
#[derive(Debug, Clone, PartialEq)]
enum Cells {
    Blank,
    /// A markdown rule `|---|---|`.
    Rule,
    /// No separator (or only a trailing/leading `|`): one cell.
    Single(String),
    Multi(Vec<String>),
}

fn split_line(line: &str) -> Cells {
    let l = line.trim();
    if l.is_empty() {
        return Cells::Blank;
    }
    if l.contains('|') {
        let mut parts: Vec<String> = l.split('|').map(|c| c.trim().to_string()).collect();
        if l.starts_with('|') {
            parts.remove(0);
        }
        if l.ends_with('|') && !parts.is_empty() {
            parts.pop();
        }
        if !parts.is_empty()
            && parts.iter().all(|p| {
                // `---`, `:--:`, and `- -` where a PDF font spaced the dashes out.
                p.contains('-') && p.chars().all(|c| matches!(c, '-' | ':' | ' ' | '—'))
            })
        {
            return Cells::Rule;
        }
        return match parts.len() {
            0 => Cells::Single(String::new()),
            1 => Cells::Single(parts.remove(0)),
            _ => Cells::Multi(parts),
        };
    }
    // Keep a leading tab: an empty first cell marks a continued row.
    let l = line.trim_end();
    if l.contains('\t') {
        let parts: Vec<String> = l.split('\t').map(|c| c.trim().to_string()).collect();
        if parts.len() >= 2 {
            return Cells::Multi(parts);
        }
    }
    Cells::Single(l.trim().to_string())
}

/// A heading line (`一、`, `（二）`, `第三部分`) ends a one-cell-per-line table.
pub(super) fn is_heading(s: &str) -> bool {
    matches!(
        parse_marker(s),
        Some((
            MarkerKind::Part | MarkerKind::CnComma | MarkerKind::CnParen,
            _
        ))
    )
}

/// A cell that can stand in a total row after its label: a number, a dash, nothing.
fn value_like(s: &str) -> bool {
    let s = s.trim().trim_end_matches(['%', '分']);
    s.is_empty()
        || matches!(s, "—" | "——" | "-" | "–" | "/" | "\\")
        || crate::normalize::parse_number(s).is_some()
}

/// Display width of a line: CJK and full-width characters count two.
fn width(s: &str) -> usize {
    s.trim_end()
        .chars()
        .map(|c| if (c as u32) < 0x2E80 { 1 } else { 2 })
        .sum()
}

/// Cells of a line by [`split_line`] (a markdown rule and a blank line: none).
fn cell_count(s: &str) -> usize {
    match split_line(s) {
        Cells::Multi(c) => c.len(),
        Cells::Single(_) => 1,
        _ => 0,
    }
}

/// The canonical column of each header cell and how many cells are header words (`other`
/// words included). A column named twice keeps its second cell when the first opens the row
/// (a row-group label: `绩效指标 | 一级指标 | 二级指标 | 三级指标`), else its first.
fn header_columns(t: &Templates, cells: &[String]) -> (Vec<Option<String>>, usize) {
    let mut cols: Vec<Option<String>> = cells
        .iter()
        .map(|c| t.column_of(c).map(str::to_string))
        .collect();
    let known = cells.iter().filter(|c| t.header_word(c).is_some()).count();
    for k in 1..cols.len() {
        if cols[k].is_some()
            && let Some(first) = cols[..k].iter().position(|c| *c == cols[k])
        {
            if first == 0 && k > 1 {
                cols[0] = None;
            } else {
                cols[k] = None;
            }
        }
    }
    (cols, known)
}

fn despace(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(crate::clean::fold_char)
        .filter(|c| !c.is_whitespace())
        .collect()
}

struct Reader<'a> {
    t: &'a Templates,
    clean: &'a CleanText,
    /// (byte offset in the cleaned text, line): the cleaned lines, un-joined.
    lines: Vec<(usize, String)>,
    /// Lines of the loaded page texts (page, line), for space-separated tables.
    raw: Vec<(usize, &'a str)>,
}

/// Find every target or indicator table in the cleaned text. `pages` are the loaded page
/// texts (page number, text): clean-up joins lines it takes for wrapped prose, which can glue
/// two one-line cells together, and drops single spaces between CJK cells; the page texts
/// undo both. Without them (tests, `&[]`) the cleaned text is read as it is.
pub fn find_tables(t: &Templates, clean: &CleanText, pages: &[(usize, &str)]) -> Vec<RawTable> {
    let r = Reader {
        t,
        clean,
        lines: unjoined_lines(clean, pages),
        raw: pages
            .iter()
            .flat_map(|(n, text)| text.lines().map(move |l| (*n, l)))
            .collect(),
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < r.lines.len() {
        let found = match split_line(&r.lines[i].1) {
            // `年度总体目标 |` over `预期目标 | 实际完成情况 |`: the form's goal box.
            Cells::Multi(_)
                if i > 0
                    && matches!(split_line(&r.lines[i - 1].1), Cells::Single(ref p) if super::align::is_form_word(t, p)) =>
            {
                None
            }
            Cells::Multi(c) => {
                let c = r.lead_in_dropped(c);
                let (c, last) = r.wrapped_header(i, c);
                match r.header_match(&c) {
                    Some((cols, ti)) => Some(r.read_delimited(i, last + 1, c, cols, ti)),
                    None => r
                        .stacked_header(i, &c)
                        .map(|(c, last, cols, ti)| r.read_delimited(i, last + 1, c, cols, ti)),
                }
            }
            Cells::Single(_) => r.read_column_lines(i),
            _ => None,
        };
        match found {
            Some((table, next)) => {
                if !table.rows.is_empty() {
                    out.push(table);
                }
                i = next.max(i + 1);
            }
            None => i += 1,
        }
    }
    let spaced = spaced_tables(t, clean, &r.raw, &out);
    out.extend(spaced);
    let lined = glued_line_tables(t, &r.lines, &out);
    out.extend(lined);
    out.extend(glued_tables(t, clean, &out));
    out.sort_by_key(|t| t.start);
    out
}

/// Tables with every separator lost but one row per line ([`super::glued::find_lines`]):
/// a header line made of header words, then lines no other table covers.
fn glued_line_tables(
    t: &Templates,
    lines: &[(usize, String)],
    found: &[RawTable],
) -> Vec<RawTable> {
    let covered: Vec<(usize, usize)> = found
        .iter()
        .map(|x| (x.start, x.rows.last().map_or(x.start, |r| r.start)))
        .collect();
    let is_covered = |b: usize| covered.iter().any(|&(a, z)| b >= a && b <= z);
    let text: Vec<&str> = lines.iter().map(|(_, l)| l.as_str()).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if is_covered(lines[i].0) || !text[i].contains(['指', '目', '值', '序']) {
            i += 1;
            continue;
        }
        let Some(g) = super::glued::find_lines(t, &text, i) else {
            i += 1;
            continue;
        };
        if g.rows.iter().any(|(j, _, _)| is_covered(lines[*j].0)) {
            i += 1;
            continue;
        }
        let Some(template) = t
            .template_for(&g.columns)
            .and_then(|tpl| t.tables.iter().position(|x| x.id == tpl.id))
        else {
            i += 1;
            continue;
        };
        out.push(RawTable {
            header: g.header,
            columns: g.columns,
            template,
            start: lines[i].0,
            rows: g
                .rows
                .into_iter()
                .map(|(j, cells, ambiguous)| RawRow {
                    cells,
                    start: lines[j].0,
                    flags: if ambiguous {
                        vec!["cells_glued", "cells_ambiguous"]
                    } else {
                        vec!["cells_glued"]
                    },
                })
                .collect(),
            total: g.total,
        });
        i = g.end.max(i + 1);
    }
    out
}

/// Tables with every separator lost ([`super::glued`]), in blocks of cleaned lines (line
/// breaks removed: a PDF wraps the glued line) that no other table covers.
fn glued_tables(t: &Templates, clean: &CleanText, found: &[RawTable]) -> Vec<RawTable> {
    let covered: Vec<(usize, usize)> = found
        .iter()
        .map(|x| (x.start, x.rows.last().map_or(x.start, |r| r.start)))
        .collect();
    let mut out = Vec::new();
    let text = clean.text.as_str();
    let mut block_start = 0;
    for block in text.split("\n\n") {
        let base = block_start;
        block_start += block.len() + 2;
        if !block.contains("指标") {
            continue;
        }
        // The block's chars without line breaks, each with its byte offset in the text.
        let mut offsets = Vec::new();
        let mut joined = String::new();
        for (b, c) in block.char_indices() {
            if c != '\n' {
                offsets.push(base + b);
                joined.push(c);
            }
        }
        let mut from = 0;
        while let Some(g) = super::glued::find(t, &joined.chars().skip(from).collect::<String>()) {
            let at = |k: usize| offsets.get(from + k).copied().unwrap_or(base + block.len());
            let start = at(g.start);
            let next = from + g.end.max(g.start + 1);
            if !covered.iter().any(|&(a, b)| start >= a && start <= b)
                && let Some(tpl) = t.template_for(&g.columns)
                && let Some(template) = t.tables.iter().position(|x| x.id == tpl.id)
            {
                out.push(RawTable {
                    header: g.header,
                    columns: g.columns,
                    template,
                    start,
                    rows: g
                        .rows
                        .into_iter()
                        .map(|(k, cells)| RawRow {
                            cells,
                            start: at(k),
                            flags: vec!["cells_glued"],
                        })
                        .collect(),
                    total: g.total,
                });
            }
            from = next;
        }
    }
    out
}

/// The cleaned text's lines with their offsets, where a line that clean-up joined from
/// several page lines (`…扣3分` + `产出`, two cells of a one-cell-per-line table) is split
/// back into them. A cleaned line is split only when it is exactly the concatenation of
/// consecutive lines of the page text after character clean-up.
fn unjoined_lines(clean: &CleanText, pages: &[(usize, &str)]) -> Vec<(usize, String)> {
    let mut notes = Vec::new();
    let page_lines: Vec<String> = pages
        .iter()
        .flat_map(|(_, text)| {
            crate::clean::clean_page(text, &mut notes)
                .lines()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    let mut out = Vec::new();
    let mut p = 0;
    let mut off = 0;
    for l in clean.text.split('\n') {
        let start = off;
        off += l.len() + 1;
        if l.is_empty() || page_lines.is_empty() {
            out.push((start, l.to_string()));
            continue;
        }
        while p < page_lines.len() && page_lines[p].is_empty() {
            p += 1;
        }
        // Pieces: consecutive page lines, starting near the current position, that add up
        // to exactly this line.
        let mut split = None;
        for q in p..page_lines.len().min(p + 12) {
            let mut k = q;
            let mut len = 0;
            while k < page_lines.len()
                && !page_lines[k].is_empty()
                && l[len..].starts_with(page_lines[k].as_str())
            {
                len += page_lines[k].len();
                k += 1;
                if len == l.len() {
                    break;
                }
            }
            if len == l.len() {
                split = Some((q, k));
                break;
            }
        }
        match split {
            Some((q, k)) => {
                let mut o = start;
                for piece in &page_lines[q..k] {
                    out.push((o, piece.clone()));
                    o += piece.len();
                }
                p = k;
            }
            None => out.push((start, l.to_string())),
        }
    }
    out
}

impl Reader<'_> {
    /// The columns and template of a header row, if it is one: at least two cells are
    /// header words, at least half of the non-empty ones, and a template fits.
    fn header_match(&self, cells: &[String]) -> Option<(Vec<Option<String>>, usize)> {
        if cells
            .iter()
            .find(|c| !c.is_empty())
            .is_some_and(|c| super::align::is_form_word(self.t, c))
        {
            // `年度总体目标 | 预期目标 | 实际完成情况`: the form's goal box, not a table.
            return None;
        }
        let (cols, known) = header_columns(self.t, cells);
        let nonempty = cells.iter().filter(|c| !c.is_empty()).count();
        if known < 2 || known * 2 < nonempty || cols.iter().flatten().count() < 2 {
            return None;
        }
        let tpl = self.t.template_for(&cols)?;
        let ti = self.t.tables.iter().position(|x| x.id == tpl.id)?;
        Some((cols, ti))
    }

    /// A header row that starts in the middle of a line (`…如下：一级指标 | 二级指标 | …`):
    /// when the first cell is no header word but ends in one of four or more characters and
    /// the other cells are header words, the sentence before it is dropped.
    fn lead_in_dropped(&self, mut cells: Vec<String>) -> Vec<String> {
        let Some(first) = cells.first() else {
            return cells;
        };
        let rest: Vec<&String> = cells[1..].iter().filter(|c| !c.is_empty()).collect();
        if self.t.header_word(first).is_some()
            || super::align::is_form_word(self.t, first)
            || rest.len() < 2
            || !rest.iter().all(|c| self.t.column_of(c).is_some())
        {
            return cells;
        }
        let chars: Vec<char> = first.chars().collect();
        let suffix = (1..chars.len().saturating_sub(3)).find_map(|k| {
            let tail: String = chars[k..].iter().collect();
            self.t
                .column_of(&tail)
                .filter(|_| normalize_header(&tail) == tail && self.header_exact(&tail))
                .map(|_| tail)
        });
        if let Some(tail) = suffix {
            cells[0] = tail;
        }
        cells
    }

    /// The cell is a header word as printed (not a longer cell that starts or ends with one).
    fn header_exact(&self, cell: &str) -> bool {
        let h = normalize_header(cell);
        self.t.headers.iter().any(|(w, _)| *w == h)
    }

    /// A header whose long cells wrapped inside their columns over two or three lines, each
    /// line holding a piece of every long cell in its own column (`一级 | 年度指 | 分值` over
    /// `指标 | 标值 |`): the pieces joined column by column, when every joined cell is a
    /// header word and a template fits. Returns the cells, the header's last line, the
    /// columns and the template.
    fn stacked_header(&self, i: usize, first: &[String]) -> Option<StackedHeader> {
        let mut cells = first.to_vec();
        for d in 1..=2 {
            let Some(Cells::Multi(next)) = self.lines.get(i + d).map(|l| split_line(&l.1)) else {
                return None;
            };
            if next.len() > cells.len() {
                return None;
            }
            for (c, x) in cells.iter_mut().zip(&next) {
                c.push_str(x);
            }
            let words = cells
                .iter()
                .filter(|c| !c.is_empty())
                .all(|c| self.t.header_word(c).is_some());
            if words && let Some((cols, ti)) = self.header_match(&cells) {
                return Some((cells, i + d, cols, ti));
            }
        }
        None
    }

    /// A header row a PDF or converter wrapped over several lines (`一级指标 | 二级指标 |
    /// 三级指标 | 年度指标值 |` + `实际完成值 |` + `分值 | 得分 | 偏差原因 | |||`): while the
    /// line ends with a separator and the next one is made of header words only (none naming
    /// a column already there), it is part of the header. Returns the header's cells (the
    /// trailing empty ones dropped) and its last line.
    fn wrapped_header(&self, i: usize, mut cells: Vec<String>) -> (Vec<String>, usize) {
        let mut last = i;
        let header_words = |c: &[String]| {
            c.iter()
                .filter(|x| !x.is_empty())
                .all(|x| self.t.header_word(x).is_some())
                && c.iter().any(|x| !x.is_empty())
        };
        if !header_words(&cells) {
            return (cells, last);
        }
        while self.lines[last].1.trim_end().ends_with('|') && last + 1 < self.lines.len() {
            let next = match split_line(&self.lines[last + 1].1) {
                Cells::Multi(c) => c,
                Cells::Single(c) if !c.is_empty() => vec![c],
                _ => break,
            };
            if !header_words(&next) {
                break;
            }
            let mut joined: Vec<String> = cells.iter().filter(|c| !c.is_empty()).cloned().collect();
            joined.extend(next.into_iter().filter(|c| !c.is_empty()));
            let names: Vec<&str> = joined.iter().filter_map(|c| self.t.column_of(c)).collect();
            if (1..names.len()).any(|k| names[..k].contains(&names[k])) {
                break;
            }
            cells = joined;
            last += 1;
        }
        if last > i {
            while cells.last().is_some_and(String::is_empty) {
                cells.pop();
            }
        }
        // A two-level header: `绩效指标 | 年度指标值 | 实际完成值 | 分值 | 得分` over
        // `一级指标 | 二级指标 | 三级指标 | 指标性质 | 指标值 | 度量单位`; each upper cell the lower
        // row names again (绩效指标 → 三级指标, 年度指标值 → 指标值) spans the lower cells up to
        // that one and the unnamed ones after it.
        let mut sub: Vec<String> = Vec::new();
        let mut k = last + 1;
        while k < self.lines.len() && k <= last + 4 {
            let c = match split_line(&self.lines[k].1) {
                Cells::Multi(c) => c,
                Cells::Single(c) => vec![c],
                _ => break,
            };
            let c: Vec<String> = c.into_iter().filter(|x| !x.is_empty()).collect();
            if !c.iter().all(|x| self.t.header_word(x).is_some()) {
                break;
            }
            sub.extend(c);
            k += 1;
        }
        if sub.len() >= 2
            && let Some(merged) = self.two_level(&cells, &sub)
        {
            return (merged, k - 1);
        }
        (cells, last)
    }

    fn two_level(&self, upper: &[String], lower: &[String]) -> Option<Vec<String>> {
        let name = |c: &str| self.t.column_of(c).map(str::to_string);
        let upper: Vec<&String> = upper.iter().filter(|c| !c.is_empty()).collect();
        let lower_names: Vec<Option<String>> = lower.iter().map(|c| name(c)).collect();
        let mut out = Vec::new();
        let mut at = 0;
        let mut spanned = 0;
        for u in &upper {
            let n = name(u);
            match (at..lower.len()).find(|&x| n.is_some() && lower_names[x] == n) {
                Some(x) => {
                    let mut end = x + 1;
                    // The unnamed lower cells after it (度量单位 after 指标值) are its too, up
                    // to the next cell an upper cell names.
                    while end < lower.len()
                        && !upper
                            .iter()
                            .any(|v| name(v).is_some() && name(v) == lower_names[end])
                    {
                        end += 1;
                    }
                    out.extend(lower[at..end].iter().cloned());
                    at = end;
                    spanned += 1;
                }
                None => out.push((*u).clone()),
            }
        }
        let names: Vec<String> = out.iter().filter_map(|c| name(c)).collect();
        let dup = (1..names.len()).any(|a| names[..a].contains(&names[a]));
        (spanned > 0 && at == lower.len() && !dup).then_some(out)
    }

    fn is_total(&self, cells: &[String]) -> bool {
        cells
            .iter()
            .find(|c| !c.is_empty())
            .is_some_and(|c| self.t.total_words.iter().any(|w| *w == despace(c)))
    }

    fn page(&self, offset: usize) -> usize {
        self.clean.page_at(offset)
    }

    /// A line a PDF filled to the right margin: as wide as the widest lines around it.
    fn full_line(&self, j: usize) -> bool {
        let lo = j.saturating_sub(30);
        let hi = (j + 30).min(self.lines.len());
        let widest = self.lines[lo..hi]
            .iter()
            .map(|l| width(&l.1))
            .max()
            .unwrap_or(0);
        width(&self.lines[j].1) * 10 >= widest * 8 && widest >= 40
    }

    /// The row of a delimited table with `n` columns that starts at line `j`, with the lines
    /// a PDF wrapped it over joined back (the clean stage may have joined them already; the
    /// table reader works on the page lines). A line is continued when it fills the line to
    /// the right margin, does not end with a separator, and the next line either supplies
    /// the row's missing cells (`… | 0.08个百分点` + `| 10 | 8 | …`) or has no separator and
    /// is followed by the table's next row (a long last cell: `… | 全年预算追加后` + `，受…`).
    /// Returns the row's text and the next line to read.
    fn logical_row(&self, j: usize, n: usize) -> (String, usize) {
        let mut text = self.lines[j].1.clone();
        let mut k = j + 1;
        while k < self.lines.len() && self.full_line(k - 1) && !text.trim_end().ends_with('|') {
            let next = self.lines[k].1.as_str();
            match split_line(next) {
                Cells::Multi(c) => {
                    let joined = format!("{}{}", text.trim_end(), next.trim_start());
                    if self.header_match(&c).is_some()
                        || cell_count(&text) >= n
                        || cell_count(&joined) > n
                    {
                        break;
                    }
                    text = joined;
                    k += 1;
                }
                Cells::Single(piece) if !piece.is_empty() && !is_heading(&piece) => {
                    // The run of separator-less lines must lead to the table's next row.
                    let end = (k..self.lines.len())
                        .find(|&x| !matches!(split_line(&self.lines[x].1), Cells::Single(ref p) if !p.is_empty()))
                        .unwrap_or(self.lines.len());
                    let resumes = (end..self.lines.len())
                        .find(|&x| split_line(&self.lines[x].1) != Cells::Blank)
                        .is_some_and(|x| match split_line(&self.lines[x].1) {
                            Cells::Multi(c) => c.len() * 2 >= n && self.header_match(&c).is_none(),
                            _ => false,
                        });
                    if !resumes || end - k > 4 {
                        break;
                    }
                    text = format!("{}{}", text.trim_end(), piece);
                    k += 1;
                }
                _ => break,
            }
        }
        (text, k)
    }

    fn read_delimited(
        &self,
        i: usize,
        body: usize,
        header: Vec<String>,
        columns: Vec<Option<String>>,
        template: usize,
    ) -> (RawTable, usize) {
        let n = header.len();
        let key: Vec<String> = header.iter().map(|h| despace(h)).collect();
        let same_header = |c: &[String]| c.iter().map(|h| despace(h)).collect::<Vec<_>>() == key;
        let seq_first = columns[0].as_deref() == Some("seq");
        // In a markdown table every row starts with `|`; elsewhere a leading `|` is an empty
        // first cell (a merged 一级指标 printed once).
        let markdown = self.lines[i].1.trim_start().starts_with('|');
        let mut table = RawTable {
            header,
            columns,
            template,
            start: self.lines[i].0,
            rows: Vec::new(),
            total: None,
        };
        let mut j = body;
        let mut after_break = false;
        // Level cells are vocabulary words (产出指标): rows without them are shifted.
        let level1 = table
            .columns
            .iter()
            .position(|c| c.as_deref() == Some("level1"));
        let mut vocab = false;
        // How many cells the last data row printed (its line), for a cell wrapped below it.
        let mut printed: Option<usize> = None;
        // The header itself may wrap: its last cell goes on in the next line.
        if self.full_line(body - 1)
            && let Some(Cells::Single(piece)) = self.lines.get(j).map(|l| split_line(&l.1))
            && !piece.is_empty()
            && self
                .lines
                .get(j + 1)
                .is_some_and(|l| cell_count(&l.1) * 2 >= n)
        {
            let last = table.header.last_mut().expect("n >= 2");
            last.push_str(&piece);
            j += 1;
        }
        while j < self.lines.len() {
            let off = self.lines[j].0;
            let (line, next_j) = self.logical_row(j, n);
            let line = line.as_str();
            let cells = match split_line(line) {
                Cells::Blank => {
                    // A blank line ends the table unless the header repeats after it (a page
                    // break reproduced in the text), or the table goes on on the next page.
                    let k = (j..self.lines.len())
                        .find(|&k| split_line(&self.lines[k].1) != Cells::Blank)
                        .unwrap_or(self.lines.len());
                    match self.lines.get(k).map(|l| split_line(&l.1)) {
                        Some(Cells::Multi(c)) if same_header(&c) => {
                            after_break = true;
                            j = k + 1;
                            continue;
                        }
                        Some(Cells::Multi(c))
                            if c.len() * 2 > n
                                && self.header_match(&c).is_none()
                                && self.page(self.lines[k].0)
                                    != self.page(self.lines[j.saturating_sub(1)].0) =>
                        {
                            j = k;
                            continue;
                        }
                        _ => break,
                    }
                }
                Cells::Rule => {
                    j += 1;
                    continue;
                }
                Cells::Single(piece) => {
                    // The row's last cell wrapped onto a line of its own (`是` / `否` under a
                    // 是否核心指标 column): it fills the row's empty last cell when the table
                    // goes on after it, or the text ends there.
                    // A longer piece (a wrapped reason or 实际完成情况) only into the cell
                    // right after a row printed short, and not a sentence.
                    let goes_on = self.lines.get(next_j).is_some_and(
                        |l| matches!(split_line(&l.1), Cells::Multi(ref c) if c.len() * 2 >= n),
                    );
                    let resumes =
                        goes_on || self.lines.get(next_j).is_none_or(|l| l.1.trim().is_empty());
                    if goes_on && self.t.header_word(&piece).is_some() {
                        // A row-group label (`绩效指标`) repeated alone where the table goes
                        // on, as after a page break: no cell of the row above.
                        j = next_j;
                        continue;
                    }
                    let len = piece.chars().count();
                    let at = match (table.rows.last(), printed) {
                        (Some(last), Some(p)) if p < n && last.cells[p].is_empty() => Some(p),
                        (Some(last), _) if len <= 6 && last.cells[n - 1].is_empty() => Some(n - 1),
                        _ => None,
                    };
                    let short_row = at.is_some() && printed.is_some_and(|p| p < n);
                    let fits = len <= 6
                        || (short_row
                            && (goes_on || (len <= 30 && !piece.contains(['。', '；', ';']))));
                    match (table.rows.last_mut(), at) {
                        (Some(last), Some(at))
                            if fits
                                && !is_heading(&piece)
                                && !super::align::is_form_word(self.t, &piece)
                                && self.t.header_word(&piece).is_none()
                                && resumes =>
                        {
                            last.cells[at] = piece;
                            printed = None;
                            j = next_j;
                            continue;
                        }
                        _ => break,
                    }
                }
                Cells::Multi(mut c) => {
                    if !markdown && line.trim_start().starts_with('|') {
                        c.insert(0, String::new());
                    }
                    c
                }
            };
            if same_header(&cells) {
                after_break = true;
                j = next_j;
                continue;
            }
            if self.header_match(&cells).is_some() {
                break;
            }
            if cells
                .iter()
                .find(|c| !c.is_empty())
                .is_some_and(|c| super::align::is_form_word(self.t, c))
            {
                // 评价结论, 项目负责人, 说明: the form goes on, the table ended.
                break;
            }
            let mut cells = cells;
            super::align::shift_levels(self.t, &table.columns, &mut cells, vocab);
            if cells.len() * 2 < n && !cells[0].is_empty() {
                // `自评结论 | …` under an eight-column table: the form goes on, the table ended.
                break;
            }
            let row_printed = cells.len();
            let (cells, merged) = fit(cells, n);
            if cells.iter().all(String::is_empty) {
                j = next_j;
                continue;
            }
            if level1.is_some_and(|l| self.t.level_of(&cells[l]) == Some(1)) {
                vocab = true;
            }
            if !cells[0].is_empty() && cells[1..].iter().all(String::is_empty) {
                // A label on its own (`绩效指标 | | |`): the next part of the form begins.
                break;
            }
            let crossed_page = table
                .rows
                .last()
                .is_some_and(|r| self.page(r.start) != self.page(off));
            if cells[0].is_empty()
                && !table.rows.is_empty()
                && (after_break || crossed_page || seq_first)
            {
                let last = table.rows.last_mut().expect("checked non-empty");
                for (k, c) in cells.into_iter().enumerate() {
                    last.cells[k].push_str(&c);
                }
                if !last.flags.contains(&"continued_after_page_break")
                    && (after_break || crossed_page)
                {
                    last.flags.push("continued_after_page_break");
                }
            } else if self.is_total(&cells) {
                table.total = Some(cells);
            } else {
                let mut flags = Vec::new();
                if merged {
                    flags.push("extra_cells_merged");
                }
                table.rows.push(RawRow {
                    cells,
                    start: off,
                    flags,
                });
                printed = Some(row_printed);
                after_break = false;
                j = next_j;
                continue;
            }
            printed = None;
            after_break = false;
            j = next_j;
        }
        (table, j)
    }

    /// A one-cell-per-line table whose header run starts at line `i`. Cells may also be
    /// separated by blank lines (each header word followed by one), and the header may have
    /// empty cells before its first word (bare `|` lines: a row-group label column that every
    /// row repeats); the reading that gives more rows wins.
    fn read_column_lines(&self, i: usize) -> Option<(RawTable, usize)> {
        let blank = |k: usize| self.lines.get(k).is_some_and(|l| l.1.trim().is_empty());
        let header_at = |k: usize| matches!(self.lines.get(k).map(|l| split_line(&l.1)), Some(Cells::Single(c)) if self.t.column_of(&c).is_some());
        if !header_at(i) {
            return None;
        }
        let sparse = blank(i + 1) && header_at(i + 2);
        let seq: Vec<usize> = if sparse {
            let mut v = Vec::new();
            let mut k = i;
            while k < self.lines.len() {
                if blank(k) {
                    // One blank line between cells; an empty cell adds two (blank, empty,
                    // blank). An even run, or more than two empty cells, ends the table.
                    let run = (k..self.lines.len()).take_while(|&x| blank(x)).count();
                    if run.is_multiple_of(2) || run > 5 {
                        break;
                    }
                    k += run;
                    continue;
                } else {
                    v.push(k);
                }
                k += 1;
            }
            v
        } else {
            let lead = (1..=2)
                .take_while(|&d| {
                    i >= d
                        && matches!(split_line(&self.lines[i - d].1), Cells::Single(ref c) if c.is_empty())
                })
                .count();
            (i - lead..self.lines.len()).collect()
        };
        let lead = seq.iter().position(|&x| x == i).unwrap_or(0);
        let plain = self.column_lines(&seq[lead..]);
        if lead == 0 {
            return plain;
        }
        let led = self.column_lines_led(&seq, lead);
        match (plain, led) {
            (Some(p), Some(l)) if l.0.rows.len() > p.0.rows.len() => Some(l),
            (Some(p), _) => Some(p),
            (None, l) => l,
        }
    }

    fn column_lines_led(&self, seq: &[usize], lead: usize) -> Option<(RawTable, usize)> {
        let (mut t, next) = self.column_lines_from(seq, lead)?;
        t.start = self.lines[seq[0]].0;
        Some((t, next))
    }

    fn column_lines(&self, seq: &[usize]) -> Option<(RawTable, usize)> {
        self.column_lines_from(seq, 0)
    }

    /// The table whose header words start at `seq[lead]`, after `lead` empty header cells.
    fn column_lines_from(&self, seq: &[usize], lead: usize) -> Option<(RawTable, usize)> {
        // A cell line may carry the row's trailing empty cells (`基本建立 | |`).
        let single = |k: usize| match seq.get(k).map(|&l| split_line(&self.lines[l].1)) {
            Some(Cells::Single(c)) => Some(c),
            Some(Cells::Multi(c)) if c.len() <= 3 && c[1..].iter().all(String::is_empty) => {
                Some(c[0].clone())
            }
            _ => None,
        };
        let mut header = Vec::new();
        let mut k = lead;
        while let Some(c) = single(k).filter(|c| self.t.header_word(c).is_some()) {
            header.push(c);
            k += 1;
        }
        if header.len() < 3 {
            return None;
        }
        let mut cols: Vec<Option<String>> = header
            .iter()
            .map(|c| self.t.column_of(c).map(str::to_string))
            .collect();
        // A label line above the header (`绩效指标(90分)`) can look like a header word; the
        // header starts where its words stop repeating.
        let has_dup =
            |c: &[Option<String>]| (1..c.len()).any(|a| c[a].is_some() && c[..a].contains(&c[a]));
        let mut skip = 0;
        while has_dup(&cols[skip..]) {
            skip += 1;
        }
        if header.len() - skip < 3 || (skip > 0 && lead > 0) {
            return None;
        }
        header.drain(..skip);
        cols.drain(..skip);
        for _ in 0..lead {
            header.insert(0, String::new());
            cols.insert(0, None);
        }
        let tpl = self.t.template_for(&cols)?;
        let template = self.t.tables.iter().position(|x| x.id == tpl.id)?;
        let n = header.len();
        let key: Vec<String> = header.iter().map(|h| despace(h)).collect();
        let mut table = RawTable {
            header,
            columns: cols,
            template,
            start: self.lines[seq[lead + skip]].0,
            rows: Vec::new(),
            total: None,
        };
        let mut j = k;
        while let Some(first) = single(j) {
            if is_heading(&first) || super::align::is_form_word(self.t, &first) {
                break;
            }
            let chunk: Option<Vec<String>> = (j..j + n)
                .map(|x| single(x).filter(|c| !is_heading(c)))
                .collect();
            if chunk
                .as_ref()
                .is_some_and(|c| c.iter().map(|h| despace(h)).collect::<Vec<_>>() == key)
            {
                j += n;
                continue;
            }
            // The total row, also after the empty cells of the leading columns.
            let pad = (0..lead)
                .take_while(|&d| single(j + d).is_some_and(|c| c.is_empty()))
                .count();
            if let Some(label) = single(j + pad).filter(|c| self.is_total(std::slice::from_ref(c)))
            {
                let mut values = Vec::new();
                while pad + 1 + values.len() < n
                    && let Some(c) = single(j + pad + 1 + values.len()).filter(|c| value_like(c))
                {
                    values.push(c);
                }
                j += pad + 1 + values.len();
                let points: Vec<usize> = (0..n)
                    .filter(|&k| {
                        matches!(
                            table.columns[k].as_deref(),
                            Some("max_points" | "weight" | "score")
                        )
                    })
                    .collect();
                let mut cells = vec![String::new(); n];
                cells[pad] = label;
                if pad + 1 + values.len() == n {
                    for (k, v) in values.into_iter().enumerate() {
                        cells[pad + 1 + k] = v;
                    }
                    table.total = Some(cells);
                } else if values.iter().filter(|v| !v.is_empty()).count() == points.len() {
                    // `总分 | 80 | 79 |` under a nine-column header: the numbers are the points
                    // columns' in order.
                    for (k, v) in points
                        .iter()
                        .zip(values.into_iter().filter(|v| !v.is_empty()))
                    {
                        cells[*k] = v;
                    }
                    table.total = Some(cells);
                }
                continue;
            }
            let Some(cells) = chunk else { break };
            // Misaligned lines (a lost or glued cell) show as text in a points column, or as
            // a level word outside the level columns.
            let aligned = table
                .columns
                .iter()
                .zip(&cells)
                .all(|(c, v)| match c.as_deref() {
                    Some("max_points" | "weight" | "score") => value_like(v),
                    Some("level1" | "level2" | "category") => true,
                    _ => self.t.level_of(v).is_none(),
                });
            if !aligned {
                break;
            }
            table.rows.push(RawRow {
                cells,
                start: self.lines[seq[j]].0,
                flags: Vec::new(),
            });
            j += n;
        }
        // Rows whose cells did not come in whole periods (a trailing `|` on some rows only,
        // an empty cell left out): the form's grammar reads the cells as one stream.
        if let Some(g) = super::align::Grammar::new(self.t, &table.columns) {
            let mut toks: Vec<String> = Vec::new();
            let mut at: Vec<usize> = Vec::new();
            let mut x = k;
            // Empty cells printed as blank lines (one cell per line): skipped, the grammar
            // seats the cells around them; a longer run of blank lines ends the table.
            let blank_at = |x: usize| {
                seq.get(x)
                    .is_some_and(|&l| self.lines[l].1.trim().is_empty())
            };
            loop {
                let run = (x..seq.len()).take_while(|&y| blank_at(y)).count();
                if run > 0 && run <= 3 && single(x + run).is_some() {
                    x += run;
                }
                let Some(c) = single(x) else { break };
                if is_heading(&c) || self.t.headers.iter().any(|(w, _)| *w == despace(&c)) {
                    break;
                }
                if !c.is_empty() {
                    toks.push(c);
                    at.push(x);
                }
                x += 1;
            }
            let refs: Vec<&str> = toks.iter().map(String::as_str).collect();
            let starts = vec![true; refs.len()];
            let parsed = super::align::parse_stream(&g, &refs, &starts);
            // Only where the periods stopped short: the stream reads more of the cells.
            let read = (k..j)
                .filter(|&x| single(x).is_some_and(|c| !c.is_empty()))
                .count();
            if parsed.end > read && parsed.rows.len() >= table.rows.len() {
                table.rows = parsed
                    .rows
                    .into_iter()
                    .map(|(p, cells)| RawRow {
                        cells,
                        start: self.lines[seq[at[p]]].0,
                        flags: vec!["cells_aligned_by_grammar"],
                    })
                    .collect();
                table.total = parsed.total;
                j = at.get(parsed.end).copied().unwrap_or(x);
            }
        }
        let next = seq.get(j).copied().unwrap_or(self.lines.len());
        Some((table, next))
    }
}

/// (header cells, the header's last line, columns, template) of a header wrapped inside its
/// columns.
type StackedHeader = (Vec<String>, usize, Vec<Option<String>>, usize);

/// (header words, columns, template, index of the first token after the header, whether
/// the next line completed wrapped header cells).
type SpacedHeader = (Vec<String>, Vec<Option<String>>, usize, usize, bool);

/// The header of a space-separated table in one page line, if any: a run of at least four
/// tokens that are header words (so it may sit in the middle of a long line, after the
/// form's other cells), a row-group label before it dropped, a template that fits. A header
/// cell the PDF wrapped (`年度 实际` over `指标值 完成值`) is completed from the next line
/// when that line holds exactly the missing halves. Returns (header words, columns,
/// template, index of the first token after the header, whether the next line was used).
fn spaced_header(t: &Templates, line: &str, next: Option<&str>) -> Option<SpacedHeader> {
    let mut toks: Vec<String> = line.split_whitespace().map(str::to_string).collect();
    let is_word = |w: &str| !w.chars().any(|c| c.is_ascii_digit()) && t.header_word(w).is_some();
    let mut wrapped = false;
    if let Some(next) = next {
        let halves: Vec<&str> = next.split_whitespace().collect();
        let unknown: Vec<usize> = (0..toks.len()).filter(|&k| !is_word(&toks[k])).collect();
        if !halves.is_empty()
            && halves.len() <= 4
            && halves.len() == unknown.len()
            && unknown
                .iter()
                .zip(&halves)
                .all(|(&k, h)| is_word(&format!("{}{h}", toks[k])))
            && unknown
                .iter()
                .any(|&k| toks[..k].iter().any(|w| is_word(w)))
        {
            for (&k, h) in unknown.iter().zip(&halves) {
                toks[k].push_str(h);
            }
            wrapped = true;
        }
    }
    let mut k = 0;
    while k < toks.len() {
        if !is_word(&toks[k]) {
            k += 1;
            continue;
        }
        let start = k;
        while k < toks.len() && is_word(&toks[k]) {
            k += 1;
        }
        let mut words: Vec<String> = toks[start..k].to_vec();
        loop {
            let (cols, _) = header_columns(t, &words);
            if cols[0].is_none() && words.len() > 1 && cols.iter().skip(1).any(|c| c.is_some()) {
                // A row-group label (`绩效指标`) the rows do not repeat.
                let named: Vec<&String> = cols.iter().flatten().collect();
                if (1..named.len()).all(|a| !named[..a].contains(&named[a]))
                    && t.column_of(&words[0]).is_some()
                {
                    words.remove(0);
                    continue;
                }
            }
            break;
        }
        let (cols, _) = header_columns(t, &words);
        // Three words make a header when they open a numbered table (`序号 年初目标值 实际
        // 完成情况`, alone on its line or followed by row 1).
        let numbered = words.len() == 3
            && cols[0].as_deref() == Some("seq")
            && toks.get(k).is_none_or(|w| seq_number(w) == Some(1));
        if (words.len() >= 4 || numbered)
            && let Some(tpl) = t.template_for(&cols)
            && let Some(ti) = t.tables.iter().position(|x| x.id == tpl.id)
        {
            return Some((words, cols, ti, k, wrapped));
        }
    }
    None
}

/// Space-separated tables, read from the loaded page lines (clean-up removes the single
/// spaces between CJK cells). The rows of a level-vocabulary form are cut by its grammar
/// ([`super::align`]): short rows (merged or empty cells), cells wrapped onto the next line,
/// a whole table on one line. Other tables need one token per header cell in every row.
/// Tables whose header is already covered by `found` are skipped.
fn spaced_tables(
    t: &Templates,
    clean: &CleanText,
    raw: &[(usize, &str)],
    found: &[RawTable],
) -> Vec<RawTable> {
    // The cleaned text without whitespace, each char with its byte offset, to place rows.
    let mut flat: Vec<char> = Vec::new();
    let mut offs: Vec<usize> = Vec::new();
    for (b, c) in clean.text.char_indices() {
        let c = crate::clean::fold_char(c);
        if !c.is_whitespace() {
            flat.push(c);
            offs.push(b);
        }
    }
    let mut cursor = 0;
    let locate = |s: &str, cursor: &mut usize| -> usize {
        let needle: Vec<char> = despace(s).chars().collect();
        if !needle.is_empty()
            && let Some(p) = (*cursor..flat.len().saturating_sub(needle.len() - 1))
                .find(|&p| flat[p..p + needle.len()] == needle[..])
        {
            *cursor = p + needle.len();
            return offs[p];
        }
        offs.get(*cursor).copied().unwrap_or(clean.text.len())
    };
    let covered: Vec<(usize, usize)> = found
        .iter()
        .map(|x| (x.start, x.rows.last().map_or(x.start, |r| r.start)))
        .collect();
    let plain = |l: &str| !l.contains('|') && !l.contains('\t');
    let mut out = Vec::new();
    let mut r = 0;
    while r < raw.len() {
        let line = raw[r].1;
        let next = raw.get(r + 1).map(|l| l.1).filter(|l| plain(l));
        let Some((words, cols, template, body, wrapped)) =
            spaced_header(t, line, next).filter(|_| plain(line))
        else {
            r += 1;
            continue;
        };
        let n = words.len();
        let key = despace(&words.concat());
        let start = locate(&words.concat(), &mut cursor);
        // The table's tokens: the header line's rest, then the following lines up to a blank
        // line (unless the header repeats after it: a page break), a heading or a delimited
        // line.
        let mut toks: Vec<String> = Vec::new();
        let mut line_start: Vec<bool> = Vec::new();
        for (k, w) in line.split_whitespace().skip(body).enumerate() {
            toks.push(w.to_string());
            line_start.push(k == 0);
        }
        let mut q = r + if wrapped { 2 } else { 1 };
        let mut lines_of_rows: Vec<Vec<String>> = vec![toks.clone()];
        // A table's rows fill at most a few pages; the cap keeps the row search linear.
        while q < raw.len() && q < r + 400 && toks.len() < 2000 {
            let l = raw[q].1;
            if !plain(l) {
                break;
            }
            if l.trim().is_empty() {
                match (q..raw.len()).find(|&x| !raw[x].1.trim().is_empty()) {
                    Some(x) if despace(raw[x].1) == key => {
                        q = x + 1;
                        continue;
                    }
                    _ => break,
                }
            }
            if despace(l) == key {
                q += 1;
                continue;
            }
            let first = l.split_whitespace().next().unwrap_or("");
            if is_heading(first) {
                break;
            }
            let ws: Vec<String> = l.split_whitespace().map(str::to_string).collect();
            for (k, w) in ws.iter().enumerate() {
                toks.push(w.clone());
                line_start.push(k == 0);
            }
            lines_of_rows.push(ws);
            q += 1;
        }
        let mut table = RawTable {
            header: words,
            columns: cols,
            template,
            start,
            rows: Vec::new(),
            total: None,
        };
        let mut row_cursor = cursor;
        match super::align::Grammar::new(t, &table.columns) {
            Some(g) => {
                let refs: Vec<&str> = toks.iter().map(String::as_str).collect();
                let parsed = super::align::parse_stream(&g, &refs, &line_start);
                for (p, cells) in parsed.rows {
                    let at = locate(&toks[p], &mut row_cursor);
                    let mut flags = Vec::new();
                    if cells.iter().filter(|c| !c.is_empty()).count() < n {
                        flags.push("cells_aligned_by_grammar");
                    }
                    table.rows.push(RawRow {
                        cells,
                        start: at,
                        flags,
                    });
                }
                table.total = parsed.total;
            }
            None if table.columns[0].as_deref() == Some("seq") && n == 3 => {
                // `序号 | 年初目标值 | 实际完成情况` with spaces inside the cells too: rows start
                // at the next number in sequence, their two texts are split only where the
                // split is plain (see [`two_texts`]); an unclear row is left out, not guessed.
                // Where the rows have lines of their own, a row starts at a line start.
                let lined = line_start.iter().filter(|&&b| b).count() > 1;
                let mut expect = 1;
                let mut starts = Vec::new();
                for (p, w) in toks.iter().enumerate() {
                    if seq_number(w) == Some(expect) && (!lined || line_start[p]) {
                        starts.push(p);
                        expect += 1;
                    } else if t.total_words.iter().any(|x| despace(w) == *x) {
                        break;
                    }
                }
                let stop = toks
                    .iter()
                    .position(|w| t.total_words.iter().any(|x| despace(w) == *x))
                    .unwrap_or(toks.len());
                for (x, &p) in starts.iter().enumerate() {
                    let end = starts.get(x + 1).copied().unwrap_or(stop);
                    let Some((a, b)) = two_texts(&toks[p + 1..end]) else {
                        continue;
                    };
                    let at = locate(&toks[p], &mut row_cursor);
                    table.rows.push(RawRow {
                        cells: vec![toks[p].clone(), a, b],
                        start: at,
                        flags: vec!["cells_aligned_by_grammar"],
                    });
                }
            }
            None => {
                // With spaces as separators a row with more or fewer tokens (a number apart
                // from its unit, as PDF text often has) cannot be aligned: the table ends.
                for ws in lines_of_rows.into_iter().filter(|w| !w.is_empty()) {
                    let is_total = t.total_words.iter().any(|w| despace(&ws[0]) == *w);
                    if is_total {
                        table.total = (ws.len() == n).then_some(ws);
                        continue;
                    }
                    if ws.len() != n {
                        break;
                    }
                    let at = locate(&ws[0], &mut row_cursor);
                    table.rows.push(RawRow {
                        cells: ws,
                        start: at,
                        flags: Vec::new(),
                    });
                }
            }
        }
        cursor = cursor.max(row_cursor);
        if !table.rows.is_empty() && !covered.iter().any(|&(a, b)| start >= a && start <= b) {
            out.push(table);
        }
        r = q.max(r + 1);
    }
    out
}

/// A row number: `3`, `3.`, `3、`.
fn seq_number(w: &str) -> Option<u32> {
    w.trim_end_matches(['.', '、'])
        .parse::<u32>()
        .ok()
        .filter(|&n| n < 1000)
}

/// A row's two text cells (年初目标值, 实际完成情况) from its space-separated tokens, where
/// the split is plain: two tokens; a text repeated (`治安满意度 90.0% 治安满意度 90.0%`); or
/// exactly one later token opening with the first token's first two characters (the actual
/// restating the target's subject). None otherwise.
fn two_texts(toks: &[String]) -> Option<(String, String)> {
    let m = toks.len();
    let k = if m == 2 {
        1
    } else if m >= 2 && m.is_multiple_of(2) && toks[..m / 2] == toks[m / 2..] {
        m / 2
    } else {
        let head: String = toks.first()?.chars().take(2).collect();
        let hits: Vec<usize> = (1..m)
            .filter(|&j| head.chars().count() == 2 && toks[j].starts_with(&head))
            .collect();
        match hits[..] {
            [k] => k,
            _ => return None,
        }
    };
    Some((toks[..k].join(" "), toks[k..].join(" ")))
}

/// Make a row exactly `n` cells: pad short rows; drop empty cells from long ones (a double
/// tab), then merge what is still extra into the last cell. Returns whether cells merged.
fn fit(mut cells: Vec<String>, n: usize) -> (Vec<String>, bool) {
    while cells.len() > n {
        match (1..cells.len()).rev().find(|&k| cells[k].is_empty()) {
            Some(k) => {
                cells.remove(k);
            }
            None => break,
        }
    }
    let merged = cells.len() > n;
    if merged {
        let tail = cells.split_off(n);
        let last = cells.last_mut().expect("n >= 2");
        for t in tail {
            last.push(' ');
            last.push_str(&t);
        }
    }
    cells.resize(n, String::new());
    (cells, merged)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_split_by_shape() {
        assert_eq!(split_line("  "), Cells::Blank);
        assert_eq!(split_line("|---|:--:|"), Cells::Rule);
        assert_eq!(split_line("| - - | - - |"), Cells::Rule);
        assert_eq!(split_line("产出指标 |"), Cells::Single("产出指标".into()));
        assert_eq!(split_line("|"), Cells::Single(String::new()));
        assert_eq!(
            split_line("| a | b |"),
            Cells::Multi(vec!["a".into(), "b".into()])
        );
        assert_eq!(
            split_line("总分 | | 100 |"),
            Cells::Multi(vec!["总分".into(), "".into(), "100".into()])
        );
        assert_eq!(
            split_line("\t设等统计工作"),
            Cells::Multi(vec!["".into(), "设等统计工作".into()])
        );
    }

    #[test]
    fn fit_drops_empty_cells_before_merging() {
        let c = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            fit(c(&["6", "新登记", "", "全面完成"]), 3),
            (c(&["6", "新登记", "全面完成"]), false)
        );
        assert_eq!(fit(c(&["1", "a"]), 3), (c(&["1", "a", ""]), false));
        assert_eq!(
            fit(c(&["1", "a", "b", "c"]), 3),
            (c(&["1", "a", "b c"]), true)
        );
    }
}
