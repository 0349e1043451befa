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
`ANALYZER_VERSION`, is rebuilt from the mirror with no network, and the `index` logger says why
on stderr. A rebuild of a large catalogue is shared among processes (`index.partbuild`), each
writing one range of ids as a segment of the new generation; all segments are committed together.
Generations are opened without mmap (see `open_index`).
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage

from .analysis import ANALYZER_VERSION
from .fsutil import fsync_dir, write_atomic
from .locking import WriterLock
from .mirror import Mirror
from .progress import Progress, silent
from .schema import build_schema, document
from .writer import POOL_PREFIX, FastWriter

log = logging.getLogger(__name__)

CATCH_UP_REBUILD_FRACTION = 0.5
"""Past this share of the catalogue changed, a fresh build is quicker than updating in place."""
PARALLEL_FROM = 5000
"""From this many items a rebuild is shared among processes, one per core (up to
`MAX_PROCESSES`); below it, starting them (each loads jieba's dictionary) costs more than it
saves."""
MAX_PROCESSES = 4
REBUILD_MB = 256
"""Memory for a rebuild's postings before they are spilled to disk, shared by its processes."""


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
            ix = open_index(self.root / name)
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
            self._announce_rebuild()
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
        for stale in (self.root / name).glob(f"{POOL_PREFIX}*"):  # left by a writer that died
            shutil.rmtree(stale, ignore_errors=True)
        with FastWriter(ix, limitmb=128) as w:
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

    def _announce_rebuild(self) -> None:
        """Say on stderr (the `index` logger) why an existing index is being rebuilt: at 100,000
        items that takes minutes, and the kiosk shows no window until it is done."""
        name = self.current_name()
        if name is None:
            return  # a first build: nothing was lost
        state = self._state(name)
        n = self.mirror.count()
        if state is not None and state.analyzer_version != ANALYZER_VERSION:
            log.warning("搜索索引由另一版本的软件建立（索引格式 %d，本软件 %d），正在从目录重建（%d 条），"
                        "完成前无法搜索 / the search index was built by another version (format %d, "
                        "this software %d); rebuilding it from the mirror (%d items), search is "
                        "unavailable until it is done", state.analyzer_version, ANALYZER_VERSION, n,
                        state.analyzer_version, ANALYZER_VERSION, n)
        else:
            log.warning("搜索索引无法读取，正在从目录重建（%d 条）/ the search index cannot be read; "
                        "rebuilding it from the mirror (%d items)", n, n)

    def rebuild(self, progress: Progress = silent) -> str:
        """Build a whole new generation from the mirror and switch searches to it."""
        self._remove_unfinished()
        name = self._next_name()
        building = self.root / f"{name}.building"
        building.mkdir()
        target = self.mirror.current_seq()
        total = self.mirror.count()
        ix = FileStorage(str(building), supports_mmap=False).create_index(build_schema())
        # a large catalogue is cut into id ranges; other processes each write one as a segment
        procs = min(_cores(), MAX_PROCESSES) if total >= PARALLEL_FROM else 1
        points = self.mirror.split_points(procs, target) if procs > 1 else []
        w = FastWriter(ix, limitmb=REBUILD_MB // max(1, len(points) + 1))
        done = 0
        with _Parts(building, self.mirror.path, target, points) as parts:
            try:
                for item, digest in self.mirror.iter_items(upto_seq=target,
                                                           stop=points[0] if points else None):
                    w.add_document(**document(item, digest))
                    done += 1
                    if done % 200 == 0:  # this process's share stands for the others'
                        progress("rebuild", min(total, done * (len(points) + 1)), total)
                w.commit_with(parts.segments())
            except BaseException:
                w.cancel()
                raise
        if total:
            progress("rebuild", total, total)
        state = IndexState(name, ANALYZER_VERSION, target, time.time())
        write_atomic(building / "state.json", state.to_json())
        for f in building.iterdir():
            if f.is_file():
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


def _cores() -> int:
    return os.cpu_count() or 1


class _Parts:
    """The other processes of a rebuild, each writing the items of one id range as a segment.

    Each is a fresh interpreter running `index.partbuild` (not multiprocessing: its start
    methods either fork a process that may have threads, or run the caller's main module
    again). Started on entry; `segments` waits for their segments; on exit any still running is
    stopped, so a failed or interrupted rebuild leaves no process behind.
    """

    def __init__(self, building: Path, mirror: Path, upto_seq: int, points: list[str]) -> None:
        self.building = building
        stops: list[str | None] = [*points[1:], None] if points else []
        self.jobs = [[str(building), str(mirror), str(upto_seq), start, stop or ""]
                     for start, stop in zip(points, stops, strict=True)]
        self.procs: list[subprocess.Popen] = []

    def __enter__(self) -> _Parts:
        for n, job in enumerate(self.jobs):  # the same interpreter, as the background sync starts
            self.procs.append(subprocess.Popen(
                [sys.executable, "-m", "index.partbuild", *job, str(self._result(n))],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
        return self

    def _result(self, n: int) -> Path:
        return self.building / f"part-{n}.pickle"

    def segments(self) -> list:
        out = []
        for n, proc in enumerate(self.procs):
            _out, err = proc.communicate()
            if proc.returncode != 0:
                raise RuntimeError(f"index rebuild part {n} failed: "
                                   + err.decode(errors="replace")[-2000:])
            result = self._result(n)
            out.append(pickle.loads(result.read_bytes()))
            result.unlink()
        return out

    def __exit__(self, *exc: object) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def open_index(path: Path) -> whoosh_index.Index:
    """Open a generation for reading without mmap.

    Whoosh maps the compound segment file but wraps each part in a `BufferFile` whose
    `BytesIO` copies it, so with mmap the first search copied the whole postings and terms
    files onto the heap (resident memory grew with the index, 545 MB at 10,000 items). Read
    through the file instead, only what a search touches is in memory (docs/benchmarks.md).
    """
    return FileStorage(str(path), supports_mmap=False).open_index()
