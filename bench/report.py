"""`bench/results.json` and `docs/benchmarks.md` from the figures of one or more runs.

results.json is a flat list a script can diff between commits: one object per figure and
catalogue size, with keys exactly `name`, `items`, `value`, `unit`, `peer_value` (null where no
peer runs). A run replaces the rows of its own size and keeps the others, so the 10,000- and
100,000-item figures live side by side. The details a reader needs to trust a figure (the
machine, the catalogue's shape, per-query-kind latencies, quality by kind, profiles) are kept in
`bench/.work/details-N.json` and written into the docs; they are not part of the stable format.

Budgets are design.md's; they are stated for 100,000 items. A smaller run is shown against
them for orientation only. A figure that misses its budget is reported, never raised.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"
DOC = ROOT / "docs" / "benchmarks.md"
FULL = 100_000


@dataclass(frozen=True)
class Budget:
    op: str  # "<=" or ">="
    limit: float
    text: str

    def met(self, value: float) -> bool:
        return value <= self.limit if self.op == "<=" else value >= self.limit


BUDGETS: dict[str, Budget] = {
    "index.import_throughput": Budget(">=", 500, "≥ 500 items/s"),
    "index.rebuild_throughput": Budget(">=", 500, "≥ 500 items/s"),
    "search.p95_ms": Budget("<=", 50, "p95 ≤ 50 ms"),
    "suggest.p95_ms": Budget("<=", 20, "p95 ≤ 20 ms"),
    "sync.1000_changes_s": Budget("<=", 15, "≤ 15 s"),
    "app.cold_start_s": Budget("<=", 2.5, "≤ 2.5 s"),
    "pdf.20_pages_first_ms": Budget("<=", 1000, "≤ 1 s"),
    "pdf.20_pages_warm_ms": Budget("<=", 1000, "≤ 1 s"),
    "memory.kiosk_home_mb": Budget("<=", 400, "≤ 400 MB"),
    "memory.search_process_mb": Budget("<=", 400, "≤ 400 MB"),
    "memory.kiosk_search_mb": Budget("<=", 400, "≤ 400 MB"),
    "memory.kiosk_chinese_search_mb": Budget("<=", 400, "≤ 400 MB"),
}

LABELS: dict[str, str] = {
    "index.import_throughput": "indexing: import of the JSONL into a fresh data dir",
    "index.rebuild_throughput": "indexing: full rebuild (`rebuild_index`)",
    "search.p50_ms": "search latency p50",
    "search.p95_ms": "search latency p95",
    "search.max_ms": "search latency max",
    "search.first_query_ms": "first search of a fresh process",
    "search.first_time_p50_ms": "search latency p50, each query the first time it is asked",
    "search.first_time_p95_ms": "search latency p95, each query the first time it is asked",
    "suggest.p50_ms": "suggestion latency p50",
    "suggest.p95_ms": "suggestion latency p95",
    "suggest.first_time_p95_ms": "suggestion latency p95, each prefix the first time it is asked",
    "sync.1000_changes_s": "incremental sync of 1,000 changes",
    "sync.full_read_unchanged_s": "full read of the feed, nothing changed",
    "app.cold_start_s": "cold start to the home screen (Xvfb)",
    "pdf.20_pages_first_ms": "PDF of a 20-page item, first (font registration included)",
    "pdf.20_pages_warm_ms": "PDF of a 20-page item, warm",
    "memory.kiosk_home_mb": "peak memory (VmHWM), kiosk at its home screen",
    "memory.kiosk_search_mb": "peak memory (VmHWM), kiosk after one search typed into its window",
    "memory.kiosk_chinese_search_mb": "peak memory (VmHWM), kiosk after a word in characters is "
                                      "searched as well (chosen on its on-screen keyboard)",
    "memory.search_process_mb": "peak memory (VmHWM), process answering the query set",
    "quality.recall@10": "recall@10 on the 87 judged queries (sample)",
    "quality.mrr": "MRR on the 87 judged queries (sample)",
}

TRIGRAM = " [vs fts5-trigram]"

PROFILE_TITLES = (("import", "Indexing (import of the first 500 items)"),
                  ("sync", "Incremental sync of 1,000 changes"),
                  ("search", "Search (the six slowest queries, once each)"),
                  ("suggest", "Suggestions (one round of the prefixes)"),
                  ("cold_start", "Cold start to the home screen"),
                  ("pdf", "PDF of the 20-page item (warm)"))
EVIDENCE: dict[str, tuple[str, ...]] = {
    "index.import_throughput": ("import",), "index.rebuild_throughput": ("import",),
    "sync.1000_changes_s": ("sync", "import"), "search.p95_ms": ("search",),
    "suggest.p95_ms": ("suggest",), "app.cold_start_s": ("cold_start",),
    "pdf.20_pages_first_ms": ("pdf",), "pdf.20_pages_warm_ms": ("pdf",),
    "memory.kiosk_home_mb": ("memory",), "memory.search_process_mb": ("memory",),
    "memory.kiosk_search_mb": ("memory",), "memory.kiosk_chinese_search_mb": ("memory",),
}
"""Which profiles explain a missed budget."""

WHY: dict[str, str] = {
    "index": (
        "Indexing writes Whoosh's files with `index/writer.py` (postings grouped by term as they "
        "come, no per-posting sort, pickle or block) in one process per core (`index.partbuild`). "
        "What remains is Python work proportional to what an item holds: folding, cutting and "
        "counting about a thousand body bigrams (`analysis.term_list`), one dict append per distinct "
        "term (`TermPool.add_counts`), jieba for titles, summaries and keywords and pypinyin for the "
        "titles' pinyin and suggestion keys (`schema.document`), and at commit Whoosh's per-term "
        "format: a pickled entry and an md5 hash for every term (`writer.write_terms`). FTS5 does "
        "its share in C, and is itself held back by jieba (FTS5 + jieba below)."),
    "sync": (
        "A sync of 1,000 changes is indexed in place by one process (`IndexStore.ensure_ready`: "
        "too few items to pay for starting another, which loads jieba's dictionary again), at the "
        "per-item cost above, plus loading jieba (about a second) in the process that syncs; "
        "fetching and applying the feed is a small share."),
    "search": (
        "Queries run on `index/engine.py` (bitsets and BM25F over posting lists read whole, see "
        "docs/search.md). The first time a query is asked its terms' posting lists are read and "
        "decoded from Whoosh's format (zlib and pickle per block of 128 postings); pinyin queries "
        "also read the titles' syllable positions to match them as phrases."),
    "cold_start": (
        "Importing Kivy, creating the SDL window and building the screens are most of it; the home "
        "screen's listing (newest first, section counts) is a few set operations."),
    "memory": (
        "Of the kiosk's own memory (about 325 MB at its home screen with 10,000 items), some "
        "100 MB are the shared libraries Kivy's software rendering maps under Xvfb (Mesa's "
        "llvmpipe; libLLVM alone 56 MB resident), about 30 MB the input method's dictionary read "
        "from its cache, about 20 MB the catalogue's words for it (`kiosk/ime`), and Kivy's "
        "widgets, textures and modules most of the rest. The catalogue's share is small at the "
        "home screen (sets for the section counts) and grows with searching: the first search "
        "typed in Chinese loads jieba's dictionary (about 65 MB), and term caches grow to at most "
        "72 MB as queries repeat (`engine.BITS_BUDGET`, `POSTINGS_BUDGET`); the search probe's "
        "figure is that whole share."),
}
"""Why a budget is missed: the mechanism the profiles of the runs point at (shown only if missed)."""
WHY_FOR = {"index.import_throughput": "index", "index.rebuild_throughput": "index",
           "sync.1000_changes_s": "sync", "search.p95_ms": "search", "app.cold_start_s": "cold_start",
           "memory.kiosk_home_mb": "memory", "memory.search_process_mb": "memory",
           "memory.kiosk_search_mb": "memory", "memory.kiosk_chinese_search_mb": "memory"}


# -- results.json ---------------------------------------------------------------------------------

def row(name: str, items: int, value: float | None, unit: str,
        peer_value: float | None = None) -> dict[str, Any]:
    def r(x: float | None) -> float | None:
        return None if x is None else round(float(x), 4)

    return {"name": name, "items": items, "value": r(value), "unit": unit, "peer_value": r(peer_value)}


def merge_results(new_rows: list[dict[str, Any]], path: Path = RESULTS) -> list[dict[str, Any]]:
    """Write `new_rows` into results.json, replacing rows of the same (name, items)."""
    old: list[dict[str, Any]] = []
    if path.is_file():
        try:
            old = json.loads(path.read_text("utf-8"))
        except ValueError:
            old = []
    keys = {(r["name"], r["items"]) for r in new_rows}
    rows = [r for r in old if (r.get("name"), r.get("items")) not in keys] + new_rows
    rows.sort(key=lambda r: (r["name"], r["items"]))
    path.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", "utf-8")
    return rows


# -- helpers --------------------------------------------------------------------------------------

def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100): the value below which p% of samples fall."""
    s = sorted(values)
    if not s:
        return float("nan")
    k = max(0, min(len(s) - 1, round(p / 100 * len(s) + 0.5) - 1))
    return s[k]


def _fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    if abs(value) >= 100:
        text = f"{value:,.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.2f}" if unit != "" or value != int(value) else f"{value:.0f}"
    return text


def _ratio(ours: float | None, peer: float | None, higher_is_better: bool) -> str:
    """How many times better (or worse) ours is, in words a reader cannot misread."""
    if ours is None or peer is None or ours == 0 or peer == 0:
        return "—"
    r = ours / peer if higher_is_better else peer / ours
    if r >= 1:
        return f"ours {r:.1f}× better"
    return f"**FTS5 {1 / r:.1f}× better**"


HIGHER_IS_BETTER = {"items/s", "ratio"}


# -- docs/benchmarks.md ---------------------------------------------------------------------------

def _load_details(work: Path) -> dict[int, dict[str, Any]]:
    out = {}
    for p in sorted(work.glob("details-*.json")):
        try:
            d = json.loads(p.read_text("utf-8"))
            out[int(d["items"])] = d
        except (ValueError, KeyError):
            continue
    return out


def write_doc(work: Path, rows: list[dict[str, Any]] | None = None, path: Path = DOC) -> None:
    if rows is None:
        rows = json.loads(RESULTS.read_text("utf-8")) if RESULTS.is_file() else []
    details = _load_details(work)
    path.write_text(render(rows, details), "utf-8")


def _get(rows: list[dict[str, Any]], name: str, items: int) -> dict[str, Any] | None:
    return next((r for r in rows if r["name"] == name and r["items"] == items), None)


def render(rows: list[dict[str, Any]], details: dict[int, dict[str, Any]]) -> str:
    sizes = sorted({r["items"] for r in rows if not r["name"].startswith("quality.")})
    out: list[str] = []
    w = out.append
    w("# Benchmarks")
    w("")
    w("What the kiosk achieves against the budgets of `design.md` and against a peer, SQLite FTS5,")
    w("on synthetic catalogues and the judged sample queries. Generated by `bench/run.py`")
    w("(`make bench`: 10,000 items; `make bench-full`: 100,000 items) — do not edit by hand; the")
    w("figures are in `bench/results.json`. Benchmarks report; they never fail on timing.")
    w("")
    machine = next((d["machine"] for _n, d in sorted(details.items()) if "machine" in d), None)
    if machine:
        w("## The machine")
        w("")
        w("| | |")
        w("|---|---|")
        w(f"| CPU | {machine['cpu']}, {machine['cores']} cores |")
        w(f"| RAM | {machine['memory_mb']:,} MB |")
        w(f"| OS | {machine['os']} (kernel {machine['kernel']}) |")
        w(f"| Python | {machine['python']}, SQLite {machine['sqlite']} |")
        w("| libraries | " + ", ".join(f"{k} {v}" for k, v in machine["packages"].items()) + " |")
        w("")
        runs = ", ".join(f"{n:,} items, finished {d['finished_at']}" if d.get("finished_at")
                         else f"{n:,} items, started {d.get('started_at', '?')} and still running or cut "
                              "off (its figures are those of the steps it finished)"
                         for n, d in sorted(details.items()))
        w(f"Runs: {runs}.")
        w("")
        for n, d in sorted(details.items()):
            if d.get("load"):
                w(f"Load average (1 min) before each step of the {n:,}-item run — the machine may be "
                  "shared, and anything above about 0.3 means a neighbour was busy: "
                  + "; ".join(f"{k} {v}" for k, v in d["load"].items()) + ".")
                w("")
    _catalogue_section(w, details)
    _budget_section(w, rows, sizes)
    _peer_section(w, rows, sizes, details)
    _quality_section(w, rows, details)
    _wins_section(w, rows, details)
    _misses_section(w, rows, sizes, details)
    _tuning_section(w)
    _method_section(w)
    return "\n".join(out) + "\n"


def _catalogue_section(w, details: dict[int, dict[str, Any]]) -> None:
    if not details:
        return
    w("## The synthetic catalogue")
    w("")
    w("`bench/generate.py`: words from jieba's dictionary by corpus frequency, in recurring phrases;")
    w("agencies, categories, 索引号 and 文号 in the sample's shapes; about 10% of items in Traditional")
    w("script. Deterministic by seed; reused by reruns with the same size and seed.")
    w("")
    w("| items | seed | body chars (median / mean / max) | title chars (mean) | Traditional | "
      "with 文号 | distinct terms per 1,000 body chars (sample: see note) |")
    w("|---|---|---|---|---|---|---|")
    for n, d in sorted(details.items()):
        g = d.get("catalogue")
        if not g:
            continue
        w(f"| {n:,} | {g['seed']} | {g['body_median']:,} / {g['body_mean']:,} / {g['body_max']:,} | "
          f"{g['title_mean']:.1f} | {g['traditional_share']:.1%} | {g['doc_number_share']:.1%} | "
          f"{g['distinct_per_1k']:.0f} |")
    g = next((d["catalogue"] for d in details.values() if "catalogue" in d), None)
    if g:
        w("")
        w(f"Note: the sample's bodies (median {g['sample_body_median']:,} characters) have "
          f"{g['sample_distinct_per_1k']:.0f} distinct index terms per 1,000 characters, measured on "
          "the same volume of text as the figure above (the first ~220,000 body characters). Words drawn "
          "independently from the dictionary would give about 510, and make indexing look three "
          "times slower than real prose would; see `PhrasePool` in `bench/generate.py`.")
    w("")


def _budget_section(w, rows: list[dict[str, Any]], sizes: list[int]) -> None:
    w("## Results against the budgets")
    w("")
    w("Budgets are stated for 100,000 items on a 2-core machine; a 10,000-item figure is shown")
    w("against them for orientation (search and memory grow with the catalogue).")
    w("")
    head = " | ".join(f"{n:,} items" for n in sizes)
    w(f"| measure | budget | {head} |")
    w("|---|---|" + "---|" * len(sizes))
    names = [n for n in LABELS if not n.startswith("quality.")]
    for name in names:
        cells = []
        for n in sizes:
            r = _get(rows, name, n)
            if r is None or r["value"] is None:
                cells.append("—")
                continue
            text = f"{_fmt(r['value'], r['unit'])} {r['unit']}"
            b = BUDGETS.get(name)
            if b is not None:
                text += " ✅" if b.met(r["value"]) else " ❌"
            cells.append(text)
        if all(c == "—" for c in cells):
            continue
        budget = BUDGETS[name].text if name in BUDGETS else ""
        w(f"| {LABELS[name]} | {budget} | " + " | ".join(cells) + " |")
    w("")


def _peer_section(w, rows: list[dict[str, Any]], sizes: list[int],
                  details: dict[int, dict[str, Any]]) -> None:
    w("## Against SQLite FTS5, on the same items and queries")
    w("")
    w("Peer A is FTS5 over jieba-segmented text folded to Simplified; peer B is FTS5's trigram")
    w("tokenizer over the raw text (see `bench/peer.py` for exactly what each does). A ratio says")
    w("how many times better one side is; **bold** where FTS5 wins.")
    w("")
    for n in sizes:
        w(f"### {n:,} items")
        w("")
        w("| measure | ours | FTS5 + jieba | ratio | FTS5 trigram | ratio |")
        w("|---|---|---|---|---|---|")
        for name, label in LABELS.items():
            r = _get(rows, name, n)
            if r is None or r["peer_value"] is None:
                continue
            t = _get(rows, name + TRIGRAM, n)
            hib = r["unit"] in HIGHER_IS_BETTER
            unit = f" {r['unit']}"
            tri = t["peer_value"] if t else None
            w(f"| {label} | {_fmt(r['value'], unit)}{unit} | {_fmt(r['peer_value'], unit)}{unit} | "
              f"{_ratio(r['value'], r['peer_value'], hib)} | "
              f"{_fmt(tri, unit) + unit if tri is not None else '—'} | {_ratio(r['value'], tri, hib)} |")
        d = details.get(n, {})
        kinds = d.get("search_by_kind")
        if kinds:
            w("")
            w("Median latency by kind of query (ms), and how many of the kind found anything:")
            w("")
            w("| kind | n | ours | found | FTS5 + jieba | found | FTS5 trigram | found |")
            w("|---|---|---|---|---|---|---|---|")
            for kind, k in kinds.items():
                def cell(engine: str, k=k) -> str:
                    e = k.get(engine)
                    return "— | —" if not e else f"{e['median_ms']:.1f} | {e['found']}/{k['n']}"
                w(f"| {kind} | {k['n']} | {cell('ours')} | {cell('jieba')} | {cell('trigram')} |")
        w("")


def _wins_section(w, rows: list[dict[str, Any]], details: dict[int, dict[str, Any]]) -> None:
    """Where the peer is better, listed from the figures, so nobody has to read between lines."""
    found: dict[tuple[str, int], list[str]] = {}
    ours: dict[tuple[str, int], str] = {}
    for r in rows:
        base = r["name"].removesuffix(TRIGRAM)
        if r["peer_value"] is None or r["value"] is None or base not in LABELS:
            continue
        hib = r["unit"] in HIGHER_IS_BETTER
        if (r["peer_value"] > r["value"]) if hib else (r["peer_value"] < r["value"]):
            peer = "FTS5 trigram" if r["name"].endswith(TRIGRAM) else "FTS5 + jieba"
            key = (base, r["items"])
            found.setdefault(key, []).append(f"{peer} {_fmt(r['peer_value'])} {r['unit']}")
            ours[key] = f"{_fmt(r['value'])} {r['unit']}"
    wins = [f"{LABELS[b]} ({n:,} items): " + ", ".join(sorted(v)) + f"; ours {ours[(b, n)]}"
            for (b, n), v in sorted(found.items(), key=lambda kv: (kv[0][1], list(LABELS).index(kv[0][0])))]
    q = next((d["quality"] for _n, d in sorted(details.items(), reverse=True) if "quality" in d), None)
    if q:
        for engine, peer in (("jieba", "FTS5 + jieba"), ("trigram", "FTS5 trigram")):
            ties = [k for k, v in q[engine]["by_kind"].items() if v >= q["ours"]["by_kind"][k]]
            if ties:
                wins.append(f"quality: {peer} finds as much as ours on the judged "
                            + ", ".join(ties) + " queries")
    if not wins:
        return
    w("## Where FTS5 wins, plainly")
    w("")
    for line in wins:
        w(f"- {line}.")
    w("")


def _quality_section(w, rows: list[dict[str, Any]], details: dict[int, dict[str, Any]]) -> None:
    q = next((d["quality"] for _n, d in sorted(details.items(), reverse=True) if "quality" in d), None)
    if not q:
        return
    w("## Result quality, side by side (the sample catalogue's judged queries)")
    w("")
    w(f"The {q['queries']} judged queries of `assets/sample/judged-queries.json` (what "
      "`tests/index/test_quality.py` asserts), each engine over the sample's 344 items, first page of 10.")
    w("")
    w("| | ours | FTS5 + jieba | FTS5 trigram |")
    w("|---|---|---|---|")
    for metric in ("recall@10", "mrr"):
        w(f"| {metric} | " + " | ".join(f"{q[e][metric]:.3f}" for e in ("ours", "jieba", "trigram")) + " |")
    w("")
    w("Recall@10 by kind of query:")
    w("")
    w("| kind | n | ours | FTS5 + jieba | FTS5 trigram |")
    w("|---|---|---|---|---|")
    for kind, n in q["kinds"].items():
        cells = " | ".join(f"{q[e]['by_kind'][kind]:.3f}" for e in ("ours", "jieba", "trigram"))
        w(f"| {kind} | {n} | {cells} |")
    w("")


def _misses_section(w, rows: list[dict[str, Any]], sizes: list[int],
                    details: dict[int, dict[str, Any]]) -> None:
    w("## What misses its budget, and why")
    w("")
    any_miss = False
    for name, b in BUDGETS.items():
        for n in sizes:
            r = _get(rows, name, n)
            if r is None or r["value"] is None or b.met(r["value"]):
                continue
            any_miss = True
            w(f"- **{LABELS[name]}** at {n:,} items: {_fmt(r['value'])} {r['unit']} (budget {b.text}).")
    if not any_miss:
        w("Every budget is met.")
        w("")
        return
    w("")
    missed_now = {r["name"] for r in rows if r["name"] in BUDGETS and r["value"] is not None
                  and not BUDGETS[r["name"]].met(r["value"])}
    latest = next((d for _n, d in sorted(details.items(), reverse=True) if d.get("profiles")), {})
    for key in dict.fromkeys(WHY_FOR[n] for n in BUDGETS if n in missed_now and n in WHY_FOR):
        w(f"- *Why ({key}).* {WHY[key]}{_why_figures(key, latest)}")
    w("")
    w("Where the time goes, from cProfile (own time by library, then the heaviest functions). The")
    w("profiles come from the largest run that has them; cProfile inflates Python-heavy code, so")
    w("read the shares, not the seconds.")
    w("")
    missed = {r["name"] for r in rows if r["name"] in BUDGETS and r["value"] is not None
              and not BUDGETS[r["name"]].met(r["value"])}
    wanted = {key for name, keys in EVIDENCE.items() if name in missed for key in keys}
    for n, d in sorted(details.items(), reverse=True):
        profiles = d.get("profiles") or {}
        for key, title in PROFILE_TITLES:
            p = profiles.get(key)
            if key not in wanted or not p or "by_group" not in p:
                continue
            w(f"### {title}, {n:,} items")
            w("")
            groups = ", ".join(f"{g} {s:.0%}" for g, s in list(p["by_group"].items())[:7] if s >= 0.01)
            w(f"Own time by library: {groups} (of {p['total_s']:.2f} s profiled).")
            w("")
            w("| function | calls | own s | cumulative s |")
            w("|---|---|---|---|")
            for f in p["top_cumulative"][:14]:
                w(f"| `{f['function']}` | {f['calls']:,} | {f['own_s']:.2f} | {f['cumulative_s']:.2f} |")
            w("")
            w("Heaviest by own time: " + "; ".join(
                f"`{f['function']}` {f['own_s']:.2f} s" for f in p["top_own"][:6]) + ".")
            w("")
        if "memory" in wanted and d.get("search", {}).get("rss_kB"):
            rss = d["search"]["rss_kB"]
            w(f"### Memory of the search process, {n:,} items")
            w("")
            w("Resident memory (VmRSS) at each point of the search probe: " + ", ".join(
                f"{k.replace('_', ' ')} {v / 1024:.0f} MB" for k, v in rss.items()) + ".")
            w("")
        if profiles:
            break
    notes = next((d.get("notes") for _n, d in sorted(details.items(), reverse=True) if d.get("notes")), None)
    if notes:
        for line in notes:
            w(f"- {line}")
        w("")


def _why_figures(key: str, d: dict[str, Any]) -> str:
    """The figures of a run that back a `WHY` text."""
    if key == "index" and d.get("analysis"):
        a = d["analysis"]
        return (f" Measured apart ({a['items']:,} items, {d['items']:,}-item run): our analysis alone "
                f"(`schema.document` and every field's tokenizer, nothing written) runs at "
                f"{a['items_per_s']:,.0f} items/s and emits {a['terms_per_item']:,.0f} terms per item; "
                "the rest of the indexing time is gathering the postings by term and writing them "
                "(`writer.TermPool`, `writer.write_terms`) and the mirror.")
    if key == "search" and d.get("query_shapes"):
        parts = []
        for text, shape in list(d["query_shapes"].items())[:4]:
            opt = [f"{c}* → {sum(v.values()):,} terms" for c, v in shape["prefix_terms"].items()]
            if opt:
                parts.append(f"`{text}`: " + ", ".join(opt))
        if parts:
            return (" The slowest queries of this run and what their one-character units expand to "
                    f"({d['items']:,} items, over the six text fields): " + "; ".join(parts) + ".")
    if key == "memory" and d.get("search", {}).get("rss_kB"):
        rss = d["search"]["rss_kB"]
        return (f" In the search probe ({d['items']:,} items) resident memory goes from "
                f"{rss['catalogue_open'] / 1024:.0f} MB with the catalogue open to "
                f"{rss['first_query'] / 1024:.0f} MB after the first query.")
    return ""


TUNING = ROOT / "bench" / "tuning.md"
"""What was changed to meet the budgets, with before and after figures: written by hand (it is
history, not a measurement of this run) and included here as it stands."""


def _tuning_section(w) -> None:
    if TUNING.is_file():
        w(TUNING.read_text("utf-8").rstrip())
        w("")


def _method_section(w) -> None:
    w("## How each figure is taken")
    w("")
    for line in (
        "Indexing: `Catalogue(fresh_dir).import_path(jsonl)` (validation, mirror, index, commit), "
        "then `rebuild_index()` on the result; items divided by wall-clock seconds.",
        "Search: a fresh process opens the catalogue and calls `catalogue.search(text, page_size=10)` "
        "as `kiosk-admin search` does (hits with snippets, facets); one round asking every query for "
        "the first time (its terms read from disk: the \"first time\" figures), then three timed "
        "rounds of every query; p50/p95/max over all timed calls. The first query of the process "
        "(loading jieba's dictionary and the fold table) is reported on its own. Suggestions the "
        "same way, each prefix the first time and then three rounds.",
        "Queries (`bench/queries.py`) are drawn from the catalogue by seed: two-character words, long "
        "title phrases, Traditional, pinyin, initials, 索引号, 文号 (half typed with [ ]), agency names, "
        "spoken questions, and two that find nothing.",
        "Suggestions: `catalogue.suggest(prefix)` for 1–2 characters, pinyin starts and initials.",
        "Sync: the reference central server (`kiosk.refcentral`) in-process on loopback, loaded with the "
        "catalogue; a copy of the imported data dir reads the whole feed once (nothing changes), then "
        "700 updates, 200 new items and 100 deletions are published and `Catalogue.sync` is timed. The "
        "peer's figure is applying the same changes to its database (no HTTP).",
        "Cold start: Xvfb is started first; the time runs from spawning `kiosk --data-dir D` to its "
        "\"home screen shown\" line (written 0.5 s after the home screen is built, so that half second "
        "is included); median of three starts with a warm page cache, the project's modules "
        "byte-compiled first (`compileall`), as an installed kiosk has them.",
        "Memory: VmHWM of the kiosk process one second after its home screen (which already runs one "
        "search: the empty query with facets that fills the section tiles); then, in a fourth start "
        "with the UI driver socket the UI tests use, after tapping the search entry and typing a pinyin "
        "query of the set on the X keyboard (xdotool) until results show; then, after clearing the box, "
        "typing `zhengfu` on the on-screen keyboard and choosing 政府 in its candidate bar, three "
        "seconds after those results show (a query in characters loads jieba's dictionary). The "
        "kiosk's caches are built first, as deployment does. The search probe's VmHWM — a "
        "process that opens the catalogue and runs the whole query set — is reported as well.",
        "PDF: `printing.render.render_item` of a generated item laid out to exactly 20 pages, in a "
        "fresh process: the first call (finding and registering the CJK font included), then the median "
        "of five warm calls.",
        "Quality: the sample bundle imported into a fresh data dir (ours) and loaded into each FTS5 "
        "variant; recall@10 and MRR computed as `tests/index/test_quality.py` does.",
    ):
        w(f"- {line}")
    w("")


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")
