"""The reference central system as a kiosk sees it: real loopback sockets, real HTTP, real SQLite.

Every test talks to a `CentralServer` on port 0 with `requests` and asserts on what a client would
notice: pages and cursors, status codes and error bodies, headers such as Retry-After, bytes and
hashes, broken connections and timeouts, tracking numbers and due dates. The kiosk's own sync and
uploader tests rely on this server behaving as central-api.md says, so these tests pin that down.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pytest
import requests

from kiosk.refcentral import CentralServer, Faults
from kiosk.refcentral.control import answer_control
from kiosk.refcentral.store import add_working_days
from tests.conftest import ROOT, SAMPLE_BUNDLE, make_item, write_jsonl

AUTH = {"Authorization": "Bearer demo-token", "X-Kiosk-Id": "K07"}
SAMPLE_ITEMS = 344
SAMPLE_ATTACHMENTS = 22
VALID_ID = "11010519491231002X"
VALID_ORG = "91350100M000100Y43"


@pytest.fixture
def central(tmp_path: Path):
    """A reference central system on a free loopback port, stopped after the test."""
    with CentralServer(tmp_path / "central.sqlite3") as srv:
        yield srv


def get(srv: CentralServer, path: str, **kw: Any) -> requests.Response:
    kw.setdefault("headers", AUTH)
    kw.setdefault("timeout", 5)
    return requests.get(srv.url + path, **kw)


def feed(srv: CentralServer, cursor: str | None = None, limit: int | None = None) -> requests.Response:
    params = {k: v for k, v in (("cursor", cursor), ("limit", limit)) if v is not None}
    return get(srv, "/v1/catalogue/changes", params=params)


def read_all(srv: CentralServer, cursor: str | None = None, limit: int = 100
             ) -> tuple[list[dict], list[dict], str]:
    """Follow the feed to its end: (pages, all changes, last cursor)."""
    pages, changes = [], []
    while True:
        page = feed(srv, cursor, limit).json()
        pages.append(page)
        changes += page["changes"]
        cursor = page["cursor"]
        if not page["has_more"]:
            return pages, changes, cursor


def apply(changes: list[dict], into: dict[str, dict] | None = None) -> dict[str, dict]:
    """What a kiosk does with the feed: upserts replace, deletes remove."""
    local = dict(into or {})
    for change in changes:
        if change["op"] == "upsert":
            local[change["item"]["id"]] = change["item"]
        else:
            local.pop(change["id"], None)
    return local


def application(**applicant: Any) -> dict[str, Any]:
    """A valid application body as the kiosk sends it, with applicant fields overridden."""
    body = {
        "receipt_no": f"K07-20261122-{uuid.uuid4().int % 10000:04d}",
        "query_code": "538214",
        "submitted_at": "2026-11-22T10:15:00+08:00",
        "kiosk": {"id": "K07", "venue": "宿州市档案馆政府信息查阅中心"},
        "applicant": {
            "type": "citizen", "name": "张三", "id_type": "resident_id", "id_number": VALID_ID,
            "org_code": None, "legal_representative": None, "contact_person": None,
            "phone": "13800000000", "email": None, "address": "安徽省宿州市", "postcode": "234000",
        },
        "request": {
            "description": "2021年本市老旧小区改造项目的资金安排情况", "title": None, "index_no": None,
            "doc_number": None, "media": ["paper"], "delivery": "pickup", "fee_waiver": False,
        },
    }
    body["applicant"].update(applicant)
    return body


def post_application(srv: CentralServer, body: dict, key: str | None = None) -> requests.Response:
    headers = {**AUTH, "Idempotency-Key": key or str(uuid.uuid4())}
    return requests.post(srv.url + "/v1/applications", json=body, headers=headers, timeout=5)


# -- the changes feed --------------------------------------------------------------------------

def test_sample_bundle_pages_in_order_to_the_current_catalogue(central):
    assert central.load(SAMPLE_BUNDLE) == SAMPLE_ITEMS
    pages, changes, _ = read_all(central, limit=100)
    assert [len(p["changes"]) for p in pages] == [100, 100, 100, 44]
    assert [p["has_more"] for p in pages] == [True, True, True, False]
    assert apply(changes) == central.catalogue()
    assert len(central.catalogue()) == SAMPLE_ITEMS


def test_default_page_is_500_and_limit_bounds_are_enforced(central):
    central.load(SAMPLE_BUNDLE)
    assert len(feed(central).json()["changes"]) == SAMPLE_ITEMS
    assert len(feed(central, limit=1).json()["changes"]) == 1
    assert feed(central, limit=1000).status_code == 200
    for bad in ("0", "1001", "-1", "abc", "2.5", ""):
        r = get(central, "/v1/catalogue/changes", params={"limit": bad})
        assert r.status_code == 400, bad
        assert r.json()["error"] == "bad_request"
        assert r.headers["Content-Type"] == "application/json; charset=utf-8"


def test_later_upsert_wins_and_deletes_are_in_the_feed(central):
    central.upsert(make_item(1, title="第一版"))
    central.upsert(make_item(2))
    central.upsert(make_item(1, title="第二版"))
    central.delete(make_item(2)["id"], reason="expired")
    _, changes, _ = read_all(central)
    assert [c["op"] for c in changes] == ["upsert", "upsert", "upsert", "delete"]
    assert changes[-1] == {"op": "delete", "id": make_item(2)["id"], "reason": "expired"}
    local = apply(changes)
    assert local == central.catalogue()
    assert list(local) == [make_item(1)["id"]]
    assert local[make_item(1)["id"]]["title"] == "第二版"


def test_cursor_resumes_and_an_empty_page_keeps_a_usable_cursor(central):
    central.upsert(make_item(1))
    _, changes, cursor = read_all(central)
    empty = feed(central, cursor).json()
    assert empty == {"changes": [], "cursor": cursor, "has_more": False}
    central.upsert(make_item(2))
    page = feed(central, empty["cursor"]).json()
    assert [c["item"]["id"] for c in page["changes"]] == [make_item(2)["id"]]
    assert apply(page["changes"], apply(changes)) == central.catalogue()


def test_empty_catalogue_answers_an_empty_page_with_a_cursor(central):
    page = feed(central).json()
    assert page["changes"] == [] and page["has_more"] is False
    assert feed(central, page["cursor"]).status_code == 200


def test_expired_cursor_is_gone_and_a_full_read_is_the_catalogue(central):
    for n in range(5):
        central.upsert(make_item(n))
    central.delete(make_item(3)["id"])
    _, _, old_cursor = read_all(central, limit=2)
    central.expire_cursors()
    r = feed(central, old_cursor)
    assert r.status_code == 410
    assert r.json()["error"] == "gone" and r.json()["message"]
    _, changes, _ = read_all(central, limit=2)
    assert all(c["op"] == "upsert" for c in changes)
    assert apply(changes) == central.catalogue()
    assert len(changes) == 4


def test_undecodable_cursor_is_a_bad_request(central):
    for bad in ("garbage!", "eDp5", "", "MTox" + "*"):
        r = feed(central, bad)
        assert r.status_code == 400, bad
        assert r.json()["error"] == "bad_request"


# -- auth and attachments ----------------------------------------------------------------------

@pytest.mark.parametrize("headers", [
    {"Authorization": "Bearer wrong", "X-Kiosk-Id": "K07"},
    {"Authorization": "Bearer demo-token"},
    {"Authorization": "Bearer demo-token", "X-Kiosk-Id": ""},
    {"X-Kiosk-Id": "K07"},
])
def test_unauthorised_requests_get_401_with_a_json_error(central, headers):
    r = get(central, "/v1/catalogue/changes", headers=headers)
    assert r.status_code == 401
    assert r.headers["Content-Type"] == "application/json; charset=utf-8"
    assert r.json()["error"] == "unauthorized" and r.json()["message"]


def test_attachment_bytes_and_unknown_hash(central):
    data = b"%PDF-1.4 fake attachment"
    sha = central.add_attachment(data)
    assert sha == hashlib.sha256(data).hexdigest()
    r = get(central, f"/v1/attachments/{sha}")
    assert r.status_code == 200 and r.content == data
    assert r.headers["Content-Type"] == "application/octet-stream"
    assert r.headers["Content-Length"] == str(len(data))
    for missing in ("0" * 64, "not-a-hash"):
        r = get(central, f"/v1/attachments/{missing}")
        assert r.status_code == 404 and r.json()["error"] == "not_found"


def test_zipped_bundle_loads_items_and_attachments(central, tmp_path):
    zipped = tmp_path / "sample.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        for path in sorted(SAMPLE_BUNDLE.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(SAMPLE_BUNDLE).as_posix())
    assert central.load(zipped) == SAMPLE_ITEMS
    shas = {a["sha256"] for item in central.catalogue().values() for a in item.get("attachments") or []}
    assert len(shas) == SAMPLE_ATTACHMENTS
    for sha in shas:
        assert hashlib.sha256(get(central, f"/v1/attachments/{sha}").content).hexdigest() == sha


def test_jsonl_file_loads(central, tmp_path):
    path = write_jsonl(tmp_path / "items.jsonl", [make_item(1), make_item(2)])
    assert central.load(path) == 2
    assert set(central.catalogue()) == {make_item(1)["id"], make_item(2)["id"]}


# -- faults ------------------------------------------------------------------------------------

def test_error_500_is_consumed_request_by_request(central):
    central.faults.error_500 = 2
    assert [feed(central).status_code for _ in range(3)] == [500, 500, 200]
    assert central.faults.error_500 == 0
    assert [r.status for r in central.requests] == [500, 500, 200]


def test_concurrent_requests_see_each_counted_fault_once(central):
    central.set_faults(error_500=5)
    statuses: list[int] = []
    lock = threading.Lock()

    def one() -> None:
        status = feed(central).status_code
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=one) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200] * 15 + [500] * 5


def test_rate_limit_and_unavailable_carry_retry_after(central):
    central.set_faults(rate_limit=1, unavailable=1, retry_after=2)
    first, second = feed(central), feed(central)
    assert (first.status_code, second.status_code) == (503, 429)
    assert first.headers["Retry-After"] == second.headers["Retry-After"] == "2"
    central.set_faults(rate_limit=1, retry_after=0.5)
    assert feed(central).headers["Retry-After"] == "0.5"
    assert feed(central).status_code == 200


def test_delay_makes_a_short_client_timeout_fire(central):
    central.set_faults(delay=0.5)
    with pytest.raises(requests.Timeout):
        requests.get(central.url + "/v1/catalogue/changes", headers=AUTH, timeout=0.2)


def test_dropped_body_breaks_the_read(central):
    central.load(SAMPLE_BUNDLE)
    central.set_faults(drop_body=1)
    with pytest.raises((requests.exceptions.ChunkedEncodingError, requests.ConnectionError)):
        feed(central)
    assert feed(central).status_code == 200


def test_malformed_pages_alternate_broken_json_and_a_missing_cursor(central):
    central.upsert(make_item(1))
    central.set_faults(malformed_page=2)
    first = feed(central)
    assert first.status_code == 200
    with pytest.raises(ValueError):
        json.loads(first.content)
    second = feed(central)
    assert second.status_code == 200 and "cursor" not in second.json()
    assert "cursor" in feed(central).json()


def test_corrupt_attachment_fails_its_hash_until_removed(central):
    sha = central.add_attachment(b"attachment bytes")
    central.faults.corrupt_attachments.add(sha)
    for _ in range(2):
        body = get(central, f"/v1/attachments/{sha}").content
        assert len(body) == len(b"attachment bytes") and hashlib.sha256(body).hexdigest() != sha
    central.faults.corrupt_attachments.clear()
    assert hashlib.sha256(get(central, f"/v1/attachments/{sha}").content).hexdigest() == sha


def test_only_path_scopes_faults(central):
    sha = central.add_attachment(b"x" * 100)
    central.set_faults(error_500=1, only_path="/v1/attachments/")
    assert feed(central).status_code == 200
    assert get(central, f"/v1/attachments/{sha}").status_code == 500
    assert get(central, f"/v1/attachments/{sha}").status_code == 200


# -- applications ------------------------------------------------------------------------------

def test_application_is_filed_once_per_idempotency_key(central):
    body, key = application(), str(uuid.uuid4())
    first = post_application(central, body, key)
    assert first.status_code == 201
    answer = first.json()
    assert answer["tracking_no"].startswith(f"XXGK-{dt.date.today().year}-")
    assert len(answer["tracking_no"].rsplit("-", 1)[1]) == 6
    received = dt.datetime.fromisoformat(answer["received_at"])
    assert received.utcoffset() == dt.timedelta(hours=8)
    due = dt.date.fromisoformat(answer["due_date"])
    assert due == add_working_days(received.date(), 20) and due.weekday() < 5
    again = post_application(central, {**body, "query_code": "000000"}, key)
    assert again.status_code == 200 and again.json() == answer
    assert len(central.applications()) == 1
    assert central.applications()[0]["receipt_no"] == body["receipt_no"]
    assert central.applications()[0]["tracking_no"] == answer["tracking_no"]
    other = post_application(central, application())
    assert other.status_code == 201 and other.json()["tracking_no"] != answer["tracking_no"]


def test_application_cut_off_or_timed_out_is_still_filed_once(central):
    body, key = application(), str(uuid.uuid4())
    central.set_faults(drop_body=1)
    with pytest.raises((requests.exceptions.ChunkedEncodingError, requests.ConnectionError)):
        post_application(central, body, key)
    central.set_faults(delay=0.5)
    with pytest.raises(requests.Timeout):
        requests.post(central.url + "/v1/applications", json=body, timeout=0.2,
                      headers={**AUTH, "Idempotency-Key": key})
    central.set_faults()
    retry = post_application(central, body, key)
    assert retry.status_code == 200
    assert retry.json()["tracking_no"] == central.applications()[0]["tracking_no"]
    assert len(central.applications()) == 1


def test_application_needs_an_idempotency_key(central):
    r = requests.post(central.url + "/v1/applications", json=application(), headers=AUTH, timeout=5)
    assert r.status_code == 400 and r.json()["error"] == "bad_request"
    assert central.applications() == []


def test_invalid_application_names_every_bad_field(central):
    body = application(id_number=VALID_ID[:-1] + "1", phone="call me")
    body["request"].update(description="", delivery="pigeon", media=["paper", "tape"])
    r = post_application(central, body)
    assert r.status_code == 422
    assert r.json()["error"] == "invalid"
    assert set(r.json()["fields"]) == {"applicant.id_number", "applicant.phone", "request.description",
                                       "request.delivery", "request.media"}
    assert central.applications() == []


def test_organisation_needs_a_valid_credit_code(central):
    org = {"type": "organization", "name": "临澄市某某有限公司", "id_type": None, "id_number": None,
           "legal_representative": "李四", "contact_person": "王五"}
    assert post_application(central, application(**org, org_code=VALID_ORG)).status_code == 201
    r = post_application(central, application(**org, org_code=VALID_ORG[:-1] + "4"))
    assert r.status_code == 422 and set(r.json()["fields"]) == {"applicant.org_code"}
    r = post_application(central, application(**{**org, "contact_person": None}, org_code=VALID_ORG))
    assert set(r.json()["fields"]) == {"applicant.contact_person"}


def test_description_length_bounds(central):
    body = application()
    body["request"]["description"] = "字" * 1000
    assert post_application(central, body).status_code == 201
    body["request"]["description"] = "字" * 1001
    r = post_application(central, body)
    assert r.status_code == 422 and set(r.json()["fields"]) == {"request.description"}


def test_status_lookup_and_identical_not_found_answers(central):
    body = application()
    tracking = post_application(central, body).json()["tracking_no"]
    r = get(central, "/v1/applications/status", params={"receipt_no": body["receipt_no"], "code": "538214"})
    assert r.status_code == 200
    status = r.json()
    assert set(status) == {"receipt_no", "tracking_no", "status", "due_date", "updated_at", "reply"}
    assert (status["tracking_no"], status["status"], status["reply"]) == (tracking, "received", None)
    lookup = "/v1/applications/status"
    wrong_code = get(central, lookup, params={"receipt_no": body["receipt_no"], "code": "1"})
    unknown = get(central, lookup, params={"receipt_no": "K99-0", "code": "538214"})
    assert wrong_code.status_code == unknown.status_code == 404
    assert wrong_code.content == unknown.content
    assert wrong_code.json()["error"] == "not_found"

    central.set_status(body["receipt_no"], "replied", reply="已答复，请到窗口领取。")
    r = get(central, "/v1/applications/status", params={"receipt_no": body["receipt_no"], "code": "538214"})
    assert (r.json()["status"], r.json()["reply"]) == ("replied", "已答复，请到窗口领取。")
    with pytest.raises(ValueError):
        central.set_status(body["receipt_no"], "lost")


def test_working_days_skip_weekends():
    friday = dt.date(2026, 11, 20)
    assert add_working_days(friday, 1) == dt.date(2026, 11, 23)
    assert add_working_days(dt.date(2026, 11, 22), 20) == dt.date(2026, 12, 18)


# -- lifecycle, control and CLI ----------------------------------------------------------------

def test_state_survives_a_restart_and_a_stopped_server_is_gone(tmp_path):
    db = tmp_path / "central.sqlite3"
    body = application()
    with CentralServer(db) as srv:
        srv.upsert(make_item(1))
        session = requests.Session()
        assert session.get(srv.url + "/v1/catalogue/changes", headers=AUTH, timeout=5).ok
        post_application(srv, body, "key-1")
        url = srv.url
    with pytest.raises(requests.ConnectionError):
        session.get(url + "/v1/catalogue/changes", headers=AUTH, timeout=5)
    with CentralServer(db) as srv:
        assert list(srv.catalogue()) == [make_item(1)["id"]]
        assert post_application(srv, body, "key-1").status_code == 200
        assert len(srv.applications()) == 1


def test_control_endpoints_drive_the_server(central):
    def control(action: str, obj: Any = None) -> requests.Response:
        return requests.post(f"{central.url}/_control/{action}", json=obj, timeout=5)

    assert control("upsert", make_item(1)).json() == {"ok": True}
    assert control("upsert", make_item(2)).status_code == 200
    assert control("delete", {"id": make_item(2)["id"], "reason": "withdrawn"}).status_code == 200
    r = requests.get(central.url + "/_control/catalogue", timeout=5)
    assert r.json() == {"count": 1, "ids": [make_item(1)["id"]]}

    r = control("faults", {"error_500": 1, "corrupt_attachments": ["a" * 64]})
    assert r.status_code == 200 and central.faults.corrupt_attachments == {"a" * 64}
    assert feed(central).status_code == 500
    assert control("faults", {"eror_500": 1}).status_code == 400

    _, _, cursor = read_all(central)
    assert control("expire-cursors").status_code == 200
    assert feed(central, cursor).status_code == 410

    body = application()
    post_application(central, body)
    assert control("status", {"receipt_no": body["receipt_no"], "status": "accepted"}).status_code == 200
    assert central.applications()[0]["receipt_no"] == body["receipt_no"]
    assert control("status", {"receipt_no": body["receipt_no"], "status": "lost"}).status_code == 400
    assert control("status", {"receipt_no": "nope", "status": "closed"}).status_code == 404
    r = get(central, "/v1/applications/status", params={"receipt_no": body["receipt_no"], "code": "538214"})
    assert r.json()["status"] == "accepted"


def test_control_endpoints_refuse_remote_clients(central):
    status, answer = answer_control(central, "GET", "/_control/catalogue", b"", "192.0.2.7")
    assert status == 403 and answer["error"] == "forbidden"


def test_faults_from_json_rejects_wrong_types():
    assert Faults.from_json({"delay": 1, "only_path": "/v1/"}).delay == 1.0
    for bad in ({"error_500": -1}, {"error_500": True}, {"delay": "1"}, {"corrupt_attachments": "ab"}):
        with pytest.raises(ValueError):
            Faults.from_json(bad)


def test_cli_serves_until_sigterm(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk.refcentral", "--db", str(tmp_path / "c.sqlite3"), "--port", "0",
         "--token", "t0k", "--load", str(SAMPLE_BUNDLE), "--quiet"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = proc.stdout.readline().strip()
        prefix = "reference central system listening on "
        assert line.startswith(prefix + "http://127.0.0.1:")
        url = line.removeprefix(prefix)
        r = requests.get(url + "/v1/catalogue/changes", params={"limit": 5},
                         headers={"Authorization": "Bearer t0k", "X-Kiosk-Id": "K1"}, timeout=5)
        assert r.status_code == 200 and len(r.json()["changes"]) == 5
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_cli_reports_a_bad_load_path_in_one_line(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "kiosk.refcentral", "--db", str(tmp_path / "c.sqlite3"), "--port", "0",
         "--load", str(tmp_path / "missing.jsonl")],
        check=False, capture_output=True, text=True, timeout=30,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 1 and proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1 and "missing.jsonl" in proc.stderr
