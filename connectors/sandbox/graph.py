"""The subset of the Graph API the connectors use, under any /vNN.N/ prefix, in Graph's JSON shapes."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from connectors.sandbox.http import ApiError, Reply, Request
from connectors.sandbox.world import (
    PRIVATE_REPLY_WINDOW,
    FbComment,
    FbConversation,
    FbMessage,
    FbPost,
    Refused,
    World,
    utcnow,
)

VERSION = re.compile(r"^/(v\d+\.\d+)(/.*)?$")
PAGE_CALLS_PER_HOUR = 20_000


def fb_time(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def graph_error(
    message: str, code: int, *, subcode: int | None = None, status: int = 400, kind: str = "OAuthException",
    headers: dict[str, str] | None = None,
) -> Reply:
    error: dict[str, Any] = {"message": message, "type": kind, "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    error["fbtrace_id"] = "A" + hashlib.sha256(f"{message}{time.time()}".encode()).hexdigest()[:10]
    return Reply.json(status, {"error": error}, headers)


def _missing(object_id: str, verb: str = "get") -> ApiError:
    return ApiError(graph_error(
        f"Unsupported {verb} request. Object with ID '{object_id}' does not exist, cannot be loaded due to missing "
        "permissions, or does not support this operation. Please read the Graph API documentation at "
        "https://developers.facebook.com/docs/graph-api", 100, subcode=33, kind="GraphMethodException"))


# --- fields=... ----------------------------------------------------------------------------


@dataclass
class Field:
    name: str
    modifiers: dict[str, str] = field(default_factory=dict)
    sub: dict[str, Field] | None = None


def parse_fields(spec: str) -> dict[str, Field]:
    """``id,from{id,name},comments.filter(stream).summary(true).limit(0)`` as a tree."""
    fields, _end = _parse_field_list(spec, 0)
    return fields


def _parse_field_list(spec: str, position: int) -> tuple[dict[str, Field], int]:
    fields: dict[str, Field] = {}
    while position < len(spec):
        if spec[position] in ", ":
            position += 1
            continue
        if spec[position] == "}":
            return fields, position + 1
        match = re.compile(r"[\w]+").match(spec, position)
        if not match:
            position += 1
            continue
        item = Field(match.group(0))
        position = match.end()
        while position < len(spec) and spec[position] == ".":
            modifier = re.compile(r"\.(\w+)\(([^)]*)\)").match(spec, position)
            if not modifier:
                break
            item.modifiers[modifier.group(1)] = modifier.group(2)
            position = modifier.end()
        if position < len(spec) and spec[position] == "{":
            item.sub, position = _parse_field_list(spec, position + 1)
        fields[item.name] = item
    return fields, position


def _seq(object_id: str) -> int:
    match = re.search(r"(\d+)$", object_id)
    return int(match.group(1)) if match else 0


def _encode_cursor(key: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> list[Any]:
    try:
        return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError:
        raise ApiError(graph_error("(#100) Invalid cursor", 100)) from None


def _unix(value: str) -> float | None:
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        try:
            return dt.datetime.fromisoformat(value).timestamp()
        except ValueError:
            raise ApiError(graph_error(f"(#100) Invalid time value {value!r}", 100)) from None


class GraphApi:
    def __init__(self, world: World) -> None:
        self.world = world
        self.calls: dict[str, tuple[float, int]] = {}

    # --- plumbing -------------------------------------------------------------------

    def handle(self, request: Request) -> Reply:
        match = VERSION.match(request.path)
        version = match.group(1) if match else "v25.0"
        rest = (match.group(2) or "/").strip("/") if match else request.path.strip("/")
        token = request.param("access_token")
        if not token:
            return graph_error("An access token is required to request this resource.", 190)
        found = self.world.account_for_token(token)
        if found is None or found[0] != "facebook":
            return graph_error("Invalid OAuth access token - Cannot parse access token", 190)
        if token in self.world.revoked:
            return graph_error(
                "Error validating access token: The session has been invalidated because the user changed their "
                "password or Facebook has changed the session for security reasons.", 190, subcode=460)
        page_id = found[1]
        page = self.world.fb_pages[page_id]
        if page.app_secret:
            proof = request.param("appsecret_proof")
            expected = hmac.new(page.app_secret.encode(), token.encode(), hashlib.sha256).hexdigest()
            if not proof:
                return graph_error("API calls from the server require an appsecret_proof argument", 100)
            if not hmac.compare_digest(proof, expected):
                return graph_error("Invalid appsecret_proof provided in the API argument", 100)
        usage = self._usage(page_id)
        headers = {
            "facebook-api-version": version,
            "x-app-usage": json.dumps({"call_count": usage, "total_cputime": usage // 2, "total_time": usage // 2}),
            "x-business-use-case-usage": json.dumps({page_id: [{
                "type": "pages", "call_count": usage, "total_cputime": usage // 2, "total_time": usage // 2,
                "estimated_time_to_regain_access": 0 if usage < 100 else 5}]}),
        }
        if usage >= 100:
            return graph_error("(#80001) There have been too many calls to this Page account. Wait a bit and try "
                               "again.", 80001, headers=headers)
        try:
            with self.world.lock:
                reply = self.route(request, version, rest, page_id, token)
        except ApiError as error:
            reply = error.reply
        reply.headers.update(headers)
        return reply

    def _usage(self, page_id: str) -> int:
        now = time.time()
        start, used = self.calls.get(page_id, (now, 0))
        if now - start >= 3600:
            start, used = now, 0
        self.calls[page_id] = (start, used + 1)
        return min(100, (used + 1) * 100 // PAGE_CALLS_PER_HOUR)

    def route(self, request: Request, version: str, rest: str, page_id: str, token: str) -> Reply:
        parts = [part for part in rest.split("/") if part]
        if parts and parts[0] == "me":
            parts[0] = page_id
        method = request.method
        if not parts:
            if method == "GET" and request.query.get("ids"):
                return self.many(request, page_id)
            raise _missing("", method.lower())
        object_id = parts[0]
        if len(parts) == 1:
            handlers: dict[str, Callable[..., Reply]] = {"GET": self.get_object, "POST": self.post_object,
                                                          "DELETE": self.delete_object}
            if method not in handlers:
                raise _missing(object_id, method.lower())
            return handlers[method](request, page_id, object_id)
        edge = parts[1]
        edges: dict[tuple[str, str], Callable[..., Reply]] = {
            ("GET", "feed"): self.feed,
            ("GET", "posts"): self.posts_edge,
            ("GET", "comments"): self.comments_edge,
            ("POST", "comments"): self.comment_create,
            ("GET", "conversations"): self.conversations,
            ("GET", "messages"): self.messages_edge,
            ("POST", "messages"): self.send_message,
            ("POST", "subscribed_apps"): lambda r, p, o, v, t: Reply.json(200, {"success": True}),
        }
        handler = edges.get((method, edge))
        if handler is None:
            raise _missing(f"{object_id}/{edge}", method.lower())
        return handler(request, page_id, object_id, version, token)

    def _own_post(self, page_id: str, object_id: str) -> FbPost | None:
        post = self.world.posts.get(object_id)
        return post if post is not None and post.page_id == page_id and not post.deleted else None

    def _own_comment(self, page_id: str, object_id: str) -> FbComment | None:
        comment = self.world.comments.get(object_id)
        if comment is None or comment.deleted:
            return None
        return comment if self.world.posts[comment.post_id].page_id == page_id else None

    def paged(self, request: Request, items: list[Any], key: Callable[[Any], list[Any]], render: Callable[[Any], Any],
              version: str, path: str, token: str, default_limit: int = 25,
              extra: dict[str, Any] | None = None) -> dict[str, Any]:
        """Key-ordered pages; ``after`` is the key of the last item, so inserts never skip or repeat."""
        try:
            limit = max(1, min(100, int(request.query.get("limit") or default_limit)))
        except ValueError:
            raise ApiError(graph_error("(#100) Param limit must be a number", 100)) from None
        after = request.query.get("after")
        if after:
            cursor = _decode_cursor(after)
            items = [item for item in items if key(item) > cursor]
        page, more = items[:limit], len(items) > limit
        body: dict[str, Any] = {"data": [render(item) for item in page]}
        if page:
            paging: dict[str, Any] = {"cursors": {"before": _encode_cursor(key(page[0])),
                                                  "after": _encode_cursor(key(page[-1]))}}
            if more:
                params = dict(request.query)
                params["access_token"] = token
                params["after"] = paging["cursors"]["after"]
                paging["next"] = f"https://graph.facebook.com/{version}/{path}?{urlencode(params)}"
            body["paging"] = paging
        if extra:
            body.update(extra)
        return body

    # --- rendering ------------------------------------------------------------------

    def _fields(self, request: Request, default: str) -> dict[str, Field]:
        return parse_fields(request.query.get("fields") or default)

    def post_json(self, post: FbPost, fields: dict[str, Field]) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for name, spec in fields.items():
            if name == "id":
                data["id"] = post.id
            elif name == "message" and post.message:
                data["message"] = post.message
            elif name == "created_time":
                data["created_time"] = fb_time(post.created_time)
            elif name == "updated_time":
                data["updated_time"] = fb_time(post.updated_time)
            elif name == "permalink_url":
                data["permalink_url"] = self.permalink(post.id)
            elif name == "from":
                data["from"] = self._sub({"id": post.from_id, "name": post.from_name}, spec)
            elif name == "status_type":
                data["status_type"] = "mobile_status_update"
            elif name == "is_hidden":
                data["is_hidden"] = False
            elif name == "comments":
                data["comments"] = self._inline_comments(post.id, None, spec)
        data.setdefault("id", post.id)
        return data

    def _inline_comments(self, post_id: str, parent_id: str | None, spec: Field) -> dict[str, Any]:
        stream = spec.modifiers.get("filter") == "stream"
        comments = self._comments_of(post_id, parent_id, stream=stream, order="chronological")
        try:
            limit = int(spec.modifiers.get("limit", "25"))
        except ValueError:
            limit = 25
        sub = spec.sub or parse_fields("id,message,from,created_time")
        result: dict[str, Any] = {"data": [self.comment_json(c, sub) for c in comments[:limit]]}
        if spec.modifiers.get("summary") in ("true", "1"):
            result["summary"] = {"order": "chronological", "total_count": len(comments), "can_comment": True}
        return result

    @staticmethod
    def _sub(values: dict[str, Any], spec: Field) -> dict[str, Any]:
        if spec.sub is None:
            return values
        return {key: value for key, value in values.items() if key in spec.sub or key == "id"}

    def permalink(self, post_id: str, comment_id: str | None = None) -> str:
        base = getattr(self, "public_base", "http://sandbox.invalid")
        url = f"{base}/_sandbox/facebook/posts/{post_id}"
        return f"{url}?comment_id={comment_id}" if comment_id else url

    def comment_json(self, comment: FbComment, fields: dict[str, Field]) -> dict[str, Any]:
        now = utcnow()
        post = self.world.posts[comment.post_id]
        data: dict[str, Any] = {}
        for name, spec in fields.items():
            if name == "id":
                data["id"] = comment.id
            elif name == "message":
                data["message"] = comment.message
            elif name == "created_time":
                data["created_time"] = fb_time(comment.created_time)
            elif name == "from":
                data["from"] = self._sub({"id": comment.from_id, "name": comment.from_name}, spec)
            elif name == "parent" and comment.parent_id:
                parent = self.world.comments[comment.parent_id]
                data["parent"] = self._sub({"id": parent.id, "message": parent.message,
                                            "created_time": fb_time(parent.created_time),
                                            "from": {"id": parent.from_id, "name": parent.from_name}}, spec)
            elif name == "like_count":
                data["like_count"] = comment.like_count
            elif name == "comment_count":
                data["comment_count"] = self.world.reply_count(comment.id) if comment.parent_id is None else 0
            elif name == "is_hidden":
                data["is_hidden"] = comment.hidden
            elif name == "can_hide":
                data["can_hide"] = comment.from_id != post.page_id
            elif name == "can_remove":
                data["can_remove"] = True
            elif name == "can_reply_privately":
                data["can_reply_privately"] = (
                    not comment.private_replied and comment.from_id != post.page_id
                    and now - comment.created_time <= PRIVATE_REPLY_WINDOW
                )
            elif name == "permalink_url":
                data["permalink_url"] = self.permalink(comment.post_id, comment.id)
            elif name == "object":
                data["object"] = {"id": post.id}
            elif name == "comments":
                data["comments"] = self._inline_comments(post.id, comment.id, spec)
        data.setdefault("id", comment.id)
        return data

    def conversation_json(self, conversation: FbConversation, fields: dict[str, Field]) -> dict[str, Any]:
        page = self.world.fb_pages[conversation.page_id]
        data: dict[str, Any] = {}
        last = conversation.messages[-1] if conversation.messages else None
        for name in fields:
            if name == "id":
                data["id"] = conversation.id
            elif name == "updated_time":
                data["updated_time"] = fb_time(conversation.updated_time)
            elif name == "snippet":
                data["snippet"] = last.text[:100] if last else ""
            elif name == "message_count":
                data["message_count"] = len(conversation.messages)
            elif name == "unread_count":
                data["unread_count"] = 1 if last and last.from_id == conversation.psid else 0
            elif name == "link":
                data["link"] = f"/{page.id}/inbox/{conversation.id[2:]}/"
            elif name == "participants":
                data["participants"] = {"data": [
                    {"name": conversation.name, "email": f"{conversation.psid}@facebook.com", "id": conversation.psid},
                    {"name": page.name, "email": f"{page.id}@facebook.com", "id": page.id},
                ]}
        data.setdefault("id", conversation.id)
        return data

    @staticmethod
    def message_json(message: FbMessage, fields: dict[str, Field]) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for name in fields:
            if name == "id":
                data["id"] = message.id
            elif name == "created_time":
                data["created_time"] = fb_time(message.created_time)
            elif name == "message":
                data["message"] = message.text
            elif name == "from":
                data["from"] = {"name": message.from_name, "email": f"{message.from_id}@facebook.com",
                                "id": message.from_id}
            elif name == "to":
                data["to"] = {"data": [{"name": message.to_name, "email": f"{message.to_id}@facebook.com",
                                        "id": message.to_id}]}
        data.setdefault("id", message.id)
        return data

    # --- reads --------------------------------------------------------------------

    def _resolve(self, page_id: str, object_id: str, fields: dict[str, Field]) -> dict[str, Any]:
        page = self.world.fb_pages.get(object_id)
        if page is not None:
            if page.id != page_id:
                raise _missing(object_id)
            data = {"id": page.id}
            if "name" in fields or not fields:
                data["name"] = page.name
            return data
        post = self._own_post(page_id, object_id)
        if post is not None:
            return self.post_json(post, fields or parse_fields("created_time,message,id"))
        comment = self._own_comment(page_id, object_id)
        if comment is not None:
            return self.comment_json(comment, fields or parse_fields("created_time,from,message,id"))
        conversation = self.world.conversations.get(object_id)
        if conversation is not None and conversation.page_id == page_id:
            return self.conversation_json(conversation, fields or parse_fields("id,updated_time"))
        message = self.world.messages.get(object_id)
        if message is not None and self.world.conversations[message.conversation_id].page_id == page_id:
            return self.message_json(message, fields or parse_fields("id,created_time"))
        raise _missing(object_id)

    def get_object(self, request: Request, page_id: str, object_id: str) -> Reply:
        fields = parse_fields(request.query.get("fields", ""))
        return Reply.json(200, self._resolve(page_id, object_id, fields))

    def many(self, request: Request, page_id: str) -> Reply:
        fields = parse_fields(request.query.get("fields", ""))
        ids = [part for part in request.query["ids"].split(",") if part]
        return Reply.json(200, {object_id: self._resolve(page_id, object_id, fields) for object_id in ids})

    def _posts(self, request: Request, page_id: str, *, own_only: bool) -> list[FbPost]:
        since, until = _unix(request.query.get("since", "")), _unix(request.query.get("until", ""))
        posts = [
            post for post in self.world.posts.values()
            if post.page_id == page_id and not post.deleted and (not own_only or post.from_id == page_id)
            and (since is None or post.created_time.timestamp() >= since)
            and (until is None or post.created_time.timestamp() < until)
        ]
        return sorted(posts, key=self._post_key)

    @staticmethod
    def _post_key(post: FbPost) -> list[Any]:
        return [-post.created_time.timestamp(), -_seq(post.id)]

    def feed(self, request: Request, page_id: str, object_id: str, version: str, token: str) -> Reply:
        return self._post_edge(request, page_id, object_id, version, token, own_only=False, edge="feed")

    def posts_edge(self, request: Request, page_id: str, object_id: str, version: str, token: str) -> Reply:
        return self._post_edge(request, page_id, object_id, version, token, own_only=True, edge="posts")

    def _post_edge(self, request: Request, page_id: str, object_id: str, version: str, token: str, *,
                   own_only: bool, edge: str) -> Reply:
        if object_id != page_id:
            raise _missing(f"{object_id}/{edge}")
        fields = self._fields(request, "created_time,message,id")
        posts = self._posts(request, page_id, own_only=own_only)
        return Reply.json(200, self.paged(request, posts, self._post_key, lambda p: self.post_json(p, fields),
                                          version, f"{object_id}/{edge}", token))

    def _comments_of(self, post_id: str, parent_id: str | None, *, stream: bool, order: str) -> list[FbComment]:
        comments = [
            self.world.comments[cid] for cid in self.world.comments_by_post.get(post_id, [])
            if not self.world.comments[cid].deleted
            and (self.world.comments[cid].parent_id == parent_id or (stream and parent_id is None))
        ]
        return sorted(comments, key=lambda c: self._comment_key(c, order))

    @staticmethod
    def _comment_key(comment: FbComment, order: str) -> list[Any]:
        key = [comment.created_time.timestamp(), _seq(comment.id)]
        return [-value for value in key] if order == "reverse_chronological" else key

    def comments_edge(self, request: Request, page_id: str, object_id: str, version: str, token: str) -> Reply:
        post = self._own_post(page_id, object_id)
        comment = None if post else self._own_comment(page_id, object_id)
        if post is None and comment is None:
            raise _missing(f"{object_id}/comments")
        order = request.query.get("order") or "chronological"
        stream = request.query.get("filter") == "stream"
        post_id = post.id if post else comment.post_id  # type: ignore[union-attr]
        comments = self._comments_of(post_id, None if post else object_id, stream=stream and post is not None,
                                     order=order)
        since = _unix(request.query.get("since", ""))
        if since is not None:
            comments = [c for c in comments if c.created_time.timestamp() >= since]
        fields = self._fields(request, "created_time,from,message,id")
        extra = None
        if request.query.get("summary") in ("1", "true"):
            extra = {"summary": {"order": order, "total_count": len(comments), "can_comment": True}}
        return Reply.json(200, self.paged(
            request, comments, lambda c: self._comment_key(c, order), lambda c: self.comment_json(c, fields),
            version, f"{object_id}/comments", token, extra=extra))

    def conversations(self, request: Request, page_id: str, object_id: str, version: str, token: str) -> Reply:
        if object_id != page_id:
            raise _missing(f"{object_id}/conversations")
        conversations = self.world.conversations_of(page_id)
        if request.query.get("user_id"):
            conversations = [c for c in conversations if c.psid == request.query["user_id"]]
        fields = self._fields(request, "id,updated_time")
        return Reply.json(200, self.paged(
            request, conversations, lambda c: [-c.updated_time.timestamp(), -_seq(c.id)],
            lambda c: self.conversation_json(c, fields), version, f"{object_id}/conversations", token))

    def messages_edge(self, request: Request, page_id: str, object_id: str, version: str, token: str) -> Reply:
        conversation = self.world.conversations.get(object_id)
        if conversation is None or conversation.page_id != page_id:
            raise _missing(f"{object_id}/messages")
        fields = self._fields(request, "id,created_time")
        messages = list(reversed(conversation.messages))
        index = {message.id: number for number, message in enumerate(conversation.messages)}
        return Reply.json(200, self.paged(
            request, messages, lambda m: [-m.created_time.timestamp(), -index[m.id]],
            lambda m: self.message_json(m, fields), version, f"{object_id}/messages", token))

    # --- writes -------------------------------------------------------------------

    def comment_create(self, request: Request, page_id: str, object_id: str, version: str, token: str) -> Reply:
        if self._own_post(page_id, object_id) is None and self._own_comment(page_id, object_id) is None:
            raise _missing(object_id, "post")
        message = request.param("message")
        if not message:
            return graph_error("(#100) The parameter message is required", 100)
        try:
            comment = self.world.comment_create(target_id=object_id, message=message, from_id=page_id,
                                                check_duplicate=True)
        except Refused as refusal:
            if refusal.kind == "duplicate":
                return graph_error("(#506) Duplicate status message", 506)
            raise _missing(object_id, "post") from None
        return Reply.json(200, {"id": comment.id})

    def post_object(self, request: Request, page_id: str, object_id: str) -> Reply:
        comment = self._own_comment(page_id, object_id)
        if comment is None:
            raise _missing(object_id, "post")
        hidden = request.param("is_hidden")
        if hidden:
            if comment.from_id == page_id:
                return graph_error("(#100) You cannot hide your own comment", 100)
            self.world.comment_hide(comment_id=object_id, hidden=hidden.lower() == "true")
        message = request.param("message")
        if message:
            if comment.from_id != page_id:
                return graph_error("(#200) Permissions error", 200, status=403)
            self.world.comment_edit(comment_id=object_id, message=message)
        return Reply.json(200, {"success": True})

    def delete_object(self, request: Request, page_id: str, object_id: str) -> Reply:
        if self._own_comment(page_id, object_id) is None:
            raise _missing(object_id, "delete")
        self.world.comment_delete(comment_id=object_id)
        return Reply.json(200, {"success": True})

    def send_message(self, request: Request, page_id: str, object_id: str, version: str, token: str) -> Reply:
        if object_id != page_id:
            raise _missing(f"{object_id}/messages", "post")
        try:
            recipient = json.loads(request.param("recipient") or "{}")
            message = json.loads(request.param("message") or "{}")
        except ValueError:
            return graph_error("(#100) param recipient must be JSON", 100)
        if not isinstance(recipient, dict) or not isinstance(message, dict) or not message.get("text"):
            return graph_error("(#100) The parameter recipient and message are required", 100)
        messaging_type = request.param("messaging_type") or "RESPONSE"
        try:
            sent = self.world.page_message(page_id=page_id, recipient={k: str(v) for k, v in recipient.items()},
                                           text=str(message["text"]), messaging_type=messaging_type,
                                           tag=request.param("tag"))
        except Refused as refusal:
            return self._send_refusal(refusal)
        return Reply.json(200, {"recipient_id": sent.to_id, "message_id": sent.id})

    @staticmethod
    def _send_refusal(refusal: Refused) -> Reply:
        if refusal.kind == "window":
            return graph_error(
                "(#10) This message is sent outside of allowed window. Learn more about the new policy here: "
                "https://developers.facebook.com/docs/messenger-platform/policy-overview", 10, subcode=2018278,
                status=400)
        if refusal.kind == "private_reply_used":
            return graph_error("(#10900) Activity already replied to", 10900)
        if refusal.kind == "private_reply_window":
            return graph_error("(#10903) This activity can't be replied to", 10903)
        if refusal.kind == "no_user":
            return graph_error("(#100) No matching user found", 100, subcode=2018001)
        raise _missing(refusal.message, "post")
