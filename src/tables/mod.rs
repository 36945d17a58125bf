//! Tables: target-vs-actual and indicator tables as structured rows.
//!
//! Reports state their goals in tables: `序号 | 年初目标值 | 实际完成情况` (department
//! reports), `一级指标 | 二级指标 | 三级指标 | 指标值 | 实际完成值 | 分值 | 得分` (project
//! self-evaluation forms). This module reads them from the cleaned text into
//! [`TableRow`]s: each row's cells by canonical column name, its number and page, and for
//! rows with a target and an actual the figures on each side and whether the target was met.
//!
//! * [`template`]: the header words and figure units of `patterns/tables.toml` (data).
//! * [`layout`]: where tables are and how their text splits into rows of cells (tabs, `|`,
//!   markdown, one cell per line, single spaces; page breaks with a repeated header).
//! * [`align`]: the national form's grammar for rows that lost cells (merged level cells,
//!   empty cells between spaces, wrapped cells, a whole table on one line).
//! * [`glued`]: tables whose separators were all lost, cut by the form's grammar.
//! * [`figures`]: numbers with units in a cell, and target-vs-actual status.
//! * the batch `targets.csv` / `indicators.csv` are written by [`crate::emit::tables`].
//!
//! A table with a score column and a total row (合计 / 总分) gets a [`Check`]: do the rows'
//! scores add up to the stated total? A mismatch is reported, never corrected.

pub mod align;
pub mod figures;
pub mod glued;
pub mod layout;
pub mod template;

use crate::clean::CleanText;
use crate::load::PageText;
use crate::normalize::{parse_chinese_numeral, parse_number, round_cents};
use crate::patterns::PatternError;
use crate::report::{Check, TableRow};
use layout::RawTable;
use std::collections::BTreeMap;
use template::{Dest, Templates};

/// What the table stage adds to a report.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tables {
    pub targets: Vec<TableRow>,
    pub indicators: Vec<TableRow>,
    pub checks: Vec<Check>,
}

/// Read the tables of a document with the built-in templates. `pages` are the loaded page
/// texts; they are used only where clean-up changed the lines' shape (joined lines, removed
/// single spaces between cells).
pub fn tables(clean: &CleanText, pages: &[PageText], t: &Templates) -> Tables {
    let pages: Vec<(usize, &str)> = pages.iter().map(|p| (p.number, p.text.as_str())).collect();
    read(t, clean, &pages)
}

/// Run every template's examples through the whole table reader; the first that fails is
/// a `file:line` error naming the template (the rules loader calls this for a user's
/// `--patterns` file; `cargo test` for the built-in one).
pub fn verify_examples(t: &Templates) -> Result<(), PatternError> {
    for tpl in &t.tables {
        let fail = |reason: String| {
            let (file, line) = tpl.origin.rsplit_once(':').unwrap_or((&tpl.origin, "0"));
            Err(PatternError {
                file: file.to_string(),
                line: line.parse().unwrap_or(0),
                reason: format!("table `{}`: {reason}", tpl.id),
            })
        };
        if tpl.examples.is_empty() {
            return fail("has no example".into());
        }
        for ex in &tpl.examples {
            let got = read(t, &CleanText::from_single(&ex.text), &[]);
            let rows: Vec<&TableRow> = got.targets.iter().chain(&got.indicators).collect();
            if rows.len() != ex.rows {
                return fail(format!(
                    "example gives {} rows, expected {}:\n{}",
                    rows.len(),
                    ex.rows,
                    ex.text
                ));
            }
            if let Some(r) = rows.iter().find(|r| r.template != tpl.id) {
                return fail(format!("example row read by template `{}`", r.template));
            }
            for (k, v) in &ex.first {
                let got = rows[0].columns.get(k).map_or("", String::as_str);
                if got != v {
                    return fail(format!(
                        "example's first row has {k} = {got:?}, expected {v:?}"
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Read tables with the given templates; `pages` are (page number, loaded text).
pub fn read(t: &Templates, clean: &CleanText, pages: &[(usize, &str)]) -> Tables {
    let mut out = Tables::default();
    for (index, raw) in layout::find_tables(t, clean, pages).iter().enumerate() {
        let rows = build_rows(t, clean, index, raw);
        let tpl = &t.tables[raw.template];
        if let Some(c) = score_check(index, tpl.id.as_str(), raw, &rows) {
            out.checks.push(c);
        }
        match tpl.into {
            Dest::Targets => out.targets.extend(rows),
            Dest::Indicators => out.indicators.extend(rows),
        }
    }
    out
}

/// `指标1:修缮建筑数量`: a cell numbered as the form's indicators are.
fn numbered_indicator(cell: &str) -> bool {
    let c = cell.trim();
    let Some(rest) = c.strip_prefix("指标") else {
        return false;
    };
    let digits = rest.chars().take_while(char::is_ascii_digit).count();
    digits > 0 && rest[digits..].starts_with([':', '：'])
}

/// The name a column goes by in `columns`: canonical when known, else the header text. A
/// table without an indicator column whose cells in one column are mostly `指标N:…` has its
/// indicators there (the header cell was lost or said something else).
fn column_names(raw: &RawTable) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for (k, (h, c)) in raw.header.iter().zip(&raw.columns).enumerate() {
        let mut name = match c {
            Some(c) => c.clone(),
            None if h.is_empty() => format!("col{}", k + 1),
            None => h.clone(),
        };
        if names.contains(&name) {
            name = format!("{name}#{}", k + 1);
        }
        names.push(name);
    }
    if !raw.columns.iter().flatten().any(|c| c == "indicator")
        && let Some(k) = (0..names.len()).find(|&k| {
            raw.columns[k].is_none()
                && raw
                    .rows
                    .iter()
                    .filter(|r| r.cells.get(k).is_some_and(|c| numbered_indicator(c)))
                    .count()
                    * 2
                    > raw.rows.len()
        })
    {
        names[k] = "indicator".to_string();
    }
    names
}

/// A row that is part of the form, not data: its indicator (or first cell) is a header word,
/// a total word or a form label (评价结论, 项目负责人).
fn form_row(t: &Templates, columns: &BTreeMap<String, String>, cells: &[String]) -> bool {
    let first = columns
        .get("indicator")
        .filter(|c| !c.is_empty())
        .or_else(|| cells.iter().find(|c| !c.is_empty()));
    let Some(first) = first else {
        return true;
    };
    // A row cut off after its `指标1:` (the end of an excerpt, a lost line).
    let empty = |c: &str| columns.get(c).is_none_or(String::is_empty);
    if numbered_indicator(first)
        && first.trim().trim_end_matches([':', '：']).len() == first.trim().len() - 1
        && ["target", "actual", "max_points", "score"]
            .iter()
            .all(|c| empty(c))
    {
        return true;
    }
    let h = template::normalize_header(first);
    t.headers.iter().any(|(w, _)| *w == h)
        || t.total_words.contains(&h)
        || align::is_form_word(t, first)
}

/// A 分值 / 得分 / 权重 cell as a number (`10`, `9.5分`, `10%`).
fn points(cell: Option<&String>) -> Option<f64> {
    let s = cell?.trim().trim_end_matches(['分', '%']).trim();
    parse_number(s)
}

fn build_rows(t: &Templates, clean: &CleanText, index: usize, raw: &RawTable) -> Vec<TableRow> {
    let names = column_names(raw);
    let has = |n: &str| names.iter().any(|x| x == n);
    let compares = has("target") && has("actual");
    let tpl = &t.tables[raw.template];
    let mut above: BTreeMap<String, String> = BTreeMap::new();
    let mut out = Vec::new();
    for r in &raw.rows {
        let mut columns: BTreeMap<String, String> =
            names.iter().cloned().zip(r.cells.iter().cloned()).collect();
        if form_row(t, &columns, &r.cells) {
            continue;
        }
        // Merged cells of a grouping column are printed once; later rows inherit them.
        for g in ["level1", "level2", "category"] {
            match columns.get(g).filter(|v| !v.is_empty()) {
                Some(v) => {
                    above.insert(g.to_string(), v.clone());
                }
                None if above.contains_key(g) => {
                    columns.insert(g.to_string(), above[g].clone());
                }
                None => {}
            }
        }
        let number = columns
            .get("seq")
            .map(|s| s.trim_end_matches(['.', '、']))
            .and_then(|s| {
                s.parse::<usize>()
                    .ok()
                    .or_else(|| parse_chinese_numeral(s).map(|n| n as usize))
            })
            .unwrap_or(out.len() + 1);
        let unit = columns.get("unit").map(String::as_str);
        let nature = columns.get("nature").map(String::as_str);
        let fig = |col: &str| {
            columns
                .get(col)
                .map(|c| figures::figures(t, c, unit, nature))
                .unwrap_or_default()
        };
        let mut target_figures = fig("target");
        let mut actual_figures = fig("actual");
        let cell = |c: &str| columns.get(c).map_or("", String::as_str);
        let (status, ratio) = if compares {
            figures::fill_bare(
                t,
                cell("target"),
                cell("actual"),
                &mut target_figures,
                &mut actual_figures,
            );
            match figures::compare(t, &target_figures, &actual_figures) {
                ("unknown", _) => (
                    Some(figures::status_from_words(t, cell("target"), cell("actual")).to_string()),
                    None,
                ),
                (s, r) => (Some(s.to_string()), r),
            }
        } else {
            (None, None)
        };
        out.push(TableRow {
            table: index,
            template: tpl.id.clone(),
            number,
            page: clean.page_at(r.start),
            max_points: points(columns.get("max_points").or(columns.get("weight"))),
            score: points(columns.get("score")),
            columns,
            cells: r.cells.clone(),
            target_figures,
            actual_figures,
            status,
            ratio,
            flags: r.flags.iter().map(|f| f.to_string()).collect(),
        });
    }
    out
}

/// Rows' scores against the total row's score, when the table has both.
fn score_check(index: usize, template: &str, raw: &RawTable, rows: &[TableRow]) -> Option<Check> {
    let total = raw.total.as_ref()?;
    let k = raw
        .columns
        .iter()
        .position(|c| c.as_deref() == Some("score"))?;
    let stated = points(total.get(k))?;
    let scores: Vec<f64> = rows.iter().filter_map(|r| r.score).collect();
    if scores.is_empty() {
        return None;
    }
    let sum = round_cents(scores.iter().sum());
    let label = total
        .iter()
        .find(|c| !c.is_empty())
        .cloned()
        .unwrap_or_default();
    let mut detail = format!(
        "{} row score(s) of table {index} ({template}) add up to {sum}; its {label} row states {stated}",
        scores.len()
    );
    let m = raw
        .columns
        .iter()
        .position(|c| c.as_deref() == Some("max_points"));
    let stated_max = m.and_then(|m| points(total.get(m)));
    let maxes: Vec<f64> = rows.iter().filter_map(|r| r.max_points).collect();
    let mut incomplete = false;
    if let Some(sm) = stated_max
        && !maxes.is_empty()
    {
        let msum = round_cents(maxes.iter().sum());
        if (msum - sm).abs() >= 0.005 {
            incomplete = true;
            detail.push_str(&format!(
                "; the rows' 分值 add up to {msum} of {sm}, so part of the total is scored outside this table"
            ));
        }
    }
    let pass = (sum - stated).abs() < 0.005;
    // Rows that do not carry the whole total cannot be checked against it.
    let result = match (pass, incomplete) {
        (true, _) => "pass",
        (false, true) => "skipped",
        (false, false) => "fail",
    };
    Some(Check {
        name: "table_score_sum".into(),
        inputs: vec![
            format!("table {index} score"),
            format!("table {index} {label}"),
        ],
        result: result.into(),
        detail,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_str(text: &str) -> Tables {
        read(Templates::builtin(), &CleanText::from_single(text), &[])
    }

    fn col<'a>(r: &'a TableRow, c: &str) -> &'a str {
        r.columns.get(c).map_or("", String::as_str)
    }

    #[test]
    fn template_examples_hold() {
        verify_examples(Templates::builtin()).unwrap();
    }

    #[test]
    fn a_failing_template_example_names_file_and_line() {
        let mut t = Templates::parse("t.toml", template::DEFAULT_FILE.1).unwrap();
        t.tables[0].examples[0].rows += 1;
        let e = verify_examples(&t).unwrap_err();
        assert_eq!(e.file, "t.toml");
        assert!(e.line > 1, "{e}");
        assert!(e.reason.contains("rows, expected"), "{e}");
    }

    #[test]
    fn tab_table_with_page_break_and_repeated_header() {
        let text = "具体详见下表:\n\n序号\t年初目标值\t实际完成情况\n\
            1\t固定资产投资13亿元\t固定资产投资13亿元\n\
            2\t招商引资实际到位资金30亿元\t招商引资实际到位资金18.75亿元\n\
            3\t营商环境完成区下达目标;做好人口普查、法制建\t顺利完成人口普查工作\n\n\
            序号\t年初目标值\t实际完成情况\n\
            \t设等统计工作\n\
            4\t党风廉政宣传2场\t党风廉政宣传3场\n\n\
            (三)效果指标\n";
        let t = read_str(text);
        assert!(t.indicators.is_empty());
        let n: Vec<usize> = t.targets.iter().map(|r| r.number).collect();
        assert_eq!(n, vec![1, 2, 3, 4]);
        let r3 = &t.targets[2];
        assert_eq!(
            col(r3, "target"),
            "营商环境完成区下达目标;做好人口普查、法制建设等统计工作"
        );
        assert_eq!(r3.flags, vec!["continued_after_page_break"]);
        let r2 = &t.targets[1];
        assert_eq!(r2.status.as_deref(), Some("not_met"));
        assert_eq!(r2.ratio, Some(62.5));
        assert_eq!(
            (
                r2.target_figures[0].value,
                r2.target_figures[0].unit.as_str()
            ),
            (30.0, "亿元")
        );
        assert_eq!(t.targets[3].status.as_deref(), Some("met"));
        assert_eq!(t.targets[2].status.as_deref(), Some("unknown"));
    }

    #[test]
    fn pipe_indicator_table_with_total_row_fails_the_sum_check() {
        let text = "绩效指标 | | | | | | |\n\
            一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因分析及改进措施\n\
            产出指标 | 数量指标 | 推广面积 | ≥2万亩 | 2.1万亩 | 10 | 10 | \n\
            | | 采购有机肥数量 | ≥8000吨 | 7600吨 | 10 | 9 | 单价上涨\n\
            效益指标 | 经济效益指标 | 亩均节约成本 | ≥60元 | 52元 | 10 | 8 | 价格回落\n\
            总分 | | | | | 30 | 37 | \n\
            自评结论 | 基本完成。\n";
        let t = read_str(text);
        assert!(t.targets.is_empty());
        assert_eq!(t.indicators.len(), 3);
        let r = &t.indicators[1];
        assert_eq!(
            (col(r, "level1"), col(r, "level2")),
            ("产出指标", "数量指标"),
            "filled down"
        );
        assert_eq!((r.max_points, r.score), (Some(10.0), Some(9.0)));
        assert_eq!(r.status.as_deref(), Some("not_met"));
        assert_eq!(t.indicators[0].status.as_deref(), Some("met"));
        assert_eq!(t.checks.len(), 1);
        assert_eq!(t.checks[0].result, "fail");
        assert!(
            t.checks[0].detail.contains("add up to 27"),
            "{}",
            t.checks[0].detail
        );
        assert!(
            t.checks[0].detail.contains("states 37"),
            "{}",
            t.checks[0].detail
        );
    }

    #[test]
    fn one_cell_per_line_tables() {
        let text = "三、部门整体支出绩效目标完成情况\n三级指标\n年度目标值\n实际完成值\n完成情况\n\
            防汛设施维修加固\n12处\n10处\n未完成\n群众满意度\n≥90%\n92.6%\n完成\n\
            四、绩效自评得分情况\n一级指标\n分值\n自评得分\n扣分原因\n\
            决策\n20\n18\n扣2分\n过程\n20\n17\n扣3分\n合计\n40\n35\n—\n自评等级\n良\n";
        let t = read_str(text);
        assert_eq!(t.targets.len(), 2);
        assert_eq!(t.targets[0].status.as_deref(), Some("not_met"));
        assert_eq!(col(&t.targets[1], "completion"), "完成");
        assert_eq!(t.indicators.len(), 2);
        assert_eq!(t.indicators[1].table, 1);
        assert_eq!(t.checks.len(), 1);
        assert_eq!(t.checks[0].result, "pass", "{:?}", t.checks);
    }

    #[test]
    fn cells_glued_by_line_joining_are_split_again() {
        use crate::load::{LoadedDocument, PageText, TextLayer};
        let long =
            "部分产业项目带动增收效果尚未充分显现，项目实施进度滞后，群众反映问题整改不及时，扣4分";
        let page = format!(
            "四、绩效自评得分情况\n{}\n一级指标\n分值\n自评得分\n扣分原因\n决策\n20\n18\n{long}\n效益\n30\n26\n{long}\n合计\n50\n44\n—\n",
            long.repeat(2)
        );
        let doc = LoadedDocument {
            pages: vec![PageText {
                number: 1,
                text: page.clone(),
                backend: crate::load::PageBackend::Plain,
                verdict: crate::load::quality::Verdict::Good,
            }],
            text_layer: TextLayer::Plain,
            warnings: vec![],
        };
        let clean = crate::clean::clean(&doc);
        assert!(
            clean.text.contains("扣4分效益"),
            "clean-up joins the long cell: {}",
            clean.text
        );
        let t = tables(&clean, &doc.pages, Templates::builtin());
        let got: Vec<(&str, Option<f64>)> = t
            .indicators
            .iter()
            .map(|r| (col(r, "level1"), r.score))
            .collect();
        assert_eq!(got, vec![("决策", Some(18.0)), ("效益", Some(26.0))]);
        assert_eq!(t.checks[0].result, "pass");
        // Without the page text the glued lines are not read as a table at all (the header
        // line is glued to the paragraph above it), rather than read misaligned.
        assert!(
            read(Templates::builtin(), &clean, &[])
                .indicators
                .is_empty()
        );
    }

    #[test]
    fn one_cell_per_line_with_trailing_bars() {
        let text = "绩效指标(90分) |\n一级指标 |\n二级指标 |\n三级指标 |\n指标性质 |\n指标值 |\n度量单位 |\n\
            完成值 |\n权重 |\n得分 |\n未完成原因分析 |\n\
            产出指标 |\n数量指标 |\n发放覆盖率 |\n= |\n100 |\n% |\n|\n60 |\n|\n|\n\
            效益指标 |\n社会效益指标 |\n足额保障率 |\n= |\n100 |\n% |\n|\n30 |\n|\n|\n\
            合计 |\n100 |\n|\n|\n评价结论 |\n";
        let t = read_str(text);
        assert_eq!(t.indicators.len(), 2, "{t:?}");
        let r = &t.indicators[0];
        assert_eq!(
            (col(r, "indicator"), col(r, "unit"), r.max_points),
            ("发放覆盖率", "%", Some(60.0))
        );
        assert_eq!(r.target_figures[0].unit, "%");
        assert_eq!(r.status.as_deref(), Some("unknown"));
        assert!(t.checks.is_empty(), "no scores, no check");
    }

    /// (一级, 二级, indicator, score) of every indicator row.
    fn levels_and_scores(t: &Tables) -> Vec<(&str, &str, &str, Option<f64>)> {
        t.indicators
            .iter()
            .map(|r| {
                (
                    col(r, "level1"),
                    col(r, "level2"),
                    col(r, "indicator"),
                    r.score,
                )
            })
            .collect()
    }

    #[test]
    fn one_cell_per_line_with_blank_lines_between_cells() {
        let text = "三、绩效指标完成情况\n\n一级指标\n\n二级指标\n\n三级指标\n\n年度指标值\n\n实际完成值\n\n\
            分值\n\n得分\n\n产出指标\n\n数量指标\n\n某某站点建设数量\n\n≥6个\n\n6个\n\n20\n\n20\n\n\
            质量指标\n\n验收合格率\n\n100%\n\n96%\n\n20\n\n18\n\n\n四、存在问题\n";
        let t = read_str(text);
        let got = levels_and_scores(&t);
        assert_eq!(
            got,
            [
                ("产出指标", "数量指标", "某某站点建设数量", Some(20.0)),
                ("产出指标", "质量指标", "验收合格率", Some(18.0)),
            ]
        );
        assert_eq!(t.indicators[1].status.as_deref(), Some("not_met"));
    }

    #[test]
    fn merged_cells_in_a_table_whose_lines_all_start_with_a_bar() {
        // Class B: the missing 一级 cell of a markdown-style table is seen by the level
        // vocabulary, not by a leading empty cell.
        let text = "| 一级指标 | 二级指标 | 三级指标 | 指标值 | 实际完成值 | 分值 | 得分 |\n\
            | 产出指标 | 数量指标 | 某某培训人次 | ≥300人次 | 320人次 | 20 | 20 |\n\
            | 质量指标 | 培训合格率 | ≥90% | 85% | 20 | 16 |\n\
            | 某某学员就业人数 | ≥100人 | 104人 | 20 | 20 |\n\
            | 合计 | | | | | 60 | 56 |\n\
            | 评价结论 | 良 | | | | | |\n";
        let t = read_str(text);
        let got = levels_and_scores(&t);
        assert_eq!(
            got,
            [
                ("产出指标", "数量指标", "某某培训人次", Some(20.0)),
                ("产出指标", "质量指标", "培训合格率", Some(16.0)),
                ("产出指标", "质量指标", "某某学员就业人数", Some(20.0)),
            ]
        );
        let status: Vec<&str> = t
            .indicators
            .iter()
            .map(|r| r.status.as_deref().unwrap())
            .collect();
        assert_eq!(status, ["met", "not_met", "met"]);
        assert_eq!(t.checks[0].result, "pass", "{:?}", t.checks);
    }

    #[test]
    fn a_last_cell_wrapped_onto_its_own_line() {
        let text = "指标名称\t计量单位\t指标性质\t年初指标值\t调整指标值\t全年完成值\t得分系数(%)\t指标权重(分)\t指标得分(分)\t是否核心指标\n\
            某某社区食堂建设数量\t个\t≥\t6\t\t6\t100\t10\t10\t\n\
            是\n\
            某某老年助餐服务人次\t人次\t≥\t5000\t\t4600\t92\t10\t9.2\t否\n\n\
            五、其他\n";
        let t = read_str(text);
        let got: Vec<(&str, &str)> = t
            .indicators
            .iter()
            .map(|r| (col(r, "indicator"), col(r, "是否核心指标")))
            .collect();
        assert_eq!(
            got,
            [
                ("某某社区食堂建设数量", "是"),
                ("某某老年助餐服务人次", "否")
            ]
        );
        assert_eq!(t.indicators[1].status.as_deref(), Some("not_met"));
        assert_eq!(t.indicators[1].ratio, Some(92.0));
    }

    #[test]
    fn markdown_table() {
        let text = "具体如下:\n\n| 指标类别 | 绩效指标 | 年度目标值 | 实际完成值 | 完成情况 |\n|---|---|---|---|---|\n\
            | 数量指标 | 农村卫生户厕改造 | 500户 | 460户 | 未完成 |\n\
            | 质量指标 | 监测合格率 | ≥98% | 99.2% | 完成 |\n\n未完成指标说明:";
        let t = read_str(text);
        assert_eq!(t.targets.len(), 2);
        assert_eq!(t.targets[0].status.as_deref(), Some("not_met"));
        assert_eq!(t.targets[0].ratio, Some(92.0));
        assert_eq!(t.targets[1].status.as_deref(), Some("met"));
    }

    #[test]
    fn space_separated_table_is_read_from_the_page_text() {
        let raw_text = "各指标完成情况如下:\n\n一级指标 二级指标 三级指标 年度指标值 实际完成值 分值 得分\n\
            产出指标 数量指标 老年人健康管理人数 ≥1200人 1056人 15 13.2\n\
            满意度指标 服务对象满意度指标 辖区居民满意度 ≥85% 82% 10 6\n\n各项主要工作";
        let clean = CleanText::from_single(raw_text);
        assert!(
            clean.text.contains("一级指标二级指标"),
            "clean-up glues the header"
        );
        let t = read(Templates::builtin(), &clean, &[(1, raw_text)]);
        assert_eq!(t.indicators.len(), 2, "{t:?}");
        let r = &t.indicators[0];
        assert_eq!(col(r, "indicator"), "老年人健康管理人数");
        assert_eq!((r.max_points, r.score), (Some(15.0), Some(13.2)));
        assert_eq!(r.status.as_deref(), Some("not_met"));
        // Without the page text there is nothing to split the glued rows with.
        assert!(read_str(raw_text).indicators.is_empty());
    }

    #[test]
    fn space_separated_numbered_rows_split_only_where_plain() {
        // PDF text: a space between every number and its unit, so the cells hold spaces too.
        // A repeated text splits in the middle; a row whose split is unclear is left out.
        let raw_text = "序号 年初目标值 实际完成情况\n1 固定资产投资 13 亿元 固定资产投资 13 亿元\n\
                        2 新增企业 3 家 协助 申报 2 家\n3 党风廉政宣传 2 场 党风廉政宣传 3 场\n";
        let clean = CleanText::from_single(raw_text);
        let t = read(Templates::builtin(), &clean, &[(1, raw_text)]);
        let rows: Vec<(&str, &str, &str)> = t
            .targets
            .iter()
            .map(|r| (col(r, "seq"), col(r, "target"), col(r, "actual")))
            .collect();
        assert_eq!(
            rows,
            vec![
                ("1", "固定资产投资 13 亿元", "固定资产投资 13 亿元"),
                ("3", "党风廉政宣传 2 场", "党风廉政宣传 3 场"),
            ],
            "{t:?}"
        );
        assert_eq!(t.targets[1].status.as_deref(), Some("met"));
    }

    #[test]
    fn prose_and_unrelated_tables_give_nothing() {
        let text = "项目资金(万元) | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分\n\
            年度资金总额 | 300.00 | 320.00 | 304.00 | 10 | 95.00% | 9.5\n\n\
            年初目标值与实际完成情况对比如下:\n一、基本情况\n分值\n得分\n";
        assert_eq!(read_str(text), Tables::default());
    }
}
