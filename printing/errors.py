"""The one error family `printing` raises for callers to handle, in Chinese and English."""

from __future__ import annotations


class PrintError(Exception):
    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh = zh
        self.en = en
