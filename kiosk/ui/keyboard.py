"""The on-screen keyboard: pinyin with a candidate bar, Latin letters, digits, punctuation.

There is no physical keyboard at a kiosk and no system input method, so this panel is how a
citizen writes: it docks at the bottom of the screen whenever a text box has the focus, and what
its keys produce goes into that box. In 中 mode letters compose pinyin (`kiosk.ime.Composer`)
and the candidate bar offers words and characters, most frequent first; a tap on a candidate puts
it in the box. In 英 mode letters go straight in. Digits and common Chinese punctuation are always
one tap away. A physical keyboard, when there is one, still types into the box as usual.

The pinyin dictionary loads in the background at start-up (or is built the first time, about ten
seconds); until it is ready, letters go straight in and the bar says so.

The keys that carry words (删除, 空格, 收起) and the bar's notes follow the language switch; the
keys that type something show what they type.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button

from ..ime import Composer, PinyinDictionary, load_in_background
from . import theme  # noqa: F401  (the rules below use `theme`)
from .lang import tr

ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")
PUNCTUATION = "，。？！、：；（）"
CANDIDATES = 8

Builder.load_string("""
<Key>:
    font_name: "KioskCJK"
    font_size: sp(30) * theme.scale
    background_normal: ""
    background_down: ""
    background_color: theme.surface if self.state == "normal" else theme.pressed
    color: theme.ink
    markup: False

<CandidateKey>:
    font_name: "KioskCJK"
    font_size: sp(32) * theme.scale
    size_hint_x: None
    width: max(self.texture_size[0] + dp(36), dp(72))
    background_normal: ""
    background_down: ""
    background_color: theme.surface if self.state == "normal" else theme.pressed
    color: theme.title if self.state == "normal" else theme.ink
    markup: False

<OnScreenKeyboard>:
    orientation: "vertical"
    padding: "8dp"
    spacing: "6dp"
    canvas.before:
        Color:
            rgba: theme.pressed
        Rectangle:
            pos: self.pos
            size: self.size
    BoxLayout:
        size_hint_y: None
        height: "72dp"
        spacing: "6dp"
        Label:
            id: composing
            text: root.composing or root.note
            font_name: "KioskCJK"
            font_size: sp(26) * theme.scale
            color: theme.ink
            size_hint_x: None
            width: max(self.texture_size[0] + dp(24), dp(140))
            markup: False
        BoxLayout:
            id: candidates
            spacing: "6dp"
        Key:
            id: more
            text: "›"
            size_hint_x: None
            width: "72dp"
            on_release: root.next_page()
""")


class Key(Button):
    pass


class CandidateKey(Button):
    pass


class OnScreenKeyboard(BoxLayout):
    target = ObjectProperty(None, allownone=True)  # the focused TextInput
    chinese = BooleanProperty(True)
    composing = StringProperty("")
    note = StringProperty("")

    def __init__(self, cache_dir: Path, **kw) -> None:
        super().__init__(**kw)
        self._composer: Composer | None = None
        self._offset = 0
        self._words: list[tuple[Key, Callable[[], str]]] = []
        self._note_of: Callable[[], str] = lambda: tr._("拼音输入法准备中……")
        self.note = self._note_of()
        tr.on_switch(self._retell)
        future: Future[PinyinDictionary] = load_in_background(cache_dir)
        future.add_done_callback(lambda f: Clock.schedule_once(lambda _dt: self._loaded(f)))
        self._build_keys()

    def _loaded(self, future: Future[PinyinDictionary]) -> None:
        try:
            self._composer = Composer(future.result())
            self._tell(lambda: "")
        except Exception as e:  # letters still type; the bar says why there is no Chinese
            self._tell(lambda: tr._("拼音输入法不可用"))
            print(f"kiosk: pinyin dictionary unavailable: {e}", flush=True)

    def _tell(self, note: Callable[[], str]) -> None:
        self._note_of = note
        self.note = note()

    def _retell(self) -> None:
        self.note = self._note_of()
        for key, words in self._words:
            key.text = words()

    def _word_key(self, words: Callable[[], str], **kw) -> Key:
        """A key that says what it does, in the language of the moment."""
        key = Key(text=words(), **kw)
        self._words.append((key, words))
        return key

    def _build_keys(self) -> None:
        for n, row in enumerate(ROWS):
            line = BoxLayout(spacing="6dp")
            if n == 3:
                line.add_widget(self._word_key(lambda: tr._("中/英"),
                                               on_release=lambda _b: self.toggle_mode()))
            for ch in row:
                line.add_widget(Key(text=ch, on_release=lambda b: self.press(b.text)))
            if n == 3:
                line.add_widget(self._word_key(lambda: tr._("删除"),
                                               on_release=lambda _b: self.backspace()))
            self.add_widget(line)
        bottom = BoxLayout(spacing="6dp")
        for ch in PUNCTUATION:
            bottom.add_widget(Key(text=ch, on_release=lambda b: self.insert(b.text)))
        bottom.add_widget(self._word_key(lambda: tr._("空格"), size_hint_x=3,
                                         on_release=lambda _b: self.space()))
        bottom.add_widget(self._word_key(lambda: tr._("收起"), size_hint_x=2,
                                         on_release=lambda _b: self.hide()))
        self.add_widget(bottom)

    # --- keys ----------------------------------------------------------------------------------

    def press(self, key: str) -> None:
        if key.isdigit() or not self.chinese or self._composer is None:
            self._commit_composing()
            self.insert(key)
            return
        self._composer.type(key)
        self._offset = 0
        self._refresh()

    def insert(self, text: str) -> None:
        if self.target is not None:
            self.target.insert_text(text)

    def backspace(self) -> None:
        if self._composer is not None and self._composer.backspace():
            self._refresh()
        elif self.target is not None:
            self.target.do_backspace()

    def space(self) -> None:
        if self._composer is not None and self._composer.composing:
            self._commit_composing()
        else:
            self.insert(" ")

    def toggle_mode(self) -> None:
        self._commit_composing()
        self.chinese = not self.chinese
        self._tell((lambda: "") if self.chinese else (lambda: tr._("英文输入")))

    def choose(self, index: int) -> None:
        if self._composer is None:
            return
        self.insert(self._composer.choose(index))
        self._offset = 0
        self._refresh()

    def next_page(self) -> None:
        if self._composer is not None and self._composer.composing:
            self._offset += CANDIDATES
            if not self._composer.candidates(CANDIDATES, self._offset):
                self._offset = 0
            self._refresh()

    def hide(self) -> None:
        self._commit_composing()
        if self.target is not None:
            self.target.focus = False

    def reset(self) -> None:
        if self._composer is not None:
            self._composer.reset()
        self._offset = 0
        self._refresh()

    def _commit_composing(self) -> None:
        if self._composer is not None and self._composer.composing:
            self.insert(self._composer.commit_raw())
            self._refresh()

    def _refresh(self) -> None:
        bar = self.ids.candidates
        bar.clear_widgets()
        composer = self._composer
        self.composing = composer.display if composer is not None else ""
        if composer is None or not composer.composing:
            return
        for i, c in enumerate(composer.candidates(CANDIDATES, self._offset)):
            bar.add_widget(CandidateKey(text=c.text,
                                        on_release=lambda _b, n=self._offset + i: self.choose(n)))
