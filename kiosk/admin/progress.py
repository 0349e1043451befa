"""Progress bars on a terminal for long catalogue jobs; silence when output is not a terminal."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

from index.progress import Progress, silent

STAGES = {
    "verify": ("校验 verify", "B"),
    "attachments": ("附件 attachments", "file"),
    "import": ("导入 import", "line"),
    "index": ("索引 index", "item"),
    "rebuild": ("重建 rebuild", "item"),
    "pages": ("同步 pages", "page"),
    "changes": ("变更 changes", "change"),
    "download": ("下载附件 download", "B"),
    "export": ("导出 export", "item"),
}


class TerminalProgress:
    """A `Progress` callback drawing one tqdm bar per stage on stderr."""

    def __init__(self) -> None:
        self._bars: dict[str, object] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        from tqdm import tqdm

        bar = self._bars.get(stage)
        if bar is None:
            label, unit = STAGES.get(stage, (stage, "it"))
            bar = tqdm(total=total or None, desc=label, unit=unit, unit_scale=unit == "B",
                       file=sys.stderr, leave=True, dynamic_ncols=True)
            self._bars[stage] = bar
        if total and bar.total != total:
            bar.total = total
        bar.n = done
        bar.refresh()

    def close(self) -> None:
        for bar in self._bars.values():
            bar.close()
        self._bars.clear()


@contextlib.contextmanager
def terminal_progress() -> Iterator[Progress]:
    """A bar-drawing callback while stderr is a terminal (bars closed at the end), else silence."""
    if not sys.stderr.isatty():
        yield silent
        return
    bars = TerminalProgress()
    try:
        yield bars
    finally:
        bars.close()
