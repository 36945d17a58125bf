//! Word 2007+ (`.docx`) → pages of text, tables as rows of cells.
//!
//! A `.docx` is a zip whose `word/document.xml` holds the body: paragraphs (`w:p`, runs of
//! `w:t` text, `w:tab`, `w:br`) and tables (`w:tbl` → `w:tr` → `w:tc`, merged cells as
//! `w:gridSpan` across and `w:vMerge` down). Paragraphs become text paragraphs separated by
//! blank lines (as in the plain-text reports); tables go through [`super::cells`], so
//! every row is one `| … |` line with merged cells repeated. Word stores no pages: a page
//! is what an explicit page break (`w:br w:type="page"`) starts.
//!
//! Not read: headers and footers, footnotes, text boxes' anchoring order, and list
//! numbering that Word generates (a heading numbered by a list style, not by its text,
//! loses its `一、`).

use super::cells::{Grid, GridCell, render_grid};
use super::{ErrorKind, LoadError, LoadedDocument, PageBackend};
use quick_xml::events::{BytesRef, BytesStart, Event};
use std::io::Read;

/// Largest part read out of an office zip (a zip bomb stops here with `too_large`).
pub const MAX_PART: u64 = 128 << 20;

/// Open an office or OFD zip.
pub fn open_zip<'a>(
    bytes: &'a [u8],
    what: &str,
) -> Result<zip::ZipArchive<std::io::Cursor<&'a [u8]>>, LoadError> {
    zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| {
        LoadError::new(
            ErrorKind::Backend,
            format!("not a readable {what} (zip): {e}"),
        )
    })
}

/// One part of a zip as UTF-8 text (a BOM dropped); `None` when there is no such part.
pub fn read_part(
    zip: &mut zip::ZipArchive<std::io::Cursor<&[u8]>>,
    name: &str,
) -> Result<Option<String>, LoadError> {
    let mut f = match zip.by_name(name) {
        Ok(f) => f,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(LoadError::new(ErrorKind::Backend, format!("{name}: {e}"))),
    };
    let mut buf = Vec::new();
    (&mut f)
        .take(MAX_PART + 1)
        .read_to_end(&mut buf)
        .map_err(|e| LoadError::new(ErrorKind::Backend, format!("{name}: {e}")))?;
    if buf.len() as u64 > MAX_PART {
        return Err(LoadError::new(
            ErrorKind::TooLarge,
            format!("{name} unpacks to more than {} MiB", MAX_PART >> 20),
        ));
    }
    let buf = buf.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&buf);
    String::from_utf8(buf.to_vec())
        .map(Some)
        .map_err(|_| LoadError::new(ErrorKind::Backend, format!("{name} is not UTF-8 XML")))
}

/// The text an XML entity or character reference stands for (`&amp;`, `&#x4E00;`).
pub fn resolve_ref(r: &BytesRef) -> String {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        return c.to_string();
    }
    let name = r.xml10_content();
    quick_xml::escape::resolve_predefined_entity(&name)
        .unwrap_or_default()
        .to_string()
}

/// An attribute by its local name (`w:val` → `val`), unescaped.
pub fn attr(e: &BytesStart, local: &str) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        (a.key.local_name().as_ref() == local).then(|| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map(|v| v.into_owned())
                .unwrap_or_default()
        })
    })
}

/// Load a `.docx` file.
pub fn load_docx(bytes: &[u8]) -> Result<LoadedDocument, LoadError> {
    let mut zip = open_zip(bytes, "Word document")?;
    let xml = read_part(&mut zip, "word/document.xml")?.ok_or_else(|| {
        LoadError::new(
            ErrorKind::Backend,
            "a zip without word/document.xml: not a Word file",
        )
    })?;
    LoadedDocument::from_text_pages(
        document_pages(&xml)?,
        PageBackend::Docx,
        vec![],
        "the Word document has no text",
    )
}

#[derive(Debug, Default)]
struct Cell {
    text: String,
    span: usize,
    /// `Some(true)`: starts a vertical merge; `Some(false)`: continues the one above.
    vmerge: Option<bool>,
}

#[derive(Debug, Default)]
struct Table {
    rows: Vec<(usize, Vec<Cell>)>,
    row: Vec<Cell>,
    grid_before: usize,
    cell: Option<Cell>,
}

/// A Word table's rows on a grid: `gridSpan` repeats a cell across, `vMerge` continues
/// the cell above at the same grid column.
fn table_grid(rows: &[(usize, Vec<Cell>)]) -> Grid {
    let mut grid: Grid = Vec::new();
    let mut origin = 0;
    for (before, cells) in rows {
        let mut line: Vec<GridCell> = Vec::new();
        for _ in 0..*before {
            origin += 1;
            line.push(GridCell {
                text: String::new(),
                origin,
            });
        }
        for cell in cells {
            let c = line.len();
            let span = cell.span.clamp(1, 1000);
            let above = grid.last().and_then(|r| r.get(c)).cloned();
            let g = match (cell.vmerge, above) {
                (Some(false), Some(a)) => a,
                _ => {
                    origin += 1;
                    GridCell {
                        text: cell.text.trim().to_string(),
                        origin,
                    }
                }
            };
            line.extend(std::iter::repeat_n(g, span));
        }
        grid.push(line);
    }
    let width = grid.iter().map(Vec::len).max().unwrap_or(0);
    for line in &mut grid {
        while line.len() < width {
            origin += 1;
            line.push(GridCell {
                text: String::new(),
                origin,
            });
        }
    }
    grid
}

/// The body of `word/document.xml` as page texts.
pub fn document_pages(xml: &str) -> Result<Vec<String>, LoadError> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut pages = vec![String::new()];
    let mut para = String::new();
    let mut tables: Vec<Table> = Vec::new();
    let (mut in_text, mut in_run) = (false, 0usize);
    loop {
        let ev = reader.read_event().map_err(|e| {
            LoadError::new(
                ErrorKind::Backend,
                format!(
                    "word/document.xml at byte {}: {e}",
                    reader.buffer_position()
                ),
            )
        })?;
        let empty = matches!(ev, Event::Empty(_));
        match ev {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "t" if !empty => in_text = true,
                "r" if !empty => in_run += 1,
                "tab" if in_run > 0 => para.push('\t'),
                "br" | "cr" if in_run > 0 => {
                    if attr(&e, "type").as_deref() == Some("page") && tables.is_empty() {
                        flush_para(&mut para, &mut pages);
                        pages.push(String::new());
                    } else {
                        para.push('\n');
                    }
                }
                "tbl" if !empty => {
                    flush_para(&mut para, &mut pages);
                    tables.push(Table::default());
                }
                "tr" => {
                    if let Some(t) = tables.last_mut() {
                        t.row.clear();
                        t.grid_before = 0;
                    }
                }
                "gridBefore" => {
                    if let Some(t) = tables.last_mut() {
                        t.grid_before = attr(&e, "val").and_then(|v| v.parse().ok()).unwrap_or(0);
                    }
                }
                "tc" if !empty => {
                    if let Some(t) = tables.last_mut() {
                        t.cell = Some(Cell {
                            span: 1,
                            ..Cell::default()
                        });
                    }
                }
                "gridSpan" => {
                    if let Some(c) = tables.last_mut().and_then(|t| t.cell.as_mut()) {
                        c.span = attr(&e, "val").and_then(|v| v.parse().ok()).unwrap_or(1);
                    }
                }
                "vMerge" => {
                    if let Some(c) = tables.last_mut().and_then(|t| t.cell.as_mut()) {
                        c.vmerge = Some(attr(&e, "val").as_deref() == Some("restart"));
                    }
                }
                _ => {}
            },
            Event::Text(t) if in_text => para.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if in_text => para.push_str(&resolve_ref(&r)),
            Event::End(e) => match e.local_name().as_ref() {
                "t" => in_text = false,
                "r" => in_run = in_run.saturating_sub(1),
                "p" => match tables.last_mut().and_then(|t| t.cell.as_mut()) {
                    Some(cell) => {
                        if !cell.text.is_empty() && !para.trim().is_empty() {
                            cell.text.push('\n');
                        }
                        cell.text.push_str(para.trim());
                        para.clear();
                    }
                    None => flush_para(&mut para, &mut pages),
                },
                "tc" => {
                    if let Some(t) = tables.last_mut()
                        && let Some(c) = t.cell.take()
                    {
                        t.row.push(c);
                    }
                }
                "tr" => {
                    if let Some(t) = tables.last_mut() {
                        let row = std::mem::take(&mut t.row);
                        t.rows.push((t.grid_before, row));
                    }
                }
                "tbl" => {
                    if let Some(t) = tables.pop() {
                        let text = render_grid(&table_grid(&t.rows));
                        match tables.last_mut().and_then(|t| t.cell.as_mut()) {
                            // A table inside a cell: its text joins the cell's.
                            Some(outer) => {
                                outer.text.push('\n');
                                outer.text.push_str(&text.replace('|', " "));
                            }
                            None => {
                                let page = pages.last_mut().expect("at least one page");
                                page.push_str(&text);
                                page.push('\n');
                            }
                        }
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    flush_para(&mut para, &mut pages);
    Ok(pages)
}

/// End a body paragraph: its text and a blank line, as paragraphs are in plain-text reports.
fn flush_para(para: &mut String, pages: &mut [String]) {
    let text = para.trim_end();
    if !text.trim().is_empty() {
        let page = pages.last_mut().expect("at least one page");
        page.push_str(text.trim_start_matches([' ', '\u{3000}']));
        page.push_str("\n\n");
    }
    para.clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    const W: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;

    fn body(inner: &str) -> String {
        format!(r#"<?xml version="1.0"?><w:document {W}><w:body>{inner}</w:body></w:document>"#)
    }

    #[test]
    fn paragraphs_runs_tabs_and_entities() {
        let xml = body(
            r#"<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="420"/></w:tabs></w:pPr>
               <w:r><w:t>部门名称：</w:t></w:r><w:r><w:t xml:space="preserve">A&amp;B</w:t></w:r></w:p>
               <w:p><w:r><w:t>序号</w:t><w:tab/><w:t>目标</w:t></w:r></w:p>
               <w:p><w:r><w:instrText>PAGE</w:instrText><w:delText>删</w:delText></w:r></w:p>"#,
        );
        let pages = document_pages(&xml).unwrap();
        assert_eq!(pages, vec!["部门名称：A&B\n\n序号\t目标\n\n".to_string()]);
    }

    #[test]
    fn merged_table_cells_are_repeated_and_page_breaks_split() {
        let xml = body(
            r#"<w:p><w:r><w:t>一、概况</w:t></w:r></w:p>
            <w:tbl>
             <w:tr><w:tc><w:tcPr><w:gridSpan w:val="3"/></w:tcPr><w:p><w:r><w:t>表一</w:t></w:r></w:p></w:tc></w:tr>
             <w:tr><w:tc><w:p><w:r><w:t>一级指标</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>二级指标</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>分值</w:t></w:r></w:p></w:tc></w:tr>
             <w:tr><w:tc><w:tcPr><w:vMerge w:val="restart"/></w:tcPr><w:p><w:r><w:t>产出</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>数量</w:t></w:r></w:p><w:p><w:r><w:t>指标</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>10</w:t></w:r></w:p></w:tc></w:tr>
             <w:tr><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc><w:tc><w:p><w:r><w:t>质量</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>9</w:t></w:r></w:p></w:tc></w:tr>
            </w:tbl>
            <w:p><w:r><w:br w:type="page"/><w:t>二、结论</w:t></w:r></w:p>"#,
        );
        let pages = document_pages(&xml).unwrap();
        assert_eq!(pages.len(), 2);
        assert_eq!(
            pages[0],
            "一、概况\n\n表一\n| 一级指标 | 二级指标 | 分值 |\n| 产出 | 数量 指标 | 10 |\n| 产出 | 质量 | 9 |\n\n"
        );
        assert_eq!(pages[1], "二、结论\n\n");
    }

    #[test]
    fn broken_zip_and_xml_are_typed_errors() {
        assert_eq!(
            load_docx(b"PK\x03\x04garbage").unwrap_err().kind,
            ErrorKind::Backend
        );
        let e = document_pages(&body("<w:p><w:r><w:t>x</w:r></w:p>")).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Backend);
        assert!(e.message.contains("word/document.xml"), "{e}");
    }
}
