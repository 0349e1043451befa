"""The `kiosk` command opens a real window on the catalogue (placeholder home screen for now)."""

from __future__ import annotations

import select
import shutil
import subprocess
import time

from tests.conftest import BIN


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
