"""Checking an application body the way central-api.md describes, naming every bad field.

The kiosk keeps a 422'd application for staff to correct, so the reference server must reject
exactly what a real central system would, and say where: `fields` maps each bad field's dotted
path (`applicant.id_number`) to a short reason, all of them at once, so staff fix everything in
one pass. Identity numbers carry check digits; a kiosk that lets a typo through should see it
refused here in tests, not at the disclosure office.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

APPLICANT_TYPES = ("citizen", "organization")
ID_TYPES = ("resident_id", "passport", "hk_macao_permit", "taiwan_permit", "other")
MEDIA = ("paper", "email", "disc")
DELIVERY = ("mail", "email", "fax", "pickup", "onsite")
DESCRIPTION_MAX = 1000

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ORG_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31: no I, O, S, V, Z
_ORG_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_PHONE = re.compile(r"\+?[0-9][0-9-]*")
_POSTCODE = re.compile(r"[0-9]{6}")


def resident_id_ok(number: str) -> bool:
    """A mainland resident ID: 17 digits then the ISO 7064 MOD 11-2 check character (GB 11643)."""
    if len(number) != 18 or not number[:17].isascii() or not number[:17].isdigit():
        return False
    total = sum(int(c) * w for c, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return number[17].upper() == _ID_CHECK[total % 11]


def org_code_ok(code: str) -> bool:
    """A 统一社会信用代码: 18 characters of its alphabet, the last a GB 32100-2015 check character."""
    if len(code) != 18 or any(c not in _ORG_CHARSET for c in code):
        return False
    total = sum(_ORG_CHARSET.index(c) * w for c, w in zip(code[:17], _ORG_WEIGHTS, strict=True))
    return code[17] == _ORG_CHARSET[(31 - total % 31) % 31]


def validate_application(body: Any) -> dict[str, str]:
    """Every problem with an application body, as {dotted field path: reason}; empty when valid."""
    errors: dict[str, str] = {}
    if not isinstance(body, dict):
        return {"body": "must be a JSON object"}
    _text(errors, body, "receipt_no", "receipt_no")
    _text(errors, body, "query_code", "query_code")
    _timestamp(errors, body.get("submitted_at"), "submitted_at")
    kiosk = body.get("kiosk")
    if not isinstance(kiosk, dict):
        errors["kiosk"] = "required: an object with the kiosk's id"
    else:
        _text(errors, kiosk, "id", "kiosk.id")
        _optional_text(errors, kiosk, "venue", "kiosk.venue")
    applicant = body.get("applicant")
    if isinstance(applicant, dict):
        _applicant(errors, applicant)
    else:
        errors["applicant"] = "required: an object"
    request = body.get("request")
    if isinstance(request, dict):
        _request(errors, request)
    else:
        errors["request"] = "required: an object"
    return errors


def _applicant(errors: dict[str, str], a: dict[str, Any]) -> None:
    """The applicant: who they are depends on `type`; how to reach them is common to both."""
    kind = a.get("type")
    if kind not in APPLICANT_TYPES:
        errors["applicant.type"] = _one_of(APPLICANT_TYPES)
    # An organisation's `name` is its registered name (名称): required for both kinds.
    _text(errors, a, "name", "applicant.name")
    id_type = a.get("id_type")
    if kind == "citizen":
        if id_type not in ID_TYPES:
            errors["applicant.id_type"] = _one_of(ID_TYPES)
        if _text(errors, a, "id_number", "applicant.id_number") and id_type == "resident_id" \
                and not resident_id_ok(a["id_number"]):
            errors["applicant.id_number"] = "not a valid resident ID number (length or check digit)"
    else:
        if id_type is not None and id_type not in ID_TYPES:
            errors["applicant.id_type"] = _one_of(ID_TYPES) + " (or null)"
        _optional_text(errors, a, "id_number", "applicant.id_number")
    if kind == "organization":
        if _text(errors, a, "org_code", "applicant.org_code") and not org_code_ok(a["org_code"]):
            errors["applicant.org_code"] = "not a valid unified social credit code (length or check digit)"
        _text(errors, a, "legal_representative", "applicant.legal_representative")
        _text(errors, a, "contact_person", "applicant.contact_person")
    else:
        for name in ("org_code", "legal_representative", "contact_person"):
            _optional_text(errors, a, name, f"applicant.{name}")
    phone = a.get("phone")
    if not isinstance(phone, str) or not phone:
        errors["applicant.phone"] = "required"
    elif not (7 <= len(phone) <= 20 and _PHONE.fullmatch(phone)):
        errors["applicant.phone"] = "7-20 characters: digits and '-', optionally a leading '+'"
    email = a.get("email")
    if email is not None:
        local, _, domain = email.partition("@") if isinstance(email, str) else ("", "", "")
        if not isinstance(email, str) or email.count("@") != 1 or not local or not domain:
            errors["applicant.email"] = "must be null or an address with one '@'"
    _optional_text(errors, a, "address", "applicant.address")
    postcode = a.get("postcode")
    if postcode is not None and not (isinstance(postcode, str) and _POSTCODE.fullmatch(postcode)):
        errors["applicant.postcode"] = "must be null or 6 digits"


def _request(errors: dict[str, str], r: dict[str, Any]) -> None:
    """What is asked for and how it should be delivered."""
    desc = r.get("description")
    if not isinstance(desc, str) or not desc.strip():
        errors["request.description"] = "required: 1-1000 characters"
    elif len(desc) > DESCRIPTION_MAX:
        errors["request.description"] = f"too long: {len(desc)} characters, at most {DESCRIPTION_MAX}"
    for name in ("title", "index_no", "doc_number"):
        _optional_text(errors, r, name, f"request.{name}")
    media = r.get("media")
    if not isinstance(media, list) or not media:
        errors["request.media"] = "required: a non-empty list of " + ", ".join(MEDIA)
    elif any(m not in MEDIA for m in media):
        errors["request.media"] = "each must be one of " + ", ".join(MEDIA)
    if r.get("delivery") not in DELIVERY:
        errors["request.delivery"] = _one_of(DELIVERY)
    if "fee_waiver" in r and not isinstance(r["fee_waiver"], bool):
        errors["request.fee_waiver"] = "must be true or false"


def _text(errors: dict[str, str], obj: dict[str, Any], key: str, path: str) -> bool:
    """Require a non-blank string at `key`; report and return False otherwise."""
    value = obj.get(key)
    if isinstance(value, str) and value.strip():
        return True
    errors[path] = "required: a non-empty string"
    return False


def _optional_text(errors: dict[str, str], obj: dict[str, Any], key: str, path: str) -> None:
    """Allow a missing or null value, or a string; anything else is a type error."""
    value = obj.get(key)
    if value is not None and not isinstance(value, str):
        errors[path] = "must be a string or null"


def _timestamp(errors: dict[str, str], value: Any, path: str) -> None:
    """Require an ISO 8601 date-time."""
    try:
        if not isinstance(value, str) or "T" not in value.upper():
            raise ValueError  # a bare date is not a moment of submission
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        errors[path] = "required: an ISO 8601 date-time"


def _one_of(choices: tuple[str, ...]) -> str:
    """The reason for a value outside an enumeration lists the allowed values, to fix it at once."""
    return "must be one of " + ", ".join(choices)
