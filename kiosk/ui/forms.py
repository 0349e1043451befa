"""Big form widgets for the screens where a citizen writes: the application wizard and the status
lookup.

A field is a label, one large text box and, under it, the message of what is wrong with it, in
red and in words (the messages come from `kiosk.applications.validation`; nothing here judges a
value). Boxes get the on-screen keyboard from the app and tell it which mode suits them: a name or
a description starts in pinyin, a number or an e-mail address in Latin letters, so a citizen does
not have to find the 中/英 key first. The keyboard has no `@`, `.` or `-`, so a field can carry
a few extra keys of its own beside the box (`extras`).

Choices (载体形式, 获取方式 …) are rows of big toggle buttons whose state is shown by a mark as well
as by colour, for eyes that do not tell the colours apart.

Labels are Chinese and pass through `tr._` in the kv rules, so a language switch relabels them;
what the citizen typed is data and is never translated or read as markup.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from kivy.app import App
from kivy.clock import Clock
from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import BooleanProperty, ListProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.scrollview import ScrollView
from kivy.uix.textinput import TextInput

from . import cjklabel  # noqa: F401  (FormLabel below is a CJKLabel)
from .lang import tr

Builder.load_string("""
<FormLabel@CJKLabel>:
    font_name: "KioskCJK"
    font_size: sp(24) * theme.scale
    color: theme.ink
    markup: False
    halign: "left"
    valign: "middle"
    size_hint_y: None
    text_size: self.width, None
    height: self.texture_size[1] + dp(8)

<FormHeading@FormLabel>:
    font_size: sp(28) * theme.scale
    color: theme.title
    bold: True

<FormButton>:
    font_name: "KioskCJK"
    font_size: sp(26) * theme.scale
    markup: False
    size_hint: None, None
    height: dp(80) * max(1, theme.scale)
    width: max(self.texture_size[0] + dp(48), dp(140))
    background_normal: ""
    background_down: ""
    background_disabled_normal: ""
    background_color: theme.pressed if self.state == "down" else theme.surface
    color: theme.title
    canvas.after:
        Color:
            rgba: theme.line
        Line:
            rectangle: self.x + 1, self.y + 1, self.width - 2, self.height - 2
            width: 1.5

<FormPrimary>:
    font_name: "KioskCJK"
    font_size: sp(30) * theme.scale
    markup: False
    size_hint: None, None
    height: dp(88) * max(1, theme.scale)
    width: max(self.texture_size[0] + dp(64), dp(220))
    background_normal: ""
    background_down: ""
    background_disabled_normal: ""
    background_color: theme.primary
    color: theme.primary_text
    opacity: 0.45 if self.disabled else 1

<FormToggle>:
    font_name: "KioskCJK"
    font_size: sp(26) * theme.scale
    markup: False
    size_hint: None, None
    height: dp(80) * max(1, theme.scale)
    width: self.texture_size[0] + dp(48)
    text: ("● " if self.chosen else "○ ") + tr._(self.label)
    background_normal: ""
    background_down: ""
    background_color: theme.primary if self.chosen else theme.surface
    color: theme.primary_text if self.chosen else theme.ink
    canvas.after:
        Color:
            rgba: theme.line
        Line:
            rectangle: self.x + 1, self.y + 1, self.width - 2, self.height - 2
            width: 2 if self.chosen else 1

<FormInput>:
    font_name: "KioskCJK"
    font_size: sp(30) * theme.scale
    background_normal: ""
    background_active: ""
    background_color: theme.surface
    foreground_color: theme.ink
    cursor_color: theme.ink
    hint_text_color: theme.muted
    padding: dp(14), dp(12)
    write_tab: False
    canvas.after:
        Color:
            rgba: theme.hit if self.wrong else theme.line
        Line:
            rectangle: self.x + 1, self.y + 1, self.width - 2, self.height - 2
            width: 3 if (self.focus or self.wrong) else 1.5

<FormField>:
    orientation: "vertical"
    size_hint_y: None
    height: self.minimum_height
    spacing: "4dp"
    FormLabel:
        text: tr._(root.label) + (tr._("（选填）") if root.optional else "")
    BoxLayout:
        id: row
        size_hint_y: None
        height: (sp(30) * theme.scale * 1.3) * (3 if root.multiline else 1) + dp(28)
        spacing: "8dp"
        FormInput:
            id: box
            multiline: root.multiline
            hint_text: tr._(root.hint) if root.hint else ""
            wrong: bool(root.error)
    FormLabel:
        id: error
        text: root.error
        color: theme.hit
        height: self.texture_size[1] + dp(4) if self.text else 0

<FormChoice>:
    orientation: "vertical"
    size_hint_y: None
    height: self.minimum_height
    spacing: "6dp"
    FormLabel:
        text: tr._(root.label) + (tr._("（可以选多项）") if root.multi else "")
    StackLayout:
        id: options
        size_hint_y: None
        height: self.minimum_height
        spacing: "12dp"
    FormLabel:
        id: error
        text: root.error
        color: theme.hit
        height: self.texture_size[1] + dp(4) if self.text else 0
""")


class FormButton(Button):
    """A secondary action (上一步, 修改, 返回)."""


class FormPrimary(Button):
    """The one action a step leads to (下一步, 提交申请, 查询)."""


class FormToggle(Button):
    """One option of a `FormChoice`; `label` is the Chinese word of the form."""

    label = StringProperty("")
    value = StringProperty("")
    chosen = BooleanProperty(False)


class FormInput(TextInput):
    wrong = BooleanProperty(False)

    def wipe(self) -> None:
        """Empty, and forget the undo history too: it would hold the last citizen's words."""
        self.text = ""
        self.reset_undo()
        self.cancel_selection()


def prefer_keyboard(chinese: bool) -> None:
    """Put the on-screen keyboard in pinyin (`chinese`) or Latin mode for the box just focused."""
    kb = getattr(App.get_running_app(), "keyboard", None)
    if kb is not None and kb.chinese != chinese:
        kb.reset()  # nothing composing may move into this box
        kb.toggle_mode()


class FormField(BoxLayout):
    """A labelled text box with its own error line.

    `key` is the field's dotted API name (`applicant.id_number`), which is also how validation
    names its errors. `latin` fields start the keyboard in letter mode; `extras` are keys for
    characters the on-screen keyboard does not have.
    """

    label = StringProperty("")
    hint = StringProperty("")
    optional = BooleanProperty(False)
    multiline = BooleanProperty(False)
    latin = BooleanProperty(False)
    error = StringProperty("")

    def __init__(self, key: str, label: str, *, hint: str = "", optional: bool = False,
                 multiline: bool = False, latin: bool = False, extras: Sequence[str] = (),
                 **kw) -> None:
        super().__init__(label=label, hint=hint, optional=optional, multiline=multiline,
                         latin=latin, **kw)
        self.key = key
        self._problem: object | None = None
        box = self.ids.box
        box.bind(focus=self._focus)
        for text in extras:
            self.ids.row.add_widget(FormButton(text=text, height=self.ids.row.height,
                                               width=dp(90) if len(text) < 3 else dp(130),
                                               on_release=lambda b: self.type_extra(b.text)))
        tr.on_switch(self._show_problem)

    @property
    def box(self) -> FormInput:
        return self.ids.box

    @property
    def value(self) -> str:
        return self.ids.box.text

    def _focus(self, _box, focused: bool) -> None:
        if focused:
            prefer_keyboard(not self.latin)
            # once the keyboard has docked and the page has shrunk: keep this box in sight;
            # and again a little later, in case a busy machine laid the page out late
            Clock.schedule_once(self._keep_in_sight, 0.15)
            Clock.schedule_once(self._keep_in_sight, 0.8)
            Clock.schedule_once(self._keep_in_sight, 2.0)
        elif self.latin:  # pinyin is the keyboard's usual mode: leave it so for the next box
            prefer_keyboard(True)

    def _keep_in_sight(self, _dt: float) -> None:
        node = self.parent
        while node is not None and not isinstance(node, ScrollView):
            node = node.parent
        if node is not None:
            node.scroll_to(self, padding=dp(16), animate=False)

    def type_extra(self, text: str) -> None:
        box = self.ids.box
        if not box.focus:
            box.focus = True
        box.insert_text(text)

    def show(self, problem: object | None) -> None:
        """Show a validation problem (anything with `zh`/`en`), or clear it with None."""
        self._problem = problem
        self._show_problem()

    def _show_problem(self) -> None:
        self.error = tr.error(self._problem) if self._problem is not None else ""

    def wipe(self) -> None:
        self.ids.box.focus = False
        self.ids.box.wipe()
        self.show(None)


class FormChoice(BoxLayout):
    """A row of toggles: one value (`multi` False) or several; `options` maps each API value to
    its Chinese word on the paper form."""

    label = StringProperty("")
    multi = BooleanProperty(False)
    error = StringProperty("")
    chosen = ListProperty([])

    def __init__(self, key: str, label: str, options: dict[str, str], *, multi: bool = False,
                 default: Sequence[str] = (), **kw) -> None:
        super().__init__(label=label, multi=multi, **kw)
        self.key = key
        self.default = list(default)
        self.toggles: dict[str, FormToggle] = {}
        self._problem: object | None = None
        for value, word in options.items():
            toggle = FormToggle(label=word, value=value,
                                on_release=lambda t: self.toggle(t.value))
            self.toggles[value] = toggle
            self.ids.options.add_widget(toggle)
        self.chosen = list(self.default)
        tr.on_switch(self._show_problem)

    def on_chosen(self, _instance, chosen: list) -> None:
        for value, toggle in self.toggles.items():
            toggle.chosen = value in chosen

    def toggle(self, value: str) -> None:
        if not self.multi:
            self.chosen = [value]
        elif value in self.chosen:
            self.chosen = [v for v in self.chosen if v != value]
        else:
            self.chosen = [*self.chosen, value]
        if self._problem is not None:  # the citizen acted on the message; let it go
            self.show(None)

    @property
    def value(self) -> str | list[str] | None:
        """The chosen value (None when nothing is), or for `multi` the chosen values in the order
        of the options."""
        if self.multi:
            return [v for v in self.toggles if v in self.chosen]
        return self.chosen[0] if self.chosen else None

    def show(self, problem: object | None) -> None:
        self._problem = problem
        self._show_problem()

    def _show_problem(self) -> None:
        self.error = tr.error(self._problem) if self._problem is not None else ""

    def wipe(self) -> None:
        self.chosen = list(self.default)
        self.show(None)


def on_ui(fn: Callable[[], None]) -> None:
    """Run `fn` on Kivy's thread (from a background thread)."""
    Clock.schedule_once(lambda _dt: fn())


def long_date(iso: str | None) -> str:
    """A date as people write it, in the current language ("2026年3月11日")."""
    if not iso:
        return "—"
    try:
        d = dt.date.fromisoformat(iso[:10])
    except ValueError:
        return iso
    return tr._("{y}年{m}月{d}日", y=d.year, m=d.month, d=d.day)


def long_time(iso: str | None) -> str:
    """A moment as people write it: the date, then hours and minutes in the kiosk's time."""
    if not iso:
        return "—"
    try:
        t = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if t.tzinfo is not None:
        t = t.astimezone()
    return f"{long_date(t.date().isoformat())} {t:%H:%M}"
