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

import atexit
import datetime as dt
import queue
import re
import sqlite3
import sys
import threading
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


BATCH = 200  # events written in one transaction at most (one fsync for a burst of them)

Event = tuple[str, str, str | None]  # day, kind, detail


class Usage:
    """The usage store. Recording never waits for the disk: events go to a queue and one writer
    thread of its own commits them (`synchronous=FULL`, so a power cut loses nothing committed;
    what is queued together is committed together). The touch screen calls it from the UI
    thread, and a search never queues behind a usage fsync on the catalogue worker.

    `close()` writes whatever is queued before it returns, and so does the interpreter's exit;
    reads (`month`) first wait for the queue, so they see every event recorded before them.
    """

    def __init__(self, path: Path) -> None:
        self._conns = open_store(path, SCHEMA)
        self._queue: queue.Queue[Event | None] = queue.Queue()
        self._closed = False
        self._closing = threading.Lock()  # no event slips into the queue behind the last one
        self._writer = threading.Thread(target=self._write_loop, name="usage-writer", daemon=True)
        self._writer.start()
        atexit.register(self.close)  # daemon threads die at exit: drain the queue first

    def close(self) -> None:
        """Write every queued event, stop the writer and close this thread's connection."""
        with self._closing:
            if self._closed:
                self._conns.close()
                return
            self._closed = True
            self._queue.put(None)
        self._writer.join()
        atexit.unregister(self.close)
        self._conns.close()

    def flush(self) -> None:
        """Wait until every event recorded so far is committed."""
        if not self._closed:
            self._queue.join()

    def _add(self, kind: str, detail: str | None = None, day: dt.date | None = None) -> None:
        event = ((day or dt.date.today()).isoformat(), kind, detail)
        with self._closing:
            if not self._closed:
                self._queue.put(event)
                return
        self._write(self._conns.get(), [event])  # after close: written here and now, not lost

    def _write_loop(self) -> None:
        db = self._conns.get()
        try:
            while True:
                first = self._queue.get()
                batch = [] if first is None else [first]
                stop = first is None
                while not stop and len(batch) < BATCH:
                    try:
                        more = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if more is None:
                        stop = True
                    else:
                        batch.append(more)
                try:
                    if batch:
                        self._write(db, batch)
                finally:
                    for _ in range(len(batch) + stop):
                        self._queue.task_done()
                if stop:
                    return
        finally:
            self._conns.close()

    @staticmethod
    def _write(db: sqlite3.Connection, batch: list[Event]) -> None:
        try:
            with db:  # one transaction
                db.execute("BEGIN")
                db.executemany("INSERT INTO events VALUES (?, ?, ?)", batch)
        except sqlite3.Error as exc:  # a full disk must not stop the kiosk; say so, without text
            print(f"kiosk: usage figures not recorded ({len(batch)} events): {exc}",
                  file=sys.stderr, flush=True)

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
        self.flush()
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
