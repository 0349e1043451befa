"""Laying text out onto pages, then drawing the pages with ReportLab.

Layout and drawing are two steps on purpose. Laying out gives the list of pages as plain drawing
operations, so the page count — which the print preview shows and the quota checks — is known
without drawing anything, and the footer can say "第 x 页 / 共 y 页" on every page. Drawing then
writes only the pages asked for (a page range keeps the original numbering: page 3 of a 20-page
item says 第 3 页 / 共 20 页, so a partial copy is still a faithful one).

Coordinates in the operations are measured down from the top of the page, which also lets a
receipt on a paper roll have exactly the height its content needs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.graphics.barcode import qrencoder
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas as pdfcanvas

from .fonts import register_cjk_font
from .linebreak import break_lines, clean

A4 = (210 * mm, 297 * mm)
BOLD_STROKE = 0.35  # pt of outline that makes the single-weight CJK font read as bold
MAX_JUSTIFY_EM = 0.08  # more spacing than this between characters looks broken, and pdftotext splits words


@dataclass(frozen=True)
class Text:
    x: float
    top: float  # baseline, measured down from the top of the page
    size: float
    text: str
    char_space: float = 0.0
    bold: bool = False


@dataclass(frozen=True)
class Rule:
    x1: float
    top: float
    x2: float
    width: float = 0.6


@dataclass(frozen=True)
class QR:
    x: float
    top: float  # of the code's upper edge
    size: float
    data: str


Op = Text | Rule | QR


@dataclass(frozen=True)
class Footer:
    """What every printed page carries at its foot (items and stamped attachments alike)."""

    venue: str
    printed_at: dt.datetime
    index_no: str
    notice: str

    def left_lines(self) -> tuple[str, str]:
        when = self.printed_at.strftime("%Y-%m-%d %H:%M")
        return f"{self.venue}　打印时间：{when}", f"索引号：{self.index_no}"


@dataclass
class Flow:
    """Places blocks of text top to bottom in a frame, starting new pages as they fill."""

    page_w: float
    page_h: float
    left: float
    right: float
    top: float
    bottom: float
    font: str = field(default_factory=register_cjk_font)
    pages: list[list[Op]] = field(default_factory=lambda: [[]])
    y: float = 0.0

    def __post_init__(self) -> None:
        self.y = self.top

    @property
    def width(self) -> float:
        return self.page_w - self.left - self.right

    @property
    def limit(self) -> float:
        return self.page_h - self.bottom

    def measure(self, size: float):
        font = self.font
        return lambda s: pdfmetrics.stringWidth(s, font, size)

    def new_page(self) -> None:
        self.pages.append([])
        self.y = self.top

    def add(self, op: Op) -> None:
        self.pages[-1].append(op)

    def space(self, h: float) -> None:
        """Vertical gap; a gap never starts a page of its own."""
        self.y = min(self.y + h, self.limit)

    def ensure(self, h: float) -> None:
        if self.y + h > self.limit and self.y > self.top:
            self.new_page()

    def paragraph(self, text: str, size: float, *, leading: float | None = None, indent: float = 0.0,
                  x: float | None = None, width: float | None = None, bold: bool = False,
                  align: str = "justify") -> int:
        """Lay one paragraph; returns the number of lines. `align`: justify, left or center."""
        leading = leading or size * 1.6
        x0 = self.left if x is None else x
        width = self.width if width is None else width
        measure = self.measure(size)
        first = True
        lines = break_lines(text, width, measure, first_width=width - indent)
        for i, line in enumerate(lines):
            self.ensure(leading)
            self.y += leading
            lx = x0 + (indent if first else 0.0)
            avail = width - (indent if first else 0.0)
            w = measure(line)
            spacing = 0.0
            if align == "center":
                lx += max(0.0, (avail - w) / 2)
            elif align == "justify" and i < len(lines) - 1 and len(line) > 1:
                gap = (avail - w) / (len(line) - 1)
                if 0 < gap <= MAX_JUSTIFY_EM * size:
                    spacing = gap
            self.add(Text(lx, self.y - leading * 0.25, size, line, spacing, bold))
            first = False
        return len(lines)

    def rule(self, gap: float = 3 * mm) -> None:
        self.ensure(gap * 2)
        self.y += gap
        self.add(Rule(self.left, self.y, self.page_w - self.right))
        self.y += gap

    def labelled(self, rows: Iterable[tuple[str, str]], size: float, *, label_w: float,
                 width: float | None = None) -> None:
        """Label: value rows (a metadata block), values wrapped in their own column."""
        width = self.width if width is None else width
        measure = self.measure(size)
        leading = size * 1.5
        for label, value in rows:
            lines = break_lines(clean(value).replace("\n", " "), width - label_w, measure)
            for i, line in enumerate(lines):
                self.ensure(leading)
                self.y += leading
                base = self.y - leading * 0.25
                if i == 0:
                    self.add(Text(self.left, base, size, label, bold=True))
                self.add(Text(self.left + label_w, base, size, line))


def fit(text: str, width: float, font: str, size: float) -> str:
    """`text` cut with an ellipsis so it fits `width` (footers have one line for each part)."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def draw_ops(c: pdfcanvas.Canvas, ops: Iterable[Op], page_h: float, font: str) -> None:
    for op in ops:
        if isinstance(op, Text):
            # the render mode is text state, which outlives BT/ET and which ReportLab does not
            # reset: a bold run is drawn inside save/restore so the next text is plain again
            if op.bold:
                c.saveState()
                c.setLineWidth(BOLD_STROKE)
            t = c.beginText(op.x, page_h - op.top)
            t.setFont(font, op.size)
            if op.char_space:
                t.setCharSpace(op.char_space)
            if op.bold:
                t.setTextRenderMode(2)
            t.textOut(op.text)
            c.drawText(t)
            if op.bold:
                c.restoreState()
        elif isinstance(op, Rule):
            c.setLineWidth(op.width)
            c.line(op.x1, page_h - op.top, op.x2, page_h - op.top)
        else:
            draw_qr(c, op.data, op.x, page_h - op.top - op.size, op.size)


def draw_qr(c: pdfcanvas.Canvas, data: str, x: float, y: float, size: float) -> None:
    """A QR code (level M, with its 4-module quiet zone inside `size`) drawn as filled runs.

    Drawn directly rather than through ReportLab's graphics widget, whose renderer sets a
    Helvetica font the PDF would then reference without embedding.
    """
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(data)
    code.make()
    n = code.getModuleCount()
    module = size / (n + 8)
    c.saveState()
    c.setFillColorRGB(0, 0, 0)
    for row in range(n):
        col = 0
        while col < n:
            if not code.isDark(row, col):
                col += 1
                continue
            start = col
            while col < n and code.isDark(row, col):
                col += 1
            c.rect(x + (4 + start) * module, y + size - (5 + row) * module,
                   (col - start) * module, module, stroke=0, fill=1)
    c.restoreState()


def draw_footer(c: pdfcanvas.Canvas, footer: Footer, page_no: int, total: int, *, page_w: float,
                left: float, right: float, base: float, font: str, size: float = 8.5,
                backdrop: bool = False) -> None:
    """The footer in the band above `base` (PDF coordinates, from the bottom of the page).

    `backdrop` paints a white band first: on a stamped attachment the footer goes over whatever
    the page had there, and must stay readable.
    """
    width = page_w - left - right
    line2 = base
    line1 = base + size * 1.45
    rule_y = line1 + size * 1.1
    if backdrop:
        c.saveState()
        c.setFillColorRGB(1, 1, 1)
        c.rect(left - 2 * mm, base - size * 0.6, width + 4 * mm, rule_y - base + size * 0.9,
               stroke=0, fill=1)
        c.restoreState()
    c.setLineWidth(0.4)
    c.line(left, rule_y, page_w - right, rule_y)
    pages = f"第 {page_no} 页 / 共 {total} 页"
    first, second = footer.left_lines()
    c.setFont(font, size)
    pages_w = pdfmetrics.stringWidth(pages, font, size)
    c.drawRightString(page_w - right, line1, pages)
    c.drawString(left, line1, fit(first, width - pages_w - 6 * mm, font, size))
    notice = fit(clean(footer.notice).replace("\n", " "), width * 0.45, font, size)
    notice_w = pdfmetrics.stringWidth(notice, font, size)
    if notice:
        c.drawRightString(page_w - right, line2, notice)
    c.drawString(left, line2, fit(second, width - notice_w - 6 * mm, font, size))


def new_canvas(out: Path, pagesize: tuple[float, float], title: str) -> pdfcanvas.Canvas:
    """A canvas with the CJK font subset-embedded and the document's title as metadata."""
    font = register_cjk_font()
    c = pdfcanvas.Canvas(str(out), pagesize=pagesize, pageCompression=1, initialFontName=font)
    c.setTitle(clean(title).replace("\n", " ")[:200])
    c.setCreator("disclosure-kiosk")
    return c
