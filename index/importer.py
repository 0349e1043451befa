"""Importing a JSONL file or bundle into the mirror, with a report a clerk can act on.

Each line is validated on its own: a bad line is rejected with its line number, the item's id
when it has one, the field and the reason, and every other line is still applied. Lines are
applied in batches, each one mirror transaction; a process killed mid-import has applied some
whole batches and none partly, and running the same import again completes it (an item whose
content is already stored counts as unchanged, so a second run of the same file changes nothing).
Upserts older than the stored copy are skipped as stale, so an old USB bundle cannot roll the
catalogue back. In snapshot mode, local items the bundle does not hold are removed afterwards,
unless some line could not be read at all (its item might be one of them): then nothing is
removed and the report says why.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from .attachments import AttachmentStore
from .bundle import Source
from .errors import InvalidItem
from .mirror import ApplyCounts, Mirror
from .model import Change, parse_change
from .progress import Progress, silent
from .timeutil import now_iso

BATCH = 500
MAX_REJECTIONS_KEPT = 1000


@dataclass
class Rejection:
    line: int
    item_id: str | None
    field: str
    zh: str
    en: str


@dataclass
class ImportReport:
    source: str
    mode: str
    lines: int = 0
    counts: ApplyCounts = field(default_factory=ApplyCounts)
    rejected: list[Rejection] = field(default_factory=list)
    rejected_total: int = 0
    attachments_added: int = 0
    attachments_missing: int = 0
    snapshot_removal_skipped: bool = False
    seconds: float = 0.0  # set by the caller: the whole job, indexing included

    def to_dict(self) -> dict:
        return asdict(self)


def guess_id(obj: object) -> str | None:
    """The id a rejected line seems to carry, to name it in the report."""
    if isinstance(obj, dict):
        if isinstance(obj.get("id"), str):
            return obj["id"]
        inner = obj.get("item")
        if isinstance(inner, dict) and isinstance(inner.get("id"), str):
            return inner["id"]
    return None


def import_source(source: Source, mirror: Mirror, attachments: AttachmentStore,
                  progress: Progress = silent) -> ImportReport:
    """Apply an opened, verified source to the mirror (the caller holds the writer lock)."""
    report = ImportReport(source.name, source.mode)

    n_files = len(source.attachments)
    for i, (sha, size) in enumerate(sorted(source.attachments.items()), 1):
        with source.open_attachment(sha) as f:
            if attachments.put(f, sha, max_bytes=size):
                report.attachments_added += 1
        progress("attachments", i, n_files)

    total = sum(1 for _ in source.lines())
    seen: set[str] = set()
    unreadable = 0
    referenced: set[str] = set()
    batch: list[Change] = []

    def reject(line: int, item_id: str | None, fieldname: str, zh: str, en: str) -> None:
        report.rejected_total += 1
        if len(report.rejected) < MAX_REJECTIONS_KEPT:
            report.rejected.append(Rejection(line, item_id, fieldname, zh, en))

    def flush() -> None:
        if batch:
            report.counts.merge(mirror.apply(batch, skip_stale=True))
            batch.clear()

    for n, (lineno, raw) in enumerate(source.lines(), 1):
        report.lines += 1
        try:
            obj = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            reject(lineno, None, "line", "不是 UTF-8 编码的文本", "is not UTF-8 text")
            unreadable += 1
            continue
        except ValueError:
            reject(lineno, None, "line", "不是有效的 JSON", "is not valid JSON")
            unreadable += 1
            continue
        try:
            change = parse_change(obj)
        except InvalidItem as exc:
            item_id = guess_id(obj)
            reject(lineno, item_id, exc.field, exc.reason_zh, exc.reason_en)
            if item_id:
                seen.add(item_id)
            else:
                unreadable += 1
            continue
        if change.op == "upsert":
            seen.add(change.item_id)
            assert change.item is not None
            referenced.update(a.sha256 for a in change.item.attachments)
        batch.append(change)
        if len(batch) >= BATCH:
            flush()
        if n % 200 == 0:
            progress("import", n, total)
    flush()
    progress("import", total, total)

    if source.mode == "snapshot":
        if unreadable:
            report.snapshot_removal_skipped = True
        else:
            gone = sorted(mirror.ids() - seen)
            for i in range(0, len(gone), BATCH):
                report.counts.merge(mirror.apply(
                    [Change("delete", id=x) for x in gone[i:i + BATCH]]))

    report.attachments_missing = sum(1 for sha in referenced if attachments.get(sha) is None)
    mirror.set_meta("last_import", {
        "at": now_iso(), "source": source.name,
        "mode": source.mode, "added": report.counts.added, "updated": report.counts.updated,
        "deleted": report.counts.deleted, "unchanged": report.counts.unchanged,
        "rejected": report.rejected_total,
    })
    return report
