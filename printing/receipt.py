"""The application receipt (申请回执), on A4 or on an 80 mm receipt roll.

The receipt is what the citizen takes home: it must carry everything needed to follow the
application up — receipt number and query code in large type, when it was made, when a reply is
due — and nothing that would harm them if it were lost: the ID number is masked and the name
shortened by the caller (`Receipt` takes them already masked, so this module never sees them
whole). A QR code carries the status address (or the receipt number, for a scanner at the venue).

On a roll the page is exactly as long as its content; on A4 it is one page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.units import mm

from .errors import PrintError
from .layout import A4, QR, Flow, draw_ops, new_canvas
from .linebreak import clean
from .render import Rendered, save_pdf

FORMATS = ("a4", "80mm")
ROLL_W = 80 * mm
ROLL_MARGIN = 4 * mm
ASKED_MAX_ROLL = 300  # characters of the request printed on a roll; A4 prints all 1000


@dataclass(frozen=True)
class Receipt:
    receipt_no: str
    query_code: str
    submitted_at: dt.datetime
    due_date: dt.date
    due_provisional: bool  # the holiday calendar for that year is not yet the official one
    applicant: str  # already masked, e.g. 张*明
    id_label: str  # e.g. 居民身份证
    id_masked: str  # e.g. 1101**********002X
    asked: str  # what was asked for
    delivery: str  # how the reply is to be received, in words
    sent: bool  # the central system has confirmed it
    status_url: str | None  # what the QR code carries; None: the receipt number
    venue: str


def render_receipt(receipt: Receipt, out: Path, form: str = "a4",
                   printed_at: dt.datetime | None = None) -> Rendered:
    if form not in FORMATS:
        raise PrintError(f"回执纸张“{form}”不受支持，可选 a4 或 80mm。",
                         f"receipt format '{form}' is not supported; use a4 or 80mm.", kind="print")
    roll = form == "80mm"
    if roll:
        w, side, h = ROLL_W, ROLL_MARGIN, 2000 * mm
        big, text, small, qr = 15.0, 9.5, 8.0, 30 * mm
    else:
        (w, h), side = A4, 25 * mm
        big, text, small, qr = 22.0, 12.0, 10.0, 36 * mm
    flow = Flow(w, h, side, side, side, side)
    flow.paragraph("政府信息公开申请回执", big * 0.9, bold=True, align="center")
    flow.paragraph(clean(receipt.venue), small, align="center")
    flow.rule(2 * mm)
    flow.labelled([("回执编号：", "")], text, label_w=text * 6.2)
    flow.paragraph(receipt.receipt_no, big, bold=True, align="center", leading=big * 1.4)
    flow.labelled([("查 询 码：", "")], text, label_w=text * 6.2)
    spaced = f"{receipt.query_code[:3]} {receipt.query_code[3:]}"
    flow.paragraph(spaced, big * 1.2, bold=True, align="center", leading=big * 1.6)
    flow.rule(2 * mm)
    due = receipt.due_date.isoformat() + " 前"
    if receipt.due_provisional:
        due += "（按暂定节假日安排推算）"
    status = "已提交至受理机关" if receipt.sent else "已保存，网络恢复后自动提交"
    rows = [
        ("提交时间：", receipt.submitted_at.strftime("%Y-%m-%d %H:%M")),
        ("申 请 人：", receipt.applicant),
        (f"{_short(receipt.id_label)}：", receipt.id_masked),
        ("获取方式：", receipt.delivery),
        ("预计答复：", due),
        ("提交状态：", status),
    ]
    flow.labelled(rows, text, label_w=text * 6.2)
    asked = clean(receipt.asked)
    if roll and len(asked) > ASKED_MAX_ROLL:
        asked = asked[:ASKED_MAX_ROLL] + "…"
    flow.labelled([("申请内容：", asked)], text, label_w=text * 6.2)
    flow.rule(2 * mm)
    flow.ensure(qr + 8 * mm)
    top = flow.y
    flow.add(QR((w - qr) / 2, top, qr, receipt.status_url or receipt.receipt_no))
    flow.y = top + qr + 1 * mm
    flow.paragraph("扫码查询办理进度" if receipt.status_url else "回执编号二维码", small, align="center")
    notes = [
        "请妥善保管本回执。凭回执编号和查询码，可在本机“查询申请进度”或受理机关查询办理进度。",
        "答复期限为收到申请之日起 20 个工作日；需要延长的，延长期限最长不超过 20 个工作日，"
        "延长将另行告知。",
        "打印时间：" + (printed_at or dt.datetime.now()).strftime("%Y-%m-%d %H:%M"),
    ]
    for note in notes:
        flow.paragraph(note, small, align="left" if roll else "justify")
    if roll:
        h = flow.y + side + 6 * mm  # a little paper after the last line, for the cutter
    tmp = out.with_name(out.name + ".partial")
    c = new_canvas(tmp, (w, h), f"申请回执 {receipt.receipt_no}")
    for ops in flow.pages:
        draw_ops(c, ops, h, flow.font)
        c.showPage()
    save_pdf(c.save, tmp, out)
    return Rendered(out, len(flow.pages), tuple(range(1, len(flow.pages) + 1)))


def _short(label: str) -> str:
    return label if len(label) <= 5 else "证件号码"


def mask_id(number: str) -> str:
    """An ID or credit code with all but its first and last four characters hidden."""
    n = number.strip()
    if len(n) <= 8:
        return n[:1] + "*" * max(0, len(n) - 2) + n[-1:] if len(n) > 2 else "*" * len(n)
    return n[:4] + "*" * (len(n) - 8) + n[-4:]


def mask_name(name: str) -> str:
    """A person's name with the middle hidden (张*明, 李*), enough to recognise one's own receipt."""
    n = clean(name).strip()
    if len(n) <= 1:
        return n
    if len(n) == 2:
        return n[0] + "*"
    return n[0] + "*" * (len(n) - 2) + n[-1]
