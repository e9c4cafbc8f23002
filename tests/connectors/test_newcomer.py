"""The README's promise: run it, watch sandbox mentions arrive, answer one, see the answer on the sandbox."""

from __future__ import annotations

import pytest
import requests
from django.utils import timezone

from connectors import tasks
from connectors.management.commands.sandbox import Command
from connectors.sandbox import SandboxServer
from inbox import demo
from inbox.models import (
    Delivery,
    DeliveryState,
    Direction,
    Mention,
    MentionKind,
    Platform,
    PollCursor,
    SocialAccount,
    User,
)
from inbox.services.mentions import mention_claim
from inbox.services.replies import mention_reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def platform():
    server = SandboxServer(seed=7).start()
    yield server
    server.stop()


@pytest.fixture
def demo_world(platform, settings):
    settings.META_APP_SECRET = "sandbox-app-secret"
    demo.load(mentions=40, sandbox_url=platform.url)
    command = Command()
    accounts = command._accounts(platform.url, all_accounts=False)
    for account in accounts:
        command._register(platform, account)
    for account in accounts:
        command._import_inbox(platform.world, account)
    return accounts


def poll_everything() -> None:
    PollCursor.objects.update(next_poll_at=None)
    for account in SocialAccount.objects.all():
        for stream in tasks._streams(account):
            tasks.poll(account.pk, stream)


def send_now(delivery: Delivery) -> Delivery:
    Delivery.objects.filter(pk=delivery.pk).update(send_after=timezone.now())
    tasks.delivery_send(delivery.pk)
    return Delivery.objects.get(pk=delivery.pk)


def test_the_sandbox_serves_every_demo_account_and_what_the_inbox_already_holds(platform, demo_world):
    assert len(demo_world) == len(demo.ACCOUNTS)
    x_ids = Mention.objects.filter(account__platform=Platform.X, kind=MentionKind.MENTION).values_list(
        "messages__platform_id", flat=True)
    assert set(x_ids) <= set(platform.world.tweets)


def test_sandbox_mentions_arrive_and_an_answer_shows_on_the_public_page(platform, demo_world):
    before = Mention.objects.count()
    platform.scenarios.ensure_marketing_posts()
    for event in ("x_mention", "fb_comment", "x_dm", "fb_message", "x_keyword", "fb_visitor_post"):
        platform.scenarios.step(event)

    poll_everything()

    assert Mention.objects.count() == before + 6
    ana = User.objects.get(username="ana")
    newest = Mention.objects.filter(account__platform=Platform.X, kind=MentionKind.MENTION,
                                    account__team__memberships__user=ana).order_by("-id").first()
    mention_claim(user=ana, mention_id=newest.pk)
    delivery = send_now(mention_reply(user=ana, mention_id=newest.pk, text="Dank je, we kijken het meteen na!"))
    target = newest.messages.get(direction=Direction.INBOUND).platform_id

    page = requests.get(f"{platform.url}/x/status/{target}", timeout=5).text
    assert delivery.state == DeliveryState.SENT
    assert "Dank je, we kijken het meteen na!" in page


def test_an_answer_to_a_demo_mention_reaches_the_sandbox(platform, demo_world):
    ana = User.objects.get(username="ana")
    comment = Mention.objects.filter(account__platform=Platform.FACEBOOK, kind=MentionKind.COMMENT, status="new",
                                     account__team__memberships__user=ana).first()
    mention_claim(user=ana, mention_id=comment.pk)

    delivery = send_now(mention_reply(user=ana, mention_id=comment.pk, text="We bekijken het"))

    assert delivery.state == DeliveryState.SENT
    assert platform.world.comments[delivery.platform_id].parent_id == comment.messages.get(
        direction=Direction.INBOUND).platform_id
