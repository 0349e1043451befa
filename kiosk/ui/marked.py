"""Catalogue text as Kivy markup: the text escaped, only our own highlights interpreted.

Labels that show search hits need markup for the highlights, and catalogue text is data: an item
titled `[b]x[/b]` must show those characters. So every piece of catalogue text is escaped first
and the highlight tags are added around the escaped pieces.

The highlight colour is the theme's (`theme.hit_hex`), read when the markup is made: kv rules
pass `theme.hit_hex` themselves so that they are re-run when the look changes.
"""

from __future__ import annotations

from collections.abc import Sequence

from kivy.utils import escape_markup

from .theme import theme


def marked(text: str, spans: Sequence[Sequence[int]] = (), color: str | None = None) -> str:
    color = color or theme.hit_hex
    out, pos = [], 0
    for start, end in sorted(tuple(s) for s in spans):
        if start < pos or end <= start:
            continue
        out.append(escape_markup(text[pos:start]))
        out.append(f"[b][color={color}]{escape_markup(text[start:end])}[/color][/b]")
        pos = end
    out.append(escape_markup(text[pos:]))
    return "".join(out)
