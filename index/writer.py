"""Writing Whoosh segments fast: the same files Whoosh writes, without its per-posting work.

Whoosh's `SegmentWriter` turns every posting (one term in one document) into a tuple, sorts all
of them, spills them to temporary runs with one `pickle.dump` each, reads them back, and hands
them one at a time to the codec, which writes one zlib-compressed block per term even for a term
in a single document. An item here has about 1,100 postings (most of them body bigrams), so that
per-posting Python was most of the indexing time (docs/benchmarks.md, "Tuning").

`FastWriter` is a `SegmentWriter` (same locking, deletions, merging, commit and TOC) that keeps
its postings grouped by term instead: per field, a dict from term to an `array` of document
numbers and frequencies, appended to once per distinct term of a document. At commit the terms
are written in order through the codec's own writers, a block of up to 128 postings at a time.
When the pool outgrows `limitmb` it is written to a sorted run on disk (one `marshal` record
per term, not per posting) and the runs are merged term by term at commit.

`KioskCodec` is Whoosh's W3 codec with two changes, both readable by stock Whoosh readers:
posting lists of fewer than `INLINE_LIMIT` documents are stored inside the term's entry
(Whoosh 2.7 meant to, but its writer calls a method that does not exist, so inlining is off
there), and blocks carry no field-length statistics (they only bound scores for early
termination, which faceted searches never use; reading them back cost a column lookup per
posting).
"""

from __future__ import annotations

import contextlib
import heapq
import marshal
import os
import pickle
import shutil
import struct
import sys
import tempfile
from array import array
from collections import Counter
from collections.abc import Iterator
from hashlib import md5

from whoosh import formats
from whoosh.codec.whoosh3 import W3Codec, W3PostingsWriter, W3TermInfo
from whoosh.system import pack_ushort
from whoosh.writing import SegmentWriter

INLINE_LIMIT = 16
"""Posting lists shorter than this live in the term's entry: no block, no seek to read them."""
POOL_PREFIX = "kiosk-postings-"
"""The directory, inside the index's own, where a writer spills its sorted runs (the index's
disk, not /tmp, which may be memory); removed when the writer finishes."""
RUN_RECORDS = 20_000
"""Terms per marshal record in a spilled run (bounds memory while merging)."""

_TERM_BYTES = 200  # rough cost of one term in the pool (dict slot, key, array headers)
_POSTING_BYTES = 8  # one document number and one frequency


class _PostingsWriter(W3PostingsWriter):
    """W3PostingsWriter that inlines short lists and takes a whole posting list at once."""

    def finish_postings(self):
        terminfo = self._terminfo
        if not self.written() and len(self) < self._inlinelimit:
            terminfo.add_block(self)
            terminfo.set_inlined(self._ids, self._weights, self._values)
        else:
            if self._ids:
                self._write_block(last=True)
            terminfo.set_extent(self._startoffset, self._postfile.tell() - self._startoffset)
        self._terminfo = None
        return terminfo

    def add_list(self, ids: array, freqs: array, values: list[bytes] | None, kind: str) -> None:
        """All postings of the current term; `kind` says how values follow from frequencies."""
        limit = self._blocklimit
        n = len(ids)
        inline = n < self._inlinelimit
        for start in range(0, n, limit):
            if self._ids:
                self._write_block()
            chunk = freqs[start:start + limit]
            self._ids = ids[start:start + limit]
            if kind == "exists":
                self._weights = array("f", [1.0]) * len(chunk)
                # no values; inline lists still need one per posting (ListMatcher indexes them)
                self._values = [None] * len(chunk) if inline else []
            else:
                self._weights = array("f", chunk)
                if kind == "freq":
                    # fixed-size values: Whoosh joins them per block, or keeps one per posting inline
                    packed = struct.pack(f"!{len(chunk)}I", *chunk)
                    self._values = ([packed[i:i + 4] for i in range(0, len(packed), 4)]
                                    if inline else [packed])
                else:
                    self._values = values[start:start + limit]
            self._maxweight = max(self._weights)


class KioskCodec(W3Codec):
    """W3 with inlined short posting lists and no block length statistics (module doc)."""

    length_stats = False

    def __init__(self, blocklimit: int = 128, compression: int = 3,
                 inlinelimit: int = INLINE_LIMIT) -> None:
        super().__init__(blocklimit=blocklimit, compression=compression, inlinelimit=inlinelimit)

    def postings_writer(self, dbfile, byteids=False):
        if byteids:  # term vectors (unused here): Whoosh's own writer
            return super().postings_writer(dbfile, byteids)
        return _PostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=False,
                               compression=self._compression, inlinelimit=self._inlinelimit)


def _kind(fmt: formats.Format) -> str:
    """How a format's posting values follow from a frequency: not at all, packed, or stored."""
    if fmt.field_boost != 1.0:
        raise ValueError("FastWriter needs field_boost 1.0")
    if type(fmt) is formats.Existence:
        return "exists"
    if type(fmt) is formats.Frequency:
        return "freq"
    return "values"


class TermPool:
    """Postings grouped by field and term, spilled to sorted runs when it grows too large.

    A posting is one integer, the document number shifted left 32 bits plus the frequency. A
    term seen in one document so far holds that integer alone (most terms never get a second
    one); a second turns it into an `array("Q")`. So adding a posting is one dict lookup and at
    most one append, the least Python can do per posting. Fields that store values (positions)
    keep a list of them beside the array.

    Terms are kept as `str`: sorting them by code point is sorting their UTF-8 bytes, the
    index's order, and each is encoded once when written rather than once per posting.
    """

    def __init__(self, schema, tempdir: str, limitmb: int) -> None:
        self.kinds = {name: _kind(schema[name].format) for name in schema.names()
                      if schema[name].indexed}
        self.fields: dict[str, dict[str, object]] = {name: {} for name in self.kinds}
        self.limit = limitmb * 1024 * 1024
        self.size = 0
        self.tempdir = tempdir
        self.runs: list[str] = []
        self.fieldnames: set[str] = set()

    def add_counts(self, fieldname: str, docnum: int, counts: dict[str, int]) -> None:
        """One document's terms of one field with their frequencies."""
        terms = self.fields[fieldname]
        get = terms.get
        base = docnum << 32
        before = len(terms)
        for term, freq in counts.items():
            entry = get(term)
            if entry is None:
                terms[term] = base | freq
            elif entry.__class__ is int:
                terms[term] = array("Q", (entry, base | freq))
            else:
                entry.append(base | freq)
        self._grew(len(terms) - before, len(counts))

    def add_values(self, fieldname: str, docnum: int, postings) -> None:
        """One document's (term, frequency, value bytes) of a field that stores values."""
        terms = self.fields[fieldname]
        before = len(terms)
        for term, freq, value in postings:
            entry = terms.get(term)
            if entry is None:
                entry = terms[term] = (array("Q"), [])
            entry[0].append(docnum << 32 | freq)
            entry[1].append(value)
        self._grew(len(terms) - before, len(postings))

    def _grew(self, terms: int, postings: int) -> None:
        self.size += terms * _TERM_BYTES + postings * _POSTING_BYTES
        if self.size > self.limit:
            self.spill()

    def add(self, item) -> None:
        """Whoosh's interface, one posting at a time (used when segments are merged)."""
        fieldname, tbytes, docnum, _weight, vbytes = item
        kind = self.kinds[fieldname]
        term = tbytes.decode("utf-8")
        if kind == "values":
            self.add_values(fieldname, docnum, [(term, struct.unpack("!I", vbytes[:4])[0], vbytes)])
        else:
            freq = 1 if kind == "exists" else struct.unpack("!I", vbytes)[0]
            self.add_counts(fieldname, docnum, {term: freq})

    def _sorted(self) -> Iterator[tuple]:
        for fieldname in sorted(self.fields):
            terms = self.fields[fieldname]
            if self.kinds[fieldname] == "values":
                for term in sorted(terms):
                    packed, values = terms[term]
                    yield fieldname, term, packed, values
            else:
                for term in sorted(terms):
                    entry = terms[term]
                    yield fieldname, term, (entry,) if entry.__class__ is int else entry, None

    def spill(self) -> None:
        fd, path = tempfile.mkstemp(suffix=".run", dir=self.tempdir)
        with os.fdopen(fd, "wb") as f:
            chunk: list[tuple] = []
            for fieldname, term, packed, values in self._sorted():
                chunk.append((fieldname, term, array("Q", packed).tobytes(), values))
                if len(chunk) >= RUN_RECORDS:
                    marshal.dump(chunk, f)
                    chunk = []
            marshal.dump(chunk, f)
        self.runs.append(path)
        self.fields = {name: {} for name in self.kinds}
        self.size = 0

    @staticmethod
    def _read_run(path: str) -> Iterator[tuple]:
        with open(path, "rb") as f:
            while True:
                try:
                    chunk = marshal.load(f)
                except EOFError:
                    return
                for fieldname, term, raw, values in chunk:
                    packed = array("Q")
                    packed.frombytes(raw)
                    yield fieldname, term, packed, values

    def terms(self) -> Iterator[tuple[str, str, object, list | None]]:
        """Every (field, term, packed postings, values) in index order.

        Runs hold ever later documents, and `heapq.merge` keeps equal terms in run order, so
        joining a term's pieces keeps its document numbers ascending.
        """
        if not self.runs:
            yield from self._sorted()
            return
        streams = [self._read_run(p) for p in self.runs] + [self._sorted()]
        current = None
        for record in heapq.merge(*streams, key=lambda r: (r[0], r[1])):
            if current is not None and current[0] == record[0] and current[1] == record[1]:
                current[2].extend(record[2])
                if record[3] is not None:
                    current[3] = current[3] + record[3]
                continue
            if current is not None:
                yield tuple(current)
            current = [record[0], record[1], array("Q", record[2]), record[3]]
        if current is not None:
            yield tuple(current)

    def cleanup(self) -> None:
        for path in self.runs:
            with contextlib.suppress(OSError):
                os.remove(path)
        self.runs = []


class FastWriter(SegmentWriter):
    """A `SegmentWriter` with a `TermPool` (module doc). Use it as Whoosh's writer."""

    def __init__(self, ix, limitmb: int = 256, **kwargs) -> None:
        super().__init__(ix, limitmb=limitmb, codec=KioskCodec(), **kwargs)
        self._pooldir = tempfile.mkdtemp(prefix=POOL_PREFIX, dir=ix.storage.folder)
        self.pool = TermPool(self.schema, self._pooldir, limitmb)

    def add_document(self, **fields) -> None:
        self._check_state()
        schema = self.schema
        pdw = self.perdocwriter
        docnum = self.docnum
        pool = self.pool
        names = sorted(n for n in fields if not n.startswith("_"))
        self._check_fields(schema, names)
        pdw.start_doc(docnum)
        try:
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                field = schema[name]
                length = 0
                if field.indexed:
                    length = _add_field(pool, name, field, value, docnum)
                    if not field.scorable:
                        length = 0
                pdw.add_field(name, field, value if field.stored else None, length)
                if field.column_type and value is not None:
                    pdw.add_column_value(name, field.column_type, field.to_column_value(value))
        except Exception:
            pdw.cancel_doc()
            raise
        pdw.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        write_terms(self.fieldwriter, self.schema, self.pool)
        self.fieldwriter.close()

    def _close_segment(self) -> None:
        super()._close_segment()
        shutil.rmtree(self._pooldir, ignore_errors=True)

    def cancel(self) -> None:
        try:
            super().cancel()
        finally:
            self.pool.cleanup()
            shutil.rmtree(self._pooldir, ignore_errors=True)

    def finish_part(self):
        """Write this writer's segment without committing it, and return it (None if empty):
        the share of a rebuild written by another process (`commit_with` commits it)."""
        self._check_state()
        segment = self._finalize_segment() if self._added else None
        if segment is None:
            self._close_segment()
        self.is_closed = True  # the temporary directory is shared: the committing writer removes it
        return segment

    def commit_with(self, parts) -> None:
        """Commit this writer's segment followed by `parts`, segments that other processes
        wrote into the same index (`finish_part`), in that order: document numbers follow it."""
        self._check_state()
        segments = self._merge_segments(None, False, False)
        if self._added:
            segments.append(self._finalize_segment())
        else:
            self._close_segment()
        self._commit_toc(segments + [p for p in parts if p is not None])
        self._finish()


def _add_field(pool: TermPool, name: str, field, value, docnum: int) -> int:
    """Put one field value's postings in the pool, as `field.index` would give them; returns
    the field's length (its number of terms). Analyzers that offer `term_list` skip Whoosh's
    token objects."""
    kind = pool.kinds[name]
    term_list = getattr(field.analyzer, "term_list", None)
    if kind == "freq" and term_list is not None and isinstance(value, str):
        terms = term_list(value)
        pool.add_counts(name, docnum, Counter(terms))
        return len(terms)
    postings = [(t.decode("utf-8"), freq, v) for t, freq, _w, v in field.index(value)]
    if kind == "values":
        pool.add_values(name, docnum, postings)
    else:
        pool.add_counts(name, docnum, {t: freq for t, freq, _v in postings})
    return sum(freq for _t, freq, _v in postings)


_LENGTHS = struct.Struct("!ii")  # HashWriter's key and value lengths
_TERMINFO = struct.Struct("!BfIBBfII")  # W3TermInfo: flags, weight, df, lengths, max weight, ids


class _TermIndex:
    """Appends terms to the codec's `OrderedHashWriter` as its `add` does, minus two `tell()`
    system calls and three writes per term (the position is counted here)."""

    def __init__(self, tindex) -> None:
        self.tindex = tindex
        self.write = tindex.dbfile.write
        self.pos = tindex.dbfile.tell()
        self.buckets = tindex.buckets
        self.positions: list[int] = list(tindex.index)
        self.last = tindex.lastkey

    def add(self, key: bytes, value: bytes) -> None:
        if key <= self.last:
            raise ValueError(f"keys must increase: {self.last!r}..{key!r}")
        pos = self.pos
        self.positions.append(pos)
        data = _LENGTHS.pack(len(key), len(value)) + key + value
        self.write(data)
        h = int.from_bytes(md5(key, usedforsecurity=False).digest()[12:], "big")
        self.buckets[h & 255].append((h, pos))
        self.pos = pos + len(data)
        self.last = key

    def close(self) -> None:
        """Hand the positions back as the `GrowableArray` would have grown them."""
        top = max(self.positions, default=0)
        code = "H" if top < 2**16 else "i" if top < 2**31 else "I" if top < 2**32 else "q"
        self.tindex.index.array = array(code, self.positions)
        self.tindex.lastkey = self.last


_PACKED = [struct.pack("!I", f) for f in range(256)]
_ONE = (1.0,)
_LOW = 0xFFFFFFFF
assert array("I").itemsize == 4 and array("Q").itemsize == 8, "packed postings need these sizes"


def _inline_info(packed, values: list | None, kind: str) -> bytes:
    """A W3TermInfo entry with its postings inline, as the codec would write it."""
    if len(packed) == 1:
        p = packed[0]
        ids: tuple = (p >> 32,)
        freqs: tuple = (p & _LOW,)
    else:
        ids = tuple(p >> 32 for p in packed)
        freqs = tuple(p & _LOW for p in packed)
    n = len(ids)
    if kind == "exists":
        weights: tuple = _ONE * n
        vals: tuple = (None,) * n
    else:
        weights = tuple(map(float, freqs))  # whole numbers: exact in float32 as stored
        if kind == "freq":
            vals = tuple(_PACKED[f] if f < 256 else struct.pack("!I", f) for f in freqs)
        else:
            vals = tuple(values)
    head = _TERMINFO.pack(1, sum(weights), n, 0, 0, max(weights), ids[0], ids[-1])
    return head + pickle.dumps((ids, weights, vals), 2)


def _split(packed) -> tuple[array, array]:
    """(document numbers, frequencies) of packed postings, by reinterpreting their bytes."""
    halves = array("I")
    halves.frombytes(array("Q", packed).tobytes())
    if sys.byteorder == "little":  # the low half, the frequency, comes first
        return halves[1::2], halves[0::2]
    return halves[0::2], halves[1::2]


def write_terms(fieldwriter, schema, pool: TermPool) -> None:
    """Write the pool's posting lists through the codec's writers, in index order.

    A term in fewer than `INLINE_LIMIT` documents (nine in ten) gets its entry built here
    directly; longer lists go through the postings writer block by block.
    """
    terms = _TermIndex(fieldwriter._tindex)
    inline = fieldwriter._codec._inlinelimit
    lastfield = None
    postwriter = None
    kind = ""
    prefix = b""
    for fieldname, term, packed, values in pool.terms():
        if fieldname != lastfield:
            if lastfield is not None:
                fieldwriter.finish_field()
            fieldwriter.start_field(fieldname, schema[fieldname])
            postwriter = fieldwriter._postwriter
            kind = pool.kinds[fieldname]
            prefix = pack_ushort(fieldwriter._fieldid)
            lastfield = fieldname
        key = prefix + term.encode("utf-8")
        if len(packed) < inline:
            terms.add(key, _inline_info(packed, values, kind))
            continue
        ids, freqs = _split(packed)
        postwriter.start_postings(fieldwriter._format, W3TermInfo())
        postwriter.add_list(ids, freqs, values, kind)
        terms.add(key, postwriter.finish_postings().to_bytes())
    if lastfield is not None:
        fieldwriter.finish_field()
    terms.close()
    pool.cleanup()


__all__ = ["FastWriter", "KioskCodec", "W3TermInfo"]
