"""The search screen: results as the citizen types, with suggestions, and more on scroll.

Every keystroke starts a search after a short pause (`DEBOUNCE`), run by the catalogue worker;
answers carry the number of the request that asked, and any answer older than the newest request
is dropped, so fast typing never shows results for a word the citizen has already changed. The
search text is passed to the catalogue as typed: Simplified, Traditional, pinyin, initials, index
and document numbers all go through the same box.
"""

from __future__ import annotations

from kivy.clock import Clock
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.screenmanager import Screen

from index import SearchResults

from .marked import marked
from .worker import CatalogueWorker

DEBOUNCE = 0.25
SETTLE = 2.0  # a query left alone this long counts as one search in the usage figures
PAGE_SIZE = 10
SUGGESTIONS = 6


class ResultRow(ButtonBehavior, BoxLayout):
    """One hit: title with highlights, agency · date · index number, a snippet."""

    item_id = StringProperty("")
    title = StringProperty("")
    meta = StringProperty("")
    snippet = StringProperty("")


class SuggestionChip(Button):
    pass


class SearchScreen(Screen):
    worker: CatalogueWorker = ObjectProperty(None, allownone=True)
    summary = StringProperty("")
    empty = BooleanProperty(False)
    total = NumericProperty(0)

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self._request = 0
        self._page = 1
        self._query = ""
        self._loading_more = False
        self._pending = None
        self._settle = None
        self.on_settled = None  # called with (text, hits) once a query has rested

    # --- the search box ------------------------------------------------------------------------

    def set_query(self, text: str) -> None:
        """Show `text` in the box and search for it (used by home, suggestions and tests)."""
        self.ids.box.text = text
        self.ids.box.cursor = (len(text), 0)

    def on_text(self, text: str) -> None:
        if self._pending is not None:
            self._pending.cancel()
        self._pending = Clock.schedule_once(lambda _dt: self._search(text), DEBOUNCE)

    def clear(self) -> None:
        self.set_query("")
        self.ids.box.focus = True

    def wipe(self) -> None:
        """Forget everything shown: the idle timeout and "home" call this."""
        self._request += 1
        self.ids.box.text = ""
        self.ids.results.clear_widgets()
        self.ids.suggestions.clear_widgets()
        self.summary, self.empty, self.total = "", False, 0

    def _search(self, text: str) -> None:
        self._request += 1
        request, self._query, self._page = self._request, text, 1
        if not text.strip():
            self.ids.results.clear_widgets()
            self.ids.suggestions.clear_widgets()
            self.summary, self.empty, self.total = "请输入要查找的内容", False, 0
            return

        def job(cat):
            return cat.search(text, page_size=PAGE_SIZE), cat.suggest(text, SUGGESTIONS)

        self.worker.submit(job, lambda answer: self._show(request, *answer))

    def _show(self, request: int, results: SearchResults, suggestions) -> None:
        if request != self._request:
            return  # the citizen has typed on since
        self.ids.results.clear_widgets()
        self.ids.scroller.scroll_y = 1
        self._add_hits(results)
        self.total = results.total
        self.empty = results.total == 0
        self.summary = (f"找到 {results.total} 条相关信息" if results.total
                        else "没有找到相关信息")
        if self._settle is not None:
            self._settle.cancel()
        if self.on_settled is not None:
            text, hits, callback = self._query, results.total, self.on_settled
            self._settle = Clock.schedule_once(
                lambda _dt: callback(text, hits) if request == self._request else None, SETTLE)
        chips = self.ids.suggestions
        chips.clear_widgets()
        for s in suggestions:
            if s.text != self._query:
                chips.add_widget(SuggestionChip(text=s.text, on_release=lambda b: self.set_query(b.text)))

    def _add_hits(self, results: SearchResults) -> None:
        for hit in results.hits:
            item = hit.item
            parts = [item.agency, item.published_date, item.id]
            if item.doc_number:
                parts.insert(1, item.doc_number)
            self.ids.results.add_widget(ResultRow(
                item_id=item.id, title=marked(item.title, hit.title_highlights),
                meta=marked(" · ".join(parts)),
                snippet=marked(hit.snippet.text, hit.snippet.highlights)))

    # --- more on scroll ------------------------------------------------------------------------

    def on_scroll(self, scroll_y: float) -> None:
        shown = len(self.ids.results.children)
        if scroll_y > 0.02 or self._loading_more or shown >= self.total:
            return
        self._loading_more = True
        request, text, page = self._request, self._query, self._page + 1

        def more(results) -> None:
            self._loading_more = False
            if request == self._request:
                self._page = page
                self._add_hits(results)

        self.worker.submit(lambda cat: cat.search(text, page=page, page_size=PAGE_SIZE), more)
