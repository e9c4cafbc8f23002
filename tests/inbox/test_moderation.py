import pytest

from inbox.exceptions import Invalid, NotFound
from inbox.models import Delivery, DeliveryKind, Message
from inbox.services.moderation import message_hide, message_unhide
from tests.factories import mention_for

pytestmark = pytest.mark.django_db


def test_hiding_a_comment_queues_one_hide_delivery_right_away(fb_account, agent, django_capture_on_commit_callbacks):
    mention = mention_for(fb_account, kind="comment", platform_id="1001_5_7")
    message = Message.objects.get(mention=mention)

    with django_capture_on_commit_callbacks() as callbacks:
        delivery = message_hide(user=agent, message_id=message.pk, reason="personal_data")

    assert (delivery.kind, delivery.state, delivery.target_platform_id) == ("hide", "pending", "1001_5_7")
    assert delivery.send_after <= delivery.created_at
    assert len(callbacks) == 1


def test_hiding_twice_gives_one_delivery(fb_account, agent):
    message = Message.objects.get(mention=mention_for(fb_account, kind="comment"))

    first = message_hide(user=agent, message_id=message.pk)
    second = message_hide(user=agent, message_id=message.pk)

    assert first.pk == second.pk
    assert Delivery.objects.filter(kind=DeliveryKind.HIDE).count() == 1


def test_unhide_is_its_own_delivery(fb_account, agent):
    message = Message.objects.get(mention=mention_for(fb_account, kind="comment"))
    message_hide(user=agent, message_id=message.pk)

    assert message_unhide(user=agent, message_id=message.pk).kind == DeliveryKind.UNHIDE


def test_a_private_message_cannot_be_hidden(fb_account, agent):
    message = Message.objects.get(mention=mention_for(fb_account, kind="private", thread_id="t_1"))

    with pytest.raises(Invalid):
        message_hide(user=agent, message_id=message.pk)


def test_another_teams_message_is_not_found(fb_account, outsider):
    message = Message.objects.get(mention=mention_for(fb_account, kind="comment"))

    with pytest.raises(NotFound):
        message_hide(user=outsider, message_id=message.pk)
