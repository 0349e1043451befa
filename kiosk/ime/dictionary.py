"""The pinyin dictionary the composer looks words up in, loaded from (or built into) its cache.

`PinyinDictionary.load(cache_dir)` reads the cache file in well under half a second, building it
first when it is missing, stale or damaged; it may run off the UI thread (the kiosk loads it in the
background while the home screen appears, see `load_in_background`). A loaded dictionary only
changes by remembering the groups it has decoded, which is safe without a lock, so any number of
threads and composers may share it.

Entries are grouped by the first letters of their syllables (政府 under `zf`): whatever the
citizen types, `zhengfu`, `zhengf` or `zf`, each token begins with the first letter of the
syllable it stands for, so one group holds every possible match and the composer only filters it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future
from pathlib import Path

from . import cache
from .build import BuildParams, Entry, build_payload
from .segment import SyllableTable

log = logging.getLogger(__name__)

DEFAULT_PARAMS = BuildParams()
_build_lock = threading.Lock()  # one build at a time in this process; other processes rename over


class PinyinDictionary:
    """Words and characters by the first letters of their syllables, with jieba's frequencies."""

    def __init__(self, payload: dict, source: Path | None = None) -> None:
        self.table = SyllableTable(payload["syllables"], payload["initials"])
        self._index: dict[str, str] = payload["index"]
        self._groups: dict[str, tuple[Entry, ...]] = {}
        self.word_count: int = payload.get("words", 0)
        self.char_count: int = payload.get("chars", 0)
        self.source = source  # the cache file it came from, None when built in memory
        self.max_syllables: int = payload["max_syllables"]
        self.total_frequency: int = payload["total"]

    def __len__(self) -> int:
        return sum(group.count("\n") + 1 for group in self._index.values() if group)

    def entries(self, key: str) -> Sequence[Entry]:
        """(text, frequency, syllables) of every entry whose syllables begin with the letters of
        `key`, one letter per syllable, most frequent first.

        Groups are decoded on first use (a few ms for the largest) and kept: decoding all of them
        up front would triple the load time. Two threads decoding the same group at once merely
        do the work twice.
        """
        group = self._groups.get(key)
        if group is None:
            stored = self._index.get(key)
            if not stored:
                return ()
            group = tuple(_entry(line) for line in stored.split("\n"))
            self._groups[key] = group
        return group

    def leads_somewhere(self, key: str) -> bool:
        """Whether some entry's first letters begin with `key` (so a longer reading may match)."""
        return key in self._index

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


def _entry(line: str) -> Entry:
    text, freq, sylls = line.split("\t")
    return text, int(freq), tuple(sylls.split(" "))


def load_in_background(cache_dir: Path | str | None = None,
                       params: BuildParams = DEFAULT_PARAMS) -> Future[PinyinDictionary]:
    """Start `PinyinDictionary.load` on a daemon thread; the UI polls or adds a done-callback.

    The callback runs on the loading thread: a Kivy caller hands the result to its own thread
    (`Clock.schedule_once`) before touching widgets.
    """
    future: Future[PinyinDictionary] = Future()

    def run() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(PinyinDictionary.load(cache_dir, params))
        except BaseException as exc:
            future.set_exception(exc)

    threading.Thread(target=run, name="ime-dictionary", daemon=True).start()
    return future
