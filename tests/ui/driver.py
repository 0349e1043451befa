"""Driving the real kiosk window in tests: `kiosk.remote.RemoteKiosk` (X pointer touches through
xdotool, widgets through the app's driver socket), started on a data directory."""

from __future__ import annotations

import shutil
from pathlib import Path

from kiosk.remote import RemoteKiosk
from tests.conftest import BIN


class Kiosk(RemoteKiosk):
    def __init__(self, data: Path, env: dict[str, str], tmp: Path, *extra: str) -> None:
        super().__init__([str(BIN / "kiosk"), "--data-dir", str(data), *extra], env, tmp)


def on_sample(display: dict[str, str], sample_catalogue, tmp_path: Path, config: str = ""
              ) -> Kiosk:
    """A kiosk on a fresh copy of the sample catalogue, with `config` (TOML text) if given."""
    data = tmp_path / "data"
    shutil.copytree(sample_catalogue.data_dir, data)
    extra = []
    if config:
        path = tmp_path / "kiosk.toml"
        path.write_text(config, encoding="utf-8")
        extra = ["--config", str(path)]
    return Kiosk(data, display, tmp_path, *extra)
