"""Anonymous usage figures for the venue's annual report (政府信息公开工作年度报告).

Venues must report how their reading room was used: visitors, consultations, prints,
applications. The touch screen records each of these as a bare event — a day and a kind — and
nothing that could identify a person: no time of day (which, with a camera log, would), no visit
token, no search text except for searches that found nothing. Those are worth keeping, because
they show what citizens look for that the catalogue lacks; they are kept with long digit runs
masked, since a citizen may well type an ID or phone number into the search box.

Item ids are public catalogue data, so "items read" keeps them, for the "most consulted" list.
Pages printed come from the print log and applications from the outbox; `report` joins them.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path

from index.sqlitedb import open_store

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    day TEXT NOT NULL,      -- local date
    kind TEXT NOT NULL,     -- visit | search | zero_search | read | application
    detail TEXT             -- zero_search: the masked query; read: the item id
);
CREATE INDEX IF NOT EXISTS events_day ON events(day);
"""
KINDS = ("visit", "search", "zero_search", "read", "application")
MASK = "＊＊＊"
_LONG_DIGITS = re.compile(r"\d{5,}[Xx]?|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
MAX_QUERY = 100


def mask(query: str) -> str:
    """A zero-result query as it may be kept: runs of 5+ digits (ID, phone and account numbers,
    an ID's final X included) and e-mail addresses replaced, width folded, cut at 100 chars."""
    folded = unicodedata.normalize("NFKC", query).strip()
    return _LONG_DIGITS.sub(MASK, folded)[:MAX_QUERY]


class Usage:
    def __init__(self, path: Path) -> None:
        self._conns = open_store(path, SCHEMA)

    def close(self) -> None:
        self._conns.close()

    def _add(self, kind: str, detail: str | None = None, day: dt.date | None = None) -> None:
        self._conns.get().execute("INSERT INTO events VALUES (?, ?, ?)",
                                  ((day or dt.date.today()).isoformat(), kind, detail))

    def visit(self, day: dt.date | None = None) -> None:
        """Someone started using the kiosk (first touch on an idle screen)."""
        self._add("visit", day=day)

    def search(self, query: str, hits: int, day: dt.date | None = None) -> None:
        """A search the citizen ran (typed or tapped); only a fruitless one keeps its text."""
        if not query.strip():
            return
        self._add("search", day=day)
        if hits == 0:
            self._add("zero_search", mask(query), day=day)

    def item_read(self, item_id: str, day: dt.date | None = None) -> None:
        self._add("read", item_id, day=day)

    def application(self, day: dt.date | None = None) -> None:
        """An application filed at the touch screen (staff-entered ones are in the outbox)."""
        self._add("application", day=day)

    def month(self, month: str, top: int = 20) -> dict:
        """The month's figures (`YYYY-MM`): counts by kind, the zero-result queries and the most
        read items, each with how often."""
        db = self._conns.get()
        like = f"{month}-%"
        counts = dict.fromkeys(KINDS, 0)
        for kind, n in db.execute("SELECT kind, count(*) FROM events WHERE day LIKE ? GROUP BY kind",
                                  (like,)):
            counts[kind] = n
        zero = db.execute("SELECT detail, count(*) AS n FROM events WHERE day LIKE ? AND "
                          "kind = 'zero_search' GROUP BY detail ORDER BY n DESC, detail LIMIT ?",
                          (like, top)).fetchall()
        read = db.execute("SELECT detail, count(*) AS n FROM events WHERE day LIKE ? AND "
                          "kind = 'read' GROUP BY detail ORDER BY n DESC, detail LIMIT ?",
                          (like, top)).fetchall()
        days = db.execute("SELECT count(DISTINCT day) FROM events WHERE day LIKE ?",
                          (like,)).fetchone()[0]
        return {
            "visits": counts["visit"], "searches": counts["search"],
            "zero_result_searches": counts["zero_search"], "items_read": counts["read"],
            "applications_at_screen": counts["application"], "days_used": days,
            "zero_result_queries": [{"query": q, "count": n} for q, n in zero],
            "most_read": [{"id": i, "count": n} for i, n in read],
        }
