"""The fixed query set of a benchmark run, drawn from the generated catalogue so that it hits.

Every kind of query a citizen types, in fixed numbers, chosen by a seeded generator from a
sample of the catalogue's own items, so the same (N, seed) always gives the same queries:
two-character words, long phrases, Traditional text, full pinyin, pinyin initials, 索引号,
文号 (as printed and typed another way), agency names, spoken questions, and no-hit queries.
Suggestion prefixes come the same way: one or two characters of title words, the start of a
word's pinyin, initials.
"""

from __future__ import annotations

import itertools
import json
import random
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from index.analysis import words
from index.fold import CJK_RUN, fold
from index.pinyin import syllables

from .generate import lexicon, to_traditional

COUNTS = {"two-char": 6, "phrase": 6, "traditional": 4, "pinyin": 4, "initials": 4, "number": 4,
          "doc-number": 4, "agency": 2, "question": 2}
PICKED = 3000
_BRACKETS = re.compile(r"[〔〕]")


@dataclass(frozen=True)
class BenchQuery:
    text: str
    kind: str
    source_id: str | None  # the item it was drawn from (None for no-hit queries)


def _pick_items(path: Path, rng: random.Random) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        lines = f.readlines()
    chosen = sorted(rng.sample(range(len(lines)), min(PICKED, len(lines))))
    items = [json.loads(lines[i]) for i in chosen]
    rng.shuffle(items)
    return items


def _is_traditional(item: dict) -> bool:
    return fold(item["agency"]) != item["agency"]


def _title_run(item: dict) -> str:
    """The longest run of ideographs of the title after the agency's name (its subject)."""
    title = item["title"].removeprefix(item["agency"])
    runs = sorted(CJK_RUN.findall(title), key=len, reverse=True)
    # "2024年…" leaves a run starting with 年, and 关于 opens most titles: nobody types either
    return runs[0].removeprefix("年").removeprefix("关于").removeprefix("關於") if runs else ""


def _word_spans(run: str, shortest: int, longest: int) -> list[str]:
    """Runs of whole jieba words (as the index cuts them) of `shortest`–`longest` characters."""
    if not run:
        return []
    seg = words(fold(run))
    out = []
    for i in range(len(seg)):
        for j in range(i + 1, len(seg) + 1):
            start, end = seg[i][1], seg[j - 1][1] + len(seg[j - 1][0])
            if end - start > longest:
                break
            if end - start >= shortest:
                out.append(run[start:end])
    return out


def select(path: Path, seed: int, count_hits: Callable[[str], int] | None = None,
           ) -> tuple[list[BenchQuery], list[str]]:
    """(queries, suggestion prefixes) for the catalogue at `path`.

    `count_hits(text)` (the search's total) picks no-hit queries that really find nothing.
    """
    rng = random.Random(seed * 7919 + 1)
    items = _pick_items(path, rng)
    simplified = [i for i in items if not _is_traditional(i)]
    traditional = [i for i in items if _is_traditional(i)]
    out: list[BenchQuery] = []
    seen: set[str] = set()

    def add(text: str, kind: str, item: dict | None) -> bool:
        if not text or text in seen:
            return False
        seen.add(text)
        out.append(BenchQuery(text, kind, item["id"] if item else None))
        return True

    def fill(kind: str, pool: list[dict], make) -> None:
        n = 0
        for item in pool:
            if n >= COUNTS[kind]:
                return
            if add(make(item), kind, item):
                n += 1

    fill("two-char", simplified, lambda i: next((k for k in i["keywords"] if len(k) == 2), ""))

    def phrase(item: dict) -> str:
        """Whole words of the title's subject, 6–14 characters: what someone copies or recalls."""
        spans = _word_spans(_title_run(item), 6, 14)
        return rng.choice(spans) if spans else ""

    fill("phrase", simplified[50:], phrase)

    def traditional_query(item: dict) -> str:
        if _is_traditional(item):  # a Traditional item found by its own script
            spans = _word_spans(_title_run(item), 4, 8)
            return spans[0] if spans else ""
        return to_traditional("".join(item["keywords"][:2]))  # Traditional typed for Simplified

    mixed = [x for pair in zip(traditional[:20], simplified[100:120], strict=False) for x in pair]
    fill("traditional", mixed, traditional_query)

    def spelled(item: dict, initials: bool) -> str:
        words = [k for k in item["keywords"] if k in item["title"] and 2 <= len(k) <= 4]
        if not words:
            return ""
        text = "".join(words[:2]) if initials else words[0]
        sy = syllables(text)
        if any(s is None for s in sy):
            return ""
        key = "".join(s[0] if initials else s for s in sy if s)
        return key if len(key) >= (4 if initials else 2) else ""

    fill("pinyin", simplified[150:], lambda i: spelled(i, False))
    fill("initials", simplified[200:], lambda i: spelled(i, True))
    fill("number", items[250:], lambda i: i["id"])

    def doc_number(item: dict) -> str:
        number = item.get("doc_number") or ""
        if number and rng.random() < 0.5:  # typed with square brackets, as from a keyboard
            number = _BRACKETS.sub(lambda m: "[" if m.group(0) == "〔" else "]", number)
        return number

    fill("doc-number", items[300:], doc_number)
    fill("agency", items[400:], lambda i: i["agency"])
    fill("question", simplified[450:], lambda i: f"我想知道{i['keywords'][0]}的{_doc_type(i)}")
    n = 0
    for text in no_hit_candidates(rng):
        if n < 2 and (count_hits is None or count_hits(text) == 0) and add(text, "no-hit", None):
            n += 1
    return out, prefixes(out, simplified[500:] or simplified, rng)


def _doc_type(item: dict) -> str:
    """The last word of the title (通知, 公告 …), as a citizen would name what they look for."""
    title = fold(item["title"])
    return next((t for t in lexicon().doc_types.values if title.endswith(t)), "文件")


def no_hit_candidates(rng: random.Random) -> list[str]:
    """Queries that should find nothing: a made-up Latin word, and rare four-character words
    from jieba's dictionary (the caller keeps the first that really finds nothing)."""
    rare = [w for w, c in zip(lexicon().general.values, _weights(), strict=True)
            if len(w) == 4 and c <= 3]
    picks = rng.sample(rare, 20)
    return ["qwxzkv", *picks]


def _weights() -> list[float]:
    cum = lexicon().general.cum
    return [cum[0]] + [b - a for a, b in itertools.pairwise(cum)]


def prefixes(queries: list[BenchQuery], items: list[dict], rng: random.Random) -> list[str]:
    """Suggestion prefixes: 1–2 characters, 2–6 letters of pinyin, 2–4 initials."""
    out: list[str] = []
    for item in items[:40]:
        words = [k for k in item["keywords"] if len(k) >= 2]
        if not words:
            continue
        word = rng.choice(words)
        out.append(word[: rng.choice((1, 2))])
        sy = syllables(word)
        if all(sy):
            full = "".join(s for s in sy if s)
            out.append(full[: rng.randint(2, min(6, len(full)))])
            if len(sy) >= 2:
                out.append("".join(s[0] for s in sy if s)[:4])
        if len(out) >= 30:
            break
    return list(dict.fromkeys(out))[:30]


def save(path: Path, queries: list[BenchQuery], prefix_list: list[str]) -> None:
    path.write_text(json.dumps({"queries": [asdict(q) for q in queries], "prefixes": prefix_list},
                               ensure_ascii=False, indent=1), "utf-8")


def load(path: Path) -> tuple[list[BenchQuery], list[str]]:
    d = json.loads(path.read_text("utf-8"))
    return [BenchQuery(**q) for q in d["queries"]], d["prefixes"]
