"""The reference central system over HTTP: central-api.md's endpoints, fault injection, control.

`CentralServer` is the one door: tests of the kiosk's sync and uploader start one on a loopback
port, feed it items, switch faults on and read back what went over the wire (`requests`); the demo
runs one in its own process and drives it through `/_control/`. HTTP parsing stays in `_Handler`;
deciding the answer (`CentralServer._respond`) works on plain values, so every path, including an
injected failure, goes through the same few lines that record and send it.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import re
import socket
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import parse_qsl, urlsplit

from .control import answer_control
from .faults import NO_FAULT, Faults, FaultSwitch, Plan, flip_one_byte
from .store import BadCursor, CursorGone, Store
from .validation import validate_application

JSON = "application/json; charset=utf-8"
FEED = "/v1/catalogue/changes"
ATTACHMENTS = "/v1/attachments/"
APPLICATIONS = "/v1/applications"
STATUS = "/v1/applications/status"
DEFAULT_LIMIT, MAX_LIMIT = 500, 1000
MAX_BODY = 1 << 20
_SHA256 = re.compile(r"[0-9a-f]{64}")
_DIGITS = re.compile(r"[0-9]{1,7}")
_FAULT_ERRORS = {500: ("internal", "injected fault: internal error"),
                 503: ("unavailable", "injected fault: service unavailable"),
                 429: ("rate_limited", "injected fault: too many requests")}


@dataclass(frozen=True)
class RequestRecord:
    """One request as answered: arrival time (time.monotonic()), what was asked, what was sent."""

    at: float
    method: str
    path: str
    query: dict[str, str]
    status: int
    headers: dict[str, str]


@dataclass
class _Reply:
    status: int
    body: bytes = b""
    content_type: str = JSON
    headers: dict[str, str] = field(default_factory=dict)
    close: bool = False


def _json(status: int, obj: object) -> _Reply:
    return _Reply(status, json.dumps(obj, ensure_ascii=False).encode("utf-8"))


def _error(status: int, code: str, message: str, **extra: object) -> _Reply:
    """Every error has the contract's shape, so a client's error path is exercised as in production."""
    return _json(status, {"error": code, "message": message, **extra})


class CentralServer:
    """A small, real central system on a SQLite file; see docs/reference-central.md."""

    def __init__(self, db_path: Path, *, token: str = "demo-token", host: str = "127.0.0.1",
                 port: int = 0) -> None:
        self.db_path = Path(db_path)
        self.token = token
        self.host = host
        self.port = port
        self.faults = Faults()
        self.requests: list[RequestRecord] = []
        self.access_log: TextIO | None = None  # the CLI points this at stderr; tests stay quiet
        self._store = Store(self.db_path)
        self._switch = FaultSwitch()
        self._records_lock = threading.Lock()
        self._lifecycle = threading.Lock()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The base URL, without a trailing slash (the real port once started)."""
        return f"http://{self.host}:{self.port}"

    def start(self) -> CentralServer:
        """Serve in a daemon thread. After a stop, starting again reuses the same port and URL."""
        with self._lifecycle:
            if self._httpd is None:
                httpd = _HTTPServer((self.host, self.port), self)
                self.port = httpd.server_address[1]
                self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                                name=f"refcentral:{self.port}", daemon=True)
                self._httpd = httpd
                self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and cut open keep-alive connections, so a stopped server is really gone."""
        with self._lifecycle:
            httpd, thread = self._httpd, self._thread
            self._httpd = self._thread = None
            if httpd is None:
                return
            httpd.shutdown()
            httpd.cut_connections()
            httpd.server_close()
            if thread is not None:
                thread.join(timeout=5)

    def __enter__(self) -> CentralServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- state -------------------------------------------------------------------------------

    def upsert(self, item: dict[str, Any]) -> None:
        """Append an upsert of `item` (verbatim, unvalidated) to the change log."""
        self._store.append_upsert(item)

    def delete(self, item_id: str, reason: str = "withdrawn") -> None:
        """Append a deletion of `item_id` to the change log."""
        self._store.append_delete(item_id, reason)

    def add_attachment(self, data: bytes) -> str:
        """Store attachment bytes; returns their SHA-256 (hex), the name clients fetch them by."""
        return self._store.put_attachment(data)

    def load(self, path: Path) -> int:
        """Load a JSONL file or a bundle directory/zip; returns the number of items/changes loaded."""
        return self._store.load(Path(path))

    def catalogue(self) -> dict[str, dict[str, Any]]:
        """The current catalogue, id -> item, as a client applying the whole feed should end up with."""
        return self._store.catalogue()

    def expire_cursors(self) -> None:
        """Compact the log and start a new epoch: every cursor issued so far answers 410 Gone."""
        self._store.compact()

    def set_faults(self, **kw: Any) -> None:
        """Replace every fault at once (unnamed ones back to off)."""
        self.faults = Faults(**kw)

    def applications(self) -> list[dict[str, Any]]:
        """Applications filed: each body as received plus tracking_no, received_at and due_date."""
        return self._store.applications()

    def set_status(self, receipt_no: str, status: str, reply: str | None = None,
                   due_date: str | None = None) -> None:
        """Move an application on, as the office would (None keeps the existing reply and due
        date; an extension gives a later `due_date`, YYYY-MM-DD)."""
        self._store.set_status(receipt_no, status, reply, due_date)

    # -- answering ---------------------------------------------------------------------------

    def _record(self, record: RequestRecord) -> None:
        with self._records_lock:
            self.requests.append(record)

    def _respond(self, method: str, path: str, query: dict[str, str], headers: Message, raw: bytes,
                 client_ip: str) -> tuple[_Reply, Plan]:
        """Decide the answer and the faults it suffers; nothing here touches a socket."""
        if path.startswith("/_control/"):
            return _json(*answer_control(self, method, path, raw, client_ip)), NO_FAULT
        if not path.startswith("/v1/"):
            return _error(404, "not_found", f"no such endpoint: {path}"), NO_FAULT
        if not self._authorised(headers):
            return _error(401, "unauthorized", "a valid bearer token and X-Kiosk-Id are required"), NO_FAULT
        plan = self._switch.plan(self.faults, path, is_feed=path == FEED)
        if plan.status is not None:
            code, message = _FAULT_ERRORS[plan.status]
            reply = _error(plan.status, code, message)
            if plan.retry_after is not None:
                reply.headers["Retry-After"] = plan.retry_after
            return reply, plan
        reply = self._v1(method, path, query, headers, raw)
        if plan.malformed is not None and reply.status == 200:
            reply.body = _malformed(reply.body, plan.malformed)
        return reply, plan

    def _authorised(self, headers: Message) -> bool:
        """The contract's two headers; compared in constant time, as a real server would."""
        given = (headers.get("Authorization") or "").encode("utf-8", "replace")
        good = hmac.compare_digest(given, f"Bearer {self.token}".encode())
        return good and bool((headers.get("X-Kiosk-Id") or "").strip())

    def _v1(self, method: str, path: str, query: dict[str, str], headers: Message, raw: bytes) -> _Reply:
        if path == FEED:
            return _only(method, "GET") or self._feed(query)
        if path.startswith(ATTACHMENTS):
            return _only(method, "GET") or self._attachment(path)
        if path == APPLICATIONS:
            return _only(method, "POST") or self._file(headers, raw)
        if path == STATUS:
            return _only(method, "GET") or self._status(query)
        return _error(404, "not_found", f"no such endpoint: {path}")

    def _feed(self, query: dict[str, str]) -> _Reply:
        """One page of the change log; a sloppy `limit` is refused rather than clamped, to surface bugs."""
        limit_text = query.get("limit", str(DEFAULT_LIMIT))
        if not _DIGITS.fullmatch(limit_text) or not 1 <= int(limit_text) <= MAX_LIMIT:
            return _error(400, "bad_request", f"limit must be an integer from 1 to {MAX_LIMIT}")
        try:
            return _json(200, self._store.page(query.get("cursor"), int(limit_text)))
        except BadCursor:
            return _error(400, "bad_request", "the cursor is not one this server issued")
        except CursorGone as exc:
            return _error(410, "gone", str(exc))

    def _attachment(self, path: str) -> _Reply:
        sha = path.removeprefix(ATTACHMENTS)
        data = self._store.attachment(sha) if _SHA256.fullmatch(sha) else None
        if data is None:
            return _error(404, "not_found", "no attachment with this SHA-256")
        faults = self.faults
        if sha in faults.corrupt_attachments and faults.applies_to(path):
            data = flip_one_byte(data)
        return _Reply(200, data, "application/octet-stream")

    def _file(self, headers: Message, raw: bytes) -> _Reply:
        """File an application; the key is looked up before validation, so a retry always gets 200."""
        key = (headers.get("Idempotency-Key") or "").strip()
        if not key:
            return _error(400, "bad_request", "the Idempotency-Key header is required")
        stored = self._store.stored_answer(key)
        if stored is not None:  # a retry: same answer, nothing filed, whatever the body says now
            return _json(200, stored)
        if refused := self.faults.refuse_applications:
            return _error(refused, "refused", "applications from this kiosk are not accepted now")
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return _error(400, "bad_request", "the body is not JSON in UTF-8")
        fields = validate_application(body)
        if fields:
            return _error(422, "invalid", f"{len(fields)} field(s) invalid", fields=fields)
        created, answer = self._store.file_application(key, body)
        return _json(201 if created else 200, answer)

    def _status(self, query: dict[str, str]) -> _Reply:
        receipt_no, code = query.get("receipt_no", ""), query.get("code", "")
        if not receipt_no or not code:
            return _error(400, "bad_request", "receipt_no and code are required")
        found = self._store.status(receipt_no, code)
        if found is None:  # one answer for "no such receipt" and "wrong code": nothing to probe
            return _error(404, "not_found", "no application with this receipt number and code")
        return _json(200, found)


def _closing(reply: _Reply) -> _Reply:
    """Mark a reply as the connection's last: the unread request body makes the stream unusable."""
    reply.close = True
    return reply


def _only(method: str, allowed: str) -> _Reply | None:
    """None when `method` is the one this endpoint takes, else the 405 to send."""
    if method == allowed:
        return None
    reply = _error(405, "method_not_allowed", f"use {allowed}")
    reply.headers["Allow"] = allowed
    return reply


def _malformed(body: bytes, variant: int) -> bytes:
    """A broken feed page: truncated JSON, or well-formed JSON that lacks the cursor."""
    if variant == 0:
        return body[: max(1, len(body) // 2)]
    page = json.loads(body)
    page.pop("cursor", None)
    return json.dumps(page, ensure_ascii=False).encode("utf-8")


class _HTTPServer(ThreadingHTTPServer):
    """ThreadingHTTPServer that knows its CentralServer and its open connections."""

    daemon_threads = True
    request_queue_size = 128  # socketserver's 5 makes a burst of kiosk connections wait a SYN retry

    def __init__(self, address: tuple[str, int], central: CentralServer) -> None:
        self.central = central
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, _Handler)

    def track(self, conn: socket.socket, is_open: bool) -> None:
        with self._open_lock:
            (self._open.add if is_open else self._open.discard)(conn)

    def cut_connections(self) -> None:
        """Shut every open connection, so pooled keep-alive clients see the server go."""
        with self._open_lock:
            conns = list(self._open)
        for conn in conns:
            with contextlib.suppress(OSError):  # already closed by the peer: nothing left to cut
                conn.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (timed out, or cut by a fault) is expected here, not an error."""
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    """Parses HTTP/1.1 (keep-alive, as real clients pool connections) and sends `_Reply`s."""

    server: _HTTPServer
    protocol_version = "HTTP/1.1"
    server_version = "RefCentral/1"
    timeout = 60  # idle keep-alive connections are closed after a minute

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, False)

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        log = self.server.central.access_log
        if log is not None:
            print(f"{self.address_string()} {format % args}", file=log, flush=True)

    def _serve(self) -> None:
        arrived = time.monotonic()
        split = urlsplit(self.path)
        path, query = split.path, dict(parse_qsl(split.query, keep_blank_values=True))
        central, plan = self.server.central, NO_FAULT
        raw = self._read_body()
        if isinstance(raw, _Reply):
            reply = raw
        else:
            try:
                reply, plan = central._respond(self.command, path, query, self.headers, raw,
                                               self.client_address[0])
            except Exception:  # a bug here must still answer in the contract's shape, and show
                traceback.print_exc()
                reply = _error(500, "internal", "the reference server failed; see its stderr")
        if plan.delay > 0:
            time.sleep(plan.delay)
        central._record(RequestRecord(arrived, self.command, path, query, reply.status,
                                      dict(self.headers.items())))
        self._send(reply, drop=plan.drop_body)

    def _read_body(self) -> bytes | _Reply:
        """The request body, or the error to answer when it cannot be read safely."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return _closing(_error(411, "length_required", "send a Content-Length"))
        length_text = self.headers.get("Content-Length") or "0"
        if not length_text.isdigit():
            return _closing(_error(400, "bad_request", "bad Content-Length"))
        length = int(length_text)
        if length > MAX_BODY:
            return _closing(_error(413, "too_large", "the body is too large"))
        return self.rfile.read(length)

    def _send(self, reply: _Reply, *, drop: bool) -> None:
        """Write the answer; with `drop`, only half the body, then cut the connection."""
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if reply.close:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            if drop:
                self.close_connection = True
                self.wfile.write(reply.body[: len(reply.body) // 2])
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
            else:
                self.wfile.write(reply.body)
        except OSError:
            self.close_connection = True  # the client went away (e.g. it timed out during a delay)
