"""The code of conduct's escalation ladder.

Never reprimand a customer in public, with one exception: threats, racism and
abuse. Then the agent points politely to the brand's house rules, and if the
tirade goes on, the team stops helping. As steps:

1. **Flagged** (by the classifier on ingest, or by an agent): the mention is
   marked and its priority raised; while flagged, the only public answer is the
   brand's house rules (``mention_send_house_rules``), which records a strike.
2. **Escalated**: a further abusive message from the same person (linked
   contacts count as one) within the brand's repeat period of a warning, or any
   threat. The mention moves to the leads' queue (MentionStatus.ESCALATED: no
   assignee, out of every agent's queue, so assistance on the thread stops at
   once); the brand's policy may hide the abusive comments; a strike is recorded.
3. **Lead review**: *uphold* closes the mention with the reason ``conduct_upheld``
   (this is "closed with the reason": escalation stops the help, the lead's
   decision closes the thread); *lift* unhides, clears the flags and lifts the
   case's strikes, and the mention goes back to the agents' queue; *forward*
   sends a threat to the brand's security contact (e-mail and signed webhook,
   after commit, in a task) and closes the mention like uphold.

While a person has an active strike, their new mentions arrive marked "after
warning" and go straight to the leads (``messages_screen``).

Every step is one transaction: the case's status through
``inbox.services.transitions.conduct_transition`` (with its event and reason
code), the mention's through ``mention_transition``, side effects after commit.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Collection, Iterable
from typing import TypeVar

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from inbox.exceptions import Conflict, Invalid, NotAllowed, NotFound
from inbox.models import (
    OPEN_STATUSES,
    AbuseClass,
    BrandTextKind,
    Category,
    ConductCase,
    ConductPolicy,
    ConductReason,
    ConductStatus,
    Contact,
    Delivery,
    DeliveryKind,
    DeliveryState,
    Direction,
    Event,
    EventAction,
    ForwardState,
    Mention,
    MentionStatus,
    Message,
    Priority,
    Role,
    SecurityForward,
    Strike,
    StrikeKind,
    User,
    Visibility,
)
from inbox.selectors import mention_get_for_agent, user_role_in_team
from inbox.services.mentions import mention_escalate
from inbox.services.moderation import message_hide, message_unhide
from inbox.services.replies import answer_in_channel, brand_text_for
from inbox.services.transitions import conduct_transition, mention_transition

logger = logging.getLogger(__name__)
S = MentionStatus
C = ConductStatus
FORWARD_TASK = "inbox.conduct_forward_send"
#: Hide and unhide deliveries still in play (a hide that failed or was cancelled hid nothing).
_LIVE = (DeliveryState.PENDING, DeliveryState.SENDING, DeliveryState.SENT, DeliveryState.NEEDS_REVIEW)

T = TypeVar("T")


# --- Reading the policy and the record ----------------------------------------------------


def conduct_policy_for(*, brand_id: int) -> ConductPolicy:
    """The brand's policy, or the defaults (unsaved) when an admin has not set one."""
    return ConductPolicy.objects.filter(brand_id=brand_id).first() or ConductPolicy(brand_id=brand_id)


def linked_contact_ids(*, contact_ids: Iterable[int]) -> dict[int, set[int]]:
    """For each contact, itself and every contact a lead linked to the same person."""
    contacts = list(Contact.objects.filter(pk__in=set(contact_ids)).values_list("pk", "person_id"))
    people = {person for _pk, person in contacts if person is not None}
    by_person: dict[int, set[int]] = {}
    for pk, person in Contact.objects.filter(person_id__in=people).values_list("pk", "person_id"):
        by_person.setdefault(person, set()).add(pk)
    return {pk: (by_person.get(person, set()) | {pk}) if person else {pk} for pk, person in contacts}


def active_strikes(*, contact_ids: Collection[int], now: dt.datetime | None = None) -> Q:
    """Filter for strikes that still count: not lifted, not expired."""
    return Q(contact_id__in=list(contact_ids), lifted_at__isnull=True, expires_at__gt=now or timezone.now())


def _warned_recently(contact_ids: Collection[int], policy: ConductPolicy, now: dt.datetime) -> bool:
    since = now - dt.timedelta(days=policy.repeat_period_days)
    return Strike.objects.filter(active_strikes(contact_ids=contact_ids, now=now), created_at__gte=since).exists()


def house_rules_text(*, mention: Mention) -> str:
    """The brand's house-rules pointer in the mention's language, else a polite default in that language."""
    return brand_text_for(
        mention=mention,
        kind=BrandTextKind.HOUSE_RULES,
        default=lambda: _(
            "We are glad to help you, and we ask everyone here to keep it respectful. "
            "Our house rules apply to every conversation on this page."
        ),
    )


# --- Small writers ------------------------------------------------------------------------------


def retry_on_conflict(action: Callable[[], T], attempts: int = 5) -> T:
    """Re-read and retry when an agent changed the mention this very instant (ingest cannot ask anyone)."""
    for attempt in range(attempts):
        try:
            with transaction.atomic():
                return action()
        except Conflict:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def mention_raise_priority(*, mention: Mention, priority: int, reason: str, actor: User | None) -> None:
    """Raise (never lower) a mention's priority, with its event; ``mention`` is updated in place."""
    if mention.priority >= priority:
        return
    updated = Mention.objects.filter(pk=mention.pk, version=mention.version).update(
        priority=priority, version=F("version") + 1, updated_at=timezone.now()
    )
    if updated != 1:
        raise Conflict(_("Somebody changed this mention a moment ago; look again and retry."))
    Event.objects.create(
        actor=actor,
        action=EventAction.PRIORITY_CHANGED,
        mention_id=mention.pk,
        reason=reason,
        data={"changes": {"priority": [mention.priority, priority]}},
    )
    mention.priority, mention.version = priority, mention.version + 1


def mention_set_flags(*, mention: Mention, **flags: bool) -> None:
    """Flags are not status: a plain update, but one that bumps the version so stale writers notice."""
    changed = {name: value for name, value in flags.items() if getattr(mention, name) != value}
    if not changed:
        return
    updated = Mention.objects.filter(pk=mention.pk, version=mention.version).update(
        version=F("version") + 1, updated_at=timezone.now(), **changed
    )
    if updated != 1:
        raise Conflict(_("Somebody changed this mention a moment ago; look again and retry."))
    for name, value in changed.items():
        setattr(mention, name, value)
    mention.version += 1


def _record_strike(
    case: ConductCase, kind: str, policy: ConductPolicy, actor: User | None, delivery: Delivery | None = None
) -> Strike | None:
    if case.contact_id is None:
        return None  # nobody to hold it against (a contact that was erased)
    now = timezone.now()
    return Strike.objects.create(
        contact_id=case.contact_id,
        case=case,
        brand_id=case.brand_id,
        kind=kind,
        delivery=delivery,
        created_by=actor,
        created_at=now,
        expires_at=now + dt.timedelta(days=policy.strike_expiry_days),
    )


# --- Step 1 and 2: abuse is found ------------------------------------------------------------


def conduct_abuse_found(
    *, mention_id: int, message_id: int | None, classes: Collection[str], actor: User | None
) -> ConductCase:
    """Put a mention on the ladder, or move it up: flag it, or escalate on a threat or a repeat.

    Called by ingest (``actor`` None) for each newly abusive customer message, and
    by ``mention_flag_abusive`` for an agent. Safe to call again for the same message.
    """
    return retry_on_conflict(lambda: _abuse_found(mention_id, message_id, set(classes), actor))


def _abuse_found(mention_id: int, message_id: int | None, classes: set[str], actor: User | None) -> ConductCase:
    mention = Mention.objects.select_related("account").get(pk=mention_id)
    policy = conduct_policy_for(brand_id=mention.account.brand_id)
    now = timezone.now()
    if message_id is not None:
        Message.objects.filter(pk=message_id, is_abusive=False).update(is_abusive=True)
    mention_set_flags(mention=mention, is_abusive=True)
    threat = AbuseClass.THREAT in classes
    mention_raise_priority(mention=mention, priority=Priority.URGENT if threat else Priority.HIGH, reason="conduct",
                           actor=actor)

    reason = ConductReason.AGENT_FLAG if actor else ConductReason.THREAT if threat else ConductReason.ABUSIVE_LANGUAGE
    case = ConductCase.objects.filter(mention_id=mention.pk).first()
    if case is None:
        case = ConductCase.objects.create(
            mention=mention,
            contact_id=mention.contact_id,
            brand_id=mention.account.brand_id,
            status=C.FLAGGED,
            reason=reason,
            classes=sorted(classes),
            flagged_by=actor,
        )
        Event.objects.create(
            actor=actor, action=EventAction.CONDUCT_FLAGGED, mention_id=mention.pk, contact_id=mention.contact_id,
            to_status=C.FLAGGED, reason=reason, data={"conduct": case.pk, "classes": case.classes,
                                                      **({"message": message_id} if message_id else {})},
        )
    else:
        merged = sorted(set(case.classes) | classes)
        if merged != case.classes:
            ConductCase.objects.filter(pk=case.pk).update(classes=merged)
            case.classes = merged

    people: set[int] = set()
    if mention.contact_id:
        people = linked_contact_ids(contact_ids=[mention.contact_id]).get(mention.contact_id, set())
    repeat = bool(people) and _warned_recently(people, policy, now)
    if threat or repeat:
        _escalate(case, mention, ConductReason.THREAT if threat else ConductReason.REPEAT_AFTER_WARNING, policy, actor)
    elif case.status in (C.LIFTED, C.WARNED):
        # Lifted earlier, or warned so long ago the warning no longer counts: flagged afresh.
        conduct_transition(
            case=case, to=C.FLAGGED, allowed_from={C.LIFTED, C.WARNED}, action=EventAction.CONDUCT_FLAGGED,
            actor=actor, reason=reason, data={"classes": case.classes},
        )
    return case


def _escalate(case: ConductCase, mention: Mention, reason: str, policy: ConductPolicy, actor: User | None) -> None:
    if case.status == C.ESCALATED:
        return  # already with the leads; the new message is on the thread for them to read
    now = timezone.now()
    strike = _record_strike(case, StrikeKind.ESCALATION, policy, actor)
    conduct_transition(
        case=case, to=C.ESCALATED, allowed_from={C.FLAGGED, C.WARNED, C.LIFTED, C.UPHELD, C.FORWARDED},
        action=EventAction.CONDUCT_ESCALATED, actor=actor, reason=reason,
        values={"escalated_at": now}, data={"classes": case.classes, **({"strike": strike.pk} if strike else {})},
    )
    if mention.status in (S.NEW, S.CLAIMED, S.WAITING):
        mention_escalate(user=actor, mention=mention, reason=reason)
    elif mention.status == S.CLOSED:
        # An upheld thread the customer abuses again: back to the leads.
        mention_transition(
            mention=mention, to=S.NEW, allowed_from={S.CLOSED}, action=EventAction.REOPENED, actor=actor,
            values={"closed_at": None, "assignee": None, "claimed_at": None,
                    "waiting_since": mention.last_inbound_at or now},
            reason=reason,
        )
        mention_escalate(user=actor, mention=mention, reason=reason)
    if policy.hide_on_escalation and mention.visibility == Visibility.PUBLIC:
        for message_id in _hideable_abusive_messages(mention.pk):
            message_hide(user=None, message_id=message_id, reason="conduct_escalated")


def _hideable_abusive_messages(mention_id: int) -> list[int]:
    return list(
        Message.objects.filter(
            mention_id=mention_id, direction=Direction.INBOUND, is_abusive=True, hidden=False,
            deleted_on_platform=False, platform_id__isnull=False,
        ).values_list("pk", flat=True)
    )


def mention_flag_abusive(*, user: User, mention_id: int, abuse_class: str) -> ConductCase:
    """An agent flags what the classifier missed; a threat goes to the leads at once."""
    mention = mention_get_for_agent(user=user, mention_id=mention_id)
    if user_role_in_team(user=user, team_id=mention.team_id) is None:
        raise NotAllowed(_("You are not a member of this mention's team."))
    if abuse_class not in AbuseClass.values:
        raise Invalid(_("Choose threat, hate or insult."), code="abuse_class")
    if not mention.is_open:
        raise Invalid(_("This mention is closed; reopen it before you flag it."), code="closed")
    latest = (
        Message.objects.filter(mention_id=mention.pk, direction=Direction.INBOUND)
        .order_by("-posted_at", "-id").values_list("pk", flat=True).first()
    )
    return conduct_abuse_found(mention_id=mention.pk, message_id=latest, classes={abuse_class}, actor=user)


# --- Step 1: the house rules ---------------------------------------------------------------------


def mention_send_house_rules(*, user: User, mention_id: int) -> Delivery:
    """Answer a flagged mention with the brand's house rules; records a strike on the contact."""
    mention = mention_get_for_agent(user=user, mention_id=mention_id)
    mention = Mention.objects.select_related("account__brand", "contact", "assignee").get(pk=mention.pk)
    case = ConductCase.objects.filter(mention_id=mention.pk).first()
    if case is None or case.status != C.FLAGGED:
        raise Conflict(
            _("The house rules are for a flagged mention, and this one is not (or no longer) flagged."),
            code="not_flagged",
        )
    policy = conduct_policy_for(brand_id=mention.account.brand_id)
    with transaction.atomic():
        delivery = answer_in_channel(
            user=user, mention=mention, text=house_rules_text(mention=mention), event_data={"conduct": case.pk}
        )
        strike = _record_strike(case, StrikeKind.WARNING, policy, user, delivery)
        conduct_transition(
            case=case, to=C.WARNED, allowed_from={C.FLAGGED}, action=EventAction.HOUSE_RULES_SENT, actor=user,
            reason=ConductReason.HOUSE_RULES_SENT,
            data={"delivery": delivery.pk, **({"strike": strike.pk} if strike else {})},
        )
    return delivery


def conduct_after_undo(*, delivery: Delivery, user: User) -> None:
    """The house rules taken back inside the undo window: no strike, the mention flagged again."""
    strike = Strike.objects.filter(delivery=delivery, lifted_at__isnull=True).select_related("case").first()
    if strike is None:
        return
    Strike.objects.filter(pk=strike.pk, lifted_at__isnull=True).update(
        lifted_at=timezone.now(), lifted_by=user, lift_reason=ConductReason.HOUSE_RULES_UNDONE
    )
    if strike.case.status == C.WARNED:
        conduct_transition(
            case=strike.case, to=C.FLAGGED, allowed_from={C.WARNED}, action=EventAction.CONDUCT_FLAGGED, actor=user,
            reason=ConductReason.HOUSE_RULES_UNDONE, data={"strike": strike.pk},
        )


# --- Step 3: the leads' review ----------------------------------------------------------------------


def _case_for(user: User, case_id: int, *, lead_only: bool = True) -> tuple[ConductCase, Mention]:
    case = ConductCase.objects.select_related("mention__account").filter(pk=case_id).first()
    role = user_role_in_team(user=user, team_id=case.mention.team_id) if case else None
    if case is None or role is None:
        raise NotFound(_("This case does not exist, or it is not in one of your teams."))
    if lead_only and role != Role.LEAD:
        raise NotAllowed(_("Only a team lead can review a code of conduct case."))
    return case, case.mention


def _close_category(policy: ConductPolicy, category_id: int | None) -> Category:
    category = None
    if category_id:
        category = Category.objects.filter(pk=category_id, is_active=True).first()
    elif policy.close_category_id:
        category = Category.objects.filter(pk=policy.close_category_id, is_active=True).first()
    if category is None:
        raise Invalid(_("Choose what this mention was about before you close it."), code="category_required")
    return category


def _close_mention(mention: Mention, user: User, category: Category, reason: str) -> None:
    if mention.status not in OPEN_STATUSES:
        return
    mention_transition(
        mention=mention, to=S.CLOSED, allowed_from=set(OPEN_STATUSES), action=EventAction.CLOSED, actor=user,
        values={"category": category, "closed_at": timezone.now(), "waiting_since": None}, reason=reason,
    )


def conduct_uphold(*, user: User, case_id: int, category_id: int | None = None) -> ConductCase:
    """The lead agrees: the thread is closed with the reason ``conduct_upheld``; strikes stay."""
    case, mention = _case_for(user, case_id)
    category = _close_category(conduct_policy_for(brand_id=case.brand_id), category_id)
    with transaction.atomic():
        conduct_transition(
            case=case, to=C.UPHELD, allowed_from={C.ESCALATED}, action=EventAction.CONDUCT_UPHELD, actor=user,
            reason=ConductReason.UPHELD, values={"reviewed_by": user, "reviewed_at": timezone.now()},
        )
        _close_mention(mention, user, category, "conduct_upheld")
    return case


def conduct_lift(*, user: User, case_id: int) -> ConductCase:
    """Not abusive after all: unhide, clear the flags, lift the case's strikes, help the customer again.

    On a mention that is only flagged, its agent may do this (a false alarm); once
    house rules went out or the leads have it, only a lead can.
    """
    case, mention = _case_for(user, case_id, lead_only=False)
    role = user_role_in_team(user=user, team_id=mention.team_id)
    if role != Role.LEAD and not (case.status == C.FLAGGED and mention.assignee_id == user.pk):
        raise NotAllowed(_("Only a team lead, or the agent working on a flagged mention, can lift it."))
    reason = ConductReason.FALSE_POSITIVE if case.status == C.FLAGGED else ConductReason.LIFTED
    now = timezone.now()
    with transaction.atomic():
        lifted = list(Strike.objects.filter(case=case, lifted_at__isnull=True).values_list("pk", flat=True))
        Strike.objects.filter(pk__in=lifted).update(lifted_at=now, lifted_by=user, lift_reason=reason)
        conduct_transition(
            case=case, to=C.LIFTED, allowed_from={C.FLAGGED, C.WARNED, C.ESCALATED, C.UPHELD, C.FORWARDED},
            action=EventAction.CONDUCT_LIFTED, actor=user, reason=reason,
            values={"reviewed_by": user, "reviewed_at": now} if reason == ConductReason.LIFTED else {},
            data={"strikes": lifted},
        )
        Message.objects.filter(mention_id=mention.pk, is_abusive=True).update(is_abusive=False)
        mention.refresh_from_db()
        mention_set_flags(mention=mention, is_abusive=False)
        for message_id in _hidden_by_webcare(mention.pk):
            message_unhide(user=user, message_id=message_id, reason="conduct_lifted")
        back = {"assignee": None, "claimed_at": None, "closed_at": None,
                "waiting_since": mention.last_inbound_at or mention.opened_at}
        if mention.status in (S.ESCALATED, S.CLOSED):
            mention_transition(
                mention=mention, to=S.NEW, allowed_from={S.ESCALATED, S.CLOSED}, action=EventAction.REOPENED,
                actor=user, values=back, reason="conduct_lifted",
            )
    return case


def _hidden_by_webcare(mention_id: int) -> list[int]:
    """Messages whose latest live hide/unhide delivery is a hide."""
    latest: dict[int, str] = {}
    for message_id, kind in (
        Delivery.objects.filter(
            mention_id=mention_id, kind__in=[DeliveryKind.HIDE, DeliveryKind.UNHIDE], state__in=_LIVE
        )
        .order_by("created_at", "pk")
        .values_list("payload__message_id", "kind")
    ):
        if message_id is not None:
            latest[int(message_id)] = kind
    hidden = {pk for pk, kind in latest.items() if kind == DeliveryKind.HIDE}
    hidden |= set(Message.objects.filter(mention_id=mention_id, hidden=True).values_list("pk", flat=True))
    return sorted(hidden)


def conduct_forward(*, user: User, case_id: int, category_id: int | None = None) -> SecurityForward:
    """Send the case to the brand's security contact (after commit) and close the thread like uphold.

    A case already forwarded whose forward failed can be forwarded again.
    """
    case, mention = _case_for(user, case_id)
    policy = conduct_policy_for(brand_id=case.brand_id)
    if not (policy.security_email or policy.security_webhook_url):
        raise Invalid(
            _("This brand has no security contact yet; an admin sets one in the code of conduct policy."),
            code="no_security_contact",
        )
    in_flight_or_sent = case.forwards.filter(state__in=[ForwardState.PENDING, ForwardState.SENT])
    if case.status == C.FORWARDED and in_flight_or_sent.exists():
        raise Conflict(_("This case has already been forwarded."), code="already_forwarded")
    with transaction.atomic():
        if case.status != C.FORWARDED:
            category = _close_category(policy, category_id) if mention.status in OPEN_STATUSES else None
            conduct_transition(
                case=case, to=C.FORWARDED, allowed_from={C.ESCALATED, C.UPHELD}, action=EventAction.THREAT_FORWARDED,
                actor=user, reason=ConductReason.FORWARDED,
                values={"reviewed_by": user, "reviewed_at": timezone.now()},
            )
            if category is not None:
                _close_mention(mention, user, category, "threat_forwarded")
        else:
            Event.objects.create(
                actor=user, action=EventAction.THREAT_FORWARDED, mention_id=mention.pk, contact_id=case.contact_id,
                reason=ConductReason.FORWARDED, data={"conduct": case.pk, "again": True},
            )
        forward = SecurityForward.objects.create(case=case, requested_by=user)
        transaction.on_commit(lambda: _enqueue_forward(forward.pk))
    return forward


def _enqueue_forward(forward_id: int) -> None:
    from webcare.celery import app

    try:
        app.send_task(FORWARD_TASK, args=[forward_id])
    except Exception:  # the broker being down must not fail the lead's request; the sweeper re-sends
        logger.warning("Could not enqueue security forward %s; the sweeper will.", forward_id, exc_info=True)


def security_forwards_sweep(*, older_than: dt.timedelta = dt.timedelta(minutes=5)) -> int:
    """Re-enqueue forwards a lost task left pending. Returns how many."""
    due = list(
        SecurityForward.objects.filter(state=ForwardState.PENDING, updated_at__lt=timezone.now() - older_than)
        .values_list("pk", flat=True)[:100]
    )
    for forward_id in due:
        _enqueue_forward(forward_id)
    return len(due)
