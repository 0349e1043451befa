"""Attachment pages as pictures, for reading on the touch screen.

The reader shows a PDF attachment page by page as images, which is what the citizen will get on
paper, rendered by poppler's `pdftoppm` (the same poppler the venue's tests read printouts with).
Pages are rendered once into a cache directory named by the file's SHA-256 and reused; a page is
written to a temporary name and renamed, so a crash never leaves half a picture to show.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from .errors import PrintError
from .stamp import kind_of

DPI = 110  # a page of A4 about 900 px wide: legible on a 1080p screen, cheap to render


def page_image(source: Path, sha256: str, page: int, cache_dir: Path, dpi: int = DPI) -> Path:
    """The PNG of page `page` (1-based) of the attachment; an image attachment is its own page."""
    if kind_of(source) == "image":
        return source
    out = cache_dir / sha256 / f"{dpi}-{page:04d}.png"
    if out.exists():
        return out
    if not shutil.which("pdftoppm"):
        raise PrintError("缺少 pdftoppm，无法显示附件。请安装 poppler-utils。",
                         "pdftoppm is missing; install poppler-utils.", kind="document")
    out.parent.mkdir(parents=True, exist_ok=True)
    stem = out.with_name(f".{out.stem}-partial")
    try:
        subprocess.run(["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-png",
                        "-singlefile", str(source), str(stem)], check=True, capture_output=True,
                       timeout=60)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as e:
        raise PrintError("附件页面无法显示，文件可能已损坏。请联系工作人员。",
                         f"the attachment page cannot be shown ({e}); the file may be damaged.",
                         kind="document") from e
    stem.with_suffix(".png").replace(out)
    return out
