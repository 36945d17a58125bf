//! Figures in target and actual cells, and whether a target was met.
//!
//! A target cell and an actual cell are compared only through figures that carry a unit of
//! the same family (`30亿元` vs `18.75亿元`, `≥2万亩` vs `2.1万亩`, `前75名` vs `第67名`):
//! every target figure needs an actual figure of its unit, taken in order. Anything else
//! (no figures, a unit missing on one side, words such as 全面完成) gives `unknown`; the
//! status is never guessed from words.

use super::template::Templates;
use crate::normalize::{parse_number, round_cents};
use crate::report::Figure;

/// The figures (number + unit) in a cell, in order. `unit_hint` is the row's unit column
/// (`%`), used when the cell is a bare number; `direction_hint` the row's 指标性质 (`≥`).
pub fn figures(
    t: &Templates,
    text: &str,
    unit_hint: Option<&str>,
    direction_hint: Option<&str>,
) -> Vec<Figure> {
    let mut out = Vec::new();
    for c in t.figure_re.captures_iter(text) {
        let m = c.get(0).expect("group 0");
        let prev = text[..m.start()].chars().next_back();
        if prev.is_some_and(|p| p.is_ascii_alphanumeric() || p == '.' || p == '-' || p == '_') {
            continue;
        }
        let Some(value) = parse_number(&c["num"]) else {
            continue;
        };
        let direction = direction_at(t, &text[..m.start()], &text[m.end()..]).map(str::to_string);
        out.push(Figure {
            value,
            unit: c["unit"].to_string(),
            direction,
            raw: m.as_str().to_string(),
        });
    }
    if out.is_empty()
        && let Some(unit) = unit_hint.map(str::trim).filter(|u| !u.is_empty())
    {
        // 004: `指标值 100 | 度量单位 %`; the cell holds the number, the unit column its unit.
        let (_, base) = t.split_unit(unit);
        let stripped = strip_direction_words(t, text.trim());
        if t.units.iter().any(|u| u == base)
            && let Some(value) = parse_number(stripped.1)
        {
            out.push(Figure {
                value,
                unit: unit.to_string(),
                direction: stripped.0.map(str::to_string),
                raw: text.trim().to_string(),
            });
        }
    }
    if let Some(d) = direction_hint.and_then(|h| direction_word(t, h.trim())) {
        for f in out.iter_mut().filter(|f| f.direction.is_none()) {
            f.direction = Some(d.to_string());
        }
    }
    out
}

/// The direction words touching a figure: the longest word right before it, else right
/// after it.
fn direction_at(t: &Templates, before: &str, after: &str) -> Option<&'static str> {
    let before = before.trim_end();
    t.before
        .iter()
        .find(|(w, _)| before.ends_with(w.as_str()))
        .or_else(|| {
            t.after
                .iter()
                .find(|(w, _)| after.trim_start().starts_with(w.as_str()))
        })
        .map(|(_, d)| *d)
}

/// A 指标性质 cell that is a direction word on its own (`≥`, `≤`, `不低于`).
fn direction_word(t: &Templates, s: &str) -> Option<&'static str> {
    t.before.iter().find(|(w, _)| w == s).map(|(_, d)| *d)
}

fn strip_direction_words<'a>(t: &Templates, s: &'a str) -> (Option<&'static str>, &'a str) {
    for (w, d) in &t.before {
        if let Some(rest) = s.strip_prefix(w.as_str()) {
            return (Some(d), rest.trim());
        }
    }
    (None, s)
}

/// Bare numbers beside a figure: `≤202.6万元` against `132.9` (the unit printed once, in
/// the target), `≥200` against `202` (no unit on either side: the same column's number). A
/// bare number takes the other side's unit; two bare numbers compare without one.
pub fn fill_bare(
    t: &Templates,
    target: &str,
    actual: &str,
    tf: &mut Vec<Figure>,
    af: &mut Vec<Figure>,
) {
    let bare = |s: &str| {
        let (d, rest) = strip_direction_words(t, s.trim());
        let rest = rest.trim_start_matches(['=', '＝']).trim();
        parse_number(rest).map(|v| (d, v, s.trim().to_string()))
    };
    let fig = |(d, v, raw): (Option<&'static str>, f64, String), unit: &str| Figure {
        value: v,
        unit: unit.to_string(),
        direction: d.map(str::to_string),
        raw,
    };
    match (tf.len(), af.len()) {
        (1, 0) => {
            if let Some(b) = bare(actual) {
                let unit = tf[0].unit.clone();
                af.push(fig(b, &unit));
            }
        }
        (0, 1) => {
            if let Some(b) = bare(target) {
                let unit = af[0].unit.clone();
                tf.push(fig(b, &unit));
            }
        }
        (0, 0) => {
            if let (Some(a), Some(b)) = (bare(target), bare(actual)) {
                tf.push(fig(a, ""));
                af.push(fig(b, ""));
            }
        }
        _ => {}
    }
}

/// A date in a cell (`2023年10月前`, `11月底前`, `2023年9月30日`): (year, month, day), the
/// year 0 when not printed, the day 31 for a month alone or its 底; and whether a word after
/// it makes it a deadline (前, 以前, 之前, 底前).
fn date_in(s: &str) -> Option<((u32, u32, u32), bool)> {
    use std::sync::OnceLock;
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        regex::Regex::new(
            r"(?:(\d{4})年)?(\d{1,2})月(?:(\d{1,2})[日号])?(底|末|份)?(前|以前|之前)?",
        )
        .expect("static regex")
    });
    let c = re.captures(s)?;
    let num = |k: usize| c.get(k).and_then(|m| m.as_str().parse::<u32>().ok());
    let month = num(2).filter(|m| (1..=12).contains(m))?;
    Some((
        (num(1).unwrap_or(0), month, num(3).unwrap_or(31)),
        c.get(5).is_some(),
    ))
}

/// A deadline against the date it was done by (`9月前` / `7月`, `2023年10月前` /
/// `2023年9月`): `met` when the actual date is not after the deadline. Only when both dates
/// print a year or neither does.
pub fn compare_dates(target: &str, actual: &str) -> Option<&'static str> {
    let ((t, deadline), (a, _)) = (date_in(target)?, date_in(actual)?);
    if !deadline || (t.0 == 0) != (a.0 == 0) {
        return None;
    }
    Some(if a <= t { "met" } else { "not_met" })
}

/// The status of a row whose figures do not compare: `met` when the actual cell repeats the
/// target's words (`合规` / `合规`) or is a word of `[status] met` (`达成预期指标`), `not_met`
/// for a word of `[status] not_met` (`未完成`); else `unknown`.
pub fn status_from_words(t: &Templates, target: &str, actual: &str) -> &'static str {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, '。' | '，' | ',' | '；' | ';'))
            .map(crate::clean::fold_char)
            .collect()
    };
    let (tn, an) = (norm(target), norm(actual));
    if an.is_empty() {
        return "unknown";
    }
    if let Some(s) = compare_dates(target, actual) {
        return s;
    }
    if t.not_met_words.contains(&an) {
        "not_met"
    } else if t.met_words.contains(&an) || an == tn {
        "met"
    } else {
        "unknown"
    }
}

/// Compare the target figures with the actual ones: `(status, ratio in percent)`.
pub fn compare(t: &Templates, target: &[Figure], actual: &[Figure]) -> (&'static str, Option<f64>) {
    if target.is_empty() || actual.is_empty() {
        return ("unknown", None);
    }
    let mut used = vec![false; actual.len()];
    let mut pairs = Vec::new();
    for tf in target {
        let (ts, tb) = t.split_unit(&tf.unit);
        let found = actual.iter().enumerate().find(|(i, af)| {
            let (_, ab) = t.split_unit(&af.unit);
            !used[*i] && ab == tb
        });
        let Some((i, af)) = found else {
            return ("unknown", None);
        };
        used[i] = true;
        let (as_, _) = t.split_unit(&af.unit);
        let (tv, av) = (tf.value * ts, af.value * as_);
        let eps = 1e-9 * tv.abs().max(1.0);
        let met = match tf.direction.as_deref() {
            Some("at_most") => av <= tv + eps,
            _ => av + eps >= tv,
        };
        let ratio = (tv != 0.0).then(|| round_cents(av / tv * 100.0));
        pairs.push((met, ratio));
    }
    let decisive = pairs.iter().find(|p| !p.0).unwrap_or(&pairs[0]);
    let status = if pairs.iter().all(|p| p.0) {
        "met"
    } else {
        "not_met"
    };
    (status, decisive.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figs(s: &str) -> Vec<Figure> {
        figures(Templates::builtin(), s, None, None)
    }

    fn status(target: &str, actual: &str) -> (&'static str, Option<f64>) {
        compare(Templates::builtin(), &figs(target), &figs(actual))
    }

    #[test]
    fn figures_carry_units_and_directions() {
        let f = figs("城市综合管理全市街道考核总排名前75名，区级考核月得分不低于90分");
        assert_eq!(f.len(), 2);
        assert_eq!((f[0].value, f[0].unit.as_str()), (75.0, "名"));
        assert_eq!(f[0].direction.as_deref(), Some("at_most"));
        assert_eq!(f[1].direction.as_deref(), Some("at_least"));
        let f = figs("涉及居民1,368户，完成供水管网9.6公里，0.08个百分点，2022年11月30日前");
        let got: Vec<(f64, &str)> = f.iter().map(|f| (f.value, f.unit.as_str())).collect();
        assert_eq!(got, vec![(1368.0, "户"), (9.6, "公里"), (0.08, "个百分点")]);
        assert_eq!(
            figs("领导班子成员每年讲党课 1 次以上")[0]
                .direction
                .as_deref(),
            Some("at_least")
        );
    }

    #[test]
    fn status_needs_comparable_figures() {
        assert_eq!(
            status(
                "招商引资实际到位资金30亿元",
                "招商引资实际到位资金18.75亿元"
            ),
            ("not_met", Some(62.5))
        );
        assert_eq!(
            status("固定资产投资13亿元", "固定资产投资13亿元"),
            ("met", Some(100.0))
        );
        assert_eq!(status("≥2万亩", "21000亩").0, "met");
        assert_eq!(status("每亩补助标准≤150元", "145元").0, "met");
        assert_eq!(
            status(
                "排名前75名，月得分不低于90分",
                "全市排名第67名，月得分超过90分"
            )
            .0,
            "met"
        );
        assert_eq!(
            status("改造道路4.2万平方米", "完成3.85万平方米，剩余0.35万平方米").0,
            "not_met"
        );
        // A target figure without a partner of its unit: not comparable.
        assert_eq!(
            status("新增企业3家，产值1.5亿元", "产值1.83亿元"),
            ("unknown", None)
        );
        assert_eq!(status("新登记市场主体418家", "全面完成"), ("unknown", None));
    }

    #[test]
    fn bare_numbers_and_words() {
        let t = Templates::builtin();
        let check = |target: &str, actual: &str| {
            let (mut tf, mut af) = (figs(target), figs(actual));
            fill_bare(t, target, actual, &mut tf, &mut af);
            compare(t, &tf, &af)
        };
        assert_eq!(check("≤202.6万元", "132.9").0, "met");
        assert_eq!(check("≥200", "202"), ("met", Some(101.0)));
        assert_eq!(check("≤4", "5").0, "not_met");
        assert_eq!(check("=8个", "8"), ("met", Some(100.0)));
        assert_eq!(check("全面完成", "80%"), ("unknown", None));
        assert_eq!(status_from_words(t, "合规", "合规"), "met");
        assert_eq!(
            status_from_words(t, "严格执行相关制度", "达成预期指标"),
            "met"
        );
        assert_eq!(status_from_words(t, "按期完成", "未完成"), "not_met");
        assert_eq!(status_from_words(t, "效果明显", "较好"), "unknown");
        assert_eq!(status_from_words(t, "2022年12月前", "2022年12月前"), "met");
        assert_eq!(status_from_words(t, "2022年12月前", "2023年3月"), "not_met");
        assert_eq!(status_from_words(t, "9月前", "7月"), "met");
        assert_eq!(status_from_words(t, "11月底前", "12月5日"), "not_met");
        assert_eq!(status_from_words(t, "2023年10月前", "10月"), "unknown");
        assert_eq!(status_from_words(t, "2023年10月", "2023年9月"), "unknown");
    }

    #[test]
    fn unit_and_direction_columns_help_bare_numbers() {
        let t = Templates::builtin();
        let f = figures(t, "100", Some("%"), Some("≥"));
        assert_eq!(
            (f[0].value, f[0].unit.as_str(), f[0].direction.as_deref()),
            (100.0, "%", Some("at_least"))
        );
        assert!(figures(t, "100", Some("项目"), None).is_empty());
    }
}
