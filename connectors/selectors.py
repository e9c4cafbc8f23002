"""Per-account health for admins: is each account read, how far behind, what is left of its budget."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from inbox.models import DeliveryState, PollCursor, SocialAccount


@dataclass(frozen=True)
class StreamHealth:
    stream: str
    label: str
    last_success_at: dt.datetime | None
    last_attempt_at: dt.datetime | None
    next_poll_at: dt.datetime | None
    rate_limited_until: dt.datetime | None
    rate_limit_remaining: int | None
    rate_limit_limit: int | None
    consecutive_failures: int
    last_error: str
    lag_seconds: int | None


@dataclass(frozen=True)
class AccountHealth:
    id: int
    name: str
    platform: str
    platform_label: str
    brand: str
    status: str
    status_label: str
    last_error: str
    last_error_at: dt.datetime | None
    last_success_at: dt.datetime | None
    #: Seconds since the stream that is furthest behind last succeeded (None: never polled).
    lag_seconds: int | None
    next_poll_at: dt.datetime | None
    deliveries_pending: int
    deliveries_needing_review: int
    streams: list[StreamHealth] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return self.status == "active" and not any(s.consecutive_failures for s in self.streams)


def _lag(now: dt.datetime, last: dt.datetime | None) -> int | None:
    return int((now - last).total_seconds()) if last else None


def account_health_list() -> list[AccountHealth]:
    """Every account with its streams; three queries whatever the number of accounts."""
    now = timezone.now()
    accounts = list(
        SocialAccount.objects.select_related("brand").annotate(
            pending=Count("deliveries", filter=Q(deliveries__state__in=[DeliveryState.PENDING, DeliveryState.SENDING])),
            review=Count("deliveries", filter=Q(deliveries__state=DeliveryState.NEEDS_REVIEW)),
        ).order_by("brand__name", "platform", "handle")
    )
    cursors: dict[int, list[PollCursor]] = {}
    for cursor in PollCursor.objects.filter(account__in=accounts).order_by("stream"):
        cursors.setdefault(cursor.account_id, []).append(cursor)
    result = []
    for account in accounts:
        streams = [
            StreamHealth(
                stream=c.stream, label=str(c.get_stream_display()), last_success_at=c.last_success_at,
                last_attempt_at=c.last_attempt_at, next_poll_at=c.next_poll_at, rate_limited_until=c.rate_limited_until,
                rate_limit_remaining=c.rate_limit_remaining, rate_limit_limit=c.rate_limit_limit,
                consecutive_failures=c.consecutive_failures, last_error=c.last_error,
                lag_seconds=_lag(now, c.last_success_at),
            )
            for c in cursors.get(account.pk, [])
        ]
        successes = [s.last_success_at for s in streams]
        nexts = [s.next_poll_at for s in streams if s.next_poll_at]
        result.append(AccountHealth(
            id=account.pk, name=account.handle, platform=account.platform,
            platform_label=str(account.get_platform_display()), brand=account.brand.name,
            status=account.status, status_label=str(account.get_status_display()), last_error=account.last_error,
            last_error_at=account.last_error_at,
            last_success_at=max((s for s in successes if s), default=None),
            lag_seconds=None if not streams or None in successes else max(_lag(now, s) or 0 for s in successes),
            next_poll_at=min(nexts, default=None),
            deliveries_pending=account.pending, deliveries_needing_review=account.review, streams=streams,
        ))
    return result
