"""The Kivy application object: kiosk window behaviour, the screens, and the ways between them."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from index import Catalogue
from printing import CJKFont

from ..background_sync import Outcome, SyncScheduler, upload_scheduler
from ..config import Config
from .screen import x_screen_size


def run(catalogue: Catalogue, font: CJKFont, config: Config, *, windowed: bool = False) -> int:
    # SDL would turn SIGTERM into a window-close request, which a kiosk refuses; the operating
    # system (shutdown, systemd, staff tools) must still be able to stop it, so Python keeps
    # the signal and stops the app cleanly.
    os.environ.setdefault("SDL_NO_SIGNAL_HANDLERS", "1")
    from kivy.config import Config

    Config.set("kivy", "exit_on_escape", "0")  # a citizen must not be able to leave the kiosk
    Config.set("input", "mouse", "mouse,disable_multitouch")
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
    from kivy.lang import Builder
    from kivy.uix.screenmanager import NoTransition, Screen, ScreenManager

    from .driver import ENV as DRIVER_ENV
    from .driver import Driver
    from .home import HomeScreen, home_model
    from .search import SearchScreen
    from .worker import CatalogueWorker

    LabelBase.register("KioskCJK", str(font.path))
    for kv in ("search.kv", "home.kv"):
        Builder.load_file(str(Path(__file__).with_name(kv)))

    def screen_of(w) -> str:
        while w is not None and not isinstance(w, Screen):
            w = w.parent
        return w.name if w is not None else ""

    class KioskApp(App):
        title = "政府信息公开查阅"

        def build(self):
            Window.bind(on_request_close=lambda *_a, **_k: True)  # window close does nothing
            self.worker = CatalogueWorker(catalogue)
            self.screens = ScreenManager(transition=NoTransition())
            self.screen = HomeScreen(name="home")
            self.search = SearchScreen(name="search", worker=self.worker)
            self.screens.add_widget(self.screen)
            self.screens.add_widget(self.search)
            model = home_model(catalogue)
            self.screen.show(model)
            Clock.schedule_once(lambda _dt: _announce(model), 0.5)
            if path := os.environ.get(DRIVER_ENV):
                self.driver = Driver(path, lambda: self.screens, screen_of,
                                     lambda: self.screens.current)
            self.sync = SyncScheduler(config, catalogue.data_dir, self.sync_done,
                                      catalogue.sync_age)
            self.upload = upload_scheduler(config, catalogue.data_dir, lambda _outcome: None)
            return self.screens

        def open_search(self, text: str = "") -> None:
            self.screens.current = "search"
            self.search.set_query(text)
            Clock.schedule_once(lambda _dt: setattr(self.search.ids.box, "focus", True))

        def go_home(self) -> None:
            self.search.wipe()
            self.screens.current = "home"

        def on_start(self):
            self.sync.start()
            self.upload.start()

        def on_stop(self):
            self.sync.stop()
            self.upload.stop()
            self.worker.shutdown()

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
    for sig in (signal.SIGTERM, signal.SIGINT):  # shutdown, service manager, Ctrl+C in a terminal
        signal.signal(sig, lambda *_: Clock.schedule_once(lambda _dt: app.stop()))
    app.run()
    return 0


def _announce(model: dict) -> None:
    # A line for operators and tests: the first frame is up and what it shows.
    print(f"kiosk: home screen shown: {model['items']} items, {len(model['sections'])} sections",
          file=sys.stderr, flush=True)
