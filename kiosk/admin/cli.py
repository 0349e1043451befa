"""`kiosk-admin`: what venue staff and deployment scripts run.

Every command takes `--data-dir` (see `kiosk.paths`) and `--config` (see `kiosk.config`). Output
is for people by default and JSON with `--json`. Errors print one line in Chinese and English and
exit non-zero, never a traceback (set KIOSK_DEBUG=1 to see one). Exit codes: 0 done; 1 failed
(nothing, or nothing more, changed); 2 wrong usage; 3 import or sync done but some items (or
attachments) rejected; 4 verify found a mismatch.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from index import Catalogue, CatalogueError, RetryPolicy, signing
from printing import PrintError

from .. import central, paths
from ..config import Config
from ..config import load as load_config
from ..errors import KioskError
from ..staff_pin import STAFF_PIN_FILE, StaffPin
from . import applications, prints, render, report
from .progress import terminal_progress

EXIT_FAILED, EXIT_USAGE, EXIT_REJECTIONS, EXIT_MISMATCH = 1, 2, 3, 4


def _print_json(obj: object) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=2))


def _config(args: argparse.Namespace) -> Config:
    if getattr(args, "config_loaded", None) is None:
        args.config_loaded = load_config(args.config)
    return args.config_loaded


def _open(args: argparse.Namespace, *, prepare: bool = True) -> Catalogue:
    """The catalogue of the chosen data directory; repairing its index draws a progress bar."""
    data_dir = paths.resolve_data_dir(args.data_dir, _config(args).data_dir)
    with terminal_progress() as progress:
        return Catalogue(data_dir, prepare=prepare, progress=progress)


def cmd_import(args: argparse.Namespace) -> int:
    with _open(args) as cat, terminal_progress() as progress:
        report = cat.import_path(args.path, progress, public_key=_config(args).bundle_public_key)
    if args.json:
        _print_json(report.to_dict())
    else:
        print(render.import_report(report))
    return EXIT_REJECTIONS if report.rejected_total else 0


def cmd_search(args: argparse.Namespace) -> int:
    with _open(args) as cat:
        results = cat.search(args.query, agency=args.agency, category=args.category,
                             year=args.year, page=args.page, page_size=args.limit)
    if args.json:
        _print_json(render.search_json(results))
    else:
        print(render.search_results(results))
    return 0


def cmd_suggest(args: argparse.Namespace) -> int:
    with _open(args) as cat:
        found = cat.suggest(args.prefix, args.limit)
    if args.json:
        _print_json([{"text": s.text, "count": s.count} for s in found])
    else:
        for s in found:
            print(f"{render.safe(s.text)}\t{s.count}")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    with _open(args) as cat:
        item = cat.get(args.id)
        if item is None:
            raise CatalogueError(f"没有编号为 {args.id} 的信息", f"no item with id {args.id}")
        if args.json:
            _print_json(item.to_dict())
            return 0
        print(render.safe(item.title))
        for label, value in (("索引号 index no.", item.id), ("发布机构 agency", item.agency),
                             ("文号 doc no.", item.doc_number),
                             ("成文日期 written", item.written_date),
                             ("发布日期 published", item.published_date)):
            if value:
                print(f"  {label}: {render.safe(value)}")
        for a in item.attachments:
            held = "✓" if cat.attachment_path(a.sha256) else "尚未取得 not fetched"
            print(f"  附件 attachment: {render.safe(a.name)} ({render.human_size(a.size)}) {held}")
        print()
        print(render.safe(item.body))
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    with _open(args) as cat:
        s = cat.stats()
    if args.json:
        _print_json(s)
    else:
        print(render.stats(s))
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    config = _config(args)
    session = central.session_for(config.central, config.path)
    policy = RetryPolicy(timeout=config.central.timeout)
    with _open(args) as cat, session, terminal_progress() as progress:
        report = cat.sync(session, config.central.url or "", page_size=config.central.page_size,
                          policy=policy, progress=progress, full=args.full)
    if args.json:
        _print_json(report.to_dict())
    else:
        print(render.sync_report(report))
    return EXIT_REJECTIONS if report.rejected_total or report.attachments_refused else 0


def cmd_export(args: argparse.Namespace) -> int:
    key = Path(args.sign_key).read_bytes() if args.sign_key else None
    with _open(args) as cat, terminal_progress() as progress:
        report = cat.export_bundle(args.out, sign_key=key, progress=progress)
    if args.json:
        _print_json(report.to_dict())
    else:
        print(render.export_report(report))
    return 0


def cmd_staff_pin(args: argparse.Namespace) -> int:
    """Set the staff screen's PIN: typed twice on a terminal, or one line on standard input."""
    if sys.stdin.isatty():
        import getpass

        pin = getpass.getpass("新的工作人员密码 New staff PIN: ")
        if getpass.getpass("再输入一次 Again: ") != pin:
            raise KioskError("两次输入的密码不一致，未更改。", "the two PINs differ; nothing changed.")
    else:
        pin = sys.stdin.readline().strip()
    data_dir = paths.resolve_data_dir(args.data_dir, _config(args).data_dir)
    StaffPin(data_dir / STAFF_PIN_FILE).set(pin)
    print("工作人员密码已设置 / Staff PIN set")
    return 0


def cmd_keygen(args: argparse.Namespace) -> int:
    private_pem, public_text = signing.generate_keypair()
    path = Path(args.private_key)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exc:
        raise KioskError(f"{path} 已存在，为免覆盖现有私钥，未做任何更改",
                         f"{path} already exists; it was left alone so that no key is "
                         "overwritten") from exc
    with os.fdopen(fd, "wb") as f:
        f.write(private_pem)
    print(f"私钥已写入 private key written to {path}（只有签发导入包的人可以持有 keep it with "
          "whoever publishes bundles; never copy it to a kiosk）")
    print("在每台终端的配置文件中加入 / add to every kiosk's configuration file:")
    print()
    print("[bundles]")
    print(f'public_key = "{public_text}"')
    return 0


def cmd_sign(args: argparse.Namespace) -> int:
    signing.sign_bundle(Path(args.bundle), Path(args.key).read_bytes())
    print(f"已签名 Signed: {args.bundle}")
    return 0


def cmd_rebuild(args: argparse.Namespace) -> int:
    started = time.monotonic()
    with _open(args, prepare=False) as cat:
        with terminal_progress() as progress:
            name = cat.rebuild_index(progress)
        docs = cat.stats()["index"]["documents"]
    print(f"已重建索引 Index rebuilt: {name}，{docs} 篇 documents，"
          f"{time.monotonic() - started:.1f} s")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    with _open(args, prepare=False) as cat, terminal_progress() as progress:
        report = cat.verify(progress)
    if args.json:
        _print_json(report.to_dict())
    else:
        print(render.verify_report(report))
    return 0 if report.ok else EXIT_MISMATCH


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="kiosk-admin",
        description="政府信息查阅终端管理工具 / Staff tool of the disclosure reading-room kiosk")
    p.add_argument("--data-dir", metavar="DIR",
                   help="数据目录 data directory (default: $KIOSK_DATA_DIR or "
                        "[kiosk] data_dir in the configuration, or ~/.local/share/disclosure-kiosk)")
    p.add_argument("--config", metavar="FILE",
                   help="配置文件 configuration file (TOML; default: $KIOSK_CONFIG, "
                        "~/.config/disclosure-kiosk/kiosk.toml or /etc/disclosure-kiosk/kiosk.toml)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, fn: Callable[[argparse.Namespace], int], text: str) -> argparse.ArgumentParser:
        sp = sub.add_parser(name, help=text, description=text)
        sp.set_defaults(fn=fn)
        return sp

    sp = add("import", cmd_import, "导入 JSONL 文件或导入包 / import a JSONL file or a bundle "
             "(directory or .zip)")
    sp.add_argument("path", help="JSONL 文件、导入包目录或 .zip / JSONL file, bundle directory or .zip")
    sp.add_argument("--json", action="store_true", help="输出 JSON / print the report as JSON")

    sp = add("search", cmd_search, "检索目录 / search the catalogue")
    sp.add_argument("query", help="检索词，任意文本 / what to look for, any text")
    sp.add_argument("--agency", help="只看此发布机构 / only this publishing agency")
    sp.add_argument("--category", help="只看此分类（目录一级栏目）/ only this top-level category")
    sp.add_argument("--year", help="只看此发布年份 / only this publication year")
    sp.add_argument("--limit", type=int, default=10, help="每页条数 / hits per page (default 10)")
    sp.add_argument("--page", type=int, default=1, help="页码 / page number (default 1)")
    sp.add_argument("--json", action="store_true", help="输出 JSON / print JSON")

    sp = add("suggest", cmd_suggest, "输入提示 / completions for a typed prefix")
    sp.add_argument("prefix", help="已输入的文字、拼音或首字母 / typed characters, pinyin or initials")
    sp.add_argument("--limit", type=int, default=8, help="最多几条 / at most this many (default 8)")
    sp.add_argument("--json", action="store_true", help="输出 JSON / print JSON")

    sp = add("show", cmd_show, "显示一条信息 / print one item")
    sp.add_argument("id", help="索引号 / the item's index number")
    sp.add_argument("--json", action="store_true", help="输出 JSON / print JSON")

    sp = add("stats", cmd_stats, "目录与索引状况 / items, attachments, index, last import")
    sp.add_argument("--json", action="store_true", help="输出 JSON / print JSON")

    sp = add("sync", cmd_sync, "从中心系统同步目录与附件 / update the catalogue and attachments "
             "from the central system")
    sp.add_argument("--full", action="store_true",
                    help="重新读取完整目录，删除中心已无的条目 / read the whole catalogue again and "
                         "drop items the central system no longer has")
    sp.add_argument("--json", action="store_true", help="输出 JSON / print the report as JSON")

    sp = add("export-bundle", cmd_export, "把本机目录导出为导入包，供离线终端导入 / write this "
             "kiosk's catalogue as a bundle for an offline kiosk")
    sp.add_argument("out", help="要写入的 .zip 文件 / the .zip file to write")
    sp.add_argument("--sign-key", metavar="FILE",
                    help="用此私钥签名 / sign with this private key (from keygen)")
    sp.add_argument("--json", action="store_true", help="输出 JSON / print the report as JSON")

    add("staff-pin", cmd_staff_pin, "设置触摸屏工作人员界面的密码（4–12 位数字）/ set the PIN of "
        "the touch screen's staff page (4-12 digits; from standard input when not a terminal)")

    sp = add("keygen", cmd_keygen, "生成导入包签名密钥对 / make a key pair for signing bundles")
    sp.add_argument("private_key", metavar="PRIVATE_KEY_FILE",
                    help="私钥文件（不可已存在）/ where to write the private key (must not exist)")

    sp = add("sign-bundle", cmd_sign, "为导入包签名 / sign a bundle (directory or .zip)")
    sp.add_argument("bundle", help="导入包目录或 .zip / bundle directory or .zip")
    sp.add_argument("--key", required=True, metavar="FILE", help="私钥文件 / the private key file")

    add("rebuild-index", cmd_rebuild, "从目录重建检索索引 / rebuild the search index from the mirror")

    sp = add("verify", cmd_verify, "检查索引与目录是否一致、附件是否完好 / check that index and "
             "mirror agree and attachments are intact")
    sp.add_argument("--json", action="store_true", help="输出 JSON / print JSON")
    applications.register(add, _config, _open)
    prints.register(add, _config, _open)
    report.register(add, _config, _open)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.fn(args)
    except (CatalogueError, KioskError, PrintError) as exc:
        print(f"错误：{exc.zh}  Error: {exc.en}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("已中断，未完成的批次不会生效 / Interrupted; unfinished batches were not applied",
              file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (`kiosk-admin search … | head`): not a failure of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:
        if os.environ.get("KIOSK_DEBUG"):
            raise
        zh_where = f"：{exc.filename}" if exc.filename else ""
        en_where = f": {exc.filename}" if exc.filename else ""
        print(f"错误：文件操作失败{zh_where}（{exc.strerror}）  Error: file operation failed"
              f"{en_where} ({exc.strerror})", file=sys.stderr)
        return EXIT_FAILED
    except Exception as exc:
        if os.environ.get("KIOSK_DEBUG"):
            raise
        print(f"内部错误，请联系技术支持（设置 KIOSK_DEBUG=1 查看详情）  Internal error: "
              f"{type(exc).__name__}: {exc} (set KIOSK_DEBUG=1 for details)", file=sys.stderr)
        return 70


if __name__ == "__main__":
    sys.exit(main())
