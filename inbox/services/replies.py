"""Answering: public replies, private messages, moving a conversation to private, undo.

Nothing here talks to a platform. Each action commits an outbound message and its
delivery; the workers send it once the brand's undo window has passed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from inbox.detection import find_personal_data
from inbox.detection.rules import customer_patterns_for_brand
from inbox.exceptions import Conflict, Invalid, NotAllowed, NotFound
from inbox.models import (
    BrandText,
    BrandTextKind,
    ConductCase,
    ConductStatus,
    Delivery,
    DeliveryKind,
    DeliveryState,
    Direction,
    Event,
    EventAction,
    Mention,
    MentionKind,
    MentionStatus,
    Message,
    Platform,
    Role,
    User,
    Visibility,
)
from inbox.policies import (
    FACEBOOK_PRIVATE_REPLY_WINDOW,
    messenger_mode,
    render_signature,
    sign,
    text_limit,
)
from inbox.selectors import mention_get_for_agent, mentions_visible_to, user_role_in_team
from inbox.services.outbox import delivery_schedule
from inbox.services.transitions import delivery_transition, mention_transition
from inbox.text import clean_text

S = MentionStatus
LIVE_STATES = (DeliveryState.PENDING, DeliveryState.SENDING, DeliveryState.SENT, DeliveryState.NEEDS_REVIEW)

def _personal_data_label(kind: str) -> str:
    labels = {
        "email": _("an e-mail address"),
        "phone": _("a phone number"),
        "iban": _("a bank account number"),
        "national_number": _("a national number"),
        "customer_number": _("a customer number"),
        "address": _("an address"),
    }
    return labels.get(kind, _("personal data"))


def signature_for(*, user: User, mention: Mention) -> str:
    brand = mention.account.brand
    return render_signature(
        brand.signature_format,
        initials=user.signature_initials,
        first_name=user.first_name or user.username,
        display_name=str(user),
    )


def _require_own_claim(user: User, mention: Mention) -> None:
    if mention.status not in (S.CLAIMED, S.WAITING) or mention.assignee_id != user.pk:
        if mention.assignee_id and mention.assignee_id != user.pk:
            raise Conflict(
                _("%(name)s is working on this mention; only they can answer it.") % {"name": mention.assignee},
                code="claimed_by_other",
            )
        raise Conflict(_("Claim this mention before you answer it."), code="not_claimed")


def _prepare_text(*, user: User, mention: Mention, text: str, visibility: str) -> str:
    body = clean_text(text).strip()
    if not body:
        raise Invalid(_("Write an answer first."), code="empty")
    final = sign(body, signature_for(user=user, mention=mention))
    limit = text_limit(mention.account.platform, visibility)
    length = limit.length(final)
    if length > limit.limit:
        raise Invalid(
            _("This answer is %(length)d characters with your signature; the limit here is %(limit)d.")
            % {"length": length, "limit": limit.limit},
            code="too_long",
            length=length,
            limit=limit.limit,
        )
    if visibility == Visibility.PUBLIC:
        found = find_personal_data(final, customer_patterns=customer_patterns_for_brand(mention.account.brand_id))
        if found:
            raise Invalid(
                _(
                    "This public answer contains %(what)s. Personal data never goes in public: "
                    "move the conversation to private instead."
                )
                % {"what": _personal_data_label(found[0].kind)},
                code="personal_data",
                kinds=sorted({match.kind for match in found}),
            )
    return final


def _reply_target(mention: Mention) -> Message:
    target = (
        mention.messages.filter(direction=Direction.INBOUND, deleted_on_platform=False)
        .exclude(platform_id=None)
        .order_by("-posted_at", "-id")
        .first()
    )
    if target is None:
        raise Invalid(
            _("The customer deleted what they wrote, so there is nothing to answer on the platform."),
            code="target_deleted",
        )
    return target


def _outbound(
    *, user: User, mention: Mention, text: str, kind: str, target: str, payload: dict, depends_on: Delivery | None = None
) -> Delivery:
    now = timezone.now()
    message = Message.objects.create(
        mention=mention,
        account_id=mention.account_id,
        direction=Direction.OUTBOUND,
        author_user=user,
        text=text,
        posted_at=now,
        parent_platform_id=target if kind == DeliveryKind.REPLY else "",
    )
    return Delivery.objects.create(
        account_id=mention.account_id,
        mention=mention,
        message=message,
        kind=kind,
        target_platform_id=target,
        payload={"text": text, **payload},
        send_after=now + dt.timedelta(seconds=mention.account.brand.undo_seconds),
        created_by=user,
        depends_on=depends_on,
    )


def _private_recipient(mention: Mention, now: dt.datetime) -> tuple[str, dict]:
    """Target and payload for an answer inside an existing private thread."""
    contact_id = mention.contact.external_id if mention.contact else ""
    if mention.account.platform == Platform.X:
        return contact_id, {"participant_id": contact_id}
    mode = messenger_mode(mention.last_inbound_at, now)
    if mode is None:
        raise Invalid(
            _(
                "Messenger only allows answers within 7 days of the customer's last message, and this "
                "conversation is older. Wait for the customer to write again."
            ),
            code="window_closed",
        )
    return contact_id, {"recipient": {"id": contact_id}, **mode}


def _answered(
    mention: Mention, user: User, delivery: Delivery, action: EventAction, extra: dict[str, Any] | None = None
) -> None:
    """Bookkeeping after an answer: the mention now waits on the customer."""
    now = timezone.now()
    values = {"waiting_since": None, "first_response_at": mention.first_response_at or now}
    data = {"delivery": delivery.pk, **(extra or {})}
    if mention.status == S.CLAIMED:
        mention_transition(
            mention=mention, to=S.WAITING, allowed_from={S.CLAIMED}, action=action, actor=user, values=values, data=data
        )
        return
    updated = Mention.objects.filter(pk=mention.pk, status=S.WAITING, version=mention.version).update(
        updated_at=now, **values
    )
    if updated != 1:
        raise Conflict(_("Somebody changed this mention a moment ago; look again and retry."))
    Event.objects.create(actor=user, action=action, mention=mention, from_status=S.WAITING, to_status=S.WAITING, data=data)


def mention_reply(*, user: User, mention_id: int, text: str) -> Delivery:
    """Answer in the mention's own channel: a public reply, or a message in a private thread."""
    mention = mention_get_for_agent(user=user, mention_id=mention_id)
    _require_own_claim(user, mention)
    mention = Mention.objects.select_related("account__brand", "contact", "assignee").get(pk=mention.pk)
    _refuse_while_flagged(mention)
    return answer_in_channel(user=user, mention=mention, text=text)


def _refuse_while_flagged(mention: Mention) -> None:
    """Code of conduct: while a mention is flagged, the brand's house rules are its only public answer."""
    if mention.visibility != Visibility.PUBLIC:
        return
    if ConductCase.objects.filter(mention_id=mention.pk, status=ConductStatus.FLAGGED).exists():
        raise Invalid(
            _(
                "This mention is flagged under the code of conduct: the only public answer is the brand's house "
                "rules. Send them, or clear the flag if it is wrong."
            ),
            code="conduct_flagged",
        )


def answer_in_channel(
    *, user: User, mention: Mention, text: str, event_data: dict[str, Any] | None = None
) -> Delivery:
    """Queue ``text`` as the user's answer in the mention's own channel; ``mention`` loaded with account__brand."""
    _require_own_claim(user, mention)
    now = timezone.now()
    final = _prepare_text(user=user, mention=mention, text=text, visibility=mention.visibility)
    if mention.visibility == Visibility.PUBLIC:
        if not mention.public_reply_allowed:
            raise Invalid(
                _(
                    "X does not allow a public reply to a post that does not mention the brand. "
                    "Move the conversation to private, or leave it."
                ),
                code="reply_not_allowed",
            )
        kind, target, payload = DeliveryKind.REPLY, _reply_target(mention).platform_id or "", {}
    else:
        kind = DeliveryKind.PRIVATE_MESSAGE
        target, payload = _private_recipient(mention, now)
    with transaction.atomic():
        delivery = _outbound(user=user, mention=mention, text=final, kind=kind, target=target, payload=payload)
        _answered(mention, user, delivery, EventAction.REPLIED, event_data)
        delivery_schedule(delivery)
    return delivery


@dataclass(frozen=True)
class MovedToPrivate:
    private_mention: Mention
    private_delivery: Delivery
    pointer_delivery: Delivery | None


def brand_text_for(*, mention: Mention, kind: str, default: Callable[[], str]) -> str:
    """The brand's wording of ``kind`` in the mention's language, else in the brand's default language,
    else ``default()`` (Webcare's own wording, translated into the mention's language)."""
    brand = mention.account.brand
    texts = {text.language: text.text for text in BrandText.objects.filter(brand=brand, kind=kind)}
    for language in (mention.language, brand.default_language):
        if language in texts:
            return texts[language]
    with override(mention.language or brand.default_language):
        return default()


def private_pointer_text(*, mention: Mention) -> str:
    """The brand's short public pointer in the mention's language, or Webcare's default wording."""
    return brand_text_for(
        mention=mention,
        kind=BrandTextKind.PRIVATE_POINTER,
        default=lambda: _("We have sent you a private message so we can look into this with you."),
    )


def _private_reply_target(mention: Mention, now: dt.datetime) -> tuple[Message, dict]:
    target = _reply_target(mention)
    if mention.account.platform == Platform.X:
        contact_id = mention.contact.external_id if mention.contact else ""
        return target, {"participant_id": contact_id}
    if now - target.posted_at > FACEBOOK_PRIVATE_REPLY_WINDOW:
        raise Invalid(
            _(
                "Facebook allows one private reply within 7 days of a comment, and this one is older. "
                "Ask the customer in a public reply to send the page a private message."
            ),
            code="window_closed",
        )
    already = (
        Delivery.objects.filter(
            account_id=mention.account_id, kind=DeliveryKind.PRIVATE_MESSAGE, target_platform_id=target.platform_id
        )
        .filter(state__in=LIVE_STATES)
        .exists()
    )
    if already:
        raise Invalid(
            _("Facebook allows only one private reply per comment, and this comment already has one."),
            code="private_reply_used",
        )
    key = "post_id" if mention.kind == MentionKind.PAGE_POST and target.parent_platform_id == "" else "comment_id"
    return target, {"recipient": {key: target.platform_id}}


def _x_dm_conversation_id(account_user_id: str, contact_user_id: str) -> str:
    low, high = sorted((account_user_id, contact_user_id), key=lambda value: (len(value), value))
    return f"{low}-{high}"


def mention_move_to_private(
    *, user: User, mention_id: int, private_text: str, public_text: str | None = None
) -> MovedToPrivate:
    """Continue in Messenger or a DM, and leave a short public pointer once the private message is out."""
    mention = mention_get_for_agent(user=user, mention_id=mention_id)
    _require_own_claim(user, mention)
    mention = Mention.objects.select_related("account__brand", "contact", "assignee").get(pk=mention.pk)
    if mention.visibility != Visibility.PUBLIC:
        raise Invalid(_("This conversation is already private."), code="already_private")
    _refuse_while_flagged(mention)
    if mention.contact is None:
        raise Invalid(_("Webcare does not know who wrote this, so it cannot write to them privately."))
    now = timezone.now()
    target, recipient = _private_reply_target(mention, now)
    private_final = _prepare_text(user=user, mention=mention, text=private_text, visibility=Visibility.PRIVATE)
    pointer_final = None
    if mention.public_reply_allowed:
        pointer_text = public_text if public_text is not None else private_pointer_text(mention=mention)
        pointer_final = _prepare_text(user=user, mention=mention, text=pointer_text, visibility=Visibility.PUBLIC)
    thread_id = ""
    if mention.account.platform == Platform.X:
        thread_id = _x_dm_conversation_id(mention.account.external_id, mention.contact.external_id)

    with transaction.atomic():
        private = Mention.objects.create(
            account_id=mention.account_id,
            team_id=mention.team_id,
            kind=MentionKind.PRIVATE,
            visibility=Visibility.PRIVATE,
            status=S.WAITING,
            assignee=user,
            claimed_at=now,
            priority=mention.priority,
            language=mention.language,
            contact=mention.contact,
            public_mention=mention,
            platform_thread_id=thread_id,
            preview=mention.preview,
            opened_at=now,
            first_response_at=now,
        )
        Event.objects.create(
            actor=user,
            action=EventAction.MOVED_TO_PRIVATE,
            mention=private,
            to_status=S.WAITING,
            data={"public_mention": mention.pk},
        )
        private_delivery = _outbound(
            user=user,
            mention=private,
            text=private_final,
            kind=DeliveryKind.PRIVATE_MESSAGE,
            target=target.platform_id or "",
            payload=recipient,
        )
        pointer = None
        if pointer_final is not None:
            pointer = _outbound(
                user=user,
                mention=mention,
                text=pointer_final,
                kind=DeliveryKind.REPLY,
                target=target.platform_id or "",
                payload={},
                depends_on=private_delivery,
            )
        mention_transition(
            mention=mention,
            to=S.CLOSED,
            allowed_from={S.CLAIMED, S.WAITING},
            action=EventAction.MOVED_TO_PRIVATE,
            actor=user,
            values={"closed_at": now, "waiting_since": None, "first_response_at": mention.first_response_at or now},
            reason="moved_to_private",
            data={"private_mention": private.pk, "delivery": private_delivery.pk},
        )
        delivery_schedule(private_delivery)
        if pointer is not None:
            delivery_schedule(pointer)
    return MovedToPrivate(private, private_delivery, pointer)


def delivery_undo(*, user: User, delivery_id: int) -> Delivery:
    """Take back an answer inside its undo window. Once a worker has it, it is too late."""
    delivery = (
        Delivery.objects.select_related("mention")
        .filter(pk=delivery_id, mention__in=mentions_visible_to(user=user))
        .first()
    )
    if delivery is None:
        raise NotFound(_("This answer does not exist, or it is not in one of your teams."))
    role = user_role_in_team(user=user, team_id=delivery.mention.team_id)
    if delivery.created_by_id != user.pk and role != Role.LEAD:
        raise NotAllowed(_("Only the agent who wrote this answer, or a team lead, can take it back."))
    if delivery.state != DeliveryState.PENDING:
        raise Conflict(_("Too late to take this back: it is already on its way."), code="too_late")
    with transaction.atomic():
        for dependent in delivery.dependents.filter(state=DeliveryState.PENDING):
            delivery_transition(
                delivery=dependent, to=DeliveryState.CANCELLED, allowed_from={DeliveryState.PENDING}, actor=user, reason="undo"
            )
        try:
            delivery = delivery_transition(
                delivery=delivery, to=DeliveryState.CANCELLED, allowed_from={DeliveryState.PENDING}, actor=user, reason="undo"
            )
        except Conflict:
            raise Conflict(_("Too late to take this back: it is already on its way."), code="too_late") from None
        _after_undo(delivery, user)
        from inbox.services.conduct import conduct_after_undo  # the ladder builds on this module

        conduct_after_undo(delivery=delivery, user=user)
    return delivery


def _after_undo(delivery: Delivery, user: User) -> None:
    mention = Mention.objects.get(pk=delivery.mention_id)
    if mention.public_mention_id is not None and not mention.messages.filter(direction=Direction.INBOUND).exists():
        # Undoing a move to private: the private thread never started; the public
        # mention comes back to the agent as it was.
        mention_transition(
            mention=mention, to=S.CLOSED, allowed_from={S.WAITING, S.CLAIMED}, action=EventAction.CLOSED,
            actor=user, values={"closed_at": timezone.now()}, reason="undo",
        )
        public = Mention.objects.get(pk=mention.public_mention_id)
        if public.status == S.CLOSED:
            mention_transition(
                mention=public, to=S.CLAIMED, allowed_from={S.CLOSED}, action=EventAction.REOPENED, actor=user,
                values={"assignee": user, "claimed_at": timezone.now(), "closed_at": None,
                        "waiting_since": _unanswered_since(public)},
                reason="undo",
            )
        return
    live = Delivery.objects.filter(
        mention=mention, kind__in=[DeliveryKind.REPLY, DeliveryKind.PRIVATE_MESSAGE], state__in=LIVE_STATES
    )
    if mention.status == S.WAITING and not live.exists():
        mention_transition(
            mention=mention, to=S.CLAIMED, allowed_from={S.WAITING}, action=EventAction.CLAIMED, actor=user,
            values={"waiting_since": _unanswered_since(mention)}, reason="undo",
        )


def _unanswered_since(mention: Mention) -> dt.datetime | None:
    """The oldest customer message after the last answer that really went out."""
    last_sent = (
        Delivery.objects.filter(mention=mention, state=DeliveryState.SENT, kind__in=[DeliveryKind.REPLY, DeliveryKind.PRIVATE_MESSAGE])
        .aggregate(last=Max("message__posted_at"))["last"]
    )
    inbound = mention.messages.filter(direction=Direction.INBOUND)
    if last_sent is not None:
        inbound = inbound.filter(posted_at__gt=last_sent)
    return inbound.aggregate(first=Min("posted_at"))["first"]
