"""The error family of the `kiosk` package: what its callers (the CLI, the screens) must handle.

Like `index.CatalogueError` and `printing.PrintError`, every message exists in Chinese (for the
clerk at the venue) and English (for the engineer who deployed the kiosk).
"""

from __future__ import annotations


class KioskError(Exception):
    """A problem of the kiosk application a caller must handle; carries zh and en texts."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh = zh
        self.en = en


class ConfigError(KioskError):
    """The configuration file is missing, unreadable or has a bad key; `key` names it if known."""

    def __init__(self, zh: str, en: str, key: str | None = None) -> None:
        super().__init__(zh, en)
        self.key = key
