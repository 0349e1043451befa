"""`kiosk-central` / `python -m kiosk.refcentral`: run the reference central system until stopped.

`make demo` starts it beside the kiosk, waits for its one "listening" line on stdout, and stops it
with SIGTERM; so it prints exactly that line, serves until SIGTERM or SIGINT, and exits 0. A user
error (a file that cannot be loaded, a port in use) is one line on stderr and exit 1, not a
traceback.
"""

from __future__ import annotations

import argparse
import signal
import sqlite3
import sys
import threading
from pathlib import Path
from types import FrameType

from .server import CentralServer


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="kiosk-central",
        description="Reference central system for the disclosure kiosk (development and demo only).")
    p.add_argument("--db", type=Path, required=True,
                   help="SQLite file holding the catalogue and applications (created if missing)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8765,
                   help="port to listen on; 0 picks a free one (default 8765)")
    p.add_argument("--token", default="demo-token",
                   help="the bearer token kiosks must send (default demo-token)")
    p.add_argument("--load", type=Path, metavar="PATH",
                   help="JSONL file or bundle (directory or .zip) to load when the catalogue is empty")
    p.add_argument("--quiet", action="store_true", help="do not log requests to stderr")
    return p


def main(argv: list[str] | None = None) -> int:
    """Serve until SIGTERM/SIGINT; 0 on a clean stop, 1 on a user error."""
    args = _parser().parse_args(argv)
    stop = threading.Event()

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        server = CentralServer(args.db, token=args.token, host=args.host, port=args.port)
        if args.load is not None and not server.catalogue():
            count = server.load(args.load)
            print(f"loaded {count} items from {args.load}", file=sys.stderr, flush=True)
        if not args.quiet:
            server.access_log = sys.stderr
        server.start()
    except (OSError, ValueError, sqlite3.Error) as exc:
        print(f"kiosk-central: {exc}", file=sys.stderr, flush=True)
        return 1
    print(f"reference central system listening on {server.url}", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
