//! Extract stage: run the pattern set over the cleaned text → candidate values.
//!
//! A candidate is one match of one pattern, already converted to the canonical unit. Several
//! candidates for the same key are normal (a total repeated in the summary, a loose fallback
//! that also fires); choosing between them, and flagging disagreement, is the check stage's
//! job, so this stage keeps every candidate with its position and pattern.

use crate::clean::CleanText;
use crate::normalize::{json_number, normalize_grade, parse_count, parse_number, to_yuan};
use crate::patterns::{Pattern, PatternError, PatternSet, ValueKind};
use crate::report::Flag;
use crate::segment::Outline;
use serde_json::Value;

/// One match of one pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub key: String,
    pub value: Value,
    pub unit: Option<&'static str>,
    /// The matched text (after clean-up).
    pub raw: String,
    /// Byte range of the match in the cleaned text.
    pub start: usize,
    pub end: usize,
    pub page: usize,
    /// `file-stem/id` of the pattern.
    pub pattern: String,
    /// The pattern's own trust level.
    pub confidence: f64,
    /// Flags raised while reading the value (e.g. `implausible`).
    pub flags: Vec<String>,
}

/// Run every pattern of `set` over the text.
pub fn extract(text: &CleanText, outline: &Outline, set: &PatternSet) -> Vec<Candidate> {
    let mut out = Vec::new();
    for p in &set.patterns {
        for mut c in run_pattern(p, &text.text, Some(outline)) {
            c.page = text.page_at(c.start);
            out.push(c);
        }
    }
    out.sort_by(|a, b| {
        a.start
            .cmp(&b.start)
            .then_with(|| a.pattern.cmp(&b.pattern))
    });
    out
}

/// Run one pattern over a text (with its outline when known, for section anchors).
pub fn run_pattern(p: &Pattern, text: &str, outline: Option<&Outline>) -> Vec<Candidate> {
    let mut out = Vec::new();
    for caps in p.regex.captures_iter(text) {
        let m = caps.get(0).expect("group 0");
        if p.not_after
            .iter()
            .any(|w| text[..m.start()].ends_with(w.as_str()))
        {
            continue;
        }
        if !p.not_before.is_empty() {
            let after = text[m.end()..].trim_start_matches([' ', ',', '，', ':', '：']);
            if p.not_before.iter().any(|w| after.starts_with(w.as_str())) {
                continue;
            }
        }
        if !p.clause_avoid.is_empty() {
            let before = &text[..m.start()];
            let from = before.rfind(['。', '；', ';', '\n']).map_or(0, |i| {
                i + before[i..].chars().next().map_or(1, char::len_utf8)
            });
            let clause = &before[from..];
            // A word right before the match (其中年初预算X万元: the total's own part) is the
            // match's label, not an earlier scope.
            let near = clause.trim_end_matches([' ', ',', '，', ':', '：']);
            if p.clause_avoid
                .iter()
                .any(|w| clause.contains(w.as_str()) && !near.ends_with(w.as_str()))
            {
                continue;
            }
        }
        if !p.within.is_empty() || !p.avoid.is_empty() {
            let titles = outline.map(|o| o.titles_at(m.start())).unwrap_or_default();
            let hit = |titles: &[&str], words: &[String]| {
                titles
                    .iter()
                    .any(|t| words.iter().any(|w| t.contains(w.as_str())))
            };
            if !p.within.is_empty() && !hit(&titles, &p.within) {
                continue;
            }
            let outside: Vec<std::borrow::Cow<str>> = titles
                .iter()
                .map(|t| outside_match(t, m.as_str()))
                .collect();
            let outside: Vec<&str> = outside.iter().map(|t| t.as_ref()).collect();
            if hit(&outside, &p.avoid) {
                continue;
            }
        }
        let Some((value, unit, flags)) = read_value(p, &caps, &text[..m.start()]) else {
            continue;
        };
        out.push(Candidate {
            key: p.key.clone(),
            value,
            unit,
            raw: m.as_str().trim().to_string(),
            start: m.start(),
            end: m.end(),
            page: 1,
            pattern: p.id.clone(),
            confidence: p.confidence,
            flags,
        });
    }
    out
}

/// The part of a section title a pattern's `avoid` words are checked in. A title that
/// holds the match itself outside brackets (a run-together heading such as
/// `1、X项目绩效自评报告自评得分100分…`) is judged by its other words, so the value a title
/// states is not avoided for being in it; a bracketed score (`（自评得分13分）`) is the
/// section's own and the whole title counts.
fn outside_match<'t>(title: &'t str, matched: &str) -> std::borrow::Cow<'t, str> {
    match title.find(matched.trim()) {
        Some(at) if !matched.trim().is_empty() => {
            let before = &title[..at];
            let open = before.matches(['(', '（', '[', '【']).count();
            let close = before.matches([')', '）', ']', '】']).count();
            if open > close {
                title.into()
            } else {
                format!("{}{}", before, &title[at + matched.trim().len()..]).into()
            }
        }
        _ => title.into(),
    }
}

type Read = (Value, Option<&'static str>, Vec<String>);

/// Convert a match's groups into the canonical value for the pattern's kind.
fn read_value(p: &Pattern, caps: &regex::Captures, before: &str) -> Option<Read> {
    let group = |n: &str| caps.name(n).map(|m| m.as_str());
    let mut flags = Vec::new();
    Some(match p.kind {
        ValueKind::Money => {
            let n = parse_number(group("num")?)?;
            let unit = match (group("unit"), p.unit.as_deref()) {
                (Some(u), _) => u.to_string(),
                (None, Some("context")) => context_unit(before)?,
                (None, Some(u)) => u.to_string(),
                (None, None) => return None,
            };
            (json_number(to_yuan(n, &unit)?), Some("yuan"), flags)
        }
        ValueKind::Percent => {
            let n = parse_number(group("num")?)?;
            if n > crate::normalize::IMPLAUSIBLE_RATE_PERCENT {
                flags.push(Flag::Implausible.into());
            }
            (
                json_number(crate::normalize::round_cents(n)),
                Some("percent"),
                flags,
            )
        }
        ValueKind::Points => {
            let n = parse_number(group("num")?)?;
            if n > 100.0 {
                return None;
            }
            (json_number(n), Some("points"), flags)
        }
        ValueKind::Count => {
            let n = parse_count(group("num")?)?;
            (Value::from(n), Some("persons"), flags)
        }
        ValueKind::Year => {
            let raw = group("value")?;
            let y: i64 = raw.trim().parse().ok()?;
            if !(1990..=2100).contains(&y) {
                return None;
            }
            (Value::from(y), None, flags)
        }
        ValueKind::Text => {
            let v = group("value")?
                .trim()
                .trim_matches(|c: char| {
                    c.is_whitespace() || matches!(c, ':' | '|' | ',' | '，' | '。')
                })
                // a name broken over two lines (a title wrapped in the PDF) is one name
                .replace('\n', "");
            if v.chars().count() < 2 {
                return None;
            }
            (Value::from(v), None, flags)
        }
        ValueKind::Grade => (Value::from(normalize_grade(group("value")?)?), None, flags),
        ValueKind::Fixed => (Value::from(p.fixed_value.clone()?), None, flags),
    })
}

/// Run the examples of `patterns`: each pattern alone, on its cleaned example text, must give
/// the stated value (or nothing, for a counter-example). The first failure is a `file:line`
/// error at the pattern; a pattern without examples is one too.
pub fn verify_examples<'a>(
    patterns: impl IntoIterator<Item = &'a Pattern>,
) -> Result<(), PatternError> {
    for p in patterns {
        let fail = |reason: String| {
            let (file, line) = p.origin.rsplit_once(':').unwrap_or((&p.origin, "0"));
            Err(PatternError {
                file: file.to_string(),
                line: line.parse().unwrap_or(0),
                reason: format!("pattern `{}`: {reason}", p.id),
            })
        };
        if p.examples.is_empty() {
            return fail("has no example".into());
        }
        for ex in &p.examples {
            let clean = CleanText::from_single(&ex.text);
            let outline = crate::segment::segment(&clean);
            let got = run_pattern(p, &clean.text, Some(&outline));
            let first = got.first().map(|c| c.value.clone());
            if first != ex.value {
                return fail(format!(
                    "on {:?} expected {:?}, got {:?}",
                    ex.text, ex.value, first
                ));
            }
        }
    }
    Ok(())
}

/// The money unit a table declares in a heading before a cell: `金额（元）`, `（万元）`,
/// `金额单位：万元`. Looks back at most 1500 bytes; None when no heading is found.
pub fn context_unit(before: &str) -> Option<String> {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| {
        regex::Regex::new(
            r"(?:\(\s*(?:金额)?(?:单位[:：]?)?\s*(亿元|万元|元)\s*\)|单位[:：]\s*(亿元|万元|元))",
        )
        .expect("static regex")
    });
    let mut from = before.len().saturating_sub(1500);
    while !before.is_char_boundary(from) {
        from += 1;
    }
    re.captures_iter(&before[from..])
        .last()
        .and_then(|c| c.get(1).or(c.get(2)))
        .map(|m| m.as_str().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clean::CleanText;
    use crate::segment::segment;

    #[test]
    fn a_title_is_judged_without_the_value_it_states_unless_bracketed() {
        let run_on = "黄冈某馆2020年度项目绩效自评报告自评得分100分绩效目标完成情况";
        assert_eq!(
            outside_match(run_on, "自评得分100分"),
            "黄冈某馆2020年度项目绩效自评报告绩效目标完成情况"
        );
        let scored = "决策指标(分值15分,自评得分13分)";
        assert_eq!(outside_match(scored, "自评得分13分"), scored);
        assert_eq!(outside_match("预算执行情况", "执行率100%"), "预算执行情况");
    }

    /// Every example of every built-in pattern: the pattern alone, on the cleaned example
    /// text, must give the stated value (or nothing, for counter-examples).
    #[test]
    fn every_pattern_example_holds() {
        let set = crate::rules::Rules::builtin().unwrap().fields;
        let mut failures = Vec::new();
        let mut n = 0;
        for p in &set.patterns {
            assert!(
                !p.examples.is_empty(),
                "{} ({}) has no example",
                p.id,
                p.origin
            );
            for ex in &p.examples {
                n += 1;
                let clean = CleanText::from_single(&ex.text);
                let outline = segment(&clean);
                let got = run_pattern(p, &clean.text, Some(&outline));
                let first = got.first().map(|c| c.value.clone());
                if first != ex.value {
                    failures.push(format!(
                        "{} ({}): on {:?} expected {:?}, got {:?}",
                        p.id, p.origin, ex.text, ex.value, first
                    ));
                }
            }
        }
        assert!(
            failures.is_empty(),
            "{} of {n} examples failed:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }

    #[test]
    fn a_failing_example_is_a_file_line_error() {
        let src = "[[pattern]]\nid = \"a\"\nkey = \"year\"\nkind = \"year\"\nconfidence = 0.5\nregex = '(?P<value>20\\d\\d)年度'\n[[pattern.example]]\ntext = \"2021年度\"\nvalue = 2022\n";
        let pats = crate::patterns::parse_file("u.toml", src).unwrap();
        let e = verify_examples(&pats).unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("u.toml", 1), "{e}");
        assert!(e.reason.contains("expected Some(Number(2022))"), "{e}");
        let ok = src.replace("value = 2022", "value = 2021");
        verify_examples(&crate::patterns::parse_file("u.toml", &ok).unwrap()).unwrap();
    }
}
