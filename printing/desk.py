"""The print desk: prepare → quote → submit → follow, with the log and the caps kept honest.

This is what the touch screen and `kiosk-admin print` call. The order is the citizen's:
1. `prepare_*` renders the PDF that will be sent, so the page count in the preview *is* the
   page count that prints (the footer's print time is the preview's, seconds earlier);
2. `quote` says pages, copies, cost and what the caps allow, before anything is spent;
3. `submit` checks the caps again inside the log's write transaction, records the job and hands
   the PDF to CUPS; a refusal by CUPS marks the job failed, so it is neither charged nor counted;
4. `follow` watches the job to its end, reporting printer problems in plain words as they
   appear. A job stuck behind a printer problem for `give_up` seconds is cancelled and marked
   failed — the citizen has been told, and a copy must not appear hours later for nobody.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from index.model import Attachment, Item

from .errors import PrintError
from .layout import Footer
from .pageimages import page_image
from .printlog import PrintLog, PrintRecord
from .quota import PrintPolicy, Quote, quote
from .receipt import Receipt, render_receipt
from .render import Rendered, render_item
from .spool import JobState, Spooler
from .stamp import render_attachment

STALE_SPOOL_SECONDS = 24 * 3600
PREVIEW_DPI = 60
"""A4 at 60 dpi is about 500 × 700 px: the whole page fits the preview, its layout legible."""
RECEIPTS = PrintPolicy(price_fen=0, free_per_visit=0, max_per_visit=0, max_per_day=0)
"""Receipts are part of applying: free, and outside every cap."""


@dataclass(frozen=True)
class Prepared:
    """A rendered document waiting for the citizen's "print"."""

    kind: str  # item | attachment | receipt
    item_id: str | None
    attachment: str | None
    page_spec: str | None
    rendered: Rendered
    copies: int
    title: str

    @property
    def pages(self) -> int:
        return self.rendered.pages

    @property
    def path(self) -> Path:
        return self.rendered.path


@dataclass(frozen=True)
class Outcome:
    record: PrintRecord
    job: JobState | None  # the last state CUPS reported (None if it never reached CUPS)

    @property
    def ok(self) -> bool:
        return self.record.state == "completed"


def new_visit() -> str:
    """A random token for one person's use of the kiosk: enough to apply the per-visit cap,
    nothing that could identify them."""
    return secrets.token_hex(8)


class PrintDesk:
    def __init__(self, data_dir: Path, *, queue: str | None, server: str | None = None,
                 policy: PrintPolicy | None = None, venue: str = "", notice: str = "",
                 give_up: float = 300.0) -> None:
        self.spool_dir = Path(data_dir) / "spool"
        self.spool_dir.mkdir(parents=True, exist_ok=True)
        self.log = PrintLog(Path(data_dir) / "prints.sqlite")
        self.spooler = Spooler(server)
        self.queue_name = queue
        self.policy = policy or PrintPolicy()
        self.venue = venue
        self.notice = notice
        self.give_up = give_up
        self._sweep_spool()

    def close(self) -> None:
        self.log.close()

    # --- preparing -------------------------------------------------------------------------

    def _footer(self, index_no: str) -> Footer:
        return Footer(self.venue, dt.datetime.now(), index_no, self.notice)

    def _out(self, stem: str) -> Path:
        return self.spool_dir / f"{stem}-{secrets.token_hex(6)}.pdf"

    def prepare_item(self, item: Item, pages: str | None = None, copies: int = 1) -> Prepared:
        rendered = render_item(item, self._out("item"), self._footer(item.id), pages)
        return Prepared("item", item.id, None, pages, rendered, _copies(copies), item.title)

    def prepare_attachment(self, item: Item, attachment: Attachment, source: Path,
                           pages: str | None = None, copies: int = 1) -> Prepared:
        rendered = render_attachment(source, attachment.name, self._out("attachment"),
                                     self._footer(item.id), pages)
        return Prepared("attachment", item.id, attachment.name, pages, rendered, _copies(copies),
                        attachment.name)

    def prepare_receipt(self, receipt: Receipt, form: str = "a4") -> Prepared:
        rendered = render_receipt(receipt, self._out("receipt"), form)
        return Prepared("receipt", None, None, None, rendered, 1, "申请回执")

    def discard(self, prepared: Prepared) -> None:
        prepared.path.unlink(missing_ok=True)
        shutil.rmtree(self._preview_dir(prepared), ignore_errors=True)

    def _preview_dir(self, prepared: Prepared) -> Path:
        return self.spool_dir / "preview" / prepared.path.stem

    def preview_image(self, prepared: Prepared, page: int = 1) -> Path:
        """A picture of page `page` of the exact PDF that will be sent, for the touch screen's
        preview. Kept beside the spool file and removed with it (`discard`, `submit`)."""
        return page_image(prepared.path, prepared.path.stem, page, self.spool_dir / "preview",
                          dpi=PREVIEW_DPI)

    # --- quoting and printing --------------------------------------------------------------

    def _policy(self, prepared: Prepared) -> PrintPolicy:
        return RECEIPTS if prepared.kind == "receipt" else self.policy

    def quote(self, prepared: Prepared, visit: str) -> Quote:
        policy = self._policy(prepared)
        visit_used, day_used = (0, 0) if policy is RECEIPTS else self.log.used(visit)
        return quote(policy, prepared.pages, prepared.copies, visit_used=visit_used,
                     day_used=day_used)

    def queue(self) -> str:
        """The queue to print to: the configured one, else CUPS's default."""
        name = self.queue_name or self.spooler.default_queue()
        if not name:
            raise PrintError("本机未设置打印机。请联系工作人员。",
                             "no printer is set up on this kiosk; please ask staff.", kind="no-queue")
        return name

    def submit(self, prepared: Prepared, visit: str) -> int:
        """Send the prepared document; returns the print log id. Raises `PrintError` (kind
        "quota" over a cap) with nothing charged or counted."""
        queue = self.queue()
        policy = self._policy(prepared)

        def price(visit_used: int, day_used: int) -> int:
            q = quote(policy, prepared.pages, prepared.copies, visit_used=visit_used,
                      day_used=day_used)
            if not q.allowed:
                raise PrintError(q.refusal_zh or "", q.refusal_en or "", kind="quota")
            return q.cost_fen

        log_id = self.log.add(visit=visit, kind=prepared.kind, item_id=prepared.item_id,
                              attachment=prepared.attachment, page_spec=prepared.page_spec,
                              pages=prepared.pages, copies=prepared.copies, queue=queue, price=price)
        try:
            job = self.spooler.submit(queue, prepared.path, prepared.title, prepared.copies)
        except PrintError as e:
            self.log.set_state(log_id, "failed", e.en)
            raise
        finally:  # CUPS holds its own copy once it has the job; a reprint renders afresh
            self.discard(prepared)
        self.log.set_cups_job(log_id, job)
        return log_id

    def follow(self, log_id: int, on_change: Callable[[JobState], None] | None = None,
               timeout: float | None = None) -> Outcome:
        """Watch a submitted job to its end and record the outcome (see module docs)."""
        record = self._record(log_id)
        if record.cups_job is None or record.state not in ("queued", "printing"):
            return Outcome(record, None)

        def changed(state: JobState) -> None:
            if state.state == "processing":
                self.log.set_state(log_id, "printing")
            if on_change:
                on_change(state)

        state = self.spooler.follow(record.cups_job, changed,
                                    timeout=self.give_up if timeout is None else timeout)
        if state.ok:
            self.log.set_state(log_id, "completed")
        elif state.done:
            self.log.set_state(log_id, "cancelled" if state.state == "cancelled" else "failed",
                               _reason(state))
        else:  # stuck behind a printer problem: stop it so it does not print for nobody later
            with contextlib.suppress(PrintError):  # gone already is as good as cancelled
                self.spooler.cancel(record.cups_job)
            self.log.set_state(log_id, "failed", _reason(state) or "timed out")
        return Outcome(self._record(log_id), state)

    def cancel(self, log_id: int) -> PrintRecord:
        record = self._record(log_id)
        if record.cups_job is not None and record.state in ("queued", "printing"):
            self.spooler.cancel(record.cups_job)
        self.log.set_state(log_id, "cancelled", "cancelled by the user")
        return self._record(log_id)

    def _record(self, log_id: int) -> PrintRecord:
        record = self.log.get(log_id)
        if record is None:
            raise PrintError(f"没有编号为 {log_id} 的打印记录。", f"no print job {log_id} in the log.",
                             kind="print")
        return record

    def _sweep_spool(self, max_age: float = STALE_SPOOL_SECONDS) -> None:
        """Delete spool files older than `max_age` (CUPS keeps its own copy once submitted)."""
        cutoff = time.time() - max_age
        for f in self.spool_dir.glob("*.pdf*"):
            try:
                if f.stat().st_mtime < cutoff:
                    f.unlink()
            except OSError:
                pass
        for d in self.spool_dir.glob("preview/*"):
            with contextlib.suppress(OSError):
                if d.stat().st_mtime < cutoff:
                    shutil.rmtree(d)


def _copies(copies: int) -> int:
    if not 1 <= copies <= 99:
        raise PrintError("份数应为 1 到 99。", "copies must be between 1 and 99.", kind="pages")
    return copies


def _reason(state: JobState) -> str | None:
    problems = state.problems
    if problems:
        return "; ".join(p.reason for p in problems)
    return ", ".join(state.reasons) or state.state
