"""Checking an application form at the kiosk, so that what the centre receives is right first time.

An application the centre refuses (422) waits for venue staff, and the applicant has long gone
home; so the kiosk checks everything the centre checks, and more, while the applicant is still at
the screen. Every message says what is wrong *and* how to put it right, in Chinese for the
applicant and English for the engineer, and `validate` reports every bad field at once: an elderly
applicant corrects the whole form in one pass instead of meeting one complaint after another.

Each number and code is normalised and checked by `identifiers`, whose functions a screen can
also call on one field as soon as the applicant leaves it; this module checks the whole form.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import KioskError
from .identifiers import (
    FULL_WIDTH_ALNUM,
    Problem,
    credit_code_problem,
    email_problem,
    fold_width,
    has_control,
    id_number_problem,
    normalise_credit_code,
    normalise_email,
    normalise_id_number,
    normalise_phone,
    normalise_postcode,
    phone_problem,
    postcode_problem,
)
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
        if has_control(value, multiline):
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
                                fold=lambda s: s.translate(FULL_WIDTH_ALNUM)),
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
