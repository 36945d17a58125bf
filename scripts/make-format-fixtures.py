#!/usr/bin/env python3
"""Make the input-format fixtures of tests/formats.rs from the shared report texts.

    python3 scripts/make-format-fixtures.py ../shared tests/fixtures/formats

From a report's .txt: an HTML page (the report as a government web page: navigation,
article, footer; the text's tables as <table>; GB18030 bytes declared as gb2312, as many
such pages are), a .docx and a .doc made from that page by LibreOffice (a Word export), an
OFD built here (one TextObject per line or table cell, A4 pages) and, for the seed, the
form as a spreadsheet (openpyxl: merged title and value cells, the budget grid, score,
and the target table on a second sheet) and page images (page 1 and 2 of the seed's 200 dpi scan, top halves:
a PNG of page 1's top, and a two-page TIFF of it and page 2's bottom).

Needs: LibreOffice Writer (soffice), poppler-utils (pdftoppm), Pillow, openpyxl. The outputs are
committed, so the tests need none of these.
"""

import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile

SHARED, OUT = sys.argv[1], sys.argv[2]
SEED = os.path.join(SHARED, "corpus/seed/hanzhong-2020-dept-overall.txt")
HELD_OUT = os.path.join(SHARED, "corpus/dev-complete/D05.txt")


def cells(line):
    """A table line's cells (tab- or |-separated), or None for a text line."""
    s = line.rstrip("\n")
    if s.strip().startswith("|"):
        parts = [c.strip() for c in s.strip().strip("|").split("|")]
        if all(re.fullmatch(r":?-+:?", p) for p in parts):
            return "rule"
        return parts
    if "\t" in s:
        return [c.strip() for c in s.split("\t")]
    return None


def blocks(text):
    """Paragraphs (str) and tables (list of rows). A table interrupted by a page break
    (blank lines, then its header again) is one table; a row whose first cell is empty
    continues the row above, as the text's page break split it."""
    out = []
    last_table = None
    pending_blank = False
    for line in text.split("\n"):
        c = cells(line)
        if c == "rule":
            continue
        if c is None:
            if line.strip():
                out.append(line.strip())
                last_table = None
            else:
                pending_blank = True
            continue
        if last_table is not None and c == last_table[0]:
            continue  # repeated header after a page break
        if last_table is not None and not c[0] and len(c) == len(last_table[-1]):
            last_table[-1] = [a + b for a, b in zip(last_table[-1], c)]
            continue
        if last_table is None:
            last_table = [c]
            out.append(last_table)
        else:
            last_table.append(c)
        pending_blank = False
    return out


def page_html(text, title):
    body = []
    for b in blocks(text):
        if isinstance(b, str):
            body.append(f"<p>{html.escape(b)}</p>")
        else:
            rows = []
            for i, r in enumerate(b):
                tag = "th" if i == 0 else "td"
                rows.append(
                    "<tr>" + "".join(f"<{tag}>{html.escape(c)}</{tag}>" for c in r) + "</tr>"
                )
            body.append('<table border="1" cellspacing="0">\n' + "\n".join(rows) + "\n</table>")
    return f"""<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>{html.escape(title)}</title>
<script>var _hmt = _hmt || []; document.write("绩效 访问统计");</script></head>
<body>
<div class="top-nav"><a href="/">首页</a> | <a href="/zwgk/">政务公开</a> | <a href="/czxx/">财政信息</a></div>
<div class="breadcrumb">当前位置：首页 &gt; 政务公开 &gt; 财政信息</div>
<div id="zoom" class="article-content">
{chr(10).join(body)}
</div>
<div class="footer">版权所有 主办单位：某某人民政府 2021年 技术支持：某某公司 联系电话：027-8888888</div>
</body></html>
"""


def soffice(src, fmt, outdir, infilter=None):
    with tempfile.TemporaryDirectory() as prof:
        cmd = ["soffice", f"-env:UserInstallation=file://{prof}", "--headless", "--norestore"]
        if infilter:
            cmd.append(f"--infilter={infilter}")
        cmd += ["--convert-to", fmt, "--outdir", outdir, src]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, timeout=600)


def office_files(stem, text, title, tmp):
    page = page_html(text, title)
    with open(os.path.join(OUT, stem + ".html"), "wb") as f:
        f.write(page.encode("gb18030"))
    # LibreOffice reads the UTF-8 copy (its HTML import ignores a gb2312 meta charset).
    src = os.path.join(tmp, stem + ".html")
    with open(src, "w", encoding="utf-8") as f:
        f.write(page.replace("charset=gb2312", "charset=utf-8"))
    soffice(src, 'docx:"MS Word 2007 XML"'.replace('"', ""), tmp, "HTML (StarWriter)")
    shutil.copy(os.path.join(tmp, stem + ".docx"), os.path.join(OUT, stem + ".docx"))
    return os.path.join(tmp, stem + ".docx")


def seed_form_xlsx(path):
    """The seed's facts as a self-evaluation form (sheet 1: identity, the budget grid,
    score and grade, with merged title and value cells) and its target table (sheet 2)."""
    from openpyxl import Workbook

    text = open(SEED, encoding="utf-8").read()
    table = next(b for b in blocks(text) if not isinstance(b, str))
    wb = Workbook()
    ws = wb.active
    ws.title = "自评表"
    ws.append(["2020年度部门整体支出绩效自评表"])
    ws.merge_cells("A1:F1")
    ws.append(["部门名称", "武汉市硚口区人民政府汉中街道办事处"])
    ws.merge_cells("B2:F2")
    ws.append(["预算资金（万元）", "年初预算数", "全年执行数", "执行率"])
    ws.append(["年度资金总额", 3229.07, 4925.78, "152.5%"])
    ws.append(["评价结果", "综合评分", "97分", "评价等级", "优"])
    ws.append(["", "", "", "", ""])
    ws.append(["说明", "本表由财政部门汇总，金额单位为万元。"])
    ws.merge_cells("B7:F7")
    t = wb.create_sheet("目标完成情况")
    for r in table:
        t.append(r)
    wb.save(path)


# ---------------------------------------------------------------- OFD

PAGE_W, PAGE_H, MARGIN, SIZE, LEAD = 210.0, 297.0, 20.0, 4.0, 6.0


def width(s):
    return sum(SIZE if ord(ch) > 0x2E7F else SIZE / 2 for ch in s)


def ofd_pages(text):
    """Lines of (x, text) per page: paragraphs wrapped to the text width, table cells side
    by side with a gap, a blank line between paragraphs."""
    lines = []
    for b in blocks(text):
        if isinstance(b, str):
            # Wrapped by width, as a typesetter does (digits are half as wide).
            line = ""
            for ch in b:
                if width(line + ch) > PAGE_W - 2 * MARGIN:
                    lines.append([(MARGIN, line)])
                    line = ""
                line += ch
            lines.append([(MARGIN, line)])
        else:
            for r in b:
                x, row = MARGIN, []
                for c in r:
                    if c:
                        row.append((x, c))
                    x += max(width(c), 2 * SIZE) + 4 * SIZE
                lines.append(row)
        lines.append([])
    per_page = int((PAGE_H - 2 * MARGIN) / LEAD)
    return [lines[i : i + per_page] for i in range(0, len(lines), per_page)]


def esc(s):
    return html.escape(s, quote=True)


def make_ofd(text, path):
    ns = 'xmlns:ofd="http://www.ofdspec.org/2016"'
    pages = ofd_pages(text)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "OFD.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD {ns} Version="1.0" DocType="OFD">'
            "<ofd:DocBody><ofd:DocInfo><ofd:DocID>baogao-fixture</ofd:DocID></ofd:DocInfo>"
            "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>",
        )
        page_list = "".join(
            f'<ofd:Page ID="{i + 10}" BaseLoc="Pages/Page_{i}/Content.xml"/>'
            for i in range(len(pages))
        )
        z.writestr(
            "Doc_0/Document.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document {ns}><ofd:CommonData>'
            f"<ofd:MaxUnitID>100000</ofd:MaxUnitID><ofd:PageArea><ofd:PhysicalBox>0 0 {PAGE_W} {PAGE_H}"
            "</ofd:PhysicalBox></ofd:PageArea><ofd:PublicRes>PublicRes.xml</ofd:PublicRes>"
            f"</ofd:CommonData><ofd:Pages>{page_list}</ofd:Pages></ofd:Document>",
        )
        z.writestr(
            "Doc_0/PublicRes.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:Res {ns} BaseLoc="Res"><ofd:Fonts>'
            '<ofd:Font ID="2" FontName="宋体" FamilyName="宋体"/></ofd:Fonts></ofd:Res>',
        )
        uid = 1000
        for i, page in enumerate(pages):
            objs = []
            for n, line in enumerate(page):
                y = MARGIN + n * LEAD
                for x, s in line:
                    uid += 1
                    w = width(s)
                    deltas = " ".join(
                        f"{SIZE if ord(ch) > 0x2E7F else SIZE / 2:g}" for ch in s[:-1]
                    )
                    objs.append(
                        f'<ofd:TextObject ID="{uid}" Boundary="{x:g} {y:g} {w:g} {LEAD:g}" '
                        f'Font="2" Size="{SIZE:g}"><ofd:FillColor Value="0 0 0"/>'
                        f'<ofd:TextCode X="0" Y="{SIZE:g}" DeltaX="{deltas}">{esc(s)}</ofd:TextCode>'
                        "</ofd:TextObject>"
                    )
            z.writestr(
                f"Doc_0/Pages/Page_{i}/Content.xml",
                f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page {ns}><ofd:Content>'
                f'<ofd:Layer ID="{i + 500}">{"".join(objs)}</ofd:Layer></ofd:Content></ofd:Page>',
            )


# ---------------------------------------------------------------- images


def images(tmp):
    from PIL import Image

    pdf = os.path.join(SHARED, "corpus/seed-pdfs/seed-scanned-200dpi.pdf")
    subprocess.run(
        ["pdftoppm", "-r", "200", "-gray", "-f", "1", "-l", "2", pdf, os.path.join(tmp, "p")],
        check=True,
    )
    tops = []
    for n in (1, 2):
        name = next(f for f in sorted(os.listdir(tmp)) if re.fullmatch(rf"p-0*{n}\.pgm", f))
        im = Image.open(os.path.join(tmp, name))
        w, h = im.size
        # Page 1's top (the identity lines), page 2's bottom (the budget sentence).
        box = (0, 0, w, int(h * 0.45)) if n == 1 else (0, int(h * 0.45), w, h)
        tops.append(im.crop(box).point(lambda v: 255 if v > 170 else 0).convert("1"))
    tops[0].save(os.path.join(OUT, "seed-page1.png"), optimize=True, dpi=(200, 200))
    tops[0].save(
        os.path.join(OUT, "seed-pages-1-2.tif"),
        compression="group4",
        save_all=True,
        append_images=tops[1:],
        dpi=(200, 200),
    )


def main():
    os.makedirs(OUT, exist_ok=True)
    seed = open(SEED, encoding="utf-8").read()
    held = open(HELD_OUT, encoding="utf-8").read()
    with tempfile.TemporaryDirectory() as tmp:
        office_files("seed", seed, "汉中街道办事处2020年度整体支出绩效自评报告", tmp)
        docx = office_files("D05", held, "部门整体支出绩效自评报告", tmp)
        soffice(docx, "doc", tmp)
        shutil.copy(os.path.join(tmp, "D05.doc"), os.path.join(OUT, "D05.doc"))
        seed_form_xlsx(os.path.join(OUT, "seed-form.xlsx"))
        make_ofd(seed, os.path.join(OUT, "seed.ofd"))
        make_ofd(held, os.path.join(OUT, "D05.ofd"))
        images(tmp)


if __name__ == "__main__":
    main()
