"""The staff page behind the PIN: catalogue sync, the outbox, the printer, the month's figures, and
the only way out of the kiosk.

Two screens. `StaffPinScreen` is a keypad (big digit keys, never the text keyboard, so nothing
typed shows in a candidate bar); the PIN, its tries and its lock are `kiosk.staff_pin`'s, checked
on a thread because scrypt is slow on purpose. `StaffScreen` is the page itself, in tabs.

Everything that reads a database, a file, CUPS or the network runs on a thread of its own and
hands its answer to the screen through `Clock`; the staff member can switch tabs while a sync
runs. The sync runs `Catalogue.sync` on such a thread, with its own `Catalogue` object (the
screens' worker keeps searching meanwhile), because that is where its progress callback can be
read as it happens; the catalogue's writer lock keeps it from overlapping a background sync.

Nothing personal is shown: the outbox tab gives counts by state and receipt numbers, as
`kiosk.applications.outbox.Entry` allows; figures are counts.
"""

from __future__ import annotations

import datetime as dt
import math
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from kivy.clock import Clock
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen

from index import Catalogue, RetryPolicy
from index.sync import SyncReport
from printing import PrintError
from printing.desk import PrintDesk

from .. import central
from ..admin.report import figures
from ..applications import Applications
from ..config import Config
from ..staff_pin import MAX_DIGITS, MIN_DIGITS, STAFF_PIN_FILE, Attempt, StaffPin
from .home import home_model
from .lang import tr

SYNC_LOCK_WAIT = 5.0
"""Seconds 立即同步 waits for a background sync or import to finish before saying it is busy."""
RECENT_JOBS = 8
UNSENT_SHOWN = 6


def in_background(name: str, job: Callable[[], Any], done: Callable[[Any], None]) -> None:
    """Run `job` on a thread of its own and give `done` its result, or the exception it raised,
    on the UI thread. Daemon threads: leaving the kiosk never waits for a sync to finish (every
    page of a sync is one transaction, so an interrupted one resumes next time)."""

    def run() -> None:
        try:
            result = job()
        except Exception as e:
            if not hasattr(e, "zh"):
                print(f"kiosk: staff: {name} failed: {type(e).__name__}: {e}", file=sys.stderr,
                      flush=True)
            result = e
        Clock.schedule_once(lambda _dt: done(result))

    threading.Thread(target=run, name=f"staff-{name}", daemon=True).start()


def problem_text(e: BaseException) -> str:
    """An exception in words: ours carry `zh`/`en`; anything else is reported as unexpected."""
    if hasattr(e, "zh"):
        return tr.error(e)
    return tr._("出现意外错误（{kind}），请联系技术支持。", kind=type(e).__name__)


def when(iso: str | None) -> str:
    """An ISO 8601 time as staff read it: 2026-11-23 10:05."""
    return iso[:16].replace("T", " ") if iso else ""


# --- what the tabs show, gathered off the UI thread ----------------------------------------------


def outbox_model(config: Config, data_dir: Path) -> dict:
    """Counts by state and the receipt numbers not yet at the central system; no outbox yet is
    an empty one (opening one would create it, and its key, just to say zero)."""
    if not (data_dir / "outbox.sqlite3").exists():
        return {"counts": {}, "unsent": []}
    with Applications(config, data_dir) as apps:
        unsent = [e for e in apps.outbox.entries() if e.state != "sent"]
        return {"counts": apps.outbox.counts(),
                "unsent": [(e.receipt_no, e.state) for e in reversed(unsent)][:UNSENT_SHOWN]}


def upload_now(config: Config, data_dir: Path) -> dict:
    """Offer every waiting application now, including those backing off after a failure: staff
    press 立即上传 because they believe the line is back."""
    done = {"sent": 0, "needs_staff": 0, "parked": 0, "stopped": None, "tried": 0}
    if not (data_dir / "outbox.sqlite3").exists():
        return done
    with Applications(config, data_dir) as apps:
        waiting = [e.receipt_no for e in apps.outbox.entries("pending")]
        done["tried"] = len(waiting)
        for receipt_no in waiting:
            report = apps.send(only=receipt_no)
            for key in ("sent", "needs_staff", "parked"):
                done[key] += len(getattr(report, key))
            if report.stopped:
                done["stopped"] = SimpleNamespace(**report.stopped)
                break
        return done


def printer_model(desk: PrintDesk) -> dict:
    """The kiosk's queue as CUPS reports it, with what staff should do, and the last jobs."""
    model: dict[str, Any] = {"jobs": desk.log.recent(RECENT_JOBS), "error": None}
    try:
        name = desk.queue()
        state = desk.spooler.queue(name)
    except PrintError as e:
        model["error"] = e
        return model
    model.update(name=name, ready=state.ready,
                 problems=[SimpleNamespace(zh=p.staff_zh, en=p.staff_en) for p in state.problems])
    return model


def figures_model(config: Config, data_dir: Path, month: str) -> dict:
    if not (data_dir / "outbox.sqlite3").exists():  # no applications yet: nothing to open
        return figures(data_dir, SimpleNamespace(outbox=SimpleNamespace(entries=list)), month)
    with Applications(config, data_dir) as apps:
        return figures(data_dir, apps, month)


def run_sync(config: Config, data_dir: Path, progress: Callable[[str, int, int], None]
             ) -> SyncReport:
    c = config.central
    with central.session_for(c, config.path) as session:
        cat = Catalogue(data_dir, prepare=False)
        try:
            return cat.sync(session, c.url or "", page_size=c.page_size,
                            policy=RetryPolicy(timeout=c.timeout), progress=progress,
                            wait=SYNC_LOCK_WAIT)
        finally:
            cat.close()


# --- the PIN pad ---------------------------------------------------------------------------------


class StaffPinScreen(Screen):
    dots = StringProperty("")
    message = StringProperty("")
    pin = StringProperty("")  # "set", "unset", or "" until the file has been read
    checking = BooleanProperty(False)

    def __init__(self, pin_file: Path, on_open: Callable[[], None], **kw) -> None:
        super().__init__(**kw)
        self._pin = StaffPin(pin_file)
        self._on_open = on_open
        self._entered = ""
        self._say: Callable[[], str] = str
        self._visit = 0  # bumped on every wipe: an answer for an earlier visit is dropped
        tr.on_switch(lambda: setattr(self, "message", self._say()))

    def _tell(self, say: Callable[[], str]) -> None:
        self._say = say
        self.message = say()

    def begin(self) -> None:
        """Shown afresh: an empty pad, and whether a PIN exists at all (a file read: off the UI)."""
        self.wipe()
        visit = self._visit

        def known(answer: Any) -> None:
            if visit != self._visit:
                return
            if isinstance(answer, Exception):  # a damaged file: the pad, and why it fails
                self.pin = "set"
                self._tell(lambda: problem_text(answer))
            else:
                self.pin = "set" if answer else "unset"

        in_background("pin", lambda: self._pin.is_set, known)

    def press(self, digit: str) -> None:
        if len(self._entered) < MAX_DIGITS:
            self._entered += digit
            self.dots = "●" * len(self._entered)

    def clear(self) -> None:
        self._entered, self.dots = "", ""

    def enter(self) -> None:
        if self.checking or not self._entered:
            return
        pin = self._entered
        self.clear()
        if len(pin) < MIN_DIGITS:  # never a PIN: not worth a try
            self._tell(lambda: tr._("密码为 {low} 到 {high} 位数字。", low=MIN_DIGITS, high=MAX_DIGITS))
            return
        self.checking = True
        visit = self._visit
        in_background("pin", lambda: self._pin.check(pin), lambda a: self._checked(visit, a))

    def _checked(self, visit: int, answer: Attempt | Exception) -> None:
        if visit != self._visit:  # the pad was left meanwhile: never open the page behind it
            return
        self.checking = False
        if isinstance(answer, Exception):
            self._tell(lambda: problem_text(answer))
        elif answer.ok:
            print("kiosk: staff: page opened", file=sys.stderr, flush=True)
            self._on_open()
        elif answer.locked_for > 0:
            minutes = math.ceil(answer.locked_for / 60)
            self._tell(lambda: tr._("密码错误次数过多，已锁定。请 {m} 分钟后再试。", m=minutes))
        elif answer.tries_left == 0:  # the PIN file went away meanwhile
            self.pin = "unset"
        else:
            left = answer.tries_left
            self._tell(lambda: tr._("密码不正确，还可以再试 {n} 次。", n=left))

    def wipe(self) -> None:
        self.clear()
        self._tell(str)
        self.checking = False
        self.pin = ""
        self._visit += 1

    def on_leave(self, *_args) -> None:
        self.wipe()


# --- the staff page ------------------------------------------------------------------------------


class StaffPanel(BoxLayout):
    """One tab's content. `page` (the screen) holds the data and builds the words: `render`
    asks it again, as a language switch needs."""

    page = ObjectProperty(None, allownone=True)
    renderer = ""

    def render(self) -> None:
        if self.renderer and self.page is not None:
            getattr(self.page, self.renderer)()


class SyncPanel(StaffPanel):
    renderer = "render_sync"
    last = StringProperty("")
    items = StringProperty("")
    status = StringProperty("")
    running = BooleanProperty(False)
    percent = NumericProperty(-1)  # -1: no percentage known
    configured = BooleanProperty(True)


class OutboxPanel(StaffPanel):
    renderer = "render_outbox"
    counts = StringProperty("")
    unsent = StringProperty("")
    status = StringProperty("")
    running = BooleanProperty(False)


class PrinterPanel(StaffPanel):
    renderer = "render_printer"
    state = StringProperty("")
    problems = StringProperty("")
    jobs = StringProperty("")


class FiguresPanel(StaffPanel):
    renderer = "render_figures"
    month = StringProperty("")
    rows = StringProperty("")
    values = StringProperty("")


class ExitPanel(StaffPanel):
    pass


OUTBOX_STATES = {"pending": "等待上传", "sent": "已送达中心", "needs_staff": "需工作人员更正",
                 "parked": "被中心拒收，待处理"}
JOB_STATES = {"queued": "已发送", "printing": "打印中", "completed": "已完成", "failed": "失败",
              "cancelled": "已取消"}
FIGURES = (("visits", "来访人次"), ("searches", "检索次数"), ("zero_result_searches", "无结果的检索"),
           ("items_read", "查阅信息条数"), ("pages_printed", "打印页数"),
           ("applications", "依申请公开申请"))


class StaffScreen(Screen):
    tab = StringProperty("sync")

    def __init__(self, *, app: Any, config: Config, data_dir: Path, **kw) -> None:
        super().__init__(**kw)
        self.app, self.config, self.data_dir = app, config, data_dir
        self.panels: dict[str, StaffPanel] = {
            "sync": SyncPanel(page=self), "outbox": OutboxPanel(page=self),
            "printer": PrinterPanel(page=self), "figures": FiguresPanel(page=self),
            "exit": ExitPanel(page=self)}
        self._sync_summary: dict | None = None
        self._sync_outcome: Callable[[], str] = str
        self._progress: tuple[str, int, int] | None = None
        self._pages = self._changes = 0
        self._ticker = None
        self._outbox: dict | Exception | None = None
        self._upload: Callable[[], str] = str
        self._printer: dict | None = None
        self._figures: dict | Exception | None = None
        self.panels["sync"].configured = config.central.configured
        tr.on_switch(self._render_all)

    # --- tabs --------------------------------------------------------------------------------

    def open(self) -> None:
        """Just past the PIN: start on the sync tab."""
        self.show_tab("sync")

    def show_tab(self, tab: str) -> None:
        self.tab = tab
        box = self.ids.section
        box.clear_widgets()
        box.add_widget(self.panels[tab])
        {"sync": self.load_sync, "outbox": self.load_outbox, "printer": self.load_printer,
         "figures": self.load_figures, "exit": lambda: None}[tab]()
        self.panels[tab].render()

    def _render_all(self) -> None:
        for panel in self.panels.values():
            panel.render()

    def wipe(self) -> None:
        """Leaving the page (返回首页, idle) forgets everything shown; a running sync or upload
        goes on and is shown again next time."""
        self.tab = "sync"
        self.ids.section.clear_widgets()
        if not self.panels["sync"].running:
            self._sync_outcome = str
        if not self.panels["outbox"].running:
            self._upload = str
        self._outbox = self._printer = self._figures = None
        self._render_all()

    def on_leave(self, *_args) -> None:
        self.wipe()

    # --- 目录同步 ------------------------------------------------------------------------------

    def load_sync(self) -> None:
        def shown(stats: dict) -> None:
            self._sync_summary = stats
            self.render_sync()

        self.app.worker.submit(lambda cat: cat.stats(), shown)

    def render_sync(self) -> None:
        p = self.panels["sync"]
        s = self._sync_summary
        if s is None:
            p.last = p.items = ""
        else:
            sync = s["sync"]
            success, error = sync["last_success_at"], sync["last_error"]
            p.last = (tr._("上次同步成功：{when}", when=when(success)) if success
                      else tr._("尚未与中心系统同步过。"))
            if error and (not success or sync["last_attempt_at"] > success):
                p.last += "\n" + tr._("上次同步未完成（{when}）：{why}", when=when(error["at"]),
                                      why=tr.error(SimpleNamespace(**error)))
            p.items = tr._("目录共 {n} 条信息", n=s["items"])
            if s["last_updated"]:
                p.items += tr._("，更新于 {when}", when=when(s["last_updated"]))
        if not p.configured:
            p.status = tr._("本机未配置中心系统，不能联网同步；请用导入包更新目录（kiosk-admin import）。")
        elif p.running:
            p.status = self._progress_words()
        else:
            p.status = self._sync_outcome()

    def sync_now(self) -> None:
        p = self.panels["sync"]
        if p.running or not p.configured:
            return
        p.running, p.percent = True, -1
        self._progress, self._pages, self._changes = None, 0, 0
        self._ticker = Clock.schedule_interval(lambda _dt: self.render_sync(), 0.25)
        print("kiosk: staff: sync started", file=sys.stderr, flush=True)
        in_background("sync", lambda: run_sync(self.config, self.data_dir, self._progressed),
                      self._synced)
        self.render_sync()

    def _progressed(self, stage: str, done: int, total: int) -> None:
        # on the sync thread: only note it; the ticker shows it on the UI thread
        if stage == "pages":
            self._pages = done
        elif stage == "changes":
            self._changes = done
        self._progress = (stage, done, total)

    def _progress_words(self) -> str:
        p = self.panels["sync"]
        if self._progress is None:
            p.percent = -1
            return tr._("正在连接中心系统……")
        stage, done, total = self._progress
        p.percent = min(100, 100 * done // total) if total else -1
        if stage in ("pages", "changes"):
            return tr._("正在读取中心目录：已读 {pages} 页，{changes} 条变更……",
                        pages=self._pages, changes=self._changes)
        if stage in ("index", "rebuild"):
            return tr._("正在更新检索索引：{p}%", p=max(p.percent, 0))
        if stage == "download":
            return tr._("正在下载附件：{p}%", p=max(p.percent, 0))
        return tr._("正在同步……")

    def _synced(self, answer: Any) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
        self.panels["sync"].running = False
        if isinstance(answer, Exception):
            self._sync_outcome = lambda: tr._("同步失败：{why}", why=problem_text(answer))
            print(f"kiosk: staff: sync failed: {getattr(answer, 'en', type(answer).__name__)}",
                  file=sys.stderr, flush=True)
        else:
            c = answer.counts
            words = {"added": c.added, "updated": c.updated, "deleted": c.deleted,
                     "rejected": answer.rejected_total}

            def outcome() -> str:
                text = tr._("同步完成：新增 {added} 条，更新 {updated} 条，撤下 {deleted} 条。", **words)
                if words["rejected"]:
                    text += tr._("另有 {rejected} 条内容有误，未收入。", **words)
                return text

            self._sync_outcome = outcome
            print(f"kiosk: staff: sync done: +{c.added} ~{c.updated} -{c.deleted}", file=sys.stderr,
                  flush=True)
        self.render_sync()
        self.load_sync()
        self.app.worker.submit(home_model, self.app.screen.show)  # the citizen's count, too

    # --- 申请发件箱 ----------------------------------------------------------------------------

    def load_outbox(self) -> None:
        def shown(model: Any) -> None:
            self._outbox = model
            self.render_outbox()

        in_background("outbox", lambda: outbox_model(self.config, self.data_dir), shown)

    def render_outbox(self) -> None:
        p = self.panels["outbox"]
        model = self._outbox
        p.status = self._upload()
        if model is None:
            p.counts = p.unsent = ""
        elif isinstance(model, Exception):
            p.counts, p.unsent = problem_text(model), ""
        else:
            p.counts = "\n".join(tr._("{state}：{n} 件", state=tr._(words), n=model["counts"].get(s, 0))
                                 for s, words in OUTBOX_STATES.items())
            rows = [f"{no}    {tr._(OUTBOX_STATES.get(state, state))}" for no, state in model["unsent"]]
            p.unsent = (tr._("未送达的申请（回执编号）：") + "\n" + "\n".join(rows)) if rows else ""

    def upload(self) -> None:
        p = self.panels["outbox"]
        if p.running:
            return
        p.running = True
        self._upload = lambda: tr._("正在上传……")
        self.render_outbox()
        in_background("upload", lambda: upload_now(self.config, self.data_dir), self._uploaded)

    def _uploaded(self, answer: Any) -> None:
        self.panels["outbox"].running = False
        if isinstance(answer, Exception):
            self._upload = lambda: tr._("上传失败：{why}", why=problem_text(answer))
        else:
            def outcome() -> str:
                if not answer["tried"]:
                    return tr._("没有等待上传的申请。")
                text = tr._("已上传 {n} 件。", n=answer["sent"])
                if answer["needs_staff"] or answer["parked"]:
                    text += tr._("{n} 件被中心退回，需要工作人员处理。",
                                 n=answer["needs_staff"] + answer["parked"])
                if answer["stopped"] is not None:
                    text += tr._("上传中断：{why}", why=tr.error(answer["stopped"]))
                return text

            self._upload = outcome
            print(f"kiosk: staff: upload: {answer['sent']} of {answer['tried']} sent",
                  file=sys.stderr, flush=True)
        self.load_outbox()

    # --- 打印机 --------------------------------------------------------------------------------

    def load_printer(self) -> None:
        def shown(model: Any) -> None:
            self._printer = model if isinstance(model, dict) else {"error": model, "jobs": []}
            self.render_printer()

        in_background("printer", lambda: printer_model(self.app.printing.desk), shown)

    def render_printer(self) -> None:
        p = self.panels["printer"]
        m = self._printer
        if m is None:
            p.state = p.problems = p.jobs = ""
            return
        if m["error"] is not None:
            p.state, p.problems = problem_text(m["error"]), ""
        else:
            p.state = (tr._("打印队列 {name}：正常", name=m["name"]) if m["ready"]
                       else tr._("打印队列 {name}：需要处理", name=m["name"]))
            p.problems = "\n".join(tr.error(x) for x in m["problems"])
        rows = []
        for r in m["jobs"]:
            what = tr._("回执") if r.kind == "receipt" else (r.item_id or "")
            if r.attachment:
                what += f" / {r.attachment}"
            rows.append(tr._("#{id}  {at}  {state}  {pages} 页 × {copies} 份  {what}", id=r.id,
                             at=r.created_at[5:16].replace("T", " "),
                             state=tr._(JOB_STATES.get(r.state, r.state)), pages=r.pages,
                             copies=r.copies, what=what))
        p.jobs = (tr._("最近的打印任务：") + "\n" + "\n".join(rows)) if rows else tr._("还没有打印任务。")

    # --- 使用统计 ------------------------------------------------------------------------------

    def load_figures(self) -> None:
        month = dt.date.today().strftime("%Y-%m")

        def shown(model: Any) -> None:
            self._figures = model
            self.render_figures()

        in_background("figures", lambda: figures_model(self.config, self.data_dir, month), shown)

    def render_figures(self) -> None:
        p = self.panels["figures"]
        m = self._figures
        if m is None:
            p.month = p.rows = p.values = ""
        elif isinstance(m, Exception):
            p.month, p.rows, p.values = problem_text(m), "", ""
        else:
            year, month = m["month"].split("-")
            p.month = tr._("{year} 年 {month} 月", year=year, month=int(month))
            p.rows = "\n".join(tr._(label) for _key, label in FIGURES)
            p.values = "\n".join(str(m[key]) for key, _label in FIGURES)

    # --- 退出查阅机 ----------------------------------------------------------------------------

    def exit_kiosk(self) -> None:
        print("kiosk: staff: exit confirmed, stopping", file=sys.stderr, flush=True)
        self.app.stop()


def staff_screens(app: Any, config: Config, data_dir: Path) -> tuple[StaffPinScreen, StaffScreen]:
    """The PIN pad and the page, wired to each other and to the app."""
    page = StaffScreen(name="staff", app=app, config=config, data_dir=data_dir)

    def opened() -> None:
        app.screens.current = "staff"
        page.open()

    pin = StaffPinScreen(name="staff_pin", pin_file=data_dir / STAFF_PIN_FILE, on_open=opened)
    return pin, page
