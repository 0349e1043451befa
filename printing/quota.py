"""What a print will cost and whether the venue's caps allow it.

Copying in a reading room is a venue matter (domain.md): many print free, some charge cost price
per page, most cap the pages per visit. So the policy is four venue settings — price per page,
free pages per visit, a cap per visit and a cap per day for the whole kiosk — and the quote is
a pure function of the policy and what has already been printed, which the print log knows.
Money is kept in fen (integers), never in floating-point yuan.

A sheet counts once per copy: 3 pages × 2 copies = 6 pages against the caps and the price.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PrintPolicy:
    price_fen: int = 0  # per printed page; 0 = free
    free_per_visit: int = 0  # pages free of charge in each visit
    max_per_visit: int = 60  # 0 = no cap
    max_per_day: int = 600  # for the whole kiosk; 0 = no cap


@dataclass(frozen=True)
class Quote:
    pages: int  # pages of the document that will print
    copies: int
    billable: int  # pages charged after the visit's free pages
    cost_fen: int
    visit_left: int | None  # pages the visit may still print before this job (None: no cap)
    day_left: int | None
    refusal_zh: str | None = None
    refusal_en: str | None = None

    @property
    def total(self) -> int:
        return self.pages * self.copies

    @property
    def allowed(self) -> bool:
        return self.refusal_zh is None

    @property
    def cost_text(self) -> str:
        return yuan(self.cost_fen)


def yuan(fen: int) -> str:
    """"免费" for nothing, otherwise "¥1.50": how the screens, receipts and reports show money."""
    return "免费" if fen == 0 else f"¥{fen // 100}.{fen % 100:02d}"


def quote(policy: PrintPolicy, pages: int, copies: int, *, visit_used: int, day_used: int) -> Quote:
    """The cost of printing `pages` × `copies` now, and a refusal if a cap would be passed."""
    total = pages * copies
    free_left = max(0, policy.free_per_visit - visit_used)
    billable = max(0, total - free_left)
    visit_left = max(0, policy.max_per_visit - visit_used) if policy.max_per_visit else None
    day_left = max(0, policy.max_per_day - day_used) if policy.max_per_day else None
    zh = en = None
    if copies < 1:
        zh, en = "份数至少为 1。", "print at least one copy."
    elif visit_left is not None and total > visit_left:
        zh = (f"每次最多打印 {policy.max_per_visit} 页，您还可打印 {visit_left} 页，"
              f"本次需要 {total} 页。请选择页码范围或减少份数。")
        en = (f"each visit may print up to {policy.max_per_visit} pages; you have {visit_left} "
              f"left and this needs {total}. Choose a page range or fewer copies.")
    elif day_left is not None and total > day_left:
        zh = (f"本机今日还可打印 {day_left} 页（每日上限 {policy.max_per_day} 页），本次需要 {total} 页。"
              "请减少页数或份数，或联系工作人员。")
        en = (f"this kiosk may print {day_left} more pages today (the limit is "
              f"{policy.max_per_day} a day) and this needs {total}; print fewer pages or copies, "
              "or ask staff.")
    return Quote(pages, copies, billable, billable * policy.price_fen, visit_left, day_left, zh, en)
