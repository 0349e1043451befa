"""Driving the real kiosk window in tests: touches are X pointer events (xdotool), and where
widgets are and what they say comes from the app's driver socket (`kiosk.ui.driver`)."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from tests.conftest import BIN


class Kiosk:
    def __init__(self, data: Path, env: dict[str, str], tmp: Path, *extra: str) -> None:
        self.sock = str(tmp / "driver.sock")
        self.env = dict(env, KIOSK_UI_DRIVER=self.sock)
        self.proc = subprocess.Popen([str(BIN / "kiosk"), "--data-dir", str(data), *extra],
                                     env=self.env, stdout=subprocess.DEVNULL,
                                     stderr=open(tmp / "kiosk.log", "w"))  # noqa: SIM115
        self.log = tmp / "kiosk.log"
        self.wait(lambda: Path(self.sock).exists() and self.widgets(), "the driver socket", 90)

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
            raise RuntimeError(f"the driver failed: {found.get('error')}")
        return [w for w in found if screen is None or w["screen"] == screen]

    def screen(self) -> str:
        return self.ask({"op": "screen"})["screen"]

    def find(self, *, id: str | None = None, text: str | None = None, exact: bool = False) -> dict:
        """The first widget on screen with that kv id and/or containing that text (matched on the
        text as written and as shown, i.e. without our highlight markup); `exact`: equal to it."""
        for w in self.widgets():
            shown = re.sub(r"\[/?(?:b|color)(?:=[0-9a-f]+)?\]", "", w["text"])
            if exact:
                matched = text in (w["text"], shown)
            else:
                matched = text is None or text in w["text"] or text in shown
            if (id is None or w["id"] == id) and matched:
                return w
        raise AssertionError(f"no widget with id={id!r} text={text!r} on screen {self.screen()}")

    def tap(self, *, id: str | None = None, text: str | None = None, exact: bool = False) -> None:
        """A touch in the middle of the widget, as a finger would (X pointer press and release)."""
        self.tap_rect(self.find(id=id, text=text, exact=exact)["rect"])

    def keys(self, letters: str) -> None:
        """Tap on-screen keyboard keys, one per character."""
        for ch in letters:
            key = next(w for w in self.widgets() if w["type"] == "Key" and w["text"] == ch)
            self.tap_rect(key["rect"])
            time.sleep(0.05)

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
                raise AssertionError(f"the kiosk exited while waiting for {what}:\n"
                                     f"{self.log.read_text()[-3000:]}")
            try:
                result = condition()
            except (OSError, AssertionError, ValueError):
                result = None
            if result:
                return result
            time.sleep(0.2)
        raise AssertionError(f"timed out waiting for {what}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
