"""The staff PIN: stored hashed, and five wrong tries lock the staff screen, across restarts."""

from __future__ import annotations

import subprocess

import pytest

from kiosk.errors import KioskError
from kiosk.staff_pin import LOCKOUT_SECONDS, STAFF_PIN_FILE, StaffPin
from tests.conftest import BIN, admin_env


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_no_pin_set_means_no_way_in(tmp_path):
    pin = StaffPin(tmp_path / STAFF_PIN_FILE)
    assert not pin.is_set and not pin.check("0000").ok


def test_the_pin_is_stored_hashed_and_checked(tmp_path):
    pin = StaffPin(tmp_path / STAFF_PIN_FILE)
    pin.set("246810")
    assert b"246810" not in (tmp_path / STAFF_PIN_FILE).read_bytes()
    assert pin.check("246810").ok and not pin.check("246811").ok
    for bad in ("12", "abcd", "１２３４", "1" * 13):
        with pytest.raises(KioskError):
            pin.set(bad)


def test_five_wrong_tries_lock_even_after_a_restart(tmp_path):
    clock = Clock()
    StaffPin(tmp_path / STAFF_PIN_FILE, clock).set("2468")
    tries = [StaffPin(tmp_path / STAFF_PIN_FILE, clock).check("0000") for _ in range(5)]
    assert [t.tries_left for t in tries] == [4, 3, 2, 1, 0]
    assert tries[-1].locked_for == LOCKOUT_SECONDS
    restarted = StaffPin(tmp_path / STAFF_PIN_FILE, clock)
    locked = restarted.check("2468")  # the right PIN, but locked
    assert not locked.ok and locked.locked_for == LOCKOUT_SECONDS
    clock.now += LOCKOUT_SECONDS + 1
    assert restarted.check("2468").ok
    assert restarted.check("0000").tries_left == 4  # a success resets the count


def test_kiosk_admin_sets_the_pin_from_standard_input(tmp_path):
    r = subprocess.run([str(BIN / "kiosk-admin"), "--data-dir", str(tmp_path), "staff-pin"],
                       input="13579\n", capture_output=True, text=True, env=admin_env(),
                       timeout=60, check=False)
    assert r.returncode == 0, r.stderr
    assert StaffPin(tmp_path / STAFF_PIN_FILE).check("13579").ok
    bad = subprocess.run([str(BIN / "kiosk-admin"), "--data-dir", str(tmp_path), "staff-pin"],
                         input="12\n", capture_output=True, text=True, env=admin_env(),
                         timeout=60, check=False)
    assert bad.returncode == 1 and "4 到 12 位数字" in bad.stderr
