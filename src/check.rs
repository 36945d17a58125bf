//! Check stage: candidates → one field per key, cross-checks, and confidence.
//!
//! The patterns say what a value *might* be; this stage decides what to report and how far
//! to trust it. The confidence of a field starts from its pattern's trust level and moves
//! with evidence that can be observed on an unseen document:
//!
//! * another mention with the same value (agreement) raises it a little;
//! * a comparable mention with a different value is a `conflict` and caps it at 0.6;
//! * a cross-check that holds (basic + project = actual, actual / budget = stated rate,
//!   section scores add up to the total) raises every input; one that fails flags
//!   (`sum_mismatch`, `rate_mismatch`, …) and lowers every input;
//! * an implausible value (execution rate above 300 %, a grade outside the score's band)
//!   lowers it;
//! * text that came from OCR lowers it (flag `ocr`).
//!
//! The numbers are documented in the README ("Confidence") and measured with `baogao eval`.

use crate::extract::Candidate;
use crate::normalize::{grade_band, json_number};
use crate::report::{Check, Field, Flag, SectionScore};
use std::collections::BTreeMap;

/// Keys whose first (title) mention wins among equally trusted patterns without raising a
/// conflict: a report names other years and units in passing (the publication year, the
/// finance bureau that asked for the evaluation).
const FIRST_WINS: &[&str] = &["year", "report_family", "department"];

/// The constants of the confidence arithmetic, carried by [`Evidence`] so a calibration
/// study (`examples/calibrate.rs`) runs this very code with other values. `Default` is what
/// the tool uses; docs/calibration.md says how the values were measured.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ConfidenceParams {
    /// How close (in pattern trust) a disagreeing mention must be to count as a conflict.
    pub margin: f64,
    /// Each other mention with the same value adds this, at most `agree_cap` in all.
    pub agree_step: f64,
    pub agree_cap: f64,
    /// A conflict caps confidence at this.
    pub conflict_cap: f64,
    /// A first-wins key (year, family, department) with a close rival loses this.
    pub first_wins_penalty: f64,
    /// A rival further than `margin` below loses the field this.
    pub weak_rival_penalty: f64,
    /// Each cross-check that holds adds this to its inputs; each that fails takes `check_fail`.
    pub check_pass: f64,
    pub check_fail: f64,
    /// OCR text: `ocr_base + ocr_scale × share of the text that was OCRed` is taken off.
    pub ocr_base: f64,
    pub ocr_scale: f64,
}

impl Default for ConfidenceParams {
    fn default() -> Self {
        ConfidenceParams {
            margin: 0.1,
            agree_step: 0.03,
            agree_cap: 0.05,
            conflict_cap: 0.6,
            first_wins_penalty: 0.12,
            weak_rival_penalty: 0.04,
            check_pass: 0.04,
            check_fail: 0.3,
            ocr_base: 0.05,
            ocr_scale: 0.15,
        }
    }
}

/// How far a stated rate may be from actual / budget: 0.6 points for a rate printed with
/// decimals, a whole point for one printed as a whole number (99 % for 99.99 %).
pub fn rate_tolerance(stated: f64) -> f64 {
    if stated.fract() == 0.0 { 1.0 } else { 0.6 }
}

/// Output of the check stage.
#[derive(Debug, Clone, Default)]
pub struct Checked {
    pub fields: BTreeMap<String, Field>,
    pub checks: Vec<Check>,
    pub warnings: Vec<String>,
}

/// Options that change confidence for the whole document.
#[derive(Debug, Clone, Copy)]
pub struct Evidence<'a> {
    /// Share of the document's text that came from OCR (0–1).
    pub ocr_share: f64,
    /// Pages whose text is known to be incomplete (verdict `incomplete`: a damaged PDF).
    pub incomplete_pages: &'a [usize],
    /// The grade scale the document states, highest band first (see
    /// [`crate::normalize::grade_scale`]); the national bands are used when it states none.
    pub grade_scale: Option<&'a [(f64, &'static str)]>,
    /// The constants of the confidence arithmetic.
    pub params: ConfidenceParams,
    /// Which rules may give values ≥ 0.9 ([`crate::confirm`]).
    pub confirmed: &'a crate::confirm::Confirmed,
}

/// No OCR, the national grade bands, default constants, no rule record enforced.
impl Default for Evidence<'_> {
    fn default() -> Self {
        Evidence {
            ocr_share: 0.0,
            grade_scale: None,
            params: ConfidenceParams::default(),
            incomplete_pages: &[],
            confirmed: &crate::confirm::OFF,
        }
    }
}

/// Taken off every value of a document whose text is known to be incomplete: a mention
/// that would have confirmed or contradicted it may be among the lost glyphs.
const INCOMPLETE_PENALTY: f64 = 0.1;
/// The most a value read on an incomplete page can have (before cross-checks): its own
/// figures may have lost a digit.
const INCOMPLETE_PAGE_CAP: f64 = 0.6;

/// Choose one value per key, run the cross-checks, and set confidence.
pub fn check(cands: &[Candidate], sections: &[SectionScore], ev: Evidence<'_>) -> Checked {
    let mut out = Checked::default();
    let mut keys: Vec<&str> = cands.iter().map(|c| c.key.as_str()).collect();
    keys.sort_unstable();
    keys.dedup();
    for key in keys {
        let group: Vec<&Candidate> = cands.iter().filter(|c| c.key == key).collect();
        if let Some(f) = choose(key, &group, &ev.params, &mut out.warnings) {
            out.fields.insert(key.to_string(), f);
        }
    }
    let project_report = scope_by_family(&mut out);
    if ev.ocr_share > 0.0 {
        for f in out.fields.values_mut() {
            f.flags.push(Flag::Ocr.into());
            f.confidence -= ev.params.ocr_scale * ev.ocr_share.min(1.0) + ev.params.ocr_base;
        }
    }
    if !ev.incomplete_pages.is_empty() {
        for f in out.fields.values_mut() {
            f.flags.push(Flag::IncompleteText.into());
            f.confidence -= INCOMPLETE_PENALTY;
            if ev.incomplete_pages.contains(&f.page) {
                f.confidence = f.confidence.min(INCOMPLETE_PAGE_CAP);
            }
        }
    }
    cross_checks(&mut out, sections, ev.grade_scale, &ev.params);
    if project_report {
        for k in UNIT_MOSTLY {
            if let Some(f) = out.fields.get_mut(*k) {
                f.confidence = f.confidence.min(PROJECT_REPORT_CAP);
            }
        }
    }
    for f in out.fields.values_mut() {
        f.confidence = (f.confidence.clamp(0.05, 0.99) * 100.0).round() / 100.0;
        if f.confidence >= 0.9 && !ev.confirmed.allows_high(&f.pattern) {
            f.confidence = crate::confirm::UNCONFIRMED_CAP;
            f.flags.push(Flag::UnconfirmedRule.into());
        }
        f.flags.sort();
        f.flags.dedup();
    }
    out
}

/// Two mentions of an amount agree when they differ by less than the rounding of a figure
/// printed in 万元 with a few decimals (132.912万元 and 1329120.67元 are one amount): within
/// 0.005 % of the larger. Other kinds agree only when equal.
fn same_value(a: &Candidate, b: &Candidate) -> bool {
    if a.value == b.value {
        return true;
    }
    match (a.unit, b.unit, a.value.as_f64(), b.value.as_f64()) {
        (Some("yuan"), Some("yuan"), Some(x), Some(y)) => {
            (x - y).abs() <= 5e-5 * x.abs().max(y.abs())
        }
        _ => false,
    }
}

fn choose(
    key: &str,
    group: &[&Candidate],
    p: &ConfidenceParams,
    warnings: &mut Vec<String>,
) -> Option<Field> {
    let mut order: Vec<&Candidate> = group.to_vec();
    order.sort_by(|a, b| {
        b.confidence
            .partial_cmp(&a.confidence)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.start.cmp(&b.start))
    });
    let best = *order.first()?;
    let mut conf = best.confidence;
    let mut flags = best.flags.clone();
    let agreeing = order
        .iter()
        .filter(|c| same_value(c, best) && c.start != best.start)
        .count();
    let rivals: Vec<&&Candidate> = order
        .iter()
        .filter(|c| !same_value(c, best) && c.confidence >= best.confidence - p.margin)
        .collect();
    let weak_rivals = order
        .iter()
        .filter(|c| !same_value(c, best) && c.confidence < best.confidence - p.margin)
        .count();
    conf += (p.agree_step * agreeing as f64).min(p.agree_cap);
    if !rivals.is_empty() {
        if FIRST_WINS.contains(&key) {
            conf -= p.first_wins_penalty;
        } else {
            flags.push(Flag::Conflict.into());
            conf = conf.min(p.conflict_cap);
            let others: Vec<String> = rivals
                .iter()
                .map(|c| format!("{} (page {})", c.value, c.page))
                .collect();
            warnings.push(format!(
                "{key}: {} (page {}) chosen over {}",
                best.value,
                best.page,
                others.join(", ")
            ));
        }
    } else if weak_rivals > 0 {
        conf -= p.weak_rival_penalty;
    }
    if flags.iter().any(|f| *f == Flag::Implausible) {
        conf = conf.min(0.5);
    }
    Some(Field {
        value: best.value.clone(),
        unit: best.unit.map(str::to_string),
        raw: best.raw.clone(),
        page: best.page,
        confidence: conf,
        flags,
        pattern: best.pattern.clone(),
    })
}

/// Keys that describe a unit's whole spending or staff: a project report (项目支出绩效) does
/// not state them for its project; a 基本支出 / 人员经费 / 编制 figure there belongs to the
/// implementing unit's background and is not reported.
const UNIT_ONLY: &[&str] = &[
    "staff.authorized",
    "expenditure.basic",
    "expenditure.personnel",
    "expenditure.public",
];

/// Keys a project report rarely states for its project (项目支出 is usually the project's
/// own spending, 实有人数 the implementer's staff): kept, but never rated ≥ 0.9 alone.
const UNIT_MOSTLY: &[&str] = &["staff.actual", "staff.retired", "expenditure.project"];

/// Confidence of a [`UNIT_MOSTLY`] key in a project report is capped at this.
const PROJECT_REPORT_CAP: f64 = 0.8;

/// Drop the [`UNIT_ONLY`] keys when the report is a project report (the family is itself
/// read from the text; it decides only when it was read with some trust). Says whether it is.
fn scope_by_family(out: &mut Checked) -> bool {
    let project = out
        .fields
        .get("report_family")
        .is_some_and(|f| f.value.as_str() == Some("project") && f.confidence >= 0.7);
    if !project {
        return false;
    }
    for k in UNIT_ONLY {
        if let Some(f) = out.fields.remove(*k) {
            out.warnings.push(format!(
                "{k}: {} (page {}) not reported: a project report does not state it for the project",
                f.value, f.page
            ));
        }
    }
    // A project report's 项目支出X万元 is the project's own spending: when nothing else
    // states the spending, it is the actual too (held below 0.9 unless a cross-check agrees).
    if !out.fields.contains_key("expenditure.actual")
        && let Some(f) = out.fields.get("expenditure.project")
    {
        let mut actual = f.clone();
        actual.confidence = actual.confidence.min(PROJECT_REPORT_CAP);
        out.fields.insert("expenditure.actual".into(), actual);
    }
    true
}

fn num(fields: &BTreeMap<String, Field>, key: &str) -> Option<f64> {
    fields.get(key).and_then(|f| f.value.as_f64())
}

/// Apply the outcome of one check to its input fields.
fn settle(
    out: &mut Checked,
    p: &ConfidenceParams,
    name: &str,
    inputs: &[&str],
    ok: bool,
    flag: Flag,
    detail: String,
) {
    for k in inputs {
        if let Some(f) = out.fields.get_mut(*k) {
            if ok {
                f.confidence += p.check_pass;
            } else {
                f.confidence -= p.check_fail;
                f.flags.push(flag.into());
            }
        }
    }
    out.checks.push(Check {
        name: name.to_string(),
        inputs: inputs.iter().map(|s| s.to_string()).collect(),
        result: if ok { "pass" } else { "fail" }.into(),
        detail,
    });
}

/// Money sums hold within rounding of the printed unit (0.01 万元 = 100 yuan) or 0.05 %.
fn sums_match(sum: f64, total: f64) -> bool {
    (sum - total).abs() <= 100.0_f64.max(total.abs() * 0.0005)
}

fn yuan(v: f64) -> String {
    format!("{}", json_number(v))
}

fn cross_checks(
    out: &mut Checked,
    sections: &[SectionScore],
    scale: Option<&[(f64, &'static str)]>,
    cp: &ConfidenceParams,
) {
    let f = |out: &Checked, k: &str| num(&out.fields, k);
    // basic + project = actual
    if let (Some(b), Some(p), Some(a)) = (
        f(out, "expenditure.basic"),
        f(out, "expenditure.project"),
        f(out, "expenditure.actual"),
    ) {
        let ok = sums_match(b + p, a);
        settle(
            out,
            cp,
            "basic_plus_project_equals_actual",
            &[
                "expenditure.basic",
                "expenditure.project",
                "expenditure.actual",
            ],
            ok,
            Flag::SumMismatch,
            format!("{} + {} = {} vs {}", yuan(b), yuan(p), yuan(b + p), yuan(a)),
        );
    }
    // personnel + public = basic
    if let (Some(pe), Some(pu), Some(b)) = (
        f(out, "expenditure.personnel"),
        f(out, "expenditure.public"),
        f(out, "expenditure.basic"),
    ) {
        let ok = sums_match(pe + pu, b);
        settle(
            out,
            cp,
            "personnel_plus_public_equals_basic",
            &[
                "expenditure.personnel",
                "expenditure.public",
                "expenditure.basic",
            ],
            ok,
            Flag::SumMismatch,
            format!(
                "{} + {} = {} vs {}",
                yuan(pe),
                yuan(pu),
                yuan(pe + pu),
                yuan(b)
            ),
        );
    }
    // actual / budget = stated rate (adjusted budget first, then initial)
    if let (Some(a), Some(r)) = (
        f(out, "expenditure.actual"),
        f(out, "expenditure.execution_rate"),
    ) {
        let budgets: Vec<(&str, f64)> = ["budget.adjusted", "budget.initial"]
            .iter()
            .filter_map(|k| f(out, k).filter(|v| *v > 0.0).map(|v| (*k, v)))
            .collect();
        if !budgets.is_empty() {
            let hit = budgets
                .iter()
                .find(|(_, b)| (a / b * 100.0 - r).abs() <= rate_tolerance(r));
            let (bk, bv) = hit.copied().unwrap_or(budgets[0]);
            settle(
                out,
                cp,
                "actual_over_budget_equals_rate",
                &["expenditure.actual", bk, "expenditure.execution_rate"],
                hit.is_some(),
                Flag::RateMismatch,
                format!(
                    "{} / {} = {:.2} % vs stated {r} %",
                    yuan(a),
                    yuan(bv),
                    a / bv * 100.0
                ),
            );
        }
    }
    // section scores add up to the total
    let top: Vec<&SectionScore> = {
        let min_level = sections
            .iter()
            .filter(|s| s.score.is_some())
            .map(|s| s.level)
            .min();
        sections
            .iter()
            .filter(|s| Some(s.level) == min_level && s.score.is_some())
            .collect()
    };
    if let Some(t) = f(out, "score.total")
        && top.len() >= 2
    {
        let sum: f64 = top.iter().filter_map(|s| s.score).sum();
        let max_sum: f64 = top.iter().filter_map(|s| s.max).sum();
        let complete = top.iter().all(|s| s.max.is_some()) && (max_sum - 100.0).abs() <= 0.051;
        let ok = (sum - t).abs() <= 0.051;
        if !ok && !complete {
            // The sections found do not cover the whole 100 points (a part is scored
            // elsewhere, e.g. in a table): nothing to conclude.
            out.checks.push(Check {
                name: "section_scores_sum_to_total".into(),
                inputs: vec!["score.total".into()],
                result: "skipped".into(),
                detail: format!(
                    "sections found cover {max_sum} of 100 points; their scores add up to {sum}"
                ),
            });
        } else {
            settle(
                out,
                cp,
                "section_scores_sum_to_total",
                &["score.total"],
                ok,
                Flag::SumMismatch,
                format!(
                    "{} = {} vs total {t}",
                    top.iter()
                        .map(|s| format!("{}", s.score.unwrap_or(0.0)))
                        .collect::<Vec<_>>()
                        .join(" + "),
                    (sum * 100.0).round() / 100.0
                ),
            );
        }
    }
    // grade within the score's band (common national scale; a document's own scale may differ)
    if let (Some(t), Some(g)) = (
        f(out, "score.total"),
        out.fields
            .get("grade")
            .and_then(|g| g.value.as_str().map(str::to_string)),
    ) {
        let (band, whose) = match scale {
            Some(sc) => (
                crate::normalize::grade_in_scale(t, sc),
                "the document's scale",
            ),
            None => (grade_band(t), "the national scale"),
        };
        settle(
            out,
            cp,
            "grade_matches_score_band",
            &["grade", "score.total"],
            band == g,
            Flag::GradeBandMismatch,
            format!("score {t} is in band {band} of {whose}; stated grade {g}"),
        );
    }
    // an execution rate far above 100 % is possible (seed: 152.5 %) but rare
    if let Some(r) = f(out, "expenditure.execution_rate")
        && r > crate::normalize::IMPLAUSIBLE_RATE_PERCENT
        && let Some(fl) = out.fields.get_mut("expenditure.execution_rate")
    {
        fl.flags.push(Flag::Implausible.into());
        fl.confidence = fl.confidence.min(0.5);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(key: &str, v: f64, conf: f64, start: usize) -> Candidate {
        Candidate {
            key: key.into(),
            value: json_number(v),
            unit: Some("yuan"),
            raw: format!("{v}"),
            start,
            end: start + 1,
            page: 1,
            pattern: "t/p".into(),
            confidence: conf,
            flags: vec![],
        }
    }

    #[test]
    fn sums_that_hold_raise_confidence_and_failures_flag() {
        let c = vec![
            cand("expenditure.basic", 15173900.0, 0.9, 0),
            cand("expenditure.project", 34083900.0, 0.9, 10),
            cand("expenditure.actual", 49257800.0, 0.9, 20),
        ];
        let r = check(&c, &[], Evidence::default());
        assert_eq!(r.checks[0].result, "pass");
        assert!(r.fields["expenditure.actual"].confidence > 0.9);

        let c = vec![
            cand("expenditure.basic", 15173900.0, 0.9, 0),
            cand("expenditure.project", 30000000.0, 0.9, 10),
            cand("expenditure.actual", 49257800.0, 0.9, 20),
        ];
        let r = check(&c, &[], Evidence::default());
        assert_eq!(r.checks[0].result, "fail");
        assert!(
            r.fields["expenditure.actual"]
                .flags
                .contains(&"sum_mismatch".to_string())
        );
        assert!(r.fields["expenditure.actual"].confidence < 0.9);
    }

    #[test]
    fn amounts_equal_up_to_wan_rounding_agree() {
        // 132.912万元 in a form and 1329120.67元 in prose: one amount, no conflict.
        let c = vec![
            cand("budget.adjusted", 1329120.0, 0.82, 0),
            cand("budget.adjusted", 1329120.67, 0.79, 50),
        ];
        let r = check(&c, &[], Evidence::default());
        let f = &r.fields["budget.adjusted"];
        assert_eq!(f.value, json_number(1329120.0));
        assert!(f.flags.is_empty(), "{:?}", f.flags);
        assert!(f.confidence > 0.82);
        // 0.1 % apart is a different amount.
        let c = vec![
            cand("budget.adjusted", 1329120.0, 0.82, 0),
            cand("budget.adjusted", 1330450.0, 0.79, 50),
        ];
        let r = check(&c, &[], Evidence::default());
        assert!(
            r.fields["budget.adjusted"]
                .flags
                .contains(&"conflict".to_string())
        );
    }

    #[test]
    fn disagreeing_mentions_are_a_conflict() {
        let c = vec![
            cand("expenditure.execution_rate", 100.0, 0.93, 0),
            cand("expenditure.execution_rate", 0.0, 0.93, 50),
        ];
        let r = check(&c, &[], Evidence::default());
        let f = &r.fields["expenditure.execution_rate"];
        assert_eq!(f.value, json_number(100.0));
        assert!(f.flags.contains(&"conflict".to_string()));
        assert!(f.confidence <= 0.6);
        assert_eq!(r.warnings.len(), 1);
    }

    #[test]
    fn agreement_raises_and_rate_check_uses_either_budget() {
        let c = vec![
            cand("budget.initial", 32290700.0, 0.93, 0),
            cand("expenditure.actual", 49257800.0, 0.93, 10),
            cand("expenditure.actual", 49257800.0, 0.9, 100),
            cand("expenditure.execution_rate", 152.5, 0.93, 20),
        ];
        let r = check(&c, &[], Evidence::default());
        let chk = r
            .checks
            .iter()
            .find(|c| c.name == "actual_over_budget_equals_rate")
            .unwrap();
        assert_eq!(chk.result, "pass", "{}", chk.detail);
        assert!(r.fields["expenditure.actual"].confidence >= 0.99);
    }

    #[test]
    fn a_project_report_drops_unit_level_keys_and_holds_others_down() {
        let mut fam = cand("report_family", 0.0, 0.9, 0);
        fam.value = serde_json::Value::from("project");
        fam.unit = None;
        let c = vec![
            fam.clone(),
            cand("staff.authorized", 540.0, 0.92, 10),
            cand("expenditure.basic", 1.0, 0.9, 20),
            cand("staff.actual", 512.0, 0.92, 30),
            cand("expenditure.actual", 25650000.0, 0.93, 40),
        ];
        let r = check(&c, &[], Evidence::default());
        assert!(!r.fields.contains_key("staff.authorized"));
        assert!(!r.fields.contains_key("expenditure.basic"));
        assert!(r.fields["staff.actual"].confidence <= PROJECT_REPORT_CAP);
        assert!(r.fields["expenditure.actual"].confidence >= 0.9);
        assert_eq!(r.warnings.len(), 2, "{:?}", r.warnings);
        // the same candidates in a unit's report keep everything
        let mut unit = c.clone();
        unit[0].value = serde_json::Value::from("dept-overall");
        let r = check(&unit, &[], Evidence::default());
        assert!(r.fields.contains_key("staff.authorized"));
        assert!(r.fields["staff.actual"].confidence >= 0.9);
    }

    #[test]
    fn an_unconfirmed_rule_stays_below_0_9() {
        let c = vec![
            cand("budget.initial", 1.0, 0.95, 0),
            cand("expenditure.actual", 1.0, 0.8, 10),
        ];
        let mut record = crate::confirm::Confirmed::empty();
        let r = check(
            &c,
            &[],
            Evidence {
                confirmed: &record,
                ..Evidence::default()
            },
        );
        let f = &r.fields["budget.initial"];
        assert_eq!(f.confidence, crate::confirm::UNCONFIRMED_CAP);
        assert!(f.flags.contains(&"unconfirmed_rule".to_string()));
        // a value already below 0.9 is left alone and not flagged
        assert_eq!(r.fields["expenditure.actual"].confidence, 0.8);
        assert!(r.fields["expenditure.actual"].flags.is_empty());
        // once the rule's record confirms it, the value keeps its rating
        record.rules.insert(
            "t/p".into(),
            crate::confirm::Support {
                documents: 2,
                right: 2,
                wrong: 0,
                wrong_high: 0,
            },
        );
        let r = check(
            &c,
            &[],
            Evidence {
                confirmed: &record,
                ..Evidence::default()
            },
        );
        assert_eq!(r.fields["budget.initial"].confidence, 0.95);
    }

    #[test]
    fn incomplete_text_is_flagged_and_lowers_confidence() {
        let mut on_page_2 = cand("budget.adjusted", 2.0, 0.93, 10);
        on_page_2.page = 2;
        let c = vec![cand("budget.initial", 1.0, 0.93, 0), on_page_2];
        let r = check(
            &c,
            &[],
            Evidence {
                incomplete_pages: &[2],
                ..Evidence::default()
            },
        );
        let (a, b) = (&r.fields["budget.initial"], &r.fields["budget.adjusted"]);
        assert!(a.flags.contains(&"incomplete_text".to_string()));
        assert!(b.flags.contains(&"incomplete_text".to_string()));
        assert!(a.confidence < 0.9, "{}", a.confidence);
        assert!(b.confidence <= INCOMPLETE_PAGE_CAP, "{}", b.confidence);
        let whole = check(&c, &[], Evidence::default());
        assert!(whole.fields["budget.initial"].flags.is_empty());
    }

    #[test]
    fn a_project_reports_project_spending_is_its_actual_when_nothing_else_is() {
        let mut fam = cand("report_family", 0.0, 0.9, 0);
        fam.value = serde_json::Value::from("project");
        fam.unit = None;
        let c = vec![
            fam.clone(),
            cand("expenditure.project", 2205741.0, 0.86, 10),
        ];
        let r = check(&c, &[], Evidence::default());
        assert_eq!(r.fields["expenditure.actual"].value, 2205741.0);
        assert!(r.fields["expenditure.actual"].confidence < 0.9);
        // a stated actual is kept as it is
        let mut stated = c.clone();
        stated.push(cand("expenditure.actual", 2000000.0, 0.93, 20));
        let r = check(&stated, &[], Evidence::default());
        assert_eq!(r.fields["expenditure.actual"].value, 2000000.0);
        // a unit's report: 项目支出 is a category of its spending, not the whole
        let mut unit = c.clone();
        unit[0].value = serde_json::Value::from("dept-overall");
        let r = check(&unit, &[], Evidence::default());
        assert!(!r.fields.contains_key("expenditure.actual"));
    }

    #[test]
    fn ocr_text_lowers_confidence() {
        let c = vec![cand("budget.initial", 1.0, 0.93, 0)];
        let r = check(
            &c,
            &[],
            Evidence {
                ocr_share: 1.0,
                ..Evidence::default()
            },
        );
        assert!(r.fields["budget.initial"].confidence < 0.9);
        assert!(
            r.fields["budget.initial"]
                .flags
                .contains(&"ocr".to_string())
        );
    }
}
