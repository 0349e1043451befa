"""Reading what staff import: a JSONL file, or a bundle (a directory or a `.zip`).

A bundle holds

    manifest.json        {"format": "disclosure-kiosk-bundle", "format_version": 1,
                          "mode": "snapshot" | "changes", "created_at": "…", "item_count": n,
                          "files": [{"path": "catalogue.jsonl", "sha256": "…", "size": n}, …]}
    catalogue.jsonl      one item, or one change object, per line
    attachments/<sha256> attachment files, named by their own hash
    manifest.sig         optional: an Ed25519 signature of manifest.json's bytes (see `signing`)

Before anything is applied, every file the manifest lists is checked for presence, size and
SHA-256, so a truncated copy or a damaged USB stick is refused whole and changes nothing. Only
files the manifest lists (and `manifest.sig`) are read, by exact name; a zip is never extracted.
In `snapshot` mode the bundle is the whole catalogue, and local items it does not hold are removed
(as withdrawn); in `changes` mode (and for a bare JSONL file) lines are applied as changes and
nothing else goes.

When the caller passes a public key, only a bundle whose `manifest.sig` verifies against it is
accepted, and a bare JSONL file (which has nowhere to carry a signature) is refused. The manifest
is read once and those same bytes are verified, then parsed, then used to check every other file,
so nothing can be swapped between the check and the use. Without a key a signature is ignored.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from .errors import BundleError
from .progress import Progress, silent
from .signing import MAX_SIGNATURE_FILE, SIGNATURE, verify_manifest

MANIFEST_FORMAT = "disclosure-kiosk-bundle"
FORMAT_VERSION = 1
CATALOGUE = "catalogue.jsonl"
MANIFEST = "manifest.json"
_ATTACHMENT = re.compile(r"attachments/([0-9a-f]{64})")
MODES = ("snapshot", "changes")
MAX_MANIFEST = 50_000_000


@dataclass
class Source:
    """Something to import: its catalogue lines, and the attachment files it carries.

    `signed` is True only when a public key was given and the signature verified against it.
    """

    name: str
    mode: str
    manifest: dict | None
    _open: Callable[[str], BinaryIO]
    attachments: dict[str, int] = field(default_factory=dict)  # sha256 → size
    _zip: zipfile.ZipFile | None = None
    signed: bool = False

    def open_catalogue(self) -> BinaryIO:
        return self._open(CATALOGUE)

    def open_attachment(self, sha256: str) -> BinaryIO:
        return self._open(f"attachments/{sha256}")

    def lines(self) -> Iterator[tuple[int, bytes]]:
        """(line number, raw line) for each non-blank line of the catalogue."""
        with self.open_catalogue() as f:
            for n, raw in enumerate(f, 1):
                line = raw.strip()
                if n == 1 and line.startswith(b"\xef\xbb\xbf"):
                    line = line[3:]
                if line:
                    yield n, line

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()


def _bad(zh: str, en: str) -> BundleError:
    return BundleError(f"导入包无法使用：{zh}。未做任何更改", f"the bundle cannot be used: {en}. "
                       "Nothing was changed")


def open_source(path: Path, progress: Progress = silent,
                public_key: Ed25519PublicKey | None = None) -> Source:
    """Open and verify an import source; raises `BundleError` before anything is applied.

    With `public_key`, the source must be a bundle signed by its private key.
    """
    path = Path(path)
    if not path.exists():
        raise BundleError(f"找不到文件：{path}", f"no such file or directory: {path}")
    if path.is_dir():
        def opener(name: str) -> BinaryIO:
            return open(path / name, "rb")

        def size_of(name: str) -> int | None:
            p = path / name
            return p.stat().st_size if p.is_file() else None

        return _verified(path.name, opener, size_of, None, progress, public_key)
    if looks_zipped(path):
        try:
            zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise _bad("压缩包已损坏或不完整", f"the zip file is damaged or incomplete ({exc})"
                       ) from exc
        infos = {i.filename: i for i in zf.infolist()}

        def zopen(name: str) -> BinaryIO:
            return zf.open(infos[name]) if name in infos else _missing(name)

        def zsize(name: str) -> int | None:
            return infos[name].file_size if name in infos else None

        return _verified(path.name, zopen, zsize, zf, progress, public_key)
    if public_key is not None:
        raise BundleError("本终端只接受已签名的导入包；单独的 JSONL 文件无法携带签名，"
                          "请改用已签名的导入包（目录或 .zip）。未做任何更改",
                          "this kiosk only accepts signed bundles, and a bare JSONL file cannot "
                          "carry a signature; use a signed bundle (directory or .zip). "
                          "Nothing was changed")
    return Source(path.name, "changes", None, lambda _name: open(path, "rb"))


def looks_zipped(path: Path) -> bool:
    """A `.zip` name or the zip signature: then it must open as a zip, or be refused as damaged."""
    with open(path, "rb") as f:
        return path.suffix.lower() == ".zip" or f.read(4) == b"PK\x03\x04"


def _missing(name: str) -> BinaryIO:
    raise _bad(f"缺少文件 {name}", f"{name} is missing")


def _verified(name: str, opener, size_of, zf, progress: Progress,
              public_key: Ed25519PublicKey | None) -> Source:
    try:
        return _check_manifest(name, opener, size_of, zf, progress, public_key)
    except BundleError:
        if zf is not None:
            zf.close()
        raise
    except (OSError, zipfile.BadZipFile, EOFError) as exc:
        if zf is not None:
            zf.close()
        raise _bad("读取失败（文件损坏或介质故障）",
                   f"reading failed (damaged file or medium: {exc})") from exc


def _check_manifest(name: str, opener, size_of, zf, progress: Progress,
                    public_key: Ed25519PublicKey | None) -> Source:
    if size_of(MANIFEST) is None:
        raise _bad("缺少 manifest.json", "manifest.json is missing")
    if size_of(MANIFEST) > MAX_MANIFEST:
        raise _bad("manifest.json 过大", "manifest.json is implausibly large")
    with opener(MANIFEST) as f:
        raw_manifest = f.read(MAX_MANIFEST + 1)  # the one read: verified, parsed, then used
    if len(raw_manifest) > MAX_MANIFEST:  # grew since its size was looked at
        raise _bad("manifest.json 过大", "manifest.json is implausibly large")
    if public_key is not None:
        signature = None
        if size_of(SIGNATURE) is not None:
            with opener(SIGNATURE) as f:
                signature = f.read(MAX_SIGNATURE_FILE + 1)  # verify refuses it when over
        verify_manifest(raw_manifest, signature, public_key)
    try:
        manifest = json.loads(raw_manifest.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise _bad("manifest.json 不是有效的 JSON", f"manifest.json is not valid JSON ({exc})"
                   ) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        raise _bad("manifest.json 不是本系统的导入包清单",
                   f'manifest.json does not say "format": "{MANIFEST_FORMAT}"')
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise _bad("导入包格式版本过新，请升级本软件",
                   f"format_version {version!r} is newer than this software reads; upgrade it")
    mode = manifest.get("mode", "changes")
    if mode not in MODES:
        raise _bad("mode 应为 snapshot 或 changes", "mode must be snapshot or changes")
    files = manifest.get("files")
    if not isinstance(files, list):
        raise _bad("manifest.json 缺少文件清单 files", "manifest.json has no files list")
    listed: dict[str, tuple[str, int]] = {}
    for entry in files:
        if not (isinstance(entry, dict) and isinstance(entry.get("path"), str)
                and isinstance(entry.get("sha256"), str)
                and re.fullmatch(r"[0-9a-f]{64}", entry["sha256"])
                and isinstance(entry.get("size"), int) and entry["size"] >= 0):
            raise _bad("文件清单中有格式错误的条目", f"malformed files entry {entry!r:.80}")
        path = entry["path"]
        m = _ATTACHMENT.fullmatch(path)
        if path != CATALOGUE and not (m and m.group(1) == entry["sha256"]):
            raise _bad(f"文件清单中有不允许的路径 {path[:60]}", f"unexpected path {path[:60]!r}")
        listed[path] = (entry["sha256"], entry["size"])
    if CATALOGUE not in listed:
        raise _bad("文件清单未列出 catalogue.jsonl", "catalogue.jsonl is not listed")
    total = sum(size for _sha, size in listed.values())
    done = 0
    for path, (sha, size) in listed.items():
        actual = size_of(path)
        if actual is None:
            raise _bad(f"缺少文件 {path}", f"{path} is missing")
        if actual != size:
            raise _bad(f"{path} 大小不符（可能复制不完整）",
                       f"{path} has {actual} bytes, the manifest says {size} (incomplete copy?)")
        digest = hashlib.sha256()
        with opener(path) as f:
            while chunk := f.read(1 << 16):
                digest.update(chunk)
                done += len(chunk)
                progress("verify", done, total)
        if digest.hexdigest() != sha:
            raise _bad(f"{path} 校验值不符（文件已损坏或被修改）",
                       f"{path} does not match its SHA-256 (damaged or altered)")
    attachments = {m.group(1): size for p, (_s, size) in listed.items()
                   if (m := _ATTACHMENT.fullmatch(p))}
    return Source(name, mode, manifest, opener, attachments, zf, signed=public_key is not None)
