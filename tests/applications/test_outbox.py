"""The outbox and uploader against the reference central system: nothing lost, nothing twice,
nothing personal left behind."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from kiosk.applications import Applications, InvalidApplication
from kiosk.config import CentralConfig, Config
from kiosk.errors import KioskError
from tests.conftest import BIN, TOKEN, admin_env, write_config

NAME = "欧阳晓明"
ID_NUMBER = "11010519491231002X"
PHONE = "13912345678"


def applicant(**kw) -> dict:
    base = {"type": "citizen", "name": NAME, "id_type": "resident_id", "id_number": ID_NUMBER,
            "phone": PHONE, "email": None, "address": "临澄市和平路18号", "postcode": "234000"}
    return {**base, **kw}


def request(**kw) -> dict:
    base = {"description": "2021年本市老旧小区改造项目的资金安排情况", "media": ["paper"],
            "delivery": "pickup", "fee_waiver": False}
    return {**base, **kw}


def config(tmp_path: Path, url: str | None, token: str = TOKEN) -> Config:
    central = CentralConfig(url=url, token=token, kiosk_id="K07") if url else CentralConfig()
    return Config(central=central, venue_name="临澄市档案馆", outbox_key_file=tmp_path / "outbox.key")


@pytest.fixture
def apps(tmp_path, central):
    a = Applications(config(tmp_path, central.url), tmp_path / "data")
    yield a
    a.close()


def raw_bytes(data: Path) -> bytes:
    return b"".join(p.read_bytes() for p in data.iterdir() if p.name.startswith("outbox"))


def test_personal_data_is_sealed_on_disk_and_gone_after_confirmation(apps, central, tmp_path):
    receipt = apps.submit(applicant(), request())
    raw = raw_bytes(tmp_path / "data")
    for secret in (NAME, ID_NUMBER, PHONE, "老旧小区改造", receipt.query_code):
        assert secret.encode() not in raw, secret
    assert apps.outbox.get(receipt.receipt_no).holds_personal_data

    report = apps.send()
    assert report.sent == [receipt.receipt_no]
    entry = apps.outbox.get(receipt.receipt_no)
    assert entry.state == "sent" and not entry.holds_personal_data
    assert entry.tracking_no.startswith("XXGK-") and entry.due_date
    filed = central.applications()
    assert len(filed) == 1 and filed[0]["applicant"]["id_number"] == ID_NUMBER
    assert filed[0]["receipt_no"] == receipt.receipt_no
    assert filed[0]["kiosk"] == {"id": "K07", "venue": "临澄市档案馆"}
    with sqlite3.connect(tmp_path / "data" / "outbox.sqlite3") as db:
        assert db.execute("SELECT sealed FROM applications").fetchone() == (None,)


def test_receipts_are_numbered_per_kiosk_and_day(apps):
    day = dt.datetime(2026, 11, 23, 10, 15).astimezone()
    first = apps.submit(applicant(), request(), now=day)
    second = apps.submit(applicant(), request(), now=day)
    assert (first.receipt_no, second.receipt_no) == ("K07-20261123-0001", "K07-20261123-0002")
    assert first.query_code.isdigit() and len(first.query_code) == 6
    assert first.expected_due == "2026-12-21"  # 20 working days after Monday 23 November


def test_invalid_form_is_refused_naming_every_field_and_nothing_is_stored(apps):
    with pytest.raises(InvalidApplication) as err:
        apps.submit(applicant(id_number="110105194912310021", phone="12345"),
                    request(description=""))
    fields = {e.field for e in err.value.errors}
    assert {"applicant.id_number", "applicant.phone", "request.description"} <= fields
    assert apps.outbox.entries() == []


@pytest.mark.parametrize("fault", [{"error_500": 3}, {"rate_limit": 1, "retry_after": 0.3},
                                   {"drop_body": 2}, {"unavailable": 1, "retry_after": 0.2}])
def test_faults_end_with_exactly_one_application_at_the_centre(apps, central, fault):
    apps.config = Config(central=apps.config.central, venue_name="临澄市档案馆",
                         outbox_key_file=apps.config.outbox_key_file)
    receipts = [apps.submit(applicant(), request()).receipt_no for _ in range(3)]
    central.set_faults(**fault)
    report = apps.send()
    assert report.sent == receipts
    filed = sorted(a["receipt_no"] for a in central.applications())
    assert filed == receipts  # each exactly once, even where the answer was cut off


def test_network_down_keeps_everything_pending_with_a_reason(tmp_path):
    a = Applications(config(tmp_path, "http://127.0.0.1:9"), tmp_path / "data")
    receipt = a.submit(applicant(), request())
    report = a.send()
    assert report.stopped["kind"] == "network" and report.waiting == 1
    entry = a.outbox.get(receipt.receipt_no)
    assert entry.state == "pending" and entry.next_attempt_at > time.time()
    assert "中心系统" in entry.last_error["zh"] and entry.holds_personal_data
    a.close()


def test_wrong_token_stops_and_keeps_the_application(tmp_path, central):
    a = Applications(config(tmp_path, central.url, token="wrong"), tmp_path / "data")
    receipt = a.submit(applicant(), request())
    report = a.send()
    assert report.stopped["kind"] == "auth"
    assert a.outbox.get(receipt.receipt_no).state == "pending"
    assert central.applications() == []
    a.close()


def test_invalid_at_the_centre_waits_for_staff_who_correct_it(apps, central, monkeypatch):
    # the kiosk's own checks pass, but the central system refuses the e-mail delivery without
    # an address it accepts: produce a real 422 by sending a form the kiosk would not build
    from kiosk.applications import outbox as outbox_mod

    receipt = apps.submit(applicant(), request())
    original = outbox_mod.Outbox.payload

    def broken(self, receipt_no, **kw):
        body, key = original(self, receipt_no, **kw)
        body["applicant"]["phone"] = "not a phone"
        return body, key

    monkeypatch.setattr(outbox_mod.Outbox, "payload", broken)
    report = apps.send()
    monkeypatch.undo()
    assert report.needs_staff == [receipt.receipt_no]
    entry = apps.outbox.get(receipt.receipt_no)
    assert entry.state == "needs_staff" and entry.error_fields == ["applicant.phone"]
    assert "applicant.phone" in apps.outbox.field_errors(receipt.receipt_no)
    assert apps.send().sent == []  # not retried by itself

    apps.correct(receipt.receipt_no, applicant(phone="0558-1234567"), request())
    assert apps.send().sent == [receipt.receipt_no]
    assert [a["applicant"]["phone"] for a in central.applications()] == ["0558-1234567"]


def test_another_refusal_parks_the_application_until_staff_retry_it(apps, central):
    receipt = apps.submit(applicant(), request())
    central.set_faults(refuse_applications=409)
    report = apps.send()
    assert report.parked == [receipt.receipt_no] and report.sent == []
    entry = apps.outbox.get(receipt.receipt_no)
    assert entry.state == "parked" and "409" in json.dumps(entry.last_error, ensure_ascii=False)
    assert apps.send().parked == []  # parked: not retried on its own
    assert central.applications() == []

    central.set_faults()
    apps.outbox.retry(receipt.receipt_no)
    assert apps.send().sent == [receipt.receipt_no]
    assert len(central.applications()) == 1


def test_status_online_offline_and_before_upload(apps, central, tmp_path):
    receipt = apps.submit(applicant(), request())
    waiting = apps.status(receipt.receipt_no, receipt.query_code)
    assert waiting.found and waiting.waiting_upload
    apps.send()
    first_due = apps.outbox.get(receipt.receipt_no).due_date
    central.set_status(receipt.receipt_no, "extended", due_date="2027-03-01")  # 延期答复
    online = apps.status(receipt.receipt_no, receipt.query_code)
    assert online.online and online.status == "extended" and online.tracking_no
    assert online.due_date == "2027-03-01" != first_due
    assert apps.outbox.get(receipt.receipt_no).due_date == "2027-03-01"

    wrong = apps.status(receipt.receipt_no, "000000" if receipt.query_code != "000000" else "1")
    unknown = apps.status("K07-20200101-0001", receipt.query_code)
    assert not wrong.found and not unknown.found

    central.stop()
    offline = apps.status(receipt.receipt_no, receipt.query_code)
    assert offline.found and not offline.online
    assert offline.status == "extended" and offline.checked_at == online.checked_at
    assert offline.due_date == "2027-03-01"


def test_the_key_must_live_outside_the_data_directory(tmp_path):
    bad = Config(outbox_key_file=tmp_path / "data" / "outbox.key")
    with pytest.raises(KioskError, match="数据目录"):
        Applications(bad, tmp_path / "data")


def test_a_lost_key_is_a_clear_error_not_a_new_key(tmp_path):
    a = Applications(config(tmp_path, None), tmp_path / "data")
    a.submit(applicant(), request())
    a.close()
    (tmp_path / "outbox.key").unlink()
    with pytest.raises(KioskError, match="备份"):
        Applications(config(tmp_path, None), tmp_path / "data")


def test_uploader_killed_at_random_moments_files_each_application_once(central, tmp_path):
    seed = int(os.environ.get("KILL_SEED", time.time()))
    rng = random.Random(seed)
    cfg = write_config(tmp_path / "kiosk.toml", central.url)
    data = tmp_path / "data"
    form = tmp_path / "form.json"
    form.write_text(json.dumps({"applicant": applicant(), "request": request()},
                               ensure_ascii=False), encoding="utf-8")
    central.set_faults(delay=0.3)  # the centre files each one, then answers slowly
    receipts = []
    admin = [str(BIN / "kiosk-admin"), "--config", str(cfg), "--data-dir", str(data)]
    for _ in range(8):
        proc = subprocess.Popen([*admin, "apply", "--from-json", str(form), "--json"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                env=admin_env())
        time.sleep(rng.uniform(0.2, 1.5))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        out = proc.communicate()[0]
        if out:
            receipts.append(json.loads(out)["receipt_no"])
    with Applications(Config(path=cfg, central=CentralConfig(url=central.url, token=TOKEN,
                                                             kiosk_id="K01")), data) as apps:
        stored = [e.receipt_no for e in apps.outbox.entries()]
    assert set(receipts) <= set(stored)  # every receipt handed out is in the outbox
    central.set_faults()
    r = subprocess.run([*admin, "outbox", "send", "--json"], capture_output=True, text=True,
                       env=admin_env(), check=False, timeout=120)
    assert r.returncode == 0, f"seed {seed}: {r.stderr}"
    filed = sorted(a["receipt_no"] for a in central.applications())
    assert filed == sorted(stored), f"seed {seed}"  # exactly once each
    with Applications(Config(path=cfg), data) as apps:
        assert all(e.state == "sent" and not e.holds_personal_data for e in apps.outbox.entries())
