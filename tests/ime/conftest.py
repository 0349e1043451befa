"""The input-method dictionary, built once per test session with the real default parameters."""

from __future__ import annotations

import pytest

from kiosk.ime import BuildParams, Composer, PinyinDictionary

SMALL = BuildParams(min_word_freq=5000)  # for tests that build again and again: about a second each


@pytest.fixture(scope="session")
def ime_cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("ime-cache")


@pytest.fixture(scope="session")
def dictionary(ime_cache_dir) -> PinyinDictionary:
    """The default dictionary (about 300,000 words), built into the session's cache directory."""
    return PinyinDictionary.load(ime_cache_dir)


@pytest.fixture(scope="session")
def small_cache(tmp_path_factory):
    """A cache file of the SMALL dictionary, built once; tests copy it rather than rebuild."""
    return PinyinDictionary.load(tmp_path_factory.mktemp("ime-small"), SMALL).source


@pytest.fixture
def composer(dictionary) -> Composer:
    return Composer(dictionary)


def typed(composer: Composer, letters: str) -> Composer:
    composer.reset()
    for ch in letters:
        composer.type(ch)
    return composer


def texts(composer: Composer, letters: str, limit: int = 30) -> list[str]:
    return [c.text for c in typed(composer, letters).candidates(limit)]


NOT_OFFERED = 10**6


def rank_of(composer: Composer, letters: str, text: str, limit: int = 30) -> int:
    """Where `text` is among the first `limit` candidates for `letters` (NOT_OFFERED if absent)."""
    found = texts(composer, letters, limit)
    return found.index(text) if text in found else NOT_OFFERED
