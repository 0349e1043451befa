"""Working days (工作日) by the national holiday calendar, for the reply deadline of an application.

The agency must answer within 20 working days (Art. 33 of the disclosure regulations), and working
days are not simply Monday to Friday: each year the General Office of the State Council publishes
which days are off (放假) and which weekend days are worked instead (调休上班). Nothing computes
that arrangement; it is data, one JSON file per year:

    {"year": 2026, "source": "国务院办公厅关于2026年部分节假日安排的通知（国办发明电〔2025〕7号）",
     "provisional": false, "holidays": ["2026-01-01", …], "workdays": ["2026-01-04", …]}

`holidays` lists every day off in each holiday block (weekend days inside a block included,
harmlessly); `workdays` lists the weekend days that are worked. The kiosk ships the years it knows
in `assets/holidays/` of the repository, found from this file's place in it when the project runs
from its checkout (`pip install -e .`), else under `<prefix>/share/disclosure-kiosk/holidays`
where a regular install puts them; a missing directory means a broken install, which is an
error rather than a silent weekends-only calendar. A venue adds next year's file, when the notice
comes out, to a directory of its own (`Calendar.load(extra_dirs=…)`); a file there for a year the
kiosk ships replaces the shipped one. A year with no file falls back to Monday–Friday, and
`covers()` says so, so that the screen can say the date is an estimate.

Files are checked whole when loaded, as the configuration is: a misspelt key or a date in the
wrong year in a venue's file would otherwise move deadlines without anyone noticing.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import KioskError


def _bundled_dir() -> Path:
    checkout = Path(__file__).resolve().parents[2] / "assets" / "holidays"
    installed = Path(sys.prefix) / "share" / "disclosure-kiosk" / "holidays"
    return checkout if checkout.is_dir() or not installed.is_dir() else installed


BUNDLED_DIR = _bundled_dir()
"""The calendars shipped with the kiosk: `assets/holidays/` of the checkout, or, for a regular
(non-editable) install, the copy pyproject's data-files put in `<prefix>/share/disclosure-kiosk/`."""

REPLY_WORKING_DAYS = 20
"""Art. 33: the agency replies within 20 working days of receiving the application."""

_KEYS = ("year", "source", "provisional", "holidays", "workdays")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_WEEKDAY_ZH = "一二三四五六日"


class CalendarError(KioskError):
    """A holiday calendar file (or its directory) is missing or malformed; `path` names it."""

    def __init__(self, zh: str, en: str, path: Path | None = None) -> None:
        super().__init__(zh, en)
        self.path = path


@dataclass(frozen=True)
class YearCalendar:
    """One year's arrangement as published: days off, weekend days worked, and where it came from."""

    year: int
    source: str
    provisional: bool
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]
    path: Path | None = None


def _bad(path: Path, zh: str, en: str) -> CalendarError:
    return CalendarError(f"节假日文件 {path} 有误：{zh}", f"holiday calendar file {path}: {en}",
                         path)


def _dates(path: Path, body: Mapping[str, Any], key: str, year: int) -> frozenset[dt.date]:
    """A list of distinct YYYY-MM-DD dates, all inside `year`."""
    value = body.get(key)
    if not isinstance(value, list):
        raise _bad(path, f"{key} 应为日期列表，如 [\"{year}-01-01\"]",
                   f"{key} must be a list of dates, e.g. [\"{year}-01-01\"]")
    out: set[dt.date] = set()
    for item in value:
        try:
            if not isinstance(item, str) or not _ISO_DATE.fullmatch(item):
                raise ValueError
            day = dt.date.fromisoformat(item)
        except ValueError:
            raise _bad(path, f"{key} 中的 {item!r} 不是 YYYY-MM-DD 格式的日期",
                       f"{key}: {item!r} is not a YYYY-MM-DD date") from None
        if day.year != year:
            raise _bad(path, f"{key} 中的 {item} 不在 {year} 年内（文件的 year 是 {year}）",
                       f"{key}: {item} is not in the file's year {year}")
        if day in out:
            raise _bad(path, f"{key} 中的 {item} 重复出现", f"{key}: {item} is listed twice")
        out.add(day)
    return frozenset(out)


def parse_year(text: str, path: Path) -> YearCalendar:
    """Check one year's file (its text) whole; `CalendarError` names the file and the fault."""
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _bad(path, f"不是有效的 JSON（第{exc.lineno}行第{exc.colno}列：{exc.msg}）",
                   f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from exc
    if not isinstance(body, dict):
        raise _bad(path, "应为一个 JSON 对象 {…}", "must be a JSON object {…}")
    for key in body:
        if key not in _KEYS:
            raise _bad(path, f"没有 {key} 这一项（可用：{'、'.join(_KEYS)}）",
                       f"unknown key {key!r} (known: {', '.join(_KEYS)})")
    for key in ("year", "source", "holidays", "workdays"):
        if key not in body:
            raise _bad(path, f"缺少 {key}", f"{key} is missing")
    year = body["year"]
    if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 9999:
        raise _bad(path, "year 应为四位数年份，如 2027", "year must be a year number, e.g. 2027")
    source = body["source"]
    if not isinstance(source, str) or not source.strip():
        raise _bad(path, "source 应写明依据的通知，如 国务院办公厅关于…的通知（国办发明电〔…〕…号）",
                   "source must name the notice the dates come from")
    provisional = body.get("provisional", False)
    if not isinstance(provisional, bool):
        raise _bad(path, "provisional 应为 true 或 false", "provisional must be true or false")
    holidays = _dates(path, body, "holidays", year)
    workdays = _dates(path, body, "workdays", year)
    for day in sorted(workdays):
        if day.weekday() < 5:
            raise _bad(path, f"workdays 中的 {day} 是星期{_WEEKDAY_ZH[day.weekday()]}："
                       "workdays 只列调休上班的周六、周日",
                       f"workdays: {day} is a {day:%A}; list only the Saturdays and Sundays "
                       "that are worked")
    if both := sorted(holidays & workdays):
        raise _bad(path, f"{both[0]} 同时出现在 holidays 和 workdays 中",
                   f"{both[0]} is in both holidays and workdays")
    return YearCalendar(year, source.strip(), provisional, holidays, workdays, path)


def read_year(path: Path) -> YearCalendar:
    """Read and check one year's file."""
    try:
        text = path.read_bytes().decode("utf-8-sig")  # a BOM from Windows Notepad is fine
    except OSError as exc:
        raise CalendarError(f"无法读取节假日文件 {path}：{exc.strerror}",
                            f"cannot read holiday calendar file {path}: {exc.strerror}",
                            path) from exc
    except UnicodeDecodeError as exc:
        raise _bad(path, "不是 UTF-8 编码的文本", "not UTF-8 text") from exc
    return parse_year(text, path)


def _read_dir(directory: Path) -> dict[int, YearCalendar]:
    """Every `*.json` file of a directory, one per year."""
    if not directory.is_dir():
        raise CalendarError(f"找不到节假日目录：{directory}",
                            f"no such holiday calendar directory: {directory}", directory)
    years: dict[int, YearCalendar] = {}
    for path in sorted(directory.glob("*.json")):
        cal = read_year(path)
        if cal.year in years:
            raise _bad(path, f"与 {years[cal.year].path} 是同一年（{cal.year}），请只保留一个",
                       f"same year ({cal.year}) as {years[cal.year].path}; keep only one")
        years[cal.year] = cal
    return years


class Calendar:
    """Which days are working days, by the published arrangement of each year it has."""

    def __init__(self, years: Iterable[YearCalendar] = ()) -> None:
        self._years = {y.year: y for y in years}

    @classmethod
    def load(cls, extra_dirs: Iterable[Path] = (), *, bundled_dir: Path = BUNDLED_DIR
             ) -> Calendar:
        """The shipped calendars, then each of `extra_dirs` in turn, a later year replacing one before.

        Every directory named must exist (a venue's configured directory that is not there is a
        mistake to report, not to skip); each file in it is checked whole.
        """
        years = _read_dir(Path(bundled_dir))
        for directory in extra_dirs:
            years.update(_read_dir(Path(directory)))
        return cls(years.values())

    @property
    def years(self) -> tuple[int, ...]:
        """The years with a calendar, in order."""
        return tuple(sorted(self._years))

    def year(self, year: int) -> YearCalendar | None:
        """That year's arrangement (with its source, for a receipt's footnote), or None."""
        return self._years.get(year)

    def covers(self, d: dt.date) -> bool:
        """Whether `d`'s year has a calendar; without one, weekends are the only days off."""
        return d.year in self._years

    def provisional(self, year: int) -> bool:
        """Whether that year's calendar is a provisional one (False also for a year without one)."""
        cal = self._years.get(year)
        return cal is not None and cal.provisional

    def confirmed(self, start: dt.date, end: dt.date) -> bool:
        """Whether every year from `start` to `end` has a published (not provisional) calendar.

        A deadline computed over a span for which this is False is an estimate and should be
        shown as one.
        """
        return all(y in self._years and not self._years[y].provisional
                   for y in range(start.year, end.year + 1))

    def is_workday(self, d: dt.date) -> bool:
        """A weekday that is not a day off, or a weekend day worked (调休上班)."""
        cal = self._years.get(d.year)
        if cal is not None and d in cal.workdays:
            return True
        return d.weekday() < 5 and (cal is None or d not in cal.holidays)

    def add_workdays(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day after `start`; `start` itself is not counted (n = 0 gives `start`).

        As in the computing of time limits generally, the period begins the day after the event,
        so an application received on a holiday starts counting at the next working day.
        """
        if n < 0:
            raise ValueError(f"n must not be negative, got {n}")
        day = start
        while n:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                n -= 1
        return day


def due_date(received: dt.date, calendar: Calendar,
             working_days: int = REPLY_WORKING_DAYS) -> dt.date:
    """The last day for the agency's reply to an application received on `received`.

    The centre's own `due_date` is authoritative; this one is printed on the receipt before the
    centre has answered, and shown as an estimate where `calendar.confirmed(received, due)` is
    False.
    """
    return calendar.add_workdays(received, working_days)
