"""Attachment files, stored by the SHA-256 of their bytes and kept only when the hash matches.

A file is written under a temporary name, fsynced, checked, and only then renamed into place and
registered in the mirror; a crash or a wrong hash leaves nothing half-written under a real name.
Items sharing an attachment share one file.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import BinaryIO

from .errors import AttachmentRejected, CatalogueError
from .fsutil import fsync_dir
from .mirror import Mirror

CHUNK = 1 << 16


class AttachmentStore:
    def __init__(self, root: Path, mirror: Mirror) -> None:
        self.root = Path(root)
        self.mirror = mirror

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def get(self, sha256: str) -> Path | None:
        """The file of an attachment, if this kiosk holds it."""
        p = self.path_for(sha256.lower())
        return p if p.is_file() else None

    def put(self, stream: BinaryIO, sha256: str, media_type: str | None = None,
            max_bytes: int | None = None) -> bool:
        """Store the bytes of `stream` as attachment `sha256`; False if it was already held.

        Raises `AttachmentRejected` (and keeps nothing) when the bytes do not hash to `sha256` or
        exceed `max_bytes`, and `CatalogueError` when the file cannot be written.
        """
        sha256 = sha256.lower()
        final = self.path_for(sha256)
        if final.is_file() and self.mirror.has_attachment(sha256):
            return False
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = final.with_name(f".{sha256}.tmp-{os.getpid()}")
        digest = hashlib.sha256()
        size = 0
        try:
            with open(tmp, "wb") as out:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if max_bytes is not None and size > max_bytes:
                        raise AttachmentRejected(f"附件 {sha256[:12]}… 大于声明的大小，已拒收",
                                             f"attachment {sha256[:12]}… is larger than declared;"
                                             " refused")
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            if digest.hexdigest() != sha256:
                raise AttachmentRejected(f"附件 {sha256[:12]}… 内容与校验值不符，已拒收",
                                     f"attachment {sha256[:12]}… does not match its SHA-256; "
                                     "refused")
            os.replace(tmp, final)
            fsync_dir(final.parent)
        except OSError as exc:
            raise CatalogueError(f"保存附件失败：{exc.strerror}（磁盘可能已满）",
                                 f"could not store an attachment: {exc.strerror} "
                                 "(is the disk full?)") from exc
        finally:
            tmp.unlink(missing_ok=True)
        self.mirror.register_attachment(sha256, size, media_type)
        return True

    def check(self, sha256: str) -> str | None:
        """None if the stored file is whole, else what is wrong with it."""
        p = self.get(sha256)
        if p is None:
            return "missing"
        digest = hashlib.sha256()
        with open(p, "rb") as f:
            while chunk := f.read(CHUNK):
                digest.update(chunk)
        return None if digest.hexdigest() == sha256 else "corrupt"
