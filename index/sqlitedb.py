"""Durable SQLite connections, one per thread: how the mirror and the outbox open their files.

WAL lets readers (the touch screen) work while one writer commits; `synchronous=FULL` makes a
committed transaction survive a power cut, which both the catalogue cursor and a citizen's
application depend on. sqlite3 connections must not be shared between threads, so each thread
gets its own, opened on first use.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path


class ThreadConnections:
    def __init__(self, path: Path, *pragmas: str) -> None:
        self.path = Path(path)
        self._pragmas = ("journal_mode=WAL", "synchronous=FULL", *pragmas)
        self._local = threading.local()

    def get(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            for pragma in self._pragmas:
                db.execute(f"PRAGMA {pragma}")
            self._local.db = db
        return db

    def close(self) -> None:
        """Close this thread's connection (others close their own, or with the process)."""
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None


def open_store(path: Path, schema: str) -> ThreadConnections:
    """Connections to a small durable store (print log, usage figures): its directory made, its
    schema (idempotent `CREATE … IF NOT EXISTS`) applied."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conns = ThreadConnections(path)
    conns.get().executescript(schema)
    return conns
