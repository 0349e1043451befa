"""Chinese analysis for the Whoosh index: folded text, jieba words, CJK bigrams.

One tokenizer, `ChineseTokenizer`, turns text into search terms:

- the text is folded first (`fold`: Traditional → Simplified, width, case), one character for one
  character, so every term's `startchar`/`endchar` points into the *original* text;
- each run of ideographs is cut into words by jieba (dictionary only, no HMM guessing, so the same
  text always gives the same words, in documents and in queries alike);
- the run's overlapping character bigrams are added at the position of the word where they start,
  plus the run's last character alone. Bigrams are what make names no dictionary knows
  (临澄, 北屏县) and any two-character query match; the trailing unigram means every occurrence of
  a character starts some term, so a one-character query can be answered by a prefix lookup;
- runs of Latin letters and digits become lower-case terms (2021, pm2, x).

Positions count words, not characters (a bigram shares its word's position), so phrase queries
over words work; jieba's own Whoosh analyzer numbers characters, which breaks them.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterator

from whoosh.analysis import Token, Tokenizer

from .fold import CJK_CLASS, fold

ANALYZER_VERSION = 5
"""Bump when the terms produced for a text, or the index's files, change: an index built by
another version is rebuilt (`indexstore` says so on stderr). 4: bodies indexed by bigrams only,
segments written by `writer.FastWriter` with `writer.KioskCodec`. 5: titles' syllables stored,
for marking pinyin matches without pypinyin (`pinyin.match_spans`)."""

_PIECE = re.compile(f"([{CJK_CLASS}]+)|([0-9a-z]+)")


@functools.cache
def _jieba():
    """The jieba tokenizer, initialised once and quietly (it logs to stderr by default)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba.dt


@functools.lru_cache(maxsize=100_000)
def words(run: str) -> tuple[tuple[str, int], ...]:
    """jieba's words of a run of ideographs, each with its offset in the run.

    Cached: government prose repeats its short runs (现通知如下, 各县区人民政府) endlessly.
    """
    out: list[tuple[str, int]] = []
    offset = 0
    for w in _jieba().cut(run, HMM=False):
        out.append((w, offset))
        offset += len(w)
    if offset != len(run):  # never seen; keep offsets honest whatever jieba does
        return tuple((c, i) for i, c in enumerate(run))
    return tuple(out)


def pieces(folded: str) -> Iterator[tuple[str, int, bool]]:
    """Runs of ideographs (`True`) and of Latin letters/digits (`False`) with their offsets."""
    for m in _PIECE.finditer(folded):
        yield m.group(0), m.start(), m.group(1) is not None


def terms(text: str) -> Iterator[tuple[str, int, int, int]]:
    """Every search term of `text` as (term, word position, start char, end char)."""
    pos = 0
    for piece, start, cjk in pieces(fold(text)):
        if not cjk:
            yield piece, pos, start, start + len(piece)
            pos += 1
            continue
        seg = words(piece)
        for wi, (w, off) in enumerate(seg):
            yield w, pos + wi, start + off, start + off + len(w)
            # bigrams starting inside this word share its position, keeping positions ordered
            for i in range(off, min(off + len(w), len(piece) - 1)):
                bigram = piece[i:i + 2]
                if not (i == off and bigram == w):  # a 2-character word is its own bigram
                    yield bigram, pos + wi, start + i, start + i + 2
        if len(seg[-1][0]) > 1:  # the closing unigram, unless jieba already made it a word
            yield piece[-1], pos + len(seg) - 1, start + len(piece) - 1, start + len(piece)
        pos += len(seg)


def term_list(text: str, use_words: bool = True) -> list[str]:
    """The terms of `text` as `terms` yields them (the same multiset), without positions.

    What indexing needs for fields that keep only frequencies (bodies, summaries): built with
    list comprehensions instead of one generator step and one Whoosh `Token` per term, which
    made analysis a third of indexing time (docs/benchmarks.md, "Tuning"). With `use_words`
    false no jieba words are added: bigrams and each run's last character only.
    """
    out: list[str] = []
    for m in _PIECE.finditer(fold(text)):
        piece = m.group(0)
        if m.group(1) is None or len(piece) == 1:
            out.append(piece)
            continue
        # every bigram once; a two-character word *is* the bigram at its offset
        out += [piece[i:i + 2] for i in range(len(piece) - 1)]
        if use_words:
            seg = words(piece)
            out += [w for w, _ in seg if len(w) != 2]
            if len(seg[-1][0]) > 1:
                out.append(piece[-1])
        else:
            out.append(piece[-1])
    return out


def bigram_terms(text: str) -> Iterator[tuple[str, int, int, int]]:
    """`terms` without jieba: each run's bigrams and its last character, one position per
    character. For bodies, where segmenting every document was most of the analysis cost and
    the bigrams alone decide whether an item matches (see `ChineseTokenizer.use_words`)."""
    pos = 0
    for piece, start, cjk in pieces(fold(text)):
        if not cjk or len(piece) == 1:
            yield piece, pos, start, start + len(piece)
            pos += 1
            continue
        for i in range(len(piece) - 1):
            yield piece[i:i + 2], pos + i, start + i, start + i + 2
        yield piece[-1], pos + len(piece) - 1, start + len(piece) - 1, start + len(piece)
        pos += len(piece)


class ChineseTokenizer(Tokenizer):
    """Whoosh tokenizer over `terms`; honours `positions`, `chars` and `keeporiginal`.

    `use_words=False` leaves jieba's words out (`bigram_terms`): used for bodies, the bulk of
    the text. A query word of three or more characters still matches a body by its bigrams, as
    it always did where jieba had cut the body differently; only the small ranking bonus for the
    whole word in the body is gone (titles, summaries and keywords keep it).
    """

    use_words = True  # class default: schemas pickled before the option existed unpickle as before

    def __init__(self, use_words: bool = True) -> None:
        self.use_words = use_words

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.use_words == self.use_words

    def __hash__(self) -> int:
        return hash((type(self), self.use_words))

    def term_list(self, value: str) -> list[str]:
        return term_list(value, self.use_words)

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True, mode="",
                 **kwargs):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = value
            t.text = fold(value)
            t.boost = 1.0
            t.stopped = False
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar, t.endchar = start_char, start_char + len(value)
            yield t
            return
        for text, pos, s, e in (terms if self.use_words else bigram_terms)(value):
            t.text = text
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = value[s:e]
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar, t.endchar = start_char + s, start_char + e
            yield t


class SeparatedTokenizer(Tokenizer):
    """Splits a pre-computed list of terms, keeping each one's position in the list.

    The default separator, U+001F, serves key and facet fields (`join_terms`). With `sep=" "` and
    `gap="|"` it reads a stream such as `pinyin.title_streams` writes: a `|` emits nothing but
    takes a position, so phrase queries cannot match across it.
    """

    SEP = "\x1f"

    def __init__(self, sep: str = SEP, gap: str | None = None) -> None:
        self.sep = sep
        self.gap = gap

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and (other.sep, other.gap) == (self.sep, self.gap)

    def __hash__(self) -> int:
        return hash((type(self), self.sep, self.gap))

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True, mode="",
                 **kwargs):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        offset = 0
        for i, part in enumerate(value.split(self.sep)):
            if part and part != self.gap:
                t.text = t.original = part
                t.boost = 1.0
                t.stopped = False
                if positions:
                    t.pos = start_pos + i
                if chars:
                    t.startchar, t.endchar = start_char + offset, start_char + offset + len(part)
                yield t
            offset += len(part) + len(self.sep)


def join_terms(values) -> str:
    """The field value `SeparatedTokenizer()` splits back into `values`."""
    return SeparatedTokenizer.SEP.join(v for v in values if v)
