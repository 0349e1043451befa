"""Finding a TrueType CJK font on the system, for the screen (Kivy) and for PDFs (ReportLab).

ReportLab can embed only TrueType outlines (`glyf`), not CFF/OpenType-PS outlines, which is what
Noto Sans CJK and Source Han Sans ship; so a font is accepted only if its table directory has
`glyf`. Candidates come from `KIOSK_CJK_FONT` (a path, for deployments that bring their own),
then fontconfig's list of fonts covering Chinese, then a few well-known Debian paths. A collection
(.ttc) is used through its first TrueType face.
"""

from __future__ import annotations

import functools
import os
import shutil
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .errors import PrintError

PREFERRED = ("wqy-microhei", "wqy-zenhei", "droidsansfallback", "uming", "ukai")
KNOWN_PATHS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
DEBIAN_PACKAGE = "fonts-wqy-microhei"


@dataclass(frozen=True)
class CJKFont:
    path: Path
    subfont_index: int  # the face inside a .ttc collection


def _faces(path: Path) -> list[int]:
    """Offsets of the font faces in a .ttf/.otf/.ttc file (empty if it is not a font)."""
    with open(path, "rb") as f:
        head = f.read(12)
        if head[:4] == b"ttcf":
            count = struct.unpack(">I", head[8:12])[0]
            return list(struct.unpack(f">{count}I", f.read(4 * min(count, 64))))
    return [0] if head[:4] in (b"\x00\x01\x00\x00", b"true", b"OTTO") else []


def _has_glyf(path: Path, offset: int) -> bool:
    with open(path, "rb") as f:
        f.seek(offset + 4)
        num_tables = struct.unpack(">H", f.read(2))[0]
        f.seek(offset + 12)
        tags = {f.read(16)[:4] for _ in range(num_tables)}
    return b"glyf" in tags


def truetype_face(path: Path) -> int | None:
    """Index of the first TrueType-outline face in the file, or None."""
    try:
        for i, offset in enumerate(_faces(path)):
            if _has_glyf(path, offset):
                return i
    except (OSError, struct.error):
        return None
    return None


def _fontconfig_candidates() -> list[Path]:
    if not shutil.which("fc-list"):
        return []
    try:
        out = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True,
                             timeout=10, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    files = {Path(line.split(":")[0].strip()) for line in out.splitlines() if line.strip()}

    def rank(p: Path) -> tuple[int, str]:
        name = p.name.lower().replace("-", "").replace("_", "")
        for i, pref in enumerate(PREFERRED):
            if pref.replace("-", "") in name:
                return i, str(p)
        return len(PREFERRED), str(p)

    return sorted(files, key=rank)


@functools.cache
def find_cjk_font() -> CJKFont:
    """The TrueType CJK font to use; raises `PrintError` naming the package to install."""
    candidates: list[Path] = []
    if env := os.environ.get("KIOSK_CJK_FONT"):
        candidates.append(Path(env))
    candidates += _fontconfig_candidates()
    candidates += [Path(p) for p in KNOWN_PATHS]
    for path in candidates:
        if path.is_file():
            face = truetype_face(path)
            if face is not None:
                return CJKFont(path, face)
    raise PrintError(
        f"找不到可用的中文 TrueType 字体。请安装：apt-get install {DEBIAN_PACKAGE}",
        f"no TrueType CJK font found. Install one: apt-get install {DEBIAN_PACKAGE} "
        "(or set KIOSK_CJK_FONT to a .ttf/.ttc with TrueType outlines)")


FONT_NAME = "KioskCJK"


@functools.cache
def register_cjk_font() -> str:
    """Register the CJK font with ReportLab (once) and return its name for canvases.

    ReportLab embeds a TrueType font as subsets of the glyphs a document uses, so a printout
    carries its own font and looks the same on any printer; `PrintError` if there is no font.
    """
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    font = find_cjk_font()
    try:
        pdfmetrics.registerFont(TTFont(FONT_NAME, str(font.path), subfontIndex=font.subfont_index))
    except Exception as e:  # ReportLab raises TTFError and plain errors for unreadable fonts
        raise PrintError(f"中文字体 {font.path} 无法使用：{e}",
                         f"the CJK font {font.path} cannot be used: {e}") from e
    return FONT_NAME
