//! Batch CSVs of table rows: `targets.csv` and `indicators.csv`, one line per row with the
//! source file, so the rows of a whole batch load into a spreadsheet or pandas at once.

use crate::report::{Figure, Report, TableRow};
use std::path::Path;

/// The canonical columns, in the order the CSVs list them (one list with the templates').
pub use super::template::COLUMN_NAMES as COLUMNS;

use crate::emit::csv_cell as cell;

fn figures(f: &[Figure]) -> String {
    f.iter()
        .map(|f| match f.direction.as_deref() {
            Some("at_least") => format!("≥{}{}", f.value, f.unit),
            Some("at_most") => format!("≤{}{}", f.value, f.unit),
            _ => format!("{}{}", f.value, f.unit),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// One CSV of rows: `pick` chooses `targets` or `indicators` of each report. Files are
/// sorted by name; rows keep document order.
pub fn rows_csv(reports: &[(String, Report)], pick: fn(&Report) -> &[TableRow]) -> String {
    let mut out = String::from("file,table,template,number,page");
    for c in COLUMNS {
        out.push(',');
        out.push_str(c);
    }
    out.push_str(",other_columns,status,ratio,target_figures,actual_figures,flags\n");
    let mut reports: Vec<&(String, Report)> = reports.iter().collect();
    reports.sort_by(|a, b| a.0.cmp(&b.0));
    for (file, report) in reports {
        for r in pick(report) {
            let mut cells = vec![
                cell(file),
                r.table.to_string(),
                cell(&r.template),
                r.number.to_string(),
                r.page.to_string(),
            ];
            for c in COLUMNS {
                cells.push(cell(r.columns.get(*c).map_or("", String::as_str)));
            }
            let other: Vec<String> = r
                .columns
                .iter()
                .filter(|(k, _)| !COLUMNS.contains(&k.as_str()))
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            cells.push(cell(&other.join("; ")));
            cells.push(r.status.clone().unwrap_or_default());
            cells.push(r.ratio.map_or(String::new(), |x| x.to_string()));
            cells.push(cell(&figures(&r.target_figures)));
            cells.push(cell(&figures(&r.actual_figures)));
            cells.push(cell(&r.flags.join(";")));
            out.push_str(&cells.join(","));
            out.push('\n');
        }
    }
    out
}

/// `targets.csv` for a batch of (source file as given, report).
pub fn targets_csv(reports: &[(String, Report)]) -> String {
    rows_csv(reports, |r| &r.targets)
}

/// `indicators.csv` for a batch of (source file as given, report).
pub fn indicators_csv(reports: &[(String, Report)]) -> String {
    rows_csv(reports, |r| &r.indicators)
}

/// Write `targets.csv` and `indicators.csv` into `out_dir` (atomically, like every output).
pub fn write_batch_csvs(out_dir: &Path, reports: &[(String, Report)]) -> std::io::Result<()> {
    crate::emit::write_atomic(
        &out_dir.join("targets.csv"),
        targets_csv(reports).as_bytes(),
    )?;
    crate::emit::write_atomic(
        &out_dir.join("indicators.csv"),
        indicators_csv(reports).as_bytes(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clean::CleanText;
    use crate::report::{SCHEMA_VERSION, Source};

    fn report(text: &str) -> Report {
        let t = crate::tables::read(
            crate::tables::template::Templates::builtin(),
            &CleanText::from_single(text),
            &[],
        );
        Report {
            schema_version: SCHEMA_VERSION.into(),
            source: Source {
                file: "x".into(),
                sha256: String::new(),
                pages: 1,
                text_layer: "plain".into(),
                page_info: vec![],
            },
            fields: Default::default(),
            sections: vec![],
            targets: t.targets,
            indicators: t.indicators,
            lists: Default::default(),
            checks: t.checks,
            warnings: vec![],
        }
    }

    #[test]
    fn one_line_per_row_with_the_source_file() {
        let a =
            report("序号\t年初目标值\t实际完成情况\n1\t投资30亿元\t投资18.75亿元,完成\"部分\"\n");
        let b = report(
            "| 绩效指标 | 年度目标值 | 实际完成值 |\n|---|---|---|\n| 户厕改造 | 500户 | 500户 |\n",
        );
        let csv = targets_csv(&[("b.txt".into(), b), ("a.pdf".into(), a)]);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 3, "{csv}");
        assert!(lines[0].starts_with("file,table,template,number,page,seq,category"));
        assert!(
            lines[1].starts_with("a.pdf,0,target-actual,1,1,1,"),
            "{}",
            lines[1]
        );
        assert!(
            lines[1].contains(",\"投资18.75亿元,完成\"\"部分\"\"\","),
            "{}",
            lines[1]
        );
        assert!(
            lines[1].contains(",not_met,62.5,30亿元,18.75亿元,"),
            "{}",
            lines[1]
        );
        assert!(
            lines[2].starts_with("b.txt,0,target-actual,1,1,,,,,户厕改造,"),
            "{}",
            lines[2]
        );
        assert!(indicators_csv(&[]).lines().count() == 1);
    }
}
