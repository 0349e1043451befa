"""A catalogue item as an A4 PDF: title, metadata block, QR code of the source, body, footer.

The layout follows what people expect of a printed government document: a centred title, the
catalogue's metadata (索引号, 发布机构, 文号, dates) as a labelled block, the body with each
paragraph indented two characters, and on every page the venue, the page number out of the
total, the print time, the index number and the venue's notice (本件为政府信息查阅场所打印件).
The source address is a QR code on the first page, so a reader can reach the original online.

Everything from the catalogue is drawn as text, never interpreted: a title of `<b>x</b>` prints
those characters. That is why this uses canvas text operations rather than ReportLab's
paragraph markup, which would parse them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.units import mm

from index.model import Item

from .errors import PrintError
from .fonts import register_cjk_font
from .layout import A4, QR, Flow, Footer, Op, Text, draw_footer, draw_ops, new_canvas
from .linebreak import clean, paragraphs
from .pages import parse_pages

MARGIN = 25 * mm
FOOT = 28 * mm  # bottom margin: the footer band lives in it
TITLE_PT = 18.0
META_PT = 10.5
BODY_PT = 12.0
QR_SIZE = 26 * mm


@dataclass(frozen=True)
class Rendered:
    """A PDF ready to spool: which pages of the document it holds, out of how many."""

    path: Path
    total_pages: int
    printed: tuple[int, ...]

    @property
    def pages(self) -> int:
        return len(self.printed)


def metadata_rows(item: Item) -> list[tuple[str, str]]:
    rows = [("索引号：", item.id), ("发布机构：", item.agency)]
    if item.doc_number:
        rows.append(("文　　号：", item.doc_number))
    if item.written_date:
        rows.append(("成文日期：", item.written_date))
    rows.append(("发布日期：", item.published_date))
    if item.categories:
        rows.append(("主题分类：", "、".join(item.categories)))
    return rows


def layout_item(item: Item) -> list[list[Op]]:
    """The item's pages as drawing operations (no footer; that needs the page count)."""
    w, h = A4
    flow = Flow(w, h, MARGIN, MARGIN, MARGIN, FOOT)
    for para in paragraphs(item.title) or [item.id]:
        flow.paragraph(para, TITLE_PT, leading=TITLE_PT * 1.45, bold=True, align="center")
    flow.rule()
    meta_top, meta_page = flow.y, len(flow.pages)
    width = flow.width
    if item.source_url:
        width -= QR_SIZE + 6 * mm
        flow.ensure(QR_SIZE + 6 * mm)
        meta_top, meta_page = flow.y, len(flow.pages)
        qr_x = w - MARGIN - QR_SIZE
        flow.add(QR(qr_x, meta_top + 1 * mm, QR_SIZE, item.source_url))
        caption = "扫码查看原文"
        cw = flow.measure(7.5)(caption)
        flow.add(Text(qr_x + (QR_SIZE - cw) / 2, meta_top + QR_SIZE + 4.5 * mm, 7.5, caption))
    flow.labelled(metadata_rows(item), META_PT, label_w=META_PT * 5.4, width=width)
    if item.source_url and len(flow.pages) == meta_page:
        flow.y = max(flow.y, meta_top + QR_SIZE + 6 * mm)
    flow.rule()
    body = paragraphs(item.body) or paragraphs(item.summary or "") or ["（本条目无正文，请查阅附件。）"]
    for para in body:
        if para:
            flow.paragraph(para, BODY_PT, leading=BODY_PT * 1.75, indent=BODY_PT * 2)
        else:
            flow.space(BODY_PT * 0.8)
    if item.attachments:
        flow.space(BODY_PT)
        names = [f"{i}. {clean(a.name)}" for i, a in enumerate(item.attachments, 1)]
        flow.paragraph("附件：", BODY_PT, leading=BODY_PT * 1.75, bold=True, align="left")
        for name in names:
            flow.paragraph(name, BODY_PT, leading=BODY_PT * 1.6, indent=BODY_PT * 2, align="left")
    return flow.pages


def count_item_pages(item: Item) -> int:
    return len(layout_item(item))


def render_item(item: Item, out: Path, footer: Footer, pages: str | None = None) -> Rendered:
    """Write the chosen pages of the item to `out` (atomically) and say what it holds."""
    laid = layout_item(item)
    chosen = parse_pages(pages, len(laid))
    w, h = A4
    tmp = out.with_name(out.name + ".partial")
    c = new_canvas(tmp, A4, item.title)
    font = register_cjk_font()
    for n in chosen:
        draw_ops(c, laid[n - 1], h, font)
        draw_footer(c, footer, n, len(laid), page_w=w, left=MARGIN, right=MARGIN,
                    base=FOOT - 16 * mm, font=font)
        c.showPage()
    save_pdf(c.save, tmp, out)
    return Rendered(out, len(laid), tuple(chosen))


def save_pdf(write: Callable[[], None], tmp: Path, out: Path) -> None:
    """Run `write` (which writes `tmp`), then move it into place.

    A full disk is a clear error and leaves no half-written file behind.
    """
    try:
        write()
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        tmp.replace(out)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise PrintError(f"无法写入打印文件（{e.strerror}）。请联系工作人员检查磁盘空间。",
                         f"cannot write the print file ({e.strerror}); ask staff to check disk space.",
                         kind="document") from e
