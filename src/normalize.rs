//! Normalize stage: raw number, unit and grade text → canonical values.
//!
//! The contract fixes the units (money in yuan, rates in percent, counts in persons) and the
//! grade vocabulary (优/良/中/差). Everything that turns a matched snippet into such a value
//! lives here, so extraction patterns only say *where* a value is, never how to convert it.

/// An execution rate above this many percent is flagged `implausible` (a rate far above
/// 100 % is possible — the seed report states 152.5 % — but above this it is a misread).
pub const IMPLAUSIBLE_RATE_PERCENT: f64 = 300.0;

/// Parse a decimal number as printed in reports: thousands separators (`282,796.90`),
/// long decimals (`52.800000`), a stray space after cleaning. `None` when it is not a number.
pub fn parse_number(raw: &str) -> Option<f64> {
    let s: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ',' && *c != '，')
        .map(crate::clean::fold_char)
        .collect();
    if s.is_empty() || s.chars().filter(|&c| c == '.').count() > 1 {
        return None;
    }
    if !s.chars().all(|c| c.is_ascii_digit() || c == '.')
        || !s.starts_with(|c: char| c.is_ascii_digit())
    {
        return None;
    }
    s.parse::<f64>().ok()
}

/// The multiplier that turns an amount in `unit` into yuan.
pub fn money_multiplier(unit: &str) -> Option<f64> {
    match unit.trim() {
        "元" => Some(1.0),
        "千元" => Some(1e3),
        "万元" | "万" => Some(1e4),
        "亿元" | "亿" => Some(1e8),
        _ => None,
    }
}

/// Convert an amount to yuan, rounded to cents (never float noise such as
/// `32290700.000000004`).
pub fn to_yuan(amount: f64, unit: &str) -> Option<f64> {
    money_multiplier(unit).map(|m| round_cents(amount * m))
}

/// Round to two decimals in a way that survives binary floating point.
pub fn round_cents(v: f64) -> f64 {
    let r = (v * 100.0).round() / 100.0;
    // Integers print without a fraction when they are integers.
    if (r - r.round()).abs() < 1e-9 {
        r.round()
    } else {
        r
    }
}

/// A float as a JSON number: integral values become JSON integers.
pub fn json_number(v: f64) -> serde_json::Value {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        serde_json::Value::from(v as i64)
    } else {
        serde_json::Value::from(v)
    }
}

/// Chinese numerals as counts are written in words (`十一`, `二十三`, `一百零五`, `两`).
pub fn parse_chinese_numeral(s: &str) -> Option<u64> {
    let digit = |c: char| -> Option<u64> {
        Some(match c {
            '零' | '〇' => 0,
            '一' | '壹' => 1,
            '二' | '两' | '贰' => 2,
            '三' | '叁' => 3,
            '四' | '肆' => 4,
            '五' | '伍' => 5,
            '六' | '陆' => 6,
            '七' | '柒' => 7,
            '八' | '捌' => 8,
            '九' | '玖' => 9,
            _ => return None,
        })
    };
    if s.is_empty() {
        return None;
    }
    let mut total = 0u64;
    let mut section = 0u64;
    let mut current: Option<u64> = None;
    for c in s.chars() {
        if let Some(d) = digit(c) {
            current = Some(d);
            continue;
        }
        let unit = match c {
            '十' | '拾' => 10,
            '百' | '佰' => 100,
            '千' | '仟' => 1000,
            '万' => 10_000,
            _ => return None,
        };
        if unit == 10_000 {
            section += current.take().unwrap_or(0);
            total += section * unit;
            section = 0;
        } else {
            section += current.take().unwrap_or(1) * unit;
        }
    }
    Some(total + section + current.unwrap_or(0))
}

/// A count written in digits or Chinese numerals.
pub fn parse_count(raw: &str) -> Option<u64> {
    let t = raw.trim();
    if let Some(v) = parse_number(t) {
        return (v.fract() == 0.0 && v >= 0.0).then_some(v as u64);
    }
    parse_chinese_numeral(t)
}

/// Normalize a grade word to the contract's 优/良/中/差.
pub fn normalize_grade(raw: &str) -> Option<&'static str> {
    let t: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '"' | '“' | '”' | '「' | '」' | '‘' | '’'))
        .collect();
    Some(match t.as_str() {
        // 好 / 较好 / 一般 / 差: the four-level scale some provinces print instead.
        "优" | "优秀" | "优等" | "好" | "A" | "A级" => "优",
        "良" | "良好" | "较好" | "B" | "B级" => "良",
        "中" | "中等" | "合格" | "及格" | "一般" | "C" | "C级" => "中",
        "差" | "较差" | "不合格" | "不及格" | "D" | "D级" => "差",
        _ => return None,
    })
}

/// The grade band of a score under the common national scale (≥90 优, 80–90 良, 60–80 中,
/// <60 差), used only as a cross-check, never to fill the grade.
pub fn grade_band(score: f64) -> &'static str {
    if score >= 90.0 {
        "优"
    } else if score >= 80.0 {
        "良"
    } else if score >= 60.0 {
        "中"
    } else {
        "差"
    }
}

/// The grade scale a document states for itself ("90分（含）以上为“优秀”，80分（含）至90分为
/// “良好”…"): the lower bound of each grade, highest first. `None` unless at least three
/// grades are given, so a passing mention is not taken for a scale.
pub fn grade_scale(text: &str) -> Option<Vec<(f64, &'static str)>> {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| {
        regex::Regex::new(
            r#"(?P<lo>\d{1,3})\s*分?\s*(?:\(含\)|（含）)?\s*(?:(?:以上|及以上)|(?:至|-|~|—)\s*\d{1,3}\s*分\s*(?:\(不含\))?(?:之间|以下)?)\s*(?:的)?(?:为|是|评为|定为)\s*[“"]?(?P<g>优秀|良好|合格|不合格|优|良|中|差)"#,
        )
        .expect("static regex")
    });
    let mut scale: Vec<(f64, &'static str)> = re
        .captures_iter(text)
        .filter_map(|c| Some((c["lo"].parse::<f64>().ok()?, normalize_grade(&c["g"])?)))
        .collect();
    scale.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal));
    scale.dedup_by(|a, b| a.1 == b.1);
    (scale.len() >= 3).then_some(scale)
}

/// The grade of `score` under a stated scale; below every lower bound is 差.
pub fn grade_in_scale(score: f64, scale: &[(f64, &'static str)]) -> &'static str {
    scale
        .iter()
        .find(|(lo, _)| score >= *lo)
        .map_or("差", |(_, g)| g)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_with_separators_long_decimals_and_full_width_digits() {
        assert_eq!(parse_number("282,796.90"), Some(282796.9));
        assert_eq!(parse_number("52.800000"), Some(52.8));
        assert_eq!(parse_number("１２３．５"), Some(123.5));
        assert_eq!(parse_number("1 517.39"), Some(1517.39));
        assert_eq!(parse_number("1.2.3"), None);
        assert_eq!(parse_number("abc"), None);
        assert_eq!(parse_number(""), None);
    }

    #[test]
    fn money_goes_to_yuan_without_float_noise() {
        assert_eq!(to_yuan(3229.07, "万元"), Some(32290700.0));
        assert_eq!(to_yuan(18.75, "亿元"), Some(1875000000.0));
        assert_eq!(to_yuan(9265.353442, "万元"), Some(92653534.42));
        assert_eq!(to_yuan(1.0, "美元"), None);
        assert_eq!(json_number(32290700.0).to_string(), "32290700");
        assert_eq!(json_number(92653534.42).to_string(), "92653534.42");
    }

    #[test]
    fn chinese_numerals() {
        assert_eq!(parse_chinese_numeral("十一"), Some(11));
        assert_eq!(parse_chinese_numeral("二十三"), Some(23));
        assert_eq!(parse_chinese_numeral("一百零五"), Some(105));
        assert_eq!(parse_chinese_numeral("两"), Some(2));
        assert_eq!(parse_chinese_numeral("三万二千"), Some(32000));
        assert_eq!(parse_chinese_numeral("十一个"), None);
        assert_eq!(parse_count("69"), Some(69));
        assert_eq!(parse_count("6.5"), None);
    }

    #[test]
    fn a_stated_grade_scale_is_read() {
        let t = "评价等级分为四档：90分（含）以上为“优秀”，80分（含）至90分为“良好”，60分（含）至80分为“中”，60分以下为“差”。";
        let sc = grade_scale(&crate::clean::CleanText::from_single(t).text).unwrap();
        assert_eq!(sc, vec![(90.0, "优"), (80.0, "良"), (60.0, "中")]);
        assert_eq!(grade_in_scale(86.5, &sc), "良");
        assert_eq!(grade_in_scale(59.0, &sc), "差");
        let t = "85分以上为优，70-85分为良，60-70分为合格，60分以下为不合格";
        assert_eq!(grade_scale(t).unwrap()[0], (85.0, "优"));
        assert!(grade_scale("综合得分86分，评价等级为良").is_none());
    }

    #[test]
    fn grades() {
        assert_eq!(normalize_grade("优秀"), Some("优"));
        assert_eq!(normalize_grade("“良好”"), Some("良"));
        assert_eq!(normalize_grade("合格"), Some("中"));
        assert_eq!(normalize_grade("不合格"), Some("差"));
        assert_eq!(normalize_grade("很好"), None);
        assert_eq!(normalize_grade("好"), Some("优"));
        assert_eq!(normalize_grade("较好"), Some("良"));
        assert_eq!(grade_band(97.0), "优");
        assert_eq!(grade_band(86.5), "良");
    }
}
