#!/usr/bin/env python3
"""Damaged and hostile PDFs: baogao against MuPDF and poppler (issue 12).

Usage: scripts/damaged-measure.py BAOGAO_BINARY DIR [DIR ...]

Runs one `baogao extract` batch over every PDF under the DIRs (the robustness corpus,
the damaged variants `tests/damaged.rs`'s `write_variants` writes), and `mutool draw -F txt`
and `pdftotext` on each file (60 s limit each). Per file it prints baogao's outcome and
the non-space characters each of the three got; then the totals the README quotes:

- real losses: a reader gets >= 20 characters and baogao under 95 % of the better reader;
- misleading outcomes: `not_pdf` on a file a reader opens, `needs_ocr` / `no_text` on a
  file a reader gets >= 20 characters from;
- the batch's peak RSS (largest worker) and wall time.

Also times a generated 10,000-page blank PDF against pdftotext (ratio, same run; skipped
when NO_BLANK is set).
"""

import json
import os
import resource
import subprocess
import sys
import tempfile
import time


def chars(text):
    return sum(1 for c in text if not c.isspace())


def reader(cmd, pdf):
    with tempfile.NamedTemporaryFile(suffix=".txt") as out:
        if cmd == "mutool":
            args = ["mutool", "draw", "-q", "-F", "txt", "-o", out.name, pdf]
        else:
            args = ["pdftotext", "-q", "-enc", "UTF-8", pdf, out.name]
        try:
            subprocess.run(args, timeout=60, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            return -1
        try:
            return chars(open(out.name, encoding="utf-8", errors="replace").read())
        except OSError:
            return 0


def blank_pdf(n, path):
    """A PDF of n blank pages, written directly (no tool needed)."""
    parts = [b"%PDF-1.4\n"]
    offsets = {}

    def obj(num, body):
        offsets[num] = sum(len(p) for p in parts)
        parts.append(b"%d 0 obj\n%s\nendobj\n" % (num, body))

    kids = b" ".join(b"%d 0 R" % (3 + i) for i in range(n))
    obj(1, b"<< /Type /Catalog /Pages 2 0 R >>")
    obj(2, b"<< /Type /Pages /Kids [%s] /Count %d /MediaBox [0 0 595 842] >>" % (kids, n))
    for i in range(n):
        obj(3 + i, b"<< /Type /Page /Parent 2 0 R >>")
    xref = sum(len(p) for p in parts)
    parts.append(b"xref\n0 %d\n0000000000 65535 f \n" % (n + 3))
    for num in range(1, n + 3):
        parts.append(b"%010d 00000 n \n" % offsets[num])
    parts.append(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (n + 3, xref))
    with open(path, "wb") as f:
        f.write(b"".join(parts))


def main():
    binary, dirs = sys.argv[1], sys.argv[2:]
    files = sorted(
        os.path.join(root, f)
        for d in dirs
        for root, _, names in os.walk(d)
        for f in names
        if f.endswith(".pdf")
    )
    work = tempfile.mkdtemp(prefix="baogao-measure-")
    with open(os.path.join(work, "list"), "w") as f:
        f.write("".join(p + "\n" for p in files))
    out = os.path.join(work, "out")
    start = time.time()
    subprocess.run([binary, "extract", "--jobs", "2", "--timeout", "60", "--ocr", "never",
                    "--files-from", os.path.join(work, "list"), "-o", out],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.time() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    rows = {}
    with open(os.path.join(out, "summary.jsonl")) as f:
        for line in f:
            r = json.loads(line)
            rows[r["file"]] = r
    losses = misleading = 0
    print("file\tbaogao\tmutool\tpdftotext\toutcome")
    for p in files:
        r = rows.get(p, {})
        if r.get("status") == "ok":
            rep = json.load(open(os.path.join(out, r["output"])))
            ours = sum(pi["chars"] for pi in rep["source"]["page_info"])
            warn = [w for w in rep.get("warnings", []) if "recovered" in w or "rebuilt" in w]
            outcome = "ok" + (" (" + "; ".join(warn)[:100] + ")" if warn else "")
        else:
            ours = 0
            outcome = "%s: %s" % (r.get("error_kind", "?"), str(r.get("error", ""))[:100])
        mu, pop = reader("mutool", p), reader("pdftotext", p)
        best = max(mu, pop)
        flag = ""
        if best >= 20 and ours < 0.95 * best:
            losses += 1
            flag = "LOSS "
        kind = r.get("error_kind", "")
        if (kind == "not_pdf" and best > 0) or (kind in ("needs_ocr", "no_text") and best >= 20):
            misleading += 1
            flag += "MISLEADING "
        print("%s\t%d\t%d\t%d\t%s%s" % (os.path.relpath(p), ours, mu, pop, flag, outcome))
    print("\n%d files: %d real losses (reader >= 20 chars, baogao < 95 %% of the better), "
          "%d misleading kinds; batch %.1f s, peak RSS %d MiB"
          % (len(files), losses, misleading, wall, peak))

    if os.environ.get("NO_BLANK"):
        return
    blank = os.path.join(work, "blank-10000.pdf")
    blank_pdf(10000, blank)
    t = time.time()
    subprocess.run([binary, "extract", "--in-process", "-o", os.path.join(work, "b"), blank],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ours = time.time() - t
    t = time.time()
    subprocess.run(["pdftotext", "-q", blank, os.path.join(work, "b.txt")])
    pop = time.time() - t
    print("10,000 blank pages: baogao %.2f s, pdftotext %.2f s (ratio %.1f)"
          % (ours, pop, ours / max(pop, 1e-3)))


if __name__ == "__main__":
    main()
