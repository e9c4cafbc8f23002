"""What the connectors keep besides the inbox: raw webhook deliveries and deletion tombstones."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class WebhookEvent(models.Model):
    """One signed webhook body exactly as received; processed by a task, idempotently.

    Identical bodies (Meta retries) are stored once, keyed by their SHA-256.
    """

    received_at = models.DateTimeField(_("received at"), auto_now_add=True, db_index=True)
    source = models.CharField(_("source"), max_length=16, default="meta")
    digest = models.CharField(_("body SHA-256"), max_length=64, unique=True)
    body = models.TextField(_("body"))
    deliveries = models.PositiveIntegerField(_("times delivered"), default=1)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("processing attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        indexes = [
            models.Index(fields=["received_at"], condition=models.Q(processed_at__isnull=True),
                         name="webhookevent_unprocessed"),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.received_at:%Y-%m-%d %H:%M:%S}"


class Tombstone(models.Model):
    """A platform object we know was deleted. A late or repeated "create" for it is dropped:
    the platform's final state wins, even when the delete arrives first."""

    account = models.ForeignKey("inbox.SocialAccount", on_delete=models.CASCADE, related_name="tombstones")
    platform_id = models.CharField(_("platform id"), max_length=64)
    deleted_at = models.DateTimeField(_("deleted at"))

    class Meta:
        verbose_name = _("tombstone")
        verbose_name_plural = _("tombstones")
        constraints = [
            models.UniqueConstraint(fields=["account", "platform_id"], name="tombstone_unique_platform_id")
        ]

    def __str__(self) -> str:
        return self.platform_id
