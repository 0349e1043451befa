"""The home screen: the way into search, the catalogue's size and freshness, its sections."""

from __future__ import annotations

from kivy.properties import StringProperty
from kivy.uix.label import Label
from kivy.uix.screenmanager import Screen

from index import Catalogue

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


class SectionTile(Label):
    """A catalogue section with its item count. Text is data: markup stays off."""


class HomeScreen(Screen):
    summary = StringProperty("")

    def show(self, model: dict) -> None:
        updated = f" · 更新于 {model['updated']}" if model["updated"] else ""
        self.summary = f"目录共 {model['items']} 条政府信息{updated}"
        grid = self.ids.sections
        grid.clear_widgets()
        for name, count in model["sections"]:
            grid.add_widget(SectionTile(text=f"{name}\n{count} 条"))
