"""The code of conduct and privacy pages, through the test client."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inbox.models import ConductCase, ConductStatus, Contact, DeliveryKind, Event, EventAction, Mention, MentionStatus
from inbox.services import mentions as mention_svc
from inbox.services.conduct import mention_send_house_rules
from tests.factories import agent_in

from .conftest import post

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def flagged(fb_account, agent, policy, house_rules):
    mention = post(fb_account, "Stelletje klootzakken, al drie weken geen tv", platform_id="c1")
    mention_svc.mention_claim(user=agent, mention_id=mention.pk)
    return mention


@pytest.fixture
def escalated(flagged, agent, fb_account):
    mention_send_house_rules(user=agent, mention_id=flagged.pk)
    post(fb_account, "Hou je bek, debielen", platform_id="c2", parent_platform_id="c1")
    return ConductCase.objects.get(mention=flagged)


def test_the_conduct_panel_offers_only_the_house_rules_as_public_answer(client, agent, flagged):
    client.force_login(agent)

    response = client.get(reverse("conduct:mention_panel", args=[flagged.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert "We helpen je graag" in body and reverse("conduct:mention_house_rules", args=[flagged.pk]) in body
    assert reverse("conduct:mention_clear", args=[flagged.pk]) in body


def test_sending_the_house_rules_over_htmx_returns_the_updated_panel(client, agent, flagged):
    client.force_login(agent)

    response = client.post(reverse("conduct:mention_house_rules", args=[flagged.pk]), **HTMX)

    assert response.status_code == 200
    assert "House rules sent" in response.content.decode()
    assert ConductCase.objects.get().status == ConductStatus.WARNED


def test_without_htmx_an_action_redirects_back_with_a_message(client, agent, flagged):
    client.force_login(agent)

    response = client.post(reverse("conduct:mention_house_rules", args=[flagged.pk]), {"next": "/somewhere/"})

    assert response.status_code == 302 and response["Location"] == "/somewhere/"


def test_an_off_site_next_is_ignored(client, agent, flagged):
    client.force_login(agent)

    response = client.post(reverse("conduct:mention_house_rules", args=[flagged.pk]), {"next": "https://evil.example/"})

    assert response["Location"] == reverse("conduct:mention_panel", args=[flagged.pk])


def test_a_refused_action_over_htmx_shows_the_reason_with_its_status(client, other_agent, flagged):
    client.force_login(other_agent)

    response = client.post(reverse("conduct:mention_house_rules", args=[flagged.pk]), **HTMX)

    assert response.status_code == 409
    assert "working on this mention" in response.content.decode()


def test_an_agent_flags_through_the_panel(client, agent, fb_account):
    mention = post(fb_account, "Jullie zijn slijmballen")
    client.force_login(agent)

    response = client.post(reverse("conduct:mention_flag", args=[mention.pk]), {"abuse_class": "insult"}, **HTMX)

    assert response.status_code == 200
    assert ConductCase.objects.get(mention=mention).reason == "agent_flag"


def test_a_bad_class_is_refused_without_a_500(client, agent, fb_account):
    mention = post(fb_account, "Jullie zijn slijmballen")
    client.force_login(agent)

    response = client.post(reverse("conduct:mention_flag", args=[mention.pk]), {"abuse_class": "rude"}, **HTMX)

    assert response.status_code == 400
    assert not ConductCase.objects.exists()


def test_another_teams_mention_panel_is_not_found(client, outsider, flagged):
    client.force_login(outsider)

    assert client.get(reverse("conduct:mention_panel", args=[flagged.pk])).status_code == 404


def test_the_personal_data_panel_offers_hide_and_move_together(client, agent, fb_account):
    mention = post(fb_account, "Bel me op 0470 12 34 56", platform_id="c7")
    mention_svc.mention_claim(user=agent, mention_id=mention.pk)
    client.force_login(agent)

    panel = client.get(reverse("conduct:personal_data_panel", args=[mention.pk])).content.decode()
    response = client.post(reverse("conduct:hide_and_move", args=[mention.pk]), {"private_text": "Ik bel je zo!"})

    assert "phone number" in panel and reverse("conduct:hide_and_move", args=[mention.pk]) in panel
    assert response.status_code == 302
    assert Mention.objects.get(pk=mention.pk).status == MentionStatus.CLOSED
    assert mention.deliveries.filter(kind=DeliveryKind.HIDE).count() == 1


def test_the_review_lists_escalations_in_a_fixed_number_of_queries(client, lead, escalated, fb_account, agent):
    client.force_login(lead)
    client.get(reverse("conduct:review"))  # warm the session and the user
    with CaptureQueriesContext(connection) as one:
        first = client.get(reverse("conduct:review"))
    for n in range(3):
        post(fb_account, f"Ik maak jullie allemaal af {n}", author_id=f"t{n}", platform_id=f"t{n}")
    with CaptureQueriesContext(connection) as four:
        second = client.get(reverse("conduct:review"))

    assert first.status_code == second.status_code == 200
    assert second.content.decode().count('<tr id="case-') == 4
    assert len(four.captured_queries) == len(one.captured_queries)


def test_the_review_is_for_leads(client, agent):
    client.force_login(agent)

    assert client.get(reverse("conduct:review")).status_code == 403


def test_a_lead_upholds_from_the_review(client, lead, escalated, abuse_category):
    client.force_login(lead)

    response = client.post(reverse("conduct:case_uphold", args=[escalated.pk]), {"category": abuse_category.pk})

    assert response.status_code == 302
    assert ConductCase.objects.get().status == ConductStatus.UPHELD


def test_upholding_without_a_category_tells_the_lead(client, lead, escalated):
    client.force_login(lead)

    response = client.post(reverse("conduct:case_uphold", args=[escalated.pk]), follow=True)

    assert "Choose what this mention was about" in response.content.decode()
    assert ConductCase.objects.get().status == ConductStatus.ESCALATED


def test_the_contact_page_shows_strikes_across_brands_and_platforms(client, lead, escalated):
    client.force_login(lead)

    response = client.get(reverse("conduct:contact", args=[escalated.contact_id]))

    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("<tr>") == 3  # header + the warning + the escalation
    assert "House rules sent" in body and "Escalated to the leads" in body


def test_the_contact_page_of_another_teams_contact_is_not_found(client, escalated, other_team):
    client.force_login(agent_in(other_team, role="lead", username="lars"))

    assert client.get(reverse("conduct:contact", args=[escalated.contact_id])).status_code == 404


def test_a_lead_links_a_contact_found_by_handle(client, lead, escalated, x_account):
    post(x_account, "Storing? @telvio", author_id="2001", kind="mention")
    other = Contact.objects.get(external_id="2001")
    client.force_login(lead)

    found = client.get(reverse("conduct:contact", args=[escalated.contact_id]), {"q": "user2001"}).content.decode()
    response = client.post(reverse("conduct:contact_link", args=[escalated.contact_id]), {"other": other.pk})

    assert reverse("conduct:contact_link", args=[escalated.contact_id]) in found
    assert response.status_code == 302
    assert Contact.objects.get(pk=other.pk).person_id == Contact.objects.get(pk=escalated.contact_id).person_id


def test_the_export_downloads_masked_json_and_is_audited(client, lead, escalated):
    client.force_login(lead)

    response = client.post(reverse("conduct:contact_export", args=[escalated.contact_id]))

    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert json.loads(response.content)["personal_data_masked"] is True
    assert Event.objects.filter(action=EventAction.CONTACT_EXPORTED, actor=lead).count() == 1


def test_erasing_needs_the_confirmation(client, lead, escalated):
    client.force_login(lead)

    client.post(reverse("conduct:contact_erase", args=[escalated.contact_id]), {"reference": "REQ-1"})
    assert Contact.objects.get(pk=escalated.contact_id).erased_at is None

    client.post(reverse("conduct:contact_erase", args=[escalated.contact_id]), {"reference": "REQ-1", "confirm": "on"})
    assert Contact.objects.get(pk=escalated.contact_id).erased_at is not None


def test_customer_text_is_escaped(client, lead, fb_account, policy):
    post(fb_account, "<script>alert(1)</script> ik maak jullie af", platform_id="x1")
    client.force_login(lead)

    body = client.get(reverse("conduct:review")).content.decode()

    assert "<script>alert(1)" not in body and "&lt;script&gt;" in body


def test_pages_need_a_login(client, escalated):
    response = client.get(reverse("conduct:review"))

    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_unlinking_from_a_contact_page_returns_to_that_page(client, lead, escalated, x_account):
    from inbox.services.contacts import contacts_link

    post(x_account, "Storing? @telvio", author_id="2001", kind="mention")
    other = Contact.objects.get(external_id="2001")
    contacts_link(user=lead, contact_id=escalated.contact_id, other_contact_id=other.pk)
    here = reverse("conduct:contact", args=[escalated.contact_id])
    client.force_login(lead)

    response = client.post(reverse("conduct:contact_unlink", args=[other.pk]), {"next": here})

    assert response["Location"] == here
    assert Contact.objects.get(pk=other.pk).person_id is None
