#!/usr/bin/env python3
"""Metamorphic check: the same report, flattened another way, must give the same fields.

usage: perturb.py BIN OUT_DIR TXT...   (BIN = a baogao binary)

Each text is rewritten in the ways other converters and publishers flatten the same page,
without changing a word: hard-wrapped at 24 or 37 characters (PDF text layers), every line
break removed, spaces between all CJK characters, ASCII digits and punctuation as full-width
forms, pages of 25 lines with a running header and a page number, table cells separated by
spaces, pipes, blank lines (one cell a line) or nothing at all (glued). baogao runs on the original and on every
variant; a field the original gives that a variant loses or changes is a rule that depends on
the layout of the documents it was written from. Prints, per variant, fields kept / changed /
lost / gained, and lists the changed and lost ones. Truth is not needed (the original's
output is the reference), so any text can be used; the blind ids must not be passed.
"""
import json
import os
import re
import subprocess
import sys

CJK = re.compile(r"([\u4e00-\u9fff])(?=[\u4e00-\u9fff])")
FW = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}


def width(c):
    return 1 if ord(c) < 0x80 else 2


def wrap(n):
    """Hard-wrap prose lines at n full-width characters (2n half-width units: ASCII counts
    one), as a PDF text layer does: never inside a run of Latin letters and digits
    (typesetters keep `1,234.56` on one line), and not table rows (lines with tabs or `|`),
    whose cells wrap inside their column instead."""
    def f(t):
        out = []
        for line in t.split("\n"):
            if "\t" in line or "|" in line:
                out.append(line)
                continue
            while sum(width(c) for c in line) > 2 * n:
                cut, w = 0, 0
                while cut < len(line) and w + width(line[cut]) <= 2 * n:
                    w += width(line[cut])
                    cut += 1
                back = cut
                while 0 < back < len(line) and re.match(r"[0-9A-Za-z.,%]", line[back]) \
                        and re.match(r"[0-9A-Za-z.,]", line[back - 1]):
                    back -= 1
                cut = back or cut
                out.append(line[:cut])
                line = line[cut:]
            out.append(line)
        return "\n".join(out)
    return f


def one_line(t):
    return t.replace("\n", "")


def spaced(t):
    return CJK.sub(r"\1 ", t)


def fullwidth(t):
    return "".join(FW.get(c, c) if (c.isdigit() or c in ".,:%()") else c for c in t)


def pages(t):
    """Cut into pages of 25 lines, each with a page number at its foot and the same running
    header at its head, pages separated by form feeds (what pdftotext gives)."""
    lines = t.split("\n")
    out = []
    for i, line in enumerate(lines):
        if i % 25 == 0 and i:
            out.append(f"- {i // 25} -\f绩效自评报告")
        out.append(line)
    return "\n".join(out)


def cells_spaced(t):
    """Table cells (tabs or `|`) separated by runs of spaces instead, as `pdftotext -layout`
    lays a borderless table out."""
    out = []
    for line in t.split("\n"):
        if "\t" in line or "|" in line:
            cells = [c.strip() for c in re.split(r"\t|\|", line)]
            line = "   ".join(c for c in cells if c)
        out.append(line)
    return "\n".join(out)


def table_cells(line):
    """The cells of a table row (tabs or `|`), or None for a line that is not one."""
    if "\t" not in line and "|" not in line:
        return None
    return [c.strip() for c in re.split(r"\t|\|", line) if c.strip()]


def cells_lines(t):
    """Every table cell on a line of its own with a blank line between, as some PDF and
    web-page converters flatten a form (`年初预算数` / `` / `620.82`)."""
    out = []
    for line in t.split("\n"):
        cells = table_cells(line)
        out.append(line if cells is None else "\n\n".join(cells))
    return "\n".join(out)


def cells_glued(t):
    """Table cells glued without any separator (`10001000100%20`), as a text layer without
    cell gaps gives them."""
    out = []
    for line in t.split("\n"):
        cells = table_cells(line)
        out.append(line if cells is None else "".join(cells))
    return "\n".join(out)


def cells_piped(t):
    """Tab-separated cells as a markdown-like pipe row (`| a | b |`)."""
    out = []
    for line in t.split("\n"):
        if "\t" in line:
            line = "| " + " | ".join(c.strip() for c in line.split("\t")) + " |"
        out.append(line)
    return "\n".join(out)


def traditional(t):
    """Traditional characters, as mirror and Hong Kong/Taiwan-facing sites republish reports
    (needs the `zhconv` PyPI package; skipped without it)."""
    import zhconv
    return zhconv.convert(t, "zh-hant")


VARIANTS = {
    "traditional": traditional,
    "cells-spaced": cells_spaced,
    "cells-piped": cells_piped,
    "cells-lines": cells_lines,
    "cells-glued": cells_glued,
    "wrap24": wrap(24),
    "wrap37": wrap(37),
    "one-line": one_line,
    "cjk-spaced": spaced,
    "fullwidth": fullwidth,
    "pages": pages,
}


def run(binary, files, out):
    os.makedirs(out, exist_ok=True)
    subprocess.run([binary, "extract", *files, "-o", out], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def fields(out, stem):
    try:
        with open(os.path.join(out, stem + ".json"), encoding="utf-8") as f:
            return {k: v["value"] for k, v in json.load(f)["fields"].items()}
    except (OSError, ValueError, KeyError):
        return {}


def main():
    binary, out, *txts = sys.argv[1:]
    stems = [os.path.basename(t)[:-4] for t in txts]
    run(binary, txts, os.path.join(out, "orig"))
    base = {s: fields(os.path.join(out, "orig"), s) for s in stems}
    total = sum(len(v) for v in base.values())
    print(f"{len(stems)} texts, {total} fields in the originals")
    for name, f in VARIANTS.items():
        if name == "traditional":
            try:
                import zhconv  # noqa: F401
            except ImportError:
                print("traditional     skipped (pip install zhconv)")
                continue
        vdir = os.path.join(out, name, "in")
        os.makedirs(vdir, exist_ok=True)
        paths = []
        for t, s in zip(txts, stems):
            with open(t, encoding="utf-8") as fh:
                text = fh.read()
            p = os.path.join(vdir, s + ".txt")
            with open(p, "w", encoding="utf-8") as fh:
                fh.write(f(text))
            paths.append(p)
        odir = os.path.join(out, name, "out")
        run(binary, paths, odir)
        kept = changed = lost = gained = 0
        notes = []
        for s in stems:
            got = fields(odir, s)
            for k, v in base[s].items():
                if k not in got:
                    lost += 1
                    notes.append(f"  lost    {s} {k} = {v}")
                elif got[k] != v:
                    changed += 1
                    notes.append(f"  changed {s} {k}: {v} -> {got[k]}")
                else:
                    kept += 1
            gained += sum(1 for k in got if k not in base[s])
        print(f"{name:15} kept {kept}/{total} ({kept / max(total, 1):.1%})  changed {changed}  lost {lost}  gained {gained}")
        if "-v" in os.environ.get("PERTURB", ""):
            print("\n".join(notes))


if __name__ == "__main__":
    main()
