"""The input method's dictionary, made from the data of two maintained packages.

Words and their frequencies come from jieba's `dict.txt` (about 350,000 entries counted from a
large corpus); the pinyin of every word and character from pypinyin, whose phrase dictionary
knows readings a character-by-character lookup gets wrong (重庆 is `chong qing`, 银行 `yin hang`).
Nothing is typed in by hand, so correcting a reading means upgrading a package, and the cache name
(see `kiosk.ime.cache`) changes with the package versions so the next start rebuilds.

What is kept, and why:

- the `max_words` most frequent words of two or more characters (80,000 by default, down to a
  frequency of about 20): rarer entries are mostly names and jargon that only crowd the bar;
- every single character jieba knows (about 11,600) and every character of GB 2312 (6,763, taken
  from Python's codec), so any common character can be reached by its syllable even if no word
  holds it;
- only entries made entirely of Han characters (no `B超`, no `AT&T`).

A character is reachable by each of its readings (行 by `xing` and `hang`), but its frequency is
shared among them in proportion to how the kept words read it, half of it going to pypinyin's
default reading; otherwise 了 (`le`) would top the bar for `liao` and 行 for `heng`.

This module imports jieba and pypinyin and takes seconds to run; the kiosk only runs it when its
cache file is missing or stale.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from dataclasses import asdict, dataclass

HAN = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+$")
PINYIN = re.compile(r"^[a-z]+$")

# one dictionary entry: (text, frequency, syllables); grouped by the first letters of the syllables
Entry = tuple[str, int, tuple[str, ...]]


@dataclass(frozen=True)
class BuildParams:
    """What goes into the dictionary; part of the cache file's name, so changing it rebuilds."""

    max_words: int = 80_000  # words of two or more characters, most frequent first
    gb2312: bool = True  # also every GB 2312 character jieba lacks (151 of them, frequency 1)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def jieba_entries() -> list[tuple[str, int]]:
    """(word, frequency) of jieba's main dictionary, in file order, Han-only entries."""
    import jieba

    out: list[tuple[str, int]] = []
    with jieba.get_dict_file() as f:
        for raw in f:
            parts = raw.decode("utf-8").split()
            if len(parts) >= 2 and HAN.match(parts[0]) and parts[1].isdigit():
                out.append((parts[0], int(parts[1])))
    return out


def gb2312_characters() -> list[str]:
    """The 6,763 Han characters of GB 2312 (rows 16-87), from Python's own codec."""
    out = []
    for hi in range(0xB0, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                ch = bytes((hi, lo)).decode("gb2312")
            except UnicodeDecodeError:
                continue
            if HAN.match(ch):
                out.append(ch)
    return out


def build_payload(params: BuildParams) -> dict[str, object]:
    """The dictionary as plain data (what `kiosk.ime.cache` stores)."""
    from pypinyin import Style, lazy_pinyin, pinyin
    from pypinyin.contrib.tone_convert import to_initials

    entries = jieba_entries()
    char_freq: dict[str, int] = {}
    words: list[tuple[str, int]] = []
    for text, freq in entries:
        if len(text) == 1:
            char_freq[text] = max(freq, char_freq.get(text, 0))
        else:
            words.append((text, freq))
    words.sort(key=lambda wf: -wf[1])  # stable: file order among equals
    words = words[: params.max_words]

    chars = set(char_freq)
    if params.gb2312:
        chars.update(gb2312_characters())
    for text, _ in words:
        chars.update(text)

    # words, read with pypinyin's phrase data; usage counts which reading each character takes
    usage: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    kept_words: list[Entry] = []
    for text, freq in words:
        sylls = lazy_pinyin(text, style=Style.NORMAL)
        if len(sylls) != len(text) or not all(PINYIN.match(s) for s in sylls):
            continue
        kept_words.append((text, freq, tuple(sys.intern(s) for s in sylls)))
        for ch, s in zip(text, sylls, strict=True):
            usage[ch][s] += freq

    kept_chars: list[Entry] = []
    for ch in sorted(chars):
        readings = [s for s in dict.fromkeys(pinyin(ch, style=Style.NORMAL, heteronym=True)[0])
                    if PINYIN.match(s)]
        if not readings:
            continue
        default = lazy_pinyin(ch, style=Style.NORMAL)[0]
        used = usage.get(ch, {})
        total = sum(used.get(s, 0) for s in readings) + len(readings)
        base = char_freq.get(ch, 1)
        for s in readings:
            share = 0.5 * (s == default) + 0.5 * (used.get(s, 0) + 1) / total
            if default not in readings:
                share += 0.5 / len(readings)
            kept_chars.append((ch, max(1, round(base * share)), (sys.intern(s),)))

    syllables = sorted({s for _, _, sy in kept_words + kept_chars for s in sy})
    initials = sorted({i for s in syllables if (i := to_initials(s, strict=False))})

    merged: dict[tuple[str, tuple[str, ...]], int] = {}
    for text, freq, sy in kept_words + kept_chars:
        merged[text, sy] = max(freq, merged.get((text, sy), 0))
    index: dict[str, list[Entry]] = defaultdict(list)
    for (text, sy), freq in merged.items():
        index["".join(s[0] for s in sy)].append((text, freq, sy))
    for group in index.values():
        group.sort(key=lambda e: (-e[1], e[0]))

    return {
        "syllables": syllables,
        "initials": initials,
        "index": {k: tuple(v) for k, v in index.items()},
        "words": len(kept_words),
        "chars": len({e[0] for e in kept_chars}),
        "params": params.as_dict(),
    }
