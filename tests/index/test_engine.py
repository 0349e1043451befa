"""The fast paths give the answers of the slow ones they replace.

`writer.FastWriter` must write the index Whoosh's own writer writes, `engine.Engine` must find,
count, facet and rank as Whoosh's searcher does with the same query, and a rebuild shared among
processes must search exactly like one written by a single process. The sample catalogue and
its judged queries are the material (docs/benchmarks.md, "Tuning", says why these paths exist).
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest
from whoosh import query as Q
from whoosh import sorting
from whoosh.filedb.filestore import FileStorage

from index import Catalogue, indexstore
from index import query as qmod
from index.fold import fold
from index.mirror import content_hash
from index.model import parse_item
from index.schema import build_schema, document
from index.writer import FastWriter
from tests.conftest import SAMPLE_BUNDLE

ROOT = Path(__file__).resolve().parents[2]
JUDGED = [q["query"] for q in json.loads((ROOT / "assets/sample/judged-queries.json").read_text("utf-8"))]
EXTRA = ["县", "税", "公开", "保密 工作", "baomi", "zfxxgk", "zheng fu", "临澄", "我想知道低保怎么申请",
         "宿政办 2008 12", "！！！", "pdf"]


def _sample_docs() -> list[dict]:
    lines = (SAMPLE_BUNDLE / "catalogue.jsonl").read_text("utf-8").splitlines()
    items = [parse_item(json.loads(line)) for line in lines if line.strip()]
    return [document(i, content_hash(i)) for i in items]


def _postings(reader, field, term):
    m = reader.postings(field, term)
    out = []
    while m.is_active():
        out.append((m.id(), m.weight(), m.value()))
        m.next()
    return out


@pytest.mark.parametrize("limitmb", [64, 1])  # 1 MB: the pool is spilled to runs and merged
def test_the_fast_writer_writes_what_whoosh_writes(tmp_path, limitmb):
    docs = _sample_docs()
    slow = FileStorage(str(tmp_path / "slow")).create().create_index(build_schema())
    with slow.writer() as w:
        for d in docs:
            w.add_document(**d)
    fast = FileStorage(str(tmp_path / "fast")).create().create_index(build_schema())
    w = FastWriter(fast, limitmb=limitmb)
    for d in docs:
        w.add_document(**d)
    w.commit()
    a, b = slow.reader(), fast.reader()
    terms = list(a.all_terms())
    assert terms == list(b.all_terms())
    for field, term in terms:
        ia, ib = a.term_info(field, term), b.term_info(field, term)
        assert (ia.doc_frequency(), ia.weight(), ia.max_weight()) == \
            (ib.doc_frequency(), ib.weight(), ib.max_weight()), (field, term)
        assert _postings(a, field, term) == _postings(b, field, term), (field, term)
    for n in range(a.doc_count_all()):
        assert a.stored_fields(n) == b.stored_fields(n)
        for field in ("title", "body", "summary", "keywords", "title_py"):
            assert a.doc_field_length(n, field) == b.doc_field_length(n, field)


def _group_query(g: qmod.Group) -> Q.Query:
    if g.kind == "term":
        return Q.Term(g.field, g.terms[0], boost=g.boost)
    if g.kind == "all":
        return Q.And([Q.Term(g.field, t, boost=g.boost) for t in g.terms])
    if g.kind == "prefix":
        return Q.Prefix(g.field, g.terms[0], boost=g.boost)
    return Q.Phrase(g.field, list(g.terms), boost=g.boost)


def _plan_query(p: qmod.Plan, broad: bool) -> Q.Query:
    """The plan as Whoosh's tiered query, as the searcher used to build it: tiers by constant
    scores, each far above what the tier below reaches by BM25 alone."""
    def units(groups_per_unit):
        return [Q.Or([_group_query(g) for g in groups]) for groups in groups_per_unit]

    tiers: list[Q.Query] = []
    if p.number_keys:
        tiers.append(Q.ConstantScoreQuery(Q.Or([Q.Term("numkey", k) for k in p.number_keys]), 1e8))
    if p.every:
        all_units = Q.And(units(p.every))
        tiers.append(Q.ConstantScoreQuery(Q.And(units(p.head)), 1e6))
        if broad:
            tiers.append(Q.ConstantScoreQuery(all_units, 1e4))
            main: Q.Query = Q.Or(units(p.every))
        else:
            main = all_units
        if p.optional:
            main = Q.AndMaybe(main, Q.Or(units(p.optional)))
        tiers.append(main)
    if not tiers:
        return Q.NullQuery
    return tiers[0] if len(tiers) == 1 else Q.Or(tiers)


def _whoosh(s, parsed, syllables, broad: bool, filters):
    """What the searcher used to do: Whoosh's query, every match collected for the facets."""
    if parsed.empty:
        q = Q.Every() if not parsed.raw.strip() else Q.NullQuery
    else:
        q = _plan_query(qmod.plan(parsed, syllables), broad)
    groups = {"agency": sorting.FieldFacet("agency"), "year": sorting.FieldFacet("year"),
              "category": sorting.FieldFacet("category", allow_overlap=True)}
    fq = Q.And([Q.Term(k, v) for k, v in filters]) if filters else None
    sortedby = sorting.FieldFacet("published") if parsed.empty else None
    r = s.search(q, limit=None, filter=fq, groupedby=groups, maptype=sorting.Count,
                 sortedby=sortedby, reverse=parsed.empty)
    facets = {k: {v.decode() if isinstance(v, bytes) else v: n for v, n in r.groups(k).items() if v}
              for k in groups}
    return len(r), [h["id"] for h in r[:30]], facets


@pytest.mark.parametrize("by_item", [0, 10**6])  # facets by intersections / item by item
@pytest.mark.parametrize("broad", [False, True])
def test_the_engine_finds_counts_and_ranks_as_whoosh_does(sample_catalogue, broad, by_item,
                                                          monkeypatch):
    from index import engine as engine_module

    monkeypatch.setattr(engine_module, "BY_ITEM", by_item)
    searcher = sample_catalogue._searcher
    sample_catalogue.search("公开")  # opens the searcher
    s, engine, syllables = searcher._current(), searcher._engine, searcher._syllables
    agency = engine.facet_values("agency")[0][0]
    year = engine.facet_values("year")[0][0]
    for filters in ([], [("agency", agency)], [("year", year)]):
        for text in [*JUDGED, *EXTRA, ""]:
            parsed = qmod.parse(text)
            if broad and len(parsed.required) < 2:
                continue
            plan = qmod.plan(parsed, syllables)
            if any(g.kind == "prefix" for groups in plan.every for g in groups):
                continue  # a lone character is scored our way (engine.plan_leaves); see below
            total, ranked, facets = _whoosh(s, parsed, syllables, broad, filters)
            if parsed.empty and not text.strip():
                got = engine.newest(filters, 1, 30)
            else:
                got = engine.run(plan, filters, 1, 30, broad=broad)
            where = (text, filters, broad)
            assert got.total == total, where
            assert got.facets == facets, where
            assert [s.stored_fields(d)["id"] for d, _score in got.page] == ranked, where


def _judged_results(cat) -> list[tuple[int, list[str]]]:
    return [(r.total, [h.id for h in r.hits]) for r in (cat.search(t) for t in [*JUDGED, *EXTRA])]


def test_a_rebuild_shared_among_processes_searches_as_one_written_alone(tmp_path, monkeypatch):
    data = tmp_path / "data"
    with Catalogue(data) as cat:
        cat.import_path(SAMPLE_BUNDLE)
        alone = _judged_results(cat)
    monkeypatch.setattr(indexstore, "PARALLEL_FROM", 50)
    monkeypatch.setattr(indexstore, "_cores", lambda: 3)
    with Catalogue(data) as cat:
        name = cat.rebuild_index()
        ix = indexstore.open_index(data / "index" / name)
        assert len(ix._segments()) == 3  # this process's share and two others'
        assert _judged_results(cat) == alone
        assert cat.verify().ok
    assert not list((data / "index" / name).glob("part-*"))  # the parts' hand-over files are gone


def test_an_index_of_another_format_is_rebuilt_and_says_so(sample_catalogue, tmp_path, caplog):
    data = tmp_path / "data"
    shutil.copytree(sample_catalogue.data_dir, data, ignore=shutil.ignore_patterns("write.lock"))
    current = (data / "index" / "CURRENT").read_text().strip()
    state_file = data / "index" / current / "state.json"
    state = json.loads(state_file.read_text())
    state["analyzer_version"] = 3  # as written before bodies lost their jieba words
    state_file.write_text(json.dumps(state))
    with caplog.at_level(logging.WARNING, logger="index"), Catalogue(data) as cat:
        assert cat.search("低保").total > 0
        assert cat.stats()["index"]["analyzer_version"] == indexstore.ANALYZER_VERSION
    said = " ".join(r.getMessage() for r in caplog.records)
    assert "另一版本" in said and "another version" in said and "rebuilding" in said


def test_a_lone_character_finds_every_item_holding_it_head_fields_first(sample_catalogue):
    r = sample_catalogue.search("县", page_size=100)

    def has(text: str | None) -> bool:
        return "县" in fold(text or "")  # 縣 too

    everywhere = [h for h in r.hits if has(h.item.title) or has(h.item.body) or has(h.item.summary)
                  or has(h.item.agency) or has(" ".join(h.item.keywords))]
    assert r.total >= len(r.hits) == len(everywhere) > 10
    # the title, keywords or agency before the body or summary alone (docs/search.md, tier 2)
    in_head = [has(h.item.title) or has(h.item.agency) or has(" ".join(h.item.keywords))
               or has(h.item.doc_number) for h in r.hits]
    assert in_head == sorted(in_head, reverse=True)


def _vocabulary_by_whoosh(cat) -> list[tuple[str, int]]:
    """The suggestion phrases and their live items, the slow way (kiosk.ime's former reading)."""
    from index.schema import SUGGEST_SEP

    _name, ix = cat.store.open_current()
    out = []
    with ix.searcher() as s:
        for term, _info in s.reader().iter_field("sugg"):
            text = term.decode()
            key, _sep, phrase = text.partition(SUGGEST_SEP)
            if key == phrase:
                m, n = s.postings("sugg", text), 0
                while m.is_active():
                    n += 1
                    m.next()
                if n:
                    out.append((phrase, n))
    return out


def test_the_vocabulary_is_every_suggestion_phrase_with_its_live_items(tmp_path):
    from index.model import parse_change

    data = tmp_path / "data"
    with Catalogue(data) as cat:
        cat.import_path(SAMPLE_BUNDLE)
        words, total = cat.vocabulary()
        assert (words, total) == (_vocabulary_by_whoosh(cat), 344)
        gone = cat.search("", page_size=1).hits[0]
        cat.mirror.apply([parse_change({"op": "delete", "id": gone.id})])
        cat.prepare()
        words, total = cat.vocabulary()
        assert (words, total) == (_vocabulary_by_whoosh(cat), 343)


def test_a_catalogue_without_items_answers_every_question_with_nothing(tmp_path):
    with Catalogue(tmp_path / "data") as catalogue:  # a new kiosk before its first sync
        for text in ("", "公开", "zfxxgk", "宿政办 2008 12"):
            res = catalogue.search(text)
            assert (res.total, res.hits) == (0, [])
            assert all(counts == {} for counts in res.facets.values())
        assert catalogue.suggest("gong") == []
        assert catalogue.vocabulary() == ([], 0)


@pytest.mark.parametrize("chunk", [64 * 1024, 97, 16])  # small chunks: entries cross them, or exceed them
def test_a_prefix_scan_lists_what_whoosh_lists(sample_catalogue, monkeypatch, chunk):
    from index import postings

    monkeypatch.setattr(postings, "_CHUNK", chunk)
    with sample_catalogue.store.open_current()[1].searcher() as s:
        reader = s.reader()
        leaf = postings.LeafPostings(reader.leaf_readers()[0][0])
        for field, prefix in (("sugg", "zh"), ("sugg", "政"), ("title", "公"), ("published", ""),
                              ("sugg", "qqqq")):
            expected = [(t, i.doc_frequency()) for t, i in reader.iter_prefix(field, prefix)]
            assert leaf.scan(field, prefix.encode(), 10**9) == expected
            assert leaf.scan(field, prefix.encode(), 3) == expected[:3]


def test_a_short_prefix_offers_its_most_used_phrases_and_forgets_them_when_the_index_changes(
        tmp_path, monkeypatch):
    from index import search as search_module
    from index.model import parse_change

    with Catalogue(tmp_path / "data") as cat:
        cat.import_path(SAMPLE_BUNDLE)
        everything = cat.suggest("zh")
        monkeypatch.setattr(search_module, "SUGGEST_SCAN", 5)  # as if thousands of keys began it
        with Catalogue(tmp_path / "data", prepare=False) as fresh:
            assert fresh.suggest("zh") == everything  # every key read, not the first few
            assert fresh.suggest("zhengf") != [] and len(fresh.suggest("z")) == 0
        top = everything[0]
        gone = [h.id for h in cat.search(top.text, page_size=100).hits]
        cat.mirror.apply([parse_change({"op": "delete", "id": i}) for i in gone])
        cat.prepare()
        assert top.text not in [s.text for s in cat.suggest("zh")]  # the kept answer was dropped
