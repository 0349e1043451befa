"""Staff entering and following applications with `kiosk-admin apply`, `outbox`, `status`."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.applications.test_outbox import ID_NUMBER, NAME, applicant, request
from tests.conftest import BIN, SAMPLE_BUNDLE, admin_env, write_config

ADMIN = BIN / "kiosk-admin"


def admin(config: Path, data: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(ADMIN), "--config", str(config), "--data-dir", str(data), *args],
                          capture_output=True, text=True, env=admin_env(), timeout=300,
                          check=False)


def form(tmp_path: Path, **request_fields) -> Path:
    path = tmp_path / "form.json"
    path.write_text(json.dumps({"applicant": applicant(), "request": request(**request_fields)},
                               ensure_ascii=False), encoding="utf-8")
    return path


def test_a_paper_application_is_filed_sent_and_looked_up(central, tmp_path):
    config = write_config(tmp_path / "kiosk.toml", central.url)
    data = tmp_path / "data"
    r = admin(config, data, "apply", "--from-json", str(form(tmp_path)), "--json")
    assert r.returncode == 0, r.stderr
    receipt = json.loads(r.stdout)
    assert receipt["receipt_no"].startswith("K01-") and receipt["state"] == "sent"
    assert receipt["tracking_no"].startswith("XXGK-")
    assert central.applications()[0]["applicant"]["name"] == NAME

    listing = admin(config, data, "outbox")
    assert receipt["receipt_no"] in listing.stdout and "已送达" in listing.stdout
    assert NAME not in listing.stdout and ID_NUMBER not in listing.stdout  # no personal data

    status = admin(config, data, "status", receipt["receipt_no"], receipt["query_code"])
    assert status.returncode == 0 and "已收到" in status.stdout
    wrong = admin(config, data, "status", receipt["receipt_no"], "999999x")
    assert wrong.returncode == 1 and "不对" in wrong.stdout


def test_apply_offers_what_is_already_published(central, tmp_path):
    config = write_config(tmp_path / "kiosk.toml", central.url)
    data = tmp_path / "data"
    assert admin(config, data, "import", str(SAMPLE_BUNDLE)).returncode == 0
    r = admin(config, data, "apply", "--from-json",
              str(form(tmp_path, description="老旧小区改造")), "--json")
    offered = json.loads(r.stdout)["already_published"]
    assert offered and "老旧小区" in offered[0]["title"]


def test_apply_check_offers_published_items_before_filing(central, tmp_path):
    config = write_config(tmp_path / "kiosk.toml", central.url)
    data = tmp_path / "data"
    assert admin(config, data, "import", str(SAMPLE_BUNDLE)).returncode == 0
    r = admin(config, data, "apply", "--check", "--from-json",
              str(form(tmp_path, description="老旧小区改造")), "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["valid"] and "老旧小区" in out["already_published"][0]["title"]
    assert central.applications() == []
    assert json.loads(admin(config, data, "outbox", "--json").stdout) == []


def test_an_invalid_form_lists_every_problem_and_files_nothing(central, tmp_path):
    config = write_config(tmp_path / "kiosk.toml", central.url)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"applicant": applicant(id_number="123", postcode="12"),
                               "request": request(delivery="pigeon")}), encoding="utf-8")
    r = admin(config, tmp_path / "data", "apply", "--from-json", str(bad))
    assert r.returncode == 3
    for field in ("applicant.id_number", "applicant.postcode", "request.delivery"):
        assert field in r.stdout
    assert central.applications() == []


def test_offline_applications_wait_and_go_with_outbox_send(central, tmp_path):
    offline = write_config(tmp_path / "kiosk.toml", "http://127.0.0.1:9")
    data = tmp_path / "data"
    r = admin(offline, data, "apply", "--from-json", str(form(tmp_path)), "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["state"] == "pending"
    receipt = json.loads(r.stdout)["receipt_no"]
    admin(offline, data, "outbox", "retry", receipt)  # staff cut the wait short
    online = write_config(tmp_path / "kiosk.toml", central.url)
    sent = admin(online, data, "outbox", "send", "--json")
    assert sent.returncode == 0, sent.stderr
    assert json.loads(sent.stdout)["sent"] == [receipt]
    assert [a["receipt_no"] for a in central.applications()] == [receipt]
