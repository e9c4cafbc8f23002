"""Deliveries whose outcome is unknown, in the browser's pages and in the API: a lead decides."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from inbox.models import Delivery, DeliveryState, Mention, Role
from inbox.services import deliveries
from inbox.services.mentions import mention_claim
from inbox.services.replies import mention_reply
from tests.factories import agent_in, mention_for
from tests.inbox.test_delivery_review import lost_in_flight

D = DeliveryState
pytestmark = pytest.mark.django_db
CHOICES = ["confirm-sent", "send-again", "give-up"]
TWEET_LINK = "https://x.com/user501/status/7001"


def url(name, *args):
    return reverse(f"review:{name}", args=args)


def text_of(response):
    return response.content.decode()


def unknown_answer(account, agent, *, platform_id: str, author_id: str) -> Delivery:  # type: ignore[no-untyped-def]
    mention = mention_for(account, platform_id=platform_id, author_id=author_id,
                          permalink=f"https://x.com/user{author_id}/status/{platform_id}")
    mention_claim(user=agent, mention_id=mention.pk)
    return lost_in_flight(mention_reply(user=agent, mention_id=mention.pk, text="We kijken het na"))


@pytest.fixture
def unknown(x_account, agent) -> Delivery:
    return unknown_answer(x_account, agent, platform_id="7001", author_id="501")


@pytest.fixture
def lead_client(client, lead):
    client.force_login(lead)
    return client


def fresh(delivery: Delivery) -> Delivery:
    return Delivery.objects.get(pk=delivery.pk)


def mention_url(delivery: Delivery) -> str:
    return reverse("inbox:mention", args=[delivery.mention_id])


# --- the message footer -----------------------------------------------------------------------


def test_a_lead_sees_why_where_to_look_and_the_three_choices(lead_client, unknown):
    page = text_of(lead_client.get(mention_url(unknown)))

    assert "Nobody knows whether this reached X." in page
    assert "does not let Webcare look this kind of message up" in page
    assert f'href="{TWEET_LINK}"' in page and "Open the conversation on X" in page
    for choice in CHOICES:
        assert url(choice, unknown.pk) in page


def test_an_agent_is_told_that_a_lead_will_check(agent_client, unknown):
    page = text_of(agent_client.get(mention_url(unknown)))

    assert "A team lead will check it; do not send it again." in page
    assert url("confirm-sent", unknown.pk) not in page


def test_sending_again_is_not_offered_for_a_delivery_with_a_platform_id(lead_client, unknown):
    Delivery.objects.filter(pk=unknown.pk).update(platform_id="1900000000000000999")

    page = text_of(lead_client.get(mention_url(unknown)))

    assert url("send-again", unknown.pk) not in page and url("give-up", unknown.pk) in page


# --- deciding ---------------------------------------------------------------------------------


def test_confirming_on_the_mention_page_shows_it_delivered(lead_client, unknown):
    response = lead_client.post(url("confirm-sent", unknown.pk),
                                {"platform_reference": "https://x.com/telvio/status/1900000000000000123"},
                                HTTP_HX_REQUEST="true", HTTP_HX_TARGET="mention-main")

    assert response.status_code == 200
    assert 'id="mention-main"' in text_of(response) and "Delivered" in text_of(response)
    assert (fresh(unknown).state, fresh(unknown).platform_id) == (D.SENT, "1900000000000000123")


def test_sending_again_without_javascript_returns_to_the_mention(lead_client, unknown):
    response = lead_client.post(url("send-again", unknown.pk), {"next": mention_url(unknown)})

    assert response.status_code == 302 and response["Location"] == mention_url(unknown)
    assert fresh(unknown).state == D.PENDING


def test_giving_up_from_the_list_returns_to_the_list(lead_client, unknown):
    response = lead_client.post(url("give-up", unknown.pk), {"next": url("deliveries")}, follow=True)

    assert response.redirect_chain[-1][0] == url("deliveries")
    assert "Given up" in text_of(response)
    assert (fresh(unknown).state, fresh(unknown).error_code) == (D.FAILED, "given_up")


def test_the_agent_reads_that_a_lead_gave_up(agent_client, lead, unknown):
    deliveries.delivery_give_up(user=lead, delivery_id=unknown.pk)

    page = text_of(agent_client.get(mention_url(unknown)))

    assert "a team lead decided not to send it again. Look on the platform before you answer again." in page


def test_a_decision_never_redirects_off_site(lead_client, unknown):
    response = lead_client.post(url("send-again", unknown.pk), {"next": "https://evil.example/"})

    assert response["Location"] == url("deliveries")


def test_a_bad_link_is_refused_on_the_mention_page_with_the_reason(lead_client, unknown):
    response = lead_client.post(url("confirm-sent", unknown.pk), {"platform_reference": "https://x.com/telvio"},
                                HTTP_HX_REQUEST="true", HTTP_HX_TARGET="mention-main")

    assert response.status_code == 400
    assert "Webcare cannot read an id from this." in text_of(response)
    assert fresh(unknown).state == D.NEEDS_REVIEW


def test_a_lost_race_is_409_and_says_who_decided_first(lead_client, unknown, team):
    first = agent_in(team, role=Role.LEAD, username="luc", first_name="Luc")
    deliveries.delivery_give_up(user=first, delivery_id=unknown.pk)

    response = lead_client.post(url("send-again", unknown.pk), {"next": url("deliveries")})

    assert response.status_code == 409
    assert "Luc decided first: this delivery is now “Failed”." in text_of(response)


@pytest.mark.parametrize("choice", CHOICES)
def test_the_choices_refuse_get(lead_client, unknown, choice):
    assert lead_client.get(url(choice, unknown.pk)).status_code == 405


@pytest.mark.parametrize("choice", CHOICES)
def test_an_agent_may_not_decide(agent_client, unknown, choice):
    assert agent_client.post(url(choice, unknown.pk)).status_code == 403
    assert fresh(unknown).state == D.NEEDS_REVIEW


@pytest.mark.parametrize("choice", CHOICES)
def test_a_lead_of_another_team_gets_404(client, other_team, unknown, choice):
    client.force_login(agent_in(other_team, role=Role.LEAD, username="otto"))

    assert client.post(url(choice, unknown.pk)).status_code == 404
    assert fresh(unknown).state == D.NEEDS_REVIEW


@pytest.mark.parametrize("choice", CHOICES)
def test_the_choices_need_a_csrf_token(lead, unknown, choice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(lead)

    assert client.post(url(choice, unknown.pk)).status_code == 403
    assert fresh(unknown).state == D.NEEDS_REVIEW


# --- the leads' list ------------------------------------------------------------------------------


def test_the_list_shows_what_waits_in_the_leads_teams_only(lead_client, unknown, other_team, agent):
    from tests.factories import SocialAccountFactory

    elsewhere = SocialAccountFactory(team=other_team, external_id="77", handle="other")
    hidden = unknown_answer(elsewhere, agent_in(other_team, username="oda"), platform_id="8001", author_id="801")

    page = text_of(lead_client.get(url("deliveries")))

    assert f'id="delivery-{unknown.pk}"' in page and "We kijken het na ^AV" in page
    assert f'id="delivery-{hidden.pk}"' not in page


def test_the_list_is_for_leads(agent_client, unknown):
    assert agent_client.get(url("deliveries")).status_code == 403


def test_the_navigation_shows_leads_how_many_wait_and_agents_nothing(lead, agent, unknown):
    as_lead, as_agent = Client(), Client()
    as_lead.force_login(lead)
    as_agent.force_login(agent)

    for_lead = text_of(as_lead.get(reverse("inbox:queue")))
    for_agent = text_of(as_agent.get(reverse("inbox:queue")))

    assert f'href="{url("deliveries")}">Deliveries to check <span class="count">1</span>' in for_lead
    assert url("deliveries") not in for_agent


def test_the_list_costs_the_same_queries_for_one_or_eight(lead_client, x_account, agent, django_assert_num_queries):
    unknown_answer(x_account, agent, platform_id="9000", author_id="900")
    with CaptureQueriesContext(connection) as one:
        lead_client.get(url("deliveries"))
    for i in range(1, 8):
        unknown_answer(x_account, agent, platform_id=str(9000 + i), author_id=str(900 + i))

    with django_assert_num_queries(len(one.captured_queries)):
        page = text_of(lead_client.get(url("deliveries")))

    assert page.count("Open the conversation on X") == 8


# --- the API --------------------------------------------------------------------------------------


def api(name, *args):
    return reverse(f"api:delivery-{name}", args=args)


def api_as(user) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def lead_api(lead):
    return api_as(lead)


def test_the_api_confirms_with_a_link(lead_api, unknown):
    response = lead_api.post(api("confirm-sent", unknown.pk), {"platform_reference": "1900000000000000123"},
                             format="json")

    assert response.status_code == 200
    assert (response.json()["state"], response.json()["platform_id"]) == (D.SENT, "1900000000000000123")


def test_the_api_sends_again(lead_api, unknown):
    response = lead_api.post(api("send-again", unknown.pk))

    assert response.status_code == 200 and response.json()["state"] == D.PENDING


def test_the_api_gives_up(lead_api, unknown):
    response = lead_api.post(api("give-up", unknown.pk))

    assert (response.status_code, response.json()["error_code"]) == (200, "given_up")
    assert Mention.objects.get(pk=unknown.mention_id).status == "claimed"


@pytest.mark.parametrize("choice", CHOICES)
def test_the_api_refuses_get(lead_api, unknown, choice):
    assert lead_api.get(api(choice, unknown.pk)).status_code == 405


@pytest.mark.parametrize("choice", CHOICES)
def test_the_api_is_404_across_teams(other_team, unknown, choice):
    response = api_as(agent_in(other_team, role=Role.LEAD, username="otto")).post(api(choice, unknown.pk))

    assert (response.status_code, response.json()["code"]) == (404, "not_found")


@pytest.mark.parametrize("choice", CHOICES)
def test_the_api_refuses_an_agent(agent, unknown, choice):
    assert api_as(agent).post(api(choice, unknown.pk)).status_code == 403


def test_the_api_says_409_on_a_lost_race(lead_api, lead, unknown):
    deliveries.delivery_confirm_sent(user=lead, delivery_id=unknown.pk)

    response = lead_api.post(api("give-up", unknown.pk))

    assert response.status_code == 409
    assert (response.json()["code"], response.json()["current_state"]) == ("already_decided", D.SENT)
    assert response.json()["detail"] == "Lea decided first: this delivery is now “Sent”."


def test_the_api_refuses_a_link_without_an_id(lead_api, unknown):
    response = lead_api.post(api("confirm-sent", unknown.pk), {"platform_reference": "https://x.com/"}, format="json")

    assert (response.status_code, response.json()["code"]) == (400, "bad_reference")


def test_the_api_lists_what_waits_in_the_leads_teams_only(lead_api, unknown, other_team, agent):
    from tests.factories import SocialAccountFactory

    elsewhere = SocialAccountFactory(team=other_team, external_id="77", handle="other")
    unknown_answer(elsewhere, agent_in(other_team, username="oda"), platform_id="8001", author_id="801")

    response = lead_api.get(reverse("api:delivery-needs-review"))

    assert response.status_code == 200
    [row] = response.json()
    assert (row["delivery"]["id"], row["delivery"]["state"], row["mention"]) == (unknown.pk, D.NEEDS_REVIEW,
                                                                               unknown.mention_id)
    assert (row["text"], row["link"], row["platform"]) == ("We kijken het na ^AV", TWEET_LINK, "X")
    assert row["reason"].startswith("The platform does not let Webcare look this kind of message up")
    assert (row["takes_id"], row["can_send_again"]) == (True, True)


def test_the_api_list_is_for_leads(agent, unknown):
    response = api_as(agent).get(reverse("api:delivery-needs-review"))

    assert response.status_code == 403


def test_the_api_list_is_in_the_schema(lead_api):
    schema = lead_api.get(reverse("api:schema"), {"format": "json"}).json()

    assert "/api/v1/deliveries/needs-review/" in schema["paths"]


def test_the_api_list_shows_a_hide_with_no_text_of_its_own(lead_api, x_account, lead):
    from inbox.models import Message
    from inbox.services.moderation import message_hide

    mention = mention_for(x_account, platform_id="7101", author_id="511", text="Mijn nummer is 0470 12 34 56")
    hide = lost_in_flight(message_hide(user=lead, message_id=Message.objects.get(mention=mention).pk))

    [row] = lead_api.get(reverse("api:delivery-needs-review")).json()

    assert (row["delivery"]["id"], row["delivery"]["kind"], row["text"]) == (hide.pk, "hide", "")
    assert row["takes_id"] is False
