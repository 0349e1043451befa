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


def test_the_background_uploader_sends_what_waits_and_idles_otherwise(central, tmp_path):
    from kiosk.applications import Applications
    from kiosk.background_sync import upload_scheduler
    from kiosk.config import load
    from tests.applications.test_outbox import applicant, request
    from tests.conftest import write_config

    config = load(str(write_config(tmp_path / "kiosk.toml", central.url)))
    data = tmp_path / "data"
    job = upload_scheduler(config, data, lambda _o: None)
    assert job.enabled and not job.has_work()  # no outbox yet: nothing to start
    with Applications(config, data) as apps:
        receipt = apps.submit(applicant(), request())
        assert job.has_work()
        outcome = job.run_once()
        assert outcome.ok
        assert apps.outbox.get(receipt.receipt_no).state == "sent"
    assert not job.has_work()
    assert [a["receipt_no"] for a in central.applications()] == [receipt.receipt_no]
