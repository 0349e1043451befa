"""`kiosk --tour`: the real app driven through every screen, a screenshot of each, and every touch
target and text on them checked against the size rules (≥ 48 px targets, ≥ 20 px text)."""

from __future__ import annotations

import struct
import subprocess

from tests.conftest import BIN


def png_size(path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    return struct.unpack(">II", head[16:24])


def test_the_tour_visits_every_screen_and_every_target_is_big_enough(sample_catalogue, tmp_path):
    out = tmp_path / "tour"
    done = subprocess.run([str(BIN / "kiosk"), "--data-dir", str(sample_catalogue.data_dir),
                           "--tour", str(out)], capture_output=True, text=True, timeout=900,
                          check=False)
    assert done.returncode == 0, done.stderr[-4000:]  # 3 would mean a size problem, listed there

    shots = sorted(p.stem for p in out.glob("*.png"))
    for screen in ("home", "search-pinyin", "results", "reader", "print-preview", "attachment",
                   "apply-who",
                   "apply-review", "apply-receipt", "status", "staff-pin", "staff",
                   "home-english", "home-contrast", "idle"):
        assert any(s[3:] == screen for s in shots), f"no screenshot of {screen}: {shots}"
    assert {png_size(out / f"{s}.png") for s in shots} == {(1280, 800)}
    index = (out / "tour.md").read_text(encoding="utf-8")
    assert all(f"({s}.png)" in index for s in shots)
    assert "all pass." in index
    # the tour ran on a copy: the application it filed and the PIN it set are not in the data
    left = {p.name for p in sample_catalogue.data_dir.iterdir()}
    assert not left & {"staff-pin.json", "outbox.sqlite3", "outbox.key"}, left
