#!/usr/bin/env python3
"""Synthetic 自评表 forms: every slot of the national forms in every flattening, with truth.

usage: form-slots.py write DIR          write the forms (DIR/*.txt) and their truth
                                         (DIR/*.truth.json); deterministic
       form-slots.py score BIN DIR OUT   run baogao BIN on DIR/*.txt into OUT and count every
                                         slot right / wrong / missed

The forms are written from the form grammar of the national templates (财预〔2020〕10号
attachments: 项目支出绩效自评表 and 部门（单位）整体支出绩效自评表, with the provincial rows
by expenditure nature 基本支出 / 人员经费 / 公用经费 / 项目支出, the staff row and the grade
cell), not from any report's words. Each form is flattened the ways text extraction
flattens tables (issue 10): `|` between cells, one cell per line with blank lines, cells
separated by spaces (a row a line), the whole form on one line, and cells glued without
any separator (a row a line). Unit names and figures differ between the forms.

A truth value of null means the slot must stay absent (a grade list with no tick, a
budget unit's label that does not name the reporting unit). tests/form_slots.rs runs the
written copy under tests/fixtures/forms with a floor.
"""
import glob
import json
import os
import subprocess
import sys

# Units from the family of names the forms carry (division + office), never a real form's.
UNITS = [
    ("临沧市临翔区教育体育局", "临沧市临翔区第一中学"),
    ("禄丰县水务局", "禄丰县农村饮水安全管理站"),
    ("零陵区农业农村局", "零陵区农业技术推广中心"),
    ("安宁市卫生健康局", "安宁市疾病预防控制中心"),
    ("汉中市汉台区民政局", "汉中市汉台区社会福利院"),
    ("沐川县交通运输局", "沐川县农村公路管理所"),
]
PROJECTS = [
    "义务教育学校公用经费补助",
    "农村饮水安全巩固提升工程",
    "耕地地力保护补贴",
    "基本公共卫生服务补助资金",
    "困难群众救助补助资金",
    "农村公路养护专项资金",
]
DEPTS = [
    "临沧市临翔区市场监督管理局",
    "禄丰县人力资源和社会保障局",
    "零陵区文化旅游广电体育局",
    "安宁市自然资源局",
    "汉中市汉台区财政局",
    "沐川县林业和草原局",
]
YEARS = [2021, 2022, 2023, 2024, 2023, 2022]

FLATTENINGS = ["pipes", "lines", "spaces", "oneline", "glued"]


def money(x, unit):
    """A figure as the form prints it in its unit (万元 with two decimals, 元 with cents)."""
    return f"{x:.2f}"


def to_yuan(x, unit):
    return round(x * 10000, 2) if unit == "万元" else round(x, 2)


def pct(a, b):
    return round(a / b * 100, 2)


def grade_of(score):
    return "优" if score >= 90 else "良" if score >= 80 else "中" if score >= 60 else "差"


# The grade cell variants: (printed, grade read from it or None).
def grade_cell(i, g):
    boxes = {"优": "☑优 □良 □中 □差", "良": "□优 ☑良 □中 □差", "中": "□优 □良 ☑中 □差"}
    wing = {"优": "R优 £良 £中 £差", "良": "£优 R良 £中 £差", "中": "£优 £良 R中 £差"}
    words = {"优": "优秀", "良": "良好", "中": "合格", "差": "不合格"}
    v = i % 4
    if v == 0:
        return boxes.get(g, g), g
    if v == 1:
        return words[g], g
    if v == 2:
        return wing.get(g, g), g
    return g, g


def project_form(i, unit):
    sup, impl = UNITS[i]
    name = PROJECTS[i]
    year = YEARS[i]
    k = 1 if unit == "万元" else 10000
    init = (120 + 37.5 * i) * k
    adj = init + (15 + 4 * i) * k
    act = adj - (3.2 + 1.1 * i) * k
    rate = pct(act, adj)
    exec_pts = round(min(rate, 100) / 10, 2)
    score = round(85 + 2.5 * i + exec_pts / 10, 2)
    g = grade_of(score)
    cell, gv = grade_cell(i, g)
    fund = init * 0.8
    rows = [
        ["项目支出绩效自评表"],
        [f"（{year}年度）"],
        ["项目名称", name],
        ["主管部门", sup, "实施单位", impl],
        [f"项目资金（{unit}）", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
        ["年度资金总额", money(init, unit), money(adj, unit), money(act, unit), "10", f"{rate:.2f}%", f"{exec_pts:.2f}"],
        ["其中：当年财政拨款", money(fund, unit), money(fund, unit), money(fund, unit), "—", "", "—"],
        ["上年结转资金", "0.00", "0.00", "0.00", "—", "", "—"],
        ["其他资金", money(init - fund, unit), money(adj - fund, unit), money(act - fund, unit), "—", "", "—"],
        ["年度总体目标", "预期目标", "实际完成情况"],
        ["", "保障项目按期实施，资金足额拨付", "项目按期实施，资金已拨付"],
        ["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"],
        ["", "产出指标", "数量指标", "覆盖对象数", "≥20个", "22个", "20", "20", ""],
        ["", "", "时效指标", "资金拨付及时率", "100%", "100%", "20", "20", ""],
        ["", "效益指标", "社会效益指标", "群众受益程度", "明显提升", "明显提升", "30", "28", "宣传不足"],
        ["", "满意度指标", "服务对象满意度指标", "受益对象满意度", "≥90%", "93%", "10", "10", ""],
        ["总分", "", "", "", "", "", "100", f"{score:.2f}", ""],
        ["评价等级", cell],
    ]
    truth = {
        "report_family": "project",
        "year": year,
        "project.name": name,
        "project.supervisor": sup,
        "project.implementer": impl,
        "department": impl,
        "budget.initial": to_yuan(init, unit),
        "budget.adjusted": to_yuan(adj, unit),
        "expenditure.actual": to_yuan(act, unit),
        "expenditure.execution_rate": rate,
        "score.total": score,
        "grade": gv,
    }
    return rows, truth


def dept_form(i, unit, label="部门（单位）名称"):
    dept = DEPTS[i]
    year = YEARS[(i + 2) % len(YEARS)]
    k = 1 if unit == "万元" else 10000
    basic = [(800 + 55 * i) * k, (812.4 + 55 * i) * k, (806.35 + 55 * i) * k]
    pers = [b * 0.75 for b in basic]
    pub = [b - p for b, p in zip(basic, pers)]
    proj = [(300 + 21 * i) * k, (342.6 + 21 * i) * k, (318.8 + 20 * i) * k]
    tot = [round(b + p, 2) for b, p in zip(basic, proj)]
    rate = pct(tot[2], tot[1])
    exec_pts = round(min(rate, 100) / 10, 2)
    score = round(88 + 1.5 * i + exec_pts / 20, 2)
    g = grade_of(score)
    cell, gv = grade_cell(i + 1, g)
    staff = (40 + 7 * i, 37 + 6 * i)
    m = lambda v: money(round(v, 2), unit)
    rows = [
        ["部门整体支出绩效自评表"],
        [f"（{year}年度）"],
        [label, dept],
        ["编制人数", str(staff[0]), "实有人数", str(staff[1])],
        [f"年度预算执行情况（{unit}）", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
        ["年度资金总额", m(tot[0]), m(tot[1]), m(tot[2]), "10", f"{rate:.2f}%", f"{exec_pts:.2f}"],
        ["基本支出", m(basic[0]), m(basic[1]), m(basic[2]), "—", "—", "—"],
        ["其中：人员经费", m(pers[0]), m(pers[1]), m(pers[2]), "—", "—", "—"],
        ["公用经费", m(pub[0]), m(pub[1]), m(pub[2]), "—", "—", "—"],
        ["项目支出", m(proj[0]), m(proj[1]), m(proj[2]), "—", "—", "—"],
        ["年度总体目标", "预期目标", "实际完成情况"],
        ["", "履行部门职能，保障重点工作", "重点工作全部完成"],
        ["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"],
        ["", "产出指标", "数量指标", "重点任务完成数", "≥10项", "10项", "30", "30", ""],
        ["", "效益指标", "社会效益指标", "服务保障能力", "有效提升", "有效提升", "30", "29", "部分工作滞后"],
        ["", "满意度指标", "服务对象满意度指标", "群众满意度", "≥90%", "95%", "10", "10", ""],
        ["总分", "", "", "", "", "", "100", f"{score:.2f}", ""],
        ["自评等级", cell],
    ]
    truth = {
        "report_family": "dept-overall",
        "year": year,
        "department": dept,
        "staff.authorized": staff[0],
        "staff.actual": staff[1],
        "budget.initial": to_yuan(tot[0], unit),
        "budget.adjusted": to_yuan(tot[1], unit),
        "expenditure.actual": to_yuan(tot[2], unit),
        "expenditure.execution_rate": rate,
        "expenditure.basic": to_yuan(round(basic[2], 2), unit),
        "expenditure.personnel": to_yuan(round(pers[2], 2), unit),
        "expenditure.public": to_yuan(round(pub[2], 2), unit),
        "expenditure.project": to_yuan(round(proj[2], 2), unit),
        "score.total": score,
        "grade": gv,
    }
    return rows, truth


def flatten(rows, how):
    if how == "pipes":
        return "\n".join(" | ".join(r) + (" |" if len(r) > 1 else "") for r in rows) + "\n"
    if how == "lines":
        return "\n\n".join(c for r in rows for c in r if c) + "\n"
    if how == "spaces":
        return "\n".join(" ".join(c for c in r if c) for r in rows) + "\n"
    if how == "oneline":
        return " ".join(c for r in rows for c in r if c) + "\n"
    if how == "glued":
        return "\n".join("".join(r) for r in rows) + "\n"
    raise ValueError(how)


def forms():
    """(stem, text, truth) of every synthetic form."""
    out = []
    for fi, how in enumerate(FLATTENINGS):
        unit = "元" if fi % 2 else "万元"
        rows, truth = project_form(fi, unit)
        out.append((f"project-{how}", flatten(rows, how), truth))
        rows, truth = dept_form(fi, "万元" if fi % 2 else "元", "部门（单位）名称" if fi % 2 else "自评单位")
        out.append((f"dept-{how}", flatten(rows, how), truth))
    # Slots that must stay absent: a grade list whose tick was lost, and a budget unit's
    # label (预算单位 names whoever holds the budget line, not the reporting unit).
    rows, truth = dept_form(5, "万元")
    rows[2] = ["预算单位", "某某县财政局"]
    rows[-1] = ["评价等级", "优 良 中 差"]
    truth["department"] = None
    truth["grade"] = None
    out.append(("dept-untick-pipes", flatten(rows, "pipes"), truth))
    rows, truth = project_form(5, "万元")
    rows[-1] = ["评价等级", "优 良 中 差"]
    truth["grade"] = None
    out.append(("project-untick-spaces", flatten(rows, "spaces"), truth))
    return out


def write(d):
    os.makedirs(d, exist_ok=True)
    for stem, text, truth in forms():
        with open(os.path.join(d, stem + ".txt"), "w", encoding="utf-8") as fh:
            fh.write(text)
        with open(os.path.join(d, stem + ".truth.json"), "w", encoding="utf-8") as fh:
            json.dump(truth, fh, ensure_ascii=False, indent=1, sort_keys=True)
            fh.write("\n")


def same(a, b):
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(a - b) <= 0.011
    return a == b


def score(binary, d, out):
    txts = sorted(glob.glob(os.path.join(d, "*.txt")))
    os.makedirs(out, exist_ok=True)
    subprocess.run([binary, "extract", *txts, "-o", out], check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    right = wrong = missed = 0
    lines = []
    for t in txts:
        stem = os.path.basename(t)[:-4]
        with open(os.path.join(d, stem + ".truth.json"), encoding="utf-8") as fh:
            truth = json.load(fh)
        try:
            with open(os.path.join(out, stem + ".json"), encoding="utf-8") as fh:
                got = json.load(fh)["fields"]
        except (OSError, KeyError, ValueError):
            got = {}
        for key, want in sorted(truth.items()):
            f = got.get(key)
            have = f["value"] if f else None
            if want is None and have is None or want is not None and have is not None and same(want, have):
                right += 1
            elif have is None:
                missed += 1
                lines.append(f"missed {stem} {key}: want {want!r}")
            else:
                wrong += 1
                lines.append(f"wrong  {stem} {key}: want {want!r}, got {have!r} "
                             f"({f.get('confidence')}, {f.get('raw', '')[:60]!r})")
    for l in lines:
        print(l)
    print(f"slots {right + wrong + missed}: right {right}, wrong {wrong}, missed {missed}")


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "write":
        write(sys.argv[2])
    elif len(sys.argv) == 5 and sys.argv[1] == "score":
        score(*sys.argv[2:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
