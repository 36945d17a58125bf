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
    /// Tesseract's (block, paragraph) of the word.
    pub par: (u32, u32),
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
/// None when the words hold no table.
pub fn text_with_tables(words: &[Word]) -> Option<String> {
    let lines = visual_lines(words);
    let em = median(lines.iter().map(|l| l.em).collect())?;
    let runs: Vec<Line> = lines.iter().map(|l| l.runs()).collect();
    let laid = columns::lay_out(&runs);
    if !laid.iter().any(|(_, t)| t.contains('\t')) {
        return None;
    }
    // A new paragraph where tesseract began one, or after a gap of more than a line.
    let mut out = String::new();
    let mut prev: Option<(f64, (u32, u32))> = None;
    for (y, text) in laid {
        let line = lines
            .iter()
            .find(|l| l.y() == y)
            .map_or((0, 0), |l| l.words[0].par);
        if let Some((py, ppar)) = prev {
            out.push('\n');
            if ppar != line && (py - y) > 1.8 * em {
                out.push('\n');
            }
        }
        out.push_str(&text);
        prev = Some((y, line));
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

/// Words grouped into visual lines by their middles, top to bottom, whatever block
/// tesseract put them in.
fn visual_lines(words: &[Word]) -> Vec<VisualLine<'_>> {
    let mut ws: Vec<&Word> = words
        .iter()
        .filter(|w| !w.text.trim().is_empty() && w.height > 0.0)
        .collect();
    ws.sort_by(|a, b| a.middle().total_cmp(&b.middle()));
    let mut lines: Vec<VisualLine> = Vec::new();
    for w in ws {
        match lines.last_mut() {
            Some(l) if (w.middle() - l.words[0].middle()).abs() <= SAME_LINE_EM * l.em => {
                l.words.push(w);
            }
            _ => lines.push(VisualLine {
                words: vec![w],
                em: w.height,
            }),
        }
    }
    for l in &mut lines {
        l.words.sort_by(|a, b| a.left.total_cmp(&b.left));
        // A line's height: its median word height (punctuation boxes are small).
        l.em = median(l.words.iter().map(|w| w.height).collect()).unwrap_or(l.em);
    }
    lines
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A word of `n` characters 20 px wide each, 20 px high, at (left, top).
    fn w(par: (u32, u32), left: f64, top: f64, text: &str) -> Word {
        Word {
            par,
            left,
            top,
            width: 20.0 * text.chars().count() as f64,
            height: 20.0,
            text: text.into(),
        }
    }

    #[test]
    fn columns_from_separate_blocks_become_rows() {
        // Tesseract gave each column its own block; the second row's last cell wraps.
        let words = vec![
            w((1, 1), 0.0, 0.0, "前言一段文字"),
            w((2, 1), 0.0, 60.0, "序号"),
            w((2, 1), 0.0, 90.0, "1"),
            w((2, 1), 0.0, 120.0, "2"),
            w((3, 1), 100.0, 60.0, "目标值"),
            w((3, 1), 100.0, 90.0, "甲乙"),
            w((3, 1), 100.0, 120.0, "丙丁"),
            w((4, 1), 300.0, 60.0, "实际完成情况"),
            w((4, 1), 300.0, 90.0, "完成"),
            w((4, 1), 300.0, 120.0, "完成了一部分工"),
            w((4, 1), 300.0, 142.0, "作"),
        ];
        assert_eq!(
            text_with_tables(&words).as_deref(),
            Some(
                "前言一段文字\n\n序号\t目标值\t实际完成情况\n1\t甲乙\t完成\n2\t丙丁\t完成了一部分工作\n"
            )
        );
    }

    #[test]
    fn a_page_of_text_is_left_to_the_engine() {
        let words = vec![
            w((1, 1), 0.0, 0.0, "第一行"),
            w((1, 1), 0.0, 30.0, "第二行"),
        ];
        assert_eq!(text_with_tables(&words), None);
    }
}
