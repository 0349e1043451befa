"""Catalogue text as Kivy markup: the text escaped, only our own highlights interpreted.

Labels that show search hits need markup for the highlights, and catalogue text is data: an item
titled `[b]x[/b]` must show those characters. So every piece of catalogue text is escaped first
and the highlight tags are added around the escaped pieces.
"""

from __future__ import annotations

from kivy.utils import escape_markup

HIGHLIGHT = "b5121b"


def marked(text: str, spans: list[tuple[int, int]] | tuple = (), color: str = HIGHLIGHT) -> str:
    out, pos = [], 0
    for start, end in sorted(spans):
        if start < pos or end <= start:
            continue
        out.append(escape_markup(text[pos:start]))
        out.append(f"[b][color={color}]{escape_markup(text[start:end])}[/color][/b]")
        pos = end
    out.append(escape_markup(text[pos:]))
    return "".join(out)
