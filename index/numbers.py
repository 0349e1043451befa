"""Keys that make an index number (索引号) or document number (文号) findable however it is typed.

People copy numbers from paper, screens and memory: `宿政办〔2008〕12号` arrives as
`宿政办[2008]12号`, `宿政办（2008）12号`, `宿政办【2008】12号`, with full-width digits, or as
`宿政办 2008 12`. Two keys per number absorb this:

- the *exact* key: folded (see `fold`), every bracket style made `(`…`)`, whitespace removed;
- the *loose* key: only letters, digits and ideographs, with the `号` suffix dropped, so
  `临教 2024 15` and `临教〔2024〕15号` agree.

A query whose key equals an item's key finds that item first.
"""

from __future__ import annotations

import re

from .fold import CJK_CLASS, fold

_OPEN = "〔[【(（［｛{〈<《「『"
_CLOSE = "〕]】)）］｝}〉>》」』"
_BRACKETS = str.maketrans({**{c: "(" for c in _OPEN}, **{c: ")" for c in _CLOSE}})
_NOT_KEY = re.compile(f"[^0-9a-z{CJK_CLASS}]+")
_SPACE = re.compile(r"\s+")
_DIGIT = re.compile(r"[0-9]")


def exact_key(number: str) -> str:
    """Bracket-, width- and case-insensitive form of a number, spaces removed."""
    return _SPACE.sub("", fold(number).translate(_BRACKETS))


def loose_key(number: str) -> str:
    """Only the letters, digits and ideographs of a number, without a trailing 号."""
    key = _NOT_KEY.sub("", fold(number))
    return key[:-1] if key.endswith("号") else key


def keys_for(number: str | None) -> list[str]:
    """The distinct keys under which an item's number is indexed (none for an empty number)."""
    if not number or not number.strip():
        return []
    keys = [exact_key(number), loose_key(number)]
    return [k for i, k in enumerate(keys) if k and k not in keys[:i]]


def looks_like_number(query: str) -> bool:
    """Whether a query could be an index or document number: it holds digits and is short."""
    return bool(_DIGIT.search(fold(query))) and len(query.strip()) <= 80
