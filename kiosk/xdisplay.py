"""A private X display (Xvfb, drawn by Mesa's OpenGL) for running the real touch app unseen:
the UI tests and `kiosk --tour` use it, so what they touch and photograph is the real window."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

from .errors import KioskError

SIZE = (1280, 800)
"""A common landscape kiosk panel; the screens are laid out for it and larger."""


@contextmanager
def private_display(size: tuple[int, int] = SIZE) -> Iterator[dict[str, str]]:
    """Start Xvfb on a free display number; yield an environment whose DISPLAY points at it."""
    if not shutil.which("Xvfb"):
        raise KioskError("缺少 Xvfb：请运行 make setup（安装 xvfb 软件包）。",
                         "Xvfb is missing: run `make setup`, which installs the xvfb package.")
    read, write = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", f"{size[0]}x{size[1]}x24",
         "-nolisten", "tcp"],
        pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as f:
        number = f.readline().strip()
    try:
        if not number:
            raise KioskError("Xvfb 未能启动。", "Xvfb did not report a display number.")
        yield dict(os.environ, DISPLAY=f":{number}", KCFG_KIVY_LOG_LEVEL="warning")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
