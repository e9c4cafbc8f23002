"""A team lead decides what became of a delivery whose outcome is unknown. Thin, as everywhere:
each action resolves access in its service, calls it, and shows the page it came from.

From the mention page (htmx, target ``mention-main``) the answer is the refreshed mention;
from the list, or without JavaScript, a redirect back to where the lead was.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from inbox.exceptions import DomainError, NotAllowed, NotFound
from inbox.models import Delivery, User
from inbox.review import selectors
from inbox.selectors import mentions_visible_to
from inbox.services import deliveries as delivery_services
from inbox.views import render_mention
from inbox.views_actions import domain_errors, error_page


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@login_required
@require_GET
@domain_errors
def deliveries_to_check(request: HttpRequest) -> HttpResponse:
    return _list_page(request)


def _list_page(request: HttpRequest, status: int = 200) -> HttpResponse:
    reviews = selectors.deliveries_to_check_for_lead(user=_user(request))
    return render(request, "review/deliveries.html", {"reviews": reviews}, status=status)


def _from_mention_page(request: HttpRequest) -> bool:
    return bool(request.htmx and request.htmx.target == "mention-main")  # type: ignore[attr-defined]


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("review:deliveries")


def _decide(request: HttpRequest, delivery_id: int, decide: Callable[[], Delivery], done: str) -> HttpResponse:
    mention_id = (
        Delivery.objects.filter(pk=delivery_id, mention__in=mentions_visible_to(user=_user(request)))
        .values_list("mention_id", flat=True)
        .first()
    )
    try:
        decide()
    except DomainError as error:
        if isinstance(error, (NotFound, NotAllowed)) or mention_id is None:
            return error_page(request, error)
        messages.error(request, error.message)
        if _from_mention_page(request):
            return render_mention(request, mention_id, status=error.http_status)
        # The list shows the refusal on top, with what is left to decide.
        return _list_page(request, status=error.http_status)
    messages.success(request, done)
    if _from_mention_page(request):
        return render_mention(request, mention_id)  # type: ignore[arg-type]
    return HttpResponseRedirect(_back(request))


@login_required
@require_POST
def confirm_sent(request: HttpRequest, delivery_id: int) -> HttpResponse:
    return _decide(
        request, delivery_id,
        lambda: delivery_services.delivery_confirm_sent(
            user=_user(request), delivery_id=delivery_id,
            platform_reference=request.POST.get("platform_reference", "")[:500],
        ),
        _("Marked as delivered. Webcare will never send it again."),
    )


@login_required
@require_POST
def send_again(request: HttpRequest, delivery_id: int) -> HttpResponse:
    return _decide(
        request, delivery_id,
        lambda: delivery_services.delivery_send_again(user=_user(request), delivery_id=delivery_id),
        _("Sending it again now."),
    )


@login_required
@require_POST
def give_up(request: HttpRequest, delivery_id: int) -> HttpResponse:
    return _decide(
        request, delivery_id,
        lambda: delivery_services.delivery_give_up(user=_user(request), delivery_id=delivery_id),
        _("Given up: marked as not delivered, and the mention is back with the agent who wrote it."),
    )
