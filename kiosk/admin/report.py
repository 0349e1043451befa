"""`kiosk-admin report --month YYYY-MM`: the month's figures for the venue's annual report.

It joins what three places know, none of them anything personal: the touch screen's usage events
(visits, searches, items read), the print log (pages, receipts, money) and the outbox
(applications, by who entered them). `--csv FILE` writes one `figure,value` row per figure for a
spreadsheet; `--json` prints everything, including the lists.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
from collections.abc import Callable
from pathlib import Path

from printing.printlog import PrintLog
from printing.quota import yuan

from .. import paths
from ..applications import Applications
from ..errors import KioskError
from ..usage import Usage
from .render import safe

LABELS = {
    "visits": "来访人次 visits",
    "searches": "检索次数 searches",
    "zero_result_searches": "无结果检索 searches with no result",
    "items_read": "查阅信息 items read",
    "applications": "依申请公开申请 applications",
    "applications_at_screen": "其中触摸屏提交 of which at the screen",
    "applications_by_staff": "其中工作人员代录 of which entered by staff",
    "pages_printed": "打印页数 pages printed",
    "print_jobs_failed": "打印失败 failed print jobs",
    "receipts_printed": "打印回执 receipts printed",
    "charged": "收费 charged",
    "days_used": "使用天数 days with use",
}


def figures(data_dir: Path, apps: Applications, month: str) -> dict:
    usage = Usage(data_dir / "usage.sqlite")
    log = PrintLog(data_dir / "prints.sqlite")
    try:
        used, printed = usage.month(month), log.month(month)
    finally:
        usage.close()
        log.close()
    filed = [e for e in apps.outbox.entries() if e.submitted_at.startswith(month)]
    return {
        "month": month,
        "visits": used["visits"], "searches": used["searches"],
        "zero_result_searches": used["zero_result_searches"], "items_read": used["items_read"],
        "applications": len(filed),
        "applications_at_screen": sum(e.entered_by != "staff" for e in filed),
        "applications_by_staff": sum(e.entered_by == "staff" for e in filed),
        "pages_printed": printed["pages_printed"], "print_jobs_failed": printed["failed_jobs"],
        "receipts_printed": printed["receipts"], "charged_fen": printed["charged_fen"],
        "days_used": used["days_used"],
        "zero_result_queries": used["zero_result_queries"], "most_read": used["most_read"],
    }


def register(add: Callable, config_of: Callable, open_catalogue: Callable) -> None:
    def cmd_report(args: argparse.Namespace) -> int:
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", args.month):
            raise KioskError(f"月份“{args.month}”无效，应为 YYYY-MM，如 2026-11。",
                             f"invalid month '{args.month}'; use YYYY-MM, e.g. 2026-11.")
        config = config_of(args)
        data_dir = paths.resolve_data_dir(args.data_dir, config.data_dir)
        with Applications(config, data_dir) as apps:
            out = figures(data_dir, apps, args.month)
        if args.csv:
            _write_csv(Path(args.csv), out)
        if args.json:
            print(json.dumps(out, ensure_ascii=False, indent=2))
            return 0
        print(f"{args.month} 使用情况 / usage")
        for key, label in LABELS.items():
            value = yuan(out["charged_fen"]) if key == "charged" else out[key]
            print(f"  {label}: {value}")
        if out["most_read"]:
            with open_catalogue(args) as cat:
                print("查阅最多 / most read:")
                for row in out["most_read"][:10]:
                    item = cat.get(row["id"])
                    title = safe(item.title) if item else "（已撤下 withdrawn）"
                    print(f"  {row['count']:>5}  {title}（{safe(row['id'])}）")
        if out["zero_result_queries"]:
            print("无结果的检索 / searches that found nothing:")
            for row in out["zero_result_queries"][:10]:
                print(f"  {row['count']:>5}  {safe(row['query'])}")
        if args.csv:
            print(f"已写入 Wrote {args.csv}")
        return 0

    sp = add("report", cmd_report, "月度使用统计（不含个人信息）/ the month's usage figures "
             "(nothing personal), for the annual report")
    sp.add_argument("--month", required=True, metavar="YYYY-MM", help="月份 / the month")
    sp.add_argument("--csv", metavar="FILE", help="另存为 CSV / also write the figures as CSV")
    sp.add_argument("--json", action="store_true", help="输出 JSON / print JSON")


def _write_csv(path: Path, out: dict) -> None:
    tmp = path.with_name(path.name + ".partial")
    with open(tmp, "w", encoding="utf-8-sig", newline="") as f:  # BOM: Excel reads it as UTF-8
        w = csv.writer(f)
        w.writerow(["figure", "value"])
        for key, label in LABELS.items():
            w.writerow([label, yuan(out["charged_fen"]) if key == "charged" else out[key]])
        for row in out["zero_result_queries"]:
            w.writerow([f"无结果检索 zero-result: {row['query']}", row["count"]])
        for row in out["most_read"]:
            w.writerow([f"查阅 read: {row['id']}", row["count"]])
    tmp.replace(path)
