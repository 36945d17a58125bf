//! Identity: who reports, on which project, under whom — candidates for `department`,
//! `project.name`, `project.supervisor`, `project.implementer`, and the department rule.
//!
//! Regexes alone kept swallowing a neighbouring label (`…填报日期`), a stamp (`(盖章)`), a
//! code (`219-`) or a leading `为`; this module reads names from a *vocabulary* of form labels
//! instead (`patterns/labels.toml`, parsed by [`parse`]): the value after a label ends at the
//! first other label, stop word or stamp, wherever the cells were glued. Names are then
//! completed to their most complete printed form with the administrative divisions
//! (`patterns/divisions.txt`, built from the cpca package's list): `仁兴镇小学` becomes
//! `禄丰县仁兴镇小学` when the document prints that, and `零陵区…` is a name, not a numeral.
//!
//! [`resolve`] runs between extract and check: it adds the label candidates, completes names,
//! drops years read from a multi-year range (`2015—2018年度`), and applies the department rule
//! of `../shared/spec/fields.md` ("Which unit is the department"): reporting-unit label >
//! implementer > supervisor > title / opening sentence > web-page publisher. Only the best
//! tier present stays a department candidate (other tiers that agree with it stay as
//! agreement), so a confident title never outvotes a form's 单位名称.

use crate::clean::CleanText;
use crate::extract::Candidate;
use crate::patterns::{PatternError, line_of};
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashSet;
use std::sync::OnceLock;

/// The default label vocabulary, embedded at build time.
pub const LABELS_FILE: (&str, &str) = (
    "patterns/labels.toml",
    include_str!("../patterns/labels.toml"),
);

/// The administrative divisions list, embedded at build time.
pub const DIVISIONS_FILE: (&str, &str) = (
    "patterns/divisions.txt",
    include_str!("../patterns/divisions.txt"),
);

/// What a label introduces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The reporting unit's own label (部门名称, 单位名称, 填报单位 …).
    Reporting,
    /// 实施单位 / 资金使用单位 …: `project.implementer`.
    Implementer,
    /// 主管部门 …: `project.supervisor`.
    Supervisor,
    /// 项目名称 …: `project.name`.
    Project,
    /// 发布机构 / 信息来源: a web page's publisher.
    Publisher,
}

impl Role {
    #[cfg(test)]
    const ALL: [Role; 5] = [
        Role::Reporting,
        Role::Implementer,
        Role::Supervisor,
        Role::Project,
        Role::Publisher,
    ];

    fn name(self) -> &'static str {
        match self {
            Role::Reporting => "reporting",
            Role::Implementer => "implementer",
            Role::Supervisor => "supervisor",
            Role::Project => "project",
            Role::Publisher => "publisher",
        }
    }

    /// A unit's name (not a project's).
    fn is_unit(self) -> bool {
        self != Role::Project
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RolesDe {
    reporting: Vec<String>,
    implementer: Vec<String>,
    supervisor: Vec<String>,
    project: Vec<String>,
    publisher: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TrustDe {
    reporting: f64,
    implementer: f64,
    supervisor: f64,
    project: f64,
    publisher: f64,
    department_from_implementer: f64,
    department_from_supervisor: f64,
    cut_back: f64,
    family_from_project_form: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BoundsDe {
    stop: Vec<String>,
    stamps: Vec<String>,
    not_after: Vec<String>,
    drop_prefix: Vec<String>,
    drop_suffix: Vec<String>,
    org_end: Vec<String>,
    reject_start: Vec<String>,
    reject_contain: Vec<String>,
    project_reject: Vec<String>,
    #[serde(default)]
    expand: Vec<(String, String)>,
    #[serde(default)]
    not_reporting: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExampleDe {
    role: Role,
    text: String,
    #[serde(default)]
    value: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDe {
    roles: RolesDe,
    trust: toml::Spanned<TrustDe>,
    bounds: BoundsDe,
    #[serde(default)]
    example: Vec<toml::Spanned<ExampleDe>>,
}

/// Trust levels of label-read values (see `[trust]` in `patterns/labels.toml`).
#[derive(Debug, Clone, PartialEq)]
pub struct Trust {
    pub reporting: f64,
    pub implementer: f64,
    pub supervisor: f64,
    pub project: f64,
    pub publisher: f64,
    pub department_from_implementer: f64,
    pub department_from_supervisor: f64,
    pub cut_back: f64,
    /// `report_family = project` from a form's project label, when nothing else gives one.
    pub family_from_project_form: f64,
}

/// A documented example: the text, the role, and the value the role must give (None: none).
#[derive(Debug, Clone, PartialEq)]
pub struct LabelExample {
    pub role: Role,
    pub text: String,
    pub value: Option<String>,
    /// `file:line` of the example.
    pub origin: String,
}

/// The parsed label vocabulary.
#[derive(Debug, Clone, PartialEq)]
pub struct Labels {
    /// (label word, role), longest first.
    pub labels: Vec<(String, Role)>,
    pub stop: Vec<String>,
    pub stamps: Vec<String>,
    pub not_after: Vec<String>,
    pub drop_prefix: Vec<String>,
    pub drop_suffix: Vec<String>,
    pub org_end: Vec<String>,
    pub reject_start: Vec<String>,
    pub reject_contain: Vec<String>,
    pub project_reject: Vec<String>,
    /// (short, full) word pairs of a name's abbreviated and full printed forms
    /// (`中共` / `中国共产党`): a name is given in its full form when the document prints it.
    pub expand: Vec<(String, String)>,
    /// A reporting-unit value containing one of these is a third-party evaluator (评价单位:
    /// 某某会计师事务所), not the reporting unit.
    pub not_reporting: Vec<String>,
    pub trust: Trust,
    pub examples: Vec<LabelExample>,
}

/// Parse a label vocabulary file (`origin` names it in errors, as `file:line: reason`).
pub fn parse(origin: &str, text: &str) -> Result<Labels, PatternError> {
    let err = |line: usize, reason: String| PatternError {
        file: origin.to_string(),
        line,
        reason,
    };
    let de: FileDe = crate::patterns::from_toml(origin, text)?;
    let trust_line = line_of(text, de.trust.span().start);
    let t = de.trust.into_inner();
    for (name, v) in [
        ("reporting", t.reporting),
        ("implementer", t.implementer),
        ("supervisor", t.supervisor),
        ("project", t.project),
        ("publisher", t.publisher),
        ("department_from_implementer", t.department_from_implementer),
        ("department_from_supervisor", t.department_from_supervisor),
        ("cut_back", t.cut_back),
        ("family_from_project_form", t.family_from_project_form),
    ] {
        if !(0.0..=1.0).contains(&v) {
            return Err(err(trust_line, format!("trust `{name}` must be 0–1")));
        }
    }
    let r = de.roles;
    let mut labels: Vec<(String, Role)> = Vec::new();
    for (role, words) in [
        (Role::Reporting, r.reporting),
        (Role::Implementer, r.implementer),
        (Role::Supervisor, r.supervisor),
        (Role::Project, r.project),
        (Role::Publisher, r.publisher),
    ] {
        for w in words {
            if w.trim().is_empty() {
                return Err(err(1, format!("role `{}`: empty label", role.name())));
            }
            labels.push((w, role));
        }
    }
    labels.sort_by_key(|l| std::cmp::Reverse(l.0.chars().count()));
    let b = de.bounds;
    if b.org_end.is_empty() {
        return Err(err(1, "bounds.org_end must not be empty".into()));
    }
    let examples = de
        .example
        .into_iter()
        .map(|sp| {
            let line = line_of(text, sp.span().start);
            let e = sp.into_inner();
            LabelExample {
                role: e.role,
                text: e.text,
                value: e.value,
                origin: format!("{origin}:{line}"),
            }
        })
        .collect();
    Ok(Labels {
        labels,
        stop: b.stop,
        stamps: b.stamps,
        not_after: b.not_after,
        drop_prefix: b.drop_prefix,
        drop_suffix: b.drop_suffix,
        org_end: b.org_end,
        reject_start: b.reject_start,
        reject_contain: b.reject_contain,
        project_reject: b.project_reject,
        expand: b.expand,
        not_reporting: b.not_reporting,
        trust: Trust {
            reporting: t.reporting,
            implementer: t.implementer,
            supervisor: t.supervisor,
            project: t.project,
            publisher: t.publisher,
            department_from_implementer: t.department_from_implementer,
            department_from_supervisor: t.department_from_supervisor,
            cut_back: t.cut_back,
            family_from_project_form: t.family_from_project_form,
        },
        examples,
    })
}

/// Run a vocabulary's examples: on the cleaned example text, the first value read for the
/// example's role must be the stated value (or there must be none). The first failure is a
/// `file:line` error.
pub fn verify_examples(labels: &Labels) -> Result<(), PatternError> {
    for ex in &labels.examples {
        let clean = CleanText::from_single(&ex.text);
        let got = read_labels(&clean.text, labels)
            .into_iter()
            .find(|v| v.role == ex.role)
            .map(|v| v.value);
        if got != ex.value {
            let (file, line) = ex.origin.rsplit_once(':').unwrap_or((&ex.origin, "0"));
            return Err(PatternError {
                file: file.to_string(),
                line: line.parse().unwrap_or(0),
                reason: format!(
                    "example ({}): on {:?} expected {:?}, got {:?}",
                    ex.role.name(),
                    ex.text,
                    ex.value,
                    got
                ),
            });
        }
    }
    Ok(())
}

/// The built-in label vocabulary (tested to parse).
pub fn builtin_labels() -> &'static Labels {
    static L: OnceLock<Labels> = OnceLock::new();
    L.get_or_init(|| parse(LABELS_FILE.0, LABELS_FILE.1).expect("built-in labels parse (tested)"))
}

/// Administrative division names (province, prefecture, county level).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Divisions {
    names: HashSet<String>,
    /// Longest name, in chars.
    max_chars: usize,
}

impl Divisions {
    pub fn contains(&self, name: &str) -> bool {
        self.names.contains(name)
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Chars of the longest run of whole division names `s` starts with (`云南省禄丰县仁兴镇`
    /// → 6), 0 when it starts with none.
    pub fn chain_len(&self, s: &str) -> usize {
        let chars: Vec<char> = s.chars().take(3 * self.max_chars).collect();
        // reach[i]: a chain of names covers exactly chars[..i]
        let mut reach = vec![false; chars.len() + 1];
        reach[0] = true;
        let mut best = 0;
        for i in 0..chars.len() {
            if !reach[i] {
                continue;
            }
            for l in 2..=self.max_chars.min(chars.len() - i) {
                let w: String = chars[i..i + l].iter().collect();
                if self.names.contains(&w) {
                    reach[i + l] = true;
                    best = best.max(i + l);
                }
            }
        }
        best
    }
}

/// Parse a divisions file: one name a line, `#` comments and blank lines ignored.
pub fn parse_divisions(origin: &str, text: &str) -> Result<Divisions, PatternError> {
    let mut d = Divisions::default();
    for (i, line) in text.lines().enumerate() {
        let l = line.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        if l.chars().count() < 2 || !l.chars().all(is_han) {
            return Err(PatternError {
                file: origin.to_string(),
                line: i + 1,
                reason: format!("`{l}` is not a division name (two or more Han characters)"),
            });
        }
        d.max_chars = d.max_chars.max(l.chars().count());
        d.names.insert(l.to_string());
    }
    Ok(d)
}

/// The built-in divisions list (tested to parse).
pub fn builtin_divisions() -> &'static Divisions {
    static D: OnceLock<Divisions> = OnceLock::new();
    D.get_or_init(|| {
        parse_divisions(DIVISIONS_FILE.0, DIVISIONS_FILE.1).expect("built-in divisions parse")
    })
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{f900}'..='\u{faff}' | '〇')
}

/// One label occurrence: byte range and role (None: a stop word).
#[derive(Debug, Clone, Copy)]
struct Hit {
    start: usize,
    end: usize,
    role: Option<Role>,
}

/// Every label and stop word in `text`, overlaps resolved (earliest, then longest, wins).
fn hits(text: &str, labels: &Labels) -> Vec<Hit> {
    let mut all: Vec<Hit> = Vec::new();
    for (w, role) in &labels.labels {
        for (s, m) in text.match_indices(w.as_str()) {
            all.push(Hit {
                start: s,
                end: s + m.len(),
                role: Some(*role),
            });
        }
    }
    for w in &labels.stop {
        for (s, m) in text.match_indices(w.as_str()) {
            all.push(Hit {
                start: s,
                end: s + m.len(),
                role: None,
            });
        }
    }
    all.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut out: Vec<Hit> = Vec::new();
    for h in all {
        if out.last().is_some_and(|l| h.start < l.end) {
            continue;
        }
        out.push(h);
    }
    out
}

/// A value read after a label.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelValue {
    pub role: Role,
    pub value: String,
    /// Byte range of label + value in the text.
    pub start: usize,
    pub end: usize,
    /// The value was cut back to its last organisational suffix.
    pub cut_back: bool,
}

/// Read every labelled value of `text` (cleaned text).
pub fn read_labels(text: &str, labels: &Labels) -> Vec<LabelValue> {
    let hs = hits(text, labels);
    let mut out = Vec::new();
    for (i, h) in hs.iter().enumerate() {
        let Some(role) = h.role else { continue };
        if labels
            .not_after
            .iter()
            .any(|w| text[..h.start].ends_with(w.as_str()))
        {
            continue;
        }
        // the value ends where the next label / stop word starts, at the latest
        let limit = hs.get(i + 1).map_or(text.len(), |n| n.start);
        if let Some((mut value, end, cut_back)) = read_value(text, h.end, limit, role, labels) {
            if matches!(role, Role::Reporting | Role::Publisher) {
                value = strip_suffix(&value, labels);
            }
            if role == Role::Reporting
                && labels
                    .not_reporting
                    .iter()
                    .any(|w| value.contains(w.as_str()))
            {
                continue;
            }
            out.push(LabelValue {
                role,
                value,
                start: h.start,
                end,
                cut_back,
            });
        }
    }
    out
}

/// The value starting after a label at byte `from`, not past `limit`.
fn read_value(
    text: &str,
    from: usize,
    limit: usize,
    role: Role,
    labels: &Labels,
) -> Option<(String, usize, bool)> {
    let mut i = from;
    // separators and stamps between the label and the value
    loop {
        let rest = &text[i..limit];
        if let Some(c) = rest.chars().next().filter(|c| {
            c.is_whitespace() || matches!(c, ':' | '：' | '|' | '[' | ']' | '【' | '】')
        }) {
            i += c.len_utf8();
            continue;
        }
        if let Some(s) = labels.stamps.iter().find(|s| rest.starts_with(s.as_str())) {
            i += s.len();
            continue;
        }
        break;
    }
    // a leading code: 219- / 219001- / 51000021R0000- / [155] (its `[` went with the
    // separators above)
    let rest = &text[i..limit];
    let digits = rest.chars().take_while(char::is_ascii_alphanumeric).count();
    if digits > 0 && rest.starts_with(|c: char| c.is_ascii_digit()) {
        let after = &rest[digits..];
        if let Some(d) = after
            .chars()
            .next()
            .filter(|c| matches!(c, '-' | '－' | '—' | ']' | '】'))
        {
            i += digits + d.len_utf8();
        }
    }
    let start = i;
    let max_chars = if role.is_unit() { 40 } else { 60 };
    for (n, c) in text[start..limit].chars().enumerate() {
        let stop = c == '\n'
            || c == '|'
            || c.is_whitespace()
            || matches!(c, ',' | '，' | '。' | ';' | '；' | ':' | '：' | '[' | '【')
            || (role.is_unit() && !(is_han(c) || matches!(c, '(' | ')')))
            || labels
                .stamps
                .iter()
                .any(|s| text[i..].starts_with(s.as_str()));
        if stop || n >= max_chars {
            break;
        }
        i += c.len_utf8();
    }
    let mut v = text[start..i].to_string();
    // leading words that are not the name
    while let Some(p) = labels
        .drop_prefix
        .iter()
        .find(|p| v.starts_with(p.as_str()) && v.len() > p.len())
    {
        v = v[p.len()..].to_string();
    }
    if role.is_unit() {
        unit_value(v, labels).map(|(v, cut)| (v, i, cut))
    } else {
        project_value(v, labels).map(|v| (v, i, false))
    }
}

fn ends_org(v: &str, labels: &Labels) -> bool {
    labels.org_end.iter().any(|e| v.ends_with(e.as_str()))
}

/// A unit's name from the text after its label; `(name, cut back)`.
fn unit_value(mut v: String, labels: &Labels) -> Option<(String, bool)> {
    // an unbalanced trailing "(" belongs to the next cell
    while v.ends_with('(') {
        v.pop();
    }
    if v.chars().count() < 2 {
        return None;
    }
    if labels
        .reject_start
        .iter()
        .any(|w| v.starts_with(w.as_str()))
        || labels.reject_contain.iter().any(|w| v.contains(w.as_str()))
    {
        return None;
    }
    if ends_org(&strip_suffix(&v, labels), labels) {
        return Some((v, false));
    }
    // a garbled cell: keep the longest prefix that ends a unit's name, when the name starts
    // with a division (`某某市教育局实施第位…`); prose after a label does not
    if builtin_divisions().chain_len(&v) == 0 {
        return None;
    }
    let idx: Vec<usize> = v.char_indices().map(|(i, _)| i).skip(3).collect();
    for &e in idx.iter().rev() {
        if ends_org(&v[..e], labels) {
            return Some((v[..e].to_string(), true));
        }
    }
    None
}

/// `v` without trailing words that are not part of a department's name (`本级`, `部门`), as
/// long as what is left still ends with an organisational suffix.
pub fn strip_suffix(v: &str, labels: &Labels) -> String {
    let mut v = v.to_string();
    while let Some(s) = labels
        .drop_suffix
        .iter()
        .find(|s| v.ends_with(s.as_str()) && ends_org(&v[..v.len() - s.len()], labels))
    {
        v.truncate(v.len() - s.len());
    }
    v
}

/// A project's name from the text after its label.
fn project_value(v: String, labels: &Labels) -> Option<String> {
    let v = v
        .trim_matches(|c: char| c.is_whitespace() || matches!(c, '“' | '”' | '"'))
        .to_string();
    plausible_project(&v, labels).then_some(v)
}

/// A project's name, not a heading (`二、项目`), a generic word (`专项资金`), a title or a
/// column header: at least four Han characters besides a year, no list marker or bracket
/// first, none of the `project_reject` words.
fn plausible_project(v: &str, labels: &Labels) -> bool {
    let han = v
        .chars()
        .filter(|c| is_han(*c) && !matches!(c, '年' | '度'))
        .count();
    let first = v.chars().next().unwrap_or(' ');
    let marker = v.chars().nth(1).is_some_and(|c| matches!(c, '、' | '.'))
        && "一二三四五六七八九十".contains(first);
    let generic = ["专项资金", "项目资金", "资金项目", "专项经费", "补助资金"].contains(&v);
    han >= 4
        && !generic
        && !marker
        && !matches!(first, '(' | ')' | '、')
        && !labels.project_reject.iter().any(|w| v.contains(w.as_str()))
}

/// The most complete printed form of `name`: the longest `<divisions><name>` printed in
/// `text` whose added prefix is made of whole division names (`仁兴镇小学` → `禄丰县仁兴镇小学`;
/// `陵区…` after `零` → `零陵区…`).
pub fn complete_name(text: &str, name: &str, divs: &Divisions) -> String {
    let mut best = name.to_string();
    if name.is_empty() {
        return best;
    }
    for (pos, _) in text.match_indices(name) {
        let before: Vec<char> = text[..pos]
            .chars()
            .rev()
            .take_while(|c| is_han(*c))
            .take(2 * divs.max_chars)
            .collect();
        for k in (1..=before.len()).rev() {
            let prefix: String = before[..k].iter().rev().collect();
            let cand = format!("{prefix}{name}");
            if divs.chain_len(&cand) >= k {
                if cand.chars().count() > best.chars().count() {
                    best = cand;
                }
                break;
            }
        }
    }
    best
}

/// The full printed form of an abbreviated name: every combination of replacing (the first
/// occurrence of) a short word of `pairs` by its full word, the longest that `text` prints
/// (`中共某某市委党校` → `中国共产党某某市委员会党校` when the document prints that).
pub fn expand_name(text: &str, name: &str, pairs: &[(String, String)]) -> String {
    let mut forms = vec![name.to_string()];
    for (short, full) in pairs {
        let more: Vec<String> = forms
            .iter()
            .filter(|f| f.contains(short.as_str()))
            .map(|f| f.replacen(short.as_str(), full, 1))
            .collect();
        forms.extend(more);
    }
    forms
        .into_iter()
        .filter(|f| f == name || text.contains(f.as_str()))
        .max_by_key(|f| f.chars().count())
        .unwrap_or_else(|| name.to_string())
}

/// `name` with its leading place word in the full division form the document prints
/// (`南京2018年学前教育奖补资金` → `南京市2018年学前教育奖补资金` when that is printed): a
/// title's short place word (南京, 大理) is the division 南京市, 大理州 when the text says so.
pub fn complete_region(text: &str, name: &str, divs: &Divisions) -> String {
    let chars: Vec<char> = name.chars().collect();
    for k in (2..=4.min(chars.len().saturating_sub(2))).rev() {
        let head: String = chars[..k].iter().collect();
        let tail: String = chars[k..].iter().collect();
        if divs.contains(&head) {
            continue;
        }
        for suffix in ['省', '市', '县', '区', '州', '旗'] {
            let full = format!("{head}{suffix}");
            let cand = format!("{full}{tail}");
            if divs.contains(&full) && text.contains(cand.as_str()) {
                return cand;
            }
        }
    }
    name.to_string()
}

/// Patterns whose id ends with this give their key only when no other pattern does (a
/// loose cue, such as a year in budget prose): [`resolve`] drops them otherwise.
pub const FALLBACK_SUFFIX: &str = "-fallback";

/// Pattern ids of label-read candidates.
pub const FROM_REPORTING: &str = "labels/reporting";
pub const FROM_IMPLEMENTER: &str = "labels/department-from-implementer";
pub const FROM_SUPERVISOR: &str = "labels/department-from-supervisor";
pub const FROM_PUBLISHER: &str = "labels/publisher";
pub const FAMILY_FROM_PROJECT_FORM: &str = "labels/family-from-project-form-fallback";

/// Tier of a department candidate in the rule of fields.md (1 is best). Patterns of
/// `patterns/identity.toml` whose id starts with `department-label-` read a reporting-unit
/// label (tier 1); the other department patterns read titles and opening sentences (tier 4).
fn tier(pattern: &str) -> u8 {
    match pattern {
        FROM_REPORTING => 1,
        p if p.starts_with("identity/department-label-") => 1,
        FROM_IMPLEMENTER => 2,
        FROM_SUPERVISOR => 3,
        FROM_PUBLISHER => 5,
        _ => 4,
    }
}

/// The label candidates of a text.
pub fn label_candidates(clean: &CleanText, labels: &Labels) -> Vec<Candidate> {
    let t = &labels.trust;
    let mut out = Vec::new();
    for lv in read_labels(&clean.text, labels) {
        let base = |key: &str, pattern: String, conf: f64| Candidate {
            key: key.to_string(),
            value: Value::from(if key == "department" {
                strip_suffix(&lv.value, labels)
            } else {
                lv.value.clone()
            }),
            unit: None,
            raw: clean.text[lv.start..lv.end].trim().to_string(),
            start: lv.start,
            end: lv.end,
            page: clean.page_at(lv.start),
            pattern,
            confidence: if lv.cut_back {
                conf.min(t.cut_back)
            } else {
                conf
            },
            flags: vec![],
        };
        match lv.role {
            Role::Reporting => out.push(base("department", FROM_REPORTING.into(), t.reporting)),
            Role::Implementer => {
                out.push(base(
                    "project.implementer",
                    "labels/implementer".into(),
                    t.implementer,
                ));
                out.push(base(
                    "department",
                    FROM_IMPLEMENTER.into(),
                    t.department_from_implementer,
                ));
            }
            Role::Supervisor => {
                out.push(base(
                    "project.supervisor",
                    "labels/supervisor".into(),
                    t.supervisor,
                ));
                out.push(base(
                    "department",
                    FROM_SUPERVISOR.into(),
                    t.department_from_supervisor,
                ));
            }
            Role::Project => out.push(base("project.name", "labels/project".into(), t.project)),
            Role::Publisher => out.push(base("department", FROM_PUBLISHER.into(), t.publisher)),
        }
    }
    out
}

/// A year printed as either end of a multi-year range (`2015—2018年度`, `2019-2021年`,
/// `2020年—2022年度`, `2019至2021年度`): the report covers several years, so no one of them is
/// `year`.
fn year_in_range(text: &str, c: &Candidate) -> bool {
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        regex::Regex::new(r"((?:19|20)\d\d)\s*年?\s*[-—–~～至到]\s*((?:19|20)\d\d)")
            .expect("static regex")
    });
    let Some(y) = c.value.as_i64() else {
        return false;
    };
    let mut from = c.start.saturating_sub(16);
    while !text.is_char_boundary(from) {
        from -= 1;
    }
    let mut to = (c.end + 16).min(text.len());
    while !text.is_char_boundary(to) {
        to += 1;
    }
    re.captures_iter(&text[from..to]).any(|m| {
        // the range must overlap the candidate's own text, not just lie near it
        let whole = m.get(0).expect("group 0");
        let (s, e) = (from + whole.start(), from + whole.end());
        s < c.end
            && e > c.start
            && (m[1].parse::<i64>().ok() == Some(y) || m[2].parse::<i64>().ok() == Some(y))
    })
}

/// `v` without leading label, stop or filler words (`标题某某局` → `某某局`, `实施单位为某某中心`
/// → `某某中心`): a title or prose pattern's unit can start on the label printed before it.
pub fn strip_label_prefix(v: &str, labels: &Labels) -> String {
    let mut v = v.to_string();
    loop {
        let word = labels
            .labels
            .iter()
            .map(|(w, _)| w)
            .chain(labels.stop.iter())
            .chain(labels.drop_prefix.iter())
            .filter(|w| v.starts_with(w.as_str()))
            .max_by_key(|w| w.len());
        let Some(w) = word else { break };
        let rest = v[w.len()..].trim_start_matches(|c: char| c.is_whitespace() || c == ':');
        if rest.chars().count() < 2 {
            break;
        }
        v = rest.to_string();
    }
    v
}

const NAME_KEYS: &[&str] = &["department", "project.supervisor", "project.implementer"];

/// Add the label candidates, complete names, drop range years, and keep only the best tier
/// of department candidates (see the module doc).
pub fn resolve(clean: &CleanText, labels: &Labels, cands: &mut Vec<Candidate>) {
    let divs = builtin_divisions();
    cands.extend(label_candidates(clean, labels));
    cands.retain(|c| !(c.key == "year" && year_in_range(&clean.text, c)));
    cands.retain(|c| {
        c.key != "project.name"
            || c.value
                .as_str()
                .is_some_and(|v| plausible_project(v, labels))
    });
    for c in cands.iter_mut() {
        if c.key == "project.name"
            && let Some(v) = c.value.as_str()
        {
            let full = complete_region(&clean.text, v, divs);
            if full != v {
                c.value = Value::from(full);
            }
        }
        if NAME_KEYS.contains(&c.key.as_str())
            && let Some(v) = c.value.as_str()
        {
            let bare = strip_label_prefix(v, labels);
            let full = complete_name(
                &clean.text,
                &expand_name(&clean.text, &bare, &labels.expand),
                divs,
            );
            if full != v {
                c.value = Value::from(full);
            }
        }
    }
    // a form with a project label (项目名称 | …) is a project report, when nothing says which
    if !cands.iter().any(|c| c.key == "report_family")
        && let Some(p) = cands.iter().find(|c| c.pattern == "labels/project")
    {
        let mut fam = p.clone();
        fam.key = "report_family".into();
        fam.value = Value::from("project");
        fam.pattern = FAMILY_FROM_PROJECT_FORM.into();
        fam.confidence = labels.trust.family_from_project_form;
        cands.push(fam);
    }
    // loose cues only where nothing else gives the key
    let given: HashSet<String> = cands
        .iter()
        .filter(|c| !c.pattern.ends_with(FALLBACK_SUFFIX))
        .map(|c| c.key.clone())
        .collect();
    cands.retain(|c| !(c.pattern.ends_with(FALLBACK_SUFFIX) && given.contains(&c.key)));
    let best = cands
        .iter()
        .filter(|c| c.key == "department")
        .map(|c| tier(&c.pattern))
        .min();
    // several publisher lines (发布机构 湘管委, 信息来源 某某管委会): the most complete form
    if best == Some(5) {
        let longest = cands
            .iter()
            .filter(|c| c.key == "department")
            .filter_map(|c| c.value.as_str().map(|v| v.chars().count()))
            .max()
            .unwrap_or(0);
        cands.retain(|c| {
            c.key != "department" || c.value.as_str().map(|v| v.chars().count()) == Some(longest)
        });
    }
    if let Some(best) = best {
        let chosen: HashSet<String> = cands
            .iter()
            .filter(|c| c.key == "department" && tier(&c.pattern) == best)
            .map(|c| c.value.to_string())
            .collect();
        cands.retain(|c| {
            c.key != "department"
                || tier(&c.pattern) == best
                || chosen.contains(&c.value.to_string())
        });
    }
    cands.sort_by(|a, b| {
        a.start
            .cmp(&b.start)
            .then_with(|| a.pattern.cmp(&b.pattern))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_files_parse() {
        let l = builtin_labels();
        assert!(l.labels.len() > 15);
        assert!(builtin_divisions().len() > 3000);
        for n in ["零陵区", "禄丰县", "临沧市", "红河州", "广西壮族自治区"] {
            assert!(builtin_divisions().contains(n), "{n}");
        }
    }

    /// Every example of `patterns/labels.toml`: on the cleaned example text, the first value
    /// read for the example's role is the stated value (or there is none).
    #[test]
    fn every_label_example_holds() {
        let l = builtin_labels();
        assert!(l.examples.len() >= 10);
        let mut failures = Vec::new();
        for ex in &l.examples {
            let clean = CleanText::from_single(&ex.text);
            let got = read_labels(&clean.text, l)
                .into_iter()
                .find(|v| v.role == ex.role)
                .map(|v| v.value);
            if got != ex.value {
                failures.push(format!(
                    "{} ({:?}): on {:?} expected {:?}, got {:?}",
                    ex.origin, ex.role, ex.text, ex.value, got
                ));
            }
        }
        for r in Role::ALL {
            assert!(
                l.examples.iter().any(|e| e.role == r && e.value.is_some())
                    && l.examples.iter().any(|e| e.role == r && e.value.is_none())
                    || r == Role::Reporting,
                "role {r:?} needs an example and a counter-example"
            );
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        verify_examples(l).unwrap();
        // a broken example is reported with its file and line
        let mut bad = l.clone();
        bad.examples[0].value = Some("某某".into());
        let e = verify_examples(&bad).unwrap_err();
        assert_eq!(format!("{}:{}", e.file, e.line), bad.examples[0].origin);
    }

    #[test]
    fn errors_name_file_and_line() {
        let bad = LABELS_FILE.1.replace("reporting = 0.92", "reporting = 1.5");
        let e = parse("x.toml", &bad).unwrap_err();
        assert_eq!(e.file, "x.toml");
        assert!(e.reason.contains("0–1"), "{e}");
        assert_eq!(
            e.line,
            LABELS_FILE.1[..LABELS_FILE.1.find("[trust]").unwrap()]
                .matches('\n')
                .count()
                + 1
        );
        let e = parse("y.toml", "[roles]\nreporting = 3\n").unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("y.toml", 2), "{e}");
        let e = parse_divisions("d.txt", "# c\n禄丰县\nabc\n").unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("d.txt", 3), "{e}");
    }

    #[test]
    fn names_complete_to_the_longest_printed_form() {
        let d = builtin_divisions();
        let text = "仁兴镇小学2023年度自评报告。禄丰县仁兴镇小学对本校项目开展自评";
        assert_eq!(complete_name(text, "仁兴镇小学", d), "禄丰县仁兴镇小学");
        // 零 is the first character of a county's name, not a numeral
        assert_eq!(
            complete_name("根据零陵区农业农村局安排", "陵区农业农村局", d),
            "零陵区农业农村局"
        );
        // a word that is not a division is not taken
        assert_eq!(
            complete_name("我局与本县卫生健康局", "本县卫生健康局", d),
            "本县卫生健康局"
        );
        assert_eq!(d.chain_len("云南省禄丰县仁兴镇"), 6);
    }

    fn cand(key: &str, value: Value, pattern: &str, start: usize, end: usize) -> Candidate {
        Candidate {
            key: key.into(),
            value,
            unit: None,
            raw: String::new(),
            start,
            end,
            page: 1,
            pattern: pattern.into(),
            confidence: 0.9,
            flags: vec![],
        }
    }

    #[test]
    fn department_rule_keeps_the_best_tier_only() {
        let clean = CleanText::from_single(
            "某某县某某局2023年度项目支出绩效自评报告\n主管部门:某某县某某局 实施单位:某某县某某中心\n",
        );
        let mut cands = vec![cand(
            "department",
            Value::from("某某县某某局"),
            "identity/department-title-org-year",
            0,
            10,
        )];
        resolve(&clean, builtin_labels(), &mut cands);
        let dept: Vec<(&str, &str)> = cands
            .iter()
            .filter(|c| c.key == "department")
            .map(|c| (c.value.as_str().unwrap(), c.pattern.as_str()))
            .collect();
        // the implementer (tier 2) wins over the supervisor and the title
        assert_eq!(dept, [("某某县某某中心", FROM_IMPLEMENTER)]);
        let imp = cands.iter().find(|c| c.key == "project.implementer");
        assert_eq!(
            imp.map(|c| c.value.clone()),
            Some(Value::from("某某县某某中心"))
        );
    }

    #[test]
    fn a_project_name_takes_the_full_division_form_printed() {
        let d = builtin_divisions();
        let text =
            "南京2018年学前教育奖补资金绩效评价报告\n南京市2018年学前教育奖补资金\n绩效评价报告";
        assert_eq!(
            complete_region(text, "南京2018年学前教育奖补资金", d),
            "南京市2018年学前教育奖补资金"
        );
        // only a form the document prints; a full division name stays as it is
        assert_eq!(
            complete_region("大理2020年农村公路资金", "大理2020年农村公路资金", d),
            "大理2020年农村公路资金"
        );
        assert_eq!(
            complete_region(
                "云南省2022年度中央自然灾害资金",
                "云南省2022年度中央自然灾害资金",
                d
            ),
            "云南省2022年度中央自然灾害资金"
        );
    }

    #[test]
    fn label_words_before_a_name_are_not_the_name() {
        let l = builtin_labels();
        assert_eq!(strip_label_prefix("标题某某县水务局", l), "某某县水务局");
        assert_eq!(
            strip_label_prefix("项目组织实施单位为某某县教育局", l),
            "某某县教育局"
        );
        assert_eq!(strip_label_prefix("单位名称:某某中心", l), "某某中心");
        // a name is never emptied, and a name without a label word is kept
        assert_eq!(strip_label_prefix("为民", l), "为民");
        assert_eq!(strip_label_prefix("某某县财政局", l), "某某县财政局");
    }

    #[test]
    fn abbreviated_names_take_the_full_printed_form() {
        let pairs = &builtin_labels().expand;
        let text = "中共某某市委党校2016年整体支出绩效自评报告\n- 中国共产党某某市委员会党校";
        assert_eq!(
            expand_name(text, "中共某某市委党校", pairs),
            "中国共产党某某市委员会党校"
        );
        // only a form the document prints
        assert_eq!(
            expand_name("中共某某市委党校自评", "中共某某市委党校", pairs),
            "中共某某市委党校"
        );
        assert_eq!(
            expand_name("某某州卫生健康委", "某某州卫生健康委", pairs),
            "某某州卫生健康委"
        );
    }

    #[test]
    fn fallback_cues_give_way_and_a_project_form_names_the_family() {
        let clean = CleanText::from_single("项目名称 | 临时救助 |\n主管部门 | 某某县民政局 |\n");
        let fallback = cand(
            "year",
            Value::from(2021),
            "identity/year-budget-prose-fallback",
            0,
            3,
        );
        let mut only = vec![fallback.clone()];
        resolve(&clean, builtin_labels(), &mut only);
        let fam: Vec<&Candidate> = only.iter().filter(|c| c.key == "report_family").collect();
        assert_eq!(fam.len(), 1);
        assert_eq!(fam[0].value, Value::from("project"));
        assert_eq!(fam[0].pattern, FAMILY_FROM_PROJECT_FORM);
        assert!(
            only.iter().any(|c| c.key == "year"),
            "a lone fallback stays"
        );
        let mut both = vec![
            fallback,
            cand("year", Value::from(2020), "identity/year-title", 3, 6),
            cand(
                "report_family",
                Value::from("dept-overall"),
                "identity/family-dept-overall",
                0,
                3,
            ),
        ];
        resolve(&clean, builtin_labels(), &mut both);
        let years: Vec<&Value> = both
            .iter()
            .filter(|c| c.key == "year")
            .map(|c| &c.value)
            .collect();
        assert_eq!(years, [&Value::from(2020)]);
        // a family named by a pattern is not overruled by the form
        let fams: Vec<&Value> = both
            .iter()
            .filter(|c| c.key == "report_family")
            .map(|c| &c.value)
            .collect();
        assert_eq!(fams, [&Value::from("dept-overall")]);
    }

    #[test]
    fn a_year_ending_a_range_is_dropped() {
        let clean = CleanText::from_single("2015—2018年度某某资金绩效评价报告");
        let y = clean.text.find("2018").unwrap();
        let mut cands = vec![cand(
            "year",
            Value::from(2018),
            "identity/year-title",
            y,
            y + 10,
        )];
        resolve(&clean, builtin_labels(), &mut cands);
        assert!(cands.iter().all(|c| c.key != "year"));
        // the first year of a range is dropped too (`2020年—2022年度`, `2019至2021年度`)
        for text in [
            "2020年—2022年度某某资金绩效评价报告",
            "某某资金(2019至2021年度)",
        ] {
            let clean = CleanText::from_single(text);
            let y = clean.text.find("20").unwrap();
            let first: i64 = clean.text[y..y + 4].parse().unwrap();
            let mut cands = vec![cand(
                "year",
                Value::from(first),
                "identity/year-title",
                y,
                y + 8,
            )];
            resolve(&clean, builtin_labels(), &mut cands);
            assert!(cands.iter().all(|c| c.key != "year"), "{text}");
        }
        let clean = CleanText::from_single("2018年度某某资金绩效评价报告");
        let mut cands = vec![cand(
            "year",
            Value::from(2018),
            "identity/year-title",
            0,
            10,
        )];
        resolve(&clean, builtin_labels(), &mut cands);
        assert_eq!(cands.len(), 1);
    }
}
