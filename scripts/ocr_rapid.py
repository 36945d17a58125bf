#!/usr/bin/env python3
"""PP-OCRv4 (det + rec, ONNX, via rapidocr_onnxruntime) on the page images that
`cargo bench --bench ocr` wrote, for the engine comparison in docs/ocr-measurements.md.

usage: ocr_rapid.py OUT_DIR THREADS STEM...

Reads OUT_DIR/STEM/images/page-N.*, writes OUT_DIR/STEM/rapidocr-raw/page-N.txt (one detected
line per text line, in the engine's top-to-bottom order) and timing.json. THREADS is
onnxruntime's intra-op thread count, pages run one after the other; CPU time is
time.process_time() (all threads of this process).
"""
import json
import re
import sys
import time
from pathlib import Path

from rapidocr_onnxruntime import RapidOCR


def page_no(p: Path) -> int:
    return int(re.search(r"page-(\d+)", p.name).group(1))


def main() -> None:
    out, threads, stems = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
    t = time.perf_counter()
    engine = RapidOCR(intra_op_num_threads=threads, inter_op_num_threads=1)
    load_s = time.perf_counter() - t
    for stem in stems:
        images = sorted((out / stem / "images").glob("page-*"), key=page_no)
        dest = out / stem / "rapidocr-raw"
        dest.mkdir(parents=True, exist_ok=True)
        confs = []
        c0, w0 = time.process_time(), time.perf_counter()
        for img in images:
            result, _ = engine(str(img))
            lines = [(r[1], float(r[2])) for r in (result or [])]
            text = "\n".join(l for l, _ in lines) + ("\n" if lines else "")
            (dest / f"page-{page_no(img)}.txt").write_text(text, encoding="utf-8")
            n = sum(len(l) for l, _ in lines)
            confs.append(round(sum(len(l) * c for l, c in lines) / n, 3) if n else -1)
        timing = {
            "engine": "rapidocr",
            "pages": len(images),
            "threads": threads,
            "model_load_s": round(load_s, 3),
            "wall_s": round(time.perf_counter() - w0, 3),
            "engine_cpu_s": round(time.process_time() - c0, 3),
            "mean_confidence": confs,
        }
        (dest / "timing.json").write_text(json.dumps(timing) + "\n")
        print(f"{stem}: {json.dumps(timing)}", file=sys.stderr)


if __name__ == "__main__":
    main()
