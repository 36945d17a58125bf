#!/bin/sh
# Score the table reader cell by cell against ../shared/corpus/tables-truth (cells.py):
# the texts, the same texts rendered as PDFs (scripts/render_table_pdfs.py: STSong-Light and
# embedded TrueType), the seed PDFs with a drawn table, and the dev PDFs 004/052.
#   scripts/tables_score.sh [BAOGAO_BINARY] [OUT_DIR]
# Needs python3 with reportlab (pip install reportlab) and fonts-wqy-zenhei for the renders.
set -eu
cd "$(dirname "$0")/.."
corpus=../shared/corpus
[ -d "$corpus" ] || { echo "skip: $corpus not found" >&2; exit 0; }
bin=${1:-}
if [ -z "$bin" ]; then cargo build --release --quiet; bin=./target/release/baogao; fi
out=${2:-$(mktemp -d)}
cells="python3 ../shared/tools/cells.py"
ids="D01 D02 D03 D04 D05 D06 seed=hanzhong-2020-dept-overall 004 052"
mkdir -p "$out/txt" "$out/render" "$out/pdf-stsong" "$out/pdf-ttf" "$out/pdf-seed" "$out/pdf-dev"
"$bin" extract $corpus/dev-complete/D0[1-6].txt $corpus/seed/hanzhong-2020-dept-overall.txt \
    $corpus/dev/004.txt $corpus/dev/052.txt -o "$out/txt" --jobs 1 >/dev/null 2>&1 || true
echo "==== texts"; $cells "$out/txt" $ids
python3 scripts/render_table_pdfs.py "$out/render" >/dev/null
for k in stsong ttf; do
    "$bin" extract "$out/render"/*-$k.pdf -o "$out/pdf-$k" --jobs 1 >/dev/null 2>&1 || true
    echo "==== texts rendered as PDFs ($k)"
    $cells "$out/pdf-$k" D01=D01-$k D02=D02-$k D03=D03-$k D04=D04-$k D05=D05-$k D06=D06-$k \
        seed=hanzhong-2020-dept-overall-$k 004=004-$k 052=052-$k
done
"$bin" extract $corpus/seed-pdfs/seed-libreoffice.pdf $corpus/seed-pdfs/seed-lo74.pdf \
    $corpus/seed-pdfs/seed-cid-identity-h.pdf $corpus/seed-pdfs/seed-stsong-cid.pdf \
    $corpus/seed-pdfs/seed-ttf-embedded.pdf -o "$out/pdf-seed" --jobs 1 >/dev/null 2>&1 || true
echo "==== seed PDFs (drawn table)"
$cells "$out/pdf-seed" seed=seed-libreoffice seed=seed-lo74 seed=seed-cid-identity-h \
    seed=seed-stsong-cid seed=seed-ttf-embedded
"$bin" extract $corpus/dev-pdfs/004.pdf $corpus/dev-pdfs/052.pdf -o "$out/pdf-dev" --jobs 1 >/dev/null 2>&1 || true
echo "==== dev PDFs"; $cells "$out/pdf-dev" 004 052
# Tables without ruling lines: the same texts, tab blocks and pipe blocks as positioned text
# in columns (render_table_pdfs.py --mode borderless / borderless-wrap --pipes).
for m in borderless borderless-wrap; do
    python3 scripts/render_table_pdfs.py --mode $m --pipes "$out/render-$m" >/dev/null
    for k in stsong ttf; do
        "$bin" extract "$out/render-$m"/*-$k.pdf -o "$out/pdf-$m-$k" --jobs 1 >/dev/null 2>&1 || true
        echo "==== texts rendered as PDFs without borders ($m, $k)"
        $cells "$out/pdf-$m-$k" D01=D01-$k D02=D02-$k D03=D03-$k D04=D04-$k D05=D05-$k D06=D06-$k \
            seed=hanzhong-2020-dept-overall-$k 004=004-$k 052=052-$k
    done
done
