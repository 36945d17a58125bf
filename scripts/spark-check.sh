#!/bin/sh
# The Spark recipe checked against a single run, as the README reports it:
#   scripts/spark-check.sh [WORK_DIR]        (needs: pip install pyspark; Java; ../shared)
# Builds an archive of 300 PDFs (the text PDFs of ../shared/corpus/{dev-pdfs,seed-pdfs} and
# samples/, copied into 11 folders, each copy varied by a trailing PDF comment so every file
# has its own sha256, plus 3 scans), converts it once with `baogao extract`, then with
# scripts/spark_pipe.py (8 partitions, local[2,4]) with one task attempt SIGKILLed and
# retried, and compares: same rows, byte-identical folder.
set -eu
cd "$(dirname "$0")/.."
work=${1:-$(mktemp -d)}
shared=../shared/corpus
cargo build --release --quiet
bin=$(pwd)/target/release/baogao
root=$work/archive
rm -rf "$root" "$work/single" "$work/spark"
python3 - "$root" "$shared" <<'PY'
import os, sys, glob
root, shared = sys.argv[1], sys.argv[2]
src = sorted(p for p in glob.glob(f"{shared}/dev-pdfs/*.pdf") + glob.glob(f"{shared}/seed-pdfs/*.pdf")
             + glob.glob("samples/*.pdf") if "scanned" not in p and "no-tounicode" not in p)
n = 0
for k in range(11):
    os.makedirs(f"{root}/v{k:02}", exist_ok=True)
    for p in src:
        if n == 297:
            break
        data = open(p, "rb").read() + (f"\n%vary {k}\n".encode() if k else b"")
        open(f"{root}/v{k:02}/{os.path.basename(p)}", "wb").write(data)
        n += 1
os.makedirs(f"{root}/scans", exist_ok=True)
for p in sorted(glob.glob(f"{shared}/dev-pdfs/*-scanned.pdf"))[:3]:
    open(f"{root}/scans/{os.path.basename(p)}", "wb").write(open(p, "rb").read())
    n += 1
print(n, "PDFs from", len(src), "sources", file=sys.stderr)
PY
find "$root" -name '*.pdf' | sort > "$work/all.txt"
opts="--ocr never --review 0.8"
start=$(date +%s.%N)
"$bin" extract --files-from "$work/all.txt" --relative-to "$root" -o "$work/single" --errors-ok $opts
t_single=$(echo "$(date +%s.%N) - $start" | bc)
start=$(date +%s.%N)
BAOGAO=$bin python3 scripts/spark_pipe.py "$work/all.txt" "$root" "$work/spark" --kill-once -- $opts
t_spark=$(echo "$(date +%s.%N) - $start" | bc)
python3 - "$work" <<'PY'
import json, sys
w = sys.argv[1]
single = [json.loads(l) for l in open(f"{w}/single/summary.jsonl")]
spark = [json.loads(l) for l in open(f"{w}/spark/spark-rows.jsonl")]
key = lambda r: (r["file"], r["output"])
assert sorted(single, key=key) == spark, "rows differ"
print(f"rows: {len(spark)} equal ({sum(r['status'] == 'ok' for r in spark)} ok)", file=sys.stderr)
PY
rm "$work/spark/spark-rows.jsonl"
diff -r -x '.baogao*' "$work/single" "$work/spark" && echo "folders byte-identical" >&2
echo "single run: $t_single s; spark (with one task killed and retried): $t_spark s" >&2
