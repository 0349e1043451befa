"""What a citizen sees in the candidate bar while typing pinyin, and what ends up in the field."""

from __future__ import annotations

import pytest

from kiosk.ime import Candidate, Composer
from tests.ime.conftest import rank_of, texts, typed


class Field:
    """A text field driven as the on-screen keyboard does (see kiosk.ime.composer's contract)."""

    def __init__(self, composer: Composer) -> None:
        self.composer = composer
        self.text = ""

    def keys(self, letters: str) -> None:
        for ch in letters:
            if not self.composer.type(ch):
                self.text += ch

    def tap(self, candidate_text: str) -> None:
        page = self.composer.candidates(100)
        chosen = next(c for c in page if c.text == candidate_text)
        self.text += self.composer.choose(chosen)

    def backspace(self) -> None:
        if not self.composer.backspace():
            self.text = self.text[:-1]

    def space(self) -> None:
        self.text += self.composer.commit_raw() if self.composer.composing else " "


@pytest.mark.parametrize("letters", ["zhengfu", "zhengf", "zf", "zhf", "zheng'fu"])
def test_government_comes_first(composer, letters):
    assert rank_of(composer, letters, "政府") == 0


@pytest.mark.parametrize(("letters", "word"), [
    ("zfxx", "政府信息"),
    ("zhengfxx", "政府信息"),
    ("zhengfuxinxi", "政府信息"),
    ("xinxigongkai", "信息公开"),
    ("zhengfuxinxigongkai", "政府信息公开"),
    ("xingzhengfuyi", "行政复议"),
    ("shenqing", "申请"),
    ("shenfenzheng", "身份证"),
    ("chongqing", "重庆"),
])
def test_phrases_within_the_first_three(composer, letters, word):
    assert rank_of(composer, letters, word) < 3, texts(composer, letters, 10)


def test_u_umlaut_is_v(composer):
    assert rank_of(composer, "lv", "绿") < 3
    assert rank_of(composer, "nv", "女") == 0
    assert rank_of(composer, "lvse", "绿色") < 3
    assert rank_of(composer, "lu", "路") == 0  # lu is 路; 绿 is there too, far down (绿林, lù lín)


def test_u_after_j_q_x_y_may_be_typed_either_way(composer):
    assert rank_of(composer, "juzhu", "居住") == 0
    assert texts(composer, "jvzhu") == texts(composer, "juzhu")
    assert rank_of(composer, "xuanze", "选择") == 0


def test_heteronym_reachable_by_each_reading(composer):
    assert rank_of(composer, "hang", "行") < 5
    assert rank_of(composer, "xing", "行") < 5
    assert rank_of(composer, "yinhang", "银行") == 0


def test_ambiguous_split_offers_both_readings(composer):
    xian = texts(composer, "xian", 100)
    assert "先" in xian and "西安" in xian
    assert xian.index("先") < xian.index("西安")  # by frequency
    fangan = texts(composer, "fangan")
    assert set(fangan[:2]) == {"方案", "反感"}
    assert typed(composer, "fangan").display == "fang'an"


def test_apostrophe_forces_the_split(composer):
    found = texts(composer, "xi'an", 100)
    assert found[0] == "西安"
    assert "先" not in found
    assert typed(composer, "xi'an").display == "xi'an"


def test_complete_syllables_before_unfinished_ones(composer):
    found = [c.text for c in typed(composer, "xian").candidates(1000)]
    # every xian character before 想 (xiang: the last syllable may still be being typed)
    assert found.index("羡") < found.index("想") < found.index("西")


def test_whole_input_first_then_prefixes_then_first_syllable(composer):
    found = typed(composer, "zhengfu").candidates(300)
    consumed = [c.consumed for c in found]
    assert consumed == sorted(consumed, reverse=True)
    assert consumed[0] == len("zhengfu")
    assert {"政", "正", "证", "整"} <= {c.text for c in found if c.consumed == len("zheng")}
    # no candidate leaves letters that cannot be read: 这 (zhe) would leave "ngfu"
    assert "这" not in {c.text for c in found}


def test_every_character_of_the_first_syllable_is_reachable(composer):
    composer = typed(composer, "zheng")
    everything = []
    offset = 0
    while page := composer.candidates(30, offset):
        everything += page
        offset += 30
    found = {c.text for c in everything}
    assert {"正", "政", "整", "证", "症", "郑", "睁", "拯", "峥", "铮", "诤"} <= found
    assert len(everything) == len(found)  # nothing offered twice


def test_candidate_carries_its_reading(composer):
    top = typed(composer, "zhengfu").candidates(1)[0]
    assert top == Candidate("政府", "zheng'fu", 7)


def test_display_segments_the_letters(composer):
    assert typed(composer, "zhengfu").display == "zheng'fu"
    assert typed(composer, "zfxx").display == "z'f'x'x"
    assert typed(composer, "zhengfxx").display == "zheng'f'x'x"
    assert typed(composer, "xinxigongkai").display == "xin'xi'gong'kai"
    assert typed(composer, "zhengfuu").display == "zheng'fu'u"  # the unreadable rest set apart
    assert typed(composer, "").display == ""


def test_partial_choice_keeps_the_rest_composing(composer):
    field = Field(composer)
    field.keys("zhengfu")
    field.tap("政")
    assert field.text == "政"
    assert composer.composing == "fu"
    assert "府" in [c.text for c in composer.candidates(30)]
    field.tap("府")
    assert field.text == "政府"
    assert composer.composing == ""
    assert composer.candidates() == []


def test_partial_choice_after_apostrophe(composer):
    field = Field(composer)
    field.keys("xi'an")
    field.tap("西")
    assert composer.composing == "an"
    field.tap("安")
    assert field.text == "西安"


def test_word_by_word_sentence(composer):
    field = Field(composer)
    field.keys("woxiangchaxun")
    field.tap("我")
    field.tap("想")
    field.tap("查询")
    field.keys("zfxx")
    field.tap("政府信息")
    assert field.text == "我想查询政府信息"
    assert composer.composing == ""


def test_backspace_edits_letters_then_the_field(composer):
    field = Field(composer)
    field.text = "申请"
    field.keys("zhengfu")
    field.backspace()
    assert composer.composing == "zhengf"
    assert composer.candidates(1)[0].text == "政府"
    for _ in "zhengf":
        field.backspace()
    assert composer.composing == ""
    assert field.text == "申请"
    field.backspace()
    assert field.text == "申"


def test_backspace_return_value(composer):
    composer.type("a")
    assert composer.backspace() is True
    assert composer.backspace() is False


def test_commit_raw_keeps_the_letters_as_typed(composer):
    field = Field(composer)
    field.keys("Beijing")
    field.space()
    assert field.text == "Beijing"
    assert composer.composing == ""
    assert composer.commit_raw() == ""
    field.space()
    assert field.text == "Beijing "


def test_reset(composer):
    typed(composer, "zhengfu").reset()
    assert composer.composing == ""
    assert composer.candidates() == []


def test_apostrophe_alone_goes_to_the_field(composer):
    field = Field(composer)
    field.keys("'")
    assert field.text == "'"
    field.keys("xi''an")
    assert composer.composing == "xi'an"  # a second apostrophe in a row adds nothing
    assert field.text == "'"


def test_refuses_other_keys(composer):
    for key in ["1", " ", "ü", "ab", "", "政", "İ", "\u212a"]:  # the last two lower() to ASCII
        with pytest.raises(ValueError):
            composer.type(key)


def test_choose_rejects_what_is_not_offered(composer):
    typed(composer, "zhengfu")
    with pytest.raises(IndexError):
        composer.choose(10_000)
    with pytest.raises(IndexError):
        composer.choose(-1)
    stale = typed(composer, "xian").candidates(1)[0]
    typed(composer, "zhengfu")
    with pytest.raises(ValueError):
        composer.choose(stale)
    assert composer.composing == "zhengfu"


def test_choose_by_index_counts_across_pages(composer):
    typed(composer, "zhengfu")
    second_page = composer.candidates(5, offset=5)
    assert composer.choose(5) == second_page[0].text


def test_nothing_for_letters_that_are_not_pinyin(composer):
    assert typed(composer, "u").candidates() == []
    assert typed(composer, "iv").candidates() == []
    assert composer.commit_raw() == "iv"


def test_uppercase_letters_match_too(composer):
    assert texts(composer, "ZhengFu", 3) == texts(Composer(composer.dictionary), "zhengfu", 3)
    assert composer.commit_raw() == "ZhengFu"
