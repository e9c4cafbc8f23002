"""Views of the code of conduct and privacy: thin, as everywhere.

Each resolves access through a selector, calls one service, and renders or
redirects; a DomainError becomes a message (and its status code for htmx), never
a 500. htmx requests get the fragment, others the page. The agents' partials
(``conduct/_mention_conduct.html``, ``conduct/_personal_data.html``) are meant to
be included in the mention page with ``mention_conduct_context``.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from inbox.conduct import selectors
from inbox.conduct.forms import CategoryForm, EraseForm, FlagForm, HideAndMoveForm, LinkForm
from inbox.exceptions import DomainError, Invalid, NotFound
from inbox.models import Category, ConductPolicy, User
from inbox.selectors import mention_get_for_agent
from inbox.services import conduct as conduct_services
from inbox.services import contacts as contact_services
from inbox.services import privacy as privacy_services
from inbox.views import render_mention


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _back(request: HttpRequest, fallback: str) -> HttpResponseRedirect:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = fallback
    return HttpResponseRedirect(target)


def _form_error(form: Any) -> Invalid:
    first = next(iter(form.errors.values()))[0]
    return Invalid(str(first), code="form")


def _refused(request: HttpRequest, error: DomainError, fallback: str, fragment: Any = None) -> HttpResponse:
    if request.htmx and fragment is not None:  # type: ignore[attr-defined]
        response = fragment(error.message)
        response.status_code = error.http_status
        return response
    messages.error(request, error.message)
    return _back(request, fallback)


# --- Agents: the mention page's code-of-conduct and personal-data partials ---------------------------------


def mention_conduct_context(*, user: User, mention_id: int) -> dict[str, Any]:
    """What the mention page needs to include both partials (raises NotFound like the mention itself)."""
    mention = selectors.mention_with_brand_and_contact(mention_get_for_agent(user=user, mention_id=mention_id))
    return {
        "conduct": selectors.conduct_panel_for_agent(user=user, mention=mention),
        "personal_data": selectors.personal_data_panel_for_agent(user=user, mention=mention),
        "abuse_classes": FlagForm().fields["abuse_class"].choices,
    }


def _conduct_fragment(request: HttpRequest, mention_id: int):  # type: ignore[no-untyped-def]
    def render_fragment(error: str = "") -> HttpResponse:
        context = mention_conduct_context(user=_user(request), mention_id=mention_id)
        return render(request, "conduct/_mention_conduct.html", {**context, "error": error})

    return render_fragment


def _personal_data_fragment(request: HttpRequest, mention_id: int):  # type: ignore[no-untyped-def]
    def render_fragment(error: str = "") -> HttpResponse:
        context = mention_conduct_context(user=_user(request), mention_id=mention_id)
        return render(request, "conduct/_personal_data.html", {**context, "error": error})

    return render_fragment


@login_required
@require_GET
def mention_conduct_panel(request: HttpRequest, mention_id: int) -> HttpResponse:
    try:
        return _conduct_fragment(request, mention_id)()
    except DomainError as error:
        return HttpResponse(error.message, status=error.http_status)


@login_required
@require_GET
def mention_personal_data_panel(request: HttpRequest, mention_id: int) -> HttpResponse:
    try:
        return _personal_data_fragment(request, mention_id)()
    except DomainError as error:
        return HttpResponse(error.message, status=error.http_status)


def _from_mention_page(request: HttpRequest) -> bool:
    return bool(request.htmx and request.htmx.target == "mention-main")  # type: ignore[attr-defined]


def _mention_action(request: HttpRequest, mention_id: int, action: Any, done: str, fragment: Any) -> HttpResponse:
    fallback = reverse("conduct:mention_panel", args=[mention_id])
    try:
        action()
    except DomainError as error:
        if _from_mention_page(request) and not isinstance(error, NotFound):
            # The whole mention part, as the inbox's own actions answer: the thread
            # shows what was queued, the reason shows on top.
            messages.error(request, error.message)
            return render_mention(request, mention_id, status=error.http_status)
        return _refused(request, error, fallback, fragment(request, mention_id))
    if _from_mention_page(request):
        return render_mention(request, mention_id)
    if request.htmx:  # type: ignore[attr-defined]
        return fragment(request, mention_id)()
    messages.success(request, done)
    return _back(request, fallback)


@login_required
@require_POST
def mention_flag(request: HttpRequest, mention_id: int) -> HttpResponse:
    form = FlagForm(request.POST)

    def flag() -> None:
        if not form.is_valid():
            raise _form_error(form)
        conduct_services.mention_flag_abusive(
            user=_user(request), mention_id=mention_id, abuse_class=form.cleaned_data["abuse_class"]
        )

    return _mention_action(request, mention_id, flag, _("Flagged under the code of conduct."), _conduct_fragment)


@login_required
@require_POST
def mention_house_rules(request: HttpRequest, mention_id: int) -> HttpResponse:
    return _mention_action(
        request, mention_id,
        lambda: conduct_services.mention_send_house_rules(user=_user(request), mention_id=mention_id),
        _("The house rules are on their way."), _conduct_fragment,
    )


@login_required
@require_POST
def mention_clear(request: HttpRequest, mention_id: int) -> HttpResponse:
    def clear() -> None:
        panel = mention_conduct_context(user=_user(request), mention_id=mention_id)["conduct"]
        if panel.case is None:
            raise Invalid(_("This mention is not flagged."), code="not_flagged")
        conduct_services.conduct_lift(user=_user(request), case_id=panel.case.pk)

    return _mention_action(request, mention_id, clear, _("The flag is cleared."), _conduct_fragment)


@login_required
@require_POST
def mention_hide_and_move(request: HttpRequest, mention_id: int) -> HttpResponse:
    form = HideAndMoveForm(request.POST)

    def hide_and_move() -> None:
        if not form.is_valid():
            raise _form_error(form)
        privacy_services.mention_hide_and_move_to_private(
            user=_user(request), mention_id=mention_id, private_text=form.cleaned_data["private_text"],
            public_text=form.cleaned_data["public_text"] or None,
        )

    return _mention_action(
        request, mention_id, hide_and_move, _("Hidden, and moved to a private conversation."), _personal_data_fragment
    )


# --- Leads: the review of escalations ---------------------------------------------------------------------


def _review_context(user: User) -> dict[str, Any]:
    cases, after_warning = selectors.conduct_review_for_lead(user=user)
    forwardable = set(
        ConductPolicy.objects.filter(brand_id__in={case.brand_id for case in cases})
        .exclude(security_email="", security_webhook_url="")
        .values_list("brand_id", flat=True)
    )
    return {
        "cases": cases,
        "after_warning": after_warning,
        "categories": list(Category.objects.filter(is_active=True)),
        "forwardable": forwardable,
    }


@login_required
@require_GET
def review(request: HttpRequest) -> HttpResponse:
    if not selectors.lead_team_ids(user=_user(request)) and not _user(request).is_superuser:
        return render(request, "conduct/not_allowed.html", status=403)
    return render(request, "conduct/review.html", _review_context(_user(request)))


def _lead_action(request: HttpRequest, action: Any, done: str, fallback: str) -> HttpResponse:
    try:
        action()
    except DomainError as error:
        return _refused(request, error, fallback)
    messages.success(request, done)
    return _back(request, fallback)


@login_required
@require_POST
def case_uphold(request: HttpRequest, case_id: int) -> HttpResponse:
    form = CategoryForm(request.POST)

    def uphold() -> None:
        if not form.is_valid():
            raise _form_error(form)
        conduct_services.conduct_uphold(user=_user(request), case_id=case_id, category_id=form.category_id)

    return _lead_action(request, uphold, _("Upheld: the conversation is closed."), reverse("conduct:review"))


@login_required
@require_POST
def case_lift(request: HttpRequest, case_id: int) -> HttpResponse:
    return _lead_action(
        request, lambda: conduct_services.conduct_lift(user=_user(request), case_id=case_id),
        _("Lifted: shown again and back in the agents' queue."), reverse("conduct:review"),
    )


@login_required
@require_POST
def case_forward(request: HttpRequest, case_id: int) -> HttpResponse:
    form = CategoryForm(request.POST)

    def forward() -> None:
        if not form.is_valid():
            raise _form_error(form)
        conduct_services.conduct_forward(user=_user(request), case_id=case_id, category_id=form.category_id)

    return _lead_action(request, forward, _("Forwarded to the brand's security contact."), reverse("conduct:review"))


# --- Leads: contacts --------------------------------------------------------------------------------------


@login_required
@require_GET
def contact_search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    results = selectors.contact_search_for_lead(user=_user(request), query=query)
    return render(request, "conduct/contact_search.html", {"query": query, "results": results})


@login_required
@require_GET
def contact_detail(request: HttpRequest, contact_id: int) -> HttpResponse:
    try:
        record = selectors.contact_record_for_lead(user=_user(request), contact_id=contact_id)
    except DomainError as error:
        return render(request, "conduct/not_allowed.html", {"message": error.message}, status=error.http_status)
    query = request.GET.get("q", "")
    candidates = [
        contact for contact in selectors.contact_search_for_lead(user=_user(request), query=query)
        if contact.pk != record.contact.pk and contact not in record.linked
    ]
    return render(
        request, "conduct/contact.html",
        {"record": record, "query": query, "candidates": candidates, "erase_form": EraseForm(),
         "is_admin": selectors.is_admin(_user(request))},
    )


@login_required
@require_POST
def contact_link(request: HttpRequest, contact_id: int) -> HttpResponse:
    form = LinkForm(request.POST)

    def link() -> None:
        if not form.is_valid():
            raise _form_error(form)
        contact_services.contacts_link(
            user=_user(request), contact_id=contact_id, other_contact_id=form.cleaned_data["other"]
        )

    return _lead_action(request, link, _("Linked: these contacts now count as one person."),
                        reverse("conduct:contact", args=[contact_id]))


@login_required
@require_POST
def contact_unlink(request: HttpRequest, contact_id: int) -> HttpResponse:
    return _lead_action(
        request, lambda: contact_services.contact_unlink(user=_user(request), contact_id=contact_id),
        _("Unlinked."), reverse("conduct:contact", args=[contact_id]),
    )


@login_required
@require_POST
def contact_export(request: HttpRequest, contact_id: int) -> HttpResponse:
    try:
        data = privacy_services.contact_export(actor=_user(request), contact_id=contact_id, masked=True)
    except DomainError as error:
        return _refused(request, error, reverse("conduct:contact", args=[contact_id]))
    response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="contact-{contact_id}.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def contact_erase(request: HttpRequest, contact_id: int) -> HttpResponse:
    form = EraseForm(request.POST)

    def erase() -> None:
        if not form.is_valid():
            raise _form_error(form)
        privacy_services.contact_erase(
            actor=_user(request), contact_id=contact_id, reference=form.cleaned_data["reference"]
        )

    return _lead_action(request, erase, _("Erased. The mentions stay, anonymised."),
                        reverse("conduct:contact", args=[contact_id]))


