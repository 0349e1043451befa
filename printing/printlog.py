"""The print log: every print the kiosk sent, its pages, cost and outcome — and nothing personal.

Staff read it to reprint and to answer "did my copy come out?"; the usage figures count pages
from it; the quotas are computed from it. A row names what was printed (item id, attachment
name, page range), never who printed it: a visit is a random token the screen makes when someone
starts using the kiosk, and a receipt is logged as "receipt" with no receipt number, because a
receipt number leads to an application and so to a person.

States: queued (sent to CUPS) → printing → completed | failed | cancelled. Only completed jobs are
charged; failed and cancelled ones give their pages back to the visit's and the day's quota.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from index.sqlitedb import open_store

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,          -- local time, ISO 8601
    day TEXT NOT NULL,                 -- local date, for the daily cap and the monthly figures
    finished_at TEXT,
    visit TEXT NOT NULL,
    kind TEXT NOT NULL,                -- item | attachment | receipt
    item_id TEXT,
    attachment TEXT,
    page_spec TEXT,
    pages INTEGER NOT NULL,            -- pages per copy
    copies INTEGER NOT NULL,
    cost_fen INTEGER NOT NULL,         -- what completion charges
    queue TEXT NOT NULL,
    cups_job INTEGER,
    state TEXT NOT NULL,
    reason TEXT
);
CREATE INDEX IF NOT EXISTS jobs_visit ON jobs(visit);
CREATE INDEX IF NOT EXISTS jobs_day ON jobs(day);
"""
COUNTING = ("queued", "printing", "completed")
FINAL = ("completed", "failed", "cancelled")


@dataclass(frozen=True)
class PrintRecord:
    id: int
    created_at: str
    finished_at: str | None
    visit: str
    kind: str
    item_id: str | None
    attachment: str | None
    page_spec: str | None
    pages: int
    copies: int
    cost_fen: int
    queue: str
    cups_job: int | None
    state: str
    reason: str | None

    @property
    def total(self) -> int:
        return self.pages * self.copies

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


class PrintLog:
    def __init__(self, path: Path) -> None:
        self._conns = open_store(path, SCHEMA)

    def close(self) -> None:
        self._conns.close()

    def used(self, visit: str, day: dt.date | None = None) -> tuple[int, int]:
        """Pages (× copies) of non-receipt jobs still counting against (this visit, the day)."""
        day = day or _now().date()
        marks = ",".join("?" * len(COUNTING))
        db = self._conns.get()
        v = db.execute(f"SELECT coalesce(sum(pages * copies), 0) FROM jobs WHERE visit = ? "
                       f"AND kind != 'receipt' AND state IN ({marks})", (visit, *COUNTING)).fetchone()
        d = db.execute(f"SELECT coalesce(sum(pages * copies), 0) FROM jobs WHERE day = ? "
                       f"AND kind != 'receipt' AND state IN ({marks})",
                       (day.isoformat(), *COUNTING)).fetchone()
        return v[0], d[0]

    def add(self, *, visit: str, kind: str, item_id: str | None, attachment: str | None,
            page_spec: str | None, pages: int, copies: int, queue: str,
            price: Callable[[int, int], int]) -> int:
        """Record a job about to be sent; `price(visit_used, day_used)` gives its cost in fen or
        raises to refuse it.

        The pricing runs in the same write transaction as the insert, so two prints racing for
        the last pages of a cap cannot both pass.
        """
        now = _now()
        db = self._conns.get()
        db.execute("BEGIN IMMEDIATE")
        try:
            cost_fen = price(*self.used(visit, now.date()))
            cur = db.execute(
                "INSERT INTO jobs (created_at, day, visit, kind, item_id, attachment, page_spec, pages,"
                " copies, cost_fen, queue, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued')",
                (now.isoformat(), now.date().isoformat(), visit, kind, item_id, attachment, page_spec,
                 pages, copies, cost_fen, queue))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return int(cur.lastrowid)

    def set_cups_job(self, log_id: int, cups_job: int) -> None:
        self._conns.get().execute("UPDATE jobs SET cups_job = ? WHERE id = ?", (cups_job, log_id))

    def set_state(self, log_id: int, state: str, reason: str | None = None) -> None:
        finished = _now().isoformat() if state in FINAL else None
        self._conns.get().execute(
            "UPDATE jobs SET state = ?, reason = coalesce(?, reason), finished_at = ? "
            "WHERE id = ? AND state NOT IN ('completed', 'failed', 'cancelled')",
            (state, reason, finished, log_id))

    def get(self, log_id: int) -> PrintRecord | None:
        row = self._conns.get().execute(f"SELECT {_COLUMNS} FROM jobs WHERE id = ?",
                                        (log_id,)).fetchone()
        return PrintRecord(*row) if row else None

    def recent(self, limit: int = 50) -> list[PrintRecord]:
        rows = self._conns.get().execute(f"SELECT {_COLUMNS} FROM jobs ORDER BY id DESC LIMIT ?",
                                         (limit,)).fetchall()
        return [PrintRecord(*r) for r in rows]

    def month(self, month: str) -> dict:
        """Figures for `YYYY-MM`: jobs and pages by outcome, pages and money charged."""
        rows = self._conns.get().execute(
            "SELECT state, kind, count(*), coalesce(sum(pages * copies), 0), "
            "coalesce(sum(CASE WHEN state = 'completed' THEN cost_fen ELSE 0 END), 0) "
            "FROM jobs WHERE substr(day, 1, 7) = ? GROUP BY state, kind", (month,)).fetchall()
        out = {"jobs": 0, "pages_printed": 0, "receipts": 0, "failed_jobs": 0, "charged_fen": 0}
        for state, kind, jobs, pages, fen in rows:
            out["jobs"] += jobs
            out["charged_fen"] += fen
            if state == "completed":
                if kind == "receipt":
                    out["receipts"] += jobs
                else:
                    out["pages_printed"] += pages
            elif state == "failed":
                out["failed_jobs"] += jobs
        return out


_COLUMNS = ("id, created_at, finished_at, visit, kind, item_id, attachment, page_spec, pages, copies, "
            "cost_fen, queue, cups_job, state, reason")
