"""The pinyin dictionary the composer looks words up in, loaded from (or built into) its cache.

`PinyinDictionary.load(cache_dir)` reads the cache file in well under half a second, building it
first (in a separate process, `build_in_child`) when it is missing, stale or damaged; it may run
off the UI thread (the kiosk loads it in the background while the home screen appears, see
`load_in_background`). A loaded dictionary only changes by remembering the groups it has decoded,
which is safe without a lock, so any number of threads and composers may share it.

Entries are grouped by the first letters of their syllables (政府 under `zf`): whatever the
citizen types, `zhengfu`, `zhengf` or `zf`, each token begins with the first letter of the
syllable it stands for, so one group holds every possible match and the composer only filters it.

The catalogue's own words (agency names, title phrases; see `kiosk.ime.vocabulary`) are merged
in after loading with `add_words`, which replaces the previous set whole: a word gone from the
catalogue leaves the bar at the next sync. They live beside the cached groups, not in them, so
the big cache file never depends on the catalogue.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
import time
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

from . import cache
from .build import BuildParams, Entry, build_payload
from .segment import SyllableTable
from .vocabulary import CatalogueVocabulary, installed

log = logging.getLogger(__name__)

DEFAULT_PARAMS = BuildParams()
CHILD_TIMEOUT = 600.0
"""Seconds a build in a separate process may take (about 11 s on the 2-core reference machine)."""
_build_lock = threading.Lock()  # one build at a time in this process; other processes rename over


@dataclass(frozen=True)
class _Added:
    """Words merged in after loading, and the groups decoded since (which include them).

    Replaced whole by `add_words`, so a thread looking up entries sees one consistent set."""

    words: dict[str, tuple[Entry, ...]] = field(default_factory=dict)  # by first letters
    keys: tuple[str, ...] = ()  # the keys of `words`, sorted: what a beginning may lead to
    max_syllables: int = 0
    frequency: int = 0
    revision: str | None = None
    groups: dict[str, tuple[Entry, ...]] = field(default_factory=dict)


class PinyinDictionary:
    """Words and characters by the first letters of their syllables, with jieba's frequencies."""

    def __init__(self, payload: dict, source: Path | None = None) -> None:
        self.table = SyllableTable(payload["syllables"], payload["initials"])
        self._index: dict[str, str] = payload["index"]
        self._added = _Added()
        self.generation = 0  # counts `add_words` calls: composers forget rankings made before
        self.word_count: int = payload.get("words", 0)
        self.char_count: int = payload.get("chars", 0)
        self.source = source  # the cache file it came from, None when built in memory
        self._max_syllables: int = payload["max_syllables"]
        self._total: int = payload["total"]

    def __len__(self) -> int:
        return (sum(group.count("\n") + 1 for group in self._index.values() if group)
                + sum(map(len, self._added.words.values())))

    @property
    def max_syllables(self) -> int:
        return max(self._max_syllables, self._added.max_syllables)

    @property
    def total_frequency(self) -> int:
        return self._total + self._added.frequency

    @property
    def catalogue_revision(self) -> str | None:
        """The revision of the catalogue whose words were last merged in (`add_words`)."""
        return self._added.revision

    def add_words(self, entries: Iterable[Entry], revision: str | None = None) -> int:
        """Merge (text, frequency, syllables) entries in, replacing those merged before; an
        entry the dictionary already has keeps the higher frequency. Entries with a syllable the
        keyboard cannot type are left out. Returns how many were taken. Safe while other threads
        look words up: they see the old set or the new one, never half of each."""
        syllables = self.table.syllables
        words: dict[str, list[Entry]] = defaultdict(list)
        total = 0
        for text, freq, sylls in entries:
            if len(sylls) != len(text) or not all(s in syllables for s in sylls):
                continue
            words["".join(s[0] for s in sylls)].append((text, int(freq), tuple(sylls)))
            total += int(freq)
        self._added = _Added(
            words={key: tuple(group) for key, group in words.items()},
            keys=tuple(sorted(words)),
            max_syllables=max(map(len, words), default=0), frequency=total, revision=revision)
        self.generation += 1
        return sum(map(len, words.values()))

    def entries(self, key: str) -> Sequence[Entry]:
        """(text, frequency, syllables) of every entry whose syllables begin with the letters of
        `key`, one letter per syllable, most frequent first.

        Groups are decoded on first use (a few ms for the largest) and kept: decoding all of them
        up front would triple the load time. Two threads decoding the same group at once merely
        do the work twice.
        """
        added = self._added
        group = added.groups.get(key)
        if group is None:
            stored = self._index.get(key)
            group = tuple(_entry(line) for line in stored.split("\n")) if stored else ()
            if key in added.words:
                group = _merged(group, added.words[key])
            if not group:
                return ()
            added.groups[key] = group
        return group

    def leads_somewhere(self, key: str) -> bool:
        """Whether some entry's first letters begin with `key` (so a longer reading may match)."""
        if key in self._index:
            return True
        keys = self._added.keys  # sorted, so the first key not below `key` begins with it if any
        i = bisect_left(keys, key)
        return i < len(keys) and keys[i].startswith(key)

    @classmethod
    def build(cls, params: BuildParams = DEFAULT_PARAMS) -> PinyinDictionary:
        """Build in memory from jieba and pypinyin, without touching any file (takes seconds)."""
        return cls(build_payload(params))

    @staticmethod
    def cache_file(cache_dir: Path | str | None = None, params: BuildParams = DEFAULT_PARAMS) -> Path:
        """Where `load` looks for the dictionary built with `params`."""
        return cache.cache_file(cache_dir, params)

    @classmethod
    def load(cls, cache_dir: Path | str | None = None, params: BuildParams = DEFAULT_PARAMS,
             *, rebuild: bool = False) -> PinyinDictionary:
        """The dictionary from its cache file under `cache_dir`, built and stored first if the file
        is missing, stale (made by other package versions or parameters) or damaged, or if
        `rebuild`. Safe to call from any thread. If the cache cannot be written (read-only disk)
        the dictionary built in memory is returned all the same, with a warning in the log."""
        path = cls.cache_file(cache_dir, params)
        if not rebuild:
            found = cls._read(path)
            if found is not None:
                return found
        with _build_lock:
            if not rebuild:
                found = cls._read(path)  # another thread may have built it while we waited
                if found is not None:
                    return found
            started = time.monotonic()
            if not rebuild and build_in_child(path, params):
                found = cls._read(path)
                if found is not None:
                    log.info("input-method dictionary built in %.1f s (separate process)",
                             time.monotonic() - started)
                    return found
            payload = build_payload(params)
            log.info("input-method dictionary built in %.1f s", time.monotonic() - started)
            try:
                cache.write(path, payload)
            except OSError as exc:
                log.warning("cannot store the input-method dictionary at %s: %s", path, exc)
                return cls(payload)
            return cls(payload, source=path)

    @classmethod
    def _read(cls, path: Path) -> PinyinDictionary | None:
        try:
            return cls(cache.read(path), source=path)
        except FileNotFoundError:
            return None
        except (cache.CacheCorrupt, KeyError, TypeError, ValueError) as exc:
            log.warning("input-method dictionary cache is damaged, rebuilding: %s", exc)
            return None
        except OSError as exc:
            log.warning("cannot read the input-method dictionary cache, rebuilding: %s", exc)
            return None


def build_in_child(path: Path, params: BuildParams) -> bool:
    """Build the cache file at `path` in a separate Python process; whether it succeeded.

    A build reads all of pypinyin's and jieba's tables and peaks near 300 MB, most of which a
    process never gives back to the system; the kiosk, which builds on a first start after an
    upgrade, would carry that for the rest of its life (docs/benchmarks.md: the budget is 400 MB
    in all). In a child the peak ends with it. On any failure the caller builds in-process, so
    a dictionary is always had."""
    job = json.dumps({"path": str(path), "params": params.as_dict()})
    code = ("import json, sys; from pathlib import Path; from kiosk.ime import cache; "
            "from kiosk.ime.build import BuildParams, build_payload; job = json.loads(sys.argv[1]); "
            "cache.write(Path(job['path']), build_payload(BuildParams(**job['params'])))")
    try:  # the same interpreter, as the background sync starts its children
        done = subprocess.run([sys.executable, "-c", code, job], stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              timeout=CHILD_TIMEOUT, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("cannot build the input-method dictionary in a separate process: %s", exc)
        return False
    if done.returncode != 0:
        log.warning("building the input-method dictionary in a separate process failed: %s",
                    done.stderr.decode(errors="replace")[-500:].strip())
        return False
    return True


def _entry(line: str) -> Entry:
    text, freq, sylls = line.split("\t")
    return text, int(freq), tuple(sylls.split(" "))


def _merged(group: tuple[Entry, ...], added: tuple[Entry, ...]) -> tuple[Entry, ...]:
    best: dict[tuple[str, tuple[str, ...]], int] = {}
    for text, freq, sylls in (*group, *added):
        best[text, sylls] = max(freq, best.get((text, sylls), 0))
    return tuple(sorted(((t, f, s) for (t, s), f in best.items()), key=lambda e: (-e[1], e[0])))


def load_in_background(cache_dir: Path | str | None = None, params: BuildParams = DEFAULT_PARAMS,
                       vocabulary: CatalogueVocabulary | None = None) -> Future[PinyinDictionary]:
    """Start `PinyinDictionary.load` on a daemon thread; the UI polls or adds a done-callback.

    The catalogue's words (`vocabulary`, or else the one the app installed, if any) are merged
    into the dictionary before it is handed over when they are cached, or a little later when
    they must first be built.

    The callback runs on the loading thread: a Kivy caller hands the result to its own thread
    (`Clock.schedule_once`) before touching widgets.
    """
    future: Future[PinyinDictionary] = Future()

    def run() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            dictionary = PinyinDictionary.load(cache_dir, params)
            words = vocabulary or installed()
            if words is not None:
                words.attach(dictionary)
            future.set_result(dictionary)
        except BaseException as exc:
            future.set_exception(exc)

    threading.Thread(target=run, name="ime-dictionary", daemon=True).start()
    return future
