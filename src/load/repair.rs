//! Rebuild a damaged PDF's structure from its bytes, as MuPDF and poppler do when the
//! cross-reference table is broken, missing, shifted or lying.
//!
//! [`rebuild`] finds the `%PDF-` header anywhere (or supplies one), scans the file for
//! `N G obj` headers, cuts each object at its `endobj` (a stream at its `endstream`:
//! `/Length` is trusted only when `endstream` follows where it says), and writes a fresh,
//! well-formed file: the objects in order (the last copy of a number wins, as in an
//! incremental update), a new xref table and a trailer whose `/Root`, `/Info`, `/Encrypt`
//! and `/ID` come from the last trailer or xref-stream dictionary that still names an
//! existing catalog — or, failing that, from the object that says `/Type /Catalog`.
//! lopdf then parses the result as usual; object streams inside it are expanded by lopdf.
//!
//! An object cut off by a truncation is counted, so the caller can say what was lost: a
//! stream without `endstream` keeps the data up to the end of the file (its text so far,
//! as MuPDF reads it; the decoder reports that it breaks off), any other object is dropped.

use regex::bytes::Regex;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The result of a rebuild.
#[derive(Debug)]
pub struct Rebuilt {
    /// A well-formed PDF holding every complete object found.
    pub bytes: Vec<u8>,
    /// Objects found (after de-duplication).
    pub objects: usize,
    /// Streams whose `/Length` disagreed with `endstream` (or was missing or indirect and
    /// wrong) and were cut at `endstream` instead.
    pub lengths_fixed: usize,
    /// Objects the file ends inside (a stream is kept with the data there is, anything
    /// else is dropped).
    pub truncated: usize,
    /// Bytes before the `%PDF-` header that were skipped, or `None` when there was no
    /// header at all (one was supplied).
    pub junk_before_header: Option<usize>,
    /// Whether a trailer (or xref stream) naming the catalog was found; `false` means the
    /// catalog was found by its `/Type`, or not at all (`has_root`).
    pub trailer_found: bool,
    pub has_root: bool,
}

fn obj_header() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?-u)(\d{1,10})[ \t\r\n\x0c\x00]+(\d{1,5})[ \t\r\n\x0c\x00]*obj").unwrap()
    })
}

fn re(pattern: &'static str, cell: &'static OnceLock<Regex>) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).unwrap())
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr_find(hay, needle)
}

fn memchr_find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    let first = needle[0];
    let mut i = 0;
    while i + needle.len() <= hay.len() {
        match hay[i..hay.len() - needle.len() + 1]
            .iter()
            .position(|&c| c == first)
        {
            Some(p) => {
                let at = i + p;
                if &hay[at..at + needle.len()] == needle {
                    return Some(at);
                }
                i = at + 1;
            }
            None => return None,
        }
    }
    None
}

fn is_delim_or_space(c: u8) -> bool {
    matches!(
        c,
        b' ' | b'\t'
            | b'\r'
            | b'\n'
            | b'\x0c'
            | b'\0'
            | b'('
            | b')'
            | b'<'
            | b'>'
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'/'
            | b'%'
    )
}

/// One object found by the scan.
struct Found {
    generation: u16,
    /// The object rewritten: `N G obj … endobj\n`.
    bytes: Vec<u8>,
    /// The dictionary text (for trailer and catalog detection).
    is_xref_stream: bool,
    is_catalog: bool,
}

/// Trailer keys worth keeping, as raw PDF text.
#[derive(Default, Clone)]
struct TrailerKeys {
    root: Option<(u32, u16)>,
    info: Option<String>,
    encrypt: Option<String>,
    id: Option<String>,
}

fn trailer_keys(dict: &[u8]) -> TrailerKeys {
    static ROOT: OnceLock<Regex> = OnceLock::new();
    static INFO: OnceLock<Regex> = OnceLock::new();
    static ENCRYPT: OnceLock<Regex> = OnceLock::new();
    static ID: OnceLock<Regex> = OnceLock::new();
    let reference = |re: &Regex| {
        re.captures(dict)
            .map(|c| String::from_utf8_lossy(&c[1]).into_owned())
    };
    TrailerKeys {
        root: re(r"(?-u)/Root\s*(\d+)\s+(\d+)\s+R", &ROOT)
            .captures(dict)
            .and_then(|c| {
                Some((
                    std::str::from_utf8(&c[1]).ok()?.parse().ok()?,
                    std::str::from_utf8(&c[2]).ok()?.parse().ok()?,
                ))
            }),
        info: reference(re(r"(?-u)/Info\s*(\d+\s+\d+\s+R)", &INFO)),
        encrypt: reference(re(r"(?-u)/Encrypt\s*(\d+\s+\d+\s+R)", &ENCRYPT)),
        id: reference(re(
            r"(?-u)/ID\s*(\[\s*<[0-9A-Fa-f\s]*>\s*<[0-9A-Fa-f\s]*>\s*\])",
            &ID,
        )),
    }
}

/// The balanced `<< … >>` starting at `at` (which must point at `<<`), as a slice.
fn balanced_dict(b: &[u8], at: usize) -> Option<&[u8]> {
    let mut depth = 0usize;
    let mut i = at;
    while i + 1 < b.len() {
        if b[i] == b'<' && b[i + 1] == b'<' {
            depth += 1;
            i += 2;
        } else if b[i] == b'>' && b[i + 1] == b'>' {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return Some(&b[at..i]);
            }
        } else {
            i += 1;
        }
        if i - at > 1 << 20 {
            return None;
        }
    }
    None
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | b'\0') {
        i += 1;
    }
    i
}

/// Scan `bytes` and write a well-formed PDF of every complete object. `None` when not a
/// single object header is found.
pub fn rebuild(bytes: &[u8]) -> Option<Rebuilt> {
    let header = find(bytes, b"%PDF-");
    let base = header.unwrap_or(0);
    let body = &bytes[base..];
    let version = header
        .and_then(|_| {
            let v = body.get(5..8)?;
            (v[0].is_ascii_digit() && v[1] == b'.' && v[2].is_ascii_digit())
                .then(|| String::from_utf8_lossy(v).into_owned())
        })
        .unwrap_or_else(|| "1.7".into());

    static LENGTH: OnceLock<Regex> = OnceLock::new();
    let length_re = re(
        r"(?-u)/Length[ \t\r\n]+(\d+)(?:[ \t\r\n]+(\d+)[ \t\r\n]+R)?",
        &LENGTH,
    );
    static CATALOG: OnceLock<Regex> = OnceLock::new();
    let catalog_re = re(r"(?-u)/Type\s*/Catalog\b", &CATALOG);
    static XREF: OnceLock<Regex> = OnceLock::new();
    let xref_re = re(r"(?-u)/Type\s*/XRef\b", &XREF);

    let mut objects: BTreeMap<u32, Found> = BTreeMap::new();
    let mut trailers: Vec<TrailerKeys> = Vec::new();
    let mut lengths_fixed = 0;
    let mut truncated = 0;
    let mut pos = 0;
    while pos < body.len() {
        let Some(m) = obj_header().captures_at(body, pos) else {
            break;
        };
        let whole = m.get(0).unwrap();
        let start = whole.start();
        // The header must start a token: start of file or after a delimiter.
        if start > 0 && !is_delim_or_space(body[start - 1]) {
            pos = whole.end();
            continue;
        }
        let after = whole.end();
        if after < body.len() && !is_delim_or_space(body[after]) {
            pos = after;
            continue;
        }
        let (Ok(num), Ok(generation)) = (
            std::str::from_utf8(&m[1]).unwrap_or("x").parse::<u32>(),
            std::str::from_utf8(&m[2]).unwrap_or("x").parse::<u16>(),
        ) else {
            pos = after;
            continue;
        };
        let next_header = obj_header()
            .find_at(body, after)
            .map_or(body.len(), |n| n.start());
        let endobj = find(&body[after..], b"endobj").map(|p| after + p);
        let stream_kw = find(
            &body[after..next_header.min(endobj.unwrap_or(body.len()))],
            b"stream",
        )
        .map(|p| after + p)
        .filter(|&p| p < 3 || &body[p - 3..p] != b"end");
        let mut out = format!("{num} {generation} obj\n").into_bytes();
        let is_catalog;
        let mut is_xref_stream = false;
        match stream_kw {
            Some(kw) => {
                let dict = &body[after..kw];
                is_catalog = catalog_re.is_match(dict);
                is_xref_stream = xref_re.is_match(dict);
                let mut data_start = kw + 6;
                if body.get(data_start) == Some(&b'\r') {
                    data_start += 1;
                }
                if body.get(data_start) == Some(&b'\n') {
                    data_start += 1;
                }
                let length = length_re.captures(dict);
                let direct = length
                    .as_ref()
                    .filter(|c| c.get(2).is_none())
                    .and_then(|c| std::str::from_utf8(&c[1]).ok()?.parse::<usize>().ok());
                let trusted = direct.filter(|&l| {
                    let end = data_start.saturating_add(l);
                    end <= body.len() && body[skip_ws(body, end)..].starts_with(b"endstream")
                });
                let data_end = match trusted {
                    Some(l) => data_start + l,
                    None => match find(&body[data_start..], b"endstream") {
                        Some(p) => {
                            // An indirect /Length is not checked (it is usually right);
                            // a direct one that disagrees with endstream is a fix.
                            if direct.is_some() || length.is_none() {
                                lengths_fixed += 1;
                            }
                            let mut e = data_start + p;
                            if e > data_start && body[e - 1] == b'\n' {
                                e -= 1;
                            }
                            if e > data_start && body[e - 1] == b'\r' {
                                e -= 1;
                            }
                            e
                        }
                        None => {
                            // The file ends inside this stream: keep the data that is
                            // there (as MuPDF does). A content stream cut off this way
                            // still draws its first lines; the decoder says it broke off.
                            truncated += 1;
                            body.len()
                        }
                    },
                };
                let data = &body[data_start..data_end];
                // The dictionary with /Length set to the real length.
                let len_text = format!("/Length {}", data.len());
                match length.as_ref().map(|c| c.get(0).unwrap()) {
                    Some(l) => {
                        out.extend_from_slice(&dict[..l.start()]);
                        out.extend_from_slice(len_text.as_bytes());
                        out.extend_from_slice(&dict[l.end()..]);
                    }
                    None => match find(dict, b"<<") {
                        Some(o) => {
                            out.extend_from_slice(&dict[..o + 2]);
                            out.extend_from_slice(len_text.as_bytes());
                            out.push(b' ');
                            out.extend_from_slice(&dict[o + 2..]);
                        }
                        None => out.extend_from_slice(dict),
                    },
                }
                out.extend_from_slice(b"\nstream\n");
                out.extend_from_slice(data);
                out.extend_from_slice(b"\nendstream\nendobj\n");
                if data_end == body.len() {
                    if !is_xref_stream {
                        objects.insert(
                            num,
                            Found {
                                generation,
                                bytes: out,
                                is_xref_stream,
                                is_catalog,
                            },
                        );
                    }
                    break;
                }
                let e = data_end + find(&body[data_end..], b"endstream").unwrap_or(0) + 9;
                pos = match find(&body[e.min(body.len())..], b"endobj") {
                    Some(p) if e + p < next_header.max(e) + 16 => e + p + 6,
                    _ => e,
                };
                if is_xref_stream {
                    trailers.push(trailer_keys(dict));
                }
            }
            None => {
                let end = match endobj {
                    Some(e) if e <= next_header => e,
                    _ => next_header,
                };
                let text = &body[after..end];
                is_catalog = catalog_re.is_match(text);
                if end == body.len() && endobj.is_none() {
                    // Cut off at the end of the file: keep it only if it is a whole
                    // dictionary or value (lopdf rejects it otherwise anyway).
                    truncated += 1;
                    break;
                }
                out.extend_from_slice(text);
                out.extend_from_slice(b"\nendobj\n");
                pos = if Some(end) == endobj { end + 6 } else { end };
            }
        }
        if is_xref_stream {
            // Its offsets are what is broken; the fresh table replaces it.
            continue;
        }
        objects.insert(
            num,
            Found {
                generation,
                bytes: out,
                is_xref_stream,
                is_catalog,
            },
        );
    }
    if objects.is_empty() {
        return None;
    }
    // Classic trailers, in file order (later ones belong to later updates).
    let mut t = 0;
    while let Some(p) = find(&body[t..], b"trailer") {
        let at = t + p + 7;
        let d = skip_ws(body, at);
        if body[d..].starts_with(b"<<")
            && let Some(dict) = balanced_dict(body, d)
        {
            trailers.push(trailer_keys(dict));
        }
        t = at;
    }
    let exists = |id: (u32, u16)| objects.get(&id.0).is_some_and(|f| f.generation == id.1);
    let mut keys = trailers
        .iter()
        .rev()
        .find(|k| k.root.is_some_and(exists))
        .cloned();
    let trailer_found = keys.is_some();
    if keys.is_none() {
        let mut k = trailers.last().cloned().unwrap_or_default();
        k.root = objects
            .iter()
            .rev()
            .find(|(_, f)| f.is_catalog)
            .map(|(&n, f)| (n, f.generation));
        keys = Some(k);
    }
    let keys = keys.unwrap_or_default();

    let mut out = format!("%PDF-{version}\n%\u{e2}\u{e3}\n").into_bytes();
    let mut offsets = Vec::with_capacity(objects.len());
    for (&num, f) in &objects {
        debug_assert!(!f.is_xref_stream);
        offsets.push((num, f.generation, out.len()));
        out.extend_from_slice(&f.bytes);
    }
    let xref_at = out.len();
    out.extend_from_slice(b"xref\n0 1\n0000000000 65535 f\r\n");
    for (num, generation, off) in &offsets {
        out.extend_from_slice(format!("{num} 1\n{off:010} {generation:05} n\r\n").as_bytes());
    }
    let size = objects.keys().next_back().map_or(1, |m| m + 1);
    out.extend_from_slice(format!("trailer\n<< /Size {size}").as_bytes());
    if let Some((n, g)) = keys.root {
        out.extend_from_slice(format!(" /Root {n} {g} R").as_bytes());
    }
    for (k, v) in [
        ("Info", &keys.info),
        ("Encrypt", &keys.encrypt),
        ("ID", &keys.id),
    ] {
        if let Some(v) = v {
            out.extend_from_slice(format!(" /{k} {v}").as_bytes());
        }
    }
    out.extend_from_slice(format!(" >>\nstartxref\n{xref_at}\n%%EOF\n").as_bytes());
    Some(Rebuilt {
        objects: objects.len(),
        bytes: out,
        lengths_fixed,
        truncated,
        junk_before_header: header,
        trailer_found,
        has_root: keys.root.is_some(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &[u8] = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n\
2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n\
3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>\nendobj\n\
4 0 obj\n<< /Length 99 >>\nstream\nBT /F1 12 Tf (Hi) Tj ET\nendstream\nendobj\n\
xref\n0 5\n0000000000 65535 f \ntrailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n9999\n%%EOF\n";

    #[test]
    fn rebuilds_objects_and_trailer_and_fixes_a_lying_length() {
        let r = rebuild(GOOD).unwrap();
        assert_eq!(r.objects, 4);
        assert_eq!(r.lengths_fixed, 1);
        assert!(r.trailer_found && r.has_root);
        let doc = lopdf::Document::load_mem(&r.bytes).unwrap();
        assert_eq!(doc.get_pages().len(), 1);
        let content = doc
            .get_page_content(*doc.get_pages().get(&1).unwrap())
            .unwrap();
        assert_eq!(content.trim_ascii_end(), b"BT /F1 12 Tf (Hi) Tj ET");
    }

    #[test]
    fn junk_before_the_header_and_no_trailer() {
        let mut b = b"\x89garbage bytes\n".to_vec();
        let cut = find(GOOD, b"xref").unwrap();
        b.extend_from_slice(&GOOD[..cut]);
        let r = rebuild(&b).unwrap();
        assert_eq!(r.junk_before_header, Some(15));
        assert!(!r.trailer_found && r.has_root, "catalog found by /Type");
        let doc = lopdf::Document::load_mem(&r.bytes).unwrap();
        assert_eq!(doc.get_pages().len(), 1);
    }

    #[test]
    fn a_stream_cut_by_truncation_keeps_its_data_and_is_counted() {
        let cut = find(GOOD, b"(Hi)").unwrap();
        let r = rebuild(&GOOD[..cut]).unwrap();
        assert_eq!((r.objects, r.truncated), (4, 1));
        let doc = lopdf::Document::load_mem(&r.bytes).unwrap();
        let s = doc.get_object((4, 0)).unwrap().as_stream().unwrap();
        assert_eq!(s.content, b"BT /F1 12 Tf ");
        // An object other than a stream that the end cuts is dropped.
        let cut = find(GOOD, b"/MediaBox").unwrap();
        let r = rebuild(&GOOD[..cut]).unwrap();
        assert_eq!((r.objects, r.truncated), (2, 1));
    }

    #[test]
    fn no_header_gets_one() {
        let r = rebuild(&GOOD[8..]).unwrap();
        assert_eq!(r.junk_before_header, None);
        assert!(r.bytes.starts_with(b"%PDF-1.7\n"));
        assert!(rebuild(b"no objects here").is_none());
    }
}
