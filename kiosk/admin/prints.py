"""`kiosk-admin print`, `printers` and `jobs`: staff's side of printing.

`print` is what the touch screen does, minus the touch: render, show pages, copies and cost,
check the caps, send to CUPS and follow the job, saying in plain words what the printer is
doing. `--pdf` stops after rendering and writes the file instead (to check a layout, or to hand
over a copy on a USB stick). `printers` shows each CUPS queue and any problem with what to do
about it; `jobs` shows the print log, and reprints or cancels a job from it.
"""

from __future__ import annotations

import argparse
import json
import shutil
from collections.abc import Callable

from printing import PrintError
from printing.desk import Outcome, PrintDesk, new_visit
from printing.printlog import PrintRecord
from printing.quota import yuan
from printing.spool import JobState, QueueState

from .. import paths
from ..printdesk import open_desk, prepare, reprint
from .render import safe

STATE_WORDS = {
    "queued": "已发送", "printing": "打印中", "completed": "已完成", "failed": "失败",
    "cancelled": "已取消",
}
JOB_WORDS = {
    "pending": "排队中 pending", "held": "已暂停 held", "processing": "打印中 printing",
    "stopped": "已停止 stopped", "cancelled": "已取消 cancelled", "aborted": "已中止 aborted",
    "completed": "已完成 completed",
}


def register(add: Callable, config_of: Callable, open_catalogue: Callable) -> None:
    def desk_of(args: argparse.Namespace) -> PrintDesk:
        config = config_of(args)
        return open_desk(config, paths.resolve_data_dir(args.data_dir, config.data_dir))

    def cmd_print(args: argparse.Namespace) -> int:
        desk = desk_of(args)
        try:
            with open_catalogue(args) as cat:
                prepared = prepare(desk, cat, args.id, attachment=args.attachment, pages=args.pages,
                                   copies=args.copies)
            if args.pdf:
                shutil.move(prepared.path, args.pdf)
                print(f"已写入 Wrote {args.pdf}: {prepared.pages} 页 pages "
                      f"(of {prepared.rendered.total_pages})")
                return 0
            visit = args.visit or new_visit()
            q = desk.quote(prepared, visit)
            if not args.json:
                print(f"将打印 {q.pages} 页 × {q.copies} 份 = {q.total} 页，费用 {q.cost_text}  "
                      f"Printing {q.pages} pages × {q.copies} = {q.total}, cost {q.cost_text}")
            if not q.allowed:
                desk.discard(prepared)
                raise PrintError(q.refusal_zh or "", q.refusal_en or "", kind="quota")
            log_id = desk.submit(prepared, visit)
            if args.no_wait:
                outcome = Outcome(desk.log.get(log_id), None)  # type: ignore[arg-type]
            else:
                outcome = desk.follow(log_id, None if args.json else _show_progress)
        finally:
            desk.close()
        if args.json:
            print(json.dumps({**outcome.record.to_dict(), "cost": yuan(outcome.record.cost_fen)},
                             ensure_ascii=False, indent=2))
        else:
            print(_outcome_text(outcome))
        return 0 if outcome.ok or (args.no_wait and outcome.record.state == "queued") else 1

    def cmd_printers(args: argparse.Namespace) -> int:
        desk = desk_of(args)
        try:
            queues = desk.spooler.queues()
            chosen = desk.queue_name or desk.spooler.default_queue()
        finally:
            desk.close()
        if args.json:
            print(json.dumps([_queue_dict(q, q.name == chosen) for q in queues], ensure_ascii=False,
                             indent=2))
            return 0
        if not queues:
            print("CUPS 中没有打印队列 / CUPS has no queues. Add one with lpadmin, then set "
                  "[printing] queue.")
            return 1
        for q in queues:
            print(_queue_text(q, q.name == chosen))
        return 0

    def cmd_jobs(args: argparse.Namespace) -> int:
        desk = desk_of(args)
        try:
            if args.action == "reprint":
                with open_catalogue(args) as cat:
                    _, log_id = reprint(desk, cat, args.log_id)
                outcome = desk.follow(log_id, _show_progress)
                print(_outcome_text(outcome))
                return 0 if outcome.ok else 1
            if args.action == "cancel":
                record = desk.cancel(args.log_id)
                print(f"已取消 Cancelled: #{record.id}")
                return 0
            records = desk.log.recent(args.limit)
        finally:
            desk.close()
        if args.json:
            print(json.dumps([r.to_dict() for r in records], ensure_ascii=False, indent=2))
        elif not records:
            print("还没有打印记录 / nothing printed yet")
        else:
            for r in records:
                print(_record_text(r))
        return 0

    sp = add("print", cmd_print, "打印一条信息或其附件 / print an item or one of its attachments")
    sp.add_argument("id", metavar="ITEM_ID", help="索引号 / the item's index number")
    sp.add_argument("--attachment", metavar="NAME", help="附件名称 / print this attachment instead")
    sp.add_argument("--pages", metavar="RANGE", help="页码范围，如 1-3 或 2,5 / page range, e.g. 1-3")
    sp.add_argument("--copies", type=int, default=1, help="份数 / copies (default 1)")
    sp.add_argument("--pdf", metavar="OUT.pdf", help="只生成 PDF 文件，不打印 / write the PDF instead "
                    "of printing")
    sp.add_argument("--visit", metavar="TOKEN", help="计入同一次来访的页数限额 / count against this "
                    "visit's cap (default: a visit of its own)")
    sp.add_argument("--no-wait", action="store_true", help="发送后不等待完成 / do not follow the job")
    sp.add_argument("--json", action="store_true", help="输出 JSON / print JSON")

    sp = add("printers", cmd_printers, "打印机与队列状态 / printer queues and their state")
    sp.add_argument("--json", action="store_true", help="输出 JSON / print JSON")

    sp = add("jobs", cmd_jobs, "打印记录；补打或取消 / the print log; reprint or cancel a job")
    sp.set_defaults(action=None)
    sp.add_argument("--limit", type=int, default=30, help="最多几条 / at most this many (default 30)")
    sp.add_argument("--json", action="store_true", help="输出 JSON / print JSON")
    actions = sp.add_subparsers(dest="action", metavar="ACTION")
    one = actions.add_parser("reprint", help="按记录补打 / print a logged job again")
    one.add_argument("log_id", type=int, metavar="ID")
    one = actions.add_parser("cancel", help="取消未完成的任务 / cancel an unfinished job")
    one.add_argument("log_id", type=int, metavar="ID")


def _show_progress(state: JobState) -> None:
    line = f"  {JOB_WORDS.get(state.state, state.state)}"
    for p in state.problems:
        line += f" — {p.zh} / {p.en}  [{p.staff_zh} / {p.staff_en}]"
    print(line, flush=True)


def _outcome_text(outcome: Outcome) -> str:
    r = outcome.record
    head = (f"#{r.id} {STATE_WORDS.get(r.state, r.state)} {r.state}: {r.pages} 页 × {r.copies} 份, "
            f"{r.queue}")
    if r.state == "completed":
        return head + f"，费用 cost {yuan(r.cost_fen)}"
    if r.state in ("failed", "cancelled"):
        why = ""
        if outcome.job is not None and outcome.job.problems:
            why = "\n  " + "\n  ".join(f"{p.zh} / {p.en}" for p in outcome.job.problems)
        return head + f"，不收费 not charged ({safe(r.reason or '')}){why}"
    return head


def _queue_dict(q: QueueState, chosen: bool) -> dict:
    return {"name": q.name, "state": q.state, "accepting": q.accepting, "ready": q.ready,
            "default": q.is_default, "used_by_kiosk": chosen, "device": q.device,
            "message": q.message, "reasons": list(q.reasons),
            "problems": [{"reason": p.reason, "severity": p.severity, "zh": p.zh, "en": p.en,
                          "staff_zh": p.staff_zh, "staff_en": p.staff_en} for p in q.problems]}


def _queue_text(q: QueueState, chosen: bool) -> str:
    mark = "*" if chosen else " "
    words = "就绪 ready" if q.ready else "有问题 needs attention"
    lines = [f"{mark} {q.name}: {q.state}, {'接收任务 accepting' if q.accepting else '拒收 rejecting'}"
             f" — {words}"]
    lines += [f"    {p.staff_zh} / {p.staff_en}" for p in q.problems]
    return "\n".join(lines)


def _record_text(r: PrintRecord) -> str:
    what = "回执 receipt" if r.kind == "receipt" else safe(r.item_id or "")
    if r.attachment:
        what += f" / {safe(r.attachment)}"
    if r.page_spec:
        what += f" p.{safe(r.page_spec)}"
    cost = yuan(r.cost_fen) if r.state == "completed" else "-"
    reason = f" ({safe(r.reason)})" if r.reason and r.state != "completed" else ""
    return (f"#{r.id:<5} {r.created_at}  {STATE_WORDS.get(r.state, r.state)} {r.state:<9} "
            f"{r.pages}×{r.copies}  {cost:>7}  {r.queue}  {what}{reason}")
