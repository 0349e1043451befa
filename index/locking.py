"""One writer per catalogue: an advisory file lock that dies with its process.

Imports, syncs and index rebuilds take it; searches never do. `fcntl.flock` is released by the
kernel when the holder exits or is killed, so a crash can never leave the catalogue locked.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

from .errors import StoreBusy


class WriterLock:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._fd: int | None = None

    def acquire(self, timeout: float = 0.0) -> None:
        """Take the lock, waiting up to `timeout` seconds; raise `StoreBusy` if another has it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise StoreBusy(
                        "目录正在被另一个任务更新（导入、同步或重建索引），请稍后再试",
                        "another task (import, sync or index rebuild) is updating the catalogue; "
                        "try again when it has finished") from None
                time.sleep(0.1)
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
