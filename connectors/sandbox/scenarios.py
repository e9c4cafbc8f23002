"""Scenarios: customers writing to the brands, as on a normal day or in a storm.

``normal``: questions, complaints under marketing posts (also old ones), praise,
personal data posted in public, abuse and threats, DMs and Messenger, follow-ups to
our answers, the odd edit and deletion; in each account's languages, a few a minute.
``storm``: a crisis post published after hours, then hundreds of comments within minutes.
All content comes from the world's seeded random generator.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from typing import Any

from connectors.sandbox import phrases
from connectors.sandbox.world import Refused, World, utcnow

NORMAL_EVENTS = {
    "x_mention": 26,
    "x_keyword": 6,
    "x_dm": 6,
    "x_follow_up": 8,
    "fb_comment": 30,
    "fb_follow_up": 6,
    "fb_visitor_post": 4,
    "fb_message": 10,
    "edit": 2,
    "delete": 2,
}
STORM_TOPICS = {"outage": 45, "abuse": 14, "reminder": 12, "billing": 5, "personal_data": 6, "praise": 2}
PILE_ON = {
    "nl": ["Ik ook!", "Hier ook al de hele avond niks.", "Zelfde probleem in {place}.", "+1, nog altijd plat."],
    "fr": ["Moi aussi !", "Pareil ici à {place}.", "+1, toujours rien."],
    "en": ["Same here!", "Me too, nothing since this afternoon.", "+1, still down in {place}."],
    "da": ["Også her!", "Samme problem i {place}.", "+1, stadig nede."],
}
THANKS = {
    "nl": ["Bedankt, het werkt weer!", "Oké, dank je voor de snelle reactie.", "Nog altijd niet opgelost hoor."],
    "fr": ["Merci, ça remarche !", "D'accord, merci pour la réponse rapide.", "Toujours pas réglé..."],
    "en": ["Thanks, it works again!", "OK, thanks for the quick reply.", "Still not fixed though."],
    "da": ["Tak, det virker igen!", "Okay, tak for det hurtige svar.", "Stadig ikke løst."],
}
CRISIS_POST = {
    "nl": "We zijn op de hoogte van een storing in heel Vlaanderen. Onze technici werken eraan.",
    "fr": "Nous sommes au courant d'une panne en Wallonie. Nos techniciens sont sur le coup.",
    "en": "We are aware of an outage affecting customers. Our engineers are working on it.",
    "da": "Vi er opmærksomme på et nedbrud. Vores teknikere arbejder på det.",
}


@dataclass
class XTarget:
    user_id: str
    keywords: list[str]
    languages: list[str]
    customers: list[str] = field(default_factory=list)


@dataclass
class PageTarget:
    page_id: str
    languages: list[str]
    customers: list[str] = field(default_factory=list)


class ScenarioEngine:
    def __init__(self, world: World) -> None:
        self.world = world
        self.x_targets: dict[str, XTarget] = {}
        self.pages: dict[str, PageTarget] = {}
        self.thread: threading.Thread | None = None
        self.stop_event = threading.Event()
        self.state: dict[str, Any] = {"name": "off", "events": 0}
        self.answered: set[str] = set()

    # --- registration -----------------------------------------------------------------

    def register_x(self, user_id: str, *, keywords: list[str], languages: list[str]) -> None:
        self.x_targets[user_id] = XTarget(user_id, [k for k in keywords if k] or [], _languages(languages))

    def register_page(self, page_id: str, *, languages: list[str]) -> None:
        self.pages[page_id] = PageTarget(page_id, _languages(languages))

    # --- control ----------------------------------------------------------------------

    def describe(self) -> dict[str, Any]:
        return dict(self.state)

    def stop(self) -> None:
        self.stop_event.set()
        if self.thread is not None and self.thread is not threading.current_thread():
            self.thread.join(timeout=5)
        self.thread = None
        self.state = {**self.state, "name": "off"}

    def start(self, body: dict[str, Any]) -> dict[str, Any]:
        name = body.get("name", "normal")
        self.stop()
        self.stop_event = threading.Event()
        if name == "off":
            return self.describe()
        if name == "normal":
            rate = float(body.get("rate_per_minute", 6))
            burst = int(body.get("burst", 5))
            self.ensure_marketing_posts()
            self.state = {"name": "normal", "rate_per_minute": rate, "events": 0}
            target = self._run_normal
            args: tuple[Any, ...] = (rate, burst)
        elif name == "storm":
            page_id = str(body.get("page_id") or next(iter(self.pages), ""))
            if page_id not in self.pages:
                raise ValueError("the storm needs a registered Facebook page")
            count, minutes = int(body.get("count", 300)), float(body.get("minutes", 5))
            post = self.crisis_post(page_id)
            self.state = {"name": "storm", "page_id": page_id, "post_id": post, "count": count,
                          "minutes": minutes, "events": 0}
            if minutes <= 0:
                self._storm(page_id, post, count, 0.0)
                self.state["name"] = "done"
                return self.describe()
            target, args = self._storm, (page_id, post, count, minutes * 60 / max(count, 1))
        else:
            raise ValueError(f"unknown scenario {name!r}; normal, storm or off")
        self.thread = threading.Thread(target=target, args=args, name=f"sandbox-{name}", daemon=True)
        self.thread.start()
        return self.describe()

    # --- normal day ---------------------------------------------------------------------

    def ensure_marketing_posts(self) -> None:
        """Every page gets a recent marketing post and an old one (complaints land under both)."""
        with self.world.lock:
            for page in self.pages.values():
                own = [p for p in self.world.posts.values() if p.page_id == page.page_id and p.from_id == page.page_id]
                if own:
                    continue
                language = page.languages[0]
                texts = phrases.MARKETING_POSTS.get(language) or phrases.MARKETING_POSTS["en"]
                now = utcnow()
                old = now - dt.timedelta(days=45)
                self.world.post_create(page_id=page.page_id, message=texts[-1], created_time=old)
                self.world.post_create(page_id=page.page_id, message=texts[0], created_time=now - dt.timedelta(days=2))

    def _run_normal(self, rate: float, burst: int) -> None:
        for _ in range(burst):
            if self.stop_event.is_set():
                return
            self.step()
        while not self.stop_event.is_set():
            with self.world.lock:
                wait = self.world.rng.expovariate(rate / 60.0) if rate > 0 else 3600.0
            if self.stop_event.wait(min(wait, 120)):
                return
            self.step()

    def step(self, event: str | None = None) -> str:
        """One thing happens. Returns what (for the log and the tests)."""
        with self.world.lock:
            rng = self.world.rng
            choices = [name for name in NORMAL_EVENTS if self._possible(name)]
            if not choices:
                return "nothing"
            if event is None:
                event = rng.choices(choices, weights=[NORMAL_EVENTS[name] for name in choices])[0]
            try:
                done = getattr(self, f"_{event}")()
            except Refused:
                done = False
            self.state["events"] = self.state.get("events", 0) + 1
            self.state["last"] = event if done else f"{event} (skipped)"
            return event

    def _possible(self, name: str) -> bool:
        return bool(self.x_targets) if name.startswith("x_") else bool(self.pages) if name.startswith("fb_") else True

    def _phrase(self, languages: list[str], topic: str | None = None) -> phrases.Phrase:
        rng = self.world.rng
        return phrases.compose(rng, language=rng.choice(languages), topic=topic)

    def _customer_x(self, target: XTarget, name: str) -> str:
        rng = self.world.rng
        if target.customers and rng.random() < 0.3:
            return rng.choice(target.customers)
        first = name.split()[0].lower()
        user = self.world.x_user(username=f"{first}{rng.randint(10, 9999)}", name=name)
        target.customers.append(user.id)
        return user.id

    def _x_mention(self) -> bool:
        target = self.world.rng.choice(list(self.x_targets.values()))
        phrase = self._phrase(target.languages)
        handle = self.world.x_users[target.user_id].username
        author = self._customer_x(target, phrase.author_name)
        self.world.tweet_create(author_id=author, text=f"@{handle} {phrase.text}", lang=phrase.language)
        return True

    def _x_keyword(self) -> bool:
        targets = [t for t in self.x_targets.values() if t.keywords]
        if not targets:
            return False
        target = self.world.rng.choice(targets)
        phrase = self._phrase(target.languages)
        keyword = self.world.rng.choice(target.keywords)
        author = self._customer_x(target, phrase.author_name)
        self.world.tweet_create(author_id=author, text=f"{keyword.title()}: {phrase.text}", lang=phrase.language)
        return True

    def _x_dm(self) -> bool:
        target = self.world.rng.choice(list(self.x_targets.values()))
        phrase = self._phrase(target.languages)
        author = self._customer_x(target, phrase.author_name)
        self.world.dm_send(sender_id=author, recipient_id=target.user_id, text=phrase.text)
        return True

    def _x_follow_up(self) -> bool:
        """A customer answers the brand's reply (X puts the @mention in front)."""
        for tweet in self.world.all_tweets_newest_first()[:300]:
            if tweet.author_id in self.x_targets and tweet.replied_to and tweet.id not in self.answered:
                parent = self.world.tweets.get(tweet.replied_to)
                if parent is None or parent.author_id in self.x_targets:
                    continue
                self.answered.add(tweet.id)
                target = self.x_targets[tweet.author_id]
                language = self.world.rng.choice(target.languages)
                text = self.world.rng.choice(THANKS[language])
                handle = self.world.x_users[tweet.author_id].username
                self.world.tweet_create(author_id=parent.author_id, text=f"@{handle} {text}", reply_to=tweet.id,
                                        lang=language)
                return True
        return False

    def _customer_fb(self, page: PageTarget, name: str) -> str:
        rng = self.world.rng
        if page.customers and rng.random() < 0.25:
            return rng.choice(page.customers)
        person = self.world.fb_person(name=name)
        page.customers.append(person.id)
        return person.id

    def _page_posts(self, page_id: str) -> list[str]:
        return [p.id for p in self.world.posts.values() if p.page_id == page_id and not p.deleted]

    def _fb_comment(self) -> bool:
        page = self.world.rng.choice(list(self.pages.values()))
        posts = self._page_posts(page.page_id)
        if not posts:
            self.ensure_marketing_posts()
            posts = self._page_posts(page.page_id)
        phrase = self._phrase(page.languages)
        author = self._customer_fb(page, phrase.author_name)
        self.world.comment_create(target_id=self.world.rng.choice(posts), message=phrase.text, from_id=author)
        return True

    def _fb_follow_up(self) -> bool:
        for comment in reversed(list(self.world.comments.values())[-300:]):
            post = self.world.posts[comment.post_id]
            if comment.from_id != post.page_id or comment.parent_id is None or comment.id in self.answered:
                continue
            parent = self.world.comments[comment.parent_id]
            if parent.deleted or parent.from_id == post.page_id:
                continue
            self.answered.add(comment.id)
            page = self.pages.get(post.page_id)
            language = self.world.rng.choice(page.languages if page else ["en"])
            self.world.comment_create(target_id=parent.id, message=self.world.rng.choice(THANKS[language]),
                                      from_id=parent.from_id)
            return True
        return False

    def _fb_visitor_post(self) -> bool:
        page = self.world.rng.choice(list(self.pages.values()))
        phrase = self._phrase(page.languages)
        author = self._customer_fb(page, phrase.author_name)
        self.world.post_create(page_id=page.page_id, message=phrase.text, from_id=author)
        return True

    def _fb_message(self) -> bool:
        rng = self.world.rng
        page = rng.choice(list(self.pages.values()))
        language = rng.choice(page.languages)
        # Someone who got a private reply answers it, or a new customer writes in.
        for conversation in self.world.conversations_of(page.page_id):
            last = conversation.messages[-1] if conversation.messages else None
            if last is not None and last.from_id == page.page_id and conversation.id not in self.answered:
                self.answered.add(conversation.id)
                text = phrases.compose(rng, language=language, topic="personal_data").text
                self.world.customer_message(page_id=page.page_id, psid=conversation.psid, text=text)
                return True
        phrase = phrases.compose(rng, language=language)
        person = self.world.fb_person(person_id=self._customer_fb(page, phrase.author_name))
        self.world.customer_message(page_id=page.page_id, psid=person.psid, text=phrase.text)
        return True

    def _edit(self) -> bool:
        customer_comments = [c for c in list(self.world.comments.values())[-50:]
                             if not c.deleted and c.from_id != self.world.posts[c.post_id].page_id]
        if not customer_comments:
            return False
        comment = self.world.rng.choice(customer_comments)
        self.world.comment_edit(comment_id=comment.id, message=comment.message + " (edit: still waiting)")
        return True

    def _delete(self) -> bool:
        customer_comments = [c for c in list(self.world.comments.values())[-50:]
                             if not c.deleted and c.from_id != self.world.posts[c.post_id].page_id]
        if not customer_comments:
            return False
        self.world.comment_delete(comment_id=self.world.rng.choice(customer_comments).id)
        return True

    # --- storm --------------------------------------------------------------------------

    def crisis_post(self, page_id: str) -> str:
        """Published at 16:54, just as customer service closed (the article's story)."""
        page = self.pages[page_id]
        now = dt.datetime.now().astimezone()
        at = now.replace(hour=16, minute=54, second=0, microsecond=0)
        if at > now:
            at -= dt.timedelta(days=1)
        post = self.world.post_create(page_id=page_id, message=CRISIS_POST.get(page.languages[0], CRISIS_POST["en"]),
                                      created_time=at.astimezone(dt.UTC))
        return post.id

    def storm_comment(self, page_id: str, post_id: str) -> None:
        rng = self.world.rng
        page = self.pages[page_id]
        language = rng.choice(page.languages)
        if rng.random() < 0.18:
            text = rng.choice(PILE_ON[language]).format(place=rng.choice(phrases.PLACES[language]))
            name = rng.choice(phrases.NAMES[language])
        else:
            topic = rng.choices(list(STORM_TOPICS), weights=list(STORM_TOPICS.values()))[0]
            phrase = phrases.compose(rng, language=language, topic=topic)
            text, name = phrase.text, phrase.author_name
        author = self._customer_fb(page, name)
        self.world.comment_create(target_id=post_id, message=text, from_id=author)
        self.state["events"] = self.state.get("events", 0) + 1

    def _storm(self, page_id: str, post_id: str, count: int, interval: float) -> None:
        for _ in range(count):
            if self.stop_event.is_set():
                return
            with self.world.lock:
                self.storm_comment(page_id, post_id)
            if interval and self.stop_event.wait(interval):
                return
        self.state["name"] = "done"


def _languages(languages: list[str]) -> list[str]:
    chosen = [lang for lang in languages if lang in phrases.LANGUAGES]
    return chosen or ["en"]
