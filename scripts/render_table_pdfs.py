#!/usr/bin/env python3
"""Render the texts behind ../shared/corpus/tables-truth as PDFs, the way the dev PDFs were
made (../shared/corpus/dev-pdfs/README.md): each text laid out on A4, every text line a
paragraph wrapped at the page width (so long table lines wrap as they do in real exports),
except that a block of tab-separated lines becomes a bordered table with wrapping cells (as
the seed PDFs lay out the seed's TAB block: ../shared/corpus/seed-pdfs/README.md); once with the non-embedded Adobe font STSong-Light + UniGB-UCS2-H (the iText scheme, no
ToUnicode) and once with an embedded, subsetted TrueType CJK font (WenQuanYi Zen Hei).

usage: render_table_pdfs.py OUT_DIR [TEXT ...]
  (default texts: dev-complete D01-D06, the seed, dev 004 and 052)
writes OUT_DIR/<stem>-stsong.pdf and OUT_DIR/<stem>-ttf.pdf; needs `pip install reportlab`
and `apt-get install fonts-wqy-zenhei`. Outputs are not committed; scripts/tables_score.sh
renders, converts and scores them in one go.
"""
import os
import sys
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.lib import colors
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.join(HERE, '..', '..', 'shared', 'corpus')
DEFAULT = [f'dev-complete/D0{i}.txt' for i in range(1, 7)] + \
          ['seed/hanzhong-2020-dept-overall.txt', 'dev/004.txt', 'dev/052.txt']
TTF = ['/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc']


def fonts():
    pdfmetrics.registerFont(UnicodeCIDFont('STSong-Light'))
    out = {'stsong': 'STSong-Light'}
    for p in TTF:
        if os.path.exists(p):
            pdfmetrics.registerFont(TTFont('WQY', p, subfontIndex=0))
            out['ttf'] = 'WQY'
            break
    return out


def render(src, dst, font):
    style = ParagraphStyle('body', fontName=font, fontSize=12, leading=18, wordWrap='CJK')
    cell = ParagraphStyle('cell', fontName=font, fontSize=10.5, leading=14, wordWrap='CJK')
    story = []
    grid = []

    def flush():
        if grid:
            n = max(len(r) for r in grid)
            rows = [[Paragraph(escape(c.strip()), cell) for c in r + [''] * (n - len(r))] for r in grid]
            width = A4[0] - 5 * cm
            first = min(1.2 * cm, width / n) if n > 2 else width / n
            widths = [first] + [(width - first) / (n - 1)] * (n - 1) if n > 2 else [width / n] * n
            t = Table(rows, colWidths=widths, repeatRows=1)
            t.setStyle(TableStyle([('GRID', (0, 0), (-1, -1), 0.5, colors.black),
                                   ('VALIGN', (0, 0), (-1, -1), 'TOP')]))
            story.append(t)
            grid.clear()

    with open(src, encoding='utf-8') as f:
        for line in f.read().split('\n'):
            line = line.rstrip()
            if '\t' in line:
                cells = line.split('\t')
                # A repeated header (a page break in the source) is the table's own header.
                if grid and [c.strip() for c in cells] == [c.strip() for c in grid[0]]:
                    continue
                if grid and not cells[0].strip() and len(grid) > 1:
                    # A continuation line: its cells go on the row above.
                    grid[-1] = [a + b for a, b in zip(grid[-1], cells + [''] * (len(grid[-1]) - len(cells)))]
                    continue
                grid.append(cells)
                continue
            if grid and not line.strip():
                continue
            flush()
            if not line.strip():
                story.append(Spacer(1, 9))
                continue
            # Tabs and runs of spaces are kept as single spaces, as text exporters do.
            text = ' '.join(line.replace('\t', ' ').split(' '))
            story.append(Paragraph(escape(text), style))
    flush()
    doc = SimpleDocTemplate(dst, pagesize=A4, leftMargin=2.5 * cm, rightMargin=2.5 * cm,
                            topMargin=2.5 * cm, bottomMargin=2.5 * cm)
    doc.build(story)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    srcs = sys.argv[2:] or [os.path.join(SHARED, p) for p in DEFAULT]
    fs = fonts()
    for src in srcs:
        stem = os.path.splitext(os.path.basename(src))[0]
        for kind, font in fs.items():
            render(src, os.path.join(out, f'{stem}-{kind}.pdf'), font)
    print(f'rendered {len(srcs)} texts x {len(fs)} font schemes into {out}')


if __name__ == '__main__':
    main()
