"""A private X display (Xvfb, with Mesa's OpenGL) for tests that run the real touch app."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest


@pytest.fixture(scope="session")
def display():
    """Start Xvfb on a free display number; yield an environment that points at it."""
    if not shutil.which("Xvfb"):
        pytest.fail("Xvfb is missing: run `make test`, which installs it (package xvfb)")
    read, write = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as f:
        number = f.readline().strip()
    assert number, "Xvfb did not report a display number"
    env = dict(os.environ, DISPLAY=f":{number}", KCFG_KIVY_LOG_LEVEL="warning")
    yield env
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="session", autouse=True)
def pinyin_cache(sample_catalogue):
    """Build the pinyin dictionary once into the sample data directory that UI tests copy, as
    `make demo` does for its kiosk; otherwise every test's kiosk would build it afresh."""
    from kiosk.ime import PinyinDictionary

    PinyinDictionary.load(sample_catalogue.data_dir / "cache")
