"""Mentions, the unit of work, and the messages in their threads."""

from __future__ import annotations

from typing import Final

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from inbox.models.channels import SocialAccount
from inbox.models.contacts import Contact


class MentionKind(models.TextChoices):
    PAGE_POST = "page_post", _("Post on the page")
    COMMENT = "comment", _("Comment")
    REPLY = "reply", _("Reply")
    MENTION = "mention", _("Mention")
    KEYWORD = "keyword", _("Keyword hit")
    PRIVATE = "private", _("Private conversation")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    PRIVATE = "private", _("Private")


class MentionStatus(models.TextChoices):
    NEW = "new", _("New")
    CLAIMED = "claimed", _("Claimed")
    WAITING = "waiting", _("Waiting on customer")
    ESCALATED = "escalated", _("Escalated")
    CLOSED = "closed", _("Closed")


_S = MentionStatus
#: Every status change a mention may make. The one writer (inbox.services.transitions)
#: refuses anything else. claimed -> claimed is a lead reassigning.
MENTION_TRANSITIONS: Final[dict[str, frozenset[str]]] = {
    _S.NEW: frozenset({_S.CLAIMED, _S.ESCALATED, _S.CLOSED}),
    _S.CLAIMED: frozenset({_S.CLAIMED, _S.NEW, _S.WAITING, _S.ESCALATED, _S.CLOSED}),
    _S.WAITING: frozenset({_S.CLAIMED, _S.NEW, _S.ESCALATED, _S.CLOSED}),
    _S.ESCALATED: frozenset({_S.CLAIMED, _S.NEW, _S.CLOSED}),
    _S.CLOSED: frozenset({_S.NEW, _S.CLAIMED}),
}
OPEN_STATUSES: Final = frozenset({_S.NEW, _S.CLAIMED, _S.WAITING, _S.ESCALATED})


class Priority(models.IntegerChoices):
    LOW = 0, _("Low")
    NORMAL = 1, _("Normal")
    HIGH = 2, _("High")
    URGENT = 3, _("Urgent")


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """What a mention was about; required when closing, the base of the topic statistics."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


class Post(models.Model):
    """A post that comments are written under (often the brand's own marketing post).

    Context for agents, not work: many mentions can hang under one post.
    """

    account = models.ForeignKey(SocialAccount, on_delete=models.PROTECT, related_name="posts")
    platform_id = models.CharField(_("platform id"), max_length=64)
    text = models.TextField(_("text"), blank=True)
    author_name = models.CharField(_("author"), max_length=200, blank=True)
    is_own = models.BooleanField(_("posted by the brand"), default=False)
    permalink = models.URLField(_("link"), max_length=500, blank=True)
    posted_at = models.DateTimeField(_("posted at"), null=True, blank=True)
    raw = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        constraints = [models.UniqueConstraint(fields=["account", "platform_id"], name="post_unique_platform_id")]

    def __str__(self) -> str:
        return self.text[:60] or self.platform_id


class Mention(models.Model):
    """One customer's public post, comment or tweet (or a private thread) and its follow-ups."""

    account = models.ForeignKey(
        SocialAccount, on_delete=models.PROTECT, related_name="mentions", verbose_name=_("account")
    )
    team = models.ForeignKey("inbox.Team", on_delete=models.PROTECT, related_name="mentions", verbose_name=_("team"))
    kind = models.CharField(_("kind"), max_length=16, choices=MentionKind.choices)
    visibility = models.CharField(_("visibility"), max_length=8, choices=Visibility.choices)
    status = models.CharField(_("status"), max_length=16, choices=MentionStatus.choices, default=MentionStatus.NEW)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_mentions",
        verbose_name=_("assignee"),
    )
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    priority = models.SmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.NORMAL)
    language = models.CharField(_("language"), max_length=8, blank=True)
    contact = models.ForeignKey(
        Contact, on_delete=models.PROTECT, null=True, blank=True, related_name="mentions", verbose_name=_("contact")
    )
    context_post = models.ForeignKey(
        Post, on_delete=models.SET_NULL, null=True, blank=True, related_name="mentions", verbose_name=_("posted under")
    )
    public_mention = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="private_mentions",
        verbose_name=_("public mention"),
        help_text=_("For a private thread: the public mention it was moved from."),
    )
    platform_thread_id = models.CharField(
        _("platform thread id"),
        max_length=128,
        blank=True,
        help_text=_("Messenger conversation or X DM conversation id of a private thread."),
    )
    preview = models.CharField(_("preview"), max_length=280, blank=True)
    has_personal_data = models.BooleanField(_("contains personal data"), default=False)
    is_abusive = models.BooleanField(_("abusive"), default=False)
    after_warning = models.BooleanField(
        _("after warning"),
        default=False,
        help_text=_("Written by a contact with an active code-of-conduct strike; routed to the leads."),
    )
    public_reply_allowed = models.BooleanField(
        _("public reply allowed"),
        default=True,
        help_text=_("False for X keyword hits that do not mention the brand: X refuses replies to those."),
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, related_name="mentions", verbose_name=_("category")
    )
    tags = models.ManyToManyField(Tag, through="MentionTag", blank=True, related_name="mentions")
    version = models.PositiveIntegerField(default=1, editable=False)
    opened_at = models.DateTimeField(_("opened at"), help_text=_("When the customer posted the first message."))
    waiting_since = models.DateTimeField(
        _("waiting since"), null=True, blank=True, help_text=_("The oldest customer message not yet answered.")
    )
    last_inbound_at = models.DateTimeField(_("last customer message at"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    due_at = models.DateTimeField(_("first response due at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("mention")
        verbose_name_plural = _("mentions")
        constraints = [
            models.CheckConstraint(
                condition=Q(status=MentionStatus.NEW, assignee__isnull=True)
                | Q(status__in=[MentionStatus.CLAIMED, MentionStatus.WAITING], assignee__isnull=False)
                | Q(status__in=[MentionStatus.ESCALATED, MentionStatus.CLOSED]),
                name="mention_assignee_matches_status",
            ),
            models.CheckConstraint(
                condition=Q(visibility=Visibility.PRIVATE) | Q(public_mention__isnull=True),
                name="mention_only_private_links_public",
            ),
            # Queues sort unclaimed work by waiting_since; a NULL would sort differently
            # on SQLite and PostgreSQL and break keyset pagination.
            models.CheckConstraint(
                condition=~Q(status=MentionStatus.NEW) | Q(waiting_since__isnull=False),
                name="mention_unclaimed_has_waiting_since",
            ),
        ]
        indexes = [
            # The hot path: "unclaimed for my teams, by priority, longest waiting first".
            models.Index(
                fields=["team", "-priority", "waiting_since", "id"],
                condition=Q(status=MentionStatus.NEW),
                name="mention_unclaimed_queue",
            ),
            models.Index(fields=["team", "status", "-priority", "waiting_since", "id"], name="mention_team_queue"),
            models.Index(
                fields=["assignee", "status", "-priority", "waiting_since", "id"],
                condition=Q(assignee__isnull=False),
                name="mention_assignee_queue",
            ),
            models.Index(
                fields=["team", "-closed_at", "-id"], condition=Q(status=MentionStatus.CLOSED), name="mention_closed"
            ),
            models.Index(fields=["contact", "-opened_at"], name="mention_contact_history"),
            models.Index(
                fields=["account", "platform_thread_id"],
                condition=~Q(platform_thread_id=""),
                name="mention_private_thread",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.preview[:50]}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class MentionTag(models.Model):
    mention = models.ForeignKey(Mention, on_delete=models.CASCADE)
    tag = models.ForeignKey(Tag, on_delete=models.PROTECT)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["mention", "tag"], name="mentiontag_unique")]


class Direction(models.TextChoices):
    INBOUND = "inbound", _("From the customer")
    OUTBOUND = "outbound", _("From the brand")
    NOTE = "note", _("Internal note")


class Message(models.Model):
    """One message in a mention's thread: the customer's, ours, or an internal note."""

    mention = models.ForeignKey(Mention, on_delete=models.CASCADE, related_name="messages", verbose_name=_("mention"))
    account = models.ForeignKey(SocialAccount, on_delete=models.PROTECT, related_name="messages")
    platform_id = models.CharField(
        _("platform id"), max_length=64, null=True, blank=True, help_text=_("Unique per account once known.")
    )
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    author_contact = models.ForeignKey(
        Contact, on_delete=models.PROTECT, null=True, blank=True, related_name="messages", verbose_name=_("author")
    )
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("written by"),
    )
    text = models.TextField(_("text"), blank=True)
    posted_at = models.DateTimeField(_("posted at"))
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    platform_updated_at = models.DateTimeField(
        _("updated on the platform at"),
        null=True,
        blank=True,
        help_text=_("Time of the platform state last applied; older updates are ignored."),
    )
    parent_platform_id = models.CharField(_("in reply to"), max_length=64, blank=True)
    permalink = models.URLField(_("link"), max_length=500, blank=True)
    like_count = models.PositiveIntegerField(_("likes"), default=0)
    reply_count = models.PositiveIntegerField(_("replies"), default=0)
    raw = models.JSONField(_("platform payload"), default=dict, blank=True)
    has_personal_data = models.BooleanField(_("contains personal data"), default=False)
    is_abusive = models.BooleanField(_("abusive"), default=False)
    screened_hash = models.CharField(
        max_length=16,
        blank=True,
        editable=False,
        help_text=_("Digest of the text the detectors last looked at; a new text is screened again."),
    )
    deleted_on_platform = models.BooleanField(_("deleted on the platform"), default=False)
    hidden = models.BooleanField(_("hidden"), default=False)
    edited = models.BooleanField(_("edited"), default=False)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.UniqueConstraint(
                fields=["account", "platform_id"],
                condition=Q(platform_id__isnull=False),
                name="message_unique_platform_id",
            ),
            models.CheckConstraint(
                condition=~Q(direction=Direction.NOTE) | Q(platform_id__isnull=True),
                name="message_note_never_on_platform",
            ),
            models.CheckConstraint(
                condition=~Q(direction=Direction.INBOUND) | Q(author_user__isnull=True),
                name="message_inbound_has_no_user",
            ),
        ]
        indexes = [models.Index(fields=["mention", "posted_at", "id"], name="message_thread")]

    def __str__(self) -> str:
        return f"{self.get_direction_display()}: {self.text[:50]}"
