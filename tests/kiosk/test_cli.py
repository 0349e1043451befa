"""`kiosk-admin` as staff and deployment scripts use it: the real command, on real files.

Every test runs the installed console script in a subprocess against a data directory under
pytest's tmp_path and checks what a clerk would read or a script would parse: the counts and
reasons of an import, exit codes, JSON shapes, one-line bilingual errors, progress bars only on a
terminal, and text from the catalogue never reaching the terminal as raw control bytes.
"""

from __future__ import annotations

import json
import math
import os
import pty
import re
import select
import shutil
import struct
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import BIN, SAMPLE_BUNDLE, admin_env, make_item, write_jsonl
from tests.index.bundles import attachment, write_bundle, zip_dir

ADMIN = BIN / "kiosk-admin"
SAMPLE_ITEMS = 344
SAMPLE_ID = "11339900002718436G/202301-00011"
SAMPLE_TITLE = "临澄市人民政府2022年政府信息公开工作年度报告"
SAMPLE_AGENCY = "临澄市人民政府办公室"
CJK = re.compile(r"[\u4e00-\u9fff]")


def admin(data_dir: Path, *args: str, timeout: float = 120, text: bool = True
          ) -> subprocess.CompletedProcess:
    """Run `kiosk-admin --data-dir DATA_DIR ARGS…`; stdout and stderr as str (bytes if not text)."""
    return subprocess.run([str(ADMIN), "--data-dir", str(data_dir), *args], check=False,
                          capture_output=True, text=text, env=admin_env(), timeout=timeout)


def admin_json(data_dir: Path, *args: str, expect: int = 0) -> object:
    r = admin(data_dir, *args, "--json")
    assert r.returncode == expect, r.stderr
    return json.loads(r.stdout)


def stats(data_dir: Path) -> dict:
    return admin_json(data_dir, "stats")


def one_line_error(r: subprocess.CompletedProcess) -> str:
    """The single bilingual line a failed command writes to stderr (asserted), returned."""
    assert "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    zh, sep, en = lines[0].partition("Error:")
    assert sep and CJK.search(zh) and en.strip(), lines[0]
    return lines[0]


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """The bundled sample catalogue imported once with `kiosk-admin import` (read-only use)."""
    data = tmp_path_factory.mktemp("sample") / "data"
    result = admin(data, "import", str(SAMPLE_BUNDLE), timeout=300)
    assert result.returncode == 0, result.stderr
    return data, result


@pytest.fixture
def sample_data(sample) -> Path:
    return sample[0]


@pytest.fixture
def sample_copy(sample, tmp_path) -> Path:
    """A private copy of the sample data directory, for tests that change it."""
    return Path(shutil.copytree(sample[0], tmp_path / "data"))


# -- import ----------------------------------------------------------------------------------


def test_import_reports_counts_and_each_rejection_with_line_and_field(tmp_path):
    rows = [make_item(1, title="老旧小区改造实施方案"),
            make_item(2, published_date="2024-13-01"),
            "{not json",
            make_item(3),
            {"op": "upsert", "item": make_item(4, agency=None)}]
    r = admin(tmp_path / "data", "import", str(write_jsonl(tmp_path / "in.jsonl", rows)))
    assert r.returncode == 3, r.stderr
    assert ("新增 added 2 · 更新 updated 0 · 删除 deleted 0 · 未变 unchanged 0 · 拒收 rejected 3"
            in r.stdout)
    assert "第 2 行 line 2 [TEST-2024-00002] published_date: 不是有效日期 / is not a real calendar date" \
        in r.stdout
    assert "第 3 行 line 3 line: 不是有效的 JSON / is not valid JSON" in r.stdout
    assert "第 5 行 line 5 [TEST-2024-00004] agency: 缺少必填字段 / is required" in r.stdout
    assert r.stderr == ""
    assert stats(tmp_path / "data")["items"] == 2


def test_import_json_report_counts_updates_deletions_and_rejections(tmp_path):
    data = tmp_path / "data"
    first = admin(data, "import", str(write_jsonl(tmp_path / "a.jsonl",
                                                  [make_item(i) for i in (1, 2, 3)])))
    assert first.returncode == 0, first.stderr
    changes = [
        {"op": "upsert", "item": make_item(1, title="更正后的标题",
                                           updated_at="2024-02-01T09:00:00+08:00")},
        {"op": "delete", "id": "TEST-2024-00002"},
        make_item(4),
        make_item(5, updated_at="yesterday"),
    ]
    report = admin_json(data, "import", str(write_jsonl(tmp_path / "b.jsonl", changes)), expect=3)
    assert report["counts"] == {"added": 1, "updated": 1, "deleted": 1, "unchanged": 0,
                                "stale": 0, "missing": 0}
    assert report["rejected_total"] == 1
    assert [(x["line"], x["item_id"], x["field"]) for x in report["rejected"]] == \
        [(4, "TEST-2024-00005", "updated_at")]
    assert report["lines"] == 4 and report["mode"] == "changes"
    assert stats(data)["items"] == 3


def test_importing_the_same_file_again_changes_nothing(tmp_path):
    data = tmp_path / "data"
    path = write_jsonl(tmp_path / "in.jsonl", [make_item(i) for i in range(1, 8)])
    first = admin_json(data, "import", str(path))
    before = stats(data)
    again = admin(data, "import", str(path))
    assert first["counts"]["added"] == 7
    assert again.returncode == 0, again.stderr
    assert ("新增 added 0 · 更新 updated 0 · 删除 deleted 0 · 未变 unchanged 7 · 拒收 rejected 0"
            in again.stdout)
    after = stats(data)
    assert after["index"]["mirror_seq"] == before["index"]["mirror_seq"]
    assert after["index"]["generation"] == before["index"]["generation"]


def test_the_sample_bundle_imports_whole(sample):
    _, result = sample
    assert result.stderr == ""  # no terminal, no progress bar
    assert "完整快照 snapshot" in result.stdout and f"{SAMPLE_ITEMS} 行 lines" in result.stdout
    assert f"新增 added {SAMPLE_ITEMS} · 更新 updated 0" in result.stdout
    assert "附件 attachments: 新增 added 22 · 尚缺 still missing 0" in result.stdout


def test_a_zipped_bundle_imports_with_its_attachment(tmp_path):
    sha, ref, blob = attachment(b"%PDF-1.4 zipped bundle bytes")
    bundle = write_bundle(tmp_path / "b", [make_item(1, title="采购公告", attachments=[ref]),
                                           make_item(2, title="中标公告")], {sha: blob})
    data = tmp_path / "data"
    r = admin(data, "import", str(zip_dir(bundle, tmp_path / "b.zip")))
    assert r.returncode == 0, r.stderr
    assert "导入 Imported: b.zip（完整快照 snapshot" in r.stdout
    assert "新增 added 2" in r.stdout
    assert "附件 attachments: 新增 added 1 · 尚缺 still missing 0" in r.stdout
    shown = admin(data, "show", "TEST-2024-00001")
    assert f"附件 attachment: 附件1.pdf ({len(blob)} B) ✓" in shown.stdout


def _flip_one_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[data.index(b'"title": "') + 10] ^= 0x01  # same size, different SHA-256
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("as_zip", [False, True], ids=["directory", "zip"])
def test_a_tampered_bundle_is_refused_in_one_line_and_changes_nothing(sample_copy, tmp_path, as_zip):
    bundle = Path(shutil.copytree(SAMPLE_BUNDLE, tmp_path / "bundle"))
    _flip_one_byte(bundle / "catalogue.jsonl")
    source = zip_dir(bundle, tmp_path / "bundle.zip") if as_zip else bundle
    before = stats(sample_copy)
    r = admin(sample_copy, "import", str(source))
    assert r.returncode == 1
    line = one_line_error(r)
    assert "catalogue.jsonl" in line and "SHA-256" in line and "Nothing was changed" in line
    assert r.stdout == ""
    assert stats(sample_copy) == before


# -- progress bars ---------------------------------------------------------------------------


def run_with_terminal_stderr(*args: str, timeout: float = 120) -> tuple[int, str, str]:
    """Run kiosk-admin with stderr on a pseudo-terminal; (exit code, stdout, terminal text)."""
    import fcntl
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    try:
        proc = subprocess.Popen([str(ADMIN), *args], stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=slave, env=admin_env())
    finally:
        os.close(slave)
    chunks, deadline = [], time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 1.0)
            if not ready:
                if proc.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed its end
                break
            if not chunk:
                break
            chunks.append(chunk)
        out = proc.stdout.read().decode()
        code = proc.wait(timeout=10)
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()
    return code, out, b"".join(chunks).decode(errors="replace")


def test_a_progress_bar_is_drawn_when_stderr_is_a_terminal(tmp_path):
    path = write_jsonl(tmp_path / "in.jsonl", [make_item(i) for i in range(1, 301)])
    code, out, term = run_with_terminal_stderr("--data-dir", str(tmp_path / "data"),
                                               "import", str(path))
    assert code == 0, term
    assert re.search(r"导入 import:\s+100%", term), term
    assert "300/300" in term
    assert "新增 added 300" in out  # the report still goes to stdout


def test_no_progress_bar_when_stderr_is_a_pipe(tmp_path):
    path = write_jsonl(tmp_path / "in.jsonl", [make_item(i) for i in range(1, 301)])
    r = admin(tmp_path / "data", "import", str(path))
    assert r.returncode == 0
    assert r.stderr == ""
    assert "新增 added 300" in r.stdout and "%" not in r.stdout


# -- search ----------------------------------------------------------------------------------


def test_search_json_has_hits_and_facets(sample_data):
    d = admin_json(sample_data, "search", "政府信息公开")
    assert d["query"] == "政府信息公开"
    assert d["total"] > 0 and d["hits"]
    for hit in d["hits"]:
        assert {"id", "title", "agency", "published_date", "snippet"} <= hit.keys()
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", hit["published_date"])
    assert d["hits"][0]["title"] == SAMPLE_TITLE  # the 2022 annual report ranks first
    assert set(d["facets"]) == {"agency", "category", "year"}
    # every item has exactly one agency and one year: those facets count every result
    assert sum(d["facets"]["year"].values()) == d["total"]
    assert sum(d["facets"]["agency"].values()) == d["total"]


@pytest.mark.parametrize(("option", "value", "facet"), [
    ("--agency", "临澄市财政局", "agency"),
    ("--category", "财政预算决算报告", "category"),
    ("--year", "2023", "year"),
])
def test_search_filters_narrow_to_what_the_facet_promised(sample_data, option, value, facet):
    unfiltered = admin_json(sample_data, "search", "政府")
    promised = unfiltered["facets"][facet][value]
    d = admin_json(sample_data, "search", "政府", option, value, "--limit", "100")
    assert d["filters"] == {facet: value}
    assert d["total"] == promised < unfiltered["total"]
    assert d["facets"][facet][value] == d["total"]
    if facet == "agency":
        assert {h["agency"] for h in d["hits"]} == {value}
        assert d["facets"]["agency"] == {value: d["total"]}
    elif facet == "year":
        assert {h["published_date"][:4] for h in d["hits"]} == {value}
        assert d["facets"]["year"] == {value: d["total"]}
    else:
        from index.fold import fold  # 財政預算決算報告 files under 财政预算决算报告

        for hit in d["hits"][:5]:
            item = admin_json(sample_data, "show", hit["id"])
            assert any(value in fold(c).split("/") for c in item["categories"]), item["categories"]


@pytest.mark.parametrize("query", ["", "政府"])
def test_search_limit_and_page_bound_the_hits(sample_data, query):
    first = admin_json(sample_data, "search", query, "--limit", "3")
    second = admin_json(sample_data, "search", query, "--limit", "3", "--page", "2")
    assert first["total"] > 6
    assert len(first["hits"]) == 3 and len(second["hits"]) == 3
    assert first["pages"] == math.ceil(first["total"] / 3)
    assert not {h["id"] for h in first["hits"]} & {h["id"] for h in second["hits"]}


@pytest.mark.parametrize("query", [
    "<script>alert(1)</script>[b]政府[/b]",
    '"政府信息 \'公开',
    "政府 AND OR NOT -( ) * ? title:x ^2 ~",
    "🏛️ 政府 🙂🙂",
    "政" * 2000,
], ids=["markup", "quotes", "operators", "emoji", "2000-chars"])
def test_any_text_is_a_valid_search(sample_data, query):
    r = admin(sample_data, "search", query, "--json")
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    d = json.loads(r.stdout)
    assert d["query"] == query and d["total"] >= 0


def test_control_characters_in_catalogue_text_never_reach_the_terminal_raw(tmp_path):
    title = "\x1b[31m紧急停水通知\x1b[0m\x07"
    item = make_item(1, title=title, agency="临澄市\x1b[2J水务局", doc_number="临水〔2024〕\x1b[5m1号",
                     body="停水安排\x1b]0;pwned\x07如下。")
    data = tmp_path / "data"
    assert admin(data, "import", str(write_jsonl(tmp_path / "in.jsonl", [item]))).returncode == 0
    found = admin(data, "search", "停水", text=False)
    assert found.returncode == 0
    assert b"\x1b" not in found.stdout and b"\x07" not in found.stdout
    assert "\\x1b[31m" in found.stdout.decode() and "紧急" in found.stdout.decode()
    shown = admin(data, "show", "TEST-2024-00001", text=False)
    assert shown.returncode == 0
    assert b"\x1b" not in shown.stdout and b"\x07" not in shown.stdout
    # JSON keeps the data exactly, escaped by the encoder
    as_json = admin(data, "search", "停水", "--json")
    assert "\x1b" not in as_json.stdout
    assert json.loads(as_json.stdout)["hits"][0]["title"] == title


# -- stats, verify, rebuild ------------------------------------------------------------------


def test_stats_json_reports_items_attachments_index_and_last_import(sample_data):
    s = stats(sample_data)
    manifest = json.loads((SAMPLE_BUNDLE / "manifest.json").read_text())
    files = [f for f in manifest["files"] if f["path"].startswith("attachments/")]
    assert s["items"] == SAMPLE_ITEMS
    assert s["attachments"] == {"files": len(files), "bytes": sum(f["size"] for f in files)}
    current = (sample_data / "index" / "CURRENT").read_text().strip()
    assert s["index"]["generation"] == current
    assert s["index"]["documents"] == SAMPLE_ITEMS and s["index"]["up_to_date"] is True
    last = s["last_import"]
    assert (last["source"], last["mode"], last["added"], last["rejected"]) == \
        ("bundle", "snapshot", SAMPLE_ITEMS, 0)


def test_stats_for_people_mentions_the_item_count(sample_data):
    r = admin(sample_data, "stats")
    assert r.returncode == 0
    assert f"条目 items: {SAMPLE_ITEMS}" in r.stdout
    assert f"{SAMPLE_ITEMS} 篇 documents，最新 up to date" in r.stdout


def test_verify_on_a_healthy_catalogue(sample_data):
    r = admin(sample_data, "verify")
    assert r.returncode == 0, r.stdout
    assert f"一致 OK: 目录 {SAMPLE_ITEMS} 条与索引 {SAMPLE_ITEMS} 篇一致" in r.stdout


def test_verify_finds_a_document_missing_from_the_index_and_rebuild_repairs_it(sample_copy):
    from whoosh import index as whoosh_index

    generation = (sample_copy / "index" / "CURRENT").read_text().strip()
    ix = whoosh_index.open_dir(str(sample_copy / "index" / generation))
    writer = ix.writer()
    writer.delete_by_term("id", SAMPLE_ID)
    writer.commit()
    ix.close()

    broken = admin(sample_copy, "verify")
    assert broken.returncode == 4
    assert "不一致 MISMATCH" in broken.stdout
    assert f"索引中缺少 missing from the index: 1（例 e.g. {SAMPLE_ID}）" in broken.stdout
    report = admin_json(sample_copy, "verify", expect=4)
    assert (report["ok"], report["missing_from_index"], report["documents"]) == \
        (False, [SAMPLE_ID], SAMPLE_ITEMS - 1)

    rebuilt = admin(sample_copy, "rebuild-index")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert f"{SAMPLE_ITEMS} 篇 documents" in rebuilt.stdout
    assert admin(sample_copy, "verify").returncode == 0
    assert stats(sample_copy)["index"]["generation"] != generation
    assert admin_json(sample_copy, "search", "2022年政府信息公开工作年度报告")["hits"][0]["id"] \
        == SAMPLE_ID


# -- show and suggest ------------------------------------------------------------------------


def test_show_prints_title_and_agency(sample_data):
    r = admin(sample_data, "show", SAMPLE_ID)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == SAMPLE_TITLE
    assert f"  索引号 index no.: {SAMPLE_ID}" in lines
    assert f"  发布机构 agency: {SAMPLE_AGENCY}" in lines


def test_show_of_an_unknown_id_is_a_one_line_error(sample_data):
    r = admin(sample_data, "show", "NO-SUCH-ID")
    assert r.returncode == 1
    assert "no item with id NO-SUCH-ID" in one_line_error(r)
    assert r.stdout == ""


def test_suggest_completes_pinyin_initials(sample_data):
    found = admin_json(sample_data, "suggest", "zf")
    assert "政府" in [s["text"] for s in found]
    assert all(s["count"] > 0 for s in found) and len(found) <= 8
    r = admin(sample_data, "suggest", "zhengfu")
    assert r.returncode == 0
    assert "政府" in [line.split("\t")[0] for line in r.stdout.splitlines()]
    # a single letter is too little to complete
    assert admin_json(sample_data, "suggest", "z") == []


# -- errors and usage ------------------------------------------------------------------------


def test_importing_a_path_that_does_not_exist_fails_in_one_line(tmp_path):
    missing = tmp_path / "nowhere" / "export.zip"
    r = admin(tmp_path / "data", "import", str(missing))
    assert r.returncode == 1
    assert str(missing) in one_line_error(r)
    assert r.stdout == ""


@pytest.mark.parametrize("command", [["stats"], ["import", "x.jsonl"], ["verify"]])
def test_a_data_directory_that_is_a_file_fails_in_one_line(tmp_path, command):
    not_a_dir = tmp_path / "data"
    not_a_dir.write_text("not a directory")
    r = admin(not_a_dir, *command)
    assert r.returncode == 1
    assert str(not_a_dir) in one_line_error(r)
    assert not_a_dir.read_text() == "not a directory"


@pytest.mark.parametrize("args", [["search", "x", "--limit", "ten"], ["frobnicate"],
                                  ["stats", "--verbose"], []],
                         ids=["bad-int", "unknown-command", "unknown-option", "no-command"])
def test_wrong_usage_exits_2(tmp_path, args):
    r = admin(tmp_path / "data", *args)
    assert r.returncode == 2
    assert "usage: kiosk-admin" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "data").exists()
