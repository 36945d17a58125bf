//! Which rules have earned a confidence of 0.9 or more.
//!
//! The contract (`../shared/spec/fields.md`) says a value rated ≥ 0.9 is right 99 % of the
//! time on documents the tool has never seen. A rule written from one document has not shown
//! that, however well its cross-checks agree there. So every rule's record on the development
//! documents is kept as data, in `patterns/confirmed.toml`: on how many documents it gave a
//! right value, how many right and wrong values it gave, and how many of the wrong ones it
//! rated ≥ 0.9. The check stage holds a value below 0.9 (flag `unconfirmed_rule`) unless its
//! rule is *confirmed*: right on at least [`MIN_DOCUMENTS`] documents and never wrong at
//! ≥ 0.9 there.
//!
//! The file is written by `cargo run --release --example calibrate -- --write-confirmed
//! patterns/confirmed.toml` from dev, the development ids of dev2 and dev-complete (never the
//! blind third), with the cap switched off so the record is the rules' own. `tests/confirmed.rs`
//! recomputes the record on every CI run and fails when the file claims a rule is confirmed
//! that the corpora no longer confirm. A rule added since the file was written is unconfirmed
//! until the file is regenerated: a new rule cannot give ≥ 0.9 on its first day.
//!
//! A user's `--patterns DIR` may carry its own `confirmed.toml` (it replaces the built-in one);
//! without one, the user's new rules are unconfirmed and stay below 0.9.

use crate::eval::Judged;
use crate::patterns::{PatternError, from_toml, line_of};
use serde::Deserialize;
use std::collections::BTreeMap;

/// A rule must have given a right value on at least this many documents.
pub const MIN_DOCUMENTS: usize = 2;

/// No record enforced (calibration studies, the check stage's own tests).
pub static OFF: Confirmed = Confirmed {
    rules: BTreeMap::new(),
    enforce: false,
};

/// The highest confidence an unconfirmed rule's value may carry.
pub const UNCONFIRMED_CAP: f64 = 0.89;

/// One rule's record on the development documents.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Support {
    /// Documents on which the rule gave at least one right value.
    pub documents: usize,
    pub right: usize,
    pub wrong: usize,
    /// Wrong values the rule rated ≥ 0.9 (before this cap).
    pub wrong_high: usize,
}

impl Support {
    /// Whether the record earns the rule values ≥ 0.9.
    pub fn confirms(&self) -> bool {
        self.documents >= MIN_DOCUMENTS && self.wrong_high == 0
    }
}

/// The rules' records, and whether the check stage enforces them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Confirmed {
    pub rules: BTreeMap<String, Support>,
    /// False only in calibration studies, which need the rules' uncapped confidence.
    pub enforce: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDe {
    rule: BTreeMap<String, toml::Spanned<Support>>,
}

impl Confirmed {
    /// No record at all: every rule is unconfirmed.
    pub fn empty() -> Confirmed {
        Confirmed {
            rules: BTreeMap::new(),
            enforce: true,
        }
    }

    /// No cap: for calibration studies only.
    pub fn off() -> Confirmed {
        OFF.clone()
    }

    /// Parse a `confirmed.toml` (`[rule."money/actual"]` tables of [`Support`]).
    pub fn parse(file: &str, text: &str) -> Result<Confirmed, PatternError> {
        let de: FileDe = from_toml(file, text)?;
        let mut rules = BTreeMap::new();
        for (id, sp) in de.rule {
            let line = line_of(text, sp.span().start);
            let s = sp.into_inner();
            if s.documents > s.right {
                return Err(PatternError {
                    file: file.to_string(),
                    line,
                    reason: format!(
                        "rule `{id}`: right on {} documents but only {} right values",
                        s.documents, s.right
                    ),
                });
            }
            if s.wrong_high > s.wrong {
                return Err(PatternError {
                    file: file.to_string(),
                    line,
                    reason: format!("rule `{id}`: wrong_high > wrong"),
                });
            }
            rules.insert(id, s);
        }
        Ok(Confirmed {
            rules,
            enforce: true,
        })
    }

    /// Whether values of `pattern` may be rated ≥ 0.9.
    pub fn allows_high(&self, pattern: &str) -> bool {
        !self.enforce || self.rules.get(pattern).is_some_and(Support::confirms)
    }

    /// The file's text (sorted by rule id), with a header saying how it was made.
    pub fn to_toml(&self, made_from: &str) -> String {
        let mut s = String::from(
            "# Each rule's record on the development documents: documents with a right value, right\n\
             # and wrong values, wrong values rated >= 0.9. A rule gives values >= 0.9 only when it was\n\
             # right on >= 2 documents and never wrong at >= 0.9 (src/confirm.rs).\n\
             # Generated, do not edit by hand:\n\
             #   cargo run --release --example calibrate -- --write-confirmed patterns/confirmed.toml\n",
        );
        s.push_str(&format!("# from: {made_from}\n"));
        for (id, r) in &self.rules {
            s.push_str(&format!(
                "\n[rule.\"{id}\"]\ndocuments = {}\nright = {}\nwrong = {}\nwrong_high = {}\n",
                r.documents, r.right, r.wrong, r.wrong_high
            ));
        }
        s
    }
}

/// The records of every rule from judged values, one list per document.
pub fn support<'a>(docs: impl IntoIterator<Item = &'a [Judged]>) -> BTreeMap<String, Support> {
    let mut out: BTreeMap<String, Support> = BTreeMap::new();
    for judged in docs {
        let mut right_here: Vec<&str> = Vec::new();
        for j in judged {
            let s = out.entry(j.pattern.clone()).or_default();
            if j.correct {
                s.right += 1;
                right_here.push(&j.pattern);
            } else {
                s.wrong += 1;
                if j.confidence >= 0.9 {
                    s.wrong_high += 1;
                }
            }
        }
        right_here.sort_unstable();
        right_here.dedup();
        for p in right_here {
            if let Some(s) = out.get_mut(p) {
                s.documents += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn judged(pattern: &str, correct: bool, confidence: f64) -> Judged {
        Judged {
            doc: String::new(),
            key: "year".into(),
            truth: json!(2023),
            predicted: json!(2023),
            confidence,
            pattern: pattern.into(),
            flags: vec![],
            correct,
        }
    }

    #[test]
    fn a_rule_right_on_one_document_only_is_not_confirmed() {
        let a = [judged("p/a", true, 0.95), judged("p/a", true, 0.95)];
        let b = [judged("p/b", true, 0.95)];
        let c = [judged("p/b", true, 0.92), judged("p/c", false, 0.95)];
        let s = support([&a[..], &b[..], &c[..]]);
        assert_eq!(
            s["p/a"],
            Support {
                documents: 1,
                right: 2,
                wrong: 0,
                wrong_high: 0
            }
        );
        assert!(!s["p/a"].confirms());
        assert!(s["p/b"].confirms());
        assert!(!s["p/c"].confirms());
    }

    #[test]
    fn a_wrong_value_rated_high_withdraws_confirmation() {
        let a = [judged("p", true, 0.95)];
        let b = [judged("p", true, 0.95), judged("p", false, 0.85)];
        let c = [judged("p", false, 0.93)];
        assert!(support([&a[..], &b[..]])["p"].confirms());
        assert!(!support([&a[..], &b[..], &c[..]])["p"].confirms());
    }

    #[test]
    fn the_file_round_trips_and_bad_records_name_their_line() {
        let mut c = Confirmed::empty();
        c.rules.insert(
            "money/actual".into(),
            Support {
                documents: 3,
                right: 4,
                wrong: 1,
                wrong_high: 0,
            },
        );
        let text = c.to_toml("test");
        assert_eq!(Confirmed::parse("confirmed.toml", &text).unwrap(), c);
        assert!(c.allows_high("money/actual"));
        assert!(!c.allows_high("money/other"));
        assert!(Confirmed::off().allows_high("money/other"));
        let bad = "[rule.\"x\"]\ndocuments = 3\nright = 1\nwrong = 0\nwrong_high = 0\n";
        let e = Confirmed::parse("confirmed.toml", bad).unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("confirmed.toml", 1), "{e:?}");
        let unknown = "[rule.\"x\"]\ndocs = 3\n";
        assert!(Confirmed::parse("confirmed.toml", unknown).is_err());
    }
}
