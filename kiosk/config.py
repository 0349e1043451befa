"""The kiosk's configuration file (TOML): where the central system is, who this kiosk is.

Which file: the `--config FILE` option of `kiosk` and `kiosk-admin`; else `$KIOSK_CONFIG`; else
`$XDG_CONFIG_HOME/disclosure-kiosk/kiosk.toml` (`~/.config/…`) if it exists; else
`/etc/disclosure-kiosk/kiosk.toml` if it exists; else built-in defaults, with which the kiosk
works offline (search, print, apply) and says so when asked to sync. A file named explicitly must
exist.

The file is validated whole on load. A misspelt or unknown key is an error naming it, not
something silently ignored: a kiosk that quietly skips `[central] tokne` would fail at 3 a.m.
with a message about something else. Every key is listed in `KEYS` and documented in
`docs/configuration.md` (a test keeps the two in step).
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .errors import ConfigError

SYSTEM_PATH = Path("/etc/disclosure-kiosk/kiosk.toml")


@dataclass(frozen=True)
class CentralConfig:
    url: str | None = None
    token: str | None = None
    kiosk_id: str | None = None
    timeout: float = 20.0
    sync_interval_minutes: float = 15.0
    sync_jitter_minutes: float = 3.0
    page_size: int = 500

    @property
    def configured(self) -> bool:
        return bool(self.url and self.token and self.kiosk_id)


@dataclass(frozen=True)
class PrintingConfig:
    """`[printing]`: which CUPS queue, what a page costs and how many a visit and a day may print."""

    queue: str | None = None  # None: CUPS's default queue
    receipt_queue: str | None = None  # a receipt roll printer; None: the same queue
    cups_server: str | None = None  # host:port or socket; None: libcups's own default
    price_per_page: float = 0.0  # yuan
    free_pages_per_visit: int = 0
    max_pages_per_visit: int = 60
    max_pages_per_day: int = 600
    notice: str = "本件为政府信息查阅场所打印件"
    receipt_format: str = "a4"
    give_up_seconds: float = 300.0

    @property
    def price_fen(self) -> int:
        return round(self.price_per_page * 100)


@dataclass(frozen=True)
class Config:
    path: Path | None = None
    data_dir: Path | None = None
    idle_seconds: float = 90.0
    central: CentralConfig = field(default_factory=CentralConfig)
    venue_name: str = "政府信息查阅场所"
    bundle_public_key: str | None = None
    outbox_key_file: Path | None = None
    holiday_dir: Path | None = None
    status_url: str | None = None
    printing: PrintingConfig = field(default_factory=PrintingConfig)

    def key_file(self) -> Path:
        """Where the outbox key lives: as configured, else beside the configuration file, else
        in the user's configuration directory — never in the data directory."""
        if self.outbox_key_file is not None:
            return self.outbox_key_file
        if self.path is not None:
            return self.path.parent / "outbox.key"
        base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
        return Path(base) / "disclosure-kiosk" / "outbox.key"


# -- validation of single values --------------------------------------------------------------

def _text(max_len: int) -> Callable[[Any], str]:
    def check(v: Any) -> str:
        if not isinstance(v, str) or not v.strip():
            raise ValueError("应为非空文本 / must be non-empty text")
        if len(v) > max_len or re.search(r"[\x00-\x1f\x7f]", v):
            raise ValueError(f"应为不超过 {max_len} 字的单行文本 / must be one line of at most "
                             f"{max_len} characters")
        return v.strip()
    return check


def _number(low: float, high: float, integer: bool = False) -> Callable[[Any], float]:
    def check(v: Any) -> float:
        ok_type = isinstance(v, int) if integer else isinstance(v, int | float)
        if isinstance(v, bool) or not ok_type or not low <= v <= high:
            zh, en = ("整数", "an integer") if integer else ("数字", "a number")
            raise ValueError(f"应为 {low:g} 到 {high:g} 之间的{zh} / must be {en} from {low:g} "
                             f"to {high:g}")
        return v
    return check


def _url(v: Any) -> str:
    if not isinstance(v, str):
        raise ValueError("应为网址文本 / must be a URL string")
    parts = urlsplit(v.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("应为 http:// 或 https:// 开头的网址 / must be an http:// or https:// URL")
    if parts.query or parts.fragment:
        raise ValueError("不应包含 ? 或 # 部分 / must not have a query or fragment")
    return v.strip().rstrip("/")


def _kiosk_id(v: Any) -> str:
    v = _text(64)(v)
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", v):
        raise ValueError("只能包含字母、数字和 . _ - / may only hold letters, digits and . _ -")
    return v


def _public_key(v: Any) -> str:
    from index.signing import load_public_key

    v = _text(200)(v)
    try:
        load_public_key(v)
    except Exception as exc:
        raise ValueError("不是有效的公钥，应为 kiosk-admin keygen 给出的 ed25519:… 文本 / not a "
                         "valid public key; use the ed25519:… text printed by kiosk-admin keygen"
                         ) from exc
    return v


def _status_url(v: Any) -> str:
    if not isinstance(v, str) or "{receipt_no}" not in v:
        raise ValueError("应为含 {receipt_no} 的网址，如 https://…/status?no={receipt_no} / must be "
                         "a URL containing {receipt_no}")
    parts = urlsplit(v.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("应为 http:// 或 https:// 开头的网址 / must be an http:// or https:// URL")
    return v.strip()


def _choice(*options: str) -> Callable[[Any], str]:
    def check(v: Any) -> str:
        if v not in options:
            raise ValueError("应为 " + " 或 ".join(options) + " / must be one of " + ", ".join(options))
        return v
    return check


def _path(v: Any) -> Path:
    return Path(_text(4096)(v)).expanduser()


KEYS: dict[str, dict[str, Callable[[Any], Any]]] = {
    "kiosk": {"data_dir": _path, "idle_seconds": _number(5, 3600)},
    "central": {
        "url": _url, "token": _text(4096), "kiosk_id": _kiosk_id,
        "timeout": _number(1, 600), "sync_interval_minutes": _number(0, 7 * 24 * 60),
        "sync_jitter_minutes": _number(0, 24 * 60), "page_size": _number(1, 1000, integer=True),
    },
    "venue": {"name": _text(100)},
    "bundles": {"public_key": _public_key},
    "applications": {"key_file": _path, "holiday_dir": _path, "status_url": _status_url},
    "printing": {
        "queue": _text(127), "receipt_queue": _text(127), "cups_server": _text(255),
        "price_per_page": _number(0, 100), "free_pages_per_visit": _number(0, 10_000, integer=True),
        "max_pages_per_visit": _number(0, 100_000, integer=True),
        "max_pages_per_day": _number(0, 1_000_000, integer=True), "notice": _text(100),
        "receipt_format": _choice("a4", "80mm"), "give_up_seconds": _number(10, 3600),
    },
}
"""Every key the file may hold, by section, with its validator (which returns the clean value)."""


def _bad(key: str, zh: str, en: str, path: Path) -> ConfigError:
    return ConfigError(f"配置文件 {path} 中的 {key} 有误：{zh}",
                       f"configuration file {path}: {key}: {en}", key=key)


def parse(text: str, path: Path) -> Config:
    """Validate the TOML text of a configuration file; `ConfigError` names the first bad key."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"配置文件 {path} 不是有效的 TOML：{exc}",
                          f"configuration file {path} is not valid TOML: {exc}") from exc
    clean: dict[str, dict[str, Any]] = {}
    for section, values in raw.items():
        if section not in KEYS:
            raise _bad(section, "没有这个配置节（可用：" + "、".join(KEYS) + "）",
                       "unknown section (known: " + ", ".join(KEYS) + ")", path)
        if not isinstance(values, dict):
            raise _bad(section, "应为一个配置节 [" + section + "]",
                       "must be a table [" + section + "]", path)
        for key, value in values.items():
            name = f"{section}.{key}"
            check = KEYS[section].get(key)
            if check is None:
                raise _bad(name, "没有这个配置项（可用：" + "、".join(KEYS[section]) + "）",
                           "unknown key (known: " + ", ".join(KEYS[section]) + ")", path)
            try:
                clean.setdefault(section, {})[key] = check(value)
            except ValueError as exc:
                zh, _, en = str(exc).partition(" / ")
                raise _bad(name, zh, en or zh, path) from exc
    central = clean.get("central", {})
    given = [k for k in ("url", "token", "kiosk_id") if k in central]
    if given and len(given) < 3:
        missing = next(k for k in ("url", "token", "kiosk_id") if k not in central)
        raise _bad(f"central.{missing}", "连接中心系统需要同时设置 url、token 和 kiosk_id",
                   "connecting to the central system needs url, token and kiosk_id together",
                   path)
    return Config(
        path=path,
        data_dir=clean.get("kiosk", {}).get("data_dir"),
        idle_seconds=clean.get("kiosk", {}).get("idle_seconds", Config.idle_seconds),
        central=CentralConfig(**central),
        venue_name=clean.get("venue", {}).get("name", Config.venue_name),
        bundle_public_key=clean.get("bundles", {}).get("public_key"),
        outbox_key_file=clean.get("applications", {}).get("key_file"),
        holiday_dir=clean.get("applications", {}).get("holiday_dir"),
        status_url=clean.get("applications", {}).get("status_url"),
        printing=PrintingConfig(**clean.get("printing", {})),
    )


def default_path() -> Path | None:
    """The file to read when `--config` is not given, or None for built-in defaults."""
    if env := os.environ.get("KIOSK_CONFIG"):
        return Path(env)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    for candidate in (Path(base) / "disclosure-kiosk" / "kiosk.toml", SYSTEM_PATH):
        if candidate.is_file():
            return candidate
    return None


def load(option: str | None = None) -> Config:
    """The configuration named by `--config` (or found by `default_path`), validated."""
    path = Path(option) if option else default_path()
    if path is None:
        return Config()
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(f"找不到配置文件：{path}", f"no such configuration file: {path}") from exc
    except OSError as exc:
        raise ConfigError(f"无法读取配置文件 {path}：{exc.strerror}",
                          f"cannot read configuration file {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"配置文件 {path} 不是 UTF-8 编码", f"configuration file {path} is not "
                          "UTF-8 text") from exc
    return parse(text, path)
