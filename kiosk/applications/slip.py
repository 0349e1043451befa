"""The printable receipt (回执) of an application, made while the form is still in memory.

The outbox seals personal data the moment an application is filed, and nothing may read it back
for printing later; so the receipt's printable form is built right then, from the validated form,
with the name and ID number already masked (张*明, 1101**********002X). What the slip holds is
what the citizen may safely lose on the way home.
"""

from __future__ import annotations

import datetime as dt

from printing.receipt import Receipt as Slip
from printing.receipt import mask_id, mask_name

from .model import DELIVERY_LABELS, ID_TYPE_LABELS, Applicant, Request
from .outbox import Receipt
from .workdays import Calendar


def make_slip(receipt: Receipt, applicant: Applicant, request: Request, *, venue: str,
              status_url: str | None, calendar: Calendar) -> Slip:
    submitted = dt.datetime.fromisoformat(receipt.submitted_at)
    due = dt.date.fromisoformat(receipt.expected_due) if receipt.expected_due else submitted.date()
    if applicant.type == "organization":  # an organisation's name and code are public facts
        who, id_label, id_shown = applicant.name, "统一社会信用代码", applicant.org_code or ""
    else:
        who = mask_name(applicant.name)
        id_label = ID_TYPE_LABELS.get(applicant.id_type or "", "证件号码")
        id_shown = mask_id(applicant.id_number or "")
    asked = request.description
    if request.title:
        asked = f"《{request.title}》 {asked}"
    return Slip(
        receipt_no=receipt.receipt_no, query_code=receipt.query_code, submitted_at=submitted,
        due_date=due, due_provisional=not calendar.confirmed(submitted.date(), due),
        applicant=who, id_label=id_label, id_masked=id_shown, asked=asked,
        delivery=DELIVERY_LABELS.get(request.delivery, request.delivery), sent=False,
        status_url=status_url.replace("{receipt_no}", receipt.receipt_no) if status_url else None,
        venue=venue)
