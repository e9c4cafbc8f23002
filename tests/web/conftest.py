import pytest

from inbox.services import mentions as mention_services
from tests.factories import mention_for, remote_message, remote_post
from tests.inbox.conftest import (  # noqa: F401 - the domain fixtures, shared
    agent,
    brand,
    category,
    fb_account,
    lead,
    other_agent,
    other_team,
    outsider,
    team,
    x_account,
)


@pytest.fixture
def mention(x_account):
    return mention_for(x_account, platform_id="7001", author_id="501", text="Mijn internet ligt plat sinds gisteren")


@pytest.fixture
def claimed(mention, agent):
    mention_services.mention_claim(user=agent, mention_id=mention.pk)
    return mention


@pytest.fixture
def fb_comment(fb_account):
    return mention_for(
        fb_account,
        platform_id="1001_2002",
        author_id="fb-77",
        kind="comment",
        text="Waarom is mijn factuur zo hoog?",
        context_post=remote_post("1001_1", "Onze nieuwe zomeractie!"),
    )


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


__all__ = ["remote_message"]
