"""What platform adapters take and return: plain dataclasses, no Django, nothing from inbox.

``inbox.services.ingest`` stores these; ``connectors.tasks`` is the only bridge.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

ItemKind = Literal["page_post", "comment", "reply", "mention", "keyword", "private"]

#: The streams a connector polls; the same values as ``inbox.models.Stream``.
X_MENTIONS, X_SEARCH, X_DMS = "x_mentions", "x_search", "x_dms"
FB_FEED, FB_COMMENTS, FB_CONVERSATIONS = "fb_feed", "fb_comments", "fb_conversations"

#: Outbound kinds; the same values as ``inbox.models.DeliveryKind``.
REPLY, PRIVATE_MESSAGE, HIDE, UNHIDE = "reply", "private_message", "hide", "unhide"


@dataclass(frozen=True, slots=True)
class RemoteAuthor:
    platform_id: str
    handle: str = ""
    name: str = ""
    follower_count: int | None = None
    verified: bool = False


@dataclass(frozen=True, slots=True)
class RemotePost:
    """The post a comment was written under (context, not work)."""

    platform_id: str
    text: str = ""
    author_name: str = ""
    is_own: bool = False
    permalink: str = ""
    posted_at: dt.datetime | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RemoteMessage:
    """One customer message seen on a platform, in the state the platform reports now."""

    platform_id: str
    kind: ItemKind
    text: str
    posted_at: dt.datetime
    author: RemoteAuthor
    parent_platform_id: str = ""
    #: Private items: the conversation id. Public items: the root of the platform
    #: thread (X conversation_id, Facebook top-level comment), used to join follow-ups.
    thread_id: str = ""
    context_post: RemotePost | None = None
    permalink: str = ""
    language: str = ""
    like_count: int = 0
    reply_count: int = 0
    public_reply_allowed: bool = True
    deleted: bool = False
    hidden: bool = False
    edited: bool = False
    #: When the platform says this state was true; an older state never overwrites a newer one.
    updated_at: dt.datetime | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CursorAdvance:
    """Where a stream's poll cursor moves, applied in the same transaction as the items."""

    stream: str
    cursor: str | None = None
    watermark: dt.datetime | None = None
    state: Mapping[str, Any] | None = None


# --- What the bridge hands an adapter -------------------------------------------


@dataclass(frozen=True, slots=True)
class AccountConfig:
    """One connected account as an adapter sees it (credentials already decrypted)."""

    platform: str
    external_id: str
    handle: str
    credentials: Mapping[str, Any]
    api_base_url: str = ""
    keywords: Sequence[str] = ()

    @property
    def web_base_url(self) -> str:
        """Where links for people point: the platform's site, or the sandbox/gateway serving both."""
        return self.api_base_url.rstrip("/")


@dataclass(frozen=True, slots=True)
class StreamCursor:
    """Where polling of one stream stands, as stored (PollCursor)."""

    stream: str
    cursor: str = ""
    watermark: dt.datetime | None = None
    state: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RateLimit:
    """What the platform's headers said about the budget after the last call."""

    limit: int | None = None
    remaining: int | None = None
    reset_at: dt.datetime | None = None
    #: Graph usage headers: the highest percentage of any budget used, and when
    #: Meta says access comes back (``estimated_time_to_regain_access``).
    usage_percent: int | None = None
    regain_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class PollResult:
    items: list[RemoteMessage]
    advance: CursorAdvance
    pages: int = 0
    #: Items the platform sent that could not be read (logged by id, never stored).
    rejected: int = 0
    rate_limit: RateLimit | None = None


@dataclass(frozen=True, slots=True)
class SendRequest:
    """One outbound action. ``kind`` is a DeliveryKind value."""

    kind: str
    target_id: str
    text: str = ""
    #: Private messages: who to write to ({"participant_id"} on X; {"id"}, {"comment_id"}
    #: or {"post_id"} on Facebook) and Messenger's messaging_type / tag.
    recipient: Mapping[str, str] = field(default_factory=dict)
    messaging: Mapping[str, str] = field(default_factory=dict)
    #: Where the target sits: X "conversation_id"; Facebook "reply_root" (the top-level
    #: comment a reply goes under, since Facebook threads are two levels deep).
    context: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SendResult:
    """The platform accepted the action. ``thread_id`` names a private thread when the
    platform tells us (X dm_conversation_id, Facebook "user:<recipient id>")."""

    platform_id: str = ""
    thread_id: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict)


class ConnectorError(Exception):
    """A platform call that did not work, said in the terms the bridge acts on.

    - ``auth``: the token is no good (Graph 190, X 401): the account needs re-authorisation.
    - ``permanent``: the platform said no and will say no again (window closed, post
      deleted, DMs closed): tell a person, do not retry.
    - ``retry_at``: throttled; nothing may be asked of that endpoint before then
      (``throttled`` is set; ``retry_at`` None means the platform did not say when).
    - ``maybe_sent``: for writes, whether the request may have been applied. False only
      when it provably never reached the platform (connection refused) or was refused.
    - ``duplicate``: the platform refused identical content: probably already sent.
    - ``skip``: the object is gone or invalid (Graph 100): skip it, keep going.

    The message never contains a URL: Graph puts the access token in the query.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str,
        permanent: bool = False,
        auth: bool = False,
        throttled: bool = False,
        retry_at: dt.datetime | None = None,
        maybe_sent: bool = False,
        duplicate: bool = False,
        skip: bool = False,
        scope: Literal["endpoint", "account"] = "endpoint",
        platform_code: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.permanent = permanent
        self.auth = auth
        self.throttled = throttled
        self.retry_at = retry_at
        self.maybe_sent = maybe_sent
        self.duplicate = duplicate
        self.skip = skip
        self.scope = scope
        self.platform_code = platform_code

    @property
    def transient(self) -> bool:
        return not (self.permanent or self.auth or self.duplicate)

    def __repr__(self) -> str:
        return f"ConnectorError({self.code!r}, {self.message!r})"


class Connector(Protocol):
    """What every platform adapter offers the bridge."""

    config: AccountConfig
    streams: tuple[str, ...]

    def verify(self) -> RemoteAuthor:
        """Who the credentials belong to; raises ConnectorError(auth=True) when they are no good."""
        ...

    def poll(self, cursor: StreamCursor) -> PollResult:
        """Every item new since ``cursor``, all pages read, and where the cursor moves."""
        ...

    def send(self, request: SendRequest) -> SendResult: ...

    def find_sent(self, request: SendRequest, *, since: dt.datetime) -> SendResult | None:
        """Look for our own earlier attempt on the platform (after an unknown outcome).

        Returns the result when found, None when it provably is not there; raises
        ConnectorError(code="cannot_verify") when the platform offers no way to tell.
        """
        ...

    def rate_limit(self) -> RateLimit | None: ...
