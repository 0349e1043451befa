"""Usage figures: counted without personal data, and reported by month for the annual report."""

from __future__ import annotations

import csv
import datetime as dt
import json
import subprocess
import sys

from kiosk.usage import Usage, mask
from tests.conftest import SAMPLE_BUNDLE
from tests.kiosk.test_applications_cli import admin, form

NOV = dt.date(2026, 11, 3)
DEC = dt.date(2026, 12, 1)


def test_long_digit_runs_and_addresses_are_masked():
    assert mask("11010519491231002X 的低保") == "＊＊＊ 的低保"
    assert mask("电话１３８００１３８０００") == "电话＊＊＊"
    assert mask("zhangsan@example.com 申请") == "＊＊＊ 申请"
    assert mask("2024年 统计公报") == "2024年 统计公报"  # a year is not a secret
    assert len(mask("长" * 500)) == 100


def test_only_fruitless_searches_keep_their_text(tmp_path):
    usage = Usage(tmp_path / "usage.sqlite")
    usage.visit(NOV)
    usage.search("老旧小区改造", 12, NOV)
    usage.search("我的身份证 11010519491231002X", 0, NOV)
    usage.search("   ", 0, NOV)  # an empty box is not a search
    usage.item_read("A-1", NOV)
    usage.item_read("A-1", NOV)
    usage.item_read("B-2", NOV)
    usage.visit(DEC)
    nov = usage.month("2026-11")
    assert (nov["visits"], nov["searches"], nov["zero_result_searches"], nov["items_read"]) == (1, 2, 1, 3)
    assert nov["zero_result_queries"] == [{"query": "我的身份证 ＊＊＊", "count": 1}]
    assert nov["most_read"][0] == {"id": "A-1", "count": 2}
    assert usage.month("2026-12")["visits"] == 1
    usage.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("usage.sqlite*"))
    assert b"11010519491231002" not in raw and "老旧小区".encode() not in raw


def test_report_joins_usage_prints_and_applications(tmp_path):
    config = tmp_path / "kiosk.toml"
    config.write_text("", encoding="utf-8")
    data = tmp_path / "data"
    assert admin(config, data, "import", str(SAMPLE_BUNDLE)).returncode == 0
    assert admin(config, data, "apply", "--from-json", str(form(tmp_path))).returncode == 0
    month = dt.date.today().strftime("%Y-%m")
    usage = Usage(data / "usage.sqlite")
    usage.visit()
    usage.search("不存在的东西", 0)
    usage.item_read("11331900MB1847263D-2025-000016")
    usage.close()

    r = admin(config, data, "report", "--month", month, "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["visits"] == 1 and out["applications"] == 1 and out["applications_by_staff"] == 1
    assert out["zero_result_searches"] == 1 and out["pages_printed"] == 0

    csv_path = tmp_path / "report.csv"
    text = admin(config, data, "report", "--month", month, "--csv", str(csv_path))
    assert "统计公报" in text.stdout  # most read, by title
    rows = list(csv.reader(csv_path.open(encoding="utf-8-sig")))
    assert ["来访人次 visits", "1"] in rows
    bad = admin(config, data, "report", "--month", "2026-13")
    assert bad.returncode == 1 and "YYYY-MM" in bad.stderr


def test_every_event_recorded_before_close_is_on_disk_after_it(tmp_path):
    usage = Usage(tmp_path / "usage.sqlite")
    for n in range(500):  # a burst, as fast as the screen can record: all queued, none waits
        usage.item_read(f"A-{n % 7}", NOV)
        usage.search("不存在的东西", 0, NOV)
    usage.visit(NOV)
    usage.close()
    usage.visit(NOV)  # a straggler after close is written all the same
    again = Usage(tmp_path / "usage.sqlite")
    nov = again.month("2026-11")
    again.close()
    assert (nov["items_read"], nov["searches"], nov["zero_result_searches"], nov["visits"]) == (
        500, 500, 500, 2)


def test_events_survive_a_process_that_exits_without_closing(tmp_path):
    script = (
        "import datetime as dt, sys\n"
        "from kiosk.usage import Usage\n"
        "u = Usage(__import__('pathlib').Path(sys.argv[1]))\n"
        "for _ in range(50):\n"
        "    u.visit(dt.date(2026, 11, 3))\n"
    )
    subprocess.run([sys.executable, "-c", script, str(tmp_path / "usage.sqlite")], check=True,
                   timeout=60)
    usage = Usage(tmp_path / "usage.sqlite")
    assert usage.month("2026-11")["visits"] == 50
    usage.close()
