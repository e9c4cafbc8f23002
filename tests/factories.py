from __future__ import annotations

import datetime as dt
import itertools

import factory
from django.utils import timezone

from connectors.base import RemoteAuthor, RemoteMessage, RemotePost
from inbox import models as m

_ids = itertools.count(10_000)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"agent{n}")
    first_name = factory.Sequence(lambda n: f"Agent{n}")
    password = factory.django.Password("correct horse battery")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Team

    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.Sequence(lambda n: f"team-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Membership

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory)
    role = m.Role.AGENT


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Brand

    name = factory.Sequence(lambda n: f"Brand {n}")
    slug = factory.Sequence(lambda n: f"brand-{n}")
    default_language = "nl"


class SocialAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.SocialAccount

    brand = factory.SubFactory(BrandFactory)
    team = factory.SubFactory(TeamFactory)
    platform = m.Platform.X
    external_id = factory.Sequence(lambda n: str(900_000 + n))
    handle = factory.Sequence(lambda n: f"brand{n}")


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Category
        django_get_or_create = ("name",)

    name = "Question answered"


def agent_in(team: m.Team, *, role: str = m.Role.AGENT, **user_fields: object) -> m.User:
    user = UserFactory(**user_fields)
    MembershipFactory(team=team, user=user, role=role)
    return user


def remote_message(
    *,
    platform_id: str | None = None,
    text: str = "Mijn internet doet het al twee dagen niet",
    kind: str = "mention",
    author_id: str = "555",
    posted_at: dt.datetime | None = None,
    **fields: object,
) -> RemoteMessage:
    return RemoteMessage(
        platform_id=platform_id or str(next(_ids)),
        kind=kind,  # type: ignore[arg-type]
        text=text,
        posted_at=posted_at or timezone.now() - dt.timedelta(minutes=5),
        author=RemoteAuthor(platform_id=author_id, handle=f"user{author_id}", name=f"User {author_id}", follower_count=12),
        **fields,  # type: ignore[arg-type]
    )


def remote_post(platform_id: str = "page_1", text: str = "Our new summer deal!") -> RemotePost:
    return RemotePost(platform_id=platform_id, text=text, author_name="Brand", is_own=True)


def mention_for(account: m.SocialAccount, **message_fields: object) -> m.Mention:
    """A new mention as ingest creates it."""
    from inbox.services.ingest import messages_ingest

    report = messages_ingest(account_id=account.pk, items=[remote_message(**message_fields)])
    return m.Mention.objects.get(pk=report.new_mention_ids[0])
