//! The messages between `baogao extract` (the supervisor) and its `baogao worker`
//! processes: one JSON object per line, serde types on both sides.
//!
//! The parent's first line is the worker's configuration ([`WorkerConfig`], built from the
//! parent's [`Config`]); the worker answers [`FromWorker::Ready`] with the pattern-set
//! version it compiled (the parent refuses a worker whose rules differ from its own), then
//! one [`FromWorker::Done`] per [`ToWorker::Convert`].

use crate::load::{LoadOptions, OcrMode};
use crate::patterns::PatternSet;
use crate::pipeline::Config;
use serde::{Deserialize, Serialize};
use std::ffi::OsString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

/// A path on the wire: text when it is UTF-8, its bytes otherwise (Unix file names are
/// bytes, and an archive holds GBK-named files).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum WirePath {
    Text(String),
    Bytes { bytes: Vec<u8> },
}

impl From<&Path> for WirePath {
    fn from(p: &Path) -> WirePath {
        match p.to_str() {
            Some(s) => WirePath::Text(s.to_string()),
            None => WirePath::Bytes {
                bytes: p.as_os_str().as_bytes().to_vec(),
            },
        }
    }
}

impl WirePath {
    pub fn to_path(&self) -> PathBuf {
        match self {
            WirePath::Text(s) => PathBuf::from(s),
            WirePath::Bytes { bytes } => PathBuf::from(OsString::from_vec(bytes.clone())),
        }
    }
}

/// Where the rules of a run come from (`--patterns DIR [--patterns-only]`), which a
/// compiled [`PatternSet`] does not remember.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleSource {
    pub dir: Option<PathBuf>,
    pub only: bool,
}

impl RuleSource {
    pub fn compile(&self) -> Result<PatternSet, crate::patterns::PatternError> {
        match &self.dir {
            Some(dir) => PatternSet::with_dir(dir, self.only),
            None => PatternSet::builtin(),
        }
    }
}

/// Everything a worker needs to convert like its parent: the [`Config`] (as the rule
/// source and the load options) and the batch's output folder and memory limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkerConfig {
    pub out: WirePath,
    pub max_memory_mb: Option<u64>,
    pub patterns_dir: Option<WirePath>,
    pub patterns_only: bool,
    /// The parent's [`PatternSet::version`]: the worker must compile the same rules.
    pub patterns_version: String,
    pub ocr: Ocr,
    pub ocr_jobs: usize,
}

/// [`OcrMode`] on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ocr {
    Auto,
    Always,
    Never,
}

impl WorkerConfig {
    /// The message for a worker of a batch converting with `cfg` into `out`.
    pub fn new(cfg: &Config, rules: &RuleSource, out: &Path, max_memory_mb: Option<u64>) -> Self {
        WorkerConfig {
            out: out.into(),
            max_memory_mb,
            patterns_dir: rules.dir.as_deref().map(WirePath::from),
            patterns_only: rules.only,
            patterns_version: cfg.patterns.version.clone(),
            ocr: match cfg.load.ocr {
                OcrMode::Auto => Ocr::Auto,
                OcrMode::Always => Ocr::Always,
                OcrMode::Never => Ocr::Never,
            },
            ocr_jobs: cfg.load.ocr_jobs,
        }
    }

    /// Rebuild the parent's [`Config`] in the worker; an error names what differs.
    pub fn to_config(&self) -> Result<Config, String> {
        let rules = RuleSource {
            dir: self.patterns_dir.as_ref().map(WirePath::to_path),
            only: self.patterns_only,
        };
        let patterns = rules.compile().map_err(|e| e.to_string())?;
        if patterns.version != self.patterns_version {
            return Err(format!(
                "the worker compiled pattern set {} but the batch runs {} (pattern files changed?)",
                patterns.version, self.patterns_version
            ));
        }
        let mut cfg = Config::builtin();
        cfg.patterns = patterns;
        cfg.load = LoadOptions {
            ocr: match self.ocr {
                Ocr::Auto => OcrMode::Auto,
                Ocr::Always => OcrMode::Always,
                Ocr::Never => OcrMode::Never,
            },
            ocr_jobs: self.ocr_jobs,
        };
        Ok(cfg)
    }
}

/// One input to convert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    pub id: u64,
    pub path: WirePath,
    /// The path as the user gave it (`source.file`).
    pub display: String,
    /// The output name, `<output>.json` under the output folder.
    pub output: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToWorker {
    Config(WorkerConfig),
    Convert(Request),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FromWorker {
    /// The configuration was built; the per-file clock starts now.
    Ready { patterns_version: String },
    /// The configuration could not be built (the worker exits).
    Failed { message: String },
    /// A finished input: its summary line ([`crate::emit::SummaryRow::to_json`]).
    Done { id: u64, row: serde_json::Value },
}

/// One message as a line.
pub fn line<T: Serialize>(msg: &T) -> String {
    let mut s = serde_json::to_string(msg).expect("protocol messages serialize");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_round_trip_non_utf8_paths() {
        let p = PathBuf::from(OsString::from_vec(b"bad\xff.pdf".to_vec()));
        let req = ToWorker::Convert(Request {
            id: 7,
            path: p.as_path().into(),
            display: "bad?.pdf".into(),
            output: "bad".into(),
        });
        let back: ToWorker = serde_json::from_str(&line(&req)).unwrap();
        assert_eq!(back, req);
        let ToWorker::Convert(r) = back else {
            panic!("not a request")
        };
        assert_eq!(r.path.to_path(), p);
    }

    #[test]
    fn the_worker_rebuilds_the_parents_config() {
        let mut cfg = Config::builtin();
        cfg.load.ocr = OcrMode::Never;
        cfg.load.ocr_jobs = 3;
        let wc = WorkerConfig::new(&cfg, &RuleSource::default(), Path::new("out"), Some(512));
        let wire: ToWorker = serde_json::from_str(&line(&ToWorker::Config(wc.clone()))).unwrap();
        assert_eq!(wire, ToWorker::Config(wc.clone()));
        let got = wc.to_config().unwrap();
        assert_eq!(got.patterns.version, cfg.patterns.version);
        assert_eq!(got.load.ocr, OcrMode::Never);
        assert_eq!(got.load.ocr_jobs, 3);
        assert_eq!(wc.out.to_path(), PathBuf::from("out"));
        assert_eq!(wc.max_memory_mb, Some(512));
    }

    #[test]
    fn a_worker_with_other_rules_is_refused() {
        let dir = std::env::temp_dir().join(format!("baogao-proto-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let cfg = Config::builtin();
        // The parent compiled the built-in set; the worker is pointed at a directory that
        // replaces it with nothing: the versions differ.
        let rules = RuleSource {
            dir: Some(dir.clone()),
            only: true,
        };
        let wc = WorkerConfig::new(&cfg, &rules, &dir, None);
        let err = wc.to_config().unwrap_err();
        assert!(err.contains("pattern set"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
