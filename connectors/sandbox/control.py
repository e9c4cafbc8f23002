"""The sandbox's control API under /_sandbox/: seed, inject items, queue faults, read the log.

Everything takes and returns JSON. Times may be given as ISO 8601 (``created_at``) or
as seconds ago (``ago``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from connectors.sandbox.http import Reply, Request
from connectors.sandbox.world import FbComment, FbMessage, FbPost, Refused, Tweet, utcnow

if TYPE_CHECKING:
    from connectors.sandbox.server import SandboxServer


class BadRequest(Exception):
    pass


def _when(body: dict[str, Any], key: str = "created_at") -> dt.datetime | None:
    if body.get("ago") is not None:
        return utcnow() - dt.timedelta(seconds=float(body["ago"]))
    if body.get(key):
        value = dt.datetime.fromisoformat(str(body[key]).replace("Z", "+00:00"))
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return None


def tweet_dict(tweet: Tweet) -> dict[str, Any]:
    data = asdict(tweet)
    data["created_at"] = tweet.created_at.isoformat()
    return data


def post_dict(post: FbPost) -> dict[str, Any]:
    data = asdict(post)
    data["created_time"], data["updated_time"] = post.created_time.isoformat(), post.updated_time.isoformat()
    return data


def comment_dict(comment: FbComment) -> dict[str, Any]:
    data = asdict(comment)
    data["created_time"], data["updated_time"] = comment.created_time.isoformat(), comment.updated_time.isoformat()
    return data


def message_dict(message: FbMessage) -> dict[str, Any]:
    data = asdict(message)
    data["created_time"] = message.created_time.isoformat()
    return data


class Control:
    def __init__(self, server: SandboxServer) -> None:
        self.server = server
        self.world = server.world
        self.routes: list[tuple[str, re.Pattern[str], Callable[..., Any]]] = [
            ("GET", re.compile(r"^/_sandbox/state$"), self.state),
            ("POST", re.compile(r"^/_sandbox/reset$"), self.reset),
            ("POST", re.compile(r"^/_sandbox/accounts$"), self.add_account),
            ("POST", re.compile(r"^/_sandbox/tokens/revoke$"), self.revoke),
            ("POST", re.compile(r"^/_sandbox/tokens/restore$"), self.restore),
            ("POST", re.compile(r"^/_sandbox/x/users$"), self.x_user),
            ("POST", re.compile(r"^/_sandbox/x/tweets$"), self.x_tweet),
            ("GET", re.compile(r"^/_sandbox/x/tweets$"), self.x_tweets),
            ("POST", re.compile(r"^/_sandbox/x/tweets/(\d+)/edit$"), self.x_edit),
            ("POST", re.compile(r"^/_sandbox/x/tweets/(\d+)/delete$"), self.x_delete),
            ("POST", re.compile(r"^/_sandbox/x/dms$"), self.x_dm),
            ("GET", re.compile(r"^/_sandbox/x/dms$"), self.x_dms),
            ("POST", re.compile(r"^/_sandbox/facebook/posts$"), self.fb_post),
            ("POST", re.compile(r"^/_sandbox/facebook/posts/([\w]+)/delete$"), self.fb_post_delete),
            ("POST", re.compile(r"^/_sandbox/facebook/comments$"), self.fb_comment),
            ("GET", re.compile(r"^/_sandbox/facebook/comments$"), self.fb_comments),
            ("POST", re.compile(r"^/_sandbox/facebook/comments/([\w]+)/edit$"), self.fb_comment_edit),
            ("POST", re.compile(r"^/_sandbox/facebook/comments/([\w]+)/delete$"), self.fb_comment_delete),
            ("POST", re.compile(r"^/_sandbox/facebook/messages$"), self.fb_message),
            ("GET", re.compile(r"^/_sandbox/facebook/messages$"), self.fb_messages),
            ("GET", re.compile(r"^/_sandbox/faults$"), self.faults),
            ("POST", re.compile(r"^/_sandbox/faults$"), self.add_fault),
            ("DELETE", re.compile(r"^/_sandbox/faults$"), self.clear_faults),
            ("GET", re.compile(r"^/_sandbox/requests$"), self.requests),
            ("DELETE", re.compile(r"^/_sandbox/requests$"), self.clear_requests),
            ("POST", re.compile(r"^/_sandbox/rate_limits$"), self.rate_limits),
            ("GET", re.compile(r"^/_sandbox/scenario$"), self.scenario_state),
            ("POST", re.compile(r"^/_sandbox/scenario$"), self.scenario),
            ("POST", re.compile(r"^/_sandbox/webhooks$"), self.webhooks_configure),
            ("POST", re.compile(r"^/_sandbox/webhooks/send$"), self.webhooks_send),
            ("GET", re.compile(r"^/_sandbox/webhooks/log$"), self.webhooks_log),
        ]

    def handle(self, request: Request) -> Reply | None:
        for method, pattern, handler in self.routes:
            match = pattern.match(request.path)
            if match and method == request.method:
                body = request.json if isinstance(request.json, dict) else {}
                try:
                    result = handler(body, request, *match.groups())
                except (BadRequest, ValueError, KeyError, TypeError, Refused) as error:
                    return Reply.json(400, {"error": f"{type(error).__name__}: {error}"})
                return result if isinstance(result, Reply) else Reply.json(200, result)
        return None

    # --- world --------------------------------------------------------------------

    def state(self, body: dict, request: Request) -> dict[str, Any]:
        return {**self.world.summary(), "scenario": self.server.scenarios.describe(), "url": self.server.url}

    def reset(self, body: dict, request: Request) -> dict[str, Any]:
        self.server.scenarios.stop()
        self.server.faults.clear()
        self.server.log.clear()
        self.world.reset(int(body["seed"]) if "seed" in body else None)
        return self.world.summary()

    def add_account(self, body: dict, request: Request) -> dict[str, Any]:
        tokens = [str(token) for token in body.get("tokens", [])]
        if body["platform"] == "x":
            user = self.world.add_x_account(user_id=str(body["id"]), username=body["handle"],
                                            name=body.get("name", ""), tokens=tokens)
            self.server.scenarios.register_x(user.id, keywords=body.get("keywords") or [],
                                             languages=body.get("languages") or [])
            return {"id": user.id, "username": user.username}
        page = self.world.add_fb_page(page_id=str(body["id"]), name=body.get("name") or body["handle"],
                                      tokens=tokens, app_secret=body.get("app_secret", ""))
        self.server.scenarios.register_page(page.id, languages=body.get("languages") or [])
        return {"id": page.id, "name": page.name}

    def revoke(self, body: dict, request: Request) -> dict[str, Any]:
        tokens = self._tokens_of(body)
        with self.world.lock:
            self.world.revoked.update(tokens)
        return {"revoked": sorted(tokens)}

    def restore(self, body: dict, request: Request) -> dict[str, Any]:
        tokens = self._tokens_of(body)
        with self.world.lock:
            self.world.revoked.difference_update(tokens)
        return {"restored": sorted(tokens)}

    def _tokens_of(self, body: dict) -> set[str]:
        if body.get("token"):
            return {str(body["token"])}
        account = str(body["account"])
        return {token for token, (_p, owner) in self.world.tokens.items() if owner == account}

    # --- X --------------------------------------------------------------------------

    def _x_author(self, spec: Any) -> str:
        if isinstance(spec, dict):
            return self.world.x_user(user_id=spec.get("id"), username=spec.get("username"), name=spec.get("name", ""),
                                     followers=spec.get("followers")).id
        if spec:
            return self.world.x_user(user_id=str(spec)).id
        return self.world.x_user().id

    def x_user(self, body: dict, request: Request) -> dict[str, Any]:
        user = self.world.x_user(user_id=body.get("id"), username=body.get("username"), name=body.get("name", ""),
                                 followers=body.get("followers"))
        if "dms_open" in body:
            user.dms_open = bool(body["dms_open"])
        return asdict(user) | {"created_at": user.created_at.isoformat()}

    def x_tweet(self, body: dict, request: Request) -> dict[str, Any]:
        tweet = self.world.tweet_create(author_id=self._x_author(body.get("author")), text=body["text"],
                                        reply_to=body.get("reply_to"), created_at=_when(body),
                                        lang=body.get("lang", "und"))
        return tweet_dict(tweet)

    def x_tweets(self, body: dict, request: Request) -> dict[str, Any]:
        tweets = self.world.all_tweets_newest_first()
        for key in ("author_id", "conversation_id", "replied_to"):
            if request.query.get(key):
                tweets = [t for t in tweets if getattr(t, key) == request.query[key]]
        return {"data": [tweet_dict(t) for t in tweets]}

    def x_edit(self, body: dict, request: Request, tweet_id: str) -> dict[str, Any]:
        return tweet_dict(self.world.tweet_edit(tweet_id=tweet_id, text=body["text"]))

    def x_delete(self, body: dict, request: Request, tweet_id: str) -> dict[str, Any]:
        return tweet_dict(self.world.tweet_delete(tweet_id=tweet_id))

    def x_dm(self, body: dict, request: Request) -> dict[str, Any]:
        event = self.world.dm_send(sender_id=self._x_author(body.get("sender")), recipient_id=str(body["recipient_id"]),
                                   text=body["text"])
        return asdict(event) | {"created_at": event.created_at.isoformat()}

    def x_dms(self, body: dict, request: Request) -> dict[str, Any]:
        events = list(self.world.dm_events)
        if request.query.get("conversation_id"):
            events = [e for e in events if e.conversation_id == request.query["conversation_id"]]
        return {"data": [asdict(e) | {"created_at": e.created_at.isoformat()} for e in events]}

    # --- Facebook ---------------------------------------------------------------------

    def fb_post(self, body: dict, request: Request) -> dict[str, Any]:
        author = body.get("from") or {}
        post = self.world.post_create(page_id=str(body["page_id"]), message=body["message"], from_id=author.get("id"),
                                      from_name=author.get("name", ""), created_time=_when(body, "created_time"))
        return post_dict(post)

    def fb_post_delete(self, body: dict, request: Request, post_id: str) -> dict[str, Any]:
        return post_dict(self.world.post_delete(post_id=post_id))

    def fb_comment(self, body: dict, request: Request) -> dict[str, Any]:
        author = body.get("from") or {}
        if author == "page":
            author = {"id": self.world.page_of_object(body.get("parent_id") or body["post_id"])}
        elif not author:
            person = self.world.fb_person()
            author = {"id": person.id, "name": person.name}
        comment = self.world.comment_create(target_id=body.get("parent_id") or body["post_id"], message=body["message"],
                                            from_id=author.get("id"), from_name=author.get("name", ""),
                                            created_time=_when(body, "created_time"))
        return comment_dict(comment)

    def fb_comments(self, body: dict, request: Request) -> dict[str, Any]:
        comments = list(self.world.comments.values())
        for key in ("post_id", "parent_id", "from_id"):
            if request.query.get(key):
                comments = [c for c in comments if getattr(c, key) == request.query[key]]
        return {"data": [comment_dict(c) for c in comments]}

    def fb_comment_edit(self, body: dict, request: Request, comment_id: str) -> dict[str, Any]:
        return comment_dict(self.world.comment_edit(comment_id=comment_id, message=body["message"]))

    def fb_comment_delete(self, body: dict, request: Request, comment_id: str) -> dict[str, Any]:
        return comment_dict(self.world.comment_delete(comment_id=comment_id))

    def fb_message(self, body: dict, request: Request) -> dict[str, Any]:
        author = body.get("from") or {}
        psid = author.get("psid")
        if psid is None and author.get("id"):
            psid = self.world.fb_person(person_id=author["id"]).psid
        message = self.world.customer_message(page_id=str(body["page_id"]), psid=psid, name=author.get("name", ""),
                                              text=body["text"])
        return message_dict(message)

    def fb_messages(self, body: dict, request: Request) -> dict[str, Any]:
        messages = list(self.world.messages.values())
        if request.query.get("conversation_id"):
            messages = [m for m in messages if m.conversation_id == request.query["conversation_id"]]
        return {"data": [message_dict(m) for m in messages]}

    # --- faults, log, limits, scenario, webhooks ----------------------------------------

    def faults(self, body: dict, request: Request) -> dict[str, Any]:
        return {"data": self.server.faults.listing()}

    def add_fault(self, body: dict, request: Request) -> dict[str, Any]:
        return asdict(self.server.faults.add(body))

    def clear_faults(self, body: dict, request: Request) -> dict[str, Any]:
        self.server.faults.clear()
        return {"data": []}

    def requests(self, body: dict, request: Request) -> dict[str, Any]:
        since = int(request.query.get("since", "0") or 0)
        return {"data": self.server.log.entries(since=since, path=request.query.get("path", ""),
                                                method=request.query.get("method", ""))}

    def clear_requests(self, body: dict, request: Request) -> dict[str, Any]:
        self.server.log.clear()
        return {"data": []}

    def rate_limits(self, body: dict, request: Request) -> dict[str, Any]:
        limiter = self.server.x.limiter
        if body.get("reset"):
            limiter.windows.clear()
        limiter.limits.update({key: int(value) for key, value in (body.get("limits") or {}).items()})
        return {"limits": limiter.limits}

    def scenario_state(self, body: dict, request: Request) -> dict[str, Any]:
        return self.server.scenarios.describe()

    def scenario(self, body: dict, request: Request) -> dict[str, Any]:
        return self.server.scenarios.start(body)

    def webhooks_configure(self, body: dict, request: Request) -> dict[str, Any]:
        return self.server.webhooks.configure(body)

    def webhooks_send(self, body: dict, request: Request) -> dict[str, Any]:
        return self.server.webhooks.send_now(body)

    def webhooks_log(self, body: dict, request: Request) -> dict[str, Any]:
        return {"data": self.server.webhooks.log_entries()}
