"""Chinese line breaking: the rules a reader of a printout would notice if broken."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from printing.linebreak import CANNOT_END, CANNOT_START, break_lines, clean, paragraphs


def width_of(s: str) -> float:
    """Monospace measure: a CJK character is 2, anything else 1 (like a real font, roughly)."""
    return sum(2 if ord(c) > 0x2E80 else 1 for c in s)


def test_short_text_is_one_line():
    assert break_lines("政府信息公开", 40, width_of) == ["政府信息公开"]


def test_a_full_line_would_start_with_a_comma_so_a_character_moves_down():
    # 10 columns = 5 CJK characters; the greedy break would put "，" first on line 2
    lines = break_lines("一二三四五，六七八", 10, width_of)
    assert lines == ["一二三四", "五，六七八"]
    assert all(line[0] not in CANNOT_START for line in lines)


def test_opening_bracket_is_not_left_at_the_end_of_a_line():
    lines = break_lines("一二三四《五六》七八", 10, width_of)
    assert all(line[-1] not in CANNOT_END for line in lines)
    assert "".join(lines) == "一二三四《五六》七八"


def test_closing_pairs_move_together():
    lines = break_lines("甲乙丙丁戊」。己庚", 10, width_of)
    assert all(line[0] not in CANNOT_START for line in lines)


def test_latin_words_and_numbers_stay_whole():
    lines = break_lines("增长率为 12.5% 的 GDP 数据", 12, width_of)
    assert any("12.5" in line for line in lines)
    assert "".join(lines).replace(" ", "") == "增长率为12.5%的GDP数据"


def test_a_url_longer_than_a_line_is_cut_and_nothing_is_lost():
    url = "https://xxgk.example.gov.cn/" + "a" * 80
    lines = break_lines(url, 30, width_of)
    assert "".join(lines) == url
    assert all(width_of(line) <= 30 for line in lines)


def test_a_cut_url_piece_beginning_with_a_dot_is_not_hung_on_the_line_before():
    text = "详见https://xxgk.example.gov.cn/zfxxgk/index.html，或来电咨询。"
    lines = break_lines(text, 10, width_of)
    assert "".join(lines) == text
    assert all(width_of(line) <= 10 for line in lines[:-1])  # only "。" may hang, at the end


def test_a_space_before_a_full_stop_does_not_carry_it_to_the_next_line():
    lines = break_lines("政府信息公 。目录", 10, width_of)
    assert all(line[0] not in CANNOT_START for line in lines)
    assert "".join(lines).replace(" ", "") == "政府信息公。目录"


def test_a_line_of_nothing_but_punctuation_hangs_rather_than_breaking_the_rule():
    lines = break_lines("。。。。。。", 4, width_of)
    assert "".join(lines) == "。。。。。。"
    assert lines[0][0] not in CANNOT_START or len(lines) == 1


def test_clean_removes_control_and_direction_characters_but_keeps_paragraphs():
    assert clean("a\x00b\u202ec\r\nd\te") == "abc\nd    e"


def test_paragraphs_drop_source_indents_and_collapse_blank_runs():
    assert paragraphs("　　第一段\n\n\n  第二段\n") == ["第一段", "", "第二段"]


CJK = st.sampled_from(list("政府信息公开目录条例申请人查阅场所打印") + list("，。、；：？！）》」（《「")
                      + ["ab", "12"])


@settings(max_examples=300, deadline=None)
@given(st.lists(CJK, min_size=1, max_size=80), st.integers(min_value=4, max_value=40))
def test_rules_hold_for_any_text_and_nothing_is_lost(pieces, width):
    text = "".join(pieces)
    lines = break_lines(text, width, width_of)
    assert "".join(lines) == text
    for i, line in enumerate(lines):
        assert line, "no empty lines inside a paragraph"
        # a line may start with closing punctuation only if the text leaves no other choice
        if i > 0 and line[0] in CANNOT_START:
            assert all(c in CANNOT_START for c in lines[i - 1][1:]) or len(lines[i - 1]) == 1
        if i < len(lines) - 1 and line[-1] in CANNOT_END:
            assert len(line) == 1 or all(c in CANNOT_END for c in line)
