"""Whatever a citizen types, the candidate bar never breaks and only ever offers Han text."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.ime import Composer

HAN = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+$")
KEYS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz'", max_size=30) | st.text(
    alphabet="aeginouzhxshFGZ'", max_size=70)

RUN = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@RUN
@given(keys=KEYS)
def test_any_letters_give_han_candidates(dictionary, keys):
    composer = Composer(dictionary)
    for key in keys:
        composer.type(key)
    letters = composer.composing.replace("'", "")
    assert composer.display.replace("'", "") == letters
    for cand in composer.candidates(limit=60):
        assert HAN.match(cand.text), cand
        assert len(cand.pinyin.split("'")) == len(cand.text)
        assert 0 < cand.consumed <= len(composer.composing)


@RUN
@given(keys=KEYS, picks=st.lists(st.integers(min_value=0, max_value=40), max_size=12))
def test_choosing_always_makes_progress(dictionary, keys, picks):
    composer = Composer(dictionary)
    for key in keys:
        composer.type(key)
    field = ""
    for pick in picks:
        page = composer.candidates(limit=41)
        if not page:
            break
        before = composer.composing
        field += composer.choose(min(pick, len(page) - 1))
        assert len(composer.composing) < len(before)
        assert before.endswith(composer.composing)
    assert field == "" or HAN.match(field)
    rest = composer.composing
    assert composer.commit_raw() == rest
    assert composer.composing == ""


@RUN
@given(keys=KEYS)
def test_backspace_undoes_each_key(dictionary, keys):
    composer = Composer(dictionary)
    taken = sum(composer.type(k) for k in keys)
    assert len(composer.composing) <= taken
    while composer.composing:
        assert composer.backspace() is True
    assert composer.backspace() is False
    assert composer.candidates() == []
