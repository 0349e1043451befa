"""Printing end to end through a private cupsd: what the citizen is told, what comes out of the
printer, what the log says and what is charged."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from index.model import parse_item
from printing import PrintError
from printing.desk import PrintDesk, new_visit
from printing.quota import PrintPolicy
from tests.conftest import make_item

from . import pdftools
from .test_render import slip

PRICED = PrintPolicy(price_fen=50, free_per_visit=2, max_per_visit=30, max_per_day=100)


def long_item(n: str = "DESK-2026-00001", paragraphs: int = 60):
    sentence = "根据《中华人民共和国政府信息公开条例》，行政机关应当及时、准确地公开政府信息。"
    body = "\n".join(f"第{i}段：" + sentence * 3 for i in range(paragraphs))
    return parse_item(make_item(n, title="打印测试文件", body=body,
                                source_url="https://xxgk.example.gov.cn/d/1.html"))


@pytest.fixture
def desk(tmp_path, cups, cups_queue):
    d = PrintDesk(tmp_path / "data", queue=cups_queue, server=cups.server, policy=PRICED,
                  venue="临澄市档案馆政府信息查阅中心", notice="本件为政府信息查阅场所打印件", give_up=4)
    yield d
    d.close()


def test_an_item_prints_as_previewed_and_is_charged_once_done(desk, cups, cups_queue):
    item = long_item()
    visit = new_visit()
    prepared = desk.prepare_item(item, copies=2)
    q = desk.quote(prepared, visit)
    assert q.allowed and q.pages == prepared.pages > 2 and q.total == 2 * q.pages
    assert q.cost_fen == (q.total - 2) * 50

    seen: list[str] = []
    outcome = desk.follow(desk.submit(prepared, visit), lambda s: seen.append(s.state))
    assert outcome.ok and outcome.record.state == "completed"
    assert outcome.record.cost_fen == q.cost_fen
    [job] = cups.wait_captured(cups_queue, 1)
    assert job.copies == 2
    assert pdftools.pages(job.path) == q.pages  # the preview told the truth
    assert all(f["emb"] == "yes" for f in pdftools.fonts(job.path))
    text = pdftools.text(job.path)
    assert item.id in text and "打印测试文件" in text and "中华人民共和国政府信息公开条例" in text
    flat = re.sub(r"\s", "", text)
    assert f"第1页/共{q.pages}页" in flat and "本件为政府信息查阅场所打印件" in text
    assert not list(desk.spool_dir.iterdir())  # CUPS has its copy; ours is gone
    assert desk.log.used(visit) == (q.total, q.total)


def test_a_page_range_of_an_item_prints_only_those_pages(desk, cups, cups_queue):
    prepared = desk.prepare_item(long_item(), pages="2")
    assert desk.follow(desk.submit(prepared, new_visit())).ok
    [job] = cups.wait_captured(cups_queue, 1)
    assert pdftools.pages(job.path) == 1
    assert f"第2页/共{prepared.rendered.total_pages}页" in re.sub(r"\s", "", pdftools.text(job.path))


def test_out_of_paper_is_reported_in_plain_words_and_nothing_is_charged(desk, cups, cups_queue):
    cups.set_fault(cups_queue, "media-empty")
    visit = new_visit()
    prepared = desk.prepare_item(long_item(paragraphs=3))
    told: list[str] = []
    outcome = desk.follow(desk.submit(prepared, visit),
                          lambda s: told.extend(p.zh for p in s.problems))
    assert not outcome.ok and outcome.record.state == "failed"
    assert "media-empty" in (outcome.record.reason or "")
    assert any("缺纸" in t for t in told)
    assert desk.log.used(visit) == (0, 0)  # the pages are given back
    assert desk.log.month(dt.date.today().strftime("%Y-%m"))["charged_fen"] == 0
    assert cups.captured(cups_queue) == []
    assert desk.spooler.job(outcome.record.cups_job).state in ("cancelled", "aborted")

    # staff add paper and restart the queue: the next job prints
    cups.set_fault(cups_queue, None)
    cups.enable(cups_queue)
    assert desk.follow(desk.submit(desk.prepare_item(long_item(paragraphs=3)), visit)).ok
    assert len(cups.wait_captured(cups_queue, 1)) == 1


def test_a_stopped_queue_is_reported_as_such(desk, cups, cups_queue):
    cups.disable(cups_queue, "toner change")
    queue = desk.spooler.queue(cups_queue)
    assert queue.state == "stopped" and not queue.ready
    outcome = desk.follow(desk.submit(desk.prepare_item(long_item(paragraphs=2)), new_visit()),
                          timeout=2)
    assert outcome.record.state == "failed"
    staff = " ".join(p.staff_en for p in outcome.job.problems)
    assert "cupsenable" in staff
    assert cups.captured(cups_queue) == []


def test_a_queue_rejecting_jobs_refuses_at_once_with_nothing_counted(desk, cups, cups_queue):
    cups.reject(cups_queue)
    visit = new_visit()
    with pytest.raises(PrintError) as exc:
        desk.submit(desk.prepare_item(long_item(paragraphs=2)), visit)
    assert exc.value.kind == "not-accepting"
    assert desk.log.recent(1)[0].state == "failed"
    assert desk.log.used(visit) == (0, 0)


def test_over_the_cap_nothing_is_sent(desk, cups, cups_queue):
    visit = new_visit()
    prepared = desk.prepare_item(long_item(paragraphs=200), copies=5)
    q = desk.quote(prepared, visit)
    assert not q.allowed and "每次最多打印 30 页" in q.refusal_zh
    with pytest.raises(PrintError) as exc:
        desk.submit(prepared, visit)
    assert exc.value.kind == "quota"
    assert desk.log.recent() == [] and cups.captured(cups_queue) == []


def test_a_citizen_can_cancel_a_job_waiting_behind_a_jam(desk, cups, cups_queue):
    cups.set_fault(cups_queue, "media-jam")
    log_id = desk.submit(desk.prepare_item(long_item(paragraphs=2)), new_visit())
    outcome = desk.follow(log_id, timeout=1.5)
    assert any("卡纸" in p.zh for p in outcome.job.problems)
    record = desk.cancel(log_id)
    assert record.state in ("cancelled", "failed")
    assert cups.captured(cups_queue) == []


def test_a_receipt_prints_and_the_log_keeps_nothing_personal(desk, cups, cups_queue, tmp_path):
    receipt = slip()
    outcome = desk.follow(desk.submit(desk.prepare_receipt(receipt, "80mm"), new_visit()))
    assert outcome.ok and outcome.record.kind == "receipt" and outcome.record.cost_fen == 0
    [job] = cups.wait_captured(cups_queue, 1)
    assert "482913" in re.sub(r"\s", "", pdftools.text(job.path))
    raw = b"".join(p.read_bytes() for p in (tmp_path / "data").glob("prints.sqlite*"))
    for secret in (receipt.receipt_no, receipt.query_code, "张", receipt.id_masked):
        assert secret.encode() not in raw
