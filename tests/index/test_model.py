"""Items are validated field by field on the way in, and kept exactly as data once accepted."""

from __future__ import annotations

import pytest

from index import InvalidItem, parse_change, parse_item
from tests.conftest import make_item


@pytest.mark.parametrize(("fields", "field"), [
    ({"id": ""}, "id"),
    ({"id": "x" * 129}, "id"),
    ({"id": "A\nB"}, "id"),
    ({"id": " A"}, "id"),
    ({"title": None}, "title"),
    ({"title": "   "}, "title"),
    ({"title": 12}, "title"),
    ({"agency": ""}, "agency"),
    ({"body": None}, "body"),
    ({"published_date": "2024-02-30"}, "published_date"),
    ({"published_date": "20240105"}, "published_date"),
    ({"written_date": "yesterday"}, "written_date"),
    ({"updated_at": "soon"}, "updated_at"),
    ({"categories": "政府信息公开目录"}, "categories"),
    ({"keywords": [1, 2]}, "keywords"),
    ({"attachments": {}}, "attachments"),
    ({"attachments": [{"name": "a.pdf", "sha256": "abc", "size": 1}]}, "attachments[0].sha256"),
    ({"attachments": [{"name": "a.pdf", "sha256": "a" * 64, "size": -1}]}, "attachments[0].size"),
    ({"attachments": [{"name": "", "sha256": "a" * 64, "size": 1}]}, "name"),
    ({"source_url": "javascript:alert(1)"}, "source_url"),
])
def test_a_bad_field_is_named(fields, field):
    with pytest.raises(InvalidItem) as err:
        parse_item(make_item(**fields))
    assert err.value.field == field
    assert field in err.value.en and field in err.value.zh


def test_missing_required_field_is_named():
    item = make_item()
    del item["updated_at"]
    with pytest.raises(InvalidItem) as err:
        parse_item(item)
    assert err.value.field == "updated_at"


HOSTILE = {
    "title": "[b]加粗[/b][color=ff0000]红[/color]<script>alert('x')</script>../../etc/passwd",
    "summary": "\x00\x07\x1b[31m控制字符\x7f\u200b",
    "body": "正文" * 500_000,  # 1 MB of text
    "doc_number": "",
    "keywords": ["", "<b>"],
}


def test_hostile_values_are_kept_exactly():
    item = parse_item(make_item(**HOSTILE))
    for key, value in HOSTILE.items():
        got = getattr(item, key)
        assert (list(got) if isinstance(got, tuple) else got) == value


def test_unknown_fields_are_ignored_and_sha_is_normalised():
    item = parse_item(make_item(extra_field={"x": 1},
                                attachments=[{"name": "附件.pdf", "sha256": "AB" * 32, "size": 3}]))
    assert item.attachments[0].sha256 == "ab" * 32


def test_change_objects():
    up = parse_change({"op": "upsert", "item": make_item(7)})
    assert up.op == "upsert" and up.item_id == "TEST-2024-00007"
    assert parse_change({"op": "delete", "id": "X-1", "reason": "withdrawn"}).item_id == "X-1"
    assert parse_change(make_item(8)).op == "upsert"
    with pytest.raises(InvalidItem) as err:
        parse_change({"op": "rename", "id": "X"})
    assert err.value.field == "op"


def test_json_round_trip_is_exact():
    item = parse_item(make_item(**HOSTILE))
    from index.model import Item

    assert Item.from_json(item.to_json()) == item
