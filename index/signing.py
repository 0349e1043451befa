"""Ed25519 signatures on bundles, so an offline kiosk can tell a bundle from its own venue's staff.

Only the exact bytes of `manifest.json` are signed: the manifest already lists the size and SHA-256
of every other file, and the importer checks those before applying anything, so one signature over
the manifest covers the whole bundle. The signature sits beside the manifest as `manifest.sig`,
one line of standard base64 (64 bytes decoded) and a newline, so it survives being looked at in a
text editor and copied between file systems.

Keys are text a clerk can paste: the private key is an unencrypted PKCS#8 PEM file (kept off the
kiosks that only import), the public key `ed25519:<base64 of the raw 32 bytes>`. Every problem is
a `BundleError` in Chinese and English; cryptography's own exceptions never reach a screen.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .errors import BundleError
from .fsutil import fsync_dir, write_atomic

PUBLIC_KEY_PREFIX = "ed25519:"
SIGNATURE = "manifest.sig"
SIGNATURE_BYTES = 64
MAX_SIGNATURE_FILE = 1024  # a real one is 89 bytes; anything far larger is not a signature
_UNCHANGED_ZH = "未做任何更改"
_UNCHANGED_EN = "Nothing was changed"
T = TypeVar("T")


def generate_keypair() -> tuple[bytes, str]:
    """A new (private key PEM, public key text) pair; the PEM is unencrypted, so guard the file."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    return pem, _public_text(key.public_key())


def public_key_text(private_pem: bytes) -> str:
    """The public key text to configure on importing kiosks, recovered from the private key."""
    return _public_text(load_private_key(private_pem).public_key())


def _public_text(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return PUBLIC_KEY_PREFIX + base64.b64encode(raw).decode("ascii")


def load_private_key(pem: bytes) -> Ed25519PrivateKey:
    """The signing key in `pem`; refused unless it is an unencrypted Ed25519 PEM private key."""
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except TypeError as exc:  # cryptography's way of saying "this one is password-protected"
        raise BundleError("签名私钥已加密，本软件只能使用未加密的 Ed25519 私钥（PEM）",
                          "the signing key is password-protected; use an unencrypted Ed25519 "
                          "PEM private key") from exc
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise BundleError("签名私钥无法读取：不是 PEM 格式的私钥文件，请检查选择的文件",
                          "the signing key cannot be read: it is not a PEM private key; "
                          "check which file was given") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise BundleError("签名私钥类型不对：本软件只使用 Ed25519 私钥",
                          f"the signing key is {type(key).__name__}, not an Ed25519 key")
    return key


def load_public_key(text: str) -> Ed25519PublicKey:
    """The verifying key from its text form `ed25519:<base64>`; BundleError says what is wrong."""
    text = text.strip()
    if not text.startswith(PUBLIC_KEY_PREFIX):
        raise BundleError(f"验证公钥格式不对：应以 {PUBLIC_KEY_PREFIX} 开头，请检查配置",
                          f"the public key must start with {PUBLIC_KEY_PREFIX!r} (only Ed25519 keys "
                          "are supported); check the configuration")
    try:
        raw = base64.b64decode(text[len(PUBLIC_KEY_PREFIX):], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise BundleError("验证公钥格式不对：不是有效的 base64 文本，请检查配置",
                          "the public key is not valid base64; check the configuration") from exc
    if len(raw) != 32:
        raise BundleError("验证公钥长度不对（应为 32 字节），可能复制不完整，请检查配置",
                          f"the public key has {len(raw)} bytes, not 32 (incompletely copied?); "
                          "check the configuration")
    return Ed25519PublicKey.from_public_bytes(raw)


def sign_manifest(manifest: bytes, private_pem: bytes) -> bytes:
    """The content of `manifest.sig` for these exact manifest bytes."""
    return _signature_file(manifest, load_private_key(private_pem))


def _signature_file(manifest: bytes, key: Ed25519PrivateKey) -> bytes:
    return base64.b64encode(key.sign(manifest)) + b"\n"


def verify_manifest(manifest: bytes, sig_file: bytes | None, public_key: Ed25519PublicKey) -> None:
    """Return only if `sig_file` is a signature of exactly `manifest` by `public_key`.

    `sig_file` is None when the bundle has no `manifest.sig`. The messages say the bundle was
    refused whole, since callers verify before applying anything.
    """
    if sig_file is None:
        raise BundleError(f"导入包未签名，本终端只接受已签名的导入包。{_UNCHANGED_ZH}",
                          "the bundle is not signed, and this kiosk only accepts signed bundles. "
                          f"{_UNCHANGED_EN}")
    try:
        if len(sig_file) > MAX_SIGNATURE_FILE:
            raise ValueError("too large")
        signature = base64.b64decode(sig_file.strip(), validate=True)
        if len(signature) != SIGNATURE_BYTES:
            raise ValueError("wrong length")
    except (binascii.Error, ValueError) as exc:
        raise BundleError(f"导入包的签名文件 {SIGNATURE} 格式错误（可能已损坏），"
                          f"请重新导出并签名后再导入。{_UNCHANGED_ZH}",
                          f"the bundle's {SIGNATURE} is malformed (damaged?); export and sign the "
                          f"bundle again. {_UNCHANGED_EN}") from exc
    try:
        public_key.verify(signature, manifest)
    except InvalidSignature as exc:
        raise BundleError("导入包签名验证失败：签名后内容被改动过，或不是用本终端信任的密钥签名的。"
                          f"请向管理人员索取正确签名的导入包。{_UNCHANGED_ZH}",
                          "the bundle's signature does not match: it was altered after signing, "
                          "or signed with a key this kiosk does not trust. Ask for a correctly "
                          f"signed bundle. {_UNCHANGED_EN}") from exc


def sign_bundle(path: Path, private_pem: bytes) -> None:
    """Add (or replace) `manifest.sig` in a bundle directory or `.zip`, atomically.

    A power cut or full disk leaves the bundle as it was or signed, never half-written: a
    directory gets the file by write-then-rename, a zip is rewritten beside itself and renamed over.
    """
    from .bundle import MANIFEST, MANIFEST_FORMAT, looks_zipped  # bundle imports this module

    key = load_private_key(private_pem)
    path = Path(path)
    if path.is_dir():
        manifest_path = path / MANIFEST
        if not manifest_path.is_file():
            raise _not_a_bundle(path, f"{MANIFEST} is missing")
        manifest = _read(manifest_path.read_bytes)
        _check_is_bundle(path, manifest, MANIFEST_FORMAT)
        _write(lambda: write_atomic(path / SIGNATURE, _signature_file(manifest, key)))
        return
    if not path.is_file():
        raise BundleError(f"找不到文件：{path}", f"no such file or directory: {path}")
    if not _read(lambda: looks_zipped(path)):
        raise _not_a_bundle(path, "it is neither a bundle directory nor a .zip")
    try:
        with zipfile.ZipFile(path) as zin:
            if MANIFEST not in zin.namelist():
                raise _not_a_bundle(path, f"the zip holds no {MANIFEST}")
            manifest = zin.read(MANIFEST)
            _check_is_bundle(path, manifest, MANIFEST_FORMAT)
            _write(lambda: _rewrite_zip(zin, path, _signature_file(manifest, key)))
    except (zipfile.BadZipFile, EOFError) as exc:
        raise BundleError(f"无法签名：压缩包已损坏或不完整：{path.name}",
                          f"cannot sign: the zip file is damaged or incomplete: {path.name} ({exc})"
                          ) from exc
    except OSError as exc:  # writing failures were already translated by _write
        raise _read_failed(exc) from exc


def _rewrite_zip(zin: zipfile.ZipFile, path: Path, signature: bytes) -> None:
    """Copy every member but an old signature into a temp zip beside `path`, add ours, rename."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as fh:
            with zipfile.ZipFile(fh, "w") as zout:
                for info in zin.infolist():
                    if info.filename == SIGNATURE:
                        continue
                    copy = zipfile.ZipInfo(info.filename, info.date_time)
                    copy.compress_type = info.compress_type
                    copy.external_attr = info.external_attr
                    copy.comment = info.comment
                    copy.file_size = info.file_size  # lets zipfile decide on zip64 up front
                    with zin.open(info) as src, zout.open(copy, "w") as dst:
                        shutil.copyfileobj(src, dst, 1 << 16)
                zout.writestr(SIGNATURE, signature)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        fsync_dir(path.parent)
    finally:
        tmp.unlink(missing_ok=True)


def _check_is_bundle(path: Path, manifest: bytes, fmt: str) -> None:
    try:
        parsed = json.loads(manifest.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        parsed = None
    if not isinstance(parsed, dict) or parsed.get("format") != fmt:
        raise _not_a_bundle(path, f'its manifest does not say "format": "{fmt}"')


def _not_a_bundle(path: Path, why_en: str) -> BundleError:
    return BundleError(f"无法签名：{path.name} 不是导入包（需要含 manifest.json 的目录或 .zip）",
                       f"cannot sign {path.name}: not a bundle ({why_en})")


def _read(step: Callable[[], T]) -> T:
    """Run a reading step, turning a medium failure into a message a clerk can act on."""
    try:
        return step()
    except OSError as exc:
        raise _read_failed(exc) from exc


def _read_failed(exc: OSError) -> BundleError:
    return BundleError(f"无法签名：读取失败（{exc.strerror}），请检查 U 盘后重试",
                       f"cannot sign: reading failed ({exc.strerror}); check the medium and retry")


def _write(step: Callable[[], None]) -> None:
    """Run the writing step; on failure the bundle is as it was, and the message says so."""
    try:
        step()
    except OSError as exc:
        raise BundleError(f"签名失败：写入出错（{exc.strerror}，U 盘可能已满或写保护），"
                          "导入包未被改动；请腾出空间后重试",
                          f"signing failed: could not write ({exc.strerror}; is the medium full "
                          "or write-protected?). The bundle is unchanged; free some space and "
                          "retry") from exc
