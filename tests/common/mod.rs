//! Shared helpers of the integration tests: where `../shared` is, and what a test does when
//! something it needs (the shared corpus, tesseract) is not on the machine.
//!
//! On a developer's bare clone such a test prints why it is skipped and passes, so
//! `cargo test` works anywhere. Under CI (the `CI` environment variable is set, as
//! `.ci/run`'s caller does) the same absence is a failure: CI installs everything and
//! places `../shared` beside the clone, so a missing piece there means the suite would
//! silently test less than it claims.
#![allow(dead_code)] // each test binary uses a different subset

use std::path::{Path, PathBuf};

/// `../shared` beside the crate, when it is there (it must hold `corpus/`).
pub fn shared_dir() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    if p.join("corpus").is_dir() {
        Some(p)
    } else {
        unavailable("../shared (the shared corpus) is not beside the repository");
        None
    }
}

/// `../shared/corpus/<sub>` when it exists (skips or fails as [`unavailable`] otherwise).
pub fn corpus(sub: &str) -> Option<PathBuf> {
    let p = shared_dir()?.join("corpus").join(sub);
    if p.exists() {
        Some(p)
    } else {
        unavailable(&format!("{} is missing", p.display()));
        None
    }
}

/// Something a test needs is absent: fail under CI, print a skip line otherwise.
pub fn unavailable(what: &str) {
    if std::env::var_os("CI").is_some() {
        panic!("CI is set but {what}: .ci/run must provide it");
    }
    eprintln!("skipped: {what}");
}

/// True when `CI` is set (tests then require every optional tool).
pub fn in_ci() -> bool {
    std::env::var_os("CI").is_some()
}
