"""The look of the screens as Kivy properties: colours by role, and the text scale.

kv rules write `color: theme.ink` and `font_size: sp(26) * theme.scale`; switching to high
contrast or to large text sets these properties and every bound rule follows. A wipe (idle)
returns to the normal look, as the next citizen expects.
"""

from __future__ import annotations

from kivy.event import EventDispatcher
from kivy.lang import global_idmap
from kivy.properties import BooleanProperty, ColorProperty, NumericProperty, StringProperty

from .palette import HIGH_CONTRAST, NORMAL, hex_of

LARGE = 1.3
"""The large-text switch's factor. 26 sp body text becomes about 34 sp."""


class Theme(EventDispatcher):
    high_contrast = BooleanProperty(False)
    large = BooleanProperty(False)
    scale = NumericProperty(1.0)
    hit_hex = StringProperty(hex_of(NORMAL["hit"]))
    """The highlight colour as markup wants it, for `kiosk.ui.marked`."""

    paper = ColorProperty(NORMAL["paper"])
    surface = ColorProperty(NORMAL["surface"])
    pressed = ColorProperty(NORMAL["pressed"])
    ink = ColorProperty(NORMAL["ink"])
    muted = ColorProperty(NORMAL["muted"])
    title = ColorProperty(NORMAL["title"])
    primary = ColorProperty(NORMAL["primary"])
    primary_text = ColorProperty(NORMAL["primary_text"])
    bar = ColorProperty(NORMAL["bar"])
    bar_text = ColorProperty(NORMAL["bar_text"])
    hit = ColorProperty(NORMAL["hit"])
    line = ColorProperty(NORMAL["line"])
    dim = ColorProperty(NORMAL["dim"])

    def on_high_contrast(self, _instance, value: bool) -> None:
        palette = HIGH_CONTRAST if value else NORMAL
        for role, rgba in palette.items():
            setattr(self, role, rgba)
        self.hit_hex = hex_of(palette["hit"])

    def on_large(self, _instance, value: bool) -> None:
        self.scale = LARGE if value else 1.0

    def reset(self) -> None:
        self.high_contrast = False
        self.large = False


theme = Theme()
global_idmap["theme"] = theme
