"""Searching the index: ranked, highlighted, faceted, filtered, paged; and suggestions.

`Searcher` keeps one Whoosh searcher open and notices, before each search, when another process
has committed to the index (it refreshes) or switched generations (it reopens), so citizens see
a sync's changes as soon as it ends, without a restart. Item texts for titles and snippets come
from the mirror; the index holds only what matching needs.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter

from . import query as qmod
from . import snippets
from .engine import Engine
from .errors import CatalogueError
from .fold import fold
from .indexstore import IndexStore
from .mirror import Mirror
from .model import Item
from .schema import MAX_INDEXED_BODY, SUGGEST_SEP

MAX_PAGE_SIZE = 100
SUGGEST_SCAN = 5000
"""Index keys read for one suggestion prefix (the most used of them are offered)."""
SHORT_PREFIX = 2
"""A prefix this short (`zh`, `政`) begins tens of thousands of keys at 100,000 items, of which
the first SUGGEST_SCAN in order are an arbitrary few (`zh` stopped at `zheng…`, so 中国 never
came up). Such a prefix is answered from every key it begins, and the answer kept until the
index changes: every citizen types the same first letters, and only the first after a sync
waits for the whole scan (docs/benchmarks.md reports that wait as the "first time" figure)."""


@dataclass
class Hit:
    item: Item
    score: float
    snippet: snippets.Snippet
    title_highlights: list[tuple[int, int]]

    @property
    def id(self) -> str:
        return self.item.id


@dataclass
class SearchResults:
    query: str
    total: int
    page: int
    page_size: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]]
    filters: dict[str, str] = field(default_factory=dict)
    exact_total: int | None = None
    """How many items hold every word (the first `exact_total` of `total`); None if not relaxed."""

    @property
    def relaxed(self) -> bool:
        """True when items holding only some of the words follow those holding all of them."""
        return self.exact_total is not None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


@dataclass(frozen=True)
class Suggestion:
    text: str
    count: int


class Searcher:
    def __init__(self, store: IndexStore, mirror: Mirror) -> None:
        self.store = store
        self.mirror = mirror
        self._lock = threading.Lock()
        self._name: str | None = None
        self._ix = None
        self._searcher = None
        self._engine: Engine | None = None
        self._short: dict[tuple[str, int], tuple[Suggestion, ...]] = {}  # see SHORT_PREFIX
        self._syllables: frozenset[str] = frozenset()

    def close(self) -> None:
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
            self._searcher = self._ix = self._name = self._engine = None

    def _current(self):
        """The Whoosh searcher on the newest committed state of the current generation."""
        name = self.store.current_name()
        if self._searcher is None or name != self._name:
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None
            opened = self.store.open_current()
            if opened is None:
                raise CatalogueError("搜索索引不可用，正在等待重建；请稍后再试或联系工作人员",
                                     "the search index is unavailable and must be rebuilt "
                                     "(kiosk-admin rebuild-index)")
            self._name, self._ix = opened
            self._open_searcher()
        elif not self._searcher.up_to_date():
            # Not Searcher.refresh(): it reuses a segment's reader when only deletions changed,
            # and that reader still sees the deleted documents.
            self._searcher.close()
            self._open_searcher()
        return self._searcher

    def _open_searcher(self) -> None:
        self._searcher = self._ix.searcher()
        self._engine = Engine(self._searcher)
        self._short = {}
        self._syllables = frozenset(
            t.decode() if isinstance(t, bytes) else t
            for t in self._searcher.reader().lexicon("title_py"))

    def _with_retry(self, fn):
        """Run `fn(searcher)`; if the index changed under us mid-read, reopen and try once more."""
        with self._lock:
            try:
                return fn(self._current())
            except CatalogueError:
                raise
            except Exception:
                if self._searcher is not None:
                    self._searcher.close()
                self._searcher = self._name = None
                try:
                    return fn(self._current())
                except CatalogueError:
                    raise
                except Exception as exc:
                    raise CatalogueError("搜索索引读取失败，请联系工作人员重建索引",
                                         f"reading the search index failed ({exc}); "
                                         "run kiosk-admin rebuild-index") from exc

    # -- search -------------------------------------------------------------------------------

    def search(self, text: str, *, agency: str | None = None, category: str | None = None,
               year: str | int | None = None, page: int = 1, page_size: int = 10) -> SearchResults:
        """Search the catalogue. Any text is valid; an empty text lists items newest first."""
        text = text if isinstance(text, str) else ""
        page = max(1, int(page))
        page_size = min(MAX_PAGE_SIZE, max(1, int(page_size)))
        filters = {k: fold(str(v)).strip() for k, v in
                   (("agency", agency), ("category", category), ("year", year)) if v}
        parsed = qmod.parse(text)
        wanted = list(filters.items())

        def run(s):
            engine = self._engine
            if parsed.empty:
                if text.strip():  # only punctuation or the like: nothing can match
                    return engine.run(qmod.plan(parsed), wanted, page, page_size), None, s
                return engine.newest(wanted, page, page_size), None, s
            plan = qmod.plan(parsed, self._syllables)
            res = engine.run(plan, wanted, page, page_size)
            if res.total >= page_size or len(parsed.required) < 2 or engine.any(plan, wanted):
                return res, None, s
            return engine.run(plan, wanted, page, page_size, broad=True), res.total, s

        raw, exact_total, s = self._with_retry(run)
        found = [(stored["id"], score, stored.get("title_py"))
                 for stored, score in ((s.stored_fields(d), score) for d, score in raw.page)]
        hits = self._hits(found, parsed)
        if exact_total is not None and raw.total <= exact_total:
            exact_total = None  # broadening found nothing more: these are all full matches
        return SearchResults(text, raw.total, page, page_size, hits, raw.facets, filters,
                             exact_total=exact_total)

    def _hits(self, found: list[tuple[str, float, str | None]],
              parsed: qmod.ParsedQuery) -> list[Hit]:
        """Hits for (id, score, the title's indexed syllables) of the page, with their marks."""
        items = self.mirror.get_many([i for i, _s, _r in found])
        strings, keys = qmod.highlight_terms(parsed)
        hits = []
        for item_id, score, readings in found:
            item = items.get(item_id)
            if item is None:  # deleted from the mirror after the index was read
                continue
            title_marks = snippets.spans(item.title, strings, keys, readings)
            snip = None
            body = item.body[:MAX_INDEXED_BODY]  # what was searched is what can be marked
            for name, text in (("body", body), ("summary", item.summary or "")):
                marks = snippets.spans(text, strings) if text else []
                if marks:
                    snip = snippets.make(text, marks, name)
                    break
            if snip is None:
                lead = item.summary or item.body
                snip = snippets.make(lead, [], "summary" if item.summary else "body")
            hits.append(Hit(item, score, snip, title_marks))
        return hits

    # -- suggestions --------------------------------------------------------------------------

    def vocabulary(self) -> tuple[list[tuple[str, int]], int]:
        """Every suggestion phrase with the live items using it, in order, and the live items.

        One pass over the term file (`Engine.scan`). Whoosh's `iter_field` looks each term up
        again in every segment, which made reading these some ten times slower once a rebuild
        wrote one segment per process."""

        def run(_s):
            engine = self._engine
            sep = SUGGEST_SEP.encode()
            exact = engine.live == (1 << engine.size) - 1  # nothing deleted: counts are exact
            out = []
            for term, df in engine.scan("sugg", "", 1 << 62):
                key, _sep, phrase = term.partition(sep)
                if key != phrase:
                    continue
                text = phrase.decode("utf-8")
                n = df if exact else engine.live_count("sugg", f"{text}{SUGGEST_SEP}{text}")
                if n:
                    out.append((text, n))
            return out, engine.live.bit_count()

        return self._with_retry(run)

    def suggest(self, prefix: str, limit: int = 8) -> list[Suggestion]:
        """Completions for search-as-you-type, from the index's own words, pinyin and initials."""
        key = fold(prefix or "").strip()
        if key.isascii():
            key = "".join(c for c in key if c.isalnum())
            if len(key) < 2:
                return []
        if not key or SUGGEST_SEP in key:
            return []
        key = key[:40]

        short = len(key) <= SHORT_PREFIX

        def run(_s):
            engine = self._engine
            if short and (key, limit) in self._short:
                return list(self._short[key, limit])
            found = _ranked_suggestions(engine, key, limit, 1 << 62 if short else SUGGEST_SCAN)
            if short:
                self._short[key, limit] = tuple(found)
            return found

        try:
            return self._with_retry(run)
        except CatalogueError:
            return []


def _ranked_suggestions(engine: Engine, key: str, limit: int, scan: int) -> list[Suggestion]:
    """The `limit` most used phrases among the first `scan` suggestion keys beginning `key`."""
    sep = SUGGEST_SEP.encode()
    best: dict[bytes, int] = {}  # phrase shown → its most used key's document count
    for term, df in engine.scan("sugg", key, scan):
        display = term[term.find(sep) + 1:]
        if best.get(display, 0) < df:
            best[display] = df
    out: list[Suggestion] = []
    # most used first; among equals, shorter then in order (decoded only when reached)
    for _df, same in groupby(sorted(best.items(), key=itemgetter(1), reverse=True),
                             key=itemgetter(1)):
        for display in sorted((d.decode("utf-8") for d, _n in same), key=lambda t: (len(t), t)):
            live = engine.live_count("sugg", f"{display}{SUGGEST_SEP}{display}")
            if live:
                out.append(Suggestion(display, live))
            if len(out) >= limit:
                return out
    return out
