"""Checking an application form at the kiosk, so that what the centre receives is right first time.

An application the centre refuses (422) waits for venue staff, and the applicant has long gone
home; so the kiosk checks everything the centre checks, and more, while the applicant is still at
the screen. Every message says what is wrong *and* how to put it right, in Chinese for the
applicant and English for the engineer, and `validate` reports every bad field at once: an elderly
applicant corrects the whole form in one pass instead of meeting one complaint after another.

Numbers and codes are normalised before they are checked, because that is how people type on a
touch keyboard with a Chinese input method: full-width digits and letters (１２３, ＡＢＣ), a
full-width ＠ or 。 in an e-mail address, spaces between groups of digits, a lower-case x at the
end of an identity number. Identity numbers carry check characters (GB 11643 / ISO 7064 MOD 11-2
for the resident ID, GB 32100-2015 for the unified social credit code), so a single mistyped
character is caught here instead of at the disclosure office.

The `*_problem` functions return a `Problem` (zh, en) or None; the matching `normalise_*`
functions give the form in which a value is stored and sent. Both are public so a screen can
check one field as soon as the applicant leaves it.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from ..errors import KioskError
from .model import (
    APPLICANT_TYPES,
    DELIVERIES,
    DELIVERY_LABELS,
    FIELD_LABELS,
    ID_TYPE_LABELS,
    ID_TYPES,
    MEDIA,
    MEDIA_LABELS,
    Applicant,
    Request,
)

NAME_MAX = 50
ORG_NAME_MAX = 100  # registered names of organisations run longer than people's names
PERSON_MAX = 50
ADDRESS_MAX = 200
DESCRIPTION_MAX = 1000
REFERENCE_MAX = 200  # title, index number, document number
OTHER_ID_MAX = 40
EMAIL_MAX = 254

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# GB/T 2260 province-level codes, plus 83: the 港澳台居民居住证 issued to Taiwan residents uses the
# resident-ID number format with the prefix 83 (Hong Kong and Macao residents' permits use 81, 82).
_PROVINCES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82", "83",
})
_ORG_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
_ORG_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

_FULL_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_FULL_WIDTH_ALNUM = {c: c - 0xFEE0 for c in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B),
                                             *range(0xFF41, 0xFF5B))}
_ASCII_UPPER = {c: c - 32 for c in range(ord("a"), ord("z") + 1)}
_DASHES = {ord(c): "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63"}
_SPACE = re.compile(r"\s+")

_MOBILE = re.compile(r"(?:\+86|0086)?-?(1[3-9][0-9]{9})")
_LANDLINE = re.compile(r"(?:\((0[0-9]{2,3})\)|(0[0-9]{2,3})(-)?)([0-9]{7,8})"
                       r"(?:(?:-|转|EXT\.?|#)([0-9]{1,6}))?")
_OTHER_IDS = {
    "passport": (re.compile(r"[A-Z0-9]{5,20}"),
                 "护照号码应为5至20位字母或数字", "a passport number is 5 to 20 letters or digits"),
    "hk_macao_permit": (re.compile(r"[HM][0-9]{8}(?:[0-9]{2})?"),
                        "港澳居民来往内地通行证号码应为字母H或M加8位（或10位）数字，如 H12345678",
                        "a Home Return Permit number is H or M followed by 8 (or 10) digits, "
                        "e.g. H12345678"),
    "taiwan_permit": (re.compile(r"[0-9]{8}(?:[0-9]{2})?"),
                      "台湾居民来往大陆通行证号码应为8位（或10位）数字",
                      "a Taiwan Compatriot Permit number is 8 (or 10) digits"),
}


class Problem(NamedTuple):
    """What is wrong with one value and how to fix it: Chinese for the applicant, English for us."""

    zh: str
    en: str


@dataclass(frozen=True)
class FieldError:
    """One bad field, named by its dotted API path (`applicant.id_number`) so screens can mark it."""

    field: str
    zh: str
    en: str


class InvalidApplication(KioskError):
    """The form has bad fields; `errors` lists every one of them, in the order of the form."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = list(errors)
        names_zh = "、".join(FIELD_LABELS.get(e.field, e.field) for e in self.errors)
        names_en = ", ".join(e.field for e in self.errors)
        super().__init__(f"申请表有 {len(self.errors)} 处需要修改：{names_zh}",
                         f"{len(self.errors)} field(s) of the application need correcting: "
                         f"{names_en}")

    @property
    def fields(self) -> dict[str, FieldError]:
        """The errors by field path, for a screen that marks each input box."""
        return {e.field: e for e in self.errors}


# -- folding what touch keyboards produce ---------------------------------------------------------

def fold_width(s: str) -> str:
    """Full-width ASCII (１２３ＡＢＣ＠－) and the ideographic space to their half-width forms."""
    return s.translate(_FULL_WIDTH)


def _squeeze(s: str) -> str:
    """Folded, with every kind of whitespace removed: for numbers typed in groups."""
    return _SPACE.sub("", fold_width(s))


def _has_control(s: str, multiline: bool = False) -> bool:
    """Control characters (and lone surrogates, which cannot be sent as UTF-8) are never text."""
    for c in s:
        if multiline and c in "\n\t":
            continue
        if unicodedata.category(c) in ("Cc", "Cs") or c in "\u2028\u2029":
            return True
    return False


# -- resident identity card (居民身份证, GB 11643) -------------------------------------------------

def normalise_resident_id(s: str) -> str:
    """Strip spaces, fold full-width characters and write the check character X in upper case."""
    return _squeeze(s).translate(_ASCII_UPPER)


def _id_check_char(first17: str) -> str:
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def resident_id_problem(s: str, today: dt.date | None = None) -> Problem | None:
    """What is wrong with an 18-character resident ID number, naming the part: None when valid.

    The checks run from the coarsest to the finest, so the message points at the first thing a
    person would look at (length, then the birth date printed on the card, then the check digit).
    """
    n = normalise_resident_id(s)
    if not n:
        return Problem("请填写身份证号码", "enter the resident ID number")
    if len(n) == 15 and re.fullmatch(r"[0-9]{15}", n):
        return Problem("这是旧的15位身份证号码，请填写现在使用的18位号码",
                       "this is an old 15-digit ID number; enter the current 18-character one")
    if len(n) != 18:
        return Problem(f"身份证号码应为18位，现在是{len(n)}位，请核对",
                       f"a resident ID number has 18 characters; this one has {len(n)}")
    if not re.fullmatch(r"[0-9]{17}[0-9X]", n):
        return Problem("身份证号码前17位应为数字，最后一位是数字或字母X",
                       "the first 17 characters must be digits and the last a digit or X")
    if n[:2] not in _PROVINCES:
        return Problem(f"身份证号码前两位“{n[:2]}”不是省份代码，请核对；如果不是居民身份证，请改选证件类型",
                       f"the first two digits {n[:2]} are not a province code; check the number, "
                       "or choose another document type")
    try:
        born = dt.date(int(n[6:10]), int(n[10:12]), int(n[12:14]))
    except ValueError:
        return Problem(f"身份证号码第7至14位是出生日期，“{n[6:14]}”不是有效的年月日，请核对",
                       f"digits 7-14 are the date of birth, and {n[6:14]} is not a valid date")
    if born.year < 1900:
        return Problem(f"身份证号码中的出生年份{born.year}早于1900年，请核对",
                       f"the year of birth {born.year} (digits 7-10) is before 1900")
    if born > (today or dt.date.today()):
        return Problem(f"身份证号码中的出生日期{born.isoformat()}晚于今天，请核对",
                       f"the date of birth {born.isoformat()} (digits 7-14) is in the future")
    if n[17] != _id_check_char(n[:17]):
        return Problem("身份证号码最后一位校验码不对，请逐位核对号码",
                       "the last character (the check digit) does not match the other 17; "
                       "a digit is probably mistyped")
    return None


# -- unified social credit code (统一社会信用代码, GB 32100-2015) --------------------------------

def normalise_credit_code(s: str) -> str:
    """Strip spaces, fold full-width characters, upper-case letters."""
    return _squeeze(s).translate(_ASCII_UPPER)


def _org_check_char(first17: str) -> str:
    total = sum(_ORG_CHARSET.index(c) * w for c, w in zip(first17, _ORG_WEIGHTS, strict=True))
    return _ORG_CHARSET[(31 - total % 31) % 31]


def credit_code_problem(s: str) -> Problem | None:
    """What is wrong with a unified social credit code (length, a character, the check): or None."""
    n = normalise_credit_code(s)
    if not n:
        return Problem("请填写统一社会信用代码", "enter the unified social credit code")
    if len(n) != 18:
        return Problem(f"统一社会信用代码应为18位，现在是{len(n)}位，请核对",
                       f"a unified social credit code has 18 characters; this one has {len(n)}")
    for i, c in enumerate(n, 1):
        if c not in _ORG_CHARSET:
            return Problem(f"统一社会信用代码第{i}位的“{c}”不对：代码只用数字和大写字母，"
                           "不用 I、O、S、V、Z（请看是否应为 1、0、5、U、2）",
                           f"character {i} ({c!r}) cannot occur: the code uses digits and capital "
                           "letters except I, O, S, V, Z (perhaps 1, 0, 5, U, 2 was meant)")
    if n[17] != _org_check_char(n[:17]):
        return Problem("统一社会信用代码最后一位校验码不对，请逐位核对",
                       "the last character (the check character) does not match the other 17; "
                       "a character is probably mistyped")
    return None


# -- other identity documents ---------------------------------------------------------------------

def normalise_id_number(id_type: str, s: str) -> str:
    """The stored form of a document number of the given type."""
    if id_type == "resident_id":
        return normalise_resident_id(s)
    if id_type == "other":
        return fold_width(s).strip()
    return _squeeze(s).translate(_ASCII_UPPER)


def id_number_problem(id_type: str, s: str, today: dt.date | None = None) -> Problem | None:
    """What is wrong with a document number of type `id_type` (one of `ID_TYPES`): or None."""
    if id_type == "resident_id":
        return resident_id_problem(s, today)
    n = normalise_id_number(id_type, s)
    label = ID_TYPE_LABELS.get(id_type, "证件")
    if not n:
        return Problem(f"请填写{label}号码", "enter the document number")
    if id_type in _OTHER_IDS:
        pattern, zh, en = _OTHER_IDS[id_type]
        return None if pattern.fullmatch(n) else Problem(zh + "，请核对", en)
    if len(n) > OTHER_ID_MAX:
        return Problem(f"证件号码最多{OTHER_ID_MAX}个字符，现在有{len(n)}个",
                       f"a document number has at most {OTHER_ID_MAX} characters; this has {len(n)}")
    if _has_control(n) or not n.isprintable():
        return Problem("证件号码中有无法显示的字符，请删除后重新输入",
                       "the document number holds unprintable characters; retype it")
    return None


# -- contact details ------------------------------------------------------------------------------

def normalise_phone(s: str) -> str:
    """A mobile number as its 11 digits; a landline as area-number[-extension]; else just cleaned.

    Separators become '-' (the centre accepts digits and '-' only); an area code is set apart only
    where the applicant set it apart, because 01012345678 could be split two ways.
    """
    n = _squeeze(s).translate(_DASHES).translate(_ASCII_UPPER)
    if m := _MOBILE.fullmatch(n):
        return m.group(1)
    if m := _LANDLINE.fullmatch(n):
        area = m.group(1) or m.group(2)
        sep = "-" if m.group(1) or m.group(3) else ""
        return f"{area}{sep}{m.group(4)}" + (f"-{m.group(5)}" if m.group(5) else "")
    return n


def phone_problem(s: str) -> Problem | None:
    """Why a phone number is not one the office can call back on, with the forms accepted: or None."""
    n = normalise_phone(s)
    if not n:
        return Problem("请填写联系电话", "enter a phone number")
    if _MOBILE.fullmatch(n) or _LANDLINE.fullmatch(n):
        return None
    if re.fullmatch(r"1[0-9]*", n) and len(n) != 11:
        return Problem(f"手机号码应为11位，现在是{len(n)}位，请核对",
                       f"a mobile number has 11 digits; this one has {len(n)}")
    return Problem("电话号码格式不对。手机请填11位号码，如 13800000000；固定电话请带区号，"
                   "如 0557-3021234，有分机请写成 0557-3021234转801",
                   "not a phone number: give an 11-digit mobile number (13800000000) or a "
                   "landline with its area code (0557-3021234), an extension after it "
                   "(0557-3021234-801)")


def normalise_postcode(s: str) -> str:
    """Digits only, with spaces removed and full-width digits folded."""
    return _squeeze(s)


def postcode_problem(s: str) -> Problem | None:
    """A postcode is empty (not given) or six digits."""
    n = normalise_postcode(s)
    if not n or re.fullmatch(r"[0-9]{6}", n):
        return None
    return Problem("邮政编码应为6位数字，如 234000", "a postcode is 6 digits, e.g. 234000")


def normalise_email(s: str) -> str:
    """Folded (＠ and the ideographic full stop 。 included), trimmed, domain in lower case."""
    n = fold_width(s).replace("\u3002", ".").strip()
    local, at, domain = n.rpartition("@")
    return f"{local}@{domain.lower()}" if at else n


def email_problem(s: str) -> Problem | None:
    """An e-mail address is empty (not given) or plausible: one @, a dotted domain, no spaces."""
    n = normalise_email(s)
    if not n:
        return None
    if len(n) > EMAIL_MAX:
        return Problem(f"电子邮箱地址太长（最多{EMAIL_MAX}个字符），请核对",
                       f"an e-mail address has at most {EMAIL_MAX} characters")
    if _SPACE.search(n) or _has_control(n):
        return Problem("电子邮箱地址中不能有空格，请删除空格", "an e-mail address has no spaces")
    if n.count("@") != 1:
        return Problem("电子邮箱地址应含有一个“@”，如 zhangsan@example.com",
                       "an e-mail address has exactly one @, e.g. zhangsan@example.com")
    local, _, domain = n.partition("@")
    if not local or len(local) > 64 or local.startswith(".") or local.endswith(".") \
            or ".." in local:
        return Problem("电子邮箱“@”前面的用户名不完整，请核对，如 zhangsan@example.com",
                       "the part before @ is missing or malformed, e.g. zhangsan@example.com")
    labels = domain.split(".")
    if len(labels) < 2 or any(not x or x.startswith("-") or x.endswith("-") for x in labels) \
            or len(labels[-1]) < 2 or labels[-1].isdigit() \
            or not all(re.fullmatch(r"[a-z0-9-]+", x) or not x.isascii() for x in labels):
        return Problem("电子邮箱“@”后面的域名不完整，请核对，如 example.com 或 qq.com",
                       "the domain after @ is incomplete, e.g. example.com")
    return None


# -- the whole form -------------------------------------------------------------------------------

_APPLICANT_KEYS = ("type", "name", "id_type", "id_number", "org_code", "legal_representative",
                   "contact_person", "phone", "email", "address", "postcode")
_REQUEST_KEYS = ("description", "title", "index_no", "doc_number", "media", "delivery",
                 "fee_waiver")
_EN = {
    "name": "the name", "legal_representative": "the legal representative",
    "contact_person": "the contact person", "address": "the postal address",
    "description": "the description of the information wanted", "title": "the title",
    "index_no": "the index number", "doc_number": "the document number",
}


class _Form:
    """Collects one error per field while a section of the form is read."""

    def __init__(self) -> None:
        self.errors: dict[str, FieldError] = {}

    def fail(self, path: str, problem: Problem) -> None:
        self.errors.setdefault(path, FieldError(path, problem.zh, problem.en))

    def section(self, value: Any, name: str, keys: tuple[str, ...]) -> Mapping[str, Any] | None:
        """The section as a mapping, reporting a non-mapping and any key the API does not know."""
        if not isinstance(value, Mapping):
            self.fail(name, Problem(f"{FIELD_LABELS[name]}缺失", f"{name} must be an object"))
            return None
        for key in value:
            if not isinstance(key, str) or key not in keys:
                path = f"{name}.{key}" if isinstance(key, str) else name
                self.fail(path, Problem(f"申请表中没有“{key}”这一项",
                                        f"{name} has no field {key!r} (known: {', '.join(keys)})"))
        return value

    def text(self, data: Mapping[str, Any], path: str, *, required: bool, max_len: int,
             label: str | None = None, multiline: bool = False,
             fold: Callable[[str], str] | None = None) -> str | None:
        """A free-text field: trimmed, None when empty; too long or control characters are errors."""
        key = path.partition(".")[2]
        zh = label or FIELD_LABELS[path]
        en = _EN.get(key, key)
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            self.fail(path, Problem(f"{zh}应为文字", f"{en} must be text"))
            return None
        value = (fold(value) if fold else value).strip() if value else ""
        if multiline:
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        if not value:
            if required:
                self.fail(path, Problem(f"请填写{zh}", f"{en} is required"))
            return None
        if len(value) > max_len:
            self.fail(path, Problem(f"{zh}最多{max_len}个字，现在有{len(value)}个字，请精简",
                                    f"{en} has at most {max_len} characters; it has {len(value)}"))
            return None
        if _has_control(value, multiline):
            self.fail(path, Problem(f"{zh}中有无法显示的字符，请删除后重新输入",
                                    f"{en} contains control characters; retype it"))
            return None
        return value

    def code(self, data: Mapping[str, Any], path: str, *, required: bool,
             check: Callable[[str], Problem | None], normalise: Callable[[str], str]) -> str | None:
        """A number or code field: checked by `check`, stored as `normalise` gives it."""
        key = path.partition(".")[2]
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            self.fail(path, Problem(f"{FIELD_LABELS[path]}应为文字", f"{key} must be text"))
            return None
        value = normalise(value) if value else ""
        if not value:
            if required:
                self.fail(path, check("") or Problem(f"请填写{FIELD_LABELS[path]}",
                                                      f"{key} is required"))
            return None
        if problem := check(value):
            self.fail(path, problem)
            return None
        return value

    def choice(self, data: Mapping[str, Any], path: str, choices: tuple[str, ...],
               labels: Mapping[str, str], *, required: bool = True) -> str | None:
        """One value of an enumeration; the message lists the choices by their form words."""
        value = data.get(path.partition(".")[2])
        if value in (None, "") and not required:
            return None
        if isinstance(value, str) and value in choices:
            return value
        zh = "、".join(labels.get(c, c) for c in choices)
        self.fail(path, Problem(f"请选择{FIELD_LABELS[path]}（{zh}）",
                                f"{path} must be one of {', '.join(choices)}"))
        return None


def _applicant(form: _Form, a: Mapping[str, Any], today: dt.date | None) -> dict[str, Any]:
    """Read the applicant section; which fields are required depends on `type`."""
    kind = form.choice(a, "applicant.type", APPLICANT_TYPES,
                       {"citizen": "公民", "organization": "法人或者其他组织"})
    org = kind == "organization"
    out: dict[str, Any] = {"type": kind}
    out["name"] = form.text(a, "applicant.name", required=True,
                            max_len=ORG_NAME_MAX if org else NAME_MAX,
                            label="单位名称" if org else "姓名")
    # A citizen proves identity with a document; an organisation with its credit code, and may
    # add its agent's document. Either way a number without its type (or the reverse) is an error.
    number = a.get("id_number")
    number_given = number is not None and not (isinstance(number, str) and not number.strip())
    id_type = form.choice(a, "applicant.id_type", ID_TYPES, ID_TYPE_LABELS,
                          required=kind == "citizen" or number_given)
    out["id_type"] = id_type
    out["id_number"] = None
    if id_type is not None:
        out["id_number"] = form.code(
            a, "applicant.id_number", required=True,
            check=lambda s: id_number_problem(id_type, s, today),
            normalise=lambda s: normalise_id_number(id_type, s))
    out["org_code"] = form.code(a, "applicant.org_code", required=org, check=credit_code_problem,
                                normalise=normalise_credit_code)
    for key in ("legal_representative", "contact_person"):
        out[key] = form.text(a, f"applicant.{key}", required=org, max_len=PERSON_MAX)
    out["phone"] = form.code(a, "applicant.phone", required=True, check=phone_problem,
                             normalise=normalise_phone)
    out["email"] = form.code(a, "applicant.email", required=False, check=email_problem,
                             normalise=normalise_email)
    out["address"] = form.text(a, "applicant.address", required=False, max_len=ADDRESS_MAX)
    out["postcode"] = form.code(a, "applicant.postcode", required=False, check=postcode_problem,
                                normalise=normalise_postcode)
    return out


def _media(form: _Form, value: Any) -> tuple[str, ...] | None:
    """A non-empty set of the forms offered, without repeats, in the order of the paper form."""
    zh = "、".join(MEDIA_LABELS.values())
    if not isinstance(value, list | tuple) or not value:
        form.fail("request.media", Problem(f"请至少选择一种载体形式（{zh}）",
                                           f"request.media must list one or more of "
                                           f"{', '.join(MEDIA)}"))
        return None
    if not all(isinstance(m, str) and m in MEDIA for m in value):
        form.fail("request.media", Problem(f"载体形式只能从{zh}中选择",
                                           f"each medium must be one of {', '.join(MEDIA)}"))
        return None
    if len(set(value)) != len(value):
        form.fail("request.media", Problem("载体形式重复选择了同一项，请重新选择",
                                           "request.media lists a medium twice"))
        return None
    return tuple(m for m in MEDIA if m in value)


def _request(form: _Form, r: Mapping[str, Any]) -> dict[str, Any]:
    """Read the request section: what is wanted and how it should reach the applicant."""
    out: dict[str, Any] = {
        "description": form.text(r, "request.description", required=True,
                                 max_len=DESCRIPTION_MAX, multiline=True),
        "title": form.text(r, "request.title", required=False, max_len=REFERENCE_MAX),
        "index_no": form.text(r, "request.index_no", required=False, max_len=REFERENCE_MAX,
                              fold=fold_width),
        "doc_number": form.text(r, "request.doc_number", required=False, max_len=REFERENCE_MAX,
                                fold=lambda s: s.translate(_FULL_WIDTH_ALNUM)),
        "media": _media(form, r.get("media")),
        "delivery": form.choice(r, "request.delivery", DELIVERIES, DELIVERY_LABELS),
    }
    fee_waiver = r.get("fee_waiver", False)
    if not isinstance(fee_waiver, bool):
        form.fail("request.fee_waiver", Problem("是否申请减免费用应为“是”或“否”",
                                                "request.fee_waiver must be true or false"))
    out["fee_waiver"] = fee_waiver
    return out


def _cross_checks(form: _Form, a: dict[str, Any], r: dict[str, Any]) -> None:
    """Contact details the chosen delivery needs: an e-mail address, or an address and postcode."""
    if a.get("email") is None and "applicant.email" not in form.errors:
        if r.get("delivery") == "email":
            form.fail("applicant.email", Problem("您选择了通过电子邮件获取信息，请填写电子邮箱",
                                                 "delivery by e-mail needs an e-mail address"))
        elif "email" in (r.get("media") or ()):
            form.fail("applicant.email", Problem("您选择了电子邮件形式，请填写电子邮箱",
                                                 "the e-mail medium needs an e-mail address"))
    if r.get("delivery") == "mail":
        for key, zh in (("address", "通信地址"), ("postcode", "邮政编码")):
            if a.get(key) is None and f"applicant.{key}" not in form.errors:
                form.fail(f"applicant.{key}", Problem(f"您选择了邮寄，请填写{zh}",
                                                      f"delivery by mail needs the {key}"))


def validate(applicant: Any, request: Any, *, today: dt.date | None = None
             ) -> tuple[Applicant, Request]:
    """The application as clean model objects, or `InvalidApplication` listing every bad field.

    Takes the two sections as the form (or a staff member's correction) gives them, in the shape
    of the API's `applicant` and `request` objects. Whatever the input, nothing but
    `InvalidApplication` is raised. `today` (for "date of birth not in the future") defaults to
    the kiosk's date.
    """
    form = _Form()
    a_in = form.section(applicant, "applicant", _APPLICANT_KEYS)
    r_in = form.section(request, "request", _REQUEST_KEYS)
    a = _applicant(form, a_in, today) if a_in is not None else {}
    r = _request(form, r_in) if r_in is not None else {}
    if a and r:
        _cross_checks(form, a, r)
    if form.errors:
        order = {f"applicant.{k}": i for i, k in enumerate(_APPLICANT_KEYS)}
        order |= {f"request.{k}": 100 + i for i, k in enumerate(_REQUEST_KEYS)}
        order |= {"applicant": -1, "request": 99}
        errors = sorted(form.errors.values(), key=lambda e: order.get(e.field, 200))
        raise InvalidApplication(errors)
    return Applicant(**a), Request(**r)
