#!/usr/bin/env python3
"""Render the texts behind ../shared/corpus/tables-truth as PDFs, the way the dev PDFs were
made (../shared/corpus/dev-pdfs/README.md): each text laid out on A4, every text line a
paragraph wrapped at the page width (so long table lines wrap as they do in real exports),
except that a block of tab-separated lines becomes a bordered table with wrapping cells (as
the seed PDFs lay out the seed's TAB block: ../shared/corpus/seed-pdfs/README.md); once with the non-embedded Adobe font STSong-Light + UniGB-UCS2-H (the iText scheme, no
ToUnicode) and once with an embedded, subsetted TrueType CJK font (WenQuanYi Zen Hei).

--mode picks how a tab block is drawn:
  bordered         (default) a ruled grid, equal columns after a narrow first one;
  borderless       positioned text in columns, no ruling lines; column widths follow the
                   cells' text so that most cells keep to one line;
  borderless-wrap  positioned text, no ruling lines, the bordered layout's equal columns, so
                   long cells wrap within their column over several lines.
--pipes also lays out ` | `-delimited and markdown-pipe blocks (3 cells or more) as such a
table (borderless modes only: it is how a converter would have drawn them).

usage: render_table_pdfs.py [--mode MODE] [--pipes] OUT_DIR [TEXT ...]
  (default texts: dev-complete D01-D06, the seed, dev 004 and 052)
writes OUT_DIR/<stem>-stsong.pdf and OUT_DIR/<stem>-ttf.pdf; needs `pip install reportlab`
and `apt-get install fonts-wqy-zenhei`. Outputs are not committed; scripts/tables_score.sh
renders, converts and scores them in one go.
"""
import os
import re
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


PIPE_RULE = re.compile(r'^\|?\s*:?-{3,}')


def pipe_cells(line):
    """The cells of a ` | ` or markdown-pipe line with 3 cells or more, else None."""
    if ' | ' not in line and not line.startswith('|'):
        return None
    t = line.strip()
    if t.startswith('|'):  # markdown: the outer bars close the row
        t = t[1:]
        if t.endswith('|'):
            t = t[:-1]
    # ` | ` rows: a bar at the end leaves an empty last cell (`… | 10 | 10 | `).
    cells = [c.strip() for c in t.split('|')]
    return cells if len(cells) >= 3 else None


def column_widths(rows, n, width, font, size, mode):
    """Column widths of a table: the bordered layout's (a narrow first column, the rest
    equal) or, for `borderless`, widths that follow each column's longest cell."""
    first = min(1.2 * cm, width / n) if n > 2 else width / n
    equal = [first] + [(width - first) / (n - 1)] * (n - 1) if n > 2 else [width / n] * n
    if mode != 'borderless':
        return equal
    pad = 12  # reportlab's cell padding (6 pt a side)
    need = [max(pdfmetrics.stringWidth(r[i], font, size) for r in rows) + pad for i in range(n)]
    if sum(need) <= width:
        spare = (width - sum(need)) / n
        return [w + spare for w in need]
    # Too wide for the page: short columns keep their width, long ones share the rest.
    fit = sorted(need)
    keep, rest = [], width
    for w in fit:
        if w * (n - len(keep)) <= rest:
            keep.append(w)
            rest -= w
        else:
            break
    cap = rest / (n - len(keep))
    return [min(w, cap) if w > cap else w for w in need]


def render(src, dst, font, mode='bordered', pipes=False):
    style = ParagraphStyle('body', fontName=font, fontSize=12, leading=18, wordWrap='CJK')
    cell = ParagraphStyle('cell', fontName=font, fontSize=10.5, leading=14, wordWrap='CJK')
    story = []
    grid = []

    def flush():
        if grid:
            n = max(len(r) for r in grid)
            texts = [[c.strip() for c in r + [''] * (n - len(r))] for r in grid]
            rows = [[Paragraph(escape(c), cell) for c in r] for r in texts]
            width = A4[0] - 5 * cm
            widths = column_widths(texts, n, width, font, cell.fontSize, mode)
            t = Table(rows, colWidths=widths, repeatRows=1)
            style = [('VALIGN', (0, 0), (-1, -1), 'TOP')]
            if mode == 'bordered':
                style.append(('GRID', (0, 0), (-1, -1), 0.5, colors.black))
            t.setStyle(TableStyle(style))
            story.append(t)
            grid.clear()

    with open(src, encoding='utf-8') as f:
        for line in f.read().split('\n'):
            line = line.rstrip()
            piped = pipe_cells(line) if pipes and mode != 'bordered' else None
            if piped is not None and PIPE_RULE.match(line.strip()):
                continue  # a markdown rule under the header
            if piped is not None and grid and len(piped) != len(grid[0]):
                flush()  # another table
            if '\t' in line or piped is not None:
                cells = piped if piped is not None else line.split('\t')
                # A repeated header (a page break in the source) is the table's own header.
                if grid and [c.strip() for c in cells] == [c.strip() for c in grid[0]]:
                    continue
                if piped is None and grid and not cells[0].strip() and len(grid) > 1:
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
    args = sys.argv[1:]
    mode, pipes = 'bordered', False
    while args and args[0].startswith('--'):
        a = args.pop(0)
        if a == '--pipes':
            pipes = True
        elif a == '--mode' and args and args[0] in ('bordered', 'borderless', 'borderless-wrap'):
            mode = args.pop(0)
        else:
            sys.exit(__doc__)
    if not args:
        sys.exit(__doc__)
    out = args[0]
    os.makedirs(out, exist_ok=True)
    srcs = args[1:] or [os.path.join(SHARED, p) for p in DEFAULT]
    fs = fonts()
    for src in srcs:
        stem = os.path.splitext(os.path.basename(src))[0]
        for kind, font in fs.items():
            render(src, os.path.join(out, f'{stem}-{kind}.pdf'), font, mode, pipes)
    print(f'rendered {len(srcs)} texts x {len(fs)} font schemes ({mode}) into {out}')


if __name__ == '__main__':
    main()
