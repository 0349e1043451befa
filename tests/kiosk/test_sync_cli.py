"""`kiosk-admin sync` against a real reference central system: config, kills, concurrent search."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import time
from pathlib import Path

from index import Catalogue, parse_item
from tests.conftest import BIN, SAMPLE_BUNDLE, admin_env, make_item, write_config
from tests.kiosk.test_cli import run_with_terminal_stderr

ADMIN = BIN / "kiosk-admin"


def admin(config: Path, data: Path, *args: str, timeout: float = 120
          ) -> subprocess.CompletedProcess:
    return subprocess.run([str(ADMIN), "--config", str(config), "--data-dir", str(data), *args],
                          capture_output=True, text=True, env=admin_env(), timeout=timeout,
                          check=False)


def assert_same_as_central(data: Path, srv) -> None:
    central = srv.catalogue()
    with Catalogue(data) as cat:
        assert cat.mirror.ids() == set(central)
        for item_id, raw in central.items():
            assert cat.get(item_id).to_dict() == parse_item(raw).to_dict(), item_id
        assert cat.verify().ok  # and the search index agrees with the mirror
        assert cat.mirror.missing_attachments() == []


def test_sync_prints_what_it_did_and_stats_show_it(central, tmp_path):
    central.load(SAMPLE_BUNDLE)
    config = write_config(tmp_path / "kiosk.toml", central.url, page_size=100)
    r = admin(config, tmp_path / "data", "sync")
    assert r.returncode == 0, r.stderr
    assert "同步完成 Synced" in r.stdout and "新增 added 344" in r.stdout
    assert "取得 fetched 22" in r.stdout
    s = admin(config, tmp_path / "data", "stats")
    assert re.search(r"最近成功同步 last successful sync: 20\d\d-", s.stdout), s.stdout
    assert "落后中心系统至多" in s.stdout
    again = admin(config, tmp_path / "data", "sync", "--json")
    report = json.loads(again.stdout)
    assert report["changes"] == 0 and report["counts"]["added"] == 0 and not report["full_read"]


def test_sync_draws_progress_on_a_terminal(central, tmp_path):
    central.load(SAMPLE_BUNDLE)
    config = write_config(tmp_path / "kiosk.toml", central.url, page_size=50)
    code, out, term = run_with_terminal_stderr("--config", str(config), "--data-dir",
                                               str(tmp_path / "data"), "sync")
    assert code == 0, term
    assert re.search(r"同步 pages:.*7 ?page", term), term
    assert re.search(r"变更 changes:.*344", term), term
    assert re.search(r"下载附件 download:\s+100%", term), term
    assert "同步完成 Synced" in out


def test_sync_without_central_configured_says_what_to_set(tmp_path):
    config = tmp_path / "kiosk.toml"
    config.write_text('[venue]\nname = "某图书馆"\n', encoding="utf-8")
    r = admin(config, tmp_path / "data", "sync")
    assert r.returncode == 1
    assert "尚未配置中心系统" in r.stderr and "[central]" in r.stderr
    assert "Traceback" not in r.stderr


def test_a_bad_configuration_key_is_named(tmp_path):
    config = tmp_path / "kiosk.toml"
    config.write_text('[central]\nurl = "http://x"\ntokne = "abc"\n', encoding="utf-8")
    r = admin(config, tmp_path / "data", "stats")
    assert r.returncode == 1
    assert "central.tokne" in r.stderr and "unknown key" in r.stderr


def test_wrong_token_is_reported_as_a_configuration_problem(central, tmp_path):
    config = write_config(tmp_path / "kiosk.toml", central.url, token="not-the-token")
    r = admin(config, tmp_path / "data", "sync")
    assert r.returncode == 1
    assert "token" in r.stderr and "401" in r.stderr
    s = json.loads(admin(config, tmp_path / "data", "stats", "--json").stdout)
    assert s["sync"]["last_error"]["kind"] == "auth"


def test_sync_killed_at_random_moments_ends_with_exactly_the_central_catalogue(central, tmp_path):
    seed = int(os.environ.get("KILL_SEED", time.time()))
    rng = random.Random(seed)
    central.load(SAMPLE_BUNDLE)
    central.set_faults(delay=0.02)  # slow enough that kills land mid-sync
    config = write_config(tmp_path / "kiosk.toml", central.url, page_size=15)
    data = tmp_path / "data"
    ids = sorted(central.catalogue())
    kills = 0
    for round_no in range(6):
        proc = subprocess.Popen([str(ADMIN), "--config", str(config), "--data-dir", str(data),
                                 "sync"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env=admin_env())
        time.sleep(rng.uniform(0.2, 2.5))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
        # meanwhile the central catalogue moves on: new, changed (twice), withdrawn
        central.upsert(make_item(f"NEW-{round_no}", title=f"第{round_no}轮新增文件"))
        victim = central.catalogue()[ids[round_no * 7]]
        for n in (1, 2):
            central.upsert({**victim, "title": f"{victim['title']}（更正{n}）",
                            "updated_at": f"2026-11-2{n}T10:00:00+08:00"})
        central.delete(ids[round_no * 7 + 3])
        if round_no == 3:
            central.expire_cursors()
    assert kills >= 3, f"seed {seed}: only {kills} syncs were killed mid-way"
    central.set_faults()
    r = admin(config, data, "sync")
    assert r.returncode == 0, f"seed {seed}: {r.stderr}"
    assert_same_as_central(data, central)


def test_citizens_search_while_a_sync_runs_and_see_its_changes_after(central, tmp_path):
    for n in range(40):
        central.upsert(make_item(n, title=f"普通文件{n}"))
    config = write_config(tmp_path / "kiosk.toml", central.url, page_size=10)
    data = tmp_path / "data"
    assert admin(config, data, "sync").returncode == 0
    central.upsert(make_item(99, title="关于公共租赁住房申请条件的通知"))
    for n in range(40):
        central.upsert(make_item(n, title=f"普通文件{n}（修订）",
                                 updated_at="2024-03-01T09:00:00+08:00"))
    central.set_faults(delay=0.15)
    with Catalogue(data) as cat:  # the touch app's catalogue, open across the sync
        proc = subprocess.Popen([str(ADMIN), "--config", str(config), "--data-dir", str(data),
                                 "sync"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env=admin_env())
        searches = 0
        while proc.poll() is None:
            assert cat.search("普通文件").total == 40
            searches += 1
            time.sleep(0.05)
        assert proc.returncode == 0, proc.stderr.read()
        assert searches >= 3
        assert cat.search("公共租赁住房").hits[0].id == make_item(99)["id"]
        assert cat.search("修订").total == 40
        assert cat.last_updated() == cat.stats()["sync"]["last_success_at"]
