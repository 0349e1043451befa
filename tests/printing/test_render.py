"""What comes out of the renderers, read back with pdftotext, pdffonts, pdfinfo and zbarimg."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader, PdfWriter
from reportlab.pdfgen import canvas

from index.model import parse_item
from printing import PrintError
from printing.layout import Footer
from printing.linebreak import CANNOT_END, CANNOT_START
from printing.receipt import Receipt, mask_id, mask_name, render_receipt
from printing.render import render_item
from printing.stamp import count_attachment_pages, render_attachment
from tests.conftest import make_item

from . import pdftools

NOTICE = "本件为政府信息查阅场所打印件"
PRINTED_AT = dt.datetime(2026, 11, 22, 14, 5)


def flat(text: str) -> str:
    """pdftotext's output without whitespace (it drops or adds spaces around CJK at will)."""
    return re.sub(r"\s", "", text)


def footer(index_no: str) -> Footer:
    return Footer("临澄市档案馆政府信息查阅中心", PRINTED_AT, index_no, NOTICE)


def item(**fields):
    return parse_item(make_item(**fields))


@pytest.fixture(scope="module")
def longest(sample_catalogue):
    """The sample item with the longest body (several pages)."""
    ids = [h.id for h in sample_catalogue.search("统计公报", page_size=20).hits]
    return max((sample_catalogue.get(i) for i in ids), key=lambda it: len(it.body))


def test_item_pdf_embeds_the_cjk_font_and_every_page_has_the_footer(longest, tmp_path):
    out = tmp_path / "item.pdf"
    rendered = render_item(longest, out, footer(longest.id))
    assert rendered.total_pages == pdftools.pages(out) > 1
    fonts = pdftools.fonts(out)
    assert fonts and all(f["emb"] == "yes" and f["sub"] == "yes" for f in fonts)
    assert all("WenQuanYi" in f["name"] or "+" in f["name"] for f in fonts)
    whole = pdftools.text(out)
    assert longest.title in whole.replace("\n", "")
    assert longest.body.split("\n")[3][:20] in whole.replace("\n", "")
    for n in range(1, rendered.total_pages + 1):
        page = pdftools.text(out, page=n)
        assert f"第{n}页/共{rendered.total_pages}页" in flat(page)
        assert f"索引号：{longest.id}" in page
        assert NOTICE in page and "打印时间：2026-11-2214:05" in flat(page)
    meta = pdftools.text(out, page=1)
    assert longest.agency in meta and "发布日期" in meta


def test_the_qr_code_carries_the_source_url(longest, tmp_path):
    out = tmp_path / "item.pdf"
    render_item(longest, out, footer(longest.id))
    assert longest.source_url
    assert pdftools.qr_codes(out, tmp_path) == [longest.source_url]


def test_no_qr_code_without_a_source_url(tmp_path):
    out = tmp_path / "item.pdf"
    render_item(item(source_url=None), out, footer("X"))
    assert pdftools.qr_codes(out, tmp_path) == []


def test_a_page_range_prints_those_pages_with_their_original_numbers(longest, tmp_path):
    out = tmp_path / "part.pdf"
    rendered = render_item(longest, out, footer(longest.id), pages="2-3")
    assert rendered.printed == (2, 3) and pdftools.pages(out) == 2
    assert f"第2页/共{rendered.total_pages}页" in flat(pdftools.text(out, page=1))
    with pytest.raises(PrintError) as exc:
        render_item(longest, tmp_path / "bad.pdf", footer(longest.id), pages="0-99")
    assert exc.value.kind == "pages" and f"共 {rendered.total_pages} 页" in exc.value.zh


def test_printed_lines_obey_the_chinese_line_breaking_rules(tmp_path):
    # a body dense with punctuation, so that many breaks fall next to it
    sentence = "依据《条例》第二十条，行政机关应当主动公开（包括但不限于）下列信息：规章、规范性文件；"
    body = "\n".join(sentence * (3 + i % 4) + "「本段结束」。" for i in range(12))
    out = tmp_path / "rules.pdf"
    render_item(item(body=body, title="断行规则样张"), out, footer("RULES-1"))
    lines = [ln.strip() for ln in pdftools.text(out).splitlines() if ln.strip()]
    body_lines = [ln for ln in lines if "依据" in ln or "条例" in ln or "下列" in ln or "规章" in ln]
    assert len(body_lines) > 20
    for line in lines:
        assert line[0] not in CANNOT_START, line
        assert line[-1] not in CANNOT_END, line


@pytest.mark.parametrize("title", [
    "<b>加粗</b> &amp; [color=ff0000]红[/color] <script>alert(1)</script>",
    "超长标题" * 2500,
    "控制\x00字符\x1b[31m与\u202e方向\u200b符号\ttab",
])
def test_hostile_titles_still_print_and_show_literally(title, tmp_path):
    out = tmp_path / "hostile.pdf"
    rendered = render_item(item(title=title), out, footer("HOSTILE-1"))
    text = pdftools.text(out).replace("\n", "")
    assert rendered.total_pages == pdftools.pages(out)
    if title.startswith("<b>"):
        assert "<b>加粗</b> &amp; [color=ff0000]红[/color] <script>" in text
    elif len(title) == 10_000:
        assert rendered.total_pages > 1 and flat(text).count("超") == 2500
    else:
        assert "控制字符[31m与方向符号" in text.replace(" ", "")
    assert "正文。" in text


def test_an_attachment_prints_as_itself_with_the_footer_stamped(sample_catalogue, tmp_path):
    it = next(i for i in (sample_catalogue.get(h.id) for h in
                          sample_catalogue.search("开放档案目录", page_size=20).hits) if i.attachments)
    att = it.attachments[0]
    source = sample_catalogue.attachment_path(att.sha256)
    total = count_attachment_pages(source)
    original = pdftools.text(source, page=1)
    out = tmp_path / "att.pdf"
    rendered = render_attachment(source, att.name, out, footer(it.id))
    assert rendered.total_pages == total == pdftools.pages(out)
    page1 = pdftools.text(out, page=1)
    assert original.split("\n")[0] in page1
    assert f"第1页/共{total}页" in flat(page1) and NOTICE in page1 and it.id in page1
    if total > 1:
        rendered = render_attachment(source, att.name, out, footer(it.id), pages=f"{total}")
        assert pdftools.pages(out) == 1
        assert f"第{total}页/共{total}页" in flat(pdftools.text(out))


def _pdf(tmp_path, name, *, rotate: int = 0, password: str | None = None):
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(595, 842))
    for n in range(3):
        c.drawString(72, 760, f"Original page {n + 1}")
        c.showPage()
    c.save()
    path = tmp_path / name
    if password or rotate:
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(buf.getvalue())))
        for page in writer.pages:
            page.rotate(rotate)
        if password:
            writer.encrypt(password)
        with open(path, "wb") as f:
            writer.write(f)
    else:
        path.write_bytes(buf.getvalue())
    return path


def test_rotated_pages_get_the_footer_at_the_bottom_the_reader_sees(tmp_path):
    source = _pdf(tmp_path, "rotated.pdf", rotate=90)
    out = tmp_path / "out.pdf"
    render_attachment(source, "rotated.pdf", out, footer("ROT-1"), pages="2")
    page = PdfReader(out).pages[0]
    assert page.rotation % 360 == 0  # turned upright: shown as the source page was shown
    assert float(page.mediabox.width) == 842 and float(page.mediabox.height) == 595
    lines = [ln for ln in pdftools.text(out, layout=True).splitlines() if ln.strip()]
    assert "Original page 2" in "".join(lines[:-2])
    assert "第2页/共3页" in flat(lines[-2] + lines[-1])  # the footer is the last thing on the page


def test_unprintable_attachments_are_refused_with_a_reason(tmp_path):
    locked = _pdf(tmp_path, "locked.pdf", password="secret")
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(_pdf(tmp_path, "ok.pdf").read_bytes()[:300])
    docx = tmp_path / "form.docx"
    docx.write_bytes(b"PK\x03\x04" + b"\0" * 100)
    cases = [(locked, "密码"), (broken, "损坏"), (docx, "无法在本机打印")]
    for source, words in cases:
        with pytest.raises(PrintError) as exc:
            render_attachment(source, source.name, tmp_path / "out.pdf", footer("X"))
        assert words in exc.value.zh and exc.value.kind == "document"
    assert not list(tmp_path.glob("out.pdf*"))


def test_an_image_attachment_prints_on_one_a4_page(tmp_path):
    buf = io.BytesIO()
    from PIL import Image

    Image.new("RGB", (400, 600), "white").save(buf, "PNG")
    source = tmp_path / "scan.png"
    source.write_bytes(buf.getvalue())
    out = tmp_path / "scan.pdf"
    rendered = render_attachment(source, "扫描件.png", out, footer("IMG-1"))
    assert rendered.total_pages == 1 and pdftools.pages(out) == 1
    assert "第1页/共1页" in flat(pdftools.text(out))


def slip(**changes) -> Receipt:
    fields = dict(
        receipt_no="K07-20261122-0004", query_code="482913",
        submitted_at=dt.datetime(2026, 11, 22, 10, 30), due_date=dt.date(2026, 12, 21),
        due_provisional=False, applicant=mask_name("张三明"), id_label="居民身份证",
        id_masked=mask_id("11010519491231002X"), asked="申请公开2025年老旧小区改造资金使用明细。" * 5,
        delivery="邮寄", sent=False, status_url="https://xxgk.example.gov.cn/status?no=K07-20261122-0004",
        venue="临澄市档案馆政府信息查阅中心")
    fields.update(changes)
    return Receipt(**fields)


@pytest.mark.parametrize("form,width_mm", [("a4", 210), ("80mm", 80)])
def test_receipts_carry_what_the_citizen_needs_and_no_full_id(form, width_mm, tmp_path):
    out = tmp_path / f"receipt-{form}.pdf"
    render_receipt(slip(), out, form)
    w, _ = pdftools.page_size_mm(out)
    assert round(w) == width_mm and pdftools.pages(out) == 1
    text = pdftools.text(out)
    flat = re.sub(r"\s", "", text)
    assert "K07-20261122-0004" in flat and "482913" in flat
    assert "1101**********002X" in text and "11010519491231002X" not in flat
    assert "张*明" in text and "张三明" not in text
    assert "2026-12-21" in text and "邮寄" in text
    assert pdftools.qr_codes(out, tmp_path) == ["https://xxgk.example.gov.cn/status?no=K07-20261122-0004"]


def test_a_receipt_roll_is_as_long_as_its_content(tmp_path):
    short, long_ = tmp_path / "s.pdf", tmp_path / "l.pdf"
    render_receipt(slip(asked="短。"), short, "80mm")
    render_receipt(slip(asked="很长的申请内容。" * 200), long_, "80mm")
    assert pdftools.page_size_mm(short)[1] < pdftools.page_size_mm(long_)[1] < 400
    assert "…" in pdftools.text(long_)


def test_a_provisional_due_date_says_so(tmp_path):
    out = tmp_path / "p.pdf"
    render_receipt(slip(due_provisional=True, status_url=None), out, "a4")
    assert "暂定" in pdftools.text(out)
    assert pdftools.qr_codes(out, tmp_path) == ["K07-20261122-0004"]


def test_masks():
    assert mask_id("11010519491231002X") == "1101**********002X"
    assert mask_name("欧阳娜娜") == "欧**娜" and mask_name("李四") == "李*"
