//! The messages between `baogao extract` (the supervisor) and its `baogao worker`
//! processes: one JSON object per line, serde types on both sides.
//!
//! The parent's first line is the worker's configuration ([`WorkerConfig`], built from the
//! parent's [`Config`]); the worker answers [`FromWorker::Ready`] with the pattern-set
//! version it compiled (the parent refuses a worker whose rules differ from its own), then
//! one [`FromWorker::Done`] per [`ToWorker::Convert`].

use crate::load::{LoadOptions, OcrMode};
use crate::pipeline::Config;
use crate::rules::{RuleSource, Rules};
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

/// Everything a worker needs to convert like its parent: the [`Config`] (every rule
/// file's text, as the parent loaded it, and the load options) and the batch's output
/// folder and memory limit. The worker compiles the very sources the parent did, so a rule
/// file edited while a batch runs cannot split it into two pattern sets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkerConfig {
    pub out: WirePath,
    pub max_memory_mb: Option<u64>,
    pub rules: Vec<WireRule>,
    /// The parent's [`Rules::version`]: the worker must compile the same rules.
    pub rules_version: String,
    pub ocr: Ocr,
    pub ocr_jobs: usize,
    /// [`LoadOptions::ocr_budget`] in milliseconds (the batch derives it from `--timeout`).
    #[serde(default)]
    pub ocr_budget_ms: Option<u64>,
    /// The check stage's confidence constants.
    pub confidence: crate::check::ConfidenceParams,
}

/// One rule file ([`RuleSource`]) on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireRule {
    pub name: String,
    pub text: String,
    pub user: bool,
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
    pub fn new(cfg: &Config, out: &Path, max_memory_mb: Option<u64>) -> Self {
        WorkerConfig {
            out: out.into(),
            max_memory_mb,
            rules: cfg
                .rules
                .sources
                .iter()
                .map(|s| WireRule {
                    name: s.name.clone(),
                    text: s.text.clone(),
                    user: s.user,
                })
                .collect(),
            rules_version: cfg.rules.version.clone(),
            ocr: match cfg.load.ocr {
                OcrMode::Auto => Ocr::Auto,
                OcrMode::Always => Ocr::Always,
                OcrMode::Never => Ocr::Never,
            },
            ocr_jobs: cfg.load.ocr_jobs,
            ocr_budget_ms: cfg.load.ocr_budget.map(|b| b.as_millis() as u64),
            confidence: cfg.confidence,
        }
    }

    /// Rebuild the parent's [`Config`] in the worker; an error names what differs.
    pub fn to_config(&self) -> Result<Config, String> {
        let sources = self
            .rules
            .iter()
            .map(|r| RuleSource {
                name: r.name.clone(),
                text: r.text.clone(),
                user: r.user,
            })
            .collect();
        // The parent ran the user rules' examples already (`Config::with_rules`).
        let rules = Rules::from_sources(sources).map_err(|e| e.to_string())?;
        if rules.version != self.rules_version {
            return Err(format!(
                "the worker compiled rule set {} but the batch runs {}",
                rules.version, self.rules_version
            ));
        }
        Ok(Config {
            rules,
            confidence: self.confidence,
            load: LoadOptions {
                ocr: match self.ocr {
                    Ocr::Auto => OcrMode::Auto,
                    Ocr::Always => OcrMode::Always,
                    Ocr::Never => OcrMode::Never,
                },
                ocr_jobs: self.ocr_jobs,
                ocr_budget: self.ocr_budget_ms.map(std::time::Duration::from_millis),
                // An engine injected into the parent cannot cross the process boundary:
                // workers use the shipped one.
                ..LoadOptions::default()
            },
        })
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
        cfg.load.ocr_budget = Some(std::time::Duration::from_millis(270_500));
        let wc = WorkerConfig::new(&cfg, Path::new("out"), Some(512));
        let wire: ToWorker = serde_json::from_str(&line(&ToWorker::Config(wc.clone()))).unwrap();
        assert_eq!(wire, ToWorker::Config(wc.clone()));
        let got = wc.to_config().unwrap();
        assert_eq!(got.rules.version, cfg.rules.version);
        assert_eq!(got.rules.sources, cfg.rules.sources);
        assert_eq!(got.load.ocr, OcrMode::Never);
        assert_eq!(got.load.ocr_jobs, 3);
        assert_eq!(
            got.load.ocr_budget,
            Some(std::time::Duration::from_millis(270_500))
        );
        assert_eq!(wc.out.to_path(), PathBuf::from("out"));
        assert_eq!(wc.max_memory_mb, Some(512));
    }

    #[test]
    fn a_worker_with_other_rules_is_refused() {
        let cfg = Config::builtin();
        let mut wc = WorkerConfig::new(&cfg, Path::new("out"), None);
        wc.rules_version = "000000000000".into();
        let err = wc.to_config().unwrap_err();
        assert!(err.contains("rule set"), "{err}");
        wc.rules[0].text.push_str("\n[[nonsense");
        assert!(
            wc.to_config().is_err(),
            "a broken rule file is an error, not a panic"
        );
    }
}
