#!/usr/bin/env python3
"""Rebuild patterns/divisions.txt from the cpca package's adcode list.

usage: pip download cpca==0.5.5 --no-deps -d /tmp/cpca && cd /tmp/cpca && unzip -q cpca-*.whl
       python3 scripts/divisions.py /tmp/cpca/cpca/resources/adcodes.csv > patterns/divisions.txt
"""
import csv
import sys

HEADER = """# Chinese administrative divisions (province, prefecture and county level), one name a line.
#
# Built from the data file `cpca/resources/adcodes.csv` of the PyPI package cpca 0.5.5
# (https://github.com/DQinYuan/chinese_province_city_area_mapper, MIT licence, copyright
# 2018 QinYuan Du), which lists the national 行政区划代码 names with their adcodes. Kept: every
# name except placeholders (市辖区, 县, 省直辖县级行政区划); added: the short forms printed for
# autonomous prefectures / counties / banners (红河哈尼族彝族自治州 → 红河州, 寻甸回族彝族自治县 →
# 寻甸县). Regenerate with scripts/divisions.py (see README "Adding patterns").
"""
SKIP = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


def main():
    rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
    names, seen = [], set()

    def add(n):
        if n not in seen and len(n) >= 2:
            seen.add(n)
            names.append(n)

    for r in sorted(rows, key=lambda r: r["adcode"]):
        n = r["name"].strip()
        if n and n not in SKIP:
            add(n)
    for n in list(names):
        for suf, short in (("自治州", "州"), ("自治县", "县"), ("自治旗", "旗")):
            if n.endswith(suf) and len(n) > len(suf) + 2:
                add(n[:2] + short)
    sys.stdout.write(HEADER + "\n".join(names) + "\n")


if __name__ == "__main__":
    main()
