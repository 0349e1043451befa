"""Staff printing with `kiosk-admin print`, `printers` and `jobs`, through a private cupsd; and the
receipt `kiosk-admin apply` prints."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_BUNDLE, write_config
from tests.kiosk.test_applications_cli import admin, form
from tests.printing import pdftools

STATS = "11331900MB1847263D-2025-000016"  # a four-page item of the sample with a source URL
WITH_ATTACHMENT = "1133130047125893X0-640-2023-0006"


def printing_config(path: Path, cups, queue: str, *, central_url: str | None = None,
                    **printing: object) -> Path:
    text = ""
    if central_url:
        write_config(path, central_url)
        text = path.read_text(encoding="utf-8")
    else:
        text = '[venue]\nname = "临澄市档案馆政府信息查阅中心"\n'
    settings = {"queue": queue, "cups_server": cups.server, **printing}
    text += "[printing]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in settings.items())
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def sample_data(tmp_path_factory):
    data = tmp_path_factory.mktemp("print-cli") / "data"
    config = tmp_path_factory.mktemp("print-cli-config") / "kiosk.toml"
    config.write_text("", encoding="utf-8")
    assert admin(config, data, "import", str(SAMPLE_BUNDLE)).returncode == 0
    return data


def test_print_shows_the_cost_prints_and_logs(cups, cups_queue, sample_data, tmp_path):
    config = printing_config(tmp_path / "kiosk.toml", cups, cups_queue, price_per_page=0.5,
                             free_pages_per_visit=1)
    r = admin(config, sample_data, "print", STATS, "--copies", "2")
    assert r.returncode == 0, r.stderr
    assert "将打印 4 页 × 2 份 = 8 页，费用 ¥3.50" in r.stdout and "已完成" in r.stdout
    [job] = cups.wait_captured(cups_queue, 1)
    assert job.copies == 2 and pdftools.pages(job.path) == 4
    assert "第1页/共4页" in re.sub(r"\s", "", pdftools.text(job.path))

    jobs = json.loads(admin(config, sample_data, "jobs", "--json").stdout)
    assert jobs[0]["item_id"] == STATS and jobs[0]["state"] == "completed"
    assert jobs[0]["cost_fen"] == 350

    again = admin(config, sample_data, "jobs", "reprint", str(jobs[0]["id"]))
    assert again.returncode == 0, again.stderr
    assert len(cups.wait_captured(cups_queue, 2)) == 2


def test_an_attachment_page_range(cups, cups_queue, sample_data, tmp_path):
    config = printing_config(tmp_path / "kiosk.toml", cups, cups_queue)
    shown = json.loads(admin(config, sample_data, "show", WITH_ATTACHMENT, "--json").stdout)
    name = shown["attachments"][0]["name"]
    r = admin(config, sample_data, "print", WITH_ATTACHMENT, "--attachment", name, "--pages", "2",
              "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["state"] == "completed"
    [job] = cups.wait_captured(cups_queue, 1)
    assert pdftools.pages(job.path) == 1
    missing = admin(config, sample_data, "print", WITH_ATTACHMENT, "--attachment", "nope.pdf")
    assert missing.returncode == 1 and "没有名为“nope.pdf”的附件" in missing.stderr


def test_pdf_renders_without_any_printer(sample_data, tmp_path):
    config = tmp_path / "kiosk.toml"
    config.write_text("", encoding="utf-8")
    out = tmp_path / "copy.pdf"
    r = admin(config, sample_data, "print", STATS, "--pdf", str(out), "--pages", "1-2")
    assert r.returncode == 0, r.stderr
    assert pdftools.pages(out) == 2 and STATS in pdftools.text(out)
    unknown = admin(config, sample_data, "print", "NO-SUCH-ID", "--pdf", str(out))
    assert unknown.returncode == 1 and "NO-SUCH-ID" in unknown.stderr


def test_out_of_paper_is_explained_and_not_charged(cups, cups_queue, sample_data, tmp_path):
    config = printing_config(tmp_path / "kiosk.toml", cups, cups_queue, price_per_page=1,
                             give_up_seconds=10)
    cups.set_fault(cups_queue, "media-empty")
    r = admin(config, sample_data, "print", STATS, "--pages", "1")
    assert r.returncode == 1
    assert "缺纸" in r.stdout and "不收费" in r.stdout
    printers = json.loads(admin(config, sample_data, "printers", "--json").stdout)
    mine = next(q for q in printers if q["name"] == cups_queue)
    assert not mine["ready"] and mine["used_by_kiosk"]
    assert any(p["reason"] == "media-empty" for p in mine["problems"])
    assert "缺纸" in admin(config, sample_data, "printers").stdout
    jobs = json.loads(admin(config, sample_data, "jobs", "--json").stdout)
    assert jobs[0]["state"] == "failed" and cups.captured(cups_queue) == []


def test_the_visit_cap_refuses_before_printing(cups, cups_queue, sample_data, tmp_path):
    config = printing_config(tmp_path / "kiosk.toml", cups, cups_queue, max_pages_per_visit=5)
    r = admin(config, sample_data, "print", STATS, "--copies", "2")
    assert r.returncode == 1 and "每次最多打印 5 页" in r.stderr
    assert cups.captured(cups_queue) == []


def test_apply_prints_the_receipt_when_a_printer_is_set(central, cups, cups_queue, tmp_path):
    config = printing_config(tmp_path / "kiosk.toml", cups, cups_queue, central_url=central.url,
                             receipt_format="80mm")
    r = admin(config, tmp_path / "data", "apply", "--from-json", str(form(tmp_path)), "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["receipt_printed"] is True
    [job] = cups.wait_captured(cups_queue, 1)
    text = re.sub(r"\s", "", pdftools.text(job.path))
    assert out["receipt_no"] in text and out["query_code"] in text and "已提交至受理机关" in text
    assert round(pdftools.page_size_mm(job.path)[0]) == 80


def test_apply_without_a_working_printer_still_files_and_says_so(central, cups, cups_queue, tmp_path):
    config = printing_config(tmp_path / "kiosk.toml", cups, cups_queue, central_url=central.url)
    cups.reject(cups_queue)
    r = admin(config, tmp_path / "data", "apply", "--from-json", str(form(tmp_path)), "--json")
    assert r.returncode == 0
    out = json.loads(r.stdout)
    assert out["receipt_printed"] is False and out["state"] == "sent"
    assert "回执未能打印" in r.stderr and "抄写" in r.stderr
