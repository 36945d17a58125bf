//! The input formats beside PDF and text: the same report as a web page, a Word file, a
//! spreadsheet form, OFD and page images gives what its text gives.
//!
//! Fixtures are in `tests/fixtures/formats/` (made by `scripts/make-format-fixtures.py`
//! from the seed report and dev-complete D05; their texts are copied beside them as
//! `seed.txt` and `D05.txt`, so nothing here needs `../shared`). D05 was not looked at
//! while the readers were written: it is the held-out check. Image tests need tesseract
//! and the `.doc` test LibreOffice: without them they skip (and fail under `CI`).

use baogao::pipeline::{Config, convert};
use baogao::report::Report;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

mod common;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/formats")
        .join(name)
}

fn run(name: &str) -> Report {
    let p = fixture(name);
    convert(&p, name, &Config::builtin()).unwrap_or_else(|e| panic!("{name}: {} {e}", e.kind))
}

fn fields(r: &Report) -> BTreeMap<String, Value> {
    r.fields
        .iter()
        .map(|(k, f)| (k.clone(), f.value.clone()))
        .collect()
}

/// (number, target, actual, status) of every target row.
fn target_rows(r: &Report) -> Vec<(usize, String, String, Option<String>)> {
    r.targets
        .iter()
        .map(|t| {
            let cell = |k: &str| t.columns.get(k).cloned().unwrap_or_default();
            (t.number, cell("target"), cell("actual"), t.status.clone())
        })
        .collect()
}

fn same_as_text(text: &str, other: &str) -> (Report, Report) {
    let (t, o) = (run(text), run(other));
    assert_eq!(fields(&o), fields(&t), "{other} vs {text}: fields");
    (t, o)
}

#[test]
fn seed_as_a_web_page_gives_the_texts_fields_and_27_target_rows() {
    let (t, h) = same_as_text("seed.txt", "seed.html");
    assert_eq!(t.targets.len(), 27);
    assert_eq!(target_rows(&h), target_rows(&t));
    assert_eq!(h.source.pages, 1);
    // GB18030 bytes declared as gb2312, read as such.
    assert!(
        h.warnings.iter().any(|w| w.contains("GBK")),
        "{:?}",
        h.warnings
    );
}

#[test]
fn seed_as_docx_gives_the_texts_fields_and_27_target_rows() {
    let (t, d) = same_as_text("seed.txt", "seed.docx");
    assert_eq!(target_rows(&d), target_rows(&t));
    assert_eq!(d.targets.len(), 27);
    // Row 11 ran over a page break in the text; in Word it is one row.
    assert!(d.targets[10].flags.is_empty());
}

#[test]
fn seed_form_as_xlsx_gives_the_forms_fields_and_27_target_rows() {
    let (t, x) = (run("seed.txt"), run("seed-form.xlsx"));
    assert_eq!(target_rows(&x), target_rows(&t));
    let (tf, xf) = (fields(&t), fields(&x));
    assert_eq!(x.source.pages, 2, "one page per sheet");
    // The form holds the identity, the budget grid and the grade; each is read, with the
    // text's value. (Its `综合评分 | 97分` cells are not read: the score patterns take no
    // `|` between label and figure.)
    for key in [
        "department",
        "year",
        "budget.initial",
        "expenditure.actual",
        "expenditure.execution_rate",
        "grade",
    ] {
        assert_eq!(xf.get(key), tf.get(key), "{key}");
    }
    // Nothing is read from the form that the text contradicts.
    for (k, v) in &xf {
        if let Some(tv) = tf.get(k) {
            assert_eq!(v, tv, "{k}");
        }
    }
}

#[test]
fn seed_as_ofd_reads_back_with_the_seeds_fields() {
    let (_, o) = same_as_text("seed.txt", "seed.ofd");
    assert!(o.source.pages > 1, "pages {}", o.source.pages);
    assert_eq!(o.source.text_layer, "pdf");
}

#[test]
fn held_out_report_as_html_docx_and_ofd_gives_the_texts_fields() {
    let t = run("D05.txt");
    assert!(fields(&t).len() >= 8, "{:?}", fields(&t));
    for other in ["D05.html", "D05.docx", "D05.ofd"] {
        assert_eq!(fields(&run(other)), fields(&t), "{other}");
    }
    assert_eq!(target_rows(&run("D05.docx")), target_rows(&t));
    assert_eq!(target_rows(&run("D05.html")), target_rows(&t));
}

fn soffice_installed() -> bool {
    std::process::Command::new("soffice")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn held_out_report_as_doc_through_libreoffice() {
    if !soffice_installed() {
        common::unavailable("LibreOffice (soffice) is not installed");
        return;
    }
    let (t, d) = same_as_text("D05.txt", "D05.doc");
    assert_eq!(target_rows(&d), target_rows(&t));
    assert!(d.source.page_info.is_empty() || d.source.page_info[0].backend.contains("docx"));
}

#[test]
fn page_images_go_to_ocr_and_a_tiff_keeps_its_pages() {
    if baogao::ocr::Tesseract::new().is_err() {
        common::unavailable("tesseract with chi_sim is not installed");
        return;
    }
    let t = fields(&run("seed.txt"));
    let png = run("seed-page1.png");
    assert_eq!(png.source.text_layer, "ocr");
    assert_eq!(png.source.pages, 1);
    let f = fields(&png);
    for key in ["year", "staff.authorized", "staff.actual"] {
        assert_eq!(f.get(key), t.get(key), "{key}");
    }
    // The scan's 硚 is a rare character OCR may misread; the rest of the name must hold.
    let near = |a: Option<&Value>, b: Option<&Value>| {
        let (a, b) = (a.and_then(Value::as_str), b.and_then(Value::as_str));
        let (Some(a), Some(b)) = (a, b) else {
            return false;
        };
        a.chars().count() == b.chars().count()
            && a.chars().zip(b.chars()).filter(|(x, y)| x != y).count() <= 1
    };
    assert!(near(f.get("department"), t.get("department")), "{f:?}");

    let tif = run("seed-pages-1-2.tif");
    assert_eq!(tif.source.pages, 2);
    assert!(
        tif.source
            .page_info
            .iter()
            .all(|p| p.backend == "ocr:tesseract" && p.chars > 100),
        "{:?}",
        tif.source.page_info
    );
    let f = fields(&tif);
    assert!(near(f.get("department"), t.get("department")), "{f:?}");
    // Page 2 of the TIFF holds the budget sentence.
    for key in ["budget.initial", "expenditure.actual"] {
        assert_eq!(f.get(key), t.get(key), "{key}");
        assert_eq!(tif.fields[key].page, 2, "{key}");
    }
}

#[test]
fn directory_walks_take_every_format_and_formats_restricts_them() {
    let exts: Vec<String> = std::fs::read_dir(fixture(""))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| baogao::batch::is_input_name(&e.path()))
        .filter_map(|e| {
            e.path()
                .extension()
                .map(|x| x.to_string_lossy().into_owned())
        })
        .collect();
    for ext in ["txt", "html", "docx", "doc", "xlsx", "png", "tif", "ofd"] {
        assert!(exts.iter().any(|e| e == ext), "{ext} not walked: {exts:?}");
    }
    // --formats: only the named formats are converted from a directory.
    let out = std::env::temp_dir().join(format!("baogao-formats-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let code = baogao::cli::run(
        [
            "baogao",
            "extract",
            "--in-process",
            "--formats",
            "html,ofd",
            "-o",
            out.to_str().unwrap(),
            fixture("").to_str().unwrap(),
        ]
        .map(Into::into)
        .to_vec(),
    );
    assert_eq!(code, 0);
    let mut made: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    made.sort();
    // Two inputs per stem (an .html and an .ofd): the later gets `-<8 hex of its path>`
    // (names independent of the batch, see the README's "Converting an archive").
    assert_eq!(made.len(), 4, "{made:?}");
    for stem in ["D05", "seed"] {
        assert!(made.contains(&format!("{stem}.json")), "{made:?}");
        assert!(
            made.iter().any(|n| n.len() == stem.len() + 14
                && n.starts_with(&format!("{stem}-"))
                && n[stem.len() + 1..stem.len() + 9]
                    .chars()
                    .all(|c| c.is_ascii_hexdigit())),
            "{made:?}"
        );
    }
    let _ = std::fs::remove_dir_all(&out);
}
