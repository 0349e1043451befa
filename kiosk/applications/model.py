"""An application for disclosure (依申请公开) as the central system receives it.

The field names are those of `POST /v1/applications` (shared/central-api.md) so that `to_dict()` is
the request body's `applicant` and `request` objects as they are, with no renaming layer in
between where a field could be dropped. Instances are frozen: once `validation.validate` has built
one, what is sealed in the outbox, printed on the receipt and sent to the centre is the same
thing. The enumerations carry the Chinese words of the paper form, which the screens and the
receipt print; the API values stay English.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

APPLICANT_TYPES = ("citizen", "organization")
ID_TYPES = ("resident_id", "passport", "hk_macao_permit", "taiwan_permit", "other")
MEDIA = ("paper", "email", "disc")
DELIVERIES = ("mail", "email", "fax", "pickup", "onsite")

APPLICANT_TYPE_LABELS = {"citizen": "公民", "organization": "法人或者其他组织"}
ID_TYPE_LABELS = {
    "resident_id": "居民身份证",
    "passport": "护照",
    "hk_macao_permit": "港澳居民来往内地通行证",
    "taiwan_permit": "台湾居民来往大陆通行证",
    "other": "其他",
}
MEDIA_LABELS = {"paper": "纸质文本", "email": "电子邮件", "disc": "光盘/磁盘"}
DELIVERY_LABELS = {"mail": "邮寄", "email": "电子邮件", "fax": "传真", "pickup": "当面领取",
                   "onsite": "现场查阅"}

FIELD_LABELS = {
    "applicant": "申请人信息",
    "applicant.type": "申请人类型",
    "applicant.name": "姓名或名称",
    "applicant.id_type": "证件类型",
    "applicant.id_number": "证件号码",
    "applicant.org_code": "统一社会信用代码",
    "applicant.legal_representative": "法定代表人",
    "applicant.contact_person": "联系人",
    "applicant.phone": "联系电话",
    "applicant.email": "电子邮箱",
    "applicant.address": "通信地址",
    "applicant.postcode": "邮政编码",
    "request": "所需信息",
    "request.description": "所需信息的内容描述",
    "request.title": "所需信息的名称",
    "request.index_no": "索引号",
    "request.doc_number": "文号",
    "request.media": "载体形式",
    "request.delivery": "获取方式",
    "request.fee_waiver": "减免费用申请",
}
"""The paper form's words for each field (dotted as the API names it), for messages and receipts."""


@dataclass(frozen=True)
class Applicant:
    """Who applies and how to reach them; `name` is an organisation's registered name for one."""

    type: str
    name: str
    id_type: str | None = None
    id_number: str | None = None
    org_code: str | None = None
    legal_representative: str | None = None
    contact_person: str | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    postcode: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The API's `applicant` object: every key present, absent values as null."""
        return {
            "type": self.type, "name": self.name, "id_type": self.id_type,
            "id_number": self.id_number, "org_code": self.org_code,
            "legal_representative": self.legal_representative,
            "contact_person": self.contact_person, "phone": self.phone, "email": self.email,
            "address": self.address, "postcode": self.postcode,
        }


@dataclass(frozen=True)
class Request:
    """What information is wanted, in which form (`media`) and how it reaches the applicant."""

    description: str
    media: tuple[str, ...]
    delivery: str
    title: str | None = None
    index_no: str | None = None
    doc_number: str | None = None
    fee_waiver: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The API's `request` object; `media` becomes a JSON list."""
        return {
            "description": self.description, "title": self.title, "index_no": self.index_no,
            "doc_number": self.doc_number, "media": list(self.media), "delivery": self.delivery,
            "fee_waiver": self.fee_waiver,
        }
