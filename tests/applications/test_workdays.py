"""Working days and reply deadlines against the published holiday arrangements.

Each expected due date below was counted by hand on a calendar, day by day, and the count is
written beside it: the point is to catch a wrong date in a shipped file as much as a wrong loop.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from kiosk.applications.workdays import (
    BUNDLED_DIR,
    Calendar,
    CalendarError,
    YearCalendar,
    due_date,
    read_year,
)
from kiosk.errors import KioskError

ROOT = Path(__file__).resolve().parents[2]
D = dt.date.fromisoformat

# Lunar-calendar dates of each year's festivals (春节 = 正月初一), checked against lunar-python.
LUNAR = {
    2024: {"spring": "2024-02-10", "qingming": "2024-04-04", "dragon_boat": "2024-06-10",
           "mid_autumn": "2024-09-17"},
    2025: {"spring": "2025-01-29", "qingming": "2025-04-04", "dragon_boat": "2025-05-31",
           "mid_autumn": "2025-10-06"},
    2026: {"spring": "2026-02-17", "qingming": "2026-04-05", "dragon_boat": "2026-06-19",
           "mid_autumn": "2026-09-25"},
    2027: {"spring": "2027-02-06", "qingming": "2027-04-05", "dragon_boat": "2027-06-09",
           "mid_autumn": "2027-09-15"},
}


def statutory_days(year: int) -> set[dt.date]:
    """The days off that 全国年节及纪念日放假办法 itself fixes (before any 调休 arrangement).

    Until 2024: 元旦 1, 春节 初一–初三, 清明 1, 劳动节 1, 端午 1, 中秋 1, 国庆 3. From 2025 (the
    2024 revision): 春节 adds 除夕, 劳动节 adds 5月2日.
    """
    lunar = {k: D(v) for k, v in LUNAR[year].items()}
    spring = lunar["spring"]
    days = {dt.date(year, 1, 1), spring, spring + dt.timedelta(1), spring + dt.timedelta(2),
            lunar["qingming"], dt.date(year, 5, 1), lunar["dragon_boat"], lunar["mid_autumn"],
            dt.date(year, 10, 1), dt.date(year, 10, 2), dt.date(year, 10, 3)}
    if year >= 2025:
        days |= {spring - dt.timedelta(1), dt.date(year, 5, 2)}
    return days


@pytest.fixture(scope="module")
def cal() -> Calendar:
    return Calendar.load()


def write(directory: Path, name: str, body: object) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(body if isinstance(body, str) else json.dumps(body, ensure_ascii=False),
                    "utf-8")
    return path


# -- the shipped files ----------------------------------------------------------------------------

def test_the_calendars_ship_in_the_checkout() -> None:
    assert BUNDLED_DIR == ROOT / "assets" / "holidays"
    assert sorted(p.stem for p in BUNDLED_DIR.glob("*.json")) == ["2024", "2025", "2026", "2027"]


@pytest.mark.parametrize("path", sorted(BUNDLED_DIR.glob("*.json")), ids=lambda p: p.name)
def test_every_shipped_file_is_well_formed(path: Path) -> None:
    year = read_year(path)  # checks: keys, dates in the year, weekend workdays, disjoint lists
    assert path.stem == str(year.year)
    assert all(d.year == year.year for d in year.holidays | year.workdays)
    assert not year.holidays & year.workdays
    assert all(d.weekday() >= 5 for d in year.workdays)
    missing = statutory_days(year.year) - year.holidays
    assert not missing, f"statutory days missing: {sorted(missing)}"
    if year.provisional:
        assert not year.workdays, "a provisional year guesses no make-up working days"
    else:
        assert "国务院办公厅" in year.source and "国办发明电" in year.source
    readme = (BUNDLED_DIR / "README.md").read_text("utf-8")
    assert f"{year.year}.json" in readme, "README.md must say where each year's data comes from"


def test_published_years_are_not_provisional_and_2027_is(cal: Calendar) -> None:
    assert [y for y in cal.years if cal.provisional(y)] == [2027]
    assert not cal.provisional(2030)


def test_the_shipped_arrangements_match_the_notices(cal: Calendar) -> None:
    """The make-up working days and the length of the long holidays, as the notices state them."""
    workdays = {y: sorted(cal.year(y).workdays) for y in (2024, 2025, 2026)}
    assert workdays[2024] == [D(d) for d in ("2024-02-04", "2024-02-18", "2024-04-07",
                                             "2024-04-28", "2024-05-11", "2024-09-14",
                                             "2024-09-29", "2024-10-12")]
    assert workdays[2025] == [D(d) for d in ("2025-01-26", "2025-02-08", "2025-04-27",
                                             "2025-09-28", "2025-10-11")]
    assert workdays[2026] == [D(d) for d in ("2026-01-04", "2026-02-14", "2026-02-28",
                                             "2026-05-09", "2026-09-20", "2026-10-10")]
    # 春节 2025: 1月28日至2月4日, 8 days; 2026: 2月15日至23日, 9 days. 国庆 2025 (with 中秋):
    # 10月1日至8日, 8 days; 2026: 10月1日至7日, 7 days.
    for first, last in (("2025-01-28", "2025-02-04"), ("2026-02-15", "2026-02-23"),
                        ("2025-10-01", "2025-10-08"), ("2026-10-01", "2026-10-07")):
        span = [D(first) + dt.timedelta(i) for i in range((D(last) - D(first)).days + 1)]
        assert not any(cal.is_workday(d) for d in span)
        assert cal.is_workday(D(first) - dt.timedelta(1)) or D(first).weekday() in (0, 6)
        assert cal.is_workday(D(last) + dt.timedelta(1))


# -- single days ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("day", "working"), [
    ("2026-02-14", True),   # Saturday, worked before 春节
    ("2026-02-28", True),   # Saturday, worked after 春节
    ("2025-02-08", True),   # Saturday, worked after 春节
    ("2025-09-28", True),   # Sunday, worked before 国庆
    ("2026-02-16", False),  # Monday, 除夕, a day off
    ("2026-02-23", False),  # Monday, last day of 春节
    ("2025-10-08", False),  # Wednesday, last day of 国庆·中秋
    ("2026-01-02", False),  # Friday, 元旦 block
    ("2026-03-07", False),  # an ordinary Saturday
    ("2026-03-09", True),   # an ordinary Monday
    ("2027-02-05", False),  # Friday, 除夕 2027 (provisional)
])
def test_is_workday(cal: Calendar, day: str, working: bool) -> None:
    assert cal.is_workday(D(day)) is working


# -- deadlines ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("received", "due"), [
    # Spring Festival 2025. Received Mon 1-20; counting from the next day: 1-21..1-24 (4),
    # Sun 1-26 make-up (5), Mon 1-27 (6), 1-28..2-4 off, 2-5..2-7 (9), Sat 2-8 make-up (10),
    # 2-10..2-14 (15), 2-17..2-21 (20) -> Fri 2025-02-21.
    ("2025-01-20", "2025-02-21"),
    # Spring Festival 2026. Received Thu 2-5: Fri 2-6 (1), 2-9..2-13 (6), Sat 2-14 make-up (7),
    # 2-15..2-23 off, 2-24..2-27 (11), Sat 2-28 make-up (12), 3-2..3-6 (17), 3-9..3-11 (20)
    # -> Wed 2026-03-11.
    ("2026-02-05", "2026-03-11"),
    # National Day 2025 (with 中秋). Received Thu 9-25: Fri 9-26 (1), Sun 9-28 make-up (2),
    # 9-29, 9-30 (4), 10-1..10-8 off, 10-9, 10-10 (6), Sat 10-11 make-up (7), 10-13..10-17 (12),
    # 10-20..10-24 (17), 10-27..10-29 (20) -> Wed 2025-10-29.
    ("2025-09-25", "2025-10-29"),
    # National Day 2026. Received Fri 9-18: Sun 9-20 make-up (1), 9-21..9-24 (5), 9-25..9-27
    # off (中秋), 9-28..9-30 (8), 10-1..10-7 off, 10-8, 10-9 (10), Sat 10-10 make-up (11),
    # 10-12..10-16 (16), 10-19..10-22 (20) -> Thu 2026-10-22.
    ("2026-09-18", "2026-10-22"),
    # Year boundary 2025 -> 2026. Received Wed 12-10: 12-11, 12-12 (2), 12-15..12-19 (7),
    # 12-22..12-26 (12), 12-29..12-31 (15), 1-1..1-3 off, Sun 1-4 make-up (16), 1-5..1-8 (20)
    # -> Thu 2026-01-08.
    ("2025-12-10", "2026-01-08"),
    # Received on a holiday (Mon 2026-02-16, 除夕): the count starts the next working day,
    # 2-24..2-27 (4), Sat 2-28 (5), 3-2..3-6 (10), 3-9..3-13 (15), 3-16..3-20 (20) -> 2026-03-20.
    ("2026-02-16", "2026-03-20"),
    # An ordinary stretch: received Mon 2026-11-23: 11-24..11-27 (4), 11-30..12-4 (9),
    # 12-7..12-11 (14), 12-14..12-18 (19), Mon 12-21 (20) -> 2026-12-21 (the API's example).
    ("2026-11-23", "2026-12-21"),
])
def test_due_dates_counted_by_hand(cal: Calendar, received: str, due: str) -> None:
    assert due_date(D(received), cal) == D(due)


def test_add_workdays_edges(cal: Calendar) -> None:
    assert cal.add_workdays(D("2026-02-13"), 0) == D("2026-02-13")
    assert cal.add_workdays(D("2026-02-13"), 1) == D("2026-02-14")  # the make-up Saturday
    assert cal.add_workdays(D("2026-02-14"), 1) == D("2026-02-24")  # over the whole holiday
    # Sat 2-14 (1), 2-24..2-27 (5), Sat 2-28 (6), Mon 3-2 (7)
    assert due_date(D("2026-02-13"), cal, working_days=7) == D("2026-03-02")
    with pytest.raises(ValueError):
        cal.add_workdays(D("2026-02-13"), -1)


def test_a_year_without_a_calendar_falls_back_to_weekends(cal: Calendar) -> None:
    assert not cal.covers(D("2030-01-01")) and cal.covers(D("2026-06-01"))
    assert cal.is_workday(D("2030-01-01"))  # New Year's Day, but nothing says so for 2030
    assert not cal.is_workday(D("2030-01-05"))  # a Saturday
    assert cal.add_workdays(D("2030-01-04"), 1) == D("2030-01-07")  # Friday -> Monday
    assert due_date(D("2030-01-07"), cal) == D("2030-02-04")  # 4 full weeks later
    assert Calendar().is_workday(D("2026-02-16"))  # an empty calendar knows no holidays


def test_confirmed_says_when_a_deadline_is_an_estimate(cal: Calendar) -> None:
    assert cal.confirmed(D("2025-12-10"), D("2026-01-08"))
    assert not cal.confirmed(D("2026-12-10"), D("2027-01-12"))  # 2027 is provisional
    assert not cal.confirmed(D("2030-01-07"), D("2030-02-04"))  # no calendar at all


# -- a venue's own files --------------------------------------------------------------------------

def test_a_venue_file_replaces_the_shipped_year_and_adds_new_ones(tmp_path: Path) -> None:
    venue = tmp_path / "holidays"
    write(venue, "2027.json", {
        "year": 2027, "source": "国务院办公厅关于2027年部分节假日安排的通知（测试）",
        "holidays": ["2027-01-01", "2027-02-05", "2027-02-08", "2027-02-09"],
        "workdays": ["2027-02-20"]})
    write(venue, "2028.json", {"year": 2028, "source": "测试", "provisional": True,
                               "holidays": ["2028-01-03"], "workdays": []})
    cal = Calendar.load([venue])
    assert cal.years == (2024, 2025, 2026, 2027, 2028)
    assert not cal.provisional(2027) and cal.provisional(2028)
    assert cal.year(2027).path == venue / "2027.json"
    assert "测试" in cal.year(2027).source
    assert cal.is_workday(D("2027-02-20"))  # a Saturday the venue's file says is worked
    assert not cal.is_workday(D("2027-02-09"))
    assert cal.is_workday(D("2027-10-01"))  # the shipped 2027 no longer applies
    assert not cal.is_workday(D("2028-01-03"))
    assert Calendar.load().is_workday(D("2027-02-09"))  # loading again starts afresh


def test_a_later_directory_wins(tmp_path: Path) -> None:
    body = {"year": 2026, "source": "A", "holidays": [], "workdays": []}
    write(tmp_path / "a", "2026.json", body)
    write(tmp_path / "b", "2026.json", body | {"source": "B"})
    assert Calendar.load([tmp_path / "a", tmp_path / "b"]).year(2026).source == "B"


GOOD = {"year": 2027, "source": "测试通知", "provisional": False,
        "holidays": ["2027-01-01"], "workdays": ["2027-02-20"]}


@pytest.mark.parametrize(("body", "says"), [
    ("{\"year\": 2027,", "JSON"),
    ("[]", "JSON 对象"),
    (GOOD | {"workday": []}, "workday"),
    ({k: v for k, v in GOOD.items() if k != "holidays"}, "缺少 holidays"),
    (GOOD | {"year": "2027"}, "year"),
    (GOOD | {"year": True}, "year"),
    (GOOD | {"source": ""}, "source"),
    (GOOD | {"provisional": "no"}, "provisional"),
    (GOOD | {"holidays": "2027-01-01"}, "日期列表"),
    (GOOD | {"holidays": ["2027-1-1"]}, "YYYY-MM-DD"),
    (GOOD | {"holidays": ["20270101"]}, "YYYY-MM-DD"),
    (GOOD | {"holidays": ["2027-02-30"]}, "YYYY-MM-DD"),
    (GOOD | {"holidays": ["2026-12-31"]}, "不在 2027 年内"),
    (GOOD | {"holidays": ["2027-01-01", "2027-01-01"]}, "重复"),
    (GOOD | {"workdays": ["2027-02-22"]}, "星期一"),
    (GOOD | {"holidays": ["2027-02-20"]}, "同时出现"),
])
def test_a_malformed_venue_file_is_a_clear_error(tmp_path: Path, body: object, says: str) -> None:
    path = write(tmp_path / "venue", "2027.json", body)
    with pytest.raises(CalendarError) as info:
        Calendar.load([tmp_path / "venue"])
    assert isinstance(info.value, KioskError)
    assert info.value.path == path
    assert str(path) in info.value.zh and str(path) in info.value.en
    assert says in info.value.zh, info.value.zh


def test_other_directory_faults(tmp_path: Path) -> None:
    with pytest.raises(CalendarError, match="no such holiday calendar directory"):
        Calendar.load([tmp_path / "absent"])
    with pytest.raises(CalendarError, match="no such holiday calendar directory"):
        Calendar.load(bundled_dir=tmp_path / "absent")
    write(tmp_path / "two", "2027.json", GOOD)
    write(tmp_path / "two", "2027-copy.json", GOOD)
    with pytest.raises(CalendarError, match="same year"):
        Calendar.load([tmp_path / "two"])
    (tmp_path / "latin1").mkdir()
    (tmp_path / "latin1" / "2027.json").write_bytes(b"\xff\xfe{}")
    with pytest.raises(CalendarError, match="UTF-8"):
        Calendar.load([tmp_path / "latin1"])


def test_a_bom_and_other_files_are_fine(tmp_path: Path) -> None:
    venue = tmp_path / "venue"
    write(venue, "README.txt", "not a calendar")
    (venue / "2027.json").write_bytes(json.dumps(GOOD).encode("utf-8-sig"))
    assert Calendar.load([venue]).year(2027) == YearCalendar(
        2027, "测试通知", False, frozenset({D("2027-01-01")}), frozenset({D("2027-02-20")}),
        venue / "2027.json")
