"""Prices and caps, and the print log they are computed from."""

from __future__ import annotations

import threading

import pytest

from printing import PrintError
from printing.printlog import PrintLog
from printing.quota import PrintPolicy, quote, yuan

VENUE = PrintPolicy(price_fen=20, free_per_visit=10, max_per_visit=50, max_per_day=100)


def test_free_by_default():
    q = quote(PrintPolicy(), 12, 2, visit_used=0, day_used=0)
    assert q.allowed and q.total == 24 and q.cost_fen == 0 and q.cost_text == "免费"


def test_free_pages_then_the_price_per_page_with_copies_counting():
    q = quote(VENUE, 4, 3, visit_used=0, day_used=0)  # 12 pages, 10 free
    assert (q.billable, q.cost_fen, q.cost_text) == (2, 40, "¥0.40")
    later = quote(VENUE, 4, 1, visit_used=12, day_used=12)  # free pages used up
    assert (later.billable, later.cost_text) == (4, "¥0.80")


def test_over_the_visit_cap_is_refused_saying_what_is_left():
    q = quote(VENUE, 20, 1, visit_used=40, day_used=40)
    assert not q.allowed and q.visit_left == 10
    assert "还可打印 10 页" in q.refusal_zh and "10 left" in q.refusal_en


def test_over_the_day_cap_is_refused_even_for_a_new_visit():
    q = quote(VENUE, 5, 1, visit_used=0, day_used=98)
    assert not q.allowed and "今日还可打印 2 页" in q.refusal_zh


def test_zero_means_no_cap():
    q = quote(PrintPolicy(max_per_visit=0, max_per_day=0), 5000, 1, visit_used=10**6, day_used=10**6)
    assert q.allowed and q.visit_left is None and q.day_left is None


def test_yuan():
    assert yuan(0) == "免费" and yuan(5) == "¥0.05" and yuan(1230) == "¥12.30"


def add(log: PrintLog, visit: str, pages: int, copies: int = 1, kind: str = "item") -> int:
    def price(visit_used: int, day_used: int) -> int:
        q = quote(VENUE, pages, copies, visit_used=visit_used, day_used=day_used)
        if not q.allowed:
            raise PrintError(q.refusal_zh or "", q.refusal_en or "", kind="quota")
        return q.cost_fen

    return log.add(visit=visit, kind=kind, item_id="X-1", attachment=None, page_spec=None,
                   pages=pages, copies=copies, queue="q", price=price)


def test_failed_and_cancelled_jobs_give_their_pages_back(tmp_path):
    log = PrintLog(tmp_path / "prints.sqlite")
    a = add(log, "v1", 20)
    b = add(log, "v1", 20)
    assert log.used("v1") == (40, 40)
    log.set_state(a, "failed", "media-empty")
    log.set_state(b, "cancelled")
    assert log.used("v1") == (0, 0)
    c = add(log, "v1", 30)
    log.set_state(c, "completed")
    log.set_state(c, "failed")  # a finished job's outcome does not change afterwards
    assert log.get(c).state == "completed" and log.used("v1") == (30, 30)
    assert log.get(c).cost_fen == (30 - 10) * 20


def test_receipts_are_not_counted_and_not_charged(tmp_path):
    log = PrintLog(tmp_path / "prints.sqlite")
    add(log, "v1", 1, kind="receipt")
    assert log.used("v1") == (0, 0)


def test_two_prints_racing_for_the_last_pages_cannot_both_pass(tmp_path):
    path = tmp_path / "prints.sqlite"
    PrintLog(path).close()
    add(PrintLog(path), "v1", 40)
    results: list[str] = []

    def racer() -> None:
        log = PrintLog(path)
        try:
            add(log, "v1", 10)
            results.append("ok")
        except PrintError:
            results.append("refused")

    threads = [threading.Thread(target=racer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok", "refused", "refused", "refused"]
    assert PrintLog(path).used("v1")[0] == 50


def test_month_figures(tmp_path):
    log = PrintLog(tmp_path / "prints.sqlite")
    ok = add(log, "v1", 12)
    log.set_state(ok, "completed")
    bad = add(log, "v2", 3)
    log.set_state(bad, "failed", "media-jam")
    receipt = add(log, "v3", 1, kind="receipt")
    log.set_state(receipt, "completed")
    month = log.get(ok).created_at[:7]
    figures = log.month(month)
    assert figures == {"jobs": 3, "pages_printed": 12, "receipts": 1, "failed_jobs": 1,
                       "charged_fen": 40}
    assert log.month("1999-01")["jobs"] == 0


@pytest.mark.parametrize("spec,total,expected", [
    (None, 3, [1, 2, 3]), ("2", 3, [2]), ("1-2", 5, [1, 2]), ("4-", 5, [4, 5]), ("-2", 5, [1, 2]),
    ("1,3，5", 5, [1, 3, 5]), ("2-3,3-4", 5, [2, 3, 4]), ("1至3", 5, [1, 2, 3]),
])
def test_page_ranges(spec, total, expected):
    from printing.pages import parse_pages

    assert parse_pages(spec, total) == expected


@pytest.mark.parametrize("spec", ["0", "6", "3-2", "a", "1-2-3", "-", ","])
def test_bad_page_ranges_say_how_many_pages_there_are(spec):
    from printing.pages import parse_pages

    with pytest.raises(PrintError) as exc:
        parse_pages(spec, 5)
    assert "共 5 页" in exc.value.zh
