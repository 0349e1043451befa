"""The search screen: results as the citizen types, with suggestions, facets, and more on scroll.

Every keystroke starts a search after a short pause (`DEBOUNCE`), run by the catalogue worker;
answers carry the number of the request that asked, and any answer older than the newest request
is dropped, so fast typing never shows results for a word the citizen has already changed. The
search text is passed to the catalogue as typed: Simplified, Traditional, pinyin, initials, index
and document numbers all go through the same box.

Filters (agency, category, year) narrow whatever is typed. They come from the facets the search
already returns, shown as chips with their counts in a column beside the results (above them,
they would push the results out of sight while the keyboard is up); an active filter is a chip
with ✕ next to the count. With no text but a filter (a section tile on the home screen), the
section is listed newest first.
"""

from __future__ import annotations

from kivy.clock import Clock
from kivy.properties import (
    BooleanProperty,
    DictProperty,
    ListProperty,
    NumericProperty,
    ObjectProperty,
    StringProperty,
)
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.screenmanager import Screen

from index import SearchResults

from .lang import tr
from .worker import CatalogueWorker

DEBOUNCE = 0.25
SETTLE = 2.0  # a query left alone this long counts as one search in the usage figures
PAGE_SIZE = 10
SUGGESTIONS = 6
FACETS = ("year", "category", "agency")
"""The facets, in the order shown: years first (short chips, a few lines hold them all), then the
catalogue's sections, then the agencies (many, with long names)."""
FACET_CHIPS = 8
"""Values shown per facet, most frequent first (years: newest first); more would crowd the screen."""


def kind_label(kind: str) -> str:
    """The name of a facet as the citizen reads it."""
    return {"agency": tr._("发布机构"), "category": tr._("主题分类"), "year": tr._("年份")}[kind]


def facet_values(facets: dict[str, dict[str, int]], kind: str, total: int) -> list[tuple[str, int]]:
    """The chips worth offering for one facet: only values that would narrow the results."""
    counts = [(v, n) for v, n in facets.get(kind, {}).items() if 0 < n < total]
    if kind == "year":
        counts.sort(key=lambda vn: vn[0], reverse=True)
    return counts[:FACET_CHIPS]


class ResultRow(ButtonBehavior, BoxLayout):
    """One hit: title with highlights, agency · date · index number, a snippet.

    The texts are kept raw (`heading`, `excerpt`) with their highlight spans; the kv rule marks
    them up into `title` and `snippet` with the theme's highlight colour, so switching to high
    contrast recolours the hits already shown."""

    item_id = StringProperty("")
    heading = StringProperty("")
    title_spans = ListProperty([])
    meta = StringProperty("")
    excerpt = StringProperty("")
    snippet_spans = ListProperty([])
    title = StringProperty("")
    snippet = StringProperty("")


class SuggestionChip(Button):
    pass


class FacetChip(Button):
    """A facet value with its count; a tap narrows the results to it."""

    kind = StringProperty("")
    value = StringProperty("")


class FilterChip(Button):
    """An active filter; a tap (on its ✕ or anywhere on it) removes it."""

    kind = StringProperty("")


class FacetRow(BoxLayout):
    label = StringProperty("")


class SearchScreen(Screen):
    worker: CatalogueWorker = ObjectProperty(None, allownone=True)
    summary = StringProperty("")
    empty = BooleanProperty(False)
    total = NumericProperty(0)
    filters = DictProperty({})

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self._request = 0
        self._page = 1
        self._query = ""
        self._loading_more = False
        self._pending = None
        self._settle = None
        self._facets: dict[str, dict[str, int]] = {}
        self._said = ("", 0)  # what the summary says, kept to say it again in another language
        self.on_settled = None  # called with (text, hits) once a query has rested
        tr.on_switch(self._retell)

    @property
    def in_use(self) -> bool:
        """Whether there is anything to go back to: typed text or a filter."""
        return bool(self.ids.box.text or self.filters)

    # --- the search box ------------------------------------------------------------------------

    def set_query(self, text: str) -> None:
        """Show `text` in the box and search for it (used by suggestions and tests)."""
        self.ids.box.text = text
        self.ids.box.cursor = (len(text), 0)

    def begin(self, text: str = "", **filters: str) -> None:
        """A fresh search: `text` in the box, only these filters (home's entry and its tiles)."""
        self.filters = {k: v for k, v in filters.items() if v}
        self.set_query(text)
        self._search_now()

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
        if self._pending is not None:
            self._pending.cancel()
        self.ids.box.text = ""
        self.filters = {}
        self._facets = {}
        self.ids.results.clear_widgets()
        self.ids.suggestions.clear_widgets()
        self._chips()
        self._say("", 0)
        self.empty, self.total = False, 0

    # --- filters -------------------------------------------------------------------------------

    def narrow(self, kind: str, value: str) -> None:
        self.filters = {**self.filters, kind: value}
        self._search_now()

    def drop(self, kind: str) -> None:
        self.filters = {k: v for k, v in self.filters.items() if k != kind}
        self._search_now()

    def _search_now(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
        self._search(self.ids.box.text)

    # --- searching -----------------------------------------------------------------------------

    def _search(self, text: str) -> None:
        self._request += 1
        request, self._query, self._page = self._request, text, 1
        filters = dict(self.filters)
        if not text.strip() and not filters:
            self.ids.results.clear_widgets()
            self.ids.suggestions.clear_widgets()
            self._facets = {}
            self._chips()
            self._say("prompt", 0)
            self.empty, self.total = False, 0
            return

        def job(cat):
            results = cat.search(text, page_size=PAGE_SIZE, **filters)
            return results, (cat.suggest(text, SUGGESTIONS) if text.strip() else [])

        self.worker.submit(job, lambda answer: self._show(request, *answer))

    def _show(self, request: int, results: SearchResults, suggestions) -> None:
        if request != self._request:
            return  # the citizen has typed on since
        self.ids.results.clear_widgets()
        self.ids.scroller.scroll_y = 1
        self._add_hits(results)
        self.total = results.total
        self.empty = results.total == 0
        self._facets = results.facets
        self._chips()
        if not results.total:
            self._say("none", 0)
        else:
            self._say("found" if self._query.strip() else "listed", results.total)
        if self._settle is not None:
            self._settle.cancel()
        if self.on_settled is not None and self._query.strip():
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
                item_id=item.id, heading=item.title, title_spans=list(hit.title_highlights),
                meta=" · ".join(parts), excerpt=hit.snippet.text,
                snippet_spans=list(hit.snippet.highlights)))

    # --- what the screen says, in the language of the moment -----------------------------------

    def _say(self, what: str, n: int) -> None:
        self._said = (what, n)
        self.summary = {
            "prompt": tr._("请输入要查找的内容"),
            "found": tr._("找到 {n} 条相关信息", n=n),
            "listed": tr._("共 {n} 条，最新的在前", n=n),
            "none": tr._("没有找到相关信息"),
        }.get(what, "")

    def _retell(self) -> None:
        self._say(*self._said)
        self._chips()

    def _chips(self) -> None:
        """The active filters (✕ removes one) and, above the results, the facets to narrow by."""
        active = self.ids.active
        active.clear_widgets()
        for kind in FACETS:
            if kind in self.filters:
                label = tr._("{kind}：{value}", kind=kind_label(kind), value=self.filters[kind])
                active.add_widget(FilterChip(kind=kind, text=f"{label}  ✕",
                                             on_release=lambda c: self.drop(c.kind)))
        rows = self.ids.facets
        rows.clear_widgets()
        self.ids.facet_column.scroll_y = 1
        for kind in FACETS:
            values = [] if kind in self.filters else facet_values(self._facets, kind, self.total)
            if not values:
                continue
            row = FacetRow(label=kind_label(kind))
            for value, n in values:
                row.ids.chips.add_widget(FacetChip(
                    kind=kind, value=value, text=tr._("{value}（{n}）", value=value, n=n),
                    on_release=lambda c: self.narrow(c.kind, c.value)))
            rows.add_widget(row)

    # --- more on scroll ------------------------------------------------------------------------

    def on_scroll(self, scroll_y: float) -> None:
        shown = len(self.ids.results.children)
        if scroll_y > 0.02 or self._loading_more or shown >= self.total:
            return
        self._loading_more = True
        request, text, page = self._request, self._query, self._page + 1
        filters = dict(self.filters)

        def more(results) -> None:
            self._loading_more = False
            if request == self._request:
                self._page = page
                self._add_hits(results)

        self.worker.submit(
            lambda cat: cat.search(text, page=page, page_size=PAGE_SIZE, **filters), more)
