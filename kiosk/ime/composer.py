"""The candidate bar of one text field: the letters being composed and what they may become.

Contract with the field (the on-screen keyboard widget):

- a letter key calls `type(letter)`; if it returns False the composer did not take the key (an
  apostrophe with nothing composing) and the widget inserts the character into the field itself;
- a candidate tap calls `choose(i)`, which returns the text to insert at the cursor, every time.
  If the candidate covered only the beginning of the letters (政 for `zhengfu`), the rest (`fu`)
  stays composing and its own candidates follow; the next choice returns 府, and the field, having
  inserted both, reads 政府. The composer never holds chosen text back, so the field always shows
  what was chosen and a backspace behaves the same whatever happened before;
- backspace calls `backspace()` first; if it returns False nothing was composing and the widget
  deletes a character of the field;
- space or enter with letters composing calls `commit_raw()` and inserts the letters as typed
  (a citizen writing a Latin word or a name); `reset()` drops them, for example when the field
  loses focus.

Ranking, best first:

1. candidates that take all the letters; among them readings made only of complete syllables
   (`xian` as 先 or 西安, `fangan` as 方案 or 反感) before readings with an abbreviation or an
   unfinished syllable (`xian` as 想); each group by frequency;
2. then candidates that take a beginning of the letters, longest first, then as above. The
   characters of the first syllable come last of all, so every character stays reachable.

When no word reads all the letters, up to three phrases of several words are put together
(`xinxigongkai` → 信息公开, `zfxx` → 政府信息; see `_compose`); they rank with the words that read
all the letters, by the product of their words' frequencies, so a real word comes first.

A candidate may only end where the rest of the letters can still be read as pinyin: `zhengfu`
never offers 这 (`zhe`), which would leave `ngfu`.

The bar learns nothing from what citizens choose: a public kiosk must not show the next person
what the previous one wrote.
"""

from __future__ import annotations

import itertools
import math
import string
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .build import Entry
from .dictionary import PinyinDictionary
from .segment import Letters, Segmenter, Token

RANKING_MEMORY = 16  # rankings kept for recent inputs: backspace and paging cost nothing
COMPOSE_LIMIT = 36  # letters beyond which no phrase is composed (about six syllables)
PHRASES = 3  # phrases offered at most
KEYS = frozenset(string.ascii_letters + "'")

Entry4 = tuple[str, int, tuple[str, ...], int]  # text, frequency, syllables, inexact syllables
Phrase = tuple[str, tuple[str, ...], tuple[int, ...], int, float]  # text, syllables, ends, inexact, freq


@dataclass(frozen=True, slots=True)
class Candidate:
    """One entry of the candidate bar."""

    text: str  # Han characters
    pinyin: str  # its syllables, apostrophe-separated: "zheng'fu"
    consumed: int  # how many characters of `Composer.composing` (letters and apostrophes) it takes


@dataclass(frozen=True, slots=True)
class _Ranking:
    candidates: tuple[Candidate, ...]
    display: str


class Composer:
    """The state of the candidate bar for one text field; see the module docstring."""

    def __init__(self, dictionary: PinyinDictionary) -> None:
        self.dictionary = dictionary
        self._raw = ""
        self._memory: OrderedDict[str, _Ranking] = OrderedDict()
        self._generation = dictionary.generation  # rankings made before catalogue words changed

    @property
    def composing(self) -> str:
        """The letters typed so far, as typed (with any apostrophes): `zhengfu`."""
        return self._raw

    @property
    def display(self) -> str:
        """The letters cut into syllables for the bar, following the best candidate: `zheng'fu`."""
        return self._ranking().display if self._raw else ""

    def type(self, letter: str) -> bool:
        """Add one letter (a-z, A-Z) or an apostrophe (a syllable boundary: `xi'an`).

        Returns False, taking nothing, for an apostrophe with nothing composing: the widget then
        inserts it into the field as an ordinary character. A second apostrophe in a row is
        taken and ignored. Anything else is a ValueError (digits and punctuation go to the field
        directly; the widget commits or drops the composition first).
        """
        if len(letter) != 1 or letter not in KEYS:
            raise ValueError(f"not a pinyin letter: {letter!r}")
        if letter == "'":
            if not self._raw:
                return False
            if self._raw.endswith("'"):
                return True
        self._raw += letter
        return True

    def backspace(self) -> bool:
        """Remove the last letter (or apostrophe); False when nothing was composing."""
        if not self._raw:
            return False
        self._raw = self._raw[:-1]
        return True

    def candidates(self, limit: int = 30, offset: int = 0) -> list[Candidate]:
        """A page of the ranked candidates; fewer than `limit` when the list ends."""
        if not self._raw:
            return []
        return list(self._ranking().candidates[offset:offset + limit])

    def choose(self, choice: int | Candidate) -> str:
        """Take a candidate: its index in the whole ranking (`offset` + position on the page) or
        the Candidate itself. Returns the text to insert into the field now; the letters it did not
        take stay composing. IndexError or ValueError if there is no such candidate."""
        ranked = self._ranking().candidates if self._raw else ()
        if isinstance(choice, Candidate):
            if choice not in ranked:
                raise ValueError(f"{choice!r} is not a candidate for {self._raw!r}")
            picked = choice
        else:
            if not 0 <= choice < len(ranked):
                raise IndexError(f"no candidate {choice} for {self._raw!r}")
            picked = ranked[choice]
        self._raw = self._raw[picked.consumed:].lstrip("'")
        return picked.text

    def commit_raw(self) -> str:
        """The letters as typed, to insert into the field as they are; composition ends."""
        raw, self._raw = self._raw, ""
        return raw

    def reset(self) -> None:
        self._raw = ""

    def _ranking(self) -> _Ranking:
        if self._generation != self.dictionary.generation:
            self._memory.clear()
            self._generation = self.dictionary.generation
        found = self._memory.get(self._raw)
        if found is None:
            found = _rank(self.dictionary, self._raw)
            self._memory[self._raw] = found
            if len(self._memory) > RANKING_MEMORY:
                self._memory.popitem(last=False)
        else:
            self._memory.move_to_end(self._raw)
        return found


def _rank(dictionary: PinyinDictionary, raw: str) -> _Ranking:
    """Every candidate for the composing text `raw`, best first, and its display form."""
    letters = Letters(raw)
    seg = Segmenter(dictionary.table, letters)
    total = sum(ch != "'" for ch in raw)
    # letters consumed -> characters of raw consumed (the apostrophes among them included)
    after = [0] * (total + 1)
    k = 0
    for i, ch in enumerate(raw):
        if ch != "'":
            k += 1
        after[k] = i + 1

    scored: list[tuple[tuple, Candidate, tuple[int, ...]]] = []
    for path, key in _nodes(dictionary, seg, None, 0):
        end = path[-1].end
        ends = tuple(t.end for t in path)
        for text, freq, sylls, inexact in _matches(dictionary.entries(key), path):
            order = (end != total, -end, inexact > 0, -freq, text)
            scored.append((order, Candidate(text, "'".join(sylls), after[end]), ends))
    for text, sylls, ends, inexact, freq in _compose(dictionary, seg):
        order = (ends[-1] != total, -ends[-1], inexact > 0, -freq, text)
        scored.append((order, Candidate(text, "'".join(sylls), after[ends[-1]]), ends))

    scored.sort(key=lambda s: s[0])
    seen: set[str] = set()
    ranked: list[Candidate] = []
    best_ends: tuple[int, ...] | None = None
    for _, cand, ends in scored:
        if cand.text in seen:
            continue
        seen.add(cand.text)
        ranked.append(cand)
        if best_ends is None and ends[-1] == total:
            best_ends = ends
    if best_ends is None:
        best_ends = tuple(t.end for t in seg.best_path())
    return _Ranking(tuple(ranked), _display(raw, best_ends, seg.reach, total))


def _nodes(dictionary: PinyinDictionary, seg: Segmenter, before: Token | None,
           start: int) -> Iterator[tuple[tuple[Token, ...], str]]:
    """Every token path from letter `start` (after token `before`) that some entry may read,
    ending where the rest of the letters can still be read; with its key (first letters)."""
    max_depth = dictionary.max_syllables

    def visit(path: tuple[Token, ...], key: str) -> Iterator[tuple[tuple[Token, ...], str]]:
        last = path[-1] if path else before
        for tok in seg.next_tokens(last, path[-1].end if path else start):
            k2 = key + tok.text[0]
            if not dictionary.leads_somewhere(k2) or not seg.completes(tok):
                continue
            p2 = (*path, tok)
            yield p2, k2
            if len(p2) < max_depth:
                yield from visit(p2, k2)

    return visit((), "")


def _matches(entries: Iterable[Entry], path: tuple[Token, ...]) -> Iterator[Entry4]:
    """(text, frequency, syllables, inexact) of the entries that `path` reads, in their order;
    inexact counts the tokens that are not the whole syllable (abbreviated or unfinished)."""
    for text, freq, sylls in entries:
        inexact = 0
        for tok, syl in zip(path, sylls, strict=True):
            if syl == tok.text:
                continue
            if tok.grows and syl.startswith(tok.text):
                inexact += 1
                continue
            break
        else:
            yield text, freq, sylls, inexact


def _compose(dictionary: PinyinDictionary, seg: Segmenter) -> list[Phrase]:
    """The likeliest runs of two or more words reading all the letters that can be read, for input
    no single entry covers (`xinxigongkai` → 信息公开, `zfxx` → 政府信息, `woxiangzhidao` →
    我想知道).

    Readings with fewer inexact syllables (abbreviated or unfinished) come first, so `...ju` ends
    in 局 (ju) rather than 军 (jun); then each word scores its jieba frequency over the total (a
    unigram model), which makes one long word beat two short ones unless the pair is far more
    common. A phrase ranks with the other candidates by that product, so it comes first only when
    no real word competes; and phrases are offered only when the likeliest reading of all is one
    (for `zhengfu` it is the word 政府, so no 正府). The unigram model cannot know that 政府 goes
    with 信息 rather than with the more frequent 学校, hence `PHRASES` of them rather than one.
    """
    if seg.reach == 0 or seg.reach > COMPOSE_LIMIT:
        return []
    total = dictionary.total_frequency
    # a reading: ((-inexact syllables, log probability), ((entry, token ends), ...)); greater is better
    memo: dict[tuple[Token | None, int], list[tuple[tuple[int, float], tuple]]] = {}

    def best(before: Token | None, start: int) -> list[tuple[tuple[int, float], tuple]]:
        if start == seg.reach:
            return [((0, 0.0), ())]
        state = (before, start)
        if state in memo:
            return memo[state]
        found: list[tuple[tuple[int, float], tuple]] = []
        for path, key in _nodes(dictionary, seg, before, start):
            rest = best(path[-1], path[-1].end)
            if not rest:
                continue
            ends = tuple(t.end for t in path)
            for m in itertools.islice(_matches(dictionary.entries(key), path), PHRASES):
                inexact, logp = m[3], math.log(m[1] / total)
                found += [((score[0] - inexact, score[1] + logp), ((m, ends), *words))
                          for score, words in rest]
        found.sort(key=lambda f: f[0], reverse=True)
        kept: list[tuple[tuple[int, float], tuple]] = []
        texts: set[str] = set()
        for score, words in found:
            text = "".join(w[0][0] for w in words)
            if text not in texts:
                texts.add(text)
                kept.append((score, words))
                if len(kept) == PHRASES:
                    break
        memo[state] = kept
        return kept

    readings = best(None, 0)
    if not readings or len(readings[0][1]) < 2:
        return []
    out: list[Phrase] = []
    for score, words in readings:
        if len(words) < 2:
            continue
        text = "".join(w[0][0] for w in words)
        sylls = tuple(s for w in words for s in w[0][2])
        ends = tuple(e for w in words for e in w[1])
        out.append((text, sylls, ends, -score[0], total * math.exp(score[1])))
    return out


def _display(raw: str, ends: tuple[int, ...], reach: int, total: int) -> str:
    """`raw` with an apostrophe at each token end (the citizen's own apostrophes kept)."""
    cuts = {e for e in ends if 0 < e < total}
    if 0 < reach < total:
        cuts.add(reach)
    out: list[str] = []
    k = 0
    for ch in raw:
        if ch == "'":
            if out and out[-1] != "'":
                out.append("'")
            continue
        if k in cuts and out and out[-1] != "'":
            out.append("'")
        out.append(ch)
        k += 1
    return "".join(out)
