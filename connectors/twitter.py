"""X API v2 through tweepy 4.17. The only module that imports tweepy.

tweepy answers raw dicts here (``return_type=dict``): ids stay strings, and one
malformed post is rejected by itself instead of failing tweepy's model for the page.
``wait_on_rate_limit`` stays off: a worker never sleeps inside a call; a 429 becomes a
ConnectorError with the reset time and the bridge schedules around it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import requests
import tweepy

from connectors.base import (
    HIDE,
    PRIVATE_MESSAGE,
    REPLY,
    UNHIDE,
    X_DMS,
    X_MENTIONS,
    X_SEARCH,
    AccountConfig,
    ConnectorError,
    CursorAdvance,
    PollResult,
    RateLimit,
    RemoteAuthor,
    RemoteMessage,
    SendRequest,
    SendResult,
    StreamCursor,
)
from connectors.http import describe, never_reached, platform_session

logger = logging.getLogger(__name__)

PAGE_SIZE = 100
#: The first poll of a stream reads at most this many pages back (no unbounded backfill).
FIRST_RUN_PAGES = 2
#: A poll that needs more pages than this stops without moving its cursor and says so.
MAX_PAGES = 200
#: Our own reply may show up in search a little before the attempt's recorded start.
CLOCK_SKEW = dt.timedelta(minutes=5)
USAGE_CAP_RETRY = dt.timedelta(hours=1)
RATE_LIMIT_RETRY = dt.timedelta(minutes=15)

TWEET_FIELDS = [
    "created_at", "author_id", "conversation_id", "in_reply_to_user_id", "referenced_tweets", "entities", "lang",
    "public_metrics", "reply_settings",
]
USER_FIELDS = ["name", "username", "verified", "protected", "public_metrics"]
EXPANSIONS = ["author_id"]
DM_FIELDS = ["id", "text", "event_type", "dm_conversation_id", "created_at", "sender_id", "participant_ids"]
_UNKNOWN_LANGUAGES = {"und", "zxx", "qme", "qam", "qct", "qht", "qst", ""}
_URL = re.compile(r"https?://\S+")


def _time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _same_text(ours: str, theirs: str) -> bool:
    """X rewrites links to t.co; compare the rest."""
    return " ".join(_URL.sub("", ours).split()) == " ".join(_URL.sub("", theirs).split())


class XConnector:
    streams = (X_MENTIONS, X_SEARCH, X_DMS)

    def __init__(self, config: AccountConfig, *, session: requests.Session | None = None) -> None:
        self.config = config
        self.session = session or platform_session(config.api_base_url)
        credentials = config.credentials
        # An OAuth 2.0 user token is sent as a bearer token on every call; otherwise
        # reads use the app's bearer token and writes OAuth 1.0a user context.
        oauth2 = credentials.get("oauth2_user_token")
        self.user_auth = not oauth2
        self.client = tweepy.Client(
            bearer_token=oauth2 or credentials.get("bearer_token"),
            consumer_key=credentials.get("consumer_key"),
            consumer_secret=credentials.get("consumer_secret"),
            access_token=credentials.get("access_token"),
            access_token_secret=credentials.get("access_token_secret"),
            return_type=dict,
            wait_on_rate_limit=False,
        )
        self.client.session = self.session
        self.me = str(config.external_id)
        self.handle = config.handle.lstrip("@")
        self.web_base = config.web_base_url or "https://x.com"

    # --- calls and errors -------------------------------------------------------------

    def _call(self, action: str, function: Callable[..., Any], *args: Any, **kwargs: Any) -> dict[str, Any]:
        try:
            body = function(*args, **kwargs)
        except tweepy.TweepyException as error:
            raise self._mapped(action, error) from None
        except requests.JSONDecodeError:
            raise ConnectorError("X answered with a body that is not JSON.", code="malformed",
                                 maybe_sent=True) from None
        except requests.RequestException as error:
            raise ConnectorError(f"X could not be reached: {describe(error)}.", code="unreachable",
                                 maybe_sent=not never_reached(error)) from None
        if not isinstance(body, dict):
            raise ConnectorError("X answered with something that is not a JSON object.", code="malformed",
                                 maybe_sent=True)
        return body

    def _mapped(self, action: str, error: tweepy.TweepyException) -> ConnectorError:
        if not isinstance(error, tweepy.HTTPException):
            return ConnectorError("X could not be read.", code="malformed", maybe_sent=True)
        detail = " ".join(str(m) for m in error.api_messages)[:300]
        text = detail.lower()
        if isinstance(error, tweepy.TooManyRequests):
            problem_type = ""
            with contextlib.suppress(ValueError, AttributeError):
                problem_type = str(error.response.json().get("type", ""))
            if error.reset_time is None or "usage-capped" in problem_type:
                return ConnectorError("X's usage cap is reached.", code="usage_capped", throttled=True,
                                      retry_at=_now() + USAGE_CAP_RETRY)
            reset = dt.datetime.fromtimestamp(error.reset_time, dt.UTC)
            return ConnectorError("X's rate limit is reached.", code="rate_limited", throttled=True,
                                  retry_at=max(reset, _now() + dt.timedelta(seconds=1)))
        if isinstance(error, tweepy.Unauthorized):
            return ConnectorError("X refused the account's token.", code="token_invalid", auth=True,
                                  platform_code="401")
        if isinstance(error, tweepy.Forbidden):
            if "duplicate content" in text:
                return ConnectorError(detail, code="duplicate_content", duplicate=True, platform_code="403")
            if action == REPLY and "deleted or not visible" in text:
                return ConnectorError(detail, code="target_deleted", permanent=True, platform_code="403")
            if action == REPLY:
                return ConnectorError(detail, code="reply_not_allowed", permanent=True, platform_code="403")
            if action == PRIVATE_MESSAGE:
                return ConnectorError(detail, code="dms_closed", permanent=True, platform_code="403")
            if action in (HIDE, UNHIDE):
                return ConnectorError(detail, code="hide_not_allowed", permanent=True, platform_code="403")
            return ConnectorError(detail, code="forbidden", permanent=True, platform_code="403")
        if isinstance(error, tweepy.NotFound):
            return ConnectorError(detail or "Not found on X.", code="target_deleted", permanent=True, skip=True,
                                  platform_code="404")
        if isinstance(error, tweepy.BadRequest):
            return ConnectorError(detail or "X refused the request.", code="invalid_request", permanent=True,
                                  platform_code="400")
        status = getattr(error.response, "status_code", 0)
        return ConnectorError(f"X answered {status}.", code="server_error", maybe_sent=True, platform_code=str(status))

    def rate_limit(self) -> RateLimit | None:
        return self.session.rate_limits.take()  # type: ignore[attr-defined]

    def verify(self) -> RemoteAuthor:
        body = self._call("verify", self.client.get_me, user_auth=self.user_auth, user_fields=USER_FIELDS)
        data = body.get("data") or {}
        if not isinstance(data, dict) or not data.get("id"):
            raise ConnectorError("X did not say who this account is.", code="malformed")
        return self._author(data)

    # --- reading ------------------------------------------------------------------

    def poll(self, cursor: StreamCursor) -> PollResult:
        if cursor.stream == X_MENTIONS:
            return self._poll_posts(cursor, kind="mention")
        if cursor.stream == X_SEARCH:
            if not self._search_query():
                return PollResult(items=[], advance=CursorAdvance(stream=cursor.stream), rate_limit=self.rate_limit())
            return self._poll_posts(cursor, kind="keyword")
        if cursor.stream == X_DMS:
            return self._poll_dms(cursor)
        raise ValueError(f"X has no stream {cursor.stream!r}")

    def _search_query(self) -> str:
        keywords = [k.strip() for k in self.config.keywords if k and k.strip()]
        if not keywords:
            return ""
        terms = " OR ".join(f'"{k}"' if " " in k else k for k in keywords)
        return f"({terms}) -from:{self.handle} -is:retweet"

    def _timeline_page(self, kind: str, since_id: str | None, token: str | None) -> dict[str, Any]:
        common = {
            "max_results": PAGE_SIZE, "expansions": EXPANSIONS, "tweet_fields": TWEET_FIELDS,
            "user_fields": USER_FIELDS, "since_id": since_id,
        }
        if kind == "mention":
            return self._call("poll", self.client.get_users_mentions, self.me, pagination_token=token,
                              user_auth=False, **common)
        return self._call("poll", self.client.search_recent_tweets, self._search_query(), next_token=token,
                          user_auth=False, **common)

    def _pages(self, fetch: Callable[[str | None], dict[str, Any]], *, first_run: bool) -> Iterator[dict[str, Any]]:
        token: str | None = None
        for number in range(1, MAX_PAGES + 1):
            body = fetch(token)
            yield body
            meta = body.get("meta") if isinstance(body.get("meta"), dict) else {}
            token = meta.get("next_token") or None
            if token is None or (first_run and number >= FIRST_RUN_PAGES):
                return
        raise ConnectorError(f"More than {MAX_PAGES} pages since the last poll; the cursor stays where it was.",
                             code="too_many_pages")

    def _poll_posts(self, cursor: StreamCursor, *, kind: str) -> PollResult:
        since = cursor.cursor or None
        items: list[RemoteMessage] = []
        newest: str | None = None
        pages = rejected = 0
        for body in self._pages(lambda token: self._timeline_page(kind, since, token), first_run=since is None):
            pages += 1
            meta = body.get("meta") if isinstance(body.get("meta"), dict) else {}
            if pages == 1:
                # The newest id comes from the first page only; later pages are older.
                newest = str(meta["newest_id"]) if meta.get("newest_id") else None
            users = self._users(body)
            for data in body.get("data") or []:
                if isinstance(data, dict) and str(data.get("author_id")) == self.me:
                    continue  # our own posts and replies are never new work
                item = self._post_item(data, users, kind=kind)
                if item is None:
                    rejected += 1
                    continue
                items.append(item)
        return self._result(cursor, items, newest=newest, pages=pages, rejected=rejected)

    def _result(self, cursor: StreamCursor, items: list[RemoteMessage], *, newest: str | None, pages: int,
                rejected: int) -> PollResult:
        """The cursor moves to the newest id seen, or stays (an empty poll has no newest id)."""
        advance = CursorAdvance(stream=cursor.stream, cursor=newest or cursor.cursor or None)
        return PollResult(items=items, advance=advance, pages=pages, rejected=rejected, rate_limit=self.rate_limit())

    def _users(self, body: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
        includes = body.get("includes") if isinstance(body.get("includes"), dict) else {}
        return {
            str(user["id"]): user
            for user in includes.get("users") or []
            if isinstance(user, dict) and user.get("id")
        }

    def _author(self, user: Mapping[str, Any]) -> RemoteAuthor:
        metrics = user.get("public_metrics") if isinstance(user.get("public_metrics"), dict) else {}
        followers = metrics.get("followers_count")
        return RemoteAuthor(
            platform_id=str(user.get("id", "")),
            handle=str(user.get("username") or ""),
            name=str(user.get("name") or ""),
            follower_count=followers if isinstance(followers, int) else None,
            verified=bool(user.get("verified")),
        )

    def _mentions_us(self, data: Mapping[str, Any]) -> bool:
        entities = data.get("entities") if isinstance(data.get("entities"), dict) else {}
        names = {str(m.get("username", "")).lower() for m in entities.get("mentions") or [] if isinstance(m, dict)}
        return self.handle.lower() in names or f"@{self.handle.lower()}" in str(data.get("text", "")).lower()

    def _post_item(self, data: Any, users: dict[str, dict[str, Any]], *, kind: str) -> RemoteMessage | None:
        author_id = str(data.get("author_id") or "") if isinstance(data, dict) else ""
        if not author_id or not str(data.get("id", "")).isdigit() or not isinstance(data.get("text"), str):
            logger.warning("Skipped an unreadable post from X (id %r).",
                           data.get("id") if isinstance(data, dict) else None)
            return None
        history = [str(i) for i in data.get("edit_history_tweet_ids") or [] if str(i).isdigit()] or [str(data["id"])]
        posted = _time(data.get("created_at")) or _now()
        user = users.get(author_id, {"id": author_id})
        metrics = data.get("public_metrics") if isinstance(data.get("public_metrics"), dict) else {}
        parent = next(
            (str(ref.get("id")) for ref in data.get("referenced_tweets") or []
             if isinstance(ref, dict) and ref.get("type") == "replied_to"),
            "",
        )
        lang = str(data.get("lang") or "")
        username = str(user.get("username") or "i")
        return RemoteMessage(
            # An edit is a new post id; the first id of the history is the one we keep.
            platform_id=history[0],
            kind="keyword" if kind == "keyword" else "mention",
            text=data["text"],
            posted_at=posted,
            author=self._author(user),
            parent_platform_id=parent,
            thread_id=str(data.get("conversation_id") or ""),
            permalink=f"{self.web_base}/{username}/status/{data['id']}",
            language="" if lang in _UNKNOWN_LANGUAGES else lang,
            like_count=int(metrics.get("like_count") or 0),
            reply_count=int(metrics.get("reply_count") or 0),
            # X refuses a reply to a post that does not mention (or quote) the brand.
            public_reply_allowed=kind != "keyword" or self._mentions_us(data),
            edited=len(history) > 1,
            updated_at=posted,
            raw=data,
        )

    def _dm_page(self, token: str | None, *, participant_id: str | None = None) -> dict[str, Any]:
        return self._call(
            "poll", self.client.get_direct_message_events, participant_id=participant_id, user_auth=self.user_auth,
            dm_event_fields=DM_FIELDS, event_types=["MessageCreate"], expansions=["sender_id"],
            user_fields=USER_FIELDS, max_results=PAGE_SIZE, pagination_token=token,
        )

    def _poll_dms(self, cursor: StreamCursor) -> PollResult:
        # DM events have no since_id: walk newest first until the last event we stored.
        last_seen = int(cursor.cursor) if cursor.cursor.isdigit() else None
        items: list[RemoteMessage] = []
        newest: str | None = None
        pages = rejected = 0
        token: str | None = None
        while True:
            body = self._dm_page(token)
            pages += 1
            users = self._users(body)
            reached_seen = False
            for data in body.get("data") or []:
                event_id = str(data.get("id", "")) if isinstance(data, dict) else ""
                if not event_id.isdigit():
                    rejected += 1
                    continue
                if last_seen is not None and int(event_id) <= last_seen:
                    reached_seen = True
                    break
                newest = newest or event_id
                item = self._dm_item(data, users)
                if item is not None:
                    items.append(item)
            meta = body.get("meta") if isinstance(body.get("meta"), dict) else {}
            token = meta.get("next_token")
            if reached_seen or not token or (last_seen is None and pages >= FIRST_RUN_PAGES):
                break
            if pages >= MAX_PAGES:
                raise ConnectorError(f"More than {MAX_PAGES} pages of DMs; the cursor stays where it was.",
                                     code="too_many_pages")
        return self._result(cursor, items, newest=newest, pages=pages, rejected=rejected)

    def _dm_item(self, data: Mapping[str, Any], users: dict[str, dict[str, Any]]) -> RemoteMessage | None:
        sender = str(data.get("sender_id") or "")
        if data.get("event_type") != "MessageCreate" or not sender or sender == self.me:
            return None  # our own messages, and joins and leaves
        posted = _time(data.get("created_at")) or _now()
        return RemoteMessage(
            platform_id=str(data["id"]),
            kind="private",
            text=str(data.get("text") or ""),
            posted_at=posted,
            author=self._author(users.get(sender, {"id": sender})),
            thread_id=str(data.get("dm_conversation_id") or ""),
            updated_at=posted,
            raw=dict(data),
        )

    # --- writing ------------------------------------------------------------------

    def send(self, request: SendRequest) -> SendResult:
        if request.kind == REPLY:
            body = self._call(REPLY, self.client.create_tweet, text=request.text,
                              in_reply_to_tweet_id=request.target_id, user_auth=self.user_auth)
            data = body.get("data") or {}
            if not isinstance(data, dict) or not data.get("id"):
                raise ConnectorError("X accepted the post without saying its id.", code="malformed", maybe_sent=True)
            return SendResult(platform_id=str(data["id"]), raw=data)
        if request.kind == PRIVATE_MESSAGE:
            participant = request.recipient.get("participant_id") or request.target_id
            body = self._call(PRIVATE_MESSAGE, self.client.create_direct_message, participant_id=participant,
                              text=request.text, user_auth=self.user_auth)
            data = body.get("data") or {}
            if not isinstance(data, dict) or not data.get("dm_event_id"):
                raise ConnectorError("X accepted the message without saying its id.", code="malformed",
                                     maybe_sent=True)
            return SendResult(platform_id=str(data["dm_event_id"]), thread_id=str(data.get("dm_conversation_id", "")),
                              raw=data)
        if request.kind in (HIDE, UNHIDE):
            method = self.client.hide_reply if request.kind == HIDE else self.client.unhide_reply
            self._call(request.kind, method, request.target_id, user_auth=self.user_auth)
            return SendResult()
        raise ValueError(f"X cannot send {request.kind!r}")

    def find_sent(self, request: SendRequest, *, since: dt.datetime) -> SendResult | None:
        if request.kind in (HIDE, UNHIDE):
            return None  # hiding is idempotent: sending again is the reconciliation
        if request.kind == PRIVATE_MESSAGE:
            return self._find_dm(request, since)
        if request.kind == REPLY:
            return self._find_reply(request, since)
        raise ValueError(f"X cannot look for {request.kind!r}")

    def _find_reply(self, request: SendRequest, since: dt.datetime) -> SendResult | None:
        conversation = request.context.get("conversation_id")
        if not conversation:
            body = self._call("lookup", self.client.get_tweet, request.target_id, tweet_fields=["conversation_id"],
                              user_auth=False)
            data = body.get("data") if isinstance(body.get("data"), dict) else {}
            conversation = str(data.get("conversation_id") or "")
            if not conversation:
                return None  # the post we answered is gone: our reply cannot be there either
        token: str | None = None
        for _page in range(MAX_PAGES):
            body = self._call(
                "lookup", self.client.search_recent_tweets, f"conversation_id:{conversation} from:{self.handle}",
                max_results=PAGE_SIZE, next_token=token, start_time=since - CLOCK_SKEW,
                tweet_fields=["created_at", "referenced_tweets", "author_id"], user_auth=False,
            )
            for data in body.get("data") or []:
                if not isinstance(data, dict):
                    continue
                replied_to = {str(r.get("id")) for r in data.get("referenced_tweets") or [] if isinstance(r, dict)}
                if request.target_id in replied_to and _same_text(request.text, str(data.get("text", ""))):
                    return SendResult(platform_id=str(data["id"]), raw=data)
            token = (body.get("meta") or {}).get("next_token")
            if not token:
                return None
        raise ConnectorError("Too many of our posts to look through.", code="cannot_verify")

    def _find_dm(self, request: SendRequest, since: dt.datetime) -> SendResult | None:
        participant = request.recipient.get("participant_id") or request.target_id
        token: str | None = None
        for _page in range(MAX_PAGES):
            body = self._dm_page(token, participant_id=participant)
            for data in body.get("data") or []:
                if not isinstance(data, dict):
                    continue
                created = _time(data.get("created_at"))
                if created is not None and created < since - CLOCK_SKEW:
                    return None  # newest first: older than the attempt, so not ours
                if str(data.get("sender_id")) == self.me and _same_text(request.text, str(data.get("text", ""))):
                    return SendResult(platform_id=str(data["id"]), thread_id=str(data.get("dm_conversation_id", "")),
                                      raw=data)
            token = (body.get("meta") or {}).get("next_token")
            if not token:
                return None
        raise ConnectorError("Too many messages to look through.", code="cannot_verify")
