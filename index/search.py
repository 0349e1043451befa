"""Searching the index: ranked, highlighted, faceted, filtered, paged; and suggestions.

`Searcher` keeps one Whoosh searcher open and notices, before each search, when another process
has committed to the index (it refreshes) or switched generations (it reopens), so citizens see
a sync's changes as soon as it ends, without a restart. Item texts for titles and snippets come
from the mirror; the index holds only what matching needs.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field

from whoosh import query as Q
from whoosh import sorting

from . import query as qmod
from . import snippets
from .analysis import SeparatedTokenizer
from .errors import CatalogueError
from .fold import fold
from .indexstore import IndexStore
from .mirror import Mirror
from .model import Item
from .schema import MAX_INDEXED_BODY, SUGGEST_SEP

MAX_PAGE_SIZE = 100


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
        self._syllables: frozenset[str] = frozenset()

    def close(self) -> None:
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
            self._searcher = self._ix = self._name = None

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
        filter_q = Q.And([Q.Term(k, v) for k, v in filters.items()]) if filters else None

        def run(s):
            if parsed.empty:
                q = Q.Every() if not text.strip() else Q.NullQuery
                sortedby = sorting.FieldFacet("published", reverse=True)
                return self._run(s, q, filter_q, sortedby, page, page_size), None
            syl = self._syllables
            res = self._run(s, qmod.build(parsed, syllables=syl), filter_q, None, page, page_size)
            if (res.total >= page_size or len(parsed.required) < 2
                    or _number_hit(s, parsed, filter_q)):
                return res, None
            broad = qmod.build(parsed, broad=True, syllables=syl)
            return self._run(s, broad, filter_q, None, page, page_size), res.total

        raw, exact_total = self._with_retry(run)
        hits = self._hits(raw.found, parsed)
        if exact_total is not None and raw.total <= exact_total:
            exact_total = None  # broadening found nothing more: these are all full matches
        return SearchResults(text, raw.total, page, page_size, hits, raw.facets, filters,
                             exact_total=exact_total)

    def _run(self, s, q, filter_q, sortedby, page, page_size) -> _Raw:
        groups = {"agency": sorting.FieldFacet("agency"), "catset": sorting.FieldFacet("catset"),
                  "year": sorting.FieldFacet("year")}
        results = s.search(q, limit=page * page_size, filter=filter_q, sortedby=sortedby,
                           groupedby=groups, maptype=sorting.Count)
        # With facets Whoosh collects every match, not just `limit`: slice the page out.
        found = [(r["id"], r.score or 0.0)
                 for r in results[(page - 1) * page_size:page * page_size]]
        facets = {"agency": _counts(results.groups("agency")),
                  "category": _split_counts(results.groups("catset")),
                  "year": _counts(results.groups("year"))}
        return _Raw(len(results), found, facets)

    def _hits(self, found: list[tuple[str, float]], parsed: qmod.ParsedQuery) -> list[Hit]:
        items = self.mirror.get_many([i for i, _ in found])
        strings, keys = qmod.highlight_terms(parsed)
        hits = []
        for item_id, score in found:
            item = items.get(item_id)
            if item is None:  # deleted from the mirror after the index was read
                continue
            title_marks = snippets.spans(item.title, strings, keys)
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

        def run(s):
            best: dict[str, int] = {}
            reader = s.reader()
            for n, (term, info) in enumerate(reader.iter_prefix("sugg", key)):
                if n >= 5000:
                    break
                text = term.decode() if isinstance(term, bytes) else term
                display = text.split(SUGGEST_SEP, 1)[-1]
                best[display] = max(best.get(display, 0), info.doc_frequency())
            ranked = sorted(best.items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0]))
            out = []
            for display, _df in ranked:
                live = _live_count(s, display)
                if live:
                    out.append(Suggestion(display, live))
                if len(out) >= limit:
                    break
            return out

        try:
            return self._with_retry(run)
        except CatalogueError:
            return []


@dataclass
class _Raw:
    total: int
    found: list[tuple[str, float]]
    facets: dict[str, dict[str, int]]


def _number_hit(s, parsed: qmod.ParsedQuery, filter_q) -> bool:
    """Whether the query is some item's index or document number (then it is not broadened)."""
    num = qmod.number_query(parsed)
    return num is not None and not s.search(num, limit=1, filter=filter_q).is_empty()


def _counts(groups: dict) -> dict[str, int]:
    out = {(k.decode() if isinstance(k, bytes) else k): v for k, v in groups.items() if k}
    return dict(sorted(out.items(), key=lambda kv: (-kv[1], kv[0])))


def _split_counts(groups: dict) -> dict[str, int]:
    total: Counter[str] = Counter()
    for key, n in _counts(groups).items():
        for part in key.split(SeparatedTokenizer.SEP):
            if part:
                total[part] += n
    return dict(sorted(total.items(), key=lambda kv: (-kv[1], kv[0])))


def _live_count(s, display: str) -> int:
    """Live documents behind a suggestion (deleted ones linger in term statistics until merge).

    Every phrase is indexed under itself as key, so that entry counts it whatever was typed.
    """
    try:
        m = s.postings("sugg", f"{display}{SUGGEST_SEP}{display}")
    except Exception:  # merged away since the prefix scan
        return 0
    n = 0
    while m.is_active():
        n += 1
        m.next()
    return n
