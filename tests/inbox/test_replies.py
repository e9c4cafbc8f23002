import datetime as dt

import pytest
from django.utils import timezone

from inbox.exceptions import Conflict, Invalid, NotAllowed
from inbox.models import (
    BrandText,
    Delivery,
    DeliveryKind,
    DeliveryState,
    Event,
    EventAction,
    Mention,
    MentionStatus,
    Visibility,
)
from inbox.services import mentions as mention_svc
from inbox.services import replies as svc
from inbox.services.transitions import delivery_transition
from tests.factories import mention_for

S = MentionStatus
pytestmark = pytest.mark.django_db


@pytest.fixture
def claimed(x_account, agent):
    mention = mention_for(x_account, platform_id="1500", author_id="77")
    mention_svc.mention_claim(user=agent, mention_id=mention.pk)
    return mention


def test_reply_queues_a_signed_delivery_behind_the_undo_window(claimed, agent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        delivery = svc.mention_reply(user=agent, mention_id=claimed.pk, text="Sorry! We kijken het na.")

    assert (delivery.kind, delivery.state, delivery.target_platform_id) == ("reply", "pending", "1500")
    assert delivery.payload["text"] == "Sorry! We kijken het na. ^AV"
    assert delivery.message.text == "Sorry! We kijken het na. ^AV"
    assert 9 <= (delivery.send_after - delivery.created_at).total_seconds() <= 11
    assert len(callbacks) == 1, "the send task is enqueued only after commit"


def test_reply_moves_the_mention_to_waiting_on_customer(claimed, agent):
    svc.mention_reply(user=agent, mention_id=claimed.pk, text="Dag!")

    mention = Mention.objects.get(pk=claimed.pk)
    assert (mention.status, mention.waiting_since) == (S.WAITING, None)
    assert mention.first_response_at is not None
    event = Event.objects.filter(mention=mention).latest("id")
    assert (event.action, event.from_status, event.to_status) == ("replied", "claimed", "waiting")


def test_a_second_reply_while_waiting_is_logged_without_a_status_change(claimed, agent):
    svc.mention_reply(user=agent, mention_id=claimed.pk, text="Dag!")

    svc.mention_reply(user=agent, mention_id=claimed.pk, text="Nog iets: herstart je modem.")

    assert Delivery.objects.filter(mention=claimed).count() == 2
    assert Event.objects.filter(mention=claimed, action=EventAction.REPLIED).count() == 2


def test_reply_without_a_claim_is_refused(x_account, agent):
    mention = mention_for(x_account)

    with pytest.raises(Conflict) as refused:
        svc.mention_reply(user=agent, mention_id=mention.pk, text="Dag!")

    assert refused.value.code == "not_claimed"


def test_reply_to_someone_elses_claim_says_who_has_it(claimed, other_agent):
    with pytest.raises(Conflict) as refused:
        svc.mention_reply(user=other_agent, mention_id=claimed.pk, text="Dag!")

    assert refused.value.code == "claimed_by_other" and "Ana" in refused.value.message


def test_empty_reply_is_refused(claimed, agent):
    with pytest.raises(Invalid):
        svc.mention_reply(user=agent, mention_id=claimed.pk, text="  \n ")


def test_reply_over_the_x_limit_is_refused_with_the_numbers(claimed, agent):
    with pytest.raises(Invalid) as refused:
        svc.mention_reply(user=agent, mention_id=claimed.pk, text="a" * 277)

    assert refused.value.code == "too_long"
    assert (refused.value.data["length"], refused.value.data["limit"]) == (281, 280)
    assert not Delivery.objects.exists()


def test_public_reply_with_personal_data_is_refused(claimed, agent):
    with pytest.raises(Invalid) as refused:
        svc.mention_reply(user=agent, mention_id=claimed.pk, text="Bel ons op +32 470 12 34 56")

    assert refused.value.code == "personal_data"
    assert "move the conversation to private" in refused.value.message


def test_a_keyword_hit_that_x_will_not_let_us_answer_is_refused(x_account, agent):
    mention = mention_for(x_account, kind="keyword", public_reply_allowed=False)
    mention_svc.mention_claim(user=agent, mention_id=mention.pk)

    with pytest.raises(Invalid) as refused:
        svc.mention_reply(user=agent, mention_id=mention.pk, text="Dag!")

    assert refused.value.code == "reply_not_allowed"


def test_reply_in_a_messenger_thread_uses_the_standard_window(fb_account, agent):
    mention = mention_for(fb_account, kind="private", thread_id="t_1", author_id="psid9")
    mention_svc.mention_claim(user=agent, mention_id=mention.pk)

    delivery = svc.mention_reply(user=agent, mention_id=mention.pk, text="Hallo")

    assert delivery.kind == DeliveryKind.PRIVATE_MESSAGE
    assert delivery.payload["recipient"] == {"id": "psid9"}
    assert delivery.payload["messaging_type"] == "RESPONSE"


def test_messenger_reply_after_a_day_uses_the_human_agent_tag(fb_account, agent):
    mention = mention_for(
        fb_account, kind="private", thread_id="t_1", author_id="psid9", posted_at=timezone.now() - dt.timedelta(days=3)
    )
    mention_svc.mention_claim(user=agent, mention_id=mention.pk)

    delivery = svc.mention_reply(user=agent, mention_id=mention.pk, text="Hallo")

    assert (delivery.payload["messaging_type"], delivery.payload["tag"]) == ("MESSAGE_TAG", "HUMAN_AGENT")


def test_messenger_reply_after_seven_days_is_refused_with_what_to_do(fb_account, agent):
    mention = mention_for(
        fb_account, kind="private", thread_id="t_1", author_id="psid9", posted_at=timezone.now() - dt.timedelta(days=8)
    )
    mention_svc.mention_claim(user=agent, mention_id=mention.pk)

    with pytest.raises(Invalid) as refused:
        svc.mention_reply(user=agent, mention_id=mention.pk, text="Hallo")

    assert refused.value.code == "window_closed"


def test_move_to_private_sends_the_message_then_the_public_pointer(fb_account, agent):
    mention = mention_for(fb_account, kind="comment", platform_id="1001_5_9", author_id="fbuser")
    mention_svc.mention_claim(user=agent, mention_id=mention.pk)
    BrandText.objects.create(brand=fb_account.brand, kind="private_pointer", language="nl", text="We stuurden je een PB.")

    moved = svc.mention_move_to_private(user=agent, mention_id=mention.pk, private_text="Wat is je klantnummer?")

    private = moved.private_mention
    assert (private.visibility, private.status, private.assignee, private.public_mention) == (
        Visibility.PRIVATE, S.WAITING, agent, mention,
    )
    assert moved.private_delivery.payload["recipient"] == {"comment_id": "1001_5_9"}
    assert moved.pointer_delivery.depends_on == moved.private_delivery
    assert moved.pointer_delivery.payload["text"] == "We stuurden je een PB. ^AV"
    public = Mention.objects.get(pk=mention.pk)
    assert public.status == S.CLOSED
    assert Event.objects.filter(mention=public).latest("id").reason == "moved_to_private"


def test_move_to_private_on_x_opens_the_dm_conversation_with_the_author(x_account, agent, claimed):
    moved = svc.mention_move_to_private(user=agent, mention_id=claimed.pk, private_text="Stuur je adres?")

    assert moved.private_delivery.payload["participant_id"] == "77"
    assert moved.private_mention.platform_thread_id == "42-77"


def test_move_to_private_refuses_a_facebook_comment_older_than_seven_days(fb_account, agent):
    mention = mention_for(fb_account, kind="comment", posted_at=timezone.now() - dt.timedelta(days=8))
    mention_svc.mention_claim(user=agent, mention_id=mention.pk)

    with pytest.raises(Invalid) as refused:
        svc.mention_move_to_private(user=agent, mention_id=mention.pk, private_text="Hallo")

    assert refused.value.code == "window_closed"
    assert Mention.objects.count() == 1


def test_facebook_allows_one_private_reply_per_comment(fb_account, agent, lead):
    mention = mention_for(fb_account, kind="comment", platform_id="1001_5_1")
    mention_svc.mention_claim(user=agent, mention_id=mention.pk)
    svc.mention_move_to_private(user=agent, mention_id=mention.pk, private_text="Hallo")
    mention_svc.mention_reopen(user=agent, mention_id=mention.pk)

    with pytest.raises(Invalid) as refused:
        svc.mention_move_to_private(user=agent, mention_id=mention.pk, private_text="Nog eens")

    assert refused.value.code == "private_reply_used"


def test_undo_cancels_the_delivery_and_gives_the_mention_back(claimed, agent):
    delivery = svc.mention_reply(user=agent, mention_id=claimed.pk, text="Oeps")

    svc.delivery_undo(user=agent, delivery_id=delivery.pk)

    delivery.refresh_from_db()
    mention = Mention.objects.get(pk=claimed.pk)
    assert delivery.state == DeliveryState.CANCELLED
    assert (mention.status, mention.assignee) == (S.CLAIMED, agent)
    assert mention.waiting_since is not None


def test_undo_is_refused_once_a_worker_is_sending(claimed, agent):
    delivery = svc.mention_reply(user=agent, mention_id=claimed.pk, text="Oeps")
    delivery_transition(delivery=delivery, to=DeliveryState.SENDING, allowed_from={DeliveryState.PENDING})

    with pytest.raises(Conflict) as refused:
        svc.delivery_undo(user=agent, delivery_id=delivery.pk)

    assert refused.value.code == "too_late"


def test_undo_by_another_agent_is_refused(claimed, agent, other_agent):
    delivery = svc.mention_reply(user=agent, mention_id=claimed.pk, text="Oeps")

    with pytest.raises(NotAllowed):
        svc.delivery_undo(user=other_agent, delivery_id=delivery.pk)


def test_undo_of_a_move_to_private_reopens_the_public_mention(fb_account, agent):
    mention = mention_for(fb_account, kind="comment")
    mention_svc.mention_claim(user=agent, mention_id=mention.pk)
    moved = svc.mention_move_to_private(user=agent, mention_id=mention.pk, private_text="Hallo")

    svc.delivery_undo(user=agent, delivery_id=moved.private_delivery.pk)

    assert Delivery.objects.get(pk=moved.pointer_delivery.pk).state == DeliveryState.CANCELLED
    assert Mention.objects.get(pk=mention.pk).status == S.CLAIMED
    assert Mention.objects.get(pk=moved.private_mention.pk).status == S.CLOSED


def test_a_delivery_state_change_is_logged_and_a_stale_one_loses(claimed, agent):
    delivery = svc.mention_reply(user=agent, mention_id=claimed.pk, text="Dag")
    stale = Delivery.objects.get(pk=delivery.pk)
    delivery_transition(delivery=delivery, to=DeliveryState.SENDING, allowed_from={DeliveryState.PENDING})

    with pytest.raises(Conflict):
        delivery_transition(delivery=stale, to=DeliveryState.SENDING, allowed_from={DeliveryState.PENDING})

    event = Event.objects.filter(delivery=delivery).get()
    assert (event.from_status, event.to_status) == ("pending", "sending")
