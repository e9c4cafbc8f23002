"""A team lead decides what became of a delivery whose outcome is unknown (needs_review)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from inbox.exceptions import Conflict, Invalid, NotAllowed, NotFound
from inbox.models import (
    Delivery,
    DeliveryKind,
    DeliveryState,
    Event,
    Mention,
    MentionStatus,
    Message,
    Role,
)
from inbox.services import deliveries, outbox
from inbox.services.mentions import mention_claim
from inbox.services.replies import mention_move_to_private, mention_reply
from tests.factories import UserFactory, agent_in, mention_for
from tests.inbox.test_claim_concurrency import run_in_threads

D = DeliveryState


@pytest.fixture
def scheduled(monkeypatch) -> list[int]:
    """What is handed to the workers (the broker is what leaves the process)."""
    calls: list[int] = []
    monkeypatch.setattr(outbox, "_enqueue", lambda delivery_id, countdown: calls.append(delivery_id))
    return calls


def lost_in_flight(delivery: Delivery, *, error_code: str = "cannot_verify") -> Delivery:
    """Claimed by a worker that then could not tell whether the platform has it."""
    Delivery.objects.filter(pk=delivery.pk).update(send_after=timezone.now())
    deliveries.delivery_claim_for_sending(delivery_id=delivery.pk)
    return deliveries.delivery_mark_needs_review(delivery_id=delivery.pk, error_code=error_code)


@pytest.fixture
def tweet(x_account) -> Mention:
    return mention_for(x_account, platform_id="7001", author_id="501", text="Mijn internet ligt plat")


@pytest.fixture
def unknown(tweet, agent) -> Delivery:
    mention_claim(user=agent, mention_id=tweet.pk)
    return lost_in_flight(mention_reply(user=agent, mention_id=tweet.pk, text="We kijken het na"))


def fresh(delivery: Delivery) -> Delivery:
    return Delivery.objects.get(pk=delivery.pk)


def decision(delivery: Delivery) -> Event:
    return Event.objects.filter(delivery_id=delivery.pk, from_status=D.NEEDS_REVIEW).get()


# --- it is on the platform ---------------------------------------------------------------------


def test_a_lead_confirms_it_is_on_the_platform_with_its_link(db, unknown, lead):
    deliveries.delivery_confirm_sent(
        user=lead, delivery_id=unknown.pk, platform_reference="https://x.com/telvio/status/1900000000000000123"
    )

    delivery = fresh(unknown)
    assert (delivery.state, delivery.platform_id) == (D.SENT, "1900000000000000123")
    assert Message.objects.get(pk=delivery.message_id).platform_id == "1900000000000000123"
    event = decision(unknown)
    assert (event.actor, event.to_status, event.reason) == (lead, D.SENT, "confirmed_by_lead")


def test_a_lead_confirms_without_an_id_and_it_is_never_sent_again(db, unknown, lead):
    deliveries.delivery_confirm_sent(user=lead, delivery_id=unknown.pk)

    delivery = fresh(unknown)
    assert (delivery.state, delivery.platform_id) == (D.SENT, f"confirmed:{unknown.pk}")
    assert Message.objects.get(pk=delivery.message_id).platform_id is None, "no made-up id on our message"
    assert deliveries.delivery_claim_for_sending(delivery_id=unknown.pk) is None


def test_confirming_leaves_the_mention_waiting_on_the_customer(db, unknown, lead, tweet):
    deliveries.delivery_confirm_sent(user=lead, delivery_id=unknown.pk)

    assert Mention.objects.get(pk=tweet.pk).status == MentionStatus.WAITING


def test_confirming_a_private_message_hands_its_public_pointer_to_the_workers(
    db, tweet, agent, lead, scheduled, django_capture_on_commit_callbacks
):
    mention_claim(user=agent, mention_id=tweet.pk)
    moved = mention_move_to_private(user=agent, mention_id=tweet.pk, private_text="Wat is je klantnummer?")
    lost_in_flight(moved.private_delivery, error_code="cannot_verify")
    scheduled.clear()

    with django_capture_on_commit_callbacks(execute=True):
        deliveries.delivery_confirm_sent(user=lead, delivery_id=moved.private_delivery.pk)

    assert scheduled == [moved.pointer_delivery.pk]
    assert fresh(moved.pointer_delivery).state == D.PENDING


@pytest.mark.parametrize(
    ("reference", "platform_id"),
    [
        ("", ""),
        ("  1900000000000000123 ", "1900000000000000123"),
        ("https://x.com/telvio/status/1900000000000000123?s=20", "1900000000000000123"),
        ("https://twitter.com/i/web/status/1900000000000000123", "1900000000000000123"),
        ("https://www.facebook.com/telvio/posts/2222?comment_id=3333", "2222_3333"),
        ("http://127.0.0.1:8400/_sandbox/facebook/posts/1001_5?comment_id=5_17", "5_17"),
        ("m_abc123", "m_abc123"),
    ],
)
def test_the_post_id_is_read_from_a_link_or_taken_as_it_is(reference, platform_id):
    assert deliveries.platform_id_from_reference(reference) == platform_id


@pytest.mark.parametrize("reference", ["https://x.com/telvio", "javascript:alert(1)", "twee woorden", "x" * 200])
def test_a_reference_that_holds_no_id_is_refused(db, unknown, lead, reference):
    with pytest.raises(Invalid) as refused:
        deliveries.delivery_confirm_sent(user=lead, delivery_id=unknown.pk, platform_reference=reference)

    assert refused.value.code == "bad_reference"
    assert fresh(unknown).state == D.NEEDS_REVIEW


def test_an_id_that_belongs_to_another_message_is_refused(db, unknown, lead):
    with pytest.raises(Invalid) as refused:
        deliveries.delivery_confirm_sent(user=lead, delivery_id=unknown.pk, platform_reference="7001")

    assert refused.value.code == "platform_id_taken"
    assert fresh(unknown).state == D.NEEDS_REVIEW


# --- it is not there: send it again ---------------------------------------------------------


def test_a_lead_sends_it_again_and_the_workers_get_it_now(db, unknown, lead, scheduled,
                                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        deliveries.delivery_send_again(user=lead, delivery_id=unknown.pk)

    delivery = fresh(unknown)
    assert delivery.state == D.PENDING and delivery.send_after <= timezone.now()
    assert (delivery.lease_until, delivery.error_code) == (None, "")
    assert scheduled == [unknown.pk]
    event = decision(unknown)
    assert (event.actor, event.to_status, event.reason) == (lead, D.PENDING, "send_again_by_lead")
    assert deliveries.delivery_claim_for_sending(delivery_id=unknown.pk) is not None


def test_a_delivery_with_a_platform_id_is_never_sent_again(db, unknown, lead, scheduled):
    Delivery.objects.filter(pk=unknown.pk).update(platform_id="1900000000000000999")

    with pytest.raises(Conflict) as refused:
        deliveries.delivery_send_again(user=lead, delivery_id=unknown.pk)

    assert refused.value.code == "already_on_platform"
    assert fresh(unknown).state == D.NEEDS_REVIEW and scheduled == []


# --- leave it ---------------------------------------------------------------------------------


def test_a_lead_gives_up_and_the_agent_gets_the_mention_back(db, unknown, lead, agent, tweet):
    deliveries.delivery_give_up(user=lead, delivery_id=unknown.pk)

    delivery = fresh(unknown)
    assert (delivery.state, delivery.error_code) == (D.FAILED, "given_up")
    assert "Look on the platform first" in delivery.last_error
    mention = Mention.objects.get(pk=tweet.pk)
    assert (mention.status, mention.assignee) == (MentionStatus.CLAIMED, agent)
    event = decision(unknown)
    assert (event.actor, event.to_status, event.reason) == (lead, D.FAILED, "given_up")


def test_giving_up_on_a_private_message_gives_up_its_public_pointer_and_reopens_the_public_mention(
    db, tweet, agent, lead
):
    mention_claim(user=agent, mention_id=tweet.pk)
    moved = mention_move_to_private(user=agent, mention_id=tweet.pk, private_text="Wat is je klantnummer?")
    lost_in_flight(moved.private_delivery)

    deliveries.delivery_give_up(user=lead, delivery_id=moved.private_delivery.pk)

    assert (fresh(moved.pointer_delivery).state, fresh(moved.pointer_delivery).error_code) == (
        D.FAILED, "dependency_failed")
    assert Mention.objects.get(pk=moved.private_mention.pk).status == MentionStatus.CLOSED
    assert Mention.objects.get(pk=tweet.pk).status == MentionStatus.CLAIMED


# --- who may, and when ---------------------------------------------------------------------------

DECISIONS = [deliveries.delivery_confirm_sent, deliveries.delivery_send_again, deliveries.delivery_give_up]


@pytest.mark.parametrize("decide", DECISIONS)
def test_an_agent_cannot_decide(db, unknown, agent, decide):
    with pytest.raises(NotAllowed):
        decide(user=agent, delivery_id=unknown.pk)

    assert fresh(unknown).state == D.NEEDS_REVIEW


@pytest.mark.parametrize("decide", DECISIONS)
def test_a_lead_of_another_team_does_not_see_it(db, unknown, other_team, decide):
    elsewhere = agent_in(other_team, role=Role.LEAD, username="otto")

    with pytest.raises(NotFound):
        decide(user=elsewhere, delivery_id=unknown.pk)


def test_an_admin_may_decide_in_any_team(db, unknown):
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)

    deliveries.delivery_give_up(user=admin, delivery_id=unknown.pk)

    assert fresh(unknown).state == D.FAILED


@pytest.mark.parametrize("decide", DECISIONS)
def test_a_delivery_that_does_not_need_review_is_left_alone(db, tweet, agent, lead, decide):
    mention_claim(user=agent, mention_id=tweet.pk)
    pending = mention_reply(user=agent, mention_id=tweet.pk, text="Nog in het undo-venster")

    with pytest.raises(Conflict) as refused:
        decide(user=lead, delivery_id=pending.pk)

    assert refused.value.code == "already_decided"
    assert fresh(pending).state == D.PENDING


def test_the_lead_who_decides_second_is_told_who_decided_first(db, unknown, lead, team):
    second = agent_in(team, role=Role.LEAD, username="luc", first_name="Luc")
    deliveries.delivery_confirm_sent(user=lead, delivery_id=unknown.pk)

    with pytest.raises(Conflict) as refused:
        deliveries.delivery_send_again(user=second, delivery_id=unknown.pk)

    assert refused.value.data["current_state"] == D.SENT
    assert refused.value.message == "Lea decided first: this delivery is now “Sent”."


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_leads_deciding_at_once_one_wins_and_one_is_told(x_account, team, agent):
    tweet = mention_for(x_account, platform_id="7002", author_id="502")
    mention_claim(user=agent, mention_id=tweet.pk)
    delivery = lost_in_flight(mention_reply(user=agent, mention_id=tweet.pk, text="We kijken het na"))
    leads = [agent_in(team, role=Role.LEAD, username=f"lead{i}") for i in range(2)]
    choices = [deliveries.delivery_confirm_sent, deliveries.delivery_send_again]

    def decide(index: int) -> str:
        try:
            choices[index](user=leads[index], delivery_id=delivery.pk)
            return "won"
        except Conflict as refused:
            assert refused.code == "already_decided"
            return "lost"

    outcomes = run_in_threads(2, decide)

    assert sorted(outcomes) == ["lost", "won"]
    assert Event.objects.filter(delivery_id=delivery.pk, from_status=D.NEEDS_REVIEW).count() == 1
    assert fresh(delivery).state in (D.SENT, D.PENDING)


def test_hiding_confirmed_on_the_platform_marks_the_message_hidden(db, tweet, agent, lead):
    from inbox.services.moderation import message_hide

    message = tweet.messages.get()
    lost_in_flight(message_hide(user=agent, message_id=message.pk))
    hide = Delivery.objects.get(kind=DeliveryKind.HIDE)

    deliveries.delivery_confirm_sent(user=lead, delivery_id=hide.pk, platform_reference="ignored for a hide")

    assert fresh(hide).state == D.SENT and fresh(hide).platform_id is None
    assert Message.objects.get(pk=message.pk).hidden
