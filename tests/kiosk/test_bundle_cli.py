"""Moving a catalogue on a USB stick: export-bundle, keygen, sign-bundle, import with a key."""

from __future__ import annotations

import json
import stat
import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.conftest import BIN, admin_env, make_item, write_jsonl
from tests.index.bundles import attachment

ADMIN = BIN / "kiosk-admin"


def admin(data: Path, *args: str, config: Path | None = None) -> subprocess.CompletedProcess:
    head = [str(ADMIN), "--data-dir", str(data)]
    if config is not None:
        head += ["--config", str(config)]
    return subprocess.run([*head, *args], capture_output=True, text=True, env=admin_env(),
                          timeout=300, check=False)


def items(data: Path) -> int:
    return json.loads(admin(data, "stats", "--json").stdout)["items"]


@pytest.fixture
def publisher(tmp_path):
    """A connected kiosk holding 20 items (one with an attachment) and a signing key."""
    sha, ref, blob = attachment(b"%PDF-1.4 an attachment travelling by USB")
    rows = [make_item(n) for n in range(1, 20)]
    rows.append(make_item(20, title="带附件的文件", attachments=[ref]))
    data = tmp_path / "connected"
    src = tmp_path / "att"
    src.mkdir()
    assert admin(data, "import", str(write_jsonl(tmp_path / "in.jsonl", rows))).returncode == 0
    # hold the attachment too, by importing a changes bundle that carries it
    from tests.index.bundles import write_bundle
    write_bundle(tmp_path / "att-bundle", [rows[-1]], {sha: blob}, mode="changes")
    assert admin(data, "import", str(tmp_path / "att-bundle")).returncode == 0
    key = tmp_path / "publisher.key"
    r = admin(data, "keygen", str(key))
    assert r.returncode == 0, r.stderr
    public = next(line.split('"')[1] for line in r.stdout.splitlines()
                  if line.startswith("public_key"))
    return {"data": data, "key": key, "public": public, "sha": sha, "blob": blob}


def offline_config(tmp_path: Path, public: str) -> Path:
    path = tmp_path / "offline.toml"
    path.write_text(f'[bundles]\npublic_key = "{public}"\n', encoding="utf-8")
    return path


def test_keygen_writes_a_private_key_only_its_owner_can_read(publisher):
    mode = stat.S_IMODE(publisher["key"].stat().st_mode)
    assert mode == 0o600
    assert publisher["public"].startswith("ed25519:")
    again = admin(publisher["data"], "keygen", str(publisher["key"]))
    assert again.returncode == 1 and "已存在" in again.stderr


def test_a_signed_export_feeds_an_offline_kiosk(publisher, tmp_path):
    out = tmp_path / "usb" / "catalogue.zip"
    out.parent.mkdir()
    r = admin(publisher["data"], "export-bundle", str(out), "--sign-key", str(publisher["key"]))
    assert r.returncode == 0, r.stderr
    assert "条目 items 20" in r.stdout and "已签名 signed" in r.stdout
    config = offline_config(tmp_path, publisher["public"])
    offline = tmp_path / "offline"
    r = admin(offline, "import", str(out), config=config)
    assert r.returncode == 0, r.stderr
    assert items(offline) == 20
    shown = admin(offline, "show", make_item(20)["id"])
    assert "✓" in shown.stdout  # the attachment came along
    found = json.loads(admin(offline, "search", "带附件", "--json").stdout)
    assert found["hits"][0]["id"] == make_item(20)["id"]


def tamper_manifest(bundle: Path, dest: Path) -> Path:
    with zipfile.ZipFile(bundle) as zin, zipfile.ZipFile(dest, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "manifest.json":
                manifest = json.loads(data)
                manifest["item_count"] += 1
                data = json.dumps(manifest).encode()
            zout.writestr(info.filename, data)
    return dest


@pytest.mark.parametrize("case", ["unsigned", "tampered", "other key", "jsonl"])
def test_bundles_not_signed_by_the_publisher_are_refused_and_change_nothing(publisher, tmp_path,
                                                                            case):
    config = offline_config(tmp_path, publisher["public"])
    offline = tmp_path / "offline"
    seed = write_jsonl(tmp_path / "seed.jsonl", [make_item(99)])
    assert admin(offline, "import", str(seed)).returncode == 0  # before signing was required
    signed = tmp_path / "signed.zip"
    assert admin(publisher["data"], "export-bundle", str(signed), "--sign-key",
                 str(publisher["key"])).returncode == 0
    if case == "unsigned":
        path = tmp_path / "unsigned.zip"
        assert admin(publisher["data"], "export-bundle", str(path)).returncode == 0
    elif case == "tampered":
        path = tamper_manifest(signed, tmp_path / "tampered.zip")
    elif case == "other key":
        path = tmp_path / "other.zip"
        assert admin(publisher["data"], "keygen", str(tmp_path / "other.key")).returncode == 0
        assert admin(publisher["data"], "export-bundle", str(path), "--sign-key",
                     str(tmp_path / "other.key")).returncode == 0
    else:
        path = seed
    r = admin(offline, "import", str(path), config=config)
    assert r.returncode == 1, r.stdout
    assert "未做任何更改" in r.stderr and "Nothing was changed" in r.stderr
    assert "Traceback" not in r.stderr
    assert items(offline) == 1


def test_sign_bundle_signs_an_existing_bundle(publisher, tmp_path):
    path = tmp_path / "later.zip"
    assert admin(publisher["data"], "export-bundle", str(path)).returncode == 0
    r = admin(publisher["data"], "sign-bundle", str(path), "--key", str(publisher["key"]))
    assert r.returncode == 0, r.stderr
    config = offline_config(tmp_path, publisher["public"])
    r = admin(tmp_path / "offline", "import", str(path), config=config)
    assert r.returncode == 0, r.stderr
    assert items(tmp_path / "offline") == 20


def test_export_to_a_missing_directory_is_a_clear_error(publisher, tmp_path):
    r = admin(publisher["data"], "export-bundle", str(tmp_path / "no" / "such" / "x.zip"))
    assert r.returncode == 1 and "错误" in r.stderr and "Traceback" not in r.stderr
