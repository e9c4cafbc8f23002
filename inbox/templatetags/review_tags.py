"""Deliveries whose outcome is unknown, in the pages leads already use: the message footer and the navigation."""

from __future__ import annotations

from typing import Any

from django import template

from inbox.models import Delivery, Mention
from inbox.review.selectors import DeliveryReview, deliveries_to_check_count_for_lead, delivery_review_for_user

register = template.Library()


@register.simple_tag(takes_context=True)
def delivery_review(context: dict[str, Any], delivery: Delivery, mention: Mention) -> DeliveryReview | None:
    """The lead's choices for this delivery, or None for anyone who may not decide it."""
    return delivery_review_for_user(user=context["user"], delivery=delivery, mention=mention)


@register.inclusion_tag("review/_nav_link.html", takes_context=True)
def review_nav_link(context: dict[str, Any]) -> dict[str, Any]:
    """Leads see the link (with how many wait); agents see nothing (one query to know)."""
    user = context.get("user")
    return {"count": deliveries_to_check_count_for_lead(user=user) if user is not None else None}
