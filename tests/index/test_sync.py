"""Sync from a real reference central system over loopback sockets, fault by fault."""

from __future__ import annotations

import hashlib

import pytest

from index import CatalogueError, parse_item
from index.feed import FeedError, RetryPolicy
from tests.conftest import SAMPLE_BUNDLE, central_session, make_item

FAST = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05, timeout=5)


def sync(cat, srv, **kw):
    kw.setdefault("policy", FAST)
    with central_session() as session:
        return cat.sync(session, srv.url, **kw)


def assert_same_as_central(cat, srv) -> None:
    """The kiosk holds exactly the central catalogue, item by item, field by field."""
    central = srv.catalogue()
    assert cat.mirror.ids() == set(central)
    for item_id, raw in central.items():
        assert cat.get(item_id).to_dict() == parse_item(raw).to_dict(), item_id


def requests_to(srv, prefix: str) -> list:
    return [r for r in srv.requests if r.path.startswith(prefix)]


def test_first_sync_takes_the_whole_catalogue_and_each_attachment_once(catalogue, central):
    central.load(SAMPLE_BUNDLE)
    report = sync(catalogue, central, page_size=50)

    assert_same_as_central(catalogue, central)
    assert report.full_read and report.complete and report.pages >= 7
    fetched = [r.path for r in requests_to(central, "/v1/attachments/")]
    assert len(fetched) == len(set(fetched)) == report.attachments_fetched == 22
    assert catalogue.mirror.missing_attachments() == []
    for path in fetched:
        sha = path.rsplit("/", 1)[1]
        assert hashlib.sha256(catalogue.attachment_path(sha).read_bytes()).hexdigest() == sha
    assert catalogue.search("老旧小区改造").total > 0


def test_second_sync_fetches_only_what_changed(catalogue, central):
    for n in range(5):
        central.upsert(make_item(n))
    sync(catalogue, central)
    central.upsert(make_item(7, title="新增的养老服务补贴通知"))
    central.upsert(make_item(1, title="修改后的标题第一版", updated_at="2024-02-01T09:00:00+08:00"))
    central.upsert(make_item(1, title="修改后的标题第二版", updated_at="2024-02-02T09:00:00+08:00"))
    central.delete(make_item(2)["id"])
    before = len(requests_to(central, "/v1/catalogue/changes"))

    report = sync(catalogue, central)

    assert_same_as_central(catalogue, central)
    assert not report.full_read and report.changes == 4
    assert (report.counts.added, report.counts.updated, report.counts.deleted) == (1, 2, 1)
    assert catalogue.get(make_item(1)["id"]).title == "修改后的标题第二版"  # the last upsert wins
    assert len(requests_to(central, "/v1/catalogue/changes")) == before + 1
    assert catalogue.search("养老服务补贴").hits[0].id == make_item(7)["id"]


def test_withdrawn_item_leaves_search_without_reopening(catalogue, central):
    central.upsert(make_item(1, title="关于征收土地补偿标准的公告"))
    sync(catalogue, central)
    assert catalogue.search("土地补偿标准").total == 1
    central.delete(make_item(1)["id"], reason="withdrawn")
    sync(catalogue, central)
    assert catalogue.search("土地补偿标准").total == 0
    assert catalogue.get(make_item(1)["id"]) is None


def test_expired_cursor_rereads_everything_and_drops_what_central_no_longer_has(catalogue,
                                                                                central):
    for n in range(6):
        central.upsert(make_item(n))
    sync(catalogue, central, page_size=2)
    central.delete(make_item(3)["id"])
    central.upsert(make_item(9))
    central.expire_cursors()  # the log is compacted: the deletion is no longer in it

    report = sync(catalogue, central, page_size=2)

    assert report.cursor_expired and report.full_read
    assert report.removed_unseen == 1
    assert_same_as_central(catalogue, central)
    assert any(r.status == 410 for r in central.requests)


def test_full_sync_on_request_drops_items_imported_from_elsewhere(catalogue, central, tmp_path):
    from tests.conftest import write_jsonl

    central.upsert(make_item(1))
    sync(catalogue, central)
    catalogue.import_path(write_jsonl(tmp_path / "x.jsonl", [make_item(50)]))
    sync(catalogue, central)
    assert catalogue.get(make_item(50)["id"]) is not None  # an incremental sync keeps it
    report = sync(catalogue, central, full=True)
    assert report.removed_unseen == 1
    assert_same_as_central(catalogue, central)


@pytest.mark.parametrize("fault", [{"error_500": 2}, {"unavailable": 2, "retry_after": 0.2},
                                   {"drop_body": 2}])
def test_transient_faults_are_retried_and_nothing_is_lost(catalogue, central, fault):
    for n in range(12):
        central.upsert(make_item(n))
    central.set_faults(**fault)
    report = sync(catalogue, central, page_size=5)
    assert report.retries == 2
    assert_same_as_central(catalogue, central)


def test_retry_after_is_honoured(catalogue, central):
    central.upsert(make_item(1))
    central.set_faults(rate_limit=1, retry_after=0.6)
    sync(catalogue, central)
    feed = requests_to(central, "/v1/catalogue/changes")
    assert [r.status for r in feed] == [429, 200]
    assert feed[1].at - feed[0].at >= 0.6


def test_giving_up_keeps_applied_pages_and_records_the_error(catalogue, central):
    for n in range(10):
        central.upsert(make_item(n))
    sync(catalogue, central)
    for n in range(10, 20):
        central.upsert(make_item(n))
    central.set_faults(delay=0.6)  # every answer slower than the client waits
    with pytest.raises(FeedError) as err:
        sync(catalogue, central, page_size=5,
             policy=RetryPolicy(attempts=2, base_delay=0.01, timeout=0.2))
    assert err.value.kind == "network"
    assert catalogue.mirror.count() == 10
    stats = catalogue.stats()["sync"]
    assert stats["last_error"]["kind"] == "network" and "重试" in stats["last_error"]["zh"]
    assert stats["last_success_at"] is not None  # from the first sync

    central.set_faults()
    sync(catalogue, central)
    assert_same_as_central(catalogue, central)
    assert catalogue.stats()["sync"]["last_error"] is None


def test_wrong_token_stops_at_once_with_a_configuration_message(catalogue, central):
    central.upsert(make_item(1))
    with central_session(token="wrong") as session, pytest.raises(FeedError) as err:
        catalogue.sync(session, central.url, policy=FAST)
    assert err.value.kind == "auth" and "token" in err.value.zh
    assert len(central.requests) == 1  # never retried
    assert catalogue.mirror.count() == 0


def test_malformed_item_is_reported_and_the_rest_apply(catalogue, central):
    central.upsert(make_item(1))
    central.upsert(make_item(2, published_date="2024-13-45"))
    central.upsert(make_item(3, title=None))
    central.upsert(make_item(4))
    report = sync(catalogue, central)
    assert catalogue.mirror.ids() == {make_item(1)["id"], make_item(4)["id"]}
    assert report.rejected_total == 2
    assert {(r.item_id, r.field) for r in report.rejected} == {
        (make_item(2)["id"], "published_date"), (make_item(3)["id"], "title")}


def test_malformed_item_in_a_full_read_keeps_the_local_copy(catalogue, central):
    central.upsert(make_item(1, title="原来的标题"))
    sync(catalogue, central)
    central.upsert(make_item(1, title="新标题", updated_at="bad-time"))
    central.expire_cursors()
    report = sync(catalogue, central)
    assert report.cursor_expired and report.rejected_total == 1
    assert catalogue.get(make_item(1)["id"]).title == "原来的标题"


def test_malformed_page_stops_with_the_cursor_where_it_was(catalogue, central):
    central.upsert(make_item(1))
    sync(catalogue, central)
    cursor = catalogue.mirror.get_meta("sync_cursor")
    central.upsert(make_item(2))
    for _ in range(2):  # one invalid JSON body, one without a cursor
        central.set_faults(malformed_page=1)
        with pytest.raises(FeedError) as err:
            sync(catalogue, central)
        assert err.value.kind == "malformed"
        assert catalogue.mirror.get_meta("sync_cursor") == cursor
        assert catalogue.get(make_item(2)["id"]) is None
    sync(catalogue, central)
    assert_same_as_central(catalogue, central)


def test_attachment_with_a_wrong_hash_is_refused_then_fetched_when_mended(catalogue, central):
    good = b"%PDF-1.4 good attachment bytes"
    sha = central.add_attachment(good)
    central.upsert(make_item(1, attachments=[{"name": "附件.pdf", "sha256": sha,
                                               "size": len(good),
                                               "media_type": "application/pdf"}]))
    central.set_faults(corrupt_attachments={sha})
    report = sync(catalogue, central)
    assert report.attachments_refused == [sha]
    assert catalogue.attachment_path(sha) is None
    assert catalogue.stats()["sync"]["attachments_missing"] == 1

    central.set_faults()
    report = sync(catalogue, central)
    assert report.attachments_fetched == 1
    assert catalogue.attachment_path(sha).read_bytes() == good


def test_attachment_cut_off_mid_transfer_is_fetched_again(catalogue, central):
    data = bytes(range(256)) * 2000
    sha = central.add_attachment(data)
    central.upsert(make_item(1, attachments=[{"name": "a.pdf", "sha256": sha,
                                               "size": len(data), "media_type": None}]))
    central.set_faults(drop_body=1, only_path="/v1/attachments/")
    report = sync(catalogue, central)
    assert report.attachments_fetched == 1 and report.retries == 1
    assert catalogue.attachment_path(sha).read_bytes() == data
    leftovers = [p for p in (catalogue.data_dir / "attachments").rglob("*") if ".tmp" in p.name]
    assert leftovers == []


def test_attachment_central_does_not_have_is_reported(catalogue, central):
    sha = hashlib.sha256(b"never uploaded").hexdigest()
    central.upsert(make_item(1, attachments=[{"name": "a.pdf", "sha256": sha, "size": 14,
                                               "media_type": None}]))
    report = sync(catalogue, central)
    assert report.attachments_unavailable == 1 and report.complete
    assert catalogue.get(make_item(1)["id"]) is not None


def test_stats_tell_when_the_catalogue_last_matched_central(catalogue, central):
    assert catalogue.stats()["sync"]["last_success_at"] is None
    central.upsert(make_item(1))
    sync(catalogue, central)
    s = catalogue.stats()
    assert s["sync"]["last_success_at"] and 0 <= s["sync"]["behind_seconds"] < 60
    assert s["sync"]["last_report"]["added"] == 1
    assert s["last_updated"] == s["sync"]["last_success_at"]


def test_unreachable_central_system_is_a_clear_error(catalogue):
    with central_session() as session, pytest.raises(CatalogueError) as err:
        catalogue.sync(session, "http://127.0.0.1:9", policy=FAST)
    assert "中心系统" in err.value.zh
