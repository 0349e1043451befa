"""Reading posting lists in bulk, and sets of documents as bitsets.

Whoosh reads a posting list one posting at a time through a tree of Python matcher objects,
which made a query holding thousands of items cost hundreds of milliseconds however little of it
was shown (docs/benchmarks.md, "Tuning"). `engine` instead reads each term's whole list at once,
here: an inlined list is already a tuple in the term's entry; a list in blocks is read with one
file read and unpacked block by block (zlib, pickle and a running sum, all in C).

A set of documents is a Python `int` used as a bitset, bit *n* standing for document *n*: union,
intersection and counting (`int.bit_count`) then run in C over a few kilobytes even when the
set holds most of the catalogue.
"""

from __future__ import annotations

import io
import pickle
import struct
import zlib
from bisect import bisect_left
from collections import deque
from itertools import accumulate, compress, repeat

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.system import emptybytes

_INT = struct.Struct("!i")
_LENGTHS = struct.Struct("!ii")  # a term entry's key and value lengths (filetables.HashWriter)
_DF = struct.Struct("!I")  # document frequency, 5 bytes into a W3TermInfo entry
_CHUNK = 64 * 1024


class LeafPostings:
    """Posting lists of one Whoosh segment (a `SegmentReader` with the W3 codec)."""

    def __init__(self, reader) -> None:
        terms = reader._terms  # W3TermsReader: the only codec this index writes or reads
        self.tindex = terms._tindex
        self.keycoder = terms._keycoder
        self.postfile = terms._postfile
        self.doc_count = reader.doc_count_all()
        self.reader = reader

    def info(self, fieldname: str, tbytes: bytes) -> W3TermInfo | None:
        try:
            return W3TermInfo.from_bytes(self.tindex[self.keycoder(fieldname, tbytes)])
        except KeyError:
            return None

    def read(self, info: W3TermInfo, want_values: bool = False):
        """(doc numbers, weights or None when all are 1.0, values or None) of a term."""
        if info.is_inlined():
            ids, weights, values = info.inlined_postings()
            return ids, weights, values if want_values else None
        offset, length = info.extent()
        if isinstance(length, tuple):  # W3TermInfo.from_bytes leaves it in unpack's tuple
            length = length[0]
        raw = self.postfile.get(offset, length)
        return _decode_blocks(raw, want_values)


    def read_some(self, info: W3TermInfo, docs: list[int], want_values: bool = False):
        """The postings of `docs` (ascending) only: (document numbers, weights, values or None).

        Blocks whose range of ids holds none of `docs` are skipped undecoded: when a few
        candidates are checked against a word in most of the catalogue, only their blocks are
        decompressed and unpickled."""
        if info.is_inlined():
            ids, weights, values = info.inlined_postings()
            return pick(ids, weights, docs, values if want_values else None)
        offset, length = info.extent()
        if isinstance(length, tuple):
            length = length[0]
        raw = self.postfile.get(offset, length)
        found: list[int] = []
        tfs: list[float] = []
        vals: list | None = [] if want_values else None
        pos = 4
        i = 0  # next candidate
        while i < len(docs):
            blocklen = _INT.unpack_from(raw, pos)[0]
            last = blocklen < 0
            start = pos + 4
            end = start + abs(blocklen)
            head = io.BytesIO(raw[start:end])
            count, maxid, _mw, comp, _mn, _mx = pickle.load(head)
            if docs[i] <= maxid:
                data = raw[start + head.tell():end]
                bids, bweights, bvalues = pickle.loads(zlib.decompress(data) if comp else data)
                block = list(accumulate(bids))
                if bweights is None or isinstance(bweights, float):
                    bweights = [1.0 if bweights is None else bweights] * count
                j = i
                while j < len(docs) and docs[j] <= maxid:
                    j += 1
                values = list(_block_values(bvalues, count)) if want_values else None
                f, t, v = pick(block, bweights, docs[i:j], values)
                found += f
                tfs += t
                if vals is not None:
                    vals += v
                i = j
            if last:
                break
            pos = end
        return found, tfs, vals

    def scan(self, fieldname: str, prefix: bytes, limit: int) -> list[tuple[bytes, int]]:
        """(term, document frequency) of the field's terms that start with `prefix`, in order,
        at most `limit`. Reads the term file's entries in sequence, a chunk at a time, instead of
        seeking three times and unpickling a term entry for every term (Whoosh's `iter_prefix`).

        A two-letter suggestion prefix reads thousands of entries, so the loop does as little as
        it can per entry: one unpack of the lengths, a compare of the key's first bytes, one
        unpack of the frequency (docs/benchmarks.md, "Tuning")."""
        tindex = self.tindex
        start = self.keycoder(fieldname, prefix)
        pos = tindex.closest_key_pos(start)
        out: list[tuple[bytes, int]] = []
        if pos is None:
            return out
        end = tindex.endofdata
        get = tindex.dbfile.get
        lengths = _LENGTHS.unpack_from
        df_at = _DF.unpack_from
        append = out.append
        n = len(start)
        while pos < end and len(out) < limit:
            buf = get(pos, min(_CHUNK, end - pos))
            at = 0
            size = len(buf)
            while at + 8 <= size:
                keylen, datalen = lengths(buf, at)
                key_at = at + 8
                data_at = key_at + keylen
                if data_at + 9 > size:  # the entry runs past the chunk: read on from it
                    if at == 0:  # larger than a whole chunk
                        buf = get(pos, data_at + datalen)
                        size = len(buf)
                        continue
                    break
                if buf[key_at:key_at + n] != start:
                    return out
                append((buf[key_at + 2:data_at], df_at(buf, data_at + 5)[0]))
                if len(out) >= limit:
                    return out
                at = data_at + datalen
            pos += at
        return out


def _decode_blocks(raw: bytes, want_values: bool):
    """Unpack a W3 posting list (see `W3PostingsWriter._write_block`) held in `raw`."""
    if raw[:4] != WHOOSH3_HEADER_MAGIC:
        raise ValueError("not a posting list")
    pos = 4
    ids: list[int] = []
    weights: list[float] | None = None
    values: list | None = [] if want_values else None
    while True:
        length = _INT.unpack_from(raw, pos)[0]
        last = length < 0
        length = abs(length)
        start = pos + 4
        end = start + length
        info = io.BytesIO(raw[start:end])
        count, _maxid, _maxweight, comp, _mn, _mx = pickle.load(info)
        data = raw[start + info.tell():end]
        if comp:
            data = zlib.decompress(data)
        bids, bweights, bvalues = pickle.loads(data)
        block = accumulate(bids)  # each block stores its first id, then gaps
        if bweights is not None and weights is None:
            weights = [1.0] * len(ids)
        if weights is not None:
            if bweights is None:
                weights.extend(repeat(1.0, count))
            elif isinstance(bweights, float):
                weights.extend(repeat(bweights, count))
            else:
                weights.extend(bweights)
        ids.extend(block)
        if values is not None:
            values.extend(_block_values(bvalues, count))
        pos = end
        if last:
            return ids, weights, values


def _block_values(vs, count: int):
    if vs is None:
        return repeat(None, count)
    if isinstance(vs, bytes):  # fixed-size values joined (frequencies: 4 bytes each)
        size = len(vs) // count if count else 0
        return [vs[i:i + size] for i in range(0, len(vs), size)] if size else repeat(emptybytes, count)
    return vs


# -- bitsets ------------------------------------------------------------------------------------

def bitset(ids, offset: int = 0, size: int = 0) -> int:
    """The set of `ids` (each plus `offset`) as a bitset; `size` is a hint, the highest id + 1."""
    ids = list(ids)
    if not ids:
        return 0
    top = max(size, ids[-1] + 1, max(ids) + 1)
    if len(ids) * 32 < top:  # sparse: set bits one by one in a small buffer
        raw = bytearray((top + 7) // 8)
        for i in ids:
            raw[i >> 3] |= 1 << (i & 7)
        return int.from_bytes(raw, "little") << offset
    digits = bytearray(b"0") * top
    deque(map(digits.__setitem__, ids, repeat(49)), 0)  # 49 is "1", set in C
    digits.reverse()  # int() reads the most significant digit first
    return int(digits, 2) << offset


def members(bits: int) -> list[int]:
    """The ids in a bitset, ascending."""
    if not bits:
        return []
    size = bits.bit_length()
    if bits.bit_count() * 64 > size:  # dense: let C walk every position
        return list(compress(range(size), mask(bits, size)))
    digits = bin(bits)[:1:-1]  # least significant first: index = id
    out = []
    find = digits.find
    i = find("1")
    while i >= 0:
        out.append(i)
        i = find("1", i + 1)
    return out


def mask(bits: int, size: int) -> bytes:
    """One byte per id, 1 where `bits` holds it: for membership tests in C (`mask[id]`)."""
    digits = bin(bits)[:1:-1].encode("ascii")
    return digits.ljust(size, b"0").translate(_MASK_TABLE)


_MASK_TABLE = bytes.maketrans(b"01", b"\x00\x01")


def pick(ids, weights, docs: list[int], values=None):
    """The postings of `docs` (ascending) in a sorted posting list, by bisection:
    (document numbers, weights, values or None)."""
    found: list[int] = []
    tfs: list[float] = []
    vals: list | None = [] if values is not None else None
    n = len(ids)
    for d in docs:
        i = bisect_left(ids, d)
        if i < n and ids[i] == d:
            found.append(d)
            tfs.append(weights[i] if weights is not None else 1.0)
            if vals is not None:
                vals.append(values[i])
    return found, tfs, vals
