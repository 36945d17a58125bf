//! baogao (报告): turn Chinese public-sector performance-evaluation reports (PDF or text)
//! into normalized, checked JSON.
//!
//! The crate is a staged pipeline; each stage is one module with one input and one output
//! type, so a stage can be tested, replaced or inspected on its own:
//!
//! | stage | module | input → output |
//! |---|---|---|
//! | load | [`load`] (+ [`ocr`]) | file path → [`load::LoadedDocument`] (text per page, which backend) |
//! | clean | [`clean`] | `LoadedDocument` → [`clean::CleanText`] (one string, page map) |
//! | segment | [`segment`] | `CleanText` → [`segment::Outline`] (heading tree) |
//! | (rules) | [`rules`] (+ [`patterns`]) | `patterns/*.toml`, `--patterns DIR` → [`rules::Rules`], carried in [`pipeline::Config`] |
//! | extract | [`extract`], [`grid`], [`lexicon`], [`identity`] | text + outline + [`rules::Rules`] → [`extract::Candidate`]s |
//! | normalize | [`normalize`] | raw number/unit/grade text → canonical values |
//! | check | [`check`] | candidates → resolved fields with checks and confidence |
//! | sections, lists, tables | [`sections`], [`lists`], [`tables`] | text + outline → scored sections, numbered lists, table rows |
//! | emit | [`emit`] | [`report::Report`] → JSON files, batch summaries and tables (CSV, workbook); every writer |
//!
//! [`text`] holds the character classes and heading markers every stage shares (a leaf
//! module, so no stage imports another for a helper).
//!
//! [`pipeline::convert`] runs the stages for one file; [`batch`] runs many, each in an
//! isolated worker process; [`eval`] scores outputs against truth files.

pub mod batch;
pub mod check;
pub mod clean;
pub mod cli;
pub mod confirm;
pub mod emit;
pub mod eval;
pub mod extract;
pub mod grid;
pub mod identity;
pub mod lexicon;
pub mod lists;
pub mod load;
pub mod normalize;
pub mod ocr;
pub mod patterns;
pub mod pipeline;
pub mod report;
pub mod rules;
pub mod sections;
pub mod segment;
pub mod tables;
pub mod text;
