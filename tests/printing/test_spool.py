"""The spooler against a real, private cupsd (printing.capturecups): jobs reach the printer byte
for byte, and printer trouble comes back as problems people can read."""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Callable

import pytest

from printing import PrintError
from printing.capturecups import CaptureCups
from printing.spool import JobState, Spooler, describe, job_name


@pytest.fixture(scope="module")
def pdf(tmp_path_factory):
    from reportlab.pdfgen import canvas

    path = tmp_path_factory.mktemp("pdf") / "notice.pdf"
    c = canvas.Canvas(str(path))
    c.drawString(72, 720, "Disclosure kiosk test page")
    c.showPage()
    c.save()
    return path


@pytest.fixture
def spooler(cups):
    return Spooler(cups.server)


def eventually(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


def test_a_job_is_printed_byte_for_byte(cups, cups_queue, spooler, pdf):
    seen: list[JobState] = []
    job_id = spooler.submit(cups_queue, pdf, "关于公开 2024 年预算的通知", copies=2)
    final = spooler.follow(job_id, on_change=seen.append, timeout=20, poll=0.05)

    assert final.ok and final.done and final.state == "completed"
    assert final.queue == cups_queue and final.problems == ()
    assert seen and seen[-1] == final
    [capture] = cups.wait_captured(cups_queue, 1)
    assert capture.job_id == job_id
    assert capture.path.read_bytes() == pdf.read_bytes()
    assert capture.copies == 2
    assert capture.title == "关于公开 2024 年预算的通知"
    assert capture.user == "kiosk"
    assert [j.job_id for j in spooler.jobs(cups_queue)] == [job_id]
    assert spooler.jobs(cups_queue, which="not-completed") == []


def test_a_working_queue_is_listed_idle_and_ready(cups, cups_queue, spooler):
    [state] = [q for q in spooler.queues() if q.name == cups_queue]
    assert state == spooler.queue(cups_queue)
    assert (state.state, state.accepting, state.problems, state.ready) == ("idle", True, (), True)
    assert state.device == f"capture:/{cups_queue}"

    default = cups_queue + "-default"
    cups.add_queue(default, default=True)
    try:
        assert spooler.default_queue() == default
        assert spooler.queue(default).is_default and not spooler.queue(cups_queue).is_default
    finally:
        cups.remove_queue(default)


def test_an_empty_tray_stops_the_queue_and_says_so(cups, cups_queue, spooler, pdf):
    cups.set_fault(cups_queue, "media-empty")
    job_id = spooler.submit(cups_queue, pdf, "缺纸测试")
    eventually(lambda: spooler.queue(cups_queue).state == "stopped")

    seen: list[JobState] = []
    stuck = spooler.follow(job_id, on_change=seen.append, timeout=0.3, poll=0.05)
    assert not stuck.done and stuck.state == "pending"
    assert stuck.printer is not None and stuck.printer.state == "stopped" and not stuck.printer.ready
    first = stuck.problems[0]
    assert (first.reason, first.severity) == ("media-empty", "error")
    assert "缺纸" in first.zh and "paper" in first.en
    assert "paused" in {p.reason for p in stuck.problems}  # and the stopped queue, after it
    assert any(p.reason == "media-empty" for s in seen for p in s.problems)

    spooler.cancel(job_id)
    assert spooler.job(job_id).state == "cancelled"
    spooler.cancel(job_id)  # cancelling a finished job is harmless
    assert cups.captured(cups_queue) == []

    cups.set_fault(cups_queue, None)
    cups.enable(cups_queue)
    job_id = spooler.submit(cups_queue, pdf, "加纸以后")
    assert spooler.follow(job_id, timeout=20, poll=0.05).ok
    assert [c.job_id for c in cups.wait_captured(cups_queue, 1)] == [job_id]
    assert spooler.queue(cups_queue).ready  # the backend cleared media-empty-error on success


def test_a_disabled_queue_is_stopped_and_holds_jobs(cups, cups_queue, spooler, pdf):
    cups.disable(cups_queue, "换墨粉")
    state = spooler.queue(cups_queue)
    assert state.state == "stopped" and state.accepting and not state.ready
    assert state.message == "换墨粉"
    [stopped] = state.problems
    assert stopped.reason == "paused" and "打印队列已停止" in stopped.zh
    assert f"cupsenable {cups_queue}" in stopped.staff_en

    job_id = spooler.submit(cups_queue, pdf, "等待中")
    waiting = spooler.follow(job_id, timeout=0.2, poll=0.05)
    assert waiting.state == "pending" and waiting.problems == (stopped,)
    cups.enable(cups_queue)
    assert spooler.follow(job_id, timeout=20, poll=0.05).ok


def test_a_rejecting_queue_refuses_jobs(cups, cups_queue, spooler, pdf):
    cups.reject(cups_queue)
    state = spooler.queue(cups_queue)
    assert not state.accepting and not state.ready
    assert [p.reason for p in state.problems] == ["not-accepting"]
    assert "暂停接收任务" in state.problems[0].zh
    assert f"cupsaccept {cups_queue}" in state.problems[0].staff_en
    with pytest.raises(PrintError) as err:
        spooler.submit(cups_queue, pdf, "被拒绝")
    assert err.value.kind == "not-accepting"
    assert cups.captured(cups_queue) == []


def test_unknown_queues_and_jobs(cups, spooler, pdf):
    for attempt in (lambda: spooler.queue("no-such-queue"),
                    lambda: spooler.submit("no-such-queue", pdf, "x")):
        with pytest.raises(PrintError) as err:
            attempt()
        assert err.value.kind == "no-queue" and "no-such-queue" in err.value.en
    with pytest.raises(PrintError) as err:
        spooler.job(987654)
    assert err.value.kind == "no-job"


def test_a_stopped_cupsd_is_unreachable(tmp_path, pdf):
    with CaptureCups(tmp_path / "gone") as server:
        address = server.server
    spooler = Spooler(address)
    for attempt in (spooler.queues, lambda: spooler.submit("kiosk", pdf, "x"), lambda: spooler.job(1)):
        with pytest.raises(PrintError) as err:
            attempt()
        assert err.value.kind == "unreachable"
        assert address in err.value.zh and address in err.value.en


def test_bad_submissions_are_refused_before_cups(spooler, pdf, tmp_path):
    with pytest.raises(PrintError) as err:
        spooler.submit("any", tmp_path / "missing.pdf", "x")
    assert err.value.kind == "document"
    for copies in (0, -1, 100):
        with pytest.raises(PrintError):
            spooler.submit("any", pdf, "x", copies=copies)


HOSTILE = ("<script>alert('x')</script>\x00\x07\x1b[31m\u202e\ufeff<b>政府信息公开</b>\r\n\t"
           + "申请表（第1页）&amp;" * 1000)[:10_000]


def test_a_hostile_title_is_printed_under_a_safe_name(cups, cups_queue, spooler, pdf):
    assert len(HOSTILE) == 10_000
    job_id = spooler.submit(cups_queue, pdf, HOSTILE)
    assert spooler.follow(job_id, timeout=20, poll=0.05).ok
    [capture] = cups.wait_captured(cups_queue, 1)
    assert capture.title == job_name(HOSTILE)
    assert capture.title.startswith("alert('x') 政府信息公开 申请表（第1页）")


def test_job_names_are_clean_and_at_most_255_bytes():
    name = job_name(HOSTILE)
    assert len(name.encode("utf-8")) <= 255 and name.endswith("…")
    assert not any(unicodedata.category(c)[0] == "C" for c in name)
    assert "<" not in name and ">" not in name
    assert job_name("政" * 200).encode("utf-8").decode("utf-8") == "政" * 84 + "…"
    assert job_name("a" * 255) == "a" * 255
    assert job_name(" \x00\n ") == "kiosk"


def test_printer_state_reasons_read_as_people_would():
    paper = describe("media-needed-error", "kiosk")
    assert paper is not None and paper.reason == "media-needed" and paper.severity == "error"
    assert "缺纸" in paper.zh
    jam = describe("media-jam-error", "kiosk")
    assert jam is not None and "卡纸" in jam.zh
    for keyword in ("offline-report", "connecting-to-device", "timed-out-error"):
        problem = describe(keyword, "kiosk")
        assert problem is not None and "未连接" in problem.zh
    assert describe("offline-report", "kiosk").severity == "report"  # type: ignore[union-attr]
    toner = describe("toner-empty-error", "kiosk")
    assert toner is not None and "墨粉" in toner.zh and toner.severity == "error"
    low = describe("marker-supply-low-error", "kiosk")
    assert low is not None and low.severity == "warning"  # low toner never stops the kiosk
    door = describe("cover-open-error", "kiosk")
    assert door is not None and "盖板" in door.zh
    odd = describe("com.example-frobnicator-stuck-error", "kiosk")
    assert odd is not None and odd.severity == "error"
    assert "com.example-frobnicator-stuck-error" in odd.staff_en and "frobnicator" not in odd.zh
    assert describe("none", "kiosk") is None
