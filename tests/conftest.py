"""Shared test helpers: items to import, files to write, catalogues in temporary directories."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_BUNDLE = ROOT / "assets" / "sample" / "bundle"
BIN = Path(sys.executable).parent


def make_item(n: int | str = 1, **fields) -> dict:
    """A valid catalogue item as the central API sends it, with `fields` overriding."""
    item = {
        "id": f"TEST-2024-{n:0>5}" if not isinstance(n, str) else n,
        "title": f"测试文件第{n}号",
        "agency": "临澄市测试局",
        "doc_number": None,
        "categories": ["政府信息公开目录/其他"],
        "keywords": [],
        "written_date": "2024-01-02",
        "published_date": "2024-01-05",
        "summary": None,
        "body": "正文。",
        "attachments": [],
        "source_url": None,
        "updated_at": "2024-01-05T09:00:00+08:00",
    }
    item.update(fields)
    return item


def write_jsonl(path: Path, rows: Iterable[object]) -> Path:
    with open(path, "w", encoding="utf-8") as f:
        for row in rows:
            f.write((row if isinstance(row, str) else json.dumps(row, ensure_ascii=False)) + "\n")
    return path


@pytest.fixture
def catalogue(tmp_path):
    """An empty catalogue in a temporary data directory."""
    from index import Catalogue

    cat = Catalogue(tmp_path / "data")
    yield cat
    cat.close()


@pytest.fixture(scope="session")
def sample_catalogue(tmp_path_factory):
    """The bundled sample catalogue, imported once for the session (read-only use)."""
    from index import Catalogue

    data = tmp_path_factory.mktemp("sample") / "data"
    cat = Catalogue(data)
    cat.import_path(SAMPLE_BUNDLE)
    yield cat
    cat.close()


def admin_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("KIOSK_DEBUG", None)
    env.update(extra)
    return env


TOKEN = "test-token"


@pytest.fixture
def central(tmp_path):
    """A reference central system on a loopback port, empty; see docs/reference-central.md."""
    from kiosk.refcentral import CentralServer

    with CentralServer(tmp_path / "central.sqlite3", token=TOKEN) as srv:
        yield srv


def central_session(token: str = TOKEN, kiosk_id: str = "K01"):
    """A requests session identifying a test kiosk, as `kiosk.central.session_for` builds one."""
    from kiosk.central import session_for
    from kiosk.config import CentralConfig

    return session_for(CentralConfig(url="http://unused", token=token, kiosk_id=kiosk_id))


def write_config(path: Path, url: str, token: str = TOKEN, **central: object) -> Path:
    """A kiosk configuration file pointing at `url`."""
    extra = "".join(f"{k} = {json.dumps(v)}\n" for k, v in central.items())
    path.write_text(f'[central]\nurl = "{url}"\ntoken = "{token}"\nkiosk_id = "K01"\n{extra}'
                    '[venue]\nname = "临澄市档案馆政府信息查阅中心"\n', encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def cups(tmp_path_factory):
    """A private cupsd on a loopback port whose queues capture jobs (printing.capturecups); needs
    root and the cups-daemon/cups-client packages, as `make test` provides."""
    from printing.capturecups import CaptureCups

    if os.geteuid() != 0:
        pytest.skip("printing.capturecups runs cupsd as root only")
    with CaptureCups(tmp_path_factory.mktemp("cups")) as server:
        yield server


_queue_serial = iter(range(1, 1_000_000))


@pytest.fixture
def cups_queue(cups, request):
    """A fresh capturing queue on the session's cupsd, named after the test; removed afterwards."""
    import re

    name = f"t{next(_queue_serial)}-{re.sub(r'[^A-Za-z0-9]+', '-', request.node.name)[:60].strip('-')}"
    cups.add_queue(name)
    yield name
    cups.set_fault(name, None)
    cups.remove_queue(name)
