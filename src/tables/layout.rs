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
//!   `一级指标二级指标`), so when a cleaned line is made of header words alone, the rows are
//!   read from the loaded page text, where the spaces are still there.
//!
//! A table ends at a blank line (unless the next line repeats its header), at a line that
//! is not in its shape, at a heading, or at another table's header. A row whose first cell
//! is a total word (合计, 总分) is kept apart as the table's total.

use super::template::Templates;
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
fn is_heading(s: &str) -> bool {
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
    /// Where the next search for a space-separated header starts in `raw`.
    raw_cursor: std::cell::Cell<usize>,
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
        raw_cursor: std::cell::Cell::new(0),
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < r.lines.len() {
        let found = match split_line(&r.lines[i].1) {
            Cells::Multi(c) => r
                .header_match(&c)
                .map(|(cols, ti)| r.read_delimited(i, c, cols, ti)),
            Cells::Single(c) => r.read_column_lines(i).or_else(|| {
                let words = t.split_glued_header(&c)?;
                r.read_spaced(i, words)
            }),
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
    out.extend(glued_tables(t, clean, &out));
    out.sort_by_key(|t| t.start);
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
        let mut cols: Vec<Option<String>> = cells
            .iter()
            .map(|c| self.t.column_of(c).map(str::to_string))
            .collect();
        for k in 1..cols.len() {
            if cols[k].is_some() && cols[..k].contains(&cols[k]) {
                cols[k] = None;
            }
        }
        let nonempty = cells.iter().filter(|c| !c.is_empty()).count();
        let known = cols.iter().flatten().count();
        if known < 2 || known * 2 < nonempty {
            return None;
        }
        let tpl = self.t.template_for(&cols)?;
        let ti = self.t.tables.iter().position(|x| x.id == tpl.id)?;
        Some((cols, ti))
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
        let mut j = i + 1;
        let mut after_break = false;
        // The header itself may wrap: its last cell goes on in the next line.
        if self.full_line(i)
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
                Cells::Single(_) => break,
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
            if cells.len() * 2 < n && !cells[0].is_empty() {
                // `自评结论 | …` under an eight-column table: the form goes on, the table ended.
                break;
            }
            let (cells, merged) = fit(cells, n);
            if cells.iter().all(String::is_empty) {
                j = next_j;
                continue;
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
            }
            after_break = false;
            j = next_j;
        }
        (table, j)
    }

    /// A one-cell-per-line table whose header run starts at line `i`.
    fn read_column_lines(&self, i: usize) -> Option<(RawTable, usize)> {
        let single = |k: usize| match self.lines.get(k).map(|l| split_line(&l.1)) {
            Some(Cells::Single(c)) => Some(c),
            _ => None,
        };
        let mut header = Vec::new();
        let mut k = i;
        while let Some(c) = single(k).filter(|c| self.t.column_of(c).is_some()) {
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
        let has_dup = |c: &[Option<String>]| (1..c.len()).any(|a| c[..a].contains(&c[a]));
        let mut skip = 0;
        while has_dup(&cols[skip..]) {
            skip += 1;
        }
        if header.len() - skip < 3 {
            return None;
        }
        header.drain(..skip);
        cols.drain(..skip);
        let tpl = self.t.template_for(&cols)?;
        let template = self.t.tables.iter().position(|x| x.id == tpl.id)?;
        let n = header.len();
        let key: Vec<String> = header.iter().map(|h| despace(h)).collect();
        let mut table = RawTable {
            header,
            columns: cols,
            template,
            start: self.lines[i + skip].0,
            rows: Vec::new(),
            total: None,
        };
        let mut j = k;
        while let Some(first) = single(j) {
            if is_heading(&first) {
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
            if self.is_total(std::slice::from_ref(&first)) {
                let mut cells = vec![first];
                while cells.len() < n
                    && let Some(c) = single(j + cells.len()).filter(|c| value_like(c))
                {
                    cells.push(c);
                }
                j += cells.len();
                table.total = (cells.len() == n).then_some(cells);
                continue;
            }
            let Some(cells) = chunk else { break };
            // Misaligned lines (a lost or glued cell) show as text in a points column.
            let points_ok = table.columns.iter().zip(&cells).all(|(c, v)| {
                !matches!(c.as_deref(), Some("max_points" | "weight" | "score")) || value_like(v)
            });
            if !points_ok {
                break;
            }
            table.rows.push(RawRow {
                cells,
                start: self.lines[j].0,
                flags: Vec::new(),
            });
            j += n;
        }
        Some((table, j))
    }

    /// A space-separated table whose header line `i` was glued by clean-up; rows come from
    /// the loaded page text. Every row must have exactly one token per header cell: with
    /// spaces as separators, a row with more tokens (a number apart from its unit, as PDF
    /// text often has) cannot be aligned, and the table ends there.
    fn read_spaced(&self, i: usize, words: Vec<String>) -> Option<(RawTable, usize)> {
        let n = words.len();
        let key = despace(&self.lines[i].1);
        let is_header = |l: &str| l.split_whitespace().count() == n && despace(l) == key;
        let from = self.raw_cursor.get();
        let r = from + self.raw[from..].iter().position(|(_, l)| is_header(l))?;
        let columns: Vec<Option<String>> = words
            .iter()
            .map(|w| self.t.column_of(w).map(str::to_string))
            .collect();
        let tpl = self.t.template_for(&columns)?;
        let template = self.t.tables.iter().position(|x| x.id == tpl.id)?;
        let mut table = RawTable {
            header: words,
            columns,
            template,
            start: self.lines[i].0,
            rows: Vec::new(),
            total: None,
        };
        let mut ci = i + 1;
        let mut k = r + 1;
        while k < self.raw.len() {
            let line = self.raw[k].1;
            k += 1;
            if line.trim().is_empty() {
                // Past a page break the header repeats; anything else ends the table.
                match (k..self.raw.len()).find(|&x| !self.raw[x].1.trim().is_empty()) {
                    Some(x) if is_header(self.raw[x].1) => {
                        k = x + 1;
                        continue;
                    }
                    _ => break,
                }
            }
            if is_header(line) {
                continue;
            }
            let tokens: Vec<String> = line.split_whitespace().map(str::to_string).collect();
            if self.is_total(&tokens[..1]) {
                // Empty cells leave no trace between spaces, so only a full total row aligns.
                table.total = (tokens.len() == n).then_some(tokens);
                continue;
            }
            if tokens.len() != n {
                break;
            }
            // The row's line in the cleaned text, for its offset (and page).
            let d = despace(line);
            let found =
                (ci..self.lines.len().min(ci + 4)).find(|&x| despace(&self.lines[x].1) == d);
            let start = match found {
                Some(x) => {
                    ci = x + 1;
                    self.lines[x].0
                }
                None => self.lines[ci.min(self.lines.len() - 1)].0,
            };
            table.rows.push(RawRow {
                cells: tokens,
                start,
                flags: Vec::new(),
            });
        }
        self.raw_cursor.set(k);
        Some((table, ci))
    }
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
