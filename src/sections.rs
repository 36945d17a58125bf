//! Section scores: which parts of the evaluation were worth how many points, and what each
//! scored (预算执行情况 20 / 19, 产出指标 40 / 38 …).
//!
//! Reports print them in three shapes, all read here:
//!
//! * a heading with the maximum and the score: `（一）决策指标（分值 15 分，自评得分 13 分）`;
//! * a heading with one number and the score in the body: `（一）预算执行情况（评价得分 20 分）`
//!   then `…评价得分 19 分`. The heading's number is the maximum; when the body disagrees,
//!   the section carries the flag `heading_body_disagree`, so a user can see both;
//! * inline: `产出指标得分45.1分（分值55分）`, `产出指标6项（分值50分，得分49分）`.

use crate::clean::CleanText;
use crate::normalize::parse_number;
use crate::report::{Flag, SectionScore};
use crate::segment::Outline;
use regex::Regex;
use std::sync::OnceLock;

fn heading_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(concat!(
            r"^(?P<name>[\p{Han}、与和及]{2,20}?)\s*\(\s*(?P<label>分值|满分|权重|评价得分|得分|总分)?\s*(?P<a>\d+(?:\.\d+)?)\s*分",
            r"(?:\s*[,，;；]\s*(?:自评|评价|实际)?得分\s*(?P<b>\d+(?:\.\d+)?)\s*分)?\s*\)"
        ))
        .expect("static regex")
    })
}

fn body_score_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?:评价|自评|实际)?得分(?:为|是)?\s*(?P<s>\d+(?:\.\d+)?)\s*分")
            .expect("static regex")
    })
}

fn inline_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(concat!(
            r"(?P<n1>[\p{Han}]{2,10}?)得分(?P<s1>\d+(?:\.\d+)?)分\((?:分值|满分)(?P<m1>\d+(?:\.\d+)?)分\)",
            r"|(?P<n2>[\p{Han}]{2,10}?)(?:\d+项)?\((?:分值|满分)(?P<m2>\d+(?:\.\d+)?)分[,，]\s*得分(?P<s2>\d+(?:\.\d+)?)分\)"
        ))
        .expect("static regex")
    })
}

/// Read the scored sections of a document.
pub fn section_scores(text: &CleanText, outline: &Outline) -> Vec<SectionScore> {
    let s = &text.text;
    let mut out = Vec::new();
    for (i, node) in outline.nodes.iter().enumerate() {
        let Some(c) = heading_re().captures(&node.title) else {
            continue;
        };
        let name = c["name"].to_string();
        let a = parse_number(&c["a"]);
        let b = c.name("b").and_then(|m| parse_number(m.as_str()));
        let line_end = s[node.start..]
            .find('\n')
            .map_or(s.len(), |e| node.start + e);
        let mut flags = Vec::new();
        let (max, score) = match b {
            Some(b) => (a, Some(b)),
            None => {
                // Body up to the first child heading.
                let body_end = outline
                    .children(i)
                    .next()
                    .map_or(node.end, |j| outline.nodes[j].start)
                    .max(line_end);
                let rest_of_line = &s[node.start..line_end];
                let after_heading = rest_of_line
                    .rfind(')')
                    .map(|p| &rest_of_line[p + 1..])
                    .unwrap_or("");
                let body = format!("{after_heading}\n{}", &s[line_end.min(body_end)..body_end]);
                let body_score = body_score_re()
                    .captures(&body)
                    .and_then(|m| parse_number(&m["s"]));
                match (body_score, a) {
                    (Some(bs), Some(h)) if (bs - h).abs() > 1e-9 => {
                        flags.push(Flag::HeadingBodyDisagree.into());
                        (Some(h), Some(bs))
                    }
                    (Some(bs), _) => (a, Some(bs)),
                    (None, _) if c.name("label").is_some_and(|l| l.as_str().contains("得分")) => {
                        // 评价得分 X in the heading with no body figure: X may be either the
                        // maximum or the score; report it as the maximum only.
                        (a, None)
                    }
                    (None, _) => (a, None),
                }
            }
        };
        if let (Some(m), Some(sc)) = (max, score)
            && sc > m + 1e-9
        {
            flags.push(Flag::ScoreAboveMax.into());
        }
        out.push(SectionScore {
            name,
            max,
            score,
            level: node.level,
            page: text.page_at(node.start),
            raw: s[node.start..line_end].trim().to_string(),
            flags,
        });
    }
    if out.is_empty() {
        for c in inline_re().captures_iter(s) {
            let m = c.get(0).expect("group 0");
            let (n, sc, mx) = if c.name("n1").is_some() {
                (&c["n1"], &c["s1"], &c["m1"])
            } else {
                (&c["n2"], &c["s2"], &c["m2"])
            };
            let name = n.trim_start_matches("其中").to_string();
            out.push(SectionScore {
                name,
                max: parse_number(mx),
                score: parse_number(sc),
                level: 0,
                page: text.page_at(m.start()),
                raw: m.as_str().to_string(),
                flags: vec![],
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::segment;

    fn run(t: &str) -> Vec<SectionScore> {
        let c = CleanText::from_single(t);
        section_scores(&c, &segment(&c))
    }

    #[test]
    fn heading_maximum_and_body_score_disagree_is_flagged() {
        let s = run(
            "二、绩效评价分析\n（一）预算执行情况（评价得分 20 分）\n根据评价原则，项目预算执行情况评价得分 19 分，评价等级为优。\n1. 项目立项（评价得分 7 分）\n内容\n（二）效果指标 (评价得分 40 分)\n根据评价原则，项目效果评价得分为 40 分。\n",
        );
        let top: Vec<_> = s.iter().filter(|x| x.level == 1).collect();
        assert_eq!(top[0].name, "预算执行情况");
        assert_eq!((top[0].max, top[0].score), (Some(20.0), Some(19.0)));
        assert_eq!(top[0].flags, vec!["heading_body_disagree"]);
        assert_eq!((top[1].max, top[1].score), (Some(40.0), Some(40.0)));
        assert!(top[1].flags.is_empty());
    }

    #[test]
    fn heading_with_both_numbers() {
        let s = run(
            "（一）决策指标（分值 15 分，自评得分 13 分）\n正文\n（二）过程（分值20分，得分18.5分）。预算执行率为98.6%\n",
        );
        assert_eq!(s.len(), 2);
        assert_eq!(
            (s[0].name.as_str(), s[0].max, s[0].score),
            ("决策指标", Some(15.0), Some(13.0))
        );
        assert_eq!((s[1].max, s[1].score), (Some(20.0), Some(18.5)));
    }

    #[test]
    fn inline_scores() {
        let s = run(
            "自评得分76.5分，其中：预算执行率得分8.4分（分值10分），产出指标得分45.1分（分值55分）。",
        );
        assert_eq!(s.len(), 2);
        assert_eq!(
            (s[1].name.as_str(), s[1].max, s[1].score),
            ("产出指标", Some(55.0), Some(45.1))
        );
        let s = run("其中产出指标6项（分值50分，得分49分），效益指标3项（分值30分，得分26分）");
        assert_eq!((s[0].name.as_str(), s[0].score), ("产出指标", Some(49.0)));
    }
}
