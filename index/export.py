"""Exporting the mirror as a snapshot bundle, so a connected kiosk can feed an offline one by USB.

The bundle is the format `bundle` reads: `catalogue.jsonl` with every item, `attachments/<sha256>`
for every referenced attachment this kiosk holds, `manifest.json`, and `manifest.sig` when a
signing key is given. Items are streamed into the zip while hashing, never all held in memory.

The zip is written as `<name>.partial`, fsynced and only then renamed to its real name, so a crash,
a pulled USB stick or a full disk never leaves something that looks like a finished bundle; on a
write failure the partial file is removed and the error says what to do.

A sync may be writing while we export. All reads happen inside one SQLite read transaction on the
mirror's connection for this thread (WAL gives it a fixed snapshot, and writers are not blocked),
and items are taken up to the sequence number read at its start: the bundle is one consistent
state of the catalogue. While it lasts the WAL cannot be checkpointed past that snapshot, so it
grows by whatever a concurrent sync writes; it is checkpointed as usual afterwards.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import BinaryIO

from .attachments import AttachmentStore
from .bundle import CATALOGUE, FORMAT_VERSION, MANIFEST, MANIFEST_FORMAT
from .errors import CatalogueError
from .fsutil import fsync_dir
from .mirror import Mirror
from .progress import Progress, silent
from .signing import SIGNATURE, load_private_key, sign_manifest

CHUNK = 1 << 16
PROGRESS_EVERY = 200


@dataclass
class ExportReport:
    """What an export wrote, for the CLI and the staff screen to show."""

    path: str
    items: int
    attachments: int
    attachments_missing: int  # referenced but not held here (or damaged): the bundle lacks them
    bytes: int
    signed: bool
    seconds: float

    def to_dict(self) -> dict:
        return asdict(self)


def export_bundle(mirror: Mirror, attachments: AttachmentStore, out: Path, *,
                  sign_key: bytes | None = None, progress: Progress = silent) -> ExportReport:
    """Write the whole catalogue as a snapshot bundle zip at `out` (replacing any file there).

    `sign_key` is an Ed25519 private key PEM; it is checked before anything is written. Raises
    `CatalogueError` (and leaves no file) when `out` cannot be written.
    """
    started = time.monotonic()
    out = Path(out)
    if not out.parent.is_dir():
        raise CatalogueError(f"导出失败：目录不存在：{out.parent}。请先插好 U 盘或选择已有的目录",
                             f"export failed: no such directory: {out.parent}. Insert the USB "
                             "stick or choose an existing directory")
    if out.is_dir():
        raise CatalogueError(f"导出失败：{out} 是一个目录，请给出 .zip 文件名",
                             f"export failed: {out} is a directory; give a .zip file name")
    if sign_key is not None:
        load_private_key(sign_key)  # a wrong key file fails now, not after minutes of writing
    partial = out.with_name(out.name + ".partial")
    try:
        with open(partial, "wb") as fh:
            with _snapshot(mirror):
                counts = _write_zip(fh, mirror, attachments, sign_key, progress)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(partial, out)
        fsync_dir(out.parent)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise CatalogueError(
            f"导出失败：写入 {out.name} 出错（{exc.strerror}，U 盘或磁盘可能已满、已拔出或写保护）。"
            "未生成导入包；请腾出空间或换一个 U 盘后重试",
            f"export failed: could not write {out.name} ({exc.strerror}; is the disk or USB "
            "stick full, removed or write-protected?). No bundle was made; free some space or "
            "use another stick and retry") from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    items, held, missing = counts
    return ExportReport(str(out), items, held, missing, out.stat().st_size,
                        sign_key is not None, round(time.monotonic() - started, 3))


@contextmanager
def _snapshot(mirror: Mirror) -> Iterator[None]:
    """Hold one read transaction on this thread's mirror connection, for one consistent state.

    Uses `Mirror._db()` because the mirror offers no read-transaction API; if the connection is
    already inside a transaction (a caller's), that one is used and left alone.
    """
    db = mirror._db()
    if db.in_transaction:
        yield
        return
    db.execute("BEGIN")  # deferred: the snapshot is fixed by the first read, current_seq()
    try:
        yield
    finally:
        if db.in_transaction:
            db.execute("ROLLBACK")  # only reads were made


def _write_zip(fh: BinaryIO, mirror: Mirror, attachments: AttachmentStore,
               sign_key: bytes | None, progress: Progress) -> tuple[int, int, int]:
    """Write the bundle into `fh`; (items, attachments written, attachments missing)."""
    upto = mirror.current_seq()
    total = mirror.count()  # inside the snapshot, exactly the items up to `upto`
    now = dt.datetime.now().astimezone()
    stamp = now.timetuple()[:6]
    files: list[dict] = []
    referenced: set[str] = set()
    with zipfile.ZipFile(fh, "w") as zf:
        info = zipfile.ZipInfo(CATALOGUE, stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        digest, size, n = hashlib.sha256(), 0, 0
        with zf.open(info, "w", force_zip64=True) as dst:  # size unknown until written
            for item, _hash in mirror.iter_items(upto_seq=upto):
                line = (json.dumps(item.to_dict(), ensure_ascii=False) + "\n").encode("utf-8")
                dst.write(line)
                digest.update(line)
                size += len(line)
                n += 1
                referenced.update(a.sha256 for a in item.attachments)
                if n % PROGRESS_EVERY == 0:
                    progress("export", n, total)
        progress("export", n, total)
        files.append({"path": CATALOGUE, "sha256": digest.hexdigest(), "size": size})

        missing = 0
        wanted = sorted(referenced)
        for i, sha in enumerate(wanted, 1):
            entry = _add_attachment(zf, attachments, sha)
            if entry is None:
                missing += 1
            else:
                files.append(entry)
            progress("attachments", i, len(wanted))

        manifest = {"format": MANIFEST_FORMAT, "format_version": FORMAT_VERSION,
                    "mode": "snapshot", "created_at": now.isoformat(timespec="seconds"),
                    "item_count": n, "files": files}
        raw = (json.dumps(manifest, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
        zf.writestr(zipfile.ZipInfo(MANIFEST, stamp), raw, zipfile.ZIP_DEFLATED)
        if sign_key is not None:
            zf.writestr(zipfile.ZipInfo(SIGNATURE, stamp), sign_manifest(raw, sign_key))
    return n, len(files) - 1, missing


def _add_attachment(zf: zipfile.ZipFile, attachments: AttachmentStore, sha: str) -> dict | None:
    """Copy a held attachment into the zip; None if it is not held or its bytes are damaged.

    The hash is checked while copying. A damaged file cannot be taken back out of the zip, but it
    is left out of the manifest, so importers never read it; it is counted as missing.
    """
    path = attachments.get(sha)
    if path is None:
        return None
    name = f"attachments/{sha}"
    info = zipfile.ZipInfo.from_file(path, name)  # sets file_size, so zip64 is chosen if needed
    info.compress_type = zipfile.ZIP_STORED  # PDFs and images do not compress
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as src, zf.open(info, "w") as dst:
        while chunk := src.read(CHUNK):
            dst.write(chunk)
            digest.update(chunk)
            size += len(chunk)
    if digest.hexdigest() != sha:
        return None
    return {"path": name, "sha256": sha, "size": size}
