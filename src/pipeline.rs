//! One document through all stages: bytes → [`Report`].
//!
//! The CLI, the batch runner and the tests all call [`convert`] (or [`analyze`] when they
//! also want the intermediate results, as `baogao inspect` does), so there is exactly one
//! path from input to output.

use crate::check::{Evidence, check};
use crate::clean::{CleanText, clean};
use crate::extract::{Candidate, extract};
use crate::load::{ErrorKind, LoadError, LoadOptions, LoadedDocument, TextLayer, load};
use crate::patterns::PatternError;
use crate::report::{PageInfo, Report, SCHEMA_VERSION, Source};
use crate::rules::Rules;
use crate::segment::{Outline, segment};
use std::path::Path;

/// Everything a conversion needs besides the input.
#[derive(Debug, Clone)]
pub struct Config {
    /// Every rule file (field patterns, grids, tables), compiled and versioned.
    pub rules: Rules,
    pub load: LoadOptions,
    /// The constants of the check stage's confidence arithmetic (calibration studies vary
    /// them; the tool uses the default).
    pub confidence: crate::check::ConfidenceParams,
}

impl Config {
    /// The built-in rules and default options.
    pub fn builtin() -> Config {
        Config {
            rules: Rules::builtin().expect("built-in rules compile (tested)"),
            load: LoadOptions::default(),
            confidence: Default::default(),
        }
    }

    /// A configuration with the given rules. The examples of every rule file a user
    /// supplied (`--patterns`) run here, through the stages that use them, so a user's
    /// rules get the guarantee `cargo test` gives the built-in ones: a failing example is a
    /// `file:line` error before any input is read.
    pub fn with_rules(rules: Rules) -> Result<Config, PatternError> {
        let user: Vec<&str> = rules.user_sources().map(|s| s.name.as_str()).collect();
        let from_user = |origin: &str| {
            user.iter()
                .any(|u| origin.rsplit_once(':').is_some_and(|(f, _)| f == *u))
        };
        crate::extract::verify_examples(
            rules
                .fields
                .patterns
                .iter()
                .filter(|p| from_user(&p.origin)),
        )?;
        if rules.grids.examples.iter().any(|e| from_user(&e.origin)) {
            rules.grids.verify_examples()?;
        }
        if rules.labels.examples.iter().any(|e| from_user(&e.origin)) {
            crate::identity::verify_examples(&rules.labels)?;
        }
        if rules.tables.tables.iter().any(|t| from_user(&t.origin)) {
            crate::tables::verify_examples(&rules.tables)?;
        }
        if rules.lexicon.cues.iter().any(|c| from_user(&c.origin)) {
            rules.lexicon.verify_examples()?;
        }
        Ok(Config {
            rules,
            load: LoadOptions::default(),
            confidence: Default::default(),
        })
    }
}

/// Fewer non-space characters than this in a whole document is not a report (the shortest
/// report opening in the dev corpus has over 1000); such input gets a warning (no text at
/// all is the error `no_text`).
pub const MIN_CHARS: usize = 20;

/// A failed conversion: a stable kind (`not_pdf`, `encrypted`, `no_text`, `io`, …) and a
/// message for a person.
pub type ConvertError = LoadError;

/// The intermediate results of every stage, for `inspect` and tests.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub loaded: LoadedDocument,
    pub clean: CleanText,
    pub outline: Outline,
    pub candidates: Vec<Candidate>,
    pub report: Report,
}

/// Convert one input file. `display` is the path as the user gave it (written into
/// `source.file`; never made absolute, so outputs do not depend on where they ran).
pub fn convert(path: &Path, display: &str, cfg: &Config) -> Result<Report, ConvertError> {
    analyze(path, display, cfg).map(|a| a.report)
}

/// Run a conversion so that a panic in it becomes a `crash` error (`internal error: …`)
/// instead of unwinding into the caller: the batch worker and the Python binding both
/// answer for one input and must go on with the next.
pub fn catch_crash<T>(f: impl FnOnce() -> Result<T, ConvertError>) -> Result<T, ConvertError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|p| {
        let msg = p
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "unknown panic".into());
        Err(LoadError::new(
            ErrorKind::Crash,
            format!("internal error: {msg}"),
        ))
    })
}

/// Convert one input and keep every stage's output.
pub fn analyze(path: &Path, display: &str, cfg: &Config) -> Result<Analysis, ConvertError> {
    let bytes = std::fs::read(path).map_err(|e| LoadError::new(ErrorKind::Io, e.to_string()))?;
    analyze_bytes(path, &bytes, display, cfg)
}

/// As [`analyze`], from bytes already read.
pub fn analyze_bytes(
    path: &Path,
    bytes: &[u8],
    display: &str,
    cfg: &Config,
) -> Result<Analysis, ConvertError> {
    let mut loaded = load(path, bytes, &cfg.load)?;
    let chars: usize = loaded
        .pages
        .iter()
        .map(|p| p.text.chars().filter(|c| !c.is_whitespace()).count())
        .sum();
    if chars == 0 && loaded.ocr_pages().is_empty() {
        return Err(LoadError::new(ErrorKind::NoText, "no text at all"));
    }
    // A short document with a few real words is a result (with a warning), not an error.
    if chars < MIN_CHARS {
        loaded.warnings.push(format!(
            "only {chars} characters of text: too little for a report"
        ));
    }
    Ok(analyze_loaded(loaded, bytes, display, cfg))
}

/// The stages after load.
pub fn analyze_loaded(
    loaded: LoadedDocument,
    bytes: &[u8],
    display: &str,
    cfg: &Config,
) -> Analysis {
    let clean = clean(&loaded);
    let outline = segment(&clean);
    let mut candidates = extract(&clean, &outline, &cfg.rules.fields);
    let grid = crate::grid::grid_candidates(&clean, &cfg.rules.grids);
    // A part row the grid read by its columns claims the row: a cell pattern there would
    // read the row's first figure (年初预算数), not the 全年执行数.
    candidates.retain(|c| {
        !grid.iter().any(|g| {
            g.pattern == crate::grid::PART_PATTERN
                && g.key == c.key
                && (g.start..g.end).contains(&c.start)
        })
    });
    candidates.extend(grid);
    candidates.extend(crate::lexicon::lexicon_candidates(
        &clean,
        &outline,
        &cfg.rules.lexicon,
    ));
    crate::identity::resolve(&clean, &cfg.rules.labels, &mut candidates);
    let sections = crate::sections::section_scores(&clean, &outline);
    let lists = crate::lists::lists(&clean, &outline);
    let tables = crate::tables::tables(&clean, &loaded.pages, &cfg.rules.tables);
    let ocr_chars: usize = loaded
        .pages
        .iter()
        .filter(|p| p.backend.is_ocr())
        .map(|p| p.text.chars().count())
        .sum();
    let all_chars: usize = loaded.pages.iter().map(|p| p.text.chars().count()).sum();
    let scale = crate::normalize::grade_scale(&clean.text);
    let incomplete: Vec<usize> = loaded
        .pages
        .iter()
        .filter(|p| p.verdict == crate::load::quality::Verdict::Incomplete)
        .map(|p| p.number)
        .collect();
    let ev = Evidence {
        incomplete_pages: &incomplete,
        grade_scale: scale.as_deref(),
        ocr_share: if all_chars == 0 {
            0.0
        } else {
            ocr_chars as f64 / all_chars as f64
        },
        params: cfg.confidence,
        confirmed: &cfg.rules.confirmed,
    };
    let checked = check(&candidates, &sections, ev);
    let mut warnings = loaded.warnings.clone();
    warnings.extend(clean.notes.iter().cloned());
    warnings.extend(checked.warnings);
    if checked.fields.is_empty() {
        warnings.push("no field found: check the text with `baogao inspect`".into());
    }
    let report = Report {
        schema_version: SCHEMA_VERSION.into(),
        source: Source {
            file: display.to_string(),
            sha256: sha256_hex(bytes),
            pages: loaded.pages.len(),
            text_layer: loaded.text_layer.as_str().into(),
            page_info: if loaded.text_layer == TextLayer::Plain {
                vec![]
            } else {
                loaded
                    .pages
                    .iter()
                    .map(|p| PageInfo {
                        page: p.number,
                        backend: p.backend.name(),
                        verdict: p.verdict.as_str().into(),
                        chars: p.text.chars().filter(|c| !c.is_whitespace()).count(),
                    })
                    .collect()
            },
        },
        fields: checked.fields,
        sections,
        targets: tables.targets,
        indicators: tables.indicators,
        lists,
        checks: [checked.checks, tables.checks].concat(),
        warnings,
    };
    Analysis {
        loaded,
        clean,
        outline,
        candidates,
        report,
    }
}

/// Lower-case hex SHA-256 of the input bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_a_crash_error_and_results_pass_through() {
        let e = catch_crash::<()>(|| panic!("index out of range")).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Crash);
        assert_eq!(e.message, "internal error: index out of range");
        let e = catch_crash::<()>(|| panic!("{} of {}", 3, 4)).unwrap_err();
        assert_eq!(e.message, "internal error: 3 of 4");
        assert_eq!(catch_crash(|| Ok(7)).unwrap(), 7);
        let e = catch_crash::<()>(|| Err(LoadError::new(ErrorKind::NotPdf, "x"))).unwrap_err();
        assert_eq!(e.kind, ErrorKind::NotPdf);
    }
}
