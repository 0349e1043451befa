"""The dictionary's cache file: named after what built it, written atomically, checked when read.

Building takes about ten seconds (pypinyin reads 300,000 words) but the kiosk must start in 2.5 s, so the
result is kept in one file, `ime-<tag>.bin`, under the cache directory (by default
`$XDG_CACHE_HOME/disclosure-kiosk`, that is `~/.cache/disclosure-kiosk`). The tag hashes every
input of the build: the jieba and pypinyin versions, the build parameters, the source of
`kiosk/ime/build.py` and the marshal format; any change gives a new name, so a stale file is never
read, it is simply not the one looked for (old files are left alone; they are a few MB).

The file is `MAGIC`, a 32-byte BLAKE2b digest of the body, then the body, a `marshal` dump (the
fastest Python can read back: about 60 ms for the whole dictionary). It is written to a temporary
file in the same directory, flushed to disk and renamed over the name, so a crash or power cut
during a build leaves either the old state or the complete file; a file that is damaged anyway
(bad magic, digest mismatch, unreadable body) is reported as `CacheCorrupt` and rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import tempfile
from importlib import metadata
from pathlib import Path

from .build import BuildParams

MAGIC = b"KIOSKIME\x02"
DIGEST_SIZE = 32
REQUIRED = frozenset({"syllables", "initials", "index", "total", "max_syllables"})


class CacheCorrupt(Exception):
    """The cache file exists but cannot be trusted; the caller rebuilds it."""


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "disclosure-kiosk"


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "missing"


def version_tag(params: BuildParams) -> str:
    """A short hash of everything the dictionary is made from."""
    builder = (Path(__file__).with_name("build.py")).read_bytes()
    described = json.dumps({
        "magic": MAGIC.hex(),
        "marshal": marshal.version,
        "jieba": _version("jieba"),
        "pypinyin": _version("pypinyin"),
        "params": params.as_dict(),
        "builder": hashlib.blake2b(builder, digest_size=16).hexdigest(),
    }, sort_keys=True)
    return hashlib.blake2b(described.encode(), digest_size=8).hexdigest()


def cache_file(cache_dir: Path | str | None, params: BuildParams) -> Path:
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    return folder / f"ime-{version_tag(params)}.bin"


def write(path: Path, payload: dict[str, object]) -> None:
    """Store `payload` at `path` atomically (temporary file, fsync, rename, fsync the directory)."""
    body = marshal.dumps(payload)
    digest = hashlib.blake2b(body, digest_size=DIGEST_SIZE).digest()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # readable by all, as a file made by open() would be: `build` may run as root at deployment
        # and the kiosk as its own user (mkstemp makes 0600); the content is public package data
        os.fchmod(fd, 0o644)
        with os.fdopen(fd, "wb") as f:
            f.write(MAGIC + digest + body)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    try:
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass  # some filesystems refuse to sync a directory; the rename is done either way
    finally:
        os.close(dir_fd)


def read(path: Path, required: frozenset[str] = REQUIRED) -> dict[str, object]:
    """The payload stored at `path`; FileNotFoundError if there is none, CacheCorrupt if damaged
    (or without one of the `required` keys)."""
    data = path.read_bytes()
    head = len(MAGIC) + DIGEST_SIZE
    if len(data) < head or not data.startswith(MAGIC):
        raise CacheCorrupt(f"{path}: not an input-method cache file")
    body = memoryview(data)[head:]
    if hashlib.blake2b(body, digest_size=DIGEST_SIZE).digest() != data[len(MAGIC):head]:
        raise CacheCorrupt(f"{path}: checksum mismatch")
    try:
        payload = marshal.loads(body)
    except (EOFError, ValueError, TypeError) as exc:
        raise CacheCorrupt(f"{path}: unreadable ({exc})") from exc
    if not isinstance(payload, dict) or not payload.keys() >= required:
        raise CacheCorrupt(f"{path}: incomplete")
    return payload
