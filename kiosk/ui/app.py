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
from ..ime import CatalogueVocabulary
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
    from kivy.metrics import dp
    from kivy.uix.boxlayout import BoxLayout
    from kivy.uix.screenmanager import NoTransition, Screen, ScreenManager

    from . import lang, theme  # noqa: F401  (they give kv rules `tr` and `theme`)
    from .apply import ApplyScreen, Office
    from .cjklabel import CJKLabel  # noqa: F401  (registers `CJKLabel:` for the kv files)
    from .driver import ENV as DRIVER_ENV
    from .driver import Driver
    from .home import HomeScreen, home_model
    from .idle import IdleOverlay
    from .keyboard import OnScreenKeyboard
    from .lang import tr
    from .printscreen import PrintScreen
    from .reader import AttachmentScreen, ReaderScreen
    from .search import SearchScreen
    from .staff import staff_screens
    from .status import StatusScreen
    from .theme import theme as look
    from .worker import CatalogueWorker

    LabelBase.register("KioskCJK", str(font.path))
    for kv in ("search.kv", "reader.kv", "printscreen.kv", "home.kv"):
        Builder.load_file(str(Path(__file__).with_name(kv)))
    Builder.load_file(str(Path(__file__).with_name("staff.kv")))
    for kv in ("apply.kv", "status.kv"):
        Builder.load_file(str(Path(__file__).with_name(kv)))

    def screen_of(w) -> str:
        """The screen a widget is on, or "overlay" for what is open above the screens."""
        while w is not None and w is not Window and not isinstance(w, Screen):
            w = w.parent
        return w.name if isinstance(w, Screen) else "overlay"

    class KioskApp(App):
        title = "政府信息公开查阅"

        def build(self):
            Window.bind(on_request_close=self._refuse_close)
            self.worker = CatalogueWorker(catalogue)
            self.screens = ScreenManager(transition=NoTransition())
            self.screen = HomeScreen(name="home", venue=config.venue_name)
            self.search = SearchScreen(name="search", worker=self.worker)
            self.reader = ReaderScreen(name="reader")
            self.attachment = AttachmentScreen(name="attachment")
            self.printing = PrintScreen(name="print")
            self.printing.desk = open_desk(config, catalogue.data_dir)
            self.printing.visit = self.visit = new_visit()
            for screen in (self.screen, self.search, self.reader, self.attachment, self.printing):
                self.screens.add_widget(screen)
            self.staff_pin, self.staff = staff_screens(self, config, catalogue.data_dir)
            self.screens.add_widget(self.staff_pin)
            self.screens.add_widget(self.staff)
            self.office = Office(config, catalogue.data_dir)  # applications, off the UI thread
            self.apply = ApplyScreen(name="apply", office=self.office, worker=self.worker)
            self.status = StatusScreen(name="status", office=self.office)
            self.screens.add_widget(self.apply)
            self.screens.add_widget(self.status)
            self._reader_back: str | None = None
            # the catalogue's agency names and title phrases join the pinyin dictionary the
            # keyboard loads (kiosk.ime.vocabulary); refreshed after each sync
            self.ime_words = CatalogueVocabulary(catalogue, catalogue.data_dir / "cache").install()
            self.keyboard = OnScreenKeyboard(catalogue.data_dir / "cache", size_hint_y=None)
            self.attach_keyboard(self.search.ids.box)
            self.screens.bind(current=lambda *_a: self.hide_keyboard())
            root = BoxLayout(orientation="vertical")
            with root.canvas.before:  # the paper colour behind screens as they resize
                paper_color = Color(rgba=look.paper)
                paper = Rectangle(pos=root.pos, size=root.size)
            look.bind(paper=lambda _t, rgba: setattr(paper_color, "rgba", rgba))
            root.bind(pos=lambda w, _v: setattr(paper, "pos", w.pos),
                      size=lambda w, _v: setattr(paper, "size", w.size))
            root.add_widget(self.screens)
            self.root_box = root
            self._attachment: tuple | None = None
            self.usage = Usage(catalogue.data_dir / "usage.sqlite")
            # Usage queues to its own writer thread: recording never waits, nor delays a search
            self.search.on_settled = self.usage.search
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
                # five rows of keys at least 55 px high (touch targets ≥ 48 px) below the
                # candidate bar, and more on taller screens
                kb.height = max(Window.height * 0.42, dp(400))
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
            self.search.begin(text)
            Clock.schedule_once(lambda _dt: setattr(self.search.ids.box, "focus", True))

        def open_section(self, section: str) -> None:
            """A home tile: the section's items, newest first, its filter shown as a chip."""
            self.screens.current = "search"
            self.search.begin("", category=section)

        def open_staff(self) -> None:
            """The PIN pad; past it, the staff page (kiosk.ui.staff)."""
            self.staff_pin.begin()
            self.screens.current = "staff_pin"

        def open_apply(self, about: str = "") -> None:
            """The application wizard (kiosk.ui.apply), where the citizen left it; `about`, the
            words of a search that found nothing, becomes the description if none is written."""
            box = self.apply.fields["request.description"].box
            if about.strip() and not box.text.strip():
                box.text = about.strip()
            self.screens.current = "apply"

        def open_status(self) -> None:
            """Checking an application by receipt number and query code (kiosk.ui.status)."""
            self.screens.current = "status"
            Clock.schedule_once(lambda _dt: setattr(self.status.ids.receipt_no, "focus", True))

        def nudge_upload(self) -> threading.Thread | None:
            """An application was just filed: offer the outbox to the central system now rather
            than at the upload scheduler's next turn. The thread ends when that run has."""
            if not self.upload.enabled:
                return None
            run = threading.Thread(target=self.upload.run_once, name="upload-now", daemon=True)
            run.start()
            return run

        def _refuse_close(self, *_args, **_kw) -> bool:
            # a window manager's close (Alt+F4, ×) must not end the kiosk; only the staff page
            # and the system (SIGTERM) do. Said in the log so a refused close is visible.
            print("kiosk: window close request refused", file=sys.stderr, flush=True)
            return True

        def go_home(self) -> None:
            self.search.wipe()
            self.screens.current = "home"

        # --- a visit, and its end ------------------------------------------------------------

        def _touched(self, *_args) -> None:
            self.idle.touched(time.monotonic())
            if not self._visit_counted:
                self._visit_counted = True
                self.usage.visit()

        def _key(self, *_args) -> None:
            self.idle.touched(time.monotonic())

        def _continue(self) -> None:
            self.idle.touched(time.monotonic())
            self.countdown.dismiss()

        def _pristine(self) -> bool:
            # a language or look left switched on is not pristine: the next person expects 中文
            return (self.screens.current == "home" and not self.search.ids.box.text
                    and tr.lang == "zh" and not look.high_contrast and not look.large
                    and self.apply.pristine and self.status.pristine)

        def _idle_tick(self, _dt: float) -> None:
            state, left = self.idle.state(time.monotonic(), pristine=self._pristine(),
                                          busy=self.printing.stage == "printing"
                                          or self.apply.busy)
            if state == "warning":
                self.countdown.show(left)
            elif state == "expired":
                self.wipe()
            elif self.countdown.shown:
                self.countdown.dismiss()

        def wipe(self) -> None:
            """The next person finds the kiosk as new: nothing of this visit stays on screen."""
            self.countdown.dismiss()
            for screen in (self.search, self.reader, self.printing, self.apply, self.status):
                screen.wipe()
            self._reader_back = None
            self._attachment = None
            self.attachment.source, self.attachment.pages = "", 0
            self.printing.visit = self.visit = new_visit()
            self._visit_counted = False
            self.hide_keyboard()
            self.keyboard.reset()
            tr.switch("zh")
            look.reset()
            self.screens.current = "home"
            print("kiosk: idle: wiped and back home", file=sys.stderr, flush=True)

        def open_item(self, item_id: str, back: str | None = None) -> None:
            """Read an item; `back` names the screen the reader's 返回 leads to (the wizard's
            already-published offer), else the search results."""
            def show(item) -> None:
                if item is None:
                    return  # withdrawn since the results were shown
                self._reader_back = back
                self.usage.item_read(item.id)
                self.reader.show(item)
                self.screens.current = "reader"
                print(f"kiosk: reading {item.id}", file=sys.stderr, flush=True)

            self.worker.submit(lambda cat: cat.get(item_id), show)

        def back_to_results(self) -> None:
            if self._reader_back:
                self.screens.current = self._reader_back
                return
            self.screens.current = "search" if self.search.in_use else "home"

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
                a.tell("missing" if path is None else "" if pages else "unreadable")
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
            self.office.close()
            self.worker.shutdown()
            self.usage.close()

        def sync_done(self, outcome: Outcome) -> None:
            # called on the scheduler's thread: hand over to the UI thread
            Clock.schedule_once(lambda _dt: self.refresh(outcome))

        def refresh(self, outcome: Outcome) -> None:
            self.ime_words.refresh()  # in the background; a no-op if the catalogue is unchanged

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
