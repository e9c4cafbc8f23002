"""Forms of the code of conduct and privacy pages: they validate input, services decide."""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from inbox.models import AbuseClass, Category


class FlagForm(forms.Form):
    abuse_class = forms.ChoiceField(label=_("What is it?"), choices=AbuseClass.choices)


class CategoryForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.filter(is_active=True), required=False,
        empty_label=_("The brand's default"),
    )

    @property
    def category_id(self) -> int | None:
        category = self.cleaned_data.get("category")
        return category.pk if category else None


class LinkForm(forms.Form):
    other = forms.IntegerField(label=_("Contact to link"), min_value=1, widget=forms.HiddenInput)


class EraseForm(forms.Form):
    reference = forms.CharField(
        label=_("Request reference"),
        required=False,
        max_length=40,
        validators=[RegexValidator(r"^[A-Za-z0-9._/-]*$", _("Letters, digits and . _ - / only (never a name)."))],
        help_text=_("The ticket or request number, for the audit log."),
    )
    confirm = forms.BooleanField(
        label=_("I understand this erases the contact's names and texts for good. Mentions stay, anonymised."),
        required=True,
    )


class HideAndMoveForm(forms.Form):
    private_text = forms.CharField(
        label=_("Private message"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    public_text = forms.CharField(
        label=_("Public pointer (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=1000,
        help_text=_("Leave empty for the brand's own wording."),
    )
