"""Per-account health for admins: a page and an API, nobody else."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from connectors import tasks
from inbox.models import Stream
from tests.factories import SocialAccountFactory, UserFactory

pytestmark = pytest.mark.django_db
API = "/api/v1/accounts/health/"
PAGE = "/connectors/health/"


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_an_agent_sees_neither_the_page_nor_the_api(client, agent):
    client.force_login(agent)

    assert client.get(API).status_code == 403
    assert client.get(PAGE).status_code == 302  # to the admin login


def test_nobody_logged_out_sees_the_api(client):
    response = client.get(API)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Token")


def test_the_api_reports_each_accounts_last_poll_lag_budget_and_next_poll(world, sandbox, x_account, admin_client):
    sandbox.faults.add({"kind": "status", "status": 503, "path": "/dm_events"})
    tasks.poll(x_account.pk, Stream.X_MENTIONS)
    tasks.poll(x_account.pk, Stream.X_DMS)

    account = admin_client.get(API).json()["results"][0]

    streams = {s["stream"]: s for s in account["streams"]}
    assert account["name"] == "telvio" and account["status"] == "active"
    assert account["last_success_at"] and account["next_poll_at"]
    assert streams["x_mentions"]["rate_limit_remaining"] == 299 and streams["x_mentions"]["rate_limit_limit"] == 300
    assert streams["x_mentions"]["lag_seconds"] is not None and streams["x_mentions"]["lag_seconds"] < 60
    assert streams["x_dms"]["consecutive_failures"] == 1 and "server_error" in streams["x_dms"]["last_error"]
    assert "credentials" not in str(account) and "x-bearer" not in str(account)


def test_the_page_shows_every_account_with_a_constant_number_of_queries(world, brand, team, admin_client, x_account):
    admin_client.get(PAGE)  # warm the session and the permission caches
    with CaptureQueriesContext(connection) as few:
        first = admin_client.get(PAGE)
    for number in range(5):
        SocialAccountFactory(brand=brand, team=team, handle=f"extra{number}")
    with CaptureQueriesContext(connection) as many:
        second = admin_client.get(PAGE)

    assert first.status_code == second.status_code == 200
    assert "telvio" in second.content.decode() and "extra4" in second.content.decode()
    assert len(many) == len(few)


def test_hostile_text_in_an_error_is_escaped_on_the_page(world, x_account, admin_client):
    x_account.last_error = "<script>alert(1)</script>"
    x_account.save()

    body = admin_client.get(PAGE).content.decode()

    assert "<script>alert(1)" not in body and "&lt;script&gt;alert(1)" in body
