#!/usr/bin/env python3
"""pdfplumber's tables on the same PDFs, scored with cells.py, to compare baogao's drawn-table
reading with (pip install pdfplumber).

usage: tables_pdfplumber.py [--text] OUT_DIR PDF=TRUTH_ID ...
  e.g. tables_pdfplumber.py /tmp/pp ../shared/corpus/seed-pdfs/seed-lo74.pdf=seed
Extracts every page's tables (lines strategy, pdfplumber's default; with --text the text
strategy for both directions, for tables without ruling lines) into OUT_DIR/<stem>.json in
the anchor format cells.py reads, and prints cells.py's per-file and total lines.
"""
import json
import os
import sys

import pdfplumber

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'shared', 'tools'))
import cells  # noqa: E402


def main():
    args = sys.argv[1:]
    settings = {}
    if args and args[0] == '--text':
        args.pop(0)
        settings = {'vertical_strategy': 'text', 'horizontal_strategy': 'text'}
    out = args[0]
    os.makedirs(out, exist_ok=True)
    tot = {'cells': 0, 'cells_ok': 0, 'exact': 0, 'expected': 0}
    for arg in args[1:]:
        pdf, _, tid = arg.rpartition('=')
        stem = os.path.splitext(os.path.basename(pdf))[0]
        tables = []
        with pdfplumber.open(pdf) as doc:
            for page in doc.pages:
                for t in page.extract_tables(settings):
                    tables.append({'page': page.page_number, 'rows': t})
        path = os.path.join(out, stem + '.json')
        with open(path, 'w', encoding='utf-8') as f:
            json.dump(tables, f, ensure_ascii=False)
        truth = json.load(open(os.path.join(cells.TRUTH, tid + '.json')))
        r = cells.score_file(truth, cells.anchor_rows(path))
        for k in tot:
            tot[k] += r[k]
        print(f"{stem}: rows {r['expected']} found {r['found']} exact {r['exact']} cells {r['cells_ok']}/{r['cells']}")
    acc = tot['cells_ok'] / tot['cells'] if tot['cells'] else 0.0
    print(f"cells_ok={tot['cells_ok']} cells={tot['cells']} accuracy={acc:.3f} rows_exact={tot['exact']} rows={tot['expected']}")


if __name__ == '__main__':
    main()
