"""Small helpers for the agent's templates. None of them marks anything safe."""

from __future__ import annotations

import datetime as dt
import re

from django import template
from django.utils import timezone

from inbox.models import ConductStatus, DeliveryState, MentionStatus

register = template.Library()

# Bidi controls (embeddings, overrides, isolates, marks) and zero-width characters:
# invisible, and able to make a name or a link read differently than it is.
_HIDDEN = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


@register.filter
def has_hidden_characters(value: object) -> bool:
    return bool(_HIDDEN.search(str(value or "")))


@register.filter
def seconds_until(value: dt.datetime | None) -> int:
    if value is None:
        return 0
    return max(0, round((value - timezone.now()).total_seconds()))


@register.filter
def long_text(value: str | None, limit: int = 5000) -> bool:
    return len(value or "") > limit


@register.filter
def head(value: str | None, limit: int = 5000) -> str:
    return (value or "")[:limit]


# A mention's history also shows code of conduct steps (flagged -> warned ...); where a value
# means both ("escalated"), the mention's own word wins.
_STATE_LABELS = {**dict(ConductStatus.choices), **dict(DeliveryState.choices), **dict(MentionStatus.choices)}


@register.filter
def state_label(value: str) -> str:
    """A status or delivery state as people say it, in their language."""
    return str(_STATE_LABELS.get(value, value))
