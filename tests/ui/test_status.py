"""Checking an application by touch: receipt number and query code in, its state in words out."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from tests.applications.test_outbox import applicant, request
from tests.conftest import BIN, admin_env, write_config
from tests.ui.driver import Kiosk

REPLY = "您申请的信息已于今日邮寄。"


def file_by_staff(config, data, tmp_path) -> dict:
    """An application entered with `kiosk-admin apply`, as a clerk would; its receipt as JSON."""
    form = tmp_path / "form.json"
    form.write_text(json.dumps({"applicant": applicant(), "request": request()},
                               ensure_ascii=False), encoding="utf-8")
    done = subprocess.run([str(BIN / "kiosk-admin"), "--config", str(config), "--data-dir",
                           str(data), "apply", "--from-json", str(form), "--json"],
                          capture_output=True, text=True, env=admin_env(), timeout=300,
                          check=True)
    return json.loads(done.stdout)


@pytest.fixture
def data(sample_catalogue, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(sample_catalogue.data_dir, data)
    return data


def look_up(kiosk: Kiosk, receipt_keys: str, code: str) -> None:
    """Type both numbers on the on-screen keyboard and tap 查询."""
    for box, keys in (("receipt_no", receipt_keys), ("query_code", code)):
        if kiosk.wait(lambda box=box: kiosk.find(id=box), box)["text"] == keys:
            continue
        kiosk.tap(id=box)
        kiosk.wait(lambda: any(w["type"] == "Key" for w in kiosk.widgets()), "the keyboard")
        typed = kiosk.wait(lambda box=box: kiosk.find(id=box), f"{box} above the keyboard")
        for _ in typed["text"]:
            kiosk.tap(text="删除", exact=True)
        kiosk.wait(lambda box=box: kiosk.find(id=box)["text"] == "", f"{box} emptied")
        kiosk.keys(keys)
        kiosk.wait(lambda box=box, keys=keys: kiosk.find(id=box)["text"] == keys, f"{box} typed")
    kiosk.tap(text="收起", exact=True)
    kiosk.tap(id="query")


def test_an_application_is_looked_up_by_touch_and_a_wrong_code_refused(display, data, central,
                                                                       tmp_path):
    config = write_config(tmp_path / "kiosk.toml", central.url, sync_interval_minutes=0)
    receipt = file_by_staff(config, data, tmp_path)
    assert receipt["state"] == "sent"
    central.set_status(receipt["receipt_no"], "replied", reply=REPLY)
    kiosk = Kiosk(data, display, tmp_path, "--config", str(config))
    try:
        kiosk.tap(id="status")
        kiosk.wait(lambda: kiosk.screen() == "status", "the status screen")
        # the keyboard has no "-" and types lower case: K01-20261122-0001 as k01202611220001
        typed = receipt["receipt_no"].replace("-", "").lower()
        look_up(kiosk, typed, receipt["query_code"])
        kiosk.wait(lambda: kiosk.find(id="state", text="已答复"), "the state", 60)
        assert receipt["receipt_no"] in kiosk.find(id="answer")["text"]
        assert "答复期限" in kiosk.find(id="answer")["text"]
        assert kiosk.find(id="reply")["text"] == REPLY

        wrong = "000000" if receipt["query_code"] != "000000" else "111111"
        look_up(kiosk, typed, wrong)
        kiosk.wait(lambda: kiosk.find(id="state", text="没有查到"), "the refusal", 60)
        assert "回执号或查询码不对" in kiosk.find(id="answer")["text"]
        assert not [w for w in kiosk.widgets("status") if REPLY in w["text"]]  # the reply went

        kiosk.tap(id="back")
        kiosk.wait(lambda: kiosk.screen() == "home", "home")
        kiosk.tap(id="status")
        kiosk.wait(lambda: kiosk.screen() == "status", "the status screen")
        assert kiosk.find(id="receipt_no")["text"] == ""  # nothing of the last lookup is left
        assert not [w for w in kiosk.widgets("status") if "已答复" in w["text"]]
    finally:
        kiosk.stop()


def test_offline_the_kiosk_says_what_it_knows_and_why_it_cannot_say_more(display, data,
                                                                          tmp_path):
    config = write_config(tmp_path / "kiosk.toml", "http://127.0.0.1:9", sync_interval_minutes=0)
    receipt = file_by_staff(config, data, tmp_path)
    assert receipt["state"] == "pending"  # the central system cannot be reached
    kiosk = Kiosk(data, display, tmp_path, "--config", str(config))
    try:
        kiosk.tap(id="status")
        kiosk.wait(lambda: kiosk.screen() == "status", "the status screen")
        look_up(kiosk, receipt["receipt_no"].replace("-", "").lower(), receipt["query_code"])
        kiosk.wait(lambda: kiosk.find(id="state", text="等待提交"), "the saved application", 60)
        assert "预计答复日期" in kiosk.find(id="answer")["text"]

        look_up(kiosk, "k01202001010001", "123456")  # on no kiosk, and the centre unreachable
        kiosk.wait(lambda: kiosk.find(id="answer", text="连不上中心系统"), "offline", 60)
    finally:
        kiosk.stop()
