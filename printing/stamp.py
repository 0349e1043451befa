"""An attachment printed as itself, with the kiosk's footer stamped on every page.

A PDF attachment is the document the agency published, so it is printed page for page — never
re-typeset — and only a footer band is laid over the bottom of each page (venue, 第 x 页 / 共 y
页, print time, index number, notice) on a white backdrop so it stays legible over whatever the
page had there. Rotated pages are turned upright first so the footer lands at the bottom the
reader sees. A scanned image attachment (JPEG or PNG) is printed on an A4 page, scaled to fit.
Anything else (a Word file, a spreadsheet, an archive) is refused with a message for staff,
because printing it faithfully would need an office suite the kiosk does not carry.
"""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError, PyPdfError
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas as pdfcanvas

from .errors import PrintError
from .fonts import register_cjk_font
from .layout import A4, Footer, draw_footer, new_canvas
from .pages import parse_pages
from .render import FOOT, MARGIN, Rendered, save_pdf

SIDE = 12 * mm  # footer inset on attachment pages, whose own margins are unknown
BASE = 5 * mm


def kind_of(path: Path) -> str:
    """"pdf", "image" or "other", by the file's first bytes (names and media types can lie)."""
    with open(path, "rb") as f:
        head = f.read(1024)
    if b"%PDF-" in head:
        return "pdf"
    if head.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")):
        return "image"
    return "other"


def count_attachment_pages(source: Path) -> int:
    if kind_of(source) == "image":
        return 1
    return len(_open_pdf(source, source.name).pages)


def render_attachment(source: Path, name: str, out: Path, footer: Footer,
                      pages: str | None = None) -> Rendered:
    """Write the chosen pages of attachment `source` (published as `name`) with the footer to `out`."""
    kind = kind_of(source)
    if kind == "image":
        return _render_image(source, name, out, footer, pages)
    if kind != "pdf":
        suffix = Path(name).suffix or "?"
        raise PrintError(
            f"附件“{name}”的格式（{suffix}）无法在本机打印，本机可打印 PDF 和图片。请联系工作人员。",
            f"the attachment '{name}' ({suffix}) cannot be printed here; only PDF and images can. "
            "Please ask staff.", kind="document")
    reader = _open_pdf(source, name)
    total = len(reader.pages)
    chosen = parse_pages(pages, total)
    try:
        writer = PdfWriter()
        added = [writer.add_page(reader.pages[n - 1]) for n in chosen]
        for page in added:
            if page.rotation % 360:
                page.transfer_rotation_to_content()
        overlay = PdfReader(io.BytesIO(_footers([p.cropbox for p in added], chosen, total, footer)))
        for page, stamp in zip(added, overlay.pages, strict=True):
            page.merge_page(stamp)
        writer.add_metadata({"/Title": name[:200], "/Creator": "disclosure-kiosk"})
        data = io.BytesIO()
        writer.write(data)
    except (PyPdfError, ValueError, KeyError, TypeError) as e:
        raise _broken(name, e) from e
    tmp = out.with_name(out.name + ".partial")

    def write() -> None:
        tmp.write_bytes(data.getvalue())

    save_pdf(write, tmp, out)
    return Rendered(out, total, tuple(chosen))


def _open_pdf(source: Path, name: str) -> PdfReader:
    try:
        reader = PdfReader(source)
        if reader.is_encrypted and not reader.decrypt(""):
            raise PrintError(
                f"附件“{name}”有密码保护，无法打印。请联系工作人员。",
                f"the attachment '{name}' is password-protected and cannot be printed; please ask staff.",
                kind="document")
        if not reader.pages:
            raise _broken(name, "no pages")
        return reader
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, OSError) as e:
        raise _broken(name, e) from e


def _broken(name: str, why: object) -> PrintError:
    return PrintError(f"附件“{name}”文件已损坏，无法打印。请联系工作人员重新同步目录。",
                      f"the attachment '{name}' is damaged and cannot be printed ({why}); "
                      "ask staff to sync the catalogue again.", kind="document")


def _footers(boxes: list, numbers: list[int], total: int, footer: Footer) -> bytes:
    """One overlay page per printed page, each the size of that page, carrying only the footer."""
    buf = io.BytesIO()
    font = register_cjk_font()
    c = pdfcanvas.Canvas(buf, initialFontName=font)
    for box, n in zip(boxes, numbers, strict=True):
        left, bottom = float(box.left), float(box.bottom)
        w, h = float(box.width), float(box.height)
        c.setPageSize((left + w, bottom + h))
        draw_footer(c, footer, n, total, page_w=left + w, left=left + SIDE, right=SIDE,
                    base=bottom + BASE, font=font, size=7.5, backdrop=True)
        c.showPage()
    c.save()
    return buf.getvalue()


def _render_image(source: Path, name: str, out: Path, footer: Footer, pages: str | None) -> Rendered:
    parse_pages(pages, 1)
    try:
        image = ImageReader(str(source))
        iw, ih = image.getSize()
    except Exception as e:  # PIL or ReportLab's own reader; any failure means an unreadable image
        raise _broken(name, e) from e
    w, h = A4
    box_w, box_h = w - 2 * MARGIN, h - MARGIN - FOOT
    scale = min(box_w / iw, box_h / ih)
    tmp = out.with_name(out.name + ".partial")
    c = new_canvas(tmp, A4, name)
    c.drawImage(image, MARGIN + (box_w - iw * scale) / 2, FOOT + (box_h - ih * scale),
                iw * scale, ih * scale)
    draw_footer(c, footer, 1, 1, page_w=w, left=MARGIN, right=MARGIN, base=FOOT - 16 * mm,
                font=register_cjk_font())
    c.showPage()
    save_pdf(c.save, tmp, out)
    return Rendered(out, 1, (1,))
