"""The staff page behind the PIN, by touch: the pad, its tries and its lock; sync with progress
against a loopback central system; the outbox; the printer; the figures; closing the kiosk."""

from __future__ import annotations

import json
import shutil
import subprocess

from tests.conftest import BIN, SAMPLE_BUNDLE, admin_env, make_item, write_config
from tests.ui.driver import Kiosk

PIN = "246810"
ARCHIVE_ID = "1133130047125893X0-640-2023-0006"  # a sample item


def set_pin(data, pin: str = PIN) -> None:
    """As an administrator would, at a shell: `kiosk-admin staff-pin` reading standard input."""
    subprocess.run([str(BIN / "kiosk-admin"), "--data-dir", str(data), "staff-pin"],
                   input=pin + "\n", text=True, env=admin_env(), check=True, capture_output=True)


def copy_sample(sample_catalogue, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(sample_catalogue.data_dir, data)
    return data


def open_pad(kiosk: Kiosk) -> None:
    kiosk.tap(id="staff")
    kiosk.wait(lambda: kiosk.screen() == "staff_pin", "the PIN pad")


def type_pin(kiosk: Kiosk, pin: str) -> None:
    for digit in pin:
        kiosk.tap(id=f"key_{digit}")
    kiosk.wait(lambda: kiosk.find(id="dots")["text"] == "●" * len(pin), "a dot per digit")
    kiosk.tap(id="enter")


def keys_shown(kiosk: Kiosk) -> list[str]:
    return [w["id"] for w in kiosk.widgets("staff_pin") if (w["id"] or "").startswith("key_")]


def test_without_a_pin_only_back_is_offered_and_once_set_the_pin_opens_the_page_until_left(
        display, sample_catalogue, tmp_path):
    data = copy_sample(sample_catalogue, tmp_path)
    kiosk = Kiosk(data, display, tmp_path)
    try:
        open_pad(kiosk)
        kiosk.wait(lambda: kiosk.find(id="prompt", text="kiosk-admin staff-pin"), "the message")
        assert keys_shown(kiosk) == []  # nothing to type into: only 返回
        assert not [w for w in kiosk.widgets("staff_pin") if w["id"] in ("enter", "clear")]
        kiosk.tap(id="back")
        kiosk.wait(lambda: kiosk.screen() == "home", "home again")

        set_pin(data)  # the administrator sets one; the running kiosk asks for it from now on
        open_pad(kiosk)
        kiosk.wait(lambda: kiosk.find(id="prompt", text="请输入工作人员密码"), "the prompt")
        assert sorted(keys_shown(kiosk)) == [f"key_{d}" for d in range(10)]
        type_pin(kiosk, PIN)
        kiosk.wait(lambda: kiosk.screen() == "staff", "the staff page")

        kiosk.tap(id="home")  # leaving the page forgets the PIN
        kiosk.wait(lambda: kiosk.screen() == "home", "home again")
        open_pad(kiosk)
        assert kiosk.find(id="dots")["text"] == ""
        assert not [w for w in kiosk.widgets() if w["screen"] == "staff"]
    finally:
        kiosk.stop()


def test_wrong_pins_count_down_then_lock_even_against_the_right_one(display, sample_catalogue,
                                                                    tmp_path):
    data = copy_sample(sample_catalogue, tmp_path)
    set_pin(data)
    kiosk = Kiosk(data, display, tmp_path)
    try:
        open_pad(kiosk)
        for left in (4, 3, 2, 1):
            type_pin(kiosk, "1111")
            kiosk.wait(lambda n=left: kiosk.find(id="message", text=f"还可以再试 {n} 次"),
                       f"{left} tries left")
            assert kiosk.find(id="dots")["text"] == ""  # the entry is gone after each try
        type_pin(kiosk, "1111")
        kiosk.wait(lambda: kiosk.find(id="message", text="已锁定。请 5 分钟后再试"), "the lock")

        kiosk.tap(id="back")  # leaving and coming back does not lift the lock
        open_pad(kiosk)
        assert kiosk.find(id="message")["text"] == ""
        type_pin(kiosk, PIN)
        kiosk.wait(lambda: kiosk.find(id="message", text="已锁定"), "the right PIN refused")
        assert kiosk.screen() == "staff_pin"
        assert "kiosk: staff: page opened" not in kiosk.log.read_text()
    finally:
        kiosk.stop()


def test_the_staff_page_uploads_syncs_with_progress_shows_the_printer_and_closes_the_kiosk(
        display, sample_catalogue, central, cups, cups_queue, tmp_path):
    from kiosk.applications import Applications
    from kiosk.config import load
    from tests.applications.test_outbox import ID_NUMBER, NAME, PHONE, applicant, request

    data = copy_sample(sample_catalogue, tmp_path)
    set_pin(data)
    before = sample_catalogue.search("").total
    central.load(SAMPLE_BUNDLE)
    central.upsert(make_item(1, title="关于开展冬季供暖安全检查的通知"))
    central.upsert(make_item(2, title="关于调整城市公交线路的公告"))
    # slow pages, so the sync lasts long enough to watch it and to use the screen meanwhile
    central.set_faults(delay=0.6, only_path="/v1/catalogue/changes")
    config = write_config(tmp_path / "kiosk.toml", central.url, sync_interval_minutes=0,
                          page_size=50)
    with open(config, "a", encoding="utf-8") as f:
        f.write(f"[printing]\nqueue = {json.dumps(cups_queue)}\n"
                f"cups_server = {json.dumps(cups.server)}\n")
    with Applications(load(str(config)), data) as apps:
        receipt = apps.submit(applicant(), request())
    cups.disable(cups_queue)  # the printer was stopped, with a job left waiting
    subprocess.run([str(BIN / "kiosk-admin"), "--data-dir", str(data), "--config", str(config),
                    "print", ARCHIVE_ID, "--no-wait"], env=admin_env(), check=True,
                   capture_output=True)

    kiosk = Kiosk(data, display, tmp_path, "--config", str(config))
    try:
        open_pad(kiosk)
        type_pin(kiosk, PIN)
        kiosk.wait(lambda: kiosk.screen() == "staff", "the staff page")
        kiosk.wait(lambda: kiosk.find(id="sync_items", text=f"目录共 {before} 条"), "the count")

        # the outbox first, before the background uploader's first round could send it
        kiosk.tap(id="tab_outbox")
        kiosk.wait(lambda: kiosk.find(id="outbox_counts", text="等待上传：1 件"), "one waiting")
        assert receipt.receipt_no in kiosk.find(id="outbox_unsent")["text"]
        kiosk.tap(id="upload_now")
        kiosk.wait(lambda: kiosk.find(id="outbox_status", text="已上传 1 件"), "the upload", 60)
        kiosk.wait(lambda: kiosk.find(id="outbox_counts", text="已送达中心：1 件"), "sent")
        assert [a["receipt_no"] for a in central.applications()] == [receipt.receipt_no]
        shown = " ".join(w["text"] for w in kiosk.widgets())
        assert not any(secret in shown for secret in (NAME, ID_NUMBER, PHONE))

        kiosk.tap(id="tab_sync")
        kiosk.tap(id="sync_now")
        kiosk.wait(lambda: kiosk.find(id="sync_status", text="正在读取中心目录"), "progress")
        kiosk.tap(id="tab_figures")  # the screen answers while the sync runs
        kiosk.wait(lambda: kiosk.find(id="fig_rows", text="来访人次"), "the figures")
        assert kiosk.find(id="fig_values")["text"].split("\n")[0] == "1"  # this visit
        kiosk.tap(id="tab_sync")
        kiosk.wait(lambda: kiosk.find(id="sync_status", text="同步完成：新增 2 条"), "the outcome",
                   180)
        kiosk.wait(lambda: kiosk.find(id="sync_items", text=f"目录共 {before + 2} 条"),
                   "the new count")
        assert kiosk.find(id="sync_last", text="上次同步成功：20")

        kiosk.tap(id="tab_printer")
        kiosk.wait(lambda: kiosk.find(id="printer_state", text="需要处理"), "the queue's state", 30)
        assert f"cupsenable {cups_queue}" in kiosk.find(id="printer_problems")["text"]
        jobs = kiosk.find(id="printer_jobs")["text"]
        assert "#1 " in jobs and "已发送" in jobs and ARCHIVE_ID in jobs

        kiosk.tap(id="tab_exit")
        kiosk.wait(lambda: kiosk.find(id="exit_confirm"), "the question")
        assert kiosk.proc.poll() is None  # asked, not done yet
        kiosk.tap(id="exit_confirm")
        assert kiosk.proc.wait(timeout=60) == 0
        assert "kiosk: staff: exit confirmed" in kiosk.log.read_text()
    finally:
        kiosk.stop()
