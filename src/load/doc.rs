//! Word 97–2003 (`.doc`) and WPS (`.wps`) → text, through a Debian tool when installed.
//!
//! These binary formats have no well-kept Rust reader, and LibreOffice reads them better
//! than anything we could write: with `soffice` on `PATH` the file is converted to `.docx`
//! in a private temporary directory (its own LibreOffice profile, so parallel workers do
//! not fight over one) and read by [`super::docx`], tables included. Without LibreOffice,
//! `antiword` (then `catdoc`) gives the text of a `.doc` without table structure. With
//! none of them the file fails with kind `missing_tool`, naming the packages.

use super::{ErrorKind, LoadError, LoadedDocument, PageBackend, docx};
use std::path::Path;
use std::process::Command;

/// The install line the `missing_tool` error repeats.
pub const INSTALL_HINT: &str =
    "apt-get install libreoffice-writer-nogui (tables kept) or antiword (text only)";

/// Load a `.doc`/`.wps` file with the first tool that is installed.
pub fn load_doc(path: &Path, bytes: &[u8]) -> Result<LoadedDocument, LoadError> {
    load_doc_with(
        path,
        bytes,
        &["soffice", "libreoffice"],
        &["antiword", "catdoc"],
    )
}

/// As [`load_doc`] with the program names to try (tests pass names that do not exist).
pub fn load_doc_with(
    path: &Path,
    bytes: &[u8],
    office: &[&str],
    text_tools: &[&str],
) -> Result<LoadedDocument, LoadError> {
    let dir = crate::ocr::raster::TempDir::new()
        .map_err(|e| LoadError::new(ErrorKind::Io, format!("temporary directory: {e}")))?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .filter(|e| e == "wps" || e == "doc")
        .unwrap_or_else(|| "doc".into());
    let input = dir.path().join(format!("input.{ext}"));
    std::fs::write(&input, bytes).map_err(|e| LoadError::new(ErrorKind::Io, e.to_string()))?;
    let mut tried = Vec::new();
    for prog in office {
        let profile = dir.path().join("profile");
        let run = Command::new(prog)
            .arg(format!(
                "-env:UserInstallation=file://{}",
                profile.display()
            ))
            .args([
                "--headless",
                "--norestore",
                "--convert-to",
                "docx",
                "--outdir",
            ])
            .arg(dir.path())
            .arg(&input)
            .output();
        match run {
            Ok(out) => {
                let docx_path = dir.path().join("input.docx");
                match std::fs::read(&docx_path) {
                    Ok(b) => {
                        let mut doc = docx::load_docx(&b)?;
                        for p in &mut doc.pages {
                            p.backend = PageBackend::Converted {
                                tool: (*prog).into(),
                                via_docx: true,
                            };
                        }
                        return Ok(doc);
                    }
                    Err(_) => {
                        return Err(LoadError::new(
                            ErrorKind::Backend,
                            format!(
                                "{prog} could not convert the file ({}): {}",
                                out.status,
                                String::from_utf8_lossy(&out.stderr).trim()
                            ),
                        ));
                    }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => tried.push(*prog),
            Err(e) => return Err(LoadError::new(ErrorKind::Backend, format!("{prog}: {e}"))),
        }
    }
    if ext == "doc" {
        for prog in text_tools {
            match Command::new(prog).arg(&input).output() {
                Ok(out) if out.status.success() => {
                    let mut doc = super::load_plain(&out.stdout)?;
                    for p in &mut doc.pages {
                        p.backend = PageBackend::Converted {
                            tool: (*prog).into(),
                            via_docx: false,
                        };
                    }
                    doc.warnings
                        .push(format!("read with {prog}: text only, tables not kept"));
                    return Ok(doc);
                }
                Ok(out) => {
                    return Err(LoadError::new(
                        ErrorKind::Backend,
                        format!(
                            "{prog} could not read the file: {}",
                            String::from_utf8_lossy(&out.stderr).trim()
                        ),
                    ));
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => tried.push(*prog),
                Err(e) => return Err(LoadError::new(ErrorKind::Backend, format!("{prog}: {e}"))),
            }
        }
    }
    Err(LoadError::new(
        ErrorKind::MissingTool,
        format!(
            "a .{ext} file needs a converter, and none is installed (tried {}): {INSTALL_HINT}",
            tried.join(", ")
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_converter_is_a_missing_tool_error_naming_the_packages() {
        let e = load_doc_with(
            Path::new("报告.wps"),
            b"\xD0\xCF\x11\xE0",
            &["baogao-no-such-soffice"],
            &["baogao-no-such-antiword"],
        )
        .unwrap_err();
        assert_eq!(e.kind, ErrorKind::MissingTool);
        assert!(e.message.contains("libreoffice-writer-nogui"), "{e}");
        assert!(e.message.contains(".wps"), "{e}");
    }
}
