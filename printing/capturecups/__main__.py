"""`python -m printing.capturecups --dir DIR [--queue NAME ...] [--port 0]`: a private capturing
cupsd in the foreground, for `make demo` and for trying the kiosk without a printer.

Prints one line, `CUPS_SERVER=127.0.0.1:PORT`, once cupsd answers (so a script can `eval` it or
read it from a pipe), then runs until SIGTERM or SIGINT and stops cupsd on the way out. Jobs land
in DIR/captures/QUEUE/. The first queue is the server's default.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from ..errors import PrintError
from . import CaptureCups


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m printing.capturecups",
                                     description="Run a private cupsd whose queues capture jobs.")
    parser.add_argument("--dir", required=True, type=Path, help="root for config, spool, logs, captures")
    parser.add_argument("--queue", action="append", default=[], metavar="NAME",
                        help="a capturing queue to create (repeatable; the first is the default)")
    parser.add_argument("--port", type=int, default=0, help="loopback port; 0 picks a free one")
    args = parser.parse_args(argv)

    stopping = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    server = CaptureCups(args.dir, port=args.port)
    try:
        server.start()
        for i, name in enumerate(args.queue):
            server.add_queue(name, default=i == 0)
    except (PrintError, ValueError) as e:
        server.stop()
        print(e, file=sys.stderr)
        return 1
    print(f"CUPS_SERVER={server.server}", flush=True)
    try:
        while not stopping.wait(0.2):
            if not server.running:
                print(f"cupsd exited; see {server.error_log}", file=sys.stderr)
                return 1
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
