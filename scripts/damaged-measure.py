#!/usr/bin/env python3
"""Damaged and hostile PDFs: baogao against MuPDF and poppler (issue 12).

Usage: scripts/damaged-measure.py [--bin BAOGAO] [--variants DIR] [--skip PART,...]

Parts (all by default; `--skip` leaves some out):

- `variants`: every damaged variant `tests/damaged.rs` generates (its ignored test
  `write_variants`, run through cargo unless `--variants DIR` already holds them) of every
  seed PDF whose undamaged file has a text layer. One `baogao extract --ocr never` batch
  converts them with the undamaged seeds; `mutool draw -F txt` and `pdftotext` read each.
  Every reader's text (baogao's is the cleaned text `baogao inspect` prints) is scored as
  the share of the seed's true text (`../shared/corpus/seed/*.txt`, whitespace removed)
  it recovers in order (longest common subsequence), so a reader's garbage does not count.
  Per variant: the three shares, baogao's outcome, and whether its fields equal the
  undamaged file's (fields whose page in the undamaged file came out with text).
  baogao's share is also taken relative to its share on the undamaged seed (its cleaned
  text drops a little even there). Totals: variants where a reader recovers >= 20 % of
  the text and baogao (relative) < 95 % of the better reader's share ("real losses"); `not_pdf`/`needs_ocr`/`no_text` outcomes;
  `ok` without a `recovered`/`lost` warning below 95 % of the text ("silently partial").
- `qpdf`: every variant through `qpdf IN OUT` (its repair), then baogao: how many qpdf
  writes, and how many of those baogao then reads (>= 90 % of the text).
- `robustness`: one `baogao extract` batch (OCR auto) over `../shared/corpus/robustness`;
  per file the non-space characters of baogao (its `page_info`), mutool and pdftotext;
  losses (a reader >= 20 characters, baogao < 95 % of the better), misleading kinds, and
  the batch's peak RSS (largest process: getrusage of the waited-for children).
- `blank`: a generated 10,000-page blank PDF (and 1,000 / 4,000 for the growth), timed
  against pdftotext in the same run.
- `kill`: a batch OCRing a scanned seed is SIGKILLed (parent and workers) while tesseract
  runs; then `--resume`. Checks no `.*.tmp*` file in the output folder, no tesseract /
  pdftoppm process left, no `/tmp/baogao-ocr-*` folder left.

The default binary is target/release/baogao (`cargo build --release` first).
"""

import argparse
import glob
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(ROOT, "..", "shared")
SEEDS = os.path.join(SHARED, "corpus", "seed-pdfs")


def nonspace(text):
    return "".join(c for c in text if not c.isspace())


def lcs(a, b):
    """Longest common subsequence length (bit-parallel, Hyyro 2004, on Python ints)."""
    if not a or not b:
        return 0
    masks = {}
    for i, c in enumerate(a):
        masks[c] = masks.get(c, 0) | (1 << i)
    full = (1 << len(a)) - 1
    v = full
    for c in b:
        u = v & masks.get(c, 0)
        v = ((v + u) | (v - u)) & full
    return len(a) - bin(v).count("1")


def share(got, truth):
    return lcs(truth, nonspace(got)) / len(truth) if truth else 1.0


def reader_text(cmd, pdf):
    with tempfile.NamedTemporaryFile(suffix=".txt") as out:
        if cmd == "mutool":
            args = ["mutool", "draw", "-q", "-F", "txt", "-o", out.name, pdf]
        else:
            args = ["pdftotext", "-q", "-enc", "UTF-8", pdf, out.name]
        try:
            subprocess.run(args, timeout=60, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            return ""
        try:
            return open(out.name, encoding="utf-8", errors="replace").read()
        except OSError:
            return ""


def cleaned_text(binary, pdf):
    """The cleaned text `baogao inspect` prints (`== cleaned text` section, `N: line`)."""
    p = subprocess.run([binary, "inspect", "--ocr", "never", pdf], capture_output=True,
                       text=True, timeout=300)
    lines, on = [], False
    for line in p.stdout.splitlines():
        if line.startswith("== cleaned text"):
            on = True
        elif line.startswith("== "):
            on = False
        elif on:
            lines.append(line.split(": ", 1)[1] if ": " in line else "")
    return "\n".join(lines)


def batch(binary, files, out, extra):
    work = os.path.dirname(out)
    lst = os.path.join(work, os.path.basename(out) + ".list")
    with open(lst, "w") as f:
        f.write("".join(p + "\n" for p in files))
    start = time.time()
    # The batch runs under a fresh python whose own RUSAGE_CHILDREN holds only baogao and its
    # workers: this process's counter also remembers earlier children (cargo, rustc, mutool),
    # whose peak would otherwise be reported as the batch's.
    probe = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], "
             "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    res = subprocess.run([sys.executable, "-c", probe, binary, "extract", "--jobs", "2",
                          "--timeout", "120", *extra, "--files-from", lst, "-o", out],
                         capture_output=True, text=True)
    wall = time.time() - start
    peak = int(res.stdout.strip() or 0)
    rows = {}
    with open(os.path.join(out, "summary.jsonl")) as f:
        for line in f:
            r = json.loads(line)
            rows[r["file"]] = r
    reports = {}
    for p, r in rows.items():
        if r.get("status") == "ok":
            reports[p] = json.load(open(os.path.join(out, r["output"])))
    return rows, reports, wall, peak // 1024


def outcome(r, rep):
    if r.get("status") == "ok":
        warn = [w for w in rep.get("warnings", [])
                if any(k in w for k in ("recovered", "rebuilt", "lost", "damaged", "loop"))]
        return "ok" + (" (" + "; ".join(warn)[:110] + ")" if warn else "")
    return "%s: %s" % (r.get("error_kind", "?"), str(r.get("error", ""))[:110])


def fields_of(rep):
    return {k: v.get("value") for k, v in rep.get("fields", {}).items()
            if isinstance(v, dict)}


def part_variants(binary, work, variants):
    if variants is None:
        variants = os.path.join(work, "variants")
        os.makedirs(variants, exist_ok=True)
        subprocess.run(["cargo", "test", "-q", "--test", "damaged", "write_variants", "--",
                        "--ignored"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
                       env=dict(os.environ, BAOGAO_DAMAGED_OUT=variants))
    truth = nonspace(open(glob.glob(os.path.join(SHARED, "corpus", "seed", "*.txt"))[0],
                          encoding="utf-8").read())
    seeds = sorted(p for p in glob.glob(os.path.join(SEEDS, "*.pdf")) if "scanned" not in p)
    files = sorted(glob.glob(os.path.join(variants, "*.pdf")))
    rows, reports, wall, peak = batch(binary, seeds + files, os.path.join(work, "v-out"),
                                      ["--ocr", "never"])
    losses = misleading = silent = total = fields_same = fields_all = 0
    # baogao's text is the cleaned text (page furniture removed, table rows rebuilt), which
    # scores a little under the raw text even on an undamaged file: each variant's share is
    # also given relative to the undamaged seed's, and that one is held against the readers.
    base = {s: share(cleaned_text(binary, s), truth) for s in seeds if s in reports}
    print("variant\tbaogao\t(of undamaged)\tmutool\tpdftotext\tfields\toutcome")
    for p in files:
        stem, var = os.path.basename(p)[:-4].rsplit(".", 1)
        seed = os.path.join(SEEDS, stem + ".pdf")
        if seed not in reports:
            continue  # the undamaged file has no text layer (needs OCR): not a damage case
        total += 1
        r, rep = rows.get(p, {}), reports.get(p)
        ours = share(cleaned_text(binary, p), truth) if rep else 0.0
        rel = min(1.0, ours / base[seed]) if base[seed] else 0.0
        mu = share(reader_text("mutool", p), truth)
        pop = share(reader_text("pdftotext", p), truth)
        best = max(mu, pop)
        flag = ""
        if best >= 0.2 and rel < 0.95 * best:
            losses += 1
            flag += "LOSS "
        kind = r.get("error_kind", "")
        if kind in ("not_pdf", "needs_ocr", "no_text"):
            misleading += 1
            flag += "MISLEADING "
        if rep and rel < 0.95 and not any("recovered" in w or "lost" in w
                                           for w in rep.get("warnings", [])):
            silent += 1
            flag += "SILENT "
        same = "-"
        if rep:
            orig = reports[seed]
            with_text = {pi["page"] for pi in rep["source"]["page_info"] if pi["chars"] > 0}
            want = {k: v for k, v in fields_of(orig).items()
                    if orig["fields"][k].get("page") in with_text}
            got = fields_of(rep)
            eq = sum(1 for k, v in want.items() if got.get(k) == v)
            fields_same += eq
            fields_all += len(want)
            same = "%d/%d" % (eq, len(want))
        print("%s.%s\t%.3f\t%.3f\t%.3f\t%.3f\t%s\t%s%s"
              % (stem, var, ours, rel, mu, pop, same, flag, outcome(r, rep or {})))
    print("\n%d damaged variants of %d text seeds: %d real losses (a reader >= 20 %% of the "
          "text, baogao < 95 %% of the better reader), %d misleading kinds, %d silently "
          "partial; fields equal to the undamaged file's on recovered pages: %d of %d; "
          "batch %.1f s, peak RSS %d MiB\n"
          % (total, len({os.path.basename(p).split(".")[0] for p in files}), losses,
             misleading, silent, fields_same, fields_all, wall, peak))


def part_qpdf(binary, work, variants):
    """qpdf as a repair step before baogao (the alternative to our own rebuild)."""
    truth = nonspace(open(glob.glob(os.path.join(SHARED, "corpus", "seed", "*.txt"))[0],
                          encoding="utf-8").read())
    files = sorted(glob.glob(os.path.join(variants or os.path.join(work, "variants"),
                                          "*.pdf")))
    fixed_dir = os.path.join(work, "qpdf")
    os.makedirs(fixed_dir, exist_ok=True)
    repaired = []
    for p in files:
        out = os.path.join(fixed_dir, os.path.basename(p))
        r = subprocess.run(["qpdf", p, out], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        if r.returncode in (0, 3) and os.path.exists(out):
            repaired.append(out)
    rows, reports, _, _ = batch(binary, repaired, os.path.join(work, "q-out"),
                                ["--ocr", "never"])
    good = sum(1 for p in repaired
               if p in reports and share(cleaned_text(binary, p), truth) >= 0.9)
    print("qpdf repair: writes a file for %d of %d variants; baogao then gets >= 90 %% of "
          "the text from %d of them\n" % (len(repaired), len(files), good))


def part_robustness(binary, work):
    corpus = os.path.join(SHARED, "corpus", "robustness")
    files = sorted(os.path.join(root, f) for root, _, names in os.walk(corpus)
                   for f in names if f.endswith(".pdf"))
    rows, reports, wall, peak = batch(binary, files, os.path.join(work, "r-out"), [])
    losses = misleading = 0
    kinds = {}
    print("file\tbaogao\tmutool\tpdftotext\toutcome")
    for p in files:
        r, rep = rows.get(p, {}), reports.get(p)
        k = "ok" if rep else r.get("error_kind", "?")
        kinds[k] = kinds.get(k, 0) + 1
        ours = sum(pi["chars"] for pi in rep["source"]["page_info"]) if rep else 0
        mu = len(nonspace(reader_text("mutool", p)))
        pop = len(nonspace(reader_text("pdftotext", p)))
        best = max(mu, pop)
        flag = ""
        if best >= 20 and ours < 0.95 * best:
            losses += 1
            flag = "LOSS "
        kind = r.get("error_kind", "")
        if (kind == "not_pdf" and best > 0) or (kind in ("needs_ocr", "no_text") and best >= 20):
            misleading += 1
            flag += "MISLEADING "
        print("%s\t%d\t%d\t%d\t%s%s" % (os.path.relpath(p, corpus), ours, mu, pop, flag,
                                         outcome(r, rep or {})))
    print("\n%d robustness files %s: %d where a reader gets >= 20 characters and baogao "
          "< 95 %% of the better, %d misleading kinds; batch %.1f s, peak RSS %d MiB\n"
          % (len(files), json.dumps(kinds, sort_keys=True), losses, misleading, wall, peak))


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
        obj(3 + i, b"<< /Type /Page /Parent 2 0 R /Contents %d 0 R >>" % (3 + n + i))
    for i in range(n):
        obj(3 + n + i, b"<< /Length 0 >>\nstream\n\nendstream")
    xref = sum(len(p) for p in parts)
    parts.append(b"xref\n0 %d\n0000000000 65535 f \n" % (2 * n + 3))
    for num in range(1, 2 * n + 3):
        parts.append(b"%010d 00000 n \n" % offsets[num])
    parts.append(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
                 % (2 * n + 3, xref))
    with open(path, "wb") as f:
        f.write(b"".join(parts))


def part_blank(binary, work):
    for n in (1000, 4000, 10000):
        pdf = os.path.join(work, "blank-%d.pdf" % n)
        blank_pdf(n, pdf)
        out = os.path.join(work, "blank-%d" % n)
        t = time.time()
        p = subprocess.run([binary, "extract", "--jobs", "1", "-o", out, "--json", pdf],
                           capture_output=True, text=True)
        ours = time.time() - t
        row = json.loads(p.stdout.splitlines()[-1]) if p.stdout else {}
        t = time.time()
        subprocess.run(["pdftotext", "-q", pdf, os.path.join(work, "b.txt")])
        pop = time.time() - t
        print("%d blank pages: baogao %.2f s (%s %s), pdftotext %.2f s (ratio %.1f)"
              % (n, ours, row.get("status"), row.get("error_kind") or "", pop,
                 ours / max(pop, 1e-3)))
    print()


def part_kill(binary, work):
    scan = os.path.join(SEEDS, "seed-scanned-200dpi.pdf")
    out = os.path.join(work, "k-out")
    # Own session, so nothing here is killed with the script.
    p = subprocess.Popen([binary, "extract", "--jobs", "1", "-o", out, scan],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    workers, seen = [], False
    for _ in range(600):
        time.sleep(0.1)
        workers = subprocess.run(["pgrep", "-P", str(p.pid)], capture_output=True,
                                 text=True).stdout.split()
        # This batch's OCR children are known by their scratch folder, named by worker pid.
        if workers and ocr_children(workers):
            seen = True
            break
    time.sleep(0.5)
    os.kill(p.pid, signal.SIGKILL)  # the parent: nothing can clean up after it
    p.wait()
    time.sleep(1.0)
    left_now = ocr_children(workers)
    alive = [w for w in workers if running(w)]
    tmp_before = [f for f in os.listdir(out) if ".tmp" in f] if os.path.isdir(out) else []
    r = subprocess.run([binary, "extract", "--jobs", "1", "--resume", "-o", out, scan],
                       capture_output=True, text=True)
    tmp_after = [f for f in os.listdir(out) if ".tmp" in f]
    scratch = [d for w in workers for d in glob.glob("/tmp/baogao-ocr-%s-*" % w)]
    print("SIGKILL of the batch parent while its worker OCRs (tesseract seen: %s): 1 s "
          "later %d of its OCR process(es) and %d of its %d worker(s) still running; temp "
          "files in the output folder before --resume %s, after %s; the killed worker's "
          "/tmp/baogao-ocr-* folders left after --resume: %s; resume: %s"
          % (seen, len(left_now), len(alive), len(workers), tmp_before, tmp_after, scratch,
             r.stderr.strip().splitlines()[-1] if r.stderr.strip() else r.returncode))


def running(pid):
    """Whether `pid` exists and is not a zombie waiting to be reaped."""
    try:
        stat = open("/proc/%s/stat" % pid).read()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def ocr_children(workers):
    """tesseract / pdftoppm processes working in a scratch folder of one of `workers`."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            args = open("/proc/%s/cmdline" % pid, "rb").read().split(b"\0")
        except OSError:
            continue
        if not args or os.path.basename(args[0]) not in (b"tesseract", b"pdftoppm"):
            continue
        line = b" ".join(args)
        if any(b"baogao-ocr-%s-" % w.encode() in line for w in workers) and running(pid):
            found.append(pid)
    return found


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "baogao"))
    ap.add_argument("--variants")
    ap.add_argument("--skip", default="")
    a = ap.parse_args()
    skip = set(a.skip.split(","))
    binary = os.path.abspath(a.bin)
    work = tempfile.mkdtemp(prefix="baogao-measure-")
    if "variants" not in skip:
        part_variants(binary, work, a.variants)
    if "qpdf" not in skip:
        part_qpdf(binary, work, a.variants)
    if "robustness" not in skip:
        part_robustness(binary, work)
    if "blank" not in skip:
        part_blank(binary, work)
    if "kill" not in skip:
        part_kill(binary, work)
    subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    sys.exit(main())
