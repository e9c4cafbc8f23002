"""A team lead decides, in a real Chromium, what became of a delivery whose outcome nobody could tell.

The unknown outcome comes about the real way: the sandbox platform misbehaves while the
connector sends, and reconciliation cannot tell. Then the lead looks and decides.
"""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from connectors import http, tasks
from inbox.models import Delivery, DeliveryState, Direction, Mention, Message, Stream
from inbox.services.mentions import mention_claim
from inbox.services.replies import mention_move_to_private, mention_reply
from tests.connectors.conftest import PAGE_ID, X_HANDLE, X_ID, api_requests

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIVE_TIMEOUT = 5_000


def inbound_id(mention: Mention) -> str:
    return mention.messages.get(direction=Direction.INBOUND).platform_id or ""


def reconcile_later(delivery: Delivery) -> str:
    """The sweeper's next look, once the lease is over and the time to find it has run out."""
    long_ago = timezone.now() - tasks.RECONCILE_DEADLINE - dt.timedelta(minutes=1)
    Delivery.objects.filter(pk=delivery.pk).update(lease_until=timezone.now() - dt.timedelta(seconds=1),
                                                   attempt_started_at=long_ago)
    return tasks.delivery_send(delivery.pk)


def test_a_lead_sees_a_private_message_on_facebook_and_marks_it_delivered(
    open_page, agent, lead, world, sandbox, fb_account, worker, monkeypatch
):
    promo = world.post_create(page_id=PAGE_ID, message="Onze zomeractie!")
    lotte = world.fb_person(name="Lotte Jacobs")
    commented = world.comment_create(target_id=promo.id, message="Mijn klantnummer is 123456789", from_id=lotte.id)
    tasks.poll(fb_account.pk, Stream.FB_COMMENTS)
    comment = Mention.objects.get(messages__platform_id=commented.id)
    mention_claim(user=agent, mention_id=comment.pk)
    moved = mention_move_to_private(user=agent, mention_id=comment.pk, private_text="We helpen je hier verder")
    # Facebook takes the private reply but the answer never comes back; a private reply cannot be looked up.
    monkeypatch.setattr(http, "DEFAULT_TIMEOUT", (2, 0.5))
    sandbox.faults.add({"kind": "accept_then_hang", "path": "/messages$", "method": "POST", "seconds": 1.5})
    assert dict(worker.run_due(expected=2))[moved.private_delivery.pk] == "outcome_unknown"
    assert reconcile_later(moved.private_delivery) == "needs_review"

    watched = open_page(lead, f"/mentions/{moved.private_mention.pk}/")
    page = watched.page
    expect(page.get_by_text("Nobody knows whether this reached Facebook.")).to_be_visible()
    link = Message.objects.get(platform_id=commented.id).permalink
    assert f"comment_id={commented.id}" in link
    expect(page.get_by_role("link", name="Open the conversation on Facebook")).to_have_attribute("href", link)
    page.get_by_role("button", name="It is on Facebook: mark it delivered").click()

    expect(page.get_by_text("Marked as delivered.")).to_be_visible()
    expect(page.locator(".delivery.state-sent")).to_contain_text("Delivered")
    assert [result for _id, result in worker.run_due(expected=1)] == ["sent"], "the public pointer follows"
    ours = [m for m in world.messages.values() if m.from_id == PAGE_ID]
    assert [m.text for m in ours] == ["We helpen je hier verder ^AV"]
    pointers = [c for c in world.comments.values() if c.from_id == PAGE_ID]
    assert [c.parent_id for c in pointers] == [commented.id]
    sent = [r["seq"] for r in api_requests(sandbox, "/messages$", "POST") + api_requests(sandbox, "/comments$", "POST")]
    assert len(sent) == 2 and sent == sorted(sent)
    assert watched.trouble() == {}


def test_a_lead_finds_a_reply_missing_on_x_and_sends_it_again_from_the_list(
    open_page, agent, lead, world, sandbox, x_account, worker
):
    jonas = world.x_user(username="jonas", name="Jonas Peeters")
    posted = world.tweet_create(author_id=jonas.id, text=f"Mijn internet ligt plat @{X_HANDLE}")
    tasks.poll(x_account.pk, Stream.X_MENTIONS)
    tweet = Mention.objects.get(messages__platform_id=posted.id)
    mention_claim(user=agent, mention_id=tweet.pk)
    delivery = mention_reply(user=agent, mention_id=tweet.pk, text="Sorry! We kijken het meteen na.")
    # The connection drops before X did anything, and X's search is down while Webcare looks.
    sandbox.faults.add({"kind": "drop", "path": "/2/tweets$", "method": "POST", "seconds": 0.1, "times": 1})
    assert worker.run_due(expected=1) == [(delivery.pk, "outcome_unknown")]
    sandbox.faults.add({"kind": "status", "status": 503, "path": "/search/recent", "times": 1})
    assert reconcile_later(delivery) == "needs_review"

    watched = open_page(lead, "/")
    page = watched.page
    page.get_by_role("link", name="Deliveries to check 1").click()
    expect(page.get_by_text("Sorry! We kijken het meteen na. ^AV")).to_be_visible()
    page.get_by_role("button", name="It is not there: send it again").click()

    expect(page.get_by_text("Sending it again now.")).to_be_visible()
    expect(page.get_by_text("Nothing to check")).to_be_visible()
    assert worker.run_due(expected=1) == [(delivery.pk, "sent")]
    page.goto(f"/mentions/{tweet.pk}/")
    expect(page.locator(".delivery.state-sent")).to_contain_text("Delivered")
    ours = [t for t in world.tweets.values() if t.author_id == X_ID]
    assert [(t.text, t.replied_to) for t in ours] == [("Sorry! We kijken het meteen na. ^AV", inbound_id(tweet))]
    assert Delivery.objects.get(pk=delivery.pk).state == DeliveryState.SENT
    assert watched.trouble() == {}
