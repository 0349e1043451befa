"""From whatever a citizen typed to a query plan (`plan`, which `engine` evaluates). There is
no query syntax: any text is valid.

The text is folded and cut into *units*, each of which a matching item must contain:

- a run of ideographs is cut into words by jieba; filler words of spoken questions (我想, 请问,
  怎么, 的 …) are dropped; neighbouring single characters are kept together (临/澄 → 临澄).
  A unit matches a field that holds all of its character bigrams (so it matches whatever way
  the item's text was cut into words), and scores extra where the field holds it as a word;
- a run of digits or letters with digits (2021, pm2) must occur as such;
- a run of letters only is also read as pinyin or initials of a title (`baomi`, `zfxxgk`); when the
  whole query is letters and spaces, the spaces are ignored (`zheng fu` = `zhengfu`).

Items are ranked in tiers, each far above the next, so the order is predictable:

1. the query *is* an item's 索引号 or 文号, however bracketed or wide (see `numbers`);
2. every unit matches the title or the metadata (title, pinyin of title, keywords, agency,
   numbers) — "title matches rank above body-only matches";
3. everything else that contains every unit, by BM25F with the title weighted highest.

A word with a common short or long form (低保 / 最低生活保障, 欠薪 / 拖欠工资; the list is
`data/synonyms.txt`) matches either form.

When fewer items than a page contain every unit, the query is *broadened*: items containing only
some units follow those containing all (a tier of their own), and the results say how many match
fully, so the screen can draw a line: "exact matches above, related documents below".
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import numbers, pinyin
from .analysis import pieces, words
from .fold import fold

MAX_QUERY_CHARS = 500
"""Characters of a query that are read; a pasted essay is searched by its beginning."""
MAX_UNITS = 24

TEXT_FIELDS: dict[str, float] = {
    "title": 4.0, "keywords": 3.0, "agency_text": 2.0, "numbers": 2.0, "summary": 1.5,
    "body": 1.0,
}
HEAD_FIELDS = ("title", "keywords", "agency_text", "numbers")

# Words that carry no subject in a spoken or typed question. Kept short on purpose: words such as
# 情况, 信息 or 工作 are often exactly what a title says.
FILLER = frozenset("""
的 了 吗 呢 吧 啊 呀 么 是 在 有 和 与 及 或 对 把 被 给 从 向 到 就 都 也 还 又 很
我 我们 你 您 他 她 它 他们 自己 这 那 这个 那个 这些 那些 哪 哪个 哪些 哪里
想 要 想要 想知道 知道 了解 请问 请 麻烦 帮 帮我 一下 查 查询 查找 找 看 看看 问 问问
怎么 怎样 怎么样 如何 什么 多少 几 是否 是不是 有没有 能 能否 可以 可否 需要 应该 应当
关于 有关 相关 方面 一些 一个 哪儿 为什么 啥 咋
""".split())  # noqa: SIM905 - a word list reads best as text

_LETTERS = re.compile(r"[a-z]+")
_LETTER_QUERY = re.compile(r"[a-z' ]+")


@dataclass(frozen=True)
class Unit:
    text: str
    kind: str  # "cjk", "alnum" or "pinyin"
    optional: bool = False
    parts: tuple[str, ...] = ()  # a pinyin unit's separate words, for English-word matching
    alternatives: tuple[str, ...] = ()  # synonyms, matched as well as `text`


@functools.cache
def synonyms() -> dict[str, tuple[str, ...]]:
    """Each listed word → the other words of its group (see data/synonyms.txt)."""
    table: dict[str, tuple[str, ...]] = {}
    path = Path(__file__).with_name("data") / "synonyms.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        group = line.split("#", 1)[0].split()
        for w in group:
            table[w] = tuple(x for x in group if x != w)
    return table


@functools.cache
def _longest_first() -> tuple[str, ...]:
    return tuple(sorted(synonyms(), key=len, reverse=True))


def _synonym_spans(run: str) -> list[tuple[int, int]]:
    """Where listed words occur in a run, longest first, not overlapping."""
    taken: list[tuple[int, int]] = []
    for w in _longest_first():
        start = run.find(w)
        while start >= 0:
            end = start + len(w)
            if all(end <= a or start >= b for a, b in taken):
                taken.append((start, end))
            start = run.find(w, start + 1)
    return sorted(taken)


@dataclass
class ParsedQuery:
    raw: str
    units: list[Unit] = field(default_factory=list)
    number_keys: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.units and not self.number_keys

    @property
    def required(self) -> list[Unit]:
        return [u for u in self.units if not u.optional]


def _cjk_units(run: str) -> list[Unit]:
    """Subject units of a run of ideographs; listed words (see `synonyms`) are kept whole."""
    units: list[Unit] = []
    last = 0
    for start, end in _synonym_spans(run):
        units += _word_units(run[last:start])
        units.append(Unit(run[start:end], "cjk", alternatives=synonyms()[run[start:end]]))
        last = end
    units += _word_units(run[last:])
    if not units and run:  # a query of nothing but filler words: search what was typed
        units = [Unit(run, "cjk")]
    return units


def _word_units(run: str) -> list[Unit]:
    """Content words of a run, with neighbouring single characters grouped (临/澄 → 临澄)."""
    if not run:
        return []
    out: list[str] = []
    group = ""
    for w, _ in words(run):
        if w in FILLER:
            if group:
                out.append(group)
            group = ""
        elif len(w) == 1:
            group += w
        else:
            if group:
                out.append(group)
            group = ""
            out.append(w)
    if group:
        out.append(group)
    return [Unit(u, "cjk") for u in out]


def parse(text: str) -> ParsedQuery:
    """Read a citizen's query. Never raises: unusable text gives an empty query."""
    text = (text or "")[:MAX_QUERY_CHARS]
    parsed = ParsedQuery(raw=text)
    if not text.strip():  # browsing: no need to load the fold table or jieba
        return parsed
    if numbers.looks_like_number(text):
        parsed.number_keys = [k for k in (numbers.exact_key(text), numbers.loose_key(text)) if k]
    folded = fold(text).strip()
    if folded and _LETTER_QUERY.fullmatch(folded) and _LETTERS.search(folded):
        key = "".join(_LETTERS.findall(folded))
        parsed.units = [Unit(key, "pinyin", parts=tuple(_LETTERS.findall(folded)))]
        return parsed
    units: list[Unit] = []
    for piece, _start, cjk in pieces(folded):
        if cjk:
            units.extend(_cjk_units(piece))
        elif piece.isalpha() and len(piece) >= 2:
            units.append(Unit(piece, "pinyin", parts=(piece,)))
        else:
            units.append(Unit(piece, "alnum"))
    # single characters next to real words (年, 号, 市) narrow little and cost recall: optional
    substantial = [u for u in units if not (u.kind == "cjk" and len(u.text) == 1)]
    if substantial:
        units = [Unit(u.text, u.kind, optional=True)
                 if u.kind == "cjk" and len(u.text) == 1 and not u.alternatives else u
                 for u in units]
    seen: set[tuple[str, str]] = set()
    for u in units:
        if (u.text, u.kind) not in seen:
            seen.add((u.text, u.kind))
            parsed.units.append(u)
    parsed.units = parsed.units[:MAX_UNITS]
    return parsed


def _bigrams(s: str) -> list[str]:
    return [s[i:i + 2] for i in range(len(s) - 1)]


@dataclass(frozen=True)
class Group:
    """One way a unit matches one field: a single term, every one of several terms (the bigrams
    of a word, the words of a pinyin query), any term starting with a character, or a phrase
    (pinyin over the titles' syllables). A unit matches where any of its groups does."""

    field: str
    kind: str  # "term", "all", "prefix" or "phrase"
    terms: tuple[str, ...]
    boost: float


def _field_groups(unit: Unit, fieldname: str, boost: float) -> list[Group]:
    """How a unit matches one field."""
    t = unit.text
    if unit.kind == "cjk":
        if len(t) == 1:
            if unit.optional:
                # an optional lone character only adjusts the ranking; as a prefix it expands to
                # every bigram it starts (hundreds per field: `号*` is 831 terms at 10k items),
                # which made such queries 10× slower with the same hits (docs/benchmarks.md)
                return [Group(fieldname, "term", (t,), boost)]
            return [Group(fieldname, "term", (t,), boost), Group(fieldname, "prefix", (t,), boost)]
        if len(t) == 2:
            return [Group(fieldname, "term", (t,), boost)]
        return [Group(fieldname, "term", (t,), boost * 2),
                Group(fieldname, "all", tuple(dict.fromkeys(_bigrams(t))), boost)]
    if unit.kind == "pinyin":
        if len(unit.parts) == 1:
            return [Group(fieldname, "term", unit.parts, boost)]
        return [Group(fieldname, "all", unit.parts, boost)]
    return [Group(fieldname, "term", (t,), boost)]


def _pinyin_groups(key: str, syllables: frozenset[str]) -> list[Group]:
    """A typed pinyin or initials key as phrases over the titles' syllables and initial pairs."""
    boost = TEXT_FIELDS["title"]
    out = []
    for seg in pinyin.segmentations(key, syllables):
        out.append(Group("title_py", "term" if len(seg) == 1 else "phrase", tuple(seg), boost))
    if 2 <= len(key) <= 16:
        pairs = tuple(pinyin.initial_pairs(key))
        out.append(Group("title_ini", "term" if len(pairs) == 1 else "phrase", pairs, boost))
    return out


def unit_groups(unit: Unit, fieldnames, syllables: frozenset[str] = frozenset()) -> list[Group]:
    """A unit matched in any of the given fields (with their boosts), by pinyin of titles, and
    by its synonyms."""
    groups = [g for f in fieldnames for g in _field_groups(unit, f, TEXT_FIELDS[f])]
    if unit.kind == "pinyin":
        groups += _pinyin_groups(unit.text, syllables)
    for alt in unit.alternatives:
        groups += [g for f in fieldnames
                   for g in _field_groups(Unit(alt, "cjk"), f, TEXT_FIELDS[f])]
    return groups


@dataclass
class Plan:
    """What `engine` evaluates for a parsed query: the units' groups for each tier (module doc)."""

    number_keys: list[str]
    every: list[list[Group]]  # per required unit: its groups over every text field
    head: list[list[Group]]  # per required unit: its groups over the title and metadata
    optional: list[list[Group]]


def plan(parsed: ParsedQuery, syllables: frozenset[str] = frozenset()) -> Plan:
    req = parsed.required
    opt = [u for u in parsed.units if u.optional]
    return Plan(
        number_keys=list(parsed.number_keys),
        every=[unit_groups(u, TEXT_FIELDS, syllables) for u in req],
        head=[unit_groups(u, HEAD_FIELDS, syllables) for u in req],
        optional=[unit_groups(u, TEXT_FIELDS, syllables) for u in opt],
    )


def highlight_terms(parsed: ParsedQuery) -> tuple[list[str], list[str]]:
    """(folded strings to mark in text, pinyin keys to mark in titles)."""
    marked = [u for u in parsed.units if not u.optional]
    text = [u.text for u in marked if u.kind != "pinyin"]
    text += [a for u in marked for a in u.alternatives]
    text += [p for u in marked if u.kind == "pinyin" for p in u.parts]
    keys = [u.text for u in marked if u.kind == "pinyin"]
    return text, keys
