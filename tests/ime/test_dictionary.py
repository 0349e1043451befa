"""The dictionary: made from jieba and pypinyin, cached in one file that survives crashes and damage."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from kiosk.ime import BuildParams, PinyinDictionary, cache, default_cache_dir, load_in_background
from kiosk.ime import build as build_module
from kiosk.ime import dictionary as dictionary_module
from tests.ime.conftest import SMALL

ROOT = Path(__file__).resolve().parents[2]


def test_made_from_package_data(dictionary):
    assert dictionary.word_count > 250_000  # jieba's words of frequency 3 and more
    assert dictionary.char_count > 10_000
    assert dictionary.source is not None and dictionary.source.name.startswith("ime-")
    texts = {e[0] for e in dictionary.entries("zf")}
    assert {"政府", "支付", "做法"} <= texts
    assert not {t for t in texts if not all("\u4e00" <= ch <= "\u9fff" for ch in t)}


def test_every_gb2312_character_reachable_by_each_reading(dictionary):
    from pypinyin import Style, pinyin

    singles = {(text, sylls[0]) for key in "abcdefghijklmnopqrstuvwxyz"
               for text, _, sylls in dictionary.entries(key)}
    missing = []
    for ch in build_module.gb2312_characters():
        for reading in pinyin(ch, style=Style.NORMAL, heteronym=True)[0]:
            if reading.isascii() and reading.isalpha() and (ch, reading) not in singles:
                missing.append((ch, reading))
    assert missing == []


def test_traditional_forms_left_out(dictionary):
    texts = {e[0] for e in dictionary.entries("g")}
    assert "个" in texts and "個" not in texts
    assert "乾" in {e[0] for e in dictionary.entries("q")}  # in GB 2312: 乾坤 needs it


def test_syllables_derived_from_pypinyin(dictionary):
    table = dictionary.table
    assert 400 <= len(table) <= 430
    assert {"zhuang", "lv", "lve", "nv", "ju", "a", "er"} <= table.syllables
    assert not {s for s in table.syllables if not s.isascii() or not s.isalpha()}  # no ê
    assert table.initials == {*"bpmfdtnlgkhjqxrzcsyw", "zh", "ch", "sh"}


def test_reader_reads_like_lazy_pinyin():
    from pypinyin import Style, lazy_pinyin

    words = [w for w, _ in build_module.jieba_entries() if len(w) > 1]
    sample = [*random.Random(7).sample(words, 3000), "重庆", "银行", "行长", "重庆市", "长江大桥"]
    reader = build_module.Reader()
    assert [reader.word(w) for w in sample] == [lazy_pinyin(w, style=Style.NORMAL) for w in sample]


def test_heteronym_frequency_split_by_usage(dictionary):
    def freq(ch: str, reading: str) -> int:
        return next(f for t, f, s in dictionary.entries(reading[0]) if t == ch and s == (reading,))

    assert freq("行", "xing") > freq("行", "hang") > freq("行", "heng")


def test_second_load_reads_the_file(ime_cache_dir, dictionary, monkeypatch):
    def no_build(params):
        raise AssertionError("rebuilt although the cache file is current")

    monkeypatch.setattr(dictionary_module, "build_payload", no_build)
    again = PinyinDictionary.load(ime_cache_dir)
    assert again.source == dictionary.source
    assert again.entries("zf") == dictionary.entries("zf")


def test_first_load_builds_and_stores_atomically(tmp_path):
    d = PinyinDictionary.load(tmp_path, SMALL)
    assert d.source == PinyinDictionary.cache_file(tmp_path, SMALL)
    assert d.source.exists()
    assert [p.name for p in tmp_path.iterdir()] == [d.source.name]  # no temporary file left
    assert d.source.stat().st_mode & 0o044 == 0o044  # the kiosk's user can read what root built
    assert d.entries("zf")[0][0] == "政府"


DAMAGE = {
    "empty": lambda data: b"",
    "truncated": lambda data: data[: len(data) // 2],
    "flipped byte": lambda data: data[:-100] + bytes([data[-100] ^ 0x20]) + data[-99:],
    "garbage": lambda data: os.urandom(4096),
    "other magic": lambda data: b"X" + data[1:],
}


@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_damaged_cache_is_rebuilt(tmp_path, caplog, small_cache, damage):
    path = tmp_path / small_cache.name
    path.write_bytes(DAMAGE[damage](small_cache.read_bytes()))
    with pytest.raises(cache.CacheCorrupt):
        cache.read(path)
    d = PinyinDictionary.load(tmp_path, SMALL)
    assert d.entries("zf")[0][0] == "政府"
    assert "damaged" in caplog.text
    cache.read(path)  # sound again


def test_stale_cache_has_another_name(monkeypatch, tmp_path):
    name = PinyinDictionary.cache_file(tmp_path).name
    assert PinyinDictionary.cache_file(tmp_path, SMALL).name != name
    monkeypatch.setattr(cache, "_version", lambda dist: "99.0" if dist == "pypinyin" else "0.42.1")
    assert PinyinDictionary.cache_file(tmp_path).name != name


def test_failed_write_leaves_the_old_file_whole(tmp_path, monkeypatch, small_cache):
    path = tmp_path / small_cache.name
    before = small_cache.read_bytes()
    path.write_bytes(before)

    def crash(src, dst):
        raise OSError("disk pulled out")

    monkeypatch.setattr(cache.os, "replace", crash)
    with pytest.raises(OSError):
        cache.write(path, {"syllables": [], "initials": [], "index": {}, "total": 1, "max_syllables": 0})
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_unwritable_cache_still_gives_a_dictionary(tmp_path, caplog):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    d = PinyinDictionary.load(blocker, SMALL)
    assert d.source is None
    assert d.entries("zf")[0][0] == "政府"
    assert "cannot store" in caplog.text


def test_concurrent_loads_build_once(tmp_path, monkeypatch):
    builds = []
    real = dictionary_module.build_payload

    def counting(params):
        builds.append(params)
        return real(params)

    real_child = dictionary_module.build_in_child

    def counting_child(path, params):
        builds.append(params)
        return real_child(path, params)

    monkeypatch.setattr(dictionary_module, "build_payload", counting)
    monkeypatch.setattr(dictionary_module, "build_in_child", counting_child)
    results: list[PinyinDictionary] = []
    threads = [threading.Thread(target=lambda: results.append(PinyinDictionary.load(tmp_path, SMALL)))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(builds) == 1
    assert len(results) == 4
    assert len({r.source for r in results}) == 1


def test_a_build_runs_in_another_process_and_its_memory_leaves_with_it(tmp_path):
    """The caller (the kiosk) never loads pypinyin's tables to build, so never carries their peak."""
    code = ("import sys; from kiosk.ime import BuildParams, PinyinDictionary; "
            "d = PinyinDictionary.load(sys.argv[1], BuildParams(min_word_freq=5000)); "
            "print(d.source is not None, d.entries('zf')[0][0], 'pypinyin' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True,
                          text=True, cwd=ROOT, timeout=300, check=True)
    assert done.stdout.split() == ["True", "政府", "False"]


def test_load_in_background(ime_cache_dir, dictionary):
    future = load_in_background(ime_cache_dir)
    assert future.result(timeout=60).source == dictionary.source


def test_default_cache_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache_dir() == tmp_path / "disclosure-kiosk"
    assert PinyinDictionary.cache_file().parent == tmp_path / "disclosure-kiosk"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert default_cache_dir().parts[-2:] == (".cache", "disclosure-kiosk")


def test_command_line_builds_then_queries(tmp_path):
    small = BuildParams(min_word_freq=SMALL.min_word_freq)
    run = [sys.executable, "-m", "kiosk.ime", "--cache-dir", str(tmp_path),
           "--min-word-freq", str(small.min_word_freq)]
    built = subprocess.run([*run, "build"], check=False, capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    assert str(PinyinDictionary.cache_file(tmp_path, small)) in built.stdout
    query = subprocess.run([*run, "query", "zhengfu", "--limit", "3"], check=False, capture_output=True,
                           text=True, timeout=60)
    assert query.returncode == 0, query.stderr
    assert "zheng'fu" in query.stdout and "政府" in query.stdout
