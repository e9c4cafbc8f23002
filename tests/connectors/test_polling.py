"""Polling end to end: the sandbox, the real adapters, the tasks, the ingest service, the database."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from connectors import tasks
from inbox.models import (
    AccountStatus,
    Contact,
    Delivery,
    DeliveryState,
    Event,
    EventAction,
    Mention,
    Message,
    PollCursor,
    Stream,
)
from inbox.services.mentions import mention_claim
from inbox.services.replies import mention_move_to_private, mention_reply
from tests.connectors.conftest import PAGE_ID, X_HANDLE, X_ID, api_requests
from tests.factories import SocialAccountFactory, UserFactory

pytestmark = pytest.mark.django_db


def tweet(world, text: str = "help", *, author=None, **fields):  # type: ignore[no-untyped-def]
    author = author or world.x_user(username="sofie", name="Sofie", followers=340)
    return world.tweet_create(author_id=author.id, text=f"@{X_HANDLE} {text}", **fields)


def cursor(account, stream: str) -> PollCursor:  # type: ignore[no-untyped-def]
    return PollCursor.objects.get(account=account, stream=stream)


def test_a_poll_stores_the_mentions_and_moves_the_cursor_with_them(world, x_account):
    posts = [tweet(world, f"storing {n}") for n in range(120)]

    tasks.poll(x_account.pk, Stream.X_MENTIONS)

    assert Message.objects.filter(account=x_account).count() == 120
    assert cursor(x_account, Stream.X_MENTIONS).cursor == posts[-1].id
    contact = Contact.objects.get(external_id=posts[0].author_id)
    assert (contact.handle, contact.follower_count) == ("sofie", 340)


def test_running_a_poll_twice_stores_everything_once(world, x_account):
    for n in range(7):
        tweet(world, f"twice {n}")

    tasks.poll(x_account.pk, Stream.X_MENTIONS)
    PollCursor.objects.filter(account=x_account).update(cursor="")  # as if the first run's cursor was lost
    tasks.poll(x_account.pk, Stream.X_MENTIONS)

    assert Message.objects.count() == 7 and Mention.objects.count() == 7


def test_malformed_json_on_a_later_page_stores_nothing_and_keeps_the_cursor(world, sandbox, x_account):
    tweet(world, "before")
    tasks.poll(x_account.pk, Stream.X_MENTIONS)
    before = cursor(x_account, Stream.X_MENTIONS).cursor
    for n in range(150):
        tweet(world, f"new {n}")
    sandbox.faults.add({"kind": "malformed", "path": "/mentions", "skip": 1})

    tasks.poll(x_account.pk, Stream.X_MENTIONS)

    assert cursor(x_account, Stream.X_MENTIONS).cursor == before
    assert Message.objects.count() == 1
    assert cursor(x_account, Stream.X_MENTIONS).consecutive_failures == 1

    PollCursor.objects.filter(account=x_account).update(next_poll_at=None)
    tasks.poll(x_account.pk, Stream.X_MENTIONS)

    assert Message.objects.count() == 151


def test_after_a_429_the_endpoint_is_not_asked_again_before_its_reset(world, sandbox, x_account):
    sandbox.faults.add({"kind": "rate_limit", "path": "/mentions", "reset_in": 120})

    tasks.poll(x_account.pk, Stream.X_MENTIONS)
    tasks.poll(x_account.pk, Stream.X_MENTIONS)

    limited = cursor(x_account, Stream.X_MENTIONS).rate_limited_until
    assert limited is not None and limited > timezone.now() + dt.timedelta(seconds=100)
    assert len(api_requests(sandbox, "/mentions")) == 1


def test_a_rate_limited_endpoint_does_not_hold_up_the_accounts_other_streams(world, sandbox, x_account):
    sandbox.faults.add({"kind": "rate_limit", "path": "/mentions", "reset_in": 120})
    author = world.x_user(username="jan")
    world.dm_send(sender_id=author.id, recipient_id=X_ID, text="Mijn factuur")

    tasks.poll(x_account.pk, Stream.X_MENTIONS)
    tasks.poll(x_account.pk, Stream.X_DMS)

    assert cursor(x_account, Stream.X_DMS).rate_limited_until is None
    assert Mention.objects.filter(kind="private").count() == 1


def test_graph_throttling_pauses_every_stream_of_the_page(world, sandbox, fb_account):
    sandbox.faults.add({"kind": "rate_limit", "code": 32, "regain_minutes": 10, "path": "/feed"})
    tasks.poll(fb_account.pk, Stream.FB_FEED)
    sandbox.log.clear()

    tasks.poll(fb_account.pk, Stream.FB_CONVERSATIONS)

    assert api_requests(sandbox) == []
    assert cursor(fb_account, Stream.FB_CONVERSATIONS).rate_limited_until > timezone.now() + dt.timedelta(minutes=9)


def test_a_failing_endpoint_backs_off_with_growing_bounded_delays(world, sandbox, x_account):
    delays = []
    for _ in range(12):
        sandbox.faults.add({"kind": "status", "status": 503, "path": "/mentions"})
        before = timezone.now()
        tasks.poll(x_account.pk, Stream.X_MENTIONS)
        delays.append((cursor(x_account, Stream.X_MENTIONS).next_poll_at - before).total_seconds())

    assert cursor(x_account, Stream.X_MENTIONS).consecutive_failures == 12
    assert all(x_account.poll_interval_seconds - 1 <= delay <= tasks.BACKOFF_CAP.total_seconds() + 1
               for delay in delays)
    assert max(delays[6:]) > max(delays[:2])


def test_a_revoked_token_disconnects_only_that_account_and_tells_the_admins(
    world, sandbox, x_account, fb_account, agent, django_capture_on_commit_callbacks,
):
    UserFactory(username="root", email="root@example.com", is_staff=True, is_superuser=True)
    sandbox.world.revoked.add(x_account.get_credentials()["bearer_token"])
    mention = Mention.objects.create(account=x_account, team=x_account.team, kind="mention", visibility="public",
                                     opened_at=timezone.now(), waiting_since=timezone.now())
    pending = Delivery.objects.create(account=x_account, mention=mention, kind="hide", target_platform_id="1",
                                      send_after=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        tasks.poll(x_account.pk, Stream.X_MENTIONS)
    tasks.poll(fb_account.pk, Stream.FB_FEED)

    x_account.refresh_from_db()
    fb_account.refresh_from_db()
    assert (x_account.status, fb_account.status) == (AccountStatus.NEEDS_REAUTH, AccountStatus.ACTIVE)
    assert Event.objects.get(action=EventAction.ACCOUNT_STATUS).to_status == AccountStatus.NEEDS_REAUTH
    assert [m.to for m in mail.outbox] == [["root@example.com"]]
    assert Delivery.objects.get(pk=pending.pk).state == DeliveryState.PENDING
    assert cursor(fb_account, Stream.FB_FEED).last_success_at is not None


def test_a_disconnected_account_is_not_polled(world, sandbox, x_account):
    x_account.status = AccountStatus.NEEDS_REAUTH
    x_account.save()

    assert tasks.poll(x_account.pk, Stream.X_MENTIONS) == "inactive"
    assert api_requests(sandbox) == []


def test_a_probe_reconnects_an_account_whose_token_works_again_at_most_once_an_hour(world, sandbox, x_account):
    x_account.status = AccountStatus.NEEDS_REAUTH
    x_account.save()
    sandbox.world.revoked.add(x_account.get_credentials()["access_token"])

    tasks.accounts_probe()
    tasks.accounts_probe()
    probes = len(api_requests(sandbox, "/users/me"))
    sandbox.world.revoked.clear()
    x_account.__class__.objects.filter(pk=x_account.pk).update(last_error_at=timezone.now() - dt.timedelta(hours=2))
    tasks.accounts_probe()

    x_account.refresh_from_db()
    assert probes == 1 and x_account.status == AccountStatus.ACTIVE


def test_the_dispatcher_enqueues_each_due_stream_once(world, x_account, fb_account, enqueued):
    first = tasks.polls_dispatch()
    second = tasks.polls_dispatch()

    assert (first, second) == (6, 0)
    assert sorted(args for _name, args, _c in enqueued) == sorted(
        [[x_account.pk, s] for s in (Stream.X_MENTIONS, Stream.X_SEARCH, Stream.X_DMS)]
        + [[fb_account.pk, s] for s in (Stream.FB_FEED, Stream.FB_COMMENTS, Stream.FB_CONVERSATIONS)]
    )


def test_the_dispatcher_skips_rate_limited_and_disconnected_accounts(world, x_account, fb_account, enqueued):
    tasks.polls_dispatch()
    enqueued.clear()
    PollCursor.objects.update(next_poll_at=timezone.now() - dt.timedelta(seconds=1))
    PollCursor.objects.filter(account=x_account, stream=Stream.X_MENTIONS).update(
        rate_limited_until=timezone.now() + dt.timedelta(minutes=5))
    fb_account.status = AccountStatus.NEEDS_REAUTH
    fb_account.save()

    tasks.polls_dispatch()

    assert sorted(args[1] for _n, args, _c in enqueued) == [Stream.X_DMS, Stream.X_SEARCH]


def test_the_next_poll_spreads_what_is_left_of_the_budget(world, sandbox, x_account):
    sandbox.x.limiter.limits["dm_lookup"] = 15
    before = timezone.now()

    tasks.poll(x_account.pk, Stream.X_DMS)

    state = cursor(x_account, Stream.X_DMS)
    assert (state.rate_limit_remaining, state.rate_limit_limit) == (14, 15)
    assert state.next_poll_at - before > dt.timedelta(seconds=55)  # 900 s / 14 calls left


def test_an_exhausted_budget_waits_for_the_reset(world, sandbox, x_account):
    sandbox.x.limiter.limits["mentions"] = 1

    tasks.poll(x_account.pk, Stream.X_MENTIONS)

    assert cursor(x_account, Stream.X_MENTIONS).rate_limited_until > timezone.now() + dt.timedelta(minutes=14)


def test_an_edit_on_x_updates_the_stored_text(world, x_account):
    original = tweet(world, "internet plat")
    tasks.poll(x_account.pk, Stream.X_MENTIONS)
    world.tweet_edit(tweet_id=original.id, text=f"@{X_HANDLE} internet plat in Gent")

    tasks.poll(x_account.pk, Stream.X_MENTIONS)

    message = Message.objects.get()
    assert (message.platform_id, message.text, message.edited) == (original.id, f"@{X_HANDLE} internet plat in Gent",
                                                                  True)


def test_a_customers_reply_under_our_reply_joins_the_mention_on_x(world, x_account, agent):
    first = tweet(world, "geen internet")
    tasks.poll(x_account.pk, Stream.X_MENTIONS)
    mention = Mention.objects.get()
    mention_claim(user=agent, mention_id=mention.pk)
    delivery = mention_reply(user=agent, mention_id=mention.pk, text="We kijken het na")
    Delivery.objects.filter(pk=delivery.pk).update(send_after=timezone.now())
    tasks.delivery_send(delivery.pk)
    ours = Delivery.objects.get(pk=delivery.pk).platform_id
    tweet(world, "dank je!", author=world.x_users[first.author_id], reply_to=ours)

    tasks.poll(x_account.pk, Stream.X_MENTIONS)

    assert Mention.objects.count() == 1
    assert Mention.objects.get().messages.filter(direction="inbound").count() == 2


def test_a_new_comment_under_an_old_marketing_post_reaches_the_inbox(world, fb_account):
    old = world.post_create(page_id=PAGE_ID, message="Zomerpromo", created_time=timezone.now() - dt.timedelta(days=40))
    tasks.poll(fb_account.pk, Stream.FB_COMMENTS)
    who = world.fb_person(name="Lotte")
    late = world.comment_create(target_id=old.id, message="Geldt dit nog?", from_id=who.id)

    tasks.poll(fb_account.pk, Stream.FB_COMMENTS)

    mention = Mention.objects.get()
    assert mention.messages.get().platform_id == late.id
    assert mention.context_post.text == "Zomerpromo"


def test_a_messenger_answer_from_a_customer_moved_to_private_joins_the_private_thread(world, fb_account, agent):
    post = world.post_create(page_id=PAGE_ID, message="Zomerpromo")
    who = world.fb_person(name="Lotte")
    world.comment_create(target_id=post.id, message="Mijn factuur is te hoog", from_id=who.id)
    tasks.poll(fb_account.pk, Stream.FB_COMMENTS)
    public = Mention.objects.get()
    mention_claim(user=agent, mention_id=public.pk)
    moved = mention_move_to_private(user=agent, mention_id=public.pk, private_text="Wat is je klantnummer?")
    Delivery.objects.update(send_after=timezone.now())
    tasks.delivery_send(moved.private_delivery.pk)
    world.customer_message(page_id=PAGE_ID, psid=who.psid, text="Klantnummer 123456789")

    tasks.poll(fb_account.pk, Stream.FB_CONVERSATIONS)

    private = Mention.objects.get(pk=moved.private_mention.pk)
    assert private.platform_thread_id == f"user:{who.psid}"
    assert [m.text for m in private.messages.filter(direction="inbound")] == ["Klantnummer 123456789"]
    assert Mention.objects.count() == 2


def test_accounts_without_credentials_are_not_dispatched(world, brand, team, enqueued):
    SocialAccountFactory(brand=brand, team=team, platform="x")

    assert tasks.polls_dispatch() == 0


def test_an_ingest_failure_keeps_the_cursor_and_shows_on_the_stream(world, x_account, monkeypatch):
    tweet(world, "first")
    tasks.poll(x_account.pk, Stream.X_MENTIONS)
    before = cursor(x_account, Stream.X_MENTIONS).cursor
    tweet(world, "second")

    def broken(**kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("database went away")

    monkeypatch.setattr(tasks, "messages_ingest", broken)
    with pytest.raises(RuntimeError):
        tasks.poll(x_account.pk, Stream.X_MENTIONS)

    state = cursor(x_account, Stream.X_MENTIONS)
    assert state.cursor == before and "ingest failed: RuntimeError" in state.last_error
