"""`/_control/`: driving a reference server that runs in another process, such as the demo's.

Tests in the same process call `CentralServer` methods directly; the demo (and a developer with
curl) cannot, so each of those methods has an HTTP twin here. They are not part of central-api.md
and answer loopback clients only, which is why they need no token. Answers are plain
(status, JSON object) pairs; the server sends them like any other answer.
"""

from __future__ import annotations

import ipaddress
import json
from typing import TYPE_CHECKING, Any

from .faults import Faults

if TYPE_CHECKING:
    from .server import CentralServer

_POSTS = ("faults", "upsert", "delete", "expire-cursors", "status")


def _error(code: str, message: str) -> dict[str, str]:
    return {"error": code, "message": message}


def answer_control(central: CentralServer, method: str, path: str, raw: bytes,
                   client_ip: str) -> tuple[int, dict[str, Any]]:
    """Answer one control request: (HTTP status, JSON object)."""
    if not ipaddress.ip_address(client_ip.removeprefix("::ffff:")).is_loopback:
        return 403, _error("forbidden", "control endpoints answer loopback clients only")
    action = path.removeprefix("/_control/")
    if method == "GET" and action == "catalogue":
        ids = list(central.catalogue())
        return 200, {"count": len(ids), "ids": ids}
    if method == "GET" and action == "faults":
        return 200, central.faults.to_json()
    if method == "GET" and action == "applications":
        return 200, {"applications": central.applications()}
    if method != "POST" or action not in _POSTS:
        return 404, _error("not_found", f"no such control endpoint: {method} {path}")
    try:
        obj = json.loads(raw.decode("utf-8")) if raw.strip() else {}
    except (UnicodeDecodeError, json.JSONDecodeError):
        return 400, _error("bad_request", "the body is not JSON in UTF-8")
    try:
        return 200, _post(central, action, obj)
    except ValueError as exc:
        return 400, _error("bad_request", str(exc))
    except KeyError as exc:
        return 404, _error("not_found", f"no application with receipt number {exc.args[0]}")


def _post(central: CentralServer, action: str, obj: Any) -> dict[str, Any]:
    """Carry out a POST; ValueError for a bad body, KeyError for an unknown receipt number."""
    if action == "faults":
        central.faults = Faults.from_json(obj)
        return central.faults.to_json()
    if not isinstance(obj, dict):
        raise ValueError("the body must be a JSON object")
    if action == "upsert":
        central.upsert(obj)
    elif action == "delete":
        if not isinstance(obj.get("id"), str):
            raise ValueError("id (a string) is required")
        central.delete(obj["id"], str(obj.get("reason") or "withdrawn"))
    elif action == "expire-cursors":
        central.expire_cursors()
    else:
        receipt_no, status, reply = obj.get("receipt_no"), obj.get("status"), obj.get("reply")
        due = obj.get("due_date")
        if not (isinstance(receipt_no, str) and isinstance(status, str)
                and isinstance(reply, str | None) and isinstance(due, str | None)):
            raise ValueError("receipt_no and status (strings) are required; reply and due_date "
                             "are strings or null")
        central.set_status(receipt_no, status, reply, due)
    return {"ok": True}
