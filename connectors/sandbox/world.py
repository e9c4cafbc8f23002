"""The sandbox platform's state: X users, posts and DMs; Facebook Pages, posts, comments, Messenger.

Everything lives in memory behind one lock. Ids come from counters and content from a
seeded ``random.Random``, so the same seed and the same calls give the same world.
Times are real (the connectors compare them with their own clock).
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
import re
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

X_ID_BASE = 1_900_000_000_000_000_000
X_USER_BASE = 1_500_000_000
FB_USER_BASE = 10_200_000_000_000
PSID_BASE = 7_300_000_000_000_000
FB_OBJECT_BASE = 122_100_000_000_000

_MENTION = re.compile(r"@(\w{1,15})")
#: Facebook lets a page send one private reply per comment, within 7 days.
PRIVATE_REPLY_WINDOW = dt.timedelta(days=7)
MESSENGER_WINDOW = dt.timedelta(hours=24)
HUMAN_AGENT_WINDOW = dt.timedelta(days=7)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Refused(Exception):
    """The platform refuses an action: ``kind`` tells the API layer which error to answer."""

    def __init__(self, kind: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.extra = extra


# --- X -----------------------------------------------------------------------------------


@dataclass
class XUser:
    id: str
    username: str
    name: str
    followers: int = 0
    verified: bool = False
    protected: bool = False
    dms_open: bool = True
    created_at: dt.datetime = field(default_factory=utcnow)


@dataclass
class Tweet:
    id: str
    author_id: str
    text: str
    created_at: dt.datetime
    conversation_id: str
    in_reply_to_user_id: str | None = None
    replied_to: str | None = None
    edit_history: list[str] = field(default_factory=list)
    lang: str = "und"
    hidden: bool = False
    deleted: bool = False
    #: An edited post's older versions stay readable by id but leave the timelines.
    superseded_by: str | None = None
    mentions: tuple[str, ...] = ()
    like_count: int = 0
    reply_count: int = 0

    @property
    def visible(self) -> bool:
        return not self.deleted and self.superseded_by is None


@dataclass
class DmEvent:
    id: str
    conversation_id: str
    sender_id: str
    text: str
    created_at: dt.datetime
    participant_ids: tuple[str, str]


# --- Facebook ---------------------------------------------------------------------------


@dataclass
class FbPage:
    id: str
    name: str
    app_secret: str = ""


@dataclass
class FbPerson:
    """Someone on Facebook: one id as the Page sees their comments, another (PSID) in Messenger."""

    id: str
    psid: str
    name: str


@dataclass
class FbPost:
    id: str
    page_id: str
    from_id: str
    from_name: str
    message: str
    created_time: dt.datetime
    updated_time: dt.datetime
    deleted: bool = False


@dataclass
class FbComment:
    id: str
    post_id: str
    parent_id: str | None
    from_id: str
    from_name: str
    message: str
    created_time: dt.datetime
    updated_time: dt.datetime
    hidden: bool = False
    deleted: bool = False
    private_replied: bool = False
    like_count: int = 0
    #: Live replies under a top-level comment (kept as a count: storms have thousands).
    replies: int = 0


@dataclass
class FbMessage:
    id: str
    conversation_id: str
    from_id: str
    from_name: str
    to_id: str
    to_name: str
    text: str
    created_time: dt.datetime


@dataclass
class FbConversation:
    id: str
    page_id: str
    psid: str
    name: str
    updated_time: dt.datetime
    messages: list[FbMessage] = field(default_factory=list)
    last_user_message_at: dt.datetime | None = None


Listener = Callable[[str, dict[str, Any]], None]


class World:
    """All sandbox state. Every public method takes the lock."""

    def __init__(self, seed: int = 1) -> None:
        self.lock = threading.RLock()
        self.listeners: list[Listener] = []
        self.seed = seed
        # Accounts and their tokens survive a reset; content does not.
        self.x_accounts: dict[str, XUser] = {}
        self.fb_pages: dict[str, FbPage] = {}
        self.tokens: dict[str, tuple[str, str]] = {}  # token -> (platform, account id)
        self.revoked: set[str] = set()
        self.reset(seed)

    def reset(self, seed: int | None = None) -> None:
        """Forget all content (accounts and their tokens stay)."""
        with self.lock:
            self.seed = self.seed if seed is None else seed
            self.rng = random.Random(self.seed)
            self._x_seq = 0
            self._user_seq = 0
            self._fb_seq = 0
            self.x_users: dict[str, XUser] = {}
            self.x_by_username: dict[str, str] = {}
            self.tweets: dict[str, Tweet] = {}
            self.tweet_order: list[int] = []
            self.mention_index: dict[str, list[int]] = defaultdict(list)
            self.dm_events: list[DmEvent] = []
            self.people: dict[str, FbPerson] = {}
            self.people_by_psid: dict[str, FbPerson] = {}
            self.posts: dict[str, FbPost] = {}
            self.comments: dict[str, FbComment] = {}
            self.comments_by_post: dict[str, list[str]] = defaultdict(list)
            self.conversations: dict[str, FbConversation] = {}
            self.messages: dict[str, FbMessage] = {}
            for account in self.x_accounts.values():
                self._store_x_user(account)

    # --- ids -----------------------------------------------------------------------

    def _next_x_id(self) -> str:
        self._x_seq += 1
        return str(X_ID_BASE + self._x_seq * 4096)

    def _next_fb_object(self) -> str:
        self._fb_seq += 1
        return str(FB_OBJECT_BASE + self._fb_seq)

    def emit(self, event: str, payload: dict[str, Any]) -> None:
        for listener in list(self.listeners):
            listener(event, payload)

    # --- accounts ------------------------------------------------------------------

    def add_x_account(self, *, user_id: str, username: str, name: str = "", tokens: Iterable[str] = ()) -> XUser:
        with self.lock:
            user = XUser(id=str(user_id), username=username, name=name or username, followers=25_000, verified=True)
            self._store_x_user(user)
            self.x_accounts[user.id] = user
            for token in tokens:
                self.tokens[token] = ("x", user.id)
            return user

    def add_fb_page(self, *, page_id: str, name: str, tokens: Iterable[str] = (), app_secret: str = "") -> FbPage:
        with self.lock:
            page = FbPage(id=str(page_id), name=name, app_secret=app_secret)
            self.fb_pages[page.id] = page
            for token in tokens:
                self.tokens[token] = ("facebook", page.id)
            return page

    def account_for_token(self, token: str) -> tuple[str, str] | None:
        with self.lock:
            return self.tokens.get(token)

    # --- X users and posts ---------------------------------------------------------

    def _store_x_user(self, user: XUser) -> None:
        self.x_users[user.id] = user
        self.x_by_username[user.username.lower()] = user.id

    def x_user(
        self, *, user_id: str | None = None, username: str | None = None, name: str = "", followers: int | None = None
    ) -> XUser:
        """The user with this id or username, created when new."""
        with self.lock:
            if user_id and user_id in self.x_users:
                return self.x_users[user_id]
            if username and username.lower() in self.x_by_username:
                return self.x_users[self.x_by_username[username.lower()]]
            self._user_seq += 1
            user = XUser(
                id=str(user_id or X_USER_BASE + self._user_seq),
                username=username or f"customer{self._user_seq}",
                name=name or username or f"Customer {self._user_seq}",
                followers=followers if followers is not None else self.rng.choice([3, 12, 45, 160, 800, 2400, 15000]),
            )
            self._store_x_user(user)
            return user

    def x_user_by_username(self, username: str) -> XUser | None:
        with self.lock:
            user_id = self.x_by_username.get(username.lower())
            return self.x_users.get(user_id) if user_id else None

    def tweet_create(
        self,
        *,
        author_id: str,
        text: str,
        reply_to: str | None = None,
        created_at: dt.datetime | None = None,
        lang: str = "und",
        enforce_reply_rules: bool = False,
        source: str = "customer",
    ) -> Tweet:
        with self.lock:
            author = self.x_users[author_id]
            parent = self.tweets.get(reply_to) if reply_to else None
            if reply_to and (parent is None or parent.deleted):
                raise Refused("reply_target_gone",
                              "You attempted to reply to a Tweet that is deleted or not visible to you.")
            if enforce_reply_rules:
                self._check_reply_allowed(author, parent, text)
            tweet_id = self._next_x_id()
            tweet = Tweet(
                id=tweet_id,
                author_id=author.id,
                text=text,
                created_at=created_at or utcnow(),
                conversation_id=parent.conversation_id if parent else tweet_id,
                in_reply_to_user_id=parent.author_id if parent else None,
                replied_to=parent.id if parent else None,
                edit_history=[tweet_id],
                lang=lang,
                mentions=tuple(sorted({m.lower() for m in _MENTION.findall(text)})),
            )
            self._index_tweet(tweet)
            if parent is not None:
                parent.reply_count += 1
            self.emit("x_tweet", {"tweet": tweet.id, "source": source})
            return tweet

    def _check_reply_allowed(self, author: XUser, parent: Tweet | None, text: str) -> None:
        if any(t.author_id == author.id and t.text == text and t.visible for t in self._recent_tweets_by(author.id)):
            raise Refused("duplicate", "You are not allowed to create a Tweet with duplicate content.")
        if parent is None:
            return
        summoned = author.username.lower() in parent.mentions
        in_own_conversation = self.tweets.get(parent.conversation_id) is not None and (
            self.tweets[parent.conversation_id].author_id == author.id
        )
        if parent.author_id != author.id and not summoned and not in_own_conversation:
            raise Refused(
                "reply_not_allowed",
                "Reply to this conversation is not allowed because you have not been mentioned or otherwise "
                "engaged by the author of the post you are replying to.",
            )

    def _recent_tweets_by(self, author_id: str, limit: int = 200) -> list[Tweet]:
        found = []
        for number in reversed(self.tweet_order):
            tweet = self.tweets[str(number)]
            if tweet.author_id == author_id:
                found.append(tweet)
                if len(found) >= limit:
                    break
        return found

    def _index_tweet(self, tweet: Tweet) -> None:
        self.tweets[tweet.id] = tweet
        number = int(tweet.id)
        # Imported posts can be older than what exists; the indexes stay sorted.
        bisect.insort(self.tweet_order, number)
        for username in tweet.mentions:
            bisect.insort(self.mention_index[username], number)

    def tweet_edit(self, *, tweet_id: str, text: str) -> Tweet:
        """An edit makes a new post id; edit_history_tweet_ids[0] stays the original."""
        with self.lock:
            old = self.tweets[tweet_id]
            if old.superseded_by or old.deleted:
                raise Refused("not_found", "This post cannot be edited.")
            new_id = self._next_x_id()
            new = Tweet(
                id=new_id,
                author_id=old.author_id,
                text=text,
                created_at=utcnow(),
                conversation_id=old.conversation_id if old.conversation_id != old.id else old.edit_history[0],
                in_reply_to_user_id=old.in_reply_to_user_id,
                replied_to=old.replied_to,
                edit_history=[*old.edit_history, new_id],
                lang=old.lang,
                mentions=tuple(sorted({m.lower() for m in _MENTION.findall(text)})),
                like_count=old.like_count,
                reply_count=old.reply_count,
            )
            for version in old.edit_history:
                self.tweets[version].superseded_by = new_id
            self._index_tweet(new)
            self.emit("x_tweet", {"tweet": new.id, "source": "edit"})
            return new

    def tweet_delete(self, *, tweet_id: str) -> Tweet:
        with self.lock:
            tweet = self.tweets[tweet_id]
            for version in tweet.edit_history:
                self.tweets[version].deleted = True
            return tweet

    def tweet_hide(self, *, tweet_id: str, by_user: str, hidden: bool) -> Tweet:
        with self.lock:
            tweet = self.tweets.get(tweet_id)
            if tweet is None or tweet.deleted:
                raise Refused("not_found", f"Could not find tweet with id: [{tweet_id}].")
            root = self.tweets.get(tweet.conversation_id)
            if root is None or root.author_id != by_user or tweet.author_id == by_user:
                raise Refused("forbidden", "You can only hide or unhide replies to conversations you authored.")
            tweet.hidden = hidden
            return tweet

    def latest_version(self, tweet: Tweet) -> Tweet:
        while tweet.superseded_by:
            tweet = self.tweets[tweet.superseded_by]
        return tweet

    def mentions_of(self, user_id: str) -> list[Tweet]:
        """Visible posts mentioning the user, newest first, at most the 800 most recent."""
        with self.lock:
            user = self.x_users[user_id]
            numbers = self.mention_index.get(user.username.lower(), [])
            found: list[Tweet] = []
            for number in reversed(numbers):
                tweet = self.tweets[str(number)]
                if tweet.visible and tweet.author_id != user_id:
                    found.append(tweet)
                    if len(found) >= 800:
                        break
            return found

    def all_tweets_newest_first(self) -> list[Tweet]:
        with self.lock:
            return [self.tweets[str(number)] for number in reversed(self.tweet_order)]

    def tweets_in_conversation(self, conversation_id: str) -> list[Tweet]:
        with self.lock:
            return sorted(
                (t for t in self.tweets.values() if t.conversation_id == conversation_id and t.superseded_by is None),
                key=lambda t: int(t.id),
            )

    # --- X DMs ---------------------------------------------------------------------

    @staticmethod
    def dm_conversation_id(a: str, b: str) -> str:
        # Numeric order for ids of any length (X's rule: smaller id first).
        low, high = sorted((a, b), key=lambda value: (len(value), value))
        return f"{low}-{high}"

    def dm_send(self, *, sender_id: str, recipient_id: str, text: str, check_open: bool = False) -> DmEvent:
        with self.lock:
            recipient = self.x_users.get(recipient_id)
            if recipient is None:
                raise Refused("not_found", f"Could not find user with id: [{recipient_id}].")
            if check_open and not recipient.dms_open:
                raise Refused("dms_closed", "You cannot send messages to this user.")
            event = DmEvent(
                id=self._next_x_id(),
                conversation_id=self.dm_conversation_id(sender_id, recipient_id),
                sender_id=sender_id,
                text=text,
                created_at=utcnow(),
                participant_ids=(sender_id, recipient_id),
            )
            self.dm_events.append(event)
            self.emit("x_dm", {"event": event.id})
            return event

    def dm_events_for(self, user_id: str, conversation_id: str | None = None) -> list[DmEvent]:
        """Events the user can see, newest first (the last 30 days)."""
        with self.lock:
            cutoff = utcnow() - dt.timedelta(days=30)
            return [
                event
                for event in reversed(self.dm_events)
                if user_id in event.participant_ids
                and event.created_at >= cutoff
                and (conversation_id is None or event.conversation_id == conversation_id)
            ]

    # --- Facebook people and posts ----------------------------------------------------

    def fb_person(self, *, person_id: str | None = None, name: str = "", psid: str | None = None) -> FbPerson:
        with self.lock:
            if person_id and person_id in self.people:
                return self.people[person_id]
            if psid and psid in self.people_by_psid:
                return self.people_by_psid[psid]
            self._user_seq += 1
            person = FbPerson(
                id=str(person_id or FB_USER_BASE + self._user_seq),
                psid=str(psid or PSID_BASE + self._user_seq),
                name=name or f"Customer {self._user_seq}",
            )
            self.people[person.id] = person
            self.people_by_psid[person.psid] = person
            return person

    def _author(self, page_id: str, from_id: str | None, from_name: str = "") -> tuple[str, str]:
        page = self.fb_pages[page_id]
        if from_id is None or from_id == page.id:
            return page.id, page.name
        person = self.fb_person(person_id=from_id, name=from_name)
        return person.id, person.name

    def post_create(
        self,
        *,
        page_id: str,
        message: str,
        from_id: str | None = None,
        from_name: str = "",
        created_time: dt.datetime | None = None,
    ) -> FbPost:
        with self.lock:
            author_id, author_name = self._author(page_id, from_id, from_name)
            created = created_time or utcnow()
            post = FbPost(
                id=f"{page_id}_{self._next_fb_object()}",
                page_id=page_id,
                from_id=author_id,
                from_name=author_name,
                message=message,
                created_time=created,
                updated_time=created,
            )
            self.posts[post.id] = post
            self.emit("fb_post", {"post": post.id, "verb": "add"})
            return post

    def post_delete(self, *, post_id: str) -> FbPost:
        with self.lock:
            post = self.posts[post_id]
            post.deleted = True
            self.emit("fb_post", {"post": post.id, "verb": "remove"})
            return post

    def page_of_object(self, object_id: str) -> str | None:
        with self.lock:
            if object_id in self.posts:
                return self.posts[object_id].page_id
            if object_id in self.comments:
                return self.posts[self.comments[object_id].post_id].page_id
            return None

    def comment_create(
        self,
        *,
        target_id: str,
        message: str,
        from_id: str | None = None,
        from_name: str = "",
        created_time: dt.datetime | None = None,
        check_duplicate: bool = False,
    ) -> FbComment:
        """A comment on a post, or a reply to a comment (Facebook threads are two levels deep)."""
        with self.lock:
            if target_id in self.posts and not self.posts[target_id].deleted:
                post, parent = self.posts[target_id], None
            elif target_id in self.comments and not self.comments[target_id].deleted:
                parent = self.comments[target_id]
                if parent.parent_id is not None:
                    parent = self.comments[parent.parent_id]
                post = self.posts[parent.post_id]
                if post.deleted:
                    raise Refused("gone", target_id)
            else:
                raise Refused("gone", target_id)
            author_id, author_name = self._author(post.page_id, from_id, from_name)
            if check_duplicate:
                siblings = [
                    self.comments[cid]
                    for cid in self.comments_by_post[post.id][-50:]
                    if self.comments[cid].parent_id == (parent.id if parent else None)
                ]
                if any(c.from_id == author_id and c.message == message and not c.deleted for c in siblings):
                    raise Refused("duplicate", "Duplicate status message")
            created = created_time or utcnow()
            comment = FbComment(
                id=f"{post.id.split('_', 1)[1]}_{self._next_fb_object()}",
                post_id=post.id,
                parent_id=parent.id if parent else None,
                from_id=author_id,
                from_name=author_name,
                message=message,
                created_time=created,
                updated_time=created,
            )
            self.comments[comment.id] = comment
            self.comments_by_post[post.id].append(comment.id)
            if parent is not None:
                parent.replies += 1
            post.updated_time = max(post.updated_time, created)
            self.emit("fb_comment", {"comment": comment.id, "verb": "add"})
            return comment

    def comment_edit(self, *, comment_id: str, message: str) -> FbComment:
        with self.lock:
            comment = self.comments[comment_id]
            comment.message = message
            comment.updated_time = utcnow()
            self.posts[comment.post_id].updated_time = comment.updated_time
            self.emit("fb_comment", {"comment": comment.id, "verb": "edited"})
            return comment

    def comment_delete(self, *, comment_id: str) -> FbComment:
        with self.lock:
            comment = self.comments[comment_id]
            if not comment.deleted and comment.parent_id is not None:
                self.comments[comment.parent_id].replies -= 1
            comment.deleted = True
            comment.updated_time = utcnow()
            self.emit("fb_comment", {"comment": comment.id, "verb": "remove"})
            return comment

    def comment_hide(self, *, comment_id: str, hidden: bool) -> FbComment:
        with self.lock:
            comment = self.comments.get(comment_id)
            if comment is None or comment.deleted:
                raise Refused("gone", comment_id)
            comment.hidden = hidden
            self.emit("fb_comment", {"comment": comment.id, "verb": "hide" if hidden else "unhide"})
            return comment

    def comment_count(self, post_id: str, *, stream: bool) -> int:
        with self.lock:
            return sum(
                1
                for cid in self.comments_by_post.get(post_id, [])
                if not self.comments[cid].deleted and (stream or self.comments[cid].parent_id is None)
            )

    def reply_count(self, comment_id: str) -> int:
        with self.lock:
            return self.comments[comment_id].replies

    # --- Messenger -----------------------------------------------------------------

    def _conversation(self, page_id: str, person: FbPerson) -> FbConversation:
        for conversation in self.conversations.values():
            if conversation.page_id == page_id and conversation.psid == person.psid:
                return conversation
        conversation = FbConversation(
            id=f"t_{self._next_fb_object()}", page_id=page_id, psid=person.psid, name=person.name, updated_time=utcnow()
        )
        self.conversations[conversation.id] = conversation
        return conversation

    def customer_message(self, *, page_id: str, psid: str | None = None, name: str = "", text: str) -> FbMessage:
        """A customer writes to the Page in Messenger."""
        with self.lock:
            person = self.fb_person(psid=psid, name=name)
            conversation = self._conversation(page_id, person)
            message = self._add_message(conversation, from_user=True, text=text)
            conversation.last_user_message_at = message.created_time
            self.emit("fb_message", {"message": message.id, "conversation": conversation.id})
            return message

    def _add_message(self, conversation: FbConversation, *, from_user: bool, text: str) -> FbMessage:
        page = self.fb_pages[conversation.page_id]
        person = self.people_by_psid[conversation.psid]
        message = FbMessage(
            id=f"m_{self.rng.getrandbits(64):016x}{self._next_fb_object()}",
            conversation_id=conversation.id,
            from_id=person.psid if from_user else page.id,
            from_name=person.name if from_user else page.name,
            to_id=page.id if from_user else person.psid,
            to_name=page.name if from_user else person.name,
            text=text,
            created_time=utcnow(),
        )
        conversation.messages.append(message)
        conversation.updated_time = message.created_time
        self.messages[message.id] = message
        return message

    def page_message(
        self, *, page_id: str, recipient: dict[str, str], text: str, messaging_type: str, tag: str = ""
    ) -> FbMessage:
        """The Page sends: to a PSID inside the window, or one private reply to a comment or post."""
        with self.lock:
            now = utcnow()
            if "comment_id" in recipient or "post_id" in recipient:
                target_id = recipient.get("comment_id") or recipient.get("post_id") or ""
                author_id, _created = self._private_reply_target(page_id, target_id, now)
                person = self.people[author_id]
                conversation = self._conversation(page_id, person)
                message = self._add_message(conversation, from_user=False, text=text)
                return message
            psid = recipient.get("id", "")
            person = self.people_by_psid.get(psid)
            if person is None:
                raise Refused("no_user", "No matching user found")
            conversation = self._conversation(page_id, person)
            last = conversation.last_user_message_at
            if messaging_type == "MESSAGE_TAG" and tag == "HUMAN_AGENT":
                allowed = last is not None and now - last <= HUMAN_AGENT_WINDOW
            elif messaging_type in ("RESPONSE", "UPDATE"):
                allowed = last is not None and now - last <= MESSENGER_WINDOW
            else:
                allowed = False
            if not allowed:
                raise Refused("window", "(#10) This message is sent outside of allowed window.")
            return self._add_message(conversation, from_user=False, text=text)

    def _private_reply_target(self, page_id: str, target_id: str, now: dt.datetime) -> tuple[str, dt.datetime]:
        if target_id in self.comments and not self.comments[target_id].deleted:
            comment = self.comments[target_id]
            if comment.private_replied:
                raise Refused("private_reply_used", "(#10900) Activity already replied to")
            if now - comment.created_time > PRIVATE_REPLY_WINDOW or comment.from_id == page_id:
                raise Refused("private_reply_window", "(#10903) This activity can't be replied to")
            comment.private_replied = True
            return comment.from_id, comment.created_time
        if target_id in self.posts and not self.posts[target_id].deleted:
            post = self.posts[target_id]
            if now - post.created_time > PRIVATE_REPLY_WINDOW or post.from_id == page_id:
                raise Refused("private_reply_window", "(#10903) This activity can't be replied to")
            return post.from_id, post.created_time
        raise Refused("gone", target_id)

    def conversations_of(self, page_id: str) -> list[FbConversation]:
        with self.lock:
            return sorted(
                (c for c in self.conversations.values() if c.page_id == page_id),
                key=lambda c: (c.updated_time, c.id),
                reverse=True,
            )

    # --- importing what already exists (the inbox's items, when the sandbox restarts) ------

    def _bump(self, value: str, base: int, counter: str, step: int = 1) -> None:
        """Keep generated ids clear of an imported one."""
        digits = re.search(r"(\d+)$", value)
        if digits and int(digits.group(1)) >= base:
            setattr(self, counter, max(getattr(self, counter), (int(digits.group(1)) - base) // step + 1))

    def import_x_user(self, *, user_id: str, username: str, name: str = "", followers: int | None = None) -> XUser:
        with self.lock:
            if user_id in self.x_users:
                return self.x_users[user_id]
            user = XUser(id=user_id, username=username or f"user{user_id}", name=name or username,
                         followers=followers or 0)
            self._store_x_user(user)
            self._bump(user_id, X_USER_BASE, "_user_seq")
            return user

    def import_tweet(self, *, tweet_id: str, author_id: str, text: str, created_at: dt.datetime,
                     replied_to: str | None = None) -> Tweet | None:
        with self.lock:
            if tweet_id in self.tweets or not tweet_id.isdigit():
                return self.tweets.get(tweet_id)
            parent = self.tweets.get(replied_to) if replied_to else None
            tweet = Tweet(
                id=tweet_id, author_id=author_id, text=text, created_at=created_at,
                conversation_id=parent.conversation_id if parent else tweet_id,
                in_reply_to_user_id=parent.author_id if parent else None, replied_to=parent.id if parent else None,
                edit_history=[tweet_id], mentions=tuple(sorted({m.lower() for m in _MENTION.findall(text)})),
            )
            self._index_tweet(tweet)
            self._bump(tweet_id, X_ID_BASE, "_x_seq", 4096)
            return tweet

    def import_post(self, *, post_id: str, page_id: str, message: str, created_time: dt.datetime,
                    from_id: str | None = None, from_name: str = "") -> FbPost:
        with self.lock:
            if post_id in self.posts:
                return self.posts[post_id]
            author_id, author_name = self._author(page_id, from_id, from_name)
            post = FbPost(id=post_id, page_id=page_id, from_id=author_id, from_name=author_name, message=message,
                          created_time=created_time, updated_time=created_time)
            self.posts[post_id] = post
            self._bump(post_id, FB_OBJECT_BASE, "_fb_seq")
            return post

    def import_comment(self, *, comment_id: str, post_id: str, parent_id: str | None, from_id: str, from_name: str,
                       message: str, created_time: dt.datetime) -> FbComment | None:
        with self.lock:
            post = self.posts.get(post_id)
            if comment_id in self.comments or post is None:
                return self.comments.get(comment_id)
            if parent_id is not None and parent_id not in self.comments:
                parent_id = None
            if from_id != post.page_id:
                self.fb_person(person_id=from_id, name=from_name)
            comment = FbComment(id=comment_id, post_id=post_id, parent_id=parent_id, from_id=from_id,
                                from_name=from_name, message=message, created_time=created_time,
                                updated_time=created_time)
            self.comments[comment_id] = comment
            self.comments_by_post[post_id].append(comment_id)
            if parent_id is not None:
                self.comments[parent_id].replies += 1
            post.updated_time = max(post.updated_time, created_time)
            self._bump(comment_id, FB_OBJECT_BASE, "_fb_seq")
            return comment

    def import_message(self, *, message_id: str, page_id: str, psid: str, name: str, text: str,
                       created_time: dt.datetime, from_page: bool = False) -> FbMessage | None:
        with self.lock:
            if message_id in self.messages:
                return self.messages[message_id]
            person = self.fb_person(psid=psid, name=name)
            if person.psid != psid:
                return None
            conversation = self._conversation(page_id, person)
            page = self.fb_pages[page_id]
            message = FbMessage(
                id=message_id, conversation_id=conversation.id,
                from_id=page.id if from_page else psid, from_name=page.name if from_page else person.name,
                to_id=psid if from_page else page.id, to_name=person.name if from_page else page.name,
                text=text, created_time=created_time,
            )
            conversation.messages.append(message)
            conversation.messages.sort(key=lambda m: m.created_time)
            conversation.updated_time = max(conversation.updated_time, created_time)
            if not from_page:
                last = conversation.last_user_message_at
                conversation.last_user_message_at = max(last, created_time) if last else created_time
            self.messages[message_id] = message
            return message

    # --- summaries -----------------------------------------------------------------

    def summary(self) -> dict[str, Any]:
        with self.lock:
            return {
                "seed": self.seed,
                "x_accounts": sorted(self.x_accounts),
                "fb_pages": sorted(self.fb_pages),
                "tweets": len(self.tweets),
                "dm_events": len(self.dm_events),
                "posts": len(self.posts),
                "comments": len(self.comments),
                "conversations": len(self.conversations),
                "messages": len(self.messages),
            }

    def x_ids_between(self, numbers: list[int], since: int | None, until: int | None) -> list[int]:
        """The slice of an ascending id list strictly between since and until."""
        low = bisect.bisect_right(numbers, since) if since is not None else 0
        high = bisect.bisect_left(numbers, until) if until is not None else len(numbers)
        return numbers[low:high]
