"""Handing committed deliveries to the workers.

The delivery row is the only copy of intent: enqueueing is a wake-up call after
commit, and the sweeper re-drives anything a lost message left behind.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from inbox.models import Delivery

logger = logging.getLogger(__name__)

DELIVERY_SEND_TASK = "connectors.delivery_send"


def delivery_schedule(delivery: Delivery) -> None:
    countdown = max(0.0, (delivery.send_after - timezone.now()).total_seconds())
    transaction.on_commit(lambda: _enqueue(delivery.pk, countdown))


def _enqueue(delivery_id: int, countdown: float) -> None:
    from webcare.celery import app

    try:
        app.send_task(DELIVERY_SEND_TASK, args=[delivery_id], countdown=countdown)
    except Exception:  # the broker being down must not fail the agent's request
        logger.warning("Could not enqueue delivery %s; the sweeper will send it.", delivery_id, exc_info=True)


def wake_after_commit(task_name: str, *args: object) -> None:
    """Ask a worker to process rows this transaction committed; a sweeper covers a lost call."""

    def send() -> None:
        from webcare.celery import app

        try:
            app.send_task(task_name, args=list(args))
        except Exception:  # the broker being down must not fail ingest
            logger.warning("Could not enqueue %s; its sweeper will run it.", task_name, exc_info=True)

    transaction.on_commit(send)
