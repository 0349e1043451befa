"""Print preview and the job's progress: pages, copies, cost and caps before; plain words after.

The preview renders the very PDF that will be sent (`PrintDesk.prepare_*`), so the page count the
citizen agrees to is the count that prints. Changing the copies only re-quotes; changing the page
range renders again. Rendering, sending and following the job run on a print thread, and every
change comes back to the screen through `Clock`. While the printer has a problem the citizen sees
it in words ("打印机缺纸，请联系工作人员加纸。") and can cancel; a job that fails is never charged.

What the screen says is kept as a function of the moment's facts (`_summary_of`, `_message_of`)
and called again on a language switch, so a job followed in Chinese can be read on in English.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from kivy.clock import Clock
from kivy.properties import BooleanProperty, NumericProperty, OptionProperty, StringProperty
from kivy.uix.screenmanager import Screen

from index.model import Attachment, Item
from printing import PrintError
from printing.desk import Prepared, PrintDesk
from printing.quota import Quote
from printing.spool import JobState

from .lang import tr

MAX_COPIES = 9
Words = Callable[[], str]


def _on_ui(fn: Callable[[], None]) -> None:
    Clock.schedule_once(lambda _dt: fn())


def _silent() -> str:
    return ""


def _sentence(text: str) -> str:
    """Other packages' English reads as a clause ("no printer is set up…"); shown alone, it
    starts with a capital."""
    return text[:1].upper() + text[1:]


def _error(e: object) -> str:
    """One of our errors (`zh`/`en`) as a sentence in the current language."""
    return _sentence(tr.error(e))


def _refusal(quote: Quote) -> str:
    if quote.refusal_zh is None:
        return ""
    return _sentence(quote.refusal_en or "") if tr.lang == "en" else quote.refusal_zh


def _cost(quote: Quote) -> str:
    return tr._("免费") if quote.cost_fen == 0 else quote.cost_text


class PrintScreen(Screen):
    what = StringProperty("")
    pages_total = NumericProperty(0)
    first = NumericProperty(1)
    last = NumericProperty(1)
    copies = NumericProperty(1)
    summary = StringProperty("")
    message = StringProperty("")
    preview = StringProperty("")
    """A picture of the first chosen page of the PDF that will be sent ("" while none)."""
    busy = BooleanProperty(False)
    stage = OptionProperty("preview", options=["preview", "printing", "done"])

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.desk: PrintDesk | None = None
        self.visit = ""
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="print")
        self._target: tuple[Item, Attachment | None, Path | None] | None = None
        self._prepared: Prepared | None = None
        self._quote: Quote | None = None
        self._log_id: int | None = None
        self._generation = 0
        self._summary_of: Words = _silent
        self._message_of: Words = _silent
        tr.on_switch(self._retell)

    def _say(self, summary: Words | None = None, message: Words | None = None) -> None:
        """Set what the summary and message lines say (each a function, to say it again in
        another language); None leaves a line as it is."""
        if summary is not None:
            self._summary_of = summary
        if message is not None:
            self._message_of = message
        self._retell()

    def _retell(self) -> None:
        self.summary, self.message = self._summary_of(), self._message_of()

    # --- preview -------------------------------------------------------------------------------

    def begin(self, item: Item, attachment: Attachment | None = None, source: Path | None = None
              ) -> None:
        self._target = (item, attachment, source)
        self.what = attachment.name if attachment else item.title
        self.first, self.copies, self.pages_total, self.last = 1, 1, 0, 1
        self.stage, self.preview = "preview", ""
        self._say(message=_silent)
        self._render(None)

    def _render(self, spec: str | None) -> None:
        assert self._target is not None and self.desk is not None
        item, attachment, source = self._target
        desk, copies = self.desk, int(self.copies)
        self._generation += 1
        generation = self._generation
        self.busy = True
        self._say(lambda: tr._("正在准备预览……"))

        def job() -> None:
            try:
                if attachment is not None and source is not None:
                    prepared = desk.prepare_attachment(item, attachment, source, spec, copies)
                else:
                    prepared = desk.prepare_item(item, spec, copies)
                quote = desk.quote(prepared, self.visit)
            except PrintError as e:
                _on_ui(lambda err=e: self._failed_preview(generation, err))
                return
            try:
                image = str(desk.preview_image(prepared))
            except PrintError:
                image = ""  # the numbers alone still let the citizen print
            _on_ui(lambda: self._previewed(generation, prepared, quote, image))

        self._pool.submit(job)

    def _failed_preview(self, generation: int, e: PrintError) -> None:
        if generation == self._generation:
            self.busy = False
            self._say(_silent, lambda: _error(e))

    def _previewed(self, generation: int, prepared: Prepared, quote: Quote, image: str) -> None:
        if generation != self._generation:
            if self.desk is not None:
                self.desk.discard(prepared)
            return
        if self._prepared is not None and self._prepared.path != prepared.path:
            self.desk.discard(self._prepared)
        self._prepared, self.busy, self.preview = prepared, False, image
        if not self.pages_total:
            self.pages_total = prepared.rendered.total_pages
            self.last = self.pages_total
        self._show_quote(quote)

    def _show_quote(self, quote: Quote) -> None:
        self._quote = quote
        self._say(lambda: tr._("共 {pages} 页 × {copies} 份 = {total} 页　费用：{cost}",
                               pages=quote.pages, copies=quote.copies, total=quote.total,
                               cost=_cost(quote)),
                  lambda: _refusal(quote))

    def change_copies(self, delta: int) -> None:
        copies = max(1, min(MAX_COPIES, int(self.copies) + delta))
        if copies == self.copies or self._prepared is None or self.desk is None:
            return
        self.copies = copies
        self._prepared = dataclasses.replace(self._prepared, copies=copies)
        self._show_quote(self.desk.quote(self._prepared, self.visit))

    def change_range(self, which: str, delta: int) -> None:
        if self.busy or not self.pages_total:
            return
        first, last = int(self.first), int(self.last)
        if which == "first":
            first = max(1, min(last, first + delta))
        else:
            last = max(first, min(int(self.pages_total), last + delta))
        if (first, last) == (self.first, self.last):
            return
        self.first, self.last = first, last
        whole = first == 1 and last == self.pages_total
        self._render(None if whole else f"{first}-{last}")

    # --- printing ------------------------------------------------------------------------------

    def print_now(self) -> None:
        if self.busy or self._prepared is None or self.desk is None:
            return
        if self._quote is not None and not self._quote.allowed:
            return
        prepared, desk = self._prepared, self.desk
        self._prepared, self.preview = None, ""  # submit deletes the file (and its picture)
        self.stage, self.busy = "printing", True
        self._say(lambda: tr._("正在发送到打印机……"), _silent)

        def job() -> None:
            try:
                log_id = desk.submit(prepared, self.visit)
            except PrintError as e:
                _on_ui(lambda err=e: self._finished(False, lambda: _error(err)))
                return
            self._log_id = log_id
            outcome = desk.follow(log_id, lambda s: _on_ui(lambda: self._progress(s)))
            if outcome.ok:
                _on_ui(lambda: self._finished(True, lambda: tr._("打印完成，请在打印机出纸口取件。")))
            else:
                problems = outcome.job.problems if outcome.job else ()

                def why() -> str:
                    told = _error(problems[0]) if problems else tr._("打印未完成。")
                    return told + "\n" + tr._("本次打印未完成，不收费。")

                _on_ui(lambda: self._finished(False, why))

        self._pool.submit(job)

    def _progress(self, state: JobState) -> None:
        if self.stage != "printing":
            return
        def words() -> str:
            return {"pending": tr._("排队等待打印……"), "held": tr._("等待打印……"),
                    "processing": tr._("正在打印……"),
                    "stopped": tr._("打印已暂停。")}.get(state.state, tr._("正在打印……"))

        errors = [p for p in state.problems if p.severity == "error"]
        self._say(words, lambda: "\n".join(_error(p) for p in errors))

    def _finished(self, ok: bool, text: Words) -> None:
        self.stage, self.busy, self._log_id = "done", False, None
        if ok:
            self._say(text, _silent)
        else:
            self._say(_silent, text)

    def cancel_job(self) -> None:
        log_id, desk = self._log_id, self.desk
        if log_id is None or desk is None:
            return
        self._say(lambda: tr._("正在取消……"))
        self._pool.submit(lambda: desk.cancel(log_id))

    def wipe(self) -> None:
        if self._prepared is not None and self.desk is not None:
            self.desk.discard(self._prepared)
        self._prepared, self._target, self._quote = None, None, None
        self.what, self.preview = "", ""
        self._say(_silent, _silent)
        self.stage, self.busy = "preview", False
