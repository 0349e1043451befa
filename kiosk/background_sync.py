"""Background sync for the running kiosk: `kiosk-admin sync` in a child process, on a schedule.

Why a child process rather than a thread: indexing a large batch is CPU-bound Python, and in a
thread it would hold the GIL in long stretches and make the touch screen stutter; as a child at
low priority (nice 10) it cannot, a crash in it cannot take the screen down, and it is exactly
the code path staff run by hand. The screen's own catalogue notices the new index by itself
(`index.search.Searcher` reopens when another process commits), so the app only has to refresh
what it displays when a run ends.

Schedule: every `sync_interval_minutes`, each run delayed by a random 0…`sync_jitter_minutes` so a
city's kiosks, switched on together at 8:30, do not call the central system together. After a
start, the first run comes soon if the last success is older than the interval.
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .config import Config

log = logging.getLogger(__name__)

START_GRACE = 20.0
"""Seconds after start before the first sync: let the screen come up and settle first."""


@dataclass(frozen=True)
class Outcome:
    ok: bool
    exit_code: int


def next_delay(interval: float, jitter: float, since_success: float | None, *, first: bool,
               rng: random.Random | None = None) -> float:
    """Seconds until the next run; pure, so the schedule can be tested without waiting.

    The first run after a start comes when the last success (`since_success` seconds ago, None
    if never) is one interval old, but not before `START_GRACE`. Every later run, successful or
    not, waits a whole interval: a failed run has already retried with backoff, and kiosks must
    not hammer a central system that is down.
    """
    rng = rng or random.Random()
    if first:
        due = 0.0 if since_success is None else max(0.0, interval - since_success)
        base = max(min(START_GRACE, interval), due)
    else:
        base = interval
    return base + rng.uniform(0, jitter)


UPLOAD_INTERVAL, UPLOAD_JITTER = 120.0, 30.0
"""Applications waiting in the outbox are offered to the central system this often (seconds);
each one's own backoff (`kiosk.applications.uploader`) decides whether it is really sent."""


class SyncScheduler:
    """Runs a `kiosk-admin` job (`sync` by default) in the background until `stop()`; `on_done`
    is called (from this scheduler's thread) after each run. `wanted()` is asked before each
    run, so a job with nothing to do costs no process."""

    def __init__(self, config: Config, data_dir: Path, on_done: Callable[[Outcome], None],
                 since_success: Callable[[], float | None], *, job: tuple[str, ...] = ("sync",),
                 interval: float | None = None, jitter: float | None = None,
                 wanted: Callable[[], bool] = lambda: True) -> None:
        self.interval = config.central.sync_interval_minutes * 60 if interval is None else interval
        self.jitter = config.central.sync_jitter_minutes * 60 if jitter is None else jitter
        self.command = [sys.executable, "-m", "kiosk.admin.cli", "--data-dir", str(data_dir)]
        if config.path is not None:
            self.command += ["--config", str(config.path)]
        self.command += job
        self.enabled = config.central.configured and self.interval > 0
        self._on_done = on_done
        self._since_success = since_success
        self._wanted = wanted
        self._stop = threading.Event()
        self._child: subprocess.Popen | None = None
        self._running = threading.Lock()  # one run at a time, scheduled or asked for
        self._thread = threading.Thread(target=self._loop, name=f"background-{job[0]}",
                                        daemon=True)

    def has_work(self) -> bool:
        return self._wanted()

    def start(self) -> None:
        if self.enabled:
            self._thread.start()

    def stop(self) -> None:
        """Stop scheduling and end a running sync. Killing it is safe: every page of changes is
        one transaction with its cursor, and the next run continues where it stopped."""
        self._stop.set()
        child = self._child
        if child is not None and child.poll() is None:
            child.terminate()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def _loop(self) -> None:
        first = True
        while not self._stop.wait(next_delay(self.interval, self.jitter, self._since_success(),
                                             first=first)):
            first = False
            if self.has_work():
                self._on_done(self.run_once())

    def run_once(self) -> Outcome:
        """One run now, on the caller's thread. A run asked for while another is under way (the
        wizard's upload of an application just filed, during a scheduled one) waits for it and
        then runs, so two children never work on the same outbox or mirror at once."""
        with self._running:
            # the child's report and errors go to the kiosk's log output (journal), not the screen
            self._child = child = subprocess.Popen(self.command, stdin=subprocess.DEVNULL,
                                                   stdout=subprocess.DEVNULL)
            # if it already ended, or lowering priority is not allowed here, it runs as it is
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, child.pid, 10)
            code = child.wait()
            self._child = None
        if code not in (0, 3):
            log.warning("background %s ended with exit code %s", self.command[-1], code)
        return Outcome(ok=code in (0, 3), exit_code=code)


def upload_scheduler(config: Config, data_dir: Path, on_done: Callable[[Outcome], None]
                     ) -> SyncScheduler:
    """Offers waiting applications to the central system every couple of minutes."""
    from .applications.outbox import waiting

    outbox = Path(data_dir) / "outbox.sqlite3"
    return SyncScheduler(config, data_dir, on_done, lambda: None, job=("outbox", "send"),
                         interval=UPLOAD_INTERVAL, jitter=UPLOAD_JITTER,
                         wanted=lambda: waiting(outbox) > 0)
