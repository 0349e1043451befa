"""What a catalogue looks like: lengths, script, numbers, and vocabulary density.

The benchmarks report this beside their figures so a reader can judge whether the synthetic
catalogue is shaped like a real one; vocabulary density matters most, since it drives indexing
cost (see `PhrasePool` in `bench/generate.py`).
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

SAMPLE_BUNDLE = Path(__file__).resolve().parent.parent / "assets" / "sample" / "bundle"


def _distinct_per_1k(bodies: list[str], chars: int = 220_000) -> float:
    from index.analysis import terms

    seen: set[str] = set()
    n = 0
    for body in bodies:
        for t, *_ in terms(body):
            seen.add(t)
        n += len(body)
        if n >= chars:
            break
    return len(seen) / max(n, 1) * 1000


def catalogue_shape(path: Path) -> dict[str, Any]:
    from index.fold import fold

    bodies: list[int] = []
    titles: list[int] = []
    traditional = numbers = 0
    first_bodies: list[str] = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            item = json.loads(line)
            bodies.append(len(item["body"]))
            titles.append(len(item["title"]))
            traditional += fold(item["agency"]) != item["agency"]
            numbers += bool(item.get("doc_number"))
            if sum(len(b) for b in first_bodies) < 230_000:
                first_bodies.append(item["body"])
    sample = [json.loads(x) for x in (SAMPLE_BUNDLE / "catalogue.jsonl").read_text("utf-8").splitlines() if x]
    n = len(bodies)
    return {"body_median": int(statistics.median(bodies)), "body_mean": int(statistics.mean(bodies)),
            "body_max": max(bodies), "title_mean": statistics.mean(titles),
            "traditional_share": traditional / n, "doc_number_share": numbers / n,
            "distinct_per_1k": _distinct_per_1k(first_bodies),
            "sample_distinct_per_1k": _distinct_per_1k([s["body"] for s in sample]),
            "sample_body_median": int(statistics.median(len(s["body"]) for s in sample))}
