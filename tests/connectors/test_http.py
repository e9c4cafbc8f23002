"""The per-account session: base URL, timeouts, rate-limit headers, and no URL in any message."""

from __future__ import annotations

import datetime as dt
import json
import logging
import socket

import pytest
import requests

from connectors.http import (
    DEFAULT_TIMEOUT,
    PlatformAdapter,
    describe,
    never_reached,
    parse_rate_limit,
    platform_session,
)
from tests.connectors.conftest import FB_CREDENTIALS, X_CREDENTIALS


@pytest.mark.parametrize("origin", ["https://api.twitter.com", "https://api.x.com"])
def test_x_requests_go_to_the_accounts_base_url(sandbox, origin):
    response = platform_session(sandbox.url).get(
        f"{origin}/2/users/me", headers={"Authorization": f"Bearer {X_CREDENTIALS['bearer_token']}"})

    assert response.status_code == 200 and response.json()["data"]["username"] == "telvio"


def test_graph_requests_go_to_the_accounts_base_url_under_any_version(sandbox):
    session = platform_session(sandbox.url)

    answers = [
        session.get(f"https://graph.facebook.com/{version}/me", params={
            "access_token": FB_CREDENTIALS["page_access_token"],
            "appsecret_proof": "wrong"}).json()
        for version in ("v19.0", "v25.0")
    ]

    assert [a["error"]["message"] for a in answers] == ["Invalid appsecret_proof provided in the API argument"] * 2


def test_every_request_gets_the_default_timeouts():
    assert PlatformAdapter().timeout == DEFAULT_TIMEOUT == (5.0, 30.0)


def test_a_slow_platform_runs_into_the_read_timeout(sandbox):
    sandbox.faults.add({"kind": "delay", "seconds": 3, "path": "/2/users/me"})

    with pytest.raises(requests.ReadTimeout) as caught:
        platform_session(sandbox.url, timeout=(1, 0.3)).get("https://api.x.com/2/users/me")

    assert not never_reached(caught.value)


def test_a_refused_connection_never_reached_the_platform():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

    with pytest.raises(requests.ConnectionError) as caught:
        platform_session(f"http://127.0.0.1:{port}").get("https://graph.facebook.com/v25.0/me?access_token=SECRET")

    assert never_reached(caught.value)
    assert describe(caught.value) == "connection refused"
    assert "SECRET" in str(caught.value)  # requests would leak it; describe() does not


def test_the_budget_in_the_headers_is_recorded(sandbox):
    session = platform_session(sandbox.url)

    session.get("https://api.x.com/2/users/me", headers={"Authorization": f"Bearer {X_CREDENTIALS['bearer_token']}"})

    limit = session.rate_limits.take()
    assert (limit.limit, limit.remaining) == (75, 74) and limit.reset_at > dt.datetime.now(dt.UTC)
    assert session.rate_limits.take() is None


def test_graphs_usage_headers_give_a_percentage_and_a_regain_time():
    headers = requests.structures.CaseInsensitiveDict({
        "X-App-Usage": json.dumps({"call_count": 28, "total_time": 25, "total_cputime": 25}),
        "X-Business-Use-Case-Usage": json.dumps({"1001": [{"type": "pages", "call_count": 96, "total_cputime": 10,
                                                           "total_time": 12, "estimated_time_to_regain_access": 12}]}),
    })
    now = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)

    limit = parse_rate_limit(headers, now=now)

    assert limit.usage_percent == 96 and limit.regain_at == now + dt.timedelta(minutes=12)


def test_no_request_url_is_logged(sandbox, caplog):
    caplog.set_level(logging.DEBUG)
    session = platform_session(sandbox.url)

    session.get("https://graph.facebook.com/v25.0/me", params={"access_token": "TOKEN-IN-QUERY"})

    assert "TOKEN-IN-QUERY" not in caplog.text
