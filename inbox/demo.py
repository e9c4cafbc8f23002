"""Demo data: five brands, two teams, a user for every role, and a few hundred mentions.

Mentions go through the real ingest service, so the demo inbox is what the
connectors would have produced. Loading twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from connectors.base import RemoteAuthor, RemoteMessage, RemotePost
from connectors.sandbox.phrases import MARKETING_POSTS, compose
from inbox.models import (
    Brand,
    BrandText,
    BrandTextKind,
    Category,
    ConductPolicy,
    Membership,
    Mention,
    Platform,
    Role,
    SocialAccount,
    Team,
    User,
)
from inbox.services import mentions as mention_services
from inbox.services.ingest import messages_ingest

DEMO_PASSWORD = "webcare-demo"  # noqa: S105 - printed on purpose, demo only


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    language: str
    time_zone: str
    team: str | None
    role: str | None
    superuser: bool = False


USERS = [
    DemoUser("admin", "Amir", "Admin", "en", "Europe/Brussels", None, None, superuser=True),
    DemoUser("lea", "Lea", "Lemmens", "nl", "Europe/Brussels", "webcare-be", Role.LEAD),
    DemoUser("ana", "Ana", "Vermeulen", "nl", "Europe/Brussels", "webcare-be", Role.AGENT),
    DemoUser("bram", "Bram", "Claes", "nl", "Europe/Brussels", "webcare-be", Role.AGENT),
    DemoUser("chloe", "Chloé", "Dumont", "fr", "Europe/Brussels", "webcare-be", Role.AGENT),
    DemoUser("sam", "Sam", "Reid", "en", "Europe/Brussels", "webcare-be", Role.AGENT),
    DemoUser("mads", "Mads", "Holm", "da", "Europe/Copenhagen", "kundeservice-dk", Role.LEAD),
    DemoUser("lise", "Lise", "Møller", "da", "Europe/Copenhagen", "kundeservice-dk", Role.AGENT),
]

TEAMS = {"webcare-be": "Webcare België", "kundeservice-dk": "Kundeservice Danmark"}

# (slug, name, default language, languages customers write in, team)
BRANDS = [
    ("telvio", "Telvio", "nl", ("nl", "nl", "fr", "en"), "webcare-be"),
    ("telvio-business", "Telvio Business", "nl", ("nl", "fr", "en"), "webcare-be"),
    ("kwik", "Kwik", "nl", ("nl", "fr"), "webcare-be"),
    ("kwik-more", "Kwik More", "fr", ("fr", "nl"), "webcare-be"),
    ("fjordtel", "Fjordtel", "da", ("da",), "kundeservice-dk"),
]

# (brand slug, platform, external id, handle)
ACCOUNTS = [
    ("telvio", Platform.FACEBOOK, "100100", "Telvio"),
    ("telvio", Platform.X, "2001", "telvio"),
    ("telvio-business", Platform.X, "2002", "telviobusiness"),
    ("kwik", Platform.FACEBOOK, "100200", "Kwik"),
    ("kwik", Platform.X, "2003", "kwik_be"),
    ("kwik-more", Platform.FACEBOOK, "100300", "Kwik More"),
    ("fjordtel", Platform.FACEBOOK, "100400", "Fjordtel"),
    ("fjordtel", Platform.X, "2004", "fjordtel"),
]

CATEGORIES = ["Outage", "Billing", "Moving house", "TV", "Sales question", "Praise", "Technical question",
              "Abuse", "Personal data", "Other"]

POINTERS = {
    "nl": "We hebben je een privébericht gestuurd, dan bekijken we het samen verder.",
    "fr": "Nous vous avons envoyé un message privé pour examiner cela ensemble.",
    "en": "We've sent you a private message so we can look into this together.",
    "da": "Vi har sendt dig en privat besked, så vi kan se på det sammen.",
}
HOUSE_RULES = {
    "nl": "We helpen je graag, maar houden het hier respectvol. Onze huisregels: https://example.com/huisregels",
    "fr": "Nous vous aidons volontiers, dans le respect. Nos règles : https://example.com/regles",
    "en": "We're glad to help, and we keep it respectful here. Our house rules: https://example.com/house-rules",
    "da": "Vi hjælper gerne, men vi holder en respektfuld tone. Vores husregler: https://example.com/husregler",
}


def load(*, mentions: int = 300, seed: int = 7, sandbox_url: str = "") -> list[DemoUser]:
    """Create the demo world; returns the users to print. Safe to run again."""
    with transaction.atomic():
        teams = {slug: Team.objects.get_or_create(slug=slug, defaults={"name": name})[0] for slug, name in TEAMS.items()}
        for user in USERS:
            _ensure_user(user, teams)
        brands = {}
        for slug, name, language, _languages, _team in BRANDS:
            brand, _ = Brand.objects.get_or_create(slug=slug, defaults={"name": name, "default_language": language})
            brands[slug] = brand
            for lang in POINTERS:
                BrandText.objects.get_or_create(
                    brand=brand, kind=BrandTextKind.PRIVATE_POINTER, language=lang, defaults={"text": POINTERS[lang]}
                )
                BrandText.objects.get_or_create(
                    brand=brand, kind=BrandTextKind.HOUSE_RULES, language=lang, defaults={"text": HOUSE_RULES[lang]}
                )
        team_of = {slug: teams[team] for slug, _n, _l, _ls, team in BRANDS}
        for brand_slug, platform, external_id, handle in ACCOUNTS:
            account, created = SocialAccount.objects.get_or_create(
                platform=platform,
                external_id=external_id,
                defaults={
                    "brand": brands[brand_slug],
                    "team": team_of[brand_slug],
                    "handle": handle,
                    "keywords": [brands[brand_slug].name.lower()] if platform == Platform.X else [],
                    "poll_interval_seconds": 10,
                },
            )
            if sandbox_url and (created or account.api_base_url != sandbox_url):
                account.api_base_url = sandbox_url
                account.set_credentials(_sandbox_credentials(platform, external_id))
                account.save()
        for name in CATEGORIES:
            Category.objects.get_or_create(name=name)
        abuse = Category.objects.get(name="Abuse")
        for brand in brands.values():
            ConductPolicy.objects.get_or_create(brand=brand, defaults={"close_category": abuse})
    if not Mention.objects.exists() and mentions:
        _load_mentions(count=mentions, rng=random.Random(seed))
    return USERS


def _sandbox_credentials(platform: str, external_id: str) -> dict[str, str]:
    if platform == Platform.X:
        return {
            "bearer_token": f"sandbox-bearer-{external_id}",
            "consumer_key": "sandbox-consumer-key",
            "consumer_secret": "sandbox-consumer-secret",
            "access_token": f"sandbox-access-{external_id}",
            "access_token_secret": "sandbox-access-secret",
        }
    return {"page_access_token": f"sandbox-page-token-{external_id}", "app_secret": "sandbox-app-secret"}


def _ensure_user(spec: DemoUser, teams: dict[str, Team]) -> None:
    user, created = User.objects.get_or_create(
        username=spec.username,
        defaults={
            "first_name": spec.first_name,
            "last_name": spec.last_name,
            "language": spec.language,
            "time_zone": spec.time_zone,
            "email": f"{spec.username}@example.com",
            "is_staff": spec.superuser,
            "is_superuser": spec.superuser,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    if spec.team:
        Membership.objects.get_or_create(team=teams[spec.team], user=user, defaults={"role": spec.role})


def _load_mentions(*, count: int, rng: random.Random) -> None:
    now = timezone.now()
    languages = {slug: langs for slug, _n, _l, langs, _t in BRANDS}
    accounts = list(SocialAccount.objects.select_related("brand").order_by("id"))
    sequence = iter(range(1, 10_000_000))
    for account in accounts:
        share = max(1, count // len(accounts))
        brand_languages = languages.get(account.brand.slug, ("en",))
        posts = [
            RemotePost(
                platform_id=f"{account.external_id}_{9000 + index}",
                text=MARKETING_POSTS[lang][index % len(MARKETING_POSTS[lang])],
                author_name=account.handle,
                is_own=True,
                posted_at=now - dt.timedelta(days=4),
            )
            for index, lang in enumerate(brand_languages)
        ]
        items = []
        for _ in range(share):
            language = rng.choice(brand_languages)
            phrase = compose(rng, language=language)
            posted_at = now - dt.timedelta(minutes=rng.randint(1, 72 * 60))
            author_id = f"{account.platform}-{rng.randint(1, 400)}"
            number = next(sequence)
            author = RemoteAuthor(
                platform_id=author_id,
                handle=phrase.author_name.split()[0].lower() + str(rng.randint(1, 99)),
                name=phrase.author_name,
                follower_count=rng.choice([3, 12, 45, 160, 800, 2400, 15000]),
            )
            roll = rng.random()
            if account.platform == Platform.FACEBOOK:
                post = rng.choice(posts)
                kind, context, platform_id = "comment", post, f"{post.platform_id}_{number}"
                thread_id = ""
                if roll < 0.12:
                    kind, context, platform_id, thread_id = "private", None, f"m_{account.external_id}_{number}", f"t_{author_id}"
            else:
                kind, context, platform_id, thread_id = "mention", None, str(1_600_000_000_000_000_000 + number), ""
                if roll < 0.1:
                    kind = "keyword"
                elif roll < 0.18:
                    kind, platform_id, thread_id = "private", f"dm{number}", f"{account.external_id}-{author_id}"
            text = phrase.text if kind != "mention" else f"@{account.handle} {phrase.text}"
            items.append(
                RemoteMessage(
                    platform_id=platform_id,
                    kind=kind,
                    text=text,
                    posted_at=posted_at,
                    author=author,
                    thread_id=thread_id,
                    context_post=context,
                    language=language if account.platform == Platform.X else "",
                    public_reply_allowed=kind != "keyword",
                    like_count=rng.choice([0, 0, 1, 3, 12]),
                )
            )
        messages_ingest(account_id=account.pk, items=items)
    _work_some()


def _work_some() -> None:
    """Some mentions are already being worked on, as in any inbox at 10 a.m."""
    agents = {user.username: user for user in User.objects.filter(username__in=["ana", "bram", "chloe", "lise"])}
    closed_category = Category.objects.get(name="Outage")
    for username, user in agents.items():
        for _ in range(3):
            mention = mention_services.mention_claim_next(user=user)
            if mention is None:
                break
        if username in ("ana", "lise"):
            claimed = Mention.objects.filter(assignee=user).order_by("id").first()
            if claimed is not None:
                mention_services.mention_close(user=user, mention_id=claimed.pk, category_id=closed_category.pk)
