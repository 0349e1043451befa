"""Profile evidence for the report: where the time of a missed budget goes, from `cProfile`.

cProfile (the standard library) rather than a sampling profiler, so `make bench` needs nothing
extra; its per-call overhead inflates Python-heavy code a little, so shares are what to read,
not absolute seconds. Two views are kept: the top functions by own time and by cumulative time,
and own time summed by where the code lives (whoosh, jieba, index, sqlite, kivy …), which says in
one line which layer a fix has to touch. A built-in's own time (zlib, marshal, list methods)
counts for the library that called it.
"""

from __future__ import annotations

import cProfile
import pstats
from collections import Counter
from collections.abc import Callable
from typing import Any

GROUPS = (
    ("whoosh", "whoosh/"), ("jieba", "jieba/"), ("pypinyin", "pypinyin/"), ("opencc", "opencc"),
    ("kivy", "kivy/"), ("reportlab", "reportlab/"), ("requests/http", "requests/"),
    ("requests/http", "urllib3/"), ("requests/http", "http/"), ("index", "/index/"),
    ("kiosk", "/kiosk/"), ("printing", "/printing/"), ("json", "json/"),
)


def _group(filename: str, name: str) -> str:
    for group, marker in GROUPS:
        if marker in filename:
            return group
    if filename == "~":  # built-ins: name them by what they are
        if "sqlite3" in name:
            return "sqlite"
        if "zlib" in name or "pickle" in name or "marshal" in name:
            return "builtins (zlib/pickle)"
        if "method 'acquire'" in name or "sleep" in name or "poll" in name or "select" in name:
            return "waiting"
        return "builtins"
    if "importlib" in filename or "<frozen" in filename:
        return "imports"
    return "other python"


def _scaffolding(func: tuple[str, int, str]) -> bool:
    """Frames of the bench itself and of the import machinery, which explain nothing."""
    return "/bench/" in func[0] or "<frozen importlib" in func[0] or func[2] in ("<lambda>", "exec")


def _label(func: tuple[str, int, str]) -> str:
    filename, line, name = func
    if filename == "~":
        return name
    short = filename
    for marker in ("site-packages/", "/work/main/", "lib/python3.11/"):
        if marker in short:
            short = short.split(marker, 1)[1]
            break
    return f"{short}:{line}({name})"


def summarise(profile: cProfile.Profile, top: int = 12) -> dict[str, Any]:
    """Top functions and own time by group, as plain data for results and docs."""
    stats = pstats.Stats(profile)
    raw: dict = stats.stats  # type: ignore[attr-defined]
    total = sum(tt for (_cc, _nc, tt, _ct, _callers) in raw.values()) or 1e-9
    groups: Counter[str] = Counter()
    rows = []
    for func, (_cc, ncalls, tt, ct, callers) in raw.items():
        rows.append((func, ncalls, tt, ct))
        group = _group(func[0], func[2])
        if func[0] == "~" and callers and group in ("builtins", "builtins (zlib/pickle)"):
            # a built-in (list.append, zlib, marshal …) counts for the library that called it
            spent = {c: v[2] for c, v in callers.items()}
            whole = sum(spent.values()) or 1.0
            for caller, t in spent.items():
                groups[_group(caller[0], caller[2])] += tt * t / whole
        else:
            groups[group] += tt
    by_own = sorted(rows, key=lambda r: -r[2])[:top]
    by_cum = sorted((r for r in rows if not _scaffolding(r[0])), key=lambda r: -r[3])[: top * 2]

    def fmt(r) -> dict[str, Any]:
        return {"function": _label(r[0]), "calls": r[1], "own_s": round(r[2], 3),
                "cumulative_s": round(r[3], 3)}

    return {
        "total_s": round(total, 3),
        "by_group": {g: round(t / total, 3) for g, t in groups.most_common()},
        "top_own": [fmt(r) for r in by_own],
        "top_cumulative": [fmt(r) for r in by_cum],
    }


def profiled(fn: Callable[[], Any], top: int = 12) -> tuple[Any, dict[str, Any]]:
    """Run `fn` under cProfile: (its result, `summarise` of the profile)."""
    profile = cProfile.Profile()
    profile.enable()
    try:
        result = fn()
    finally:
        profile.disable()
    return result, summarise(profile, top)
