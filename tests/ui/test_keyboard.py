"""The on-screen keyboard: pinyin typed by touch becomes Chinese in the focused box."""

from __future__ import annotations

import shutil

import pytest

from tests.ui.driver import Kiosk


@pytest.fixture
def kiosk(display, sample_catalogue, tmp_path_factory, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(sample_catalogue.data_dir, data)
    k = Kiosk(data, display, tmp_path)
    yield k
    k.stop()


def test_pinyin_by_touch_writes_chinese_and_searches(kiosk):
    kiosk.tap(id="search")
    kiosk.wait(lambda: kiosk.screen() == "search", "the search screen")
    kiosk.wait(lambda: [w for w in kiosk.widgets() if w["type"] == "Key"], "the keyboard")
    # the dictionary may still be loading (or being built the first time) in the background
    kiosk.wait(lambda: not kiosk.find(id="composing")["text"].startswith("拼音输入法准备中"),
               "the pinyin dictionary", 120)
    kiosk.keys("zhengfu")
    assert kiosk.wait(lambda: kiosk.find(id="composing", text="zheng'fu"), "composing")
    kiosk.tap(text="政府", exact=True)
    kiosk.wait(lambda: kiosk.find(id="box")["text"] == "政府", "政府 in the box")
    kiosk.wait(lambda: kiosk.find(text="找到"), "results for 政府")

    kiosk.keys("xinx")  # an unfinished syllable still offers the word
    kiosk.wait(lambda: kiosk.find(text="信息", exact=True), "信息 among the candidates")
    kiosk.tap(text="信息", exact=True)
    kiosk.wait(lambda: kiosk.find(id="box")["text"] == "政府信息", "政府信息 in the box")

    kiosk.tap(text="中/英")
    kiosk.keys("ab1")
    kiosk.wait(lambda: kiosk.find(id="box")["text"] == "政府信息ab1", "Latin letters and digits")
    kiosk.tap(text="删除", exact=True)
    kiosk.wait(lambda: kiosk.find(id="box")["text"] == "政府信息ab", "backspace")
    kiosk.tap(text="收起")
    kiosk.wait(lambda: not [w for w in kiosk.widgets() if w["type"] == "Key"], "the keyboard to hide")
