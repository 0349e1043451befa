"""The mirror: the kiosk's copy of the published catalogue, in SQLite (WAL), the record of truth.

Every applied batch of changes is one transaction and gets the next *sequence number*; each item
row and each deletion (tombstone) remembers the sequence that last touched it. The search index
records the sequence it has applied, so after a crash between a mirror commit and an index commit
the index catches up by replaying `changes_since(seq)`: nothing is lost and replay is harmless.

One process writes at a time (see `locking`); any number read. Connections are per thread, so the
touch app can search on its UI thread while a background sync writes.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import CatalogueError
from .model import Change, Item, updated_instant
from .sqlitedb import ThreadConnections

SCHEMA_VERSION = 2
_SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,          -- the item as canonical JSON (Item.to_json)
    hash TEXT NOT NULL,         -- digest of doc, to recognise re-imports of the same content
    updated_ts REAL NOT NULL,   -- updated_at as epoch seconds, to refuse stale copies
    seq INTEGER NOT NULL        -- the batch that last wrote this row
);
CREATE INDEX IF NOT EXISTS items_seq ON items(seq);
CREATE TABLE IF NOT EXISTS tombstones (id TEXT PRIMARY KEY, seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS attachments (
    sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL, media_type TEXT, stored_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- which attachments each item refers to, so the files still to fetch are one query away
CREATE TABLE IF NOT EXISTS item_attachments (
    item_id TEXT NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL, media_type TEXT,
    PRIMARY KEY (item_id, sha256)
);
CREATE INDEX IF NOT EXISTS item_attachments_sha ON item_attachments(sha256);
-- ids seen during a full read of the central feed, to drop the rest when it completes
CREATE TABLE IF NOT EXISTS sync_seen (id TEXT PRIMARY KEY);
"""


def content_hash(item: Item) -> str:
    return hashlib.sha256(item.to_json().encode()).hexdigest()[:32]


@dataclass
class ApplyCounts:
    """What one or more batches of changes did to the mirror."""

    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    stale: int = 0
    missing: int = 0

    def merge(self, other: ApplyCounts) -> None:
        for name in ("added", "updated", "deleted", "unchanged", "stale", "missing"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def changed(self) -> int:
        return self.added + self.updated + self.deleted


class Mirror:
    """SQLite store of catalogue items, attachment registry and metadata."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._connections = ThreadConnections(self.path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._translate("打开", "open"):
            db = self._db()
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise CatalogueError(
                    "目录数据库由更新版本的软件创建，请升级本软件",
                    "the mirror was written by a newer version of this software; upgrade it")
            db.execute("BEGIN IMMEDIATE")
            try:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
                if version == 1:  # mirrors written before item_attachments existed
                    for (doc,) in db.execute("SELECT doc FROM items").fetchall():
                        self._index_attachments(db, Item.from_json(doc))
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    # -- connections --------------------------------------------------------------------------

    def _db(self) -> sqlite3.Connection:
        return self._connections.get()

    def close(self) -> None:
        self._connections.close()

    class _translate:
        """Turn sqlite3 errors into CatalogueError with a message a clerk can act on."""

        def __init__(self, zh: str, en: str) -> None:
            self.zh, self.en = zh, en

        def __enter__(self) -> None:
            return None

        def __exit__(self, exc_type, exc, tb) -> bool:
            if exc is None or not isinstance(exc, sqlite3.Error):
                return False
            text = str(exc)
            if "disk" in text and ("full" in text or "I/O" in text):
                raise CatalogueError(f"{self.zh}目录数据库失败：磁盘已满或无法写入，请清理空间后重试",
                                     f"could not {self.en} the mirror: the disk is full or failing; "
                                     "free some space and retry") from exc
            raise CatalogueError(f"{self.zh}目录数据库失败：{text}",
                                 f"could not {self.en} the mirror: {text}") from exc

    # -- writing ------------------------------------------------------------------------------

    def apply(self, changes: Iterable[Change], *, skip_stale: bool = False,
              meta: dict[str, object] | None = None, seen: Iterable[str] | None = None,
              finish_full_read: bool = False) -> ApplyCounts:
        """Apply changes in order as one transaction under a new sequence number.

        With `skip_stale`, an upsert older (by `updated_at`) than the stored copy is counted as
        stale and ignored: importing last month's USB bundle must not roll the catalogue back.
        `meta` is written in the same transaction (a sync saves its cursor with the page it
        applied, so a crash can never separate the two). During a full read of the central feed
        (`begin_full_read`), upserted ids and the extra ids in `seen` are recorded as seen;
        `finish_full_read` ends that read in the same transaction.
        """
        counts = ApplyCounts()
        db = self._db()
        with self._translate("写入", "write to"):
            db.execute("BEGIN IMMEDIATE")
            try:
                seq = self.current_seq() + 1
                tracking = self._full_read_active(db)
                for change in changes:
                    self._apply_one(db, change, seq, skip_stale, counts)
                    if tracking and change.op == "upsert":
                        db.execute("INSERT OR IGNORE INTO sync_seen VALUES (?)", (change.item_id,))
                if tracking and seen is not None:
                    db.executemany("INSERT OR IGNORE INTO sync_seen VALUES (?)",
                                   ((i,) for i in seen))
                if counts.changed:  # a batch that changed nothing leaves no trace
                    db.execute("INSERT OR REPLACE INTO meta VALUES ('seq', ?)", (str(seq),))
                for key, value in (meta or {}).items():
                    db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                               (key, json.dumps(value, ensure_ascii=False)))
                if finish_full_read:
                    db.execute("DELETE FROM sync_seen")
                    db.execute("DELETE FROM meta WHERE key = 'full_read'")
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return counts

    def _apply_one(self, db: sqlite3.Connection, change: Change, seq: int, skip_stale: bool,
                   counts: ApplyCounts) -> None:
        row = db.execute("SELECT hash, updated_ts FROM items WHERE id = ?",
                         (change.item_id,)).fetchone()
        if change.op == "delete":
            db.execute("DELETE FROM sync_seen WHERE id = ?", (change.item_id,))
            if row is None:
                counts.missing += 1
                return
            db.execute("DELETE FROM items WHERE id = ?", (change.item_id,))
            db.execute("DELETE FROM item_attachments WHERE item_id = ?", (change.item_id,))
            db.execute("INSERT OR REPLACE INTO tombstones VALUES (?, ?)", (change.item_id, seq))
            counts.deleted += 1
            return
        item = change.item
        assert item is not None
        digest = content_hash(item)
        ts = updated_instant(item).timestamp()
        if row is not None and row[0] == digest:
            counts.unchanged += 1
            return
        if row is not None and skip_stale and ts < row[1]:
            counts.stale += 1
            return
        db.execute("INSERT OR REPLACE INTO items VALUES (?, ?, ?, ?, ?)",
                   (item.id, item.to_json(), digest, ts, seq))
        db.execute("DELETE FROM tombstones WHERE id = ?", (item.id,))
        db.execute("DELETE FROM item_attachments WHERE item_id = ?", (item.id,))
        self._index_attachments(db, item)
        if row is None:
            counts.added += 1
        else:
            counts.updated += 1

    @staticmethod
    def _index_attachments(db: sqlite3.Connection, item: Item) -> None:
        db.executemany("INSERT OR IGNORE INTO item_attachments VALUES (?, ?, ?, ?)",
                       ((item.id, a.sha256, a.size, a.media_type) for a in item.attachments))

    # -- a full read of the central feed --------------------------------------------------------

    @staticmethod
    def _full_read_active(db: sqlite3.Connection) -> bool:
        return db.execute("SELECT 1 FROM meta WHERE key = 'full_read'").fetchone() is not None

    def begin_full_read(self, meta: dict[str, object]) -> None:
        """Start reading the whole central catalogue: forget what was seen, note that we are.

        The mark lives in the mirror, so a sync killed half way through a full read resumes it
        and still drops, at its end, the local items the central catalogue no longer has.
        """
        with self._translate("写入", "write to"):
            db = self._db()
            db.execute("BEGIN IMMEDIATE")
            try:
                db.execute("DELETE FROM sync_seen")
                db.execute("INSERT OR REPLACE INTO meta VALUES ('full_read', '1')")
                for key, value in meta.items():
                    db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                               (key, json.dumps(value, ensure_ascii=False)))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def full_read_active(self) -> bool:
        return self._full_read_active(self._db())

    def unseen_ids(self) -> list[str]:
        """Items not seen by the full read in progress (those the central catalogue dropped)."""
        return [r[0] for r in self._db().execute(
            "SELECT id FROM items WHERE id NOT IN (SELECT id FROM sync_seen) ORDER BY id")]

    def set_meta(self, key: str, value: object) -> None:
        with self._translate("写入", "write to"):
            self._db().execute("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                               (key, json.dumps(value, ensure_ascii=False)))

    def register_attachment(self, sha256: str, size: int, media_type: str | None) -> None:
        with self._translate("写入", "write to"):
            self._db().execute("INSERT OR REPLACE INTO attachments VALUES (?, ?, ?, ?)",
                               (sha256, size, media_type, time.time()))

    def forget_tombstones(self, up_to_seq: int) -> None:
        """Drop deletions the search index has already applied."""
        with self._translate("写入", "write to"):
            self._db().execute("DELETE FROM tombstones WHERE seq <= ?", (up_to_seq,))

    # -- reading ------------------------------------------------------------------------------

    def get_meta(self, key: str, default: object = None) -> object:
        row = self._db().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return default if row is None else json.loads(row[0])

    def current_seq(self) -> int:
        row = self._db().execute("SELECT value FROM meta WHERE key = 'seq'").fetchone()
        return int(row[0]) if row else 0

    def count(self) -> int:
        return self._db().execute("SELECT count(*) FROM items").fetchone()[0]

    def get(self, item_id: str) -> Item | None:
        row = self._db().execute("SELECT doc FROM items WHERE id = ?", (item_id,)).fetchone()
        return Item.from_json(row[0]) if row else None

    def get_many(self, ids: list[str]) -> dict[str, Item]:
        out: dict[str, Item] = {}
        db = self._db()
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            marks = ",".join("?" * len(chunk))
            for item_id, doc in db.execute(
                    f"SELECT id, doc FROM items WHERE id IN ({marks})", chunk):
                out[item_id] = Item.from_json(doc)
        return out

    def ids(self) -> set[str]:
        return {r[0] for r in self._db().execute("SELECT id FROM items")}

    def hashes(self) -> dict[str, str]:
        return dict(self._db().execute("SELECT id, hash FROM items"))

    def iter_items(self, *, since_seq: int = 0, upto_seq: int | None = None,
                   batch: int = 500, start: str | None = None,
                   stop: str | None = None) -> Iterator[tuple[Item, str]]:
        """Items (with content hash) written after `since_seq`, in id order, read in batches;
        with `start`/`stop`, only ids from `start` (included) to `stop` (excluded)."""
        upto = self.current_seq() if upto_seq is None else upto_seq
        db = self._db()
        after, op = (start, ">=") if start is not None else ("", ">")
        while True:
            rows = db.execute(
                f"SELECT id, doc, hash FROM items WHERE id {op} ? AND seq > ? AND seq <= ? "
                "ORDER BY id LIMIT ?", (after, since_seq, upto, batch)).fetchall()
            for item_id, doc, digest in rows:
                if stop is not None and item_id >= stop:
                    return
                yield Item.from_json(doc), digest
            if len(rows) < batch:
                return
            after, op = rows[-1][0], ">"

    def split_points(self, parts: int, upto_seq: int) -> list[str]:
        """Ids that cut the items written up to `upto_seq` (in id order) into `parts` ranges
        of about equal size: the first id of each range after the first."""
        db = self._db()
        total = db.execute("SELECT count(*) FROM items WHERE seq <= ?", (upto_seq,)).fetchone()[0]
        points = []
        for k in range(1, parts):
            row = db.execute("SELECT id FROM items WHERE seq <= ? ORDER BY id LIMIT 1 OFFSET ?",
                             (upto_seq, total * k // parts)).fetchone()
            if row and (not points or row[0] > points[-1]):
                points.append(row[0])
        return points

    def count_since(self, since_seq: int) -> int:
        return self._db().execute("SELECT count(*) FROM items WHERE seq > ?",
                                  (since_seq,)).fetchone()[0]

    def deleted_since(self, since_seq: int) -> list[str]:
        return [r[0] for r in self._db().execute(
            "SELECT id FROM tombstones WHERE seq > ?", (since_seq,))]

    def attachment_count(self) -> tuple[int, int]:
        """(number, total bytes) of attachment files held."""
        n, size = self._db().execute(
            "SELECT count(*), coalesce(sum(size), 0) FROM attachments").fetchone()
        return n, size

    def missing_attachments(self) -> list[tuple[str, int, str | None]]:
        """(sha256, declared size, media type) of attachments items refer to but no file is held."""
        return self._db().execute(
            "SELECT ia.sha256, max(ia.size), max(ia.media_type) FROM item_attachments ia "
            "LEFT JOIN attachments a ON a.sha256 = ia.sha256 WHERE a.sha256 IS NULL "
            "GROUP BY ia.sha256 ORDER BY ia.sha256").fetchall()

    def has_attachment(self, sha256: str) -> bool:
        return self._db().execute("SELECT 1 FROM attachments WHERE sha256 = ?",
                                  (sha256,)).fetchone() is not None
