"""The REST API: the same selectors and services as the browser, with refusals as status codes.

Every object is looked up through the caller's teams, so another team's mention
is a 404, never a 403 that would confirm it exists.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema, inline_serializer
from knox.views import LoginView as KnoxLoginView
from knox.views import LogoutView as KnoxLogoutView
from rest_framework import serializers, status, viewsets
from rest_framework.authentication import BasicAuthentication, SessionAuthentication
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from inbox.api.serializers import (
    CloseInput,
    ConfirmSentInput,
    DeliveryReviewSerializer,
    DeliverySerializer,
    EventSerializer,
    MentionDetailSerializer,
    MentionListSerializer,
    MessageSerializer,
    MoveToPrivateInput,
    NoteInput,
    ReplyInput,
    TagsInput,
)
from inbox.models import Platform, Priority, User
from inbox.review.selectors import deliveries_to_check_for_lead
from inbox.selectors import (
    MAX_PAGE_SIZE,
    QUEUE_PAGE_SIZE,
    Queue,
    QueueFilters,
    mention_detail_for_agent,
    mention_get_for_agent,
    mention_queue_for_agent,
)
from inbox.services import deliveries as delivery_services
from inbox.services import mentions as mention_services
from inbox.services import moderation, replies


class ListQuery(serializers.Serializer):
    """The list's query parameters. Anything not named here is refused, not ignored."""

    queue = serializers.ChoiceField(choices=Queue.ALL, default=Queue.UNCLAIMED)
    brand = serializers.IntegerField(required=False, min_value=1)
    account = serializers.IntegerField(required=False, min_value=1)
    platform = serializers.ChoiceField(choices=Platform.values, required=False)
    language = serializers.ChoiceField(choices=[code for code, _name in settings.LANGUAGES], required=False)
    tag = serializers.CharField(required=False, max_length=50)
    priority = serializers.ChoiceField(choices=Priority.values, required=False)
    personal_data = serializers.BooleanField(required=False, allow_null=True, default=None)
    abusive = serializers.BooleanField(required=False, allow_null=True, default=None)
    cursor = serializers.CharField(required=False, max_length=500)
    page_size = serializers.IntegerField(required=False, min_value=1, default=QUEUE_PAGE_SIZE)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        unknown = set(self.initial_data) - set(self.fields)
        if unknown:
            raise ValidationError({name: ["Unknown parameter."] for name in sorted(unknown)})
        return attrs


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


def _mention_data(request: Request, mention_id: int) -> dict[str, Any]:
    return MentionListSerializer(mention_get_for_agent(user=_user(request), mention_id=mention_id)).data


def _input(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class MentionViewSet(viewsets.ViewSet):
    """Mentions in the caller's teams."""

    lookup_value_converter = "int"

    @extend_schema(
        parameters=[ListQuery],
        responses=inline_serializer(
            "MentionPage", {"results": MentionListSerializer(many=True), "next": serializers.CharField(allow_null=True)}
        ),
    )
    def list(self, request: Request) -> Response:
        query = ListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        filters = QueueFilters(
            brand_id=params.get("brand"),
            account_id=params.get("account"),
            platform=params.get("platform", ""),
            language=params.get("language", ""),
            tag=params.get("tag", ""),
            priority=params.get("priority"),
            personal_data=params.get("personal_data"),
            abusive=params.get("abusive"),
        )
        page = mention_queue_for_agent(
            user=_user(request),
            queue=params["queue"],
            filters=filters,
            cursor=params.get("cursor"),
            limit=min(params["page_size"], MAX_PAGE_SIZE),
        )
        next_url = None
        if page.next_cursor:
            next_params = request.query_params.copy()
            next_params["cursor"] = page.next_cursor
            next_url = request.build_absolute_uri(request.path) + "?" + next_params.urlencode()
        return Response({"results": MentionListSerializer(page.mentions, many=True).data, "next": next_url})

    @extend_schema(
        responses=inline_serializer(
            "MentionWithThread",
            {
                "mention": MentionDetailSerializer(),
                "messages": MessageSerializer(many=True),
                "tags": serializers.ListField(child=serializers.CharField()),
                "events": EventSerializer(many=True),
                "history": MentionListSerializer(many=True),
            },
        )
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        detail = mention_detail_for_agent(user=_user(request), mention_id=int(pk))
        return Response(
            {
                "mention": MentionDetailSerializer(detail.mention).data,
                "messages": MessageSerializer(detail.messages, many=True).data,
                "tags": detail.tags,
                "events": EventSerializer(detail.events, many=True).data,
                "history": MentionListSerializer(detail.history, many=True).data,
            }
        )

    @extend_schema(request=None, responses=MentionListSerializer)
    @action(detail=True, methods=["post"])
    def claim(self, request: Request, pk: str) -> Response:
        mention = mention_services.mention_claim(user=_user(request), mention_id=int(pk))
        return Response(_mention_data(request, mention.pk))

    @extend_schema(request=None, responses={200: MentionListSerializer, 204: None})
    @action(detail=False, methods=["post"], url_path="claim-next")
    def claim_next(self, request: Request) -> Response:
        mention_id = mention_services.mention_claim_next(user=_user(request))
        if mention_id is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(_mention_data(request, mention_id))

    @extend_schema(request=None, responses=MentionListSerializer)
    @action(detail=True, methods=["post"])
    def release(self, request: Request, pk: str) -> Response:
        mention_services.mention_release(user=_user(request), mention_id=int(pk))
        return Response(_mention_data(request, int(pk)))

    @extend_schema(request=ReplyInput, responses={201: DeliverySerializer})
    @action(detail=True, methods=["post"])
    def reply(self, request: Request, pk: str) -> Response:
        data = _input(ReplyInput, request)
        delivery = replies.mention_reply(user=_user(request), mention_id=int(pk), text=data["text"])
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=MoveToPrivateInput,
        responses={
            201: inline_serializer(
                "MovedToPrivate",
                {
                    "private_mention": serializers.IntegerField(),
                    "private_delivery": DeliverySerializer(),
                    "pointer_delivery": DeliverySerializer(allow_null=True),
                },
            )
        },
    )
    @action(detail=True, methods=["post"], url_path="move-to-private")
    def move_to_private(self, request: Request, pk: str) -> Response:
        data = _input(MoveToPrivateInput, request)
        public_text = data.get("public_text")
        moved = replies.mention_move_to_private(
            user=_user(request),
            mention_id=int(pk),
            private_text=data["private_text"],
            public_text=public_text if public_text and public_text.strip() else None,
        )
        return Response(
            {
                "private_mention": moved.private_mention.pk,
                "private_delivery": DeliverySerializer(moved.private_delivery).data,
                "pointer_delivery": DeliverySerializer(moved.pointer_delivery).data if moved.pointer_delivery else None,
            },
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=CloseInput, responses=MentionListSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        data = _input(CloseInput, request)
        mention_services.mention_close(
            user=_user(request), mention_id=int(pk), category_id=data.get("category"), reason=data.get("reason", "")
        )
        return Response(_mention_data(request, int(pk)))

    @extend_schema(request=None, responses=MentionListSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str) -> Response:
        mention_services.mention_reopen(user=_user(request), mention_id=int(pk))
        return Response(_mention_data(request, int(pk)))

    @extend_schema(request=NoteInput, responses={201: MessageSerializer})
    @action(detail=True, methods=["post"])
    def note(self, request: Request, pk: str) -> Response:
        data = _input(NoteInput, request)
        note = mention_services.mention_add_note(user=_user(request), mention_id=int(pk), text=data["text"])
        return Response(MessageSerializer(note).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TagsInput, responses=TagsInput)
    @action(detail=True, methods=["post"])
    def tags(self, request: Request, pk: str) -> Response:
        data = _input(TagsInput, request)
        names = mention_services.mention_set_tags(user=_user(request), mention_id=int(pk), tag_names=data["tags"])
        return Response({"tags": names})


class DeliveryViewSet(viewsets.ViewSet):
    lookup_value_converter = "int"

    @extend_schema(request=None, responses=DeliverySerializer)
    @action(detail=True, methods=["post"])
    def undo(self, request: Request, pk: str) -> Response:
        delivery = replies.delivery_undo(user=_user(request), delivery_id=int(pk))
        return Response(DeliverySerializer(delivery).data)

    # A delivery whose outcome is unknown (needs_review): a team lead says what they found.

    @extend_schema(request=None, responses=DeliveryReviewSerializer(many=True))
    @action(detail=False, methods=["get"], url_path="needs-review")
    def needs_review(self, request: Request) -> Response:
        """The leads' worklist: deliveries in their teams whose outcome is unknown, oldest first."""
        reviews = deliveries_to_check_for_lead(user=_user(request))
        return Response(DeliveryReviewSerializer(reviews, many=True).data)

    @extend_schema(request=ConfirmSentInput, responses=DeliverySerializer)
    @action(detail=True, methods=["post"], url_path="confirm-sent")
    def confirm_sent(self, request: Request, pk: str) -> Response:
        data = _input(ConfirmSentInput, request)
        delivery = delivery_services.delivery_confirm_sent(
            user=_user(request), delivery_id=int(pk), platform_reference=data.get("platform_reference", "")
        )
        return Response(DeliverySerializer(delivery).data)

    @extend_schema(request=None, responses=DeliverySerializer)
    @action(detail=True, methods=["post"], url_path="send-again")
    def send_again(self, request: Request, pk: str) -> Response:
        delivery = delivery_services.delivery_send_again(user=_user(request), delivery_id=int(pk))
        return Response(DeliverySerializer(delivery).data)

    @extend_schema(request=None, responses=DeliverySerializer)
    @action(detail=True, methods=["post"], url_path="give-up")
    def give_up(self, request: Request, pk: str) -> Response:
        delivery = delivery_services.delivery_give_up(user=_user(request), delivery_id=int(pk))
        return Response(DeliverySerializer(delivery).data)


class MessageViewSet(viewsets.ViewSet):
    lookup_value_converter = "int"

    @extend_schema(request=None, responses={202: DeliverySerializer})
    @action(detail=True, methods=["post"])
    def hide(self, request: Request, pk: str) -> Response:
        delivery = moderation.message_hide(user=_user(request), message_id=int(pk), reason="agent")
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


class TokenLoginView(KnoxLoginView):
    """POST with HTTP Basic (or a session) to get a token; only its SHA-512 digest is stored."""

    authentication_classes = [BasicAuthentication, SessionAuthentication]

    @extend_schema(
        request=None,
        responses=inline_serializer("Token", {"token": serializers.CharField(), "expiry": serializers.DateTimeField()}),
    )
    def post(self, request: Request, format: str | None = None) -> Response:  # noqa: A002 - knox's signature
        return super().post(request, format=format)


class TokenLogoutView(KnoxLogoutView):
    """Revoke the token this request came with."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request, format: str | None = None) -> Response:  # noqa: A002 - knox's signature
        return super().post(request, format=format)
