"""Handing a threat to the brand's security contact: an e-mail and a signed webhook.

Runs in a task (``inbox.tasks.conduct_forward_send``) after the lead's decision
committed. Each channel is recorded once it went out, so a retry sends only what
is missing. An e-mail the SMTP server accepted just before the worker died may be
sent twice; the webhook carries a stable id (``X-Webcare-Delivery``) so the
receiver can drop a repeat.

The webhook body is JSON, signed with HMAC-SHA256 over ``"<timestamp>.<body>"``
with the brand's webhook secret: ``X-Webcare-Signature: sha256=<hex>`` and
``X-Webcare-Timestamp: <unix seconds>`` (receivers should refuse old timestamps).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import time
from typing import Any

import requests
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils import translation
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from inbox.models import (
    ConductPolicy,
    Direction,
    Event,
    EventAction,
    ForwardState,
    Message,
    SecurityForward,
)

#: (connect, read) seconds: a slow receiver must not hold a worker.
WEBHOOK_TIMEOUT = (5.0, 10.0)
EMAIL_TIMEOUT = 10.0
MAX_MESSAGES = 20


class ForwardError(Exception):
    """Sending failed in a way that may pass: the task retries, then gives up."""


def sign_webhook(*, secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify_webhook(*, secret: str, timestamp: str, body: bytes, signature: str, max_age: int = 300) -> bool:
    """What a receiver does: constant-time compare, and refuse a stale timestamp (a replay)."""
    try:
        stamp = int(timestamp)
    except ValueError:
        return False
    if abs(time.time() - stamp) > max_age:
        return False
    return hmac.compare_digest(sign_webhook(secret=secret, timestamp=stamp, body=body), signature)


def forward_payload(forward: SecurityForward) -> dict[str, Any]:
    case = forward.case
    mention = case.mention
    contact = case.contact
    messages = (
        Message.objects.filter(mention_id=mention.pk, direction=Direction.INBOUND)
        .order_by("posted_at", "id")
        .values("text", "posted_at", "permalink", "is_abusive")[:MAX_MESSAGES]
    )
    return {
        "id": f"webcare-forward-{forward.pk}",
        "type": "threat_forwarded",
        "created_at": forward.created_at.isoformat(),
        "brand": {"id": case.brand_id, "name": case.brand.name},
        "platform": mention.account.platform,
        "account": mention.account.handle,
        "mention_id": mention.pk,
        "classes": case.classes,
        "contact": {
            "platform_id": contact.external_id if contact else None,
            "handle": contact.handle if contact else None,
            "name": contact.name if contact else None,
        },
        "messages": [
            {"text": m["text"], "posted_at": m["posted_at"].isoformat(), "permalink": m["permalink"],
             "abusive": m["is_abusive"]}
            for m in messages
        ],
        "forwarded_by": forward.requested_by.get_username(),
    }


def _email_body(payload: dict[str, Any]) -> str:
    lines = [
        _("A team lead forwarded a threat received by %(brand)s on %(platform)s (@%(account)s).")
        % {"brand": payload["brand"]["name"], "platform": payload["platform"], "account": payload["account"]},
        "",
        _("From: %(name)s (%(handle)s, platform id %(id)s)")
        % {"name": payload["contact"]["name"] or "-", "handle": payload["contact"]["handle"] or "-",
           "id": payload["contact"]["platform_id"] or "-"},
        _("Webcare mention: #%(id)s. Forwarded by: %(user)s.")
        % {"id": payload["mention_id"], "user": payload["forwarded_by"]},
        "",
    ]
    for message in payload["messages"]:
        lines += [f"[{message['posted_at']}] {message['permalink']}", message["text"], ""]
    return "\n".join(lines)


def security_forward_send(*, forward_id: int) -> str:
    """Send what has not been sent yet. Returns "sent" or "done" (nothing left); raises ForwardError."""
    forward = (
        SecurityForward.objects.select_related("case__brand", "case__contact", "case__mention__account", "requested_by")
        .filter(pk=forward_id)
        .first()
    )
    if forward is None or forward.state != ForwardState.PENDING:
        return "done"
    SecurityForward.objects.filter(pk=forward.pk).update(attempts=F("attempts") + 1, updated_at=timezone.now())
    policy = ConductPolicy.objects.filter(brand_id=forward.case.brand_id).first()
    if policy is None or not (policy.security_email or policy.security_webhook_url):
        _finish(forward, ForwardState.FAILED, "no security contact configured")
        return "done"
    payload = forward_payload(forward)
    try:
        if policy.security_email and forward.email_sent_at is None:
            # The brand's security contact reads the brand's language, not the worker's.
            with translation.override(forward.case.brand.default_language):
                _send_email(policy.security_email, payload)
            SecurityForward.objects.filter(pk=forward.pk, email_sent_at__isnull=True).update(
                email_sent_at=timezone.now()
            )
        if policy.security_webhook_url and forward.webhook_sent_at is None:
            _send_webhook(policy, payload)
            SecurityForward.objects.filter(pk=forward.pk, webhook_sent_at__isnull=True).update(
                webhook_sent_at=timezone.now()
            )
    except ForwardError as exc:
        SecurityForward.objects.filter(pk=forward.pk).update(last_error=str(exc)[:300], updated_at=timezone.now())
        raise
    _finish(forward, ForwardState.SENT, "")
    return "sent"


def security_forward_give_up(*, forward_id: int, error: str) -> None:
    forward = SecurityForward.objects.select_related("case").filter(pk=forward_id).first()
    if forward is not None and forward.state == ForwardState.PENDING:
        _finish(forward, ForwardState.FAILED, error)


def _finish(forward: SecurityForward, state: str, error: str) -> None:
    updated = SecurityForward.objects.filter(pk=forward.pk, state=ForwardState.PENDING).update(
        state=state, last_error=error[:300], updated_at=timezone.now()
    )
    if updated == 1:
        Event.objects.create(
            action=EventAction.FORWARD_SENT if state == ForwardState.SENT else EventAction.FORWARD_FAILED,
            mention_id=forward.case.mention_id,
            contact_id=forward.case.contact_id,
            reason=state,
            data={"conduct": forward.case_id, "forward": forward.pk, **({"error": error[:200]} if error else {})},
        )


def _send_email(address: str, payload: dict[str, Any]) -> None:
    subject = _("[Webcare] Threat forwarded: %(brand)s, mention #%(id)s") % {
        "brand": payload["brand"]["name"], "id": payload["mention_id"]}
    try:
        connection = get_connection(timeout=EMAIL_TIMEOUT)
        message = EmailMessage(subject, _email_body(payload), settings.DEFAULT_FROM_EMAIL, [address])
        message.connection = connection
        message.send()
    except (smtplib.SMTPException, OSError) as exc:
        # The error names the SMTP problem, never the customer's text.
        raise ForwardError(f"e-mail: {type(exc).__name__}") from None


def _send_webhook(policy: ConductPolicy, payload: dict[str, Any]) -> None:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Webcare",
        "X-Webcare-Event": "threat_forwarded",
        "X-Webcare-Delivery": payload["id"],
        "X-Webcare-Timestamp": str(timestamp),
        "X-Webcare-Signature": sign_webhook(secret=policy.get_webhook_secret(), timestamp=timestamp, body=body),
    }
    try:
        response = requests.post(
            policy.security_webhook_url, data=body, headers=headers, timeout=WEBHOOK_TIMEOUT, allow_redirects=False
        )
    except requests.RequestException as exc:
        raise ForwardError(f"webhook: {type(exc).__name__}") from None
    if not 200 <= response.status_code < 300:
        raise ForwardError(f"webhook: HTTP {response.status_code}")
