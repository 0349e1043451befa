"""The staff PIN that guards the staff screen (sync, outbox, printers, figures, leaving the kiosk).

The PIN is typed on a touch screen in a public hall, so it is short and can be watched; what
keeps it safe is that guessing is slow. It is stored only as a salted scrypt hash, and after
`MAX_TRIES` wrong PINs in a row the staff screen locks for `LOCKOUT_SECONDS`. The count and the
lock live in the same file as the hash, written atomically, so restarting the kiosk (or pulling
the plug) does not buy a guesser new tries.

Without a PIN set, the staff screen cannot be opened from the touch screen at all: the first
PIN is set by someone with a shell (`kiosk-admin staff-pin`), never by whoever touches first.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from .errors import KioskError

STAFF_PIN_FILE = "staff-pin.json"
"""In the data directory: a salted hash, never the PIN."""
MAX_TRIES = 5
LOCKOUT_SECONDS = 300
MIN_DIGITS, MAX_DIGITS = 4, 12
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


@dataclass(frozen=True)
class Attempt:
    ok: bool
    tries_left: int  # wrong PINs still allowed before the lock
    locked_for: float  # seconds until the staff screen can be tried again (0: not locked)


def _hash(pin: str, salt: bytes) -> bytes:
    return hashlib.scrypt(pin.encode(), salt=salt, **_SCRYPT)


class StaffPin:
    def __init__(self, path: Path, clock=time.time) -> None:
        self.path = Path(path)
        self._clock = clock

    def _read(self) -> dict | None:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as e:
            raise KioskError(f"工作人员密码文件 {self.path} 已损坏，请用 kiosk-admin staff-pin 重新设置。",
                             f"the staff PIN file {self.path} is damaged; set the PIN again with "
                             "kiosk-admin staff-pin.") from e

    def _write(self, state: dict) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".partial")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(state, f)
            f.flush()
            os.fsync(f.fileno())
        tmp.replace(self.path)

    @property
    def is_set(self) -> bool:
        return self._read() is not None

    def set(self, pin: str) -> None:
        """Set (or replace) the PIN: 4 to 12 digits. Clears any lock."""
        if not (pin.isascii() and pin.isdigit() and MIN_DIGITS <= len(pin) <= MAX_DIGITS):
            raise KioskError(f"工作人员密码应为 {MIN_DIGITS} 到 {MAX_DIGITS} 位数字。",
                             f"the staff PIN must be {MIN_DIGITS} to {MAX_DIGITS} digits.")
        salt = secrets.token_bytes(16)
        self._write({"salt": salt.hex(), "hash": _hash(pin, salt).hex(), "wrong": 0,
                     "locked_until": 0})

    def check(self, pin: str) -> Attempt:
        """Try a PIN; every wrong one counts, and while locked even the right one is refused."""
        state = self._read()
        if state is None:
            return Attempt(False, 0, 0)
        now = self._clock()
        if state["locked_until"] > now:
            return Attempt(False, 0, state["locked_until"] - now)
        good = hmac.compare_digest(_hash(pin, bytes.fromhex(state["salt"])),
                                   bytes.fromhex(state["hash"]))
        if good:
            if state["wrong"]:
                self._write({**state, "wrong": 0, "locked_until": 0})
            return Attempt(True, MAX_TRIES, 0)
        wrong = state["wrong"] + 1
        if wrong >= MAX_TRIES:
            self._write({**state, "wrong": 0, "locked_until": now + LOCKOUT_SECONDS})
            return Attempt(False, 0, LOCKOUT_SECONDS)
        self._write({**state, "wrong": wrong})
        return Attempt(False, MAX_TRIES - wrong, 0)
