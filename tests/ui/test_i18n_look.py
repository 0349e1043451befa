"""The switches on the home screen, by touch: English, high contrast, large text — and the idle
wipe that puts the kiosk back to Chinese and the normal look for the next person."""

from __future__ import annotations

import pytest
from PIL import Image

from kiosk.config import Config
from kiosk.ui.palette import HIGH_CONTRAST, NORMAL
from tests.ui.driver import Kiosk, on_sample


@pytest.fixture
def kiosk(display, sample_catalogue, tmp_path):
    k = on_sample(display, sample_catalogue, tmp_path)
    yield k
    k.stop()


def text_of(kiosk: Kiosk, id: str) -> str:
    return kiosk.find(id=id)["text"]


def paper_colour(kiosk: Kiosk, tmp_path, name: str) -> tuple[int, int, int]:
    """The colour of the screen's background, photographed just left of the home summary line
    (inside the row's margin, where nothing but paper is drawn)."""
    x, y, _w, h = kiosk.find(id="summary")["rect"]
    shot = kiosk.screenshot(tmp_path / f"{name}.png")
    with Image.open(shot) as image:
        return image.convert("RGB").getpixel((x - 12, y + h // 2))


def rgb(role: str, palette: dict) -> tuple[int, int, int]:
    return tuple(round(v * 255) for v in palette[role][:3])


def close(a, b, tolerance: int = 6) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


def test_english_turns_home_and_search_into_english_and_back(kiosk, sample_catalogue):
    total = sample_catalogue.search("").total
    assert text_of(kiosk, "title") == "政府信息公开查阅"
    kiosk.tap(id="en")
    kiosk.wait(lambda: text_of(kiosk, "title") == "Government Information", "the English title")
    assert text_of(kiosk, "summary").startswith(f"{total} items in the catalogue")
    assert text_of(kiosk, "apply") == "Apply for information"
    assert text_of(kiosk, "contrast") == "High contrast"
    assert text_of(kiosk, "venue") == Config.venue_name  # the venue's own name: never translated
    assert kiosk.find(text="31 items")  # a section tile: the name is data, the count is ours
    assert kiosk.find(text="统计信息")

    kiosk.tap(id="search")
    kiosk.wait(lambda: kiosk.screen() == "search", "the search screen")
    assert text_of(kiosk, "home") == "Home" and text_of(kiosk, "clear") == "Clear"
    assert text_of(kiosk, "lang") == "中文"
    kiosk.type("tongji gongbao")
    found = kiosk.wait(lambda: kiosk.find(text=" results"), "results, said in English")
    n = sample_catalogue.search("tongji gongbao").total
    assert found["text"] == f"{n} results"
    assert kiosk.find(text="Year", exact=True)  # the facets' names too

    kiosk.tap(id="lang")  # back to Chinese from the search screen's own header
    kiosk.wait(lambda: kiosk.find(text=f"找到 {n} 条相关信息"), "the summary in Chinese")
    assert text_of(kiosk, "home") == "返回首页" and text_of(kiosk, "lang") == "English"
    assert kiosk.find(text="年份", exact=True)
    kiosk.tap(id="home")
    kiosk.wait(lambda: kiosk.screen() == "home", "home")
    assert text_of(kiosk, "title") == "政府信息公开查阅"


def test_high_contrast_turns_the_paper_black_and_back(kiosk, tmp_path):
    assert close(paper_colour(kiosk, tmp_path, "normal"), rgb("paper", NORMAL))
    kiosk.tap(id="contrast")
    kiosk.wait(lambda: close(paper_colour(kiosk, tmp_path, "high"), rgb("paper", HIGH_CONTRAST)),
               "a black background")
    assert text_of(kiosk, "contrast").startswith("✓")  # "on" is said, not only coloured
    kiosk.tap(id="contrast")
    kiosk.wait(lambda: close(paper_colour(kiosk, tmp_path, "again"), rgb("paper", NORMAL)),
               "the normal background again")
    assert not text_of(kiosk, "contrast").startswith("✓")


def search_screen_home_button(kiosk: Kiosk) -> list[int]:
    kiosk.tap(id="search")
    kiosk.wait(lambda: kiosk.screen() == "search", "the search screen")
    rect = kiosk.find(id="home")["rect"]
    kiosk.tap(id="home")
    kiosk.wait(lambda: kiosk.screen() == "home", "home")
    return rect


def test_large_text_makes_the_words_bigger_on_every_screen(kiosk):
    # buttons fit their words (bigger words, wider buttons); the header bar grows with its title
    toggle, title = kiosk.find(id="contrast")["rect"], kiosk.find(id="title")["rect"]
    back = search_screen_home_button(kiosk)
    kiosk.tap(id="large")
    kiosk.wait(lambda: kiosk.find(id="contrast")["rect"][2] > 1.15 * toggle[2], "wider buttons")
    assert kiosk.find(id="title")["rect"][3] > 1.2 * title[3]
    assert search_screen_home_button(kiosk)[2] > 1.15 * back[2]  # and on the search screen
    kiosk.tap(id="large")
    kiosk.wait(lambda: kiosk.find(id="contrast")["rect"] == toggle, "the normal size again")


def test_the_idle_wipe_returns_to_chinese_and_the_normal_look(display, sample_catalogue,
                                                            tmp_path):
    kiosk = on_sample(display, sample_catalogue, tmp_path, "[kiosk]\nidle_seconds = 5\n")
    try:
        normal = kiosk.find(id="contrast")["rect"]
        kiosk.tap(id="en")
        kiosk.wait(lambda: text_of(kiosk, "title") == "Government Information", "English")
        kiosk.tap(id="contrast")
        kiosk.wait(lambda: text_of(kiosk, "contrast").startswith("✓"), "high contrast")
        kiosk.tap(id="large")
        kiosk.wait(lambda: text_of(kiosk, "large").startswith("✓"), "large text")
        # a home screen left in English is not "as new": the countdown runs, in English
        kiosk.wait(lambda: kiosk.find(text="Are you still there?"), "the question", 30)
        kiosk.wait(lambda: text_of(kiosk, "title") == "政府信息公开查阅", "the wipe", 40)
        assert "idle: wiped" in kiosk.log.read_text()
        assert text_of(kiosk, "contrast") == "高对比度" and text_of(kiosk, "large") == "大字"
        assert close(paper_colour(kiosk, tmp_path, "wiped"), rgb("paper", NORMAL))
        kiosk.wait(lambda: kiosk.find(id="contrast")["rect"] == normal, "the normal size")
    finally:
        kiosk.stop()
