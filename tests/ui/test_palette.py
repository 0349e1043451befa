"""Every text colour the screens use is readable on its background, in both looks (WCAG 2.x)."""

from __future__ import annotations

import pytest

from kiosk.ui.palette import HIGH_CONTRAST, NORMAL, TEXT_PAIRS, contrast


@pytest.mark.parametrize("text,background", TEXT_PAIRS)
def test_text_is_readable_in_the_normal_look(text, background):
    ratio = contrast(NORMAL[text], NORMAL[background])
    assert ratio >= 4.5, f"{text} on {background}: {ratio:.2f}:1 is below WCAG AA (4.5:1)"


@pytest.mark.parametrize("text,background", TEXT_PAIRS)
def test_text_is_very_readable_in_high_contrast(text, background):
    ratio = contrast(HIGH_CONTRAST[text], HIGH_CONTRAST[background])
    assert ratio >= 7, f"{text} on {background}: {ratio:.2f}:1 is below WCAG AAA (7:1)"


def test_the_contrast_function_agrees_with_wcag_reference_values():
    black, white = (0.0, 0.0, 0.0, 1.0), (1.0, 1.0, 1.0, 1.0)
    assert contrast(black, white) == pytest.approx(21)
    assert contrast(white, white) == pytest.approx(1)
    grey = (0x77 / 255, 0x77 / 255, 0x77 / 255, 1.0)  # #777 on white: the well-known 4.48:1
    assert contrast(grey, white) == pytest.approx(4.48, abs=0.01)


def test_both_looks_define_every_role():
    assert set(NORMAL) == set(HIGH_CONTRAST)
    assert {role for pair in TEXT_PAIRS for role in pair} <= set(NORMAL)
