"""Where a hit matched: highlight spans and a short passage around them.

Spans are found on the folded text (same length as the original), so they index the original
text exactly: a Traditional document found by a Simplified query highlights its own characters.
A snippet is plain text plus spans into it, never markup: the text may itself contain `[b]` or
`<em>`, and the screen, the CLI and JSON callers each mark the spans their own way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import pinyin
from .fold import fold

SNIPPET_CHARS = 90
_BOUNDARY = "。！？；\n"
_ALNUM = re.compile(r"[0-9a-z]")


@dataclass
class Snippet:
    text: str
    highlights: list[tuple[int, int]] = field(default_factory=list)
    field: str = "body"


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def _find_all(haystack: str, needle: str, *, whole_word: bool) -> list[tuple[int, int]]:
    out = []
    i = haystack.find(needle)
    while i >= 0:
        end = i + len(needle)
        if not whole_word or (
                (i == 0 or not _ALNUM.match(haystack[i - 1]))
                and (end >= len(haystack) or not _ALNUM.match(haystack[end]))):
            out.append((i, end))
        i = haystack.find(needle, i + 1)
    return out


def spans(text: str, strings: list[str], pinyin_keys: list[str] = (),
          readings: str | None = None) -> list[tuple[int, int]]:
    """Character spans of `text` that match the query's strings (and, for titles, pinyin keys,
    with `readings` the title's syllable stream as indexed, if known: see `pinyin.match_spans`).

    A multi-character string that does not occur whole is marked by its bigrams, which is how
    the index matched it.
    """
    folded = fold(text)
    found: list[tuple[int, int]] = []
    for s in strings:
        if not s:
            continue
        ascii_word = s.isascii()
        hits = _find_all(folded, s, whole_word=ascii_word)
        if not hits and len(s) > 2 and not ascii_word:
            for i in range(len(s) - 1):
                hits += _find_all(folded, s[i:i + 2], whole_word=False)
        found += hits
    for key in pinyin_keys:
        found += pinyin.match_spans(text, key, readings)
    return _merge(found)


def make(text: str, marks: list[tuple[int, int]], fieldname: str,
         width: int = SNIPPET_CHARS) -> Snippet:
    """A passage of about `width` characters around the densest cluster of marks."""
    if not marks:
        clip = text[:width]
        return Snippet(_flat(clip) + ("…" if len(text) > width else ""), [], fieldname)
    best, best_count = marks[0][0], 0
    for s, _e in marks:
        count = sum(1 for a, b in marks if a >= s and b <= s + width)
        if count > best_count:
            best, best_count = s, count
    start = max(0, best - width // 5)
    window = text[start:best]
    cut = max(window.rfind(c) for c in _BOUNDARY)
    if cut >= 0:
        start += cut + 1
    end = min(len(text), start + width)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    rel = [(max(s, start) - start + len(prefix), min(e, end) - start + len(prefix))
           for s, e in marks if e > start and s < end]
    return Snippet(prefix + _flat(text[start:end]) + suffix, rel, fieldname)


def _flat(text: str) -> str:
    """One line: newlines and tabs become spaces (lengths unchanged, so spans stay valid)."""
    return text.replace("\r", " ").replace("\n", " ").replace("\t", " ")
