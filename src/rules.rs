//! The rules loader: every file under `patterns/`, built in or given with `--patterns DIR`,
//! parsed, validated and versioned in one place.
//!
//! Rules are data so that a new phrasing or table layout is a reviewed data change. They come
//! in kinds, told apart by the file's name:
//!
//! | file | kind | read by |
//! |---|---|---|
//! | `grids.toml` | budget-execution grid columns and rows | [`crate::grid`] |
//! | `tables.toml` | table header words and templates | [`crate::tables`] |
//! | `lexicon.toml` | cue words for prose amounts, scope words | [`crate::lexicon`] |
//! | `labels.toml` | form labels and stamps that bound names | [`crate::identity`] |
//! | `confirmed.toml` | each rule's record on the development documents (generated) | [`crate::confirm`] |
//! | any other `*.toml` | field patterns (`[[pattern]]`) | [`crate::extract`] |
//!
//! The built-in files are compiled into the binary ([`BUILTIN`]), so the tool works from any
//! folder. `--patterns DIR` layers a directory over them: a file named like a built-in one
//! replaces it; any other file adds its rules (a field pattern whose id already exists
//! replaces that pattern). With `--patterns-only` the directory's files are the whole set.
//!
//! Every file is validated as it loads (unknown keys, field keys checked against the field
//! list [`crate::report::FIELDS`], regexes compiled) with `file:line` errors. Running a
//! file's examples needs the stages that use the rules, so [`crate::pipeline::Config`] does
//! that for the files a user supplied (`cargo test` does it for the built-in ones). The
//! [`Rules::version`] hashes every effective rule file, so `--resume` redoes an input when any
//! rule changed.

use crate::confirm::Confirmed;
use crate::grid::Grids;
use crate::identity::Labels;
use crate::lexicon::Lexicon;
use crate::patterns::{self, PatternError, PatternSet};
use crate::tables::template::Templates;
use std::path::Path;
use std::sync::Arc;

/// The built-in rule files (name under `patterns/`, contents), embedded at build time.
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "patterns/identity.toml",
        include_str!("../patterns/identity.toml"),
    ),
    (
        "patterns/staff.toml",
        include_str!("../patterns/staff.toml"),
    ),
    (
        "patterns/money.toml",
        include_str!("../patterns/money.toml"),
    ),
    (
        "patterns/score.toml",
        include_str!("../patterns/score.toml"),
    ),
    crate::grid::DEFAULT_FILE,
    crate::tables::template::DEFAULT_FILE,
    crate::lexicon::SOURCE,
    crate::identity::LABELS_FILE,
    (
        "patterns/confirmed.toml",
        include_str!("../patterns/confirmed.toml"),
    ),
];

/// What a rule file holds, decided by its file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleKind {
    /// `[[pattern]]` tables: field patterns.
    Fields,
    /// `grids.toml`: budget-execution grids.
    Grids,
    /// `tables.toml`: table templates.
    Tables,
    /// `lexicon.toml`: cue words for prose amounts.
    Lexicon,
    /// `labels.toml`: the form-label vocabulary of [`crate::identity`].
    Labels,
    /// `confirmed.toml`: which rules may give values ≥ 0.9 ([`crate::confirm`]).
    Confirmed,
}

impl RuleKind {
    /// The kind of a rule file from its name (`…/grids.toml` → grids).
    pub fn of(file: &str) -> RuleKind {
        match Path::new(file).file_name().and_then(|n| n.to_str()) {
            Some("grids.toml") => RuleKind::Grids,
            Some("tables.toml") => RuleKind::Tables,
            Some("lexicon.toml") => RuleKind::Lexicon,
            Some("labels.toml") => RuleKind::Labels,
            Some("confirmed.toml") => RuleKind::Confirmed,
            _ => RuleKind::Fields,
        }
    }
}

/// One rule file's source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSource {
    /// `patterns/money.toml` for a built-in file, the path as found for a user's.
    pub name: String,
    pub text: String,
    /// True for files given with `--patterns` (their examples are run at load).
    pub user: bool,
}

/// Every rule the pipeline uses, compiled.
#[derive(Debug, Clone)]
pub struct Rules {
    pub fields: PatternSet,
    pub grids: Arc<Grids>,
    pub tables: Arc<Templates>,
    /// Cue words for prose amounts (`lexicon.toml`; empty when the set has none).
    pub lexicon: Arc<Lexicon>,
    /// Form labels and stamps that bound names (`labels.toml`).
    pub labels: Arc<Labels>,
    /// Each rule's record; an unconfirmed rule's values stay below 0.9 (`confirmed.toml`;
    /// without one every rule is unconfirmed).
    pub confirmed: Arc<Confirmed>,
    /// The effective sources, in load order.
    pub sources: Vec<RuleSource>,
    /// A short hash of every effective rule file: a changed rule means old outputs are stale.
    pub version: String,
}

impl Rules {
    /// The built-in rules.
    pub fn builtin() -> Result<Rules, PatternError> {
        Rules::from_sources(builtin_sources())
    }

    /// The built-in rules with `dir`'s `*.toml` files layered over them (or, with
    /// `replace`, `dir`'s files alone).
    pub fn with_dir(dir: &Path, replace: bool) -> Result<Rules, PatternError> {
        let io = |file: String, e: std::io::Error| PatternError {
            file,
            line: 0,
            reason: e.to_string(),
        };
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .map_err(|e| io(dir.display().to_string(), e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        files.sort();
        let mut sources = if replace {
            Vec::new()
        } else {
            builtin_sources()
        };
        for f in files {
            let name = f.display().to_string();
            let text = std::fs::read_to_string(&f).map_err(|e| io(name.clone(), e))?;
            let base = f.file_name().map(|n| n.to_string_lossy().into_owned());
            // A file named like a built-in one replaces it.
            sources.retain(|s| {
                s.user
                    || Path::new(&s.name)
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        != base
            });
            sources.push(RuleSource {
                name,
                text,
                user: true,
            });
        }
        Rules::from_sources(sources)
    }

    /// Compile a list of sources (later field patterns replace earlier ones with the same
    /// id; a later grid or table file replaces an earlier one).
    pub fn from_sources(sources: Vec<RuleSource>) -> Result<Rules, PatternError> {
        let mut fields = PatternSet::default();
        let mut grids = None;
        let mut tables = None;
        let mut lexicon = None;
        let mut labels = None;
        let mut confirmed = None;
        for s in &sources {
            match RuleKind::of(&s.name) {
                RuleKind::Fields => fields.add(patterns::parse_file(&s.name, &s.text)?),
                RuleKind::Grids => grids = Some(Grids::parse(&s.name, &s.text)?),
                RuleKind::Tables => tables = Some(Templates::parse(&s.name, &s.text)?),
                RuleKind::Lexicon => lexicon = Some(crate::lexicon::parse(&s.name, &s.text)?),
                RuleKind::Labels => labels = Some(crate::identity::parse(&s.name, &s.text)?),
                RuleKind::Confirmed => confirmed = Some(Confirmed::parse(&s.name, &s.text)?),
            }
        }
        let grids = match grids {
            Some(g) => g,
            None => Grids::parse("(no grids.toml)", "")?,
        };
        let tables = match tables {
            Some(t) => t,
            None => Templates::parse("(no tables.toml)", crate::tables::template::EMPTY_FILE)?,
        };
        let labels = match labels {
            Some(l) => l,
            None => crate::identity::parse(
                crate::identity::LABELS_FILE.0,
                crate::identity::LABELS_FILE.1,
            )?,
        };
        let version = version_of(&sources);
        fields.version = version.clone();
        Ok(Rules {
            fields,
            grids: Arc::new(grids),
            tables: Arc::new(tables),
            lexicon: Arc::new(lexicon.unwrap_or_else(Lexicon::empty)),
            labels: Arc::new(labels),
            confirmed: Arc::new(confirmed.unwrap_or_else(Confirmed::empty)),
            sources,
            version,
        })
    }

    /// The files given with `--patterns`.
    pub fn user_sources(&self) -> impl Iterator<Item = &RuleSource> {
        self.sources.iter().filter(|s| s.user)
    }
}

fn builtin_sources() -> Vec<RuleSource> {
    BUILTIN
        .iter()
        .map(|(name, text)| RuleSource {
            name: name.to_string(),
            text: text.to_string(),
            user: false,
        })
        .collect()
}

fn version_of(sources: &[RuleSource]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for s in sources {
        h.update(s.name.as_bytes());
        h.update([0]);
        h.update(s.text.as_bytes());
        h.update([0]);
    }
    let d = h.finalize();
    d.iter().take(6).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(tag: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("baogao-rules-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn builtin_rules_compile_and_every_file_is_versioned() {
        let r = Rules::builtin().unwrap();
        assert!(r.fields.patterns.len() > 20);
        assert_eq!(r.version.len(), 12);
        assert_eq!(r.sources.len(), BUILTIN.len());
        // the record of confirmed rules is loaded and enforced (src/confirm.rs)
        assert!(r.confirmed.enforce);
        assert!(r.confirmed.rules.values().filter(|s| s.confirms()).count() > 20);
        // Editing any rule file, grids and tables included, changes the version.
        for (i, _) in BUILTIN.iter().enumerate() {
            let mut s = builtin_sources();
            s[i].text.push_str("\n# edited\n");
            assert_ne!(
                Rules::from_sources(s).unwrap().version,
                r.version,
                "{}",
                BUILTIN[i].0
            );
        }
    }

    #[test]
    fn the_repository_patterns_dir_loads_as_an_override() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("patterns");
        let r = Rules::with_dir(&dir, false).unwrap();
        let b = Rules::builtin().unwrap();
        assert_eq!(r.fields.patterns.len(), b.fields.patterns.len());
        assert_eq!(
            r.sources.len(),
            BUILTIN.len(),
            "same-named files replace, not add"
        );
        assert!(r.sources.iter().all(|s| s.user));
    }

    #[test]
    fn a_user_file_adds_or_replaces_and_errors_name_file_and_line() {
        let d = temp_dir("add");
        std::fs::write(
            d.join("extra.toml"),
            "[[pattern]]\nid = \"x\"\nkey = \"year\"\nkind = \"year\"\nconfidence = 0.5\nregex = '(?P<value>20\\d\\d)年度'\n[[pattern.example]]\ntext = \"2021年度\"\nvalue = 2021\n",
        )
        .unwrap();
        let r = Rules::with_dir(&d, false).unwrap();
        assert!(r.fields.patterns.iter().any(|p| p.id == "extra/x"));
        assert_ne!(r.version, Rules::builtin().unwrap().version);
        let only = Rules::with_dir(&d, true).unwrap();
        assert_eq!(only.fields.patterns.len(), 1);

        std::fs::write(d.join("grids.toml"), "[[column]]\nkey = \"budget.initial\"\nkind = \"money\"\nlabels = ['年初预算']\ncolumn = 3\n").unwrap();
        let e = Rules::with_dir(&d, false).unwrap_err();
        assert!(e.file.ends_with("grids.toml") && e.line == 5, "{e}");
        assert!(e.reason.contains("unknown field `column`"), "{e}");
        std::fs::remove_dir_all(&d).unwrap();
    }
}
