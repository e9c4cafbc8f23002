"""Connector tests run against the sandbox platform over real HTTP, through tweepy and facebook-sdk."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from connectors.base import AccountConfig
from connectors.sandbox import SandboxServer
from inbox.models import Platform, SocialAccount
from tests.factories import SocialAccountFactory
from tests.inbox.conftest import agent, brand, category, lead, other_team, team  # noqa: F401 - shared fixtures

X_ID, X_HANDLE = "42", "telvio"
PAGE_ID = "1001"
X_CREDENTIALS = {
    "bearer_token": "x-bearer-42",
    "consumer_key": "consumer-key",
    "consumer_secret": "consumer-secret",
    "access_token": "x-access-42",
    "access_token_secret": "access-secret",
}
FB_CREDENTIALS = {"page_access_token": "fb-page-token-1001", "app_secret": "fb-app-secret"}


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    server = SandboxServer(seed=1).start()
    server.world.add_x_account(user_id=X_ID, username=X_HANDLE, name="Telvio",
                               tokens=[X_CREDENTIALS["bearer_token"], X_CREDENTIALS["access_token"]])
    server.world.add_fb_page(page_id=PAGE_ID, name="Telvio", tokens=[FB_CREDENTIALS["page_access_token"]],
                             app_secret=FB_CREDENTIALS["app_secret"])
    yield server
    server.stop()


@pytest.fixture
def world(sandbox):
    return sandbox.world


@pytest.fixture
def x_config(sandbox) -> AccountConfig:
    return AccountConfig(platform="x", external_id=X_ID, handle=X_HANDLE, credentials=X_CREDENTIALS,
                         api_base_url=sandbox.url, keywords=("telvio",))


@pytest.fixture
def fb_config(sandbox) -> AccountConfig:
    return AccountConfig(platform="facebook", external_id=PAGE_ID, handle="Telvio", credentials=FB_CREDENTIALS,
                         api_base_url=sandbox.url)


def _account(sandbox: SandboxServer, brand, team, **fields) -> SocialAccount:  # type: ignore[no-untyped-def]
    account = SocialAccountFactory(brand=brand, team=team, api_base_url=sandbox.url, poll_interval_seconds=10,
                                   **fields)
    return account


@pytest.fixture
def x_account(db, sandbox, brand, team) -> SocialAccount:
    account = _account(sandbox, brand, team, platform=Platform.X, external_id=X_ID, handle=X_HANDLE,
                       keywords=["telvio"])
    account.set_credentials(X_CREDENTIALS)
    account.save()
    return account


@pytest.fixture
def fb_account(db, sandbox, brand, team) -> SocialAccount:
    account = _account(sandbox, brand, team, platform=Platform.FACEBOOK, external_id=PAGE_ID, handle="Telvio")
    account.set_credentials(FB_CREDENTIALS)
    account.save()
    return account


@pytest.fixture
def enqueued(monkeypatch) -> list[tuple[str, list, float | None]]:
    """What the connectors hand the broker (the broker itself is tested in test_faults)."""
    calls: list[tuple[str, list, float | None]] = []
    monkeypatch.setattr("connectors.tasks.enqueue", lambda name, args, countdown=None: calls.append(
        (name, list(args), countdown)))
    return calls


def api_requests(sandbox: SandboxServer, path: str = "", method: str = "") -> list[dict]:
    return sandbox.log.entries(path=path, method=method)
