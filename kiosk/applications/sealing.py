"""Encrypting applicants' personal data at rest, with a key kept outside the data directory.

The outbox holds names, ID numbers, phone numbers and addresses until the central system has
confirmed receipt. A stolen disk image or a copied data directory must not reveal them, so these
fields are sealed with AES-256-GCM under a key that lives elsewhere (by default in the kiosk's
configuration directory, readable by its user only). Each sealed value is bound to its receipt
number (GCM's associated data), so ciphertexts cannot be swapped between rows unnoticed.

The query code a citizen uses to look up status is kept only as an HMAC under the same key: the
kiosk can check a code offline, but the database alone does not give the codes away.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..errors import KioskError

KEY_BYTES = 32
NONCE_BYTES = 12
VERSION = b"\x01"


class Sealer:
    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise ValueError("an outbox key is 32 bytes")
        self._aead = AESGCM(key)
        self._mac_key = hashlib.sha256(b"query-code" + key).digest()

    @classmethod
    def from_file(cls, path: Path, *, data_dir: Path, create: bool = True) -> Sealer:
        """The key in `path`, made (readable by this user only) on first use if `create`.

        Refuses a key file inside the data directory: a copy of that directory would then
        carry the key along with what it protects.
        """
        path = Path(path).expanduser().resolve()
        data = Path(data_dir).expanduser().resolve()
        if path == data or data in path.parents:
            raise KioskError(f"申请暂存区的密钥文件不能放在数据目录内（{path}），请在配置 "
                             "[applications] key_file 中另选位置",
                             f"the outbox key file must not be inside the data directory ({path});"
                             " choose another place with [applications] key_file")
        try:
            return cls(_read_key(path))
        except FileNotFoundError:
            if not create:
                raise KioskError(f"找不到申请暂存区的密钥文件 {path}：没有它，已暂存的申请无法读取。"
                                 "请从备份恢复该文件",
                                 f"the outbox key file {path} is missing: without it, stored "
                                 "applications cannot be read. Restore it from a backup") from None
        key = secrets.token_bytes(KEY_BYTES)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(key.hex().encode() + b"\n")
                f.flush()
                os.fsync(f.fileno())
        except FileExistsError:  # another process made it first: use theirs
            return cls(_read_key(path))
        except OSError as exc:
            raise KioskError(f"无法创建申请暂存区的密钥文件 {path}：{exc.strerror}",
                             f"cannot create the outbox key file {path}: {exc.strerror}") from exc
        return cls(key)

    def seal(self, value: object, receipt_no: str) -> bytes:
        nonce = secrets.token_bytes(NONCE_BYTES)
        plain = json.dumps(value, ensure_ascii=False).encode()
        return VERSION + nonce + self._aead.encrypt(nonce, plain, receipt_no.encode())

    def open(self, blob: bytes, receipt_no: str) -> object:
        if not blob.startswith(VERSION):
            raise KioskError("申请数据格式无法识别", "stored application data has an unknown format")
        nonce, body = blob[1:1 + NONCE_BYTES], blob[1 + NONCE_BYTES:]
        try:
            plain = self._aead.decrypt(nonce, body, receipt_no.encode())
        except InvalidTag as exc:
            raise KioskError(f"申请 {receipt_no} 的数据无法解密：密钥文件不对，或数据已损坏",
                             f"application {receipt_no} cannot be decrypted: wrong key file, or "
                             "damaged data") from exc
        return json.loads(plain)

    def code_tag(self, receipt_no: str, query_code: str) -> str:
        return hmac.new(self._mac_key, f"{receipt_no}\x00{query_code}".encode(),
                        hashlib.sha256).hexdigest()


def _read_key(path: Path) -> bytes:
    try:
        text = path.read_text(encoding="ascii").strip()
        key = bytes.fromhex(text)
    except FileNotFoundError:
        raise
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise KioskError(f"申请暂存区的密钥文件 {path} 无法读取或已损坏",
                         f"the outbox key file {path} cannot be read or is damaged") from exc
    if len(key) != KEY_BYTES:
        raise KioskError(f"申请暂存区的密钥文件 {path} 已损坏（长度不对）",
                         f"the outbox key file {path} is damaged (wrong length)")
    return key
