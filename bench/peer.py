"""The peer: SQLite FTS5, the search engine a developer gets for free with Python.

Two variants, each a competent first attempt, not a straw man:

- `jieba`: the same items folded to Simplified (`index.fold`, character for character) and cut
  with `jieba.cut_for_search` (dictionary only, like ours; it also emits the shorter words inside
  long ones, which is what jieba recommends for search engines), stored as space-separated words
  under FTS5's default `unicode61` tokenizer. A query is folded, cut with `jieba.cut`, and every
  word is required (AND); if nothing matches, any word will do (OR).
- `trigram`: FTS5's `trigram` tokenizer over the raw text (no folding, no segmentation). A query
  is split at spaces; pieces of three characters or more are matched as substrings through the
  index, shorter ones with `instr()` (a full scan: SQLite 3.40's trigram `LIKE` silently matches
  nothing for patterns under three characters). AND first, then OR when nothing matches.

Both rank with `bm25()` weighted like ours (title 4, keywords 3, agency 2, numbers 2, summary 1.5,
body 1) and do the work the kiosk's search does for a results page: the total, the first page of
ten with a snippet each, and facet counts (agency, top-level category, year) over every match.
Neither knows pinyin, initials, synonyms or the many ways a 文号 is typed; that is the point of
comparing.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from index.fold import fold
from index.model import top_category

COLUMNS = ("title", "keywords", "agency", "numbers", "summary", "body")
WEIGHTS = (4.0, 3.0, 2.0, 2.0, 1.5, 1.0)
VARIANTS = ("jieba", "trigram")
_WORD = re.compile(r"\w", re.UNICODE)


@dataclass
class PeerResult:
    total: int
    ids: list[str]
    snippets: list[str]
    facets: dict[str, dict[str, int]]


def _jieba():
    from index.analysis import _jieba as shared  # the same initialised jieba as the index

    return shared()


def _segment(text: str) -> str:
    """Folded text as space-separated search words (jieba's search-engine mode)."""
    jb = _jieba()
    return " ".join(w for w in jb.cut_for_search(fold(text), HMM=False) if _WORD.search(w))


def _row(item: dict, variant: str) -> tuple[str, ...]:
    numbers = f"{item['id']} {item.get('doc_number') or ''}"
    values = (item["title"], " ".join(item.get("keywords") or ()), item["agency"], numbers,
              item.get("summary") or "", item["body"])
    if variant == "jieba":
        return tuple(_segment(v) for v in values)
    return values


def _facet_values(item: dict) -> tuple[str, str, str]:
    cats = sorted({fold(top_category(c)) for c in item.get("categories") or ()} - {""})
    return fold(item["agency"].strip()), "\x1f".join(cats), item["published_date"][:4]


class FTS5Peer:
    """One FTS5 database of one variant."""

    def __init__(self, path: Path, variant: str) -> None:
        assert variant in VARIANTS
        self.path = Path(path)
        self.variant = variant
        self.db = sqlite3.connect(str(self.path))
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")

    def close(self) -> None:
        self.db.close()

    # -- building -----------------------------------------------------------------------------

    def create(self) -> None:
        tokenize = "trigram" if self.variant == "trigram" else "unicode61"
        cols = ", ".join(COLUMNS)
        self.db.executescript(f"""
            DROP TABLE IF EXISTS fts; DROP TABLE IF EXISTS meta;
            CREATE VIRTUAL TABLE fts USING fts5({cols}, tokenize='{tokenize}');
            CREATE TABLE meta (rowid INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL,
                               agency TEXT, cats TEXT, year TEXT);
        """)

    def add(self, items: Iterable[dict], batch: int = 500) -> int:
        """Insert items (new ids) in transactions of `batch`; returns how many."""
        n = 0
        rows: list[dict] = []
        for item in items:
            rows.append(item)
            if len(rows) >= batch:
                n += self._insert(rows)
                rows = []
        if rows:
            n += self._insert(rows)
        return n

    def _insert(self, items: list[dict]) -> int:
        with self.db:
            for item in items:
                cur = self.db.execute("INSERT INTO meta (id, agency, cats, year) VALUES (?, ?, ?, ?)",
                                      (item["id"], *_facet_values(item)))
                self.db.execute(f"INSERT INTO fts (rowid, {', '.join(COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                                (cur.lastrowid, *_row(item, self.variant)))
        return len(items)

    def apply(self, upserts: list[dict], deletes: list[str]) -> None:
        """A sync's changes in one transaction: replace upserted items, remove deleted ones."""
        with self.db:
            for item_id in [*deletes, *(i["id"] for i in upserts)]:
                row = self.db.execute("SELECT rowid FROM meta WHERE id = ?", (item_id,)).fetchone()
                if row:
                    self.db.execute("DELETE FROM fts WHERE rowid = ?", row)
                    self.db.execute("DELETE FROM meta WHERE rowid = ?", row)
            for item in upserts:
                cur = self.db.execute("INSERT INTO meta (id, agency, cats, year) VALUES (?, ?, ?, ?)",
                                      (item["id"], *_facet_values(item)))
                self.db.execute(f"INSERT INTO fts (rowid, {', '.join(COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                                (cur.lastrowid, *_row(item, self.variant)))

    def optimize(self) -> None:
        with self.db:
            self.db.execute("INSERT INTO fts(fts) VALUES ('optimize')")

    # -- searching ----------------------------------------------------------------------------

    def _terms(self, text: str) -> tuple[list[str], list[str]]:
        """(indexed terms, scanned terms) of a query."""
        if self.variant == "jieba":
            words = [w for w in _jieba().cut(fold(text), HMM=False) if _WORD.search(w)]
            return list(dict.fromkeys(words)), []
        pieces = [p for p in text.split() if p]
        return [p for p in pieces if len(p) >= 3], [p for p in pieces if len(p) < 3]

    def search(self, text: str, page_size: int = 10) -> PeerResult:
        long_terms, short_terms = self._terms(text[:500])
        if not long_terms and not short_terms:
            return PeerResult(0, [], [], {})
        for joiner in (" AND ", " OR "):
            result = self._search(long_terms, short_terms, joiner, page_size)
            if result.total or len(long_terms) + len(short_terms) < 2:
                return result
        return result

    def _search(self, long_terms: list[str], short_terms: list[str], joiner: str,
                page_size: int) -> PeerResult:
        where: list[str] = []
        params: list[object] = []
        if long_terms:
            where.append("fts MATCH ?")
            params.append(joiner.join('"' + t.replace('"', '""') + '"' for t in long_terms))
        scans = []
        for t in short_terms:
            scans.append("(" + " OR ".join(f"instr({c}, ?) > 0" for c in COLUMNS) + ")")
            params += [t] * len(COLUMNS)
        if scans:
            where.append("(" + joiner.join(scans) + ")")
        if long_terms and short_terms and joiner == " OR ":
            where = ["(" + " OR ".join(where) + ")"]
        clause = " AND ".join(where)
        weights = ", ".join(str(w) for w in WEIGHTS)
        order = f"bm25(fts, {weights})" if long_terms and joiner == " AND " else "fts.rowid DESC"
        snippet = "snippet(fts, -1, '[', ']', '…', 24)" if long_terms else "substr(fts.body, 1, 60)"
        try:
            page = self.db.execute(
                f"SELECT meta.id, {snippet} FROM fts JOIN meta ON meta.rowid = fts.rowid "
                f"WHERE {clause} ORDER BY {order} LIMIT ?", (*params, page_size)).fetchall()
            facets_rows = self.db.execute(
                f"SELECT meta.agency, meta.cats, meta.year FROM fts JOIN meta ON meta.rowid = fts.rowid "
                f"WHERE {clause}", params).fetchall()
        except sqlite3.OperationalError:  # an FTS5 query syntax error: plain text must not fail
            return PeerResult(0, [], [], {})
        agency: Counter[str] = Counter()
        category: Counter[str] = Counter()
        year: Counter[str] = Counter()
        for a, cats, y in facets_rows:
            agency[a] += 1
            year[y] += 1
            for c in cats.split("\x1f"):
                if c:
                    category[c] += 1
        return PeerResult(len(facets_rows), [r[0] for r in page], [r[1] for r in page],
                          {"agency": dict(agency), "category": dict(category), "year": dict(year)})


def read_items(path: Path) -> Iterator[dict]:
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def build(path: Path, variant: str, items: Iterable[dict]) -> tuple[FTS5Peer, int, float]:
    """A fresh peer database from `items`: (peer, items, seconds including the final optimize)."""
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    peer = FTS5Peer(path, variant)
    started = time.perf_counter()
    peer.create()
    n = peer.add(items)
    peer.optimize()
    return peer, n, time.perf_counter() - started
