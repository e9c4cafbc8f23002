"""What the API returns and accepts. Every field is explicit and read-only unless it is an action's input."""

from __future__ import annotations

from rest_framework import serializers

from inbox.forms import ANSWER_MAX_LENGTH
from inbox.models import Contact, Delivery, Event, Mention, Message
from inbox.services.mentions import NOTE_MAX_LENGTH


class ContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = ["id", "platform", "handle", "name", "follower_count", "verified", "person"]
        read_only_fields = fields


class MentionListSerializer(serializers.ModelSerializer):
    brand = serializers.CharField(source="account.brand.name", read_only=True)
    platform = serializers.CharField(source="account.platform", read_only=True)
    account = serializers.CharField(source="account.handle", read_only=True)
    account_id = serializers.IntegerField(read_only=True)
    contact = ContactSerializer(read_only=True)
    assignee = serializers.CharField(source="assignee.username", read_only=True, default=None)

    class Meta:
        model = Mention
        fields = [
            "id", "status", "kind", "visibility", "priority", "language", "brand", "platform", "account",
            "account_id", "team_id", "contact", "assignee", "preview", "has_personal_data", "is_abusive",
            "public_reply_allowed", "waiting_since", "opened_at", "closed_at", "updated_at", "version",
        ]
        read_only_fields = fields


class DeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = Delivery
        fields = ["id", "kind", "state", "send_after", "sent_at", "platform_id", "error_code"]
        read_only_fields = fields


class DeliveryReviewSerializer(serializers.Serializer):
    """One delivery whose outcome is unknown, with what a lead needs to decide it."""

    delivery = DeliverySerializer(read_only=True)
    mention = serializers.IntegerField(source="delivery.mention_id", read_only=True)
    account = serializers.CharField(source="delivery.account.handle", read_only=True)
    platform = serializers.CharField(read_only=True)
    text = serializers.CharField(source="delivery.message.text", read_only=True, default="")
    reason = serializers.CharField(read_only=True)
    link = serializers.CharField(read_only=True, help_text="Where to look on the platform; empty when unknown.")
    takes_id = serializers.BooleanField(
        read_only=True, help_text="Whether confirm-sent can take the post's link or id."
    )
    can_send_again = serializers.BooleanField(read_only=True)


class MessageSerializer(serializers.ModelSerializer):
    author_user = serializers.CharField(source="author_user.username", read_only=True, default=None)
    author_contact = serializers.IntegerField(source="author_contact_id", read_only=True)
    delivery = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = [
            "id", "direction", "text", "posted_at", "platform_id", "author_user", "author_contact",
            "has_personal_data", "is_abusive", "hidden", "deleted_on_platform", "edited", "delivery",
        ]
        read_only_fields = fields

    def get_delivery(self, message: Message) -> dict | None:
        delivery = getattr(message, "delivery", None)
        return DeliverySerializer(delivery).data if delivery is not None else None


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", read_only=True, default=None)

    class Meta:
        model = Event
        fields = ["id", "created_at", "actor", "action", "from_status", "to_status", "reason"]
        read_only_fields = fields


class MentionDetailSerializer(MentionListSerializer):
    context_post = serializers.SerializerMethodField()
    public_mention = serializers.IntegerField(source="public_mention_id", read_only=True)
    category = serializers.CharField(source="category.name", read_only=True, default=None)

    class Meta(MentionListSerializer.Meta):
        fields = [*MentionListSerializer.Meta.fields, "context_post", "public_mention", "category"]
        read_only_fields = fields

    def get_context_post(self, mention: Mention) -> dict | None:
        post = mention.context_post
        if post is None:
            return None
        return {
            "platform_id": post.platform_id,
            "text": post.text,
            "author_name": post.author_name,
            "is_own": post.is_own,
        }


class ReplyInput(serializers.Serializer):
    text = serializers.CharField(max_length=ANSWER_MAX_LENGTH, trim_whitespace=False)


class MoveToPrivateInput(serializers.Serializer):
    private_text = serializers.CharField(max_length=ANSWER_MAX_LENGTH, trim_whitespace=False)
    public_text = serializers.CharField(
        max_length=ANSWER_MAX_LENGTH, required=False, allow_null=True, allow_blank=True, trim_whitespace=False,
        help_text="The public pointer; omitted or null: the brand's own wording in the customer's language.",
    )


class CloseInput(serializers.Serializer):
    category = serializers.IntegerField(allow_null=True, required=False)
    reason = serializers.CharField(max_length=64, required=False, default="")


class NoteInput(serializers.Serializer):
    text = serializers.CharField(max_length=NOTE_MAX_LENGTH)


class TagsInput(serializers.Serializer):
    tags = serializers.ListField(child=serializers.CharField(max_length=50), max_length=50)


class ConfirmSentInput(serializers.Serializer):
    platform_reference = serializers.CharField(
        max_length=500, required=False, allow_blank=True, default="",
        help_text="The post's link or id on the platform, if the lead has it (public replies and private messages).",
    )
