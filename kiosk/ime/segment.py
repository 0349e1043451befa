"""How typed letters split into pinyin syllables and abbreviations.

A citizen types `zhengfu`, `zf`, `zhengf` or `zfxx`; each must find 政府. The letters are cut into
*tokens*, each of which is one of:

- a syllable (`zheng`), which matches only itself,
- an abbreviation: an initial (`z`, `zh`, `f`, `y`, …) standing for any syllable it begins,
- at the very end of the input only, any beginning of a syllable (`zho` for `zhong`), because the
  citizen has not finished typing it. A complete last syllable may still grow too (`zhen` → `zheng`).

Two boundaries are refused because no typist means them, and allowing them floods the candidate
bar with nonsense: after an abbreviation, a letter that would simply continue that syllable
(`z|h` is `zh`, `f|an` is `fan`), and after a syllable, an abbreviation that could be glued onto it
(`zhe|n` is `zhen`, `fan|g` is `fang`). A syllable followed by a whole syllable stays ambiguous on
purpose: `xian` is both 先 and 西安, `fangan` both 方案 and 反感. An apostrophe typed by the citizen
(`xi'an`) is a boundary no rule overrides and no token crosses.

Everything here is pure and works on the syllable table stored in the dictionary cache, so the
kiosk never imports pypinyin at run time.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

VOWELS = frozenset("aeiouv")
MAX_SYLLABLE_LEN = 6  # zhuang, chuang, shuang


@dataclass(frozen=True, slots=True)
class Token:
    """A run of typed letters `letters[start:end]` read as (part of) one syllable."""

    text: str
    start: int
    end: int
    grows: bool  # may match longer syllables: an abbreviation, or the unfinished last token
    syllable: bool  # a complete pinyin syllable with a vowel (not an abbreviation, not a fragment)


class SyllableTable:
    """The pinyin syllables and initials, as derived from pypinyin's data when the cache was built."""

    def __init__(self, syllables: Iterable[str], initials: Iterable[str]) -> None:
        self.syllables = frozenset(syllables)
        self.initials = frozenset(initials)
        voiced = [s for s in self.syllables if VOWELS & set(s)]
        self.full = frozenset(voiced)
        self.voiced_prefixes = frozenset(s[:i] for s in voiced for i in range(1, len(s) + 1))
        self.prefixes = frozenset(s[:i] for s in self.syllables for i in range(1, len(s) + 1))

    def __len__(self) -> int:
        return len(self.syllables)


class Letters:
    """The composing letters prepared for matching: lowercase, `ü` spelled `u` after j/q/x/y.

    `boundaries` are the letter positions where the citizen typed an apostrophe; `open_end` says
    the last token may still grow (no apostrophe typed after it). Only the first `limit` letters are
    read: no word is longer, and it bounds the work however long the citizen keeps typing.
    """

    def __init__(self, raw: str, limit: int = 60) -> None:
        letters: list[str] = []
        boundaries: set[int] = set()
        self.truncated = False
        for ch in raw:
            if ch == "'":
                boundaries.add(len(letters))
                continue
            if len(letters) == limit:
                self.truncated = True
                break
            c = ch.lower()
            if c == "v" and letters and letters[-1] in "jqxy":
                c = "u"  # jv = ju: there is no jü to tell apart, both spellings are in use
            letters.append(c)
        self.text = "".join(letters)
        self.boundaries = frozenset(boundaries)
        self.open_end = not self.truncated and len(self.text) not in self.boundaries


class Segmenter:
    """The token paths through one input, under the boundary rules of this module."""

    def __init__(self, table: SyllableTable, letters: Letters) -> None:
        self.table = table
        self.letters = letters
        self.n = len(letters.text)
        self._tokens: dict[int, tuple[Token, ...]] = {}
        self._completes: dict[Token, bool] = {}
        self.reach = self._reachable_end()

    def tokens_at(self, i: int) -> tuple[Token, ...]:
        """Every token that may start at letter position `i`, shortest first."""
        if i in self._tokens:
            return self._tokens[i]
        t = self.table
        s = self.letters.text
        out: list[Token] = []
        for j in range(i + 1, min(self.n, i + MAX_SYLLABLE_LEN) + 1):
            piece = s[i:j]
            if piece not in t.prefixes:
                break
            last = j == self.n and self.letters.open_end
            if piece in t.syllables or piece in t.initials or last:
                out.append(Token(piece, i, j, grows=last or piece in t.initials,
                                 syllable=piece in t.full))
            if j in self.letters.boundaries:
                break  # an apostrophe follows: a longer token would cross it
        self._tokens[i] = tuple(out)
        return self._tokens[i]

    def allowed(self, before: Token | None, after: Token) -> bool:
        """Whether `after` may follow `before` (see the module docstring)."""
        if before is None or after.start in self.letters.boundaries:
            return True
        t = self.table
        if before.text in t.initials and not before.syllable:
            return before.text + after.text[0] not in t.voiced_prefixes
        if before.syllable and not after.syllable:
            return before.text + after.text[0] not in t.voiced_prefixes
        return True

    def next_tokens(self, before: Token | None, i: int) -> Iterator[Token]:
        for tok in self.tokens_at(i):
            if self.allowed(before, tok):
                yield tok

    def _reachable_end(self) -> int:
        """The furthest letter position some token path reaches from the start."""
        best = 0
        seen: set[tuple[int, str | None]] = set()
        stack: list[tuple[Token | None, int]] = [(None, 0)]
        while stack:
            before, i = stack.pop()
            key = (i, before.text if before else None)
            if key in seen:
                continue
            seen.add(key)
            best = max(best, i)
            for tok in self.next_tokens(before, i):
                stack.append((tok, tok.end))
        return best

    def completes(self, last: Token) -> bool:
        """Whether the letters after `last` can be read up to `reach` (so a choice never strands
        letters that no syllable can take, like the `ngfu` left over after `zhe` in `zhengfu`)."""
        done = self._completes.get(last)
        if done is None:
            done = last.end == self.reach or any(
                self.completes(tok) for tok in self.next_tokens(last, last.end))
            self._completes[last] = done
        return done

    def best_path(self) -> list[Token]:
        """One reading for display: fewest fragments, then fewest tokens, then longest first token."""

        @functools.cache
        def best(before: Token | None, i: int) -> tuple[tuple[int, int], tuple[Token, ...]] | None:
            if i == self.reach:
                return (0, 0), ()
            options = []
            for tok in self.next_tokens(before, i):
                rest = best(tok, tok.end)
                if rest is None:
                    continue
                (frag, count), path = rest
                options.append(((frag + (not tok.syllable), count + 1), (tok, *path)))
            if not options:
                return None
            return min(options, key=lambda o: (o[0], [-len(t.text) for t in o[1]]))

        found = best(None, 0)
        return list(found[1]) if found else []
