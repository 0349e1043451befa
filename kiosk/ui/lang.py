"""The language of the screens, switchable while they are shown.

kv rules write `text: tr._("打印")`. Kivy's kv compiler binds every attribute chain it sees, so it
asks `tr` to bind "_"; this class keeps those callbacks and fires them on a switch, which
re-evaluates exactly the rules that used `tr._`. Python code that builds text itself registers
with `tr.on_switch(callback)` (called with no arguments) and calls `tr._()` again.

Values are filled with `tr._("共 {n} 条", n=3)`. Catalogue text is never passed through here.
"""

from __future__ import annotations

from collections.abc import Callable

from kivy.event import Observable
from kivy.lang import global_idmap

from ..i18n import LANGUAGES, pick, translate


class Lang(Observable):
    def __init__(self) -> None:
        super().__init__()
        self.lang = LANGUAGES[0]
        self._kv: dict[int, tuple] = {}
        self._uid = 0
        self._python: list[Callable[[], None]] = []

    def _(self, message: str, **values: object) -> str:
        return translate(message, self.lang, **values)

    def error(self, error: object) -> str:
        """One of our errors (`zh`/`en`) in the current language."""
        return pick(error, self.lang)

    def switch(self, lang: str) -> None:
        if lang not in LANGUAGES or lang == self.lang:
            return
        self.lang = lang
        for uid, (func, args, kwargs) in list(self._kv.items()):
            try:
                func(*args, None, None, **kwargs)
            except ReferenceError:  # the widget of that rule is gone
                del self._kv[uid]
        for callback in list(self._python):
            callback()

    def on_switch(self, callback: Callable[[], None]) -> None:
        self._python.append(callback)

    # kv's binding protocol for the "_" pseudo-property
    def fbind(self, name, func, *args, **kwargs):
        if name == "_":
            self._uid += 1
            self._kv[self._uid] = (func, args, kwargs)
            return self._uid
        return super().fbind(name, func, *args, **kwargs)

    def funbind(self, name, func, *args, **kwargs):
        if name == "_":
            for uid, bound in list(self._kv.items()):
                if bound == (func, args, kwargs):
                    del self._kv[uid]
            return
        return super().funbind(name, func, *args, **kwargs)

    def unbind_uid(self, name, uid):
        if name == "_":
            self._kv.pop(uid, None)
            return
        return super().unbind_uid(name, uid)


tr = Lang()
global_idmap["tr"] = tr
