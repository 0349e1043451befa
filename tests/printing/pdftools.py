"""Reading printed PDFs back with the tools a person would use: poppler and zbar."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path


def text(pdf: Path, *, layout: bool = False, page: int | None = None) -> str:
    args = ["pdftotext", "-enc", "UTF-8"]
    if layout:
        args.append("-layout")
    if page is not None:
        args += ["-f", str(page), "-l", str(page)]
    return subprocess.run([*args, str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def pages(pdf: Path) -> int:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", out, re.M).group(1))


def page_size_mm(pdf: Path) -> tuple[float, float]:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    w, h = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+)", out, re.M).groups()
    return float(w) / 72 * 25.4, float(h) / 72 * 25.4


def fonts(pdf: Path) -> list[dict]:
    """pdffonts rows: name, type, emb, sub."""
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines()[2:]:
        cols = line.split()
        # name type [subtype words] encoding emb sub uni object ID
        rows.append({"name": cols[0], "type": cols[1], "emb": cols[-5], "sub": cols[-4]})
    return rows


def qr_codes(pdf: Path, tmp: Path, page: int = 1) -> list[str]:
    """The QR codes zbarimg reads off the rendered page."""
    stem = tmp / f"qr-{pdf.stem}-{page}"
    subprocess.run(["pdftoppm", "-r", "150", "-f", str(page), "-l", str(page), "-png",
                    "-singlefile", str(pdf), str(stem)], check=True)
    out = subprocess.run(["zbarimg", "-q", "--raw", f"{stem}.png"], capture_output=True, text=True,
                         check=False)  # zbarimg exits 4 when it finds no code
    return [line for line in out.stdout.splitlines() if line]
