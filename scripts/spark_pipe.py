#!/usr/bin/env python3
"""Convert an archive with Spark through RDD.pipe, the documented recipe run for real.

    scripts/spark_pipe.py LIST ROOT OUT [--partitions P] [--master local[2,4]]
                          [--kill-once] [-- extra baogao extract options]

Every partition pipes its paths into one `baogao extract --files-from - --json` writing
into the same OUT (runs share a folder without losing lines; the last one to finish writes
the summaries and the table CSVs). Each input's summary line comes back on stdout, so the
collected RDD holds one row per input, also for a task that was retried: `--resume` skips
what the killed attempt finished and still prints its line. `--errors-ok` keeps a bad PDF
from failing the task. `pipe` starts the command with an empty environment, so baogao is
named by absolute path ($BAOGAO, or `baogao` on PATH, resolved here).

--kill-once SIGKILLs the first task attempt after a few seconds (scripts/kill-once.sh) to
show that a retried task loses nothing. The rows are written to OUT/spark-rows.jsonl
(sorted by file).
"""
import argparse
import json
import os
import shlex
import shutil
import sys
import tempfile

from pyspark import SparkConf, SparkContext


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("list")
    ap.add_argument("root")
    ap.add_argument("out")
    ap.add_argument("--partitions", type=int, default=8)
    ap.add_argument("--master", default="local[2,4]")  # 2 threads, a task may fail 3 times
    ap.add_argument("--kill-once", action="store_true")
    argv = sys.argv[1:]
    extra = argv[argv.index("--") + 1:] if "--" in argv else []
    a = ap.parse_args(argv[:argv.index("--")] if "--" in argv else argv)

    baogao = os.environ.get("BAOGAO") or shutil.which("baogao")
    if not baogao:
        sys.exit("baogao not found: set BAOGAO or put it on PATH")
    out = os.path.abspath(a.out)
    cmd = [os.path.abspath(baogao), "extract", "--files-from", "-", "--json", "--errors-ok",
           "--resume", "--jobs", "1", "--relative-to", os.path.abspath(a.root), "-o", out]
    cmd += extra
    if a.kill_once:
        here = os.path.dirname(os.path.abspath(__file__))
        mark = tempfile.mkdtemp(prefix="baogao-kill-once-")
        os.rmdir(mark)
        cmd = ["/bin/sh", os.path.join(here, "kill-once.sh"), mark] + cmd

    with open(a.list, encoding="utf-8", errors="surrogateescape") as f:
        paths = [line.rstrip("\n") for line in f if line.strip()]
    sc = SparkContext(conf=SparkConf().setMaster(a.master).setAppName("baogao"))
    sc.setLogLevel("ERROR")
    lines = sc.parallelize(paths, a.partitions).pipe(
        " ".join(shlex.quote(c) for c in cmd), checkCode=True).collect()
    sc.stop()
    rows = sorted((json.loads(l) for l in lines), key=lambda r: (r["file"], r["output"]))
    with open(os.path.join(out, "spark-rows.jsonl"), "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    ok = sum(r["status"] == "ok" for r in rows)
    print(f"{len(paths)} inputs, {len(rows)} rows ({ok} ok, {len(rows) - ok} error), "
          f"{len({r['file'] for r in rows})} distinct files", file=sys.stderr)


if __name__ == "__main__":
    main()
