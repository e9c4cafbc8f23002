import pytest
from django.db import IntegrityError, transaction

from inbox.bulk import bulk_insert
from inbox.models import Brand, Event, EventAction
from tests.factories import mention_for

pytestmark = pytest.mark.django_db


def test_rows_get_their_keys_and_the_sequence_moves_past_them():
    brands = [Brand(name=f"Brand {n}", slug=f"brand-{n}") for n in range(3)]

    bulk_insert(brands)

    assert all(brand.pk for brand in brands)
    assert {(b.pk, b.name) for b in brands} == set(Brand.objects.values_list("pk", "name"))
    assert Brand.objects.create(name="After", slug="after").pk > max(brand.pk for brand in brands)
    brands[0].name = "Renamed"
    brands[0].save()
    assert Brand.objects.get(pk=brands[0].pk).name == "Renamed"


def test_json_defaults_and_hostile_text_round_trip(x_account):
    mention = mention_for(x_account)
    hostile = "tab\there\nnew line \\N back\\slash <script>alert(1)</script> \u202e"
    events = [Event(action=EventAction.NOTED, mention=mention, reason="\\N\t<b>", data={"text": hostile, "n": [1, None]})]

    bulk_insert(events)

    stored = Event.objects.get(pk=events[0].pk)
    assert (stored.reason, stored.data) == ("\\N\t<b>", {"text": hostile, "n": [1, None]})
    assert stored.created_at is not None


def test_a_constraint_violation_is_djangos_integrity_error():
    Brand.objects.create(name="Taken", slug="taken")

    with pytest.raises(IntegrityError), transaction.atomic():
        bulk_insert([Brand(name="Taken", slug="other")])
    assert Brand.objects.count() == 1


def test_nothing_to_insert_asks_nothing_of_the_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        bulk_insert([])
