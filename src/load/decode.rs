//! Stream decoding with a size cap, so a decompression bomb fails fast instead of filling
//! the worker's memory (pdf.js and MuPDF cap decoded sizes the same way).
//!
//! lopdf's `decompressed_content` inflates without a limit, ignores filters given as
//! indirect objects and calls every filter it lacks "unimplemented". [`decode`] resolves
//! indirect `/Filter` and `/DecodeParms`, inflates Flate streams through a reader that
//! stops at the cap, decodes ASCIIHex and RunLength itself, leaves LZW, ASCII85 and
//! predictor-encoded Flate to lopdf (their output is checked against the cap afterwards),
//! and names any other filter ([`DecodeError::Unsupported`]: BrotliDecode, …).

use lopdf::{Dictionary, Document, Object, Stream};

/// Largest decoded size of one content stream.
pub const STREAM_CAP: usize = 64 << 20;
/// Largest decoded content (streams and forms together) of one page.
pub const PAGE_CAP: usize = 128 << 20;

#[derive(Debug, Clone, PartialEq)]
pub enum DecodeError {
    /// The decoded data would exceed the cap (bytes).
    TooLarge(usize),
    /// A filter we cannot decode, by name.
    Unsupported(String),
    /// Corrupt data with nothing decoded.
    Corrupt(String),
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::TooLarge(cap) => {
                write!(f, "a stream decodes to more than {} MiB", cap >> 20)
            }
            DecodeError::Unsupported(name) => write!(f, "unsupported filter {name}"),
            DecodeError::Corrupt(why) => write!(f, "corrupt stream: {why}"),
        }
    }
}

fn resolve<'a>(doc: &'a Document, o: &'a Object) -> &'a Object {
    match o {
        Object::Reference(id) => doc.get_object(*id).unwrap_or(o),
        _ => o,
    }
}

/// The stream's filters in decoding order, and their parameters (`None` for a filter
/// without any).
fn filters<'a>(doc: &'a Document, dict: &'a Dictionary) -> Vec<(Vec<u8>, Option<&'a Dictionary>)> {
    let Ok(f) = dict.get(b"Filter") else {
        return vec![];
    };
    let names: Vec<Vec<u8>> = match resolve(doc, f) {
        Object::Name(n) => vec![n.clone()],
        Object::Array(a) => a
            .iter()
            .filter_map(|o| resolve(doc, o).as_name().ok().map(<[u8]>::to_vec))
            .collect(),
        _ => vec![],
    };
    let params: Vec<Option<&Dictionary>> = match dict.get(b"DecodeParms").map(|o| resolve(doc, o)) {
        Ok(Object::Dictionary(d)) => vec![Some(d)],
        Ok(Object::Array(a)) => a.iter().map(|o| resolve(doc, o).as_dict().ok()).collect(),
        _ => vec![],
    };
    names
        .into_iter()
        .enumerate()
        .map(|(i, n)| (n, params.get(i).copied().flatten()))
        .collect()
}

/// The decoded content of `stream`, at most `cap` bytes.
pub fn decode(doc: &Document, stream: &Stream, cap: usize) -> Result<Vec<u8>, DecodeError> {
    decode_checked(doc, stream, cap).map(|(d, _)| d)
}

/// [`decode`], and whether the data was cut short: a Flate stream that is corrupt or ends
/// early after some output keeps that output (as MuPDF does), and the caller should say
/// the text may be incomplete.
pub fn decode_checked(
    doc: &Document,
    stream: &Stream,
    cap: usize,
) -> Result<(Vec<u8>, bool), DecodeError> {
    let mut cut = false;
    let mut data = stream.content.clone();
    for (name, params) in filters(doc, &stream.dict) {
        let predictor = params
            .and_then(|p| p.get(b"Predictor").ok())
            .and_then(|o| o.as_i64().ok())
            .unwrap_or(1);
        data = match name.as_slice() {
            b"FlateDecode" | b"Fl" if predictor <= 1 => {
                let (d, short) = inflate(&data, cap)?;
                cut |= short;
                d
            }
            b"ASCIIHexDecode" | b"AHx" => ascii_hex(&data),
            b"ASCII85Decode" | b"A85" => {
                let (d, short) = ascii85(&data);
                cut |= short;
                d
            }
            b"RunLengthDecode" | b"RL" => run_length(&data, cap)?,
            b"FlateDecode" | b"Fl" | b"LZWDecode" | b"LZW" => {
                let mut dict = Dictionary::new();
                let full = match name.as_slice() {
                    b"Fl" => b"FlateDecode".to_vec(),
                    b"LZW" => b"LZWDecode".to_vec(),
                    n => n.to_vec(),
                };
                dict.set("Filter", Object::Name(full));
                if let Some(p) = params {
                    dict.set("DecodeParms", Object::Dictionary(p.clone()));
                }
                Stream::new(dict, data)
                    .decompressed_content()
                    .map_err(|e| DecodeError::Corrupt(e.to_string()))?
            }
            other => {
                return Err(DecodeError::Unsupported(
                    String::from_utf8_lossy(other).into_owned(),
                ));
            }
        };
        if data.len() > cap {
            return Err(DecodeError::TooLarge(cap));
        }
    }
    Ok((data, cut))
}

/// Inflate zlib (or raw deflate) data, stopping past `cap`. A stream corrupt or cut short
/// after some output keeps that output, as MuPDF does (the flag says so).
fn inflate(data: &[u8], cap: usize) -> Result<(Vec<u8>, bool), DecodeError> {
    let (out, zlib) = inflate_with(data, cap, true)?;
    match zlib {
        Inflated::Whole => Ok((out, false)),
        Inflated::BrokeOff if !out.is_empty() => Ok((out, true)),
        // Some writers omit the zlib header: try raw deflate.
        _ => match inflate_with(data, cap, false)? {
            (raw, Inflated::Whole) => Ok((raw, false)),
            (raw, _) if !raw.is_empty() => Ok((raw, true)),
            _ => Err(DecodeError::Corrupt(
                "flate: corrupt or empty stream".into(),
            )),
        },
    }
}

/// How an inflate ended.
#[derive(PartialEq)]
enum Inflated {
    /// At the stream's end marker.
    Whole,
    /// Corrupt data, or the input ran out first (a truncated stream).
    BrokeOff,
}

/// Inflate `data` (zlib-wrapped or raw) up to `cap` bytes, keeping every byte produced
/// before a corruption or the end of the input: the `Read` adaptors of flate2 drop the
/// output of the call that fails, which is most of a short cut-off stream.
fn inflate_with(data: &[u8], cap: usize, zlib: bool) -> Result<(Vec<u8>, Inflated), DecodeError> {
    let mut z = flate2::Decompress::new(zlib);
    let mut out: Vec<u8> = Vec::with_capacity((data.len() * 4).min(cap + 1).max(64));
    loop {
        if out.len() == out.capacity() {
            // Grow by doubling, never past the cap: `decompress_vec` zero-fills all spare
            // capacity, so capacity beyond the cap would be memory a bomb really touches.
            let target = (out.capacity() * 2).clamp(64, cap + 1);
            out.reserve_exact(target.saturating_sub(out.len()).max(1));
        }
        let before = (z.total_in(), z.total_out());
        let input = &data[(z.total_in() as usize).min(data.len())..];
        let status = z.decompress_vec(input, &mut out, flate2::FlushDecompress::None);
        if out.len() > cap {
            return Err(DecodeError::TooLarge(cap));
        }
        match status {
            Ok(flate2::Status::StreamEnd) => return Ok((out, Inflated::Whole)),
            Ok(_) if (z.total_in(), z.total_out()) == before => {
                return Ok((out, Inflated::BrokeOff));
            }
            Ok(_) => {}
            Err(_) => return Ok((out, Inflated::BrokeOff)),
        }
    }
}

/// ASCII base-85 (PDF 7.4.3), and whether the data ended without its `~>` marker (cut
/// off): what comes before the cut is kept, as MuPDF does, where lopdf rejects the stream.
/// Characters outside the alphabet are skipped.
fn ascii85(data: &[u8]) -> (Vec<u8>, bool) {
    let mut out = Vec::with_capacity(data.len() * 4 / 5);
    let mut group = [0u8; 5];
    let mut n = 0;
    let mut ended = false;
    for &c in data {
        match c {
            b'~' => {
                ended = true;
                break;
            }
            b'z' if n == 0 => out.extend_from_slice(&[0; 4]),
            b'!'..=b'u' => {
                group[n] = c - b'!';
                n += 1;
                if n == 5 {
                    let v = group.iter().fold(0u64, |a, &d| a * 85 + d as u64);
                    out.extend_from_slice(&(v as u32).to_be_bytes());
                    n = 0;
                }
            }
            _ => {}
        }
    }
    if n > 1 {
        // A final partial group: pad with `u`, keep n - 1 bytes.
        for d in group.iter_mut().skip(n) {
            *d = 84;
        }
        let v = group.iter().fold(0u64, |a, &d| a * 85 + d as u64);
        out.extend_from_slice(&(v as u32).to_be_bytes()[..n - 1]);
    }
    (out, !ended)
}

fn ascii_hex(data: &[u8]) -> Vec<u8> {
    let digits: Vec<u8> = data
        .iter()
        .take_while(|&&c| c != b'>')
        .filter_map(|&c| (c as char).to_digit(16).map(|d| d as u8))
        .collect();
    digits
        .chunks(2)
        .map(|p| p[0] * 16 + p.get(1).copied().unwrap_or(0))
        .collect()
}

fn run_length(data: &[u8], cap: usize) -> Result<Vec<u8>, DecodeError> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < data.len() {
        let n = data[i] as usize;
        i += 1;
        match n {
            128 => break,
            0..=127 => {
                let end = (i + n + 1).min(data.len());
                out.extend_from_slice(&data[i..end]);
                i = end;
            }
            _ => {
                if let Some(&b) = data.get(i) {
                    out.extend(std::iter::repeat_n(b, 257 - n));
                }
                i += 1;
            }
        }
        if out.len() > cap {
            return Err(DecodeError::TooLarge(cap));
        }
    }
    Ok(out)
}

/// Filters a reader may meet: the ones [`decode`] handles and the image filters, whose
/// data is pixels (no text backend needs it decoded).
const KNOWN_FILTERS: &[&[u8]] = &[
    b"FlateDecode",
    b"Fl",
    b"LZWDecode",
    b"LZW",
    b"ASCII85Decode",
    b"A85",
    b"ASCIIHexDecode",
    b"AHx",
    b"RunLengthDecode",
    b"RL",
    b"DCTDecode",
    b"DCT",
    b"JPXDecode",
    b"CCITTFaxDecode",
    b"CCF",
    b"JBIG2Decode",
    b"Crypt",
];

/// Stream filters named anywhere in the file's bytes that nothing here decodes
/// (`BrotliDecode`, …), sorted and de-duplicated. A file whose pages sit in such streams
/// (object streams, content) cannot be read, and the error should say why. Compressed
/// object streams hide their own objects' filters, so this is a lower bound.
pub fn unknown_filters(bytes: &[u8]) -> Vec<String> {
    static RE: std::sync::OnceLock<regex::bytes::Regex> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| {
        regex::bytes::Regex::new(r"(?-u)/Filter\s*(\[[^\]]{0,200}\]|/[A-Za-z0-9#]+)").unwrap()
    });
    static NAME: std::sync::OnceLock<regex::bytes::Regex> = std::sync::OnceLock::new();
    let name = NAME.get_or_init(|| regex::bytes::Regex::new(r"(?-u)/([A-Za-z0-9#]+)").unwrap());
    let mut out: Vec<String> = re
        .captures_iter(bytes)
        .flat_map(|c| {
            name.captures_iter(c.get(1).map_or(&b""[..], |m| m.as_bytes()))
                .map(|n| n[1].to_vec())
                .collect::<Vec<_>>()
        })
        .filter(|n| !KNOWN_FILTERS.contains(&n.as_slice()))
        .map(|n| String::from_utf8_lossy(&n).into_owned())
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::ZlibEncoder;
    use std::io::Write;

    fn flate_stream(plain: &[u8]) -> Stream {
        let mut z = ZlibEncoder::new(Vec::new(), Compression::fast());
        z.write_all(plain).unwrap();
        let mut d = Dictionary::new();
        d.set("Filter", Object::Name(b"FlateDecode".to_vec()));
        Stream::new(d, z.finish().unwrap())
    }

    #[test]
    fn flate_decodes_and_a_bomb_stops_at_the_cap() {
        let doc = Document::new();
        let s = flate_stream(b"BT (Hi) Tj ET");
        assert_eq!(decode(&doc, &s, 100).unwrap(), b"BT (Hi) Tj ET");
        let bomb = flate_stream(&vec![b' '; 1 << 20]);
        assert_eq!(decode(&doc, &bomb, 1000), Err(DecodeError::TooLarge(1000)));
    }

    #[test]
    fn unknown_filters_are_named_and_indirect_filters_resolved() {
        let mut doc = Document::new();
        let mut d = Dictionary::new();
        d.set("Filter", Object::Name(b"BrotliDecode".to_vec()));
        let s = Stream::new(d, vec![1, 2, 3]);
        assert_eq!(
            decode(&doc, &s, 100).unwrap_err().to_string(),
            "unsupported filter BrotliDecode"
        );
        let name = doc.add_object(Object::Name(b"FlateDecode".to_vec()));
        let mut s = flate_stream(b"q Q");
        s.dict.set("Filter", Object::Reference(name));
        assert_eq!(decode(&doc, &s, 100).unwrap(), b"q Q");
    }

    #[test]
    fn ascii85_whole_and_cut_off() {
        // "Hello, world" in base 85.
        let enc = b"87cURD_*#TDfTZ)~>";
        assert_eq!(ascii85(enc), (b"Hello, world".to_vec(), false));
        assert_eq!(ascii85(b"z\n!!!!!~>"), (vec![0; 8], false));
        let (part, cut) = ascii85(&enc[..10]);
        assert!(cut);
        assert_eq!(part, b"Hello, w");
    }

    #[test]
    fn ascii_hex_and_run_length() {
        assert_eq!(ascii_hex(b"48 69>"), b"Hi");
        assert_eq!(ascii_hex(b"486>"), b"H`");
        assert_eq!(
            run_length(&[1, b'a', b'b', 254, b'c', 128], 100).unwrap(),
            b"abccc"
        );
    }

    #[test]
    fn unknown_filters_are_named_once() {
        let pdf = b"1 0 obj << /Filter /BrotliDecode /Length 3 >>\nstream\n...\nendstream\n\
                    2 0 obj << /Filter [/FlateDecode /BrotliDecode] >>\n\
                    3 0 obj << /Filter /FlateDecode /DecodeParms << /Predictor 12 >> >>";
        assert_eq!(unknown_filters(pdf), vec!["BrotliDecode".to_string()]);
        assert!(unknown_filters(b"<< /Filter [/AHx /Fl] /Filter /DCTDecode >>").is_empty());
    }
    #[test]
    fn a_flate_stream_that_breaks_off_keeps_its_text_and_says_so() {
        let mut z = ZlibEncoder::new(Vec::new(), Compression::default());
        let plain = b"BT /F1 12 Tf (first line) Tj ET\n".repeat(200);
        z.write_all(&plain).unwrap();
        let whole = z.finish().unwrap();
        let (all, cut) = inflate(&whole, 1 << 20).unwrap();
        assert!(!cut && all == plain);
        let (part, cut) = inflate(&whole[..whole.len() / 2], 1 << 20).unwrap();
        assert!(cut && !part.is_empty() && part.len() < all.len());
    }
}
