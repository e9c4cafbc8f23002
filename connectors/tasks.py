"""The bridge: Celery tasks that run the platform adapters and hand what they find to the inbox.

The only module that joins ``connectors`` and ``inbox``. Tasks take ids, run after
commit and are safe to run twice. Nothing here sleeps: rate limits and back-off are
times written to the database (PollCursor.next_poll_at / rate_limited_until,
Delivery.send_after / lease_until) that the dispatcher and the sweeper respect.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import random
from collections.abc import Sequence
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from connectors.base import (
    PRIVATE_MESSAGE,
    REPLY,
    AccountConfig,
    Connector,
    ConnectorError,
    CursorAdvance,
    RateLimit,
    RemoteMessage,
    SendRequest,
    StreamCursor,
)
from connectors.models import Tombstone, WebhookEvent
from connectors.registry import connector_for, streams_for
from inbox.models import (
    AccountStatus,
    Delivery,
    DeliveryState,
    Mention,
    Message,
    Platform,
    PollCursor,
    Post,
    SocialAccount,
)
from inbox.policies import messenger_mode
from inbox.services import accounts as account_services
from inbox.services import deliveries as delivery_services
from inbox.services.ingest import IngestReport, messages_ingest
from inbox.services.outbox import DELIVERY_SEND_TASK

logger = logging.getLogger(__name__)

POLL_TASK = "connectors.poll"
WEBHOOK_TASK = "connectors.webhook_process"
#: Exponential back-off with full jitter for failing polls and unreachable platforms.
BACKOFF_BASE = 2.0
BACKOFF_CAP = dt.timedelta(minutes=15)
#: A send whose outcome is unknown is looked for on the platform after this long...
RECHECK_DELAY = dt.timedelta(seconds=45)
#: ...and handed to a person when it still cannot be told this long after the attempt.
RECONCILE_DEADLINE = dt.timedelta(minutes=10)
#: A reserved poll that never ran (a lost task) is dispatched again after its interval plus this.
LOST_POLL_GRACE = dt.timedelta(seconds=60)
#: A failed probe of a disconnected account is repeated at most this often.
PROBE_INTERVAL = dt.timedelta(hours=1)
WEBHOOK_MAX_ATTEMPTS = 10


def enqueue(name: str, args: Sequence[Any], *, countdown: float | None = None) -> None:
    from webcare.celery import app

    try:
        app.send_task(name, args=list(args), countdown=countdown)
    except Exception:  # the broker being down: the database sweeper picks it up
        logger.warning("Could not enqueue %s%s; the sweeper will pick it up.", name, tuple(args), exc_info=True)


#: Countdowns stay far below Redis's visibility timeout (a longer one is redelivered over and
#: over); anything due later is left to the database sweeper.
MAX_COUNTDOWN = dt.timedelta(minutes=5)


def enqueue_send_at(delivery_id: int, at: dt.datetime) -> None:
    delay = at - timezone.now()
    if delay <= MAX_COUNTDOWN:
        enqueue(DELIVERY_SEND_TASK, [delivery_id], countdown=max(0.0, delay.total_seconds()))


def account_config(account: SocialAccount) -> AccountConfig:
    credentials = dict(account.get_credentials())
    if account.platform == Platform.FACEBOOK and not credentials.get("app_secret"):
        credentials["app_secret"] = settings.META_APP_SECRET
    return AccountConfig(
        platform=account.platform,
        external_id=account.external_id,
        handle=account.handle,
        credentials=credentials,
        api_base_url=account.api_base_url,
        keywords=tuple(str(k) for k in account.keywords or ()),
    )


def connector_for_account(account: SocialAccount) -> Connector:
    return connector_for(account_config(account), graph_version=settings.META_GRAPH_VERSION)


def backoff(failures: int) -> dt.timedelta:
    """Full jitter: a random delay up to base * 2^failures, capped."""
    ceiling = min(BACKOFF_CAP.total_seconds(), BACKOFF_BASE * 2 ** min(failures, 20))
    return dt.timedelta(seconds=random.uniform(0, ceiling))


# --- storing --------------------------------------------------------------------------------


def store(*, account_id: int, items: Sequence[RemoteMessage], advance: CursorAdvance | None = None) -> IngestReport:
    """Ingest, with deletions remembered: a create for something known deleted is dropped.

    Under the account row lock ingest takes too, so a delete and a late create from
    another path (poll vs webhook) cannot interleave.
    """
    with transaction.atomic():
        SocialAccount.objects.select_for_update().only("id").get(pk=account_id)
        deleted = {item.platform_id: item for item in items if item.deleted and item.platform_id}
        if deleted:
            Tombstone.objects.bulk_create(
                [Tombstone(account_id=account_id, platform_id=pid[:64], deleted_at=item.updated_at or item.posted_at)
                 for pid, item in deleted.items()],
                ignore_conflicts=True,
            )
        alive = [item.platform_id for item in items if not item.deleted]
        gone = set(
            Tombstone.objects.filter(account_id=account_id, platform_id__in=alive).values_list("platform_id", flat=True)
        ) if alive else set()
        kept = [item for item in items if item.deleted or item.platform_id not in gone]
        return messages_ingest(account_id=account_id, items=kept, advance=advance)


# --- polling ----------------------------------------------------------------------------------


def _streams(account: SocialAccount) -> tuple[str, ...]:
    return streams_for(account.platform, has_keywords=bool(account.keywords))


@shared_task(name="connectors.polls_dispatch", ignore_result=True)
def polls_dispatch() -> int:
    """Woken by beat every few seconds: one poll per account and stream that is due."""
    accounts = list(SocialAccount.objects.filter(status=AccountStatus.ACTIVE).exclude(credentials_ciphertext=""))
    existing = set(PollCursor.objects.filter(account__in=accounts).values_list("account_id", "stream"))
    missing = [
        PollCursor(account=account, stream=stream)
        for account in accounts
        for stream in _streams(account)
        if (account.pk, stream) not in existing
    ]
    if missing:
        PollCursor.objects.bulk_create(missing, ignore_conflicts=True)
    wanted = {(account.pk, stream) for account in accounts for stream in _streams(account)}
    now = timezone.now()
    dispatched = 0
    for cursor in account_services.poll_cursors_due(now=now):
        if (cursor.account_id, cursor.stream) not in wanted:
            continue
        interval = dt.timedelta(seconds=cursor.account.poll_interval_seconds)
        if account_services.poll_cursor_reserve(cursor=cursor, until=now + interval + LOST_POLL_GRACE):
            enqueue(POLL_TASK, [cursor.account_id, cursor.stream])
            dispatched += 1
    return dispatched


@shared_task(name=POLL_TASK, ignore_result=True)
def poll(account_id: int, stream: str) -> str:
    """Read every new item of one stream and store it with the cursor, in one transaction."""
    account = SocialAccount.objects.filter(pk=account_id).first()
    if account is None or account.status != AccountStatus.ACTIVE:
        return "inactive"
    if not PollCursor.objects.filter(account=account, stream=stream).exists():
        account_services.poll_cursors_ensure(account_id=account.pk, streams={stream, *_streams(account)})
    cursor = PollCursor.objects.get(account=account, stream=stream)
    now = timezone.now()
    if cursor.rate_limited_until and cursor.rate_limited_until > now:
        return "rate_limited"  # never ask an endpoint before the platform said we may
    connector = connector_for_account(account)
    if stream not in connector.streams:
        return "unknown_stream"
    try:
        result = connector.poll(StreamCursor(stream=stream, cursor=cursor.cursor, watermark=cursor.watermark,
                                             state=cursor.state or {}))
    except ConnectorError as error:
        _poll_failed(account, cursor, error, connector.rate_limit())
        return error.code
    if result.rejected:
        logger.warning("Poll of %s %s: %d unreadable item(s) skipped.", account_id, stream, result.rejected)
    try:
        report = store(account_id=account.pk, items=result.items, advance=result.advance)
    except Exception as error:
        # The cursor did not move. Say so on the health page (if the database still answers).
        with contextlib.suppress(Exception):
            account_services.poll_cursor_record_failure(
                account_id=account.pk, stream=stream, error=f"ingest failed: {type(error).__name__}",
                next_poll_at=timezone.now() + max(dt.timedelta(seconds=account.poll_interval_seconds),
                                                  backoff(cursor.consecutive_failures + 1)),
                rate_limited_until=None,
            )
        raise
    next_at, limited = _next_poll(account, result.rate_limit, timezone.now())
    account_services.poll_cursor_record_success(
        account_id=account.pk, stream=stream, next_poll_at=next_at, rate_limited_until=limited,
        remaining=result.rate_limit.remaining if result.rate_limit else None,
        limit=result.rate_limit.limit if result.rate_limit else None,
    )
    return f"{report.new_messages} new, {report.updated_messages} updated"


def _next_poll(account: SocialAccount, rate: RateLimit | None, now: dt.datetime) -> tuple[dt.datetime,
                                                                                       dt.datetime | None]:
    """When to poll next: the account's interval, stretched to spread what is left of the budget."""
    interval = dt.timedelta(seconds=account.poll_interval_seconds)
    next_at, limited = now + interval, None
    if rate is None:
        return next_at, limited
    if rate.remaining is not None and rate.reset_at is not None and rate.reset_at > now:
        if rate.remaining <= 0:
            limited = rate.reset_at
            next_at = max(next_at, rate.reset_at)
        else:
            next_at = max(next_at, now + (rate.reset_at - now) / rate.remaining)
    if rate.usage_percent is not None and rate.usage_percent >= 80:
        # Graph: slow down before Meta throttles (95 %: one poll every few minutes).
        factor = 10 if rate.usage_percent >= 95 else 3
        next_at = max(next_at, now + interval * factor)
    if rate.regain_at is not None and rate.regain_at > now:
        limited = max(limited or rate.regain_at, rate.regain_at)
        next_at = max(next_at, rate.regain_at)
    return next_at, limited


def _poll_failed(account: SocialAccount, cursor: PollCursor, error: ConnectorError, rate: RateLimit | None) -> None:
    now = timezone.now()
    interval = dt.timedelta(seconds=account.poll_interval_seconds)
    limited = None
    if error.auth:
        account_services.account_mark_needs_reauth(account_id=account.pk, detail=error.message)
        next_at = now + interval
    elif error.throttled:
        limited = error.retry_at or now + BACKOFF_CAP
        next_at = limited
    else:
        next_at = now + max(interval, backoff(cursor.consecutive_failures + 1))
    logger.warning("Poll of account %s %s failed: %s (%s)", account.pk, cursor.stream, error.message, error.code)
    account_services.poll_cursor_record_failure(
        account_id=account.pk, stream=cursor.stream, error=f"{error.code}: {error.message}", next_poll_at=next_at,
        rate_limited_until=limited, account_wide=error.scope == "account",
    )


@shared_task(name="connectors.accounts_probe", ignore_result=True)
def accounts_probe() -> int:
    """Disconnected accounts are tried again at most once an hour; a working token reconnects them."""
    cutoff = timezone.now() - PROBE_INTERVAL
    recovered = 0
    for account in SocialAccount.objects.filter(status=AccountStatus.NEEDS_REAUTH).exclude(last_error_at__gt=cutoff):
        try:
            connector_for_account(account).verify()
        except ConnectorError as error:
            account_services.account_record_probe(account_id=account.pk, detail=f"{error.code}: {error.message}")
            continue
        recovered += account_services.account_mark_active(account_id=account.pk, reason="probe_succeeded")
    return recovered


# --- sending ------------------------------------------------------------------------------------


class _Refused(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _send_request(delivery: Delivery, *, at_send_time: bool = True) -> SendRequest:
    payload = dict(delivery.payload or {})
    account = delivery.account
    target = delivery.target_platform_id
    context: dict[str, str] = {}
    recipient: dict[str, str] = {}
    messaging: dict[str, str] = {}
    if delivery.kind == REPLY:
        message = Message.objects.filter(account_id=account.pk, platform_id=target).only("raw", "parent_platform_id",
                                                                                            "mention_id").first()
        if account.platform == Platform.X and message is not None:
            conversation = (message.raw or {}).get("conversation_id")
            if conversation:
                context["conversation_id"] = str(conversation)
        if account.platform == Platform.FACEBOOK and message is not None:
            parent = message.parent_platform_id
            # A reply's parent is a comment (a post id starts with the Page's id): Facebook
            # nests two levels, so our answer goes under the same top-level comment.
            if parent and not parent.startswith(f"{account.external_id}_"):
                context["reply_root"] = parent
    elif delivery.kind == PRIVATE_MESSAGE:
        if account.platform == Platform.X:
            recipient = {"participant_id": str(payload.get("participant_id") or target)}
        else:
            recipient = {str(k): str(v) for k, v in (payload.get("recipient") or {"id": target}).items()}
            if "id" in recipient:
                # The window is decided when the message leaves, not when it was written.
                mention = Mention.objects.only("last_inbound_at").get(pk=delivery.mention_id)
                mode = messenger_mode(mention.last_inbound_at, timezone.now())
                if mode is None and at_send_time:
                    raise _Refused("window_closed")
                messaging = mode or {"messaging_type": "RESPONSE"}
            else:
                messaging = {"messaging_type": "RESPONSE"}
    return SendRequest(kind=delivery.kind, target_id=target, text=str(payload.get("text") or ""),
                       recipient=recipient, messaging=messaging, context=context)


@shared_task(name=DELIVERY_SEND_TASK, ignore_result=True)
def delivery_send(delivery_id: int) -> str:
    """Send one delivery, once. Safe to run twice: only a pending, due delivery is claimed."""
    delivery = Delivery.objects.filter(pk=delivery_id).only("state", "lease_until").first()
    if delivery is None:
        return "missing"
    if delivery.state == DeliveryState.SENDING:
        if delivery.lease_until is not None and delivery.lease_until < timezone.now():
            return delivery_reconcile(delivery_id)
        return "in_flight"
    claimed = delivery_services.delivery_claim_for_sending(delivery_id=delivery_id)
    if claimed is None:
        return "not_due"
    try:
        request = _send_request(claimed)
    except _Refused as refused:
        delivery_services.delivery_mark_failed(delivery_id=delivery_id, error_code=refused.code)
        return refused.code
    connector = connector_for_account(claimed.account)
    try:
        result = connector.send(request)
    except ConnectorError as error:
        return _send_failed(claimed, request, error, connector)
    delivery_services.delivery_mark_sent(delivery_id=delivery_id, platform_id=result.platform_id,
                                         thread_id=result.thread_id)
    return "sent"


def _send_failed(delivery: Delivery, request: SendRequest, error: ConnectorError, connector: Connector) -> str:
    now = timezone.now()
    logger.info("Delivery %s: %s (%s)", delivery.pk, error.message, error.code)
    if error.auth:
        # Refused before anything was posted: it waits, pending, for the account to be reconnected.
        account_services.account_mark_needs_reauth(account_id=delivery.account_id, detail=error.message)
        delivery_services.delivery_retry_later(delivery_id=delivery.pk, retry_at=now, error_code="token_invalid",
                                               detail=error.message)
        return "needs_reauth"
    if error.throttled:
        retry_at = error.retry_at or now + BACKOFF_CAP
        delivery_services.delivery_retry_later(delivery_id=delivery.pk, retry_at=retry_at, error_code=error.code,
                                               detail=error.message)
        enqueue_send_at(delivery.pk, retry_at)
        return "rate_limited"
    if error.duplicate:
        # "Duplicate content": probably our own earlier attempt. Find it, or ask a person.
        return _reconcile(delivery, request, connector, not_found="needs_review")
    if error.permanent:
        delivery_services.delivery_mark_failed(delivery_id=delivery.pk, error_code=error.code, detail=error.message)
        return error.code
    if not error.maybe_sent:
        retry_at = now + max(dt.timedelta(seconds=1), backoff(delivery.attempts))
        updated = delivery_services.delivery_retry_later(delivery_id=delivery.pk, retry_at=retry_at,
                                                         error_code=error.code, detail=error.message)
        if updated.state == DeliveryState.PENDING:
            enqueue_send_at(delivery.pk, retry_at)
        return "retry"
    delivery_services.delivery_recheck_later(delivery_id=delivery.pk, recheck_at=now + RECHECK_DELAY,
                                             detail=f"{error.code}: {error.message}")
    enqueue_send_at(delivery.pk, now + RECHECK_DELAY + dt.timedelta(seconds=1))
    return "outcome_unknown"


def delivery_reconcile(delivery_id: int) -> str:
    """A send whose outcome is unknown (its worker died, or the platform did not answer):
    look for it on the platform. Found: sent. Provably absent: send again. Otherwise a person."""
    delivery = Delivery.objects.select_related("account").filter(pk=delivery_id).first()
    now = timezone.now()
    if delivery is None or delivery.state != DeliveryState.SENDING or (delivery.lease_until or now) > now:
        return "not_due"
    request = _send_request(delivery, at_send_time=False)
    return _reconcile(delivery, request, connector_for_account(delivery.account), not_found="resend")


def _reconcile(delivery: Delivery, request: SendRequest, connector: Connector, *, not_found: str) -> str:
    now = timezone.now()
    started = delivery.attempt_started_at or now
    past_deadline = now - started > RECONCILE_DEADLINE
    try:
        found = connector.find_sent(request, since=started)
    except ConnectorError as error:
        if error.auth:
            account_services.account_mark_needs_reauth(account_id=delivery.account_id, detail=error.message)
        if error.code == "cannot_verify" or error.permanent or past_deadline:
            delivery_services.delivery_mark_needs_review(delivery_id=delivery.pk, error_code=error.code,
                                                         detail=error.message)
            return "needs_review"
        recheck = error.retry_at if error.retry_at and error.retry_at > now else now + RECHECK_DELAY
        delivery_services.delivery_recheck_later(delivery_id=delivery.pk, recheck_at=recheck,
                                                 detail=f"{error.code}: {error.message}")
        return "recheck"
    if found is not None:
        delivery_services.delivery_mark_sent(delivery_id=delivery.pk, platform_id=found.platform_id,
                                             thread_id=found.thread_id, reason="reconciled")
        return "reconciled"
    if not_found == "needs_review" or delivery.attempts >= delivery_services.MAX_ATTEMPTS:
        delivery_services.delivery_mark_needs_review(delivery_id=delivery.pk, error_code="not_found_on_platform",
                                                     detail="The platform refused it as a duplicate, but our post "
                                                     "was not found." if not_found == "needs_review" else "")
        return "needs_review"
    # Not on the platform: the attempt never got there. Sending again cannot double-post.
    updated = delivery_services.delivery_retry_later(delivery_id=delivery.pk, retry_at=now,
                                                     error_code="not_found_on_platform")
    if updated.state == DeliveryState.PENDING:
        enqueue_send_at(delivery.pk, now)
    return "resend"


@shared_task(name="connectors.deliveries_sweep", ignore_result=True)
def deliveries_sweep() -> dict[str, int]:
    """The recovery path (the broker is not): re-drive what a lost message left behind."""
    due = delivery_services.deliveries_due_ids()
    for delivery_id in due:
        enqueue(DELIVERY_SEND_TASK, [delivery_id])
    expired = delivery_services.deliveries_lease_expired_ids()
    for delivery_id in expired:
        enqueue(DELIVERY_SEND_TASK, [delivery_id])
    stale = list(
        WebhookEvent.objects.filter(processed_at__isnull=True, attempts__lt=WEBHOOK_MAX_ATTEMPTS,
                                    received_at__lt=timezone.now() - dt.timedelta(seconds=30))
        .order_by("received_at").values_list("id", flat=True)[:500]
    )
    for event_id in stale:
        enqueue(WEBHOOK_TASK, [event_id])
    return {"pending": len(due), "reconcile": len(expired), "webhooks": len(stale)}


# --- webhooks -------------------------------------------------------------------------------------


@shared_task(name=WEBHOOK_TASK, ignore_result=True)
def webhook_process(event_id: int) -> str:
    """Store what one webhook body reports. Idempotent: ingest dedupes by platform id."""
    event = WebhookEvent.objects.filter(pk=event_id).first()
    if event is None or event.processed_at is not None:
        return "done"
    WebhookEvent.objects.filter(pk=event_id).update(attempts=F("attempts") + 1)
    try:
        payload = json.loads(event.body)
    except ValueError:
        WebhookEvent.objects.filter(pk=event_id).update(processed_at=timezone.now(), last_error="not JSON")
        return "not_json"
    page_ids = {
        str(entry.get("id")) for entry in (payload.get("entry") or [] if isinstance(payload, dict) else [])
        if isinstance(entry, dict)
    }
    accounts = SocialAccount.objects.filter(platform=Platform.FACEBOOK, external_id__in=page_ids)
    try:
        for account in accounts:
            connector = connector_for_account(account)
            post_ids = connector.webhook_post_ids(payload)  # type: ignore[attr-defined]
            known = set(Post.objects.filter(account=account, platform_id__in=post_ids)
                        .values_list("platform_id", flat=True))
            items = connector.webhook_items(payload, known_posts=known,  # type: ignore[attr-defined]
                                            lookups=account.status == AccountStatus.ACTIVE)
            store(account_id=account.pk, items=items)
    except ConnectorError as error:
        if error.auth:
            account_services.account_mark_needs_reauth(account_id=account.pk, detail=error.message)
        WebhookEvent.objects.filter(pk=event_id).update(last_error=f"{error.code}: {error.message}"[:1000])
        return error.code  # left unprocessed: the sweeper tries again
    WebhookEvent.objects.filter(pk=event_id).update(processed_at=timezone.now(), last_error="")
    return "processed"
