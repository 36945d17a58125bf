#!/usr/bin/env python3
"""Score OCR output against ground truth; prints the markdown table of
docs/ocr-measurements.md.

usage: ocr_score.py OUT_DIR STEM=TRUTH.txt ...

For every engine directory OUT_DIR/STEM/<engine>/ holding page-N.txt and timing.json:
* CER: Levenshtein distance between the pages' text and the truth, both with all
  whitespace removed, divided by the truth length;
* CER folded: the same after mapping full-width ASCII forms (（）：；，％ and full-width
  digits) to ASCII on both sides, as the clean stage does for most of them — it counts
  recognition errors, not which punctuation width the engine chose;
* numbers: share of the truth's numbers (regex \\d+(\\.\\d+)?, counted with multiplicity)
  found in the OCR text (multiset intersection);
* s/page wall and CPU (engine CPU; for tesseract also our own CPU outside the engine:
  page images, TSV parsing, post-processing).
"""
import json
import re
import sys
from collections import Counter
from pathlib import Path

NUM = re.compile(r"\d+(?:\.\d+)?")


def levenshtein(a: str, b: str) -> int:
    """Myers/Hyyrö bit-parallel edit distance (fast enough for 6,000-char pages in Python)."""
    if len(a) < len(b):
        a, b = b, a
    m = len(b)
    if m == 0:
        return len(a)
    peq = {}
    for i, c in enumerate(b):
        peq[c] = peq.get(c, 0) | (1 << i)
    mask = (1 << m) - 1
    high = 1 << (m - 1)
    pv, mv, score = mask, 0, m
    for c in a:
        eq = peq.get(c, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | (~(xh | pv) & mask)
        mh = pv & xh
        if ph & high:
            score += 1
        elif mh & high:
            score -= 1
        ph = ((ph << 1) | 1) & mask
        mh = (mh << 1) & mask
        pv = mh | (~(xv | ph) & mask)
        mv = ph & xv
    return score


def squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def fold(s: str) -> str:
    return "".join(chr(ord(c) - 0xFEE0) if 0xFF01 <= ord(c) <= 0xFF5E else c for c in s)


def page_no(p: Path) -> int:
    return int(re.search(r"page-(\d+)", p.name).group(1))


def main() -> None:
    out = Path(sys.argv[1])
    rows = []
    for arg in sys.argv[2:]:
        stem, truth_path = arg.split("=", 1)
        truth = squash(Path(truth_path).read_text(encoding="utf-8"))
        want = Counter(NUM.findall(truth))
        for engine_dir in sorted(p for p in (out / stem).iterdir() if (p / "timing.json").exists()):
            pages = sorted(engine_dir.glob("page-*.txt"), key=page_no)
            text = squash("".join(p.read_text(encoding="utf-8") for p in pages))
            got = Counter(NUM.findall(text))
            t = json.loads((engine_dir / "timing.json").read_text())
            n = t["pages"]
            outside = t.get("outside_cpu_s")
            rows.append([
                engine_dir.name, stem, f"{levenshtein(text, truth) / len(truth):.2%}",
                f"{levenshtein(fold(text), fold(truth)) / len(truth):.2%}",
                f"{sum((want & got).values()) / max(1, sum(want.values())):.1%}",
                f"{t['wall_s'] / n:.2f}", f"{t['engine_cpu_s'] / n:.2f}",
                "–" if outside is None else f"{outside / t['engine_cpu_s']:.1%}",
            ])
    head = ["engine", "file", "CER", "CER folded", "numbers exact", "s/page wall", "engine CPU s/page",
            "outside-engine CPU / engine CPU"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for r in rows:
        print("| " + " | ".join(r) + " |")


if __name__ == "__main__":
    main()
