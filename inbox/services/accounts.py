"""A social account's status and the bookkeeping of its poll cursors.

The connectors decide what happened (a revoked token, a rate limit, a good poll); these
functions write it, with an event row when the account's status changes and an e-mail
to the admins after commit.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from inbox.models import AccountStatus, Event, EventAction, PollCursor, SocialAccount, User

logger = logging.getLogger(__name__)


def _set_status(*, account_id: int, to: str, allowed_from: Collection[str], reason: str, detail: str) -> bool:
    """Conditional update of the account's status with its event; True when this call changed it."""
    now = timezone.now()
    with transaction.atomic():
        account = SocialAccount.objects.filter(pk=account_id).only("status").first()
        if account is None or account.status not in allowed_from:
            return False
        values: dict[str, object] = {"status": to, "updated_at": now}
        if detail:
            values.update(last_error=detail[:1000], last_error_at=now)
        updated = SocialAccount.objects.filter(pk=account_id, status=account.status).update(**values)
        if updated != 1:
            return False
        Event.objects.create(
            action=EventAction.ACCOUNT_STATUS, account_id=account_id, from_status=account.status, to_status=to,
            reason=reason[:64],
        )
    return True


def account_mark_needs_reauth(*, account_id: int, detail: str) -> bool:
    """The platform refused the token: stop polling and sending for this account, tell the admins.

    Its deliveries stay pending; other accounts are not touched.
    """
    changed = _set_status(
        account_id=account_id, to=AccountStatus.NEEDS_REAUTH, allowed_from={AccountStatus.ACTIVE, AccountStatus.ERROR},
        reason="token_invalid", detail=detail,
    )
    if changed:
        transaction.on_commit(lambda: _notify_admins(account_id))
    return changed


def account_mark_active(*, account_id: int, reason: str) -> bool:
    """A probe with the stored token worked again (an admin renewed it)."""
    return _set_status(
        account_id=account_id, to=AccountStatus.ACTIVE, allowed_from={AccountStatus.NEEDS_REAUTH, AccountStatus.ERROR},
        reason=reason, detail="",
    )


def account_record_probe(*, account_id: int, detail: str) -> None:
    """A probe of a disconnected account failed again; the next one waits an hour from now."""
    SocialAccount.objects.filter(pk=account_id).update(last_error=detail[:1000], last_error_at=timezone.now())


def _notify_admins(account_id: int) -> None:
    account = SocialAccount.objects.select_related("brand").get(pk=account_id)
    admins = User.objects.filter(Q(is_staff=True) | Q(is_superuser=True), is_active=True).exclude(email="")
    for admin in admins:
        with translation.override(admin.language or settings.LANGUAGE_CODE):
            subject = _("Webcare: %(account)s needs to be connected again") % {"account": account}
            body = _(
                "The platform no longer accepts the access token of %(account)s, so Webcare stopped reading and "
                "sending for it. Answers written meanwhile wait and go out once it is connected again.\n\n"
                "Renew the account's credentials in the admin (Social accounts).\n\nPlatform said: %(detail)s"
            ) % {"account": account, "detail": account.last_error}
        try:
            send_mail(subject, body, None, [admin.email])
        except Exception:  # a mail server being down must not fail the worker
            logger.warning("Could not e-mail %s about account %s.", admin.pk, account_id, exc_info=True)


# --- poll cursors -----------------------------------------------------------------------


def poll_cursors_ensure(*, account_id: int, streams: Collection[str]) -> None:
    existing = set(PollCursor.objects.filter(account_id=account_id).values_list("stream", flat=True))
    missing = [PollCursor(account_id=account_id, stream=stream) for stream in streams if stream not in existing]
    if missing:
        PollCursor.objects.bulk_create(missing, ignore_conflicts=True)


def poll_cursors_due(*, now: dt.datetime, limit: int = 500) -> list[PollCursor]:
    """Cursors of active accounts whose next poll is due and whose endpoint is not rate limited."""
    return list(
        PollCursor.objects.select_related("account")
        .filter(account__status=AccountStatus.ACTIVE)
        .filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))
        .filter(Q(rate_limited_until__isnull=True) | Q(rate_limited_until__lte=now))
        .order_by(F("next_poll_at").asc(nulls_first=True))[:limit]
    )


def poll_cursor_reserve(*, cursor: PollCursor, until: dt.datetime) -> bool:
    """Take a due cursor for one poll (moves next_poll_at); False when another dispatcher took it."""
    updated = PollCursor.objects.filter(pk=cursor.pk, next_poll_at=cursor.next_poll_at).update(next_poll_at=until)
    if updated == 1:
        cursor.next_poll_at = until
    return updated == 1


def poll_cursor_record_success(
    *, account_id: int, stream: str, next_poll_at: dt.datetime, rate_limited_until: dt.datetime | None,
    remaining: int | None, limit: int | None,
) -> None:
    now = timezone.now()
    PollCursor.objects.filter(account_id=account_id, stream=stream).update(
        last_attempt_at=now, last_success_at=now, last_error="", consecutive_failures=0, next_poll_at=next_poll_at,
        rate_limited_until=rate_limited_until, rate_limit_remaining=remaining, rate_limit_limit=limit,
    )


def poll_cursor_record_failure(
    *, account_id: int, stream: str, error: str, next_poll_at: dt.datetime,
    rate_limited_until: dt.datetime | None, account_wide: bool = False,
) -> None:
    now = timezone.now()
    PollCursor.objects.filter(account_id=account_id, stream=stream).update(
        last_attempt_at=now, last_error=error[:1000], consecutive_failures=F("consecutive_failures") + 1,
        next_poll_at=next_poll_at,
    )
    if rate_limited_until is not None:
        # A Page's budget is shared by all its streams; X's limits are per endpoint.
        cursors = PollCursor.objects.filter(account_id=account_id)
        if not account_wide:
            cursors = cursors.filter(stream=stream)
        cursors.update(rate_limited_until=rate_limited_until, rate_limit_remaining=0)
        cursors.filter(next_poll_at__lt=rate_limited_until).update(next_poll_at=rate_limited_until)
