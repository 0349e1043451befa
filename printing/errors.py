"""The one error family `printing` raises for callers to handle, in Chinese and English."""

from __future__ import annotations


class PrintError(Exception):
    """What went wrong, for the citizen (`zh`, `en`), and a `kind` callers can branch on.

    Kinds: "print" (generic), "font", "pages" (bad page range), "document" (a file that cannot be
    printed), "quota" (over a cap), "unreachable" (no cupsd), "no-queue", "no-job", "not-accepting".
    """

    def __init__(self, zh: str, en: str, kind: str = "print") -> None:
        super().__init__(f"{zh} / {en}")
        self.zh = zh
        self.en = en
        self.kind = kind
