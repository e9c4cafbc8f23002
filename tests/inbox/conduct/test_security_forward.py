"""Forwarding a threat to security: e-mail and an HMAC-signed webhook, after commit, bounded retries."""

import datetime as dt
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from inbox.models import ConductCase, Event, EventAction, ForwardState, SecurityForward
from inbox.services import security
from inbox.services.conduct import conduct_forward, security_forwards_sweep
from inbox.services.security import verify_webhook
from inbox.tasks import FORWARD_MAX_RETRIES, conduct_forward_send

from .conftest import post

pytestmark = pytest.mark.django_db
SECRET = "whsec-test-0123456789"


class Receiver:
    """A local HTTP endpoint standing in for the brand's security system."""

    def __init__(self, statuses=(204,), delay=0.0):
        self.statuses = list(statuses)
        self.delay = delay
        self.requests: list[tuple[dict, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                time.sleep(receiver.delay)
                status = receiver.statuses.pop(0) if len(receiver.statuses) > 1 else receiver.statuses[0]
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/threats"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    created = []

    def make(**kwargs):
        created.append(Receiver(**kwargs))
        return created[-1]

    yield make
    for r in created:
        r.close()


@pytest.fixture
def threat(fb_account, policy, abuse_category):
    policy.close_category = abuse_category
    policy.save()
    post(fb_account, "Ik weet waar jullie technieker woont. Ik maak hem af.", platform_id="c1")
    return ConductCase.objects.get()


def configure(policy, *, email="", url=""):
    policy.security_email = email
    policy.security_webhook_url = url
    policy.set_webhook_secret(SECRET if url else "")
    policy.save()


def test_the_forward_is_posted_signed_and_mailed_once(threat, policy, lead, receiver, mailoutbox):
    hook = receiver()
    configure(policy, email="security@telvio.example", url=hook.url)
    forward = conduct_forward(user=lead, case_id=threat.pk)

    assert conduct_forward_send.apply(args=[forward.pk]).get() == "sent"

    headers, body = hook.requests[0]
    assert verify_webhook(secret=SECRET, timestamp=headers["X-Webcare-Timestamp"], body=body,
                          signature=headers["X-Webcare-Signature"])
    payload = json.loads(body)
    assert payload["id"] == f"webcare-forward-{forward.pk}" == headers["X-Webcare-Delivery"]
    assert payload["classes"] == ["threat"] and "Ik maak hem af" in payload["messages"][0]["text"]
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["security@telvio.example"]
    assert "Ik maak hem af" in mailoutbox[0].body
    forward.refresh_from_db()
    assert forward.state == ForwardState.SENT and forward.email_sent_at and forward.webhook_sent_at
    assert Event.objects.get(action=EventAction.FORWARD_SENT).data["forward"] == forward.pk


def test_running_the_task_twice_sends_once(threat, policy, lead, receiver, mailoutbox):
    hook = receiver()
    configure(policy, email="security@telvio.example", url=hook.url)
    forward = conduct_forward(user=lead, case_id=threat.pk)

    conduct_forward_send.apply(args=[forward.pk])
    second = conduct_forward_send.apply(args=[forward.pk]).get()

    assert second == "done"
    assert len(hook.requests) == 1 and len(mailoutbox) == 1


def test_a_signature_over_another_body_or_an_old_timestamp_does_not_verify(threat, policy, lead, receiver):
    hook = receiver()
    configure(policy, url=hook.url)
    conduct_forward_send.apply(args=[conduct_forward(user=lead, case_id=threat.pk).pk])
    headers, body = hook.requests[0]

    assert not verify_webhook(secret=SECRET, timestamp=headers["X-Webcare-Timestamp"], body=body + b" ",
                              signature=headers["X-Webcare-Signature"])
    assert not verify_webhook(secret="other", timestamp=headers["X-Webcare-Timestamp"], body=body,
                              signature=headers["X-Webcare-Signature"])
    old = str(int(time.time()) - 3600)
    assert not verify_webhook(secret=SECRET, timestamp=old, body=body,
                              signature=security.sign_webhook(secret=SECRET, timestamp=int(old), body=body))


def test_a_failing_receiver_is_retried_a_bounded_number_of_times_then_marked_failed(threat, policy, lead, receiver):
    hook = receiver(statuses=(500,))
    configure(policy, url=hook.url)
    forward = conduct_forward(user=lead, case_id=threat.pk)

    assert conduct_forward_send.apply(args=[forward.pk]).get() == "failed"

    assert len(hook.requests) == FORWARD_MAX_RETRIES + 1
    forward.refresh_from_db()
    assert (forward.state, forward.attempts) == ("failed", FORWARD_MAX_RETRIES + 1)
    assert forward.last_error == "webhook: HTTP 500"
    assert Event.objects.get(action=EventAction.FORWARD_FAILED).reason == "failed"


def test_a_retry_sends_only_what_is_missing(threat, policy, lead, receiver, mailoutbox):
    hook = receiver(statuses=(503, 204))
    configure(policy, email="security@telvio.example", url=hook.url)
    forward = conduct_forward(user=lead, case_id=threat.pk)

    assert conduct_forward_send.apply(args=[forward.pk]).get() == "sent"

    assert len(hook.requests) == 2 and len(mailoutbox) == 1


def test_a_receiver_that_hangs_times_out(threat, policy, lead, receiver, monkeypatch):
    hook = receiver(delay=2.0)
    configure(policy, url=hook.url)
    monkeypatch.setattr(security, "WEBHOOK_TIMEOUT", (1.0, 0.3))
    forward = conduct_forward(user=lead, case_id=threat.pk)

    started = time.monotonic()
    with pytest.raises(security.ForwardError, match="ReadTimeout"):
        security.security_forward_send(forward_id=forward.pk)

    assert time.monotonic() - started < 1.5


def test_an_unreachable_mail_server_is_a_retryable_failure(threat, policy, lead, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1  # nothing listens there
    configure(policy, email="security@telvio.example")
    forward = conduct_forward(user=lead, case_id=threat.pk)

    with pytest.raises(security.ForwardError, match="e-mail: ConnectionRefusedError"):
        security.security_forward_send(forward_id=forward.pk)


def test_a_forward_that_failed_can_be_forwarded_again(threat, policy, lead, receiver):
    hook = receiver(statuses=(500,))
    configure(policy, url=hook.url)
    conduct_forward_send.apply(args=[conduct_forward(user=lead, case_id=threat.pk).pk])
    hook.statuses = [204]

    again = conduct_forward(user=lead, case_id=threat.pk)
    conduct_forward_send.apply(args=[again.pk])

    assert list(SecurityForward.objects.order_by("pk").values_list("state", flat=True)) == ["failed", "sent"]


def test_the_sweeper_re_enqueues_a_forward_whose_wake_up_call_was_lost(threat, policy, lead, monkeypatch):
    configure(policy, email="security@telvio.example")
    forward = conduct_forward(user=lead, case_id=threat.pk)
    SecurityForward.objects.filter(pk=forward.pk).update(updated_at=timezone.now() - dt.timedelta(minutes=10))
    sent = []
    from webcare.celery import app

    monkeypatch.setattr(app, "send_task", lambda name, args: sent.append((name, args)))

    assert security_forwards_sweep() == 1
    assert sent == [("inbox.conduct_forward_send", [forward.pk])]


def test_the_forward_e_mail_is_in_the_brands_language(threat, policy, lead, mailoutbox):
    configure(policy, email="security@telvio.example")
    threat.brand.default_language = "nl"
    threat.brand.save()
    forward = conduct_forward(user=lead, case_id=threat.pk)

    conduct_forward_send.apply(args=[forward.pk]).get()

    assert mailoutbox[0].subject.startswith("[Webcare] Bedreiging doorgestuurd")
    assert "A team lead forwarded" not in mailoutbox[0].body
