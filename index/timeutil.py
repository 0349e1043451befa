"""Timestamps the catalogue records for staff (last import, last sync): local time, ISO 8601."""

from __future__ import annotations

import datetime as dt
import time


def now_iso() -> str:
    """Now, in local time with its UTC offset, to the second: `2026-11-22T10:15:00+08:00`."""
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def seconds_since(iso: str) -> float:
    """How long ago an instant written by `now_iso` (or any offset-carrying ISO 8601) was."""
    return time.time() - dt.datetime.fromisoformat(iso).timestamp()
