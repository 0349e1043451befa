"""`kiosk`: the touch application's entry point.

Opens the catalogue first (rebuilding or catching up its index if needed, before any window
appears), finds the CJK font, then hands over to `kiosk.ui`, the only package that imports Kivy.
Until the touch-UI issue lands, the window is a home screen with the catalogue's sections. When
the central system is configured, the app keeps the catalogue fresh in the background
(`kiosk.background_sync`).
"""

from __future__ import annotations

import argparse
import os
import sys

from index import Catalogue, CatalogueError
from printing import PrintError, find_cjk_font

from . import config as kiosk_config
from . import paths
from .errors import KioskError


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kiosk", description="政府信息查阅终端 / disclosure reading-room kiosk")
    p.add_argument("--data-dir", metavar="DIR", help="数据目录 data directory (see kiosk-admin --help)")
    p.add_argument("--config", metavar="FILE",
                   help="配置文件 configuration file (see docs/configuration.md)")
    p.add_argument("--windowed", action="store_true",
                   help="以窗口运行而非全屏（调试用）/ run in a window instead of full screen")
    p.add_argument("--tour", metavar="OUT",
                   help="在数据目录的副本上用触摸走遍所有界面，截图保存到 OUT / drive a copy of the "
                        "kiosk through every screen by touch and save a screenshot of each into OUT")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        config = kiosk_config.load(args.config)
        data_dir = paths.resolve_data_dir(args.data_dir, config.data_dir)
        catalogue = Catalogue(data_dir)
        font = find_cjk_font()
    except (CatalogueError, PrintError, KioskError) as exc:
        print(f"错误：{exc.zh}  Error: {exc.en}", file=sys.stderr)
        return 1
    if args.tour:
        catalogue.close()  # the tour runs its own kiosk on a copy of the data directory
        return _tour(data_dir, config, args.tour)
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KCFG_KIVY_LOG_LEVEL", "warning")  # operators need problems, not chatter
    os.environ.setdefault("KIVY_HOME", str(data_dir / "kivy"))
    from .ui.app import run  # imports Kivy: only now, after the checks above

    try:
        return run(catalogue, font, config, windowed=args.windowed)
    finally:
        catalogue.close()


def _tour(data_dir, config, out: str) -> int:
    from pathlib import Path

    from .tour import run_tour

    try:
        tour = run_tour(data_dir, config, Path(out))
    except KioskError as exc:
        print(f"错误：{exc.zh}\nError: {exc.en}", file=sys.stderr)
        return 1
    n = len(tour.shots)
    print(f"{n} 张截图已保存到 {out} / {n} screenshots saved in {out}")
    for problem in tour.problems:
        print(f"尺寸问题 / size problem: {problem}", file=sys.stderr)
    return 0 if not tour.problems else 3


if __name__ == "__main__":
    sys.exit(main())
