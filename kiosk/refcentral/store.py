"""The reference central system's state in one SQLite file: change log, attachments, applications.

The catalogue is kept as an append-only change log because that is what the changes feed is: a
cursor is a position in it (with the log's epoch), so paging, resuming and "the same item upserted
twice" all fall out of reading rows in `seq` order. Compaction (`compact`) rewrites the log and
bumps the epoch, which is how cursors expire. State lives in a file, not in memory, so a server
restarted on the same file (a demo stopped and started again) keeps its catalogue, its filed
applications and its idempotency keys. One connection behind one lock serves every handler thread:
the load is a handful of kiosks, and a single writer keeps every multi-row step atomic.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
import re
import sqlite3
import threading
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CST = dt.timezone(dt.timedelta(hours=8))
STATUSES = ("received", "accepted", "correction_requested", "extended", "replied", "closed")
WORKING_DAYS_TO_REPLY = 20  # 政府信息公开条例 art. 33: answer within 20 working days

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, op TEXT NOT NULL, id TEXT, doc TEXT, reason TEXT);
CREATE TABLE IF NOT EXISTS attachments (sha256 TEXT PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS applications (
    tracking_no TEXT PRIMARY KEY, receipt_no TEXT NOT NULL, query_code TEXT NOT NULL,
    body TEXT NOT NULL, received_at TEXT NOT NULL, due_date TEXT NOT NULL,
    status TEXT NOT NULL, reply TEXT, updated_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS applications_by_receipt ON applications (receipt_no);
CREATE TABLE IF NOT EXISTS idempotency (key TEXT PRIMARY KEY, answer TEXT NOT NULL);
"""
_CURSOR = re.compile(r"([0-9]{1,20}):([0-9]{1,20})")
_SHA256 = re.compile(r"[0-9a-f]{64}")


class BadCursor(ValueError):
    """A cursor this server could never have issued: the client's bug, answered 400."""


class CursorGone(Exception):
    """A cursor from before the last compaction: answered 410, the client starts over."""


def encode_cursor(epoch: int, seq: int) -> str:
    """An opaque cursor: clients must not build or read them, so they are not plain numbers."""
    return base64.urlsafe_b64encode(f"{epoch}:{seq}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, int]:
    """(epoch, seq) from a cursor, or BadCursor for anything that is not one of ours."""
    try:
        raw = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True)
        m = _CURSOR.fullmatch(raw.decode("ascii"))
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise BadCursor("cursor does not decode") from exc
    if not m:
        raise BadCursor("cursor does not decode")
    return int(m.group(1)), int(m.group(2))


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date `days` working days after `start`, counting Monday to Friday only.

    A real central system follows the State Council's holiday calendar (调休 included); the
    reference server deliberately does not, so its due dates are predictable in tests.
    """
    current = start
    while days > 0:
        current += dt.timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def _now() -> dt.datetime:
    """Now in China Standard Time, to the second, as the disclosure office would stamp it."""
    return dt.datetime.now(CST).replace(microsecond=0)


def _new_epoch(previous: int = 0) -> int:
    """A fresh epoch, later than any before it even across a deleted and recreated database.

    Microseconds since 1970: a kiosk holding a cursor from an earlier database file gets 410 and
    re-reads everything, instead of silently resuming at a position that means nothing now.
    """
    return max(previous + 1, time.time_ns() // 1000)


class Store:
    """One SQLite file, one connection, one lock; every method is safe from any thread."""

    def __init__(self, path: Path) -> None:
        self._lock = threading.RLock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        with self._tx() as db:
            for stmt in _SCHEMA.split(";"):
                if stmt.strip():
                    db.execute(stmt)
            db.execute("INSERT OR IGNORE INTO meta VALUES ('epoch', ?)", (str(_new_epoch()),))

    def close(self) -> None:
        """Close the connection (the file keeps everything)."""
        with self._lock:
            self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction under the lock: all of it lands, or none of it."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _epoch(self) -> int:
        return int(self._db.execute("SELECT value FROM meta WHERE key = 'epoch'").fetchone()[0])

    # -- catalogue ---------------------------------------------------------------------------

    def append_upsert(self, item: dict[str, Any]) -> None:
        """Log an upsert; the item is kept verbatim, unvalidated, so tests can feed bad ones."""
        with self._tx() as db:
            _insert_upsert(db, item)

    def append_delete(self, item_id: str, reason: str) -> None:
        """Log a deletion (whether or not the item exists, as a real feed might)."""
        with self._tx() as db:
            db.execute("INSERT INTO changes (op, id, reason) VALUES ('delete', ?, ?)", (item_id, reason))

    def page(self, cursor: str | None, limit: int) -> dict[str, Any]:
        """The changes after `cursor`, oldest first, as the feed's JSON answer."""
        with self._lock:
            epoch = self._epoch()
            seq = 0
            if cursor is not None:
                cursor_epoch, seq = decode_cursor(cursor)
                if cursor_epoch != epoch:
                    raise CursorGone("cursor expired: fetch the whole catalogue again")
            rows = self._db.execute(
                "SELECT seq, op, id, doc, reason FROM changes WHERE seq > ? ORDER BY seq LIMIT ?",
                (seq, limit + 1)).fetchall()
        has_more = len(rows) > limit
        rows = rows[:limit]
        changes = [{"op": "upsert", "item": json.loads(doc)} if op == "upsert"
                   else {"op": "delete", "id": item_id, "reason": reason}
                   for _seq, op, item_id, doc, reason in rows]
        last = rows[-1][0] if rows else seq
        return {"changes": changes, "cursor": encode_cursor(epoch, last), "has_more": has_more}

    def catalogue(self) -> dict[str, dict[str, Any]]:
        """The current catalogue, by applying the whole log in order (items without an id skipped)."""
        with self._lock:
            rows = self._db.execute("SELECT op, id, doc FROM changes ORDER BY seq").fetchall()
        current: dict[str, dict[str, Any]] = {}
        for op, item_id, doc in rows:
            if item_id is None:
                continue
            current.pop(item_id, None)  # re-inserted last: the log order of the latest upsert
            if op == "upsert":
                current[item_id] = json.loads(doc)
        return current

    def compact(self) -> None:
        """Rewrite the log as one upsert per current item and start a new epoch (cursors expire)."""
        with self._tx() as db:
            current = self.catalogue()
            db.execute("DELETE FROM changes")
            for item in current.values():
                _insert_upsert(db, item)
            db.execute("UPDATE meta SET value = ? WHERE key = 'epoch'", (str(_new_epoch(self._epoch())),))

    def put_attachment(self, data: bytes) -> str:
        """Keep bytes under their SHA-256 (storing the same bytes twice is a no-op)."""
        sha = hashlib.sha256(data).hexdigest()
        with self._tx() as db:
            db.execute("INSERT OR IGNORE INTO attachments VALUES (?, ?)", (sha, data))
        return sha

    def attachment(self, sha256: str) -> bytes | None:
        """The bytes stored under `sha256`, or None."""
        with self._lock:
            row = self._db.execute("SELECT data FROM attachments WHERE sha256 = ?", (sha256,)).fetchone()
        return None if row is None else bytes(row[0])

    def load(self, path: Path) -> int:
        """Load a JSONL file or a bundle (directory or zip) in one transaction; lines applied.

        Lines are items or change objects (`{"op": ...}`), as `kiosk-admin import` accepts. A
        bundle whose manifest says `"mode": "snapshot"` is the whole catalogue: items it lacks are
        logged as withdrawn, so loading it onto a used database still gives exactly its catalogue.
        """
        lines, attachments, snapshot = _read_source(path)
        with self._tx() as db:
            for data in attachments:
                db.execute("INSERT OR IGNORE INTO attachments VALUES (?, ?)",
                           (hashlib.sha256(data).hexdigest(), data))
            if snapshot:
                keep = {obj["id"] for op, obj in lines if op == "upsert" and isinstance(obj.get("id"), str)}
                for item_id in self.catalogue().keys() - keep:
                    db.execute("INSERT INTO changes (op, id, reason) VALUES ('delete', ?, 'withdrawn')",
                               (item_id,))
            for op, obj in lines:
                if op == "upsert":
                    _insert_upsert(db, obj)
                else:
                    db.execute("INSERT INTO changes (op, id, reason) VALUES ('delete', ?, ?)",
                               (obj["id"], obj.get("reason") or "withdrawn"))
        return len(lines)

    # -- applications ------------------------------------------------------------------------

    def stored_answer(self, key: str) -> dict[str, Any] | None:
        """The answer already given for an Idempotency-Key, or None."""
        with self._lock:
            row = self._db.execute("SELECT answer FROM idempotency WHERE key = ?", (key,)).fetchone()
        return None if row is None else json.loads(row[0])

    def file_application(self, key: str, body: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
        """File a (validated) application once per key: (True, answer) if new, else (False, stored).

        The key is checked again inside the transaction, so two concurrent retries of the same
        application file it once and both get the same tracking number.
        """
        with self._tx() as db:
            row = db.execute("SELECT answer FROM idempotency WHERE key = ?", (key,)).fetchone()
            if row is not None:
                return False, json.loads(row[0])
            now = _now()
            serial_key = f"serial:{now.year}"
            row = db.execute("SELECT value FROM meta WHERE key = ?", (serial_key,)).fetchone()
            serial = int(row[0]) + 1 if row else 1
            db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (serial_key, str(serial)))
            answer = {"tracking_no": f"XXGK-{now.year}-{serial:06d}", "received_at": now.isoformat(),
                      "due_date": add_working_days(now.date(), WORKING_DAYS_TO_REPLY).isoformat()}
            db.execute("INSERT INTO applications VALUES (?, ?, ?, ?, ?, ?, 'received', NULL, ?)",
                       (answer["tracking_no"], body["receipt_no"], body["query_code"],
                        json.dumps(body, ensure_ascii=False), answer["received_at"],
                        answer["due_date"], answer["received_at"]))
            db.execute("INSERT INTO idempotency VALUES (?, ?)", (key, json.dumps(answer)))
        return True, answer

    def applications(self) -> list[dict[str, Any]]:
        """Every application filed, oldest first: the body as received plus what the office added."""
        with self._lock:
            rows = self._db.execute("SELECT body, tracking_no, received_at, due_date FROM applications "
                                    "ORDER BY rowid").fetchall()
        return [{**json.loads(body), "tracking_no": t, "received_at": r, "due_date": d}
                for body, t, r, d in rows]

    def status(self, receipt_no: str, code: str) -> dict[str, Any] | None:
        """The status of the latest application with this receipt number, if `code` matches it."""
        with self._lock:
            row = self._db.execute(
                "SELECT query_code, tracking_no, status, due_date, updated_at, reply FROM applications "
                "WHERE receipt_no = ? ORDER BY rowid DESC LIMIT 1", (receipt_no,)).fetchone()
        if row is None or not hmac.compare_digest(row[0].encode(), code.encode()):
            return None
        return {"receipt_no": receipt_no, "tracking_no": row[1], "status": row[2], "due_date": row[3],
                "updated_at": row[4], "reply": row[5]}

    def set_status(self, receipt_no: str, status: str, reply: str | None,
                   due_date: str | None = None) -> None:
        """Move the latest application with `receipt_no` on; a None reply or due date keeps the
        current one (an extension, 延期答复, sets a later due date).

        ValueError for a status outside the contract, KeyError for an unknown receipt number.
        """
        if status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}")
        with self._tx() as db:
            row = db.execute("SELECT rowid FROM applications WHERE receipt_no = ? "
                             "ORDER BY rowid DESC LIMIT 1", (receipt_no,)).fetchone()
            if row is None:
                raise KeyError(receipt_no)
            db.execute("UPDATE applications SET status = ?, reply = COALESCE(?, reply), "
                       "due_date = COALESCE(?, due_date), updated_at = ? WHERE rowid = ?",
                       (status, reply, due_date, _now().isoformat(), row[0]))


def _insert_upsert(db: sqlite3.Connection, item: dict[str, Any]) -> None:
    """Log one upsert; the id column is indexed by catalogue() only when the item has a string id."""
    item_id = item.get("id") if isinstance(item, dict) else None
    db.execute("INSERT INTO changes (op, id, doc) VALUES ('upsert', ?, ?)",
               (item_id if isinstance(item_id, str) else None, json.dumps(item, ensure_ascii=False)))


def _read_source(path: Path) -> tuple[list[tuple[str, dict[str, Any]]], list[bytes], bool]:
    """(changes, attachment bytes, is snapshot) from a JSONL file, a bundle directory or a zip."""
    if path.is_dir():
        manifest = path / "manifest.json"
        mode = json.loads(manifest.read_text("utf-8")).get("mode") if manifest.is_file() else None
        text = (path / "catalogue.jsonl").read_text("utf-8")
        folder = path / "attachments"
        blobs = [p.read_bytes() for p in sorted(folder.iterdir())
                 if _SHA256.fullmatch(p.name)] if folder.is_dir() else []
        return _parse_lines(text, str(path / "catalogue.jsonl")), blobs, mode == "snapshot"
    if zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as zf:
                names = set(zf.namelist())
                mode = json.loads(zf.read("manifest.json")).get("mode") if "manifest.json" in names else None
                text = zf.read("catalogue.jsonl").decode("utf-8")
                blobs = [zf.read(n) for n in sorted(names) if n.startswith("attachments/")
                         and _SHA256.fullmatch(n.removeprefix("attachments/"))]
        except (KeyError, zipfile.BadZipFile) as exc:
            raise ValueError(f"{path}: not a readable bundle ({exc})") from exc
        return _parse_lines(text, f"{path}:catalogue.jsonl"), blobs, mode == "snapshot"
    return _parse_lines(path.read_text("utf-8"), str(path)), [], False


def _parse_lines(text: str, where: str) -> list[tuple[str, dict[str, Any]]]:
    """One change per non-blank line: a bare item is an upsert; ValueError names the bad line."""
    out: list[tuple[str, dict[str, Any]]] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{where}:{n}: not JSON ({exc.msg})") from exc
        if not isinstance(obj, dict):
            raise ValueError(f"{where}:{n}: not a JSON object")
        if obj.get("op") == "delete" and isinstance(obj.get("id"), str):
            out.append(("delete", obj))
        elif obj.get("op") == "upsert" and isinstance(obj.get("item"), dict):
            out.append(("upsert", obj["item"]))
        elif "op" in obj:
            raise ValueError(f"{where}:{n}: a change object needs op upsert+item or delete+id")
        else:
            out.append(("upsert", obj))
    return out
