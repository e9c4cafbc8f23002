"""Meta's webhook endpoint and the connectors' health, for admins (page and API)."""

from __future__ import annotations

import hmac
import logging

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAdminUser
from rest_framework.request import Request
from rest_framework.response import Response

from connectors.selectors import account_health_list
from connectors.serializers import AccountHealthSerializer
from connectors.services import meta_signature_valid, webhook_event_receive

logger = logging.getLogger(__name__)

#: Meta's deliveries are small; anything bigger is refused before it is read.
WEBHOOK_MAX_BYTES = 1024 * 1024


@csrf_exempt  # Meta cannot send a CSRF token; the HMAC signature is what authenticates it
@require_http_methods(["GET", "POST"])
def meta_webhook(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _verify_subscription(request)
    if not settings.META_APP_SECRET:
        return HttpResponse("Webhooks are not configured.", status=403, content_type="text/plain")
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = WEBHOOK_MAX_BYTES + 1
    if length > WEBHOOK_MAX_BYTES:
        return HttpResponse("Too large.", status=413, content_type="text/plain")
    body = request.body
    if not meta_signature_valid(body=body, header=request.headers.get("X-Hub-Signature-256", ""),
                                app_secret=settings.META_APP_SECRET):
        logger.warning("Refused a webhook with a missing or wrong signature (%d bytes).", len(body))
        return HttpResponse("Bad signature.", status=403, content_type="text/plain")
    webhook_event_receive(body=body)
    return HttpResponse("EVENT_RECEIVED", content_type="text/plain")


def _verify_subscription(request: HttpRequest) -> HttpResponse:
    mode = request.GET.get("hub.mode", "")
    token = request.GET.get("hub.verify_token", "")
    challenge = request.GET.get("hub.challenge", "")
    expected = settings.META_VERIFY_TOKEN
    if mode != "subscribe" or not expected or not hmac.compare_digest(token.encode(), expected.encode()):
        return HttpResponse("Verification failed.", status=403, content_type="text/plain")
    # Echoed as plain text, never HTML: the challenge comes from whoever calls.
    return HttpResponse(challenge[:200], content_type="text/plain")


@require_GET
@never_cache
@staff_member_required
def health_page(request: HttpRequest) -> HttpResponse:
    return render(request, "connectors/health.html", {"accounts": account_health_list()})


class AccountHealthView(GenericAPIView):
    """GET /api/v1/accounts/health/: every account's polling health, for admins."""

    permission_classes = [IsAdminUser]
    serializer_class = AccountHealthSerializer
    pagination_class = None

    @extend_schema(responses=inline_serializer("AccountHealthList", {"results": AccountHealthSerializer(many=True)}))
    def get(self, request: Request) -> Response:
        return Response({"results": self.get_serializer(account_health_list(), many=True).data})
