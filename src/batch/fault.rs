//! Fault injection for the batch tests, compiled only with the cargo feature
//! `fault-injection` (the tests enable it through the crate's dev-dependency on itself;
//! `cargo build` leaves it out, so a release binary has no hook).
//!
//! The environment variable [`FAULT_ENV`] holds `KIND:SUBSTRING[,KIND:SUBSTRING…]`: the
//! conversion of every input whose path contains SUBSTRING then does KIND first:
//! `sleep` (an hour), `alloc` (reserves 4 GiB in 16 MiB blocks without touching them, so it
//! fails at once under `--max-memory`), `abort`, `panic`, `overflow` (the stack) or `wait`
//! (until the file named by [`GATE_ENV`] exists, then converts normally).

/// The fault specification.
pub const FAULT_ENV: &str = "BAOGAO_TEST_FAULT";
/// The file a `wait` fault waits for.
pub const GATE_ENV: &str = "BAOGAO_TEST_GATE";

#[cfg(feature = "fault-injection")]
pub fn inject(display: &str) {
    use std::thread;
    use std::time::Duration;
    let Ok(spec) = std::env::var(FAULT_ENV) else {
        return;
    };
    let Some(kind) = spec.split(',').find_map(|one| {
        let (kind, needle) = one.split_once(':')?;
        (!needle.is_empty() && display.contains(needle)).then_some(kind)
    }) else {
        return;
    };
    match kind {
        "sleep" => thread::sleep(Duration::from_secs(3600)),
        "wait" => {
            let gate = std::env::var_os(GATE_ENV).map(std::path::PathBuf::from);
            for _ in 0..180_000 {
                if gate.as_ref().is_none_or(|g| g.exists()) {
                    break;
                }
                thread::sleep(Duration::from_millis(20));
            }
        }
        "alloc" => {
            let mut hold: Vec<Vec<u8>> = Vec::new();
            for _ in 0..256 {
                hold.push(Vec::with_capacity(16 << 20));
            }
            std::hint::black_box(&hold);
        }
        "abort" => std::process::abort(),
        "panic" => panic!("injected panic"),
        "overflow" => {
            fn deep(n: u64) -> u64 {
                let buf = std::hint::black_box([n; 512]);
                if buf[7] == u64::MAX {
                    return 0;
                }
                buf[7] + deep(n + 1)
            }
            std::hint::black_box(deep(0));
        }
        _ => {}
    }
}

#[cfg(not(feature = "fault-injection"))]
#[inline(always)]
pub fn inject(_display: &str) {}
