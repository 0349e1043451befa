"""The `kiosk` command opens a real window on the catalogue (placeholder home screen for now)."""

from __future__ import annotations

import select
import shutil
import subprocess
import time

from tests.conftest import BIN, SAMPLE_BUNDLE


def wait_for_line(proc: subprocess.Popen, marker: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stderr], [], [], 0.5)
        if ready:
            line = proc.stderr.readline()
            if not line and proc.poll() is not None:
                break
            seen.append(line)
            if marker in line:
                return line
    raise AssertionError(f"{marker!r} never appeared; the app said:\n{''.join(seen[-30:])}")


def test_the_kiosk_opens_on_the_catalogue_and_stops_on_sigterm(display, sample_catalogue,
                                                                   tmp_path):
    data = tmp_path / "data"
    shutil.copytree(sample_catalogue.data_dir, data)
    expected = sample_catalogue.search("").total
    proc = subprocess.Popen([str(BIN / "kiosk"), "--data-dir", str(data)], env=display,
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        line = wait_for_line(proc, "kiosk: home screen shown", timeout=90)
        assert f"{expected} items" in line
        sections = int(line.rsplit(",", 1)[1].split()[0])
        assert sections >= 10
        time.sleep(1)
        assert proc.poll() is None  # still running: nothing closed it
        proc.terminate()  # but the system (shutdown, staff tools) can stop it, cleanly
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_the_kiosk_says_clearly_when_its_catalogue_is_unusable(display, tmp_path):
    bad = tmp_path / "not-a-dir"
    bad.write_text("x")
    proc = subprocess.run([str(BIN / "kiosk"), "--data-dir", str(bad)], env=display,
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert "Error" in proc.stderr and "错误" in proc.stderr


def test_the_running_kiosk_syncs_in_the_background(display, sample_catalogue, central,
                                                   tmp_path):
    from tests.conftest import make_item, write_config

    data = tmp_path / "data"
    shutil.copytree(sample_catalogue.data_dir, data)
    central.load(SAMPLE_BUNDLE)
    central.upsert(make_item(1, title="关于开展冬季供暖安全检查的通知"))
    config = write_config(tmp_path / "kiosk.toml", central.url, sync_interval_minutes=0.05,
                          sync_jitter_minutes=0)
    expected = sample_catalogue.search("").total + 1
    proc = subprocess.Popen([str(BIN / "kiosk"), "--config", str(config), "--data-dir", str(data)],
                            env=display, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            text=True)
    try:
        wait_for_line(proc, "kiosk: home screen shown", timeout=90)
        line = wait_for_line(proc, "kiosk: background sync", timeout=120)
        assert "done" in line and f"{expected} items" in line, line
        assert "updated 20" in line  # the home screen now says when the catalogue was updated
        proc.terminate()
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert any(r.path == "/v1/catalogue/changes" for r in central.requests)
