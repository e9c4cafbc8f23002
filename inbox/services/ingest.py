"""Storing what the platforms report: idempotent by (account, platform id).

The poll path and the webhook path both end here. One transaction per batch holds
the account row lock, so two deliveries of the same item (poll and webhook, or a
task run twice) serialize and the second finds the first's row.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from django.db import transaction
from django.db.models import F, Model, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from connectors.base import CursorAdvance, RemoteAuthor, RemoteMessage, RemotePost
from inbox.bulk import bulk_insert
from inbox.detection.rules import BrandDetectors
from inbox.exceptions import Conflict
from inbox.language import detect_language
from inbox.models import (
    Contact,
    Direction,
    Event,
    EventAction,
    Mention,
    MentionKind,
    MentionStatus,
    Message,
    PollCursor,
    Post,
    SocialAccount,
    Visibility,
)
from inbox.services.screening import (
    Finding,
    contacts_under_warning,
    messages_screen,
    new_messages_screened,
    text_findings,
)
from inbox.services.transitions import mention_transition
from inbox.text import clean_line, clean_raw, clean_text, clean_url

S = MentionStatus
_Row = TypeVar("_Row", bound=Model)
PREVIEW_CHARS = 280
_MAX_COUNT = 2_147_483_647


@dataclass
class IngestReport:
    new_mention_ids: list[int] = field(default_factory=list)
    joined_mention_ids: list[int] = field(default_factory=list)
    new_messages: int = 0
    updated_messages: int = 0
    ignored: int = 0

    @property
    def touched_mention_ids(self) -> list[int]:
        return self.new_mention_ids + self.joined_mention_ids


def messages_ingest(
    *, account_id: int, items: Sequence[RemoteMessage], advance: CursorAdvance | None = None
) -> IngestReport:
    """Store ``items`` for the account and move its cursor, all or nothing."""
    report = IngestReport()
    with transaction.atomic():
        account = SocialAccount.objects.select_for_update().select_related("brand").get(pk=account_id)
        batch = _latest_state_per_item(account, items, report)
        existing = {
            message.platform_id: message
            for message in Message.objects.filter(account=account, platform_id__in=list(batch)).only(
                "id", "mention_id", "platform_id", "text", "platform_updated_at", "like_count", "reply_count",
                "deleted_on_platform", "hidden", "edited",
            )
        }
        fresh: list[RemoteMessage] = []
        changed: list[str] = []
        for platform_id, item in batch.items():
            if platform_id in existing:
                if _apply_platform_state(existing[platform_id], item):
                    changed.append(platform_id)
            elif item.deleted:
                report.ignored += 1  # gone before we ever saw it: nothing to answer
            else:
                fresh.append(item)
        if fresh:
            _store_new(account, sorted(fresh, key=lambda item: item.posted_at), report)
        report.updated_messages += len(changed)
        # New messages were screened as they were stored; an edit is screened again.
        messages_screen(account=account, platform_ids=changed)
        if advance is not None:
            _advance_cursor(account, advance)
    return report


def _aware(value: dt.datetime) -> dt.datetime:
    return value if timezone.is_aware(value) else value.replace(tzinfo=dt.UTC)


def _latest_state_per_item(
    account: SocialAccount, items: Iterable[RemoteMessage], report: IngestReport
) -> dict[str, RemoteMessage]:
    batch: dict[str, RemoteMessage] = {}
    for raw_item in items:
        item = _with_clean_ids(raw_item)
        if not item.platform_id or item.author.platform_id == account.external_id:
            # Our own posts and replies are never new work; our outbound messages
            # carry their platform id once their delivery is sent.
            report.ignored += 1
            continue
        previous = batch.get(item.platform_id)
        if previous is None or _stamp(item) >= _stamp(previous):
            batch[item.platform_id] = item
    return batch


def _with_clean_ids(item: RemoteMessage) -> RemoteMessage:
    """Ids exactly as they are stored, so every lookup below agrees with the rows."""
    return dataclasses.replace(
        item,
        platform_id=clean_line(item.platform_id, 64),
        parent_platform_id=clean_line(item.parent_platform_id, 64),
        thread_id=clean_line(item.thread_id, 128),
        author=dataclasses.replace(item.author, platform_id=clean_line(item.author.platform_id, 64)),
        context_post=(
            dataclasses.replace(item.context_post, platform_id=clean_line(item.context_post.platform_id, 64))
            if item.context_post
            else None
        ),
    )


def _stamp(item: RemoteMessage) -> dt.datetime:
    return _aware(item.updated_at or item.posted_at)


def _apply_platform_state(message: Message, item: RemoteMessage) -> int:
    """Apply the platform's state to a stored message unless ours is newer. Returns 1 if changed."""
    stamp = _stamp(item)
    if message.platform_updated_at and stamp < message.platform_updated_at:
        return 0
    changes: dict[str, object] = {}
    text = clean_text(item.text)
    if item.edited and text and text != message.text:
        changes.update(text=text, edited=True)
    if item.deleted and not message.deleted_on_platform:
        changes["deleted_on_platform"] = True  # a deletion is final on both platforms
    if item.hidden != message.hidden:
        changes["hidden"] = item.hidden
    for counter in ("like_count", "reply_count"):
        value = min(max(getattr(item, counter), 0), _MAX_COUNT)
        if value != getattr(message, counter):
            changes[counter] = value
    if not changes:
        return 0
    Message.objects.filter(pk=message.pk).update(platform_updated_at=stamp, **changes)
    if "text" in changes:
        Mention.objects.filter(pk=message.mention_id).update(preview=text[:PREVIEW_CHARS])
        Event.objects.create(action=EventAction.EDITED_ON_PLATFORM, mention_id=message.mention_id, data={"message": message.pk})
    if "deleted_on_platform" in changes:
        Event.objects.create(
            action=EventAction.DELETED_ON_PLATFORM, mention_id=message.mention_id, data={"message": message.pk}
        )
    return 1


def _fetch_or_create(queryset: QuerySet[_Row], key: str, wanted: Iterable[str], build: Callable[[str], _Row]) -> dict[str, _Row]:
    """Rows by ``key`` for every wanted key, creating the missing ones.

    ignore_conflicts then a re-read: a concurrent batch (another account) may
    create the same contact at the same moment, and both must end with that row.
    """
    wanted = list(wanted)
    rows = {getattr(row, key): row for row in queryset.filter(**{f"{key}__in": wanted})}
    missing = [build(value) for value in wanted if value not in rows]
    if missing:
        queryset.model.objects.bulk_create(missing, ignore_conflicts=True)
        rows.update(
            (getattr(row, key), row)
            for row in queryset.filter(**{f"{key}__in": [getattr(row, key) for row in missing]})
        )
    return rows


def _upsert_contacts(platform: str, authors: Iterable[RemoteAuthor]) -> dict[str, Contact]:
    wanted = {author.platform_id: author for author in authors if author.platform_id}
    contacts = _fetch_or_create(
        Contact.objects.filter(platform=platform),
        "external_id",
        wanted,
        lambda author_id: Contact(platform=platform, external_id=author_id, **_contact_fields(wanted[author_id])),
    )
    changed = []
    for author_id, author in wanted.items():
        contact = contacts[author_id]
        fields = {name: value for name, value in _contact_fields(author).items() if value not in ("", None)}
        if any(getattr(contact, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(contact, name, value)
            changed.append(contact)
    if changed:
        Contact.objects.bulk_update(changed, ["handle", "name", "follower_count", "verified"])
    return contacts


def _contact_fields(author: RemoteAuthor) -> dict[str, object]:
    followers = author.follower_count
    return {
        "handle": clean_line(author.handle, 100),
        "name": clean_line(author.name, 200),
        "follower_count": None if followers is None else min(max(followers, 0), _MAX_COUNT),
        "verified": bool(author.verified),
    }


def _upsert_posts(account: SocialAccount, remote_posts: Iterable[RemotePost]) -> dict[str, Post]:
    wanted = {post.platform_id: post for post in remote_posts if post.platform_id}

    def build(platform_id: str) -> Post:
        post = wanted[platform_id]
        return Post(
            account=account,
            platform_id=platform_id,
            text=clean_text(post.text),
            author_name=clean_line(post.author_name, 200),
            is_own=post.is_own,
            permalink=clean_url(post.permalink),
            posted_at=_aware(post.posted_at) if post.posted_at else None,
            raw=clean_raw(dict(post.raw)),
        )

    return _fetch_or_create(Post.objects.filter(account=account), "platform_id", wanted, build) if wanted else {}


@dataclass
class _Thread:
    """Where an item goes: an existing mention (by id), or one this batch opens with ``opener``."""

    contact_id: int | None
    mention_id: int | None = None
    opener: RemoteMessage | None = None
    language: str = ""
    findings: list[Finding] = field(default_factory=list)
    #: Why a mention this batch opens goes straight to the leads ("threat", "after_warning"), or "".
    escalation: str = ""
    new: Mention | None = None


def _store_new(account: SocialAccount, items: list[RemoteMessage], report: IngestReport) -> None:
    contacts = _upsert_contacts(account.platform, (item.author for item in items))
    posts = _upsert_posts(account, (item.context_post for item in items if item.context_post))

    public_refs = {ref for item in items if item.kind != "private" for ref in (item.parent_platform_id, item.thread_id)}
    public_refs.discard("")
    known: dict[str, _Thread] = {
        platform_id: _Thread(contact_id=contact_id, mention_id=mention_id)
        for platform_id, mention_id, contact_id in Message.objects.filter(
            account=account, platform_id__in=list(public_refs), mention__visibility=Visibility.PUBLIC
        ).values_list("platform_id", "mention_id", "mention__contact_id")
    }
    private_keys = {
        key for item in items if item.kind == "private" for key in (item.thread_id, _user_key(item.author))
    }
    private_keys.discard("")
    threads: dict[str, _Thread] = {}
    # Oldest first, so the newest mention of a thread wins the key.
    for mention_id, thread_key, contact_id in (
        Mention.objects.filter(account=account, platform_thread_id__in=list(private_keys))
        .order_by("created_at", "id")
        .values_list("id", "platform_thread_id", "contact_id")
    ):
        threads[thread_key] = _Thread(contact_id=contact_id, mention_id=mention_id)

    placed: list[tuple[RemoteMessage, _Thread]] = []
    for item in items:
        contact = contacts.get(item.author.platform_id)
        thread = _find_thread(item, contact, known, threads)
        if thread is None:
            thread = _Thread(contact_id=contact.pk if contact else None, opener=item)
            if item.kind == "private":
                threads[item.thread_id or _user_key(item.author)] = thread
        known[item.platform_id] = thread
        placed.append((item, thread))

    # Detect once per text, in the language of the mention it lands in; new mentions
    # are then created with their flags and priority rather than updated afterwards.
    detectors = BrandDetectors(account.brand_id)
    languages = dict(
        Mention.objects.filter(pk__in={thread.mention_id for _item, thread in placed if thread.mention_id})
        .values_list("id", "language")
    )
    texts: list[str] = []
    findings: list[Finding] = []
    for item, thread in placed:
        text = clean_text(item.text)
        if thread.opener is item:
            thread.language = detect_language(text, hint=item.language, fallback=account.brand.default_language)
        language = languages.get(thread.mention_id, "") if thread.mention_id is not None else thread.language
        finding = text_findings(detectors, text, language=language)
        thread.findings.append(finding)
        texts.append(text)
        findings.append(finding)

    new_threads = list({id(thread): thread for _item, thread in placed if thread.opener is not None}.values())
    warned = contacts_under_warning(contact_ids={thread.contact_id for thread in new_threads if thread.contact_id})
    for thread in new_threads:
        contact = contacts.get(thread.opener.author.platform_id)  # type: ignore[union-attr]
        if any("threat" in finding.abuse for finding in thread.findings):
            thread.escalation = "threat"
        elif thread.contact_id in warned:
            thread.escalation = "after_warning"
        thread.new = _new_mention(account, thread, contact, posts, warned=thread.contact_id in warned)
    new_mentions = [thread.new for thread in new_threads]
    bulk_insert(new_mentions)  # type: ignore[arg-type]

    messages = [
        Message(
            mention_id=thread.mention_id if thread.mention_id is not None else thread.new.pk,  # type: ignore[union-attr]
            account=account,
            platform_id=item.platform_id,
            direction=Direction.INBOUND,
            author_contact=contacts.get(item.author.platform_id),
            text=text,
            posted_at=_aware(item.posted_at),
            platform_updated_at=_stamp(item),
            parent_platform_id=item.parent_platform_id,
            permalink=clean_url(item.permalink),
            like_count=min(max(item.like_count, 0), _MAX_COUNT),
            reply_count=min(max(item.reply_count, 0), _MAX_COUNT),
            raw=clean_raw(dict(item.raw)),
            has_personal_data=bool(finding.personal_data),
            is_abusive=bool(finding.abuse),
            screened_hash=finding.digest,
            hidden=item.hidden,
            edited=item.edited,
        )
        for (item, thread), text, finding in zip(placed, texts, findings, strict=True)
    ]
    bulk_insert(messages)
    report.new_messages += len(messages)

    first_message: dict[int, int] = {}
    for message in messages:
        first_message.setdefault(message.mention_id, message.pk)
    events = [
        Event(
            action=EventAction.INGESTED,
            mention=mention,
            to_status=mention.status,
            data={"message": first_message[mention.pk], "priority": mention.priority},
        )
        for mention in new_mentions  # type: ignore[union-attr]
    ]
    events += [
        Event(action=EventAction.ESCALATED, mention=thread.new, to_status=S.ESCALATED, reason=thread.escalation)
        for thread in new_threads
        if thread.escalation
    ]
    bulk_insert(events)
    report.new_mention_ids.extend(mention.pk for mention in new_mentions)  # type: ignore[union-attr]

    joined: dict[int, list[RemoteMessage]] = defaultdict(list)
    for item, thread in placed:
        if thread.mention_id is not None:
            joined[thread.mention_id].append(item)
    for mention_id, mention_items in joined.items():
        _customer_wrote_again(mention_id, mention_items)
    report.joined_mention_ids.extend(joined)
    new_messages_screened(
        found=[
            (message, finding, thread.mention_id is None,
             (thread.new.visibility if thread.new is not None else None))  # type: ignore[misc]
            for message, finding, (_item, thread) in zip(messages, findings, placed, strict=True)
        ]
    )


def _user_key(author: RemoteAuthor) -> str:
    """Thread key of a private conversation opened by us, before the platform named it."""
    return f"user:{author.platform_id}" if author.platform_id else ""


def _find_thread(
    item: RemoteMessage, contact: Contact | None, known: dict[str, _Thread], threads: dict[str, _Thread]
) -> _Thread | None:
    if item.kind == "private":
        return threads.get(item.thread_id) or threads.get(_user_key(item.author))
    for ref in (item.parent_platform_id, item.thread_id):
        thread = known.get(ref) if ref else None
        # Only the same customer's follow-ups join a mention; another customer
        # replying in the thread is their own mention (with the same context).
        if thread is not None and contact is not None and thread.contact_id == contact.pk:
            return thread
    return None


def _new_mention(
    account: SocialAccount, thread: _Thread, contact: Contact | None, posts: dict[str, Post], *, warned: bool
) -> Mention:
    """A mention as this batch opens it, flagged; a threat or a warned person's goes straight to the leads."""
    item = thread.opener
    assert item is not None
    text = clean_text(item.text)
    posted_at = _aware(item.posted_at)
    private = item.kind == "private"
    personal = not private and any(finding.personal_data for finding in thread.findings)
    return Mention(
        account=account,
        team_id=account.team_id,
        kind=item.kind if item.kind in MentionKind.values else MentionKind.MENTION,
        visibility=Visibility.PRIVATE if private else Visibility.PUBLIC,
        status=S.ESCALATED if thread.escalation else S.NEW,
        after_warning=warned,
        priority=max(finding.priority(public=not private) for finding in thread.findings),
        language=thread.language,
        contact=contact,
        context_post=posts.get(item.context_post.platform_id) if item.context_post else None,
        platform_thread_id=item.thread_id if private else "",
        preview=text[:PREVIEW_CHARS],
        has_personal_data=personal,
        is_abusive=any(finding.abuse for finding in thread.findings),
        public_reply_allowed=item.public_reply_allowed and not private,
        opened_at=posted_at,
        waiting_since=posted_at,
        last_inbound_at=posted_at,
        due_at=posted_at + dt.timedelta(minutes=account.brand.first_response_minutes),
    )


def _customer_wrote_again(mention_id: int, items: list[RemoteMessage]) -> None:
    """Fold new customer messages into their mention; a closed or waiting one comes back."""
    latest = max(items, key=lambda item: item.posted_at)
    earliest = _aware(min(item.posted_at for item in items))
    text = clean_text(latest.text)
    for _attempt in range(5):
        mention = Mention.objects.get(pk=mention_id)
        values = {
            "preview": text[:PREVIEW_CHARS],
            "last_inbound_at": max(_aware(latest.posted_at), mention.last_inbound_at or earliest),
        }
        data = {"messages": len(items)}
        try:
            if mention.status == S.CLOSED:
                values.update(waiting_since=earliest, assignee=None, claimed_at=None, closed_at=None)
                mention_transition(
                    mention=mention, to=S.NEW, allowed_from={S.CLOSED}, action=EventAction.CUSTOMER_REPLIED,
                    actor=None, values=values, data=data,
                )
            elif mention.status == S.WAITING:
                values["waiting_since"] = earliest
                mention_transition(
                    mention=mention, to=S.CLAIMED, allowed_from={S.WAITING}, action=EventAction.CUSTOMER_REPLIED,
                    actor=None, values=values, data=data,
                )
            else:
                updated = Mention.objects.filter(pk=mention.pk, status=mention.status, version=mention.version).update(
                    waiting_since=Coalesce(F("waiting_since"), earliest), updated_at=timezone.now(), **values
                )
                if updated != 1:
                    continue
                Event.objects.create(action=EventAction.CUSTOMER_REPLIED, mention_id=mention.pk, data=data)
            return
        except Conflict:
            continue  # an agent changed it this instant; read again
    raise Conflict(f"Mention {mention_id} kept changing while new messages were stored.")


def _advance_cursor(account: SocialAccount, advance: CursorAdvance) -> None:
    cursor, _created = PollCursor.objects.get_or_create(account=account, stream=advance.stream)
    fields = []
    if advance.cursor is not None:
        cursor.cursor = advance.cursor[:255]
        fields.append("cursor")
    if advance.watermark is not None:
        cursor.watermark = _aware(advance.watermark)
        fields.append("watermark")
    if advance.state is not None:
        cursor.state = clean_raw(dict(advance.state))
        fields.append("state")
    if fields:
        cursor.save(update_fields=fields)
