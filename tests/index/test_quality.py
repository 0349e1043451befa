"""Search quality on the sample catalogue, judged by people, not by the engine.

`assets/sample/judged-queries.json` holds queries of every kind a citizen uses (simplified,
traditional, pinyin, initials, document and index numbers typed oddly, agency names, two-character
words, long questions), each with every item a citizen would be disappointed not to see.
"""

from __future__ import annotations

import json
from collections import defaultdict

from tests.conftest import ROOT

JUDGED = json.loads((ROOT / "assets" / "sample" / "judged-queries.json").read_text("utf-8"))


def test_the_judged_set_is_broad_enough():
    kinds = {q["kind"] for q in JUDGED}
    assert len(JUDGED) >= 40
    assert {"simplified", "traditional", "pinyin", "initials", "number", "agency", "two-char",
            "question"} <= kinds


def test_recall_at_10_and_exact_numbers_first(sample_catalogue, capsys):
    recalls, reciprocal, by_kind = [], [], defaultdict(list)
    number_misses = []
    for q in JUDGED:
        got = [h.id for h in sample_catalogue.search(q["query"], page_size=10).hits]
        recall = sum(1 for e in q["expect"] if e in got) / len(q["expect"])
        first = next((i for i, g in enumerate(got, 1) if g in q["expect"]), None)
        recalls.append(recall)
        reciprocal.append(1 / first if first else 0.0)
        by_kind[q["kind"]].append(recall)
        if q["kind"] == "number" and got[:1] != q["expect"][:1]:
            number_misses.append((q["query"], got[:3]))
    recall_at_10 = sum(recalls) / len(recalls)
    mrr = sum(reciprocal) / len(reciprocal)
    with capsys.disabled():  # the figures are for the person running the tests
        print(f"\njudged queries: {len(JUDGED)}  recall@10: {recall_at_10:.3f}  MRR: {mrr:.3f}")
        for kind, values in sorted(by_kind.items()):
            print(f"  {kind:<12} n={len(values):<3} recall@10={sum(values) / len(values):.3f}")
    assert not number_misses, f"numbers not ranked first: {number_misses}"
    assert recall_at_10 >= 0.95
