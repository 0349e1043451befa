"""A window onto the running app for tests and the screenshot tour: where things are, what they say.

UI tests must touch the real window the way a person does, so the touches themselves come from
outside (X pointer events sent with xdotool, which SDL and Kivy receive like any mouse or touch
screen). What a test cannot see from outside is where a widget is and what text is on screen;
this module answers exactly that, over a UNIX socket named by `KIOSK_UI_DRIVER`, and only when
that variable is set — a kiosk in a public hall never opens it.

One JSON request per line, one JSON answer per line:
- `{"op": "widgets"}` → every widget on screen that has a kv id or text (a result row reports
  its title as its text): `{"id", "type", "text", "screen", "rect": [x, y, w, h], "size": [w, h],
  "touch", "font"}`, with `rect` the part a finger can reach (clipped to the window and to
  scrolling areas) in X screen pixels, origin top left; `size` the whole widget's; `touch` whether
  a finger can act on it (a button or a text box); `font` its font size in pixels (0: none);
- `{"op": "screen"}` → `{"screen": name}` of the current screen;
- `{"op": "screenshot", "path": P}` → saves the window as PNG.
Widget inspection runs on Kivy's thread (`Clock`), never on the socket's.
"""

from __future__ import annotations

import json
import os
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from kivy.clock import Clock
from kivy.core.window import Window
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.stencilview import StencilView
from kivy.uix.textinput import TextInput
from kivy.uix.widget import Widget

ENV = "KIOSK_UI_DRIVER"


def _ids(root: Widget) -> dict[int, str]:
    names: dict[int, str] = {}
    for w in root.walk(restrict=False):
        for name, child in getattr(w, "ids", {}).items():
            # kv ids hold weak proxies; `__self__` is the widget itself
            names.setdefault(id(getattr(child, "__self__", child)), name)
    return names


def _visible(w: Widget) -> bool:
    node: Widget | None = w
    while node is not None and node is not Window:
        if getattr(node, "opacity", 1) == 0:
            return False
        node = node.parent
    return w.width > 0 and w.height > 0


def _walk_visible(root: Widget) -> Iterator[Widget]:
    """Widgets actually shown: a ScreenManager shows only its current screen."""
    yield root
    children = root.children
    current = getattr(root, "current_screen", None)
    if current is not None:
        children = [current]
    for child in children:
        yield from _walk_visible(child)


def _window_rect(w: Widget) -> tuple[float, float, float, float]:
    x, y = w.to_window(w.x, w.y)
    return x, y, x + w.width, y + w.height


def _clipped(w: Widget) -> tuple[float, float, float, float] | None:
    """The part of `w` a finger can reach: inside the window and inside every scrolling
    (stencil) ancestor; None when nothing of it is on screen."""
    x1, y1, x2, y2 = _window_rect(w)
    x1, y1, x2, y2 = max(x1, 0), max(y1, 0), min(x2, Window.width), min(y2, Window.height)
    node = w.parent
    while node is not None and node is not Window:
        if isinstance(node, StencilView):
            a1, b1, a2, b2 = _window_rect(node)
            x1, y1, x2, y2 = max(x1, a1), max(y1, b1), min(x2, a2), min(y2, b2)
        node = node.parent
    return (x1, y1, x2, y2) if x2 - x1 >= 1 and y2 - y1 >= 1 else None


def describe(screens: Widget, screen_of: Callable[[Widget], str]) -> list[dict]:
    """What is on screen: the screens, and anything open above them (the idle countdown)."""
    roots = [screens, *(w for w in reversed(Window.children) if w is not screens)]
    # the screens' root holds the screen manager and the keyboard panel
    names: dict[int, str] = {}
    for root in roots:
        names.update(_ids(root))
    out = []
    for w in (w for root in roots for w in _walk_visible(root)):
        text = getattr(w, "text", None)
        if text is None and getattr(w, "item_id", None):  # a result row, known by its title
            text = getattr(w, "title", None)
        name = names.get(id(w))
        if (text is None and name is None) or not _visible(w):
            continue
        reach = _clipped(w)
        if reach is None:
            continue
        x1, y1, x2, y2 = reach
        out.append({"id": name, "type": type(w).__name__, "text": text if isinstance(text, str) else "",
                    "screen": screen_of(w),
                    "rect": [round(x1), round(Window.height - y2), round(x2 - x1), round(y2 - y1)],
                    "size": [round(w.width), round(w.height)],
                    "touch": isinstance(w, ButtonBehavior | TextInput),
                    "font": round(float(getattr(w, "font_size", 0) or 0), 1)})
    return out


class Driver:
    def __init__(self, path: str, root_of: Callable[[], Widget], screen_of: Callable[[Widget], str],
                 current: Callable[[], str]) -> None:
        self.path = path
        self._root_of, self._screen_of, self._current = root_of, screen_of, current
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        Path(path).unlink(missing_ok=True)
        self._sock.bind(path)
        os.chmod(path, 0o600)
        self._sock.listen(4)
        threading.Thread(target=self._serve, name="ui-driver", daemon=True).start()

    def _on_ui(self, fn: Callable[[], object]) -> object:
        done = threading.Event()
        box: list[object] = []

        def run(_dt: float) -> None:
            try:
                box.append(fn())
            except Exception as e:  # reported to the test, never crashing the app
                box.append({"error": f"{type(e).__name__}: {e}"})
            done.set()

        Clock.schedule_once(run)
        done.wait(20)
        return box[0] if box else {"error": "the UI thread did not answer"}

    def _answer(self, request: dict) -> object:
        op = request.get("op")
        if op == "widgets":
            return self._on_ui(lambda: describe(self._root_of(), self._screen_of))
        if op == "screen":
            return self._on_ui(lambda: {"screen": self._current()})
        if op == "screenshot":
            path = str(request["path"])
            return self._on_ui(lambda: {"path": Window.screenshot(name=path) or path})
        return {"error": f"unknown op {op!r}"}

    def _serve(self) -> None:
        while True:
            conn, _ = self._sock.accept()
            with conn, conn.makefile("rw", encoding="utf-8") as f:
                for line in f:
                    try:
                        answer = self._answer(json.loads(line))
                    except (ValueError, KeyError) as e:
                        answer = {"error": str(e)}
                    f.write(json.dumps(answer, ensure_ascii=False) + "\n")
                    f.flush()
