"""How long-running catalogue work reports progress without knowing who is watching.

A progress callback receives a stage name, the units done and the units expected (0 when unknown).
The CLI draws a bar from it; the touch app's staff screen a progress widget; tests record it.
"""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[str, int, int], None]


def silent(stage: str, done: int, total: int) -> None:
    """The callback used when nobody is watching."""
