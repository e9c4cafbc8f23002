"""Webhook deliveries as received, for admins looking into what Meta sent (read-only)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from connectors.models import WebhookEvent


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    list_display = ("received_at", "source", "deliveries", "processed_at", "attempts", "last_error")
    list_filter = ("source", ("processed_at", admin.EmptyFieldListFilter))
    readonly_fields = ("received_at", "source", "digest", "body", "deliveries", "processed_at", "attempts",
                       "last_error")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
