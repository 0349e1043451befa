"""CJKLabel on a real display: what Kivy lays out obeys the printers' line-breaking rules.

The labels are built and drawn in a child process on the private Xvfb (Kivy needs a GL window to
make textures); it reports, for each case, the lines Kivy itself laid out (`_cached_lines`, the
lines on screen) and the width of each as the text provider measures it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from printing.linebreak import CANNOT_END, CANNOT_START

PARAGRAPH = (
    "根据《中华人民共和国政府信息公开条例》（国务院令第711号）第二十七条、第二十九条的规定，"
    "现将本机关2023年度政府信息公开工作情况报告如下：一、总体情况。二、主动公开情况！"
    "三、收到和处理申请情况？“依申请公开”、「不予公开」、【其他】……GDP增长12.5%。"
    "详见本机关门户网站，或来电咨询（电话：0557-3021234）。"
)
WIDTHS = (150, 233, 341, 517, 900)
FONT_SIZE = 28

SCRIPT = textwrap.dedent("""
    import json, os, sys, time
    os.environ["KIVY_NO_ARGS"] = "1"
    from kivy.core.window import Window  # noqa: F401  (a GL context for textures)
    from kivy.core.text import LabelBase
    from printing.fonts import find_cjk_font
    LabelBase.register("KioskCJK", str(find_cjk_font().path))
    from kivy.utils import escape_markup
    from kiosk.ui.cjklabel import CJKLabel, measurer

    cases = json.loads(sys.stdin.read())
    measure = measurer(font_name="KioskCJK", font_size=cases["font_size"])
    out = []
    for case in cases["labels"]:
        if "width_of" in case:  # a line exactly as wide as this text
            case["width"] = measure.whole(case["width_of"])
        label = CJKLabel(text=case["text"], markup=case.get("markup", False),
                         indent=case.get("indent", 0), font_name="KioskCJK",
                         font_size=cases["font_size"], text_size=(case["width"], None),
                         padding=case.get("padding", 0))
        if case.get("rewidth"):
            label.texture_update()
            label.text_size = (case["rewidth"], None)
        began = time.perf_counter()
        label.texture_update()
        took = time.perf_counter() - began
        lines = ["".join(w.text for w in line.words) for line in label._label._cached_lines]
        out.append({"lines": lines, "widths": [measure.whole(x) for x in lines],
                    "heights": [line.h for line in label._label._cached_lines],
                    "texture": list(label.texture_size), "hang": label.hang,
                    "text": label.text, "ms": took * 1000, "drawn": label.lines,
                    "width": case["width"]})
    print(json.dumps(out))
""")


def draw(display, labels: list[dict]) -> list[dict]:
    proc = subprocess.run([sys.executable, "-c", SCRIPT], env=display, text=True, timeout=180,
                          input=json.dumps({"font_size": FONT_SIZE, "labels": labels}),
                          capture_output=True, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def check_rules(lines: list[str], widths: list[float], width: float) -> None:
    for i, line in enumerate(lines):
        assert line, f"an empty line inside the paragraph: {lines}"
        assert line[0] not in CANNOT_START, f"line {i} starts with {line[0]!r}: {lines}"
        assert line[-1] not in CANNOT_END, f"line {i} ends with {line[-1]!r}: {lines}"
        if widths[i] > width:  # only hanging punctuation may pass the margin
            assert line[-1] in CANNOT_START, f"line {i} is {widths[i]} px wide, over {width}"


@pytest.fixture(scope="module")
def drawn(display):
    labels = [{"text": PARAGRAPH, "width": w} for w in WIDTHS]
    return draw(display, labels)


def test_no_line_starts_or_ends_with_forbidden_punctuation_at_any_width(drawn):
    for width, case in zip(WIDTHS, drawn, strict=True):
        assert len(case["lines"]) > 1
        check_rules(case["lines"], case["widths"], width)
        assert case["hang"] == 0  # this text always leaves a rule-abiding place to break


def test_no_character_is_lost_and_the_text_stays_what_was_set(drawn):
    for case in drawn:
        assert "".join(case["lines"]) == PARAGRAPH
        assert case["text"] == PARAGRAPH  # what tests and the driver find the label by
        assert case["drawn"] == case["lines"]  # Kivy wrapped nothing on its own


def test_latin_words_and_numbers_stay_whole_when_they_fit(drawn):
    wide = drawn[WIDTHS.index(517)]["lines"]
    assert any("2023" in line for line in wide)
    assert any("12.5%" in line for line in wide)


def test_height_follows_the_lines_for_size_to_texture_layouts(drawn):
    for width, case in zip(WIDTHS, drawn, strict=True):
        assert case["texture"][0] == width
        assert case["texture"][1] == sum(case["heights"])
    assert drawn[0]["texture"][1] > drawn[-1]["texture"][1]  # narrower, taller


def test_markup_highlights_and_escaped_brackets_survive_the_breaks(display):
    text = ("[b][color=#c62828]政府信息公开[/color][/b]目录&bl;试行&br;，条例第&amp;十条、第"
            "[b][color=#c62828]二十九条[/color][/b]规定：（一）申请人；（二）查阅场所。")
    plain = "政府信息公开目录[试行]，条例第&十条、第二十九条规定：（一）申请人；（二）查阅场所。"
    widths = (120, 200, 290)
    cases = draw(display, [{"text": text, "markup": True, "width": w} for w in widths])
    for width, case in zip(widths, cases, strict=True):
        assert "".join(case["lines"]) == plain
        check_rules(case["lines"], case["widths"], width)


def test_first_line_indent_and_paragraphs(display):
    text = "第一段，政府信息公开工作年度报告。\n\n第二段（依申请公开）情况说明。"
    [case] = draw(display, [{"text": text, "width": 200, "indent": 2, "padding": 10}])
    lines = case["lines"]
    assert lines[0].startswith("\u3000\u3000第一段")
    assert "" in lines  # the blank line between paragraphs keeps its height
    second = lines.index("") + 1
    assert lines[second].startswith("\u3000\u3000第二段")
    assert "".join(lines).replace("\u3000", "") == text.replace("\n", "")
    check_rules([x for x in lines if x], [w for x, w in zip(lines, case["widths"], strict=True)
                                          if x], 200 - 20)


def test_the_lines_follow_a_new_width(display):
    [case] = draw(display, [{"text": PARAGRAPH, "width": 900, "rewidth": 233}])
    check_rules(case["lines"], case["widths"], 233)
    assert len(case["lines"]) > 10


def test_punctuation_hangs_rather_than_starting_a_line(display):
    # a run of digits filling a whole line, then a full stop: no break is allowed before the
    # stop, so it hangs past the margin (悬挂), and Kivy must not push it down on its own
    text = "政府信息公开" + "123456789" + "。目录"
    [case] = draw(display, [{"text": text, "width_of": "123456789"}])
    width = case["width"]
    assert "123456789。" in case["lines"]
    assert case["hang"] > 0 and case["texture"][0] == width + case["hang"]
    check_rules(case["lines"], case["widths"], width)
    assert "".join(case["lines"]) == text


def test_a_long_body_paragraph_breaks_quickly(display):
    text = PARAGRAPH * 15  # about 2,700 characters
    [case] = draw(display, [{"text": text, "width": 900}])
    assert "".join(case["lines"]) == text
    assert case["ms"] < 400, f"{case['ms']:.0f} ms"  # Kivy's own wrapping takes about 250 ms


def test_a_url_longer_than_the_line_is_cut_within_the_width(display):
    text = "详见https://xxgk.example.gov.cn/zfxxgk/index.html，或来电咨询。"
    [case] = draw(display, [{"text": text, "width": 150}])
    assert "".join(case["lines"]) == text
    # a piece of the cut URL may begin with "." (it is no punctuation there); only width counts
    assert all(w <= 150 for w in case["widths"]), case["lines"]


def test_a_space_before_a_full_stop_does_not_move_it_to_the_next_line(display):
    text = "政府信息公 。目录"  # five characters fill a line of 150 px
    [case] = draw(display, [{"text": text, "width": 150}])
    check_rules(case["lines"], case["widths"], 150)


KV_SCRIPT = textwrap.dedent("""
    import json, os
    os.environ["KIVY_NO_ARGS"] = "1"
    from kivy.core.window import Window
    from kivy.core.text import LabelBase
    from kivy.base import EventLoop
    from kivy.clock import Clock
    from kivy.lang import Builder
    from printing.fonts import find_cjk_font
    LabelBase.register("KioskCJK", str(find_cjk_font().path))
    import kiosk.ui.cjklabel  # noqa: F401  (as app.py does before loading kv files)

    root = Builder.load_string('''
    BoxLayout:
        orientation: "vertical"
        size_hint: None, None
        size: 420, 800
        CJKLabel:
            id: body
            text: %r
            font_name: "KioskCJK"
            font_size: 28
            markup: False
            text_size: self.width, None
            size_hint_y: None
            height: self.texture_size[1]
        Widget:
    ''')
    Window.add_widget(root)
    EventLoop.ensure_window()
    for _ in range(10):
        Clock.tick()
    body = root.ids.body
    print(json.dumps({"height": body.height, "width": body.width, "lines": body.lines,
                      "texture": list(body.texture_size)}))
""")


def test_a_kv_label_switched_to_cjklabel_sizes_itself_to_its_lines(display):
    proc = subprocess.run([sys.executable, "-c", KV_SCRIPT % PARAGRAPH], env=display, text=True,
                          timeout=180, capture_output=True, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["width"] == 420
    assert len(out["lines"]) > 5 and "".join(out["lines"]) == PARAGRAPH
    assert out["height"] == out["texture"][1] > 28 * 5  # sized to its lines, font size 28
