"""Driving the real kiosk window in tests: `kiosk.remote.RemoteKiosk` (X pointer touches through
xdotool, widgets through the app's driver socket), started on a data directory."""

from __future__ import annotations

from pathlib import Path

from kiosk.remote import RemoteKiosk
from tests.conftest import BIN


class Kiosk(RemoteKiosk):
    def __init__(self, data: Path, env: dict[str, str], tmp: Path, *extra: str) -> None:
        super().__init__([str(BIN / "kiosk"), "--data-dir", str(data), *extra], env, tmp)
