"""The "还在使用吗？" countdown shown over any screen when the citizen seems to have left."""

from __future__ import annotations

from collections.abc import Callable

from kivy.lang import Builder
from kivy.properties import NumericProperty
from kivy.uix.modalview import ModalView

Builder.load_string("""
<IdleOverlay>:
    auto_dismiss: False
    size_hint: 0.7, 0.5
    background_color: (0, 0, 0, 0.6)
    BoxLayout:
        orientation: "vertical"
        padding: "40dp"
        spacing: "24dp"
        canvas.before:
            Color:
                rgba: (1, 1, 1, 1)
            Rectangle:
                pos: self.pos
                size: self.size
        Label:
            id: question
            text: "您还在使用吗？"
            font_name: "KioskCJK"
            font_size: "40sp"
            color: (0.1, 0.1, 0.12, 1)
        Label:
            id: seconds
            text: f"{root.left} 秒后将返回首页，并清除您的输入和浏览内容。"
            font_name: "KioskCJK"
            font_size: "28sp"
            color: (0.7, 0.07, 0.1, 1)
            text_size: self.width, None
            halign: "center"
        Button:
            id: keep
            text: "继续使用"
            font_name: "KioskCJK"
            font_size: "34sp"
            size_hint_y: None
            height: "110dp"
            background_normal: ""
            background_color: (0.1, 0.45, 0.25, 1)
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
