"""The agent's pages and actions through Django's test client."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from inbox.models import Delivery, DeliveryKind, DeliveryState, Mention, MentionStatus, Message, Priority
from inbox.services import mentions as mention_services
from inbox.services import replies
from inbox.services.ingest import messages_ingest
from tests.factories import mention_for, remote_message

S = MentionStatus
pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"inbox:{name}", args=args)


def text_of(response):
    return response.content.decode()


# --- Queues -------------------------------------------------------------------------


def test_the_queue_needs_a_login(client):
    response = client.get(url("queue"))

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_unclaimed_queue_lists_the_teams_mentions(agent_client, mention):
    response = agent_client.get(url("queue"))

    assert response.status_code == 200
    assert "Mijn internet ligt plat sinds gisteren" in text_of(response)


def test_the_queue_does_not_show_another_teams_mentions(client, outsider, mention):
    client.force_login(outsider)

    assert "Mijn internet ligt plat" not in text_of(client.get(url("queue")))


def test_filters_narrow_the_queue(agent_client, x_account, fb_comment):
    mention_for(x_account, author_id="9", text="Bonjour, ma connexion ne marche pas", language="fr")

    page = text_of(agent_client.get(url("queue") + "?platform=facebook"))

    assert "Waarom is mijn factuur" in page and "Bonjour" not in page


def test_filters_on_flags_and_priority(agent_client, x_account, fb_account):
    personal = mention_for(x_account, author_id="10", text="Bel me op 0470 12 34 56")
    urgent = mention_for(x_account, author_id="11", text="Alles ligt plat")
    Mention.objects.filter(pk=urgent.pk).update(priority=Priority.URGENT)

    assert f'data-id="{personal.pk}"' in text_of(agent_client.get(url("queue") + "?personal=yes"))
    assert f'data-id="{personal.pk}"' not in text_of(agent_client.get(url("queue") + "?personal=no"))
    assert f'data-id="{urgent.pk}"' in text_of(agent_client.get(url("queue") + f"?priority={Priority.URGENT}"))
    assert f'data-id="{personal.pk}"' not in text_of(agent_client.get(url("queue") + f"?priority={Priority.URGENT}"))


def test_a_tag_filter_shows_only_tagged_mentions(agent_client, agent, mention, x_account):
    other = mention_for(x_account, author_id="12")
    mention_services.mention_set_tags(user=agent, mention_id=mention.pk, tag_names=["outage"])

    page = text_of(agent_client.get(url("queue") + "?tag=outage"))

    assert f'data-id="{mention.pk}"' in page and f'data-id="{other.pk}"' not in page


def test_a_stale_filter_value_is_ignored_not_an_error(agent_client, mention):
    response = agent_client.get(url("queue") + "?brand=999999&priority=banana")

    assert response.status_code == 200


def test_a_tampered_page_link_falls_back_to_the_first_page(agent_client, mention):
    response = agent_client.get(url("queue") + "?cursor=garbage")

    assert response.status_code == 200
    assert "no longer valid" in text_of(response)


def test_counters_stop_at_99_plus(agent_client, x_account):
    now = timezone.now()
    messages_ingest(
        account_id=x_account.pk,
        items=[remote_message(author_id=str(2000 + i), posted_at=now - dt.timedelta(seconds=i)) for i in range(101)],
    )

    page = text_of(agent_client.get(url("queue")))

    assert 'data-count="unclaimed">99+<' in page


def test_htmx_gets_only_the_queue_fragment(agent_client, mention):
    response = agent_client.get(url("queue"), HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert "<html" not in text_of(response) and 'id="queue-region"' in text_of(response)


@pytest.mark.parametrize("queue", ["unclaimed", "mine", "team", "waiting", "escalated", "closed"])
def test_the_queue_page_costs_the_same_queries_for_3_or_30_mentions(
    client, agent, x_account, queue, django_assert_num_queries
):
    def fill(count, offset):
        for i in range(count):
            mention = mention_for(x_account, author_id=str(offset + i))
            if queue in ("mine", "waiting", "closed"):
                mention_services.mention_claim(user=agent, mention_id=mention.pk)
            if queue == "waiting":
                replies.mention_reply(user=agent, mention_id=mention.pk, text="Dag!")

    client.force_login(agent)
    fill(3, 100)
    client.get(url("queue") + f"?queue={queue}")  # warm the session
    with CaptureQueriesContext(connection) as small:
        client.get(url("queue") + f"?queue={queue}")
    fill(27, 200)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(url("queue") + f"?queue={queue}")


def test_the_live_check_answers_204_while_nothing_changed(agent_client, mention):
    page = agent_client.get(url("queue"))
    fingerprint = page.context["fingerprint"]

    response = agent_client.get(url("queue-live") + f"?v={fingerprint}", HTTP_HX_REQUEST="true")

    assert response.status_code == 204


def test_the_live_check_sends_the_list_when_someone_else_claims(agent_client, mention, other_agent):
    fingerprint = agent_client.get(url("queue")).context["fingerprint"]
    mention_services.mention_claim(user=other_agent, mention_id=mention.pk)

    response = agent_client.get(url("queue-live") + f"?v={fingerprint}", HTTP_HX_REQUEST="true")

    assert response.status_code == 200 and 'id="queue-region"' in text_of(response)
    assert f'data-id="{mention.pk}"' not in text_of(response)


def test_the_live_check_sees_a_new_mention(agent_client, mention, x_account):
    fingerprint = agent_client.get(url("queue")).context["fingerprint"]
    mention_for(x_account, author_id="77", text="Nieuw hier")

    response = agent_client.get(url("queue-live") + f"?v={fingerprint}", HTTP_HX_REQUEST="true")

    assert response.status_code == 200 and "Nieuw hier" in text_of(response)


def test_the_live_check_costs_the_same_queries_at_any_size(agent_client, agent, x_account, django_assert_num_queries):
    for i in range(3):
        mention_for(x_account, author_id=str(300 + i))
    fingerprint = agent_client.get(url("queue")).context["fingerprint"]
    with CaptureQueriesContext(connection) as small:
        assert agent_client.get(url("queue-live") + f"?v={fingerprint}").status_code == 204
    expected = len(small.captured_queries)  # read now: the next request empties Django's query log
    for i in range(30):
        mention_for(x_account, author_id=str(400 + i))
    fingerprint = agent_client.get(url("queue")).context["fingerprint"]
    with django_assert_num_queries(expected):
        assert agent_client.get(url("queue-live") + f"?v={fingerprint}").status_code == 204


# --- The mention page ------------------------------------------------------------


def test_the_mention_page_shows_the_thread_and_its_context(agent_client, fb_comment):
    page = text_of(agent_client.get(url("mention", fb_comment.pk)))

    assert "Onze nieuwe zomeractie!" in page and "Waarom is mijn factuur zo hoog?" in page
    assert 'dir="auto"' in page


def test_a_mention_of_another_team_is_404(client, outsider, mention):
    client.force_login(outsider)

    assert client.get(url("mention", mention.pk)).status_code == 404
    assert client.get(url("mention-live", mention.pk)).status_code == 404


def test_the_composer_shows_the_account_the_limit_the_signature_and_the_language(agent_client, claimed):
    page = text_of(agent_client.get(url("mention", claimed.pk)))

    assert "Public answer from telvio on X (Telvio)" in page
    assert 'data-limit="280"' in page and 'data-weighted="true"' in page
    assert "^AV" in page
    assert "The customer writes in Dutch." in page


def test_a_messenger_thread_shows_the_messenger_limit(agent_client, agent, fb_comment):
    mention_services.mention_claim(user=agent, mention_id=fb_comment.pk)
    moved = replies.mention_move_to_private(user=agent, mention_id=fb_comment.pk, private_text="Stuur je klantnummer?")

    page = text_of(agent_client.get(url("mention", moved.private_mention.pk)))

    assert "Private message from Telvio on Facebook" in page and 'data-limit="2000"' in page


def test_a_facebook_comment_shows_the_comment_limit(agent_client, agent, fb_comment):
    mention_services.mention_claim(user=agent, mention_id=fb_comment.pk)

    page = text_of(agent_client.get(url("mention", fb_comment.pk)))

    assert 'id="reply-text"' in page and 'data-limit="8000"' in page


def test_the_contact_card_shows_history_and_followers(agent_client, x_account, mention):
    earlier = mention_for(x_account, author_id="501", text="Vorige maand ook al")  # same author, a new thread
    page = text_of(agent_client.get(url("mention", mention.pk)))

    assert "12 followers" in page and f"#{earlier.pk}" in page


def test_the_mention_page_costs_the_same_queries_for_a_long_thread(
    agent_client, agent, claimed, x_account, django_assert_num_queries
):
    agent_client.get(url("mention", claimed.pk))
    with CaptureQueriesContext(connection) as short:
        agent_client.get(url("mention", claimed.pk))
    for i in range(10):
        mention_services.mention_add_note(user=agent, mention_id=claimed.pk, text=f"note {i}")
        replies.mention_reply(user=agent, mention_id=claimed.pk, text=f"antwoord {i}")
    with django_assert_num_queries(len(short.captured_queries)):
        agent_client.get(url("mention", claimed.pk))


def test_the_mention_live_check_is_204_until_something_happens(agent_client, agent, claimed):
    fingerprint = agent_client.get(url("mention", claimed.pk)).context["fingerprint"]

    assert agent_client.get(url("mention-live", claimed.pk) + f"?v={fingerprint}").status_code == 204
    messages_ingest(
        account_id=claimed.account_id,
        items=[remote_message(author_id="501", parent_platform_id="7001", text="Hallo? Nog iemand daar?")],
    )
    response = agent_client.get(url("mention-live", claimed.pk) + f"?v={fingerprint}")

    assert response.status_code == 200 and "Hallo? Nog iemand daar?" in text_of(response)
    assert 'hx-swap-oob="true"' in text_of(response)


def test_two_agents_on_one_mention_see_each_other(client, agent, other_agent, mention):
    other = Client()
    other.force_login(other_agent)
    other.get(url("mention", mention.pk))
    client.force_login(agent)

    page = text_of(client.get(url("mention", mention.pk)))

    assert "Bram Claes has this mention open too." in page


# --- Actions ------------------------------------------------------------------------

ACTIONS = [
    ("claim", True), ("release", True), ("reply", True), ("move-to-private", True), ("close", True),
    ("reopen", True), ("note", True), ("tags", True),
]


@pytest.mark.parametrize(("name", "_detail"), ACTIONS)
def test_actions_refuse_get(agent_client, mention, name, _detail):
    assert agent_client.get(url(name, mention.pk)).status_code == 405


def test_claim_next_hide_and_undo_refuse_get(agent_client):
    assert agent_client.get(url("claim-next")).status_code == 405
    assert agent_client.get(url("hide", 1)).status_code == 405
    assert agent_client.get(url("undo", 1)).status_code == 405


@pytest.mark.parametrize("name", ["claim", "release", "reply", "move-to-private", "close", "reopen", "note", "tags"])
def test_actions_without_a_csrf_token_are_refused(agent, mention, name):
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)

    response = client.post(url(name, mention.pk), {"text": "x", "category": 1, "private_text": "x", "tags": "x"})

    assert response.status_code == 403
    assert Mention.objects.get(pk=mention.pk).status == S.NEW


@pytest.mark.parametrize("name", ["claim", "release", "reply", "move-to-private", "close", "reopen", "note", "tags"])
def test_actions_on_another_teams_mention_are_404(client, outsider, mention, name):
    client.force_login(outsider)

    response = client.post(url(name, mention.pk), {"text": "x", "category": 1, "private_text": "x", "tags": "x"})

    assert response.status_code == 404
    assert Mention.objects.get(pk=mention.pk).status == S.NEW


def test_claim_opens_the_mention(agent_client, agent, mention):
    response = agent_client.post(url("claim", mention.pk))

    assert response.status_code == 302 and response["Location"] == url("mention", mention.pk)
    assert Mention.objects.get(pk=mention.pk).assignee == agent


def test_a_lost_claim_race_says_who_got_there_first(agent_client, other_agent, mention):
    mention_services.mention_claim(user=other_agent, mention_id=mention.pk)

    response = agent_client.post(url("claim", mention.pk))

    assert response.status_code == 409
    assert "Bram Claes got there first" in text_of(response)


def test_a_lost_claim_race_from_the_queue_returns_to_the_queue_with_the_reason(agent_client, other_agent, mention):
    mention_services.mention_claim(user=other_agent, mention_id=mention.pk)

    response = agent_client.post(url("claim", mention.pk), {"from": "queue"}, follow=True)

    assert response.redirect_chain[-1][0] == url("queue")
    assert "Bram Claes got there first" in text_of(response)


def test_claim_next_opens_the_most_urgent_mention(agent_client, agent, x_account, mention):
    urgent = mention_for(x_account, author_id="4242")
    Mention.objects.filter(pk=urgent.pk).update(priority=Priority.URGENT)

    response = agent_client.post(url("claim-next"))

    assert response["Location"] == url("mention", urgent.pk)
    assert Mention.objects.get(pk=urgent.pk).assignee == agent


def test_claim_next_with_nothing_left_says_so(agent_client, agent):
    response = agent_client.post(url("claim-next"), follow=True)

    assert "Nothing left to claim" in text_of(response)


def test_claim_next_over_htmx_redirects_the_whole_page(agent_client, mention):
    response = agent_client.post(url("claim-next"), HTTP_HX_REQUEST="true")

    assert response["HX-Redirect"] == url("mention", mention.pk)


def test_release_returns_the_mention_to_the_queue(agent_client, claimed):
    response = agent_client.post(url("release", claimed.pk))

    assert response.status_code == 302
    assert Mention.objects.get(pk=claimed.pk).status == S.NEW


def test_release_of_someone_elses_claim_is_refused(client, other_agent, claimed):
    client.force_login(other_agent)

    response = client.post(url("release", claimed.pk))

    assert response.status_code == 403
    assert Mention.objects.get(pk=claimed.pk).status == S.CLAIMED


def test_reply_queues_a_delivery_and_shows_the_undo_countdown(agent_client, claimed):
    response = agent_client.post(url("reply", claimed.pk), {"text": "We kijken het na!"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    delivery = Delivery.objects.get(mention=claimed)
    assert delivery.payload["text"] == "We kijken het na! ^AV"
    page = text_of(response)
    assert "data-countdown=" in page and url("undo", delivery.pk) in page


def test_reply_without_htmx_redirects_to_the_mention(agent_client, claimed):
    response = agent_client.post(url("reply", claimed.pk), {"text": "We kijken het na!"})

    assert response.status_code == 302 and response["Location"] == url("mention", claimed.pk)


def test_an_empty_reply_is_refused_and_nothing_is_sent(agent_client, claimed):
    response = agent_client.post(url("reply", claimed.pk), {"text": "   "})

    assert response.status_code == 400
    assert not Delivery.objects.exists()


def test_a_too_long_reply_is_refused_with_the_limit_and_the_text_kept(agent_client, claimed):
    text = "a" * 290
    response = agent_client.post(url("reply", claimed.pk), {"text": text})

    assert response.status_code == 400
    assert "the limit here is 280" in text_of(response) and text in text_of(response)


def test_a_public_reply_with_personal_data_is_stopped_and_offers_private(agent_client, claimed):
    response = agent_client.post(url("reply", claimed.pk), {"text": "Mail ons op jan@example.com"})

    page = text_of(response)
    assert response.status_code == 400
    assert "Personal data never goes in public" in page
    assert '<details class="card private" id="private-panel" open>' in page
    assert page.count("Mail ons op jan@example.com") >= 2, "the text is kept, and offered for the private message"
    assert not Delivery.objects.exists()


def test_reply_to_someone_elses_claim_says_who_has_it(client, other_agent, claimed):
    client.force_login(other_agent)

    response = client.post(url("reply", claimed.pk), {"text": "Dag!"})

    assert response.status_code == 409 and "Ana Vermeulen is working on this mention" in text_of(response)


def test_move_to_private_sends_the_message_and_the_pointer(agent_client, agent, fb_comment):
    mention_services.mention_claim(user=agent, mention_id=fb_comment.pk)

    response = agent_client.post(
        url("move-to-private", fb_comment.pk), {"private_text": "Wat is je klantnummer?", "public_text": "We sturen je een DM."}
    )

    private = Mention.objects.get(public_mention=fb_comment)
    assert response.status_code == 302 and response["Location"] == url("mention", private.pk)
    kinds = sorted(Delivery.objects.values_list("kind", flat=True))
    assert kinds == [DeliveryKind.PRIVATE_MESSAGE, DeliveryKind.REPLY]
    assert Delivery.objects.get(kind=DeliveryKind.REPLY).payload["text"] == "We sturen je een DM. ^AV"


def test_move_to_private_prefills_the_brands_pointer(agent_client, agent, fb_comment):
    mention_services.mention_claim(user=agent, mention_id=fb_comment.pk)

    page = text_of(agent_client.get(url("mention", fb_comment.pk)))

    assert "We have sent you a private message" in page or "We hebben je een privébericht" in page


def test_move_to_private_outside_the_window_explains_what_to_do(agent_client, agent, fb_account):
    old = mention_for(
        fb_account, author_id="fb-9", kind="comment", platform_id="1001_9",
        posted_at=timezone.now() - dt.timedelta(days=8),
    )
    mention_services.mention_claim(user=agent, mention_id=old.pk)

    response = agent_client.post(url("move-to-private", old.pk), {"private_text": "Hallo"})

    assert response.status_code == 400
    assert "Ask the customer in a public reply to send the page a private message" in text_of(response)
    assert not Delivery.objects.exists()


def test_close_needs_a_category(agent_client, claimed):
    response = agent_client.post(url("close", claimed.pk), {"category": ""})

    assert response.status_code == 400
    assert "Choose what this mention was about" in text_of(response)
    assert Mention.objects.get(pk=claimed.pk).status == S.CLAIMED


def test_close_with_a_category_goes_back_to_the_queue(agent_client, claimed, category):
    response = agent_client.post(url("close", claimed.pk), {"category": category.pk})

    assert response.status_code == 302 and response["Location"].startswith(url("queue"))
    assert Mention.objects.get(pk=claimed.pk).status == S.CLOSED


def test_reopen_gives_the_mention_back_to_the_agent(agent_client, agent, claimed, category):
    mention_services.mention_close(user=agent, mention_id=claimed.pk, category_id=category.pk)

    response = agent_client.post(url("reopen", claimed.pk))

    assert response.status_code == 302
    assert Mention.objects.get(pk=claimed.pk).status == S.CLAIMED


def test_reopen_of_an_open_mention_is_a_conflict(agent_client, claimed):
    assert agent_client.post(url("reopen", claimed.pk)).status_code == 409


def test_note_is_added_to_the_thread(agent_client, mention):
    response = agent_client.post(url("note", mention.pk), {"text": "Klant belde ook al"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200 and "Klant belde ook al" in text_of(response)
    assert Message.objects.filter(mention=mention, direction="note").count() == 1


def test_an_empty_note_is_refused(agent_client, mention):
    assert agent_client.post(url("note", mention.pk), {"text": ""}).status_code == 400


def test_tags_are_saved(agent_client, mention):
    agent_client.post(url("tags", mention.pk), {"tags": "storing, gent"})

    assert sorted(mention.tags.values_list("name", flat=True)) == ["gent", "storing"]


def test_undo_takes_the_answer_back(agent_client, agent, claimed):
    delivery = replies.mention_reply(user=agent, mention_id=claimed.pk, text="Oeps")

    response = agent_client.post(url("undo", delivery.pk), HTTP_HX_REQUEST="true")

    assert response.status_code == 200 and "Taken back" in text_of(response)
    assert Delivery.objects.get(pk=delivery.pk).state == DeliveryState.CANCELLED


def test_undo_too_late_says_so(agent_client, agent, claimed):
    delivery = replies.mention_reply(user=agent, mention_id=claimed.pk, text="Oeps")
    Delivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.SENDING)

    response = agent_client.post(url("undo", delivery.pk))

    assert response.status_code == 409 and "Too late to take this back" in text_of(response)


def test_undo_of_a_move_to_private_brings_back_the_public_mention(agent_client, agent, fb_comment):
    mention_services.mention_claim(user=agent, mention_id=fb_comment.pk)
    moved = replies.mention_move_to_private(user=agent, mention_id=fb_comment.pk, private_text="Hallo")

    response = agent_client.post(url("undo", moved.private_delivery.pk))

    assert response["Location"] == url("mention", fb_comment.pk)
    assert Mention.objects.get(pk=fb_comment.pk).status == S.CLAIMED


def test_undo_of_another_teams_delivery_is_404(client, agent, outsider, claimed):
    delivery = replies.mention_reply(user=agent, mention_id=claimed.pk, text="Oeps")
    client.force_login(outsider)

    assert client.post(url("undo", delivery.pk)).status_code == 404
    assert Delivery.objects.get(pk=delivery.pk).state == DeliveryState.PENDING


def test_an_inbound_public_post_with_personal_data_offers_hide(agent_client, agent, fb_account):
    mention = mention_for(fb_account, author_id="fb-5", kind="comment", platform_id="1001_5", text="Mijn IBAN is BE68 5390 0754 7034")
    page = text_of(agent_client.get(url("mention", mention.pk)))
    message = Message.objects.get(mention=mention)
    assert url("hide", message.pk) in page

    response = agent_client.post(url("hide", message.pk), HTTP_HX_REQUEST="true")

    assert response.status_code == 200 and "Hiding on the platform" in text_of(response)
    assert Delivery.objects.get(kind=DeliveryKind.HIDE).target_platform_id == "1001_5"


def test_hide_of_another_teams_message_is_404(client, outsider, fb_comment):
    client.force_login(outsider)
    message = Message.objects.get(mention=fb_comment)

    assert client.post(url("hide", message.pk)).status_code == 404


# --- Preferences ------------------------------------------------------------------


def test_the_language_switch_is_saved_on_the_user(agent_client, agent):
    agent_client.post(url("language"), {"language": "nl", "next": url("queue")})

    agent.refresh_from_db()
    assert agent.language == "nl"
    assert agent_client.get(url("queue")).context["LANGUAGE_CODE"] == "nl"


def test_the_language_switch_ignores_a_foreign_next(agent_client):
    response = agent_client.post(url("language"), {"language": "fr", "next": "https://evil.example/"})

    assert response["Location"] == url("queue")


def test_the_time_zone_is_saved_and_used(agent_client, agent, mention):
    agent_client.post(url("preferences"), {"language": "en", "time_zone": "America/New_York"})

    agent.refresh_from_db()
    assert agent.time_zone == "America/New_York"
    page = text_of(agent_client.get(url("mention", mention.pk)))
    local = timezone.localtime(mention.opened_at, timezone=__import__("zoneinfo").ZoneInfo("America/New_York"))
    assert local.isoformat()[:16] in page


def test_an_unknown_time_zone_is_refused(agent_client):
    assert agent_client.post(url("preferences"), {"language": "en", "time_zone": "Mars/Olympus"}).status_code == 400


def test_an_absurd_id_is_a_plain_404(agent_client):
    assert agent_client.get("/mentions/99999999999999999999999/").status_code == 404
    assert agent_client.post("/mentions/99999999999999999999999/claim/").status_code == 404


def test_a_tampered_cursor_with_an_absurd_id_is_not_an_error(agent_client, mention):
    import base64
    import json

    cursor = base64.urlsafe_b64encode(json.dumps([1, "2026-01-01T00:00:00+00:00", 10**30]).encode()).decode()
    assert agent_client.get(url("queue") + f"?cursor={cursor}").status_code == 200
