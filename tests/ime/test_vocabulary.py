"""The catalogue's own words in the candidate bar: agency names jieba has never heard of."""

from __future__ import annotations

import pytest

from kiosk.ime import CatalogueVocabulary, Composer, PinyinDictionary, load_in_background
from kiosk.ime import vocabulary as vocabulary_module
from kiosk.ime.vocabulary import CAP, FLOOR, agency_parts, frequency
from tests.conftest import make_item, write_jsonl
from tests.ime.conftest import texts

AGENCY = "临澄市住房和城乡建设局"  # an agency of the sample catalogue
DEPARTMENT = "住房和城乡建设局"


@pytest.fixture
def fresh(dictionary, ime_cache_dir) -> PinyinDictionary:
    """A dictionary of its own, read from the session's cache file: words merged into it do not
    leak into the shared one."""
    return PinyinDictionary.load(ime_cache_dir)


def test_agency_names_are_not_in_jieba(fresh):
    assert DEPARTMENT not in {e[0] for e in fresh.entries("zfhcxjsj")}
    composer = Composer(fresh)
    # at best put together from words, and not first: 住房和城乡建设据
    assert texts(composer, "zhufanghechengxiangjiansheju")[0] != DEPARTMENT
    assert AGENCY not in texts(composer, "lcszfhcxjsj")


def test_agency_names_offered_by_full_pinyin_and_by_initials(fresh, sample_catalogue, tmp_path):
    words = CatalogueVocabulary(sample_catalogue, tmp_path / "cache")
    words.attach(fresh)
    words.refresh().result(timeout=120)  # not cached yet: built in the background, then merged
    composer = Composer(fresh)
    assert texts(composer, "zhufanghechengxiangjiansheju")[0] == DEPARTMENT
    assert texts(composer, "zfhcxjsj")[0] == DEPARTMENT
    assert texts(composer, "lcszfhcxjsj")[0] == AGENCY
    assert texts(composer, "linchengshizhufanghechengxiangjiansheju")[0] == AGENCY
    assert texts(composer, "linchengshi")[0] == "临澄市"  # the place alone, too
    assert texts(composer, "zfxxgk")[0] == "政府信息公开"  # a phrase of many titles
    # the catalogue's words rank among jieba's, they do not push the common words aside
    assert texts(composer, "zf")[0] == "政府"
    assert texts(composer, "zhufang")[0] == "住房"


def test_the_keyboards_load_path_merges_the_installed_vocabulary(dictionary, ime_cache_dir,
                                                                   sample_catalogue, tmp_path):
    words = CatalogueVocabulary(sample_catalogue, tmp_path / "cache")
    words.entries()  # cached, as after an earlier start: merged before the keyboard gets it
    words.install()
    try:
        loaded = load_in_background(ime_cache_dir).result(timeout=120)
    finally:
        words.uninstall()
    assert loaded is not dictionary
    assert texts(Composer(loaded), "zfhcxjsj")[0] == DEPARTMENT
    assert DEPARTMENT not in texts(Composer(dictionary), "zfhcxjsj")  # the shared one untouched


def test_the_words_are_cached_by_catalogue_revision(sample_catalogue, tmp_path, monkeypatch):
    first = CatalogueVocabulary(sample_catalogue, tmp_path / "cache").entries()
    assert [p.name.startswith("ime-catalogue-") for p in (tmp_path / "cache").iterdir()] == [True]

    def no_read(_catalogue):
        raise AssertionError("read the index although the cached words are current")

    monkeypatch.setattr(vocabulary_module, "_read_vocabulary", no_read)
    again = CatalogueVocabulary(sample_catalogue, tmp_path / "cache").entries()
    assert again == first
    assert {text for text, _f, _s in first} >= {AGENCY, DEPARTMENT, "临澄市", "政府信息公开"}


def test_after_a_sync_the_new_agencies_are_offered_and_gone_ones_are_not(fresh, catalogue,
                                                                        tmp_path):
    catalogue.import_path(write_jsonl(tmp_path / "a.jsonl", [
        make_item(n, agency="临澄市数据资源管理局", title=f"关于公共数据开放的通知（第{n}号）")
        for n in range(1, 4)]))
    words = CatalogueVocabulary(catalogue, tmp_path / "cache")
    words.attach(fresh)
    words.refresh().result(timeout=120)
    composer = Composer(fresh)
    assert texts(composer, "shujuziyuanguanliju")[0] == "数据资源管理局"
    assert "乡村振兴局" not in {e[0] for e in fresh.entries("xczxj")}

    # the next import replaces those items (same ids) with another agency's
    catalogue.import_path(write_jsonl(tmp_path / "b.jsonl", [
        make_item(n, agency="北屏县乡村振兴局", title=f"关于乡村振兴项目的公示（第{n}号）")
        for n in range(1, 4)]))
    assert words.refresh().result(timeout=120) > 0
    assert texts(composer, "xiangcunzhenxingju")[0] == "乡村振兴局"  # the same composer
    assert "数据资源管理局" not in {e[0] for e in fresh.entries("sjzyglj")}  # only composable
    assert len(list((tmp_path / "cache").glob("ime-catalogue-*.bin"))) == 1
    assert words.refresh().result(timeout=120) == 0  # nothing changed: nothing to do


def test_agency_names_split_into_places_and_departments():
    assert agency_parts("安徽省宿州市财政局") == ["安徽省", "宿州市财政局", "宿州市", "财政局"]
    assert agency_parts("临澄市市场监督管理局") == ["临澄市", "市场监督管理局"]
    assert agency_parts("城市建设") == []  # a title phrase, not an agency
    assert agency_parts("国家档案局") == []


def test_frequency_grows_with_the_documents_but_stays_below_common_words():
    assert frequency(1, 500_000) == FLOOR
    assert frequency(10, 344) > frequency(1, 344) > FLOOR
    assert frequency(344, 344) == CAP
    assert CAP < 23_452  # jieba's 政府
