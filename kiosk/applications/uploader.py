"""Sending the outbox to the central system, and asking it how an application is doing.

Every attempt for one application carries the same `Idempotency-Key`, so a retry after a timeout,
a dropped connection, or a kiosk killed between the server's answer and our record of it files
nothing twice: the central system answers the repeat with the first answer (200), which we then
record. Transient failures (network, 429, 5xx) are retried with backoff by `index.feed.Feed`; when
they persist, the application waits with a growing delay and the run stops (the network is down for
all of them). 422 moves it to `needs_staff` with the field messages; another 4xx parks it with the
reason; 401/403 stop the run (a configuration problem) and leave everything pending.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import requests

from index import FeedError, RetryPolicy
from index.feed import Feed

from ..errors import KioskError
from .outbox import Outbox

APPLICATIONS_PATH = "/v1/applications"
STATUS_PATH = "/v1/applications/status"
WAIT_MIN, WAIT_MAX = 60.0, 3600.0
STATUS_LABELS = {
    "received": ("已收到", "received"), "accepted": ("已受理", "accepted"),
    "correction_requested": ("需要补正材料", "correction requested"),
    "extended": ("答复期限已延长", "reply period extended"), "replied": ("已答复", "replied"),
    "closed": ("已办结", "closed"),
}


@dataclass
class UploadReport:
    sent: list[str] = field(default_factory=list)
    needs_staff: list[str] = field(default_factory=list)
    parked: list[str] = field(default_factory=list)
    waiting: int = 0            # still pending after this run
    stopped: dict | None = None  # why the run stopped early: {"kind", "zh", "en"}

    def to_dict(self) -> dict:
        return asdict(self)


def _wait_after(attempts: int) -> float:
    return min(WAIT_MAX, WAIT_MIN * 2 ** attempts) * random.uniform(0.5, 1.0)


def send_pending(outbox: Outbox, session: requests.Session, base_url: str, *, kiosk_id: str,
                 venue: str, policy: RetryPolicy | None = None, only: str | None = None,
                 progress: Callable[[str, int, int], None] | None = None) -> UploadReport:
    """Upload every application that is due (or just `only`), oldest first."""
    feed = Feed(session, base_url, policy)
    report = UploadReport()
    due = [only] if only else outbox.due_for_upload(time.time())
    for n, receipt_no in enumerate(due, 1):
        body, key = outbox.payload(receipt_no, kiosk_id=kiosk_id, venue=venue)
        try:
            status, answer = feed.post_json(APPLICATIONS_PATH, body, {"Idempotency-Key": key},
                                            passthrough=frozenset(range(400, 500)) - {401, 403})
        except FeedError as exc:
            if exc.kind == "network":
                attempts = outbox.get(receipt_no).attempts
                outbox.mark_retry(receipt_no, exc.zh, exc.en, time.time() + _wait_after(attempts))
            report.stopped = {"kind": exc.kind, "zh": exc.zh, "en": exc.en}
            break
        _record(outbox, receipt_no, status, answer, report)
        if progress:
            progress("upload", n, len(due))
    report.waiting = outbox.counts()["pending"]
    return report


def _record(outbox: Outbox, receipt_no: str, status: int, answer: object,
            report: UploadReport) -> None:
    answer = answer if isinstance(answer, dict) else {}
    if status in (200, 201) and isinstance(answer.get("tracking_no"), str):
        outbox.mark_sent(receipt_no, answer["tracking_no"], _text(answer.get("received_at")),
                         _text(answer.get("due_date")))
        report.sent.append(receipt_no)
    elif status == 422:
        fields = answer.get("fields")
        fields = {str(k): str(v) for k, v in fields.items()} if isinstance(fields, dict) else {}
        outbox.mark_needs_staff(receipt_no, fields or {"": str(answer.get("message", ""))})
        report.needs_staff.append(receipt_no)
    else:
        why = str(answer.get("message") or answer.get("error") or f"HTTP {status}")[:200]
        outbox.mark_parked(receipt_no, f"中心系统拒收（HTTP {status}）：{why}",
                           f"refused by the central system (HTTP {status}): {why}")
        report.parked.append(receipt_no)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


@dataclass(frozen=True)
class StatusAnswer:
    """What the citizen is told about an application."""

    found: bool
    online: bool                 # from the central system just now, or the last known here
    receipt_no: str
    status: str | None = None    # one of STATUS_LABELS, or None while still waiting to upload
    waiting_upload: bool = False
    tracking_no: str | None = None
    due_date: str | None = None
    updated_at: str | None = None
    checked_at: str | None = None  # when the central system last told us (offline answers)
    reply: str | None = None       # shown, never stored


def lookup(outbox: Outbox, session: requests.Session | None, base_url: str | None,
           receipt_no: str, query_code: str, *, policy: RetryPolicy | None = None
           ) -> StatusAnswer:
    """Status by receipt number and query code: from the central system when it answers, else
    the last status known here. A wrong code and an unknown receipt get the same answer."""
    receipt_no, query_code = receipt_no.strip(), query_code.strip()
    local = outbox.find(receipt_no)
    if local is not None and not outbox.code_matches(receipt_no, query_code):
        return StatusAnswer(False, False, receipt_no)
    if local is not None and local.state != "sent":
        return StatusAnswer(True, False, receipt_no, waiting_upload=True,
                            due_date=local.expected_due)
    if session is not None and base_url:
        feed = Feed(session, base_url, policy or RetryPolicy(attempts=2, timeout=8))
        try:
            code, answer = feed.get_answer(STATUS_PATH, {"receipt_no": receipt_no,
                                                          "code": query_code},
                                           passthrough=frozenset({404}))
        except FeedError as exc:
            if exc.kind == "auth":
                raise KioskError(exc.zh, exc.en) from exc
        else:
            if code == 404 or not isinstance(answer, dict):
                return StatusAnswer(False, True, receipt_no)
            now = dt.datetime.now().astimezone().isoformat(timespec="seconds")
            if local is not None and answer.get("status") in STATUS_LABELS:
                outbox.record_status(receipt_no, answer["status"], _text(answer.get("due_date")),
                                     _text(answer.get("updated_at")), now)
            return StatusAnswer(True, True, receipt_no, _text(answer.get("status")),
                                tracking_no=_text(answer.get("tracking_no")),
                                due_date=_text(answer.get("due_date")),
                                updated_at=_text(answer.get("updated_at")), checked_at=now,
                                reply=_text(answer.get("reply")))
    if local is None:
        return StatusAnswer(False, False, receipt_no)
    return StatusAnswer(True, False, receipt_no, local.status, tracking_no=local.tracking_no,
                        due_date=local.due_date, updated_at=local.status_updated_at,
                        checked_at=local.status_checked_at)
