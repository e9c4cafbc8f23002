"""The subset of X API v2 the connectors use, in X's JSON shapes (paths under /2/)."""

from __future__ import annotations

import base64
import datetime as dt
import re
import time
from collections.abc import Callable
from typing import Any

from connectors.sandbox.http import ApiError, Reply, Request
from connectors.sandbox.world import DmEvent, Refused, Tweet, World, XUser, utcnow

PROBLEMS = "https://api.twitter.com/2/problems"
WINDOW_SECONDS = 900

#: Per-user limits per 15 minutes (docs.x.com, Aug 2026). Driving the connectors'
#: schedule from the headers is the point, so the sandbox enforces them.
DEFAULT_LIMITS = {
    "users_me": 75,
    "mentions": 300,
    "search": 300,
    "tweet_lookup": 900,
    "create_tweet": 100,
    "delete_tweet": 50,
    "hide_reply": 50,
    "dm_lookup": 15,
    "dm_create": 15,
}


def iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def problem(
    status: int, title: str, detail: str, kind: str = "about:blank", headers: dict[str, str] | None = None
) -> Reply:
    body = {"title": title, "detail": detail, "type": kind, "status": status}
    return Reply.json(status, body, headers)


def _parse_time(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def _encode_token(number: int) -> str:
    return base64.b32encode(str(number).encode()).decode().rstrip("=").lower()


def _decode_token(token: str) -> int:
    try:
        return int(base64.b32decode(token.upper() + "=" * (-len(token) % 8)).decode())
    except (ValueError, TypeError):
        raise ApiError(_invalid("pagination_token", token, "The pagination token is invalid.")) from None


def _invalid(parameter: str, value: str, message: str) -> Reply:
    return Reply.json(
        400,
        {
            "errors": [{"parameters": {parameter: [value]}, "message": message}],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": f"{PROBLEMS}/invalid-request",
        },
    )


class RateLimiter:
    """Fixed 15-minute windows per (token, endpoint), reported in x-rate-limit-* headers."""

    def __init__(self) -> None:
        self.limits = dict(DEFAULT_LIMITS)
        self.windows: dict[tuple[str, str], tuple[float, int]] = {}

    def take(self, token: str, endpoint: str) -> tuple[bool, dict[str, str]]:
        now = time.time()
        limit = self.limits.get(endpoint, 900)
        start, used = self.windows.get((token, endpoint), (now, 0))
        if now - start >= WINDOW_SECONDS:
            start, used = now, 0
        allowed = used < limit
        if allowed:
            used += 1
        self.windows[(token, endpoint)] = (start, used)
        headers = {
            "x-rate-limit-limit": str(limit),
            "x-rate-limit-remaining": str(max(0, limit - used)),
            "x-rate-limit-reset": str(int(start + WINDOW_SECONDS)),
        }
        return allowed, headers


# --- query language of recent search (the subset we need) --------------------------------

_TOKEN = re.compile(r'\(|\)|-?"[^"]*"|-?[^\s()]+')


class SearchQuery:
    """AND binds tighter than OR; ``-`` negates; parentheses group. Enough for brand monitoring."""

    def __init__(self, query: str, world: World) -> None:
        self.world = world
        self.tokens = _TOKEN.findall(query)
        self.position = 0
        self.tree = self._expression()

    def _peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _expression(self) -> Any:
        branches = [self._conjunction()]
        while self._peek() == "OR":
            self.position += 1
            branches.append(self._conjunction())
        return ("or", branches)

    def _conjunction(self) -> Any:
        parts = []
        while (token := self._peek()) is not None and token not in (")", "OR"):
            parts.append(self._unary())
        return ("and", parts)

    def _unary(self) -> Any:
        token = self.tokens[self.position]
        self.position += 1
        if token == "(":
            inner = self._expression()
            if self._peek() == ")":
                self.position += 1
            return inner
        if token.startswith("-") and len(token) > 1:
            return ("not", self._term(token[1:]))
        return self._term(token)

    def _term(self, token: str) -> Any:
        return ("term", token.strip('"').lower())

    def matches(self, tweet: Tweet) -> bool:
        return self._eval(self.tree, tweet)

    def _eval(self, node: Any, tweet: Tweet) -> bool:
        kind = node[0]
        if kind == "or":
            return any(self._eval(branch, tweet) for branch in node[1])
        if kind == "and":
            return all(self._eval(part, tweet) for part in node[1])
        if kind == "not":
            return not self._eval(node[1], tweet)
        return self._match_term(node[1], tweet)

    def _match_term(self, term: str, tweet: Tweet) -> bool:
        author = self.world.x_users.get(tweet.author_id)
        if term.startswith("from:"):
            return author is not None and author.username.lower() == term[5:].lstrip("@")
        if term.startswith("conversation_id:"):
            return tweet.conversation_id == term[16:]
        if term.startswith("lang:"):
            return tweet.lang == term[5:]
        if term == "is:retweet":
            return False  # search no longer returns retweets (May 2026)
        if term == "is:reply":
            return tweet.replied_to is not None
        if term.startswith("@"):
            return term[1:] in tweet.mentions
        return re.search(r"(?<!\w)" + re.escape(term) + r"(?!\w)", tweet.text.lower()) is not None


# --- the API ------------------------------------------------------------------------------


class XApi:
    def __init__(self, world: World) -> None:
        self.world = world
        self.limiter = RateLimiter()
        self.routes: list[tuple[str, re.Pattern[str], Callable[..., Reply]]] = [
            ("GET", re.compile(r"^/2/users/me$"), self.users_me),
            ("GET", re.compile(r"^/2/users/(\d+)/mentions$"), self.mentions),
            ("GET", re.compile(r"^/2/tweets/search/recent$"), self.search),
            ("GET", re.compile(r"^/2/tweets/(\d+)$"), self.tweet_lookup),
            ("POST", re.compile(r"^/2/tweets$"), self.create_tweet),
            ("DELETE", re.compile(r"^/2/tweets/(\d+)$"), self.delete_tweet),
            ("PUT", re.compile(r"^/2/tweets/(\d+)/hidden$"), self.hide_reply),
            ("GET", re.compile(r"^/2/dm_events$"), self.dm_events),
            ("GET", re.compile(r"^/2/dm_conversations/with/(\d+)/dm_events$"), self.dm_events_with),
            ("GET", re.compile(r"^/2/dm_conversations/([\d-]+)/dm_events$"), self.dm_events_in),
            ("POST", re.compile(r"^/2/dm_conversations/with/(\d+)/messages$"), self.dm_create_with),
            ("POST", re.compile(r"^/2/dm_conversations/([\d-]+)/messages$"), self.dm_create_in),
        ]
        self.endpoint_of = {
            self.users_me: "users_me", self.mentions: "mentions", self.search: "search",
            self.tweet_lookup: "tweet_lookup", self.create_tweet: "create_tweet", self.delete_tweet: "delete_tweet",
            self.hide_reply: "hide_reply", self.dm_events: "dm_lookup", self.dm_events_with: "dm_lookup",
            self.dm_events_in: "dm_lookup", self.dm_create_with: "dm_create", self.dm_create_in: "dm_create",
        }

    # --- plumbing -------------------------------------------------------------------

    @staticmethod
    def token_of(request: Request) -> str:
        header = request.headers.get("authorization", "")
        if header.startswith("Bearer "):
            return header[7:].strip()
        match = re.search(r'oauth_token="([^"]*)"', header)
        if match:
            from urllib.parse import unquote

            return unquote(match.group(1))
        return ""

    def account_of(self, request: Request) -> str | None:
        token = self.token_of(request)
        found = self.world.account_for_token(token) if token else None
        if found and found[0] == "x" and token not in self.world.revoked:
            return found[1]
        return None

    def _route(self, request: Request) -> tuple[Callable[..., Reply], re.Match[str]] | None:
        for method, pattern, handler in self.routes:
            match = pattern.match(request.path)
            if match and request.method == method:
                return handler, match
        return None

    def handle(self, request: Request) -> Reply:
        route = self._route(request)
        if route is None:
            return problem(404, "Not Found Error", f"The requested resource {request.path} was not found.",
                           f"{PROBLEMS}/resource-not-found")
        handler, match = route
        account = self.account_of(request)
        if account is None:
            return problem(401, "Unauthorized", "Unauthorized")
        allowed, headers = self.limiter.take(self.token_of(request), self.endpoint_of[handler])
        if not allowed:
            return problem(429, "Too Many Requests", "Too Many Requests", f"{PROBLEMS}/rate-limit-exceeded", headers)
        try:
            with self.world.lock:
                reply = handler(request, account, *match.groups())
        except ApiError as error:
            reply = error.reply
        except Refused as refusal:
            reply = self.refusal(refusal)
        reply.headers.update(headers)
        return reply

    @staticmethod
    def refusal(refusal: Refused) -> Reply:
        if refusal.kind == "not_found":
            return problem(404, "Not Found Error", refusal.message, f"{PROBLEMS}/resource-not-found")
        return problem(403, "Forbidden", refusal.message)

    # --- rendering ----------------------------------------------------------------

    @staticmethod
    def _fields(request: Request, name: str) -> set[str]:
        raw = request.query.get(name) or (request.query.get("post.fields") if name == "tweet.fields" else "")
        return {part.strip() for part in (raw or "").split(",") if part.strip()}

    @staticmethod
    def _tweet_fields(request: Request) -> set[str]:
        """tweet.fields, plus what the expansions imply (X returns author_id for expansions=author_id)."""
        fields = XApi._fields(request, "tweet.fields")
        expansions = {part for part in request.query.get("expansions", "").split(",") if part}
        if "author_id" in expansions:
            fields.add("author_id")
        if "in_reply_to_user_id" in expansions:
            fields.add("in_reply_to_user_id")
        if expansions & {"referenced_tweets.id", "referenced_tweets.id.author_id"}:
            fields.add("referenced_tweets")
        return fields

    def tweet_json(self, tweet: Tweet, fields: set[str]) -> dict[str, Any]:
        data: dict[str, Any] = {"id": tweet.id, "text": tweet.text, "edit_history_tweet_ids": list(tweet.edit_history)}
        if "created_at" in fields:
            data["created_at"] = iso(tweet.created_at)
        if "author_id" in fields:
            data["author_id"] = tweet.author_id
        if "conversation_id" in fields:
            data["conversation_id"] = tweet.conversation_id
        if "in_reply_to_user_id" in fields and tweet.in_reply_to_user_id:
            data["in_reply_to_user_id"] = tweet.in_reply_to_user_id
        if "referenced_tweets" in fields and tweet.replied_to:
            data["referenced_tweets"] = [{"type": "replied_to", "id": tweet.replied_to}]
        if "lang" in fields:
            data["lang"] = tweet.lang
        if "public_metrics" in fields:
            data["public_metrics"] = {
                "retweet_count": 0, "reply_count": tweet.reply_count, "like_count": tweet.like_count,
                "quote_count": 0, "bookmark_count": 0, "impression_count": tweet.like_count * 40,
            }
        if "reply_settings" in fields:
            data["reply_settings"] = "everyone"
        if "entities" in fields and tweet.mentions:
            mentions = []
            for match in re.finditer(r"@(\w{1,15})", tweet.text):
                user = self.world.x_user_by_username(match.group(1))
                entry = {"start": match.start(), "end": match.end(), "username": match.group(1)}
                if user is not None:
                    entry["id"] = user.id
                mentions.append(entry)
            data["entities"] = {"mentions": mentions}
        return data

    @staticmethod
    def user_json(user: XUser, fields: set[str]) -> dict[str, Any]:
        data: dict[str, Any] = {"id": user.id, "name": user.name, "username": user.username}
        if "verified" in fields:
            data["verified"] = user.verified
        if "protected" in fields:
            data["protected"] = user.protected
        if "profile_image_url" in fields:
            data["profile_image_url"] = f"https://pbs.twimg.com/profile_images/{user.id}/avatar_normal.jpg"
        if "created_at" in fields:
            data["created_at"] = iso(user.created_at)
        if "public_metrics" in fields:
            data["public_metrics"] = {
                "followers_count": user.followers, "following_count": 180, "tweet_count": 1200, "listed_count": 3,
            }
        return data

    def includes(self, request: Request, tweets: list[Tweet]) -> dict[str, Any]:
        expansions = {part for part in request.query.get("expansions", "").split(",") if part}
        user_fields = self._fields(request, "user.fields")
        tweet_fields = self._fields(request, "tweet.fields")
        user_ids: list[str] = []
        referenced: list[Tweet] = []
        for tweet in tweets:
            if "author_id" in expansions:
                user_ids.append(tweet.author_id)
            if "in_reply_to_user_id" in expansions and tweet.in_reply_to_user_id:
                user_ids.append(tweet.in_reply_to_user_id)
            if tweet.replied_to and {"referenced_tweets.id", "referenced_tweets.id.author_id"} & expansions:
                parent = self.world.tweets.get(tweet.replied_to)
                if parent is not None and not parent.deleted:
                    referenced.append(parent)
                    if "referenced_tweets.id.author_id" in expansions:
                        user_ids.append(parent.author_id)
            if "entities.mentions.username" in expansions:
                user_ids.extend(
                    self.world.x_by_username[name] for name in tweet.mentions if name in self.world.x_by_username
                )
        result: dict[str, Any] = {}
        unique_users = list(dict.fromkeys(user_ids))
        if unique_users:
            result["users"] = [self.user_json(self.world.x_users[uid], user_fields) for uid in unique_users]
        if referenced and "referenced_tweets.id" in expansions:
            result["tweets"] = [self.tweet_json(t, tweet_fields) for t in {t.id: t for t in referenced}.values()]
        return result

    def timeline(self, request: Request, tweets: list[Tweet], *, low: int, high: int, default: int,
                 token_param: str) -> Reply:
        """Newest first, since_id/until_id exclusive, pages of max_results."""
        raw_max = request.query.get("max_results", str(default))
        try:
            max_results = int(raw_max)
        except ValueError:
            max_results = -1
        if not low <= max_results <= high:
            message = f"The `max_results` query parameter value [{raw_max}] is not between {low} and {high}"
            raise ApiError(_invalid("max_results", raw_max, message))
        since = int(request.query["since_id"]) if request.query.get("since_id") else None
        until = int(request.query["until_id"]) if request.query.get("until_id") else None
        start = _parse_time(request.query["start_time"]) if request.query.get("start_time") else None
        end = _parse_time(request.query["end_time"]) if request.query.get("end_time") else None
        token = request.query.get(token_param)
        page_until = _decode_token(token) if token else None
        selected = []
        for tweet in tweets:
            number = int(tweet.id)
            if since is not None and number <= since:
                break  # newest first: everything after is older still
            if until is not None and number >= until:
                continue
            if page_until is not None and number >= page_until:
                continue
            if start is not None and tweet.created_at < start:
                continue
            if end is not None and tweet.created_at > end:
                continue
            selected.append(tweet)
            if len(selected) > max_results:
                break
        page, more = selected[:max_results], len(selected) > max_results
        if not page:
            return Reply.json(200, {"meta": {"result_count": 0}})
        fields = self._tweet_fields(request)
        meta: dict[str, Any] = {"newest_id": page[0].id, "oldest_id": page[-1].id, "result_count": len(page)}
        if more:
            meta["next_token"] = _encode_token(int(page[-1].id))
        body: dict[str, Any] = {"data": [self.tweet_json(t, fields) for t in page]}
        includes = self.includes(request, page)
        if includes:
            body["includes"] = includes
        body["meta"] = meta
        return Reply.json(200, body)

    # --- endpoints ------------------------------------------------------------------

    def users_me(self, request: Request, account: str) -> Reply:
        user = self.world.x_users[account]
        return Reply.json(200, {"data": self.user_json(user, self._fields(request, "user.fields"))})

    def mentions(self, request: Request, account: str, user_id: str) -> Reply:
        if user_id not in self.world.x_users:
            return problem(404, "Not Found Error", f"Could not find user with id: [{user_id}].",
                           f"{PROBLEMS}/resource-not-found")
        return self.timeline(request, self.world.mentions_of(user_id), low=5, high=100, default=10,
                             token_param="pagination_token")

    def search(self, request: Request, account: str) -> Reply:
        query = request.query.get("query", "")
        if not query:
            raise ApiError(_invalid("query", "", "The `query` query parameter can not be empty"))
        if len(query) > 512:
            raise ApiError(_invalid("query", query[:40], "The `query` query parameter value is too long"))
        matcher = SearchQuery(query, self.world)
        cutoff = utcnow() - dt.timedelta(days=7)
        tweets = [t for t in self.world.all_tweets_newest_first() if t.visible and t.created_at >= cutoff
                  and matcher.matches(t)]
        return self.timeline(request, tweets, low=10, high=100, default=10, token_param="next_token")

    def tweet_lookup(self, request: Request, account: str, tweet_id: str) -> Reply:
        tweet = self.world.tweets.get(tweet_id)
        if tweet is None or tweet.deleted:
            return Reply.json(200, {"errors": [{
                "value": tweet_id, "detail": f"Could not find tweet with id: [{tweet_id}].", "title": "Not Found Error",
                "resource_type": "tweet", "parameter": "id", "resource_id": tweet_id,
                "type": f"{PROBLEMS}/resource-not-found"}]})
        body: dict[str, Any] = {"data": self.tweet_json(tweet, self._tweet_fields(request))}
        includes = self.includes(request, [tweet])
        if includes:
            body["includes"] = includes
        return Reply.json(200, body)

    def create_tweet(self, request: Request, account: str) -> Reply:
        payload = request.json if isinstance(request.json, dict) else {}
        text = payload.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ApiError(problem(400, "Invalid Request", "One or more parameters to your request was invalid.",
                                   f"{PROBLEMS}/invalid-request"))
        reply_to = (payload.get("reply") or {}).get("in_reply_to_tweet_id")
        tweet = self.world.tweet_create(author_id=account, text=text, reply_to=reply_to, enforce_reply_rules=True,
                                        source="brand")
        return Reply.json(201, {"data": {"id": tweet.id, "text": tweet.text,
                                         "edit_history_tweet_ids": list(tweet.edit_history)}})

    def delete_tweet(self, request: Request, account: str, tweet_id: str) -> Reply:
        tweet = self.world.tweets.get(tweet_id)
        if tweet is None or tweet.author_id != account:
            return problem(403, "Forbidden", "You are not allowed to delete this Tweet.")
        self.world.tweet_delete(tweet_id=tweet_id)
        return Reply.json(200, {"data": {"deleted": True}})

    def hide_reply(self, request: Request, account: str, tweet_id: str) -> Reply:
        payload = request.json if isinstance(request.json, dict) else {}
        hidden = bool(payload.get("hidden"))
        self.world.tweet_hide(tweet_id=tweet_id, by_user=account, hidden=hidden)
        return Reply.json(200, {"data": {"hidden": hidden}})

    # --- DMs --------------------------------------------------------------------------

    def dm_json(self, event: DmEvent, fields: set[str]) -> dict[str, Any]:
        data: dict[str, Any] = {"id": event.id, "event_type": "MessageCreate", "text": event.text}
        if "dm_conversation_id" in fields:
            data["dm_conversation_id"] = event.conversation_id
        if "created_at" in fields:
            data["created_at"] = iso(event.created_at)
        if "sender_id" in fields:
            data["sender_id"] = event.sender_id
        if "participant_ids" in fields:
            data["participant_ids"] = list(event.participant_ids)
        return data

    def _dm_page(self, request: Request, events: list[DmEvent]) -> Reply:
        raw_max = request.query.get("max_results", "100")
        if not raw_max.isdigit() or not 1 <= int(raw_max) <= 100:
            raise ApiError(_invalid("max_results", raw_max,
                                    f"The `max_results` query parameter value [{raw_max}] is not between 1 and 100"))
        max_results = int(raw_max)
        event_types = {part for part in request.query.get("event_types", "").split(",") if part}
        if event_types and "MessageCreate" not in event_types:
            events = []
        token = request.query.get("pagination_token")
        if token:
            before = _decode_token(token)
            events = [e for e in events if int(e.id) < before]
        page, more = events[:max_results], len(events) > max_results
        if not page:
            return Reply.json(200, {"meta": {"result_count": 0}})
        fields = self._fields(request, "dm_event.fields")
        meta: dict[str, Any] = {"result_count": len(page), "previous_token": _encode_token(int(page[0].id) + 1)}
        if more:
            meta["next_token"] = _encode_token(int(page[-1].id))
        body: dict[str, Any] = {"data": [self.dm_json(e, fields) for e in page]}
        expansions = {part for part in request.query.get("expansions", "").split(",") if part}
        user_ids: list[str] = []
        for event in page:
            if "sender_id" in expansions:
                user_ids.append(event.sender_id)
            if "participant_ids" in expansions:
                user_ids.extend(event.participant_ids)
        if user_ids:
            user_fields = self._fields(request, "user.fields")
            body["includes"] = {
                "users": [self.user_json(self.world.x_users[uid], user_fields) for uid in dict.fromkeys(user_ids)]
            }
        body["meta"] = meta
        return Reply.json(200, body)

    def dm_events(self, request: Request, account: str) -> Reply:
        return self._dm_page(request, self.world.dm_events_for(account))

    def dm_events_with(self, request: Request, account: str, participant_id: str) -> Reply:
        conversation = World.dm_conversation_id(account, participant_id)
        return self._dm_page(request, self.world.dm_events_for(account, conversation))

    def dm_events_in(self, request: Request, account: str, conversation_id: str) -> Reply:
        return self._dm_page(request, self.world.dm_events_for(account, conversation_id))

    def _dm_create(self, request: Request, account: str, recipient: str) -> Reply:
        payload = request.json if isinstance(request.json, dict) else {}
        text = payload.get("text")
        if not isinstance(text, str) or not text:
            raise ApiError(problem(400, "Invalid Request", "One or more parameters to your request was invalid.",
                                   f"{PROBLEMS}/invalid-request"))
        # Customers who wrote to us first can always be answered; others only with open DMs.
        wrote_first = any(e.sender_id == recipient for e in self.world.dm_events_for(account))
        event = self.world.dm_send(sender_id=account, recipient_id=recipient, text=text, check_open=not wrote_first)
        return Reply.json(201, {"data": {"dm_conversation_id": event.conversation_id, "dm_event_id": event.id}})

    def dm_create_with(self, request: Request, account: str, participant_id: str) -> Reply:
        return self._dm_create(request, account, participant_id)

    def dm_create_in(self, request: Request, account: str, conversation_id: str) -> Reply:
        parts = conversation_id.split("-")
        if len(parts) != 2 or account not in parts:
            return problem(403, "Forbidden", "You are not a participant of this conversation.")
        return self._dm_create(request, account, parts[0] if parts[1] == account else parts[1])
