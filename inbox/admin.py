"""Django admin for admins: configuration is editable; work items are read-only.

Status, assignee and deliveries change only through the services (one writer per
state, with an event row), so the admin shows them but never edits them.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from inbox import models as m
from inbox.exceptions import DomainError


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MembershipInline(admin.TabularInline):
    model = m.Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(m.User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Webcare"), {"fields": ("display_name", "initials", "language", "time_zone")}),
    )
    list_display = ("username", "display_name", "email", "is_staff", "is_active")


@admin.register(m.Team)
class TeamAdmin(admin.ModelAdmin):
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MembershipInline]
    search_fields = ["name"]


class BrandTextInline(admin.TabularInline):
    model = m.BrandText
    extra = 0


class ConductPolicyForm(forms.ModelForm):
    """The webhook secret is write-only, like channel credentials."""

    security_webhook_url = forms.URLField(
        label=_("security webhook URL"),
        required=False,
        assume_scheme="https",
        help_text=m.ConductPolicy._meta.get_field("security_webhook_url").help_text,
    )
    new_webhook_secret = forms.CharField(
        label=_("New webhook secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Signs the security webhook (HMAC-SHA256). Leave empty to keep the stored one."),
    )

    class Meta:
        model = m.ConductPolicy
        exclude = ["security_webhook_secret_ciphertext"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        has_secret = bool(cleaned.get("new_webhook_secret") or self.instance.security_webhook_secret_ciphertext)
        if cleaned.get("security_webhook_url") and not has_secret:
            self.add_error("new_webhook_secret", _("A webhook needs a secret to sign its requests."))
        return cleaned

    def save(self, commit: bool = True) -> m.ConductPolicy:
        policy = super().save(commit=False)
        if self.cleaned_data.get("new_webhook_secret"):
            policy.set_webhook_secret(self.cleaned_data["new_webhook_secret"])
        if commit:
            policy.save()
        return policy


class ConductPolicyInline(admin.StackedInline):
    model = m.ConductPolicy
    form = ConductPolicyForm
    can_delete = False
    autocomplete_fields = ["close_category"]


class CustomerNumberPatternInline(admin.TabularInline):
    model = m.CustomerNumberPattern
    extra = 0
    fields = ("name", "pattern", "example", "is_active")


@admin.register(m.Brand)
class BrandAdmin(admin.ModelAdmin):
    list_display = ("name", "default_language", "undo_seconds", "signature_format", "first_response_minutes")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [BrandTextInline, ConductPolicyInline, CustomerNumberPatternInline]
    search_fields = ["name"]


@admin.register(m.ConductPolicy)
class ConductPolicyAdmin(admin.ModelAdmin):
    """Also editable on the brand; listed here to see every brand's policy at a glance."""

    form = ConductPolicyForm
    list_display = ("brand", "repeat_period_days", "strike_expiry_days", "hide_on_escalation", "security_email",
                    "security_webhook_url")
    list_select_related = ("brand",)
    autocomplete_fields = ["close_category"]


@admin.register(m.CustomerNumberPattern)
class CustomerNumberPatternAdmin(admin.ModelAdmin):
    list_display = ("name", "brand", "pattern", "example", "is_active")
    list_filter = ("brand", "is_active")
    list_select_related = ("brand",)


@admin.register(m.AbuseTerm)
class AbuseTermAdmin(admin.ModelAdmin):
    list_display = ("expression", "abuse_class", "kind", "is_exception", "language", "brand", "is_active", "updated_at")
    list_filter = ("abuse_class", "kind", "is_exception", "language", "brand", "is_active")
    search_fields = ["expression", "note"]
    list_select_related = ("brand",)


class SocialAccountForm(forms.ModelForm):
    """Credentials are write-only: the form never shows what is stored."""

    api_base_url = forms.URLField(
        label=_("API base URL"),
        required=False,
        assume_scheme="https",
        help_text=m.SocialAccount._meta.get_field("api_base_url").help_text,
    )

    new_credentials = forms.CharField(
        label=_("New credentials (JSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off"}),
        help_text=_(
            'Leave empty to keep the stored credentials. X: {"bearer_token": …, "consumer_key": …, '
            '"consumer_secret": …, "access_token": …, "access_token_secret": …}. '
            'Facebook: {"page_access_token": …, "app_secret": …}.'
        ),
    )

    class Meta:
        model = m.SocialAccount
        exclude = ["credentials_ciphertext"]

    def clean_new_credentials(self) -> dict[str, Any] | None:
        raw = self.cleaned_data.get("new_credentials", "").strip()
        if not raw:
            return None
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(_("Not valid JSON: %(error)s") % {"error": exc.msg}) from None
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise forms.ValidationError(_("Give an object of names to text values."))
        return value

    def clean_keywords(self) -> list[str]:
        keywords = self.cleaned_data.get("keywords") or []
        if not isinstance(keywords, list) or not all(isinstance(k, str) and k.strip() for k in keywords):
            raise forms.ValidationError(_("Give a list of keywords, e.g. [\"telvio\", \"#telvio\"]."))
        return [k.strip() for k in keywords]

    def save(self, commit: bool = True) -> m.SocialAccount:
        account = super().save(commit=False)
        if self.cleaned_data.get("new_credentials") is not None:
            account.set_credentials(self.cleaned_data["new_credentials"])
        if commit:
            account.save()
        return account


class PollCursorInline(admin.TabularInline):
    model = m.PollCursor
    extra = 0
    can_delete = False
    readonly_fields = [f.name for f in m.PollCursor._meta.fields if f.name not in ("id", "account")]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(m.SocialAccount)
class SocialAccountAdmin(admin.ModelAdmin):
    form = SocialAccountForm
    list_display = ("handle", "platform", "brand", "team", "status", "has_credentials", "last_error_at")
    list_filter = ("platform", "status", "brand", "team")
    list_select_related = ("brand", "team")
    search_fields = ["handle", "external_id"]
    readonly_fields = ("last_error", "last_error_at", "created_at", "updated_at")
    inlines = [PollCursorInline]

    @admin.display(boolean=True, description=_("credentials stored"))
    def has_credentials(self, obj: m.SocialAccount) -> bool:
        return obj.has_credentials


@admin.register(m.BrandText)
class BrandTextAdmin(admin.ModelAdmin):
    list_display = ("brand", "kind", "language", "text")
    list_filter = ("brand", "kind", "language")
    list_select_related = ("brand",)


@admin.register(m.PendingConduct)
class PendingConductAdmin(ReadOnlyAdmin):
    list_display = ("message_id", "mention_id", "classes", "created_at")


@admin.register(m.Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "team", "role")
    list_filter = ("team", "role")
    list_select_related = ("user", "team")
    autocomplete_fields = ["user"]


@admin.register(m.PollCursor)
class PollCursorAdmin(ReadOnlyAdmin):
    list_display = ("account", "stream", "cursor", "last_success_at", "next_poll_at", "rate_limited_until",
                    "consecutive_failures")
    list_filter = ("stream",)
    list_select_related = ("account",)


@admin.register(m.MentionTag)
class MentionTagAdmin(ReadOnlyAdmin):
    list_display = ("mention_id", "tag")
    list_select_related = ("tag",)


@admin.register(m.Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "is_active")
    list_filter = ("is_active",)
    search_fields = ["name"]


@admin.register(m.Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(m.Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "created_at")


@admin.register(m.Contact)
class ContactAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "platform", "name", "follower_count", "verified", "person", "last_seen_at", "erased_at")
    list_filter = ("platform", "verified")
    search_fields = ["handle", "name", "external_id"]
    actions = ["export_masked", "export_unmasked", "erase"]

    def _export(self, request: HttpRequest, queryset: QuerySet[m.Contact], *, masked: bool) -> HttpResponse:
        from inbox.services.privacy import contact_export

        data = [contact_export(actor=request.user, contact_id=pk, masked=masked)  # type: ignore[arg-type]
                for pk in queryset.values_list("pk", flat=True)[:100]]
        response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json")
        response["Content-Disposition"] = 'attachment; filename="contacts.json"'
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=_("Export the selected contacts' data (JSON, personal data masked)"))
    def export_masked(self, request: HttpRequest, queryset: QuerySet[m.Contact]) -> HttpResponse:
        return self._export(request, queryset, masked=True)

    @admin.action(description=_("Export the selected contacts' data (JSON, unmasked, for a data subject request)"))
    def export_unmasked(self, request: HttpRequest, queryset: QuerySet[m.Contact]) -> HttpResponse:
        return self._export(request, queryset, masked=False)

    @admin.action(description=_("Erase the selected contacts' personal data (mentions stay, anonymised)"))
    def erase(self, request: HttpRequest, queryset: QuerySet[m.Contact]) -> HttpResponse | None:
        from inbox.conduct.forms import EraseForm
        from inbox.services.privacy import contact_erase

        form = EraseForm(request.POST if "erase_confirmed" in request.POST else None)
        if form.is_bound and form.is_valid():
            erased = 0
            for pk in queryset.values_list("pk", flat=True):
                try:
                    contact_erase(
                        actor=request.user,  # type: ignore[arg-type]
                        contact_id=pk,
                        reference=form.cleaned_data["reference"],
                    )
                    erased += 1
                except DomainError as error:
                    self.message_user(request, f"#{pk}: {error.message}", messages.ERROR)
            done = ngettext("%(count)d contact erased.", "%(count)d contacts erased.", erased) % {"count": erased}
            self.message_user(request, done, messages.SUCCESS)
            return None
        return TemplateResponse(
            request,
            "admin/inbox/contact/erase_confirmation.html",
            {**self.admin_site.each_context(request), "title": _("Erase personal data"), "contacts": queryset,
             "form": form, "action_checkbox_name": ACTION_CHECKBOX_NAME, "opts": self.model._meta},
        )


class MessageInline(admin.TabularInline):
    model = m.Message
    fields = ("posted_at", "direction", "author_contact", "author_user", "text", "platform_id", "hidden",
              "deleted_on_platform")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(m.Mention)
class MentionAdmin(ReadOnlyAdmin):
    list_display = ("id", "preview", "status", "assignee", "team", "account", "priority", "language", "opened_at")
    list_filter = ("status", "team", "kind", "visibility", "account__platform", "account__brand", "priority",
                   "has_personal_data", "is_abusive", "language")
    list_select_related = ("assignee", "team", "account")
    search_fields = ["preview", "contact__handle", "contact__name"]
    date_hierarchy = "opened_at"
    inlines = [MessageInline]
    show_full_result_count = False  # no COUNT(*) over a million rows on every page


@admin.register(m.Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ("id", "mention_id", "direction", "posted_at", "text")
    list_filter = ("direction", "has_personal_data", "is_abusive", "deleted_on_platform", "hidden")
    search_fields = ["platform_id"]
    show_full_result_count = False


@admin.register(m.Post)
class PostAdmin(ReadOnlyAdmin):
    list_display = ("platform_id", "account", "is_own", "posted_at", "text")
    list_select_related = ("account",)


@admin.register(m.Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "state", "account", "mention_id", "attempts", "platform_id", "error_code",
                    "created_at", "sent_at")
    list_filter = ("state", "kind", "account")
    list_select_related = ("account",)
    show_full_result_count = False


@admin.register(m.Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "action", "actor", "mention_id", "delivery_id", "from_status", "to_status",
                    "reason")
    list_filter = ("action",)
    list_select_related = ("actor",)
    show_full_result_count = False


@admin.register(m.ConductCase)
class ConductCaseAdmin(ReadOnlyAdmin):
    list_display = ("mention_id", "status", "reason", "classes", "brand", "contact", "created_at", "escalated_at",
                    "reviewed_by")
    list_filter = ("status", "reason", "brand")
    list_select_related = ("brand", "contact", "reviewed_by")
    show_full_result_count = False


@admin.register(m.Strike)
class StrikeAdmin(ReadOnlyAdmin):
    list_display = ("contact", "kind", "brand", "created_at", "expires_at", "lifted_at", "lift_reason")
    list_filter = ("kind", "brand", "lift_reason")
    list_select_related = ("contact", "brand")


@admin.register(m.SecurityForward)
class SecurityForwardAdmin(ReadOnlyAdmin):
    list_display = ("id", "case", "state", "attempts", "email_sent_at", "webhook_sent_at", "last_error", "created_at")
    list_filter = ("state",)
