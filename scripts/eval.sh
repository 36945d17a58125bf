#!/bin/sh
# Extract the text corpora with truth and score them: scripts/eval.sh [--json]
# Uses ../shared/corpus (dev, dev-complete); outputs go to a temporary directory.
set -eu
cd "$(dirname "$0")/.."
corpus=../shared/corpus
[ -d "$corpus" ] || { echo "skip: $corpus not found" >&2; exit 0; }
cargo build --release --quiet
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for c in dev dev-complete; do
    mkdir -p "$out/$c"
    ./target/release/baogao extract "$corpus/$c"/*.txt -o "$out/$c" 2>/dev/null || true
    echo "==== $c"
    ./target/release/baogao eval --truth "$corpus/$c" "$out/$c" "$@"
done
