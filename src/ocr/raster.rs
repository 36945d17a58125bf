//! One image file per PDF page, for the OCR engine.
//!
//! A scanned page is usually a single full-page JPEG. Writing that JPEG's bytes to a file
//! costs nothing (measured 0.03 s wall for 10 pages, see `docs/ocr-measurements.md`) and
//! gives the engine the scanner's own pixels. Any other page is rendered with
//! `pdftoppm -r 200 -gray` as uncompressed TIFF: rendering to PNG instead cost 7 s CPU per
//! page at 200 dpi (zlib on scan noise) — more than tesseract itself — while TIFF or PGM
//! cost 0.1 s, and TIFF (unlike PGM) records the resolution, which tesseract otherwise
//! guesses (it guessed 455 dpi for a 200 dpi page).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use lopdf::{Document, Object, ObjectId};

use super::OcrError;

/// Resolution for pages that have to be rendered.
pub const RENDER_DPI: u32 = 200;

/// An embedded JPEG is used directly only when its resolution is in this range (dpi);
/// outside it the page is rendered at [`RENDER_DPI`].
const DIRECT_DPI: std::ops::RangeInclusive<f64> = 150.0..=400.0;

/// Where page images come from for one PDF: its parsed object tree when lopdf can read it
/// (for direct JPEG extraction), otherwise only `pdftoppm`.
pub struct PageSources {
    doc: Option<Document>,
    pages: BTreeMap<u32, ObjectId>,
}

impl PageSources {
    /// Parse `pdf` with lopdf; a PDF lopdf cannot read still works through `pdftoppm`.
    pub fn open(pdf: &Path) -> PageSources {
        match Document::load(pdf) {
            Ok(doc) => {
                let pages = doc.get_pages();
                PageSources {
                    doc: Some(doc),
                    pages,
                }
            }
            Err(_) => PageSources {
                doc: None,
                pages: BTreeMap::new(),
            },
        }
    }

    /// Number of pages, when lopdf could read the file.
    pub fn page_count(&self) -> Option<usize> {
        self.doc.as_ref().map(|_| self.pages.len())
    }

    /// Write an image of 1-based `page` into `dir` and return its path.
    pub fn image(&self, pdf: &Path, page: usize, dir: &Path) -> Result<PathBuf, OcrError> {
        if let Some(doc) = &self.doc {
            if page == 0 || page > self.pages.len() {
                return Err(OcrError::new(
                    "page_range",
                    format!(
                        "page {page} is out of range (the PDF has {} pages)",
                        self.pages.len()
                    ),
                ));
            }
            if let Some(jpeg) = self
                .pages
                .get(&(page as u32))
                .and_then(|&id| page_jpeg(doc, id))
            {
                let path = dir.join(format!("page-{page}.jpg"));
                std::fs::write(&path, jpeg)
                    .map_err(|e| OcrError::io(&format!("writing {}", path.display()), &e))?;
                return Ok(path);
            }
        }
        render_page(pdf, page, dir)
    }
}

/// Render one page with poppler's `pdftoppm` to `dir/page-N.tif`.
pub fn render_page(pdf: &Path, page: usize, dir: &Path) -> Result<PathBuf, OcrError> {
    let root = dir.join(format!("page-{page}"));
    let n = page.to_string();
    let dpi = RENDER_DPI.to_string();
    let out = super::dies_with_parent(&mut Command::new("pdftoppm"))
        .args([
            "-r",
            &dpi,
            "-gray",
            "-tiff",
            "-singlefile",
            "-f",
            &n,
            "-l",
            &n,
        ])
        .arg(pdf)
        .arg(&root)
        .output()
        .map_err(|e| OcrError::missing_tool("pdftoppm", &e))?;
    let path = root.with_extension("tif");
    if !out.status.success() || !path.exists() {
        return Err(OcrError::new(
            "rasterize",
            format!(
                "pdftoppm could not render page {page} of {}: {}",
                pdf.display(),
                String::from_utf8_lossy(&out.stderr).trim()
            ),
        ));
    }
    Ok(path)
}

/// The bytes of the page's JPEG when the page is exactly one full-page, upright, 8-bit
/// grey or RGB JPEG at a usable resolution — the shape of an office scanner's PDF. Any
/// doubt (a mask, a CMYK or inverted image, a second image, a rotated page, an image that
/// does not match the page's shape) gives `None`, and the page is rendered instead.
fn page_jpeg(doc: &Document, page_id: ObjectId) -> Option<Vec<u8>> {
    let page = doc.get_dictionary(page_id).ok()?;
    if let Ok(r) = page.get(b"Rotate").and_then(Object::as_i64)
        && r.rem_euclid(360) != 0
    {
        return None;
    }
    let images = doc.get_page_images(page_id).ok()?;
    let [img] = images.as_slice() else {
        return None;
    };
    let dct_only = img
        .filters
        .as_deref()
        .is_some_and(|f| f.len() == 1 && f[0] == "DCTDecode");
    let plain_colour = matches!(
        img.color_space.as_deref(),
        Some("DeviceGray") | Some("DeviceRGB")
    );
    let d = img.origin_dict;
    if !dct_only
        || !plain_colour
        || img.bits_per_component != Some(8)
        || d.has(b"SMask")
        || d.has(b"Mask")
        || d.has(b"Decode")
        || img.width <= 0
        || img.height <= 0
    {
        return None;
    }
    let [x0, y0, x1, y1] = media_box(doc, page_id)?;
    let (pw, ph) = ((x1 - x0).abs(), (y1 - y0).abs());
    if pw < 1.0 || ph < 1.0 {
        return None;
    }
    let (iw, ih) = (img.width as f64, img.height as f64);
    let same_shape = ((iw / ih) / (pw / ph) - 1.0).abs() < 0.02;
    let dpi = iw / (pw / 72.0);
    if !same_shape || !DIRECT_DPI.contains(&dpi) || !img.content.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    Some(img.content.to_vec())
}

/// The page's MediaBox, looked up through `/Parent` when inherited.
fn media_box(doc: &Document, page_id: ObjectId) -> Option<[f64; 4]> {
    let mut dict = doc.get_dictionary(page_id).ok()?;
    for _ in 0..32 {
        if let Ok(obj) = dict.get(b"MediaBox") {
            let arr = match obj {
                Object::Reference(id) => doc.get_object(*id).ok()?.as_array().ok()?,
                o => o.as_array().ok()?,
            };
            let v: Vec<f64> = arr
                .iter()
                .filter_map(|o| o.as_float().ok().map(f64::from))
                .collect();
            return v.try_into().ok();
        }
        let parent = dict.get(b"Parent").and_then(Object::as_reference).ok()?;
        dict = doc.get_dictionary(parent).ok()?;
    }
    None
}

/// A private temporary directory (`/tmp/baogao-ocr-<pid>-…`), removed with everything in
/// it when dropped — also when OCR fails or panics, since it is a `tempfile::TempDir`.
/// A worker killed by SIGKILL runs no destructor, so [`TempDir::new`] first removes the
/// folders of processes that no longer exist.
pub struct TempDir(tempfile::TempDir);

const PREFIX: &str = "baogao-ocr-";

impl TempDir {
    pub fn new() -> Result<TempDir, OcrError> {
        sweep_stale(&std::env::temp_dir());
        let dir = tempfile::Builder::new()
            .prefix(&format!("{PREFIX}{}-", std::process::id()))
            .tempdir()
            .map_err(|e| OcrError::io("creating an OCR scratch folder", &e))?;
        Ok(TempDir(dir))
    }

    pub fn path(&self) -> &Path {
        self.0.path()
    }
}

/// Whether process `pid` runs: it exists and is not a zombie (a killed worker whose new
/// parent, in a container often a PID 1 that never reaps, has not collected it yet).
fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // `pid (comm) S …`: the state follows the last `)`.
        Ok(stat) => stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .is_some_and(|state| state != "Z"),
        Err(_) => false,
    }
}

/// Remove, under `tmp`, the `baogao-ocr-<pid>-*` folders and the pdftotext temp files
/// (`baogao-<pid>-<n>.pdf|txt`, see [`crate::load::pdftotext`]) whose process is gone.
/// Called when OCR starts and when a batch starts.
pub fn sweep_stale(tmp: &Path) {
    let Ok(entries) = std::fs::read_dir(tmp) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(name) = name.to_str() else {
            continue;
        };
        let (pid, folder) = if let Some(r) = name.strip_prefix(PREFIX) {
            (r.split('-').next(), true)
        } else if let Some(r) = name.strip_prefix("baogao-") {
            // `<pid>-<n>.pdf` or `.txt`, nothing else.
            let ok = r.split_once('-').is_some_and(|(_, n)| {
                n.split_once('.').is_some_and(|(k, ext)| {
                    !k.is_empty()
                        && k.bytes().all(|c| c.is_ascii_digit())
                        && matches!(ext, "pdf" | "txt")
                })
            });
            (r.split('-').next().filter(|_| ok), false)
        } else {
            (None, false)
        };
        let Some(pid) = pid.and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if pid != std::process::id() && !alive(pid) {
            let _ = if folder {
                std::fs::remove_dir_all(e.path())
            } else {
                std::fs::remove_file(e.path())
            };
        }
    }
}

#[cfg(test)]
mod scratch_tests {
    use super::*;

    #[test]
    fn scratch_folders_go_on_drop_and_stale_ones_are_swept() {
        let d = TempDir::new().unwrap();
        let p = d.path().to_path_buf();
        assert!(p.file_name().unwrap().to_str().unwrap().starts_with(PREFIX));
        std::fs::write(p.join("page-1.tif"), b"x").unwrap();
        drop(d);
        assert!(!p.exists());
        // A folder of a process that cannot exist (above Linux's largest pid) is stale; ours
        // and other names are left alone.
        let tmp = tempfile::tempdir().unwrap();
        let stale = tmp.path().join(format!("{PREFIX}4194399-x"));
        let mine = tmp.path().join(format!("{PREFIX}{}-y", std::process::id()));
        let other = tmp.path().join("something-else");
        for d in [&stale, &mine, &other] {
            std::fs::create_dir(d).unwrap();
        }
        // pdftotext temp files of a dead process go too; a look-alike name stays.
        let stale_pdf = tmp.path().join("baogao-4194399-3.pdf");
        let lookalike = tmp.path().join("baogao-4194399-x.json");
        for f in [&stale_pdf, &lookalike] {
            std::fs::write(f, b"").unwrap();
        }
        sweep_stale(tmp.path());
        assert!(!stale.exists() && mine.exists() && other.exists());
        assert!(!stale_pdf.exists() && lookalike.exists());
    }

    #[test]
    fn a_zombie_is_not_alive() {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        // Not yet reaped: a zombie until wait().
        for _ in 0..100 {
            let state = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
            if state
                .rsplit_once(')')
                .unwrap()
                .1
                .trim_start()
                .starts_with('Z')
            {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        assert!(!alive(pid));
        assert!(alive(std::process::id()));
        child.wait().unwrap();
        assert!(!alive(pid));
    }

    #[test]
    fn helper_programs_die_with_their_parent() {
        use std::os::unix::process::ExitStatusExt;
        // Linux sends the death signal when the *thread* that started the child ends, which
        // lets a test see it without killing itself: a thread starts `sleep` and returns.
        let mut child = std::thread::spawn(|| {
            let mut c = std::process::Command::new("sleep");
            c.arg("30");
            crate::ocr::dies_with_parent(&mut c).spawn().unwrap()
        })
        .join()
        .unwrap();
        let mut status = None;
        for _ in 0..100 {
            status = child.try_wait().unwrap();
            if status.is_some() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let _ = child.kill();
        let status = status.expect("sleep outlived the thread that started it");
        assert_eq!(status.signal(), Some(libc::SIGKILL));
    }
}
