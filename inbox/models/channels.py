"""Brands and the social accounts (Facebook Pages, X accounts) they own."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from inbox import crypto


class Platform(models.TextChoices):
    FACEBOOK = "facebook", _("Facebook")
    X = "x", _("X")


class Brand(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    default_language = models.CharField(
        _("default language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    undo_seconds = models.PositiveSmallIntegerField(
        _("undo window (seconds)"),
        default=10,
        validators=[MaxValueValidator(300)],
        help_text=_("How long an agent can take back an answer before it leaves."),
    )
    signature_format = models.CharField(
        _("signature format"),
        max_length=80,
        default="^{initials}",
        help_text=_("Appended to every answer. Placeholders: {initials}, {first_name}, {display_name}."),
    )
    first_response_minutes = models.PositiveIntegerField(
        _("first response target (minutes)"), default=60, validators=[MinValueValidator(1)]
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("brand")
        verbose_name_plural = _("brands")

    def __str__(self) -> str:
        return self.name


class BrandTextKind(models.TextChoices):
    HOUSE_RULES = "house_rules", _("House rules pointer")
    PRIVATE_POINTER = "private_pointer", _("Public pointer to a private conversation")


class BrandText(models.Model):
    """A brand's own wording of a fixed message, per language (never a canned answer)."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="texts", verbose_name=_("brand"))
    kind = models.CharField(_("kind"), max_length=32, choices=BrandTextKind.choices)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    text = models.TextField(_("text"), max_length=2000)

    class Meta:
        verbose_name = _("brand text")
        verbose_name_plural = _("brand texts")
        constraints = [
            models.UniqueConstraint(fields=["brand", "kind", "language"], name="brandtext_unique_kind_language")
        ]

    def __str__(self) -> str:
        return f"{self.brand} · {self.get_kind_display()} · {self.language}"


class AccountStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    NEEDS_REAUTH = "needs_reauth", _("Needs re-authorisation")
    ERROR = "error", _("Error")


class SocialAccount(models.Model):
    """One Facebook Page or one X account, with its credentials (encrypted at rest)."""

    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="accounts", verbose_name=_("brand"))
    team = models.ForeignKey(
        "inbox.Team",
        on_delete=models.PROTECT,
        related_name="accounts",
        verbose_name=_("team"),
        help_text=_("The team whose queue receives this account's mentions."),
    )
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    external_id = models.CharField(
        _("platform id"), max_length=64, help_text=_("The Facebook Page id or the X user id.")
    )
    handle = models.CharField(_("handle"), max_length=100, help_text=_("@name on X, the Page name on Facebook."))
    credentials_ciphertext = models.TextField(editable=False, blank=True, default="")
    api_base_url = models.URLField(
        _("API base URL"),
        blank=True,
        help_text=_("Leave empty for the real platform. Set for the sandbox or a gateway."),
    )
    status = models.CharField(_("status"), max_length=16, choices=AccountStatus.choices, default=AccountStatus.ACTIVE)
    last_error = models.TextField(_("last error"), blank=True)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True)
    poll_interval_seconds = models.PositiveIntegerField(
        _("poll interval (seconds)"), default=60, validators=[MinValueValidator(5), MaxValueValidator(3600)]
    )
    keywords = models.JSONField(
        _("monitored keywords"),
        default=list,
        blank=True,
        help_text=_("Brand keywords searched on the platform besides direct mentions."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["brand__name", "platform", "handle"]
        verbose_name = _("social account")
        verbose_name_plural = _("social accounts")
        constraints = [
            models.UniqueConstraint(fields=["platform", "external_id"], name="socialaccount_unique_platform_id")
        ]

    def __str__(self) -> str:
        return f"{self.handle} ({self.get_platform_display()}, {self.brand})"

    def get_credentials(self) -> dict[str, Any]:
        return crypto.decrypt_json(self.credentials_ciphertext)

    def set_credentials(self, credentials: dict[str, Any]) -> None:
        self.credentials_ciphertext = crypto.encrypt_json(credentials) if credentials else ""

    @property
    def has_credentials(self) -> bool:
        return bool(self.credentials_ciphertext)


class Stream(models.TextChoices):
    """One thing a connector polls for an account; each has its own cursor."""

    X_MENTIONS = "x_mentions", _("X mentions")
    X_SEARCH = "x_search", _("X keyword search")
    X_DMS = "x_dms", _("X direct messages")
    FB_FEED = "fb_feed", _("Facebook page feed")
    FB_COMMENTS = "fb_comments", _("Facebook comments")
    FB_CONVERSATIONS = "fb_conversations", _("Facebook Messenger")


class PollCursor(models.Model):
    """Where polling of one account's stream stands, and its health.

    The cursor only moves in the same transaction as the rows it covers.
    """

    account = models.ForeignKey(
        SocialAccount, on_delete=models.CASCADE, related_name="cursors", verbose_name=_("account")
    )
    stream = models.CharField(_("stream"), max_length=32, choices=Stream.choices)
    cursor = models.CharField(_("cursor"), max_length=255, blank=True, help_text=_("since_id or paging cursor"))
    watermark = models.DateTimeField(_("watermark"), null=True, blank=True)
    state = models.JSONField(_("stream state"), default=dict, blank=True)
    next_poll_at = models.DateTimeField(_("next poll at"), null=True, blank=True)
    rate_limited_until = models.DateTimeField(_("rate limited until"), null=True, blank=True)
    rate_limit_remaining = models.IntegerField(_("rate limit remaining"), null=True, blank=True)
    rate_limit_limit = models.IntegerField(_("rate limit"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last success at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    consecutive_failures = models.PositiveIntegerField(_("consecutive failures"), default=0)

    class Meta:
        verbose_name = _("poll cursor")
        verbose_name_plural = _("poll cursors")
        constraints = [models.UniqueConstraint(fields=["account", "stream"], name="pollcursor_unique_stream")]
        indexes = [models.Index(fields=["next_poll_at"], name="pollcursor_next_poll")]

    def __str__(self) -> str:
        return f"{self.account} · {self.get_stream_display()}"
