"""The home screen: the way into search, the catalogue's size and freshness, its sections, and
the switches a citizen may need before anything else (language, high contrast, large text)."""

from __future__ import annotations

from kivy.properties import NumericProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.button import Button
from kivy.uix.label import Label
from kivy.uix.screenmanager import Screen

from index import Catalogue

from .lang import tr

MAX_TILES = 12


def home_model(catalogue: Catalogue) -> dict:
    """What the home screen shows, read through the catalogue's public API."""
    everything = catalogue.search("", page_size=1)
    updated = catalogue.last_updated()
    return {
        "items": everything.total,
        "sections": list(everything.facets.get("category", {}).items())[:MAX_TILES],
        "updated": updated[:16].replace("T", " ") if updated else "",
    }


class SectionTile(ButtonBehavior, Label):
    """A catalogue section with its item count; a tap lists the section, newest first.
    The section's name is data: markup stays off."""

    section = StringProperty("")
    count = NumericProperty(0)


class LangButton(Button):
    """The other language, named in itself ("English" / "中文"): a tap switches to it.

    In every screen's header, so a citizen who cannot read Chinese finds it wherever the
    previous visitor left the kiosk."""

    other = StringProperty("English")

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        tr.on_switch(self._switched)
        self._switched()

    def _switched(self) -> None:
        self.other = "中文" if tr.lang == "en" else "English"

    def switch(self) -> None:
        tr.switch("zh" if tr.lang == "en" else "en")


class HomeScreen(Screen):
    summary = StringProperty("")
    venue = StringProperty("")
    """The venue's name (`[venue] name`), under the title: the citizen knows where they are."""
    lang = StringProperty(tr.lang)
    """The language shown, for the 中文 / English switch to mark the one in use."""

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self._model: dict = {"items": 0, "updated": "", "sections": []}
        tr.on_switch(self._retell)

    def show(self, model: dict) -> None:
        self._model = model
        self._retell()
        grid = self.ids.sections
        grid.clear_widgets()
        for name, count in model["sections"]:
            grid.add_widget(SectionTile(section=name, count=count))

    def _retell(self) -> None:
        self.lang = tr.lang
        model = self._model
        summary = tr._("目录共 {n} 条政府信息", n=model["items"])
        if model["updated"]:
            summary += tr._(" · 更新于 {time}", time=model["updated"])
        self.summary = summary
