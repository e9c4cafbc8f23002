"""Detection on ingest: flags, priorities and events, once per text."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inbox.exceptions import Invalid
from inbox.models import (
    AbuseTerm,
    ConductCase,
    CustomerNumberPattern,
    Event,
    EventAction,
    Mention,
    Message,
    Priority,
)
from inbox.services import mentions as mention_svc
from inbox.services.ingest import messages_ingest
from inbox.services.replies import mention_reply
from tests.factories import remote_message

from .conftest import post

pytestmark = pytest.mark.django_db


def test_personal_data_in_a_public_post_flags_it_raises_priority_and_logs_the_kinds_without_the_data(fb_account):
    mention = post(fb_account, "Bel me op 0470 12 34 56 of mail sofie@example.com")

    mention.refresh_from_db()
    assert mention.has_personal_data and mention.priority == Priority.HIGH
    assert Message.objects.get(mention=mention).has_personal_data
    event = Event.objects.get(action=EventAction.PERSONAL_DATA_FOUND)
    assert event.data["kinds"] == ["email", "phone"]
    assert "0470" not in str(event.data) and "sofie" not in str(event.data)


def test_a_private_message_with_personal_data_is_not_flagged_as_public_exposure(fb_account):
    mention = post(fb_account, "Mijn nummer is 0470 12 34 56", kind="private", thread_id="t1")

    mention.refresh_from_db()
    assert not mention.has_personal_data
    assert not Event.objects.filter(action=EventAction.PERSONAL_DATA_FOUND).exists()


def test_a_brands_customer_number_is_personal_data_for_that_brand(fb_account, brand):
    CustomerNumberPattern.objects.create(brand=brand, name="Klantnummer", pattern=r"CN-\d{8}", example="CN-12345678")

    mention = post(fb_account, "Mijn klantnummer is CN-12345678, kijk eens")

    assert Mention.objects.get(pk=mention.pk).has_personal_data


def test_a_public_reply_with_the_brands_customer_number_is_refused(fb_account, brand, agent):
    CustomerNumberPattern.objects.create(brand=brand, name="Klantnummer", pattern=r"CN-\d{8}", example="CN-12345678")
    mention = post(fb_account, "Wanneer komt de technieker?")
    mention_svc.mention_claim(user=agent, mention_id=mention.pk)

    with pytest.raises(Invalid) as refused:
        mention_reply(user=agent, mention_id=mention.pk, text="Klantnummer CN-12345678 is genoteerd")

    assert refused.value.code == "personal_data" and refused.value.data["kinds"] == ["customer_number"]


def test_an_admins_abuse_term_for_the_brand_flags_on_ingest(fb_account, brand):
    AbuseTerm.objects.create(brand=brand, abuse_class="insult", expression="slijmbal*")

    mention = post(fb_account, "Jullie zijn slijmballen")

    assert ConductCase.objects.get(mention=mention).classes == ["insult"]


def test_an_admins_abuse_term_for_another_brand_does_not_apply(fb_account):
    from tests.factories import BrandFactory

    AbuseTerm.objects.create(brand=BrandFactory(), abuse_class="insult", expression="slijmbal*")

    mention = post(fb_account, "Jullie zijn slijmballen")

    assert not ConductCase.objects.filter(mention=mention).exists()


def test_an_edit_that_adds_abuse_is_screened_again(fb_account):
    item = remote_message(platform_id="c1", text="Wanneer komt de technieker?", kind="comment")
    messages_ingest(account_id=fb_account.pk, items=[item])
    edited = remote_message(platform_id="c1", text="Wanneer komt de technieker, klootzakken?", kind="comment",
                            edited=True, posted_at=item.posted_at, updated_at=item.posted_at + dt.timedelta(minutes=1))

    messages_ingest(account_id=fb_account.pk, items=[edited])

    assert ConductCase.objects.filter(mention__messages__platform_id="c1").exists()


def test_polling_the_same_batch_again_screens_nothing(fb_account):
    items = [remote_message(platform_id=str(n), text=f"Storing nummer {n}, bel 0470 12 34 5{n}", kind="comment")
             for n in range(5)]
    messages_ingest(account_id=fb_account.pk, items=items)
    events = Event.objects.count()

    with CaptureQueriesContext(connection) as queries:
        messages_ingest(account_id=fb_account.pk, items=items)

    assert Event.objects.count() == events
    assert not any("inbox_abuseterm" in q["sql"] for q in queries.captured_queries)  # never got as far as detecting


def test_screening_a_batch_costs_a_bounded_number_of_queries(fb_account):
    def batch(offset):
        return [remote_message(platform_id=f"p{offset + n}", text=f"Al {n} dagen geen internet in Gent", kind="comment",
                               author_id=str(offset + n)) for n in range(20)]

    messages_ingest(account_id=fb_account.pk, items=batch(0))
    with CaptureQueriesContext(connection) as small:
        messages_ingest(account_id=fb_account.pk, items=batch(100)[:5])
    with CaptureQueriesContext(connection) as large:
        messages_ingest(account_id=fb_account.pk, items=batch(200))

    screening = [q for q in large.captured_queries if "inbox_strike" in q["sql"] or "inbox_abuseterm" in q["sql"]
                 or "customernumberpattern" in q["sql"]]
    assert len(screening) <= 4
    assert len(large.captured_queries) - len(small.captured_queries) <= 2
