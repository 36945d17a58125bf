//! Segment stage: cleaned text → the heading tree (一、 （一） 1. （1） ① 第X部分).
//!
//! Patterns are anchored on sections ("inside the section whose title contains 预算执行情况"),
//! and lists (存在的问题, 建议) are the children of a section. Chinese reports number their
//! headings with a handful of marker styles whose nesting order varies between documents,
//! so levels are not fixed per style: a style seen for the first time under the current
//! heading opens a deeper level, a style already open closes the levels below it (the way a
//! reader infers the outline).

use crate::clean::CleanText;
pub use crate::text::{MarkerKind, parse_marker, starts_with_marker};

/// One heading (or numbered item) and the byte range its body covers.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub kind: MarkerKind,
    /// The marker as printed (`一、`, `(二)`, `3.`).
    pub marker: String,
    /// The rest of the heading line.
    pub title: String,
    /// Depth in the tree, 0 for top level.
    pub level: usize,
    pub parent: Option<usize>,
    /// Byte offset of the heading line's start.
    pub start: usize,
    /// Byte offset where the heading's section ends (next heading at the same or a higher
    /// level, or the end of text).
    pub end: usize,
}

/// Output of the segment stage.
#[derive(Debug, Clone, Default)]
pub struct Outline {
    pub nodes: Vec<Node>,
}

impl Outline {
    /// Indices of the nodes whose section contains `offset`, outermost first.
    pub fn path_at(&self, offset: usize) -> Vec<usize> {
        let mut path = Vec::new();
        let Some(mut i) = self.nodes.iter().rposition(|n| n.start <= offset) else {
            return path;
        };
        loop {
            if self.nodes[i].end > offset {
                path.push(i);
            }
            match self.nodes[i].parent {
                Some(p) => i = p,
                None => break,
            }
        }
        path.reverse();
        path
    }

    /// Titles of the sections containing `offset`, outermost first.
    pub fn titles_at(&self, offset: usize) -> Vec<&str> {
        self.path_at(offset)
            .into_iter()
            .map(|i| self.nodes[i].title.as_str())
            .collect()
    }

    /// Direct children of node `i`.
    pub fn children(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        (i + 1..self.nodes.len()).filter(move |&j| self.nodes[j].parent == Some(i))
    }
}

/// The heading's title: the line after the marker up to the first sentence end, at most
/// 40 characters. Run-together text (a whole report on one line) would otherwise make a
/// paragraph's words look like a section title.
fn heading_title(rest: &str) -> String {
    let rest = rest.trim();
    let end = rest.find(['。', '；', ';']).unwrap_or(rest.len());
    rest[..end]
        .chars()
        .take(40)
        .collect::<String>()
        .trim()
        .to_string()
}

/// Run the segment stage.
pub fn segment(text: &CleanText) -> Outline {
    let s = &text.text;
    let mut nodes: Vec<Node> = Vec::new();
    // Stack of (kind, node index) for the open headings.
    let mut stack: Vec<(MarkerKind, usize)> = Vec::new();
    let mut offset = 0;
    for line in s.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let trimmed = line.trim_end_matches('\n');
        let Some((kind, marker)) = parse_marker(trimmed) else {
            continue;
        };
        let title = heading_title(&trimmed.trim_start()[marker.len()..]);
        if title.is_empty() && kind == MarkerKind::Arabic {
            // A bare number on its own line is a table cell (序号), not a heading.
            continue;
        }
        if let Some(pos) = stack.iter().rposition(|(k, _)| *k == kind) {
            for (_, idx) in stack.drain(pos..) {
                nodes[idx].end = start;
            }
        }
        let parent = stack.last().map(|&(_, i)| i);
        let idx = nodes.len();
        nodes.push(Node {
            kind,
            marker,
            title,
            level: stack.len(),
            parent,
            start,
            end: s.len(),
        });
        stack.push((kind, idx));
    }
    Outline { nodes }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "标题\n一、部门概况\n(一)部门概况\n正文1\n(二)项目实施情况\n(1)项目的构成\n正文2\n二、绩效评价分析\n(一)预算执行情况(评价得分20分)\n1.项目立项(评价得分7分)\n①符合规定;\n②没有问题。\n2.预算执行\n三、结论\n";

    #[test]
    fn markers_of_each_style() {
        assert_eq!(parse_marker("一、概况").unwrap().0, MarkerKind::CnComma);
        assert_eq!(parse_marker("（一）概况").unwrap().0, MarkerKind::CnParen);
        assert_eq!(parse_marker("(1) 项目").unwrap().0, MarkerKind::ArabicParen);
        assert_eq!(
            parse_marker("1.项目立项").unwrap(),
            (MarkerKind::Arabic, "1.".into())
        );
        assert_eq!(parse_marker("2、预算").unwrap().0, MarkerKind::Arabic);
        assert_eq!(parse_marker("①人员支出").unwrap().0, MarkerKind::Circled);
        assert_eq!(parse_marker("第二部分 评价").unwrap().0, MarkerKind::Part);
        assert!(parse_marker("1.5亿元").is_none());
        assert!(parse_marker("2020年度").is_none());
        assert!(parse_marker("部门概况").is_none());
    }

    #[test]
    fn tree_nests_by_order_of_appearance() {
        let o = segment(&CleanText::from_single(TEXT));
        let titles: Vec<(&str, usize)> = o
            .nodes
            .iter()
            .map(|n| (n.title.as_str(), n.level))
            .collect();
        assert_eq!(titles[0], ("部门概况", 0));
        assert_eq!(titles[1], ("部门概况", 1));
        assert_eq!(titles[3], ("项目的构成", 2));
        assert_eq!(titles[4], ("绩效评价分析", 0));
        assert_eq!(titles[6], ("项目立项(评价得分7分)", 2));
        assert_eq!(titles[7], ("符合规定", 3));
        assert_eq!(titles[9], ("预算执行", 2));
        assert_eq!(titles[10], ("结论", 0));
        let off = TEXT.find("正文2").unwrap();
        assert_eq!(
            o.titles_at(off),
            vec!["部门概况", "项目实施情况", "项目的构成"]
        );
        let off = TEXT.find("没有问题").unwrap();
        assert_eq!(o.titles_at(off)[0], "绩效评价分析");
        let sec = o
            .nodes
            .iter()
            .position(|n| n.title.starts_with("项目立项"))
            .unwrap();
        assert_eq!(o.children(sec).count(), 2);
    }
}
