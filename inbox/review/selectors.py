"""Reads for deliveries whose outcome is unknown (needs_review): what a team lead checks and decides.

A delivery outside the user's teams does not exist here either (404, never 403).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from inbox.models import Delivery, DeliveryKind, DeliveryState, Direction, Mention, Message, Role, User
from inbox.selectors import team_ids_for_user, user_role_in_team
from inbox.services.deliveries import leads_only

#: The list is a worklist, not an archive: needs_review is rare, and each one is decided.
LIST_LIMIT = 200


@dataclass(frozen=True)
class DeliveryReview:
    """What a lead needs to decide one delivery: where to look, why nobody knows, what is possible."""

    delivery: Delivery
    platform: str
    reason: str
    link: str
    takes_id: bool
    can_send_again: bool


def _lead_teams(user: User) -> list[int] | None:
    """The teams the user leads; None for an admin (every team)."""
    if user.is_superuser and user.is_active:
        return None
    return team_ids_for_user(user=user, role=Role.LEAD)


def deliveries_to_check_count_for_lead(*, user: User) -> int | None:
    """How many deliveries in the user's teams need a lead's decision; None when the user leads no team."""
    if not user.is_authenticated:
        return None
    teams = _lead_teams(user)
    if teams == []:
        return None
    waiting = Delivery.objects.filter(state=DeliveryState.NEEDS_REVIEW)
    if teams is not None:
        waiting = waiting.filter(mention__team_id__in=teams)
    return waiting.count()


def deliveries_to_check_for_lead(*, user: User, limit: int = LIST_LIMIT) -> list[DeliveryReview]:
    """The deliveries in the user's teams that need a lead's decision, oldest first."""
    teams = _lead_teams(user)
    if teams == []:
        raise leads_only()
    waiting = Delivery.objects.filter(state=DeliveryState.NEEDS_REVIEW)
    if teams is not None:
        waiting = waiting.filter(mention__team_id__in=teams)
    deliveries = list(
        waiting.select_related("account__brand", "mention__contact", "message", "created_by")
        .order_by("updated_at", "pk")[:limit]
    )
    links = _platform_links(deliveries)
    return [
        _review(delivery, link=links.get(delivery.pk, ""), platform=delivery.account.get_platform_display())
        for delivery in deliveries
    ]


def delivery_review_for_user(*, user: User, delivery: Delivery, mention: Mention) -> DeliveryReview | None:
    """The choices for one delivery of ``mention`` (loaded with its account), if the user may decide it."""
    if delivery.state != DeliveryState.NEEDS_REVIEW:
        return None
    if user_role_in_team(user=user, team_id=mention.team_id) != Role.LEAD:
        return None
    link = _platform_links([delivery]).get(delivery.pk, "")
    return _review(delivery, link=link, platform=mention.account.get_platform_display())


def _review(delivery: Delivery, *, link: str, platform: str) -> DeliveryReview:
    return DeliveryReview(
        delivery=delivery,
        platform=platform,
        reason=_reason(delivery.error_code),
        link=link,
        takes_id=delivery.kind in (DeliveryKind.REPLY, DeliveryKind.PRIVATE_MESSAGE),
        can_send_again=not delivery.platform_id,
    )


def _reason(code: str) -> str:
    """Why nobody knows, in plain words (the codes come from the connectors' reconciliation)."""
    reasons = {
        "cannot_verify": _("The platform does not let Webcare look this kind of message up, so Webcare could "
                           "not check whether it arrived."),
        "not_found_on_platform": _("The platform refused it as a copy of something the brand already posted, "
                                   "but Webcare could not find that post."),
        "ambiguous": _("The platform answered with an id that Webcare already knows from another message."),
    }
    return reasons.get(code, _("The sending stopped after the request had left Webcare, and looking on the "
                               "platform afterwards did not tell whether it arrived."))


def _platform_links(deliveries: list[Delivery]) -> dict[int, str]:
    """Where a lead looks: the message the delivery answers or hides, else the mention's latest
    customer message with a link. Links were cleaned at ingest (http and https only)."""
    if not deliveries:
        return {}
    wanted = Q()
    for delivery in deliveries:
        wanted |= Q(account_id=delivery.account_id, platform_id=delivery.target_platform_id)
    targets = {
        (account_id, platform_id): link
        for account_id, platform_id, link in Message.objects.filter(wanted)
        .exclude(permalink="")
        .values_list("account_id", "platform_id", "permalink")
    }
    links = {
        delivery.pk: targets[(delivery.account_id, delivery.target_platform_id)]
        for delivery in deliveries
        if (delivery.account_id, delivery.target_platform_id) in targets
    }
    missing = {delivery.mention_id for delivery in deliveries if delivery.pk not in links}
    if missing:
        latest: dict[int, str] = {}
        for mention_id, link in (
            Message.objects.filter(mention_id__in=missing, direction=Direction.INBOUND)
            .exclude(permalink="")
            .order_by("mention_id", "-posted_at", "-pk")
            .values_list("mention_id", "permalink")
        ):
            latest.setdefault(mention_id, link)
        for delivery in deliveries:
            if delivery.pk not in links and delivery.mention_id in latest:
                links[delivery.pk] = latest[delivery.mention_id]
    return links
