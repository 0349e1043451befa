"""Measurements that need a process of their own, started by `bench.run`; JSON on stdout.

A fresh process is what the kiosk is: latency after opening the catalogue, the first query's
extra cost (jieba's dictionary, the fold table, pinyin data), the peak memory of a process that
holds the catalogue open and answers the query set (VmHWM), and the first PDF including the CJK
font's registration all depend on nothing having been loaded before. The bench's own process
has imported and cached everything by then.

    python -m bench.probe search --data-dir D --queries Q.json [--profile]
    python -m bench.probe peer --db F --variant jieba|trigram --queries Q.json
    python -m bench.probe pdf --item ITEM.json [--profile]
    python -m bench.probe import-profile --jsonl F --limit 500 --data-dir D
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

PROFILED_QUERIES = 6
"""The slowest queries of the warm round are profiled (all of them would take too long at 100k)."""


def vm_status() -> dict[str, int]:
    """VmHWM (peak resident) and VmRSS of this process, in kB."""
    out = {}
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                out[key] = int(value.split()[0])
    return out


def _ms(fn) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn()
    return (time.perf_counter() - started) * 1000, result


def cmd_search(args: argparse.Namespace) -> dict:
    from . import queries as qmod

    rss = {"start": vm_status()["VmRSS"]}
    started = time.perf_counter()
    from index import Catalogue

    rss["imported"] = vm_status()["VmRSS"]
    cat = Catalogue(args.data_dir)
    open_s = time.perf_counter() - started
    rss["catalogue_open"] = vm_status()["VmRSS"]
    queries, prefixes = qmod.load(args.queries)
    # the first query of a fresh process pays for jieba's dictionary, the fold table, pinyin data
    first_ms, _ = _ms(lambda: cat.search(queries[0].text, page_size=10))
    rss["first_query"] = vm_status()["VmRSS"]
    first_suggest_ms, _ = _ms(lambda: cat.suggest(prefixes[0]))
    search: dict[str, list[float]] = {q.text: [] for q in queries}
    totals: dict[str, int] = {}
    hits_source: dict[str, int | None] = {}
    warm: dict[str, float] = {}
    warm_started = time.perf_counter()
    # one round that is not in p50/p95: each query asked for the first time (its terms' posting
    # lists read from disk, nothing cached), reported apart as the "first time" figures; it also
    # records what each query finds
    for q in queries:
        ms, r = _ms(lambda q=q: cat.search(q.text, page_size=10))
        warm[q.text] = ms
        totals[q.text] = r.total
        ids = [h.id for h in r.hits]
        hits_source[q.text] = (ids.index(q.source_id) + 1) if q.source_id in ids else None
    warm_s = time.perf_counter() - warm_started
    # a very large catalogue can make a round take many minutes: then one timed round must do
    rounds = args.rounds if warm_s < 120 else 1
    for _ in range(rounds):
        for q in queries:
            ms, _r = _ms(lambda q=q: cat.search(q.text, page_size=10))
            search[q.text].append(ms)
    suggest: dict[str, list[float]] = {p: [] for p in prefixes}
    suggestions: dict[str, int] = {}
    suggest_first: dict[str, float] = {}
    for p in prefixes:  # the first time each prefix is asked, reported apart
        ms, got = _ms(lambda p=p: cat.suggest(p))
        suggestions[p] = len(got)
        if p != prefixes[0]:  # that one was the process's first, reported on its own
            suggest_first[p] = ms
    for _ in range(args.rounds):
        for p in prefixes:
            ms, _r = _ms(lambda p=p: cat.suggest(p))
            suggest[p].append(ms)
    rss["all_queries"] = vm_status()["VmRSS"]
    out = {"open_s": open_s, "rss_kB": rss, "rounds": rounds, "warm_round_s": warm_s,
           "first_time_ms": {t: ms for t, ms in warm.items() if t != queries[0].text},
           "first_query_ms": first_ms, "first_suggest_ms": first_suggest_ms,
           "search_ms": search, "totals": totals, "source_rank": hits_source,
           "suggest_ms": suggest, "suggestions": suggestions, "suggest_first_ms": suggest_first,
           **vm_status()}
    if args.profile:
        from .profiling import profiled

        slowest = sorted(queries, key=lambda q: -warm[q.text])[:PROFILED_QUERIES]
        out["profiled_queries"] = [q.text for q in slowest]

        def one_round() -> None:  # where the time goes is where the slow queries spend it
            for q in slowest:
                cat.search(q.text, page_size=10)

        _r, out["profile_search"] = profiled(one_round)
        out["query_shapes"] = query_shapes(cat, [q.text for q in slowest])

        def suggest_round() -> None:
            for p in prefixes:
                cat.suggest(p)

        _r, out["profile_suggest"] = profiled(suggest_round)
    cat.close()
    return out


def query_shapes(cat, texts: list[str]) -> dict:
    """What the slowest queries turn into: their units, and for each optional one-character unit
    how many index terms its prefix lookup expands to per field (the evidence for where the time
    goes; read through the catalogue's own searcher, nothing is changed)."""
    from index import query as qmod

    out = {}
    with cat._searcher._lock:
        reader = cat._searcher._current().reader()
        for text in texts:
            parsed = qmod.parse(text)
            prefix_terms = {}
            for u in parsed.units:
                if u.kind == "cjk" and len(u.text) == 1:
                    prefix_terms[u.text] = {f: sum(1 for _t in reader.expand_prefix(f, u.text))
                                            for f in qmod.TEXT_FIELDS}
            out[text] = {"units": [[u.text, u.kind, u.optional] for u in parsed.units],
                         "prefix_terms": prefix_terms}
    return out


def cmd_peer(args: argparse.Namespace) -> dict:
    from . import queries as qmod
    from .peer import FTS5Peer

    peer = FTS5Peer(args.db, args.variant)
    queries, _prefixes = qmod.load(args.queries)
    first_ms, _ = _ms(lambda: peer.search(queries[0].text))
    totals = {q.text: peer.search(q.text).total for q in queries}
    search: dict[str, list[float]] = {q.text: [] for q in queries}
    for _ in range(args.rounds):
        for q in queries:
            ms, _r = _ms(lambda q=q: peer.search(q.text))
            search[q.text].append(ms)
    peer.close()
    return {"first_query_ms": first_ms, "search_ms": search, "totals": totals, **vm_status()}


def cmd_pdf(args: argparse.Namespace) -> dict:
    import datetime as dt
    import tempfile

    started = time.perf_counter()
    from index.model import parse_item
    from printing.layout import Footer
    from printing.render import render_item

    import_s = time.perf_counter() - started
    item = parse_item(json.loads(Path(args.item).read_text("utf-8")))
    footer = Footer(venue="基准测试查阅点", printed_at=dt.datetime(2025, 1, 1, 9, 0),
                    index_no=item.id, notice="本件为政府信息查阅场所打印件")
    out: dict = {"import_s": import_s}
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "item.pdf"
        first_ms, rendered = _ms(lambda: render_item(item, target, footer))
        out["first_ms"] = first_ms  # includes finding and registering the CJK font
        out["pages"] = rendered.total_pages
        out["bytes"] = target.stat().st_size
        out["warm_ms"] = [_ms(lambda: render_item(item, target, footer))[0]
                          for _ in range(args.rounds)]
        if args.profile:
            from .profiling import profiled

            _r, out["profile"] = profiled(lambda: render_item(item, target, footer))
    return {**out, **vm_status()}


def cmd_import_profile(args: argparse.Namespace) -> dict:
    import shutil
    import tempfile

    from index import Catalogue

    from .profiling import profiled

    data = Path(args.data_dir)
    shutil.rmtree(data, ignore_errors=True)
    with tempfile.TemporaryDirectory() as tmp:
        part = Path(tmp) / "part.jsonl"
        with open(args.jsonl, encoding="utf-8") as src, open(part, "w", encoding="utf-8") as dst:
            for n, line in enumerate(src):
                if n >= args.limit:
                    break
                dst.write(line)
        cat = Catalogue(data)
        from index.analysis import _jieba
        from index.fold import _table

        _jieba()
        _table()  # one-off start-up costs are not indexing
        analysis = analysis_rate(Path(args.jsonl), skip=args.limit, count=2000)
        started = time.perf_counter()
        _r, summary = profiled(lambda: cat.import_path(part))
        seconds = time.perf_counter() - started
        cat.close()
    shutil.rmtree(data, ignore_errors=True)
    return {"items": args.limit, "seconds": seconds, "profile": summary, "analysis": analysis}


def analysis_rate(jsonl: Path, skip: int, count: int) -> dict:
    """Items per second of our analysis alone: `schema.document` and every field's tokenizer,
    without Whoosh writing anything (items after the first `skip`, so caches start cold)."""
    from index.mirror import content_hash
    from index.model import parse_item
    from index.schema import build_schema, document

    schema = build_schema()
    with open(jsonl, encoding="utf-8") as f:
        lines = [line for _n, line in zip(range(skip + count), f, strict=False)]
    chosen = lines[skip:] if len(lines) - skip >= count // 2 else lines[:count]  # small catalogues
    items = [parse_item(json.loads(line)) for line in chosen]
    started = time.perf_counter()
    terms = 0
    for item in items:
        for name, value in document(item, content_hash(item)).items():
            analyzer = getattr(schema[name], "analyzer", None)
            if analyzer is not None and isinstance(value, str):
                terms += sum(1 for _t in analyzer(value, positions=True, chars=True))
    seconds = time.perf_counter() - started
    return {"items": len(items), "seconds": seconds, "items_per_s": len(items) / seconds,
            "terms_per_item": terms / max(1, len(items))}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.probe")
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("search")
    s.add_argument("--data-dir", type=Path, required=True)
    s.add_argument("--queries", type=Path, required=True)
    s.add_argument("--rounds", type=int, default=3)
    s.add_argument("--profile", action="store_true")
    s = sub.add_parser("peer")
    s.add_argument("--db", type=Path, required=True)
    s.add_argument("--variant", required=True)
    s.add_argument("--queries", type=Path, required=True)
    s.add_argument("--rounds", type=int, default=3)
    s = sub.add_parser("pdf")
    s.add_argument("--item", type=Path, required=True)
    s.add_argument("--rounds", type=int, default=5)
    s.add_argument("--profile", action="store_true")
    s = sub.add_parser("import-profile")
    s.add_argument("--jsonl", type=Path, required=True)
    s.add_argument("--data-dir", type=Path, required=True)
    s.add_argument("--limit", type=int, default=500)
    args = p.parse_args(argv)
    handler = {"search": cmd_search, "peer": cmd_peer, "pdf": cmd_pdf,
               "import-profile": cmd_import_profile}[args.cmd]
    result = handler(args)
    json.dump(result, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
