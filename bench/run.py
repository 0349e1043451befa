"""`python -m bench.run --items N`: every benchmark of the kiosk, with the FTS5 peer beside it.

Steps, each written to `bench/results.json` and `docs/benchmarks.md` as soon as it is done (a
long 100,000-item run that is stopped part way still leaves what it measured):

1. the synthetic catalogue (`bench.generate`), reused when N and the seed match;
2. indexing: import into a fresh data dir, the query set drawn from it, then the peers' builds;
3. search and suggestion latency in a fresh process, ours and each peer's;
4. a full rebuild of our index;
5. an incremental sync of 1,000 changes from the reference central server on loopback;
6. cold start of the kiosk under Xvfb and its peak memory;
7. a 20-page PDF;
8. result quality of all three engines on the sample's judged queries;
9. profiles of what missed its budget.

Data lives in `bench/.work/` (git-ignored). Timing never fails the run: a step that cannot run
(no Xvfb, say) is reported as missing and the rest go on.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
import traceback
from collections import defaultdict
from pathlib import Path
from typing import Any

from . import report
from .report import TRIGRAM, percentile, row
from .shape import catalogue_shape

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / ".work"
SAMPLE_BUNDLE = ROOT / "assets" / "sample" / "bundle"
JUDGED = ROOT / "assets" / "sample" / "judged-queries.json"
TOKEN = "bench-token"
PDF_PAGES = 20


class Run:
    """One run's figures and details, saved after every step."""

    def __init__(self, items: int, seed: int, work: Path) -> None:
        self.items = items
        self.seed = seed
        self.work = work
        self.rows: list[dict[str, Any]] = []
        self.details_path = work / f"details-{items}.json"
        self.details: dict[str, Any] = {"items": items, "seed": seed,
                                        "started_at": _now(), "profiles": {}, "notes": []}
        self.misses: set[str] = set()

    def add(self, name: str, value: float | None, unit: str, peer: float | None = None,
            trigram: float | None = None, items: int | None = None) -> None:
        n = self.items if items is None else items
        self.rows.append(row(name, n, value, unit, peer))
        if trigram is not None:
            self.rows.append(row(name + TRIGRAM, n, value, unit, trigram))
        budget = report.BUDGETS.get(name)
        if budget is not None and value is not None and not budget.met(value):
            self.misses.add(name)
        line = f"  {name}: {_show(value)} {unit}"
        if peer is not None:
            line += f"  (FTS5+jieba {_show(peer)})"
        if trigram is not None:
            line += f"  (FTS5 trigram {_show(trigram)})"
        print(line, flush=True)

    def save(self) -> None:
        self.details["updated_at"] = _now()
        self.details.setdefault("load", {}).update(_LOAD)
        self.details_path.write_text(json.dumps(self.details, ensure_ascii=False, indent=1), "utf-8")
        rows = report.merge_results(self.rows)
        report.write_doc(self.work, rows)


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def _show(v: float | None) -> str:
    return "—" if v is None else (f"{v:,.1f}" if abs(v) >= 10 else f"{v:.3f}")


_LOAD: dict[str, float] = {}
"""1-minute load average before each step: the machine may be shared, and a busy neighbour
slows every figure; the docs show it next to the results."""


def _step(title: str) -> None:
    _LOAD[title] = round(os.getloadavg()[0], 2)
    print(f"[{time.strftime('%H:%M:%S')}] {title} (load {_LOAD[title]})", flush=True)


def _probe(*args: str, timeout: float = 7200) -> dict[str, Any]:
    """Run `python -m bench.probe …` and return the JSON of its last stdout line."""
    proc = subprocess.run([sys.executable, "-m", "bench.probe", *args], capture_output=True, text=True,
                          timeout=timeout, check=False, cwd=ROOT)
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"bench.probe {args[0]} failed: {proc.stderr[-3000:]}")
    return json.loads(lines[-1])


# -- 1. the catalogue -----------------------------------------------------------------------------

def step_catalogue(run: Run) -> Path:
    from .generate import ensure_catalogue

    _step(f"catalogue of {run.items:,} items (seed {run.seed})")
    started = time.perf_counter()
    path, reused = ensure_catalogue(run.work, run.items, run.seed)
    print(f"  {'reused' if reused else 'generated'} {path.name} in {time.perf_counter() - started:.1f} s")
    run.details["catalogue"] = {"seed": run.seed, "file": path.name, "reused": reused,
                                **catalogue_shape(path)}
    return path


# -- 2. indexing ----------------------------------------------------------------------------------

def step_import(run: Run, jsonl: Path) -> Path:
    from index import Catalogue

    _step("indexing: import into a fresh data dir")
    data = run.work / f"data-{run.items}"
    shutil.rmtree(data, ignore_errors=True)
    cat = Catalogue(data)
    started = time.perf_counter()
    rep = cat.import_path(jsonl)
    seconds = time.perf_counter() - started
    run.details["import"] = {"seconds": seconds, "added": rep.counts.added,
                             "rejected": rep.rejected_total}
    if rep.rejected_total:
        run.details["notes"].append(f"the import rejected {rep.rejected_total} generated items")
    run.details["import_throughput"] = rep.counts.added / seconds
    print(f"  imported {rep.counts.added:,} items in {seconds:.1f} s")
    cat.close()
    return data


def step_queries(run: Run, jsonl: Path, data: Path) -> Path:
    from index import Catalogue

    from . import queries as qmod

    _step("query set")
    cat = Catalogue(data)
    try:
        chosen, prefixes = qmod.select(jsonl, run.seed, lambda t: cat.search(t, page_size=1).total)
    finally:
        cat.close()
    path = run.work / f"queries-{run.items}.json"
    qmod.save(path, chosen, prefixes)
    kinds: dict[str, int] = defaultdict(int)
    for q in chosen:
        kinds[q.kind] += 1
    run.details["queries"] = {"count": len(chosen), "prefixes": len(prefixes), "kinds": dict(kinds),
                              "list": [[q.kind, q.text] for q in chosen]}
    print(f"  {len(chosen)} queries, {len(prefixes)} suggestion prefixes")
    return path


def step_peer_build(run: Run, jsonl: Path) -> dict[str, Path]:
    from .peer import build, read_items

    dbs = {}
    for variant in ("jieba", "trigram"):
        _step(f"peer build: FTS5 {variant}")
        path = run.work / f"peer-{variant}-{run.items}.sqlite3"
        peer, n, seconds = build(path, variant, read_items(jsonl))
        peer.close()
        run.details.setdefault("peer_build", {})[variant] = {"seconds": seconds, "items": n,
                                                            "bytes": path.stat().st_size}
        print(f"  {n:,} items in {seconds:.1f} s")
        dbs[variant] = path
    ours = run.details["import_throughput"]
    pb = run.details["peer_build"]
    run.add("index.import_throughput", ours, "items/s",
            peer=pb["jieba"]["items"] / pb["jieba"]["seconds"],
            trigram=pb["trigram"]["items"] / pb["trigram"]["seconds"])
    return dbs


# -- 3. latency -----------------------------------------------------------------------------------

def _latency_rows(res: dict[str, Any]) -> tuple[list[float], float]:
    samples = [ms for values in res["search_ms"].values() for ms in values]
    return samples, res["first_query_ms"]


def step_latency(run: Run, data: Path, queries: Path, dbs: dict[str, Path]) -> None:
    from . import queries as qmod

    _step("search and suggestion latency (fresh process)")
    ours = _probe("search", "--data-dir", str(data), "--queries", str(queries), "--profile")
    peers = {}
    for variant, db in dbs.items():
        _step(f"peer latency: FTS5 {variant}")
        peers[variant] = _probe("peer", "--db", str(db), "--variant", variant, "--queries", str(queries))
    s_ours, first = _latency_rows(ours)
    s_j, first_j = _latency_rows(peers["jieba"])
    s_t, first_t = _latency_rows(peers["trigram"])
    for p, name in ((50, "search.p50_ms"), (95, "search.p95_ms"), (100, "search.max_ms")):
        run.add(name, percentile(s_ours, p), "ms", peer=percentile(s_j, p), trigram=percentile(s_t, p))
    run.add("search.first_query_ms", first, "ms", peer=first_j, trigram=first_t)
    once = list(ours.get("first_time_ms", {}).values())
    if once:  # each query the first time it is asked: nothing of it cached yet
        run.add("search.first_time_p50_ms", percentile(once, 50), "ms")
        run.add("search.first_time_p95_ms", percentile(once, 95), "ms")
    sugg = [ms for values in ours["suggest_ms"].values() for ms in values]
    run.add("suggest.p50_ms", percentile(sugg, 50), "ms")
    run.add("suggest.p95_ms", percentile(sugg, 95), "ms")
    once = list(ours.get("suggest_first_ms", {}).values())
    if once:
        run.add("suggest.first_time_p95_ms", percentile(once, 95), "ms")
    run.add("memory.search_process_mb", ours["VmHWM"] / 1024, "MB", peer=peers["jieba"]["VmHWM"] / 1024,
            trigram=peers["trigram"]["VmHWM"] / 1024)

    chosen, _prefixes = qmod.load(queries)
    by_kind: dict[str, dict[str, Any]] = {}
    for q in chosen:
        k = by_kind.setdefault(q.kind, {"n": 0, "texts": []})
        k["n"] += 1
        k["texts"].append(q.text)
    for k in by_kind.values():
        for engine, res in (("ours", ours), ("jieba", peers["jieba"]), ("trigram", peers["trigram"])):
            ms = [x for t in k["texts"] for x in res["search_ms"][t]]
            k[engine] = {"median_ms": statistics.median(ms),
                         "found": sum(1 for t in k["texts"] if res["totals"][t] > 0)}
        del k["texts"]
    run.details["search_by_kind"] = by_kind
    run.details["search"] = {
        "catalogue_open_s": ours["open_s"], "first_suggest_ms": ours["first_suggest_ms"],
        "rss_kB": ours["rss_kB"],
        "per_query": {q.text: {"kind": q.kind, "total": ours["totals"][q.text],
                               "source_rank": ours["source_rank"][q.text],
                               "median_ms": statistics.median(ours["search_ms"][q.text]),
                               "fts5_jieba_total": peers["jieba"]["totals"][q.text],
                               "fts5_trigram_total": peers["trigram"]["totals"][q.text]}
                      for q in chosen},
        "suggest": {p: {"median_ms": statistics.median(v), "count": ours["suggestions"][p]}
                    for p, v in ours["suggest_ms"].items()},
    }
    missing = [q.text for q in chosen if q.kind != "no-hit" and ours["totals"][q.text] == 0]
    if missing:
        run.details["notes"].append(f"queries drawn from the catalogue that found nothing: {missing}")
    run.details["profiles"]["search"] = ours.get("profile_search")
    run.details["query_shapes"] = ours.get("query_shapes")
    run.details["profiles"]["suggest"] = ours.get("profile_suggest")


# -- 4. rebuild -----------------------------------------------------------------------------------

def step_rebuild(run: Run, data: Path) -> None:
    from index import Catalogue

    _step("indexing: full rebuild")
    cat = Catalogue(data)
    n = cat.mirror.count()
    started = time.perf_counter()
    cat.rebuild_index()
    seconds = time.perf_counter() - started
    cat.close()
    run.details["rebuild"] = {"seconds": seconds, "items": n}
    run.add("index.rebuild_throughput", n / seconds, "items/s")


# -- 5. sync --------------------------------------------------------------------------------------

CHANGE_SEEDS = {"timed": 1000, "profiled": 2000}


def _changes(jsonl: Path, seed: int, tag: str) -> tuple[list[dict], list[str]]:
    """700 updates of existing items, 200 new items, 100 deletions; deterministic by seed."""
    from .generate import TextMaker, generate

    rng = random.Random(seed * 31 + CHANGE_SEEDS[tag])
    with open(jsonl, encoding="utf-8") as f:
        lines = f.readlines()
    picks = rng.sample(range(len(lines)), min(800, len(lines) * 8 // 10))  # fewer in smoke runs
    cut = len(picks) * 7 // 8
    updated = [json.loads(lines[i]) for i in picks[:cut]]
    deleted = [json.loads(lines[i])["id"] for i in picks[cut:]]
    text = TextMaker(rng)
    for n, item in enumerate(updated):
        item["body"] = text.paragraph(list(item["keywords"]), 2026) + "\n" + item["body"]
        item["updated_at"] = f"2026-01-{1 + n % 28:02d}T10:00:00+08:00"
    existing = {json.loads(line)["id"] for line in lines}
    new = [item for item in generate(260, seed + CHANGE_SEEDS[tag]) if item["id"] not in existing][:200]
    return updated + new, deleted


def step_sync(run: Run, data: Path, jsonl: Path, dbs: dict[str, Path], profile: bool) -> None:
    from index import Catalogue
    from index.feed import RetryPolicy
    from kiosk.central import session_for
    from kiosk.config import CentralConfig
    from kiosk.refcentral import CentralServer

    from .peer import FTS5Peer

    _step("sync: reference central server on loopback")
    sync_dir = run.work / f"sync-{run.items}"
    shutil.rmtree(sync_dir, ignore_errors=True)
    shutil.copytree(data, sync_dir, ignore=shutil.ignore_patterns("kivy", "write.lock"))
    central_db = run.work / f"central-{run.items}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(str(central_db) + suffix).unlink(missing_ok=True)
    policy = RetryPolicy(attempts=4, base_delay=0.05, max_delay=0.5, timeout=120)
    with CentralServer(central_db, token=TOKEN) as srv:
        started = time.perf_counter()
        srv.load(jsonl)
        load_s = time.perf_counter() - started
        session = session_for(CentralConfig(url=srv.url, token=TOKEN, kiosk_id="BENCH"))
        cat = Catalogue(sync_dir)
        started = time.perf_counter()
        first = cat.sync(session, srv.url, policy=policy)
        full_s = time.perf_counter() - started
        print(f"  full read: {first.changes:,} changes, {first.counts.unchanged:,} unchanged, {full_s:.1f} s")
        upserts, deletes = _changes(jsonl, run.seed, "timed")
        for item in upserts:
            srv.upsert(item)
        for item_id in deletes:
            srv.delete(item_id)
        started = time.perf_counter()
        rep = cat.sync(session, srv.url, policy=policy)
        seconds = time.perf_counter() - started
        print(f"  incremental: {rep.changes} changes (+{rep.counts.added} ~{rep.counts.updated} "
              f"-{rep.counts.deleted}) in {seconds:.2f} s")
        run.details["sync"] = {"central_load_s": load_s, "full_read_s": full_s,
                               "full_read_changes": first.changes, "changes": rep.changes,
                               "added": rep.counts.added, "updated": rep.counts.updated,
                               "deleted": rep.counts.deleted, "seconds": seconds, "pages": rep.pages}
        # the peer applies the same changes to a copy of its database
        peer_copy = run.work / f"peer-jieba-sync-{run.items}.sqlite3"
        shutil.copyfile(dbs["jieba"], peer_copy)
        peer = FTS5Peer(peer_copy, "jieba")
        started = time.perf_counter()
        peer.apply(upserts, deletes)
        peer_s = time.perf_counter() - started
        peer.close()
        peer_copy.unlink(missing_ok=True)
        run.add("sync.1000_changes_s", seconds, "s", peer=peer_s)
        run.add("sync.full_read_unchanged_s", full_s, "s")
        if profile and "sync.1000_changes_s" in run.misses:
            from .profiling import profiled

            _step("sync: profiling another 1,000 changes")
            upserts, deletes = _changes(jsonl, run.seed, "profiled")
            for item in upserts:
                srv.upsert(item)
            for item_id in deletes:
                srv.delete(item_id)
            _r, run.details["profiles"]["sync"] = profiled(
                lambda: cat.sync(session, srv.url, policy=policy))
        cat.close()
        session.close()
    shutil.rmtree(sync_dir, ignore_errors=True)


# -- 6. cold start and memory ---------------------------------------------------------------------

def step_app(run: Run, data: Path, profile: bool, starts: int = 3) -> None:
    from . import app
    from . import queries as qmod

    _step(f"cold start under Xvfb ({starts} starts)")
    if not shutil.which("Xvfb"):
        run.details["notes"].append("Xvfb is not installed: cold start and kiosk memory not measured")
        print("  Xvfb missing: skipped")
        return
    config = app.write_config(run.work)
    # an installed kiosk has its modules byte-compiled; a checkout where PYTHONDONTWRITEBYTECODE
    # is set (as here) would compile every module at every start, a third of a second and more
    subprocess.run([sys.executable, "-m", "compileall", "-q", "index", "kiosk", "printing"],
                   cwd=ROOT, check=False, capture_output=True)
    app.warm_kiosk_caches(data)
    run.details["notes"].append(
        "The kiosk's caches (the input method's dictionary and the catalogue's words for it) are "
        "built before the app is started, as deployment does (scripts/demo), so cold start and "
        "memory are those of a kiosk that has started before. A first start builds them in the "
        "background, the dictionary in a separate process (kiosk/ime/dictionary.py).")
    with app.xvfb() as env:
        starts_done = [app.cold_start(data, config, env) for _ in range(starts)]
        seconds = [s["seconds"] for s in starts_done]
        hwm = max(s["VmHWM"] for s in starts_done)
        run.details["cold_start"] = {"seconds": seconds, "line": starts_done[0]["line"],
                                     "VmHWM_kB": [s["VmHWM"] for s in starts_done]}
        run.add("app.cold_start_s", statistics.median(seconds), "s")
        run.add("memory.kiosk_home_mb", hwm / 1024, "MB")
        queries = run.work / f"queries-{run.items}.json"
        typed = next((q.text for q in qmod.load(queries)[0] if q.kind == "pinyin"), "zhengfu")
        _step(f"memory after one search typed into the kiosk ({typed})")
        try:
            res = app.search_memory(data, config, env, typed, run.work)
        except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
            run.details["notes"].append(f"the search could not be driven in the kiosk's window ({exc}); "
                                        "the search probe's memory stands for it")
        else:
            run.details["kiosk_search"] = res
            run.add("memory.kiosk_search_mb", res["VmHWM"] / 1024, "MB")
            if "chinese" in res:
                run.add("memory.kiosk_chinese_search_mb", res["chinese"]["VmHWM"] / 1024, "MB")
            else:
                run.details["notes"].append("the search in characters could not be driven in the "
                                            f"kiosk's window ({res.get('chinese_error')})")
        if profile and "app.cold_start_s" in run.misses:
            _step("cold start: profiling")
            run.details["profiles"]["cold_start"] = app.profile_cold_start(data, config, env)


# -- 7. PDF ---------------------------------------------------------------------------------------

def step_pdf(run: Run, profile: bool) -> None:
    from .generate import item_of_pages

    _step(f"PDF of a {PDF_PAGES}-page item")
    path = run.work / "pdf-item.json"
    if not path.is_file():
        path.write_text(json.dumps(item_of_pages(PDF_PAGES, run.seed), ensure_ascii=False), "utf-8")
    res = _probe("pdf", "--item", str(path), *(["--profile"] if profile else []))
    run.details["pdf"] = {k: v for k, v in res.items() if k != "profile"}
    run.add("pdf.20_pages_first_ms", res["first_ms"], "ms")
    run.add("pdf.20_pages_warm_ms", statistics.median(res["warm_ms"]), "ms")
    if res["pages"] != PDF_PAGES:
        run.details["notes"].append(f"the PDF item laid out to {res['pages']} pages, not {PDF_PAGES}")
    if "pdf.20_pages_warm_ms" in run.misses or "pdf.20_pages_first_ms" in run.misses:
        run.details["profiles"]["pdf"] = res.get("profile")


# -- 8. quality -----------------------------------------------------------------------------------

def _score(judged: list[dict], search) -> dict[str, Any]:
    recalls, reciprocal, by_kind = [], [], defaultdict(list)
    for q in judged:
        got = search(q["query"])
        recall = sum(1 for e in q["expect"] if e in got) / len(q["expect"])
        first = next((i for i, g in enumerate(got, 1) if g in q["expect"]), None)
        recalls.append(recall)
        reciprocal.append(1 / first if first else 0.0)
        by_kind[q["kind"]].append(recall)
    return {"recall@10": sum(recalls) / len(recalls), "mrr": sum(reciprocal) / len(reciprocal),
            "by_kind": {k: sum(v) / len(v) for k, v in sorted(by_kind.items())}}


def step_quality(run: Run) -> None:
    from index import Catalogue

    from .peer import build, read_items

    _step("quality on the sample's judged queries")
    judged = json.loads(JUDGED.read_text("utf-8"))
    data = run.work / "sample-data"
    shutil.rmtree(data, ignore_errors=True)
    cat = Catalogue(data)
    cat.import_path(SAMPLE_BUNDLE)
    n_items = cat.mirror.count()
    quality: dict[str, Any] = {"queries": len(judged), "items": n_items}
    quality["ours"] = _score(judged, lambda t: [h.id for h in cat.search(t, page_size=10).hits])
    cat.close()
    for variant in ("jieba", "trigram"):
        peer, _n, _s = build(run.work / f"sample-peer-{variant}.sqlite3", variant,
                             read_items(SAMPLE_BUNDLE / "catalogue.jsonl"))
        quality[variant] = _score(judged, lambda t, peer=peer: peer.search(t, page_size=10).ids)
        peer.close()
    kinds: dict[str, int] = defaultdict(int)
    for q in judged:
        kinds[q["kind"]] += 1
    quality["kinds"] = dict(sorted(kinds.items()))
    run.details["quality"] = quality
    for metric in ("recall@10", "mrr"):
        run.add(f"quality.{metric}", quality["ours"][metric], "ratio", peer=quality["jieba"][metric],
                trigram=quality["trigram"][metric], items=n_items)


# -- 9. profiles ----------------------------------------------------------------------------------

def step_profiles(run: Run, jsonl: Path) -> None:
    indexing = {"index.import_throughput", "index.rebuild_throughput", "sync.1000_changes_s"}
    if run.misses & indexing or run.details.get("import_throughput", 1e9) < 500:
        _step("indexing: profiling an import of 500 items")
        res = _probe("import-profile", "--jsonl", str(jsonl), "--limit", "500",
                     "--data-dir", str(run.work / "profile-data"))
        run.details["profiles"]["import"] = res["profile"]
        run.details["import_profile_rate"] = res["items"] / res["seconds"]
        run.details["analysis"] = res["analysis"]


# -- main -----------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    p.add_argument("--items", type=int, default=10_000, help="catalogue size (default 10000)")
    p.add_argument("--seed", type=int, default=7, help="generator seed (default 7)")
    p.add_argument("--work", type=Path, default=WORK, help="working directory (default bench/.work)")
    p.add_argument("--no-profile", action="store_true", help="skip the profiles of missed budgets")
    p.add_argument("--docs-only", action="store_true",
                   help="only write docs/benchmarks.md again from results.json and bench/.work")
    p.add_argument("--only", default="", help="comma-separated steps to run (for development): "
                   "import,queries,peer,latency,rebuild,sync,app,pdf,quality,profiles")
    args = p.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    if args.docs_only:
        report.write_doc(args.work)
        return 0
    from .machine import describe

    run = Run(args.items, args.seed, args.work)
    previous = run.details_path
    if args.only and previous.is_file():  # a partial rerun keeps what the last run found
        run.details.update(json.loads(previous.read_text("utf-8")))
    run.details["machine"] = describe()
    only = set(filter(None, args.only.split(",")))
    profile = not args.no_profile

    def wanted(step: str) -> bool:
        return not only or step in only

    failures = []

    def attempt(name: str, fn, *a) -> Any:
        try:
            return fn(*a)
        except Exception as exc:  # a benchmark reports; one broken step must not hide the rest
            traceback.print_exc()
            failures.append(name)
            run.details["notes"].append(f"step {name} failed: {exc}")
            return None
        finally:
            run.save()

    jsonl = step_catalogue(run)
    run.save()
    data = run.work / f"data-{run.items}"
    queries = run.work / f"queries-{run.items}.json"
    dbs = {v: run.work / f"peer-{v}-{run.items}.sqlite3" for v in ("jieba", "trigram")}
    if wanted("import"):
        attempt("import", step_import, run, jsonl)
    if wanted("import") or wanted("queries"):
        attempt("queries", step_queries, run, jsonl, data)
    if wanted("import") or wanted("peer"):
        attempt("peer-build", step_peer_build, run, jsonl)
    if wanted("latency"):
        attempt("latency", step_latency, run, data, queries, dbs)
    if wanted("rebuild"):
        attempt("rebuild", step_rebuild, run, data)
    if wanted("sync"):
        attempt("sync", step_sync, run, data, jsonl, dbs, profile)
    if wanted("app"):
        attempt("app", step_app, run, data, profile)
    if wanted("pdf"):
        attempt("pdf", step_pdf, run, profile)
    if wanted("quality"):
        attempt("quality", step_quality, run)
    if profile and (wanted("import") or wanted("profiles")):
        attempt("profiles", step_profiles, run, jsonl)
    run.details["finished_at"] = _now()
    run.save()
    print(f"results: {report.RESULTS.relative_to(ROOT)}, {report.DOC.relative_to(ROOT)}"
          + (f"; steps that failed: {', '.join(failures)}" if failures else ""))
    if run.misses:
        print("over budget (reported, not failed): " + ", ".join(sorted(run.misses)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
