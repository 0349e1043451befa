"""The background sync schedule: soon after a start when due, then whole intervals, with jitter."""

from __future__ import annotations

import random

from kiosk.background_sync import START_GRACE, next_delay

HOUR = 3600.0


def delays(**kw) -> list[float]:
    rng = random.Random(7)
    return [next_delay(rng=rng, **kw) for _ in range(200)]


def test_a_kiosk_never_synced_starts_after_the_grace_period():
    d = delays(interval=900, jitter=180, since_success=None, first=True)
    assert min(d) >= START_GRACE and max(d) <= START_GRACE + 180


def test_a_recent_sync_is_not_repeated_at_start():
    d = delays(interval=900, jitter=0, since_success=600, first=True)
    assert set(d) == {300}


def test_later_runs_wait_a_whole_interval_even_after_a_failure():
    d = delays(interval=900, jitter=180, since_success=5 * HOUR, first=False)
    assert min(d) >= 900 and max(d) <= 1080


def test_jitter_spreads_a_citys_kiosks():
    d = delays(interval=900, jitter=180, since_success=None, first=False)
    assert max(d) - min(d) > 120  # not all at once
