"""The Kivy application object: kiosk window behaviour, the screens, and the ways between them."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from pathlib import Path

from index import Catalogue
from printing import CJKFont, PrintError
from printing.desk import new_visit
from printing.pageimages import page_image
from printing.stamp import count_attachment_pages

from ..background_sync import Outcome, SyncScheduler, upload_scheduler
from ..config import Config
from ..printdesk import open_desk
from ..session import IdleRule
from ..usage import Usage
from .screen import x_screen_size

STOP_GRACE = 10.0
"""Seconds a SIGTERM waits for a clean stop before the process exits anyway."""


def run(catalogue: Catalogue, font: CJKFont, config: Config, *, windowed: bool = False) -> int:
    # SDL would turn SIGTERM into a window-close request, which a kiosk refuses; the operating
    # system (shutdown, systemd, staff tools) must still be able to stop it, so Python keeps
    # the signal and stops the app cleanly.
    os.environ.setdefault("SDL_NO_SIGNAL_HANDLERS", "1")
    from kivy.config import Config

    Config.set("kivy", "exit_on_escape", "0")  # a citizen must not be able to leave the kiosk
    Config.set("input", "mouse", "mouse,disable_multitouch")
    Config.set("kivy", "keyboard_mode", "system")  # our own keyboard panel, never Kivy's VKeyboard
    if not windowed:
        Config.set("graphics", "fullscreen", "auto")
        size = x_screen_size()
        if size:  # see kiosk.ui.screen: full screen even without a window manager
            Config.set("graphics", "width", str(size[0]))
            Config.set("graphics", "height", str(size[1]))

    from kivy.app import App
    from kivy.clock import Clock
    from kivy.core.text import LabelBase
    from kivy.core.window import Window
    from kivy.graphics import Color, Rectangle
    from kivy.lang import Builder
    from kivy.uix.boxlayout import BoxLayout
    from kivy.uix.screenmanager import NoTransition, Screen, ScreenManager

    from . import lang, theme  # noqa: F401  (they give kv rules `tr` and `theme`)
    from .driver import ENV as DRIVER_ENV
    from .driver import Driver
    from .home import HomeScreen, home_model
    from .idle import IdleOverlay
    from .keyboard import OnScreenKeyboard
    from .printscreen import PrintScreen
    from .reader import AttachmentScreen, ReaderScreen
    from .search import SearchScreen
    from .worker import CatalogueWorker

    LabelBase.register("KioskCJK", str(font.path))
    for kv in ("search.kv", "reader.kv", "printscreen.kv", "home.kv"):
        Builder.load_file(str(Path(__file__).with_name(kv)))

    def screen_of(w) -> str:
        """The screen a widget is on, or "overlay" for what is open above the screens."""
        while w is not None and w is not Window and not isinstance(w, Screen):
            w = w.parent
        return w.name if isinstance(w, Screen) else "overlay"

    class KioskApp(App):
        title = "政府信息公开查阅"

        def build(self):
            Window.bind(on_request_close=lambda *_a, **_k: True)  # window close does nothing
            self.worker = CatalogueWorker(catalogue)
            self.screens = ScreenManager(transition=NoTransition())
            self.screen = HomeScreen(name="home")
            self.search = SearchScreen(name="search", worker=self.worker)
            self.reader = ReaderScreen(name="reader")
            self.attachment = AttachmentScreen(name="attachment")
            self.printing = PrintScreen(name="print")
            self.printing.desk = open_desk(config, catalogue.data_dir)
            self.printing.visit = self.visit = new_visit()
            for screen in (self.screen, self.search, self.reader, self.attachment, self.printing):
                self.screens.add_widget(screen)
            self.keyboard = OnScreenKeyboard(catalogue.data_dir / "cache", size_hint_y=None)
            self.attach_keyboard(self.search.ids.box)
            self.screens.bind(current=lambda *_a: self.hide_keyboard())
            root = BoxLayout(orientation="vertical")
            with root.canvas.before:  # the paper colour behind screens as they resize
                Color(0.97, 0.97, 0.95, 1)
                paper = Rectangle(pos=root.pos, size=root.size)
            root.bind(pos=lambda w, _v: setattr(paper, "pos", w.pos),
                      size=lambda w, _v: setattr(paper, "size", w.size))
            root.add_widget(self.screens)
            self.root_box = root
            self._attachment: tuple | None = None
            self.usage = Usage(catalogue.data_dir / "usage.sqlite")
            self.search.on_settled = lambda text, hits: self.worker.submit(
                lambda _cat: self.usage.search(text, hits), lambda _r: None)
            self.idle = IdleRule(config.idle_seconds)
            self.idle.touched(time.monotonic())
            self._visit_counted = False
            self.countdown = IdleOverlay(on_continue=self._continue)
            Window.bind(on_touch_down=self._touched, on_key_down=self._key)
            Clock.schedule_interval(self._idle_tick, 0.5)
            model = home_model(catalogue)
            self.screen.show(model)
            Clock.schedule_once(lambda _dt: _announce(model), 0.5)
            if path := os.environ.get(DRIVER_ENV):
                self.driver = Driver(path, lambda: root, screen_of, lambda: self.screens.current)
            self.sync = SyncScheduler(config, catalogue.data_dir, self.sync_done,
                                      catalogue.sync_age)
            self.upload = upload_scheduler(config, catalogue.data_dir, lambda _outcome: None)
            return root

        # --- the on-screen keyboard ------------------------------------------------------------

        def attach_keyboard(self, box) -> None:
            """Give a text box the on-screen keyboard while it has the focus."""
            box.unfocus_on_touch = False  # tapping a key must not take the focus away
            box.bind(focus=self._focus)

        def _focus(self, box, focused: bool) -> None:
            # the panel is in the layout only while shown: a hidden one must not take touches
            kb = self.keyboard
            if focused:
                kb.target = box
                kb.height = Window.height * 0.42
                if kb.parent is None:
                    self.root_box.add_widget(kb)
            elif kb.target is box:
                kb.reset()
                kb.target = None
                if kb.parent is not None:
                    self.root_box.remove_widget(kb)

        def hide_keyboard(self) -> None:
            if self.keyboard.target is not None:
                self.keyboard.target.focus = False

        def open_search(self, text: str = "") -> None:
            self.screens.current = "search"
            self.search.set_query(text)
            Clock.schedule_once(lambda _dt: setattr(self.search.ids.box, "focus", True))

        def go_home(self) -> None:
            self.search.wipe()
            self.screens.current = "home"

        # --- a visit, and its end ------------------------------------------------------------

        def _touched(self, *_args) -> None:
            self.idle.touched(time.monotonic())
            if not self._visit_counted:
                self._visit_counted = True
                self.worker.submit(lambda _cat: self.usage.visit(), lambda _r: None)

        def _key(self, *_args) -> None:
            self.idle.touched(time.monotonic())

        def _continue(self) -> None:
            self.idle.touched(time.monotonic())
            self.countdown.dismiss()

        def _pristine(self) -> bool:
            return self.screens.current == "home" and not self.search.ids.box.text

        def _idle_tick(self, _dt: float) -> None:
            state, left = self.idle.state(time.monotonic(), pristine=self._pristine(),
                                          busy=self.printing.stage == "printing")
            if state == "warning":
                self.countdown.show(left)
            elif state == "expired":
                self.wipe()
            elif self.countdown.shown:
                self.countdown.dismiss()

        def wipe(self) -> None:
            """The next person finds the kiosk as new: nothing of this visit stays on screen."""
            self.countdown.dismiss()
            for screen in (self.search, self.reader, self.printing):
                screen.wipe()
            self._attachment = None
            self.attachment.source, self.attachment.pages = "", 0
            self.printing.visit = self.visit = new_visit()
            self._visit_counted = False
            self.hide_keyboard()
            self.keyboard.reset()
            self.screens.current = "home"
            print("kiosk: idle: wiped and back home", file=sys.stderr, flush=True)

        def open_item(self, item_id: str) -> None:
            def show(item) -> None:
                if item is None:
                    return  # withdrawn since the results were shown
                self.worker.submit(lambda _cat: self.usage.item_read(item.id), lambda _r: None)
                self.reader.show(item)
                self.screens.current = "reader"
                print(f"kiosk: reading {item.id}", file=sys.stderr, flush=True)

            self.worker.submit(lambda cat: cat.get(item_id), show)

        def back_to_results(self) -> None:
            self.screens.current = "search" if self.search.ids.box.text else "home"

        def open_attachment(self, attachment) -> None:
            item = self.reader.item
            pages_dir = catalogue.data_dir / "cache" / "pages"

            def job(cat):
                path = cat.attachment_path(attachment.sha256)
                if path is None:
                    return None, 0, None
                try:
                    pages = count_attachment_pages(path)
                    return path, pages, page_image(path, attachment.sha256, 1, pages_dir)
                except PrintError:
                    return path, 0, None

            def show(answer) -> None:
                path, pages, first = answer
                self._attachment = (item, attachment, path, pages_dir)
                a = self.attachment
                a.page, a.pages = 1, pages
                a.source = str(first) if first else ""
                a.message = ("该附件尚未下载到本机，请稍后再试。" if path is None
                             else "" if pages else "该附件无法在本机显示。")
                self.screens.current = "attachment"

            self.worker.submit(job, show)

        def attachment_page(self, delta: int) -> None:
            if self._attachment is None:
                return
            _item, attachment, path, pages_dir = self._attachment
            page = max(1, min(self.attachment.pages, self.attachment.page + delta))

            def job(_cat):
                return page_image(path, attachment.sha256, page, pages_dir)

            def show(image) -> None:
                self.attachment.page, self.attachment.source = page, str(image)

            self.worker.submit(job, show)

        def print_item(self) -> None:
            if self.reader.item is not None:
                self.printing.begin(self.reader.item)
                self._print_return = "reader"
                self.screens.current = "print"

        def print_attachment(self) -> None:
            if self._attachment is not None:
                item, attachment, path, _ = self._attachment
                self.printing.begin(item, attachment, path)
                self._print_return = "attachment"
                self.screens.current = "print"

        def leave_print(self) -> None:
            self.printing.wipe()
            self.screens.current = getattr(self, "_print_return", "reader")

        def on_start(self):
            self.sync.start()
            self.upload.start()

        def on_stop(self):
            self.sync.stop()
            self.upload.stop()
            self.worker.shutdown()
            self.usage.close()

        def sync_done(self, outcome: Outcome) -> None:
            # called on the scheduler's thread: hand over to the UI thread
            Clock.schedule_once(lambda _dt: self.refresh(outcome))

        def refresh(self, outcome: Outcome) -> None:
            def shown(model: dict) -> None:
                self.screen.show(model)
                print(f"kiosk: background sync {'done' if outcome.ok else 'failed'}: "
                      f"{model['items']} items, updated {model['updated'] or '-'}",
                      file=sys.stderr, flush=True)

            self.worker.submit(home_model, shown)

    app = KioskApp()
    def stop(*_args) -> None:
        # a clean stop goes through Kivy's loop; should that loop be stuck, the system must still
        # be able to end the kiosk, so a watchdog exits hard if the clean stop has not happened
        Clock.schedule_once(lambda _dt: app.stop())
        watchdog = threading.Timer(STOP_GRACE, lambda: os._exit(1))
        watchdog.daemon = True
        watchdog.start()

    for sig in (signal.SIGTERM, signal.SIGINT):  # shutdown, service manager, Ctrl+C in a terminal
        signal.signal(sig, stop)
    app.run()
    return 0


def _announce(model: dict) -> None:
    # A line for operators and tests: the first frame is up and what it shows.
    print(f"kiosk: home screen shown: {model['items']} items, {len(model['sections'])} sections",
          file=sys.stderr, flush=True)
