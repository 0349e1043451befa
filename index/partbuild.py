"""One share of a parallel index rebuild, run by `indexstore.IndexStore.rebuild` in its own
process: `python -m index.partbuild BUILDING MIRROR SEQ START STOP RESULT`.

Writes the mirror's items with ids from START (included) to STOP (excluded; empty for none),
as of sequence SEQ, into a new segment of the generation being built in BUILDING, and leaves
the segment, pickled, in RESULT for the parent to commit with its own.
"""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

from whoosh.filedb.filestore import FileStorage

from .indexstore import MAX_PROCESSES, REBUILD_MB
from .mirror import Mirror
from .schema import document
from .writer import FastWriter


def build_part(building: Path, mirror_path: Path, upto_seq: int, start: str,
               stop: str | None):
    """The segment holding the items of one id range (None if the range is empty)."""
    mirror = Mirror(mirror_path)
    try:
        ix = FileStorage(str(building), supports_mmap=False).open_index()
        w = FastWriter(ix, limitmb=REBUILD_MB // MAX_PROCESSES, _lk=False)
        try:
            for item, digest in mirror.iter_items(upto_seq=upto_seq, start=start, stop=stop):
                w.add_document(**document(item, digest))
            return w.finish_part()
        except BaseException:
            w.cancel()
            raise
    finally:
        mirror.close()


def main(argv: list[str]) -> int:
    building, mirror, seq, start, stop, result = argv
    segment = build_part(Path(building), Path(mirror), int(seq), start, stop or None)
    Path(result).write_bytes(pickle.dumps(segment))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
