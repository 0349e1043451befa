"""The "还在使用吗？" countdown shown over any screen when the citizen seems to have left."""

from __future__ import annotations

from collections.abc import Callable

from kivy.lang import Builder
from kivy.properties import NumericProperty
from kivy.uix.modalview import ModalView

from . import lang, theme  # noqa: F401  (the rule below uses `tr` and `theme`)

Builder.load_string("""
<IdleOverlay>:
    auto_dismiss: False
    size_hint: 0.7, 0.5
    background: ""
    background_color: theme.surface
    overlay_color: theme.dim
    BoxLayout:
        orientation: "vertical"
        padding: "40dp"
        spacing: "24dp"
        canvas.before:
            Color:
                rgba: theme.surface
            Rectangle:
                pos: self.pos
                size: self.size
            Color:
                rgba: theme.line
            Line:
                rectangle: self.x, self.y, self.width, self.height
                width: 2
        Label:
            id: question
            text: tr._("您还在使用吗？")
            font_name: "KioskCJK"
            font_size: sp(40) * theme.scale
            color: theme.ink
        Label:
            id: seconds
            text: tr._("{n} 秒后将返回首页，并清除您的输入和浏览内容。", n=root.left)
            font_name: "KioskCJK"
            font_size: sp(28) * theme.scale
            color: theme.hit
            text_size: self.width, None
            halign: "center"
        Button:
            id: keep
            text: tr._("继续使用")
            font_name: "KioskCJK"
            font_size: sp(34) * theme.scale
            size_hint_y: None
            height: "110dp"
            background_normal: ""
            background_down: ""
            background_color: theme.primary if self.state == "normal" else theme.pressed
            color: theme.primary_text if self.state == "normal" else theme.ink
            on_release: root.keep()
""")


class IdleOverlay(ModalView):
    left = NumericProperty(0)

    def __init__(self, on_continue: Callable[[], None], **kw) -> None:
        super().__init__(**kw)
        self._on_continue = on_continue
        self.shown = False

    def show(self, left: int) -> None:
        self.left = left
        if not self.shown:
            self.shown = True
            self.open(animation=False)

    def keep(self) -> None:
        self._on_continue()

    def dismiss(self, *args, **kw) -> None:
        if self.shown:
            self.shown = False
            super().dismiss(animation=False)

    def on_touch_down(self, touch):
        # any touch on the dimmed screen means "I am still here"
        super().on_touch_down(touch)
        self._on_continue()
        return True
