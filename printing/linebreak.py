"""Breaking Chinese (and mixed) text into lines the way a Chinese printer would.

ReportLab's own CJK wrapping breaks anywhere, so a line may start with "，" or end with "（" — the
first thing a Chinese reader notices on a printout. This module does the line breaking itself so
that the rules are ours, testable without a PDF, and applied the same way to titles, metadata,
bodies and receipts:

- a line never begins with closing punctuation (`CANNOT_START`: ，。、；：？！）》」 …);
- a line never ends with opening punctuation (`CANNOT_END`: （《「 …);
- runs of Latin letters and digits (URLs, numbers, English words) stay whole unless a run alone is
  wider than the line;
- spaces at a break are dropped.

When a break falls at a forbidden place, the break moves back (the last characters go down to the
next line, 推出); only if the whole line is one unbreakable chain does the punctuation hang past
the margin (悬挂), which is the traditional fallback and never loses text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator

CANNOT_START = frozenset(
    "，。、；：？！）》」』】〕〉〗〙｝”’…—～·%‰"
    ",.;:?!)]}>"
    "ー々ゝゞ"
)
"""Characters a line may not begin with (closing punctuation, 行首禁则)."""

CANNOT_END = frozenset("（《「『【〔〈〖〘｛“‘([{<")
"""Characters a line may not end with (opening punctuation, 行尾禁则)."""

# Latin words, numbers, URLs and the like: kept whole when they fit.
_UNIT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/:@#&=?+\-]*|\s|.", re.DOTALL)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e\ufeff]")

Measure = Callable[[str], float]


def clean(text: str) -> str:
    """Text as it can be printed: tabs become spaces, control and direction characters go.

    Catalogue text is data from outside; a stray NUL or a right-to-left override must neither
    break the PDF nor reorder what is printed. Newlines (paragraph breaks) are kept.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    text = _CONTROL.sub("", text)
    return unicodedata.normalize("NFC", text)


def _units(text: str) -> list[str]:
    return _UNIT.findall(text)


def _split_wide(unit: str, width: float, measure: Measure) -> Iterator[str]:
    """A unit wider than a line (a very long URL) is cut into pieces that fit, character by character."""
    piece = ""
    for ch in unit:
        if piece and measure(piece + ch) > width:
            yield piece
            piece = ch
        else:
            piece += ch
    if piece:
        yield piece


def _allowed(units: list[str], k: int, cuts: frozenset[int] = frozenset()) -> bool:
    """Whether a line may end before units[k] (and after units[k-1]).

    Spaces vanish at a break, so the rules look past them to the visible neighbours: a break at
    the space in "公 。" would otherwise start the next line with "。". A unit in `cuts` is a
    continuation of a run too wide for a line (see `_split_wide`): breaking before it is how the
    run is made to fit, whatever character it begins with (a URL piece may begin with ".").
    """
    if k in cuts:
        return True
    after = k
    while after < len(units) and units[after].isspace():
        after += 1
    before = k - 1
    while before >= 0 and units[before].isspace():
        before -= 1
    if after < len(units) and units[after][0] in CANNOT_START:
        return False
    return before < 0 or units[before][-1] not in CANNOT_END


def break_lines(text: str, width: float, measure: Measure, first_width: float | None = None
                ) -> list[str]:
    """One paragraph (no newlines) as lines no wider than `width`, by `measure` (text → width).

    `first_width` is the first line's width when it differs (an indented first line). An empty
    paragraph gives one empty line, so blank lines keep their height. A line is wider than its
    width only when a closing punctuation mark has to hang (see module docs).
    """
    units: list[str] = []
    cut: set[int] = set()
    for unit in _units(text):
        if len(unit) > 1 and measure(unit) > width:
            pieces = list(_split_wide(unit, width, measure))
            cut.update(range(len(units) + 1, len(units) + len(pieces)))
            units.extend(pieces)
        else:
            units.append(unit)
    cuts = frozenset(cut)
    lines: list[str] = []
    start, n = 0, len(units)
    while start < n:
        # greedy: as many units as fit (at least one)
        k, used = start, 0.0
        limit = width if lines or first_width is None else first_width
        while k < n:
            w = measure(units[k])
            if k > start and used + w > limit:
                break
            used += w
            k += 1
        if k < n:
            back = k
            while back > start + 1 and not _allowed(units, back, cuts):
                back -= 1
            if _allowed(units, back, cuts):
                k = back
            else:  # one unbreakable chain: let closing punctuation hang rather than break the rule
                while k < n and k not in cuts and units[k][0] in CANNOT_START:
                    k += 1
        line = "".join(units[start:k]).rstrip()
        lines.append(line)
        start = k
        while start < n and units[start].isspace():  # spaces at a break vanish
            start += 1
    return lines or [""]


def paragraphs(text: str) -> list[str]:
    """Cleaned paragraphs of a body, without the leading spaces a source used as indent.

    The renderer indents every paragraph by two characters (首行缩进), so indents that came with
    the text (ASCII or full-width spaces) are dropped to avoid doubling them. Runs of blank lines
    become one blank paragraph.
    """
    out: list[str] = []
    for raw in clean(text).split("\n"):
        para = raw.strip(" \u3000\u00a0")
        if para or (out and out[-1]):
            out.append(para)
    while out and not out[-1]:
        out.pop()
    return out
