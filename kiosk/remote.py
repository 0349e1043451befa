"""Driving a running kiosk from outside, as a person would: touches are X pointer events
(xdotool), and where widgets are and what they say comes from the app's driver socket
(`kiosk.ui.driver`, opened only when `KIOSK_UI_DRIVER` names it).

Used by the UI tests and by `kiosk --tour`, which must both go through the real window, so this
module imports nothing of Kivy: it is the other side of the glass.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from .errors import KioskError

MARKUP = re.compile(r"\[/?(?:b|color)(?:=[0-9a-f]+)?\]")


class RemoteError(KioskError):
    """The kiosk being driven exited, or did not show what was expected in time."""


class NotOnScreen(LookupError):
    """No widget on screen matches; `wait` keeps trying while it is raised."""


class RemoteKiosk:
    """A kiosk process started with `command`, its log in `workdir/kiosk.log`."""

    def __init__(self, command: list[str], env: dict[str, str], workdir: Path,
                 start_timeout: float = 90) -> None:
        self.sock = str(workdir / "driver.sock")
        self.env = dict(env, KIOSK_UI_DRIVER=self.sock)
        self.log = workdir / "kiosk.log"
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen(command, env=self.env, stdout=subprocess.DEVNULL,
                                         stderr=log)
        self.wait(lambda: Path(self.sock).exists() and self.widgets(), "the driver socket",
                  start_timeout)

    def ask(self, request: dict):
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(self.sock)
            f = s.makefile("rw", encoding="utf-8")
            f.write(json.dumps(request) + "\n")
            f.flush()
            return json.loads(f.readline())

    def widgets(self, screen: str | None = None) -> list[dict]:
        found = self.ask({"op": "widgets"})
        if isinstance(found, dict):
            raise RemoteError(f"界面驱动出错：{found.get('error')}",
                              f"the UI driver failed: {found.get('error')}")
        return [w for w in found if screen is None or w["screen"] == screen]

    def screen(self) -> str:
        return self.ask({"op": "screen"})["screen"]

    def screenshot(self, path: Path) -> Path:
        """The window as a PNG at exactly `path` (Kivy numbers its screenshots; we rename)."""
        saved = Path(self.ask({"op": "screenshot", "path": str(path)})["path"])
        if saved != path:
            saved.replace(path)
        return path

    def find(self, *, id: str | None = None, text: str | None = None, exact: bool = False) -> dict:
        """The first widget on screen with that kv id and/or containing that text (matched on the
        text as written and as shown, i.e. without our highlight markup); `exact`: equal to it."""
        for w in self.widgets():
            shown = MARKUP.sub("", w["text"])
            if exact:
                matched = text in (w["text"], shown)
            else:
                matched = text is None or text in w["text"] or text in shown
            if (id is None or w["id"] == id) and matched:
                return w
        raise NotOnScreen(f"no widget with id={id!r} text={text!r} on screen {self.screen()}")

    def tap(self, *, id: str | None = None, text: str | None = None, exact: bool = False) -> None:
        """A touch in the middle of the widget, as a finger would (X pointer press and release)."""
        self.tap_rect(self.find(id=id, text=text, exact=exact)["rect"])

    def keys(self, letters: str) -> None:
        """Tap on-screen keyboard keys, one per character."""
        for ch in letters:
            key = next(w for w in self.widgets() if w["type"] == "Key" and w["text"] == ch)
            self.tap_rect(key["rect"])
            time.sleep(0.05)

    def keyboard_shown(self) -> bool:
        return any(w["type"] == "Key" for w in self.widgets())

    def hide_keyboard(self) -> None:
        if self.keyboard_shown():
            self.tap(text="收起", exact=True)
            self.wait(lambda: not self.keyboard_shown(), "the keyboard to hide")

    def pinyin(self, letters: str, word: str) -> None:
        """Type `letters` as pinyin and choose `word` in the candidate bar."""
        self.keys(letters)
        self.tap(text=self.wait(lambda: self.find(text=word, exact=True), word)["text"],
                 exact=True)

    def fill(self, id: str, keys: str) -> None:
        """Tap box `id` (scrolled into view) and type `keys` on the on-screen keyboard."""
        self.hide_keyboard()
        self.tap_rect(self.reach(id)["rect"])
        self.wait(self.keyboard_shown, "the keyboard")
        self.keys(keys)
        self.wait(lambda: self.find(id=id)["text"].endswith(keys[-3:]), f"{keys} in {id}")

    def swipe_up(self, distance: int = 240, scroller: str = "scroller") -> None:
        """A finger dragging the page up, slowly and stopping before it lifts (no fling), as to
        see what is further down."""
        x, y, w, h = self.find(id=scroller)["rect"]
        cx, start = x + w // 2, y + h - 30
        steps = []
        for n in range(1, 9):
            steps += ["mousemove", str(cx), str(start - distance * n // 8), "sleep", "0.03"]
        subprocess.run(["xdotool", "mousemove", str(cx), str(start), "mousedown", "1", *steps,
                        "sleep", "0.4", "mouseup", "1"], env=self.env, check=True)

    def reach(self, id: str | None = None, text: str | None = None) -> dict:
        """The widget with that id and/or exact text, scrolled into view if further down."""
        def whole() -> dict | None:
            # in full view, and still where it was a moment ago: a page that is reflowing
            # (the keyboard just left or came) must not be touched where the box used to be
            widget = self.find(id=id, text=text, exact=text is not None)
            time.sleep(0.15)
            again = self.find(id=id, text=text, exact=text is not None)
            return again if again["rect"][3] >= 40 and again["rect"] == widget["rect"] else None

        for _ in range(10):
            try:
                return self.wait(whole, f"{id or text} on screen", 1.5)
            except RemoteError:
                self.swipe_up()
        return self.wait(whole, f"{id or text} on screen")

    def tap_rect(self, rect: list[int]) -> None:
        x, y, w, h = rect
        subprocess.run(["xdotool", "mousemove", str(x + w // 2), str(y + h // 2), "click", "1"],
                       env=self.env, check=True)

    def type(self, text: str) -> None:
        """Typing on a physical keyboard, which the kiosk must still accept."""
        subprocess.run(["xdotool", "type", "--delay", "40", text], env=self.env, check=True)

    def wait(self, condition: Callable[[], object], what: str, timeout: float = 20) -> object:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                tail = self.log.read_text()[-3000:]
                raise RemoteError(f"查阅机在等待“{what}”时退出了：\n{tail}",
                                  f"the kiosk exited while waiting for {what}:\n{tail}")
            try:
                result = condition()
            except (OSError, AssertionError, LookupError, ValueError):
                result = None
            if result:
                return result
            time.sleep(0.2)
        raise RemoteError(f"等待“{what}”超时", f"timed out waiting for {what}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
