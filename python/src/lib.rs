//! `baogao._baogao`: the native half of the Python package. It converts one file with the
//! library's own pipeline ([`baogao::pipeline::convert`]) and hands back the report JSON as a
//! string, or the error kind and message; the Python half (`baogao/__init__.py`) turns those
//! into dicts and a `BaogaoError`, runs many files in threads and builds DataFrames.
//!
//! The GIL is released while a file converts, so Python threads convert in parallel. A
//! panic in a parser is caught and reported as error kind `crash`, like the CLI does.

use baogao::load::OcrMode;
use baogao::pipeline::{Config, catch_crash, convert};
use baogao::rules::Rules;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

/// Configurations by (`patterns` dir, `patterns_only`): compiling the rules costs more than
/// converting a typical text report, so it is done once per process and option set.
fn base_config(dir: Option<&str>, only: bool) -> Result<Arc<Config>, String> {
    static CACHE: OnceLock<Mutex<HashMap<(Option<String>, bool), Arc<Config>>>> = OnceLock::new();
    let key = (dir.map(str::to_string), only);
    let cache = CACHE.get_or_init(Default::default);
    if let Some(c) = cache.lock().map_err(|e| e.to_string())?.get(&key) {
        return Ok(c.clone());
    }
    let rules = match dir {
        Some(d) => Rules::with_dir(Path::new(d), only),
        None => Rules::builtin(),
    };
    let cfg = Arc::new(
        rules
            .and_then(Config::with_rules)
            .map_err(|e| e.to_string())?,
    );
    cache
        .lock()
        .map_err(|e| e.to_string())?
        .insert(key, cfg.clone());
    Ok(cfg)
}

/// Convert one file. Returns `(None, report_json)` or `(error_kind, message)`; raises
/// `ValueError` for bad options (an unknown `ocr` mode, a pattern directory that does not load).
#[pyfunction]
#[pyo3(signature = (path, ocr = "auto", patterns_dir = None, patterns_only = false, ocr_jobs = 1))]
fn extract_json(
    py: Python<'_>,
    path: &str,
    ocr: &str,
    patterns_dir: Option<&str>,
    patterns_only: bool,
    ocr_jobs: usize,
) -> PyResult<(Option<String>, String)> {
    let mut cfg =
        (*base_config(patterns_dir, patterns_only).map_err(PyValueError::new_err)?).clone();
    cfg.load.ocr = match ocr {
        "auto" => OcrMode::Auto,
        "always" => OcrMode::Always,
        "never" => OcrMode::Never,
        other => {
            return Err(PyValueError::new_err(format!(
                "ocr must be 'auto', 'always' or 'never', not {other:?}"
            )));
        }
    };
    cfg.load.ocr_jobs = ocr_jobs.max(1);
    let path_owned = path.to_string();
    Ok(py.detach(move || {
        match catch_crash(|| convert(Path::new(&path_owned), &path_owned, &cfg)) {
            Ok(report) => (None, baogao::emit::report_json(&report)),
            Err(e) => (Some(e.kind.to_string()), e.message),
        }
    }))
}

/// The canonical keys with their wide-table column names: `(key, value_column, stem)`, e.g.
/// `("budget.initial", "budget_initial_yuan", "budget_initial")` — the names of
/// `reports.csv`.
#[pyfunction]
fn columns() -> Vec<(String, String, String)> {
    baogao::report::keys()
        .map(|k| {
            (
                k.to_string(),
                baogao::emit::wide::value_column(k),
                baogao::emit::wide::column_stem(k),
            )
        })
        .collect()
}

/// The JSON Schema of the report, as a JSON string.
#[pyfunction]
fn schema_json() -> String {
    baogao::emit::schema().to_string()
}

#[pymodule]
fn _baogao(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(extract_json, m)?)?;
    m.add_function(wrap_pyfunction!(columns, m)?)?;
    m.add_function(wrap_pyfunction!(schema_json, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
