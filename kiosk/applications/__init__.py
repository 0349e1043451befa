"""On-application requests (依申请公开): the form, the encrypted outbox, uploads, status, deadlines.

No Kivy here: the touch screens and `kiosk-admin` both use `Applications`. Callers handle
`KioskError` (and its `InvalidApplication`, which lists every bad field).
"""

from .outbox import Entry, Outbox, Receipt
from .service import Applications
from .uploader import StatusAnswer, UploadReport
from .validation import FieldError, InvalidApplication

__all__ = ["Applications", "Entry", "FieldError", "InvalidApplication", "Outbox", "Receipt",
           "StatusAnswer", "UploadReport"]
