"""Facebook Pages through the Graph API and facebook-sdk 3.1. The only module that imports facebook.

facebook-sdk is used as a thin HTTP wrapper behind ``GraphClient``: the Graph version
is set after construction (its constructor only knows 2.8-3.1), ``appsecret_proof``
goes on every call, requests go through the account's session (base URL, timeouts,
usage headers), pages are walked with our own cursor loop, and every error becomes a
ConnectorError. Swapping the library means rewriting GraphClient only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import warnings
from collections.abc import Iterator, Mapping
from typing import Any

import requests

from connectors.base import (
    FB_COMMENTS,
    FB_CONVERSATIONS,
    FB_FEED,
    HIDE,
    PRIVATE_MESSAGE,
    REPLY,
    UNHIDE,
    AccountConfig,
    ConnectorError,
    CursorAdvance,
    PollResult,
    RateLimit,
    RemoteAuthor,
    RemoteMessage,
    RemotePost,
    SendRequest,
    SendResult,
    StreamCursor,
)
from connectors.http import describe, never_reached, platform_session

with warnings.catch_warnings():
    # facebook-sdk 3.1.0 compiles "^\d\.\d{1,2}$" from a plain string: an invalid-escape
    # warning when its source is compiled (a SyntaxError under -W error). Harmless.
    warnings.filterwarnings("ignore", message="invalid escape sequence", category=DeprecationWarning)
    warnings.filterwarnings("ignore", message="invalid escape sequence", category=SyntaxWarning)
    import facebook

logger = logging.getLogger(__name__)

GRAPH_VERSION = "v25.0"
PAGE_SIZE = 100
MAX_PAGES = 200
#: Graph timestamps have one-second granularity and are eventually consistent: re-read a margin.
OVERLAP = dt.timedelta(minutes=5)
#: How far back the first poll of a stream reads.
FIRST_RUN_LOOKBACK = dt.timedelta(days=3)
#: The comments stream re-checks every page post created in this window for new activity.
COMMENT_SCAN_WINDOW = dt.timedelta(days=90)
COMMENT_SCAN_PAGES = 3
CLOCK_SKEW = dt.timedelta(minutes=5)

THROTTLING_CODES = {4, 17, 32, 613, 80000, 80001, 80002, 80003, 80004, 80005, 80006, 80008, 80009, 80014}
TOKEN_SUBCODES = {458: "app removed", 459: "user checkpointed", 460: "password changed", 463: "token expired",
                  464: "unconfirmed user", 467: "token invalid"}
DEFAULT_THROTTLE = dt.timedelta(minutes=5)

POST_FIELDS = "id,message,created_time,updated_time,permalink_url,from{id,name}"
COMMENT_FIELDS = ("id,message,from{id,name},created_time,parent{id},like_count,comment_count,is_hidden,"
                  "can_reply_privately,permalink_url")
MESSAGE_FIELDS = "id,created_time,from,to,message"


def _time(value: Any) -> dt.datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        # Webhooks send unix seconds, Messenger's in milliseconds.
        try:
            return dt.datetime.fromtimestamp(value / 1000 if value > 10**11 else value, dt.UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat()


class GraphClient:
    """The Graph API as we use it: a version, a token, a proof, a session, mapped errors."""

    def __init__(self, *, access_token: str, app_secret: str = "", session: requests.Session,
                 version: str = GRAPH_VERSION) -> None:
        self.session = session
        # No timeout here: the session's adapter applies the default to every request.
        self.graph = facebook.GraphAPI(access_token=access_token or None, session=session)
        self.graph.version = version  # the constructor refuses anything after 3.1
        self.version = version
        self.proof = (
            hmac.new(app_secret.encode(), access_token.encode(), hashlib.sha256).hexdigest()
            if app_secret and access_token else ""
        )

    def _signed(self, params: Mapping[str, Any]) -> dict[str, Any]:
        signed = {key: value for key, value in params.items() if value is not None}
        if self.proof:
            signed["appsecret_proof"] = self.proof
        return signed

    def get(self, path: str, **params: Any) -> dict[str, Any]:
        return self._request(path, args=self._signed(params))

    def post(self, path: str, **data: Any) -> dict[str, Any]:
        if not self.graph.access_token:
            raise ConnectorError("This Page has no access token.", code="token_invalid", auth=True)
        return self._request(path, post_args=self._signed(data))

    def pages(self, path: str, *, max_pages: int = MAX_PAGES, **params: Any) -> Iterator[dict[str, Any]]:
        """Every page of an edge, following the ``after`` cursor until ``paging.next`` is gone."""
        params = dict(params)
        for _number in range(max_pages):
            body = self.get(path, **params)
            yield body
            paging = body.get("paging") if isinstance(body.get("paging"), dict) else {}
            after = (paging.get("cursors") or {}).get("after") if isinstance(paging.get("cursors"), dict) else None
            if not paging.get("next") or not after:
                return
            params["after"] = after

    def _request(self, path: str, *, args: dict[str, Any] | None = None,
                 post_args: dict[str, Any] | None = None) -> dict[str, Any]:
        try:
            result = self.graph.request(f"{self.version}/{path}", args=args, post_args=post_args)
        except facebook.GraphAPIError as error:
            raise self.mapped(error) from None
        except requests.JSONDecodeError:
            raise ConnectorError("Facebook answered with broken JSON.", code="malformed", maybe_sent=True) from None
        except requests.RequestException as error:
            raise ConnectorError(f"Facebook could not be reached: {describe(error)}.", code="unreachable",
                                 maybe_sent=not never_reached(error)) from None
        except (KeyError, ValueError, TypeError):
            # facebook-sdk raises KeyError('content-type') on a response without one.
            raise ConnectorError("Facebook answered something unreadable.", code="malformed", maybe_sent=True) from None
        if not isinstance(result, dict):
            raise ConnectorError("Facebook answered something that is not a JSON object.", code="malformed",
                                 maybe_sent=True)
        return result

    def mapped(self, error: facebook.GraphAPIError) -> ConnectorError:
        result = error.result if isinstance(error.result, dict) else {}
        details = result.get("error") if isinstance(result.get("error"), dict) else {}
        code = error.code if isinstance(error.code, int) else None
        subcode = details.get("error_subcode")
        message = str(details.get("message") or error.message or "")[:300]
        platform_code = f"{code}/{subcode}" if subcode else str(code or "")
        if code is None:
            # "Maintype was not text, image, or querystring": an HTML error page (a 502).
            return ConnectorError("Facebook answered with an error page.", code="server_error", maybe_sent=True)
        if code == 190:
            reason = TOKEN_SUBCODES.get(subcode, "token invalid")
            return ConnectorError(f"Facebook refused the Page token ({reason}).", code="token_invalid", auth=True,
                                  platform_code=platform_code)
        if code in THROTTLING_CODES:
            regain = self.session.rate_limits.last  # type: ignore[attr-defined]
            retry_at = regain.regain_at if regain and regain.regain_at else _now() + DEFAULT_THROTTLE
            return ConnectorError(message or "Facebook is throttling this Page.", code="rate_limited", throttled=True,
                                  retry_at=retry_at, scope="account", platform_code=platform_code)
        if code in (1, 2) or details.get("is_transient"):
            return ConnectorError(message or "Facebook had a temporary problem.", code="server_error",
                                  maybe_sent=True, platform_code=platform_code)
        if code == 10 and subcode == 2018278:
            return ConnectorError(message, code="window_closed", permanent=True, platform_code=platform_code)
        if code == 10900:
            return ConnectorError(message, code="private_reply_used", permanent=True, platform_code=platform_code)
        if code == 10903:
            return ConnectorError(message, code="private_reply_window", permanent=True, platform_code=platform_code)
        if code == 10 or 200 <= code <= 299:
            return ConnectorError(message, code="permission", permanent=True, platform_code=platform_code)
        if code == 100 and subcode == 2018001:
            return ConnectorError(message, code="recipient_unknown", permanent=True, platform_code=platform_code)
        if code == 100:
            return ConnectorError(message, code="target_deleted" if subcode == 33 else "invalid_request",
                                  permanent=True, skip=True, platform_code=platform_code)
        if code == 368:
            return ConnectorError(message, code="policy_blocked", permanent=True, platform_code=platform_code)
        if code == 506:
            return ConnectorError(message, code="duplicate_content", duplicate=True, platform_code=platform_code)
        if code == 551:
            return ConnectorError(message, code="recipient_unavailable", permanent=True, platform_code=platform_code)
        return ConnectorError(message or "Facebook refused the request.", code="platform_error", maybe_sent=True,
                              platform_code=platform_code)


class FacebookConnector:
    streams = (FB_FEED, FB_COMMENTS, FB_CONVERSATIONS)

    def __init__(self, config: AccountConfig, *, session: requests.Session | None = None,
                 graph_version: str = GRAPH_VERSION) -> None:
        self.config = config
        self.session = session or platform_session(config.api_base_url)
        credentials = config.credentials
        self.page_id = str(config.external_id)
        self.client = GraphClient(
            access_token=str(credentials.get("page_access_token") or ""),
            app_secret=str(credentials.get("app_secret") or ""),
            session=self.session,
            version=graph_version,
        )

    def rate_limit(self) -> RateLimit | None:
        return self.session.rate_limits.take()  # type: ignore[attr-defined]

    def verify(self) -> RemoteAuthor:
        data = self.client.get(self.page_id, fields="id,name")
        if str(data.get("id")) != self.page_id:
            raise ConnectorError("Facebook did not confirm the Page.", code="malformed")
        return RemoteAuthor(platform_id=self.page_id, name=str(data.get("name") or ""))

    # --- reading ------------------------------------------------------------------

    def poll(self, cursor: StreamCursor) -> PollResult:
        if cursor.stream == FB_FEED:
            return self._poll_feed(cursor)
        if cursor.stream == FB_COMMENTS:
            return self._poll_comments(cursor)
        if cursor.stream == FB_CONVERSATIONS:
            return self._poll_conversations(cursor)
        raise ValueError(f"Facebook has no stream {cursor.stream!r}")

    def _since(self, watermark: dt.datetime | None) -> dt.datetime:
        return watermark - OVERLAP if watermark else _now() - FIRST_RUN_LOOKBACK

    @staticmethod
    def _author(data: Any) -> RemoteAuthor | None:
        if not isinstance(data, dict) or not data.get("id"):
            return None
        return RemoteAuthor(platform_id=str(data["id"]), name=str(data.get("name") or ""))

    def _post(self, data: Mapping[str, Any]) -> RemotePost:
        author = data.get("from") if isinstance(data.get("from"), dict) else {}
        return RemotePost(
            platform_id=str(data["id"]),
            text=str(data.get("message") or ""),
            author_name=str(author.get("name") or ""),
            is_own=str(author.get("id") or self.page_id) == self.page_id,
            permalink=str(data.get("permalink_url") or ""),
            posted_at=_time(data.get("created_time")),
        )

    def _poll_feed(self, cursor: StreamCursor) -> PollResult:
        """Visitors' posts on the Page are work; the Page's own posts are context only."""
        since = self._since(cursor.watermark)
        observed = _now()
        items: list[RemoteMessage] = []
        newest = cursor.watermark
        pages = rejected = 0
        for body in self.client.pages(f"{self.page_id}/feed", fields=POST_FIELDS, since=int(since.timestamp()),
                                      limit=PAGE_SIZE):
            pages += 1
            for data in body.get("data") or []:
                created = _time(data.get("created_time")) if isinstance(data, dict) else None
                author = self._author(data.get("from")) if isinstance(data, dict) else None
                if created is None or not data.get("id") or author is None:
                    rejected += 1
                    continue
                newest = max(newest, created) if newest else created
                if author.platform_id == self.page_id:
                    continue
                items.append(RemoteMessage(
                    platform_id=str(data["id"]),
                    kind="page_post",
                    text=str(data.get("message") or ""),
                    posted_at=created,
                    author=author,
                    thread_id=str(data["id"]),
                    permalink=str(data.get("permalink_url") or ""),
                    updated_at=observed,
                    raw=data,
                ))
        return PollResult(items=items, advance=CursorAdvance(stream=cursor.stream, watermark=newest), pages=pages,
                          rejected=rejected, rate_limit=self.rate_limit())

    def _poll_comments(self, cursor: StreamCursor) -> PollResult:
        """New comments under any recent post, old marketing posts included.

        Graph has no "comments on this Page since T" edge. The feed's ``updated_time``
        moves when somebody comments, so one cheap scan of the posts of the last 90 days
        (with their comment counts) tells which posts changed since the last poll; only
        those are read, from their own watermark. Webhooks bring the rest right away.
        """
        known: dict[str, dict[str, Any]] = dict((cursor.state or {}).get("posts") or {})
        first_run = cursor.watermark is None
        now = _now()
        scan_since = now - COMMENT_SCAN_WINDOW
        items: list[RemoteMessage] = []
        state: dict[str, dict[str, Any]] = {}
        pages = rejected = 0
        for body in self.client.pages(
            f"{self.page_id}/feed", max_pages=COMMENT_SCAN_PAGES, limit=PAGE_SIZE, since=int(scan_since.timestamp()),
            fields=POST_FIELDS + ",comments.filter(stream).summary(true).limit(0)",
        ):
            pages += 1
            for data in body.get("data") or []:
                if not isinstance(data, dict) or not data.get("id"):
                    rejected += 1
                    continue
                post_id = str(data["id"])
                updated = str(data.get("updated_time") or "")
                comments = data.get("comments") if isinstance(data.get("comments"), dict) else {}
                count = (comments.get("summary") or {}).get("total_count")
                before = known.get(post_id)
                entry = {"u": updated, "n": count, "w": (before or {}).get("w")}
                state[post_id] = entry
                if before is not None and before.get("u") == updated and before.get("n") == count:
                    continue
                if first_run and (_time(updated) or now) < now - FIRST_RUN_LOOKBACK:
                    entry["w"] = _iso(now - FIRST_RUN_LOOKBACK)  # remembered, not back-filled
                    continue
                watermark = _time(entry["w"]) if entry["w"] else None
                since = watermark - OVERLAP if watermark else (now - FIRST_RUN_LOOKBACK if first_run else None)
                try:
                    found, read, bad, newest = self._comments_of(self._post(data), since, observed=now)
                except ConnectorError as error:
                    if not error.skip:
                        raise
                    state.pop(post_id, None)  # deleted between the scan and the read
                    continue
                items.extend(found)
                pages += read
                rejected += bad
                if newest is not None:
                    entry["w"] = _iso(max(newest, watermark) if watermark else newest)
        return PollResult(
            items=items,
            advance=CursorAdvance(stream=cursor.stream, watermark=now, state={"posts": state}),
            pages=pages,
            rejected=rejected,
            rate_limit=self.rate_limit(),
        )

    def _comments_of(self, post: RemotePost, since: dt.datetime | None, *, observed: dt.datetime,
                     ) -> tuple[list[RemoteMessage], int, int, dt.datetime | None]:
        items: list[RemoteMessage] = []
        pages = rejected = 0
        newest: dt.datetime | None = None
        params: dict[str, Any] = {"fields": COMMENT_FIELDS, "filter": "stream", "order": "reverse_chronological",
                                  "limit": PAGE_SIZE}
        if since is not None:
            params["since"] = int(since.timestamp())
        for body in self.client.pages(f"{post.platform_id}/comments", **params):
            pages += 1
            for data in body.get("data") or []:
                item = self._comment_item(data, post, observed=observed)
                if item is None:
                    if not (isinstance(data, dict) and str((data.get("from") or {}).get("id")) == self.page_id):
                        rejected += 1
                    continue
                newest = max(newest, item.posted_at) if newest else item.posted_at
                items.append(item)
        return items, pages, rejected, newest

    def _comment_item(self, data: Any, post: RemotePost, *, observed: dt.datetime) -> RemoteMessage | None:
        if not isinstance(data, dict) or not data.get("id"):
            return None
        author = self._author(data.get("from"))
        created = _time(data.get("created_time"))
        if author is None or created is None or author.platform_id == self.page_id:
            return None
        parent = data.get("parent") if isinstance(data.get("parent"), dict) else None
        comment_id = str(data["id"])
        parent_id = str(parent["id"]) if parent and parent.get("id") else ""
        return RemoteMessage(
            platform_id=comment_id,
            kind="reply" if parent_id else "comment",
            text=str(data.get("message") or ""),
            posted_at=created,
            author=author,
            # A top-level comment hangs under the post; a reply under its top-level comment,
            # which is also the root of the thread (Facebook nests two levels only).
            parent_platform_id=parent_id or post.platform_id,
            thread_id=parent_id or comment_id,
            context_post=post,
            permalink=str(data.get("permalink_url") or ""),
            like_count=int(data.get("like_count") or 0),
            reply_count=int(data.get("comment_count") or 0),
            hidden=bool(data.get("is_hidden")),
            # What a poll reads was true when it read it: a late, older webhook cannot undo it.
            updated_at=observed,
            raw=data,
        )

    def _poll_conversations(self, cursor: StreamCursor) -> PollResult:
        """Messenger has no time-based paging: walk by updated_time down to the watermark."""
        since = self._since(cursor.watermark)
        items: list[RemoteMessage] = []
        newest = cursor.watermark
        pages = rejected = 0
        done = False
        for body in self.client.pages(f"{self.page_id}/conversations", platform="messenger", limit=25,
                                      fields="id,updated_time,message_count"):
            pages += 1
            for data in body.get("data") or []:
                updated = _time(data.get("updated_time")) if isinstance(data, dict) else None
                if updated is None or not data.get("id"):
                    rejected += 1
                    continue
                if updated < since:
                    done = True
                    break
                newest = max(newest, updated) if newest else updated
                try:
                    found, read, bad = self._messages_of(str(data["id"]), since)
                except ConnectorError as error:
                    if not error.skip:
                        raise
                    continue  # a conversation that is gone has nothing left to read
                items.extend(found)
                pages += read
                rejected += bad
            if done:
                break
        return PollResult(items=items, advance=CursorAdvance(stream=cursor.stream, watermark=newest), pages=pages,
                          rejected=rejected, rate_limit=self.rate_limit())

    def _messages_of(self, conversation_id: str, since: dt.datetime) -> tuple[list[RemoteMessage], int, int]:
        items: list[RemoteMessage] = []
        pages = rejected = 0
        for body in self.client.pages(f"{conversation_id}/messages", fields=MESSAGE_FIELDS, limit=PAGE_SIZE):
            pages += 1
            older = False
            for data in body.get("data") or []:
                created = _time(data.get("created_time")) if isinstance(data, dict) else None
                author = self._author(data.get("from")) if isinstance(data, dict) else None
                if created is None or author is None or not data.get("id"):
                    rejected += 1
                    continue
                if created < since:
                    older = True  # newest first: the rest is older still
                    break
                if author.platform_id == self.page_id:
                    continue
                items.append(RemoteMessage(
                    platform_id=str(data["id"]),
                    kind="private",
                    text=str(data.get("message") or ""),
                    posted_at=created,
                    author=author,
                    thread_id=conversation_id,
                    updated_at=created,
                    raw=data,
                ))
            if older:
                break
        return items, pages, rejected

    # --- writing ------------------------------------------------------------------

    def send(self, request: SendRequest) -> SendResult:
        if request.kind == REPLY:
            root = request.context.get("reply_root") or request.target_id
            body = self.client.post(f"{root}/comments", message=request.text)
            if not body.get("id"):
                raise ConnectorError("Facebook accepted the comment without its id.", code="malformed", maybe_sent=True)
            return SendResult(platform_id=str(body["id"]), raw=body)
        if request.kind == PRIVATE_MESSAGE:
            messaging = dict(request.messaging) or {"messaging_type": "RESPONSE"}
            body = self.client.post(
                f"{self.page_id}/messages",
                recipient=json.dumps(dict(request.recipient)),
                message=json.dumps({"text": request.text}),
                **messaging,
            )
            if not body.get("message_id"):
                raise ConnectorError("Facebook accepted the message without its id.", code="malformed",
                                     maybe_sent=True)
            recipient = str(body.get("recipient_id") or "")
            # The private thread's key until its conversation id is known (ingest joins on it).
            return SendResult(platform_id=str(body["message_id"]), thread_id=f"user:{recipient}" if recipient else "",
                              raw=body)
        if request.kind in (HIDE, UNHIDE):
            self.client.post(request.target_id, is_hidden="true" if request.kind == HIDE else "false")
            return SendResult()
        raise ValueError(f"Facebook cannot send {request.kind!r}")

    def find_sent(self, request: SendRequest, *, since: dt.datetime) -> SendResult | None:
        try:
            if request.kind == REPLY:
                return self._find_reply(request, since)
            if request.kind == PRIVATE_MESSAGE:
                return self._find_private(request, since)
            if request.kind in (HIDE, UNHIDE):
                data = self.client.get(request.target_id, fields="id,is_hidden")
                return SendResult() if bool(data.get("is_hidden")) == (request.kind == HIDE) else None
        except ConnectorError as error:
            if error.skip:
                return None  # the object we answered is gone, and our answer with it
            raise
        raise ValueError(f"Facebook cannot look for {request.kind!r}")

    def _find_reply(self, request: SendRequest, since: dt.datetime) -> SendResult | None:
        root = request.context.get("reply_root") or request.target_id
        for body in self.client.pages(f"{root}/comments", fields="id,from{id},message,created_time",
                                      order="reverse_chronological", limit=PAGE_SIZE):
            for data in body.get("data") or []:
                if not isinstance(data, dict):
                    continue
                created = _time(data.get("created_time"))
                if created is not None and created < since - CLOCK_SKEW:
                    return None
                author = data.get("from") if isinstance(data.get("from"), dict) else {}
                ours = str(author.get("id")) == self.page_id
                if ours and str(data.get("message", "")).strip() == request.text.strip():
                    return SendResult(platform_id=str(data["id"]), raw=data)
        return None

    def _find_private(self, request: SendRequest, since: dt.datetime) -> SendResult | None:
        recipient = dict(request.recipient)
        if recipient.get("comment_id"):
            # One private reply per comment: while the comment still allows one, ours did not go out.
            data = self.client.get(recipient["comment_id"], fields="id,can_reply_privately")
            if data.get("can_reply_privately"):
                return None
            raise ConnectorError("Facebook does not show which private reply a comment got.", code="cannot_verify")
        psid = recipient.get("id")
        if not psid:
            raise ConnectorError("A private reply to a post cannot be looked up.", code="cannot_verify")
        body = self.client.get(f"{self.page_id}/conversations", platform="messenger", user_id=psid, fields="id")
        for conversation in body.get("data") or []:
            for messages in self.client.pages(f"{conversation['id']}/messages", fields=MESSAGE_FIELDS,
                                              limit=PAGE_SIZE):
                for data in messages.get("data") or []:
                    created = _time(data.get("created_time"))
                    if created is not None and created < since - CLOCK_SKEW:
                        return None
                    author = data.get("from") if isinstance(data.get("from"), dict) else {}
                    if str(author.get("id")) == self.page_id and str(data.get("message", "")) == request.text:
                        return SendResult(platform_id=str(data["id"]), thread_id=f"user:{psid}", raw=data)
        return None

    # --- webhooks -----------------------------------------------------------------

    def webhook_post_ids(self, payload: Mapping[str, Any]) -> set[str]:
        return {
            str(change["value"]["post_id"])
            for change in self._changes(payload)
            if isinstance(change.get("value"), dict) and change["value"].get("post_id")
        }

    def _entries(self, payload: Mapping[str, Any]) -> list[dict[str, Any]]:
        if not isinstance(payload, dict) or payload.get("object") != "page":
            return []
        return [e for e in payload.get("entry") or [] if isinstance(e, dict) and str(e.get("id")) == self.page_id]

    def _changes(self, payload: Mapping[str, Any]) -> list[dict[str, Any]]:
        return [
            change for entry in self._entries(payload) for change in entry.get("changes") or []
            if isinstance(change, dict) and change.get("field") == "feed"
        ]

    def webhook_items(self, payload: Mapping[str, Any], *, known_posts: set[str],
                      lookups: bool = True) -> list[RemoteMessage]:
        """This Page's items in one webhook body (``feed`` and ``messages`` fields).

        Meta delivers at least once and in any order: deletions come through as items
        with ``deleted`` (a tombstone for the bridge), edits with their own time. With
        ``lookups``, the Graph fills in what a webhook leaves out: the post a comment is
        under (when not ``known_posts``) and the Messenger conversation of a message.
        """
        items: list[RemoteMessage] = []
        posts: dict[str, RemotePost] = {}
        for entry in self._entries(payload):
            event_time = _time(entry.get("time"))
            for change in entry.get("changes") or []:
                value = change.get("value") if isinstance(change, dict) and change.get("field") == "feed" else None
                if isinstance(value, dict):
                    item = self._feed_change(value, event_time, posts, known_posts, lookups)
                    if item is not None:
                        items.append(item)
            conversations: dict[str, str] = {}
            for event in entry.get("messaging") or []:
                item = self._messaging_event(event, conversations, lookups)
                if item is not None:
                    items.append(item)
        return items

    def _context(self, post_id: str, posts: dict[str, RemotePost], known: set[str], lookups: bool) -> RemotePost:
        if post_id not in posts:
            posts[post_id] = RemotePost(platform_id=post_id)
            if lookups and post_id not in known:
                try:
                    posts[post_id] = self._post(self.client.get(post_id, fields=POST_FIELDS))
                except ConnectorError as error:
                    if not error.skip:
                        raise
        return posts[post_id]

    def _feed_change(self, value: dict[str, Any], event_time: dt.datetime | None, posts: dict[str, RemotePost],
                     known: set[str], lookups: bool) -> RemoteMessage | None:
        item, verb = value.get("item"), value.get("verb")
        author = self._author(value.get("from"))
        created = _time(value.get("created_time")) or event_time or _now()
        # An add is stamped with its creation; a later change with when it happened.
        stamp = created if verb == "add" else max(created, event_time or created)
        if item == "comment" and value.get("comment_id") and value.get("post_id"):
            if author is not None and author.platform_id == self.page_id:
                return None
            post_id, comment_id = str(value["post_id"]), str(value["comment_id"])
            parent_id = str(value.get("parent_id") or post_id)
            is_reply = parent_id != post_id
            return RemoteMessage(
                platform_id=comment_id,
                kind="reply" if is_reply else "comment",
                text=str(value.get("message") or ""),
                posted_at=created,
                author=author or RemoteAuthor(platform_id=""),
                parent_platform_id=parent_id,
                thread_id=parent_id if is_reply else comment_id,
                context_post=self._context(post_id, posts, known, lookups) if verb in ("add", "edited") else None,
                deleted=verb == "remove",
                hidden=verb == "hide",
                edited=verb == "edited",
                updated_at=stamp,
                raw=value,
            )
        if item in ("status", "post", "photo", "video") and value.get("post_id"):
            if author is None or author.platform_id == self.page_id:
                return None  # the Page's own posts are context, not work
            post_id = str(value["post_id"])
            return RemoteMessage(
                platform_id=post_id,
                kind="page_post",
                text=str(value.get("message") or ""),
                posted_at=created,
                author=author,
                thread_id=post_id,
                deleted=verb == "remove",
                edited=verb == "edited",
                updated_at=stamp,
                raw=value,
            )
        return None

    def _messaging_event(self, event: Any, conversations: dict[str, str], lookups: bool) -> RemoteMessage | None:
        if not isinstance(event, dict) or not isinstance(event.get("message"), dict):
            return None
        message = event["message"]
        sender = str((event.get("sender") or {}).get("id") or "")
        if message.get("is_echo") or not sender or sender == self.page_id or not message.get("mid"):
            return None
        if lookups and sender not in conversations:
            # The webhook names the sender, not the conversation; the poll path knows the
            # conversation id, so ask once, or the two paths would make two threads.
            body = self.client.get(f"{self.page_id}/conversations", platform="messenger", user_id=sender, fields="id")
            found = [str(c["id"]) for c in body.get("data") or [] if isinstance(c, dict) and c.get("id")]
            conversations[sender] = found[0] if found else ""
        sent_at = _time(event.get("timestamp")) or _now()
        return RemoteMessage(
            platform_id=str(message["mid"]),
            kind="private",
            text=str(message.get("text") or ""),
            posted_at=sent_at,
            author=RemoteAuthor(platform_id=sender),
            thread_id=conversations.get(sender, ""),
            updated_at=sent_at,
            raw=event,
        )
