"""The configuration file: validated whole, every bad key named, every key documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kiosk import config as cfg
from kiosk.errors import ConfigError
from tests.conftest import ROOT

GOOD = """
[kiosk]
data_dir = "/var/lib/disclosure-kiosk"

[central]
url = "https://xxgk.example.gov.cn/api/"
token = "s3cret"
kiosk_id = "K07"
timeout = 30
sync_interval_minutes = 10
sync_jitter_minutes = 2.5
page_size = 200

[venue]
name = "临澄市档案馆政府信息查阅中心"
"""


def parse(text: str):
    return cfg.parse(text, Path("kiosk.toml"))


def test_a_full_file_is_read():
    c = parse(GOOD)
    assert c.data_dir == Path("/var/lib/disclosure-kiosk")
    assert c.central.url == "https://xxgk.example.gov.cn/api"  # the trailing slash is dropped
    assert (c.central.token, c.central.kiosk_id, c.central.page_size) == ("s3cret", "K07", 200)
    assert c.central.sync_jitter_minutes == 2.5 and c.central.configured
    assert c.venue_name == "临澄市档案馆政府信息查阅中心"


def test_an_empty_file_means_an_offline_kiosk():
    c = parse("")
    assert not c.central.configured and c.central.sync_interval_minutes == 15


@pytest.mark.parametrize(("text", "key"), [
    ('[central]\nurl = "ftp://x"\ntoken = "t"\nkiosk_id = "K"', "central.url"),
    ('[central]\nurl = "http://x"\ntoken = ""\nkiosk_id = "K"', "central.token"),
    ('[central]\nurl = "http://x"\ntoken = "t"\nkiosk_id = "K 7"', "central.kiosk_id"),
    ('[central]\nurl = "http://x"\ntoken = "t"', "central.kiosk_id"),
    ("[central]\ntimeout = 0", "central.timeout"),
    ('[central]\ntimeout = "30"', "central.timeout"),
    ("[central]\npage_size = 5000", "central.page_size"),
    ("[central]\npage_size = 2.5", "central.page_size"),
    ("[central]\nsync_interval_minutes = -1", "central.sync_interval_minutes"),
    ("[central]\nsync_interval_minutes = true", "central.sync_interval_minutes"),
    ('[venue]\nname = "a\\nb"', "venue.name"),
    ('[bundles]\npublic_key = "ed25519:bm90IGEga2V5"', "bundles.public_key"),
    ('[central]\ntokne = "t"', "central.tokne"),
    ('[centrl]\nurl = "http://x"', "centrl"),
    ('central = "x"', "central"),
])
def test_a_bad_key_is_named(text, key):
    with pytest.raises(ConfigError) as err:
        parse(text)
    assert err.value.key == key
    assert key in err.value.zh and key in err.value.en


def test_broken_toml_and_missing_files_are_clear(tmp_path):
    with pytest.raises(ConfigError, match="TOML"):
        parse("[central\nurl=")
    with pytest.raises(ConfigError, match="找不到配置文件"):
        cfg.load(str(tmp_path / "nope.toml"))


def test_default_path_order(tmp_path, monkeypatch):
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(cfg, "SYSTEM_PATH", tmp_path / "etc.toml")
    assert cfg.default_path() is None
    (tmp_path / "etc.toml").write_text("")
    assert cfg.default_path() == tmp_path / "etc.toml"
    user = tmp_path / "xdg" / "disclosure-kiosk" / "kiosk.toml"
    user.parent.mkdir(parents=True)
    user.write_text("")
    assert cfg.default_path() == user
    monkeypatch.setenv("KIOSK_CONFIG", str(tmp_path / "env.toml"))
    assert cfg.default_path() == tmp_path / "env.toml"


def test_every_key_is_documented():
    docs = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`([a-z_]+\.[a-z_]+)`", docs))
    keys = {f"{section}.{key}" for section, keys in cfg.KEYS.items() for key in keys}
    assert keys <= documented, keys - documented
