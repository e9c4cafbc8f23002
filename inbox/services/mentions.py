"""Claiming, handing over, closing and reopening mentions."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from inbox.exceptions import Conflict, Invalid, NotAllowed
from inbox.models import (
    Category,
    Direction,
    Event,
    EventAction,
    Mention,
    MentionStatus,
    MentionTag,
    Message,
    Priority,
    Role,
    Tag,
    User,
)
from inbox.selectors import mention_get_for_agent, team_ids_for_user, user_role_in_team
from inbox.services.transitions import mention_claim_next_statement, mention_transition

S = MentionStatus


def _require_member(user: User, mention: Mention) -> str:
    role = user_role_in_team(user=user, team_id=mention.team_id)
    if role is None:
        raise NotAllowed(_("You are not a member of this mention's team."))
    return role


def _require_assignee_or_lead(user: User, mention: Mention) -> None:
    role = _require_member(user, mention)
    if role != Role.LEAD and mention.assignee_id != user.pk:
        raise NotAllowed(_("Only the agent who claimed this mention, or a team lead, can do this."))


def _claimed_elsewhere(mention: Mention) -> Conflict:
    if mention.status in (S.CLAIMED, S.WAITING) and mention.assignee is not None:
        return Conflict(
            _("%(name)s got there first: this mention is already claimed.") % {"name": mention.assignee},
            code="already_claimed",
            assignee=mention.assignee_id,
        )
    return Conflict(
        _("This mention is now “%(status)s” and cannot be claimed.") % {"status": mention.get_status_display()},
        current_status=mention.status,
    )


def _claim(mention: Mention, user: User) -> Mention:
    now = timezone.now()
    return mention_transition(
        mention=mention,
        to=S.CLAIMED,
        allowed_from={S.NEW},
        action=EventAction.CLAIMED,
        actor=user,
        values={"assignee": user, "claimed_at": now},
        refuse=_claimed_elsewhere,
    )


def mention_claim(*, user: User, mention_id: int) -> Mention:
    mention = mention_get_for_agent(user=user, mention_id=mention_id)
    _require_member(user, mention)
    if mention.status == S.CLAIMED and mention.assignee_id == user.pk:
        return mention  # a double click is not an error
    return _claim(mention, user)


#: What claiming needs to read; loading all columns of a wide row costs more than the SQL.
_CLAIM_FIELDS = ("id", "team_id", "status", "version", "priority", "waiting_since", "opened_at", "assignee_id")


def _unclaimed(team_id: int) -> QuerySet[Mention]:
    return (
        Mention.objects.filter(team_id=team_id, status=S.NEW)
        .order_by("-priority", "waiting_since", "id")
        .only(*_CLAIM_FIELDS)
        .select_for_update(skip_locked=True, of=("self",))
    )


def mention_claim_next(*, user: User, team_ids: Collection[int] | None = None) -> int | None:
    """Claim the most urgent unclaimed mention in the user's teams; its id, or None when there is none.

    Rows another transaction is claiming right now are skipped, so thirty agents
    pressing "next" at once each get a different mention without waiting. Returns
    the id only: the caller loads what it shows (a redirect needs nothing more).
    """
    if connection.vendor == "postgresql":
        mention_id = mention_claim_next_statement(user=user, team_ids=team_ids)
    else:
        mention_id = _claim_next_portable(user, team_ids)
    if mention_id is None and not _claimable_teams(user, team_ids):
        raise NotAllowed(_("You are not a member of any team with a queue."))
    return mention_id


def _claimable_teams(user: User, team_ids: Collection[int] | None) -> list[int]:
    teams = team_ids_for_user(user=user)
    if team_ids is not None:
        wanted = set(team_ids)
        teams = [team for team in teams if team in wanted]
    return teams


def _claim_next_portable(user: User, team_ids: Collection[int] | None) -> int | None:
    """The same claim through the ORM, for SQLite (which serialises writers and has no SKIP LOCKED)."""
    with transaction.atomic():
        # One locked candidate per team (each an index scan on the unclaimed
        # queue index), then the most urgent of those; the others unlock at commit.
        candidates = [m for m in (_unclaimed(team).first() for team in _claimable_teams(user, team_ids)) if m]
        if not candidates:
            return None
        best = min(candidates, key=lambda m: (-m.priority, m.waiting_since or m.opened_at, m.pk))
        return _claim(best, user).pk


def mention_release(*, user: User, mention_id: int) -> Mention:
    mention = mention_get_for_agent(user=user, mention_id=mention_id)
    _require_assignee_or_lead(user, mention)
    return mention_transition(
        mention=mention,
        to=S.NEW,
        allowed_from={S.CLAIMED, S.WAITING},
        action=EventAction.RELEASED,
        actor=user,
        values={
            "assignee": None,
            "claimed_at": None,
            "waiting_since": mention.waiting_since or mention.last_inbound_at or mention.opened_at,
        },
    )


def mention_assign(*, user: User, mention_id: int, assignee_id: int) -> Mention:
    mention = mention_get_for_agent(user=user, mention_id=mention_id)
    if _require_member(user, mention) != Role.LEAD:
        raise NotAllowed(_("Only a team lead can assign mentions."))
    assignee = User.objects.filter(pk=assignee_id, is_active=True).first()
    if assignee is None or user_role_in_team(user=assignee, team_id=mention.team_id) is None:
        raise Invalid(_("The person you chose is not an active member of this mention's team."))
    return mention_transition(
        mention=mention,
        to=S.CLAIMED,
        allowed_from={S.NEW, S.CLAIMED, S.WAITING, S.ESCALATED},
        action=EventAction.ASSIGNED,
        actor=user,
        values={"assignee": assignee, "claimed_at": timezone.now()},
    )


def mention_close(*, user: User, mention_id: int, category_id: int | None, reason: str = "") -> Mention:
    mention = mention_get_for_agent(user=user, mention_id=mention_id)
    role = _require_member(user, mention)
    if mention.status in (S.NEW, S.ESCALATED) and role != Role.LEAD:
        raise NotAllowed(_("Claim this mention before you close it."))
    if mention.status in (S.CLAIMED, S.WAITING):
        _require_assignee_or_lead(user, mention)
    category = Category.objects.filter(pk=category_id, is_active=True).first() if category_id else None
    if category is None:
        raise Invalid(_("Choose what this mention was about before you close it."), code="category_required")
    return mention_transition(
        mention=mention,
        to=S.CLOSED,
        allowed_from={S.NEW, S.CLAIMED, S.WAITING, S.ESCALATED},
        action=EventAction.CLOSED,
        actor=user,
        values={"category": category, "closed_at": timezone.now(), "waiting_since": None},
        reason=reason,
    )


def mention_reopen(*, user: User, mention_id: int) -> Mention:
    """An agent takes a closed mention back up; it comes back claimed by them."""
    mention = mention_get_for_agent(user=user, mention_id=mention_id)
    _require_member(user, mention)
    return mention_transition(
        mention=mention,
        to=S.CLAIMED,
        allowed_from={S.CLOSED},
        action=EventAction.REOPENED,
        actor=user,
        values={"assignee": user, "claimed_at": timezone.now(), "closed_at": None},
    )


def mention_escalate(*, user: User | None, mention: Mention, reason: str) -> Mention:
    """Hand a mention to the team leads' queue (code of conduct, threats, crises)."""
    if user is not None:
        _require_member(user, mention)
    return mention_transition(
        mention=mention,
        to=S.ESCALATED,
        allowed_from={S.NEW, S.CLAIMED, S.WAITING},
        action=EventAction.ESCALATED,
        actor=user,
        values={"assignee": None, "claimed_at": None},
        reason=reason,
    )


def mention_set_priority(*, user: User, mention_id: int, priority: int) -> Mention:
    mention = mention_get_for_agent(user=user, mention_id=mention_id)
    _require_assignee_or_lead(user, mention)
    if priority not in Priority.values:
        raise Invalid(_("Unknown priority."))
    if priority == mention.priority:
        return mention
    with transaction.atomic():
        updated = Mention.objects.filter(pk=mention.pk, version=mention.version).update(
            priority=priority, version=mention.version + 1, updated_at=timezone.now()
        )
        if updated != 1:
            raise Conflict(_("Somebody changed this mention a moment ago; look again and retry."))
        Event.objects.create(
            actor=user,
            action=EventAction.PRIORITY_CHANGED,
            mention=mention,
            data={"changes": {"priority": [mention.priority, priority]}},
        )
    mention.priority, mention.version = priority, mention.version + 1
    return mention


NOTE_MAX_LENGTH = 5000


def mention_add_note(*, user: User, mention_id: int, text: str) -> Message:
    mention = mention_get_for_agent(user=user, mention_id=mention_id)
    _require_member(user, mention)
    text = text.strip()
    if not text:
        raise Invalid(_("A note cannot be empty."))
    if len(text) > NOTE_MAX_LENGTH:
        raise Invalid(_("A note can be at most %(limit)d characters.") % {"limit": NOTE_MAX_LENGTH})
    with transaction.atomic():
        note = Message.objects.create(
            mention=mention,
            account_id=mention.account_id,
            direction=Direction.NOTE,
            author_user=user,
            text=text,
            posted_at=timezone.now(),
        )
        Event.objects.create(actor=user, action=EventAction.NOTED, mention=mention, data={"message": note.pk})
    return note


def mention_set_tags(*, user: User, mention_id: int, tag_names: Iterable[str]) -> list[str]:
    """Replace the mention's tags; unknown names are created (tags are free-form labels)."""
    mention = mention_get_for_agent(user=user, mention_id=mention_id)
    _require_member(user, mention)
    wanted = sorted({name.strip()[:50] for name in tag_names if name and name.strip()})
    with transaction.atomic():
        before = sorted(mention.tags.values_list("name", flat=True))
        if wanted == before:
            return before
        tags = []
        for name in wanted:
            tag, _created = Tag.objects.get_or_create(name=name)
            tags.append(tag)
        MentionTag.objects.filter(mention=mention).exclude(tag__in=tags).delete()
        MentionTag.objects.bulk_create(
            [MentionTag(mention=mention, tag=tag) for tag in tags], ignore_conflicts=True
        )
        Event.objects.create(
            actor=user, action=EventAction.TAGGED, mention=mention, data={"changes": {"tags": [before, wanted]}}
        )
    return wanted
