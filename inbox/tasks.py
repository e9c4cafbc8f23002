"""Celery tasks of the inbox. Each takes ids, runs after commit and is safe to run twice."""

from __future__ import annotations

from celery import shared_task

from inbox.services.conduct import security_forwards_sweep
from inbox.services.screening import CONDUCT_PENDING_TASK, conduct_pending_process
from inbox.services.security import ForwardError, security_forward_give_up, security_forward_send

#: Bounded: about 30 s, 1, 2, 4, 8 and 16 minutes, then the forward is marked failed for a lead to retry.
FORWARD_MAX_RETRIES = 6


@shared_task(name="inbox.conduct_forward_send", bind=True, max_retries=FORWARD_MAX_RETRIES, acks_late=True)
def conduct_forward_send(self, forward_id: int) -> str:  # type: ignore[no-untyped-def]
    try:
        return security_forward_send(forward_id=forward_id)
    except ForwardError as exc:
        if self.request.retries >= FORWARD_MAX_RETRIES:
            security_forward_give_up(forward_id=forward_id, error=str(exc))
            return "failed"
        raise self.retry(countdown=min(960, 30 * 2**self.request.retries)) from None


@shared_task(name="inbox.conduct_forwards_sweep")
def conduct_forwards_sweep() -> int:
    """Re-drive forwards whose wake-up call was lost (broker down at commit)."""
    return security_forwards_sweep()


@shared_task(name=CONDUCT_PENDING_TASK)
def conduct_pending(limit: int = 500) -> int:
    """The code of conduct ladder for abusive messages ingest stored; beat runs it too, as the sweeper."""
    return conduct_pending_process(limit=limit)
