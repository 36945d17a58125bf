#!/usr/bin/env python3
"""Metamorphic check of label families: a value read under one label of a family must be
read under the family's other labels too.

usage: synonyms.py BIN OUT_DIR TXT...   (BIN = a baogao binary; never pass the blind ids)

For each text and each label family below, every label of the family that occurs in the
text is replaced (all occurrences) by each other label of the family; baogao runs on the
original and every variant, and the family's key must keep its value. The families are the
vocabulary of the national forms and of report prose (issue 10's list of what unseen
reports say), not any document's words. Prints kept / changed / lost per family and the
losses.
"""
import os
import sys

from perturb import fields, run  # same folder: one way to run baogao and read its fields

FAMILIES = {
    "budget.initial": ["年初预算数", "年初预算", "年初批复预算", "年初部门预算"],
    "budget.adjusted": ["全年预算数", "调整后预算", "调整预算", "全年预算"],
    "expenditure.actual": ["全年执行数", "实际支出", "全年实际支出", "实际执行"],
    "expenditure.execution_rate": ["预算执行率", "资金执行率", "执行率"],
    "score.total": ["自评得分", "评价得分", "综合得分", "考评得分"],
    "grade": ["评价等级", "自评等级", "评价结果", "绩效等级"],
    "staff.authorized": ["编制数", "核定编制", "编制人数"],
    "staff.actual": ["实有人数", "实有人员", "在职人员"],
}


def main():
    binary, out, *txts = sys.argv[1:]
    stems = [os.path.basename(t)[:-4] for t in txts]
    run(binary, txts, os.path.join(out, "orig"))
    base = {s: fields(os.path.join(out, "orig"), s) for s in stems}
    jobs = []  # (stem, key, from, to, path)
    vdir = os.path.join(out, "in")
    os.makedirs(vdir, exist_ok=True)
    for t, s in zip(txts, stems):
        with open(t, encoding="utf-8") as fh:
            text = fh.read()
        for key, labels in FAMILIES.items():
            if key not in base[s]:
                continue
            # the longest label first, so 年初预算数 is not also taken as 年初预算
            present = [l for l in sorted(labels, key=len, reverse=True) if l in text]
            if not present:
                continue
            src = present[0]
            for dst in labels:
                if dst == src or dst in present:
                    continue
                name = f"{s}~{len(jobs)}"
                p = os.path.join(vdir, name + ".txt")
                with open(p, "w", encoding="utf-8") as fh:
                    fh.write(text.replace(src, dst))
                jobs.append((s, key, src, dst, name, p))
    run(binary, [j[5] for j in jobs], os.path.join(out, "out"))
    per = {}
    notes = []
    for s, key, src, dst, name, _ in jobs:
        got = fields(os.path.join(out, "out"), name).get(key)
        r = per.setdefault(key, [0, 0, 0])
        if got == base[s][key]:
            r[0] += 1
        elif got is None:
            r[2] += 1
            notes.append(f"  lost    {s} {key}: {src} -> {dst}")
        else:
            r[1] += 1
            notes.append(f"  changed {s} {key}: {src} -> {dst}: {base[s][key]} -> {got}")
    n = sum(sum(r) for r in per.values())
    k = sum(r[0] for r in per.values())
    print(f"{len(jobs)} variants, kept {k}/{n} ({k / max(n, 1):.1%})")
    for key, (kept, changed, lost) in per.items():
        print(f"{key:28} kept {kept}  changed {changed}  lost {lost}")
    if "-v" in os.environ.get("SYNONYMS", ""):
        print("\n".join(notes))


if __name__ == "__main__":
    main()
