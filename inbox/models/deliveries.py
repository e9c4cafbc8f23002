"""The outbox: one outbound action on a platform, sent exactly once."""

from __future__ import annotations

from typing import Final

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from inbox.models.channels import SocialAccount
from inbox.models.mentions import Mention, Message


class DeliveryKind(models.TextChoices):
    REPLY = "reply", _("Public reply")
    PRIVATE_MESSAGE = "private_message", _("Private message")
    HIDE = "hide", _("Hide")
    UNHIDE = "unhide", _("Unhide")


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    NEEDS_REVIEW = "needs_review", _("Needs review")
    CANCELLED = "cancelled", _("Cancelled")


_D = DeliveryState
#: sending -> pending only when the request provably never reached the platform
#: (connection refused, rate limited before sending); an unknown outcome goes to
#: needs_review or is reconciled, never blindly back to pending.
DELIVERY_TRANSITIONS: Final[dict[str, frozenset[str]]] = {
    _D.PENDING: frozenset({_D.SENDING, _D.CANCELLED, _D.FAILED}),
    _D.SENDING: frozenset({_D.SENT, _D.FAILED, _D.NEEDS_REVIEW, _D.PENDING}),
    _D.NEEDS_REVIEW: frozenset({_D.SENT, _D.FAILED, _D.PENDING}),
    _D.FAILED: frozenset({_D.PENDING}),
    _D.SENT: frozenset(),
    _D.CANCELLED: frozenset(),
}


class Delivery(models.Model):
    account = models.ForeignKey(SocialAccount, on_delete=models.PROTECT, related_name="deliveries")
    mention = models.ForeignKey(Mention, on_delete=models.PROTECT, related_name="deliveries")
    message = models.OneToOneField(
        Message,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="delivery",
        help_text=_("The outbound message this delivery posts; empty for hide and unhide."),
    )
    kind = models.CharField(_("kind"), max_length=24, choices=DeliveryKind.choices)
    state = models.CharField(_("state"), max_length=16, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    target_platform_id = models.CharField(
        _("target"), max_length=128, help_text=_("The post replied to, the comment hidden, or the recipient.")
    )
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    depends_on = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dependents",
        help_text=_("Sent only after this one is sent (a public pointer waits for its private message)."),
    )
    send_after = models.DateTimeField(_("send after"), help_text=_("End of the undo window."))
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    attempt_started_at = models.DateTimeField(_("attempt started at"), null=True, blank=True)
    lease_until = models.DateTimeField(_("lease until"), null=True, blank=True)
    platform_id = models.CharField(_("platform id"), max_length=128, null=True, blank=True)
    error_code = models.CharField(_("error code"), max_length=64, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="deliveries"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["account", "platform_id"],
                condition=Q(platform_id__isnull=False),
                name="delivery_unique_platform_id",
            ),
            models.CheckConstraint(
                condition=~Q(state=DeliveryState.SENT, kind__in=[DeliveryKind.REPLY, DeliveryKind.PRIVATE_MESSAGE])
                | Q(platform_id__isnull=False),
                name="delivery_sent_post_has_platform_id",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=[DeliveryKind.HIDE, DeliveryKind.UNHIDE]) | Q(message__isnull=False),
                name="delivery_post_has_message",
            ),
        ]
        indexes = [
            models.Index(
                fields=["state", "send_after"],
                condition=Q(state__in=[DeliveryState.PENDING, DeliveryState.SENDING]),
                name="delivery_due",
            ),
            models.Index(fields=["mention", "created_at"], name="delivery_mention"),
            # The leads' list of deliveries to check (and its count in the navigation): few rows.
            models.Index(
                fields=["updated_at"], condition=Q(state=DeliveryState.NEEDS_REVIEW), name="delivery_needs_review"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.get_state_display()})"
