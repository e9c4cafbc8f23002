import pytest
from django.contrib import admin

from inbox import models as m
from tests.factories import mention_for

pytestmark = pytest.mark.django_db


def test_every_inbox_model_is_in_the_admin():
    from django.apps import apps

    missing = [model.__name__ for model in apps.get_app_config("inbox").get_models() if not admin.site.is_registered(model)]
    assert not missing


@pytest.mark.parametrize("model", [m.Mention, m.Message, m.Delivery, m.Event, m.Contact, m.PollCursor])
def test_admin_lists_of_work_items_render(admin_client, x_account, model):
    mention_for(x_account)

    response = admin_client.get(f"/admin/inbox/{model._meta.model_name}/")

    assert response.status_code == 200


def test_work_items_cannot_be_edited_in_the_admin(admin_client, x_account):
    mention = mention_for(x_account)

    response = admin_client.post(f"/admin/inbox/mention/{mention.pk}/change/", {"status": "closed"})

    assert response.status_code == 403
    assert m.Mention.objects.get(pk=mention.pk).status == "new"
