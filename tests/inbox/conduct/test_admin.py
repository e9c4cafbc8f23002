"""Admins configure the detectors and the policy; contacts are exported and erased from the admin too."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from inbox.models import AbuseTerm, ConductPolicy, Contact, CustomerNumberPattern, Event, EventAction

from .conftest import post

pytestmark = pytest.mark.django_db


def test_an_abuse_term_with_an_unsafe_pattern_is_refused(brand):
    term = AbuseTerm(brand=brand, abuse_class="insult", kind="regex", expression=r"(idiot+)+")

    with pytest.raises(ValidationError) as refused:
        term.full_clean()

    assert "expression" in refused.value.message_dict


def test_an_abuse_phrase_is_checked_when_saved_in_the_admin(admin_client, brand):
    url = reverse("admin:inbox_abuseterm_add")

    response = admin_client.post(url, {"brand": brand.pk, "abuse_class": "insult", "kind": "phrase",
                                       "expression": "~3", "is_active": "on"})

    assert response.status_code == 200 and not AbuseTerm.objects.exists()
    admin_client.post(url, {"brand": brand.pk, "abuse_class": "insult", "kind": "phrase",
                            "expression": "slijmbal*", "is_active": "on"})
    assert AbuseTerm.objects.get().expression == "slijmbal*"


@pytest.mark.parametrize(
    ("pattern", "example", "field"),
    [(r"\d+", "123", "pattern"), (r"\d{4}", "1234", "pattern"), (r"CN-\d{8}", "CN-1234", "example")],
)
def test_a_customer_number_pattern_must_be_bounded_strict_and_find_its_example(brand, pattern, example, field):
    with pytest.raises(ValidationError) as refused:
        CustomerNumberPattern(brand=brand, name="Klantnummer", pattern=pattern, example=example).full_clean()

    assert field in refused.value.message_dict


def test_a_good_customer_number_pattern_is_accepted(brand):
    CustomerNumberPattern(brand=brand, name="Klantnummer", pattern=r"CN-\d{8}", example="CN-12345678").full_clean()


def test_the_repeat_period_cannot_outlive_the_strike(brand):
    with pytest.raises(ValidationError):
        ConductPolicy(brand=brand, repeat_period_days=100, strike_expiry_days=30).full_clean()


def test_the_webhook_secret_is_write_only_and_encrypted(admin_client, brand):
    url = reverse("admin:inbox_brand_change", args=[brand.pk])
    form = {
        "name": brand.name, "slug": brand.slug, "default_language": "nl", "undo_seconds": 10,
        "signature_format": "^{initials}", "first_response_minutes": 60,
        "texts-TOTAL_FORMS": 0, "texts-INITIAL_FORMS": 0,
        "conduct_policy-TOTAL_FORMS": 1, "conduct_policy-INITIAL_FORMS": 0,
        "conduct_policy-0-repeat_period_days": 14, "conduct_policy-0-strike_expiry_days": 60,
        "conduct_policy-0-hide_on_escalation": "on",
        "conduct_policy-0-security_webhook_url": "https://security.example/hooks",
        "conduct_policy-0-new_webhook_secret": "s3cret-value-123",
        "customer_number_patterns-TOTAL_FORMS": 0, "customer_number_patterns-INITIAL_FORMS": 0,
    }

    response = admin_client.post(url, form)

    assert response.status_code == 302, response.content.decode()[:2000]
    policy = ConductPolicy.objects.get(brand=brand)
    assert policy.get_webhook_secret() == "s3cret-value-123"
    assert "s3cret-value-123" not in policy.security_webhook_secret_ciphertext
    assert "s3cret-value-123" not in admin_client.get(url).content.decode()


def test_a_webhook_without_a_secret_is_refused(brand):
    from inbox.admin import ConductPolicyForm

    form = ConductPolicyForm(data={"brand": brand.pk, "repeat_period_days": 14, "strike_expiry_days": 60,
                                   "security_webhook_url": "https://security.example/hooks"})

    assert not form.is_valid() and "new_webhook_secret" in form.errors


def test_an_admin_erases_contacts_after_confirming(admin_client, fb_account):
    post(fb_account, "Bel me op 0470 12 34 56", author_id="fb-42")
    contact = Contact.objects.get(external_id="fb-42")
    url = reverse("admin:inbox_contact_changelist")

    confirm = admin_client.post(url, {"action": "erase", "_selected_action": [contact.pk]})
    assert confirm.status_code == 200 and "Erase for good" in confirm.content.decode()
    assert Contact.objects.get(pk=contact.pk).erased_at is None

    admin_client.post(url, {"action": "erase", "_selected_action": [contact.pk], "erase_confirmed": "1",
                            "reference": "REQ-9", "confirm": "on"})
    assert Contact.objects.get(pk=contact.pk).erased_at is not None
    assert Event.objects.get(action=EventAction.CONTACT_ERASED).data["reference"] == "REQ-9"


def test_an_admin_exports_unmasked_for_a_data_subject_request(admin_client, fb_account):
    post(fb_account, "Bel me op 0470 12 34 56", author_id="fb-42")
    contact = Contact.objects.get(external_id="fb-42")

    response = admin_client.post(reverse("admin:inbox_contact_changelist"),
                                 {"action": "export_unmasked", "_selected_action": [contact.pk]})

    data = json.loads(response.content)
    assert data[0]["mentions"][0]["messages"][0]["text"] == "Bel me op 0470 12 34 56"
    assert Event.objects.get(action=EventAction.CONTACT_EXPORTED).data["masked"] is False


@pytest.mark.parametrize("model", ["abuseterm", "conductpolicy", "customernumberpattern", "conductcase", "strike",
                                   "securityforward"])
def test_the_conduct_lists_render(admin_client, model):
    assert admin_client.get(reverse(f"admin:inbox_{model}_changelist")).status_code == 200


def test_cases_and_strikes_cannot_be_edited_in_the_admin(admin_client, fb_account, policy):
    post(fb_account, "Ik maak jullie allemaal af")
    from inbox.models import ConductCase

    case = ConductCase.objects.get()
    response = admin_client.post(reverse("admin:inbox_conductcase_change", args=[case.pk]), {"status": "lifted"})

    assert response.status_code == 403
    assert ConductCase.objects.get().status == "escalated"
