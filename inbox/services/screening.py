"""Detectors on what ingest stored: personal data, abuse, and contacts under a warning.

``messages_screen`` is called once per ingest batch, inside ingest's transaction
(so flags, priorities and the ladder's first steps commit with the messages, or
not at all). A message is screened when its text is new to the detectors: a
re-poll of the same text does nothing, an edit is screened again, and a flag a
lead lifted is not raised again by the next poll.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field

from django.db import transaction

from inbox.detection.rules import BrandDetectors
from inbox.models import (
    Event,
    PendingConduct,
    EventAction,
    Mention,
    MentionStatus,
    Message,
    Priority,
    SocialAccount,
    Strike,
    Visibility,
)
from inbox.services.conduct import (
    active_strikes,
    conduct_abuse_found,
    linked_contact_ids,
    mention_raise_priority,
    mention_set_flags,
    retry_on_conflict,
)
from inbox.services.mentions import mention_escalate
from inbox.services.outbox import wake_after_commit

S = MentionStatus


@dataclass(frozen=True, slots=True)
class Finding:
    """What the detectors say about one customer text."""

    personal_data: frozenset[str]
    abuse: frozenset[str]
    digest: str

    def priority(self, *, public: bool) -> int:
        if "threat" in self.abuse:
            return Priority.URGENT
        if self.abuse or (public and self.personal_data):
            return Priority.HIGH
        return Priority.NORMAL


def text_findings(detectors: BrandDetectors, text: str, *, language: str) -> Finding:
    return Finding(
        personal_data=frozenset(match.kind for match in detectors.personal_data(text)),
        abuse=detectors.abuse(text, language=language).labels,
        digest=_digest(text),
    )


@dataclass
class ScreeningReport:
    screened: int = 0
    personal_data_mention_ids: list[int] = field(default_factory=list)
    abusive_message_ids: list[int] = field(default_factory=list)
    after_warning_mention_ids: list[int] = field(default_factory=list)


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def messages_screen(*, account: SocialAccount, platform_ids: Collection[str]) -> ScreeningReport:
    """Screen the account's customer messages with these platform ids (those a batch stored or changed)."""
    report = ScreeningReport()
    if not platform_ids:
        return report
    messages = list(
        Message.objects.filter(account=account, platform_id__in=list(platform_ids), direction="inbound")
        .select_related("mention")
        .only("id", "text", "screened_hash", "has_personal_data", "is_abusive", "posted_at", "mention_id",
              "mention__language", "mention__visibility", "mention__contact_id")
        .order_by("posted_at", "id")
    )
    fresh = [message for message in messages if message.screened_hash != _digest(message.text)]
    if not fresh:
        return report
    detectors = BrandDetectors(account.brand_id)
    personal: dict[int, dict[str, object]] = defaultdict(lambda: {"kinds": set(), "messages": []})
    abusive: list[tuple[Message, frozenset[str]]] = []
    first_seen: set[int] = set()
    for message in fresh:
        if not message.screened_hash:
            first_seen.add(message.mention_id)
        kinds = {match.kind for match in detectors.personal_data(message.text)}
        verdict = detectors.abuse(message.text, language=message.mention.language)
        message.screened_hash = _digest(message.text)
        message.has_personal_data = bool(kinds)
        if kinds and message.mention.visibility == Visibility.PUBLIC:
            personal[message.mention_id]["kinds"] |= kinds  # type: ignore[operator]
            personal[message.mention_id]["messages"].append(message.pk)  # type: ignore[union-attr]
        if verdict.is_abusive and not message.is_abusive:
            abusive.append((message, verdict.labels))
    Message.objects.bulk_update(fresh, ["screened_hash", "has_personal_data"])
    report.screened = len(fresh)

    for mention_id, found in personal.items():
        retry_on_conflict(lambda mention_id=mention_id, found=found: _personal_data_found(mention_id, found))
        report.personal_data_mention_ids.append(mention_id)
    for message, labels in abusive:
        conduct_abuse_found(mention_id=message.mention_id, message_id=message.pk, classes=labels, actor=None)
        report.abusive_message_ids.append(message.pk)
    report.after_warning_mention_ids = _route_after_warning(first_seen)
    return report


CONDUCT_PENDING_TASK = "inbox.conduct_pending_process"


def new_messages_screened(*, found: list[tuple[Message, Finding, bool, str | None]]) -> ScreeningReport:
    """What follows from the findings on messages ingest just stored (flagged as they were stored).

    ``found`` holds (message, its finding, whether it landed in a mention this batch
    opened, that mention's visibility or None for an existing mention). Cheap work is
    done here, in ingest's transaction: the personal-data events, and raising an
    existing mention a customer wrote personal data into. The ladder's steps for
    abusive messages (case, strikes, hiding) are queued as PendingConduct rows and
    run after commit (``conduct_pending_process``), so a storm of angry comments
    reaches the inbox at full speed; the queue state is already right.
    """
    report = ScreeningReport(screened=len(found))
    new_personal: dict[int, tuple[set[str], list[int]]] = {}
    joined_personal: dict[int, dict[str, object]] = defaultdict(lambda: {"kinds": set(), "messages": []})
    for message, finding, opened, visibility in found:
        if not finding.personal_data:
            continue
        if opened:
            if visibility != Visibility.PUBLIC:
                continue
            kinds, ids = new_personal.setdefault(message.mention_id, (set(), []))
            kinds |= finding.personal_data
            ids.append(message.pk)
        else:
            joined_personal[message.mention_id]["kinds"] |= finding.personal_data  # type: ignore[operator]
            joined_personal[message.mention_id]["messages"].append(message.pk)  # type: ignore[union-attr]
    Event.objects.bulk_create(
        Event(action=EventAction.PERSONAL_DATA_FOUND, mention_id=mention_id, data={"kinds": sorted(kinds), "messages": ids})
        for mention_id, (kinds, ids) in new_personal.items()
    )
    for mention_id, details in joined_personal.items():
        retry_on_conflict(lambda mention_id=mention_id, details=details: _personal_data_found(mention_id, details))
    report.personal_data_mention_ids = [*new_personal, *joined_personal]
    pending = [
        PendingConduct(message=message, mention_id=message.mention_id, classes=sorted(finding.abuse))
        for message, finding, _opened, _visibility in found
        if finding.abuse
    ]
    if pending:
        PendingConduct.objects.bulk_create(pending, ignore_conflicts=True)
        wake_after_commit(CONDUCT_PENDING_TASK)
    report.abusive_message_ids = [row.message.pk for row in pending]
    return report


def conduct_pending_process(*, limit: int = 500) -> int:
    """Run the ladder for abusive messages ingest queued, oldest first; returns how many.

    Each row in its own transaction, deleted with the ladder's step, so two workers
    (or a task and the sweeper) never process one message twice.
    """
    done = 0
    while done < limit:
        with transaction.atomic():
            row = (
                PendingConduct.objects.select_for_update(skip_locked=True)
                .order_by("created_at", "id")
                .first()
            )
            if row is None:
                break
            conduct_abuse_found(mention_id=row.mention_id, message_id=row.message_id, classes=row.classes, actor=None)
            row.delete()
        done += 1
    return done


def contacts_under_warning(*, contact_ids: Collection[int]) -> set[int]:
    """Which of these contacts (or a contact linked to them) has an active strike."""
    if not contact_ids:
        return set()
    people = linked_contact_ids(contact_ids=set(contact_ids))
    struck = set(
        Strike.objects.filter(active_strikes(contact_ids={pk for ids in people.values() for pk in ids}))
        .values_list("contact_id", flat=True)
    )
    return {contact_id for contact_id, ids in people.items() if ids & struck}


def _personal_data_found(mention_id: int, found: dict[str, object]) -> None:
    mention = Mention.objects.get(pk=mention_id)
    if mention.visibility != Visibility.PUBLIC:
        return  # personal data belongs in a private conversation
    mention_set_flags(mention=mention, has_personal_data=True)
    mention_raise_priority(mention=mention, priority=Priority.HIGH, reason="personal_data", actor=None)
    Event.objects.create(
        action=EventAction.PERSONAL_DATA_FOUND,
        mention_id=mention_id,
        data={"kinds": sorted(found["kinds"]), "messages": found["messages"]},  # type: ignore[arg-type]
    )


def _route_after_warning(mention_ids: Collection[int]) -> list[int]:
    """Customer messages from a person with an active strike: marked, and to the leads if unclaimed."""
    mentions = {m.pk: m for m in Mention.objects.filter(pk__in=list(mention_ids), contact__isnull=False)}
    warned = contacts_under_warning(contact_ids={m.contact_id for m in mentions.values()})
    routed = []
    for mention in mentions.values():
        if mention.contact_id in warned:
            retry_on_conflict(lambda mention_id=mention.pk: _after_warning(mention_id))
            routed.append(mention.pk)
    return routed


def _after_warning(mention_id: int) -> None:
    mention = Mention.objects.get(pk=mention_id)
    mention_set_flags(mention=mention, after_warning=True)
    # Unclaimed work (new, or a closed thread the customer reopened) goes to the leads;
    # a thread an agent is working on stays with that agent.
    if mention.status == S.NEW:
        with transaction.atomic():
            mention_escalate(user=None, mention=mention, reason="after_warning")
