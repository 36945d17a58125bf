#!/usr/bin/env bash
# Throughput of `baogao extract` on the text-layer PDFs of ../shared/corpus (seed-pdfs and
# dev-pdfs without the scans), against poppler's pdftotext on the same files.
#
# Reports pages/s, the baogao/pdftotext ratio, peak RSS, the 1 -> 2 jobs speed-up, and the
# per-file cost of the worker model (reused worker processes) against converting in
# process and against one `baogao` process per file, on the dev .txt reports.
#
# On a shared machine wall-clock figures (and so the speed-up) depend on the load; pages
# per CPU-second does much less.
#
# Usage: scripts/bench.sh [REPEAT] [COPIES]
#   REPEAT: runs per measurement, the best wall time counts (default 3)
#   COPIES: times each PDF is listed, so the run is long enough to time (default 8)
#   env: BAOGAO=path/to/binary (default: build target/release/baogao), SHARED=path/to/shared
set -euo pipefail
cd "$(dirname "$0")/.."
REPEAT=${1:-3}
COPIES=${2:-8}
SHARED=${SHARED:-../shared}
if [[ -z "${BAOGAO:-}" ]]; then
  cargo build --release --quiet
  BAOGAO=target/release/baogao
fi
cargo build --release --quiet --example pdf_extract_alone
PDFEXTRACT=target/release/examples/pdf_extract_alone
command -v /usr/bin/time >/dev/null || { echo "needs GNU time (/usr/bin/time)"; exit 2; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

ls "$SHARED"/corpus/seed-pdfs/*.pdf "$SHARED"/corpus/dev-pdfs/*.pdf | grep -v -e scanned -e no-tounicode > "$TMP/one"
for _ in $(seq "$COPIES"); do cat "$TMP/one"; done > "$TMP/pdfs"
ls "$SHARED"/corpus/dev/*.txt > "$TMP/txts"
NPDF=$(wc -l < "$TMP/pdfs")
NTXT=$(wc -l < "$TMP/txts")
PAGES=0
if command -v pdfinfo >/dev/null; then
  while read -r f; do
    p=$(pdfinfo "$f" 2>/dev/null | awk '/^Pages:/ {print $2}')
    PAGES=$((PAGES + ${p:-0}))
  done < "$TMP/pdfs"
fi

# run NAME CMD... : best wall time of $REPEAT runs, the CPU time (user+sys) of that run, and
# the peak RSS (KiB, largest single process) of all runs.
run() {
  local name=$1; shift
  local best="" cpu="" rss=0
  for _ in $(seq "$REPEAT"); do
    rm -rf "$TMP/out"
    /usr/bin/time -f '%e %M %U %S' -o "$TMP/time" "$@" > /dev/null 2> "$TMP/stderr" || true
    read -r wall kib user sys < <(tail -1 "$TMP/time")
    if [[ -z "$best" ]] || awk "BEGIN{exit !($wall < $best)}"; then
      best=$wall
      cpu=$(awk "BEGIN{print $user + $sys}")
    fi
    (( kib > rss )) && rss=$kib
  done
  printf '%s %s %s %s\n' "$name" "$best" "$rss" "$cpu" >> "$TMP/results"
}

run baogao-j1 "$BAOGAO" extract -j 1 -o "$TMP/out" --files-from "$TMP/pdfs"
run baogao-j2 "$BAOGAO" extract -j 2 -o "$TMP/out" --files-from "$TMP/pdfs"
if command -v pdftotext >/dev/null; then
  run pdftotext sh -c 'while read -r f; do pdftotext -enc UTF-8 "$f" - ; done < "$1"' sh "$TMP/pdfs"
fi
run pdf-extract sh -c '"$0" < "$1" > "$2/pdf-extract.out"' "$PDFEXTRACT" "$TMP/pdfs" "$TMP"
run txt-worker "$BAOGAO" extract -j 1 -o "$TMP/out" --files-from "$TMP/txts"
run txt-in-process "$BAOGAO" extract -j 1 --in-process -o "$TMP/out" --files-from "$TMP/txts"
run txt-process-per-file sh -c 'while read -r f; do "$0" extract -j 1 -o "$1/out" "$f"; done < "$2"' \
  "$BAOGAO" "$TMP" "$TMP/txts"

echo "inputs: $NPDF text-layer PDFs ($(wc -l < "$TMP/one") distinct, $PAGES pages), $NTXT text reports; best of $REPEAT runs"
awk -v pages="$PAGES" -v ntxt="$NTXT" '
  { wall[$1] = $2; rss[$1] = $3; cpu[$1] = $4 }
  END {
    for (k in wall) if (k !~ /^txt/) printf "%-10s %6.2f s  %7.1f pages/s  %7.1f pages/CPU-s  peak RSS %4d MiB\n", k, wall[k], pages / wall[k], pages / cpu[k], rss[k] / 1024
    if ("pdftotext" in wall) printf "baogao / pdftotext pages/s: %.2f with 1 job (same parallelism), %.2f with 2 jobs\n", wall["pdftotext"] / wall["baogao-j1"], wall["pdftotext"] / wall["baogao-j2"]
    if ("pdf-extract" in wall) printf "baogao / pdf-extract alone pages/s: %.2f with 1 job (pdf-extract: see failed files below)\n", wall["pdf-extract"] / wall["baogao-j1"]
    printf "speed-up 1 -> 2 jobs: %.2fx\n", wall["baogao-j1"] / wall["baogao-j2"]
    printf "per .txt report: worker %.0f ms, in-process %.0f ms, process per file %.0f ms\n",
      1000 * wall["txt-worker"] / ntxt, 1000 * wall["txt-in-process"] / ntxt, 1000 * wall["txt-process-per-file"] / ntxt
  }' "$TMP/results"
[[ -f "$TMP/pdf-extract.out" ]] && echo "pdf-extract alone: $(cat "$TMP/pdf-extract.out") (a failed file: panic or error, its pages not counted)"
