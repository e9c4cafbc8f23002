"""What the customer sees: a plain public page per thread, our replies included.

Every piece of customer text goes through ``html.escape``: it is hostile input. The
pages carry no script at all, and a CSP that says so.
"""

from __future__ import annotations

import re
from html import escape
from urllib.parse import quote

from connectors.sandbox.http import Reply, Request
from connectors.sandbox.world import DmEvent, FbComment, Tweet, World

CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; "
       "frame-ancestors 'none'")
CSS = """
body{font:15px/1.45 system-ui,sans-serif;max-width:46rem;margin:1.5rem auto;padding:0 1rem;color:#1c1e21}
a{color:#1b5fc1} h1{font-size:1.3rem} h2{font-size:1.05rem;margin-top:1.6rem}
.item{border:1px solid #dadde1;border-radius:8px;padding:.6rem .8rem;margin:.5rem 0;background:#fff}
.brand{background:#eef5ff;border-color:#9cc2f5}.reply{margin-left:2rem}.gone{color:#8a8d91;font-style:italic}
.meta{color:#65676b;font-size:.85rem}.hidden{opacity:.6}.tag{font-size:.75rem;border-radius:4px;padding:0 .3rem;
background:#e4e6eb;margin-left:.3rem} p.text{margin:.25rem 0;white-space:pre-wrap} nav{margin-bottom:1rem}
"""


def _page(title: str, body: str) -> Reply:
    html = (
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{escape(title)} · sandbox</title><link rel=\"stylesheet\" href=\"/_sandbox/static/sandbox.css\">"
        f"</head><body><nav><a href=\"/_sandbox/\">Sandbox platform</a></nav><h1>{escape(title)}</h1>{body}"
        "</body></html>"
    )
    reply = Reply.html(200, html)
    reply.headers["Content-Security-Policy"] = CSP
    return reply


def _not_found(what: str) -> Reply:
    reply = _page("Not found", f"<p>{escape(what)} does not exist (or was deleted).</p>")
    reply.status = 404
    return reply


def _text(value: str) -> str:
    return f'<p class="text" dir="auto">{escape(value)}</p>'


def _when(value) -> str:  # type: ignore[no-untyped-def]
    return escape(value.strftime("%Y-%m-%d %H:%M UTC"))


class Pages:
    def __init__(self, world: World) -> None:
        self.world = world
        self.routes = [
            (re.compile(r"^/(?:_sandbox/?)?$"), self.index),
            (re.compile(r"^/_sandbox/static/sandbox\.css$"), self.css),
            (re.compile(r"^/_sandbox/x/accounts/(\d+)$"), self.x_account),
            (re.compile(r"^/_sandbox/x/conversations/(\d+)$"), self.x_conversation),
            (re.compile(r"^/_sandbox/x/status/(\d+)$"), self.x_status),
            (re.compile(r"^/\w{1,15}/status/(\d+)$"), self.x_status),
            (re.compile(r"^/_sandbox/x/dm/([\d-]+)$"), self.x_dm),
            (re.compile(r"^/_sandbox/facebook/pages/(\d+)$"), self.fb_page),
            (re.compile(r"^/_sandbox/facebook/posts/(\w+)$"), self.fb_post),
            (re.compile(r"^/_sandbox/messenger/(t_\d+)$"), self.messenger),
        ]

    def handle(self, request: Request) -> Reply | None:
        if request.method != "GET":
            return None
        for pattern, handler in self.routes:
            match = pattern.match(request.path)
            if match:
                with self.world.lock:
                    return handler(request, *match.groups())
        return None

    def css(self, request: Request) -> Reply:
        return Reply(200, CSS.encode(), "text/css; charset=utf-8", {"Cache-Control": "max-age=300"})

    def index(self, request: Request) -> Reply:
        world = self.world
        parts = ["<p>A local stand-in for X and Facebook. Webcare's connectors talk to it as to the real "
                 "platforms; these pages show what customers see.</p>", "<h2>X accounts</h2><ul>"]
        for user_id, user in sorted(world.x_accounts.items()):
            parts.append(f'<li><a href="/_sandbox/x/accounts/{escape(user_id)}">@{escape(user.username)}</a></li>')
        parts.append("</ul><h2>Facebook Pages</h2><ul>")
        for page_id, page in sorted(world.fb_pages.items()):
            parts.append(f'<li><a href="/_sandbox/facebook/pages/{escape(page_id)}">{escape(page.name)}</a></li>')
        summary = world.summary()
        parts.append(
            f"</ul><p class=\"meta\">{summary['tweets']} posts on X, {summary['dm_events']} DMs, "
            f"{summary['posts']} Facebook posts, {summary['comments']} comments, {summary['messages']} Messenger "
            "messages. Control API: <code>/_sandbox/state</code>, <code>/_sandbox/requests</code>.</p>"
        )
        return _page("Sandbox platform", "".join(parts))

    # --- X ----------------------------------------------------------------------------

    def _tweet(self, tweet: Tweet, *, link: bool = False) -> str:
        author = self.world.x_users.get(tweet.author_id)
        brand = tweet.author_id in self.world.x_accounts
        name = f"{author.name} @{author.username}" if author else tweet.author_id
        classes = ["item"] + (["brand"] if brand else []) + (["reply"] if tweet.replied_to else [])
        tags = ""
        if tweet.hidden:
            classes.append("hidden")
            tags += '<span class="tag">hidden reply</span>'
        if len(tweet.edit_history) > 1:
            tags += '<span class="tag">edited</span>'
        if brand:
            tags += '<span class="tag">brand</span>'
        body = '<p class="gone">This post was deleted.</p>' if tweet.deleted else _text(tweet.text)
        when = f'<a href="/_sandbox/x/conversations/{escape(tweet.conversation_id)}#t-{escape(tweet.id)}">' \
               f"{_when(tweet.created_at)}</a>" if link else _when(tweet.created_at)
        return (f'<div class="{" ".join(classes)}" id="t-{escape(tweet.id)}"><div class="meta">'
                f'<bdi>{escape(name)}</bdi> · {when}{tags}</div>{body}</div>')

    def x_account(self, request: Request, user_id: str) -> Reply:
        user = self.world.x_accounts.get(user_id)
        if user is None:
            return _not_found("This account")
        roots: dict[str, Tweet] = {}
        for tweet in self.world.all_tweets_newest_first():
            if tweet.superseded_by is None and (user.username.lower() in tweet.mentions or tweet.author_id == user_id):
                roots.setdefault(tweet.conversation_id, tweet)
            if len(roots) >= 50:
                break
        items = [self._tweet(t, link=True) for t in roots.values()]
        dms = {e.conversation_id for e in self.world.dm_events_for(user_id)}
        dm_links = "".join(f'<li><a href="/_sandbox/x/dm/{escape(c)}">{escape(c)}</a></li>' for c in sorted(dms))
        return _page(f"@{user.username} on X", "<h2>Latest conversations</h2>" + "".join(items)
                     + f"<h2>Direct messages</h2><ul>{dm_links}</ul>")

    def x_conversation(self, request: Request, conversation_id: str) -> Reply:
        tweets = self.world.tweets_in_conversation(conversation_id)
        if not tweets:
            return _not_found("This conversation")
        return _page("Conversation on X", "".join(self._tweet(t) for t in tweets))

    def x_status(self, request: Request, tweet_id: str) -> Reply:
        tweet = self.world.tweets.get(tweet_id)
        if tweet is None:
            return _not_found("This post")
        tweet = self.world.latest_version(tweet)
        reply = Reply(302, b"", "text/plain; charset=utf-8")
        reply.headers["Location"] = f"/_sandbox/x/conversations/{quote(tweet.conversation_id)}#t-{quote(tweet.id)}"
        return reply

    def _dm(self, event: DmEvent) -> str:
        author = self.world.x_users.get(event.sender_id)
        brand = event.sender_id in self.world.x_accounts
        name = f"{author.name} @{author.username}" if author else event.sender_id
        return (f'<div class="item{" brand" if brand else ""}"><div class="meta"><bdi>{escape(name)}</bdi> · '
                f"{_when(event.created_at)}</div>{_text(event.text)}</div>")

    def x_dm(self, request: Request, conversation_id: str) -> Reply:
        events = [e for e in self.world.dm_events if e.conversation_id == conversation_id]
        if not events:
            return _not_found("This conversation")
        return _page("Direct messages on X", "".join(self._dm(e) for e in events))

    # --- Facebook -----------------------------------------------------------------------

    def fb_page(self, request: Request, page_id: str) -> Reply:
        page = self.world.fb_pages.get(page_id)
        if page is None:
            return _not_found("This Page")
        posts = sorted((p for p in self.world.posts.values() if p.page_id == page_id and not p.deleted),
                       key=lambda p: p.created_time, reverse=True)
        items = []
        for post in posts[:50]:
            count = self.world.comment_count(post.id, stream=True)
            items.append(f'<div class="item{" brand" if post.from_id == page_id else ""}"><div class="meta">'
                         f"<bdi>{escape(post.from_name)}</bdi> · {_when(post.created_time)} · "
                         f'<a href="/_sandbox/facebook/posts/{escape(post.id)}">{count} comments</a></div>'
                         f"{_text(post.message)}</div>")
        conversations = "".join(
            f'<li><a href="/_sandbox/messenger/{escape(c.id)}"><bdi>{escape(c.name)}</bdi></a></li>'
            for c in self.world.conversations_of(page_id)[:50]
        )
        return _page(page.name, "".join(items) + f"<h2>Messenger</h2><ul>{conversations}</ul>")

    def _comment(self, comment: FbComment, page_id: str) -> str:
        brand = comment.from_id == page_id
        classes = ["item"] + (["brand"] if brand else []) + (["reply"] if comment.parent_id else [])
        tags = '<span class="tag">Page</span>' if brand else ""
        if comment.hidden:
            classes.append("hidden")
            tags += '<span class="tag">hidden: only the author and their friends see it</span>'
        if comment.updated_time != comment.created_time:
            tags += '<span class="tag">edited</span>'
        return (f'<div class="{" ".join(classes)}" id="c-{escape(comment.id)}"><div class="meta">'
                f"<bdi>{escape(comment.from_name)}</bdi> · {_when(comment.created_time)}{tags}</div>"
                f"{_text(comment.message)}</div>")

    def fb_post(self, request: Request, post_id: str) -> Reply:
        post = self.world.posts.get(post_id)
        if post is None or post.deleted:
            return _not_found("This post")
        comments = [self.world.comments[cid] for cid in self.world.comments_by_post.get(post_id, [])]
        visible = [c for c in comments if not c.deleted]
        parts = [f'<div class="item{" brand" if post.from_id == post.page_id else ""}"><div class="meta">'
                 f"<bdi>{escape(post.from_name)}</bdi> · {_when(post.created_time)}</div>{_text(post.message)}</div>",
                 f"<h2>{len(visible)} comments</h2>"]
        for comment in sorted((c for c in visible if c.parent_id is None), key=lambda c: c.created_time):
            parts.append(self._comment(comment, post.page_id))
            for reply in sorted((c for c in visible if c.parent_id == comment.id), key=lambda c: c.created_time):
                parts.append(self._comment(reply, post.page_id))
        return _page("Post on Facebook", "".join(parts))

    def messenger(self, request: Request, conversation_id: str) -> Reply:
        conversation = self.world.conversations.get(conversation_id)
        if conversation is None:
            return _not_found("This conversation")
        parts = [
            f'<div class="item{" brand" if m.from_id == conversation.page_id else ""}"><div class="meta">'
            f"<bdi>{escape(m.from_name)}</bdi> · {_when(m.created_time)}</div>{_text(m.text)}</div>"
            for m in conversation.messages
        ]
        return _page(f"Messenger: {conversation.name}", "".join(parts))
