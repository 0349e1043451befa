"""`Catalogue`: the one door to the catalogue of a data directory, for the app and the CLI.

Data directory layout:

    mirror.sqlite3   the mirror (SQLite, WAL): items, attachment registry, metadata
    index/           the Whoosh index, in generations (see `indexstore`)
    attachments/     attachment files by SHA-256
    write.lock       held by whichever process is changing the catalogue
"""

from __future__ import annotations

import time
from pathlib import Path

import requests

from .attachments import AttachmentStore
from .bundle import open_source
from .errors import CatalogueError, StoreBusy
from .export import ExportReport, export_bundle
from .feed import Feed, RetryPolicy
from .importer import ImportReport, import_source
from .indexstore import IndexStore
from .locking import WriterLock
from .mirror import Mirror
from .model import Item
from .progress import Progress, silent
from .search import Searcher, SearchResults, Suggestion
from .signing import load_public_key
from .sync import CURSOR_KEY, SyncReport, fetch_attachments, follow_feed
from .timeutil import now_iso, seconds_since
from .verify import VerifyReport, verify

LOCK_WAIT = 600.0
"""Seconds a writer waits for another to finish before giving up with `StoreBusy`."""


class Catalogue:
    def __init__(self, data_dir: Path | str, *, prepare: bool = True,
                 progress: Progress = silent) -> None:
        self.data_dir = Path(data_dir)
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CatalogueError(
                f"数据目录无法使用：{self.data_dir}（{exc.strerror}）",
                f"the data directory cannot be used: {self.data_dir} ({exc.strerror})") from exc
        self.mirror = Mirror(self.data_dir / "mirror.sqlite3")
        self.lock = WriterLock(self.data_dir / "write.lock")
        self.store = IndexStore(self.data_dir / "index", self.mirror, self.lock)
        self.attachments = AttachmentStore(self.data_dir / "attachments", self.mirror)
        self._searcher = Searcher(self.store, self.mirror)
        if prepare:
            self.prepare(progress)

    def close(self) -> None:
        self._searcher.close()
        self.mirror.close()

    def __enter__(self) -> Catalogue:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- keeping the index ready --------------------------------------------------------------

    def needs_indexing(self) -> bool:
        """True if the index is unusable or behind the mirror."""
        state = self.store.state()
        if state is None or state.applied_seq < self.mirror.current_seq():
            return True
        return self.store.open_current() is None

    def prepare(self, progress: Progress = silent) -> None:
        """Rebuild an unusable index, or catch a lagging one up, before searching.

        If another process holds the writer lock it is already doing this; a usable index is
        then searched as it is, and only an unusable one is waited for.
        """
        if not self.needs_indexing():
            return
        try:
            self.lock.acquire(timeout=0 if self.store.open_current() else LOCK_WAIT)
        except StoreBusy:
            return
        try:
            self.store.ensure_ready(progress)
        finally:
            self.lock.release()

    # -- writing ------------------------------------------------------------------------------

    def import_path(self, path: Path | str, progress: Progress = silent, *,
                    public_key: str | None = None) -> ImportReport:
        """Import a JSONL file or a bundle, then bring the index up to date.

        With `public_key` (the `ed25519:…` text), only a bundle signed by the matching private
        key is accepted; anything else is refused before a single line is applied.
        """
        started = time.monotonic()
        key = load_public_key(public_key) if public_key else None
        self.lock.acquire(timeout=LOCK_WAIT)
        try:
            source = open_source(Path(path), progress, public_key=key)
            try:
                report = import_source(source, self.mirror, self.attachments, progress)
            finally:
                source.close()
            self.store.ensure_ready(progress)
            report.seconds = round(time.monotonic() - started, 3)  # indexing included
            return report
        finally:
            self.lock.release()

    def export_bundle(self, out: Path | str, *, sign_key: bytes | None = None,
                      progress: Progress = silent) -> ExportReport:
        """Write the whole mirror as a snapshot bundle (a `.zip`), signed if a key is given, for
        an offline kiosk to import. Reads one consistent state; needs no lock."""
        return export_bundle(self.mirror, self.attachments, Path(out), sign_key=sign_key,
                             progress=progress)

    def sync(self, session: requests.Session, base_url: str, *, page_size: int = 500,
             policy: RetryPolicy | None = None, progress: Progress = silent,
             wait: float = LOCK_WAIT, full: bool = False) -> SyncReport:
        """Follow the central system's changes feed, update the index, fetch attachments.

        `session` carries the kiosk's credentials (the caller builds it). The index is brought
        up to date with whatever pages were applied even when the feed fails part way, so every
        committed page is searchable at once. The outcome, good or bad, is recorded for `stats`.
        `full` reads the whole catalogue again (as after an expired cursor), for staff who want
        to be sure the kiosk holds exactly what the central system publishes.
        """
        report = SyncReport()
        feed = Feed(session, base_url, policy)
        attempted, started = now_iso(), time.monotonic()
        self.lock.acquire(timeout=wait)
        try:
            if full:
                self.mirror.begin_full_read({CURSOR_KEY: None})
            try:
                try:
                    follow_feed(self.mirror, feed, report, page_size=page_size, progress=progress)
                finally:
                    self.store.ensure_ready(progress)
                fetch_attachments(self.mirror, self.attachments, feed, report, progress)
            except CatalogueError as exc:
                self._record_sync(attempted, started, report, feed, exc)
                raise
            self._record_sync(attempted, started, report, feed, None)
            return report
        finally:
            self.lock.release()

    def _record_sync(self, attempted: str, started: float, report: SyncReport, feed: Feed,
                     error: CatalogueError | None) -> None:
        report.retries = feed.retries
        report.seconds = round(time.monotonic() - started, 3)
        state = dict(self.mirror.get_meta("sync_state") or {})
        state["last_attempt_at"] = attempted
        if report.complete:
            state["last_success_at"] = attempted
        state["last_error"] = None if error is None else {
            "at": now_iso(), "kind": getattr(error, "kind", "local"), "zh": error.zh, "en": error.en}
        state["last_report"] = {
            "pages": report.pages, "changes": report.changes, "added": report.counts.added,
            "updated": report.counts.updated, "deleted": report.counts.deleted,
            "rejected": report.rejected_total, "full_read": report.full_read,
            "attachments_fetched": report.attachments_fetched,
            "attachments_refused": len(report.attachments_refused),
            "attachments_unavailable": report.attachments_unavailable,
        }
        self.mirror.set_meta("sync_state", state)

    def rebuild_index(self, progress: Progress = silent) -> str:
        """Build a fresh index generation from the mirror; returns its name."""
        self.lock.acquire(timeout=LOCK_WAIT)
        try:
            return self.store.rebuild(progress)
        finally:
            self.lock.release()

    # -- reading ------------------------------------------------------------------------------

    def search(self, text: str, **kwargs) -> SearchResults:
        """See `Searcher.search`: ranked, highlighted, faceted results; never fails on text."""
        return self._searcher.search(text, **kwargs)

    def suggest(self, prefix: str, limit: int = 8) -> list[Suggestion]:
        return self._searcher.suggest(prefix, limit)

    def vocabulary(self) -> tuple[list[tuple[str, int]], int]:
        """(phrase, live items) of every suggestion phrase, and the live items: the words of this
        catalogue, for the on-screen keyboard's pinyin input (see `Searcher.vocabulary`).

        Read through a searcher of its own, which is closed afterwards: the whole vocabulary
        takes a second or more at 100,000 items, and a citizen's search must not wait behind it
        for the shared searcher's lock. Safe to call from any thread."""
        own = Searcher(self.store, self.mirror)
        try:
            return own.vocabulary()
        finally:
            own.close()

    def get(self, item_id: str) -> Item | None:
        return self.mirror.get(item_id)

    def attachment_path(self, sha256: str) -> Path | None:
        return self.attachments.get(sha256)

    def verify(self, progress: Progress = silent) -> VerifyReport:
        return verify(self.mirror, self.store, self.attachments, progress)

    def stats(self) -> dict:
        """Counts and states for staff: items, attachments, index generation, last import."""
        state = self.store.state()
        files, size = self.mirror.attachment_count()
        documents = None
        opened = self.store.open_current()
        if opened is not None:
            with opened[1].searcher() as s:
                documents = s.doc_count()
        seq = self.mirror.current_seq()
        return {
            "data_dir": str(self.data_dir),
            "items": self.mirror.count(),
            "attachments": {"files": files, "bytes": size},
            "index": {
                "generation": state.generation if state else None,
                "analyzer_version": state.analyzer_version if state else None,
                "documents": documents,
                "applied_seq": state.applied_seq if state else None,
                "mirror_seq": seq,
                "up_to_date": bool(state and opened and state.applied_seq >= seq),
                "built_at": state.built_at if state else None,
            },
            "last_import": self.mirror.get_meta("last_import"),
            "sync": self._sync_stats(),
            "last_updated": self.last_updated(),
        }

    def sync_age(self) -> float | None:
        """Seconds since the mirror last matched the central catalogue (a complete sync), or
        None if it never has: how far behind it may be."""
        success = (self.mirror.get_meta("sync_state") or {}).get("last_success_at")
        return None if success is None else max(0.0, seconds_since(success))

    def _sync_stats(self) -> dict:
        state = self.mirror.get_meta("sync_state") or {}
        age = self.sync_age()
        return {
            "last_attempt_at": state.get("last_attempt_at"),
            "last_success_at": state.get("last_success_at"),
            "behind_seconds": None if age is None else round(age),
            "last_error": state.get("last_error"),
            "last_report": state.get("last_report"),
            "full_read_in_progress": self.mirror.full_read_active(),
            "attachments_missing": len(self.mirror.missing_attachments()),
        }

    def last_updated(self) -> str | None:
        """When the catalogue last took in news: the later of the last complete sync and the last
        import (ISO 8601), for the citizen's "目录更新于 …" line."""
        times = [t for t in ((self.mirror.get_meta("sync_state") or {}).get("last_success_at"),
                             (self.mirror.get_meta("last_import") or {}).get("at")) if t]
        return min(times, key=seconds_since, default=None)

