//! Batch CSVs of table rows: `targets.csv` and `indicators.csv`, one line per row with the
//! source file, so the rows of a whole batch load into a spreadsheet or pandas at once.

use super::{BatchTable, Cell, Input};
use crate::report::{Figure, Report, TableRow};

/// The canonical columns, in the order the CSVs list them (one list with the templates').
pub use crate::tables::template::COLUMN_NAMES as COLUMNS;

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

/// `targets` or `indicators` of each report.
#[derive(Debug, Clone, Copy)]
pub enum Rows {
    Targets,
    Indicators,
}

impl Rows {
    fn pick(self, r: &Report) -> &[TableRow] {
        match self {
            Rows::Targets => &r.targets,
            Rows::Indicators => &r.indicators,
        }
    }
}

/// The header of both row CSVs.
pub fn header() -> Vec<String> {
    let mut h: Vec<String> = ["file", "table", "template", "number", "page"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    h.extend(COLUMNS.iter().map(|c| c.to_string()));
    h.extend(
        [
            "other_columns",
            "status",
            "ratio",
            "target_figures",
            "actual_figures",
            "flags",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    h
}

/// The rows of one report, in document order.
pub fn report_rows(file: &str, rows: &[TableRow]) -> Vec<Vec<Cell>> {
    rows.iter()
        .map(|r| {
            let mut cells = vec![
                Cell::text(file),
                Cell::Num(r.table as f64),
                Cell::text(r.template.clone()),
                Cell::Num(r.number as f64),
                Cell::Num(r.page as f64),
            ];
            for c in COLUMNS {
                cells.push(Cell::text(r.columns.get(*c).cloned().unwrap_or_default()));
            }
            let other: Vec<String> = r
                .columns
                .iter()
                .filter(|(k, _)| !COLUMNS.contains(&k.as_str()))
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            cells.push(Cell::text(other.join("; ")));
            cells.push(Cell::text(r.status.clone().unwrap_or_default()));
            cells.push(Cell::opt(r.ratio));
            cells.push(Cell::text(figures(&r.target_figures)));
            cells.push(Cell::text(figures(&r.actual_figures)));
            cells.push(Cell::text(r.flags.join(";")));
            cells
        })
        .collect()
}

impl BatchTable for Rows {
    fn name(&self) -> &'static str {
        match self {
            Rows::Targets => "targets",
            Rows::Indicators => "indicators",
        }
    }
    fn header(&self) -> Vec<String> {
        header()
    }
    fn rows(&self, input: &Input) -> Vec<Vec<Cell>> {
        input
            .report
            .map(|r| report_rows(&input.row.file, self.pick(r)))
            .unwrap_or_default()
    }
}

/// One CSV of rows for (source file as given, report) pairs. Files are sorted by name;
/// rows keep document order.
pub fn rows_csv(reports: &[(String, Report)], which: Rows) -> String {
    let mut reports: Vec<&(String, Report)> = reports.iter().collect();
    reports.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = super::csv_line(&header().into_iter().map(Cell::Text).collect::<Vec<_>>());
    for (file, report) in reports {
        for r in report_rows(file, which.pick(report)) {
            out.push_str(&super::csv_line(&r));
        }
    }
    out
}

/// `targets.csv` for a batch of (source file as given, report).
pub fn targets_csv(reports: &[(String, Report)]) -> String {
    rows_csv(reports, Rows::Targets)
}

/// `indicators.csv` for a batch of (source file as given, report).
pub fn indicators_csv(reports: &[(String, Report)]) -> String {
    rows_csv(reports, Rows::Indicators)
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
