"""The reader: one item in large type, its attachments page by page, and the way to print.

Catalogue text is shown as data (labels without markup). A long body is shown paragraph by
paragraph, more as the reader scrolls, so a huge document never becomes one texture too large for
the graphics card. The text size goes up and down with A+ / A−, and back to normal on every new
visit (see `KioskApp.wipe`). The size the citizen chose multiplies the large-text switch's.

Labels of the metadata ("索引号：…") are ours and follow the language; what they label is data.
"""

from __future__ import annotations

from kivy.properties import NumericProperty, ObjectProperty, StringProperty
from kivy.uix.button import Button
from kivy.uix.screenmanager import Screen

from index.model import Item
from printing.linebreak import paragraphs

from .cjklabel import CJKLabel
from .lang import tr

CHUNK = 30  # paragraphs added at a time
ZOOMS = (1.0, 1.25, 1.5, 2.0)


class BodyParagraph(CJKLabel):
    pass


class AttachmentLink(Button):
    """A button that opens one attachment in the page viewer."""

    attachment = ObjectProperty(None, allownone=True)


class ReaderScreen(Screen):
    item: Item | None = ObjectProperty(None, allownone=True)
    title = StringProperty("")
    meta = StringProperty("")
    zoom = NumericProperty(1.0)

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self._paragraphs: list[str] = []
        self._shown = 0
        tr.on_switch(self._retell)

    def show(self, item: Item) -> None:
        self.item = item
        self.title = item.title
        self._paragraphs = paragraphs(item.body) or paragraphs(item.summary or "")
        body = self.ids.body
        body.clear_widgets()
        self._shown = 0
        self._more()
        self._retell()
        self.ids.scroller.scroll_y = 1
        box = self.ids.attachments
        box.clear_widgets()
        for a in item.attachments:
            box.add_widget(AttachmentLink(attachment=a))

    def _retell(self) -> None:
        """The metadata labels, and the note for an item without text, in the current language."""
        item = self.item
        if item is None:
            return
        parts = [tr._("索引号：{id}", id=item.id), tr._("发布机构：{agency}", agency=item.agency)]
        if item.doc_number:
            parts.append(tr._("文号：{number}", number=item.doc_number))
        parts.append(tr._("发布日期：{date}", date=item.published_date))
        self.meta = "　".join(parts)
        if not self._paragraphs and self.ids.body.children:  # the note _more() put there
            self.ids.body.children[0].text = tr._("（本条目无正文，请查阅附件。）")

    def _more(self) -> None:
        if not self._paragraphs:  # nothing to read here: say so, in the current language
            self.ids.body.add_widget(BodyParagraph(text=tr._("（本条目无正文，请查阅附件。）")))
            return
        end = min(len(self._paragraphs), self._shown + CHUNK)
        for para in self._paragraphs[self._shown:end]:
            self.ids.body.add_widget(BodyParagraph(text=para))  # indented by its kv rule
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
        self._paragraphs, self._shown = [], 0
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

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self._problem = ""
        tr.on_switch(self._retell)

    def tell(self, problem: str) -> None:
        """Why no page is shown: "missing" (not downloaded yet), "unreadable", or "" (pages)."""
        self._problem = problem
        self._retell()

    def _retell(self) -> None:
        self.message = {"missing": tr._("该附件尚未下载到本机，请稍后再试。"),
                        "unreadable": tr._("该附件无法在本机显示。")}.get(self._problem, "")
