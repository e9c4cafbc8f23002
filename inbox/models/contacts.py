"""The people on the platforms who write to the brands."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from inbox.models.channels import Platform


class Person(models.Model):
    """Groups contacts that a lead has linked as one and the same person.

    Strikes and history count across everything linked to one person.
    """

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return _("Person #%(id)s") % {"id": self.pk}


class Contact(models.Model):
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    external_id = models.CharField(
        _("platform user id"),
        max_length=64,
        help_text=_("X user id, or the Facebook id as seen by the Page (page-scoped)."),
    )
    handle = models.CharField(_("handle"), max_length=100, blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    follower_count = models.PositiveIntegerField(_("followers"), null=True, blank=True)
    verified = models.BooleanField(_("verified"), default=False)
    person = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name=_("linked person"),
    )
    first_seen_at = models.DateTimeField(_("first seen at"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("last seen at"), auto_now=True)
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.UniqueConstraint(fields=["platform", "external_id"], name="contact_unique_platform_id")
        ]

    def __str__(self) -> str:
        if self.handle:
            return f"@{self.handle}" if self.platform == Platform.X else self.handle
        return self.name or self.external_id
