"""The health API's shape (read-only; never a credential)."""

from __future__ import annotations

from rest_framework import serializers


class StreamHealthSerializer(serializers.Serializer):
    stream = serializers.CharField()
    label = serializers.CharField()
    last_success_at = serializers.DateTimeField(allow_null=True)
    last_attempt_at = serializers.DateTimeField(allow_null=True)
    next_poll_at = serializers.DateTimeField(allow_null=True)
    rate_limited_until = serializers.DateTimeField(allow_null=True)
    rate_limit_remaining = serializers.IntegerField(allow_null=True)
    rate_limit_limit = serializers.IntegerField(allow_null=True)
    consecutive_failures = serializers.IntegerField()
    last_error = serializers.CharField()
    lag_seconds = serializers.IntegerField(allow_null=True)


class AccountHealthSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    platform = serializers.CharField()
    brand = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    last_error = serializers.CharField()
    last_error_at = serializers.DateTimeField(allow_null=True)
    last_success_at = serializers.DateTimeField(allow_null=True)
    lag_seconds = serializers.IntegerField(allow_null=True, help_text="Seconds since the stream furthest behind "
                                                                      "last succeeded.")
    next_poll_at = serializers.DateTimeField(allow_null=True)
    deliveries_pending = serializers.IntegerField()
    deliveries_needing_review = serializers.IntegerField()
    streams = StreamHealthSerializer(many=True)
