"""Printing for the kiosk: the configured print desk, and finding what to print in the catalogue.

`printing` knows PDFs, CUPS, quotas and the log but not the configuration or the catalogue;
this module joins them, so the screens and `kiosk-admin print` ask for "item X, attachment Y,
pages 1-3" and get a `Prepared` document or a bilingual error.
"""

from __future__ import annotations

from pathlib import Path

from index import Catalogue
from printing import PrintError
from printing.desk import Outcome, Prepared, PrintDesk, new_visit
from printing.printlog import PrintRecord
from printing.quota import PrintPolicy
from printing.receipt import Receipt as Slip

from .config import Config
from .errors import KioskError


def policy_of(config: Config) -> PrintPolicy:
    p = config.printing
    return PrintPolicy(price_fen=p.price_fen, free_per_visit=p.free_pages_per_visit,
                       max_per_visit=p.max_pages_per_visit, max_per_day=p.max_pages_per_day)


def open_desk(config: Config, data_dir: Path, *, receipts: bool = False) -> PrintDesk:
    """The desk for items and attachments, or (`receipts`) for receipts on their own queue."""
    p = config.printing
    queue = (p.receipt_queue or p.queue) if receipts else p.queue
    return PrintDesk(data_dir, queue=queue, server=p.cups_server, policy=policy_of(config),
                     venue=config.venue_name, notice=p.notice, give_up=p.give_up_seconds)


def prepare(desk: PrintDesk, catalogue: Catalogue, item_id: str, *, attachment: str | None = None,
            pages: str | None = None, copies: int = 1) -> Prepared:
    """Render item `item_id` (or its attachment named `attachment`) for printing."""
    item = catalogue.get(item_id)
    if item is None:
        raise KioskError(f"目录中没有索引号为 {item_id} 的信息。", f"no item {item_id} in the catalogue.")
    if attachment is None:
        return desk.prepare_item(item, pages, copies)
    match = [a for a in item.attachments if a.name == attachment]
    if not match:
        names = "、".join(a.name for a in item.attachments) or "无"
        raise KioskError(f"该信息没有名为“{attachment}”的附件（附件：{names}）。",
                         f"the item has no attachment named '{attachment}'.")
    path = catalogue.attachment_path(match[0].sha256)
    if path is None:
        raise PrintError("该附件尚未下载到本机，请稍后再试或联系工作人员同步目录。",
                         "the attachment has not been downloaded to this kiosk yet; try later or "
                         "ask staff to sync.", kind="document")
    return desk.prepare_attachment(item, match[0], path, pages, copies)


def reprint(desk: PrintDesk, catalogue: Catalogue, log_id: int) -> tuple[Prepared, int]:
    """Print a logged job again (as staff, outside any visit's cap); returns the new log id."""
    record: PrintRecord | None = desk.log.get(log_id)
    if record is None:
        raise KioskError(f"没有编号为 {log_id} 的打印记录。", f"no print job {log_id} in the log.")
    if record.kind == "receipt" or record.item_id is None:
        raise KioskError("回执含个人信息，不保存，无法补打；请在“查询申请进度”中查看。",
                         "receipts hold personal data and are not kept, so they cannot be "
                         "reprinted; use the status lookup instead.")
    prepared = prepare(desk, catalogue, record.item_id, attachment=record.attachment,
                       pages=record.page_spec, copies=record.copies)
    return prepared, desk.submit(prepared, f"reprint-{log_id}-{new_visit()}")


def print_slip(config: Config, data_dir: Path, slip: Slip) -> Outcome:
    """Print an application receipt and wait for it (receipts are short; the citizen waits)."""
    desk = open_desk(config, data_dir, receipts=True)
    try:
        prepared = desk.prepare_receipt(slip, config.printing.receipt_format)
        return desk.follow(desk.submit(prepared, new_visit()), timeout=60)
    finally:
        desk.close()
