"""`kiosk --tour OUT`: the real app, driven through every screen by touches, photographed.

The README's pictures come from here, so they show the product as it is, not as it was drawn.
Decisions:
- The tour never touches the venue's real data: it runs on a copy of the data directory in a
  temporary directory, with its own configuration (the venue name is kept), so the application
  it files and the staff PIN it sets vanish with the copy, and nothing is uploaded (no central
  system is configured for the copy).
- It runs on a private Xvfb display of `kiosk.xdisplay.SIZE`, so every tour has the same size
  whatever screen the operator has.
- It prints only into a capturing queue on a private cupsd (`printing.capturecups`), which needs
  root, as `make demo` has. Without root the print preview is shown but nothing is sent.
- A step that the catalogue cannot show (say, no item with an attachment) is skipped and said so;
  a step that fails stops the tour with the kiosk's log, since a broken screen must not pass
  unnoticed.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .config import Config
from .errors import KioskError
from .ime import PinyinDictionary
from .remote import NotOnScreen, RemoteError, RemoteKiosk
from .staff_pin import STAFF_PIN_FILE, StaffPin
from .xdisplay import private_display

TOUR_PIN = "2468"
"""The staff PIN the tour sets in its copy of the data directory."""

MIN_TARGET = 48
"""Pixels: the smallest a touch target may be, either way (the issue's rule)."""
MIN_TEXT = 20
"""Pixels: the smallest text in the normal look (the issue's rule; the tour runs at density 1)."""

IDLE_SECONDS = 30
"""Short enough to photograph the idle countdown at the end, long enough for every other step."""


class Skip(Exception):
    """This catalogue cannot show the step; go on with the next one."""


@dataclass
class Shot:
    name: str
    zh: str
    en: str


@dataclass
class Tour:
    kiosk: RemoteKiosk
    out: Path
    printing: bool
    shots: list[Shot]
    problems: list[str]
    receipt: tuple[str, str] | None = None

    def shoot(self, name: str, zh: str, en: str) -> None:
        """Photograph the screen, and check every widget on it against the size rules."""
        self.kiosk.screenshot(self.out / f"{len(self.shots) + 1:02d}-{name}.png")
        self.shots.append(Shot(f"{len(self.shots) + 1:02d}-{name}", zh, en))
        print(f"tour: {self.shots[-1].name}: {zh}", file=sys.stderr, flush=True)
        self.problems.extend(f"{self.shots[-1].name}: {p}" for p in audit(self.kiosk.widgets()))

    def wait_screen(self, name: str, timeout: float = 30) -> None:
        self.kiosk.wait(lambda: self.kiosk.screen() == name, f"the {name} screen", timeout)

    def settle(self, seconds: float = 0.8) -> None:
        """Let the frame after a change be drawn before it is photographed."""
        import time

        time.sleep(seconds)


def audit(widgets: list[dict]) -> list[str]:
    """What on screen breaks the size rules: touch targets under MIN_TARGET pixels, text under
    MIN_TEXT pixels. Sizes are the widgets' own, not the part a scroll leaves in view."""
    found = []
    for w in widgets:
        width, height = w.get("size", w["rect"][2:])
        if w.get("touch") and min(width, height) < MIN_TARGET:
            found.append(f"{w['type']} {w['id'] or w['text'][:20]!r} is {width}×{height} px")
        if w["text"].strip() and 0 < w.get("font", 0) < MIN_TEXT:
            found.append(f"{w['type']} {w['id'] or w['text'][:20]!r} text is {w['font']} px")
    return sorted(set(found))


def _home(t: Tour) -> None:
    t.wait_screen("home")
    t.kiosk.wait(lambda: t.kiosk.find(text="目录共"), "the catalogue summary")
    t.settle()
    t.shoot("home", "首页：搜索、目录分类、申请与查询", "Home: search, sections, apply, check")


def _search_by_pinyin(t: Tour) -> None:
    k = t.kiosk
    k.tap(id="search")
    t.wait_screen("search")
    k.wait(lambda: any(w["type"] == "Key" for w in k.widgets()), "the on-screen keyboard")
    k.keys("xinxi")
    k.wait(lambda: any(w["type"] == "CandidateKey" and w["text"] == "信息" for w in k.widgets()),
           "the candidate 信息", 40)
    t.settle()
    t.shoot("search-pinyin", "拼音输入：xinxi → 信息", "Pinyin on the on-screen keyboard")
    k.tap(text="信息", exact=True)
    k.wait(lambda: k.find(id="box", text="信息"), "信息 in the search box")
    k.tap(text="收起", exact=True)
    k.wait(lambda: [w for w in k.widgets() if w["type"] == "ResultRow"], "results", 30)
    t.settle()
    t.shoot("results", "结果：高亮的摘要、分类筛选", "Results with highlighted snippets and filters")


def _read_and_print(t: Tour) -> None:
    k = t.kiosk
    row = next(w for w in k.widgets() if w["type"] == "ResultRow")
    k.tap_rect(row["rect"])
    t.wait_screen("reader")
    t.settle()
    t.shoot("reader", "阅读：大字正文，可放大", "Reader: large type, zoom")
    k.tap(id="print")
    t.wait_screen("print")
    k.wait(lambda: k.find(id="summary", text="共"), "the print preview", 60)
    t.settle()
    t.shoot("print-preview", "打印预览：页数、份数、费用", "Print preview: pages, copies, cost")
    if t.printing:
        k.tap(id="go")
        k.wait(lambda: k.find(id="summary", text="打印完成"), "the print job", 90)
        t.settle()
        t.shoot("printed", "打印完成", "Printed")
    k.tap(id="back")
    t.wait_screen("reader")


def _attachment(t: Tour) -> None:
    k = t.kiosk
    links = [w for w in k.widgets() if w["type"] == "AttachmentLink"]
    if not links:  # archives publish their catalogues as attachments: look among them
        k.tap(id="back")
        t.wait_screen("search")
        k.tap(id="clear")
        k.tap(id="box")
        k.wait(k.keyboard_shown, "the keyboard")
        k.pinyin("dangan", "档案")
        k.pinyin("mulu", "目录")
        k.hide_keyboard()
        # the rows of 档案 alone may still be on screen: wait for the whole words, then their rows
        k.wait(lambda: k.find(id="box")["text"] == "档案目录", "档案目录 in the box")
        t.settle(1.5)
        k.wait(lambda: [w for w in k.widgets() if w["type"] == "ResultRow"], "results", 30)
        for n in range(6):
            rows = [w for w in k.widgets() if w["type"] == "ResultRow"]
            if n >= len(rows):
                break
            k.tap_rect(rows[n]["rect"])
            t.wait_screen("reader")
            t.settle()
            if links := [w for w in k.widgets() if w["type"] == "AttachmentLink"]:
                break
            k.tap(id="back")
            t.wait_screen("search")
    if not links:
        raise Skip("no attachment among the first results")
    k.tap_rect(links[0]["rect"])
    t.wait_screen("attachment")
    k.wait(lambda: k.find(id="where", text="第 1 页"), "the attachment's first page", 60)
    t.settle(1.5)
    t.shoot("attachment", "附件逐页显示", "Attachments page by page")
    k.tap(id="back")
    t.wait_screen("reader")


def _back_home(t: Tour) -> None:
    t.kiosk.tap(id="home")
    t.wait_screen("home")


TOUR_ID = "11010519491231002X"
"""A made-up applicant for the wizard (a valid check digit): the copy's outbox is thrown away."""


def _apply(t: Tour) -> None:
    k = t.kiosk
    k.tap(id="apply")
    k.wait(lambda: k.find(id="step", text="第 1 步"), "the wizard's first step")
    k.tap(id="name")
    k.wait(k.keyboard_shown, "the keyboard")
    k.pinyin("lixiaoming", "李晓明")
    k.wait(lambda: k.find(id="name")["text"] == "李晓明", "the name")
    t.settle()
    t.shoot("apply-who", "申请第 1 步：申请人，拼音输入姓名", "Applying, step 1: who you are")
    k.fill("id_number", TOUR_ID.lower())  # the keys are lower case; the form reads x as X
    k.fill("phone", "13912345678")
    k.hide_keyboard()
    k.tap(id="next")
    k.wait(lambda: k.find(id="step", text="第 2 步"), "step 2")
    k.tap(id="description")
    k.wait(k.keyboard_shown, "the keyboard")
    k.pinyin("xiaoqu", "小区")
    k.pinyin("gaizao", "改造")
    k.hide_keyboard()
    k.tap(id="next")
    try:
        k.wait(lambda: k.find(text="这些信息已经公开"), "the already-published offer", 20)
        t.settle()
        t.shoot("apply-offer", "申请前先提示已公开的信息", "Already published? Offered first")
        k.tap(id="next")
    except RemoteError:
        pass  # nothing in this catalogue matches: the wizard went straight on
    k.wait(lambda: k.find(id="step", text="第 3 步"), "step 3")
    k.tap(id="media_paper")
    k.tap(id="delivery_pickup")
    k.tap(id="next")
    k.wait(lambda: k.find(id="step", text="第 4 步"), "the review")
    t.settle()
    t.shoot("apply-review", "申请第 4 步：核对", "Applying, step 4: review")
    k.tap(id="next")
    t.receipt = (k.wait(lambda: k.find(id="receipt_no"), "the receipt", 60)["text"],
                 k.find(id="query_code")["text"])
    k.wait(lambda: k.find(id="print_note")["text"], "the slip's fate", 60)
    t.settle()
    t.shoot("apply-receipt", "回执：回执号和查询码", "The receipt: number and query code")
    k.tap(id="next")
    t.wait_screen("home")


def _status(t: Tour) -> None:
    if t.receipt is None:
        raise Skip("no application was filed")
    k = t.kiosk
    k.tap(id="status")
    t.wait_screen("status")
    for box, typed in zip(("receipt_no", "query_code"), t.receipt, strict=True):
        k.fill(box, typed.replace("-", "").lower())
    k.hide_keyboard()
    k.tap(id="query")
    k.wait(lambda: k.find(id="state")["text"], "the answer", 60)
    t.settle()
    t.shoot("status", "凭回执号和查询码查询进度", "Checking an application")
    k.tap(id="back")
    t.wait_screen("home")


def _staff(t: Tour) -> None:
    k = t.kiosk
    k.tap(id="staff")
    k.wait(lambda: k.find(id="dots"), "the PIN pad")
    t.settle()
    t.shoot("staff-pin", "工作人员密码", "The staff PIN pad")
    for digit in TOUR_PIN:
        k.tap(id=f"key_{digit}")
    k.tap(id="enter")
    k.wait(lambda: k.find(id="sync_items"), "the staff page", 30)
    t.settle()
    t.shoot("staff", "工作人员页面：同步、发件箱、打印机、统计、退出",
            "The staff page: sync, outbox, printer, figures, exit")
    k.tap(id="tab_figures")
    k.wait(lambda: k.find(id="fig_rows", text="来访人次"), "the figures")
    t.settle()
    t.shoot("staff-figures", "本月使用统计（匿名）", "This month's figures (anonymous)")
    k.tap(id="home")
    t.wait_screen("home")


def _looks(t: Tour) -> None:
    k = t.kiosk
    k.tap(id="en")
    k.wait(lambda: k.find(id="search", text="Tap here"), "the English home screen")
    t.settle()
    t.shoot("home-english", "英文界面", "In English")
    k.tap(id="zh")
    k.tap(id="contrast")
    k.tap(id="large")
    t.settle(1.2)
    t.shoot("home-contrast", "高对比度与大字", "High contrast and large text")
    k.tap(id="contrast")
    k.tap(id="large")


def _idle(t: Tour) -> None:
    k = t.kiosk
    k.tap(id="search")
    t.wait_screen("search")
    k.wait(lambda: k.find(text="您还在使用吗"), "the idle countdown", IDLE_SECONDS + 30)
    t.settle(2)
    t.shoot("idle", "无人操作时倒计时，随后清除一切回到首页",
            "Idle: a countdown, then everything is wiped")


STEPS: list[Callable[[Tour], None]] = [_home, _search_by_pinyin, _read_and_print, _attachment,
                                       _back_home, _apply, _status, _staff, _looks, _idle]


def _copy_data(data_dir: Path, into: Path) -> Path:
    """A copy of the data directory for the tour, without caches the app rebuilds anyway
    (page images, Kivy's settings) but with the pinyin dictionary, which takes long to build."""
    copy = into / "data"
    shutil.copytree(data_dir, copy, symlinks=True,
                    ignore=shutil.ignore_patterns("pages", "kivy", STAFF_PIN_FILE, "*.lock"))
    return copy


def _config_text(config: Config, data: Path, printer: tuple[str, str] | None) -> str:
    lines = ["[kiosk]", f'data_dir = "{data}"', f"idle_seconds = {IDLE_SECONDS}", "",
             "[venue]", f"name = {_toml_string(config.venue_name)}", ""]
    if printer:
        lines += ["[printing]", f'queue = "{printer[0]}"', f'cups_server = "{printer[1]}"', ""]
    return "\n".join(lines)


def _toml_string(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def write_index(out: Path, shots: list[Shot], problems: list[str]) -> Path:
    """`OUT/tour.md`: the pictures in order with what each shows, for the README to link, and
    what the size check found."""
    lines = ["# 界面导览 / The screens", "",
             "Made by `kiosk --tour` from the real app; do not edit by hand.", ""]
    for shot in shots:
        lines += [f"## {shot.zh} / {shot.en}", "", f"![{shot.en}]({shot.name}.png)", ""]
    lines += ["## 尺寸检查 / Size check", "",
              f"Touch targets at least {MIN_TARGET} px, text at least {MIN_TEXT} px: "
              + ("all pass." if not problems else f"{len(problems)} problems:"), ""]
    lines += [f"- {p}" for p in problems]
    path = out / "tour.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def run_tour(data_dir: Path, config: Config, out: Path) -> Tour:
    """Drive the app on a copy of `data_dir` through every screen; PNGs and tour.md into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("[0-9][0-9]-*.png"):
        old.unlink()
    with tempfile.TemporaryDirectory(prefix="kiosk-tour-") as tmp_name:
        tmp = Path(tmp_name)
        data = _copy_data(data_dir, tmp)
        StaffPin(data / STAFF_PIN_FILE).set(TOUR_PIN)
        PinyinDictionary.load(data / "cache")  # built once here, as `make demo` does, not on screen
        cups = _start_printer(tmp)
        try:
            printer = ("tour", cups.server) if cups else None
            conf = tmp / "kiosk.toml"
            conf.write_text(_config_text(config, data, printer), encoding="utf-8")
            with private_display() as env:
                kiosk = RemoteKiosk([sys.executable, "-m", "kiosk.app", "--config", str(conf)],
                                    env, tmp)
                tour = Tour(kiosk, out, printing=cups is not None, shots=[], problems=[])
                try:
                    for step in STEPS:
                        try:
                            step(tour)
                        except Skip as why:
                            print(f"tour: skipped {step.__name__.strip('_')}: {why}",
                                  file=sys.stderr)
                        except (NotOnScreen, StopIteration, RemoteError) as exc:
                            tail = kiosk.log.read_text()[-3000:]
                            raise KioskError(f"导览在“{step.__name__}”一步失败：{exc}\n{tail}",
                                             f"the tour failed at {step.__name__}: {exc}\n{tail}"
                                             ) from exc
                finally:
                    kiosk.stop()
        finally:
            if cups:
                cups.stop()
    write_index(out, tour.shots, tour.problems)
    return tour


def _start_printer(tmp: Path):
    """A capturing queue on a private cupsd when we may run one (root), else None."""
    if os.geteuid() != 0:
        print("tour: not root: printing is shown as a preview only", file=sys.stderr)
        return None
    from printing.capturecups import CaptureCups

    cups = CaptureCups(tmp / "cups")
    cups.start()
    cups.add_queue("tour")
    return cups
