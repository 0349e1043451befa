"""`Applications`: the one door to on-application requests, for the touch screens and the CLI.

It ties the pieces together the way a clerk would: validate the form; look in the catalogue
first, because what is asked for may already be published (已主动公开) and the citizen can have
it today instead of in a month; file into the outbox with an expected reply date counted in
working days; upload; answer status questions. Screens call these methods and never touch
SQL, HTTP or the key.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Any

from index import Catalogue, Hit, RetryPolicy

from .. import central
from ..config import Config
from .outbox import Outbox, Receipt
from .slip import make_slip
from .uploader import StatusAnswer, UploadReport, lookup, send_pending
from .validation import validate
from .workdays import Calendar, due_date

LOCAL_KIOSK_ID = "LOCAL"
"""Receipt-number prefix of a kiosk without `[central] kiosk_id` (it cannot upload anyway)."""


class Applications:
    def __init__(self, config: Config, data_dir: Path) -> None:
        self.config = config
        self.outbox = Outbox(Path(data_dir) / "outbox.sqlite3", config.key_file())
        extra = [config.holiday_dir] if config.holiday_dir else []
        self.calendar = Calendar.load(extra)

    def close(self) -> None:
        self.outbox.close()

    def __enter__(self) -> Applications:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def kiosk_id(self) -> str:
        return self.config.central.kiosk_id or LOCAL_KIOSK_ID

    def already_published(self, catalogue: Catalogue, description: str, limit: int = 5
                          ) -> list[Hit]:
        """Published items that match what the citizen asked for, best first; only items that
        hold every word of the description count, so the offer is worth their time."""
        found = catalogue.search(description, page_size=limit)
        hits = found.hits if not found.relaxed else found.hits[:found.exact_total or 0]
        return hits[:limit]

    def submit(self, applicant: dict[str, Any], request: dict[str, Any], *,
               entered_by: str = "citizen", now: dt.datetime | None = None) -> Receipt:
        """Validate (raises `InvalidApplication` naming every bad field) and file durably."""
        person, wanted = validate(applicant, request)
        now = (now or dt.datetime.now()).astimezone()
        receipt = self.outbox.file(person, wanted, kiosk_id=self.kiosk_id, entered_by=entered_by,
                                   now=now, expected_due=due_date(now.date(), self.calendar))
        slip = make_slip(receipt, person, wanted, venue=self.config.venue_name,
                         status_url=self.config.status_url, calendar=self.calendar)
        return replace(receipt, slip=slip)

    def correct(self, receipt_no: str, applicant: dict[str, Any], request: dict[str, Any]) -> None:
        person, wanted = validate(applicant, request)
        self.outbox.correct(receipt_no, person, wanted)

    def send(self, *, only: str | None = None, progress=None) -> UploadReport:
        """Upload what is due now; `ConfigError` if no central system is configured."""
        c = self.config.central
        with central.session_for(c, self.config.path) as session:
            return send_pending(self.outbox, session, c.url or "", kiosk_id=self.kiosk_id,
                                venue=self.config.venue_name,
                                policy=RetryPolicy(timeout=c.timeout), only=only,
                                progress=progress)

    def status(self, receipt_no: str, query_code: str) -> StatusAnswer:
        c = self.config.central
        if not c.configured:
            return lookup(self.outbox, None, None, receipt_no, query_code)
        with central.session_for(c, self.config.path) as session:
            return lookup(self.outbox, session, c.url, receipt_no, query_code,
                          policy=RetryPolicy(attempts=2, timeout=min(c.timeout, 8)))
