"""The X adapter over real HTTP against the sandbox, through tweepy."""

from __future__ import annotations

import datetime as dt
import socket

import pytest

from connectors.base import (
    HIDE,
    PRIVATE_MESSAGE,
    REPLY,
    UNHIDE,
    X_DMS,
    X_MENTIONS,
    X_SEARCH,
    AccountConfig,
    ConnectorError,
    SendRequest,
    StreamCursor,
)
from connectors.http import platform_session
from connectors.twitter import FIRST_RUN_PAGES, XConnector
from tests.connectors.conftest import X_HANDLE, X_ID, api_requests


def customer(world, name: str = "sofie", followers: int = 120, **fields):  # type: ignore[no-untyped-def]
    return world.x_user(username=name, name=name.title(), followers=followers, **fields)


def mentions(world, count: int, *, author=None) -> list:  # type: ignore[no-untyped-def]
    author = author or customer(world)
    return [world.tweet_create(author_id=author.id, text=f"@{X_HANDLE} help number {i}") for i in range(count)]


def test_mentions_come_from_every_page_and_the_cursor_is_the_first_pages_newest_id(world, sandbox, x_config):
    mentions(world, 10)
    connector = XConnector(x_config)
    first = connector.poll(StreamCursor(stream=X_MENTIONS))
    newer = mentions(world, 250)

    result = connector.poll(StreamCursor(stream=X_MENTIONS, cursor=first.advance.cursor))

    assert result.pages == 3
    assert [item.platform_id for item in result.items] == [t.id for t in reversed(newer)]
    assert result.advance.cursor == newer[-1].id
    assert api_requests(sandbox, "/mentions")[-1]["query"]["since_id"] == first.advance.cursor


def test_the_first_poll_reads_a_bounded_number_of_pages(world, x_config):
    created = mentions(world, 350)

    result = XConnector(x_config).poll(StreamCursor(stream=X_MENTIONS))

    assert result.pages == FIRST_RUN_PAGES
    assert len(result.items) == FIRST_RUN_PAGES * 100
    assert result.advance.cursor == created[-1].id


def test_an_empty_poll_keeps_the_cursor(world, x_config):
    result = XConnector(x_config).poll(StreamCursor(stream=X_MENTIONS, cursor="1900000000000004096"))

    assert result.items == [] and result.advance.cursor == "1900000000000004096"


def test_authors_become_remote_authors_with_follower_counts(world, x_config):
    mentions(world, 1, author=customer(world, "jens", followers=2400))

    item = XConnector(x_config).poll(StreamCursor(stream=X_MENTIONS)).items[0]

    assert (item.author.handle, item.author.name, item.author.follower_count) == ("jens", "Jens", 2400)
    assert item.kind == "mention" and item.public_reply_allowed
    assert item.permalink == f"{x_config.api_base_url}/jens/status/{item.platform_id}"


def test_the_accounts_own_posts_never_come_back_as_work(world, x_config):
    tweet = mentions(world, 1)[0]
    world.tweet_create(author_id=X_ID, text=f"@{X_HANDLE} note to self", reply_to=tweet.id)

    items = XConnector(x_config).poll(StreamCursor(stream=X_MENTIONS)).items

    assert [item.platform_id for item in items] == [tweet.id]


def test_an_edited_post_keeps_its_original_id_with_the_new_text(world, x_config):
    original = mentions(world, 1)[0]
    connector = XConnector(x_config)
    cursor = connector.poll(StreamCursor(stream=X_MENTIONS)).advance.cursor
    world.tweet_edit(tweet_id=original.id, text=f"@{X_HANDLE} help, edited")

    items = connector.poll(StreamCursor(stream=X_MENTIONS, cursor=cursor)).items

    assert [(i.platform_id, i.text, i.edited) for i in items] == [(original.id, f"@{X_HANDLE} help, edited", True)]


def test_a_keyword_hit_without_a_mention_cannot_be_answered_publicly(world, x_config):
    author = customer(world)
    silent = world.tweet_create(author_id=author.id, text="Telvio is down again in Gent")
    loud = world.tweet_create(author_id=author.id, text=f"@{X_HANDLE} telvio is down")
    world.tweet_create(author_id=X_ID, text="Telvio news")

    items = {i.platform_id: i for i in XConnector(x_config).poll(StreamCursor(stream=X_SEARCH)).items}

    assert set(items) == {silent.id, loud.id}
    assert items[silent.id].kind == "keyword" and not items[silent.id].public_reply_allowed
    assert items[loud.id].public_reply_allowed


def test_keyword_search_reads_every_page_since_the_cursor(world, sandbox, x_config):
    author = customer(world)
    connector = XConnector(x_config)
    first = connector.poll(StreamCursor(stream=X_SEARCH))
    hits = [world.tweet_create(author_id=author.id, text=f"Telvio storing {n}") for n in range(230)]

    result = connector.poll(StreamCursor(stream=X_SEARCH, cursor=first.advance.cursor or "1"))

    assert result.pages == 3 and {i.platform_id for i in result.items} == {t.id for t in hits}
    assert result.advance.cursor == hits[-1].id
    assert all("next_token" in r["query"] for r in api_requests(sandbox, "/search/recent")[-2:])


def test_search_asks_for_the_keywords_without_our_own_posts(world, sandbox, x_config):
    XConnector(x_config).poll(StreamCursor(stream=X_SEARCH))

    assert api_requests(sandbox, "/search/recent")[-1]["query"]["query"] == f"(telvio) -from:{X_HANDLE} -is:retweet"


def test_dms_skip_our_own_and_stop_at_the_last_one_seen(world, sandbox, x_config):
    author = customer(world)
    first = world.dm_send(sender_id=author.id, recipient_id=X_ID, text="Hallo, mijn factuur klopt niet")
    world.dm_send(sender_id=X_ID, recipient_id=author.id, text="We kijken het na")
    connector = XConnector(x_config)
    result = connector.poll(StreamCursor(stream=X_DMS))
    later = [world.dm_send(sender_id=author.id, recipient_id=X_ID, text=f"bericht {i}") for i in range(150)]

    again = connector.poll(StreamCursor(stream=X_DMS, cursor=result.advance.cursor))

    assert [(i.platform_id, i.kind, i.thread_id) for i in result.items] == [
        (first.id, "private", first.conversation_id)]
    assert [i.platform_id for i in again.items] == [e.id for e in reversed(later)]
    assert again.pages == 2 and again.advance.cursor == later[-1].id


def test_the_client_never_waits_on_rate_limits(x_config):
    assert XConnector(x_config).client.wait_on_rate_limit is False


# --- errors ---------------------------------------------------------------------------------


def poll_error(connector: XConnector, stream: str = X_MENTIONS) -> ConnectorError:
    with pytest.raises(ConnectorError) as caught:
        connector.poll(StreamCursor(stream=stream))
    return caught.value


def test_a_429_says_when_the_endpoint_may_be_asked_again(sandbox, x_config):
    sandbox.faults.add({"kind": "rate_limit", "path": "/mentions", "reset_in": 120})

    error = poll_error(XConnector(x_config))

    assert error.throttled and error.code == "rate_limited"
    assert dt.timedelta(seconds=100) < error.retry_at - dt.datetime.now(dt.UTC) <= dt.timedelta(seconds=121)


def test_a_usage_cap_429_without_a_reset_backs_off_for_an_hour(sandbox, x_config):
    sandbox.faults.add({"kind": "usage_cap", "path": "/mentions"})

    error = poll_error(XConnector(x_config))

    assert error.throttled and error.code == "usage_capped"
    assert error.retry_at - dt.datetime.now(dt.UTC) > dt.timedelta(minutes=59)


def test_a_revoked_token_is_an_auth_error(sandbox, x_config):
    sandbox.world.revoked.add(x_config.credentials["bearer_token"])

    error = poll_error(XConnector(x_config))

    assert error.auth and not error.transient


@pytest.mark.parametrize("status", [500, 503])
def test_a_server_error_is_transient(sandbox, x_config, status):
    sandbox.faults.add({"kind": "status", "status": status, "path": "/mentions"})

    error = poll_error(XConnector(x_config))

    assert error.transient and error.code == "server_error"


def test_malformed_json_is_transient(sandbox, x_config):
    sandbox.faults.add({"kind": "malformed", "path": "/mentions"})

    error = poll_error(XConnector(x_config))

    assert error.transient and error.code == "malformed"


def test_a_read_timeout_is_transient_and_may_have_been_applied(sandbox, x_config):
    sandbox.faults.add({"kind": "delay", "seconds": 2, "path": "/2/tweets$"})
    connector = XConnector(x_config, session=platform_session(x_config.api_base_url, timeout=(1, 0.3)))

    with pytest.raises(ConnectorError) as caught:
        connector.send(SendRequest(kind=REPLY, target_id="1", text="hi"))

    assert caught.value.transient and caught.value.maybe_sent


def test_a_refused_connection_provably_sent_nothing(x_config):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    config = AccountConfig(**{**{f: getattr(x_config, f) for f in x_config.__slots__}, "api_base_url": closed})

    with pytest.raises(ConnectorError) as caught:
        XConnector(config).send(SendRequest(kind=REPLY, target_id="1", text="hi"))

    assert caught.value.transient and not caught.value.maybe_sent
    assert "127.0.0.1" not in caught.value.message


def test_partial_errors_in_a_200_do_not_lose_the_items(world, sandbox, x_config):
    mentions(world, 3)
    sandbox.faults.add({"kind": "partial_errors", "path": "/mentions"})

    assert len(XConnector(x_config).poll(StreamCursor(stream=X_MENTIONS)).items) == 3


def test_an_unreadable_post_is_skipped_and_counted(world, sandbox, x_config, monkeypatch):
    mentions(world, 2)
    original = sandbox.x.tweet_json
    monkeypatch.setattr(sandbox.x, "tweet_json", lambda t, f: {**original(t, f), "text": None})

    result = XConnector(x_config).poll(StreamCursor(stream=X_MENTIONS))

    assert result.items == [] and result.rejected == 2


# --- sending ----------------------------------------------------------------------------------


def test_a_reply_is_posted_in_reply_to_the_customers_post(world, x_config):
    tweet = mentions(world, 1)[0]

    result = XConnector(x_config).send(SendRequest(kind=REPLY, target_id=tweet.id, text="We kijken mee ^AV"))

    posted = world.tweets[result.platform_id]
    assert (posted.author_id, posted.replied_to, posted.text) == (X_ID, tweet.id, "We kijken mee ^AV")


def test_a_reply_to_a_post_that_does_not_mention_us_is_refused_for_good(world, x_config):
    tweet = world.tweet_create(author_id=customer(world).id, text="Telvio is slecht")

    with pytest.raises(ConnectorError) as caught:
        XConnector(x_config).send(SendRequest(kind=REPLY, target_id=tweet.id, text="Sorry!"))

    assert caught.value.permanent and caught.value.code == "reply_not_allowed"


def test_a_reply_to_a_deleted_post_is_refused_for_good(world, x_config):
    tweet = mentions(world, 1)[0]
    world.tweet_delete(tweet_id=tweet.id)

    with pytest.raises(ConnectorError) as caught:
        XConnector(x_config).send(SendRequest(kind=REPLY, target_id=tweet.id, text="Sorry!"))

    assert caught.value.permanent and caught.value.code == "target_deleted"


def test_duplicate_content_is_reported_as_probably_sent(world, x_config):
    tweet = mentions(world, 1)[0]
    connector = XConnector(x_config)
    request = SendRequest(kind=REPLY, target_id=tweet.id, text="Same words")
    connector.send(request)

    with pytest.raises(ConnectorError) as caught:
        connector.send(request)

    assert caught.value.duplicate and caught.value.code == "duplicate_content"


def test_a_dm_goes_to_the_participant_and_names_the_conversation(world, x_config):
    author = customer(world)

    result = XConnector(x_config).send(
        SendRequest(kind=PRIVATE_MESSAGE, target_id="x", text="Stuur ons je klantnummer", recipient={
            "participant_id": author.id}))

    event = world.dm_events[-1]
    assert (result.platform_id, result.thread_id) == (event.id, f"{X_ID}-{author.id}")
    assert (event.sender_id, event.text) == (X_ID, "Stuur ons je klantnummer")


def test_a_dm_to_someone_with_closed_dms_is_refused_for_good(world, x_config):
    author = customer(world)
    author.dms_open = False

    with pytest.raises(ConnectorError) as caught:
        XConnector(x_config).send(SendRequest(kind=PRIVATE_MESSAGE, target_id=author.id, text="Hallo",
                                              recipient={"participant_id": author.id}))

    assert caught.value.permanent and caught.value.code == "dms_closed"


def test_replies_in_our_own_conversation_can_be_hidden_and_shown_again(world, x_config):
    ours = world.tweet_create(author_id=X_ID, text="Our summer deal")
    reply = world.tweet_create(author_id=customer(world).id, text="@telvio you idiots", reply_to=ours.id)
    connector = XConnector(x_config)

    connector.send(SendRequest(kind=HIDE, target_id=reply.id))
    hidden = world.tweets[reply.id].hidden
    connector.send(SendRequest(kind=UNHIDE, target_id=reply.id))

    assert hidden and not world.tweets[reply.id].hidden


def test_our_reply_is_found_on_the_platform_after_an_unknown_outcome(world, x_config):
    tweet = mentions(world, 1)[0]
    connector = XConnector(x_config)
    started = dt.datetime.now(dt.UTC)
    request = SendRequest(kind=REPLY, target_id=tweet.id, text="Found me", context={
        "conversation_id": tweet.conversation_id})
    sent = connector.send(request)

    assert connector.find_sent(request, since=started).platform_id == sent.platform_id


def test_a_reply_that_never_reached_x_is_not_found(world, x_config):
    tweet = mentions(world, 1)[0]

    found = XConnector(x_config).find_sent(SendRequest(kind=REPLY, target_id=tweet.id, text="Never sent"),
                                           since=dt.datetime.now(dt.UTC))

    assert found is None


def test_a_dm_is_found_after_an_unknown_outcome(world, x_config):
    author = customer(world)
    connector = XConnector(x_config)
    request = SendRequest(kind=PRIVATE_MESSAGE, target_id=author.id, text="Hoi", recipient={
        "participant_id": author.id})
    started = dt.datetime.now(dt.UTC)
    sent = connector.send(request)

    assert connector.find_sent(request, since=started).platform_id == sent.platform_id


def test_verify_says_who_the_token_belongs_to(x_config):
    assert XConnector(x_config).verify().handle == X_HANDLE
