"""Switchable misbehaviour, so the kiosk's sync and uploader can be tested against a server that fails.

The contract says any request may fail, hang or be cut off half way; a client's retry and resume
logic is only trustworthy when each of those failures can be provoked on demand and counted.
`Faults` is the switchboard (plain data a test can set field by field, or replace whole);
`FaultSwitch` consumes its counted faults under a lock, so that two concurrent requests never both
see the same single fault and a test's "fail the next two" means exactly two.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, fields
from typing import Any

_COUNTED = ("error_500", "unavailable", "rate_limit", "malformed_page", "drop_body")


@dataclass
class Faults:
    """What the server should get wrong; every field defaults to behaving well.

    Counted fields (`error_500`, `rate_limit`, `unavailable`, `drop_body`, `malformed_page`) are
    decremented as requests use them. A request uses at most one counted fault, taken in the order
    500, 503, 429, malformed page, dropped body; `delay` adds to whichever answer is sent.
    """

    error_500: int = 0
    rate_limit: int = 0
    retry_after: float = 1.0
    unavailable: int = 0
    delay: float = 0.0
    drop_body: int = 0
    malformed_page: int = 0
    corrupt_attachments: set[str] = field(default_factory=set)
    refuse_applications: int = 0  # a 4xx status every new application gets (0: off), e.g. 409
    only_path: str | None = None

    def applies_to(self, path: str) -> bool:
        """Whether a request for `path` is subject to these faults (`only_path` scopes them)."""
        return self.only_path is None or path.startswith(self.only_path)

    def retry_after_header(self) -> str:
        """`Retry-After` as sent: whole seconds when integral, else the fraction as written.

        HTTP only defines whole seconds, but short fractional waits keep client tests fast; a
        client that cannot parse them must still back off on its own.
        """
        value = float(self.retry_after)
        return str(int(value)) if value.is_integer() else str(value)

    def to_json(self) -> dict[str, Any]:
        """The faults as a JSON object (the shape `POST /_control/faults` accepts)."""
        out: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        out["corrupt_attachments"] = sorted(self.corrupt_attachments)
        return out

    @classmethod
    def from_json(cls, obj: object) -> Faults:
        """Build faults from a JSON object, refusing unknown fields and wrong types with ValueError.

        A typo in a demo script (`"eror_500"`) must fail loudly instead of silently testing nothing.
        """
        if not isinstance(obj, dict):
            raise ValueError("faults must be a JSON object")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(obj) - known)
        if unknown:
            raise ValueError(f"unknown fault fields: {', '.join(unknown)}")
        kw: dict[str, Any] = {}
        for name, value in obj.items():
            if name in _COUNTED:
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    raise ValueError(f"{name} must be a non-negative integer")
            elif name in ("retry_after", "delay"):
                if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                    raise ValueError(f"{name} must be a non-negative number")
                kw[name] = float(value)
                continue
            elif name == "corrupt_attachments":
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise ValueError("corrupt_attachments must be a list of sha256 strings")
                kw[name] = set(value)
                continue
            elif name == "refuse_applications":
                if isinstance(value, bool) or not isinstance(value, int) or \
                        not (value == 0 or 400 <= value <= 499):
                    raise ValueError("refuse_applications must be 0 or a 4xx status")
            elif name == "only_path" and value is not None and not isinstance(value, str):
                raise ValueError("only_path must be a string or null")
            kw[name] = value
        return cls(**kw)


@dataclass(frozen=True)
class Plan:
    """What one request will suffer, decided once when it arrives."""

    status: int | None = None        # 500, 503 or 429 instead of the real answer
    retry_after: str | None = None   # the Retry-After header for 429/503
    delay: float = 0.0               # seconds to wait before answering
    drop_body: bool = False          # send half the body, then cut the connection
    malformed: int | None = None     # 0: invalid JSON, 1: valid JSON without `cursor`


NO_FAULT = Plan()


class FaultSwitch:
    """Hands out faults to requests, each counted fault to exactly one request."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._malformed_served = 0

    def plan(self, faults: Faults, path: str, *, is_feed: bool) -> Plan:
        """Consume (at most) one counted fault from `faults` for a request on `path`."""
        if not faults.applies_to(path):
            return NO_FAULT
        with self._lock:
            delay = float(faults.delay)
            if faults.error_500 > 0:
                faults.error_500 -= 1
                return Plan(status=500, delay=delay)
            if faults.unavailable > 0:
                faults.unavailable -= 1
                return Plan(status=503, retry_after=faults.retry_after_header(), delay=delay)
            if faults.rate_limit > 0:
                faults.rate_limit -= 1
                return Plan(status=429, retry_after=faults.retry_after_header(), delay=delay)
            if is_feed and faults.malformed_page > 0:
                faults.malformed_page -= 1
                variant = self._malformed_served % 2
                self._malformed_served += 1
                return Plan(malformed=variant, delay=delay)
            if faults.drop_body > 0:
                faults.drop_body -= 1
                return Plan(drop_body=True, delay=delay)
            return Plan(delay=delay) if delay > 0 else NO_FAULT


def flip_one_byte(data: bytes) -> bytes:
    """The same bytes with the middle one inverted, so the SHA-256 no longer matches.

    An empty attachment has no byte to flip; it becomes one NUL byte, which is just as wrong.
    """
    if not data:
        return b"\x00"
    i = len(data) // 2
    return data[:i] + bytes([data[i] ^ 0xFF]) + data[i + 1:]

