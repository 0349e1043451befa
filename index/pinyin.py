"""Pinyin keys of titles, so a Latin keyboard finds Chinese titles.

A title is indexed under the full pinyin and the initials of its words and short character spans:
保密 under `baomi` and `bm`, 政府信息公开 under `zhengfuxinxigongkai` and `zfxxgk`. Keys are
made of

- runs of 1–4 consecutive jieba words (up to 12 characters), which is how people think of a
  phrase, and
- every span of 2–4 characters, so a key still matches when jieba cut the title differently
  from the way the reader thinks of it.

Readings come from pypinyin with its phrase data (so 银行 is `yinhang`), `ü` is written `u` (the
keyboard has no ü; `lv` and `lu` both reach 绿 and 律 only through `u`), and tone marks are dropped.
"""

from __future__ import annotations

import functools

from .analysis import pieces, words
from .fold import fold

MAX_WORDS = 4
MAX_WORD_CHARS = 12
SPAN_LENGTHS = range(2, 5)


@functools.cache
def _lazy_pinyin():
    from pypinyin import lazy_pinyin

    return lazy_pinyin


def syllables(run: str) -> list[str | None]:
    """The toneless pinyin of each character of a run of ideographs (None when it has none)."""
    lazy = _lazy_pinyin()
    out = lazy(run)
    if len(out) != len(run):
        out = [lazy(c)[0] for c in run]
    return [s.replace("v", "u") if s.isascii() and s.isalpha() else None for s in out]


def _join(sylls: list[str | None], initials: bool) -> str | None:
    if any(s is None for s in sylls):
        return None
    return "".join(s[0] if initials else s for s in sylls if s)


def title_keys(title: str) -> tuple[set[str], set[str]]:
    """(full-pinyin keys, initials keys) under which a title is indexed."""
    full: set[str] = set()
    ini: set[str] = set()
    for run, _start, cjk in pieces(fold(title)):
        if not cjk:
            continue
        sy = syllables(run)
        spans = {(i, i + n) for n in SPAN_LENGTHS for i in range(len(run) - n + 1)}
        seg = words(run)
        for a in range(len(seg)):
            for b in range(a, min(a + MAX_WORDS, len(seg))):
                start, end = seg[a][1], seg[b][1] + len(seg[b][0])
                if end - start <= MAX_WORD_CHARS:
                    spans.add((start, end))
        for i, j in spans:
            f = _join(sy[i:j], initials=False)
            if f:
                full.add(f)
            if j - i >= 2:
                k = _join(sy[i:j], initials=True)
                if k:
                    ini.add(k)
    return full, ini


def phrase_keys(phrase: str) -> tuple[str | None, str | None]:
    """(full pinyin, initials) of a phrase of ideographs, for suggestions."""
    sy = syllables(phrase)
    return _join(sy, initials=False), _join(sy, initials=True)


def match_spans(text: str, key: str) -> list[tuple[int, int]]:
    """Where in `text` a run of characters reads as `key` (in full pinyin or initials)."""
    spans: list[tuple[int, int]] = []
    if not key:
        return spans
    for run, start, cjk in pieces(fold(text)):
        if not cjk:
            continue
        sy = syllables(run)
        for initials in (False, True):
            for i in range(len(run)):
                acc = ""
                for j in range(i, len(run)):
                    s = sy[j]
                    if s is None:
                        break
                    acc += s[0] if initials else s
                    if acc == key:
                        spans.append((start + i, start + j + 1))
                        break
                    if not key.startswith(acc):
                        break
    return spans
