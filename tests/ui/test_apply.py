"""Applying for information (依申请公开) by touch: the wizard, from the first box to the receipt,
and the application arriving at the central system."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from tests.conftest import write_config
from tests.printing import pdftools
from tests.ui.driver import Kiosk, on_sample

RIGHT_ID = "11010519491231002X"
WRONG_ID = "110105194912310021"  # the check character should be X
CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture
def printer(request):
    """(cupsd, queue) when a private cupsd can run here (root), else None: the wizard is tested
    either way, the slip only where it can be captured."""
    try:
        return request.getfixturevalue("cups"), request.getfixturevalue("cups_queue")
    except pytest.skip.Exception:
        return None


@pytest.fixture
def kiosk(display, sample_catalogue, central, printer, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(sample_catalogue.data_dir, data)
    # the catalogue is not synced from this (empty) central system; applications are uploaded
    config = write_config(tmp_path / "kiosk.toml", central.url, sync_interval_minutes=0)
    if printer is not None:
        cups, queue = printer
        with open(config, "a", encoding="utf-8") as f:
            f.write(f"[printing]\nqueue = {json.dumps(queue)}\n"
                    f"cups_server = {json.dumps(cups.server)}\n")
    k = Kiosk(data, display, tmp_path, "--config", str(config))
    yield k
    k.stop()


def at_step(kiosk: Kiosk, n: int) -> bool:
    return kiosk.find(id="step", text=f"第 {n} 步")


def test_a_citizen_applies_by_touch_and_the_application_reaches_the_centre(kiosk, central,
                                                                          printer):
    kiosk.tap(id="apply")
    kiosk.wait(lambda: at_step(kiosk, 1), "step 1 of the wizard")

    # the name, typed as pinyin and chosen from the candidate bar
    kiosk.tap(id="name")
    kiosk.wait(kiosk.keyboard_shown, "the keyboard")
    kiosk.wait(lambda: not kiosk.find(id="composing")["text"].startswith("拼音输入法准备中"),
               "the pinyin dictionary", 120)
    kiosk.pinyin("lixiaoming", "李晓明")
    kiosk.wait(lambda: kiosk.find(id="name")["text"] == "李晓明", "李晓明 in the name box")

    # a mistyped ID number: the message is under the box and the wizard stays on step 1
    kiosk.fill("id_number", WRONG_ID)
    kiosk.fill("phone", "13912345678")
    kiosk.hide_keyboard()
    kiosk.tap(id="next")
    message = kiosk.wait(lambda: kiosk.find(id="id_number_error", text="校验码"), "the message")
    assert "身份证号码" in message["text"]
    assert kiosk.find(id="notice", text="有 1 处需要修改")
    assert at_step(kiosk, 1)

    kiosk.tap_rect(kiosk.reach("id_number")["rect"])  # correct the last character
    kiosk.wait(kiosk.keyboard_shown, "the keyboard")
    kiosk.tap(text="删除", exact=True)
    kiosk.keys("x")  # the box started the keyboard in letters; x is read as X
    kiosk.wait(lambda: kiosk.find(id="id_number")["text"] == RIGHT_ID[:-1] + "x", "the fix")
    kiosk.hide_keyboard()
    kiosk.tap(id="next")
    kiosk.wait(lambda: at_step(kiosk, 2), "step 2")

    # what is wanted matches published items: they are offered, and can be read
    kiosk.tap(id="description")
    kiosk.wait(kiosk.keyboard_shown, "the keyboard")
    kiosk.pinyin("xiaoqu", "小区")
    kiosk.pinyin("gaizao", "改造")
    kiosk.wait(lambda: kiosk.find(id="description")["text"] == "小区改造", "the description")
    kiosk.tap(id="next")
    kiosk.wait(lambda: kiosk.find(text="这些信息已经公开"), "the already-published offer", 30)
    assert "老旧小区改造" in kiosk.find(id="offer_0")["text"]
    kiosk.tap(id="offer_0")
    kiosk.wait(lambda: kiosk.screen() == "reader", "the reader")
    assert "小区改造" in kiosk.find(id="title")["text"]
    kiosk.tap(id="back")
    kiosk.wait(lambda: kiosk.screen() == "apply", "back in the wizard")
    kiosk.tap(id="next", text="仍要申请")

    kiosk.wait(lambda: at_step(kiosk, 3), "step 3")
    kiosk.tap(id="media_paper")
    kiosk.tap(id="delivery_pickup")
    kiosk.wait(lambda: kiosk.find(id="delivery_pickup", text="●"), "当面领取 chosen")
    kiosk.tap(id="next")

    kiosk.wait(lambda: at_step(kiosk, 4), "the review")
    assert kiosk.find(text="李晓明", exact=True)
    assert kiosk.find(text=RIGHT_ID, exact=True)  # as it will be filed: x became X
    assert kiosk.reach(text="当面领取")
    kiosk.tap(id="next", text="提交申请")

    number = kiosk.wait(lambda: kiosk.find(id="receipt_no"), "the receipt", 60)["text"]
    assert re.fullmatch(r"K01-\d{8}-0001", number)
    code = kiosk.find(id="query_code")["text"]
    assert re.fullmatch(r"\d{6}", code)
    assert kiosk.find(id="due", text="前答复")

    # the kiosk uploads it at once (the upload scheduler, nudged), personal data and all
    filed = kiosk.wait(central.applications, "the application at the centre", 90)
    assert [a["receipt_no"] for a in filed] == [number]
    assert filed[0]["query_code"] == code
    assert filed[0]["applicant"]["name"] == "李晓明"
    assert filed[0]["applicant"]["id_number"] == RIGHT_ID
    assert filed[0]["request"]["description"] == "小区改造"
    assert filed[0]["request"]["delivery"] == "pickup"
    log = kiosk.log.read_text()
    assert "李晓明" not in log and RIGHT_ID not in log and code not in log

    if printer is not None:
        cups, queue = printer
        kiosk.wait(lambda: kiosk.find(id="print_note", text="回执已经打印"), "the slip", 120)
        [slip] = cups.wait_captured(queue, 1)
        text = re.sub(r"\s", "", pdftools.text(slip.path))
        assert number in text and code in text
        assert "李*明" in text and RIGHT_ID not in text  # masked on paper
    else:
        assert kiosk.find(id="print_note", text="抄下来")

    kiosk.tap(id="next", text="完成")
    kiosk.wait(lambda: kiosk.screen() == "home", "home")
    kiosk.tap(id="apply")
    kiosk.wait(lambda: at_step(kiosk, 1), "a new wizard")
    assert kiosk.find(id="name")["text"] == ""  # nothing of the last applicant is left


def test_cancel_asks_first_and_then_forgets_everything(kiosk, central):
    kiosk.tap(id="apply")
    kiosk.wait(lambda: at_step(kiosk, 1), "step 1")
    kiosk.fill("phone", "13912345678")
    kiosk.hide_keyboard()
    kiosk.tap(id="cancel")
    kiosk.wait(lambda: kiosk.find(text="确定不申请了吗"), "the question")
    kiosk.tap(id="back", text="继续填写")
    kiosk.wait(lambda: kiosk.find(id="phone")["text"] == "13912345678", "the form, as it was")
    kiosk.tap(id="cancel")
    kiosk.wait(lambda: kiosk.find(id="next", text="确定取消申请"), "the question")
    kiosk.tap(id="next")
    kiosk.wait(lambda: kiosk.screen() == "home", "home")
    kiosk.tap(id="apply")
    kiosk.wait(lambda: at_step(kiosk, 1), "step 1")
    assert kiosk.reach("phone")["text"] == ""
    assert central.applications() == []


def test_the_wizard_speaks_english_when_asked(kiosk):
    kiosk.tap(text="English", exact=True)
    kiosk.tap(id="apply")
    kiosk.wait(lambda: kiosk.find(id="step", text="Step 1 of 5"), "step 1 in English")
    kiosk.tap(id="next")  # nothing filled in: every message, in English
    kiosk.wait(lambda: kiosk.find(id="name_error", text="required"), "the messages")
    assert kiosk.find(id="notice", text="to correct")
    assert not [w["text"] for w in kiosk.widgets("apply") if CJK.search(w["text"])]


def test_a_form_left_half_filled_is_wiped_when_the_citizen_walks_away(display, sample_catalogue,
                                                                      tmp_path):
    kiosk = on_sample(display, sample_catalogue, tmp_path, "[kiosk]\nidle_seconds = 5\n")
    try:
        kiosk.tap(id="apply")
        kiosk.wait(lambda: at_step(kiosk, 1), "step 1")
        kiosk.fill("phone", "13912345678")
        kiosk.hide_keyboard()
        kiosk.wait(lambda: kiosk.find(text="您还在使用吗"), "the question", 20)
        kiosk.wait(lambda: kiosk.screen() == "home", "the wipe", 30)
        kiosk.tap(id="apply")
        kiosk.wait(lambda: at_step(kiosk, 1), "step 1")
        assert kiosk.reach("phone")["text"] == ""
        assert "13912345678" not in kiosk.log.read_text()
    finally:
        kiosk.stop()
