"""Pinyin of titles, so a Latin keyboard finds Chinese titles.

Each title is indexed twice more, as streams of positioned tokens:

- `title_py`: the toneless syllable of each character (保密 → `bao mi`), and
- `title_ini`: overlapping pairs of initials (政府信息公开 → `zf fx xx xg gk`),

with a gap in the positions wherever the title has something other than ideographs, so that no
match spans two separate runs. A typed `baomi` is split into syllables the index knows
(`bao mi`; every possible split is tried, so `xian` is both 先 and 西安) and looked up as a
phrase; `zfxxgk` becomes the phrase `zf fx xx xg gk`. About 400 syllables and 676 pairs make up
the whole vocabulary of these fields, which keeps the index small however many titles it holds.

Readings come from pypinyin with its phrase data (so 银行 is `yinhang`), `ü` is written `u` (the
keyboard has no ü; 绿 is reached by `lu`), and tone marks are dropped.
"""

from __future__ import annotations

import functools
import itertools

from .analysis import pieces
from .fold import fold

GAP = "|"
MAX_SEGMENTATIONS = 4


@functools.cache
def _lazy_pinyin():
    from pypinyin import lazy_pinyin

    return lazy_pinyin


@functools.lru_cache(maxsize=50_000)
def syllables(run: str) -> tuple[str | None, ...]:
    """The toneless pinyin of each character of a run of ideographs (None when it has none)."""
    lazy = _lazy_pinyin()
    out = lazy(run)
    if len(out) != len(run):
        out = [lazy(c)[0] for c in run]
    return tuple(s.replace("v", "u") if s.isascii() and s.isalpha() else None for s in out)


def _join(sylls: tuple[str | None, ...], initials: bool) -> str | None:
    if any(s is None for s in sylls):
        return None
    return "".join(s[0] if initials else s for s in sylls if s)


def title_streams(title: str) -> tuple[str, str]:
    """(syllable stream, initial-pair stream) of a title, for `SeparatedTokenizer(" ", GAP)`."""
    full: list[str] = []
    pairs: list[str] = []
    for run, _start, cjk in pieces(fold(title)):
        if not cjk:
            continue
        sy = syllables(run)
        full += [s or GAP for s in sy] + [GAP]
        for a, b in itertools.pairwise(sy):
            pairs.append(a[0] + b[0] if a and b else GAP)
        pairs.append(GAP)
    return " ".join(full), " ".join(pairs)


def initial_pairs(key: str) -> list[str]:
    """The overlapping letter pairs of typed initials: `zfxx` → `zf fx xx`."""
    return [key[i:i + 2] for i in range(len(key) - 1)]


def segmentations(key: str, vocabulary: frozenset[str] | set[str]) -> list[list[str]]:
    """The ways `key` splits into syllables of `vocabulary`, fewest syllables first."""

    @functools.cache
    def splits(i: int) -> tuple[tuple[str, ...], ...]:
        if i == len(key):
            return ((),)
        out = []
        for j in range(min(len(key), i + 6), i, -1):
            if key[i:j] in vocabulary:
                out += [(key[i:j], *rest) for rest in splits(j)]
        return tuple(out[:16])

    found = [list(s) for s in splits(0)]
    found.sort(key=len)
    return found[:MAX_SEGMENTATIONS]


def span_keys(sylls: tuple[str | None, ...]) -> tuple[str | None, str | None]:
    """(full pinyin, initials) of a phrase, given its characters' syllables."""
    return _join(sylls, initials=False), _join(sylls, initials=True)


def stored_syllables(runs: list[str], stream: str | None) -> list[tuple[str | None, ...]] | None:
    """The syllables of each run of `runs` read back from a title's syllable stream (as
    `title_streams` wrote it), or None if the stream does not fit the runs (another title)."""
    if stream is None:
        return None
    tokens = stream.split(" ") if stream else []
    out = []
    pos = 0
    for run in runs:
        part = tokens[pos:pos + len(run)]
        if len(part) != len(run) or tokens[pos + len(run):pos + len(run) + 1] != [GAP]:
            return None
        out.append(tuple(None if t == GAP else t for t in part))
        pos += len(run) + 1
    return out if pos == len(tokens) else None


def match_spans(text: str, key: str, stream: str | None = None) -> list[tuple[int, int]]:
    """Where in `text` a run of characters reads as `key` (in full pinyin or initials).

    With `stream`, the title's syllable stream stored in the index, the readings are those the
    title was indexed with and pypinyin is not needed (its tables cost a searcher some 50 MB);
    without it, or if it belongs to another version of the title, they are worked out again."""
    spans: list[tuple[int, int]] = []
    if not key:
        return spans
    runs = [(run, start) for run, start, cjk in pieces(fold(text)) if cjk]
    known = stored_syllables([run for run, _start in runs], stream)
    for n, (run, start) in enumerate(runs):
        sy = known[n] if known is not None else syllables(run)
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
