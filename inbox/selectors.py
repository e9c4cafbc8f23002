"""Reads, scoped to who is asking. A mention outside your teams does not exist (404)."""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from inbox.exceptions import Invalid, NotFound
from inbox.models import (
    Category,
    Delivery,
    DeliveryKind,
    Event,
    Membership,
    Mention,
    MentionStatus,
    MentionTag,
    Message,
    Role,
    Tag,
    User,
)


def team_ids_for_user(*, user: User, role: str | None = None) -> list[int]:
    if not user.is_authenticated or not user.is_active:
        return []
    memberships = Membership.objects.filter(user_id=user.pk)
    if role is not None:
        memberships = memberships.filter(role=role)
    return list(memberships.values_list("team_id", flat=True))


def user_role_in_team(*, user: User, team_id: int) -> str | None:
    """The user's role in the team, or None. Superusers act as leads everywhere."""
    if user.is_superuser and user.is_active:
        return Role.LEAD
    if not user.is_authenticated or not user.is_active:
        return None
    return Membership.objects.filter(user_id=user.pk, team_id=team_id).values_list("role", flat=True).first()


def mentions_visible_to(*, user: User) -> QuerySet[Mention]:
    if user.is_superuser and user.is_active:
        return Mention.objects.all()
    return Mention.objects.filter(team_id__in=team_ids_for_user(user=user))


def mention_get_for_agent(*, user: User, mention_id: int) -> Mention:
    mention = mentions_visible_to(user=user).select_related("assignee").filter(pk=mention_id).first()
    if mention is None:
        raise NotFound(_("This mention does not exist, or it is not in one of your teams."))
    return mention


class Queue:
    UNCLAIMED = "unclaimed"
    MINE = "mine"
    TEAM = "team"
    WAITING = "waiting"
    ESCALATED = "escalated"
    CLOSED = "closed"
    ALL = (UNCLAIMED, MINE, TEAM, WAITING, ESCALATED, CLOSED)


QUEUE_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class QueuePage:
    mentions: list[Mention]
    next_cursor: str | None


def _bad_cursor() -> Invalid:
    return Invalid(_("This page link is no longer valid; start again from the first page."), code="bad_cursor")


def _encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, size: int) -> list[Any]:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError):
        values = None
    if not isinstance(values, list) or len(values) != size:
        raise _bad_cursor()
    return values


def _parse_time(value: Any) -> dt.datetime:
    if not isinstance(value, str):
        raise _bad_cursor()
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise _bad_cursor() from None
    if parsed.tzinfo is None:
        raise _bad_cursor()
    return parsed


def _queue_filter(user: User, queue: str) -> Q:
    if queue == Queue.MINE:
        return Q(assignee_id=user.pk, status=MentionStatus.CLAIMED)
    status = {
        Queue.UNCLAIMED: MentionStatus.NEW,
        Queue.WAITING: MentionStatus.WAITING,
        Queue.ESCALATED: MentionStatus.ESCALATED,
        Queue.CLOSED: MentionStatus.CLOSED,
    }.get(queue)
    if status is not None:
        return Q(status=status)
    if queue == Queue.TEAM:
        return Q(status__in=[MentionStatus.NEW, MentionStatus.CLAIMED, MentionStatus.WAITING, MentionStatus.ESCALATED])
    raise Invalid(_("Unknown queue."), code="bad_queue")


@dataclass(frozen=True)
class QueueFilters:
    """What an agent can narrow a queue down to. Every field is typed: nothing reaches SQL as text to interpret."""

    brand_id: int | None = None
    account_id: int | None = None
    platform: str = ""
    language: str = ""
    tag: str = ""
    priority: int | None = None
    personal_data: bool | None = None
    abusive: bool | None = None

    def as_q(self) -> Q:
        q = Q()
        if self.brand_id is not None:
            q &= Q(account__brand_id=self.brand_id)
        if self.account_id is not None:
            q &= Q(account_id=self.account_id)
        if self.platform:
            q &= Q(account__platform=self.platform)
        if self.language:
            q &= Q(language=self.language)
        if self.priority is not None:
            q &= Q(priority=self.priority)
        if self.personal_data is not None:
            q &= Q(has_personal_data=self.personal_data)
        if self.abusive is not None:
            q &= Q(is_abusive=self.abusive)
        if self.tag:
            q &= Q(Exists(MentionTag.objects.filter(mention_id=OuterRef("pk"), tag__name=self.tag)))
        return q

    @property
    def active(self) -> bool:
        return self != QueueFilters()


def _queue_rows(
    *, user: User, queue: str, filters: QueueFilters | None, extra: Q | None, cursor: str | None
) -> QuerySet[Mention]:
    rows = mentions_visible_to(user=user).filter(_queue_filter(user, queue))
    if filters is not None:
        rows = rows.filter(filters.as_q())
    if extra is not None:
        rows = rows.filter(extra)
    if queue == Queue.CLOSED:
        rows = rows.order_by("-closed_at", "-id")
        if cursor:
            closed_at, pk = _decode_cursor(cursor, 2)
            at = _parse_time(closed_at)
            try:
                pk = int(pk)
            except (TypeError, ValueError):
                raise _bad_cursor() from None
            rows = rows.filter(Q(closed_at__lt=at) | Q(closed_at=at, id__lt=pk))
        return rows
    rows = rows.order_by("-priority", "waiting_since", "id")
    if cursor:
        priority, waiting_since, pk = _decode_cursor(cursor, 3)
        try:
            priority, pk = int(priority), int(pk)
        except (TypeError, ValueError):
            raise _bad_cursor() from None
        if waiting_since is None:
            rows = rows.filter(Q(priority__lt=priority) | Q(priority=priority, waiting_since__isnull=True, id__gt=pk))
        else:
            at = _parse_time(waiting_since)
            rows = rows.filter(
                Q(priority__lt=priority)
                | Q(priority=priority, waiting_since__gt=at)
                | Q(priority=priority, waiting_since__isnull=True)
                | Q(priority=priority, waiting_since=at, id__gt=pk)
            )
    return rows


#: What a queue row (the page and the API) shows. Loading only these keeps a page of
#: 50 wide rows (and their account, brand, contact and assignee) cheap to build.
QUEUE_ROW_FIELDS = (
    "id", "status", "kind", "visibility", "priority", "language", "team_id", "preview", "has_personal_data",
    "is_abusive", "after_warning", "public_reply_allowed", "waiting_since", "opened_at", "closed_at", "updated_at", "version",
    "account__id", "account__platform", "account__handle", "account__brand__id", "account__brand__name",
    "contact__id", "contact__platform", "contact__external_id", "contact__handle", "contact__name",
    "contact__follower_count", "contact__verified", "contact__person_id",
    "assignee__id", "assignee__username", "assignee__first_name", "assignee__last_name", "assignee__display_name",
)


def mention_queue_for_agent(
    *,
    user: User,
    queue: str = Queue.UNCLAIMED,
    filters: QueueFilters | None = None,
    extra: Q | None = None,
    cursor: str | None = None,
    limit: int = QUEUE_PAGE_SIZE,
) -> QueuePage:
    """One page of a queue in the user's teams, by priority then longest waiting (closed: newest first).

    Keyset pagination: the cursor is the last row's sort key, so page 1,000 costs
    what page 1 costs.
    """
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    rows = _queue_rows(user=user, queue=queue, filters=filters, extra=extra, cursor=cursor)
    page = list(rows.select_related("account__brand", "contact", "assignee").only(*QUEUE_ROW_FIELDS)[: limit + 1])
    next_cursor = None
    if len(page) > limit:
        page = page[:limit]
        last = page[-1]
        if queue == Queue.CLOSED:
            next_cursor = _encode_cursor([last.closed_at.isoformat() if last.closed_at else None, last.pk])
        else:
            next_cursor = _encode_cursor(
                [last.priority, last.waiting_since.isoformat() if last.waiting_since else None, last.pk]
            )
    return QueuePage(mentions=page, next_cursor=next_cursor)


def mention_queue_fingerprint_for_agent(
    *,
    user: User,
    queue: str,
    filters: QueueFilters | None = None,
    cursor: str | None = None,
    limit: int = QUEUE_PAGE_SIZE,
) -> list[tuple[int, Any]]:
    """(id, updated_at) of the rows the page shows: what the live check compares, without loading whole rows.

    Every change an agent must see on the list (a new mention, a claim, a close,
    a customer writing again) moves ``updated_at`` or the set of ids.
    """
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    rows = _queue_rows(user=user, queue=queue, filters=filters, extra=None, cursor=cursor)
    return list(rows.values_list("id", "updated_at")[:limit])


#: Counters stop counting here; the UI shows "99+". A count that never reads more
#: than a hundred index entries costs the same at a million mentions as at ten.
COUNT_CAP = 99
COUNTED_QUEUES = (Queue.UNCLAIMED, Queue.MINE, Queue.TEAM, Queue.WAITING, Queue.ESCALATED)


def queue_counts_for_agent(*, user: User, cap: int = COUNT_CAP) -> dict[str, int]:
    """How many mentions each open queue holds, up to ``cap + 1`` (more means "more than cap")."""
    visible = mentions_visible_to(user=user)
    return {
        queue: visible.filter(_queue_filter(user, queue)).values("id")[: cap + 1].count() for queue in COUNTED_QUEUES
    }


HISTORY_LIMIT = 10
EVENT_LIMIT = 100


@dataclass(frozen=True)
class MentionDetail:
    """Everything the mention page shows, read in a fixed number of queries."""

    mention: Mention
    messages: list[Message]
    deliveries: list[Delivery]
    events: list[Event]
    tags: list[str]
    history: list[Mention]
    linked: list[Mention]
    categories: list[Category]


def mention_detail_for_agent(*, user: User, mention_id: int) -> MentionDetail:
    """The mention, its thread, notes, deliveries, event log, and the contact's history in the user's teams."""
    visible = mentions_visible_to(user=user)
    mention = (
        visible.select_related(
            "account__brand", "contact__person", "assignee", "context_post", "category", "public_mention"
        )
        .filter(pk=mention_id)
        .first()
    )
    if mention is None:
        raise NotFound(_("This mention does not exist, or it is not in one of your teams."))
    messages = list(
        Message.objects.filter(mention=mention)
        .select_related("author_user", "author_contact", "delivery")
        .order_by("posted_at", "id")
    )
    deliveries = list(
        Delivery.objects.filter(mention=mention).select_related("created_by").order_by("created_at", "id")
    )
    moderation = {
        delivery.payload.get("message_id"): delivery
        for delivery in deliveries
        if delivery.kind in (DeliveryKind.HIDE, DeliveryKind.UNHIDE)
    }
    for message in messages:
        # The latest hide/unhide asked for this message, shown beside it while it is on its way.
        message.moderation = moderation.get(message.pk)  # type: ignore[attr-defined]
    events = list(
        Event.objects.filter(mention=mention).select_related("actor").order_by("-created_at", "-id")[:EVENT_LIMIT]
    )
    tags = list(Tag.objects.filter(mentiontag__mention=mention).order_by("name").values_list("name", flat=True))
    history: list[Mention] = []
    if mention.contact is not None:
        # Across brands and platforms through the person a lead linked, but only
        # what this agent's teams may see.
        same_person = Q(contact_id=mention.contact_id)
        if mention.contact.person_id is not None:
            same_person |= Q(contact__person_id=mention.contact.person_id)
        history = list(
            visible.filter(same_person)
            .exclude(pk=mention.pk)
            .select_related("account__brand", "contact")
            .order_by("-opened_at", "-id")[:HISTORY_LIMIT]
        )
    linked_q = Q(public_mention_id=mention.pk)
    if mention.public_mention_id is not None:
        linked_q |= Q(pk=mention.public_mention_id)
    linked = list(visible.filter(linked_q).select_related("account").order_by("id"))
    categories = list(Category.objects.filter(is_active=True).order_by("name"))
    return MentionDetail(
        mention=mention,
        messages=messages,
        deliveries=deliveries,
        events=events,
        tags=tags,
        history=history,
        linked=linked,
        categories=categories,
    )


def mention_live_version_for_agent(*, user: User, mention_id: int) -> int:
    """The newest event of a mention: every change to it, its thread or its deliveries writes one."""
    mention_get_for_agent(user=user, mention_id=mention_id)
    latest = Event.objects.filter(mention_id=mention_id).order_by("-id").values_list("id", flat=True).first()
    return latest or 0
