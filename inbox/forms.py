"""Forms of the agent's inbox. They parse and bound input; the services decide what is allowed."""

from __future__ import annotations

import zoneinfo
from functools import cache

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from inbox.models import Brand, Platform, Priority, SocialAccount, User
from inbox.selectors import QueueFilters
from inbox.services.mentions import NOTE_MAX_LENGTH

#: Longer than any platform allows (an X DM is 10,000): the service gives the
#: precise refusal, this only stops absurd bodies before any work is done.
ANSWER_MAX_LENGTH = 20_000
_YES_NO = [("", _("Any")), ("yes", _("Yes")), ("no", _("No"))]


class QueueFilterForm(forms.Form):
    """The queue's filters. Choices are the only values accepted, so nothing else reaches a query."""

    brand = forms.TypedChoiceField(label=_("Brand"), required=False, coerce=int, empty_value=None)
    account = forms.TypedChoiceField(label=_("Account"), required=False, coerce=int, empty_value=None)
    platform = forms.ChoiceField(label=_("Platform"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)
    tag = forms.CharField(label=_("Tag"), required=False, max_length=50)
    priority = forms.TypedChoiceField(label=_("Priority"), required=False, coerce=int, empty_value=None)
    personal = forms.ChoiceField(label=_("Personal data"), required=False, choices=_YES_NO)
    abuse = forms.ChoiceField(label=_("Abuse"), required=False, choices=_YES_NO)

    def __init__(self, *args: object, brands: list[Brand], accounts: list[SocialAccount], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        any_choice = [("", _("Any"))]
        self.fields["brand"].choices = any_choice + [(b.pk, b.name) for b in brands]
        self.fields["account"].choices = any_choice + [(a.pk, str(a)) for a in accounts]
        self.fields["platform"].choices = any_choice + list(Platform.choices)
        self.fields["language"].choices = any_choice + list(settings.LANGUAGES)
        self.fields["priority"].choices = any_choice + [(value, label) for value, label in reversed(Priority.choices)]

    def filters(self) -> QueueFilters:
        """The valid part of the filters; a bad value (a stale link) is ignored, not an error page."""
        self.is_valid()
        data = self.cleaned_data  # holds only the fields that validated

        def flag(value: str | None) -> bool | None:
            return {"yes": True, "no": False}.get(value or "")

        return QueueFilters(
            brand_id=data.get("brand"),
            account_id=data.get("account"),
            platform=data.get("platform") or "",
            language=data.get("language") or "",
            tag=(data.get("tag") or "").strip(),
            priority=data.get("priority"),
            personal_data=flag(data.get("personal")),
            abusive=flag(data.get("abuse")),
        )


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("Your answer"), max_length=ANSWER_MAX_LENGTH, strip=False, widget=forms.Textarea)


class MoveToPrivateForm(forms.Form):
    private_text = forms.CharField(
        label=_("Private message"), max_length=ANSWER_MAX_LENGTH, strip=False, widget=forms.Textarea
    )
    public_text = forms.CharField(
        label=_("Public pointer"),
        max_length=ANSWER_MAX_LENGTH,
        required=False,
        strip=False,
        widget=forms.Textarea,
        help_text=_("Posted publicly once the private message is out, so others see that the brand answered."),
    )


class CloseForm(forms.Form):
    category = forms.TypedChoiceField(label=_("What was it about?"), coerce=int, empty_value=None, required=False)

    def __init__(self, *args: object, categories: list, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["category"].choices = [("", _("Choose a category"))] + [(c.pk, c.name) for c in categories]


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Internal note"), max_length=NOTE_MAX_LENGTH, widget=forms.Textarea)


class TagsForm(forms.Form):
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=1000,
        help_text=_("Separate tags with commas."),
    )

    def tag_names(self) -> list[str]:
        return [name.strip() for name in self.cleaned_data["tags"].split(",") if name.strip()]


@cache
def _time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones()) if "/" in name]


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["language", "time_zone"]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["language"].required = True
        self.fields["language"].choices = list(settings.LANGUAGES)
        self.fields["time_zone"] = forms.ChoiceField(
            label=_("Time zone"), choices=[("", _("The organisation's default"))] + _time_zone_choices(), required=False
        )
