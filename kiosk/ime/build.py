"""The input method's dictionary, made from the data of two maintained packages.

Words and their frequencies come from jieba's `dict.txt` (about 350,000 entries counted from a
large corpus); the pinyin of every word and character from pypinyin, whose phrase dictionary
knows readings a character-by-character lookup gets wrong (重庆 is `chong qing`, 银行 `yin hang`).
Nothing is typed in by hand, so correcting a reading means upgrading a package, and the cache name
(see `kiosk.ime.cache`) changes with the package versions so the next start rebuilds.

What is kept, and why:

- every word of two or more characters with a jieba frequency of at least `min_word_freq` (3 by
  default: about 298,000 words). Jieba's rarest entries (1 and 2) are mostly spelled-out numbers
  (一万二千五百余吨); but the domain terms of a reading room are rare in jieba's corpus (行政复议
  has 3) and are found far more reliably as words than as guessed phrases (行政服役). Lookups stay
  fast whatever the size, and the cache loads in about 60 ms (see `kiosk.ime.dictionary`);
- every single character jieba knows (about 11,600) and every character of GB 2312 (6,763, taken
  from Python's codec), so any common character can be reached by its syllable even if no word
  holds it;
- only entries made entirely of Han characters (no `B超`, no `AT&T`);
- no Traditional forms (jieba has 1,186 characters such as 個 and 們, and words such as 丟了):
  the kiosk writes and searches in Simplified, and 個 next to 个 only takes room in the bar. An
  entry goes when OpenCC's `t2s` changes it and it has a character outside GB 2312 (so 乾坤, whose
  乾 is both, stays).

A character is reachable by each of its readings (行 by `xing` and `hang`), but its frequency is
shared among them in proportion to how the kept words read it, half of it going to pypinyin's
default reading; otherwise 行, one of the most frequent characters, would top the bar for `heng`
(道行) as well.

This module imports jieba and pypinyin and takes about ten seconds to run; the kiosk only runs it
when its cache file is missing or stale.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import asdict, dataclass

HAN = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+$")
PINYIN = re.compile(r"^[a-z]+$")

# one dictionary entry: (text, frequency, syllables); grouped by the first letters of the syllables,
# each group stored as one string of "text\tfrequency\tsyllables" lines, decoded when first needed
Entry = tuple[str, int, tuple[str, ...]]


@dataclass(frozen=True)
class BuildParams:
    """What goes into the dictionary; part of the cache file's name, so changing it rebuilds."""

    min_word_freq: int = 3  # words of two or more characters at least this frequent in jieba
    gb2312: bool = True  # also every GB 2312 character jieba lacks (151 of them, frequency 1)
    simplified_only: bool = True  # drop Traditional forms (個, 丟了): see the module docstring

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


class Reader:
    """pypinyin's toneless readings, remembered piece by piece.

    `lazy_pinyin` costs about 60 µs a word, twenty seconds for jieba's whole dictionary, mostly in
    converting the same pieces again and again. It cuts a word into pieces (phrases of its phrase
    dictionary, single characters) and reads each piece alone; so the pieces are cut here with
    pypinyin's own segmenter and each distinct piece is read once. Same results as `lazy_pinyin`
    for every one of jieba's 337,394 Han words (jieba 0.42.1, pypinyin 0.55; a test checks a
    sample), four times faster.
    """

    def __init__(self) -> None:
        from pypinyin import Style, lazy_pinyin, pinyin
        from pypinyin.core import Pinyin

        self._lazy = lambda text: lazy_pinyin(text, style=Style.NORMAL)
        self._all = lambda ch: pinyin(ch, style=Style.NORMAL, heteronym=True)[0]
        self._seg = Pinyin().seg
        self._pieces: dict[str, list[str]] = {}

    def readings(self, ch: str) -> list[str]:
        """Every toneless reading of one character, pypinyin's default first."""
        return list(dict.fromkeys(self._lazy(ch) + self._all(ch)))

    def word(self, text: str) -> list[str]:
        """The toneless reading of a word, as `lazy_pinyin(text, style=Style.NORMAL)`."""
        out: list[str] = []
        for piece in self._seg(text):
            read = self._pieces.get(piece)
            if read is None:
                read = self._pieces[piece] = self._lazy(piece)
            out += read
        return out


def build_payload(params: BuildParams) -> dict[str, object]:
    """The dictionary as plain data (what `kiosk.ime.cache` stores)."""
    from pypinyin.contrib.tone_convert import to_initials

    reader = Reader()
    entries = jieba_entries()
    char_freq: dict[str, int] = {}
    words: list[tuple[str, int]] = []
    for text, freq in entries:
        if len(text) == 1:
            char_freq[text] = max(freq, char_freq.get(text, 0))
        else:
            words.append((text, freq))
    words = [(text, freq) for text, freq in words if freq >= params.min_word_freq]

    gb2312 = set(gb2312_characters())
    if params.simplified_only:
        from opencc import OpenCC

        to_simplified = OpenCC("t2s").convert

        def simplified(text: str) -> bool:
            return to_simplified(text) == text or all(ch in gb2312 for ch in text)

        words = [(text, freq) for text, freq in words if simplified(text)]
        char_freq = {ch: freq for ch, freq in char_freq.items() if simplified(ch)}

    chars = set(char_freq)
    if params.gb2312:
        chars.update(gb2312)
    for text, _ in words:
        chars.update(text)

    # words, read with pypinyin's phrase data; usage counts which reading each character takes
    usage: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    kept_words: list[Entry] = []
    for text, freq in words:
        sylls = reader.word(text)
        if len(sylls) != len(text) or not all(PINYIN.match(s) for s in sylls):
            continue
        kept_words.append((text, freq, tuple(sylls)))
        for ch, s in zip(text, sylls, strict=True):
            usage[ch][s] += freq

    kept_chars: list[Entry] = []
    for ch in sorted(chars):
        readings = [s for s in reader.readings(ch) if PINYIN.match(s)]
        if not readings:
            continue
        default = readings[0]
        used = usage.get(ch, {})
        total = sum(used.get(s, 0) for s in readings) + len(readings)
        base = char_freq.get(ch, 1)
        for s in readings:
            share = 0.5 * (s == default) + 0.5 * (used.get(s, 0) + 1) / total
            kept_chars.append((ch, max(1, round(base * share)), (s,)))

    syllables = sorted({s for _, _, sy in kept_words + kept_chars for s in sy})
    initials = sorted({i for s in syllables if (i := to_initials(s, strict=False))})

    merged: dict[tuple[str, tuple[str, ...]], int] = {}
    for text, freq, sy in kept_words + kept_chars:
        merged[text, sy] = max(freq, merged.get((text, sy), 0))
    groups: dict[str, list[Entry]] = defaultdict(list)
    for (text, sy), freq in merged.items():
        groups["".join(s[0] for s in sy)].append((text, freq, sy))
    index: dict[str, str] = {}
    for key, group in groups.items():
        group.sort(key=lambda e: (-e[1], e[0]))
        index[key] = "\n".join(f"{t}\t{f}\t{' '.join(sy)}" for t, f, sy in group)
    for key in list(groups):  # every beginning of a key is a key too, empty if nothing reads so
        for i in range(1, len(key)):
            index.setdefault(key[:i], "")

    return {
        "syllables": syllables,
        "initials": initials,
        "index": index,
        "words": len(kept_words),
        "chars": len({e[0] for e in kept_chars}),
        "total": sum(merged.values()),
        "max_syllables": max(map(len, groups)),
        "params": params.as_dict(),
    }
