"""Query evaluation over the index with sets of documents; only the page shown is ranked.

Whoosh evaluates a query as a tree of Python matcher objects stepped one document at a time, and
with facets it must visit every matching document: a word found in thousands of items cost a
tenth of a second at 10,000 items and grows with the catalogue (docs/benchmarks.md, "Tuning").
`Engine` answers the same questions in three steps:

1. *Which items match.* Each term's posting list becomes a bitset (`postings`); a unit's groups
   (see `query.Group`) are unions and intersections of bitsets, the tiers are set algebra over
   the units. Total and facet counts are popcounts of intersections. All of this runs in C.
2. *Which items are on the page.* Tiers are ranked first (an exact number, then every unit in
   the title or metadata, then the rest), so only the tiers that reach into the requested page
   are scored, and only their items.
3. *Their order.* BM25F with Whoosh's parameters and statistics (idf from document frequency,
   field lengths from the length columns), summed over the groups each item matches: the same
   scores Whoosh's `BM25F` gives the same query, without its matcher tree.

An `Engine` belongs to one state of the index (one Whoosh searcher); `search.Searcher` makes a
new one when the index changes. It caches term bitsets and posting lists in memory, within fixed
budgets (`BITS_BUDGET`, `POSTINGS_BUDGET`), since search-as-you-type repeats terms constantly.
"""

from __future__ import annotations

import heapq
import math
import pickle
from array import array
from bisect import bisect_left
from collections import Counter, OrderedDict, deque
from dataclasses import dataclass
from functools import reduce
from itertools import accumulate, chain, compress, repeat
from operator import and_, neg, or_

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.reading import SegmentReader
from whoosh.util.numeric import byte_to_length

from .postings import LeafPostings, bitset, mask, members, pick
from .query import Group, Plan

K1 = 1.2  # whoosh.scoring.BM25F defaults
B = 0.75
BITS_BUDGET = 24 * 1024 * 1024
"""Bytes of term bitsets kept between searches (12.5 KB each at 100,000 items)."""
POSTINGS_BUDGET = 48 * 1024 * 1024
"""Bytes of decoded posting lists kept between searches (about 8 bytes a posting)."""
PREFIX_TERMS = 5000
"""A one-character prefix is expanded to at most this many terms per field."""
SPARSE = 32
"""A posting list this many times longer than the documents it is checked against is searched
for them block by block rather than read whole."""
FEW = 2000
"""Up to this many documents to score, a long posting list is searched for each (bisection)
rather than scanned whole."""

_LENGTH = [byte_to_length(b) for b in range(256)]
BY_ITEM = 30
"""A facet is counted item by item when the matches are fewer than this many per value (see
`Engine.facets`): looking up one item's value costs about a thirtieth of one intersection."""
FACETS = {"agency": "agency", "category": "category", "year": "year"}
"""Facet name → the index field whose terms are its values."""


class _Cache:
    """Least recently used values within a byte budget."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.used = 0
        self.items: OrderedDict = OrderedDict()

    def get(self, key):
        value = self.items.get(key)
        if value is not None:
            self.items.move_to_end(key)
            return value[0]
        return None

    def put(self, key, value, size: int) -> None:
        if size > self.budget // 4:
            return
        self.items[key] = (value, size)
        self.used += size
        while self.used > self.budget:
            _k, (_v, s) = self.items.popitem(last=False)
            self.used -= s


@dataclass(frozen=True)
class _Leaf:
    """One scored term: field, term, boost, and the documents it may score in (None: all).
    Without a term it adds its boost to every document of `where`."""

    field: str
    term: str | None
    boost: float
    where: int | None


class _Gains(dict):
    """BM25 of one term by (frequency, length byte), each computed on first use."""

    def __init__(self, c: float, kb: float) -> None:
        super().__init__()
        self.c = c
        self.kb = kb

    def __missing__(self, key: tuple[float, int]) -> float:
        tf, lb = key
        value = self[key] = self.c * tf / (tf + K1 * (1 - B) + self.kb * _LENGTH[lb])
        return value


@dataclass
class Outcome:
    total: int
    page: list[tuple[int, float]]  # (document number, score) in order
    facets: dict[str, dict[str, int]]


class Engine:
    def __init__(self, searcher) -> None:
        self.searcher = searcher
        reader = searcher.reader()
        self.reader = reader
        # an index without items has no segments: Whoosh's EmptyReader stands in for them
        self.leaves = [(LeafPostings(r), offset) for r, offset in reader.leaf_readers()
                       if isinstance(r, SegmentReader)]
        self.size = reader.doc_count_all()
        self.live = self._live()
        self._bits = _Cache(BITS_BUDGET)
        self._postings = _Cache(POSTINGS_BUDGET)
        self._lengths: dict[str, bytes] = {}
        self._termstats: dict[tuple[str, str], tuple[int, float]] = {}
        self._avg: dict[str, float] = {}
        self._facets: dict[str, list[tuple[str, int]]] = {}
        self._owners: dict[str, array | None] = {}
        self._dates: list[str] | None = None

    def _live(self) -> int:
        live = 0
        for leaf, offset in self.leaves:
            n = leaf.doc_count
            bits = (1 << n) - 1
            if leaf.reader.has_deletions():
                bits &= ~bitset(sorted(leaf.reader._perdoc.deleted_docs()))
            live |= bits << offset
        return live

    # -- terms ----------------------------------------------------------------------------------

    def postings(self, field: str, term: str):
        """(document numbers, weights or None when all 1.0) of a term, over all segments."""
        key = (field, term)
        cached = self._postings.get(key)
        if cached is not None:
            return cached
        tbytes = term.encode("utf-8")
        ids: list[int] = []
        weights: list[float] | None = None
        for leaf, offset in self.leaves:
            info = leaf.info(field, tbytes)
            if info is None:
                continue
            lids, lweights, _v = leaf.read(info)
            if lweights is not None and weights is None:
                weights = [1.0] * len(ids)
            if weights is not None:
                weights.extend(lweights if lweights is not None else repeat(1.0, len(lids)))
            ids.extend(lids if not offset else map(offset.__add__, lids))
        value = (ids, weights)
        self._postings.put(key, value, 40 + 8 * len(ids) + (8 * len(ids) if weights else 0))
        return value

    def term_bits(self, field: str, term: str) -> int:
        key = (field, term)
        bits = self._bits.get(key)
        if bits is None:
            bits = bitset(self.postings(field, term)[0], size=self.size)
            self._bits.put(key, bits, 40 + self.size // 8)
        return bits

    def df(self, field: str, term: str) -> int:
        """Document frequency, from the terms' entries without reading their postings."""
        return self._stats(field, term)[0]

    def _stats(self, field: str, term: str) -> tuple[int, float]:
        """(document frequency, highest weight) of a term over all segments."""
        key = (field, term)
        got = self._termstats.get(key)
        if got is None:
            tbytes = term.encode("utf-8")
            df, top = 0, 0.0
            for leaf, _offset in self.leaves:
                info = leaf.info(field, tbytes)
                if info is not None:
                    df += info.doc_frequency()
                    top = max(top, info.max_weight())
            got = self._termstats[key] = (df, top)
        return got

    def postings_among(self, field: str, term: str, docs: list[int]):
        """(document numbers, weights) of a term's postings for `docs` (ascending) only."""
        cached = self._postings.get((field, term))
        if cached is not None:
            return pick(cached[0], cached[1], docs)[:2]
        found: list[int] = []
        tfs: list[float] = []
        tbytes = term.encode("utf-8")
        for leaf, offset in self.leaves:
            lo = bisect_left(docs, offset)
            hi = bisect_left(docs, offset + leaf.doc_count)
            if lo == hi:
                continue
            info = leaf.info(field, tbytes)
            if info is None:
                continue
            f, t, _v = leaf.read_some(info, [d - offset for d in docs[lo:hi]])
            found += [d + offset for d in f] if offset else f
            tfs += t
        return found, tfs

    def _and(self, bits: int, field: str, term: str) -> int:
        """`bits` & the term's documents; a long posting list not yet read is only searched for
        the few documents of `bits` (see `LeafPostings.read_some`)."""
        if (field, term) not in self._bits.items and bits.bit_count() * SPARSE < self.df(field, term):
            return bitset(self.postings_among(field, term, members(bits))[0], size=self.size)
        return bits & self.term_bits(field, term)

    def idf(self, field: str, term: str) -> float:
        """Whoosh's idf (`WeightingModel.idf`): from all postings, deleted documents' included."""
        return math.log(self.size / (self.df(field, term) + 1)) + 1

    def scan(self, field: str, prefix: str, limit: int) -> list[tuple[bytes, int]]:
        """(term as UTF-8, document frequency) of the terms starting with `prefix`, in order,
        at most `limit` of them (per segment)."""
        raw = prefix.encode("utf-8")
        if len(self.leaves) == 1:
            return self.leaves[0][0].scan(field, raw, limit)
        # each segment's terms are in order: sorting them together merges those runs
        merged = sorted(chain.from_iterable(leaf.scan(field, raw, limit)
                                            for leaf, _offset in self.leaves))
        out: list[tuple[bytes, int]] = []
        last = None
        for tbytes, df in merged:
            if tbytes == last:
                out[-1] = (tbytes, out[-1][1] + df)
            elif len(out) < limit:
                out.append((tbytes, df))
                last = tbytes
            else:
                break
        return out

    def prefix_terms(self, field: str, prefix: str) -> list[str]:
        return [t.decode("utf-8") for t, _df in self.scan(field, prefix, PREFIX_TERMS)]

    def live_count(self, field: str, term: str) -> int:
        """Live documents holding a term (deleted ones stay in its postings until a merge)."""
        return (self.term_bits(field, term) & self.live).bit_count()

    # -- groups and units -----------------------------------------------------------------------

    def group_bits(self, g: Group) -> int:
        if g.kind == "term":
            return self.term_bits(g.field, g.terms[0])
        key = (g.kind, g.field, g.terms)
        bits = self._bits.get(key)
        if bits is not None:
            return bits
        if g.kind == "all":
            terms = sorted(g.terms, key=lambda t: self.df(g.field, t))  # rarest first
            bits = self.term_bits(g.field, terms[0])
            for t in terms[1:]:
                if not bits:
                    break
                bits = self._and(bits, g.field, t)
        elif g.kind == "prefix":
            bits = reduce(or_, (self.term_bits(g.field, t)
                                for t in self.prefix_terms(g.field, g.terms[0])), 0)
        else:
            bits = self._phrase(g)[0]
        self._bits.put(key, bits, 40 + self.size // 8)
        return bits

    def unit_bits(self, groups: list[Group], memo: dict) -> int:
        key = tuple(groups)
        bits = memo.get(key)
        if bits is None:
            bits = reduce(or_, (self.group_bits(g) for g in groups), 0)
            memo[key] = bits
        return bits

    def _phrase(self, g: Group) -> tuple[int, dict[int, int]]:
        """Items whose field holds the tokens at consecutive positions, and how often."""
        terms = sorted(g.terms, key=lambda t: self.df(g.field, t))
        together = self.term_bits(g.field, terms[0])
        for t in terms[1:]:
            if together:
                together = self._and(together, g.field, t)
        if not together:
            return 0, {}
        docs = members(together)
        starts: dict[int, set[int]] | None = None
        for i, t in enumerate(g.terms):
            positions = self._positions(g.field, t, docs)
            if starts is None:
                starts = {d: set(p) for d, p in positions.items()}
            else:
                starts = {d: s & {p - i for p in positions.get(d, ())}
                          for d, s in starts.items()}
                starts = {d: s for d, s in starts.items() if s}
        counts = {d: len(s) for d, s in (starts or {}).items()}
        return bitset(sorted(counts), size=self.size), counts

    def _positions(self, field: str, term: str, docs: list[int]) -> dict[int, list[int]]:
        """Positions of a term in each of `docs` (ascending) that holds it."""
        out = {}
        tbytes = term.encode("utf-8")
        for leaf, offset in self.leaves:
            lo = bisect_left(docs, offset)
            hi = bisect_left(docs, offset + leaf.doc_count)
            info = leaf.info(field, tbytes) if lo < hi else None
            if info is None:
                continue
            local = [d - offset for d in docs[lo:hi]]
            if len(local) * SPARSE < info.doc_frequency():  # a few: only their blocks
                ids, _w, values = leaf.read_some(info, local, want_values=True)
            else:
                ids, _w, values = leaf.read(info, want_values=True)
            inside = set(local)
            for d, v in zip(ids, values, strict=True):
                if d in inside:
                    code = v[4:] if v.endswith(b".") else v[4:] + b"."  # Positions.decode_positions
                    out[d + offset] = list(accumulate(pickle.loads(code)))
        return out

    # -- scoring --------------------------------------------------------------------------------

    def lengths(self, field: str) -> bytes:
        """Every document's length byte for `field` (Whoosh's length column), in one string."""
        got = self._lengths.get(field)
        if got is None:
            parts = []
            for leaf, _offset in self.leaves:
                perdoc = leaf.reader._perdoc
                col = perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
                n = leaf.doc_count
                if col is None:
                    parts.append(bytes(n))
                    continue
                count = min(col._count, n)
                parts.append(col._dbfile.get(col._basepos, count).ljust(n, b"\0"))
            got = self._lengths[field] = b"".join(parts)
        return got

    def avg_length(self, field: str) -> float:
        got = self._avg.get(field)
        if got is None:
            got = self._avg[field] = self.searcher.avg_field_length(field) or 1
        return got

    def plan_leaves(self, p: Plan) -> list[_Leaf]:
        """Every term the plan scores, with its boost and where it counts, summed as Whoosh sums
        `Term`, `And` and `Phrase` (its terms, only where the phrase occurs). A `Prefix` (a lone
        character that must match) scores its boost, once, where any term starts with it: its
        intent (`constantscore`); Whoosh gave 1 in indexes up to 5,000 documents and the BM25 of
        every expanded term above, which also meant reading hundreds of posting lists."""
        out = []
        for groups in p.every + p.optional:
            for g in groups:
                if g.kind == "prefix":
                    where = self.group_bits(g)
                    if where:
                        out.append(_Leaf(g.field, None, g.boost, where))
                elif g.kind == "term":
                    out.append(_Leaf(g.field, g.terms[0], g.boost, None))
                else:
                    where = self.group_bits(g)
                    if where:
                        out += [_Leaf(g.field, t, g.boost, where) for t in g.terms]
        return out

    def _bound(self, leaf: _Leaf) -> float:
        """The most `leaf` can add to any document's score (BM25 at field length 0)."""
        if leaf.term is None:
            return leaf.boost
        df, tf = self._stats(leaf.field, leaf.term)
        if not df:
            return 0.0
        c = leaf.boost * self.idf(leaf.field, leaf.term) * (K1 + 1)
        return c * tf / (tf + K1 * (1 - B))

    def _leaf_bits(self, leaf: _Leaf) -> int:
        if leaf.term is None:
            return leaf.where or 0
        bits = self.term_bits(leaf.field, leaf.term)
        return bits if leaf.where is None else bits & leaf.where

    def _score(self, leaves: list[_Leaf], within: int) -> tuple[array, set[int]]:
        """Scores of the documents of `within` (bitset), and which documents got any."""
        scores = array("d", bytes(8 * self.size))
        touched: set[int] = set()
        count = within.bit_count()
        docs = members(within) if count <= FEW else None
        inside = mask(within, self.size)
        for leaf in leaves:
            if leaf.term is None:  # a constant where the group matches
                found = members(leaf.where & within)
                touched.update(found)
                for d in found:
                    scores[d] += leaf.boost
                continue
            df = self.df(leaf.field, leaf.term)
            if not df:
                continue
            if docs is not None and count * 20 < df:
                sub = docs if leaf.where is None else members(leaf.where & within)
                found, tfs = self.postings_among(leaf.field, leaf.term, sub)
            else:
                ids, weights = self.postings(leaf.field, leaf.term)
                here = inside if leaf.where is None else mask(leaf.where & within, self.size)
                chosen = list(map(here.__getitem__, ids))
                found = list(compress(ids, chosen))
                tfs = list(compress(weights, chosen)) if weights is not None else None
            if found:
                touched.update(found)
                self._add_bm25(leaf, found, tfs, scores)
        return scores, touched

    def _add_bm25(self, leaf: _Leaf, found: list[int], tfs: list[float] | None,
                  scores: array) -> None:
        """BM25 (Whoosh's `bm25`) of one term for the documents `found`, added to `scores`.

        Per posting, only a lookup of the score for its (frequency, length byte), computed the
        first time that pair is seen, and one addition."""
        gains = _Gains(leaf.boost * self.idf(leaf.field, leaf.term) * (K1 + 1),
                       K1 * B / self.avg_length(leaf.field))
        lbs = map(self.lengths(leaf.field).__getitem__, found)
        freqs = tfs if tfs is not None else repeat(1.0)
        for d, x in zip(found, map(gains.__getitem__, zip(freqs, lbs, strict=False)),
                        strict=False):
            scores[d] += x


    # -- searching ------------------------------------------------------------------------------

    def run(self, p: Plan, filters: list[tuple[str, str]], page: int, page_size: int,
            broad: bool = False) -> Outcome:
        """Match, count, facet and rank one page of a plan (see the module doc)."""
        live = self.live
        for field, value in filters:
            live &= self.term_bits(field, value)
        memo: dict = {}
        num = reduce(or_, (self.term_bits("numkey", k) for k in p.number_keys), 0) & live
        if p.every:
            units = [self.unit_bits(g, memo) & live for g in p.every]
            every = reduce(and_, units)
            head = reduce(and_, (self.unit_bits(g, memo) for g in p.head)) & every
            matched = (reduce(or_, units) if broad else every) | num
        else:
            every = head = 0
            matched = num
        # tiers, best first: each is (its documents, whether they must be scored)
        tiers = []
        for in_num in (True, False):
            base = matched & (num if in_num else ~num)
            tiers += [base & head, base & ~head & every, base & ~head & ~every] if broad else \
                [base & head, base & ~head]
        start, end = (page - 1) * page_size, page * page_size
        ranked: list[tuple[int, float]] = []
        seen = 0
        leaves = None
        for tier in tiers:
            n = tier.bit_count()
            if n and seen < end and seen + n > start:
                leaves = self.plan_leaves(p) if leaves is None else leaves
                ordered = self._rank(tier, leaves, end - seen)
                ranked += ordered[max(0, start - seen):]
            seen += n
            if seen >= end:
                break
        return Outcome(matched.bit_count(), ranked, self.facets(matched))

    def _rank(self, tier: int, leaves: list[_Leaf], need: int) -> list[tuple[int, float]]:
        """The `need` best of a tier's documents by score (ties: lower document number).

        A large tier is not scored whole. Terms are taken in order of the most they can add
        (`_bound`); once the documents holding the first few are at least `need`, those are
        scored in full, and if what all the remaining terms together could add is below the
        `need`-th best score so far, no other document of the tier can reach the page. A
        search for a common word then scores its few title matches, not its body matches.
        """
        count = tier.bit_count()
        if count > need * 8 and len(leaves) > 1:
            order = sorted(leaves, key=self._bound, reverse=True)
            bounds = [self._bound(leaf) for leaf in order]
            cand = 0
            for i, leaf in enumerate(order):
                cand |= self._leaf_bits(leaf) & tier
                rest = sum(bounds[i + 1:])
                if cand.bit_count() >= need and rest < bounds[0]:
                    best = self._top(leaves, cand, need)
                    if len(best) >= need and rest < best[-1][1]:
                        return best
                    if cand.bit_count() * 4 > count:
                        break
        return self._top(leaves, tier, need)

    def _top(self, leaves: list[_Leaf], within: int, need: int) -> list[tuple[int, float]]:
        scores, touched = self._score(leaves, within)
        if len(touched) < within.bit_count():  # items found by number alone score nothing
            touched.update(members(within))
        best = heapq.nlargest(need, zip(map(scores.__getitem__, touched), map(neg, touched),
                                        strict=True))
        return [(-nd, score) for score, nd in best]

    def newest(self, filters: list[tuple[str, str]], page: int, page_size: int) -> Outcome:
        """Every item (or every item of the filters), newest first: browsing."""
        matched = self.live
        for field, value in filters:
            matched &= self.term_bits(field, value)
        start, end = (page - 1) * page_size, page * page_size
        found: list[tuple[int, float]] = []
        seen = 0
        if matched:
            for date in self.dates():
                bits = self.term_bits("published", date) & matched
                n = bits.bit_count()
                if n and seen + n > start:
                    docs = members(bits)[::-1]  # ties newest-indexed first, as Whoosh reversed
                    found += [(d, 0.0) for d in docs[max(0, start - seen):end - seen]]
                seen += n
                if seen >= end:
                    break
        return Outcome(matched.bit_count(), found, self.facets(matched))

    def dates(self) -> list[str]:
        if self._dates is None:
            self._dates = [t.decode("utf-8") for t, _df in self.scan("published", "", 10**9)][::-1]
        return self._dates

    def facets(self, matched: int) -> dict[str, dict[str, int]]:
        """Matching items per value of each facet.

        Counted item by item when the matches are few for the facet's values (each match's value
        looked up in `owners`), else by intersecting the matches with each value's set: with
        hundreds of agencies at 100,000 items, the intersections were a quarter of a search."""
        out = {}
        total = matched.bit_count() if matched else 0
        docs: list[int] | None = None
        for name, field in FACETS.items():
            counts = {}
            if matched:
                values = self.facet_values(field)
                owner = self.owners(field) if total < BY_ITEM * len(values) else None
                if owner is not None:
                    docs = members(matched) if docs is None else docs
                    counts = {values[i][0]: n for i, n in Counter(map(owner.__getitem__, docs)).items()
                              if i >= 0}
                else:
                    for value, bits in values:
                        n = (matched & bits).bit_count()
                        if n:
                            counts[value] = n
            out[name] = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
        return out

    def owners(self, field: str) -> array | None:
        """Each item's value of a single-valued facet, as an index into `facet_values` (-1 for
        none); None for a facet an item can have several values of (sections)."""
        if field not in self._owners:
            owner = array("i", [-1]) * self.size
            postings = 0
            for i, (value, _bits) in enumerate(self.facet_values(field)):
                ids = self.postings(field, value)[0]
                postings += len(ids)
                deque(map(owner.__setitem__, ids, repeat(i)), 0)  # set in C
            single = self.size - owner.count(-1) == postings  # no item was given two values
            self._owners[field] = owner if single else None
        return self._owners[field]

    def facet_values(self, field: str) -> list[tuple[str, int]]:
        got = self._facets.get(field)
        if got is None:
            values = [t.decode("utf-8") for t, _df in self.scan(field, "", 10**9)]
            got = self._facets[field] = [(v, self.term_bits(field, v)) for v in values if v]
        return got

    def any(self, p: Plan, filters: list[tuple[str, str]]) -> bool:
        """Whether the plan's number keys name some live item (of the filters)."""
        live = self.live
        for field, value in filters:
            live &= self.term_bits(field, value)
        return any(self.term_bits("numkey", k) & live for k in p.number_keys)
