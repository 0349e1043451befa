"""The kiosk's side of the central system: who it is when it calls, and where it calls.

`index` takes an HTTP session instead of building one, so that credentials, proxies and the
user agent are decided here, from the configuration, in one place.
"""

from __future__ import annotations

from importlib import metadata

import requests

from .config import CentralConfig
from .errors import ConfigError


def _version() -> str:
    try:
        return metadata.version("disclosure-kiosk")
    except metadata.PackageNotFoundError:
        return "dev"


def session_for(central: CentralConfig, config_path: object = None) -> requests.Session:
    """A session that identifies this kiosk on every request (`Authorization`, `X-Kiosk-Id`).

    Proxy settings from the environment (`https_proxy`, …) are honoured: venues behind a
    government network's proxy set them for the session that runs the kiosk.
    """
    if not central.configured:
        where = f"（{config_path}）" if config_path else ""
        where_en = f" ({config_path})" if config_path else ""
        raise ConfigError(
            f"尚未配置中心系统：请在配置文件{where}的 [central] 中设置 url、token 和 kiosk_id。"
            "未联网时可用导入包（kiosk-admin import）更新目录",
            "the central system is not configured: set url, token and kiosk_id under [central] "
            f"in the configuration file{where_en}. Without a network, update the catalogue from "
            "a bundle (kiosk-admin import)", key="central.url")
    session = requests.Session()
    session.headers.update({
        "Authorization": f"Bearer {central.token}",
        "X-Kiosk-Id": str(central.kiosk_id),
        "Accept": "application/json",
        "User-Agent": f"disclosure-kiosk/{_version()}",
    })
    return session
