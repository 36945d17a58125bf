#!/usr/bin/env python3
"""The visible table truth in every layout: rewrite each table of the truth's source texts
into the flattenings real reports show, run baogao on them, and score cell by cell.

    python3 scripts/tables_perturb.py [--bin BAOGAO] [--out DIR] [--json] [--layouts a,b]

For each truth file of ../shared/corpus/tables-truth with a delimited source table (all but
D01, which has no rows, and 052, whose cells are already glued), the table's lines in the
source text (header, rows, 合计/总分 row, repeated header after a page break) are replaced by
the same header and the truth's rows laid out one way, the rest of the text kept as it is.
Layouts (LAYOUTS below): tabs, pipes, markdown, one cell per line (with and without blank
lines), header wrapped over 2 or 3 lines, header starting mid-line, whole table on one line,
space-separated cells, last cell on the next line, glued cells, and pipes with the merged
一级 (and 二级) cells missing. Scores with ../shared/tools/cells.py; prints one line per
layout (`layout cells_ok/cells`) and the total; --json prints {layout: [ok, cells]}.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
TRUTH = SHARED / "corpus" / "tables-truth"
CELLS = SHARED / "tools" / "cells.py"

# Per truth file: the table's lines in the source (1-based, inclusive), its header cells,
# the truth key under each header cell, and the total row (cells) the source prints, if any.
TABLES = {
    "004": dict(lines=(67, 101),
                header=["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "完成值",
                        "权重", "得分", "未完成原因分析"],
                keys=["level1", "level2", "indicator", "nature", "target", "unit", "actual",
                      "max_points", "score", "reason"],
                total=["合计", "", "", "", "", "", "", "100", "", ""]),
    "D02": dict(lines=(19, 31),
                header=["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                        "偏差原因分析及改进措施"],
                keys=["level1", "level2", "indicator", "target", "actual", "max_points", "score",
                      "reason"],
                total=["总分", "", "", "", "", "100", "94.5", ""]),
    "D03": dict(lines=(96, 119),
                header=["三级指标", "年度目标值", "实际完成值", "完成情况"],
                keys=["indicator", "target", "actual", "completion"]),
    "D04": dict(lines=(49, 60),
                header=["序号", "年初目标值", "实际完成情况"],
                keys=["seq", "target", "actual"]),
    "D05": dict(lines=(39, 49),
                header=["指标类别", "绩效指标", "年度目标值", "实际完成值", "完成情况"],
                keys=["category", "indicator", "target", "actual", "completion"]),
    "D06": dict(lines=(29, 37),
                header=["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
                keys=["level1", "level2", "indicator", "target", "actual", "max_points", "score"]),
    "seed": dict(lines=(139, 169),
                 header=["序号", "年初目标值", "实际完成情况"],
                 keys=["seq", "target", "actual"]),
}


def split_parts(cell, n):
    """A header cell wrapped over n lines, as a narrow PDF column wraps it: cells of up to 2
    characters stay whole on the first line."""
    if len(cell) <= 2:
        return [cell] + [""] * (n - 1)
    k = -(-len(cell) // n)
    parts = [cell[i * k:(i + 1) * k] for i in range(n)]
    return parts


def stacked_header(header, n):
    cols = [split_parts(h, n) for h in header]
    return ["\t".join(c[i] for c in cols).rstrip("\t") for i in range(n)]


def merged_missing(rows, levels):
    """Rows whose leading level cells equal the row above's lose them (a row-spanning merged
    cell prints only on its first row)."""
    out, prev = [], None
    for r in rows:
        drop = 0
        if prev is not None:
            for i in range(levels):
                if r[i] and r[i] == prev[i] and drop == i:
                    drop += 1
        out.append(r[drop:])
        prev = r
    return out


def lay(layout, header, rows, has_levels):
    """The table's lines in one layout. Returns (lines, glue_to_previous_line)."""
    allrows = [header] + rows
    if layout == "tabs":
        return ["\t".join(r) for r in allrows], False
    if layout == "pipes":
        return [" | ".join(r) for r in allrows], False
    if layout == "markdown":
        sep = "|" + "---|" * len(header)
        lines = ["| " + " | ".join(r) + " |" for r in allrows]
        return [lines[0], sep] + lines[1:], False
    if layout == "cell_per_line":
        return [c for r in allrows for c in r], False
    if layout == "cell_per_line_blank":
        out = []
        for r in allrows:
            for c in r:
                out += [c, ""]
        return out, False
    if layout == "header_2_lines":
        return stacked_header(header, 2) + ["\t".join(r) for r in rows], False
    if layout == "header_3_lines":
        return stacked_header(header, 3) + ["\t".join(r) for r in rows], False
    if layout == "header_mid_line":
        return ["\t".join(r) for r in allrows], True
    if layout == "one_line":
        return [" ".join(c for r in allrows for c in r if c)], False
    if layout == "spaces":
        return [" ".join(c for c in r if c) for r in allrows], False
    if layout == "last_cell_next_line":
        out = ["\t".join(header)]
        for r in rows:
            last = max((i for i, c in enumerate(r) if c), default=0)
            out.append("\t".join(r[:last]))
            out.append(r[last])
        return out, False
    if layout == "glued":
        return ["".join(r) for r in allrows], False
    if layout in ("pipes_merged_1", "pipes_merged_12"):
        levels = 1 if layout == "pipes_merged_1" else 2
        body = merged_missing(rows, levels if has_levels else 0)
        return ["| " + " | ".join(r) + " |" for r in [header] + body], False
    raise ValueError(layout)


LAYOUTS = ["tabs", "pipes", "markdown", "cell_per_line", "cell_per_line_blank", "header_2_lines",
           "header_3_lines", "header_mid_line", "one_line", "spaces", "last_cell_next_line", "glued",
           "pipes_merged_1", "pipes_merged_12"]


def rewrite(tid, layout):
    spec = TABLES[tid]
    truth = json.loads((TRUTH / f"{tid}.json").read_text(encoding="utf-8"))
    src = (ROOT / truth["src"]).resolve()
    lines = src.read_text(encoding="utf-8").split("\n")
    a, b = spec["lines"]
    rows = [[r.get(k, "") for k in spec["keys"]] for r in truth["rows"]]
    if spec.get("total"):
        rows.append(spec["total"])
    has_levels = spec["keys"][:2] == ["level1", "level2"]
    table, glue = lay(layout, spec["header"], rows, has_levels)
    before, after = lines[:a - 1], lines[b:]
    if glue:
        while before and not before[-1].strip():
            before.pop()
        # The sentence before the table (a line of the form is not one: a generic lead-in).
        lead = before.pop() if before else ""
        if "|" in lead or "\t" in lead:
            before.append(lead)
            lead = "各项指标完成情况如下："
        table = [lead + table[0]] + table[1:]
    return src.stem, "\n".join(before + table + after)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=str(ROOT / "target" / "release" / "baogao"))
    ap.add_argument("--out", default=None)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--layouts", default=",".join(LAYOUTS))
    ap.add_argument("--detail", action="store_true", help="per-table lines from cells.py")
    args = ap.parse_args()
    if not TRUTH.is_dir():
        print(f"skip: {TRUTH} not found", file=sys.stderr)
        return 2
    out = Path(args.out or tempfile.mkdtemp(prefix="baogao-perturb-"))
    res = {}
    for layout in args.layouts.split(","):
        tdir, jdir = out / "txt" / layout, out / "json" / layout
        tdir.mkdir(parents=True, exist_ok=True)
        jdir.mkdir(parents=True, exist_ok=True)
        ids, files = [], []
        for tid in TABLES:
            stem, text = rewrite(tid, layout)
            p = tdir / f"{stem}.txt"
            p.write_text(text, encoding="utf-8")
            ids.append(f"{tid}={stem}")
            files.append(str(p))
        subprocess.run([args.bin, "extract", *files, "-o", str(jdir), "--jobs", "1"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        r = subprocess.run([sys.executable, str(CELLS), str(jdir), *ids], capture_output=True,
                           text=True, check=True)
        m = re.search(r"cells_ok=(\d+) cells=(\d+)", r.stdout)
        res[layout] = [int(m.group(1)), int(m.group(2))]
        if args.detail:
            print(f"== {layout}\n{r.stdout}", end="")
    if args.json:
        print(json.dumps(res))
    else:
        ok = sum(v[0] for v in res.values())
        n = sum(v[1] for v in res.values())
        for k, (o, c) in res.items():
            print(f"{k:22} {o:4}/{c}")
        print(f"{'total':22} {ok:4}/{n} ({100 * ok / n:.1f} %)  out: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
