"""The application wizard (依申请公开): who you are, what you need, how to receive it, check, file.

One screen, five steps, because a citizen who has never used a computer copes with a few big
boxes at a time and a clear way back, not with the whole paper form at once. Each 下一步 asks
`kiosk.applications.validation.validate` about the whole form and shows, under each box of the
current step, what is wrong with it; the screen itself judges nothing. Before the citizen says how
to receive the information, the catalogue is searched for it: if it is already published it can
be read (and printed) today instead of in twenty working days.

Filing, printing the receipt and everything else that waits on a disk, a printer or the network
runs on the `Office` thread; the screen shows the receipt as soon as the application is on disk.
What the citizen typed lives only in the widgets while the wizard is open and goes with `wipe()`.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.factory import Factory
from kivy.metrics import dp
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.screenmanager import Screen
from kivy.uix.widget import Widget

from printing import PrintError

from ..applications import Applications, InvalidApplication, Receipt
from ..applications.model import (
    APPLICANT_TYPE_LABELS,
    DELIVERY_LABELS,
    ID_TYPE_LABELS,
    MEDIA_LABELS,
)
from ..applications.validation import validate
from ..config import Config
from ..errors import KioskError
from ..printdesk import print_slip
from .forms import FormButton, FormChoice, FormField, long_date, on_ui
from .lang import tr

UPLOAD_WAIT = 10.0
"""Seconds the receipt waits for the upload started at filing, so that it can say "submitted"
rather than "saved, to be sent"; a slow or absent network only delays the slip this long."""

STEP_OF = {"who": 1, "what": 2, "offer": 2, "how": 3, "review": 4, "submitting": 5, "done": 5,
           "failed": 5, "confirm": 0}
STEP_TITLES = {1: "您的信息", 2: "需要什么信息", 3: "怎样获取", 4: "核对", 5: "提交"}
BACK_TO = {"what": "who", "offer": "what", "how": "what", "review": "how", "failed": "review"}
FORM_STAGES = ("who", "what", "how")

FEE_WAIVER = {"no": "不申请", "yes": "申请减免"}
SOMETHING_WRONG = KioskError("出现了问题，请联系工作人员。",
                             "Something went wrong. Please ask the staff.")


class Office:
    """`Applications` for the screens: opened on first use, used on one background thread.

    One thread, jobs in order: filing, a receipt waiting for the printer and a status question
    waiting for the network each take seconds and must never freeze the screen, and one at a
    time keeps the outbox's writes simple. Results come back on Kivy's thread.
    """

    def __init__(self, config: Config, data_dir: Path) -> None:
        self.config = config
        self.data_dir = Path(data_dir)
        self._apps: Applications | None = None
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="applications")

    @property
    def prints_receipts(self) -> bool:
        """A receipt is printed when a queue is named, as `kiosk-admin apply` does."""
        p = self.config.printing
        return bool(p.queue or p.receipt_queue)

    def service(self) -> Applications:
        """The service, opened by whichever background thread needs it first (opening reads the
        outbox key, which may fail: the error then reaches the screen that asked)."""
        with self._lock:
            if self._apps is None:
                self._apps = Applications(self.config, self.data_dir)
            return self._apps

    def run(self, job: Callable[[Applications], Any], done: Callable[[Any], None],
            failed: Callable[[Exception], None]) -> None:
        """`job(service)` on the office thread; `done(result)` or `failed(error)` on Kivy's.
        `failed` gets our errors (with `zh`/`en`) only: anything else is logged by type (its
        message might quote what the citizen typed) and becomes a general error."""

        def work() -> None:
            try:
                result = job(self.service())
            except (KioskError, PrintError) as e:
                on_ui(lambda e=e: failed(e))
                return
            except Exception as e:
                print(f"kiosk: applications job failed: {type(e).__name__}", file=sys.stderr,
                      flush=True)
                on_ui(lambda: failed(SOMETHING_WRONG))
                return
            on_ui(lambda: done(result))

        self._pool.submit(work)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        with self._lock:
            if self._apps is not None:
                self._apps.close()
                self._apps = None


def print_receipt(office: Office, apps: Applications, receipt: Receipt,
                  upload: threading.Thread | None) -> bool:
    """Print the slip (on the office thread); True when it came out of the printer.

    Waits a little for the upload started at filing so the slip can say whether the central
    system has the application; a printing failure leaves the application filed."""
    if upload is not None:
        upload.join(UPLOAD_WAIT)
    entry = apps.outbox.find(receipt.receipt_no)
    slip = replace(receipt.slip, sent=entry is not None and entry.state == "sent")
    outcome = print_slip(apps.config, office.data_dir, slip)
    if not outcome.ok:
        print(f"kiosk: receipt {receipt.receipt_no} not printed: {outcome.record.state}",
              file=sys.stderr, flush=True)
    return outcome.ok


class ApplyScreen(Screen):
    stage = StringProperty("who")
    step = NumericProperty(1)
    step_title = StringProperty("")
    wrong = NumericProperty(0)            # fields of this step the citizen must correct
    working = StringProperty("")          # what the screen is waiting for (Chinese)
    busy = BooleanProperty(False)         # filing or printing: the idle wipe must wait
    cancel_text = StringProperty("")      # the nav buttons' words (Chinese; kv translates)
    back_text = StringProperty("")
    next_text = StringProperty("")
    office: Office = ObjectProperty(None, allownone=True)
    worker = ObjectProperty(None, allownone=True)

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self._generation = 0          # bumped by wipe(): late answers for a wiped form are dropped
        self._before_confirm: tuple[str, float] = ("who", 1.0)
        self._offered_for: str | None = None
        self._hits: list[tuple[str, str, str]] = []
        self._receipt: Receipt | None = None
        self._printed: bool | None = None
        self._failure: Exception | None = None
        self._dynamic_ids: set[str] = set()
        self._build_fields()
        self.pages = {stage: self._page() for stage in (*FORM_STAGES, "dynamic")}
        self._fill_pages()
        tr.on_switch(self._relabel)
        self._go("who")

    # --- the form's fields ---------------------------------------------------------------------

    def _build_fields(self) -> None:
        self.kind = FormChoice("applicant.type", "您是", APPLICANT_TYPE_LABELS,
                               default=["citizen"])
        text = {
            "applicant.name": FormField("applicant.name", "姓名"),
            "applicant.id_number": FormField("applicant.id_number", "证件号码", latin=True,
                                             hint="居民身份证号码为18位"),
            "applicant.org_code": FormField("applicant.org_code", "统一社会信用代码", latin=True,
                                            hint="18位，见营业执照"),
            "applicant.legal_representative": FormField("applicant.legal_representative",
                                                        "法定代表人"),
            "applicant.contact_person": FormField("applicant.contact_person", "联系人"),
            "applicant.phone": FormField("applicant.phone", "联系电话", latin=True,
                                         hint="手机号码，或带区号的固定电话"),
            "request.description": FormField("request.description", "您需要什么信息",
                                             multiline=True,
                                             hint="请尽量写清楚，例如：哪一年、哪个地方、哪一类事情"),
            "request.title": FormField("request.title", "文件名称", optional=True),
            "request.doc_number": FormField("request.doc_number", "文号", optional=True,
                                            hint="例如：宿政办〔2021〕12号"),
            "request.index_no": FormField("request.index_no", "索引号", optional=True,
                                          latin=True, extras=("-", "/")),
            "applicant.email": FormField("applicant.email", "电子邮箱", optional=True,
                                         latin=True, extras=("@", ".", "_", "-"),
                                         hint="用电子邮件获取时必填"),
            "applicant.address": FormField("applicant.address", "通信地址", optional=True,
                                           hint="邮寄时必填"),
            "applicant.postcode": FormField("applicant.postcode", "邮政编码", optional=True,
                                            latin=True, hint="6位数字，邮寄时必填"),
        }
        choices = {
            "applicant.id_type": FormChoice("applicant.id_type", "证件类型", ID_TYPE_LABELS,
                                            default=["resident_id"]),
            "request.fee_waiver": FormChoice("request.fee_waiver", "是否申请减免费用", FEE_WAIVER,
                                             default=["no"]),
            "request.media": FormChoice("request.media", "信息的形式（载体形式）", MEDIA_LABELS,
                                        multi=True),
            "request.delivery": FormChoice("request.delivery", "怎样拿到信息（获取方式）",
                                           DELIVERY_LABELS),
        }
        self.fields: dict[str, FormField | FormChoice] = {"applicant.type": self.kind, **text,
                                                           **choices}
        for key, field in self.fields.items():
            short = key.partition(".")[2]
            self.ids[f"{short}_error"] = field.ids.error
            if isinstance(field, FormField):
                self.ids[short] = field.box
                App.get_running_app().attach_keyboard(field.box)
            else:
                for value, toggle in field.toggles.items():
                    self.ids[f"{short}_{value}"] = toggle
        self.kind.bind(chosen=lambda *_a: self._fill_pages())

    @property
    def organisation(self) -> bool:
        return self.kind.value == "organization"

    def _stage_fields(self, stage: str) -> list[FormField | FormChoice]:
        """The fields a form step shows, in order (the applicant type decides step 1)."""
        if stage == "who":
            keys = ["applicant.type", "applicant.name"]
            keys += (["applicant.org_code", "applicant.legal_representative",
                      "applicant.contact_person"] if self.organisation
                     else ["applicant.id_type", "applicant.id_number"])
            keys.append("applicant.phone")
        elif stage == "what":
            keys = ["request.description", "request.title", "request.doc_number",
                    "request.index_no", "request.fee_waiver"]
        else:
            keys = ["request.media", "request.delivery", "applicant.email", "applicant.address",
                    "applicant.postcode"]
        return [self.fields[k] for k in keys]

    @staticmethod
    def _page() -> BoxLayout:
        page = BoxLayout(orientation="vertical", size_hint_y=None, spacing=dp(20), height=0)
        page.bind(minimum_height=page.setter("height"))
        return page

    def _name(self, name: str, widget: Widget) -> Widget:
        """Give a widget Python built an id, as kv would, for the UI tests and the tour."""
        self.ids[name] = widget
        self._dynamic_ids.add(name)
        return widget

    def _forget_dynamic(self) -> None:
        for name in self._dynamic_ids:
            self.ids.pop(name, None)
        self._dynamic_ids.clear()

    def _fill_pages(self) -> None:
        """Put each step's fields on its page; an organisation has other fields than a person."""
        self.fields["applicant.name"].label = "单位名称" if self.organisation else "姓名"
        for stage in FORM_STAGES:
            page = self.pages[stage]
            for child in list(page.children):
                page.remove_widget(child)
            for field in self._stage_fields(stage):
                if field.parent is not None:
                    field.parent.remove_widget(field)
                if field.key == "request.title":
                    page.add_widget(Factory.FormHeading(text=tr._("如果知道，也可以填写：")))
                page.add_widget(field)
        if self.stage == "who":  # the other kind of applicant has other fields to correct
            self.wrong = sum(1 for f in self._stage_fields("who") if f.error)

    def _applicant(self) -> dict[str, Any]:
        def text(key: str) -> str:
            return self.fields[f"applicant.{key}"].value

        applicant: dict[str, Any] = {"type": self.kind.value, "name": text("name"),
                                     "phone": text("phone"), "email": text("email"),
                                     "address": text("address"), "postcode": text("postcode")}
        if self.organisation:
            for key in ("org_code", "legal_representative", "contact_person"):
                applicant[key] = text(key)
        else:
            applicant["id_type"] = self.fields["applicant.id_type"].value
            applicant["id_number"] = text("id_number")
        return applicant

    def _request(self) -> dict[str, Any]:
        f = self.fields
        return {"description": f["request.description"].value, "title": f["request.title"].value,
                "doc_number": f["request.doc_number"].value,
                "index_no": f["request.index_no"].value, "media": f["request.media"].value,
                "delivery": f["request.delivery"].value,
                "fee_waiver": f["request.fee_waiver"].value == "yes"}

    def _problems(self) -> dict[str, Any]:
        try:
            validate(self._applicant(), self._request())
        except InvalidApplication as exc:
            return exc.fields
        return {}

    def _check(self, stage: str, problems: dict[str, Any] | None = None) -> bool:
        """Show under each field of `stage` what is wrong with it; True if nothing is."""
        problems = self._problems() if problems is None else problems
        fields = self._stage_fields(stage)
        for field in fields:
            field.show(problems.get(field.key))
        wrong = [f for f in fields if f.key in problems]
        self.wrong = len(wrong)
        if wrong:
            self.app_hide_keyboard()
            Clock.schedule_once(lambda _dt: self.ids.scroller.scroll_to(
                wrong[0], padding=dp(24), animate=False), 0.1)
        return not wrong

    @staticmethod
    def app_hide_keyboard() -> None:
        app = App.get_running_app()
        if getattr(app, "keyboard", None) is not None:  # none yet while the app is built
            app.hide_keyboard()

    @property
    def pristine(self) -> bool:
        """Nothing entered: no need to confirm a cancel, and nothing for the idle rule to keep."""
        return (self.stage == "who" and self._receipt is None
                and all(not f.value for f in self.fields.values() if isinstance(f, FormField))
                and all(f.chosen == f.default for f in self.fields.values()
                        if isinstance(f, FormChoice)))

    # --- moving between steps ------------------------------------------------------------------

    def _go(self, stage: str) -> None:
        self.app_hide_keyboard()
        self.stage = stage
        self.step = STEP_OF[stage]
        self.step_title = STEP_TITLES.get(self.step, "")
        self.working = ""
        if stage in FORM_STAGES:
            self.wrong = sum(1 for f in self._stage_fields(stage) if f.error)
        else:
            self.wrong = 0
        self.cancel_text = "取消" if stage in (*FORM_STAGES, "offer", "review", "failed") else ""
        self.back_text = {"confirm": "继续填写"}.get(stage, "上一步" if stage in BACK_TO else "")
        self.next_text = {"who": "下一步", "what": "下一步", "offer": "仍要申请", "how": "下一步",
                          "review": "提交申请", "done": "完成", "failed": "再试一次",
                          "confirm": "确定取消申请"}.get(stage, "")
        self._show_page()
        self.ids.scroller.scroll_y = 1

    def _show_page(self) -> None:
        body = self.ids.body
        body.clear_widgets()
        if self.stage in FORM_STAGES:
            body.add_widget(self.pages[self.stage])
            return
        page = self.pages["dynamic"]
        page.clear_widgets()
        self._forget_dynamic()
        build = {"offer": self._offer_page, "review": self._review_page,
                 "submitting": self._submitting_page, "done": self._done_page,
                 "failed": self._failed_page, "confirm": self._confirm_page}[self.stage]
        build(page)
        body.add_widget(page)

    def _relabel(self) -> None:
        """The language changed: rebuild what Python wrote (kv rules follow by themselves)."""
        if self.stage not in FORM_STAGES:
            self._show_page()
        self._fill_pages()

    def next(self) -> None:
        if self.busy and self.stage != "done":  # 完成 need not wait for the printer
            return
        stage = self.stage
        if stage == "who" and self._check("who"):
            self._go("what")
        elif stage == "what" and self._check("what"):
            self._look_for_published()
        elif stage == "offer":
            self._go("how")
        elif stage == "how" and self._check("how"):
            self._go("review")
        elif stage in ("review", "failed"):
            self._submit()
        elif stage in ("done", "confirm"):  # 完成, or 确定取消申请
            self.finish()

    def back(self) -> None:
        if self.busy:
            return
        if self.stage == "confirm":  # 继续填写: the page as it was, scrolled as it was
            stage, where = self._before_confirm
            self._go(stage)
            Clock.schedule_once(lambda _dt: setattr(self.ids.scroller, "scroll_y", where))
        elif self.stage in BACK_TO:
            self._go(BACK_TO[self.stage])

    def edit(self, stage: str) -> None:
        """修改 on the review page: back to that step, with what was entered."""
        self._go(stage)

    def cancel(self) -> None:
        if self.busy:
            return
        if self.pristine:
            self.finish()
            return
        self._before_confirm = (self.stage, self.ids.scroller.scroll_y)
        self._go("confirm")

    def finish(self) -> None:
        """完成, or a confirmed cancel: nothing of this application stays on the screen."""
        self.wipe()
        App.get_running_app().go_home()

    # --- already published? --------------------------------------------------------------------

    def _look_for_published(self) -> None:
        description = self.fields["request.description"].value.strip()
        if description == self._offered_for:  # already offered for these words
            self._go("how")
            return
        self.busy, self.working = True, "正在查找已经公开的信息……"
        generation, office = self._generation, self.office

        def job(cat):
            try:
                hits = office.service().already_published(cat, description)
            except Exception as e:  # a courtesy: filing must not depend on it
                print(f"kiosk: already-published lookup failed: {type(e).__name__}",
                      file=sys.stderr, flush=True)
                return []
            return [(h.id, h.item.title, f"{h.item.agency} · {h.item.published_date}")
                    for h in hits]

        def found(hits: list) -> None:
            if generation != self._generation:
                return
            self.busy = False
            self._offered_for, self._hits = description, hits
            self._go("offer" if hits else "how")

        self.worker.submit(job, found)

    def open_item(self, item_id: str) -> None:
        App.get_running_app().open_item(item_id, back="apply")

    # --- filing --------------------------------------------------------------------------------

    def _submit(self) -> None:
        applicant, request = self._applicant(), self._request()
        generation = self._generation
        self.busy = True
        self._go("submitting")
        self.office.run(lambda apps: apps.submit(applicant, request, entered_by="citizen"),
                        lambda receipt: self._filed(generation, receipt),
                        lambda error: self._not_filed(generation, error))

    def _filed(self, generation: int, receipt: Receipt) -> None:
        if generation != self._generation:
            return
        print(f"kiosk: application filed: {receipt.receipt_no}", file=sys.stderr, flush=True)
        self._receipt, self._failure = receipt, None
        upload = App.get_running_app().nudge_upload()
        if self.office.prints_receipts and receipt.slip is not None:
            self._printed = None  # printing
            office = self.office
            self.office.run(lambda apps: print_receipt(office, apps, receipt, upload),
                            lambda ok: self._slip_done(generation, ok),
                            lambda error: self._slip_failed(generation, error))
        else:
            self._printed = False
            self.busy = False
        self._go("done")

    def _slip_failed(self, generation: int, error: Exception) -> None:
        print(f"kiosk: receipt not printed: {getattr(error, 'en', type(error).__name__)}",
              file=sys.stderr, flush=True)
        self._slip_done(generation, False)

    def _slip_done(self, generation: int, ok: bool) -> None:
        if generation != self._generation:
            return
        self._printed = ok
        self.busy = False
        if self.stage == "done":
            self._show_page()

    def _not_filed(self, generation: int, error: Exception) -> None:
        if generation != self._generation:
            return
        self.busy = False
        if isinstance(error, InvalidApplication):
            problems = error.fields
            for stage in FORM_STAGES:
                if any(f.key in problems for f in self._stage_fields(stage)):
                    self._go(stage)
                    self._check(stage, problems)
                    return
        self._failure = error
        self._go("failed")

    # --- the pages Python writes ---------------------------------------------------------------

    def _offer_page(self, page: BoxLayout) -> None:
        page.add_widget(Factory.FormHeading(text=tr._("这些信息已经公开，可以直接查看")))
        page.add_widget(Factory.FormLabel(
            text=tr._("点标题就能阅读和打印。如果都不是您要的，请点“仍要申请”。")))
        for n, (item_id, title, meta) in enumerate(self._hits):
            item = Factory.OfferItem(text=f"{title}\n{meta}")
            item.bind(on_release=lambda _b, i=item_id: self.open_item(i))
            self._name(f"offer_{n}", item)
            page.add_widget(item)

    def _review_page(self, page: BoxLayout) -> None:
        page.add_widget(Factory.FormLabel(text=tr._("请核对。要改哪一部分，就点那一部分的“修改”。")))
        a, r = self._applicant(), self._request()
        try:  # as it will be filed: numbers normalised (x → X, spaces out), text trimmed
            person, wanted = validate(a, r)
            a, r = person.to_dict(), wanted.to_dict()
        except InvalidApplication:
            pass  # as typed; submitting will say what is wrong
        if self.organisation:
            who = [("申请人类型", tr._(APPLICANT_TYPE_LABELS["organization"])),
                   ("单位名称", a["name"]), ("统一社会信用代码", a["org_code"]),
                   ("法定代表人", a["legal_representative"]), ("联系人", a["contact_person"])]
        else:
            who = [("申请人类型", tr._(APPLICANT_TYPE_LABELS["citizen"])), ("姓名", a["name"]),
                   ("证件类型", tr._(ID_TYPE_LABELS.get(a["id_type"] or "", "—"))),
                   ("证件号码", a["id_number"])]
        who.append(("联系电话", a["phone"]))
        what = [("您需要什么信息", r["description"]), ("文件名称", r["title"]),
                ("文号", r["doc_number"]), ("索引号", r["index_no"]),
                ("是否申请减免费用", tr._(FEE_WAIVER["yes" if r["fee_waiver"] else "no"]))]
        how = [("信息的形式（载体形式）", "、".join(tr._(MEDIA_LABELS[m]) for m in r["media"])),
               ("怎样拿到信息（获取方式）", tr._(DELIVERY_LABELS.get(r["delivery"] or "", "—"))),
               ("电子邮箱", a["email"]), ("通信地址", a["address"]), ("邮政编码", a["postcode"])]
        for stage, heading, rows in (("who", "您的信息", who), ("what", "需要什么信息", what),
                                     ("how", "怎样获取", how)):
            bar = BoxLayout(size_hint_y=None, height=dp(84), spacing=dp(16))
            bar.add_widget(Factory.FormHeading(text=tr._(heading), size_hint_y=1))
            edit = FormButton(text=tr._("修改"), pos_hint={"center_y": 0.5},
                              on_release=lambda _b, s=stage: self.edit(s))
            self._name(f"edit_{stage}", edit)
            bar.add_widget(edit)
            page.add_widget(bar)
            grid = GridLayout(cols=2, size_hint_y=None, spacing=(dp(20), dp(8)))
            grid.bind(minimum_height=grid.setter("height"))
            for label, value in rows:
                if value:
                    grid.add_widget(Factory.ReviewKey(text=tr._(label)))
                    grid.add_widget(Factory.ReviewValue(text=str(value)))
            page.add_widget(grid)

    def _submitting_page(self, page: BoxLayout) -> None:
        page.add_widget(Factory.FormHeading(text=tr._("正在提交，请稍候……")))

    def _done_page(self, page: BoxLayout) -> None:
        receipt = self._receipt
        if receipt is None:
            return
        page.add_widget(Factory.FormHeading(text=tr._("申请已经提交")))
        grid = GridLayout(cols=2, size_hint_y=None, spacing=(dp(24), dp(8)))
        grid.bind(minimum_height=grid.setter("height"))
        for name, label, value in (("receipt_no", "回执号", receipt.receipt_no),
                                   ("query_code", "查询码", receipt.query_code)):
            grid.add_widget(Factory.ReviewKey(text=tr._(label), size_hint_x=None, width=dp(200),
                                              valign="middle", size_hint_y=1))
            number = Factory.ReceiptNumber(text=value)
            self._name(name, number)
            grid.add_widget(number)
        page.add_widget(grid)
        due = Factory.FormLabel(text=tr._("预计在 {date} 前答复（20个工作日内）",
                                          date=long_date(receipt.expected_due)))
        self._name("due", due)
        page.add_widget(due)
        if self._printed is None:
            note = "正在打印回执，请稍候……"
        elif self._printed:
            note = "回执已经打印，请在打印机处取走。"
        elif self.office.prints_receipts:
            note = "回执没能打印出来。请把上面的回执号和查询码抄下来，申请已经保存。"
        else:
            note = "请把上面的回执号和查询码抄下来或拍照保存。"
        printed = Factory.FormHeading(text=tr._(note))
        self._name("print_note", printed)
        page.add_widget(printed)
        page.add_widget(Factory.FormLabel(text=tr._(
            "以后凭回执号和查询码，可以在“查询申请进度”里查看办理情况，也可以问工作人员。"
            "答复会按您选择的方式送达。")))

    def _failed_page(self, page: BoxLayout) -> None:
        page.add_widget(Factory.FormHeading(text=tr._("申请没有提交成功")))
        if self._failure is not None:
            failure = Factory.FormLabel(text=tr.error(self._failure))
            self._name("failure", failure)
            page.add_widget(failure)
        page.add_widget(Factory.FormLabel(
            text=tr._("您填写的内容都还在。可以点“再试一次”，或请工作人员帮助。")))

    def _confirm_page(self, page: BoxLayout) -> None:
        page.add_widget(Widget(size_hint_y=None, height=dp(40)))
        page.add_widget(Factory.BigQuestion(text=tr._("确定不申请了吗？")))
        page.add_widget(Factory.FormLabel(text=tr._("您已经填写的内容会全部清除。")))

    # --- the end of a visit --------------------------------------------------------------------

    def wipe(self) -> None:
        """Clear every field, message and number; back to step 1 (idle, 完成, cancel)."""
        self._generation += 1
        for field in self.fields.values():
            field.wipe()
        self._offered_for, self._hits = None, []
        self._receipt, self._printed, self._failure = None, None, None
        self.pages["dynamic"].clear_widgets()
        self._forget_dynamic()
        self.busy = False
        self._go("who")
