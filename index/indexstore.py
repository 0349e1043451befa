"""The Whoosh index as a derived, disposable view of the mirror, in generations.

Layout under `<data>/index/`:

    CURRENT            the name of the generation searches use, replaced atomically
    gen-000007/        Whoosh files plus state.json {analyzer_version, applied_seq, built_at}
    gen-000008.building/   a rebuild in progress (removed at the next start if it was cut off)

A rebuild writes a complete new generation, fsyncs it, renames it into place and only then points
CURRENT at it, so a crash at any moment leaves CURRENT naming a whole, searchable generation.
Between rebuilds the current generation is updated in place by Whoosh's own atomic commits, and
`state.json` (written after each commit) records how far into the mirror's sequence it has got;
a crash between the two only means the next catch-up replays some changes, which is harmless.
The previous generation is kept until the next rebuild, for readers that still have it open.

An index that will not open, fails a probe, lacks its state, or was built by another
`ANALYZER_VERSION`, is rebuilt from the mirror with no network.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as whoosh_index

from .analysis import ANALYZER_VERSION
from .fsutil import fsync_dir, write_atomic
from .locking import WriterLock
from .mirror import Mirror
from .progress import Progress, silent
from .schema import build_schema, document

CATCH_UP_REBUILD_FRACTION = 0.5
"""Past this share of the catalogue changed, a fresh build is quicker than updating in place."""


@dataclass
class IndexState:
    generation: str
    analyzer_version: int
    applied_seq: int
    built_at: float

    def to_json(self) -> bytes:
        return json.dumps(self.__dict__).encode()


class IndexStore:
    def __init__(self, root: Path, mirror: Mirror, lock: WriterLock) -> None:
        self.root = Path(root)
        self.mirror = mirror
        self.lock = lock
        self.root.mkdir(parents=True, exist_ok=True)

    # -- where things are ---------------------------------------------------------------------

    def current_name(self) -> str | None:
        try:
            name = (self.root / "CURRENT").read_text().strip()
        except OSError:
            return None
        return name if name.startswith("gen-") and "/" not in name else None

    def _state(self, name: str) -> IndexState | None:
        try:
            d = json.loads((self.root / name / "state.json").read_text())
            return IndexState(**d)
        except (OSError, ValueError, TypeError):
            return None

    def state(self) -> IndexState | None:
        name = self.current_name()
        return self._state(name) if name else None

    def open_current(self) -> tuple[str, whoosh_index.Index] | None:
        """The current generation if it is usable as it stands (right version, passes a probe)."""
        name = self.current_name()
        state = self._state(name) if name else None
        if name is None or state is None or state.analyzer_version != ANALYZER_VERSION:
            return None
        try:
            ix = whoosh_index.open_dir(str(self.root / name))
            if ix.schema.names() != build_schema().names():
                return None
            with ix.searcher() as s:
                n = s.doc_count_all()
                list(s.lexicon("year"))
                if n:
                    s.stored_fields(0)
        except Exception:  # any failure to read means "rebuild", never a crash
            return None
        return name, ix

    # -- writing (the caller holds the writer lock) -------------------------------------------

    def ensure_ready(self, progress: Progress = silent) -> None:
        """Make the current generation usable (rebuilding it if not) and catch it up with the
        mirror's changes since its sequence."""
        opened = self.open_current()
        if opened is None:
            self.rebuild(progress)
            return
        name, ix = opened
        state = self._state(name)
        assert state is not None
        target = self.mirror.current_seq()
        if state.applied_seq >= target:
            return
        changed = self.mirror.count_since(state.applied_seq)
        if changed > max(2000, CATCH_UP_REBUILD_FRACTION * self.mirror.count()):
            self.rebuild(progress)
            return
        deleted = self.mirror.deleted_since(state.applied_seq)
        done = 0
        with ix.writer(limitmb=128) as w:
            for item_id in deleted:
                w.delete_by_term("id", item_id)
            for item, digest in self.mirror.iter_items(since_seq=state.applied_seq,
                                                       upto_seq=target):
                w.update_document(**document(item, digest))
                done += 1
                if done % 100 == 0:
                    progress("index", done, changed)
        progress("index", done, changed)
        state.applied_seq = target
        write_atomic(self.root / name / "state.json", state.to_json())
        self.mirror.forget_tombstones(target)

    def rebuild(self, progress: Progress = silent) -> str:
        """Build a whole new generation from the mirror and switch searches to it."""
        self._remove_unfinished()
        name = self._next_name()
        building = self.root / f"{name}.building"
        building.mkdir()
        target = self.mirror.current_seq()
        total = self.mirror.count()
        ix = whoosh_index.create_in(str(building), build_schema())
        w = ix.writer(limitmb=256)
        done = 0
        try:
            for item, digest in self.mirror.iter_items(upto_seq=target):
                w.add_document(**document(item, digest))
                done += 1
                if done % 200 == 0:
                    progress("rebuild", done, total)
            w.commit()
        except BaseException:
            w.cancel()
            raise
        if total:
            progress("rebuild", done, total)
        state = IndexState(name, ANALYZER_VERSION, target, time.time())
        write_atomic(building / "state.json", state.to_json())
        for f in building.iterdir():
            with open(f, "rb") as fh:
                os.fsync(fh.fileno())
        fsync_dir(building)
        os.rename(building, self.root / name)
        fsync_dir(self.root)
        previous = self.current_name()
        write_atomic(self.root / "CURRENT", name.encode())
        self.mirror.forget_tombstones(target)
        self._remove_old(keep={name, previous})
        return name

    def _next_name(self) -> str:
        """A generation name never used before here, so readers always notice a switch."""
        names = [p.name for p in self.root.glob("gen-*")] + [self.current_name() or ""]
        numbers = [int(n[4:10]) for n in names if n[4:10].isdigit()]
        return f"gen-{max(numbers, default=0) + 1:06d}"

    def _remove_unfinished(self) -> None:
        for p in self.root.glob("gen-*.building"):
            shutil.rmtree(p, ignore_errors=True)

    def _remove_old(self, keep: set[str | None]) -> None:
        for p in self.root.glob("gen-*"):
            if p.name not in keep and p.is_dir():
                shutil.rmtree(p, ignore_errors=True)
