#!/usr/bin/env bash
# OCR engine comparison for docs/ocr-measurements.md (issue 3).
#
#   scripts/ocr-bench.sh [OUT_DIR] [JOBS]
#
# Needs: apt-get install tesseract-ocr tesseract-ocr-chi-sim poppler-utils
#        pip install rapidocr_onnxruntime   (optional: the PP-OCR column is skipped without it)
# PYTHON may name the interpreter that has rapidocr_onnxruntime (default python3).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-target/ocr-bench}
JOBS=${2:-2}
PY=${PYTHON:-python3}
S=../shared/corpus
declare -A TRUTH=(
  [seed-scanned-200dpi]=$S/seed/hanzhong-2020-dept-overall.txt
  [seed-scanned-300dpi]=$S/seed/hanzhong-2020-dept-overall.txt
  [004-scanned]=$S/dev/004.txt
  [025-scanned]=$S/dev/025.txt
  [040-scanned]=$S/dev/040.txt
)
PDFS=($S/seed-pdfs/seed-scanned-200dpi.pdf $S/seed-pdfs/seed-scanned-300dpi.pdf
      $S/dev-pdfs/004-scanned.pdf $S/dev-pdfs/025-scanned.pdf $S/dev-pdfs/040-scanned.pdf)
STEMS=() ; PAIRS=()
for p in "${PDFS[@]}"; do s=$(basename "$p" .pdf); STEMS+=("$s"); PAIRS+=("$s=${TRUTH[$s]}"); done

mkdir -p "$OUT"
cargo bench --bench ocr -- "$OUT" "$JOBS" "${PDFS[@]}"
if "$PY" -c 'import rapidocr_onnxruntime' 2>/dev/null; then
  "$PY" scripts/ocr_rapid.py "$OUT" "$JOBS" "${STEMS[@]}"
  cargo bench --bench ocr -- --postprocess "$OUT" rapidocr
else
  echo "ocr-bench: $PY has no rapidocr_onnxruntime; PP-OCR column skipped" >&2
fi
python3 scripts/ocr_score.py "$OUT" "${PAIRS[@]}"
