"""A citizen walks away: the countdown, "continue", and the wipe back to an empty home screen."""

from __future__ import annotations

from tests.ui.driver import on_sample


def test_the_countdown_continues_on_a_touch_and_then_wipes_everything(display, sample_catalogue,
                                                                       tmp_path):
    kiosk = on_sample(display, sample_catalogue, tmp_path, "[kiosk]\nidle_seconds = 5\n")
    try:
        kiosk.tap(id="search")
        kiosk.wait(lambda: kiosk.screen() == "search", "the search screen")
        kiosk.type("laojiu xiaoqu")
        kiosk.wait(lambda: kiosk.find(text="老旧小区"), "results")
        kiosk.tap(text="老旧小区")
        kiosk.wait(lambda: kiosk.screen() == "reader", "the reader")
        kiosk.tap(id="bigger")

        kiosk.wait(lambda: kiosk.find(text="您还在使用吗"), "the question", 15)
        assert kiosk.find(text="秒后将返回首页")
        kiosk.tap(id="keep")
        kiosk.wait(lambda: not any("您还在使用吗" in w["text"] for w in kiosk.widgets()), "continue")
        assert kiosk.screen() == "reader"  # nothing was lost by answering

        kiosk.wait(lambda: kiosk.find(text="您还在使用吗"), "the question again", 15)
        kiosk.wait(lambda: kiosk.screen() == "home", "the wipe", 30)
        assert "idle: wiped" in kiosk.log.read_text()
        kiosk.tap(id="search")
        kiosk.wait(lambda: kiosk.screen() == "search", "the search screen")
        assert kiosk.find(id="box")["text"] == ""  # the last person's search is gone
        assert not [w for w in kiosk.widgets("search") if "老旧小区" in w["text"]]
    finally:
        kiosk.stop()
