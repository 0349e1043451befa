"""Where the kiosk keeps its data when nobody says otherwise.

Order: the `--data-dir` option, then the `KIOSK_DATA_DIR` environment variable, then `data_dir`
in the `[kiosk]` section of the configuration file, then `$XDG_DATA_HOME/disclosure-kiosk` (by
default `~/.local/share/disclosure-kiosk`). A deployed kiosk should set one explicitly, for example
`/var/lib/disclosure-kiosk`.
"""

from __future__ import annotations

import os
from pathlib import Path


def default_data_dir(configured: Path | None = None) -> Path:
    if env := os.environ.get("KIOSK_DATA_DIR"):
        return Path(env)
    if configured is not None:
        return configured
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "disclosure-kiosk"


def resolve_data_dir(option: str | None, configured: Path | None = None) -> Path:
    return Path(option) if option else default_data_dir(configured)
