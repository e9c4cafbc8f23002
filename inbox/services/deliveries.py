"""What became of a delivery: claimed for sending, sent, failed, retried, or shown to a person.

The worker calls these around the one HTTP call that posts. Every state change goes
through ``delivery_transition`` (a conditional UPDATE with its event row). The rules:

- A delivery is claimed (pending -> sending, lease set) before the HTTP call and only
  once its undo window has passed and the delivery it depends on is sent.
- A delivery with a platform id is never sent again.
- Back to pending only when the request provably never reached the platform; an
  unknown outcome is reconciled by looking on the platform, or goes to needs_review,
  where a team lead decides (sent, pending again, or failed).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Min
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from inbox.exceptions import Conflict, Invalid, NotAllowed, NotFound
from inbox.models import (
    AccountStatus,
    Delivery,
    DeliveryKind,
    DeliveryState,
    Direction,
    Event,
    EventAction,
    Mention,
    MentionStatus,
    Message,
    Role,
    User,
    Visibility,
)
from inbox.selectors import mentions_visible_to, user_role_in_team
from inbox.services.outbox import delivery_schedule
from inbox.services.transitions import delivery_transition, mention_transition

logger = logging.getLogger(__name__)

D = DeliveryState
S = MentionStatus
ANSWERS = (DeliveryKind.REPLY, DeliveryKind.PRIVATE_MESSAGE)
#: After this many attempts a delivery stops going back to pending.
MAX_ATTEMPTS = 8


def lease_seconds() -> int:
    """Longer than the longest send (timeouts and the task's hard limit), so a live send is never reconciled."""
    return int(getattr(settings, "WEBCARE_DELIVERY_LEASE_SECONDS", 150))


@dataclass(frozen=True)
class FailureText:
    message: str
    next_step: str


def delivery_failure_text(code: str) -> FailureText:
    """What an agent reads when the platform said no, in the active language, with what to do next."""
    texts = {
        "window_closed": (
            _("Messenger only accepts answers within 24 hours of the customer's last message (7 days for a "
              "person's answer), and that time has passed."),
            _("Ask the customer in a public reply to send the page a new message, or wait until they write again."),
        ),
        "private_reply_used": (
            _("Facebook allows one private reply per comment, and this comment already had one."),
            _("Answer in the existing Messenger conversation, or reply publicly."),
        ),
        "private_reply_window": (
            _("Facebook allows a private reply only within 7 days of the comment."),
            _("Reply publicly and invite the customer to send the page a message."),
        ),
        "dms_closed": (
            _("This person does not accept direct messages from the brand."),
            _("Reply publicly and ask them to open their direct messages or follow the brand, then try again."),
        ),
        "target_deleted": (
            _("The message you answered was deleted on the platform."),
            _("There is nothing left to answer there: close the mention, or answer the customer's newer message."),
        ),
        "reply_not_allowed": (
            _("X refused a public reply because the customer did not mention the brand in this post."),
            _("Move the conversation to private, or leave it."),
        ),
        "duplicate_content": (
            _("The platform refused this answer because the brand recently posted exactly the same text."),
            _("Change the wording a little and send it again."),
        ),
        "permission": (
            _("The brand's account lacks the permission for this on the platform."),
            _("Ask an admin to reconnect the account with the right permissions."),
        ),
        "policy_blocked": (
            _("Facebook has temporarily blocked this Page from posting."),
            _("Tell your team lead, and try again later."),
        ),
        "recipient_unknown": (
            _("The platform cannot deliver a message to this person."),
            _("Reply publicly instead."),
        ),
        "recipient_unavailable": (
            _("This person cannot receive messages right now."),
            _("Reply publicly instead, or try again later."),
        ),
        "hide_not_allowed": (
            _("The platform does not allow hiding this message."),
            _("On X only replies in conversations the brand started can be hidden."),
        ),
        "invalid_request": (
            _("The platform refused the request as invalid."),
            _("Check the text (length, links) and send it again; tell an admin if it keeps happening."),
        ),
        "dependency_failed": (
            _("This public reply was not posted because the private message it points to failed."),
            _("Look at the failed private message first."),
        ),
        "given_up": (
            _("Nobody could tell whether this reached the platform, and a team lead decided not to send it again."),
            _("Look on the platform first: write the answer again only if it is not there."),
        ),
        "unreachable": (
            _("Webcare could not reach the platform after several tries."),
            _("Send it again later; an admin can check the account's health page."),
        ),
    }
    message, next_step = texts.get(
        code, (_("The platform refused this answer."), _("Send it again, or tell an admin if it keeps happening."))
    )
    return FailureText(message, next_step)


def _failure_text_for(delivery: Delivery, code: str) -> str:
    """Stored in the language of the agent who wrote the delivery (the UI can re-translate by code)."""
    language = getattr(delivery.created_by, "language", "") or settings.LANGUAGE_CODE
    with translation.override(language):
        text = delivery_failure_text(code)
        return f"{text.message} {text.next_step}"


# --- claiming ----------------------------------------------------------------------------


def delivery_claim_for_sending(*, delivery_id: int) -> Delivery | None:
    """Pending -> sending, if it is due, its account works and its dependency is sent.

    Returns the claimed delivery, or None when there is nothing to send now (not due,
    claimed by another worker, waiting on a dependency or on re-authorisation).
    """
    now = timezone.now()
    delivery = (
        Delivery.objects.select_related("account", "depends_on", "created_by").filter(pk=delivery_id).first()
    )
    if delivery is None or delivery.state != D.PENDING or delivery.send_after > now:
        return None
    if delivery.platform_id:
        # Already on the platform (a person or a reconciliation said so): never again.
        return None
    if delivery.account.status != AccountStatus.ACTIVE:
        return None  # stays pending until the account is re-authorised
    dependency = delivery.depends_on
    if dependency is not None and dependency.state != D.SENT:
        if dependency.state in (D.FAILED, D.CANCELLED):
            delivery_mark_failed(delivery_id=delivery.pk, error_code="dependency_failed", from_states=(D.PENDING,))
        return None
    try:
        return delivery_transition(
            delivery=delivery,
            to=D.SENDING,
            allowed_from={D.PENDING},
            values={
                "attempt_started_at": now,
                "lease_until": now + dt.timedelta(seconds=lease_seconds()),
                "attempts": delivery.attempts + 1,
            },
            extra_filter={"send_after__lte": now, "platform_id__isnull": True},
        )
    except Conflict:
        return None  # another worker got it first


# --- outcomes --------------------------------------------------------------------------


def delivery_mark_sent(*, delivery_id: int, platform_id: str = "", thread_id: str = "", reason: str = "") -> Delivery:
    """The platform has it. Records its id on the delivery and on our message, so polling never re-ingests it."""
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update(of=("self",)).select_related("mention").get(pk=delivery_id)
        if delivery.state == D.SENT:
            return delivery
        try:
            with transaction.atomic():
                delivery = _record_sent(delivery, platform_id=platform_id, thread_id=thread_id, reason=reason,
                                        allowed_from={D.SENDING, D.NEEDS_REVIEW})
        except IntegrityError:
            # The id already belongs to another of our messages: this is not ours to claim.
            return delivery_mark_needs_review(
                delivery_id=delivery_id, error_code="ambiguous", detail="platform id already recorded"
            )
    return delivery


def _record_sent(
    delivery: Delivery,
    *,
    platform_id: str,
    thread_id: str = "",
    reason: str,
    allowed_from: set[str],
    actor: User | None = None,
    message_platform_id: str | None = None,
) -> Delivery:
    """Sent, with what follows from it; ``delivery`` loaded with its mention. IntegrityError when
    the id is already another message's. ``message_platform_id`` (default: ``platform_id``) goes on
    our message."""
    now = timezone.now()
    delivery = delivery_transition(
        delivery=delivery,
        to=D.SENT,
        allowed_from=allowed_from,
        actor=actor,
        values={"platform_id": platform_id or None, "sent_at": now, "lease_until": None,
                "error_code": "", "last_error": ""},
        reason=reason,
    )
    message_platform_id = platform_id if message_platform_id is None else message_platform_id
    if delivery.message_id and message_platform_id:
        Message.objects.filter(pk=delivery.message_id).update(platform_id=message_platform_id)
    if delivery.kind in (DeliveryKind.HIDE, DeliveryKind.UNHIDE):
        # Stamped now, so a late webhook with the older state cannot undo it.
        Message.objects.filter(account_id=delivery.account_id, platform_id=delivery.target_platform_id).update(
            hidden=delivery.kind == DeliveryKind.HIDE, platform_updated_at=now
        )
    if delivery.kind == DeliveryKind.PRIVATE_MESSAGE and thread_id:
        _name_private_thread(delivery.mention, thread_id)
    for dependent in Delivery.objects.filter(depends_on=delivery, state=D.PENDING):
        # The public pointer that waited for this private message goes now, not at the next sweep.
        delivery_schedule(dependent)
    return delivery


def _name_private_thread(mention: Mention, thread_id: str) -> None:
    """The private thread's platform key: X's dm_conversation_id, Facebook's user:<id> until the
    conversation id is known. Ingest joins the customer's answers on either."""
    if mention.visibility != Visibility.PRIVATE:
        return
    current = mention.platform_thread_id
    if not current or current.startswith("user:") or not thread_id.startswith("user:"):
        Mention.objects.filter(pk=mention.pk).update(platform_thread_id=thread_id[:128])


def delivery_mark_failed(
    *,
    delivery_id: int,
    error_code: str,
    detail: str = "",
    from_states: tuple[str, ...] = (D.SENDING,),
    actor: User | None = None,
) -> Delivery:
    """The platform said no for good. The agent gets the mention back with a message in their language."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",)).select_related("created_by", "mention").get(pk=delivery_id)
        )
        if delivery.state == D.FAILED or delivery.state not in from_states:
            return delivery
        text = _failure_text_for(delivery, error_code)
        delivery = delivery_transition(
            delivery=delivery,
            to=D.FAILED,
            allowed_from=set(from_states),
            actor=actor,
            values={"error_code": error_code[:64], "last_error": text, "lease_until": None},
            reason=error_code,
        )
        if detail:
            logger.info("Delivery %s failed (%s): %s", delivery.pk, error_code, detail)
        for dependent in Delivery.objects.filter(depends_on=delivery, state=D.PENDING).select_related("created_by"):
            dependent_text = _failure_text_for(dependent, "dependency_failed")
            delivery_transition(
                delivery=dependent,
                to=D.FAILED,
                allowed_from={D.PENDING},
                actor=actor,
                values={"error_code": "dependency_failed", "last_error": dependent_text},
                reason="dependency_failed",
            )
        if delivery.kind in ANSWERS:
            _back_to_agent(delivery)
    return delivery


def _back_to_agent(delivery: Delivery) -> None:
    """An answer that never went out: the mention returns to the agent who wrote it."""
    mention = Mention.objects.get(pk=delivery.mention_id)
    agent = delivery.created_by
    if mention.public_mention_id is not None and not mention.messages.filter(direction=Direction.INBOUND).exists():
        # A move to private that never reached the customer: back to the public mention.
        if mention.status != S.CLOSED:
            mention_transition(
                mention=mention, to=S.CLOSED, allowed_from={mention.status}, action=EventAction.CLOSED, actor=None,
                values={"closed_at": timezone.now()}, reason="delivery_failed",
            )
        mention = Mention.objects.get(pk=mention.public_mention_id)
    waiting_since = _unanswered_since(mention)
    if mention.status == S.WAITING:
        mention_transition(
            mention=mention, to=S.CLAIMED, allowed_from={S.WAITING}, action=EventAction.REOPENED, actor=None,
            values={"waiting_since": waiting_since}, reason="delivery_failed", data={"delivery": delivery.pk},
        )
    elif mention.status == S.CLOSED:
        values: dict[str, object] = {"closed_at": None, "waiting_since": waiting_since or mention.opened_at}
        if agent is not None and agent.is_active:
            values.update(assignee=agent, claimed_at=timezone.now())
        mention_transition(
            mention=mention, to=S.CLAIMED if "assignee" in values else S.NEW, allowed_from={S.CLOSED},
            action=EventAction.REOPENED, actor=None, values=values, reason="delivery_failed",
            data={"delivery": delivery.pk},
        )


def _unanswered_since(mention: Mention) -> dt.datetime | None:
    """The oldest customer message after the last answer that really went out."""
    last_sent = Delivery.objects.filter(mention=mention, state=D.SENT, kind__in=ANSWERS).aggregate(
        last=Max("message__posted_at")
    )["last"]
    inbound = mention.messages.filter(direction=Direction.INBOUND)
    if last_sent is not None:
        inbound = inbound.filter(posted_at__gt=last_sent)
    return inbound.aggregate(first=Min("posted_at"))["first"]


def delivery_retry_later(*, delivery_id: int, retry_at: dt.datetime, error_code: str, detail: str = "") -> Delivery:
    """Sending -> pending: only when the request provably never reached the platform (refused
    connection, rate limit, rejected token). Bounded: after MAX_ATTEMPTS it fails."""
    delivery = Delivery.objects.get(pk=delivery_id)
    if delivery.state != D.SENDING:
        return delivery
    if delivery.attempts >= MAX_ATTEMPTS and error_code != "token_invalid":
        return delivery_mark_failed(delivery_id=delivery_id, error_code="unreachable", detail=detail)
    try:
        return delivery_transition(
            delivery=delivery,
            to=D.PENDING,
            allowed_from={D.SENDING},
            values={"send_after": retry_at, "lease_until": None, "attempt_started_at": None,
                    "last_error": detail[:500]},
            reason=error_code,
        )
    except Conflict:
        return Delivery.objects.get(pk=delivery_id)


def delivery_recheck_later(*, delivery_id: int, recheck_at: dt.datetime, detail: str = "") -> int:
    """The outcome is unknown: keep it sending, and let the sweeper reconcile at ``recheck_at``.

    Not a state change (the lease moves), so no event row; returns the rows updated.
    """
    return Delivery.objects.filter(pk=delivery_id, state=D.SENDING).update(
        lease_until=recheck_at, last_error=detail[:500], updated_at=timezone.now()
    )


def delivery_mark_needs_review(*, delivery_id: int, error_code: str, detail: str = "") -> Delivery:
    """Nobody can tell whether the platform has it: a person decides. Never resent automatically."""
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
        if delivery.state != D.SENDING:
            return delivery
        delivery = delivery_transition(
            delivery=delivery,
            to=D.NEEDS_REVIEW,
            allowed_from={D.SENDING},
            values={"error_code": error_code[:64], "last_error": detail[:500], "lease_until": None},
            reason=error_code,
        )
    logger.warning("Delivery %s needs review (%s).", delivery_id, error_code)
    return delivery


# --- a person decides --------------------------------------------------------------------
#
# A delivery in needs_review may or may not be on the platform. A team lead looks and
# says which: it is there (sent), it is not (pending again, re-scheduled), or leave it
# (failed: the agent gets the mention back, as after any failure).

#: The platform id of a post a lead saw on the platform without copying its id: a sent
#: post always has one (a constraint, and what keeps it from ever being sent again).
CONFIRMED_WITHOUT_ID = "confirmed:{pk}"
_PLATFORM_ID = re.compile(r"^[\w.:-]{1,128}$", re.ASCII)


def _for_review(*, user: User, delivery_id: int) -> Delivery:
    """The delivery, locked, if it is in the user's teams, the user leads that team, and it still
    needs review. Call inside a transaction."""
    delivery = (
        Delivery.objects.select_for_update(of=("self",))
        .select_related("mention", "account")
        .filter(pk=delivery_id, mention__in=mentions_visible_to(user=user))
        .first()
    )
    if delivery is None:
        raise NotFound(_("This delivery does not exist, or it is not in one of your teams."))
    if user_role_in_team(user=user, team_id=delivery.mention.team_id) != Role.LEAD:
        raise leads_only()
    if delivery.state != D.NEEDS_REVIEW:
        raise _already_decided(delivery)
    return delivery


def leads_only() -> NotAllowed:
    """The refusal for anyone but a lead (the leads' list says the same)."""
    return NotAllowed(_("Only a team lead can decide what happened to a delivery whose outcome is unknown."))


def _already_decided(delivery: Delivery) -> Conflict:
    """A lost race: says who decided first, and what."""
    last = Event.objects.filter(delivery_id=delivery.pk).select_related("actor").order_by("-pk").first()
    state = delivery.get_state_display()
    if last is not None and last.actor is not None and last.from_status == D.NEEDS_REVIEW:
        message = _("%(name)s decided first: this delivery is now “%(state)s”.") % {"name": last.actor, "state": state}
    else:
        message = _("This delivery no longer needs review: it is now “%(state)s”.") % {"state": state}
    return Conflict(message, code="already_decided", current_state=delivery.state)


def platform_id_from_reference(reference: str) -> str:
    """The platform's id of a post from what a lead pastes: the id itself, or a link to the post
    (X: …/status/<id>; Facebook: …?comment_id=<id>, joined to the post's id when it is short)."""
    reference = reference.strip()
    if not reference:
        return ""
    if reference.lower().startswith(("http://", "https://")):
        url = urlsplit(reference)
        query = parse_qs(url.query)
        status = re.search(r"/status(?:es)?/(\d+)", url.path, re.ASCII)
        if status:
            reference = status.group(1)
        elif query.get("comment_id"):
            reference = query["comment_id"][0]
            post = re.search(r"/posts/([\w]+)", url.path)
            if "_" not in reference and post:
                reference = f"{post.group(1).rsplit('_', 1)[-1]}_{reference}"
        else:
            reference = ""
    if not _PLATFORM_ID.match(reference):
        raise Invalid(
            _("Webcare cannot read an id from this. Paste the link to the answer on the platform, its id, or "
              "nothing."),
            code="bad_reference",
        )
    return reference


def delivery_confirm_sent(*, user: User, delivery_id: int, platform_reference: str = "") -> Delivery:
    """A lead saw it on the platform: sent, with the post's id when the lead has it. Never sent again."""
    with transaction.atomic():
        delivery = _for_review(user=user, delivery_id=delivery_id)
        platform_id = ""
        if delivery.kind in ANSWERS:
            platform_id = platform_id_from_reference(platform_reference)
            if platform_id and (
                Delivery.objects.filter(account_id=delivery.account_id, platform_id=platform_id).exists()
                or Message.objects.filter(account_id=delivery.account_id, platform_id=platform_id).exists()
            ):
                raise _id_taken()
        try:
            with transaction.atomic():
                delivery = _record_sent(
                    delivery,
                    platform_id=platform_id or (CONFIRMED_WITHOUT_ID.format(pk=delivery.pk)
                                                if delivery.kind in ANSWERS else ""),
                    message_platform_id=platform_id,
                    reason="confirmed_by_lead",
                    allowed_from={D.NEEDS_REVIEW},
                    actor=user,
                )
        except IntegrityError:
            raise _id_taken() from None  # taken between the check and the write
    return delivery


def _id_taken() -> Invalid:
    return Invalid(
        _("This id already belongs to another message in Webcare: check that you copied the right link."),
        code="platform_id_taken",
    )


def delivery_send_again(*, user: User, delivery_id: int) -> Delivery:
    """A lead checked: it is not on the platform. Pending again, and handed to the workers now."""
    with transaction.atomic():
        delivery = _for_review(user=user, delivery_id=delivery_id)
        if delivery.platform_id:
            raise Conflict(
                _("The platform already gave this delivery an id, so it is on the platform and is never sent again."),
                code="already_on_platform",
            )
        delivery = delivery_transition(
            delivery=delivery,
            to=D.PENDING,
            allowed_from={D.NEEDS_REVIEW},
            actor=user,
            values={"send_after": timezone.now(), "lease_until": None, "attempt_started_at": None,
                    "error_code": "", "last_error": ""},
            reason="send_again_by_lead",
            extra_filter={"platform_id__isnull": True},
        )
        delivery_schedule(delivery)
    return delivery


def delivery_give_up(*, user: User, delivery_id: int) -> Delivery:
    """A lead leaves it: failed, and the answer's mention goes back to its agent like any failure."""
    with transaction.atomic():
        delivery = _for_review(user=user, delivery_id=delivery_id)
        return delivery_mark_failed(
            delivery_id=delivery.pk, error_code="given_up", from_states=(D.NEEDS_REVIEW,), actor=user
        )


# --- what the sweeper re-drives ----------------------------------------------------------


def deliveries_due_ids(*, grace: dt.timedelta = dt.timedelta(seconds=5), limit: int = 500) -> list[int]:
    """Pending deliveries past their undo window (plus a grace for the scheduled task), on working accounts."""
    cutoff = timezone.now() - grace
    return list(
        Delivery.objects.filter(state=D.PENDING, send_after__lte=cutoff, account__status=AccountStatus.ACTIVE)
        .order_by("send_after")
        .values_list("id", flat=True)[:limit]
    )


def deliveries_lease_expired_ids(*, limit: int = 500) -> list[int]:
    return list(
        Delivery.objects.filter(state=D.SENDING, lease_until__lt=timezone.now())
        .order_by("lease_until")
        .values_list("id", flat=True)[:limit]
    )
