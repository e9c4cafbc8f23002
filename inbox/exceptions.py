"""Domain errors. Views and the API translate these; they are never a 500."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refusal the person asking can understand. ``message`` is already translated."""

    code = "refused"
    http_status = 400

    def __init__(self, message: str, *, code: str | None = None, **data: Any) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.data = data


class NotFound(DomainError):
    code = "not_found"
    http_status = 404


class NotAllowed(DomainError):
    code = "not_allowed"
    http_status = 403


class Conflict(DomainError):
    """The state moved under us: somebody else got there first, or the action no longer applies."""

    code = "conflict"
    http_status = 409


class Invalid(DomainError):
    code = "invalid"
    http_status = 400
