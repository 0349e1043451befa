"""The local catalogue's words in the candidate bar: agency names and the phrases of its titles.

jieba has never heard of 临澄市住房和城乡建设局 or 政府信息公开, and those are exactly what a
citizen at a reading-room kiosk writes. The catalogue already keeps a suggestion vocabulary for
search-as-you-type (`index.schema.suggestion_terms`: every agency name, and the words and short
phrases of every title, each counted by the documents it is in); this module turns it into
dictionary entries and merges them into a loaded `PinyinDictionary`:

- readings come from pypinyin through the same `Reader` as jieba's words, so a word both know
  reads the same in both;
- an agency name also gives its department without the place in front (临澄市住房和城乡建设局
  → 住房和城乡建设局, since citizens name the department, not the city they are standing in),
  and the place itself (临澄市);
- frequency: `FLOOR + SCALE × (share of documents holding the word)`, at most `CAP`. jieba's
  frequencies run from 3 (most of its 300,000 words) to 23,452 for 政府; so a phrase of a single
  document (FLOOR, 10) ranks above jieba's rare words and below its common ones, 关于 in half
  the documents would get 5,000, and no catalogue word ever outranks 政府 or 我们. A word jieba
  has keeps the higher of the two frequencies: the catalogue can only make it likelier here.
  The ranking matters mostly for short words; a long name is usually the only entry reading its
  letters.

The entries are cached in a small file of their own, `ime-catalogue-<tag>.bin` beside the
dictionary's, the tag hashing the catalogue's revision (index generation, applied sequence and
build time) and this module's source; so the kiosk reads them in milliseconds at start-up, and
after a sync (`refresh`) rebuilds them on a background thread (a second or two for the sample
catalogue; the vocabulary is capped at `MAX_WORDS`) and merges them into the dictionary the
keyboard is using. Only one such file is kept.

The vocabulary comes from `Catalogue.vocabulary()`, which reads it on the calling thread through
a searcher of its own, so a citizen's search never waits behind it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import sys
import threading
import weakref
from collections.abc import Iterable
from concurrent.futures import Future
from pathlib import Path

from . import cache
from .build import HAN, PINYIN, Entry, Reader

log = logging.getLogger(__name__)

FLOOR = 10
SCALE = 10_000
CAP = 5_000
MAX_WORDS = 60_000  # the most frequent phrases kept (agency names always): bounded build time
MAX_CHARS = 16
FORMAT = 1

# a place before a department: 临澄市 | 安徽省宿州市 | 北屏县 | 高新区 …, then the department
# (a bare 州 is left out: 宿州市 would end at 宿州)
_PLACE = re.compile(r"^[\u4e00-\u9fff]{1,7}?(?:自治区|自治州|自治县|省|市|盟|地区|县|旗|区)")
_DEPARTMENT = re.compile(r"(?:局|委员会|委|办公室|办|厅|院|馆|中心|政府|所|站|队|处|部|署|会)$")


def frequency(docs: int, total: int) -> int:
    """A catalogue word's frequency, comparable with jieba's (see the module docstring)."""
    share = docs / total if total > 0 else 0.0
    return min(CAP, FLOOR + round(SCALE * share))


def agency_parts(name: str) -> list[str]:
    """The places and departments an agency name is made of, each a word of its own:
    安徽省宿州市财政局 → 安徽省, 宿州市财政局, 宿州市, 财政局. Empty for anything that does
    not end like a department (a title phrase such as 城市建设)."""
    out: list[str] = []
    rest = name
    while _DEPARTMENT.search(rest) and (m := _PLACE.match(rest)) and len(rest) - m.end() >= 2:
        out.append(m.group())
        rest = rest[m.end():]
        out.append(rest)
    return out


def entries_from_words(words: Iterable[tuple[str, int]], total: int,
                       reader: Reader | None = None) -> list[Entry]:
    """Dictionary entries for (word, documents) pairs of a catalogue of `total` documents.

    Words that are not all Han characters, or longer than MAX_CHARS, are left out; the parts
    of agency names (`agency_parts`) count the documents of every agency they are in.
    """
    docs: dict[str, int] = {}
    for word, n in words:
        if 2 <= len(word) <= MAX_CHARS and HAN.match(word):
            docs[word] = max(docs.get(word, 0), n)
    derived: dict[str, int] = {}
    for word, n in docs.items():
        for part in agency_parts(word):
            derived[part] = derived.get(part, 0) + n
    for part, n in derived.items():
        docs[part] = max(docs.get(part, 0), n)
    reader = reader or Reader()
    out: list[Entry] = []
    for word, n in sorted(docs.items()):
        sylls = reader.word(word)
        if len(sylls) == len(word) and all(PINYIN.match(s) for s in sylls):
            out.append((word, frequency(n, total), tuple(sylls)))
    return out


def _read_vocabulary(catalogue) -> tuple[list[tuple[str, int]], int]:
    """(phrase, live documents) of the catalogue's suggestion vocabulary that the keyboard can
    use (Han only, at most MAX_CHARS), and the live documents."""
    phrases, total = catalogue.vocabulary()
    words = [(p, n) for p, n in phrases if len(p) <= MAX_CHARS and HAN.match(p)]
    if len(words) > MAX_WORDS:  # keep the commonest phrases, and every agency's name
        words.sort(key=lambda w: (-w[1], w[0]))
        words = words[:MAX_WORDS] + [w for w in words[MAX_WORDS:] if agency_parts(w[0])]
    return words, total


def revision(catalogue) -> str:
    """What the vocabulary was read from: changes whenever the catalogue's index does."""
    index = catalogue.stats()["index"]
    return f"{index['generation']}:{index['applied_seq']}:{index['built_at']}"


def cache_file(cache_dir: Path, rev: str, data_dir: Path) -> Path:
    source = Path(__file__).read_bytes()
    described = json.dumps({"revision": rev, "data": str(Path(data_dir).resolve()),
                            "format": FORMAT, "pypinyin": cache._version("pypinyin"),
                            "source": hashlib.blake2b(source, digest_size=16).hexdigest()},
                           sort_keys=True)
    tag = hashlib.blake2b(described.encode(), digest_size=8).hexdigest()
    return Path(cache_dir) / f"ime-catalogue-{tag}.bin"


def _encode(entries: list[Entry]) -> str:
    return "\n".join(f"{t}\t{f}\t{' '.join(s)}" for t, f, s in entries)


def _decode(stored: str) -> list[Entry]:
    """Entries back from `_encode`. Syllables are interned: some 400 distinct strings stand for
    the quarter of a million a 60,000-word vocabulary spells (about 15 MB of the kiosk's memory)."""
    out: list[Entry] = []
    for line in stored.split("\n") if stored else ():
        text, freq, sylls = line.split("\t")
        out.append((text, int(freq), tuple(map(sys.intern, sylls.split(" ")))))
    return out


class CatalogueVocabulary:
    """The catalogue's words for the candidate bar, cached by catalogue revision.

    `attach(dictionary)` merges them into a loaded dictionary (from the cache if it is current,
    otherwise once a background build is done); `refresh()`, after a sync, rebuilds them in the
    background if the catalogue changed and merges them again into every attached dictionary.
    `install()` makes it the vocabulary `load_in_background` attaches to what it loads, which is
    how the keyboard's own load path picks it up.
    """

    def __init__(self, catalogue, cache_dir: Path | str) -> None:
        self.catalogue = catalogue
        self.cache_dir = Path(cache_dir)
        self._dictionaries: weakref.WeakSet = weakref.WeakSet()
        self._lock = threading.Lock()
        self._merged: str | None = None  # the revision whose words the dictionaries hold
        self._entries: list[Entry] | None = None
        self._revision: str | None = None
        self._running: Future[int] | None = None
        self._again = False

    # --- the words ---------------------------------------------------------------------------

    def _cached(self, rev: str) -> list[Entry] | None:
        path = cache_file(self.cache_dir, rev, self.catalogue.data_dir)
        try:
            payload = cache.read(path, required=frozenset({"revision", "entries"}))
        except FileNotFoundError:
            return None
        except (cache.CacheCorrupt, OSError, ValueError) as exc:
            log.warning("catalogue words cache unusable, rebuilding: %s", exc)
            return None
        try:
            return _decode(payload["entries"]) if payload["revision"] == rev else None
        except (ValueError, TypeError, AttributeError) as exc:
            log.warning("catalogue words cache unusable, rebuilding: %s", exc)
            return None

    def _build(self, rev: str) -> list[Entry]:
        words, total = _read_vocabulary(self.catalogue)
        entries = entries_from_words(words, total)
        path = cache_file(self.cache_dir, rev, self.catalogue.data_dir)
        try:
            cache.write(path, {"revision": rev, "entries": _encode(entries)})
        except OSError as exc:
            log.warning("cannot store the catalogue words at %s: %s", path, exc)
            return entries
        for old in self.cache_dir.glob("ime-catalogue-*.bin"):
            if old != path:
                old.unlink(missing_ok=True)
        return entries

    def entries(self, *, build: bool = True) -> list[Entry] | None:
        """The entries for the catalogue as it is now: from the cache, or built (seconds) and
        cached; None if not cached and not `build`. Any thread."""
        rev = revision(self.catalogue)
        if self._revision == rev and self._entries is not None:
            return self._entries
        found = self._cached(rev)
        if found is None and build:
            found = self._build(rev)
        if found is not None:
            self._revision, self._entries = rev, found
        return found

    # --- the dictionaries --------------------------------------------------------------------

    def attach(self, dictionary) -> None:
        """Give `dictionary` the catalogue's words now if they are cached, else after a build in
        the background; and again after each `refresh` that finds the catalogue changed."""
        with self._lock:
            self._dictionaries.add(dictionary)
        try:
            found = self.entries(build=False)
        except Exception as exc:  # a broken catalogue must not take the keyboard with it
            log.warning("catalogue words unavailable: %s", exc)
            return
        if found is None:
            self.refresh()
        else:
            dictionary.add_words(found, revision=self._revision)

    def refresh(self) -> Future[int]:
        """Rebuild the words on a background thread if the catalogue changed since they were
        made, and merge them into the attached dictionaries. The future gives how many entries
        were merged (0 when nothing changed)."""
        with self._lock:
            if self._running is not None and not self._running.done():
                self._again = True  # the running one may have read the catalogue too early
                return self._running
            future: Future[int] = Future()
            self._running = future
        threading.Thread(target=self._refresh, args=(future,), name="ime-catalogue-words",
                         daemon=True).start()
        return future

    def _refresh(self, future: Future[int]) -> None:
        merged = 0
        try:
            while True:
                merged += self._update()
                with self._lock:
                    if not self._again:
                        break
                    self._again = False
        except Exception as exc:
            log.warning("catalogue words not rebuilt: %s", exc)
            future.set_exception(exc)
            return
        future.set_result(merged)

    def _update(self) -> int:
        entries = self.entries()
        if entries is None:
            return 0
        with self._lock:
            targets = [d for d in self._dictionaries if d.catalogue_revision != self._revision]
        for dictionary in targets:
            dictionary.add_words(entries, revision=self._revision)
        return len(entries) if targets else 0

    def install(self) -> CatalogueVocabulary:
        """Make this the vocabulary `load_in_background` merges into what it loads."""
        _installed[:] = [self]
        return self

    def uninstall(self) -> None:
        if self in _installed:
            _installed.clear()


_installed: list[CatalogueVocabulary] = []  # at most one: the app's


def installed() -> CatalogueVocabulary | None:
    return _installed[0] if _installed else None
