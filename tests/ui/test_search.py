"""Searching by touch: tap the search entry, type, read the results — in the real window."""

from __future__ import annotations

import pytest

from kiosk.remote import MARKUP
from tests.conftest import make_item, write_jsonl
from tests.ui.driver import Kiosk, on_sample


@pytest.fixture
def kiosk(display, sample_catalogue, tmp_path):
    k = on_sample(display, sample_catalogue, tmp_path)
    yield k
    k.stop()


def result_titles(kiosk: Kiosk) -> list[str]:
    """The titles of the result rows on screen, as shown (without the highlight markup)."""
    return [MARKUP.sub("", w["text"]) for w in kiosk.widgets("search") if w["type"] == "ResultRow"]


def test_pinyin_typed_on_a_keyboard_finds_chinese_documents(kiosk):
    kiosk.tap(id="search")
    kiosk.wait(lambda: kiosk.screen() == "search", "the search screen")
    kiosk.type("zhengfu xinxi gongkai")
    kiosk.wait(lambda: kiosk.find(text="找到"), "results")
    titles = kiosk.wait(lambda: result_titles(kiosk), "result titles")
    assert any("政府信息公开" in t for t in titles)
    assert kiosk.find(id="box")["text"] == "zhengfu xinxi gongkai"

    kiosk.tap(id="clear")
    kiosk.wait(lambda: kiosk.find(text="请输入要查找的内容"), "the cleared box")
    kiosk.type("meiyouzhegeci")
    kiosk.wait(lambda: kiosk.find(text="没有找到相关信息"), "the empty state")
    assert kiosk.find(text="申请公开")  # the empty state points to applying

    kiosk.tap(id="home")
    kiosk.wait(lambda: kiosk.screen() == "home", "home")
    kiosk.tap(id="search")
    kiosk.wait(lambda: kiosk.screen() == "search", "the search screen again")
    assert kiosk.find(id="box")["text"] == ""  # going home wiped the search

    kiosk.type("meiyouzhegeci")  # nothing found: the empty state leads to the wizard
    kiosk.wait(lambda: kiosk.find(text="没有找到相关信息"), "the empty state again")
    kiosk.hide_keyboard()
    kiosk.tap(id="apply_instead")
    kiosk.wait(lambda: kiosk.screen() == "apply", "the application wizard")
    assert kiosk.find(id="step", text="第 1 步")


def test_markup_in_a_title_is_shown_literally(display, tmp_path):
    from index import Catalogue

    data = tmp_path / "data"
    with Catalogue(data) as cat:
        cat.import_path(write_jsonl(tmp_path / "x.jsonl", [
            make_item(1, title="[b]加粗[/b] [color=ff0000]红字[/color] 标记测试", body="标记测试正文")]))
    k = Kiosk(data, display, tmp_path)
    try:
        k.tap(id="search")
        k.wait(lambda: k.screen() == "search", "the search screen")
        k.type("biaoji")
        shown = k.wait(lambda: [w["text"] for w in k.widgets("search") if "加粗" in w["text"]], "the hit")
        # escaped for Kivy: the brackets are drawn, not interpreted
        assert "&bl;b&br;加粗&bl;/b&br;" in shown[0] and "&bl;color=ff0000&br;" in shown[0]
    finally:
        k.stop()
