"""The kiosk's print spooler: a thin, typed layer over pycups that speaks in people's words.

Everything the rest of the app needs from CUPS goes through `Spooler`: which queues exist and
whether they can print, submitting a PDF, and following a job until the printer is done with it.
CUPS reports trouble as IPP printer-state-reasons ("media-empty-error", "paused"); `Problem`
turns each into a sentence for the citizen and an instruction for the clerk, so the UI never
shows a keyword to a member of the public. Every failure is a `PrintError` with a `kind`
("unreachable", "no-queue", "no-job", "not-accepting", "document", "print").

A fresh `cups.Connection` is made for every call: pycups connections must not be shared between
threads, and the kiosk polls from worker threads. libcups keeps its server, port and user per
thread, and `printFile` resolves the queue through them rather than through the connection, so
they are set before each connection too.
"""

from __future__ import annotations

import contextlib
import re
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import cups

from .errors import PrintError

QUEUE_STATES = {3: "idle", 4: "printing", 5: "stopped"}
JOB_STATES = {3: "pending", 4: "held", 5: "processing", 6: "stopped", 7: "cancelled", 8: "aborted",
              9: "completed"}
DONE_STATES = frozenset({"cancelled", "aborted", "completed"})
SEVERITIES = ("error", "warning", "report")
WHICH_JOBS = ("all", "completed", "not-completed")
MAX_JOB_NAME_BYTES = 255  # IPP name(255)
MAX_COPIES = 99
CUPS_PRINTER_DEFAULT = 0x20000  # printer-type bit: the server's default destination

PRINTER_ATTRIBUTES = ["printer-name", "printer-state", "printer-state-reasons", "printer-state-message",
                      "printer-is-accepting-jobs", "printer-type", "device-uri"]
JOB_ATTRIBUTES = ["job-id", "job-state", "job-state-reasons", "job-printer-uri",
                  "job-media-sheets-completed", "job-impressions-completed"]

# Reasons CUPS uses for its own bookkeeping; they say nothing about the printer.
IGNORED_REASONS = frozenset({
    "none", "cups-waiting-for-job-completed", "cups-remote-pending", "cups-remote-pending-held",
    "cups-remote-processing", "cups-remote-stopped", "cups-remote-canceled", "cups-remote-aborted",
    "cups-remote-completed", "processing-to-stop-point",
})


@dataclass(frozen=True)
class Problem:
    """One printer-state-reason, translated for people."""

    reason: str  # the IPP keyword without its -error/-warning/-report suffix, e.g. "media-empty"
    severity: str  # "error" | "warning" | "report"
    zh: str  # for the citizen: what happened and what to do, in plain words
    en: str
    staff_zh: str  # for the clerk: what to do at the printer or the console
    staff_en: str


@dataclass(frozen=True)
class _Text:
    zh: str
    en: str
    staff_zh: str  # may use {queue} and {reason}
    staff_en: str
    severity: str | None = None  # fixed severity whatever the suffix says
    queue_level: bool = False  # about the CUPS queue rather than the device: listed after device problems


_NO_PAPER = _Text("打印机缺纸，请联系工作人员加纸。",
                  "The printer is out of paper. Please ask staff to add paper.",
                  "打印机（队列 {queue}）缺纸：请装入纸张。",
                  "The printer (queue {queue}) is out of paper: load paper.")
_JAM = _Text("打印机卡纸，请联系工作人员处理。",
             "Paper is jammed in the printer. Please ask staff for help.",
             "打印机（队列 {queue}）卡纸：打开打印机取出卡住的纸张，关好盖板。",
             "Paper jam on the printer (queue {queue}): open it, remove the jammed paper, close it.")
_OFFLINE = _Text("打印机未连接，请联系工作人员。",
                 "The printer is not connected. Please ask staff for help.",
                 "打印机（队列 {queue}）未连接：检查打印机电源和数据线或网线。",
                 "The printer (queue {queue}) is not connected: check its power and its USB or "
                 "network cable.")
_CONNECTING = _Text(_OFFLINE.zh, _OFFLINE.en, _OFFLINE.staff_zh, _OFFLINE.staff_en,
                    severity="warning")  # also shown briefly while a working printer is being reached
_NO_TONER = _Text("打印机墨粉或墨水已用完，请联系工作人员。",
                  "The printer has run out of toner or ink. Please ask staff for help.",
                  "打印机（队列 {queue}）墨粉或墨水已用完：更换墨粉盒或墨盒。",
                  "The printer (queue {queue}) is out of toner or ink: replace the cartridge.")
_LOW_TONER = _Text("打印机墨粉或墨水不多，打印件可能偏淡。",
                   "The printer is low on toner or ink; prints may be faint.",
                   "打印机（队列 {queue}）墨粉或墨水不足：请准备更换墨粉盒或墨盒。",
                   "The printer (queue {queue}) is low on toner or ink: have a new cartridge ready.",
                   severity="warning")
_DOOR = _Text("打印机的门或盖板没有关好，请联系工作人员。",
              "A door or cover of the printer is open. Please ask staff for help.",
              "打印机（队列 {queue}）的门或盖板开着：请关好。",
              "A door or cover of the printer (queue {queue}) is open: close it.")
_STOPPED = _Text("打印队列已停止，请联系工作人员。",
                 "Printing has been stopped. Please ask staff for help.",
                 "打印队列 {queue} 已停止。排除打印机故障后恢复队列：cupsenable {queue}",
                 "Print queue {queue} is stopped. Once the printer is fixed, resume it: cupsenable {queue}",
                 queue_level=True)
_NOT_ACCEPTING = _Text("打印机暂停接收任务，请联系工作人员。",
                       "The printer is not accepting print jobs. Please ask staff for help.",
                       "打印队列 {queue} 拒绝接收新任务。恢复接收：cupsaccept {queue}",
                       "Print queue {queue} is rejecting new jobs. Let it accept them: cupsaccept {queue}",
                       severity="error", queue_level=True)

REASON_TEXTS: dict[str, _Text] = {
    "media-empty": _NO_PAPER,
    "media-needed": _NO_PAPER,
    "media-jam": _JAM,
    "offline": _OFFLINE,
    "timed-out": _OFFLINE,
    "connecting-to-device": _CONNECTING,
    "toner-empty": _NO_TONER,
    "marker-supply-empty": _NO_TONER,
    "toner-low": _LOW_TONER,
    "marker-supply-low": _LOW_TONER,
    "door-open": _DOOR,
    "cover-open": _DOOR,
    "interlock-open": _DOOR,
    "media-low": _Text("打印机纸张不多了。", "The printer is running low on paper.",
                       "打印机（队列 {queue}）纸张不多：请及时加纸。",
                       "The printer (queue {queue}) is low on paper: add paper soon.", severity="warning"),
    "output-area-full": _Text("打印机出纸盒已满，请联系工作人员。",
                              "The printer's output tray is full. Please ask staff for help.",
                              "打印机（队列 {queue}）出纸盒已满：取走打印件。",
                              "The output tray of the printer (queue {queue}) is full: empty it."),
    "shutdown": _Text("打印机已关闭，请联系工作人员。",
                      "The printer is switched off. Please ask staff for help.",
                      "打印机（队列 {queue}）已关闭：打开打印机电源。",
                      "The printer (queue {queue}) is switched off: switch it on."),
    "paused": _STOPPED,
    "moving-to-paused": _STOPPED,
    "queue-stopped": _STOPPED,  # ours: the queue is stopped and CUPS gave no reason
    "not-accepting": _NOT_ACCEPTING,  # ours: printer-is-accepting-jobs is false
}
_UNKNOWN = {
    "error": _Text("打印机出现故障，请联系工作人员。",
                   "The printer has a problem. Please ask staff for help.",
                   "打印机（队列 {queue}）报告“{reason}”：请检查打印机。",
                   "The printer (queue {queue}) reports '{reason}': check the printer."),
    "warning": _Text("打印机发出了提示，一般不影响打印。",
                     "The printer reported a warning; printing usually continues.",
                     "打印机（队列 {queue}）提示“{reason}”。",
                     "The printer (queue {queue}) warns '{reason}'."),
    "report": _Text("打印机发出了提示，一般不影响打印。",
                    "The printer reported a notice; printing usually continues.",
                    "打印机（队列 {queue}）报告“{reason}”。",
                    "The printer (queue {queue}) reports '{reason}'."),
}


def split_reason(keyword: str) -> tuple[str, str]:
    """("media-empty", "error") from "media-empty-error"; no suffix means "error" (RFC 8011)."""
    for severity in SEVERITIES:
        if keyword.endswith("-" + severity):
            return keyword[: -len(severity) - 1], severity
    return keyword, "error"


def _problem(reason: str, severity: str, text: _Text, queue: str, keyword: str) -> Problem:
    return Problem(reason=reason, severity=text.severity or severity, zh=text.zh, en=text.en,
                   staff_zh=text.staff_zh.format(queue=queue, reason=keyword),
                   staff_en=text.staff_en.format(queue=queue, reason=keyword))


def describe(keyword: str, queue: str) -> Problem | None:
    """The `Problem` a printer-state-reason keyword means on `queue`; None for CUPS bookkeeping."""
    reason, severity = split_reason(keyword)
    if reason in IGNORED_REASONS:
        return None
    return _problem(reason, severity, REASON_TEXTS.get(reason) or _UNKNOWN[severity], queue, keyword)


def _problem_order(problem: Problem) -> tuple[int, int]:
    text = REASON_TEXTS.get(problem.reason)
    return SEVERITIES.index(problem.severity), int(bool(text and text.queue_level))


def queue_problems(name: str, state: str, accepting: bool, reasons: tuple[str, ...]) -> tuple[Problem, ...]:
    """The problems of a queue, the most useful first: errors before warnings, the device's own
    before the queue's (a citizen should read "out of paper" rather than "queue stopped")."""
    problems = {p.reason: p for p in (describe(r, name) for r in reasons) if p is not None}
    if state == "stopped" and not any(REASON_TEXTS.get(r) is _STOPPED for r in problems):
        problems["queue-stopped"] = _problem("queue-stopped", "error", _STOPPED, name, "queue-stopped")
    if not accepting:
        problems["not-accepting"] = _problem("not-accepting", "error", _NOT_ACCEPTING, name, "not-accepting")
    return tuple(sorted(problems.values(), key=_problem_order))


@dataclass(frozen=True)
class QueueState:
    name: str
    state: str  # "idle" | "printing" | "stopped"
    accepting: bool
    reasons: tuple[str, ...]  # raw printer-state-reasons
    problems: tuple[Problem, ...]
    message: str  # printer-state-message
    is_default: bool
    device: str  # device-uri, without any password

    @property
    def ready(self) -> bool:
        return (self.state in ("idle", "printing") and self.accepting
                and not any(p.severity == "error" for p in self.problems))


@dataclass(frozen=True)
class JobState:
    job_id: int
    queue: str
    state: str  # "pending" "held" "processing" "stopped" "cancelled" "aborted" "completed"
    reasons: tuple[str, ...]  # raw job-state-reasons
    pages_done: int | None
    printer: QueueState | None  # the queue as it was when the job was read; None if it is gone

    @property
    def done(self) -> bool:
        return self.state in DONE_STATES

    @property
    def ok(self) -> bool:
        return self.state == "completed"

    @property
    def problems(self) -> tuple[Problem, ...]:
        """What keeps this job from printing: the printer's problems, including "queue-stopped"
        and "not-accepting"; nothing once the job has completed."""
        if self.ok or self.printer is None:
            return ()
        return self.printer.problems


_TAG = re.compile(r"<[^<>]{0,200}>")
_TERMINAL_ESCAPE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-_]")
_SPACE = re.compile(r"\s+")


def job_name(title: object, fallback: str = "kiosk") -> str:
    """`title` made safe as an IPP job-name: no control or format characters or terminal escapes
    (cupsd rejects some, and bidi overrides can disguise a name in staff tools), no markup (job
    names end up in web pages and logs), whitespace collapsed, at most 255 bytes of UTF-8 cut
    between characters."""
    text = unicodedata.normalize("NFC", str(title))
    text = _TAG.sub(" ", _TERMINAL_ESCAPE.sub("", text))
    text = "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in text)
    text = _SPACE.sub(" ", text.replace("<", " ").replace(">", " ")).strip()
    if not text:
        return fallback
    data = text.encode("utf-8")
    if len(data) <= MAX_JOB_NAME_BYTES:
        return text
    ellipsis = "…".encode()
    cut = data[: MAX_JOB_NAME_BYTES - len(ellipsis)].decode("utf-8", "ignore").rstrip()
    return cut + "…"


def _as_tuple(value: object) -> tuple[str, ...]:
    """pycups gives a one-value attribute as a scalar and a multi-value one as a list."""
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value)
    return (str(value),)


def _int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _queue_from_uri(uri: str) -> str:
    return unquote(urlsplit(uri).path.rstrip("/").rsplit("/", 1)[-1])


def _public_uri(uri: str) -> str:
    return re.sub(r"//[^/@]*@", "//", uri)


def _default_server() -> tuple[str, int]:
    """libcups' own default server and port (CUPS_SERVER, client.conf, the local socket).

    Asked in a new thread: libcups keeps these per thread, and this thread may already have been
    pointed elsewhere by another Spooler."""
    found: list[tuple[str, int]] = []
    worker = threading.Thread(target=lambda: found.append((cups.getServer(), cups.getPort())))
    worker.start()
    worker.join()
    return found[0]


class Spooler:
    """The CUPS server the kiosk prints through; `server` is "host:port" or a socket path, None
    for libcups' default. Jobs are submitted as `user`."""

    def __init__(self, server: str | None = None, user: str = "kiosk") -> None:
        self.user = user
        if server is None:
            self.host, self.port = _default_server()
        elif server.startswith("/"):
            self.host, self.port = server, 0
        else:
            host, sep, port = server.rpartition(":")
            if not sep or not port.isdigit() or not host:
                host, port = server, "631"
            self.host, self.port = host.strip("[]"), int(port)
        self.server = self.host if self.host.startswith("/") else f"{self.host}:{self.port}"

    def __repr__(self) -> str:
        return f"Spooler(server={self.server!r}, user={self.user!r})"

    # -- connections and errors ------------------------------------------------------------------

    def _unreachable(self) -> PrintError:
        return PrintError(f"无法连接打印服务（{self.server}），请联系工作人员。",
                          f"Cannot reach the print service ({self.server}). Please ask staff for help.",
                          kind="unreachable")

    def _connect(self) -> cups.Connection:
        cups.setUser(self.user)
        cups.setServer(self.server)
        if self.port:
            cups.setPort(self.port)
        try:
            return cups.Connection(host=self.host, port=self.port)
        except RuntimeError as e:
            raise self._unreachable() from e

    @contextlib.contextmanager
    def _translated(self, *, queue: str | None = None, job_id: int | None = None) -> Iterator[None]:
        """pycups' IPPError, HTTPError and RuntimeError as PrintError."""
        try:
            yield
        except cups.IPPError as e:
            status = e.args[0] if e.args else -1
            detail = e.args[1] if len(e.args) > 1 else ""
            raise self._ipp_error(status, str(detail), queue, job_id) from e
        except cups.HTTPError as e:
            raise PrintError("打印服务拒绝了请求，请联系工作人员。",
                             f"The print service refused the request (HTTP {e.args[0] if e.args else '?'}). "
                             "Please ask staff for help.") from e
        except RuntimeError as e:
            raise self._unreachable() from e

    def _ipp_error(self, status: int, detail: str, queue: str | None, job_id: int | None) -> PrintError:
        if status in (cups.IPP_SERVICE_UNAVAILABLE, cups.IPP_STATUS_ERROR_TIMEOUT) or (
                status == cups.IPP_INTERNAL_ERROR and re.search(r"refused|reset|broken pipe|unreachable",
                                                                 detail, re.IGNORECASE)):
            return self._unreachable()
        if status == cups.IPP_NOT_FOUND and job_id is not None:
            return PrintError(f"找不到打印任务 {job_id}。", f"There is no print job {job_id}.", kind="no-job")
        if status == cups.IPP_NOT_FOUND and queue is not None:
            return self._no_queue(queue)
        if status == cups.IPP_NOT_ACCEPTING and queue is not None:
            return self._not_accepting(queue)
        if status in (cups.IPP_NOT_AUTHORIZED, cups.IPP_FORBIDDEN, cups.IPP_NOT_AUTHENTICATED):
            return PrintError("打印服务不允许这个操作，请联系工作人员。",
                              f"The print service does not allow this ({detail}). Please ask staff for help.")
        return PrintError("打印失败，请联系工作人员。",
                          f"Printing failed: {detail or 'IPP status'} (0x{status:04x}). "
                          "Please ask staff for help.")

    def _no_queue(self, queue: str) -> PrintError:
        return PrintError(f"找不到打印队列“{queue}”，请联系工作人员。",
                          f"There is no print queue named '{queue}'. Please ask staff for help.",
                          kind="no-queue")

    def _not_accepting(self, queue: str) -> PrintError:
        return PrintError(f"{_NOT_ACCEPTING.zh}（队列 {queue}）",
                          f"{_NOT_ACCEPTING.en} (queue {queue})", kind="not-accepting")

    # -- queues ----------------------------------------------------------------------------------

    def _queue_state(self, conn: cups.Connection, name: str) -> QueueState:
        with self._translated(queue=name):
            attrs = conn.getPrinterAttributes(name, requested_attributes=PRINTER_ATTRIBUTES)
        state = QUEUE_STATES.get(attrs.get("printer-state", 5), "stopped")
        accepting = bool(attrs.get("printer-is-accepting-jobs", False))
        reasons = tuple(r for r in _as_tuple(attrs.get("printer-state-reasons")) if r != "none")
        return QueueState(
            name=name, state=state, accepting=accepting, reasons=reasons,
            problems=queue_problems(name, state, accepting, reasons),
            message=str(attrs.get("printer-state-message") or ""),
            is_default=bool(int(attrs.get("printer-type", 0)) & CUPS_PRINTER_DEFAULT),
            device=_public_uri(str(attrs.get("device-uri") or "")))

    def queues(self) -> list[QueueState]:
        """Every queue on the server, by name."""
        conn = self._connect()
        with self._translated():
            names = sorted(conn.getPrinters())
        states = []
        for name in names:
            try:
                states.append(self._queue_state(conn, name))
            except PrintError as e:
                if e.kind != "no-queue":  # deleted while we were looking
                    raise
        return states

    def queue(self, name: str) -> QueueState:
        """One queue's state; PrintError "no-queue" if there is none by that name."""
        return self._queue_state(self._connect(), name)

    def default_queue(self) -> str | None:
        """The server's default queue. Not LPDEST/PRINTER or lpoptions, as `lp` would use: the
        kiosk prints where cupsd's administrator says."""
        for state in self.queues():
            if state.is_default:
                return state.name
        return None

    # -- jobs ------------------------------------------------------------------------------------

    def submit(self, queue: str, pdf: Path, title: str, copies: int = 1) -> int:
        """Queue `pdf` on `queue` and return the job id. Refuses ("not-accepting") a queue that
        rejects jobs; a queue that is merely stopped takes the job, which waits (see `follow`)."""
        if isinstance(copies, bool) or not isinstance(copies, int) or not 1 <= copies <= MAX_COPIES:
            raise PrintError(f"份数必须在 1 到 {MAX_COPIES} 之间。",
                             f"The number of copies must be between 1 and {MAX_COPIES}.")
        pdf = Path(pdf)
        if not pdf.is_file():
            raise PrintError("要打印的文件不存在。", f"The file to print does not exist: {pdf}",
                             kind="document")
        conn = self._connect()
        state = self._queue_state(conn, queue)
        if not state.accepting:
            raise self._not_accepting(queue)
        with self._translated(queue=queue):
            return int(conn.printFile(queue, str(pdf), job_name(title), {"copies": str(copies)}))

    def _job_state(self, conn: cups.Connection, attrs: dict, job_id: int,
                   printers: dict[str, QueueState | None]) -> JobState:
        queue = _queue_from_uri(str(attrs.get("job-printer-uri") or ""))
        if queue not in printers:
            try:
                printers[queue] = self._queue_state(conn, queue) if queue else None
            except PrintError as e:
                if e.kind != "no-queue":
                    raise
                printers[queue] = None
        pages = _int_or_none(attrs.get("job-media-sheets-completed"))
        if pages is None:
            pages = _int_or_none(attrs.get("job-impressions-completed"))
        return JobState(job_id=job_id, queue=queue,
                        state=JOB_STATES.get(attrs.get("job-state", 0), "pending"),
                        reasons=tuple(r for r in _as_tuple(attrs.get("job-state-reasons")) if r != "none"),
                        pages_done=pages, printer=printers[queue])

    def job(self, job_id: int) -> JobState:
        """One job's state, with its printer's; PrintError "no-job" if cupsd does not know it."""
        conn = self._connect()
        with self._translated(job_id=job_id):
            attrs = conn.getJobAttributes(job_id, requested_attributes=JOB_ATTRIBUTES)
        return self._job_state(conn, attrs, job_id, {})

    def cancel(self, job_id: int) -> None:
        """Cancel a job. Cancelling a job that has already finished does nothing: a citizen
        pressing 取消 just as the printer finishes is not an error."""
        conn = self._connect()
        try:
            with self._translated(job_id=job_id):
                conn.cancelJob(job_id)
        except PrintError:
            if self.job(job_id).done:
                return
            raise

    def jobs(self, queue: str | None = None, which: str = "all", limit: int = 50) -> list[JobState]:
        """Jobs newest first, of one queue or all; `which` is "all", "completed" or "not-completed"."""
        if which not in WHICH_JOBS:
            raise PrintError("无效的任务筛选条件。",
                             f"`which` must be one of {', '.join(WHICH_JOBS)}: {which!r}")
        conn = self._connect()
        with self._translated(queue=queue):
            found = conn.getJobs(which_jobs=which, requested_attributes=JOB_ATTRIBUTES)
        printers: dict[str, QueueState | None] = {}
        out = []
        for job_id in sorted(found, reverse=True):
            attrs = found[job_id]
            if queue is not None and _queue_from_uri(str(attrs.get("job-printer-uri") or "")) != queue:
                continue
            out.append(self._job_state(conn, attrs, int(job_id), printers))
            if len(out) >= limit:
                break
        return out

    def follow(self, job_id: int, on_change: Callable[[JobState], None] | None = None,
               timeout: float = 300.0, poll: float = 0.5) -> JobState:
        """Poll a job until it is done or `timeout` seconds pass, calling `on_change` with the
        first state and whenever its state, reasons or problems change. Returns the last state;
        a job stuck behind a stopped printer comes back not done, and the caller decides whether
        to cancel it."""
        deadline = time.monotonic() + timeout
        last: tuple[object, ...] | None = None
        while True:
            current = self.job(job_id)
            key = (current.state, current.reasons, current.problems)
            if key != last and on_change is not None:
                on_change(current)
            last = key
            remaining = deadline - time.monotonic()
            if current.done or remaining <= 0:
                return current
            time.sleep(min(poll, remaining))


__all__ = ["JobState", "PrintError", "Problem", "QueueState", "Spooler", "describe", "job_name"]
