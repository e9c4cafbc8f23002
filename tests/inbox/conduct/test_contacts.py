"""Leads link one person's contacts across platforms; the ladder counts them as one."""

import pytest

from inbox.exceptions import Invalid, NotFound
from inbox.models import Contact, Event, EventAction, Person
from inbox.services.contacts import contact_unlink, contacts_link
from tests.factories import agent_in

from .conftest import post

pytestmark = pytest.mark.django_db


@pytest.fixture
def contacts(fb_account, x_account):
    post(fb_account, "Storing in Gent?", author_id="fb-1")
    post(x_account, "Storing in Gent? @telvio", author_id="x-1", kind="mention")
    post(x_account, "Ook bij mij", author_id="x-2", kind="mention")
    return [Contact.objects.get(external_id=external_id) for external_id in ("fb-1", "x-1", "x-2")]


def test_linking_two_contacts_makes_them_one_person_and_is_logged_on_both(contacts, lead):
    facebook, x, _third = contacts

    person = contacts_link(user=lead, contact_id=facebook.pk, other_contact_id=x.pk)

    assert set(person.contacts.values_list("pk", flat=True)) == {facebook.pk, x.pk}
    events = Event.objects.filter(action=EventAction.CONTACTS_LINKED)
    assert sorted(events.values_list("contact_id", flat=True)) == sorted([facebook.pk, x.pk])
    assert events.first().actor == lead


def test_linking_into_an_existing_person_merges_the_groups(contacts, lead):
    a, b, c = contacts
    contacts_link(user=lead, contact_id=a.pk, other_contact_id=b.pk)

    person = contacts_link(user=lead, contact_id=c.pk, other_contact_id=a.pk)

    assert set(person.contacts.values_list("pk", flat=True)) == {a.pk, b.pk, c.pk}
    assert Person.objects.count() == 1


def test_linking_two_people_merges_them_into_one(contacts, lead, fb_account):
    a, b, c = contacts
    post(fb_account, "Hallo", author_id="fb-9")
    d = Contact.objects.get(external_id="fb-9")
    contacts_link(user=lead, contact_id=a.pk, other_contact_id=b.pk)
    contacts_link(user=lead, contact_id=c.pk, other_contact_id=d.pk)

    contacts_link(user=lead, contact_id=b.pk, other_contact_id=d.pk)

    assert Person.objects.count() == 1
    assert Contact.objects.filter(person__isnull=False).count() == 4


def test_unlinking_the_second_last_contact_dissolves_the_person(contacts, lead):
    a, b, _c = contacts
    contacts_link(user=lead, contact_id=a.pk, other_contact_id=b.pk)

    contact_unlink(user=lead, contact_id=a.pk)

    assert not Person.objects.exists()
    assert Contact.objects.get(pk=b.pk).person_id is None
    assert Event.objects.get(action=EventAction.CONTACT_UNLINKED).contact_id == a.pk


def test_a_contact_cannot_be_linked_to_itself(contacts, lead):
    with pytest.raises(Invalid):
        contacts_link(user=lead, contact_id=contacts[0].pk, other_contact_id=contacts[0].pk)


def test_an_agent_cannot_link_contacts(contacts, agent):
    with pytest.raises(NotFound):
        contacts_link(user=agent, contact_id=contacts[0].pk, other_contact_id=contacts[1].pk)


def test_a_lead_cannot_link_a_contact_that_never_wrote_to_their_teams(contacts, other_team):
    stranger = agent_in(other_team, role="lead", username="lars")

    with pytest.raises(NotFound):
        contacts_link(user=stranger, contact_id=contacts[0].pk, other_contact_id=contacts[1].pk)
