"""Importing JSONL files and bundles: reports, idempotence, deletions, refusals that change nothing."""

from __future__ import annotations

import json

import pytest

from index import BundleError, Catalogue
from tests.conftest import make_item, write_jsonl
from tests.index.bundles import attachment, write_bundle, zip_dir


def ids_found(cat: Catalogue, query: str) -> list[str]:
    return [h.id for h in cat.search(query, page_size=50).hits]


def test_bad_lines_are_rejected_with_reasons_and_the_rest_import(catalogue, tmp_path):
    rows = [make_item(1, title="老旧小区改造实施方案"),
            make_item(2, published_date="2024-13-01"),
            "{not json",
            make_item(3, title="城镇老旧小区改造资金安排"),
            {"op": "upsert", "item": make_item(4, agency=None)},
            b"\xff\xfe bad bytes".decode("latin-1")]
    report = catalogue.import_path(write_jsonl(tmp_path / "in.jsonl", rows))
    assert (report.counts.added, report.rejected_total) == (2, 4)
    reasons = {(r.line, r.item_id, r.field) for r in report.rejected}
    assert (2, "TEST-2024-00002", "published_date") in reasons
    assert (3, None, "line") in reasons
    assert (5, "TEST-2024-00004", "agency") in reasons
    assert sorted(ids_found(catalogue, "老旧小区")) == ["TEST-2024-00001", "TEST-2024-00003"]


def test_importing_the_same_file_twice_changes_nothing(catalogue, tmp_path):
    path = write_jsonl(tmp_path / "in.jsonl", [make_item(i) for i in range(1, 30)])
    first = catalogue.import_path(path)
    seq = catalogue.mirror.current_seq()
    generation = catalogue.stats()["index"]["generation"]
    second = catalogue.import_path(path)
    assert first.counts.added == 29
    assert (second.counts.added, second.counts.updated, second.counts.deleted,
            second.counts.unchanged) == (0, 0, 0, 29)
    assert catalogue.mirror.current_seq() == seq
    assert catalogue.stats()["index"]["generation"] == generation


def test_change_objects_update_and_delete_and_the_last_upsert_wins(catalogue, tmp_path):
    catalogue.import_path(write_jsonl(tmp_path / "a.jsonl", [make_item(1), make_item(2)]))
    report = catalogue.import_path(write_jsonl(tmp_path / "b.jsonl", [
        {"op": "upsert", "item": make_item(1, title="第一版标题",
                                           updated_at="2024-02-01T09:00:00+08:00")},
        {"op": "upsert", "item": make_item(1, title="更正后的标题",
                                           updated_at="2024-02-02T09:00:00+08:00")},
        {"op": "delete", "id": "TEST-2024-00002", "reason": "withdrawn"},
        {"op": "delete", "id": "NEVER-HELD"},
    ]))
    assert (report.counts.updated, report.counts.deleted, report.counts.missing) == (2, 1, 1)
    assert catalogue.get("TEST-2024-00001").title == "更正后的标题"
    assert catalogue.get("TEST-2024-00002") is None
    assert ids_found(catalogue, "更正") == ["TEST-2024-00001"]
    assert ids_found(catalogue, "第一版") == []
    assert "TEST-2024-00002" not in ids_found(catalogue, "测试文件")


def test_an_older_copy_does_not_roll_an_item_back(catalogue, tmp_path):
    new = make_item(1, title="新版", updated_at="2024-05-01T09:00:00+08:00")
    old = make_item(1, title="旧版", updated_at="2024-01-01T09:00:00+08:00")
    catalogue.import_path(write_jsonl(tmp_path / "new.jsonl", [new]))
    report = catalogue.import_path(write_jsonl(tmp_path / "old.jsonl", [old]))
    assert report.counts.stale == 1
    assert catalogue.get("TEST-2024-00001").title == "新版"


def test_bundle_directory_and_zip_import_with_attachments(catalogue, tmp_path):
    sha, ref, data = attachment(b"%PDF-1.4 sample bytes")
    items = [make_item(1, title="采购公告", attachments=[ref]),
             make_item(2, title="中标公告", attachments=[ref])]
    bundle = write_bundle(tmp_path / "b", items, {sha: data})
    report = catalogue.import_path(zip_dir(bundle, tmp_path / "b.zip"))
    assert (report.counts.added, report.attachments_added, report.attachments_missing) == (2, 1, 0)
    assert catalogue.attachment_path(sha).read_bytes() == data
    again = catalogue.import_path(bundle)
    assert (again.counts.unchanged, again.attachments_added) == (2, 0)


def test_snapshot_bundle_removes_items_it_does_not_hold(catalogue, tmp_path):
    catalogue.import_path(write_jsonl(tmp_path / "a.jsonl", [make_item(i) for i in (1, 2, 3)]))
    report = catalogue.import_path(write_bundle(tmp_path / "snap", [make_item(1), make_item(4)]))
    assert (report.counts.added, report.counts.deleted) == (1, 2)
    assert sorted(catalogue.mirror.ids()) == ["TEST-2024-00001", "TEST-2024-00004"]


def test_snapshot_with_unreadable_lines_removes_nothing(catalogue, tmp_path):
    catalogue.import_path(write_jsonl(tmp_path / "a.jsonl", [make_item(i) for i in (1, 2)]))
    bundle = write_bundle(tmp_path / "snap", [make_item(1)])
    text = (bundle / "catalogue.jsonl").read_text() + "{broken\n"
    (bundle / "catalogue.jsonl").write_text(text)
    _rewrite_manifest(bundle)
    report = catalogue.import_path(bundle)
    assert report.snapshot_removal_skipped and report.counts.deleted == 0
    assert catalogue.get("TEST-2024-00002") is not None


def _rewrite_manifest(bundle):
    import hashlib

    manifest = json.loads((bundle / "manifest.json").read_text())
    for f in manifest["files"]:
        data = (bundle / f["path"]).read_bytes()
        f["sha256"], f["size"] = hashlib.sha256(data).hexdigest(), len(data)
    (bundle / "manifest.json").write_text(json.dumps(manifest))


def _tamper_catalogue(b):
    with open(b / "catalogue.jsonl", "a") as f:
        f.write(json.dumps(make_item(99)) + "\n")


def _tamper_attachment(b):
    next((b / "attachments").iterdir()).write_bytes(b"%PDF-1.4 tampered")


def _drop_attachment(b):
    next((b / "attachments").iterdir()).unlink()


def _drop_manifest(b):
    (b / "manifest.json").unlink()


def _garble_manifest(b):
    (b / "manifest.json").write_text("{")


def _foreign_manifest(b):
    (b / "manifest.json").write_text(json.dumps({"format": "other", "files": []}))


def _path_escape(b):
    m = json.loads((b / "manifest.json").read_text())
    m["files"].append({"path": "../../etc/passwd", "sha256": "0" * 64, "size": 1})
    (b / "manifest.json").write_text(json.dumps(m))


@pytest.mark.parametrize("damage", [_tamper_catalogue, _tamper_attachment, _drop_attachment,
                                    _drop_manifest, _garble_manifest, _foreign_manifest,
                                    _path_escape])
@pytest.mark.parametrize("as_zip", [False, True])
def test_a_damaged_bundle_is_refused_and_changes_nothing(catalogue, tmp_path, damage, as_zip):
    catalogue.import_path(write_jsonl(tmp_path / "a.jsonl", [make_item(1), make_item(2)]))
    before = (catalogue.mirror.hashes(), catalogue.mirror.current_seq())
    sha, ref, data = attachment(b"%PDF-1.4 real")
    bundle = write_bundle(tmp_path / "b", [make_item(3, attachments=[ref])], {sha: data})
    damage(bundle)
    target = zip_dir(bundle, tmp_path / "b.zip") if as_zip else bundle
    with pytest.raises(BundleError) as err:
        catalogue.import_path(target)
    assert "Nothing was changed" in err.value.en and "未做任何更改" in err.value.zh
    assert (catalogue.mirror.hashes(), catalogue.mirror.current_seq()) == before
    assert catalogue.attachment_path(sha) is None


def test_a_truncated_zip_is_refused(catalogue, tmp_path):
    bundle = write_bundle(tmp_path / "b", [make_item(i) for i in range(50)])
    z = zip_dir(bundle, tmp_path / "b.zip")
    z.write_bytes(z.read_bytes()[: z.stat().st_size // 2])
    with pytest.raises(BundleError):
        catalogue.import_path(z)
    assert catalogue.mirror.count() == 0


def test_import_of_a_missing_path_is_a_clear_error(catalogue, tmp_path):
    with pytest.raises(BundleError) as err:
        catalogue.import_path(tmp_path / "nope.jsonl")
    assert "nope.jsonl" in err.value.en


def test_hostile_items_are_stored_and_returned_exactly(catalogue, tmp_path):
    hostile = make_item(
        "HOSTILE-1",
        title="[b]粗体[/b] [color=ff0000]红色[/color] <script>alert(1)</script> 审计报告",
        summary="\x00\x1b[2J控制\x07字符", body="审计" + "很长的正文。" * 170_000,
        doc_number="", keywords=[""], categories=["政府信息公开目录/[color=ff0000]红色栏目"])
    catalogue.import_path(write_jsonl(tmp_path / "h.jsonl", [hostile, make_item(2, body="")]))
    got = catalogue.get("HOSTILE-1").to_dict()
    for key in ("title", "summary", "body", "doc_number", "keywords", "categories"):
        assert got[key] == hostile[key]
    hit = catalogue.search("审计报告").hits[0]
    assert hit.item.title == hostile["title"]
    assert hit.item.title[slice(*hit.title_highlights[0])] == "审计报告"
    assert catalogue.get("TEST-2024-00002").body == ""
    assert "[color=ff0000]红色栏目" in catalogue.search("").facets["category"]
