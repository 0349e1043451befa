"""The numbers and codes applicants type, normalised and checked one by one.

Normalised first, because that is how people type on a touch keyboard with a Chinese input
method: full-width digits and letters (１２３, ＡＢＣ), a full-width ＠ or 。 in an e-mail address,
spaces between groups of digits, a lower-case x at the end of an identity number. Then checked:
identity numbers carry check characters (GB 11643 / ISO 7064 MOD 11-2 for the resident ID,
GB 32100-2015 for the unified social credit code), so a single mistyped character is caught at
the kiosk instead of at the disclosure office.

The `*_problem` functions return a `Problem` (zh, en) or None; the matching `normalise_*`
functions give the form in which a value is stored and sent. Both are public so a screen can
check one field as soon as the applicant leaves it. `validation` checks the whole form with them.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import NamedTuple

from .model import ID_TYPE_LABELS

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
FULL_WIDTH_ALNUM = {c: c - 0xFEE0 for c in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B),
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


# -- folding what touch keyboards produce ---------------------------------------------------------

def fold_width(s: str) -> str:
    """Full-width ASCII (１２３ＡＢＣ＠－) and the ideographic space to their half-width forms."""
    return s.translate(_FULL_WIDTH)


def _squeeze(s: str) -> str:
    """Folded, with every kind of whitespace removed: for numbers typed in groups."""
    return _SPACE.sub("", fold_width(s))


def has_control(s: str, multiline: bool = False) -> bool:
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
    if has_control(n) or not n.isprintable():
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
    if _SPACE.search(n) or has_control(n):
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
