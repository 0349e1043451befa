"""Character-level text folding for search.

Folding maps each character to exactly one character, so a position in folded text is the same
position in the original: highlights computed on folded text point into what the citizen sees.
It unifies what a reader considers "the same letter":

- Traditional to Simplified (信息公開 → 信息公开), from OpenCC's `t2s` character table. Phrase-level
  conversions (資訊 → 信息) are deliberately not applied: they change lengths and are regional word
  choices rather than script differences.
- full-width ASCII to half-width (２０２４ → 2024), the ideographic space to a space,
- the many dashes to `-`, and Latin letters to lower case.
"""

from __future__ import annotations

import functools
import re

# CJK blocks we fold and tokenize: Unified Ideographs and Extension A, the compatibility block,
# and the supplementary-plane extensions (B–F and the compatibility supplement).
CJK_RANGES: tuple[tuple[int, int], ...] = (
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x20000, 0x2FA1F),
)
CJK_CLASS = "".join(f"{chr(a)}-{chr(b)}" for a, b in CJK_RANGES)
CJK_RUN = re.compile(f"[{CJK_CLASS}]+")

_DASHES = "‐‑‒–—―−﹣－"


@functools.cache
def _table() -> dict[int, str]:
    """Build the fold table once per process (about 30 ms, most of it OpenCC)."""
    import opencc  # imported here: only processes that search or index pay for it

    chars = [chr(c) for a, b in CJK_RANGES for c in range(a, b + 1)]
    converted = opencc.OpenCC("t2s").convert("\n".join(chars)).split("\n")
    table: dict[int, str] = {}
    if len(converted) == len(chars):
        for src, dst in zip(chars, converted, strict=True):
            if src != dst and len(dst) == 1:
                table[ord(src)] = dst
    for c in range(0xFF01, 0xFF5F):  # full-width ASCII
        table[c] = chr(c - 0xFEE0)
    table[0x3000] = " "
    for d in _DASHES:
        table[ord(d)] = "-"
    for c in range(ord("A"), ord("Z") + 1):
        table[c] = chr(c + 32)
    # Full-width capitals were mapped to half-width capitals above; lower them too.
    for c in range(0xFF21, 0xFF3B):
        table[c] = chr(c - 0xFEE0 + 32)
    return table


def fold(text: str) -> str:
    """Fold `text` for matching; the result has exactly the same length."""
    return text.translate(_table())
