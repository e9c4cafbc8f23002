"""Deliveries out exactly once: claiming, every kind over the sandbox, every way the platform says no."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from connectors import http, tasks
from inbox.models import (
    AccountStatus,
    Delivery,
    DeliveryState,
    Direction,
    Mention,
    MentionStatus,
    Message,
    Stream,
)
from inbox.services import deliveries
from inbox.services.mentions import mention_claim
from inbox.services.moderation import message_hide, message_unhide
from inbox.services.replies import mention_move_to_private, mention_reply
from tests.connectors.conftest import PAGE_ID, X_HANDLE, X_ID, api_requests

pytestmark = pytest.mark.django_db
D = DeliveryState


def due(*items: Delivery) -> None:
    """Skip the undo window."""
    Delivery.objects.filter(pk__in=[d.pk for d in items]).update(send_after=timezone.now())


def x_mention(world, account, text: str = "geen internet", *, author=None) -> Mention:  # type: ignore[no-untyped-def]
    author = author or world.x_user(username="sofie", name="Sofie")
    posted = world.tweet_create(author_id=author.id, text=f"@{X_HANDLE} {text}")
    tasks.poll(account.pk, Stream.X_MENTIONS)
    return Mention.objects.get(messages__platform_id=posted.id)


def fb_mention(world, account, text: str = "Al twee dagen plat", *, post=None, who=None) -> Mention:  # type: ignore[no-untyped-def]
    post = post or world.post_create(page_id=PAGE_ID, message="Zomerpromo")
    who = who or world.fb_person(name="Lotte Jacobs")
    posted = world.comment_create(target_id=post.id, message=text, from_id=who.id)
    tasks.poll(account.pk, Stream.FB_COMMENTS)
    return Mention.objects.get(messages__platform_id=posted.id)


def answer(agent, mention: Mention, text: str = "We kijken het na") -> Delivery:  # type: ignore[no-untyped-def]
    if mention.status == MentionStatus.NEW:
        mention_claim(user=agent, mention_id=mention.pk)
    delivery = mention_reply(user=agent, mention_id=mention.pk, text=text)
    due(delivery)
    return delivery


def inbound_id(mention: Mention) -> str:
    return mention.messages.get(direction=Direction.INBOUND).platform_id or ""


def fresh(delivery: Delivery) -> Delivery:
    return Delivery.objects.get(pk=delivery.pk)


def our_tweets(world) -> list:  # type: ignore[no-untyped-def]
    return [t for t in world.tweets.values() if t.author_id == X_ID]


# --- claiming ----------------------------------------------------------------------------------


def test_a_delivery_is_not_claimed_inside_its_undo_window(world, x_account, agent):
    mention = x_mention(world, x_account)
    mention_claim(user=agent, mention_id=mention.pk)
    delivery = mention_reply(user=agent, mention_id=mention.pk, text="Even geduld")

    assert deliveries.delivery_claim_for_sending(delivery_id=delivery.pk) is None
    assert tasks.delivery_send(delivery.pk) == "not_due"
    assert fresh(delivery).state == D.PENDING


def test_a_delivery_is_claimed_once_with_a_lease(world, x_account, agent):
    delivery = answer(agent, x_mention(world, x_account))

    first = deliveries.delivery_claim_for_sending(delivery_id=delivery.pk)
    second = deliveries.delivery_claim_for_sending(delivery_id=delivery.pk)

    assert second is None
    assert (first.state, first.attempts) == (D.SENDING, 1)
    assert first.lease_until - first.attempt_started_at == dt.timedelta(seconds=deliveries.lease_seconds())


def test_sending_a_delivery_twice_posts_it_once(world, x_account, agent):
    delivery = answer(agent, x_mention(world, x_account))

    assert tasks.delivery_send(delivery.pk) == "sent"
    assert tasks.delivery_send(delivery.pk) == "not_due"
    assert len(our_tweets(world)) == 1


def test_a_delivery_with_a_platform_id_is_never_sent_again(world, sandbox, x_account, agent):
    delivery = answer(agent, x_mention(world, x_account))
    Delivery.objects.filter(pk=delivery.pk).update(platform_id="1900000000000999999")

    tasks.delivery_send(delivery.pk)

    assert api_requests(sandbox, "/2/tweets$", "POST") == []


# --- every kind -------------------------------------------------------------------------------


def test_a_reply_on_x_records_its_id_on_the_delivery_and_the_message_and_never_comes_back(world, x_account, agent):
    mention = x_mention(world, x_account)
    delivery = answer(agent, mention, "We kijken het na")

    tasks.delivery_send(delivery.pk)
    tasks.poll(x_account.pk, Stream.X_MENTIONS)
    tasks.poll(x_account.pk, Stream.X_SEARCH)

    delivery = fresh(delivery)
    posted = world.tweets[delivery.platform_id]
    assert (delivery.state, posted.replied_to, posted.text) == (D.SENT, inbound_id(mention), "We kijken het na ^AV")
    assert Message.objects.get(pk=delivery.message_id).platform_id == delivery.platform_id
    assert Mention.objects.count() == 1 and delivery.sent_at is not None


def test_moving_to_private_on_x_sends_the_dm_first_and_then_the_public_pointer(world, sandbox, x_account, agent):
    mention = x_mention(world, x_account, "bel me op 0470 12 34 56")
    mention_claim(user=agent, mention_id=mention.pk)
    moved = mention_move_to_private(user=agent, mention_id=mention.pk, private_text="Wat is je klantnummer?")
    due(moved.private_delivery, moved.pointer_delivery)

    early = tasks.delivery_send(moved.pointer_delivery.pk)
    tasks.delivery_send(moved.private_delivery.pk)
    tasks.delivery_send(moved.pointer_delivery.pk)

    customer = mention.contact.external_id
    assert early == "not_due"
    assert fresh(moved.private_delivery).state == fresh(moved.pointer_delivery).state == D.SENT
    assert Mention.objects.get(pk=moved.private_mention.pk).platform_thread_id == f"{X_ID}-{customer}"
    assert [e.text for e in world.dm_events] == ["Wat is je klantnummer? ^AV"]
    posts = [r["seq"] for r in api_requests(sandbox, "/2/tweets$", "POST")]
    dms = [r["seq"] for r in api_requests(sandbox, "/messages$", "POST")]
    assert dms[0] < posts[0]


def test_the_public_pointer_is_handed_to_the_workers_as_soon_as_its_private_message_is_sent(
    world, sandbox, x_account, agent, django_capture_on_commit_callbacks, monkeypatch
):
    from inbox.services import outbox

    mention = x_mention(world, x_account, "bel me op 0470 12 34 56")
    mention_claim(user=agent, mention_id=mention.pk)
    moved = mention_move_to_private(user=agent, mention_id=mention.pk, private_text="Wat is je klantnummer?")
    due(moved.private_delivery, moved.pointer_delivery)
    enqueued = []
    monkeypatch.setattr(outbox, "_enqueue", lambda delivery_id, countdown: enqueued.append(delivery_id))

    with django_capture_on_commit_callbacks(execute=True):
        tasks.delivery_send(moved.private_delivery.pk)

    assert enqueued == [moved.pointer_delivery.pk]


def test_a_reply_on_facebook_goes_under_the_customers_top_level_comment(world, fb_account, agent):
    mention = fb_mention(world, fb_account)
    top = inbound_id(mention)
    who = world.comments[top].from_id
    follow_up = world.comment_create(target_id=top, message="Nog altijd niks", from_id=who)
    tasks.poll(fb_account.pk, Stream.FB_COMMENTS)
    assert Mention.objects.get(pk=mention.pk).messages.count() == 2

    delivery = answer(agent, mention)
    tasks.delivery_send(delivery.pk)

    ours = world.comments[fresh(delivery).platform_id]
    assert fresh(delivery).target_platform_id == follow_up.id
    assert (ours.parent_id, ours.from_id) == (top, PAGE_ID)


def test_moving_to_private_on_facebook_sends_one_private_reply_and_names_the_thread(world, fb_account, agent):
    mention = fb_mention(world, fb_account, "Mijn klantnummer is 123456789")
    mention_claim(user=agent, mention_id=mention.pk)
    moved = mention_move_to_private(user=agent, mention_id=mention.pk, private_text="We helpen je hier verder")
    due(moved.private_delivery, moved.pointer_delivery)

    tasks.delivery_send(moved.private_delivery.pk)
    tasks.delivery_send(moved.pointer_delivery.pk)

    comment = world.comments[inbound_id(mention)]
    psid = world.people[comment.from_id].psid
    assert comment.private_replied
    assert Mention.objects.get(pk=moved.private_mention.pk).platform_thread_id == f"user:{psid}"
    assert fresh(moved.pointer_delivery).state == D.SENT


def _messenger_mention(world, account, hours_ago: float) -> Mention:  # type: ignore[no-untyped-def]
    who = world.fb_person(name="Jens")
    message = world.customer_message(page_id=PAGE_ID, psid=who.psid, text="Mijn modem knippert rood")
    tasks.poll(account.pk, Stream.FB_CONVERSATIONS)
    then = timezone.now() - dt.timedelta(hours=hours_ago)
    world.conversations[message.conversation_id].last_user_message_at = then
    mention = Mention.objects.get(kind="private")
    Mention.objects.filter(pk=mention.pk).update(last_inbound_at=then)
    return Mention.objects.get(pk=mention.pk)


@pytest.mark.parametrize(("hours_ago", "mode"), [(1, ("RESPONSE", "")), (30, ("MESSAGE_TAG", "HUMAN_AGENT"))])
def test_a_messenger_answer_uses_the_window_it_is_sent_in(world, sandbox, fb_account, agent, hours_ago, mode):
    mention = _messenger_mention(world, fb_account, hours_ago)

    tasks.delivery_send(answer(agent, mention).pk)

    sent = api_requests(sandbox, "/messages$", "POST")[-1]["body"]
    assert f"messaging_type={mode[0]}" in sent and (f"tag={mode[1]}" in sent) == bool(mode[1])
    assert Delivery.objects.get().state == D.SENT


def test_a_messenger_answer_whose_window_closed_before_it_left_fails_with_advice(world, sandbox, fb_account, agent):
    mention = _messenger_mention(world, fb_account, 1)
    delivery = answer(agent, mention)
    Mention.objects.filter(pk=mention.pk).update(last_inbound_at=timezone.now() - dt.timedelta(days=8))

    tasks.delivery_send(delivery.pk)

    delivery = fresh(delivery)
    assert (delivery.state, delivery.error_code) == (D.FAILED, "window_closed")
    assert "Messenger" in delivery.last_error and "Ask the customer" in delivery.last_error
    assert api_requests(sandbox, "/messages$", "POST") == []
    assert Mention.objects.get(pk=mention.pk).status == MentionStatus.CLAIMED


@pytest.mark.parametrize("platform", ["facebook", "x"])
def test_hiding_and_unhiding_a_customers_message(world, x_account, fb_account, agent, platform):
    if platform == "facebook":
        mention = fb_mention(world, fb_account, "Stelletje idioten")
        on_platform = lambda pid: world.comments[pid].hidden  # noqa: E731
    else:
        ours = world.tweet_create(author_id=X_ID, text="Onze zomerpromo")
        rude = world.tweet_create(author_id=world.x_user(username="troll").id, text=f"@{X_HANDLE} idioten",
                                  reply_to=ours.id)
        tasks.poll(x_account.pk, Stream.X_MENTIONS)
        mention = Mention.objects.get(messages__platform_id=rude.id)
        on_platform = lambda pid: world.tweets[pid].hidden  # noqa: E731
    message = mention.messages.get(direction=Direction.INBOUND)

    tasks.delivery_send(message_hide(user=agent, message_id=message.pk).pk)
    hidden = (Message.objects.get(pk=message.pk).hidden, on_platform(message.platform_id))
    tasks.delivery_send(message_unhide(user=agent, message_id=message.pk).pk)

    assert hidden == (True, True)
    assert (Message.objects.get(pk=message.pk).hidden, on_platform(message.platform_id)) == (False, False)


# --- the platform says no ------------------------------------------------------------------------


def test_dms_closed_fail_the_move_to_private_and_give_the_mention_back(world, x_account, agent):
    author = world.x_user(username="closed")
    author.dms_open = False
    mention = x_mention(world, x_account, author=author)
    mention_claim(user=agent, mention_id=mention.pk)
    moved = mention_move_to_private(user=agent, mention_id=mention.pk, private_text="Hoi")
    due(moved.private_delivery, moved.pointer_delivery)

    tasks.delivery_send(moved.private_delivery.pk)
    tasks.delivery_send(moved.pointer_delivery.pk)

    assert fresh(moved.private_delivery).error_code == "dms_closed"
    assert (fresh(moved.pointer_delivery).state, fresh(moved.pointer_delivery).error_code) == (
        D.FAILED, "dependency_failed")
    public = Mention.objects.get(pk=mention.pk)
    assert (public.status, public.assignee) == (MentionStatus.CLAIMED, agent)
    assert Mention.objects.get(pk=moved.private_mention.pk).status == MentionStatus.CLOSED
    assert our_tweets(world) == []


def test_a_reply_to_a_deleted_post_fails_once_without_retries(world, sandbox, x_account, agent):
    mention = x_mention(world, x_account)
    world.tweet_delete(tweet_id=inbound_id(mention))
    delivery = answer(agent, mention)

    tasks.delivery_send(delivery.pk)
    tasks.delivery_send(delivery.pk)

    assert (fresh(delivery).state, fresh(delivery).error_code) == (D.FAILED, "target_deleted")
    assert len(api_requests(sandbox, "/2/tweets$", "POST")) == 1
    assert Mention.objects.get(pk=mention.pk).status == MentionStatus.CLAIMED


def test_duplicate_content_from_our_own_earlier_attempt_is_reconciled_as_sent(world, x_account, agent):
    mention = x_mention(world, x_account)
    delivery = answer(agent, mention, "Zelfde tekst")
    target = inbound_id(mention)
    earlier = world.tweet_create(author_id=X_ID, text="Zelfde tekst ^AV", reply_to=target)

    assert tasks.delivery_send(delivery.pk) == "reconciled"
    assert fresh(delivery).platform_id == earlier.id and len(our_tweets(world)) == 1


def test_duplicate_content_that_is_not_ours_to_find_needs_a_person(world, x_account, agent):
    mention = x_mention(world, x_account)
    delivery = answer(agent, mention, "Zelfde tekst")
    world.tweet_create(author_id=X_ID, text="Zelfde tekst ^AV")  # elsewhere, not under this post

    tasks.delivery_send(delivery.pk)

    assert fresh(delivery).state == D.NEEDS_REVIEW


def test_an_unknown_outcome_is_reconciled_from_the_platform(world, sandbox, x_account, agent, monkeypatch):
    monkeypatch.setattr(http, "DEFAULT_TIMEOUT", (2, 0.5))
    delivery = answer(agent, x_mention(world, x_account))
    sandbox.faults.add({"kind": "accept_then_hang", "path": "/2/tweets$", "method": "POST", "seconds": 1.5})

    assert tasks.delivery_send(delivery.pk) == "outcome_unknown"
    assert fresh(delivery).state == D.SENDING
    Delivery.objects.filter(pk=delivery.pk).update(lease_until=timezone.now() - dt.timedelta(seconds=1))
    assert tasks.delivery_send(delivery.pk) == "reconciled"

    assert fresh(delivery).platform_id == our_tweets(world)[0].id and len(our_tweets(world)) == 1


def test_a_worker_that_died_before_the_request_is_resent_once(world, sandbox, x_account, agent):
    delivery = answer(agent, x_mention(world, x_account))
    deliveries.delivery_claim_for_sending(delivery_id=delivery.pk)  # ... and then the worker died
    Delivery.objects.filter(pk=delivery.pk).update(lease_until=timezone.now() - dt.timedelta(seconds=1))

    assert tasks.delivery_send(delivery.pk) == "resend"
    assert tasks.delivery_send(delivery.pk) == "sent"
    assert len(our_tweets(world)) == 1 and fresh(delivery).attempts == 2


def test_a_worker_that_died_after_the_platform_accepted_never_posts_twice(world, sandbox, x_account, agent):
    mention = x_mention(world, x_account)
    delivery = answer(agent, mention, "Al gepost")
    deliveries.delivery_claim_for_sending(delivery_id=delivery.pk)
    posted = world.tweet_create(author_id=X_ID, text="Al gepost ^AV", reply_to=inbound_id(mention))
    Delivery.objects.filter(pk=delivery.pk).update(lease_until=timezone.now() - dt.timedelta(seconds=1))

    tasks.delivery_send(delivery.pk)
    tasks.delivery_send(delivery.pk)

    assert fresh(delivery).platform_id == posted.id and len(our_tweets(world)) == 1


def test_an_unverifiable_private_reply_goes_to_a_person_and_is_never_resent(world, sandbox, fb_account, agent):
    mention = fb_mention(world, fb_account)
    mention_claim(user=agent, mention_id=mention.pk)
    moved = mention_move_to_private(user=agent, mention_id=mention.pk, private_text="Hoi", public_text=None)
    due(moved.private_delivery)
    deliveries.delivery_claim_for_sending(delivery_id=moved.private_delivery.pk)
    world.page_message(page_id=PAGE_ID, recipient={"comment_id": inbound_id(mention)},
                       text="Hoi ^AV", messaging_type="RESPONSE")  # it got there; the worker died
    Delivery.objects.filter(pk=moved.private_delivery.pk).update(lease_until=timezone.now() - dt.timedelta(seconds=1))

    tasks.delivery_send(moved.private_delivery.pk)
    tasks.delivery_send(moved.private_delivery.pk)

    assert fresh(moved.private_delivery).state == D.NEEDS_REVIEW
    assert len(api_requests(sandbox, "/messages$", "POST")) == 0


def test_a_lookup_that_keeps_failing_goes_to_a_person_after_the_deadline(world, sandbox, x_account, agent):
    delivery = answer(agent, x_mention(world, x_account))
    deliveries.delivery_claim_for_sending(delivery_id=delivery.pk)
    Delivery.objects.filter(pk=delivery.pk).update(lease_until=timezone.now() - dt.timedelta(seconds=1))
    sandbox.faults.add({"kind": "status", "status": 503, "path": "/search/recent", "times": 5})

    first = tasks.delivery_send(delivery.pk)
    Delivery.objects.filter(pk=delivery.pk).update(
        lease_until=timezone.now() - dt.timedelta(seconds=1),
        attempt_started_at=timezone.now() - tasks.RECONCILE_DEADLINE - dt.timedelta(minutes=1))
    second = tasks.delivery_send(delivery.pk)

    assert (first, second) == ("recheck", "needs_review")
    assert our_tweets(world) == []


def test_a_refused_connection_goes_back_to_pending_and_gives_up_after_bounded_attempts(world, x_account, agent,
                                                                                       enqueued):
    delivery = answer(agent, x_mention(world, x_account))
    x_account.api_base_url = "http://127.0.0.1:9"  # nothing listens on the discard port
    x_account.save()
    results = []
    for _ in range(deliveries.MAX_ATTEMPTS + 1):
        due(delivery)
        results.append(tasks.delivery_send(delivery.pk))

    assert results[:deliveries.MAX_ATTEMPTS - 1] == ["retry"] * (deliveries.MAX_ATTEMPTS - 1)
    assert (fresh(delivery).state, fresh(delivery).error_code) == (D.FAILED, "unreachable")
    assert enqueued and enqueued[0][0] == "connectors.delivery_send"


def test_a_revoked_token_keeps_the_answer_pending_until_the_account_is_reconnected(world, sandbox, x_account, agent):
    delivery = answer(agent, x_mention(world, x_account))
    world.revoked.add(x_account.get_credentials()["access_token"])

    tasks.delivery_send(delivery.pk)
    blocked = (fresh(delivery).state, tasks.delivery_send(delivery.pk))
    world.revoked.clear()
    x_account.status = AccountStatus.ACTIVE
    x_account.save()
    tasks.delivery_send(delivery.pk)

    assert blocked == (D.PENDING, "not_due")
    assert fresh(delivery).state == D.SENT and len(our_tweets(world)) == 1


def test_a_rate_limited_send_waits_for_the_reset(world, sandbox, x_account, agent, enqueued):
    delivery = answer(agent, x_mention(world, x_account))
    sandbox.faults.add({"kind": "rate_limit", "path": "/2/tweets$", "method": "POST", "reset_in": 90})

    assert tasks.delivery_send(delivery.pk) == "rate_limited"

    assert fresh(delivery).state == D.PENDING
    assert fresh(delivery).send_after > timezone.now() + dt.timedelta(seconds=80)
    assert 80 < enqueued[-1][2] <= 91


# --- the sweeper -----------------------------------------------------------------------------------


def test_the_sweeper_re_drives_what_a_lost_message_left_behind(world, x_account, agent, enqueued):
    overdue = answer(agent, x_mention(world, x_account, "one"))
    Delivery.objects.filter(pk=overdue.pk).update(send_after=timezone.now() - dt.timedelta(minutes=1))
    stuck = answer(agent, x_mention(world, x_account, "two", author=world.x_user(username="jan")))
    deliveries.delivery_claim_for_sending(delivery_id=stuck.pk)
    Delivery.objects.filter(pk=stuck.pk).update(lease_until=timezone.now() - dt.timedelta(seconds=1))
    mention = x_mention(world, x_account, "three", author=world.x_user(username="kim"))
    mention_claim(user=agent, mention_id=mention.pk)
    waiting = mention_reply(user=agent, mention_id=mention.pk, text="nog in het undo-venster")

    counts = tasks.deliveries_sweep()

    assert counts["pending"] == 1 and counts["reconcile"] == 1
    assert sorted(args[0] for name, args, _c in enqueued if name == "connectors.delivery_send") == sorted(
        [overdue.pk, stuck.pk])
    assert waiting.pk not in [args[0] for _n, args, _c in enqueued]
