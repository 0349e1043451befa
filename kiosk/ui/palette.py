"""The screens' colours, by role, in the normal and the high-contrast look.

Roles rather than colours, so a kv rule says what a colour is for (`theme.ink`, `theme.primary`)
and the high-contrast switch changes every screen at once. Free of Kivy so the contrast of every
text/background pair can be checked against WCAG 2.x on its own (`tests/ui/test_palette.py`):
at least 4.5:1 for text in both looks, 7:1 in high contrast (WCAG AAA, beyond the AA the issue
asks, since the switch exists for people who need it).
"""

from __future__ import annotations

RGBA = tuple[float, float, float, float]


def _hex(code: str) -> RGBA:
    return (int(code[0:2], 16) / 255, int(code[2:4], 16) / 255, int(code[4:6], 16) / 255, 1.0)


NORMAL: dict[str, RGBA] = {
    "paper": _hex("f7f7f2"),      # screen background
    "surface": _hex("ffffff"),    # tiles, result rows, form fields
    "pressed": _hex("dbe5f2"),    # a row or tile while touched; chips
    "ink": _hex("1a1a1f"),        # body text on paper or surface
    "muted": _hex("4f4f57"),      # secondary text on paper or surface
    "title": _hex("1c3a5e"),      # headings and result titles on paper or surface
    "primary": _hex("1c3a5e"),    # button background
    "primary_text": _hex("ffffff"), # button text
    "bar": _hex("1c3a5e"),        # the header bar
    "bar_text": _hex("ffffff"),
    "hit": _hex("b5121b"),        # highlighted search words, errors
    "line": _hex("1c3a5e"),       # borders of boxes
    "dim": (0, 0, 0, 0.55),       # behind an overlay
}

HIGH_CONTRAST: dict[str, RGBA] = {
    "paper": _hex("000000"),
    "surface": _hex("000000"),
    "pressed": _hex("333333"),
    "ink": _hex("ffffff"),
    "muted": _hex("e6e6e6"),
    "title": _hex("ffeb3b"),
    "primary": _hex("ffeb3b"),
    "primary_text": _hex("000000"),
    "bar": _hex("000000"),
    "bar_text": _hex("ffeb3b"),
    "hit": _hex("7fffd4"),
    "line": _hex("ffffff"),
    "dim": (0, 0, 0, 0.8),
}

TEXT_PAIRS = [("ink", "paper"), ("ink", "surface"), ("muted", "paper"), ("muted", "surface"),
              ("title", "paper"), ("title", "surface"), ("primary_text", "primary"),
              ("bar_text", "bar"), ("hit", "surface"), ("ink", "pressed")]
"""Every (text, background) pair the screens use, for the contrast check."""


def luminance(c: RGBA) -> float:
    def channel(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(v) for v in c[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: RGBA, b: RGBA) -> float:
    """WCAG contrast ratio of two opaque colours, 1 to 21."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def hex_of(c: RGBA) -> str:
    """A colour as Kivy markup wants it: rrggbb."""
    return "".join(f"{round(v * 255):02x}" for v in c[:3])
