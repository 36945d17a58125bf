#!/usr/bin/env bash
# Open batch.xlsx in LibreOffice (headless) and check that Chinese text and number cells
# survive: converts every sheet to CSV (UTF-8) and compares the `reports` sheet with
# reports.csv. Not run by CI (LibreOffice is a large install):
#   apt-get install -y --no-install-recommends libreoffice-calc-nogui && scripts/xlsx-check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
cargo build -q
target/debug/baogao extract samples -o "$out/batch" --xlsx --review 0.9 >/dev/null
mkdir -p "$out/lo"
# filter options: comma, double quote, UTF-8 (76), 1st line, …, -1 = every sheet to its own file
soffice --headless --convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1' \
  --outdir "$out/lo" "$out/batch/batch.xlsx" >/dev/null 2>&1
ls "$out/lo"
python3 - "$out" <<'PY'
import csv, sys, pathlib
out = pathlib.Path(sys.argv[1])
lo = {p.stem.split("-", 1)[-1]: p for p in (out / "lo").glob("*.csv")}
assert {"reports", "fields", "targets", "indicators", "findings", "checks", "review"} <= set(lo), lo
sheet = list(csv.DictReader(open(lo["reports"], encoding="utf-8")))
ours = list(csv.DictReader(open(out / "batch" / "reports.csv", encoding="utf-8-sig")))
assert len(sheet) == len(ours), (len(sheet), len(ours))
checked = 0
for a, b in zip(sheet, ours):
    assert a["file"] == b["file"]
    assert a["department"] == b["department"], (a["department"], b["department"])
    for col in ("year", "budget_initial_yuan", "expenditure_actual_yuan", "score_total_points"):
        if b[col]:
            assert float(a[col]) == float(b[col]), (col, a[col], b[col])
            checked += 1
depts = [r["department"] for r in sheet if r["department"]]
assert any(any("\u4e00" <= ch <= "\u9fff" for ch in d) for d in depts), depts
print(f"batch.xlsx: {len(lo)} sheets; reports sheet = reports.csv on {len(sheet)} rows, "
      f"{checked} numeric cells; departments {depts}")
PY
rm -rf "$out"
