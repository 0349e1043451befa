"""`CJKLabel`: a Kivy Label that breaks Chinese lines by the printers' rules, not anywhere.

Kivy wraps a line without spaces wherever the width runs out, so on screen a line may begin with
"，" or "。" or end with "（" or "《" — the first thing a Chinese reader notices, and something our
printouts never do (`printing.linebreak`). This label breaks its text itself with the same
`break_lines`, measured by Kivy's own text provider in the label's own font and size, and hands
Kivy the lines joined by explicit newlines, each no wider than the wrap width, so Kivy never has
to wrap. `text` keeps what the caller set (tests and the driver find the label by it); the lines
are what is drawn.

It wraps exactly where a Label would: only when `text_size` gives a width (`text_size: self.width,
None`); without one, it is an ordinary Label. `texture_size`, `height: self.texture_size[1]`,
halign, valign, padding and markup work as before:

- `markup: False` (catalogue text): the text is shown literally, as with any Label;
- `markup: True` (search hits made by `kiosk.ui.marked`): the tags and escapes are kept and the
  breaks go between the characters they stand for. Widths are measured in the regular face; the
  kiosk's font has no bold face and Kivy's synthetic bold keeps the advances, so highlights in
  `[b]` do not change where lines break. `[size=]`, `[font=]`, `[sub]`, `[sup]` are not measured;
- `indent`: ideographic spaces (U+3000) before the first line of each paragraph (首行缩进), as
  on the printouts; they are part of what is drawn, so `strip` (and halign justify, which
  implies it) would remove them;
- `shorten` hands the text to Kivy unbroken, since shortening needs one line.

When the rules leave no place to break (a line that is one unbreakable chain), closing
punctuation hangs past the right margin as `break_lines` allows (悬挂): the texture is made
that much wider and placed as if it were not, so the other lines keep their alignment.

Speed: the width of every character and Latin run is asked of the provider once per font and
size and remembered (CJK glyphs are all one width in practice; Latin is not, so runs are measured
whole, with their kerning); each drawn line is measured once more whole to catch rounding. A
paragraph of 3,000 characters is broken in about 15 ms; Kivy's own wrapping of it takes 250 ms.

Switching a kv Label: write `CJKLabel:` for `Label:` and keep every other line (`text_size:
self.width, None`, `size_hint_y: None`, `height: self.texture_size[1]`, `markup`, `font_name`,
`font_size`, colours). Kv files need no `#:import`: the class is known to kv once this module is
imported, which app.py does before it loads them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from kivy.core.text import Label as CoreLabel
from kivy.lang import Builder
from kivy.properties import NumericProperty
from kivy.uix.label import Label
from kivy.utils import get_hex_from_color

from printing.linebreak import CANNOT_START, break_lines

IDEOGRAPHIC_SPACE = "\u3000"
ROUNDING_PROBE = "国"  # a full-width glyph: half its width bounds a line's rounding error
HANG_GLYPHS = 2  # punctuation hangs at most this many full-width glyphs past the margin (」。)
MEASURE_MEMORY = 50_000  # widths remembered per font and size before the memory starts again

# Label's own drawing (kivy/data/style.kv), with the texture placed as if hanging punctuation
# were not there; `<-CJKLabel>` replaces the rule CJKLabel would inherit from Label.
Builder.load_string("""
<-CJKLabel>:
    canvas:
        Color:
            rgba: 1, 1, 1, 1
        Rectangle:
            texture: self.texture
            size: self.texture_size
            pos: (int(self.center_x - (self.texture_size[0] - self.hang) / 2.), \
                  int(self.center_y - self.texture_size[1] / 2.))
""")

Measure = Callable[[str], float]

# the options that change a glyph's advance, as Kivy's core label takes them
_FONT_OPTIONS = ("font_name", "font_size", "bold", "italic", "font_hinting", "font_kerning",
                 "font_context", "font_family", "font_features")


class _Measurer:
    """Widths of text in one font and size, from Kivy's text provider, remembered."""

    def __init__(self, options: dict) -> None:
        self._core = CoreLabel(**options)
        self._core.resolve_font_name()
        self._extents = self._core.get_extents
        self._widths: dict[str, float] = {}

    def __call__(self, text: str) -> float:
        width = self._widths.get(text)
        if width is None:
            width = self._extents(text)[0]
            if len(self._widths) >= MEASURE_MEMORY:
                self._widths.clear()
            self._widths[text] = width
        return width

    def whole(self, text: str) -> float:
        """The width of a whole line as the provider lays it out (kerning and rounding included)."""
        return self._extents(text)[0] if text else 0


_measurers: dict[tuple, _Measurer] = {}


def measurer(**options) -> _Measurer:
    """The shared measurer for a font and size (`font_name`, `font_size`, …; see _FONT_OPTIONS)."""
    key = tuple(options.get(name) for name in _FONT_OPTIONS)
    found = _measurers.get(key)
    if found is None:
        found = _measurers[key] = _Measurer({k: v for k, v in zip(_FONT_OPTIONS, key, strict=True)
                                             if v is not None})
    return found


# --- breaking ------------------------------------------------------------------------------------

_TAG = re.compile(r"(\[.*?\])")  # how Kivy's MarkupLabel cuts markup into tags and text
_ENTITY = re.compile(r"&bl;|&br;|&amp;|.", re.DOTALL)
_PLAIN = {"&bl;": "[", "&br;": "]", "&amp;": "&"}
_TAGS = frozenset({"[b]", "[/b]", "[i]", "[/i]", "[u]", "[/u]", "[s]", "[/s]", "[/size]",
                   "[/color]", "[/font]", "[/font_family]", "[/font_context]", "[/font_features]",
                   "[/text_language]", "[/sub]", "[/sup]", "[/ref]"})
_TAG_PREFIXES = ("[size=", "[color=", "[font=", "[font_family=", "[font_context=",
                 "[font_features=", "[text_language=", "[sub]", "[sup]", "[ref=", "[anchor=")


def _is_tag(item: str) -> bool:
    return item in _TAGS or item.startswith(_TAG_PREFIXES)


def _markup_pieces(markup: str) -> list[tuple[str, str | None]]:
    """Markup as (source, character) pieces in order: a tag has no character, an escape such as
    `&bl;` stands for one, any other character for itself."""
    pieces: list[tuple[str, str | None]] = []
    for item in _TAG.split(markup):
        if not item:
            continue
        if _is_tag(item):
            pieces.append((item, None))
        else:
            pieces += [(tok, _PLAIN.get(tok, tok)) for tok in _ENTITY.findall(item)]
    return pieces


def _line_spans(paragraph: str, lines: list[str]) -> list[tuple[int, int]]:
    """Where each line of `break_lines` lies in its paragraph (only spaces fall between them)."""
    spans, pos = [], 0
    for line in lines:
        start = paragraph.find(line, pos) if line else pos
        spans.append((start, start + len(line)))
        pos = start + len(line)
    return spans


def _hangs(line: str) -> bool:
    return bool(line) and line[-1] in CANNOT_START


def _break_paragraph(paragraph: str, width: float, first_width: float, measure: _Measurer
                     ) -> tuple[list[str], float]:
    """`break_lines`, then a check of each line measured whole: if rounding or kerning makes a
    line a few pixels wider than the width, break again that much narrower, so that Kivy never
    wraps a line of its own accord. Returns the lines and how far the widest passes its width
    by hanging punctuation (0 or less when none does). A line wider still is something
    `break_lines` should not have let through (it hangs the piece of a cut URL that begins with
    "." as if it were punctuation): it is left for Kivy to wrap rather than run off the screen."""
    slack = measure(ROUNDING_PROBE) / 2  # more than rounding and kerning, less than a glyph
    narrower = 0.0
    for _ in range(3):
        lines = break_lines(paragraph, width - narrower, measure, first_width - narrower)
        over = [measure.whole(line) - (first_width if i == 0 else width)
                for i, line in enumerate(lines)]
        worst = max((o for o, line in zip(over, lines, strict=True)
                     if o <= slack and not _hangs(line)), default=0.0)
        if worst <= 0:
            break
        narrower += worst
    cap = HANG_GLYPHS * measure(ROUNDING_PROBE)
    return lines, max((o for o in over if o <= cap), default=0.0)


def layout(text: str, width: float, measure: _Measurer, *, markup: bool = False,
           indent: int = 0) -> tuple[str, list[str], float]:
    """`text` broken for a wrap width: (what Kivy is given, the plain lines drawn, hang).

    `hang` is how far the widest line passes `width` by hanging punctuation, 0 in most texts.
    Paragraphs (explicit newlines) are broken one by one; spaces at a break are dropped.
    """
    pieces = _markup_pieces(text) if markup else [(ch, ch) for ch in text]
    plain = "".join(ch for _, ch in pieces if ch is not None)
    lead = IDEOGRAPHIC_SPACE * max(0, int(indent))
    first_width = width - (measure(lead) if lead else 0)
    breaks: set[int] = set()  # plain offsets a new line starts at
    kept: list[bool] = [False] * len(plain)  # plain characters drawn (spaces at breaks are not)
    starts: set[int] = set()  # plain offsets a non-empty paragraph starts at (for the indent)
    drawn: list[str] = []
    hang = 0.0
    offset = 0
    for paragraph in plain.split("\n"):
        lines, over = _break_paragraph(paragraph, width, first_width, measure)
        hang = max(hang, over)
        for n, ((start, end), line) in enumerate(zip(_line_spans(paragraph, lines), lines,
                                                     strict=True)):
            if n:
                breaks.add(offset + start)
            for i in range(offset + start, offset + end):
                kept[i] = True
            drawn.append(lead + line if n == 0 and lead and paragraph else line)
        if lead and paragraph:
            starts.add(offset)
        offset += len(paragraph)
        if offset < len(plain):
            kept[offset] = True  # the newline between paragraphs
            offset += 1
    out: list[str] = []
    i = 0
    for source, ch in pieces:
        if ch is None:
            out.append(source)
            continue
        if i in breaks:
            out.append("\n")
        if i in starts:
            out.append(lead)
        if kept[i]:
            out.append(source)
        i += 1
    return "".join(out), drawn, max(0.0, hang)


# --- the widget ----------------------------------------------------------------------------------

class CJKLabel(Label):
    """A Label whose text is broken by Chinese line-breaking rules; see the module docstring."""

    indent = NumericProperty(0)
    """Ideographic spaces before the first line of each paragraph (2 for body text)."""

    hang = NumericProperty(0)
    """Pixels by which hanging punctuation passes the wrap width (read-only; set when drawn)."""

    def __init__(self, **kwargs) -> None:
        self.lines: list[str] = []  # the lines drawn, as plain text (tests read them)
        self._laid: tuple | None = None
        super().__init__(**kwargs)
        self.fbind("indent", lambda *_a: self._trigger_texture())

    def _wrap_width(self) -> float | None:
        width = self.text_size[0]
        if width is None or self.shorten:
            return None
        pad = self.padding
        return float(math.floor(width - pad[0] - pad[2]))

    def _measurer(self) -> _Measurer:
        return measurer(**{name: getattr(self, name) for name in _FONT_OPTIONS})

    def texture_update(self, *largs) -> None:
        label = self._label
        width = self._wrap_width()
        if width is None:  # nothing to wrap: Kivy's own behaviour
            self.lines, self._laid = [], None
            self.hang = 0
            label.usersize = self.text_size
            if not self.markup:
                label.text = self.text
            super().texture_update(*largs)
            return
        measure = self._measurer()
        key = (self.text, self.markup, width, self.indent, measure)
        if self._laid is None or self._laid[0] != key:
            self._laid = (key, layout(self.text, width, measure, markup=self.markup,
                                      indent=int(self.indent)))
        shown, self.lines, hang = self._laid[1]
        self.hang = math.ceil(hang)
        label.usersize = (self.text_size[0] + self.hang, self.text_size[1])
        if self.markup:
            self._markup_texture(shown)
        else:
            label.text = shown
            super().texture_update(*largs)

    def _markup_texture(self, shown: str) -> None:
        # Label.texture_update's markup branch reads `self.text`; this one draws the broken lines
        label = self._label
        self.texture = None
        if not shown or ((self.halign == "justify" or self.strip) and not shown.strip()):
            self.texture_size = (0, 0)
            self.is_shortened = False
            self.refs, label._refs = {}, {}
            self.anchors, label._anchors = {}, {}
            return
        if self.halign == "justify" or self.strip:
            shown = shown.strip()
        color = get_hex_from_color(self.disabled_color if self.disabled else self.color)
        label.text = f"[color={color}]{shown}[/color]"
        label.refresh()
        if label.texture:
            label.texture.bind()
        self.refs = label.refs
        self.anchors = label.anchors
        if label.texture is not None:
            self.texture = label.texture
            self.texture_size = list(label.texture.size)
        self.is_shortened = label.is_shortened
