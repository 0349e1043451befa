"""Search → read → print, by touch, in the real window; the job reaches a private cupsd."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from tests.printing import pdftools
from tests.ui.driver import Kiosk

STATS_TITLE = "2024年临澄市国民经济和社会发展统计公报"
ARCHIVE_ID = "1133130047125893X0-640-2023-0006"


@pytest.fixture
def kiosk(display, sample_catalogue, cups, cups_queue, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(sample_catalogue.data_dir, data)
    config = tmp_path / "kiosk.toml"
    config.write_text('[venue]\nname = "临澄市档案馆政府信息查阅中心"\n[printing]\n'
                      f'queue = {json.dumps(cups_queue)}\ncups_server = {json.dumps(cups.server)}\n'
                      'price_per_page = 0.5\nfree_pages_per_visit = 2\n', encoding="utf-8")
    k = Kiosk(data, display, tmp_path, "--config", str(config))
    yield k
    k.stop()


def stats_2024(kiosk: Kiosk) -> dict | None:
    """The result row title of the 2024 statistical communiqué, as shown (with highlights)."""
    for w in kiosk.widgets("search"):
        plain = re.sub(r"\[/?[^\]]*\]", "", w["text"])
        if plain == STATS_TITLE:
            return w
    return None


def tap_stepper(kiosk: Kiosk, stepper: str, sign: str) -> None:
    """Tap the ＋ or － of one stepper row (each row has its own pair)."""
    _, top, _, height = kiosk.find(id=stepper)["rect"]
    button = next(w for w in kiosk.widgets("print")
                  if w["text"] == sign and top <= w["rect"][1] + w["rect"][3] // 2 <= top + height)
    kiosk.tap_rect(button["rect"])


def search(kiosk: Kiosk, typed: str) -> None:
    kiosk.tap(id="search")
    kiosk.wait(lambda: kiosk.screen() == "search", "the search screen")
    kiosk.type(typed)
    kiosk.wait(lambda: kiosk.find(text="找到"), "results")


def test_read_an_item_and_print_it_as_previewed(kiosk, cups, cups_queue):
    search(kiosk, "tongji gongbao 2024")
    kiosk.tap(text=kiosk.wait(lambda: stats_2024(kiosk), "the hit")["text"])
    kiosk.wait(lambda: kiosk.screen() == "reader", "the reader")
    assert kiosk.find(id="title")["text"] == STATS_TITLE
    assert "索引号：11331900MB1847263D-2025-000016" in kiosk.find(id="meta")["text"]

    kiosk.tap(id="bigger")  # larger type for a reader with poor eyesight
    kiosk.tap(id="print")
    kiosk.wait(lambda: kiosk.screen() == "print", "the print preview")
    summary = kiosk.wait(lambda: kiosk.find(id="summary", text="共 4 页"), "the preview")
    assert "费用：¥1.00" in summary["text"]  # 4 pages, 2 free, ¥0.50 a page
    tap_stepper(kiosk, "first", "＋")  # start from page 2
    kiosk.wait(lambda: kiosk.find(id="summary", text="共 3 页"), "the new range")
    kiosk.tap(id="go")
    kiosk.wait(lambda: kiosk.find(id="summary", text="打印完成"), "the job to complete", 60)
    [job] = cups.wait_captured(cups_queue, 1)
    assert pdftools.pages(job.path) == 3
    assert "第2页/共4页" in re.sub(r"\s", "", pdftools.text(job.path, page=1))


def test_an_attachment_is_read_page_by_page_and_printed(kiosk, cups, cups_queue):
    search(kiosk, ARCHIVE_ID)
    kiosk.tap(text="开放档案目录")
    kiosk.wait(lambda: kiosk.screen() == "reader", "the reader")
    kiosk.tap(text="附件：")
    kiosk.wait(lambda: kiosk.find(id="where", text="第 1 页 / 共 3 页"), "the first page")
    kiosk.tap(id="next")
    kiosk.wait(lambda: kiosk.find(id="where", text="第 2 页 / 共 3 页"), "the second page")
    kiosk.tap(id="print")
    kiosk.wait(lambda: kiosk.find(id="summary", text="共 3 页"), "the preview")
    kiosk.tap(id="go")
    kiosk.wait(lambda: kiosk.find(id="summary", text="打印完成"), "the job to complete", 60)
    [job] = cups.wait_captured(cups_queue, 1)
    assert pdftools.pages(job.path) == 3


def test_out_of_paper_is_shown_in_plain_words_and_can_be_cancelled(kiosk, cups, cups_queue):
    cups.set_fault(cups_queue, "media-empty")
    search(kiosk, "tongji gongbao 2024")
    kiosk.tap(text=kiosk.wait(lambda: stats_2024(kiosk), "the hit")["text"])
    kiosk.wait(lambda: kiosk.screen() == "reader", "the reader")
    kiosk.tap(id="print")
    kiosk.wait(lambda: kiosk.find(id="summary", text="共 4 页"), "the preview")
    kiosk.tap(id="go")
    kiosk.wait(lambda: kiosk.find(id="message", text="缺纸"), "the printer problem", 30)
    kiosk.tap(id="back")  # now "取消打印"
    kiosk.wait(lambda: kiosk.find(id="message", text="不收费"), "the cancelled job", 30)
    assert cups.captured(cups_queue) == []
