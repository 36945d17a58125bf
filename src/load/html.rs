//! Web pages (`.html`, `.htm`, a saved page) → one page of text, `<table>`s as rows of cells.
//!
//! Every excerpt in our corpora was published as a government web page: the report is the
//! page's article, the form an HTML `<table>`. The page is decoded in its own encoding (a
//! BOM, else the `charset` a `<meta>` declares, else UTF-8 when valid, else GB18030 — many
//! such pages are GBK/GB2312 and some declare nothing), parsed with `scraper` (html5ever,
//! so broken markup parses as a browser would), and rendered as plain-text paragraphs:
//!
//! * scripts, styles, forms and the page's frame — `<nav>`, `<header>`, `<footer>`,
//!   `<aside>` and elements whose id or class says navigation, menu, breadcrumb, footer,
//!   share bar — are dropped; when the page marks its article (`<article>`, `<main>`), only
//!   that is read;
//! * block elements end a paragraph (a blank line follows, as in the plain-text reports);
//! * a data table becomes `| … |` lines with `rowspan`/`colspan` resolved
//!   ([`super::cells`]). A table used for page layout (a cell holding another table or
//!   more than a screenful of text) is read as blocks instead.

use super::cells::{SpanCell, render_grid, resolve_spans};
use super::{LoadError, LoadedDocument, PageBackend};
use encoding_rs::Encoding;
use scraper::{ElementRef, Html, Node};

/// Decode a page's bytes; returns the text and the encoding's name.
pub fn decode(bytes: &[u8]) -> (String, &'static str) {
    if let Some((enc, bom)) = Encoding::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom..]);
        return (text.into_owned(), enc.name());
    }
    if let Some(enc) = declared_charset(bytes) {
        // A page that says UTF-8 but is not (a GBK page saved with a copied template) is
        // read as GB18030, the more common truth in this corpus.
        if enc != encoding_rs::UTF_8 || std::str::from_utf8(bytes).is_ok() {
            let (text, _, _) = enc.decode(bytes);
            return (text.into_owned(), enc.name());
        }
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_string(), "UTF-8"),
        Err(_) => {
            let (text, _, _) = encoding_rs::GB18030.decode(bytes);
            (text.into_owned(), "gb18030")
        }
    }
}

/// The `charset=` of a `<meta>` in the first 4 KiB (`<meta charset="gbk">` or the
/// `http-equiv` form `content="text/html; charset=gb2312"`).
fn declared_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head: Vec<u8> = bytes
        .iter()
        .take(4096)
        .map(|b| b.to_ascii_lowercase())
        .collect();
    let mut from = 0;
    while let Some(i) = find(&head[from..], b"charset") {
        let at = from + i + b"charset".len();
        let rest = &head[at..];
        let rest = rest
            .iter()
            .position(|&b| !matches!(b, b' ' | b'=' | b'"' | b'\''))
            .map_or(&rest[rest.len()..], |p| &rest[p..]);
        let label: Vec<u8> = rest
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
            .copied()
            .collect();
        if let Some(enc) = Encoding::for_label(&label) {
            // A UTF-16 declaration in a page that decodes as ASCII-compatible bytes is
            // wrong by construction (HTML spec): read it as UTF-8.
            return Some(
                if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
                    encoding_rs::UTF_8
                } else {
                    enc
                },
            );
        }
        from = at;
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Load a web page.
pub fn load_html(bytes: &[u8]) -> Result<LoadedDocument, LoadError> {
    let (source, encoding) = decode(bytes);
    let text = page_text(&source);
    let warnings = if encoding == "UTF-8" {
        vec![]
    } else {
        vec![format!("web page read as {encoding}")]
    };
    LoadedDocument::from_text_pages(
        [text],
        PageBackend::Html,
        warnings,
        "the web page has no text",
    )
}

/// Elements that are never content.
const SKIP: &[&str] = &[
    "script", "style", "noscript", "template", "head", "title", "iframe", "object", "embed", "nav",
    "header", "footer", "aside", "form", "select", "button", "input", "textarea", "svg", "canvas",
    "map",
];

/// id/class words of a page's frame (navigation, footers, share bars).
const FRAME_WORDS: &[&str] = &[
    "nav",
    "menu",
    "breadcrumb",
    "crumb",
    "footer",
    "sidebar",
    "share",
    "toolbar",
    "copyright",
    "topbar",
];

/// Elements after which a paragraph ends.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "br",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "section",
    "article",
    "main",
    "blockquote",
    "pre",
    "center",
    "table",
    "tr",
    "hr",
    "address",
    "figure",
    "figcaption",
    "caption",
    "body",
];

fn is_frame(e: &ElementRef) -> bool {
    let v = e.value();
    if SKIP.contains(&v.name()) {
        return true;
    }
    let words = v
        .id()
        .into_iter()
        .chain(v.classes())
        .map(|s| s.to_ascii_lowercase());
    words
        .into_iter()
        .any(|w| FRAME_WORDS.iter().any(|f| w.contains(f)))
}

/// The page's text: its article, or its body without the frame.
pub fn page_text(source: &str) -> String {
    let html = Html::parse_document(source);
    let root = html.root_element();
    let article = root
        .descendants()
        .filter_map(ElementRef::wrap)
        .find(|e| matches!(e.value().name(), "article" | "main"));
    let mut out = Text::default();
    match article {
        Some(a) => walk(a, &mut out, false),
        None => walk(root, &mut out, false),
    }
    out.finish()
}

/// Text being written: paragraphs separated by blank lines.
#[derive(Default)]
struct Text {
    done: String,
    para: String,
}

impl Text {
    fn push(&mut self, s: &str, pre: bool) {
        if pre {
            self.para.push_str(s);
            return;
        }
        for (i, word) in s.split(is_space).enumerate() {
            if i > 0 && !self.para.is_empty() && !self.para.ends_with(' ') {
                self.para.push(' ');
            }
            self.para.push_str(word);
        }
    }

    fn end_para(&mut self) {
        for line in self.para.split('\n') {
            let line = line.trim_matches(is_space);
            if !line.is_empty() {
                self.done.push_str(line);
                self.done.push('\n');
            }
        }
        if !self.para.trim_matches(is_space).is_empty() {
            self.done.push('\n');
        }
        self.para.clear();
    }

    fn push_block(&mut self, lines: &str) {
        self.end_para();
        self.done.push_str(lines);
        self.done.push('\n');
    }

    fn finish(mut self) -> String {
        self.end_para();
        self.done
    }
}

/// HTML whitespace, plus the no-break space pages use for indents.
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0c' | '\u{a0}')
}

fn walk(el: ElementRef, out: &mut Text, pre: bool) {
    for child in el.children() {
        match child.value() {
            Node::Text(t) => out.push(t, pre),
            Node::Element(_) => {
                let Some(e) = ElementRef::wrap(child) else {
                    continue;
                };
                if is_frame(&e) {
                    continue;
                }
                let name = e.value().name();
                if name == "table" && !is_layout_table(e) {
                    out.push_block(&render_grid(&resolve_spans(&table_rows(e))));
                    continue;
                }
                if name == "br" {
                    out.para.push('\n');
                    continue;
                }
                let block = BLOCKS.contains(&name);
                if block {
                    out.end_para();
                }
                walk(e, out, pre || name == "pre");
                if block {
                    out.end_para();
                } else if matches!(name, "td" | "th") {
                    out.push(" ", false);
                }
            }
            _ => {}
        }
    }
}

/// The rows of a table that belong to it (not to tables nested in its cells).
fn own_rows(table: ElementRef) -> Vec<ElementRef> {
    let mut rows = Vec::new();
    for child in table.children().filter_map(ElementRef::wrap) {
        match child.value().name() {
            "tr" => rows.push(child),
            "thead" | "tbody" | "tfoot" => rows.extend(
                child
                    .children()
                    .filter_map(ElementRef::wrap)
                    .filter(|r| r.value().name() == "tr"),
            ),
            _ => {}
        }
    }
    rows
}

fn cells_of(row: ElementRef) -> impl Iterator<Item = ElementRef> {
    row.children()
        .filter_map(ElementRef::wrap)
        .filter(|c| matches!(c.value().name(), "td" | "th"))
}

/// A table that lays out the page rather than holding data.
fn is_layout_table(table: ElementRef) -> bool {
    own_rows(table).into_iter().flat_map(cells_of).any(|c| {
        c.descendants()
            .filter_map(ElementRef::wrap)
            .any(|d| d.value().name() == "table")
            || c.text().map(|t| t.chars().count()).sum::<usize>() > 1500
    })
}

fn span(e: &ElementRef, name: &str) -> usize {
    e.value()
        .attr(name)
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(1)
}

fn table_rows(table: ElementRef) -> Vec<Vec<SpanCell>> {
    own_rows(table)
        .into_iter()
        .map(|r| {
            cells_of(r)
                .map(|c| {
                    let mut t = Text::default();
                    walk(c, &mut t, false);
                    SpanCell::new(t.finish(), span(&c, "rowspan"), span(&c, "colspan"))
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_page_with_meta_charset_decodes() {
        let (bytes, _, _) = encoding_rs::GBK.encode("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\"></head><body><p>部门名称：某某局</p></body></html>");
        let (text, enc) = decode(&bytes);
        assert_eq!(enc, "GBK");
        assert!(text.contains("部门名称：某某局"));
        // Undeclared and not UTF-8: GB18030.
        let (bytes, _, _) = encoding_rs::GBK.encode("<p>绩效自评</p>");
        assert_eq!(decode(&bytes), ("<p>绩效自评</p>".to_string(), "gb18030"));
    }

    #[test]
    fn frame_is_dropped_and_paragraphs_are_blank_line_separated() {
        let page = r#"<html><body>
          <div class="nav-bar"><a href="/">首页</a> &gt; 通知公告</div>
          <script>var x = "绩效";</script>
          <div id="zoom"><p>一、部门概况</p><p>  部门名称：
            某某局</p>第三段<br>第四行</div>
          <footer>版权所有</footer></body></html>"#;
        assert_eq!(
            page_text(page),
            "一、部门概况\n\n部门名称： 某某局\n\n第三段\n第四行\n\n"
        );
    }

    #[test]
    fn tables_resolve_spans_and_layout_tables_read_as_blocks() {
        let page = r#"<table><tr><td colspan="3">表</td></tr>
          <tr><th>一级指标</th><th>二级指标</th><th>分值</th></tr>
          <tr><td rowspan="2">产出</td><td>数量</td><td>10</td></tr>
          <tr><td>质量<br>指标</td><td>9</td></tr></table>"#;
        assert_eq!(
            page_text(page),
            "表\n| 一级指标 | 二级指标 | 分值 |\n| 产出 | 数量 | 10 |\n| 产出 | 质量 指标 | 9 |\n\n"
        );
        let layout = "<table><tr><td><p>一、概况</p><table><tr><td>序号</td><td>目标</td></tr></table></td></tr></table>";
        assert_eq!(page_text(layout), "一、概况\n\n| 序号 | 目标 |\n\n");
    }
}
