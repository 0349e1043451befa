"""Talking to the central system over HTTP, patiently: timeouts, retries, backoff, clear failures.

`Feed` wraps a `requests.Session` that the caller built (with the kiosk's token and id in its
headers; `index` never decides who it is). Every call has a timeout. Connection failures, cut-off
bodies, timeouts, 429 and 5xx answers are retried with exponential backoff and full jitter, so a
city's kiosks coming back after an outage do not all knock at once; a `Retry-After` header is
honoured. 401/403 are never retried: a wrong token is a configuration problem that waiting cannot
fix. Whatever the cause, the caller sees one `FeedError` saying, in Chinese and English, what
happened and what to do.

Only idempotent reads go through here (the changes feed, attachments), so retrying is always safe.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import requests

from .errors import CatalogueError

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
TRANSIENT = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError,
             requests.exceptions.ContentDecodingError)


class FeedError(CatalogueError):
    """The central system could not be used. `kind` is one of: `auth` (fix the configuration),
    `network` (unreachable or failing after every retry), `malformed` (an answer not following
    the contract), `gone` (an expired cursor), `missing` (404), `refused` (another 4xx)."""

    def __init__(self, kind: str, zh: str, en: str, status: int | None = None) -> None:
        super().__init__(zh, en)
        self.kind = kind
        self.status = status


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 6            # tries per call, the first included
    base_delay: float = 1.0      # seconds; doubles each retry, before jitter
    max_delay: float = 60.0      # cap of one backoff wait
    max_retry_after: float = 300.0  # a server asking for longer is waited for this long at most
    timeout: float = 20.0        # seconds to connect, and between bytes of an answer

    def backoff(self, retry: int) -> float:
        """Full jitter: uniformly between 0 and the capped exponential step."""
        return random.uniform(0, min(self.max_delay, self.base_delay * 2 ** retry))


def retry_after_seconds(value: str | None) -> float | None:
    """The wait a `Retry-After` header asks for: delta seconds or an HTTP date; None if absent."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _error_text(response: requests.Response) -> str:
    try:
        body = response.json()
        if isinstance(body, dict):
            return str(body.get("message") or body.get("error") or "")[:200]
    except ValueError:
        pass
    return ""


class Feed:
    def __init__(self, session: requests.Session, base_url: str, policy: RetryPolicy | None = None,
                 *, sleep: Callable[[float], None] = time.sleep) -> None:
        self.session = session
        self.base_url = base_url.rstrip("/")
        self.policy = policy or RetryPolicy()
        self.sleep = sleep
        self.retries = 0  # how many retries this feed has needed, for the sync report

    @contextmanager
    def _attempts(self, what: str) -> Iterator[Callable[[BaseException | requests.Response], None]]:
        """Yields `failed(cause)`: call it on a retryable failure; it waits or gives up."""
        state = {"tries": 0}

        def failed(cause: BaseException | requests.Response) -> None:
            state["tries"] += 1
            if state["tries"] >= self.policy.attempts:
                raise _gave_up(what, cause)
            wait = self.policy.backoff(state["tries"] - 1)
            if isinstance(cause, requests.Response):
                asked = retry_after_seconds(cause.headers.get("Retry-After"))
                if asked is not None:
                    wait = min(asked, self.policy.max_retry_after) + random.uniform(0, 0.5)
            self.retries += 1
            self.sleep(wait)

        yield failed

    def _send(self, path: str, params: dict[str, Any] | None, stream: bool, *,
              method: str = "GET", body: Any = None, headers: dict[str, str] | None = None,
              passthrough: frozenset[int] = frozenset()) -> requests.Response:
        """One answer with a 2xx status, or one in `passthrough`, after retries."""
        url = f"{self.base_url}{path}"
        with self._attempts(path) as failed:
            while True:
                try:
                    response = self.session.request(method, url, params=params, stream=stream,
                                                    json=body, headers=headers,
                                                    timeout=self.policy.timeout)
                except TRANSIENT as exc:
                    failed(exc)
                    continue
                except requests.RequestException as exc:
                    raise FeedError("network", f"无法连接中心系统：{exc}",
                                    f"cannot reach the central system: {exc}") from exc
                if response.status_code in RETRY_STATUSES:
                    response.close()
                    failed(response)
                    continue
                if response.status_code not in passthrough:
                    _raise_for_status(response)
                return response

    def get_json(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET and decode JSON; a body cut off half way is retried, a body that is not JSON is
        `malformed` (retrying will not mend it)."""
        return self._json(path, params=params)[1]

    def get_answer(self, path: str, params: dict[str, Any], passthrough: frozenset[int]
                   ) -> tuple[int, Any]:
        """GET JSON as (status, body), for a 2xx or a status in `passthrough` (e.g. 404)."""
        return self._json(path, params=params, passthrough=passthrough)

    def post_json(self, path: str, body: Any, headers: dict[str, str],
                  passthrough: frozenset[int]) -> tuple[int, Any]:
        """POST JSON and decode the answer: (status, body) for a 2xx or a status in
        `passthrough`. Retrying a POST is only safe because the caller sends an
        `Idempotency-Key` that the central system honours."""
        return self._json(path, method="POST", body=body, headers=headers,
                          passthrough=passthrough)

    def _json(self, path: str, params: dict[str, Any] | None = None, **send: Any
              ) -> tuple[int, Any]:
        with self._attempts(path) as failed:
            while True:
                response = self._send(path, params, False, **send)
                try:
                    response.content  # noqa: B018 - read the whole body now, inside the retry loop
                except TRANSIENT as exc:
                    failed(exc)
                    continue
                try:
                    return response.status_code, response.json()
                except ValueError as exc:
                    raise FeedError("malformed", "中心系统返回的数据无法解析（不是有效的 JSON）",
                                    "the central system's answer is not valid JSON",
                                    response.status_code) from exc

    def download(self, path: str, sink: Callable[[Iterator[bytes]], None]) -> None:
        """GET a body and hand its chunks to `sink`; a transfer cut off is retried from the start
        (sink is then called again, and must start over)."""
        with self._attempts(path) as failed:
            while True:
                response = self._send(path, None, stream=True)
                try:
                    with response:
                        sink(_guarded(response.iter_content(1 << 16)))
                    return
                except _TransferCut as exc:
                    failed(exc.cause)


class _TransferCut(Exception):
    """A download broke off. Deliberately not an OSError, so that a sink's handling of disk
    errors (`except OSError`) cannot mistake a dropped connection for a full disk."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.cause = cause


def _guarded(chunks: Iterator[bytes]) -> Iterator[bytes]:
    try:
        yield from chunks
    except TRANSIENT as exc:
        raise _TransferCut(exc) from exc


def _raise_for_status(response: requests.Response) -> None:
    status = response.status_code
    if status < 300:
        return
    detail = _error_text(response)
    response.close()
    if status in (401, 403):
        raise FeedError("auth", "中心系统拒绝了本终端的身份（令牌或终端编号有误）。请检查配置文件中的 "
                        "[central] token 与 kiosk_id",
                        "the central system refused this kiosk's credentials (HTTP "
                        f"{status}); check [central] token and kiosk_id in the configuration file",
                        status)
    if status == 410:
        raise FeedError("gone", "同步位置已过期，需要重新读取完整目录",
                        "the sync cursor has expired; the whole catalogue must be read again", status)
    if status == 404:
        raise FeedError("missing", "中心系统上没有这项内容", f"not found on the central system "
                        f"({detail})", status)
    raise FeedError("refused", f"中心系统拒绝了请求（HTTP {status}）：{detail}",
                    f"the central system refused the request (HTTP {status}): {detail}", status)


def _gave_up(what: str, cause: BaseException | requests.Response) -> FeedError:
    if isinstance(cause, requests.Response):
        how = f"HTTP {cause.status_code}"
    elif isinstance(cause, requests.Timeout):
        how = "超时 timed out"
    else:
        how = type(cause).__name__
    return FeedError("network", f"中心系统暂时无法使用（{how}，已多次重试）。已取得的内容均已保存，"
                     "稍后会自动再试，也可稍后手动同步",
                     f"the central system is unavailable ({how}, retried several times; {what}). "
                     "Everything received so far is kept; sync will try again later",
                     cause.status_code if isinstance(cause, requests.Response) else None)
