import pytest

from inbox.models import Platform, Role
from tests.factories import BrandFactory, CategoryFactory, SocialAccountFactory, TeamFactory, agent_in


@pytest.fixture
def team(db):
    return TeamFactory(name="Care", slug="care")


@pytest.fixture
def other_team(db):
    return TeamFactory(name="Elsewhere", slug="elsewhere")


@pytest.fixture
def brand(db):
    return BrandFactory(name="Telvio", slug="telvio", signature_format="^{initials}", undo_seconds=10)


@pytest.fixture
def x_account(brand, team):
    return SocialAccountFactory(brand=brand, team=team, platform=Platform.X, external_id="42", handle="telvio")


@pytest.fixture
def fb_account(brand, team):
    return SocialAccountFactory(brand=brand, team=team, platform=Platform.FACEBOOK, external_id="1001", handle="Telvio")


@pytest.fixture
def agent(team):
    return agent_in(team, username="ana", first_name="Ana", last_name="Vermeulen")


@pytest.fixture
def other_agent(team):
    return agent_in(team, username="bram", first_name="Bram", last_name="Claes")


@pytest.fixture
def lead(team):
    return agent_in(team, role=Role.LEAD, username="lea", first_name="Lea")


@pytest.fixture
def outsider(other_team):
    return agent_in(other_team, username="olaf", first_name="Olaf")


@pytest.fixture
def category(db):
    return CategoryFactory(name="Outage")
