"""Benchmarks of the kiosk against the budgets in design.md and against SQLite FTS5.

`python -m bench.run --items N` generates (or reuses) a synthetic catalogue of N items
(`bench.generate`), measures indexing, search, suggestions, sync, cold start, PDF rendering and
memory, runs the FTS5 peer on the same items and queries (`bench.peer`), and writes
`bench/results.json` and `docs/benchmarks.md`. Benchmarks report; they never fail on timing.
"""
