//! Numbered lists under 存在的问题 / 建议 / 主要经验及做法.
//!
//! A list is the set of direct children of the deepest section whose title names the kind
//! (a heading such as `四、主要经验及做法、存在的问题和建议` names all three, so its children
//! `（二）存在的问题` are used instead). A section that says there is nothing
//! (`暂无问题`, `无`) gives an empty list; a section with unnumbered prose gives none.

use crate::clean::CleanText;
use crate::report::ListItem;
use crate::segment::Outline;
use std::collections::BTreeMap;

/// List kinds and the title words that announce them.
pub const KINDS: &[(&str, &[&str])] = &[
    (
        "problems",
        &[
            "存在的问题",
            "存在问题",
            "主要问题",
            "问题及原因",
            "存在的不足",
        ],
    ),
    (
        "suggestions",
        &["建议", "改进措施", "改进意见", "整改措施", "下一步工作"],
    ),
    ("experience", &["经验", "做法"]),
];

fn title_has(title: &str, words: &[&str]) -> bool {
    words.iter().any(|w| title.contains(w))
}

/// Read the lists of a document.
pub fn lists(text: &CleanText, outline: &Outline) -> BTreeMap<String, Vec<ListItem>> {
    let s = &text.text;
    let mut out = BTreeMap::new();
    for (kind, words) in KINDS {
        let matching: Vec<usize> = (0..outline.nodes.len())
            .filter(|&i| title_has(&outline.nodes[i].title, words))
            .collect();
        // The deepest matching sections: no matching descendant.
        let leaves: Vec<usize> = matching
            .iter()
            .copied()
            .filter(|&i| {
                !matching.iter().any(|&j| {
                    j != i
                        && outline.nodes[j].start > outline.nodes[i].start
                        && outline.nodes[j].start < outline.nodes[i].end
                })
            })
            .collect();
        let Some(&sec) = leaves.first() else {
            continue;
        };
        let children: Vec<usize> = outline.children(sec).collect();
        let node = &outline.nodes[sec];
        if children.is_empty() {
            let body_start = s[node.start..]
                .find('\n')
                .map_or(node.end, |e| node.start + e);
            let body = &s[body_start.min(node.end)..node.end];
            let head_and_body = format!("{}{}", node.title, body);
            if head_and_body.contains("暂无")
                || body.trim() == "无"
                || body.trim().starts_with("无。")
            {
                out.insert(kind.to_string(), vec![]);
            }
            continue;
        }
        let items = children
            .into_iter()
            .map(|j| {
                let n = &outline.nodes[j];
                let raw = &s[n.start..n.end];
                let body = raw.trim_start();
                let body = body.strip_prefix(n.marker.as_str()).unwrap_or(body);
                let joined = body.split_whitespace().collect::<Vec<_>>().join(" ");
                ListItem {
                    text: joined.chars().take(600).collect(),
                    page: text.page_at(n.start),
                }
            })
            .collect();
        out.insert(kind.to_string(), items);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::segment;

    #[test]
    fn deepest_section_children_are_the_items() {
        let t = "四、主要经验及做法、存在的问题和建议\n（一）主要经验及做法\n1. 推进建设。\n2. 调整平台。\n（二）存在的问题：\n1. 目标不够细化。\n2. 资金管理不严格。\n3. 三公经费未严格执行：\n(1)公务用车少1.94万元；\n(2)公务接待少4.9万元。\n（三）建议\n1. 增强针对性。\n";
        let c = CleanText::from_single(t);
        let l = lists(&c, &segment(&c));
        assert_eq!(l["problems"].len(), 3);
        assert!(
            l["problems"][2].text.contains("公务接待"),
            "{:?}",
            l["problems"][2]
        );
        assert_eq!(l["suggestions"].len(), 1);
        assert_eq!(l["experience"].len(), 2);
        assert_eq!(l["problems"][0].text, "目标不够细化。");
    }

    #[test]
    fn nothing_to_report_is_an_empty_list() {
        let c = CleanText::from_single(
            "五、存在的问题及原因分析\n我校项目运转正常，暂无问题\n六、建议\n拨款应及时一点\n",
        );
        let l = lists(&c, &segment(&c));
        assert_eq!(l.get("problems").map(Vec::len), Some(0));
        assert!(!l.contains_key("suggestions"));
    }
}
