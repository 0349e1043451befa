"""Page ranges as people write them: "1-3", "5", "2,4-6", "8-" (to the end)."""

from __future__ import annotations

import re

from .errors import PrintError

_PART = re.compile(r"^\s*(\d+)?\s*(?:([-~－—至到])\s*(\d+)?)?\s*$")


def parse_pages(spec: str | None, total: int) -> list[int]:
    """The 1-based page numbers `spec` selects from a document of `total` pages, in order, once each.

    None or blank selects every page. Ranges may use "-", "~", "－" or 至; "3-" runs to the end and
    "-3" starts at the first page. A page beyond the document, a reversed range or anything else
    unreadable raises `PrintError` that says how many pages the document has.
    """
    if spec is None or not spec.strip():
        return list(range(1, total + 1))
    chosen: set[int] = set()
    for part in re.split(r"[,，、;；\s]+", spec.strip()):
        if not part:
            continue
        m = _PART.match(part)
        if not m or (m.group(1) is None and m.group(3) is None):
            raise _bad(spec, total)
        lo = int(m.group(1)) if m.group(1) else 1
        hi = (int(m.group(3)) if m.group(3) else total) if m.group(2) else lo
        if not 1 <= lo <= hi <= total:
            raise _bad(spec, total)
        chosen.update(range(lo, hi + 1))
    if not chosen:
        raise _bad(spec, total)
    return sorted(chosen)


def _bad(spec: str, total: int) -> PrintError:
    return PrintError(
        f"页码范围“{spec}”无效：本件共 {total} 页，请输入如 1-3 或 2,5 的页码。",
        f"invalid page range '{spec}': the document has {total} pages; use e.g. 1-3 or 2,5.",
        kind="pages")
