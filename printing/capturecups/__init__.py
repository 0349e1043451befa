"""A private cupsd whose queues keep what they are sent, for the tests and for `make demo`.

The spooler is only trustworthy if it is tested against a real cupsd: the states, reasons and
error codes pycups reports are cupsd's, not ours. So this starts the system's cupsd binary on a
loopback port with every directory it writes to under one root (config, spool, cache, state,
logs), a ServerBin whose `backend/` holds only the capture backend, and queues that are raw (the
PDF reaches the backend byte for byte). Nothing touches the system cupsd, /etc/cups or port 631,
and nothing is downloaded.

Layout under `root`: etc/ (cupsd.conf, cups-files.conf), bin/ (ServerBin), sbin/cupsd, spool/,
cache/, state/, log/ (error_log: read it when a test surprises you), captures/QUEUE/ (job-N.pdf +
job-N.json sidecar), faults/QUEUE (the fault the backend reports).

Runs as root only (which is what this machine, CI and the kiosk's `make demo` are): cupsd started
by root runs backends as root only when they are mode 0700 and root-owned, and that is how the
capture backend can write under a root-owned temporary directory. As non-root it is untested.

The cupsd binary is copied to root/sbin first: Debian ships an AppArmor profile attached to the
path /usr/sbin/cupsd that would forbid executing a backend from a temporary directory.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO

from ..errors import PrintError

BACKEND_SOURCE = Path(__file__).with_name("capture-backend")
BACKEND_SCHEME = "capture"
SYSTEM_SERVERBIN = Path("/usr/lib/cups")
SYSTEM_DATADIR = Path("/usr/share/cups")
START_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0


@dataclass(frozen=True)
class Captured:
    job_id: int
    path: Path  # the exact bytes cupsd handed the backend
    copies: int
    title: str
    user: str


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _find_cupsd() -> Path:
    found = shutil.which("cupsd") or shutil.which("cupsd", path="/usr/sbin:/sbin")
    if not found:
        raise PrintError("找不到 cupsd。请安装：apt-get install cups-daemon",
                         "cupsd not found. Install it: apt-get install cups-daemon", kind="unreachable")
    return Path(found)


def _tool(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin:/sbin:/bin")
    if not found:
        raise PrintError(f"找不到 {name}。请安装：apt-get install cups-client",
                         f"{name} not found. Install it: apt-get install cups-client")
    return found


def _check_name(queue: str) -> str:
    # cupsd accepts more, but these names also become file names under captures/ and faults/.
    if not queue or len(queue) > 127 or not all(c.isascii() and (c.isalnum() or c in "-_") for c in queue):
        raise ValueError(f"queue names here are ASCII letters, digits, '-' and '_': {queue!r}")
    return queue


class CaptureCups:
    """A cupsd of our own on 127.0.0.1; see the module docstring."""

    def __init__(self, root: Path, port: int = 0) -> None:
        self.root = Path(root).resolve()
        self.requested_port = port
        self.port = 0
        self._proc: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None

    @property
    def server(self) -> str:
        """`host:port` for `Spooler(server=...)`, `CUPS_SERVER` and `lp -h`."""
        if not self.port:
            raise RuntimeError("CaptureCups is not started")
        return f"127.0.0.1:{self.port}"

    @property
    def error_log(self) -> Path:
        return self.root / "log" / "error_log"

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> None:
        if self._proc is not None:
            return
        self._assemble()
        attempts = 1 if self.requested_port else 3  # a port picked free may be taken before cupsd binds it
        for attempt in range(attempts):
            self.port = self.requested_port or _free_port()
            self._write_config()
            self._stderr = open(self.root / "log" / "cupsd.stderr", "ab")  # noqa: SIM115 (until stop)
            # A session of its own: Ctrl-C on `make demo` reaches us, and we stop cupsd in order.
            self._proc = subprocess.Popen(
                [str(self.root / "sbin" / "cupsd"), "-f", "-c", str(self.root / "etc" / "cupsd.conf"),
                 "-s", str(self.root / "etc" / "cups-files.conf")],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self._stderr,
                env=self._env(), start_new_session=True)
            if self._wait_ready():
                atexit.register(self.stop)  # no cupsd outlives an interpreter that forgot to stop it
                return
            self._terminate()
            if attempt == attempts - 1:
                break
        tail = self._log_tail()
        self.port = 0
        raise PrintError("测试用打印服务（cupsd）无法启动。",
                         f"the private cupsd did not start; log:\n{tail}", kind="unreachable")

    def stop(self) -> None:
        atexit.unregister(self.stop)
        self._terminate()

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def __enter__(self) -> CaptureCups:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def _terminate(self) -> None:
        proc, self._proc = self._proc, None
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
        if proc is None:
            return
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def _wait_ready(self) -> bool:
        assert self._proc is not None
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                return False
            # lpstat exits 0 either way; only its words (in the C locale set by _env) tell.
            if self._run("lpstat", "-r", check=False).stdout.strip() == "scheduler is running":
                return True
            time.sleep(0.05)
        return False

    def _log_tail(self, lines: int = 20) -> str:
        text = ""
        for log in (self.root / "log" / "cupsd.stderr", self.error_log):
            with contextlib.suppress(OSError):
                text += "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) + "\n"
        return text

    # -- files -----------------------------------------------------------------------------------

    def _assemble(self) -> None:
        """Directories, the ServerBin with our backend, and an unconfined copy of cupsd."""
        for sub in ("etc", "etc/ssl", "bin", "sbin", "spool", "spool/tmp", "cache", "state", "log",
                    "captures", "faults"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o755)
        serverbin = self.root / "bin"
        for entry in SYSTEM_SERVERBIN.iterdir():
            link = serverbin / entry.name
            if entry.name != "backend" and entry.is_dir() and not link.exists():
                link.symlink_to(entry)
        backends = serverbin / "backend"
        backends.mkdir(exist_ok=True)
        os.chmod(backends, 0o755)
        # cupsd refuses to run programs that are not root-owned or are writable by group/others, and
        # runs a backend as root only when it has no group/other permissions at all (mode 0700).
        interpreter = sys.executable if sys.executable and not any(c.isspace() for c in sys.executable) \
            else "/usr/bin/env python3"
        source = BACKEND_SOURCE.read_text(encoding="utf-8").split("\n", 1)[1]
        backend = backends / BACKEND_SCHEME
        backend.write_text(f"#!{interpreter}\n{source}", encoding="utf-8")
        os.chmod(backend, 0o700)
        cupsd = self.root / "sbin" / "cupsd"
        if not cupsd.exists():
            shutil.copy2(_find_cupsd(), cupsd)

    def _write_config(self) -> None:
        r = self.root
        (r / "etc" / "cups-files.conf").write_text(f"""\
# Written by printing.capturecups; everything cupsd writes stays under {r}.
ServerRoot {r}/etc
ServerBin {r}/bin
DataDir {SYSTEM_DATADIR}
DocumentRoot {SYSTEM_DATADIR}/doc-root
RequestRoot {r}/spool
TempDir {r}/spool/tmp
CacheDir {r}/cache
StateDir {r}/state
ServerKeychain {r}/etc/ssl
CreateSelfSignedCerts no
AccessLog {r}/log/access_log
ErrorLog {r}/log/error_log
PageLog {r}/log/page_log
Printcap {r}/state/printcap
SystemGroup root
FileDevice No
""", encoding="utf-8")
        (r / "etc" / "cupsd.conf").write_text(f"""\
# Written by printing.capturecups: loopback only, no sharing, no authentication.
LogLevel info
MaxLogSize 1m
Listen 127.0.0.1:{self.port}
ServerAlias *
Browsing No
BrowseLocalProtocols none
DefaultShared No
WebInterface No
HostNameLookups Off
DefaultEncryption Never
ErrorPolicy stop-printer
JobRetryInterval 1
PreserveJobHistory Yes
PreserveJobFiles No
DirtyCleanInterval 0
DefaultPolicy default
<Location />
  Order allow,deny
  Allow from 127.0.0.1
</Location>
<Policy default>
  JobPrivateAccess all
  JobPrivateValues none
  SubscriptionPrivateAccess all
  SubscriptionPrivateValues none
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
""", encoding="utf-8")

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("CUPS_", "LC_")) and k not in ("LANG", "LANGUAGE", "PRINTER", "LPDEST")}
        env["LC_ALL"] = "C.UTF-8"
        env["CUPS_SERVERROOT"] = str(self.root / "etc")  # client tools: ignore /etc/cups/client.conf
        env["CUPS_STATEDIR"] = str(self.root / "state")
        return env

    def _run(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run([_tool(tool), "-h", self.server, *args], capture_output=True, text=True,
                              env=self._env(), timeout=30, check=False)
        if check and proc.returncode != 0:
            raise PrintError(f"{tool} 失败。", f"{tool} {' '.join(args)} failed: {proc.stderr.strip()}")
        return proc

    # -- queues ----------------------------------------------------------------------------------

    def add_queue(self, name: str, default: bool = False) -> None:
        """A raw queue whose device is the capture backend, enabled and accepting."""
        _check_name(name)
        (self.captures_dir(name)).mkdir(parents=True, exist_ok=True)
        self._run("lpadmin", "-p", name, "-E", "-v", f"{BACKEND_SCHEME}:/{name}", "-m", "raw",
                  "-o", "printer-error-policy=stop-printer", "-D", f"capture queue {name}")
        if default:
            self._run("lpadmin", "-d", name)
        self.enable(name)
        self.accept(name)

    def remove_queue(self, name: str) -> None:
        self._run("lpadmin", "-x", _check_name(name))

    def set_fault(self, queue: str, fault: str | None) -> None:
        """Make the next jobs on `queue` fail with printer-state-reason `fault` (e.g. "media-empty")
        and stop the queue, as a driver does; None clears it. As with a real printer, the queue then
        stays stopped until `enable`, and cupsd keeps the "FAULT-error" reason until the backend
        next runs and clears it (the next job, or the waiting one as soon as the queue is enabled)."""
        path = self.root / "faults" / _check_name(queue)
        if fault:
            path.write_text(fault, encoding="utf-8")
        else:
            path.unlink(missing_ok=True)

    def disable(self, queue: str, reason: str = "") -> None:
        self._run("cupsdisable", *(["-r", reason] if reason else []), _check_name(queue))

    def enable(self, queue: str) -> None:
        self._run("cupsenable", _check_name(queue))

    def reject(self, queue: str, reason: str = "") -> None:
        self._run("cupsreject", *(["-r", reason] if reason else []), _check_name(queue))

    def accept(self, queue: str) -> None:
        self._run("cupsaccept", _check_name(queue))

    # -- captures --------------------------------------------------------------------------------

    def captures_dir(self, queue: str) -> Path:
        return self.root / "captures" / _check_name(queue)

    def captured(self, queue: str) -> list[Captured]:
        """Complete captures for `queue`, oldest job first."""
        out = []
        folder = self.captures_dir(queue)
        for meta_path in sorted(folder.glob("job-*.json")) if folder.is_dir() else []:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            out.append(Captured(job_id=int(meta["job_id"]), path=folder / meta["file"],
                                copies=int(meta["copies"]), title=meta["title"], user=meta["user"]))
        return out

    def wait_captured(self, queue: str, count: int, timeout: float = 30) -> list[Captured]:
        """Wait until `queue` has at least `count` captures; TimeoutError says what cupsd logged."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.captured(queue)
            if len(found) >= count:
                return found
            if time.monotonic() >= deadline:
                raise TimeoutError(f"{queue}: {len(found)} of {count} captures after {timeout}s; "
                                   f"cupsd log:\n{self._log_tail()}")
            time.sleep(0.05)


__all__ = ["CaptureCups", "Captured"]
