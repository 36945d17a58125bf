//! Prose amounts by cue words → candidates for the money keys and the execution rate.
//!
//! Project and transfer-payment reports state their budget and spending in sentences of
//! endless variety (`中央下达我市…资金1969万元`, `项目资金共2179万元`, `已完成拨付2113.63万元`).
//! One regex per sentence does not carry over to the next document, so this module runs ONE
//! clause matcher over a lexicon kept as data in `patterns/lexicon.toml`: per key, the cue
//! words that name the amount; for all keys, the scope words that disqualify a clause (三公,
//! 上年, deltas, 结转结余, 其中 …) and the sub-fund words that lower trust (中央, 省级 …).
//!
//! Input: the cleaned text and its outline. Output: [`Candidate`]s like the pattern set's,
//! with pattern ids `lexicon/<cue id>`; the check stage chooses between them and the rest.
//! The file is parsed by the pure function [`parse`] (errors carry `file:line`) and loaded
//! with the other rule files by [`crate::rules`] (`Config.rules.lexicon`).

use crate::clean::CleanText;
use crate::extract::Candidate;
use crate::normalize::{json_number, parse_number, round_cents, to_yuan};
use crate::patterns::{PatternError, line_of};
use crate::segment::Outline;
use regex::Regex;
use serde::Deserialize;
use std::sync::OnceLock;

/// The built-in lexicon file.
pub const SOURCE: (&str, &str) = (
    "patterns/lexicon.toml",
    include_str!("../patterns/lexicon.toml"),
);

/// What a cue's amount is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CueKind {
    /// X万元 / X元 / X亿元 → yuan.
    Money,
    /// X% → percent.
    Percent,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScopeDe {
    disqualify: Vec<String>,
    subfund: Vec<String>,
    subfund_penalty: f64,
    avoid_sections: Vec<String>,
    #[serde(default)]
    shield: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CueDe {
    id: String,
    key: String,
    kind: CueKind,
    confidence: f64,
    gap: usize,
    cues: Vec<String>,
    #[serde(default)]
    not_after: Vec<String>,
    /// Characters the gap between cue and amount may not hold (e.g. 支付 after a budget cue).
    #[serde(default)]
    gap_excludes: String,
    #[serde(default)]
    #[allow(dead_code)]
    note: Option<String>,
    #[serde(default)]
    example: Vec<ExampleDe>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExampleDe {
    text: String,
    #[serde(default)]
    value: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDe {
    scope: ScopeDe,
    cue: Vec<toml::Spanned<CueDe>>,
}

/// One cue rule, compiled.
#[derive(Debug, Clone)]
pub struct Cue {
    /// `lexicon/<id>`.
    pub id: String,
    pub key: String,
    pub kind: CueKind,
    pub confidence: f64,
    /// cue words, then a gap within the clause, then the amount (groups `num`, `unit`).
    pub regex: Regex,
    pub not_after: Vec<String>,
    /// (text, expected value; None = must give nothing).
    pub examples: Vec<(String, Option<f64>)>,
    /// `file:line`.
    pub origin: String,
}

/// The whole lexicon.
#[derive(Debug, Clone)]
pub struct Lexicon {
    pub cues: Vec<Cue>,
    pub disqualify: Vec<String>,
    pub subfund: Vec<String>,
    pub subfund_penalty: f64,
    pub avoid_sections: Vec<String>,
    /// Compounds that hold a disqualify word without its sense (高标准农田 holds 标准): they are
    /// blanked out of a clause before the disqualify check.
    pub shield: Vec<String>,
}

const MONEY_KEYS: &[&str] = &[
    "budget.initial",
    "budget.adjusted",
    "income.total",
    "expenditure.actual",
    "expenditure.basic",
    "expenditure.project",
    "expenditure.personnel",
    "expenditure.public",
];

/// Characters that end a clause for the matcher: the gap may not cross them, and the scope
/// check looks back to the last one.
const BREAKS: &[char] = &['。', '；', ';', '，', ',', '\n', '!', '！', '?', '？'];

/// Parse and compile a lexicon file.
pub fn parse(origin: &str, text: &str) -> Result<Lexicon, PatternError> {
    let err = |line: usize, reason: String| PatternError {
        file: origin.to_string(),
        line,
        reason,
    };
    let de: FileDe = crate::patterns::from_toml(origin, text)?;
    let mut cues = Vec::new();
    for sp in de.cue {
        let line = line_of(text, sp.span().start);
        let c = sp.into_inner();
        let fits = match c.kind {
            CueKind::Money => MONEY_KEYS.contains(&c.key.as_str()),
            CueKind::Percent => c.key == "expenditure.execution_rate",
        };
        if !fits {
            return Err(err(
                line,
                format!(
                    "cue `{}`: kind {:?} does not fit key `{}`",
                    c.id, c.kind, c.key
                ),
            ));
        }
        if !(0.0..=1.0).contains(&c.confidence) {
            return Err(err(line, format!("cue `{}`: confidence must be 0–1", c.id)));
        }
        if c.cues.is_empty() {
            return Err(err(line, format!("cue `{}`: no cue words", c.id)));
        }
        if c.example.len() < 2 {
            return Err(err(
                line,
                format!("cue `{}`: needs examples from at least two documents", c.id),
            ));
        }
        let amount = match c.kind {
            CueKind::Money => {
                r"(?P<num>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)\s*(?P<unit>亿元|万元|元)"
            }
            CueKind::Percent => r"(?P<num>\d+(?:\.\d+)?)\s*%",
        };
        let excl: String = c
            .gap_excludes
            .trim()
            .chars()
            .map(|ch| regex::escape(&ch.to_string()))
            .collect();
        let src = format!(
            r"(?:{})(?:[^。；;，,\n!！?？\d{excl}]|(?:19|20)\d\d\s*年度?){{0,{}}}?{amount}",
            c.cues.join("|"),
            c.gap
        );
        let regex =
            Regex::new(&src).map_err(|e| err(line, format!("cue `{}`: bad regex: {e}", c.id)))?;
        let groups = match c.kind {
            CueKind::Money => 2,
            CueKind::Percent => 1,
        };
        if regex.capture_names().flatten().count() != groups {
            return Err(err(
                line,
                format!("cue `{}`: cue words must not have named groups", c.id),
            ));
        }
        cues.push(Cue {
            id: format!("lexicon/{}", c.id),
            key: c.key,
            kind: c.kind,
            confidence: c.confidence,
            regex,
            not_after: c.not_after,
            examples: c.example.into_iter().map(|e| (e.text, e.value)).collect(),
            origin: format!("{origin}:{line}"),
        });
    }
    if !(0.0..=1.0).contains(&de.scope.subfund_penalty) {
        return Err(err(1, "scope.subfund_penalty must be 0–1".into()));
    }
    Ok(Lexicon {
        cues,
        disqualify: de.scope.disqualify,
        subfund: de.scope.subfund,
        subfund_penalty: de.scope.subfund_penalty,
        avoid_sections: de.scope.avoid_sections,
        shield: de.scope.shield,
    })
}

impl Lexicon {
    /// No cues at all (a rule set without `lexicon.toml`).
    pub fn empty() -> Lexicon {
        Lexicon {
            cues: vec![],
            disqualify: vec![],
            subfund: vec![],
            subfund_penalty: 0.0,
            avoid_sections: vec![],
            shield: vec![],
        }
    }
}

impl Lexicon {
    /// Run every cue's examples: the cue alone, on the cleaned example text, must give the
    /// stated value first (or nothing, for a counter-example). The first failure is a
    /// `file:line` error naming the cue.
    pub fn verify_examples(&self) -> Result<(), PatternError> {
        for cue in &self.cues {
            for (text, want) in &cue.examples {
                let clean = CleanText::from_single(text);
                let outline = crate::segment::segment(&clean);
                let got = run_cue(self, cue, &clean.text, Some(&outline));
                let first = got.first().and_then(|c| c.value.as_f64());
                let ok = match (first, want) {
                    (None, None) => true,
                    (Some(a), Some(b)) => (a - b).abs() < 0.005,
                    _ => false,
                };
                if !ok {
                    let (file, line) = cue
                        .origin
                        .rsplit_once(':')
                        .map_or((cue.origin.as_str(), 0), |(f, l)| {
                            (f, l.parse().unwrap_or(0))
                        });
                    return Err(PatternError {
                        file: file.to_string(),
                        line,
                        reason: format!(
                            "cue {}: on {text:?} expected {want:?}, got {first:?}",
                            cue.id
                        ),
                    });
                }
            }
        }
        Ok(())
    }
}

/// The built-in lexicon, for tests and tools (the pipeline uses the one its `Config`
/// carries, `rules.lexicon`). Parsed once; the file is tested, so this cannot fail.
pub fn builtin() -> &'static Lexicon {
    static L: OnceLock<Lexicon> = OnceLock::new();
    L.get_or_init(|| parse(SOURCE.0, SOURCE.1).expect("patterns/lexicon.toml parses (tested)"))
}

/// Every cue match of `lex` in a document.
pub fn lexicon_candidates(text: &CleanText, outline: &Outline, lex: &Lexicon) -> Vec<Candidate> {
    let mut out = run(lex, &text.text, Some(outline));
    for c in &mut out {
        c.page = text.page_at(c.start);
    }
    out
}

/// Run every cue of `lex` over `text`.
pub fn run(lex: &Lexicon, text: &str, outline: Option<&Outline>) -> Vec<Candidate> {
    let mut out = Vec::new();
    for cue in &lex.cues {
        out.extend(run_cue(lex, cue, text, outline));
    }
    out.sort_by(|a, b| {
        a.start
            .cmp(&b.start)
            .then_with(|| a.pattern.cmp(&b.pattern))
    });
    out
}

/// Does the clause hold a disqualify word outside every shield compound?
fn disqualified(lex: &Lexicon, clause: &str) -> bool {
    let hit = |c: &str| lex.disqualify.iter().any(|w| c.contains(w.as_str()));
    if !lex.shield.iter().any(|w| clause.contains(w.as_str())) {
        return hit(clause);
    }
    let mut c = clause.to_string();
    for w in &lex.shield {
        c = c.replace(w.as_str(), "\u{3000}");
    }
    hit(&c)
}

fn run_cue(lex: &Lexicon, cue: &Cue, text: &str, outline: Option<&Outline>) -> Vec<Candidate> {
    let mut out = Vec::new();
    for caps in cue.regex.captures_iter(text) {
        let m = caps.get(0).expect("group 0");
        let num = caps.name("num").expect("num group");
        if cue
            .not_after
            .iter()
            .any(|w| text[..m.start()].ends_with(w.as_str()))
        {
            continue;
        }
        // The clause: from the last break before the cue up to the amount.
        let clause_start = text[..m.start()].rfind(BREAKS).map_or(0, |i| {
            i + text[i..].chars().next().map_or(1, char::len_utf8)
        });
        let clause = &text[clause_start..num.start()];
        if disqualified(lex, clause) {
            continue;
        }
        if let Some(o) = outline {
            let titles = o.titles_at(m.start());
            if titles
                .iter()
                .any(|t| lex.avoid_sections.iter().any(|w| t.contains(w.as_str())))
            {
                continue;
            }
        }
        let Some(n) = parse_number(num.as_str()) else {
            continue;
        };
        let (value, unit) = match cue.kind {
            CueKind::Money => {
                let u = caps.name("unit").map_or("元", |u| u.as_str());
                let Some(y) = to_yuan(n, u) else { continue };
                if y <= 0.0 {
                    continue;
                }
                (json_number(y), "yuan")
            }
            CueKind::Percent => {
                if n > 300.0 {
                    continue;
                }
                (json_number(round_cents(n)), "percent")
            }
        };
        let mut confidence = cue.confidence;
        if lex.subfund.iter().any(|w| clause.contains(w.as_str())) {
            confidence -= lex.subfund_penalty;
        }
        out.push(Candidate {
            key: cue.key.clone(),
            value,
            unit: Some(unit),
            raw: text[clause_start..m.end()].trim().to_string(),
            start: m.start(),
            end: m.end(),
            page: 1,
            pattern: cue.id.clone(),
            confidence,
            flags: vec![],
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexicon_file_parses() {
        let l = builtin();
        assert!(l.cues.len() >= 5);
        assert!(l.disqualify.iter().any(|w| w == "三公"));
    }

    /// Every example of every cue holds (see [`Lexicon::verify_examples`]).
    #[test]
    fn every_cue_example_holds() {
        builtin().verify_examples().unwrap();
    }

    #[test]
    fn a_failing_example_is_a_file_line_error() {
        let src = SOURCE.1.replacen("value = 710000", "value = 1", 1);
        let e = parse("patterns/lexicon.toml", &src)
            .unwrap()
            .verify_examples()
            .unwrap_err();
        assert!(e.line > 1 && e.reason.contains("allocated-total"), "{e}");
    }

    #[test]
    fn a_subfund_clause_is_trusted_less_than_a_total() {
        let l = builtin();
        let got = run(l, "2021年中央下达我市农业生产发展资金1969万元。", None);
        let total = run(l, "2021年我市下达农业生产发展资金1969万元。", None);
        assert!(got[0].confidence < total[0].confidence);
    }

    #[test]
    fn bad_files_name_their_line() {
        let e = parse("x.toml", "[scope]\ndisqualify=[]\nsubfund=[]\nsubfund_penalty=0.1\navoid_sections=[]\n\n[[cue]]\nid='a'\nkey='grade'\nkind='money'\nconfidence=0.5\ngap=3\ncues=['x']\n").unwrap_err();
        assert_eq!(e.line, 7, "{e}");
        assert!(e.to_string().starts_with("x.toml:7:"), "{e}");
        let e = parse("x.toml", "[scope]\ndisqualify=[]\nsubfund=[]\nsubfund_penalty=0.1\navoid_sections=[]\n[[cue]]\nid='a'\nkey='budget.initial'\nkind='money'\nconfidence=0.5\ngap=3\ncues=['(']\n[[cue.example]]\ntext='a'\n[[cue.example]]\ntext='b'\n").unwrap_err();
        assert!(e.reason.contains("bad regex"), "{e}");
    }
}
