"""The outbox: applications waiting for the central system, durable and private.

An application is committed here (SQLite, WAL, synchronous=FULL) before the citizen sees a
receipt, so a power cut after the receipt cannot lose it. Each row gets a receipt number
(`<kiosk id>-<YYYYMMDD>-<daily sequence>`), a 6-digit query code and one idempotency key that every
upload attempt reuses, so the central system files it exactly once however often it is sent.

Personal data — the applicant, the request text, the query code, and the field messages of a
rejection — is sealed (`sealing`) and exists only until the central system confirms receipt;
then it is erased in the same transaction that records the tracking number. What stays is what
staff and the venue's figures may see: receipt and tracking numbers, dates, states, applicant type.

States: `pending` (to upload; `next_attempt_at` says when), `sent` (confirmed; personal data gone),
`needs_staff` (the central system answered 422: staff must correct it), `parked` (refused with
another 4xx; staff decide). Nothing leaves the outbox except by confirmation.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from index.sqlitedb import ThreadConnections

from ..errors import KioskError
from .model import Applicant, Request
from .sealing import Sealer

STATES = ("pending", "sent", "needs_staff", "parked")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS applications (
    receipt_no TEXT PRIMARY KEY,
    idempotency_key TEXT NOT NULL,
    code_tag TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    applicant_type TEXT NOT NULL,
    entered_by TEXT NOT NULL,
    sealed BLOB,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL DEFAULT 0,
    last_error TEXT,
    error_fields TEXT,
    expected_due TEXT,
    tracking_no TEXT,
    received_at TEXT,
    due_date TEXT,
    status TEXT,
    status_updated_at TEXT,
    status_checked_at TEXT
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)
"""


def waiting(path: Path) -> int:
    """How many applications wait to be sent, read without the key (for the app's scheduler)."""
    if not Path(path).exists():
        return 0
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as db:
            return db.execute("SELECT count(*) FROM applications WHERE state = 'pending'"
                              ).fetchone()[0]
    except sqlite3.Error:
        return 1  # unreadable here: let the uploader run and report what is wrong


@dataclass(frozen=True)
class Receipt:
    """What the citizen takes away (printed and on screen)."""

    receipt_no: str
    query_code: str
    submitted_at: str
    expected_due: str | None
    slip: Any = field(default=None, repr=False, compare=False)
    """The printable receipt (`printing.receipt.Receipt`, masked), when the form was at hand."""

    def to_dict(self) -> dict[str, Any]:
        return {"receipt_no": self.receipt_no, "query_code": self.query_code,
                "submitted_at": self.submitted_at, "expected_due": self.expected_due}


@dataclass(frozen=True)
class Entry:
    """One outbox row as staff may see it: no personal data."""

    receipt_no: str
    submitted_at: str
    applicant_type: str
    entered_by: str
    state: str
    attempts: int
    next_attempt_at: float
    last_error: dict | None
    error_fields: list[str]
    expected_due: str | None
    tracking_no: str | None
    received_at: str | None
    due_date: str | None
    status: str | None
    status_updated_at: str | None
    status_checked_at: str | None
    holds_personal_data: bool

    def to_dict(self) -> dict:
        return dict(self.__dict__)


class Outbox:
    def __init__(self, path: Path, key_file: Path) -> None:
        self.path = Path(path)
        # secure_delete: erased personal data is overwritten in the file, not just unlinked
        self._connections = ThreadConnections(self.path, "secure_delete=ON")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._write() as db:
            for statement in _SCHEMA.split(";"):
                db.execute(statement)
            held = db.execute("SELECT count(*) FROM applications WHERE sealed IS NOT NULL"
                              ).fetchone()[0]
        # a new key only for an outbox that holds nothing sealed under an old one
        self.sealer = Sealer.from_file(key_file, data_dir=self.path.parent, create=held == 0)

    def _db(self) -> sqlite3.Connection:
        return self._connections.get()

    def close(self) -> None:
        self._connections.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        db = self._db()
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            full = "full" in str(exc) or "I/O" in str(exc)
            raise KioskError(
                "申请暂存区无法写入" + ("：磁盘已满，请清理空间" if full else f"：{exc}"),
                "the outbox cannot be written" + (": the disk is full" if full else f": {exc}"),
            ) from exc

    # -- filing --------------------------------------------------------------------------------

    def file(self, applicant: Applicant, request: Request, *, kiosk_id: str,
             entered_by: str = "citizen", now: dt.datetime | None = None,
             expected_due: dt.date | None = None) -> Receipt:
        """Store a validated application; returns once it is on disk."""
        now = (now or dt.datetime.now()).astimezone()
        submitted = now.isoformat(timespec="seconds")
        day = now.strftime("%Y%m%d")
        code = f"{secrets.randbelow(1_000_000):06d}"
        with self._write() as db:
            row = db.execute("SELECT value FROM meta WHERE key = ?", (f"seq:{day}",)).fetchone()
            seq = int(row[0]) + 1 if row else 1
            receipt_no = f"{kiosk_id}-{day}-{seq:04d}"
            sealed = self.sealer.seal({"applicant": applicant.to_dict(),
                                       "request": request.to_dict(), "query_code": code},
                                      receipt_no)
            db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (f"seq:{day}", str(seq)))
            db.execute(
                "INSERT INTO applications (receipt_no, idempotency_key, code_tag, submitted_at, "
                "applicant_type, entered_by, sealed, state, expected_due) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?)",
                (receipt_no, str(uuid.uuid4()), self.sealer.code_tag(receipt_no, code), submitted,
                 applicant.type, entered_by, sealed,
                 expected_due.isoformat() if expected_due else None))
        return Receipt(receipt_no, code, submitted,
                       expected_due.isoformat() if expected_due else None)

    # -- uploading -----------------------------------------------------------------------------

    def due_for_upload(self, now: float) -> list[str]:
        return [r[0] for r in self._db().execute(
            "SELECT receipt_no FROM applications WHERE state = 'pending' AND next_attempt_at <= ?"
            " ORDER BY submitted_at, receipt_no", (now,))]

    def payload(self, receipt_no: str, *, kiosk_id: str, venue: str) -> tuple[dict, str]:
        """The API body of a pending application, and its idempotency key."""
        row = self._db().execute(
            "SELECT sealed, idempotency_key, submitted_at FROM applications WHERE receipt_no = ?",
            (receipt_no,)).fetchone()
        if row is None or row[0] is None:
            raise KioskError(f"申请 {receipt_no} 不在暂存区或已无内容",
                             f"application {receipt_no} is not in the outbox or holds no data")
        data = self.sealer.open(row[0], receipt_no)
        body = {"receipt_no": receipt_no, "query_code": data["query_code"],
                "submitted_at": row[2], "kiosk": {"id": kiosk_id, "venue": venue},
                "applicant": data["applicant"], "request": data["request"]}
        return body, row[1]

    def mark_sent(self, receipt_no: str, tracking_no: str, received_at: str | None,
                  due_date: str | None) -> None:
        """The central system has it: record its numbers and erase the personal data, at once."""
        with self._write() as db:
            db.execute(
                "UPDATE applications SET state = 'sent', sealed = NULL, tracking_no = ?, "
                "received_at = ?, due_date = ?, status = coalesce(status, 'received'), "
                "status_updated_at = coalesce(status_updated_at, ?), last_error = NULL, "
                "error_fields = NULL, attempts = attempts + 1 WHERE receipt_no = ?",
                (tracking_no, received_at, due_date, received_at, receipt_no))

    def mark_needs_staff(self, receipt_no: str, fields: dict[str, str]) -> None:
        """Refused as invalid (422): keep it, with the field messages sealed, for staff."""
        with self._write() as db:
            row = db.execute("SELECT sealed FROM applications WHERE receipt_no = ?",
                             (receipt_no,)).fetchone()
            data = self.sealer.open(row[0], receipt_no)
            data["field_errors"] = fields
            db.execute(
                "UPDATE applications SET state = 'needs_staff', sealed = ?, error_fields = ?, "
                "last_error = ?, attempts = attempts + 1 WHERE receipt_no = ?",
                (self.sealer.seal(data, receipt_no), json.dumps(sorted(fields)),
                 json.dumps({"zh": "中心系统认为申请内容有误，需工作人员核对更正",
                             "en": "the central system found fields to correct (422)"}),
                 receipt_no))

    def mark_parked(self, receipt_no: str, zh: str, en: str) -> None:
        self._set_error(receipt_no, "parked", zh, en, 0)

    def mark_retry(self, receipt_no: str, zh: str, en: str, next_attempt_at: float) -> None:
        self._set_error(receipt_no, "pending", zh, en, next_attempt_at)

    def _set_error(self, receipt_no: str, state: str, zh: str, en: str, next_at: float) -> None:
        with self._write() as db:
            db.execute("UPDATE applications SET state = ?, last_error = ?, next_attempt_at = ?, "
                       "attempts = attempts + 1 WHERE receipt_no = ?",
                       (state, json.dumps({"zh": zh, "en": en}, ensure_ascii=False), next_at,
                        receipt_no))

    # -- staff ---------------------------------------------------------------------------------

    def retry(self, receipt_no: str) -> None:
        """Send again as soon as possible (a parked one, or one whose wait staff cut short)."""
        entry = self.get(receipt_no)
        if entry.state == "sent":
            raise KioskError(f"申请 {receipt_no} 已送达中心系统，无需重发",
                             f"application {receipt_no} has already reached the central system")
        with self._write() as db:
            db.execute("UPDATE applications SET state = 'pending', next_attempt_at = 0 "
                       "WHERE receipt_no = ?", (receipt_no,))

    def correct(self, receipt_no: str, applicant: Applicant, request: Request) -> None:
        """Replace a refused application's content with staff's corrected version.

        It gets a new idempotency key: the corrected body is a different request, and the
        refused one was never filed.
        """
        entry = self.get(receipt_no)
        if entry.state == "sent":
            raise KioskError(f"申请 {receipt_no} 已送达中心系统，不能再修改",
                             f"application {receipt_no} has reached the central system; it can no "
                             "longer be changed")
        with self._write() as db:
            row = db.execute("SELECT sealed FROM applications WHERE receipt_no = ?",
                             (receipt_no,)).fetchone()
            code = self.sealer.open(row[0], receipt_no)["query_code"]
            sealed = self.sealer.seal({"applicant": applicant.to_dict(),
                                       "request": request.to_dict(), "query_code": code},
                                      receipt_no)
            db.execute("UPDATE applications SET sealed = ?, state = 'pending', "
                       "next_attempt_at = 0, error_fields = NULL, last_error = NULL, "
                       "idempotency_key = ?, applicant_type = ? WHERE receipt_no = ?",
                       (sealed, str(uuid.uuid4()), applicant.type, receipt_no))

    def field_errors(self, receipt_no: str) -> dict[str, str]:
        row = self._db().execute("SELECT sealed FROM applications WHERE receipt_no = ?",
                                 (receipt_no,)).fetchone()
        if row is None or row[0] is None:
            return {}
        return dict(self.sealer.open(row[0], receipt_no).get("field_errors") or {})

    # -- reading -------------------------------------------------------------------------------

    def get(self, receipt_no: str) -> Entry:
        rows = self._entries("WHERE receipt_no = ?", (receipt_no,))
        if not rows:
            raise KioskError(f"暂存区中没有回执号 {receipt_no}", f"no application {receipt_no} in "
                             "the outbox")
        return rows[0]

    def find(self, receipt_no: str) -> Entry | None:
        rows = self._entries("WHERE receipt_no = ?", (receipt_no,))
        return rows[0] if rows else None

    def entries(self, state: str | None = None) -> list[Entry]:
        if state is None:
            return self._entries("ORDER BY submitted_at, receipt_no", ())
        return self._entries("WHERE state = ? ORDER BY submitted_at, receipt_no", (state,))

    def counts(self) -> dict[str, int]:
        found = dict(self._db().execute("SELECT state, count(*) FROM applications GROUP BY state"))
        return {s: found.get(s, 0) for s in STATES}

    def _entries(self, where: str, args: tuple) -> list[Entry]:
        rows = self._db().execute(
            "SELECT receipt_no, submitted_at, applicant_type, entered_by, state, attempts, "
            "next_attempt_at, last_error, error_fields, expected_due, tracking_no, received_at, "
            "due_date, status, status_updated_at, status_checked_at, sealed IS NOT NULL "
            f"FROM applications {where}", args).fetchall()
        return [Entry(r[0], r[1], r[2], r[3], r[4], r[5], r[6],
                      json.loads(r[7]) if r[7] else None, json.loads(r[8]) if r[8] else [],
                      r[9], r[10], r[11], r[12], r[13], r[14], r[15], bool(r[16])) for r in rows]

    def code_matches(self, receipt_no: str, query_code: str) -> bool:
        row = self._db().execute("SELECT code_tag FROM applications WHERE receipt_no = ?",
                                 (receipt_no,)).fetchone()
        return row is not None and secrets.compare_digest(
            row[0], self.sealer.code_tag(receipt_no, query_code))

    def record_status(self, receipt_no: str, status: str, due_date: str | None,
                      updated_at: str | None, checked_at: str) -> None:
        with self._write() as db:
            db.execute("UPDATE applications SET status = ?, due_date = coalesce(?, due_date), "
                       "status_updated_at = ?, status_checked_at = ? WHERE receipt_no = ?",
                       (status, due_date, updated_at, checked_at, receipt_no))
