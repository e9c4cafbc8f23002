"""The REST API: the same services as the pages, refusals as status codes with a body that says why."""

import pytest
from django.urls import reverse
from knox.models import AuthToken
from rest_framework.test import APIClient

from inbox.models import Delivery, DeliveryState, Mention, MentionStatus, Message
from inbox.services import mentions as mention_services
from inbox.services import replies
from tests.factories import mention_for

S = MentionStatus
pytestmark = pytest.mark.django_db


def api(name, *args):
    return reverse(f"api:{name}", args=args)


@pytest.fixture
def agent_api(agent):
    client = APIClient()
    client.force_authenticate(agent)
    return client


@pytest.fixture
def outsider_api(outsider):
    client = APIClient()
    client.force_authenticate(outsider)
    return client


ACTIONS = ["claim", "release", "reply", "move-to-private", "close", "reopen", "note", "tags"]


def action_url(name, pk):
    return api(f"mention-{name}", pk)


def test_the_api_needs_authentication(mention):
    response = APIClient().get(api("mention-list"))

    assert response.status_code == 401


def test_list_returns_the_queue_with_a_cursor(agent_api, x_account):
    for i in range(5):
        mention_for(x_account, author_id=str(800 + i))

    first = agent_api.get(api("mention-list"), {"page_size": 3}).json()
    second = agent_api.get(first["next"]).json()

    assert len(first["results"]) == 3 and len(second["results"]) == 2 and second["next"] is None
    ids = [m["id"] for m in first["results"] + second["results"]]
    assert len(set(ids)) == 5


def test_list_caps_the_page_size(agent_api, x_account):
    for i in range(3):
        mention_for(x_account, author_id=str(900 + i))

    response = agent_api.get(api("mention-list"), {"page_size": 10_000})

    assert response.status_code == 200 and len(response.json()["results"]) == 3


def test_list_applies_filters(agent_api, x_account, fb_comment):
    mention_for(x_account, author_id="901")

    results = agent_api.get(api("mention-list"), {"platform": "facebook"}).json()["results"]

    assert [m["id"] for m in results] == [fb_comment.pk]


@pytest.mark.parametrize("query", [{"queue": "everything"}, {"priority": "9"}, {"brand__gt": "1"}, {"cursor": "garbage"}])
def test_list_refuses_unknown_values_and_parameters(agent_api, mention, query):
    response = agent_api.get(api("mention-list"), query)

    assert response.status_code == 400 and "code" in response.json()


def test_list_only_shows_the_callers_teams(outsider_api, mention):
    assert outsider_api.get(api("mention-list")).json()["results"] == []


def test_list_costs_the_same_queries_at_any_size(agent_api, x_account, django_assert_num_queries):
    for i in range(3):
        mention_for(x_account, author_id=str(1000 + i))
    with django_assert_num_queries(2):
        agent_api.get(api("mention-list"))
    for i in range(30):
        mention_for(x_account, author_id=str(1100 + i))
    with django_assert_num_queries(2):
        agent_api.get(api("mention-list"))


def test_detail_returns_the_thread(agent_api, fb_comment):
    body = agent_api.get(api("mention-detail", fb_comment.pk)).json()

    assert body["mention"]["context_post"]["text"] == "Onze nieuwe zomeractie!"
    assert body["messages"][0]["text"] == "Waarom is mijn factuur zo hoog?"


def test_detail_of_another_teams_mention_is_404(outsider_api, mention):
    response = outsider_api.get(api("mention-detail", mention.pk))

    assert response.status_code == 404 and response.json()["code"] == "not_found"


@pytest.mark.parametrize("name", ACTIONS)
def test_actions_refuse_get(agent_api, mention, name):
    assert agent_api.get(action_url(name, mention.pk)).status_code == 405


def test_claim_next_undo_and_hide_refuse_get(agent_api):
    assert agent_api.get(api("mention-claim-next")).status_code == 405
    assert agent_api.get(api("delivery-undo", 1)).status_code == 405
    assert agent_api.get(api("message-hide", 1)).status_code == 405


@pytest.mark.parametrize("name", ACTIONS)
def test_actions_on_another_teams_mention_are_404(outsider_api, mention, name):
    body = {"text": "x", "private_text": "x", "category": 1, "tags": ["x"]}

    response = outsider_api.post(action_url(name, mention.pk), body, format="json")

    assert response.status_code == 404
    assert Mention.objects.get(pk=mention.pk).status == S.NEW


def test_session_authentication_enforces_csrf(agent, mention):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(agent)

    response = client.post(action_url("claim", mention.pk))

    assert response.status_code == 403
    assert Mention.objects.get(pk=mention.pk).status == S.NEW


def test_claim(agent_api, agent, mention):
    response = agent_api.post(action_url("claim", mention.pk))

    assert response.status_code == 200 and response.json()["status"] == S.CLAIMED
    assert response.json()["assignee"] == agent.username


def test_a_lost_claim_race_is_409_and_says_who(agent_api, other_agent, mention):
    mention_services.mention_claim(user=other_agent, mention_id=mention.pk)

    response = agent_api.post(action_url("claim", mention.pk))

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "already_claimed" and "Bram Claes got there first" in body["detail"]
    assert body["assignee"] == other_agent.pk


def test_claim_next(agent_api, agent, mention):
    response = agent_api.post(api("mention-claim-next"))

    assert response.status_code == 200 and response.json()["id"] == mention.pk


def test_claim_next_with_nothing_left_is_204(agent_api, agent):
    assert agent_api.post(api("mention-claim-next")).status_code == 204


def test_release(agent_api, claimed):
    assert agent_api.post(action_url("release", claimed.pk)).json()["status"] == S.NEW


def test_release_of_someone_elses_claim_is_403(other_agent, claimed):
    client = APIClient()
    client.force_authenticate(other_agent)

    response = client.post(action_url("release", claimed.pk))

    assert response.status_code == 403 and response.json()["code"] == "not_allowed"


def test_reply(agent_api, claimed):
    response = agent_api.post(action_url("reply", claimed.pk), {"text": "We kijken het na"}, format="json")

    assert response.status_code == 201 and response.json()["state"] == DeliveryState.PENDING


def test_reply_with_personal_data_is_refused_with_the_code(agent_api, claimed):
    response = agent_api.post(action_url("reply", claimed.pk), {"text": "Bel 0470 12 34 56"}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "personal_data" and response.json()["kinds"] == ["phone"]
    assert not Delivery.objects.exists()


def test_reply_without_text_is_400(agent_api, claimed):
    assert agent_api.post(action_url("reply", claimed.pk), {}, format="json").status_code == 400


def test_reply_too_long_is_refused_before_any_work(agent_api, claimed):
    response = agent_api.post(action_url("reply", claimed.pk), {"text": "a" * 20_001}, format="json")

    assert response.status_code == 400 and not Delivery.objects.exists()


def test_move_to_private(agent_api, agent, fb_comment):
    mention_services.mention_claim(user=agent, mention_id=fb_comment.pk)

    response = agent_api.post(action_url("move-to-private", fb_comment.pk), {"private_text": "Je klantnummer?"}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert Mention.objects.get(pk=body["private_mention"]).public_mention_id == fb_comment.pk
    assert body["pointer_delivery"]["kind"] == "reply"


def test_move_to_private_twice_on_facebook_is_refused(agent_api, agent, fb_comment):
    mention_services.mention_claim(user=agent, mention_id=fb_comment.pk)
    agent_api.post(action_url("move-to-private", fb_comment.pk), {"private_text": "Hallo"}, format="json")

    response = agent_api.post(action_url("move-to-private", fb_comment.pk), {"private_text": "Hallo"}, format="json")

    assert response.status_code == 409  # it is closed now: the action no longer applies


def test_close_needs_a_category(agent_api, claimed):
    response = agent_api.post(action_url("close", claimed.pk), {}, format="json")

    assert response.status_code == 400 and response.json()["code"] == "category_required"


def test_close(agent_api, claimed, category):
    response = agent_api.post(action_url("close", claimed.pk), {"category": category.pk}, format="json")

    assert response.status_code == 200 and response.json()["status"] == S.CLOSED


def test_reopen(agent_api, agent, claimed, category):
    mention_services.mention_close(user=agent, mention_id=claimed.pk, category_id=category.pk)

    assert agent_api.post(action_url("reopen", claimed.pk)).json()["status"] == S.CLAIMED


def test_reopen_of_an_open_mention_is_409(agent_api, claimed):
    response = agent_api.post(action_url("reopen", claimed.pk))

    assert response.status_code == 409 and response.json()["current_status"] == S.CLAIMED


def test_note(agent_api, mention):
    response = agent_api.post(action_url("note", mention.pk), {"text": "Belde ook"}, format="json")

    assert response.status_code == 201 and response.json()["direction"] == "note"


def test_tags(agent_api, mention):
    response = agent_api.post(action_url("tags", mention.pk), {"tags": ["storing", "gent"]}, format="json")

    assert response.json() == {"tags": ["gent", "storing"]}


def test_undo(agent_api, agent, claimed):
    delivery = replies.mention_reply(user=agent, mention_id=claimed.pk, text="Oeps")

    response = agent_api.post(api("delivery-undo", delivery.pk))

    assert response.status_code == 200 and response.json()["state"] == DeliveryState.CANCELLED


def test_undo_too_late_is_409(agent_api, agent, claimed):
    delivery = replies.mention_reply(user=agent, mention_id=claimed.pk, text="Oeps")
    Delivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.SENDING)

    response = agent_api.post(api("delivery-undo", delivery.pk))

    assert response.status_code == 409 and response.json()["code"] == "too_late"


def test_undo_of_another_teams_delivery_is_404(outsider_api, agent, claimed):
    delivery = replies.mention_reply(user=agent, mention_id=claimed.pk, text="Oeps")

    assert outsider_api.post(api("delivery-undo", delivery.pk)).status_code == 404


def test_hide(agent_api, fb_comment):
    message = Message.objects.get(mention=fb_comment)

    response = agent_api.post(api("message-hide", message.pk))

    assert response.status_code == 202 and response.json()["kind"] == "hide"


def test_hide_of_another_teams_message_is_404(outsider_api, fb_comment):
    assert outsider_api.post(api("message-hide", Message.objects.get(mention=fb_comment).pk)).status_code == 404


def test_a_token_is_issued_with_basic_auth_and_stored_hashed(agent, mention):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Basic " + __import__("base64").b64encode(b"ana:correct horse battery").decode())

    token = client.post(api("token")).json()["token"]

    stored = AuthToken.objects.get(user=agent)
    assert token.startswith("wc_") and token not in (stored.digest, stored.token_key)
    bearer = APIClient()
    bearer.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert bearer.get(api("mention-list")).status_code == 200


def test_a_token_needs_no_csrf_and_sees_only_its_teams(outsider, mention):
    _instance, token = AuthToken.objects.create(user=outsider)
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    assert client.post(action_url("claim", mention.pk)).status_code == 404


def test_logging_out_revokes_the_token(agent):
    _instance, token = AuthToken.objects.create(user=agent)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    assert client.post(api("token-logout")).status_code == 204
    assert client.get(api("mention-list")).status_code == 401


def test_the_openapi_schema_is_served(agent_api):
    response = agent_api.get(api("schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/mentions/{id}/claim/" in paths and "/api/v1/mentions/claim-next/" in paths


@pytest.mark.parametrize("pk", ["99999999999999999999999", "0"])
def test_an_absurd_id_is_a_plain_404(agent_api, pk):
    assert agent_api.get(f"/api/v1/mentions/{pk}/").status_code == 404
    assert agent_api.post(f"/api/v1/mentions/{pk}/claim/").status_code == 404
