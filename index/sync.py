"""Following the central system's changes feed into the mirror, and fetching attachments.

The contract is `central-api.md`: pages of changes after an opaque cursor, oldest first. Each
page is applied as one mirror transaction *together with the cursor that follows it*, so a sync
killed at any moment resumes exactly where the last committed page ended: nothing is applied
twice to any effect (an upsert of stored content counts as unchanged) and nothing is skipped.

A sync without a cursor (the first one) or after `410 Gone` (an expired cursor) reads the whole
catalogue from the start. Such a *full read* is marked in the mirror and every id it sees is
recorded; when it reaches the end, local items it did not see are removed (the central catalogue
no longer has them). The mark survives a crash, so an interrupted full read still ends with that
removal.

Faults, page by page: a malformed item is rejected and reported while the rest of its page
applies (during a full read its id still counts as seen: the local copy stays rather than
vanishing over a feed fault); a page that does not follow the contract stops the sync with the
cursor where it was. Attachments are fetched afterwards, each distinct file once, and kept only
when its bytes match its SHA-256; those that fail are tried again by the next sync.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from .attachments import AttachmentStore
from .errors import AttachmentRejected, InvalidItem
from .feed import Feed, FeedError
from .importer import guess_id
from .mirror import ApplyCounts, Mirror
from .model import MAX_ID_CHARS, Change, parse_change
from .progress import Progress, silent

CHANGES_PATH = "/v1/catalogue/changes"
CURSOR_KEY = "sync_cursor"
MAX_REJECTIONS_KEPT = 200


@dataclass
class SyncRejection:
    item_id: str | None
    field: str
    zh: str
    en: str


@dataclass
class SyncReport:
    pages: int = 0
    changes: int = 0
    counts: ApplyCounts = field(default_factory=ApplyCounts)
    rejected: list[SyncRejection] = field(default_factory=list)
    rejected_total: int = 0
    full_read: bool = False        # the whole catalogue was read (first sync, or expired cursor)
    cursor_expired: bool = False
    removed_unseen: int = 0        # local items a full read did not see, removed at its end
    complete: bool = False         # the feed was read to its end
    attachments_fetched: int = 0
    attachment_bytes: int = 0
    attachments_refused: list[str] = field(default_factory=list)  # bytes did not match the hash
    attachments_unavailable: int = 0  # the central system does not have them (404)
    retries: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)


def _malformed(zh: str, en: str) -> FeedError:
    return FeedError("malformed", f"中心系统返回的变更页不符合约定（{zh}）。同步已停止，"
                     "下次从同一位置继续；如反复出现请联系中心系统管理员",
                     f"a page of the central changes feed breaks the contract ({en}). Sync "
                     "stopped where it was and will resume from there; if this persists, tell "
                     "the central system's administrators")


def _parse_page(page: Any) -> tuple[list[Any], str, bool]:
    if not isinstance(page, dict):
        raise _malformed("不是 JSON 对象", "not a JSON object")
    changes, cursor, has_more = page.get("changes"), page.get("cursor"), page.get("has_more")
    if not isinstance(changes, list):
        raise _malformed("缺少 changes 列表", "no changes list")
    if not isinstance(cursor, str) or not cursor or len(cursor) > 4096:
        raise _malformed("缺少 cursor", "no cursor")
    if not isinstance(has_more, bool):
        raise _malformed("缺少 has_more", "no has_more flag")
    return changes, cursor, has_more


def _parse_changes(raw: list[Any], report: SyncReport) -> tuple[list[Change], list[str]]:
    """Valid changes of a page, and the ids of rejected upserts (still counted as seen)."""
    good: list[Change] = []
    seen: list[str] = []
    for obj in raw:
        try:
            if not isinstance(obj, dict) or obj.get("op") not in ("upsert", "delete"):
                raise InvalidItem("op", "应为 upsert 或 delete", "must be upsert or delete")
            good.append(parse_change(obj))
        except InvalidItem as exc:
            item_id = guess_id(obj)
            if item_id is not None and len(item_id) > MAX_ID_CHARS:
                item_id = None
            report.rejected_total += 1
            if len(report.rejected) < MAX_REJECTIONS_KEPT:
                report.rejected.append(SyncRejection(item_id, exc.field, exc.reason_zh,
                                                     exc.reason_en))
            if item_id is not None:
                seen.append(item_id)
    return good, seen


def follow_feed(mirror: Mirror, feed: Feed, report: SyncReport, *, page_size: int = 500,
                progress: Progress = silent) -> None:
    """Apply the changes feed to the mirror up to its end (the caller holds the writer lock)."""
    cursor = mirror.get_meta(CURSOR_KEY)
    if cursor is None and not mirror.full_read_active():
        mirror.begin_full_read({CURSOR_KEY: None})
    report.full_read = mirror.full_read_active()
    while True:
        params: dict[str, Any] = {"limit": page_size}
        if cursor is not None:
            params["cursor"] = cursor
        try:
            page = feed.get_json(CHANGES_PATH, params)
        except FeedError as exc:
            if exc.kind != "gone" or cursor is None:
                raise
            report.cursor_expired = report.full_read = True
            mirror.begin_full_read({CURSOR_KEY: None})
            cursor = None
            continue
        raw, next_cursor, has_more = _parse_page(page)
        if has_more and not raw and next_cursor == cursor:
            raise _malformed("has_more 为真却没有前进", "has_more is true but the cursor did not move")
        changes, seen = _parse_changes(raw, report)
        report.counts.merge(mirror.apply(changes, meta={CURSOR_KEY: next_cursor}, seen=seen))
        report.pages += 1
        report.changes += len(raw)
        progress("pages", report.pages, 0)
        progress("changes", report.changes, 0)
        cursor = next_cursor
        if not has_more:
            break
    if mirror.full_read_active():
        gone = mirror.unseen_ids()
        counts = mirror.apply([Change("delete", id=x) for x in gone], finish_full_read=True)
        report.removed_unseen = counts.deleted
        report.counts.merge(counts)
    report.complete = True


class _Chunks:
    """A file-like reader over a download's chunks, counting bytes for the progress bar."""

    def __init__(self, chunks: Iterator[bytes], on_bytes) -> None:
        self._chunks = chunks
        self._on_bytes = on_bytes

    def read(self, _size: int = -1) -> bytes:
        for chunk in self._chunks:
            if chunk:
                self._on_bytes(len(chunk))
                return chunk
        return b""


def fetch_attachments(mirror: Mirror, store: AttachmentStore, feed: Feed, report: SyncReport,
                      progress: Progress = silent) -> None:
    """Fetch every attachment items refer to that this kiosk does not hold, each once."""
    missing = mirror.missing_attachments()
    total = sum(size for _sha, size, _media in missing)
    done = 0

    def count(n: int) -> None:
        nonlocal done
        done += n
        progress("download", done, total)

    for sha, size, media_type in missing:
        started = done

        def sink(chunks: Iterator[bytes], sha: str = sha, size: int = size,
                 media_type: str | None = media_type, started: int = started) -> None:
            nonlocal done
            done = started  # a retried transfer starts over
            store.put(_Chunks(chunks, count), sha, media_type, max_bytes=size)

        try:
            feed.download(f"/v1/attachments/{sha}", sink)
        except AttachmentRejected:
            report.attachments_refused.append(sha)
            continue
        except FeedError as exc:
            if exc.kind != "missing":
                raise
            report.attachments_unavailable += 1
            continue
        report.attachments_fetched += 1
        report.attachment_bytes += done - started
