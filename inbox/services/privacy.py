"""A contact's personal data: exported on request, erased on request, kept out of public answers.

Erasure keeps every mention, with its kind, brand, team, status, timings,
category and flags, so the statistics still add up; everything that says who
wrote it or what they wrote is removed: the contact's names and platform ids, all
texts, platform payloads, links and platform ids of their threads, posts they
wrote, our answers to them and the deliveries that carried those answers, and
their handle or name where other people's messages quote it. The event log holds
ids and codes only (never customer text), so it is left as it is; the erasure
itself is logged there.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import CharField, Q, TextField, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from inbox.conduct.selectors import contact_get_for_lead, is_admin
from inbox.detection.personal_data import mask_personal_data
from inbox.detection.rules import customer_patterns_for_brand
from inbox.exceptions import Conflict, Invalid, NotAllowed
from inbox.models import (
    ConductCase,
    Contact,
    Delivery,
    DeliveryState,
    Direction,
    Event,
    EventAction,
    Mention,
    Message,
    Person,
    Post,
    Role,
    Strike,
    User,
)
from inbox.selectors import user_role_in_team
from inbox.services.moderation import message_hide
from inbox.services.replies import MovedToPrivate, mention_move_to_private
from inbox.services.transitions import delivery_transition

ERASED = "[erased]"
_REFERENCE = re.compile(r"[A-Za-z0-9._/-]{0,40}")


# --- Hide and move to private, together -----------------------------------------------------------


def mention_hide_and_move_to_private(
    *, user: User, mention_id: int, private_text: str, public_text: str | None = None
) -> tuple[MovedToPrivate, list[Delivery]]:
    """Personal data in a public post: hide the posts that hold it and continue in private, in one go."""
    from inbox.conduct.selectors import personal_data_panel_for_agent
    from inbox.selectors import mention_get_for_agent

    mention = mention_get_for_agent(user=user, mention_id=mention_id)
    panel = personal_data_panel_for_agent(user=user, mention=mention)
    if not panel.hideable_message_ids:
        raise Invalid(_("There is no personal data left to hide in this conversation."), code="nothing_to_hide")
    with transaction.atomic():
        moved = mention_move_to_private(
            user=user, mention_id=mention_id, private_text=private_text, public_text=public_text
        )
        hides = [
            message_hide(user=user, message_id=message_id, reason="personal_data")
            for message_id in panel.hideable_message_ids
        ]
    return moved, hides


# --- Export ------------------------------------------------------------------------------------------------


def _masked(text: str, brand_id: int, masked: bool, cache: dict[int, Any]) -> str:
    if not masked or not text:
        return text
    if brand_id not in cache:
        cache[brand_id] = customer_patterns_for_brand(brand_id)
    return mask_personal_data(text, customer_patterns=cache[brand_id])


def contact_export_data(*, contact: Contact, masked: bool = True) -> dict[str, Any]:
    """Everything Webcare holds about one contact, as JSON-ready data (texts masked unless asked)."""
    patterns: dict[int, Any] = {}
    mentions = []
    for mention in (
        Mention.objects.filter(contact=contact).select_related("account__brand", "category").order_by("opened_at", "pk")
    ):
        brand_id = mention.account.brand_id
        messages = [
            {
                "id": message.pk,
                "from": "customer" if message.direction == Direction.INBOUND else "brand",
                "posted_at": message.posted_at.isoformat(),
                "text": _masked(message.text, brand_id, masked, patterns),
                "link": message.permalink,
                "hidden": message.hidden,
                "deleted_on_platform": message.deleted_on_platform,
            }
            for message in mention.messages.exclude(direction=Direction.NOTE).order_by("posted_at", "pk")
        ]
        mentions.append(
            {
                "id": mention.pk,
                "brand": mention.account.brand.name,
                "platform": mention.account.platform,
                "account": mention.account.handle,
                "kind": mention.kind,
                "visibility": mention.visibility,
                "status": mention.status,
                "language": mention.language,
                "category": mention.category.name if mention.category else None,
                "opened_at": mention.opened_at.isoformat(),
                "closed_at": mention.closed_at.isoformat() if mention.closed_at else None,
                "messages": messages,
            }
        )
    return {
        "exported_at": timezone.now().isoformat(),
        "personal_data_masked": masked,
        "contact": {
            "id": contact.pk,
            "platform": contact.platform,
            "platform_user_id": contact.external_id,
            "handle": contact.handle,
            "name": contact.name,
            "followers": contact.follower_count,
            "verified": contact.verified,
            "first_seen_at": contact.first_seen_at.isoformat(),
            "last_seen_at": contact.last_seen_at.isoformat(),
            "linked_contacts": list(
                Contact.objects.filter(person_id=contact.person_id).exclude(pk=contact.pk).values_list("pk", flat=True)
            )
            if contact.person_id
            else [],
            "erased_at": contact.erased_at.isoformat() if contact.erased_at else None,
        },
        "mentions": mentions,
        "code_of_conduct": {
            "cases": [
                {"mention_id": case.mention_id, "status": case.status, "reason": case.reason, "classes": case.classes,
                 "flagged_at": case.created_at.isoformat()}
                for case in ConductCase.objects.filter(contact=contact).order_by("created_at", "pk")
            ],
            "strikes": [
                {"kind": strike.kind, "brand": strike.brand.name, "recorded_at": strike.created_at.isoformat(),
                 "expires_at": strike.expires_at.isoformat(),
                 "lifted_at": strike.lifted_at.isoformat() if strike.lifted_at else None}
                for strike in Strike.objects.filter(contact=contact).select_related("brand").order_by("created_at")
            ],
        },
        "not_included": _("Internal notes of the team, and the audit log (which holds no texts)."),
    }


def contact_export(*, actor: User | None, contact_id: int, masked: bool = True) -> dict[str, Any]:
    """Export for a lead (texts masked), an admin, or the command line (``actor`` None). Audited."""
    if actor is not None:
        contact = contact_get_for_lead(user=actor, contact_id=contact_id)
        if not masked and not is_admin(actor):
            raise NotAllowed(_("Only an admin can export unmasked personal data."))
    else:
        contact = Contact.objects.get(pk=contact_id)
    data = contact_export_data(contact=contact, masked=masked)
    Event.objects.create(
        actor=actor, action=EventAction.CONTACT_EXPORTED, contact=contact,
        data={"masked": masked, "mentions": len(data["mentions"])},
    )
    return data


# --- Erasure -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ErasureReport:
    contact_id: int
    mentions: int
    messages: int
    deliveries: int
    posts: int
    elsewhere: int  # other people's texts that quoted the contact's handle or name
    already_erased: bool = False


def _require_may_erase(user: User, contact: Contact) -> None:
    if is_admin(user):
        return
    teams = set(Mention.objects.filter(contact=contact).values_list("team_id", flat=True))
    if not teams or any(user_role_in_team(user=user, team_id=team) != Role.LEAD for team in teams):
        raise NotAllowed(
            _("Only an admin, or a lead of every team this contact wrote to, can erase their data."),
            code="erase_not_allowed",
        )


def contact_erase(*, actor: User | None, contact_id: int, reference: str = "") -> ErasureReport:
    """Erase a contact's personal data for good, keeping their mentions anonymised. Audited; safe to repeat.

    ``reference``: a ticket or request number for the log (letters, digits, . _ - /), never a name.
    """
    if not _REFERENCE.fullmatch(reference):
        raise Invalid(_("A reference may only hold letters, digits and . _ - /."), code="reference")
    if actor is not None:
        contact = contact_get_for_lead(user=actor, contact_id=contact_id)
        _require_may_erase(actor, contact)
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact_id)
        if contact.erased_at is not None:
            return ErasureReport(contact.pk, 0, 0, 0, 0, 0, already_erased=True)
        mention_ids = list(Mention.objects.filter(contact=contact).values_list("pk", flat=True))
        messages = Message.objects.filter(Q(mention_id__in=mention_ids) | Q(author_contact=contact))
        own_posts = list(
            messages.filter(author_contact=contact).exclude(platform_id=None).values_list("account_id", "platform_id")
        )
        deliveries = Delivery.objects.filter(mention_id__in=mention_ids)
        _settle_deliveries(deliveries, actor)
        tokens = _identifying_tokens(contact)

        post_filter = Q(pk__in=[])
        for account_id, platform_id in own_posts:
            post_filter |= Q(account_id=account_id, platform_id=platform_id)
        if contact.name:
            post_filter |= Q(author_name__iexact=contact.name)
        erased_posts = Post.objects.filter(post_filter, is_own=False).update(
            text="", author_name="", raw={}, permalink="", platform_id=_erased_id()
        )

        erased_messages = messages.update(
            text="", raw={}, permalink="", platform_id=None, parent_platform_id="", screened_hash=""
        )
        # A sent answer keeps a (meaningless) platform id: "a delivery with a platform id is never sent again".
        deliveries.exclude(platform_id=None).update(platform_id=_erased_id())
        erased_deliveries = deliveries.update(payload={"erased": True}, target_platform_id="erased", last_error="")
        Mention.objects.filter(pk__in=mention_ids).update(preview="", platform_thread_id="")
        person_id = contact.person_id
        Contact.objects.filter(pk=contact.pk).update(
            handle="", name="", external_id=_erased_id(), follower_count=None, verified=False,
            person=None, erased_at=timezone.now(),
        )
        if person_id and Contact.objects.filter(person_id=person_id).count() <= 1:
            Contact.objects.filter(person_id=person_id).update(person=None)
            Person.objects.filter(pk=person_id).delete()
        elsewhere = _redact_elsewhere(tokens)
        report = ErasureReport(
            contact.pk, len(mention_ids), erased_messages, erased_deliveries, erased_posts, elsewhere
        )
        Event.objects.create(
            actor=actor, action=EventAction.CONTACT_ERASED, contact_id=contact.pk, reason="erasure",
            data={"mentions": report.mentions, "messages": report.messages, "deliveries": report.deliveries,
                  "posts": report.posts, "elsewhere": report.elsewhere,
                  **({"reference": reference} if reference else {})},
        )
    return report


def _erased_id() -> Concat:
    """``erased:<pk>``: unique where the column must be, and says nothing."""
    return Concat(Value("erased:"), Cast("pk", CharField()), output_field=CharField())


def _settle_deliveries(deliveries: Any, actor: User | None) -> None:
    """Nothing may leave with a text we are about to erase: pending ones are cancelled, in-flight ones refuse."""
    busy = deliveries.filter(state__in=[DeliveryState.SENDING, DeliveryState.NEEDS_REVIEW]).exists()
    if busy:
        raise Conflict(
            _("A message to this contact is being sent or waits for review; settle it first, then erase."),
            code="delivery_in_flight",
        )
    for delivery in deliveries.filter(state=DeliveryState.PENDING):
        delivery_transition(
            delivery=delivery, to=DeliveryState.CANCELLED, allowed_from={DeliveryState.PENDING}, actor=actor,
            reason="erasure",
        )


def _identifying_tokens(contact: Contact) -> list[str]:
    """What identifies the contact inside other people's texts: @handle, handle, full name, platform id."""
    tokens = []
    if contact.handle and len(contact.handle) >= 3:
        tokens += [f"@{contact.handle}", contact.handle]
    if contact.name and (len(contact.name.split()) >= 2 or len(contact.name) >= 6):
        tokens.append(contact.name)
    if len(contact.external_id) >= 5:
        tokens.append(contact.external_id)
    return tokens


def _redact(value: Any, pattern: re.Pattern[str]) -> Any:
    if isinstance(value, str):
        return pattern.sub(ERASED, value)
    if isinstance(value, int) and not isinstance(value, bool) and pattern.fullmatch(str(value)):
        return ERASED  # a platform user id stored as a JSON number
    if isinstance(value, dict):
        return {key: _redact(item, pattern) for key, item in value.items()}
    if isinstance(value, list):
        return [_redact(item, pattern) for item in value]
    return value


def _redact_elsewhere(tokens: Iterable[str]) -> int:
    """Other people's texts that name the contact: replies quoting @handle, payloads carrying their id."""
    tokens = [token for token in tokens if token]
    if not tokens:
        return 0
    # Longest first so "@sofie_p" goes before "sofie_p"; whole words only, any case.
    pattern = re.compile(
        r"(?<![\w@])(?:" + "|".join(re.escape(t) for t in sorted(tokens, key=len, reverse=True)) + r")(?!\w)",
        re.IGNORECASE,
    )
    changed = 0
    for model, text_fields, json_fields in (
        (Message, ["text"], ["raw"]),
        (Mention, ["preview"], []),
        (Post, ["text", "author_name"], ["raw"]),
        (Delivery, ["last_error"], ["payload"]),
    ):
        hit = Q(pk__in=[])
        rows = model.objects.all()
        for name in json_fields:
            rows = rows.annotate(**{f"{name}_text": Cast(name, TextField())})
        for token in tokens:
            for name in text_fields:
                hit |= Q(**{f"{name}__icontains": token})
            for name in json_fields:
                hit |= Q(**{f"{name}_text__icontains": token})
        for row in rows.filter(hit).only("pk", *text_fields, *json_fields).iterator():
            values = {name: _redact(getattr(row, name), pattern) for name in (*text_fields, *json_fields)}
            values = {name: value for name, value in values.items() if value != getattr(row, name)}
            if values:
                model.objects.filter(pk=row.pk).update(**values)
                changed += 1
    return changed
