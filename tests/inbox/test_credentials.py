import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from inbox.crypto import CredentialsUnreadable
from inbox.models import SocialAccount

pytestmark = pytest.mark.django_db
CANARY = "TOK_CANARY_7f3a9c"


def test_credentials_are_encrypted_at_rest(x_account):
    x_account.set_credentials({"bearer_token": CANARY})
    x_account.save()

    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials_ciphertext FROM inbox_socialaccount WHERE id = %s", [x_account.pk])
        stored = cursor.fetchone()[0]
    assert CANARY not in stored
    assert SocialAccount.objects.get(pk=x_account.pk).get_credentials() == {"bearer_token": CANARY}


def test_credentials_rotate_to_a_new_key_and_old_ciphertext_stops_working(x_account, settings):
    x_account.set_credentials({"bearer_token": CANARY})
    x_account.save()
    old_key = settings.WEBCARE_CREDENTIALS_KEYS[0]
    new_key = Fernet.generate_key().decode()
    settings.WEBCARE_CREDENTIALS_KEYS = [new_key, old_key]

    call_command("rotate_credentials_key")

    settings.WEBCARE_CREDENTIALS_KEYS = [new_key]
    assert SocialAccount.objects.get(pk=x_account.pk).get_credentials() == {"bearer_token": CANARY}
    settings.WEBCARE_CREDENTIALS_KEYS = [old_key]
    with pytest.raises(CredentialsUnreadable):
        SocialAccount.objects.get(pk=x_account.pk).get_credentials()


def test_the_admin_never_shows_stored_credentials(x_account, admin_client):
    x_account.set_credentials({"bearer_token": CANARY})
    x_account.save()

    page = admin_client.get(f"/admin/inbox/socialaccount/{x_account.pk}/change/")

    assert page.status_code == 200
    assert CANARY not in page.content.decode()
    assert x_account.credentials_ciphertext not in page.content.decode()


def test_the_admin_stores_new_credentials_encrypted(x_account, admin_client):
    page = admin_client.get(f"/admin/inbox/socialaccount/{x_account.pk}/change/")
    form = page.context["adminform"].form
    data = {name: form.initial.get(name, "") for name in form.fields}
    data.update(
        brand=x_account.brand_id, team=x_account.team_id, keywords='["telvio"]', new_credentials=f'{{"bearer_token": "{CANARY}"}}',
        **{f"cursors-{k}": v for k, v in {"TOTAL_FORMS": 0, "INITIAL_FORMS": 0, "MIN_NUM_FORMS": 0, "MAX_NUM_FORMS": 0}.items()},
    )

    response = admin_client.post(f"/admin/inbox/socialaccount/{x_account.pk}/change/", data)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert SocialAccount.objects.get(pk=x_account.pk).get_credentials() == {"bearer_token": CANARY}
