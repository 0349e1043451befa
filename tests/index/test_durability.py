"""Crashes and damage never leave the kiosk without a searchable catalogue.

The import and rebuild tests run the real `kiosk-admin` in a child process and kill it with
SIGKILL at random moments (seeded, so a failure can be replayed), then check that a catalogue
opened afterwards searches, agrees with its mirror, and completes when the job is run again.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from index import Catalogue
from index.analysis import ANALYZER_VERSION
from index.model import parse_change
from tests.conftest import BIN, admin_env, make_item, write_jsonl

N_BIG = 500


def big_file(path: Path, start: int = 0, n: int = N_BIG, tag: str = "") -> Path:
    return write_jsonl(path, [
        make_item(i, title=f"测试文件第{i}号关于城市管理{tag}的通知", body="城市管理工作正文。" * 10,
                  updated_at=f"2024-02-0{1 + (i % 5)}T09:00:00+08:00")
        for i in range(start, start + n)])


def admin(data: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([str(BIN / "kiosk-admin"), "--data-dir", str(data), *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=admin_env())


def run_admin(data: Path, *args: str) -> None:
    assert admin(data, *args).wait(timeout=600) == 0


def searchable(data: Path, query: str = "测试文件") -> int:
    """Open the catalogue without repairing it and search: the state a crash left behind."""
    with Catalogue(data, prepare=False) as cat:
        return cat.search(query).total


def consistent(data: Path) -> Catalogue:
    cat = Catalogue(data)  # repairs: catches the index up or rebuilds it
    report = cat.verify()
    assert report.ok, report.to_dict()
    assert cat.search("测试文件").total == cat.mirror.count()
    return cat


def kill_at(proc: subprocess.Popen, delay: float) -> None:
    time.sleep(delay)
    proc.kill()
    proc.wait()


@pytest.fixture(scope="module")
def timings(tmp_path_factory) -> dict[str, float]:
    """How long an import and a rebuild take on this machine, to spread kills across them."""
    data = tmp_path_factory.mktemp("timing") / "data"
    base = big_file(data.parent / "base.jsonl", 0, 100)
    run_admin(data, "import", str(base))
    started = time.monotonic()
    run_admin(data, "import", str(big_file(data.parent / "big.jsonl")))
    imported = time.monotonic() - started
    started = time.monotonic()
    run_admin(data, "rebuild-index")
    return {"import": imported, "rebuild": time.monotonic() - started}


@pytest.mark.parametrize("seed", range(6))
def test_killing_an_import_at_any_moment(tmp_path, timings, seed):
    data = tmp_path / "data"
    run_admin(data, "import", str(big_file(tmp_path / "base.jsonl", 0, 100, tag="旧版")))
    big = big_file(tmp_path / "big.jsonl", 50)  # updates half the base, adds the rest
    delay = random.Random(seed).uniform(0.05, timings["import"])
    kill_at(admin(data, "import", str(big)), delay)

    assert searchable(data) >= 100  # the old index still answers, before any repair
    consistent(data).close()
    run_admin(data, "import", str(big))  # running it again completes the job
    with consistent(data) as cat:
        assert cat.mirror.count() == 50 + N_BIG
        assert cat.search("旧版").total == 50  # the updated half no longer says 旧版


@pytest.mark.parametrize("seed", range(4))
def test_killing_a_rebuild_at_any_moment(tmp_path, timings, seed):
    data = tmp_path / "data"
    run_admin(data, "import", str(big_file(tmp_path / "big.jsonl")))
    delay = random.Random(100 + seed).uniform(0.05, timings["rebuild"])
    kill_at(admin(data, "rebuild-index"), delay)
    assert searchable(data) == N_BIG  # a whole generation, old or new, is in place
    consistent(data).close()
    with Catalogue(data) as cat:  # the next rebuild clears what the killed one left
        cat.rebuild_index()
        assert list((data / "index").glob("*.building")) == []
        assert cat.search("测试文件").total == N_BIG


def _generation(data: Path) -> Path:
    return data / "index" / (data / "index" / "CURRENT").read_text().strip()


def _small(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    with Catalogue(data) as cat:
        cat.import_path(big_file(tmp_path / "a.jsonl", 0, 30))
    return data


def _remove_current(data: Path) -> None:
    (data / "index" / "CURRENT").unlink()


def _garble_all_files(data: Path) -> None:
    for f in _generation(data).iterdir():
        if f.name != "state.json":
            f.write_bytes(b"\x00garbage" * 100)


def _remove_toc(data: Path) -> None:
    for f in _generation(data).glob("_MAIN_*.toc"):
        f.unlink()


def _remove_generation(data: Path) -> None:
    shutil.rmtree(_generation(data))


def _garble_state(data: Path) -> None:
    (_generation(data) / "state.json").write_text("{")


def _old_analyzer(data: Path) -> None:
    state_file = _generation(data) / "state.json"
    state = json.loads(state_file.read_text())
    state["analyzer_version"] = ANALYZER_VERSION - 1
    state_file.write_text(json.dumps(state))


@pytest.mark.parametrize("damage", [_remove_current, _garble_all_files, _remove_toc,
                                    _remove_generation, _garble_state, _old_analyzer])
def test_an_unusable_or_outdated_index_is_rebuilt_on_open(tmp_path, damage):
    data = _small(tmp_path)
    old = (data / "index" / "CURRENT").read_text()
    damage(data)
    with Catalogue(data) as cat:
        assert cat.search("测试文件").total == 30
        assert cat.stats()["index"]["analyzer_version"] == ANALYZER_VERSION
        assert cat.verify().ok
    assert (data / "index" / "CURRENT").read_text() != old


def test_a_crash_between_mirror_and_index_commits_is_caught_up(tmp_path):
    data = _small(tmp_path)
    with Catalogue(data, prepare=False) as cat:  # as if killed right after the mirror commit
        cat.mirror.apply([parse_change(make_item(999, title="迟到的补充通知")),
                          parse_change({"op": "delete", "id": "TEST-2024-00003"})])
        assert cat.search("迟到").total == 0
    with Catalogue(data) as cat:
        assert [h.id for h in cat.search("迟到").hits] == ["TEST-2024-00999"]
        assert cat.get("TEST-2024-00003") is None
        assert "TEST-2024-00003" not in [h.id for h in cat.search("测试文件", page_size=50).hits]
        assert cat.verify().ok


def test_readers_see_another_processs_changes_without_restarting(tmp_path):
    data = _small(tmp_path)
    with Catalogue(data) as reader:
        assert reader.search("新到").total == 0
        run_admin(data, "import", str(write_jsonl(tmp_path / "b.jsonl", [
            make_item(500, title="新到的文件"), {"op": "delete", "id": "TEST-2024-00001"}])))
        assert [h.id for h in reader.search("新到").hits] == ["TEST-2024-00500"]
        assert reader.get("TEST-2024-00001") is None
        run_admin(data, "rebuild-index")  # a generation switch under an open reader
        assert reader.search("测试文件").total == 30
        assert [h.id for h in reader.search("新到").hits] == ["TEST-2024-00500"]


def test_a_mirror_from_before_item_attachments_is_upgraded_in_place(tmp_path):
    import sqlite3

    from index.mirror import Mirror
    from tests.index.bundles import attachment

    sha, ref, _blob = attachment(b"%PDF-1.4 old mirror")
    m = Mirror(tmp_path / "mirror.sqlite3")
    m.apply([parse_change(make_item(1, attachments=[ref]))])
    m.close()
    db = sqlite3.connect(tmp_path / "mirror.sqlite3")
    db.execute("DROP TABLE item_attachments")
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()

    m = Mirror(tmp_path / "mirror.sqlite3")
    assert [row[0] for row in m.missing_attachments()] == [sha]  # still known to be needed
    assert m.get(make_item(1)["id"]).attachments[0].sha256 == sha
