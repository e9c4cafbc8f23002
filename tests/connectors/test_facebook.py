"""The Facebook adapter over real HTTP against the sandbox, through facebook-sdk."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from connectors.base import (
    FB_COMMENTS,
    FB_CONVERSATIONS,
    FB_FEED,
    HIDE,
    PRIVATE_MESSAGE,
    REPLY,
    UNHIDE,
    ConnectorError,
    SendRequest,
    StreamCursor,
)
from connectors.facebook import FacebookConnector
from tests.connectors.conftest import FB_CREDENTIALS, PAGE_ID, api_requests

NOW = dt.datetime.now(dt.UTC)


def person(world, name: str = "Sofie Peeters"):  # type: ignore[no-untyped-def]
    return world.fb_person(name=name)


def comment(world, post, text: str = "Al twee dagen geen internet", *, who=None, parent=None, **fields):  # type: ignore[no-untyped-def]
    who = who or person(world)
    return world.comment_create(target_id=parent.id if parent else post.id, message=text, from_id=who.id, **fields)


def test_every_call_uses_the_current_graph_version_and_the_appsecret_proof(world, sandbox, fb_config):
    FacebookConnector(fb_config).poll(StreamCursor(stream=FB_FEED))

    request = api_requests(sandbox)[-1]
    assert request["path"].startswith("/v25.0/")
    assert request["query"]["appsecret_proof"] and request["query"]["access_token"] == FB_CREDENTIALS[
        "page_access_token"]


def test_visitor_posts_are_work_and_the_pages_own_posts_are_not(world, fb_config):
    world.post_create(page_id=PAGE_ID, message="Summer deal")
    visitor = world.post_create(page_id=PAGE_ID, message="Waarom is mijn factuur hoger?", from_id=person(world).id)

    result = FacebookConnector(fb_config).poll(StreamCursor(stream=FB_FEED))

    assert [(i.platform_id, i.kind, i.text) for i in result.items] == [
        (visitor.id, "page_post", "Waarom is mijn factuur hoger?")]
    assert result.advance.watermark is not None


def test_the_feed_is_read_across_pages(world, fb_config):
    for number in range(130):
        world.post_create(page_id=PAGE_ID, message=f"post {number}", from_id=person(world).id)

    result = FacebookConnector(fb_config).poll(StreamCursor(stream=FB_FEED))

    assert result.pages == 2 and len({i.platform_id for i in result.items}) == 130


def test_comments_and_replies_are_read_with_their_thread_and_context(world, fb_config):
    post = world.post_create(page_id=PAGE_ID, message="Summer deal", created_time=NOW - dt.timedelta(days=1))
    first = comment(world, post)
    ours = world.comment_create(target_id=first.id, message="Stuur ons een bericht", from_id=PAGE_ID)
    follow_up = comment(world, post, "Gedaan!", who=world.people[first.from_id], parent=first)

    items = {i.platform_id: i for i in FacebookConnector(fb_config).poll(StreamCursor(stream=FB_COMMENTS)).items}

    assert ours.id not in items
    assert (items[first.id].kind, items[first.id].parent_platform_id, items[first.id].thread_id) == (
        "comment", post.id, first.id)
    assert (items[follow_up.id].kind, items[follow_up.id].parent_platform_id, items[follow_up.id].thread_id) == (
        "reply", first.id, first.id)
    assert items[first.id].context_post.text == "Summer deal" and items[first.id].context_post.is_own


def test_all_pages_of_comments_are_read(world, fb_config):
    post = world.post_create(page_id=PAGE_ID, message="Summer deal")
    for number in range(250):
        comment(world, post, f"comment {number}")

    result = FacebookConnector(fb_config).poll(StreamCursor(stream=FB_COMMENTS))

    assert len({i.platform_id for i in result.items}) == 250


def test_a_new_comment_under_an_old_marketing_post_is_found(world, fb_config):
    old = world.post_create(page_id=PAGE_ID, message="Old deal", created_time=NOW - dt.timedelta(days=45))
    comment(world, old, "old comment", created_time=NOW - dt.timedelta(days=44))
    connector = FacebookConnector(fb_config)
    first = connector.poll(StreamCursor(stream=FB_COMMENTS))
    late = comment(world, old, "Is deze actie nog geldig?")

    second = connector.poll(StreamCursor(stream=FB_COMMENTS, watermark=first.advance.watermark,
                                         state=first.advance.state))

    assert first.items == []  # 44 days old: remembered, not back-filled
    assert [i.platform_id for i in second.items] == [late.id]


def test_posts_without_new_activity_are_not_read_again(world, sandbox, fb_config):
    quiet = world.post_create(page_id=PAGE_ID, message="Quiet")
    busy = world.post_create(page_id=PAGE_ID, message="Busy")
    comment(world, quiet)
    connector = FacebookConnector(fb_config)
    first = connector.poll(StreamCursor(stream=FB_COMMENTS))
    comment(world, busy, "new")
    sandbox.log.clear()

    connector.poll(StreamCursor(stream=FB_COMMENTS, watermark=first.advance.watermark, state=first.advance.state))

    assert [r["path"] for r in api_requests(sandbox, "/comments")] == [f"/v25.0/{busy.id}/comments"]


def test_messenger_conversations_are_walked_down_to_the_watermark(world, sandbox, fb_config):
    customers = [person(world, f"Klant {n}") for n in range(30)]
    for minutes, who in enumerate(customers, start=10):
        message = world.customer_message(page_id=PAGE_ID, psid=who.psid, text=f"Hallo van {who.name}")
        message.created_time = world.conversations[message.conversation_id].updated_time = (
            NOW - dt.timedelta(minutes=minutes))
    connector = FacebookConnector(fb_config)
    first = connector.poll(StreamCursor(stream=FB_CONVERSATIONS))
    world.page_message(page_id=PAGE_ID, recipient={"id": customers[0].psid}, text="Hoe kunnen we helpen?",
                       messaging_type="RESPONSE")
    answer = world.customer_message(page_id=PAGE_ID, psid=customers[0].psid, text="Mijn klantnummer is 123")
    sandbox.log.clear()

    second = connector.poll(StreamCursor(stream=FB_CONVERSATIONS, watermark=first.advance.watermark))

    assert len(first.items) == 30 and first.pages > 2
    assert {(i.platform_id, i.kind, i.author.platform_id) for i in second.items} >= {
        (answer.id, "private", customers[0].psid)}
    assert all(i.author.platform_id != PAGE_ID for i in second.items)
    # Only conversations updated since the watermark (less a 5-minute overlap) are read again.
    assert len(api_requests(sandbox, "/messages")) == 6


# --- errors ---------------------------------------------------------------------------------


def poll_error(connector: FacebookConnector, stream: str = FB_FEED) -> ConnectorError:
    with pytest.raises(ConnectorError) as caught:
        connector.poll(StreamCursor(stream=stream))
    return caught.value


def test_a_revoked_page_token_is_an_auth_error(sandbox, fb_config):
    sandbox.world.revoked.add(FB_CREDENTIALS["page_access_token"])

    error = poll_error(FacebookConnector(fb_config))

    assert error.auth and error.platform_code == "190/460"


@pytest.mark.parametrize("code", [4, 17, 32, 613, 80001])
def test_throttling_codes_say_when_access_comes_back(sandbox, fb_config, code):
    sandbox.faults.add({"kind": "rate_limit", "code": code, "regain_minutes": 7, "path": "/feed"})

    error = poll_error(FacebookConnector(fb_config))

    assert error.throttled and error.scope == "account"
    assert dt.timedelta(minutes=6) < error.retry_at - dt.datetime.now(dt.UTC) <= dt.timedelta(minutes=7)


@pytest.mark.parametrize(
    ("code", "subcode", "expected", "permanent"),
    [
        (100, 33, "target_deleted", True),
        (200, 0, "permission", True),
        (10, 0, "permission", True),
        (368, 0, "policy_blocked", True),
        (1, 0, "server_error", False),
    ],
)
def test_graph_error_codes_are_mapped(sandbox, fb_config, code, subcode, expected, permanent):
    sandbox.faults.add({"kind": "graph_error", "code": code, "subcode": subcode, "path": "/feed"})

    error = poll_error(FacebookConnector(fb_config))

    assert (error.code, error.permanent) == (expected, permanent)


def test_an_html_502_is_transient(sandbox, fb_config):
    sandbox.faults.add({"kind": "html", "status": 502, "path": "/feed"})

    error = poll_error(FacebookConnector(fb_config))

    assert error.transient and error.maybe_sent


def test_malformed_json_is_transient(sandbox, fb_config):
    sandbox.faults.add({"kind": "malformed", "path": "/feed"})

    assert poll_error(FacebookConnector(fb_config)).code == "malformed"


# --- sending ----------------------------------------------------------------------------------


def test_a_reply_to_a_reply_goes_under_the_top_level_comment(world, fb_config):
    post = world.post_create(page_id=PAGE_ID, message="Deal")
    top = comment(world, post)
    reply = comment(world, post, "Nog steeds niks", who=world.people[top.from_id], parent=top)

    result = FacebookConnector(fb_config).send(
        SendRequest(kind=REPLY, target_id=reply.id, text="We zijn ermee bezig", context={"reply_root": top.id}))

    ours = world.comments[result.platform_id]
    assert (ours.parent_id, ours.from_id, ours.message) == (top.id, PAGE_ID, "We zijn ermee bezig")


def test_a_reply_to_a_deleted_comment_is_refused_for_good(world, fb_config):
    post = world.post_create(page_id=PAGE_ID, message="Deal")
    gone = comment(world, post)
    world.comment_delete(comment_id=gone.id)

    with pytest.raises(ConnectorError) as caught:
        FacebookConnector(fb_config).send(SendRequest(kind=REPLY, target_id=gone.id, text="Sorry"))

    assert caught.value.permanent and caught.value.code == "target_deleted"


def test_a_private_reply_goes_to_the_commenter_once(world, fb_config):
    post = world.post_create(page_id=PAGE_ID, message="Deal")
    top = comment(world, post, "Bel me op 0470 12 34 56")
    connector = FacebookConnector(fb_config)
    request = SendRequest(kind=PRIVATE_MESSAGE, target_id=top.id, text="We sturen je een bericht",
                          recipient={"comment_id": top.id}, messaging={"messaging_type": "RESPONSE"})

    result = connector.send(request)
    with pytest.raises(ConnectorError) as caught:
        connector.send(request)

    psid = world.people[top.from_id].psid
    assert result.thread_id == f"user:{psid}"
    assert world.messages[result.platform_id].to_id == psid
    assert caught.value.permanent and caught.value.code == "private_reply_used"


def test_a_private_reply_after_seven_days_is_refused_for_good(world, fb_config):
    post = world.post_create(page_id=PAGE_ID, message="Deal")
    old = comment(world, post, created_time=NOW - dt.timedelta(days=8))

    with pytest.raises(ConnectorError) as caught:
        FacebookConnector(fb_config).send(SendRequest(kind=PRIVATE_MESSAGE, target_id=old.id, text="Hoi",
                                                      recipient={"comment_id": old.id}))

    assert caught.value.code == "private_reply_window"


def _conversation(world, hours_ago: float):  # type: ignore[no-untyped-def]
    who = person(world)
    message = world.customer_message(page_id=PAGE_ID, psid=who.psid, text="Hallo")
    conversation = world.conversations[message.conversation_id]
    conversation.last_user_message_at = message.created_time = NOW - dt.timedelta(hours=hours_ago)
    return who


@pytest.mark.parametrize(
    ("hours_ago", "messaging", "outcome"),
    [
        (2, {"messaging_type": "RESPONSE"}, "sent"),
        (30, {"messaging_type": "RESPONSE"}, "window_closed"),
        (30, {"messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT"}, "sent"),
        (24 * 8, {"messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT"}, "window_closed"),
    ],
)
def test_messenger_answers_respect_the_24_hour_and_human_agent_windows(world, fb_config, hours_ago, messaging,
                                                                       outcome):
    who = _conversation(world, hours_ago)
    request = SendRequest(kind=PRIVATE_MESSAGE, target_id=who.psid, text="Hier zijn we",
                          recipient={"id": who.psid}, messaging=messaging)

    try:
        FacebookConnector(fb_config).send(request)
        result = "sent"
    except ConnectorError as error:
        result = error.code

    assert result == outcome


def test_comments_can_be_hidden_and_shown_again(world, fb_config):
    post = world.post_create(page_id=PAGE_ID, message="Deal")
    rude = comment(world, post, "Stelletje idioten")
    connector = FacebookConnector(fb_config)

    connector.send(SendRequest(kind=HIDE, target_id=rude.id))
    hidden = world.comments[rude.id].hidden
    connector.send(SendRequest(kind=UNHIDE, target_id=rude.id))

    assert hidden and not world.comments[rude.id].hidden


def test_duplicate_status_is_reported_as_probably_sent(world, fb_config):
    post = world.post_create(page_id=PAGE_ID, message="Deal")
    top = comment(world, post)
    connector = FacebookConnector(fb_config)
    connector.send(SendRequest(kind=REPLY, target_id=top.id, text="Same"))

    with pytest.raises(ConnectorError) as caught:
        connector.send(SendRequest(kind=REPLY, target_id=top.id, text="Same"))

    assert caught.value.duplicate


def test_our_reply_is_found_under_its_parent(world, fb_config):
    post = world.post_create(page_id=PAGE_ID, message="Deal")
    top = comment(world, post)
    connector = FacebookConnector(fb_config)
    request = SendRequest(kind=REPLY, target_id=top.id, text="Gevonden")
    started = dt.datetime.now(dt.UTC)
    sent = connector.send(request)

    assert connector.find_sent(request, since=started).platform_id == sent.platform_id
    assert connector.find_sent(SendRequest(kind=REPLY, target_id=top.id, text="Nooit"), since=started) is None


def test_a_private_reply_not_yet_sent_is_provably_absent_and_one_sent_needs_a_person(world, fb_config):
    post = world.post_create(page_id=PAGE_ID, message="Deal")
    top = comment(world, post)
    connector = FacebookConnector(fb_config)
    request = SendRequest(kind=PRIVATE_MESSAGE, target_id=top.id, text="Hoi", recipient={"comment_id": top.id})
    started = dt.datetime.now(dt.UTC)

    before = connector.find_sent(request, since=started)
    connector.send(request)
    with pytest.raises(ConnectorError) as caught:
        connector.find_sent(request, since=started)

    assert before is None and caught.value.code == "cannot_verify"


def test_a_messenger_answer_is_found_in_the_conversation(world, fb_config):
    who = _conversation(world, 1)
    connector = FacebookConnector(fb_config)
    request = SendRequest(kind=PRIVATE_MESSAGE, target_id=who.psid, text="Gevonden", recipient={"id": who.psid},
                          messaging={"messaging_type": "RESPONSE"})
    started = dt.datetime.now(dt.UTC)
    sent = connector.send(request)

    found = connector.find_sent(request, since=started)

    assert (found.platform_id, found.thread_id) == (sent.platform_id, f"user:{who.psid}")


def test_importing_facebook_sdk_does_not_fail_when_warnings_are_errors(tmp_path):
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPYCACHEPREFIX": str(tmp_path)}  # compile everything afresh

    result = subprocess.run([sys.executable, "-W", "error::SyntaxWarning", "-W", "error::DeprecationWarning", "-c",
                             "import connectors.facebook"], cwd=root, env=env, capture_output=True, text=True,
                            timeout=120)

    assert result.returncode == 0, result.stderr


def test_a_post_deleted_between_the_scan_and_the_read_does_not_fail_the_poll(world, sandbox, fb_config):
    gone = world.post_create(page_id=PAGE_ID, message="Gone soon")
    kept = world.post_create(page_id=PAGE_ID, message="Kept")
    comment(world, gone)
    survivor = comment(world, kept)
    sandbox.faults.add({"kind": "graph_error", "code": 100, "subcode": 33, "path": f"{gone.id}/comments"})

    result = FacebookConnector(fb_config).poll(StreamCursor(stream=FB_COMMENTS))

    assert [i.platform_id for i in result.items] == [survivor.id]
    assert gone.id not in result.advance.state["posts"]
