#!/usr/bin/env python3
"""Count the table rows baogao found in a folder of report JSONs (no truth needed).

    python3 scripts/tables_rows.py OUT_DIR [--ids a,b,c] [--per-doc]

Prints: documents, documents with >= 1 indicator row, indicator rows, target rows, and the
share of rows with a target and an actual column whose status is `unknown`. For dev2, pass
the development ids only (docs/blind-dev2.md); --per-doc lists each id's counts.
"""
import json
import sys
from pathlib import Path


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    out = Path(args[0])
    ids = None
    if "--ids" in args:
        ids = set(args[args.index("--ids") + 1].split(","))
    per_doc = "--per-doc" in args
    docs = with_ind = ind = tgt = 0
    status = {}
    for f in sorted(out.glob("*.json")):
        if ids is not None and f.stem not in ids:
            continue
        try:
            r = json.loads(f.read_text())
        except (OSError, ValueError):
            continue
        if "indicators" not in r:
            continue
        docs += 1
        n_ind, n_tgt = len(r.get("indicators", [])), len(r.get("targets", []))
        ind += n_ind
        tgt += n_tgt
        with_ind += n_ind > 0
        st = {}
        for row in r.get("indicators", []) + r.get("targets", []):
            s = row.get("status")
            if s:
                status[s] = status.get(s, 0) + 1
                st[s] = st.get(s, 0) + 1
        if per_doc:
            print(f"{f.stem}\tindicators {n_ind}\ttargets {n_tgt}\t{st}")
    compared = sum(status.values())
    unknown = status.get("unknown", 0)
    share = f"{100 * unknown / compared:.1f} %" if compared else "-"
    print(
        f"docs {docs}  with indicator rows {with_ind}  indicator rows {ind}  target rows {tgt}  "
        f"status {dict(sorted(status.items()))}  unknown {unknown}/{compared} = {share}"
    )


if __name__ == "__main__":
    main()
