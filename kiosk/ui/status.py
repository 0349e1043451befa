"""Checking an application (查询申请进度): receipt number and query code in, plain words out.

`Applications.status` answers from the central system when it can and from what this kiosk last
heard when it cannot; this screen only puts the answer into words. It runs on the `Office`
thread, because asking the central system may take seconds.

The receipt number is printed `K01-20261122-0004`, but the on-screen keyboard has no `-` and
types lower-case letters: `receipt_number` puts the dashes back into `k01202611220004` and
upper-cases it, so the citizen types only what they can see on the keys.
"""

from __future__ import annotations

import re

from kivy.app import App
from kivy.clock import Clock
from kivy.metrics import dp
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.screenmanager import Screen

from ..applications import StatusAnswer
from ..applications.identifiers import Problem, fold_width
from ..applications.uploader import STATUS_LABELS
from .apply import Office
from .forms import FormField, long_date, long_time
from .lang import tr

_RECEIPT = re.compile(r"(.+)(\d{8})(\d{4})")

NOT_FOUND = "回执号或查询码不对。请对照回执，再输一次。"
OFFLINE = "现在连不上中心系统，查不到这份申请。请稍后再试，或请工作人员帮助。"


def receipt_number(typed: str) -> str:
    """The receipt number as filed, from what the on-screen keyboard typed (see module doc)."""
    s = re.sub(r"\s+", "", fold_width(typed)).upper().replace("－", "-").replace("—", "-")
    if "-" not in s and (m := _RECEIPT.fullmatch(s)):
        s = "-".join(m.groups())
    return s


def query_code(typed: str) -> str:
    return re.sub(r"\s+", "", fold_width(typed))


class StatusScreen(Screen):
    heading = StringProperty("")   # the answer's headline, in the current language
    details = StringProperty("")
    reply = StringProperty("")     # the agency's reply: data, shown as sent
    busy = BooleanProperty(False)
    office: Office = ObjectProperty(None, allownone=True)

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self._generation = 0
        self._shown: tuple | None = None  # what the answer area shows, to redo on a switch
        app = App.get_running_app()
        self.receipt = FormField("receipt_no", "回执号", latin=True, hint="如 K01-20261122-0004",
                                 size_hint_x=0.62)
        self.code = FormField("query_code", "查询码", latin=True, hint="6位数字",
                              size_hint_x=0.38)
        for name, field in (("receipt_no", self.receipt), ("query_code", self.code)):
            self.ids.fields.add_widget(field)
            self.ids[name] = field.box
            self.ids[f"{name}_error"] = field.ids.error
            app.attach_keyboard(field.box)
        tr.on_switch(self._redo)

    @property
    def pristine(self) -> bool:
        return not (self.receipt.value or self.code.value or self._shown)

    def query(self) -> None:
        if self.busy:
            return
        App.get_running_app().hide_keyboard()
        receipt_no, code = receipt_number(self.receipt.value), query_code(self.code.value)
        self.receipt.show(None if receipt_no else Problem("请填写回执号", "enter the receipt number"))
        self.code.show(None if code else Problem("请填写查询码", "enter the query code"))
        if not (receipt_no and code):
            return
        self.busy, generation = True, self._generation
        self._show(("working",))

        def job(apps) -> tuple[StatusAnswer, bool, bool]:
            answer = apps.status(receipt_no, code)
            # not found and not answered online: a wrong code for an application filed here, or
            # a central system out of reach; they need different advice
            here = (not answer.found and not answer.online
                    and apps.outbox.find(receipt_no) is not None)
            return answer, apps.config.central.configured, here

        def done(result) -> None:
            if generation == self._generation:
                self.busy = False
                self._show(("answer", *result))

        def failed(error: Exception) -> None:
            if generation == self._generation:
                self.busy = False
                self._show(("error", error))

        self.office.run(job, done, failed)

    def _redo(self) -> None:
        if self._shown is not None:
            self._show(self._shown)

    def _show(self, shown: tuple) -> None:
        self._shown = shown
        kind = shown[0]
        self.reply = ""
        if kind == "working":
            self.heading, self.details = tr._("正在查询，请稍候……"), ""
        elif kind == "error":
            self.heading, self.details = tr._("暂时查不了"), tr.error(shown[1])
        else:
            self._answer(*shown[1:])
        Clock.schedule_once(self._bring_answer_into_view, 0.1)

    def _bring_answer_into_view(self, _dt: float) -> None:
        # the answer is under the boxes: show as much of it as fits, its headline first; but
        # never pull a box the citizen is typing in out of sight
        if self.receipt.box.focus or self.code.box.focus:
            return
        ids = self.ids
        ids.scroller.scroll_to(ids.reply if self.reply else ids.answer, padding=dp(16),
                               animate=False)
        ids.scroller.scroll_to(ids.state, padding=dp(16), animate=False)

    def _answer(self, a: StatusAnswer, configured: bool, filed_here: bool) -> None:
        if not a.found:
            self.heading = tr._("没有查到")
            offline = configured and not a.online and not filed_here
            self.details = tr._(OFFLINE if offline else NOT_FOUND)
            return
        lines = [tr._("回执号：{no}", no=a.receipt_no)]
        if a.waiting_upload:
            self.heading = tr._("申请已保存在本机，等待提交")
            lines.append(tr._("网络恢复后，本机会自动把申请提交给受理机关。"))
            lines.append(tr._("预计答复日期：{date}", date=long_date(a.due_date)))
            self.details = "\n".join(lines)
            return
        label = STATUS_LABELS.get(a.status or "", (a.status or "—",))[0]
        self.heading = tr._(label)
        if a.tracking_no:
            lines.append(tr._("受理编号：{no}", no=a.tracking_no))
        lines.append(tr._("答复期限：{date}", date=long_date(a.due_date)))
        if a.updated_at:
            lines.append(tr._("最近更新：{when}", when=long_time(a.updated_at)))
        if not a.online:
            lines.append(tr._("现在连不上中心系统，以上是 {when} 查到的情况。",
                              when=long_time(a.checked_at)))
        self.details = "\n".join(lines)
        if a.reply:
            self.reply = a.reply

    def leave(self) -> None:
        """返回: home, and nothing of the lookup stays."""
        self.wipe()
        App.get_running_app().go_home()

    def wipe(self) -> None:
        self._generation += 1
        self.receipt.wipe()
        self.code.wipe()
        self._shown = None
        self.heading = self.details = self.reply = ""
        self.busy = False
