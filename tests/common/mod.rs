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

/// The blind third of dev2 (docs/blind-dev2.md): never converted or printed by a test.
pub const DEV2_BLIND: &[&str] = &[
    "104", "109", "114", "119", "124", "129", "134", "139", "144", "204", "209", "214", "219",
    "224", "229", "234", "239", "302", "307", "312", "317", "322", "327", "332", "337", "342",
];

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

/// The non-whitespace characters of a text, for comparing extracted texts.
pub fn strip(s: &str) -> Vec<char> {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Length of the longest common subsequence (bit-parallel, Hyyrö 2004).
pub fn lcs(a: &[char], b: &[char]) -> usize {
    if a.is_empty() || b.is_empty() {
        return 0;
    }
    let words = a.len().div_ceil(64);
    let mut masks: std::collections::HashMap<char, Vec<u64>> = Default::default();
    for (i, &c) in a.iter().enumerate() {
        masks.entry(c).or_insert_with(|| vec![0; words])[i / 64] |= 1 << (i % 64);
    }
    let zero = vec![0u64; words];
    let mut v = vec![u64::MAX; words];
    for c in b {
        let m = masks.get(c).unwrap_or(&zero);
        let mut carry = 0u64;
        for w in 0..words {
            let u = v[w] & m[w];
            let (s1, c1) = v[w].overflowing_add(u);
            let (s2, c2) = s1.overflowing_add(carry);
            carry = (c1 || c2) as u64;
            v[w] = s2 | (v[w] - u);
        }
    }
    let ones: usize = v.iter().map(|w| w.count_zeros() as usize).sum();
    ones.min(a.len())
}
