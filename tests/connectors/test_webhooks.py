"""Facebook webhooks: the handshake, the signature over the raw body, storing, processing, ordering."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import pytest
from django.test import Client
from django.urls import reverse

from connectors import tasks
from connectors.models import Tombstone, WebhookEvent
from inbox.models import Mention, Message, Stream
from tests.connectors.conftest import PAGE_ID

pytestmark = pytest.mark.django_db
SECRET = "test-app-secret"
URL = "/webhooks/meta"


@pytest.fixture(autouse=True)
def meta_settings(settings):
    settings.META_APP_SECRET = SECRET
    settings.META_VERIFY_TOKEN = "verify-me"


def signed(body: bytes, secret: str = SECRET) -> dict[str, str]:
    return {"HTTP_X_HUB_SIGNATURE_256": "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()}


def post(client: Client, body: bytes, **headers: str):  # type: ignore[no-untyped-def]
    return client.post(URL, data=body, content_type="application/json", **headers)


def a_comment(world, text: str = "Geen internet in Liège, c'est inadmissible é ü 😡"):  # type: ignore[no-untyped-def]
    post_ = world.post_create(page_id=PAGE_ID, message="Zomerpromo")
    return world.comment_create(target_id=post_.id, message=text, from_id=world.fb_person(name="Camille").id)


def payload(sandbox, comment, verb: str = "add") -> bytes:  # type: ignore[no-untyped-def]
    return json.dumps(sandbox.webhooks.payload_for("fb_comment", {"comment": comment.id, "verb": verb})).encode()


def receive(client: Client, body: bytes) -> WebhookEvent:
    assert post(client, body, **signed(body)).status_code == 200
    return WebhookEvent.objects.get(digest=hashlib.sha256(body).hexdigest())


# --- the endpoint -------------------------------------------------------------------------------


def test_the_subscription_handshake_echoes_the_challenge(client):
    query = {"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "1158201444"}

    response = client.get(URL, query)

    assert response.status_code == 200 and response.content == b"1158201444"
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize("query", [
    {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
    {"hub.mode": "unsubscribe", "hub.verify_token": "verify-me", "hub.challenge": "1"},
    {"hub.challenge": "1"},
])
def test_a_handshake_with_the_wrong_token_or_mode_is_refused(client, query):
    assert client.get(URL, query).status_code == 403


def test_a_signed_delivery_is_stored_and_processed_after_commit(world, sandbox, fb_account, enqueued,
                                                                django_capture_on_commit_callbacks):
    body = payload(sandbox, a_comment(world))

    with django_capture_on_commit_callbacks(execute=True):
        response = post(Client(enforce_csrf_checks=True), body, **signed(body))

    event = WebhookEvent.objects.get()
    assert response.status_code == 200 and event.body.encode() == body
    assert enqueued == [(tasks.WEBHOOK_TASK, [event.pk], None)]


@pytest.mark.parametrize("headers", [
    {},
    {"HTTP_X_HUB_SIGNATURE_256": "sha256=" + "0" * 64},
    {"HTTP_X_HUB_SIGNATURE_256": "sha1=abc"},
    {"HTTP_X_HUB_SIGNATURE": "sha1=abc"},
    "other-secret",
    "other-body",
    "re-serialised",
])
def test_anything_but_a_valid_signature_over_the_exact_body_is_refused_and_never_stored(
    world, sandbox, fb_account, client, enqueued, django_capture_on_commit_callbacks, headers,
):
    body = payload(sandbox, a_comment(world))
    if headers == "other-secret":
        headers = signed(body, "other-secret")
    elif headers == "other-body":
        headers = signed(body + b" ")
    elif headers == "re-serialised":
        headers = signed(json.dumps(json.loads(body), ensure_ascii=False).encode())

    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, body, **headers)

    assert response.status_code == 403
    assert not WebhookEvent.objects.exists() and enqueued == []


def test_webhooks_are_refused_when_no_app_secret_is_configured(settings, client):
    settings.META_APP_SECRET = ""
    body = b"{}"

    assert post(client, body, **signed(body, "")).status_code == 403


def test_an_oversized_body_is_refused_before_it_is_read(client):
    body = b"{" + b" " * (1024 * 1024 + 1) + b"}"

    assert post(client, body, **signed(body)).status_code == 413


def test_the_same_body_delivered_ten_times_is_stored_once(world, sandbox, fb_account, client, enqueued,
                                                          django_capture_on_commit_callbacks):
    body = payload(sandbox, a_comment(world))

    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(10):
            receive(client, body)

    assert WebhookEvent.objects.get().deliveries == 10 and len(enqueued) == 1


# --- processing -----------------------------------------------------------------------------------


def test_a_comment_webhook_becomes_a_mention_with_its_post_as_context(world, sandbox, fb_account, client):
    comment = a_comment(world)
    event = receive(client, payload(sandbox, comment))

    assert tasks.webhook_process(event.pk) == "processed"
    assert tasks.webhook_process(event.pk) == "done"

    mention = Mention.objects.get()
    assert mention.messages.get().text == comment.message
    assert (mention.context_post.platform_id, mention.context_post.text) == (comment.post_id, "Zomerpromo")


def test_the_same_comment_ten_times_by_webhook_and_by_poll_is_one_row(world, sandbox, fb_account, client):
    comment = a_comment(world)
    for number in range(10):
        body = json.loads(payload(sandbox, comment))
        body["entry"][0]["time"] += number  # Meta's retries differ in their envelope
        tasks.webhook_process(receive(client, json.dumps(body).encode()).pk)
        tasks.poll(fb_account.pk, Stream.FB_COMMENTS)

    assert Message.objects.filter(platform_id=comment.id).count() == 1
    assert Mention.objects.count() == 1


def test_a_delete_that_arrives_before_the_create_wins(world, sandbox, fb_account, client):
    comment = a_comment(world)
    create = payload(sandbox, comment, "add")
    world.comment_delete(comment_id=comment.id)
    delete = payload(sandbox, comment, "remove")

    tasks.webhook_process(receive(client, delete).pk)
    tasks.webhook_process(receive(client, create).pk)

    assert not Mention.objects.exists()
    assert Tombstone.objects.filter(platform_id=comment.id).exists()


def test_a_delete_after_the_create_marks_the_message_deleted(world, sandbox, fb_account, client):
    comment = a_comment(world)
    tasks.webhook_process(receive(client, payload(sandbox, comment)).pk)
    world.comment_delete(comment_id=comment.id)

    tasks.webhook_process(receive(client, payload(sandbox, comment, "remove")).pk)

    assert Message.objects.get().deleted_on_platform


def test_an_edit_that_arrives_before_the_create_keeps_the_edited_text(world, sandbox, fb_account, client):
    comment = a_comment(world, "Eerste versie")
    create = payload(sandbox, comment)
    time.sleep(1.1)  # webhook times are whole seconds
    world.comment_edit(comment_id=comment.id, message="Tweede versie")
    edit = payload(sandbox, comment, "edited")

    tasks.webhook_process(receive(client, edit).pk)
    tasks.webhook_process(receive(client, create).pk)

    message = Message.objects.get()
    assert (message.text, message.edited) == ("Tweede versie", True)


def test_a_late_create_after_an_edit_does_not_bring_back_the_old_text(world, sandbox, fb_account, client):
    comment = a_comment(world, "Eerste versie")
    create = payload(sandbox, comment)
    time.sleep(1.1)
    world.comment_edit(comment_id=comment.id, message="Tweede versie")
    tasks.webhook_process(receive(client, create).pk)
    tasks.webhook_process(receive(client, payload(sandbox, comment, "edited")).pk)

    tasks.webhook_process(receive(client, create + b" ").pk)  # a retry of the old create

    assert Message.objects.get().text == "Tweede versie"


def test_a_messenger_webhook_joins_the_thread_the_poll_knows(world, sandbox, fb_account, client):
    who = world.fb_person(name="Jens")
    world.customer_message(page_id=PAGE_ID, psid=who.psid, text="Hallo")
    tasks.poll(fb_account.pk, Stream.FB_CONVERSATIONS)
    later = world.customer_message(page_id=PAGE_ID, psid=who.psid, text="Nog iets")
    body = json.dumps(sandbox.webhooks.payload_for("fb_message", {"message": later.id})).encode()

    tasks.webhook_process(receive(client, body).pk)

    mention = Mention.objects.get()
    assert list(mention.messages.order_by("posted_at").values_list("text", flat=True)) == ["Hallo", "Nog iets"]


def test_a_webhook_for_an_unknown_page_is_processed_without_effect(client):
    body = json.dumps({"object": "page", "entry": [{"id": "999", "time": 1, "changes": []}]}).encode()

    assert tasks.webhook_process(receive(client, body).pk) == "processed"
    assert not Mention.objects.exists()


def test_a_webhook_that_cannot_be_completed_is_left_for_the_sweeper(world, sandbox, fb_account, client, enqueued):
    comment = a_comment(world)
    event = receive(client, payload(sandbox, comment))
    sandbox.faults.add({"kind": "status", "status": 500, "path": comment.post_id})

    assert tasks.webhook_process(event.pk) == "server_error"
    WebhookEvent.objects.filter(pk=event.pk).update(received_at=event.received_at.replace(year=2020))
    tasks.deliveries_sweep()

    assert WebhookEvent.objects.get(pk=event.pk).processed_at is None
    assert (tasks.WEBHOOK_TASK, [event.pk], None) in enqueued


@pytest.mark.django_db(transaction=True)
def test_the_sandbox_pushes_signed_webhooks_that_reach_the_inbox(world, sandbox, fb_account, live_server, enqueued):
    sandbox.webhooks.configure({"url": live_server.url + URL, "app_secret": SECRET})
    comment = a_comment(world, "Via de webhook")  # the Page's post, then the comment: two webhooks
    deadline = time.monotonic() + 10
    while WebhookEvent.objects.count() < 2 and time.monotonic() < deadline:
        time.sleep(0.05)

    for event in WebhookEvent.objects.all():
        tasks.webhook_process(event.pk)

    assert [entry["status"] for entry in sandbox.webhooks.log_entries()] == [200, 200]
    assert Message.objects.get().platform_id == comment.id
    assert reverse("connectors:meta_webhook") == URL


@pytest.mark.django_db(transaction=True)
def test_the_sandbox_can_deliver_every_webhook_several_times_and_out_of_order(world, sandbox, fb_account, live_server,
                                                                              enqueued):
    sandbox.webhooks.configure({"url": live_server.url + URL, "app_secret": SECRET, "duplicates": 3,
                                "shuffle": True, "hold_seconds": 0.3})
    post_ = world.post_create(page_id=PAGE_ID, message="Zomerpromo")
    comments = [world.comment_create(target_id=post_.id, message=f"Reactie {n}", from_id=world.fb_person().id)
                for n in range(4)]
    assert_eventually = time.monotonic() + 15
    while sum(e.deliveries for e in WebhookEvent.objects.all()) < 15 and time.monotonic() < assert_eventually:
        time.sleep(0.05)

    for event in WebhookEvent.objects.all():
        tasks.webhook_process(event.pk)

    assert {e.deliveries for e in WebhookEvent.objects.all()} == {3}
    assert sorted(Message.objects.values_list("platform_id", flat=True)) == sorted(c.id for c in comments)
