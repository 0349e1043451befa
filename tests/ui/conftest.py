"""A private X display (Xvfb, with Mesa's OpenGL) for tests that run the real touch app."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def display():
    """A private Xvfb (kiosk.xdisplay); yields an environment that points at it."""
    from kiosk.errors import KioskError
    from kiosk.xdisplay import private_display

    try:
        with private_display() as env:
            yield env
    except KioskError as exc:
        pytest.fail(exc.en)


@pytest.fixture(scope="session", autouse=True)
def pinyin_cache(sample_catalogue):
    """Build the pinyin dictionary once into the sample data directory that UI tests copy, as
    `make demo` does for its kiosk; otherwise every test's kiosk would build it afresh."""
    from kiosk.ime import PinyinDictionary

    PinyinDictionary.load(sample_catalogue.data_dir / "cache")
