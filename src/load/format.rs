//! Input formats: which load backend a file goes to, and which files a directory walk picks.
//!
//! A file's format comes from its content where the content says it (`%PDF`, a zip whose
//! parts name Word, a spreadsheet or OFD, image magic numbers, the OLE header of `.doc`,
//! `.xls` and `.wps`), else from its extension. `--formats` restricts directory walks to
//! some formats; files named on the command line are always converted.

use std::path::Path;
use std::sync::OnceLock;

/// One input format, as `--formats` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// PDF ([`super::pdf`]).
    Pdf,
    /// Plain UTF-8 text ([`super::load_plain`]).
    Txt,
    /// A web page ([`super::html`]).
    Html,
    /// Word 2007+ ([`super::docx`]).
    Docx,
    /// Word 97–2003 / WPS ([`super::doc`], through LibreOffice or antiword).
    Doc,
    /// Spreadsheets: xlsx, xlsm, xls, ods ([`super::sheet`]).
    Sheet,
    /// Page images: jpg, png, tif ([`super::image`]).
    Image,
    /// OFD, GB/T 33190 ([`super::ofd`]).
    Ofd,
}

impl Format {
    /// Every format, in the order the README's input table lists them.
    pub const ALL: [Format; 8] = [
        Format::Pdf,
        Format::Txt,
        Format::Html,
        Format::Docx,
        Format::Doc,
        Format::Sheet,
        Format::Image,
        Format::Ofd,
    ];

    /// The name `--formats` takes.
    pub fn name(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Txt => "txt",
            Format::Html => "html",
            Format::Docx => "docx",
            Format::Doc => "doc",
            Format::Sheet => "sheet",
            Format::Image => "image",
            Format::Ofd => "ofd",
        }
    }

    /// File extensions (lower case) of the format.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            Format::Pdf => &["pdf"],
            Format::Txt => &["txt"],
            Format::Html => &["html", "htm", "shtml", "xhtml"],
            Format::Docx => &["docx", "docm"],
            Format::Doc => &["doc", "wps"],
            Format::Sheet => &["xlsx", "xlsm", "xls", "ods"],
            Format::Image => &["jpg", "jpeg", "png", "tif", "tiff"],
            Format::Ofd => &["ofd"],
        }
    }

    /// A format by its `--formats` name or by one of its extensions (`xlsx` → sheet).
    pub fn parse(s: &str) -> Result<Format, String> {
        let s = s.trim().to_ascii_lowercase();
        Format::ALL
            .into_iter()
            .find(|f| f.name() == s || f.extensions().contains(&s.as_str()))
            .ok_or_else(|| {
                let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
                format!("unknown format '{s}' (known: {})", names.join(", "))
            })
    }

    /// The format a file name's extension says.
    pub fn from_extension(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Format::ALL
            .into_iter()
            .find(|f| f.extensions().contains(&ext.as_str()))
    }

    /// The format of a file: its content first, then its extension, else plain text.
    pub fn detect(path: &Path, bytes: &[u8]) -> Format {
        let by_ext = Format::from_extension(path);
        if bytes.starts_with(b"%PDF") || bytes.windows(5).take(1024).any(|w| w == b"%PDF-") {
            return Format::Pdf;
        }
        if bytes.starts_with(b"PK\x03\x04")
            && let Some(f) = zip_kind(bytes)
        {
            return f;
        }
        if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
            // OLE compound file: .xls or .doc/.wps; the extension tells which.
            return match by_ext {
                Some(Format::Sheet) => Format::Sheet,
                _ => Format::Doc,
            };
        }
        if is_image(bytes) {
            return Format::Image;
        }
        match by_ext {
            Some(f) => f,
            None if looks_like_html(bytes) => Format::Html,
            None => Format::Txt,
        }
    }
}

/// JPEG, PNG or TIFF magic.
fn is_image(b: &[u8]) -> bool {
    b.starts_with(&[0xFF, 0xD8, 0xFF])
        || b.starts_with(b"\x89PNG\r\n\x1a\n")
        || b.starts_with(b"II*\0")
        || b.starts_with(b"MM\0*")
}

/// A text file that starts (after a BOM and blanks) with an HTML tag.
fn looks_like_html(b: &[u8]) -> bool {
    let b = b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b);
    let head: Vec<u8> = b
        .iter()
        .skip_while(|c| c.is_ascii_whitespace())
        .take(64)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    head.starts_with(b"<!doctype html") || head.starts_with(b"<html")
}

/// Which office format a zip is, from the names of its parts.
fn zip_kind(bytes: &[u8]) -> Option<Format> {
    let archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
    let names: Vec<String> = archive
        .file_names()
        .filter_map(|n| n.ok().map(|n| n.into_owned()))
        .collect();
    if names.iter().any(|n| n == "word/document.xml") {
        Some(Format::Docx)
    } else if names
        .iter()
        .any(|n| n.starts_with("xl/") || n == "content.xml")
    {
        Some(Format::Sheet)
    } else if names.iter().any(|n| n.eq_ignore_ascii_case("OFD.xml")) {
        Some(Format::Ofd)
    } else {
        None
    }
}

static WALK: OnceLock<Vec<Format>> = OnceLock::new();

/// Restrict directory walks to `formats` (the `--formats` option). Set once per process,
/// before the walk; later calls are ignored.
pub fn set_walk_formats(formats: Vec<Format>) {
    let _ = WALK.set(formats);
}

/// Whether a directory walk takes this file: its extension is one of the formats of
/// [`set_walk_formats`], or of any format when that was not called.
pub fn walk_accepts(path: &Path) -> bool {
    match Format::from_extension(path) {
        Some(f) => WALK.get().is_none_or(|w| w.contains(&f)),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_extensions_parse() {
        assert_eq!(Format::parse("sheet"), Ok(Format::Sheet));
        assert_eq!(Format::parse("XLSX"), Ok(Format::Sheet));
        assert_eq!(Format::parse("tif"), Ok(Format::Image));
        assert!(Format::parse("pptx").unwrap_err().contains("known: pdf"));
    }

    #[test]
    fn content_wins_over_extension() {
        assert_eq!(Format::detect(Path::new("a.txt"), b"%PDF-1.4"), Format::Pdf);
        assert_eq!(
            Format::detect(Path::new("scan.dat"), b"\x89PNG\r\n\x1a\n...."),
            Format::Image
        );
        assert_eq!(
            Format::detect(Path::new("page"), b"\n <!DOCTYPE html><html>"),
            Format::Html
        );
        assert_eq!(Format::detect(Path::new("a.htm"), b"<p>x"), Format::Html);
        assert_eq!(
            Format::detect(Path::new("notes"), "报告".as_bytes()),
            Format::Txt
        );
        let ole = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0];
        assert_eq!(Format::detect(Path::new("a.xls"), &ole), Format::Sheet);
        assert_eq!(Format::detect(Path::new("a.wps"), &ole), Format::Doc);
    }

    #[test]
    fn walk_takes_known_extensions_only() {
        assert!(walk_accepts(Path::new("d/报告.DOCX")));
        assert!(walk_accepts(Path::new("d/x.ofd")));
        assert!(!walk_accepts(Path::new("d/x.json")));
        assert!(!walk_accepts(Path::new("d/README")));
    }
}
