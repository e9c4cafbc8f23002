"""The agent's own settings: the language of the interface and the time zone of every time shown."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from inbox.forms import LanguageForm, PreferencesForm
from inbox.models import User


def _set_language_cookie(response: HttpResponse, language: str) -> None:
    # The login page and anything before the user loads speak this language too.
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("inbox:queue")


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = PreferencesForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        form.save()
        translation.activate(user.language)
        messages.success(request, _("Your preferences are saved."))
        response = redirect("inbox:preferences")
        _set_language_cookie(response, user.language)
        return response
    return render(request, "inbox/preferences.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    """The header's language switch: saved on the user, so every device follows."""
    form = LanguageForm(request.POST)
    response = redirect(_safe_next(request))
    if form.is_valid():
        user: User = request.user  # type: ignore[assignment]
        user.language = form.cleaned_data["language"]
        user.save(update_fields=["language"])
        _set_language_cookie(response, user.language)
    return response
