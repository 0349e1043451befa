"""Browsing by touch: a section tile lists that section newest first, and chips narrow results
by year (with their counts) together with typed words; ✕ takes a filter away again."""

from __future__ import annotations

import re

import pytest

from kiosk.remote import MARKUP
from tests.ui.driver import Kiosk, on_sample

SECTION = "统计信息"
DATE = re.compile(r" · (\d{4}-\d\d-\d\d) · ")


@pytest.fixture
def kiosk(display, sample_catalogue, tmp_path):
    k = on_sample(display, sample_catalogue, tmp_path)
    yield k
    k.stop()


def shown_dates(kiosk: Kiosk) -> list[str]:
    """Publication dates of the result rows on screen, top to bottom (from their meta lines)."""
    rows = [w for w in kiosk.widgets("search") if w["type"] == "Label" and DATE.search(w["text"])]
    rows.sort(key=lambda w: w["rect"][1])
    return [DATE.search(w["text"]).group(1) for w in rows]


def shown_titles(kiosk: Kiosk) -> list[str]:
    rows = [w for w in kiosk.widgets("search") if w["type"] == "ResultRow"]
    rows.sort(key=lambda w: w["rect"][1])
    return [MARKUP.sub("", w["text"]) for w in rows]


def chips(kiosk: Kiosk, kind: str) -> list[str]:
    return [w["text"] for w in kiosk.widgets("search") if w["type"] == kind]


def test_a_section_tile_lists_its_items_newest_first_and_a_year_chip_narrows_them(
        kiosk, sample_catalogue):
    section = sample_catalogue.search("", category=SECTION)
    newest = section.hits[0].item.title
    year, in_year = "2024", section.facets["year"]["2024"]
    assert 0 < in_year < section.total

    kiosk.tap(text=SECTION)  # the tile on the home screen
    kiosk.wait(lambda: kiosk.screen() == "search", "the search screen")
    kiosk.wait(lambda: kiosk.find(text=f"共 {section.total} 条，最新的在前"), "the section's count")
    assert chips(kiosk, "FilterChip") == [f"主题分类：{SECTION}  ✕"]
    assert kiosk.find(id="box")["text"] == ""  # nothing typed: the section is browsed
    assert shown_titles(kiosk)[0] == newest
    dates = shown_dates(kiosk)
    assert len(dates) >= 2 and dates == sorted(dates, reverse=True)

    kiosk.tap(text=f"{year}（{in_year}）")  # the year chip, with its count
    kiosk.wait(lambda: kiosk.find(text=f"共 {in_year} 条，最新的在前"), "the narrowed count")
    assert sorted(chips(kiosk, "FilterChip")) == sorted(
        [f"主题分类：{SECTION}  ✕", f"年份：{year}  ✕"])
    dates = kiosk.wait(lambda: shown_dates(kiosk), "the narrowed rows")
    assert all(d.startswith(f"{year}-") for d in dates)
    assert not [c for c in chips(kiosk, "FacetChip") if re.fullmatch(r"\d{4}（\d+）", c)]

    kiosk.tap(text=shown_titles(kiosk)[0])  # read one, and come back to the same list
    kiosk.wait(lambda: kiosk.screen() == "reader", "the reader")
    kiosk.tap(id="back")
    kiosk.wait(lambda: kiosk.screen() == "search", "back to the narrowed list")
    assert kiosk.find(text=f"共 {in_year} 条")

    kiosk.tap(text=f"年份：{year}")  # ✕ on the year chip
    kiosk.wait(lambda: kiosk.find(text=f"共 {section.total} 条"), "the whole section again")
    assert chips(kiosk, "FilterChip") == [f"主题分类：{SECTION}  ✕"]
    assert kiosk.find(text=f"{year}（{in_year}）")  # offered again

    kiosk.tap(text=f"主题分类：{SECTION}")
    kiosk.wait(lambda: kiosk.find(text="请输入要查找的内容"), "no filter, nothing typed")
    assert chips(kiosk, "FilterChip") == [] and chips(kiosk, "FacetChip") == []


def test_a_year_chip_narrows_what_was_typed(kiosk, sample_catalogue):
    typed = "tongji gongbao"
    found = sample_catalogue.search(typed)
    year = max(found.facets["year"])
    in_year = found.facets["year"][year]
    assert 0 < in_year < found.total

    kiosk.tap(id="search")
    kiosk.wait(lambda: kiosk.screen() == "search", "the search screen")
    kiosk.type(typed)
    kiosk.wait(lambda: kiosk.find(text=f"找到 {found.total} 条相关信息"), "results")
    kiosk.tap(text=f"{year}（{in_year}）")
    kiosk.wait(lambda: kiosk.find(text=f"找到 {in_year} 条相关信息"), "the narrowed results")
    assert kiosk.find(id="box")["text"] == typed  # the words stay; the chip narrows them
    assert all(d.startswith(f"{year}-") for d in shown_dates(kiosk))

    kiosk.type(" 2024")  # typing on keeps the filter
    narrower = sample_catalogue.search(typed + " 2024", year=year).total
    kiosk.wait(lambda: kiosk.find(text=f"找到 {narrower} 条相关信息")
               or (narrower == 0 and kiosk.find(text="没有找到相关信息")), "the new words, filtered")
    assert chips(kiosk, "FilterChip") == [f"年份：{year}  ✕"]
