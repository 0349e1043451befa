"""The catalogue item as `central-api.md` defines it, validated on the way in.

`parse_item` accepts the JSON object of the central system's contract and either returns an
immutable `Item` or raises `InvalidItem` naming the field. Values are data, never markup: a title
of `[b]x[/b]` or `<script>` is kept character for character. What is rejected is what would make
an item unusable or ambiguous: a missing or non-string required field, an id that could not be
typed or printed, an impossible date, a malformed attachment reference, a non-web source URL.
Unknown extra fields are ignored, so a newer central system does not break older kiosks.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from .errors import InvalidItem

MAX_ID_CHARS = 128
MAX_TEXT_CHARS = 10_000_000  # a body beyond this is a feed fault, not a document
_SHA256 = re.compile(r"[0-9a-f]{64}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
CATALOGUE_ROOTS = frozenset({"政府信息公开目录", "信息公开目录", "政府信息公开"})


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file belonging to an item, known by the SHA-256 of its bytes."""

    name: str
    sha256: str
    size: int
    media_type: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "sha256": self.sha256, "size": self.size,
                "media_type": self.media_type}


@dataclass(frozen=True, slots=True)
class Item:
    """One published catalogue entry (主动公开 information)."""

    id: str
    title: str
    agency: str
    published_date: str
    body: str
    updated_at: str
    doc_number: str | None = None
    categories: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    written_date: str | None = None
    summary: str | None = None
    attachments: tuple[Attachment, ...] = ()
    source_url: str | None = None

    @property
    def year(self) -> str:
        return self.published_date[:4]

    def to_dict(self) -> dict[str, Any]:
        """The item as the central API writes it (the form stored in the mirror and bundles)."""
        return {
            "id": self.id, "title": self.title, "agency": self.agency,
            "doc_number": self.doc_number, "categories": list(self.categories),
            "keywords": list(self.keywords), "written_date": self.written_date,
            "published_date": self.published_date, "summary": self.summary, "body": self.body,
            "attachments": [a.to_dict() for a in self.attachments],
            "source_url": self.source_url, "updated_at": self.updated_at,
        }

    def to_json(self) -> str:
        """Canonical JSON: equal items give equal text, so re-imports can be recognised."""
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True,
                          separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Item:
        """Rebuild an item the mirror stored (already validated; no checks repeated)."""
        d = json.loads(text)
        return cls(
            id=d["id"], title=d["title"], agency=d["agency"],
            published_date=d["published_date"], body=d["body"], updated_at=d["updated_at"],
            doc_number=d.get("doc_number"), categories=tuple(d.get("categories") or ()),
            keywords=tuple(d.get("keywords") or ()), written_date=d.get("written_date"),
            summary=d.get("summary"),
            attachments=tuple(Attachment(**a) for a in d.get("attachments") or ()),
            source_url=d.get("source_url"),
        )


def top_category(path: str) -> str:
    """The catalogue section of a category path, skipping the common 政府信息公开目录 root."""
    parts = [p.strip() for p in path.split("/") if p.strip()]
    if not parts:
        return ""
    from .fold import fold  # local: model is imported by tools that never fold

    if len(parts) > 1 and fold(parts[0]) in CATALOGUE_ROOTS:
        return parts[1]
    return parts[0]


# ---------------------------------------------------------------------------------------------
# validation


def _fail(field: str, zh: str, en: str) -> InvalidItem:
    return InvalidItem(field, zh, en)


def _text(obj: dict[str, Any], field: str, *, required: bool, nonblank: bool = False,
          limit: int = MAX_TEXT_CHARS) -> str | None:
    value = obj.get(field)
    if value is None:
        if required:
            raise _fail(field, "缺少必填字段", "is required")
        return None
    if not isinstance(value, str):
        raise _fail(field, "应为文本", "must be a string")
    if nonblank and not value.strip():
        raise _fail(field, "不能为空", "must not be empty")
    if len(value) > limit:
        raise _fail(field, f"超过 {limit} 个字符", f"is longer than {limit} characters")
    return value


def _date(obj: dict[str, Any], field: str, *, required: bool) -> str | None:
    value = _text(obj, field, required=required)
    if value is None or (not required and value == ""):
        return None
    if not _DATE.fullmatch(value):
        raise _fail(field, "日期格式应为 YYYY-MM-DD", "must be a date as YYYY-MM-DD")
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise _fail(field, "不是有效日期", "is not a real calendar date") from None
    return value


def _timestamp(obj: dict[str, Any], field: str) -> str:
    value = _text(obj, field, required=True, nonblank=True)
    assert value is not None
    try:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise _fail(field, "时间格式应为 ISO 8601", "must be an ISO 8601 date-time") from None
    return value


def _strings(obj: dict[str, Any], field: str) -> tuple[str, ...]:
    value = obj.get(field)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(field, "应为文本列表", "must be a list of strings")
    return tuple(value)


def _attachments(obj: dict[str, Any]) -> tuple[Attachment, ...]:
    value = obj.get("attachments")
    if value is None:
        return ()
    if not isinstance(value, list):
        raise _fail("attachments", "应为列表", "must be a list")
    out = []
    for i, a in enumerate(value):
        where = f"attachments[{i}]"
        if not isinstance(a, dict):
            raise _fail(where, "应为对象", "must be an object")
        name = _text(a, "name", required=True, nonblank=True, limit=255)
        sha = a.get("sha256")
        if not isinstance(sha, str) or not _SHA256.fullmatch(sha.lower()):
            raise _fail(f"{where}.sha256", "应为 64 位十六进制 SHA-256",
                        "must be a 64-digit hexadecimal SHA-256")
        size = a.get("size")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise _fail(f"{where}.size", "应为非负整数", "must be a non-negative integer")
        media = a.get("media_type")
        if media is not None and not isinstance(media, str):
            raise _fail(f"{where}.media_type", "应为文本", "must be a string")
        assert name is not None
        out.append(Attachment(name=name, sha256=sha.lower(), size=size, media_type=media))
    return tuple(out)


def _identifier(obj: dict[str, Any]) -> str:
    value = obj.get("id")
    if not isinstance(value, str) or not value:
        raise _fail("id", "缺少编号（索引号）", "is required and must be a non-empty string")
    if len(value) > MAX_ID_CHARS:
        raise _fail("id", f"超过 {MAX_ID_CHARS} 个字符", f"is longer than {MAX_ID_CHARS} characters")
    if value != value.strip() or any(unicodedata.category(c)[0] in "CZ" and c != " "
                                     for c in value):
        raise _fail("id", "含有控制字符或首尾空白", "contains control characters or edge spaces")
    return value


def _source_url(obj: dict[str, Any]) -> str | None:
    value = _text(obj, "source_url", required=False, limit=2048)
    if not value:
        return value
    if not re.match(r"https?://[^\s/]+", value, re.IGNORECASE) or any(c.isspace() for c in value):
        raise _fail("source_url", "应为 http(s) 网址", "must be an http or https URL")
    return value


def parse_item(obj: Any) -> Item:
    """Validate one item object of the central API; raise `InvalidItem` naming the bad field."""
    if not isinstance(obj, dict):
        raise _fail("item", "应为 JSON 对象", "must be a JSON object")
    item_id = _identifier(obj)
    title = _text(obj, "title", required=True, nonblank=True, limit=10_000)
    agency = _text(obj, "agency", required=True, nonblank=True, limit=500)
    body = _text(obj, "body", required=True)
    published = _date(obj, "published_date", required=True)
    assert title is not None and agency is not None and body is not None and published
    return Item(
        id=item_id, title=title, agency=agency, published_date=published, body=body,
        updated_at=_timestamp(obj, "updated_at"),
        doc_number=_text(obj, "doc_number", required=False, limit=200),
        categories=_strings(obj, "categories"), keywords=_strings(obj, "keywords"),
        written_date=_date(obj, "written_date", required=False),
        summary=_text(obj, "summary", required=False),
        attachments=_attachments(obj), source_url=_source_url(obj),
    )


@dataclass(frozen=True, slots=True)
class Change:
    """One entry of a changes feed or import file: an upsert carries an item, a delete an id."""

    op: str
    item: Item | None = None
    id: str | None = None

    @property
    def item_id(self) -> str:
        return self.item.id if self.item is not None else str(self.id)


def parse_change(obj: Any) -> Change:
    """Accept a change object (`{"op": "upsert"|"delete", …}`) or a bare item (an upsert)."""
    if isinstance(obj, dict) and "op" in obj:
        op = obj.get("op")
        if op == "upsert":
            return Change("upsert", item=parse_item(obj.get("item")))
        if op == "delete":
            return Change("delete", id=_identifier(obj))
        raise _fail("op", "应为 upsert 或 delete", "must be upsert or delete")
    return Change("upsert", item=parse_item(obj))


def updated_instant(item: Item) -> dt.datetime:
    """`updated_at` as an aware instant (a naive time is read as China Standard Time)."""
    t = dt.datetime.fromisoformat(item.updated_at.replace("Z", "+00:00"))
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))
    return t
