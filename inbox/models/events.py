"""The append-only event log: every status change and every action."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from inbox.models.channels import SocialAccount
from inbox.models.contacts import Contact
from inbox.models.deliveries import Delivery
from inbox.models.mentions import Mention


class EventAction(models.TextChoices):
    INGESTED = "ingested", _("Arrived")
    CUSTOMER_REPLIED = "customer_replied", _("Customer wrote again")
    CLAIMED = "claimed", _("Claimed")
    RELEASED = "released", _("Released")
    ASSIGNED = "assigned", _("Assigned")
    REPLIED = "replied", _("Answered")
    MOVED_TO_PRIVATE = "moved_to_private", _("Moved to private")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")
    ESCALATED = "escalated", _("Escalated")
    NOTED = "noted", _("Note added")
    TAGGED = "tagged", _("Tags changed")
    PRIORITY_CHANGED = "priority_changed", _("Priority changed")
    DELIVERY_STATE = "delivery_state", _("Delivery changed state")
    ACCOUNT_STATUS = "account_status", _("Account changed status")
    EDITED_ON_PLATFORM = "edited_on_platform", _("Edited on the platform")
    DELETED_ON_PLATFORM = "deleted_on_platform", _("Deleted on the platform")
    PERSONAL_DATA_FOUND = "personal_data_found", _("Personal data found in a public post")
    CONDUCT_FLAGGED = "conduct_flagged", _("Flagged under the code of conduct")
    HOUSE_RULES_SENT = "house_rules_sent", _("House rules sent")
    CONDUCT_ESCALATED = "conduct_escalated", _("Code of conduct: escalated to the leads")
    CONDUCT_UPHELD = "conduct_upheld", _("Code of conduct: upheld")
    CONDUCT_LIFTED = "conduct_lifted", _("Code of conduct: lifted")
    THREAT_FORWARDED = "threat_forwarded", _("Threat forwarded to security")
    FORWARD_SENT = "forward_sent", _("Security forward delivered")
    FORWARD_FAILED = "forward_failed", _("Security forward failed")
    CONTACTS_LINKED = "contacts_linked", _("Contacts linked as one person")
    CONTACT_UNLINKED = "contact_unlinked", _("Contact unlinked")
    CONTACT_EXPORTED = "contact_exported", _("Contact's data exported")
    CONTACT_ERASED = "contact_erased", _("Contact's data erased")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):  # type: ignore[no-untyped-def]
        raise TypeError("Events are append-only.")

    def delete(self):  # type: ignore[no-untyped-def]
        raise TypeError("Events are append-only.")


class Event(models.Model):
    """Append-only: the app never updates or deletes a row (PostgreSQL enforces it with a trigger).

    ``data`` holds before/after values and ids, never customer text or personal data,
    so erasing a contact never needs to touch the log.
    """

    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("by"),
        help_text=_("Empty for Webcare itself."),
    )
    action = models.CharField(_("action"), max_length=40, choices=EventAction.choices)
    mention = models.ForeignKey(Mention, on_delete=models.PROTECT, null=True, blank=True, related_name="events")
    delivery = models.ForeignKey(Delivery, on_delete=models.PROTECT, null=True, blank=True, related_name="events")
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, null=True, blank=True, related_name="events")
    account = models.ForeignKey(SocialAccount, on_delete=models.PROTECT, null=True, blank=True, related_name="events")
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16, blank=True)
    reason = models.CharField(_("reason"), max_length=64, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [models.Index(fields=["mention", "created_at"], name="event_mention")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.from_status}→{self.to_status}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.pk is not None and not kwargs.get("force_insert"):
            raise TypeError("Events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise TypeError("Events are append-only.")
