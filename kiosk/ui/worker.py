"""Catalogue work off the UI thread: a search must never freeze the screen under a finger.

One worker thread runs every catalogue call the screens make, in order; the answer comes back on
Kivy's thread through `Clock`. A screen that asked for something it no longer wants (the citizen
typed another letter) simply ignores the late answer — see `SearchScreen`'s request numbers.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from kivy.clock import Clock

from index import Catalogue


class CatalogueWorker:
    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="catalogue")

    def submit(self, job: Callable[[Catalogue], Any], done: Callable[[Any], None]) -> None:
        """Run `job(catalogue)` on the worker; call `done(result)` on the UI thread."""

        def run() -> None:
            try:
                result = job(self.catalogue)
            except Exception as e:  # a failed search shows as no results, never a crash
                print(f"kiosk: catalogue job failed: {type(e).__name__}: {e}", file=sys.stderr,
                      flush=True)
                return
            Clock.schedule_once(lambda _dt: done(result))

        self._pool.submit(run)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
