"""The idle rule: warn, count down, expire; never while pristine or printing."""

from __future__ import annotations

from kiosk.session import IdleRule


def test_warns_then_expires_and_a_touch_continues():
    rule = IdleRule(idle_seconds=90, countdown=15)
    rule.touched(1000)
    assert rule.state(1089, pristine=False, busy=False) == ("active", 0)
    assert rule.state(1090, pristine=False, busy=False) == ("warning", 15)
    assert rule.state(1100.5, pristine=False, busy=False) == ("warning", 5)
    rule.touched(1101)  # "继续使用"
    assert rule.state(1150, pristine=False, busy=False) == ("active", 0)
    assert rule.state(1206, pristine=False, busy=False) == ("expired", 0)


def test_nothing_to_protect_on_a_pristine_home_screen():
    rule = IdleRule(idle_seconds=90)
    rule.touched(0)
    assert rule.state(500, pristine=True, busy=False) == ("active", 0)
    # and the clock starts afresh when the citizen does something
    assert rule.state(510, pristine=False, busy=False) == ("active", 0)


def test_no_countdown_while_the_printer_is_working():
    rule = IdleRule(idle_seconds=90, countdown=15)
    rule.touched(0)
    for t in range(0, 600, 10):
        assert rule.state(t, pristine=False, busy=True) == ("active", 0)
    # when the job ends, the citizen still has half the idle time before the question
    assert rule.state(634, pristine=False, busy=False) == ("active", 0)
    assert rule.state(636, pristine=False, busy=False)[0] == "warning"
