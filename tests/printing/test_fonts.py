"""The CJK font is a TrueType one (ReportLab can embed it) and its absence is explained."""

from __future__ import annotations

import struct

import pytest

from printing import PrintError, find_cjk_font
from printing.fonts import truetype_face


def fake_font(path, tag: bytes, tables: list[bytes]):
    header = tag + struct.pack(">HHHH", len(tables), 0, 0, 0)
    path.write_bytes(header + b"".join(t.ljust(16, b"\0") for t in tables))
    return path


def test_the_system_font_found_is_truetype():
    font = find_cjk_font()
    assert truetype_face(font.path) == font.subfont_index


def test_cff_fonts_are_refused_and_truetype_accepted(tmp_path):
    assert truetype_face(fake_font(tmp_path / "a.otf", b"OTTO", [b"CFF ", b"cmap"])) is None
    assert truetype_face(fake_font(tmp_path / "b.ttf", b"\0\1\0\0", [b"glyf", b"cmap"])) == 0
    (tmp_path / "c.ttf").write_text("not a font")
    assert truetype_face(tmp_path / "c.ttf") is None


def test_no_usable_font_names_the_package(monkeypatch, tmp_path):
    from printing import fonts

    monkeypatch.setattr(fonts, "_fontconfig_candidates", lambda: [])
    monkeypatch.setattr(fonts, "KNOWN_PATHS", ())
    monkeypatch.setenv("KIOSK_CJK_FONT", str(fake_font(tmp_path / "x.otf", b"OTTO", [b"CFF "])))
    fonts.find_cjk_font.cache_clear()
    try:
        with pytest.raises(PrintError) as err:
            fonts.find_cjk_font()
        assert "fonts-wqy-microhei" in err.value.zh and "fonts-wqy-microhei" in err.value.en
    finally:
        fonts.find_cjk_font.cache_clear()
