"""Receiving webhooks: verify, store the raw body, hand it to a task after commit."""

from __future__ import annotations

import hashlib
import hmac

from django.db import IntegrityError, transaction
from django.db.models import F

from connectors.models import WebhookEvent

SIGNATURE_PREFIX = "sha256="


def meta_signature_valid(*, body: bytes, header: str, app_secret: str) -> bool:
    """X-Hub-Signature-256 is HMAC-SHA256 over the raw bytes as sent; compared in constant time."""
    if not app_secret or not header.startswith(SIGNATURE_PREFIX):
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(header[len(SIGNATURE_PREFIX):].strip().lower(), expected)


def webhook_event_receive(*, body: bytes, source: str = "meta") -> WebhookEvent:
    """Store the body once (Meta retries and duplicates; identical bodies are one row) and
    enqueue its processing after commit. The sweeper re-drives it if enqueueing fails."""
    from connectors.tasks import WEBHOOK_TASK, enqueue

    digest = hashlib.sha256(body).hexdigest()
    try:
        with transaction.atomic():
            event = WebhookEvent.objects.create(source=source, digest=digest, body=body.decode("utf-8", "replace"))
    except IntegrityError:
        WebhookEvent.objects.filter(digest=digest).update(deliveries=F("deliveries") + 1)
        return WebhookEvent.objects.get(digest=digest)
    transaction.on_commit(lambda: enqueue(WEBHOOK_TASK, [event.pk]))
    return event
