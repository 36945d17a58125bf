//! Damaged PDFs: a generator of damaged variants of the seed PDFs, and what the load stage
//! must make of each (issue 12).
//!
//! Each [`VARIANTS`] entry breaks an undamaged seed PDF the way archives break files —
//! truncated uploads, an xref whose offsets are all off, junk before the header, a missing
//! trailer, a lying `/Length`, a ToUnicode map cut off, a broken object stream, garbage
//! operators in the content, a page-tree loop, a flate bomb — and says what an honest
//! reader makes of it:
//!
//! - [`Want::Full`]: the damage leaves every page's text in the file; baogao must recover
//!   at least 95 % of the undamaged file's characters (LCS over non-space characters).
//! - [`Want::Partial`]: text is really lost (a truncation); baogao returns what survives
//!   with a warning naming the loss, or fails with kind `damaged`. `ok` with less than
//!   95 % of the text and no such warning fails the test ("silently partial").
//! - [`Want::TooLarge`]: the bomb; kind `too_large`.
//!
//! No variant may come out `not_pdf`, `needs_ocr` or `no_text`: those would tell the user
//! something false about the file.
//!
//! `cargo test --release --test damaged -- --ignored --nocapture measure_damaged` prints,
//! per variant, the share of the original's characters recovered by the load stage,
//! `mutool draw -F txt` (MuPDF) and `pdftotext` (poppler). The README's figures come from
//! `scripts/damaged-measure.py`, which runs the CLI on the variants `write_variants`
//! writes, with the same readers and the same measure.

mod common;
use common::{lcs, strip};

use baogao::load::{LoadOptions, OcrMode, load};
use lopdf::{Document, Object};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Seeds the CI test damages, and which variants (`None`: all): a small classic-xref
/// CID-font file gets every damage; an xref-stream file with object streams gets those
/// that hit its different structure, and so does its copy without ToUnicode maps. Kept small so the test stays light in a debug build;
/// the measurement below and `scripts/damaged-measure.py` damage every text seed.
const SEEDS: &[(&str, Option<&[&str]>)] = &[
    ("seed-stsong-cid.pdf", None),
    (
        "seed-cid-identity-h.pdf",
        Some(&[
            "truncated-93",
            "tail-cut",
            "shifted-3",
            "no-trailer",
            "broken-objstm",
            "tounicode-cut",
        ]),
    ),
    // No ToUnicode at all: text from the embedded TrueType and CFF programs; a truncation
    // that cuts those programs off must say so (or be `damaged`), not `needs_ocr`.
    (
        "seed-no-tounicode.pdf",
        Some(&["tail-cut", "truncated-93", "truncated-50"]),
    ),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Want {
    Full,
    Partial,
    TooLarge,
}

type Damage = fn(&[u8]) -> Option<Vec<u8>>;

/// (name, damage, expectation). A damage returns `None` when it does not apply to the file
/// (no object stream to break).
const VARIANTS: &[(&str, Damage, Want)] = &[
    (
        "truncated-93",
        |b| Some(b[..b.len() * 93 / 100].to_vec()),
        Want::Partial,
    ),
    (
        "truncated-50",
        |b| Some(b[..b.len() / 2].to_vec()),
        Want::Partial,
    ),
    ("tail-cut", tail_cut, Want::Full),
    ("no-startxref", no_startxref, Want::Full),
    ("shifted-3", shifted, Want::Full),
    ("junk-3000", junk_before_header, Want::Full),
    ("header-overwritten", header_overwritten, Want::Full),
    ("no-trailer", no_trailer, Want::Full),
    ("lying-length", lying_length, Want::Full),
    ("tounicode-cut", tounicode_cut, Want::Partial),
    ("garbage-ops", garbage_operators, Want::Full),
    ("pages-loop", pages_loop, Want::Full),
    ("broken-objstm", broken_object_stream, Want::Partial),
    ("flate-bomb", flate_bomb, Want::TooLarge),
];

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// Everything from the last cross-reference section on is gone (classic `xref` table or
/// xref stream object): the objects are all there, nothing says where.
fn tail_cut(b: &[u8]) -> Option<Vec<u8>> {
    let at = match rfind(b, b"\nxref") {
        Some(i) => i + 1,
        None => {
            let x = rfind(b, b"/XRef")?;
            rfind(&b[..x], b" obj").and_then(|o| rfind(&b[..o], b"\n"))? + 1
        }
    };
    Some(b[..at].to_vec())
}

/// The `startxref` line and `%%EOF` are cut off.
fn no_startxref(b: &[u8]) -> Option<Vec<u8>> {
    Some(b[..rfind(b, b"startxref")?].to_vec())
}

/// Three bytes inserted after the header line: every xref offset (and `startxref`) is now
/// off by three.
fn shifted(b: &[u8]) -> Option<Vec<u8>> {
    let eol = find(b, b"\n")? + 1;
    let mut out = b[..eol].to_vec();
    out.extend_from_slice(b"%\r\n");
    out.extend_from_slice(&b[eol..]);
    Some(out)
}

/// Pseudo-random bytes (a fixed LCG, so the variant is the same every run).
fn junk(n: usize, mut seed: u64) -> Vec<u8> {
    (0..n)
        .map(|_| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let c = (seed >> 33) as u8;
            // Keep the junk from containing `%PDF` or object headers by chance.
            if c == b'%' || c.is_ascii_digit() {
                b'#'
            } else {
                c
            }
        })
        .collect()
}

fn junk_before_header(b: &[u8]) -> Option<Vec<u8>> {
    let mut out = junk(3000, 7);
    out.extend_from_slice(b);
    Some(out)
}

fn header_overwritten(b: &[u8]) -> Option<Vec<u8>> {
    let mut out = b.to_vec();
    out[..8].copy_from_slice(b"GARBAGE!");
    Some(out)
}

/// The trailer dictionary (or, in an xref-stream file, the xref stream object) blanked out
/// with spaces: offsets stay right, but nothing names the catalog.
fn no_trailer(b: &[u8]) -> Option<Vec<u8>> {
    let mut out = b.to_vec();
    let (from, to) = match rfind(b, b"trailer") {
        Some(t) => (t, t + find(&b[t..], b"startxref")?),
        None => {
            let x = rfind(b, b"/XRef")?;
            let from = rfind(&b[..x], b"\n")? + 1;
            let from = from.min(rfind(&b[..x], b" obj")?.saturating_sub(8));
            (from, x + find(&b[x..], b"endobj")? + 6)
        }
    };
    out[from..to].fill(b' ');
    Some(out)
}

/// Every direct `/Length` of 100 or more made 5 too small, keeping the file's byte
/// offsets: only `endstream` tells where a stream ends.
fn lying_length(b: &[u8]) -> Option<Vec<u8>> {
    let mut out = b.to_vec();
    let mut i = 0;
    let mut changed = 0;
    while let Some(p) = find(&out[i..], b"/Length ") {
        let start = i + p + 8;
        let end = start
            + out[start..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count();
        i = end;
        // A reference (`/Length 12 0 R`) is left alone.
        let after = &out[end..(end + 5).min(out.len())];
        if after.starts_with(b" 0 R") || end == start {
            continue;
        }
        let n: usize = std::str::from_utf8(&out[start..end]).ok()?.parse().ok()?;
        if n < 100 {
            continue;
        }
        let s = format!("{:<width$}", n - 5, width = end - start);
        out[start..end].copy_from_slice(s.as_bytes());
        changed += 1;
    }
    (changed > 0).then_some(out)
}

/// Every font's ToUnicode stream cut to its first two thirds: the compressed map breaks
/// off, as in a file damaged in transfer. What the map no longer covers is lost unless a
/// reader has another way to the glyphs' Unicode (poppler reads the embedded font's cmap).
fn tounicode_cut(b: &[u8]) -> Option<Vec<u8>> {
    let mut doc = Document::load_mem(b).ok()?;
    let maps: Vec<lopdf::ObjectId> = doc
        .objects
        .values()
        .filter_map(|o| {
            o.as_dict()
                .ok()?
                .get(b"ToUnicode")
                .ok()?
                .as_reference()
                .ok()
        })
        .collect();
    let mut changed = 0;
    for id in maps {
        if let Ok(Object::Stream(s)) = doc.get_object_mut(id) {
            let keep = s.content.len() * 2 / 3;
            s.content.truncate(keep);
            s.dict.set("Length", keep as i64);
            changed += 1;
        }
    }
    (changed > 0).then(|| save(&mut doc))
}

fn save(doc: &mut Document) -> Vec<u8> {
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("lopdf saves");
    out
}

/// Unknown operators and stray tokens between every few lines of every content stream.
fn garbage_operators(b: &[u8]) -> Option<Vec<u8>> {
    let mut doc = Document::load_mem(b).ok()?;
    let pages: Vec<_> = doc.get_pages().values().copied().collect();
    for page in pages {
        for id in doc.get_page_contents(page) {
            let Ok(Object::Stream(s)) = doc.get_object_mut(id) else {
                continue;
            };
            let plain = s
                .decompressed_content()
                .unwrap_or_else(|_| s.content.clone());
            let mut out = Vec::with_capacity(plain.len() * 2);
            for (k, line) in plain.split(|&c| c == b'\n').enumerate() {
                out.extend_from_slice(line);
                out.push(b'\n');
                if k % 7 == 3 {
                    out.extend_from_slice(b"@@ 12 #! zz9 } { ~~ 3 0 obj 1.2.3 -.- \n");
                }
            }
            s.dict.remove(b"Filter");
            s.set_plain_content(out);
            let _ = s.compress();
        }
    }
    Some(save(&mut doc))
}

/// The root `/Pages` node lists itself among its kids.
fn pages_loop(b: &[u8]) -> Option<Vec<u8>> {
    let mut doc = Document::load_mem(b).ok()?;
    let root = doc
        .catalog()
        .ok()?
        .get(b"Pages")
        .ok()?
        .as_reference()
        .ok()?;
    let pages = doc.get_dictionary_mut(root).ok()?;
    let kids = pages.get_mut(b"Kids").ok()?.as_array_mut().ok()?;
    kids.push(Object::Reference(root));
    Some(save(&mut doc))
}

/// The first object stream's compressed data overwritten in its middle.
fn broken_object_stream(b: &[u8]) -> Option<Vec<u8>> {
    let t = find(b, b"/ObjStm")?;
    let s = t + find(&b[t..], b"stream")? + 8;
    let e = s + find(&b[s..], b"endstream")?;
    let mut out = b.to_vec();
    let mid = (s + e) / 2;
    let n = ((e - s) / 4).max(1);
    out[mid - n / 2..mid - n / 2 + n].copy_from_slice(&junk(n, 3));
    Some(out)
}

/// Page 1 gains a content stream that inflates to 256 MiB of spaces (about 1 MB on disk),
/// four times the per-stream cap.
fn flate_bomb(b: &[u8]) -> Option<Vec<u8>> {
    let mut doc = Document::load_mem(b).ok()?;
    let first = *doc.get_pages().get(&1)?;
    let data = bomb_data().clone();
    let mut dict = lopdf::Dictionary::new();
    dict.set("Filter", Object::Name(b"FlateDecode".to_vec()));
    let bomb = doc.add_object(lopdf::Stream::new(dict, data));
    let page = doc.get_dictionary_mut(first).ok()?;
    let contents = page.get(b"Contents").ok()?.clone();
    let mut list = match contents {
        Object::Array(a) => a,
        o => vec![o],
    };
    list.push(Object::Reference(bomb));
    page.set("Contents", Object::Array(list));
    Some(save(&mut doc))
}

/// Bytes the bomb inflates to: one space, then [`BOMB_MATCHES`] copies of 258.
const BOMB_MATCHES: usize = 1 << 20;
const BOMB_SIZE: usize = 1 + 258 * BOMB_MATCHES;

/// A zlib stream of [`BOMB_SIZE`] spaces, written directly as one fixed-Huffman deflate
/// block (a literal space, then length-258 matches at distance 1): made in milliseconds,
/// where compressing 256 MiB takes seconds.
fn bomb_data() -> &'static Vec<u8> {
    static DATA: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    DATA.get_or_init(|| {
        let mut out = vec![0x78, 0x01];
        let (mut acc, mut n) = (0u64, 0u32);
        // Deflate packs bits from the least significant end; Huffman codes go in
        // most-significant bit first.
        let mut put = |value: u64, bits: u32, out: &mut Vec<u8>| {
            acc |= value << n;
            n += bits;
            while n >= 8 {
                out.push(acc as u8);
                acc >>= 8;
                n -= 8;
            }
        };
        let code = |c: u64, len: u32| (0..len).fold(0, |r, i| r | ((c >> (len - 1 - i)) & 1) << i);
        put(0b011, 3, &mut out); // BFINAL = 1, BTYPE = 01 (fixed codes)
        put(code(0x30 + b' ' as u64, 8), 8, &mut out); // literal ' '
        let m = code(0xC5, 8); // length code 285 (258 bytes), then distance code 0 (1)
        for _ in 0..BOMB_MATCHES {
            put(m, 8, &mut out);
            put(0, 5, &mut out);
        }
        put(0, 7, &mut out); // end of block
        if n > 0 {
            out.push(acc as u8);
        }
        // Adler-32 of n spaces: A = 1 + 32n, B = sum of A over the bytes = n + 32 n(n+1)/2.
        let len = BOMB_SIZE as u128;
        let a = (1 + 32 * len) % 65521;
        let b = (len + 32 * len * (len + 1) / 2) % 65521;
        out.extend_from_slice(&((b << 16 | a) as u32).to_be_bytes());
        out
    })
}

// ---------------------------------------------------------------------------------------

/// Share of `original`'s non-space characters that `got` recovers, in order.
fn recovered(got: &str, original: &str) -> f64 {
    let o = strip(original);
    if o.is_empty() {
        return 1.0;
    }
    lcs(&o, &strip(got)) as f64 / o.len() as f64
}

/// What the load stage made of one file: the text, or the error kind and message.
#[derive(Debug)]
struct Outcome {
    result: Result<(String, Vec<String>, usize), (String, String)>,
}

fn baogao_load(path: &Path, bytes: &[u8]) -> Outcome {
    let opts = LoadOptions {
        ocr: OcrMode::Never,
        ..Default::default()
    };
    Outcome {
        result: match load(path, bytes, &opts) {
            Ok(d) => {
                let text: Vec<&str> = d.pages.iter().map(|p| p.text.as_str()).collect();
                Ok((text.join("\n"), d.warnings, d.pages.len()))
            }
            Err(e) => Err((e.kind.to_string(), e.message)),
        },
    }
}

fn scratch() -> PathBuf {
    let d = std::env::temp_dir().join(format!("baogao-damaged-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Judge one variant; `Err` says what is wrong.
fn judge(want: Want, original: &str, o: &Outcome) -> Result<f64, String> {
    match &o.result {
        Err((kind, msg)) => {
            if matches!(kind.as_str(), "not_pdf" | "needs_ocr" | "no_text") {
                return Err(format!("misleading {kind}: {msg}"));
            }
            match want {
                Want::TooLarge if kind == "too_large" => Ok(0.0),
                Want::Partial if kind == "damaged" => Ok(0.0),
                _ => Err(format!("error {kind}: {msg}")),
            }
        }
        Ok((text, warnings, _)) => {
            let r = recovered(text, original);
            match want {
                Want::TooLarge => Err(format!("bomb returned ok ({:.3})", r)),
                Want::Full if r >= 0.95 => Ok(r),
                Want::Full => Err(format!("only {r:.3} of the text; warnings {warnings:?}")),
                Want::Partial if r >= 0.95 => Ok(r),
                Want::Partial => {
                    let says = warnings
                        .iter()
                        .any(|w| w.contains("recovered") || w.contains("lost"));
                    if says {
                        Ok(r)
                    } else {
                        Err(format!("silently partial: {r:.3}; warnings {warnings:?}"))
                    }
                }
            }
        }
    }
}

#[test]
fn damaged_variants_recover_or_say_what_was_lost() {
    let Some(seeds) = common::corpus("seed-pdfs") else {
        return;
    };
    let dir = scratch();
    let mut wrong = Vec::new();
    for (seed, only) in SEEDS {
        let bytes = std::fs::read(seeds.join(seed)).unwrap();
        let path = seeds.join(seed);
        let original = match baogao_load(&path, &bytes).result {
            Ok((t, _, _)) => t,
            Err(e) => panic!("{seed} undamaged does not load: {e:?}"),
        };
        for (name, damage, want) in VARIANTS {
            if only.is_some_and(|o| !o.contains(name)) {
                continue;
            }
            let Some(variant) = damage(&bytes) else {
                continue;
            };
            let vpath = dir.join(format!("{}.{name}.pdf", seed.trim_end_matches(".pdf")));
            std::fs::write(&vpath, &variant).unwrap();
            let o = baogao_load(&vpath, &variant);
            match judge(*want, &original, &o) {
                Ok(r) => match &o.result {
                    Ok(_) => eprintln!("{seed} {name}: ok, {r:.3} of the text"),
                    Err((kind, _)) => eprintln!("{seed} {name}: {kind}, as it should"),
                },
                Err(e) => wrong.push(format!("{seed} {name}: {e}")),
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        wrong.is_empty(),
        "{} variant(s) off:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// Where MuPDF (`mutool draw -F txt`, when installed) or poppler (`pdftotext`) recovers the
/// seed's text from a variant (>= 20 %), the load stage recovers at least 95 % of the better
/// reader's share. Shares are of the seed's true text (`../shared/corpus/seed`), in order;
/// ours is taken relative to our share on the undamaged file, as
/// `scripts/damaged-measure.py` does. The bomb is left out (`too_large` by design).
#[test]
fn variants_keep_up_with_the_better_reader() {
    let (Some(seeds), Some(seed_text)) = (common::corpus("seed-pdfs"), common::corpus("seed"))
    else {
        return;
    };
    let truth_file = std::fs::read_dir(&seed_text)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "txt"))
        .expect("the seed text");
    let truth = std::fs::read_to_string(truth_file).unwrap();
    let have = |p: &str| {
        Command::new(p)
            .arg("-v")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok()
    };
    let pdftotext = have("pdftotext");
    assert!(
        pdftotext || std::env::var_os("CI").is_none(),
        "CI installs poppler-utils"
    );
    let mutool = have("mutool");
    // Not `scratch()`: the other tests of this process remove that folder when done.
    let dir = std::env::temp_dir().join(format!("baogao-damaged-readers-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (mut compared, mut wrong) = (0, Vec::new());
    for (seed, only) in SEEDS {
        let bytes = std::fs::read(seeds.join(seed)).unwrap();
        let ours_of = |o: &Outcome| match &o.result {
            Ok((t, _, _)) => recovered(t, &truth),
            Err(_) => 0.0,
        };
        let base = ours_of(&baogao_load(&seeds.join(seed), &bytes));
        assert!(base > 0.9, "{seed} undamaged: {base:.3} of the seed text");
        for (name, damage, want) in VARIANTS {
            if *want == Want::TooLarge || only.is_some_and(|o| !o.contains(name)) {
                continue;
            }
            let Some(variant) = damage(&bytes) else {
                continue;
            };
            let vpath = dir.join(format!("{}.{name}.pdf", seed.trim_end_matches(".pdf")));
            std::fs::write(&vpath, &variant).unwrap();
            let mut best: f64 = 0.0;
            if pdftotext {
                best = best.max(
                    reader_text("pdftotext", &["-enc", "UTF-8", "-q"], &vpath)
                        .map_or(0.0, |t| recovered(&t, &truth)),
                );
            }
            if mutool {
                best = best.max(
                    reader_text("mutool", &["draw", "-F", "txt", "-q"], &vpath)
                        .map_or(0.0, |t| recovered(&t, &truth)),
                );
            }
            if best < 0.2 {
                continue;
            }
            compared += 1;
            let ours = (ours_of(&baogao_load(&vpath, &variant)) / base).min(1.0);
            if ours < 0.95 * best {
                wrong.push(format!(
                    "{seed} {name}: {ours:.3} against a reader's {best:.3}"
                ));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        compared > 0 || !pdftotext,
        "no variant was compared with a reader"
    );
    assert!(
        wrong.is_empty(),
        "{} variant(s) below 95 % of the better reader:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// The composite-font seed with every ToUnicode map removed: its TrueType (`FontFile2`) and
/// CFF (`FontFile3`, OpenType-wrapped) subsets still carry the glyphs' Unicode, so every page
/// must read as the same seed with its maps (MuPDF reads it so too).
#[test]
fn fonts_without_tounicode_read_from_the_embedded_programs() {
    let Some(seeds) = common::corpus("seed-pdfs") else {
        return;
    };
    let read = |name: &str| {
        let path = seeds.join(name);
        let bytes = std::fs::read(&path).unwrap();
        let opts = LoadOptions {
            ocr: OcrMode::Never,
            ..Default::default()
        };
        load(&path, &bytes, &opts).unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    let with_maps = read("seed-cid-identity-h.pdf");
    let without = read("seed-no-tounicode.pdf");
    assert_eq!(without.pages.len(), with_maps.pages.len());
    for (a, b) in with_maps.pages.iter().zip(&without.pages) {
        let r = recovered(&b.text, &a.text);
        assert!(
            r >= 0.95 && b.verdict.as_str() == "good",
            "page {}: {} with {r:.3} of the text",
            b.number,
            b.verdict.as_str()
        );
    }
}

#[test]
fn generator_damages_what_it_says() {
    let b = b"%PDF-1.4\n1 0 obj\n<< /Length 120 >>\nstream\nxx\nendstream\nendobj\nxref\n0 1\ntrailer\n<< /Root 1 0 R >>\nstartxref\n70\n%%EOF\n";
    assert!(shifted(b).unwrap().starts_with(b"%PDF-1.4\n%\r\n1 0 obj"));
    assert!(!no_startxref(b).unwrap().ends_with(b"%%EOF\n"));
    assert!(tail_cut(b).unwrap().ends_with(b"endobj\n"));
    let t = no_trailer(b).unwrap();
    assert!(find(&t, b"/Root").is_none() && t.len() == b.len());
    let l = lying_length(b).unwrap();
    assert!(find(&l, b"/Length 115 ").is_some() && l.len() == b.len());
    assert!(find(&junk_before_header(b).unwrap()[..3000], b"%PDF").is_none());
    // The hand-made bomb is a valid zlib stream (checksum included) of BOMB_SIZE spaces.
    let mut inflated = flate2::read::ZlibDecoder::new(&bomb_data()[..]);
    let (mut buf, mut total) = (vec![0u8; 1 << 16], 0usize);
    loop {
        let k = std::io::Read::read(&mut inflated, &mut buf).expect("valid zlib");
        if k == 0 {
            break;
        }
        assert!(buf[..k].iter().all(|&c| c == b' '));
        total += k;
    }
    assert_eq!(total, BOMB_SIZE);
    assert!(bomb_data().len() < 2 << 20);
}

// ---------------------------------------------------------------------------------------
// Measurement against MuPDF and poppler (ignored: needs mutool and pdftotext; prints).

fn reader_text(program: &str, args: &[&str], pdf: &Path) -> Option<String> {
    let out = std::env::temp_dir().join(format!("baogao-measure-{}.txt", std::process::id()));
    let _ = std::fs::remove_file(&out);
    let mut cmd = Command::new("timeout");
    cmd.arg("60").arg(program);
    if program == "mutool" {
        cmd.args(args).arg("-o").arg(&out).arg(pdf);
    } else {
        cmd.args(args).arg(pdf).arg(&out);
    }
    let _ = cmd
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
    let t = std::fs::read(&out)
        .ok()
        .map(|b| String::from_utf8_lossy(&b).into_owned());
    let _ = std::fs::remove_file(&out);
    t
}

#[test]
#[ignore]
fn measure_damaged() {
    let Some(seeds) = common::corpus("seed-pdfs") else {
        return;
    };
    let dir = scratch();
    let mut names: Vec<String> = std::fs::read_dir(&seeds)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".pdf") && !n.contains("scanned"))
        .collect();
    names.sort();
    let (mut n, mut real_losses, mut misleading, mut silent) = (0, 0, 0, 0);
    println!("variant\tbaogao\tmutool\tpdftotext\toutcome");
    for seed in &names {
        let bytes = std::fs::read(seeds.join(seed)).unwrap();
        let original = match baogao_load(&seeds.join(seed), &bytes).result {
            Ok((t, _, _)) => t,
            Err(_) => continue,
        };
        for (name, damage, want) in VARIANTS {
            let Some(variant) = damage(&bytes) else {
                continue;
            };
            let vpath = dir.join(format!("{}.{name}.pdf", seed.trim_end_matches(".pdf")));
            std::fs::write(&vpath, &variant).unwrap();
            n += 1;
            let o = baogao_load(&vpath, &variant);
            let ours = match &o.result {
                Ok((t, _, _)) => recovered(t, &original),
                Err(_) => 0.0,
            };
            let (mu, pop) = if *want == Want::TooLarge {
                (f64::NAN, f64::NAN)
            } else {
                let mu = reader_text("mutool", &["draw", "-F", "txt", "-q"], &vpath)
                    .map_or(0.0, |t| recovered(&t, &original));
                let pop = reader_text("pdftotext", &["-enc", "UTF-8", "-q"], &vpath)
                    .map_or(0.0, |t| recovered(&t, &original));
                (mu, pop)
            };
            let best = mu.max(pop);
            let verdict = judge(*want, &original, &o);
            let outcome = match &o.result {
                Ok((_, w, pages)) => format!("ok {pages}p {}", w.join(" | ")),
                Err((k, m)) => format!("{k}: {m}"),
            };
            if best >= 0.8 && ours < 0.95 * best {
                real_losses += 1;
            }
            if let Err(e) = &verdict {
                if e.starts_with("misleading") {
                    misleading += 1;
                }
                if e.starts_with("silently") {
                    silent += 1;
                }
            }
            let outcome: String = outcome.chars().take(160).collect();
            println!(
                "{}.{name}\t{ours:.3}\t{mu:.3}\t{pop:.3}\t{}{outcome}",
                seed.trim_end_matches(".pdf"),
                if verdict.is_err() { "FAIL " } else { "" }
            );
        }
    }
    println!(
        "{n} variants: {real_losses} where a reader gets >= 80 % and baogao < 95 % of it; \
         {misleading} misleading kinds; {silent} silently partial"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Write every variant of every text seed to `$BAOGAO_DAMAGED_OUT` (for
/// `scripts/damaged-measure.py`, which runs the CLI and the two readers on them).
#[test]
#[ignore]
fn write_variants() {
    let Some(seeds) = common::corpus("seed-pdfs") else {
        return;
    };
    let out = PathBuf::from(std::env::var("BAOGAO_DAMAGED_OUT").expect("BAOGAO_DAMAGED_OUT"));
    std::fs::create_dir_all(&out).unwrap();
    for e in std::fs::read_dir(&seeds).unwrap() {
        let name = e.unwrap().file_name().into_string().unwrap();
        if !name.ends_with(".pdf") || name.contains("scanned") {
            continue;
        }
        let bytes = std::fs::read(seeds.join(&name)).unwrap();
        for (v, damage, _) in VARIANTS {
            if let Some(b) = damage(&bytes) {
                let stem = name.trim_end_matches(".pdf");
                std::fs::write(out.join(format!("{stem}.{v}.pdf")), b).unwrap();
            }
        }
    }
}
