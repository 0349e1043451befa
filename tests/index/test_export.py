"""Exporting the mirror as a bundle, and importing that bundle on another kiosk."""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import zipfile

import pytest

from index import BundleError, Catalogue, CatalogueError, Change, parse_item
from index.bundle import open_source
from index.export import export_bundle
from index.importer import import_source
from index.mirror import Mirror
from index.signing import generate_keypair, load_public_key
from tests.conftest import SAMPLE_BUNDLE, make_item, write_jsonl

KEY = generate_keypair()


@pytest.fixture
def second(tmp_path):
    """The offline kiosk's catalogue, empty."""
    cat = Catalogue(tmp_path / "data2")
    yield cat
    cat.close()


@pytest.fixture
def sample(catalogue):
    """The connected kiosk, holding the sample catalogue (its own copy: tests change it)."""
    load(catalogue, SAMPLE_BUNDLE)
    return catalogue


def load(cat: Catalogue, path, public_text: str | None = None):
    """Import into the mirror only: what export and these checks read, without indexing time."""
    source = open_source(path, public_key=load_public_key(public_text) if public_text else None)
    try:
        return import_source(source, cat.mirror, cat.attachments)
    finally:
        source.close()


def contents(cat: Catalogue) -> dict[str, dict]:
    return {i: cat.mirror.get(i).to_dict() for i in sorted(cat.mirror.ids())}


def referenced(cat: Catalogue) -> set[str]:
    return {a.sha256 for item, _h in cat.mirror.iter_items() for a in item.attachments}


def test_an_export_imports_elsewhere_as_the_same_catalogue(sample, second, tmp_path):
    seen: list[tuple[str, int, int]] = []
    out = tmp_path / "export.zip"
    report = export_bundle(sample.mirror, sample.attachments, out,
                           progress=lambda *a: seen.append(a))
    shas = referenced(sample)
    assert (report.path, report.items, report.attachments, report.attachments_missing) == (
        str(out), sample.mirror.count(), len(shas), 0)
    assert report.bytes == out.stat().st_size and not report.signed
    assert ("export", report.items, report.items) in seen
    assert ("attachments", len(shas), len(shas)) in seen
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["export.zip"]

    with zipfile.ZipFile(out) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        assert "manifest.sig" not in zf.namelist()
    assert (manifest["format"], manifest["format_version"], manifest["mode"]) == (
        "disclosure-kiosk-bundle", 1, "snapshot")
    assert manifest["item_count"] == report.items
    assert dt.datetime.fromisoformat(manifest["created_at"]).utcoffset() is not None

    imported = load(second, out)
    assert (imported.counts.added, imported.rejected_total) == (report.items, 0)
    assert imported.attachments_added == len(shas) and imported.attachments_missing == 0
    assert contents(second) == contents(sample)
    assert all(second.attachments.check(sha) is None for sha in shas)


def test_a_re_export_after_a_deletion_removes_the_item_on_import(sample, second, tmp_path):
    load(second, export_bundle(sample.mirror, sample.attachments,
                                     tmp_path / "one.zip").path)
    gone = sorted(sample.mirror.ids())[3]
    sample.mirror.apply([Change("delete", id=gone)])
    report = load(second, export_bundle(sample.mirror, sample.attachments,
                                              tmp_path / "two.zip").path)
    assert (report.counts.deleted, report.counts.added, report.counts.updated) == (1, 0, 0)
    assert second.get(gone) is None
    assert contents(second) == contents(sample)


def test_a_signed_export_imports_with_its_key_and_no_other(sample, second, tmp_path):
    out = tmp_path / "signed.zip"
    report = export_bundle(sample.mirror, sample.attachments, out, sign_key=KEY[0])
    assert report.signed
    with pytest.raises(BundleError):
        open_source(out, public_key=load_public_key(generate_keypair()[1]))
    assert second.mirror.count() == 0
    with pytest.raises(BundleError, match="not signed"):
        load(second, export_bundle(sample.mirror, sample.attachments, tmp_path / "u.zip").path,
             KEY[1])
    assert second.mirror.count() == 0
    load(second, out, KEY[1])
    assert contents(second) == contents(sample)


def test_a_bad_signing_key_is_refused_before_anything_is_written(sample, tmp_path):
    with pytest.raises(BundleError):
        export_bundle(sample.mirror, sample.attachments, tmp_path / "x.zip", sign_key=b"nope")
    assert list(tmp_path.glob("x.zip*")) == []


def test_export_to_a_missing_directory_is_refused(sample, tmp_path):
    out = tmp_path / "no-such-stick" / "export.zip"
    with pytest.raises(CatalogueError) as err:
        export_bundle(sample.mirror, sample.attachments, out)
    assert "no such directory" in err.value.en and "目录不存在" in err.value.zh
    assert not out.parent.exists()


def test_a_full_disk_leaves_no_bundle_and_no_partial_file(sample, tmp_path, monkeypatch):
    old = tmp_path / "export.zip"
    old.write_bytes(b"last week's bundle")

    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(CatalogueError) as err:
        export_bundle(sample.mirror, sample.attachments, old)
    monkeypatch.undo()
    assert "No bundle was made" in err.value.en and "未生成导入包" in err.value.zh
    assert old.read_bytes() == b"last week's bundle"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "export.zip"]


def test_attachments_not_held_are_counted_and_the_export_still_imports(catalogue, second,
                                                                       tmp_path):
    load(catalogue, SAMPLE_BUNDLE)
    shas = sorted(referenced(catalogue))
    catalogue.attachments.get(shas[0]).unlink()
    catalogue.attachments.get(shas[1]).write_bytes(b"bit rot")
    report = export_bundle(catalogue.mirror, catalogue.attachments, tmp_path / "x.zip")
    assert (report.attachments, report.attachments_missing) == (len(shas) - 2, 2)
    imported = load(second, tmp_path / "x.zip")
    assert imported.counts.added == report.items
    assert imported.attachments_missing == 2
    assert second.attachments.get(shas[1]) is None


def test_an_export_is_one_state_while_a_sync_writes(catalogue, second, tmp_path):
    """Writes another connection commits mid-export do not appear in the export.

    The mirror reads items 500 at a time, so with 1,200 items the last ones are read after the
    write: only the read transaction keeps them as they were when the export began.
    """
    load(catalogue, write_jsonl(tmp_path / "a.jsonl", [make_item(i) for i in range(1200)]))
    before = contents(catalogue)
    ids = sorted(before)
    writer = Mirror(catalogue.mirror.path)
    wrote: list[int] = []

    def progress(stage: str, done: int, _total: int) -> None:
        if stage == "export" and not wrote:
            wrote.append(done)
            writer.apply([
                Change("delete", id=ids[-1]),
                Change("upsert", item=parse_item(make_item(
                    1100, title="导出期间更正", updated_at="2024-06-01T09:00:00+08:00"))),
                Change("upsert", item=parse_item(make_item("NEW-DURING-EXPORT")))])

    try:
        report = export_bundle(catalogue.mirror, catalogue.attachments, tmp_path / "x.zip",
                               progress=progress)
    finally:
        writer.close()
    assert wrote == [200]
    assert catalogue.mirror.get(ids[-1]) is None  # the write did happen, meanwhile
    assert report.items == len(ids)
    load(second, tmp_path / "x.zip")
    assert contents(second) == before
