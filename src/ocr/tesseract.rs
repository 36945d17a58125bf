//! Tesseract 5 as a subprocess (`tesseract IMG stdout -l chi_sim+eng --psm 3 tsv`).
//!
//! `OMP_THREAD_LIMIT=1` is set on every call: with tesseract's default OpenMP threading a
//! page took 13 s wall on our 2-core machine, single-threaded 2.2–3.5 s with the same text,
//! and parallelism comes from OCRing several pages at once instead.
//!
//! TSV output rather than plain text gives a confidence per word; the text is rebuilt from
//! the word rows (words joined by a space, lines by `\n`, paragraphs by a blank line,
//! which is how tesseract's own text output lays them out); a page with a table is rebuilt
//! from the word boxes instead ([`super::words`]).

use std::path::Path;
use std::process::Command;

use super::words::Word;
use super::{INSTALL_HINT, OcrEngine, OcrError, OcrPage};

/// Tesseract engine. Build it with [`Tesseract::new`], which checks that the program and
/// the language data are installed, so a missing install is one clear error up front.
#[derive(Debug, Clone)]
pub struct Tesseract {
    program: String,
    languages: String,
    psm: u8,
}

impl Tesseract {
    /// Default languages: simplified Chinese plus English (for Latin letters and digits).
    pub const DEFAULT_LANGUAGES: &'static str = "chi_sim+eng";

    /// `tesseract` from `PATH` with [`Self::DEFAULT_LANGUAGES`] and page segmentation
    /// mode 3 (fully automatic).
    pub fn new() -> Result<Tesseract, OcrError> {
        Tesseract::with_languages("tesseract", Self::DEFAULT_LANGUAGES)
    }

    /// A specific program and `+`-joined language list; fails with `missing_tool` or
    /// `missing_language` (naming the Debian packages) when they are not installed.
    pub fn with_languages(program: &str, languages: &str) -> Result<Tesseract, OcrError> {
        let out = Command::new(program)
            .arg("--list-langs")
            .output()
            .map_err(|e| OcrError::missing_tool(program, &e))?;
        // Tesseract 4 printed the list on stderr, 5 on stdout.
        let listing = format!(
            "{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let installed: Vec<&str> = listing
            .lines()
            .skip_while(|l| !l.starts_with("List of available languages"))
            .skip(1)
            .map(str::trim)
            .collect();
        for lang in languages.split('+') {
            if !installed.contains(&lang) {
                return Err(OcrError::new(
                    "missing_language",
                    format!(
                        "tesseract has no '{lang}' language data (installed: {}); OCR needs: \
                         {INSTALL_HINT}",
                        installed.join(", ")
                    ),
                ));
            }
        }
        Ok(Tesseract {
            program: program.to_string(),
            languages: languages.to_string(),
            psm: 3,
        })
    }
}

impl OcrEngine for Tesseract {
    fn name(&self) -> &str {
        "tesseract"
    }

    fn recognize_page(&self, image: &Path) -> Result<OcrPage, OcrError> {
        let out = super::dies_with_parent(&mut Command::new(&self.program))
            .arg(image)
            .arg("stdout")
            .args(["-l", &self.languages, "--psm", &self.psm.to_string(), "tsv"])
            .env("OMP_THREAD_LIMIT", "1")
            .output()
            .map_err(|e| OcrError::missing_tool(&self.program, &e))?;
        if !out.status.success() {
            return Err(OcrError::new(
                "engine",
                format!(
                    "tesseract failed on {} ({}): {}",
                    image.display(),
                    out.status,
                    String::from_utf8_lossy(&out.stderr).trim()
                ),
            ));
        }
        parse_tsv(&String::from_utf8_lossy(&out.stdout))
    }
}

/// Rebuild text, line confidences and the page confidence from tesseract's TSV.
///
/// Columns: `level page_num block_num par_num line_num word_num left top width height
/// conf text`; level 5 rows are words, `conf` is 0–100 (−1 on non-word rows).
pub fn parse_tsv(tsv: &str) -> Result<OcrPage, OcrError> {
    let mut rows = tsv.lines();
    match rows.next() {
        Some(h) if h.starts_with("level\t") => {}
        other => {
            return Err(OcrError::new(
                "engine",
                format!(
                    "tesseract did not write TSV (first line: {:?})",
                    other.unwrap_or("")
                ),
            ));
        }
    }
    let mut text = String::new();
    let mut lines: Vec<(String, f64)> = Vec::new();
    let mut line = String::new();
    let (mut line_conf, mut line_words) = (0.0, 0usize);
    let (mut conf_sum, mut conf_chars) = (0.0, 0usize);
    let mut key: Option<(u32, u32, u32)> = None;
    let mut words: Vec<Word> = Vec::new();
    let mut flush = |line: &mut String, conf: f64, words: usize, text: &mut String| {
        if words > 0 {
            lines.push((line.clone(), conf / words as f64 / 100.0));
            text.push_str(line);
        }
        line.clear();
    };
    for row in rows {
        let cols: Vec<&str> = row.splitn(12, '\t').collect();
        if cols.len() < 12 || cols[0] != "5" {
            continue;
        }
        let word = cols[11].trim();
        let conf: f64 = cols[10].parse().unwrap_or(-1.0);
        if word.is_empty() || conf < 0.0 {
            continue;
        }
        let num = |i: usize| cols[i].parse::<u32>().unwrap_or(0);
        let k = (num(2), num(3), num(4));
        let px = |i: usize| cols[i].parse::<f64>().unwrap_or(0.0);
        words.push(Word {
            line: k,
            left: px(6),
            top: px(7),
            width: px(8),
            height: px(9),
            text: word.to_string(),
        });
        if key != Some(k) {
            flush(&mut line, line_conf, line_words, &mut text);
            if let Some(prev) = key {
                text.push_str(if (prev.0, prev.1) == (k.0, k.1) {
                    "\n"
                } else {
                    "\n\n"
                });
            }
            key = Some(k);
            (line_conf, line_words) = (0.0, 0);
        } else {
            line.push(' ');
        }
        line.push_str(word);
        line_conf += conf;
        line_words += 1;
        let n = word.chars().count();
        conf_sum += conf * n as f64;
        conf_chars += n;
    }
    flush(&mut line, line_conf, line_words, &mut text);
    if !text.is_empty() {
        text.push('\n');
    }
    // A page with a table: its text from the word boxes, the table's rows in columns.
    if let Some(t) = super::words::text_with_tables(&words, &text) {
        text = t;
    }
    Ok(OcrPage {
        text,
        mean_confidence: (conf_chars > 0).then(|| conf_sum / conf_chars as f64 / 100.0),
        lines,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n";

    fn word(block: u32, par: u32, line: u32, conf: f64, text: &str) -> String {
        format!("5\t1\t{block}\t{par}\t{line}\t1\t0\t0\t10\t10\t{conf}\t{text}\n")
    }

    #[test]
    fn tsv_words_become_lines_and_paragraphs() {
        let tsv = [
            HEADER.to_string(),
            "1\t1\t0\t0\t0\t0\t0\t0\t100\t100\t-1\t\n".into(),
            word(1, 1, 1, 90.0, "一、"),
            word(1, 1, 1, 80.0, "部门概况"),
            word(1, 1, 2, 70.0, "3229.07"),
            word(2, 1, 1, 60.0, "完"),
            word(2, 1, 1, -1.0, ""),
        ]
        .concat();
        let p = parse_tsv(&tsv).unwrap();
        assert_eq!(p.text, "一、 部门概况\n3229.07\n\n完\n");
        assert_eq!(p.lines.len(), 3);
        assert!((p.lines[0].1 - 0.85).abs() < 1e-9);
        // Weighted by characters: (90*2 + 80*4 + 70*7 + 60*1) / 14 / 100.
        let want = (180.0 + 320.0 + 490.0 + 60.0) / 14.0 / 100.0;
        assert!((p.mean_confidence.unwrap() - want).abs() < 1e-9);
    }

    #[test]
    fn empty_page_has_no_confidence_and_garbage_is_an_error() {
        let p = parse_tsv(HEADER).unwrap();
        assert_eq!(p.text, "");
        assert_eq!(p.mean_confidence, None);
        assert_eq!(
            parse_tsv("Error opening data file").unwrap_err().kind,
            "engine"
        );
    }

    #[test]
    fn missing_program_is_a_missing_tool_error() {
        let e = Tesseract::with_languages("/nonexistent/tesseract", "chi_sim+eng").unwrap_err();
        assert_eq!(e.kind, "missing_tool");
        assert!(e.message.contains(INSTALL_HINT), "{e}");
    }
}
