//! An OCR'd page's tables rebuilt from the engine's word boxes instead of its line text.
//!
//! Tesseract's automatic page segmentation cuts a table into blocks, often one per column,
//! so its text gives a table column by column or interleaves the columns line by line, and a
//! wrapped cell becomes a paragraph of its own. Its TSV output also gives every word's box.
//! From the boxes, words on one visual line are grouped again across blocks, split into runs
//! at column gaps, and handed to the borderless-table layout of the PDF path
//! ([`crate::load::columns`]), which finds the column x-ranges and keeps wrapped cells in
//! their row. A page on which that finds a table gets the rebuilt text; any other page keeps
//! the engine's text as it was.

use crate::load::columns::{self, Line, Run};

/// A recognised word and its box in image pixels (y grows downwards).
#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    /// Tesseract's (block, paragraph, line) of the word.
    pub line: (u32, u32, u32),
    pub left: f64,
    pub top: f64,
    pub width: f64,
    pub height: f64,
    pub text: String,
}

impl Word {
    fn middle(&self) -> f64 {
        self.top + self.height / 2.0
    }
}

/// A gap of at least this many character heights between words on a line is a column gap.
const COLUMN_GAP_EM: f64 = 1.2;
/// A gap of at least this many heights between two words is a space (Latin words, numbers).
const SPACE_GAP_EM: f64 = 0.25;
/// Words whose middles are closer than this many heights are on one line.
const SAME_LINE_EM: f64 = 0.5;

/// The page's text with its tables in columns (one row a line, cells separated by tabs), or
/// None when the words hold no table. Outside the tables the engine's own lines are kept as
/// `text` has them (its lines are the words' line keys in order), so body
/// text reads exactly as before.
pub fn text_with_tables(words: &[Word], text: &str) -> Option<String> {
    let words = without_gap_quotes(words);
    let lines = visual_lines(&words);
    let runs: Vec<Line> = lines.iter().map(|l| l.runs()).collect();
    let tables = columns::tables(&runs);
    if tables.is_empty() {
        return None;
    }
    // Engine lines (by their key) that hold a word of a table, and where each table goes:
    // in place of the first engine line it touches.
    let mut taken: std::collections::HashMap<(u32, u32, u32), Option<usize>> = Default::default();
    for (ti, t) in tables.iter().enumerate() {
        let mut first: Option<(u32, u32, u32)> = None;
        for w in lines[t.lines.clone()].iter().flat_map(|l| &l.words) {
            taken.entry(w.line).or_insert(None);
            if first.is_none_or(|f| w.line < f) {
                first = Some(w.line);
            }
        }
        if let Some(f) = first {
            taken.insert(f, Some(ti));
        }
    }
    // Engine lines in text order with their keys.
    let mut keys: Vec<(u32, u32, u32)> = Vec::new();
    for w in &words {
        if keys.last() != Some(&w.line) {
            keys.push(w.line);
        }
    }
    let engine_lines: Vec<&str> = text.split('\n').filter(|l| !l.is_empty()).collect();
    if engine_lines.len() != keys.len() {
        return None; // not the text these words made
    }
    let mut out = String::new();
    let mut prev: Option<(u32, u32, u32)> = None;
    let mut placed = vec![false; tables.len()];
    for (key, line) in keys.iter().zip(engine_lines) {
        let piece: Option<String> = match taken.get(key) {
            None => Some(line.to_string()),
            Some(Some(ti)) if !placed[*ti] => {
                placed[*ti] = true;
                let rows: Vec<&str> = tables[*ti].rows.iter().map(|r| r.1.as_str()).collect();
                Some(rows.join("\n"))
            }
            Some(_) => None,
        };
        let Some(piece) = piece else {
            continue;
        };
        if let Some(p) = prev {
            out.push_str(if (p.0, p.1) == (key.0, key.1) {
                "\n"
            } else {
                "\n\n"
            });
        }
        out.push_str(&piece);
        prev = Some(*key);
    }
    out.push('\n');
    Some(out)
}

/// Words of one visual line, left to right.
struct VisualLine<'a> {
    words: Vec<&'a Word>,
    em: f64,
}

impl VisualLine<'_> {
    /// The line's height in the columns layout's coordinates (y upwards).
    fn y(&self) -> f64 {
        -self
            .words
            .iter()
            .map(|w| w.top + w.height)
            .fold(f64::MIN, f64::max)
    }

    fn runs(&self) -> Line {
        let mut runs: Vec<Run> = Vec::new();
        let mut prev_end: Option<f64> = None;
        for w in &self.words {
            let gap = prev_end.map_or(f64::INFINITY, |e| w.left - e);
            let end = w.left + w.width;
            match runs.last_mut() {
                Some(r) if gap < COLUMN_GAP_EM * self.em => {
                    if gap >= SPACE_GAP_EM * self.em {
                        r.text.push(' ');
                    }
                    r.breaks.push((r.text.len(), r.x1, w.left));
                    r.text.push_str(&w.text);
                    r.x1 = r.x1.max(end);
                }
                _ => runs.push(Run {
                    x0: w.left,
                    x1: end,
                    text: w.text.clone(),
                    breaks: Vec::new(),
                }),
            }
            prev_end = Some(prev_end.map_or(end, |e: f64| e.max(end)));
        }
        Line {
            y: self.y(),
            em: self.em,
            runs,
        }
    }
}

/// Words grouped into visual lines, top to bottom, whatever block tesseract put them in:
/// a word joins the line whose middle is within half a character height of its own (the
/// page's median word height: a comma's or a quote's box is small, a box tesseract drew
/// over two lines is tall, neither sets the line).
fn visual_lines(words: &[Word]) -> Vec<VisualLine<'_>> {
    let mut ws: Vec<&Word> = words
        .iter()
        .filter(|w| !w.text.trim().is_empty() && w.height > 0.0)
        .collect();
    let Some(em) = median(ws.iter().map(|w| w.height).collect()) else {
        return Vec::new();
    };
    ws.sort_by(|a, b| a.middle().total_cmp(&b.middle()));
    let mut lines: Vec<(f64, VisualLine)> = Vec::new();
    for w in ws {
        match lines.last_mut() {
            Some((mid, l)) if (w.middle() - *mid).abs() <= SAME_LINE_EM * em => {
                l.words.push(w);
            }
            _ => lines.push((w.middle(), VisualLine { words: vec![w], em })),
        }
    }
    let mut lines: Vec<VisualLine> = lines.into_iter().map(|(_, l)| l).collect();
    for l in &mut lines {
        l.words.sort_by(|a, b| a.left.total_cmp(&b.left));
    }
    lines
}

/// A word as tesseract boxed it, without a quote mark it read into a column gap: in a table,
/// the empty space between two cells often comes out as a `“` or `”` glued to the next
/// (or previous) word, its box stretched over the gap. Such a quote is dropped and the box
/// shrunk to the word's characters, one character height each, when the line's quotes do
/// not pair up (real quotes open and close: `“小进限”`).
fn without_gap_quotes(words: &[Word]) -> Vec<Word> {
    const QUOTES: [char; 2] = ['“', '”'];
    let mut out: Vec<Word> = words.to_vec();
    let lines = visual_lines(words);
    for l in &lines {
        let text: String = l.words.iter().map(|w| w.text.as_str()).collect();
        let (open, close) = (text.matches('“').count(), text.matches('”').count());
        if open + close < 2 || open == close {
            continue;
        }
        for w in &l.words {
            let Some(i) = words.iter().position(|x| std::ptr::eq(x, *w)) else {
                continue;
            };
            let o = &mut out[i];
            let n = o.text.chars().count();
            if n < 2 {
                continue;
            }
            if o.text.starts_with(QUOTES) {
                let rest: String = o.text.chars().skip(1).collect();
                let right = o.left + o.width;
                o.width = o.width.min(l.em * (n - 1) as f64);
                o.left = right - o.width;
                o.text = rest;
            } else if o.text.ends_with(QUOTES) {
                let mut rest: String = o.text.clone();
                rest.pop();
                o.width = o.width.min(l.em * (n - 1) as f64);
                o.text = rest;
            }
        }
    }
    out
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A word of `n` characters 20 px wide each, 20 px high, at (left, top), in tesseract's
    /// line `line`.
    fn w(line: (u32, u32, u32), left: f64, top: f64, text: &str) -> Word {
        Word {
            line,
            left,
            top,
            width: 20.0 * text.chars().count() as f64,
            height: 20.0,
            text: text.into(),
        }
    }

    /// The engine's text for the words, as `parse_tsv` writes it.
    fn engine_text(words: &[Word]) -> String {
        let mut out = String::new();
        let mut prev: Option<(u32, u32, u32)> = None;
        for x in words {
            match prev {
                Some(p) if p == x.line => out.push(' '),
                Some(p) if (p.0, p.1) == (x.line.0, x.line.1) => out.push('\n'),
                Some(_) => out.push_str("\n\n"),
                None => {}
            }
            out.push_str(&x.text);
            prev = Some(x.line);
        }
        out + "\n"
    }

    #[test]
    fn columns_from_separate_blocks_become_rows() {
        // Tesseract gave each column its own block; the second row's last cell wraps. The
        // text before and after the table stays the engine's.
        let words = vec![
            w((1, 1, 1), 0.0, 0.0, "前言一段"),
            w((1, 1, 1), 90.0, 0.0, "文字"),
            w((2, 1, 1), 0.0, 60.0, "序号"),
            w((2, 1, 2), 0.0, 90.0, "1"),
            w((2, 1, 3), 0.0, 120.0, "2"),
            w((3, 1, 1), 100.0, 60.0, "目标值"),
            w((3, 1, 2), 100.0, 90.0, "甲乙"),
            w((3, 1, 3), 100.0, 120.0, "丙丁"),
            w((4, 1, 1), 300.0, 60.0, "实际完成情况"),
            w((4, 1, 2), 300.0, 90.0, "完成"),
            w((4, 1, 3), 300.0, 120.0, "完成了一部分工"),
            w((4, 1, 4), 300.0, 142.0, "作"),
            w((5, 1, 1), 0.0, 200.0, "后文"),
        ];
        let text = engine_text(&words);
        assert_eq!(
            text_with_tables(&words, &text).as_deref(),
            Some(
                "前言一段 文字\n\n序号\t目标值\t实际完成情况\n1\t甲乙\t完成\n2\t丙丁\t完成了一部分工作\n\n后文\n"
            )
        );
    }

    #[test]
    fn a_quote_read_into_a_column_gap_is_dropped() {
        // `”目标值`: the gap before the cell read as a closing quote, its box over the gap.
        // Two such quotes on the line, both closing: they do not pair up.
        let mut quoted = w((1, 1, 1), 60.0, 60.0, "”目标值");
        quoted.width = 100.0;
        let mut quoted2 = w((1, 1, 1), 300.0, 60.0, "”情况");
        quoted2.width = 80.0;
        let words = vec![
            w((1, 1, 1), 0.0, 60.0, "序号"),
            quoted,
            quoted2,
            w((1, 1, 2), 0.0, 90.0, "1"),
            w((1, 1, 2), 100.0, 90.0, "甲乙"),
            w((1, 1, 2), 340.0, 90.0, "完成"),
        ];
        let text = engine_text(&words);
        assert_eq!(
            text_with_tables(&words, &text).as_deref(),
            Some("序号\t目标值\t情况\n1\t甲乙\t完成\n")
        );
    }

    #[test]
    fn a_page_of_text_is_left_to_the_engine() {
        let words = vec![
            w((1, 1, 1), 0.0, 0.0, "第一行"),
            w((1, 1, 2), 0.0, 30.0, "第二行"),
        ];
        assert_eq!(text_with_tables(&words, &engine_text(&words)), None);
    }
}
