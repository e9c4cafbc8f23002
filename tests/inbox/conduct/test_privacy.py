"""A contact's data: exported on request, erased for good (mentions kept, anonymised), audited."""

import datetime as dt

import pytest
from django.apps import apps
from django.db import models
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone

from connectors.base import RemotePost
from inbox.exceptions import Conflict, NotAllowed, NotFound
from inbox.models import (
    ConductCase,
    Contact,
    Delivery,
    DeliveryKind,
    DeliveryState,
    Event,
    EventAction,
    Mention,
    MentionStatus,
    Strike,
)
from inbox.services import mentions as mention_svc
from inbox.services.conduct import mention_send_house_rules
from inbox.services.contacts import contacts_link
from inbox.services.ingest import messages_ingest
from inbox.services.screening import conduct_pending_process
from inbox.services.privacy import contact_erase, contact_export, mention_hide_and_move_to_private
from inbox.services.replies import mention_reply
from tests.factories import remote_message

from .conftest import post

pytestmark = pytest.mark.django_db
CANARY = "zqcanary"


def canary(tag: str) -> str:
    return f"{CANARY}{tag}"


def all_text_columns():
    """Every text, char and JSON column of every table Django knows."""
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField | models.JSONField):
                yield model, field


def rows_holding(needle: str) -> list[str]:
    found = []
    for model, field in all_text_columns():
        rows = model._base_manager.all()
        if isinstance(field, models.JSONField):
            rows = rows.annotate(_as_text=Cast(field.name, TextField())).filter(_as_text__icontains=needle)
        else:
            rows = rows.filter(**{f"{field.name}__icontains": needle})
        found += [f"{model._meta.label}.{field.name}#{pk}" for pk in rows.values_list("pk", flat=True)]
    return found


@pytest.fixture
def planted(fb_account, x_account, agent, lead, policy, category):
    """A contact whose data sits in every place Webcare keeps it, each piece marked with a canary."""
    author = {"author_id": canary("fbid")}
    own_post = remote_message(
        platform_id=canary("post1"), kind="page_post", text=f"Mijn post {canary('posttext')} bel 0470 12 34 56",
        permalink=f"https://facebook.example/{canary('permalink')}", raw={"from": {"name": canary("rawname")}},
        **author,
    )
    messages_ingest(account_id=fb_account.pk, items=[own_post])
    comment = remote_message(
        platform_id=canary("comment1"), kind="comment", text=f"Stelletje klootzakken {canary('commenttext')}",
        parent_platform_id=canary("post1"),
        context_post=RemotePost(platform_id=canary("post1"), text=canary("contextpost"), is_own=False,
                                author_name=f"Sofie {canary('postauthor')}",
                                permalink=f"https://facebook.example/{canary('postlink')}",
                                raw={"from": {"id": canary("fbid")}}),
        **author,
    )
    messages_ingest(account_id=fb_account.pk, items=[comment])
    conduct_pending_process()  # what the worker does after ingest commits
    mention = Mention.objects.get(messages__platform_id=canary("comment1"))
    mention_svc.mention_claim(user=agent, mention_id=mention.pk)
    house_rules = mention_send_house_rules(user=agent, mention_id=mention.pk)
    Delivery.objects.filter(pk=house_rules.pk).update(
        state=DeliveryState.SENT, platform_id=canary("replyid"), last_error=canary("error"), sent_at=timezone.now())
    mention_svc.mention_add_note(user=agent, mention_id=mention.pk, text=f"Belde haar, {canary('note')}")
    # A follow-up to the answered (waiting) thread: the mention's preview changes through a transition.
    messages_ingest(account_id=fb_account.pk, items=[remote_message(
        platform_id=canary("comment2"), kind="comment", text=f"Ok sorry {canary('followup')}",
        parent_platform_id=canary("comment1"), **author)])
    # A private thread with a pending answer, and their DM conversation id.
    dm = remote_message(platform_id=canary("dm1"), kind="private", thread_id=canary("thread"),
                        text=f"Privé {canary('dmtext')}", **author)
    messages_ingest(account_id=fb_account.pk, items=[dm])
    private = Mention.objects.get(messages__platform_id=canary("dm1"))
    assert private.status == MentionStatus.ESCALATED  # "after warning": the lead decides who helps
    mention_svc.mention_assign(user=lead, mention_id=private.pk, assignee_id=agent.pk)
    mention_reply(user=agent, mention_id=private.pk, text=f"Dag Sofie, {canary('ourreply')}")
    # Someone else quoting them, by handle and in the platform payload.
    messages_ingest(account_id=fb_account.pk, items=[remote_message(
        platform_id="other1", kind="comment", author_id="777", text=f"@{canary('handle')} heeft gelijk!",
        raw={"in_reply_to": {"id": canary("fbid"), "name": f"Sofie {canary('name')}"}})])
    contact = Contact.objects.get(external_id=canary("fbid"))
    Contact.objects.filter(pk=contact.pk).update(handle=canary("handle"), name=f"Sofie {canary('name')}")
    return Contact.objects.get(pk=contact.pk)


def test_erasure_leaves_nothing_identifying_behind(planted, lead):
    planted_in = {row.split("#")[0] for row in rows_holding(CANARY)}
    assert planted_in >= {  # the canaries really were planted everywhere the contact's data lives
        "inbox.Contact.external_id", "inbox.Contact.handle", "inbox.Contact.name",
        "inbox.Mention.preview", "inbox.Mention.platform_thread_id",
        "inbox.Message.text", "inbox.Message.raw", "inbox.Message.permalink", "inbox.Message.platform_id",
        "inbox.Message.parent_platform_id",
        "inbox.Post.text", "inbox.Post.author_name", "inbox.Post.raw", "inbox.Post.permalink", "inbox.Post.platform_id",
        "inbox.Delivery.payload", "inbox.Delivery.target_platform_id", "inbox.Delivery.platform_id",
        "inbox.Delivery.last_error",
    }

    contact_erase(actor=None, contact_id=planted.pk, reference="REQ-2024-17")

    assert rows_holding(CANARY) == []


def test_erasure_keeps_the_mentions_anonymised_for_the_statistics(planted):
    before = list(Mention.objects.order_by("pk").values_list("pk", "kind", "status", "account_id", "team_id",
                                                               "opened_at", "is_abusive", "has_personal_data"))

    contact_erase(actor=None, contact_id=planted.pk)

    after = list(Mention.objects.order_by("pk").values_list("pk", "kind", "status", "account_id", "team_id",
                                                              "opened_at", "is_abusive", "has_personal_data"))
    assert before == after
    erased = Contact.objects.get(pk=planted.pk)
    assert erased.erased_at and erased.external_id == f"erased:{planted.pk}" and erased.handle == erased.name == ""
    assert Mention.objects.filter(contact=erased).count() == 2  # their page post (with their comment) and the DM
    assert Strike.objects.filter(contact=erased).count() == 1 and ConductCase.objects.filter(contact=erased).exists()


def test_erasure_is_audited_without_personal_data_and_safe_to_repeat(planted):
    first = contact_erase(actor=None, contact_id=planted.pk, reference="REQ-17")
    second = contact_erase(actor=None, contact_id=planted.pk, reference="REQ-17")

    event = Event.objects.get(action=EventAction.CONTACT_ERASED)
    assert event.contact_id == planted.pk and event.data["reference"] == "REQ-17"
    assert event.data["mentions"] == first.mentions == 2
    assert second.already_erased


def test_erasure_cancels_an_answer_still_waiting_to_leave(planted):
    pending = Delivery.objects.get(state=DeliveryState.PENDING, kind=DeliveryKind.PRIVATE_MESSAGE)

    contact_erase(actor=None, contact_id=planted.pk)

    assert Delivery.objects.get(pk=pending.pk).state == DeliveryState.CANCELLED


def test_erasure_waits_for_an_answer_that_is_being_sent(planted):
    Delivery.objects.filter(state=DeliveryState.PENDING).update(state=DeliveryState.SENDING)

    with pytest.raises(Conflict):
        contact_erase(actor=None, contact_id=planted.pk)
    assert Contact.objects.get(pk=planted.pk).erased_at is None


def test_a_lead_of_every_team_the_contact_wrote_to_may_erase(planted, lead):
    assert not contact_erase(actor=lead, contact_id=planted.pk).already_erased


def test_an_agent_may_not_erase(planted, agent):
    with pytest.raises(NotFound):
        contact_erase(actor=agent, contact_id=planted.pk)


def test_a_lead_of_only_one_of_the_contacts_teams_may_not_erase(planted, lead, other_team):
    from tests.factories import SocialAccountFactory

    elsewhere = SocialAccountFactory(team=other_team, platform="facebook", external_id="3003")
    messages_ingest(account_id=elsewhere.pk, items=[remote_message(author_id=planted.external_id, kind="comment")])

    with pytest.raises(NotAllowed):
        contact_erase(actor=lead, contact_id=planted.pk)


def test_a_reference_with_a_name_in_it_is_refused(planted):
    from inbox.exceptions import Invalid

    with pytest.raises(Invalid):
        contact_erase(actor=None, contact_id=planted.pk, reference="request from Sofie Peeters")


def test_the_export_has_everything_with_personal_data_masked(planted, lead):
    data = contact_export(actor=lead, contact_id=planted.pk)

    assert data["contact"]["handle"] == canary("handle")
    texts = [m["text"] for mention in data["mentions"] for m in mention["messages"]]
    assert any("[phone]" in text for text in texts) and not any("0470" in text for text in texts)
    assert not any(canary("note") in text for text in texts)  # internal notes stay internal
    assert data["code_of_conduct"]["strikes"][0]["kind"] == "warning"
    event = Event.objects.get(action=EventAction.CONTACT_EXPORTED)
    assert (event.actor, event.data["masked"]) == (lead, True)


def test_only_an_admin_exports_unmasked(planted, lead):
    with pytest.raises(NotAllowed):
        contact_export(actor=lead, contact_id=planted.pk, masked=False)


def test_the_export_from_the_command_line_can_be_unmasked(planted):
    data = contact_export(actor=None, contact_id=planted.pk, masked=False)

    assert any("0470 12 34 56" in m["text"] for mention in data["mentions"] for m in mention["messages"])


def test_a_contact_erased_is_no_longer_linked(planted, lead, x_account):
    messages_ingest(account_id=x_account.pk, items=[remote_message(author_id="2001")])
    other = Contact.objects.get(external_id="2001")
    contacts_link(user=lead, contact_id=planted.pk, other_contact_id=other.pk)

    contact_erase(actor=None, contact_id=planted.pk)

    assert Contact.objects.get(pk=planted.pk).person_id is None
    assert Contact.objects.get(pk=other.pk).person_id is None  # a person of one is no person


def test_hide_and_move_to_private_happen_together(fb_account, agent):
    mention = post(fb_account, "Bel me op 0470 12 34 56, dringend!", platform_id="c1")
    mention_svc.mention_claim(user=agent, mention_id=mention.pk)

    moved, hides = mention_hide_and_move_to_private(user=agent, mention_id=mention.pk,
                                                    private_text="Ik bel je zo, tot straks!")

    assert [h.target_platform_id for h in hides] == ["c1"]
    assert moved.private_delivery.kind == DeliveryKind.PRIVATE_MESSAGE
    assert Mention.objects.get(pk=mention.pk).status == MentionStatus.CLOSED


def test_hide_and_move_to_private_is_all_or_nothing(fb_account, agent):
    mention = post(fb_account, "Bel me op 0470 12 34 56", platform_id="c1",
                   posted_at=timezone.now() - dt.timedelta(days=8))
    mention_svc.mention_claim(user=agent, mention_id=mention.pk)

    from inbox.exceptions import Invalid

    with pytest.raises(Invalid):  # Facebook's 7-day private-reply window has closed
        mention_hide_and_move_to_private(user=agent, mention_id=mention.pk, private_text="Ik bel je")

    assert not Delivery.objects.filter(kind=DeliveryKind.HIDE).exists()
