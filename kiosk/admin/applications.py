"""`kiosk-admin apply`, `outbox` and `status`: staff's side of on-application requests.

Staff enter paper or oral applications (`apply --from-json`), see what waits in the outbox and
why (never personal data: names and numbers stay sealed), send it now, retry a parked one,
correct one the central system refused as invalid, and check an application's status for a
citizen at the counter.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from printing import PrintError

from .. import paths
from ..applications import Applications, Entry, InvalidApplication, Receipt, StatusAnswer, UploadReport
from ..applications.uploader import STATUS_LABELS
from ..applications.validation import validate
from ..errors import KioskError
from ..printdesk import print_slip
from .progress import terminal_progress
from .render import safe

EXIT_INVALID = 3


def _applications(args: argparse.Namespace, config_of: Callable) -> Applications:
    config = config_of(args)
    return Applications(config, paths.resolve_data_dir(args.data_dir, config.data_dir))


def _read_form(path: str) -> tuple[dict, dict]:
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise KioskError(f"找不到文件：{path}", f"no such file: {path}") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise KioskError(f"{path} 不是有效的 UTF-8 JSON 文件", f"{path} is not valid UTF-8 JSON"
                         ) from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("applicant"), dict) \
            or not isinstance(raw.get("request"), dict):
        raise KioskError(f"{path} 应包含 applicant 与 request 两个对象（格式同中心系统接口）",
                         f"{path} must hold an applicant object and a request object, as in the "
                         "central API")
    return raw["applicant"], raw["request"]


def _invalid(exc: InvalidApplication, as_json: bool) -> int:
    if as_json:
        print(json.dumps({"invalid": [e.__dict__ for e in exc.errors]}, ensure_ascii=False,
                         indent=2))
    else:
        print("申请内容有误，未保存 / The application has errors and was not saved:")
        for e in exc.errors:
            print(f"  {e.field}: {e.zh} / {e.en}")
    return EXIT_INVALID


def _print_receipt(args: argparse.Namespace, config_of: Callable, receipt: Receipt, entry: Entry
                   ) -> bool | None:
    """Print the receipt when a printer is configured; None when none is. A printing failure
    does not undo the application (it is filed): staff are told to copy the numbers by hand."""
    config = config_of(args)
    if not (config.printing.queue or config.printing.receipt_queue) or receipt.slip is None:
        return None
    slip = replace(receipt.slip, sent=entry.state == "sent")
    try:
        outcome = print_slip(config, paths.resolve_data_dir(args.data_dir, config.data_dir), slip)
    except PrintError as exc:
        reason_zh, reason_en = exc.zh, exc.en
    else:
        if outcome.ok:
            return True
        reason_zh = reason_en = outcome.record.reason or outcome.record.state
    print(f"回执未能打印（{reason_zh}），申请已保存；请为申请人抄写回执编号和查询码。  Receipt not "
          f"printed ({reason_en}); the application is filed — write the receipt number and query "
          "code down for the applicant.", file=sys.stderr)
    return False


def _check(args: argparse.Namespace, config_of: Callable, open_catalogue: Callable,
           applicant: dict, request: dict) -> int:
    """`apply --check`: what the touch screen does before "submit" — validate, and offer what is
    already published — so staff can tell the applicant before filing anything."""
    try:
        validate(applicant, request)
    except InvalidApplication as exc:
        return _invalid(exc, args.json)
    with _applications(args, config_of) as apps, open_catalogue(args) as cat:
        published = apps.already_published(cat, request.get("description") or "", 5)
    if args.json:
        print(json.dumps({"valid": True, "already_published": [
            {"id": h.id, "title": h.item.title} for h in published]}, ensure_ascii=False, indent=2))
        return 0
    print("表单无误，尚未提交 / The form is valid; nothing was filed.")
    if published:
        print("可能已主动公开，可先告知申请人 / possibly already published; tell the applicant first:")
        for h in published:
            print(f"  {safe(h.item.title)}（{safe(h.id)}）")
    else:
        print("目录中未找到相符的已公开信息 / nothing matching is published in the catalogue")
    return 0


def register(add: Callable, config_of: Callable, open_catalogue: Callable) -> None:
    """Add the commands to `kiosk-admin`'s parser; `config_of(args)` loads the configuration,
    `open_catalogue(args)` opens the catalogue (to look for already published information)."""

    def cmd_apply(args: argparse.Namespace) -> int:
        applicant, request = _read_form(args.from_json)
        if args.check:
            return _check(args, config_of, open_catalogue, applicant, request)
        with _applications(args, config_of) as apps:
            try:
                receipt = apps.submit(applicant, request, entered_by="staff")
            except InvalidApplication as exc:
                return _invalid(exc, args.json)
            if apps.config.central.configured:  # try at once; the outbox keeps it if this fails
                apps.send(only=receipt.receipt_no)
            entry = apps.outbox.get(receipt.receipt_no)
            with open_catalogue(args) as cat:
                published = apps.already_published(cat, request.get("description") or "", 3)
        printed = _print_receipt(args, config_of, receipt, entry)
        if args.json:
            out = {**receipt.to_dict(), "state": entry.state, "tracking_no": entry.tracking_no,
                   "receipt_printed": printed,
                   "already_published": [{"id": h.id, "title": h.item.title} for h in published]}
            print(json.dumps(out, ensure_ascii=False, indent=2))
        else:
            print(_receipt_text(receipt, entry))
            if published:
                print("可能已主动公开，可告知申请人 / possibly already published; tell the applicant:")
                for h in published:
                    print(f"  {safe(h.item.title)}（{safe(h.id)}）")
        return 0

    def cmd_outbox(args: argparse.Namespace) -> int:
        with _applications(args, config_of) as apps:
            action = args.action or "list"
            if action == "send":
                with terminal_progress() as progress:
                    report = apps.send(progress=progress)
                if args.json:
                    print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
                else:
                    print(_upload_text(report))
                return 1 if report.stopped else 0
            if action == "retry":
                apps.outbox.retry(args.receipt)
                print(f"已安排重发 Will be sent again: {args.receipt}")
                return 0
            if action == "correct":
                applicant, request = _read_form(args.from_json)
                try:
                    apps.correct(args.receipt, applicant, request)
                except InvalidApplication as exc:
                    return _invalid(exc, args.json)
                print(f"已更正，将重新提交 Corrected; it will be sent again: {args.receipt}")
                return 0
            entries = apps.outbox.entries()
            if args.json:
                print(json.dumps([e.to_dict() for e in entries], ensure_ascii=False, indent=2))
            else:
                print(_outbox_text(entries, apps.outbox.counts(), apps.outbox.field_errors))
        return 0

    def cmd_status(args: argparse.Namespace) -> int:
        with _applications(args, config_of) as apps:
            answer = apps.status(args.receipt, args.code)
        if args.json:
            print(json.dumps(answer.__dict__, ensure_ascii=False, indent=2))
        else:
            print(_status_text(answer))
        return 0 if answer.found else 1

    sp = add("apply", cmd_apply, "代为录入依申请公开的申请（纸质或口头）/ enter a paper or oral "
             "application for information")
    sp.add_argument("--from-json", required=True, metavar="FILE",
                    help="含 applicant 与 request 对象的 JSON 文件 / JSON file with applicant and "
                         "request objects as in the central API")
    sp.add_argument("--check", action="store_true",
                    help="只检查表单并查找可能已主动公开的信息，不提交 / only check the form and look "
                         "for already published information; file nothing")
    sp.add_argument("--json", action="store_true", help="输出 JSON / print JSON")

    sp = add("outbox", cmd_outbox, "待上传的申请 / applications waiting for the central system")
    sp.set_defaults(action=None)
    actions = sp.add_subparsers(dest="action", metavar="ACTION")
    listing = actions.add_parser("list", help="列出（默认）/ list them (the default)")
    send = actions.add_parser("send", help="立即上传 / upload now")
    retry = actions.add_parser("retry", help="重新发送一件 / send one again")
    retry.add_argument("receipt", help="回执号 / receipt number")
    correct = actions.add_parser("correct", help="更正被退回的申请 / correct a refused application")
    correct.add_argument("receipt", help="回执号 / receipt number")
    correct.add_argument("--from-json", required=True, metavar="FILE",
                         help="更正后的申请 / the corrected application")
    sp.add_argument("--json", action="store_true", help="输出 JSON / print JSON")
    for action in (listing, send, correct):  # SUPPRESS: do not undo `outbox --json send`
        action.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                            help="输出 JSON / print JSON")

    sp = add("status", cmd_status, "查询申请办理情况 / look up an application's status")
    sp.add_argument("receipt", help="回执号 / receipt number")
    sp.add_argument("code", help="查询码 / query code")
    sp.add_argument("--json", action="store_true", help="输出 JSON / print JSON")


STATE_LABELS = {"pending": "待上传 waiting to upload", "sent": "已送达 delivered",
                "needs_staff": "需工作人员更正 needs staff correction",
                "parked": "被拒收，待处理 refused, parked"}


def _receipt_text(r: Receipt, entry: Entry) -> str:
    lines = [f"已收到申请 Application received: 回执号 receipt no. {r.receipt_no}",
             f"  查询码 query code: {r.query_code}（请申请人妥善保存 give it to the applicant）",
             f"  提交时间 submitted: {r.submitted_at}",
             f"  预计答复日期 expected reply by: {r.expected_due or '—'}（20 个工作日 working days）",
             f"  状态 state: {STATE_LABELS[entry.state]}"]
    if entry.tracking_no:
        lines.append(f"  中心受理号 tracking no.: {entry.tracking_no}")
    elif entry.last_error:
        lines.append(f"  {entry.last_error['zh']} / {entry.last_error['en']}")
    return "\n".join(lines)


def _upload_text(r: UploadReport) -> str:
    lines = [f"上传 Upload: 送达 delivered {len(r.sent)} · 需更正 needs staff "
             f"{len(r.needs_staff)} · 拒收 parked {len(r.parked)} · 仍待上传 still waiting {r.waiting}"]
    if r.stopped:
        lines.append(f"  已停止 stopped: {r.stopped['zh']} / {r.stopped['en']}")
    return "\n".join(lines)


def _outbox_text(entries: list[Entry], counts: dict[str, int], field_errors: Callable) -> str:
    lines = ["暂存区 Outbox: " + " · ".join(f"{STATE_LABELS[k]} {v}" for k, v in counts.items())]
    for e in entries:
        extra = f" {e.tracking_no}" if e.tracking_no else ""
        lines.append(f"  {e.receipt_no}  {e.submitted_at}  {STATE_LABELS[e.state]}{extra}"
                     f"  尝试 tries {e.attempts}")
        if e.state != "sent" and e.last_error:
            lines.append(f"      {e.last_error['zh']} / {e.last_error['en']}")
        if e.state == "needs_staff":
            for name, why in field_errors(e.receipt_no).items():
                lines.append(f"      {safe(name)}: {safe(why)}")
    return "\n".join(lines)


def _status_text(a: StatusAnswer) -> str:
    if not a.found:
        return ("回执号或查询码不对，或中心系统暂时无法查询 / the receipt number or query code "
                "does not match, or the central system cannot be asked right now")
    if a.waiting_upload:
        return (f"{a.receipt_no}: 申请已保存在本终端，等待网络恢复后提交 / saved on this kiosk, "
                f"to be sent when the network is back（预计答复 expected by {a.due_date or '—'}）")
    zh, en = STATUS_LABELS.get(a.status or "", (a.status or "—", a.status or "—"))
    lines = [f"{a.receipt_no}（{a.tracking_no or '—'}）: {zh} / {en}",
             f"  答复期限 reply due: {a.due_date or '—'} · 更新 updated: {a.updated_at or '—'}"]
    if not a.online:
        lines.append(f"  暂时无法连接中心系统，以上为 {a.checked_at or '—'} 的情况 / the central system "
                     f"cannot be reached; this is the status as of {a.checked_at or '—'}")
    if a.reply:
        lines.append(f"  答复 reply: {safe(a.reply)}")
    return "\n".join(lines)
