"""The reader: one item in large type, its attachments page by page, and the way to print.

Catalogue text is shown as data (labels without markup). A long body is shown paragraph by
paragraph, more as the reader scrolls, so a huge document never becomes one texture too large for
the graphics card. The text size goes up and down with A+ / A−, and back to normal on every new
visit (see `KioskApp.wipe`).
"""

from __future__ import annotations

from kivy.properties import NumericProperty, ObjectProperty, StringProperty
from kivy.uix.button import Button
from kivy.uix.label import Label
from kivy.uix.screenmanager import Screen

from index.model import Item
from printing.linebreak import paragraphs

CHUNK = 30  # paragraphs added at a time
ZOOMS = (1.0, 1.25, 1.5, 2.0)


class BodyParagraph(Label):
    pass


class AttachmentLink(Button):
    """A button that opens one attachment in the page viewer."""

    attachment = ObjectProperty(None, allownone=True)


class ReaderScreen(Screen):
    item: Item | None = ObjectProperty(None, allownone=True)
    title = StringProperty("")
    meta = StringProperty("")
    zoom = NumericProperty(1.0)

    def show(self, item: Item) -> None:
        self.item = item
        self.title = item.title
        parts = [f"索引号：{item.id}", f"发布机构：{item.agency}"]
        if item.doc_number:
            parts.append(f"文号：{item.doc_number}")
        parts.append(f"发布日期：{item.published_date}")
        self.meta = "　".join(parts)
        self._paragraphs = (paragraphs(item.body) or paragraphs(item.summary or "")
                            or ["（本条目无正文，请查阅附件。）"])
        body = self.ids.body
        body.clear_widgets()
        self._shown = 0
        self._more()
        self.ids.scroller.scroll_y = 1
        box = self.ids.attachments
        box.clear_widgets()
        for a in item.attachments:
            box.add_widget(AttachmentLink(text=f"附件：{a.name}", attachment=a))

    def _more(self) -> None:
        end = min(len(self._paragraphs), self._shown + CHUNK)
        for para in self._paragraphs[self._shown:end]:
            self.ids.body.add_widget(BodyParagraph(text=("　　" + para) if para else ""))
        self._shown = end

    def on_scroll(self, scroll_y: float) -> None:
        if scroll_y < 0.05 and self.item is not None and self._shown < len(self._paragraphs):
            self._more()

    def bigger(self) -> None:
        self.zoom = next((z for z in ZOOMS if z > self.zoom), ZOOMS[-1])

    def smaller(self) -> None:
        self.zoom = next((z for z in reversed(ZOOMS) if z < self.zoom), ZOOMS[0])

    def wipe(self) -> None:
        self.item = None
        self.title = self.meta = ""
        self.ids.body.clear_widgets()
        self.ids.attachments.clear_widgets()
        self.zoom = 1.0


class AttachmentScreen(Screen):
    """One attachment, a page at a time, as the printer would put it on paper."""

    page = NumericProperty(1)
    pages = NumericProperty(0)
    source = StringProperty("")
    message = StringProperty("")
