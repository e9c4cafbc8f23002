"""One ``requests`` session per account: base URL, default timeouts, rate-limit headers.

tweepy hard-codes https://api.twitter.com and facebook-sdk https://graph.facebook.com;
a transport adapter rewrites both to the account's ``api_base_url`` (the sandbox or a
gateway) without patching either library. Nothing here logs a URL: Graph carries the
access token in the query string.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import NameResolutionError, NewConnectionError

from connectors.base import RateLimit

PLATFORM_ORIGINS = ("https://api.twitter.com", "https://api.x.com", "https://graph.facebook.com")
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 30.0
DEFAULT_TIMEOUT = (CONNECT_TIMEOUT, READ_TIMEOUT)


class PlatformAdapter(HTTPAdapter):
    """Sends platform requests to ``base_url`` when set, always with a timeout."""

    def __init__(self, base_url: str = "", timeout: tuple[float, float] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout or DEFAULT_TIMEOUT

    def send(self, request: requests.PreparedRequest, stream: bool = False, timeout: Any = None, **kwargs: Any):  # type: ignore[no-untyped-def,override]
        if self.base_url and request.url:
            for origin in PLATFORM_ORIGINS:
                if request.url.startswith(origin):
                    request.url = self.base_url + request.url[len(origin) :]
                    break
        # tweepy passes no timeout at all, and requests would then wait forever.
        return super().send(request, stream=stream, timeout=timeout or self.timeout, **kwargs)


class RateLimitTracker:
    """Keeps what the last response's headers said about the budget."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.last: RateLimit | None = None

    def __call__(self, response: requests.Response, *args: Any, **kwargs: Any) -> requests.Response:
        limit = parse_rate_limit(response.headers)
        if limit is not None:
            with self._lock:
                self.last = limit
        return response

    def take(self) -> RateLimit | None:
        """The budget seen since the last take (None when no call reported one)."""
        with self._lock:
            limit, self.last = self.last, None
        return limit


def _int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _usage(headers: Any) -> tuple[int | None, int | None]:
    """Highest usage percentage and longest regain time (minutes) in Graph's usage headers."""
    percents: list[int] = []
    regain: list[int] = []
    for name in ("x-app-usage", "x-page-usage", "x-business-use-case-usage"):
        raw = headers.get(name)
        if not raw:
            continue
        try:
            value = json.loads(raw)
        except ValueError:
            continue
        entries: list[Any] = []
        if isinstance(value, dict) and name == "x-business-use-case-usage":
            for items in value.values():
                entries.extend(items if isinstance(items, list) else [items])
        else:
            entries.append(value)
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            for key in ("call_count", "total_cputime", "total_time"):
                number = _int(entry.get(key))
                if number is not None:
                    percents.append(number)
            minutes = _int(entry.get("estimated_time_to_regain_access"))
            if minutes:
                regain.append(minutes)
    return (max(percents) if percents else None, max(regain) if regain else None)


def parse_rate_limit(headers: Any, *, now: dt.datetime | None = None) -> RateLimit | None:
    """X's x-rate-limit-* headers and Graph's usage headers, as one RateLimit (or None)."""
    now = now or dt.datetime.now(dt.UTC)
    limit = _int(headers.get("x-rate-limit-limit"))
    remaining = _int(headers.get("x-rate-limit-remaining"))
    reset = _int(headers.get("x-rate-limit-reset"))
    usage, regain_minutes = _usage(headers)
    if limit is None and remaining is None and reset is None and usage is None:
        return None
    return RateLimit(
        limit=limit,
        remaining=remaining,
        reset_at=dt.datetime.fromtimestamp(reset, dt.UTC) if reset else None,
        usage_percent=usage,
        regain_at=now + dt.timedelta(minutes=regain_minutes) if regain_minutes else None,
    )


def platform_session(base_url: str = "", *, timeout: tuple[float, float] | None = None) -> requests.Session:
    """A session for one account: every request rewritten, timed out and its budget recorded."""
    session = requests.Session()
    adapter = PlatformAdapter(base_url, timeout=timeout)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    tracker = RateLimitTracker()
    session.hooks["response"].append(tracker)
    session.rate_limits = tracker  # type: ignore[attr-defined]
    return session


def never_reached(exc: BaseException) -> bool:
    """True when a requests failure proves the request never got to the platform.

    A refused or timed-out connection did not send anything; a read timeout or a
    dropped connection after sending may have been applied.
    """
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(exc, requests.exceptions.SSLError):
        return True
    if isinstance(exc, requests.exceptions.ConnectionError):
        reason = exc.args[0] if exc.args else None
        inner = getattr(reason, "reason", reason)
        return isinstance(inner, NewConnectionError | NameResolutionError)
    return False


def describe(exc: BaseException) -> str:
    """A failure described without its URL (requests puts the full URL in its messages)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "connection timed out"
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return "no answer within the read timeout"
    if isinstance(exc, requests.exceptions.SSLError):
        return "TLS handshake failed"
    if isinstance(exc, requests.exceptions.ConnectionError):
        return "connection refused" if never_reached(exc) else "connection dropped"
    return type(exc).__name__
