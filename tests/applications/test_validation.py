"""The application form's checks: each rule names the right field, all faults come at once.

Check characters are computed here independently of the code under test (the weights as powers,
the ISO 7064 check as (12 - s) mod 11), so a wrong table in the module cannot agree with itself.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.applications.identifiers import (
    credit_code_problem,
    email_problem,
    fold_width,
    id_number_problem,
    normalise_credit_code,
    normalise_email,
    normalise_phone,
    normalise_postcode,
    normalise_resident_id,
    phone_problem,
    postcode_problem,
    resident_id_problem,
)
from kiosk.applications.model import APPLICANT_TYPES, DELIVERIES, ID_TYPES, MEDIA, Applicant, Request
from kiosk.applications.validation import FieldError, InvalidApplication, validate
from kiosk.errors import KioskError
from kiosk.refcentral.validation import validate_application

TODAY = dt.date(2026, 11, 22)
PROVINCES = ["11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36",
             "37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62",
             "63", "64", "65", "71", "81", "82", "83"]
ORG_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def id_check(first17: str) -> str:
    """ISO 7064 MOD 11-2: weights 2^(17-i) mod 11, check value (12 - sum) mod 11, 10 written X."""
    s = sum(int(c) * pow(2, 17 - i, 11) for i, c in enumerate(first17))
    value = (12 - s % 11) % 11
    return "X" if value == 10 else str(value)


def org_check(first17: str) -> str:
    """GB 32100-2015: weights 3^i mod 31, check = 31 - (sum mod 31), 31 written as 0."""
    s = sum(ORG_CHARSET.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    return ORG_CHARSET[(31 - s % 31) % 31]


def resident_id(province: str = "34", county: str = "1302", born: str = "19800101",
                seq: str = "123") -> str:
    body = province + county + born + seq
    return body + id_check(body)


def citizen(**fields: Any) -> dict[str, Any]:
    a = {"type": "citizen", "name": "张三", "id_type": "resident_id",
         "id_number": "11010519491231002X", "org_code": None, "legal_representative": None,
         "contact_person": None, "phone": "13800000000", "email": None,
         "address": "安徽省宿州市埇桥区人民路1号", "postcode": "234000"}
    a.update(fields)
    return a


def organization(**fields: Any) -> dict[str, Any]:
    a = {"type": "organization", "name": "宿州市某某科技有限公司", "id_type": None,
         "id_number": None, "org_code": "91350100M000100Y43", "legal_representative": "李四",
         "contact_person": "王五", "phone": "0557-3021234", "email": "office@example.com",
         "address": None, "postcode": None}
    a.update(fields)
    return a


def request(**fields: Any) -> dict[str, Any]:
    r = {"description": "2021年本市老旧小区改造项目的资金安排情况", "title": None,
         "index_no": None, "doc_number": None, "media": ["paper"], "delivery": "pickup",
         "fee_waiver": False}
    r.update(fields)
    return r


def errors_of(applicant: Any, req: Any) -> dict[str, FieldError]:
    with pytest.raises(InvalidApplication) as info:
        validate(applicant, req, today=TODAY)
    return info.value.fields


# -- known numbers --------------------------------------------------------------------------------

def test_the_helpers_agree_with_published_examples() -> None:
    assert id_check("11010519491231002") == "X"
    assert org_check("91350100M000100Y4") == "3"
    assert org_check("91440300708461136") == "T"


@pytest.mark.parametrize("number", [
    "11010519491231002X", "11010519491231002x", " 110105 19491231 002X ",
    "１１０１０５１９４９１２３１００２Ｘ", resident_id(), resident_id("65", "0102", "20000229", "001"),
    resident_id("83", "0000", "19900101", "002"), resident_id("11", "0101", "19000101", "000"),
])
def test_valid_resident_ids(number: str) -> None:
    assert resident_id_problem(number, TODAY) is None
    assert normalise_resident_id(number) == normalise_resident_id(number).strip().upper()


@pytest.mark.parametrize(("number", "says"), [
    ("110105194912310021", "校验码"),
    ("11010519491231002", "18位"),
    ("1101051949123100212", "18位"),
    ("110105491231002", "15位"),
    ("11010519491231A02X", "前17位"),
    ("11010519491231002Y", "前17位"),
    (resident_id("99"), "省份"),
    (resident_id("91"), "省份"),
    (resident_id(born="19491331"), "出生日期"),
    (resident_id(born="19990229"), "出生日期"),
    (resident_id(born="18991231"), "1900"),
    (resident_id(born="20261123"), "晚于今天"),
    ("", "请填写"),
])
def test_each_resident_id_fault_is_named(number: str, says: str) -> None:
    problem = resident_id_problem(number, TODAY)
    assert problem is not None and says in problem.zh and problem.en


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91440300708461136T",
                                  "91350100m000100y43", " 9144 0300 7084 6113 6T",
                                  "９１３５０１００Ｍ０００１００Ｙ４３"])
def test_valid_credit_codes(code: str) -> None:
    assert credit_code_problem(code) is None


@pytest.mark.parametrize(("code", "says"), [
    ("91350100M000100Y44", "校验码"),
    ("91350100M000100Y4", "18位"),
    ("9135O100M000100Y43", "I、O、S、V、Z"),
    ("", "请填写"),
])
def test_each_credit_code_fault_is_named(code: str, says: str) -> None:
    problem = credit_code_problem(code)
    assert problem is not None and says in problem.zh


@pytest.mark.parametrize(("raw", "clean"), [
    ("13800138000", "13800138000"),
    ("138 0013 8000", "13800138000"),
    ("+8613800138000", "13800138000"),
    ("0086-13800138000", "13800138000"),
    ("0557-3021234", "0557-3021234"),
    ("０５５７－３０２１２３４", "0557-3021234"),
    ("（010）12345678", "010-12345678"),
    ("010-12345678 转 123", "010-12345678-123"),
    ("0557-3021234ext801", "0557-3021234-801"),
    ("05573021234", "05573021234"),
    ("0557—3021234", "0557-3021234"),
])
def test_phone_forms_accepted_and_normalised(raw: str, clean: str) -> None:
    assert phone_problem(raw) is None
    assert normalise_phone(raw) == clean


@pytest.mark.parametrize("raw", ["12345", "1380013800", "12800138000", "3021234", "0557-30212",
                                 "0557-3021234转1234567", "phone", "+1 415 555 0100"])
def test_bad_phones_say_the_accepted_forms(raw: str) -> None:
    problem = phone_problem(raw)
    assert problem is not None
    assert "11位" in problem.zh


@pytest.mark.parametrize(("raw", "ok"), [
    ("234000", True), ("２３４０００", True), (" 234 000 ", True), ("", True),
    ("23400", False), ("2340001", False), ("23400O", False),
])
def test_postcodes(raw: str, ok: bool) -> None:
    assert (postcode_problem(raw) is None) is ok


@pytest.mark.parametrize(("raw", "ok"), [
    ("zhangsan@example.com", True), ("a.b+c@mail.qq.com", True), ("", True),
    ("张三@例子.中国", True), ("zhangsan@example", False), ("zhang san@example.com", False),
    ("a@@example.com", False), ("@example.com", False), ("a@example.c", False),
    ("a@.example.com", False), ("a@-x.com", False), ("a..b@example.com", False),
    ("a" * 250 + "@x.com", False),
])
def test_emails(raw: str, ok: bool) -> None:
    assert (email_problem(raw) is None) is ok


def test_email_typed_with_a_chinese_input_method_is_folded() -> None:
    assert normalise_email(" ＺhangSan＠Example。COM ") == "ZhangSan@example.com"
    assert email_problem("ＺhangSan＠Example。COM") is None


@pytest.mark.parametrize(("id_type", "number", "ok"), [
    ("passport", "E12345678", True), ("passport", "e1234 5678", True), ("passport", "E12", False),
    ("passport", "E1234567-8", False),
    ("hk_macao_permit", "H12345678", True), ("hk_macao_permit", "m1234567801", True),
    ("hk_macao_permit", "X12345678", False), ("hk_macao_permit", "H1234567", False),
    ("taiwan_permit", "12345678", True), ("taiwan_permit", "1234567890", True),
    ("taiwan_permit", "123456789", False),
    ("other", "军官证 第0012号", True), ("other", "x" * 41, False), ("other", "a\x00b", False),
])
def test_other_documents(id_type: str, number: str, ok: bool) -> None:
    assert (id_number_problem(id_type, number) is None) is ok


# -- the whole form -------------------------------------------------------------------------------

def test_a_valid_citizen_application_becomes_the_api_shape() -> None:
    person, wanted = validate(
        citizen(id_number="１１０１０５１９４９１２３１００２ｘ", phone="138 0000 0000",
                email="zhangsan@example.com", name="  张三 "),
        request(media=["email", "paper"], delivery="email", doc_number="宿政办〔２００８〕１２号",
                description="  资金安排情况\r\n（2021年）  "),
        today=TODAY)
    assert isinstance(person, Applicant) and isinstance(wanted, Request)
    assert person.to_dict() == citizen(id_number="11010519491231002X", phone="13800000000",
                                       email="zhangsan@example.com")
    assert wanted.to_dict() == request(media=["paper", "email"], delivery="email",
                                       doc_number="宿政办〔2008〕12号",
                                       description="资金安排情况\n（2021年）")


def test_a_valid_organization_application() -> None:
    person, _ = validate(organization(org_code="9144 0300 7084 6113 6t"), request(), today=TODAY)
    assert person.org_code == "91440300708461136T"
    assert person.id_type is None and person.id_number is None


@pytest.mark.parametrize(("applicant", "req"), [
    (citizen(), request()),
    (citizen(phone="（0557）3021234转801", id_type="passport", id_number="e1234 5678"),
     request(media=["disc"], delivery="mail", fee_waiver=True, title="某某通知")),
    (organization(id_type="resident_id", id_number="11010519491231002X"),
     request(media=["paper", "email", "disc"], delivery="email", index_no="01527918X－2020－153077")),
])
def test_what_the_kiosk_accepts_the_reference_centre_accepts(applicant: dict, req: dict) -> None:
    person, wanted = validate(applicant, req, today=TODAY)
    body = {"receipt_no": "K07-20261122-0004", "query_code": "538214",
            "submitted_at": "2026-11-22T10:15:00+08:00", "kiosk": {"id": "K07", "venue": "测试"},
            "applicant": person.to_dict(), "request": wanted.to_dict()}
    assert validate_application(body) == {}


@pytest.mark.parametrize(("applicant", "req", "field", "says"), [
    (citizen(name=""), request(), "applicant.name", "请填写姓名"),
    (citizen(name="张" * 51), request(), "applicant.name", "最多50"),
    (citizen(name="张\x07三"), request(), "applicant.name", "无法显示"),
    (citizen(name=5), request(), "applicant.name", "文字"),
    (citizen(type="person"), request(), "applicant.type", "公民"),
    (citizen(id_type=None), request(), "applicant.id_type", "居民身份证"),
    (citizen(id_type="driving_licence"), request(), "applicant.id_type", "护照"),
    (citizen(id_number=None), request(), "applicant.id_number", "请填写身份证号码"),
    (citizen(id_number="110105194912310021"), request(), "applicant.id_number", "校验码"),
    (citizen(id_type="passport", id_number="E1"), request(), "applicant.id_number", "护照"),
    (citizen(id_type="hk_macao_permit", id_number="12345678"), request(),
     "applicant.id_number", "H或M"),
    (organization(org_code=None), request(), "applicant.org_code", "请填写统一社会信用代码"),
    (organization(org_code="91350100M000100Y44"), request(), "applicant.org_code", "校验码"),
    (organization(legal_representative=" "), request(), "applicant.legal_representative",
     "请填写法定代表人"),
    (organization(contact_person=None), request(), "applicant.contact_person", "请填写联系人"),
    (organization(name=""), request(), "applicant.name", "请填写单位名称"),
    (organization(id_number="E12345678"), request(), "applicant.id_type", "证件类型"),
    (organization(id_type="passport"), request(), "applicant.id_number", "护照号码"),
    (citizen(org_code="91350100M000100Y44"), request(), "applicant.org_code", "校验码"),
    (citizen(phone=None), request(), "applicant.phone", "请填写联系电话"),
    (citizen(phone="12345"), request(), "applicant.phone", "11位"),
    (citizen(phone="021-1234"), request(), "applicant.phone", "区号"),
    (citizen(postcode="23400"), request(), "applicant.postcode", "6位数字"),
    (citizen(email="zhangsan@example"), request(), "applicant.email", "域名"),
    (citizen(email="a b@example.com"), request(), "applicant.email", "空格"),
    (citizen(email=None), request(delivery="email"), "applicant.email", "电子邮件获取"),
    (citizen(email=None), request(media=["email"]), "applicant.email", "电子邮箱"),
    (citizen(address=None), request(delivery="mail"), "applicant.address", "邮寄"),
    (citizen(postcode=""), request(delivery="mail"), "applicant.postcode", "邮寄"),
    (citizen(address="路" * 201), request(), "applicant.address", "最多200"),
    (citizen(nickname="三儿"), request(), "applicant.nickname", "nickname"),
    (citizen(), request(description="   "), "request.description", "请填写"),
    (citizen(), request(description="字" * 1001), "request.description", "最多1000"),
    (citizen(), request(title="题" * 201), "request.title", "最多200"),
    (citizen(), request(doc_number="宿政办\x1b12号"), "request.doc_number", "无法显示"),
    (citizen(), request(media=[]), "request.media", "至少选择一种"),
    (citizen(), request(media="paper"), "request.media", "至少选择一种"),
    (citizen(), request(media=["paper", "paper"]), "request.media", "重复"),
    (citizen(), request(media=["usb"]), "request.media", "纸质文本"),
    (citizen(), request(delivery="drone"), "request.delivery", "当面领取"),
    (citizen(), request(delivery=None), "request.delivery", "获取方式"),
    (citizen(), request(fee_waiver="yes"), "request.fee_waiver", "是"),
    ("张三", request(), "applicant", "申请人"),
    (citizen(), None, "request", "所需信息"),
])
def test_each_rule_names_its_field(applicant: Any, req: Any, field: str, says: str) -> None:
    errors = errors_of(applicant, req)
    assert field in errors, errors
    assert says in errors[field].zh
    assert errors[field].en


def test_every_bad_field_is_reported_at_once_in_form_order() -> None:
    info = errors_of(citizen(name="", id_number="110105194912310021", phone="12345",
                             postcode="2340"),
                     request(description="", media=[], delivery="mail"))
    assert list(info) == ["applicant.name", "applicant.id_number", "applicant.phone",
                          "applicant.postcode", "request.description", "request.media"]


def test_the_error_is_a_kiosk_error_with_both_languages() -> None:
    with pytest.raises(KioskError) as info:
        validate(citizen(name=""), request(media=[]), today=TODAY)
    assert isinstance(info.value, InvalidApplication)
    assert "2 处" in info.value.zh and "姓名或名称" in info.value.zh
    assert "applicant.name" in info.value.en and "request.media" in info.value.en


def test_fee_waiver_defaults_to_false_when_absent() -> None:
    r = request()
    del r["fee_waiver"]
    assert validate(citizen(), r, today=TODAY)[1].fee_waiver is False


# -- properties -----------------------------------------------------------------------------------

@st.composite
def valid_resident_ids(draw: st.DrawFn) -> str:
    born = draw(st.dates(dt.date(1900, 1, 1), TODAY))
    body = (draw(st.sampled_from(PROVINCES)) + draw(st.from_regex(r"[0-9]{4}", fullmatch=True))
            + born.strftime("%Y%m%d") + draw(st.from_regex(r"[0-9]{3}", fullmatch=True)))
    return body + id_check(body)


@st.composite
def valid_credit_codes(draw: st.DrawFn) -> str:
    body = "".join(draw(st.lists(st.sampled_from(ORG_CHARSET), min_size=17, max_size=17)))
    return body + org_check(body)


@settings(max_examples=300)
@given(valid_resident_ids(), st.integers(0, 17), st.data())
def test_any_valid_resident_id_passes_and_any_single_change_fails(number: str, i: int,
                                                                   data: st.DataObject) -> None:
    assert resident_id_problem(number, TODAY) is None
    allowed = "0123456789X" if i == 17 else "0123456789"
    other = data.draw(st.sampled_from([c for c in allowed if c != number[i]]))
    assert resident_id_problem(number[:i] + other + number[i + 1:], TODAY) is not None


@settings(max_examples=300)
@given(valid_credit_codes(), st.integers(0, 17), st.data())
def test_any_valid_credit_code_passes_and_any_single_change_fails(code: str, i: int,
                                                                  data: st.DataObject) -> None:
    assert credit_code_problem(code) is None
    other = data.draw(st.sampled_from([c for c in ORG_CHARSET if c != code[i]]))
    assert credit_code_problem(code[:i] + other + code[i + 1:]) is not None


@given(st.text())
def test_normalisation_is_idempotent(s: str) -> None:
    for normalise in (normalise_resident_id, normalise_credit_code, normalise_phone,
                      normalise_postcode, normalise_email, fold_width):
        once = normalise(s)
        assert normalise(once) == once


@given(st.text())
def test_checking_a_normalised_value_gives_the_same_verdict(s: str) -> None:
    assert (phone_problem(s) is None) == (phone_problem(normalise_phone(s)) is None)
    assert (email_problem(s) is None) == (email_problem(normalise_email(s)) is None)
    assert (credit_code_problem(s) is None) == (credit_code_problem(normalise_credit_code(s))
                                                is None)


junk = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                max_size=4),
    max_leaves=10)


def _never_raises_anything_else(applicant: Any, req: Any) -> None:
    try:
        person, wanted = validate(applicant, req, today=TODAY)
    except InvalidApplication as exc:
        assert exc.errors and all(isinstance(e, FieldError) and e.zh and e.en for e in exc.errors)
    else:
        assert person.type in APPLICANT_TYPES and wanted.delivery in DELIVERIES


@settings(max_examples=300)
@given(junk, junk)
def test_arbitrary_junk_only_ever_raises_invalid_application(applicant: Any, req: Any) -> None:
    _never_raises_anything_else(applicant, req)


@settings(max_examples=300)
@given(st.fixed_dictionaries({}, optional={k: junk | st.sampled_from(
           [*APPLICANT_TYPES, *ID_TYPES, "11010519491231002X", "13800000000", "234000"])
       for k in citizen()}),
       st.fixed_dictionaries({}, optional={
           "description": junk, "title": junk, "index_no": junk, "doc_number": junk,
           "media": junk | st.lists(st.sampled_from(MEDIA), max_size=4),
           "delivery": junk | st.sampled_from(DELIVERIES), "fee_waiver": junk}))
def test_forms_with_junk_values_only_ever_raise_invalid_application(applicant: dict,
                                                                    req: dict) -> None:
    _never_raises_anything_else(applicant, req)


@settings(max_examples=200)
@given(st.sampled_from(list(citizen())), junk)
def test_one_junk_value_in_a_good_form_is_reported_against_its_own_field(key: str,
                                                                         value: Any) -> None:
    if value == "organization":
        return  # a different form, with fields of its own to require
    try:
        validate(citizen(**{key: value}), request(), today=TODAY)
    except InvalidApplication as exc:
        assert {e.field for e in exc.errors} <= {f"applicant.{key}", "applicant.id_number"}
