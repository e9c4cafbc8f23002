"""Hiding and unhiding a customer's public message on the platform.

Hiding is reversible and quiet: no undo window, no status change of the mention.
Facebook hides comments; X hides replies in conversations the brand started.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inbox.exceptions import Invalid, NotFound
from inbox.models import Delivery, DeliveryKind, DeliveryState, Direction, Event, EventAction, Message, User, Visibility
from inbox.selectors import mentions_visible_to, user_role_in_team
from inbox.services.outbox import delivery_schedule

_OPEN = (DeliveryState.PENDING, DeliveryState.SENDING, DeliveryState.NEEDS_REVIEW)


def _moderation(*, user: User | None, message_id: int, kind: str, reason: str) -> Delivery:
    messages = Message.objects.select_related("mention")
    if user is not None:
        messages = messages.filter(mention__in=mentions_visible_to(user=user))
    message = messages.filter(pk=message_id).first()
    if message is None:
        raise NotFound(_("This message does not exist, or it is not in one of your teams."))
    if user is not None and user_role_in_team(user=user, team_id=message.mention.team_id) is None:
        raise NotFound(_("This message does not exist, or it is not in one of your teams."))
    if message.direction != Direction.INBOUND or message.mention.visibility != Visibility.PUBLIC or not message.platform_id:
        raise Invalid(_("Only a customer's public message can be hidden or shown again."), code="not_hideable")
    if message.deleted_on_platform:
        raise Invalid(_("The customer deleted this message; there is nothing left to hide."), code="target_deleted")
    with transaction.atomic():
        pending = Delivery.objects.filter(
            message=None, target_platform_id=message.platform_id, account_id=message.account_id,
            kind__in=[DeliveryKind.HIDE, DeliveryKind.UNHIDE], state__in=_OPEN,
        ).select_for_update().first()
        if pending is not None and pending.kind == kind:
            return pending  # asked twice: one delivery
        delivery = Delivery.objects.create(
            account_id=message.account_id,
            mention_id=message.mention_id,
            kind=kind,
            target_platform_id=message.platform_id,
            payload={"message_id": message.pk},
            send_after=timezone.now(),
            created_by=user,
        )
        Event.objects.create(
            actor=user,
            action=EventAction.DELIVERY_STATE,
            mention_id=message.mention_id,
            delivery=delivery,
            to_status=DeliveryState.PENDING,
            reason=reason[:64],
            data={"kind": kind, "message": message.pk},
        )
        delivery_schedule(delivery)
    return delivery


def message_hide(*, user: User | None, message_id: int, reason: str = "") -> Delivery:
    """Queue hiding a customer's public message. ``user`` None means Webcare itself (a policy)."""
    return _moderation(user=user, message_id=message_id, kind=DeliveryKind.HIDE, reason=reason)


def message_unhide(*, user: User | None, message_id: int, reason: str = "") -> Delivery:
    return _moderation(user=user, message_id=message_id, kind=DeliveryKind.UNHIDE, reason=reason)
