"""A synthetic catalogue of N items with the sample's shape and real Chinese word frequencies.

Why synthetic: the bundled sample has 344 items; the budgets speak of 100,000. Why not random
characters: jieba, the bigram index and BM25 all behave according to how words are distributed,
so the words here are drawn from jieba's own dictionary (`dict.txt`, about 349,000 words with
their corpus frequencies), each by its frequency. They are strung into recurring phrases
(`PhrasePool`) because prose repeats word sequences, and independent draws would give three
times the sample's index vocabulary per character of text. Each item also has a few
*topic* words (nouns from the same dictionary) that its title, keywords, summary and body repeat,
as real documents repeat their subject, so that searches have something to rank.

Everything structural is taken from the sample catalogue (`assets/sample/bundle`): departments
(`…局`, `…委员会` of its agencies), catalogue category paths and their frequencies, the final
word of titles (通知, 公告, 公示 …), the share of items with a 文号 or a summary. Cities and counties
are dictionary place names (`ns`: 荆州市, 罗田县). 索引号 and 文号 follow the sample's shapes:
an 18-character unified social credit code followed by `/YYYYMM-NNNNN`, `-NNN-YYYY-NNNN` or
`-YYYY-NNNNNN`; `临教发〔2021〕27号`-like numbers with the sample's bracket styles. About 10% of
the items come from county governments that publish in Traditional script (OpenCC `s2t`), as the
sample's 北屏縣 does.

The output is deterministic for a given (N, seed, GENERATOR_VERSION): one random generator
drives every choice, in a fixed order.

    python -m bench.generate --items 10000 --seed 7 OUT.jsonl
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import functools
import itertools
import json
import math
import random
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "assets" / "sample" / "bundle" / "catalogue.jsonl"
GENERATOR_VERSION = 1
"""Bump when the items produced for a (N, seed) change, so cached catalogues are regenerated."""

TRADITIONAL_SHARE = 0.10
ITEMS_PER_CITY = 4000
FIRST_YEAR, LAST_YEAR = 2008, 2025
_CJK_WORD = re.compile(r"[\u4e00-\u9fff]+")
_CREDIT_CHECK = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# The brackets of 文号 and how often the sample uses each (〔〕 nearly always).
_BRACKETS = (("〔", "〕", 0.90), ("[", "]", 0.04), ("（", "）", 0.03), ("【", "】", 0.03))
# Kinds of 文号 after the department's abbreviation: 发 (issued), 函 (letter), 办 (office), 规
# (normative document), or none — single structural characters, as in the sample's numbers.
_NUMBER_KINDS = ("发", "函", "办", "规", "")


@dataclass(frozen=True)
class Agency:
    name: str            # as published (Traditional for county governments)
    number_prefix: str   # 文号 prefix, e.g. 荆教发 (Traditional for county governments)
    code: str            # unified social credit code, the head of every 索引号
    scheme: str          # "month", "class" or "year": which 索引号 shape it uses
    classes: tuple[int, ...]
    traditional: bool
    city_slug: str
    slug: str


class Weighted:
    """Draws from a list by weight: `random.choices` with cumulative weights computed once."""

    def __init__(self, values: list, weights: list[float]) -> None:
        self.values = values
        self.cum = list(itertools.accumulate(weights))

    def draw(self, rng: random.Random, k: int = 1) -> list:
        return rng.choices(self.values, cum_weights=self.cum, k=k)

    def one(self, rng: random.Random):
        total = self.cum[-1]
        return self.values[bisect.bisect_right(self.cum, rng.random() * total)]


@dataclass
class Lexicon:
    """Everything the generator draws from, read from jieba's dictionary and the sample."""

    general: Weighted      # every all-ideograph word, by corpus frequency
    topics: Weighted       # nouns (n, vn, nz, l) of 2–4 characters, by frequency
    cities: list[str]      # XX市, most frequent first, distinct first characters
    counties: list[str]    # XX县
    departments: list[str]  # of the sample's city agencies: 教育局, 发展和改革委员会 …
    doc_types: Weighted    # last word of the sample's titles: 通知, 公告 …
    categories: Weighted   # the sample's category paths (Simplified), by use
    share_doc_number: float
    share_summary: float
    share_two_categories: float


def dictionary_path() -> Path:
    """jieba's main dictionary (`word frequency tag` per line)."""
    import jieba

    f = jieba.get_dict_file()
    try:
        return Path(f.name)
    finally:
        f.close()


@functools.cache
def lexicon() -> Lexicon:
    general_w: list[str] = []
    general_f: list[float] = []
    topic_w: list[str] = []
    topic_f: list[float] = []
    cities: list[tuple[int, str]] = []
    counties: list[tuple[int, str]] = []
    with open(dictionary_path(), encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) != 3 or not _CJK_WORD.fullmatch(parts[0]):
                continue
            word, freq, tag = parts[0], int(parts[1]), parts[2]
            general_w.append(word)
            general_f.append(freq)
            if tag in ("n", "vn", "nz", "l") and 2 <= len(word) <= 4 and freq >= 5:
                topic_w.append(word)
                topic_f.append(freq)
            if tag == "ns" and len(word) == 3:
                if word.endswith("市") and word[1] != "市":
                    cities.append((-freq, word))
                elif word.endswith("县") and not word.startswith("自治"):
                    counties.append((-freq, word))
    seen_first: set[str] = set()
    city_list = []
    for _f, c in sorted(cities):
        if c[0] not in seen_first:
            seen_first.add(c[0])
            city_list.append(c)

    rows = [json.loads(line) for line in SAMPLE.read_text("utf-8").splitlines() if line.strip()]
    from index.analysis import words
    from index.fold import fold

    departments: list[str] = []
    doc_types: Counter[str] = Counter()
    categories: Counter[str] = Counter()
    for r in rows:
        agency = fold(r["agency"])
        m = re.match(r"(.+?[市县])(.+)", agency)
        if m and m.group(2) not in departments and m.group(2) != "人民政府":
            departments.append(m.group(2))
        runs = _CJK_WORD.findall(fold(r["title"]))
        if runs:
            last = words(runs[-1])[-1][0]
            if len(last) >= 2:
                doc_types[last] += 1
        for c in r["categories"]:
            categories[fold(c)] += 1
    n = len(rows)
    return Lexicon(
        general=Weighted(general_w, general_f),
        topics=Weighted(topic_w, topic_f),
        cities=city_list,
        counties=[c for _f, c in sorted(counties)],
        departments=sorted(departments),
        doc_types=Weighted(sorted(doc_types), [doc_types[k] for k in sorted(doc_types)]),
        categories=Weighted(sorted(categories), [categories[k] for k in sorted(categories)]),
        share_doc_number=sum(1 for r in rows if r["doc_number"]) / n,
        share_summary=sum(1 for r in rows if r["summary"]) / n,
        share_two_categories=sum(1 for r in rows if len(r["categories"]) > 1) / n,
    )


@functools.cache
def _s2t():
    import opencc

    return opencc.OpenCC("s2t")


def to_traditional(text: str) -> str:
    return _s2t().convert(text)


def _credit_code(rng: random.Random, region: str) -> str:
    """An 18-character unified social credit code in the sample's shapes."""
    middle = ("00" if rng.random() < 0.6 else "MB") + f"{rng.randrange(10 ** 7):07d}"
    return f"11{region}{middle}{rng.choice(_CREDIT_CHECK)}"


def _slug(rng: random.Random) -> str:
    return "".join(rng.choice("abcdefghjkmnpqrstwxyz") for _ in range(3))


def make_agencies(rng: random.Random, n_items: int) -> tuple[list[Agency], list[float]]:
    """Agencies of ⌈N/4000⌉ cities (the sample's departments each) and their counties' governments.

    Weights follow a Zipf-like curve within each group: a few agencies publish most. County
    governments (Traditional script) together get `TRADITIONAL_SHARE` of the items.
    """
    lex = lexicon()
    n_cities = max(1, min(len(lex.cities), math.ceil(n_items / ITEMS_PER_CITY)))
    cities = lex.cities[:n_cities]
    counties = lex.counties[: max(1, n_cities)]
    agencies: list[Agency] = []
    weights: list[float] = []
    county_agencies: list[Agency] = []
    for ci, city in enumerate(cities):
        region = f"33{ci + 1:02d}00"
        city_slug = _slug(rng)
        abbreviations: set[str] = set()
        for rank, dept in enumerate(rng.sample(lex.departments, len(lex.departments)), 1):
            abbr = dept[0] if dept[0] not in abbreviations else dept[:2]
            abbreviations.add(abbr)
            kind = rng.choice(_NUMBER_KINDS)
            scheme = rng.choices(("month", "class", "year"), (0.4, 0.3, 0.3))[0]
            agencies.append(Agency(
                name=city + dept, number_prefix=city[0] + abbr + kind,
                code=_credit_code(rng, region), scheme=scheme,
                classes=tuple(rng.sample(range(100, 999), 3)), traditional=False,
                city_slug=city_slug, slug=_slug(rng)))
            weights.append((1 - TRADITIONAL_SHARE) / n_cities / rank ** 0.8)
    for ki, county in enumerate(counties):
        region = f"33{ki + 1:02d}25"
        name = to_traditional(county + "人民政府")
        county_agencies.append(Agency(
            name=name, number_prefix=to_traditional(county[0] + "政" + rng.choice(("发", "办发"))),
            code=_credit_code(rng, region), scheme="year", classes=(), traditional=True,
            city_slug=_slug(rng), slug="gov"))
    # normalise each group to its share
    total = sum(weights)
    weights = [w * (1 - TRADITIONAL_SHARE) / total for w in weights]
    agencies += county_agencies
    weights += [TRADITIONAL_SHARE / len(county_agencies)] * len(county_agencies)
    return agencies, weights


class PhrasePool:
    """Recurring word sequences, used with Zipf–Mandelbrot frequencies, as real prose repeats.

    Drawing every word independently gives the right word frequencies but a new character
    bigram at almost every word boundary: about 510 distinct index terms per 1,000 characters
    where the sample has 162, which would make indexing look far slower than it is. Prose repeats
    word sequences (根据……的规定, 现将有关事项通知如下), so text here is a sequence of *phrases* of
    2–5 dictionary words (each word drawn by its corpus frequency); phrase i is used with weight
    1/(i + OFFSET)^ZIPF_S. These constants give about 230 distinct terms per 1,000 characters at
    the sample's size (more varied than the one-author sample, far less than random words), while
    no single phrase makes up more than about 2% of the text. The run reports the figure.
    """

    SIZE = 300_000
    ZIPF_S = 1.4
    OFFSET = 20
    LENGTHS = ((2, 3, 4, 5), (0.3, 0.3, 0.25, 0.15))

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.lex = lexicon()
        self.cum = list(itertools.accumulate(
            1 / (i + self.OFFSET) ** self.ZIPF_S for i in range(self.SIZE)))
        self.phrases: dict[int, str] = {}

    def draw(self) -> str:
        i = bisect.bisect_right(self.cum, self.rng.random() * self.cum[-1])
        phrase = self.phrases.get(i)
        if phrase is None:  # made on first use, from the same generator: still deterministic
            k = self.rng.choices(*self.LENGTHS)[0]
            phrase = self.phrases[i] = "".join(self.lex.general.draw(self.rng, k))
        return phrase


class TextMaker:
    """Sentences of recurring phrases, with an item's topic words mixed in."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.pool = PhrasePool(rng)

    def sentence(self, topics: list[str], length: int, topic_rate: float = 0.12) -> str:
        rng = self.rng
        out: list[str] = []
        n = 0
        since_comma = 0
        comma_at = rng.randint(8, 20)
        while n < length:
            w = rng.choice(topics) if topics and rng.random() < topic_rate else self.pool.draw()
            out.append(w)
            n += len(w)
            since_comma += len(w)
            if since_comma >= comma_at and n < length - 4:
                out.append("，")
                since_comma, comma_at = 0, rng.randint(8, 20)
        return "".join(out) + "。"

    def paragraph(self, topics: list[str], year: int) -> str:
        rng = self.rng
        parts = []
        for _ in range(rng.randint(2, 6)):
            s = self.sentence(topics, rng.randint(14, 45))
            if rng.random() < 0.05:
                s = f"{year}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日，{s}"
            parts.append(s)
        return "".join(parts)

    def body(self, topics: list[str], year: int, target: int) -> str:
        paragraphs: list[str] = []
        n = 0
        while n < target:
            p = self.paragraph(topics, year)
            paragraphs.append(p)
            n += len(p) + 1
        return "\n".join(paragraphs)


def _body_length(rng: random.Random) -> int:
    """Lognormal around 800 characters: most notices are short, a few reports are very long."""
    return int(min(40_000, max(120, rng.lognormvariate(math.log(800), 0.7))))


def _date(rng: random.Random) -> dt.date:
    years = list(range(FIRST_YEAR, LAST_YEAR + 1))
    year = rng.choices(years, [1.0 + 0.25 * i for i in range(len(years))])[0]
    return dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))


def generate(n_items: int, seed: int) -> Iterator[dict]:
    """The items of the catalogue, in the central API's JSON form."""
    rng = random.Random(seed)
    lex = lexicon()
    agencies, weights = make_agencies(rng, n_items)
    pick_agency = Weighted(agencies, weights)
    text = TextMaker(rng)
    serials: Counter[tuple] = Counter()
    number_serials: Counter[tuple] = Counter()
    for _ in range(n_items):
        agency: Agency = pick_agency.one(rng)
        published = _date(rng)
        written = published - dt.timedelta(days=rng.randint(0, 14))
        year = published.year

        topics: list[str] = []
        while len(topics) < rng.randint(3, 5):
            w = lex.topics.one(rng)
            if w not in topics:
                topics.append(w)
        phrase = "".join(topics[: rng.randint(2, len(topics))])
        if rng.random() < 0.3:
            phrase = f"{year}年{phrase}"
        doc_type = lex.doc_types.one(rng)
        short_agency = agency.name
        pattern = rng.random()
        if pattern < 0.55:
            title = f"{short_agency}关于{phrase}的{doc_type}"
        elif pattern < 0.75:
            title = f"关于{phrase}的{doc_type}"
        else:
            title = f"{short_agency}{phrase}{doc_type}"
        summary = None
        if rng.random() < lex.share_summary:
            summary = text.sentence(topics, rng.randint(45, 85), topic_rate=0.25)
        body = text.body(topics, year, _body_length(rng))
        categories = [lex.categories.one(rng)]
        if rng.random() < lex.share_two_categories:
            other = lex.categories.one(rng)
            if other != categories[0]:
                categories.append(other)
        keywords = topics[: rng.randint(2, len(topics))]

        doc_number = None
        if rng.random() < lex.share_doc_number:
            key = (agency.number_prefix, year)
            number_serials[key] += 1
            left, right = rng.choices([(a, b) for a, b, _w in _BRACKETS],
                                      [w for _a, _b, w in _BRACKETS])[0]
            suffix = "號" if agency.traditional else "号"
            doc_number = f"{agency.number_prefix}{left}{year}{right}{number_serials[key]}{suffix}"

        if agency.scheme == "month":
            serials[(agency.code, year)] += 1
            item_id = f"{agency.code}/{published:%Y%m}-{serials[(agency.code, year)]:05d}"
        elif agency.scheme == "class":
            cls = rng.choice(agency.classes)
            serials[(agency.code, cls, year)] += 1
            item_id = f"{agency.code}-{cls:03d}-{year}-{serials[(agency.code, cls, year)]:04d}"
        else:
            serials[(agency.code, year)] += 1
            item_id = f"{agency.code}-{year}-{serials[(agency.code, year)]:06d}"

        if agency.traditional:
            title, body = to_traditional(title), to_traditional(body)
            summary = to_traditional(summary) if summary else None
            keywords = [to_traditional(k) for k in keywords]
            categories = [to_traditional(c) for c in categories]
        hh, mm = rng.randint(8, 17), rng.randint(0, 59)
        source_url = None
        if rng.random() < 0.9:
            source_url = (f"https://xxgk.{agency.city_slug}.example/{agency.slug}/{published:%Y%m}/"
                          f"t{published:%Y%m%d}_{serials[(agency.code, year)]:05d}.html")
        yield {
            "id": item_id,
            "title": title,
            "agency": agency.name,
            "doc_number": doc_number,
            "categories": categories,
            "keywords": keywords,
            "written_date": written.isoformat(),
            "published_date": published.isoformat(),
            "summary": summary,
            "body": body,
            "attachments": [],
            "source_url": source_url,
            "updated_at": f"{published.isoformat()}T{hh:02d}:{mm:02d}:00+08:00",
        }


def long_item(pages_chars: int, seed: int) -> dict:
    """One item whose body is about `pages_chars` characters (for the 20-page PDF)."""
    rng = random.Random(seed)
    item = next(generate(1, seed))
    topics = list(item["keywords"])
    item["body"] = TextMaker(rng).body(topics, int(item["published_date"][:4]), pages_chars)
    return item


def item_of_pages(pages: int, seed: int) -> dict:
    """A generated item whose body lays out to exactly `pages` pages (the closest found if no
    body length gives exactly that), searched by bisection on the body's length."""
    from index.model import parse_item
    from printing.render import count_item_pages

    lo, hi = 5_000, 80_000
    best = None
    while lo <= hi:
        mid = (lo + hi) // 2
        item = long_item(mid, seed)
        laid_out = count_item_pages(parse_item(item))
        if laid_out == pages:
            return item
        if laid_out < pages:
            lo = mid + 200
        else:
            hi = mid - 200
        best = item
    assert best is not None
    return best


def write_catalogue(path: Path, n_items: int, seed: int) -> Path:
    """Write the JSONL atomically (a cut-off run leaves no file that looks complete)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".partial")
    with open(tmp, "w", encoding="utf-8") as f:
        for item in generate(n_items, seed):
            f.write(json.dumps(item, ensure_ascii=False, separators=(",", ":")) + "\n")
    tmp.replace(path)
    return path


def catalogue_path(work: Path, n_items: int, seed: int) -> Path:
    return work / f"catalogue-n{n_items}-s{seed}-v{GENERATOR_VERSION}.jsonl"


def ensure_catalogue(work: Path, n_items: int, seed: int) -> tuple[Path, bool]:
    """The catalogue for (N, seed), generated unless a previous run left it; (path, reused)."""
    path = catalogue_path(work, n_items, seed)
    if path.is_file():
        return path, True
    return write_catalogue(path, n_items, seed), False


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n")[0])
    p.add_argument("out", type=Path)
    p.add_argument("--items", type=int, default=10_000)
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args(argv)
    write_catalogue(args.out, args.items, args.seed)
    print(f"{args.items} items → {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
