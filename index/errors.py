"""The one error family `index` raises for callers to handle.

Every message exists in Chinese (for the citizen and the clerk) and English (for the engineer), so
that the CLI and the touch screen can say what happened and what to do without translating errors
from sqlite3, Whoosh or the file system themselves.
"""

from __future__ import annotations


class CatalogueError(Exception):
    """Something about the catalogue a caller must handle; carries a Chinese and an English text."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh = zh
        self.en = en


class InvalidItem(CatalogueError):
    """A catalogue item or change failed validation; `field` names the offending field."""

    def __init__(self, field: str, zh: str, en: str) -> None:
        super().__init__(f"字段 {field}：{zh}", f"field {field}: {en}")
        self.field = field
        self.reason_zh = zh
        self.reason_en = en


class BundleError(CatalogueError):
    """A bundle or import file cannot be used as a whole; nothing was changed."""


class StoreBusy(CatalogueError):
    """Another process is already changing this catalogue (an import, sync or rebuild)."""


class AttachmentRejected(CatalogueError):
    """An attachment's bytes do not match its SHA-256 or declared size; nothing was kept."""
